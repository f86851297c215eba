/* GTID positions (operators/mysql/gtid.h): MySQL sets and MariaDB lists, text and binary round
 * trips, add/contains, and refusal of malformed input. */
#include <stdlib.h>
#include <string.h>

#include "operators/mysql/gtid.h"
#include "tests/harness/test.h"

static const uint8_t U1[16] = {0x89, 0x6e, 0x78, 0x82, 0x18, 0xfe, 0x11, 0xef,
                               0xab, 0x88, 0x22, 0x22, 0x2d, 0x34, 0xd4, 0x11};

/* Parses text, checks it formats as want, and that the binary form decodes to the same set. */
static void round_trip(const char *text, const char *want)
{
    op_mysql_gtid_set *s = NULL, *back = NULL;
    rt_err err = {0};
    CHECK_OK(op_mysql_gtid_set_parse(text, strlen(text), &s, &err), &err);
    if (!s)
        return;
    rt_buf b, bin, again;
    rt_buf_init(&b);
    rt_buf_init(&bin);
    rt_buf_init(&again);
    op_mysql_gtid_set_format(s, &b);
    CHECK_STR_EQ(b.data ? b.data : "", want);
    op_mysql_gtid_set_encode(s, &bin);
    CHECK_OK(op_mysql_gtid_set_decode((const uint8_t *)bin.data, bin.len, &back, &err), &err);
    if (back) {
        op_mysql_gtid_set_format(back, &again);
        CHECK_STR_EQ(again.data ? again.data : "", want);
    }
    /* the canonical text parses back to itself */
    op_mysql_gtid_set *third = NULL;
    CHECK_OK(op_mysql_gtid_set_parse(b.data ? b.data : "", b.len, &third, &err), &err);
    op_mysql_gtid_set_free(third);
    op_mysql_gtid_set_free(back);
    op_mysql_gtid_set_free(s);
    rt_buf_fini(&b);
    rt_buf_fini(&bin);
    rt_buf_fini(&again);
}

TEST(mysql_gtid_set_text_and_binary_round_trip)
{
    round_trip("", "");
    round_trip("  ", "");
    round_trip("896e7882-18fe-11ef-ab88-22222d34d411:1-3",
               "896e7882-18fe-11ef-ab88-22222d34d411:1-3");
    /* merged, sorted, adjacent intervals joined, upper-case and plain hex accepted */
    round_trip("896E788218FE11EFAB8822222D34D411:5:1-3:4,\n 896e7882-18fe-11ef-ab88-22222d34d410:7",
               "896e7882-18fe-11ef-ab88-22222d34d410:7,896e7882-18fe-11ef-ab88-22222d34d411:1-5");
    round_trip("896e7882-18fe-11ef-ab88-22222d34d411:1-4:aaaa:1:abc:1-3:bbbbb:1:bbbbbb:1:x:1,"
               "896e7882-18fe-11ef-ab88-22222d34d412:1-2",
               "896e7882-18fe-11ef-ab88-22222d34d411:1-4:aaaa:1:abc:1-3:bbbbb:1:bbbbbb:1:x:1,"
               "896e7882-18fe-11ef-ab88-22222d34d412:1-2");
    round_trip("896e7882-18fe-11ef-ab88-22222d34d411:TaG_1:3:1-2",
               "896e7882-18fe-11ef-ab88-22222d34d411:tag_1:1-3");
    round_trip("896e7882-18fe-11ef-ab88-22222d34d411:9223372036854775806",
               "896e7882-18fe-11ef-ab88-22222d34d411:9223372036854775806");
}

