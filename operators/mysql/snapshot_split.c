/* Snapshot splits: the split value (bounds, HIGH mark), its checkpoint codec, key order,
 * and the lazy splitter (Flink CDC's MySqlChunkSplitter: even steps for dense integer
 * keys, queried boundaries otherwise). */
#include "operators/mysql/snapshot_split.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operators/basic/sql_type.h"
#include "operators/mysql/byte_cursor.h"
#include "operators/mysql/snapshot_chunk.h"
#include "operators/mysql/text_value.h"
#include "runtime/batch.h"

struct op_snapshot_split {
    char *table;
    char *name; /* "db.table#index" */
    uint32_t index;
    size_t key_count;
    rt_value *start; /* NULL or key_count values; text in `text` */
    rt_value *end;
    char *text;
    void *high;
    size_t high_len;
};

static bool is_text_type(uint8_t t)
{
    return t == RT_TYPE_DECIMAL || t == RT_TYPE_STRING || t == RT_TYPE_BYTES || t == RT_TYPE_JSON;
}

static size_t key_text_size(const rt_value *k, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; k && i < n; i++)
        if (is_text_type(k[i].type))
            total += k[i].s.len;
    return total;
}

/* Copies n values into dst, their text into *text (advanced). */
static void copy_key(rt_value *dst, const rt_value *src, size_t n, char **text)
{
    for (size_t i = 0; i < n; i++) {
        dst[i] = src[i];
        if (is_text_type(src[i].type)) {
            if (src[i].s.len)
                memcpy(*text, src[i].s.ptr, src[i].s.len);
            dst[i].s.ptr = *text;
            *text += src[i].s.len;
        }
    }
}

int op_snapshot_split_new(const char *table_id, uint32_t index, size_t key_count,
                          const rt_value *start, const rt_value *end, op_snapshot_split **out,
                          rt_err *err)
{
    if (key_count == 0 || key_count > OP_MYSQL_MAX_KEY_COLUMNS)
        return rt_err_set(err, RT_EINVAL, "split of %s: %zu key columns (1..%d)", table_id,
                          key_count, OP_MYSQL_MAX_KEY_COLUMNS);
    op_snapshot_split *s = calloc(1, sizeof *s);
    size_t tl = key_text_size(start, key_count) + key_text_size(end, key_count);
    if (s) {
        s->table = strdup(table_id);
        size_t nl = strlen(table_id) + 16;
        s->name = malloc(nl);
        if (s->name)
            snprintf(s->name, nl, "%s#%u", table_id, (unsigned)index);
        s->text = malloc(tl + 1);
        if (start)
            s->start = calloc(key_count, sizeof *s->start);
        if (end)
            s->end = calloc(key_count, sizeof *s->end);
    }
    if (!s || !s->table || !s->name || !s->text || (start && !s->start) || (end && !s->end)) {
        op_snapshot_split_free(s);
        return rt_err_set(err, RT_ENOMEM, "split of %s: out of memory", table_id);
    }
    s->index = index;
    s->key_count = key_count;
    char *text = s->text;
    if (start)
        copy_key(s->start, start, key_count, &text);
    if (end)
        copy_key(s->end, end, key_count, &text);
    *out = s;
    return 0;
}

void op_snapshot_split_free(op_snapshot_split *s)
{
    if (!s)
        return;
    free(s->table);
    free(s->name);
    free(s->start);
    free(s->end);
    free(s->text);
    free(s->high);
    free(s);
}

const char *op_snapshot_split_table(const op_snapshot_split *s)
{
    return s->table;
}
uint32_t op_snapshot_split_index(const op_snapshot_split *s)
{
    return s->index;
}
size_t op_snapshot_split_key_count(const op_snapshot_split *s)
{
    return s->key_count;
}
const rt_value *op_snapshot_split_start(const op_snapshot_split *s)
{
    return s->start;
}
const rt_value *op_snapshot_split_end(const op_snapshot_split *s)
{
    return s->end;
}
const char *op_snapshot_split_name(const op_snapshot_split *s)
{
    return s->name;
}

