/* The binlog transport (operators/mysql/binlog_client.h) against the real MariaDB test server:
 * row events of exactly the statements run, with their values and transaction boundaries, from
 * file/offset and from GTID, across FLUSH BINARY LOGS, heartbeats when idle, surviving KILL by
 * reconnecting from the saved position, the errors of positions the server does not have,
 * concurrent clients, events over 16 MiB, and the server queries. Each test uses its own
 * database. The events are decoded with the project's decoder (binlog_decode.h). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "operators/mysql/binlog_client.h"
#include "operators/mysql/binlog_decode.h"
#include "runtime/base/clock.h"
#include "tests/harness/mariadb.h"
#include "tests/harness/test.h"

/* --- a stream reader that keeps the committed transactions of one database as text --- */

#define MAX_TXNS 64

typedef struct reader {
    op_binlog_client *c;
    op_binlog_decoder *d;
    op_mysql_row *before, *after;
    const char *db; /* rows of other databases are ignored */
    rt_buf cur;     /* rows of the transaction in progress */
    bool in_txn, standalone;
    char *txns[MAX_TXNS]; /* committed transactions holding rows of db */
    size_t n;
    op_binlog_pos committed; /* position after the last transaction boundary */
    unsigned heartbeats, rotates;
    size_t largest_event;
} reader;

static op_binlog_client_params params(uint32_t server_id)
{
    test_mysql_params tp = {0};
    test_mysql_params_get(&tp);
    op_binlog_client_params p = {0};
    p.conn.host = tp.host;
    p.conn.port = tp.port;
    p.conn.user = tp.user;
    p.conn.password = tp.password;
    p.server_id = server_id;
    p.heartbeat_ms = 1000;
    p.backoff_ms = 20;
    p.backoff_max_ms = 200;
    return p;
}

/* The server's position now (file/offset and GTID). */
static void server_pos(op_binlog_pos *out)
{
    op_binlog_client_params p = params(1);
    rt_err err = {0};
    CHECK_OK(op_binlog_server_position(&p.conn, out, &err), &err);
}

static const char *pos_text(const op_binlog_pos *p)
{
    static char out[4][1024];
    static int i;
    i = (i + 1) % 4;
    rt_buf b;
    rt_buf_init(&b);
    op_binlog_pos_format(p, &b);
    snprintf(out[i], sizeof out[i], "%s", b.data ? b.data : "");
    rt_buf_fini(&b);
    return out[i];
}

static void reader_init(reader *r, const char *db)
{
    memset(r, 0, sizeof *r);
    r->db = db;
    r->d = op_binlog_decoder_new();
    r->before = op_mysql_row_new();
    r->after = op_mysql_row_new();
    rt_buf_init(&r->cur);
    op_binlog_pos_init(&r->committed);
}

/* Starts (or restarts) r's client at from. */
static int reader_open(reader *r, uint32_t server_id, const op_binlog_pos *from, rt_err *err)
{
    op_binlog_client_params p = params(server_id);
    int rc = r->c ? op_binlog_client_reconnect(r->c, from, err)
                  : op_binlog_client_open(&p, from, &r->c, err);
    if (rc == 0) {
        op_binlog_decoder_set_format(r->d, op_binlog_client_format(r->c));
        rt_buf_reset(&r->cur);
        r->in_txn = false;
        CHECK_OK(op_binlog_pos_copy(&r->committed, from, err), err);
    }
    return rc;
}

static void reader_fini(reader *r)
{
    op_binlog_client_close(r->c);
    op_binlog_decoder_free(r->d);
    op_mysql_row_free(r->before);
    op_mysql_row_free(r->after);
    rt_buf_fini(&r->cur);
    op_binlog_pos_fini(&r->committed);
    for (size_t i = 0; i < r->n; i++)
        free(r->txns[i]);
}

