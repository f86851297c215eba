/* The binlog phase of the mysql_cdc source: streams events from a binlog client, decodes them and
 * turns the row events of the selected tables into change records (+I; -U then +U; -D) of the
 * tables' rt_tables, emitted at transaction boundaries so that the committed position it reports
 * is always one. Also keeps the source's metrics (rows per table, position, lag). */
#ifndef SLUICE_OPERATORS_MYSQL_CDC_BINLOG_READER_H
#define SLUICE_OPERATORS_MYSQL_CDC_BINLOG_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/mysql/binlog_client.h"
#include "operators/mysql/cdc_state.h"
#include "operators/mysql/connection.h"
#include "operators/mysql/schema_reader.h"
#include "operators/mysql/table_filter.h"
#include "operators/op.h"
#include "runtime/base/errors.h"

typedef struct op_cdc_binlog_reader_params {
    /* The replication connection. The strings client.conn points to (host, user, password, ...)
     * and `filter` are borrowed for the reader's whole life: it reconnects and re-reads schemas
     * with them. */
    op_binlog_client_params client;
    const op_mysql_table_filter *filter;
    /* A transaction with more records than this is emitted in pieces before its commit (the
     * position still advances at the commit only). 0: 64 batches of op_ctx_batch_rows. */
    size_t max_txn_records;
    int poll_timeout_ms;       /* how long poll waits for the first event; 0: 50 */
    int64_t stats_interval_ms; /* metrics log period; 0: 10000 */
    unsigned max_reconnects;   /* failed reconnects in a row before giving up; 0: 30 */
    /* Rows of events written before this (unix seconds) are dropped: startup "timestamp" starts
     * at the beginning of the file that holds the instant. 0: none. */
    int64_t skip_before_unix_s;
    /* Where emitted batches go; NULL: op_ctx_emit. Takes the batch whatever it returns. The
     * snapshot phase collects the change events between a split's LOW and HIGH marks with it. */
    int (*emit)(void *arg, rt_batch *b, rt_err *err);
    void *emit_arg;
    /* Decides per change record whether it is emitted; NULL: all are. txn_start is the committed
     * position before the record's transaction (initial mode drops what a finished snapshot split
     * already holds: cdc_snapshot.h). Must decide the same way when the stream is read again. */
    bool (*keep)(void *arg, const rt_record *rec, const op_binlog_pos *txn_start);
    void *keep_arg;
} op_cdc_binlog_reader_params;

typedef struct op_cdc_binlog_reader op_cdc_binlog_reader;

/* Opens the binlog client at start->position (and skips the first start->txn_rows records of the
 * transaction that follows it: they were emitted before the checkpoint). Takes ownership of conn
 * (a query connection for schema re-reads; closed by free, also on failure) and of the `table`
 * and `source_positions` of every info in `tables` (left NULL there; the tables are interned in
 * op_ctx_catalog). Errors of op_binlog_client_open (RT_ENOTFOUND for a position the server does
 * not have). *out: free with op_cdc_binlog_reader_free. Task thread only, like everything here. */
int op_cdc_binlog_reader_new(op_ctx *ctx, const op_cdc_binlog_reader_params *p,
                             const op_cdc_state *start, op_mysql_conn *conn,
                             op_mysql_table_list *tables, op_cdc_binlog_reader **out, rt_err *err);
/* NULL is a no-op. Releases buffered, unemitted records. */
void op_cdc_binlog_reader_free(op_cdc_binlog_reader *r);

/* Reads what the server has now (waiting up to poll_timeout_ms for the first event), emitting
 * every committed transaction. Returns OP_POLL_MORE or OP_POLL_IDLE, or a negative code: the
 * emit's, RT_ENOTFOUND when the server no longer has the position (purged), RT_EUNAVAIL after
 * max_reconnects failed reconnects, RT_ECORRUPT / RT_EUNSUPPORTED from the decoder, RT_EUNSUPPORTED
 * for a table whose binlog columns no longer match its schema. A dropped connection is reopened
 * from the committed position with backoff; the partial transaction is read again. */
int op_cdc_binlog_reader_poll(op_cdc_binlog_reader *r, op_ctx *ctx, rt_err *err);

/* Makes poll return OP_POLL_END once the committed position reached `stop` (at a transaction
 * boundary): every transaction committed before it was emitted. Copied. NULL clears it. */
int op_cdc_binlog_reader_set_stop(op_cdc_binlog_reader *r, const op_binlog_pos *stop, rt_err *err);
/* True once poll returned OP_POLL_END. */
bool op_cdc_binlog_reader_is_ended(const op_cdc_binlog_reader *r);
/* Replaces the keep callback (NULL: emit all), from the next record on. */
void op_cdc_binlog_reader_set_keep(op_cdc_binlog_reader *r,
                                   bool (*keep)(void *, const rt_record *, const op_binlog_pos *),
                                   void *arg);
/* Drops the transaction in progress, clears the stop and streams again from `from` (a
 * transaction boundary) over a new replication connection: the snapshot phase reads each split's
 * LOW..HIGH range with one reader. Errors of op_binlog_client_open. */
int op_cdc_binlog_reader_restart(op_cdc_binlog_reader *r, const op_binlog_pos *from, rt_err *err);

/* The state to checkpoint now: the committed position and the records of the transaction in
 * progress already emitted. Replaces *out (initialised). */
int op_cdc_binlog_reader_state(const op_cdc_binlog_reader *r, op_cdc_state *out, rt_err *err);

/* Metrics, for logs and (later) the REST API. */
typedef struct op_cdc_binlog_metrics {
    uint64_t records;      /* change records emitted */
    uint64_t transactions; /* committed transactions that carried selected rows */
    int64_t lag_ms;        /* now - the timestamp of the last event read; 0 when caught up */
    unsigned reconnects;
    uint64_t schema_changes; /* schema-change records emitted */
} op_cdc_binlog_metrics;
void op_cdc_binlog_reader_metrics(const op_cdc_binlog_reader *r, op_cdc_binlog_metrics *out);
/* Rows (records) read so far from db.table ("db.table"); 0 for a table not selected. */
uint64_t op_cdc_binlog_reader_table_rows(const op_cdc_binlog_reader *r, const char *qualified);
/* The committed position. Borrowed; valid until the next poll. */
const op_binlog_pos *op_cdc_binlog_reader_position(const op_cdc_binlog_reader *r);

#endif
