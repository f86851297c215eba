/* sr_sql_select: the queries of sr-endpoint's MySQL port that answer with rows computed here:
 * SELECT ... FROM one table (columns or *, ANDed `col op literal` conditions, ORDER BY, LIMIT,
 * COUNT(*)), SELECT without FROM (system variables, a few functions, literals) and SHOW
 * VARIABLES. Runs on the loop thread; answers on the session. */
#ifndef SLUICE_TESTS_SR_ENDPOINT_SR_SQL_SELECT_H
#define SLUICE_TESTS_SR_ENDPOINT_SR_SQL_SELECT_H

#include <stdbool.h>

#include "tests/sr_endpoint/sr_mysql_wire.h"
#include "tests/sr_endpoint/sr_sql_parse.h"
#include "tests/sr_endpoint/sr_store.h"

/* The result-set column for a table column (type, width, flags). Strings borrowed from c/table. */
void sr_sql_select_column(const sr_column_def *c, const char *db, const char *table, bool key,
                          sr_mysql_column *out);

/* Runs st (SR_SQL_SELECT on db, which exists; SELECT_EXPR; SHOW_VARIABLES) and answers on s:
 * a result set, or ERR. more: another result follows. version: the announced server version.
 * Returns true when the answer was a result set, false when it was ERR. */
bool sr_sql_select_run(sr_store *store, sr_mysql_session *s, const sr_sql_stmt *st, const char *db,
                       const char *version, bool more);

#endif
