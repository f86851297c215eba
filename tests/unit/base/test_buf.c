/* Tests of runtime/base/buf: growth, JSON string escaping with UTF-8 validation, base64 and the
 * integer appenders. */
#include "runtime/base/buf.h"

#include <jansson.h>
#include <stdlib.h>

#include "tests/harness/test.h"

/* The JSON text rt_buf_append_json_str writes for len bytes of s. Static; one at a time. */
static const char *json_of(const char *s, size_t len)
{
    static char out[512];
    rt_buf b;
    rt_buf_init(&b);
    rt_buf_append_json_str(&b, s, len);
    snprintf(out, sizeof out, "%s", b.data);
    rt_buf_fini(&b);
    return out;
}

#define JSON_OF(lit) json_of((lit), sizeof(lit) - 1)

TEST(append_grows_and_stays_terminated)
{
    rt_buf b;
    rt_buf_init(&b);
    CHECK(b.data == NULL);
    for (int i = 0; i < 1000; i++)
        rt_buf_append_str(&b, "0123456789");
    CHECK_UINT_EQ(b.len, 10000);
    CHECK(b.cap > b.len);
    CHECK_INT_EQ(b.data[b.len], '\0');
    CHECK(memcmp(b.data + 9990, "0123456789", 10) == 0);
    rt_buf_append_char(&b, '!');
    CHECK_STR_EQ(b.data + 9995, "56789!");
    size_t cap = b.cap;
    rt_buf_reset(&b);
    CHECK_UINT_EQ(b.len, 0);
    CHECK_STR_EQ(b.data, "");
    CHECK_UINT_EQ(b.cap, cap);
    rt_buf_fini(&b);
    CHECK(b.data == NULL);
    rt_buf_fini(&b); /* fini twice is harmless */
}

TEST(growth_doubles)
{
    rt_buf b;
    rt_buf_init(&b);
    int reallocs = 0;
    size_t cap = 0;
    for (int i = 0; i < 100000; i++) {
        rt_buf_append_char(&b, 'x');
        if (b.cap != cap) {
            CHECK(cap == 0 || b.cap >= 2 * cap);
            cap = b.cap;
            reallocs++;
        }
    }
    CHECK(reallocs < 20);
    rt_buf_fini(&b);
}

TEST(reserve_and_advance)
{
    rt_buf b;
    rt_buf_init(&b);
    rt_buf_append_str(&b, "ab");
    char *p = rt_buf_reserve(&b, 100);
    CHECK(b.cap >= 103);
    memcpy(p, "cdef", 4);
    rt_buf_advance(&b, 3);
    CHECK_STR_EQ(b.data, "abcde");
    CHECK_UINT_EQ(b.len, 5);
    rt_buf_fini(&b);
}

