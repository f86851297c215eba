/* The starrocks sink's schema evolution against the real sr-endpoint binary: a scripted source
 * emits rows and schema-change records (ADD, MODIFY (an asynchronous alter job on the endpoint),
 * RENAME and DROP COLUMN, TRUNCATE, CREATE TABLE) through a real sink with checkpoints; the
 * target's columns and rows are read back over the endpoint's MySQL port and its DDL log
 * (GET /_ddl) shows each statement once. Every behaviour, the exception message, and a job that
 * fails right after a DDL and restores from its checkpoint without a duplicate row or DDL. */
#include "tests/harness/test.h"
#include "tests/integration/starrocks/sr_test_endpoint.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <mysql.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "graph/codec.h"
#include "operators/op.h"
#include "operators/registry.h"
#include "operators/starrocks/table_meta.h"
#include "runtime/base/buf.h"
#include "runtime/base/clock.h"
#include "runtime/base/failpoint.h"
#include "runtime/job_master.h"
#include "runtime/metrics.h"

/* --- The scripted source --- */

/* Schema versions of src.items (and src.fresh, shaped like version 0). */
static const rt_column v0[] = {
    {.name = "id", .type = RT_TYPE_INT, .sql_type = "bigint", .primary_key = true},
    {.name = "name", .type = RT_TYPE_STRING, .sql_type = "varchar(20)", .nullable = true},
    {.name = "amount", .type = RT_TYPE_DECIMAL, .sql_type = "decimal(10,2)", .nullable = true},
    {.name = "note", .type = RT_TYPE_STRING, .sql_type = "varchar(10)", .nullable = true},
};
/* + extra INT after amount */
static const rt_column v1[] = {
    {.name = "id", .type = RT_TYPE_INT, .sql_type = "bigint", .primary_key = true},
    {.name = "name", .type = RT_TYPE_STRING, .sql_type = "varchar(20)", .nullable = true},
    {.name = "amount", .type = RT_TYPE_DECIMAL, .sql_type = "decimal(10,2)", .nullable = true},
    {.name = "extra", .type = RT_TYPE_INT, .sql_type = "int", .nullable = true},
    {.name = "note", .type = RT_TYPE_STRING, .sql_type = "varchar(10)", .nullable = true},
};
/* amount DECIMAL(12,2) */
static const rt_column v2[] = {
    {.name = "id", .type = RT_TYPE_INT, .sql_type = "bigint", .primary_key = true},
    {.name = "name", .type = RT_TYPE_STRING, .sql_type = "varchar(20)", .nullable = true},
    {.name = "amount", .type = RT_TYPE_DECIMAL, .sql_type = "decimal(12,2)", .nullable = true},
    {.name = "extra", .type = RT_TYPE_INT, .sql_type = "int", .nullable = true},
    {.name = "note", .type = RT_TYPE_STRING, .sql_type = "varchar(10)", .nullable = true},
};
/* note -> memo */
static const rt_column v3[] = {
    {.name = "id", .type = RT_TYPE_INT, .sql_type = "bigint", .primary_key = true},
    {.name = "name", .type = RT_TYPE_STRING, .sql_type = "varchar(20)", .nullable = true},
    {.name = "amount", .type = RT_TYPE_DECIMAL, .sql_type = "decimal(12,2)", .nullable = true},
    {.name = "extra", .type = RT_TYPE_INT, .sql_type = "int", .nullable = true},
    {.name = "memo", .type = RT_TYPE_STRING, .sql_type = "varchar(10)", .nullable = true},
};
/* - name */
static const rt_column v4[] = {
    {.name = "id", .type = RT_TYPE_INT, .sql_type = "bigint", .primary_key = true},
    {.name = "amount", .type = RT_TYPE_DECIMAL, .sql_type = "decimal(12,2)", .nullable = true},
    {.name = "extra", .type = RT_TYPE_INT, .sql_type = "int", .nullable = true},
    {.name = "memo", .type = RT_TYPE_STRING, .sql_type = "varchar(10)", .nullable = true},
};
static const struct {
    const rt_column *cols;
    size_t n;
    const int32_t *origin; /* from the version before */
} versions[] = {
    {v0, 4, NULL},
    {v1, 5, (const int32_t[]){0, 1, 2, -1, 3}},
    {v2, 5, (const int32_t[]){0, 1, 2, 3, 4}},
    {v3, 5, (const int32_t[]){0, 1, 2, 3, 4}},
    {v4, 4, (const int32_t[]){0, 2, 3, 4}},
};
#define VERSIONS 5

