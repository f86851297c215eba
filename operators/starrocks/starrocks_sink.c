/* The starrocks sink: change records into StarRocks tables through Stream Load (notes §3, §4,
 * §8; DESIGN.md §3). Exactly once by mapping the transaction interface onto checkpoints, as the
 * official connector does (notes §4.3, §4.4):
 *   process        rows -> per-target buffers; a full buffer is `load`ed into the target's
 *                  transaction of this interval, begun lazily (never an empty transaction)
 *   prepare(n)     load the rest, `prepare` every open transaction (pre-commit)
 *   snapshot(n)    record the prepared labels not yet committed and each table's next id
 *   complete(n)    `commit` every prepared label of checkpoints <= n (committed = fine)
 *   aborted(n)     keep them: the next completed checkpoint commits them
 *   restore(n)     commit the labels n recorded, roll back this subtask's later ones
 * Without checkpoints, finish() prepares and commits. At-least-once sends a plain Stream Load
 * per flush under a fresh label. Schema-change records change the target (sink_evolve.c): rows
 * after one wait in its queue until the DDL may run, once the rows before it are committed.
 * Sends run on the subtask's sender thread (sink_sender.h), one at a time and in order, while the
 * task formats the next body: a full body waits for the one in flight, and the task waits for it
 * before it uses the client or the ledger itself (prepare, commit, a new target, close); a failed
 * send fails the next flush, prepare or finish. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operators/starrocks/starrocks_sink_int.h"
#include "runtime/base/clock.h"
#include "runtime/base/failpoint.h"
#include "runtime/base/log.h"

/* Labels tried past ones an earlier run left committed, on a fresh start (see begin_txn). */
#define MAX_LABEL_SKIPS 100000

/* The Stream Load parameters of a target's loads; identical for every load of a transaction
 * (the BE compares them, notes §2.4). */
static void load_props(const sr_sink *s, const target *t, op_stream_load_props *p)
{
    memset(p, 0, sizeof *p);
    p->format = op_sr_format_name((op_sr_format)s->c->format);
    if (s->c->format == OP_SR_FORMAT_CSV) {
        p->columns = t->txn_columns;
        p->column_separator = OP_SR_CSV_COLUMN_SEPARATOR;
        p->row_delimiter = OP_SR_CSV_ROW_DELIMITER;
    }
    p->extra = s->extra;
    p->extra_count = s->extra_count;
}

static void target_fini(target *t)
{
    free(t->name);
    op_sr_table_meta_free(t->meta);
    for (size_t i = 0; i < t->format_count; i++)
        op_sr_row_format_free(t->formats[i].fmt);
    free(t->formats);
    free(t->txn_columns);
    rt_buf_fini(&t->body);
    op_sr_queue_free(t->queue);
    op_sr_table_meta_free(t->proj);
}

/* --- Labels and transactions --- */

/* Begins the transaction of target t for this interval. Deterministic labels can be taken:
 * by a leftover of a crashed attempt (RUNNING: roll it back and take the label again), or, on a
 * table this run has no state for, by an earlier run of the same job (FINISHED: its data is in;
 * skip the id). A FINISHED label of a table the checkpoint knows means the job restored from
 * an older checkpoint than the newest: committing more would duplicate, so it fails (notes
 * §4.4, §4.5). */
static int begin_txn(sr_sink *s, target *t, rt_err *err)
{
    const char *db = s->c->database;
    for (unsigned tries = 0;; tries++) {
        char label[OP_SR_LABEL_MAX + 1];
        uint64_t id = op_sr_ledger_next_id(s->ledger, t->ledger_idx);
        int rc = op_sr_ledger_label(s->ledger, t->ledger_idx, NULL, id, label, sizeof label, err);
        if (rc != 0)
            return rc;
        op_sr_result res;
        rc = op_stream_load_begin(s->client, db, t->name, label, (int)(s->c->txn_timeout_ms / 1000),
                                  0, &res, err);
        if (rc == 0) {
            op_sr_ledger_begun(s->ledger, t->ledger_idx, label);
            rt_metric_add(s->m_begun, 1);
            LOG_DEBUG("%s: starrocks: began %s", s->tag, label);
            return 0;
        }
        if (rc != RT_EEXIST || tries > MAX_LABEL_SKIPS)
            return rc;
        if (res.outcome == OP_SR_LABEL_FINISHED) {
            if (t->restored)
                return rt_err_set(err, RT_ESTATE,
                                  "starrocks: label '%s' is already committed: the job restored "
                                  "from an older checkpoint than its newest, or another job "
                                  "uses label_prefix '%s'; use a new label_prefix",
                                  label, s->prefix);
            LOG_WARN("%s: starrocks: label %s was committed by an earlier run; skipping its id",
                     s->tag, label);
            op_sr_ledger_skip(s->ledger, t->ledger_idx);
            continue;
        }
        /* RUNNING (or unknown): a leftover of a crashed attempt holds it. */
        LOG_INFO("%s: starrocks: label %s is held by a leftover transaction; rolling it back",
                 s->tag, label);
        rt_err_clear(err);
        rc = op_stream_load_rollback(s->client, db, label, &res, err);
        if (rc != 0 && rc != RT_ENOTFOUND)
            return rt_err_prefix(err, rc, "starrocks: roll back leftover '%s'", label);
        rt_metric_add(s->m_aborted, 1);
        rt_err_clear(err);
        if (tries > 3)
            return rt_err_set(err, RT_EEXIST, "starrocks: label '%s' stays in use", label);
    }
}

