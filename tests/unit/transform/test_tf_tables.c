/* The shared part of the transforms and the two that need no expressions: table selection,
 * name templates, the engine's pass-through and schema-change handling, rename and route
 * (placeholders, source columns, keys with the source, first rule wins). */
#include <stdlib.h>
#include <string.h>

#include "tests/harness/test.h"
#include "tests/unit/transform/tf_test.h"

extern const op_type op_rename_type;
extern const op_type op_route_type;

static const rt_column order_cols[] = {
    {.name = "id", .type = RT_TYPE_INT, .sql_type = "int", .primary_key = true},
    {.name = "Name", .type = RT_TYPE_STRING, .sql_type = "varchar(20)", .nullable = true},
};

TEST(regex_anchored_and_checked)
{
    rt_err err = {0};
    op_tf_regex *re = NULL;
    CHECK_OK(op_tf_regex_new("shop_[0-9]+\\.order_[0-9]+", "$.x", &re, &err), &err);
    CHECK(op_tf_regex_match(re, "shop_1.order_22"));
    CHECK(!op_tf_regex_match(re, "shop_1.order_22_old"));
    CHECK(!op_tf_regex_match(re, "xshop_1.order_2"));
    op_tf_regex_free(re);
    re = NULL;
    CHECK_INT_EQ(op_tf_regex_new("shop[", "$.r", &re, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "$.r: invalid regular expression \"shop[\"");
    CHECK_INT_EQ(op_tf_regex_new("a)|(b", "$.r", &re, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "parentheses not balanced");
    CHECK_INT_EQ(op_tf_regex_new("", "$.r", &re, &err), RT_EINVAL);
    CHECK(re == NULL);
}

TEST(template_expand)
{
    rt_err err = {0};
    char *db = NULL, *name = NULL;
    CHECK_OK(op_tf_template_expand("ods_{table}", "shop", "orders", &db, &name, &err), &err);
    CHECK_STR_EQ(db, "shop");
    CHECK_STR_EQ(name, "ods_orders");
    free(db);
    free(name);
    CHECK_OK(op_tf_template_expand("ods.{db}_{table}", "shop", "orders", &db, &name, &err), &err);
    CHECK_STR_EQ(db, "ods");
    CHECK_STR_EQ(name, "shop_orders");
    free(db);
    free(name);
    CHECK_OK(op_tf_template_check("ods.{db}_{table}", "$.t", &err), &err);
    CHECK_INT_EQ(op_tf_template_check("ods.{schema}", "$.t", &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "$.t: unknown placeholder at 4");
    CHECK_INT_EQ(op_tf_template_check("a}", "$.t", &err), RT_EINVAL);
    CHECK_INT_EQ(op_tf_template_expand(".{table}", "shop", "o", &db, &name, &err), RT_EINVAL);
}

TEST(rename_columns_and_table)
{
    rt_err err = {0};
    rt_catalog *cat = rt_catalog_new();
    op_tf *tf = tf_make(&op_rename_type, op_rename_make,
                        "{\"tables\":[\"shop\\\\.orders\"],\"columns\":{\"name\":\"title\","
                        "\"absent\":\"x\"},\"table\":\"ods.{db}_{table}\"}",
                        cat, &err);
    CHECK(tf != NULL);
    if (!tf) {
        test_fail(__FILE__, __LINE__, "%s", err.msg);
        rt_catalog_free(cat);
        return;
    }
    const rt_table *t = tf_table(cat, "shop", "orders", order_cols, 2);
    const rt_table *other = tf_table(cat, "shop", "orders_old", order_cols, 2);
    rt_batch *in = rt_batch_new(NULL);
    tf_row(in, RT_ROW_INSERT, t, "1|pen")->ts_ms = 1700000000000;
    tf_row(in, RT_ROW_INSERT, other, "2|cup");
    char *out = tf_run(tf, in, NULL, &err);
    CHECK_STR_EQ(out, "{\"op\":\"+I\",\"table\":\"ods.shop_orders\",\"data\":{\"id\":1,\"title\":"
                      "\"pen\"}}\n"
                      "{\"op\":\"+I\",\"table\":\"shop.orders_old\",\"data\":{\"id\":2,\"Name\":"
                      "\"cup\"}}\n");
    free(out);
    /* The derived schema keeps types and the key; it is interned once. */
    const op_tf_entry *e = NULL;
    CHECK_OK(op_tf_entry_get(tf, t, &e, &err), &err);
    CHECK(e && e->out == rt_catalog_find(cat, "ods.shop_orders"));
    CHECK(rt_table_column(e->out, 0)->primary_key);
    CHECK_STR_EQ(rt_table_column(e->out, 1)->sql_type, "varchar(20)");
    rt_batch_unref(in);
    op_tf_free(tf);
    rt_catalog_free(cat);
}

TEST(unselected_batch_is_forwarded)
{
    rt_err err = {0};
    rt_catalog *cat = rt_catalog_new();
    op_tf *tf = tf_make(&op_rename_type, op_rename_make,
                        "{\"tables\":\"shop\\\\.orders\",\"table\":\"x_{table}\"}", cat, &err);
    const rt_table *other = tf_table(cat, "shop", "items", order_cols, 2);
    rt_batch *in = rt_batch_new(NULL);
    tf_row(in, RT_ROW_INSERT, other, "2|cup");
    bool forward = false;
    char *out = tf_run(tf, in, &forward, &err);
    CHECK(forward);
    CHECK_STR_EQ(out, "");
    free(out);
    rt_batch_unref(in);
    op_tf_free(tf);
    rt_catalog_free(cat);
}

TEST(schema_change_rederived)
{
    rt_err err = {0};
    rt_catalog *cat = rt_catalog_new();
    op_tf *tf = tf_make(&op_rename_type, op_rename_make,
                        "{\"columns\":{\"NAME\":\"title\"},\"table\":\"ods_{table}\"}", cat, &err);
    const rt_table *v1 = tf_table(cat, "shop", "orders", order_cols, 2);
    rt_column cols2[3] = {
        order_cols[0],
        order_cols[1],
        {.name = "note", .type = RT_TYPE_STRING, .sql_type = "varchar(9)", .nullable = true}};
    const rt_table *v2 = tf_table(cat, "shop", "orders", cols2, 3);
    rt_batch *in = rt_batch_new(NULL);
    tf_row(in, RT_ROW_INSERT, v1, "1|pen");
    const char *ddl = "ALTER TABLE orders ADD note VARCHAR(9)";
    rt_batch_add_schema_change(in, RT_SCHEMA_ALTER_TABLE, v2, v1, ddl, strlen(ddl));
    tf_row(in, RT_ROW_INSERT, v2, "2|cup|hi");
    char *out = tf_run(tf, in, NULL, &err);
    CHECK_STR_EQ(
        out,
        "{\"op\":\"+I\",\"table\":\"shop.ods_orders\",\"data\":{\"id\":1,\"title\":\"pen\"}}\n"
        "{\"op\":\"SC\",\"table\":\"shop.ods_orders\",\"change\":\"alter_table\",\"ddl\":\"ALTER "
        "TABLE orders ADD note VARCHAR(9)\",\"columns\":[{\"name\":\"id\",\"type\":\"int\","
        "\"nullable\":false,\"key\":true},{\"name\":\"title\",\"type\":\"varchar(20)\","
        "\"nullable\":true,\"key\":false},{\"name\":\"note\",\"type\":\"varchar(9)\","
        "\"nullable\":true,\"key\":false}],\"changes\":[{\"type\":\"add_column\",\"column\":"
        "\"note\",\"sql_type\":\"varchar(9)\",\"nullable\":true,\"after\":\"title\"}]}\n"
        "{\"op\":\"+I\",\"table\":\"shop.ods_orders\",\"data\":{\"id\":2,\"title\":\"cup\","
        "\"note\":\"hi\"}}\n");
    free(out);
    rt_batch_unref(in);
    op_tf_free(tf);
    rt_catalog_free(cat);
}

TEST(rename_failure_on_schema_change_names_ddl)
{
    rt_err err = {0};
    rt_catalog *cat = rt_catalog_new();
    /* Renaming id to Name collides with the existing column once the table has it. */
    op_tf *tf =
        tf_make(&op_rename_type, op_rename_make, "{\"columns\":{\"id\":\"Name\"}}", cat, &err);
    const rt_column one[1] = {order_cols[0]};
    const rt_table *v1 = tf_table(cat, "shop", "orders", one, 1);
    const rt_table *v2 = tf_table(cat, "shop", "orders", order_cols, 2);
    rt_batch *in = rt_batch_new(NULL);
    tf_row(in, RT_ROW_INSERT, v1, "1");
    const char *ddl = "ALTER TABLE orders ADD Name TEXT";
    rt_batch_add_schema_change(in, RT_SCHEMA_ALTER_TABLE, v2, v1, ddl, strlen(ddl));
    char *out = tf_run(tf, in, NULL, &err);
    CHECK(out == NULL);
    CHECK_STR_CONTAINS(err.msg, "schema change of shop.orders (ALTER TABLE orders ADD Name TEXT)");
    free(out);
    rt_batch_unref(in);
    op_tf_free(tf);
    rt_catalog_free(cat);
}

static const char *route_json =
    "{\"routes\":["
    "{\"source\":\"shop_[0-9]+\\\\.order_[0-9]+\",\"target\":\"shop.orders\","
    "\"source_columns\":{\"_db\":\"database\",\"_tbl\":\"table\"},\"key_with_source\":true},"
    "{\"source\":\"shop_[0-9]+\\\\..*\",\"target\":\"ods_{table}\"}]}";

TEST(route_sharded_merge)
{
    rt_err err = {0};
    rt_catalog *cat = rt_catalog_new();
    op_tf *tf = tf_make(&op_route_type, op_route_make, route_json, cat, &err);
    CHECK(tf != NULL);
    if (!tf) {
        test_fail(__FILE__, __LINE__, "%s", err.msg);
        rt_catalog_free(cat);
        return;
    }
    const rt_table *a = tf_table(cat, "shop_1", "order_1", order_cols, 2);
    const rt_table *b = tf_table(cat, "shop_2", "order_7", order_cols, 2);
    const rt_table *c = tf_table(cat, "shop_2", "users", order_cols, 2);
    const rt_table *d = tf_table(cat, "misc", "order_1", order_cols, 2);
    rt_batch *in = rt_batch_new(NULL);
    tf_row(in, RT_ROW_INSERT, a, "1|pen")->ts_ms = 5;
    tf_row(in, RT_ROW_DELETE, b, "1|cup");
    tf_row(in, RT_ROW_INSERT, c, "3|ann");
    tf_row(in, RT_ROW_INSERT, d, "4|x");
    rt_batch *outb = rt_batch_new(NULL);
    CHECK_OK(op_tf_apply(tf, in, outb, NULL, &err), &err);
    char *out = tf_lines(outb);
    CHECK_STR_EQ(out, "{\"op\":\"+I\",\"table\":\"shop.orders\",\"data\":{\"id\":1,\"Name\":"
                      "\"pen\",\"_db\":\"shop_1\",\"_tbl\":\"order_1\"}}\n"
                      "{\"op\":\"-D\",\"table\":\"shop.orders\",\"data\":{\"id\":1,\"Name\":"
                      "\"cup\",\"_db\":\"shop_2\",\"_tbl\":\"order_7\"}}\n"
                      "{\"op\":\"+I\",\"table\":\"shop_2.ods_users\",\"data\":{\"id\":3,\"Name\":"
                      "\"ann\"}}\n"
                      "{\"op\":\"+I\",\"table\":\"misc.order_1\",\"data\":{\"id\":4,\"Name\":"
                      "\"x\"}}\n");
    free(out);
    CHECK_INT_EQ(rt_batch_at(outb, 0)->ts_ms, 5);
    /* Equal shards intern to one target schema; the key is id, _db, _tbl. */
    const rt_table *t = rt_batch_at(outb, 0)->table;
    CHECK(t == rt_batch_at(outb, 1)->table);
    CHECK_INT_EQ(rt_table_pk_count(t), 3);
    CHECK_STR_EQ(rt_table_column(t, rt_table_pk_column(t, 1))->name, "_db");
    CHECK_STR_EQ(rt_table_column(t, 3)->sql_type, "varchar(64)");
    CHECK(!rt_table_column(t, 3)->nullable);
    rt_batch_unref(outb);
    rt_batch_unref(in);
    op_tf_free(tf);
    rt_catalog_free(cat);
}

TEST(route_schema_change_of_a_shard)
{
    rt_err err = {0};
    rt_catalog *cat = rt_catalog_new();
    op_tf *tf = tf_make(&op_route_type, op_route_make, route_json, cat, &err);
    const rt_table *a = tf_table(cat, "shop_1", "order_1", order_cols, 2);
    const rt_table *other = tf_table(cat, "misc", "t", order_cols, 2);
    rt_batch *in = rt_batch_new(NULL);
    const char *ddl = "CREATE TABLE order_1 (id INT PRIMARY KEY, Name VARCHAR(20))";
    rt_batch_add_schema_change(in, RT_SCHEMA_CREATE_TABLE, a, NULL, ddl, strlen(ddl));
    rt_batch_add_schema_change(in, RT_SCHEMA_TRUNCATE_TABLE, other, other, "TRUNCATE t", 10);
    char *out = tf ? tf_run(tf, in, NULL, &err) : NULL;
    CHECK_STR_EQ(out, "{\"op\":\"SC\",\"table\":\"shop.orders\",\"change\":\"create_table\","
                      "\"ddl\":\"CREATE TABLE order_1 (id INT PRIMARY KEY, Name VARCHAR(20))\","
                      "\"columns\":[{\"name\":\"id\",\"type\":\"int\",\"nullable\":false,"
                      "\"key\":true},{\"name\":\"Name\",\"type\":\"varchar(20)\",\"nullable\":"
                      "true,\"key\":false},{\"name\":\"_db\",\"type\":\"varchar(64)\","
                      "\"nullable\":false,\"key\":true},{\"name\":\"_tbl\",\"type\":"
                      "\"varchar(64)\",\"nullable\":false,\"key\":true}]}\n"
                      "{\"op\":\"SC\",\"table\":\"misc.t\",\"change\":\"truncate_table\","
                      "\"ddl\":\"TRUNCATE t\",\"columns\":[{\"name\":\"id\",\"type\":\"int\","
                      "\"nullable\":false,\"key\":true},{\"name\":\"Name\",\"type\":"
                      "\"varchar(20)\",\"nullable\":true,\"key\":false}]}\n");
    free(out);
    rt_batch_unref(in);
    op_tf_free(tf);
    rt_catalog_free(cat);
}

TEST(route_source_column_clash)
{
    rt_err err = {0};
    rt_catalog *cat = rt_catalog_new();
    op_tf *tf = tf_make(&op_route_type, op_route_make,
                        "{\"routes\":[{\"source\":\"s\\\\..*\",\"target\":\"t.all\","
                        "\"source_columns\":{\"id\":\"table\"}}]}",
                        cat, &err);
    const rt_table *a = tf_table(cat, "s", "o", order_cols, 2);
    rt_batch *in = rt_batch_new(NULL);
    tf_row(in, RT_ROW_INSERT, a, "1|pen");
    char *out = tf_run(tf, in, NULL, &err);
    CHECK(out == NULL);
    CHECK_STR_CONTAINS(err.msg, "route: table s.o already has a column 'id'");
    rt_batch_unref(in);
    op_tf_free(tf);
    rt_catalog_free(cat);
}

TEST(bad_configs_name_paths)
{
    rt_err err = {0};
    CHECK_INT_EQ(
        tf_validate(&op_route_type, "{\"routes\":[{\"source\":\"a[\",\"target\":\"x\"}]}", &err),
        RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "$.operators[1].config.routes[0].source: invalid regular");
    CHECK_INT_EQ(tf_validate(&op_route_type,
                             "{\"routes\":[{\"source\":\"a\",\"target\":\"x\",\"tgt\":1}]}", &err),
                 RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "$.operators[1].config.routes[0].tgt: unknown key");
    CHECK_INT_EQ(tf_validate(&op_route_type,
                             "{\"routes\":[{\"source\":\"a\",\"target\":\"x\",\"source_columns\":"
                             "{\"c\":\"db\"}}]}",
                             &err),
                 RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "$.operators[1].config.routes[0].source_columns.c: expected");
    CHECK_INT_EQ(tf_validate(&op_rename_type, "{\"tables\":[\"ok\",\"(\"],\"table\":\"x\"}", &err),
                 RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "$.operators[1].config.tables[1]: invalid regular expression");
    CHECK_INT_EQ(tf_validate(&op_rename_type, "{}", &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "$.operators[1].config: set columns, table or both");
    CHECK_INT_EQ(tf_validate(&op_rename_type, "{\"table\":\"{x}\"}", &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "$.operators[1].config.table: unknown placeholder");
    CHECK_OK(tf_validate(&op_route_type, route_json, &err), &err);
}

TEST_MAIN()
