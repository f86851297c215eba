/* The starrocks sink in whole jobs against the real sr-endpoint binary (started here on ports
 * chosen by the kernel, read from its ports file): datagen -> starrocks with checkpoints into a
 * primary-key and a duplicate-key table, every row exactly once with its values exact; upserts
 * and deletes on the primary-key table from a source that emits -U/+U/-D (and the duplicate-key
 * table refusing them); a job canceled mid-run and restored from its checkpoint by a new job
 * master, with no row lost or doubled; at-least-once and no-checkpoint runs. Tables are read back
 * with libmariadb over the endpoint's MySQL port. */
#include "tests/harness/test.h"
#include "tests/integration/starrocks/sr_test_endpoint.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <mysql.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "graph/codec.h"
#include "operators/basic/datagen_rows.h"
#include "operators/op.h"
#include "operators/registry.h"
#include "operators/starrocks/label.h"
#include "operators/starrocks/stream_load.h"
#include "runtime/base/buf.h"
#include "runtime/base/failpoint.h"
#include "runtime/job_master.h"
#include "runtime/metrics.h"

/* --- Jobs --- */

typedef struct run {
    graph_job *graph;
    rt_job_master *jm;
} run;

static const op_type test_changes_type, test_text_type;

static const op_type *lookup(const char *type)
{
    if (strcmp(type, "test_text") == 0)
        return &test_text_type;
    return strcmp(type, "test_changes") == 0 ? &test_changes_type : op_registry_find(type);
}

static const graph_type_info *catalog_find(void *ctx, const char *type)
{
    const op_type *t = lookup(type);
    return t ? &t->info : NULL;
}

static void catalog_list(void *ctx, char *buf, size_t size)
{
    snprintf(buf, size, "test_changes and the registry's");
}

static const graph_catalog catalog = {.find = catalog_find, .list = catalog_list};

static bool run_start(run *r, const char *json, const char *data_dir)
{
    memset(r, 0, sizeof *r);
    rt_err err = {0};
    if (graph_codec_parse(json, strlen(json), &catalog, &r->graph, &err) != 0) {
        test_fail(__FILE__, __LINE__, "parse: %s", err.msg);
        return false;
    }
    rt_job_master_options opts = {.data_dir = data_dir, .job = {.batch_rows = 256}};
    if (rt_job_master_new(r->graph, lookup, &opts, &r->jm, &err) != 0 ||
        rt_job_master_start(r->jm, &err) != 0) {
        test_fail(__FILE__, __LINE__, "start: %s", err.msg);
        return false;
    }
    return true;
}

static void run_free(run *r)
{
    rt_job_master_free(r->jm);
    graph_job_free(r->graph);
    memset(r, 0, sizeof *r);
}

/* Waits for the job's end; returns its status, the failure message in err. */
static rt_job_master_status run_wait(run *r, rt_err *err)
{
    rt_job_master_status s = rt_job_master_wait(r->jm, 120000);
    rt_err_clear(err);
    if (s == RT_JOB_MASTER_FAILED)
        rt_job_master_failure(r->jm, err);
    return s;
}

/* Sums the samples of metric `name` in Prometheus text. */
static uint64_t metric_sum(const char *text, const char *name)
{
    uint64_t sum = 0;
    size_t n = strlen(name);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, name, n) == 0 && (p[n] == '{' || p[n] == ' ')) {
            const char *sp = strchr(p, ' ');
            const char *nl = strchr(p, '\n');
            if (sp && (!nl || sp < nl))
                sum += strtoull(sp + 1, NULL, 10);
        }
    }
    return sum;
}

/* Runs json to its end; with metrics non-NULL, *metrics gets the job's Prometheus text. */
static void run_finish_metrics(const char *json, const char *data_dir, char **metrics)
{
    run r;
    if (run_start(&r, json, data_dir)) {
        rt_err err;
        rt_job_master_status s = run_wait(&r, &err);
        if (s != RT_JOB_MASTER_FINISHED)
            test_fail(__FILE__, __LINE__, "job ended %s: %s", rt_job_master_status_name(s),
                      err.msg);
        if (metrics) {
            rt_buf b;
            rt_buf_init(&b);
            rt_metrics_format_prometheus(rt_job_master_metrics(r.jm), &b);
            rt_buf_append_str(&b, "");
            *metrics = rt_buf_take(&b);
        }
    }
    run_free(&r);
}

static void run_finish(const char *json, const char *data_dir)
{
    run_finish_metrics(json, data_dir, NULL);
}

