/* sink_evolve: the starrocks sink's schema evolution (issue 9), exactly once. An SC record whose
 * decision (sink_schema.h) needs target DDL is not applied at once: the rows before it sit in
 * the open transaction, which commits only when the next checkpoint completes, and StarRocks
 * must not see the new schema before them (a dropped column would fail their commit, a
 * truncate would run before rows it follows). So the DDL is queued per target, tagged with the
 * next checkpoint to be prepared, and the target's rows after it are formatted for the schema it
 * makes and queued behind it. The queue is part of each checkpoint's state. When checkpoint
 * n completes (after its commits), each target's DDL tagged <= n runs (behind sink_ddl.h's
 * idempotence check: a replay after a crash finds it applied) and the rows behind it go into
 * the open transaction; a later DDL waits for the checkpoint that commits those rows. A restore
 * does the same after committing the restored transactions. At-least-once applies at once
 * (its rows are committed as they are sent); without checkpoints finish() commits and applies in
 * turns.
 *
 * Memory: a target's queue holds its rows from a schema change to the completion of the next
 * checkpoint (two checkpoint intervals at most, plus the DDL's own time), and each checkpoint
 * state carries them. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operators/starrocks/starrocks_sink_int.h"
#include "runtime/base/log.h"

#define STATE_KEY "schema"

int op_sr_evolve_open(sr_sink *s, op_ctx *ctx, rt_err *err)
{
    int rc = op_sr_sc_policy_parse(s->c->schema_change, "starrocks.schema_change", &s->policy, err);
    size_t n = 0;
    if (rc == 0)
        rc = op_sr_sink_config_create_properties(s->c, "starrocks", &s->create_names,
                                                 &s->create_values, &n, err);
    if (rc == 0)
        rc = op_sr_ddl_conn_new(&s->query, &s->ddl, err);
    if (rc != 0)
        return rc;
    s->create = (op_sr_sc_create){.buckets = (unsigned)s->c->create_buckets,
                                  .property_names = (const char *const *)s->create_names,
                                  .property_values = (const char *const *)s->create_values,
                                  .property_count = n};
    const char *name = "sluice_starrocks_schema_changes_total";
    const char *help = "schema changes by outcome: applied to the target, skipped (the target "
                       "had it), ignored, converted (rows fitted to the target), failed";
    s->m_sc_applied = op_ctx_counter(ctx, name, help, "outcome", "applied");
    s->m_sc_skipped = op_ctx_counter(ctx, name, help, "outcome", "skipped");
    s->m_sc_ignored = op_ctx_counter(ctx, name, help, "outcome", "ignored");
    s->m_sc_converted = op_ctx_counter(ctx, name, help, "outcome", "converted");
    s->m_sc_failed = op_ctx_counter(ctx, name, help, "outcome", "failed");
    s->m_sc_pending =
        op_ctx_gauge(ctx, "sluice_starrocks_schema_change_pending",
                     "schema changes queued until a checkpoint completes", NULL, NULL);
    return 0;
}

void op_sr_evolve_close(sr_sink *s)
{
    op_sr_ddl_conn_free(s->ddl);
    s->ddl = NULL;
    free(s->create_names); /* one block with the values */
    s->create_names = s->create_values = NULL;
}

bool op_sr_evolve_is_queued(const target *t)
{
    return t->queue && op_sr_queue_count(t->queue) > 0;
}

const op_sr_table_meta *op_sr_evolve_meta(const target *t)
{
    return op_sr_evolve_is_queued(t) ? t->proj : t->meta;
}

bool op_sr_evolve_has_queued(const sr_sink *s)
{
    for (size_t i = 0; i < s->target_count; i++)
        if (op_sr_evolve_is_queued(&s->targets[i]))
            return true;
    return false;
}

static void update_gauge(sr_sink *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->target_count; i++)
        if (s->targets[i].queue)
            n += op_sr_queue_ddl_count(s->targets[i].queue);
    rt_metric_set(s->m_sc_pending, (int64_t)n);
}

static target *find_target(sr_sink *s, const char *name)
{
    for (size_t i = 0; i < s->target_count; i++)
        if (strcmp(s->targets[i].name, name) == 0)
            return &s->targets[i];
    return NULL;
}

