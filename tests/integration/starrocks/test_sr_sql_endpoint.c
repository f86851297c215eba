/* Integration test of sr-endpoint's MySQL port (tests/sr_endpoint/sr_sql.c): the port runs on a
 * libevent loop in a thread over a temp-dir store, and is driven with MariaDB Connector/C (as the
 * Sluice sink drives it) and with the `mariadb` command-line client. 127.0.0.1 only. */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <mysql.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/base/buf.h"
#include "tests/harness/test.h"
#include "tests/sr_endpoint/sr_sql.h"

#define USER "root"
#define PASSWORD "sr-it-pw"

static struct {
    bool started;
    bool failed;
    struct event_base *base;
    sr_store *store;
    sr_sql_server *srv;
    pthread_t loop;
    int port;
} g;

static void *loop_main(void *arg)
{
    event_base_loop(g.base, EVLOOP_NO_EXIT_ON_EMPTY);
    return NULL;
}

static void stop_endpoint(void)
{
    if (!g.started)
        return;
    event_base_loopexit(g.base, NULL);
    pthread_join(g.loop, NULL);
    sr_sql_server_free(g.srv);
    sr_store_close(g.store);
    event_base_free(g.base);
    libevent_global_shutdown();
    g.started = false;
}

/* Starts the port once per process (stopped at exit, so that LeakSanitizer sees it all freed). */
static bool endpoint(void)
{
    if (g.started)
        return true;
    if (g.failed)
        return false;
    g.failed = true;
    rt_err err;
    rt_err_clear(&err);
    evthread_use_pthreads();
    g.base = event_base_new();
    char dir[512];
    snprintf(dir, sizeof dir, "%s/store", test_tmpdir());
    if (!g.base || sr_store_open(dir, &g.store, &err) != 0 ||
        sr_sql_server_new(g.base, g.store, "127.0.0.1", 0, USER, PASSWORD, &g.srv, &err) != 0) {
        test_fail(__FILE__, __LINE__, "endpoint: %s", err.msg);
        sr_store_close(g.store);
        if (g.base)
            event_base_free(g.base);
        return false;
    }
    g.failed = false;
    g.port = sr_sql_server_port(g.srv);
    pthread_create(&g.loop, NULL, loop_main, NULL);
    g.started = true;
    atexit(stop_endpoint);
    return true;
}

/* ---- Connector/C helpers ---- */

static MYSQL *connect_as(const char *user, const char *password, const char *db,
                         unsigned long flags, unsigned *errno_out, char *msg, size_t msg_size)
{
    MYSQL *m = mysql_init(NULL);
    unsigned timeout = 10;
    mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &timeout);
    if (!mysql_real_connect(m, "127.0.0.1", user, password, db, (unsigned)g.port, NULL, flags)) {
        if (errno_out)
            *errno_out = mysql_errno(m);
        if (msg)
            snprintf(msg, msg_size, "%s", mysql_error(m));
        mysql_close(m);
        return NULL;
    }
    return m;
}

static MYSQL *connect_ok(const char *db)
{
    char msg[512] = "";
    MYSQL *m = connect_as(USER, PASSWORD, db, 0, NULL, msg, sizeof msg);
    if (!m)
        test_fail(__FILE__, __LINE__, "connect: %s", msg);
    return m;
}

/* Runs sql; returns 0 or the server's error number (message in last_error). Results discarded. */
static char last_error[1024];

static unsigned exec(MYSQL *m, const char *sql)
{
    last_error[0] = '\0';
    if (mysql_query(m, sql) != 0) {
        snprintf(last_error, sizeof last_error, "%s", mysql_error(m));
        return mysql_errno(m);
    }
    MYSQL_RES *r = mysql_store_result(m);
    mysql_free_result(r);
    return 0;
}

static void exec_ok(MYSQL *m, const char *sql, int line)
{
    if (exec(m, sql) != 0)
        test_fail(__FILE__, line, "[%s]: %s", sql, last_error);
}
#define EXEC_OK(m, sql) exec_ok((m), (sql), __LINE__)