TEST(mysql_gtid_set_add_and_contains)
{
    op_mysql_gtid_set *s = op_mysql_gtid_set_new();
    rt_err err = {0};
    CHECK(op_mysql_gtid_set_is_empty(s));
    for (int64_t g = 1; g <= 10; g += 2)
        CHECK_OK(op_mysql_gtid_set_add(s, U1, NULL, g, &err), &err);
    CHECK_OK(op_mysql_gtid_set_add(s, U1, "blue", 4, &err), &err);
    CHECK(op_mysql_gtid_set_contains(s, U1, NULL, 5));
    CHECK(!op_mysql_gtid_set_contains(s, U1, NULL, 4));
    CHECK(op_mysql_gtid_set_contains(s, U1, "BLUE", 4));
    CHECK(!op_mysql_gtid_set_contains(s, U1, "blue", 5));
    for (int64_t g = 2; g <= 10; g += 2)
        CHECK_OK(op_mysql_gtid_set_add(s, U1, "", g, &err), &err);
    rt_buf b;
    rt_buf_init(&b);
    op_mysql_gtid_set_format(s, &b);
    CHECK_STR_EQ(b.data, "896e7882-18fe-11ef-ab88-22222d34d411:1-10:blue:4");
    CHECK_INT_EQ(op_mysql_gtid_set_sid_count(s), 2);
    op_mysql_gtid_set *t = NULL;
    const char *more = "896e7882-18fe-11ef-ab88-22222d34d411:20-30:blue:5";
    CHECK_OK(op_mysql_gtid_set_parse(more, strlen(more), &t, &err), &err);
    CHECK_OK(op_mysql_gtid_set_add_set(s, t, &err), &err);
    rt_buf_reset(&b);
    op_mysql_gtid_set_format(s, &b);
    CHECK_STR_EQ(b.data, "896e7882-18fe-11ef-ab88-22222d34d411:1-10:20-30:blue:4-5");
    CHECK(op_mysql_gtid_set_contains(s, U1, NULL, 25));
    CHECK(!op_mysql_gtid_set_contains(s, U1, NULL, 15));
    CHECK_INT_EQ(op_mysql_gtid_set_add(s, U1, NULL, 0, &err), RT_EINVAL);
    CHECK_INT_EQ(op_mysql_gtid_set_add(s, U1, "9lives", 1, &err), RT_EINVAL);
    op_mysql_gtid_set_free(t);
    op_mysql_gtid_set_free(s);
    rt_buf_fini(&b);
}

TEST(mysql_gtid_set_refuses_malformed_text)
{
    static const char *const bad[] = {
        "896e7882-18fe-11ef-ab88-22222d34d411",       /* no interval */
        "896e7882-18fe-11ef-ab88-22222d34d411:0",     /* GTID numbers start at 1 */
        "896e7882-18fe-11ef-ab88-22222d34d411:5-3",   /* backwards */
        "896e7882-18fe-11ef-ab88-22222d34d411:1-",    /* cut */
        "896e7882-18fe-11ef-ab88-22222d34d41:1",      /* short uuid */
        "896e7882-18fe-11ef-ab88-22222d34d41g:1",     /* not hex */
        "896e7882-18fe-11ef-ab88-22222d34d411:1,",    /* empty element */
        "896e7882-18fe-11ef-ab88-22222d34d411:a-b:1", /* bad tag */
        "896e7882-18fe-11ef-ab88-22222d34d411:99999999999999999999",
        "896e7882-18fe-11ef-ab88-22222d34d411:abcdefghijabcdefghijabcdefghijabc:1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        op_mysql_gtid_set *s = NULL;
        rt_err err = {0};
        CHECK_INT_EQ(op_mysql_gtid_set_parse(bad[i], strlen(bad[i]), &s, &err), RT_EINVAL);
        CHECK(s == NULL);
        CHECK(err.msg[0] != '\0');
    }
}