/* The sink's config for table `table` of database `db` (extra: more keys, starting with ','). */
static void sink_config(char *out, size_t size, const char *db, const char *table,
                        const char *extra)
{
    snprintf(out, size,
             "{\"load_url\":\"127.0.0.1:%d\",\"query_url\":\"127.0.0.1:%d\",\"user\":\"root\","
             "\"database\":\"%s\",\"table\":\"%s\",\"flush\":{\"rows\":300}%s}",
             sr_test_fe_port(), sr_test_query_port(), db, table, extra);
}

/* datagen (2 subtasks) -> starrocks (2 subtasks); checkpoint: "" or a "checkpoint" member. */
static void gen_job(char *out, size_t size, const char *name, const char *gen_config,
                    const char *checkpoint, const char *sink_cfg)
{
    snprintf(out, size,
             "{\"name\":\"%s\",%s\"restart\":{\"strategy\":\"none\"},\"operators\":["
             "{\"id\":\"gen\",\"type\":\"datagen\",\"parallelism\":2,\"config\":%s},"
             "{\"id\":\"sr\",\"type\":\"starrocks\",\"parallelism\":2,\"config\":%s,"
             "\"inputs\":[{\"from\":\"gen\",\"distribution\":\"hash\"}]}]}",
             name, checkpoint, gen_config, sink_cfg);
}

/* --- The datagen table and its exact values --- */

/* Every value type datagen makes except binary (JSON cannot carry arbitrary bytes: see
 * row_format.h; binary_and_enclosed_text_in_csv covers it), with the StarRocks column that holds
 * it. */
#define GEN_COLUMNS                                                                                \
    "{\"id\":\"BIGINT NOT NULL\",\"k\":\"INT\",\"big\":\"BIGINT UNSIGNED\",\"name\":"              \
    "\"VARCHAR(40)\",\"price\":\"DECIMAL(18,4)\",\"ratio\":\"DOUBLE\",\"day\":\"DATE\","           \
    "\"created\":\"DATETIME(6)\",\"span\":\"TIME(6)\",\"doc\":\"JSON\",\"yr\":\"YEAR\"}"
#define SR_COLUMNS                                                                                 \
    "(`id` BIGINT NOT NULL, `k` INT NULL, `big` LARGEINT NULL, `name` VARCHAR(160) NULL, "         \
    "`price` DECIMAL(18,4) NULL, `ratio` DOUBLE NULL, `day` DATE NULL, `created` DATETIME NULL, "  \
    "`span` VARCHAR(20) NULL, `doc` JSON NULL, `yr` SMALLINT NULL)"

static void create_tables(const char *db)
{
    char sql[1024];
    snprintf(sql, sizeof sql, "CREATE DATABASE IF NOT EXISTS %s", db);
    sr_test_exec(sql);
    snprintf(sql, sizeof sql,
             "CREATE TABLE %s.items_pk %s PRIMARY KEY(`id`) DISTRIBUTED BY HASH(`id`) "
             "PROPERTIES (\"replication_num\" = \"1\")",
             db, SR_COLUMNS);
    sr_test_exec(sql);
    snprintf(sql, sizeof sql,
             "CREATE TABLE %s.items_dup %s DUPLICATE KEY(`id`) DISTRIBUTED BY HASH(`id`) "
             "PROPERTIES (\"replication_num\" = \"1\")",
             db, SR_COLUMNS);
    sr_test_exec(sql);
}

/* Parses "YYYY-MM-DD HH:MM:SS[.f...]" into t. */
static bool parse_datetime(const char *s, rt_temporal *t)
{
    int y, mo, d, h = 0, mi = 0, se = 0, n = 0;
    memset(t, 0, sizeof *t);
    if (sscanf(s, "%d-%d-%d %d:%d:%d%n", &y, &mo, &d, &h, &mi, &se, &n) < 3)
        return false;
    t->year = (int16_t)y;
    t->month = (uint8_t)mo;
    t->day = (uint8_t)d;
    t->hour = (uint16_t)h;
    t->minute = (uint8_t)mi;
    t->second = (uint8_t)se;
    if (n > 0 && s[n] == '.') {
        uint32_t us = 0;
        int digits = 0;
        for (const char *p = s + n + 1; *p >= '0' && *p <= '9' && digits < 6; p++, digits++)
            us = us * 10 + (uint32_t)(*p - '0');
        for (; digits < 6; digits++)
            us *= 10;
        t->usec = us;
    }
    return true;
}