/* Runs a query; returns its rows as "v\tv\n" lines (NULL as "NULL"), malloc'd, or NULL. */
static char *rows_of(MYSQL *m, const char *sql)
{
    if (mysql_query(m, sql) != 0) {
        snprintf(last_error, sizeof last_error, "%s", mysql_error(m));
        return NULL;
    }
    MYSQL_RES *r = mysql_store_result(m);
    if (!r)
        return NULL;
    rt_buf b;
    rt_buf_init(&b);
    rt_buf_append_str(&b, "");
    unsigned n = mysql_num_fields(r);
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(r))) {
        unsigned long *lens = mysql_fetch_lengths(r);
        for (unsigned i = 0; i < n; i++) {
            if (i)
                rt_buf_append_char(&b, '\t');
            if (row[i])
                rt_buf_append(&b, row[i], lens[i]);
            else
                rt_buf_append_str(&b, "NULL");
        }
        rt_buf_append_char(&b, '\n');
    }
    mysql_free_result(r);
    return rt_buf_take(&b);
}

static void check_rows(MYSQL *m, const char *sql, const char *want, int line)
{
    char *got = rows_of(m, sql);
    if (!got)
        test_fail(__FILE__, line, "[%s] failed: %s", sql, last_error);
    else if (strcmp(got, want) != 0)
        test_fail(__FILE__, line, "[%s]:\n got: [%s]\nwant: [%s]", sql, got, want);
    free(got);
}
#define CHECK_ROWS(m, sql, want) check_rows((m), (sql), (want), __LINE__)

static void check_error(MYSQL *m, const char *sql, unsigned code, const char *text, int line)
{
    unsigned got = exec(m, sql);
    if (got != code)
        test_fail(__FILE__, line, "[%s]: error %u (%s), want %u", sql, got, last_error, code);
    else if (!strstr(last_error, text))
        test_fail(__FILE__, line, "[%s]: \"%s\" does not contain \"%s\"", sql, last_error, text);
}
#define CHECK_ERROR(m, sql, code, text) check_error((m), (sql), (code), (text), __LINE__)

/* ---- Connector/C ---- */

TEST(login_and_client_start_up)
{
    if (!endpoint())
        return;
    MYSQL *m = connect_ok(NULL);
    if (!m)
        return;
    CHECK_STR_CONTAINS(mysql_get_server_info(m), "8.0.33-sr-endpoint");
    CHECK_ROWS(m, "select @@version_comment limit 1",
               "sr-endpoint (a StarRocks-compatible test double, not StarRocks)\n");
    CHECK_ROWS(m, "SELECT DATABASE()", "NULL\n");
    CHECK_ROWS(m, "SELECT 1, 'two', @@autocommit", "1\ttwo\t1\n");
    EXEC_OK(m, "SET NAMES utf8mb4");
    EXEC_OK(m, "set autocommit = 1");
    CHECK_INT_EQ(mysql_ping(m), 0);
    CHECK_ERROR(m, "SELECT @@no_such_variable", 1193, "Unknown system variable 'no_such_variable'");
    CHECK_ERROR(m, "", 1065, "Query was empty");
    mysql_close(m);

    unsigned code = 0;
    char msg[512] = "";
    CHECK(connect_as(USER, "wrong", NULL, 0, &code, msg, sizeof msg) == NULL);
    CHECK_INT_EQ(code, 1045);
    CHECK_STR_CONTAINS(msg, "Access denied for user 'root'@'127.0.0.1' (using password: YES)");
    CHECK(connect_as(USER, "", NULL, 0, &code, msg, sizeof msg) == NULL);
    CHECK_INT_EQ(code, 1045);
    CHECK_STR_CONTAINS(msg, "(using password: NO)");
    CHECK(connect_as("intruder", PASSWORD, NULL, 0, &code, msg, sizeof msg) == NULL);
    CHECK_INT_EQ(code, 1045);
    CHECK(connect_as(USER, PASSWORD, "no_such_db", 0, &code, msg, sizeof msg) == NULL);
    CHECK_INT_EQ(code, 1049);
    CHECK_STR_CONTAINS(msg, "Unknown database 'no_such_db'");
}

