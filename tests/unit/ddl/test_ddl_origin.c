/* The origin map of an ALTER TABLE (operators/mysql/ddl_origin.h): real statements, MySQL and
 * MariaDB forms, applied to the schema history as the source does, then read back as typed column
 * changes (runtime/schema_diff.h). */
#include <stdlib.h>
#include <string.h>

#include "operators/mysql/ddl_origin.h"
#include "operators/mysql/ddl_parse.h"
#include "operators/mysql/schema_history.h"
#include "runtime/schema_diff.h"
#include "tests/harness/test.h"

static const rt_column base[] = {
    {.name = "id", .type = RT_TYPE_INT, .sql_type = "int", .primary_key = true},
    {.name = "b", .type = RT_TYPE_INT, .sql_type = "int", .nullable = true},
    {.name = "c", .type = RT_TYPE_INT, .sql_type = "int", .nullable = true},
    {.name = "d", .type = RT_TYPE_STRING, .sql_type = "varchar(20)", .nullable = true},
    {.name = "e", .type = RT_TYPE_INT, .sql_type = "int", .nullable = true},
};

static char text[2048];

/* Applies sql to a table of `base` and describes the result as "origin | changes". */
static const char *run(const char *sql)
{
    text[0] = '\0';
    rt_err err = {0};
    op_schema_history *h = op_schema_history_new();
    rt_table *seed = rt_table_new("s", "t", base, 5, NULL);
    op_ddl *d = NULL;
    rt_table *before = NULL, *after = NULL;
    bool applied = false;
    CHECK_OK(op_schema_history_seed(h, seed, NULL, 0, (op_schema_pos){"f.1", 4}, &err), &err);
    CHECK_OK(op_ddl_parse(sql, strlen(sql), "s", 1, &d, &err), &err);
    CHECK(d != NULL);
    if (!d)
        goto out;
    CHECK_OK(op_schema_history_table_at(h, "s", "t", (op_schema_pos){"f.1", 10}, &before, &err),
             &err);
    CHECK_OK(op_schema_history_apply(h, d, (op_schema_pos){"f.1", 10}, &applied, &err), &err);
    CHECK(applied);
    CHECK_OK(op_schema_history_table_at(h, "s", "t", (op_schema_pos){"f.1", 10}, &after, &err),
             &err);
    if (!before || !after)
        goto out;
    size_t n = rt_table_column_count(after);
    int32_t origin[32];
    CHECK_OK(op_ddl_origin(d, before, after, origin, &err), &err);
    rt_buf b;
    rt_buf_init(&b);
    for (size_t j = 0; j < n; j++)
        rt_buf_appendf(&b, "%s%s=%d", j ? " " : "", rt_table_column(after, j)->name, origin[j]);
    rt_column_change ch[32];
    size_t count = 0;
    bool kc = false;
    CHECK_OK(rt_schema_diff(before, after, origin, ch, 32, &count, &kc, &err), &err);
    rt_buf_append_str(&b, " |");
    for (size_t i = 0; i < count && i < 32; i++) {
        rt_buf_appendf(&b, " %s %s", rt_column_change_kind_name(ch[i].kind), ch[i].name);
        if (ch[i].new_name)
            rt_buf_appendf(&b, "->%s", ch[i].new_name);
        if (ch[i].kind == RT_COLUMN_ADD)
            rt_buf_appendf(&b, "@%s", ch[i].after_column ? ch[i].after_column : "FIRST");
        if (ch[i].type_changed)
            rt_buf_appendf(&b, ":%s", rt_table_column(after, (size_t)ch[i].after_index)->sql_type);
        if (ch[i].nullability_changed)
            rt_buf_append_str(&b, rt_table_column(after, (size_t)ch[i].after_index)->nullable
                                      ? "+null"
                                      : "-null");
        rt_buf_append_char(&b, ';');
    }
    if (kc)
        rt_buf_append_str(&b, " key");
    snprintf(text, sizeof text, "%s", b.data ? b.data : "");
    rt_buf_fini(&b);
out:
    rt_table_free(before);
    rt_table_free(after);
    rt_table_free(seed);
    op_ddl_free(d);
    op_schema_history_free(h);
    return text;
}

TEST(add_placed)
{
    CHECK_STR_EQ(run("ALTER TABLE t ADD COLUMN x INT"),
                 "id=0 b=1 c=2 d=3 e=4 x=-1 | add_column x@e;");
    CHECK_STR_EQ(run("ALTER TABLE t ADD COLUMN x INT FIRST"),
                 "x=-1 id=0 b=1 c=2 d=3 e=4 | add_column x@FIRST;");
    CHECK_STR_EQ(run("ALTER TABLE t ADD x BIGINT NOT NULL AFTER b"),
                 "id=0 b=1 x=-1 c=2 d=3 e=4 | add_column x@b;");
    CHECK_STR_EQ(run("ALTER TABLE t ADD (x INT, y INT)"),
                 "id=0 b=1 c=2 d=3 e=4 x=-1 y=-1 | add_column x@e; add_column y@x;");
}

