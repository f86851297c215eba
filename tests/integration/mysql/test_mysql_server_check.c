/* Integration tests of op_mysql_check_server: the fixture server passes; restricted users get
 * the grant they miss named; a private server (its own port and datadir) with STATEMENT format,
 * MINIMAL row images, MINIMAL row metadata and, restarted without --log-bin, no binary log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operators/mysql/server_check.h"
#include "tests/harness/mariadb.h"
#include "tests/harness/test.h"
#include "tests/integration/mysql/mysql_it.h"

/* The filter and tables of db.pattern on c: *list or a test failure. */
static op_mysql_table_list *tables_of(op_mysql_conn *c, const char *pattern)
{
    rt_strlist in = {(char **)&pattern, 1};
    op_mysql_table_filter *f = NULL;
    op_mysql_table_list *l = NULL;
    rt_err err;
    if (op_mysql_table_filter_new(&in, NULL, NULL, NULL, "config", &f, &err) != 0 ||
        op_mysql_schema_read_tables(c, f, &l, &err) != 0)
        test_fail(__FILE__, __LINE__, "tables: %s", err.msg);
    op_mysql_table_filter_free(f);
    return l;
}

static op_mysql_conn *open_as(const char *user, const char *password, unsigned port)
{
    op_mysql_conn_params p;
    if (!it_params(&p))
        return NULL;
    p.user = user;
    p.password = password;
    if (port)
        p.port = port;
    op_mysql_conn *c = NULL;
    rt_err err;
    if (op_mysql_conn_open(&p, &c, &err) != 0)
        test_fail(__FILE__, __LINE__, "open as %s: %s", user, err.msg);
    return c;
}

TEST(fixture_server_is_ready)
{
    char sql[512];
    const char *p = it_prefix();
    snprintf(sql, sizeof sql,
             "DROP DATABASE IF EXISTS %s_ok; CREATE DATABASE %s_ok;"
             "CREATE TABLE %s_ok.t (id INT PRIMARY KEY)",
             p, p, p);
    CHECK_INT_EQ(test_mysql_exec(sql), 0);
    op_mysql_conn *c = it_open();
    if (!c)
        return;
    snprintf(sql, sizeof sql, "%s_ok\\.t", p);
    op_mysql_table_list *l = tables_of(c, sql);
    rt_err err;
    it_log_begin();
    CHECK_OK(op_mysql_check_server(c, l, &err), &err);
    CHECK_OK(op_mysql_check_server(c, NULL, &err), &err);
    char *log = it_log_end();
    CHECK_STR_CONTAINS(log, "is ready for CDC");
    CHECK(strstr(log, "WARN") == NULL);
    free(log);
    op_mysql_table_list_free(l);
    op_mysql_conn_close(c);
    snprintf(sql, sizeof sql, "DROP DATABASE %s_ok", p);
    CHECK_INT_EQ(test_mysql_exec(sql), 0);
}

