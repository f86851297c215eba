/* Helpers for integration tests against the MariaDB test server (tests/harness/mariadb.sh, started
 * by the ctest fixture "mariadb"): connection parameters from the environment and a way to run
 * SQL. Link sluice_test_mysql. */
#ifndef SLUICE_TESTS_HARNESS_MARIADB_H
#define SLUICE_TESTS_HARNESS_MARIADB_H

#include <stdbool.h>
#include <stddef.h>

typedef struct test_mysql_params {
    const char *host;
    unsigned port;
    const char *user;
    const char *password;
    const char *socket;
} test_mysql_params;

/* The server's parameters (SLUICE_MYSQL_HOST/PORT/USER/PASSWORD/SOCKET); false when the
 * environment does not name a server (the test should then fail: the fixture always sets it). */
bool test_mysql_params_get(test_mysql_params *out);
/* Runs one or more ;-separated statements as the test user; returns 0, or -1 after printing the
 * server's error (with the statement) to stderr. */
int test_mysql_exec(const char *sql);
/* Runs a query and returns the first column of the first row as a malloc'd string ("" for no
 * row, "NULL" for NULL), or NULL on error (printed). */
char *test_mysql_scalar(const char *sql);
/* The binlog position now ("mysql-bin.000001:816") into buf; 0 or -1. */
int test_mysql_binlog_pos(char *buf, size_t size);

#endif