static void append_row(reader *r, const op_table_map *tm, const op_mysql_row *row)
{
    for (size_t i = 0; i < op_mysql_row_column_count(row); i++) {
        const op_mysql_cell *cell = op_mysql_row_cell(row, i);
        const op_mysql_column *col = op_table_map_column(tm, i);
        rt_buf_appendf(&r->cur, "%s%s=", i ? "," : "", col->name ? col->name : "?");
        if (!cell || cell->is_null) {
            rt_buf_append_str(&r->cur, "NULL");
        } else if (cell->raw_len > 64) {
            /* long values by length and content check: a run of one byte */
            bool same = true;
            for (uint32_t k = 1; k < cell->raw_len; k++)
                same = same && cell->raw[k] == cell->raw[0];
            rt_buf_appendf(&r->cur, "<%" PRIu32 " x '%c'%s>", cell->raw_len, cell->raw[0],
                           same ? "" : " mixed");
        } else {
            op_mysql_cell_format_text(cell, col, &r->cur);
        }
    }
}

static int on_rows(reader *r, op_binlog_event *ev, rt_err *err)
{
    op_table_map *tm = ev->rows.table_map;
    bool ours = tm && strcmp(op_table_map_schema(tm), r->db) == 0;
    bool has = true;
    while (has) {
        int rc = op_rows_event_next(&ev->rows.ev, tm, r->before, r->after, &has, err);
        if (rc)
            return rc;
        if (!has || !ours)
            continue;
        op_rows_kind k = ev->rows.ev.kind;
        rt_buf_appendf(&r->cur, "%s%s %s(", r->cur.len ? "; " : "", op_rows_kind_name(k),
                       op_table_map_table(tm));
        append_row(r, tm, k == OP_ROWS_WRITE ? r->after : r->before);
        if (k == OP_ROWS_UPDATE) {
            rt_buf_append_str(&r->cur, " -> ");
            append_row(r, tm, r->after);
        }
        rt_buf_append_char(&r->cur, ')');
    }
    return 0;
}

/* At a transaction boundary: keeps the transaction (if it touched db) and the position. */
static void commit(reader *r)
{
    if (r->cur.len > 0 && r->n < MAX_TXNS)
        r->txns[r->n++] = strdup(r->cur.data);
    rt_buf_reset(&r->cur);
    r->in_txn = r->standalone = false;
    rt_err err = {0};
    CHECK_OK(op_binlog_pos_copy(&r->committed, op_binlog_client_position(r->c), &err), &err);
}

/* Reads and handles one event. Returns next's code (RT_ETIMEDOUT when idle). */
static int reader_step(reader *r, int timeout_ms, rt_err *err)
{
    const uint8_t *event;
    size_t len;
    int rc = op_binlog_client_next(r->c, &event, &len, timeout_ms, err);
    if (rc)
        return rc;
    if (len > r->largest_event)
        r->largest_event = len;
    op_binlog_event ev;
    rc = op_binlog_decoder_decode(r->d, event, len, &ev, err);
    if (rc) {
        test_fail(__FILE__, __LINE__, "decode: %s", err->msg);
        return rc;
    }
    switch (ev.header.type) {
    case OP_BINLOG_MARIADB_GTID_EVENT:
        rt_buf_reset(&r->cur);
        r->in_txn = true;
        r->standalone = (ev.mariadb_gtid.flags2 & OP_MARIADB_GTID_FL_STANDALONE) != 0;
        break;
    case OP_BINLOG_XID_EVENT:
        commit(r);
        break;
    case OP_BINLOG_QUERY_EVENT:
    case OP_BINLOG_QUERY_COMPRESSED_EVENT:
        /* A DDL statement after a standalone GTID, or COMMIT of a non-transactional table. */
        if (r->standalone || (ev.query.sql_len == 6 && memcmp(ev.query.sql, "COMMIT", 6) == 0))
            commit(r);
        break;
    case OP_BINLOG_HEARTBEAT_LOG_EVENT:
        r->heartbeats++;
        break;
    case OP_BINLOG_ROTATE_EVENT:
        r->rotates++;
        break;
    default:
        if (!ev.skipped && op_binlog_type_is_rows(ev.header.type))
            rc = on_rows(r, &ev, err);
        if (rc)
            test_fail(__FILE__, __LINE__, "rows: %s", err->msg);
        break;
    }
    return rc;
}

