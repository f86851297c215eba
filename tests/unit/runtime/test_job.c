/* Tests of the runtime's job: execution graph, distributions, chaining, finish, failure and
 * cancel, driven by the test operators of test_ops.c. */
#include "runtime/job.h"

#include <stdlib.h>

#include "graph/codec.h"
#include "graph/plan.h"
#include "runtime/base/clock.h"
#include "runtime/base/log.h"
#include "tests/harness/test.h"
#include "tests/unit/runtime/test_ops.h"

/* A job under test with what it was built from. */
typedef struct fixture {
    graph_job *graph;
    graph_plan *plan;
    rt_job *job;
} fixture;

static bool setup(fixture *f, const char *json, const rt_job_options *opts)
{
    rt_err err;
    memset(f, 0, sizeof *f);
    test_ops_reset();
    if (graph_codec_parse(json, strlen(json), &test_ops_catalog, &f->graph, &err) != 0) {
        test_fail(__FILE__, __LINE__, "parse: %s", err.msg);
        return false;
    }
    if (graph_plan_build(f->graph, &f->plan, &err) != 0) {
        test_fail(__FILE__, __LINE__, "plan: %s", err.msg);
        return false;
    }
    if (rt_job_new(f->graph, f->plan, test_ops_lookup, opts, &f->job, &err) != 0) {
        test_fail(__FILE__, __LINE__, "rt_job_new: %s", err.msg);
        return false;
    }
    return true;
}

static void teardown(fixture *f)
{
    rt_job_free(f->job);
    graph_plan_free(f->plan);
    graph_job_free(f->graph);
}

/* Starts the job and waits (at most 60 s) for it to end. */
static rt_job_status run(fixture *f)
{
    rt_err err, *errp = &err; /* a pointer: CHECK_OK tests it against NULL */
    CHECK_OK(rt_job_start(f->job, &err), errp);
    rt_job_status s = rt_job_wait(f->job, 60000);
    CHECK(rt_job_status_is_terminal(s));
    return s;
}

