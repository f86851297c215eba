/* Metrics of a real job run through the job master: datagen (parallelism 2) -> a metering
 * transform -> blackhole. The runtime's records/batches series must add up to the generated rows,
 * an operator's own series (op_ctx_counter / _gauge / _gauge_double / _info, one per table) must
 * hold what it set, a bad name must cost only the series, and with a data directory the
 * checkpoint series must count the final checkpoint. */
#include <stdlib.h>
#include <string.h>

#include "graph/codec.h"
#include "operators/registry.h"
#include "runtime/base/log.h"
#include "runtime/job_master.h"
#include "runtime/metrics.h"
#include "tests/harness/test.h"

#define ROWS 10000

/* --- metered: passes batches on, counting rows per table through the operator metrics API --- */

typedef struct metered {
    rt_metric *rows;     /* per table, registered at the first row of that table */
    rt_metric *batches;  /* integer gauge: batches so far */
    rt_metric *fraction; /* double gauge: rows / ROWS */
    rt_metric *last;     /* info: "id=<last id>" */
    rt_metric *bad;      /* an illegal name: NULL */
    uint64_t row_count;
} metered;

static int metered_open(op_ctx *ctx, const void *config, void **self, rt_err *err)
{
    metered *m = calloc(1, sizeof *m);
    if (!m)
        return rt_err_set(err, RT_ENOMEM, "metered: out of memory");
    m->batches = op_ctx_gauge(ctx, "sluice_metered_batches", "Batches seen.", NULL, NULL);
    m->fraction =
        op_ctx_gauge_double(ctx, "sluice_metered_fraction", "Share of the rows.", NULL, NULL);
    m->last = op_ctx_info(ctx, "sluice_metered_last_info", "The last id seen.", NULL, NULL);
    m->bad = op_ctx_counter(ctx, "sluice-metered-bad", "Illegal name.", NULL, NULL);
    *self = m;
    return 0;
}

static int metered_process(void *self, op_ctx *ctx, size_t input, rt_batch *batch, rt_err *err)
{
    metered *m = self;
    size_t n = rt_batch_count(batch);
    if (n && !m->rows)
        m->rows = op_ctx_counter(ctx, "sluice_metered_rows_total", "Rows per table.", "table",
                                 rt_table_qualified(rt_batch_at(batch, 0)->table));
    rt_metric_add(m->rows, n);
    rt_metric_add(m->bad, n); /* NULL: nothing happens */
    rt_metric_add(m->batches, 1);
    m->row_count += n;
    rt_metric_set_double(m->fraction, (double)m->row_count / ROWS);
    if (n) {
        char text[64];
        snprintf(text, sizeof text, "id=%lld", (long long)rt_batch_at(batch, n - 1)->values[0].i);
        rt_metric_set_text(m->last, text);
    }
    rt_batch_ref(batch);
    return op_ctx_emit(ctx, batch, err);
}

static void metered_close(void *self, op_ctx *ctx)
{
    free(self);
}

static const op_type metered_type = {
    .info = {.name = "metered", .kind = GRAPH_KIND_TRANSFORM},
    .open = metered_open,
    .process = metered_process,
    .close = metered_close,
};

static const op_type *lookup(const char *type)
{
    return strcmp(type, "metered") == 0 ? &metered_type : op_registry_find(type);
}

static const graph_type_info *catalog_find(void *ctx, const char *type)
{
    const op_type *t = lookup(type);
    return t ? &t->info : NULL;
}

static void catalog_list(void *ctx, char *buf, size_t size)
{
    snprintf(buf, size, "metered and the registry's");
}

static const graph_catalog catalog = {.find = catalog_find, .list = catalog_list};

/* --- reading the registry --- */

typedef struct query {
    const char *name;
    const char *vertex; /* NULL: any (job-level too) */
    size_t series;
    double sum;
    rt_metric_sample last;
} query;

static int match(const rt_metric_sample *s, void *arg)
{
    query *q = arg;
    if (strcmp(s->name, q->name) != 0 ||
        (q->vertex && (!s->vertex || strcmp(s->vertex, q->vertex))))
        return 0;
    q->series++;
    q->sum += s->value;
    q->last = *s;
    return 0;
}

static query find(rt_metrics *m, const char *name, const char *vertex)
{
    query q = {.name = name, .vertex = vertex};
    rt_metrics_visit(m, match, &q);
    return q;
}

static rt_job_master *run(const char *json, graph_job **graph, const char *data_dir)
{
    rt_err err;
    if (graph_codec_parse(json, strlen(json), &catalog, graph, &err) != 0) {
        test_fail(__FILE__, __LINE__, "parse: %s", err.msg);
        return NULL;
    }
    rt_job_master_options opts = {.data_dir = data_dir, .job = {.batch_rows = 256}};
    rt_job_master *jm = NULL;
    if (rt_job_master_new(*graph, lookup, &opts, &jm, &err) != 0) {
        test_fail(__FILE__, __LINE__, "rt_job_master_new: %s", err.msg);
        graph_job_free(*graph);
        return NULL;
    }
    /* Series exist (at 0) from the start, before a row went through. */
    query q = find(rt_job_master_metrics(jm), "sluice_records_out_total", "gen");
    CHECK_UINT_EQ(q.series, 0); /* no attempt built yet */
    if (rt_job_master_start(jm, &err) != 0)
        test_fail(__FILE__, __LINE__, "start: %s", err.msg);
    q = find(rt_job_master_metrics(jm), "sluice_records_in_total", "sink");
    CHECK_UINT_EQ(q.series, 2);
    CHECK_INT_EQ(rt_job_master_wait(jm, 60000), RT_JOB_MASTER_FINISHED);
    return jm;
}

