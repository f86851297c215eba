/* starrocks_sink_int: the starrocks sink's instance, shared by the operator (starrocks_sink.c)
 * and its schema evolution (sink_evolve.c). Task thread only, except where send_job says. */
#ifndef SLUICE_OPERATORS_STARROCKS_STARROCKS_SINK_INT_H
#define SLUICE_OPERATORS_STARROCKS_STARROCKS_SINK_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/op.h"
#include "operators/starrocks/row_format.h"
#include "operators/starrocks/sink_config.h"
#include "operators/starrocks/sink_ddl.h"
#include "operators/starrocks/sink_pending.h"
#include "operators/starrocks/sink_schema.h"
#include "operators/starrocks/sink_sender.h"
#include "operators/starrocks/sink_txn.h"
#include "operators/starrocks/stream_load.h"
#include "operators/starrocks/table_meta.h"
#include "runtime/base/buf.h"

/* The state key of the transaction ledger (sink_txn.h); sink_evolve.c writes "schema". */
#define OP_SR_SINK_STATE_TXN "txn"

/* A source table's rows in the format of one target. */
typedef struct target_format {
    const rt_table *table;
    op_sr_row_format *fmt;
} target_format;

/* One target table (database.name) and what is buffered for it. */
typedef struct target {
    char *name;
    size_t ledger_idx;
    op_sr_table_meta *meta;
    target_format *formats;
    size_t format_count;
    op_sr_row_format *current; /* the format of the rows in body */
    char *txn_columns;         /* the `columns` header of the open transaction (CSV) */
    rt_buf body;
    uint64_t body_rows;
    int64_t first_row_ms; /* when the oldest buffered row came (at-least-once interval) */
    bool restored;        /* in the restored state: its labels are ours, never skipped */
    rt_metric *rows_total, *bytes_total;
    /* Schema evolution (sink_evolve.c). meta is NULL while the table does not exist. While the
     * queue holds items, the target's rows go there, formatted for proj: the table as the
     * queued DDL leaves it (NULL: absent then). */
    op_sr_queue *queue;
    op_sr_table_meta *proj;
    /* The next queued DDL waits for this checkpoint too: the one that commits the rows loaded
     * from the queue before it. */
    uint64_t ddl_wait;
} target;

typedef struct sr_sink sr_sink;

/* The send in flight (or the last one): a body handed to the sender thread. The task thread
 * touches it only while no send is in flight. */
typedef struct send_job {
    sr_sink *s;
    target *t; /* its txn_columns and metrics are the sender's while in flight */
    rt_buf body;
    uint64_t rows;
    const char *columns; /* borrowed from t's row format of these rows */
} send_job;

struct sr_sink {
    const op_sr_sink_config *c;
    const char *tag;
    uint32_t subtask;
    bool exactly_once, checkpointing;
    op_sr_flush flush;
    char *password;
    op_sr_query_params query;
    char *query_host;
    op_stream_load *client;
    op_sr_ledger *ledger;
    char *prefix;
    target *targets;
    size_t target_count, target_cap;
    size_t last_target; /* cache: the target of the last record's table */
    const rt_table *last_table;
    char **hdr_names, **hdr_values;
    op_sr_header *extra;
    size_t extra_count;
    char filter_ratio[32];
    uint64_t alo_base, alo_seq; /* at-least-once label ids */
    uint64_t records, schema_changes;
    rt_metric *m_begun, *m_committed, *m_aborted, *m_latency, *m_filtered;
    op_sr_sender *sender;
    send_job job;
    /* Schema evolution (sink_evolve.c). */
    op_sr_sc_policy policy;
    op_sr_sc_create create;
    char **create_names, **create_values;
    op_sr_ddl_conn *ddl;
    uint64_t last_prepared; /* the last checkpoint prepared (or restored) */
    bool finishing;         /* finish() ran: the final checkpoint commits what it can */
    rt_metric *m_sc_applied, *m_sc_skipped, *m_sc_ignored, *m_sc_converted, *m_sc_failed;
    rt_metric *m_sc_pending;
};

/* --- starrocks_sink.c --- */

/* The target named name (created on first use, its metadata fetched; absent_ok: a table that
 * does not exist yet is a target with meta NULL, else RT_ENOTFOUND). */
int op_sr_sink_target(sr_sink *s, op_ctx *ctx, const char *name, bool absent_ok, target **out,
                      rt_err *err);
/* Hands t's buffered rows to the sender (flush_target). */
int op_sr_sink_flush_target(sr_sink *s, target *t, rt_err *err);
/* Sends len bytes of rows (rows of them, Stream Load `columns` header columns) into t's
 * transaction of this interval (exactly-once) or as a Stream Load, and waits until they are in. */
int op_sr_sink_send_body(sr_sink *s, target *t, const char *data, size_t len, uint64_t rows,
                         const char *columns, rt_err *err);
/* Frees t's row formats (their meta changes); waits for the send in flight first. */
int op_sr_sink_reset_formats(sr_sink *s, target *t, rt_err *err);
/* Prepares every open transaction under checkpoint ckpt / commits those of checkpoints <= upto. */
int op_sr_sink_prepare_all(sr_sink *s, uint64_t ckpt, rt_err *err);
int op_sr_sink_commit_upto(sr_sink *s, uint64_t upto, rt_err *err);

/* --- sink_restore.c --- */

/* Restores from checkpoint ckpt (exactly-once, at open, after the sender started). */
int op_sr_sink_restore(sr_sink *s, op_ctx *ctx, uint64_t ckpt, rt_err *err);

/* --- sink_evolve.c --- */

/* Reads the schema_change config, registers the metrics. At open. */
int op_sr_evolve_open(sr_sink *s, op_ctx *ctx, rt_err *err);
/* Frees what op_sr_evolve_open and the queues hold (t's queue and proj in target_fini). */
void op_sr_evolve_close(sr_sink *s);
/* Handles SC record r (process). */
int op_sr_evolve_record(sr_sink *s, op_ctx *ctx, const rt_record *r, rt_err *err);
/* True when t's rows go to its queue (op_sr_queue_body, then op_sr_queue_rows_added) instead of
 * its transaction. */
bool op_sr_evolve_is_queued(const target *t);
/* The meta t's rows are formatted for: proj while queued, else meta. */
const op_sr_table_meta *op_sr_evolve_meta(const target *t);
/* Applies the queued DDL of checkpoints <= upto and loads the rows behind it (complete, restore,
 * finish). */
int op_sr_evolve_apply(sr_sink *s, op_ctx *ctx, uint64_t upto, rt_err *err);
/* Whether any target has items queued. */
bool op_sr_evolve_has_queued(const sr_sink *s);
/* Writes / restores the queues (state key "schema"). */
int op_sr_evolve_snapshot(sr_sink *s, op_ctx *ctx, rt_err *err);
int op_sr_evolve_restore(sr_sink *s, op_ctx *ctx, rt_err *err);

#endif
