/* The checks the mysql_cdc source makes when it opens: the server writes a binary log CDC can
 * read (log_bin, binlog_format=ROW, binlog_row_image=FULL) and the user holds the privileges
 * the snapshot and the binlog reader need. Each failure says what to change. */
#ifndef SLUICE_OPERATORS_MYSQL_SERVER_CHECK_H
#define SLUICE_OPERATORS_MYSQL_SERVER_CHECK_H

#include "operators/mysql/connection.h"
#include "operators/mysql/schema_reader.h"
#include "runtime/base/errors.h"

/* Checks, in this order: log_bin is ON; binlog_format is ROW; binlog_row_image is FULL;
 * binlog_row_value_options has no PARTIAL_JSON (MySQL 8, whose partial JSON updates carry no
 * after image); the user holds REPLICATION SLAVE (from SHOW GRANTS: global grants, with the
 * active role's); SHOW MASTER STATUS (MySQL 8.2+: SHOW BINARY LOG STATUS) is allowed (BINLOG
 * MONITOR on MariaDB 10.5.2+, REPLICATION CLIENT before and on MySQL); and SELECT works on each
 * table of `tables` (may be NULL; tables whose `table` was already taken are
 * skipped, so check before handing them to a catalog). Logs a warning when binlog_row_metadata is
 * not FULL: the decoder then names columns from information_schema, which is wrong for events
 * written before a DDL.
 *
 * Returns 0, or RT_EINVAL for the first failed check with a message that says what to change:
 * "check server 127.0.0.1:3306: binlog_format is STATEMENT; MySQL CDC needs ROW: set
 * binlog_format=ROW in the server configuration (my.cnf [mysqld]) and restart, or SET GLOBAL
 * binlog_format=ROW"; further failures are logged as errors. The connection's errors otherwise.
 * Runs a few statements on c (its thread). */
int op_mysql_check_server(op_mysql_conn *c, op_mysql_table_list *tables, rt_err *err);

#endif