/* Re-reads t's columns (NULL: the table is gone) and drops the row formats made for the old. */
static int refresh(sr_sink *s, target *t, rt_err *err)
{
    op_sr_table_meta *m = NULL;
    int rc = op_sr_ddl_fetch_meta(s->ddl, s->c->database, t->name, &m, err);
    if (rc == RT_ENOTFOUND) {
        rt_err_clear(err);
        rc = 0;
    }
    if (rc != 0)
        return rt_err_prefix(err, rc, "starrocks: %s.%s: after schema change", s->c->database,
                             t->name);
    if ((rc = op_sr_sink_reset_formats(s, t, err)) != 0) {
        op_sr_table_meta_free(m);
        return rc;
    }
    op_sr_table_meta_free(t->meta);
    t->meta = m;
    return 0;
}

/* Runs the operations of one schema change, logging and counting each. */
static int apply_ops(sr_sink *s, const op_sr_ddl_op *ops, size_t count, rt_err *err)
{
    const char *db = s->c->database;
    for (size_t i = 0; i < count; i++) {
        const op_sr_ddl_op *op = &ops[i];
        char what[400];
        op_sr_ddl_describe(op, what, sizeof what);
        const char *change = op_sr_sc_change_name(op->change);
        const char *behavior = op_sr_sc_behavior_name(op->behavior);
        op_sr_ddl_outcome outcome;
        int64_t ms = 0;
        int rc = op_sr_ddl_apply(s->ddl, db, op, s->policy.timeout_ms, &outcome, &ms, err);
        if (rc == 0 && outcome == OP_SR_DDL_APPLIED) {
            rt_metric_add(s->m_sc_applied, 1);
            LOG_INFO("%s: starrocks: %s.%s: %s (%s, %s): applied in %" PRId64 " ms", s->tag, db,
                     op->table, what, change, behavior, ms);
        } else if (rc == 0) {
            rt_metric_add(s->m_sc_skipped, 1);
            LOG_INFO("%s: starrocks: %s.%s: %s (%s, %s): skipped: already applied", s->tag, db,
                     op->table, what, change, behavior);
        } else if (rc == RT_EINVAL && op->behavior == OP_SR_SC_TRY_EVOLVE) {
            /* try_evolve: the target refused; its columns stay and the rows are fitted to them. */
            rt_metric_add(s->m_sc_converted, 1);
            LOG_WARN("%s: starrocks: %s.%s: %s (%s, %s): refused, rows are converted to the "
                     "target's columns: %s",
                     s->tag, db, op->table, what, change, behavior, err ? err->msg : "");
            rt_err_clear(err);
        } else {
            rt_metric_add(s->m_sc_failed, 1);
            LOG_ERROR("%s: starrocks: %s.%s: %s (%s, %s): failed: %s", s->tag, db, op->table, what,
                      change, behavior, err ? err->msg : "");
            return rt_err_prefix(err, rc, "starrocks: %s.%s: %s (%s, %s)", db, op->table, what,
                                 change, behavior);
        }
    }
    return 0;
}

/* Refreshes every target an operation touched (a renamed table's old and new names). */
static int refresh_touched(sr_sink *s, target *t, const op_sr_ddl_op *ops, size_t count,
                           rt_err *err)
{
    int rc = refresh(s, t, err);
    for (size_t i = 0; rc == 0 && i < count; i++) {
        target *o = ops[i].kind == OP_SR_DDL_RENAME_TABLE ? find_target(s, ops[i].table) : NULL;
        if (o && o != t)
            rc = refresh(s, o, err);
    }
    return rc;
}

static void log_notes(sr_sink *s, const char *table, const op_sr_sc_plan *p)
{
    for (size_t i = 0; i < p->note_count; i++) {
        const op_sr_sc_note *n = &p->notes[i];
        rt_metric_add(n->converted ? s->m_sc_converted : s->m_sc_ignored, 1);
        LOG_INFO("%s: starrocks: %s.%s: %s (%s, %s): %s", s->tag, s->c->database, table, n->text,
                 op_sr_sc_change_name(n->change), op_sr_sc_behavior_name(n->behavior),
                 n->converted ? "converted" : "ignored");
    }
}

