/* Unit tests of text_value: one text-protocol cell of every MySQL type to its rt_value (checked
 * through the changelog JSON), edge values, and the errors for malformed text. */
#include <stdlib.h>
#include <string.h>

#include "operators/mysql/text_value.h"
#include "tests/harness/test.h"

/* The JSON of the value `text` (len bytes; NULL for SQL NULL) of a column of type `sql`, or
 * "ERR <code>: <message>". Static buffer. */
static const char *conv_n(const char *sql, const char *text, size_t len)
{
    static char res[1024];
    op_sql_type t;
    rt_err err;
    if (op_sql_type_parse(sql, &t, &err) != 0) {
        snprintf(res, sizeof res, "BADTYPE %s", err.msg);
        return res;
    }
    rt_batch *b = rt_batch_new(NULL);
    rt_value v;
    int rc = op_text_value_parse(&t, t.type, "c", text, len, b, &v, &err);
    if (rc) {
        snprintf(res, sizeof res, "ERR %s: %s", rt_err_code_name(rc), err.msg);
    } else {
        rt_buf out;
        rt_buf_init(&out);
        rt_buf_appendf(&out, "%s ", rt_type_name((rt_type)v.type));
        rt_value_format_json(&v, &out);
        snprintf(res, sizeof res, "%s", out.data);
        rt_buf_fini(&out);
    }
    rt_batch_unref(b);
    op_sql_type_fini(&t);
    return res;
}

static const char *conv(const char *sql, const char *text)
{
    return conv_n(sql, text, text ? strlen(text) : 0);
}

TEST(integers)
{
    CHECK_STR_EQ(conv("tinyint", "-128"), "int -128");
    CHECK_STR_EQ(conv("tinyint unsigned", "255"), "uint 255");
    CHECK_STR_EQ(conv("int", "0"), "int 0");
    CHECK_STR_EQ(conv("bigint", "-9223372036854775808"), "int \"-9223372036854775808\"");
    CHECK_STR_EQ(conv("bigint", "9223372036854775807"), "int \"9223372036854775807\"");
    CHECK_STR_EQ(conv("bigint unsigned", "18446744073709551615"), "uint \"18446744073709551615\"");
    CHECK_STR_EQ(conv("bigint", "9007199254740992"), "int 9007199254740992");
    CHECK_STR_CONTAINS(conv("bigint", "9223372036854775808"), "ERR ECORRUPT");
    CHECK_STR_CONTAINS(conv("bigint unsigned", "18446744073709551616"), "ERR ECORRUPT");
    CHECK_STR_CONTAINS(conv("int unsigned", "-1"), "ERR ECORRUPT");
    CHECK_STR_CONTAINS(conv("int", ""), "ERR ECORRUPT");
    CHECK_STR_CONTAINS(conv("int", "12a"), "column 'c' (int): malformed value \"12a\"");
    CHECK_STR_CONTAINS(conv("int", " 1"), "ERR ECORRUPT");
    CHECK_STR_EQ(conv("int", NULL), "null null");
    CHECK_STR_EQ(conv("year", "0000"), "int 0");
    CHECK_STR_EQ(conv("year", "2155"), "int 2155");
    CHECK_STR_EQ(conv("year", "1901"), "int 1901");
}

TEST(bits)
{
    CHECK_STR_EQ(conv_n("bit(1)", "\x01", 1), "uint 1");
    CHECK_STR_EQ(conv_n("bit(1)", "\x00", 1), "uint 0");
    CHECK_STR_EQ(conv_n("bit(10)", "\x02\x01", 2), "uint 513");
    CHECK_STR_EQ(conv_n("bit(64)", "\xff\xff\xff\xff\xff\xff\xff\xff", 8),
                 "uint \"18446744073709551615\"");
    CHECK_STR_EQ(conv_n("bit(64)", "\x00\x00\x00\x00\x00\x00\x00\x05", 8), "uint 5");
    CHECK_STR_CONTAINS(conv_n("bit(10)", "\x02", 1), "ERR ECORRUPT");
}

