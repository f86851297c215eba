/* The project transform: "*" expansion and replacement in place, computed columns with AS,
 * metadata columns, drop, the output key (kept through AS, missing -> error unless primary_key),
 * and configs that fail with their JSON path. */
#include <stdlib.h>
#include <string.h>

#include "tests/harness/test.h"
#include "tests/unit/transform/tf_test.h"

extern const op_type op_project_type;

static const rt_column cols[] = {
    {.name = "id", .type = RT_TYPE_INT, .sql_type = "int", .primary_key = true},
    {.name = "name", .type = RT_TYPE_STRING, .sql_type = "varchar(20)", .nullable = true},
    {.name = "amount", .type = RT_TYPE_INT, .sql_type = "int", .nullable = true},
    {.name = "secret", .type = RT_TYPE_STRING, .sql_type = "varchar(9)", .nullable = true},
};

typedef struct fixture {
    rt_catalog *cat;
    const rt_table *t;
    rt_batch *in;
    op_tf *tf;
    rt_err err;
} fixture;

static bool setup(fixture *f, const char *json)
{
    memset(f, 0, sizeof *f);
    f->cat = rt_catalog_new();
    f->t = tf_table(f->cat, "shop", "orders", cols, 4);
    f->in = rt_batch_new(NULL);
    f->tf = tf_make(&op_project_type, op_project_make, json, f->cat, &f->err);
    if (!f->tf)
        test_fail(__FILE__, __LINE__, "make: %s", f->err.msg);
    return f->tf != NULL;
}

static void teardown(fixture *f)
{
    op_tf_free(f->tf);
    rt_batch_unref(f->in);
    rt_catalog_free(f->cat);
}

/* The derived schema of f->t. */
static const rt_table *derived(fixture *f)
{
    const op_tf_entry *e = NULL;
    if (op_tf_entry_get(f->tf, f->t, &e, &f->err) != 0) {
        test_fail(__FILE__, __LINE__, "derive: %s", f->err.msg);
        return NULL;
    }
    return e->out;
}

TEST(star_replaced_in_place)
{
    fixture f;
    if (setup(&f, "{\"columns\":[\"*\",\"UPPER(name) AS name\",\"amount * 100 AS cents\"]}")) {
        tf_row(f.in, RT_ROW_INSERT, f.t, "1|pen|12|s")->ts_ms = 42;
        rt_batch *out = rt_batch_new(NULL);
        CHECK_OK(op_tf_apply(f.tf, f.in, out, NULL, &f.err), &f.err);
        char *lines = tf_lines(out);
        CHECK_STR_EQ(lines, "{\"op\":\"+I\",\"table\":\"shop.orders\",\"data\":{\"id\":1,\"name\":"
                            "\"PEN\",\"amount\":12,\"secret\":\"s\",\"cents\":1200}}\n");
        free(lines);
        CHECK_INT_EQ(rt_batch_at(out, 0)->ts_ms, 42);
        const rt_table *t = rt_batch_at(out, 0)->table;
        CHECK_INT_EQ(rt_table_column_count(t), 5);
        CHECK(rt_table_column(t, 0)->primary_key);
        CHECK(!rt_table_column(t, 1)->primary_key);
        CHECK_INT_EQ(rt_table_column(t, 4)->type, RT_TYPE_INT);
        CHECK_STR_EQ(rt_table_column(t, 4)->sql_type, "bigint");
        rt_batch_unref(out);
    }
    teardown(&f);
}

TEST(columns_alias_and_metadata)
{
    fixture f;
    if (setup(&f, "{\"tables\":[\"shop\\\\..*\"],\"columns\":[\"id AS order_id\",\"name\","
                  "\"__table_name__ AS src_table\",\"__data_event_type__ AS op\","
                  "\"CAST(amount AS STRING) AS amount_text\"]}")) {
        tf_row(f.in, RT_ROW_DELETE, f.t, "7|cup|3|x");
        char *lines = tf_run(f.tf, f.in, NULL, &f.err);
        CHECK_STR_EQ(lines, "{\"op\":\"-D\",\"table\":\"shop.orders\",\"data\":{\"order_id\":7,"
                            "\"name\":\"cup\",\"src_table\":\"orders\",\"op\":\"-D\","
                            "\"amount_text\":\"3\"}}\n");
        free(lines);
        const rt_table *t = derived(&f);
        /* The key column passes through under its new name and stays the key; a plain column
         * keeps its rt_column exactly. */
        CHECK(t && rt_table_pk_count(t) == 1 && rt_table_pk_column(t, 0) == 0);
        CHECK(t && strcmp(rt_table_column(t, 1)->sql_type, "varchar(20)") == 0);
        CHECK(t && rt_table_column(t, 1)->nullable);
    }
    teardown(&f);
}

