/* The mysql_cdc source's snapshot phase and bounded runs against the MariaDB test server: real
 * jobs (mysql_cdc -> print or file) run by rt_job_master. The emitted changelog is replayed into
 * mirror tables on the server (+I/+U upsert, -D delete by key; INSERT only where every row must
 * come once) and compared with the source tables by EXCEPT both ways. Covers "stop":
 * "latest-offset", startup "snapshot" over several splits and tables (one composite key), startup
 * "initial" under concurrent writers, a restore mid-snapshot that reads no finished split again,
 * and tables without a primary key. */
#include <jansson.h>
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
#include "runtime/metrics.h"
#include "tests/harness/mariadb.h"
#include "tests/harness/test.h"
#include "tests/integration/cdc/cdc_check.h"
#include "tests/integration/cdc/cdc_run.h"
#include "tests/integration/cdc/cdc_writer.h"

static unsigned next_server_id = 7300;
static unsigned src_parallelism; /* of the mysql_cdc vertex; 0: 1 */
static size_t job_batch_rows;    /* rows per batch of the jobs started; 0: the default */

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

/* --- tests --- */

TEST(stop_latest_offset_finishes_after_what_was_committed)
{
    char db[64];
    cdc_check_make_db("snap", "stop", db, sizeof db);
    CHECK_INT_EQ(cdc_check_exec("CREATE TABLE %s.t (id INT PRIMARY KEY, v VARCHAR(20));"
                                "CREATE TABLE %s.m_t LIKE %s.t",
                                db, db, db),
                 0);
    char startup[512];
    if (!cdc_run_startup_here(startup, sizeof startup))
        return;
    cdc_check_fill(db, "t", 300, "(%d, 'v%d')");
    CHECK_INT_EQ(
        cdc_check_exec("UPDATE %s.t SET v = 'x' WHERE id <= 10; DELETE FROM %s.t WHERE id > 290",
                       db, db),
        0);
    const char *out = cdc_run_tmp_path("stop.jsonl");
    run r;
    if (!run_start(&r, db, "t", startup, ",\"stop\":\"latest-offset\"", false, out, NULL,
                   next_server_id++))
        return;
    cdc_run_finish(&r);
    /* 300 inserts, 10 updates (-U, +U), 10 deletes, and nothing else. */
    CHECK_UINT_EQ(cdc_check_count_lines(out, false), 300 + 20 + 10);
    CHECK(cdc_check_replay(out, false, db, "id", false) > 0);
    cdc_check_same(db, "t");
}


/* The snapshot metrics of one table, summed over the subtasks. */
typedef struct snapshot_sums {
    char table[128];
    int64_t rows, done, total, read;
} snapshot_sums;

static int sum_snapshot(const rt_metric_sample *m, void *arg)
{
    snapshot_sums *s = arg;
    if (!m->label_value || strcmp(m->label_value, s->table) != 0)
        return 0;
    if (strcmp(m->name, "sluice_mysql_cdc_snapshot_rows_total") == 0)
        s->rows += (int64_t)m->count;
    else if (strcmp(m->name, "sluice_mysql_cdc_snapshot_splits_done") == 0)
        s->done += m->gauge;
    else if (strcmp(m->name, "sluice_mysql_cdc_snapshot_splits_total") == 0)
        s->total += m->gauge;
    else if (strcmp(m->name, "sluice_mysql_cdc_snapshot_splits_read_total") == 0)
        s->read += (int64_t)m->count;
    return 0;
}