TEST(restricted_users_are_told_the_grant)
{
    const char *p = it_prefix();
    char sql[2048];
    snprintf(sql, sizeof sql,
             "DROP DATABASE IF EXISTS %s_priv; CREATE DATABASE %s_priv;"
             "CREATE TABLE %s_priv.t1 (id INT PRIMARY KEY);"
             "CREATE TABLE %s_priv.t2 (id INT PRIMARY KEY);"
             "DROP USER IF EXISTS '%s_a'@'127.0.0.1', '%s_b'@'127.0.0.1', '%s_c'@'127.0.0.1';"
             "CREATE USER '%s_a'@'127.0.0.1' IDENTIFIED BY 'pw-a';"
             "GRANT SELECT ON %s_priv.* TO '%s_a'@'127.0.0.1';"
             "CREATE USER '%s_b'@'127.0.0.1' IDENTIFIED BY 'pw-b';"
             "GRANT SELECT ON %s_priv.* TO '%s_b'@'127.0.0.1';"
             "GRANT REPLICATION SLAVE ON *.* TO '%s_b'@'127.0.0.1';"
             "CREATE USER '%s_c'@'127.0.0.1' IDENTIFIED BY 'pw-c';"
             "GRANT SELECT ON %s_priv.t1 TO '%s_c'@'127.0.0.1';"
             "GRANT INSERT ON %s_priv.t2 TO '%s_c'@'127.0.0.1';"
             "GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO '%s_c'@'127.0.0.1'",
             p, p, p, p, p, p, p, p, p, p, p, p, p, p, p, p, p, p, p, p);
    CHECK_INT_EQ(test_mysql_exec(sql), 0);
    char user[64], pattern[128], want[256];
    rt_err err;

    /* SELECT only: the replication grant is missing (and logged: SHOW MASTER STATUS too). */
    snprintf(user, sizeof user, "%s_a", p);
    snprintf(pattern, sizeof pattern, "%s_priv\\..*", p);
    op_mysql_conn *c = open_as(user, "pw-a", 0);
    if (c) {
        op_mysql_table_list *l = tables_of(c, pattern);
        it_log_begin();
        CHECK_INT_EQ(op_mysql_check_server(c, l, &err), RT_EINVAL);
        char *log = it_log_end();
        fprintf(stderr, "  no replication: %s\n", err.msg);
        snprintf(want, sizeof want,
                 "user '%s'@'127.0.0.1' lacks REPLICATION SLAVE, needed to read the binary log: "
                 "GRANT REPLICATION SLAVE ON *.* TO '%s'@'127.0.0.1'",
                 user, user);
        CHECK_STR_CONTAINS(err.msg, want);
        CHECK_STR_CONTAINS(err.msg, "check server 127.0.0.1:");
        CHECK_STR_CONTAINS(log, "lacks BINLOG MONITOR");
        free(log);
        op_mysql_table_list_free(l);
        op_mysql_conn_close(c);
    }

    /* REPLICATION SLAVE but not BINLOG MONITOR. */
    snprintf(user, sizeof user, "%s_b", p);
    c = open_as(user, "pw-b", 0);
    if (c) {
        CHECK_INT_EQ(op_mysql_check_server(c, NULL, &err), RT_EINVAL);
        fprintf(stderr, "  no binlog monitor: %s\n", err.msg);
        snprintf(want, sizeof want,
                 "user '%s'@'127.0.0.1' lacks BINLOG MONITOR, needed for SHOW MASTER STATUS", user);
        CHECK_STR_CONTAINS(err.msg, want);
        snprintf(want, sizeof want, "GRANT BINLOG MONITOR ON *.* TO '%s'@'127.0.0.1'", user);
        CHECK_STR_CONTAINS(err.msg, want);
        op_mysql_conn_close(c);
    }

    /* Replication grants, SELECT on t1 only: t2 is visible (INSERT) but not readable. */
    snprintf(user, sizeof user, "%s_c", p);
    c = open_as(user, "pw-c", 0);
    if (c) {
        op_mysql_table_list *l = tables_of(c, pattern);
        CHECK_UINT_EQ(l ? op_mysql_table_list_count(l) : 0, 2);
        CHECK_INT_EQ(op_mysql_check_server(c, l, &err), RT_EINVAL);
        fprintf(stderr, "  no select: %s\n", err.msg);
        snprintf(want, sizeof want,
                 "lacks SELECT on %s_priv.t2, needed for the snapshot: GRANT "
                 "SELECT ON `%s_priv`.* TO '%s'@'127.0.0.1'",
                 p, p, user);
        CHECK_STR_CONTAINS(err.msg, want);
        op_mysql_table_list_free(l);
        op_mysql_conn_close(c);
    }
    /* Privileges that come from the user's default role count. */
    snprintf(sql, sizeof sql,
             "DROP ROLE IF EXISTS %s_role; CREATE ROLE %s_role;"
             "GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO %s_role;"
             "GRANT SELECT ON %s_priv.* TO %s_role;"
             "DROP USER IF EXISTS '%s_d'@'127.0.0.1';"
             "CREATE USER '%s_d'@'127.0.0.1' IDENTIFIED BY 'pw-d';"
             "GRANT %s_role TO '%s_d'@'127.0.0.1';"
             "SET DEFAULT ROLE %s_role FOR '%s_d'@'127.0.0.1'",
             p, p, p, p, p, p, p, p, p, p, p);
    CHECK_INT_EQ(test_mysql_exec(sql), 0);
    snprintf(user, sizeof user, "%s_d", p);
    c = open_as(user, "pw-d", 0);
    if (c) {
        op_mysql_table_list *l = tables_of(c, pattern);
        CHECK_OK(op_mysql_check_server(c, l, &err), &err);
        op_mysql_table_list_free(l);
        op_mysql_conn_close(c);
    }
    snprintf(sql, sizeof sql,
             "DROP USER '%s_a'@'127.0.0.1', '%s_b'@'127.0.0.1', '%s_c'@'127.0.0.1',"
             " '%s_d'@'127.0.0.1'; DROP ROLE %s_role; DROP DATABASE %s_priv",
             p, p, p, p, p, p);
    CHECK_INT_EQ(test_mysql_exec(sql), 0);
}

