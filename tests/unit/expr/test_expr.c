/* Tests of the expression language (operators/transform/expr.h): every operator and function
 * evaluated on real records, SQL NULL logic, exact numbers at the edges, parse error positions,
 * bind errors, static types and the CAST entry points. */
#include "operators/transform/expr.h"

#include <pthread.h>
#include <stdlib.h>

#include "runtime/base/buf.h"
#include "tests/harness/test.h"

static const rt_column cols[] = {
    {.name = "id", .type = RT_TYPE_INT, .sql_type = "bigint", .primary_key = true},
    {.name = "Name", .type = RT_TYPE_STRING, .sql_type = "varchar(32)", .nullable = true},
    {.name = "price", .type = RT_TYPE_DECIMAL, .sql_type = "decimal(10,2)", .nullable = true},
    {.name = "qty", .type = RT_TYPE_INT, .sql_type = "int", .nullable = true},
    {.name = "u", .type = RT_TYPE_UINT, .sql_type = "bigint unsigned", .nullable = true},
    {.name = "d", .type = RT_TYPE_DOUBLE, .sql_type = "double", .nullable = true},
    {.name = "created", .type = RT_TYPE_DATETIME, .sql_type = "datetime", .nullable = true},
    {.name = "day", .type = RT_TYPE_DATE, .sql_type = "date", .nullable = true},
    {.name = "flag", .type = RT_TYPE_INT, .sql_type = "tinyint(1)", .nullable = true},
    {.name = "n", .type = RT_TYPE_INT, .sql_type = "int", .nullable = true},
    {.name = "note", .type = RT_TYPE_STRING, .sql_type = "text", .nullable = true},
    {.name = "js", .type = RT_TYPE_JSON, .sql_type = "json", .nullable = true},
    {.name = "big", .type = RT_TYPE_INT, .sql_type = "bigint", .nullable = true},
    {.name = "ns", .type = RT_TYPE_STRING, .sql_type = "varchar(8)", .nullable = true},
    {.name = "select", .type = RT_TYPE_INT, .sql_type = "int", .nullable = true},
    {.name = "dur", .type = RT_TYPE_TIME, .sql_type = "time", .nullable = true},
    {.name = "bin", .type = RT_TYPE_BYTES, .sql_type = "varbinary(8)", .nullable = true},
};
#define NCOLS (sizeof cols / sizeof cols[0])

typedef struct fixture {
    rt_table *t;
    rt_batch *in, *out;
    rt_record *r;
} fixture;

static fixture fx;

static void set_str(rt_value *v, rt_type type, const char *s)
{
    CHECK_INT_EQ(rt_batch_set_str(fx.in, v, type, s, strlen(s)), 0);
}

static void setup(void)
{
    fx.t = rt_table_new("shop", "orders", cols, NCOLS, NULL);
    fx.in = rt_batch_new(NULL);
    fx.out = rt_batch_new(NULL);
    fx.r = rt_batch_add(fx.in, RT_ROW_UPDATE_AFTER, fx.t);
    rt_value *v = fx.r->values;
    v[0] = (rt_value){.type = RT_TYPE_INT, .i = 7};
    set_str(&v[1], RT_TYPE_STRING, "Alice");
    set_str(&v[2], RT_TYPE_DECIMAL, "12.50");
    v[3] = (rt_value){.type = RT_TYPE_INT, .i = 3};
    v[4] = (rt_value){.type = RT_TYPE_UINT, .u = UINT64_MAX};
    v[5] = (rt_value){.type = RT_TYPE_DOUBLE, .d = 2.5};
    v[6] = (rt_value){.type = RT_TYPE_DATETIME,
                      .t = {.year = 2024, .month = 3, .day = 15, .hour = 10, .minute = 30}};
    v[7] = (rt_value){.type = RT_TYPE_DATE, .t = {.year = 2024, .month = 1, .day = 31}};
    v[8] = (rt_value){.type = RT_TYPE_INT, .i = 1};
    /* v[9] stays NULL */
    set_str(&v[10], RT_TYPE_STRING, "h\xc3\xa9llo w\xc3\xb6rld");
    set_str(&v[11], RT_TYPE_JSON, "{\"a\":1}");
    v[12] = (rt_value){.type = RT_TYPE_INT, .i = INT64_MAX};
    /* v[13] (ns) stays NULL */
    v[14] = (rt_value){.type = RT_TYPE_INT, .i = 5};
    v[15] = (rt_value){.type = RT_TYPE_TIME, .t = {.hour = 1, .minute = 30, .usec = 500000}};
    CHECK_INT_EQ(rt_batch_set_str(fx.in, &v[16], RT_TYPE_BYTES, "a\0b", 3), 0);
    fx.r->ts_ms = INT64_C(1710498600123); /* 2024-03-15 10:30:00.123 UTC */
}

static void teardown(void)
{
    rt_batch_unref(fx.in);
    rt_batch_unref(fx.out);
    rt_table_free(fx.t);
    memset(&fx, 0, sizeof fx);
}

/* Parses, binds and evaluates text on the fixture record: "type:json" of the result, or
 * "parse error: ...", "bind error: ...", "eval error: ...". Static buffer. */
static const char *ev(const char *text)
{
    static char res[600];
    rt_err err = {0};
    op_expr *e = NULL;
    op_expr_bound *b = NULL;
    if (op_expr_parse(text, &e, NULL, &err)) {
        snprintf(res, sizeof res, "parse error: %s", err.msg);
        return res;
    }
    if (op_expr_bind(e, fx.t, &b, &err)) {
        snprintf(res, sizeof res, "bind error: %s", err.msg);
        op_expr_free(e);
        return res;
    }
    rt_value v;
    if (op_expr_eval(b, fx.r, fx.out, &v, &err)) {
        snprintf(res, sizeof res, "eval error: %s", err.msg);
    } else {
        rt_buf buf;
        rt_buf_init(&buf);
        rt_value_format_json(&v, &buf);
        snprintf(res, sizeof res, "%s:%s", rt_type_name((rt_type)v.type), buf.data);
        rt_buf_fini(&buf);
    }
    op_expr_bound_free(b);
    op_expr_free(e);
    return res;
}

/* op_expr_test on the fixture: 1 pass, 0 fail, -1 error (message in last_err). */
static char last_err[700];
static int tst(const char *text)
{
    rt_err err = {0};
    op_expr *e = NULL;
    op_expr_bound *b = NULL;
    int out = -1;
    if (op_expr_parse(text, &e, NULL, &err) == 0 && op_expr_bind(e, fx.t, &b, &err) == 0) {
        bool pass = false;
        if (op_expr_test(b, fx.r, &pass, &err) == 0)
            out = pass;
    }
    snprintf(last_err, sizeof last_err, "%s", err.msg);
    op_expr_bound_free(b);
    op_expr_free(e);
    return out;
}

/* The error position of a text that must not parse; -1 if it parsed. */
static long perr(const char *text)
{
    rt_err err = {0};
    op_expr *e = NULL;
    size_t pos = 9999;
    int rc = op_expr_parse(text, &e, &pos, &err);
    snprintf(last_err, sizeof last_err, "%s", err.msg);
    if (rc == 0) {
        op_expr_free(e);
        return -1;
    }
    CHECK_INT_EQ(rc, RT_EINVAL);
    return (long)pos;
}