TEST(ddl_and_rejections)
{
    if (!endpoint())
        return;
    MYSQL *m = connect_ok(NULL);
    if (!m)
        return;
    CHECK_ERROR(m, "CREATE TABLE t (id INT) PRIMARY KEY(id)", 1046, "No database selected");
    EXEC_OK(m, "CREATE DATABASE it_ddl");
    CHECK_ERROR(m, "CREATE DATABASE it_ddl", 1007, "database exists");
    EXEC_OK(m, "CREATE DATABASE IF NOT EXISTS it_ddl");
    CHECK_ERROR(m, "USE nope", 1049, "Unknown database 'nope'");
    CHECK(mysql_select_db(m, "nope") != 0);
    CHECK_INT_EQ(mysql_errno(m), 1049);
    CHECK_INT_EQ(mysql_select_db(m, "it_ddl"), 0);
    CHECK_ROWS(m, "SELECT DATABASE()", "it_ddl\n");
    const char *create = "CREATE TABLE orders (id BIGINT NOT NULL, name VARCHAR(64), "
                         "amount DECIMAL(10,2) NOT NULL DEFAULT \"0\") PRIMARY KEY(id) "
                         "DISTRIBUTED BY HASH(id) BUCKETS 2 PROPERTIES(\"replication_num\"=\"1\")";
    EXEC_OK(m, create);
    CHECK_ERROR(m, create, 1050, "Table 'orders' already exists");
    EXEC_OK(m, "CREATE TABLE IF NOT EXISTS orders (id BIGINT) PRIMARY KEY(id)");
    CHECK_ERROR(m, "CREATE TABLE t1 (id INT NOT NULL DEFAULT 0) PRIMARY KEY(id)", 1064,
                "Getting syntax error at line 1, column 41. Detail message: Unexpected input '0'");
    CHECK_ERROR(m, "CREATE TABLE t1 (id INT, c TEXT) DUPLICATE KEY(id)", 1064,
                "Unexpected input 'TEXT'");
    CHECK_ERROR(m, "CREATE TABLE t1 (id INT, c TIMESTAMP) DUPLICATE KEY(id)", 1064,
                "Unexpected input 'TIMESTAMP'");
    CHECK_ERROR(m,
                "CREATE TABLE t1 (id INT) PRIMARY KEY(id) PROPERTIES (\"replication_num\" = \"3\")",
                1064,
                "Table replication num should be less than or equal to the number of available "
                "BE nodes");
    CHECK_ERROR(m, "CREATE TABLE t1 (v INT, id INT) PRIMARY KEY(id)", 1064,
                "Key columns should be a ordered prefix of the schema.");
    CHECK_ERROR(m, "CREATE TABLE t1 (id INT NULL) PRIMARY KEY(id)", 1064,
                "primary key column[id] cannot be nullable");
    CHECK_ERROR(m, "CREATE TABLE t1 (id DECIMAL(10,2) NOT NULL) PRIMARY KEY(id)", 1064,
                "type not supported");
    CHECK_ERROR(m, "CREATE TABLE t1 (id DOUBLE NOT NULL) PRIMARY KEY(id)", 1064,
                "type not supported");
    CHECK_ERROR(m, "CREATE TABLE t1 (id CHAR(3) NOT NULL) PRIMARY KEY(id)", 1064,
                "type not supported");
    CHECK_ERROR(m, "CREATE TABLE nope.t1 (id INT) PRIMARY KEY(id)", 1049,
                "Unknown database 'nope'");
    CHECK_ERROR(m, "SELECT * FROM missing", 1146, "Table 'it_ddl.missing' doesn't exist");
    CHECK_ERROR(m, "DESC missing", 1146, "doesn't exist");
    CHECK_ERROR(m, "DROP TABLE missing", 1146, "doesn't exist");
    EXEC_OK(m, "DROP TABLE IF EXISTS missing");
    CHECK_ERROR(m, "FLY ME TO THE MOON", 1064, "Getting syntax error at line 1, column 0");
    CHECK_ERROR(m, "UPDATE orders SET name = 'x'", 1064, "sr-endpoint does not implement UPDATE");
    CHECK_ROWS(m, "SHOW TABLES", "orders\n");
    CHECK_ROWS(m, "SHOW TABLES FROM it_ddl", "orders\n");
    char *dbs = rows_of(m, "SHOW DATABASES");
    CHECK_STR_CONTAINS(dbs, "it_ddl\n");
    free(dbs);
    EXEC_OK(m, "CREATE TABLE it_ddl.gone (id INT) DUPLICATE KEY(id)");
    EXEC_OK(m, "TRUNCATE TABLE gone");
    EXEC_OK(m, "DROP TABLE gone");
    CHECK_ROWS(m, "SHOW TABLES", "orders\n");
    EXEC_OK(m, "CREATE DATABASE it_gone");
    EXEC_OK(m, "DROP DATABASE it_gone");
    CHECK_ERROR(m, "DROP DATABASE it_gone", 1008, "doesn't exist");
    EXEC_OK(m, "DROP DATABASE IF EXISTS it_gone");
    mysql_close(m);
}

