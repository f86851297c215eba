/* Tests of runtime/schema_diff.c: adds (placed), drops, renames, retypes, origin maps, keys. */
#include "runtime/schema_diff.h"

#include <stdlib.h>
#include <string.h>

#include "tests/harness/test.h"

#define COL(n, sql, rtt, null, pk)                                                                 \
    {                                                                                              \
        .name = n, .type = rtt, .sql_type = sql, .nullable = null, .primary_key = pk               \
    }

static rt_table *table(const rt_column *cols, size_t n)
{
    rt_table *t = rt_table_new("db", "t", cols, n, NULL);
    CHECK(t != NULL);
    return t;
}

/* id int PK, a varchar(10), b int NULL, c int NULL */
static const rt_column base[] = {
    COL("id", "int", RT_TYPE_INT, false, true),
    COL("a", "varchar(10)", RT_TYPE_STRING, true, false),
    COL("b", "int", RT_TYPE_INT, true, false),
    COL("c", "int", RT_TYPE_INT, true, false),
};

typedef struct diff {
    rt_column_change ch[16];
    size_t count;
    bool key_changed;
    int rc;
} diff;

static diff run(const rt_table *before, const rt_table *after, const int32_t *origin)
{
    diff d = {0};
    rt_err err = {0};
    d.rc = rt_schema_diff(before, after, origin, d.ch, 16, &d.count, &d.key_changed, &err);
    return d;
}

TEST(kind_names)
{
    CHECK_STR_EQ(rt_column_change_kind_name(RT_COLUMN_ADD), "add_column");
    CHECK_STR_EQ(rt_column_change_kind_name(RT_COLUMN_DROP), "drop_column");
    CHECK_STR_EQ(rt_column_change_kind_name(RT_COLUMN_RENAME), "rename_column");
    CHECK_STR_EQ(rt_column_change_kind_name(RT_COLUMN_MODIFY), "modify_column");
}

TEST(no_change)
{
    rt_table *b = table(base, 4), *a = table(base, 4);
    int32_t origin[] = {0, 1, 2, 3};
    diff d = run(b, a, origin);
    CHECK_INT_EQ(d.rc, 0);
    CHECK_UINT_EQ(d.count, 0);
    CHECK(!d.key_changed);
    d = run(b, a, NULL);
    CHECK_INT_EQ(d.rc, 0);
    CHECK_UINT_EQ(d.count, 0);
    rt_table_free(a);
    rt_table_free(b);
}

TEST(add_at_end_first_and_after)
{
    rt_table *b = table(base, 4);
    const rt_column cols[] = {
        COL("f", "bigint", RT_TYPE_INT, false, false),   base[0], base[1],
        COL("x", "int", RT_TYPE_INT, true, false),       base[2], base[3],
        COL("e", "double", RT_TYPE_DOUBLE, true, false),
    };
    rt_table *a = table(cols, 7);
    int32_t origin[] = {-1, 0, 1, -1, 2, 3, -1};
    diff d = run(b, a, origin);
    CHECK_INT_EQ(d.rc, 0);
    CHECK_UINT_EQ(d.count, 3);
    CHECK_INT_EQ(d.ch[0].kind, RT_COLUMN_ADD);
    CHECK_STR_EQ(d.ch[0].name, "f");
    CHECK(d.ch[0].after_column == NULL);
    CHECK_INT_EQ(d.ch[0].before_index, -1);
    CHECK_INT_EQ(d.ch[0].after_index, 0);
    CHECK_INT_EQ(d.ch[1].kind, RT_COLUMN_ADD);
    CHECK_STR_EQ(d.ch[1].name, "x");
    CHECK_STR_EQ(d.ch[1].after_column, "a");
    CHECK_INT_EQ(d.ch[2].kind, RT_COLUMN_ADD);
    CHECK_STR_EQ(d.ch[2].name, "e");
    CHECK_STR_EQ(d.ch[2].after_column, "c");
    CHECK(d.ch[2].new_name == NULL);
    CHECK(!d.key_changed);
    rt_table_free(a);
    rt_table_free(b);
}

TEST(drop)
{
    rt_table *b = table(base, 4);
    const rt_column cols[] = {base[0], base[2]};
    rt_table *a = table(cols, 2);
    int32_t origin[] = {0, 2};
    diff d = run(b, a, origin);
    CHECK_INT_EQ(d.rc, 0);
    CHECK_UINT_EQ(d.count, 2);
    CHECK_INT_EQ(d.ch[0].kind, RT_COLUMN_DROP);
    CHECK_STR_EQ(d.ch[0].name, "a");
    CHECK_INT_EQ(d.ch[0].before_index, 1);
    CHECK_INT_EQ(d.ch[0].after_index, -1);
    CHECK_INT_EQ(d.ch[1].kind, RT_COLUMN_DROP);
    CHECK_STR_EQ(d.ch[1].name, "c");
    rt_table_free(a);
    rt_table_free(b);
}

