/* Per-table progress of the mysql_cdc snapshot phase as metrics (runtime/metrics.h), for the REST
 * API and the console's progress bars: rows emitted and splits read by this subtask, splits done
 * (this subtask's share, restored ones included: sum over subtasks) and, on the subtask that
 * splits the tables, the split total: an estimate (row estimate / chunk size) until a table is
 * fully split, exact from then on. Task thread only; never fails the job (a metric that could not
 * be registered is simply absent). */
#ifndef SLUICE_OPERATORS_MYSQL_SNAPSHOT_PROGRESS_H
#define SLUICE_OPERATORS_MYSQL_SNAPSHOT_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/mysql/cdc_state.h"
#include "operators/mysql/schema_reader.h"
#include "operators/op.h"

typedef struct op_snapshot_progress op_snapshot_progress;

/* Progress of `tables` (borrowed for the call: names and row estimates are copied).
 * `enumerator`: this subtask splits the tables and publishes the totals. chunk_size 0: 8096.
 * NULL on OOM (then every call below is a no-op). */
op_snapshot_progress *op_snapshot_progress_new(op_ctx *ctx, op_mysql_table_list *tables,
                                               uint64_t chunk_size, bool enumerator);
void op_snapshot_progress_free(op_snapshot_progress *p);

/* Finished splits this subtask starts with (restored): counted as done, and in the totals. */
void op_snapshot_progress_restored(op_snapshot_progress *p, const op_cdc_state *finished);
/* The enumerator queued n more splits of table ("db.table"). */
void op_snapshot_progress_queued(op_snapshot_progress *p, const char *table, size_t n);
/* The enumerator has split table completely: its total is exact. */
void op_snapshot_progress_split_all(op_snapshot_progress *p, const char *table);
/* This subtask read, merged and emitted a split of table with `rows` rows. */
void op_snapshot_progress_read(op_snapshot_progress *p, const char *table, uint64_t rows);

#endif
