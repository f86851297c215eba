/* Column values (operators/mysql/mysql_value.h) and MySQL binary JSON (mysql_json.h): every
 * type's edge values through encoders written here from the documented formats
 * (notes/binlog.md 4.3, 4.4), their MySQL text, and their runtime values. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "operators/mysql/mysql_json.h"
#include "operators/mysql/mysql_value.h"
#include "tests/harness/test.h"

static op_mysql_column column(unsigned type)
{
    op_mysql_column c;
    memset(&c, 0, sizeof c);
    c.type = c.real_type = (uint8_t)type;
    c.is_unsigned = -1;
    return c;
}

/* Decodes bytes as col, checks it takes all of them, and returns MySQL's text (static). */
static const char *text_of(const op_mysql_column *col, const uint8_t *b, size_t n,
                           op_mysql_cell *cell_out)
{
    static char out[600];
    rt_buf text, t;
    rt_buf_init(&text);
    rt_buf_init(&t);
    op_mysql_cell cell;
    size_t used = 0;
    rt_err err = {0};
    out[0] = '\0';
    uint8_t *exact = malloc(n ? n : 1); /* ASan sees a read past n */
    memcpy(exact, b, n);
    if (op_mysql_value_decode(col, exact, n, &cell, &used, &text, &err) == 0) {
        CHECK_INT_EQ(used, n);
        op_mysql_cell_format_text(&cell, col, &t);
        snprintf(out, sizeof out, "%.*s", (int)t.len, t.data ? t.data : "");
        if (cell_out)
            *cell_out = cell;
    } else {
        snprintf(out, sizeof out, "ERROR %s", err.msg);
    }
    free(exact);
    rt_buf_fini(&text);
    rt_buf_fini(&t);
    return out;
}

TEST(integers_of_every_width_signed_and_unsigned)
{
    static const struct {
        unsigned type, width;
        const char *min, *max, *umax;
    } ints[] = {
        {OP_MYSQL_TYPE_TINY, 1, "-128", "127", "255"},
        {OP_MYSQL_TYPE_SHORT, 2, "-32768", "32767", "65535"},
        {OP_MYSQL_TYPE_INT24, 3, "-8388608", "8388607", "16777215"},
        {OP_MYSQL_TYPE_LONG, 4, "-2147483648", "2147483647", "4294967295"},
        {OP_MYSQL_TYPE_LONGLONG, 8, "-9223372036854775808", "9223372036854775807",
         "18446744073709551615"},
    };
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        op_mysql_column c = column(ints[i].type);
        uint8_t b[8];
        unsigned w = ints[i].width;
        memset(b, 0, w), b[w - 1] = 0x80; /* most negative */
        CHECK_STR_EQ(text_of(&c, b, w, NULL), ints[i].min);
        memset(b, 0xff, w), b[w - 1] = 0x7f;
        CHECK_STR_EQ(text_of(&c, b, w, NULL), ints[i].max);
        memset(b, 0xff, w);
        CHECK_STR_EQ(text_of(&c, b, w, NULL), "-1"); /* signedness unknown: signed */
        c.is_unsigned = 1;
        op_mysql_cell cell;
        CHECK_STR_EQ(text_of(&c, b, w, &cell), ints[i].umax);
        CHECK_INT_EQ(cell.value.type, RT_TYPE_UINT);
        CHECK(strncmp(text_of(&c, b, w - 1, NULL), "ERROR", 5) == 0);
    }
}

TEST(year_float_double_bit)
{
    op_mysql_column c = column(OP_MYSQL_TYPE_YEAR);
    op_mysql_cell cell;
    CHECK_STR_EQ(text_of(&c, (const uint8_t *)"\x00", 1, &cell), "0000");
    CHECK_STR_EQ(text_of(&c, (const uint8_t *)"\x9b", 1, &cell), "2055");
    CHECK_INT_EQ(cell.value.i, 2055);
    c = column(OP_MYSQL_TYPE_FLOAT);
    float f = 1.1f;
    CHECK_STR_EQ(text_of(&c, (const uint8_t *)&f, 4, &cell), "1.1");
    CHECK(cell.value.d == 1.1); /* the float's shortest decimal, as a double */
    c = column(OP_MYSQL_TYPE_DOUBLE);
    double d = -2.5e-300;
    CHECK_STR_EQ(text_of(&c, (const uint8_t *)&d, 8, &cell), "-2.5e-300");
    c = column(OP_MYSQL_TYPE_BIT);
    for (unsigned bits = 1; bits <= 64; bits++) {
        c.bits = (uint8_t)bits;
        uint8_t b[8];
        unsigned n = (bits + 7) / 8;
        memset(b, 0xff, n);
        b[0] = (uint8_t)(bits % 8 ? (1u << (bits % 8)) - 1 : 0xff);
        text_of(&c, b, n, &cell);
        CHECK_UINT_EQ(cell.value.u, bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1);
        rt_value v;
        op_mysql_cell_to_value(&cell, &c, 0, NULL, &v);
        CHECK_INT_EQ(v.type, RT_TYPE_UINT);
    }
}

