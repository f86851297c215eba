/* The sr-endpoint process (started once per test binary on kernel-chosen ports, stopped at exit)
 * and SQL over its query port as root, for tests that run whole starrocks sink jobs. Failures are
 * reported with test_fail. */
#ifndef SLUICE_TESTS_INTEGRATION_STARROCKS_SR_TEST_ENDPOINT_H
#define SLUICE_TESTS_INTEGRATION_STARROCKS_SR_TEST_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>

/* Starts the endpoint unless it runs; false (after test_fail) when it cannot start. */
bool sr_test_endpoint_start(void);
/* Its FE HTTP and MySQL-protocol ports (0 before a start). */
int sr_test_fe_port(void);
int sr_test_query_port(void);

/* Runs one statement; a failure is a test failure. */
void sr_test_exec(const char *sql);

/* Rows of a query; cells NULL for SQL NULL. */
typedef struct sr_test_rows {
    size_t count, ncols;
    char ***cells;
    unsigned long **lens;
} sr_test_rows;

/* false (after test_fail) when the query fails; free *out with sr_test_rows_free. */
bool sr_test_rows_query(const char *sql, sr_test_rows *out);
void sr_test_rows_free(sr_test_rows *r);
/* The single value of a COUNT(*) query, -1 on failure. */
long long sr_test_count(const char *sql);

#endif