TEST(show_create_table_round_trip)
{
    if (!endpoint())
        return;
    MYSQL *m = connect_ok(NULL);
    if (!m)
        return;
    EXEC_OK(m, "CREATE DATABASE it_show");
    EXEC_OK(m, "CREATE TABLE it_show.`items` (`id` BIGINT NOT NULL COMMENT \"item id\", "
               "`sku` VARCHAR(32) NOT NULL, price DECIMAL(18, 2) NULL DEFAULT \"0\", "
               "added DATETIME DEFAULT CURRENT_TIMESTAMP) ENGINE=OLAP PRIMARY KEY(id, sku) "
               "COMMENT \"catalogue\" DISTRIBUTED BY HASH(id) BUCKETS 4 "
               "PROPERTIES (\"replication_num\" = \"1\", \"compression\" = \"LZ4\")");
    const char *want = "CREATE TABLE `items` (\n"
                       "  `id` bigint(20) NOT NULL COMMENT \"item id\",\n"
                       "  `sku` varchar(32) NOT NULL COMMENT \"\",\n"
                       "  `price` decimal(18,2) NULL DEFAULT \"0\" COMMENT \"\",\n"
                       "  `added` datetime NULL DEFAULT CURRENT_TIMESTAMP COMMENT \"\"\n"
                       ") ENGINE=OLAP \n"
                       "PRIMARY KEY(`id`, `sku`)\n"
                       "COMMENT \"catalogue\"\n"
                       "DISTRIBUTED BY HASH(`id`) BUCKETS 4 \n"
                       "PROPERTIES (\n"
                       "\"replication_num\" = \"1\",\n"
                       "\"compression\" = \"LZ4\"\n"
                       ");";
    char expect[2048];
    snprintf(expect, sizeof expect, "items\t%s\n", want);
    CHECK_ROWS(m, "SHOW CREATE TABLE it_show.items", expect);
    /* The text is itself accepted SQL that makes the same table. */
    CHECK_INT_EQ(mysql_select_db(m, "it_show"), 0);
    EXEC_OK(m, "DROP TABLE items");
    EXEC_OK(m, want);
    CHECK_ROWS(m, "SHOW CREATE TABLE items", expect);
    CHECK_ROWS(m, "DESC items",
               "id\tbigint(20)\tNO\ttrue\tNULL\t\n"
               "sku\tvarchar(32)\tNO\ttrue\tNULL\t\n"
               "price\tdecimal(18,2)\tYES\tfalse\t0\t\n"
               "added\tdatetime\tYES\tfalse\tCURRENT_TIMESTAMP\t\n");
    mysql_close(m);
}

