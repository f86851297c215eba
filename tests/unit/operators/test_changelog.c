/* The changelog line format shared by the print and file sinks: exact lines for every row kind
 * and value type, JSON escapes in names, and a formatter that switches between tables. */
#include "operators/basic/changelog.h"
#include "tests/harness/test.h"

#include <stdlib.h>
#include <string.h>

static rt_table *table_ok(const char *db, const char *name, const rt_column *cols, size_t n)
{
    rt_err err = {0};
    rt_table *t = rt_table_new(db, name, cols, n, &err);
    if (!t)
        test_fail(__FILE__, __LINE__, "rt_table_new: %s", err.msg);
    return t;
}

/* The text of batch b as formatted by c. Free with free(). */
static char *format(op_changelog *c, const rt_batch *b)
{
    rt_buf out;
    rt_buf_init(&out);
    rt_err err = {0};
    CHECK_OK(op_changelog_format(c, b, &out, &err), &err);
    return rt_buf_take(&out);
}

TEST(every_kind_and_type)
{
    static const rt_column cols[] = {
        {.name = "id", .type = RT_TYPE_INT, .primary_key = true},
        {.name = "u", .type = RT_TYPE_UINT},
        {.name = "d", .type = RT_TYPE_DOUBLE},
        {.name = "amount", .type = RT_TYPE_DECIMAL},
        {.name = "s", .type = RT_TYPE_STRING, .nullable = true},
        {.name = "raw", .type = RT_TYPE_BYTES},
        {.name = "day", .type = RT_TYPE_DATE},
        {.name = "at", .type = RT_TYPE_TIME},
        {.name = "ts", .type = RT_TYPE_DATETIME},
        {.name = "doc", .type = RT_TYPE_JSON},
    };
    rt_table *t = table_ok("shop", "orders", cols, 10);
    rt_batch *b = rt_batch_new(NULL);
    op_changelog *c = op_changelog_new();
    if (!t || !b || !c)
        return;
    static const rt_rowkind kinds[] = {RT_ROW_INSERT, RT_ROW_UPDATE_BEFORE, RT_ROW_UPDATE_AFTER,
                                       RT_ROW_DELETE};
    for (int k = 0; k < 4; k++) {
        rt_record *r = rt_batch_add(b, kinds[k], t);
        r->values[0] = (rt_value){.type = RT_TYPE_INT, .i = -7 - k};
        r->values[1] = (rt_value){.type = RT_TYPE_UINT, .u = UINT64_MAX};
        r->values[2] = (rt_value){.type = RT_TYPE_DOUBLE, .d = 0.5};
        rt_batch_set_str(b, &r->values[3], RT_TYPE_DECIMAL, "-12.3400", 8);
        if (k == 0)
            rt_batch_set_str(b, &r->values[4], RT_TYPE_STRING, "a\"b\\c\n", 6);
        rt_batch_set_str(b, &r->values[5], RT_TYPE_BYTES, "\x00\xff", 2);
        r->values[6] = (rt_value){.type = RT_TYPE_DATE, .t = {.year = 2024, .month = 2, .day = 29}};
        r->values[7] = (rt_value){.type = RT_TYPE_TIME,
                                  .t = {.neg = 1, .hour = 838, .minute = 59, .second = 1}};
        r->values[8] = (rt_value){.type = RT_TYPE_DATETIME,
                                  .t = {.year = 1999,
                                        .month = 12,
                                        .day = 31,
                                        .hour = 23,
                                        .minute = 59,
                                        .second = 58,
                                        .usec = 7}};
        rt_batch_set_str(b, &r->values[9], RT_TYPE_JSON, "{\"k\":[1]}", 9);
    }
    char *text = format(c, b);
    const char *tail = ",\"u\":\"18446744073709551615\",\"d\":0.5,\"amount\":\"-12.3400\",%s"
                       "\"raw\":\"AP8=\",\"day\":\"2024-02-29\",\"at\":\"-838:59:01.000000\","
                       "\"ts\":\"1999-12-31 23:59:58.000007\",\"doc\":\"{\\\"k\\\":[1]}\"}}\n";
    rt_buf want;
    rt_buf_init(&want);
    static const char *const ops[] = {"+I", "-U", "+U", "-D"};
    for (int k = 0; k < 4; k++) {
        rt_buf_appendf(&want, "{\"op\":\"%s\",\"table\":\"shop.orders\",\"data\":{\"id\":%d",
                       ops[k], -7 - k);
        rt_buf_appendf(&want, tail, k == 0 ? "\"s\":\"a\\\"b\\\\c\\n\"," : "\"s\":null,");
    }
    CHECK_STR_EQ(text, want.data);
    free(text);
    rt_buf_fini(&want);
    op_changelog_free(c);
    rt_batch_unref(b);
    rt_table_free(t);
}

