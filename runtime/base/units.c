/* The duration ("5s", "1m30s") and size ("64MiB", "512KB") syntaxes: exact decimal parsing into
 * milliseconds and bytes, and the shortest exact text back. */
#include "runtime/base/units.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* A decimal number "123" or "1.25" read from text: the integer part and the fraction as
 * frac / 10^frac_digits, trailing zeros removed. */
typedef struct decimal {
    uint64_t whole;
    uint64_t frac;
    int frac_digits;
} decimal;

enum { DEC_OK = 0, DEC_NONE = -1, DEC_OVERFLOW = -2, DEC_INEXACT = -3 };

/* Parses digits[.digits] at *pp and advances *pp past them. */
static int decimal_parse(const char **pp, decimal *d)
{
    const char *p = *pp;
    if (*p < '0' || *p > '9')
        return DEC_NONE;
    d->whole = 0;
    d->frac = 0;
    d->frac_digits = 0;
    bool overflow = false;
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned digit = (unsigned)(*p - '0');
        if (d->whole > (UINT64_MAX - digit) / 10)
            overflow = true; /* keep reading: the caller reports the whole token */
        else
            d->whole = d->whole * 10 + digit;
    }
    bool inexact = false;
    if (*p == '.' && p[1] >= '0' && p[1] <= '9') {
        int zeros = 0; /* zeros seen but not yet folded into frac: trailing ones never are */
        for (p++; *p >= '0' && *p <= '9'; p++) {
            if (*p == '0') {
                zeros++;
                continue;
            }
            /* 18 digits fit in uint64_t; a finer fraction cannot be a whole number of bytes or
             * milliseconds for any unit we know. */
            if (d->frac_digits + zeros + 1 > 18) {
                inexact = true;
                continue;
            }
            for (; zeros > 0; zeros--, d->frac_digits++)
                d->frac *= 10;
            d->frac = d->frac * 10 + (uint64_t)(*p - '0');
            d->frac_digits++;
        }
    }
    *pp = p;
    if (overflow)
        return DEC_OVERFLOW;
    return inexact ? DEC_INEXACT : DEC_OK;
}

static uint64_t gcd_u64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* *out = d * unit, exactly. */
static int decimal_scale(const decimal *d, uint64_t unit, uint64_t *out)
{
    if (d->whole > UINT64_MAX / unit)
        return DEC_OVERFLOW;
    uint64_t v = d->whole * unit;
    if (d->frac_digits > 0) {
        uint64_t pow10 = 1;
        for (int i = 0; i < d->frac_digits; i++)
            pow10 *= 10;
        /* frac * unit / pow10 is whole iff the reduced denominator divides frac; the product
         * (frac / den) * (unit / g) is then below unit and cannot overflow. */
        uint64_t g = gcd_u64(unit, pow10);
        uint64_t den = pow10 / g;
        if (d->frac % den != 0)
            return DEC_INEXACT;
        uint64_t part = d->frac / den * (unit / g);
        if (v > UINT64_MAX - part)
            return DEC_OVERFLOW;
        v += part;
    }
    *out = v;
    return DEC_OK;
}

typedef struct unit {
    const char *name;
    uint64_t factor;
} unit;

/* Largest first: rt_duration_format walks this table, and the parser requires this order. */
static const unit duration_units[] = {
    {"d", 86400000}, {"h", 3600000}, {"m", 60000}, {"s", 1000}, {"ms", 1},
};
#define DURATION_UNIT_COUNT (sizeof duration_units / sizeof duration_units[0])

int rt_duration_parse(const char *s, int64_t *ms, rt_err *err)
{
    if (!s || !*s)
        return rt_err_set(err, RT_EINVAL, "empty duration");
    if (*s == '-')
        return rt_err_set(err, RT_EINVAL, "duration \"%.64s\" is negative", s);
    const char *p = s;
    uint64_t total = 0;
    size_t next_unit = 0; /* units must go from largest to smallest, each at most once */
    bool first = true;
    while (*p) {
        decimal d;
        int rc = decimal_parse(&p, &d);
        if (rc == DEC_NONE)
            return rt_err_set(err, RT_EINVAL, "duration \"%.64s\": expected a number at \"%.32s\"",
                              s, p);
        if (rc == DEC_OVERFLOW)
            return rt_err_set(err, RT_EINVAL, "duration \"%.64s\" is too large", s);
        const char *u = p;
        while (*p && (*p < '0' || *p > '9'))
            p++;
        size_t ulen = (size_t)(p - u);
        uint64_t factor = 0;
        if (ulen == 0 && first && !*p) {
            factor = 1; /* a bare number is milliseconds */
        } else {
            size_t i = 0;
            for (; i < DURATION_UNIT_COUNT; i++)
                if (strlen(duration_units[i].name) == ulen &&
                    memcmp(duration_units[i].name, u, ulen) == 0)
                    break;
            if (i == DURATION_UNIT_COUNT)
                return rt_err_set(err, RT_EINVAL,
                                  "duration \"%.64s\": unknown unit \"%.*s\" "
                                  "(use ms, s, m, h or d)",
                                  s, (int)(ulen > 32 ? 32 : ulen), u);
            if (i < next_unit)
                return rt_err_set(err, RT_EINVAL,
                                  "duration \"%.64s\": units must go from largest to smallest, "
                                  "each once",
                                  s);
            next_unit = i + 1;
            factor = duration_units[i].factor;
        }
        if (rc == DEC_OK) {
            uint64_t v;
            rc = decimal_scale(&d, factor, &v);
            if (rc == DEC_OK && v > UINT64_MAX - total)
                rc = DEC_OVERFLOW;
            if (rc == DEC_OK)
                total += v;
        }
        if (rc == DEC_OVERFLOW)
            return rt_err_set(err, RT_EINVAL, "duration \"%.64s\" is too large", s);
        if (rc == DEC_INEXACT)
            return rt_err_set(err, RT_EINVAL,
                              "duration \"%.64s\" is not a whole number of milliseconds", s);
        first = false;
    }
    if (total > (uint64_t)INT64_MAX)
        return rt_err_set(err, RT_EINVAL, "duration \"%.64s\" is too large", s);
    *ms = (int64_t)total;
    return 0;
}

