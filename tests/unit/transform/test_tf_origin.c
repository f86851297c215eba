/* Schema changes through the transforms keep their origin map (runtime/batch.h): a rename
 * upstream stays a rename downstream under the transform's own names, a change to a column the
 * transform leaves out is no change, and computed columns match by name. */
#include <stdlib.h>
#include <string.h>

#include "runtime/schema_diff.h"
#include "tests/harness/test.h"
#include "tests/unit/transform/tf_test.h"

extern const op_type op_rename_type;
extern const op_type op_route_type;
extern const op_type op_project_type;
extern const op_type op_filter_type;
extern const op_type op_cast_type;

static const rt_column v1_cols[] = {
    {.name = "id", .type = RT_TYPE_INT, .sql_type = "int", .primary_key = true},
    {.name = "a", .type = RT_TYPE_STRING, .sql_type = "varchar(20)", .nullable = true},
    {.name = "c", .type = RT_TYPE_INT, .sql_type = "int", .nullable = true},
};

static char text[1024];

/* Runs the transform of `json` over an ALTER from v1_cols to after (with origin, or NULL) and
 * describes the output change: "db.t: change; change; [key]". */
static const char *through(const op_type *type, op_tf_make_fn make, const char *json,
                           const rt_column *after_cols, size_t n, const int32_t *origin)
{
    text[0] = '\0';
    rt_err err = {0};
    rt_catalog *cat = rt_catalog_new();
    op_tf *tf = tf_make(type, make, json, cat, &err);
    CHECK(tf != NULL);
    if (!tf) {
        test_fail(__FILE__, __LINE__, "%s", err.msg);
        rt_catalog_free(cat);
        return text;
    }
    const rt_table *v1 = tf_table(cat, "shop", "t", v1_cols, 3);
    const rt_table *v2 = tf_table(cat, "shop", "t", after_cols, n);
    rt_batch *in = rt_batch_new(NULL), *out = rt_batch_new(NULL);
    tf_row(in, RT_ROW_INSERT, v1, "1|x|2");
    rt_record *sc = rt_batch_add_schema_change(in, RT_SCHEMA_ALTER_TABLE, v2, v1, "ddl", 3);
    if (origin)
        CHECK_INT_EQ(rt_batch_set_schema_origin(in, sc, origin, n), 0);
    CHECK_OK(op_tf_apply(tf, in, out, NULL, &err), &err);
    const rt_record *o = NULL;
    for (size_t i = 0; i < rt_batch_count(out); i++)
        if (rt_batch_at_const(out, i)->change)
            o = rt_batch_at_const(out, i);
    CHECK(o != NULL && o->change->before != NULL);
    if (o && o->change->before) {
        rt_column_change ch[16];
        size_t count = 0;
        bool kc = false;
        CHECK_OK(rt_schema_diff(o->change->before, o->table, o->change->origin, ch, 16, &count, &kc,
                                &err),
                 &err);
        rt_buf b;
        rt_buf_init(&b);
        rt_buf_appendf(&b, "%s:", rt_table_qualified(o->table));
        for (size_t i = 0; i < count && i < 16; i++) {
            rt_buf_appendf(&b, " %s %s", rt_column_change_kind_name(ch[i].kind), ch[i].name);
            if (ch[i].new_name)
                rt_buf_appendf(&b, "->%s", ch[i].new_name);
            if (ch[i].kind == RT_COLUMN_ADD)
                rt_buf_appendf(&b, "@%s", ch[i].after_column ? ch[i].after_column : "FIRST");
            rt_buf_append_char(&b, ';');
        }
        if (kc)
            rt_buf_append_str(&b, " key");
        snprintf(text, sizeof text, "%s", b.data);
        rt_buf_fini(&b);
    }
    rt_batch_unref(out);
    rt_batch_unref(in);
    op_tf_free(tf);
    rt_catalog_free(cat);
    return text;
}