/* sql_type and nullability of a bound expression: "decimal(10,2) null". */
static const char *shape(const char *text)
{
    static char res[600];
    rt_err err = {0};
    op_expr *e = NULL;
    op_expr_bound *b = NULL;
    if (op_expr_parse(text, &e, NULL, &err) || op_expr_bind(e, fx.t, &b, &err)) {
        snprintf(res, sizeof res, "error: %s", err.msg);
    } else {
        snprintf(res, sizeof res, "%s %s %s", rt_type_name(op_expr_bound_type(b)),
                 op_expr_bound_sql_type(b), op_expr_bound_nullable(b) ? "null" : "not-null");
    }
    op_expr_bound_free(b);
    op_expr_free(e);
    return res;
}

TEST(literals_and_columns)
{
    setup();
    CHECK_STR_EQ(ev("42"), "int:42");
    CHECK_STR_EQ(ev("-7"), "int:-7");
    CHECK_STR_EQ(ev("3.25"), "decimal:\"3.25\"");
    CHECK_STR_EQ(ev("1e3"), "double:1000");
    CHECK_STR_EQ(ev("'it''s'"), "string:\"it's\"");
    CHECK_STR_EQ(ev("'a\\tb'"), "string:\"a\\tb\"");
    CHECK_STR_EQ(ev("TRUE"), "int:1");
    CHECK_STR_EQ(ev("false"), "int:0");
    CHECK_STR_EQ(ev("NULL"), "null:null");
    CHECK_STR_EQ(ev("id"), "int:7");
    CHECK_STR_EQ(ev("name"), "string:\"Alice\"");   /* case-insensitive column */
    CHECK_STR_EQ(ev("`NAME`"), "string:\"Alice\""); /* quoted too */
    CHECK_STR_EQ(ev("`select` + 1"), "int:6");      /* a keyword as a quoted name */
    CHECK_STR_EQ(ev("price"), "decimal:\"12.50\"");
    CHECK_STR_EQ(ev("n"), "null:null");
    CHECK_STR_EQ(ev("u"), "uint:\"18446744073709551615\"");
    CHECK_STR_EQ(ev("js"), "json:\"{\\\"a\\\":1}\"");
    teardown();
}

TEST(arithmetic)
{
    setup();
    CHECK_STR_EQ(ev("1 + 2 * 3"), "int:7");
    CHECK_STR_EQ(ev("(1 + 2) * 3"), "int:9");
    CHECK_STR_EQ(ev("10 - 2 - 3"), "int:5");
    CHECK_STR_EQ(ev("-id + 10"), "int:3");
    CHECK_STR_EQ(ev("- - 4"), "int:4");
    CHECK_STR_EQ(ev("17 % 5"), "int:2");
    CHECK_STR_EQ(ev("-17 % 5"), "int:-2");
    CHECK_STR_EQ(ev("7 / 2"), "decimal:\"3.5000\"");
    CHECK_STR_EQ(ev("1 / 3"), "decimal:\"0.3333\"");
    CHECK_STR_EQ(ev("2 / 3"), "decimal:\"0.6667\"");
    CHECK_STR_EQ(ev("-2 / 3"), "decimal:\"-0.6667\"");
    CHECK_STR_EQ(ev("d * 2"), "double:5");
    CHECK_STR_EQ(ev("d + 1.5"), "double:4");
    CHECK_STR_EQ(ev("price * qty"), "decimal:\"37.50\"");
    CHECK_STR_EQ(ev("price + 1"), "decimal:\"13.50\"");
    CHECK_STR_EQ(ev("price / 4"), "decimal:\"3.125000\"");
    CHECK_STR_EQ(ev("n + 1"), "null:null");
    CHECK_STR_EQ(ev("NULL * 2"), "null:null");
    CHECK_STR_EQ(ev("5.5 % 2"), "decimal:\"1.5\"");
    teardown();
}

TEST(arithmetic_errors_name_the_expression)
{
    setup();
    CHECK_STR_EQ(ev("big + 1"), "eval error: big + 1: integer overflow (BIGINT)");
    CHECK_STR_CONTAINS(ev("big * 2"), "integer overflow");
    CHECK_STR_CONTAINS(ev("-big - 2"), "integer overflow");
    CHECK_STR_EQ(ev("id / (qty - 3)"), "eval error: id / (qty - 3): division by zero");
    CHECK_STR_EQ(ev("id % 0"), "eval error: id % 0: division by zero");
    CHECK_STR_CONTAINS(ev("d / 0"), "division by zero");
    CHECK_STR_CONTAINS(ev("price / 0.0"), "division by zero");
    CHECK_STR_CONTAINS(ev("99999999999999999999999999999999999999 + 1"), "decimal overflow");
    CHECK_STR_CONTAINS(
        ev("99999999999999999999999999999999999999 + 99999999999999999999999999999999999999"),
        "decimal overflow");
    CHECK_STR_CONTAINS(
        ev("-99999999999999999999999999999999999999 - 99999999999999999999999999999999999999"),
        "decimal overflow");
    CHECK_STR_CONTAINS(ev("CAST(1 AS LARGEINT) * 10000000000000000000 * 10000000000000000000"),
                       "decimal overflow");
    /* Short-circuit: the right side of a decided AND is never evaluated. */
    CHECK_INT_EQ(tst("id = 0 AND id / 0 > 1"), 0);
    CHECK_INT_EQ(tst("id = 7 OR id / 0 > 1"), 1);
    teardown();
}

TEST(decimals_are_exact)
{
    setup();
    CHECK_STR_EQ(ev("0.1 + 0.2"), "decimal:\"0.3\"");
    CHECK_INT_EQ(tst("0.1 + 0.2 = 0.3"), 1);
    CHECK_INT_EQ(tst("0.1 + 0.2 = 0.30000000000000004"), 0);
    CHECK_STR_EQ(ev("1.10 * 1.1"), "decimal:\"1.210\"");
    CHECK_STR_EQ(ev("12345678901234567890.5 + 0.5"), "decimal:\"12345678901234567891.0\"");
    CHECK_INT_EQ(tst("price = 12.5"), 1);
    CHECK_INT_EQ(tst("price = 12.50"), 1);
    CHECK_INT_EQ(tst("price > 12"), 1);
    CHECK_INT_EQ(tst("10.50 = 10"), 0);
    CHECK_INT_EQ(tst("10.5 > 10"), 1);
    CHECK_INT_EQ(tst("price = '12.5'"), 1); /* a numeric string literal reads as a number */
    CHECK_STR_EQ(ev("-price"), "decimal:\"-12.50\"");
    CHECK_STR_EQ(ev("ABS(-price)"), "decimal:\"12.50\"");
    teardown();
}

TEST(uint_beyond_int64)
{
    setup();
    CHECK_INT_EQ(tst("u > -1"), 1);
    CHECK_INT_EQ(tst("u > 9223372036854775807"), 1);
    CHECK_INT_EQ(tst("u = 18446744073709551615"), 1);
    CHECK_INT_EQ(tst("u > big"), 1);
    CHECK_INT_EQ(tst("u < 1e30"), 1);
    CHECK_STR_EQ(ev("u - 1"), "decimal:\"18446744073709551614\"");
    CHECK_STR_EQ(ev("u + 1"), "decimal:\"18446744073709551616\"");
    CHECK_STR_EQ(ev("-u"), "decimal:\"-18446744073709551615\"");
    CHECK_STR_EQ(ev("ABS(u)"), "uint:\"18446744073709551615\"");
    teardown();
}

