/* Tests of the checkpoint coordinator as a state machine: a fake clock (now_ms is whatever the
 * test says), a real state backend in a temporary directory, no threads. */
#include "runtime/checkpoint_coordinator.h"

#include <jansson.h>
#include <stdlib.h>

#include "graph/codec.h"
#include "runtime/base/failpoint.h"
#include "runtime/base/log.h"
#include "tests/harness/test.h"
#include "tests/unit/runtime/test_ops.h"

/* src (2 subtasks) -> out (1): three tasks, one vertex per chain. */
static const char *const JOB = "{\"name\":\"coord\",\"operators\":["
                               "{\"id\":\"src\",\"type\":\"test_source\",\"parallelism\":2},"
                               "{\"id\":\"out\",\"type\":\"test_sink\",\"parallelism\":1,"
                               "\"inputs\":[{\"from\":\"src\",\"distribution\":\"rebalance\"}]}]}";

typedef struct fixture {
    graph_job *graph;
    graph_plan *plan;
    st_backend *state;
    rt_checkpoint_coordinator *c;
    size_t tasks;
} fixture;

static graph_checkpoint_cfg cfg_of(int64_t interval, int64_t timeout, int64_t min_pause,
                                   int64_t max_concurrent)
{
    return (graph_checkpoint_cfg){.interval_ms = interval,
                                  .timeout_ms = timeout,
                                  .min_pause_ms = min_pause,
                                  .max_concurrent = max_concurrent,
                                  .retain = 3};
}

static void open_state(fixture *f, const char *name)
{
    char dir[512];
    rt_err err, *errp = &err;
    snprintf(dir, sizeof dir, "%s/%s", test_tmpdir(), name);
    CHECK_OK(st_backend_open(dir, &f->state, &err), errp);
}

static bool setup(fixture *f, const char *name, graph_checkpoint_cfg cfg)
{
    rt_err err, *errp = &err;
    memset(f, 0, sizeof *f);
    CHECK_OK(graph_codec_parse(JOB, strlen(JOB), &test_ops_catalog, &f->graph, &err), errp);
    if (f->graph)
        CHECK_OK(graph_plan_build(f->graph, &f->plan, &err), errp);
    open_state(f, name);
    if (!f->plan || !f->state)
        return false;
    f->tasks = graph_plan_task_count(f->plan);
    CHECK_OK(rt_checkpoint_coordinator_new(f->graph, f->plan, &cfg, f->state, "job=coord", 0, &f->c,
                                           &err),
             errp);
    return f->c != NULL;
}

static void teardown(fixture *f)
{
    rt_checkpoint_coordinator_free(f->c);
    if (f->state)
        st_backend_close(f->state);
    graph_plan_free(f->plan);
    graph_job_free(f->graph);
}

/* Takes the next action: checks it is of kind and returns its id (0 if none or another kind). */
static uint64_t expect_action(fixture *f, rt_checkpoint_action_kind kind)
{
    rt_checkpoint_action a;
    if (!rt_checkpoint_coordinator_next_action(f->c, &a)) {
        test_fail(__FILE__, __LINE__, "no action, expected %s",
                  rt_checkpoint_action_kind_name(kind));
        return 0;
    }
    if (a.kind != kind) {
        test_fail(__FILE__, __LINE__, "action %s, expected %s",
                  rt_checkpoint_action_kind_name(a.kind), rt_checkpoint_action_kind_name(kind));
        return 0;
    }
    return a.id;
}

static bool no_action(fixture *f)
{
    rt_checkpoint_action a;
    return !rt_checkpoint_coordinator_next_action(f->c, &a);
}

static void ack_all(fixture *f, uint64_t id, int64_t now)
{
    uint64_t bytes[1] = {10};
    for (size_t t = 0; t < f->tasks; t++)
        rt_checkpoint_coordinator_ack(f->c, id, t, bytes, (int64_t)t, now);
}

static rt_checkpoint_status status_of(fixture *f, uint64_t id)
{
    rt_checkpoint_stats s;
    if (rt_checkpoint_coordinator_stats(f->c, id, &s) != 0)
        return (rt_checkpoint_status)-1;
    return s.status;
}

