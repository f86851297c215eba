/* Record batches: a record array plus an arena of chunks that holds the records' values and
 * strings, reference counted, and recycled through a pool so that the steady state of a job
 * allocates nothing per batch. */
#include "runtime/batch.h"

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/base/errors.h"

#define FIRST_CHUNK_SIZE (64 * 1024)
/* Chunks double up to this size; a bigger request gets a chunk of its own size. */
#define MAX_GROW_CHUNK_SIZE (4 * 1024 * 1024)
/* A recycled batch keeps one chunk of at most this size (see batch_reset). */
#define KEEP_CHUNK_SIZE (1024 * 1024)
#define FIRST_RECORD_CAP 256

typedef struct chunk {
    struct chunk *next; /* the chunk before this one (the list runs newest first) */
    size_t cap;
    size_t used;
    alignas(max_align_t) char data[];
} chunk;

struct rt_batch {
    atomic_uint refs;
    rt_batch_pool *pool;
    rt_record *records;
    size_t count, cap;
    chunk *arena;        /* current chunk first */
    size_t arena_cap;    /* sum of chunk capacities */
    rt_batch *next_free; /* pool free list link */
};

struct rt_batch_pool {
    pthread_mutex_t mu;
    rt_batch *free_list;
    size_t free_count;
    size_t keep;
    atomic_size_t live; /* batches handed out and not yet released, to catch leaks early */
};

const char *rt_rowkind_name(rt_rowkind k)
{
    switch (k) {
    case RT_ROW_INSERT:
        return "+I";
    case RT_ROW_UPDATE_BEFORE:
        return "-U";
    case RT_ROW_UPDATE_AFTER:
        return "+U";
    case RT_ROW_DELETE:
        return "-D";
    case RT_ROW_SCHEMA_CHANGE:
        return "SC";
    }
    return "?";
}

const char *rt_schema_change_kind_name(rt_schema_change_kind k)
{
    switch (k) {
    case RT_SCHEMA_CREATE_TABLE:
        return "create_table";
    case RT_SCHEMA_ALTER_TABLE:
        return "alter_table";
    case RT_SCHEMA_RENAME_TABLE:
        return "rename_table";
    case RT_SCHEMA_TRUNCATE_TABLE:
        return "truncate_table";
    case RT_SCHEMA_DROP_TABLE:
        return "drop_table";
    }
    return "?";
}

static chunk *chunk_new(size_t cap)
{
    chunk *c = malloc(sizeof *c + cap);
    if (!c)
        return NULL;
    c->next = NULL;
    c->cap = cap;
    c->used = 0;
    return c;
}

static void batch_destroy(rt_batch *b)
{
    chunk *c = b->arena;
    while (c) {
        chunk *next = c->next;
        free(c);
        c = next;
    }
    free(b->records);
    free(b);
}

/* Empties the batch for reuse. It keeps its record array and one chunk: the largest one up to
 * KEEP_CHUNK_SIZE, because chunks double, so a batch that needed several chunks once fits the
 * next rows of the same shape in one chunk instead of growing again every time it is reused. */
static void batch_reset(rt_batch *b)
{
    chunk *keep = NULL;
    for (chunk *c = b->arena; c; c = c->next) {
        if (c->cap <= KEEP_CHUNK_SIZE && (!keep || c->cap > keep->cap))
            keep = c;
    }
    chunk *c = b->arena;
    while (c) {
        chunk *next = c->next;
        if (c != keep)
            free(c);
        c = next;
    }
    if (keep) {
        keep->next = NULL;
        keep->used = 0;
    }
    b->arena = keep;
    b->arena_cap = keep ? keep->cap : 0;
    b->count = 0;
}

rt_batch_pool *rt_batch_pool_new(size_t keep)
{
    rt_batch_pool *pool = calloc(1, sizeof *pool);
    if (!pool)
        return NULL;
    pthread_mutex_init(&pool->mu, NULL);
    pool->keep = keep;
    atomic_init(&pool->live, 0);
    return pool;
}

