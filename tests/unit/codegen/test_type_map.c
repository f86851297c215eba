/* Unit tests of jobs/codegen/type_map.c: every MySQL type spelling -> StarRocks type, in and out
 * of keys, with the lossy list and notes; widening for merges. */
#include <stdlib.h>

#include "codegen_fixture.h"
#include "jobs/codegen/type_map.h"
#include "tests/harness/test.h"

typedef struct row {
    const char *data_type, *column_type, *charset;
    unsigned long long char_length;
    unsigned precision, scale;
    bool key;
    const char *want;
    const char *lossy; /* substring of the lossy reason, or NULL for none */
    const char *note;  /* substring of the note, or NULL for none */
} row;

static const row rows[] = {
    {"tinyint", "tinyint(4)", NULL, 0, 3, 0, false, "TINYINT", NULL, NULL},
    {"tinyint", "tinyint(1)", NULL, 0, 3, 0, false, "TINYINT", NULL, "not BOOLEAN"},
    {"tinyint", "tinyint(3) unsigned", NULL, 0, 3, 0, false, "SMALLINT", NULL, NULL},
    {"smallint", "smallint(6)", NULL, 0, 5, 0, false, "SMALLINT", NULL, NULL},
    {"smallint", "smallint(5) unsigned", NULL, 0, 5, 0, false, "INT", NULL, NULL},
    {"mediumint", "mediumint(9)", NULL, 0, 7, 0, false, "INT", NULL, NULL},
    {"mediumint", "mediumint(8) unsigned", NULL, 0, 7, 0, false, "INT", NULL, NULL},
    {"int", "int(11)", NULL, 0, 10, 0, true, "INT", NULL, NULL},
    {"int", "int(10) unsigned", NULL, 0, 10, 0, false, "BIGINT", NULL, NULL},
    {"bigint", "bigint(20)", NULL, 0, 19, 0, true, "BIGINT", NULL, NULL},
    {"bigint", "bigint(20) unsigned", NULL, 0, 20, 0, true, "LARGEINT", NULL, NULL},
    {"bit", "bit(1)", NULL, 0, 1, 0, false, "BOOLEAN", NULL, NULL},
    {"bit", "bit(10)", NULL, 0, 10, 0, false, "BIGINT", NULL, "BIT(10)"},
    {"bit", "bit(63)", NULL, 0, 63, 0, false, "BIGINT", NULL, "BIT(63)"},
    {"bit", "bit(64)", NULL, 0, 64, 0, false, "LARGEINT", NULL, "BIT(64)"},
    {"float", "float", NULL, 0, 12, 0, false, "FLOAT", NULL, NULL},
    {"float", "float", NULL, 0, 12, 0, true, "VARCHAR(32)", "keys cannot be FLOAT", NULL},
    {"double", "double", NULL, 0, 22, 0, false, "DOUBLE", NULL, NULL},
    {"double", "double", NULL, 0, 22, 0, true, "VARCHAR(32)", "keys cannot be DOUBLE", NULL},
    {"decimal", "decimal(10,2)", NULL, 0, 10, 2, false, "DECIMAL(10,2)", NULL, NULL},
    {"decimal", "decimal(38,10)", NULL, 0, 38, 10, false, "DECIMAL(38,10)", NULL, NULL},
    {"decimal", "decimal(10,2)", NULL, 0, 10, 2, true, "VARCHAR(12)", "keys cannot be DECIMAL",
     NULL},
    {"decimal", "decimal(40,5)", NULL, 0, 40, 5, false, "VARCHAR(42)", "38 digits", NULL},
    {"decimal", "decimal(65,30)", NULL, 0, 65, 30, true, "VARCHAR(67)", "38 digits", NULL},
    {"date", "date", NULL, 0, 0, 0, true, "DATE", NULL, NULL},
    {"datetime", "datetime(6)", NULL, 0, 0, 0, true, "DATETIME", NULL, NULL},
    {"timestamp", "timestamp(3)", NULL, 0, 0, 0, false, "DATETIME", NULL, "server_time_zone"},
    {"time", "time", NULL, 0, 0, 0, false, "VARCHAR(17)", NULL, "cannot store TIME"},
    {"year", "year(4)", NULL, 0, 0, 0, false, "SMALLINT", NULL, NULL},
    {"char", "char(10)", "utf8mb4", 10, 0, 0, false, "CHAR(40)", NULL, NULL},
    {"char", "char(10)", "latin1", 10, 0, 0, false, "CHAR(30)", NULL, NULL},
    {"char", "char(100)", "utf8mb4", 100, 0, 0, false, "VARCHAR(400)", NULL, NULL},
    {"char", "char(8)", "ascii", 8, 0, 0, true, "VARCHAR(8)", NULL, "CHAR key"},
    {"varchar", "varchar(100)", "utf8mb4", 100, 0, 0, false, "VARCHAR(400)", NULL, NULL},
    {"varchar", "varchar(100)", "utf8mb3", 100, 0, 0, true, "VARCHAR(300)", NULL, NULL},
    {"varchar", "varchar(50)", "latin1", 50, 0, 0, false, "VARCHAR(150)", NULL, NULL},
    {"varchar", "varchar(65535)", "ascii", 65535, 0, 0, false, "VARCHAR(65535)", NULL, NULL},
    {"varchar", "varchar(300000)", "utf8mb4", 300000, 0, 0, false, "VARCHAR(1048576)",
     "longer values are rejected", NULL},
    {"tinytext", "tinytext", "utf8mb4", 255, 0, 0, false, "STRING", NULL, NULL},
    {"text", "text", "utf8mb4", 65535, 0, 0, false, "STRING", "65533", NULL},
    {"mediumtext", "mediumtext", "utf8mb4", 16777215, 0, 0, false, "VARCHAR(1048576)", "MEDIUMTEXT",
     NULL},
    {"longtext", "longtext", "utf8mb4", 4294967295ull, 0, 0, false, "VARCHAR(1048576)", "LONGTEXT",
     NULL},
    {"enum", "enum('small','medium','large')", "utf8mb4", 6, 0, 0, false, "VARCHAR(6)", NULL, NULL},
    {"enum", "enum('it''s','\xc3\xa9t\xc3\xa9')", "utf8mb4", 4, 0, 0, false, "VARCHAR(5)", NULL,
     NULL},
    {"set", "set('a','bb','ccc')", "utf8mb4", 8, 0, 0, false, "VARCHAR(8)", NULL, NULL},
    {"json", "json", NULL, 0, 0, 0, false, "JSON", NULL, NULL},
    {"binary", "binary(16)", NULL, 16, 0, 0, false, "VARBINARY(16)", NULL, NULL},
    {"binary", "binary(16)", NULL, 16, 0, 0, true, "VARCHAR(32)", "not UTF-8", NULL},
    {"varbinary", "varbinary(200)", NULL, 200, 0, 0, false, "VARBINARY(200)", NULL, NULL},
    {"tinyblob", "tinyblob", NULL, 255, 0, 0, false, "VARBINARY(65535)", NULL, NULL},
    {"blob", "blob", NULL, 65535, 0, 0, false, "VARBINARY(65535)", NULL, NULL},
    {"mediumblob", "mediumblob", NULL, 16777215, 0, 0, false, "VARBINARY(1048576)", "MEDIUMBLOB",
     NULL},
    {"longblob", "longblob", NULL, 4294967295ull, 0, 0, false, "VARBINARY(1048576)", "LONGBLOB",
     NULL},
    {"geometry", "geometry", NULL, 0, 0, 0, false, "VARBINARY(1048576)", NULL, "WKB"},
    {"point", "point", NULL, 0, 0, 0, false, "VARBINARY(1048576)", NULL, "WKB"},
    {"uuid", "uuid", NULL, 0, 0, 0, true, "VARCHAR(36)", NULL, NULL},
};