/* One poll's batch: an optional SC record (to version `to` of `table`), then rows first..last
 * in version `to`. */
typedef struct step {
    bool sc;
    rt_schema_change_kind kind;
    const char *table;
    int from, to;
    const char *ddl;
    int first, last;
} step;

static const step *script;
static size_t script_len;
/* A RENAME TABLE step renames items to fresh (before: items' schema). */
static bool rename_from_items;

/* The whole column story of src.items. */
static const step alter_script[] = {
    {.table = "items", .to = 0, .first = 1, .last = 10},
    {true, RT_SCHEMA_ALTER_TABLE, "items", 0, 1,
     "ALTER TABLE items ADD COLUMN extra INT AFTER amount", 11, 20},
    {true, RT_SCHEMA_ALTER_TABLE, "items", 1, 2, "ALTER TABLE items MODIFY amount DECIMAL(12,2)",
     21, 30},
    {true, RT_SCHEMA_ALTER_TABLE, "items", 2, 3, "ALTER TABLE items RENAME COLUMN note TO memo", 31,
     40},
    {true, RT_SCHEMA_ALTER_TABLE, "items", 3, 4, "ALTER TABLE items DROP COLUMN name", 41, 50},
};

typedef struct scripted {
    const rt_table *tables[2][VERSIONS]; /* items, fresh */
    size_t next;
    int64_t next_ms;
} scripted;

static int scripted_open(op_ctx *ctx, const void *config, void **self, rt_err *err)
{
    scripted *s = calloc(1, sizeof *s);
    const char *names[] = {"items", "fresh"};
    for (int t = 0; t < 2; t++) {
        for (int v = 0; v < VERSIONS; v++) {
            rt_table *tb = rt_table_new("src", names[t], versions[v].cols, versions[v].n, err);
            if (!tb) {
                free(s);
                return RT_EINVAL;
            }
            s->tables[t][v] = rt_catalog_intern(op_ctx_catalog(ctx), tb);
        }
    }
    char *val = NULL;
    size_t len = 0;
    if (op_ctx_state_get(ctx, "next", &val, &len, NULL) == 0) {
        s->next = (size_t)strtoull(val, NULL, 10);
        free(val);
    }
    *self = s;
    return 0;
}

static void fill(rt_batch *b, rt_record *r, int64_t id)
{
    char text[64];
    for (size_t c = 0; c < r->ncols; c++) {
        const char *name = rt_table_column(r->table, c)->name;
        if (strcmp(name, "id") == 0) {
            r->values[c] = (rt_value){.type = RT_TYPE_INT, .i = id};
        } else if (strcmp(name, "extra") == 0) {
            r->values[c] = (rt_value){.type = RT_TYPE_INT, .i = id * 10};
        } else if (strcmp(name, "amount") == 0) {
            snprintf(text, sizeof text, "%s%" PRId64 ".25", id > 20 ? "12345" : "", id);
            rt_batch_set_str(b, &r->values[c], RT_TYPE_DECIMAL, text, strlen(text));
        } else {
            snprintf(text, sizeof text, "%s%" PRId64, name, id);
            rt_batch_set_str(b, &r->values[c], RT_TYPE_STRING, text, strlen(text));
        }
    }
}

