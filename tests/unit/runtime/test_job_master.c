/* Tests of the job master: restarts after transient failures as the restart strategy allows, no
 * restart after a non-transient one, cancel (also during a backoff), and with a data directory
 * restore from the latest checkpoint and stop-with-savepoint. Uses a source of its own that fails
 * a set number of times (a static counter survives the restarts), and test_ops' test_sink. */
#include "runtime/job_master.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "graph/codec.h"
#include "runtime/base/clock.h"
#include "runtime/base/config.h"
#include "runtime/base/log.h"
#include "runtime/metrics.h"
#include "tests/harness/test.h"
#include "tests/unit/runtime/test_ops.h"

/* --- jm_source: test_source's rows, failing `fails_left` times after fail_after rows --- */

static atomic_int fails_left;

typedef struct jm_source_cfg {
    int64_t rows, batch, fail_after, sleep_ms;
    int code; /* 0: RT_EIO (transient), 1: RT_EINVAL (not) */
    bool unbounded;
} jm_source_cfg;

static const char *const fail_codes[] = {"EIO", "EINVAL", NULL};

static const rt_config_field jm_source_fields[] = {
    {.key = "rows", .type = RT_CFG_INT, .def = "1000", .offset = offsetof(jm_source_cfg, rows)},
    {.key = "batch", .type = RT_CFG_INT, .def = "100", .offset = offsetof(jm_source_cfg, batch)},
    {.key = "fail_after",
     .type = RT_CFG_INT,
     .def = "0",
     .offset = offsetof(jm_source_cfg, fail_after)},
    {.key = "sleep_ms",
     .type = RT_CFG_INT,
     .def = "0",
     .offset = offsetof(jm_source_cfg, sleep_ms)},
    {.key = "code",
     .type = RT_CFG_ENUM,
     .def = "\"EIO\"",
     .offset = offsetof(jm_source_cfg, code),
     .choices = fail_codes},
    {.key = "unbounded",
     .type = RT_CFG_BOOL,
     .def = "false",
     .offset = offsetof(jm_source_cfg, unbounded)},
    {.key = NULL},
};

typedef struct jm_source {
    const jm_source_cfg *cfg;
    const rt_table *table;
    int64_t next;
} jm_source;

static int jm_source_open(op_ctx *ctx, const void *config, void **self, rt_err *err)
{
    static const rt_column cols[] = {
        {.name = "id", .type = RT_TYPE_INT},
        {.name = "key", .type = RT_TYPE_INT, .primary_key = true},
    };
    rt_table *t = rt_table_new("test", "jm", cols, 2, err);
    if (!t)
        return err ? err->code : RT_EINVAL;
    jm_source *s = calloc(1, sizeof *s);
    s->cfg = config;
    s->table = rt_catalog_intern(op_ctx_catalog(ctx), t);
    *self = s;
    return 0;
}

/* Takes one of the failures left; true when this call should fail. */
static bool take_failure(void)
{
    int n = atomic_load(&fails_left);
    while (n > 0 && !atomic_compare_exchange_weak(&fails_left, &n, n - 1))
        ;
    return n > 0;
}

static int jm_source_poll(void *self, op_ctx *ctx, rt_err *err)
{
    jm_source *s = self;
    if (s->cfg->sleep_ms) {
        struct timespec ts = {.tv_sec = 0, .tv_nsec = s->cfg->sleep_ms * 1000000};
        nanosleep(&ts, NULL);
    }
    if (s->next >= s->cfg->fail_after && take_failure())
        return rt_err_set(err, s->cfg->code == 0 ? RT_EIO : RT_EINVAL, "jm boom at row %lld",
                          (long long)s->next);
    if (!s->cfg->unbounded && s->next >= s->cfg->rows)
        return OP_POLL_END;
    rt_batch *b = op_ctx_batch_new(ctx);
    if (!b)
        return rt_err_set(err, RT_ENOMEM, "no batch");
    for (int64_t i = 0; i < s->cfg->batch && (s->cfg->unbounded || s->next < s->cfg->rows); i++) {
        rt_record *r = rt_batch_add(b, RT_ROW_INSERT, s->table);
        int64_t n = s->next++;
        r->values[0] = (rt_value){.type = RT_TYPE_INT, .i = n};
        r->values[1] = (rt_value){.type = RT_TYPE_INT, .i = n};
    }
    int rc = op_ctx_emit(ctx, b, err);
    return rc < 0 ? rc : OP_POLL_MORE;
}

