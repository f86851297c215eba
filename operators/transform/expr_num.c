/* Exact decimals as scaled 128-bit integers (at most 38 digits, like StarRocks' DECIMAL128),
 * temporal parsing and ordering, and the text form of values, for the expression evaluator. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operators/transform/expr_int.h"

#define P10(x) ((__int128)(x))
#define E19 ((__int128)10000000000000000000ULL)
const __int128 expr_pow10[DEC_MAX_DIGITS + 1] = {
    P10(1ULL),
    P10(10ULL),
    P10(100ULL),
    P10(1000ULL),
    P10(10000ULL),
    P10(100000ULL),
    P10(1000000ULL),
    P10(10000000ULL),
    P10(100000000ULL),
    P10(1000000000ULL),
    P10(10000000000ULL),
    P10(100000000000ULL),
    P10(1000000000000ULL),
    P10(10000000000000ULL),
    P10(100000000000000ULL),
    P10(1000000000000000ULL),
    P10(10000000000000000ULL),
    P10(100000000000000000ULL),
    P10(1000000000000000000ULL),
    E19,
    E19 * 10,
    E19 * 100,
    E19 * 1000,
    E19 * 10000,
    E19 * 100000,
    E19 * 1000000,
    E19 * 10000000,
    E19 * 100000000,
    E19 * 1000000000,
    E19 * 10000000000ULL,
    E19 * 100000000000ULL,
    E19 * 1000000000000ULL,
    E19 * 10000000000000ULL,
    E19 * 100000000000000ULL,
    E19 * 1000000000000000ULL,
    E19 * 10000000000000000ULL,
    E19 * 100000000000000000ULL,
    E19 * 1000000000000000000ULL,
    E19 *E19,
};

int expr_dec_parse(const char *s, size_t len, __int128 *v, uint8_t *scale)
{
    size_t i = 0;
    while (i < len && s[i] == ' ')
        i++;
    bool neg = false;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    __int128 acc = 0;
    int digits = 0, sc = 0, seen = 0;
    bool dot = false;
    for (; i < len; i++) {
        char ch = s[i];
        if (ch == '.' && !dot) {
            dot = true;
            continue;
        }
        if (!isdigit((unsigned char)ch))
            break;
        seen++;
        if (dot)
            sc++;
        /* Leading zeros do not count against the 38 digits. */
        if (acc == 0 && ch == '0') {
            if (dot && sc > DEC_MAX_DIGITS)
                return -2;
            continue;
        }
        if (++digits > DEC_MAX_DIGITS || sc > DEC_MAX_DIGITS)
            return -2;
        acc = acc * 10 + (ch - '0');
    }
    while (i < len && s[i] == ' ')
        i++;
    if (i != len || seen == 0)
        return -1;
    *v = neg ? -acc : acc;
    *scale = (uint8_t)sc;
    return 0;
}

int expr_num_parse(const char *s, size_t len, xv *out)
{
    __int128 v;
    uint8_t sc;
    int rc = expr_dec_parse(s, len, &v, &sc);
    if (rc == 0) {
        out->type = RT_TYPE_DECIMAL;
        out->dec = v;
        out->scale = sc;
        return 0;
    }
    /* An exponent or more digits than a decimal holds: read it as a double, whole text only. */
    char buf[128];
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = 0;
    char *end = NULL;
    const char *b = buf;
    while (*b == ' ')
        b++;
    if (!*b || !(isdigit((unsigned char)*b) || *b == '.' || *b == '-' || *b == '+'))
        return -1; /* strtod would also accept "inf", "nan" and hex */
    double d = strtod(b, &end);
    const char *stop = end;
    while (end && *end == ' ')
        end++;
    if (!end || *end || stop == b)
        return -1;
    /* Plain digits, sign, point and exponent only: strtod also reads "inf", "nan" and hex. */
    for (const char *q = b; q < stop; q++) {
        if (!isdigit((unsigned char)*q) && !strchr(".eE+-", *q))
            return -1;
    }
    if (!isfinite(d))
        return -1; /* "1e400" */
    out->type = RT_TYPE_DOUBLE;
    out->d = d;
    return 0;
}