TEST(tables_switch_and_names_are_escaped)
{
    static const rt_column c1[] = {{.name = "id", .type = RT_TYPE_INT}};
    static const rt_column c2[] = {{.name = "k\"ey", .type = RT_TYPE_INT},
                                   {.name = "v\xc3\xa9", .type = RT_TYPE_STRING}};
    rt_table *a = table_ok("db", "a", c1, 1);
    rt_table *q = table_ok("d\"b", "t\\2", c2, 2);
    rt_batch *b = rt_batch_new(NULL);
    op_changelog *c = op_changelog_new();
    if (!a || !q || !b || !c)
        return;
    for (int i = 0; i < 3; i++) {
        rt_record *r = rt_batch_add(b, RT_ROW_INSERT, i == 1 ? q : a);
        r->values[0] = (rt_value){.type = RT_TYPE_INT, .i = i};
        if (i == 1)
            rt_batch_set_str(b, &r->values[1], RT_TYPE_STRING, "x", 1);
    }
    char *text = format(c, b);
    CHECK_STR_EQ(text, "{\"op\":\"+I\",\"table\":\"db.a\",\"data\":{\"id\":0}}\n"
                       "{\"op\":\"+I\",\"table\":\"d\\\"b.t\\\\2\",\"data\":{\"k\\\"ey\":1,"
                       "\"v\xc3\xa9\":\"x\"}}\n"
                       "{\"op\":\"+I\",\"table\":\"db.a\",\"data\":{\"id\":2}}\n");
    free(text);
    /* A second batch of the cached table appends the same bytes again. */
    rt_batch *b2 = rt_batch_new(NULL);
    rt_record *r = rt_batch_add(b2, RT_ROW_DELETE, a);
    r->values[0] = (rt_value){.type = RT_TYPE_INT, .i = 9};
    text = format(c, b2);
    CHECK_STR_EQ(text, "{\"op\":\"-D\",\"table\":\"db.a\",\"data\":{\"id\":9}}\n");
    free(text);
    rt_batch_unref(b2);
    /* An empty batch appends nothing. */
    rt_batch *empty = rt_batch_new(NULL);
    text = format(c, empty);
    CHECK_STR_EQ(text, "");
    free(text);
    rt_batch_unref(empty);
    op_changelog_free(c);
    op_changelog_free(NULL);
    rt_batch_unref(b);
    rt_table_free(a);
    rt_table_free(q);
}

/* A schema change is one line with the new columns, between the rows of the old and the new
 * schema; a rename names the table before. */