#define JOB                                                                                        \
    "{\"name\":\"metrics\",\"operators\":["                                                        \
    "{\"id\":\"gen\",\"type\":\"datagen\",\"parallelism\":2,\"config\":{\"rows\":10000}},"         \
    "{\"id\":\"meter\",\"type\":\"metered\",\"parallelism\":2,\"inputs\":[\"gen\"]},"              \
    "{\"id\":\"sink\",\"type\":\"blackhole\",\"parallelism\":2,"                                   \
    "\"inputs\":[{\"from\":\"meter\",\"distribution\":\"rebalance\"}]}]}"

TEST(records_add_up_to_the_generated_rows)
{
    graph_job *graph = NULL;
    rt_job_master *jm = run(JOB, &graph, NULL);
    if (!jm)
        return;
    /* Read after the job ended: the registry outlives the attempts. */
    rt_metrics *m = rt_job_master_metrics(jm);
    CHECK_STR_EQ(rt_metrics_job(m), "metrics");
    query q = find(m, "sluice_records_out_total", "gen");
    CHECK_UINT_EQ(q.series, 2);
    CHECK(q.sum == ROWS);
    q = find(m, "sluice_batches_out_total", "gen");
    CHECK(q.sum >= (double)ROWS / 256 && q.sum <= ROWS);
    q = find(m, "sluice_records_in_total", "gen");
    CHECK(q.series == 2 && q.sum == 0);
    q = find(m, "sluice_records_in_total", "meter");
    CHECK(q.series == 2 && q.sum == ROWS);
    q = find(m, "sluice_records_out_total", "meter");
    CHECK(q.series == 2 && q.sum == ROWS);
    q = find(m, "sluice_records_in_total", "sink");
    CHECK(q.series == 2 && q.sum == ROWS);
    q = find(m, "sluice_batches_in_total", "sink");
    CHECK(q.sum >= (double)ROWS / 256);

    /* The operator's own series: per subtask, the table as the extra label. */
    q = find(m, "sluice_metered_rows_total", "meter");
    CHECK_UINT_EQ(q.series, 2);
    CHECK(q.sum == ROWS);
    CHECK_STR_EQ(q.last.label_key, "table");
    CHECK_STR_EQ(q.last.label_value, "gen.rows");
    q = find(m, "sluice_metered_fraction", "meter");
    CHECK(q.series == 2 && q.sum > 0.999 && q.sum < 1.001);
    q = find(m, "sluice_metered_batches", "meter");
    CHECK(q.series == 2 && q.sum == find(m, "sluice_batches_out_total", "gen").sum);
    q = find(m, "sluice_metered_last_info", "meter");
    CHECK_UINT_EQ(q.series, 2);
    CHECK(strncmp(q.last.text, "id=", 3) == 0 && atoll(q.last.text + 3) > ROWS / 2);
    CHECK_UINT_EQ(find(m, "sluice-metered-bad", NULL).series, 0);
    /* No checkpoints without a data directory: no checkpoint series; no restart. */
    CHECK_UINT_EQ(find(m, "sluice_checkpoints_completed_total", NULL).series, 0);
    q = find(m, "sluice_job_restarts_total", NULL);
    CHECK(q.series == 1 && q.sum == 0 && q.last.vertex == NULL);

    rt_buf b;
    rt_buf_init(&b);
    rt_metrics_format_prometheus(m, &b);
    CHECK_STR_CONTAINS(b.data, "# TYPE sluice_records_in_total counter\n");
    CHECK_STR_CONTAINS(b.data, "sluice_metered_rows_total{job=\"metrics\",vertex=\"meter\","
                               "subtask=\"1\",table=\"gen.rows\"} ");
    CHECK_STR_CONTAINS(b.data, "sluice_metered_last_info{job=\"metrics\",vertex=\"meter\","
                               "subtask=\"0\",value=\"id=");
    rt_buf_fini(&b);
    rt_job_master_free(jm);
    graph_job_free(graph);
}

TEST(checkpoints_are_counted)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/ckpt", test_tmpdir());
    graph_job *graph = NULL;
    rt_job_master *jm = run(JOB, &graph, dir);
    if (!jm)
        return;
    rt_metrics *m = rt_job_master_metrics(jm);
    /* At least the final checkpoint at end of input, none failed. */
    query q = find(m, "sluice_checkpoints_completed_total", NULL);
    CHECK(q.series == 1 && q.sum >= 1 && q.last.vertex == NULL);
    q = find(m, "sluice_checkpoints_failed_total", NULL);
    CHECK(q.series == 1 && q.sum == 0);
    q = find(m, "sluice_last_checkpoint_duration_ms", NULL);
    CHECK(q.series == 1 && q.last.kind == RT_METRIC_GAUGE && q.sum >= 0);
    /* datagen writes its position: the final checkpoint holds some state. */
    q = find(m, "sluice_last_checkpoint_size_bytes", NULL);
    CHECK(q.series == 1 && q.sum > 0);
    CHECK(find(m, "sluice_records_in_total", "sink").sum == ROWS);
    rt_job_master_free(jm);
    graph_job_free(graph);
}

TEST_MAIN()
