/* The snapshot phase of the mysql_cdc source (startup "initial" and "snapshot"), on one subtask:
 * subtask 0 splits each selected table lazily (snapshot_split.h) and queues the splits in the
 * vertex's split coordinator (snapshot_coordinator.h); every subtask takes splits from it, reads
 * each between a LOW and a HIGH binlog mark on its own connection, reads the binlog between the
 * marks back with its own binlog reader and merges it into the rows (snapshot_merge.h: the DBLog
 * / Flink CDC watermark algorithm), and emits the merged rows as +I. The splits a subtask
 * finished, with their HIGH marks, are its checkpoint state (cdc_state.h). Also the split filter
 * of the binlog phase that follows in "initial" mode: it drops the change events a finished split
 * already holds. */
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
#include "operators/mysql/snapshot_coordinator.h"
#include "operators/mysql/snapshot_split.h"
#include "operators/op.h"
#include "runtime/base/errors.h"

/* "parallelism": u32 (little-endian), written by subtask 0 beside a running snapshot: how many
 * subtasks' "snapshot" keys a restore gathers. Absent: 1 (checkpoints of single-reader builds). */
#define OP_CDC_STATE_PARALLELISM "parallelism"

typedef struct op_cdc_snapshot_params {
    /* The binlog reader that reads each split's LOW..HIGH range: its client (login, server_id:
     * this subtask's own) and filter, borrowed for the phase's whole life like the reader's
     * (cdc_binlog_reader.h). emit and keep are the phase's own. */
    op_cdc_binlog_reader_params reader;
    op_snapshot_split_options split;
    /* The vertex's coordinator (borrowed; must outlive the phase). */
    op_snapshot_coordinator *coord;
    /* Subtask 0: cuts the tables into splits and queues them (and the gaps a restore left). */
    bool enumerate;
} op_cdc_snapshot_params;

typedef struct op_cdc_snapshot op_cdc_snapshot;

/* A snapshot reader of `tables` (taken: their tables are interned in op_ctx_catalog and the list
 * is freed with the phase) over `conn` (taken; closed by free, also on failure). `progress` (may
 * be NULL; enumerate only) is a restored state, the finished splits of every subtask: they are
 * taken (left empty there), the key ranges between them are queued again as new splits, and
 * the splitting of each table resumes after its largest finished split (a table whose largest
 * has an open end is split no further). RT_ECORRUPT for restored splits that overlap; RT_ESTATE
 * for a key that changed its column count. *out: free with op_cdc_snapshot_free. Task thread
 * only, like everything here. */
int op_cdc_snapshot_new(op_ctx *ctx, const op_cdc_snapshot_params *p, op_mysql_conn *conn,
                        op_mysql_table_list *tables, op_cdc_state *progress, op_cdc_snapshot **out,
                        rt_err *err);
/* NULL is a no-op. */
void op_cdc_snapshot_free(op_cdc_snapshot *s);

/* Queues splits (enumerate: until a few per subtask wait), then takes one, reads, merges and
 * emits it (a whole split per call) and reports it to the coordinator. Returns OP_POLL_MORE,
 * OP_POLL_IDLE while no split is queued but more will come, OP_POLL_END once nothing is left for
 * this subtask (other subtasks may still be reading), or a negative code of the connection, the
 * binlog reader, the merge or the emit. */
int op_cdc_snapshot_poll(op_cdc_snapshot *s, op_ctx *ctx, rt_err *err);

/* The progress to checkpoint: empty position, snapshot_running set, the splits this subtask
 * finished (and, on subtask 0, the restored ones and those adopted). Borrowed; valid until the
 * next poll. */
const op_cdc_state *op_cdc_snapshot_progress(const op_cdc_snapshot *s);
/* Splits read by this phase (not counting those restored), for logs and tests. */
uint64_t op_cdc_snapshot_splits_read(const op_cdc_snapshot *s);
/* Subtask 0 once the coordinator is complete: appends the splits the other subtasks finished to
 * this phase's progress, which then holds every finished split. Errors of
 * op_snapshot_coordinator_take_finished. */