TEST(reals)
{
    CHECK_STR_EQ(conv("double", "0.1"), "double 0.10000000000000001");
    CHECK_STR_EQ(conv("double", "-1.7976931348623157e308"), "double -1.7976931348623157e+308");
    CHECK_STR_EQ(conv("double", "1e-300"), "double 1e-300");
    /* FLOAT: the exact double of the stored float (CAST(x AS DOUBLE)) -> shortest float text */
    CHECK_STR_EQ(conv("float", "1.100000023841858"), "double 1.1000000000000001");
    CHECK_STR_EQ(conv("float", "3.4028234663852886e38"), "double 3.4028234999999999e+38");
    CHECK_STR_EQ(conv("float", "16777216"), "double 16777216");
    CHECK_STR_EQ(conv("float", "-0"), "double -0");
    CHECK_STR_CONTAINS(conv("double", "inf"), "ERR ECORRUPT");
    CHECK_STR_CONTAINS(conv("double", "1.0x"), "ERR ECORRUPT");
    CHECK_STR_CONTAINS(conv("double", "1e999"), "ERR ECORRUPT");
}

TEST(decimals)
{
    CHECK_STR_EQ(conv("decimal(10,2)", "-123.45"), "decimal \"-123.45\"");
    CHECK_STR_EQ(conv("decimal(10,2)", "0.50"), "decimal \"0.50\"");
    CHECK_STR_EQ(conv("decimal(10,2)", "007.5"), "decimal \"7.50\"");
    CHECK_STR_EQ(conv("decimal(10,0)", "42"), "decimal \"42\"");
    CHECK_STR_EQ(conv("decimal(65,30)",
                      "99999999999999999999999999999999999.999999999999999999999999999999"),
                 "decimal \"99999999999999999999999999999999999.999999999999999999999999999999\"");
    CHECK_STR_EQ(conv("decimal(5,5) unsigned", "0.00001"), "decimal \"0.00001\"");
    CHECK_STR_CONTAINS(conv("decimal(10,2)", "1.234"), "ERR ECORRUPT");
    CHECK_STR_CONTAINS(conv("decimal(10,2)", "1."), "ERR ECORRUPT");
    CHECK_STR_CONTAINS(conv("decimal(10,2)", "-"), "ERR ECORRUPT");
    CHECK_STR_CONTAINS(conv("decimal(10,2)", ".5"), "ERR ECORRUPT");
    CHECK_STR_CONTAINS(conv("decimal(10,0)", "1e5"), "ERR ECORRUPT");
}

TEST(temporals)
{
    CHECK_STR_EQ(conv("date", "2024-02-29"), "date \"2024-02-29\"");
    CHECK_STR_EQ(conv("date", "0000-00-00"), "date \"0000-00-00\"");
    CHECK_STR_EQ(conv("date", "9999-12-31"), "date \"9999-12-31\"");
    CHECK_STR_EQ(conv("date", "2024-00-15"), "date \"2024-00-15\"");
    CHECK_STR_CONTAINS(conv("date", "2024-13-01"), "ERR ECORRUPT");
    CHECK_STR_CONTAINS(conv("date", "2024-1-01"), "ERR ECORRUPT");
    CHECK_STR_EQ(conv("time", "-838:59:59"), "time \"-838:59:59.000000\"");
    CHECK_STR_EQ(conv("time(6)", "838:59:59.000000"), "time \"838:59:59.000000\"");
    CHECK_STR_EQ(conv("time(6)", "-00:00:00.000001"), "time \"-00:00:00.000001\"");
    CHECK_STR_EQ(conv("time(3)", "12:34:56.789"), "time \"12:34:56.789000\"");
    CHECK_STR_EQ(conv("time(1)", "00:00:00.5"), "time \"00:00:00.500000\"");
    CHECK_STR_CONTAINS(conv("time", "839:00:00"), "ERR ECORRUPT");
    CHECK_STR_CONTAINS(conv("time", "12:60:00"), "ERR ECORRUPT");
    CHECK_STR_CONTAINS(conv("time(6)", "12:00:00.1234567"), "ERR ECORRUPT");
    CHECK_STR_EQ(conv("datetime(6)", "9999-12-31 23:59:59.999999"),
                 "datetime \"9999-12-31 23:59:59.999999\"");
    CHECK_STR_EQ(conv("datetime", "0000-00-00 00:00:00"),
                 "datetime \"0000-00-00 00:00:00.000000\"");
    CHECK_STR_EQ(conv("datetime(2)", "1000-01-01 00:00:00.12"),
                 "datetime \"1000-01-01 00:00:00.120000\"");
    CHECK_STR_EQ(conv("timestamp(6)", "2038-01-19 03:14:07.999999"),
                 "datetime \"2038-01-19 03:14:07.999999\"");
    CHECK_STR_EQ(conv("timestamp", "0000-00-00 00:00:00"),
                 "datetime \"0000-00-00 00:00:00.000000\"");
    CHECK_STR_CONTAINS(conv("datetime", "2024-01-01T00:00:00"), "ERR ECORRUPT");
    CHECK_STR_CONTAINS(conv("datetime", "2024-01-01 24:00:00"), "ERR ECORRUPT");
    CHECK_STR_CONTAINS(conv("datetime", "2024-01-01 00:00:00."), "ERR ECORRUPT");
}

