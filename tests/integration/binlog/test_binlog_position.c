/* Binlog positions (operators/mysql/binlog_position.h): text form, order, the binary state form
 * and its refusal of damaged bytes. No server. */
#include <stdlib.h>
#include <string.h>

#include "operators/mysql/binlog_position.h"
#include "tests/harness/test.h"

static const char *UUID_A = "3e11fa47-71ca-11e1-9e33-c80aa9429562";

/* Formats p into a static buffer (one at a time). */
static const char *fmt(const op_binlog_pos *p)
{
    static char out[2048];
    rt_buf b;
    rt_buf_init(&b);
    op_binlog_pos_format(p, &b);
    snprintf(out, sizeof out, "%s", b.data ? b.data : "");
    rt_buf_fini(&b);
    return out;
}

/* Parses text, checks its canonical form and kind, and that text and binary forms read back. */
static void round_trip(const char *text, const char *want, op_binlog_gtid_kind kind)
{
    op_binlog_pos p, q, r;
    op_binlog_pos_init(&p);
    op_binlog_pos_init(&q);
    op_binlog_pos_init(&r);
    rt_err err = {0};
    CHECK_OK(op_binlog_pos_parse(text, strlen(text), &p, &err), &err);
    CHECK_STR_EQ(fmt(&p), want);
    CHECK_INT_EQ(p.gtid_kind, kind);
    CHECK_OK(op_binlog_pos_parse(want, strlen(want), &q, &err), &err);
    CHECK_STR_EQ(fmt(&q), want);
    rt_buf bin;
    rt_buf_init(&bin);
    op_binlog_pos_encode(&p, &bin);
    CHECK_OK(op_binlog_pos_decode((const uint8_t *)bin.data, bin.len, &r, &err), &err);
    CHECK_STR_EQ(fmt(&r), want);
    int order = 9;
    if (op_binlog_pos_has_file(&p) || op_binlog_pos_has_gtid(&p)) {
        CHECK_OK(op_binlog_pos_compare(&p, &r, &order, &err), &err);
        CHECK_INT_EQ(order, 0);
    }
    rt_buf_fini(&bin);
    op_binlog_pos_fini(&p);
    op_binlog_pos_fini(&q);
    op_binlog_pos_fini(&r);
}

TEST(text_forms_round_trip)
{
    char mysql[256], mysql_both[300];
    round_trip("mysql-bin.000003:1234", "mysql-bin.000003:1234", OP_BINLOG_GTID_NONE);
    round_trip("mysql-bin.000003:4", "mysql-bin.000003:4", OP_BINLOG_GTID_NONE);
    /* a file name with ':' splits at the last one */
    round_trip("odd:name.000001:4", "odd:name.000001:4", OP_BINLOG_GTID_NONE);
    round_trip("0-1-100", "0-1-100", OP_BINLOG_GTID_MARIADB);
    /* canonical: ordered by domain, spaces dropped */
    round_trip("1-2-7, 0-1-100", "0-1-100,1-2-7", OP_BINLOG_GTID_MARIADB);
    round_trip("gtid=", "gtid=", OP_BINLOG_GTID_MARIADB);
    round_trip("gtid_set=", "gtid_set=", OP_BINLOG_GTID_MYSQL);
    round_trip("mysql-bin.000003:1234 gtid=1-2-7,0-1-100",
               "mysql-bin.000003:1234 gtid=0-1-100,1-2-7", OP_BINLOG_GTID_MARIADB);
    round_trip("mysql-bin.000001:4 gtid=", "mysql-bin.000001:4 gtid=", OP_BINLOG_GTID_MARIADB);
    snprintf(mysql, sizeof mysql, "%s:1-5:7", UUID_A);
    round_trip(mysql, mysql, OP_BINLOG_GTID_MYSQL);
    snprintf(mysql_both, sizeof mysql_both, "binlog.000010:157 gtid_set=%s:1-5:7", UUID_A);
    round_trip(mysql_both, mysql_both, OP_BINLOG_GTID_MYSQL);
    round_trip("", "", OP_BINLOG_GTID_NONE);
}

static void parse_fails(const char *text, const char *why)
{
    op_binlog_pos p;
    op_binlog_pos_init(&p);
    CHECK_OK(op_binlog_pos_parse("keep.000001:4", 13, &p, NULL), &(rt_err){0});
    rt_err err = {0};
    int rc = op_binlog_pos_parse(text, strlen(text), &p, &err);
    CHECK_INT_EQ(rc, RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, why);
    /* out is written on success only */
    CHECK_STR_EQ(fmt(&p), "keep.000001:4");
    op_binlog_pos_fini(&p);
}

TEST(text_refusals)
{
    parse_fails("mysql-bin.000003", "mysql-bin.000003"); /* neither file:offset nor a GTID */
    parse_fails("mysql-bin.000003:", "offset");
    parse_fails("mysql-bin.000003:12x", "offset");
    parse_fails("mysql-bin.000003:99999999999999999999999", "offset");
    parse_fails(":4", "empty file name");
    parse_fails("0-1", "0-1");
    parse_fails("0-1-1,0-2-2", "twice");
    parse_fails("f.000001:4 gtid=x-y-z", "x-y-z");
    parse_fails("f.000001:x gtid=0-1-1", "offset");
}