/* With an origin a renamed column is a rename; by name it reads as a drop and an add. */
TEST(rename_and_rename_retype)
{
    rt_table *b = table(base, 4);
    const rt_column cols[] = {base[0], COL("a2", "varchar(10)", RT_TYPE_STRING, true, false),
                              COL("b2", "bigint", RT_TYPE_INT, false, false), base[3]};
    rt_table *a = table(cols, 4);
    int32_t origin[] = {0, 1, 2, 3};
    diff d = run(b, a, origin);
    CHECK_INT_EQ(d.rc, 0);
    CHECK_UINT_EQ(d.count, 2);
    CHECK_INT_EQ(d.ch[0].kind, RT_COLUMN_RENAME);
    CHECK_STR_EQ(d.ch[0].name, "a");
    CHECK_STR_EQ(d.ch[0].new_name, "a2");
    CHECK(!d.ch[0].type_changed && !d.ch[0].nullability_changed);
    CHECK_INT_EQ(d.ch[1].kind, RT_COLUMN_RENAME);
    CHECK_STR_EQ(d.ch[1].name, "b");
    CHECK_STR_EQ(d.ch[1].new_name, "b2");
    CHECK(d.ch[1].type_changed && d.ch[1].nullability_changed);
    CHECK_INT_EQ(d.ch[1].before_index, 2);
    CHECK_INT_EQ(d.ch[1].after_index, 2);

    d = run(b, a, NULL);
    CHECK_INT_EQ(d.rc, 0);
    CHECK_UINT_EQ(d.count, 4);
    CHECK_INT_EQ(d.ch[0].kind, RT_COLUMN_DROP);
    CHECK_STR_EQ(d.ch[0].name, "a");
    CHECK_INT_EQ(d.ch[1].kind, RT_COLUMN_DROP);
    CHECK_STR_EQ(d.ch[1].name, "b");
    CHECK_INT_EQ(d.ch[2].kind, RT_COLUMN_ADD);
    CHECK_STR_EQ(d.ch[2].name, "a2");
    CHECK_STR_EQ(d.ch[2].after_column, "id");
    CHECK_INT_EQ(d.ch[3].kind, RT_COLUMN_ADD);
    CHECK_STR_EQ(d.ch[3].after_column, "a2");
    rt_table_free(a);
    rt_table_free(b);
}

TEST(modify_type_and_nullability)
{
    rt_table *b = table(base, 4);
    const rt_column cols[] = {base[0], COL("a", "varchar(200)", RT_TYPE_STRING, true, false),
                              COL("b", "int", RT_TYPE_INT, false, false),
                              COL("c", "INT", RT_TYPE_INT, true, false)};
    rt_table *a = table(cols, 4);
    diff d = run(b, a, NULL);
    CHECK_INT_EQ(d.rc, 0);
    CHECK_UINT_EQ(d.count, 2); /* "INT" is "int" */
    CHECK_INT_EQ(d.ch[0].kind, RT_COLUMN_MODIFY);
    CHECK_STR_EQ(d.ch[0].name, "a");
    CHECK(d.ch[0].new_name == NULL);
    CHECK(d.ch[0].type_changed && !d.ch[0].nullability_changed);
    CHECK_INT_EQ(d.ch[1].kind, RT_COLUMN_MODIFY);
    CHECK_STR_EQ(d.ch[1].name, "b");
    CHECK(!d.ch[1].type_changed && d.ch[1].nullability_changed);
    rt_table_free(a);
    rt_table_free(b);
}

/* ADD f FIRST, DROP b, CHANGE c c2 BIGINT, MODIFY a VARCHAR(200) NOT NULL: drops first, then
 * renames and modifies in the new order, then adds. */
