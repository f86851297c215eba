/* The mysql_cdc source end to end against the MariaDB test server: real jobs (mysql_cdc -> print
 * or file) run by rt_job_master, asserting the exact changelog lines: inserts, updates and deletes
 * of the selected tables only, a transaction's records together and in order, specific-offset
 * replaying exactly what followed a position, restore from a checkpoint with nothing missing and
 * (file sink) nothing twice, surviving KILL of the replication connection, schema changes
 * (SC records, the schema history across DDL, restores and hash distribution), and config
 * errors. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "graph/codec.h"
#include "operators/registry.h"
#include "runtime/base/buf.h"
#include "runtime/base/clock.h"
#include "runtime/base/failpoint.h"
#include "runtime/job_master.h"
#include "runtime/metrics.h"
#include "tests/harness/mariadb.h"
#include "tests/harness/test.h"
#include "tests/integration/cdc/cdc_check.h"
#include "tests/integration/cdc/cdc_run.h"

/* --- helpers --- */

static unsigned next_server_id = 7100;
static size_t job_batch_rows;     /* rows per batch of the jobs started; 0: the default */
static unsigned src_parallelism;  /* of the mysql_cdc vertex; 0: 1 */
static unsigned sink_parallelism; /* of the sink; 0: 1 */
static const char *sink_distribution = "rebalance";

/* "cdc<pid>_<name>" into db (size bytes): this test's database, created empty with tables t1, t2
 * (selected), t3 (excluded by exclude_tables) and ping (selected; for syncing with the stream). */
static void make_db(const char *name, char *db, size_t size)
{
    snprintf(db, size, "cdc%d_%s", (int)getpid(), name);
    CHECK_INT_EQ(
        cdc_check_exec(
            "DROP DATABASE IF EXISTS %s; CREATE DATABASE %s;"
            "CREATE TABLE %s.t1 (id INT PRIMARY KEY, name VARCHAR(20), amount DECIMAL(10,2), "
            "u INT UNSIGNED, e ENUM('red','green')) ENGINE=InnoDB;"
            "CREATE TABLE %s.t2 (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB;"
            "CREATE TABLE %s.t3 (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB;"
            "CREATE TABLE %s.ping (id INT PRIMARY KEY) ENGINE=InnoDB",
            db, db, db, db, db, db),
        0);
}

typedef cdc_run run;

/* Starts mysql_cdc (startup = JSON) -> sink (print to `out`, or the file sink into dir `out`)
 * for db, with checkpoints every 200 ms into data_dir when given. */
static bool run_start_x(run *r, const char *db, const char *startup, const char *extra,
                        bool file_sink, const char *out, const char *data_dir, unsigned server_id)
{
    test_mysql_params tp;
    if (!test_mysql_params_get(&tp))
        return false;
    char json[4096];
    snprintf(json, sizeof json,
             "{\"name\":\"cdc\",\"checkpoint\":{\"interval\":\"200ms\"},"
             "\"restart\":{\"strategy\":\"none\"},\"operators\":["
             "{\"id\":\"src\",\"type\":\"mysql_cdc\",\"parallelism\":%u,"
             "\"config\":{\"host\":\"%s\",\"port\":%u,"
             "\"user\":\"%s\",\"password_env\":\"SLUICE_MYSQL_PASSWORD\",\"ssl_mode\":"
             "\"disabled\",\"server_id\":%u,\"tables\":[\"%s\\\\.(t[0-9]|ping)\"],"
             "\"exclude_tables\":[\"%s\\\\.t3\"],\"heartbeat_interval\":\"1s\","
             "\"startup\":%s%s}},"
             "{\"id\":\"out\",\"type\":\"%s\",\"parallelism\":%u,\"inputs\":[{\"from\":"
             "\"src\",\"distribution\":\"%s\"}],\"config\":{\"path\":\"%s\"}}"
             "]}",
             src_parallelism ? src_parallelism : 1, tp.host, tp.port, tp.user, server_id, db, db,
             startup, extra, file_sink ? "file" : "print", sink_parallelism ? sink_parallelism : 1,
             sink_distribution, out);
    return cdc_run_start_json(r, json, data_dir, job_batch_rows);
}

static bool run_start(run *r, const char *db, const char *startup, bool file_sink, const char *out,
                      const char *data_dir, unsigned server_id)
{
    return run_start_x(r, db, startup, "", file_sink, out, data_dir, server_id);
}

/* The output lines: of the file `path` (print), or of the visible part files of directory
 * `path` in name order (file sink). A new NULL-terminated array; free with free_lines. */
static char **read_lines(const char *path, bool dir, size_t *count)
{
    size_t len = 0;
    char *all = cdc_check_read_all(path, dir, &len);
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += all[i] == '\n';
    char **lines = calloc(n + 1, sizeof *lines);
    size_t k = 0, start = 0;
    for (size_t i = 0; i < len && k < n; i++) {
        if (all[i] == '\n') {
            lines[k++] = strndup(all + start, i - start);
            start = i + 1;
        }
    }
    free(all);
    *count = k;
    return lines;
}

static void free_lines(char **lines)
{
    for (size_t i = 0; lines && lines[i]; i++)
        free(lines[i]);
    free(lines);
}

