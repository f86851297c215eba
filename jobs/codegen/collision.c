/* Key collisions between the shards of a merge. Keys are compared as the bytes the sink sends,
 * which is what StarRocks compares: 'a' and 'A' are two keys there even when the source's
 * collation calls them equal, so the check sorts in C rather than trusting ORDER BY. */
#include "jobs/codegen/collision.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operators/mysql/connection.h"
#include "runtime/base/buf.h"

const char *gen_collision_kind_name(gen_collision_kind k)
{
    switch (k) {
    case GEN_COLLISION_NONE:
        return "none";
    case GEN_COLLISION_FOUND:
        return "found";
    case GEN_COLLISION_TOO_BIG:
        return "too-big";
    case GEN_COLLISION_AUTO_INCREMENT:
        return "auto-increment";
    }
    return "?";
}

void gen_key_set_fini(gen_key_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->count; i++)
        free(s->keys[i]);
    free(s->keys);
    free(s->lens);
    memset(s, 0, sizeof *s);
}

int gen_key_encode(size_t n, const char *const *values, const unsigned long *lengths, char **out,
                   size_t *len)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += 4 + (values[i] ? lengths[i] : 0);
    char *k = malloc(total ? total : 1);
    if (!k)
        return RT_ENOMEM;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned long l = values[i] ? lengths[i] : 0;
        k[at++] = (char)(l >> 24);
        k[at++] = (char)(l >> 16);
        k[at++] = (char)(l >> 8);
        k[at++] = (char)l;
        if (l)
            memcpy(k + at, values[i], l);
        at += l;
    }
    *out = k;
    *len = total;
    return 0;
}

void gen_key_render(const char *key, size_t len, char *out, size_t size)
{
    rt_buf b;
    rt_buf_init(&b);
    size_t at = 0;
    while (at + 4 <= len) {
        const unsigned char *p = (const unsigned char *)key + at;
        size_t l = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
        at += 4;
        if (l > len - at)
            break;
        if (b.len)
            rt_buf_append_str(&b, ", ");
        for (size_t i = 0; i < l; i++) {
            unsigned char ch = (unsigned char)key[at + i];
            if (ch < 0x20 || ch == 0x7f)
                rt_buf_appendf(&b, "\\x%02x", ch);
            else
                rt_buf_append_char(&b, (char)ch);
        }
        at += l;
    }
    snprintf(out, size, "%s", b.data ? b.data : "");
    rt_buf_fini(&b);
}

/* One entry of the merged, sorted view of every shard's keys. */
typedef struct entry {
    const char *key;
    size_t len;
    size_t shard;
} entry;

static int entry_cmp(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->key, y->key, n);
    if (c != 0)
        return c;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return x->shard < y->shard ? -1 : x->shard > y->shard;
}

int gen_collision_find(gen_key_set *sets, size_t count, gen_collision *out, rt_err *err)
{
    size_t total = 0;
    for (size_t s = 0; s < count; s++)
        total += sets[s].count;
    memset(out, 0, sizeof *out);
    if (total == 0)
        return 0;
    entry *all = malloc(total * sizeof *all);
    if (!all)
        return rt_err_set(err, RT_ENOMEM, "collision check: out of memory");
    size_t n = 0;
    for (size_t s = 0; s < count; s++)
        for (size_t i = 0; i < sets[s].count; i++)
            all[n++] = (entry){sets[s].keys[i], sets[s].lens[i], s};
    qsort(all, n, sizeof *all, entry_cmp);
    for (size_t i = 1; i < n; i++) {
        /* Equal keys sit next to each other; one shard cannot repeat its own key. */
        if (all[i].len == all[i - 1].len && memcmp(all[i].key, all[i - 1].key, all[i].len) == 0 &&
            all[i].shard != all[i - 1].shard) {
            out->kind = GEN_COLLISION_FOUND;
            out->shard_a = all[i - 1].shard;
            out->shard_b = all[i].shard;
            gen_key_render(all[i].key, all[i].len, out->key, sizeof out->key);
            break;
        }
    }
    free(all);
    return 0;
}

typedef struct reader {
    gen_key_set *set;
    uint64_t max_rows;
    bool too_big;
} reader;