size_t expr_dec_format(__int128 v, int scale, char *buf)
{
    char tmp[48];
    size_t n = 0;
    bool neg = v < 0;
    unsigned __int128 u = neg ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;
    do {
        tmp[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    while ((int)n <= scale)
        tmp[n++] = '0';
    size_t o = 0;
    if (neg)
        buf[o++] = '-';
    for (size_t k = n; k-- > 0;) {
        buf[o++] = tmp[k];
        if ((int)k == scale && scale > 0)
            buf[o++] = '.';
    }
    buf[o] = 0;
    return o;
}

int expr_dec_rescale(__int128 v, int from, int to, __int128 *out)
{
    if (to == from) {
        *out = v;
        return 0;
    }
    if (to > from) {
        int k = to - from;
        if (k > DEC_MAX_DIGITS)
            return v == 0 ? (*out = 0, 0) : -1;
        __int128 lim = expr_pow10[DEC_MAX_DIGITS - k];
        if (v >= lim || v <= -lim)
            return -1;
        *out = v * expr_pow10[k];
        return 0;
    }
    int k = from - to;
    if (k > DEC_MAX_DIGITS) {
        *out = 0;
        return 0;
    }
    __int128 p = expr_pow10[k], q = v / p, r = v % p;
    /* Half away from zero, as MySQL rounds DECIMAL. */
    if (r > 0 && r >= p - r)
        q++;
    else if (r < 0 && -r >= p + r)
        q--;
    *out = q;
    return 0;
}

double expr_dec_to_double(__int128 v, int scale)
{
    /* Through text, so 0.1 reads as the double nearest 0.1 and not a product of two roundings. */
    char buf[48];
    expr_dec_format(v, scale, buf);
    return strtod(buf, NULL);
}

int expr_dec_digits(__int128 v)
{
    if (v < 0)
        v = -v;
    int d = 1;
    while (d < DEC_MAX_DIGITS + 1 && v >= expr_pow10[d])
        d++;
    return d;
}

void expr_to_dec(const xv *v, __int128 *d, uint8_t *scale)
{
    switch (v->type) {
    case RT_TYPE_INT:
        *d = v->i;
        *scale = 0;
        return;
    case RT_TYPE_UINT:
        *d = (__int128)v->u;
        *scale = 0;
        return;
    case RT_TYPE_DECIMAL:
        *d = v->dec;
        *scale = v->scale;
        return;
    default:
        RT_BUG("expr_to_dec: type %u", v->type);
    }
}

double expr_to_double(const xv *v)
{
    switch (v->type) {
    case RT_TYPE_INT:
        return (double)v->i;
    case RT_TYPE_UINT:
        return (double)v->u;
    case RT_TYPE_DOUBLE:
        return v->d;
    case RT_TYPE_DECIMAL:
        return expr_dec_to_double(v->dec, v->scale);
    default:
        RT_BUG("expr_to_double: type %u", v->type);
    }
}

/* Reads exactly n digits at s[*i]. */
static bool digits(const char *s, size_t len, size_t *i, int n, unsigned *v)
{
    unsigned acc = 0;
    for (int k = 0; k < n; k++) {
        if (*i >= len || !isdigit((unsigned char)s[*i]))
            return false;
        acc = acc * 10 + (unsigned)(s[(*i)++] - '0');
    }
    *v = acc;
    return true;
}

/* hh:mm[:ss[.ffffff]] with hour up to max_hour (1 or 2 digits, 3 for TIME). */
static bool parse_clock(const char *s, size_t len, size_t *i, unsigned max_hour, rt_temporal *t)
{
    unsigned h = 0, mi = 0, se = 0, us = 0;
    size_t start = *i;
    while (*i < len && isdigit((unsigned char)s[*i]) && *i - start < 3)
        h = h * 10 + (unsigned)(s[(*i)++] - '0');
    if (*i == start || h > max_hour || *i >= len || s[*i] != ':')
        return false;
    (*i)++;
    if (!digits(s, len, i, 2, &mi) || mi > 59)
        return false;
    if (*i < len && s[*i] == ':') {
        (*i)++;
        if (!digits(s, len, i, 2, &se) || se > 59)
            return false;
        if (*i < len && s[*i] == '.') {
            (*i)++;
            int n = 0;
            while (*i < len && isdigit((unsigned char)s[*i])) {
                if (n < 6) {
                    us = us * 10 + (unsigned)(s[*i] - '0');
                    n++;
                }
                (*i)++;
            }
            if (n == 0)
                return false;
            for (; n < 6; n++)
                us *= 10;
        }
    }
    t->hour = (uint16_t)h;
    t->minute = (uint8_t)mi;
    t->second = (uint8_t)se;
    t->usec = us;
    return true;
}

static bool valid_date(unsigned y, unsigned m, unsigned d)
{
    static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y == 0 && m == 0 && d == 0)
        return true; /* MySQL's zero date */
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(m == 2 && d == 29 && !leap);
}

int expr_temporal_parse(const char *s, size_t len, rt_type want, rt_temporal *t)
{
    size_t i = 0;
    rt_temporal r = {0};
    while (len > 0 && s[len - 1] == ' ')
        len--;
    while (i < len && s[i] == ' ')
        i++;
    if (want == RT_TYPE_TIME) {
        if (i < len && s[i] == '-') {
            r.neg = 1;
            i++;
        }
        if (!parse_clock(s, len, &i, 838, &r) || i != len)
            return -1;
        *t = r;
        return 0;
    }
    unsigned y, m, d;
    if (!digits(s, len, &i, 4, &y) || i >= len || s[i++] != '-' || !digits(s, len, &i, 2, &m) ||
        i >= len || s[i++] != '-' || !digits(s, len, &i, 2, &d) || !valid_date(y, m, d))
        return -1;
    r.year = (int16_t)y;
    r.month = (uint8_t)m;
    r.day = (uint8_t)d;
    if (i < len) {
        if (s[i] != ' ' && s[i] != 'T')
            return -1;
        i++;
        if (!parse_clock(s, len, &i, 23, &r))
            return -1;
    }
    if (i != len)
        return -1;
    if (want == RT_TYPE_DATE) {
        /* CAST('2024-01-31 10:00:00' AS DATE) keeps the date, as MySQL does. */
        r.hour = r.minute = r.second = 0;
        r.usec = 0;
    }
    *t = r;
    return 0;
}

int64_t expr_temporal_key(rt_type type, const rt_temporal *t)
{
    int64_t clock = (((int64_t)t->hour * 60 + t->minute) * 60 + t->second) * 1000000 + t->usec;
    if (type == RT_TYPE_TIME)
        return t->neg ? -clock : clock;
    int64_t day = ((int64_t)t->year * 13 + t->month) * 32 + t->day;
    if (type == RT_TYPE_DATE)
        clock = 0;
    return day * INT64_C(86400000000) + clock;
}

void expr_to_text(const xv *v, char *buf, const char **p, size_t *len)
{
    int n = 0;
    const rt_temporal *t = &v->t;
    switch ((rt_type)v->type) {
    case RT_TYPE_STRING:
    case RT_TYPE_BYTES:
    case RT_TYPE_JSON:
        *p = v->s.p;
        *len = v->s.len;
        return;
    case RT_TYPE_NULL:
        n = 0;
        break;
    case RT_TYPE_INT:
        n = snprintf(buf, 64, "%lld", (long long)v->i);
        break;
    case RT_TYPE_UINT:
        n = snprintf(buf, 64, "%llu", (unsigned long long)v->u);
        break;
    case RT_TYPE_DOUBLE:
        /* The changelog's form (runtime/value.c): 17 significant digits, names for non-finite. */
        if (isnan(v->d))
            n = snprintf(buf, 64, "NaN");
        else if (isinf(v->d))
            n = snprintf(buf, 64, "%s", v->d > 0 ? "Infinity" : "-Infinity");
        else
            n = snprintf(buf, 64, "%.17g", v->d);
        for (int k = 0; k < n; k++) {
            if (buf[k] == ',')
                buf[k] = '.';
        }
        break;
    case RT_TYPE_DECIMAL:
        n = (int)expr_dec_format(v->dec, v->scale, buf);
        break;
    case RT_TYPE_DATE:
        n = snprintf(buf, 64, "%04d-%02u-%02u", t->year, t->month, t->day);
        break;
    case RT_TYPE_TIME:
        n = snprintf(buf, 64, "%s%02u:%02u:%02u.%06u", t->neg ? "-" : "", t->hour, t->minute,
                     t->second, (unsigned)t->usec);
        break;
    case RT_TYPE_DATETIME:
        n = snprintf(buf, 64, "%04d-%02u-%02u %02u:%02u:%02u.%06u", t->year, t->month, t->day,
                     t->hour, t->minute, t->second, (unsigned)t->usec);
        break;
    }
    *p = buf;
    *len = n > 0 ? (size_t)n : 0;
}

size_t expr_utf8_count(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        /* Continuation bytes (10xxxxxx) do not start a character. */
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    }
    return n;
}

int expr_xv_from_value(const rt_value *v, xv *out)
{
    xv x = {.type = v->type};
    switch ((rt_type)v->type) {
    case RT_TYPE_NULL:
        break;
    case RT_TYPE_INT:
        x.i = v->i;
        break;
    case RT_TYPE_UINT:
        x.u = v->u;
        break;
    case RT_TYPE_DOUBLE:
        x.d = v->d;
        break;
    case RT_TYPE_DECIMAL:
        if (expr_dec_parse(v->s.ptr, v->s.len, &x.dec, &x.scale))
            return -1;
        break;
    case RT_TYPE_STRING:
    case RT_TYPE_BYTES:
    case RT_TYPE_JSON:
        x.s.p = v->s.ptr ? v->s.ptr : "";
        x.s.len = v->s.len;
        break;
    case RT_TYPE_DATE:
    case RT_TYPE_TIME:
    case RT_TYPE_DATETIME:
        x.t = v->t;
        break;
    }
    *out = x;
    return 0;
}