/* Waits until the output has at least n lines (15 s); returns the count then. */
static size_t wait_lines(const char *path, bool dir, size_t n)
{
    int64_t deadline = rt_clock_mono_ms() + 15000;
    size_t have = 0;
    while ((have = cdc_check_count_lines(path, dir)) < n && rt_clock_mono_ms() < deadline)
        rt_sleep_ms(20);
    if (have < n)
        test_fail(__FILE__, __LINE__, "%zu lines of %zu in %s", have, n, path);
    return have;
}

/* Inserts rows into db.ping until one shows up in the output: from then on the stream is live.
 * Returns the line count then (the pings included). */
static size_t sync_ping(const char *db, const char *path, bool dir)
{
    static int ping_id;
    for (int i = 0; i < 100; i++) {
        cdc_check_exec("INSERT INTO %s.ping VALUES (%d)", db, ++ping_id);
        int64_t deadline = rt_clock_mono_ms() + 300;
        while (rt_clock_mono_ms() < deadline) {
            size_t n = 0;
            char **lines = read_lines(path, dir, &n);
            char want[64];
            snprintf(want, sizeof want, "{\"id\":%d}", ping_id);
            bool seen = n > 0 && strstr(lines[n - 1], want) != NULL;
            free_lines(lines);
            if (seen)
                return n;
            rt_sleep_ms(10);
        }
    }
    test_fail(__FILE__, __LINE__, "the stream never showed a ping");
    return 0;
}

/* Checks lines[from..] against want (NULL-terminated), line by line. */
static void check_lines(const char *path, bool dir, size_t from, const char *const *want)
{
    size_t nwant = 0;
    while (want[nwant])
        nwant++;
    wait_lines(path, dir, from + nwant);
    rt_sleep_ms(300); /* nothing more may follow */
    size_t n = 0;
    char **lines = read_lines(path, dir, &n);
    CHECK_UINT_EQ(n, from + nwant);
    for (size_t i = 0; i < nwant && from + i < n; i++)
        CHECK_STR_EQ(lines[from + i], want[i]);
    free_lines(lines);
}

/* --- tests --- */

TEST(latest_offset_streams_selected_tables_in_transactions)
{
    char dbs[64];
    make_db("latest", dbs, sizeof dbs);
    const char *out = cdc_run_tmp_path("latest.jsonl");
    run r;
    if (!run_start(&r, dbs, "{\"mode\":\"latest-offset\"}", false, out, NULL, next_server_id++))
        return;
    size_t from = sync_ping(dbs, out, false);
    cdc_check_exec("INSERT INTO %s.t1 VALUES (1,'a',1.50,4294967295,'green');"
                   "INSERT INTO %s.t3 VALUES (1,'excluded');"
                   "BEGIN; INSERT INTO %s.t1 VALUES (2,'b',-2.00,7,NULL);"
                   "UPDATE %s.t1 SET name='bb' WHERE id=2; INSERT INTO %s.t2 VALUES (10,'z');"
                   "INSERT INTO %s.t3 VALUES (2,'excluded'); DELETE FROM %s.t1 WHERE id=1; COMMIT",
                   dbs, dbs, dbs, dbs, dbs, dbs, dbs);
    char want[8][256];
    snprintf(want[0], 256,
             "{\"op\":\"+I\",\"table\":\"%s.t1\",\"data\":{\"id\":1,\"name\":\"a\","
             "\"amount\":\"1.50\",\"u\":4294967295,\"e\":\"green\"}}",
             dbs);
    snprintf(want[1], 256,
             "{\"op\":\"+I\",\"table\":\"%s.t1\",\"data\":{\"id\":2,\"name\":\"b\","
             "\"amount\":\"-2.00\",\"u\":7,\"e\":null}}",
             dbs);
    snprintf(want[2], 256,
             "{\"op\":\"-U\",\"table\":\"%s.t1\",\"data\":{\"id\":2,\"name\":\"b\","
             "\"amount\":\"-2.00\",\"u\":7,\"e\":null}}",
             dbs);
    snprintf(want[3], 256,
             "{\"op\":\"+U\",\"table\":\"%s.t1\",\"data\":{\"id\":2,\"name\":\"bb\","
             "\"amount\":\"-2.00\",\"u\":7,\"e\":null}}",
             dbs);
    snprintf(want[4], 256, "{\"op\":\"+I\",\"table\":\"%s.t2\",\"data\":{\"id\":10,\"v\":\"z\"}}",
             dbs);
    snprintf(want[5], 256,
             "{\"op\":\"-D\",\"table\":\"%s.t1\",\"data\":{\"id\":1,\"name\":\"a\","
             "\"amount\":\"1.50\",\"u\":4294967295,\"e\":\"green\"}}",
             dbs);
    const char *const w[] = {want[0], want[1], want[2], want[3], want[4], want[5], NULL};
    check_lines(out, false, from, w);
    cdc_run_cancel(&r);
}