/* decimal2bin as strings/decimal.cc describes it (notes 4.3), for the test vectors. */
static size_t encode_decimal(const char *digits, unsigned p, unsigned s, uint8_t *out)
{
    static const uint8_t d2b[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
    bool neg = digits[0] == '-';
    const char *dot = strchr(digits, '.');
    const char *ip = digits + neg;
    size_t il = dot ? (size_t)(dot - ip) : strlen(ip);
    char ibuf[80], fbuf[40];
    unsigned intg = p - s;
    memset(ibuf, '0', intg);
    if (il <= intg) /* DECIMAL(30,30) has no integer digits: its "0." is not stored */
        memcpy(ibuf + intg - il, ip, il);
    memset(fbuf, '0', s);
    if (dot)
        memcpy(fbuf, dot + 1, strlen(dot + 1));
    size_t n = 0;
    unsigned lead = intg % 9, at = 0;
    for (int part = 0; part < 2; part++) {
        const char *src = part ? fbuf : ibuf;
        unsigned total = part ? s : intg;
        at = 0;
        while (at < total) {
            /* integer part: the leftover group first; fraction: the leftover group last */
            unsigned k = part ? (total - at >= 9 ? 9 : total - at) : (at == 0 && lead ? lead : 9);
            unsigned v = 0;
            for (unsigned j = 0; j < k; j++)
                v = v * 10 + (unsigned)(src[at + j] - '0');
            unsigned bytes = k == 9 ? 4 : d2b[k];
            for (unsigned j = 0; j < bytes; j++)
                out[n++] = (uint8_t)(v >> (8 * (bytes - 1 - j)));
            at += k;
        }
    }
    for (size_t j = 0; neg && j < n; j++)
        out[j] ^= 0xff;
    out[0] ^= 0x80;
    return n;
}

TEST(decimal_up_to_65_30_round_trips)
{
    static const struct {
        unsigned p, s;
        const char *v;
    } cases[] = {
        {65, 30, "99999999999999999999999999999999999.999999999999999999999999999999"},
        {65, 30, "-99999999999999999999999999999999999.999999999999999999999999999999"},
        {65, 30, "0.000000000000000000000000000001"},
        {65, 0, "12345678901234567890123456789012345678901234567890123456789012345"},
        {1, 0, "-9"},
        {10, 0, "0"},
        {14, 4, "1234567890.1234"},
        {14, 4, "-1234567890.1234"},
        {30, 30, "-0.123456789012345678901234567890"},
        {18, 9, "-0.000000001"},
        {5, 2, "-0.50"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        op_mysql_column c = column(OP_MYSQL_TYPE_NEWDECIMAL);
        c.precision = (uint8_t)cases[i].p;
        c.scale = (uint8_t)cases[i].s;
        uint8_t b[40];
        size_t n = encode_decimal(cases[i].v, cases[i].p, cases[i].s, b);
        CHECK_INT_EQ(n, op_mysql_decimal_size(cases[i].p, cases[i].s));
        op_mysql_cell cell;
        CHECK_STR_EQ(text_of(&c, b, n, &cell), cases[i].v);
        CHECK_INT_EQ(cell.value.type, RT_TYPE_DECIMAL);
    }
    /* 14 4 example from the notes, and a digit group out of range */
    op_mysql_column c = column(OP_MYSQL_TYPE_NEWDECIMAL);
    c.precision = 14, c.scale = 4;
    CHECK_STR_EQ(text_of(&c, (const uint8_t *)"\x81\x0d\xfb\x38\xd2\x04\xd2", 7, NULL),
                 "1234567890.1234");
    CHECK(strncmp(text_of(&c, (const uint8_t *)"\x81\x0d\xfb\xff\xff\xff\xff", 7, NULL), "ERROR",
                  5) == 0);
}

/* MySQL's TIME2 packing (my_time.cc my_time_packed_to_binary as notes 4.3 describes it):
 * the packed value is split with a flooring shift and a truncating remainder. */
static size_t encode_time2(bool neg, unsigned h, unsigned m, unsigned s, unsigned usec,
                           unsigned fsp, uint8_t *out)
{
    int64_t nr = ((int64_t)(h << 12 | m << 6 | s) << 24) + usec;
    if (neg)
        nr = -nr;
    int64_t ip = nr >= 0 ? nr >> 24 : -((-nr + 0xffffff) >> 24);
    int64_t frac = nr % (INT64_C(1) << 24);
    uint64_t v;
    size_t n;
    if (fsp >= 5) {
        v = (uint64_t)(nr + (INT64_C(0x800000) << 24));
        n = 6;
        for (size_t j = 0; j < n; j++)
            out[j] = (uint8_t)(v >> (8 * (n - 1 - j)));
        return n;
    }
    v = (uint64_t)(ip + 0x800000);
    out[0] = (uint8_t)(v >> 16), out[1] = (uint8_t)(v >> 8), out[2] = (uint8_t)v;
    if (fsp == 0)
        return 3;
    if (fsp <= 2) {
        out[3] = (uint8_t)(int8_t)(frac / 10000);
        return 4;
    }
    int16_t f = (int16_t)(frac / 100);
    out[3] = (uint8_t)((uint16_t)f >> 8), out[4] = (uint8_t)f;
    return 5;
}

TEST(time2_for_every_fsp_including_negative_fractions)
{
    static const struct {
        bool neg;
        unsigned h, m, s, usec;
    } times[] = {{false, 0, 0, 0, 0},          {true, 0, 0, 0, 10000},   {true, 838, 59, 59, 0},
                 {false, 838, 59, 59, 990000}, {true, 15, 4, 5, 120000}, {true, 0, 0, 1, 500000},
                 {false, 12, 34, 56, 780000},  {true, 507, 48, 27, 0}};
    for (unsigned fsp = 0; fsp <= 6; fsp++) {
        op_mysql_column c = column(OP_MYSQL_TYPE_TIME2);
        c.fsp = (uint8_t)fsp;
        for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
            unsigned div = 1;
            for (unsigned k = fsp; k < 6; k++)
                div *= 10;
            unsigned usec = times[i].usec / div * div; /* what a TIME(fsp) can hold */
            if (times[i].neg && times[i].h == 0 && times[i].m == 0 && times[i].s == 0 && !usec)
                continue; /* -00:00:00 does not exist */
            uint8_t b[8];
            size_t n = encode_time2(times[i].neg, times[i].h, times[i].m, times[i].s, usec, fsp, b);
            char want[64];
            int k = snprintf(want, sizeof want, "%s%02u:%02u:%02u", times[i].neg ? "-" : "",
                             times[i].h, times[i].m, times[i].s);
            if (fsp)
                snprintf(want + k, sizeof want - (size_t)k, ".%0*u", (int)fsp, usec / div);
            CHECK_STR_EQ(text_of(&c, b, n, NULL), want);
        }
    }
}

TEST(datetime_date_timestamp_old_and_new_formats)
{
    op_mysql_column c = column(OP_MYSQL_TYPE_DATE);
    CHECK_STR_EQ(text_of(&c, (const uint8_t *)"\x00\x00\x00", 3, NULL), "0000-00-00");
    unsigned v = 9999u << 9 | 12u << 5 | 31u;
    uint8_t d3[3] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16)};
    CHECK_STR_EQ(text_of(&c, d3, 3, NULL), "9999-12-31");
    c = column(OP_MYSQL_TYPE_DATETIME); /* pre-5.6.4: YYYYMMDDhhmmss as a number */
    uint64_t old = UINT64_C(20120621154517);
    CHECK_STR_EQ(text_of(&c, (const uint8_t *)&old, 8, NULL), "2012-06-21 15:45:17");
    c = column(OP_MYSQL_TYPE_TIME);
    int32_t t = -8385959;
    CHECK_STR_EQ(text_of(&c, (const uint8_t *)&t, 3, NULL), "-838:59:59");
    c = column(OP_MYSQL_TYPE_DATETIME2);
    c.fsp = 6;
    CHECK_STR_EQ(text_of(&c, (const uint8_t *)"\x99\x8c\xaa\xfb\x51\x0b\xad\xf8", 8, NULL),
                 "2012-06-21 15:45:17.765432");
    CHECK(strncmp(text_of(&c, (const uint8_t *)"\x99\x8c\xaa\xfb\x51\x0f\x42\x40", 8, NULL),
                  "ERROR", 5) == 0); /* 1000000 microseconds */
    c = column(OP_MYSQL_TYPE_TIMESTAMP2);
    c.fsp = 3;
    op_mysql_cell cell;
    /* 2009-02-13 23:31:30.123 UTC = 1234567890 */
    CHECK_STR_EQ(text_of(&c, (const uint8_t *)"\x49\x96\x02\xd2\x04\xce", 6, &cell),
                 "2009-02-13 23:31:30.123");
    CHECK_INT_EQ(cell.unix_seconds, 1234567890);
    CHECK_INT_EQ(cell.usec, 123000);
    rt_value val;
    op_mysql_cell_to_value(&cell, &c, -5 * 3600, NULL, &val);
    CHECK_INT_EQ(val.type, RT_TYPE_DATETIME);
    CHECK_INT_EQ(val.t.day, 13);
    CHECK_INT_EQ(val.t.hour, 18);
    CHECK_INT_EQ(val.t.usec, 123000);
    CHECK_STR_EQ(text_of(&c, (const uint8_t *)"\x00\x00\x00\x00\x00\x00", 6, &cell),
                 "0000-00-00 00:00:00.000"); /* the zero TIMESTAMP */
    op_mysql_cell_to_value(&cell, &c, 3600, NULL, &val);
    CHECK_INT_EQ(val.t.year, 0);
    c = column(OP_MYSQL_TYPE_TIMESTAMP);
    uint32_t secs = 86400 * 365;
    CHECK_STR_EQ(text_of(&c, (const uint8_t *)&secs, 4, NULL), "1971-01-01 00:00:00");
}

