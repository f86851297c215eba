/* sr_value: type names, canonical value text and the loaders' conversion rules (notes §7). */
#include "tests/sr_endpoint/sr_value.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#define STRING_MAX_BYTES 65533
#define VARCHAR_MAX_BYTES 1048576

static const char *const kind_names[] = {
    [SR_TYPE_BOOLEAN] = "BOOLEAN",   [SR_TYPE_TINYINT] = "TINYINT",   [SR_TYPE_SMALLINT] = "SMALLINT",
    [SR_TYPE_INT] = "INT",           [SR_TYPE_BIGINT] = "BIGINT",     [SR_TYPE_LARGEINT] = "LARGEINT",
    [SR_TYPE_FLOAT] = "FLOAT",       [SR_TYPE_DOUBLE] = "DOUBLE",     [SR_TYPE_DECIMAL] = "DECIMAL",
    [SR_TYPE_DATE] = "DATE",         [SR_TYPE_DATETIME] = "DATETIME", [SR_TYPE_CHAR] = "CHAR",
    [SR_TYPE_VARCHAR] = "VARCHAR",   [SR_TYPE_STRING] = "STRING",     [SR_TYPE_JSON] = "JSON",
    [SR_TYPE_VARBINARY] = "VARBINARY", [SR_TYPE_BINARY] = "BINARY",
};

const char *sr_type_kind_name(sr_type_kind kind)
{
    if ((unsigned)kind < sizeof(kind_names) / sizeof(kind_names[0]) && kind_names[kind])
        return kind_names[kind];
    return "?";
}

/* ---- type names ---- */

struct type_alias {
    const char *name;
    sr_type_kind kind;
};
static const struct type_alias aliases[] = {
    {"BOOLEAN", SR_TYPE_BOOLEAN},     {"TINYINT", SR_TYPE_TINYINT},   {"SMALLINT", SR_TYPE_SMALLINT},
    {"INT", SR_TYPE_INT},             {"INTEGER", SR_TYPE_INT},       {"BIGINT", SR_TYPE_BIGINT},
    {"LARGEINT", SR_TYPE_LARGEINT},   {"FLOAT", SR_TYPE_FLOAT},       {"DOUBLE", SR_TYPE_DOUBLE},
    {"DECIMAL", SR_TYPE_DECIMAL},     {"DECIMALV2", SR_TYPE_DECIMAL}, {"DECIMAL32", SR_TYPE_DECIMAL},
    {"DECIMAL64", SR_TYPE_DECIMAL},   {"DECIMAL128", SR_TYPE_DECIMAL}, {"NUMERIC", SR_TYPE_DECIMAL},
    {"NUMBER", SR_TYPE_DECIMAL},      {"DATE", SR_TYPE_DATE},         {"DATETIME", SR_TYPE_DATETIME},
    {"CHAR", SR_TYPE_CHAR},           {"VARCHAR", SR_TYPE_VARCHAR},   {"STRING", SR_TYPE_STRING},
    {"JSON", SR_TYPE_JSON},           {"VARBINARY", SR_TYPE_VARBINARY}, {"BINARY", SR_TYPE_BINARY},
};

static int parse_args(const char *p, int *args, int *nargs, rt_err *err, const char *text)
{
    *nargs = 0;
    while (isspace((unsigned char)*p))
        p++;
    if (*p == '\0')
        return 0;
    if (*p != '(')
        return rt_err_set(err, RT_EINVAL, "Unsupported type '%s'", text);
    p++;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (!isdigit((unsigned char)*p) || *nargs == 2)
            return rt_err_set(err, RT_EINVAL, "Invalid type '%s'", text);
        errno = 0;
        char *end;
        long v = strtol(p, &end, 10);
        if (errno || v > 100000000)
            return rt_err_set(err, RT_EINVAL, "Invalid type '%s'", text);
        args[(*nargs)++] = (int)v;
        p = end;
        while (isspace((unsigned char)*p))
            p++;
        if (*p == ',') {
            p++;
            continue;
        }
        if (*p != ')')
            return rt_err_set(err, RT_EINVAL, "Invalid type '%s'", text);
        p++;
        break;
    }
    while (isspace((unsigned char)*p))
        p++;
    if (*p)
        return rt_err_set(err, RT_EINVAL, "Invalid type '%s'", text);
    return 0;
}

