/* The row generator of the datagen source: column plans from MySQL types, and the pure
 * function (seed, id, column) -> value, written to be cheap per row (see the README's datagen
 * section for the formulas; test_datagen pins them). */
#include "operators/basic/datagen_rows.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "operators/basic/sql_type.h"
#include "runtime/base/buf.h"

#define PHI 0x9E3779B97F4A7C15ull
/* Text and binary values are cut from a fixed pattern at an offset taken from the value hash:
 * copying is far cheaper than making characters one at a time, and PATTERN_SPAN offsets keep
 * values of equal length from being equal. */
#define PATTERN_SPAN 4096
#define STRING_MAX 255 /* longest generated text or binary value */
#define JSON_MAX 64    /* {"id":<20 digits>,"n":<6 digits>,"ok":false} */
#define MAX_COLUMNS 4096
/* Writers may copy this many bytes past the end of a value, within the room reserved for the
 * column: copies of a fixed size compile to a few vector moves with no branch on the length. */
#define SLACK 32
/* 2000-01-01 .. 2038-01-01 in seconds since the epoch: inside the TIMESTAMP range too. */
#define DATETIME_FROM 946684800u
#define DATETIME_SPAN 1199232000u
#define DATE_SPAN 24837u /* days 1970-01-01 .. 2037-12-31 */

static const char digit_pairs[] = "00010203040506070809101112131415161718192021222324252627282930"
                                  "31323334353637383940414243444546474849505152535455565758596061"
                                  "62636465666768697071727374757677787980818283848586878889909192"
                                  "93949596979899";

typedef enum gen_kind {
    GEN_ID,    /* the key column: the id itself */
    GEN_LABEL, /* "<column>-<id>" (the default schema's name) */
    GEN_INT,
    GEN_UINT,
    GEN_YEAR,
    GEN_DECIMAL,
    GEN_FLOAT,
    GEN_DOUBLE,
    GEN_TEXT,
    GEN_BYTES,
    GEN_DATE,
    GEN_TIME,
    GEN_DATETIME,
    GEN_JSON,
    GEN_ENUM,
    GEN_SET,
} gen_kind;

typedef struct gen_col {
    char *name;
    size_t name_len;
    char *sql_text; /* canonical type text, for the table */
    op_sql_type type;
    gen_kind gen;
    bool nullable;
    uint64_t key;      /* mix64(seed + (index + 1) * PHI): makes columns independent */
    uint64_t mask;     /* integers and BIT: the bits a value keeps */
    uint64_t sign;     /* signed integers: the sign bit */
    uint32_t max_len;  /* text and binary: longest value */
    uint32_t copy_len; /* text and binary: max_len rounded up to SLACK, copied every time */
    bool fixed_len;    /* BINARY(n): always n bytes, as MySQL pads it */
    size_t reserve;    /* row-buffer bytes a value may write (its text and any slack) */
    uint32_t usec_div; /* temporal: 10^(6 - fsp), to cut microseconds to the precision */
    double scale_pow;  /* FLOAT/DOUBLE(M,D): 10^D, 0 when not given */
    size_t *member_len;
} gen_col;

struct op_datagen_schema {
    gen_col *cols;
    size_t count;
    uint64_t max_id;
    size_t row_max;
    /* Days since 1970-01-01 -> year << 16 | month << 8 | day, for DATE_SPAN days: a lookup
     * where the calendar arithmetic was a sixth of a default row's cost. NULL when no column
     * is a date or datetime. */
    uint32_t *civil;
    char text_pattern[PATTERN_SPAN + STRING_MAX + 1];
    unsigned char byte_pattern[PATTERN_SPAN + STRING_MAX + 1];
};

/* The splitmix64 finalizer: a bijection of 64-bit words whose output bits all depend on every
 * input bit, so hashes of neighbouring ids look unrelated. */
static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Exactly `width` digits of v (v < 10^width), zero-padded, written back to front two at a
 * time: one multiply-shift per pair instead of a division per digit. */