TEST(a_transaction_arrives_together)
{
    char dbs[64];
    make_db("txn", dbs, sizeof dbs);
    const char *out = cdc_run_tmp_path("txn.jsonl");
    run r;
    if (!run_start(&r, dbs, "\"latest-offset\"", false, out, NULL, next_server_id++))
        return;
    size_t from = sync_ping(dbs, out, false);
    /* 200 statements in one transaction; the output is watched while it commits: it must
     * never hold part of the transaction (the reader emits at the commit only). */
    rt_buf sql;
    rt_buf_init(&sql);
    rt_buf_append_str(&sql, "BEGIN;");
    for (int i = 1; i <= 200; i++)
        rt_buf_appendf(&sql, "INSERT INTO %s.t2 VALUES (%d,'v%d');", dbs, i, i);
    rt_buf_append_str(&sql, "COMMIT");
    CHECK_INT_EQ(test_mysql_exec(sql.data), 0);
    rt_buf_fini(&sql);
    int64_t deadline = rt_clock_mono_ms() + 15000;
    size_t n = from;
    while (n < from + 200 && rt_clock_mono_ms() < deadline) {
        /* A reader may see a big write() to a regular file half done: count only what stays
         * the same over 2 ms (one transaction = one batch = one write of the print sink). */
        size_t a = cdc_check_count_lines(out, false);
        rt_sleep_ms(2);
        n = cdc_check_count_lines(out, false);
        if (a != n)
            continue;
        CHECK(n == from || n == from + 200);
        if (n != from && n != from + 200)
            break;
    }
    CHECK_UINT_EQ(n, from + 200);
    cdc_run_cancel(&r);
}

TEST(specific_offset_replays_exactly_what_followed)
{
    char dbs[64];
    make_db("specific", dbs, sizeof dbs);
    cdc_check_exec("INSERT INTO %s.t2 VALUES (1,'before')", dbs);
    char startup[512];
    if (!cdc_run_startup_here(startup, sizeof startup))
        return;
    cdc_check_exec("INSERT INTO %s.t2 VALUES (2,'after'); UPDATE %s.t2 SET v='x' WHERE id=1;"
                   "DELETE FROM %s.t2 WHERE id=2",
                   dbs, dbs, dbs);
    const char *out = cdc_run_tmp_path("specific.jsonl");
    run r;
    if (!run_start(&r, dbs, startup, false, out, NULL, next_server_id++))
        return;
    char want[4][256];
    snprintf(want[0], 256,
             "{\"op\":\"+I\",\"table\":\"%s.t2\",\"data\":{\"id\":2,\"v\":\"after\"}}", dbs);
    snprintf(want[1], 256,
             "{\"op\":\"-U\",\"table\":\"%s.t2\",\"data\":{\"id\":1,\"v\":\"before\"}}", dbs);
    snprintf(want[2], 256, "{\"op\":\"+U\",\"table\":\"%s.t2\",\"data\":{\"id\":1,\"v\":\"x\"}}",
             dbs);
    snprintf(want[3], 256,
             "{\"op\":\"-D\",\"table\":\"%s.t2\",\"data\":{\"id\":2,\"v\":\"after\"}}", dbs);
    const char *const w[] = {want[0], want[1], want[2], want[3], NULL};
    check_lines(out, false, 0, w);
    cdc_run_cancel(&r);
}

/* Counts the lines holding "\"table\":\"db.t2\"" with each id 1..n exactly once. */
static void check_ids_once(const char *dir, const char *db, int n)
{
    size_t count = 0;
    char **lines = read_lines(dir, true, &count);
    int *seen = calloc((size_t)n + 1, sizeof *seen);
    size_t t2 = 0;
    char table[96];
    snprintf(table, sizeof table, "\"table\":\"%s.t2\"", db);
    for (size_t i = 0; i < count; i++) {
        const char *id = strstr(lines[i], "\"id\":");
        if (!strstr(lines[i], table) || !id)
            continue;
        t2++;
        int v = atoi(id + 5);
        if (v >= 1 && v <= n)
            seen[v]++;
    }
    CHECK_UINT_EQ(t2, (size_t)n);
    for (int i = 1; i <= n; i++) {
        if (seen[i] != 1)
            test_fail(__FILE__, __LINE__, "id %d seen %d times", i, seen[i]);
    }
    free(seen);
    free_lines(lines);
}

TEST(restore_from_checkpoint_is_exactly_once_with_the_file_sink)
{
    char dbs[64];
    make_db("restore", dbs, sizeof dbs);
    char startup[512];
    if (!cdc_run_startup_here(startup, sizeof startup))
        return;
    const char *data = cdc_run_tmp_path("restore-data");
    char out[512];
    snprintf(out, sizeof out, "%s", cdc_run_tmp_path("restore-out"));
    unsigned sid = next_server_id++;
    for (int i = 1; i <= 50; i++)
        cdc_check_exec("INSERT INTO %s.t2 VALUES (%d,'a')", dbs, i);
    run r;
    if (!run_start(&r, dbs, startup, true, out, data, sid))
        return;
    /* Committed output appears at checkpoints: all 50 rows, then stop mid-stream. */
    wait_lines(out, true, 50);
    for (int i = 51; i <= 80; i++)
        cdc_check_exec("INSERT INTO %s.t2 VALUES (%d,'b')", dbs, i);
    cdc_run_cancel(&r);
    /* Written while the job is down: must come after the restore. */
    for (int i = 81; i <= 120; i++)
        cdc_check_exec("INSERT INTO %s.t2 VALUES (%d,'c')", dbs, i);
    if (!run_start(&r, dbs, startup, true, out, data, sid))
        return;
    CHECK(rt_job_master_restored_checkpoint(r.jm) > 0);
    wait_lines(out, true, 120);
    rt_sleep_ms(600); /* a few more checkpoints: nothing more may follow */
    cdc_run_cancel(&r);
    check_ids_once(out, dbs, 120);
}

