/* The filter transform: rows kept by the condition, updates that cross it (-U/+U pairs become
 * -D or +I), a pair split across batches, schema changes re-bound, parse errors with position. */
#include <stdlib.h>
#include <string.h>

#include "tests/harness/test.h"
#include "tests/unit/transform/tf_test.h"

extern const op_type op_filter_type;

static const rt_column cols[] = {
    {.name = "id", .type = RT_TYPE_INT, .sql_type = "int", .primary_key = true},
    {.name = "amount", .type = RT_TYPE_INT, .sql_type = "int", .nullable = true},
};

#define LINE(op, id, amount)                                                                       \
    "{\"op\":\"" op "\",\"table\":\"shop.orders\",\"data\":{\"id\":" #id ",\"amount\":" #amount    \
    "}}\n"

TEST(updates_crossing_the_condition)
{
    rt_err err = {0};
    rt_catalog *cat = rt_catalog_new();
    const rt_table *t = tf_table(cat, "shop", "orders", cols, 2);
    op_tf *tf = tf_make(&op_filter_type, op_filter_make, "{\"where\":\"amount >= 10\"}", cat, &err);
    CHECK(tf != NULL);
    rt_batch *in = rt_batch_new(NULL);
    tf_row(in, RT_ROW_INSERT, t, "1|5");         /* dropped */
    tf_row(in, RT_ROW_INSERT, t, "2|50");        /* kept */
    tf_row(in, RT_ROW_UPDATE_BEFORE, t, "2|50"); /* both pass: -U +U */
    tf_row(in, RT_ROW_UPDATE_AFTER, t, "2|60");
    tf_row(in, RT_ROW_UPDATE_BEFORE, t, "2|60"); /* leaves: -D */
    tf_row(in, RT_ROW_UPDATE_AFTER, t, "2|1");
    tf_row(in, RT_ROW_UPDATE_BEFORE, t, "1|5"); /* enters: +I */
    tf_row(in, RT_ROW_UPDATE_AFTER, t, "1|15");
    tf_row(in, RT_ROW_UPDATE_BEFORE, t, "3|1"); /* neither */
    tf_row(in, RT_ROW_UPDATE_AFTER, t, "3|2");
    tf_row(in, RT_ROW_DELETE, t, "3|2");    /* dropped */
    tf_row(in, RT_ROW_DELETE, t, "1|15");   /* kept */
    tf_row(in, RT_ROW_INSERT, t, "4|null"); /* NULL fails the condition */
    char *out = tf ? tf_run(tf, in, NULL, &err) : NULL;
    CHECK_STR_EQ(out, LINE("+I", 2, 50) LINE("-U", 2, 50) LINE("+U", 2, 60) LINE("-D", 2, 60)
                          LINE("+I", 1, 15) LINE("-D", 1, 15));
    free(out);
    rt_batch_unref(in);
    op_tf_free(tf);
    rt_catalog_free(cat);
}

TEST(pair_split_across_batches)
{
    rt_err err = {0};
    rt_catalog *cat = rt_catalog_new();
    const rt_table *t = tf_table(cat, "shop", "orders", cols, 2);
    op_tf *tf = tf_make(&op_filter_type, op_filter_make,
                        "{\"tables\":[\"shop\\\\.orders\"],\"where\":\"amount >= 10\"}", cat, &err);
    if (!tf) {
        test_fail(__FILE__, __LINE__, "%s", err.msg);
        rt_catalog_free(cat);
        return;
    }
    rt_batch *a = rt_batch_new(NULL), *b = rt_batch_new(NULL);
    tf_row(a, RT_ROW_INSERT, t, "1|20");
    tf_row(a, RT_ROW_UPDATE_BEFORE, t, "1|20");
    tf_row(b, RT_ROW_UPDATE_AFTER, t, "1|2");
    char *out1 = tf_run(tf, a, NULL, &err);
    CHECK_STR_EQ(out1, LINE("+I", 1, 20));
    bool forward = true;
    char *out2 = tf_run(tf, b, &forward, &err);
    CHECK(!forward);
    CHECK_STR_EQ(out2, LINE("-D", 1, 20));
    free(out1);
    free(out2);
    /* A -U left hanging at the end of input goes out as a delete on flush. */
    rt_batch *c = rt_batch_new(NULL);
    tf_row(c, RT_ROW_UPDATE_BEFORE, t, "5|30");
    char *out3 = tf_run(tf, c, NULL, &err);
    CHECK_STR_EQ(out3, "");
    rt_batch *fl = rt_batch_new(NULL);
    CHECK_OK(op_tf_flush(tf, fl, &err), &err);
    char *out4 = tf_lines(fl);
    CHECK_STR_EQ(out4, LINE("-D", 5, 30));
    free(out3);
    free(out4);
    rt_batch_unref(fl);
    rt_batch_unref(a);
    rt_batch_unref(b);
    rt_batch_unref(c);
    op_tf_free(tf);
    rt_catalog_free(cat);
}

TEST(schema_change_rebinds)
{
    rt_err err = {0};
    rt_catalog *cat = rt_catalog_new();
    const rt_table *t = tf_table(cat, "shop", "orders", cols, 2);
    rt_column renamed[2] = {cols[0], {.name = "total", .type = RT_TYPE_INT, .nullable = true}};
    const rt_table *t2 = tf_table(cat, "shop", "orders", renamed, 2);
    op_tf *tf = tf_make(&op_filter_type, op_filter_make, "{\"where\":\"amount > 1\"}", cat, &err);
    rt_batch *in = rt_batch_new(NULL);
    tf_row(in, RT_ROW_INSERT, t, "1|5");
    const char *ddl = "ALTER TABLE orders RENAME COLUMN amount TO total";
    rt_batch_add_schema_change(in, RT_SCHEMA_ALTER_TABLE, t2, t, ddl, strlen(ddl));
    char *out = tf ? tf_run(tf, in, NULL, &err) : NULL;
    CHECK(out == NULL);
    CHECK_STR_CONTAINS(err.msg, "schema change of shop.orders (ALTER TABLE orders RENAME COLUMN "
                                "amount TO total)");
    CHECK_STR_CONTAINS(err.msg, "amount");
    free(out);
    rt_batch_unref(in);
    op_tf_free(tf);
    rt_catalog_free(cat);
}

TEST(other_tables_pass)
{
    rt_err err = {0};
    rt_catalog *cat = rt_catalog_new();
    const rt_table *t = tf_table(cat, "shop", "items", cols, 2);
    op_tf *tf = tf_make(&op_filter_type, op_filter_make,
                        "{\"tables\":\"shop\\\\.orders\",\"where\":\"nosuch = 1\"}", cat, &err);
    rt_batch *in = rt_batch_new(NULL);
    tf_row(in, RT_ROW_INSERT, t, "1|5");
    bool forward = false;
    char *out = tf ? tf_run(tf, in, &forward, &err) : NULL;
    CHECK(forward);
    CHECK_STR_EQ(out, "");
    free(out);
    rt_batch_unref(in);
    op_tf_free(tf);
    rt_catalog_free(cat);
}

TEST(parse_error_names_path_and_position)
{
    rt_err err = {0};
    CHECK_INT_EQ(tf_validate(&op_filter_type, "{\"where\":\"a > 1 AND )\"}", &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "$.operators[1].config.where: at 10: ");
    CHECK_INT_EQ(tf_validate(&op_filter_type, "{}", &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "where");
    CHECK_OK(
        tf_validate(&op_filter_type, "{\"where\":\"amount IN (1, 2) OR name LIKE 'a%'\"}", &err),
        &err);
}

TEST_MAIN()