TEST(strings_enum_set_and_their_runtime_values)
{
    op_mysql_column c = column(OP_MYSQL_TYPE_STRING);
    c.max_length = 1020; /* CHAR(255) utf8mb4: two length bytes */
    op_mysql_cell cell;
    CHECK_STR_EQ(text_of(&c, (const uint8_t *)"\x04\x00\xf0\x9f\x98", 5, NULL),
                 "ERROR STRING value: truncated");
    CHECK_STR_EQ(text_of(&c, (const uint8_t *)"\x04\x00\xf0\x9f\x98\x80", 6, &cell),
                 "\xf0\x9f\x98\x80");
    CHECK_INT_EQ(cell.value.type, RT_TYPE_STRING);
    c.collation = 63;
    text_of(&c, (const uint8_t *)"\x02\x00\x00\x01", 4, &cell);
    CHECK_INT_EQ(cell.value.type, RT_TYPE_BYTES);
    c = column(OP_MYSQL_TYPE_BLOB);
    c.length_bytes = 4;
    CHECK_STR_EQ(text_of(&c, (const uint8_t *)"\x00\x00\x00\x00", 4, NULL), "");
    CHECK(strncmp(text_of(&c, (const uint8_t *)"\xff\xff\xff\xff", 4, NULL), "ERROR", 5) == 0);
    static const char *const labels[] = {"red", "green", "blue"};
    c = column(OP_MYSQL_TYPE_STRING);
    c.real_type = OP_MYSQL_TYPE_SET;
    c.length_bytes = 1;
    rt_value v;
    rt_buf text;
    rt_buf_init(&text);
    text_of(&c, (const uint8_t *)"\x05", 1, &cell);
    op_mysql_cell_to_value(&cell, &c, 0, &text, &v);
    CHECK_INT_EQ(v.type, RT_TYPE_UINT); /* labels unknown: the bits */
    CHECK_UINT_EQ(v.u, 5);
    c.labels = labels, c.n_labels = 3;
    CHECK_STR_EQ(text_of(&c, (const uint8_t *)"\x05", 1, &cell), "red,blue");
    op_mysql_cell_to_value(&cell, &c, 0, &text, &v);
    CHECK_INT_EQ(v.type, RT_TYPE_STRING);
    CHECK(v.s.len == 8 && memcmp(v.s.ptr, "red,blue", 8) == 0);
    text_of(&c, (const uint8_t *)"\x09", 1, &cell); /* bit 3 has no label */
    op_mysql_cell_to_value(&cell, &c, 0, &text, &v);
    CHECK_INT_EQ(v.type, RT_TYPE_UINT);
    c.real_type = OP_MYSQL_TYPE_ENUM;
    c.length_bytes = 2;
    CHECK_STR_EQ(text_of(&c, (const uint8_t *)"\x02\x00", 2, &cell), "green");
    op_mysql_cell_to_value(&cell, &c, 0, &text, &v);
    CHECK(v.type == RT_TYPE_STRING && v.s.len == 5);
    text_of(&c, (const uint8_t *)"\x00\x00", 2, &cell); /* MySQL's '' for a bad value */
    op_mysql_cell_to_value(&cell, &c, 0, &text, &v);
    CHECK(v.type == RT_TYPE_STRING && v.s.len == 0);
    rt_buf_fini(&text);
    c = column(OP_MYSQL_TYPE_DECIMAL);
    CHECK_STR_CONTAINS(text_of(&c, (const uint8_t *)"1", 1, NULL), "pre-5.0 DECIMAL");
}

