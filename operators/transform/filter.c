/* The filter transform: keeps the rows of the selected tables for which a condition holds. An
 * update whose before and after images fall on different sides of the condition becomes a delete
 * (the row leaves) or an insert (it enters), so a primary-key sink stays right. */
#include <stdio.h>
#include <stdlib.h>

#include "operators/op.h"
#include "operators/transform/expr.h"
#include "operators/transform/tf_tables.h"

typedef struct filter_config {
    rt_strlist tables;
    char *where;
} filter_config;

static const rt_config_field filter_fields[] = {
    {.key = "tables",
     .type = RT_CFG_STRLIST,
     .offset = offsetof(filter_config, tables),
     .help = "db.table regular expressions (POSIX extended, anchored); default every table"},
    {.key = "where",
     .type = RT_CFG_STRING,
     .offset = offsetof(filter_config, where),
     .flags = RT_CFG_REQUIRED,
     .help = "the condition a row must meet (expression language)"},
    {0},
};

typedef struct filter_op {
    op_expr *where;
    rt_metric *filtered;
    /* A -U that ended its batch: held (a copy) until its +U arrives with the next batch. */
    rt_batch *held;
    bool held_pass;
    bool has_held;
} filter_op;

static void filter_free(void *self)
{
    filter_op *f = self;
    op_expr_free(f->where);
    rt_batch_unref(f->held);
    free(f);
}

static void bound_free(void *data)
{
    op_expr_bound_free(data);
}

static int filter_derive(void *self, op_tf *tf, const rt_table *in, const rt_table **out,
                         void **data, rt_err *err)
{
    filter_op *f = self;
    op_expr_bound *b;
    int rc = op_expr_bind(f->where, in, &b, err);
    if (rc != 0)
        return rt_err_prefix(err, rc, "filter: table %s: where \"%s\"", rt_table_qualified(in),
                             op_expr_text(f->where));
    *out = in;
    *data = b;
    return 0;
}

static int test_row(const op_tf_entry *e, const rt_record *r, bool *pass, rt_err *err)
{
    int rc = op_expr_test(e->data, r, pass, err);
    if (rc != 0)
        return rt_err_prefix(err, rc, "filter: table %s", rt_table_qualified(e->in));
    return 0;
}

/* Appends a copy of r as kind. */
static int emit_as(rt_batch *out, const rt_record *r, rt_rowkind kind, rt_err *err)
{
    if (rt_batch_copy_record(out, r) != 0)
        return rt_err_set(err, RT_ENOMEM, "filter: out of memory");
    rt_batch_at(out, rt_batch_count(out) - 1)->kind = kind;
    return 0;
}

/* The pair (-U before, +U after) with their verdicts: both pass -> both, only before -> -D,
 * only after -> +I, neither -> nothing. */
static int emit_pair(filter_op *f, const rt_record *before, bool bpass, const rt_record *after,
                     bool apass, rt_batch *out, rt_err *err)
{
    int rc = 0;
    if (bpass && apass) {
        rc = emit_as(out, before, RT_ROW_UPDATE_BEFORE, err);
        if (rc == 0)
            rc = emit_as(out, after, RT_ROW_UPDATE_AFTER, err);
        return rc;
    }
    if (bpass)
        rc = emit_as(out, before, RT_ROW_DELETE, err);
    else if (apass)
        rc = emit_as(out, after, RT_ROW_INSERT, err);
    rt_metric_add(f->filtered, (bpass ? 0 : 1) + (apass ? 0 : 1));
    return rc;
}

/* A held -U whose +U never came (end of input, a checkpoint, another record): it left the
 * filtered set as far as anyone downstream can tell, so it goes out as a delete. */
static int filter_flush(void *self, op_tf *tf, rt_batch *out, rt_err *err)
{
    filter_op *f = self;
    if (!f->has_held)
        return 0;
    int rc = 0;
    if (f->held_pass)
        rc = emit_as(out, rt_batch_at_const(f->held, 0), RT_ROW_DELETE, err);
    else
        rt_metric_add(f->filtered, 1);
    f->has_held = false;
    rt_batch_unref(f->held);
    f->held = NULL;
    return rc;
}

static bool filter_pending(const void *self)
{
    return ((const filter_op *)self)->has_held;
}

