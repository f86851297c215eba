/* st_writer: buffers one subtask's state for a pending checkpoint and writes it in one batch. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/backend.h"
#include "state/backend_int.h"
#include "state/keys.h"

/* One put, key and value in one allocation (mem: key bytes, then value bytes). */
typedef struct item {
    char *mem;
    size_t key_len;
    size_t val_len;
    size_t seq; /* put order: among equal keys the last put wins */
} item;

struct st_writer {
    st_backend *b;
    uint64_t checkpoint;
    char *vertex;
    uint32_t subtask;
    item *items;
    size_t count, cap;
};

st_writer *st_writer_new(st_backend *b, uint64_t checkpoint, const char *vertex, uint32_t subtask)
{
    st_writer *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->vertex = strdup(vertex);
    if (!w->vertex) {
        free(w);
        return NULL;
    }
    w->b = b;
    w->checkpoint = checkpoint;
    w->subtask = subtask;
    return w;
}

static void clear_items(st_writer *w)
{
    for (size_t i = 0; i < w->count; i++)
        free(w->items[i].mem);
    w->count = 0;
}

void st_writer_free(st_writer *w)
{
    if (!w)
        return;
    clear_items(w);
    free(w->items);
    free(w->vertex);
    free(w);
}

/* An invalid vertex is reported by put and commit rather than by st_writer_new, whose contract
 * keeps NULL for out-of-memory. */
static int check_vertex(const st_writer *w, rt_err *err)
{
    return st_key_check_vertex(w->vertex, strlen(w->vertex), err);
}

int st_writer_put(st_writer *w, const char *key, const void *val, size_t len, rt_err *err)
{
    size_t key_len = strlen(key);
    int rc = check_vertex(w, err);
    if (rc || (rc = st_key_check_state_key(key, key_len, err)) != 0)
        return rc;
    if (len > SIZE_MAX - key_len - 1)
        return rt_err_set(err, RT_EINVAL, "state: value of %zu bytes is too large", len);
    if (w->count == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 16;
        item *items = realloc(w->items, cap * sizeof *items);
        if (!items)
            return rt_err_set(err, RT_ENOMEM, "state: put '%s': out of memory", key);
        w->items = items;
        w->cap = cap;
    }
    char *mem = malloc(key_len + len + 1);
    if (!mem)
        return rt_err_set(err, RT_ENOMEM, "state: put '%s': out of memory", key);
    memcpy(mem, key, key_len);
    if (len)
        memcpy(mem + key_len, val, len);
    w->items[w->count] = (item){.mem = mem, .key_len = key_len, .val_len = len, .seq = w->count};
    w->count++;
    return 0;
}

static int key_cmp(const item *a, const item *b)
{
    size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
    int c = memcmp(a->mem, b->mem, n);
    if (c)
        return c;
    return a->key_len < b->key_len ? -1 : a->key_len > b->key_len;
}

static int item_cmp(const void *va, const void *vb)
{
    const item *a = va, *b = vb;
    int c = key_cmp(a, b);
    if (c)
        return c;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

int st_writer_commit(st_writer *w, uint64_t *bytes, rt_err *err)
{
    int rc = check_vertex(w, err);
    if (rc)
        return rc;
    /* Puts are appended as they come (O(1)); one sort at commit groups equal keys with the last
     * put at the end of its run, which is the one written. */
    if (w->count > 0) /* qsort(NULL, 0, ...) is undefined behaviour */
        qsort(w->items, w->count, sizeof *w->items, item_cmp);
    st_entry *entries = malloc((w->count ? w->count : 1) * sizeof *entries);
    if (!entries)
        return rt_err_set(err, RT_ENOMEM, "state: commit vertex '%s': out of memory", w->vertex);
    size_t n = 0;
    uint64_t total = 0;
    size_t vertex_len = strlen(w->vertex);
    for (size_t i = 0; i < w->count; i++) {
        const item *it = &w->items[i];
        if (i + 1 < w->count && key_cmp(it, &w->items[i + 1]) == 0)
            continue;
        entries[n++] = (st_entry){
            .vertex = w->vertex,
            .vertex_len = vertex_len,
            .subtask = w->subtask,
            .key = it->mem,
            .key_len = it->key_len,
            .val = it->mem + it->key_len,
            .val_len = it->val_len,
        };
        total += it->key_len + it->val_len;
    }
    char what[RT_ERR_MSG_SIZE / 2];
    snprintf(what, sizeof what, "write checkpoint %" PRIu64 " vertex '%s' subtask %" PRIu32,
             w->checkpoint, w->vertex, w->subtask);
    rc = st_backend_write_entries(w->b, w->checkpoint, entries, n, what, err);
    free(entries);
    if (rc)
        return rc; /* the entries stay buffered: a retry writes them again */
    /* Written entries are no longer buffered: a later commit writes only later puts. */
    clear_items(w);
    *bytes = total;
    return 0;
}
