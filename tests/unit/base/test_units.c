/* Tests of the duration ("1m30s") and size ("64MiB") syntaxes in runtime/base/units. */
#include "runtime/base/units.h"

#include "tests/harness/test.h"

static int64_t dur(const char *s)
{
    int64_t ms = -12345;
    rt_err err;
    rt_err_clear(&err);
    if (rt_duration_parse(s, &ms, &err) != 0)
        test_fail(__FILE__, __LINE__, "duration \"%s\": %s", s, err.msg);
    return ms;
}

/* Parses s expecting failure; returns the message. Static; one at a time. */
static const char *dur_err(const char *s)
{
    static rt_err err;
    int64_t ms = -12345;
    rt_err_clear(&err);
    int rc = rt_duration_parse(s, &ms, &err);
    if (rc != RT_EINVAL)
        test_fail(__FILE__, __LINE__, "duration \"%s\" -> %d, want RT_EINVAL", s, rc);
    if (ms != -12345)
        test_fail(__FILE__, __LINE__, "duration \"%s\" wrote its out-parameter", s);
    return err.msg;
}

static const char *dur_text(int64_t ms)
{
    static char buf[64];
    rt_duration_format(ms, buf, sizeof buf);
    return buf;
}

static uint64_t size_of(const char *s)
{
    uint64_t v = 12345;
    rt_err err;
    rt_err_clear(&err);
    if (rt_size_parse(s, &v, &err) != 0)
        test_fail(__FILE__, __LINE__, "size \"%s\": %s", s, err.msg);
    return v;
}

static const char *size_err(const char *s)
{
    static rt_err err;
    uint64_t v = 12345;
    rt_err_clear(&err);
    int rc = rt_size_parse(s, &v, &err);
    if (rc != RT_EINVAL)
        test_fail(__FILE__, __LINE__, "size \"%s\" -> %d, want RT_EINVAL", s, rc);
    if (v != 12345)
        test_fail(__FILE__, __LINE__, "size \"%s\" wrote its out-parameter", s);
    return err.msg;
}

static const char *size_text(uint64_t v)
{
    static char buf[64];
    rt_size_format(v, buf, sizeof buf);
    return buf;
}

TEST(duration_parse_units)
{
    CHECK_INT_EQ(dur("250ms"), 250);
    CHECK_INT_EQ(dur("5s"), 5000);
    CHECK_INT_EQ(dur("2m"), 120000);
    CHECK_INT_EQ(dur("1h"), 3600000);
    CHECK_INT_EQ(dur("1d"), 86400000);
    CHECK_INT_EQ(dur("0ms"), 0);
    CHECK_INT_EQ(dur("0"), 0);
    CHECK_INT_EQ(dur("1500"), 1500); /* bare number: milliseconds */
}

TEST(duration_parse_sums_and_fractions)
{
    CHECK_INT_EQ(dur("1m30s"), 90000);
    CHECK_INT_EQ(dur("1d2h3m4s5ms"), 86400000 + 7200000 + 180000 + 4000 + 5);
    CHECK_INT_EQ(dur("1h30m"), 5400000);
    CHECK_INT_EQ(dur("1.5s"), 1500);
    CHECK_INT_EQ(dur("0.25s"), 250);
    CHECK_INT_EQ(dur("2.50m"), 150000);
}

TEST(duration_parse_rejects_bad_syntax)
{
    CHECK_STR_CONTAINS(dur_err(""), "empty duration");
    CHECK_STR_CONTAINS(dur_err("-5s"), "duration \"-5s\" is negative");
    CHECK_STR_CONTAINS(dur_err("5 parsecs"), "unknown unit \" parsecs\"");
    CHECK_STR_CONTAINS(dur_err("5sec"), "unknown unit \"sec\"");
    CHECK_STR_CONTAINS(dur_err("5S"), "unknown unit \"S\"");
    CHECK_STR_CONTAINS(dur_err("s"), "expected a number");
    CHECK_STR_CONTAINS(dur_err("1m30"), "duration \"1m30\"");
    CHECK_STR_CONTAINS(dur_err("30s1m"), "largest to smallest");
    CHECK_STR_CONTAINS(dur_err("1s1s"), "largest to smallest");
    CHECK_STR_CONTAINS(dur_err("1.0005s"), "not a whole number of milliseconds");
    CHECK_STR_CONTAINS(dur_err("1.5"), "not a whole number of milliseconds");
    CHECK_STR_CONTAINS(dur_err(" 5s"), "expected a number");
    CHECK_STR_CONTAINS(dur_err(".5s"), "expected a number");
}

TEST(duration_parse_rejects_overflow)
{
    CHECK_STR_CONTAINS(dur_err("99999999999999999999s"), "too large");
    CHECK_STR_CONTAINS(dur_err("99999999999999999999"), "too large");
    CHECK_STR_CONTAINS(dur_err("9223372036854775808"), "too large"); /* INT64_MAX + 1 ms */
    CHECK_STR_CONTAINS(dur_err("106751991167301d"), "too large");
    CHECK_STR_CONTAINS(dur_err("9223372036854775s1000ms"), "too large");
    CHECK_INT_EQ(dur("9223372036854775807"), INT64_MAX);
    CHECK_INT_EQ(dur("106751991167d7h12m55s807ms"), INT64_MAX);
}