TEST(appendf_long_and_short)
{
    rt_buf b;
    rt_buf_init(&b);
    rt_buf_appendf(&b, "%d-%s", 42, "x");
    CHECK_STR_EQ(b.data, "42-x");
    char big[5000];
    memset(big, 'y', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    rt_buf_appendf(&b, "[%s]", big);
    CHECK_UINT_EQ(b.len, 4 + 2 + 4999);
    CHECK_INT_EQ(b.data[b.len - 1], ']');
    CHECK_INT_EQ(b.data[b.len], '\0');
    rt_buf_appendf(&b, "%s", "");
    CHECK_UINT_EQ(b.len, 4 + 2 + 4999);
    rt_buf_fini(&b);
}

TEST(take_returns_memory_and_empties)
{
    rt_buf b;
    rt_buf_init(&b);
    char *empty = rt_buf_take(&b);
    CHECK(empty != NULL);
    CHECK_STR_EQ(empty, "");
    free(empty);
    rt_buf_append_str(&b, "hello");
    char *s = rt_buf_take(&b);
    CHECK_STR_EQ(s, "hello");
    CHECK(b.data == NULL);
    CHECK_UINT_EQ(b.len, 0);
    free(s);
}

TEST(json_str_escapes)
{
    CHECK_STR_EQ(JSON_OF(""), "\"\"");
    CHECK_STR_EQ(JSON_OF("plain"), "\"plain\"");
    CHECK_STR_EQ(JSON_OF("a\"b\\c/d"), "\"a\\\"b\\\\c/d\"");
    CHECK_STR_EQ(JSON_OF("\b\f\n\r\t"), "\"\\b\\f\\n\\r\\t\"");
    CHECK_STR_EQ(JSON_OF("\x01\x1f"), "\"\\u0001\\u001f\"");
    /* an embedded NUL is data, not the end */
    CHECK_STR_EQ(JSON_OF("a\0b"), "\"a\\u0000b\"");
}

TEST(json_str_keeps_valid_utf8)
{
    CHECK_STR_EQ(JSON_OF("≥ é 𝄞"), "\"≥ é 𝄞\"");
    CHECK_STR_EQ(JSON_OF("\xc2\x80"), "\"\xc2\x80\"");         /* U+0080, smallest 2-byte */
    CHECK_STR_EQ(JSON_OF("\xed\x9f\xbf"), "\"\xed\x9f\xbf\""); /* U+D7FF, below surrogates */
    CHECK_STR_EQ(JSON_OF("\xee\x80\x80"), "\"\xee\x80\x80\""); /* U+E000, above surrogates */
    CHECK_STR_EQ(JSON_OF("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\""); /* U+10FFFF */
}

TEST(json_str_escapes_each_invalid_byte)
{
    CHECK_STR_EQ(JSON_OF("\xc0\xaf"), "\"\\u00c0\\u00af\"");            /* overlong '/' */
    CHECK_STR_EQ(JSON_OF("\xc1\xbf"), "\"\\u00c1\\u00bf\"");            /* overlong */
    CHECK_STR_EQ(JSON_OF("\xe0\x80\xaf"), "\"\\u00e0\\u0080\\u00af\""); /* overlong 3-byte */
    CHECK_STR_EQ(JSON_OF("\xf0\x80\x80\xaf"), "\"\\u00f0\\u0080\\u0080\\u00af\"");
    CHECK_STR_EQ(JSON_OF("\xed\xa0\x80"), "\"\\u00ed\\u00a0\\u0080\""); /* surrogate D800 */
    CHECK_STR_EQ(JSON_OF("\xf4\x90\x80\x80"), "\"\\u00f4\\u0090\\u0080\\u0080\""); /* > 10FFFF */
    CHECK_STR_EQ(JSON_OF("\xf5\x80"), "\"\\u00f5\\u0080\"");
    CHECK_STR_EQ(JSON_OF("\xff"), "\"\\u00ff\"");
    CHECK_STR_EQ(JSON_OF("a\x80z"), "\"a\\u0080z\""); /* lone continuation */
    /* truncated sequences: at the end, and cut short by an ASCII byte */
    CHECK_STR_EQ(JSON_OF("\xe2\x82"), "\"\\u00e2\\u0082\"");
    CHECK_STR_EQ(JSON_OF("\xe2\x82x"), "\"\\u00e2\\u0082x\"");
    CHECK_STR_EQ(JSON_OF("\xf0\x9f\x98"), "\"\\u00f0\\u009f\\u0098\"");
    /* a sequence cut by len is truncated even when the bytes after len would complete it */
    CHECK_STR_EQ(json_of("\xe2\x82\xac", 2), "\"\\u00e2\\u0082\"");
    CHECK_STR_EQ(json_of("\xf0\x9f\x98\x80", 3), "\"\\u00f0\\u009f\\u0098\"");
    /* the bytes after an invalid one are decoded afresh */
    CHECK_STR_EQ(JSON_OF("\xe2\xc3\xa9"), "\"\\u00e2\xc3\xa9\"");
}

TEST(json_str_output_is_valid_json)
{
    /* Every byte value, alone and in pairs: jansson must accept each result. */
    char in[2];
    for (int a = 0; a < 256; a++) {
        for (int c = 0; c < 256; c += 17) {
            in[0] = (char)a;
            in[1] = (char)c;
            rt_buf b;
            rt_buf_init(&b);
            rt_buf_append_json_str(&b, in, 2);
            json_error_t je;
            json_t *v = json_loads(b.data, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
            if (!v)
                test_fail(__FILE__, __LINE__, "bytes %02x %02x -> %s: %s", a, c, b.data, je.text);
            json_decref(v);
            rt_buf_fini(&b);
        }
    }
    /* and a valid string round-trips unchanged */
    const char *s = "tab\there \"q\" ≥ 𝄞 \\ end";
    rt_buf b;
    rt_buf_init(&b);
    rt_buf_append_json_str(&b, s, strlen(s));
    json_t *v = json_loads(b.data, JSON_DECODE_ANY, NULL);
    CHECK(v && json_is_string(v));
    if (v)
        CHECK_STR_EQ(json_string_value(v), s);
    json_decref(v);
    rt_buf_fini(&b);
}

static const char *b64(const char *s)
{
    static char out[128];
    rt_buf b;
    rt_buf_init(&b);
    rt_buf_append_str(&b, "<");
    rt_buf_append_base64(&b, s, strlen(s));
    rt_buf_append_str(&b, ">");
    snprintf(out, sizeof out, "%s", b.data);
    rt_buf_fini(&b);
    return out;
}

TEST(base64_rfc4648_vectors)
{
    CHECK_STR_EQ(b64(""), "<>");
    CHECK_STR_EQ(b64("f"), "<Zg==>");
    CHECK_STR_EQ(b64("fo"), "<Zm8=>");
    CHECK_STR_EQ(b64("foo"), "<Zm9v>");
    CHECK_STR_EQ(b64("foob"), "<Zm9vYg==>");
    CHECK_STR_EQ(b64("fooba"), "<Zm9vYmE=>");
    CHECK_STR_EQ(b64("foobar"), "<Zm9vYmFy>");
    CHECK_STR_EQ(b64("user:pass"), "<dXNlcjpwYXNz>");
}

TEST(base64_uses_plus_and_slash)
{
    const unsigned char bytes[] = {0xfb, 0xff, 0xbf, 0x00};
    rt_buf b;
    rt_buf_init(&b);
    rt_buf_append_base64(&b, bytes, 4);
    CHECK_STR_EQ(b.data, "+/+/AA==");
    rt_buf_fini(&b);
}

static const char *i64s(int64_t v)
{
    static char out[64];
    rt_buf b;
    rt_buf_init(&b);
    rt_buf_append_i64(&b, v);
    snprintf(out, sizeof out, "%s", b.data);
    rt_buf_fini(&b);
    return out;
}

static const char *u64s(uint64_t v)
{
    static char out[64];
    rt_buf b;
    rt_buf_init(&b);
    rt_buf_append_u64(&b, v);
    snprintf(out, sizeof out, "%s", b.data);
    rt_buf_fini(&b);
    return out;
}

TEST(integers)
{
    CHECK_STR_EQ(i64s(0), "0");
    CHECK_STR_EQ(i64s(7), "7");
    CHECK_STR_EQ(i64s(-7), "-7");
    CHECK_STR_EQ(i64s(1234567890123), "1234567890123");
    CHECK_STR_EQ(i64s(INT64_MAX), "9223372036854775807");
    CHECK_STR_EQ(i64s(INT64_MIN), "-9223372036854775808");
    CHECK_STR_EQ(u64s(0), "0");
    CHECK_STR_EQ(u64s(10), "10");
    CHECK_STR_EQ(u64s(UINT64_MAX), "18446744073709551615");
    /* agree with printf over a spread of values */
    char want[32];
    for (int64_t v = 1; v > 0 && v < INT64_MAX / 3; v = v * 3 + 1) {
        snprintf(want, sizeof want, "%" PRId64, -v);
        CHECK_STR_EQ(i64s(-v), want);
    }
}

TEST(appends_after_existing_text)
{
    rt_buf b;
    rt_buf_init(&b);
    rt_buf_append_str(&b, "n=");
    rt_buf_append_i64(&b, -5);
    rt_buf_append_str(&b, " s=");
    rt_buf_append_json_str(&b, "x", 1);
    rt_buf_append_str(&b, " b=");
    rt_buf_append_base64(&b, "hi", 2);
    rt_buf_append(&b, "", 0);
    CHECK_STR_EQ(b.data, "n=-5 s=\"x\" b=aGk=");
    rt_buf_fini(&b);
}

TEST_MAIN()