TEST(drop_columns)
{
    fixture f;
    if (setup(&f, "{\"drop\":[\"SECRET\",\"nothere\"]}")) {
        tf_row(f.in, RT_ROW_INSERT, f.t, "1|pen|12|s");
        char *lines = tf_run(f.tf, f.in, NULL, &f.err);
        CHECK_STR_EQ(lines, "{\"op\":\"+I\",\"table\":\"shop.orders\",\"data\":{\"id\":1,\"name\":"
                            "\"pen\",\"amount\":12}}\n");
        free(lines);
    }
    teardown(&f);
}

TEST(missing_key_is_an_error)
{
    fixture f;
    if (setup(&f, "{\"columns\":[\"name\",\"amount\"]}")) {
        tf_row(f.in, RT_ROW_INSERT, f.t, "1|pen|12|s");
        char *lines = tf_run(f.tf, f.in, NULL, &f.err);
        CHECK(lines == NULL);
        CHECK_STR_CONTAINS(f.err.msg, "project: table shop.orders: primary key column 'id' is not "
                                      "in the output");
        free(lines);
    }
    teardown(&f);
    if (setup(&f, "{\"drop\":[\"id\"]}")) {
        CHECK(op_tf_entry_get(f.tf, f.t, &(const op_tf_entry *){NULL}, &f.err) == RT_EINVAL);
        CHECK_STR_CONTAINS(f.err.msg, "primary key column 'id'");
    }
    teardown(&f);
    /* A computed key: the configured primary_key makes it the key. */
    if (setup(&f, "{\"columns\":[\"id + 1000 AS id\",\"name\"],\"primary_key\":[\"id\"]}")) {
        const rt_table *t = derived(&f);
        CHECK(t && rt_table_pk_count(t) == 1 && rt_table_column(t, 0)->primary_key);
        tf_row(f.in, RT_ROW_INSERT, f.t, "1|pen|12|s");
        char *lines = tf_run(f.tf, f.in, NULL, &f.err);
        CHECK_STR_EQ(lines, "{\"op\":\"+I\",\"table\":\"shop.orders\",\"data\":{\"id\":1001,"
                            "\"name\":\"pen\"}}\n");
        free(lines);
    }
    teardown(&f);
}

TEST(schema_change_dropping_a_projected_column_fails)
{
    fixture f;
    if (setup(&f, "{\"columns\":[\"id\",\"amount\"]}")) {
        rt_column less[3] = {cols[0], cols[1], cols[3]};
        const rt_table *v2 = tf_table(f.cat, "shop", "orders", less, 3);
        const char *ddl = "ALTER TABLE orders DROP COLUMN amount";
        rt_batch_add_schema_change(f.in, RT_SCHEMA_ALTER_TABLE, v2, f.t, ddl, strlen(ddl));
        char *lines = tf_run(f.tf, f.in, NULL, &f.err);
        CHECK(lines == NULL);
        CHECK_STR_CONTAINS(f.err.msg, "schema change of shop.orders (ALTER TABLE orders DROP "
                                      "COLUMN amount)");
        CHECK_STR_CONTAINS(f.err.msg, "amount");
        free(lines);
    }
    teardown(&f);
}

