/* The job manager driven directly, with real datagen -> file / blackhole jobs in a temporary data
 * directory: submit and the JSON views, savepoints and stop, resubmitting from a savepoint with
 * exactly-once output across both runs, resuming after close/open, the data directory lock,
 * cancel and forget across a reopen, validation errors, duplicate names, and merged metrics. */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "operators/registry.h"
#include "runtime/base/clock.h"
#include "runtime/daemon/job_manager.h"
#include "runtime/daemon/job_text.h"
#include "tests/harness/test.h"

#define WAIT_MS 30000

static const char *subdir(const char *name)
{
    static char path[4][1024];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", test_tmpdir(), name);
    mkdir(p, 0755);
    return p;
}

static rt_job_manager *open_dir(const char *dir)
{
    rt_job_manager_options o = {.data_dir = dir, .lookup = op_registry_find};
    rt_job_manager *m = NULL;
    rt_err err = {0};
    CHECK_OK(rt_job_manager_open(&o, &m, &err), &err);
    return m;
}

/* A rate-limited, unbounded datagen -> file job checkpointing every 200 ms. */
static char *file_job(const char *name, const char *out, const char *savepoint)
{
    char *s = NULL;
    char sp[1200] = "";
    if (savepoint)
        snprintf(sp, sizeof sp, "\"savepoint\": \"%s\", ", savepoint);
    if (asprintf(&s,
                 "{%s\"name\": \"%s\", \"checkpoint\": {\"interval\": \"200ms\"}, "
                 "\"operators\": [{\"id\": \"gen\", \"type\": \"datagen\", \"config\": "
                 "{\"rate\": 3000}}, {\"id\": \"out\", \"type\": \"file\", \"inputs\": [\"gen\"], "
                 "\"config\": {\"path\": \"%s\"}}]}",
                 sp, name, out) < 0)
        abort();
    return s;
}

static char *blackhole_job(const char *name)
{
    char *s = NULL;
    if (asprintf(&s,
                 "{\"name\": \"%s\", \"checkpoint\": {\"interval\": \"200ms\"}, "
                 "\"operators\": [{\"id\": \"gen\", \"type\": \"datagen\", \"config\": "
                 "{\"rate\": 1000}}, {\"id\": \"sink\", \"type\": \"blackhole\", "
                 "\"inputs\": [\"gen\"]}]}",
                 name) < 0)
        abort();
    return s;
}

static int submit(rt_job_manager *m, const char *text, char id[RT_JOB_ID_LEN + 1], rt_err *err)
{
    return rt_job_manager_submit(m, text, strlen(text), id, err);
}

/* text is read after rc is computed: a pointer, since argument order is unspecified. */
static json_t *view(int rc, char **textp)
{
    char *text = *textp;
    *textp = NULL;
    CHECK_INT_EQ(rc, 0);
    if (rc != 0)
        return NULL;
    json_error_t jerr;
    json_t *v = json_loads(text, 0, &jerr);
    if (!v)
        test_fail(__FILE__, __LINE__, "not JSON: %s: %s", jerr.text, text);
    free(text);
    return v;
}

static json_t *job_view(rt_job_manager *m, const char *id)
{
    char *text = NULL;
    rt_err err = {0};
    return view(rt_job_manager_job_json(m, id, &text, &err), &text);
}

static const char *state_of(json_t *job)
{
    return json_string_value(json_object_get(job, "state"));
}

/* Waits until the job is in state; false (after a failure) if it is not within WAIT_MS. */
static bool wait_state(rt_job_manager *m, const char *id, const char *state)
{
    int64_t deadline = rt_clock_mono_ms() + WAIT_MS;
    char last[32] = "";
    while (rt_clock_mono_ms() < deadline) {
        json_t *j = job_view(m, id);
        const char *s = j ? state_of(j) : NULL;
        snprintf(last, sizeof last, "%s", s ? s : "?");
        bool ok = s && strcmp(s, state) == 0;
        json_decref(j);
        if (ok)
            return true;
        rt_sleep_ms(50);
    }
    test_fail(__FILE__, __LINE__, "job %s: want %s, still %s", id, state, last);
    return false;
}