static const char *json_text(const uint8_t *b, size_t n)
{
    static char out[1024];
    rt_buf t;
    rt_buf_init(&t);
    rt_err err = {0};
    uint8_t *exact = malloc(n ? n : 1);
    if (n)
        memcpy(exact, b, n);
    if (op_mysql_json_to_text(exact, n, &t, &err) == 0)
        snprintf(out, sizeof out, "%.*s", (int)t.len, t.data ? t.data : "");
    else
        snprintf(out, sizeof out, "ERROR %s", err.msg);
    CHECK(err.code != 0 || t.len > 0);
    free(exact);
    rt_buf_fini(&t);
    return out;
}

TEST(mysql_binary_json_scalars_and_containers)
{
    CHECK_STR_EQ(json_text(NULL, 0), "null");
    CHECK_STR_EQ(json_text((const uint8_t *)"\x04\x01", 2), "true");
    CHECK_STR_EQ(json_text((const uint8_t *)"\x05\x00\x80", 3), "-32768");
    CHECK_STR_EQ(json_text((const uint8_t *)"\x0a\xff\xff\xff\xff\xff\xff\xff\xff", 9),
                 "18446744073709551615");
    double d = 1.0;
    uint8_t db[9] = {0x0b};
    memcpy(db + 1, &d, 8);
    CHECK_STR_EQ(json_text(db, 9), "1.0");
    d = 1e300, memcpy(db + 1, &d, 8);
    CHECK_STR_EQ(json_text(db, 9), "1e300");
    d = 0.1, memcpy(db + 1, &d, 8);
    CHECK_STR_EQ(json_text(db, 9), "0.1");
    /* a string with a quote, a newline and a control character */
    CHECK_STR_EQ(json_text((const uint8_t *)"\x0c\x05\x61\"\n\x01", 6),
                 "ERROR binary JSON: string truncated");
    CHECK_STR_EQ(json_text((const uint8_t *)"\x0c\x04\x61\"\n\x01", 6), "\"a\\\"\\n\\u0001\"");
    /* small array [1, "ab", [true]]: count 3, size; entries (type, value/offset) */
    static const uint8_t arr[] = {0x02, 3, 0, 23,  0,   0x05, 1, 0, 0x0c, 13,   0, 0x02,
                                  16,   0, 2, 'a', 'b', 1,    0, 7, 0,    0x04, 1, 0};
    CHECK_STR_EQ(json_text(arr, sizeof arr), "[1, \"ab\", [true]]");
    /* large object {"k": 70000}: int32 inlined in a large container */
    static const uint8_t obj[] = {0x01, 1, 0, 0, 0,    20,   0,    0,    0,    19, 0,
                                  0,    0, 1, 0, 0x07, 0x70, 0x11, 0x01, 0x00, 'k'};
    CHECK_STR_EQ(json_text(obj, sizeof obj - 1),
                 "ERROR binary JSON: container size exceeds its bytes");
    CHECK_STR_EQ(json_text(obj, sizeof obj), "{\"k\": 70000}");
    /* an element count that cannot fit, and an offset outside the container */
    static const uint8_t bad1[] = {0x02, 0xff, 0xff, 8, 0, 0, 0, 0, 0};
    CHECK(strncmp(json_text(bad1, sizeof bad1), "ERROR", 5) == 0);
    static const uint8_t bad2[] = {0x02, 1, 0, 7, 0, 0x0c, 40, 0};
    CHECK(strncmp(json_text(bad2, sizeof bad2), "ERROR", 5) == 0);
    /* opaque: DECIMAL(6,3) 123.456 as MySQL prints it, and a VARCHAR as base64 */
    CHECK_STR_EQ(json_text((const uint8_t *)"\x0f\xf6\x06\x06\x03\x80\x7b\x01\xc8", 9), "123.456");
    CHECK_STR_EQ(json_text((const uint8_t *)"\x0f\x0f\x01\x55", 4), "\"base64:type15:VQ==\"");
}

