/* The route transform: sends the records of source tables to other table names, the first
 * matching rule winning. Many sources routed to one target is a sharded merge; source columns
 * (the record's database or table) keep the shards' rows apart when their keys collide. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operators/op.h"
#include "operators/transform/tf_tables.h"

typedef struct route_config {
    char *routes; /* JSON array of rules */
} route_config;

static const rt_config_field route_fields[] = {
    {.key = "routes",
     .type = RT_CFG_JSON,
     .offset = offsetof(route_config, routes),
     .flags = RT_CFG_REQUIRED,
     .help = "[{\"source\": regex, \"target\": \"db.table\" (with {db} {table}), "
             "\"source_columns\": {\"col\": \"database\"|\"table\"}, \"key_with_source\": bool}]"},
    {0},
};

enum { SRC_DATABASE, SRC_TABLE };

typedef struct route_rule {
    op_tf_regex *source;
    char *target;
    char **col_names;
    int *col_kinds; /* SRC_DATABASE or SRC_TABLE */
    size_t col_count;
    bool key_with_source;
} route_rule;

typedef struct route_op {
    route_rule *rules;
    size_t count;
} route_op;

/* Per source schema: the rule that matched, and the routed-records counter of its target. */
typedef struct route_data {
    const route_rule *rule;
    rt_metric *routed;
} route_data;

static void route_free(void *self)
{
    route_op *r = self;
    for (size_t i = 0; i < r->count; i++) {
        route_rule *rule = &r->rules[i];
        op_tf_regex_free(rule->source);
        free(rule->target);
        for (size_t k = 0; k < rule->col_count; k++)
            free(rule->col_names[k]);
        free(rule->col_names);
        free(rule->col_kinds);
    }
    free(r->rules);
    free(r);
}

static int route_derive(void *self, op_tf *tf, const rt_table *in, const rt_table **out,
                        void **data, rt_err *err)
{
    route_op *r = self;
    const route_rule *rule = NULL;
    for (size_t i = 0; i < r->count && !rule; i++) {
        if (op_tf_regex_match(r->rules[i].source, rt_table_qualified(in)))
            rule = &r->rules[i];
    }
    if (!rule) {
        *out = NULL; /* no rule: the table passes through unchanged */
        return 0;
    }
    size_t nin = rt_table_column_count(in);
    size_t n = nin + rule->col_count;
    rt_column *cols = calloc(n, sizeof *cols);
    route_data *d = calloc(1, sizeof *d);
    char *db = NULL, *name = NULL;
    int rc = 0;
    if (!cols || !d)
        rc = rt_err_set(err, RT_ENOMEM, "route: out of memory");
    for (size_t i = 0; rc == 0 && i < nin; i++)
        cols[i] = *rt_table_column(in, i);
    for (size_t k = 0; rc == 0 && k < rule->col_count; k++) {
        if (op_tf_column_find(in, rule->col_names[k]) >= 0) {
            rc = rt_err_set(err, RT_EINVAL,
                            "route: table %s already has a column '%s' (a source column)",
                            rt_table_qualified(in), rule->col_names[k]);
            break;
        }
        cols[nin + k] = (rt_column){.name = rule->col_names[k],
                                    .type = RT_TYPE_STRING,
                                    .sql_type = "varchar(64)",
                                    .nullable = false,
                                    .primary_key = rule->key_with_source};
    }
    if (rc == 0)
        rc = op_tf_template_expand(rule->target, rt_table_db(in), rt_table_name(in), &db, &name,
                                   err);
    if (rc == 0)
        rc = op_tf_table_intern(op_tf_catalog(tf), db, name, cols, n, out, err);
    if (rc == 0) {
        d->rule = rule;
        if (op_tf_ctx(tf))
            d->routed = op_ctx_counter(op_tf_ctx(tf), "sluice_transform_routed_total",
                                       "row records routed to a target table", "target",
                                       rt_table_qualified(*out));
        *data = d;
    } else {
        rt_err_prefix(err, rc, "route: table %s", rt_table_qualified(in));
        free(d);
    }
    free(db);
    free(name);
    free(cols);
    return rc;
}

static int route_row(void *self, op_tf *tf, const op_tf_entry *e, const rt_batch *in, size_t *i,
                     rt_batch *out, rt_err *err)
{
    const route_data *d = e->data;
    const rt_record *r = rt_batch_at_const(in, (*i)++);
    rt_record *o = rt_batch_add(out, (rt_rowkind)r->kind, e->out);
    if (!o)
        return rt_err_set(err, RT_ENOMEM, "route: out of memory");
    o->ts_ms = r->ts_ms;
    int rc = 0;
    for (uint32_t k = 0; k < r->ncols && rc == 0; k++)
        rc = op_tf_value_copy(out, &o->values[k], &r->values[k]);
    for (size_t k = 0; k < d->rule->col_count && rc == 0; k++) {
        const char *s =
            d->rule->col_kinds[k] == SRC_DATABASE ? rt_table_db(r->table) : rt_table_name(r->table);
        rc = rt_batch_set_str(out, &o->values[r->ncols + k], RT_TYPE_STRING, s, strlen(s));
    }
    if (rc != 0)
        return rt_err_set(err, RT_ENOMEM, "route: out of memory");
    rt_metric_add(d->routed, 1);
    return 0;
}

/* The input columns come first; the source columns after them are computed. */
static long route_source(const void *op, const op_tf_entry *e, size_t out_col)
{
    (void)op;
    return out_col < rt_table_column_count(e->in) ? (long)out_col : -1;
}

static const op_tf_impl route_impl = {
    .name = "route",
    .derive = route_derive,
    .data_free = free,
    .row = route_row,
    .source_column = route_source,
    .free = route_free,
};

