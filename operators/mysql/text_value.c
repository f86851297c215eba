/* Text-protocol cells -> rt_value. Every choice mirrors mysql_value.c (op_mysql_value_decode and
 * op_mysql_cell_to_value), because the same row reaches the sinks once from the snapshot and
 * possibly again from the binlog, and the two must be byte-for-byte the same value. */
#include "operators/mysql/text_value.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operators/mysql/mysql_value.h"
#include "operators/mysql/value_conform.h"

static int malformed(const op_sql_type *t, const char *column, const char *text, size_t len,
                     rt_err *err)
{
    /* Bounded: a bad value may be a whole BLOB. */
    int shown = len > 64 ? 64 : (int)len;
    return rt_err_set(err, RT_ECORRUPT, "column '%s' (%s): malformed value \"%.*s%s\"",
                      column ? column : "?", op_sql_kind_name(t->kind), shown, text,
                      len > 64 ? "..." : "");
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Exactly the digits of [p, p+len), no sign, no blanks; false on overflow. */
static bool parse_u64(const char *p, size_t len, uint64_t *out)
{
    if (len == 0)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!is_digit(p[i]))
            return false;
        unsigned d = (unsigned)(p[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

static bool parse_i64(const char *p, size_t len, int64_t *out)
{
    bool neg = len > 0 && p[0] == '-';
    uint64_t u;
    if (!parse_u64(p + neg, len - neg, &u))
        return false;
    if (neg) {
        if (u > (uint64_t)INT64_MAX + 1)
            return false;
        *out = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
    } else {
        if (u > (uint64_t)INT64_MAX)
            return false;
        *out = (int64_t)u;
    }
    return true;
}

/* n digits at p as a number; false when any is not a digit. */
static bool fixed_digits(const char *p, size_t n, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(p[i]))
            return false;
        v = v * 10 + (unsigned)(p[i] - '0');
    }
    *out = v;
    return true;
}

/* ".f" to ".ffffff" at the end of a temporal: microseconds, scaled from 1-6 digits. */
static bool parse_fraction(const char *p, size_t len, uint32_t *usec)
{
    if (len == 0) {
        *usec = 0;
        return true;
    }
    if (p[0] != '.' || len < 2 || len > 7)
        return false;
    unsigned v;
    if (!fixed_digits(p + 1, len - 1, &v))
        return false;
    for (size_t i = len - 1; i < 6; i++)
        v *= 10;
    *usec = v;
    return true;
}

/* "YYYY-MM-DD". Zero dates and zero parts ('2024-00-00') pass: MySQL stores them under a
 * permissive sql_mode and the binlog carries them as they are. */
static bool parse_date(const char *p, size_t len, rt_temporal *t)
{
    unsigned y, m, d;
    if (len != 10 || p[4] != '-' || p[7] != '-' || !fixed_digits(p, 4, &y) ||
        !fixed_digits(p + 5, 2, &m) || !fixed_digits(p + 8, 2, &d) || m > 12 || d > 31)
        return false;
    t->year = (int16_t)y;
    t->month = (uint8_t)m;
    t->day = (uint8_t)d;
    return true;
}

/* "hh:mm:ss[.f]" of a DATETIME. */
static bool parse_clock(const char *p, size_t len, rt_temporal *t)
{
    unsigned h, mi, s;
    if (len < 8 || p[2] != ':' || p[5] != ':' || !fixed_digits(p, 2, &h) ||
        !fixed_digits(p + 3, 2, &mi) || !fixed_digits(p + 6, 2, &s) || h > 23 || mi > 59 ||
        s > 59 || !parse_fraction(p + 8, len - 8, &t->usec))
        return false;
    t->hour = (uint16_t)h;
    t->minute = (uint8_t)mi;
    t->second = (uint8_t)s;
    return true;
}

/* "[-]h{2,3}:mm:ss[.f]": TIME spans -838:59:59 to 838:59:59. */
static bool parse_time(const char *p, size_t len, rt_temporal *t)
{
    size_t at = 0;
    if (len && p[0] == '-') {
        t->neg = 1;
        at = 1;
    }
    size_t hd = 0;
    while (at + hd < len && is_digit(p[at + hd]))
        hd++;
    unsigned h, mi, s;
    if (hd < 2 || hd > 3 || !fixed_digits(p + at, hd, &h) || h > 838)
        return false;
    at += hd;
    if (len - at < 6 || p[at] != ':' || p[at + 3] != ':' || !fixed_digits(p + at + 1, 2, &mi) ||
        !fixed_digits(p + at + 4, 2, &s) || mi > 59 || s > 59 ||
        !parse_fraction(p + at + 6, len - at - 6, &t->usec))
        return false;
    t->hour = (uint16_t)h;
    t->minute = (uint8_t)mi;
    t->second = (uint8_t)s;
    return true;
}

/* A number as the server prints FLOAT/DOUBLE: [-]digits[.digits][e[+-]digits], nothing else
 * (the server never sends inf or nan: columns cannot hold them). */
static bool parse_double(const char *p, size_t len, double *out)
{
    char tmp[64];
    if (len == 0 || len >= sizeof tmp)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = p[i];
        if (!is_digit(c) && c != '-' && c != '+' && c != '.' && c != 'e' && c != 'E')
            return false;
    }
    memcpy(tmp, p, len);
    tmp[len] = '\0';
    char *end;
    double d = strtod(tmp, &end);
    if (end != tmp + len || !isfinite(d))
        return false;
    *out = d;
    return true;
}