TEST(snapshot_mode_reads_every_row_once_and_finishes)
{
    char db[64];
    cdc_check_make_db("snap", "snap", db, sizeof db);
    /* a: a dense integer key (even steps); b: a composite key in another order than its columns
     * (LIMIT boundaries); c: a sparse BIGINT key (LIMIT boundaries). */
    CHECK_INT_EQ(
        cdc_check_exec("CREATE TABLE %s.a (id INT PRIMARY KEY, v VARCHAR(20), d DECIMAL(10,2));"
                       "CREATE TABLE %s.b (x INT, k VARCHAR(10), n INT, PRIMARY KEY (k, x));"
                       "CREATE TABLE %s.c (id BIGINT PRIMARY KEY, t TEXT);"
                       "CREATE TABLE %s.m_a LIKE %s.a; CREATE TABLE %s.m_b LIKE %s.b;"
                       "CREATE TABLE %s.m_c LIKE %s.c",
                       db, db, db, db, db, db, db, db, db),
        0);
    cdc_check_fill(db, "a", 3000, "(%d, 'a%d', %d.25)");
    cdc_check_fill(db, "b", 2500, "(%d %% 7, CONCAT('k', %d), %d)");
    cdc_check_fill(db, "c", 2000, "(%d * 1000003, REPEAT('c', %d %% 50 + %d %% 3))");
    const char *out = cdc_run_tmp_path("snap.jsonl");
    run r;
    src_parallelism = 2; /* both read splits; subtask 1 ends with subtask 0 */
    bool ok = run_start(&r, db, "[abc]", "\"snapshot\"", ",\"chunk_size\":250", false, out, NULL,
                        next_server_id++);
    src_parallelism = 0;
    if (!ok)
        return;
    rt_job_master_wait(r.jm, 120000);
    /* Progress as the console shows it: per table, splits done (summed over the subtasks) reach
     * the total, and the rows are the table's. */
    static const char *const tables[] = {"a", "b", "c"};
    static const int64_t rows[] = {3000, 2500, 2000};
    for (int i = 0; i < 3; i++) {
        snapshot_sums sum = {0};
        snprintf(sum.table, sizeof sum.table, "%s.%s", db, tables[i]);
        rt_metrics_visit(rt_job_master_metrics(r.jm), sum_snapshot, &sum);
        CHECK_INT_EQ(sum.rows, rows[i]);
        CHECK(sum.total > 0);
        CHECK_INT_EQ(sum.done, sum.total);
        CHECK_INT_EQ(sum.read, sum.total);
    }
    cdc_run_finish(&r);
    CHECK_UINT_EQ(cdc_check_count_lines(out, false), 3000 + 2500 + 2000);
    CHECK_INT_EQ(cdc_check_replay(out, false, db, "id,k,x", true), 7500);
    cdc_check_same(db, "a");
    cdc_check_same(db, "b");
    cdc_check_same(db, "c");
}

/* Starts writers on db.t at the split boundaries of chunks of 200 rows (multiples of 200, give
 * or take one) and elsewhere. */
static void writers_start(cdc_writer *w, const char *db, int next_id)
{
    *w = (cdc_writer){
        .db = db, .next_id = next_id, .seed = 42, .split_rows = 200, .splits = 30, .rows = 3000};
    cdc_writer_start(w);
}

