/* Tests of checkpoints in running jobs: a counting source whose state is its next row number,
 * a collecting sink that records the checkpoint calls it gets, a real state backend in a
 * temporary directory. Periodic checkpoints, restore, end of input with the final checkpoint,
 * timeouts, declines, failpoints, restore checks and stop-with-savepoint. */
#include "runtime/job.h"

#include <stdlib.h>

#include "graph/codec.h"
#include "graph/plan.h"
#include "runtime/base/clock.h"
#include "runtime/base/failpoint.h"
#include "runtime/base/log.h"
#include "state/backend.h"
#include "tests/harness/test.h"
#include "tests/unit/runtime/test_ops.h"

typedef struct fixture {
    graph_job *graph;
    graph_plan *plan;
    rt_job *job;
} fixture;

/* The backend of one test: dir under the test's temporary directory. */
static st_backend *open_state(const char *name)
{
    char dir[512];
    rt_err err, *errp = &err;
    st_backend *b = NULL;
    snprintf(dir, sizeof dir, "%s/%s", test_tmpdir(), name);
    CHECK_OK(st_backend_open(dir, &b, &err), errp);
    return b;
}

static bool parse(fixture *f, const char *json)
{
    rt_err err;
    if (graph_codec_parse(json, strlen(json), &test_ops_catalog, &f->graph, &err) != 0) {
        test_fail(__FILE__, __LINE__, "parse: %s", err.msg);
        return false;
    }
    if (graph_plan_build(f->graph, &f->plan, &err) != 0) {
        test_fail(__FILE__, __LINE__, "plan: %s", err.msg);
        return false;
    }
    return true;
}

/* Builds and starts the job (ops' stats cleared first). */
static bool setup(fixture *f, const char *json, st_backend *state, uint64_t restore)
{
    rt_err err, *errp = &err;
    memset(f, 0, sizeof *f);
    test_ops_reset();
    if (!state || !parse(f, json))
        return false;
    rt_job_options opts = {.channel_capacity = 4, .state = state, .restore_checkpoint = restore};
    if (rt_job_new(f->graph, f->plan, test_ops_lookup, &opts, &f->job, &err) != 0) {
        test_fail(__FILE__, __LINE__, "rt_job_new: %s", err.msg);
        return false;
    }
    CHECK_OK(rt_job_start(f->job, &err), errp);
    return true;
}

static void teardown(fixture *f)
{
    rt_job_free(f->job);
    graph_plan_free(f->plan);
    graph_job_free(f->graph);
}

/* Copies the job's checkpoint history: how many, into h (up to 64). */
static size_t history(fixture *f, rt_checkpoint_stats *h)
{
    return rt_job_checkpoint_history(f->job, h, 64);
}

static size_t completed_count(fixture *f)
{
    rt_checkpoint_stats h[64];
    size_t n = history(f, h), done = 0;
    for (size_t i = 0; i < n; i++)
        done += h[i].status == RT_CHECKPOINT_COMPLETED;
    return done;
}

/* Waits up to 20 s for `count` completed checkpoints. */
static bool wait_completed(fixture *f, size_t count)
{
    for (int i = 0; i < 2000; i++) {
        if (completed_count(f) >= count)
            return true;
        if (rt_job_status_is_terminal(rt_job_status_get(f->job)))
            break;
        rt_sleep_ms(10);
    }
    test_fail(__FILE__, __LINE__, "%zu checkpoints did not complete (%zu did)", count,
              completed_count(f));
    return false;
}

static uint64_t latest(st_backend *state)
{
    uint64_t id = 0;
    if (st_backend_latest(state, &id, NULL) != 0)
        return 0;
    return id;
}

static int64_t saved_next(st_backend *state, uint64_t id, uint32_t subtask)
{
    char *val = NULL;
    size_t len;
    rt_err err, *errp = &err;
    CHECK_OK(st_backend_get(state, id, "src", subtask, "next", &val, &len, &err), errp);
    int64_t n = val ? strtoll(val, NULL, 10) : -1;
    free(val);
    return n;
}