/* Steps until n transactions are committed (or, with mid, until then a transaction is open). */
static bool reader_until(reader *r, size_t n, bool mid, int64_t timeout_ms)
{
    int64_t deadline = rt_clock_mono_ms() + timeout_ms;
    while (rt_clock_mono_ms() < deadline) {
        if (r->n >= n && (!mid || r->in_txn))
            return true;
        rt_err err = {0};
        int rc = reader_step(r, 200, &err);
        if (rc && rc != RT_ETIMEDOUT) {
            test_fail(__FILE__, __LINE__, "next: %s", err.msg);
            return false;
        }
    }
    test_fail(__FILE__, __LINE__, "timed out with %zu of %zu transactions", r->n, n);
    return false;
}

/* Reads on until the client stands where the server is now (events after the last transaction,
 * such as MariaDB's BINLOG_CHECKPOINT after a rotation, or a heartbeat, bring it there), and
 * checks that the last transaction boundary is not past it. */
static void check_at_server_end(reader *r)
{
    op_binlog_pos end;
    op_binlog_pos_init(&end);
    server_pos(&end);
    const char *want = pos_text(&end);
    int64_t deadline = rt_clock_mono_ms() + 5000;
    rt_err err = {0};
    while (strcmp(pos_text(op_binlog_client_position(r->c)), want) != 0 &&
           rt_clock_mono_ms() < deadline) {
        int rc = reader_step(r, 200, &err);
        CHECK(rc == 0 || rc == RT_ETIMEDOUT);
    }
    CHECK_STR_EQ(pos_text(op_binlog_client_position(r->c)), want);
    int order = 1;
    CHECK_OK(op_binlog_pos_compare(&r->committed, &end, &order, &err), &err);
    CHECK(order <= 0);
    op_binlog_pos_fini(&end);
}

static void check_txns(const reader *r, const char *const *want, size_t n)
{
    CHECK_INT_EQ(r->n, n);
    for (size_t i = 0; i < r->n && i < n; i++)
        CHECK_STR_EQ(r->txns[i], want[i]);
}

static void exec_ok(const char *sql)
{
    if (test_mysql_exec(sql) != 0)
        test_fail(__FILE__, __LINE__, "exec failed: %s", sql);
}

static void make_db(const char *db)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "DROP DATABASE IF EXISTS %s; CREATE DATABASE %s; "
             "CREATE TABLE %s.t (id INT PRIMARY KEY, name VARCHAR(20), n BIGINT)",
             db, db, db);
    exec_ok(sql);
}

static void drop_db(const char *db)
{
    char sql[256];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", db);
    exec_ok(sql);
}

/* --- tests --- */

TEST(streams_exactly_the_rows_written_with_their_transactions)
{
    make_db("bl_rows");
    op_binlog_pos start;
    op_binlog_pos_init(&start);
    server_pos(&start);
    reader r;
    reader_init(&r, "bl_rows");
    rt_err err = {0};
    CHECK_OK(reader_open(&r, 101, &start, &err), &err);
    CHECK(op_binlog_client_is_mariadb(r.c));
    CHECK_STR_EQ(pos_text(op_binlog_client_position(r.c)), pos_text(&start));
    exec_ok("INSERT INTO bl_rows.t VALUES (1,'a',10),(2,'b',-20),(3,NULL,30);"
            "UPDATE bl_rows.t SET name='bb', n=21 WHERE id=2;"
            "DELETE FROM bl_rows.t WHERE id=3;"
            "BEGIN; INSERT INTO bl_rows.t VALUES (4,'d',40); UPDATE bl_rows.t SET n=n+1 WHERE id=1;"
            "COMMIT");
    static const char *const want[] = {
        "write t(id=1,name=a,n=10); write t(id=2,name=b,n=-20); write t(id=3,name=NULL,n=30)",
        "update t(id=2,name=b,n=-20 -> id=2,name=bb,n=21)",
        "delete t(id=3,name=NULL,n=30)",
        "write t(id=4,name=d,n=40); update t(id=1,name=a,n=10 -> id=1,name=a,n=11)",
    };
    reader_until(&r, 4, false, 10000);
    check_txns(&r, want, 4);
    /* After the last XID the client stands where the server does, in both forms. */
    check_at_server_end(&r);
    char *gtid = test_mysql_scalar("SELECT @@global.gtid_binlog_pos");
    rt_buf g;
    rt_buf_init(&g);
    op_binlog_pos_format_gtid(&r.committed, &g);
    CHECK_STR_EQ(g.data ? g.data : "", gtid);
    free(gtid);
    rt_buf_fini(&g);
    op_binlog_pos_fini(&start);
    reader_fini(&r);
    drop_db("bl_rows");
}

