/* Parallel snapshot readers of the mysql_cdc source against the MariaDB test server: real jobs
 * (mysql_cdc with parallelism 2 or 3 -> print or file) run by rt_job_master. Every subtask must
 * read splits (per-subtask failpoint hits count them), the changelog replayed into mirror tables
 * must equal the source tables (under concurrent writers on keys at split boundaries, then binlog
 * changes), quiet tables must come out exactly once, a restore mid-snapshot (with another
 * parallelism) must read no finished split again, and a server_id range smaller than the
 * parallelism must fail with a clear message. Also, without a server, the restore planning that
 * turns the out-of-order finished splits of a checkpoint into gap splits and a resume point. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graph/job_graph.h"
#include "operators/mysql/cdc_snapshot.h"
#include "runtime/base/buf.h"
#include "runtime/base/clock.h"
#include "runtime/base/failpoint.h"
#include "runtime/job_master.h"
#include "tests/harness/mariadb.h"
#include "tests/harness/test.h"
#include "tests/integration/cdc/cdc_check.h"
#include "tests/integration/cdc/cdc_run.h"
#include "tests/integration/cdc/cdc_writer.h"

/* mysql_cdc (parallelism p, server_id `server_id`: JSON) over db.<tables regex> -> print (file
 * `out`) or file sink (directory `out`), checkpoints into data_dir when given. */
static bool run_start(cdc_run *r, unsigned p, const char *server_id, const char *db,
                      const char *tables, const char *startup, const char *extra, bool file_sink,
                      const char *out, const char *data_dir)
{
    test_mysql_params tp;
    if (!test_mysql_params_get(&tp))
        return false;
    char json[4096];
    snprintf(json, sizeof json,
             "{\"name\":\"par\",\"checkpoint\":{\"interval\":\"200ms\"},"
             "\"restart\":{\"strategy\":\"none\"},\"operators\":["
             "{\"id\":\"src\",\"type\":\"mysql_cdc\",\"parallelism\":%u,"
             "\"config\":{\"host\":\"%s\",\"port\":%u,"
             "\"user\":\"%s\",\"password_env\":\"SLUICE_MYSQL_PASSWORD\",\"ssl_mode\":"
             "\"disabled\",\"server_id\":%s,\"tables\":[\"%s\\\\.%s\"],"
             "\"heartbeat_interval\":\"1s\",\"startup\":%s%s}},"
             "{\"id\":\"out\",\"type\":\"%s\",\"inputs\":[\"src\"],\"config\":{\"path\":\"%s\"}}"
             "]}",
             p, tp.host, tp.port, tp.user, server_id, db, tables, startup, extra,
             file_sink ? "file" : "print", out);
    return cdc_run_start_json(r, json, data_dir, 0);
}

