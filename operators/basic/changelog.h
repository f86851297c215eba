/* The changelog text format shared by every text output (the print and file sinks): one change
 * per line, {"op":"+I|-U|+U|-D","table":"db.table","data":{"col":value,...}} (DESIGN.md §1); a schema
 * change is {"op":"SC","table":"db.table","change":"alter_table","ddl":"...","columns":[...]},
 * and an ALTER with a known schema before (or a rename with an origin map: ALTER ... RENAME TO)
 * also has "changes":[...] (runtime/schema_diff.h's typed column changes) and
 * "key_changed":true when the primary key changed. add_column and modify_column changes carry
 * "default":"<text>" when the column has a default (runtime/table.h's rt_column.default_value,
 * e.g. "7", "'abc'", "current_timestamp()"); a modify_column states the whole column, so one
 * without "default" has none. A rename_column whose default changed carries it too ("default":
 * null when dropped). The "columns" array leaves defaults out. */
#ifndef SLUICE_OPERATORS_BASIC_CHANGELOG_H
#define SLUICE_OPERATORS_BASIC_CHANGELOG_H

#include "runtime/base/buf.h"
#include "runtime/base/errors.h"
#include "runtime/batch.h"

/* A formatter: it keeps the JSON text that depends only on the table (its name and column keys)
 * for the last table seen, so a batch of one table formats its keys once. One per sink subtask;
 * not thread-safe. */
typedef struct op_changelog op_changelog;

/* A new formatter; NULL on OOM. Free with op_changelog_free (NULL is a no-op). */
op_changelog *op_changelog_new(void);
void op_changelog_free(op_changelog *c);

/* Appends one line per record of batch, each ending in '\n', to out. Values use
 * rt_value_format_json's exact forms. 0, RT_ENOMEM, or RT_EINVAL for a schema change whose origin
 * map does not fit its schemas (a bug of the operator that made it); out then holds whole lines
 * only. */
int op_changelog_format(op_changelog *c, const rt_batch *batch, rt_buf *out, rt_err *err);

#endif
