/* server_time_zone zones (operators/mysql/time_zone.h): TZif bytes built here (version 1 and 2,
 * 64-bit times, footer rules north and south of the equator), the system's tz database files at
 * known instants (DST changes of America/New_York, China's DST of 1986-1991), fixed offsets, and
 * refusal of unknown zones, paths out of the database and corrupt or truncated files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "operators/mysql/time_zone.h"
#include "runtime/base/buf.h"
#include "tests/harness/test.h"

#define H 3600

static void put32(rt_buf *b, uint32_t v)
{
    for (int i = 3; i >= 0; i--)
        rt_buf_append_char(b, (char)(v >> (8 * i)));
}

static void put64(rt_buf *b, int64_t v)
{
    put32(b, (uint32_t)((uint64_t)v >> 32));
    put32(b, (uint32_t)v);
}

static void header(rt_buf *b, char version, uint32_t timecnt, uint32_t typecnt)
{
    rt_buf_append(b, "TZif", 4);
    rt_buf_append_char(b, version);
    for (int i = 0; i < 15; i++)
        rt_buf_append_char(b, 0);
    put32(b, 0); /* isutcnt */
    put32(b, 0); /* isstdcnt */
    put32(b, 0); /* leapcnt */
    put32(b, timecnt);
    put32(b, typecnt);
    put32(b, 4); /* charcnt: "ABC\0" */
}

static void types_and_chars(rt_buf *b, const int32_t *offs, size_t ntypes)
{
    for (size_t i = 0; i < ntypes; i++) {
        put32(b, (uint32_t)offs[i]);
        rt_buf_append_char(b, 0); /* isdst */
        rt_buf_append_char(b, 0); /* desigidx */
    }
    rt_buf_append(b, "ABC", 4);
}

/* A TZif file: version 0 (v1, 32-bit times) or '2' (a minimal v1 block, then the 64-bit one and
 * the footer). */
static void build(rt_buf *b, char version, const int64_t *t, const uint8_t *idx, size_t n,
                  const int32_t *offs, size_t ntypes, const char *footer)
{
    rt_buf_reset(b);
    if (version == 0) {
        header(b, 0, (uint32_t)n, (uint32_t)ntypes);
        for (size_t i = 0; i < n; i++)
            put32(b, (uint32_t)(int32_t)t[i]);
    } else {
        int32_t zero = 0;
        header(b, version, 0, 1);
        types_and_chars(b, &zero, 1);
        header(b, version, (uint32_t)n, (uint32_t)ntypes);
        for (size_t i = 0; i < n; i++)
            put64(b, t[i]);
    }
    rt_buf_append(b, idx, n);
    types_and_chars(b, offs, ntypes);
    if (version) {
        rt_buf_append_char(b, '\n');
        rt_buf_append_str(b, footer);
        rt_buf_append_char(b, '\n');
    }
}

static op_mysql_time_zone *parse(const rt_buf *b)
{
    op_mysql_time_zone *z = NULL;
    rt_err err;
    CHECK_OK(op_mysql_time_zone_parse_tzif("test", (const uint8_t *)b->data, b->len, &z, &err),
             &err);
    return z;
}

static op_mysql_time_zone *open_zone(const char *spec)
{
    op_mysql_time_zone *z = NULL;
    rt_err err;
    CHECK_OK(op_mysql_time_zone_open(spec, NULL, &z, &err), &err);
    return z;
}

/* Seconds since the epoch of a UTC civil time (days_from_civil, independently of the module). */
static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
    y -= mo <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = (int64_t)era * 146097 + doe - 719468;
    return days * 86400 + h * 3600 + mi * 60 + s;
}

TEST(version1_transitions)
{
    int64_t t[] = {1000, 2000};
    uint8_t idx[] = {1, 0};
    int32_t offs[] = {1800, 3600};
    rt_buf b;
    rt_buf_init(&b);
    build(&b, 0, t, idx, 2, offs, 2, NULL);
    op_mysql_time_zone *z = parse(&b);
    if (z) {
        CHECK_INT_EQ(op_mysql_time_zone_offset(z, -99999), 1800); /* before: time type 0 */
        CHECK_INT_EQ(op_mysql_time_zone_offset(z, 999), 1800);
        CHECK_INT_EQ(op_mysql_time_zone_offset(z, 1000), 3600);
        CHECK_INT_EQ(op_mysql_time_zone_offset(z, 1999), 3600);
        CHECK_INT_EQ(op_mysql_time_zone_offset(z, 2000), 1800);
        CHECK_INT_EQ(op_mysql_time_zone_offset(z, INT64_C(5000000000)), 1800);
        CHECK_STR_EQ(op_mysql_time_zone_name(z), "test");
        op_mysql_time_zone *d = op_mysql_time_zone_dup(z);
        CHECK(d != NULL && op_mysql_time_zone_offset(d, 1500) == 3600);
        op_mysql_time_zone_free(d);
    }
    op_mysql_time_zone_free(z);
    rt_buf_fini(&b);
    CHECK_INT_EQ(op_mysql_time_zone_offset(NULL, 1000), 0);
}

