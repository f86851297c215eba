/* The job master's additions the daemon relies on (savepoints that do not stop, checkpoint history
 * across attempts, per-vertex metrics, wall times), and a hosted job that restarts after a
 * transient failure (the file sink's commit failpoint): the manager logs and shows the restart and
 * the failure, keeps the history, and the output stays exactly once. Failpoints are global, so
 * these tests live in their own executable. */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "graph/codec.h"
#include "operators/registry.h"
#include "runtime/base/clock.h"
#include "runtime/base/failpoint.h"
#include "runtime/daemon/job_manager.h"
#include "runtime/job_master.h"
#include "state/backend.h"
#include "tests/harness/test.h"

#define ROWS 20000

static graph_job *parse(const char *text)
{
    graph_job *g = NULL;
    rt_err err = {0};
    CHECK_OK(graph_codec_parse(text, strlen(text), op_registry_catalog(), &g, &err), &err);
    return g;
}

TEST(master_savepoint_history_metrics_times)
{
    const char *text = "{\"name\": \"jm\", \"checkpoint\": {\"interval\": \"100ms\"}, "
                       "\"operators\": [{\"id\": \"gen\", \"type\": \"datagen\", \"config\": "
                       "{\"rate\": 20000, \"rows\": 20000}}, {\"id\": \"sink\", \"type\": "
                       "\"blackhole\", \"inputs\": [\"gen\"]}]}";
    graph_job *g = parse(text);
    if (!g)
        return;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/jm", test_tmpdir());
    rt_job_master_options o = {.data_dir = dir};
    rt_job_master *jm = NULL;
    rt_err err = {0};
    int64_t before = rt_clock_wall_ms();
    CHECK_OK(rt_job_master_new(g, op_registry_find, &o, &jm, &err), &err);
    CHECK_INT_EQ((int)rt_job_master_start_time(jm), 0);
    CHECK_OK(rt_job_master_start(jm, &err), &err);
    CHECK(rt_job_master_start_time(jm) >= before);
    CHECK_INT_EQ((int)rt_job_master_end_time(jm), 0);
    for (int i = 0; i < 200 && rt_job_master_status_get(jm) != RT_JOB_MASTER_RUNNING; i++)
        rt_sleep_ms(10);

    char path[4096] = "";
    CHECK_OK(rt_job_master_trigger_savepoint(jm, path, sizeof path, &err), &err);
    char meta[4200];
    snprintf(meta, sizeof meta, "%s/_metadata", path);
    struct stat st;
    CHECK(stat(meta, &st) == 0);
    CHECK_STR_CONTAINS(path, "/savepoints/savepoint-");
    /* the job goes on to its end */
    CHECK_INT_EQ(rt_job_master_wait(jm, 30000), RT_JOB_MASTER_FINISHED);
    CHECK(rt_job_master_end_time(jm) >= rt_job_master_start_time(jm));
    CHECK_INT_EQ(rt_job_master_trigger_savepoint(jm, path, sizeof path, &err), RT_ESTATE);

    rt_checkpoint_stats h[RT_JOB_MASTER_HISTORY];
    size_t n = rt_job_master_checkpoint_history(jm, h, RT_JOB_MASTER_HISTORY);
    CHECK(n >= 2);
    bool savepoint = false;
    for (size_t i = 0; i < n; i++) {
        savepoint = savepoint || (h[i].savepoint && h[i].status == RT_CHECKPOINT_COMPLETED);
        if (i > 0)
            CHECK(h[i].id > h[i - 1].id);
    }
    CHECK(savepoint);
    /* max is honoured and keeps the newest */
    rt_checkpoint_stats last;
    CHECK_UINT_EQ(rt_job_master_checkpoint_history(jm, &last, 1), 1);
    CHECK_UINT_EQ(last.id, h[n - 1].id);

    rt_vertex_metrics vm;
    rt_job_master_vertex_metrics(jm, 1, &vm);
    CHECK_UINT_EQ(vm.records_in, ROWS);
    CHECK(vm.batches_in > 0);
    rt_job_master_vertex_metrics(jm, 0, &vm);
    CHECK_UINT_EQ(vm.records_out, ROWS);
    rt_job_master_vertex_metrics(jm, 7, &vm); /* out of range: zeros */
    CHECK_UINT_EQ(vm.records_out, 0);
    CHECK_INT_EQ(rt_job_master_last_error(jm, &err), RT_ENOTFOUND);
    rt_job_master_free(jm);

    /* without a data directory there is nowhere to write one */
    o.data_dir = NULL;
    CHECK_OK(rt_job_master_new(g, op_registry_find, &o, &jm, &err), &err);
    CHECK_OK(rt_job_master_start(jm, &err), &err);
    CHECK_INT_EQ(rt_job_master_trigger_savepoint(jm, path, sizeof path, &err), RT_EINVAL);
    rt_job_master_free(jm);
    graph_job_free(g);
}