static void jm_source_close(void *self, op_ctx *ctx)
{
    free(self);
}

static const op_type jm_source_type = {
    .info = {.name = "jm_source",
             .kind = GRAPH_KIND_SOURCE,
             .config = jm_source_fields,
             .config_size = sizeof(jm_source_cfg)},
    .open = jm_source_open,
    .poll = jm_source_poll,
    .close = jm_source_close,
};

static const op_type *lookup(const char *type)
{
    return strcmp(type, "jm_source") == 0 ? &jm_source_type : test_ops_lookup(type);
}

static const graph_type_info *catalog_find(void *ctx, const char *type)
{
    const op_type *t = lookup(type);
    return t ? &t->info : NULL;
}

static void catalog_list(void *ctx, char *buf, size_t size)
{
    snprintf(buf, size, "jm_source, test_sink");
}

static const graph_catalog catalog = {.find = catalog_find, .list = catalog_list};

/* --- fixture --- */

typedef struct fixture {
    graph_job *graph;
    rt_job_master *jm;
} fixture;

/* A job "jm": jm_source (config src_cfg) -> test_sink, restart section `restart`, checkpoint
 * section `ckpt` (both JSON objects). */
static bool setup(fixture *f, const char *restart, const char *ckpt, const char *src_cfg,
                  const rt_job_master_options *opts)
{
    char json[2048];
    snprintf(json, sizeof json,
             "{\"name\":\"jm\",\"restart\":%s,\"checkpoint\":%s,\"operators\":["
             "{\"id\":\"src\",\"type\":\"jm_source\",\"config\":%s},"
             "{\"id\":\"out\",\"type\":\"test_sink\",\"inputs\":[\"src\"]}]}",
             restart, ckpt, src_cfg);
    memset(f, 0, sizeof *f);
    test_ops_reset();
    rt_err err;
    if (graph_codec_parse(json, strlen(json), &catalog, &f->graph, &err) != 0) {
        test_fail(__FILE__, __LINE__, "parse: %s", err.msg);
        return false;
    }
    rt_job_master_options none = {0};
    if (rt_job_master_new(f->graph, lookup, opts ? opts : &none, &f->jm, &err) != 0) {
        test_fail(__FILE__, __LINE__, "rt_job_master_new: %s", err.msg);
        graph_job_free(f->graph);
        return false;
    }
    return true;
}

static void teardown(fixture *f)
{
    rt_job_master_free(f->jm);
    graph_job_free(f->graph);
}

static rt_job_master_status start_and_wait(fixture *f)
{
    rt_err err, *errp = &err;
    CHECK_OK(rt_job_master_start(f->jm, &err), errp);
    rt_job_master_status s = rt_job_master_wait(f->jm, 60000);
    CHECK(rt_job_master_status_is_terminal(s));
    return s;
}

/* Polls until the master has status want (at most 10 s). */
static bool await_status(fixture *f, rt_job_master_status want)
{
    for (int i = 0; i < 1000; i++) {
        if (rt_job_master_status_get(f->jm) == want)
            return true;
        rt_sleep_ms(10);
    }
    test_fail(__FILE__, __LINE__, "status %s, want %s",
              rt_job_master_status_name(rt_job_master_status_get(f->jm)),
              rt_job_master_status_name(want));
    return false;
}

#define FIXED(attempts, delay)                                                                     \
    "{\"strategy\":\"fixed-delay\",\"attempts\":" #attempts ",\"delay\":\"" delay "\"}"
#define NO_CKPT "{}"

/* --- tests without a data directory --- */

TEST(status_names)
{
    CHECK_STR_EQ(rt_job_master_status_name(RT_JOB_MASTER_RESTARTING), "RESTARTING");
    CHECK_STR_EQ(rt_job_master_status_name(RT_JOB_MASTER_STOPPED), "STOPPED");
    CHECK(rt_job_master_status_is_terminal(RT_JOB_MASTER_STOPPED));
    CHECK(!rt_job_master_status_is_terminal(RT_JOB_MASTER_RESTARTING));
    rt_job_master_free(NULL);
}