/* Rows rejected but within max_filter_ratio: the load succeeded, the rows are gone; say so. */
static void note_filtered(sr_sink *s, const char *what, const op_sr_result *res)
{
    if (res->filtered_rows > 0) {
        rt_metric_add(s->m_filtered, (uint64_t)res->filtered_rows);
        LOG_WARN("%s: starrocks: %s: %" PRId64 " rows filtered (max_filter_ratio %s): %s", s->tag,
                 what, res->filtered_rows, s->filter_ratio, res->error_url);
    }
}

/* Sends a job's body: into its target's transaction (exactly-once; begun on the first load) or
 * as a Stream Load. Runs on the sender thread (op_sr_send_fn). */
static int send_run(void *arg, rt_err *err)
{
    send_job *j = arg;
    sr_sink *s = j->s;
    target *t = j->t;
    int64_t start = rt_clock_mono_ns();
    const char *db = s->c->database;
    const char *columns = j->columns;
    op_sr_result res;
    int rc = 0;
    if (s->exactly_once) {
        if (!op_sr_ledger_is_open(s->ledger, t->ledger_idx)) {
            free(t->txn_columns);
            if (!(t->txn_columns = strdup(columns)))
                return rt_err_set(err, RT_ENOMEM, "out of memory");
            if ((rc = begin_txn(s, t, err)) != 0)
                return rt_err_prefix(err, rc, "starrocks: %s.%s: begin", db, t->name);
        } else if (s->c->format == OP_SR_FORMAT_CSV && strcmp(t->txn_columns, columns) != 0) {
            /* CSV loads of one transaction share one `columns` header. */
            return rt_err_set(err, RT_EUNSUPPORTED,
                              "starrocks: %s.%s: the source's columns changed within a "
                              "checkpoint interval (%s -> %s), as two sources routed to one "
                              "table with different columns do; use format json",
                              db, t->name, t->txn_columns, columns);
        }
        const char *label = op_sr_ledger_open_label(s->ledger, t->ledger_idx);
        op_stream_load_props p;
        load_props(s, t, &p);
        rc = op_stream_load_load(s->client, db, t->name, label, &p, j->body.data, j->body.len, &res,
                                 err);
        if (rc != 0) {
            /* A failed load aborts the transaction (notes §2.4): its rows come again after the
             * restart, from the checkpointed source position, under a fresh transaction. */
            op_sr_ledger_drop_open(s->ledger, t->ledger_idx);
            rt_metric_add(s->m_aborted, 1);
            return rt_err_prefix(err, rc, "starrocks: %s.%s: load into '%s'", db, t->name, label);
        }
    } else {
        free(t->txn_columns);
        if (!(t->txn_columns = strdup(columns)))
            return rt_err_set(err, RT_ENOMEM, "out of memory");
        char label[OP_SR_LABEL_MAX + 1];
        rc = op_sr_ledger_label(s->ledger, t->ledger_idx, NULL, s->alo_base + s->alo_seq++, label,
                                sizeof label, err);
        op_stream_load_props p;
        load_props(s, t, &p);
        if (rc == 0)
            rc = op_stream_load_put(s->client, db, t->name, label, &p, j->body.data, j->body.len,
                                    &res, err);
        if (rc == RT_EEXIST) {
            /* A retry racing the first attempt: wait for the label to settle. */
            op_sr_load_state st = OP_SR_STATE_UNKNOWN;
            for (int i = 0; i < 600 && !op_sr_load_state_is_terminal(st); i++) {
                if (op_stream_load_get_load_state(s->client, db, label, &st, NULL) != 0 ||
                    op_sr_load_state_is_committed(st))
                    break;
                rt_sleep_ms(100);
            }
            rt_err_clear(err);
            rc = op_sr_load_state_is_committed(st) ? 0
                                                   : rt_err_set(err, RT_EIO, "label '%s' ended %s",
                                                                label, op_sr_load_state_name(st));
        }
        if (rc != 0)
            return rt_err_prefix(err, rc, "starrocks: %s.%s: stream load", db, t->name);
    }
    note_filtered(s, t->name, &res);
    rt_metric_add(t->rows_total, j->rows);
    rt_metric_add(t->bytes_total, j->body.len);
    rt_metric_set_double(s->m_latency, (double)(rt_clock_mono_ns() - start) / 1e9);
    return 0;
}

