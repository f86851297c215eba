/* Integration tests of op_mysql_conn against the MariaDB fixture: session set-up, flavor, the
 * query API, quoting, and errors (transient or not, never showing the password), retries and
 * their cancellation, a killed connection and a read timeout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operators/mysql/connection.h"
#include "runtime/base/clock.h"
#include "tests/harness/mariadb.h"
#include "tests/harness/test.h"
#include "tests/integration/mysql/mysql_it.h"

static char *value(op_mysql_conn *c, const char *sql)
{
    char *v = NULL;
    rt_err err;
    if (op_mysql_conn_query_value(c, sql, &v, &err) != 0)
        test_fail(__FILE__, __LINE__, "%s", err.msg);
    return v;
}

TEST(open_sets_a_utc_utf8mb4_session)
{
    op_mysql_conn *c = it_open();
    if (!c)
        return;
    CHECK_INT_EQ(op_mysql_conn_flavor(c), OP_MYSQL_FLAVOR_MARIADB);
    CHECK(op_mysql_conn_server_version(c) >= 100000);
    CHECK_STR_CONTAINS(op_mysql_conn_server_version_text(c), "MariaDB");
    CHECK_STR_CONTAINS(op_mysql_conn_name(c), "127.0.0.1:");
    CHECK_STR_EQ(op_mysql_conn_user(c), "sluice");
    CHECK_STR_EQ(op_mysql_conn_server_time_zone(c), "UTC");
    CHECK(!op_mysql_conn_is_tls(c));
    char *v = value(c, "SELECT @@session.time_zone");
    CHECK_STR_EQ(v, "+00:00");
    free(v);
    v = value(c, "SELECT CONCAT(@@character_set_client, ',', @@character_set_connection, ',', "
                 "@@character_set_results)");
    CHECK_STR_EQ(v, "utf8mb4,utf8mb4,utf8mb4");
    free(v);
    v = value(c, "SELECT CONNECTION_ID()");
    char id[32];
    snprintf(id, sizeof id, "%lu", op_mysql_conn_thread_id(c));
    CHECK_STR_EQ(v, id);
    free(v);
    rt_err err;
    CHECK_OK(op_mysql_conn_ping(c, &err), &err);
    op_mysql_conn_close(c);
    op_mysql_conn_close(NULL);
}

TEST(timestamps_read_as_utc)
{
    char sql[1024];
    const char *p = it_prefix();
    snprintf(sql, sizeof sql,
             "DROP DATABASE IF EXISTS %s_ts; CREATE DATABASE %s_ts; "
             "CREATE TABLE %s_ts.t (id INT PRIMARY KEY, ts TIMESTAMP(3) NULL, dt DATETIME NULL); "
             "SET time_zone = '+08:00'; "
             "INSERT INTO %s_ts.t VALUES (1, '2024-01-01 08:00:00.250', '2024-01-01 08:00:00')",
             p, p, p, p);
    CHECK_INT_EQ(test_mysql_exec(sql), 0);
    op_mysql_conn *c = it_open();
    if (!c)
        return;
    snprintf(sql, sizeof sql, "SELECT CONCAT(ts, ' / ', dt) FROM %s_ts.t", p);
    char *v = value(c, sql);
    /* The instant written at +08:00 reads as UTC; DATETIME has no zone and reads as written. */
    CHECK_STR_EQ(v, "2024-01-01 00:00:00.250 / 2024-01-01 08:00:00");
    free(v);
    op_mysql_conn_close(c);
    snprintf(sql, sizeof sql, "DROP DATABASE %s_ts", p);
    CHECK_INT_EQ(test_mysql_exec(sql), 0);
}

typedef struct seen {
    size_t rows, stop_after;
    size_t ncols;
    char first[3][64];
    unsigned long lengths[3];
    bool nulls[3];
} seen;

static int on_row(void *arg, size_t ncols, const char *const *values, const unsigned long *lengths,
                  rt_err *err)
{
    seen *s = arg;
    s->ncols = ncols;
    if (s->rows == 0) {
        for (size_t i = 0; i < ncols && i < 3; i++) {
            s->nulls[i] = values[i] == NULL;
            s->lengths[i] = values[i] ? lengths[i] : 0;
            if (values[i])
                memcpy(s->first[i], values[i], lengths[i] < 63 ? lengths[i] : 63);
        }
    }
    s->rows++;
    return s->stop_after && s->rows >= s->stop_after ? 1 : 0;
}

static int fail_row(void *arg, size_t ncols, const char *const *values,
                    const unsigned long *lengths, rt_err *err)
{
    return rt_err_set(err, RT_ECORRUPT, "row callback refused the row");
}

