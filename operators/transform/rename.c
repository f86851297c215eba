/* The rename transform: renames columns and tables of the selected tables. Values are not
 * touched: a renamed record is a copy pointing at the renamed schema. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "operators/op.h"
#include "operators/transform/tf_tables.h"

typedef struct rename_config {
    rt_strlist tables;
    char *columns; /* JSON object old -> new */
    char *table;   /* template */
} rename_config;

static const rt_config_field rename_fields[] = {
    {.key = "tables",
     .type = RT_CFG_STRLIST,
     .offset = offsetof(rename_config, tables),
     .help = "db.table regular expressions (POSIX extended, anchored); default every table"},
    {.key = "columns",
     .type = RT_CFG_JSON,
     .offset = offsetof(rename_config, columns),
     .help = "{\"old\": \"new\", ...}; old names case-insensitive, absent ones ignored"},
    {.key = "table",
     .type = RT_CFG_STRING,
     .offset = offsetof(rename_config, table),
     .help = "new table name: a template with {db} and {table}; \"db.name\" moves the database"},
    {0},
};

typedef struct rename_op {
    char **from, **to;
    size_t count;
    char *table;
} rename_op;

static void rename_free(void *self)
{
    rename_op *r = self;
    for (size_t i = 0; i < r->count; i++) {
        free(r->from[i]);
        free(r->to[i]);
    }
    free(r->from);
    free(r->to);
    free(r->table);
    free(r);
}

static int rename_derive(void *self, op_tf *tf, const rt_table *in, const rt_table **out,
                         void **data, rt_err *err)
{
    rename_op *r = self;
    size_t n = rt_table_column_count(in);
    rt_column *cols = calloc(n, sizeof *cols);
    if (!cols)
        return rt_err_set(err, RT_ENOMEM, "rename: out of memory");
    for (size_t i = 0; i < n; i++) {
        cols[i] = *rt_table_column(in, i);
        for (size_t k = 0; k < r->count; k++) {
            if (strcasecmp(cols[i].name, r->from[k]) == 0) {
                cols[i].name = r->to[k];
                break;
            }
        }
    }
    char *db = NULL, *name = NULL;
    int rc = 0;
    if (r->table)
        rc = op_tf_template_expand(r->table, rt_table_db(in), rt_table_name(in), &db, &name, err);
    if (rc == 0)
        rc = op_tf_table_intern(op_tf_catalog(tf), db ? db : rt_table_db(in),
                                name ? name : rt_table_name(in), cols, n, out, err);
    if (rc != 0)
        rt_err_prefix(err, rc, "rename: table %s", rt_table_qualified(in));
    free(db);
    free(name);
    free(cols);
    return rc;
}

static int rename_row(void *self, op_tf *tf, const op_tf_entry *e, const rt_batch *in, size_t *i,
                      rt_batch *out, rt_err *err)
{
    if (rt_batch_copy_record(out, rt_batch_at_const(in, (*i)++)) != 0)
        return rt_err_set(err, RT_ENOMEM, "rename: out of memory");
    rt_batch_at(out, rt_batch_count(out) - 1)->table = e->out;
    return 0;
}

/* Output column k is input column k (renamed, or the same). */
static long same_column(const void *op, const op_tf_entry *e, size_t out_col)
{
    (void)op, (void)e;
    return (long)out_col;
}

static const op_tf_impl rename_impl = {
    .name = "rename",
    .derive = rename_derive,
    .row = rename_row,
    .source_column = same_column,
    .free = rename_free,
};

static int parse_columns(rename_op *r, const char *text, const char *path, rt_err *err)
{
    json_error_t je;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    if (!root || !json_is_object(root)) {
        json_decref(root);
        return rt_err_set(err, RT_EINVAL, "%s.columns: expected an object {\"old\": \"new\"}",
                          path);
    }
    size_t n = json_object_size(root);
    r->from = calloc(n ? n : 1, sizeof *r->from);
    r->to = calloc(n ? n : 1, sizeof *r->to);
    if (!r->from || !r->to) {
        json_decref(root);
        return rt_err_set(err, RT_ENOMEM, "%s: out of memory", path);
    }
    const char *key;
    json_t *v;
    int rc = 0;
    json_object_foreach(root, key, v)
    {
        if (!json_is_string(v) || !*json_string_value(v) || !*key) {
            rc = rt_err_set(err, RT_EINVAL, "%s.columns.%s: expected a non-empty column name", path,
                            key);
            break;
        }
        r->from[r->count] = strdup(key);
        r->to[r->count] = strdup(json_string_value(v));
        r->count++;
        if (!r->from[r->count - 1] || !r->to[r->count - 1]) {
            rc = rt_err_set(err, RT_ENOMEM, "%s: out of memory", path);
            break;
        }
    }
    json_decref(root);
    return rc;
}

int op_rename_make(const void *config, const char *path, op_tf **out, rt_err *err)
{
    const rename_config *c = config;
    if (!c->columns && !c->table)
        return rt_err_set(err, RT_EINVAL, "%s: set columns, table or both", path);
    char p[512];
    snprintf(p, sizeof p, "%s.tables", path);
    op_tf_select *sel;
    int rc = op_tf_select_new(&c->tables, p, &sel, err);
    if (rc != 0)
        return rc;
    rename_op *r = calloc(1, sizeof *r);
    if (!r) {
        op_tf_select_free(sel);
        return rt_err_set(err, RT_ENOMEM, "%s: out of memory", path);
    }
    if (c->columns)
        rc = parse_columns(r, c->columns, path, err);
    if (rc == 0 && c->table) {
        snprintf(p, sizeof p, "%s.table", path);
        rc = op_tf_template_check(c->table, p, err);
        if (rc == 0 && !(r->table = strdup(c->table)))
            rc = rt_err_set(err, RT_ENOMEM, "%s: out of memory", path);
    }
    op_tf *tf = NULL;
    if (rc == 0 && !(tf = op_tf_new(&rename_impl, r, sel, NULL, NULL)))
        rc = rt_err_set(err, RT_ENOMEM, "%s: out of memory", path);
    if (rc != 0) {
        rename_free(r);
        op_tf_select_free(sel);
        return rc;
    }
    *out = tf;
    return 0;
}

static int rename_validate(const void *config, const char *path, rt_err *err)
{
    return op_tf_validate(op_rename_make, config, path, err);
}

static int rename_open(op_ctx *ctx, const void *config, void **self, rt_err *err)
{
    return op_tf_open(op_rename_make, ctx, config, self, err);
}

const op_type op_rename_type = {
    .info =
        {
            .name = "rename",
            .kind = GRAPH_KIND_TRANSFORM,
            .config = rename_fields,
            .config_size = sizeof(rename_config),
            .validate = rename_validate,
        },
    .help = "renames columns and tables (\"ods_{table}\", \"ods.{db}_{table}\")",
    .open = rename_open,
    .process = op_tf_process,
    .close = op_tf_close,
};
