/* Helpers of the mysql_cdc client integration tests: connection parameters of the fixture's
 * server, a unique name prefix per test process, a free TCP port, private servers, and a log
 * capture. */
#ifndef SLUICE_TESTS_INTEGRATION_MYSQL_IT_H
#define SLUICE_TESTS_INTEGRATION_MYSQL_IT_H

#include <stdbool.h>

#include "operators/mysql/connection.h"

/* The fixture server's parameters (ssl disabled); false (with a test failure) without them. */
bool it_params(op_mysql_conn_params *out);
/* Opens a connection to the fixture server as the test user; NULL (with a test failure). */
op_mysql_conn *it_open(void);
/* "it<pid>": a prefix for the databases and users of this test process. Static. */
const char *it_prefix(void);
/* A TCP port on 127.0.0.1 with nothing listening (bound, then released). */
unsigned it_free_port(void);

/* A private MariaDB server in dir on port (tests/harness/mariadb.sh start): 0 or -1. */
int it_server_start(const char *dir, unsigned port);
/* The same datadir started without a binary log (--skip-log-bin): 0 or -1. */
int it_server_start_without_binlog(const char *dir, unsigned port);
/* Starts mariadbd on the datadir it_server_start installed, with extra arguments: 0 or -1. */
int it_server_run(const char *dir, unsigned port, const char *args);
/* Stops the private server (mariadb.sh stop). */
void it_server_stop(const char *dir);
/* Runs SQL as root on the private server's socket: 0 or -1. */
int it_server_sql(const char *dir, const char *sql);

/* Sends the log to a file at debug level; it_log_end restores stderr and returns the text
 * (free()). */
void it_log_begin(void);
char *it_log_end(void);

#endif
