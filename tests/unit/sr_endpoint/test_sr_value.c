/* Tests of sr_value: type names, canonical text and StarRocks' conversion rules. */
#include "tests/harness/test.h"
#include "tests/sr_endpoint/sr_value.h"

#include <stdlib.h>

static sr_type T(const char *s)
{
    sr_type t = {0};
    rt_err err;
    if (sr_type_parse(s, &t, &err) != 0)
        test_fail(__FILE__, __LINE__, "parse %s: %s", s, err.msg);
    return t;
}

/* Converts and returns the canonical text (static), or "ERR:<code>". */
static const char *conv(const char *type, const char *in)
{
    static char out[256];
    sr_type t = T(type);
    sr_value v;
    rt_err err;
    int rc = sr_value_convert(&t, "c", in, strlen(in), &v, &err);
    if (rc) {
        snprintf(out, sizeof(out), "ERR:%s", rt_err_code_name(rc));
        return out;
    }
    snprintf(out, sizeof(out), "%s", v.data);
    sr_value_fini(&v);
    return out;
}

/* A conversion and its expected canonical text, or "ERR:<code>". */
typedef struct conv_case {
    const char *type, *in, *want;
} conv_case;

static void check_convs(const conv_case *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *got = conv(c[i].type, c[i].in);
        if (strcmp(got, c[i].want) != 0)
            test_fail(__FILE__, __LINE__, "%s from \"%s\": \"%s\" != \"%s\"", c[i].type, c[i].in,
                      got, c[i].want);
    }
}

TEST(type_names)
{
    char buf[64];
    sr_type t = T("decimal( 10 , 2 )");
    CHECK_INT_EQ(t.kind, SR_TYPE_DECIMAL);
    CHECK_INT_EQ(t.precision, 10);
    CHECK_INT_EQ(t.scale, 2);
    sr_type_format(&t, buf, sizeof(buf));
    CHECK_STR_EQ(buf, "decimal(10,2)");
    t = T("varchar");
    CHECK_INT_EQ(t.len, 1);
    t = T("STRING");
    CHECK_INT_EQ(t.len, 65533);
    t = T("INTEGER");
    CHECK_INT_EQ(t.kind, SR_TYPE_INT);
    t = T("int(11)");
    CHECK_INT_EQ(t.kind, SR_TYPE_INT);
    sr_type bad;
    rt_err err;
    CHECK_INT_EQ(sr_type_parse("TEXT", &bad, &err), RT_EINVAL);
    CHECK_INT_EQ(sr_type_parse("TIMESTAMP", &bad, &err), RT_EINVAL);
    CHECK_INT_EQ(sr_type_parse("DECIMAL(39,2)", &bad, &err), RT_EINVAL);
    CHECK_INT_EQ(sr_type_parse("DECIMAL(5,6)", &bad, &err), RT_EINVAL);
    CHECK_INT_EQ(sr_type_parse("CHAR(256)", &bad, &err), RT_EINVAL);
    CHECK(sr_type_is_key_allowed(&(sr_type){.kind = SR_TYPE_VARCHAR}));
    CHECK(!sr_type_is_key_allowed(&(sr_type){.kind = SR_TYPE_DECIMAL}));
    CHECK(!sr_type_is_key_allowed(&(sr_type){.kind = SR_TYPE_CHAR}));
    CHECK(!sr_type_is_key_allowed(&(sr_type){.kind = SR_TYPE_FLOAT}));
}

TEST(integers)
{
    static const conv_case cases[] = {
        {"TINYINT", "-128", "-128"},
        {"TINYINT", "128", "ERR:EINVAL"},
        {"INT", "+42", "42"},
        {"INT", "2147483648", "ERR:EINVAL"},
        {"BIGINT", "-9223372036854775808", "-9223372036854775808"},
        {"BIGINT", "9223372036854775808", "ERR:EINVAL"},
        {"LARGEINT", "170141183460469231731687303715884105727",
         "170141183460469231731687303715884105727"},
        {"LARGEINT", "170141183460469231731687303715884105728", "ERR:EINVAL"},
        {"INT", "abc", "ERR:EINVAL"},
        {"INT", "", "ERR:EINVAL"},
        {"BOOLEAN", "true", "1"},
        {"BOOLEAN", "FALSE", "0"},
        {"BOOLEAN", "5", "1"},
        {"BOOLEAN", "yes", "ERR:EINVAL"},
    };
    check_convs(cases, sizeof cases / sizeof cases[0]);
}