TEST(comparisons)
{
    setup();
    CHECK_INT_EQ(tst("id = 7"), 1);
    CHECK_INT_EQ(tst("id != 7"), 0);
    CHECK_INT_EQ(tst("id <> 8"), 1);
    CHECK_INT_EQ(tst("id < 8"), 1);
    CHECK_INT_EQ(tst("id <= 7"), 1);
    CHECK_INT_EQ(tst("id > 7"), 0);
    CHECK_INT_EQ(tst("id >= 7"), 1);
    CHECK_INT_EQ(tst("d = 2.5"), 1);
    CHECK_INT_EQ(tst("d > 2"), 1);
    CHECK_INT_EQ(tst("name = 'Alice'"), 1);
    /* Binary collation: MySQL's default collation would call these equal; here they differ. */
    CHECK_INT_EQ(tst("name = 'alice'"), 0);
    CHECK_INT_EQ(tst("name < 'B'"), 1);
    CHECK_INT_EQ(tst("name < 'Alicea'"), 1);
    CHECK_INT_EQ(tst("'a' < 'b' = TRUE"), 1);
    CHECK_INT_EQ(tst("id = '7'"), 1);
    CHECK_INT_EQ(tst("flag = TRUE"), 1);
    CHECK_INT_EQ(tst("n = n"), 0); /* NULL = NULL is NULL: fails */
    teardown();
}

TEST(dates_compare_with_string_literals)
{
    setup();
    CHECK_INT_EQ(tst("created >= '2024-01-01'"), 1);
    CHECK_INT_EQ(tst("created < '2024-03-15 10:30:00.5'"), 1);
    CHECK_INT_EQ(tst("created = '2024-03-15 10:30:00'"), 1);
    CHECK_INT_EQ(tst("created > '2024-03-15T10:29:59'"), 1);
    CHECK_INT_EQ(tst("day = '2024-01-31'"), 1);
    CHECK_INT_EQ(tst("day < created"), 1);
    CHECK_INT_EQ(tst("day BETWEEN '2024-01-01' AND '2024-12-31'"), 1);
    CHECK_INT_EQ(tst("day IN ('2024-01-30', '2024-01-31')"), 1);
    CHECK_STR_CONTAINS(ev("day = '2024-02-30'"), "bind error: at 6: cannot read '2024-02-30'");
    CHECK_STR_EQ(ev("created > 5"), "bind error: at 8: cannot compare a datetime with a number");
    teardown();
}

TEST(null_logic_truth_table)
{
    setup();
    /* t = TRUE, f = FALSE, n = NULL (the column n is NULL). */
    CHECK_STR_EQ(ev("TRUE AND TRUE"), "int:1");
    CHECK_STR_EQ(ev("TRUE AND FALSE"), "int:0");
    CHECK_STR_EQ(ev("TRUE AND n > 0"), "null:null");
    CHECK_STR_EQ(ev("FALSE AND n > 0"), "int:0");
    CHECK_STR_EQ(ev("n > 0 AND FALSE"), "int:0");
    CHECK_STR_EQ(ev("n > 0 AND n > 0"), "null:null");
    CHECK_STR_EQ(ev("TRUE OR n > 0"), "int:1");
    CHECK_STR_EQ(ev("n > 0 OR TRUE"), "int:1");
    CHECK_STR_EQ(ev("FALSE OR n > 0"), "null:null");
    CHECK_STR_EQ(ev("FALSE OR FALSE"), "int:0");
    CHECK_STR_EQ(ev("NOT TRUE"), "int:0");
    CHECK_STR_EQ(ev("NOT FALSE"), "int:1");
    CHECK_STR_EQ(ev("NOT n > 0"), "null:null");
    CHECK_STR_EQ(ev("NOT NULL"), "null:null");
    CHECK_INT_EQ(tst("NOT n > 0"), 0);
    CHECK_INT_EQ(tst("n > 0 OR id = 7"), 1);
    /* NOT binds looser than comparison, AND tighter than OR. */
    CHECK_INT_EQ(tst("NOT id = 8"), 1);
    CHECK_INT_EQ(tst("id = 1 AND id = 2 OR id = 7"), 1);
    CHECK_INT_EQ(tst("id = 7 OR id = 2 AND id = 1"), 1);
    teardown();
}

TEST(is_null_in_between)
{
    setup();
    CHECK_STR_EQ(ev("n IS NULL"), "int:1");
    CHECK_STR_EQ(ev("n is not null"), "int:0");
    CHECK_STR_EQ(ev("id IS NULL"), "int:0");
    CHECK_STR_EQ(ev("n + 1 IS NULL"), "int:1");
    CHECK_STR_EQ(ev("id IN (1, 7, 9)"), "int:1");
    CHECK_STR_EQ(ev("id IN (1, 2)"), "int:0");
    CHECK_STR_EQ(ev("id NOT IN (1, 2)"), "int:1");
    CHECK_STR_EQ(ev("id IN (1, NULL)"), "null:null");
    CHECK_STR_EQ(ev("id IN (7, NULL)"), "int:1");
    CHECK_STR_EQ(ev("id NOT IN (1, NULL)"), "null:null");
    CHECK_STR_EQ(ev("n IN (1, 2)"), "null:null");
    CHECK_STR_EQ(ev("id IN (qty + 4, 100)"), "int:1");
    CHECK_STR_EQ(ev("name IN ('Bob', 'Alice')"), "int:1");
    CHECK_STR_EQ(ev("price IN (12.5, 3)"), "int:1");
    CHECK_STR_EQ(ev("id BETWEEN 7 AND 8"), "int:1");
    CHECK_STR_EQ(ev("id BETWEEN 1 AND 7"), "int:1");
    CHECK_STR_EQ(ev("id BETWEEN 8 AND 9"), "int:0");
    CHECK_STR_EQ(ev("id NOT BETWEEN 8 AND 9"), "int:1");
    CHECK_STR_EQ(ev("id BETWEEN 1 AND NULL"), "null:null");
    CHECK_STR_EQ(ev("id BETWEEN 8 AND NULL"), "int:0");
    CHECK_STR_EQ(ev("id BETWEEN 1 AND 5 + 5 AND TRUE"), "int:1");
    teardown();
}

TEST(like)
{
    setup();
    CHECK_INT_EQ(tst("name LIKE 'Al%'"), 1);
    CHECK_INT_EQ(tst("name LIKE 'al%'"), 0); /* byte-wise */
    CHECK_INT_EQ(tst("name LIKE '%ice'"), 1);
    CHECK_INT_EQ(tst("name LIKE '%li%'"), 1);
    CHECK_INT_EQ(tst("name LIKE 'A_ice'"), 1);
    CHECK_INT_EQ(tst("name LIKE 'A_ce'"), 0);
    CHECK_INT_EQ(tst("name LIKE '%'"), 1);
    CHECK_INT_EQ(tst("name LIKE ''"), 0);
    CHECK_INT_EQ(tst("'' LIKE ''"), 1);
    CHECK_INT_EQ(tst("'' LIKE '%'"), 1);
    CHECK_INT_EQ(tst("name NOT LIKE 'B%'"), 1);
    CHECK_INT_EQ(tst("'50%' LIKE '50\\%'"), 1);
    CHECK_INT_EQ(tst("'500' LIKE '50\\%'"), 0);
    CHECK_INT_EQ(tst("'a_b' LIKE 'a\\_b'"), 1);
    CHECK_INT_EQ(tst("'axb' LIKE 'a\\_b'"), 0);
    CHECK_INT_EQ(tst("'aXbXc' LIKE 'a%b%c'"), 1);
    CHECK_INT_EQ(tst("'abcabd' LIKE '%abd'"), 1);
    CHECK_INT_EQ(tst("note LIKE 'h_llo%'"), 1); /* _ is one UTF-8 character */
    CHECK_INT_EQ(tst("id LIKE '7'"), 1);        /* numbers match as text */
    CHECK_STR_EQ(ev("n LIKE '%'"), "null:null");
    teardown();
}

