/* Config tables: converts a JSON object (parsed with jansson, which stays inside this file) into
 * the fields of a C struct, and formats it back. Also the duration and size syntaxes. */
#include "runtime/base/config.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runtime/base/buf.h"

/* The longest offending value quoted after "got"; the rest is elided so the path and the
 * expectation always fit in an rt_err. */
#define GOT_MAX 100

#define DURATION_EXAMPLES "a duration such as \"5s\", \"250ms\" or \"1m30s\""
#define SIZE_EXAMPLES "a size such as \"64MiB\", \"512KB\" or \"1GiB\""

/* ---- numbers with units ------------------------------------------------------------------- */

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

/* ---- JSON values as text ------------------------------------------------------------------ */

/* The shortest %g text that reads back as the same double, so 0.1 prints as 0.1 (jansson's own
 * dump uses 17 digits). Always looks like a real ("3.0"), as jansson's does. */
static void append_double(rt_buf *b, double v)
{
    if (!isfinite(v)) {
        rt_buf_append_str(b, "null"); /* JSON has no inf or nan */
        return;
    }
    char tmp[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    rt_buf_append_str(b, tmp);
    if (!strpbrk(tmp, ".eE"))
        rt_buf_append_str(b, ".0");
}

/* Compact JSON of v, keys in document order. Recursion is bounded by jansson's parse depth. */
static void append_json(rt_buf *b, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *item;
        bool first = true;
        rt_buf_append_char(b, '{');
        json_object_foreach((json_t *)v, key, item)
        {
            if (!first)
                rt_buf_append_char(b, ',');
            first = false;
            rt_buf_append_json_str(b, key, strlen(key));
            rt_buf_append_char(b, ':');
            append_json(b, item);
        }
        rt_buf_append_char(b, '}');
        break;
    }
    case JSON_ARRAY:
        rt_buf_append_char(b, '[');
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                rt_buf_append_char(b, ',');
            append_json(b, json_array_get(v, i));
        }
        rt_buf_append_char(b, ']');
        break;
    case JSON_STRING:
        rt_buf_append_json_str(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        rt_buf_append_i64(b, (int64_t)json_integer_value(v));
        break;
    case JSON_REAL:
        append_double(b, json_real_value(v));
        break;
    case JSON_TRUE:
        rt_buf_append_str(b, "true");
        break;
    case JSON_FALSE:
        rt_buf_append_str(b, "false");
        break;
    case JSON_NULL:
        rt_buf_append_str(b, "null");
        break;
    }
}

static const char *json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "a value";
}

/* The "got ..." part of a message: the value as compact JSON, cut at GOT_MAX bytes on a UTF-8
 * boundary. A secret's value is never echoed, only its kind. */
static void append_got(rt_buf *b, const json_t *v, bool secret)
{
    if (secret) {
        rt_buf_append_str(b, json_kind(v));
        return;
    }
    rt_buf tmp;
    rt_buf_init(&tmp);
    append_json(&tmp, v);
    if (tmp.len > GOT_MAX) {
        size_t cut = GOT_MAX;
        while (cut > 0 && ((unsigned char)tmp.data[cut] & 0xC0) == 0x80)
            cut--;
        rt_buf_append(b, tmp.data, cut);
        rt_buf_append_str(b, "…");
    } else {
        rt_buf_append(b, tmp.data, tmp.len);
    }
    rt_buf_fini(&tmp);
}

/* ---- conversion of one field -------------------------------------------------------------- */

typedef union cfg_value {
    bool b;
    int64_t i;
    double d;
    int e;
    uint64_t u;
    char *s;
    rt_strlist l;
} cfg_value;

