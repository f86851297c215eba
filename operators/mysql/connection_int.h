/* The MariaDB Connector/C handle behind an op_mysql_conn, for the .c files of operators/mysql
 * that work below the query API (the binlog dump reader sends COM_BINLOG_DUMP on it). Include
 * only from such a .c file, never from another header: no MYSQL type crosses a public header. */
#ifndef SLUICE_OPERATORS_MYSQL_CONNECTION_INT_H
#define SLUICE_OPERATORS_MYSQL_CONNECTION_INT_H

#include <mysql.h>

#include "operators/mysql/connection.h"

/* Borrowed; valid until op_mysql_conn_close. */
MYSQL *op_mysql_conn_handle(op_mysql_conn *c);

/* The rt_err code for a client or server error number: RT_EUNAVAIL for a lost or refused
 * connection, RT_ETIMEDOUT for lock waits, RT_EINVAL for what retrying cannot fix. */
int op_mysql_errno_code(unsigned errnum);

/* Sets err from the handle's last error as "<what>: <message> (error N, SQLSTATE X)", with the
 * code op_mysql_errno_code gives, and returns that code. */
int op_mysql_conn_fail(op_mysql_conn *c, const char *what, rt_err *err);

#endif
