/* The mysql_cdc source's snapshot phase and bounded runs against the MariaDB test server: real
 * jobs (mysql_cdc -> print or file) run by rt_job_master. The emitted changelog is replayed into
 * mirror tables on the server (+I/+U upsert, -D delete by key; INSERT only where every row must
 * come once) and compared with the source tables by EXCEPT both ways. Covers "stop":
 * "latest-offset", startup "snapshot" over several splits and tables (one composite key), startup
 * "initial" under concurrent writers, a restore mid-snapshot that reads no finished split again,
 * and tables without a primary key. */
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graph/codec.h"
#include "operators/registry.h"
#include "runtime/base/buf.h"
#include "runtime/base/clock.h"
#include "runtime/base/failpoint.h"
#include "runtime/job_master.h"
#include "tests/harness/mariadb.h"
#include "tests/harness/test.h"
#include "tests/integration/cdc/cdc_run.h"

static unsigned next_server_id = 7300;
static unsigned src_parallelism; /* of the mysql_cdc vertex; 0: 1 */
static size_t job_batch_rows;    /* rows per batch of the jobs started; 0: the default */

static int execf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int execf(const char *fmt, ...)
{
    char sql[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    return test_mysql_exec(sql);
}

/* "snap<pid>_<name>", created empty. */
static const char *make_db(const char *name, char *db, size_t size)
{
    snprintf(db, size, "snap%d_%s", (int)getpid(), name);
    CHECK_INT_EQ(execf("DROP DATABASE IF EXISTS %s; CREATE DATABASE %s", db, db), 0);
    return db;
}

static long scalar_long(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static long scalar_long(const char *fmt, ...)
{
    char sql[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    char *v = test_mysql_scalar(sql);
    long n = v ? atol(v) : -1;
    free(v);
    return n;
}

/* Inserts n rows into db.table with `values` a printf format of one row taking the row number
 * (1..n) as its only argument, 500 rows per statement. */
static void fill(const char *db, const char *table, int n, const char *values)
{
    rt_buf sql;
    rt_buf_init(&sql);
    for (int i = 1; i <= n; i++) {
        if (sql.len == 0)
            rt_buf_appendf(&sql, "INSERT INTO %s.%s VALUES ", db, table);
        else
            rt_buf_append_str(&sql, ",");
        rt_buf_appendf(&sql, values, i, i, i);
        if (i % 500 == 0 || i == n) {
            CHECK_INT_EQ(test_mysql_exec(sql.data), 0);
            rt_buf_reset(&sql);
        }
    }
    rt_buf_fini(&sql);
}

typedef cdc_run run;

/* mysql_cdc over db.<tables regex> -> print (file `out`) or file sink (directory `out`). */
static bool run_start(run *r, const char *db, const char *tables, const char *startup,
                      const char *extra, bool file_sink, const char *out, const char *data_dir,
                      unsigned server_id)
{
    test_mysql_params tp;
    if (!test_mysql_params_get(&tp))
        return false;
    char json[4096];
    snprintf(json, sizeof json,
             "{\"name\":\"snap\",\"checkpoint\":{\"interval\":\"200ms\"},"
             "\"restart\":{\"strategy\":\"none\"},\"operators\":["
             "{\"id\":\"src\",\"type\":\"mysql_cdc\",\"parallelism\":%u,"
             "\"config\":{\"host\":\"%s\",\"port\":%u,"
             "\"user\":\"%s\",\"password_env\":\"SLUICE_MYSQL_PASSWORD\",\"ssl_mode\":"
             "\"disabled\",\"server_id\":\"%u-%u\",\"tables\":[\"%s\\\\.%s\"],"
             "\"heartbeat_interval\":\"1s\",\"startup\":%s%s}},"
             "{\"id\":\"out\",\"type\":\"%s\",\"inputs\":[\"src\"],\"config\":{\"path\":\"%s\"}}"
             "]}",
             src_parallelism ? src_parallelism : 1, tp.host, tp.port, tp.user, server_id,
             server_id + (src_parallelism ? src_parallelism : 1) - 1, db, tables, startup, extra,
             file_sink ? "file" : "print", out);
    return cdc_run_start_json(r, json, data_dir, job_batch_rows);
}

static void run_free(run *r)
{
    rt_job_master_free(r->jm);
    graph_job_free(r->graph);
    memset(r, 0, sizeof *r);
}

/* Waits for the job to end by itself; it must finish. */
static void run_finish(run *r)
{
    rt_job_master_status s = rt_job_master_wait(r->jm, 120000);
    if (s == RT_JOB_MASTER_FAILED) {
        rt_err err = {0};
        rt_job_master_failure(r->jm, &err);
        test_fail(__FILE__, __LINE__, "job failed: %s", err.msg);
    }
    CHECK_INT_EQ(s, RT_JOB_MASTER_FINISHED);
    run_free(r);
}

static void run_cancel(run *r)
{
    rt_job_master_cancel(r->jm);
    rt_job_master_wait(r->jm, 30000);
    CHECK(rt_job_master_status_get(r->jm) != RT_JOB_MASTER_FAILED);
    run_free(r);
}

/* The changelog lines of `path`: the file itself, or the part files of a directory. */
static char *read_all(const char *path, bool dir, size_t *len)
{
    rt_buf all;
    rt_buf_init(&all);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, dir ? "cat %s/part-* 2>/dev/null" : "cat %s 2>/dev/null", path);
    FILE *f = popen(cmd, "r");
    char buf[65536];
    size_t n;
    while (f && (n = fread(buf, 1, sizeof buf, f)) > 0)
        rt_buf_append(&all, buf, n);
    if (f)
        pclose(f);
    rt_buf_append(&all, "", 1);
    *len = all.len - 1;
    return all.data; /* rt_buf's bytes are malloc'd: the caller frees them */
}

static size_t count_lines(const char *path, bool dir)
{
    size_t len = 0, n = 0;
    char *all = read_all(path, dir, &len);
    for (size_t i = 0; i < len; i++)
        n += all[i] == '\n';
    free(all);
    return n;
}

static bool wait_lines(const char *path, bool dir, size_t n, int64_t ms)
{
    int64_t deadline = rt_clock_mono_ms() + ms;
    while (count_lines(path, dir) < n && rt_clock_mono_ms() < deadline)
        rt_sleep_ms(20);
    return count_lines(path, dir) >= n;
}

static void sql_literal(rt_buf *b, json_t *v)
{
    if (json_is_integer(v)) {
        rt_buf_appendf(b, "%lld", (long long)json_integer_value(v));
    } else if (json_is_real(v)) {
        rt_buf_appendf(b, "%.17g", json_real_value(v));
    } else if (json_is_string(v)) {
        rt_buf_append_str(b, "'");
        for (const char *p = json_string_value(v); *p; p++) {
            if (*p == '\'' || *p == '\\')
                rt_buf_append(b, "\\", 1);
            rt_buf_append(b, p, 1);
        }
        rt_buf_append_str(b, "'");
    } else {
        rt_buf_append_str(b, "NULL");
    }
}

/* Replays the changelog of `path` into the mirror tables <db>.m_<table>: +I (and +U) by INSERT
 * when `insert_only` (a duplicate key fails the statement: every row came once), else by
 * REPLACE; -D deletes by the key columns `keys` (comma-separated names, shared by the tables);
 * -U is implied by its +U. Returns the records replayed, -1 on a failed statement. */
static long replay(const char *path, bool dir, const char *db, const char *keys, bool insert_only)
{
    size_t len = 0;
    char *all = read_all(path, dir, &len);
    rt_buf sql;
    rt_buf_init(&sql);
    long n = 0;
    int failed = 0;
    char *save = NULL;
    for (char *line = strtok_r(all, "\n", &save); line && !failed;
         line = strtok_r(NULL, "\n", &save)) {
        json_t *j = json_loads(line, 0, NULL);
        const char *op = json_string_value(json_object_get(j, "op"));
        const char *table = json_string_value(json_object_get(j, "table"));
        json_t *data = json_object_get(j, "data");
        const char *dot = table ? strchr(table, '.') : NULL;
        if (!op || !dot || !json_is_object(data)) {
            test_fail(__FILE__, __LINE__, "bad line: %s", line);
            failed = 1;
        } else if (strcmp(op, "-U") != 0) {
            n++;
            const char *key;
            json_t *v;
            if (strcmp(op, "-D") == 0) {
                rt_buf_appendf(&sql, "DELETE FROM %s.m_%s WHERE TRUE", db, dot + 1);
                json_object_foreach(data, key, v)
                {
                    char k[128];
                    snprintf(k, sizeof k, ",%s,", key);
                    char all_keys[256];
                    snprintf(all_keys, sizeof all_keys, ",%s,", keys);
                    if (!strstr(all_keys, k))
                        continue;
                    rt_buf_appendf(&sql, " AND `%s` = ", key);
                    sql_literal(&sql, v);
                }
            } else {
                rt_buf_appendf(&sql, "%s INTO %s.m_%s SET ", insert_only ? "INSERT" : "REPLACE", db,
                               dot + 1);
                bool first = true;
                json_object_foreach(data, key, v)
                {
                    rt_buf_appendf(&sql, "%s`%s` = ", first ? "" : ", ", key);
                    sql_literal(&sql, v);
                    first = false;
                }
            }
            rt_buf_append_str(&sql, ";");
        }
        json_decref(j);
        if (sql.len > 200000) {
            failed = test_mysql_exec(sql.data) != 0;
            rt_buf_reset(&sql);
        }
    }
    if (!failed && sql.len > 0)
        failed = test_mysql_exec(sql.data) != 0;
    rt_buf_fini(&sql);
    free(all);
    return failed ? -1 : n;
}

/* db.table and db.m_table hold the same rows. */
static void check_same(const char *db, const char *table)
{
    long a = scalar_long("SELECT COUNT(*) FROM %s.%s", db, table);
    long b = scalar_long("SELECT COUNT(*) FROM %s.m_%s", db, table);
    CHECK(a > 0);
    CHECK_INT_EQ(a, b);
    CHECK_INT_EQ(scalar_long("SELECT COUNT(*) FROM (SELECT * FROM %s.%s EXCEPT SELECT * FROM "
                             "%s.m_%s) x",
                             db, table, db, table),
                 0);
    CHECK_INT_EQ(scalar_long("SELECT COUNT(*) FROM (SELECT * FROM %s.m_%s EXCEPT SELECT * FROM "
                             "%s.%s) x",
                             db, table, db, table),
                 0);
}

static const char *tmp_path(const char *name)
{
    static char out[4][512];
    static int i;
    i = (i + 1) % 4;
    snprintf(out[i], sizeof out[i], "%s/%s", test_tmpdir(), name);
    return out[i];
}

/* --- tests --- */

TEST(stop_latest_offset_finishes_after_what_was_committed)
{
    char db[64];
    make_db("stop", db, sizeof db);
    CHECK_INT_EQ(execf("CREATE TABLE %s.t (id INT PRIMARY KEY, v VARCHAR(20));"
                       "CREATE TABLE %s.m_t LIKE %s.t",
                       db, db, db),
                 0);
    char pos[256];
    CHECK_INT_EQ(test_mysql_binlog_pos(pos, sizeof pos), 0);
    char *colon = strrchr(pos, ':');
    if (!colon)
        return;
    *colon = '\0';
    fill(db, "t", 300, "(%d, 'v%d')");
    CHECK_INT_EQ(
        execf("UPDATE %s.t SET v = 'x' WHERE id <= 10; DELETE FROM %s.t WHERE id > 290", db, db),
        0);
    char startup[512];
    snprintf(startup, sizeof startup, "{\"mode\":\"specific-offset\",\"file\":\"%s\",\"pos\":%s}",
             pos, colon + 1);
    const char *out = tmp_path("stop.jsonl");
    run r;
    if (!run_start(&r, db, "t", startup, ",\"stop\":\"latest-offset\"", false, out, NULL,
                   next_server_id++))
        return;
    run_finish(&r);
    /* 300 inserts, 10 updates (-U, +U), 10 deletes, and nothing else. */
    CHECK_UINT_EQ(count_lines(out, false), 300 + 20 + 10);
    CHECK(replay(out, false, db, "id", false) > 0);
    check_same(db, "t");
}

TEST(snapshot_mode_reads_every_row_once_and_finishes)
{
    char db[64];
    make_db("snap", db, sizeof db);
    /* a: a dense integer key (even steps); b: a composite key in another order than its columns
     * (LIMIT boundaries); c: a sparse BIGINT key (LIMIT boundaries). */
    CHECK_INT_EQ(execf("CREATE TABLE %s.a (id INT PRIMARY KEY, v VARCHAR(20), d DECIMAL(10,2));"
                       "CREATE TABLE %s.b (x INT, k VARCHAR(10), n INT, PRIMARY KEY (k, x));"
                       "CREATE TABLE %s.c (id BIGINT PRIMARY KEY, t TEXT);"
                       "CREATE TABLE %s.m_a LIKE %s.a; CREATE TABLE %s.m_b LIKE %s.b;"
                       "CREATE TABLE %s.m_c LIKE %s.c",
                       db, db, db, db, db, db, db, db, db),
                 0);
    fill(db, "a", 3000, "(%d, 'a%d', %d.25)");
    fill(db, "b", 2500, "(%d %% 7, CONCAT('k', %d), %d)");
    fill(db, "c", 2000, "(%d * 1000003, REPEAT('c', %d %% 50 + %d %% 3))");
    const char *out = tmp_path("snap.jsonl");
    run r;
    src_parallelism = 2; /* both read splits; subtask 1 ends with subtask 0 */
    bool ok = run_start(&r, db, "[abc]", "\"snapshot\"", ",\"chunk_size\":250", false, out, NULL,
                        next_server_id++);
    src_parallelism = 0;
    if (!ok)
        return;
    run_finish(&r);
    CHECK_UINT_EQ(count_lines(out, false), 3000 + 2500 + 2000);
    CHECK_INT_EQ(replay(out, false, db, "id,k,x", true), 7500);
    check_same(db, "a");
    check_same(db, "b");
    check_same(db, "c");
}

typedef struct writer {
    const char *db;
    int next_id; /* of the rows it inserts */
    volatile int stop;
    int statements, failures;
} writer;

/* Inserts, updates and deletes in small transactions, on keys at split boundaries (multiples of
 * the chunk size, give or take one) and elsewhere, until told to stop. */
static void *write_loop(void *arg)
{
    writer *w = arg;
    unsigned seed = 42;
    int next_id = w->next_id;
    while (!w->stop) {
        int k = (int)(rand_r(&seed) % 30) * 200 + (int)(rand_r(&seed) % 3) - 1;
        int any = (int)(rand_r(&seed) % 3000) + 1;
        char sql[1024];
        switch (rand_r(&seed) % 4) {
        case 0:
            snprintf(sql, sizeof sql,
                     "BEGIN; INSERT INTO %s.t VALUES (%d, %d, 'new') ON DUPLICATE KEY UPDATE "
                     "v = v + 1; UPDATE %s.t SET v = v + 10, s = 'upd' WHERE id = %d; COMMIT",
                     w->db, next_id++, k, w->db, any);
            break;
        case 1:
            snprintf(sql, sizeof sql, "UPDATE %s.t SET v = v - 1, s = 'edge' WHERE id = %d", w->db,
                     k);
            break;
        case 2:
            snprintf(sql, sizeof sql, "DELETE FROM %s.t WHERE id = %d", w->db, k);
            break;
        default:
            snprintf(sql, sizeof sql,
                     "INSERT INTO %s.t VALUES (%d, 0, 'back') ON DUPLICATE KEY UPDATE s = 'dup'",
                     w->db, k);
            break;
        }
        if (test_mysql_exec(sql) != 0)
            w->failures++;
        w->statements++;
    }
    return NULL;
}

/* Inserts into db.ping until the row shows up in the output. */
static bool sync_ping(const char *db, const char *out, bool dir)
{
    for (int i = 1; i <= 200; i++) {
        if (execf("INSERT INTO %s.ping VALUES (%d)", db, i) != 0)
            return false;
        char want[64];
        snprintf(want, sizeof want, "{\"id\":%d}", i);
        int64_t deadline = rt_clock_mono_ms() + 300;
        while (rt_clock_mono_ms() < deadline) {
            size_t len = 0;
            char *all = read_all(out, dir, &len);
            bool seen = strstr(all, want) != NULL;
            free(all);
            if (seen)
                return true;
            rt_sleep_ms(20);
        }
    }
    return false;
}

TEST(initial_mode_under_concurrent_writers_replays_to_the_table)
{
    char db[64];
    make_db("initial", db, sizeof db);
    CHECK_INT_EQ(execf("CREATE TABLE %s.t (id INT PRIMARY KEY, v INT, s VARCHAR(20));"
                       "CREATE TABLE %s.ping (id INT PRIMARY KEY);"
                       "CREATE TABLE %s.m_t LIKE %s.t; CREATE TABLE %s.m_ping LIKE %s.ping",
                       db, db, db, db, db, db),
                 0);
    fill(db, "t", 6000, "(%d, %d, 'row%d')");
    rt_err err = {0};
    CHECK_OK(rt_failpoint_init("mysql_cdc.snapshot_split=delay(40)", &err), &err);
    const char *out = tmp_path("initial.jsonl");
    writer w = {.db = db, .next_id = 100000}; /* sparse: moves the even step of the splits */
    pthread_t th;
    pthread_create(&th, NULL, write_loop, &w);
    rt_sleep_ms(100);
    run r;
    bool ok = run_start(&r, db, "(t|ping)", "\"initial\"", ",\"chunk_size\":200", false, out, NULL,
                        next_server_id++);
    /* 30 splits of 40+ ms each: the writers run through the whole snapshot and after it. */
    rt_sleep_ms(2500);
    w.stop = 1;
    pthread_join(th, NULL);
    if (ok) {
        CHECK(sync_ping(db, out, false)); /* the binlog phase is live: the snapshot is done */
        run_cancel(&r);
    }
    unsigned splits = rt_failpoint_hits("mysql_cdc.snapshot_split");
    rt_failpoint_reset();
    if (!ok)
        return;
    CHECK(w.statements > 50);
    CHECK(w.failures == 0);
    CHECK(splits >= 3);
    CHECK(replay(out, false, db, "id", false) > 6000);
    check_same(db, "t");
}

TEST(restore_mid_snapshot_reads_no_finished_split_again)
{
    char db[64];
    make_db("resume", db, sizeof db);
    CHECK_INT_EQ(execf("CREATE TABLE %s.t (id INT PRIMARY KEY, v VARCHAR(20));"
                       "CREATE TABLE %s.m_t LIKE %s.t",
                       db, db, db),
                 0);
    fill(db, "t", 3000, "(%d, 'v%d')");
    rt_err err = {0};
    CHECK_OK(rt_failpoint_init("mysql_cdc.snapshot_split=delay(60)", &err), &err);
    const char *data = tmp_path("resume-data");
    char out[512];
    snprintf(out, sizeof out, "%s", tmp_path("resume-out"));
    unsigned sid = next_server_id++;
    run r;
    if (!run_start(&r, db, "t", "\"snapshot\"", ",\"chunk_size\":100", true, out, data, sid)) {
        rt_failpoint_reset();
        return;
    }
    /* Committed output appears at checkpoints: cancel after some splits went out. */
    CHECK(wait_lines(out, true, 600, 30000));
    run_cancel(&r);
    unsigned first = rt_failpoint_hits("mysql_cdc.snapshot_split");
    size_t mid = count_lines(out, true);
    CHECK(mid >= 600 && mid < 3000);
    if (!run_start(&r, db, "t", "\"snapshot\"", ",\"chunk_size\":100", true, out, data, sid)) {
        rt_failpoint_reset();
        return;
    }
    CHECK(rt_job_master_restored_checkpoint(r.jm) > 0);
    run_finish(&r);
    unsigned second = rt_failpoint_hits("mysql_cdc.snapshot_split") - first;
    rt_failpoint_reset();
    /* 30 splits in all: the second run read only those not finished in its checkpoint. */
    CHECK(second < 30);
    CHECK(first + second >= 30);
    CHECK(second <= 30 - (unsigned)(mid / 100));
    CHECK_UINT_EQ(count_lines(out, true), 3000);
    CHECK_INT_EQ(replay(out, true, db, "id", true), 3000);
    check_same(db, "t");
}

TEST(restore_mid_snapshot_in_initial_mode_under_writers_replays_to_the_table)
{
    char db[64];
    make_db("resume_initial", db, sizeof db);
    CHECK_INT_EQ(execf("CREATE TABLE %s.t (id INT PRIMARY KEY, v INT, s VARCHAR(20));"
                       "CREATE TABLE %s.ping (id INT PRIMARY KEY);"
                       "CREATE TABLE %s.m_t LIKE %s.t; CREATE TABLE %s.m_ping LIKE %s.ping",
                       db, db, db, db, db, db),
                 0);
    fill(db, "t", 6000, "(%d, %d, 'row%d')");
    rt_err err = {0};
    CHECK_OK(rt_failpoint_init("mysql_cdc.snapshot_split=delay(60)", &err), &err);
    const char *data = tmp_path("resume-initial-data");
    char out[512];
    snprintf(out, sizeof out, "%s", tmp_path("resume-initial-out"));
    unsigned sid = next_server_id++;
    writer w = {.db = db, .next_id = 6001}; /* dense keys: about 31 splits of t in each run */
    pthread_t th;
    pthread_create(&th, NULL, write_loop, &w);
    run r;
    bool ok =
        run_start(&r, db, "(t|ping)", "\"initial\"", ",\"chunk_size\":200", true, out, data, sid);
    unsigned first = 0, second = 0;
    if (ok) {
        /* Cancel mid-snapshot (30 splits of 60+ ms), restart from the checkpoint, writers on. */
        CHECK(wait_lines(out, true, 1400, 30000));
        run_cancel(&r);
        first = rt_failpoint_hits("mysql_cdc.snapshot_split");
        ok = run_start(&r, db, "(t|ping)", "\"initial\"", ",\"chunk_size\":200", true, out, data,
                       sid);
    }
    if (ok) {
        CHECK(rt_job_master_restored_checkpoint(r.jm) > 0);
        rt_sleep_ms(2500);
    }
    w.stop = 1;
    pthread_join(th, NULL);
    second = rt_failpoint_hits("mysql_cdc.snapshot_split") - first;
    rt_failpoint_reset();
    if (!ok)
        return;
    CHECK(sync_ping(db, out, true));
    run_cancel(&r);
    /* 30 to 33 splits of t and 1 of ping (the even step follows InnoDB's row estimate, which the
     * writers move): the restored run read only those its checkpoint had not finished. */
    CHECK(first >= 5 && first < 25);
    CHECK(second >= 5 && second <= 30);
    CHECK(replay(out, true, db, "id", false) > 6000);
    check_same(db, "t");
}

TEST(restore_while_the_binlog_phase_drops_what_splits_hold)
{
    char db[64];
    make_db("filter", db, sizeof db);
    CHECK_INT_EQ(execf("CREATE TABLE %s.t (id INT PRIMARY KEY, v INT, s VARCHAR(20));"
                       "CREATE TABLE %s.ping (id INT PRIMARY KEY);"
                       "CREATE TABLE %s.m_t LIKE %s.t; CREATE TABLE %s.m_ping LIKE %s.ping",
                       db, db, db, db, db, db),
                 0);
    fill(db, "t", 6000, "(%d, %d, 'row%d')");
    /* Slow splits: the writers commit a lot between the smallest and the largest HIGH mark; a
     * slow filter: the binlog phase takes seconds to pass the largest, with checkpoints. Small
     * batches keep each poll short, so checkpoints come between them. */
    rt_err err = {0};
    CHECK_OK(rt_failpoint_init("mysql_cdc.snapshot_split=delay(40),mysql_cdc.split_filter=delay(3)",
                               &err),
             &err);
    job_batch_rows = 4;
    const char *data = tmp_path("filter-data");
    char out[512];
    snprintf(out, sizeof out, "%s", tmp_path("filter-out"));
    unsigned sid = next_server_id++;
    writer w = {.db = db, .next_id = 6001};
    pthread_t th;
    pthread_create(&th, NULL, write_loop, &w);
    run r;
    bool ok =
        run_start(&r, db, "(t|ping)", "\"initial\"", ",\"chunk_size\":200", true, out, data, sid);
    unsigned splits = 0, filtered = 0;
    if (ok) {
        int64_t deadline = rt_clock_mono_ms() + 60000;
        while (rt_failpoint_hits("mysql_cdc.split_filter") < 20 && rt_clock_mono_ms() < deadline)
            rt_sleep_ms(10);
        rt_sleep_ms(500); /* checkpoints of the binlog phase with its splits */
        run_cancel(&r);
        filtered = rt_failpoint_hits("mysql_cdc.split_filter");
        splits = rt_failpoint_hits("mysql_cdc.snapshot_split");
        /* No task runs now: re-arm both to count hits without delays (they fire at a hit
         * that never comes). */
        rt_failpoint_reset();
        CHECK_OK(rt_failpoint_init("mysql_cdc.snapshot_split=delay(1)@100000000,"
                                   "mysql_cdc.split_filter=delay(1)@100000000",
                                   &err),
                 &err);
        job_batch_rows = 0;
        ok = run_start(&r, db, "(t|ping)", "\"initial\"", ",\"chunk_size\":200", true, out, data,
                       sid);
    }
    if (ok) {
        CHECK(rt_job_master_restored_checkpoint(r.jm) > 0);
        rt_sleep_ms(1000);
    }
    w.stop = 1;
    pthread_join(th, NULL);
    if (ok) {
        CHECK(sync_ping(db, out, true));
        run_cancel(&r);
    }
    /* The restored run read no split and went on filtering with the restored splits. */
    CHECK(filtered >= 20);
    CHECK(splits >= 25);
    CHECK_UINT_EQ(rt_failpoint_hits("mysql_cdc.snapshot_split"), 0);
    CHECK(rt_failpoint_hits("mysql_cdc.split_filter") > 0);
    rt_failpoint_reset();
    job_batch_rows = 0;
    if (!ok)
        return;
    CHECK(replay(out, true, db, "id", false) > 6000);
    check_same(db, "t");
}

TEST(a_table_without_primary_key_needs_a_chunk_key_column)
{
    char db[64];
    make_db("nopk", db, sizeof db);
    CHECK_INT_EQ(execf("CREATE TABLE %s.t (a INT NOT NULL, v VARCHAR(20));"
                       "CREATE TABLE %s.m_t LIKE %s.t",
                       db, db, db),
                 0);
    fill(db, "t", 500, "(%d, 'v%d')");
    const char *out = tmp_path("nopk.jsonl");
    run r;
    if (!run_start(&r, db, "t", "\"snapshot\"", "", false, out, NULL, next_server_id++))
        return;
    CHECK_INT_EQ(rt_job_master_wait(r.jm, 30000), RT_JOB_MASTER_FAILED);
    rt_err err = {0};
    CHECK_INT_EQ(rt_job_master_failure(r.jm, &err), 0);
    CHECK_STR_CONTAINS(err.msg, "primary key");
    CHECK_STR_CONTAINS(err.msg, "chunk_key_column");
    run_free(&r);
    char extra[256];
    snprintf(extra, sizeof extra, ",\"chunk_size\":100,\"chunk_key_column\":{\"%s\\\\.t\":\"a\"}",
             db);
    const char *out2 = tmp_path("nopk2.jsonl");
    if (!run_start(&r, db, "t", "\"snapshot\"", extra, false, out2, NULL, next_server_id++))
        return;
    run_finish(&r);
    CHECK_INT_EQ(replay(out2, false, db, "a", true), 500);
    check_same(db, "t");
}

TEST_MAIN()
