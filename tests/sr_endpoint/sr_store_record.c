/* sr_store_record: table definitions and batches (sr_store.h), and their JSON form in the
 * store's operation log: values that are valid UTF-8 as strings, other bytes as {"b":base64}. */
#include "tests/sr_endpoint/sr_store_int.h"

#include <stdio.h>
#include <strings.h>

#include "runtime/base/buf.h"

/* ---- defs ---- */

const char *sr_model_name(sr_model m)
{
    return m == SR_MODEL_PRIMARY_KEY ? "PRIMARY KEY" : "DUPLICATE KEY";
}

void sr_column_def_fini(sr_column_def *c)
{
    free(c->name);
    free(c->default_text);
    free(c->comment);
    memset(c, 0, sizeof(*c));
}

void sr_column_def_copy(sr_column_def *out, const sr_column_def *c)
{
    *out = *c;
    out->name = xstrdup(c->name);
    out->default_text = xstrdup(c->default_text);
    out->comment = xstrdup(c->comment);
}

static char **names_copy(char **names, size_t n)
{
    char **o = xcalloc(n, sizeof(char *));
    for (size_t i = 0; i < n; i++)
        o[i] = xstrdup(names[i]);
    return o;
}

static void names_free_n(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

void sr_table_def_fini(sr_table_def *d)
{
    free(d->name);
    for (size_t i = 0; d->columns && i < d->column_count; i++)
        sr_column_def_fini(&d->columns[i]);
    free(d->columns);
    names_free_n(d->key_columns, d->key_count);
    names_free_n(d->distributed_by, d->distributed_count);
    free(d->comment);
    names_free_n(d->prop_keys, d->prop_count);
    names_free_n(d->prop_values, d->prop_count);
    memset(d, 0, sizeof(*d));
}

void sr_table_def_copy(sr_table_def *out, const sr_table_def *d)
{
    *out = *d;
    out->name = xstrdup(d->name);
    out->columns = xcalloc(d->column_count, sizeof(sr_column_def));
    for (size_t i = 0; i < d->column_count; i++)
        sr_column_def_copy(&out->columns[i], &d->columns[i]);
    out->key_columns = names_copy(d->key_columns, d->key_count);
    out->distributed_by = names_copy(d->distributed_by, d->distributed_count);
    out->comment = xstrdup(d->comment);
    out->prop_keys = names_copy(d->prop_keys, d->prop_count);
    out->prop_values = names_copy(d->prop_values, d->prop_count);
}

int sr_table_def_find(const sr_table_def *d, const char *name)
{
    for (size_t i = 0; i < d->column_count; i++)
        if (strcasecmp(d->columns[i].name, name) == 0)
            return (int)i;
    return -1;
}

int sr_store_check_default(const sr_column_def *c, rt_err *err)
{
    if (!c->default_text)
        return 0;
    sr_value v;
    rt_err e;
    if (sr_value_convert(&c->type, c->name, c->default_text, strlen(c->default_text), &v, &e))
        return rt_err_set(err, RT_EINVAL, "Invalid default value for '%s': %s", c->name, e.msg);
    sr_value_fini(&v);
    return 0;
}

int sr_table_def_validate(const sr_table_def *d, rt_err *err)
{
    if (!d->name || !*d->name)
        return rt_err_set(err, RT_EINVAL, "No table name");
    if (d->column_count == 0)
        return rt_err_set(err, RT_EINVAL, "Table '%s' has no columns", d->name);
    for (size_t i = 0; i < d->column_count; i++) {
        if (!d->columns[i].name || !*d->columns[i].name)
            return rt_err_set(err, RT_EINVAL, "Empty column name");
        for (size_t j = 0; j < i; j++)
            if (strcasecmp(d->columns[i].name, d->columns[j].name) == 0)
                return rt_err_set(err, RT_EINVAL, "Duplicate column name '%s'", d->columns[i].name);
        if (sr_store_check_default(&d->columns[i], err))
            return RT_EINVAL;
    }
    if (d->key_count == 0 || d->key_count > d->column_count)
        return rt_err_set(err, RT_EINVAL, "Key columns should be a ordered prefix of the schema.");
    for (size_t k = 0; k < d->key_count; k++) {
        const sr_column_def *c = &d->columns[k];
        if (strcasecmp(c->name, d->key_columns[k]) != 0)
            return rt_err_set(err, RT_EINVAL, "Key columns should be a ordered prefix of the schema.");
        if (d->model == SR_MODEL_PRIMARY_KEY) {
            if (c->nullable)
                return rt_err_set(err, RT_EINVAL, "primary key column[%s] cannot be nullable", c->name);
            if (!sr_type_is_key_allowed(&c->type)) {
                char tn[64];
                sr_type_format(&c->type, tn, sizeof(tn));
                return rt_err_set(err, RT_EINVAL, "primary key column[%s] type not supported: %s",
                                  c->name, tn);
            }
        } else if (c->type.kind == SR_TYPE_FLOAT || c->type.kind == SR_TYPE_DOUBLE ||
                   c->type.kind == SR_TYPE_JSON) {
            return rt_err_set(err, RT_EINVAL, "Invalid key column '%s': type not supported", c->name);
        }
    }
    for (size_t i = 0; i < d->distributed_count; i++) {
        int idx = sr_table_def_find(d, d->distributed_by[i]);
        if (idx < 0)
            return rt_err_set(err, RT_EINVAL, "Distribution column(%s) doesn't exist.",
                              d->distributed_by[i]);
        if (d->model == SR_MODEL_PRIMARY_KEY && (size_t)idx >= d->key_count)
            return rt_err_set(err, RT_EINVAL,
                              "Distribution column[%s] is not key column", d->distributed_by[i]);
    }
    return 0;
}

/* ---- batches ---- */

sr_batch *sr_batch_new(const sr_table_def *d)
{
    sr_batch *b = xcalloc(1, sizeof(*b));
    b->ncols = d->column_count;
    b->cols = xcalloc(b->ncols, sizeof(char *));
    for (size_t i = 0; i < b->ncols; i++)
        b->cols[i] = xstrdup(d->columns[i].name);
    return b;
}

static sr_batch *batch_new_names(char **cols, size_t n)
{
    sr_batch *b = xcalloc(1, sizeof(*b));
    b->ncols = n;
    b->cols = names_copy(cols, n);
    return b;
}

void sr_batch_free(sr_batch *b)
{
    if (!b)
        return;
    for (size_t r = 0; r < b->count; r++) {
        for (size_t c = 0; c < b->ncols; c++)
            sr_value_fini(&b->rows[r].v[c]);
        free(b->rows[r].v);
    }
    free(b->rows);
    names_free_n(b->cols, b->ncols);
    free(b);
}

void sr_batch_add(sr_batch *b, sr_row_op op, sr_value *values)
{
    if (b->count == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->rows = xrealloc(b->rows, b->cap * sizeof(struct brow));
    }
    sr_value *v = xcalloc(b->ncols, sizeof(sr_value));
    for (size_t c = 0; c < b->ncols; c++) {
        v[c] = values[c];
        values[c] = (sr_value){.kind = SR_VALUE_NULL};
    }
    b->rows[b->count++] = (struct brow){.op = op, .v = v};
}

size_t sr_batch_row_count(const sr_batch *b) { return b->count; }
size_t sr_batch_column_count(const sr_batch *b) { return b->ncols; }

int sr_batch_append(sr_batch *dst, sr_batch *src, rt_err *err)
{
    if (dst->ncols != src->ncols)
        return rt_err_set(err, RT_EINVAL, "batch columns differ");
    for (size_t c = 0; c < dst->ncols; c++)
        if (strcasecmp(dst->cols[c], src->cols[c]) != 0)
            return rt_err_set(err, RT_EINVAL, "batch columns differ");
    for (size_t r = 0; r < src->count; r++) {
        if (dst->count == dst->cap) {
            dst->cap = dst->cap ? dst->cap * 2 : 16;
            dst->rows = xrealloc(dst->rows, dst->cap * sizeof(struct brow));
        }
        dst->rows[dst->count++] = src->rows[r];
    }
    src->count = 0;
    return 0;
}

/* ---- value <-> JSON (log records): text that is valid UTF-8 as a string, else {"b":base64} ---- */

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static json_t *value_to_json(const sr_value *v)
{
    if (v->kind == SR_VALUE_NULL)
        return json_null();
    if (v->kind == SR_VALUE_ABSENT)
        return json_false();
    json_t *s = json_stringn(v->data, v->len);
    if (s)
        return s;
    rt_buf b;
    rt_buf_init(&b);
    rt_buf_append_base64(&b, v->data, v->len);
    json_t *o = json_pack("{s:s}", "b", b.data ? b.data : "");
    rt_buf_fini(&b);
    return o;
}

static int b64val(char c)
{
    const char *p = strchr(b64chars, c);
    return c && p ? (int)(p - b64chars) : -1;
}

static int value_from_json(json_t *j, sr_value *out)
{
    if (json_is_null(j)) {
        *out = (sr_value){.kind = SR_VALUE_NULL};
        return 0;
    }
    if (json_is_false(j)) {
        *out = (sr_value){.kind = SR_VALUE_ABSENT};
        return 0;
    }
    if (json_is_string(j)) {
        *out = sr_value_text(json_string_value(j), json_string_length(j));
        return 0;
    }
    const char *s = json_string_value(json_object_get(j, "b"));
    if (!s)
        return RT_ECORRUPT;
    size_t n = strlen(s);
    char *d = xcalloc(n / 4 * 3 + 3, 1);
    size_t o = 0;
    for (size_t i = 0; i + 4 <= n; i += 4) {
        int a = b64val(s[i]), b = b64val(s[i + 1]), c = s[i + 2] == '=' ? 0 : b64val(s[i + 2]),
            e = s[i + 3] == '=' ? 0 : b64val(s[i + 3]);
        if (a < 0 || b < 0 || c < 0 || e < 0) {
            free(d);
            return RT_ECORRUPT;
        }
        uint32_t w = (uint32_t)(a << 18 | b << 12 | c << 6 | e);
        d[o++] = (char)(w >> 16);
        if (s[i + 2] != '=')
            d[o++] = (char)(w >> 8);
        if (s[i + 3] != '=')
            d[o++] = (char)w;
    }
    *out = (sr_value){.kind = SR_VALUE_TEXT, .data = d, .len = o};
    d[o] = '\0';
    return 0;
}

static json_t *names_to_json(char **names, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(names[i]));
    return a;
}