static int scripted_poll(void *self, op_ctx *ctx, rt_err *err)
{
    scripted *s = self;
    if (s->next >= script_len)
        return OP_POLL_END;
    /* Steps 150 ms apart: checkpoints (every 50 ms) complete between them. */
    if (rt_clock_mono_ms() < s->next_ms)
        return OP_POLL_IDLE;
    const step *st = &script[s->next];
    int t = strcmp(st->table, "fresh") == 0;
    rt_batch *b = op_ctx_batch_new(ctx);
    if (st->sc) {
        const rt_table *after = s->tables[t][st->to];
        const rt_table *before = st->kind == RT_SCHEMA_CREATE_TABLE ? NULL
                                 : st->kind == RT_SCHEMA_RENAME_TABLE && rename_from_items
                                     ? s->tables[0][st->from]
                                     : s->tables[t][st->from];
        rt_record *r =
            rt_batch_add_schema_change(b, st->kind, after, before, st->ddl, strlen(st->ddl));
        if (st->kind == RT_SCHEMA_ALTER_TABLE && versions[st->to].origin)
            rt_batch_set_schema_origin(b, r, versions[st->to].origin, versions[st->to].n);
    }
    for (int id = st->first; id <= st->last && st->last > 0; id++)
        fill(b, rt_batch_add(b, RT_ROW_INSERT, s->tables[t][st->to]), id);
    s->next++;
    s->next_ms = rt_clock_mono_ms() + 150;
    int rc = op_ctx_emit(ctx, b, err);
    return rc != 0 ? rc : OP_POLL_MORE;
}

static int scripted_snapshot(void *self, op_ctx *ctx, uint64_t id, rt_err *err)
{
    scripted *s = self;
    char text[32];
    snprintf(text, sizeof text, "%zu", s->next);
    return op_ctx_state_put(ctx, "next", text, strlen(text), err);
}

static void scripted_close(void *self, op_ctx *ctx)
{
    free(self);
}

static const rt_config_field no_fields[] = {{0}};

static const op_type scripted_type = {
    .info = {.name = "test_scripted", .kind = GRAPH_KIND_SOURCE, .config = no_fields},
    .open = scripted_open,
    .poll = scripted_poll,
    .snapshot_state = scripted_snapshot,
    .close = scripted_close,
};

/* --- Jobs --- */

typedef struct run {
    graph_job *graph;
    rt_job_master *jm;
} run;

static const op_type *lookup(const char *type)
{
    return strcmp(type, "test_scripted") == 0 ? &scripted_type : op_registry_find(type);
}

static const graph_type_info *catalog_find(void *ctx, const char *type)
{
    const op_type *t = lookup(type);
    return t ? &t->info : NULL;
}