int sr_type_parse(const char *text, sr_type *out, rt_err *err)
{
    const char *p = text;
    while (isspace((unsigned char)*p))
        p++;
    size_t n = 0;
    while (isalnum((unsigned char)p[n]) || p[n] == '_')
        n++;
    const struct type_alias *a = NULL;
    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
        if (strlen(aliases[i].name) == n && strncasecmp(aliases[i].name, p, n) == 0)
            a = &aliases[i];
    if (!a)
        return rt_err_set(err, RT_EINVAL, "Unsupported type '%s'", text);
    int args[2], nargs;
    int rc = parse_args(p + n, args, &nargs, err, text);
    if (rc)
        return rc;
    sr_type t = {.kind = a->kind};
    switch (a->kind) {
    case SR_TYPE_TINYINT:
    case SR_TYPE_SMALLINT:
    case SR_TYPE_INT:
    case SR_TYPE_BIGINT:
    case SR_TYPE_LARGEINT:
        if (nargs > 1) /* display width int(11) is accepted and ignored */
            return rt_err_set(err, RT_EINVAL, "Invalid type '%s'", text);
        break;
    case SR_TYPE_DECIMAL:
        t.precision = nargs >= 1 ? args[0] : 10;
        t.scale = nargs >= 2 ? args[1] : 0;
        if (t.precision < 1 || t.precision > 38)
            return rt_err_set(err, RT_EINVAL,
                              "DECIMAL's precision should range from 1 to 38, but got %d", t.precision);
        if (t.scale > t.precision)
            return rt_err_set(err, RT_EINVAL,
                              "DECIMAL's scale should be no greater than precision, but got %d",
                              t.scale);
        break;
    case SR_TYPE_CHAR:
        t.len = nargs >= 1 ? args[0] : 1;
        if (nargs > 1 || t.len < 1 || t.len > 255)
            return rt_err_set(err, RT_EINVAL, "Char size must be between 1 and 255, got '%s'", text);
        break;
    case SR_TYPE_VARCHAR:
        t.len = nargs >= 1 ? args[0] : 1;
        if (nargs > 1 || t.len < 1 || t.len > VARCHAR_MAX_BYTES)
            return rt_err_set(err, RT_EINVAL,
                              "Varchar size must be between 1 and %d, got '%s'", VARCHAR_MAX_BYTES, text);
        break;
    case SR_TYPE_VARBINARY:
    case SR_TYPE_BINARY:
        t.len = nargs >= 1 ? args[0] : VARCHAR_MAX_BYTES;
        if (nargs > 1 || t.len < 1 || t.len > VARCHAR_MAX_BYTES)
            return rt_err_set(err, RT_EINVAL, "Invalid type '%s'", text);
        break;
    case SR_TYPE_STRING:
        if (nargs)
            return rt_err_set(err, RT_EINVAL, "Invalid type '%s'", text);
        t.len = STRING_MAX_BYTES;
        break;
    default:
        if (nargs)
            return rt_err_set(err, RT_EINVAL, "Invalid type '%s'", text);
        break;
    }
    *out = t;
    return 0;
}

void sr_type_format(const sr_type *t, char *out, size_t size)
{
    switch (t->kind) {
    case SR_TYPE_BOOLEAN: snprintf(out, size, "boolean"); break;
    case SR_TYPE_TINYINT: snprintf(out, size, "tinyint(4)"); break;
    case SR_TYPE_SMALLINT: snprintf(out, size, "smallint(6)"); break;
    case SR_TYPE_INT: snprintf(out, size, "int(11)"); break;
    case SR_TYPE_BIGINT: snprintf(out, size, "bigint(20)"); break;
    case SR_TYPE_LARGEINT: snprintf(out, size, "largeint(40)"); break;
    case SR_TYPE_FLOAT: snprintf(out, size, "float"); break;
    case SR_TYPE_DOUBLE: snprintf(out, size, "double"); break;
    case SR_TYPE_DECIMAL: snprintf(out, size, "decimal(%d,%d)", t->precision, t->scale); break;
    case SR_TYPE_DATE: snprintf(out, size, "date"); break;
    case SR_TYPE_DATETIME: snprintf(out, size, "datetime"); break;
    case SR_TYPE_CHAR: snprintf(out, size, "char(%d)", t->len); break;
    case SR_TYPE_VARCHAR: snprintf(out, size, "varchar(%d)", t->len); break;
    case SR_TYPE_STRING: snprintf(out, size, "varchar(%d)", STRING_MAX_BYTES); break;
    case SR_TYPE_JSON: snprintf(out, size, "json"); break;
    case SR_TYPE_VARBINARY: snprintf(out, size, "varbinary(%d)", t->len); break;
    case SR_TYPE_BINARY: snprintf(out, size, "binary(%d)", t->len); break;
    default: snprintf(out, size, "?"); break;
    }
}

