/* row_format: records -> Stream Load rows (JSON lines or CSV) with __op (notes §3, §7.1, §7.2).
 * The column plan (which source columns go out, under which names) is built once per source
 * table, so the per-record loop only walks values. */
#include "operators/starrocks/row_format.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct op_sr_row_format {
    op_sr_row_format_options o;
    const rt_table *table;
    char *target;
    size_t *cols; /* source column indexes written, in order */
    size_t count;
    size_t dropped;
    size_t *keys; /* source column indexes of the target's key columns (primary-key tables) */
    size_t key_count;
    bool op_column; /* append_changes: the `op` column after the data columns */
    bool op_flag;   /* primary key: __op last */
    char *columns;  /* the `columns` header */
    rt_buf tmp;     /* scratch text of one value */
};

const char *op_sr_format_name(op_sr_format f)
{
    return f == OP_SR_FORMAT_CSV ? "csv" : "json";
}

void op_sr_row_format_free(op_sr_row_format *f)
{
    if (!f)
        return;
    free(f->target);
    free(f->cols);
    free(f->keys);
    free(f->columns);
    rt_buf_fini(&f->tmp);
    free(f);
}

const rt_table *op_sr_row_format_table(const op_sr_row_format *f)
{
    return f->table;
}

const char *op_sr_row_format_columns(const op_sr_row_format *f)
{
    return f->columns;
}

size_t op_sr_row_format_dropped_count(const op_sr_row_format *f)
{
    return f->dropped;
}

int op_sr_row_format_new(const op_sr_row_format_options *o, const rt_table *t,
                         const op_sr_table_meta *meta, const char *target, op_sr_row_format **out,
                         rt_err *err)
{
    op_sr_row_format *f = calloc(1, sizeof *f);
    size_t n = rt_table_column_count(t);
    if (!f || !(f->cols = calloc(n ? n : 1, sizeof *f->cols)) ||
        !(f->keys = calloc(n ? n : 1, sizeof *f->keys)) || !(f->target = strdup(target))) {
        op_sr_row_format_free(f);
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    }
    f->o = *o;
    f->table = t;
    rt_buf_init(&f->tmp);
    f->op_flag = o->model == OP_SR_MODEL_PRIMARY_KEY;
    f->op_column = !f->op_flag && o->append_changes;
    int rc = 0;
    rt_buf cols;
    rt_buf_init(&cols);
    for (size_t i = 0; i < n; i++) {
        const char *name = rt_table_column(t, i)->name;
        bool reserved = strcmp(name, "__op") == 0 || (f->op_column && strcasecmp(name, "op") == 0);
        if (reserved || (meta && op_sr_table_meta_column_index(meta, name) < 0)) {
            f->dropped++;
            continue;
        }
        f->cols[f->count++] = i;
        if (cols.len)
            rt_buf_append_char(&cols, ',');
        rt_buf_append_str(&cols, name);
    }
    /* A primary-key row without its whole key cannot be upserted or deleted (notes §3). */
    for (size_t i = 0; meta && f->op_flag && i < op_sr_table_meta_column_count(meta); i++) {
        const char *key = op_sr_table_meta_column_name(meta, i);
        if (!op_sr_table_meta_column_is_key(meta, i))
            continue;
        long at = rt_table_column_index(t, key);
        if (at < 0) {
            rc = rt_err_set(err, RT_EINVAL,
                            "%s: the rows of %s lack the primary-key column '%s' of the target",
                            target, rt_table_qualified(t), key);
            break;
        }
        if (f->key_count < n)
            f->keys[f->key_count++] = (size_t)at;
    }
    for (size_t i = 0; !meta && f->op_flag && i < rt_table_pk_count(t) && i < n; i++)
        f->keys[f->key_count++] = rt_table_pk_column(t, i);
    if (rc == 0 && f->op_column && meta && op_sr_table_meta_column_index(meta, "op") < 0)
        rc = rt_err_set(err, RT_EINVAL,
                        "%s: append_changes needs a column `op` (VARCHAR) in the target table",
                        target);
    if (rc == 0 && f->count == 0)
        rc = rt_err_set(err, RT_EINVAL, "%s: no column of %s is in the target table", target,
                        rt_table_qualified(t));
    if (rc != 0) {
        rt_buf_fini(&cols);
        op_sr_row_format_free(f);
        return rc;
    }
    if (f->op_column)
        rt_buf_append_str(&cols, ",op");
    if (f->op_flag)
        rt_buf_append_str(&cols, ",__op");
    f->columns = rt_buf_take(&cols);
    *out = f;
    return 0;
}