static void catalog_list(void *ctx, char *buf, size_t size)
{
    snprintf(buf, size, "test_scripted and the registry's");
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

/* The job: scripted source -> starrocks into database db; sc: the schema_change object. */
static void job_json(char *out, size_t size, const char *db, const char *sc, const char *extra)
{
    snprintf(out, size,
             "{\"name\":\"sc-%s\",\"checkpoint\":{\"interval\":\"50ms\"},"
             "\"restart\":{\"strategy\":\"none\"},\"operators\":["
             "{\"id\":\"src\",\"type\":\"test_scripted\",\"parallelism\":1},"
             "{\"id\":\"sr\",\"type\":\"starrocks\",\"parallelism\":1,\"config\":"
             "{\"load_url\":\"127.0.0.1:%d\",\"query_url\":\"127.0.0.1:%d\",\"user\":\"root\","
             "\"database\":\"%s\",\"schema_change\":%s%s},\"inputs\":[{\"from\":\"src\"}]}]}",
             db, sr_test_fe_port(), sr_test_query_port(), db, sc, extra);
}

static void create_items(const char *db, const char *model)
{
    char sql[512];
    snprintf(sql, sizeof sql, "CREATE DATABASE IF NOT EXISTS %s", db);
    sr_test_exec(sql);
    snprintf(sql, sizeof sql,
             "CREATE TABLE %s.items (`id` BIGINT NOT NULL, `name` VARCHAR(80) NULL, "
             "`amount` DECIMAL(10,2) NULL, `note` VARCHAR(40) NULL) %s KEY(`id`) "
             "DISTRIBUTED BY HASH(`id`) PROPERTIES (\"replication_num\" = \"1\")",
             db, model);
    sr_test_exec(sql);
}

/* The target's columns as "name type, ..." (types as SHOW CREATE TABLE prints them). */
static void columns_of(const char *db, const char *table, char *out, size_t size)
{
    op_sr_query_params p = {.host = "127.0.0.1",
                            .port = sr_test_query_port(),
                            .user = "root",
                            .password = "",
                            .timeout_ms = 10000};
    op_sr_table_meta *m = NULL;
    rt_err err = {0};
    out[0] = '\0';
    if (op_sr_table_meta_fetch(&p, db, table, &m, &err) != 0) {
        snprintf(out, size, "ERR %.400s", err.msg);
        return;
    }
    size_t o = 0;
    for (size_t i = 0; i < op_sr_table_meta_column_count(m) && o < size; i++)
        o += (size_t)snprintf(out + o, size - o, "%s%s %s", i ? ", " : "",
                              op_sr_table_meta_column_name(m, i),
                              op_sr_table_meta_column_type(m, i));
    op_sr_table_meta_free(m);
}

/* One cell of a query, or "NULL"; "?" when there is no such row. */
static void cell_of(const char *sql, char *out, size_t size)
{
    sr_test_rows r;
    snprintf(out, size, "?");
    if (!sr_test_rows_query(sql, &r))
        return;
    if (r.count == 1 && r.ncols >= 1)
        snprintf(out, size, "%s", r.cells[0][0] ? r.cells[0][0] : "NULL");
    sr_test_rows_free(&r);
}

static void check_cell(const char *db, const char *col, int id, const char *want, int line)
{
    char sql[256], got[128];
    snprintf(sql, sizeof sql, "SELECT %s FROM %s.items WHERE id = %d", col, db, id);
    cell_of(sql, got, sizeof got);
    if (strcmp(got, want) != 0)
        test_fail(__FILE__, line, "%s.items id %d %s: got %s, want %s", db, id, col, got, want);
}

/* How many DDL statements the endpoint ran on db contain `text`. */
static int ddl_count(const char *db, const char *text)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "curl -s http://127.0.0.1:%d/_ddl", sr_test_fe_port());
    FILE *f = popen(cmd, "r");
    if (!f)
        return -1;
    rt_buf b;
    rt_buf_init(&b);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        rt_buf_append(&b, buf, n);
    pclose(f);
    json_t *j = json_loadb(b.data ? b.data : "", b.len, 0, NULL);
    rt_buf_fini(&b);
    json_t *arr = json_object_get(j, "ddl");
    int count = j ? 0 : -1;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);
        const char *edb = json_string_value(json_object_get(e, "db"));
        const char *st = json_string_value(json_object_get(e, "statement"));
        if (edb && st && strcmp(edb, db) == 0 && strstr(st, text))
            count++;
    }
    json_decref(j);
    return count;
}

static void run_script(const step *s, size_t n, const char *json, const char *data, char **metrics)
{
    script = s;
    script_len = n;
    run_finish_metrics(json, data, metrics);
}

#define CELL(db, col, id, want) check_cell(db, col, id, want, __LINE__)

/* --- Tests --- */