TEST(schema_change_add_column_through_star)
{
    fixture f;
    if (setup(&f, "{\"columns\":[\"*\",\"UPPER(name) AS name\"],\"tables\":\"shop\\\\.orders\"}")) {
        rt_column more[5] = {
            cols[0],
            cols[1],
            cols[2],
            cols[3],
            {.name = "note", .type = RT_TYPE_STRING, .sql_type = "text", .nullable = true}};
        const rt_table *v2 = tf_table(f.cat, "shop", "orders", more, 5);
        const char *ddl = "ALTER TABLE orders ADD note TEXT";
        rt_batch_add_schema_change(f.in, RT_SCHEMA_ALTER_TABLE, v2, f.t, ddl, strlen(ddl));
        tf_row(f.in, RT_ROW_INSERT, v2, "2|ab|1|s|hi");
        rt_batch *out = rt_batch_new(NULL);
        CHECK_OK(op_tf_apply(f.tf, f.in, out, NULL, &f.err), &f.err);
        CHECK_INT_EQ(rt_batch_count(out), 2);
        if (rt_batch_count(out) == 2) {
            const rt_record *sc = rt_batch_at(out, 0);
            CHECK_INT_EQ(sc->kind, RT_ROW_SCHEMA_CHANGE);
            CHECK_INT_EQ(rt_table_column_count(sc->table), 5);
            /* before is the derived old schema (which the catalog may dedup to f.t itself). */
            CHECK(sc->change->before != NULL && sc->change->before == derived(&f));
            CHECK(sc->table == rt_batch_at(out, 1)->table);
            CHECK_STR_EQ(sc->change->ddl, ddl);
        }
        char *lines = tf_lines(out);
        CHECK_STR_CONTAINS(lines,
                           "{\"op\":\"+I\",\"table\":\"shop.orders\",\"data\":{\"id\":2,"
                           "\"name\":\"AB\",\"amount\":1,\"secret\":\"s\",\"note\":\"hi\"}}");
        free(lines);
        rt_batch_unref(out);
    }
    teardown(&f);
}

TEST(unknown_column_after_computed)
{
    fixture f;
    /* The first item is bound before the second fails: nothing leaks, the message names it. */
    if (setup(&f, "{\"columns\":[\"id\",\"amount * 2 AS a\",\"nosuch\"]}")) {
        CHECK(op_tf_entry_get(f.tf, f.t, &(const op_tf_entry *){NULL}, &f.err) == RT_EINVAL);
        CHECK_STR_CONTAINS(f.err.msg,
                           "project: table shop.orders: $.operators[1].config.columns[2]");
        CHECK_STR_CONTAINS(f.err.msg, "nosuch");
    }
    teardown(&f);
    if (setup(&f, "{\"columns\":[\"id\",\"amount * 2 AS a\",\"name AS A\"]}")) {
        CHECK(op_tf_entry_get(f.tf, f.t, &(const op_tf_entry *){NULL}, &f.err) == RT_EINVAL);
        CHECK_STR_CONTAINS(f.err.msg, "column 'A' is output twice");
    }
    teardown(&f);
}

TEST(bad_configs)
{
    rt_err err = {0};
    CHECK_INT_EQ(tf_validate(&op_project_type, "{\"columns\":[\"id\",\"amount * 2\"]}", &err),
                 RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "$.operators[1].config.columns[1]: \"amount * 2\" is an "
                                "expression: name its column with AS");
    CHECK_INT_EQ(tf_validate(&op_project_type, "{\"columns\":[\"id\",\"amount * AS x\"]}", &err),
                 RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "$.operators[1].config.columns[1]: at ");
    CHECK_INT_EQ(tf_validate(&op_project_type, "{\"columns\":[\"id\"],\"drop\":[\"x\"]}", &err),
                 RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "$.operators[1].config: exactly one of columns and drop");
    CHECK_INT_EQ(tf_validate(&op_project_type, "{}", &err), RT_EINVAL);
    CHECK_INT_EQ(tf_validate(&op_project_type, "{\"tables\":[\"[\"],\"drop\":[\"x\"]}", &err),
                 RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "$.operators[1].config.tables[0]: invalid regular expression");
    CHECK_OK(tf_validate(&op_project_type,
                         "{\"columns\":[\"CAST(amount AS INT)  AS  `a b`\",\"`name` as n\"]}",
                         &err),
             &err);
}

TEST_MAIN()