TEST(alter_table)
{
    if (!endpoint())
        return;
    MYSQL *m = connect_ok(NULL);
    if (!m)
        return;
    EXEC_OK(m, "CREATE DATABASE it_alter");
    CHECK_INT_EQ(mysql_select_db(m, "it_alter"), 0);
    EXEC_OK(m, "CREATE TABLE t (id INT NOT NULL, v VARCHAR(10)) PRIMARY KEY(id) "
               "DISTRIBUTED BY HASH(id)");
    EXEC_OK(m, "INSERT INTO t VALUES (1, 'a'), (2, NULL)");
    EXEC_OK(m, "ALTER TABLE t ADD COLUMN n BIGINT NULL DEFAULT \"7\" AFTER id");
    EXEC_OK(m, "ALTER TABLE it_alter.t ADD COLUMN z VARCHAR(5)");
    CHECK_ROWS(m, "SELECT * FROM t", "1\t7\ta\tNULL\n2\t7\tNULL\tNULL\n");
    EXEC_OK(m, "ALTER TABLE t DROP COLUMN z");
    /* Row 2 holds NULL in v: NOT NULL is refused and nothing changes. */
    CHECK_ERROR(m, "ALTER TABLE t MODIFY COLUMN v VARCHAR(20) NOT NULL", 1064, "nullable");
    EXEC_OK(m, "ALTER TABLE t MODIFY COLUMN v VARCHAR(20)");
    /* A type change is an asynchronous job, as in StarRocks: the new type shows once it is
     * FINISHED. */
    bool finished = false;
    for (int i = 0; i < 100 && !finished; i++) {
        char *jobs = rows_of(m, "SHOW ALTER TABLE COLUMN FROM it_alter WHERE TableName = \"t\" "
                                "ORDER BY CreateTime DESC LIMIT 1");
        finished = jobs && strstr(jobs, "FINISHED");
        free(jobs);
        if (!finished)
            usleep(50 * 1000);
    }
    CHECK(finished);
    CHECK_ROWS(m, "DESC t",
               "id\tint(11)\tNO\ttrue\tNULL\t\n"
               "n\tbigint(20)\tYES\tfalse\t7\t\n"
               "v\tvarchar(20)\tYES\tfalse\tNULL\t\n");
    CHECK_ROWS(m, "SELECT id, v FROM t", "1\ta\n2\tNULL\n");
    CHECK_ERROR(m, "ALTER TABLE t DROP COLUMN id", 1064, "Getting analyzing error");
    CHECK_ERROR(m, "ALTER TABLE t ADD COLUMN n INT", 1064, "Getting analyzing error");
    CHECK_ERROR(m, "ALTER TABLE missing ADD COLUMN q INT", 1146, "doesn't exist");
    mysql_close(m);
}

