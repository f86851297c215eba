/* The origin map of an ALTER TABLE: which column of the schema before each column of the schema
 * after continues (runtime/batch.h's rt_schema_change.origin), worked out from the parsed
 * alterations, so a CHANGE or RENAME COLUMN reaches sinks as a rename. Pure. */
#ifndef SLUICE_OPERATORS_MYSQL_DDL_ORIGIN_H
#define SLUICE_OPERATORS_MYSQL_DDL_ORIGIN_H

#include <stdint.h>

#include "operators/mysql/ddl_parse.h"
#include "runtime/base/errors.h"
#include "runtime/table.h"

/* Fills origin (rt_table_column_count(after) entries) for the ALTER TABLE d that turned before
 * into after: the index in before of the column each column of after continues, or -1 for a
 * new one. The alterations are followed in statement order as the schema history applies them:
 * ADD makes a new column (unless one of that name exists), DROP ends one, CHANGE and RENAME
 * COLUMN carry one to its new name, MODIFY and FIRST / AFTER keep it. Columns are matched by
 * name, case-insensitively, so before and after may be selections of the server table's columns
 * (a column list). 0 or RT_ENOMEM. */
int op_ddl_origin(const op_ddl *d, const rt_table *before, const rt_table *after, int32_t *origin,
                  rt_err *err);

#endif