TEST(setters_and_copy)
{
    op_binlog_pos p, q;
    op_binlog_pos_init(&p);
    op_binlog_pos_init(&q);
    rt_err err = {0};
    char long_name[OP_BINLOG_FILE_NAME_SIZE + 1];
    memset(long_name, 'x', sizeof long_name);
    CHECK_INT_EQ(op_binlog_pos_set_file(&p, "", 0, 4, &err), RT_EINVAL);
    CHECK_INT_EQ(op_binlog_pos_set_file(&p, long_name, OP_BINLOG_FILE_NAME_SIZE, 4, &err),
                 RT_EINVAL);
    CHECK_OK(op_binlog_pos_set_file(&p, long_name, OP_BINLOG_FILE_NAME_SIZE - 1, 4, &err), &err);
    CHECK_INT_EQ(op_binlog_pos_set_file(&p, "a\0b", 3, 4, &err), RT_EINVAL);
    CHECK_OK(op_binlog_pos_set_file(&p, "mysql-bin.000002", 16, 99, &err), &err);
    op_mariadb_gtid g = {0, 1, 5};
    CHECK_OK(op_binlog_pos_add_mariadb_gtid(&p, &g, &err), &err);
    uint8_t uuid[16] = {1};
    CHECK_INT_EQ(op_binlog_pos_add_mysql_gtid(&p, uuid, NULL, 1, &err), RT_EINVAL);
    CHECK_OK(op_binlog_pos_copy(&q, &p, &err), &err);
    g.seq_no = 6;
    CHECK_OK(op_binlog_pos_add_mariadb_gtid(&p, &g, &err), &err);
    CHECK_STR_EQ(fmt(&p), "mysql-bin.000002:99 gtid=0-1-6");
    CHECK_STR_EQ(fmt(&q), "mysql-bin.000002:99 gtid=0-1-5"); /* a deep copy */
    op_binlog_pos_clear_file(&q);
    CHECK_STR_EQ(fmt(&q), "0-1-5");
    CHECK_OK(op_binlog_pos_copy(&q, &q, &err), &err);
    CHECK_OK(op_binlog_pos_set_gtid_text(&q, OP_BINLOG_GTID_NONE, "", 0, &err), &err);
    CHECK_STR_EQ(fmt(&q), "");
    CHECK_OK(op_binlog_pos_add_mysql_gtid(&q, uuid, NULL, 3, &err), &err);
    CHECK_STR_EQ(fmt(&q), "01000000-0000-0000-0000-000000000000:3");
    op_binlog_pos_fini(&p);
    op_binlog_pos_fini(&q);
}

TEST(file_order)
{
    CHECK(op_binlog_file_compare("mysql-bin.000009", "mysql-bin.000010") < 0);
    CHECK(op_binlog_file_compare("mysql-bin.999999", "mysql-bin.1000000") < 0);
    CHECK(op_binlog_file_compare("mysql-bin.1000000", "mysql-bin.999999") > 0);
    CHECK(op_binlog_file_compare("mysql-bin.000010", "mysql-bin.000010") == 0);
    CHECK(op_binlog_file_compare("mysql-bin.000010", "mysql-bin.10") == 0);
    CHECK(op_binlog_file_compare("a-bin.000010", "b-bin.000001") < 0);
    CHECK(op_binlog_file_compare("noext", "noext2") < 0);
}

/* Compares the parsed texts a and b: want_rc, and the order when 0. */
static void order(const char *a, const char *b, int want_rc, int want)
{
    op_binlog_pos pa, pb;
    op_binlog_pos_init(&pa);
    op_binlog_pos_init(&pb);
    rt_err err = {0};
    CHECK_OK(op_binlog_pos_parse(a, strlen(a), &pa, &err), &err);
    CHECK_OK(op_binlog_pos_parse(b, strlen(b), &pb, &err), &err);
    int o = 99;
    int rc = op_binlog_pos_compare(&pa, &pb, &o, &err);
    CHECK_INT_EQ(rc, want_rc);
    if (rc == 0 && want_rc == 0)
        CHECK_INT_EQ(o, want);
    if (rc)
        CHECK_STR_CONTAINS(err.msg, "cannot be ordered");
    op_binlog_pos_fini(&pa);
    op_binlog_pos_fini(&pb);
}

TEST(position_order)
{
    char a[128], b[128];
    order("mysql-bin.000003:1234", "mysql-bin.000003:1235", 0, -1);
    order("mysql-bin.000004:4", "mysql-bin.000003:9999", 0, 1);
    order("mysql-bin.000003:4 gtid=0-1-9", "mysql-bin.000003:4 gtid=0-1-1", 0, 0); /* file wins */
    order("0-1-5", "0-1-7", 0, -1);
    order("0-1-7,1-1-3", "0-1-7", 0, 1);
    order("0-1-7", "0-2-7", 0, 0); /* the sequence number orders a domain, not the server id */
    order("0-1-8,1-1-1", "0-1-7,1-1-2", RT_EINVAL, 0);
    order("mysql-bin.000003:4", "0-1-7", RT_EINVAL, 0);
    snprintf(a, sizeof a, "%s:1-5", UUID_A);
    snprintf(b, sizeof b, "%s:1-7", UUID_A);
    order(a, b, 0, -1);
    order(b, a, 0, 1);
    snprintf(b, sizeof b, "%s:3-9", UUID_A);
    order(a, b, RT_EINVAL, 0);
    order(a, "0-1-7", RT_EINVAL, 0);
}

