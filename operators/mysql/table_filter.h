/* Table selection for the mysql_cdc source: POSIX extended regular expressions matched against
 * whole "db.table" names (include and exclude lists), per-table column lists and chunk key
 * columns. Pure: no server involved. */
#ifndef SLUICE_OPERATORS_MYSQL_TABLE_FILTER_H
#define SLUICE_OPERATORS_MYSQL_TABLE_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/base/config.h"
#include "runtime/base/errors.h"

typedef struct op_mysql_table_filter op_mysql_table_filter;

/* Compiles the filter. Each pattern is a POSIX extended regular expression matched against the
 * whole name "db.table" (it is wrapped as ^(...)$, so "shop\.orders" does not match
 * "shop.orders_old"), case-sensitively, as MySQL names are on Linux.
 *   include        the tables to read (at least one pattern)
 *   exclude        tables to leave out even when included (may be NULL)
 *   columns_json   NULL, or a JSON object {"pattern": ["col", ...]}: only these columns of the
 *                  matching tables (each list non-empty, no duplicates)
 *   chunk_keys_json NULL, or a JSON object {"pattern": "col"}: the column snapshot chunks of the
 *                  matching tables split on
 *   path           the config object's JSON path, for messages and op_mysql_table_filter_*_path
 * Errors are RT_EINVAL naming the item: `$.operators[0].config.tables[1]: invalid regular
 * expression "shop[": brackets ([ ]) not balanced`. *out: free with op_mysql_table_filter_free.
 * The filter is immutable: any thread may match concurrently. */
int op_mysql_table_filter_new(const rt_strlist *include, const rt_strlist *exclude,
                              const char *columns_json, const char *chunk_keys_json,
                              const char *path, op_mysql_table_filter **out, rt_err *err);
/* NULL is a no-op. */
void op_mysql_table_filter_free(op_mysql_table_filter *f);

/* True when db.table matches an include pattern and no exclude pattern. */
bool op_mysql_table_filter_match(const op_mysql_table_filter *f, const char *db, const char *table);

/* The include patterns one by one, to report a pattern that selects nothing. */
size_t op_mysql_table_filter_include_count(const op_mysql_table_filter *f);
/* The i-th pattern as configured, and its JSON path ("$.operators[0].config.tables[1]"). Borrowed.
 */
const char *op_mysql_table_filter_include(const op_mysql_table_filter *f, size_t i);
const char *op_mysql_table_filter_include_path(const op_mysql_table_filter *f, size_t i);
/* True when the i-th include pattern matches db.table (exclusions not applied). */
bool op_mysql_table_filter_include_matches(const op_mysql_table_filter *f, size_t i, const char *db,
                                           const char *table);

/* The column list for db.table: 0 with *names and *count (borrowed, in configured order) and *path
 * (the entry's JSON path, for messages), or *names NULL and *count 0 when no pattern matches (all
 * columns). RT_EINVAL when two patterns match the table (which list applies would depend on the
 * order of keys in a JSON object). path may be NULL. */
int op_mysql_table_filter_columns(const op_mysql_table_filter *f, const char *db, const char *table,
                                  const char *const **names, size_t *count, const char **path,
                                  rt_err *err);
/* The configured chunk key column of db.table, as op_mysql_table_filter_columns: *column NULL
 * when none is configured. */
int op_mysql_table_filter_chunk_key(const op_mysql_table_filter *f, const char *db,
                                    const char *table, const char **column, const char **path,
                                    rt_err *err);

#endif
