/* The checkpoint state of the mysql_cdc source: what a subtask writes in snapshot_state and reads
 * back in open. Today the binlog phase only: the committed binlog position (a transaction
 * boundary) and how many records of the transaction that follows it were already emitted (a
 * transaction too big to buffer goes out in pieces before its commit). Snapshot progress (finished
 * chunks and their HIGH marks) joins it under keys of its own later. */
#ifndef SLUICE_OPERATORS_MYSQL_CDC_STATE_H
#define SLUICE_OPERATORS_MYSQL_CDC_STATE_H

#include <stdint.h>

#include "operators/mysql/binlog_position.h"
#include "operators/op.h"
#include "runtime/base/errors.h"

/* State keys: "position" holds op_binlog_pos_encode of the committed position, "txn_rows" a u64
 * (little-endian) count of records of the next transaction already emitted downstream. */
#define OP_CDC_STATE_POSITION "position"
#define OP_CDC_STATE_TXN_ROWS "txn_rows"

/* Caller-allocated; op_cdc_state_init / op_cdc_state_fini. */
typedef struct op_cdc_state {
    op_binlog_pos position; /* empty when the subtask has no binlog position (snapshot readers) */
    uint64_t txn_rows;
} op_cdc_state;

void op_cdc_state_init(op_cdc_state *s);
void op_cdc_state_fini(op_cdc_state *s);

/* Writes s into the checkpoint being taken (only from snapshot_state). Errors of
 * op_ctx_state_put. */
int op_cdc_state_write(op_ctx *ctx, const op_cdc_state *s, rt_err *err);

/* Reads the restored state into s (during open). RT_ENOTFOUND on a fresh start or when the
 * checkpoint holds no position for this subtask; RT_ECORRUPT / RT_ESTATE (a newer version) for
 * bytes that do not decode, the message naming the checkpoint. s is replaced on success only. */
int op_cdc_state_read(op_ctx *ctx, op_cdc_state *s, rt_err *err);

#endif
