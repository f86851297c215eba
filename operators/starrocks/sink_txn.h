/* sink_txn: the starrocks sink's ledger of transactions (notes §4.2-4.4, §8.7; DESIGN.md §3):
 * per target table the counter of its next label id and the label of the transaction open in
 * the current checkpoint interval; the prepared (pre-committed) transactions not yet committed,
 * each with the checkpoint that prepared it; and the encoding of all that into the checkpoint
 * state and back. Pure: no I/O; the operator does the requests.
 *
 * Ids: each table counts its transactions 1, 2, ... (a restored ledger continues from the
 * counter the checkpoint recorded). Every transaction this subtask begins for a table takes the
 * next id, so the labels at and beyond a restored counter are exactly those begun after that
 * checkpoint: the ones a restore must roll back, found by probing upward without gaps. */
#ifndef SLUICE_OPERATORS_STARROCKS_SINK_TXN_H
#define SLUICE_OPERATORS_STARROCKS_SINK_TXN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/starrocks/label.h"
#include "runtime/base/errors.h"

typedef struct op_sr_ledger op_sr_ledger;

/* A prepared transaction waiting for its checkpoint to complete. Borrowed from the ledger. */
typedef struct op_sr_pending {
    uint64_t checkpoint; /* the checkpoint whose prepare_snapshot prepared it */
    size_t table;        /* ledger table index */
    char label[OP_SR_LABEL_MAX + 1];
} op_sr_pending;

/* A new empty ledger for subtask `subtask` with label prefix `prefix` (copied; [-\w]+, checked
 * by op_sr_label_format when labels are made). *out: free with op_sr_ledger_free. */
int op_sr_ledger_new(const char *prefix, uint32_t subtask, op_sr_ledger **out, rt_err *err);
/* NULL is a no-op. */
void op_sr_ledger_free(op_sr_ledger *l);

/* The label prefix new transactions use. Borrowed. */
const char *op_sr_ledger_prefix(const op_sr_ledger *l);
/* The prefix of the restored state's labels (the same as op_sr_ledger_prefix on a fresh start
 * and while the config keeps it): leftovers of the crashed attempt carry it. Borrowed. */
const char *op_sr_ledger_state_prefix(const op_sr_ledger *l);

/* The index of target table db.table, added (next id 1, nothing open) when new. RT_ENOMEM. */
int op_sr_ledger_table(op_sr_ledger *l, const char *db, const char *table, size_t *idx,
                       rt_err *err);
size_t op_sr_ledger_table_count(const op_sr_ledger *l);
/* i < count; borrowed. */
const char *op_sr_ledger_table_db(const op_sr_ledger *l, size_t i);
const char *op_sr_ledger_table_name(const op_sr_ledger *l, size_t i);
uint64_t op_sr_ledger_next_id(const op_sr_ledger *l, size_t i);

/* Writes the label of table i with id `id` under `prefix` (NULL: the ledger's prefix) into out
 * (OP_SR_LABEL_MAX + 1 bytes): {prefix}-{table}-{subtask}-{id} (label.h). RT_EINVAL for a bad
 * prefix. */
int op_sr_ledger_label(const op_sr_ledger *l, size_t i, const char *prefix, uint64_t id, char *out,
                       size_t size, rt_err *err);

/* The transaction of table i in the current interval: label (empty when none is open). */
bool op_sr_ledger_is_open(const op_sr_ledger *l, size_t i);
const char *op_sr_ledger_open_label(const op_sr_ledger *l, size_t i);
/* Records that the transaction with label (the table's next id's label) was begun: it is the
 * open one, and the counter moves past it. */
void op_sr_ledger_begun(op_sr_ledger *l, size_t i, const char *label);
/* Skips the next id without beginning it (its label is taken by an earlier run). */
void op_sr_ledger_skip(op_sr_ledger *l, size_t i);
/* Forgets the open transaction (it was rolled back or failed). */
void op_sr_ledger_drop_open(op_sr_ledger *l, size_t i);
/* Moves the open transaction of table i to the prepared list under checkpoint ckpt. RT_ENOMEM;
 * RT_EINTERNAL when none is open. */
int op_sr_ledger_prepared(op_sr_ledger *l, size_t i, uint64_t ckpt, rt_err *err);

/* Prepared transactions, ordered by checkpoint (then by table index). */
size_t op_sr_ledger_pending_count(const op_sr_ledger *l);
/* k < count; borrowed until the ledger changes. */
const op_sr_pending *op_sr_ledger_pending_at(const op_sr_ledger *l, size_t k);
/* Drops pending entry k (committed). */
void op_sr_ledger_pending_remove(op_sr_ledger *l, size_t k);

/* The state of checkpoint-time: prefix, subtask, per table its db, name and next id, and the
 * prepared list. A new JSON text in *out (free()), *len bytes. RT_ENOMEM. Open transactions are
 * not part of it (their rows come again after a restore). */
int op_sr_ledger_encode(const op_sr_ledger *l, char **out, size_t *len, rt_err *err);
/* Rebuilds a ledger from state text (len bytes, any terminator) for subtask `subtask` with the
 * current prefix `prefix` (new labels use it; op_sr_ledger_state_prefix is the stored one).
 * RT_ECORRUPT naming what is wrong for text that is not such a state (bounds checked), or that
 * was written by another subtask. */
int op_sr_ledger_decode(const char *text, size_t len, const char *prefix, uint32_t subtask,
                        op_sr_ledger **out, rt_err *err);

#endif