TEST(action_names)
{
    CHECK_STR_EQ(rt_checkpoint_action_kind_name(RT_CHECKPOINT_ACTION_TRIGGER), "trigger");
    CHECK_STR_EQ(rt_checkpoint_action_kind_name(RT_CHECKPOINT_ACTION_NOTIFY_COMPLETE),
                 "notify_complete");
    CHECK_STR_EQ(rt_checkpoint_action_kind_name(RT_CHECKPOINT_ACTION_NOTIFY_ABORTED),
                 "notify_aborted");
    CHECK_STR_EQ(rt_checkpoint_status_name(RT_CHECKPOINT_IN_PROGRESS), "IN_PROGRESS");
    CHECK_STR_EQ(rt_checkpoint_status_name(RT_CHECKPOINT_COMPLETED), "COMPLETED");
    CHECK_STR_EQ(rt_checkpoint_status_name(RT_CHECKPOINT_FAILED), "FAILED");
}

TEST(interval_triggers_and_acks_complete)
{
    fixture f;
    if (!setup(&f, "interval", cfg_of(100, 1000, 0, 1))) {
        teardown(&f);
        return;
    }
    CHECK_UINT_EQ(f.tasks, 3);
    CHECK_INT_EQ(rt_checkpoint_coordinator_tick(f.c, 50, NULL), 0);
    CHECK(no_action(&f));
    CHECK_INT_EQ(rt_checkpoint_coordinator_tick(f.c, 100, NULL), 0);
    uint64_t id = expect_action(&f, RT_CHECKPOINT_ACTION_TRIGGER);
    CHECK_UINT_EQ(id, 1);
    CHECK_INT_EQ(status_of(&f, id), RT_CHECKPOINT_IN_PROGRESS);
    CHECK_UINT_EQ(rt_checkpoint_coordinator_pending_count(f.c), 1);
    /* One in flight at most. */
    rt_checkpoint_coordinator_tick(f.c, 250, NULL);
    CHECK(no_action(&f));
    ack_all(&f, id, 260);
    CHECK_UINT_EQ(expect_action(&f, RT_CHECKPOINT_ACTION_NOTIFY_COMPLETE), id);
    CHECK_UINT_EQ(rt_checkpoint_coordinator_pending_count(f.c), 0);
    rt_checkpoint_stats s;
    CHECK_INT_EQ(rt_checkpoint_coordinator_stats(f.c, id, &s), 0);
    CHECK_INT_EQ(s.status, RT_CHECKPOINT_COMPLETED);
    CHECK_INT_EQ(s.duration_ms, 160);
    CHECK_INT_EQ(s.alignment_ms, 2);
    CHECK_UINT_EQ(s.state_size, 30);
    CHECK(!s.savepoint);
    CHECK(s.trigger_ms > 0);
    CHECK_STR_EQ(s.failure, "");
    uint64_t latest = 0;
    CHECK_INT_EQ(st_backend_latest(f.state, &latest, NULL), 0);
    CHECK_UINT_EQ(latest, id);
    /* The interval counts from the last trigger (100): due already. */
    rt_checkpoint_coordinator_tick(f.c, 260, NULL);
    CHECK_UINT_EQ(expect_action(&f, RT_CHECKPOINT_ACTION_TRIGGER), 2);
    teardown(&f);
}

TEST(interval_zero_triggers_only_on_request)
{
    fixture f;
    if (!setup(&f, "on-request", cfg_of(0, 1000, 0, 1))) {
        teardown(&f);
        return;
    }
    for (int64_t now = 0; now < 100000; now += 5000)
        rt_checkpoint_coordinator_tick(f.c, now, NULL);
    CHECK(no_action(&f));
    uint64_t id = 0;
    rt_err err, *errp = &err;
    CHECK_OK(rt_checkpoint_coordinator_trigger(f.c, true, false, 100000, &id, &err), errp);
    CHECK_UINT_EQ(expect_action(&f, RT_CHECKPOINT_ACTION_TRIGGER), id);
    rt_checkpoint_stats s;
    CHECK_INT_EQ(rt_checkpoint_coordinator_stats(f.c, id, &s), 0);
    CHECK(s.savepoint);
    ack_all(&f, id, 100010);
    CHECK_UINT_EQ(expect_action(&f, RT_CHECKPOINT_ACTION_NOTIFY_COMPLETE), id);
    CHECK(st_backend_is_savepoint(f.state, id));
    teardown(&f);
}