void rt_duration_format(int64_t ms, char *buf, size_t size)
{
    if (size == 0)
        return;
    char tmp[64];
    size_t n = 0;
    /* Unsigned arithmetic so INT64_MIN negates cleanly. */
    uint64_t v = ms < 0 ? 0 - (uint64_t)ms : (uint64_t)ms;
    if (ms < 0)
        tmp[n++] = '-';
    if (v == 0)
        n += (size_t)snprintf(tmp + n, sizeof tmp - n, "0ms");
    for (size_t i = 0; i < DURATION_UNIT_COUNT && v > 0; i++) {
        uint64_t q = v / duration_units[i].factor;
        if (q == 0)
            continue;
        n += (size_t)snprintf(tmp + n, sizeof tmp - n, "%" PRIu64 "%s", q, duration_units[i].name);
        v %= duration_units[i].factor;
    }
    snprintf(buf, size, "%s", tmp);
}

/* IEC units first, largest first: rt_size_format walks the IEC part. */
static const unit size_units[] = {
    {"EiB", 1ull << 60},
    {"PiB", 1ull << 50},
    {"TiB", 1ull << 40},
    {"GiB", 1ull << 30},
    {"MiB", 1ull << 20},
    {"KiB", 1ull << 10},
    {"B", 1},
    {"EB", 1000000000000000000ull},
    {"PB", 1000000000000000ull},
    {"TB", 1000000000000ull},
    {"GB", 1000000000ull},
    {"MB", 1000000ull},
    {"KB", 1000ull},
};
#define SIZE_IEC_COUNT 7
#define SIZE_UNIT_COUNT (sizeof size_units / sizeof size_units[0])

int rt_size_parse(const char *s, uint64_t *bytes, rt_err *err)
{
    if (!s || !*s)
        return rt_err_set(err, RT_EINVAL, "empty size");
    if (*s == '-')
        return rt_err_set(err, RT_EINVAL, "size \"%.64s\" is negative", s);
    const char *p = s;
    decimal d;
    int rc = decimal_parse(&p, &d);
    if (rc == DEC_NONE)
        return rt_err_set(err, RT_EINVAL, "size \"%.64s\": expected a number", s);
    while (*p == ' ')
        p++;
    uint64_t factor = 1;
    if (*p) {
        size_t i = 0;
        for (; i < SIZE_UNIT_COUNT; i++)
            if (strcasecmp(p, size_units[i].name) == 0)
                break;
        if (i == SIZE_UNIT_COUNT)
            return rt_err_set(err, RT_EINVAL,
                              "size \"%.64s\": unknown unit \"%.32s\" (use B, KiB, MiB, GiB, TiB "
                              "or KB, MB, GB, TB)",
                              s, p);
        factor = size_units[i].factor;
    } else if (p > s && p[-1] == ' ') {
        return rt_err_set(err, RT_EINVAL, "size \"%.64s\": trailing space", s);
    }
    uint64_t v = 0;
    if (rc == DEC_OK)
        rc = decimal_scale(&d, factor, &v);
    if (rc == DEC_OVERFLOW)
        return rt_err_set(err, RT_EINVAL, "size \"%.64s\" is too large", s);
    if (rc == DEC_INEXACT)
        return rt_err_set(err, RT_EINVAL, "size \"%.64s\" is not a whole number of bytes", s);
    *bytes = v;
    return 0;
}

void rt_size_format(uint64_t bytes, char *buf, size_t size)
{
    if (size == 0)
        return;
    for (size_t i = 0; i < SIZE_IEC_COUNT; i++) {
        uint64_t f = size_units[i].factor;
        if (bytes != 0 && bytes % f == 0) {
            snprintf(buf, size, "%" PRIu64 "%s", bytes / f, size_units[i].name);
            return;
        }
    }
    snprintf(buf, size, "0B");
}