TEST(file_offset_and_gtid_starts_give_the_same_events)
{
    make_db("bl_start");
    op_binlog_pos start, gtid_only;
    op_binlog_pos_init(&start);
    op_binlog_pos_init(&gtid_only);
    server_pos(&start);
    CHECK(op_binlog_pos_has_file(&start));
    CHECK_INT_EQ(start.gtid_kind, OP_BINLOG_GTID_MARIADB);
    exec_ok("INSERT INTO bl_start.t VALUES (1,'x',1); INSERT INTO bl_start.t VALUES (2,'y',2);"
            "BEGIN; UPDATE bl_start.t SET n=5; DELETE FROM bl_start.t WHERE id=1; COMMIT;"
            "INSERT INTO bl_start.t VALUES (3,'z',3)");
    rt_err err = {0};
    /* the GTID alone, as text would carry it */
    rt_buf g;
    rt_buf_init(&g);
    op_binlog_pos_format_gtid(&start, &g);
    CHECK_OK(op_binlog_pos_parse(g.data ? g.data : "", g.len, &gtid_only, &err), &err);
    CHECK(!op_binlog_pos_has_file(&gtid_only));
    reader a, b;
    reader_init(&a, "bl_start");
    reader_init(&b, "bl_start");
    CHECK_OK(reader_open(&a, 111, &start, &err), &err);
    CHECK_OK(reader_open(&b, 112, &gtid_only, &err), &err);
    /* A GTID start shows no file until the server skipped to what it sends. */
    CHECK(!op_binlog_pos_has_file(op_binlog_client_position(b.c)));
    reader_until(&a, 4, false, 10000);
    reader_until(&b, 4, false, 10000);
    CHECK_INT_EQ(a.n, 4);
    check_txns(&b, (const char *const *)a.txns, a.n);
    /* both end where the server is, file/offset included */
    CHECK_STR_EQ(pos_text(&a.committed), pos_text(&b.committed));
    check_at_server_end(&a);
    check_at_server_end(&b);
    rt_buf_fini(&g);
    op_binlog_pos_fini(&start);
    op_binlog_pos_fini(&gtid_only);
    reader_fini(&a);
    reader_fini(&b);
    drop_db("bl_start");
}

TEST(follows_flush_binary_logs)
{
    make_db("bl_rotate");
    op_binlog_pos start;
    op_binlog_pos_init(&start);
    server_pos(&start);
    reader r;
    reader_init(&r, "bl_rotate");
    rt_err err = {0};
    /* From file/offset alone: the client learns the GTID state there (checked at the end). */
    CHECK_OK(op_binlog_pos_set_gtid_text(&start, OP_BINLOG_GTID_NONE, "", 0, &err), &err);
    CHECK_OK(reader_open(&r, 121, &start, &err), &err);
    CHECK_INT_EQ(op_binlog_client_position(r.c)->gtid_kind, OP_BINLOG_GTID_MARIADB);
    exec_ok("INSERT INTO bl_rotate.t VALUES (1,'before',1); FLUSH BINARY LOGS;"
            "INSERT INTO bl_rotate.t VALUES (2,'after',2)");
    static const char *const want[] = {
        "write t(id=1,name=before,n=1)",
        "write t(id=2,name=after,n=2)",
    };
    reader_until(&r, 2, false, 10000);
    check_txns(&r, want, 2);
    CHECK(r.rotates >= 2); /* the stream's artificial one and the server's rotation */
    op_binlog_pos end;
    op_binlog_pos_init(&end);
    server_pos(&end);
    CHECK(op_binlog_file_compare(end.file, start.file) > 0);
    CHECK_STR_EQ(r.committed.file, end.file);
    check_at_server_end(&r);
    op_binlog_pos_fini(&start);
    op_binlog_pos_fini(&end);
    reader_fini(&r);
    drop_db("bl_rotate");
}