/* True when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF). */
static bool utf8_valid(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (len - i <= n)
            return false;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += n + 1;
    }
    return true;
}

/* The value as plain text (no quoting) in f->tmp, for CSV and for JSON strings. */
static void value_text(op_sr_row_format *f, const rt_value *v, const char **ptr, size_t *len)
{
    switch ((rt_type)v->type) {
    case RT_TYPE_DECIMAL:
    case RT_TYPE_STRING:
    case RT_TYPE_BYTES:
    case RT_TYPE_JSON:
        *ptr = v->s.ptr;
        *len = v->s.len;
        return;
    case RT_TYPE_INT:
        rt_buf_reset(&f->tmp);
        rt_buf_append_i64(&f->tmp, v->i);
        break;
    case RT_TYPE_UINT:
        rt_buf_reset(&f->tmp);
        rt_buf_append_u64(&f->tmp, v->u);
        break;
    default: {
        /* DOUBLE, DATE, TIME, DATETIME: the changelog's exact forms, without JSON quotes. */
        rt_buf_reset(&f->tmp);
        rt_value_format_json(v, &f->tmp);
        if (f->tmp.len >= 2 && f->tmp.data[0] == '"') {
            *ptr = f->tmp.data + 1;
            *len = f->tmp.len - 2;
            return;
        }
        break;
    }
    }
    *ptr = f->tmp.data;
    *len = f->tmp.len;
}

static int json_value(op_sr_row_format *f, size_t col, const rt_value *v, rt_buf *out, rt_err *err)
{
    switch ((rt_type)v->type) {
    case RT_TYPE_NULL:
        rt_buf_append_str(out, "null");
        return 0;
    case RT_TYPE_INT:
        rt_buf_append_i64(out, v->i);
        return 0;
    case RT_TYPE_UINT:
        /* Beyond INT64_MAX a LARGEINT: digits in a string, which no parser rounds. */
        if (v->u > (uint64_t)INT64_MAX)
            rt_buf_append_char(out, '"');
        rt_buf_append_u64(out, v->u);
        if (v->u > (uint64_t)INT64_MAX)
            rt_buf_append_char(out, '"');
        return 0;
    case RT_TYPE_DECIMAL:
    case RT_TYPE_STRING:
        rt_buf_append_json_str(out, v->s.ptr, v->s.len);
        return 0;
    case RT_TYPE_BYTES:
        if (!utf8_valid((const unsigned char *)v->s.ptr, v->s.len))
            return rt_err_set(err, RT_EINVAL,
                              "%s: column '%s': binary value of %u bytes is not UTF-8 and a JSON "
                              "body cannot carry it exactly; use \"format\": \"csv\"",
                              f->target, rt_table_column(f->table, col)->name, v->s.len);
        rt_buf_append_json_str(out, v->s.ptr, v->s.len);
        return 0;
    case RT_TYPE_JSON:
        if (v->s.len == 0)
            rt_buf_append_str(out, "null");
        else
            rt_buf_append(out, v->s.ptr, v->s.len);
        return 0;
    default:
        rt_value_format_json(v, out); /* DOUBLE, DATE, TIME, DATETIME */
        return 0;
    }
}

