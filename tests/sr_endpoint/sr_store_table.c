/* sr_store_table: the rows of one table: PRIMARY KEY tables keep a hash index on the encoded
 * key (upsert/delete in O(1); scans sort), DUPLICATE KEY tables append in load order. */
#include "tests/sr_endpoint/sr_store_int.h"

#include <strings.h>
#include <time.h>

#include "runtime/base/buf.h"

/* ---- tables ---- */

static void row_free(row *r, size_t ncols)
{
    for (size_t c = 0; c < ncols; c++)
        sr_value_fini(&r->v[c]);
    free(r->v);
    free(r->key);
}

void sr_store_table_clear_rows(table *t)
{
    for (size_t i = 0; i < t->count; i++)
        row_free(&t->rows[i], t->def.column_count);
    t->count = 0;
    free(t->slots);
    t->slots = NULL;
    t->nslots = 0;
}

void sr_store_table_free(table *t)
{
    if (!t)
        return;
    sr_store_table_clear_rows(t);
    free(t->rows);
    sr_table_def_fini(&t->def);
    free(t);
}

/* Key encoding: per key column a 4-byte length (0xFFFFFFFF for NULL) then the canonical text. */
static void encode_key(const table *t, const sr_value *v, char **out, size_t *outlen)
{
    rt_buf b;
    rt_buf_init(&b);
    for (size_t k = 0; k < t->def.key_count; k++) {
        uint32_t n = v[k].kind == SR_VALUE_TEXT ? (uint32_t)v[k].len : 0xFFFFFFFFu;
        rt_buf_append(&b, &n, 4);
        if (v[k].kind == SR_VALUE_TEXT)
            rt_buf_append(&b, v[k].data, v[k].len);
    }
    *outlen = b.len;
    *out = rt_buf_take(&b);
}

static uint64_t hash_bytes(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    return h;
}

static void index_rebuild(table *t);

/* Slot holding key, or the empty slot where it would go. */
static size_t index_find(const table *t, const char *key, size_t keylen)
{
    size_t mask = t->nslots - 1, i = hash_bytes(key, keylen) & mask;
    for (;;) {
        size_t s = t->slots[i];
        if (s == 0)
            return i;
        const row *r = &t->rows[s - 1];
        if (r->keylen == keylen && memcmp(r->key, key, keylen) == 0)
            return i;
        i = (i + 1) & mask;
    }
}

/* Linear-probing delete with backward shift, so lookups never need tombstones. */
static void index_delete_slot(table *t, size_t i)
{
    size_t mask = t->nslots - 1, j = i;
    t->slots[i] = 0;
    for (;;) {
        j = (j + 1) & mask;
        if (t->slots[j] == 0)
            return;
        const row *r = &t->rows[t->slots[j] - 1];
        size_t home = hash_bytes(r->key, r->keylen) & mask;
        bool move = (i <= j) ? (home <= i || home > j) : (home <= i && home > j);
        if (move) {
            t->slots[i] = t->slots[j];
            t->slots[j] = 0;
            i = j;
        }
    }
}

static void index_rebuild(table *t)
{
    free(t->slots);
    t->nslots = 16;
    while (t->nslots < t->count * 2 + 2)
        t->nslots *= 2;
    t->slots = xcalloc(t->nslots, sizeof(size_t));
    for (size_t r = 0; r < t->count; r++)
        t->slots[index_find(t, t->rows[r].key, t->rows[r].keylen)] = r + 1;
}

static void table_push_row(table *t, row r)
{
    if (t->count == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->rows = xrealloc(t->rows, t->cap * sizeof(row));
    }
    t->rows[t->count++] = r;
}

/* The value a column takes when a row does not set it: its default, else NULL, else (NOT NULL
 * without default, partial update of a new key) the type's zero as StarRocks documents. */
sr_value sr_store_column_fill(const sr_column_def *c)
{
    sr_value v = {.kind = SR_VALUE_NULL};
    if (c->default_text) {
        if (sr_value_convert(&c->type, c->name, c->default_text, strlen(c->default_text), &v, NULL) == 0)
            return v;
    }
    if (c->default_is_current_timestamp) {
        char buf[32];
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(buf, sizeof(buf), c->type.kind == SR_TYPE_DATE ? "%Y-%m-%d" : "%Y-%m-%d %H:%M:%S", &tm);
        return sr_value_text(buf, strlen(buf));
    }
    if (c->nullable)
        return v;
    switch (c->type.kind) {
    case SR_TYPE_DATE: return sr_value_text("1970-01-01", 10);
    case SR_TYPE_DATETIME: return sr_value_text("1970-01-01 00:00:00", 19);
    case SR_TYPE_CHAR: case SR_TYPE_VARCHAR: case SR_TYPE_STRING: case SR_TYPE_VARBINARY:
    case SR_TYPE_BINARY: return sr_value_text("", 0);
    case SR_TYPE_JSON: return sr_value_text("null", 4);
    case SR_TYPE_DECIMAL:
        if (sr_value_convert(&c->type, c->name, "0", 1, &v, NULL) == 0)
            return v;
        return sr_value_text("0", 1);
    default: return sr_value_text("0", 1);
    }
}