TEST(idle_stream_yields_heartbeats_or_timeouts_never_hangs)
{
    op_binlog_pos start;
    op_binlog_pos_init(&start);
    server_pos(&start);
    reader r;
    reader_init(&r, "bl_idle");
    rt_err err = {0};
    CHECK_OK(reader_open(&r, 131, &start, &err), &err);
    int64_t until = rt_clock_mono_ms() + 3500;
    unsigned timeouts = 0;
    while (rt_clock_mono_ms() < until) {
        int64_t t0 = rt_clock_mono_ms();
        int rc = reader_step(&r, 300, &err);
        int64_t took = rt_clock_mono_ms() - t0;
        CHECK(rc == 0 || rc == RT_ETIMEDOUT);
        CHECK(took < 300 + 250);
        if (rc == RT_ETIMEDOUT)
            timeouts++;
    }
    CHECK(r.heartbeats >= 2);
    CHECK(timeouts >= 2);
    /* a zero timeout does not wait at all */
    int64_t t0 = rt_clock_mono_ms();
    int rc;
    while ((rc = reader_step(&r, 0, &err)) == 0)
        ;
    CHECK_INT_EQ(rc, RT_ETIMEDOUT);
    CHECK(rt_clock_mono_ms() - t0 < 100);
    /* a heartbeat is a resumable position: where the server is */
    CHECK_STR_EQ(pos_text(op_binlog_client_position(r.c)), pos_text(&start));
    /* closing does not wait for the next heartbeat to wake the reader */
    t0 = rt_clock_mono_ms();
    op_binlog_client_close(r.c);
    r.c = NULL;
    CHECK(rt_clock_mono_ms() - t0 < 300);
    op_binlog_pos_fini(&start);
    reader_fini(&r);
}

/* Finds the replication connection in SHOW PROCESSLIST (command "Binlog Dump") and kills it. */
static void kill_dump(uint64_t id)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM information_schema.PROCESSLIST "
             "WHERE COMMAND = 'Binlog Dump' AND ID = %" PRIu64,
             id);
    char *n = test_mysql_scalar(sql);
    CHECK_STR_EQ(n, "1");
    free(n);
    snprintf(sql, sizeof sql, "KILL %" PRIu64, id);
    exec_ok(sql);
}

/* Drops everything not committed (as a consumer that lost its process would) until next reports
 * the broken connection. */
static void drain_until_unavailable(reader *r)
{
    int64_t deadline = rt_clock_mono_ms() + 10000;
    rt_err err = {0};
    int rc = 0;
    const uint8_t *ev;
    size_t len;
    while (rt_clock_mono_ms() < deadline &&
           ((rc = op_binlog_client_next(r->c, &ev, &len, 200, &err)) == 0 || rc == RT_ETIMEDOUT))
        ;
    CHECK_INT_EQ(rc, RT_EUNAVAIL);
    CHECK(rt_err_is_transient(rc));
    CHECK(err.msg[0] != '\0');
    /* and it stays down until reconnected */
    CHECK_INT_EQ(op_binlog_client_next(r->c, &ev, &len, 0, &err), RT_EUNAVAIL);
}