static int filter_row(void *self, op_tf *tf, const op_tf_entry *e, const rt_batch *in, size_t *i,
                      rt_batch *out, rt_err *err)
{
    filter_op *f = self;
    const rt_record *r = rt_batch_at_const(in, *i);
    bool pass;
    int rc = test_row(e, r, &pass, err);
    if (rc != 0)
        return rc;
    (*i)++;
    if (f->has_held) {
        const rt_record *held = rt_batch_at_const(f->held, 0);
        if (r->kind == RT_ROW_UPDATE_AFTER && held->table == r->table) {
            rc = emit_pair(f, held, f->held_pass, r, pass, out, err);
            f->has_held = false;
            rt_batch_unref(f->held);
            f->held = NULL;
            return rc;
        }
        rc = filter_flush(f, tf, out, err);
        if (rc != 0)
            return rc;
    }
    if (r->kind == RT_ROW_UPDATE_BEFORE) {
        if (*i < rt_batch_count(in)) {
            const rt_record *next = rt_batch_at_const(in, *i);
            if (next->kind == RT_ROW_UPDATE_AFTER && next->table == r->table) {
                bool npass;
                rc = test_row(e, next, &npass, err);
                if (rc != 0)
                    return rc;
                (*i)++;
                return emit_pair(f, r, pass, next, npass, out, err);
            }
            /* A -U not followed by its +U: treat it alone, as the flush would. */
            if (!pass) {
                rt_metric_add(f->filtered, 1);
                return 0;
            }
            return emit_as(out, r, RT_ROW_DELETE, err);
        }
        /* The batch ends between the two images: keep a copy of the -U for the next batch. */
        f->held = rt_batch_new(NULL);
        if (!f->held || rt_batch_copy_record(f->held, r) != 0)
            return rt_err_set(err, RT_ENOMEM, "filter: out of memory");
        f->held_pass = pass;
        f->has_held = true;
        return 0;
    }
    if (!pass) {
        rt_metric_add(f->filtered, 1);
        return 0;
    }
    /* A +U whose -U was not seen (it went out alone) enters as an insert. */
    return emit_as(out, r, r->kind == RT_ROW_UPDATE_AFTER ? RT_ROW_INSERT : (rt_rowkind)r->kind,
                   err);
}

/* A filter passes every column through: output column k is input column k. */
static long same_column(const void *op, const op_tf_entry *e, size_t out_col)
{
    (void)op, (void)e;
    return (long)out_col;
}

static const op_tf_impl filter_impl = {
    .name = "filter",
    .derive = filter_derive,
    .data_free = bound_free,
    .row = filter_row,
    .pending = filter_pending,
    .flush = filter_flush,
    .source_column = same_column,
    .free = filter_free,
};

int op_filter_make(const void *config, const char *path, op_tf **out, rt_err *err)
{
    const filter_config *c = config;
    char p[512];
    snprintf(p, sizeof p, "%s.tables", path);
    op_tf_select *sel;
    int rc = op_tf_select_new(&c->tables, p, &sel, err);
    if (rc != 0)
        return rc;
    filter_op *f = calloc(1, sizeof *f);
    if (!f) {
        op_tf_select_free(sel);
        return rt_err_set(err, RT_ENOMEM, "%s: out of memory", path);
    }
    if (!c->where) {
        rc = rt_err_set(err, RT_EINVAL, "%s.where: required", path);
    } else {
        rc = op_expr_parse(c->where, &f->where, NULL, err);
        if (rc != 0)
            rt_err_prefix(err, rc, "%s.where", path);
    }
    if (rc != 0) {
        filter_free(f);
        op_tf_select_free(sel);
        return rc;
    }
    op_tf *tf = op_tf_new(&filter_impl, f, sel, NULL, NULL);
    if (!tf) {
        filter_free(f);
        op_tf_select_free(sel);
        return rt_err_set(err, RT_ENOMEM, "%s: out of memory", path);
    }
    *out = tf;
    return 0;
}

static int filter_validate(const void *config, const char *path, rt_err *err)
{
    return op_tf_validate(op_filter_make, config, path, err);
}

static int filter_open(op_ctx *ctx, const void *config, void **self, rt_err *err)
{
    int rc = op_tf_open(op_filter_make, ctx, config, self, err);
    if (rc == 0) {
        filter_op *f = op_tf_op(*self);
        f->filtered = op_ctx_counter(ctx, "sluice_transform_filtered_total",
                                     "row records the filter dropped", NULL, NULL);
    }
    return rc;
}

const op_type op_filter_type = {
    .info =
        {
            .name = "filter",
            .kind = GRAPH_KIND_TRANSFORM,
            .config = filter_fields,
            .config_size = sizeof(filter_config),
            .validate = filter_validate,
        },
    .help = "keeps the rows that meet a condition; updates crossing it become -D or +I",
    .open = filter_open,
    .process = op_tf_process,
    .prepare_snapshot = op_tf_prepare_snapshot,
    .finish = op_tf_finish,
    .close = op_tf_close,
};