bool sr_type_is_key_allowed(const sr_type *t)
{
    switch (t->kind) {
    case SR_TYPE_BOOLEAN:
    case SR_TYPE_TINYINT:
    case SR_TYPE_SMALLINT:
    case SR_TYPE_INT:
    case SR_TYPE_BIGINT:
    case SR_TYPE_LARGEINT:
    case SR_TYPE_VARCHAR:
    case SR_TYPE_STRING:
    case SR_TYPE_DATE:
    case SR_TYPE_DATETIME:
        return true;
    default:
        return false;
    }
}

/* ---- values ---- */

void sr_value_fini(sr_value *v)
{
    free(v->data);
    v->data = NULL;
    v->len = 0;
    v->kind = SR_VALUE_NULL;
}

sr_value sr_value_text(const char *data, size_t len)
{
    sr_value v = {.kind = SR_VALUE_TEXT, .len = len};
    v.data = malloc(len + 1);
    RT_ASSERT(v.data);
    if (len)
        memcpy(v.data, data, len);
    v.data[len] = '\0';
    return v;
}

void sr_value_copy(sr_value *out, const sr_value *v)
{
    if (v->kind == SR_VALUE_TEXT)
        *out = sr_value_text(v->data, v->len);
    else
        *out = (sr_value){.kind = v->kind};
}

static bool utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t k;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            k = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            k = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            k = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        for (size_t j = 1; j <= k; j++) {
            if (i + j >= n || (s[i + j] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + j] & 0x3F);
        }
        if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += k + 1;
    }
    return true;
}

static int out_of_range(const sr_type *t, const char *column, const char *in, size_t len, rt_err *err)
{
    char tn[64];
    sr_type_format(t, tn, sizeof(tn));
    for (char *q = tn; *q; q++)
        *q = (char)toupper((unsigned char)*q);
    int shown = len > 100 ? 100 : (int)len;
    return rt_err_set(err, RT_EINVAL, "Value '%.*s' is out of range. The type of '%s' is %s", shown,
                      in, column, tn);
}

/* Parses an optionally signed decimal integer filling all of in[len] into a 128-bit value. */
static bool parse_i128(const char *in, size_t len, __int128 *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < len && (in[i] == '+' || in[i] == '-'))
        neg = in[i++] == '-';
    if (i == len)
        return false;
    unsigned __int128 v = 0;
    const unsigned __int128 limit = ((unsigned __int128)1 << 127);
    for (; i < len; i++) {
        if (!isdigit((unsigned char)in[i]))
            return false;
        v = v * 10 + (unsigned)(in[i] - '0');
        if (v > limit)
            return false;
    }
    if (!neg && v == limit)
        return false;
    *out = neg ? -(__int128)(v - 1) - 1 : (__int128)v;
    return true;
}