/* map[tc] = batch column of table column tc, or -1. */
static int *batch_map(const table *t, const sr_batch *b)
{
    int *map = xcalloc(t->def.column_count, sizeof(int));
    for (size_t c = 0; c < t->def.column_count; c++) {
        map[c] = -1;
        for (size_t j = 0; j < b->ncols; j++)
            if (strcasecmp(t->def.columns[c].name, b->cols[j]) == 0)
                map[c] = (int)j;
    }
    return map;
}

/* Rejects a batch that cannot apply cleanly (so that applying, after the log write, cannot fail). */
int sr_store_batch_check(const table *t, const sr_batch *b, rt_err *err)
{
    int *map = batch_map(t, b);
    int rc = 0;
    for (size_t k = 0; k < t->def.key_count && !rc; k++)
        if (map[k] < 0 && t->def.model == SR_MODEL_PRIMARY_KEY)
            rc = rt_err_set(err, RT_EINVAL, "key column '%s' missing from the rows",
                            t->def.columns[k].name);
    for (size_t r = 0; r < b->count && !rc; r++) {
        for (size_t c = 0; c < t->def.column_count && !rc; c++) {
            const sr_column_def *cd = &t->def.columns[c];
            bool key = c < t->def.key_count && t->def.model == SR_MODEL_PRIMARY_KEY;
            if (map[c] < 0)
                continue;
            const sr_value *v = &b->rows[r].v[map[c]];
            if ((v->kind == SR_VALUE_NULL && !cd->nullable) || (key && v->kind != SR_VALUE_TEXT))
                rc = rt_err_set(err, RT_EINVAL, "column '%s' is not nullable", cd->name);
        }
    }
    free(map);
    return rc;
}

void sr_store_table_apply(table *t, const sr_batch *b)
{
    int *map = batch_map(t, b);
    size_t nc = t->def.column_count;
    bool pk = t->def.model == SR_MODEL_PRIMARY_KEY;
    if (pk && !t->slots)
        index_rebuild(t);
    for (size_t r = 0; r < b->count; r++) {
        const struct brow *br = &b->rows[r];
        sr_value *v = xcalloc(nc, sizeof(sr_value));
        for (size_t c = 0; c < nc; c++)
            if (map[c] >= 0)
                sr_value_copy(&v[c], &br->v[map[c]]);
            else
                v[c].kind = SR_VALUE_ABSENT;
        if (!pk) {
            if (br->op == SR_ROW_DELETE) {
                for (size_t c = 0; c < nc; c++)
                    sr_value_fini(&v[c]);
                free(v);
                continue;
            }
            for (size_t c = 0; c < nc; c++)
                if (v[c].kind == SR_VALUE_ABSENT)
                    v[c] = sr_store_column_fill(&t->def.columns[c]);
            table_push_row(t, (row){.v = v});
            continue;
        }
        row nr = {.v = v};
        encode_key(t, v, &nr.key, &nr.keylen);
        size_t slot = index_find(t, nr.key, nr.keylen);
        if (br->op == SR_ROW_DELETE) {
            if (t->slots[slot]) {
                size_t i = t->slots[slot] - 1;
                index_delete_slot(t, slot);
                row_free(&t->rows[i], nc);
                size_t last = t->count - 1;
                if (i != last) {
                    size_t ls = index_find(t, t->rows[last].key, t->rows[last].keylen);
                    t->rows[i] = t->rows[last];
                    t->slots[ls] = i + 1;
                }
                t->count--;
            }
            row_free(&nr, nc);
            continue;
        }
        if (t->slots[slot]) {
            row *old = &t->rows[t->slots[slot] - 1];
            for (size_t c = 0; c < nc; c++) {
                if (v[c].kind == SR_VALUE_ABSENT) {
                    v[c] = old->v[c];
                    old->v[c] = (sr_value){.kind = SR_VALUE_NULL};
                }
            }
            row_free(old, nc);
            *old = nr;
            continue;
        }
        for (size_t c = 0; c < nc; c++)
            if (v[c].kind == SR_VALUE_ABSENT)
                v[c] = sr_store_column_fill(&t->def.columns[c]);
        table_push_row(t, nr);
        t->slots[slot] = t->count;
        if (t->count * 2 > t->nslots)
            index_rebuild(t);
    }
    free(map);
}

