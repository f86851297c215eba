/* Typed column values: their exact changelog JSON form, equality, and the stable hash that hash
 * distribution routes records by. */
#include "runtime/value.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "runtime/base/errors.h"

/* 2^53: the largest magnitude below which every integer is exact in an IEEE double, so JSON
 * readers that parse numbers as doubles (JavaScript, jq) still read the value exactly. */
#define JSON_SAFE_INT (INT64_C(1) << 53)

const char *rt_type_name(rt_type t)
{
    switch (t) {
    case RT_TYPE_NULL:
        return "null";
    case RT_TYPE_INT:
        return "int";
    case RT_TYPE_UINT:
        return "uint";
    case RT_TYPE_DOUBLE:
        return "double";
    case RT_TYPE_DECIMAL:
        return "decimal";
    case RT_TYPE_STRING:
        return "string";
    case RT_TYPE_BYTES:
        return "bytes";
    case RT_TYPE_DATE:
        return "date";
    case RT_TYPE_TIME:
        return "time";
    case RT_TYPE_DATETIME:
        return "datetime";
    case RT_TYPE_JSON:
        return "json";
    }
    return "?";
}

/* Writes v as exactly `width` decimal digits (zero-padded) at p; v must fit. */
static char *put_digits(char *p, unsigned v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + width;
}

static bool date_in_range(const rt_temporal *t)
{
    return t->year >= 0 && t->year <= 9999 && t->month <= 99 && t->day <= 99;
}

static bool clock_in_range(const rt_temporal *t, unsigned max_hour)
{
    return t->hour <= max_hour && t->minute <= 99 && t->second <= 99 && t->usec <= 999999;
}

/* The fixed-width fast path covers every value MySQL can hold; anything else (a corrupt or
 * hand-built value) still prints, through snprintf, so the output stays valid JSON. */
static void format_date(const rt_temporal *t, rt_buf *out)
{
    if (!date_in_range(t)) {
        rt_buf_appendf(out, "\"%04d-%02u-%02u\"", t->year, t->month, t->day);
        return;
    }
    char *p = rt_buf_reserve(out, 12), *s = p;
    *p++ = '"';
    p = put_digits(p, (unsigned)t->year, 4);
    *p++ = '-';
    p = put_digits(p, t->month, 2);
    *p++ = '-';
    p = put_digits(p, t->day, 2);
    *p++ = '"';
    rt_buf_advance(out, (size_t)(p - s));
}

static void format_time(const rt_temporal *t, rt_buf *out)
{
    if (!clock_in_range(t, 999)) {
        rt_buf_appendf(out, "\"%s%02u:%02u:%02u.%06u\"", t->neg ? "-" : "", t->hour, t->minute,
                       t->second, (unsigned)t->usec);
        return;
    }
    char *p = rt_buf_reserve(out, 20), *s = p;
    *p++ = '"';
    if (t->neg)
        *p++ = '-';
    p = put_digits(p, t->hour, t->hour >= 100 ? 3 : 2);
    *p++ = ':';
    p = put_digits(p, t->minute, 2);
    *p++ = ':';
    p = put_digits(p, t->second, 2);
    *p++ = '.';
    p = put_digits(p, t->usec, 6);
    *p++ = '"';
    rt_buf_advance(out, (size_t)(p - s));
}

static void format_datetime(const rt_temporal *t, rt_buf *out)
{
    if (!date_in_range(t) || !clock_in_range(t, 99)) {
        rt_buf_appendf(out, "\"%04d-%02u-%02u %02u:%02u:%02u.%06u\"", t->year, t->month, t->day,
                       t->hour, t->minute, t->second, (unsigned)t->usec);
        return;
    }
    char *p = rt_buf_reserve(out, 28), *s = p;
    *p++ = '"';
    p = put_digits(p, (unsigned)t->year, 4);
    *p++ = '-';
    p = put_digits(p, t->month, 2);
    *p++ = '-';
    p = put_digits(p, t->day, 2);
    *p++ = ' ';
    p = put_digits(p, t->hour, 2);
    *p++ = ':';
    p = put_digits(p, t->minute, 2);
    *p++ = ':';
    p = put_digits(p, t->second, 2);
    *p++ = '.';
    p = put_digits(p, t->usec, 6);
    *p++ = '"';
    rt_buf_advance(out, (size_t)(p - s));
}