int op_sr_evolve_record(sr_sink *s, op_ctx *ctx, const rt_record *r, rt_err *err)
{
    const rt_schema_change *sc = r->change;
    bool fixed = s->c->table != NULL;
    const char *name = fixed ? s->c->table : rt_table_name(r->table);
    target *t;
    int rc = op_sr_sink_target(s, ctx, name, true, &t, err);
    if (rc != 0)
        return rc;
    /* A renamed table's columns are the old name's. */
    const op_sr_table_meta *meta = op_sr_evolve_meta(t);
    op_sr_table_meta *fetched = NULL;
    if (sc && sc->kind == RT_SCHEMA_RENAME_TABLE && !fixed && sc->before) {
        target *old = find_target(s, rt_table_name(sc->before));
        if (old) {
            meta = op_sr_evolve_meta(old);
        } else {
            rc = op_sr_ddl_fetch_meta(s->ddl, s->c->database, rt_table_name(sc->before), &fetched,
                                      err);
            if (rc == RT_ENOTFOUND) {
                rt_err_clear(err);
                rc = 0;
            }
            meta = fetched;
        }
    }
    op_sr_sc_plan plan = {0};
    if (rc == 0)
        rc = op_sr_sc_plan_make(&s->policy, r, s->c->database, name, fixed, meta, &s->create, &plan,
                                err);
    op_sr_table_meta_free(fetched);
    if (rc != 0) {
        rt_metric_add(s->m_sc_failed, 1);
        LOG_ERROR("%s: %s", s->tag, err ? err->msg : "starrocks: schema change failed");
        return rc;
    }
    log_notes(s, name, &plan);
    if (plan.op_count == 0) {
        op_sr_sc_plan_fini(&plan);
        return 0;
    }
    /* The rows before the change go where they belong first: into the open transaction. */
    rc = op_sr_sink_flush_target(s, t, err);
    if (rc == 0)
        rc = op_sr_sender_wait(s->sender, err);
    if (rc == 0 && !s->exactly_once) {
        /* At-least-once: those rows are committed now, so the change can run at once. */
        rc = apply_ops(s, plan.ops, plan.op_count, err);
        if (rc == 0)
            rc = refresh_touched(s, t, plan.ops, plan.op_count, err);
        op_sr_sc_plan_fini(&plan);
        return rc;
    }
    if (rc == 0 && !t->queue)
        rc = op_sr_queue_new(&t->queue, err);
    uint64_t tag = s->checkpointing ? s->last_prepared + 1 : 0;
    if (rc == 0)
        rc = op_sr_queue_push_ddl(t->queue, tag, plan.ops, plan.op_count,
                                  rt_table_qualified(r->table), sc ? sc->ddl : "",
                                  sc && sc->ddl ? sc->ddl_len : 0, err);
    if (rc == 0)
        rc = op_sr_sink_reset_formats(s, t, err);
    if (rc == 0) {
        op_sr_table_meta_free(t->proj);
        t->proj = plan.after;
        plan.after = NULL;
        LOG_INFO("%s: starrocks: %s.%s: %zu schema change operations queued until checkpoint "
                 "%" PRIu64 " completes: %.*s",
                 s->tag, s->c->database, name, plan.op_count, tag,
                 (int)(sc && sc->ddl ? (sc->ddl_len > 200 ? 200 : sc->ddl_len) : 0),
                 sc && sc->ddl ? sc->ddl : "");
    }
    op_sr_sc_plan_fini(&plan);
    update_gauge(s);
    return rc;
}

int op_sr_evolve_apply(sr_sink *s, op_ctx *ctx, uint64_t upto, rt_err *err)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < s->target_count; i++) {
        target *t = &s->targets[i];
        if (!op_sr_evolve_is_queued(t))
            continue;
        bool loaded = false;
        op_sr_item *it;
        while (rc == 0 && (it = op_sr_queue_head(t->queue))) {
            if (it->kind == OP_SR_ITEM_DDL) {
                /* Rows loaded from the queue just now precede it: they commit first. */
                if (loaded || it->checkpoint > upto || t->ddl_wait > upto)
                    break;
                LOG_INFO("%s: starrocks: %s.%s: applying the schema change of %s: %s", s->tag,
                         s->c->database, t->name, it->source, it->ddl);
                rc = apply_ops(s, it->ops, it->op_count, err);
                if (rc == 0)
                    rc = refresh_touched(s, t, it->ops, it->op_count, err);
            } else {
                /* Formatted for the table the DDL was to make: a refused try_evolve change
                 * leaves columns the rows carry out of it. */
                bool fitted = false;
                if (t->meta)
                    rc = op_sr_queue_fit_head(t->queue, t->meta, s->c->format == OP_SR_FORMAT_JSON,
                                              &fitted, err);
                if (fitted)
                    LOG_INFO("%s: starrocks: %s.%s: %" PRIu64 " queued rows fitted to the "
                             "table's columns",
                             s->tag, s->c->database, t->name, it->rows);
                if (rc == 0)
                    rc = op_sr_sink_send_body(s, t, it->body.data, it->body.len, it->rows,
                                              it->columns, err);
                loaded = true;
                t->ddl_wait = s->last_prepared + 1;
            }
            if (rc == 0)
                op_sr_queue_pop(t->queue);
        }
        if (rc == 0 && !op_sr_evolve_is_queued(t)) {
            /* Caught up: the rows go to the transaction again, formatted for the live table. */
            rc = op_sr_sink_reset_formats(s, t, err);
            op_sr_table_meta_free(t->proj);
            t->proj = NULL;
        }
    }
    update_gauge(s);
    return rc;
}

