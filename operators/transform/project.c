/* The project transform: chooses, computes and renames the columns of the selected tables
 * ("columns": expressions with AS, "*" for all) or leaves some out ("drop"), and works out the
 * output primary key. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "operators/op.h"
#include "operators/transform/expr.h"
#include "operators/transform/tf_tables.h"

typedef struct project_config {
    rt_strlist tables;
    rt_strlist columns;
    rt_strlist drop;
    rt_strlist primary_key;
} project_config;

static const rt_config_field project_fields[] = {
    {.key = "tables",
     .type = RT_CFG_STRLIST,
     .offset = offsetof(project_config, tables),
     .help = "db.table regular expressions (POSIX extended, anchored); default every table"},
    {.key = "columns",
     .type = RT_CFG_STRLIST,
     .offset = offsetof(project_config, columns),
     .help = "output columns: \"col\", \"expr AS name\", \"*\" (all input columns)"},
    {.key = "drop",
     .type = RT_CFG_STRLIST,
     .offset = offsetof(project_config, drop),
     .help = "columns to leave out (instead of columns)"},
    {.key = "primary_key",
     .type = RT_CFG_STRLIST,
     .offset = offsetof(project_config, primary_key),
     .help = "output key columns; default the input key columns that pass through"},
    {0},
};

typedef struct project_item {
    op_expr *expr; /* NULL for "*" */
    char *alias;   /* the AS name, or NULL */
    char path[160];
} project_item;

typedef struct project_op {
    project_item *items;
    size_t item_count;
    char **drop;
    size_t drop_count;
    char **key; /* primary_key, or NULL */
    size_t key_count;
} project_op;

/* One output column of a derived schema: a copy of input column src, or an expression. */
typedef struct out_col {
    long src;             /* input column index, -1 for an expression */
    op_expr_bound *bound; /* owned; NULL for a copy */
    bool from_star;
} out_col;

typedef struct project_data {
    out_col *cols;
    size_t count;
} project_data;

static void data_free(void *p)
{
    project_data *d = p;
    if (!d)
        return;
    for (size_t i = 0; i < d->count; i++)
        op_expr_bound_free(d->cols[i].bound);
    free(d->cols);
    free(d);
}

static void strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void project_free(void *self)
{
    project_op *p = self;
    for (size_t i = 0; i < p->item_count; i++) {
        op_expr_free(p->items[i].expr);
        free(p->items[i].alias);
    }
    free(p->items);
    strv_free(p->drop, p->drop_count);
    strv_free(p->key, p->key_count);
    free(p);
}

static bool is_ident(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '$';
}

/* Finds a trailing top-level "AS name" in text: returns the length of the expression before it
 * and sets *alias (malloc'd), or returns strlen(text) with *alias NULL. `CAST(x AS INT)` ends in a
 * parenthesis, and an AS inside quotes or parentheses is skipped, so only an alias matches. */
static size_t split_alias(const char *text, char **alias)
{
    *alias = NULL;
    size_t len = strlen(text);
    size_t end = len;
    while (end > 0 && isspace((unsigned char)text[end - 1]))
        end--;
    size_t name_start, name_end;
    if (end > 0 && text[end - 1] == '`') {
        size_t s = end - 1;
        while (s > 0 && text[s - 1] != '`')
            s--;
        if (s == 0)
            return len;
        name_start = s;
        name_end = end - 1;
        end = s - 1;
    } else {
        size_t s = end;
        while (s > 0 && is_ident(text[s - 1]))
            s--;
        if (s == end)
            return len;
        name_start = s;
        name_end = end;
        end = s;
    }
    if (name_end == name_start || end == 0 || !isspace((unsigned char)text[end - 1]))
        return len;
    while (end > 0 && isspace((unsigned char)text[end - 1]))
        end--;
    if (end < 2 || strncasecmp(text + end - 2, "AS", 2) != 0)
        return len;
    size_t as = end - 2;
    if (as == 0 || !isspace((unsigned char)text[as - 1]))
        return len;
    /* The AS must stand at depth 0 outside quotes. */
    int depth = 0;
    char quote = 0;
    for (size_t i = 0; i < as; i++) {
        char c = text[i];
        if (quote) {
            if (c == quote)
                quote = 0;
        } else if (c == '\'' || c == '`' || c == '"') {
            quote = c;
        } else if (c == '(') {
            depth++;
        } else if (c == ')') {
            depth--;
        }
    }
    if (depth != 0 || quote)
        return len;
    *alias = strndup(text + name_start, name_end - name_start);
    return as;
}

