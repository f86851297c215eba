/* The cast transform: converts columns of the selected tables to other types as CAST does. A
 * value that does not convert fails the job (on_error "fail") or becomes NULL and is counted
 * (on_error "null"): never silently lost. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "operators/op.h"
#include "operators/transform/expr.h"
#include "operators/transform/tf_tables.h"
#include "runtime/base/buf.h"

typedef struct cast_config {
    rt_strlist tables;
    char *columns; /* JSON object column -> type */
    int on_error;
} cast_config;

enum { ON_ERROR_FAIL, ON_ERROR_NULL };
static const char *const on_error_names[] = {"fail", "null", NULL};

static const rt_config_field cast_fields[] = {
    {.key = "tables",
     .type = RT_CFG_STRLIST,
     .offset = offsetof(cast_config, tables),
     .help = "db.table regular expressions (POSIX extended, anchored); default every table"},
    {.key = "columns",
     .type = RT_CFG_JSON,
     .offset = offsetof(cast_config, columns),
     .flags = RT_CFG_REQUIRED,
     .help = "{\"column\": \"TYPE\", ...}: BIGINT, DOUBLE, DECIMAL(p,s), STRING, DATETIME, ..."},
    {.key = "on_error",
     .type = RT_CFG_ENUM,
     .def = "\"fail\"",
     .offset = offsetof(cast_config, on_error),
     .choices = on_error_names,
     .help = "a value that does not convert: fail the job, or write NULL (counted)"},
    {0},
};

typedef struct cast_op {
    char **names, **types;
    size_t count;
    int on_error;
    rt_metric *errors;
} cast_op;

/* Per input schema: the cast type of each column (borrowed from cast_op), NULL to copy. */
typedef struct cast_data {
    const char **types;
    size_t count;
} cast_data;

static void cast_free(void *self)
{
    cast_op *c = self;
    for (size_t i = 0; i < c->count; i++) {
        free(c->names[i]);
        free(c->types[i]);
    }
    free(c->names);
    free(c->types);
    free(c);
}

static void data_free(void *p)
{
    cast_data *d = p;
    if (!d)
        return;
    free(d->types);
    free(d);
}

static int cast_derive(void *self, op_tf *tf, const rt_table *in, const rt_table **out, void **data,
                       rt_err *err)
{
    cast_op *c = self;
    size_t n = rt_table_column_count(in);
    rt_column *cols = calloc(n, sizeof *cols);
    char **sql = calloc(n, sizeof *sql);
    cast_data *d = calloc(1, sizeof *d);
    if (d)
        d->types = calloc(n, sizeof *d->types);
    int rc = 0;
    if (!cols || !sql || !d || !d->types)
        rc = rt_err_set(err, RT_ENOMEM, "cast: out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        cols[i] = *rt_table_column(in, i);
        for (size_t k = 0; k < c->count; k++) {
            if (strcasecmp(cols[i].name, c->names[k]) != 0)
                continue;
            rt_type vt;
            rc = op_expr_cast_type(c->types[k], &vt, &sql[i], err);
            if (rc != 0) {
                rt_err_prefix(err, rc, "cast: table %s column '%s'", rt_table_qualified(in),
                              cols[i].name);
                break;
            }
            cols[i].type = vt;
            cols[i].sql_type = sql[i];
            /* With on_error "null" a value that does not convert becomes NULL, except in a key
             * column, where a NULL would merge rows: there it fails as with "fail". */
            if (c->on_error == ON_ERROR_NULL && !cols[i].primary_key)
                cols[i].nullable = true;
            d->types[i] = c->types[k];
            break;
        }
    }
    if (d)
        d->count = n;
    if (rc == 0)
        rc = op_tf_table_intern(op_tf_catalog(tf), rt_table_db(in), rt_table_name(in), cols, n, out,
                                err);
    for (size_t i = 0; sql && i < n; i++)
        free(sql[i]);
    free(sql);
    free(cols);
    if (rc != 0) {
        data_free(d);
        return rc;
    }
    *data = d;
    return 0;
}

