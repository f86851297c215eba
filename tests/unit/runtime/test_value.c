/* Tests of runtime/value.c: the exact changelog JSON of every type, equality and the hash. */
#include "runtime/value.h"

#include <math.h>

#include "tests/harness/test.h"

/* Formats v into a static buffer (one at a time). */
static const char *fmt(rt_value v)
{
    static char out[512];
    rt_buf b;
    rt_buf_init(&b);
    rt_value_format_json(&v, &b);
    snprintf(out, sizeof out, "%s", b.data ? b.data : "");
    rt_buf_fini(&b);
    return out;
}

static rt_value vint(int64_t i)
{
    return (rt_value){.type = RT_TYPE_INT, .i = i};
}

static rt_value vuint(uint64_t u)
{
    return (rt_value){.type = RT_TYPE_UINT, .u = u};
}

static rt_value vdouble(double d)
{
    return (rt_value){.type = RT_TYPE_DOUBLE, .d = d};
}

static rt_value vstr(rt_type t, const char *p, size_t len)
{
    rt_value v = {.type = (uint8_t)t};
    v.s.ptr = p;
    v.s.len = (uint32_t)len;
    return v;
}

static rt_value vtemporal(rt_type type, int y, int mo, int d, int h, int mi, int s, int us, int neg)
{
    rt_value v = {.type = (uint8_t)type};
    v.t.year = (int16_t)y;
    v.t.month = (uint8_t)mo;
    v.t.day = (uint8_t)d;
    v.t.hour = (uint16_t)h;
    v.t.minute = (uint8_t)mi;
    v.t.second = (uint8_t)s;
    v.t.usec = (uint32_t)us;
    v.t.neg = (uint8_t)neg;
    return v;
}

TEST(type_names)
{
    CHECK_STR_EQ(rt_type_name(RT_TYPE_NULL), "null");
    CHECK_STR_EQ(rt_type_name(RT_TYPE_UINT), "uint");
    CHECK_STR_EQ(rt_type_name(RT_TYPE_DATETIME), "datetime");
    CHECK_STR_EQ(rt_type_name(RT_TYPE_JSON), "json");
}

TEST(format_null_and_integers)
{
    CHECK_STR_EQ(fmt((rt_value){.type = RT_TYPE_NULL}), "null");
    CHECK_STR_EQ(fmt(vint(0)), "0");
    CHECK_STR_EQ(fmt(vint(-42)), "-42");
    /* The 2^53 boundary: exact in a double up to and including 2^53. */
    CHECK_STR_EQ(fmt(vint(INT64_C(9007199254740992))), "9007199254740992");
    CHECK_STR_EQ(fmt(vint(INT64_C(9007199254740993))), "\"9007199254740993\"");
    CHECK_STR_EQ(fmt(vint(INT64_C(-9007199254740992))), "-9007199254740992");
    CHECK_STR_EQ(fmt(vint(INT64_C(-9007199254740993))), "\"-9007199254740993\"");
    CHECK_STR_EQ(fmt(vint(INT64_MIN)), "\"-9223372036854775808\"");
    CHECK_STR_EQ(fmt(vint(INT64_MAX)), "\"9223372036854775807\"");
    CHECK_STR_EQ(fmt(vuint(UINT64_C(9007199254740992))), "9007199254740992");
    CHECK_STR_EQ(fmt(vuint(UINT64_C(9007199254740993))), "\"9007199254740993\"");
    CHECK_STR_EQ(fmt(vuint(UINT64_MAX)), "\"18446744073709551615\"");
}

TEST(format_double)
{
    CHECK_STR_EQ(fmt(vdouble(1.0)), "1");
    CHECK_STR_EQ(fmt(vdouble(-2.5)), "-2.5");
    CHECK_STR_EQ(fmt(vdouble(0.1)), "0.10000000000000001");
    CHECK_STR_EQ(fmt(vdouble(1e20)), "1e+20");
    CHECK_STR_EQ(fmt(vdouble(NAN)), "\"NaN\"");
    CHECK_STR_EQ(fmt(vdouble(INFINITY)), "\"Infinity\"");
    CHECK_STR_EQ(fmt(vdouble(-INFINITY)), "\"-Infinity\"");
}

