/* The schema changes mysql_cdc's binlog phase sends downstream for table DDL
 * (operators/mysql/cdc_tables.h's op_cdc_tables_apply), with their origin maps: no server (the
 * tables come from CREATE TABLE statements, so no schema is read from information_schema). */
#include <stdlib.h>
#include <string.h>

#include "operators/mysql/cdc_tables.h"
#include "runtime/schema_diff.h"
#include "tests/harness/test.h"

typedef struct fixture {
    rt_catalog *cat;
    op_mysql_table_filter *filter;
    op_cdc_tables *ts;
    uint64_t offset;
    op_cdc_schema_change ch[OP_CDC_MAX_CHANGES];
    size_t count;
} fixture;

static bool setup(fixture *f, const char *columns_json)
{
    memset(f, 0, sizeof *f);
    rt_err err = {0};
    char *inc[] = {"s\\..*"};
    rt_strlist include = {inc, 1};
    f->cat = rt_catalog_new();
    CHECK_OK(op_mysql_table_filter_new(&include, NULL, columns_json, NULL, "$.c", &f->filter, &err),
             &err);
    if (f->filter)
        CHECK_OK(op_cdc_tables_new(f->cat, f->filter, NULL, NULL, "test", &f->ts, &err), &err);
    f->offset = 100;
    return f->ts != NULL;
}

static void teardown(fixture *f)
{
    op_cdc_tables_free(f->ts);
    op_mysql_table_filter_free(f->filter);
    rt_catalog_free(f->cat);
}

/* Applies sql at the next position; the changes in f->ch. */
static void apply(fixture *f, const char *sql)
{
    rt_err err = {0};
    f->offset += 100;
    f->count = 0;
    CHECK_OK(op_cdc_tables_apply(f->ts, sql, strlen(sql), "s", 1,
                                 (op_schema_pos){"mysql-bin.000001", f->offset}, f->ch, &f->count,
                                 &err),
             &err);
}

static char text[1024];

/* Change i as "kind db.t <- db.old: changes" (the typed changes of its origin map). */
static const char *describe(const fixture *f, size_t i)
{
    const op_cdc_schema_change *c = &f->ch[i];
    rt_buf b;
    rt_buf_init(&b);
    rt_buf_appendf(&b, "%s %s", rt_schema_change_kind_name(c->kind), rt_table_qualified(c->after));
    if (c->before && strcmp(rt_table_qualified(c->before), rt_table_qualified(c->after)) != 0)
        rt_buf_appendf(&b, " <- %s", rt_table_qualified(c->before));
    if (c->origin) {
        rt_column_change ch[16];
        size_t n = 0;
        bool kc = false;
        rt_err err = {0};
        CHECK_OK(rt_schema_diff(c->before, c->after, c->origin, ch, 16, &n, &kc, &err), &err);
        rt_buf_append_char(&b, ':');
        for (size_t k = 0; k < n && k < 16; k++) {
            rt_buf_appendf(&b, " %s %s", rt_column_change_kind_name(ch[k].kind), ch[k].name);
            if (ch[k].new_name)
                rt_buf_appendf(&b, "->%s", ch[k].new_name);
            rt_buf_append_char(&b, ';');
        }
        if (kc)
            rt_buf_append_str(&b, " key");
    }
    snprintf(text, sizeof text, "%s", b.data);
    rt_buf_fini(&b);
    return text;
}

TEST(every_kind_and_its_origin)
{
    fixture f;
    if (!setup(&f, NULL))
        return;
    apply(&f, "CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT)");
    CHECK_UINT_EQ(f.count, 1);
    CHECK_STR_EQ(describe(&f, 0), "create_table s.t");
    CHECK(f.ch[0].before == NULL && f.ch[0].origin == NULL);

    apply(&f, "ALTER TABLE t ADD x INT FIRST, CHANGE a a2 BIGINT, DROP b, ALGORITHM=INSTANT");
    CHECK_UINT_EQ(f.count, 1);
    CHECK_STR_EQ(describe(&f, 0), "alter_table s.t: drop_column b; rename_column a->a2; "
                                  "add_column x;");
    CHECK(f.ch[0].origin && f.ch[0].origin[0] == -1 && f.ch[0].origin[1] == 0 &&
          f.ch[0].origin[2] == 1);

    /* Nothing the columns show: no change at all. */
    apply(&f, "ALTER TABLE t ADD INDEX ka (a2), ALGORITHM=INPLACE, LOCK=NONE");
    CHECK_UINT_EQ(f.count, 0);
    apply(&f, "ALTER TABLE t ADD COLUMN IF NOT EXISTS x INT, DROP COLUMN IF EXISTS nope");
    CHECK_UINT_EQ(f.count, 0);

    /* A new key: its new column becomes NOT NULL. */
    apply(&f, "ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (id, a2)");
    CHECK_STR_EQ(describe(&f, 0), "alter_table s.t: modify_column a2; key");

    /* ALTER ... RENAME TO with a column change: a rename that carries its origin. */
    apply(&f, "ALTER TABLE t RENAME TO u, ADD y INT");
    CHECK_UINT_EQ(f.count, 1);
    CHECK_STR_EQ(describe(&f, 0), "rename_table s.u <- s.t: add_column y;");

    apply(&f, "RENAME TABLE u TO v");
    CHECK_STR_EQ(describe(&f, 0), "rename_table s.v <- s.u");
    CHECK(f.ch[0].origin == NULL);
    apply(&f, "TRUNCATE TABLE v");
    CHECK_STR_EQ(describe(&f, 0), "truncate_table s.v");
    CHECK(f.ch[0].origin == NULL);
    apply(&f, "DROP TABLE v");
    CHECK_STR_EQ(describe(&f, 0), "drop_table s.v");
    CHECK(f.ch[0].origin == NULL);
    /* Not selected. */
    apply(&f, "CREATE TABLE other.t (id INT)");
    CHECK_UINT_EQ(f.count, 0);
    teardown(&f);
}

/* With a column list the map is between the selected columns: a column renamed into the list
 * is new downstream, one renamed out of it is gone, one outside it is nobody's business. */
TEST(column_list)
{
    fixture f;
    if (!setup(&f, "{\"s\\\\.c\": [\"id\", \"k\", \"m\"]}"))
        return;
    apply(&f, "CREATE TABLE c (id INT PRIMARY KEY, j INT, k INT, l INT)");
    CHECK_STR_EQ(describe(&f, 0), "create_table s.c");
    apply(&f, "ALTER TABLE c CHANGE l m INT, CHANGE k k2 INT, DROP j");
    CHECK_STR_EQ(describe(&f, 0), "alter_table s.c: drop_column k; add_column m;");
    apply(&f, "ALTER TABLE c ADD z INT, MODIFY k2 BIGINT");
    CHECK_UINT_EQ(f.count, 0);
    teardown(&f);
}

TEST_MAIN()