TEST(evolve_applies_every_column_change_once)
{
    if (!sr_test_endpoint_start())
        return;
    /* evolve and try_evolve with checkpoints (JSON and CSV bodies), exactly-once without
     * checkpoints (applied at the end of input in turns), at-least-once (applied at once). */
    static const struct {
        const char *db, *behavior, *extra;
        bool checkpoints;
    } runs[] = {
        {"sc_ev", "evolve", "", true},
        {"sc_te", "try_evolve", "", true},
        {"sc_evcsv", "evolve", ",\"format\":\"csv\"", true},
        {"sc_evnc", "evolve", "", false},
        {"sc_evalo", "evolve", ",\"semantic\":\"at-least-once\",\"flush\":{\"interval\":\"10ms\"}",
         false},
    };
    for (size_t k = 0; k < sizeof runs / sizeof runs[0]; k++) {
        const char *db = runs[k].db;
        create_items(db, "PRIMARY");
        char sc[128], json[4096], data[600], cols[512];
        snprintf(sc, sizeof sc, "{\"behavior\":\"%s\"}", runs[k].behavior);
        job_json(json, sizeof json, db, sc, runs[k].extra);
        snprintf(data, sizeof data, "%s/%s", test_tmpdir(), db);
        char *metrics = NULL;
        run_script(alter_script, 5, json, runs[k].checkpoints ? data : NULL, &metrics);
        columns_of(db, "items", cols, sizeof cols);
        if (strcmp(cols, "id bigint(20), amount decimal(12,2), extra int(11), memo varchar(40)"))
            test_fail(__FILE__, __LINE__, "%s: columns %s", db, cols);
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s.items", db);
        CHECK_INT_EQ(sr_test_count(sql), 50);
        CELL(db, "amount", 5, "5.25");
        CELL(db, "extra", 5, "NULL");
        CELL(db, "memo", 5, "note5"); /* the rename kept the values */
        CELL(db, "extra", 15, "150");
        CELL(db, "amount", 25, "1234525.25");
        CELL(db, "memo", 35, "memo35");
        CELL(db, "extra", 45, "450");
        CHECK_INT_EQ(ddl_count(db, "ADD COLUMN `extra` INT NULL AFTER `amount`"), 1);
        CHECK_INT_EQ(ddl_count(db, "MODIFY COLUMN `amount` DECIMAL(12,2)"), 1);
        CHECK_INT_EQ(ddl_count(db, "RENAME COLUMN `note` TO `memo`"), 1);
        CHECK_INT_EQ(ddl_count(db, "DROP COLUMN `name`"), 1);
        if (metrics) {
            CHECK_STR_CONTAINS(metrics, "sluice_starrocks_schema_changes_total{");
            CHECK_STR_CONTAINS(metrics, "outcome=\"applied\"} 4");
            CHECK_STR_CONTAINS(metrics, "sluice_starrocks_schema_change_pending{");
        }
        free(metrics);
    }
}

TEST(lenient_keeps_every_value)
{
    if (!sr_test_endpoint_start())
        return;
    const char *db = "sc_le";
    create_items(db, "PRIMARY");
    char json[4096], data[600], cols[512];
    job_json(json, sizeof json, db, "{}", "");
    snprintf(data, sizeof data, "%s/%s", test_tmpdir(), db);
    run_script(alter_script, 5, json, data, NULL);
    columns_of(db, "items", cols, sizeof cols);
    CHECK_STR_EQ(cols, "id bigint(20), name varchar(80), amount decimal(12,2), extra int(11), "
                       "memo varchar(40), note varchar(40)");
    CHECK_INT_EQ(sr_test_count("SELECT COUNT(*) FROM sc_le.items"), 50);
    CELL(db, "note", 5, "note5");
    CELL(db, "memo", 5, "NULL");
    CELL(db, "note", 35, "NULL");
    CELL(db, "memo", 35, "memo35");
    CELL(db, "name", 35, "name35");
    CELL(db, "name", 45, "NULL"); /* dropped at the source: kept, NULL from then on */
    CELL(db, "amount", 25, "1234525.25");
    CHECK_INT_EQ(ddl_count(db, "ADD COLUMN `extra`"), 1);
    CHECK_INT_EQ(ddl_count(db, "MODIFY COLUMN `amount` DECIMAL(12,2)"), 1);
    CHECK_INT_EQ(ddl_count(db, "ADD COLUMN `memo` VARCHAR(40) NULL AFTER `extra`"), 1);
    CHECK_INT_EQ(ddl_count(db, "DROP COLUMN"), 0);
    CHECK_INT_EQ(ddl_count(db, "RENAME"), 0);
}

TEST(ignore_converts_rows_to_the_target)
{
    if (!sr_test_endpoint_start())
        return;
    const char *db = "sc_ig";
    create_items(db, "PRIMARY");
    char json[4096], data[600], cols[512];
    job_json(json, sizeof json, db, "{\"behavior\":\"ignore\"}", ",\"format\":\"csv\"");
    snprintf(data, sizeof data, "%s/%s", test_tmpdir(), db);
    run_script(alter_script, 5, json, data, NULL);
    columns_of(db, "items", cols, sizeof cols);
    CHECK_STR_EQ(cols, "id bigint(20), name varchar(80), amount decimal(10,2), note varchar(40)");
    CHECK_INT_EQ(sr_test_count("SELECT COUNT(*) FROM sc_ig.items"), 50);
    CELL(db, "note", 15, "note15");
    CELL(db, "note", 35, "NULL");
    CELL(db, "name", 45, "NULL");
    CELL(db, "amount", 25, "1234525.25");
    CHECK_INT_EQ(ddl_count(db, "ALTER"), 0);
}

