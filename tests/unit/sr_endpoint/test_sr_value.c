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
    CHECK_STR_EQ(conv("TINYINT", "-128"), "-128");
    CHECK_STR_EQ(conv("TINYINT", "128"), "ERR:EINVAL");
    CHECK_STR_EQ(conv("INT", "+42"), "42");
    CHECK_STR_EQ(conv("INT", "2147483648"), "ERR:EINVAL");
    CHECK_STR_EQ(conv("BIGINT", "-9223372036854775808"), "-9223372036854775808");
    CHECK_STR_EQ(conv("BIGINT", "9223372036854775808"), "ERR:EINVAL");
    CHECK_STR_EQ(conv("LARGEINT", "170141183460469231731687303715884105727"),
                 "170141183460469231731687303715884105727");
    CHECK_STR_EQ(conv("LARGEINT", "170141183460469231731687303715884105728"), "ERR:EINVAL");
    CHECK_STR_EQ(conv("INT", "abc"), "ERR:EINVAL");
    CHECK_STR_EQ(conv("INT", ""), "ERR:EINVAL");
    CHECK_STR_EQ(conv("BOOLEAN", "true"), "1");
    CHECK_STR_EQ(conv("BOOLEAN", "FALSE"), "0");
    CHECK_STR_EQ(conv("BOOLEAN", "5"), "1");
    CHECK_STR_EQ(conv("BOOLEAN", "yes"), "ERR:EINVAL");
}

TEST(decimals_and_floats)
{
    CHECK_STR_EQ(conv("DECIMAL(10,2)", "1.5"), "1.50");
    CHECK_STR_EQ(conv("DECIMAL(10,2)", "-0.005"), "-0.01");
    CHECK_STR_EQ(conv("DECIMAL(10,2)", "-0.004"), "0.00");
    CHECK_STR_EQ(conv("DECIMAL(10,2)", "99999999.995"), "ERR:EINVAL");
    CHECK_STR_EQ(conv("DECIMAL(10,2)", "99999999.99"), "99999999.99");
    CHECK_STR_EQ(conv("DECIMAL(5,0)", "007"), "7");
    CHECK_STR_EQ(conv("DECIMAL(5,0)", ".4"), "0");
    CHECK_STR_EQ(conv("DECIMAL(38,10)", "1x"), "ERR:EINVAL");
    CHECK_STR_EQ(conv("DOUBLE", "0.1"), "0.1");
    CHECK_STR_EQ(conv("DOUBLE", "1e3"), "1000");
    CHECK_STR_EQ(conv("FLOAT", "1e39"), "ERR:EINVAL");
    CHECK_STR_EQ(conv("DOUBLE", "nan"), "ERR:EINVAL");
}

TEST(dates)
{
    CHECK_STR_EQ(conv("DATE", "2024-02-29"), "2024-02-29");
    CHECK_STR_EQ(conv("DATE", "2023-02-29"), "ERR:EINVAL");
    CHECK_STR_EQ(conv("DATETIME", "2024-01-02 03:04:05"), "2024-01-02 03:04:05");
    CHECK_STR_EQ(conv("DATETIME", "2024-01-02T03:04:05.5"), "2024-01-02 03:04:05.500000");
    CHECK_STR_EQ(conv("DATETIME", "2024-01-02 03:04:05.000000"), "2024-01-02 03:04:05");
    CHECK_STR_EQ(conv("DATETIME", "2024-01-02"), "2024-01-02 00:00:00");
    CHECK_STR_EQ(conv("DATETIME", "2024-01-02 24:00:00"), "ERR:EINVAL");
}

TEST(strings_bounded_in_bytes)
{
    CHECK_STR_EQ(conv("VARCHAR(3)", "abc"), "abc");
    CHECK_STR_EQ(conv("VARCHAR(3)", "abcd"), "ERR:EUNSUPPORTED");
    /* "é" is two bytes: two of them do not fit three bytes */
    CHECK_STR_EQ(conv("VARCHAR(3)", "\xc3\xa9\xc3\xa9"), "ERR:EUNSUPPORTED");
    CHECK_STR_EQ(conv("VARCHAR(10)", "\xff\xfe"), "ERR:EUNSUPPORTED");
    CHECK_STR_EQ(conv("VARBINARY(4)", "\xff\xfe"), "\xff\xfe");
    sr_type t = T("VARCHAR(3)");
    sr_value v;
    rt_err err;
    CHECK_INT_EQ(sr_value_convert(&t, "name", "abcd", 4, &v, &err), RT_EUNSUPPORTED);
    CHECK_STR_EQ(err.msg, "String 'abcd'(length=4) is too long. The max length of 'name' is 3");
    t = T("INT");
    CHECK_INT_EQ(sr_value_convert(&t, "id", "x", 1, &v, &err), RT_EINVAL);
    CHECK_STR_EQ(err.msg, "Value 'x' is out of range. The type of 'id' is INT(11)");
    CHECK_STR_EQ(conv("JSON", "{\"a\": [1, 2]}"), "{\"a\":[1,2]}");
    CHECK_STR_EQ(conv("JSON", "{bad"), "ERR:EINVAL");
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