/* Compares one cell read back with the value datagen made. */
static bool value_matches(const rt_value *v, const char *cell, unsigned long len, rt_buf *tmp)
{
    if (v->type == RT_TYPE_NULL)
        return cell == NULL;
    if (!cell)
        return false;
    switch ((rt_type)v->type) {
    case RT_TYPE_INT:
        return strtoll(cell, NULL, 10) == v->i;
    case RT_TYPE_UINT:
        return strtoull(cell, NULL, 10) == v->u;
    case RT_TYPE_DOUBLE:
        return strtod(cell, NULL) == v->d;
    case RT_TYPE_DECIMAL:
    case RT_TYPE_STRING:
    case RT_TYPE_BYTES:
        return len == v->s.len && memcmp(cell, v->s.ptr, len) == 0;
    case RT_TYPE_JSON: {
        json_t *a = json_loadb(cell, len, 0, NULL), *b = json_loadb(v->s.ptr, v->s.len, 0, NULL);
        bool eq = a && b && json_equal(a, b);
        json_decref(a);
        json_decref(b);
        return eq;
    }
    case RT_TYPE_DATE:
    case RT_TYPE_DATETIME: {
        rt_temporal t;
        return parse_datetime(cell, &t) && t.year == v->t.year && t.month == v->t.month &&
               t.day == v->t.day && t.hour == v->t.hour && t.minute == v->t.minute &&
               t.second == v->t.second && t.usec == v->t.usec;
    }
    default: /* TIME, as the text the sink sent into a VARCHAR */
        rt_buf_reset(tmp);
        rt_value_format_json(v, tmp);
        return tmp->len == len + 2 && memcmp(tmp->data + 1, cell, len) == 0;
    }
}

/* Checks that db.table holds ids 1..n exactly once each, every value of the datagen columns
 * gen_columns (read back as select, in their order) byte for byte as datagen made it. */
static void check_datagen_rows(const char *db, const char *table, uint64_t n, int64_t seed,
                               const char *gen_columns, const char *select)
{
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT %s FROM %s.%s ORDER BY id", select, db, table);
    sr_test_rows r;
    if (!sr_test_rows_query(sql, &r))
        return;
    CHECK_UINT_EQ(r.count, n);
    op_datagen_schema *schema = NULL;
    rt_err err = {0};
    CHECK_OK(op_datagen_schema_new(gen_columns, seed, "$.columns", &schema, &err), &err);
    if (!schema) {
        sr_test_rows_free(&r);
        return;
    }
    size_t ncols = op_datagen_schema_column_count(schema);
    CHECK_UINT_EQ(ncols, r.ncols);
    rt_value *vals = calloc(ncols, sizeof *vals);
    char *buf = malloc(op_datagen_row_max_size(schema));
    rt_buf tmp;
    rt_buf_init(&tmp);
    size_t bad = 0;
    for (size_t i = 0; i < r.count && ncols == r.ncols; i++) {
        uint64_t id = i + 1;
        if (!r.cells[i][0] || strtoull(r.cells[i][0], NULL, 10) != id) {
            test_fail(__FILE__, __LINE__, "%s: row %zu has id %s, not %" PRIu64, table, i,
                      r.cells[i][0] ? r.cells[i][0] : "NULL", id);
            break;
        }
        op_datagen_row(schema, id, vals, buf);
        for (size_t c = 0; c < ncols; c++) {
            if (!value_matches(&vals[c], r.cells[i][c], r.lens[i][c], &tmp) && bad++ < 5)
                test_fail(__FILE__, __LINE__, "%s id %" PRIu64 " column %zu: got %s (%s)", table,
                          id, c, r.cells[i][c] ? r.cells[i][c] : "NULL",
                          rt_type_name((rt_type)vals[c].type));
        }
    }
    rt_buf_fini(&tmp);
    free(buf);
    free(vals);
    op_datagen_schema_free(schema);
    sr_test_rows_free(&r);
}

static void check_gen_rows(const char *db, const char *table, uint64_t n, int64_t seed)
{
    check_datagen_rows(db, table, n, seed, GEN_COLUMNS,
                       "id, k, big, name, price, ratio, day, created, span, doc, yr");
}

/* Leaves a PREPARED transaction holding row `row_id` under this subtask's first label id that
 * was never used, as a crash between prepare and checkpoint would: the restored sink must roll
 * it back (at restore, or when its id comes round), never commit it. */