TEST(killed_connection_reconnects_from_the_saved_position_exactly)
{
    make_db("bl_kill");
    op_binlog_pos start, at;
    op_binlog_pos_init(&start);
    op_binlog_pos_init(&at);
    server_pos(&start);
    reader r;
    reader_init(&r, "bl_kill");
    rt_err err = {0};
    CHECK_OK(reader_open(&r, 141, &start, &err), &err);
    exec_ok("INSERT INTO bl_kill.t VALUES (1,'a',1); INSERT INTO bl_kill.t VALUES (2,'b',2);"
            "BEGIN; INSERT INTO bl_kill.t VALUES (3,'c',3); INSERT INTO bl_kill.t VALUES (4,'d',4);"
            "COMMIT");
    /* Two transactions committed, the third one open: the connection dies now. */
    reader_until(&r, 2, true, 10000);
    CHECK(r.in_txn);
    kill_dump(op_binlog_client_connection_id(r.c));
    drain_until_unavailable(&r);
    exec_ok("INSERT INTO bl_kill.t VALUES (5,'e',5)");
    CHECK_OK(op_binlog_pos_copy(&at, &r.committed, &err), &err);
    CHECK_OK(reader_open(&r, 141, &at, &err), &err);
    reader_until(&r, 4, false, 10000);
    static const char *const want[] = {
        "write t(id=1,name=a,n=1)",
        "write t(id=2,name=b,n=2)",
        "write t(id=3,name=c,n=3); write t(id=4,name=d,n=4)",
        "write t(id=5,name=e,n=5)",
        "write t(id=6,name=f,n=6)",
    };
    check_txns(&r, want, 4);

    /* Again, resuming by GTID alone this time. */
    exec_ok("INSERT INTO bl_kill.t VALUES (6,'f',6)");
    kill_dump(op_binlog_client_connection_id(r.c));
    drain_until_unavailable(&r);
    CHECK_OK(op_binlog_pos_copy(&at, &r.committed, &err), &err);
    op_binlog_pos_clear_file(&at);
    CHECK_OK(reader_open(&r, 141, &at, &err), &err);
    reader_until(&r, 5, false, 10000);
    check_txns(&r, want, 5);
    check_at_server_end(&r);
    op_binlog_pos_fini(&start);
    op_binlog_pos_fini(&at);
    reader_fini(&r);
    drop_db("bl_kill");
}

/* Opening at text must fail with want and a message holding each of the needles. */
static void open_fails(const char *text, int want, const char *needle1, const char *needle2)
{
    op_binlog_pos p;
    op_binlog_pos_init(&p);
    rt_err err = {0};
    CHECK_OK(op_binlog_pos_parse(text, strlen(text), &p, &err), &err);
    op_binlog_client_params prm = params(151);
    op_binlog_client *c = NULL;
    int rc = op_binlog_client_open(&prm, &p, &c, &err);
    CHECK_INT_EQ(rc, want);
    CHECK(c == NULL);
    CHECK_STR_CONTAINS(err.msg, needle1);
    if (needle2)
        CHECK_STR_CONTAINS(err.msg, needle2);
    op_binlog_client_close(c);
    op_binlog_pos_fini(&p);
}

TEST(a_position_the_server_does_not_have_is_a_clear_error)
{
    open_fails("nosuch-bin.000001:4", RT_ENOTFOUND,
               "binlog position nosuch-bin.000001:4 is no longer on the server (purged?)",
               "restart the job from a snapshot (startup mode initial) or from an available "
               "position");
    open_fails("0-1-999999999", RT_ENOTFOUND,
               "binlog position 0-1-999999999 is no longer on the server", "1236");
    /* Not an event boundary, or past the end: refused, and not as "purged". */
    op_binlog_pos now;
    op_binlog_pos_init(&now);
    server_pos(&now);
    char text[700];
    snprintf(text, sizeof text, "%s:%" PRIu64, now.file, now.offset + 100000);
    open_fails(text, RT_EINVAL, "the server refused to stream the binlog from", "1236");

    /* A real purge: files before the current one are gone. */
    exec_ok("FLUSH BINARY LOGS");
    op_binlog_pos old;
    op_binlog_pos_init(&old);
    server_pos(&old);
    exec_ok("FLUSH BINARY LOGS; FLUSH BINARY LOGS");
    op_binlog_pos cur;
    op_binlog_pos_init(&cur);
    server_pos(&cur);
    char sql[700];
    snprintf(sql, sizeof sql, "PURGE BINARY LOGS TO '%s'", cur.file);
    /* The server keeps a file a dump thread still reads, and a stream closed by an earlier test
     * can linger on its side for a moment: end those and purge again until the files are gone. */
    for (int i = 0; i < 50; i++) {
        exec_ok(sql);
        char *left = test_mysql_scalar("SELECT COUNT(*) FROM information_schema.PROCESSLIST "
                                       "WHERE COMMAND LIKE 'Binlog Dump%'");
        char *id = left && strcmp(left, "0") != 0
                       ? test_mysql_scalar("SELECT MIN(ID) FROM information_schema.PROCESSLIST "
                                           "WHERE COMMAND LIKE 'Binlog Dump%'")
                       : NULL;
        bool done = !id;
        if (id) {
            char kill[64];
            snprintf(kill, sizeof kill, "KILL %s", id);
            (void)test_mysql_exec(kill); /* it may have ended meanwhile */
        }
        free(left);
        free(id);
        if (done)
            break;
        rt_sleep_ms(100);
    }
    exec_ok(sql);
    snprintf(text, sizeof text, "%s:%" PRIu64, old.file, old.offset);
    char needle[800];
    snprintf(needle, sizeof needle, "binlog position %s is no longer on the server (purged?)",
             text);
    open_fails(text, RT_ENOTFOUND, needle, "startup mode initial");
    /* The earliest offset now is the current file. */
    op_binlog_client_params prm = params(152);
    op_binlog_file *files = NULL;
    size_t n = 0;
    rt_err err = {0};
    CHECK_OK(op_binlog_list_files(&prm.conn, &files, &n, &err), &err);
    CHECK_INT_EQ(n, 1);
    if (n >= 1)
        CHECK_STR_EQ(files[0].name, cur.file);
    free(files);
    op_binlog_pos_fini(&now);
    op_binlog_pos_fini(&old);
    op_binlog_pos_fini(&cur);
}