TEST(format_text_types)
{
    CHECK_STR_EQ(fmt(vstr(RT_TYPE_DECIMAL, "-123.4500", 9)), "\"-123.4500\"");
    CHECK_STR_EQ(fmt(vstr(RT_TYPE_STRING, "a\"b\\c\n", 6)), "\"a\\\"b\\\\c\\n\"");
    CHECK_STR_EQ(fmt(vstr(RT_TYPE_STRING, "", 0)), "\"\"");
    CHECK_STR_EQ(fmt(vstr(RT_TYPE_STRING, NULL, 0)), "\"\"");
    /* Bytes that are not UTF-8 still give valid JSON (escaped per byte by rt_buf). */
    const char *bad = fmt(vstr(RT_TYPE_STRING, "x\xff", 2));
    CHECK(bad[0] == '"' && bad[strlen(bad) - 1] == '"');
    CHECK(strchr(bad, '\xff') == NULL);
    /* Length, not NUL, ends a string. */
    CHECK_STR_EQ(fmt(vstr(RT_TYPE_STRING, "ab\0c", 2)), "\"ab\"");
    CHECK_STR_EQ(fmt(vstr(RT_TYPE_JSON, "{\"a\":1}", 7)), "\"{\\\"a\\\":1}\"");
    CHECK_STR_EQ(fmt(vstr(RT_TYPE_BYTES, "\x00\x01\xfe\xff", 4)), "\"AAH+/w==\"");
    CHECK_STR_EQ(fmt(vstr(RT_TYPE_BYTES, "Man", 3)), "\"TWFu\"");
    CHECK_STR_EQ(fmt(vstr(RT_TYPE_BYTES, "", 0)), "\"\"");
}

TEST(format_temporal)
{
    CHECK_STR_EQ(fmt(vtemporal(RT_TYPE_DATE, 2024, 2, 29, 0, 0, 0, 0, 0)), "\"2024-02-29\"");
    CHECK_STR_EQ(fmt(vtemporal(RT_TYPE_DATE, 0, 0, 0, 0, 0, 0, 0, 0)), "\"0000-00-00\"");
    CHECK_STR_EQ(fmt(vtemporal(RT_TYPE_DATE, 33, 1, 5, 0, 0, 0, 0, 0)), "\"0033-01-05\"");
    CHECK_STR_EQ(fmt(vtemporal(RT_TYPE_DATETIME, 2024, 12, 31, 23, 59, 58, 7, 0)),
                 "\"2024-12-31 23:59:58.000007\"");
    CHECK_STR_EQ(fmt(vtemporal(RT_TYPE_DATETIME, 0, 0, 0, 0, 0, 0, 0, 0)),
                 "\"0000-00-00 00:00:00.000000\"");
    CHECK_STR_EQ(fmt(vtemporal(RT_TYPE_TIME, 0, 0, 0, 1, 2, 3, 456789, 0)), "\"01:02:03.456789\"");
    CHECK_STR_EQ(fmt(vtemporal(RT_TYPE_TIME, 0, 0, 0, 838, 59, 59, 0, 1)), "\"-838:59:59.000000\"");
    CHECK_STR_EQ(fmt(vtemporal(RT_TYPE_TIME, 0, 0, 0, 0, 0, 0, 1, 1)), "\"-00:00:00.000001\"");
    CHECK_STR_EQ(fmt(vtemporal(RT_TYPE_TIME, 0, 0, 0, 100, 0, 0, 0, 0)), "\"100:00:00.000000\"");
    /* Out-of-range fields (a bug upstream) still print as valid JSON text. */
    const char *odd = fmt(vtemporal(RT_TYPE_DATE, -5, 1, 1, 0, 0, 0, 0, 0));
    CHECK(odd[0] == '"' && odd[strlen(odd) - 1] == '"');
}