/* Hands t's buffered rows to the sender thread: waits for the send in flight (its error, or an
 * earlier one, is returned here), swaps its emptied buffer with t's, and submits. */
int op_sr_sink_flush_target(sr_sink *s, target *t, rt_err *err)
{
    if (t->body.len == 0)
        return 0;
    int rc = op_sr_sender_wait(s->sender, err);
    if (rc != 0)
        return rc;
    send_job *j = &s->job;
    rt_buf sent = j->body;
    j->body = t->body;
    t->body = sent;
    rt_buf_reset(&t->body);
    j->t = t;
    j->rows = t->body_rows;
    j->columns = op_sr_row_format_columns(t->current);
    t->body_rows = 0;
    return op_sr_sender_submit(s->sender, send_run, j, err);
}

/* Sends every target's buffered rows and waits until they are in. */
static int flush_all(sr_sink *s, rt_err *err)
{
    for (size_t i = 0; i < s->target_count; i++) {
        int rc = op_sr_sink_flush_target(s, &s->targets[i], err);
        if (rc != 0)
            return rc;
    }
    return op_sr_sender_wait(s->sender, err);
}

/* Prepares every open transaction under checkpoint ckpt. */
int op_sr_sink_prepare_all(sr_sink *s, uint64_t ckpt, rt_err *err)
{
    for (size_t i = 0; i < s->target_count; i++) {
        target *t = &s->targets[i];
        if (!op_sr_ledger_is_open(s->ledger, t->ledger_idx))
            continue;
        char label[OP_SR_LABEL_MAX + 1];
        snprintf(label, sizeof label, "%s", op_sr_ledger_open_label(s->ledger, t->ledger_idx));
        op_sr_result res;
        int rc = op_stream_load_prepare(s->client, s->c->database, label,
                                        (int)(s->c->prepared_timeout_ms / 1000), &res, err);
        if (rc != 0) {
            /* Prepare failed: the transaction is rolled back (notes §2.5); make sure of it. */
            op_sr_ledger_drop_open(s->ledger, t->ledger_idx);
            op_sr_result rb;
            op_stream_load_rollback(s->client, s->c->database, label, &rb, NULL);
            rt_metric_add(s->m_aborted, 1);
            return rt_err_prefix(err, rc, "starrocks: %s.%s: prepare '%s'", s->c->database, t->name,
                                 label);
        }
        note_filtered(s, label, &res);
        if ((rc = op_sr_ledger_prepared(s->ledger, t->ledger_idx, ckpt, err)) != 0)
            return rc;
    }
    return 0;
}

/* Commits the prepared transactions of checkpoints <= upto, oldest first; each one is dropped
 * from the ledger once committed, so a failure leaves the rest for the restore. */
int op_sr_sink_commit_upto(sr_sink *s, uint64_t upto, rt_err *err)
{
    size_t done = 0;
    while (op_sr_ledger_pending_count(s->ledger) > 0) {
        const op_sr_pending *p = op_sr_ledger_pending_at(s->ledger, 0);
        if (p->checkpoint > upto)
            break;
        int rc = FAILPOINT("sink.before_commit", err);
        op_sr_result res;
        if (rc == 0)
            rc = op_stream_load_commit(s->client, op_sr_ledger_table_db(s->ledger, p->table),
                                       p->label, &res, err);
        if (rc != 0)
            return rt_err_prefix(err, rc, "starrocks: commit '%s' (checkpoint %" PRIu64 ")",
                                 p->label, p->checkpoint);
        LOG_DEBUG("%s: starrocks: committed %s", s->tag, p->label);
        op_sr_ledger_pending_remove(s->ledger, 0);
        rt_metric_add(s->m_committed, 1);
        done++;
    }
    return done ? FAILPOINT("sink.after_commit", err) : 0;
}