static void make_lingering(const char *db, const char *table, const char *prefix, unsigned subtask,
                           int64_t row_id)
{
    char url[64];
    snprintf(url, sizeof url, "127.0.0.1:%d", sr_test_fe_port());
    const char *urls[] = {url};
    op_stream_load_config lc = {.load_urls = urls, .load_url_count = 1, .user = "root"};
    op_stream_load *c = NULL;
    rt_err err = {0};
    CHECK_OK(op_stream_load_new(&lc, &c, &err), &err);
    if (!c)
        return;
    char label[OP_SR_LABEL_MAX + 1] = "";
    for (uint64_t id = 1; id < 10000; id++) {
        op_sr_load_state st = OP_SR_STATE_UNKNOWN;
        CHECK_OK(op_sr_label_format(prefix, table, subtask, id, label, sizeof label, &err), &err);
        CHECK_OK(op_stream_load_get_load_state(c, db, label, &st, &err), &err);
        if (st == OP_SR_STATE_UNKNOWN)
            break;
    }
    op_sr_result res;
    char body[64];
    snprintf(body, sizeof body, "{\"id\":%" PRId64 "}\n", row_id);
    op_stream_load_props p = {.format = "json"};
    CHECK_OK(op_stream_load_begin(c, db, table, label, 600, 0, &res, &err), &err);
    CHECK_OK(op_stream_load_load(c, db, table, label, &p, body, strlen(body), &res, &err), &err);
    CHECK_OK(op_stream_load_prepare(c, db, label, 0, &res, &err), &err);
    op_stream_load_free(c);
}

/* --- Tests --- */

TEST(exactly_once_primary_and_duplicate_key_tables)
{
    if (!sr_test_endpoint_start())
        return;
    create_tables("eo");
    char gen[1024], cfg[1024], json[4096], data[600];
    snprintf(gen, sizeof gen, "{\"rows\":3000,\"seed\":7,\"table\":\"gen.items\",\"columns\":%s}",
             GEN_COLUMNS);
    const char *tables[] = {"items_pk", "items_dup"};
    for (size_t i = 0; i < 2; i++) {
        sink_config(cfg, sizeof cfg, "eo", tables[i], "");
        gen_job(json, sizeof json, tables[i], gen, "\"checkpoint\":{\"interval\":\"100ms\"},", cfg);
        snprintf(data, sizeof data, "%s/eo-%s", test_tmpdir(), tables[i]);
        char *metrics = NULL;
        run_finish_metrics(json, data, &metrics);
        check_gen_rows("eo", tables[i], 3000, 7);
        if (!metrics)
            continue;
        CHECK_UINT_EQ(metric_sum(metrics, "sluice_starrocks_rows_total"), 3000);
        CHECK(metric_sum(metrics, "sluice_starrocks_bytes_total") > 3000 * 50);
        uint64_t begun = metric_sum(metrics, "sluice_starrocks_transactions_begun_total");
        CHECK(begun >= 2); /* one per subtask and checkpoint with rows at least */
        CHECK_UINT_EQ(metric_sum(metrics, "sluice_starrocks_transactions_committed_total"), begun);
        CHECK_UINT_EQ(metric_sum(metrics, "sluice_starrocks_transactions_aborted_total"), 0);
        free(metrics);
    }
}

TEST(restore_after_cancel_no_loss_no_duplicate)
{
    if (!sr_test_endpoint_start())
        return;
    create_tables("rs");
    char gen[1024], cfg[1024], json[4096], data[600];
    /* Rate-limited so the cancel lands mid-stream, with checkpoints completed before it. */
    snprintf(gen, sizeof gen,
             "{\"rows\":6000,\"rate\":6000,\"seed\":3,\"table\":\"gen.items\",\"columns\":%s}",
             GEN_COLUMNS);
    sink_config(cfg, sizeof cfg, "rs", "items_dup", ",\"label_prefix\":\"rs-dup\"");
    gen_job(json, sizeof json, "restore", gen, "\"checkpoint\":{\"interval\":\"100ms\"},", cfg);
    snprintf(data, sizeof data, "%s/rs", test_tmpdir());
    run r;
    if (run_start(&r, json, data)) {
        usleep(500000);
        rt_job_master_cancel(r.jm);
        rt_err err;
        rt_job_master_status s = run_wait(&r, &err);
        CHECK_INT_EQ(s, RT_JOB_MASTER_CANCELED);
    }
    run_free(&r);
    long long mid = sr_test_count("SELECT COUNT(*) FROM rs.items_dup");
    CHECK(mid >= 0 && mid < 6000); /* the cancel was mid-run */
    make_lingering("rs", "items_dup", "rs-dup", 0, 900000);
    make_lingering("rs", "items_dup", "rs-dup", 1, 900001);
    if (run_start(&r, json, data)) {
        CHECK(rt_job_master_restored_checkpoint(r.jm) > 0);
        rt_err err;
        rt_job_master_status s = run_wait(&r, &err);
        if (s != RT_JOB_MASTER_FINISHED)
            test_fail(__FILE__, __LINE__, "restored job ended %s: %s", rt_job_master_status_name(s),
                      err.msg);
    }
    run_free(&r);
    /* A duplicate-key table keeps every row loaded: a replayed row would show twice. */
    CHECK_INT_EQ(sr_test_count("SELECT COUNT(*) FROM rs.items_dup"), 6000);
    check_gen_rows("rs", "items_dup", 6000, 3);
}