TEST(select_results)
{
    if (!endpoint())
        return;
    MYSQL *m = connect_ok(NULL);
    if (!m)
        return;
    EXEC_OK(m, "CREATE DATABASE it_sel");
    CHECK_INT_EQ(mysql_select_db(m, "it_sel"), 0);
    EXEC_OK(m, "CREATE TABLE p (id BIGINT NOT NULL, name VARCHAR(20), score DECIMAL(6,2), "
               "d DATE) PRIMARY KEY(id) DISTRIBUTED BY HASH(id)");
    EXEC_OK(m, "INSERT INTO p (id, name, score, d) VALUES (3, 'carol', 7.5, '2024-03-01'), "
               "(1, 'alice', 10, '2024-01-01'), (2, NULL, -1.25, NULL), (10, 'dave', 7.5, "
               "'2024-02-29')");
    CHECK_INT_EQ(mysql_affected_rows(m), 4);
    CHECK_ROWS(m, "SELECT * FROM p",
               "1\talice\t10.00\t2024-01-01\n2\tNULL\t-1.25\tNULL\n3\tcarol\t7.50\t2024-03-01\n"
               "10\tdave\t7.50\t2024-02-29\n");
    CHECK_ROWS(m, "SELECT * FROM it_sel.p WHERE id = 3", "3\tcarol\t7.50\t2024-03-01\n");
    CHECK_ROWS(m, "SELECT name FROM p WHERE score = '7.5' ORDER BY id DESC", "dave\ncarol\n");
    CHECK_ROWS(m, "SELECT id, name FROM p WHERE name IS NULL", "2\tNULL\n");
    CHECK_ROWS(m, "SELECT id FROM p WHERE score >= 7.5 AND id < 10", "1\n3\n");
    CHECK_ROWS(m, "SELECT id FROM p ORDER BY score, id DESC LIMIT 3", "2\n10\n3\n");
    CHECK_ROWS(m, "SELECT COUNT(*) FROM p", "4\n");
    CHECK_ROWS(m, "SELECT count(*) FROM p WHERE score = 7.5", "2\n");
    CHECK_ROWS(m, "SELECT * FROM p LIMIT 0", "");
    CHECK_ROWS(m, "SELECT id FROM p WHERE name = 'nobody'", "");
    /* Upsert on the primary key replaces the row. */
    EXEC_OK(m, "INSERT INTO p VALUES (1, 'alicia', 11, '2024-01-02')");
    CHECK_ROWS(m, "SELECT name, score FROM p WHERE id = 1", "alicia\t11.00\n");
    CHECK_ERROR(m, "SELECT nope FROM p", 1064, "Column 'nope' cannot be resolved");
    CHECK_ERROR(m, "INSERT INTO p VALUES (NULL, 'x', 1, NULL)", 1064, "id");
    CHECK_ERROR(m, "INSERT INTO p VALUES ('abc', 'x', 1, NULL)", 1064, "abc");

    /* Column metadata, as Connector/C reports it. */
    CHECK_INT_EQ(mysql_query(m, "SELECT id, name, score FROM p LIMIT 1"), 0);
    MYSQL_RES *r = mysql_store_result(m);
    CHECK(r != NULL);
    if (r) {
        MYSQL_FIELD *f = mysql_fetch_fields(r);
        CHECK_INT_EQ(mysql_num_fields(r), 3);
        CHECK_STR_EQ(f[0].name, "id");
        CHECK_INT_EQ(f[0].type, MYSQL_TYPE_LONGLONG);
        CHECK(f[0].flags & NOT_NULL_FLAG);
        CHECK(f[0].flags & PRI_KEY_FLAG);
        CHECK_STR_EQ(f[1].name, "name");
        CHECK_INT_EQ(f[1].type, MYSQL_TYPE_VAR_STRING);
        CHECK_INT_EQ(f[2].type, MYSQL_TYPE_NEWDECIMAL);
        CHECK_INT_EQ(f[2].decimals, 2);
        CHECK_STR_EQ(f[0].table, "p");
        CHECK_STR_EQ(f[0].db, "it_sel");
        mysql_free_result(r);
    }
    MYSQL_RES *fl = mysql_list_fields(m, "p", NULL);
    CHECK(fl != NULL);
    if (fl) {
        CHECK_INT_EQ(mysql_num_fields(fl), 4);
        CHECK_STR_EQ(mysql_fetch_fields(fl)[3].name, "d");
        mysql_free_result(fl);
    }
    mysql_close(m);
}

TEST(several_statements_in_one_query)
{
    if (!endpoint())
        return;
    MYSQL *m = NULL;
    char msg[512] = "";
    m = connect_as(USER, PASSWORD, NULL, CLIENT_MULTI_STATEMENTS, NULL, msg, sizeof msg);
    if (!m) {
        test_fail(__FILE__, __LINE__, "connect: %s", msg);
        return;
    }
    CHECK_INT_EQ(mysql_query(m, "CREATE DATABASE it_multi; USE it_multi; "
                                "CREATE TABLE t (k INT) DUPLICATE KEY(k); "
                                "INSERT INTO t VALUES (1), (1), (2); SELECT COUNT(*) FROM t"),
                 0);
    int results = 0;
    char last[64] = "";
    do {
        MYSQL_RES *r = mysql_store_result(m);
        if (r) {
            MYSQL_ROW row = mysql_fetch_row(r);
            snprintf(last, sizeof last, "%s", row && row[0] ? row[0] : "?");
            mysql_free_result(r);
        }
        results++;
    } while (mysql_next_result(m) == 0);
    CHECK_INT_EQ(results, 5);
    CHECK_STR_EQ(last, "3");
    /* An error stops the chain: the statement after it does not run. */
    CHECK_INT_EQ(mysql_query(m, "INSERT INTO t VALUES (5); SELECT * FROM nope; "
                                "INSERT INTO t VALUES (6)"),
                 0);
    int rc;
    do {
        MYSQL_RES *r = mysql_store_result(m);
        mysql_free_result(r);
    } while ((rc = mysql_next_result(m)) == 0);
    CHECK(rc > 0);
    CHECK_INT_EQ(mysql_errno(m), 1146);
    CHECK_ROWS(m, "SELECT k FROM t ORDER BY k", "1\n1\n2\n5\n");
    mysql_close(m);

    /* Without CLIENT_MULTI_STATEMENTS, two statements are refused and neither runs. */
    m = connect_ok("it_multi");
    if (!m)
        return;
    CHECK_ERROR(m, "INSERT INTO t VALUES (9); INSERT INTO t VALUES (9)", 1064,
                "CLIENT_MULTI_STATEMENTS");
    CHECK_ROWS(m, "SELECT COUNT(*) FROM t WHERE k = 9", "0\n");
    mysql_close(m);
}

