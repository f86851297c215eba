/* The watermark merge of a snapshot split (DBLog; Flink CDC's
 * SnapshotSplitReader/RecordUtils.upsertBinlog): the rows SELECTed between the LOW and HIGH
 * marks, corrected by the table's change events between those marks, give the split's rows as
 * of HIGH. A pure function. */
#ifndef SLUICE_OPERATORS_MYSQL_SNAPSHOT_MERGE_H
#define SLUICE_OPERATORS_MYSQL_SNAPSHOT_MERGE_H

#include <stddef.h>

#include "operators/mysql/snapshot_split.h"
#include "runtime/base/errors.h"
#include "runtime/batch.h"

/* Appends to `out` the final rows of `split` as +I records (deep copies), in key order.
 * rows: the split's rows as read (any kind; their keys are expected inside the split).
 * events: the change events of the split's table between LOW and HIGH, in binlog order, each a
 * full row image: +I and +U upsert the row under their key, -U and -D remove their key (so an
 * update that changes the key is a remove then an upsert); an event whose key lies outside the
 * split is ignored, as is removing a key the split does not hold. key_columns (key_count of
 * them, op_snapshot_split_key_count of the split) are the records' column indexes of the key, in
 * key order; the key must be unique (a primary key): RT_EINVAL when two rows share one. Keys
 * compare as op_snapshot_key_compare (byte order for strings: see there). Records are
 * borrowed. RT_ENOMEM; on error `out` may hold some of the rows. */
int op_snapshot_merge(const op_snapshot_split *split, const size_t *key_columns, size_t key_count,
                      const rt_record *const *rows, size_t row_count,
                      const rt_record *const *events, size_t event_count, rt_batch *out,
                      rt_err *err);

#endif