TEST(strings_and_bytes)
{
    CHECK_STR_EQ(conv("varchar(10)", ""), "string \"\"");
    CHECK_STR_EQ(conv("varchar(10)", "h\xc3\xa9 \xf0\x9f\x98\x80"),
                 "string \"h\xc3\xa9 \xf0\x9f\x98\x80\"");
    CHECK_STR_EQ(conv("char(3)", "abc"), "string \"abc\"");
    CHECK_STR_EQ(conv("longtext", "a\"b\\"), "string \"a\\\"b\\\\\"");
    CHECK_STR_EQ(conv_n("varbinary(8)", "\x00\x01\x00", 3), "bytes \"AAEA\"");
    CHECK_STR_EQ(conv_n("binary(4)", "a\x00\x00\x00", 4), "bytes \"YQAAAA==\"");
    CHECK_STR_EQ(conv_n("blob", "", 0), "bytes \"\"");
    CHECK_STR_EQ(conv("enum('a','b c')", "b c"), "string \"b c\"");
    CHECK_STR_EQ(conv("enum('a','b')", ""), "string \"\"");
    CHECK_STR_EQ(conv("set('x','y','z')", "x,z"), "string \"x,z\"");
    CHECK_STR_EQ(conv("json", "{\"a\": [1, 2]}"), "json \"{\\\"a\\\": [1, 2]}\"");
    CHECK_STR_EQ(conv("blob", NULL), "null null");
}

TEST(binary_charset_column)
{
    /* A character column with the binary charset carries BYTES, as the binlog decoder does. */
    op_sql_type t;
    rt_err err;
    CHECK_OK(op_sql_type_parse("varchar(4)", &t, &err), &err);
    rt_batch *b = rt_batch_new(NULL);
    rt_value v;
    CHECK_OK(op_text_value_parse(&t, RT_TYPE_BYTES, "c", "a\0b", 3, b, &v, &err), &err);
    CHECK_INT_EQ(v.type, RT_TYPE_BYTES);
    CHECK_INT_EQ(v.s.len, 3);
    rt_batch_unref(b);
    op_sql_type_fini(&t);
}

