/* The checkpoint state of the mysql_cdc source: what a subtask writes in snapshot_state and reads
 * back in open. Today the binlog phase only: the committed binlog position (a transaction
 * boundary) and how many records of the transaction that follows it were already emitted (a
 * transaction too big to buffer goes out in pieces before its commit); and the snapshot's progress:
 * the finished splits with their HIGH marks, whose last one is the cursor a restore resumes after,
 * kept while the snapshot runs and while the binlog phase still drops what they hold. */
#ifndef SLUICE_OPERATORS_MYSQL_CDC_STATE_H
#define SLUICE_OPERATORS_MYSQL_CDC_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/mysql/binlog_position.h"
#include "operators/mysql/snapshot_split.h"
#include "operators/op.h"
#include "runtime/base/errors.h"

/* State keys: "position" holds op_binlog_pos_encode of the committed position, "txn_rows" a u64
 * (little-endian) count of records of the next transaction already emitted downstream. */
#define OP_CDC_STATE_POSITION "position"
#define OP_CDC_STATE_TXN_ROWS "txn_rows"
/* "snapshot": u8 version (1) · u8 running (1 while splits are read, 0 in the binlog phase) ·
 * u32 count · count × (u32 len · op_snapshot_split_format bytes), in the order they finished.
 * Absent: no snapshot (or it is over and the binlog phase passed every HIGH mark). */
#define OP_CDC_STATE_SNAPSHOT "snapshot"

/* "schema_history": the binlog reader's schema history (op_schema_history_encode) as of the
 * committed position. Absent in checkpoints of the snapshot phase and of older releases: the
 * reader then starts from the schemas of now. */
#define OP_CDC_STATE_SCHEMA_HISTORY "schema_history"
/* Caller-allocated; op_cdc_state_init / op_cdc_state_fini. */
typedef struct op_cdc_state {
    op_binlog_pos position; /* empty when the subtask has no binlog position (snapshot readers) */
    uint64_t txn_rows;
    bool has_snapshot;          /* the "snapshot" key is (to be) present */
    bool snapshot_running;      /* splits are still being read */
    op_snapshot_split **splits; /* finished, in order; owned (op_cdc_state_fini frees them) */
    size_t split_count;
    uint8_t *history; /* the schema history's binary form; owned, NULL when absent */
    size_t history_len;
} op_cdc_state;

/* Appends a finished split (taking it; freed on failure too). RT_ENOMEM. */
int op_cdc_state_add_split(op_cdc_state *s, op_snapshot_split *split, rt_err *err);

void op_cdc_state_init(op_cdc_state *s);
void op_cdc_state_fini(op_cdc_state *s);

/* Writes s into the checkpoint being taken (only from snapshot_state). Errors of
 * op_ctx_state_put. */
int op_cdc_state_write(op_ctx *ctx, const op_cdc_state *s, rt_err *err);

/* Writes the "snapshot" key alone (op_cdc_state_write does when has_snapshot is set). */
int op_cdc_state_write_snapshot(op_ctx *ctx, bool running, op_snapshot_split *const *splits,
                                size_t count, rt_err *err);

/* Parses a "snapshot" value (the layout above), appending its splits to s and setting *running
 * (may be NULL); every length is bounded by what is left. RT_ECORRUPT, RT_ESTATE for a newer
 * version. Parallel readers gather the other subtasks' values with it. */
int op_cdc_state_parse_snapshot(const uint8_t *p, size_t len, op_cdc_state *s, bool *running,
                                rt_err *err);
/* Reads the restored state into s (during open). RT_ENOTFOUND on a fresh start or when the
 * checkpoint holds no position for this subtask; RT_ECORRUPT / RT_ESTATE (a newer version) for
 * bytes that do not decode, the message naming the checkpoint. s is replaced on success only. */
int op_cdc_state_read(op_ctx *ctx, op_cdc_state *s, rt_err *err);

#endif