TEST(commit_failure_then_restore_commits)
{
    if (!sr_test_endpoint_start())
        return;
    create_tables("cf");
    char gen[1024], cfg[1024], json[4096], data[600];
    snprintf(gen, sizeof gen,
             "{\"rows\":3000,\"rate\":3000,\"seed\":9,\"table\":\"gen.items\",\"columns\":%s}",
             GEN_COLUMNS);
    sink_config(cfg, sizeof cfg, "cf", "items_dup", "");
    gen_job(json, sizeof json, "commitfail", gen, "\"checkpoint\":{\"interval\":\"100ms\"},", cfg);
    snprintf(data, sizeof data, "%s/cf", test_tmpdir());
    rt_err err = {0};
    /* The 4th commit fails: its checkpoint is complete, so the restore must commit it. */
    CHECK_OK(rt_failpoint_init("sink.before_commit=error@4", &err), &err);
    run r;
    if (run_start(&r, json, data)) {
        CHECK_INT_EQ(run_wait(&r, &err), RT_JOB_MASTER_FAILED);
        CHECK_STR_CONTAINS(err.msg, "failpoint sink.before_commit");
    }
    run_free(&r);
    rt_failpoint_reset();
    CHECK(sr_test_count("SELECT COUNT(*) FROM cf.items_dup") < 3000);
    if (run_start(&r, json, data)) {
        CHECK(rt_job_master_restored_checkpoint(r.jm) > 0);
        rt_job_master_status s = run_wait(&r, &err);
        if (s != RT_JOB_MASTER_FINISHED)
            test_fail(__FILE__, __LINE__, "restored job ended %s: %s", rt_job_master_status_name(s),
                      err.msg);
    }
    run_free(&r);
    check_gen_rows("cf", "items_dup", 3000, 9);
}

TEST(at_least_once_and_without_checkpoints)
{
    if (!sr_test_endpoint_start())
        return;
    create_tables("al");
    char gen[1024], cfg[1024], json[4096];
    snprintf(gen, sizeof gen, "{\"rows\":1000,\"seed\":5,\"table\":\"gen.items\",\"columns\":%s}",
             GEN_COLUMNS);
    sink_config(cfg, sizeof cfg, "al", "items_pk", ",\"semantic\":\"at-least-once\"");
    gen_job(json, sizeof json, "alo", gen, "", cfg);
    run_finish(json, NULL);
    check_gen_rows("al", "items_pk", 1000, 5);
    /* Exactly-once without checkpoints: one transaction per table, committed at the end. */
    sink_config(cfg, sizeof cfg, "al", "items_dup", "");
    gen_job(json, sizeof json, "nockpt", gen, "", cfg);
    run_finish(json, NULL);
    check_gen_rows("al", "items_dup", 1000, 5);
}

/* --- A source of changes: +I 1..100, then -U/+U for 1..50, then -D for 1..20 --- */

typedef struct changes {
    const rt_table *table;
    int phase;
} changes;

static int changes_open(op_ctx *ctx, const void *config, void **self, rt_err *err)
{
    rt_column cols[] = {{.name = "id", .type = RT_TYPE_INT, .primary_key = true},
                        {.name = "v", .type = RT_TYPE_STRING, .nullable = true}};
    rt_table *t = rt_table_new("src", "kv", cols, 2, err);
    if (!t)
        return RT_ENOMEM;
    changes *c = calloc(1, sizeof *c);
    c->table = rt_catalog_intern(op_ctx_catalog(ctx), t);
    *self = c;
    return 0;
}

