/* The cast transform: output column types, converted values, on_error fail (the job fails
 * naming column, table and value) and null (NULL, counted), unknown types at validation. */
#include <stdlib.h>
#include <string.h>

#include "tests/harness/test.h"
#include "tests/unit/transform/tf_test.h"

extern const op_type op_cast_type;

static const rt_column cols[] = {
    {.name = "id", .type = RT_TYPE_INT, .sql_type = "int", .primary_key = true},
    {.name = "amount", .type = RT_TYPE_STRING, .sql_type = "varchar(20)"},
    {.name = "n", .type = RT_TYPE_INT, .sql_type = "int", .nullable = true},
};

TEST(cast_values_and_types)
{
    rt_err err = {0};
    rt_catalog *cat = rt_catalog_new();
    const rt_table *t = tf_table(cat, "shop", "orders", cols, 3);
    op_tf *tf = tf_make(&op_cast_type, op_cast_make,
                        "{\"columns\":{\"AMOUNT\":\"BIGINT\",\"n\":\"STRING\"}}", cat, &err);
    if (!tf) {
        test_fail(__FILE__, __LINE__, "%s", err.msg);
        rt_catalog_free(cat);
        return;
    }
    rt_batch *in = rt_batch_new(NULL);
    tf_row(in, RT_ROW_INSERT, t, "1|42|7");
    tf_row(in, RT_ROW_INSERT, t, "2|43|null");
    rt_batch *out = rt_batch_new(NULL);
    CHECK_OK(op_tf_apply(tf, in, out, NULL, &err), &err);
    char *lines = tf_lines(out);
    CHECK_STR_EQ(lines, "{\"op\":\"+I\",\"table\":\"shop.orders\",\"data\":{\"id\":1,\"amount\":42,"
                        "\"n\":\"7\"}}\n"
                        "{\"op\":\"+I\",\"table\":\"shop.orders\",\"data\":{\"id\":2,\"amount\":43,"
                        "\"n\":null}}\n");
    free(lines);
    if (rt_batch_count(out) > 0) {
        const rt_table *o = rt_batch_at(out, 0)->table;
        CHECK_INT_EQ(rt_table_column(o, 1)->type, RT_TYPE_INT);
        CHECK_INT_EQ(rt_table_column(o, 2)->type, RT_TYPE_STRING);
        CHECK(!rt_table_column(o, 1)->nullable);
        CHECK(rt_table_column(o, 0)->primary_key);
    }
    rt_batch_unref(out);
    rt_batch_unref(in);
    op_tf_free(tf);
    rt_catalog_free(cat);
}

TEST(on_error_fail_and_null)
{
    rt_err err = {0};
    rt_catalog *cat = rt_catalog_new();
    const rt_table *t = tf_table(cat, "shop", "orders", cols, 3);
    op_tf *tf =
        tf_make(&op_cast_type, op_cast_make, "{\"columns\":{\"amount\":\"INT\"}}", cat, &err);
    rt_batch *in = rt_batch_new(NULL);
    tf_row(in, RT_ROW_INSERT, t, "1|abc|7");
    char *lines = tf ? tf_run(tf, in, NULL, &err) : NULL;
    CHECK(lines == NULL);
    CHECK_STR_CONTAINS(err.msg, "cast: table shop.orders column 'amount' value \"abc\" to INT");
    free(lines);
    op_tf_free(tf);
    tf = tf_make(&op_cast_type, op_cast_make,
                 "{\"columns\":{\"amount\":\"INT\"},\"on_error\":\"null\"}", cat, &err);
    lines = tf ? tf_run(tf, in, NULL, &err) : NULL;
    CHECK_STR_EQ(lines, "{\"op\":\"+I\",\"table\":\"shop.orders\",\"data\":{\"id\":1,\"amount\":"
                        "null,\"n\":7}}\n");
    free(lines);
    const op_tf_entry *e = NULL;
    if (tf && op_tf_entry_get(tf, t, &e, &err) == 0)
        CHECK(rt_table_column(e->out, 1)->nullable);
    op_tf_free(tf);
    /* A key value that does not convert fails even with on_error null: a NULL key would merge
     * rows. */
    static const rt_column skey[] = {
        {.name = "code", .type = RT_TYPE_STRING, .sql_type = "varchar(9)", .primary_key = true},
    };
    const rt_table *k = tf_table(cat, "shop", "codes", skey, 1);
    tf = tf_make(&op_cast_type, op_cast_make,
                 "{\"columns\":{\"code\":\"INT\"},\"on_error\":\"null\"}", cat, &err);
    rt_batch *kin = rt_batch_new(NULL);
    tf_row(kin, RT_ROW_INSERT, k, "7");
    tf_row(kin, RT_ROW_INSERT, k, "x7");
    lines = tf ? tf_run(tf, kin, NULL, &err) : NULL;
    CHECK(lines == NULL);
    CHECK_STR_CONTAINS(err.msg, "cast: table shop.codes column 'code' value \"x7\" to INT");
    free(lines);
    if (tf && op_tf_entry_get(tf, k, &e, &err) == 0)
        CHECK(!rt_table_column(e->out, 0)->nullable);
    rt_batch_unref(kin);
    op_tf_free(tf);
    rt_batch_unref(in);
    rt_catalog_free(cat);
}

TEST(bad_configs)
{
    rt_err err = {0};
    CHECK_INT_EQ(tf_validate(&op_cast_type, "{\"columns\":{\"a\":\"NUMBERISH\"}}", &err),
                 RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "$.operators[1].config.columns.a: ");
    CHECK_INT_EQ(tf_validate(&op_cast_type, "{\"columns\":{}}", &err), RT_EINVAL);
    CHECK_INT_EQ(
        tf_validate(&op_cast_type, "{\"columns\":{\"a\":\"INT\"},\"on_error\":\"skip\"}", &err),
        RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "$.operators[1].config.on_error");
}

TEST_MAIN()