int op_sr_evolve_snapshot(sr_sink *s, op_ctx *ctx, rt_err *err)
{
    size_t n = 0;
    const char **tables = calloc(s->target_count + 1, sizeof *tables);
    op_sr_queue **queues = calloc(s->target_count + 1, sizeof *queues);
    int rc = !tables || !queues ? rt_err_set(err, RT_ENOMEM, "out of memory") : 0;
    for (size_t i = 0; rc == 0 && i < s->target_count; i++) {
        if (op_sr_evolve_is_queued(&s->targets[i])) {
            tables[n] = s->targets[i].name;
            queues[n++] = s->targets[i].queue;
        }
    }
    /* No queue, no key: a restore finds none and has nothing to apply. */
    if (rc == 0 && n > 0) {
        char *text = NULL;
        size_t len = 0;
        rc = op_sr_queue_encode(tables, queues, n, &text, &len, err);
        if (rc == 0)
            rc = op_ctx_state_put(ctx, STATE_KEY, text, len, err);
        free(text);
    }
    free(tables);
    free(queues);
    return rc;
}

/* What t's queued DDL leaves of the table: its live columns with every queued op applied. */
static int project_queue(sr_sink *s, target *t, rt_err *err)
{
    op_sr_table_meta *m = NULL;
    int rc = t->meta ? op_sr_table_meta_copy(t->meta, &m, err) : 0;
    for (size_t k = 0; rc == 0 && k < op_sr_queue_count(t->queue); k++) {
        const op_sr_item *it = op_sr_queue_at(t->queue, k);
        for (size_t j = 0; rc == 0 && it->kind == OP_SR_ITEM_DDL && j < it->op_count; j++) {
            const op_sr_ddl_op *op = &it->ops[j];
            op_sr_table_meta *old = NULL;
            if (op->kind == OP_SR_DDL_RENAME_TABLE) {
                rc = op_sr_ddl_fetch_meta(s->ddl, s->c->database, op->table, &old, err);
                if (rc == RT_ENOTFOUND) {
                    rt_err_clear(err);
                    rc = 0;
                }
            }
            if (rc == 0)
                rc = op_sr_sc_project(op, &m, &old, err);
            op_sr_table_meta_free(old);
        }
    }
    if (rc != 0) {
        op_sr_table_meta_free(m);
        return rc;
    }
    op_sr_table_meta_free(t->proj);
    t->proj = m;
    return 0;
}

int op_sr_evolve_restore(sr_sink *s, op_ctx *ctx, rt_err *err)
{
    char *val = NULL;
    size_t len = 0;
    int rc = op_ctx_state_get(ctx, STATE_KEY, &val, &len, err);
    if (rc == RT_ENOTFOUND) {
        rt_err_clear(err);
        return 0;
    }
    if (rc != 0)
        return rc;
    op_sr_queue_set set = {0};
    rc = op_sr_queue_decode(val, len, &set, err);
    free(val);
    for (size_t i = 0; rc == 0 && i < set.count; i++) {
        target *t;
        rc = op_sr_sink_target(s, ctx, set.tables[i], true, &t, err);
        if (rc == 0) {
            op_sr_queue_free(t->queue);
            t->queue = set.queues[i];
            set.queues[i] = NULL;
            rc = project_queue(s, t, err);
        }
        if (rc == 0)
            LOG_INFO("%s: starrocks: %s.%s: restored %zu queued schema changes", s->tag,
                     s->c->database, t->name, op_sr_queue_ddl_count(t->queue));
    }
    op_sr_queue_set_free(&set);
    /* Every restored change's rows before it are committed now (the restore committed them). */
    return rc != 0 ? rc : op_sr_evolve_apply(s, ctx, UINT64_MAX, err);
}