TEST(rows)
{
    rt_column cols[] = {
        {.name = "id", .type = RT_TYPE_INT, .sql_type = "int", .primary_key = true},
        {.name = "d", .type = RT_TYPE_DATE, .sql_type = "date", .nullable = true},
        {.name = "s", .type = RT_TYPE_STRING, .sql_type = "varchar(8)", .nullable = true},
    };
    rt_err err;
    rt_table *t = rt_table_new("db", "t", cols, 3, &err);
    op_text_row *r = NULL;
    CHECK_OK(op_text_row_new(t, NULL, &r, &err), &err);
    rt_batch *b = rt_batch_new(NULL);
    const char *vals[] = {"7", NULL, "x"};
    unsigned long lens[] = {1, 0, 1};
    rt_record *rec = rt_batch_add(b, RT_ROW_INSERT, t);
    CHECK_OK(op_text_row_decode(r, vals, lens, b, rec, &err), &err);
    CHECK_INT_EQ(rec->values[0].i, 7);
    CHECK_INT_EQ(rec->values[1].type, RT_TYPE_NULL);
    CHECK_INT_EQ(rec->values[2].s.len, 1);
    const char *bad[] = {"7", "2024-02-30x", "x"};
    unsigned long badlens[] = {1, 11, 1};
    CHECK_INT_EQ(op_text_row_decode(r, bad, badlens, b, rec, &err), RT_ECORRUPT);
    CHECK_STR_CONTAINS(err.msg, "table db.t: column 'd' (date): malformed value");
    rt_batch_unref(b);
    op_text_row_free(r);
    rt_table_free(t);

    rt_column nosql[] = {{.name = "id", .type = RT_TYPE_INT}};
    t = rt_table_new("db", "u", nosql, 1, &err);
    CHECK_INT_EQ(op_text_row_new(t, NULL, &r, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "table db.u column 'id'");
    rt_table_free(t);
}

/* Rows get what the binlog phase gives too: TIMESTAMP (read in the UTC session) as the wall time
 * in server_time_zone, across a DST change; spatial values as WKB without the SRID. */
TEST(rows_in_a_zone)
{
    rt_column cols[] = {
        {.name = "ts", .type = RT_TYPE_DATETIME, .sql_type = "timestamp(3)", .nullable = true},
        {.name = "dt", .type = RT_TYPE_DATETIME, .sql_type = "datetime", .nullable = true},
        {.name = "g", .type = RT_TYPE_BYTES, .sql_type = "point", .nullable = true},
        {.name = "bn", .type = RT_TYPE_BYTES, .sql_type = "binary(3)", .nullable = true},
    };
    rt_err err;
    rt_table *t = rt_table_new("db", "z", cols, 4, &err);
    op_mysql_time_zone *ny = NULL;
    CHECK_OK(op_mysql_time_zone_open("America/New_York", NULL, &ny, &err), &err);
    op_text_row *r = NULL;
    CHECK_OK(op_text_row_new(t, ny, &r, &err), &err);
    rt_batch *b = rt_batch_new(NULL);
    static const char point[] = "\xe6\x10\x00\x00" /* SRID 4326 */
                                "\x01\x01\x00\x00\x00"
                                "\x00\x00\x00\x00\x00\x00\xf0\x3f"
                                "\x00\x00\x00\x00\x00\x00\x00\x40";
    struct {
        const char *ts, *want;
    } cases[] = {
        /* 2024-03-10 07:00 UTC: EST (-5) ends, EDT (-4) starts; the wall clock skips 02:xx */
        {"2024-03-10 06:59:59.500", "\"2024-03-10 01:59:59.500000\""},
        {"2024-03-10 07:00:00.000", "\"2024-03-10 03:00:00.000000\""},
        /* 2024-11-03 06:00 UTC: back to EST; 01:xx comes twice */
        {"2024-11-03 05:30:00.000", "\"2024-11-03 01:30:00.000000\""},
        {"2024-11-03 06:30:00.000", "\"2024-11-03 01:30:00.000000\""},
        {"0000-00-00 00:00:00.000", "\"0000-00-00 00:00:00.000000\""},
    };
    rt_buf out;
    rt_buf_init(&out);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *vals[] = {cases[i].ts, "2024-03-10 06:59:59", point, "ab\0"};
        unsigned long lens[] = {(unsigned long)strlen(cases[i].ts), 19, sizeof point - 1, 3};
        rt_record *rec = rt_batch_add(b, RT_ROW_INSERT, t);
        CHECK_OK(op_text_row_decode(r, vals, lens, b, rec, &err), &err);
        rt_buf_reset(&out);
        rt_value_format_json(&rec->values[0], &out);
        CHECK_STR_EQ(out.data, cases[i].want);
        /* DATETIME is no instant: untouched */
        rt_buf_reset(&out);
        rt_value_format_json(&rec->values[1], &out);
        CHECK_STR_EQ(out.data, "\"2024-03-10 06:59:59.000000\"");
        CHECK_UINT_EQ(rec->values[2].s.len, 21);
        CHECK(rec->values[2].s.len == 21 && memcmp(rec->values[2].s.ptr, point + 4, 21) == 0);
        CHECK_UINT_EQ(rec->values[3].s.len, 3);
    }
    const char *bad[] = {NULL, NULL, "\x01\x02", NULL};
    unsigned long badlens[] = {0, 0, 2, 0};
    rt_record *rec = rt_batch_add(b, RT_ROW_INSERT, t);
    CHECK_INT_EQ(op_text_row_decode(r, bad, badlens, b, rec, &err), RT_ECORRUPT);
    CHECK_STR_CONTAINS(err.msg, "column 'g' (point): 2 bytes, shorter than the SRID prefix");
    rt_buf_fini(&out);
    rt_batch_unref(b);
    op_text_row_free(r);
    op_mysql_time_zone_free(ny);
    rt_table_free(t);
}

TEST_MAIN()