TEST(drop_rename_change_modify)
{
    CHECK_STR_EQ(run("ALTER TABLE t DROP COLUMN c"), "id=0 b=1 d=3 e=4 | drop_column c;");
    CHECK_STR_EQ(run("ALTER TABLE t RENAME COLUMN c TO c2"),
                 "id=0 b=1 c2=2 d=3 e=4 | rename_column c->c2;");
    CHECK_STR_EQ(run("ALTER TABLE t CHANGE c c2 BIGINT"),
                 "id=0 b=1 c2=2 d=3 e=4 | rename_column c->c2:bigint;");
    CHECK_STR_EQ(run("ALTER TABLE t CHANGE COLUMN c c INT NOT NULL"),
                 "id=0 b=1 c=2 d=3 e=4 | modify_column c-null;");
    CHECK_STR_EQ(run("ALTER TABLE t MODIFY d VARCHAR(200)"),
                 "id=0 b=1 c=2 d=3 e=4 | modify_column d:varchar(200);");
    CHECK_STR_EQ(run("ALTER TABLE t MODIFY d VARCHAR(20) NOT NULL"),
                 "id=0 b=1 c=2 d=3 e=4 | modify_column d-null;");
    /* Moved only: kept, no change. */
    CHECK_STR_EQ(run("ALTER TABLE t MODIFY e INT FIRST"), "e=4 id=0 b=1 c=2 d=3 |");
    /* Swapped names through a third: renames, not drops and adds. */
    CHECK_STR_EQ(run("ALTER TABLE t CHANGE b tmp INT, CHANGE c b INT, CHANGE tmp c INT"),
                 "id=0 c=1 b=2 d=3 e=4 | rename_column b->c; rename_column c->b;");
    /* Dropped and added back under the same name: a new column. */
    CHECK_STR_EQ(run("ALTER TABLE t DROP b, ADD b INT"),
                 "id=0 c=2 d=3 e=4 b=-1 | drop_column b; add_column b@e;");
}

/* The statement, and MariaDB's IF [NOT] EXISTS and ALGORITHM / LOCK options. */
TEST(several_in_one_statement)
{
    CHECK_STR_EQ(run("ALTER TABLE t ADD COLUMN a INT FIRST, DROP COLUMN b, CHANGE c c2 BIGINT, "
                     "MODIFY d VARCHAR(200) NOT NULL, RENAME COLUMN e TO f, ALGORITHM=INSTANT"),
                 "a=-1 id=0 c2=2 d=3 f=4 | drop_column b; rename_column c->c2:bigint; "
                 "modify_column d:varchar(200)-null; rename_column e->f; add_column a@FIRST;");
    CHECK_STR_EQ(run("ALTER TABLE t ADD COLUMN IF NOT EXISTS b INT, ADD COLUMN IF NOT EXISTS "
                     "z INT AFTER id, DROP COLUMN IF EXISTS nope, DROP COLUMN IF EXISTS e, "
                     "ALGORITHM=INSTANT, LOCK=NONE"),
                 "id=0 z=-1 b=1 c=2 d=3 | drop_column e; add_column z@id;");
    CHECK_STR_EQ(
        run("ALTER TABLE t RENAME COLUMN IF EXISTS nope TO x, RENAME COLUMN IF EXISTS "
            "b TO b2, CHANGE COLUMN IF EXISTS nope y INT, MODIFY COLUMN IF EXISTS nope INT"),
        "id=0 b2=1 c=2 d=3 e=4 | rename_column b->b2;");
    CHECK_STR_EQ(run("ALTER TABLE t ALGORITHM=INPLACE, LOCK=NONE, ADD COLUMN q TEXT"),
                 "id=0 b=1 c=2 d=3 e=4 q=-1 | add_column q@e;");
}

TEST(key_changes)
{
    CHECK_STR_EQ(run("ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (id, b)"),
                 "id=0 b=1 c=2 d=3 e=4 | modify_column b-null; key");
    CHECK_STR_EQ(run("ALTER TABLE t CHANGE id id2 INT"), "id2=0 b=1 c=2 d=3 e=4 | "
                                                         "rename_column id->id2;");
}

/* Before and after may be column selections: a column outside the selection is no one's origin,
 * and one renamed into it is new to downstream. */
TEST(column_selection)
{
    rt_err err = {0};
    const char *sql = "ALTER TABLE t CHANGE c x INT, DROP d, CHANGE b c INT";
    op_ddl *d = NULL;
    CHECK_OK(op_ddl_parse(sql, strlen(sql), "s", 1, &d, &err), &err);
    const rt_column bcols[] = {base[0], base[2], base[4]}; /* id c e */
    const rt_column acols[] = {base[0], base[2], base[4]}; /* id c (was b) e */
    rt_table *before = rt_table_new("s", "t", bcols, 3, NULL);
    rt_table *after = rt_table_new("s", "t", acols, 3, NULL);
    int32_t origin[3] = {9, 9, 9};
    CHECK_OK(op_ddl_origin(d, before, after, origin, &err), &err);
    CHECK_INT_EQ(origin[0], 0);
    CHECK_INT_EQ(origin[1], -1);
    CHECK_INT_EQ(origin[2], 2);
    rt_table_free(before);
    rt_table_free(after);
    op_ddl_free(d);
}

TEST_MAIN()