/* A 100-row transaction written as 100 statements, in t2 of db. */
static void big_transaction(const char *db)
{
    rt_buf sql;
    rt_buf_init(&sql);
    rt_buf_append_str(&sql, "BEGIN;");
    for (int i = 1; i <= 100; i++)
        rt_buf_appendf(&sql, "INSERT INTO %s.t2 VALUES (%d,'v');", db, i);
    rt_buf_append_str(&sql, "COMMIT");
    CHECK_INT_EQ(test_mysql_exec(sql.data), 0);
    rt_buf_fini(&sql);
}

/* The print output `out` holds the rows of big_transaction() in order from line `from` on, and
 * nothing after them. */
static void check_big_transaction(const char *out, size_t from)
{
    wait_lines(out, false, from + 100);
    rt_sleep_ms(300);
    size_t n = 0;
    char **lines = read_lines(out, false, &n);
    CHECK_UINT_EQ(n, from + 100);
    for (size_t i = 0; i < 100 && from + i < n; i++) {
        char want[128];
        snprintf(want, sizeof want, "{\"id\":%zu,", i + 1);
        CHECK_STR_CONTAINS(lines[from + i], want);
    }
    free_lines(lines);
}

TEST(stream_dropped_inside_a_transaction_skips_what_went_out)
{
    char dbs[64];
    make_db("drop", dbs, sizeof dbs);
    const char *out = cdc_run_tmp_path("drop.jsonl");
    rt_err err = {0};
    /* The third event after pieces of the transaction went out drops the stream. */
    CHECK_OK(rt_failpoint_init("mysql_cdc.drop_in_transaction=error@3", &err), &err);
    run r;
    if (!run_start_x(&r, dbs, "\"latest-offset\"", ",\"max_transaction_records\":7", false, out,
                     NULL, next_server_id++)) {
        rt_failpoint_reset();
        return;
    }
    size_t from = sync_ping(dbs, out, false);
    big_transaction(dbs);
    check_big_transaction(out, from);
    CHECK(rt_failpoint_hits("mysql_cdc.drop_in_transaction") >= 3);
    cdc_run_cancel(&r);
    rt_failpoint_reset();
}

TEST(restore_inside_a_transaction_is_exactly_once)
{
    char dbs[64];
    make_db("midtxn", dbs, sizeof dbs);
    char startup[512];
    if (!cdc_run_startup_here(startup, sizeof startup))
        return;
    big_transaction(dbs);
    const char *data = cdc_run_tmp_path("midtxn-data");
    char out[512];
    snprintf(out, sizeof out, "%s", cdc_run_tmp_path("midtxn-out"));
    unsigned sid = next_server_id++;
    /* Small batches and slow polls inside the transaction: checkpoints (every 200 ms) fall in
     * the middle of it, after some of its pieces went out. */
    rt_err err = {0};
    CHECK_OK(rt_failpoint_init("mysql_cdc.poll_in_transaction=delay(40)", &err), &err);
    job_batch_rows = 4;
    run r;
    bool ok = run_start_x(&r, dbs, startup, ",\"max_transaction_records\":7", true, out, data, sid);
    if (ok) {
        wait_lines(out, true, 8);
        cdc_run_cancel(&r);
    }
    rt_failpoint_reset();
    job_batch_rows = 0;
    if (!ok)
        return;
    size_t mid = cdc_check_count_lines(out, true);
    CHECK(mid >= 8 && mid < 100); /* stopped inside the transaction */
    if (!run_start(&r, dbs, startup, true, out, data, sid))
        return;
    CHECK(rt_job_master_restored_checkpoint(r.jm) > 0);
    wait_lines(out, true, 100);
    rt_sleep_ms(600);
    cdc_run_cancel(&r);
    check_ids_once(out, dbs, 100);
}

TEST(idle_subtasks_keep_checkpoints_restorable)
{
    char dbs[64];
    make_db("par", dbs, sizeof dbs);
    const char *data = cdc_run_tmp_path("par-data");
    const char *out = cdc_run_tmp_path("par.jsonl");
    unsigned sid = next_server_id++;
    src_parallelism = 2;
    run r;
    if (run_start(&r, dbs, "\"latest-offset\"", false, out, data, sid)) {
        sync_ping(dbs, out, false);
        rt_sleep_ms(500); /* checkpoints with both subtasks */
        cdc_run_cancel(&r);
        cdc_check_exec("INSERT INTO %s.t2 VALUES (1,'while down')", dbs);
        if (run_start(&r, dbs, "\"latest-offset\"", false, out, data, sid)) {
            CHECK(rt_job_master_restored_checkpoint(r.jm) > 0);
            char want[160];
            snprintf(want, sizeof want, "{\"id\":1,\"v\":\"while down\"}");
            wait_lines(out, false, cdc_check_count_lines(out, false) + 1);
            size_t n = 0;
            char **lines = read_lines(out, false, &n);
            CHECK(n > 0 && strstr(lines[n - 1], want) != NULL);
            free_lines(lines);
            cdc_run_cancel(&r);
        }
    }
    src_parallelism = 0;
}