static void put_fixed(char *p, uint64_t v, unsigned width)
{
    char *q = p + width;
    while (v > UINT32_MAX && q - p >= 2) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        q -= 2;
        memcpy(q, digit_pairs + 2 * r, 2);
    }
    uint32_t w = (uint32_t)v; /* 32-bit arithmetic from here on: cheaper on every CPU */
    while (q - p >= 2) {
        unsigned r = w % 100;
        w /= 100;
        q -= 2;
        memcpy(q, digit_pairs + 2 * r, 2);
    }
    if (q > p)
        *--q = (char)('0' + w % 10);
}

/* The decimal digits of v at p; returns how many. */
static size_t put_u64(char *p, uint64_t v)
{
    unsigned n = 1;
    for (uint64_t bound = 10; n < 20 && v >= bound; bound *= 10)
        n++;
    put_fixed(p, v, n);
    return n;
}

/* 18 digits from the 63 low bits of x, two at a time: each 7-bit group scaled to 0..99 by a
 * multiply-shift. The nine pairs do not depend on each other, so they cost a few cycles in all
 * where converting a number to decimal is a chain of dependent divisions. */
static void put_digits18(char *p, uint64_t x)
{
#pragma GCC unroll 9
    for (unsigned i = 0; i < 9; i++) {
        unsigned pair = (unsigned)(((x >> (7 * i)) & 127) * 100) >> 7;
        memcpy(p + 2 * i, digit_pairs + 2 * pair, 2);
    }
}

/* Days since 1970-01-01 (0 <= z < 2^25) -> civil date: H. Hinnant's civil_from_days, in
 * unsigned 32-bit arithmetic since the generator never goes before the epoch. */
static void civil_from_days(uint32_t z, rt_temporal *t)
{
    z += 719468;
    uint32_t era = z / 146097;
    uint32_t doe = z - era * 146097;
    uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    uint32_t mp = (5 * doy + 2) / 153;
    uint32_t d = doy - (153 * mp + 2) / 5 + 1;
    uint32_t m = mp < 10 ? mp + 3 : mp - 9;
    t->year = (int16_t)(yoe + era * 400 + (m <= 2));
    t->month = (uint8_t)m;
    t->day = (uint8_t)d;
}

/* The civil date of a day since 1970-01-01, from the schema's table. */
static inline void set_date(const op_datagen_schema *s, uint32_t day, rt_temporal *t)
{
    uint32_t e = s->civil[day];
    t->year = (int16_t)(e >> 16);
    t->month = (uint8_t)(e >> 8);
    t->day = (uint8_t)e;
}

/* Uniform in [0, range) from the high 32 bits of x: a multiply-shift (Lemire's fastrange)
 * where `%` by a per-column divisor would cost a 64-bit division. */
static inline uint32_t fast_range(uint64_t x, uint32_t range)
{
    return (uint32_t)(((x >> 32) * range) >> 32);
}

static void set_str(rt_value *out, rt_type type, const char *p, size_t len)
{
    out->type = (uint8_t)type;
    out->s.ptr = p;
    out->s.len = (uint32_t)len;
}

/* Microseconds cut to the column's fractional precision (a division only when fsp < 6). */
static inline uint32_t cut_usec(const gen_col *c, uint32_t usec)
{
    return c->usec_div > 1 ? usec - usec % c->usec_div : usec;
}

/* DECIMAL(p,s): uniform digits, of which the integer part keeps a uniform 0..p-s (so short
 * values are as common as long ones), negative half the time unless UNSIGNED (never "-0").
 * May write up to SLACK bytes past the value: the column's reserve covers them. */
