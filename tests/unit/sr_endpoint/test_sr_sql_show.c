/* Unit tests of sr-endpoint's SHOW CREATE TABLE text and session variables
 * (tests/sr_endpoint/sr_sql_show.c). */
#include <stdlib.h>

#include "tests/harness/test.h"
#include "tests/sr_endpoint/sr_sql_parse.h"
#include "tests/sr_endpoint/sr_sql_show.h"

TEST(show_create_table_layout)
{
    rt_err err;
    rt_err_clear(&err);
    sr_sql_stmt *st = NULL;
    CHECK_OK(sr_sql_parse("CREATE TABLE `t` (id BIGINT NOT NULL COMMENT \"the \\\"id\\\"\", "
                          "name VARCHAR(30), amount DECIMAL(18,2) NOT NULL DEFAULT \"0\", "
                          "ts DATETIME DEFAULT CURRENT_TIMESTAMP) PRIMARY KEY(id) "
                          "DISTRIBUTED BY HASH(id) BUCKETS 4 "
                          "PROPERTIES (\"compression\" = \"LZ4\")",
                          &st, &err),
             &err);
    if (!st)
        return;
    rt_buf out;
    rt_buf_init(&out);
    sr_sql_show_create_table(&st->def, &out);
    CHECK_STR_EQ(out.data, "CREATE TABLE `t` (\n"
                           "  `id` bigint(20) NOT NULL COMMENT \"the \\\"id\\\"\",\n"
                           "  `name` varchar(30) NULL COMMENT \"\",\n"
                           "  `amount` decimal(18,2) NOT NULL DEFAULT \"0\" COMMENT \"\",\n"
                           "  `ts` datetime NULL DEFAULT CURRENT_TIMESTAMP COMMENT \"\"\n"
                           ") ENGINE=OLAP \n"
                           "PRIMARY KEY(`id`)\n"
                           "COMMENT \"OLAP\"\n"
                           "DISTRIBUTED BY HASH(`id`) BUCKETS 4 \n"
                           "PROPERTIES (\n"
                           "\"replication_num\" = \"1\",\n"
                           "\"compression\" = \"LZ4\"\n"
                           ");");
    /* The text parses back into the same table. */
    sr_sql_stmt *back = NULL;
    CHECK_OK(sr_sql_parse(out.data, &back, &err), &err);
    if (back) {
        CHECK_INT_EQ(back->def.column_count, 4);
        CHECK_STR_EQ(back->def.columns[0].comment, "the \"id\"");
        CHECK_INT_EQ(back->def.columns[2].type.scale, 2);
        CHECK(back->def.columns[3].default_is_current_timestamp);
        CHECK_INT_EQ(back->def.buckets, 4);
        CHECK_STR_EQ(back->def.comment, "OLAP");
    }
    sr_sql_stmt_free(back);
    rt_buf_reset(&out);
    sr_sql_stmt_free(st);
    st = NULL;
    CHECK_OK(sr_sql_parse("CREATE TABLE d (a INT, b STRING) DUPLICATE KEY(a) COMMENT 'c' "
                          "DISTRIBUTED BY RANDOM",
                          &st, &err),
             &err);
    if (st) {
        sr_sql_show_create_table(&st->def, &out);
        CHECK_STR_CONTAINS(out.data, "  `a` int(11) NOT NULL COMMENT \"\",\n");
        CHECK_STR_CONTAINS(out.data, ") ENGINE=OLAP \nDUPLICATE KEY(`a`)\nCOMMENT \"c\"\n"
                                     "DISTRIBUTED BY RANDOM \nPROPERTIES (\n"
                                     "\"replication_num\" = \"1\"\n);");
    }
    sr_sql_stmt_free(st);
    rt_buf_fini(&out);
}

TEST(variables_and_like)
{
    CHECK_STR_EQ(sr_sql_show_variable("version", "8.0.33-x"), "8.0.33-x");
    CHECK_STR_CONTAINS(sr_sql_show_variable("VERSION_COMMENT", "v"), "sr-endpoint");
    CHECK_STR_EQ(sr_sql_show_variable("autocommit", "v"), "1");
    CHECK(sr_sql_show_variable("no_such_thing", "v") == NULL);
    CHECK_STR_EQ(sr_sql_show_variable_name(0), "auto_increment_increment");
    CHECK(sr_sql_show_like("version_comment", "version%"));
    CHECK(sr_sql_show_like("Version", "v_rsion"));
    CHECK(!sr_sql_show_like("version", "v_rsion_"));
    CHECK(sr_sql_show_like("a_b", "a\\_b"));
    CHECK(!sr_sql_show_like("axb", "a\\_b"));
    CHECK(sr_sql_show_like("anything", "%"));
    CHECK(!sr_sql_show_like("abc", "%d%"));
}

TEST_MAIN()