/* --- Targets --- */

int op_sr_sink_target(sr_sink *s, op_ctx *ctx, const char *name, bool absent_ok, target **out,
                      rt_err *err)
{
    for (size_t i = 0; i < s->target_count; i++) {
        if (strcmp(s->targets[i].name, name) == 0) {
            *out = &s->targets[i];
            return 0;
        }
    }
    /* The send in flight holds a target pointer and uses the ledger: let it end first. */
    int rc = op_sr_sender_wait(s->sender, err);
    if (rc != 0)
        return rc;
    if (s->target_count == s->target_cap) {
        size_t cap = s->target_cap ? s->target_cap * 2 : 4;
        target *p = realloc(s->targets, cap * sizeof *p);
        if (!p)
            return rt_err_set(err, RT_ENOMEM, "out of memory");
        s->targets = p;
        s->target_cap = cap;
        s->last_table = NULL; /* the cache points into the old array */
    }
    target *t = &s->targets[s->target_count];
    memset(t, 0, sizeof *t);
    rt_buf_init(&t->body);
    size_t known = op_sr_ledger_table_count(s->ledger);
    if (!(t->name = strdup(name)))
        rc = rt_err_set(err, RT_ENOMEM, "out of memory");
    if (rc == 0)
        rc = op_sr_ledger_table(s->ledger, s->c->database, name, &t->ledger_idx, err);
    if (rc == 0)
        rc = op_sr_table_meta_fetch(&s->query, s->c->database, name, &t->meta, err);
    if (rc == RT_ENOTFOUND && absent_ok) {
        rt_err_clear(err);
        rc = 0;
    }
    if (rc != 0) {
        target_fini(t);
        return rt_err_prefix(err, rc, "starrocks: target %s.%s", s->c->database, name);
    }
    t->restored = t->ledger_idx < known && op_ctx_restored_checkpoint(ctx) > 0;
    char qualified[600];
    snprintf(qualified, sizeof qualified, "%s.%s", s->c->database, name);
    t->rows_total = op_ctx_counter(ctx, "sluice_starrocks_rows_total",
                                   "rows sent to StarRocks per target table", "table", qualified);
    t->bytes_total =
        op_ctx_counter(ctx, "sluice_starrocks_bytes_total",
                       "body bytes sent to StarRocks per target table", "table", qualified);
    if (t->meta)
        LOG_INFO("%s: starrocks: target %s is a %s table of %zu columns", s->tag, qualified,
                 op_sr_table_model_name(op_sr_table_meta_model(t->meta)),
                 op_sr_table_meta_column_count(t->meta));
    else
        LOG_INFO("%s: starrocks: target %s does not exist (yet)", s->tag, qualified);
    *out = t;
    s->target_count++;
    return 0;
}

/* The target of rows of `table` (cached for runs of one table). */
static int target_for(sr_sink *s, op_ctx *ctx, const rt_table *table, target **out, rt_err *err)
{
    if (s->last_table == table) {
        *out = &s->targets[s->last_target];
        return 0;
    }
    const char *name = s->c->table ? s->c->table : rt_table_name(table);
    target *t;
    int rc = op_sr_sink_target(s, ctx, name, true, &t, err);
    if (rc != 0)
        return rc;
    s->last_table = table;
    s->last_target = (size_t)(t - s->targets);
    *out = t;
    return 0;
}

int op_sr_sink_reset_formats(sr_sink *s, target *t, rt_err *err)
{
    /* The send in flight borrows the `columns` of a format. */
    int rc = op_sr_sender_wait(s->sender, err);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < t->format_count; i++)
        op_sr_row_format_free(t->formats[i].fmt);
    t->format_count = 0;
    t->current = NULL;
    return 0;
}

int op_sr_sink_send_body(sr_sink *s, target *t, const char *data, size_t len, uint64_t rows,
                         const char *columns, rt_err *err)
{
    int rc = op_sr_sender_wait(s->sender, err);
    if (rc != 0)
        return rc;
    send_job *j = &s->job;
    rt_buf_reset(&j->body);
    rt_buf_append(&j->body, data, len);
    j->t = t;
    j->rows = rows;
    j->columns = columns;
    rc = op_sr_sender_submit(s->sender, send_run, j, err);
    return rc != 0 ? rc : op_sr_sender_wait(s->sender, err);
}