static size_t gen_decimal(const gen_col *c, uint64_t h, uint64_t v, char *out)
{
    char d[72 + SLACK];
    unsigned p = c->type.precision, s = c->type.scale, ip = p - s;
    for (unsigned i = 0; i < p; i += 18)
        put_digits18(d + i, i == 0 ? v : mix64(v + i));
    unsigned first = ip - fast_range(h, ip + 1);
    while (first < ip && d[first] == '0')
        first++;
    char *o = out;
    if (!c->type.is_unsigned) {
        bool nonzero = first < ip;
        for (unsigned i = ip; i < p && !nonzero; i++)
            nonzero = d[i] != '0';
        /* The sign is a coin toss: written always, kept or not without a branch. */
        *o = '-';
        o += (v >> 63) & nonzero;
    }
    /* Copies of a fixed size (the slack covers them) compile to two vector moves and take no
     * branch on the random length; only DECIMAL wider than SLACK digits needs the general copy. */
    if (first == ip)
        *o++ = '0';
    else if (p <= SLACK)
        memcpy(o, d + first, SLACK);
    else
        memcpy(o, d + first, ip - first);
    o += ip - first;
    if (s) {
        *o++ = '.';
        if (p <= SLACK)
            memcpy(o, d + ip, SLACK);
        else
            memcpy(o, d + ip, s);
        o += s;
    }
    return (size_t)(o - out);
}

static double gen_real(const gen_col *c, uint64_t v)
{
    double d = c->gen == GEN_FLOAT ? (double)(v >> 40) * 0x1p-24 : (double)(v >> 11) * 0x1p-53;
    if (c->scale_pow > 0) {
        /* (M,D): round to D decimals; with no integer digits the value must stay below 1. */
        d = floor(d * c->scale_pow + 0.5) / c->scale_pow;
        if (c->type.precision == c->type.scale && d >= 1.0)
            d = (c->scale_pow - 1) / c->scale_pow;
    }
    return c->gen == GEN_FLOAT ? (double)(float)d : d;
}

static size_t gen_json(uint64_t id, uint64_t v, char *out)
{
    char *o = out;
    memcpy(o, "{\"id\":", 6);
    o += 6;
    o += put_u64(o, id);
    memcpy(o, ",\"n\":", 5);
    o += 5;
    o += put_u64(o, v % 1000000);
    if ((v >> 40) & 1) {
        memcpy(o, ",\"ok\":true}", 11);
        o += 11;
    } else {
        memcpy(o, ",\"ok\":false}", 12);
        o += 12;
    }
    return (size_t)(o - out);
}

static size_t gen_set(const gen_col *c, uint64_t v, char *out)
{
    char *o = out;
    for (size_t i = 0; i < c->type.member_count; i++) {
        if (!((v >> i) & 1))
            continue;
        if (o > out)
            *o++ = ',';
        memcpy(o, c->type.members[i], c->member_len[i]);
        o += c->member_len[i];
    }
    return (size_t)(o - out);
}

/* One value of column c for row id. h decides NULL; v, a cheap second bijection of h (one
 * multiply, where mix64 takes two), supplies the value's bits. */