/* A source of 2 subtasks into a sink of 1, checkpoints every 50 ms. */
static const char *counting_job(char *buf, size_t size, const char *name, int64_t rows,
                                int64_t sleep_us, const char *sink_cfg, const char *ckpt)
{
    snprintf(buf, size,
             "{\"name\":\"%s\",\"checkpoint\":%s,\"operators\":["
             "{\"id\":\"src\",\"type\":\"test_source\",\"parallelism\":2,"
             "\"config\":{\"rows\":%lld,\"unbounded\":%s,\"batch\":100,\"sleep_us\":%lld}},"
             "{\"id\":\"out\",\"type\":\"test_sink\",\"parallelism\":1,\"config\":%s,"
             "\"inputs\":[{\"from\":\"src\",\"distribution\":\"rebalance\"}]}]}",
             name, ckpt, (long long)(rows ? rows : 1000), rows ? "false" : "true",
             (long long)sleep_us, sink_cfg);
    return buf;
}

#define EVERY_50MS "{\"interval\":\"50ms\",\"timeout\":\"20s\"}"

TEST(periodic_checkpoints_complete_in_order)
{
    st_backend *state = open_state("periodic");
    fixture f;
    char json[1024];
    if (!setup(&f, counting_job(json, sizeof json, "periodic", 0, 1000, "{}", EVERY_50MS), state,
               0)) {
        teardown(&f);
        st_backend_close(state);
        return;
    }
    wait_completed(&f, 3);
    rt_job_cancel(f.job);
    CHECK_INT_EQ(rt_job_wait(f.job, 20000), RT_JOB_CANCELED);
    rt_checkpoint_stats h[64];
    size_t n = history(&f, h);
    uint64_t last_done = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            CHECK(h[i].id > h[i - 1].id);
        CHECK(h[i].status != RT_CHECKPOINT_IN_PROGRESS); /* the end settled every one */
        if (h[i].status != RT_CHECKPOINT_COMPLETED)
            continue;
        last_done = h[i].id;
        CHECK(h[i].state_size > 0);
        CHECK(h[i].duration_ms >= 0);
        /* Every subtask snapshotted it; the sink prepared it before it heard it completed. */
        CHECK(test_ops_ckpt_find(TEST_CKPT_SNAPSHOT, "src", 0, h[i].id) >= 0);
        CHECK(test_ops_ckpt_find(TEST_CKPT_SNAPSHOT, "src", 1, h[i].id) >= 0);
        long prepared = test_ops_ckpt_find(TEST_CKPT_PREPARE, "out", 0, h[i].id);
        long snapshot = test_ops_ckpt_find(TEST_CKPT_SNAPSHOT, "out", 0, h[i].id);
        long complete = test_ops_ckpt_find(TEST_CKPT_COMPLETE, "out", 0, h[i].id);
        CHECK(prepared >= 0);
        CHECK(prepared < snapshot);
        /* The last one may have completed while the job was being canceled. */
        if (complete >= 0)
            CHECK(snapshot < complete);
    }
    CHECK(last_done > 0);
    CHECK_UINT_EQ(latest(state), last_done);
    CHECK_INT_EQ(atomic_load(&test_ops_stats_now.opens), atomic_load(&test_ops_stats_now.closes));
    teardown(&f);
    st_backend_close(state);
}