TEST(string_functions)
{
    setup();
    CHECK_STR_EQ(ev("UPPER(name)"), "string:\"ALICE\"");
    CHECK_STR_EQ(ev("lower(name)"), "string:\"alice\"");
    CHECK_STR_EQ(ev("UPPER(note)"), "string:\"H\xc3\xa9LLO W\xc3\xb6RLD\""); /* ASCII only */
    CHECK_STR_EQ(ev("CONCAT(name, '-', id, '-', price)"), "string:\"Alice-7-12.50\"");
    CHECK_STR_EQ(ev("CONCAT(name, n)"), "null:null");
    CHECK_STR_EQ(ev("CONCAT(day, ' ', d)"), "string:\"2024-01-31 2.5\"");
    CHECK_STR_EQ(ev("TRIM('  a b  ')"), "string:\"a b\"");
    CHECK_STR_EQ(ev("CHAR_LENGTH(note)"), "int:11");
    CHECK_STR_EQ(ev("CHAR_LENGTH('')"), "int:0");
    CHECK_STR_EQ(ev("SUBSTR(note, 2, 4)"), "string:\"\xc3\xa9llo\"");
    CHECK_STR_EQ(ev("SUBSTRING(note, 7)"), "string:\"w\xc3\xb6rld\"");
    CHECK_STR_EQ(ev("SUBSTR(note, -5, 2)"), "string:\"w\xc3\xb6\"");
    CHECK_STR_EQ(ev("SUBSTR(name, 0)"), "string:\"\"");
    CHECK_STR_EQ(ev("SUBSTR(name, 9)"), "string:\"\"");
    CHECK_STR_EQ(ev("SUBSTR(name, 2, 0)"), "string:\"\"");
    CHECK_STR_EQ(ev("SUBSTR(name, 4, 100)"), "string:\"ce\"");
    CHECK_STR_EQ(ev("SUBSTR(name, -10)"), "string:\"\"");
    CHECK_INT_EQ(tst("UPPER(name) = 'ALICE'"), 1); /* a predicate with a string inside */
    teardown();
}

TEST(long_strings_use_heap_scratch)
{
    setup();
    char text[3000];
    int o = snprintf(text, sizeof text, "CHAR_LENGTH(CONCAT(UPPER('");
    for (int i = 0; i < 1500; i++)
        text[o++] = 'x';
    snprintf(text + o, sizeof text - (size_t)o, "'), name, '%s'))", "y");
    CHECK_STR_EQ(ev(text), "int:1506");
    text[0] = 0;
    CHECK_INT_EQ(tst("CONCAT(name, name, name, name, name, name, name, name) LIKE 'Alice%'"), 1);
    teardown();
}

TEST(coalesce_if_abs)
{
    setup();
    CHECK_STR_EQ(ev("COALESCE(n, qty, 1)"), "int:3");
    CHECK_STR_EQ(ev("COALESCE(n, NULL)"), "null:null");
    CHECK_STR_EQ(ev("COALESCE(n, 2.5)"), "decimal:\"2.5\"");
    CHECK_STR_EQ(ev("COALESCE(ns, name)"), "string:\"Alice\"");
    CHECK_STR_EQ(ev("IF(id > 5, 'big', 'small')"), "string:\"big\"");
    CHECK_STR_EQ(ev("IF(n > 5, 'big', 'small')"), "string:\"small\"");
    CHECK_STR_EQ(ev("IF(flag, price, 0)"), "decimal:\"12.50\"");
    CHECK_STR_EQ(ev("IF(FALSE, price, 1)"), "decimal:\"1.00\"");
    CHECK_STR_EQ(ev("IF(TRUE, d, 1)"), "double:2.5");
    CHECK_STR_EQ(ev("ABS(-3)"), "int:3");
    CHECK_STR_EQ(ev("ABS(-d)"), "double:2.5");
    CHECK_STR_EQ(ev("ABS(n)"), "null:null");
    CHECK_STR_CONTAINS(ev("ABS(-big - 1)"), "integer overflow");
    CHECK_STR_CONTAINS(ev("IF(TRUE, day, 1)"), "bind error: at 14: IF mixes a date with a number");
    teardown();
}

TEST(cast)
{
    setup();
    CHECK_STR_EQ(ev("CAST('12' AS INT)"), "int:12");
    CHECK_STR_EQ(ev("CAST(' -12 ' AS BIGINT)"), "int:-12");
    CHECK_STR_EQ(ev("CAST(1.5 AS INT)"), "int:2");
    CHECK_STR_EQ(ev("CAST(-1.5 AS INT)"), "int:-2");
    CHECK_STR_EQ(ev("CAST(1.4 AS INT)"), "int:1");
    CHECK_STR_EQ(ev("CAST(d AS INT)"), "int:3");
    CHECK_STR_EQ(ev("CAST(127 AS TINYINT)"), "int:127");
    CHECK_STR_EQ(ev("CAST(-32768 AS SMALLINT)"), "int:-32768");
    CHECK_STR_EQ(ev("CAST(price AS DECIMAL(5,1))"), "decimal:\"12.5\"");
    CHECK_STR_EQ(ev("CAST(2.345 AS DECIMAL(4,2))"), "decimal:\"2.35\"");
    CHECK_STR_EQ(ev("CAST(-2.345 AS DECIMAL(4,2))"), "decimal:\"-2.35\"");
    CHECK_STR_EQ(ev("CAST(id AS DECIMAL)"), "decimal:\"7\"");
    CHECK_STR_EQ(ev("CAST('3.7' AS DOUBLE)"), "double:3.7000000000000002");
    CHECK_STR_EQ(ev("CAST(0.1 AS FLOAT)"), "double:0.10000000149011612");
    CHECK_STR_EQ(ev("CAST(id AS STRING)"), "string:\"7\"");
    CHECK_STR_EQ(ev("CAST(d AS VARCHAR(10))"), "string:\"2.5\"");
    CHECK_STR_EQ(ev("CAST(created AS STRING)"), "string:\"2024-03-15 10:30:00.000000\"");
    CHECK_STR_EQ(ev("CAST(price AS CHAR(5))"), "string:\"12.50\"");
    CHECK_STR_EQ(ev("CAST('2024-02-29' AS DATE)"), "date:\"2024-02-29\"");
    CHECK_STR_EQ(ev("CAST('2024-02-29 23:59:59.25' AS DATETIME)"),
                 "datetime:\"2024-02-29 23:59:59.250000\"");
    CHECK_STR_EQ(ev("CAST(created AS DATE)"), "date:\"2024-03-15\"");
    CHECK_STR_EQ(ev("CAST(day AS DATETIME)"), "datetime:\"2024-01-31 00:00:00.000000\"");
    CHECK_STR_EQ(ev("CAST(qty > 1 AS BOOLEAN)"), "int:1");
    CHECK_STR_EQ(ev("CAST('false' AS BOOLEAN)"), "int:0");
    CHECK_STR_EQ(ev("CAST(0.5 AS BOOLEAN)"), "int:1");
    CHECK_STR_EQ(ev("CAST('[1, 2]' AS JSON)"), "json:\"[1, 2]\"");
    CHECK_STR_EQ(ev("CAST(id AS JSON)"), "json:\"7\"");
    CHECK_STR_EQ(ev("CAST(u AS LARGEINT)"), "decimal:\"18446744073709551615\"");
    CHECK_STR_EQ(ev("CAST(n AS INT)"), "null:null");
    teardown();
}