static void format_double(double d, rt_buf *out)
{
    if (isnan(d)) {
        rt_buf_append_str(out, "\"NaN\"");
        return;
    }
    if (isinf(d)) {
        rt_buf_append_str(out, d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
        return;
    }
    /* %.17g round-trips every double and always yields a JSON number ("1", "-0", "1e+20",
     * "0.10000000000000001"): no trailing dot, no leading zeros in the exponent matter to JSON.
     * A locale with a decimal comma would break that, so the separator is forced to '.'. */
    char tmp[40];
    int n = snprintf(tmp, sizeof tmp, "%.17g", d);
    for (int i = 0; i < n; i++) {
        if (tmp[i] == ',')
            tmp[i] = '.';
    }
    rt_buf_append(out, tmp, (size_t)n);
}

static void format_json_str(const rt_value *v, rt_buf *out)
{
    rt_buf_append_json_str(out, v->s.ptr ? v->s.ptr : "", v->s.ptr ? v->s.len : 0);
}

void rt_value_format_json(const rt_value *v, rt_buf *out)
{
    switch ((rt_type)v->type) {
    case RT_TYPE_NULL:
        rt_buf_append(out, "null", 4);
        return;
    case RT_TYPE_INT:
        if (v->i >= -JSON_SAFE_INT && v->i <= JSON_SAFE_INT) {
            rt_buf_append_i64(out, v->i);
        } else {
            rt_buf_append_char(out, '"');
            rt_buf_append_i64(out, v->i);
            rt_buf_append_char(out, '"');
        }
        return;
    case RT_TYPE_UINT:
        if (v->u <= (uint64_t)JSON_SAFE_INT) {
            rt_buf_append_u64(out, v->u);
        } else {
            rt_buf_append_char(out, '"');
            rt_buf_append_u64(out, v->u);
            rt_buf_append_char(out, '"');
        }
        return;
    case RT_TYPE_DOUBLE:
        format_double(v->d, out);
        return;
    case RT_TYPE_DECIMAL:
    case RT_TYPE_STRING:
    case RT_TYPE_JSON:
        format_json_str(v, out);
        return;
    case RT_TYPE_BYTES:
        rt_buf_append_char(out, '"');
        rt_buf_append_base64(out, v->s.ptr ? v->s.ptr : "", v->s.ptr ? v->s.len : 0);
        rt_buf_append_char(out, '"');
        return;
    case RT_TYPE_DATE:
        format_date(&v->t, out);
        return;
    case RT_TYPE_TIME:
        format_time(&v->t, out);
        return;
    case RT_TYPE_DATETIME:
        format_datetime(&v->t, out);
        return;
    }
    RT_BUG("rt_value_format_json: unknown value type %u", v->type);
}

static bool is_text(rt_type t)
{
    return t == RT_TYPE_DECIMAL || t == RT_TYPE_STRING || t == RT_TYPE_BYTES || t == RT_TYPE_JSON;
}

static bool same_date(const rt_temporal *a, const rt_temporal *b)
{
    return a->year == b->year && a->month == b->month && a->day == b->day;
}

static bool same_clock(const rt_temporal *a, const rt_temporal *b)
{
    return a->hour == b->hour && a->minute == b->minute && a->second == b->second &&
           a->usec == b->usec;
}

/* Only the fields a type uses take part, so a DATE built with stray clock fields still equals
 * (and hashes like) the same date read from a binlog. */
bool rt_value_equal(const rt_value *a, const rt_value *b)
{
    if (a->type != b->type)
        return false;
    switch ((rt_type)a->type) {
    case RT_TYPE_NULL:
        return true;
    case RT_TYPE_INT:
        return a->i == b->i;
    case RT_TYPE_UINT:
        return a->u == b->u;
    case RT_TYPE_DOUBLE:
        /* NaN equals NaN here: equality groups records, it is not SQL comparison. */
        return a->d == b->d || (isnan(a->d) && isnan(b->d));
    case RT_TYPE_DATE:
        return same_date(&a->t, &b->t);
    case RT_TYPE_TIME:
        return a->t.neg == b->t.neg && same_clock(&a->t, &b->t);
    case RT_TYPE_DATETIME:
        return same_date(&a->t, &b->t) && same_clock(&a->t, &b->t);
    default:
        break;
    }
    if (is_text((rt_type)a->type))
        return a->s.len == b->s.len && (a->s.len == 0 || memcmp(a->s.ptr, b->s.ptr, a->s.len) == 0);
    return false;
}

/* The hash: every 64-bit word of content is folded into the state with the murmur3 finalizer
 * (a full avalanche), starting from the seed mixed with the type tag. Multi-byte loads are
 * little-endian by construction, so the result is the same on every platform and across runs
 * (records must land on the same subtask after a restart). Integers hash by value within their
 * type: INT 5 and UINT 5 differ, which is fine since a column has one type. */
static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    x ^= x >> 33;
    return x;
}