/* " ≥ min and ≤ max" for a RANGE field, leaving out a bound that is the type's own limit. */
static void append_range(rt_buf *b, const rt_config_field *f)
{
    if (!(f->flags & RT_CFG_RANGE))
        return;
    char lo[32], hi[32];
    bool has_lo, has_hi;
    if (f->type == RT_CFG_SIZE) {
        has_lo = f->min != 0;
        has_hi = f->max != INT64_MAX && (uint64_t)f->max != UINT64_MAX;
        rt_size_format((uint64_t)f->min, lo, sizeof lo);
        rt_size_format((uint64_t)f->max, hi, sizeof hi);
    } else if (f->type == RT_CFG_DURATION) {
        has_lo = f->min > 0;
        has_hi = f->max != INT64_MAX;
        rt_duration_format(f->min, lo, sizeof lo);
        rt_duration_format(f->max, hi, sizeof hi);
    } else {
        has_lo = f->min != INT64_MIN;
        has_hi = f->max != INT64_MAX;
        snprintf(lo, sizeof lo, "%" PRId64, f->min);
        snprintf(hi, sizeof hi, "%" PRId64, f->max);
    }
    if (has_lo)
        rt_buf_appendf(b, " ≥ %s", lo);
    if (has_hi)
        rt_buf_appendf(b, "%s ≤ %s", has_lo ? " and" : "", hi);
}

static bool in_range(const rt_config_field *f, int64_t v)
{
    return !(f->flags & RT_CFG_RANGE) || (v >= f->min && v <= f->max);
}

static bool in_range_u64(const rt_config_field *f, uint64_t v)
{
    return !(f->flags & RT_CFG_RANGE) || (v >= (uint64_t)f->min && v <= (uint64_t)f->max);
}

/* Sets err to "<path>: expected <what>, got <value>". `what` is built by the caller in b. */
static int mismatch(rt_err *err, const char *path, rt_buf *what, const rt_config_field *f,
                    const json_t *v)
{
    rt_buf msg;
    rt_buf_init(&msg);
    rt_buf_appendf(&msg, "%s: expected %s, got ", path, what->data ? what->data : "?");
    append_got(&msg, v, f->flags & RT_CFG_SECRET);
    rt_err_set(err, RT_EINVAL, "%s", msg.data);
    rt_buf_fini(&msg);
    rt_buf_fini(what);
    return RT_EINVAL;
}

static char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p)
        RT_BUG("config: out of memory");
    return p;
}

/* A JSON string that C can hold: no NUL inside. */
static bool is_c_string(const json_t *v)
{
    return json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v);
}