static void csv_field(op_sr_row_format *f, const rt_value *v, rt_buf *out)
{
    if (v->type == RT_TYPE_NULL) {
        rt_buf_append_str(out, "\\N");
        return;
    }
    const char *p;
    size_t len;
    value_text(f, v, &p, &len);
    bool enclose = false;
    for (size_t i = 0; i < len && !enclose; i++)
        enclose = p[i] == '\t' || p[i] == '\n' || p[i] == '\r' || p[i] == '"' || p[i] == '\\';
    if (!enclose) {
        rt_buf_append(out, p, len);
        return;
    }
    rt_buf_append_char(out, '"');
    size_t from = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] != '"' && p[i] != '\\')
            continue;
        rt_buf_append(out, p + from, i - from);
        rt_buf_append_char(out, '\\');
        from = i;
    }
    rt_buf_append(out, p + from, len - from);
    rt_buf_append_char(out, '"');
}

bool op_sr_row_format_same_key(const op_sr_row_format *f, const rt_record *a, const rt_record *b)
{
    if (a->table != b->table)
        return false;
    for (size_t i = 0; i < f->key_count; i++)
        if (!rt_value_equal(&a->values[f->keys[i]], &b->values[f->keys[i]]))
            return false;
    return true;
}

static int append_row(op_sr_row_format *f, const rt_record *r, bool as_delete, rt_buf *out,
                      bool *written, rt_err *err)
{
    rt_rowkind kind = (rt_rowkind)r->kind;
    int op = 0;
    if (f->op_flag) {
        if (kind == RT_ROW_UPDATE_BEFORE && !as_delete) {
            *written = false;
            return 0;
        }
        op = kind == RT_ROW_DELETE || as_delete ? 1 : 0;
    } else if (kind != RT_ROW_INSERT && !f->op_column) {
        return rt_err_set(err, RT_EINVAL,
                          "%s is a %s table, which takes only inserts, but %s sent a %s change; "
                          "use a PRIMARY KEY table, or set \"append_changes\": true and add a "
                          "VARCHAR column `op` to keep every change as a row",
                          f->target, op_sr_table_model_name(f->o.model),
                          rt_table_qualified(f->table), rt_rowkind_name(kind));
    }
    size_t mark = out->len;
    if (f->o.format == OP_SR_FORMAT_JSON) {
        rt_buf_append_char(out, '{');
        for (size_t i = 0; i < f->count; i++) {
            size_t c = f->cols[i];
            if (i)
                rt_buf_append_char(out, ',');
            const char *name = rt_table_column(f->table, c)->name;
            rt_buf_append_json_str(out, name, strlen(name));
            rt_buf_append_char(out, ':');
            int rc = json_value(f, c, &r->values[c], out, err);
            if (rc != 0) {
                out->len = mark;
                if (out->data)
                    out->data[mark] = '\0';
                return rc;
            }
        }
        if (f->op_column) {
            rt_buf_append_str(out, ",\"op\":\"");
            rt_buf_append_str(out, rt_rowkind_name(kind));
            rt_buf_append_char(out, '"');
        }
        if (f->op_flag)
            rt_buf_append_str(out, op ? ",\"__op\":1" : ",\"__op\":0");
        rt_buf_append_str(out, "}\n");
    } else {
        for (size_t i = 0; i < f->count; i++) {
            if (i)
                rt_buf_append_char(out, '\t');
            csv_field(f, &r->values[f->cols[i]], out);
        }
        if (f->op_column) {
            rt_buf_append_char(out, '\t');
            rt_buf_append_str(out, rt_rowkind_name(kind));
        }
        if (f->op_flag)
            rt_buf_append_str(out, op ? "\t1" : "\t0");
        rt_buf_append_char(out, '\n');
    }
    *written = true;
    return 0;
}

int op_sr_row_format_append(op_sr_row_format *f, const rt_record *r, rt_buf *out, bool *written,
                            rt_err *err)
{
    return append_row(f, r, false, out, written, err);
}

int op_sr_row_format_append_delete(op_sr_row_format *f, const rt_record *r, rt_buf *out,
                                   rt_err *err)
{
    bool written = false;
    if (!f->op_flag)
        return 0;
    return append_row(f, r, true, out, &written, err);
}