static size_t gen_value(const op_datagen_schema *s, const gen_col *c, uint64_t id, rt_value *out,
                        char *buf)
{
    uint64_t h = mix64(c->key ^ id);
    if (c->nullable && h % 97 == 0) {
        out->type = RT_TYPE_NULL;
        return 0;
    }
    uint64_t v = (h ^ (h >> 32)) * 0xD6E8FEB86659FD93ull;
    size_t n = 0;
    switch (c->gen) {
    case GEN_ID:
        out->type = (uint8_t)c->type.type;
        out->u = id;
        break;
    case GEN_LABEL:
        memcpy(buf, c->name, c->name_len);
        buf[c->name_len] = '-';
        n = c->name_len + 1 + put_u64(buf + c->name_len + 1, id);
        set_str(out, RT_TYPE_STRING, buf, n);
        break;
    case GEN_INT:
        /* The low bits of v read as two's complement: no branch on the (random) sign. */
        out->type = RT_TYPE_INT;
        out->i = (int64_t)(((v & c->mask) ^ c->sign) - c->sign);
        break;
    case GEN_UINT:
        out->type = RT_TYPE_UINT;
        out->u = v & c->mask;
        break;
    case GEN_YEAR:
        out->type = RT_TYPE_INT;
        out->i = 1901 + (int64_t)(v % 255);
        break;
    case GEN_DECIMAL:
        n = gen_decimal(c, h, v, buf);
        set_str(out, RT_TYPE_DECIMAL, buf, n);
        break;
    case GEN_FLOAT:
    case GEN_DOUBLE:
        out->type = RT_TYPE_DOUBLE;
        out->d = gen_real(c, v);
        break;
    case GEN_TEXT:
    case GEN_BYTES: {
        /* The length from the high bits, the offset from the low ones. */
        n = c->fixed_len ? c->max_len : fast_range(v, c->max_len + 1);
        size_t off = (size_t)(v & (PATTERN_SPAN - 1));
        if (c->gen == GEN_TEXT) {
            memcpy(buf, s->text_pattern + off, c->copy_len);
            set_str(out, RT_TYPE_STRING, buf, n);
        } else {
            memcpy(buf, s->byte_pattern + off, c->copy_len);
            set_str(out, RT_TYPE_BYTES, buf, n);
        }
        break;
    }
    case GEN_DATE:
        out->type = RT_TYPE_DATE;
        memset(&out->t, 0, sizeof out->t);
        set_date(s, (uint32_t)(v % DATE_SPAN), &out->t);
        break;
    case GEN_DATETIME: {
        /* 32-bit arithmetic throughout: every quantity fits, and it is cheaper. */
        uint32_t secs = DATETIME_FROM + (uint32_t)v % DATETIME_SPAN;
        uint32_t usec = (uint32_t)(v >> 32) % 1000000u;
        out->type = RT_TYPE_DATETIME;
        memset(&out->t, 0, sizeof out->t);
        set_date(s, secs / 86400, &out->t);
        uint32_t tod = secs % 86400;
        out->t.hour = (uint16_t)(tod / 3600);
        out->t.minute = (uint8_t)(tod / 60 % 60);
        out->t.second = (uint8_t)(tod % 60);
        out->t.usec = cut_usec(c, usec);
        break;
    }
    case GEN_TIME: {
        /* Hours stay below 838 so that no fraction can pass TIME's maximum 838:59:59. */
        uint32_t usec = (uint32_t)(v >> 32) % 1000000u, low = (uint32_t)v;
        out->type = RT_TYPE_TIME;
        memset(&out->t, 0, sizeof out->t);
        out->t.hour = (uint16_t)(low % 838);
        out->t.minute = (uint8_t)((low >> 10) % 60);
        out->t.second = (uint8_t)((low >> 20) % 60);
        out->t.usec = cut_usec(c, usec);
        out->t.neg = (uint8_t)((h >> 8) & 1);
        if (!out->t.hour && !out->t.minute && !out->t.second && !out->t.usec)
            out->t.neg = 0;
        break;
    }
    case GEN_JSON:
        n = gen_json(id, v, buf);
        set_str(out, RT_TYPE_JSON, buf, n);
        break;
    case GEN_ENUM: {
        size_t i = fast_range(v, (uint32_t)c->type.member_count);
        n = c->member_len[i];
        memcpy(buf, c->type.members[i], n);
        set_str(out, RT_TYPE_STRING, buf, n);
        break;
    }
    case GEN_SET:
        n = gen_set(c, v, buf);
        set_str(out, RT_TYPE_STRING, buf, n);
        break;
    }
    return n;
}

size_t op_datagen_row(const op_datagen_schema *s, uint64_t id, rt_value *values, char *buf)
{
    size_t used = 0;
    for (size_t i = 0; i < s->count; i++)
        used += gen_value(s, &s->cols[i], id, &values[i], buf + used);
    return used;
}