static char **names_from_json(json_t *a, size_t *n)
{
    *n = json_array_size(a);
    char **o = xcalloc(*n, sizeof(char *));
    for (size_t i = 0; i < *n; i++)
        o[i] = xstrdup(json_string_value(json_array_get(a, i)) ? json_string_value(json_array_get(a, i)) : "");
    return o;
}

json_t *sr_store_column_to_json(const sr_column_def *c)
{
    json_t *o = json_pack("{s:s,s:s,s:i,s:i,s:i,s:b,s:b}", "name", c->name, "kind",
                          sr_type_kind_name(c->type.kind), "len", c->type.len, "p",
                          c->type.precision, "s", c->type.scale, "null", c->nullable, "cts",
                          c->default_is_current_timestamp);
    if (c->default_text)
        json_object_set_new(o, "default", json_string(c->default_text));
    if (c->comment)
        json_object_set_new(o, "comment", json_string(c->comment));
    return o;
}

int sr_store_column_from_json(json_t *o, sr_column_def *c)
{
    memset(c, 0, sizeof(*c));
    const char *name = json_string_value(json_object_get(o, "name"));
    const char *kind = json_string_value(json_object_get(o, "kind"));
    if (!name || !kind)
        return RT_ECORRUPT;
    int k = -1;
    for (int i = 0; i <= SR_TYPE_BINARY; i++)
        if (strcmp(sr_type_kind_name((sr_type_kind)i), kind) == 0)
            k = i;
    if (k < 0)
        return RT_ECORRUPT;
    c->name = xstrdup(name);
    c->type.kind = (sr_type_kind)k;
    c->type.len = (int)json_integer_value(json_object_get(o, "len"));
    c->type.precision = (int)json_integer_value(json_object_get(o, "p"));
    c->type.scale = (int)json_integer_value(json_object_get(o, "s"));
    c->nullable = json_is_true(json_object_get(o, "null"));
    c->default_is_current_timestamp = json_is_true(json_object_get(o, "cts"));
    c->default_text = xstrdup(json_string_value(json_object_get(o, "default")));
    c->comment = xstrdup(json_string_value(json_object_get(o, "comment")));
    return 0;
}

