/* The snapshot phase of the mysql_cdc source (startup "initial" and "snapshot"), on one subtask:
 * each selected table is split lazily (snapshot_split.h); each split is read between a LOW and a
 * HIGH binlog mark, the binlog between the marks is read back and merged into the rows
 * (snapshot_merge.h: the DBLog / Flink CDC watermark algorithm), and the merged rows go out as +I.
 * Finished splits with their HIGH marks are the phase's checkpoint state (cdc_state.h). Also the
 * split filter of the binlog phase that follows in "initial" mode: it drops the change events a
 * finished split already holds. */
#ifndef SLUICE_OPERATORS_MYSQL_CDC_SNAPSHOT_H
#define SLUICE_OPERATORS_MYSQL_CDC_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/mysql/binlog_position.h"
#include "operators/mysql/cdc_binlog_reader.h"
#include "operators/mysql/cdc_state.h"
#include "operators/mysql/connection.h"
#include "operators/mysql/schema_reader.h"
#include "operators/mysql/snapshot_split.h"
#include "operators/op.h"
#include "runtime/base/errors.h"

typedef struct op_cdc_snapshot_params {
    /* The binlog reader that reads each split's LOW..HIGH range: its client (login, server_id)
     * and filter, borrowed for the phase's whole life like the reader's (cdc_binlog_reader.h).
     * emit and keep are the phase's own. */
    op_cdc_binlog_reader_params reader;
    op_snapshot_split_options split;
} op_cdc_snapshot_params;

typedef struct op_cdc_snapshot op_cdc_snapshot;

/* A snapshot of `tables` (taken: their tables are interned in op_ctx_catalog and the list is
 * freed with the phase) read over `conn` (taken; closed by free, also on failure). `progress`
 * (may be NULL) is a restored state: its finished splits are taken (left empty there) and the
 * phase resumes after the last one of each table; a table whose last split has an open end is
 * not read again. *out: free with op_cdc_snapshot_free. Task thread only, like everything here. */
int op_cdc_snapshot_new(op_ctx *ctx, const op_cdc_snapshot_params *p, op_mysql_conn *conn,
                        op_mysql_table_list *tables, op_cdc_state *progress, op_cdc_snapshot **out,
                        rt_err *err);
/* NULL is a no-op. */
void op_cdc_snapshot_free(op_cdc_snapshot *s);

/* Reads, merges and emits the next split (a whole split per call; the splitter's queries in
 * between). Returns OP_POLL_MORE, OP_POLL_END once every table is covered, or a negative code of
 * the connection, the binlog reader, the merge or the emit. */
int op_cdc_snapshot_poll(op_cdc_snapshot *s, op_ctx *ctx, rt_err *err);

/* The progress to checkpoint: empty position, snapshot_running set, the finished splits.
 * Borrowed; valid until the next poll. */
const op_cdc_state *op_cdc_snapshot_progress(const op_cdc_snapshot *s);
/* Splits read by this phase (not counting those restored), for logs and tests. */
uint64_t op_cdc_snapshot_splits_read(const op_cdc_snapshot *s);

/* The binlog phase's filter of "initial" mode: a change record whose key lies in a finished
 * split is dropped when its transaction started before that split's HIGH mark (the split's rows
 * already hold it); from the largest HIGH mark on everything passes. */
typedef struct op_cdc_split_filter op_cdc_split_filter;

/* A filter over progress's finished splits (taken; progress is left empty) for `tables`
 * (borrowed during the call: the key columns of each table). RT_ECORRUPT for a HIGH mark that
 * does not decode; RT_EINVAL when there is no split. Free with op_cdc_split_filter_free. */
int op_cdc_split_filter_new(op_mysql_table_list *tables, op_cdc_state *progress,
                            op_cdc_split_filter **out, rt_err *err);
void op_cdc_split_filter_free(op_cdc_split_filter *f);
/* The keep callback of op_cdc_binlog_reader_params (arg: the filter). */
bool op_cdc_split_filter_keep(void *arg, const rt_record *rec, const op_binlog_pos *txn_start);
/* Ends the phase after OP_POLL_END: a split filter (*filter) over its finished splits and its
 * tables' keys, for the binlog phase of "initial" mode. Errors of op_cdc_split_filter_new. Frees
 * s in every case. */
int op_cdc_snapshot_finish(op_cdc_snapshot *s, op_cdc_split_filter **filter, rt_err *err);
/* The smallest HIGH mark: where the binlog phase starts. Borrowed. */
const op_binlog_pos *op_cdc_split_filter_min_high(const op_cdc_split_filter *f);
/* True once pos is at or past the largest HIGH mark: the filter has nothing left to drop. */
bool op_cdc_split_filter_is_passed(const op_cdc_split_filter *f, const op_binlog_pos *pos);
/* Writes the filter's splits as the "snapshot" state key (running 0). */
int op_cdc_split_filter_write(const op_cdc_split_filter *f, op_ctx *ctx, rt_err *err);

#endif