TEST(version2_uses_64_bit_times_and_the_footer)
{
    /* A transition before 1901 only the 64-bit block can hold; an empty footer: the last type
     * stays in force. */
    int64_t t[] = {INT64_C(-5000000000), 0};
    uint8_t idx[] = {1, 2};
    int32_t offs[] = {-17762, -18000, 7 * H};
    rt_buf b;
    rt_buf_init(&b);
    build(&b, '2', t, idx, 2, offs, 3, "");
    op_mysql_time_zone *z = parse(&b);
    if (z) {
        CHECK_INT_EQ(op_mysql_time_zone_offset(z, INT64_C(-5000000001)), -17762);
        CHECK_INT_EQ(op_mysql_time_zone_offset(z, INT64_C(-5000000000)), -18000);
        CHECK_INT_EQ(op_mysql_time_zone_offset(z, -1), -18000);
        CHECK_INT_EQ(op_mysql_time_zone_offset(z, INT64_C(4000000000)), 7 * H);
    }
    op_mysql_time_zone_free(z);

    /* Past the last transition the footer's rule decides: New York's since 2007. */
    int64_t t2[] = {utc(2000, 1, 1, 0, 0, 0)};
    uint8_t idx2[] = {0};
    int32_t offs2[] = {-5 * H};
    build(&b, '3', t2, idx2, 1, offs2, 1, "EST5EDT,M3.2.0,M11.1.0");
    z = parse(&b);
    if (z) {
        CHECK_INT_EQ(op_mysql_time_zone_offset(z, utc(2024, 3, 10, 6, 59, 59)), -5 * H);
        CHECK_INT_EQ(op_mysql_time_zone_offset(z, utc(2024, 3, 10, 7, 0, 0)), -4 * H);
        CHECK_INT_EQ(op_mysql_time_zone_offset(z, utc(2024, 11, 3, 5, 59, 59)), -4 * H);
        CHECK_INT_EQ(op_mysql_time_zone_offset(z, utc(2024, 11, 3, 6, 0, 0)), -5 * H);
        /* 2026: second Sunday of March is the 8th, first Sunday of November the 1st */
        CHECK_INT_EQ(op_mysql_time_zone_offset(z, utc(2026, 3, 8, 7, 0, 0)), -4 * H);
        CHECK_INT_EQ(op_mysql_time_zone_offset(z, utc(2026, 3, 8, 6, 59, 59)), -5 * H);
        CHECK_INT_EQ(op_mysql_time_zone_offset(z, utc(2026, 11, 1, 6, 0, 0)), -5 * H);
    }
    op_mysql_time_zone_free(z);

    /* The southern hemisphere: DST spans the new year (Sydney: ends first Sunday of April 03:00
     * daylight time, starts first Sunday of October 02:00 standard time). */
    build(&b, '2', NULL, NULL, 0, offs2, 1, "AEST-10AEDT,M10.1.0,M4.1.0/3");
    z = parse(&b);
    if (z) {
        CHECK_INT_EQ(op_mysql_time_zone_offset(z, utc(2024, 1, 15, 0, 0, 0)), 11 * H);
        CHECK_INT_EQ(op_mysql_time_zone_offset(z, utc(2024, 4, 6, 15, 59, 59)), 11 * H);
        CHECK_INT_EQ(op_mysql_time_zone_offset(z, utc(2024, 4, 6, 16, 0, 0)), 10 * H);
        CHECK_INT_EQ(op_mysql_time_zone_offset(z, utc(2024, 10, 5, 15, 59, 59)), 10 * H);
        CHECK_INT_EQ(op_mysql_time_zone_offset(z, utc(2024, 10, 5, 16, 0, 0)), 11 * H);
        CHECK_INT_EQ(op_mysql_time_zone_offset(z, utc(2024, 12, 31, 23, 0, 0)), 11 * H);
    }
    op_mysql_time_zone_free(z);

    /* Quoted abbreviations and an offset with minutes: "<+0530>-5:30" */
    build(&b, '2', NULL, NULL, 0, offs2, 1, "<+0530>-5:30");
    z = parse(&b);
    CHECK(z && op_mysql_time_zone_offset(z, utc(2024, 6, 1, 0, 0, 0)) == 5 * H + 1800);
    op_mysql_time_zone_free(z);
    rt_buf_fini(&b);
}