TEST(exception_fails_naming_table_and_ddl)
{
    if (!sr_test_endpoint_start())
        return;
    const char *db = "sc_ex";
    create_items(db, "PRIMARY");
    char json[4096];
    job_json(json, sizeof json, db,
             "{\"behavior\":\"evolve\",\"overrides\":{\"modify_column\":\"exception\"}}", "");
    script = alter_script;
    script_len = 5;
    run r;
    if (run_start(&r, json, NULL)) {
        rt_err err;
        CHECK_INT_EQ(run_wait(&r, &err), RT_JOB_MASTER_FAILED);
        CHECK_STR_CONTAINS(err.msg, "sc_ex.items");
        CHECK_STR_CONTAINS(err.msg, "modify_column (exception)");
        CHECK_STR_CONTAINS(err.msg, "ALTER TABLE items MODIFY amount DECIMAL(12,2)");
    }
    run_free(&r);
    /* Refused before anything ran. */
    CHECK_INT_EQ(ddl_count(db, "MODIFY"), 0);
}

TEST(truncate_and_create_table)
{
    if (!sr_test_endpoint_start())
        return;
    const char *db = "sc_tc";
    create_items(db, "PRIMARY");
    static const step s[] = {
        {.table = "items", .to = 0, .first = 1, .last = 10},
        {true, RT_SCHEMA_TRUNCATE_TABLE, "items", 0, 0, "TRUNCATE TABLE items", 11, 20},
        {true, RT_SCHEMA_CREATE_TABLE, "fresh", 0, 0, "CREATE TABLE fresh (...)", 1, 5},
    };
    char json[4096], data[600], cols[512];
    job_json(json, sizeof json, db, "{\"behavior\":\"evolve\"}", "");
    snprintf(data, sizeof data, "%s/%s", test_tmpdir(), db);
    run_script(s, 3, json, data, NULL);
    CHECK_INT_EQ(sr_test_count("SELECT COUNT(*) FROM sc_tc.items"), 10);
    CHECK_INT_EQ(sr_test_count("SELECT COUNT(*) FROM sc_tc.items WHERE id <= 10"), 0);
    columns_of(db, "fresh", cols, sizeof cols);
    CHECK_STR_EQ(cols, "id bigint(20), name varchar(80), amount decimal(10,2), note varchar(40)");
    CHECK_INT_EQ(sr_test_count("SELECT COUNT(*) FROM sc_tc.fresh"), 5);
    CHECK_INT_EQ(ddl_count(db, "TRUNCATE TABLE `sc_tc`.`items`"), 1);
    CHECK_INT_EQ(ddl_count(db, "CREATE TABLE IF NOT EXISTS `sc_tc`.`fresh`"), 1);
    /* Lenient (the default) neither truncates nor drops. */
    const char *db2 = "sc_tl";
    create_items(db2, "PRIMARY");
    job_json(json, sizeof json, db2, "{}", "");
    snprintf(data, sizeof data, "%s/%s", test_tmpdir(), db2);
    run_script(s, 2, json, data, NULL);
    CHECK_INT_EQ(sr_test_count("SELECT COUNT(*) FROM sc_tl.items"), 20);
    CHECK_INT_EQ(ddl_count(db2, "TRUNCATE"), 0);
}