TEST(restore_resumes_the_source_where_it_was)
{
    st_backend *state = open_state("restore");
    fixture f;
    char json[1024];
    const int64_t rows = 60000;
    if (!setup(&f, counting_job(json, sizeof json, "restore", rows, 2000, "{}", EVERY_50MS), state,
               0)) {
        teardown(&f);
        st_backend_close(state);
        return;
    }
    wait_completed(&f, 2);
    rt_job_cancel(f.job);
    CHECK_INT_EQ(rt_job_wait(f.job, 20000), RT_JOB_CANCELED);
    teardown(&f);

    uint64_t id = latest(state);
    CHECK(id > 0);
    int64_t next0 = saved_next(state, id, 0), next1 = saved_next(state, id, 1);
    CHECK(next0 > 0 && next0 <= rows);
    CHECK(next1 > 0 && next1 <= rows);

    /* The same job, unthrottled, from the latest checkpoint: it resumes there and runs to its
     * end (the final checkpoint included). */
    counting_job(json, sizeof json, "restore", rows, 0, "{}", EVERY_50MS);
    rt_err err, *errp = &err;
    if (!parse(&f, json)) {
        teardown(&f);
        st_backend_close(state);
        return;
    }
    CHECK_OK(rt_job_check_restore(f.graph, NULL, state, id, &err), errp);
    graph_plan_free(f.plan);
    graph_job_free(f.graph);
    if (!setup(&f, json, state, id)) {
        teardown(&f);
        st_backend_close(state);
        return;
    }
    CHECK_INT_EQ(rt_job_wait(f.job, 60000), RT_JOB_FINISHED);
    CHECK_UINT_EQ(atomic_load(&test_ops_stats_now.restored), id);
    CHECK_INT_EQ(atomic_load(&test_ops_stats_now.source_start[0]), next0);
    CHECK_INT_EQ(atomic_load(&test_ops_stats_now.source_start[1]), next1);
    /* Exactly the rows after the saved positions. */
    size_t n = test_ops_row_count(), per[2] = {0};
    int64_t min[2] = {INT64_MAX, INT64_MAX};
    for (size_t i = 0; i < n; i++) {
        const test_row *r = &test_ops_rows()[i];
        int64_t row = r->id % 1000000000;
        int s = (int)(r->id / 1000000000);
        if (s < 0 || s > 1)
            continue;
        per[s]++;
        min[s] = row < min[s] ? row : min[s];
    }
    CHECK_UINT_EQ(per[0], (uint64_t)(rows - next0));
    CHECK_UINT_EQ(per[1], (uint64_t)(rows - next1));
    if (next0 < rows)
        CHECK_INT_EQ(min[0], next0);
    if (next1 < rows)
        CHECK_INT_EQ(min[1], next1);
    CHECK(latest(state) > id);
    teardown(&f);
    st_backend_close(state);
}

/* Two sources of different lengths into one sink through a map chained to the bigger one: one
 * input of the sink ends while checkpoints still go on (an ended input counts as aligned). */
static const char *two_sources_job(char *buf, size_t size, const char *ckpt)
{
    snprintf(buf, size,
             "{\"name\":\"ends\",\"checkpoint\":%s,\"operators\":["
             "{\"id\":\"a\",\"type\":\"test_source\",\"parallelism\":1,"
             "\"config\":{\"rows\":2000,\"batch\":100,\"sleep_us\":500}},"
             "{\"id\":\"src\",\"type\":\"test_source\",\"parallelism\":2,"
             "\"config\":{\"rows\":8000,\"batch\":100,\"sleep_us\":3000}},"
             "{\"id\":\"map\",\"type\":\"test_map\",\"parallelism\":2,"
             "\"inputs\":[{\"from\":\"src\",\"distribution\":\"forward\"}]},"
             "{\"id\":\"out\",\"type\":\"test_sink\",\"parallelism\":1,\"inputs\":["
             "{\"from\":\"a\",\"distribution\":\"rebalance\"},"
             "{\"from\":\"map\",\"distribution\":\"rebalance\"}]}]}",
             ckpt);
    return buf;
}

TEST(end_of_input_finishes_after_a_final_checkpoint)
{
    const char *ckpts[] = {EVERY_50MS, "{}"};
    for (int k = 0; k < 2; k++) {
        char name[32];
        snprintf(name, sizeof name, "ends-%d", k);
        st_backend *state = open_state(name);
        fixture f;
        char json[2048];
        if (!setup(&f, two_sources_job(json, sizeof json, ckpts[k]), state, 0)) {
            teardown(&f);
            st_backend_close(state);
            continue;
        }
        CHECK_INT_EQ(rt_job_wait(f.job, 60000), RT_JOB_FINISHED);
        rt_checkpoint_stats h[64];
        size_t n = history(&f, h);
        CHECK(n >= 1);
        if (k == 1)
            CHECK_UINT_EQ(n, 1); /* no interval: the final checkpoint only */
        uint64_t final = n ? h[n - 1].id : 0;
        CHECK(n && h[n - 1].status == RT_CHECKPOINT_COMPLETED);
        CHECK_UINT_EQ(latest(state), final);
        /* The sink finished, then took the final checkpoint and heard it completed. */
        long finished = test_ops_ckpt_find(TEST_CKPT_FINISH, "out", 0, 0);
        long snapshot = test_ops_ckpt_find(TEST_CKPT_SNAPSHOT, "out", 0, final);
        long complete = test_ops_ckpt_find(TEST_CKPT_COMPLETE, "out", 0, final);
        CHECK(finished >= 0);
        CHECK(finished < snapshot);
        CHECK(snapshot < complete);
        CHECK_UINT_EQ(test_ops_ckpt_last(TEST_CKPT_COMPLETE, "out", 0), final);
        for (uint32_t s = 0; s < 2; s++)
            CHECK_INT_EQ(saved_next(state, final, s), 8000);
        CHECK_UINT_EQ(test_ops_row_count(), 2000 + 2 * 8000);
        CHECK_INT_EQ(atomic_load(&test_ops_stats_now.opens),
                     atomic_load(&test_ops_stats_now.closes));
        CHECK_INT_EQ(atomic_load(&test_ops_stats_now.finishes), 2); /* the maps */
        teardown(&f);
        st_backend_close(state);
    }
}