TEST(every_mysql_type)
{
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        const row *r = &rows[i];
        gen_table t;
        fx_table(&t, "db", "t", "");
        fx_column(fx_add(&t), "c", r->data_type, r->column_type, r->charset, r->char_length,
                  r->precision, r->scale, !r->key);
        gen_sr_type ty;
        gen_type_map_info info;
        rt_err err = {0};
        int rc = gen_type_map(&t.columns[0], r->key, &ty, &info, &err);
        if (rc != 0) {
            test_fail(__FILE__, __LINE__, "row %zu (%s): %s", i, r->column_type, err.msg);
            gen_table_fini(&t);
            continue;
        }
        char text[64];
        gen_sr_type_format(&ty, text, sizeof text);
        if (strcmp(text, r->want) != 0)
            test_fail(__FILE__, __LINE__, "row %zu %s%s: got %s, want %s", i, r->column_type,
                      r->key ? " (key)" : "", text, r->want);
        if (r->lossy ? !strstr(info.lossy, r->lossy) : info.lossy[0] != '\0')
            test_fail(__FILE__, __LINE__, "row %zu %s: lossy \"%s\", want \"%s\"", i,
                      r->column_type, info.lossy, r->lossy ? r->lossy : "");
        if (r->note ? !strstr(info.note, r->note) : info.note[0] != '\0')
            test_fail(__FILE__, __LINE__, "row %zu %s: note \"%s\", want \"%s\"", i, r->column_type,
                      info.note, r->note ? r->note : "");
        gen_table_fini(&t);
    }
}