TEST(schema_change_lines)
{
    static const rt_column old_cols[] = {
        {.name = "id", .type = RT_TYPE_INT, .sql_type = "int", .primary_key = true},
        {.name = "v", .type = RT_TYPE_STRING, .sql_type = "varchar(8)", .nullable = true},
    };
    static const rt_column new_cols[] = {
        {.name = "id", .type = RT_TYPE_INT, .sql_type = "int", .primary_key = true},
        {.name = "w", .type = RT_TYPE_UINT, .nullable = true},
    };
    rt_table *before = table_ok("a", "t", old_cols, 2);
    rt_table *after = table_ok("a", "t", new_cols, 2);
    rt_table *moved = table_ok("a", "u", new_cols, 2);
    rt_batch *b = rt_batch_new(NULL);
    op_changelog *c = op_changelog_new();
    if (!before || !after || !moved || !b || !c)
        return;
    rt_record *r = rt_batch_add(b, RT_ROW_INSERT, before);
    r->values[0] = (rt_value){.type = RT_TYPE_INT, .i = 1};
    const char *ddl = "ALTER TABLE t DROP v, ADD w INT UNSIGNED \"x\"";
    CHECK(rt_batch_add_schema_change(b, RT_SCHEMA_ALTER_TABLE, after, before, ddl, strlen(ddl)));
    r = rt_batch_add(b, RT_ROW_INSERT, after);
    r->values[0] = (rt_value){.type = RT_TYPE_INT, .i = 2};
    CHECK(rt_batch_add_schema_change(b, RT_SCHEMA_RENAME_TABLE, moved, after, "RENAME TABLE t TO u",
                                     19));
    char *text = format(c, b);
    CHECK_STR_EQ(text,
                 "{\"op\":\"+I\",\"table\":\"a.t\",\"data\":{\"id\":1,\"v\":null}}\n"
                 "{\"op\":\"SC\",\"table\":\"a.t\",\"change\":\"alter_table\",\"ddl\":\"ALTER "
                 "TABLE t DROP v, ADD w INT UNSIGNED \\\"x\\\"\",\"columns\":[{\"name\":\"id\","
                 "\"type\":\"int\",\"nullable\":false,\"key\":true},{\"name\":\"w\",\"type\":"
                 "\"uint\",\"nullable\":true,\"key\":false}],\"changes\":[{\"type\":"
                 "\"drop_column\",\"column\":\"v\"},{\"type\":\"add_column\",\"column\":"
                 "\"w\",\"sql_type\":\"uint\",\"nullable\":true,\"after\":\"id\"}]}\n"
                 "{\"op\":\"+I\",\"table\":\"a.t\",\"data\":{\"id\":2,\"w\":null}}\n"
                 "{\"op\":\"SC\",\"table\":\"a.u\",\"change\":\"rename_table\",\"before\":\"a.t\","
                 "\"ddl\":\"RENAME TABLE t TO u\",\"columns\":[{\"name\":\"id\",\"type\":\"int\","
                 "\"nullable\":false,\"key\":true},{\"name\":\"w\",\"type\":\"uint\","
                 "\"nullable\":true,\"key\":false}]}\n");
    free(text);
    rt_batch_unref(b);
    op_changelog_free(c);
    rt_table_free(before);
    rt_table_free(after);
    rt_table_free(moved);
}

/* With an origin map an ALTER's changes name renames (with the new type when retyped), modifies,
 * adds placed first, and a key that changed. */
TEST(schema_change_typed_changes)
{
    static const rt_column old_cols[] = {
        {.name = "id", .type = RT_TYPE_INT, .sql_type = "int", .primary_key = true},
        {.name = "a", .type = RT_TYPE_STRING, .sql_type = "varchar(8)", .nullable = true},
        {.name = "b", .type = RT_TYPE_INT, .sql_type = "int", .nullable = true},
        {.name = "c", .type = RT_TYPE_INT, .sql_type = "int", .nullable = true},
    };
    static const rt_column new_cols[] = {
        {.name = "f", .type = RT_TYPE_INT, .sql_type = "int", .nullable = false},
        {.name = "id", .type = RT_TYPE_INT, .sql_type = "int", .primary_key = true},
        {.name = "a2", .type = RT_TYPE_STRING, .sql_type = "varchar(8)", .nullable = true},
        {.name = "b2", .type = RT_TYPE_INT, .sql_type = "bigint", .nullable = true},
        {.name = "c", .type = RT_TYPE_STRING, .sql_type = "varchar(200)", .primary_key = true},
    };
    rt_table *before = table_ok("a", "t", old_cols, 4);
    rt_table *after = table_ok("a", "t", new_cols, 5);
    rt_batch *b = rt_batch_new(NULL);
    op_changelog *c = op_changelog_new();
    if (!before || !after || !b || !c)
        return;
    rt_record *sc = rt_batch_add_schema_change(b, RT_SCHEMA_ALTER_TABLE, after, before, "x", 1);
    int32_t origin[] = {-1, 0, 1, 2, 3};
    CHECK(sc && rt_batch_set_schema_origin(b, sc, origin, 5) == 0);
    char *text = format(c, b);
    CHECK_STR_CONTAINS(text,
                       "\"changes\":[{\"type\":\"rename_column\",\"column\":\"a\",\"new_name\":"
                       "\"a2\"},{\"type\":\"rename_column\",\"column\":\"b\",\"new_name\":\"b2\","
                       "\"sql_type\":\"bigint\"},{\"type\":\"modify_column\",\"column\":\"c\","
                       "\"sql_type\":\"varchar(200)\",\"nullable\":false},{\"type\":\"add_column\","
                       "\"column\":\"f\",\"sql_type\":\"int\",\"nullable\":false,\"first\":true}],"
                       "\"key_changed\":true}\n");
    free(text);
    /* ALTER TABLE ... RENAME TO with a column change: a rename with a map says what changed. */
    rt_batch_unref(b);
    b = rt_batch_new(NULL);
    rt_table *moved = table_ok("a", "u", old_cols, 3);
    sc = rt_batch_add_schema_change(b, RT_SCHEMA_RENAME_TABLE, moved, before, "y", 1);
    int32_t kept[] = {0, 1, 2};
    CHECK(sc && rt_batch_set_schema_origin(b, sc, kept, 3) == 0);
    text = format(c, b);
    CHECK_STR_CONTAINS(text, "\"change\":\"rename_table\",\"before\":\"a.t\"");
    CHECK_STR_CONTAINS(text, "\"changes\":[{\"type\":\"drop_column\",\"column\":\"c\"}]}\n");
    free(text);
    rt_table_free(moved);
    /* A bad map is the producer's bug: an error, and no half line. */
    rt_batch_unref(b);
    b = rt_batch_new(NULL);
    sc = rt_batch_add_schema_change(b, RT_SCHEMA_ALTER_TABLE, after, before, "x", 1);
    int32_t bad[] = {-1, 0, 0, 2, 3};
    CHECK(sc && rt_batch_set_schema_origin(b, sc, bad, 5) == 0);
    rt_buf out;
    rt_buf_init(&out);
    rt_err err = {0};
    CHECK_INT_EQ(op_changelog_format(c, b, &out, &err), RT_EINVAL);
    CHECK_UINT_EQ(out.len, 0);
    CHECK_STR_CONTAINS(err.msg, "a.t");
    rt_buf_fini(&out);
    rt_batch_unref(b);
    op_changelog_free(c);
    rt_table_free(before);
    rt_table_free(after);
}