/* The format of `table`'s rows for t, made on first use. */
static int format_for(sr_sink *s, target *t, const rt_table *table, op_sr_row_format **out,
                      rt_err *err)
{
    for (size_t i = 0; i < t->format_count; i++) {
        if (t->formats[i].table == table) {
            *out = t->formats[i].fmt;
            return 0;
        }
    }
    target_format *p = realloc(t->formats, (t->format_count + 1) * sizeof *p);
    if (!p)
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    t->formats = p;
    const op_sr_table_meta *meta = op_sr_evolve_meta(t);
    char qualified[600];
    snprintf(qualified, sizeof qualified, "%s.%s", s->c->database, t->name);
    if (!meta)
        return rt_err_set(err, RT_ENOTFOUND,
                          "starrocks: target %s does not exist (create it, or let the sink's "
                          "schema_change behaviour create it from the source's CREATE TABLE)",
                          qualified);
    op_sr_row_format_options o = {
        .format = (op_sr_format)s->c->format,
        .model = op_sr_table_meta_model(meta),
        .append_changes = s->c->append_changes,
    };
    op_sr_row_format *f;
    int rc = op_sr_row_format_new(&o, table, meta, qualified, &f, err);
    if (rc != 0)
        return rc;
    if (op_sr_row_format_dropped_count(f) > 0)
        LOG_WARN("%s: starrocks: %zu columns of %s are not in %s and are not sent", s->tag,
                 op_sr_row_format_dropped_count(f), rt_table_qualified(table), qualified);
    t->formats[t->format_count++] = (target_format){.table = table, .fmt = f};
    *out = f;
    return 0;
}

/* --- The operator --- */

static void sink_free(sr_sink *s, op_ctx *ctx)
{
    /* The send in flight ends (within the client's timeouts) before the thread stops. */
    op_sr_sender_stop(s->sender);
    s->sender = NULL;
    /* Open transactions die with this attempt; rolling them back spares the server the wait for
     * their timeout (their rows come again from the checkpoint). Prepared ones stay: a
     * checkpoint may hold them. */
    for (size_t i = 0; i < s->target_count; i++) {
        target *t = &s->targets[i];
        if (s->client && s->ledger && s->exactly_once &&
            op_sr_ledger_is_open(s->ledger, t->ledger_idx)) {
            op_sr_result res;
            if (op_stream_load_rollback(s->client, s->c->database,
                                        op_sr_ledger_open_label(s->ledger, t->ledger_idx), &res,
                                        NULL) == 0)
                rt_metric_add(s->m_aborted, 1);
        }
        target_fini(t);
    }
    free(s->targets);
    op_sr_evolve_close(s);
    rt_buf_fini(&s->job.body);
    op_stream_load_free(s->client);
    op_sr_ledger_free(s->ledger);
    op_sr_sink_config_password_free(s->password);
    free(s->query_host);
    free(s->prefix);
    free(s->hdr_names);
    free(s->extra);
    free(s);
}

/* The default label prefix: {job}-{vertex}, characters outside [-\w] as '_', at most 64. */
static char *default_prefix(op_ctx *ctx)
{
    char buf[65];
    snprintf(buf, sizeof buf, "%s-%s", op_ctx_job_name(ctx), op_ctx_vertex_id(ctx));
    for (char *p = buf; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-'))
            *p = '_';
    }
    return strdup(buf);
}