/* ---- malformed input on the wire ---- */

static int raw_connect(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)g.port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

/* Reads one packet's payload into buf; returns its length or -1. */
static ssize_t raw_packet(int fd, uint8_t *buf, size_t size)
{
    uint8_t h[4];
    size_t got = 0;
    while (got < 4) {
        ssize_t n = read(fd, h + got, 4 - got);
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    size_t len = (size_t)h[0] | (size_t)h[1] << 8 | (size_t)h[2] << 16;
    if (len > size)
        return -1;
    for (got = 0; got < len;) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    return (ssize_t)len;
}

TEST(malformed_packets)
{
    if (!endpoint())
        return;
    uint8_t buf[1024];
    /* A handshake response cut short: ERR 1043 Bad handshake, then the server hangs up. */
    int fd = raw_connect();
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    ssize_t n = raw_packet(fd, buf, sizeof buf);
    CHECK(n > 30);
    CHECK_INT_EQ(buf[0], 10);
    CHECK_STR_CONTAINS((const char *)buf + 1, "8.0.33-sr-endpoint");
    static const uint8_t shortpkt[] = {5, 0, 0, 1, 0x00, 0x02, 0, 0, 0};
    CHECK_INT_EQ(write(fd, shortpkt, sizeof shortpkt), (ssize_t)sizeof shortpkt);
    n = raw_packet(fd, buf, sizeof buf);
    CHECK(n > 3);
    CHECK_INT_EQ(buf[0], 0xff);
    CHECK_INT_EQ(buf[1] | buf[2] << 8, 1043);
    CHECK_INT_EQ(read(fd, buf, sizeof buf), 0);
    close(fd);
    /* A header that promises more than the endpoint accepts, then a hang-up mid-packet. */
    fd = raw_connect();
    if (fd >= 0) {
        raw_packet(fd, buf, sizeof buf);
        static const uint8_t big[] = {0xff, 0xff, 0xff, 1, 1, 2, 3};
        CHECK_INT_EQ(write(fd, big, sizeof big), (ssize_t)sizeof big);
        close(fd);
    }
    /* The port still serves. */
    MYSQL *m = connect_ok(NULL);
    if (m) {
        CHECK_ROWS(m, "SELECT 42", "42\n");
        mysql_close(m);
    }
}

/* ---- the mariadb command-line client ---- */

/* Runs `mariadb --no-defaults -h127.0.0.1 -P<port> -u<user> <args>` with the password in
 * MYSQL_PWD (never on a command line or in a log); returns the exit status, output in *out. */
static int cli(const char *password, const char *args, char **out)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "mariadb --no-defaults -h127.0.0.1 -P%d -u%s %s 2>&1", g.port, USER,
             args);
    setenv("MYSQL_PWD", password, 1);
    FILE *f = popen(cmd, "r");
    unsetenv("MYSQL_PWD");
    if (!f) {
        *out = strdup("");
        return -1;
    }
    rt_buf b;
    rt_buf_init(&b);
    rt_buf_append_str(&b, "");
    char chunk[1024];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rt_buf_append(&b, chunk, n);
    int st = pclose(f);
    *out = rt_buf_take(&b);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void check_cli(const char *args, int want_status, const char *want_out, bool exact, int line)
{
    char *out = NULL;
    int st = cli(PASSWORD, args, &out);
    if (st != want_status)
        test_fail(__FILE__, line, "mariadb %s: exit %d, want %d: %s", args, st, want_status, out);
    else if (exact ? strcmp(out, want_out) != 0 : !strstr(out, want_out))
        test_fail(__FILE__, line, "mariadb %s:\n got: [%s]\nwant: [%s]", args, out, want_out);
    free(out);
}
#define CHECK_CLI(args, status, out) check_cli((args), (status), (out), true, __LINE__)
#define CHECK_CLI_HAS(args, status, out) check_cli((args), (status), (out), false, __LINE__)