/* Lines of db.table with op `op`. */
static long count_ops(const char *path, bool dir, const char *db, const char *table, const char *op)
{
    size_t len = 0;
    char *all = cdc_check_read_all(path, dir, &len);
    char want[160];
    snprintf(want, sizeof want, "%s.%s", db, table);
    long n = 0;
    char *save = NULL;
    for (char *line = strtok_r(all, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        json_t *j = json_loads(line, 0, NULL);
        const char *o = json_string_value(json_object_get(j, "op"));
        const char *t = json_string_value(json_object_get(j, "table"));
        n += o && t && strcmp(o, op) == 0 && strcmp(t, want) == 0;
        json_decref(j);
    }
    free(all);
    return n;
}

/* Splits read by subtask i since the failpoints were armed (they must be, see arm()). */
static unsigned reads_of(unsigned i)
{
    char name[64];
    snprintf(name, sizeof name, "mysql_cdc.snapshot_split.%u", i);
    return rt_failpoint_hits(name);
}

/* Arms a delay of every split read (ms), and of subtask 2's (slow2 ms; 0: none), and counters
 * of the per-subtask split reads (a delay at a hit that never comes). */
static void arm(int ms, int slow2)
{
    char spec[1024];
    char two[64] = "delay(1)@100000000";
    if (slow2)
        snprintf(two, sizeof two, "delay(%d)", slow2);
    snprintf(spec, sizeof spec,
             "mysql_cdc.snapshot_split=delay(%d),mysql_cdc.snapshot_split.0=delay(1)@100000000,"
             "mysql_cdc.snapshot_split.1=delay(1)@100000000,mysql_cdc.snapshot_split.2=%s",
             ms, two);
    rt_failpoint_reset();
    rt_err err = {0};
    CHECK_OK(rt_failpoint_init(spec, &err), &err);
}

/* Starts writers on db.t at the split boundaries of chunks of 100 rows (multiples of 100, give
 * or take one) and elsewhere. */
static void writers_start(cdc_writer *w, const char *db, int next_id)
{
    *w = (cdc_writer){.db = db,
                      .next_id = next_id,
                      .seed = 7,
                      .split_rows = 100,
                      .splits = 40,
                      .rows = 4000,
                      .pause_ms = 2};
    cdc_writer_start(w);
}

/* Waits until db.table has at least n lines with op `op` in the output. */
static bool wait_ops(const char *path, const char *db, const char *table, const char *op, long n)
{
    int64_t deadline = rt_clock_mono_ms() + 90000;
    while (count_ops(path, true, db, table, op) < n && rt_clock_mono_ms() < deadline)
        rt_sleep_ms(50);
    return count_ops(path, true, db, table, op) >= n;
}

/* The binlog phase is live and emitted everything committed before: an update of every row of
 * the quiet db.q with x = `x` went out (+U only come from the binlog phase, which emits in
 * commit order). Returns the rows updated. */
static long sync_update_q(const char *out, const char *db, int x)
{
    long before = count_ops(out, true, db, "q", "+U");
    long rows = cdc_check_scalar_long("SELECT COUNT(*) FROM %s.q WHERE x = %d", db, x);
    CHECK(rows > 0);
    CHECK_INT_EQ(cdc_check_exec("UPDATE %s.q SET n = n + 1000 WHERE x = %d", db, x), 0);
    CHECK(wait_ops(out, db, "q", "+U", before + rows));
    return rows;
}

/* t (written during the test), q (quiet, composite key), c (quiet, sparse BIGINT key), ping
 * (empty: one split). */
static void make_tables(const char *db, int t_rows, int q_rows, int c_rows)
{
    CHECK_INT_EQ(
        cdc_check_exec("CREATE TABLE %s.t (id INT PRIMARY KEY, v INT, s VARCHAR(20));"
                       "CREATE TABLE %s.q (x INT, k VARCHAR(10), n INT, PRIMARY KEY (k, x));"
                       "CREATE TABLE %s.c (id BIGINT PRIMARY KEY, b TEXT);"
                       "CREATE TABLE %s.ping (id INT PRIMARY KEY);"
                       "CREATE TABLE %s.m_t LIKE %s.t; CREATE TABLE %s.m_q LIKE %s.q;"
                       "CREATE TABLE %s.m_c LIKE %s.c; CREATE TABLE %s.m_ping LIKE %s.ping",
                       db, db, db, db, db, db, db, db, db, db, db, db),
        0);
    cdc_check_fill(db, "t", t_rows, "(%d, %d, 'row%d')");
    cdc_check_fill(db, "q", q_rows, "(%d %% 7, CONCAT('k', %d), %d)");
    cdc_check_fill(db, "c", c_rows, "(%d * 1000003, REPEAT('c', %d %% 40 + %d %% 3))");
}

/* The mirrors of t, q and c hold the rows of the tables. */
static void check_mirrors(const char *db)
{
    cdc_check_same(db, "t");
    cdc_check_same(db, "q");
    cdc_check_same(db, "c");
}

/* Runs a bounded snapshot of db's t, q and c (three readers with server ids `ids`, splits of 100
 * rows) to its end; reads[i]: the splits subtask i read. Every row must have come out once:
 * `rows` lines in out, INSERTed into the mirrors. Returns false when the job did not start. */
static bool snapshot_tqc(const char *db, const char *ids, bool file_sink, const char *out,
                         const char *data, long rows, unsigned reads[3])
{
    cdc_run r;
    bool ok = run_start(&r, 3, ids, db, "(t|q|c)", "\"snapshot\"", ",\"chunk_size\":100", file_sink,
                        out, data);
    if (ok)
        cdc_run_finish(&r);
    for (unsigned i = 0; i < 3; i++)
        reads[i] = reads_of(i);
    rt_failpoint_reset();
    if (!ok)
        return false;
    CHECK_UINT_EQ(cdc_check_count_lines(out, file_sink), (size_t)rows);
    CHECK_INT_EQ(cdc_check_replay(out, file_sink, db, "id,k,x", true), rows);
    check_mirrors(db);
    return true;
}

/* mysql_cdc in initial mode over db's t, q, c and ping (three readers with server ids `ids`,
 * splits of 100 rows) -> file sink into out, checkpoints into data. */
static bool initial_start_p(cdc_run *r, unsigned p, const char *ids, const char *db,
                            const char *out, const char *data)
{
    return run_start(r, p, ids, db, "(t|q|c|ping)", "\"initial\"", ",\"chunk_size\":100", true,
                     out, data);
}

static bool initial_start(cdc_run *r, const char *ids, const char *db, const char *out,
                          const char *data)
{
    return initial_start_p(r, 3, ids, db, out, data);
}

/* A split of "d.t" over one INT key; lo/hi < 0: open. */
static op_snapshot_split *int_split(uint32_t index, long lo, long hi)
{
    rt_value a = {.type = RT_TYPE_INT, .i = lo}, b = {.type = RT_TYPE_INT, .i = hi};
    op_snapshot_split *s = NULL;
    rt_err err = {0};
    CHECK_OK(
        op_snapshot_split_new("d.t", index, 1, lo < 0 ? NULL : &a, hi < 0 ? NULL : &b, &s, &err),
        &err);
    return s;
}

/* Bounds of s as "lo..hi" with "-" for open, and its index. */
static void check_split(const op_snapshot_split *s, uint32_t index, long lo, long hi)
{
    CHECK_UINT_EQ(op_snapshot_split_index(s), index);
    const rt_value *a = op_snapshot_split_start(s), *b = op_snapshot_split_end(s);
    CHECK(lo < 0 ? a == NULL : a != NULL && a->i == lo);
    CHECK(hi < 0 ? b == NULL : b != NULL && b->i == hi);
}

TEST(restore_planning_reads_the_gaps_between_finished_splits_again)
{
    rt_err err = {0};
    /* Finished out of order by three readers: (-,100] #0, (200,300] #2, (300,400] #3,
     * (500,600] #5. Gaps (100,200] and (400,500] get #6 and #7; splitting resumes after 600
     * numbering from #8. */
    op_snapshot_split *f[4] = {int_split(5, 500, 600), int_split(0, -1, 100),
                               int_split(3, 300, 400), int_split(2, 200, 300)};
    op_cdc_state gaps;
    op_cdc_state_init(&gaps);
    op_snapshot_split *after = NULL;
    CHECK_OK(op_cdc_snapshot_plan_table("d.t", 1, f, 4, &gaps, &after, &err), &err);
    CHECK_UINT_EQ(gaps.split_count, 2);
    if (gaps.split_count == 2) {
        check_split(gaps.splits[0], 6, 100, 200);
        check_split(gaps.splits[1], 7, 400, 500);
    }
    CHECK(after != NULL);
    if (after)
        check_split(after, 7, -1, 600);
    op_snapshot_split_free(after);
    op_cdc_state_fini(&gaps);

    /* The first finished split does not start open: the range before it is a gap; the largest
     * has an open end: nothing more to split (after keeps the open end). */
    op_snapshot_split *g[2] = {int_split(9, 700, -1), int_split(4, 300, 400)};
    op_cdc_state_init(&gaps);
    CHECK_OK(op_cdc_snapshot_plan_table("d.t", 1, g, 2, &gaps, &after, &err), &err);
    CHECK_UINT_EQ(gaps.split_count, 2);
    if (gaps.split_count == 2) {
        check_split(gaps.splits[0], 10, -1, 300);
        check_split(gaps.splits[1], 11, 400, 700);
    }
    CHECK(after != NULL);
    if (after)
        check_split(after, 11, -1, -1);
    op_snapshot_split_free(after);
    op_cdc_state_fini(&gaps);

    /* Overlapping splits cannot come from one snapshot: corrupt state, gaps left alone. */
    op_snapshot_split *h[2] = {int_split(0, -1, 150), int_split(1, 100, 200)};
    op_cdc_state_init(&gaps);
    after = NULL;
    CHECK_INT_EQ(op_cdc_snapshot_plan_table("d.t", 1, h, 2, &gaps, &after, &err), RT_ECORRUPT);
    CHECK_STR_CONTAINS(err.msg, "overlap");
    CHECK_UINT_EQ(gaps.split_count, 0);
    CHECK(after == NULL);
    op_cdc_state_fini(&gaps);
    for (size_t i = 0; i < 4; i++)
        op_snapshot_split_free(f[i]);
    for (size_t i = 0; i < 2; i++) {
        op_snapshot_split_free(g[i]);
        op_snapshot_split_free(h[i]);
    }
}

/* --- tests against the server --- */

TEST(snapshot_mode_spreads_splits_over_every_subtask_without_checkpoints)
{
    char db[64];
    cdc_check_make_db("par", "snap", db, sizeof db);
    make_tables(db, 2000, 2500, 1500);
    arm(5, 0);
    unsigned reads[3];
    if (!snapshot_tqc(db, "\"7800-7802\"", false, cdc_run_tmp_path("snap.jsonl"), NULL,
                      2000 + 2500 + 1500, reads))
        return;
    /* About 60 splits: each subtask read some of them. */
    CHECK(reads[0] > 0);
    CHECK(reads[1] > 0);
    CHECK(reads[2] > 0);
    CHECK(reads[0] + reads[1] + reads[2] >= 55);
}

/* Bounded with checkpoints: subtasks 1 and 2 end first; subtask 0 ends only once checkpoints
 * recorded their splits, and the file sink commits every row exactly once. */
TEST(snapshot_mode_with_checkpoints_finishes_with_every_row_once)
{
    char db[64];
    cdc_check_make_db("par", "snapck", db, sizeof db);
    make_tables(db, 1500, 1200, 800);
    arm(5, 0);
    const char *data = cdc_run_tmp_path("snapck-data");
    char out[512];
    snprintf(out, sizeof out, "%s", cdc_run_tmp_path("snapck-out"));
    unsigned reads[3];
    if (!snapshot_tqc(db, "\"7805-7807\"", true, out, data, 1500 + 1200 + 800, reads))
        return;
    CHECK(reads[0] > 0 && reads[1] > 0 && reads[2] > 0);
}

TEST(initial_mode_with_three_readers_under_writers_replays_to_the_tables)
{
    char db[64];
    cdc_check_make_db("par", "initial", db, sizeof db);
    make_tables(db, 4000, 3000, 2000);
    arm(15, 0);
    const char *data = cdc_run_tmp_path("initial-data");
    char out[512];
    snprintf(out, sizeof out, "%s", cdc_run_tmp_path("initial-out"));
    cdc_writer w;
    writers_start(&w, db, 100000);
    rt_sleep_ms(100);
    cdc_run r;
    bool ok = initial_start(&r, "\"7810-7812\"", db, out, data);
    /* The writers run through the snapshot (about 90 splits) and into the binlog phase. */
    if (ok) {
        CHECK(wait_ops(out, db, "q", "+I", 3000));
        CHECK(wait_ops(out, db, "c", "+I", 2000));
        sync_update_q(out, db, 2);
    }
    cdc_writer_stop(&w);
    unsigned r0 = reads_of(0), r1 = reads_of(1), r2 = reads_of(2);
    if (ok) {
        /* Binlog changes after the snapshot, on every table. */
        CHECK_INT_EQ(
            cdc_check_exec("DELETE FROM %s.c WHERE id %% 7 = 0; INSERT INTO %s.c VALUES (1, 'one');"
                           "UPDATE %s.t SET s = 'late' WHERE id %% 50 = 0;"
                           "DELETE FROM %s.t WHERE id BETWEEN 1000 AND 1100",
                           db, db, db, db),
            0);
        sync_update_q(out, db, 3);
        cdc_run_cancel(&r);
        /* The quiet tables came out of the snapshot exactly once. */
        CHECK_INT_EQ(count_ops(out, true, db, "q", "+I"), 3000);
        CHECK_INT_EQ(count_ops(out, true, db, "c", "+I"), 2001);
    }
    rt_failpoint_reset();
    if (!ok)
        return;
    CHECK(w.statements > 50);
    CHECK_INT_EQ(w.failures, 0);
    CHECK(r0 > 0);
    CHECK(r1 > 0);
    CHECK(r2 > 0);
    CHECK(cdc_check_replay(out, true, db, "id,k,x", false) > 9000);
    check_mirrors(db);
}

/* Three readers, cancelled mid-snapshot, restored with two (mysql_cdc's state is rescalable:
 * subtask 0 gathers what all three checkpointed, op_cdc_snapshot_gather). */
TEST(restore_mid_snapshot_reads_no_finished_split_again)
{
    char db[64];
    cdc_check_make_db("par", "resume", db, sizeof db);
    make_tables(db, 3000, 4000, 1000);
    /* Subtask 2 is slow: the others run ahead of it and the checkpoint holds splits that are
     * not contiguous, with gaps the restore must read again. */
    arm(30, 250);
    const char *data = cdc_run_tmp_path("resume-data");
    char out[512];
    snprintf(out, sizeof out, "%s", cdc_run_tmp_path("resume-out"));
    cdc_writer w;
    writers_start(&w, db, 100000);
    cdc_run r;
    bool ok = initial_start(&r, "\"7820-7822\"", db, out, data);
    unsigned first = 0, first2 = 0;
    long q_mid = 0;
    if (ok) {
        CHECK(cdc_check_wait_lines(out, true, 2000, 60000));
        cdc_run_cancel(&r);
        first = reads_of(0) + reads_of(1) + reads_of(2);
        first2 = reads_of(2);
        q_mid = count_ops(out, true, db, "q", "+I");
        arm(10, 0);
        ok = initial_start_p(&r, 2, "\"7820-7821\"", db, out, data);
    }
    if (ok) {
        CHECK(rt_job_master_restored_checkpoint(r.jm) > 0);
        CHECK(wait_ops(out, db, "q", "+I", 4000));
        CHECK(wait_ops(out, db, "c", "+I", 1000));
        rt_sleep_ms(300);
    }
    cdc_writer_stop(&w);
    unsigned s0 = reads_of(0), s1 = reads_of(1), s2 = reads_of(2);
    if (ok) {
        sync_update_q(out, db, 5);
        cdc_run_cancel(&r);
    }
    rt_failpoint_reset();
    if (!ok)
        return;
    CHECK(first > 0 && first2 > 0);
    /* Both subtasks of the restored run read splits too; there is no third any more. */
    CHECK(s0 > 0);
    CHECK(s1 > 0);
    CHECK_UINT_EQ(s2, 0);
    /* q has 40 splits of 100 rows, t about 30, c 10, ping 1: the restored run read no split
     * whose rows its checkpoint already held (every committed q row is one finished split's). */
    CHECK(q_mid >= 100);
    CHECK(s0 + s1 <= 90 - (unsigned)(q_mid / 100));
    /* Exactly once: the quiet table's rows came once over both runs, none lost. */
    CHECK_INT_EQ(count_ops(out, true, db, "q", "+I"), 4000);
    CHECK_INT_EQ(count_ops(out, true, db, "c", "+I"), 1000);
    CHECK(cdc_check_replay(out, true, db, "id,k,x", false) > 8000);
    check_mirrors(db);
}

TEST(a_server_id_range_smaller_than_the_parallelism_fails_clearly)
{
    char db[64];
    cdc_check_make_db("par", "ids", db, sizeof db);
    make_tables(db, 10, 10, 10);
    const char *ids[] = {"\"7830-7831\"", "7830"};
    for (size_t i = 0; i < 2; i++) {
        cdc_run r;
        if (!run_start(&r, 3, ids[i], db, "(t|q)", "\"initial\"", "", false,
                       cdc_run_tmp_path("ids.jsonl"), NULL))
            return;
        CHECK_INT_EQ(rt_job_master_wait(r.jm, 30000), RT_JOB_MASTER_FAILED);
        rt_err err = {0};
        CHECK_INT_EQ(rt_job_master_failure(r.jm, &err), 0);
        CHECK_STR_CONTAINS(err.msg, "server_id");
        CHECK_STR_CONTAINS(err.msg, "parallelism 3");
        CHECK_STR_CONTAINS(err.msg, "\"7830-7832\"");
        cdc_run_free(&r);
    }
    /* Three ids for three readers is enough. */
    cdc_run r;
    const char *out = cdc_run_tmp_path("ids-ok.jsonl");
    if (!run_start(&r, 3, "\"7830-7832\"", db, "(t|q)", "\"snapshot\"", "", false, out, NULL))
        return;
    cdc_run_finish(&r);
    CHECK_UINT_EQ(cdc_check_count_lines(out, false), 20);
}

TEST_MAIN()