TEST(timeout_aborts_notifies_and_latest_stays)
{
    st_backend *state = open_state("timeout");
    fixture f;
    char json[1024];
    /* From its third snapshot on, the sink sleeps longer than the timeout. */
    if (!setup(&f,
               counting_job(json, sizeof json, "slow", 0, 1000,
                            "{\"snapshot_sleep_ms\":400,\"slow_after\":3}",
                            "{\"interval\":\"50ms\",\"timeout\":\"150ms\"}"),
               state, 0)) {
        teardown(&f);
        st_backend_close(state);
        return;
    }
    uint64_t failed = 0;
    for (int i = 0; i < 2000 && !failed; i++) {
        rt_checkpoint_stats h[64];
        size_t n = history(&f, h);
        for (size_t k = 0; k < n && !failed; k++) {
            if (h[k].status == RT_CHECKPOINT_FAILED) {
                failed = h[k].id;
                CHECK_STR_EQ(h[k].failure, "timed out after 150 ms");
            }
        }
        rt_sleep_ms(10);
    }
    CHECK(failed > 0);
    /* The sink hears of it once its slow snapshot returned. */
    for (int i = 0; i < 2000 && test_ops_ckpt_find(TEST_CKPT_ABORTED, "out", 0, failed) < 0; i++)
        rt_sleep_ms(10);
    CHECK(test_ops_ckpt_find(TEST_CKPT_ABORTED, "out", 0, failed) >= 0);
    CHECK(test_ops_ckpt_find(TEST_CKPT_ABORTED, "src", 1, failed) >= 0);
    CHECK(test_ops_ckpt_find(TEST_CKPT_COMPLETE, "out", 0, failed) < 0);
    rt_job_cancel(f.job);
    CHECK_INT_EQ(rt_job_wait(f.job, 20000), RT_JOB_CANCELED);
    /* The two fast checkpoints completed; the slow ones never became the latest. */
    uint64_t id = latest(state);
    CHECK(id > 0 && id < failed);
    CHECK_UINT_EQ(completed_count(&f), 2);
    teardown(&f);
    st_backend_close(state);
}

TEST(a_failing_snapshot_declines_and_fails_the_job)
{
    st_backend *state = open_state("decline");
    fixture f;
    const char *json =
        "{\"name\":\"declines\",\"checkpoint\":" EVERY_50MS ",\"operators\":["
        "{\"id\":\"src\",\"type\":\"test_source\",\"parallelism\":2,"
        "\"config\":{\"unbounded\":true,\"sleep_us\":1000}},"
        "{\"id\":\"x\",\"type\":\"test_fail\",\"parallelism\":1,\"config\":{\"at\":\"snapshot\"},"
        "\"inputs\":[{\"from\":\"src\",\"distribution\":\"rebalance\"}]},"
        "{\"id\":\"out\",\"type\":\"test_sink\",\"parallelism\":1,"
        "\"inputs\":[{\"from\":\"x\",\"distribution\":\"forward\"}]}]}";
    if (!setup(&f, json, state, 0)) {
        teardown(&f);
        st_backend_close(state);
        return;
    }
    CHECK_INT_EQ(rt_job_wait(f.job, 20000), RT_JOB_FAILED);
    rt_err err;
    CHECK_INT_EQ(rt_job_failure(f.job, &err), 0);
    CHECK_INT_EQ(err.code, RT_EIO);
    CHECK_STR_CONTAINS(err.msg, "vertex 'x'#0: boom at snapshot");
    rt_checkpoint_stats h[64];
    size_t n = history(&f, h);
    CHECK(n >= 1);
    if (n >= 1) {
        CHECK_INT_EQ(h[0].status, RT_CHECKPOINT_FAILED);
        CHECK_STR_CONTAINS(h[0].failure, "declined: vertex 'x'#0: boom at snapshot");
        CHECK_INT_EQ(rt_job_checkpoint_wait(f.job, h[0].id, 0, &err), RT_EIO);
        CHECK_STR_CONTAINS(err.msg, "boom at snapshot");
    }
    CHECK_UINT_EQ(latest(state), 0);
    CHECK_INT_EQ(atomic_load(&test_ops_stats_now.opens), atomic_load(&test_ops_stats_now.closes));
    teardown(&f);
    st_backend_close(state);
}