static void format_i128(__int128 v, char *buf, size_t size)
{
    char tmp[48];
    int n = 0;
    bool neg = v < 0;
    unsigned __int128 u = neg ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;
    do {
        tmp[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    size_t k = 0;
    if (neg && k + 1 < size)
        buf[k++] = '-';
    while (n && k + 1 < size)
        buf[k++] = tmp[--n];
    buf[k] = '\0';
}

static bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static bool digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* 'YYYY-MM-DD[( |T)HH:MM:SS[.f{1,6}]]'. Writes the canonical text into buf. */
static bool parse_datetime(const char *in, size_t len, bool want_time, char *buf, size_t size)
{
    int y, mo, d, h = 0, mi = 0, s = 0, us = 0;
    if (len < 10 || in[4] != '-' || in[7] != '-' || !digits(in, 4, &y) || !digits(in + 5, 2, &mo) ||
        !digits(in + 8, 2, &d))
        return false;
    size_t i = 10;
    if (i < len) {
        if ((in[i] != ' ' && in[i] != 'T') || len < i + 9 || in[i + 3] != ':' || in[i + 6] != ':' ||
            !digits(in + i + 1, 2, &h) || !digits(in + i + 4, 2, &mi) || !digits(in + i + 7, 2, &s))
            return false;
        i += 9;
        if (i < len) {
            if (in[i] != '.')
                return false;
            size_t nf = len - i - 1;
            if (nf < 1 || nf > 6 || !digits(in + i + 1, nf, &us))
                return false;
            for (size_t k = nf; k < 6; k++)
                us *= 10;
        }
    }
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59)
        return false;
    int maxd = mdays[mo - 1] + (mo == 2 && is_leap(y) ? 1 : 0);
    if (d > maxd)
        return false;
    if (!want_time)
        snprintf(buf, size, "%04d-%02d-%02d", y, mo, d);
    else if (us)
        snprintf(buf, size, "%04d-%02d-%02d %02d:%02d:%02d.%06d", y, mo, d, h, mi, s, us);
    else
        snprintf(buf, size, "%04d-%02d-%02d %02d:%02d:%02d", y, mo, d, h, mi, s);
    return true;
}

/* DECIMAL(p,s): round half away from zero to s digits; at most p-s integer digits. */
static bool parse_decimal(const sr_type *t, const char *in, size_t len, char *buf, size_t size)
{
    size_t i = 0;
    bool neg = false;
    if (i < len && (in[i] == '+' || in[i] == '-'))
        neg = in[i++] == '-';
    char intd[80], frac[80];
    size_t ni = 0, nf = 0;
    bool any = false;
    while (i < len && isdigit((unsigned char)in[i])) {
        if (ni >= sizeof(intd) - 1)
            return false;
        if (!(ni == 0 && in[i] == '0'))
            intd[ni++] = in[i];
        any = true;
        i++;
    }
    if (i < len && in[i] == '.') {
        i++;
        while (i < len && isdigit((unsigned char)in[i])) {
            if (nf < sizeof(frac) - 1)
                frac[nf++] = in[i];
            any = true;
            i++;
        }
    }
    if (!any || i != len)
        return false;
    /* digits = intd . frac, rounded to scale */
    char all[170];
    size_t n = 0;
    memcpy(all, intd, ni);
    n = ni;
    for (int k = 0; k < t->scale; k++)
        all[n++] = (size_t)k < nf ? frac[k] : '0';
    bool round_up = (size_t)t->scale < nf && frac[t->scale] >= '5';
    if (round_up) {
        size_t k = n;
        while (k > 0) {
            if (all[k - 1] == '9') {
                all[k - 1] = '0';
                k--;
            } else {
                all[k - 1]++;
                break;
            }
        }
        if (k == 0) {
            memmove(all + 1, all, n);
            all[0] = '1';
            n++;
        }
    }
    size_t int_digits = n - (size_t)t->scale;
    if (int_digits > (size_t)(t->precision - t->scale))
        return false;
    bool zero = true;
    for (size_t k = 0; k < n; k++)
        if (all[k] != '0')
            zero = false;
    size_t o = 0;
    if (neg && !zero)
        buf[o++] = '-';
    if (int_digits == 0)
        buf[o++] = '0';
    else {
        memcpy(buf + o, all, int_digits);
        o += int_digits;
    }
    if (t->scale > 0) {
        buf[o++] = '.';
        memcpy(buf + o, all + int_digits, (size_t)t->scale);
        o += (size_t)t->scale;
    }
    (void)size;
    buf[o] = '\0';
    return true;
}

static void format_double(double d, bool is_float, char *buf, size_t size)
{
    if (d == 0) {
        snprintf(buf, size, "0");
        return;
    }
    for (int prec = is_float ? 6 : 15; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, d);
        if (is_float ? (float)strtod(buf, NULL) == (float)d : strtod(buf, NULL) == d)
            return;
    }
}