TEST(killed_replication_connection_is_survived)
{
    char dbs[64];
    make_db("kill", dbs, sizeof dbs);
    const char *out = cdc_run_tmp_path("kill.jsonl");
    run r;
    if (!run_start(&r, dbs, "\"latest-offset\"", false, out, NULL, next_server_id++))
        return;
    size_t from = sync_ping(dbs, out, false);
    cdc_check_exec("INSERT INTO %s.t2 VALUES (1,'one')", dbs);
    wait_lines(out, false, from + 1);
    /* Only this test streams now (RUN_SERIAL): every Binlog Dump thread is ours. */
    char *ids = test_mysql_scalar("SELECT GROUP_CONCAT(ID) FROM information_schema.PROCESSLIST "
                                  "WHERE COMMAND LIKE 'Binlog Dump%'");
    CHECK(ids && ids[0] && strcmp(ids, "NULL") != 0);
    for (char *tok = ids ? strtok(ids, ",") : NULL; tok; tok = strtok(NULL, ","))
        cdc_check_exec("KILL %s", tok);
    free(ids);
    cdc_check_exec("INSERT INTO %s.t2 VALUES (2,'two'); UPDATE %s.t2 SET v='uno' WHERE id=1", dbs,
                   dbs);
    char want[4][256];
    snprintf(want[0], 256, "{\"op\":\"+I\",\"table\":\"%s.t2\",\"data\":{\"id\":2,\"v\":\"two\"}}",
             dbs);
    snprintf(want[1], 256, "{\"op\":\"-U\",\"table\":\"%s.t2\",\"data\":{\"id\":1,\"v\":\"one\"}}",
             dbs);
    snprintf(want[2], 256, "{\"op\":\"+U\",\"table\":\"%s.t2\",\"data\":{\"id\":1,\"v\":\"uno\"}}",
             dbs);
    const char *const w[] = {want[0], want[1], want[2], NULL};
    check_lines(out, false, from + 1, w);
    CHECK(rt_job_master_status_get(r.jm) == RT_JOB_MASTER_RUNNING);
    CHECK_UINT_EQ(rt_job_master_attempts(r.jm), 1);
    cdc_run_cancel(&r);
}

/* The SC line of a schema change of db.table: kind, and its columns "name":"type" in order. */
static void sc_line(char *out, size_t size, const char *db, const char *table, const char *change,
                    const char *ddl, const char *columns)
{
    snprintf(out, size,
             "{\"op\":\"SC\",\"table\":\"%s.%s\",\"change\":\"%s\",\"ddl\":\"%s\","
             "\"columns\":[%s]}",
             db, table, change, ddl, columns);
}

TEST(ddl_goes_downstream_and_new_tables_are_read)
{
    char dbs[64];
    make_db("ddl", dbs, sizeof dbs);
    const char *out = cdc_run_tmp_path("ddl.jsonl");
    run r;
    if (!run_start(&r, dbs, "\"latest-offset\"", false, out, NULL, next_server_id++))
        return;
    size_t from = sync_ping(dbs, out, false);
    cdc_check_exec("INSERT INTO %s.t2 VALUES (1,'one')", dbs);
    wait_lines(out, false, from + 1);
    cdc_check_exec("ALTER TABLE %s.t2 ADD COLUMN w INT; INSERT INTO %s.t2 VALUES (2,'two',22);"
                   "CREATE TABLE %s.t5 (k BIGINT UNSIGNED PRIMARY KEY, b VARBINARY(4), tx TEXT);"
                   "INSERT INTO %s.t5 VALUES (18446744073709551615, 'ab', 'text');"
                   "ALTER TABLE %s.t3 ADD COLUMN z INT", /* excluded: no SC */
                   dbs, dbs, dbs, dbs, dbs);
    char want[5][1024], ddl[256];
    snprintf(want[0], 256, "{\"op\":\"+I\",\"table\":\"%s.t2\",\"data\":{\"id\":1,\"v\":\"one\"}}",
             dbs);
    snprintf(ddl, sizeof ddl, "ALTER TABLE %s.t2 ADD COLUMN w INT", dbs);
    sc_line(want[1], sizeof want[1], dbs, "t2", "alter_table", ddl,
            "{\"name\":\"id\",\"type\":\"int\",\"nullable\":false,\"key\":true},"
            "{\"name\":\"v\",\"type\":\"varchar(20)\",\"nullable\":true,\"key\":false},"
            "{\"name\":\"w\",\"type\":\"int\",\"nullable\":true,\"key\":false}],"
            "\"changes\":[{\"type\":\"add_column\",\"column\":\"w\",\"sql_type\":\"int\","
            "\"nullable\":true,\"after\":\"v\"}");
    snprintf(want[2], 256,
             "{\"op\":\"+I\",\"table\":\"%s.t2\",\"data\":{\"id\":2,\"v\":\"two\",\"w\":22}}", dbs);
    snprintf(ddl, sizeof ddl,
             "CREATE TABLE %s.t5 (k BIGINT UNSIGNED PRIMARY KEY, b VARBINARY(4), tx TEXT)", dbs);
    sc_line(want[3], sizeof want[3], dbs, "t5", "create_table", ddl,
            "{\"name\":\"k\",\"type\":\"bigint unsigned\",\"nullable\":false,\"key\":true},"
            "{\"name\":\"b\",\"type\":\"varbinary(4)\",\"nullable\":true,\"key\":false},"
            "{\"name\":\"tx\",\"type\":\"text\",\"nullable\":true,\"key\":false}");
    snprintf(want[4], 256,
             "{\"op\":\"+I\",\"table\":\"%s.t5\",\"data\":{\"k\":\"18446744073709551615\","
             "\"b\":\"YWI=\",\"tx\":\"text\"}}",
             dbs);
    const char *const w[] = {want[0], want[1], want[2], want[3], want[4], NULL};
    check_lines(out, false, from, w);
    /* The metrics the REST API will serve: rows per table, schema changes, the position. */
    rt_buf prom;
    rt_buf_init(&prom);
    rt_metrics_format_prometheus(rt_job_master_metrics(r.jm), &prom);
    char want_rows[256];
    snprintf(want_rows, sizeof want_rows,
             "sluice_mysql_cdc_rows_read_total{job=\"cdc\",vertex=\"src\",subtask=\"0\","
             "table=\"%s.t2\"} 2\n",
             dbs);
    CHECK_STR_CONTAINS(prom.data, want_rows);
    CHECK_STR_CONTAINS(prom.data, "sluice_mysql_cdc_schema_changes_total{job=\"cdc\","
                                  "vertex=\"src\",subtask=\"0\"} 2\n");
    CHECK_STR_CONTAINS(prom.data, "sluice_mysql_cdc_binlog_position_info{job=\"cdc\","
                                  "vertex=\"src\",subtask=\"0\",value=\"mysql-bin.");
    CHECK_STR_CONTAINS(prom.data, "sluice_mysql_cdc_lag_ms{");
    rt_buf_fini(&prom);
    cdc_run_cancel(&r);
}