/* How to generate a column of type t, and the row-buffer room one value takes. */
static void plan_column(gen_col *c)
{
    const op_sql_type *t = &c->type;
    size_t most = 0; /* the room: longest text plus any copy slack */
    c->usec_div = 1;
    for (unsigned i = t->fsp; i < 6; i++)
        c->usec_div *= 10;
    switch (t->kind) {
    case OP_SQL_TINYINT:
    case OP_SQL_SMALLINT:
    case OP_SQL_MEDIUMINT:
    case OP_SQL_INT:
    case OP_SQL_BIGINT:
        c->gen = t->is_unsigned ? GEN_UINT : GEN_INT;
        c->mask = op_sql_type_int_max(&c->type);
        if (!t->is_unsigned) {
            c->sign = c->mask + 1;
            c->mask = c->mask * 2 + 1;
        }
        break;
    case OP_SQL_BIT:
        c->gen = GEN_UINT;
        c->mask = t->length == 64 ? UINT64_MAX : ((uint64_t)1 << t->length) - 1;
        break;
    case OP_SQL_YEAR:
        c->gen = GEN_YEAR;
        break;
    case OP_SQL_DECIMAL:
        c->gen = GEN_DECIMAL;
        most = (size_t)t->precision + 3 + SLACK;
        break;
    case OP_SQL_FLOAT:
    case OP_SQL_DOUBLE:
        c->gen = t->kind == OP_SQL_FLOAT ? GEN_FLOAT : GEN_DOUBLE;
        c->scale_pow = t->precision ? pow(10.0, t->scale) : 0;
        break;
    case OP_SQL_BINARY:
    case OP_SQL_VARBINARY:
    case OP_SQL_TINYBLOB:
    case OP_SQL_BLOB:
    case OP_SQL_MEDIUMBLOB:
    case OP_SQL_LONGBLOB:
        c->gen = GEN_BYTES;
        c->max_len = t->length < STRING_MAX ? t->length : STRING_MAX;
        c->fixed_len = t->kind == OP_SQL_BINARY;
        c->copy_len = (c->max_len + SLACK - 1) / SLACK * SLACK;
        most = c->copy_len;
        break;
    case OP_SQL_DATE:
        c->gen = GEN_DATE;
        break;
    case OP_SQL_TIME:
        c->gen = GEN_TIME;
        break;
    case OP_SQL_DATETIME:
    case OP_SQL_TIMESTAMP:
        c->gen = GEN_DATETIME;
        break;
    case OP_SQL_JSON:
        c->gen = GEN_JSON;
        most = JSON_MAX;
        break;
    case OP_SQL_ENUM:
    case OP_SQL_SET:
        c->gen = t->kind == OP_SQL_ENUM ? GEN_ENUM : GEN_SET;
        for (size_t i = 0; i < t->member_count; i++) {
            size_t n = c->member_len[i];
            if (t->kind == OP_SQL_ENUM)
                most = n > most ? n : most;
            else
                most += n + 1;
        }
        break;
    default: /* CHAR, VARCHAR and the TEXT kinds */
        c->gen = GEN_TEXT;
        c->max_len = t->length < STRING_MAX ? t->length : STRING_MAX;
        c->copy_len = (c->max_len + SLACK - 1) / SLACK * SLACK;
        most = c->copy_len;
        break;
    }
    c->reserve = most;
}

void op_datagen_schema_free(op_datagen_schema *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->count; i++) {
        free(s->cols[i].name);
        free(s->cols[i].sql_text);
        free(s->cols[i].member_len);
        op_sql_type_fini(&s->cols[i].type);
    }
    free(s->cols);
    free(s->civil);
    free(s);
}

static bool is_word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* Cuts a trailing "NULL" or "NOT NULL" off text (in place); sets *not_null for the latter. */
static void strip_null_suffix(char *text, bool *not_null)
{
    size_t n = strlen(text);
    while (n && isspace((unsigned char)text[n - 1]))
        n--;
    if (n >= 4 && strncasecmp(text + n - 4, "null", 4) == 0 &&
        (n == 4 || !is_word_char(text[n - 5]))) {
        n -= 4;
        size_t m = n;
        while (m && isspace((unsigned char)text[m - 1]))
            m--;
        if (m < n && m >= 3 && strncasecmp(text + m - 3, "not", 3) == 0 &&
            (m == 3 || !is_word_char(text[m - 4]))) {
            *not_null = true;
            n = m - 3;
        }
    }
    text[n] = '\0';
}