TEST(mariadb_command_line_client)
{
    if (!endpoint())
        return;
    if (system("command -v mariadb >/dev/null 2>&1") != 0) {
        test_fail(__FILE__, __LINE__, "the mariadb client is not installed");
        return;
    }
    CHECK_CLI("-N -B -e \"select @@version_comment limit 1\"", 0,
              "sr-endpoint (a StarRocks-compatible test double, not StarRocks)\n");
    /* A client that starts with another auth plugin is switched to mysql_native_password. */
    CHECK_CLI("--default-auth=caching_sha2_password -N -B -e \"SELECT CURRENT_USER()\"", 0,
              "'root'@'%'\n");
    CHECK_CLI("-e \"CREATE DATABASE it_cli\"", 0, "");
    CHECK_CLI("it_cli -e \"CREATE TABLE kv (k VARCHAR(8) NOT NULL, v INT) PRIMARY KEY(k) "
              "DISTRIBUTED BY HASH(k) BUCKETS 1; INSERT INTO kv VALUES ('b', 2), ('a', NULL)\"",
              0, "");
    CHECK_CLI("-D it_cli -B -e \"SELECT * FROM kv ORDER BY k\"", 0, "k\tv\na\tNULL\nb\t2\n");
    CHECK_CLI("-N -B -e \"SELECT COUNT(*) FROM it_cli.kv\"", 0, "2\n");
    CHECK_CLI("-N -B it_cli -e \"SHOW TABLES\"", 0, "kv\n");
    CHECK_CLI("-N -B it_cli -e \"ALTER TABLE kv ADD COLUMN w DATE; DESC kv\"", 0,
              "k\tvarchar(8)\tNO\ttrue\tNULL\t\n"
              "v\tint(11)\tYES\tfalse\tNULL\t\n"
              "w\tdate\tYES\tfalse\tNULL\t\n");
    CHECK_CLI_HAS("-N -B -e \"SHOW CREATE TABLE it_cli.kv\"", 0,
                  "PRIMARY KEY(`k`)\\nCOMMENT \"OLAP\"\\nDISTRIBUTED BY HASH(`k`) BUCKETS 1");
    CHECK_CLI_HAS("it_cli -e \"CREATE TABLE bad (id INT NOT NULL DEFAULT 0) PRIMARY KEY(id)\"", 1,
                  "ERROR 1064 (HY000) at line 1: Getting syntax error at line 1, column 42. Detail "
                  "message: Unexpected input '0', the most similar input is {a string literal, "
                  "'NULL', 'CURRENT_TIMESTAMP', '('}.\n");
    CHECK_CLI_HAS("it_cli -e \"CREATE TABLE kv (k INT) PRIMARY KEY(k)\"", 1,
                  "ERROR 1050 (42S01) at line 1: Table 'kv' already exists");
    CHECK_CLI_HAS("-e \"USE nowhere\"", 1, "ERROR 1049 (42000)");
    CHECK_CLI_HAS("nowhere -e \"SELECT 1\"", 1, "ERROR 1049 (42000): Unknown database 'nowhere'");
    char *out = NULL;
    CHECK_INT_EQ(cli("not-the-password", "-e \"SELECT 1\"", &out), 1);
    CHECK_STR_CONTAINS(out, "ERROR 1045 (28000): Access denied for user 'root'@'127.0.0.1' "
                            "(using password: YES)");
    CHECK(strstr(out, "not-the-password") == NULL);
    free(out);
}

TEST_MAIN()