TEST(two_clients_with_distinct_server_ids_stream_concurrently)
{
    make_db("bl_two");
    op_binlog_pos start;
    op_binlog_pos_init(&start);
    server_pos(&start);
    reader a, b;
    reader_init(&a, "bl_two");
    reader_init(&b, "bl_two");
    rt_err err = {0};
    CHECK_OK(reader_open(&a, 161, &start, &err), &err);
    CHECK_OK(reader_open(&b, 162, &start, &err), &err);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM information_schema.PROCESSLIST "
             "WHERE COMMAND = 'Binlog Dump' AND ID IN (%" PRIu64 ", %" PRIu64 ")",
             op_binlog_client_connection_id(a.c), op_binlog_client_connection_id(b.c));
    char *dumps = test_mysql_scalar(sql);
    CHECK_STR_EQ(dumps, "2");
    free(dumps);
    for (int i = 1; i <= 3; i++) {
        snprintf(sql, sizeof sql, "INSERT INTO bl_two.t VALUES (%d,'v',%d)", i, i * i);
        exec_ok(sql);
        /* interleaved: both keep up while the other streams */
        reader_until(&a, (size_t)i, false, 10000);
        reader_until(&b, (size_t)i, false, 10000);
    }
    CHECK_INT_EQ(a.n, 3);
    check_txns(&b, (const char *const *)a.txns, a.n);
    CHECK_STR_EQ(a.txns[2], "write t(id=3,name=v,n=9)");
    CHECK_STR_EQ(pos_text(&a.committed), pos_text(&b.committed));
    op_binlog_pos_fini(&start);
    reader_fini(&a);
    reader_fini(&b);
    drop_db("bl_two");
}

TEST(an_event_over_16_mib_arrives_whole)
{
    char *old = test_mysql_scalar("SELECT @@global.max_allowed_packet");
    exec_ok("SET GLOBAL max_allowed_packet = 67108864");
    exec_ok("DROP DATABASE IF EXISTS bl_big; CREATE DATABASE bl_big;"
            "CREATE TABLE bl_big.t (id INT PRIMARY KEY, b LONGBLOB)");
    op_binlog_pos start;
    op_binlog_pos_init(&start);
    server_pos(&start);
    reader r;
    reader_init(&r, "bl_big");
    rt_err err = {0};
    CHECK_OK(reader_open(&r, 171, &start, &err), &err);
    exec_ok("INSERT INTO bl_big.t VALUES (1, REPEAT('x', 20000000))");
    reader_until(&r, 1, false, 30000);
    static const char *const want[] = {"write t(id=1,b=<20000000 x 'x'>)"};
    check_txns(&r, want, 1);
    CHECK(r.largest_event > 20000000);
    char sql[128];
    snprintf(sql, sizeof sql, "SET GLOBAL max_allowed_packet = %s", old ? old : "16777216");
    exec_ok(sql);
    free(old);
    op_binlog_pos_fini(&start);
    reader_fini(&r);
    drop_db("bl_big");
}