static int sr_open(op_ctx *ctx, const void *config, void **self, rt_err *err)
{
    const op_sr_sink_config *c = config;
    sr_sink *s = calloc(1, sizeof *s);
    if (!s)
        return rt_err_set(err, RT_ENOMEM, "starrocks: out of memory");
    s->c = c;
    s->tag = op_ctx_log_tag(ctx);
    s->subtask = op_ctx_subtask(ctx);
    s->checkpointing = op_ctx_checkpointing(ctx);
    s->exactly_once = c->semantic == OP_SR_EXACTLY_ONCE;
    const char *path = "starrocks";
    int rc = op_sr_sink_config_flush(c, path, &s->flush, err);
    if (rc == 0)
        rc = op_sr_sink_config_password(c, path, &s->password, err);
    if (rc == 0)
        rc = op_sr_sink_config_query_addr(c, path, &s->query_host, &s->query.port, err);
    if (rc == 0)
        rc =
            op_sr_sink_config_headers(c, path, &s->hdr_names, &s->hdr_values, &s->extra_count, err);
    if (rc != 0)
        goto fail;
    s->query.host = s->query_host;
    s->query.user = c->user;
    s->query.password = s->password;
    s->query.timeout_ms = (int)(c->connect_timeout_ms > 60000 ? 60000 : c->connect_timeout_ms);
    /* max_filter_ratio is always sent: StarRocks itself then fails a load past it, with the
     * ErrorURL in its reply (notes §7.3). */
    snprintf(s->filter_ratio, sizeof s->filter_ratio, "%.17g", c->max_filter_ratio);
    s->extra = calloc(s->extra_count + 3, sizeof *s->extra);
    if (!s->extra) {
        rc = rt_err_set(err, RT_ENOMEM, "starrocks: out of memory");
        goto fail;
    }
    for (size_t i = 0; i < s->extra_count; i++)
        s->extra[i] = (op_sr_header){s->hdr_names[i], s->hdr_values[i]};
    s->extra[s->extra_count++] = (op_sr_header){"max_filter_ratio", s->filter_ratio};
    if (c->format == OP_SR_FORMAT_CSV) {
        /* The dialect of row_format.h: fields holding separators are enclosed (StarRocks 3.0+). */
        s->extra[s->extra_count++] = (op_sr_header){"enclose", OP_SR_CSV_ENCLOSE};
        s->extra[s->extra_count++] = (op_sr_header){"escape", OP_SR_CSV_ESCAPE};
    }

    op_stream_load_config lc = {
        .load_urls = (const char *const *)c->load_url.items,
        .load_url_count = c->load_url.count,
        .user = c->user,
        .password = s->password,
        .connect_timeout_ms = c->connect_timeout_ms,
        .socket_timeout_ms = c->socket_timeout_ms,
        .max_retries = (int)c->max_retries,
        .log_context = s->tag,
    };
    if ((rc = op_stream_load_new(&lc, &s->client, err)) != 0)
        goto fail;
    rt_buf_init(&s->job.body);
    s->job.s = s;
    s->prefix = c->label_prefix ? strdup(c->label_prefix) : default_prefix(ctx);
    if (!s->prefix) {
        rc = rt_err_set(err, RT_ENOMEM, "starrocks: out of memory");
        goto fail;
    }
    if ((rc = op_sr_ledger_new(s->prefix, s->subtask, &s->ledger, err)) != 0)
        goto fail;
    /* At-least-once labels only have to be unique: the start time in microseconds, counted up. */
    s->alo_base = (uint64_t)rt_clock_wall_ms() * 1000u;
    s->m_begun = op_ctx_counter(ctx, "sluice_starrocks_transactions_begun_total",
                                "StarRocks transactions begun", NULL, NULL);
    s->m_committed = op_ctx_counter(ctx, "sluice_starrocks_transactions_committed_total",
                                    "StarRocks transactions committed", NULL, NULL);
    s->m_aborted = op_ctx_counter(ctx, "sluice_starrocks_transactions_aborted_total",
                                  "StarRocks transactions rolled back", NULL, NULL);
    s->m_latency = op_ctx_gauge_double(ctx, "sluice_starrocks_flush_latency_seconds",
                                       "duration of the last flush to StarRocks", NULL, NULL);
    s->m_filtered = op_ctx_counter(ctx, "sluice_starrocks_rows_filtered_total",
                                   "rows StarRocks rejected within max_filter_ratio", NULL, NULL);
    if ((rc = op_sr_evolve_open(s, ctx, err)) != 0)
        goto fail;
    /* Before the restore: it loads the rows queued behind restored schema changes. */
    if ((rc = op_sr_sender_start(&s->sender, err)) != 0)
        goto fail;
    uint64_t ckpt = s->checkpointing ? op_ctx_restored_checkpoint(ctx) : 0;
    if (s->exactly_once && ckpt > 0 && (rc = op_sr_sink_restore(s, ctx, ckpt, err)) != 0)
        goto fail;
    LOG_INFO("%s: starrocks: %s into %s, label prefix %s, %s", s->tag,
             op_sr_semantic_name((op_sr_semantic)c->semantic), c->database, s->prefix,
             op_sr_format_name((op_sr_format)c->format));
    *self = s;
    return 0;
fail:
    sink_free(s, ctx);
    return rc;
}