TEST(mysql_gtid_set_decode_bounds_every_count)
{
    /* n_sids = 2^40 in 8 bytes: must be refused before anything is allocated for it */
    static const uint8_t huge[] = {0, 0, 0, 0, 0, 1, 0, 0};
    op_mysql_gtid_set *s = NULL;
    rt_err err = {0};
    CHECK_INT_EQ(op_mysql_gtid_set_decode(huge, sizeof huge, &s, &err), RT_ECORRUPT);
    /* one SID whose interval count exceeds the bytes */
    uint8_t one[8 + 16 + 8 + 16] = {1};
    memcpy(one + 8, U1, 16);
    one[24] = 2;
    one[32] = 1, one[40] = 3;
    CHECK_INT_EQ(op_mysql_gtid_set_decode(one, sizeof one, &s, &err), RT_ECORRUPT);
    one[24] = 1;
    CHECK_OK(op_mysql_gtid_set_decode(one, sizeof one, &s, &err), &err);
    op_mysql_gtid_set_free(s);
    /* an empty interval [3, 3) */
    one[32] = 3;
    CHECK_INT_EQ(op_mysql_gtid_set_decode(one, sizeof one, &s, &err), RT_ECORRUPT);
    for (size_t n = 0; n < sizeof one; n++) {
        s = NULL;
        one[32] = 1;
        CHECK(op_mysql_gtid_set_decode(one, n, &s, &err) != 0);
        CHECK(s == NULL);
    }
}

TEST(mariadb_gtid_list_parse_format_add_contains)
{
    op_mariadb_gtid_list *l = NULL;
    rt_err err = {0};
    const char *text = " 2-1-7 , 0-1-100,1-3-5";
    CHECK_OK(op_mariadb_gtid_list_parse(text, strlen(text), &l, &err), &err);
    rt_buf b;
    rt_buf_init(&b);
    op_mariadb_gtid_list_format(l, &b);
    CHECK_STR_EQ(b.data, "0-1-100,1-3-5,2-1-7");
    op_mariadb_gtid g = {.domain_id = 0, .server_id = 2, .seq_no = 100};
    CHECK(op_mariadb_gtid_list_contains(l, &g));
    g.seq_no = 101;
    CHECK(!op_mariadb_gtid_list_contains(l, &g));
    CHECK_OK(op_mariadb_gtid_list_add(l, &g, &err), &err);
    CHECK(op_mariadb_gtid_list_contains(l, &g));
    g.domain_id = 9;
    CHECK(!op_mariadb_gtid_list_contains(l, &g));
    CHECK_OK(op_mariadb_gtid_list_add(l, &g, &err), &err);
    rt_buf_reset(&b);
    op_mariadb_gtid_list_format(l, &b);
    CHECK_STR_EQ(b.data, "0-2-101,1-3-5,2-1-7,9-2-101");
    CHECK_INT_EQ(op_mariadb_gtid_list_count(l), 4);
    CHECK_INT_EQ(op_mariadb_gtid_list_get(l, 3).domain_id, 9);
    op_mariadb_gtid_list_free(l);
    /* the formatted list parses back to itself */
    CHECK_OK(op_mariadb_gtid_list_parse(b.data, b.len, &l, &err), &err);
    rt_buf_reset(&b);
    op_mariadb_gtid_list_format(l, &b);
    CHECK_STR_EQ(b.data, "0-2-101,1-3-5,2-1-7,9-2-101");
    op_mariadb_gtid_list_free(l);
    CHECK_OK(op_mariadb_gtid_list_parse("", 0, &l, &err), &err);
    CHECK_INT_EQ(op_mariadb_gtid_list_count(l), 0);
    op_mariadb_gtid_list_free(l);
    rt_buf_fini(&b);
}

TEST(mariadb_gtid_list_refuses_malformed_text)
{
    static const char *const bad[] = {"0-1",
                                      "0-1-",
                                      "a-1-2",
                                      "0-1-2,",
                                      "0-1-2,0-3-4",
                                      "4294967296-1-1",
                                      "0-1-18446744073709551616",
                                      "0--1-2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        op_mariadb_gtid_list *l = NULL;
        rt_err err = {0};
        CHECK_INT_EQ(op_mariadb_gtid_list_parse(bad[i], strlen(bad[i]), &l, &err), RT_EINVAL);
        CHECK(l == NULL);
    }
    op_mariadb_gtid g;
    rt_err err = {0};
    CHECK_OK(op_mariadb_gtid_parse("4294967295-4294967295-18446744073709551615", 42, &g, &err),
             &err);
    CHECK_UINT_EQ(g.seq_no, UINT64_MAX);
}

TEST_MAIN()