/* The JSON path of member `key` of the object at `path`: $.a.key, or $.a["odd key"]. */
static void member_path(char *out, size_t size, const char *path, const char *key)
{
    bool plain = *key && !isdigit((unsigned char)*key);
    for (const char *p = key; *p && plain; p++)
        plain = is_word_char(*p);
    if (plain)
        snprintf(out, size, "%s.%s", path, key);
    else
        snprintf(out, size, "%s[\"%s\"]", path, key);
}

static int add_column(op_datagen_schema *s, const char *name, const char *type_text,
                      const char *path, rt_err *err)
{
    char where[320];
    member_path(where, sizeof where, path, name);
    size_t idx = s->count;
    if (!*name || strlen(name) > 64)
        return rt_err_set(err, RT_EINVAL, "%s: a column name must be 1..64 characters", where);
    for (size_t i = 0; i < idx; i++) {
        if (strcasecmp(s->cols[i].name, name) == 0)
            return rt_err_set(err, RT_EINVAL, "%s: duplicate column name", where);
    }
    char *text = strdup(type_text);
    if (!text)
        return rt_err_set(err, RT_ENOMEM, "%s: out of memory", where);
    bool not_null = false;
    strip_null_suffix(text, &not_null);
    gen_col *c = &s->cols[idx];
    memset(c, 0, sizeof *c);
    int rc = op_sql_type_parse(text, &c->type, err);
    free(text);
    if (rc != 0)
        return rt_err_prefix(err, rc, "%s", where);
    s->count++; /* from here on op_datagen_schema_free releases the column */
    if (op_sql_type_is_spatial(&c->type))
        return rt_err_set(err, RT_EINVAL, "%s: cannot generate spatial values ('%s')", where,
                          type_text);
    if (idx == 0 && !op_sql_type_is_integer(&c->type))
        return rt_err_set(err, RT_EINVAL,
                          "%s: the first column is the primary key and must be an integer type "
                          "(TINYINT..BIGINT), got '%s'",
                          where, type_text);
    rt_buf sql;
    rt_buf_init(&sql);
    op_sql_type_format(&c->type, &sql);
    c->sql_text = rt_buf_take(&sql);
    c->name = strdup(name);
    c->member_len = calloc(c->type.member_count + 1, sizeof *c->member_len);
    if (!c->name || !c->member_len)
        return rt_err_set(err, RT_ENOMEM, "%s: out of memory", where);
    c->name_len = strlen(name);
    for (size_t i = 0; i < c->type.member_count; i++)
        c->member_len[i] = strlen(c->type.members[i]);
    c->nullable = idx > 0 && !not_null;
    plan_column(c);
    if (idx == 0) {
        c->gen = GEN_ID;
        c->reserve = 0;
        s->max_id = op_sql_type_int_max(&c->type);
    }
    return 0;
}

static const struct {
    const char *name;
    const char *type;
} default_columns[] = {
    {"id", "BIGINT NOT NULL"},   {"k", "INT"},        {"name", "VARCHAR(64)"},
    {"price", "DECIMAL(18,4)"},  {"ratio", "DOUBLE"}, {"created", "DATETIME(6)"},
    {"payload", "VARCHAR(255)"}, {"flag", "TINYINT"},
};