/* Hash distribution sends rows by key, and a schema change to every sink subtask: each must
 * apply it between its rows of the old and the new schema. */
TEST(schema_change_reaches_every_sink_subtask)
{
    char dbs[64];
    make_db("schash", dbs, sizeof dbs);
    const char *out = cdc_run_tmp_path("schash.jsonl");
    run r;
    sink_parallelism = 3;
    sink_distribution = "hash";
    bool ok = run_start(&r, dbs, "\"latest-offset\"", false, out, NULL, next_server_id++);
    sink_parallelism = 0;
    sink_distribution = "rebalance";
    if (!ok)
        return;
    size_t from = sync_ping(dbs, out, false);
    cdc_check_exec("INSERT INTO %s.t2 VALUES (1,'a'),(2,'b'),(3,'c'),(4,'d'),(5,'e'),(6,'f');"
                   "ALTER TABLE %s.t2 ADD COLUMN w INT;"
                   "INSERT INTO %s.t2 VALUES (7,'g',7),(8,'h',8),(9,'i',9),(10,'j',10),(11,'k',11)",
                   dbs, dbs, dbs);
    wait_lines(out, false, from + 6 + 3 + 5);
    rt_sleep_ms(300);
    cdc_run_cancel(&r);
    size_t n = 0;
    char **lines = read_lines(out, false, &n);
    CHECK_UINT_EQ(n, from + 14);
    size_t sc = 0, rows = 0;
    for (size_t i = from; i < n; i++) {
        if (strstr(lines[i], "\"op\":\"SC\"")) {
            sc++;
            continue;
        }
        rows++;
    }
    CHECK_UINT_EQ(sc, 3);
    CHECK_UINT_EQ(rows, 11);
    /* The three subtasks append to one file in their own order; within it, every row with w
     * comes after at least one SC line and every row without w before the last one. */
    size_t first_sc = n, last_sc = 0;
    for (size_t i = from; i < n; i++) {
        if (strstr(lines[i], "\"op\":\"SC\"")) {
            first_sc = first_sc < i ? first_sc : i;
            last_sc = i;
        }
    }
    for (size_t i = from; i < n; i++) {
        if (strstr(lines[i], "\"w\":"))
            CHECK(i > first_sc);
        else if (!strstr(lines[i], "\"op\":\"SC\""))
            CHECK(i < last_sc);
    }
    free_lines(lines);
}

/* Events replayed from before a series of DDL decode with the columns they were written with
 * (the history follows the DDL), not with the table's schema of now: here the table does not
 * even exist any more when the job starts. */