/* The footer rule alone gives what the full transition list of the system's file gives. */
TEST(footer_rule_agrees_with_the_database)
{
    op_mysql_time_zone *ny = open_zone("America/New_York");
    int32_t offs[] = {-5 * H};
    rt_buf b;
    rt_buf_init(&b);
    build(&b, '2', NULL, NULL, 0, offs, 1, "EST5EDT,M3.2.0,M11.1.0");
    op_mysql_time_zone *rule = parse(&b);
    size_t diff = 0, n = 0;
    for (int64_t t = utc(2008, 1, 1, 0, 0, 0); ny && rule && t < utc(2037, 12, 31, 0, 0, 0);
         t += 7 * H + 13, n++)
        diff += op_mysql_time_zone_offset(ny, t) != op_mysql_time_zone_offset(rule, t);
    CHECK_UINT_EQ(diff, 0);
    CHECK(n > 30000);
    op_mysql_time_zone_free(rule);
    op_mysql_time_zone_free(ny);
    rt_buf_fini(&b);
}

TEST(system_zones_at_known_instants)
{
    op_mysql_time_zone *ny = open_zone("America/New_York");
    if (ny) {
        CHECK_INT_EQ(op_mysql_time_zone_offset(ny, utc(2024, 3, 10, 6, 59, 59)), -5 * H);
        CHECK_INT_EQ(op_mysql_time_zone_offset(ny, utc(2024, 3, 10, 7, 0, 0)), -4 * H);
        CHECK_INT_EQ(op_mysql_time_zone_offset(ny, utc(2024, 11, 3, 5, 59, 59)), -4 * H);
        CHECK_INT_EQ(op_mysql_time_zone_offset(ny, utc(2024, 11, 3, 6, 0, 0)), -5 * H);
        /* before 2007 DST started on the first Sunday of April */
        CHECK_INT_EQ(op_mysql_time_zone_offset(ny, utc(2006, 3, 20, 12, 0, 0)), -5 * H);
        CHECK_INT_EQ(op_mysql_time_zone_offset(ny, utc(2006, 4, 2, 7, 0, 0)), -4 * H);
        CHECK_STR_EQ(op_mysql_time_zone_name(ny), "America/New_York");
    }
    op_mysql_time_zone_free(ny);
    op_mysql_time_zone *sh = open_zone("Asia/Shanghai");
    if (sh) {
        CHECK_INT_EQ(op_mysql_time_zone_offset(sh, utc(2024, 7, 1, 0, 0, 0)), 8 * H);
        CHECK_INT_EQ(op_mysql_time_zone_offset(sh, utc(2024, 1, 1, 0, 0, 0)), 8 * H);
        CHECK_INT_EQ(op_mysql_time_zone_offset(sh, utc(1988, 7, 1, 0, 0, 0)), 9 * H);
        CHECK_INT_EQ(op_mysql_time_zone_offset(sh, utc(1988, 1, 1, 0, 0, 0)), 8 * H);
    }
    op_mysql_time_zone_free(sh);
}