TEST(duration_format_is_shortest_exact)
{
    CHECK_STR_EQ(dur_text(5000), "5s");
    CHECK_STR_EQ(dur_text(90000), "1m30s");
    CHECK_STR_EQ(dur_text(250), "250ms");
    CHECK_STR_EQ(dur_text(0), "0ms");
    CHECK_STR_EQ(dur_text(1500), "1s500ms");
    CHECK_STR_EQ(dur_text(86400000), "1d");
    CHECK_STR_EQ(dur_text(3600000 + 1), "1h1ms");
    CHECK_STR_EQ(dur_text(INT64_MAX), "106751991167d7h12m55s807ms");
    CHECK_STR_EQ(dur_text(-5000), "-5s");
    char small[4];
    rt_duration_format(90000, small, sizeof small);
    CHECK_STR_EQ(small, "1m3"); /* truncated, still terminated */
}

TEST(duration_round_trip)
{
    int64_t samples[] = {0,        1,        999,      1000,          1001,
                         59999,    60000,    61001,    3599999,       3600000,
                         86399999, 86400000, 90061001, 1234567890123, INT64_MAX};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        char text[64];
        rt_duration_format(samples[i], text, sizeof text);
        CHECK_INT_EQ(dur(text), samples[i]);
    }
    for (int64_t v = 1; v < INT64_MAX / 7; v = v * 7 + 3) {
        char text[64];
        rt_duration_format(v, text, sizeof text);
        CHECK_INT_EQ(dur(text), v);
    }
}

TEST(size_parse_units)
{
    CHECK_UINT_EQ(size_of("0"), 0);
    CHECK_UINT_EQ(size_of("512"), 512);
    CHECK_UINT_EQ(size_of("512B"), 512);
    CHECK_UINT_EQ(size_of("4KiB"), 4096);
    CHECK_UINT_EQ(size_of("64MiB"), 64ull << 20);
    CHECK_UINT_EQ(size_of("1GiB"), 1ull << 30);
    CHECK_UINT_EQ(size_of("2TiB"), 2ull << 40);
    CHECK_UINT_EQ(size_of("4KB"), 4000);
    CHECK_UINT_EQ(size_of("64MB"), 64000000);
    CHECK_UINT_EQ(size_of("1GB"), 1000000000);
    CHECK_UINT_EQ(size_of("2TB"), 2000000000000ull);
    CHECK_UINT_EQ(size_of("15EiB"), 15ull << 60);
    CHECK_UINT_EQ(size_of("18446744073709551615"), UINT64_MAX);
}

TEST(size_parse_case_space_and_fractions)
{
    CHECK_UINT_EQ(size_of("64mib"), 64ull << 20);
    CHECK_UINT_EQ(size_of("4kb"), 4000);
    CHECK_UINT_EQ(size_of("64 MiB"), 64ull << 20);
    CHECK_UINT_EQ(size_of("1.5GiB"), 3ull << 29);
    CHECK_UINT_EQ(size_of("0.5KiB"), 512);
    CHECK_UINT_EQ(size_of("1.25KB"), 1250);
    CHECK_UINT_EQ(size_of("2.000B"), 2);
}

TEST(size_parse_rejects_bad_syntax)
{
    CHECK_STR_CONTAINS(size_err(""), "empty size");
    CHECK_STR_CONTAINS(size_err("-1"), "size \"-1\" is negative");
    CHECK_STR_CONTAINS(size_err("-4KiB"), "negative");
    CHECK_STR_CONTAINS(size_err("4 parsecs"), "unknown unit \"parsecs\"");
    CHECK_STR_CONTAINS(size_err("4K"), "unknown unit \"K\"");
    CHECK_STR_CONTAINS(size_err("4KiBs"), "unknown unit");
    CHECK_STR_CONTAINS(size_err("MiB"), "expected a number");
    CHECK_STR_CONTAINS(size_err("1.5B"), "not a whole number of bytes");
    CHECK_STR_CONTAINS(size_err("0.0001KiB"), "not a whole number of bytes");
    CHECK_STR_CONTAINS(size_err("512 "), "trailing space");
}

TEST(size_parse_rejects_overflow)
{
    CHECK_STR_CONTAINS(size_err("20EiB"), "size \"20EiB\" is too large");
    CHECK_STR_CONTAINS(size_err("16EiB"), "too large");
    CHECK_STR_CONTAINS(size_err("18446744073709551616"), "too large");
    CHECK_STR_CONTAINS(size_err("99999999999999999999999GiB"), "too large");
    CHECK_STR_CONTAINS(size_err("18446744073709551615.5KiB"), "too large");
    CHECK_STR_CONTAINS(size_err("19EB"), "too large");
}

TEST(size_format_is_shortest_exact_iec)
{
    CHECK_STR_EQ(size_text(67108864), "64MiB");
    CHECK_STR_EQ(size_text(1000), "1000B");
    CHECK_STR_EQ(size_text(0), "0B");
    CHECK_STR_EQ(size_text(1), "1B");
    CHECK_STR_EQ(size_text(1024), "1KiB");
    CHECK_STR_EQ(size_text(1536), "1536B");
    CHECK_STR_EQ(size_text(3ull << 29), "1536MiB");
    CHECK_STR_EQ(size_text(1ull << 60), "1EiB");
    CHECK_STR_EQ(size_text(UINT64_MAX), "18446744073709551615B");
}

TEST(size_round_trip)
{
    uint64_t samples[] = {0,          1,          1000,
                          1023,       1024,       1025,
                          4096,       1ull << 20, (1ull << 20) + 1,
                          1ull << 40, 5ull << 50, 15ull << 60,
                          UINT64_MAX};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        char text[64];
        rt_size_format(samples[i], text, sizeof text);
        CHECK_UINT_EQ(size_of(text), samples[i]);
    }
    for (uint64_t v = 1; v < UINT64_MAX / 5; v = v * 5 + 1) {
        char text[64];
        rt_size_format(v << 10, text, sizeof text);
        CHECK_UINT_EQ(size_of(text), v << 10);
    }
}

TEST_MAIN()