static int parse_source_columns(route_rule *rule, json_t *obj, const char *path, rt_err *err)
{
    if (!json_is_object(obj))
        return rt_err_set(err, RT_EINVAL,
                          "%s: expected an object {\"column\": \"database\" | \"table\"}", path);
    size_t n = json_object_size(obj);
    rule->col_names = calloc(n ? n : 1, sizeof *rule->col_names);
    rule->col_kinds = calloc(n ? n : 1, sizeof *rule->col_kinds);
    if (!rule->col_names || !rule->col_kinds)
        return rt_err_set(err, RT_ENOMEM, "%s: out of memory", path);
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        const char *s = json_is_string(v) ? json_string_value(v) : "";
        int kind;
        if (strcmp(s, "database") == 0)
            kind = SRC_DATABASE;
        else if (strcmp(s, "table") == 0)
            kind = SRC_TABLE;
        else
            return rt_err_set(err, RT_EINVAL, "%s.%s: expected \"database\" or \"table\"", path,
                              key);
        if (!*key)
            return rt_err_set(err, RT_EINVAL, "%s: empty column name", path);
        rule->col_names[rule->col_count] = strdup(key);
        rule->col_kinds[rule->col_count] = kind;
        if (!rule->col_names[rule->col_count])
            return rt_err_set(err, RT_ENOMEM, "%s: out of memory", path);
        rule->col_count++;
    }
    return 0;
}

static int parse_rule(route_rule *rule, json_t *obj, const char *path, rt_err *err)
{
    char p[640];
    if (!json_is_object(obj))
        return rt_err_set(err, RT_EINVAL, "%s: expected an object {\"source\", \"target\"}", path);
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        if (strcmp(key, "source") != 0 && strcmp(key, "target") != 0 &&
            strcmp(key, "source_columns") != 0 && strcmp(key, "key_with_source") != 0)
            return rt_err_set(err, RT_EINVAL,
                              "%s.%s: unknown key (source, target, source_columns, "
                              "key_with_source)",
                              path, key);
    }
    json_t *source = json_object_get(obj, "source");
    json_t *target = json_object_get(obj, "target");
    snprintf(p, sizeof p, "%s.source", path);
    if (!json_is_string(source))
        return rt_err_set(err, RT_EINVAL, "%s: required: a db.table regular expression", p);
    int rc = op_tf_regex_new(json_string_value(source), p, &rule->source, err);
    if (rc != 0)
        return rc;
    snprintf(p, sizeof p, "%s.target", path);
    if (!json_is_string(target))
        return rt_err_set(err, RT_EINVAL, "%s: required: \"db.table\" or \"table\"", p);
    rc = op_tf_template_check(json_string_value(target), p, err);
    if (rc != 0)
        return rc;
    rule->target = strdup(json_string_value(target));
    if (!rule->target)
        return rt_err_set(err, RT_ENOMEM, "%s: out of memory", p);
    json_t *cols = json_object_get(obj, "source_columns");
    if (cols) {
        snprintf(p, sizeof p, "%s.source_columns", path);
        rc = parse_source_columns(rule, cols, p, err);
        if (rc != 0)
            return rc;
    }
    json_t *kws = json_object_get(obj, "key_with_source");
    if (kws && !json_is_boolean(kws))
        return rt_err_set(err, RT_EINVAL, "%s.key_with_source: expected true or false", path);
    rule->key_with_source = kws && json_is_true(kws);
    if (rule->key_with_source && rule->col_count == 0)
        return rt_err_set(err, RT_EINVAL, "%s.key_with_source: needs source_columns", path);
    return 0;
}

int op_route_make(const void *config, const char *path, op_tf **out, rt_err *err)
{
    const route_config *c = config;
    char p[512];
    snprintf(p, sizeof p, "%s.routes", path);
    if (!c->routes)
        return rt_err_set(err, RT_EINVAL, "%s: required", p);
    json_error_t je;
    json_t *root = json_loads(c->routes, 0, &je);
    if (!root || !json_is_array(root) || json_array_size(root) == 0) {
        json_decref(root);
        return rt_err_set(err, RT_EINVAL, "%s: expected a non-empty array of rules", p);
    }
    route_op *r = calloc(1, sizeof *r);
    if (r)
        r->rules = calloc(json_array_size(root), sizeof *r->rules);
    if (!r || !r->rules) {
        free(r);
        json_decref(root);
        return rt_err_set(err, RT_ENOMEM, "%s: out of memory", path);
    }
    int rc = 0;
    for (size_t i = 0; i < json_array_size(root) && rc == 0; i++) {
        char item[560];
        snprintf(item, sizeof item, "%s[%zu]", p, i);
        r->count++;
        rc = parse_rule(&r->rules[i], json_array_get(root, i), item, err);
    }
    json_decref(root);
    op_tf *tf = NULL;
    if (rc == 0 && !(tf = op_tf_new(&route_impl, r, NULL, NULL, NULL)))
        rc = rt_err_set(err, RT_ENOMEM, "%s: out of memory", path);
    if (rc != 0) {
        route_free(r);
        return rc;
    }
    *out = tf;
    return 0;
}

static int route_validate(const void *config, const char *path, rt_err *err)
{
    return op_tf_validate(op_route_make, config, path, err);
}

static int route_open(op_ctx *ctx, const void *config, void **self, rt_err *err)
{
    return op_tf_open(op_route_make, ctx, config, self, err);
}

const op_type op_route_type = {
    .info =
        {
            .name = "route",
            .kind = GRAPH_KIND_TRANSFORM,
            .config = route_fields,
            .config_size = sizeof(route_config),
            .validate = route_validate,
        },
    .help = "routes tables to target tables: sharded merges, with source db/table columns",
    .open = route_open,
    .process = op_tf_process,
    .close = op_tf_close,
};