TEST(min_pause_counts_from_the_last_completion)
{
    fixture f;
    if (!setup(&f, "pause", cfg_of(10, 1000, 200, 1))) {
        teardown(&f);
        return;
    }
    rt_checkpoint_coordinator_tick(f.c, 10, NULL);
    uint64_t id = expect_action(&f, RT_CHECKPOINT_ACTION_TRIGGER);
    ack_all(&f, id, 20);
    expect_action(&f, RT_CHECKPOINT_ACTION_NOTIFY_COMPLETE);
    for (int64_t now = 30; now < 220; now += 10)
        rt_checkpoint_coordinator_tick(f.c, now, NULL);
    CHECK(no_action(&f));
    rt_checkpoint_coordinator_tick(f.c, 220, NULL);
    CHECK_UINT_EQ(expect_action(&f, RT_CHECKPOINT_ACTION_TRIGGER), id + 1);
    teardown(&f);
}

TEST(max_concurrent_bounds_the_checkpoints_in_flight)
{
    fixture f;
    if (!setup(&f, "concurrent", cfg_of(10, 1000, 0, 2))) {
        teardown(&f);
        return;
    }
    rt_checkpoint_coordinator_tick(f.c, 10, NULL);
    uint64_t a = expect_action(&f, RT_CHECKPOINT_ACTION_TRIGGER);
    rt_checkpoint_coordinator_tick(f.c, 20, NULL);
    uint64_t b = expect_action(&f, RT_CHECKPOINT_ACTION_TRIGGER);
    CHECK(b > a);
    rt_checkpoint_coordinator_tick(f.c, 30, NULL);
    rt_checkpoint_coordinator_tick(f.c, 40, NULL);
    CHECK(no_action(&f));
    CHECK_UINT_EQ(rt_checkpoint_coordinator_pending_count(f.c), 2);
    ack_all(&f, a, 45);
    CHECK_UINT_EQ(expect_action(&f, RT_CHECKPOINT_ACTION_NOTIFY_COMPLETE), a);
    rt_checkpoint_coordinator_tick(f.c, 50, NULL);
    uint64_t c = expect_action(&f, RT_CHECKPOINT_ACTION_TRIGGER);
    CHECK(c > b);
    /* b completes before... nothing: acking c first subsumes b. */
    ack_all(&f, c, 60);
    CHECK_UINT_EQ(expect_action(&f, RT_CHECKPOINT_ACTION_NOTIFY_ABORTED), b);
    CHECK_UINT_EQ(expect_action(&f, RT_CHECKPOINT_ACTION_NOTIFY_COMPLETE), c);
    rt_checkpoint_stats s;
    CHECK_INT_EQ(rt_checkpoint_coordinator_stats(f.c, b, &s), 0);
    CHECK_INT_EQ(s.status, RT_CHECKPOINT_FAILED);
    CHECK_STR_CONTAINS(s.failure, "subsumed by checkpoint");
    /* The late acks of b change nothing. */
    ack_all(&f, b, 70);
    CHECK(no_action(&f));
    CHECK_INT_EQ(status_of(&f, b), RT_CHECKPOINT_FAILED);
    teardown(&f);
}

TEST(timeout_aborts_and_latest_does_not_move)
{
    fixture f;
    if (!setup(&f, "timeout", cfg_of(0, 100, 0, 1))) {
        teardown(&f);
        return;
    }
    uint64_t id = 0;
    CHECK_INT_EQ(rt_checkpoint_coordinator_trigger(f.c, false, false, 10, &id, NULL), 0);
    expect_action(&f, RT_CHECKPOINT_ACTION_TRIGGER);
    uint64_t bytes[1] = {5};
    rt_checkpoint_coordinator_ack(f.c, id, 0, bytes, 0, 50);
    rt_checkpoint_coordinator_tick(f.c, 109, NULL);
    CHECK(no_action(&f));
    rt_checkpoint_coordinator_tick(f.c, 110, NULL);
    CHECK_UINT_EQ(expect_action(&f, RT_CHECKPOINT_ACTION_NOTIFY_ABORTED), id);
    rt_checkpoint_stats s;
    CHECK_INT_EQ(rt_checkpoint_coordinator_stats(f.c, id, &s), 0);
    CHECK_INT_EQ(s.status, RT_CHECKPOINT_FAILED);
    CHECK_INT_EQ(s.duration_ms, 100);
    CHECK_STR_EQ(s.failure, "timed out after 100 ms");
    uint64_t latest;
    CHECK_INT_EQ(st_backend_latest(f.state, &latest, NULL), RT_ENOTFOUND);
    /* Late acks of the aborted checkpoint are ignored: it never completes. */
    ack_all(&f, id, 120);
    CHECK(no_action(&f));
    CHECK_INT_EQ(st_backend_latest(f.state, &latest, NULL), RT_ENOTFOUND);
    CHECK_UINT_EQ(rt_checkpoint_coordinator_pending_count(f.c), 0);
    teardown(&f);
}