static json_t *job_view(rt_job_manager *m, const char *id)
{
    char *text = NULL;
    rt_err err = {0};
    int rc = rt_job_manager_job_json(m, id, &text, &err);
    CHECK_OK(rc, &err);
    json_t *v = rc == 0 ? json_loads(text, 0, NULL) : NULL;
    free(text);
    return v;
}

/* Ids in the committed parts: every one once, 1..max with no gap. */
static long check_parts(const char *dir)
{
    static unsigned char seen[1 << 20];
    memset(seen, 0, sizeof seen);
    long max = 0, dups = 0, missing = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    static const char prefix[] = "{\"op\":\"+I\",\"table\":\"gen.rows\",\"data\":{\"id\":";
    while (d && (e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "part-", 5) != 0)
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        char *text = test_read_file(path, NULL);
        for (char *l = text; l && *l;) {
            char *nl = strchr(l, '\n');
            long id = strtol(l + sizeof prefix - 1, NULL, 10);
            CHECK(strncmp(l, prefix, sizeof prefix - 1) == 0 && id > 0 && id < (1 << 20));
            if (id > 0 && id < (1 << 20)) {
                dups += seen[id];
                seen[id] = 1;
                max = id > max ? id : max;
            }
            l = nl ? nl + 1 : NULL;
        }
        free(text);
    }
    if (d)
        closedir(d);
    for (long i = 1; i <= max; i++)
        missing += !seen[i];
    CHECK_INT_EQ((int)dups, 0);
    CHECK_INT_EQ((int)missing, 0);
    return max;
}

TEST(restart_after_transient_failure)
{
    char dir[1024], out[1024];
    snprintf(dir, sizeof dir, "%s/restart", test_tmpdir());
    snprintf(out, sizeof out, "%s/restart-out", test_tmpdir());
    mkdir(out, 0755);
    rt_err err = {0};
    /* The 4th commit fails with RT_EIO: a transient failure, so the job restarts. */
    CHECK_OK(rt_failpoint_init("sink.before_commit=error@4", &err), &err);
    rt_job_manager_options o = {.data_dir = dir, .lookup = op_registry_find};
    rt_job_manager *m = NULL;
    CHECK_OK(rt_job_manager_open(&o, &m, &err), &err);
    if (!m)
        return;
    char text[2048], id[RT_JOB_ID_LEN + 1];
    snprintf(text, sizeof text,
             "{\"name\": \"rs\", \"checkpoint\": {\"interval\": \"100ms\"}, \"restart\": "
             "{\"strategy\": \"fixed-delay\", \"attempts\": 3, \"delay\": \"50ms\"}, "
             "\"operators\": [{\"id\": \"gen\", \"type\": \"datagen\", \"config\": "
             "{\"rate\": 5000}}, {\"id\": \"out\", \"type\": \"file\", \"inputs\": [\"gen\"], "
             "\"config\": {\"path\": \"%s\"}}]}",
             out);
    CHECK_OK(rt_job_manager_submit(m, text, strlen(text), id, &err), &err);
    json_t *v = NULL;
    int64_t deadline = rt_clock_mono_ms() + 30000;
    for (;;) {
        json_decref(v);
        v = job_view(m, id);
        const char *st = json_string_value(json_object_get(v, "state"));
        if ((json_integer_value(json_object_get(v, "restarts")) == 1 && st &&
             strcmp(st, "RUNNING") == 0) ||
            rt_clock_mono_ms() > deadline)
            break;
        rt_sleep_ms(50);
    }
    CHECK_INT_EQ((int)json_integer_value(json_object_get(v, "restarts")), 1);
    CHECK_STR_EQ(json_string_value(json_object_get(v, "state")), "RUNNING");
    CHECK_STR_CONTAINS(json_string_value(json_object_get(v, "last-failure")),
                       "failpoint sink.before_commit");
    json_decref(v);
    rt_sleep_ms(400);

    /* the history holds the failed attempt's checkpoints and the new one's */
    char *cp = NULL;
    CHECK_OK(rt_job_manager_checkpoints_json(m, id, &cp, &err), &err);
    v = cp ? json_loads(cp, 0, NULL) : NULL;
    free(cp);
    json_t *hist = json_object_get(v, "history");
    json_int_t newest = json_integer_value(json_object_get(json_array_get(hist, 0), "id"));
    json_int_t oldest =
        json_integer_value(json_object_get(json_array_get(hist, json_array_size(hist) - 1), "id"));
    CHECK(oldest <= 3);
    CHECK(newest > 4);
    json_decref(v);

    char trig[RT_JOB_ID_LEN + 1];
    CHECK_OK(rt_job_manager_savepoint(m, id, true, trig, &err), &err);
    deadline = rt_clock_mono_ms() + 30000;
    for (bool done = false; !done && rt_clock_mono_ms() < deadline;) {
        char *t = NULL;
        CHECK_OK(rt_job_manager_trigger_json(m, id, trig, &t, &err), &err);
        done = !t || strstr(t, "IN_PROGRESS") == NULL;
        free(t);
        rt_sleep_ms(done ? 0 : 50);
    }
    while (rt_job_manager_active_count(m) > 0 && rt_clock_mono_ms() < deadline)
        rt_sleep_ms(50);
    v = job_view(m, id);
    CHECK_STR_EQ(json_string_value(json_object_get(v, "state")), "STOPPED");
    CHECK_STR_CONTAINS(json_string_value(json_object_get(v, "savepoint")), "savepoint-");
    json_decref(v);
    CHECK(check_parts(out) > 0);
    rt_job_manager_close(m, false, 0);
    rt_failpoint_reset();
}