TEST(mysql_binary_json_nesting_is_bounded)
{
    /* [[[[...]]]]: each level a one-element small array whose element is at offset 7 */
    for (int depth = 99; depth <= 102; depth++) {
        size_t n = 1 + (size_t)depth * 7 + 4;
        uint8_t *b = calloc(1, n);
        b[0] = 0x02;
        for (int i = 0; i < depth; i++) {
            uint8_t *p = b + 1 + (size_t)i * 7;
            size_t rest = n - 1 - (size_t)i * 7;
            p[0] = 1, p[2] = (uint8_t)rest, p[3] = (uint8_t)(rest >> 8);
            p[4] = i == depth - 1 ? 0x04 : 0x02;
            p[5] = i == depth - 1 ? 1 : 7;
        }
        const char *t = json_text(b, n);
        if (depth <= 100)
            CHECK(t[0] == '[');
        else
            CHECK_STR_EQ(t, "ERROR binary JSON: nested deeper than 100");
        free(b);
    }
}

TEST(json_diffs_of_partial_updates)
{
    /* replace $.a 5, insert $.b[0] "x", remove $.c */
    static const uint8_t diff[] = {26,   0, 0,    0, 0,   3,   '$', '.', 'a', 3,
                                   0x05, 5, 0,    1, 6,   '$', '.', 'b', '[', '0',
                                   ']',  3, 0x0c, 1, 'x', 2,   3,   '$', '.', 'c'};
    rt_buf t;
    rt_buf_init(&t);
    rt_err err = {0};
    size_t used;
    CHECK_OK(op_mysql_json_diff_to_text(diff, sizeof diff, &t, &used, &err), &err);
    CHECK_INT_EQ(used, sizeof diff);
    CHECK_STR_EQ(t.data, "[{\"op\": \"replace\", \"path\": \"$.a\", \"value\": 5}, {\"op\": "
                         "\"insert\", \"path\": \"$.b[0]\", \"value\": \"x\"}, {\"op\": "
                         "\"remove\", \"path\": \"$.c\"}]");
    for (size_t n = 0; n < sizeof diff; n++) {
        rt_buf_reset(&t);
        uint8_t *cut = malloc(n ? n : 1);
        memcpy(cut, diff, n);
        CHECK_INT_EQ(op_mysql_json_diff_to_text(cut, n, &t, &used, &err), RT_ECORRUPT);
        CHECK_INT_EQ(t.len, 0);
        free(cut);
    }
    rt_buf_fini(&t);
}