TEST(transient_failure_restarts_and_finishes)
{
    fixture f;
    atomic_store(&fails_left, 1);
    if (!setup(&f, FIXED(3, "10ms"), NO_CKPT, "{\"rows\":1000,\"fail_after\":300}", NULL))
        return;
    CHECK_INT_EQ(start_and_wait(&f), RT_JOB_MASTER_FINISHED);
    CHECK_UINT_EQ(rt_job_master_attempts(f.jm), 2);
    CHECK_INT_EQ(atomic_load(&fails_left), 0);
    /* The failed attempt delivered 300 rows, the second all 1000 (no checkpoints: from scratch). */
    CHECK(test_ops_row_count() >= 1000 && test_ops_row_count() <= 1300);
    rt_err err;
    CHECK_INT_EQ(rt_job_master_failure(f.jm, &err), RT_ENOTFOUND);
    CHECK_UINT_EQ(rt_job_master_restored_checkpoint(f.jm), 0);
    teardown(&f);
}

typedef struct series_sum {
    const char *name, *vertex;
    size_t series;
    uint64_t sum;
} series_sum;

static int add_series(const rt_metric_sample *s, void *arg)
{
    series_sum *q = arg;
    if (strcmp(s->name, q->name) == 0 &&
        (q->vertex ? s->vertex && strcmp(s->vertex, q->vertex) == 0 : !s->vertex)) {
        q->series++;
        q->sum += s->count;
    }
    return 0;
}

static series_sum sum_of(rt_job_master *jm, const char *name, const char *vertex)
{
    series_sum q = {.name = name, .vertex = vertex};
    rt_metrics_visit(rt_job_master_metrics(jm), add_series, &q);
    return q;
}

/* A restart re-creates every task, which registers its series again: they must be the same
 * series (one per vertex and subtask), counting on across the attempts. */
TEST(restart_continues_the_metrics_series)
{
    fixture f;
    atomic_store(&fails_left, 2);
    if (!setup(&f, FIXED(3, "1ms"), NO_CKPT, "{\"rows\":1000,\"fail_after\":300}", NULL))
        return;
    CHECK_INT_EQ(start_and_wait(&f), RT_JOB_MASTER_FINISHED);
    CHECK_UINT_EQ(rt_job_master_attempts(f.jm), 3);
    series_sum q = sum_of(f.jm, "sluice_records_in_total", "out");
    CHECK_UINT_EQ(q.series, 1);
    /* Everything the sink saw in all three attempts. */
    CHECK_UINT_EQ(q.sum, test_ops_row_count());
    CHECK(q.sum >= 1000 + 2 * 300);
    q = sum_of(f.jm, "sluice_records_out_total", "src");
    CHECK_UINT_EQ(q.series, 1);
    CHECK_UINT_EQ(q.sum, test_ops_row_count());
    q = sum_of(f.jm, "sluice_job_restarts_total", NULL);
    CHECK_UINT_EQ(q.series, 1);
    CHECK_UINT_EQ(q.sum, 2);
    teardown(&f);
}

TEST(exponential_delay_restarts)
{
    fixture f;
    atomic_store(&fails_left, 3);
    if (!setup(&f, "{\"strategy\":\"exponential-delay\",\"initial\":\"5ms\",\"max\":\"20ms\"}",
               NO_CKPT, "{\"rows\":100,\"fail_after\":0}", NULL))
        return;
    CHECK_INT_EQ(start_and_wait(&f), RT_JOB_MASTER_FINISHED);
    CHECK_UINT_EQ(rt_job_master_attempts(f.jm), 4);
    teardown(&f);
}

TEST(attempts_exhausted_fails_with_task_message)
{
    fixture f;
    atomic_store(&fails_left, 100);
    if (!setup(&f, FIXED(2, "1ms"), NO_CKPT, "{\"rows\":1000,\"fail_after\":100}", NULL))
        return;
    CHECK_INT_EQ(start_and_wait(&f), RT_JOB_MASTER_FAILED);
    CHECK_UINT_EQ(rt_job_master_attempts(f.jm), 3);
    rt_err err = {0};
    CHECK_INT_EQ(rt_job_master_failure(f.jm, &err), 0);
    CHECK_INT_EQ(err.code, RT_EIO);
    CHECK_STR_CONTAINS(err.msg, "jm boom at row 100");
    CHECK_STR_CONTAINS(err.msg, "src");
    teardown(&f);
}