void rt_batch_pool_free(rt_batch_pool *pool)
{
    if (!pool)
        return;
    size_t live = atomic_load(&pool->live);
    if (live != 0)
        RT_BUG("rt_batch_pool_free: %zu batches still in use", live);
    rt_batch *b = pool->free_list;
    while (b) {
        rt_batch *next = b->next_free;
        batch_destroy(b);
        b = next;
    }
    pthread_mutex_destroy(&pool->mu);
    free(pool);
}

rt_batch *rt_batch_new(rt_batch_pool *pool)
{
    rt_batch *b = NULL;
    if (pool) {
        pthread_mutex_lock(&pool->mu);
        b = pool->free_list;
        if (b) {
            pool->free_list = b->next_free;
            pool->free_count--;
        }
        pthread_mutex_unlock(&pool->mu);
    }
    if (!b) {
        b = calloc(1, sizeof *b);
        if (!b)
            return NULL;
        b->pool = pool;
    }
    b->next_free = NULL;
    atomic_init(&b->refs, 1);
    if (pool)
        atomic_fetch_add_explicit(&pool->live, 1, memory_order_relaxed);
    return b;
}

void rt_batch_ref(rt_batch *b)
{
    /* Relaxed is enough: the caller already holds a reference, so the batch cannot die here. */
    atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed);
}

void rt_batch_unref(rt_batch *b)
{
    if (!b)
        return;
    /* acq_rel: every owner's writes happen before the last owner resets or frees the batch. */
    unsigned prev = atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel);
    RT_ASSERT(prev > 0);
    if (prev != 1)
        return;
    rt_batch_pool *pool = b->pool;
    if (!pool) {
        batch_destroy(b);
        return;
    }
    batch_reset(b);
    pthread_mutex_lock(&pool->mu);
    bool kept = pool->free_count < pool->keep;
    if (kept) {
        b->next_free = pool->free_list;
        pool->free_list = b;
        pool->free_count++;
    }
    pthread_mutex_unlock(&pool->mu);
    atomic_fetch_sub_explicit(&pool->live, 1, memory_order_relaxed);
    if (!kept)
        batch_destroy(b);
}

void *rt_batch_alloc(rt_batch *b, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    chunk *c = b->arena;
    if (c && c->cap - c->used >= n) {
        void *p = c->data + c->used;
        c->used += n;
        return p;
    }
    size_t cap = c ? c->cap * 2 : FIRST_CHUNK_SIZE;
    if (cap > MAX_GROW_CHUNK_SIZE)
        cap = MAX_GROW_CHUNK_SIZE;
    if (cap < n)
        cap = n;
    chunk *fresh = chunk_new(cap);
    if (!fresh)
        return NULL;
    /* The old chunk's tail is wasted; with doubling that is at most a third of the arena. */
    fresh->next = c;
    fresh->used = n;
    b->arena = fresh;
    b->arena_cap += cap;
    return fresh->data;
}

static rt_record *add_record(rt_batch *b, rt_rowkind kind, const rt_table *t, size_t ncols)
{
    if (b->count == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : FIRST_RECORD_CAP;
        rt_record *records = realloc(b->records, cap * sizeof *records);
        if (!records)
            return NULL;
        b->records = records;
        b->cap = cap;
    }
    rt_value *values = NULL;
    if (ncols) {
        values = rt_batch_alloc(b, ncols * sizeof *values);
        if (!values)
            return NULL;
    }
    rt_record *r = &b->records[b->count++];
    r->kind = (uint8_t)kind;
    r->ncols = (uint32_t)ncols;
    r->table = t;
    r->values = values;
    r->change = NULL;
    r->ts_ms = 0;
    return r;
}

rt_record *rt_batch_add(rt_batch *b, rt_rowkind kind, const rt_table *t)
{
    size_t ncols = rt_table_column_count(t);
    rt_record *r = add_record(b, kind, t, ncols);
    /* All-zero bytes are RT_TYPE_NULL values. */
    if (r && ncols)
        memset(r->values, 0, ncols * sizeof *r->values);
    return r;
}