/* Opens as the test user on the private server and runs the check; returns its code. */
static int check_private(unsigned port, rt_err *err)
{
    op_mysql_conn *c = open_as("sluice", "sluice-pw", port);
    if (!c)
        return RT_EINTERNAL;
    int rc = op_mysql_check_server(c, NULL, err);
    op_mysql_conn_close(c);
    return rc;
}

TEST(binlog_settings_on_a_private_server)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/maria", test_tmpdir());
    unsigned port = it_free_port();
    if (it_server_start(dir, port) != 0) {
        test_fail(__FILE__, __LINE__, "cannot start a private server in %s", dir);
        it_server_stop(dir);
        return;
    }
    rt_err err;
    CHECK_OK(check_private(port, &err), &err);

    CHECK_INT_EQ(it_server_sql(dir, "SET GLOBAL binlog_format = 'STATEMENT'"), 0);
    CHECK_INT_EQ(check_private(port, &err), RT_EINVAL);
    fprintf(stderr, "  statement: %s\n", err.msg);
    CHECK_STR_CONTAINS(err.msg, "binlog_format is STATEMENT; MySQL CDC needs ROW: set "
                                "binlog_format=ROW in the server configuration (my.cnf [mysqld]) "
                                "and restart, or SET GLOBAL binlog_format=ROW");
    CHECK_INT_EQ(it_server_sql(dir, "SET GLOBAL binlog_format = 'MIXED'"), 0);
    CHECK_INT_EQ(check_private(port, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "binlog_format is MIXED; MySQL CDC needs ROW");

    CHECK_INT_EQ(it_server_sql(dir, "SET GLOBAL binlog_format = 'ROW';"
                                    "SET GLOBAL binlog_row_image = 'MINIMAL'"),
                 0);
    CHECK_INT_EQ(check_private(port, &err), RT_EINVAL);
    fprintf(stderr, "  row image: %s\n", err.msg);
    CHECK_STR_CONTAINS(err.msg, "binlog_row_image is MINIMAL; MySQL CDC needs FULL");
    CHECK_STR_CONTAINS(err.msg, "SET GLOBAL binlog_row_image=FULL");

    /* Two failures: the first is the error, the second is logged. */
    CHECK_INT_EQ(it_server_sql(dir, "SET GLOBAL binlog_format = 'STATEMENT'"), 0);
    it_log_begin();
    CHECK_INT_EQ(check_private(port, &err), RT_EINVAL);
    char *log = it_log_end();
    CHECK_STR_CONTAINS(err.msg, "binlog_format is STATEMENT");
    CHECK_STR_CONTAINS(log, "binlog_row_image is MINIMAL");
    free(log);

    /* Row metadata below FULL is a warning, not a failure. */
    CHECK_INT_EQ(it_server_sql(dir, "SET GLOBAL binlog_format = 'ROW';"
                                    "SET GLOBAL binlog_row_image = 'FULL';"
                                    "SET GLOBAL binlog_row_metadata = 'MINIMAL'"),
                 0);
    it_log_begin();
    CHECK_OK(check_private(port, &err), &err);
    log = it_log_end();
    CHECK_STR_CONTAINS(log, "binlog_row_metadata is MINIMAL");
    free(log);

    /* The same datadir without a binary log. */
    it_server_stop(dir);
    if (it_server_start_without_binlog(dir, port) != 0) {
        test_fail(__FILE__, __LINE__, "cannot restart the private server without binlog");
    } else {
        CHECK_INT_EQ(check_private(port, &err), RT_EINVAL);
        fprintf(stderr, "  no binlog: %s\n", err.msg);
        CHECK_STR_CONTAINS(err.msg, "log_bin is OFF; MySQL CDC reads the binary log: start the "
                                    "server with log_bin");
    }
    it_server_stop(dir);
}

TEST_MAIN()