static size_t vertex(fixture *f, const char *id)
{
    long v = graph_job_find_vertex(f->graph, id);
    RT_ASSERT(v >= 0);
    return (size_t)v;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Checks the sink rows of `slot` hold each id of subtasks 0..sources-1 x rows exactly once. */
static void check_exactly_once(uint32_t slot, int sources, int64_t rows_each)
{
    size_t n = test_ops_row_count(), k = 0;
    int64_t *ids = malloc((n ? n : 1) * sizeof *ids);
    for (size_t i = 0; i < n; i++) {
        if (test_ops_rows()[i].slot == slot)
            ids[k++] = test_ops_rows()[i].id;
    }
    qsort(ids, k, sizeof *ids, cmp_i64);
    CHECK_UINT_EQ(k, (uint64_t)(sources * rows_each));
    size_t at = 0;
    for (int s = 0; s < sources && at < k; s++) {
        for (int64_t i = 0; i < rows_each && at < k; i++, at++) {
            if (ids[at] != (int64_t)s * 1000000000 + i) {
                CHECK_INT_EQ(ids[at], (int64_t)s * 1000000000 + i);
                free(ids);
                return;
            }
        }
    }
    free(ids);
}

TEST(status_names)
{
    CHECK_STR_EQ(rt_job_status_name(RT_JOB_CREATED), "CREATED");
    CHECK_STR_EQ(rt_job_status_name(RT_JOB_CANCELED), "CANCELED");
    CHECK(!rt_job_status_is_terminal(RT_JOB_RUNNING));
    CHECK(rt_job_status_is_terminal(RT_JOB_FINISHED));
    CHECK(rt_job_status_is_terminal(RT_JOB_FAILED));
}

TEST(rebalance_delivers_every_row_once)
{
    fixture f;
    const char *json = "{\"name\":\"rebalance\",\"operators\":["
                       "{\"id\":\"src\",\"type\":\"test_source\",\"parallelism\":2,"
                       "\"config\":{\"rows\":20000,\"batch\":100,\"idle_every\":7}},"
                       "{\"id\":\"out\",\"type\":\"test_sink\",\"parallelism\":1,"
                       "\"inputs\":[{\"from\":\"src\",\"distribution\":\"rebalance\"}]}]}";
    if (!setup(&f, json, NULL)) {
        teardown(&f);
        return;
    }
    CHECK_INT_EQ(rt_job_status_get(f.job), RT_JOB_CREATED);
    CHECK_INT_EQ(run(&f), RT_JOB_FINISHED);
    check_exactly_once(0, 2, 20000);
    rt_vertex_metrics m;
    rt_job_vertex_metrics(f.job, vertex(&f, "src"), &m);
    CHECK_UINT_EQ(m.records_out, 40000);
    CHECK_UINT_EQ(m.batches_out, 400);
    CHECK_UINT_EQ(m.records_in, 0);
    rt_job_vertex_metrics(f.job, vertex(&f, "out"), &m);
    CHECK_UINT_EQ(m.records_in, 40000);
    CHECK_UINT_EQ(m.batches_in, 400);
    CHECK_INT_EQ(atomic_load(&test_ops_stats_now.opens), 3);
    CHECK_INT_EQ(atomic_load(&test_ops_stats_now.closes), 3);
    rt_err err;
    CHECK_INT_EQ(rt_job_failure(f.job, &err), RT_ENOTFOUND);
    teardown(&f);
}

TEST(rebalance_spreads_over_consumers)
{
    fixture f;
    const char *json = "{\"name\":\"spread\",\"operators\":["
                       "{\"id\":\"src\",\"type\":\"test_source\",\"parallelism\":2,"
                       "\"config\":{\"rows\":3000,\"batch\":100}},"
                       "{\"id\":\"out\",\"type\":\"test_sink\",\"parallelism\":3,"
                       "\"inputs\":[{\"from\":\"src\",\"distribution\":\"rebalance\"}]}]}";
    if (!setup(&f, json, NULL)) {
        teardown(&f);
        return;
    }
    CHECK_INT_EQ(run(&f), RT_JOB_FINISHED);
    check_exactly_once(0, 2, 3000);
    /* 60 batches round robin over 3 consumers: 20 each. */
    size_t per[3] = {0};
    for (size_t i = 0; i < test_ops_row_count(); i++)
        per[test_ops_rows()[i].subtask]++;
    for (int s = 0; s < 3; s++)
        CHECK_UINT_EQ(per[s], 2000);
    teardown(&f);
}

TEST(hash_keeps_equal_keys_together)
{
    fixture f;
    const char *json = "{\"name\":\"hash\",\"operators\":["
                       "{\"id\":\"src\",\"type\":\"test_source\",\"parallelism\":2,"
                       "\"config\":{\"rows\":5000,\"batch\":128,\"keys\":97}},"
                       "{\"id\":\"out\",\"type\":\"test_sink\",\"parallelism\":3,"
                       "\"inputs\":[{\"from\":\"src\",\"distribution\":\"hash\"}]}]}";
    if (!setup(&f, json, NULL)) {
        teardown(&f);
        return;
    }
    CHECK_INT_EQ(run(&f), RT_JOB_FINISHED);
    check_exactly_once(0, 2, 5000);
    int owner[97];
    size_t per[3] = {0};
    for (int k = 0; k < 97; k++)
        owner[k] = -1;
    for (size_t i = 0; i < test_ops_row_count(); i++) {
        const test_row *r = &test_ops_rows()[i];
        CHECK(r->key >= 0 && r->key < 97);
        if (owner[r->key] < 0)
            owner[r->key] = (int)r->subtask;
        if (owner[r->key] != (int)r->subtask) {
            CHECK_INT_EQ(owner[r->key], r->subtask);
            break;
        }
        per[r->subtask]++;
    }
    /* 97 keys over 3 subtasks: every subtask gets a share. */
    for (int s = 0; s < 3; s++)
        CHECK(per[s] > 1000);
    rt_vertex_metrics m;
    rt_job_vertex_metrics(f.job, vertex(&f, "out"), &m);
    CHECK_UINT_EQ(m.records_in, 10000);
    CHECK(m.batches_in > 80); /* source batches were split per target */
    teardown(&f);
}

TEST(broadcast_reaches_every_consumer)
{
    fixture f;
    const char *json = "{\"name\":\"broadcast\",\"operators\":["
                       "{\"id\":\"src\",\"type\":\"test_source\",\"parallelism\":1,"
                       "\"config\":{\"rows\":4000,\"batch\":100}},"
                       "{\"id\":\"out\",\"type\":\"test_sink\",\"parallelism\":3,"
                       "\"inputs\":[{\"from\":\"src\",\"distribution\":\"broadcast\"}]}]}";
    if (!setup(&f, json, NULL)) {
        teardown(&f);
        return;
    }
    CHECK_INT_EQ(run(&f), RT_JOB_FINISHED);
    size_t per[3] = {0};
    int64_t sum[3] = {0};
    for (size_t i = 0; i < test_ops_row_count(); i++) {
        per[test_ops_rows()[i].subtask]++;
        sum[test_ops_rows()[i].subtask] += test_ops_rows()[i].id;
    }
    for (int s = 0; s < 3; s++) {
        CHECK_UINT_EQ(per[s], 4000);
        CHECK_INT_EQ(sum[s], 4000 * 3999 / 2);
    }
    teardown(&f);
}

TEST(chain_runs_in_one_task)
{
    fixture f;
    const char *json =
        "{\"name\":\"chain\",\"operators\":["
        "{\"id\":\"src\",\"type\":\"test_source\",\"config\":{\"rows\":10000,\"batch\":256}},"
        "{\"id\":\"map\",\"type\":\"test_map\",\"config\":{\"copy\":true},"
        "\"inputs\":[{\"from\":\"src\",\"distribution\":\"forward\"}]},"
        "{\"id\":\"out\",\"type\":\"test_sink\","
        "\"inputs\":[{\"from\":\"map\",\"distribution\":\"forward\"}]}]}";
    if (!setup(&f, json, NULL)) {
        teardown(&f);
        return;
    }
    CHECK_UINT_EQ(graph_plan_task_count(f.plan), 1);
    CHECK_UINT_EQ(graph_plan_chain_count(f.plan), 1);
    CHECK_INT_EQ(run(&f), RT_JOB_FINISHED);
    check_exactly_once(0, 1, 10000);
    rt_vertex_metrics m;
    rt_job_vertex_metrics(f.job, vertex(&f, "map"), &m);
    CHECK_UINT_EQ(m.records_in, 10000);
    CHECK_UINT_EQ(m.records_out, 10000);
    CHECK_UINT_EQ(m.batches_in, 40);
    CHECK_INT_EQ(atomic_load(&test_ops_stats_now.finishes), 1);
    teardown(&f);
}

TEST(finish_emits_flow_downstream)
{
    /* The map holds everything until end of input; its finish emits it all, across a channel
     * (parallelism differs, so no chain) and through the sink. */
    fixture f;
    const char *json =
        "{\"name\":\"hold\",\"operators\":["
        "{\"id\":\"src\",\"type\":\"test_source\",\"parallelism\":2,"
        "\"config\":{\"rows\":1000,\"batch\":10}},"
        "{\"id\":\"map\",\"type\":\"test_map\",\"parallelism\":1,\"config\":{\"hold\":true},"
        "\"inputs\":[{\"from\":\"src\",\"distribution\":\"rebalance\"}]},"
        "{\"id\":\"out\",\"type\":\"test_sink\",\"parallelism\":2,"
        "\"inputs\":[{\"from\":\"map\",\"distribution\":\"rebalance\"}]}]}";
    if (!setup(&f, json, NULL)) {
        teardown(&f);
        return;
    }
    CHECK_INT_EQ(run(&f), RT_JOB_FINISHED);
    check_exactly_once(0, 2, 1000);
    CHECK_INT_EQ(atomic_load(&test_ops_stats_now.finishes), 1);
    teardown(&f);
}

TEST(inputs_are_numbered_per_edge)
{
    /* Two sources into one sink: the sink sees input 0 for "a" and 1 for "b", whatever gate
     * channel a batch came through. */
    fixture f;
    const char *json =
        "{\"name\":\"two-inputs\",\"operators\":["
        "{\"id\":\"a\",\"type\":\"test_source\",\"parallelism\":2,\"config\":{\"rows\":300}},"
        "{\"id\":\"b\",\"type\":\"test_source\",\"parallelism\":1,\"config\":{\"rows\":500}},"
        "{\"id\":\"out\",\"type\":\"test_sink\",\"parallelism\":1,\"inputs\":["
        "{\"from\":\"a\",\"distribution\":\"rebalance\"},"
        "{\"from\":\"b\",\"distribution\":\"rebalance\"}]}]}";
    if (!setup(&f, json, NULL)) {
        teardown(&f);
        return;
    }
    CHECK_INT_EQ(run(&f), RT_JOB_FINISHED);
    size_t from_a = 0, from_b = 0;
    for (size_t i = 0; i < test_ops_row_count(); i++) {
        if (test_ops_rows()[i].input == 0)
            from_a++;
        else if (test_ops_rows()[i].input == 1)
            from_b++;
    }
    CHECK_UINT_EQ(from_a, 600);
    CHECK_UINT_EQ(from_b, 500);
    teardown(&f);
}

TEST(failure_names_vertex_and_closes_everything)
{
    fixture f;
    const char *json =
        "{\"name\":\"fails\",\"operators\":["
        "{\"id\":\"src\",\"type\":\"test_source\",\"parallelism\":2,"
        "\"config\":{\"rows\":100000,\"batch\":10}},"
        "{\"id\":\"x\",\"type\":\"test_fail\",\"parallelism\":1,\"config\":{\"after\":3},"
        "\"inputs\":[{\"from\":\"src\",\"distribution\":\"rebalance\"}]},"
        "{\"id\":\"out\",\"type\":\"test_sink\",\"parallelism\":1,"
        "\"inputs\":[{\"from\":\"x\",\"distribution\":\"forward\"}]}]}";
    if (!setup(&f, json, NULL)) {
        teardown(&f);
        return;
    }
    CHECK_INT_EQ(run(&f), RT_JOB_FAILED);
    rt_err err;
    CHECK_INT_EQ(rt_job_failure(f.job, &err), 0);
    CHECK_INT_EQ(err.code, RT_EIO);
    CHECK_STR_CONTAINS(err.msg, "vertex 'x'#0: ");
    CHECK_STR_CONTAINS(err.msg, "boom at process");
    /* The sources were stopped by the failure, not run to their end. */
    CHECK(test_ops_row_count() < 200000);
    CHECK_INT_EQ(atomic_load(&test_ops_stats_now.opens), 4);
    CHECK_INT_EQ(atomic_load(&test_ops_stats_now.closes), 4);
    CHECK_INT_EQ(atomic_load(&test_ops_stats_now.finishes), 0);
    teardown(&f);
}

TEST(failure_in_chain_names_the_failing_vertex)
{
    /* src -> x -> out in one task: the failure comes up through src's emit, but names x. */
    fixture f;
    const char *json =
        "{\"name\":\"chain-fails\",\"operators\":["
        "{\"id\":\"src\",\"type\":\"test_source\",\"config\":{\"rows\":1000,\"batch\":10}},"
        "{\"id\":\"x\",\"type\":\"test_fail\",\"config\":{\"after\":5},"
        "\"inputs\":[{\"from\":\"src\",\"distribution\":\"forward\"}]},"
        "{\"id\":\"out\",\"type\":\"test_sink\","
        "\"inputs\":[{\"from\":\"x\",\"distribution\":\"forward\"}]}]}";
    if (!setup(&f, json, NULL)) {
        teardown(&f);
        return;
    }
    CHECK_INT_EQ(run(&f), RT_JOB_FAILED);
    rt_err err;
    CHECK_INT_EQ(rt_job_failure(f.job, &err), 0);
    CHECK_STR_CONTAINS(err.msg, "vertex 'x'#0: boom at process");
    CHECK(strstr(err.msg, "vertex 'src'") == NULL);
    CHECK_UINT_EQ(test_ops_row_count(), 50);
    CHECK_INT_EQ(atomic_load(&test_ops_stats_now.opens), 3);
    CHECK_INT_EQ(atomic_load(&test_ops_stats_now.closes), 3);
    teardown(&f);
}

TEST(failure_in_open_and_finish)
{
    const char *at[] = {"open", "finish"};
    for (int i = 0; i < 2; i++) {
        fixture f;
        char json[1024];
        snprintf(json, sizeof json,
                 "{\"name\":\"fail-%s\",\"operators\":["
                 "{\"id\":\"src\",\"type\":\"test_source\",\"parallelism\":2,"
                 "\"config\":{\"rows\":100}},"
                 "{\"id\":\"x\",\"type\":\"test_fail\",\"parallelism\":1,"
                 "\"config\":{\"at\":\"%s\"},"
                 "\"inputs\":[{\"from\":\"src\",\"distribution\":\"rebalance\"}]},"
                 "{\"id\":\"out\",\"type\":\"test_sink\",\"parallelism\":1,"
                 "\"inputs\":[{\"from\":\"x\",\"distribution\":\"forward\"}]}]}",
                 at[i], at[i]);
        if (!setup(&f, json, NULL)) {
            teardown(&f);
            continue;
        }
        CHECK_INT_EQ(run(&f), RT_JOB_FAILED);
        rt_err err;
        CHECK_INT_EQ(rt_job_failure(f.job, &err), 0);
        CHECK_STR_CONTAINS(err.msg, "vertex 'x'#0: boom at");
        CHECK_STR_CONTAINS(err.msg, at[i]);
        /* Whatever opened was closed (x's failed open does not count as opened). */
        CHECK_INT_EQ(atomic_load(&test_ops_stats_now.opens),
                     atomic_load(&test_ops_stats_now.closes));
        teardown(&f);
    }
}

TEST(emit_from_sink_is_an_error)
{
    fixture f;
    const char *json =
        "{\"name\":\"sink-emits\",\"operators\":["
        "{\"id\":\"src\",\"type\":\"test_source\",\"parallelism\":1,\"config\":{\"rows\":10}},"
        "{\"id\":\"out\",\"type\":\"test_sink\",\"parallelism\":1,\"config\":{\"emit\":true},"
        "\"inputs\":[{\"from\":\"src\",\"distribution\":\"rebalance\"}]}]}";
    if (!setup(&f, json, NULL)) {
        teardown(&f);
        return;
    }
    CHECK_INT_EQ(run(&f), RT_JOB_FAILED);
    rt_err err;
    CHECK_INT_EQ(rt_job_failure(f.job, &err), 0);
    CHECK_INT_EQ(err.code, RT_EINTERNAL);
    CHECK_STR_CONTAINS(err.msg, "vertex 'out'#0");
    teardown(&f);
}

TEST(cancel_unbounded_job)
{
    fixture f;
    rt_job_options opts = {.channel_capacity = 4, .batch_rows = 64};
    const char *json =
        "{\"name\":\"forever\",\"operators\":["
        "{\"id\":\"src\",\"type\":\"test_source\",\"parallelism\":2,"
        "\"config\":{\"unbounded\":true,\"batch\":64}},"
        "{\"id\":\"map\",\"type\":\"test_map\",\"parallelism\":2,"
        "\"inputs\":[{\"from\":\"src\",\"distribution\":\"hash\"}]},"
        "{\"id\":\"out\",\"type\":\"test_sink\",\"parallelism\":1,\"config\":{\"sleep_us\":200},"
        "\"inputs\":[{\"from\":\"map\",\"distribution\":\"rebalance\"}]}]}";
    if (!setup(&f, json, &opts)) {
        teardown(&f);
        return;
    }
    rt_err err, *errp = &err;
    CHECK_OK(rt_job_start(f.job, &err), errp);
    CHECK_INT_EQ(rt_job_wait(f.job, 200), RT_JOB_RUNNING);
    CHECK_INT_EQ(rt_job_status_get(f.job), RT_JOB_RUNNING);
    int64_t t0 = rt_clock_mono_ms();
    rt_job_cancel(f.job);
    rt_job_cancel(f.job); /* idempotent */
    CHECK_INT_EQ(rt_job_wait(f.job, 10000), RT_JOB_CANCELED);
    CHECK(rt_clock_mono_ms() - t0 < 2000);
    CHECK_INT_EQ(rt_job_failure(f.job, &err), RT_ENOTFOUND);
    CHECK(test_ops_row_count() > 0);
    CHECK_INT_EQ(atomic_load(&test_ops_stats_now.opens), 5);
    CHECK_INT_EQ(atomic_load(&test_ops_stats_now.closes), 5);
    CHECK_INT_EQ(atomic_load(&test_ops_stats_now.finishes), 0);
    rt_job_cancel(f.job); /* after the end: stays CANCELED */
    CHECK_INT_EQ(rt_job_status_get(f.job), RT_JOB_CANCELED);
    teardown(&f);
}

TEST(free_running_job_cancels_and_joins)
{
    fixture f;
    const char *json = "{\"name\":\"freed\",\"operators\":["
                       "{\"id\":\"src\",\"type\":\"test_source\",\"parallelism\":2,"
                       "\"config\":{\"unbounded\":true}},"
                       "{\"id\":\"out\",\"type\":\"test_sink\",\"parallelism\":2,"
                       "\"inputs\":[{\"from\":\"src\",\"distribution\":\"rebalance\"}]}]}";
    if (!setup(&f, json, NULL)) {
        teardown(&f);
        return;
    }
    rt_err err, *errp = &err;
    CHECK_OK(rt_job_start(f.job, &err), errp);
    CHECK_INT_EQ(rt_job_start(f.job, &err), RT_EINVAL);
    rt_job_wait(f.job, 50);
    teardown(&f); /* no wait: rt_job_free cancels and joins */
    CHECK_INT_EQ(atomic_load(&test_ops_stats_now.opens), atomic_load(&test_ops_stats_now.closes));
}

TEST(job_never_started)
{
    fixture f;
    const char *json = "{\"name\":\"idle\",\"operators\":["
                       "{\"id\":\"src\",\"type\":\"test_source\"},"
                       "{\"id\":\"out\",\"type\":\"test_sink\",\"inputs\":[\"src\"]}]}";
    if (!setup(&f, json, NULL)) {
        teardown(&f);
        return;
    }
    CHECK_INT_EQ(rt_job_wait(f.job, 10), RT_JOB_CREATED);
    rt_job_cancel(f.job);
    CHECK_INT_EQ(rt_job_status_get(f.job), RT_JOB_CANCELED);
    rt_err err;
    CHECK(rt_job_start(f.job, &err) != 0);
    teardown(&f);
    CHECK_INT_EQ(atomic_load(&test_ops_stats_now.opens), 0);
    rt_job_free(NULL);
}

TEST(unknown_runtime_type_is_rejected)
{
    rt_err err, *errp = &err;
    graph_job *graph = NULL;
    graph_plan *plan = NULL;
    rt_job *job = NULL;
    const char *json = "{\"name\":\"ghost\",\"operators\":["
                       "{\"id\":\"src\",\"type\":\"test_source\"},"
                       "{\"id\":\"g\",\"type\":\"test_ghost\",\"parallelism\":2,"
                       "\"inputs\":[{\"from\":\"src\",\"distribution\":\"rebalance\"}]},"
                       "{\"id\":\"out\",\"type\":\"test_sink\",\"inputs\":[{\"from\":\"g\","
                       "\"distribution\":\"rebalance\"}]}]}";
    CHECK_OK(graph_codec_parse(json, strlen(json), &test_ops_catalog, &graph, &err), errp);
    if (graph)
        CHECK_OK(graph_plan_build(graph, &plan, &err), errp);
    if (plan) {
        CHECK_INT_EQ(rt_job_new(graph, plan, test_ops_lookup, NULL, &job, &err), RT_EINVAL);
        CHECK(job == NULL);
        CHECK_STR_CONTAINS(err.msg, "vertex 'g'");
        CHECK_STR_CONTAINS(err.msg, "test_ghost");
    }
    graph_plan_free(plan);
    graph_job_free(graph);
}

int main(int argc, char **argv)
{
    /* The job's INFO lines (start, end) are part of what these tests exercise, but not of their
     * output; set SLUICE_TEST_LOG=debug to see them. */
    const char *level = getenv("SLUICE_TEST_LOG");
    rt_log_level lv = RT_LOG_WARN;
    if (level)
        rt_log_level_parse(level, &lv);
    rt_log_set_level(lv);
    return test_run_all(argc, argv);
}
