/* Tests of sr_store's schema changes (sr_store_alter.c, sr_store_ddl.c): StarRocks' rules for
 * ADD / DROP / MODIFY / RENAME COLUMN and RENAME, MODIFY as an asynchronous job, the job list,
 * the DDL audit log, and that all of it survives reopening the data dir. */
#include "tests/harness/test.h"
#include "tests/sr_endpoint/sr_store.h"
#include "tests/unit/sr_endpoint/sr_test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static char dir[512];

static sr_store *open_store(void)
{
    sr_store *s = NULL;
    rt_err err;
    if (sr_store_open(dir, &s, &err))
        test_fail(__FILE__, __LINE__, "open: %s", err.msg);
    return s;
}

/* d.t (id BIGINT NOT NULL, name VARCHAR(8) NULL, n INT NULL) of the given model, key id, with
 * rows (1,'a',5) and (2,NULL,NULL). */
static sr_store *open_with_table(const char *sub, sr_model model)
{
    snprintf(dir, sizeof(dir), "%s/%s", test_tmpdir(), sub);
    sr_store *s = open_store();
    rt_err err;
    CHECK_OK(sr_store_create_database(s, "d", false, &err), &err);
    sr_table_def d = {0};
    d.name = strdup("t");
    d.column_count = 3;
    d.columns = calloc(3, sizeof(sr_column_def));
    d.columns[0] = col("id", "BIGINT", false, NULL);
    d.columns[1] = col("name", "VARCHAR(8)", true, NULL);
    d.columns[2] = col("n", "INT", true, NULL);
    d.model = model;
    d.key_count = 1;
    d.key_columns = calloc(1, sizeof(char *));
    d.key_columns[0] = strdup("id");
    d.distributed_count = 1;
    d.distributed_by = calloc(1, sizeof(char *));
    d.distributed_by[0] = strdup("id");
    CHECK_OK(sr_store_create_table(s, "d", &d, false, &err), &err);
    sr_batch *b = sr_batch_new(&d);
    sr_value r1[3] = {sr_value_text("1", 1), sr_value_text("a", 1), sr_value_text("5", 1)};
    sr_value r2[3] = {sr_value_text("2", 1), {.kind = SR_VALUE_NULL}, {.kind = SR_VALUE_NULL}};
    sr_batch_add(b, SR_ROW_UPSERT, r1);
    sr_batch_add(b, SR_ROW_UPSERT, r2);
    CHECK_OK(sr_store_commit(s, "d", "t", b, NULL, 0, &err), &err);
    sr_batch_free(b);
    sr_table_def_fini(&d);
    return s;
}

struct dump {
    char text[4096];
};

static int dump_row(void *ctx, const sr_value *v, size_t n)
{
    struct dump *d = ctx;
    size_t len = strlen(d->text);
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(d->text + len, sizeof(d->text) - len, "%s%s", i ? "," : "",
                                v[i].kind == SR_VALUE_TEXT ? v[i].data : "NULL");
    snprintf(d->text + len, sizeof(d->text) - len, ";");
    return 0;
}

static const char *scan(sr_store *s, const char *t)
{
    static struct dump d;
    d.text[0] = '\0';
    rt_err err;
    if (sr_store_scan(s, "d", t, dump_row, &d, &err))
        snprintf(d.text, sizeof(d.text), "ERR:%s", err.msg);
    return d.text;
}

/* "name type null, ..." of d.t */
static const char *schema(sr_store *s, const char *t)
{
    static char out[1024];
    out[0] = '\0';
    sr_table_def d = {0};
    rt_err err;
    if (sr_store_get_schema(s, "d", t, &d, &err)) {
        snprintf(out, sizeof out, "ERR:%s", err.msg);
        return out;
    }
    for (size_t i = 0; i < d.column_count; i++) {
        char ty[64];
        sr_type_format(&d.columns[i].type, ty, sizeof ty);
        size_t len = strlen(out);
        snprintf(out + len, sizeof out - len, "%s%s %s%s", i ? ", " : "", d.columns[i].name, ty,
                 d.columns[i].nullable ? "" : " not null");
    }
    sr_table_def_fini(&d);
    return out;
}

static int ddl(sr_store *s, sr_ddl d, rt_err *err)
{
    d.db = "d";
    if (!d.table)
        d.table = "t";
    return sr_store_ddl(s, &d, err);
}