static uint64_t fold(uint64_t h, uint64_t word)
{
    return mix64(h ^ mix64(word + UINT64_C(0x9e3779b97f4a7c15)));
}

static uint64_t load_le64(const unsigned char *p, size_t n)
{
    uint64_t w = 0;
    for (size_t i = 0; i < n; i++)
        w |= (uint64_t)p[i] << (8 * i);
    return w;
}

static uint64_t hash_bytes(uint64_t h, const char *ptr, size_t len)
{
    const unsigned char *p = (const unsigned char *)ptr;
    size_t i = 0;
    for (; i + 8 <= len; i += 8)
        h = fold(h, load_le64(p + i, 8));
    if (i < len)
        h = fold(h, load_le64(p + i, len - i));
    return fold(h, (uint64_t)len);
}

static uint64_t temporal_word(const rt_temporal *t, bool date, bool clock)
{
    uint64_t w = 0;
    if (date)
        w |= (uint64_t)(uint16_t)t->year << 48 | (uint64_t)t->month << 40 | (uint64_t)t->day << 32;
    if (clock) {
        /* hour 0..838 (10 bits) + minute + second in 22 bits; usec gets a word of its own. */
        w |= (uint64_t)(t->hour & 0x3ff) << 12 | (uint64_t)(t->minute & 0x3f) << 6 |
             (uint64_t)(t->second & 0x3f);
    }
    return w;
}

uint64_t rt_value_hash(const rt_value *v, uint64_t seed)
{
    uint64_t h = fold(seed, v->type);
    switch ((rt_type)v->type) {
    case RT_TYPE_NULL:
        return h;
    case RT_TYPE_INT:
        return fold(h, (uint64_t)v->i);
    case RT_TYPE_UINT:
        return fold(h, v->u);
    case RT_TYPE_DOUBLE: {
        double d = v->d;
        uint64_t bits;
        if (d == 0)
            d = 0; /* -0.0 equals 0.0, so it must hash alike */
        if (isnan(d))
            bits = UINT64_C(0x7ff8000000000000);
        else
            memcpy(&bits, &d, sizeof bits);
        return fold(h, bits);
    }
    case RT_TYPE_DATE:
        return fold(h, temporal_word(&v->t, true, false));
    case RT_TYPE_TIME:
        h = fold(h, temporal_word(&v->t, false, true) | (uint64_t)(v->t.neg != 0) << 63);
        return fold(h, v->t.usec);
    case RT_TYPE_DATETIME:
        h = fold(h, temporal_word(&v->t, true, true));
        return fold(h, v->t.usec);
    default:
        break;
    }
    if (is_text((rt_type)v->type))
        return hash_bytes(h, v->s.ptr, v->s.len);
    return h;
}