static int strv_copy(const rt_strlist *l, char ***out, size_t *count)
{
    *out = NULL;
    *count = 0;
    if (!l->count)
        return 0;
    char **v = calloc(l->count, sizeof *v);
    if (!v)
        return RT_ENOMEM;
    for (size_t i = 0; i < l->count; i++) {
        v[i] = strdup(l->items[i]);
        if (!v[i]) {
            strv_free(v, i);
            return RT_ENOMEM;
        }
    }
    *out = v;
    *count = l->count;
    return 0;
}

static int parse_items(project_op *p, const project_config *c, const char *path, rt_err *err)
{
    p->items = calloc(c->columns.count, sizeof *p->items);
    if (!p->items)
        return rt_err_set(err, RT_ENOMEM, "%s: out of memory", path);
    for (size_t i = 0; i < c->columns.count; i++) {
        project_item *it = &p->items[p->item_count++];
        snprintf(it->path, sizeof it->path, "%s.columns[%zu]", path, i);
        const char *text = c->columns.items[i];
        const char *t = text;
        while (isspace((unsigned char)*t))
            t++;
        if (t[0] == '*' && t[1 + strspn(t + 1, " \t\r\n")] == '\0')
            continue;
        size_t n = split_alias(text, &it->alias);
        char *expr_text = strndup(text, n);
        if (!expr_text)
            return rt_err_set(err, RT_ENOMEM, "%s: out of memory", it->path);
        int rc = op_expr_parse(expr_text, &it->expr, NULL, err);
        free(expr_text);
        if (rc != 0)
            return rt_err_prefix(err, rc, "%s", it->path);
        const char *col;
        if (!it->alias && !op_expr_is_column(it->expr, &col))
            return rt_err_set(err, RT_EINVAL,
                              "%s: \"%s\" is an expression: name its column with AS (\"%s AS "
                              "name\")",
                              it->path, text, text);
    }
    return 0;
}

static const char *item_name(const project_item *it, const rt_table *in, long src)
{
    if (it->alias)
        return it->alias;
    return rt_table_column(in, (size_t)src)->name;
}

/* The output column called name (case-insensitive) among cols[0..n), or -1. */
static long out_find(const rt_column *cols, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(cols[i].name, name) == 0)
            return (long)i;
    }
    return -1;
}

static bool dropped(const project_op *p, const char *name)
{
    for (size_t i = 0; i < p->drop_count; i++) {
        if (strcasecmp(p->drop[i], name) == 0)
            return true;
    }
    return false;
}