json_t *sr_store_def_to_json(const sr_table_def *d)
{
    json_t *cols = json_array();
    for (size_t i = 0; i < d->column_count; i++)
        json_array_append_new(cols, sr_store_column_to_json(&d->columns[i]));
    json_t *o = json_pack("{s:s,s:o,s:i,s:o,s:o,s:i,s:o,s:o}", "name", d->name, "columns", cols,
                          "model", (int)d->model, "keys", names_to_json(d->key_columns, d->key_count),
                          "dist", names_to_json(d->distributed_by, d->distributed_count), "buckets",
                          d->buckets, "pk", names_to_json(d->prop_keys, d->prop_count), "pv",
                          names_to_json(d->prop_values, d->prop_count));
    if (d->comment)
        json_object_set_new(o, "comment", json_string(d->comment));
    return o;
}

int sr_store_def_from_json(json_t *o, sr_table_def *d)
{
    memset(d, 0, sizeof(*d));
    const char *name = json_string_value(json_object_get(o, "name"));
    json_t *cols = json_object_get(o, "columns");
    if (!name || !json_is_array(cols))
        return RT_ECORRUPT;
    d->name = xstrdup(name);
    d->column_count = json_array_size(cols);
    d->columns = xcalloc(d->column_count, sizeof(sr_column_def));
    for (size_t i = 0; i < d->column_count; i++)
        if (sr_store_column_from_json(json_array_get(cols, i), &d->columns[i]))
            return RT_ECORRUPT;
    d->model = (sr_model)json_integer_value(json_object_get(o, "model"));
    d->key_columns = names_from_json(json_object_get(o, "keys"), &d->key_count);
    d->distributed_by = names_from_json(json_object_get(o, "dist"), &d->distributed_count);
    d->buckets = (int)json_integer_value(json_object_get(o, "buckets"));
    d->prop_keys = names_from_json(json_object_get(o, "pk"), &d->prop_count);
    size_t nv;
    d->prop_values = names_from_json(json_object_get(o, "pv"), &nv);
    if (nv != d->prop_count)
        return RT_ECORRUPT;
    d->comment = xstrdup(json_string_value(json_object_get(o, "comment")));
    return 0;
}