int op_snapshot_split_set_high(op_snapshot_split *s, const void *high, size_t len, rt_err *err)
{
    void *copy = malloc(len ? len : 1);
    if (!copy)
        return rt_err_set(err, RT_ENOMEM, "split %s: out of memory", s->name);
    if (len)
        memcpy(copy, high, len);
    free(s->high);
    s->high = copy;
    s->high_len = len;
    return 0;
}

const void *op_snapshot_split_high(const op_snapshot_split *s, size_t *len)
{
    *len = s->high ? s->high_len : 0;
    return s->high;
}

/* ---- key order ---- */

static int cmp_u64(uint64_t a, uint64_t b)
{
    return a < b ? -1 : a > b;
}

static int cmp_int_mixed(const rt_value *a, const rt_value *b)
{
    if (a->type == RT_TYPE_INT && b->type == RT_TYPE_INT)
        return a->i < b->i ? -1 : a->i > b->i;
    if (a->type == RT_TYPE_UINT && b->type == RT_TYPE_UINT)
        return cmp_u64(a->u, b->u);
    if (a->type == RT_TYPE_INT) /* INT vs UINT */
        return a->i < 0 ? -1 : cmp_u64((uint64_t)a->i, b->u);
    return b->i < 0 ? 1 : cmp_u64(a->u, (uint64_t)b->i);
}

/* A DECIMAL text split into sign, integer digits (no leading zeros) and fraction digits. */
typedef struct dec_parts {
    bool neg;
    const char *ip, *fp;
    size_t il, fl;
} dec_parts;

static dec_parts dec_split(const rt_value *v)
{
    dec_parts d = {false, v->s.ptr, "", 0, 0};
    const char *p = v->s.ptr, *e = p + v->s.len;
    if (p < e && *p == '-') {
        d.neg = true;
        p++;
    }
    while (p < e && *p == '0')
        p++;
    d.ip = p;
    while (p < e && *p != '.')
        p++;
    d.il = (size_t)(p - d.ip);
    if (p < e) {
        d.fp = p + 1;
        d.fl = (size_t)(e - d.fp);
        while (d.fl && d.fp[d.fl - 1] == '0')
            d.fl--;
    }
    if (d.il == 0 && d.fl == 0)
        d.neg = false; /* -0.00 is 0 */
    return d;
}

static int cmp_decimal(const rt_value *a, const rt_value *b)
{
    dec_parts x = dec_split(a), y = dec_split(b);
    if (x.neg != y.neg)
        return x.neg ? -1 : 1;
    int mag = x.il != y.il ? (x.il < y.il ? -1 : 1) : memcmp(x.ip, y.ip, x.il);
    if (mag == 0) {
        size_t n = x.fl < y.fl ? x.fl : y.fl;
        mag = memcmp(x.fp, y.fp, n);
        if (mag == 0)
            mag = x.fl < y.fl ? -1 : x.fl > y.fl;
    }
    mag = mag < 0 ? -1 : mag > 0;
    return x.neg ? -mag : mag;
}

static int cmp_temporal(const rt_temporal *a, const rt_temporal *b, bool is_time)
{
    if (is_time && a->neg != b->neg)
        return a->neg ? -1 : 1;
    int64_t x = ((((int64_t)a->year * 13 + a->month) * 32 + a->day) * 24 * 60 * 60 +
                 ((int64_t)a->hour * 60 + a->minute) * 60 + a->second) *
                    1000000 +
                a->usec;
    int64_t y = ((((int64_t)b->year * 13 + b->month) * 32 + b->day) * 24 * 60 * 60 +
                 ((int64_t)b->hour * 60 + b->minute) * 60 + b->second) *
                    1000000 +
                b->usec;
    int c = x < y ? -1 : x > y;
    return is_time && a->neg ? -c : c;
}