/* Fills cols/oc for "columns". cols[i].name borrows from the input table or the items. */
static int derive_columns(project_op *p, const rt_table *in, rt_column *cols, out_col *oc,
                          size_t *count, rt_err *err)
{
    size_t n = 0;
    size_t nin = rt_table_column_count(in);
    for (size_t i = 0; i < p->item_count; i++) {
        project_item *it = &p->items[i];
        if (!it->expr) {
            for (size_t k = 0; k < nin; k++) {
                const rt_column *src = rt_table_column(in, k);
                /* An item before the "*" already gave this name: the explicit item wins. */
                if (out_find(cols, n, src->name) >= 0)
                    continue;
                cols[n] = *src;
                oc[n] = (out_col){.src = (long)k, .from_star = true};
                n++;
            }
            continue;
        }
        const char *colname;
        out_col o = {.src = -1};
        rt_column c = {0};
        if (op_expr_is_column(it->expr, &colname) && op_tf_column_find(in, colname) >= 0) {
            o.src = op_tf_column_find(in, colname);
            c = *rt_table_column(in, (size_t)o.src);
            c.name = item_name(it, in, o.src);
        } else {
            int rc = op_expr_bind(it->expr, in, &o.bound, err);
            *count = n; /* what is bound so far, for data_free */
            if (rc != 0)
                return rt_err_prefix(err, rc, "project: table %s: %s \"%s\"",
                                     rt_table_qualified(in), it->path, op_expr_text(it->expr));
            c.name = it->alias;
            c.type = op_expr_bound_type(o.bound);
            c.sql_type = op_expr_bound_sql_type(o.bound);
            c.nullable = op_expr_bound_nullable(o.bound);
        }
        long at = out_find(cols, n, c.name);
        if (at >= 0 && oc[at].from_star) {
            /* "*" brought this column: the item replaces it where it stands. */
            op_expr_bound_free(oc[at].bound);
            c.primary_key = false;
            cols[at] = c;
            oc[at] = o;
            continue;
        }
        if (at >= 0) {
            op_expr_bound_free(o.bound);
            *count = n;
            return rt_err_set(err, RT_EINVAL, "project: table %s: %s: column '%s' is output twice",
                              rt_table_qualified(in), it->path, c.name);
        }
        cols[n] = c;
        oc[n] = o;
        n++;
    }
    *count = n;
    return 0;
}

static int derive_key(project_op *p, const rt_table *in, rt_column *cols, const out_col *oc,
                      size_t n, rt_err *err)
{
    for (size_t i = 0; i < n; i++)
        cols[i].primary_key = false;
    if (p->key) {
        for (size_t k = 0; k < p->key_count; k++) {
            long at = out_find(cols, n, p->key[k]);
            if (at < 0)
                return rt_err_set(err, RT_EINVAL,
                                  "project: table %s: primary_key column '%s' is not an output "
                                  "column",
                                  rt_table_qualified(in), p->key[k]);
            cols[at].primary_key = true;
        }
        return 0;
    }
    for (size_t k = 0; k < rt_table_pk_count(in); k++) {
        size_t src = rt_table_pk_column(in, k);
        bool found = false;
        for (size_t i = 0; i < n && !found; i++) {
            if (oc[i].src == (long)src) {
                cols[i].primary_key = true;
                found = true;
            }
        }
        if (!found)
            return rt_err_set(err, RT_EINVAL,
                              "project: table %s: primary key column '%s' is not in the output "
                              "(keep it, or set primary_key)",
                              rt_table_qualified(in), rt_table_column(in, src)->name);
    }
    return 0;
}

static int project_derive(void *self, op_tf *tf, const rt_table *in, const rt_table **out,
                          void **data, rt_err *err)
{
    project_op *p = self;
    size_t nin = rt_table_column_count(in);
    size_t cap = nin + p->item_count + 1;
    rt_column *cols = calloc(cap, sizeof *cols);
    project_data *d = calloc(1, sizeof *d);
    if (d)
        d->cols = calloc(cap, sizeof *d->cols);
    if (!cols || !d || !d->cols) {
        free(cols);
        data_free(d);
        return rt_err_set(err, RT_ENOMEM, "project: out of memory");
    }
    int rc = 0;
    size_t n = 0;
    if (p->items) {
        rc = derive_columns(p, in, cols, d->cols, &n, err);
    } else {
        for (size_t k = 0; k < nin; k++) {
            const rt_column *src = rt_table_column(in, k);
            if (dropped(p, src->name))
                continue;
            cols[n] = *src;
            d->cols[n] = (out_col){.src = (long)k};
            n++;
        }
    }
    d->count = n;
    if (rc == 0 && n == 0)
        rc =
            rt_err_set(err, RT_EINVAL, "project: table %s: no column left", rt_table_qualified(in));
    if (rc == 0)
        rc = derive_key(p, in, cols, d->cols, n, err);
    if (rc == 0)
        rc = op_tf_table_intern(op_tf_catalog(tf), rt_table_db(in), rt_table_name(in), cols, n, out,
                                err);
    free(cols);
    if (rc != 0) {
        data_free(d);
        return rc;
    }
    *data = d;
    return 0;
}