json_t *sr_store_batch_to_json(const sr_batch *b)
{
    json_t *rows = json_array();
    for (size_t r = 0; r < b->count; r++) {
        json_t *a = json_array();
        json_array_append_new(a, json_integer(b->rows[r].op));
        for (size_t c = 0; c < b->ncols; c++)
            json_array_append_new(a, value_to_json(&b->rows[r].v[c]));
        json_array_append_new(rows, a);
    }
    return json_pack("{s:o,s:o}", "cols", names_to_json(b->cols, b->ncols), "rows", rows);
}

sr_batch *sr_store_batch_from_json(json_t *o)
{
    size_t n;
    char **cols = names_from_json(json_object_get(o, "cols"), &n);
    sr_batch *b = batch_new_names(cols, n);
    names_free_n(cols, n);
    json_t *rows = json_object_get(o, "rows");
    sr_value *tmp = xcalloc(n, sizeof(sr_value));
    for (size_t r = 0; r < json_array_size(rows); r++) {
        json_t *a = json_array_get(rows, r);
        if (json_array_size(a) != n + 1)
            goto bad;
        for (size_t c = 0; c < n; c++)
            if (value_from_json(json_array_get(a, c + 1), &tmp[c]))
                goto bad;
        sr_batch_add(b, json_integer_value(json_array_get(a, 0)) ? SR_ROW_DELETE : SR_ROW_UPSERT, tmp);
    }
    free(tmp);
    return b;
bad:
    for (size_t c = 0; c < n; c++)
        sr_value_fini(&tmp[c]);
    free(tmp);
    sr_batch_free(b);
    return NULL;
}

