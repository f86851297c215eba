/* The binary form of the schema history kept in checkpoint state (layout in schema_history.h).
 * The decoder bounds every length and count by the bytes left before it allocates, and checks
 * what lookups rely on (versions in position order, names without NUL bytes). */
#include <stdlib.h>
#include <string.h>

#include "operators/mysql/byte_cursor.h"
#include "operators/mysql/schema_history.h"
#include "operators/mysql/schema_history_int.h"

/* 2 added column defaults (flag 2); version 1 state still decodes, its columns without one. */
#define FORMAT_VERSION 2

static void put_le(rt_buf *b, uint64_t v, unsigned n)
{
    char *p = rt_buf_reserve(b, n);
    for (unsigned i = 0; i < n; i++)
        p[i] = (char)(v >> (8 * i));
    rt_buf_advance(b, n);
}

static void put_str(rt_buf *b, const char *s, unsigned n)
{
    size_t len = strlen(s);
    put_le(b, len, n);
    rt_buf_append(b, s, len);
}

void op_schema_history_encode(const op_schema_history *h, rt_buf *out)
{
    put_le(out, FORMAT_VERSION, 1);
    put_le(out, h->count, 4);
    for (size_t i = 0; i < h->count; i++) {
        const op_schema_table *e = &h->t[i];
        put_str(out, e->db, 2);
        put_str(out, e->name, 2);
        put_le(out, e->count, 4);
        for (size_t k = 0; k < e->count; k++) {
            const op_schema_version *v = &e->v[k];
            put_str(out, v->file, 2);
            put_le(out, v->offset, 8);
            put_le(out, v->dropped ? 1 : 0, 1);
            put_le(out, v->count, 4);
            for (size_t c = 0; c < v->count; c++) {
                put_str(out, v->cols[c].name, 2);
                put_str(out, v->cols[c].type, 4);
                put_le(out, (v->cols[c].nullable ? 1 : 0) | (v->cols[c].default_value ? 2 : 0), 1);
                put_le(out, v->cols[c].key_seq, 2);
                if (v->cols[c].default_value)
                    put_str(out, v->cols[c].default_value, 4);
            }
        }
    }
}

typedef struct dec {
    op_cursor c;
    rt_err *err;
    unsigned version;
} dec;

static int corrupt(dec *d, const char *what)
{
    return rt_err_set(d->err, RT_ECORRUPT, "schema history state: %s", what);
}

/* A uN-length string, NUL-terminated into a new allocation. */
static int get_str(dec *d, unsigned n, const char *what, char **out)
{
    uint64_t len;
    const uint8_t *p;
    if (!op_cursor_le(&d->c, n, &len) || !op_cursor_bytes(&d->c, (size_t)len, &p))
        return corrupt(d, what);
    if (memchr(p, '\0', (size_t)len))
        return corrupt(d, what);
    char *s = malloc((size_t)len + 1);
    if (!s)
        return rt_err_set(d->err, RT_ENOMEM, "schema history state: out of memory");
    memcpy(s, p, (size_t)len);
    s[len] = '\0';
    *out = s;
    return 0;
}

/* A u32 count of elements of at least min_size bytes each, bounded by the bytes left. */
static int get_count(dec *d, size_t min_size, const char *what, size_t *out)
{
    uint64_t n;
    if (!op_cursor_le(&d->c, 4, &n) || n > d->c.left / min_size)
        return corrupt(d, what);
    *out = (size_t)n;
    return 0;
}

static int get_version(dec *d, op_schema_version *v)
{
    uint64_t off, flags;
    int rc = get_str(d, 2, "truncated version", &v->file);
    if (rc)
        return rc;
    if (!op_cursor_le(&d->c, 8, &off) || !op_cursor_le(&d->c, 1, &flags) || flags > 1)
        return corrupt(d, "truncated version");
    v->offset = off;
    v->dropped = flags == 1;
    size_t n = 0;
    /* A column is at least 2 + 4 + 1 + 2 bytes. */
    if ((rc = get_count(d, 9, "column count beyond the end", &n)) != 0)
        return rc;
    v->cols = calloc(n ? n : 1, sizeof *v->cols);
    if (!v->cols)
        return rt_err_set(d->err, RT_ENOMEM, "schema history state: out of memory");
    v->cap = n;
    for (size_t i = 0; i < n; i++) {
        op_schema_column *c = &v->cols[i];
        uint64_t nullable, seq;
        if ((rc = get_str(d, 2, "truncated column", &c->name)) != 0 ||
            (rc = get_str(d, 4, "truncated column type", &c->type)) != 0) {
            v->count = i + 1;
            return rc;
        }
        v->count = i + 1;
        if (!op_cursor_le(&d->c, 1, &nullable) || nullable > (d->version >= 2 ? 3u : 1u) ||
            !op_cursor_le(&d->c, 2, &seq) || seq > n)
            return corrupt(d, "bad column flags");
        c->nullable = (nullable & 1) != 0;
        c->key_seq = (uint16_t)seq;
        if ((nullable & 2) &&
            (rc = get_str(d, 4, "truncated column default", &c->default_value)) != 0)
            return rc;
    }
    return 0;
}

static int get_table(dec *d, op_schema_history *h)
{
    char *db = NULL, *name = NULL;
    int rc = get_str(d, 2, "truncated table", &db);
    if (rc == 0)
        rc = get_str(d, 2, "truncated table", &name);
    if (rc == 0 && (!name[0] || op_schema_history_entry(h, db, name, false)))
        rc = corrupt(d, "empty or duplicate table name");
    op_schema_table *e = NULL;
    if (rc == 0 && !(e = op_schema_history_entry(h, db, name, true)))
        rc = rt_err_set(d->err, RT_ENOMEM, "schema history state: out of memory");
    free(db);
    free(name);
    size_t n = 0;
    /* A version is at least 2 + 8 + 1 + 4 bytes. */
    if (rc == 0)
        rc = get_count(d, 15, "version count beyond the end", &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        op_schema_version v;
        memset(&v, 0, sizeof v);
        rc = get_version(d, &v);
        if (rc == 0 && e->count) {
            const op_schema_version *last = &e->v[e->count - 1];
            op_schema_pos a = {last->file, last->offset}, b = {v.file, v.offset};
            if (op_schema_pos_compare(a, b) >= 0)
                rc = corrupt(d, "versions out of order");
        }
        if (rc == 0 && op_schema_table_push(e, &v) != 0)
            rc = rt_err_set(d->err, RT_ENOMEM, "schema history state: out of memory");
        op_schema_version_fini(&v);
    }
    return rc;
}

int op_schema_history_decode(const uint8_t *p, size_t len, op_schema_history **out, rt_err *err)
{
    dec d = {op_cursor_make(p, len), err, 0};
    uint8_t version;
    if (!op_cursor_u8(&d.c, &version))
        return corrupt(&d, "empty");
    d.version = version;
    if (version != 1 && version != FORMAT_VERSION)
        return rt_err_set(err, RT_ESTATE,
                          "schema history state: format version %u is not known to this build",
                          version);
    op_schema_history *h = op_schema_history_new();
    if (!h)
        return rt_err_set(err, RT_ENOMEM, "schema history state: out of memory");
    size_t n = 0;
    /* A table is at least 2 + 2 + 4 bytes. */
    int rc = get_count(&d, 8, "table count beyond the end", &n);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = get_table(&d, h);
    if (rc == 0 && d.c.left)
        rc = corrupt(&d, "trailing bytes");
    if (rc) {
        op_schema_history_free(h);
        return rc;
    }
    *out = h;
    return 0;
}