/* mysql_value.c float_value: the shortest decimal text that reads back as the same float, as a
 * double, so FLOAT 1.1 is 1.1 here as in the binlog. */
static double float_value(float f)
{
    char tmp[32];
    for (int prec = 6; prec <= 9; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, (double)f);
        if (strtof(tmp, NULL) == f)
            return strtod(tmp, NULL);
    }
    return f;
}

/* DECIMAL as op_mysql_decimal_decode writes it: optional '-', the integer digits without
 * leading zeros ("0" when none), then '.' and exactly `scale` digits. */
static int parse_decimal(const op_sql_type *t, const char *column, const char *p, size_t len,
                         rt_batch *b, rt_value *out, rt_err *err)
{
    size_t at = 0;
    bool neg = len && p[0] == '-';
    at += neg;
    size_t is = at;
    while (at < len && is_digit(p[at]))
        at++;
    size_t ie = at, fs = at, fe = at;
    if (at < len && p[at] == '.') {
        fs = ++at;
        while (at < len && is_digit(p[at]))
            at++;
        fe = at;
        if (fe == fs)
            return malformed(t, column, p, len, err);
    }
    if (at != len || ie == is || fe - fs > t->scale || ie - is > 65)
        return malformed(t, column, p, len, err);
    while (ie - is > 1 && p[is] == '0')
        is++;
    char buf[72 + 32];
    size_t n = 0;
    if (neg)
        buf[n++] = '-';
    memcpy(buf + n, p + is, ie - is);
    n += ie - is;
    if (t->scale) {
        buf[n++] = '.';
        memcpy(buf + n, p + fs, fe - fs);
        n += fe - fs;
        for (size_t i = fe - fs; i < t->scale; i++)
            buf[n++] = '0';
    }
    return rt_batch_set_str(b, out, RT_TYPE_DECIMAL, buf, n) ? RT_ENOMEM : 0;
}

int op_text_value_parse(const op_sql_type *t, rt_type type, const char *column, const char *text,
                        size_t len, rt_batch *b, rt_value *out, rt_err *err)
{
    rt_value v;
    memset(&v, 0, sizeof v);
    if (!text) {
        v.type = RT_TYPE_NULL;
        *out = v;
        return 0;
    }
    switch (t->kind) {
    case OP_SQL_TINYINT:
    case OP_SQL_SMALLINT:
    case OP_SQL_MEDIUMINT:
    case OP_SQL_INT:
    case OP_SQL_BIGINT:
    case OP_SQL_YEAR:
        if (type == RT_TYPE_UINT) {
            if (!parse_u64(text, len, &v.u))
                return malformed(t, column, text, len, err);
        } else if (!parse_i64(text, len, &v.i)) {
            return malformed(t, column, text, len, err);
        }
        v.type = (uint8_t)(type == RT_TYPE_UINT ? RT_TYPE_UINT : RT_TYPE_INT);
        break;
    case OP_SQL_BIT: {
        /* The text protocol sends BIT(n) as its (n+7)/8 bytes, big-endian, as the binlog does. */
        size_t want = (t->length + 7u) / 8u;
        if (len != want || len == 0 || len > 8)
            return malformed(t, column, text, len, err);
        for (size_t i = 0; i < len; i++)
            v.u = v.u << 8 | (uint8_t)text[i];
        v.type = RT_TYPE_UINT;
        break;
    }
    case OP_SQL_FLOAT:
    case OP_SQL_DOUBLE:
        if (!parse_double(text, len, &v.d))
            return malformed(t, column, text, len, err);
        if (t->kind == OP_SQL_FLOAT)
            v.d = float_value((float)v.d);
        v.type = RT_TYPE_DOUBLE;
        break;
    case OP_SQL_DECIMAL:
        return parse_decimal(t, column, text, len, b, out, err);
    case OP_SQL_DATE:
        if (!parse_date(text, len, &v.t))
            return malformed(t, column, text, len, err);
        v.type = RT_TYPE_DATE;
        break;
    case OP_SQL_TIME:
        if (!parse_time(text, len, &v.t))
            return malformed(t, column, text, len, err);
        v.type = RT_TYPE_TIME;
        break;
    case OP_SQL_DATETIME:
    case OP_SQL_TIMESTAMP:
        if (len < 19 || text[10] != ' ' || !parse_date(text, 10, &v.t) ||
            !parse_clock(text + 11, len - 11, &v.t))
            return malformed(t, column, text, len, err);
        v.type = RT_TYPE_DATETIME;
        break;
    case OP_SQL_CHAR:
    case OP_SQL_VARCHAR:
    case OP_SQL_TINYTEXT:
    case OP_SQL_TEXT:
    case OP_SQL_MEDIUMTEXT:
    case OP_SQL_LONGTEXT:
    case OP_SQL_ENUM:
    case OP_SQL_SET:
    case OP_SQL_JSON: {
        rt_type st = t->kind == OP_SQL_JSON  ? RT_TYPE_JSON
                     : type == RT_TYPE_BYTES ? RT_TYPE_BYTES
                                             : RT_TYPE_STRING;
        if (rt_batch_set_str(b, out, st, text, len))
            return rt_err_set(err, RT_ENOMEM, "column '%s': out of memory", column);
        return 0;
    }
    case OP_SQL_BINARY:
    case OP_SQL_VARBINARY:
    case OP_SQL_TINYBLOB:
    case OP_SQL_BLOB:
    case OP_SQL_MEDIUMBLOB:
    case OP_SQL_LONGBLOB:
    case OP_SQL_GEOMETRY:
    case OP_SQL_POINT:
    case OP_SQL_LINESTRING:
    case OP_SQL_POLYGON:
    case OP_SQL_MULTIPOINT:
    case OP_SQL_MULTILINESTRING:
    case OP_SQL_MULTIPOLYGON:
    case OP_SQL_GEOMETRYCOLLECTION:
        if (rt_batch_set_str(b, out, RT_TYPE_BYTES, text, len))
            return rt_err_set(err, RT_ENOMEM, "column '%s': out of memory", column);
        return 0;
    default:
        return rt_err_set(err, RT_EUNSUPPORTED, "column '%s': type %s has no text decoder", column,
                          op_sql_kind_name(t->kind));
    }
    *out = v;
    return 0;
}