static int add_columns(op_datagen_schema *s, const char *columns_json, const char *path,
                       rt_err *err)
{
    if (!columns_json) {
        size_t n = sizeof default_columns / sizeof default_columns[0];
        s->cols = calloc(n, sizeof *s->cols);
        if (!s->cols)
            return rt_err_set(err, RT_ENOMEM, "%s: out of memory", path);
        for (size_t i = 0; i < n; i++) {
            int rc = add_column(s, default_columns[i].name, default_columns[i].type, path, err);
            if (rc != 0)
                return rc;
        }
        s->cols[2].gen = GEN_LABEL;
        s->cols[2].reserve = s->cols[2].name_len + 21;
        return 0;
    }
    json_error_t jerr;
    json_t *root = json_loads(columns_json, JSON_DECODE_ANY, &jerr);
    if (!root)
        return rt_err_set(err, RT_EINVAL, "%s: invalid JSON: %s", path, jerr.text);
    int rc = 0;
    size_t n = json_is_object(root) ? json_object_size(root) : 0;
    if (!json_is_object(root) || n == 0 || n > MAX_COLUMNS) {
        rc = rt_err_set(err, RT_EINVAL,
                        "%s: expected an object of 1..%d column names -> MySQL types, "
                        "like {\"id\": \"BIGINT\", \"v\": \"VARCHAR(20)\"}",
                        path, MAX_COLUMNS);
    } else if (!(s->cols = calloc(n, sizeof *s->cols))) {
        rc = rt_err_set(err, RT_ENOMEM, "%s: out of memory", path);
    } else {
        const char *key;
        json_t *val;
        /* jansson keeps object members in document order: the columns keep the user's order. */
        json_object_foreach(root, key, val)
        {
            if (!json_is_string(val)) {
                char where[320];
                member_path(where, sizeof where, path, key);
                rc = rt_err_set(err, RT_EINVAL, "%s: expected a MySQL type as a string", where);
                break;
            }
            if ((rc = add_column(s, key, json_string_value(val), path, err)) != 0)
                break;
        }
    }
    json_decref(root);
    return rc;
}

int op_datagen_schema_new(const char *columns_json, int64_t seed, const char *path,
                          op_datagen_schema **out, rt_err *err)
{
    op_datagen_schema *s = calloc(1, sizeof *s);
    if (!s)
        return rt_err_set(err, RT_ENOMEM, "%s: out of memory", path);
    int rc = add_columns(s, columns_json, path, err);
    if (rc != 0) {
        op_datagen_schema_free(s);
        return rc;
    }
    bool dates = false;
    for (size_t i = 0; i < s->count; i++) {
        gen_col *c = &s->cols[i];
        c->key = mix64((uint64_t)seed + PHI * (i + 1));
        s->row_max += c->reserve;
        dates |= c->gen == GEN_DATE || c->gen == GEN_DATETIME;
    }
    if (dates) {
        s->civil = malloc(DATE_SPAN * sizeof *s->civil);
        if (!s->civil) {
            op_datagen_schema_free(s);
            return rt_err_set(err, RT_ENOMEM, "%s: out of memory", path);
        }
        for (uint32_t day = 0; day < DATE_SPAN; day++) {
            rt_temporal t;
            civil_from_days(day, &t);
            s->civil[day] = (uint32_t)t.year << 16 | (uint32_t)t.month << 8 | t.day;
        }
    }
    /* Printable ASCII without the space: no value ends in blanks that a CHAR column would trim,
     * and quotes and backslashes exercise every writer's escaping. */
    for (size_t i = 0; i < sizeof s->text_pattern; i++) {
        uint64_t r = mix64(i + PHI);
        s->text_pattern[i] = (char)(0x21 + r % 94);
        s->byte_pattern[i] = (unsigned char)(r >> 32);
    }
    *out = s;
    return 0;
}

size_t op_datagen_schema_column_count(const op_datagen_schema *s)
{
    return s->count;
}

uint64_t op_datagen_schema_max_id(const op_datagen_schema *s)
{
    return s->max_id;
}

size_t op_datagen_row_max_size(const op_datagen_schema *s)
{
    return s->row_max;
}

rt_table *op_datagen_schema_table(const op_datagen_schema *s, const char *db, const char *name,
                                  rt_err *err)
{
    rt_column *cols = calloc(s->count, sizeof *cols);
    if (!cols) {
        rt_err_set(err, RT_ENOMEM, "table %s.%s: out of memory", db, name);
        return NULL;
    }
    for (size_t i = 0; i < s->count; i++) {
        cols[i].name = s->cols[i].name;
        cols[i].type = s->cols[i].type.type;
        cols[i].sql_type = s->cols[i].sql_text;
        cols[i].nullable = s->cols[i].nullable;
        cols[i].primary_key = i == 0;
    }
    rt_table *t = rt_table_new(db, name, cols, s->count, err);
    free(cols);
    return t;
}