static json_int_t completed_checkpoints(rt_job_manager *m, const char *id)
{
    char *text = NULL;
    rt_err err = {0};
    json_t *v = view(rt_job_manager_checkpoints_json(m, id, &text, &err), &text);
    json_int_t n = json_integer_value(json_object_get(json_object_get(v, "counts"), "completed"));
    json_decref(v);
    return n;
}

static bool wait_checkpoints(rt_job_manager *m, const char *id, json_int_t n)
{
    int64_t deadline = rt_clock_mono_ms() + WAIT_MS;
    while (rt_clock_mono_ms() < deadline) {
        if (completed_checkpoints(m, id) >= n)
            return true;
        rt_sleep_ms(50);
    }
    test_fail(__FILE__, __LINE__, "job %s: fewer than %lld checkpoints completed", id,
              (long long)n);
    return false;
}

/* Waits for the trigger to end; returns its location (malloc'd) or NULL after a failure. */
static char *wait_trigger(rt_job_manager *m, const char *id, const char *trigger)
{
    int64_t deadline = rt_clock_mono_ms() + WAIT_MS;
    while (rt_clock_mono_ms() < deadline) {
        char *text = NULL;
        rt_err err = {0};
        json_t *v = view(rt_job_manager_trigger_json(m, id, trigger, &text, &err), &text);
        const char *st = json_string_value(json_object_get(json_object_get(v, "status"), "id"));
        if (st && strcmp(st, "COMPLETED") == 0) {
            json_t *op = json_object_get(v, "operation");
            const char *loc = json_string_value(json_object_get(op, "location"));
            char *r = loc ? strdup(loc) : NULL;
            if (!r)
                test_fail(__FILE__, __LINE__, "trigger failed: %s",
                          json_string_value(
                              json_object_get(json_object_get(op, "failure-cause"), "message")));
            json_decref(v);
            return r;
        }
        CHECK_STR_EQ(st, "IN_PROGRESS");
        json_decref(v);
        rt_sleep_ms(50);
    }
    test_fail(__FILE__, __LINE__, "trigger %s did not complete", trigger);
    return NULL;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Counts each id in the committed part files of dir: *max the highest, *dups ids seen twice,
 * *missing ids in 1..max never seen. */
static void read_parts(const char *dir, long *max, long *dups, long *missing)
{
    size_t cap = 1 << 20;
    unsigned char *seen = calloc(cap, 1);
    *max = 0;
    *dups = 0;
    *missing = 0;
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    struct dirent *e;
    static const char prefix[] = "{\"op\":\"+I\",\"table\":\"gen.rows\",\"data\":{\"id\":";
    while (d && (e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (strncmp(e->d_name, "part-", 5) != 0 || n < 6 || strcmp(e->d_name + n - 6, ".jsonl"))
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        char *text = test_read_file(path, NULL);
        CHECK(text != NULL);
        for (char *line = text; line && *line;) {
            char *nl = strchr(line, '\n');
            if (nl)
                *nl = '\0';
            CHECK(strncmp(line, prefix, sizeof prefix - 1) == 0);
            long id = strtol(line + sizeof prefix - 1, NULL, 10);
            CHECK(id > 0 && (size_t)id < cap);
            if (id > 0 && (size_t)id < cap) {
                if (seen[id])
                    (*dups)++;
                seen[id] = 1;
                if (id > *max)
                    *max = id;
            }
            line = nl ? nl + 1 : NULL;
        }
        free(text);
    }
    if (d)
        closedir(d);
    for (long i = 1; i <= *max; i++)
        *missing += !seen[i];
    free(seen);
}

TEST(views_savepoint_stop_and_resubmit_exactly_once)
{
    const char *dir = subdir("sp");
    const char *out = subdir("sp-out");
    rt_job_manager *m = open_dir(dir);
    if (!m)
        return;
    char id[RT_JOB_ID_LEN + 1], trig[RT_JOB_ID_LEN + 1];
    rt_err err = {0};
    char *text = file_job("sp", out, NULL);
    CHECK_OK(submit(m, text, id, &err), &err);
    free(text);
    CHECK_INT_EQ((int)strlen(id), RT_JOB_ID_LEN);
    CHECK_UINT_EQ(rt_job_manager_active_count(m), 1);
    if (!wait_state(m, id, "RUNNING") || !wait_checkpoints(m, id, 2))
        goto done;

    /* list and overview */
    char *t = NULL;
    json_t *v = view(rt_job_manager_list_json(m, &t, &err), &t);
    json_t *j0 = json_array_get(json_object_get(v, "jobs"), 0);
    CHECK_STR_EQ(json_string_value(json_object_get(j0, "id")), id);
    CHECK_STR_EQ(json_string_value(json_object_get(j0, "status")), "RUNNING");
    json_decref(v);
    v = view(rt_job_manager_overview_json(m, &t, &err), &t);
    j0 = json_array_get(json_object_get(v, "jobs"), 0);
    CHECK_STR_EQ(json_string_value(json_object_get(j0, "jid")), id);
    CHECK_STR_EQ(json_string_value(json_object_get(j0, "name")), "sp");
    CHECK(json_integer_value(json_object_get(j0, "start-time")) > 0);
    CHECK_INT_EQ((int)json_integer_value(json_object_get(j0, "end-time")), -1);
    CHECK(json_is_integer(json_object_get(j0, "duration")));
    CHECK_INT_EQ((int)json_integer_value(json_object_get(j0, "restarts")), 0);
    json_decref(v);

    /* the job view */
    v = job_view(m, id);
    CHECK(json_is_null(json_object_get(v, "restored-checkpoint")));
    CHECK(json_is_null(json_object_get(v, "last-failure")));
    json_t *plan = json_object_get(v, "plan");
    CHECK_INT_EQ((int)json_integer_value(json_object_get(plan, "tasks")), 1);
    CHECK_INT_EQ((int)json_array_size(json_object_get(plan, "chains")), 1);
    json_t *vs = json_object_get(v, "vertices");
    CHECK_INT_EQ((int)json_array_size(vs), 2);
    CHECK_STR_EQ(json_string_value(json_object_get(json_array_get(vs, 0), "id")), "gen");
    CHECK_STR_EQ(json_string_value(json_object_get(json_array_get(vs, 1), "type")), "file");
    json_t *vm = json_object_get(json_array_get(vs, 1), "metrics");
    CHECK(json_integer_value(json_object_get(vm, "read-records")) > 0);
    CHECK(json_is_integer(json_object_get(vm, "write-batches")));
    CHECK_STR_EQ(json_string_value(json_object_get(json_object_get(v, "job"), "name")), "sp");
    json_decref(v);

    /* checkpoints */
    v = view(rt_job_manager_checkpoints_json(m, id, &t, &err), &t);
    json_t *latest = json_object_get(json_object_get(v, "latest"), "completed");
    CHECK_STR_EQ(json_string_value(json_object_get(latest, "status")), "COMPLETED");
    CHECK(json_is_false(json_object_get(latest, "is_savepoint")));
    json_t *hist = json_object_get(v, "history");
    CHECK(json_array_size(hist) >= 2);
    /* newest first */
    CHECK(json_integer_value(json_object_get(json_array_get(hist, 0), "id")) >
          json_integer_value(json_object_get(json_array_get(hist, 1), "id")));
    json_decref(v);

    /* a savepoint that does not stop */
    CHECK_OK(rt_job_manager_savepoint(m, id, false, trig, &err), &err);
    char *loc = wait_trigger(m, id, trig);
    if (loc) {
        char meta[4200];
        snprintf(meta, sizeof meta, "%s/_metadata", loc);
        CHECK(exists(meta));
        CHECK_STR_CONTAINS(loc, "/savepoints/savepoint-");
    }
    free(loc);
    v = job_view(m, id);
    CHECK_STR_EQ(state_of(v), "RUNNING");
    json_decref(v);
    v = view(rt_job_manager_checkpoints_json(m, id, &t, &err), &t);
    json_t *sp = json_object_get(json_object_get(v, "latest"), "savepoint");
    CHECK(json_is_true(json_object_get(sp, "is_savepoint")));
    json_decref(v);
    CHECK_INT_EQ(rt_job_manager_trigger_json(m, id, "0123", &t, &err), RT_ENOTFOUND);

    /* stop with a savepoint */
    CHECK_OK(rt_job_manager_savepoint(m, id, true, trig, &err), &err);
    loc = wait_trigger(m, id, trig);
    if (!loc || !wait_state(m, id, "STOPPED")) {
        free(loc);
        goto done;
    }
    CHECK_UINT_EQ(rt_job_manager_active_count(m), 0);
    CHECK_INT_EQ(rt_job_manager_savepoint(m, id, false, trig, &err), RT_ESTATE);
    long max1, dups, missing;
    read_parts(out, &max1, &dups, &missing);
    CHECK(max1 > 0);
    CHECK_INT_EQ((int)dups, 0);
    CHECK_INT_EQ((int)missing, 0);

    /* the same name again, from the savepoint, into the same directory */
    char id2[RT_JOB_ID_LEN + 1];
    text = file_job("sp", out, loc);
    CHECK_OK(submit(m, text, id2, &err), &err);
    free(text);
    free(loc);
    if (!wait_state(m, id2, "RUNNING"))
        goto done;
    v = job_view(m, id2);
    CHECK(json_integer_value(json_object_get(v, "restored-checkpoint")) > 0);
    json_decref(v);
    wait_checkpoints(m, id2, 3);
    CHECK_OK(rt_job_manager_savepoint(m, id2, true, trig, &err), &err);
    loc = wait_trigger(m, id2, trig);
    free(loc);
    wait_state(m, id2, "STOPPED");
    long max2;
    read_parts(out, &max2, &dups, &missing);
    CHECK(max2 > max1);
    CHECK_INT_EQ((int)dups, 0);
    CHECK_INT_EQ((int)missing, 0);
done:
    rt_job_manager_close(m, false, 0);
}

TEST(resume_after_close_and_lock)
{
    const char *dir = subdir("resume");
    const char *out = subdir("resume-out");
    rt_job_manager *m = open_dir(dir);
    if (!m)
        return;
    char id[RT_JOB_ID_LEN + 1];
    rt_err err = {0};
    char *text = file_job("resume", out, NULL);
    CHECK_OK(submit(m, text, id, &err), &err);
    free(text);
    wait_state(m, id, "RUNNING");
    wait_checkpoints(m, id, 2);

    /* a second manager on the same directory */
    rt_job_manager_options o = {.data_dir = dir, .lookup = op_registry_find};
    rt_job_manager *m2 = NULL;
    CHECK_INT_EQ(rt_job_manager_open(&o, &m2, &err), RT_EBUSY);
    CHECK_STR_CONTAINS(err.msg, "in use by another sluiced");
    CHECK(m2 == NULL);

    /* the store and the data directory are private */
    char path[1200];
    struct stat st;
    snprintf(path, sizeof path, "%s/daemon.db", dir);
    CHECK(stat(path, &st) == 0 && (st.st_mode & 077) == 0);

    /* a crash-like stop (cancel): the next open resumes from the latest checkpoint */
    rt_job_manager_close(m, false, 0);
    m = open_dir(dir);
    if (!m)
        return;
    if (wait_state(m, id, "RUNNING")) {
        json_t *v = job_view(m, id);
        CHECK(json_integer_value(json_object_get(v, "restored-checkpoint")) > 0);
        json_decref(v);
    }
    wait_checkpoints(m, id, 1);

    /* a clean stop with savepoints: resumes too, and the output stays exactly once */
    rt_job_manager_close(m, true, 20000);
    m = open_dir(dir);
    if (!m)
        return;
    if (wait_state(m, id, "RUNNING")) {
        json_t *v = job_view(m, id);
        CHECK(json_integer_value(json_object_get(v, "restored-checkpoint")) > 0);
        json_decref(v);
    }
    char trig[RT_JOB_ID_LEN + 1];
    wait_checkpoints(m, id, 1);
    CHECK_OK(rt_job_manager_savepoint(m, id, true, trig, &err), &err);
    free(wait_trigger(m, id, trig));
    wait_state(m, id, "STOPPED");
    long max, dups, missing;
    read_parts(out, &max, &dups, &missing);
    CHECK(max > 0);
    CHECK_INT_EQ((int)dups, 0);
    CHECK_INT_EQ((int)missing, 0);
    rt_sleep_ms(500); /* let the worker persist the end */
    rt_job_manager_close(m, false, 0);

    /* stopped stays stopped, with its savepoint */
    m = open_dir(dir);
    if (!m)
        return;
    rt_sleep_ms(300);
    CHECK_UINT_EQ(rt_job_manager_active_count(m), 0);
    json_t *v = job_view(m, id);
    CHECK_STR_EQ(state_of(v), "STOPPED");
    CHECK_STR_CONTAINS(json_string_value(json_object_get(v, "savepoint")),
                       "/savepoints/savepoint-");
    CHECK(json_integer_value(json_object_get(v, "end-time")) >=
          json_integer_value(json_object_get(v, "start-time")));
    json_decref(v);
    rt_job_manager_close(m, false, 0);
}

TEST(cancel_persists_and_forget)
{
    const char *dir = subdir("cancel");
    rt_job_manager *m = open_dir(dir);
    if (!m)
        return;
    char id[RT_JOB_ID_LEN + 1];
    rt_err err = {0};
    char *text = blackhole_job("cancel-me");
    CHECK_OK(submit(m, text, id, &err), &err);
    wait_state(m, id, "RUNNING");
    CHECK_INT_EQ(rt_job_manager_forget(m, id, &err), RT_ESTATE);
    CHECK_OK(rt_job_manager_cancel(m, id, &err), &err);
    wait_state(m, id, "CANCELED");
    CHECK_OK(rt_job_manager_cancel(m, id, &err), &err); /* terminal: left as it is */
    CHECK_INT_EQ(rt_job_manager_cancel(m, "ffff", &err), RT_ENOTFOUND);
    rt_sleep_ms(500); /* let the worker persist the end */
    rt_job_manager_close(m, false, 0);

    m = open_dir(dir);
    if (!m) {
        free(text);
        return;
    }
    rt_sleep_ms(500);
    json_t *v = job_view(m, id);
    CHECK_STR_EQ(state_of(v), "CANCELED");
    CHECK(json_integer_value(json_object_get(v, "end-time")) > 0);
    json_decref(v);
    CHECK_UINT_EQ(rt_job_manager_active_count(m), 0);
    /* the name is free again */
    char id2[RT_JOB_ID_LEN + 1];
    CHECK_OK(submit(m, text, id2, &err), &err);
    CHECK_OK(rt_job_manager_cancel(m, id2, &err), &err);

    CHECK_OK(rt_job_manager_forget(m, id, &err), &err);
    char *t = NULL;
    CHECK_INT_EQ(rt_job_manager_job_json(m, id, &t, &err), RT_ENOTFOUND);
    CHECK_INT_EQ(rt_job_manager_forget(m, id, &err), RT_ENOTFOUND);
    char path[1200];
    snprintf(path, sizeof path, "%s/jobs/%s", dir, id);
    CHECK(!exists(path));
    json_t *l = view(rt_job_manager_list_json(m, &t, &err), &t);
    json_t *jobs = json_object_get(l, "jobs");
    for (size_t i = 0; i < json_array_size(jobs); i++)
        CHECK(strcmp(json_string_value(json_object_get(json_array_get(jobs, i), "id")), id) != 0);
    json_decref(l);
    rt_job_manager_close(m, false, 0);

    /* forgotten stays forgotten */
    m = open_dir(dir);
    if (m) {
        CHECK_INT_EQ(rt_job_manager_job_json(m, id, &t, &err), RT_ENOTFOUND);
        rt_job_manager_close(m, false, 0);
    }
    free(text);
}

TEST(bad_text_duplicates_and_secrets)
{
    const char *dir = subdir("bad");
    rt_job_manager *m = open_dir(dir);
    if (!m)
        return;
    char id[RT_JOB_ID_LEN + 1];
    rt_err err = {0};
    const char *bad = "{\"name\": \"b\", \"operators\": [{\"id\": \"g\", \"type\": \"datagen\", "
                      "\"config\": {\"rows\": \"many\"}}, {\"id\": \"s\", \"type\": "
                      "\"blackhole\", \"inputs\": [\"g\"]}]}";
    CHECK_INT_EQ(submit(m, bad, id, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "$.operators[0].config.rows");
    CHECK_INT_EQ(submit(m, "[1, 2]", id, &err), RT_EINVAL);
    CHECK_INT_EQ(submit(m, "{\"name\": ", id, &err), RT_EINVAL);
    CHECK_INT_EQ(submit(m, "{\"savepoint\": 3, \"name\": \"x\"}", id, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "$.savepoint");
    char *nosp = file_job("nosp", subdir("nosp-out"), "/nonexistent/savepoint-1");
    CHECK_INT_EQ(submit(m, nosp, id, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "$.savepoint: no savepoint at /nonexistent/savepoint-1");
    free(nosp);

    char *text = blackhole_job("dup");
    CHECK_OK(submit(m, text, id, &err), &err);
    char id2[RT_JOB_ID_LEN + 1];
    CHECK_INT_EQ(submit(m, text, id2, &err), RT_EEXIST);
    CHECK_STR_CONTAINS(err.msg, id);
    free(text);

    /* a literal password: kept in the store, masked in every view. mysql_cdc validates without
     * connecting; the job then fails to connect to a port nobody listens on. */
    const char *cdc =
        "{\"name\": \"cdc\", \"restart\": {\"strategy\": \"none\"}, \"operators\": [{\"id\": "
        "\"src\", \"type\": \"mysql_cdc\", \"config\": {\"host\": \"127.0.0.1\", \"port\": 1, "
        "\"user\": \"u\", \"password\": \"hunter2-secret\", \"tables\": [\"db\\\\.t\"]}}, "
        "{\"id\": \"out\", \"type\": \"blackhole\", \"inputs\": [\"src\"]}]}";
    char cid[RT_JOB_ID_LEN + 1];
    int rc = submit(m, cdc, cid, &err);
    CHECK_OK(rc, &err);
    if (rc == 0) {
        char *t = NULL;
        CHECK_OK(rt_job_manager_job_json(m, cid, &t, &err), &err);
        if (t) {
            CHECK(strstr(t, "hunter2") == NULL);
            CHECK_STR_CONTAINS(t, "\"password\":\"***\"");
            free(t);
        }
        wait_state(m, cid, "FAILED");
        json_t *v = job_view(m, cid);
        CHECK(json_is_string(json_object_get(v, "last-failure")));
        json_decref(v);
    }
    rt_job_manager_close(m, false, 0);
}

TEST(max_jobs_busy)
{
    rt_job_manager_options o = {
        .data_dir = subdir("max"), .lookup = op_registry_find, .max_jobs = 1};
    rt_job_manager *m = NULL;
    rt_err err = {0};
    CHECK_OK(rt_job_manager_open(&o, &m, &err), &err);
    if (!m)
        return;
    char a[RT_JOB_ID_LEN + 1], b[RT_JOB_ID_LEN + 1];
    char *ta = blackhole_job("max-a"), *tb = blackhole_job("max-b");
    CHECK_OK(submit(m, ta, a, &err), &err);
    CHECK_INT_EQ(submit(m, tb, b, &err), RT_EBUSY);
    /* an ended job no longer counts */
    CHECK_OK(rt_job_manager_cancel(m, a, &err), &err);
    wait_state(m, a, "CANCELED");
    CHECK_OK(submit(m, tb, b, &err), &err);
    free(ta);
    free(tb);
    rt_job_manager_close(m, false, 0);
}

TEST(mask_function)
{
    const char *text = "{\"a\": {\"Password\": \"p1\", \"password_env\": \"PW\", \"list\": "
                       "[{\"token\": \"t1\"}, {\"x\": {\"db_secret\": \"s1\"}}], \"n\": 1}}";
    char *out = NULL;
    rt_err err = {0};
    CHECK_OK(rt_job_text_mask(text, strlen(text), &out, &err), &err);
    if (!out)
        return;
    CHECK(strstr(out, "p1") == NULL);
    CHECK(strstr(out, "t1") == NULL);
    CHECK(strstr(out, "s1") == NULL);
    CHECK_STR_CONTAINS(out, "\"password_env\":\"PW\"");
    CHECK_STR_CONTAINS(out, "\"Password\":\"***\"");
    CHECK_STR_CONTAINS(out, "\"n\":1");
    free(out);
    CHECK(rt_job_text_is_secret_key("TOKEN"));
    CHECK(rt_job_text_is_secret_key("api-secret"));
    CHECK(!rt_job_text_is_secret_key("passwords"));
    CHECK(!rt_job_text_is_secret_key("password_file"));

    char *graph = NULL, *sp = NULL;
    const char *body = "{\"savepoint\": \"/x/savepoint-3\", \"name\": \"j\"}";
    CHECK_OK(rt_job_text_split(body, strlen(body), &graph, &sp, &err), &err);
    CHECK_STR_EQ(sp, "/x/savepoint-3");
    CHECK_STR_EQ(graph, "{\"name\":\"j\"}");
    free(graph);
    free(sp);
}

/* Counts lines of text that start with prefix. */
static int count_lines(const char *text, const char *prefix)
{
    int n = 0;
    size_t plen = strlen(prefix);
    for (const char *l = text; l && *l;) {
        if (strncmp(l, prefix, plen) == 0)
            n++;
        l = strchr(l, '\n');
        l = l ? l + 1 : NULL;
    }
    return n;
}

TEST(metrics_merged)
{
    const char *dir = subdir("metrics");
    rt_job_manager *m = open_dir(dir);
    if (!m)
        return;
    char a[RT_JOB_ID_LEN + 1], b[RT_JOB_ID_LEN + 1];
    rt_err err = {0};
    char *ta = blackhole_job("job-a"), *tb = blackhole_job("job-b");
    CHECK_OK(submit(m, ta, a, &err), &err);
    CHECK_OK(submit(m, tb, b, &err), &err);
    free(ta);
    free(tb);
    wait_state(m, a, "RUNNING");
    wait_state(m, b, "RUNNING");
    rt_buf out;
    rt_buf_init(&out);
    CHECK_OK(rt_job_manager_metrics_text(m, &out, &err), &err);
    const char *t = out.data ? out.data : "";
    CHECK_INT_EQ(count_lines(t, "# TYPE sluice_records_in_total "), 1);
    CHECK_INT_EQ(count_lines(t, "# HELP sluice_records_in_total "), 1);
    CHECK_INT_EQ(count_lines(t, "sluice_records_in_total{job=\"job-a\",vertex=\"sink\""), 1);
    CHECK_INT_EQ(count_lines(t, "sluice_records_in_total{job=\"job-b\",vertex=\"sink\""), 1);
    if (test_failures_now())
        fputs(t, stderr);
    CHECK_INT_EQ(count_lines(t, "sluiced_jobs{state=\"RUNNING\"} 2"), 1);
    CHECK_INT_EQ(count_lines(t, "sluiced_submissions_total 2"), 1);
    /* every family's TYPE once, and its series right after it, never split */
    char seen[64][96];
    int nseen = 0;
    char cur[96] = "";
    for (const char *l = t; l && *l;) {
        const char *nl = strchr(l, '\n');
        size_t len = nl ? (size_t)(nl - l) : strlen(l);
        if (strncmp(l, "# TYPE ", 7) == 0) {
            const char *name = l + 7;
            size_t nlen = strcspn(name, " ");
            snprintf(cur, sizeof cur, "%.*s", (int)nlen, name);
            for (int i = 0; i < nseen; i++)
                if (strcmp(seen[i], cur) == 0)
                    test_fail(__FILE__, __LINE__, "TYPE %s twice", cur);
            if (nseen < 64)
                snprintf(seen[nseen++], sizeof seen[0], "%s", cur);
        } else if (l[0] != '#' && len > 0) {
            CHECK(strncmp(l, cur, strlen(cur)) == 0);
        }
        l = nl ? nl + 1 : NULL;
    }
    CHECK(nseen > 5);
    rt_buf_fini(&out);
    rt_job_manager_close(m, false, 0);
}

TEST_MAIN()