TEST(cast_errors)
{
    setup();
    CHECK_STR_EQ(ev("CAST('abc' AS INT)"), "eval error: CAST('abc' AS INT): not a number");
    CHECK_STR_EQ(ev("CAST('12abc' AS INT)"), "eval error: CAST('12abc' AS INT): not a number");
    CHECK_STR_EQ(ev("CAST(300 AS TINYINT)"),
                 "eval error: CAST(300 AS TINYINT): 300 is out of range for TINYINT");
    CHECK_STR_CONTAINS(ev("CAST(-129 AS TINYINT)"), "out of range for TINYINT");
    CHECK_STR_CONTAINS(ev("CAST(40000 AS SMALLINT)"), "out of range for SMALLINT");
    CHECK_STR_CONTAINS(ev("CAST(3000000000 AS INT)"), "out of range for INT");
    CHECK_STR_CONTAINS(ev("CAST(u AS BIGINT)"), "out of range for BIGINT");
    CHECK_STR_CONTAINS(ev("CAST(1e300 AS BIGINT)"), "out of range for BIGINT");
    CHECK_STR_CONTAINS(ev("CAST(price AS DECIMAL(3,2))"), "12.50 is out of range for DECIMAL(3,2)");
    CHECK_STR_CONTAINS(ev("CAST(name AS VARCHAR(3))"), "5 characters do not fit VARCHAR(3)");
    CHECK_STR_EQ(ev("CAST(note AS VARCHAR(11))"), "string:\"h\xc3\xa9llo w\xc3\xb6rld\"");
    CHECK_STR_CONTAINS(ev("CAST('2024-13-01' AS DATE)"), "'2024-13-01' is not a date");
    CHECK_STR_CONTAINS(ev("CAST('{' AS JSON)"), "not a JSON document");
    CHECK_STR_CONTAINS(ev("CAST(1e300 AS FLOAT)"), "out of range for FLOAT");
    CHECK_STR_EQ(ev("CAST('-inf' AS DOUBLE)"), "eval error: CAST('-inf' AS DOUBLE): not a number");
    CHECK_STR_EQ(ev("CAST('0x10' AS INT)"), "eval error: CAST('0x10' AS INT): not a number");
    CHECK_STR_EQ(ev("CAST('1e400' AS DOUBLE)"),
                 "eval error: CAST('1e400' AS DOUBLE): not a number");
    CHECK_STR_EQ(ev("CAST('' AS INT)"), "eval error: CAST('' AS INT): not a number");
    CHECK_STR_EQ(ev("CAST(' 2.5e1 ' AS INT)"), "int:25");
    CHECK_STR_EQ(ev("CAST(day AS INT)"), "bind error: at 0: cannot cast a date to INT");
    CHECK_STR_EQ(ev("CAST(id AS DATE)"), "bind error: at 0: cannot cast a number to DATE");
    CHECK_STR_EQ(ev("CAST(d AS DATETIME)"), "bind error: at 0: cannot cast a number to DATETIME");
    CHECK_STR_EQ(ev("1 + CAST(dur AS DECIMAL(5,2))"),
                 "bind error: at 4: cannot cast a time to DECIMAL(5,2)");
    teardown();
}

TEST(metadata_names)
{
    setup();
    CHECK_STR_EQ(ev("__schema_name__"), "string:\"shop\"");
    CHECK_STR_EQ(ev("__database_name__"), "string:\"shop\"");
    CHECK_STR_EQ(ev("__table_name__"), "string:\"orders\"");
    CHECK_STR_EQ(ev("__data_event_type__"), "string:\"+U\"");
    CHECK_STR_EQ(ev("__op_ts__"), "datetime:\"2024-03-15 10:30:00.123000\"");
    CHECK_STR_EQ(ev("__namespace_name__"), "null:null");
    CHECK_INT_EQ(tst("__op_ts__ >= '2024-03-15 10:30:00.123'"), 1);
    CHECK_INT_EQ(tst("__data_event_type__ IN ('+I', '+U') AND __table_name__ LIKE 'ord%'"), 1);
    fx.r->ts_ms = 0;
    fx.r->kind = RT_ROW_DELETE;
    CHECK_STR_EQ(ev("__op_ts__"), "null:null");
    CHECK_STR_EQ(ev("__data_event_type__"), "string:\"-D\"");
    CHECK_STR_EQ(shape("__table_name__"), "string varchar(64) not-null");
    CHECK_STR_EQ(shape("__data_event_type__"), "string varchar(2) not-null");
    CHECK_STR_EQ(shape("__op_ts__"), "datetime datetime(3) null");
    teardown();
}

TEST(parse_error_positions)
{
    CHECK_INT_EQ(perr(""), 0);
    CHECK_STR_EQ(last_err, "at 0: expected an expression, got end of input");
    CHECK_INT_EQ(perr("   "), 0);
    CHECK_INT_EQ(perr("(a + 1"), 6);
    CHECK_STR_EQ(last_err, "at 6: expected ')' to close the '(' at 0, got end of input");
    CHECK_INT_EQ(perr("((a + 1) * 2"), 12);
    CHECK_INT_EQ(perr("(a + 1 b"), 7);
    CHECK_INT_EQ(perr("a + 1)"), 5);
    CHECK_STR_CONTAINS(last_err, "unbalanced ')'");
    CHECK_INT_EQ(perr("a AND )"), 6);
    CHECK_STR_EQ(last_err, "at 6: expected an expression after 'AND', got ')'");
    CHECK_INT_EQ(perr("a +"), 3);
    CHECK_STR_EQ(last_err, "at 3: expected an expression after '+', got end of input");
    CHECK_INT_EQ(perr("name = 'abc"), 7);
    CHECK_STR_EQ(last_err, "at 7: unterminated string literal");
    CHECK_INT_EQ(perr("foo(1)"), 0);
    CHECK_STR_EQ(last_err, "at 0: unknown function 'foo'");
    CHECK_INT_EQ(perr("a = 1 AND FOO(2)"), 10);
    CHECK_INT_EQ(perr("'a\\qb'"), 2);
    CHECK_STR_CONTAINS(last_err, "bad escape '\\q'");
    CHECK_INT_EQ(perr("a IN 1"), 5);
    CHECK_STR_CONTAINS(last_err, "expected '(' and a list of values after IN");
    CHECK_INT_EQ(perr("a IN ()"), 6);
    CHECK_INT_EQ(perr("a = = b"), 4);
    CHECK_STR_EQ(last_err, "at 4: expected an expression after '=', got '='");
    CHECK_INT_EQ(perr("a = 1 b"), 6);
    CHECK_STR_EQ(last_err, "at 6: expected an operator or end of input, got 'b'");
    CHECK_INT_EQ(perr("a = 1 AND NOT"), 13);
    CHECK_STR_CONTAINS(last_err, "after 'NOT'");
    CHECK_INT_EQ(perr("CAST(x AS BLOB)"), 10);
    CHECK_STR_EQ(last_err, "at 10: unknown type 'BLOB'");
    CHECK_INT_EQ(perr("UPPER(a, b)"), 0);
    CHECK_STR_EQ(last_err, "at 0: UPPER takes 1 argument, got 2");
    CHECK_INT_EQ(perr("x + IF(a, b)"), 4);
    CHECK_STR_CONTAINS(last_err, "IF takes 3 arguments, got 2");
    CHECK_INT_EQ(perr("SUBSTR(a)"), 0);
    CHECK_INT_EQ(perr("a IS 5"), 5);
    CHECK_INT_EQ(perr("a BETWEEN 1 OR 2"), 12);
    CHECK_STR_CONTAINS(last_err, "expected AND in BETWEEN");
    CHECK_INT_EQ(perr("CAST(a INT)"), 7);
    CHECK_INT_EQ(perr("CAST(a AS VARCHAR)"), 17);
    CHECK_INT_EQ(perr("CAST(a AS DECIMAL(40,2))"), 18);
    CHECK_INT_EQ(perr("a # b"), 2);
    CHECK_INT_EQ(perr("12abc"), 2);
    CHECK_INT_EQ(perr("`abc"), 0);
    CHECK_INT_EQ(perr("f(1,)"), 0); /* unknown function wins over the argument */
    CHECK_INT_EQ(perr("CONCAT(1,)"), 9);
    CHECK_INT_EQ(perr("1 + 123456789012345678901234567890123456789"), 4);
    CHECK_INT_EQ(perr("a AND OR b"), 6);
    CHECK_INT_EQ(perr("a = 1 AND NOT"), 13);
    CHECK_INT_EQ(perr("a LIKE"), 6);
}