TEST(several_at_once_in_order)
{
    rt_table *b = table(base, 4);
    const rt_column cols[] = {
        COL("f", "int", RT_TYPE_INT, true, false),
        base[0],
        COL("a", "varchar(200)", RT_TYPE_STRING, false, false),
        COL("c2", "bigint", RT_TYPE_INT, true, false),
    };
    rt_table *a = table(cols, 4);
    int32_t origin[] = {-1, 0, 1, 3};
    diff d = run(b, a, origin);
    CHECK_INT_EQ(d.rc, 0);
    CHECK_UINT_EQ(d.count, 4);
    CHECK_INT_EQ(d.ch[0].kind, RT_COLUMN_DROP);
    CHECK_STR_EQ(d.ch[0].name, "b");
    CHECK_INT_EQ(d.ch[1].kind, RT_COLUMN_MODIFY);
    CHECK_STR_EQ(d.ch[1].name, "a");
    CHECK(d.ch[1].type_changed && d.ch[1].nullability_changed);
    CHECK_INT_EQ(d.ch[2].kind, RT_COLUMN_RENAME);
    CHECK_STR_EQ(d.ch[2].new_name, "c2");
    CHECK(d.ch[2].type_changed);
    CHECK_INT_EQ(d.ch[3].kind, RT_COLUMN_ADD);
    CHECK_STR_EQ(d.ch[3].name, "f");
    CHECK(d.ch[3].after_column == NULL);
    CHECK(!d.key_changed);
    rt_table_free(a);
    rt_table_free(b);
}

/* Moved without a new definition: no change. Names match case-insensitively without an origin. */
TEST(move_only_and_case)
{
    rt_table *b = table(base, 4);
    const rt_column cols[] = {base[0], base[3], base[1], COL("B", "int", RT_TYPE_INT, true, false)};
    rt_table *a = table(cols, 4);
    diff d = run(b, a, NULL);
    CHECK_INT_EQ(d.rc, 0);
    CHECK_UINT_EQ(d.count, 1);
    CHECK_INT_EQ(d.ch[0].kind, RT_COLUMN_RENAME);
    CHECK_STR_EQ(d.ch[0].name, "b");
    CHECK_STR_EQ(d.ch[0].new_name, "B");
    rt_table_free(a);
    rt_table_free(b);
}

/* A default that changes alone is a MODIFY with default_changed; with a rename, a RENAME with
 * it; an added column's default is the after table's. Two tables that differ only in a default
 * are different catalog versions. */
TEST(default_changes)
{
    rt_column seven = COL("b", "int", RT_TYPE_INT, true, false);
    seven.default_value = "7";
    rt_column eight = seven;
    eight.default_value = "8";
    rt_column renamed = eight;
    renamed.name = "b2";
    rt_column added = COL("d", "varchar(3)", RT_TYPE_STRING, false, false);
    added.default_value = "'x'";
    const rt_column before_cols[] = {base[0], base[1], seven, base[3]};
    const rt_column changed[] = {base[0], base[1], eight, base[3]};
    const rt_column dropped[] = {base[0], base[1], base[2], base[3]};
    const rt_column renamed_cols[] = {base[0], base[1], renamed, base[3], added};
    rt_table *b = table(before_cols, 4), *a = table(changed, 4), *n = table(dropped, 4),
             *r = table(renamed_cols, 5);

    diff d = run(b, a, NULL);
    CHECK_INT_EQ(d.rc, 0);
    CHECK_UINT_EQ(d.count, 1);
    CHECK_INT_EQ(d.ch[0].kind, RT_COLUMN_MODIFY);
    CHECK_STR_EQ(d.ch[0].name, "b");
    CHECK(d.ch[0].default_changed && !d.ch[0].type_changed && !d.ch[0].nullability_changed);
    CHECK_STR_EQ(rt_table_column(a, (size_t)d.ch[0].after_index)->default_value, "8");

    d = run(b, n, NULL); /* DROP DEFAULT */
    CHECK_UINT_EQ(d.count, 1);
    CHECK_INT_EQ(d.ch[0].kind, RT_COLUMN_MODIFY);
    CHECK(d.ch[0].default_changed);
    CHECK(rt_table_column(n, (size_t)d.ch[0].after_index)->default_value == NULL);

    d = run(b, b, NULL);
    CHECK_UINT_EQ(d.count, 0);

    int32_t origin[] = {0, 1, 2, 3, -1};
    d = run(b, r, origin);
    CHECK_UINT_EQ(d.count, 2);
    CHECK_INT_EQ(d.ch[0].kind, RT_COLUMN_RENAME);
    CHECK(d.ch[0].default_changed);
    CHECK_INT_EQ(d.ch[1].kind, RT_COLUMN_ADD);
    CHECK(!d.ch[1].default_changed);
    CHECK_STR_EQ(rt_table_column(r, (size_t)d.ch[1].after_index)->default_value, "'x'");

    CHECK(!rt_table_equal(b, a));
    CHECK(!rt_table_equal(b, n));
    rt_table *b2 = table(before_cols, 4);
    CHECK(rt_table_equal(b, b2));
    rt_catalog *cat = rt_catalog_new();
    const rt_table *ib = rt_catalog_intern(cat, b), *ia = rt_catalog_intern(cat, a),
                   *ib2 = rt_catalog_intern(cat, b2);
    CHECK(ib != ia && rt_table_id(ib) != rt_table_id(ia));
    CHECK(ib2 == ib);
    CHECK_STR_EQ(rt_table_column(ib, 2)->default_value, "7");
    rt_catalog_free(cat);
    rt_table_free(n);
    rt_table_free(r);
}