rt_record *rt_batch_add_schema_change(rt_batch *b, rt_schema_change_kind kind,
                                      const rt_table *after, const rt_table *before,
                                      const char *ddl, size_t ddl_len)
{
    if (ddl_len > UINT32_MAX)
        ddl_len = UINT32_MAX;
    rt_schema_change *sc = rt_batch_alloc(b, sizeof *sc);
    char *text = sc ? rt_batch_alloc(b, ddl_len + 1) : NULL;
    if (!text)
        return NULL;
    if (ddl_len)
        memcpy(text, ddl, ddl_len);
    text[ddl_len] = '\0';
    *sc = (rt_schema_change){
        .kind = (uint8_t)kind, .before = before, .ddl = text, .ddl_len = (uint32_t)ddl_len};
    rt_record *r = add_record(b, RT_ROW_SCHEMA_CHANGE, after, 0);
    if (r)
        r->change = sc;
    return r;
}

int rt_batch_set_schema_origin(rt_batch *b, rt_record *sc, const int32_t *origin, size_t n)
{
    RT_ASSERT(sc->change && n == rt_table_column_count(sc->table));
    int32_t *copy = rt_batch_alloc(b, (n ? n : 1) * sizeof *copy);
    if (!copy)
        return RT_ENOMEM;
    if (n)
        memcpy(copy, origin, n * sizeof *copy);
    /* The payload was allocated by this batch's add_schema_change: it is ours to write. */
    ((rt_schema_change *)sc->change)->origin = copy;
    return 0;
}

static bool is_text(uint8_t type)
{
    return type == RT_TYPE_DECIMAL || type == RT_TYPE_STRING || type == RT_TYPE_BYTES ||
           type == RT_TYPE_JSON;
}

int rt_batch_copy_record(rt_batch *b, const rt_record *src_ptr)
{
    /* src may be a record of b itself, which add_record's realloc would move. */
    const rt_record src_copy = *src_ptr, *src = &src_copy;
    if (src->change) {
        const rt_schema_change *sc = src->change;
        rt_record *r = rt_batch_add_schema_change(b, (rt_schema_change_kind)sc->kind, src->table,
                                                  sc->before, sc->ddl, sc->ddl_len);
        if (!r)
            return RT_ENOMEM;
        r->ts_ms = src->ts_ms;
        if (sc->origin &&
            rt_batch_set_schema_origin(b, r, sc->origin, rt_table_column_count(src->table)) != 0) {
            b->count--;
            return RT_ENOMEM;
        }
        return 0;
    }
    rt_record *r = add_record(b, (rt_rowkind)src->kind, src->table, src->ncols);
    if (!r)
        return RT_ENOMEM;
    r->ts_ms = src->ts_ms;
    if (src->ncols)
        memcpy(r->values, src->values, src->ncols * sizeof *r->values);
    for (uint32_t i = 0; i < src->ncols; i++) {
        rt_value *v = &r->values[i];
        if (!is_text(v->type) || v->s.len == 0)
            continue;
        char *p = rt_batch_alloc(b, v->s.len);
        if (!p) {
            /* Leave no record that points into another batch's arena. */
            b->count--;
            return RT_ENOMEM;
        }
        memcpy(p, v->s.ptr, v->s.len);
        v->s.ptr = p;
    }
    return 0;
}

int rt_batch_set_str(rt_batch *b, rt_value *v, rt_type type, const char *ptr, size_t len)
{
    RT_ASSERT(is_text((uint8_t)type));
    if (len > UINT32_MAX)
        return RT_ENOMEM;
    char *p = NULL;
    if (len) {
        p = rt_batch_alloc(b, len);
        if (!p)
            return RT_ENOMEM;
        memcpy(p, ptr, len);
    }
    v->type = (uint8_t)type;
    v->s.ptr = p ? p : "";
    v->s.len = (uint32_t)len;
    return 0;
}

size_t rt_batch_count(const rt_batch *b)
{
    return b->count;
}

rt_record *rt_batch_at(rt_batch *b, size_t i)
{
    RT_ASSERT(i < b->count);
    return &b->records[i];
}

const rt_record *rt_batch_at_const(const rt_batch *b, size_t i)
{
    RT_ASSERT(i < b->count);
    return &b->records[i];
}

size_t rt_batch_size(const rt_batch *b)
{
    return sizeof *b + b->cap * sizeof *b->records + b->arena_cap;
}
