/* Integration-test helpers over MariaDB Connector/C: see mariadb.h. */
#include "tests/harness/mariadb.h"

#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool test_mysql_params_get(test_mysql_params *out)
{
    const char *port = getenv("SLUICE_MYSQL_PORT");
    out->host = getenv("SLUICE_MYSQL_HOST");
    out->user = getenv("SLUICE_MYSQL_USER");
    out->password = getenv("SLUICE_MYSQL_PASSWORD");
    out->socket = getenv("SLUICE_MYSQL_SOCKET");
    out->port = port ? (unsigned)atoi(port) : 0;
    if (!out->host || !out->user || !out->password || !out->port) {
        fprintf(stderr, "SLUICE_MYSQL_* is not set: run under ctest (fixture \"mariadb\")\n");
        return false;
    }
    return true;
}

static MYSQL *connect_test(void)
{
    test_mysql_params p;
    if (!test_mysql_params_get(&p))
        return NULL;
    MYSQL *m = mysql_init(NULL);
    if (!m)
        return NULL;
    if (!mysql_real_connect(m, p.host, p.user, p.password, NULL, p.port, NULL,
                            CLIENT_MULTI_STATEMENTS)) {
        fprintf(stderr, "connect %s:%u: %s\n", p.host, p.port, mysql_error(m));
        mysql_close(m);
        return NULL;
    }
    return m;
}

int test_mysql_exec(const char *sql)
{
    MYSQL *m = connect_test();
    if (!m)
        return -1;
    int rc = 0;
    if (mysql_query(m, sql) != 0) {
        fprintf(stderr, "%s: %s\n", sql, mysql_error(m));
        rc = -1;
    }
    /* Drain every result of a multi-statement string, reporting the first failing statement. */
    while (rc == 0) {
        MYSQL_RES *res = mysql_store_result(m);
        mysql_free_result(res);
        int next = mysql_next_result(m);
        if (next < 0)
            break;
        if (next > 0) {
            fprintf(stderr, "%s: %s\n", sql, mysql_error(m));
            rc = -1;
        }
    }
    mysql_close(m);
    return rc;
}

char *test_mysql_scalar(const char *sql)
{
    MYSQL *m = connect_test();
    if (!m)
        return NULL;
    char *out = NULL;
    if (mysql_query(m, sql) != 0) {
        fprintf(stderr, "%s: %s\n", sql, mysql_error(m));
    } else {
        MYSQL_RES *res = mysql_store_result(m);
        MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
        out = strdup(!row ? "" : row[0] ? row[0] : "NULL");
        mysql_free_result(res);
    }
    mysql_close(m);
    return out;
}

int test_mysql_binlog_pos(char *buf, size_t size)
{
    MYSQL *m = connect_test();
    if (!m)
        return -1;
    int rc = -1;
    if (mysql_query(m, "SHOW MASTER STATUS") == 0) {
        MYSQL_RES *res = mysql_store_result(m);
        MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
        if (row && row[0] && row[1]) {
            snprintf(buf, size, "%s:%s", row[0], row[1]);
            rc = 0;
        }
        mysql_free_result(res);
    }
    mysql_close(m);
    return rc;
}