TEST(key_changes)
{
    rt_table *b = table(base, 4);
    /* The key column renamed: the same key. */
    const rt_column renamed[] = {COL("pk", "int", RT_TYPE_INT, false, true), base[1], base[2],
                                 base[3]};
    rt_table *a = table(renamed, 4);
    int32_t same[] = {0, 1, 2, 3};
    diff d = run(b, a, same);
    CHECK_INT_EQ(d.rc, 0);
    CHECK(!d.key_changed);
    /* Without the origin the key column is new. */
    d = run(b, a, NULL);
    CHECK(d.key_changed);
    rt_table_free(a);
    /* A second key column. */
    const rt_column wider[] = {base[0], COL("a", "varchar(10)", RT_TYPE_STRING, false, true),
                               base[2], base[3]};
    a = table(wider, 4);
    d = run(b, a, same);
    CHECK(d.key_changed);
    rt_table_free(a);
    /* The key dropped. */
    const rt_column nokey[] = {COL("id", "int", RT_TYPE_INT, false, false), base[1], base[2],
                               base[3]};
    a = table(nokey, 4);
    d = run(b, a, same);
    CHECK(d.key_changed);
    CHECK_UINT_EQ(d.count, 0);
    rt_table_free(a);
    rt_table_free(b);
}

TEST(bad_origin)
{
    rt_table *b = table(base, 4), *a = table(base, 4);
    int32_t outside[] = {0, 1, 2, 4};
    int32_t twice[] = {0, 1, 1, 3};
    int32_t negative[] = {0, 1, -2, 3};
    rt_err err = {0};
    rt_column_change ch[4];
    size_t count = 99;
    bool kc = true;
    CHECK_INT_EQ(rt_schema_diff(b, a, outside, ch, 4, &count, &kc, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "column c");
    CHECK_UINT_EQ(count, 99); /* written on success only */
    CHECK(kc);
    CHECK_INT_EQ(rt_schema_diff(b, a, twice, ch, 4, &count, &kc, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "twice");
    CHECK_INT_EQ(rt_schema_diff(b, a, negative, ch, 4, &count, &kc, NULL), RT_EINVAL);
    rt_table_free(a);
    rt_table_free(b);
}

/* More changes than room: the first max are written and all are counted. */
TEST(count_exceeds_max)
{
    rt_table *b = table(base, 4);
    const rt_column cols[] = {base[0], COL("x", "int", RT_TYPE_INT, true, false),
                              COL("y", "int", RT_TYPE_INT, true, false)};
    rt_table *a = table(cols, 3);
    rt_column_change ch[2];
    memset(ch, 0, sizeof ch);
    size_t count = 0;
    bool kc = true;
    CHECK_INT_EQ(rt_schema_diff(b, a, NULL, ch, 2, &count, &kc, NULL), 0);
    CHECK_UINT_EQ(count, 5);
    CHECK(!kc);
    CHECK_INT_EQ(ch[0].kind, RT_COLUMN_DROP);
    CHECK_INT_EQ(ch[1].kind, RT_COLUMN_DROP);
    CHECK_INT_EQ(rt_schema_diff(b, a, NULL, NULL, 0, &count, &kc, NULL), 0);
    CHECK_UINT_EQ(count, 5);
    rt_table_free(a);
    rt_table_free(b);
}

/* No before (a CREATE): every column an add. */
TEST(no_before)
{
    rt_table *a = table(base, 2);
    diff d = run(NULL, a, NULL);
    CHECK_INT_EQ(d.rc, 0);
    CHECK_UINT_EQ(d.count, 2);
    CHECK_INT_EQ(d.ch[1].kind, RT_COLUMN_ADD);
    CHECK_STR_EQ(d.ch[1].after_column, "id");
    CHECK(d.key_changed);
    rt_table_free(a);
}

TEST_MAIN()