static int add1(sr_store *s, const char *name, const char *type, bool null, const char *def,
                const char *after, bool first, rt_err *err)
{
    sr_column_def c = col(name, type, null, def);
    int rc = ddl(s,
                 (sr_ddl){.kind = SR_DDL_ADD_COLUMNS,
                          .columns = &c,
                          .column_count = 1,
                          .after = after,
                          .first = first},
                 err);
    sr_column_def_fini(&c);
    return rc;
}

static int modify(sr_store *s, const char *name, const char *type, bool null, const char *def,
                  rt_err *err)
{
    sr_column_def c = col(name, type, null, def);
    int rc = ddl(s, (sr_ddl){.kind = SR_DDL_MODIFY_COLUMN, .columns = &c, .column_count = 1}, err);
    sr_column_def_fini(&c);
    return rc;
}

/* The state of the last job of d, or "none". */
static const char *last_state(sr_store *s)
{
    sr_alter_job_info *jobs = NULL;
    size_t n = 0;
    rt_err err;
    if (sr_store_alter_jobs(s, "d", &jobs, &n, &err))
        return "ERR";
    const char *st = n ? sr_alter_state_name(jobs[n - 1].state) : "none";
    free(jobs);
    return st;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

TEST(add_columns_positions_and_defaults)
{
    sr_store *s = open_with_table("add", SR_MODEL_PRIMARY_KEY);
    rt_err err;
    CHECK_OK(add1(s, "c1", "INT", true, "7", "id", false, &err), &err);
    CHECK_STR_EQ(last_state(s), "FINISHED");
    CHECK_OK(add1(s, "c0", "VARCHAR(3)", false, "z", NULL, false, &err), &err);
    CHECK_STR_EQ(
        schema(s, "t"),
        "id bigint(20) not null, c1 int(11), name varchar(8), n int(11), c0 varchar(3) not null");
    CHECK_STR_EQ(scan(s, "t"), "1,7,a,5,z;2,7,NULL,NULL,z;");
    /* A value column may not go before the key of a PRIMARY KEY table. */
    CHECK_INT_EQ(add1(s, "f", "INT", true, NULL, NULL, true, &err), RT_EINVAL);
    CHECK_STR_EQ(err.msg, "Invalid column order. value should be after key. index[t]");
    CHECK_INT_EQ(add1(s, "C1", "INT", true, NULL, NULL, false, &err), RT_EINVAL);
    CHECK_STR_EQ(err.msg, "Can not add column which already exists in base table: C1");
    CHECK_INT_EQ(add1(s, "g", "INT", true, NULL, "nope", false, &err), RT_EINVAL);
    CHECK_STR_EQ(err.msg, "Column[nope] does not exists");
    /* ADD COLUMN (a, b): appended in order, all or nothing. */
    sr_column_def two[2] = {col("x", "DATE", true, NULL), col("y", "BIGINT", true, "3")};
    CHECK_OK(ddl(s, (sr_ddl){.kind = SR_DDL_ADD_COLUMNS, .columns = two, .column_count = 2}, &err),
             &err);
    CHECK_STR_EQ(scan(s, "t"), "1,7,a,5,z,NULL,3;2,7,NULL,NULL,z,NULL,3;");
    sr_column_def_fini(&two[0]);
    sr_column_def_fini(&two[1]);
    two[0] = col("p", "INT", true, NULL);
    two[1] = col("x", "INT", true, NULL);
    CHECK_INT_EQ(
        ddl(s, (sr_ddl){.kind = SR_DDL_ADD_COLUMNS, .columns = two, .column_count = 2}, &err),
        RT_EINVAL);
    CHECK(strstr(schema(s, "t"), "p int") == NULL);
    sr_column_def_fini(&two[0]);
    sr_column_def_fini(&two[1]);
    sr_store_close(s);
}

TEST(drop_column)
{
    sr_store *s = open_with_table("drop", SR_MODEL_PRIMARY_KEY);
    rt_err err;
    CHECK_INT_EQ(ddl(s, (sr_ddl){.kind = SR_DDL_DROP_COLUMN, .column = "id"}, &err), RT_EINVAL);
    CHECK_STR_EQ(err.msg, "Can not drop key column in primary data model table");
    CHECK_INT_EQ(ddl(s, (sr_ddl){.kind = SR_DDL_DROP_COLUMN, .column = "zz"}, &err), RT_EINVAL);
    CHECK_STR_EQ(err.msg, "Column does not exists: zz");
    CHECK_OK(ddl(s, (sr_ddl){.kind = SR_DDL_DROP_COLUMN, .column = "NAME"}, &err), &err);
    CHECK_STR_EQ(last_state(s), "FINISHED");
    CHECK_STR_EQ(scan(s, "t"), "1,5;2,NULL;");
    /* Re-adding the name gives NULLs, not the dropped values. */
    CHECK_OK(add1(s, "name", "VARCHAR(8)", true, NULL, NULL, false, &err), &err);
    CHECK_STR_EQ(scan(s, "t"), "1,5,NULL;2,NULL,NULL;");
    sr_store_close(s);
}

TEST(modify_is_an_asynchronous_job)
{
    sr_store *s = open_with_table("modify", SR_MODEL_PRIMARY_KEY);
    rt_err err;
    sr_store_set_alter_delay_ms(s, 400);
    CHECK_OK(modify(s, "n", "BIGINT", true, NULL, &err), &err);
    CHECK_STR_EQ(last_state(s), "RUNNING");
    /* The old type until the job finishes; loads keep working with it. */
    CHECK_STR_EQ(schema(s, "t"), "id bigint(20) not null, name varchar(8), n int(11)");
    sr_table_def d = {0};
    CHECK_OK(sr_store_get_schema(s, "d", "t", &d, &err), &err);
    sr_batch *b = sr_batch_new(&d);
    sr_value r[3] = {sr_value_text("3", 1), sr_value_text("c", 1), sr_value_text("9", 1)};
    sr_batch_add(b, SR_ROW_UPSERT, r);
    CHECK_OK(sr_store_commit(s, "d", "t", b, NULL, 0, &err), &err);
    sr_batch_free(b);
    sr_table_def_fini(&d);
    /* Another ALTER (or TRUNCATE) of the table is refused while the job runs. */
    CHECK_INT_EQ(add1(s, "q", "INT", true, NULL, NULL, false, &err), RT_ESTATE);
    CHECK_STR_EQ(err.msg, "Table[t]'s state is not NORMAL. Do not allow doing ALTER ops");
    CHECK_INT_EQ(ddl(s, (sr_ddl){.kind = SR_DDL_TRUNCATE_TABLE}, &err), RT_ESTATE);
    CHECK_STR_EQ(err.msg, "Table' state is not NORMAL: SCHEMA_CHANGE");
    CHECK_INT_EQ(ddl(s, (sr_ddl){.kind = SR_DDL_RENAME_TABLE, .new_name = "u"}, &err), RT_ESTATE);
    for (int i = 0; i < 100 && strcmp(last_state(s), "RUNNING") == 0; i++)
        sleep_ms(20);
    CHECK_STR_EQ(last_state(s), "FINISHED");
    CHECK_STR_EQ(schema(s, "t"), "id bigint(20) not null, name varchar(8), n bigint(20)");
    CHECK_STR_EQ(scan(s, "t"), "1,a,5;2,NULL,NULL;3,c,9;");
    sr_alter_job_info *jobs = NULL;
    size_t n = 0;
    CHECK_OK(sr_store_alter_jobs(s, "d", &jobs, &n, &err), &err);
    CHECK_INT_EQ(n, 1);
    CHECK_STR_EQ(jobs[0].table, "t");
    CHECK(jobs[0].finish_ms >= jobs[0].create_ms + 400);
    CHECK(jobs[0].index_id != jobs[0].origin_index_id);
    CHECK_INT_EQ(jobs[0].timeout_s, 86400);
    free(jobs);
    /* A second MODIFY is fine once the first finished; a move goes with it. */
    sr_store_set_alter_delay_ms(s, 0);
    sr_column_def c = col("name", "VARCHAR(20)", true, NULL);
    CHECK_OK(
        ddl(s,
            (sr_ddl){.kind = SR_DDL_MODIFY_COLUMN, .columns = &c, .column_count = 1, .after = "n"},
            &err),
        &err);
    sr_column_def_fini(&c);
    CHECK_STR_EQ(schema(s, "t"), "id bigint(20) not null, n bigint(20), name varchar(20)");
    CHECK_STR_EQ(scan(s, "t"), "1,5,a;2,NULL,NULL;3,9,c;");
    sr_store_close(s);
}

TEST(modify_rules)
{
    sr_store *s = open_with_table("rules", SR_MODEL_PRIMARY_KEY);
    rt_err err;
    sr_store_set_alter_delay_ms(s, 0);
    CHECK_INT_EQ(modify(s, "id", "LARGEINT", false, NULL, &err), RT_EINVAL);
    CHECK_STR_EQ(err.msg, "Can not modify key column: id for primary key table");
    CHECK_INT_EQ(modify(s, "n", "TINYINT", true, NULL, &err), RT_EINVAL);
    CHECK_STR_EQ(err.msg, "Can not change INT to TINYINT");
    CHECK_INT_EQ(modify(s, "name", "VARCHAR(4)", true, NULL, &err), RT_EINVAL);
    CHECK_STR_EQ(err.msg, "Cannot shorten string length");
    CHECK_INT_EQ(modify(s, "n", "INT", false, NULL, &err), RT_EINVAL);
    CHECK_STR_EQ(err.msg, "Can not change from nullable to non-nullable");
    CHECK_INT_EQ(modify(s, "n", "BIGINT", true, "1", &err), RT_EINVAL);
    CHECK_STR_EQ(err.msg, "Can not change default value");
    CHECK_INT_EQ(modify(s, "zz", "INT", true, NULL, &err), RT_EINVAL);
    CHECK_STR_EQ(err.msg, "Column[zz] does not exists");
    CHECK_INT_EQ(modify(s, "n", "DATE", true, NULL, &err), RT_EINVAL);
    CHECK_STR_EQ(err.msg, "Can not change INT to DATE");
    CHECK_STR_EQ(last_state(s), "none");
    /* Widening: INT -> STRING, VARCHAR -> STRING. */
    CHECK_OK(modify(s, "n", "STRING", true, NULL, &err), &err);
    CHECK_OK(modify(s, "name", "STRING", true, NULL, &err), &err);
    CHECK_STR_EQ(schema(s, "t"), "id bigint(20) not null, name varchar(65533), n varchar(65533)");
    sr_store_close(s);

    /* A value that does not convert cancels the job; the schema stays. */
    s = open_with_table("rules2", SR_MODEL_PRIMARY_KEY);
    sr_store_set_alter_delay_ms(s, 0);
    CHECK_OK(modify(s, "name", "INT", true, NULL, &err), &err); /* 'a' is not a number */
    CHECK_STR_EQ(last_state(s), "CANCELLED");
    CHECK_STR_EQ(schema(s, "t"), "id bigint(20) not null, name varchar(8), n int(11)");
    sr_alter_job_info *jobs = NULL;
    size_t n = 0;
    CHECK_OK(sr_store_alter_jobs(s, "d", &jobs, &n, &err), &err);
    CHECK_INT_EQ(n, 1);
    CHECK_STR_CONTAINS(jobs[0].msg, "name");
    free(jobs);
    /* NOT NULL -> NULL is allowed. */
    CHECK_OK(modify(s, "n", "INT", true, NULL, &err), &err);
    sr_store_close(s);
}

TEST(rename_column_and_table)
{
    sr_store *s = open_with_table("rename", SR_MODEL_PRIMARY_KEY);
    rt_err err;
    CHECK_OK(
        ddl(s, (sr_ddl){.kind = SR_DDL_RENAME_COLUMN, .column = "name", .new_name = "nm"}, &err),
        &err);
    CHECK_INT_EQ(
        ddl(s, (sr_ddl){.kind = SR_DDL_RENAME_COLUMN, .column = "n", .new_name = "NM"}, &err),
        RT_EINVAL);
    CHECK_STR_EQ(err.msg, "Column[NM] already exists");
    /* A key column keeps being the key (and the distribution column) under its new name. */
    CHECK_OK(ddl(s, (sr_ddl){.kind = SR_DDL_RENAME_COLUMN, .column = "id", .new_name = "k"}, &err),
             &err);
    CHECK_OK(ddl(s, (sr_ddl){.kind = SR_DDL_RENAME_TABLE, .new_name = "u"}, &err), &err);
    CHECK(!sr_store_has_table(s, "d", "t"));
    CHECK_STR_EQ(schema(s, "u"), "k bigint(20) not null, nm varchar(8), n int(11)");
    CHECK_STR_EQ(scan(s, "u"), "1,a,5;2,NULL,NULL;");
    sr_table_def d = {0};
    CHECK_OK(sr_store_get_schema(s, "d", "u", &d, &err), &err);
    CHECK_STR_EQ(d.key_columns[0], "k");
    CHECK_STR_EQ(d.distributed_by[0], "k");
    sr_table_def_fini(&d);
    sr_store_close(s);
}

TEST(durable_jobs_schema_and_audit_log)
{
    sr_store *s = open_with_table("durable", SR_MODEL_DUPLICATE_KEY);
    rt_err err;
    sr_store_set_alter_delay_ms(s, 300);
    CHECK_OK(add1(s, "c", "INT", true, "4", NULL, false, &err), &err);
    sr_column_def c = col("n", "BIGINT", true, NULL);
    CHECK_OK(ddl(s,
                 (sr_ddl){.kind = SR_DDL_MODIFY_COLUMN,
                          .columns = &c,
                          .column_count = 1,
                          .statement = "ALTER TABLE t MODIFY COLUMN n BIGINT"},
                 &err),
             &err);
    sr_column_def_fini(&c);
    CHECK_OK(
        ddl(s, (sr_ddl){.kind = SR_DDL_NOOP, .statement = "CREATE TABLE IF NOT EXISTS t"}, &err),
        &err);
    /* A job RUNNING at a restart finishes after it. */
    sr_store_close(s);
    s = open_store();
    CHECK_STR_EQ(last_state(s), "RUNNING");
    CHECK_STR_EQ(schema(s, "t"), "id bigint(20) not null, name varchar(8), n int(11), c int(11)");
    for (int i = 0; i < 100 && strcmp(last_state(s), "RUNNING") == 0; i++)
        sleep_ms(20);
    CHECK_STR_EQ(last_state(s), "FINISHED");
    /* DUPLICATE KEY: the key column may go, as long as one key column stays. */
    CHECK_INT_EQ(ddl(s, (sr_ddl){.kind = SR_DDL_DROP_COLUMN, .column = "id"}, &err), RT_EINVAL);
    CHECK_STR_EQ(err.msg, "No key column left. index[t]");
    CHECK_OK(ddl(s,
                 (sr_ddl){.kind = SR_DDL_DROP_COLUMN,
                          .column = "name",
                          .statement = "ALTER TABLE t DROP COLUMN name"},
                 &err),
             &err);
    sr_store_close(s);
    s = open_store();
    CHECK_STR_EQ(schema(s, "t"), "id bigint(20) not null, n bigint(20), c int(11)");
    CHECK_STR_EQ(scan(s, "t"), "1,5,4;2,NULL,4;");
    sr_alter_job_info *jobs = NULL;
    size_t n = 0;
    CHECK_OK(sr_store_alter_jobs(s, "d", &jobs, &n, &err), &err);
    CHECK_INT_EQ(n, 3);
    CHECK_INT_EQ(jobs[1].state, SR_ALTER_FINISHED);
    CHECK(jobs[0].job_id < jobs[1].job_id && jobs[1].job_id < jobs[2].job_id);
    free(jobs);
    char *log = sr_store_ddl_log_json(s);
    CHECK_STR_CONTAINS(log,
                       "\"statement\":\"ALTER TABLE t MODIFY COLUMN n BIGINT\",\"applied\":true");
    CHECK_STR_CONTAINS(log, "\"statement\":\"CREATE TABLE IF NOT EXISTS t\",\"applied\":false");
    CHECK_STR_CONTAINS(
        log, "\"db\":\"d\",\"table\":\"t\",\"statement\":\"ALTER TABLE t DROP COLUMN name\"");
    free(log);
    /* Dropping a table cancels its running job. */
    sr_store_set_alter_delay_ms(s, 60000);
    CHECK_OK(modify(s, "c", "BIGINT", true, "4", &err), &err);
    CHECK_OK(ddl(s, (sr_ddl){.kind = SR_DDL_DROP_TABLE}, &err), &err);
    CHECK_STR_EQ(last_state(s), "CANCELLED");
    sr_store_close(s);
}

TEST_MAIN()