TEST(server_position_file_list_and_timestamp_search)
{
    op_binlog_client_params p = params(181);
    rt_err err = {0};
    exec_ok("FLUSH BINARY LOGS");
    rt_sleep_ms(1100);
    char *now = test_mysql_scalar("SELECT UNIX_TIMESTAMP()");
    int64_t t1 = now ? strtoll(now, NULL, 10) : 0;
    free(now);
    exec_ok("FLUSH BINARY LOGS");
    op_binlog_pos cur;
    op_binlog_pos_init(&cur);
    server_pos(&cur);
    op_binlog_file *files = NULL;
    size_t n = 0;
    CHECK_OK(op_binlog_list_files(&p.conn, &files, &n, &err), &err);
    CHECK(n >= 2);
    if (n < 2) {
        free(files);
        op_binlog_pos_fini(&cur);
        return;
    }
    CHECK_STR_EQ(files[n - 1].name, cur.file);
    CHECK(files[n - 2].size > 4);
    for (size_t i = 1; i < n; i++)
        CHECK(op_binlog_file_compare(files[i - 1].name, files[i].name) < 0);
    char want[OP_BINLOG_FILE_NAME_SIZE + 8];
    op_binlog_pos found;
    op_binlog_pos_init(&found);
    /* before everything: the first file */
    CHECK_OK(op_binlog_find_by_timestamp(&p, 0, &found, &err), &err);
    snprintf(want, sizeof want, "%s:4", files[0].name);
    CHECK_STR_EQ(pos_text(&found), want);
    /* the future: the last file */
    CHECK_OK(op_binlog_find_by_timestamp(&p, t1 + 3600, &found, &err), &err);
    snprintf(want, sizeof want, "%s:4", files[n - 1].name);
    CHECK_STR_EQ(pos_text(&found), want);
    /* just before the last file began: the one before it holds that moment */
    CHECK_OK(op_binlog_find_by_timestamp(&p, t1 - 1, &found, &err), &err);
    snprintf(want, sizeof want, "%s:4", files[n - 2].name);
    CHECK_STR_EQ(pos_text(&found), want);
    /* the server's position now is a MariaDB one with both parts */
    CHECK(op_binlog_pos_has_file(&cur));
    CHECK_INT_EQ(cur.gtid_kind, OP_BINLOG_GTID_MARIADB);
    free(files);
    op_binlog_pos_fini(&found);
    op_binlog_pos_fini(&cur);
}

TEST(bad_parameters_are_refused_before_streaming)
{
    op_binlog_pos start;
    op_binlog_pos_init(&start);
    server_pos(&start);
    op_binlog_client *c = NULL;
    rt_err err = {0};
    op_binlog_client_params p = params(0);
    CHECK_INT_EQ(op_binlog_client_open(&p, &start, &c, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "server_id");
    p = params(191);
    p.conn.password = "wrong";
    CHECK_INT_EQ(op_binlog_client_open(&p, &start, &c, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "Access denied");
    p = params(191);
    op_binlog_pos empty;
    op_binlog_pos_init(&empty);
    CHECK_INT_EQ(op_binlog_client_open(&p, &empty, &c, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "neither file nor GTID");
    /* a MySQL GTID set for a MariaDB server */
    const char *mysql_set = "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5";
    CHECK_OK(op_binlog_pos_parse(mysql_set, strlen(mysql_set), &empty, &err), &err);
    CHECK_INT_EQ(op_binlog_client_open(&p, &empty, &c, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "mysql GTID start position given to a MariaDB server");
    /* nobody listening: transient */
    p.conn.port = 1;
    CHECK_INT_EQ(op_binlog_client_open(&p, &start, &c, &err), RT_EUNAVAIL);
    CHECK(c == NULL);
    op_binlog_pos_fini(&start);
    op_binlog_pos_fini(&empty);
}

TEST_MAIN()