static void add_row(rt_batch *b, const rt_table *t, rt_rowkind kind, int64_t id, const char *v)
{
    rt_record *r = rt_batch_add(b, kind, t);
    r->values[0] = (rt_value){.type = RT_TYPE_INT, .i = id};
    rt_batch_set_str(b, &r->values[1], RT_TYPE_STRING, v, strlen(v));
}

static int changes_poll(void *self, op_ctx *ctx, rt_err *err)
{
    changes *c = self;
    if (c->phase == 3)
        return OP_POLL_END;
    rt_batch *b = op_ctx_batch_new(ctx);
    char v[32];
    for (int64_t id = 1; id <= 100; id++) {
        snprintf(v, sizeof v, "orig-%" PRId64, id);
        if (c->phase == 0)
            add_row(b, c->table, RT_ROW_INSERT, id, v);
        if (c->phase == 1 && id <= 50) {
            add_row(b, c->table, RT_ROW_UPDATE_BEFORE, id, v);
            add_row(b, c->table, RT_ROW_UPDATE_AFTER, id, "upd");
        }
        if (c->phase == 2 && id <= 20)
            add_row(b, c->table, RT_ROW_DELETE, id, "upd");
    }
    c->phase++;
    int rc = op_ctx_emit(ctx, b, err);
    return rc != 0 ? rc : OP_POLL_MORE;
}

static void changes_close(void *self, op_ctx *ctx)
{
    free(self);
}

static const rt_config_field no_fields[] = {{0}};

static const op_type test_changes_type = {
    .info = {.name = "test_changes", .kind = GRAPH_KIND_SOURCE, .config = no_fields},
    .open = changes_open,
    .poll = changes_poll,
    .close = changes_close,
};

static void changes_job(char *out, size_t size, const char *name, const char *sink_cfg)
{
    snprintf(out, size,
             "{\"name\":\"%s\",\"checkpoint\":{\"interval\":\"50ms\"},"
             "\"restart\":{\"strategy\":\"none\"},\"operators\":["
             "{\"id\":\"src\",\"type\":\"test_changes\",\"parallelism\":1},"
             "{\"id\":\"sr\",\"type\":\"starrocks\",\"parallelism\":1,\"config\":%s,"
             "\"inputs\":[{\"from\":\"src\"}]}]}",
             name, sink_cfg);
}

TEST(upserts_and_deletes_on_primary_key_table)
{
    if (!sr_test_endpoint_start())
        return;
    sr_test_exec("CREATE DATABASE IF NOT EXISTS ch");
    for (int f = 0; f < 2; f++) {
        char sql[512];
        snprintf(sql, sizeof sql,
                 "CREATE TABLE ch.kv_%s (`id` BIGINT NOT NULL, `v` VARCHAR(20) NULL) "
                 "PRIMARY KEY(`id`) DISTRIBUTED BY HASH(`id`) "
                 "PROPERTIES (\"replication_num\" = \"1\")",
                 f ? "csv" : "json");
        sr_test_exec(sql);
    }
    sr_test_exec("CREATE TABLE ch.kv_dup (`id` BIGINT NOT NULL, `v` VARCHAR(20) NULL) "
             "DUPLICATE KEY(`id`) DISTRIBUTED BY HASH(`id`) "
             "PROPERTIES (\"replication_num\" = \"1\")");
    const char *formats[] = {"json", "csv"};
    for (size_t f = 0; f < 2; f++) {
        char cfg[1024], json[2048], data[600], extra[64], table[32], sql[128];
        snprintf(extra, sizeof extra, ",\"format\":\"%s\"", formats[f]);
        snprintf(table, sizeof table, "kv_%s", formats[f]);
        sink_config(cfg, sizeof cfg, "ch", table, extra);
        changes_job(json, sizeof json, formats[f], cfg);
        snprintf(data, sizeof data, "%s/ch-%s", test_tmpdir(), formats[f]);
        run_finish(json, data);
        sr_test_rows r;
        snprintf(sql, sizeof sql, "SELECT id, v FROM ch.%s ORDER BY id", table);
        if (!sr_test_rows_query(sql, &r))
            continue;
        CHECK_UINT_EQ(r.count, 80); /* 1..20 deleted */
        for (size_t i = 0; i < r.count; i++) {
            long long id = atoll(r.cells[i][0]);
            char want[32];
            snprintf(want, sizeof want, "orig-%lld", id);
            CHECK_INT_EQ(id, (long long)i + 21);
            CHECK_STR_EQ(r.cells[i][1], id <= 50 ? "upd" : want);
        }
        sr_test_rows_free(&r);
    }
    /* A duplicate-key table cannot take the changes: the job fails and says why. */
    char cfg[1024], json[2048];
    sink_config(cfg, sizeof cfg, "ch", "kv_dup", "");
    changes_job(json, sizeof json, "dupfail", cfg);
    run r;
    if (run_start(&r, json, NULL)) {
        rt_err err;
        CHECK_INT_EQ(run_wait(&r, &err), RT_JOB_MASTER_FAILED);
        CHECK_STR_CONTAINS(err.msg, "duplicate_key");
        CHECK_STR_CONTAINS(err.msg, "append_changes");
    }
    run_free(&r);
    CHECK_INT_EQ(sr_test_count("SELECT COUNT(*) FROM ch.kv_dup"), 0);
}