/* A job whose start fails transiently when the daemon resumes it (its data directory is locked
 * by someone else) is tried again, and runs once the directory is free. */
TEST(resume_retries_a_transient_start_failure)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/retry", test_tmpdir());
    rt_job_manager_options o = {.data_dir = dir, .lookup = op_registry_find};
    rt_job_manager *m = NULL;
    rt_err err = {0};
    CHECK_OK(rt_job_manager_open(&o, &m, &err), &err);
    if (!m)
        return;
    const char *text = "{\"name\": \"retry\", \"checkpoint\": {\"interval\": \"100ms\"}, "
                       "\"operators\": [{\"id\": \"gen\", \"type\": \"datagen\", \"config\": "
                       "{\"rate\": 1000}}, {\"id\": \"sink\", \"type\": \"blackhole\", "
                       "\"inputs\": [\"gen\"]}]}";
    char id[RT_JOB_ID_LEN + 1];
    CHECK_OK(rt_job_manager_submit(m, text, strlen(text), id, &err), &err);
    int64_t deadline = rt_clock_mono_ms() + 30000;
    while (rt_clock_mono_ms() < deadline) {
        json_t *v = job_view(m, id);
        bool running = v && strcmp(json_string_value(json_object_get(v, "state")), "RUNNING") == 0;
        json_decref(v);
        if (running)
            break;
        rt_sleep_ms(50);
    }
    rt_sleep_ms(300);
    rt_job_manager_close(m, false, 0);

    char jobdir[1200];
    snprintf(jobdir, sizeof jobdir, "%s/jobs/%s", dir, id);
    st_backend *held = NULL;
    CHECK_OK(st_backend_open(jobdir, &held, &err), &err);
    m = NULL;
    CHECK_OK(rt_job_manager_open(&o, &m, &err), &err);
    if (!m) {
        st_backend_close(held);
        return;
    }
    rt_sleep_ms(500);
    json_t *v = job_view(m, id);
    CHECK_STR_EQ(json_string_value(json_object_get(v, "state")), "CREATED");
    CHECK_STR_CONTAINS(json_string_value(json_object_get(v, "last-failure")), "lock");
    json_decref(v);
    CHECK_UINT_EQ(rt_job_manager_active_count(m), 1);
    st_backend_close(held);

    bool running = false;
    deadline = rt_clock_mono_ms() + 30000;
    while (!running && rt_clock_mono_ms() < deadline) {
        v = job_view(m, id);
        running = v && strcmp(json_string_value(json_object_get(v, "state")), "RUNNING") == 0;
        if (running)
            CHECK(json_integer_value(json_object_get(v, "restored-checkpoint")) > 0);
        json_decref(v);
        rt_sleep_ms(50);
    }
    CHECK(running);
    rt_job_manager_close(m, false, 0);
}

TEST_MAIN()