int sr_value_convert(const sr_type *t, const char *column, const char *in, size_t len,
                     sr_value *out, rt_err *err)
{
    char buf[128];
    switch (t->kind) {
    case SR_TYPE_BOOLEAN: {
        if ((len == 4 && strncasecmp(in, "true", 4) == 0)) {
            *out = sr_value_text("1", 1);
            return 0;
        }
        if ((len == 5 && strncasecmp(in, "false", 5) == 0)) {
            *out = sr_value_text("0", 1);
            return 0;
        }
        if (len == 0 || len > 60)
            return out_of_range(t, column, in, len, err);
        char tmp[64];
        memcpy(tmp, in, len);
        tmp[len] = '\0';
        char *end;
        double d = strtod(tmp, &end);
        if (*end || !isfinite(d))
            return out_of_range(t, column, in, len, err);
        *out = sr_value_text(d != 0 ? "1" : "0", 1);
        return 0;
    }
    case SR_TYPE_TINYINT:
    case SR_TYPE_SMALLINT:
    case SR_TYPE_INT:
    case SR_TYPE_BIGINT:
    case SR_TYPE_LARGEINT: {
        __int128 v;
        if (!parse_i128(in, len, &v))
            return out_of_range(t, column, in, len, err);
        int bits = t->kind == SR_TYPE_TINYINT ? 8 : t->kind == SR_TYPE_SMALLINT ? 16
                 : t->kind == SR_TYPE_INT ? 32 : t->kind == SR_TYPE_BIGINT ? 64 : 128;
        if (bits < 128) {
            __int128 lim = (__int128)1 << (bits - 1);
            if (v < -lim || v >= lim)
                return out_of_range(t, column, in, len, err);
        }
        format_i128(v, buf, sizeof(buf));
        *out = sr_value_text(buf, strlen(buf));
        return 0;
    }
    case SR_TYPE_FLOAT:
    case SR_TYPE_DOUBLE: {
        if (len == 0 || len > 100 || isspace((unsigned char)in[0]))
            return out_of_range(t, column, in, len, err);
        char tmp[128];
        memcpy(tmp, in, len);
        tmp[len] = '\0';
        char *end;
        errno = 0;
        double d = strtod(tmp, &end);
        if (*end || !isfinite(d) || (t->kind == SR_TYPE_FLOAT && !isfinite((float)d)))
            return out_of_range(t, column, in, len, err);
        format_double(d, t->kind == SR_TYPE_FLOAT, buf, sizeof(buf));
        *out = sr_value_text(buf, strlen(buf));
        return 0;
    }
    case SR_TYPE_DECIMAL:
        if (!parse_decimal(t, in, len, buf, sizeof(buf)))
            return out_of_range(t, column, in, len, err);
        *out = sr_value_text(buf, strlen(buf));
        return 0;
    case SR_TYPE_DATE:
    case SR_TYPE_DATETIME:
        if (!parse_datetime(in, len, t->kind == SR_TYPE_DATETIME, buf, sizeof(buf)))
            return out_of_range(t, column, in, len, err);
        *out = sr_value_text(buf, strlen(buf));
        return 0;
    case SR_TYPE_CHAR:
    case SR_TYPE_VARCHAR:
    case SR_TYPE_STRING:
        if (!utf8_valid((const unsigned char *)in, len))
            return rt_err_set(err, RT_EUNSUPPORTED, "Invalid UTF-8 row");
        /* fall through */
    case SR_TYPE_VARBINARY:
    case SR_TYPE_BINARY:
        if (len > (size_t)t->len) {
            int shown = len > 100 ? 100 : (int)len;
            return rt_err_set(err, RT_EUNSUPPORTED,
                              "String '%.*s'(length=%zu) is too long. The max length of '%s' is %d",
                              shown, in, len, column, t->len);
        }
        *out = sr_value_text(in, len);
        return 0;
    case SR_TYPE_JSON: {
        json_error_t jerr;
        json_t *j = json_loadb(in, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
        if (!j)
            return out_of_range(t, column, in, len, err);
        char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
        json_decref(j);
        RT_ASSERT(s);
        *out = sr_value_text(s, strlen(s));
        free(s);
        return 0;
    }
    }
    return out_of_range(t, column, in, len, err);
}

static int cmp_i128_text(const sr_value *a, const sr_value *b)
{
    __int128 x = 0, y = 0;
    parse_i128(a->data, a->len, &x);
    parse_i128(b->data, b->len, &y);
    return x < y ? -1 : x > y;
}

static int cmp_decimal_text(const sr_value *a, const sr_value *b)
{
    double x = strtod(a->data, NULL), y = strtod(b->data, NULL);
    if (x != y)
        return x < y ? -1 : 1;
    return 0;
}

int sr_value_compare(const sr_type *t, const sr_value *a, const sr_value *b)
{
    bool an = a->kind != SR_VALUE_TEXT, bn = b->kind != SR_VALUE_TEXT;
    if (an || bn)
        return an && bn ? 0 : an ? -1 : 1;
    switch (t->kind) {
    case SR_TYPE_BOOLEAN:
    case SR_TYPE_TINYINT:
    case SR_TYPE_SMALLINT:
    case SR_TYPE_INT:
    case SR_TYPE_BIGINT:
    case SR_TYPE_LARGEINT:
        return cmp_i128_text(a, b);
    case SR_TYPE_FLOAT:
    case SR_TYPE_DOUBLE:
    case SR_TYPE_DECIMAL:
        return cmp_decimal_text(a, b);
    default: {
        size_t n = a->len < b->len ? a->len : b->len;
        int c = memcmp(a->data, b->data, n);
        if (c)
            return c < 0 ? -1 : 1;
        return a->len < b->len ? -1 : a->len > b->len;
    }
    }
}