TEST(task_failpoints_fail_the_job)
{
    const char *points[] = {"source.before_snapshot", "task.before_barrier_forward",
                            "state.before_write", "task.before_notify"};
    for (size_t p = 0; p < sizeof points / sizeof *points; p++) {
        char name[64], spec[128], json[1024];
        snprintf(name, sizeof name, "fp-%zu", p);
        snprintf(spec, sizeof spec, "%s=error", points[p]);
        rt_err err, *errp = &err;
        CHECK_OK(rt_failpoint_init(spec, &err), errp);
        st_backend *state = open_state(name);
        fixture f;
        if (!setup(&f, counting_job(json, sizeof json, name, 0, 1000, "{}", EVERY_50MS), state,
                   0)) {
            teardown(&f);
            st_backend_close(state);
            rt_failpoint_reset();
            continue;
        }
        CHECK_INT_EQ(rt_job_wait(f.job, 20000), RT_JOB_FAILED);
        CHECK_INT_EQ(rt_job_failure(f.job, &err), 0);
        CHECK_INT_EQ(err.code, RT_EIO);
        CHECK_STR_CONTAINS(err.msg, points[p]);
        CHECK_STR_CONTAINS(err.msg, "vertex '");
        /* Only the notification comes after a checkpoint completed. */
        if (strcmp(points[p], "task.before_notify") == 0)
            CHECK(latest(state) > 0);
        else
            CHECK_UINT_EQ(latest(state), 0);
        CHECK_INT_EQ(atomic_load(&test_ops_stats_now.opens),
                     atomic_load(&test_ops_stats_now.closes));
        teardown(&f);
        st_backend_close(state);
        rt_failpoint_reset();
    }
}

TEST(coordinator_failpoint_aborts_only_that_checkpoint)
{
    rt_err err, *errp = &err;
    CHECK_OK(rt_failpoint_init("ckpt.before_complete=error@1", &err), errp);
    st_backend *state = open_state("fp-coord");
    fixture f;
    char json[1024];
    if (setup(&f, counting_job(json, sizeof json, "fp-coord", 0, 1000, "{}", EVERY_50MS), state,
              0)) {
        wait_completed(&f, 2);
        rt_job_cancel(f.job);
        CHECK_INT_EQ(rt_job_wait(f.job, 20000), RT_JOB_CANCELED);
        rt_checkpoint_stats h[64];
        size_t n = history(&f, h);
        CHECK(n >= 3);
        if (n >= 3) {
            CHECK_INT_EQ(h[0].status, RT_CHECKPOINT_FAILED);
            CHECK_STR_CONTAINS(h[0].failure, "ckpt.before_complete");
            CHECK(test_ops_ckpt_find(TEST_CKPT_ABORTED, "out", 0, h[0].id) >= 0);
            CHECK_INT_EQ(h[1].status, RT_CHECKPOINT_COMPLETED);
        }
    }
    teardown(&f);
    st_backend_close(state);
    rt_failpoint_reset();
}