TEST(mariadb_json_is_longtext_with_a_check)
{
    gen_table t;
    fx_table(&t, "db", "t", "");
    gen_column *c = fx_add(&t);
    fx_column(c, "j", "longtext", "longtext", "utf8mb4", 4294967295ull, 0, 0, true);
    c->is_json = true;
    gen_sr_type ty;
    gen_type_map_info info;
    rt_err err;
    CHECK_OK(gen_type_map(c, false, &ty, &info, &err), &err);
    CHECK_INT_EQ(ty.kind, GEN_SR_JSON);
    CHECK_STR_EQ(info.lossy, "");
    gen_table_fini(&t);
}

TEST(unknown_type_is_refused)
{
    gen_table t;
    fx_table(&t, "db", "t", "");
    fx_column(fx_add(&t), "x", "frobnicator", "frobnicator(3)", NULL, 0, 0, 0, true);
    gen_sr_type ty;
    gen_type_map_info info;
    rt_err err;
    CHECK_INT_EQ(gen_type_map(&t.columns[0], false, &ty, &info, &err), RT_EUNSUPPORTED);
    CHECK_STR_CONTAINS(err.msg, "column x: type frobnicator(3)");
    gen_table_fini(&t);
}

static void check_widen(gen_sr_type a, gen_sr_type b, const char *want)
{
    gen_sr_type w;
    rt_err err = {0};
    char text[64] = "";
    if (gen_sr_type_widen(&a, &b, &w, &err) == 0)
        gen_sr_type_format(&w, text, sizeof text);
    else
        snprintf(text, sizeof text, "error");
    CHECK_STR_EQ(text, want);
}

TEST(widening)
{
    gen_sr_type i = {.kind = GEN_SR_INT}, bi = {.kind = GEN_SR_BIGINT};
    gen_sr_type d102 = {.kind = GEN_SR_DECIMAL, .precision = 10, .scale = 2};
    gen_sr_type d84 = {.kind = GEN_SR_DECIMAL, .precision = 8, .scale = 4};
    gen_sr_type v10 = {.kind = GEN_SR_VARCHAR, .len = 10}, c20 = {.kind = GEN_SR_CHAR, .len = 20};
    gen_sr_type s = {.kind = GEN_SR_STRING}, date = {.kind = GEN_SR_DATE};
    gen_sr_type dt = {.kind = GEN_SR_DATETIME}, js = {.kind = GEN_SR_JSON};
    check_widen(i, bi, "BIGINT");
    check_widen(d102, d84, "DECIMAL(12,4)");
    check_widen(i, d102, "DECIMAL(12,2)");
    check_widen(v10, c20, "VARCHAR(20)");
    check_widen(c20, s, "VARCHAR(65533)");
    check_widen(date, dt, "DATETIME");
    check_widen(i, v10, "error");
    check_widen(js, dt, "error");
    gen_sr_type big = {.kind = GEN_SR_DECIMAL, .precision = 38, .scale = 0};
    gen_sr_type frac = {.kind = GEN_SR_DECIMAL, .precision = 10, .scale = 5};
    check_widen(big, frac, "VARCHAR(45)");
}

TEST(charset_bytes)
{
    CHECK_UINT_EQ(gen_charset_utf8_bytes(NULL, 0), 1);
    CHECK_UINT_EQ(gen_charset_utf8_bytes("ascii", 1), 1);
    CHECK_UINT_EQ(gen_charset_utf8_bytes("latin1", 1), 3);
    CHECK_UINT_EQ(gen_charset_utf8_bytes("utf8mb3", 3), 3);
    CHECK_UINT_EQ(gen_charset_utf8_bytes("utf8mb4", 4), 4);
    CHECK_UINT_EQ(gen_charset_utf8_bytes("gbk", 2), 3);
    CHECK_UINT_EQ(gen_charset_utf8_bytes("somethingnew", 5), 4);
}

TEST_MAIN()