TEST(decline_aborts)
{
    fixture f;
    if (!setup(&f, "decline", cfg_of(0, 1000, 0, 1))) {
        teardown(&f);
        return;
    }
    uint64_t id = 0;
    rt_checkpoint_coordinator_trigger(f.c, false, true, 0, &id, NULL);
    rt_checkpoint_action a;
    CHECK(rt_checkpoint_coordinator_next_action(f.c, &a));
    CHECK(a.stop);
    uint64_t bytes[1] = {1};
    rt_checkpoint_coordinator_ack(f.c, id, 0, bytes, 0, 1);
    rt_checkpoint_coordinator_decline(f.c, id + 7, 1, "unknown", 2); /* ignored */
    CHECK(no_action(&f));
    rt_checkpoint_coordinator_decline(f.c, id, 1, "vertex 'src'#1: boom", 3);
    CHECK(rt_checkpoint_coordinator_next_action(f.c, &a));
    CHECK_INT_EQ(a.kind, RT_CHECKPOINT_ACTION_NOTIFY_ABORTED);
    CHECK_UINT_EQ(a.id, id);
    CHECK(a.stop);
    rt_checkpoint_stats s;
    CHECK_INT_EQ(rt_checkpoint_coordinator_stats(f.c, id, &s), 0);
    CHECK_STR_EQ(s.failure, "declined: vertex 'src'#1: boom");
    rt_checkpoint_coordinator_ack(f.c, id, 2, bytes, 0, 4);
    CHECK(no_action(&f));
    teardown(&f);
}

TEST(duplicate_and_unknown_acks_are_ignored)
{
    fixture f;
    if (!setup(&f, "dup", cfg_of(0, 1000, 0, 1))) {
        teardown(&f);
        return;
    }
    uint64_t id = 0;
    rt_checkpoint_coordinator_trigger(f.c, false, false, 0, &id, NULL);
    expect_action(&f, RT_CHECKPOINT_ACTION_TRIGGER);
    uint64_t bytes[1] = {100};
    rt_checkpoint_coordinator_ack(f.c, id, 0, bytes, 0, 1);
    rt_checkpoint_coordinator_ack(f.c, id, 0, bytes, 0, 2);
    rt_checkpoint_coordinator_ack(f.c, id, 1, bytes, 0, 3);
    rt_checkpoint_coordinator_ack(f.c, id, 1, bytes, 0, 3);
    rt_checkpoint_coordinator_ack(f.c, id, 99, bytes, 0, 3);    /* no such task */
    rt_checkpoint_coordinator_ack(f.c, id + 1, 2, bytes, 0, 3); /* no such checkpoint */
    CHECK(no_action(&f));
    uint64_t ids[4];
    CHECK_UINT_EQ(rt_checkpoint_coordinator_unacked(f.c, 2, ids, 4), 1);
    CHECK_UINT_EQ(ids[0], id);
    CHECK_UINT_EQ(rt_checkpoint_coordinator_unacked(f.c, 0, ids, 4), 0);
    rt_checkpoint_coordinator_ack(f.c, id, 2, bytes, 0, 4);
    CHECK_UINT_EQ(expect_action(&f, RT_CHECKPOINT_ACTION_NOTIFY_COMPLETE), id);
    rt_checkpoint_stats s;
    rt_checkpoint_coordinator_stats(f.c, id, &s);
    CHECK_UINT_EQ(s.state_size, 300);                       /* each task counted once */
    rt_checkpoint_coordinator_ack(f.c, id, 2, bytes, 0, 5); /* after completion */
    CHECK(no_action(&f));
    CHECK_INT_EQ(status_of(&f, id), RT_CHECKPOINT_COMPLETED);
    teardown(&f);
}