TEST(non_transient_failure_is_not_restarted)
{
    fixture f;
    atomic_store(&fails_left, 1);
    if (!setup(&f, FIXED(3, "1ms"), NO_CKPT, "{\"fail_after\":200,\"code\":\"EINVAL\"}", NULL))
        return;
    CHECK_INT_EQ(start_and_wait(&f), RT_JOB_MASTER_FAILED);
    CHECK_UINT_EQ(rt_job_master_attempts(f.jm), 1);
    rt_err err = {0};
    CHECK_INT_EQ(rt_job_master_failure(f.jm, &err), 0);
    CHECK_INT_EQ(err.code, RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "jm boom");
    teardown(&f);
}

TEST(strategy_none_fails_at_once)
{
    fixture f;
    atomic_store(&fails_left, 1);
    if (!setup(&f, "{\"strategy\":\"none\"}", NO_CKPT, "{\"fail_after\":0}", NULL))
        return;
    CHECK_INT_EQ(start_and_wait(&f), RT_JOB_MASTER_FAILED);
    CHECK_UINT_EQ(rt_job_master_attempts(f.jm), 1);
    rt_err err = {0};
    CHECK_INT_EQ(rt_job_master_failure(f.jm, &err), 0);
    CHECK_INT_EQ(err.code, RT_EIO);
    teardown(&f);
}

TEST(restart_override_replaces_the_jobs)
{
    fixture f;
    atomic_store(&fails_left, 1);
    const graph_restart_cfg none = {.strategy = GRAPH_RESTART_NONE, .multiplier = 1.0};
    rt_job_master_options opts = {.restart = &none};
    if (!setup(&f, FIXED(3, "1ms"), NO_CKPT, "{\"fail_after\":0}", &opts))
        return;
    CHECK_INT_EQ(start_and_wait(&f), RT_JOB_MASTER_FAILED);
    CHECK_UINT_EQ(rt_job_master_attempts(f.jm), 1);
    teardown(&f);
}

TEST(cancel_during_backoff_returns_quickly)
{
    fixture f;
    atomic_store(&fails_left, 1000);
    if (!setup(&f, FIXED(5, "1h"), NO_CKPT, "{\"fail_after\":0}", NULL))
        return;
    rt_err err, *errp = &err;
    CHECK_OK(rt_job_master_start(f.jm, &err), errp);
    if (await_status(&f, RT_JOB_MASTER_RESTARTING)) {
        char path[64];
        CHECK_INT_EQ(rt_job_master_stop_with_savepoint(f.jm, path, sizeof path, &err), RT_EINVAL);
        int64_t t0 = rt_clock_mono_ms();
        rt_job_master_cancel(f.jm);
        CHECK_INT_EQ(rt_job_master_wait(f.jm, 5000), RT_JOB_MASTER_CANCELED);
        CHECK(rt_clock_mono_ms() - t0 < 1000);
        CHECK_UINT_EQ(rt_job_master_attempts(f.jm), 1);
    }
    teardown(&f);
}

TEST(cancel_running_job)
{
    fixture f;
    atomic_store(&fails_left, 0);
    if (!setup(&f, FIXED(3, "10ms"), NO_CKPT, "{\"unbounded\":true,\"sleep_ms\":1}", NULL))
        return;
    rt_err err, *errp = &err;
    CHECK_OK(rt_job_master_start(f.jm, &err), errp);
    CHECK_INT_EQ(rt_job_master_start(f.jm, &err), RT_ESTATE);
    if (await_status(&f, RT_JOB_MASTER_RUNNING)) {
        CHECK_INT_EQ(rt_job_master_wait(f.jm, 50), RT_JOB_MASTER_RUNNING);
        rt_job_master_cancel(f.jm);
        CHECK_INT_EQ(rt_job_master_wait(f.jm, 10000), RT_JOB_MASTER_CANCELED);
    }
    teardown(&f);
}

TEST(free_while_running_cancels)
{
    fixture f;
    atomic_store(&fails_left, 0);
    if (!setup(&f, FIXED(3, "10ms"), NO_CKPT, "{\"unbounded\":true,\"sleep_ms\":1}", NULL))
        return;
    rt_err err, *errp = &err;
    CHECK_OK(rt_job_master_start(f.jm, &err), errp);
    teardown(&f);
}