TEST(bind_errors)
{
    setup();
    CHECK_STR_EQ(ev("id = 1 AND nope > 2"),
                 "bind error: at 11: unknown column 'nope' in shop.orders");
    CHECK_STR_EQ(ev("name + 1"), "bind error: at 0: '+' needs a number, got a string");
    CHECK_STR_EQ(ev("name > 1"), "bind error: at 5: cannot compare a string with a number");
    CHECK_STR_EQ(ev("id = 'x7'"),
                 "bind error: at 5: cannot compare a number with 'x7' (not a number)");
    CHECK_STR_EQ(ev("name AND TRUE"), "bind error: at 0: AND needs a condition, got a string");
    CHECK_STR_EQ(ev("NOT day"), "bind error: at 4: NOT needs a condition, got a date");
    CHECK_STR_EQ(ev("SUBSTR(name, 'a')"),
                 "bind error: at 13: SUBSTR position needs a number, got a string");
    CHECK_STR_CONTAINS(ev("id IN (1, 'b')"), "bind error: at 10: cannot compare");
    teardown();
}

TEST(static_types_and_nullability)
{
    setup();
    CHECK_STR_EQ(shape("id"), "int bigint not-null");
    CHECK_STR_EQ(shape("ID"), "int bigint not-null");
    CHECK_STR_EQ(shape("price"), "decimal decimal(10,2) null");
    CHECK_STR_EQ(shape("id + 1"), "int bigint not-null");
    CHECK_STR_EQ(shape("qty * 2"), "int bigint null");
    CHECK_STR_EQ(shape("d * 2"), "double double null");
    CHECK_STR_EQ(shape("price * 2"), "decimal decimal(11,2) null");
    CHECK_STR_EQ(shape("price + 1.125"), "decimal decimal(12,3) null");
    CHECK_STR_EQ(shape("id / 3"), "decimal decimal(23,4) not-null");
    CHECK_STR_EQ(shape("id > 3"), "int boolean not-null");
    CHECK_STR_EQ(shape("n IS NULL"), "int boolean not-null");
    CHECK_STR_EQ(shape("n > 3"), "int boolean null");
    CHECK_STR_EQ(shape("flag"), "int tinyint(1) null");
    CHECK_STR_EQ(shape("UPPER(name)"), "string varchar(32) null");
    CHECK_STR_EQ(shape("CONCAT(name, '-', id)"), "string varchar(53) null");
    CHECK_STR_EQ(shape("CONCAT(note, 'x')"), "string longtext null");
    CHECK_STR_EQ(shape("'abc'"), "string varchar(3) not-null");
    CHECK_STR_EQ(shape("CHAR_LENGTH(name)"), "int bigint null");
    CHECK_STR_EQ(shape("COALESCE(n, 0)"), "int bigint not-null"); /* int with bigint */
    CHECK_STR_EQ(shape("COALESCE(qty, n)"), "int int null");
    CHECK_STR_EQ(shape("IF(flag, price, price)"), "decimal decimal(10,2) null");
    CHECK_STR_EQ(shape("CAST(id AS DECIMAL(10,2))"), "decimal decimal(10,2) not-null");
    CHECK_STR_EQ(shape("CAST(id AS VARCHAR(20))"), "string varchar(20) not-null");
    CHECK_STR_EQ(shape("CAST(id AS STRING)"), "string longtext not-null");
    CHECK_STR_EQ(shape("CAST(name AS DATETIME)"), "datetime datetime(6) null");
    CHECK_STR_EQ(shape("CAST(id AS TINYINT)"), "int tinyint not-null");
    CHECK_STR_EQ(shape("CAST(id AS BOOLEAN)"), "int boolean not-null");
    CHECK_STR_EQ(shape("CAST(id AS LARGEINT)"), "decimal decimal(38,0) not-null");
    CHECK_STR_EQ(shape("CAST(js AS JSON)"), "json json null");
    CHECK_STR_EQ(shape("u"), "uint bigint unsigned null");
    CHECK_STR_EQ(shape("NULL"), "string longtext null");
    teardown();
}

static void collect(const char *name, void *arg)
{
    rt_buf *b = arg;
    rt_buf_append_str(b, name);
    rt_buf_append_char(b, ',');
}

TEST(syntax_queries)
{
    rt_err err = {0};
    op_expr *e = NULL;
    CHECK_OK(op_expr_parse("`Order Id`", &e, NULL, &err), &err);
    const char *name = NULL;
    CHECK(op_expr_is_column(e, &name));
    CHECK_STR_EQ(name, "Order Id");
    CHECK_STR_EQ(op_expr_text(e), "`Order Id`");
    op_expr_free(e);
    e = NULL;
    CHECK_OK(op_expr_parse("UPPER(a) = b AND __table_name__ = 'x' OR c IN (d, 1)", &e, NULL, &err),
             &err);
    if (!e)
        return;
    CHECK(!op_expr_is_column(e, &name));
    rt_buf b;
    rt_buf_init(&b);
    op_expr_columns(e, collect, &b);
    CHECK_STR_EQ(b.data, "a,b,c,d,");
    rt_buf_fini(&b);
    op_expr_free(e);
    op_expr_free(NULL);
    op_expr_bound_free(NULL);
}

