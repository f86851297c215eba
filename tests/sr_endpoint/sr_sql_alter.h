/* sr_sql_alter: the DDL statements of sr-endpoint's MySQL port as store operations (sr_store_ddl,
 * with the statement text for the audit log) and SHOW ALTER TABLE COLUMN, the way StarRocks
 * reports schema-change jobs. Runs on the loop thread. */
#ifndef SLUICE_TESTS_SR_ENDPOINT_SR_SQL_ALTER_H
#define SLUICE_TESTS_SR_ENDPOINT_SR_SQL_ALTER_H

#include <stdbool.h>

#include "runtime/base/errors.h"
#include "tests/sr_endpoint/sr_mysql_wire.h"
#include "tests/sr_endpoint/sr_sql_parse.h"
#include "tests/sr_endpoint/sr_store.h"

/* Runs the ALTER TABLE statement st (ADD_COLUMN, DROP_COLUMN, MODIFY_COLUMN, RENAME_COLUMN,
 * RENAME_TABLE) on table st->table of db (which exists). Returns 0, or the store's code with
 * StarRocks' message in err (sr_store_ddl). */
int sr_sql_alter_exec(sr_store *store, const sr_sql_stmt *st, const char *db, rt_err *err);

/* Records a DDL statement that succeeded without a change (IF [NOT] EXISTS) in the audit log.
 * Returns 0 or the store's code. */
int sr_sql_alter_noop(sr_store *store, const sr_sql_stmt *st, const char *db, rt_err *err);

/* SHOW ALTER TABLE COLUMN of db (which exists): answers on s with StarRocks' columns (JobId,
 * TableName, CreateTime, FinishTime, IndexName, IndexId, OriginIndexId, SchemaVersion,
 * TransactionId, State, Msg, Progress, Timeout), filtered, ordered and limited as st says.
 * Returns true when the answer was a result set. */
bool sr_sql_alter_show(sr_store *store, sr_mysql_session *s, const sr_sql_stmt *st, const char *db,
                       bool more);

#endif