TEST(bad_options)
{
    graph_job *g = NULL;
    const char *json = "{\"name\":\"x\",\"operators\":[{\"id\":\"src\",\"type\":\"jm_source\"},"
                       "{\"id\":\"out\",\"type\":\"test_sink\",\"inputs\":[\"src\"]}]}";
    rt_err err = {0}, *errp = &err;
    CHECK_OK(graph_codec_parse(json, strlen(json), &catalog, &g, &err), errp);
    rt_job_master_options opts = {.from_savepoint = "/nonexistent/sp"};
    rt_job_master *jm = NULL;
    CHECK_INT_EQ(rt_job_master_new(g, lookup, &opts, &jm, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "data directory");
    CHECK(jm == NULL);
    graph_job_free(g);
}

/* --- with a data directory (needs the state backend and the job's checkpoints) --- */

static void data_dir(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", test_tmpdir(), name);
}

TEST(checkpoints_then_restart_restores_latest)
{
    char dir[512];
    data_dir(dir, sizeof dir, "restore");
    rt_job_master_options opts = {.data_dir = dir};
    fixture f;
    atomic_store(&fails_left, 1);
    /* Fails after ~1 s of rows, while checkpoints are taken every 20 ms. */
    if (!setup(&f, FIXED(3, "10ms"), "{\"interval\":\"20ms\"}",
               "{\"rows\":2000,\"batch\":10,\"sleep_ms\":5,\"fail_after\":1000}", &opts))
        return;
    CHECK_INT_EQ(start_and_wait(&f), RT_JOB_MASTER_FINISHED);
    CHECK_UINT_EQ(rt_job_master_attempts(f.jm), 2);
    CHECK(rt_job_master_restored_checkpoint(f.jm) > 0);
    teardown(&f);

    /* A second run in the same directory resumes from the latest checkpoint of the first. */
    if (!setup(&f, FIXED(3, "10ms"), "{\"interval\":\"20ms\"}", "{\"rows\":10}", &opts))
        return;
    CHECK_INT_EQ(start_and_wait(&f), RT_JOB_MASTER_FINISHED);
    CHECK(rt_job_master_restored_checkpoint(f.jm) > 0);
    teardown(&f);
}

TEST(stop_with_savepoint_then_resume_elsewhere)
{
    char dir[512], dir2[512], path[1024] = "";
    data_dir(dir, sizeof dir, "stop");
    data_dir(dir2, sizeof dir2, "stop2");
    rt_job_master_options opts = {.data_dir = dir};
    fixture f;
    atomic_store(&fails_left, 0);
    const char *src = "{\"unbounded\":true,\"batch\":10,\"sleep_ms\":1}";
    if (!setup(&f, FIXED(3, "10ms"), NO_CKPT, src, &opts))
        return;
    rt_err err = {0}, *errp = &err;
    CHECK_OK(rt_job_master_start(f.jm, &err), errp);
    if (await_status(&f, RT_JOB_MASTER_RUNNING)) {
        CHECK_OK(rt_job_master_stop_with_savepoint(f.jm, path, sizeof path, &err), errp);
        CHECK_INT_EQ(rt_job_master_wait(f.jm, 10000), RT_JOB_MASTER_STOPPED);
        CHECK_STR_CONTAINS(path, "/savepoints/savepoint-");
        char meta[1100];
        snprintf(meta, sizeof meta, "%s/_metadata", path);
        struct stat sb;
        CHECK(stat(meta, &sb) == 0);
    }
    teardown(&f);
    if (!path[0])
        return;

    /* Resume from the savepoint in a fresh data directory. */
    rt_job_master_options opts2 = {.data_dir = dir2, .from_savepoint = path};
    if (!setup(&f, FIXED(3, "10ms"), NO_CKPT, "{\"rows\":10}", &opts2))
        return;
    CHECK_INT_EQ(start_and_wait(&f), RT_JOB_MASTER_FINISHED);
    CHECK(rt_job_master_restored_checkpoint(f.jm) > 0);
    uint64_t restored = rt_job_master_restored_checkpoint(f.jm);
    teardown(&f);

    /* Importing it again where a checkpoint as new (or newer) exists says so. */
    if (!setup(&f, FIXED(3, "10ms"), NO_CKPT, "{\"rows\":10}", &opts2))
        return;
    CHECK_INT_EQ(rt_job_master_start(f.jm, &err), RT_EEXIST);
    CHECK_STR_CONTAINS(err.msg, "already holds checkpoint");
    CHECK_INT_EQ(rt_job_master_status_get(f.jm), RT_JOB_MASTER_FAILED);
    teardown(&f);
    CHECK(restored > 0);
}

TEST_MAIN()