TEST(decimals_and_floats)
{
    static const conv_case cases[] = {
        {"DECIMAL(10,2)", "1.5", "1.50"},
        {"DECIMAL(10,2)", "-0.005", "-0.01"},
        {"DECIMAL(10,2)", "-0.004", "0.00"},
        {"DECIMAL(10,2)", "99999999.995", "ERR:EINVAL"},
        {"DECIMAL(10,2)", "99999999.99", "99999999.99"},
        {"DECIMAL(5,0)", "007", "7"},
        {"DECIMAL(5,0)", ".4", "0"},
        {"DECIMAL(38,10)", "1x", "ERR:EINVAL"},
        {"DOUBLE", "0.1", "0.1"},
        {"DOUBLE", "1e3", "1000"},
        {"FLOAT", "1e39", "ERR:EINVAL"},
        {"DOUBLE", "nan", "ERR:EINVAL"},
    };
    check_convs(cases, sizeof cases / sizeof cases[0]);
}

TEST(dates)
{
    static const conv_case cases[] = {
        {"DATE", "2024-02-29", "2024-02-29"},
        {"DATE", "2023-02-29", "ERR:EINVAL"},
        {"DATETIME", "2024-01-02 03:04:05", "2024-01-02 03:04:05"},
        {"DATETIME", "2024-01-02T03:04:05.5", "2024-01-02 03:04:05.500000"},
        {"DATETIME", "2024-01-02 03:04:05.000000", "2024-01-02 03:04:05"},
        {"DATETIME", "2024-01-02", "2024-01-02 00:00:00"},
        {"DATETIME", "2024-01-02 24:00:00", "ERR:EINVAL"},
    };
    check_convs(cases, sizeof cases / sizeof cases[0]);
}

TEST(strings_bounded_in_bytes)
{
    static const conv_case cases[] = {
        {"VARCHAR(3)", "abc", "abc"},
        {"VARCHAR(3)", "abcd", "ERR:EUNSUPPORTED"},
        /* "é" is two bytes: two of them do not fit three bytes */
        {"VARCHAR(3)", "\xc3\xa9\xc3\xa9", "ERR:EUNSUPPORTED"},
        {"VARCHAR(10)", "\xff\xfe", "ERR:EUNSUPPORTED"},
        {"VARBINARY(4)", "\xff\xfe", "\xff\xfe"},
        {"JSON", "{\"a\": [1, 2]}", "{\"a\":[1,2]}"},
        {"JSON", "{bad", "ERR:EINVAL"},
    };
    check_convs(cases, sizeof cases / sizeof cases[0]);
    sr_type t = T("VARCHAR(3)");
    sr_value v;
    rt_err err;
    CHECK_INT_EQ(sr_value_convert(&t, "name", "abcd", 4, &v, &err), RT_EUNSUPPORTED);
    CHECK_STR_EQ(err.msg, "String 'abcd'(length=4) is too long. The max length of 'name' is 3");
    t = T("INT");
    CHECK_INT_EQ(sr_value_convert(&t, "id", "x", 1, &v, &err), RT_EINVAL);
    CHECK_STR_EQ(err.msg, "Value 'x' is out of range. The type of 'id' is INT(11)");
}

TEST(compare)
{
    sr_type t = T("BIGINT");
    sr_value a = sr_value_text("9", 1), b = sr_value_text("10", 2), n = {.kind = SR_VALUE_NULL};
    CHECK(sr_value_compare(&t, &a, &b) < 0);
    CHECK(sr_value_compare(&t, &n, &a) < 0);
    sr_type s = T("VARCHAR(5)");
    CHECK(sr_value_compare(&s, &a, &b) > 0);
    sr_value_fini(&a);
    sr_value_fini(&b);
}

TEST_MAIN()