static int cast_row(void *self, op_tf *tf, const op_tf_entry *e, const rt_batch *in, size_t *i,
                    rt_batch *out, rt_err *err)
{
    cast_op *c = self;
    const cast_data *d = e->data;
    const rt_record *r = rt_batch_at_const(in, (*i)++);
    rt_record *o = rt_batch_add(out, (rt_rowkind)r->kind, e->out);
    if (!o)
        return rt_err_set(err, RT_ENOMEM, "cast: out of memory");
    o->ts_ms = r->ts_ms;
    for (size_t k = 0; k < r->ncols; k++) {
        const rt_value *v = &r->values[k];
        if (!d->types[k] || v->type == RT_TYPE_NULL) {
            if (op_tf_value_copy(out, &o->values[k], v) != 0)
                return rt_err_set(err, RT_ENOMEM, "cast: out of memory");
            continue;
        }
        rt_err why = {0};
        if (op_expr_cast_value(v, d->types[k], out, &o->values[k], &why) == 0)
            continue;
        if (c->on_error == ON_ERROR_NULL && !rt_table_column(e->out, k)->primary_key) {
            o->values[k] = (rt_value){.type = RT_TYPE_NULL};
            rt_metric_add(c->errors, 1);
            continue;
        }
        rt_buf shown;
        rt_buf_init(&shown);
        rt_value_format_json(v, &shown);
        rt_buf_append_char(&shown, '\0');
        rt_err_set(err, RT_EINVAL, "cast: table %s column '%s' value %.120s to %s: %s",
                   rt_table_qualified(e->in), rt_table_column(e->in, k)->name, shown.data,
                   d->types[k], why.msg);
        rt_buf_fini(&shown);
        return RT_EINVAL;
    }
    return 0;
}

/* Output column k is input column k (cast, or the same). */
static long same_column(const void *op, const op_tf_entry *e, size_t out_col)
{
    (void)op, (void)e;
    return (long)out_col;
}

static const op_tf_impl cast_impl = {
    .name = "cast",
    .derive = cast_derive,
    .data_free = data_free,
    .source_column = same_column,
    .row = cast_row,
    .free = cast_free,
};

static int parse_columns(cast_op *c, const char *text, const char *path, rt_err *err)
{
    json_error_t je;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    if (!root || !json_is_object(root) || json_object_size(root) == 0) {
        json_decref(root);
        return rt_err_set(err, RT_EINVAL,
                          "%s.columns: expected a non-empty object {\"column\": \"TYPE\"}", path);
    }
    size_t n = json_object_size(root);
    c->names = calloc(n, sizeof *c->names);
    c->types = calloc(n, sizeof *c->types);
    if (!c->names || !c->types) {
        json_decref(root);
        return rt_err_set(err, RT_ENOMEM, "%s: out of memory", path);
    }
    const char *key;
    json_t *v;
    int rc = 0;
    json_object_foreach(root, key, v)
    {
        if (!json_is_string(v)) {
            rc = rt_err_set(err, RT_EINVAL, "%s.columns.%s: expected a type name", path, key);
            break;
        }
        rc = op_expr_cast_type(json_string_value(v), NULL, NULL, err);
        if (rc != 0) {
            rt_err_prefix(err, rc, "%s.columns.%s", path, key);
            break;
        }
        c->names[c->count] = strdup(key);
        c->types[c->count] = strdup(json_string_value(v));
        c->count++;
        if (!c->names[c->count - 1] || !c->types[c->count - 1]) {
            rc = rt_err_set(err, RT_ENOMEM, "%s: out of memory", path);
            break;
        }
    }
    json_decref(root);
    return rc;
}

int op_cast_make(const void *config, const char *path, op_tf **out, rt_err *err)
{
    const cast_config *cfg = config;
    if (!cfg->columns)
        return rt_err_set(err, RT_EINVAL, "%s.columns: required", path);
    char p[512];
    snprintf(p, sizeof p, "%s.tables", path);
    op_tf_select *sel;
    int rc = op_tf_select_new(&cfg->tables, p, &sel, err);
    if (rc != 0)
        return rc;
    cast_op *c = calloc(1, sizeof *c);
    if (!c) {
        op_tf_select_free(sel);
        return rt_err_set(err, RT_ENOMEM, "%s: out of memory", path);
    }
    c->on_error = cfg->on_error;
    rc = parse_columns(c, cfg->columns, path, err);
    op_tf *tf = NULL;
    if (rc == 0 && !(tf = op_tf_new(&cast_impl, c, sel, NULL, NULL)))
        rc = rt_err_set(err, RT_ENOMEM, "%s: out of memory", path);
    if (rc != 0) {
        cast_free(c);
        op_tf_select_free(sel);
        return rc;
    }
    *out = tf;
    return 0;
}

static int cast_validate(const void *config, const char *path, rt_err *err)
{
    return op_tf_validate(op_cast_make, config, path, err);
}

static int cast_open(op_ctx *ctx, const void *config, void **self, rt_err *err)
{
    int rc = op_tf_open(op_cast_make, ctx, config, self, err);
    if (rc == 0) {
        cast_op *c = op_tf_op(*self);
        c->errors = op_ctx_counter(ctx, "sluice_transform_cast_errors_total",
                                   "values that did not convert and became NULL", NULL, NULL);
    }
    return rc;
}

const op_type op_cast_type = {
    .info =
        {
            .name = "cast",
            .kind = GRAPH_KIND_TRANSFORM,
            .config = cast_fields,
            .config_size = sizeof(cast_config),
            .validate = cast_validate,
        },
    .help = "converts columns to other types as CAST does (on_error fail or null)",
    .open = cast_open,
    .process = op_tf_process,
    .close = op_tf_close,
};