int op_cdc_snapshot_adopt(op_cdc_snapshot *s, rt_err *err);

/* Restore planning of one table (pure): `finished` (n splits of `table`, key_count values each,
 * borrowed, any order) are sorted by key; the key ranges between them (and before the first,
 * when it does not start open) are appended to gaps as new splits numbered above every finished
 * index; *after is a new split (free with op_snapshot_split_free; NULL when n is 0) whose index
 * and end op_snapshot_splitter_new resumes after: the largest finished split's end (open: the
 * table is split to its end). RT_ECORRUPT for finished splits that overlap; RT_ESTATE for a
 * split with another key_count. gaps is left as it was on failure. */
int op_cdc_snapshot_plan_table(const char *table, size_t key_count,
                               op_snapshot_split *const *finished, size_t n, op_cdc_state *gaps,
                               op_snapshot_split **after, rt_err *err);

/* Restore of subtask 0 (during open): appends to `into` the finished splits of subtasks
 * 1..parallelism-1 of the restored checkpoint ("snapshot" keys; a subtask without one finished
 * none). RT_ECORRUPT / RT_ESTATE for bytes that do not decode, naming the subtask. */
int op_cdc_snapshot_gather(op_ctx *ctx, uint32_t parallelism, op_cdc_state *into, rt_err *err);
/* The restored "parallelism" of subtask 0 (1 when absent). RT_ECORRUPT for a bad value. */
int op_cdc_snapshot_read_parallelism(op_ctx *ctx, uint32_t *out, rt_err *err);
/* Writes "parallelism" (only from snapshot_state). Errors of op_ctx_state_put. */
int op_cdc_snapshot_write_parallelism(op_ctx *ctx, uint32_t parallelism, rt_err *err);

/* The binlog phase's filter of "initial" mode: a change record whose key lies in a finished
 * split is dropped when its transaction started before that split's HIGH mark (the split's rows
 * already hold it); from the largest HIGH mark on everything passes. */
typedef struct op_cdc_split_filter op_cdc_split_filter;

/* A filter over progress's finished splits (taken; progress is left empty; any order: a table's
 * splits are sorted by key here) for `tables`
 * (borrowed during the call: the key columns of each table). RT_ECORRUPT for a HIGH mark that
 * does not decode; RT_EINVAL when there is no split. Free with op_cdc_split_filter_free. */
int op_cdc_split_filter_new(op_mysql_table_list *tables, op_cdc_state *progress,
                            op_cdc_split_filter **out, rt_err *err);
void op_cdc_split_filter_free(op_cdc_split_filter *f);
/* The keep callback of op_cdc_binlog_reader_params (arg: the filter). */
bool op_cdc_split_filter_keep(void *arg, const rt_record *rec, const op_binlog_pos *txn_start);
/* Ends the phase (subtask 0, after op_cdc_snapshot_adopt): a split filter (*filter) over its
 * finished splits and its tables' keys, for the binlog phase of "initial" mode. Errors of
 * op_cdc_split_filter_new. Frees s in every case. */
int op_cdc_snapshot_finish(op_cdc_snapshot *s, op_cdc_split_filter **filter, rt_err *err);
/* The smallest HIGH mark: where the binlog phase starts. Borrowed. */
const op_binlog_pos *op_cdc_split_filter_min_high(const op_cdc_split_filter *f);
/* True once pos is at or past the largest HIGH mark: the filter has nothing left to drop. */
bool op_cdc_split_filter_is_passed(const op_cdc_split_filter *f, const op_binlog_pos *pos);
/* Writes the filter's splits as the "snapshot" state key (running 0). */
int op_cdc_split_filter_write(const op_cdc_split_filter *f, op_ctx *ctx, rt_err *err);

#endif