TEST(ids_increase_across_restarts)
{
    fixture f;
    if (!setup(&f, "ids", cfg_of(0, 1000, 0, 4))) {
        teardown(&f);
        return;
    }
    uint64_t a = 0, b = 0, c = 0;
    rt_checkpoint_coordinator_trigger(f.c, false, false, 0, &a, NULL);
    rt_checkpoint_coordinator_trigger(f.c, false, false, 0, &b, NULL);
    CHECK(b > a);
    rt_checkpoint_coordinator_abort_all(f.c, "the job was canceled", 5);
    rt_checkpoint_coordinator_free(f.c);
    f.c = NULL;
    st_backend_close(f.state);
    f.state = NULL;
    open_state(&f, "ids");
    graph_checkpoint_cfg cfg = cfg_of(0, 1000, 0, 4);
    rt_err err, *errp = &err;
    CHECK_OK(
        rt_checkpoint_coordinator_new(f.graph, f.plan, &cfg, f.state, "job=coord", 0, &f.c, &err),
        errp);
    if (f.c)
        rt_checkpoint_coordinator_trigger(f.c, false, false, 0, &c, NULL);
    CHECK(c > b);
    teardown(&f);
}

TEST(metadata_names_every_operator_with_its_state)
{
    fixture f;
    if (!setup(&f, "metadata", cfg_of(0, 1000, 0, 1))) {
        teardown(&f);
        return;
    }
    uint64_t id = 0;
    rt_checkpoint_coordinator_trigger(f.c, true, false, 0, &id, NULL);
    /* Tasks are ordered by chain: src#0, src#1, out#0. */
    uint64_t src0[1] = {7}, src1[1] = {8}, out[1] = {0};
    rt_checkpoint_coordinator_ack(f.c, id, 0, src0, 3, 10);
    rt_checkpoint_coordinator_ack(f.c, id, 1, src1, 9, 11);
    rt_checkpoint_coordinator_ack(f.c, id, 2, out, 4, 12);
    char *text = NULL;
    rt_err err, *errp = &err;
    CHECK_OK(st_backend_metadata(f.state, id, &text, &err), errp);
    json_t *root = text ? json_loads(text, 0, NULL) : NULL;
    CHECK(root != NULL);
    if (root) {
        CHECK_UINT_EQ(json_integer_value(json_object_get(root, "id")), id);
        CHECK_STR_EQ(json_string_value(json_object_get(root, "job")), "coord");
        CHECK(json_is_true(json_object_get(root, "savepoint")));
        CHECK_INT_EQ(json_integer_value(json_object_get(root, "duration_ms")), 12);
        CHECK(json_integer_value(json_object_get(root, "timestamp_ms")) > 0);
        json_t *ops = json_object_get(root, "operators");
        json_t *src = json_object_get(ops, "src"), *sink = json_object_get(ops, "out");
        CHECK_STR_EQ(json_string_value(json_object_get(src, "type")), "test_source");
        CHECK_INT_EQ(json_integer_value(json_object_get(src, "parallelism")), 2);
        CHECK_INT_EQ(json_integer_value(json_object_get(src, "state_bytes")), 15);
        CHECK_STR_EQ(json_string_value(json_object_get(sink, "type")), "test_sink");
        CHECK_INT_EQ(json_integer_value(json_object_get(sink, "state_bytes")), 0);
        CHECK_INT_EQ(rt_checkpoint_metadata_check(f.graph, NULL, id, text, &err), 0);
    }
    rt_checkpoint_stats s;
    rt_checkpoint_coordinator_stats(f.c, id, &s);
    CHECK_INT_EQ(s.alignment_ms, 9);
    CHECK_UINT_EQ(s.state_size, 15);
    json_decref(root);
    free(text);
    teardown(&f);
}