static void strlist_free(rt_strlist *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

static int convert_strlist(const rt_config_field *f, const json_t *v, const char *path,
                           cfg_value *out, rt_err *err)
{
    rt_buf what;
    rt_buf_init(&what);
    if (is_c_string(v)) {
        out->l.items = malloc(sizeof(char *));
        if (!out->l.items)
            RT_BUG("config: out of memory");
        out->l.items[0] = xstrdup(json_string_value(v));
        out->l.count = 1;
        return 0;
    }
    if (!json_is_array(v)) {
        rt_buf_append_str(&what, "a string or an array of strings");
        return mismatch(err, path, &what, f, v);
    }
    size_t n = json_array_size(v);
    rt_strlist l = {.items = calloc(n ? n : 1, sizeof(char *)), .count = 0};
    if (!l.items)
        RT_BUG("config: out of memory");
    for (size_t i = 0; i < n; i++) {
        const json_t *item = json_array_get(v, i);
        if (!is_c_string(item)) {
            strlist_free(&l);
            rt_buf item_path;
            rt_buf_init(&item_path);
            rt_buf_appendf(&item_path, "%s[%zu]", path, i);
            rt_buf_append_str(&what, "a string");
            mismatch(err, item_path.data, &what, f, item);
            rt_buf_fini(&item_path);
            return RT_EINVAL;
        }
        l.items[l.count++] = xstrdup(json_string_value(item));
    }
    out->l = l;
    return 0;
}

/* Converts v to the field's C value in *out (owned memory included); writes nothing on error. */
static int convert(const rt_config_field *f, const json_t *v, const char *path, cfg_value *out,
                   rt_err *err)
{
    rt_buf what;
    rt_buf_init(&what);
    switch (f->type) {
    case RT_CFG_BOOL:
        if (!json_is_boolean(v)) {
            rt_buf_append_str(&what, "true or false");
            return mismatch(err, path, &what, f, v);
        }
        out->b = json_is_true(v);
        return 0;
    case RT_CFG_INT:
        /* 3.0 is refused: a count written as a real is more likely a mistake than a count. */
        if (!json_is_integer(v) || !in_range(f, (int64_t)json_integer_value(v))) {
            rt_buf_append_str(&what, "an integer");
            append_range(&what, f);
            return mismatch(err, path, &what, f, v);
        }
        out->i = (int64_t)json_integer_value(v);
        return 0;
    case RT_CFG_DOUBLE:
        if (!json_is_number(v)) {
            rt_buf_append_str(&what, "a number");
            return mismatch(err, path, &what, f, v);
        }
        out->d = json_number_value(v);
        return 0;
    case RT_CFG_STRING:
        if (!is_c_string(v)) {
            rt_buf_append_str(&what, "a string");
            return mismatch(err, path, &what, f, v);
        }
        out->s = xstrdup(json_string_value(v));
        return 0;
    case RT_CFG_ENUM:
        if (!f->choices)
            RT_BUG("config key %s: ENUM without choices", f->key);
        for (int i = 0; is_c_string(v) && f->choices[i]; i++) {
            if (strcmp(json_string_value(v), f->choices[i]) == 0) {
                out->e = i;
                return 0;
            }
        }
        rt_buf_append_str(&what, "one of ");
        for (int i = 0; f->choices[i]; i++) {
            if (i)
                rt_buf_append_str(&what, ", ");
            rt_buf_append_json_str(&what, f->choices[i], strlen(f->choices[i]));
        }
        return mismatch(err, path, &what, f, v);
    case RT_CFG_DURATION: {
        int64_t ms = -1;
        if (json_is_integer(v))
            ms = (int64_t)json_integer_value(v);
        else if (is_c_string(v) && rt_duration_parse(json_string_value(v), &ms, NULL) != 0)
            ms = -1;
        if (ms < 0) {
            rt_buf_append_str(&what, DURATION_EXAMPLES);
            return mismatch(err, path, &what, f, v);
        }
        if (!in_range(f, ms)) {
            rt_buf_append_str(&what, "a duration");
            append_range(&what, f);
            return mismatch(err, path, &what, f, v);
        }
        out->i = ms;
        return 0;
    }
    case RT_CFG_SIZE: {
        uint64_t bytes = 0;
        bool ok = false;
        if (json_is_integer(v) && json_integer_value(v) >= 0) {
            bytes = (uint64_t)json_integer_value(v);
            ok = true;
        } else if (is_c_string(v)) {
            ok = rt_size_parse(json_string_value(v), &bytes, NULL) == 0;
        }
        if (!ok) {
            rt_buf_append_str(&what, SIZE_EXAMPLES);
            return mismatch(err, path, &what, f, v);
        }
        if (!in_range_u64(f, bytes)) {
            rt_buf_append_str(&what, "a size");
            append_range(&what, f);
            return mismatch(err, path, &what, f, v);
        }
        out->u = bytes;
        return 0;
    }
    case RT_CFG_JSON: {
        rt_buf text;
        rt_buf_init(&text);
        append_json(&text, v);
        out->s = rt_buf_take(&text);
        return 0;
    }
    case RT_CFG_STRLIST:
        return convert_strlist(f, v, path, out, err);
    }
    RT_BUG("config key %s: unknown type %d", f->key, (int)f->type);
}

/* Bytes the field's C type occupies at its offset. */
static size_t field_size(const rt_config_field *f)
{
    switch (f->type) {
    case RT_CFG_BOOL:
        return sizeof(bool);
    case RT_CFG_INT:
    case RT_CFG_DURATION:
        return sizeof(int64_t);
    case RT_CFG_DOUBLE:
        return sizeof(double);
    case RT_CFG_ENUM:
        return sizeof(int);
    case RT_CFG_SIZE:
        return sizeof(uint64_t);
    case RT_CFG_STRING:
    case RT_CFG_JSON:
        return sizeof(char *);
    case RT_CFG_STRLIST:
        return sizeof(rt_strlist);
    }
    RT_BUG("config key %s: unknown type %d", f->key, (int)f->type);
}

/* Frees what the field owns in obj and zeroes it. */
static void field_clear(const rt_config_field *f, void *obj)
{
    char *p = (char *)obj + f->offset;
    if (f->type == RT_CFG_STRING || f->type == RT_CFG_JSON)
        free(*(char **)p);
    else if (f->type == RT_CFG_STRLIST)
        strlist_free((rt_strlist *)p);
    memset(p, 0, field_size(f));
}

/* Moves v into the field, freeing what it held (apply may run more than once on one obj).
 * Every member of the union starts at its first byte, so the field's bytes are copied as is. */
static void field_store(const rt_config_field *f, void *obj, const cfg_value *v)
{
    field_clear(f, obj);
    memcpy((char *)obj + f->offset, v, field_size(f));
}

/* A default is part of the program, not of the input: one that does not convert is a bug. */
static void apply_default(const rt_config_field *f, void *obj, const char *path)
{
    if (!f->def) {
        field_clear(f, obj);
        return;
    }
    json_error_t je;
    json_t *v = json_loads(f->def, JSON_DECODE_ANY, &je);
    if (!v)
        RT_BUG("config key %s: default %s is not JSON: %s", f->key, f->def, je.text);
    cfg_value cv;
    rt_err err;
    rt_err_clear(&err);
    if (convert(f, v, path, &cv, &err) != 0)
        RT_BUG("config key %s: bad default %s: %s", f->key, f->def, err.msg);
    json_decref(v);
    field_store(f, obj, &cv);
}

static int check_unknown_keys(const rt_config_field *table, json_t *root, const char *path,
                              rt_err *err)
{
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        if (rt_config_find(table, key))
            continue;
        rt_buf msg;
        rt_buf_init(&msg);
        rt_buf_appendf(&msg, "%s: unknown key ", path);
        rt_buf_append_json_str(&msg, key, strlen(key));
        rt_buf_append_str(&msg, " (known:");
        for (const rt_config_field *f = table; f->key; f++)
            rt_buf_appendf(&msg, "%s %s", f == table ? "" : ",", f->key);
        rt_buf_append_str(&msg, table->key ? ")" : " none)");
        rt_err_set(err, RT_EINVAL, "%s", msg.data);
        rt_buf_fini(&msg);
        return RT_EINVAL;
    }
    return 0;
}