TEST(rename_and_drop_table)
{
    if (!sr_test_endpoint_start())
        return;
    const char *db = "sc_rt";
    create_items(db, "PRIMARY");
    static const step s[] = {
        {.table = "items", .to = 0, .first = 1, .last = 10},
        {true, RT_SCHEMA_RENAME_TABLE, "fresh", 0, 0, "RENAME TABLE items TO fresh", 11, 15},
    };
    /* RENAME's before is items (the step's `from` of the other table): the source says so. */
    static const step s2[] = {
        {.table = "items", .to = 0, .first = 1, .last = 10},
        {true, RT_SCHEMA_DROP_TABLE, "items", 0, 0, "DROP TABLE items", 0, 0},
    };
    char json[4096], data[600], cols[512];
    job_json(json, sizeof json, db, "{\"behavior\":\"evolve\"}", "");
    snprintf(data, sizeof data, "%s/%s", test_tmpdir(), db);
    rename_from_items = true;
    run_script(s, 2, json, data, NULL);
    rename_from_items = false;
    columns_of(db, "items", cols, sizeof cols);
    CHECK_STR_CONTAINS(cols, "ERR");
    CHECK_INT_EQ(sr_test_count("SELECT COUNT(*) FROM sc_rt.fresh"), 15);
    CHECK_INT_EQ(ddl_count(db, "ALTER TABLE `sc_rt`.`items` RENAME `fresh`"), 1);
    /* DROP TABLE under evolve; lenient keeps the table. */
    const char *db2 = "sc_dt";
    create_items(db2, "PRIMARY");
    job_json(json, sizeof json, db2,
             "{\"behavior\":\"lenient\",\"overrides\":"
             "{\"drop_table\":\"evolve\"}}",
             "");
    snprintf(data, sizeof data, "%s/%s", test_tmpdir(), db2);
    run_script(s2, 2, json, data, NULL);
    columns_of(db2, "items", cols, sizeof cols);
    CHECK_STR_CONTAINS(cols, "ERR");
    CHECK_INT_EQ(ddl_count(db2, "DROP TABLE IF EXISTS `sc_dt`.`items`"), 1);
}

TEST(failure_after_a_ddl_restores_exactly_once)
{
    if (!sr_test_endpoint_start())
        return;
    const char *db = "sc_rs";
    /* Duplicate key: a row loaded twice would show twice. */
    create_items(db, "DUPLICATE");
    char json[4096], data[600], cols[512];
    job_json(json, sizeof json, db, "{\"behavior\":\"evolve\"}", "");
    snprintf(data, sizeof data, "%s/%s", test_tmpdir(), db);
    rt_err err = {0};
    /* The MODIFY (the 2nd DDL) runs, then the job fails before its checkpoint moves on. */
    CHECK_OK(rt_failpoint_init("starrocks.schema.after_apply=error@2", &err), &err);
    script = alter_script;
    script_len = 5;
    run r;
    if (run_start(&r, json, data)) {
        CHECK_INT_EQ(run_wait(&r, &err), RT_JOB_MASTER_FAILED);
        CHECK_STR_CONTAINS(err.msg, "failpoint starrocks.schema.after_apply");
    }
    run_free(&r);
    rt_failpoint_reset();
    CHECK_INT_EQ(ddl_count(db, "MODIFY COLUMN `amount`"), 1);
    if (run_start(&r, json, data)) {
        CHECK(rt_job_master_restored_checkpoint(r.jm) > 0);
        rt_job_master_status st = run_wait(&r, &err);
        if (st != RT_JOB_MASTER_FINISHED)
            test_fail(__FILE__, __LINE__, "restored job ended %s: %s",
                      rt_job_master_status_name(st), err.msg);
    }
    run_free(&r);
    columns_of(db, "items", cols, sizeof cols);
    CHECK_STR_EQ(cols, "id bigint(20), amount decimal(12,2), extra int(11), memo varchar(40)");
    CHECK_INT_EQ(sr_test_count("SELECT COUNT(*) FROM sc_rs.items"), 50);
    CHECK_INT_EQ(sr_test_count("SELECT COUNT(*) FROM sc_rs.items WHERE id = 25"), 1);
    CELL(db, "extra", 15, "150");
    CELL(db, "memo", 35, "memo35");
    CHECK_INT_EQ(ddl_count(db, "ADD COLUMN `extra`"), 1);
    CHECK_INT_EQ(ddl_count(db, "MODIFY COLUMN `amount`"), 1); /* skipped after the restore */
    CHECK_INT_EQ(ddl_count(db, "RENAME COLUMN"), 1);
    CHECK_INT_EQ(ddl_count(db, "DROP COLUMN"), 1);
}

TEST_MAIN()