TEST(cast_value_api)
{
    rt_batch *out = rt_batch_new(NULL);
    rt_err err = {0};
    rt_value in = {.type = RT_TYPE_INT, .i = 42}, v;
    CHECK_OK(op_expr_cast_value(&in, "varchar(10)", out, &v, &err), &err);
    CHECK_INT_EQ(v.type, RT_TYPE_STRING);
    CHECK(v.s.len == 2 && memcmp(v.s.ptr, "42", 2) == 0);
    CHECK_OK(op_expr_cast_value(&in, "decimal(6, 2)", out, &v, &err), &err);
    CHECK_INT_EQ(v.type, RT_TYPE_DECIMAL);
    CHECK(v.s.len == 5 && memcmp(v.s.ptr, "42.00", 5) == 0);
    rt_value s = {.type = RT_TYPE_STRING, .s = {.ptr = "2024-01-31 10:00:00", .len = 19}};
    CHECK_OK(op_expr_cast_value(&s, "DATETIME", out, &v, &err), &err);
    CHECK_INT_EQ(v.type, RT_TYPE_DATETIME);
    CHECK_INT_EQ(v.t.hour, 10);
    CHECK_INT_EQ(op_expr_cast_value(&in, "blob", out, &v, &err), RT_EINVAL);
    CHECK_STR_EQ(err.msg, "unknown type 'blob'");
    CHECK_INT_EQ(op_expr_cast_value(&s, "int", out, &v, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "not a number");
    rt_value nul = {.type = RT_TYPE_NULL};
    CHECK_OK(op_expr_cast_value(&nul, "int", out, &v, &err), &err);
    CHECK_INT_EQ(v.type, RT_TYPE_NULL);
    rt_type t;
    char *sql = NULL;
    CHECK_OK(op_expr_cast_type("Decimal(12,3)", &t, &sql, &err), &err);
    CHECK_INT_EQ(t, RT_TYPE_DECIMAL);
    CHECK_STR_EQ(sql, "decimal(12,3)");
    free(sql);
    CHECK_OK(op_expr_cast_type("string", &t, NULL, &err), &err);
    CHECK_INT_EQ(t, RT_TYPE_STRING);
    CHECK_OK(op_expr_cast_type("integer", &t, &sql, &err), &err);
    CHECK_STR_EQ(sql, "int");
    free(sql);
    CHECK_INT_EQ(op_expr_cast_type("varchar", &t, NULL, &err), RT_EINVAL);
    CHECK_INT_EQ(op_expr_cast_type("int extra", &t, NULL, &err), RT_EINVAL);
    CHECK_INT_EQ(op_expr_cast_type("foo", &t, NULL, NULL), RT_EINVAL);
    rt_batch_unref(out);
}

/* A bound expression on a record of another shape is an error, not a wild read. */
TEST(record_of_another_table)
{
    setup();
    rt_column one = {.name = "only", .type = RT_TYPE_INT};
    rt_table *t2 = rt_table_new("x", "y", &one, 1, NULL);
    rt_batch *b = rt_batch_new(NULL);
    rt_record *r2 = rt_batch_add(b, RT_ROW_INSERT, t2);
    rt_err err = {0};
    op_expr *e = NULL;
    op_expr_bound *bd = NULL;
    CHECK_OK(op_expr_parse("qty > 1", &e, NULL, &err), &err);
    CHECK_OK(op_expr_bind(e, fx.t, &bd, &err), &err);
    bool pass = true;
    CHECK_INT_EQ(op_expr_test(bd, r2, &pass, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "qty: the record has 1 values");
    CHECK_OK(op_expr_test(bd, fx.r, &pass, &err), &err);
    CHECK(pass);
    op_expr_bound_free(bd);
    op_expr_free(e);
    rt_batch_unref(b);
    rt_table_free(t2);
    teardown();
}

/* Values whose type differs from the declared column type convert when nothing is lost. */
TEST(values_of_another_type)
{
    setup();
    fx.r->values[0] = (rt_value){.type = RT_TYPE_UINT, .u = 9};
    CHECK_STR_EQ(ev("id + 1"), "int:10");
    fx.r->values[0] = (rt_value){.type = RT_TYPE_UINT, .u = UINT64_MAX};
    CHECK_STR_EQ(ev("id + 1"), "eval error: id: value of type uint in a int column");
    fx.r->values[4] = (rt_value){.type = RT_TYPE_INT, .i = 4};
    CHECK_STR_EQ(ev("u"), "uint:4");
    fx.r->values[4] = (rt_value){.type = RT_TYPE_INT, .i = -4};
    CHECK_STR_CONTAINS(ev("u"), "value of type int in a uint column");
    fx.r->values[2] = (rt_value){.type = RT_TYPE_INT, .i = 3};
    CHECK_STR_EQ(ev("price"), "decimal:\"3.00\"");
    fx.r->values[5] = (rt_value){.type = RT_TYPE_INT, .i = 3};
    CHECK_STR_EQ(ev("d / 2"), "double:1.5");
    set_str(&fx.r->values[11], RT_TYPE_STRING, "[1]");
    CHECK_STR_EQ(ev("js"), "json:\"[1]\"");
    set_str(&fx.r->values[3], RT_TYPE_STRING, "3");
    CHECK_STR_CONTAINS(ev("qty"), "value of type string in a int column");
    fx.r->values[7] = fx.r->values[6];
    CHECK_STR_EQ(ev("day"), "date:\"2024-03-15\"");
    teardown();
}

TEST(times_and_bytes)
{
    setup();
    CHECK_INT_EQ(tst("dur > '01:00:00'"), 1);
    CHECK_INT_EQ(tst("dur = '01:30:00.5'"), 1);
    CHECK_INT_EQ(tst("dur < '-01:00'"), 0);
    CHECK_STR_CONTAINS(ev("dur = day"), "bind error: at 4: cannot compare a time with a date");
    CHECK_STR_EQ(ev("CAST(dur AS STRING)"), "string:\"01:30:00.500000\"");
    CHECK_INT_EQ(tst("bin = CONCAT('a', CAST(0 AS CHAR(1)))"), 0);
    CHECK_INT_EQ(tst("CHAR_LENGTH(bin) = 3"), 1);
    CHECK_STR_EQ(ev("CHAR_LENGTH(CAST('h\xc3\xa9' AS STRING))"), "int:2");
    CHECK_INT_EQ(tst("bin > 'a'"), 1); /* byte-wise: "a\0b" sorts after "a" */
    CHECK_INT_EQ(tst("bin < 'a\\0c'"), 1);
    set_str(&fx.r->values[16], RT_TYPE_BYTES, "\xc3\xa9");
    CHECK_STR_EQ(ev("CHAR_LENGTH(bin)"), "int:2"); /* bytes, not UTF-8 characters */
    teardown();
}

/* Text results are copied into the output batch: they outlive the input batch. */
TEST(results_live_in_the_output_batch)
{
    setup();
    rt_err err = {0};
    op_expr *e = NULL;
    op_expr_bound *b = NULL;
    CHECK_OK(op_expr_parse("name", &e, NULL, &err), &err);
    CHECK_OK(op_expr_bind(e, fx.t, &b, &err), &err);
    rt_value v = {0};
    CHECK_OK(op_expr_eval(b, fx.r, fx.out, &v, &err), &err);
    CHECK(v.s.ptr != fx.r->values[1].s.ptr);
    rt_batch_unref(fx.in); /* ASan reports a read of the input arena below, if any */
    fx.in = NULL;
    CHECK(v.type == RT_TYPE_STRING && v.s.len == 5 && memcmp(v.s.ptr, "Alice", 5) == 0);
    op_expr_bound_free(b);
    op_expr_free(e);
    teardown();
    setup();
    /* Numbers need no batch; text without one is refused rather than written nowhere. */
    CHECK_OK(op_expr_parse("id * 2", &e, NULL, &err), &err);
    CHECK_OK(op_expr_bind(e, fx.t, &b, &err), &err);
    CHECK_OK(op_expr_eval(b, fx.r, NULL, &v, &err), &err);
    CHECK(v.type == RT_TYPE_INT && v.i == 14);
    op_expr_bound_free(b);
    op_expr_free(e);
    CHECK_OK(op_expr_parse("UPPER(name)", &e, NULL, &err), &err);
    CHECK_OK(op_expr_bind(e, fx.t, &b, &err), &err);
    CHECK_INT_EQ(op_expr_eval(b, fx.r, NULL, &v, &err), RT_EINVAL);
    CHECK_STR_EQ(err.msg, "UPPER(name): a text result needs an output batch");
    op_expr_bound_free(b);
    op_expr_free(e);
    teardown();
}

/* One parsed expression binds to several schemas (a column moved, a type changed). */
TEST(one_expression_many_schemas)
{
    rt_err err = {0};
    op_expr *e = NULL;
    CHECK_OK(op_expr_parse("amount * 2 > 10", &e, NULL, &err), &err);
    rt_column a[] = {{.name = "id", .type = RT_TYPE_INT}, {.name = "AMOUNT", .type = RT_TYPE_INT}};
    rt_column b2[] = {{.name = "amount", .type = RT_TYPE_DECIMAL, .sql_type = "decimal(5,1)"}};
    rt_table *ta = rt_table_new("d", "a", a, 2, NULL), *tb = rt_table_new("d", "b", b2, 1, NULL);
    rt_batch *in = rt_batch_new(NULL);
    rt_record *ra = rt_batch_add(in, RT_ROW_INSERT, ta), *rb = rt_batch_add(in, RT_ROW_INSERT, tb);
    ra->values[1] = (rt_value){.type = RT_TYPE_INT, .i = 6};
    CHECK_INT_EQ(rt_batch_set_str(in, &rb->values[0], RT_TYPE_DECIMAL, "5.0", 3), 0);
    op_expr_bound *ba = NULL, *bb = NULL;
    CHECK_OK(op_expr_bind(e, ta, &ba, &err), &err);
    CHECK_OK(op_expr_bind(e, tb, &bb, &err), &err);
    bool pass = false;
    CHECK_OK(op_expr_test(ba, ra, &pass, &err), &err);
    CHECK(pass);
    CHECK_OK(op_expr_test(bb, rb, &pass, &err), &err);
    CHECK(!pass); /* 10.0 > 10 is false */
    op_expr_bound_free(ba);
    op_expr_bound_free(bb);
    rt_batch_unref(in);
    rt_table_free(ta);
    rt_table_free(tb);
    op_expr_free(e);
}

/* Hostile nesting is a parse error, not a stack overflow. */
TEST(nesting_limits)
{
    size_t n = 100000;
    char *text = malloc(4 * n + 8);
    memset(text, '(', n);
    strcpy(text + n, "1");
    CHECK(perr(text) >= 0);
    CHECK_STR_CONTAINS(last_err, "nested too deeply");
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(text + o, "1 + ", 4);
        o += 4;
    }
    strcpy(text + o, "1");
    CHECK(perr(text) >= 0);
    CHECK_STR_CONTAINS(last_err, "too deep");
    memset(text, '-', n);
    strcpy(text + n, "1");
    CHECK(perr(text) >= 0);
    o = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(text + o, "NOT ", 4);
        o += 4;
    }
    strcpy(text + o, "1");
    CHECK(perr(text) >= 0);
    free(text);
    /* 150 levels are fine. */
    setup();
    char ok[400];
    memset(ok, '(', 150);
    strcpy(ok + 150, "id");
    memset(ok + 152, ')', 150);
    ok[302] = 0;
    CHECK_STR_EQ(ev(ok), "int:7");
    /* A 900-term sum is within the depth limit and evaluates. */
    char *sum = malloc(900 * 5 + 8);
    size_t o2 = 0;
    for (int i = 0; i < 900; i++) {
        memcpy(sum + o2, "id + ", 5);
        o2 += 5;
    }
    strcpy(sum + o2, "0");
    CHECK_STR_EQ(ev(sum), "int:6300");
    free(sum);
    teardown();
}