TEST(old_events_decode_with_the_schema_they_were_written_with)
{
    char dbs[64];
    make_db("hist", dbs, sizeof dbs);
    char startup[512];
    if (!cdc_run_startup_here(startup, sizeof startup))
        return;
    cdc_check_exec(
        "CREATE TABLE %s.t6 (id INT PRIMARY KEY, v VARCHAR(8)); INSERT INTO %s.t6 VALUES (1,'a');"
        "ALTER TABLE %s.t6 ADD COLUMN w INT FIRST; INSERT INTO %s.t6 VALUES (20,2,'b');"
        "ALTER TABLE %s.t6 DROP COLUMN v, MODIFY w BIGINT; INSERT INTO %s.t6 VALUES (30,3);"
        "RENAME TABLE %s.t6 TO %s.t7; INSERT INTO %s.t7 VALUES (40,4);"
        "TRUNCATE TABLE %s.t7; DROP TABLE %s.t7",
        dbs, dbs, dbs, dbs, dbs, dbs, dbs, dbs, dbs, dbs, dbs);
    const char *out = cdc_run_tmp_path("hist.jsonl");
    run r;
    if (!run_start(&r, dbs, startup, false, out, NULL, next_server_id++))
        return;
    wait_lines(out, false, 10);
    rt_sleep_ms(300);
    size_t n = 0;
    char **lines = read_lines(out, false, &n);
    CHECK_UINT_EQ(n, 10);
    const char *want[][3] = {
        {"\"change\":\"create_table\"", "{\"name\":\"v\",\"type\":\"varchar(8)\"", ".t6\""},
        {"\"op\":\"+I\"", "\"data\":{\"id\":1,\"v\":\"a\"}", ".t6\""},
        {"\"change\":\"alter_table\"", "[{\"name\":\"w\",\"type\":\"int\"", ".t6\""},
        {"\"op\":\"+I\"", "\"data\":{\"w\":20,\"id\":2,\"v\":\"b\"}", ".t6\""},
        {"\"change\":\"alter_table\"", "[{\"name\":\"w\",\"type\":\"bigint\"", ".t6\""},
        {"\"op\":\"+I\"", "\"data\":{\"w\":30,\"id\":3}", ".t6\""},
        {"\"change\":\"rename_table\"", "\"before\":", ".t7\""},
        {"\"op\":\"+I\"", "\"data\":{\"w\":40,\"id\":4}", ".t7\""},
        {"\"change\":\"truncate_table\"", "\"ddl\":\"TRUNCATE", ".t7\""},
        {"\"change\":\"drop_table\"", "\"ddl\":\"DROP", ".t7\""},
    };
    for (size_t i = 0; i < 10 && i < n; i++)
        for (size_t k = 0; k < 3; k++)
            CHECK_STR_CONTAINS(lines[i], want[i][k]);
    free_lines(lines);
    cdc_run_cancel(&r);
}

/* The history is checkpoint state: a job restored after columns changed while it was down reads
 * the rows written in between with the columns they had, then follows the change. */
TEST(restore_decodes_with_the_checkpointed_schema_history)
{
    char dbs[64];
    make_db("hrestore", dbs, sizeof dbs);
    const char *data = cdc_run_tmp_path("hrestore-data");
    char out[512];
    snprintf(out, sizeof out, "%s", cdc_run_tmp_path("hrestore-out"));
    unsigned sid = next_server_id++;
    run r;
    if (!run_start(&r, dbs, "\"latest-offset\"", true, out, data, sid))
        return;
    size_t from = sync_ping(dbs, out, true);
    cdc_check_exec("ALTER TABLE %s.t2 ADD COLUMN w INT; INSERT INTO %s.t2 VALUES (1,'a',1)", dbs,
                   dbs);
    wait_lines(out, true, from + 2);
    rt_sleep_ms(500); /* checkpoints after the change */
    cdc_run_cancel(&r);
    /* While the job is down: a row in the old schema, then the schema changes again. */
    cdc_check_exec("INSERT INTO %s.t2 VALUES (2,'b',2); ALTER TABLE %s.t2 DROP COLUMN v;"
                   "INSERT INTO %s.t2 VALUES (3,3)",
                   dbs, dbs, dbs);
    if (!run_start(&r, dbs, "\"latest-offset\"", true, out, data, sid))
        return;
    CHECK(rt_job_master_restored_checkpoint(r.jm) > 0);
    wait_lines(out, true, from + 5);
    rt_sleep_ms(600);
    CHECK(rt_job_master_status_get(r.jm) == RT_JOB_MASTER_RUNNING);
    cdc_run_cancel(&r);
    size_t n = 0;
    char **lines = read_lines(out, true, &n);
    CHECK_UINT_EQ(n, from + 5);
    if (n == from + 5) {
        CHECK_STR_CONTAINS(lines[from], "\"change\":\"alter_table\"");
        CHECK_STR_CONTAINS(lines[from + 1], "\"data\":{\"id\":1,\"v\":\"a\",\"w\":1}");
        CHECK_STR_CONTAINS(lines[from + 2], "\"data\":{\"id\":2,\"v\":\"b\",\"w\":2}");
        CHECK_STR_CONTAINS(lines[from + 3], "DROP COLUMN v");
        CHECK_STR_CONTAINS(lines[from + 4], "\"data\":{\"id\":3,\"w\":3}");
    }
    free_lines(lines);
}

TEST(big_transaction_goes_out_in_pieces_exactly)
{
    char dbs[64];
    make_db("big", dbs, sizeof dbs);
    const char *out = cdc_run_tmp_path("big.jsonl");
    run r;
    if (!run_start_x(&r, dbs, "\"latest-offset\"", ",\"max_transaction_records\":7", false, out,
                     NULL, next_server_id++))
        return;
    size_t from = sync_ping(dbs, out, false);
    big_transaction(dbs);
    check_big_transaction(out, from);
    cdc_run_cancel(&r);
}

