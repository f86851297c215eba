/* The sr-endpoint process and SQL over its query port, for the tests that run whole sink jobs
 * against it (tests/integration/starrocks/test_sink.c, tests/integration/schema_evolution/). */
#include "tests/integration/starrocks/sr_test_endpoint.h"

#include <errno.h>
#include <jansson.h>
#include <mysql.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/harness/test.h"

#ifndef SR_ENDPOINT_BIN
#error "SR_ENDPOINT_BIN must name the sr-endpoint executable"
#endif

/* --- The endpoint --- */

static pid_t endpoint_pid;
static int fe_port, query_port;

int sr_test_fe_port(void)
{
    return fe_port;
}

int sr_test_query_port(void)
{
    return query_port;
}

static void endpoint_stop(void)
{
    if (endpoint_pid > 0) {
        kill(endpoint_pid, SIGTERM);
        int st;
        waitpid(endpoint_pid, &st, 0);
        endpoint_pid = 0;
    }
}

bool sr_test_endpoint_start(void)
{
    if (endpoint_pid > 0)
        return true;
    char dir[600], ports[700];
    snprintf(dir, sizeof dir, "%s/sr-data", test_tmpdir());
    snprintf(ports, sizeof ports, "%s/sr-ports.json", test_tmpdir());
    unlink(ports);
    pid_t pid = fork();
    if (pid == 0) {
        execl(SR_ENDPOINT_BIN, SR_ENDPOINT_BIN, "--data-dir", dir, "--fe-http-port", "0",
              "--be-http-port", "0", "--query-port", "0", "--ports-file", ports, (char *)NULL);
        _exit(127);
    }
    if (pid < 0) {
        test_fail(__FILE__, __LINE__, "fork: %s", strerror(errno));
        return false;
    }
    endpoint_pid = pid;
    atexit(endpoint_stop);
    for (int i = 0; i < 200; i++) {
        char *text = test_read_file(ports, NULL);
        json_t *j = text ? json_loads(text, 0, NULL) : NULL;
        free(text);
        if (j) {
            fe_port = (int)json_integer_value(json_object_get(j, "fe_http"));
            query_port = (int)json_integer_value(json_object_get(j, "query"));
            json_decref(j);
            if (fe_port > 0 && query_port > 0)
                return true;
        }
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            endpoint_pid = 0;
            test_fail(__FILE__, __LINE__, "sr-endpoint exited (status %d)", st);
            return false;
        }
        usleep(50000);
    }
    test_fail(__FILE__, __LINE__, "sr-endpoint wrote no ports file");
    return false;
}

/* --- SQL over the query port --- */

static MYSQL *sql_connect(void)
{
    MYSQL *my = mysql_init(NULL);
    if (!mysql_real_connect(my, "127.0.0.1", "root", "", NULL, (unsigned)query_port, NULL, 0)) {
        test_fail(__FILE__, __LINE__, "connect to the query port: %s", mysql_error(my));
        mysql_close(my);
        return NULL;
    }
    return my;
}

void sr_test_exec(const char *sql)
{
    MYSQL *my = sql_connect();
    if (!my)
        return;
    if (mysql_query(my, sql) != 0)
        test_fail(__FILE__, __LINE__, "%s: %s", sql, mysql_error(my));
    MYSQL_RES *r = mysql_store_result(my);
    if (r)
        mysql_free_result(r);
    mysql_close(my);
}

void sr_test_rows_free(sr_test_rows *r)
{
    for (size_t i = 0; i < r->count; i++) {
        for (size_t c = 0; c < r->ncols; c++)
            free(r->cells[i][c]);
        free(r->cells[i]);
        free(r->lens[i]);
    }
    free(r->cells);
    free(r->lens);
    memset(r, 0, sizeof *r);
}

bool sr_test_rows_query(const char *sql, sr_test_rows *out)
{
    memset(out, 0, sizeof *out);
    MYSQL *my = sql_connect();
    if (!my)
        return false;
    bool ok = mysql_query(my, sql) == 0;
    MYSQL_RES *res = ok ? mysql_store_result(my) : NULL;
    if (!res) {
        test_fail(__FILE__, __LINE__, "%s: %s", sql, mysql_error(my));
        mysql_close(my);
        return false;
    }
    out->ncols = mysql_num_fields(res);
    size_t n = (size_t)mysql_num_rows(res);
    out->cells = calloc(n + 1, sizeof *out->cells);
    out->lens = calloc(n + 1, sizeof *out->lens);
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res))) {
        unsigned long *l = mysql_fetch_lengths(res);
        char **cells = calloc(out->ncols, sizeof *cells);
        unsigned long *lens = calloc(out->ncols, sizeof *lens);
        for (size_t c = 0; c < out->ncols; c++) {
            if (row[c]) {
                cells[c] = malloc(l[c] + 1);
                memcpy(cells[c], row[c], l[c]);
                cells[c][l[c]] = '\0';
            }
            lens[c] = l[c];
        }
        out->cells[out->count] = cells;
        out->lens[out->count++] = lens;
    }
    mysql_free_result(res);
    mysql_close(my);
    return true;
}

long long sr_test_count(const char *sql)
{
    sr_test_rows r;
    if (!sr_test_rows_query(sql, &r))
        return -1;
    long long n = r.count == 1 && r.cells[0][0] ? atoll(r.cells[0][0]) : -1;
    sr_test_rows_free(&r);
    return n;
}