static double as_double(const rt_value *v)
{
    return v->type == RT_TYPE_DOUBLE ? v->d : v->type == RT_TYPE_INT ? (double)v->i : (double)v->u;
}

int op_snapshot_value_compare(const rt_value *a, const rt_value *b)
{
    if (a->type == RT_TYPE_NULL || b->type == RT_TYPE_NULL)
        return (b->type == RT_TYPE_NULL) - (a->type == RT_TYPE_NULL);
    bool ai = a->type == RT_TYPE_INT || a->type == RT_TYPE_UINT;
    bool bi = b->type == RT_TYPE_INT || b->type == RT_TYPE_UINT;
    if (ai && bi)
        return cmp_int_mixed(a, b);
    if ((a->type == RT_TYPE_DOUBLE || ai) && (b->type == RT_TYPE_DOUBLE || bi)) {
        double x = as_double(a), y = as_double(b);
        return x < y ? -1 : x > y;
    }
    if (a->type != b->type) /* not comparable: one key column has one type */
        return a->type < b->type ? -1 : 1;
    switch (a->type) {
    case RT_TYPE_DECIMAL:
        return cmp_decimal(a, b);
    case RT_TYPE_DATE:
    case RT_TYPE_DATETIME:
        return cmp_temporal(&a->t, &b->t, false);
    case RT_TYPE_TIME:
        return cmp_temporal(&a->t, &b->t, true);
    default: { /* STRING, BYTES, JSON: byte order, see the header */
        size_t n = a->s.len < b->s.len ? a->s.len : b->s.len;
        int c = n ? memcmp(a->s.ptr, b->s.ptr, n) : 0;
        if (c)
            return c < 0 ? -1 : 1;
        return a->s.len < b->s.len ? -1 : a->s.len > b->s.len;
    }
    }
}

int op_snapshot_key_compare(const rt_value *a, const rt_value *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int c = op_snapshot_value_compare(&a[i], &b[i]);
        if (c)
            return c;
    }
    return 0;
}

bool op_snapshot_split_contains(const op_snapshot_split *s, const rt_value *key)
{
    if (s->start && op_snapshot_key_compare(key, s->start, s->key_count) <= 0)
        return false;
    if (s->end && op_snapshot_key_compare(key, s->end, s->key_count) > 0)
        return false;
    return true;
}

/* ---- codec (checkpoint state) ---- */

#define SPLIT_MAGIC 0x53 /* 'S' */
#define SPLIT_VERSION 1
#define F_START 1
#define F_END 2