/* Decodes bytes that must be refused with want (and leave out alone). */
static void decode_fails(const uint8_t *p, size_t len, int want)
{
    op_binlog_pos out;
    op_binlog_pos_init(&out);
    rt_err err = {0};
    CHECK_INT_EQ(op_binlog_pos_decode(p, len, &out, &err), want);
    CHECK(err.msg[0] != '\0');
    CHECK_STR_EQ(fmt(&out), "");
    op_binlog_pos_fini(&out);
}

TEST(binary_form_refusals)
{
    op_binlog_pos p;
    op_binlog_pos_init(&p);
    rt_err err = {0};
    const char *text = "mysql-bin.000007:777 gtid=0-1-100,3-2-9";
    CHECK_OK(op_binlog_pos_parse(text, strlen(text), &p, &err), &err);
    rt_buf bin;
    rt_buf_init(&bin);
    op_binlog_pos_encode(&p, &bin);
    uint8_t *b = (uint8_t *)bin.data;
    /* version 1 · kind 1 · file_len 16 · file · offset · gtid_len 36 · count 2 · 2 × 16 bytes */
    CHECK_INT_EQ(bin.len, 1 + 1 + 2 + 16 + 8 + 4 + 4 + 32);
    CHECK_INT_EQ(b[0], 1);
    for (size_t n = 0; n < bin.len; n++)
        decode_fails(b, n, RT_ECORRUPT);
    uint8_t *copy = malloc(bin.len + 1);
    memcpy(copy, b, bin.len);
    copy[bin.len] = 0;
    decode_fails(copy, bin.len + 1, RT_ECORRUPT); /* a byte after the end */
    copy[0] = 2;
    decode_fails(copy, bin.len, RT_ESTATE); /* a newer format */
    copy[0] = 1;
    copy[1] = 3;
    decode_fails(copy, bin.len, RT_ECORRUPT); /* unknown GTID kind */
    copy[1] = 1;
    copy[2] = 0xff; /* file_len beyond the bytes */
    decode_fails(copy, bin.len, RT_ECORRUPT);
    copy[2] = 16;
    copy[32] = 3; /* count 3 in 32 bytes */
    decode_fails(copy, bin.len, RT_ECORRUPT);
    copy[32] = 2;
    copy[36] = 5; /* first domain 5 > second domain 3 */
    decode_fails(copy, bin.len, RT_ECORRUPT);
    copy[36] = 0;
    op_binlog_pos back;
    op_binlog_pos_init(&back);
    CHECK_OK(op_binlog_pos_decode(copy, bin.len, &back, &err), &err);
    CHECK_STR_EQ(fmt(&back), "mysql-bin.000007:777 gtid=0-1-100,3-2-9");
    /* offset without a file */
    const uint8_t no_file[] = {1, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    decode_fails(no_file, sizeof no_file, RT_ECORRUPT);
    /* GTID bytes without a kind */
    const uint8_t stray[] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 7};
    decode_fails(stray, sizeof stray, RT_ECORRUPT);
    /* a MySQL set that does not decode */
    const uint8_t bad_set[] = {1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 1, 2, 3};
    decode_fails(bad_set, sizeof bad_set, RT_ECORRUPT);
    free(copy);
    rt_buf_fini(&bin);
    op_binlog_pos_fini(&p);
    op_binlog_pos_fini(&back);
}

/* Random bytes (a fixed LCG) never crash the decoder and only fail with its codes. */
TEST(binary_form_random_bytes)
{
    uint64_t x = 0x9e3779b97f4a7c15u;
    uint8_t buf[96];
    for (int i = 0; i < 20000; i++) {
        size_t len = (size_t)(x >> 59) * 3;
        for (size_t k = 0; k < len; k++) {
            x = x * 6364136223846793005u + 1442695040888963407u;
            buf[k] = (uint8_t)(x >> 56);
        }
        /* keep the version right half of the time so the decoder gets past it */
        if (len > 0 && (x & 1))
            buf[0] = 1;
        if (len > 1 && (x & 2))
            buf[1] = (uint8_t)(x >> 8) % 3;
        if (len > 3 && (x & 4)) {
            buf[2] = (uint8_t)((x >> 16) % 8);
            buf[3] = 0;
        }
        op_binlog_pos p;
        op_binlog_pos_init(&p);
        rt_err err = {0};
        int rc = op_binlog_pos_decode(buf, len, &p, &err);
        CHECK(rc == 0 || rc == RT_ECORRUPT || rc == RT_ESTATE);
        op_binlog_pos_fini(&p);
        x = x * 6364136223846793005u + 1442695040888963407u;
    }
}

TEST_MAIN()