/* RENAME COLUMN a TO b upstream, b's type the same. */
static const rt_column renamed_cols[] = {
    v1_cols[0],
    {.name = "b", .type = RT_TYPE_STRING, .sql_type = "varchar(20)", .nullable = true},
    v1_cols[2],
};
static const int32_t renamed_origin[] = {0, 1, 2};

TEST(rename_transform_keeps_a_rename)
{
    /* a is x downstream; after the rename upstream the mapping no longer applies: x -> b. */
    CHECK_STR_EQ(through(&op_rename_type, op_rename_make, "{\"columns\":{\"a\":\"x\"}}",
                         renamed_cols, 3, renamed_origin),
                 "shop.t: rename_column x->b;");
    /* Without the source's origin the names decide: x is gone, b is new. */
    CHECK_STR_EQ(through(&op_rename_type, op_rename_make, "{\"columns\":{\"a\":\"x\"}}",
                         renamed_cols, 3, NULL),
                 "shop.t: drop_column x; add_column b@id;");
    /* Renamed into the mapping: b is y downstream both ways, so a -> y. */
    CHECK_STR_EQ(through(&op_rename_type, op_rename_make, "{\"columns\":{\"b\":\"y\"}}",
                         renamed_cols, 3, renamed_origin),
                 "shop.t: rename_column a->y;");
}

TEST(route_keeps_the_origin_and_its_source_columns)
{
    const char *json = "{\"routes\":[{\"source\":\"shop\\\\..*\",\"target\":\"ods.all_{table}\","
                       "\"source_columns\":{\"_db\":\"database\"}}]}";
    CHECK_STR_EQ(through(&op_route_type, op_route_make, json, renamed_cols, 3, renamed_origin),
                 "ods.all_t: rename_column a->b;");
    /* A column added upstream lands before the source columns. */
    const rt_column added[] = {
        v1_cols[0], v1_cols[1], v1_cols[2], {.name = "n", .type = RT_TYPE_INT, .sql_type = "int"}};
    const int32_t origin[] = {0, 1, 2, -1};
    CHECK_STR_EQ(through(&op_route_type, op_route_make, json, added, 4, origin),
                 "ods.all_t: add_column n@c;");
}

TEST(project_leaves_out_and_computes)
{
    /* c is not projected: dropping it upstream changes nothing downstream. */
    const rt_column dropped[] = {v1_cols[0], v1_cols[1]};
    const int32_t origin[] = {0, 1};
    CHECK_STR_EQ(through(&op_project_type, op_project_make, "{\"columns\":[\"id\",\"a\"]}", dropped,
                         2, origin),
                 "shop.t:");
    CHECK_STR_EQ(
        through(&op_project_type, op_project_make, "{\"drop\":[\"c\"]}", dropped, 2, origin),
        "shop.t:");
    /* A pass-through renamed by AS follows its input; a computed column matches by name. */
    CHECK_STR_EQ(through(&op_project_type, op_project_make, "{\"columns\":[\"*\",\"id + 1 AS n\"]}",
                         renamed_cols, 3, renamed_origin),
                 "shop.t: rename_column a->b;");
    CHECK_STR_EQ(through(&op_project_type, op_project_make,
                         "{\"columns\":[\"id\",\"c AS k\",\"id * 2 AS n\"]}", renamed_cols, 3,
                         renamed_origin),
                 "shop.t:");
}

TEST(filter_and_cast_pass_columns_through)
{
    CHECK_STR_EQ(through(&op_filter_type, op_filter_make, "{\"where\":\"id > 0\"}", renamed_cols, 3,
                         renamed_origin),
                 "shop.t: rename_column a->b;");
    CHECK_STR_EQ(through(&op_cast_type, op_cast_make, "{\"columns\":{\"c\":\"BIGINT\"}}",
                         renamed_cols, 3, renamed_origin),
                 "shop.t: rename_column a->b;");
}

TEST_MAIN()