static void put_le(rt_buf *out, uint64_t v, unsigned n)
{
    uint8_t b[8];
    for (unsigned i = 0; i < n; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    rt_buf_append(out, b, n);
}

static void put_value(rt_buf *out, const rt_value *v)
{
    put_le(out, v->type, 1);
    switch (v->type) {
    case RT_TYPE_INT:
    case RT_TYPE_UINT:
        put_le(out, v->u, 8);
        return;
    case RT_TYPE_DOUBLE: {
        uint64_t u;
        memcpy(&u, &v->d, sizeof u);
        put_le(out, u, 8);
        return;
    }
    case RT_TYPE_DATE:
    case RT_TYPE_TIME:
    case RT_TYPE_DATETIME:
        put_le(out, (uint16_t)v->t.year, 2);
        put_le(out, v->t.month, 1);
        put_le(out, v->t.day, 1);
        put_le(out, v->t.hour, 2);
        put_le(out, v->t.minute, 1);
        put_le(out, v->t.second, 1);
        put_le(out, v->t.neg, 1);
        put_le(out, v->t.usec, 4);
        return;
    case RT_TYPE_NULL:
        return;
    default:
        put_le(out, v->s.len, 4);
        rt_buf_append(out, v->s.ptr, v->s.len);
        return;
    }
}

void op_snapshot_split_format(const op_snapshot_split *s, rt_buf *out)
{
    put_le(out, SPLIT_MAGIC, 1);
    put_le(out, SPLIT_VERSION, 1);
    size_t tl = strlen(s->table);
    put_le(out, tl, 4);
    rt_buf_append(out, s->table, tl);
    put_le(out, s->index, 4);
    put_le(out, s->key_count, 1);
    put_le(out, (s->start ? F_START : 0) | (s->end ? F_END : 0), 1);
    for (size_t i = 0; s->start && i < s->key_count; i++)
        put_value(out, &s->start[i]);
    for (size_t i = 0; s->end && i < s->key_count; i++)
        put_value(out, &s->end[i]);
    put_le(out, s->high_len, 4);
    if (s->high_len)
        rt_buf_append(out, s->high, s->high_len);
}

static int truncated(const char *what, rt_err *err)
{
    return rt_err_set(err, RT_ECORRUPT, "snapshot split: truncated at %s", what);
}

/* A value whose text points into the input (copied by op_snapshot_split_new). */
static int get_value(op_cursor *c, rt_value *v, rt_err *err)
{
    uint8_t type;
    uint64_t u;
    memset(v, 0, sizeof *v);
    if (!op_cursor_u8(c, &type))
        return truncated("key value type", err);
    v->type = type;
    switch (type) {
    case RT_TYPE_NULL:
        return 0;
    case RT_TYPE_INT:
    case RT_TYPE_UINT:
    case RT_TYPE_DOUBLE:
        if (!op_cursor_le(c, 8, &u))
            return truncated("key value", err);
        v->u = u;
        return 0;
    case RT_TYPE_DATE:
    case RT_TYPE_TIME:
    case RT_TYPE_DATETIME: {
        const uint8_t *p;
        if (!op_cursor_bytes(c, 13, &p))
            return truncated("key temporal", err);
        v->t.year = (int16_t)(uint16_t)op_get_le(p, 2);
        v->t.month = p[2];
        v->t.day = p[3];
        v->t.hour = (uint16_t)op_get_le(p + 4, 2);
        v->t.minute = p[6];
        v->t.second = p[7];
        v->t.neg = p[8];
        v->t.usec = (uint32_t)op_get_le(p + 9, 4);
        if (v->t.month > 12 || v->t.day > 31 || v->t.hour > 838 || v->t.minute > 59 ||
            v->t.second > 59 || v->t.neg > 1 || v->t.usec > 999999)
            return rt_err_set(err, RT_ECORRUPT, "snapshot split: temporal key out of range");
        return 0;
    }
    case RT_TYPE_DECIMAL:
    case RT_TYPE_STRING:
    case RT_TYPE_BYTES:
    case RT_TYPE_JSON: {
        const uint8_t *p;
        if (!op_cursor_le(c, 4, &u))
            return truncated("key text length", err);
        if (!op_cursor_bytes(c, (size_t)u, &p))
            return truncated("key text", err);
        v->s.ptr = (const char *)p;
        v->s.len = (uint32_t)u;
        return 0;
    }
    default:
        return rt_err_set(err, RT_ECORRUPT, "snapshot split: unknown key value type %u", type);
    }
}

int op_snapshot_split_parse(const uint8_t *p, size_t len, op_snapshot_split **out, rt_err *err)
{
    op_cursor c = op_cursor_make(p, len);
    uint8_t magic, version, kc, flags;
    uint64_t tl, index, hl;
    const uint8_t *tp, *hp;
    if (!op_cursor_u8(&c, &magic) || !op_cursor_u8(&c, &version))
        return truncated("header", err);
    if (magic != SPLIT_MAGIC || version != SPLIT_VERSION)
        return rt_err_set(err, RT_ECORRUPT, "snapshot split: bad magic/version %u/%u", magic,
                          version);
    if (!op_cursor_le(&c, 4, &tl) || !op_cursor_bytes(&c, (size_t)tl, &tp))
        return truncated("table", err);
    if (tl == 0 || memchr(tp, 0, (size_t)tl))
        return rt_err_set(err, RT_ECORRUPT, "snapshot split: bad table name");
    if (!op_cursor_le(&c, 4, &index) || !op_cursor_u8(&c, &kc) || !op_cursor_u8(&c, &flags))
        return truncated("index", err);
    if (kc == 0 || kc > OP_MYSQL_MAX_KEY_COLUMNS || flags > (F_START | F_END))
        return rt_err_set(err, RT_ECORRUPT, "snapshot split: bad key count %u or flags %u", kc,
                          flags);
    rt_value keys[2][OP_MYSQL_MAX_KEY_COLUMNS];
    for (int k = 0; k < 2; k++) {
        if (!(flags & (k ? F_END : F_START)))
            continue;
        for (size_t i = 0; i < kc; i++) {
            int rc = get_value(&c, &keys[k][i], err);
            if (rc)
                return rc;
        }
    }
    if (!op_cursor_le(&c, 4, &hl) || !op_cursor_bytes(&c, (size_t)hl, &hp))
        return truncated("high mark", err);
    if (c.left)
        return rt_err_set(err, RT_ECORRUPT, "snapshot split: %zu bytes left over", c.left);
    char table[256];
    char *tname = tl < sizeof table ? table : malloc((size_t)tl + 1);
    if (!tname)
        return rt_err_set(err, RT_ENOMEM, "snapshot split: out of memory");
    memcpy(tname, tp, (size_t)tl);
    tname[tl] = '\0';
    op_snapshot_split *s = NULL;
    int rc = op_snapshot_split_new(tname, (uint32_t)index, kc, flags & F_START ? keys[0] : NULL,
                                   flags & F_END ? keys[1] : NULL, &s, err);
    if (tname != table)
        free(tname);
    if (rc == 0 && hl && (rc = op_snapshot_split_set_high(s, hp, (size_t)hl, err)) != 0)
        op_snapshot_split_free(s);
    if (rc == 0)
        *out = s;
    return rc;
}

size_t op_snapshot_key_columns(const op_mysql_table_info *info,
                               size_t cols[OP_MYSQL_MAX_KEY_COLUMNS])
{
    if (info->chunk_column_configured || info->key_count == 0) {
        cols[0] = info->chunk_column;
        return 1;
    }
    memcpy(cols, info->key_columns, info->key_count * sizeof cols[0]);
    return info->key_count;
}

/* ---- the splitter ---- */

bool op_snapshot_split_even_step(uint64_t span, uint64_t rows, const op_snapshot_split_options *o,
                                 uint64_t *step)
{
    double lower = o && o->even_factor_lower > 0 ? o->even_factor_lower : 0.05;
    double upper = o && o->even_factor_upper > 0 ? o->even_factor_upper : 1000.0;
    uint64_t chunk = o && o->chunk_size ? o->chunk_size : 8096;
    if (rows == 0) /* no estimate: Flink CDC treats the key as sparse */
        return false;
    double factor = (span ? (double)span : 18446744073709551616.0) / (double)rows;
    if (factor < lower || factor > upper)
        return false;
    double s = factor * (double)chunk;
    *step = s < 1 ? 1 : s >= 9.2e18 ? UINT64_C(9200000000000000000) : (uint64_t)s;
    return true;
}

enum { MODE_UNDECIDED, MODE_EVEN, MODE_LIMIT, MODE_DONE };

struct op_snapshot_splitter {
    const op_mysql_table_info *info;
    op_snapshot_split_options o;
    size_t key_count;
    size_t cols[OP_MYSQL_MAX_KEY_COLUMNS];
    op_sql_type types[OP_MYSQL_MAX_KEY_COLUMNS];
    size_t ntypes;
    int mode;
    uint32_t next_index;
    op_snapshot_split *last; /* owns the last boundary (its end); NULL before the first split */
    bool bounds_given, empty;
    rt_value min, max;
    uint64_t min_m, max_m, step;
};

/* Integer keys in an order-preserving unsigned space: INT's sign bit flipped, so that max - min
 * and min + step never overflow whatever the signedness. */
static uint64_t to_mapped(const rt_value *v)
{
    return v->type == RT_TYPE_UINT ? v->u : (uint64_t)v->i ^ (UINT64_C(1) << 63);
}

static rt_value from_mapped(uint64_t m, uint8_t type)
{
    rt_value v;
    memset(&v, 0, sizeof v);
    v.type = type;
    if (type == RT_TYPE_UINT)
        v.u = m;
    else
        v.i = (int64_t)(m ^ (UINT64_C(1) << 63));
    return v;
}

int op_snapshot_splitter_new(const op_mysql_table_info *info, const op_snapshot_split_options *o,
                             const op_snapshot_split *after, op_snapshot_splitter **out,
                             rt_err *err)
{
    op_snapshot_splitter *s = calloc(1, sizeof *s);
    if (!s)
        return rt_err_set(err, RT_ENOMEM, "splitter: out of memory");
    s->info = info;
    if (o)
        s->o = *o;
    if (!s->o.chunk_size)
        s->o.chunk_size = 8096;
    s->key_count = op_snapshot_key_columns(info, s->cols);
    const char *tname = rt_table_qualified(info->table);
    int rc = 0;
    for (size_t i = 0; i < s->key_count && rc == 0; i++) {
        const rt_column *col = rt_table_column(info->table, s->cols[i]);
        rc = op_sql_type_parse(col->sql_type ? col->sql_type : "", &s->types[i], err);
        if (rc) {
            rt_err_prefix(err, rc, "table %s key column '%s'", tname, col->name);
            break;
        }
        s->ntypes = i + 1;
        op_sql_kind k = s->types[i].kind;
        /* Spatial values have no order to split by (MySQL compares their bytes, SRID first). */
        if (k == OP_SQL_ENUM || k == OP_SQL_SET || k == OP_SQL_JSON || k == OP_SQL_FLOAT ||
            k == OP_SQL_DOUBLE || op_sql_type_is_spatial(&s->types[i]))
            rc = rt_err_set(err, RT_EUNSUPPORTED,
                            "table %s: key column '%s' (%s) cannot bound snapshot splits: set "
                            "chunk_key_column to another column",
                            tname, col->name, op_sql_kind_name(k));
    }
    if (rc == 0 && after) {
        if (op_snapshot_split_key_count(after) != s->key_count)
            rc = rt_err_set(err, RT_ESTATE,
                            "table %s: resumed split %s has %zu key values, the "
                            "key has %zu",
                            tname, op_snapshot_split_name(after),
                            op_snapshot_split_key_count(after), s->key_count);
        else if (!after->end)
            s->mode = MODE_DONE;
        else
            rc = op_snapshot_split_new(tname, after->index, s->key_count, NULL, after->end,
                                       &s->last, err);
        s->next_index = after->index + 1;
    }
    if (rc) {
        op_snapshot_splitter_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void op_snapshot_splitter_free(op_snapshot_splitter *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->ntypes; i++)
        op_sql_type_fini(&s->types[i]);
    op_snapshot_split_free(s->last);
    free(s);
}

void op_snapshot_splitter_set_bounds(op_snapshot_splitter *s, const rt_value *min,
                                     const rt_value *max)
{
    s->bounds_given = true;
    s->empty = !min || min->type == RT_TYPE_NULL;
    if (!s->empty) {
        s->min = *min;
        s->max = *max;
    }
}

bool op_snapshot_splitter_is_even(const op_snapshot_splitter *s)
{
    return s->step != 0;
}

/* The rows of a key query, parsed with the key's types. */
typedef struct key_rows {
    op_snapshot_splitter *s;
    rt_batch *scratch;
    rt_value vals[OP_MYSQL_MAX_KEY_COLUMNS][2]; /* [column][row] */
    size_t nrows;
} key_rows;

static int on_key_row(void *arg, size_t ncols, const char *const *values,
                      const unsigned long *lengths, rt_err *err)
{
    key_rows *k = arg;
    if (k->nrows >= 2 || ncols > OP_MYSQL_MAX_KEY_COLUMNS)
        return rt_err_set(err, RT_EINTERNAL, "key query: unexpected result shape");
    for (size_t i = 0; i < ncols; i++) {
        /* MIN/MAX (2 columns, one key) and boundaries (key_count columns, one row) alike */
        size_t t = ncols == k->s->key_count ? i : 0;
        const rt_column *col = rt_table_column(k->s->info->table, k->s->cols[t]);
        int rc =
            op_text_value_parse(&k->s->types[t], col->type, col->name, values[i],
                                values[i] ? lengths[i] : 0, k->scratch, &k->vals[i][k->nrows], err);
        if (rc)
            return rc;
    }
    k->nrows++;
    return 0;
}

static void append_from(op_snapshot_splitter *s, rt_buf *sql)
{
    rt_buf_append_str(sql, " FROM ");
    op_mysql_conn_quote_ident(rt_table_db(s->info->table), sql);
    rt_buf_append_char(sql, '.');
    op_mysql_conn_quote_ident(rt_table_name(s->info->table), sql);
}

static const char *key_name(const op_snapshot_splitter *s, size_t i)
{
    return rt_table_column(s->info->table, s->cols[i])->name;
}

static int query_bounds(op_snapshot_splitter *s, op_mysql_conn *c, rt_err *err)
{
    rt_buf sql;
    rt_buf_init(&sql);
    rt_buf_append_str(&sql, "SELECT MIN(");
    op_mysql_conn_quote_ident(key_name(s, 0), &sql);
    rt_buf_append_str(&sql, "), MAX(");
    op_mysql_conn_quote_ident(key_name(s, 0), &sql);
    rt_buf_append_char(&sql, ')');
    append_from(s, &sql);
    key_rows k = {.s = s, .scratch = rt_batch_new(NULL)};
    int rc = k.scratch ? op_mysql_conn_query(c, sql.data, on_key_row, &k, err)
                       : rt_err_set(err, RT_ENOMEM, "out of memory");
    if (rc == 0) {
        /* vals[column][row]: MIN in column 0, MAX in column 1 of the one row */
        s->empty = k.nrows == 0 || k.vals[0][0].type == RT_TYPE_NULL;
        s->min = k.vals[0][0];
        s->max = k.vals[1][0];
    }
    rt_batch_unref(k.scratch);
    rt_buf_fini(&sql);
    return rc;
}

/* The LIMIT strategy: the key chunk_size rows after the last boundary, or none (*found false). */
static int query_boundary(op_snapshot_splitter *s, op_mysql_conn *c, rt_batch *scratch,
                          rt_value *end, bool *found, rt_err *err)
{
    const char *names[OP_MYSQL_MAX_KEY_COLUMNS];
    for (size_t i = 0; i < s->key_count; i++)
        names[i] = key_name(s, i);
    rt_buf sql;
    rt_buf_init(&sql);
    rt_buf_append_str(&sql, "SELECT ");
    for (size_t i = 0; i < s->key_count; i++) {
        if (i)
            rt_buf_append_char(&sql, ',');
        op_mysql_conn_quote_ident(names[i], &sql);
    }
    append_from(s, &sql);
    rt_buf_append_str(&sql, " WHERE ");
    if (s->last) {
        op_snapshot_key_format_sql(names, NULL, s->key_count, c, &sql);
        rt_buf_append_str(&sql, " > ");
        op_snapshot_key_format_sql(names, s->last->end, s->key_count, c, &sql);
    } else {
        /* NULL keys stay in the first split (see op_snapshot_split_format_where): a NULL
         * boundary could bound nothing. */
        op_mysql_conn_quote_ident(names[0], &sql);
        rt_buf_append_str(&sql, " IS NOT NULL");
    }
    rt_buf_append_str(&sql, " ORDER BY ");
    for (size_t i = 0; i < s->key_count; i++) {
        if (i)
            rt_buf_append_char(&sql, ',');
        op_mysql_conn_quote_ident(names[i], &sql);
    }
    rt_buf_appendf(&sql, " LIMIT 1 OFFSET %llu", (unsigned long long)(s->o.chunk_size - 1));
    key_rows k = {.s = s, .scratch = scratch};
    int rc = op_mysql_conn_query(c, sql.data, on_key_row, &k, err);
    rt_buf_fini(&sql);
    if (rc)
        return rc;
    *found = k.nrows == 1;
    for (size_t i = 0; *found && i < s->key_count; i++)
        end[i] = k.vals[i][0];
    return 0;
}

static int decide(op_snapshot_splitter *s, op_mysql_conn *c, rt_err *err)
{
    s->mode = MODE_LIMIT;
    uint8_t t = (uint8_t)rt_table_column(s->info->table, s->cols[0])->type;
    if (s->key_count != 1 || (t != RT_TYPE_INT && t != RT_TYPE_UINT))
        return 0;
    if (!s->bounds_given) {
        int rc = query_bounds(s, c, err);
        if (rc)
            return rc;
    }
    if (s->empty) {
        s->mode = MODE_EVEN; /* one split, open at both ends (or after the resumed one) */
        s->min_m = s->max_m = 0;
        s->step = 1;
        return 0;
    }
    s->min_m = to_mapped(&s->min);
    s->max_m = to_mapped(&s->max);
    if (s->max_m < s->min_m)
        return rt_err_set(err, RT_ECORRUPT, "table %s: MIN(%s) > MAX(%s)",
                          rt_table_qualified(s->info->table), key_name(s, 0), key_name(s, 0));
    if (op_snapshot_split_even_step(s->max_m - s->min_m + 1, s->info->row_estimate, &s->o,
                                    &s->step))
        s->mode = MODE_EVEN;
    return 0;
}

int op_snapshot_splitter_next(op_snapshot_splitter *s, op_mysql_conn *c, op_snapshot_split **out,
                              rt_err *err)
{
    int rc = 0;
    if (s->mode == MODE_UNDECIDED && (rc = decide(s, c, err)) != 0)
        return rt_err_prefix(err, rc, "split table %s", rt_table_qualified(s->info->table));
    if (s->mode == MODE_DONE) {
        *out = NULL;
        return 0;
    }
    rt_value end[OP_MYSQL_MAX_KEY_COLUMNS];
    bool has_end = false;
    rt_batch *scratch = NULL;
    if (s->mode == MODE_EVEN && !s->empty) {
        uint8_t t = (uint8_t)rt_table_column(s->info->table, s->cols[0])->type;
        uint64_t e;
        if (!s->last) {
            has_end = s->step - 1 < s->max_m - s->min_m;
            e = s->min_m + (s->step - 1);
        } else {
            uint64_t last = to_mapped(&s->last->end[0]);
            has_end = last < s->max_m && s->step < s->max_m - last;
            e = last + s->step;
        }
        if (has_end)
            end[0] = from_mapped(e, t);
    } else if (s->mode == MODE_LIMIT) {
        scratch = rt_batch_new(NULL);
        rc = scratch ? query_boundary(s, c, scratch, end, &has_end, err)
                     : rt_err_set(err, RT_ENOMEM, "out of memory");
    }
    const char *tname = rt_table_qualified(s->info->table);
    op_snapshot_split *split = NULL, *last = NULL;
    if (rc == 0)
        rc =
            op_snapshot_split_new(tname, s->next_index, s->key_count, s->last ? s->last->end : NULL,
                                  has_end ? end : NULL, &split, err);
    if (rc == 0 && has_end &&
        (rc = op_snapshot_split_new(tname, s->next_index, s->key_count, NULL, end, &last, err)))
        op_snapshot_split_free(split);
    rt_batch_unref(scratch);
    if (rc)
        return rt_err_prefix(err, rc, "split table %s", tname);
    op_snapshot_split_free(s->last);
    s->last = last;
    s->next_index++;
    if (!has_end)
        s->mode = MODE_DONE;
    *out = split;
    return 0;
}