TEST(fixed_offsets_and_utc)
{
    const struct {
        const char *spec;
        int32_t off;
    } ok[] = {
        {"UTC", 0},         {"utc", 0},    {"+08:00", 8 * H},          {"-03:30", -3 * H - 1800},
        {"+14:00", 14 * H}, {"-00:00", 0}, {"+05:45", 5 * H + 45 * 60}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        op_mysql_time_zone *z = open_zone(ok[i].spec);
        if (!z)
            continue;
        CHECK_INT_EQ(op_mysql_time_zone_offset(z, 0), ok[i].off);
        CHECK_INT_EQ(op_mysql_time_zone_offset(z, utc(2024, 7, 1, 0, 0, 0)), ok[i].off);
        op_mysql_time_zone_free(z);
    }
    const struct {
        const char *spec, *msg;
    } bad[] = {
        {"+14:01", "server_time_zone '+14:01': an offset is +hh:mm"},
        {"+8:00", "server_time_zone '+8:00': an offset"},
        {"+08:60", "an offset"},
        {"Mars/Olympus_Mons", "server_time_zone 'Mars/Olympus_Mons': unknown zone"},
        {"../../../etc/passwd", "server_time_zone '../../../etc/passwd': not UTC, an offset"},
        {"/etc/localtime", "not UTC, an offset"},
        {"America/../America/New_York", "not UTC"},
        {"America", "server_time_zone 'America'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        op_mysql_time_zone *z = NULL;
        rt_err err;
        rt_err_clear(&err);
        CHECK_INT_EQ(op_mysql_time_zone_open(bad[i].spec, NULL, &z, &err), RT_EINVAL);
        CHECK(z == NULL);
        CHECK_STR_CONTAINS(err.msg, bad[i].msg);
    }
}

TEST(zone_directory_and_bad_files)
{
    char dir[] = "/tmp/sluice_tz_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/Bad", dir);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        fputs("not a zone file at all, just text", f);
        fclose(f);
    }
    op_mysql_time_zone *z = NULL;
    rt_err err;
    CHECK_INT_EQ(op_mysql_time_zone_open("Bad", dir, &z, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "server_time_zone 'Bad'");
    CHECK_STR_CONTAINS(err.msg, "not a valid TZif file: no TZif header");
    /* the directory is where names are looked up */
    CHECK_INT_EQ(op_mysql_time_zone_open("America/New_York", dir, &z, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "unknown zone");
    unlink(path);
    rmdir(dir);
}

TEST(corrupt_and_truncated_bytes)
{
    /* Every prefix of a real file is refused cleanly (or, the whole file, accepted): no read
     * past the end under ASan. */
    FILE *f = fopen("/usr/share/zoneinfo/America/New_York", "rb");
    CHECK(f != NULL);
    uint8_t buf[8192];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f)
        fclose(f);
    CHECK(n > 100);
    size_t accepted = 0;
    for (size_t len = 0; len <= n; len++) {
        uint8_t *copy = malloc(len ? len : 1); /* exact size: ASan sees any overread */
        memcpy(copy, buf, len);
        op_mysql_time_zone *z = NULL;
        rt_err err;
        int rc = op_mysql_time_zone_parse_tzif("ny", copy, len, &z, &err);
        if (rc == 0)
            accepted++;
        else
            CHECK_INT_EQ(rc, RT_ECORRUPT);
        op_mysql_time_zone_free(z);
        free(copy);
    }
    CHECK_UINT_EQ(accepted, 1);

    int64_t t[] = {1000, 2000};
    uint8_t idx[] = {1, 0};
    int32_t offs[] = {0, 3600};
    rt_buf b;
    rt_buf_init(&b);
    rt_err err;
    op_mysql_time_zone *z = NULL;
    /* a type index past the types */
    uint8_t bad_idx[] = {1, 2};
    build(&b, 0, t, bad_idx, 2, offs, 2, NULL);
    CHECK_INT_EQ(op_mysql_time_zone_parse_tzif("x", (const uint8_t *)b.data, b.len, &z, &err),
                 RT_ECORRUPT);
    CHECK_STR_CONTAINS(err.msg, "time zone 'x': not a valid TZif file: bad transition");
    /* transitions out of order */
    int64_t back[] = {2000, 1000};
    build(&b, 0, back, idx, 2, offs, 2, NULL);
    CHECK_INT_EQ(op_mysql_time_zone_parse_tzif("x", (const uint8_t *)b.data, b.len, &z, &err),
                 RT_ECORRUPT);
    /* a count that promises more than the file holds (and would overflow 32 bits if
     * multiplied carelessly) */
    build(&b, 0, t, idx, 2, offs, 2, NULL);
    b.data[32] = (char)0xff;
    b.data[33] = (char)0xff;
    CHECK_INT_EQ(op_mysql_time_zone_parse_tzif("x", (const uint8_t *)b.data, b.len, &z, &err),
                 RT_ECORRUPT);
    CHECK_STR_CONTAINS(err.msg, "truncated");
    /* no types */
    build(&b, 0, NULL, NULL, 0, offs, 0, NULL);
    CHECK_INT_EQ(op_mysql_time_zone_parse_tzif("x", (const uint8_t *)b.data, b.len, &z, &err),
                 RT_ECORRUPT);
    /* a footer rule with DST but no dates */
    build(&b, '2', t, idx, 2, offs, 2, "EST5EDT");
    CHECK_INT_EQ(op_mysql_time_zone_parse_tzif("x", (const uint8_t *)b.data, b.len, &z, &err),
                 RT_EUNSUPPORTED);
    CHECK_STR_CONTAINS(err.msg, "footer rule \"EST5EDT\"");
    CHECK(z == NULL);
    rt_buf_fini(&b);
}

TEST_MAIN()