static int read_key(void *arg, size_t ncols, const char *const *values,
                    const unsigned long *lengths, rt_err *err)
{
    reader *r = arg;
    if (r->set->count >= r->max_rows) {
        r->too_big = true;
        return 1; /* stop: the LIMIT asked for one row more than the check reads */
    }
    if ((r->set->count & (r->set->count - 1)) == 0) { /* 0, 1, 2, 4, ...: grow by doubling */
        size_t cap = r->set->count ? r->set->count * 2 : 1;
        char **keys = realloc(r->set->keys, cap * sizeof *keys);
        if (keys)
            r->set->keys = keys;
        size_t *lens = keys ? realloc(r->set->lens, cap * sizeof *lens) : NULL;
        if (!lens)
            return rt_err_set(err, RT_ENOMEM, "collision check: out of memory");
        r->set->lens = lens;
    }
    char *k;
    size_t len;
    if (gen_key_encode(ncols, values, lengths, &k, &len) != 0)
        return rt_err_set(err, RT_ENOMEM, "collision check: out of memory");
    r->set->keys[r->set->count] = k;
    r->set->lens[r->set->count++] = len;
    return 0;
}

int gen_collision_check(op_mysql_conn *c, const gen_target *t, uint64_t max_rows,
                        gen_collision *out, rt_err *err)
{
    memset(out, 0, sizeof *out);
    for (size_t s = 0; s < t->shard_count; s++) {
        const gen_table *sh = t->shards[s];
        for (size_t k = 0; k < sh->key_count; k++)
            if (sh->columns[sh->key[k]].auto_increment) {
                out->kind = GEN_COLLISION_AUTO_INCREMENT;
                out->shard_a = s;
                out->shard_b = s == 0 && t->shard_count > 1 ? 1 : 0;
                snprintf(out->key, sizeof out->key, "%s", sh->columns[sh->key[k]].name);
                return 0;
            }
    }
    gen_key_set *sets = calloc(t->shard_count, sizeof *sets);
    if (!sets)
        return rt_err_set(err, RT_ENOMEM, "collision check: out of memory");
    int rc = 0;
    for (size_t s = 0; rc == 0 && s < t->shard_count; s++) {
        const gen_table *sh = t->shards[s];
        rt_buf q;
        rt_buf_init(&q);
        rt_buf_append_str(&q, "SELECT ");
        for (size_t k = 0; k < sh->key_count; k++) {
            if (k)
                rt_buf_append_str(&q, ", ");
            op_mysql_conn_quote_ident(sh->columns[sh->key[k]].name, &q);
        }
        rt_buf_append_str(&q, " FROM ");
        op_mysql_conn_quote_ident(sh->db, &q);
        rt_buf_append_char(&q, '.');
        op_mysql_conn_quote_ident(sh->name, &q);
        /* The order only makes the rows read deterministic when the shard is cut off. */
        rt_buf_append_str(&q, " ORDER BY ");
        for (size_t k = 0; k < sh->key_count; k++) {
            if (k)
                rt_buf_append_str(&q, ", ");
            op_mysql_conn_quote_ident(sh->columns[sh->key[k]].name, &q);
        }
        rt_buf_appendf(&q, " LIMIT %llu", (unsigned long long)max_rows + 1);
        reader r = {.set = &sets[s], .max_rows = max_rows};
        rc = op_mysql_conn_query(c, q.data, read_key, &r, err);
        rt_buf_fini(&q);
        if (rc != 0)
            rc = rt_err_prefix(err, rc, "collision check of %s.%s", sh->db, sh->name);
        else if (r.too_big) {
            out->kind = GEN_COLLISION_TOO_BIG;
            out->shard_a = s;
            out->shard_b = s == 0 && t->shard_count > 1 ? 1 : 0;
            break;
        }
    }
    if (rc == 0 && out->kind == GEN_COLLISION_NONE)
        rc = gen_collision_find(sets, t->shard_count, out, err);
    for (size_t s = 0; s < t->shard_count; s++)
        gen_key_set_fini(&sets[s]);
    free(sets);
    return rc;
}