/* Inserts into db.ping until the row shows up in the output. */
static bool sync_ping(const char *db, const char *out, bool dir)
{
    for (int i = 1; i <= 200; i++) {
        if (cdc_check_exec("INSERT INTO %s.ping VALUES (%d)", db, i) != 0)
            return false;
        char want[64];
        snprintf(want, sizeof want, "{\"id\":%d}", i);
        int64_t deadline = rt_clock_mono_ms() + 300;
        while (rt_clock_mono_ms() < deadline) {
            size_t len = 0;
            char *all = cdc_check_read_all(out, dir, &len);
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
    cdc_check_make_db("snap", "initial", db, sizeof db);
    CHECK_INT_EQ(
        cdc_check_exec("CREATE TABLE %s.t (id INT PRIMARY KEY, v INT, s VARCHAR(20));"
                       "CREATE TABLE %s.ping (id INT PRIMARY KEY);"
                       "CREATE TABLE %s.m_t LIKE %s.t; CREATE TABLE %s.m_ping LIKE %s.ping",
                       db, db, db, db, db, db),
        0);
    cdc_check_fill(db, "t", 6000, "(%d, %d, 'row%d')");
    rt_err err = {0};
    CHECK_OK(rt_failpoint_init("mysql_cdc.snapshot_split=delay(40)", &err), &err);
    const char *out = cdc_run_tmp_path("initial.jsonl");
    cdc_writer w;
    writers_start(&w, db, 100000); /* sparse: moves the even step of the splits */
    rt_sleep_ms(100);
    run r;
    bool ok = run_start(&r, db, "(t|ping)", "\"initial\"", ",\"chunk_size\":200", false, out, NULL,
                        next_server_id++);
    /* 30 splits of 40+ ms each: the writers run through the whole snapshot and after it. */
    rt_sleep_ms(2500);
    cdc_writer_stop(&w);
    if (ok) {
        CHECK(sync_ping(db, out, false)); /* the binlog phase is live: the snapshot is done */
        cdc_run_cancel(&r);
    }
    unsigned splits = rt_failpoint_hits("mysql_cdc.snapshot_split");
    rt_failpoint_reset();
    if (!ok)
        return;
    CHECK(w.statements > 50);
    CHECK(w.failures == 0);
    CHECK(splits >= 3);
    CHECK(cdc_check_replay(out, false, db, "id", false) > 6000);
    cdc_check_same(db, "t");
}

TEST(restore_mid_snapshot_reads_no_finished_split_again)
{
    char db[64];
    cdc_check_make_db("snap", "resume", db, sizeof db);
    CHECK_INT_EQ(cdc_check_exec("CREATE TABLE %s.t (id INT PRIMARY KEY, v VARCHAR(20));"
                                "CREATE TABLE %s.m_t LIKE %s.t",
                                db, db, db),
                 0);
    cdc_check_fill(db, "t", 3000, "(%d, 'v%d')");
    rt_err err = {0};
    CHECK_OK(rt_failpoint_init("mysql_cdc.snapshot_split=delay(60)", &err), &err);
    const char *data = cdc_run_tmp_path("resume-data");
    char out[512];
    snprintf(out, sizeof out, "%s", cdc_run_tmp_path("resume-out"));
    unsigned sid = next_server_id++;
    run r;
    if (!run_start(&r, db, "t", "\"snapshot\"", ",\"chunk_size\":100", true, out, data, sid)) {
        rt_failpoint_reset();
        return;
    }
    /* Committed output appears at checkpoints: cancel after some splits went out. */
    CHECK(cdc_check_wait_lines(out, true, 600, 30000));
    cdc_run_cancel(&r);
    unsigned first = rt_failpoint_hits("mysql_cdc.snapshot_split");
    size_t mid = cdc_check_count_lines(out, true);
    CHECK(mid >= 600 && mid < 3000);
    if (!run_start(&r, db, "t", "\"snapshot\"", ",\"chunk_size\":100", true, out, data, sid)) {
        rt_failpoint_reset();
        return;
    }
    CHECK(rt_job_master_restored_checkpoint(r.jm) > 0);
    cdc_run_finish(&r);
    unsigned second = rt_failpoint_hits("mysql_cdc.snapshot_split") - first;
    rt_failpoint_reset();
    /* 30 splits in all: the second run read only those not finished in its checkpoint. */
    CHECK(second < 30);
    CHECK(first + second >= 30);
    CHECK(second <= 30 - (unsigned)(mid / 100));
    CHECK_UINT_EQ(cdc_check_count_lines(out, true), 3000);
    CHECK_INT_EQ(cdc_check_replay(out, true, db, "id", true), 3000);
    cdc_check_same(db, "t");
}

TEST(restore_mid_snapshot_in_initial_mode_under_writers_replays_to_the_table)
{
    char db[64];
    cdc_check_make_db("snap", "resume_initial", db, sizeof db);
    CHECK_INT_EQ(
        cdc_check_exec("CREATE TABLE %s.t (id INT PRIMARY KEY, v INT, s VARCHAR(20));"
                       "CREATE TABLE %s.ping (id INT PRIMARY KEY);"
                       "CREATE TABLE %s.m_t LIKE %s.t; CREATE TABLE %s.m_ping LIKE %s.ping",
                       db, db, db, db, db, db),
        0);
    cdc_check_fill(db, "t", 6000, "(%d, %d, 'row%d')");
    rt_err err = {0};
    CHECK_OK(rt_failpoint_init("mysql_cdc.snapshot_split=delay(60)", &err), &err);
    const char *data = cdc_run_tmp_path("resume-initial-data");
    char out[512];
    snprintf(out, sizeof out, "%s", cdc_run_tmp_path("resume-initial-out"));
    unsigned sid = next_server_id++;
    cdc_writer w;
    writers_start(&w, db, 6001); /* dense keys: about 31 splits of t in each run */
    run r;
    bool ok =
        run_start(&r, db, "(t|ping)", "\"initial\"", ",\"chunk_size\":200", true, out, data, sid);
    unsigned first = 0, second = 0;
    if (ok) {
        /* Cancel mid-snapshot (30 splits of 60+ ms), restart from the checkpoint, writers on. */
        CHECK(cdc_check_wait_lines(out, true, 1400, 30000));
        cdc_run_cancel(&r);
        first = rt_failpoint_hits("mysql_cdc.snapshot_split");
        ok = run_start(&r, db, "(t|ping)", "\"initial\"", ",\"chunk_size\":200", true, out, data,
                       sid);
    }
    if (ok) {
        CHECK(rt_job_master_restored_checkpoint(r.jm) > 0);
        rt_sleep_ms(2500);
    }
    cdc_writer_stop(&w);
    second = rt_failpoint_hits("mysql_cdc.snapshot_split") - first;
    rt_failpoint_reset();
    if (!ok)
        return;
    CHECK(sync_ping(db, out, true));
    cdc_run_cancel(&r);
    /* 30 to 33 splits of t and 1 of ping (the even step follows InnoDB's row estimate, which the
     * writers move): the restored run read only those its checkpoint had not finished. */
    CHECK(first >= 5 && first < 25);
    CHECK(second >= 5 && second <= 30);
    CHECK(cdc_check_replay(out, true, db, "id", false) > 6000);
    cdc_check_same(db, "t");
}

TEST(restore_while_the_binlog_phase_drops_what_splits_hold)
{
    char db[64];
    cdc_check_make_db("snap", "filter", db, sizeof db);
    CHECK_INT_EQ(
        cdc_check_exec("CREATE TABLE %s.t (id INT PRIMARY KEY, v INT, s VARCHAR(20));"
                       "CREATE TABLE %s.ping (id INT PRIMARY KEY);"
                       "CREATE TABLE %s.m_t LIKE %s.t; CREATE TABLE %s.m_ping LIKE %s.ping",
                       db, db, db, db, db, db),
        0);
    cdc_check_fill(db, "t", 6000, "(%d, %d, 'row%d')");
    /* Slow splits: the writers commit a lot between the smallest and the largest HIGH mark; a
     * slow filter: the binlog phase takes seconds to pass the largest, with checkpoints. Small
     * batches keep each poll short, so checkpoints come between them. */
    rt_err err = {0};
    CHECK_OK(rt_failpoint_init("mysql_cdc.snapshot_split=delay(40),mysql_cdc.split_filter=delay(3)",
                               &err),
             &err);
    job_batch_rows = 4;
    const char *data = cdc_run_tmp_path("filter-data");
    char out[512];
    snprintf(out, sizeof out, "%s", cdc_run_tmp_path("filter-out"));
    unsigned sid = next_server_id++;
    cdc_writer w;
    writers_start(&w, db, 6001);
    run r;
    bool ok =
        run_start(&r, db, "(t|ping)", "\"initial\"", ",\"chunk_size\":200", true, out, data, sid);
    unsigned splits = 0, filtered = 0;
    if (ok) {
        int64_t deadline = rt_clock_mono_ms() + 60000;
        while (rt_failpoint_hits("mysql_cdc.split_filter") < 20 && rt_clock_mono_ms() < deadline)
            rt_sleep_ms(10);
        rt_sleep_ms(500); /* checkpoints of the binlog phase with its splits */
        cdc_run_cancel(&r);
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
    cdc_writer_stop(&w);
    if (ok) {
        CHECK(sync_ping(db, out, true));
        cdc_run_cancel(&r);
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
    CHECK(cdc_check_replay(out, true, db, "id", false) > 6000);
    cdc_check_same(db, "t");
}

TEST(a_table_without_primary_key_needs_a_chunk_key_column)
{
    char db[64];
    cdc_check_make_db("snap", "nopk", db, sizeof db);
    CHECK_INT_EQ(cdc_check_exec("CREATE TABLE %s.t (a INT NOT NULL, v VARCHAR(20));"
                                "CREATE TABLE %s.m_t LIKE %s.t",
                                db, db, db),
                 0);
    cdc_check_fill(db, "t", 500, "(%d, 'v%d')");
    const char *out = cdc_run_tmp_path("nopk.jsonl");
    run r;
    if (!run_start(&r, db, "t", "\"snapshot\"", "", false, out, NULL, next_server_id++))
        return;
    CHECK_INT_EQ(rt_job_master_wait(r.jm, 30000), RT_JOB_MASTER_FAILED);
    rt_err err = {0};
    CHECK_INT_EQ(rt_job_master_failure(r.jm, &err), 0);
    CHECK_STR_CONTAINS(err.msg, "primary key");
    CHECK_STR_CONTAINS(err.msg, "chunk_key_column");
    cdc_run_free(&r);
    char extra[256];
    snprintf(extra, sizeof extra, ",\"chunk_size\":100,\"chunk_key_column\":{\"%s\\\\.t\":\"a\"}",
             db);
    const char *out2 = cdc_run_tmp_path("nopk2.jsonl");
    if (!run_start(&r, db, "t", "\"snapshot\"", extra, false, out2, NULL, next_server_id++))
        return;
    cdc_run_finish(&r);
    CHECK_INT_EQ(cdc_check_replay(out2, false, db, "a", true), 500);
    cdc_check_same(db, "t");
}

TEST_MAIN()