static int sr_process(void *self, op_ctx *ctx, size_t input, rt_batch *batch, rt_err *err)
{
    sr_sink *s = self;
    size_t n = rt_batch_count(batch);
    for (size_t i = 0; i < n; i++) {
        const rt_record *r = rt_batch_at_const(batch, i);
        if (r->kind == RT_ROW_SCHEMA_CHANGE) {
            s->schema_changes++;
            int rc = op_sr_evolve_record(s, ctx, r, err);
            if (rc != 0)
                return rc;
            continue;
        }
        target *t;
        op_sr_row_format *f;
        int rc = target_for(s, ctx, r->table, &t, err);
        if (rc == 0)
            rc = format_for(s, t, r->table, &f, err);
        if (rc != 0)
            return rc;
        if (op_sr_evolve_is_queued(t)) {
            /* After a schema change that waits for its checkpoint: into the queue, formatted
             * for the table the change makes. */
            rt_buf *q;
            bool written = false;
            rc = op_sr_queue_body(t->queue, op_sr_row_format_columns(f), &q, err);
            const rt_record *nx = i + 1 < n ? rt_batch_at_const(batch, i + 1) : NULL;
            if (rc == 0 && r->kind == RT_ROW_UPDATE_BEFORE &&
                !(nx && nx->kind == RT_ROW_UPDATE_AFTER && op_sr_row_format_same_key(f, r, nx))) {
                size_t before = q->len;
                rc = op_sr_row_format_append_delete(f, r, q, err);
                written = q->len > before;
            } else if (rc == 0) {
                rc = op_sr_row_format_append(f, r, q, &written, err);
            }
            if (rc == 0)
                op_sr_queue_rows_added(t->queue, written ? 1 : 0);
            if (rc != 0)
                return rt_err_prefix(err, rc, "starrocks");
            s->records += written;
            continue;
        }
        /* CSV bodies carry one `columns` header: rows of another layout start a new body. */
        if (t->current != f && t->body.len > 0 && s->c->format == OP_SR_FORMAT_CSV &&
            strcmp(op_sr_row_format_columns(t->current), op_sr_row_format_columns(f)) != 0 &&
            (rc = op_sr_sink_flush_target(s, t, err)) != 0)
            return rc;
        t->current = f;
        bool written = false;
        /* A -U is dropped when its +U follows with the same key (the upsert replaces the row);
         * an update that moves the row to another key deletes the old one, or it would stay. A
         * pair split across batches deletes and re-inserts the key: loads apply in order. */
        const rt_record *next = i + 1 < n ? rt_batch_at_const(batch, i + 1) : NULL;
        if (r->kind == RT_ROW_UPDATE_BEFORE &&
            !(next && next->kind == RT_ROW_UPDATE_AFTER && op_sr_row_format_same_key(f, r, next))) {
            size_t before = t->body.len;
            rc = op_sr_row_format_append_delete(f, r, &t->body, err);
            written = t->body.len > before;
        } else {
            rc = op_sr_row_format_append(f, r, &t->body, &written, err);
        }
        if (rc != 0)
            return rt_err_prefix(err, rc, "starrocks");
        if (!written)
            continue;
        if (t->body_rows++ == 0)
            t->first_row_ms = rt_clock_mono_ms();
        s->records++;
        if ((int64_t)t->body_rows >= s->flush.rows || t->body.len >= s->flush.bytes) {
            if ((rc = op_sr_sink_flush_target(s, t, err)) != 0)
                return rc;
        }
    }
    if (!s->exactly_once) {
        int64_t now = rt_clock_mono_ms();
        for (size_t i = 0; i < s->target_count; i++) {
            target *t = &s->targets[i];
            int rc = 0;
            if (t->body_rows > 0 && now - t->first_row_ms >= s->flush.interval_ms)
                rc = op_sr_sink_flush_target(s, t, err);
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}

static int sr_prepare_snapshot(void *self, op_ctx *ctx, uint64_t id, rt_err *err)
{
    sr_sink *s = self;
    int rc = flush_all(s, err);
    if (rc == 0 && s->exactly_once && s->checkpointing)
        rc = op_sr_sink_prepare_all(s, id, err);
    if (rc == 0)
        s->last_prepared = id;
    if (rc != 0)
        return rt_err_prefix(err, rc, "starrocks: pre-commit checkpoint %" PRIu64, id);
    return 0;
}

static int sr_snapshot_state(void *self, op_ctx *ctx, uint64_t id, rt_err *err)
{
    sr_sink *s = self;
    if (!s->exactly_once)
        return 0;
    int rc = op_sr_sender_wait(s->sender, err);
    if (rc != 0)
        return rc;
    char *text = NULL;
    size_t len = 0;
    rc = op_sr_ledger_encode(s->ledger, &text, &len, err);
    if (rc != 0)
        return rc;
    rc = op_ctx_state_put(ctx, OP_SR_SINK_STATE_TXN, text, len, err);
    free(text);
    return rc != 0 ? rc : op_sr_evolve_snapshot(s, ctx, err);
}

static int sr_notify_checkpoint_complete(void *self, op_ctx *ctx, uint64_t id, rt_err *err)
{
    sr_sink *s = self;
    if (!s->exactly_once)
        return 0;
    int rc = op_sr_sender_wait(s->sender, err);
    if (rc == 0)
        rc = op_sr_sink_commit_upto(s, id, err);
    /* Then the schema changes whose rows before are committed now, and the rows behind them. */
    if (rc == 0)
        rc = op_sr_evolve_apply(s, ctx, id, err);
    /* After the final checkpoint no other commits what the queue released: commit it here. */
    while (rc == 0 && s->finishing) {
        rc = op_sr_sink_prepare_all(s, id, err);
        if (rc == 0)
            rc = op_sr_sink_commit_upto(s, UINT64_MAX, err);
        if (rc != 0 || !op_sr_evolve_has_queued(s))
            break;
        rc = op_sr_evolve_apply(s, ctx, UINT64_MAX, err);
    }
    return rc;
}

static int sr_notify_checkpoint_aborted(void *self, op_ctx *ctx, uint64_t id, rt_err *err)
{
    sr_sink *s = self;
    /* The prepared transactions stay: their rows are before a later barrier, so the next
     * completed checkpoint commits them (Flink keeps them the same way). */
    int rc = op_sr_sender_wait(s->sender, err);
    if (rc != 0)
        return rc;
    LOG_DEBUG("%s: starrocks: checkpoint %" PRIu64 " aborted; %zu transactions stay prepared",
              s->tag, id, op_sr_ledger_pending_count(s->ledger));
    return 0;
}

static int sr_finish(void *self, op_ctx *ctx, rt_err *err)
{
    sr_sink *s = self;
    if (s->exactly_once && s->checkpointing) {
        /* The final checkpoint prepares what is open and its completion commits it. */
        s->finishing = true;
        LOG_INFO("%s: starrocks: end of input after %" PRIu64 " rows; commit at the final "
                 "checkpoint",
                 s->tag, s->records);
        return 0;
    }
    int rc = 0;
    /* Without checkpoints: commit, apply the queued schema changes the committed rows precede,
     * load the rows behind them, commit again, until the queues are empty. */
    for (;;) {
        rc = flush_all(s, err);
        if (rc == 0 && s->exactly_once) {
            rc = op_sr_sink_prepare_all(s, 0, err);
            if (rc == 0)
                rc = op_sr_sink_commit_upto(s, UINT64_MAX, err);
        }
        if (rc != 0 || !op_sr_evolve_has_queued(s))
            break;
        if ((rc = op_sr_evolve_apply(s, ctx, UINT64_MAX, err)) != 0)
            break;
    }
    if (rc != 0)
        return rt_err_prefix(err, rc, "starrocks: commit at end of input");
    LOG_INFO("%s: starrocks: %" PRIu64 " rows sent, %" PRIu64 " schema changes", s->tag, s->records,
             s->schema_changes);
    return 0;
}

static void sr_close(void *self, op_ctx *ctx)
{
    if (self)
        sink_free(self, ctx);
}

const op_type op_starrocks_type = {
    .info =
        {
            .name = "starrocks",
            .kind = GRAPH_KIND_SINK,
            .config = op_sr_sink_config_fields,
            .config_size = sizeof(op_sr_sink_config),
            .validate = op_sr_sink_config_validate,
        },
    .help = "loads changes into StarRocks tables through Stream Load, exactly once",
    .open = sr_open,
    .process = sr_process,
    .prepare_snapshot = sr_prepare_snapshot,
    .snapshot_state = sr_snapshot_state,
    .notify_checkpoint_complete = sr_notify_checkpoint_complete,
    .notify_checkpoint_aborted = sr_notify_checkpoint_aborted,
    .finish = sr_finish,
    .close = sr_close,
};