TEST(like_edges)
{
    setup();
    CHECK_INT_EQ(tst("'a\\\\' LIKE 'a\\\\'"), 1); /* a\ matches itself (escaped backslash) */
    CHECK_INT_EQ(tst("'%' LIKE '\\%'"), 1);
    CHECK_INT_EQ(tst("'x' LIKE '\\%'"), 0);
    CHECK_INT_EQ(tst("'abc' LIKE 'a%%%c'"), 1);
    CHECK_INT_EQ(tst("'abc' LIKE '___'"), 1);
    CHECK_INT_EQ(tst("'abc' LIKE '____'"), 0);
    CHECK_INT_EQ(tst("'h\xc3\xa9' LIKE 'h_'"), 1);
    CHECK_INT_EQ(tst("'h\xc3\xa9' LIKE '%\xc3\xa9'"), 1);
    CHECK_INT_EQ(tst("'mississippi' LIKE '%iss%ipp%'"), 1);
    CHECK_INT_EQ(tst("'mississippi' LIKE '%iss%ipx%'"), 0);
    CHECK_INT_EQ(tst("name LIKE CONCAT(SUBSTR(name, 1, 2), '%')"), 1);
    teardown();
}

/* The LIKE definition, recursively and slowly: the reference the matcher is checked against. */
static bool like_ref(const char *s, const char *p)
{
    if (!*p)
        return !*s;
    if (*p == '%')
        return like_ref(s, p + 1) || (*s && like_ref(s + 1, p));
    if (!*s)
        return false;
    if (*p == '_')
        return like_ref(s + 1, p + 1);
    if (*p == '\\' && p[1])
        return *s == p[1] && like_ref(s + 1, p + 2);
    return *s == *p && like_ref(s + 1, p + 1);
}

TEST(like_matches_the_reference)
{
    setup();
    uint32_t seed = 12345;
    int mismatches = 0;
    for (int round = 0; round < 3000; round++) {
        char str[8], pat[8], text[64];
        size_t sl = (seed = seed * 1103515245u + 12345u) >> 16 & 7, pl = (seed >> 8) % 7;
        for (size_t i = 0; i < sl; i++)
            str[i] = "ab"[(seed = seed * 1103515245u + 12345u) >> 16 & 1];
        str[sl] = 0;
        for (size_t i = 0; i < pl; i++)
            pat[i] = "ab%_\\"[((seed = seed * 1103515245u + 12345u) >> 16) % 5];
        pat[pl] = 0;
        /* In the literal a backslash is written doubled. */
        size_t o = (size_t)snprintf(text, sizeof text, "'%s' LIKE '", str);
        for (size_t i = 0; i < pl; i++) {
            if (pat[i] == '\\')
                text[o++] = '\\';
            text[o++] = pat[i];
        }
        text[o++] = '\'';
        text[o] = 0;
        int got = tst(text);
        if (got != (int)like_ref(str, pat) && mismatches++ < 5)
            test_fail(__FILE__, __LINE__, "%s: got %d (%s)", text, got, last_err);
    }
    CHECK_INT_EQ(mismatches, 0);
    teardown();
}

typedef struct worker {
    const op_expr_bound *b;
    const rt_record *r;
    int ok;
} worker;

static void *eval_many(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < 2000; i++) {
        rt_batch *out = rt_batch_new(NULL);
        rt_value v;
        rt_err err;
        if (op_expr_eval(w->b, w->r, out, &v, &err) == 0 && v.type == RT_TYPE_STRING &&
            v.s.len == 11 && memcmp(v.s.ptr, "ALICE-12.50", 11) == 0)
            w->ok++;
        rt_batch_unref(out);
    }
    return NULL;
}

/* A bound expression is immutable: threads evaluate it at once (TSan/ASan would flag a race). */
TEST(concurrent_evaluation)
{
    setup();
    rt_err err = {0};
    op_expr *e = NULL;
    op_expr_bound *b = NULL;
    CHECK_OK(op_expr_parse("CONCAT(UPPER(name), '-', price)", &e, NULL, &err), &err);
    CHECK_OK(op_expr_bind(e, fx.t, &b, &err), &err);
    worker w[2] = {{b, fx.r, 0}, {b, fx.r, 0}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        CHECK_INT_EQ(pthread_create(&th[i], NULL, eval_many, &w[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    CHECK_INT_EQ(w[0].ok, 2000);
    CHECK_INT_EQ(w[1].ok, 2000);
    op_expr_bound_free(b);
    op_expr_free(e);
    teardown();
}

TEST_MAIN()