TEST(query_streams_rows_nulls_and_binary)
{
    op_mysql_conn *c = it_open();
    if (!c)
        return;
    rt_err err;
    seen s = {0};
    CHECK_OK(op_mysql_conn_query(c,
                                 "SELECT NULL, X'610062', '\xF0\x9F\x90\xAC' UNION ALL "
                                 "SELECT 1, 2, 3 UNION ALL SELECT 4, 5, 6",
                                 on_row, &s, &err),
             &err);
    CHECK_UINT_EQ(s.rows, 3);
    CHECK_UINT_EQ(s.ncols, 3);
    CHECK(s.nulls[0]);
    CHECK_UINT_EQ(s.lengths[1], 3);
    CHECK(memcmp(s.first[1], "a\0b", 3) == 0);
    CHECK_UINT_EQ(s.lengths[2], 4);
    CHECK_STR_EQ(s.first[2], "\xF0\x9F\x90\xAC");

    /* Stopping early, then the connection is still usable. */
    seen stop = {.stop_after = 1};
    CHECK_OK(op_mysql_conn_query(c, "SELECT seq FROM mysql.seq_1_to_10000", on_row, &stop, &err),
             &err);
    CHECK_UINT_EQ(stop.rows, 1);
    CHECK_INT_EQ(op_mysql_conn_query(c, "SELECT 1", fail_row, NULL, &err), RT_ECORRUPT);
    CHECK_STR_CONTAINS(err.msg, "row callback refused the row");
    CHECK_OK(op_mysql_conn_query(c, "SELECT 1", NULL, NULL, &err), &err);

    char *v = (char *)"x";
    CHECK_OK(op_mysql_conn_query_value(c, "SELECT NULL", &v, &err), &err);
    CHECK(v == NULL);
    CHECK_INT_EQ(op_mysql_conn_query_value(c, "SELECT 1 FROM DUAL WHERE 1 = 0", &v, &err),
                 RT_ENOTFOUND);

    CHECK_INT_EQ(op_mysql_conn_query(c, "SELEKT 1", NULL, NULL, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "query \"SELEKT 1\": ");
    CHECK_STR_CONTAINS(err.msg, "(error 1064, SQLSTATE 42000)");
    CHECK_UINT_EQ(op_mysql_conn_errno(c), 1064);
    CHECK_STR_EQ(op_mysql_conn_sqlstate(c), "42000");
    CHECK_INT_EQ(op_mysql_conn_query(c, "SELECT * FROM no_such_db.no_such_table", NULL, NULL, &err),
                 RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "(error 1146, SQLSTATE 42S02)");
    CHECK_OK(op_mysql_conn_ping(c, &err), &err);
    CHECK_UINT_EQ(op_mysql_conn_errno(c), 0);
    op_mysql_conn_close(c);
}

TEST(exec_quote_and_identifiers)
{
    op_mysql_conn *c = it_open();
    if (!c)
        return;
    rt_err err;
    rt_buf q;
    rt_buf_init(&q);
    char db[64];
    snprintf(db, sizeof db, "%s_q`x", it_prefix());
    rt_buf_append_str(&q, "CREATE DATABASE ");
    op_mysql_conn_quote_ident(db, &q);
    rt_buf_append_str(&q, " CHARACTER SET utf8mb4");
    CHECK_OK(op_mysql_conn_exec(c, q.data, NULL, &err), &err);
    rt_buf_reset(&q);
    rt_buf_append_str(&q, "CREATE TABLE ");
    op_mysql_conn_quote_ident(db, &q);
    rt_buf_append_str(&q, ".`t` (id INT PRIMARY KEY, s VARCHAR(64), b VARBINARY(16))");
    CHECK_OK(op_mysql_conn_exec(c, q.data, NULL, &err), &err);

    static const char tricky[] = "it's a \\ \"quote\" \xF0\x9F\x90\xAC";
    rt_buf_reset(&q);
    rt_buf_append_str(&q, "INSERT INTO ");
    op_mysql_conn_quote_ident(db, &q);
    rt_buf_append_str(&q, ".t VALUES (1, ");
    op_mysql_conn_quote(c, tricky, &q);
    rt_buf_append_str(&q, ", '");
    op_mysql_conn_escape(c, "a\0b'", 4, &q);
    rt_buf_append_str(&q, "'), (2, NULL, NULL)");
    uint64_t affected = 0;
    CHECK_OK(op_mysql_conn_exec(c, q.data, &affected, &err), &err);
    CHECK_UINT_EQ(affected, 2);

    rt_buf_reset(&q);
    rt_buf_append_str(&q, "SELECT s, b, NULL FROM ");
    op_mysql_conn_quote_ident(db, &q);
    rt_buf_append_str(&q, ".t ORDER BY id");
    seen s = {0};
    CHECK_OK(op_mysql_conn_query(c, q.data, on_row, &s, &err), &err);
    CHECK_UINT_EQ(s.rows, 2);
    CHECK_STR_EQ(s.first[0], tricky);
    CHECK_UINT_EQ(s.lengths[1], 4);
    CHECK(memcmp(s.first[1], "a\0b'", 4) == 0);

    rt_buf_reset(&q);
    rt_buf_append_str(&q, "DELETE FROM ");
    op_mysql_conn_quote_ident(db, &q);
    rt_buf_append_str(&q, ".t");
    CHECK_OK(op_mysql_conn_exec(c, q.data, &affected, &err), &err);
    CHECK_UINT_EQ(affected, 2);
    /* exec discards the rows of a statement that has some. */
    CHECK_OK(op_mysql_conn_exec(c, "SELECT 1", &affected, &err), &err);
    rt_buf_reset(&q);
    rt_buf_append_str(&q, "DROP DATABASE ");
    op_mysql_conn_quote_ident(db, &q);
    CHECK_OK(op_mysql_conn_exec(c, q.data, NULL, &err), &err);
    rt_buf_fini(&q);
    op_mysql_conn_close(c);
}

#define SECRET "Wr0ng-Pa55word-xyzzy"

TEST(wrong_password_is_invalid_and_never_shown)
{
    op_mysql_conn_params p;
    if (!it_params(&p))
        return;
    p.password = SECRET;
    it_log_begin();
    op_mysql_conn *c = NULL;
    rt_err err;
    int rc = op_mysql_conn_open(&p, &c, &err);
    /* Not transient: open_retry returns at once. */
    rt_err err2;
    op_mysql_retry r = {.max_attempts = 3, .initial_backoff_ms = 10};
    int rc2 = op_mysql_conn_open_retry(&p, &r, &c, &err2);
    char *log = it_log_end();
    CHECK_INT_EQ(rc, RT_EINVAL);
    CHECK_INT_EQ(rc2, RT_EINVAL);
    CHECK(c == NULL);
    fprintf(stderr, "  wrong password: %s\n", err.msg);
    char want[128];
    snprintf(want, sizeof want, "connect 127.0.0.1:%u as 'sluice': Access denied", p.port);
    CHECK_STR_CONTAINS(err.msg, want);
    CHECK_STR_CONTAINS(err.msg, "(error 1045, SQLSTATE 28000)");
    CHECK(strstr(err.msg, SECRET) == NULL);
    CHECK(strstr(err2.msg, "gave up") == NULL);
    CHECK(strstr(log, SECRET) == NULL);
    free(log);
}

TEST(unknown_database_is_invalid)
{
    op_mysql_conn_params p;
    if (!it_params(&p))
        return;
    p.database = "no_such_database_here";
    op_mysql_conn *c = NULL;
    rt_err err;
    CHECK_INT_EQ(op_mysql_conn_open(&p, &c, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "Unknown database");
    CHECK_STR_CONTAINS(err.msg, "error 1049");
}

TEST(nothing_listening_is_unavailable)
{
    op_mysql_conn_params p;
    if (!it_params(&p))
        return;
    p.port = it_free_port();
    p.password = SECRET;
    op_mysql_conn *c = NULL;
    rt_err err;
    CHECK_INT_EQ(op_mysql_conn_open(&p, &c, &err), RT_EUNAVAIL);
    fprintf(stderr, "  closed port: %s\n", err.msg);
    CHECK_STR_CONTAINS(err.msg, "error 2002");
    CHECK(strstr(err.msg, SECRET) == NULL);
}

TEST(retry_gives_up_after_max_attempts)
{
    op_mysql_conn_params p;
    if (!it_params(&p))
        return;
    p.port = it_free_port();
    p.password = SECRET;
    op_mysql_retry r = {.max_attempts = 3, .initial_backoff_ms = 20, .max_backoff_ms = 30};
    op_mysql_conn *c = NULL;
    rt_err err;
    it_log_begin();
    int64_t t0 = rt_clock_mono_ms();
    int rc = op_mysql_conn_open_retry(&p, &r, &c, &err);
    int64_t took = rt_clock_mono_ms() - t0;
    char *log = it_log_end();
    CHECK_INT_EQ(rc, RT_EUNAVAIL);
    fprintf(stderr, "  retry: %s\n", err.msg);
    CHECK_STR_CONTAINS(err.msg, "gave up after 3 attempts: connect 127.0.0.1:");
    /* Waits of 20 ms then 30 ms (doubling, capped). */
    CHECK(took >= 50);
    CHECK_STR_CONTAINS(log, "(attempt 1 of 3); retrying in 20 ms");
    CHECK_STR_CONTAINS(log, "(attempt 2 of 3); retrying in 30 ms");
    CHECK(strstr(log, "attempt 3 of 3") == NULL);
    CHECK(strstr(log, SECRET) == NULL);
    free(log);
}

static bool cancel_after(void *arg)
{
    int *polls = arg;
    return ++*polls > 3;
}

TEST(retry_is_cancellable)
{
    op_mysql_conn_params p;
    if (!it_params(&p))
        return;
    p.port = it_free_port();
    int polls = 0;
    op_mysql_retry r = {
        .max_attempts = 100, .initial_backoff_ms = 60000, .canceled = cancel_after, .arg = &polls};
    op_mysql_conn *c = NULL;
    rt_err err;
    int64_t t0 = rt_clock_mono_ms();
    CHECK_INT_EQ(op_mysql_conn_open_retry(&p, &r, &c, &err), RT_ECANCELED);
    CHECK(rt_clock_mono_ms() - t0 < 5000);
    CHECK_STR_CONTAINS(err.msg, "canceled after 1 attempts");

    /* A server that is there: the first attempt succeeds. */
    if (!it_params(&p))
        return;
    CHECK_OK(op_mysql_conn_open_retry(&p, NULL, &c, &err), &err);
    op_mysql_conn_close(c);
}

TEST(killed_connection_is_unavailable)
{
    op_mysql_conn *victim = it_open();
    op_mysql_conn *killer = it_open();
    if (!victim || !killer) {
        op_mysql_conn_close(victim);
        op_mysql_conn_close(killer);
        return;
    }
    char sql[64];
    snprintf(sql, sizeof sql, "KILL %lu", op_mysql_conn_thread_id(victim));
    rt_err err;
    CHECK_OK(op_mysql_conn_exec(killer, sql, NULL, &err), &err);
    int rc = op_mysql_conn_query(victim, "SELECT 1", NULL, NULL, &err);
    CHECK_INT_EQ(rc, RT_EUNAVAIL);
    fprintf(stderr, "  killed: %s\n", err.msg);
    CHECK_INT_EQ(op_mysql_conn_ping(victim, &err), RT_EUNAVAIL);
    op_mysql_conn_close(victim);
    op_mysql_conn_close(killer);
}

TEST(read_timeout_is_unavailable)
{
    op_mysql_conn_params p;
    if (!it_params(&p))
        return;
    p.read_timeout_ms = 500; /* rounds up to 1 s */
    op_mysql_conn *c = NULL;
    rt_err err;
    CHECK_OK(op_mysql_conn_open(&p, &c, &err), &err);
    if (!c)
        return;
    int64_t t0 = rt_clock_mono_ms();
    CHECK_INT_EQ(op_mysql_conn_query(c, "SELECT SLEEP(10)", NULL, NULL, &err), RT_EUNAVAIL);
    int64_t took = rt_clock_mono_ms() - t0;
    CHECK(took >= 900 && took < 8000);
    fprintf(stderr, "  read timeout after %lld ms: %s\n", (long long)took, err.msg);
    op_mysql_conn_close(c);
}

TEST(tls_modes_against_a_server_without_tls)
{
    op_mysql_conn_params p;
    if (!it_params(&p))
        return;
    op_mysql_conn *c = NULL;
    rt_err err;
    p.ssl_mode = OP_MYSQL_SSL_PREFERRED;
    CHECK_OK(op_mysql_conn_open(&p, &c, &err), &err);
    if (c)
        CHECK(!op_mysql_conn_is_tls(c));
    op_mysql_conn_close(c);
    c = NULL;
    p.ssl_mode = OP_MYSQL_SSL_REQUIRED;
    CHECK_INT_EQ(op_mysql_conn_open(&p, &c, &err), RT_EINVAL);
    fprintf(stderr, "  ssl required: %s\n", err.msg);
    CHECK_STR_CONTAINS(err.msg, "ssl_mode required, but the server does not offer TLS");
    p.ssl_mode = OP_MYSQL_SSL_VERIFY_CA;
    CHECK_INT_EQ(op_mysql_conn_open(&p, &c, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "ssl_mode verify_ca needs ssl_ca");
}

TEST(quote_ident_doubles_backticks)
{
    rt_buf b;
    rt_buf_init(&b);
    op_mysql_conn_quote_ident("a`b``c", &b);
    CHECK_STR_EQ(b.data, "`a``b````c`");
    rt_buf_fini(&b);
}

TEST_MAIN()