TEST(history_keeps_the_newest)
{
    fixture f;
    if (!setup(&f, "history", cfg_of(0, 10, 0, 1))) {
        teardown(&f);
        return;
    }
    uint64_t first = 0, last = 0;
    for (int i = 0; i < 60; i++) {
        uint64_t id = 0;
        rt_checkpoint_coordinator_trigger(f.c, false, false, i * 100, &id, NULL);
        if (i % 2)
            ack_all(&f, id, i * 100 + 5);
        else
            rt_checkpoint_coordinator_tick(f.c, i * 100 + 50, NULL); /* times out */
        first = first ? first : id;
        last = id;
    }
    rt_checkpoint_stats all[64];
    uint64_t before = rt_checkpoint_coordinator_version(f.c);
    size_t n = rt_checkpoint_coordinator_history(f.c, all, 64);
    CHECK_UINT_EQ(n, RT_CHECKPOINT_HISTORY_MAX);
    CHECK_UINT_EQ(all[n - 1].id, last);
    CHECK_UINT_EQ(all[0].id, last - RT_CHECKPOINT_HISTORY_MAX + 1);
    for (size_t i = 0; i < n; i++) {
        CHECK_INT_EQ(all[i].status,
                     (all[i].id - first) % 2 ? RT_CHECKPOINT_COMPLETED : RT_CHECKPOINT_FAILED);
        if (i > 0)
            CHECK(all[i].id > all[i - 1].id);
    }
    CHECK_UINT_EQ(rt_checkpoint_coordinator_history(f.c, all, 3), 3);
    CHECK_UINT_EQ(all[2].id, last);
    rt_checkpoint_stats s;
    CHECK_INT_EQ(rt_checkpoint_coordinator_stats(f.c, first, &s), RT_ENOTFOUND);
    CHECK_UINT_EQ(rt_checkpoint_coordinator_version(f.c), before);
    teardown(&f);
}

TEST(periodic_off_triggers_nothing)
{
    fixture f;
    if (!setup(&f, "periodic", cfg_of(10, 1000, 0, 1))) {
        teardown(&f);
        return;
    }
    rt_checkpoint_coordinator_set_periodic(f.c, false);
    for (int64_t now = 0; now < 1000; now += 10)
        rt_checkpoint_coordinator_tick(f.c, now, NULL);
    CHECK(no_action(&f));
    rt_checkpoint_coordinator_set_periodic(f.c, true);
    rt_checkpoint_coordinator_tick(f.c, 1000, NULL);
    expect_action(&f, RT_CHECKPOINT_ACTION_TRIGGER);
    teardown(&f);
}

TEST(failpoints_abort_or_skip_notifications)
{
    fixture f;
    if (!setup(&f, "failpoints", cfg_of(0, 1000, 0, 1))) {
        teardown(&f);
        return;
    }
    rt_err err, *errp = &err;
    CHECK_OK(rt_failpoint_init("ckpt.before_complete=error@1", &err), errp);
    uint64_t a = 0, b = 0, latest = 0;
    rt_checkpoint_coordinator_trigger(f.c, false, false, 0, &a, NULL);
    expect_action(&f, RT_CHECKPOINT_ACTION_TRIGGER);
    ack_all(&f, a, 5);
    CHECK_UINT_EQ(expect_action(&f, RT_CHECKPOINT_ACTION_NOTIFY_ABORTED), a);
    rt_checkpoint_stats s;
    CHECK_INT_EQ(rt_checkpoint_coordinator_stats(f.c, a, &s), 0);
    CHECK_INT_EQ(s.status, RT_CHECKPOINT_FAILED);
    CHECK_STR_CONTAINS(s.failure, "ckpt.before_complete");
    CHECK_INT_EQ(st_backend_latest(f.state, &latest, NULL), RT_ENOTFOUND);
    rt_failpoint_reset();

    CHECK_OK(rt_failpoint_init("ckpt.after_complete=error", &err), errp);
    rt_checkpoint_coordinator_trigger(f.c, false, false, 10, &b, NULL);
    expect_action(&f, RT_CHECKPOINT_ACTION_TRIGGER);
    ack_all(&f, b, 15);
    CHECK(no_action(&f)); /* durable, but nobody is told */
    CHECK_INT_EQ(rt_checkpoint_coordinator_stats(f.c, b, &s), 0);
    CHECK_INT_EQ(s.status, RT_CHECKPOINT_COMPLETED);
    CHECK_STR_CONTAINS(s.failure, "notifications skipped");
    CHECK_INT_EQ(st_backend_latest(f.state, &latest, NULL), 0);
    CHECK_UINT_EQ(latest, b);
    rt_failpoint_reset();
    teardown(&f);
}

static const char *const TWO = "{\"name\":\"two\",\"operators\":["
                               "{\"id\":\"gen\",\"type\":\"test_source\",\"parallelism\":3},"
                               "{\"id\":\"out\",\"type\":\"test_sink\",\"parallelism\":1,"
                               "\"inputs\":[{\"from\":\"gen\",\"distribution\":\"rebalance\"}]}]}";