struct op_text_row {
    const rt_table *table;
    const op_mysql_time_zone *tz;
    size_t count;
    op_sql_type types[]; /* one per column */
};

int op_text_row_new(const rt_table *t, const op_mysql_time_zone *tz, op_text_row **out, rt_err *err)
{
    size_t n = rt_table_column_count(t);
    op_text_row *r = calloc(1, sizeof *r + n * sizeof r->types[0]);
    if (!r)
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    r->table = t;
    r->tz = tz;
    for (size_t i = 0; i < n; i++) {
        const rt_column *c = rt_table_column(t, i);
        int rc = c->sql_type ? op_sql_type_parse(c->sql_type, &r->types[i], err)
                             : rt_err_set(err, RT_EINVAL, "no SQL type");
        if (rc) {
            op_text_row_free(r);
            return rt_err_prefix(err, RT_EINVAL, "table %s column '%s'", rt_table_qualified(t),
                                 c->name);
        }
        r->count = i + 1;
    }
    *out = r;
    return 0;
}

void op_text_row_free(op_text_row *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->count; i++)
        op_sql_type_fini(&r->types[i]);
    free(r);
}

/* A TIMESTAMP read in the UTC session -> the same instant's wall time in tz, by the binlog
 * phase's conversion. The zero TIMESTAMP stays zero. */
static void timestamp_in_zone(const op_mysql_time_zone *tz, rt_temporal *t)
{
    if (t->year == 0 && t->month == 0 && t->day == 0)
        return;
    int64_t secs = op_mysql_days_from_civil(t->year, t->month, t->day) * 86400 +
                   (int64_t)t->hour * 3600 + t->minute * 60 + t->second;
    op_mysql_timestamp_civil(secs, t->usec, op_mysql_time_zone_offset(tz, secs), t);
}

int op_text_row_decode(const op_text_row *r, const char *const *values,
                       const unsigned long *lengths, rt_batch *b, rt_record *rec, rt_err *err)
{
    for (size_t i = 0; i < r->count; i++) {
        const rt_column *c = rt_table_column(r->table, i);
        rt_value *v = &rec->values[i];
        int rc = op_text_value_parse(&r->types[i], c->type, c->name, values[i],
                                     values[i] ? lengths[i] : 0, b, v, err);
        if (rc == 0)
            rc = op_mysql_value_conform(&r->types[i], c->name, b, v, err);
        if (rc == 0 && r->types[i].kind == OP_SQL_TIMESTAMP && v->type == RT_TYPE_DATETIME)
            timestamp_in_zone(r->tz, &v->t);
        if (rc)
            return rt_err_prefix(err, rc, "table %s", rt_table_qualified(r->table));
    }
    return 0;
}