TEST(timestamp_and_earliest_offset_starts)
{
    char dbs[64];
    make_db("ts", dbs, sizeof dbs);
    cdc_check_exec("INSERT INTO %s.t2 VALUES (1,'early')", dbs);
    rt_sleep_ms(1100);
    int64_t at = rt_clock_wall_ms();
    rt_sleep_ms(1100);
    cdc_check_exec("INSERT INTO %s.t2 VALUES (2,'late')", dbs);
    char startup[256];
    snprintf(startup, sizeof startup, "{\"mode\":\"timestamp\",\"timestamp_ms\":%lld}",
             (long long)at);
    const char *out = cdc_run_tmp_path("ts.jsonl");
    run r;
    if (!run_start(&r, dbs, startup, false, out, NULL, next_server_id++))
        return;
    char want[2][256];
    snprintf(want[0], 256, "{\"op\":\"+I\",\"table\":\"%s.t2\",\"data\":{\"id\":2,\"v\":\"late\"}}",
             dbs);
    const char *const w[] = {want[0], NULL};
    check_lines(out, false, 0, w);
    cdc_run_cancel(&r);
    /* earliest-offset reads everything the server still has, both rows */
    const char *out2 = cdc_run_tmp_path("earliest.jsonl");
    if (!run_start(&r, dbs, "\"earliest-offset\"", false, out2, NULL, next_server_id++))
        return;
    /* From the beginning: the tables' CREATE statements come first (make_db's) */
    wait_lines(out2, false, 5);
    rt_sleep_ms(300);
    size_t n = 0;
    char **lines = read_lines(out2, false, &n);
    CHECK_UINT_EQ(n, 5); /* CREATE t1, t2, ping (t3 excluded), then both rows */
    const char *want2[] = {".t1\",\"change\":\"create_table\"", ".t2\",\"change\":\"create_table\"",
                           ".ping\",\"change\":\"create_table\"",
                           "\"data\":{\"id\":1,\"v\":\"early\"}",
                           "\"data\":{\"id\":2,\"v\":\"late\"}"};
    for (size_t i = 0; i < 5 && i < n; i++)
        CHECK_STR_CONTAINS(lines[i], want2[i]);
    free_lines(lines);
    cdc_run_cancel(&r);
}

/* Config errors name the JSON path. */
static void check_parse_error(const char *startup, const char *want)
{
    char json[2048];
    snprintf(json, sizeof json,
             "{\"name\":\"bad\",\"operators\":[{\"id\":\"src\",\"type\":\"mysql_cdc\","
             "\"config\":{\"user\":\"u\",\"password\":\"p\",\"tables\":[\"a\\\\.b\"],"
             "\"startup\":%s}},{\"id\":\"out\",\"type\":\"blackhole\",\"inputs\":[\"src\"]}]}",
             startup);
    graph_job *g = NULL;
    rt_err err = {0};
    CHECK_INT_EQ(graph_codec_parse(json, strlen(json), op_registry_catalog(), &g, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, want);
    CHECK(!strstr(err.msg, "\"p\""));
    graph_job_free(g);
}

TEST(startup_config_errors_name_the_path)
{
    check_parse_error("{\"mode\":\"latest\"}", "config.startup.mode: unknown mode \"latest\"");
    check_parse_error("{\"mode\":\"specific-offset\"}", "config.startup: specific-offset needs");
    check_parse_error("{\"mode\":\"specific-offset\",\"pos\":100,\"gtid\":\"0-1-5\"}",
                      "config.startup.pos: needs \"file\"");
    check_parse_error("{\"mode\":\"latest-offset\",\"file\":\"x.000001\"}",
                      "config.startup.file: only with mode \"specific-offset\"");
    check_parse_error("{\"mode\":\"timestamp\"}", "config.startup: timestamp needs");
    check_parse_error("{\"mode\":\"timestamp\",\"timestamp_ms\":-1}",
                      "config.startup.timestamp_ms: expected milliseconds");
    check_parse_error("{\"mode\":\"specific-offset\",\"gtid\":\"nonsense\"}",
                      "config.startup.gtid");
    check_parse_error("{\"mode\":\"earliest-offset\",\"color\":1}",
                      "config.startup.color: unknown key");
}

TEST(a_position_the_server_lacks_fails_clearly)
{
    char dbs[64];
    make_db("purged", dbs, sizeof dbs);
    const char *out = cdc_run_tmp_path("purged.jsonl");
    run r;
    if (!run_start(&r, dbs,
                   "{\"mode\":\"specific-offset\",\"file\":\"mysql-bin.999999\",\"pos\":4}", false,
                   out, NULL, next_server_id++))
        return;
    CHECK_INT_EQ(rt_job_master_wait(r.jm, 30000), RT_JOB_MASTER_FAILED);
    rt_err err = {0};
    CHECK_INT_EQ(rt_job_master_failure(r.jm, &err), 0);
    CHECK_INT_EQ(err.code, RT_ENOTFOUND);
    CHECK_STR_CONTAINS(err.msg, "mysql-bin.999999");
    cdc_run_free(&r);
}

TEST_MAIN()