/* A lookup under which test_source's state restores at any parallelism. */
static const op_type *rescalable_lookup(const char *type)
{
    static op_type rescalable = {.rescalable_state = true};
    return strcmp(type, "test_source") == 0 ? &rescalable : NULL;
}

static int check_meta_with(rt_op_lookup lookup, const char *ops, rt_err *err)
{
    graph_job *g = NULL;
    rt_err perr, *errp = &perr;
    CHECK_OK(graph_codec_parse(TWO, strlen(TWO), &test_ops_catalog, &g, &perr), errp);
    char json[1024];
    snprintf(json, sizeof json, "{\"id\":12,\"job\":\"two\",\"operators\":{%s}}", ops);
    int rc = rt_checkpoint_metadata_check(g, lookup, 12, json, err);
    graph_job_free(g);
    return rc;
}

static int check_meta(const char *ops, rt_err *err)
{
    return check_meta_with(NULL, ops, err);
}

TEST(rescalable_state_restores_at_another_parallelism)
{
    rt_err err;
    const char *two = "\"gen\":{\"type\":\"test_source\",\"parallelism\":2,\"state_bytes\":10}";
    CHECK_INT_EQ(check_meta(two, &err), RT_ESTATE);
    CHECK_INT_EQ(check_meta_with(rescalable_lookup, two, &err), 0);
    /* The type must still match. */
    CHECK_INT_EQ(check_meta_with(rescalable_lookup,
                                 "\"gen\":{\"type\":\"datagen\",\"parallelism\":2,"
                                 "\"state_bytes\":1}",
                                 &err),
                 RT_ESTATE);
}

TEST(metadata_check_names_the_operator_that_does_not_fit)
{
    rt_err err;
    CHECK_INT_EQ(check_meta("\"gen\":{\"type\":\"test_source\",\"parallelism\":3,"
                            "\"state_bytes\":10},"
                            "\"out\":{\"type\":\"test_sink\",\"parallelism\":1,\"state_bytes\":0}",
                            &err),
                 0);
    CHECK_INT_EQ(check_meta("\"gen\":{\"type\":\"test_source\",\"parallelism\":2,"
                            "\"state_bytes\":10}",
                            &err),
                 RT_ESTATE);
    CHECK_STR_EQ(err.msg, "operator 'gen': checkpoint 12 holds state of 2 subtasks, the job has "
                          "parallelism 3");
    CHECK_INT_EQ(check_meta("\"old\":{\"type\":\"test_source\",\"parallelism\":1,"
                            "\"state_bytes\":1}",
                            &err),
                 RT_ESTATE);
    CHECK_STR_EQ(err.msg, "operator 'old' has state in checkpoint 12 but is not in the job");
    CHECK_INT_EQ(
        check_meta("\"gen\":{\"type\":\"datagen\",\"parallelism\":3,\"state_bytes\":1}", &err),
        RT_ESTATE);
    CHECK_STR_EQ(err.msg, "operator 'gen': checkpoint 12 holds state of type datagen, the job "
                          "says test_source");
    /* Without state, an operator may change or go. */
    CHECK_INT_EQ(check_meta("\"gone\":{\"type\":\"x\",\"parallelism\":9,\"state_bytes\":0},"
                            "\"out\":{\"type\":\"test_map\",\"parallelism\":4,\"state_bytes\":0}",
                            &err),
                 0);
    CHECK_INT_EQ(check_meta("\"gen\":{\"type\":\"test_source\"}", &err), RT_ECORRUPT);
    CHECK_STR_CONTAINS(err.msg, "operator 'gen' is malformed");
    graph_job *g = NULL;
    graph_codec_parse(TWO, strlen(TWO), &test_ops_catalog, &g, &err);
    CHECK_INT_EQ(rt_checkpoint_metadata_check(g, NULL, 12, "{not json", &err), RT_ECORRUPT);
    CHECK_STR_CONTAINS(err.msg, "checkpoint 12: metadata: ");
    CHECK_INT_EQ(rt_checkpoint_metadata_check(g, NULL, 12, "[]", &err), RT_ECORRUPT);
    graph_job_free(g);
}

int main(int argc, char **argv)
{
    const char *level = getenv("SLUICE_TEST_LOG");
    rt_log_level lv = RT_LOG_ERROR;
    if (level)
        rt_log_level_parse(level, &lv);
    rt_log_set_level(lv);
    return test_run_all(argc, argv);
}