TEST(check_restore_names_what_does_not_fit)
{
    st_backend *state = open_state("check");
    fixture f;
    char json[1024];
    if (!setup(&f, counting_job(json, sizeof json, "check", 0, 1000, "{}", "{}"), state, 0)) {
        teardown(&f);
        st_backend_close(state);
        return;
    }
    uint64_t id = 0;
    rt_err err, *errp = &err;
    CHECK_OK(rt_job_trigger_checkpoint(f.job, false, false, &id, &err), errp);
    CHECK_OK(rt_job_checkpoint_wait(f.job, id, 20000, &err), errp);
    rt_job_cancel(f.job);
    rt_job_wait(f.job, 20000);
    CHECK_INT_EQ(rt_job_trigger_checkpoint(f.job, false, false, &id, &err), RT_ESTATE);
    teardown(&f);

    struct {
        const char *ops;
        int rc;
        const char *msg;
    } cases[] = {
        {"{\"id\":\"src\",\"type\":\"test_source\",\"parallelism\":2},"
         "{\"id\":\"out2\",\"type\":\"test_sink\",\"inputs\":[\"src\"]}",
         0, NULL},
        {"{\"id\":\"src\",\"type\":\"test_source\",\"parallelism\":3},"
         "{\"id\":\"out\",\"type\":\"test_sink\",\"inputs\":[\"src\"]}",
         RT_ESTATE,
         "operator 'src': checkpoint %llu holds state of 2 subtasks, the job has "
         "parallelism 3"},
        {"{\"id\":\"gen\",\"type\":\"test_source\",\"parallelism\":2},"
         "{\"id\":\"out\",\"type\":\"test_sink\",\"inputs\":[\"gen\"]}",
         RT_ESTATE, "operator 'src' has state in checkpoint %llu but is not in the job"},
        {"{\"id\":\"gen\",\"type\":\"test_source\",\"parallelism\":2},"
         "{\"id\":\"src\",\"type\":\"test_sink\",\"parallelism\":2,\"inputs\":[\"gen\"]}",
         RT_ESTATE,
         "operator 'src': checkpoint %llu holds state of type test_source, the job "
         "says test_sink"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        snprintf(json, sizeof json, "{\"name\":\"check\",\"operators\":[%s]}", cases[i].ops);
        memset(&f, 0, sizeof f);
        if (parse(&f, json)) {
            CHECK_INT_EQ(rt_job_check_restore(f.graph, NULL, state, id, &err), cases[i].rc);
            if (cases[i].msg) {
                char want[256];
                snprintf(want, sizeof want, cases[i].msg, (unsigned long long)id);
                CHECK_STR_EQ(err.msg, want);
            }
            CHECK_INT_EQ(rt_job_check_restore(f.graph, NULL, state, id + 100, &err), RT_ENOTFOUND);
        }
        graph_plan_free(f.plan);
        graph_job_free(f.graph);
    }
    st_backend_close(state);
}

TEST(stop_with_savepoint_emits_nothing_after_the_barrier)
{
    st_backend *state = open_state("stop");
    fixture f;
    char json[1024];
    if (!setup(&f, counting_job(json, sizeof json, "stop", 0, 1000, "{}", "{}"), state, 0)) {
        teardown(&f);
        st_backend_close(state);
        return;
    }
    for (int i = 0; i < 2000 && test_ops_row_count_now() < 1000; i++)
        rt_sleep_ms(10);
    uint64_t id = 0;
    rt_err err, *errp = &err;
    CHECK_OK(rt_job_trigger_checkpoint(f.job, true, true, &id, &err), errp);
    CHECK_OK(rt_job_checkpoint_wait(f.job, id, 20000, &err), errp);
    CHECK_INT_EQ(rt_job_wait(f.job, 20000), RT_JOB_CANCELED);
    CHECK_UINT_EQ(latest(state), id);
    CHECK(st_backend_is_savepoint(state, id));
    /* Every row the sources emitted is in the savepoint's positions, and reached the sink: none
     * came after the barrier. */
    int64_t saved = saved_next(state, id, 0) + saved_next(state, id, 1);
    rt_vertex_metrics m;
    rt_job_vertex_metrics(f.job, (size_t)graph_job_find_vertex(f.graph, "src"), &m);
    CHECK_UINT_EQ(m.records_out, (uint64_t)saved);
    CHECK_UINT_EQ(test_ops_row_count(), (uint64_t)saved);
    /* The sink was told before the job was canceled. */
    CHECK(test_ops_ckpt_find(TEST_CKPT_COMPLETE, "out", 0, id) >= 0);
    rt_checkpoint_stats h[64];
    size_t n = history(&f, h);
    CHECK(n == 1 && h[0].savepoint && h[0].status == RT_CHECKPOINT_COMPLETED);
    teardown(&f);
    st_backend_close(state);
}

TEST(final_checkpoint_is_taken_again_when_its_notifications_were_lost)
{
    rt_err err, *errp = &err;
    CHECK_OK(rt_failpoint_init("ckpt.after_complete=error@1", &err), errp);
    st_backend *state = open_state("final-again");
    fixture f;
    char json[1024];
    if (setup(&f, counting_job(json, sizeof json, "final-again", 500, 0, "{}", "{}"), state, 0)) {
        CHECK_INT_EQ(rt_job_wait(f.job, 20000), RT_JOB_FINISHED);
        rt_checkpoint_stats h[64];
        size_t n = history(&f, h);
        CHECK_UINT_EQ(n, 2);
        if (n == 2) {
            CHECK_INT_EQ(h[0].status, RT_CHECKPOINT_COMPLETED);
            CHECK_STR_CONTAINS(h[0].failure, "notifications skipped");
            CHECK(test_ops_ckpt_find(TEST_CKPT_COMPLETE, "out", 0, h[0].id) < 0);
            CHECK_INT_EQ(h[1].status, RT_CHECKPOINT_COMPLETED);
            CHECK(test_ops_ckpt_find(TEST_CKPT_COMPLETE, "out", 0, h[1].id) >= 0);
            CHECK_UINT_EQ(latest(state), h[1].id);
        }
    }
    teardown(&f);
    st_backend_close(state);
    rt_failpoint_reset();
}

TEST(a_final_checkpoint_that_keeps_failing_fails_the_job)
{
    rt_err err, *errp = &err;
    CHECK_OK(rt_failpoint_init("ckpt.before_complete=error", &err), errp);
    st_backend *state = open_state("final-fails");
    fixture f;
    char json[1024];
    if (setup(&f, counting_job(json, sizeof json, "final-fails", 500, 0, "{}", "{}"), state, 0)) {
        CHECK_INT_EQ(rt_job_wait(f.job, 20000), RT_JOB_FAILED);
        CHECK_INT_EQ(rt_job_failure(f.job, &err), 0);
        CHECK_STR_CONTAINS(err.msg, "the final checkpoint failed 3 times");
        CHECK_STR_CONTAINS(err.msg, "ckpt.before_complete");
        CHECK_UINT_EQ(completed_count(&f), 0);
        CHECK_UINT_EQ(latest(state), 0);
        CHECK(test_ops_ckpt_find(TEST_CKPT_COMPLETE, "out", 0, 0) < 0);
        CHECK_INT_EQ(atomic_load(&test_ops_stats_now.opens),
                     atomic_load(&test_ops_stats_now.closes));
    }
    teardown(&f);
    st_backend_close(state);
    rt_failpoint_reset();
}

TEST(a_failed_stop_with_savepoint_lets_the_sources_go_on)
{
    rt_err err, *errp = &err;
    CHECK_OK(rt_failpoint_init("ckpt.before_complete=error@1", &err), errp);
    st_backend *state = open_state("stop-fails");
    fixture f;
    char json[1024];
    if (setup(&f, counting_job(json, sizeof json, "stop-fails", 0, 1000, "{}", "{}"), state, 0)) {
        uint64_t id = 0;
        CHECK_OK(rt_job_trigger_checkpoint(f.job, true, true, &id, &err), errp);
        CHECK_INT_EQ(rt_job_checkpoint_wait(f.job, id, 20000, &err), RT_EIO);
        CHECK_STR_CONTAINS(err.msg, "savepoint");
        CHECK_STR_CONTAINS(err.msg, "ckpt.before_complete");
        /* The sources resume after the abort. */
        size_t rows = test_ops_row_count_now();
        for (int i = 0; i < 2000 && test_ops_row_count_now() <= rows + 500; i++)
            rt_sleep_ms(10);
        CHECK(test_ops_row_count_now() > rows + 500);
        CHECK_INT_EQ(rt_job_status_get(f.job), RT_JOB_RUNNING);
        CHECK_OK(rt_job_trigger_checkpoint(f.job, true, true, &id, &err), errp);
        CHECK_OK(rt_job_checkpoint_wait(f.job, id, 20000, &err), errp);
        CHECK_INT_EQ(rt_job_wait(f.job, 20000), RT_JOB_CANCELED);
        CHECK_UINT_EQ(latest(state), id);
        CHECK_UINT_EQ(test_ops_row_count(),
                      (uint64_t)(saved_next(state, id, 0) + saved_next(state, id, 1)));
    }
    teardown(&f);
    st_backend_close(state);
    rt_failpoint_reset();
}

TEST(checkpoint_calls_without_a_backend)
{
    fixture f;
    memset(&f, 0, sizeof f);
    test_ops_reset();
    char json[1024];
    rt_err err;
    if (parse(&f, counting_job(json, sizeof json, "plain", 100, 0, "{}", "{}")) &&
        rt_job_new(f.graph, f.plan, test_ops_lookup, NULL, &f.job, &err) == 0) {
        uint64_t id;
        CHECK_INT_EQ(rt_job_trigger_checkpoint(f.job, false, false, &id, &err), RT_EINVAL);
        CHECK_INT_EQ(rt_job_checkpoint_wait(f.job, 1, 0, &err), RT_EINVAL);
        rt_checkpoint_stats h[4];
        CHECK_UINT_EQ(rt_job_checkpoint_history(f.job, h, 4), 0);
        CHECK_INT_EQ(rt_job_start(f.job, &err), 0);
        CHECK_INT_EQ(rt_job_wait(f.job, 20000), RT_JOB_FINISHED);
        CHECK_UINT_EQ(test_ops_row_count(), 200);
    }
    teardown(&f);
    /* Restoring needs a backend. */
    memset(&f, 0, sizeof f);
    rt_job_options opts = {.restore_checkpoint = 3};
    if (parse(&f, counting_job(json, sizeof json, "plain", 100, 0, "{}", "{}")))
        CHECK_INT_EQ(rt_job_new(f.graph, f.plan, test_ops_lookup, &opts, &f.job, &err), RT_EINVAL);
    teardown(&f);
}

TEST(trigger_and_wait)
{
    st_backend *state = open_state("trigger");
    fixture f;
    char json[1024];
    if (!setup(&f, counting_job(json, sizeof json, "trigger", 0, 1000, "{}", "{}"), state, 0)) {
        teardown(&f);
        st_backend_close(state);
        return;
    }
    rt_err err, *errp = &err;
    uint64_t a = 0, b = 0;
    CHECK_OK(rt_job_trigger_checkpoint(f.job, false, false, &a, &err), errp);
    CHECK_OK(rt_job_trigger_checkpoint(f.job, true, false, &b, &err), errp);
    CHECK(b > a);
    CHECK_OK(rt_job_checkpoint_wait(f.job, b, 20000, &err), errp);
    /* a completed first or was subsumed by b: either way it is settled. */
    int rc = rt_job_checkpoint_wait(f.job, a, 0, &err);
    CHECK(rc == 0 || rc == RT_EIO);
    CHECK_INT_EQ(rt_job_checkpoint_wait(f.job, b + 50, 0, &err), RT_ENOTFOUND);
    CHECK(st_backend_is_savepoint(state, b));
    CHECK_INT_EQ(rt_job_status_get(f.job), RT_JOB_RUNNING);
    rt_job_cancel(f.job);
    CHECK_INT_EQ(rt_job_wait(f.job, 20000), RT_JOB_CANCELED);
    teardown(&f);
    st_backend_close(state);
}

int main(int argc, char **argv)
{
    /* The job's INFO lines are part of what these tests exercise, but not of their output; set
     * SLUICE_TEST_LOG=debug to see them. */
    const char *level = getenv("SLUICE_TEST_LOG");
    rt_log_level lv = RT_LOG_ERROR;
    if (level)
        rt_log_level_parse(level, &lv);
    rt_log_set_level(lv);
    return test_run_all(argc, argv);
}