TEST(format_appends)
{
    rt_buf b;
    rt_buf_init(&b);
    rt_buf_append_str(&b, "[");
    rt_value a = vint(1), c = vstr(RT_TYPE_STRING, "x", 1);
    rt_value_format_json(&a, &b);
    rt_buf_append_char(&b, ',');
    rt_value_format_json(&c, &b);
    rt_buf_append_str(&b, "]");
    CHECK_STR_EQ(b.data, "[1,\"x\"]");
    rt_buf_fini(&b);
}

TEST(equal_and_hash)
{
    rt_value a = vint(5), b = vint(5), c = vint(6), u = vuint(5);
    CHECK(rt_value_equal(&a, &b));
    CHECK(!rt_value_equal(&a, &c));
    CHECK(!rt_value_equal(&a, &u));
    CHECK(rt_value_hash(&a, 1) == rt_value_hash(&b, 1));
    CHECK(rt_value_hash(&a, 1) != rt_value_hash(&c, 1));
    CHECK(rt_value_hash(&a, 1) != rt_value_hash(&a, 2));

    char s1[] = "hello world, this is long", s2[] = "hello world, this is long";
    rt_value x = vstr(RT_TYPE_STRING, s1, strlen(s1)), y = vstr(RT_TYPE_STRING, s2, strlen(s2));
    rt_value z = vstr(RT_TYPE_STRING, s1, strlen(s1) - 1);
    CHECK(rt_value_equal(&x, &y));
    CHECK(!rt_value_equal(&x, &z));
    CHECK(rt_value_hash(&x, 0) == rt_value_hash(&y, 0));
    CHECK(rt_value_hash(&x, 0) != rt_value_hash(&z, 0));
    rt_value bytes = vstr(RT_TYPE_BYTES, s1, strlen(s1));
    CHECK(!rt_value_equal(&x, &bytes));

    rt_value pz = vdouble(0.0), nz = vdouble(-0.0), n1 = vdouble(NAN), n2 = vdouble(-NAN);
    CHECK(rt_value_equal(&pz, &nz));
    CHECK(rt_value_hash(&pz, 7) == rt_value_hash(&nz, 7));
    CHECK(rt_value_equal(&n1, &n2));
    CHECK(rt_value_hash(&n1, 7) == rt_value_hash(&n2, 7));

    /* Only the fields of the type count. */
    rt_value d1 = vtemporal(RT_TYPE_DATE, 2024, 1, 2, 0, 0, 0, 0, 0);
    rt_value d2 = vtemporal(RT_TYPE_DATE, 2024, 1, 2, 5, 6, 7, 8, 0);
    CHECK(rt_value_equal(&d1, &d2));
    CHECK(rt_value_hash(&d1, 0) == rt_value_hash(&d2, 0));
    rt_value t1 = vtemporal(RT_TYPE_TIME, 0, 0, 0, 1, 0, 0, 0, 0);
    rt_value t2 = vtemporal(RT_TYPE_TIME, 0, 0, 0, 1, 0, 0, 0, 1);
    CHECK(!rt_value_equal(&t1, &t2));
    CHECK(rt_value_hash(&t1, 0) != rt_value_hash(&t2, 0));
    rt_value n = {.type = RT_TYPE_NULL}, m = {.type = RT_TYPE_NULL};
    CHECK(rt_value_equal(&n, &m));
}

TEST(hash_is_stable)
{
    /* Pinned values: hash distribution must route a key to the same subtask in every build, on
     * every platform, after every restart. A change here is a change of the on-wire routing. */
    rt_value a = vint(1);
    rt_value s = vstr(RT_TYPE_STRING, "sluice", 6);
    CHECK(rt_value_hash(&a, 0) == UINT64_C(0x396aea0e50bb74ec));
    CHECK(rt_value_hash(&s, 0) == UINT64_C(0x57edf93432c0aea1));
}

TEST(hash_spreads)
{
    /* Sequential keys spread evenly over 4 buckets. */
    int buckets[4] = {0};
    for (int64_t i = 0; i < 40000; i++) {
        rt_value v = vint(i);
        buckets[rt_value_hash(&v, 42) % 4]++;
    }
    for (int i = 0; i < 4; i++)
        CHECK(buckets[i] > 9000 && buckets[i] < 11000);
}

TEST_MAIN()