int rt_config_apply(const rt_config_field *table, void *obj, const char *json_text,
                    const char *path, rt_err *err)
{
    if (!path)
        path = "$";
    json_t *root;
    if (json_text && *json_text) {
        json_error_t je;
        /* DECODE_ANY so that `[1]` gets "expected an object" rather than a parse error;
         * duplicate keys are refused because one of the two values would be ignored silently;
         * ALLOW_NUL so that "a\u0000b" is reported against its key (and kept by RT_CFG_JSON). */
        root =
            json_loads(json_text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
        if (!root)
            return rt_err_set(err, RT_EINVAL, "%s: invalid JSON at line %d column %d: %s", path,
                              je.line, je.column, je.text);
    } else {
        root = json_object();
        if (!root)
            RT_BUG("config: out of memory");
    }

    int rc = 0;
    rt_buf fpath;
    rt_buf_init(&fpath);
    if (!json_is_object(root)) {
        rt_buf what;
        rt_buf_init(&what);
        rt_buf_append_str(&what, "an object");
        static const rt_config_field whole = {.key = "", .type = RT_CFG_JSON};
        rc = mismatch(err, path, &what, &whole, root);
        goto out;
    }
    rc = check_unknown_keys(table, root, path, err);
    if (rc != 0)
        goto out;
    for (const rt_config_field *f = table; f->key; f++) {
        rt_buf_reset(&fpath);
        rt_buf_appendf(&fpath, "%s.%s", path, f->key);
        json_t *v = json_object_get(root, f->key);
        /* An explicit null on an optional key means "not set", as rt_config_format writes an
         * absent STRING or JSON value: its output applies back to the same config. */
        if (v && json_is_null(v) && !(f->flags & RT_CFG_REQUIRED))
            v = NULL;
        if (!v) {
            if (f->flags & RT_CFG_REQUIRED) {
                rc = rt_err_set(err, RT_EINVAL, "%s: required key is missing", fpath.data);
                goto out;
            }
            apply_default(f, obj, fpath.data);
            continue;
        }
        cfg_value cv;
        rc = convert(f, v, fpath.data, &cv, err);
        if (rc != 0)
            goto out;
        field_store(f, obj, &cv);
    }
out:
    rt_buf_fini(&fpath);
    json_decref(root);
    return rc;
}

void rt_config_free(const rt_config_field *table, void *obj)
{
    for (const rt_config_field *f = table; f->key; f++)
        if (f->type == RT_CFG_STRING || f->type == RT_CFG_JSON || f->type == RT_CFG_STRLIST)
            field_clear(f, obj);
}

static void append_value(rt_buf *b, const rt_config_field *f, const void *obj)
{
    const char *p = (const char *)obj + f->offset;
    char text[64];
    switch (f->type) {
    case RT_CFG_BOOL:
        rt_buf_append_str(b, *(const bool *)p ? "true" : "false");
        break;
    case RT_CFG_INT:
        rt_buf_append_i64(b, *(const int64_t *)p);
        break;
    case RT_CFG_DOUBLE:
        append_double(b, *(const double *)p);
        break;
    case RT_CFG_ENUM: {
        int e = *(const int *)p;
        int n = 0;
        while (f->choices && f->choices[n])
            n++;
        if (e >= 0 && e < n)
            rt_buf_append_json_str(b, f->choices[e], strlen(f->choices[e]));
        else
            rt_buf_append_str(b, "null");
        break;
    }
    case RT_CFG_DURATION:
        rt_duration_format(*(const int64_t *)p, text, sizeof text);
        rt_buf_append_json_str(b, text, strlen(text));
        break;
    case RT_CFG_SIZE:
        rt_size_format(*(const uint64_t *)p, text, sizeof text);
        rt_buf_append_json_str(b, text, strlen(text));
        break;
    case RT_CFG_STRING: {
        const char *s = *(char *const *)p;
        if (s)
            rt_buf_append_json_str(b, s, strlen(s));
        else
            rt_buf_append_str(b, "null");
        break;
    }
    case RT_CFG_JSON: {
        const char *s = *(char *const *)p;
        rt_buf_append_str(b, s ? s : "null");
        break;
    }
    case RT_CFG_STRLIST: {
        const rt_strlist *l = (const rt_strlist *)p;
        rt_buf_append_char(b, '[');
        for (size_t i = 0; i < l->count; i++) {
            if (i)
                rt_buf_append_char(b, ',');
            rt_buf_append_json_str(b, l->items[i], strlen(l->items[i]));
        }
        rt_buf_append_char(b, ']');
        break;
    }
    }
}

static bool is_absent(const rt_config_field *f, const void *obj)
{
    const char *p = (const char *)obj + f->offset;
    return (f->type == RT_CFG_STRING || f->type == RT_CFG_JSON) && !*(char *const *)p;
}

char *rt_config_format(const rt_config_field *table, const void *obj)
{
    rt_buf b;
    rt_buf_init(&b);
    rt_buf_append_char(&b, '{');
    for (const rt_config_field *f = table; f->key; f++) {
        if (f != table)
            rt_buf_append_char(&b, ',');
        rt_buf_append_json_str(&b, f->key, strlen(f->key));
        rt_buf_append_char(&b, ':');
        /* An unset secret prints as null: that it is missing is not itself a secret. */
        if ((f->flags & RT_CFG_SECRET) && !is_absent(f, obj))
            rt_buf_append_str(&b, "\"***\"");
        else
            append_value(&b, f, obj);
    }
    rt_buf_append_char(&b, '}');
    return rt_buf_take(&b);
}

const rt_config_field *rt_config_find(const rt_config_field *table, const char *key)
{
    for (const rt_config_field *f = table; f->key; f++)
        if (strcmp(f->key, key) == 0)
            return f;
    return NULL;
}