TEST(bad_rows_fail_with_the_error_log)
{
    if (!sr_test_endpoint_start())
        return;
    sr_test_exec("CREATE DATABASE IF NOT EXISTS bad");
    /* v holds at most 3 bytes: "orig-N" rows are filtered (notes §7.1). */
    sr_test_exec("CREATE TABLE bad.kv (`id` BIGINT NOT NULL, `v` VARCHAR(3) NULL) PRIMARY KEY(`id`) "
             "DISTRIBUTED BY HASH(`id`) PROPERTIES (\"replication_num\" = \"1\")");
    char cfg[1024], json[2048], data[600];
    sink_config(cfg, sizeof cfg, "bad", "kv", ",\"password\":\"\"");
    changes_job(json, sizeof json, "bad", cfg);
    snprintf(data, sizeof data, "%s/bad", test_tmpdir());
    run r;
    if (run_start(&r, json, data)) {
        rt_err err;
        CHECK_INT_EQ(run_wait(&r, &err), RT_JOB_MASTER_FAILED);
        CHECK_STR_CONTAINS(err.msg, "too long");
    }
    run_free(&r);
    CHECK_INT_EQ(sr_test_count("SELECT COUNT(*) FROM bad.kv"), 0);
}

/* --- Binary values and text with separators, in CSV (row_format.h, notes §7.1) --- */

/* datagen's VARBINARY values hold every byte (TAB, LF, CR, '"', '\\', NUL, non-UTF-8) and its
 * VARCHAR values '"' and '\\'. */
#define GEN_BIN_COLUMNS                                                                            \
    "{\"id\":\"BIGINT NOT NULL\",\"bin\":\"VARBINARY(16)\",\"txt\":\"VARCHAR(40)\"}"

TEST(binary_and_enclosed_text_in_csv)
{
    if (!sr_test_endpoint_start())
        return;
    sr_test_exec("CREATE DATABASE IF NOT EXISTS bin");
    const char *tables[] = {"bin_csv", "bin_json"};
    for (size_t i = 0; i < 2; i++) {
        char sql[512];
        snprintf(sql, sizeof sql,
                 "CREATE TABLE bin.%s (`id` BIGINT NOT NULL, `bin` VARBINARY(16) NULL, "
                 "`txt` VARCHAR(160) NULL) PRIMARY KEY(`id`) DISTRIBUTED BY HASH(`id`) "
                 "PROPERTIES (\"replication_num\" = \"1\")",
                 tables[i]);
        sr_test_exec(sql);
    }
    char gen[512], cfg[1024], json[4096], data[600];
    snprintf(gen, sizeof gen, "{\"rows\":2000,\"seed\":11,\"table\":\"gen.bin\",\"columns\":%s}",
             GEN_BIN_COLUMNS);
    sink_config(cfg, sizeof cfg, "bin", "bin_csv", ",\"format\":\"csv\"");
    gen_job(json, sizeof json, "bincsv", gen, "\"checkpoint\":{\"interval\":\"100ms\"},", cfg);
    snprintf(data, sizeof data, "%s/bin-csv", test_tmpdir());
    run_finish(json, data);
    check_datagen_rows("bin", "bin_csv", 2000, 11, GEN_BIN_COLUMNS, "id, bin, txt");

    /* JSON cannot carry the bytes: the job fails with the sink's message, nothing committed. */
    sink_config(cfg, sizeof cfg, "bin", "bin_json", "");
    gen_job(json, sizeof json, "binjson", gen, "", cfg);
    run r;
    if (run_start(&r, json, NULL)) {
        rt_err err;
        CHECK_INT_EQ(run_wait(&r, &err), RT_JOB_MASTER_FAILED);
        CHECK_STR_CONTAINS(err.msg, "column 'bin': binary value of");
        CHECK_STR_CONTAINS(err.msg, "is not UTF-8 and a JSON body cannot carry it exactly; use "
                                    "\"format\": \"csv\"");
    }
    run_free(&r);
    CHECK_INT_EQ(sr_test_count("SELECT COUNT(*) FROM bin.bin_json"), 0);
}