static int project_row(void *self, op_tf *tf, const op_tf_entry *e, const rt_batch *in, size_t *i,
                       rt_batch *out, rt_err *err)
{
    const project_data *d = e->data;
    const rt_record *r = rt_batch_at_const(in, (*i)++);
    rt_record *o = rt_batch_add(out, (rt_rowkind)r->kind, e->out);
    if (!o)
        return rt_err_set(err, RT_ENOMEM, "project: out of memory");
    o->ts_ms = r->ts_ms;
    for (size_t k = 0; k < d->count; k++) {
        const out_col *c = &d->cols[k];
        int rc;
        if (c->bound) {
            rc = op_expr_eval(c->bound, r, out, &o->values[k], err);
            if (rc != 0)
                return rt_err_prefix(err, rc, "project: table %s: column '%s'",
                                     rt_table_qualified(e->in), rt_table_column(e->out, k)->name);
        } else {
            rc = op_tf_value_copy(out, &o->values[k], &r->values[c->src]);
            if (rc != 0)
                return rt_err_set(err, rc, "project: out of memory");
        }
    }
    return 0;
}

static long project_source(const void *op, const op_tf_entry *e, size_t k)
{
    (void)op;
    const project_data *d = e->data;
    return k < d->count ? d->cols[k].src : -1;
}

static const op_tf_impl project_impl = {
    .name = "project",
    .derive = project_derive,
    .data_free = data_free,
    .row = project_row,
    .source_column = project_source,
    .free = project_free,
};

int op_project_make(const void *config, const char *path, op_tf **out, rt_err *err)
{
    const project_config *c = config;
    if ((c->columns.count > 0) == (c->drop.count > 0))
        return rt_err_set(err, RT_EINVAL, "%s: exactly one of columns and drop is required", path);
    char p[512];
    snprintf(p, sizeof p, "%s.tables", path);
    op_tf_select *sel;
    int rc = op_tf_select_new(&c->tables, p, &sel, err);
    if (rc != 0)
        return rc;
    project_op *op = calloc(1, sizeof *op);
    if (!op) {
        op_tf_select_free(sel);
        return rt_err_set(err, RT_ENOMEM, "%s: out of memory", path);
    }
    if (c->columns.count)
        rc = parse_items(op, c, path, err);
    if (rc == 0 && (strv_copy(&c->drop, &op->drop, &op->drop_count) != 0 ||
                    strv_copy(&c->primary_key, &op->key, &op->key_count) != 0))
        rc = rt_err_set(err, RT_ENOMEM, "%s: out of memory", path);
    op_tf *tf = NULL;
    if (rc == 0) {
        tf = op_tf_new(&project_impl, op, sel, NULL, NULL);
        if (!tf)
            rc = rt_err_set(err, RT_ENOMEM, "%s: out of memory", path);
    }
    if (rc != 0) {
        project_free(op);
        op_tf_select_free(sel);
        return rc;
    }
    *out = tf;
    return 0;
}

static int project_validate(const void *config, const char *path, rt_err *err)
{
    return op_tf_validate(op_project_make, config, path, err);
}

static int project_open(op_ctx *ctx, const void *config, void **self, rt_err *err)
{
    return op_tf_open(op_project_make, ctx, config, self, err);
}

const op_type op_project_type = {
    .info =
        {
            .name = "project",
            .kind = GRAPH_KIND_TRANSFORM,
            .config = project_fields,
            .config_size = sizeof(project_config),
            .validate = project_validate,
        },
    .help = "chooses, computes and renames columns (expressions, \"*\", drop) and sets the key",
    .open = project_open,
    .process = op_tf_process,
    .close = op_tf_close,
};