/* Defaults: add_column and modify_column say the column's default; a modify of the default
 * alone is a modify_column; a rename that dropped it says "default":null. */
TEST(schema_change_defaults)
{
    static const rt_column old_cols[] = {
        {.name = "id", .type = RT_TYPE_INT, .sql_type = "int", .primary_key = true},
        {.name = "a",
         .type = RT_TYPE_INT,
         .sql_type = "int",
         .nullable = true,
         .default_value = "7"},
        {.name = "b",
         .type = RT_TYPE_STRING,
         .sql_type = "varchar(3)",
         .nullable = true,
         .default_value = "'x'"},
        {.name = "c", .type = RT_TYPE_INT, .sql_type = "int", .nullable = true},
    };
    static const rt_column new_cols[] = {
        {.name = "id", .type = RT_TYPE_INT, .sql_type = "int", .primary_key = true},
        {.name = "a",
         .type = RT_TYPE_INT,
         .sql_type = "int",
         .nullable = true,
         .default_value = "8"},
        {.name = "b2", .type = RT_TYPE_STRING, .sql_type = "varchar(3)", .nullable = true},
        {.name = "c", .type = RT_TYPE_INT, .sql_type = "int", .nullable = true},
        {.name = "d",
         .type = RT_TYPE_STRING,
         .sql_type = "varchar(8)",
         .nullable = false,
         .default_value = "'it''s \"q\"'"},
    };
    rt_table *before = table_ok("a", "t", old_cols, 4);
    rt_table *after = table_ok("a", "t", new_cols, 5);
    rt_batch *b = rt_batch_new(NULL);
    op_changelog *c = op_changelog_new();
    if (!before || !after || !b || !c)
        return;
    rt_record *sc = rt_batch_add_schema_change(b, RT_SCHEMA_ALTER_TABLE, after, before, "x", 1);
    int32_t origin[] = {0, 1, 2, 3, -1};
    CHECK(sc && rt_batch_set_schema_origin(b, sc, origin, 5) == 0);
    char *text = format(c, b);
    CHECK_STR_CONTAINS(
        text, "\"changes\":[{\"type\":\"modify_column\",\"column\":\"a\",\"sql_type\":\"int\","
              "\"nullable\":true,\"default\":\"8\"},{\"type\":\"rename_column\",\"column\":\"b\","
              "\"new_name\":\"b2\",\"default\":null},{\"type\":\"add_column\",\"column\":\"d\","
              "\"sql_type\":\"varchar(8)\",\"nullable\":false,"
              "\"default\":\"'it''s \\\"q\\\"'\",\"after\":\"c\"}]}\n");
    /* The columns array stays as it was: no defaults. */
    CHECK(strstr(text, "\"columns\":[") != NULL);
    CHECK(strstr(strstr(text, "\"columns\":["), "\"default\"") > strstr(text, "\"changes\""));
    free(text);
    rt_batch_unref(b);
    op_changelog_free(c);
    rt_table_free(before);
    rt_table_free(after);
}

TEST_MAIN()