/* Text a CSV field must enclose or escape, and text that only looks like its syntax. */
static const char *const odd_texts[] = {
    "a\tb",  "line\nbreak", "cr\r\nlf", "say \"hi\"", "back\\slash", "\\N", "N", "\"", "\\",
    "\"\"", "\t\n\"\\\r", "",     "\\\"",     "x\"\ty",       "\xc3\xbc\t\xe2\x82\xac",
};
#define ODD_COUNT (sizeof odd_texts / sizeof odd_texts[0])

/* A source of one +I row per odd_texts entry: id i+1, v odd_texts[i]; then a NULL v. */
static int text_poll(void *self, op_ctx *ctx, rt_err *err)
{
    changes *c = self;
    if (c->phase++ > 0)
        return OP_POLL_END;
    rt_batch *b = op_ctx_batch_new(ctx);
    for (size_t i = 0; i < ODD_COUNT; i++)
        add_row(b, c->table, RT_ROW_INSERT, (int64_t)i + 1, odd_texts[i]);
    rt_record *nul = rt_batch_add(b, RT_ROW_INSERT, c->table);
    nul->values[0] = (rt_value){.type = RT_TYPE_INT, .i = (int64_t)ODD_COUNT + 1};
    nul->values[1] = (rt_value){.type = RT_TYPE_NULL};
    int rc = op_ctx_emit(ctx, b, err);
    return rc != 0 ? rc : OP_POLL_MORE;
}

static const op_type test_text_type = {
    .info = {.name = "test_text", .kind = GRAPH_KIND_SOURCE, .config = no_fields},
    .open = changes_open,
    .poll = text_poll,
    .close = changes_close,
};

TEST(text_with_separators_in_csv)
{
    if (!sr_test_endpoint_start())
        return;
    sr_test_exec("CREATE DATABASE IF NOT EXISTS txt");
    sr_test_exec("CREATE TABLE txt.kv (`id` BIGINT NOT NULL, `v` VARCHAR(64) NULL) PRIMARY KEY(`id`) "
             "DISTRIBUTED BY HASH(`id`) PROPERTIES (\"replication_num\" = \"1\")");
    char cfg[1024], json[2048], data[600];
    sink_config(cfg, sizeof cfg, "txt", "kv", ",\"format\":\"csv\"");
    snprintf(json, sizeof json,
             "{\"name\":\"odd\",\"checkpoint\":{\"interval\":\"50ms\"},"
             "\"restart\":{\"strategy\":\"none\"},\"operators\":["
             "{\"id\":\"src\",\"type\":\"test_text\",\"parallelism\":1},"
             "{\"id\":\"sr\",\"type\":\"starrocks\",\"parallelism\":1,\"config\":%s,"
             "\"inputs\":[{\"from\":\"src\"}]}]}",
             cfg);
    snprintf(data, sizeof data, "%s/odd", test_tmpdir());
    run_finish(json, data);
    sr_test_rows r;
    if (!sr_test_rows_query("SELECT id, v FROM txt.kv ORDER BY id", &r))
        return;
    CHECK_UINT_EQ(r.count, ODD_COUNT + 1);
    for (size_t i = 0; i < r.count && i < ODD_COUNT + 1; i++) {
        CHECK_INT_EQ(atoll(r.cells[i][0]), (long long)i + 1);
        if (i == ODD_COUNT) {
            CHECK(r.cells[i][1] == NULL);
            continue;
        }
        const char *want = odd_texts[i];
        if (!r.cells[i][1] || r.lens[i][1] != strlen(want) ||
            memcmp(r.cells[i][1], want, strlen(want)) != 0)
            test_fail(__FILE__, __LINE__, "id %zu: got '%s', want '%s'", i + 1,
                      r.cells[i][1] ? r.cells[i][1] : "NULL", want);
    }
    sr_test_rows_free(&r);
}

TEST_MAIN()