/* The civil-date conversions both paths share: days_from_civil inverts civil_from_days over
 * TIMESTAMP's range and beyond, and timestamp_civil shifts an instant by an offset across a
 * day, a month and a leap day, keeping the zero TIMESTAMP zero. */
TEST(civil_conversions_round_trip)
{
    size_t bad = 0;
    for (int64_t d = -800000; d <= 2932896; d += 7) { /* 0-03-01 .. 9999-12-31 */
        int y;
        unsigned m, day;
        op_mysql_civil_from_days(d, &y, &m, &day);
        bad += op_mysql_days_from_civil(y, m, day) != d;
    }
    CHECK_UINT_EQ(bad, 0);
    CHECK_INT_EQ(op_mysql_days_from_civil(1970, 1, 1), 0);
    CHECK_INT_EQ(op_mysql_days_from_civil(2024, 2, 29), 19782);
    rt_temporal t;
    /* 2024-02-29 20:00:00.000001 UTC at +08:00 is the next day, 1 March */
    int64_t s = op_mysql_days_from_civil(2024, 2, 29) * 86400 + 20 * 3600;
    op_mysql_timestamp_civil(s, 1, 8 * 3600, &t);
    CHECK(t.year == 2024 && t.month == 3 && t.day == 1 && t.hour == 4 && t.minute == 0 &&
          t.second == 0 && t.usec == 1);
    /* 1970-01-01 00:00:01 UTC at -05:00 is still 1969 */
    op_mysql_timestamp_civil(1, 0, -5 * 3600, &t);
    CHECK(t.year == 1969 && t.month == 12 && t.day == 31 && t.hour == 19 && t.second == 1);
    op_mysql_timestamp_civil(0, 0, 8 * 3600, &t);
    CHECK(t.year == 0 && t.month == 0 && t.day == 0 && t.hour == 0);
}

TEST_MAIN()
