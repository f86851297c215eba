/* Column values of row images: the per-type encodings of notes/binlog.md 4.3 (MySQL
 * log_event.cc log_event_print_value, field.cc, my_time.cc for the temporal "2" formats,
 * strings/decimal.cc decimal2bin), MySQL's text form of each, and the conversion to rt_value. */
#include "operators/mysql/mysql_value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operators/mysql/byte_cursor.h"
#include "operators/mysql/mysql_json.h"

/* Bytes of a leftover group of k decimal digits (decimal.cc dig2bytes). */
static const uint8_t dig2bytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};

size_t op_mysql_decimal_size(unsigned precision, unsigned scale)
{
    unsigned intg = precision - scale;
    return (intg / 9) * 4 + dig2bytes[intg % 9] + (scale / 9) * 4 + dig2bytes[scale % 9];
}

static const uint32_t pow10_9[10] = {1,      10,      100,      1000,      10000,
                                     100000, 1000000, 10000000, 100000000, 1000000000};

int op_mysql_decimal_decode(const uint8_t *p, size_t len, unsigned precision, unsigned scale,
                            rt_buf *out, size_t *consumed, rt_err *err)
{
    if (precision < 1 || precision > 65 || scale > 30 || scale > precision)
        return rt_err_set(err, RT_ECORRUPT, "DECIMAL(%u,%u): bad precision/scale", precision,
                          scale);
    size_t size = op_mysql_decimal_size(precision, scale);
    if (size > len)
        return rt_err_set(err, RT_ECORRUPT, "DECIMAL(%u,%u): needs %zu bytes, %zu left", precision,
                          scale, size, len);
    uint8_t b[32]; /* DECIMAL(65,30) takes 30 bytes */
    memcpy(b, p, size);
    /* decimal2bin: the sign bit is flipped so that byte order sorts; negatives are stored as
     * their one's complement. */
    bool neg = !(b[0] & 0x80);
    b[0] ^= 0x80;
    if (neg) {
        for (size_t i = 0; i < size; i++)
            b[i] ^= 0xff;
    }
    unsigned intg = precision - scale, lead = intg % 9, trail = scale % 9;
    char digits[80]; /* integer digits */
    size_t nd = 0, at = 0;
    /* Integer part: the leftover group (most significant), then full groups of 9. */
    unsigned groups[8];
    unsigned widths[8];
    size_t ng = 0;
    if (lead) {
        groups[ng] = (unsigned)op_get_be(b + at, dig2bytes[lead]);
        widths[ng++] = lead;
        at += dig2bytes[lead];
    }
    for (unsigned i = 0; i < intg / 9; i++) {
        groups[ng] = (unsigned)op_get_be(b + at, 4);
        widths[ng++] = 9;
        at += 4;
    }
    for (size_t g = 0; g < ng; g++) {
        if (groups[g] >= pow10_9[widths[g]])
            return rt_err_set(err, RT_ECORRUPT, "DECIMAL(%u,%u): digit group out of range",
                              precision, scale);
        nd += (size_t)snprintf(digits + nd, sizeof digits - nd, "%0*u", (int)widths[g], groups[g]);
    }
    size_t skip = 0;
    while (skip + 1 < nd && digits[skip] == '0')
        skip++;
    if (nd == 0) {
        digits[0] = '0';
        nd = 1;
    }
    char frac[40];
    size_t nf = 0;
    for (unsigned i = 0; i < scale / 9; i++) {
        unsigned g = (unsigned)op_get_be(b + at, 4);
        at += 4;
        if (g >= pow10_9[9])
            return rt_err_set(err, RT_ECORRUPT, "DECIMAL(%u,%u): digit group out of range",
                              precision, scale);
        nf += (size_t)snprintf(frac + nf, sizeof frac - nf, "%09u", g);
    }
    if (trail) {
        unsigned g = (unsigned)op_get_be(b + at, dig2bytes[trail]);
        at += dig2bytes[trail];
        if (g >= pow10_9[trail])
            return rt_err_set(err, RT_ECORRUPT, "DECIMAL(%u,%u): digit group out of range",
                              precision, scale);
        nf += (size_t)snprintf(frac + nf, sizeof frac - nf, "%0*u", (int)trail, g);
    }
    if (neg)
        rt_buf_append_char(out, '-');
    rt_buf_append(out, digits + skip, nd - skip);
    if (scale) {
        rt_buf_append_char(out, '.');
        rt_buf_append(out, frac, nf);
    }
    *consumed = size;
    return 0;
}

void op_mysql_civil_from_days(int64_t days, int *year, unsigned *month, unsigned *day)
{
    /* The days -> (y, m, d) algorithm of H. Hinnant's "chrono-compatible low-level date
     * algorithms" (eras of 400 years, years starting in March). */
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    unsigned doe = (unsigned)(days - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *day = doy - (153 * mp + 2) / 5 + 1;
    *month = mp < 10 ? mp + 3 : mp - 9;
    *year = (int)(y + (*month <= 2));
}

int64_t op_mysql_days_from_civil(int year, unsigned month, unsigned day)
{
    /* The inverse of op_mysql_civil_from_days (same source). */
    int64_t y = (int64_t)year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* TIMESTAMP seconds + microseconds -> civil time at offset. MySQL stores the zero TIMESTAMP as
 * 0 seconds, which no real TIMESTAMP can be (the range starts at 00:00:01 UTC): it stays zero. */
static rt_temporal timestamp_civil(int64_t secs, uint32_t usec, int32_t offset)
{
    rt_temporal t;
    memset(&t, 0, sizeof t);
    if (secs == 0 && usec == 0)
        return t;
    secs += offset;
    int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    int64_t sod = secs - days * 86400;
    int y;
    unsigned m, d;
    op_mysql_civil_from_days(days, &y, &m, &d);
    t.year = (int16_t)y;
    t.month = (uint8_t)m;
    t.day = (uint8_t)d;
    t.hour = (uint16_t)(sod / 3600);
    t.minute = (uint8_t)(sod / 60 % 60);
    t.second = (uint8_t)(sod % 60);
    t.usec = usec;
    return t;
}

void op_mysql_timestamp_civil(int64_t unix_seconds, uint32_t usec, int32_t offset_sec,
                              rt_temporal *out)
{
    *out = timestamp_civil(unix_seconds, usec, offset_sec);
}

/* The fraction bytes of the "2" temporal types: (fsp+1)/2 bytes big-endian, in hundredths,
 * ten-thousandths or microseconds (my_time.cc my_datetime_packed_from_binary). */
static bool read_frac(op_cursor *c, unsigned fsp, uint32_t *usec)
{
    unsigned n = (fsp + 1) / 2;
    uint64_t v = 0;
    if (n && !op_cursor_be(c, n, &v))
        return false;
    *usec = (uint32_t)(n == 1 ? v * 10000 : n == 2 ? v * 100 : v);
    return *usec < 1000000;
}

/* TIME2 (notes 4.3): a negative value with a fraction is one packed number, so the fraction
 * borrows from the integer part rather than standing beside it. */
static bool read_time2(op_cursor *c, unsigned fsp, rt_temporal *t)
{
    int64_t packed;
    uint64_t v, f;
    if (fsp >= 5) {
        if (!op_cursor_be(c, 6, &v))
            return false;
        packed = (int64_t)v - INT64_C(0x800000000000);
    } else {
        if (!op_cursor_be(c, 3, &v))
            return false;
        int64_t intpart = (int64_t)v - 0x800000;
        int64_t frac = 0;
        if (fsp >= 1) {
            unsigned n = fsp >= 3 ? 2 : 1;
            if (!op_cursor_be(c, n, &f))
                return false;
            frac = (int64_t)f;
            if (intpart < 0 && frac) {
                intpart++;
                frac -= n == 1 ? 0x100 : 0x10000;
            }
            frac *= n == 1 ? 10000 : 100;
        }
        packed = intpart * (INT64_C(1) << 24) + frac;
    }
    t->neg = packed < 0;
    uint64_t a = t->neg ? (uint64_t)0 - (uint64_t)packed : (uint64_t)packed;
    uint64_t hms = a >> 24;
    t->usec = (uint32_t)(a & 0xffffff);
    t->hour = (uint16_t)((hms >> 12) & 0x3ff);
    t->minute = (uint8_t)((hms >> 6) & 0x3f);
    t->second = (uint8_t)(hms & 0x3f);
    return t->usec < 1000000;
}

/* The shortest decimal text that reads back as the same float, as a double: FLOAT 1.1 becomes
 * 1.1, not 1.100000023841858 (MySQL prints FLOAT columns that way too). */
static double float_value(float f)
{
    if (!isfinite(f))
        return f;
    char tmp[32];
    for (int prec = 6; prec <= 9; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, (double)f);
        if (strtof(tmp, NULL) == f)
            return strtod(tmp, NULL);
    }
    return f;
}

static int value_error(const op_mysql_column *col, const char *what, rt_err *err)
{
    return rt_err_set(err, RT_ECORRUPT, "%s value: %s", op_mysql_type_name(col->real_type), what);
}

/* Strings, binary and length-prefixed values: n-byte little-endian length, then the bytes. */
static bool read_prefixed(op_cursor *c, unsigned n, op_mysql_cell *out)
{
    uint64_t l;
    const uint8_t *p;
    if (!op_cursor_le(c, n, &l) || !op_cursor_bytes(c, (size_t)l, &p))
        return false;
    out->raw = p;
    out->raw_len = (uint32_t)l;
    return true;
}

static void set_str(op_mysql_cell *out, rt_type type)
{
    out->value.type = (uint8_t)type;
    out->value.s.ptr = (const char *)out->raw;
    out->value.s.len = out->raw_len;
}

static int decode_integer(const op_mysql_column *col, op_cursor *c, unsigned n, op_mysql_cell *out,
                          rt_err *err)
{
    uint64_t v;
    if (!op_cursor_le(c, n, &v))
        return value_error(col, "truncated", err);
    if (col->is_unsigned == 1) {
        out->value.type = RT_TYPE_UINT;
        out->value.u = v;
    } else {
        unsigned shift = 64 - 8 * n;
        out->value.type = RT_TYPE_INT;
        out->value.i = (int64_t)(v << shift) >> shift;
    }
    return 0;
}

static int decode_temporal(const op_mysql_column *col, op_cursor *c, op_mysql_cell *out,
                           rt_err *err)
{
    rt_temporal *t = &out->value.t;
    memset(t, 0, sizeof *t);
    uint64_t v;
    switch (col->real_type) {
    case OP_MYSQL_TYPE_DATE:
    case OP_MYSQL_TYPE_NEWDATE:
        if (!op_cursor_le(c, 3, &v))
            return value_error(col, "truncated", err);
        out->value.type = RT_TYPE_DATE;
        t->day = (uint8_t)(v & 31);
        t->month = (uint8_t)((v >> 5) & 15);
        t->year = (int16_t)(v >> 9);
        return 0;
    case OP_MYSQL_TYPE_TIME: { /* pre-5.6.4: signed 3-byte HHMMSS as a decimal number */
        if (!op_cursor_le(c, 3, &v))
            return value_error(col, "truncated", err);
        int32_t s = (int32_t)(v << 8) >> 8;
        uint32_t a = s < 0 ? (uint32_t)-s : (uint32_t)s;
        out->value.type = RT_TYPE_TIME;
        t->neg = s < 0;
        t->hour = (uint16_t)(a / 10000);
        t->minute = (uint8_t)(a / 100 % 100);
        t->second = (uint8_t)(a % 100);
        return 0;
    }
    case OP_MYSQL_TYPE_DATETIME: { /* pre-5.6.4: YYYYMMDDhhmmss as an 8-byte number */
        if (!op_cursor_le(c, 8, &v))
            return value_error(col, "truncated", err);
        uint64_t d = v / 1000000, tod = v % 1000000;
        if (d > 99991231)
            return value_error(col, "out of range", err);
        out->value.type = RT_TYPE_DATETIME;
        t->year = (int16_t)(d / 10000);
        t->month = (uint8_t)(d / 100 % 100);
        t->day = (uint8_t)(d % 100);
        t->hour = (uint16_t)(tod / 10000);
        t->minute = (uint8_t)(tod / 100 % 100);
        t->second = (uint8_t)(tod % 100);
        return 0;
    }
    case OP_MYSQL_TYPE_TIMESTAMP:
    case OP_MYSQL_TYPE_TIMESTAMP2: {
        bool two = col->real_type == OP_MYSQL_TYPE_TIMESTAMP2;
        uint32_t usec = 0;
        if (!(two ? op_cursor_be(c, 4, &v) : op_cursor_le(c, 4, &v)))
            return value_error(col, "truncated", err);
        if (two && !read_frac(c, col->fsp, &usec))
            return value_error(col, "bad fraction", err);
        out->unix_seconds = (int64_t)v;
        out->usec = usec;
        out->value.type = RT_TYPE_DATETIME;
        *t = timestamp_civil((int64_t)v, usec, 0);
        return 0;
    }
    case OP_MYSQL_TYPE_DATETIME2: {
        if (!op_cursor_be(c, 5, &v))
            return value_error(col, "truncated", err);
        if (v < UINT64_C(0x8000000000))
            return value_error(col, "negative DATETIME", err);
        uint64_t ip = v - UINT64_C(0x8000000000);
        uint64_t ymd = ip >> 17, ym = ymd >> 5, hms = ip & 0x1ffff;
        out->value.type = RT_TYPE_DATETIME;
        t->year = (int16_t)(ym / 13);
        t->month = (uint8_t)(ym % 13);
        t->day = (uint8_t)(ymd & 31);
        t->hour = (uint16_t)(hms >> 12);
        t->minute = (uint8_t)((hms >> 6) & 63);
        t->second = (uint8_t)(hms & 63);
        if (ym / 13 > 9999 || !read_frac(c, col->fsp, &t->usec))
            return value_error(col, "out of range", err);
        return 0;
    }
    case OP_MYSQL_TYPE_TIME2:
        out->value.type = RT_TYPE_TIME;
        if (!read_time2(c, col->fsp, t))
            return value_error(col, "truncated or out of range", err);
        return 0;
    }
    return value_error(col, "not a temporal type", err);
}

int op_mysql_value_decode(const op_mysql_column *col, const uint8_t *p, size_t len,
                          op_mysql_cell *out, size_t *consumed, rt_buf *text, rt_err *err)
{
    op_cursor c = op_cursor_make(p, len);
    op_mysql_cell cell;
    memset(&cell, 0, sizeof cell);
    cell.type = col->real_type;
    cell.fsp = col->fsp;
    uint64_t v;
    int rc = 0;
    switch (col->real_type) {
    case OP_MYSQL_TYPE_TINY:
        rc = decode_integer(col, &c, 1, &cell, err);
        break;
    case OP_MYSQL_TYPE_SHORT:
        rc = decode_integer(col, &c, 2, &cell, err);
        break;
    case OP_MYSQL_TYPE_INT24:
        rc = decode_integer(col, &c, 3, &cell, err);
        break;
    case OP_MYSQL_TYPE_LONG:
        rc = decode_integer(col, &c, 4, &cell, err);
        break;
    case OP_MYSQL_TYPE_LONGLONG:
        rc = decode_integer(col, &c, 8, &cell, err);
        break;
    case OP_MYSQL_TYPE_YEAR: {
        uint8_t y;
        if (!op_cursor_u8(&c, &y))
            return value_error(col, "truncated", err);
        cell.value.type = RT_TYPE_INT;
        cell.value.i = y ? 1900 + y : 0;
        break;
    }
    case OP_MYSQL_TYPE_FLOAT:
    case OP_MYSQL_TYPE_DOUBLE: {
        bool is_float = col->real_type == OP_MYSQL_TYPE_FLOAT;
        if (!op_cursor_le(&c, is_float ? 4 : 8, &v))
            return value_error(col, "truncated", err);
        cell.value.type = RT_TYPE_DOUBLE;
        if (is_float) {
            uint32_t u = (uint32_t)v;
            float f;
            memcpy(&f, &u, sizeof f);
            cell.value.d = float_value(f);
        } else {
            memcpy(&cell.value.d, &v, sizeof cell.value.d);
        }
        break;
    }
    case OP_MYSQL_TYPE_NEWDECIMAL: {
        size_t used, off = text->len;
        rc = op_mysql_decimal_decode(c.p, c.left, col->precision, col->scale, text, &used, err);
        if (rc)
            return rc;
        op_cursor_skip(&c, used);
        cell.fsp = col->scale;
        cell.value.type = RT_TYPE_DECIMAL;
        cell.text_off = (uint32_t)off;
        cell.value.s.ptr = text->data + off;
        cell.value.s.len = (uint32_t)(text->len - off);
        break;
    }
    case OP_MYSQL_TYPE_DATE:
    case OP_MYSQL_TYPE_NEWDATE:
    case OP_MYSQL_TYPE_TIME:
    case OP_MYSQL_TYPE_DATETIME:
    case OP_MYSQL_TYPE_TIMESTAMP:
    case OP_MYSQL_TYPE_TIMESTAMP2:
    case OP_MYSQL_TYPE_DATETIME2:
    case OP_MYSQL_TYPE_TIME2:
        rc = decode_temporal(col, &c, &cell, err);
        break;
    case OP_MYSQL_TYPE_VARCHAR:
    case OP_MYSQL_TYPE_VAR_STRING:
    case OP_MYSQL_TYPE_STRING:
        /* notes 4.3: one length byte when the column's maximum byte length is below 256. */
        if (!read_prefixed(&c, col->max_length < 256 ? 1 : 2, &cell))
            return value_error(col, "truncated", err);
        set_str(&cell, col->collation == 63 ? RT_TYPE_BYTES : RT_TYPE_STRING);
        break;
    case OP_MYSQL_TYPE_BLOB:
    case OP_MYSQL_TYPE_TINY_BLOB:
    case OP_MYSQL_TYPE_MEDIUM_BLOB:
    case OP_MYSQL_TYPE_LONG_BLOB:
        if (!read_prefixed(&c, col->length_bytes, &cell))
            return value_error(col, "truncated", err);
        set_str(&cell, col->collation == 63 ? RT_TYPE_BYTES : RT_TYPE_STRING);
        break;
    case OP_MYSQL_TYPE_GEOMETRY:
    case OP_MYSQL_TYPE_VECTOR:
        if (!read_prefixed(&c, col->length_bytes, &cell))
            return value_error(col, "truncated", err);
        set_str(&cell, RT_TYPE_BYTES);
        break;
    case OP_MYSQL_TYPE_JSON: {
        if (!read_prefixed(&c, col->length_bytes, &cell))
            return value_error(col, "truncated", err);
        size_t off = text->len;
        rc = op_mysql_json_to_text(cell.raw, cell.raw_len, text, err);
        if (rc)
            return rc;
        cell.value.type = RT_TYPE_JSON;
        cell.text_off = (uint32_t)off;
        cell.value.s.ptr = text->data + off;
        cell.value.s.len = (uint32_t)(text->len - off);
        break;
    }
    case OP_MYSQL_TYPE_ENUM:
    case OP_MYSQL_TYPE_SET:
        if (!op_cursor_le(&c, col->length_bytes, &v))
            return value_error(col, "truncated", err);
        cell.value.type = RT_TYPE_UINT;
        cell.value.u = v;
        if (col->real_type == OP_MYSQL_TYPE_ENUM && col->labels && v >= 1 && v <= col->n_labels)
            cell.label = col->labels[v - 1];
        break;
    case OP_MYSQL_TYPE_BIT: {
        unsigned n = (col->bits + 7u) / 8u;
        const uint8_t *b;
        if (!op_cursor_bytes(&c, n, &b))
            return value_error(col, "truncated", err);
        cell.raw = b;
        cell.raw_len = n;
        cell.bits = col->bits;
        cell.value.type = RT_TYPE_UINT;
        cell.value.u = op_get_be(b, n);
        break;
    }
    case OP_MYSQL_TYPE_NULL:
        cell.is_null = true;
        cell.value.type = RT_TYPE_NULL;
        break;
    case OP_MYSQL_TYPE_DECIMAL:
        return rt_err_set(err, RT_EUNSUPPORTED,
                          "pre-5.0 DECIMAL column: the binlog does not carry its length");
    default:
        return rt_err_set(err, RT_EUNSUPPORTED, "column type %u: no value decoder", col->real_type);
    }
    if (rc)
        return rc;
    *consumed = len - c.left;
    if (!cell.raw) { /* fixed-size encodings: the value's bytes are all it took */
        cell.raw = p;
        cell.raw_len = (uint32_t)*consumed;
    }
    *out = cell;
    return 0;
}

static void append_fraction(rt_buf *out, uint32_t usec, unsigned fsp)
{
    if (fsp == 0)
        return;
    char tmp[8];
    snprintf(tmp, sizeof tmp, ".%06u", (unsigned)usec);
    rt_buf_append(out, tmp, 1 + (fsp > 6 ? 6 : fsp));
}

static void format_temporal(const rt_temporal *t, unsigned type, unsigned fsp, rt_buf *out)
{
    char tmp[48];
    if (type == RT_TYPE_DATE) {
        snprintf(tmp, sizeof tmp, "%04d-%02u-%02u", t->year, t->month, t->day);
        rt_buf_append_str(out, tmp);
        return;
    }
    if (type == RT_TYPE_TIME)
        snprintf(tmp, sizeof tmp, "%s%02u:%02u:%02u", t->neg ? "-" : "", t->hour, t->minute,
                 t->second);
    else
        snprintf(tmp, sizeof tmp, "%04d-%02u-%02u %02u:%02u:%02u", t->year, t->month, t->day,
                 t->hour, t->minute, t->second);
    rt_buf_append_str(out, tmp);
    append_fraction(out, t->usec, fsp);
}

/* Appends the labels of the set bits joined by ','; false when a bit has no label. */
static bool set_labels(const op_mysql_column *col, uint64_t bits, rt_buf *out)
{
    size_t mark = out->len;
    bool first = true;
    for (unsigned i = 0; i < 64; i++) {
        if (!((bits >> i) & 1))
            continue;
        if (i >= col->n_labels) {
            out->len = mark;
            if (out->data)
                out->data[mark] = '\0';
            return false;
        }
        if (!first)
            rt_buf_append_char(out, ',');
        rt_buf_append_str(out, col->labels[i]);
        first = false;
    }
    return true;
}

void op_mysql_cell_format_text(const op_mysql_cell *c, const op_mysql_column *col, rt_buf *out)
{
    const rt_value *v = &c->value;
    switch (v->type) {
    case RT_TYPE_NULL:
        return;
    case RT_TYPE_INT:
        if (c->type == OP_MYSQL_TYPE_YEAR)
            rt_buf_appendf(out, "%04lld", (long long)v->i);
        else
            rt_buf_append_i64(out, v->i);
        return;
    case RT_TYPE_UINT:
        if (c->type == OP_MYSQL_TYPE_ENUM && c->label) {
            rt_buf_append_str(out, c->label);
            return;
        }
        if (c->type == OP_MYSQL_TYPE_SET && col->labels && set_labels(col, v->u, out))
            return;
        rt_buf_append_u64(out, v->u);
        return;
    case RT_TYPE_DOUBLE: {
        char tmp[40];
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(tmp, sizeof tmp, "%.*g", prec, v->d);
            if (strtod(tmp, NULL) == v->d)
                break;
        }
        rt_buf_append_str(out, tmp);
        return;
    }
    case RT_TYPE_DATE:
    case RT_TYPE_TIME:
    case RT_TYPE_DATETIME:
        format_temporal(&v->t, v->type, c->fsp, out);
        return;
    default:
        rt_buf_append(out, v->s.ptr, v->s.len);
        return;
    }
}

void op_mysql_cell_to_value(const op_mysql_cell *c, const op_mysql_column *col,
                            int32_t tz_offset_sec, rt_buf *text, rt_value *out)
{
    *out = c->value;
    if (c->is_null) {
        out->type = RT_TYPE_NULL;
        return;
    }
    if (c->type == OP_MYSQL_TYPE_ENUM && col->labels) {
        /* Index 0 is the empty string MySQL stores for an invalid ENUM value. */
        const char *label = c->value.u == 0 ? "" : c->label;
        if (label) {
            out->type = RT_TYPE_STRING;
            out->s.ptr = label;
            out->s.len = (uint32_t)strlen(label);
        }
    } else if (c->type == OP_MYSQL_TYPE_SET && col->labels) {
        size_t mark = text->len;
        if (set_labels(col, c->value.u, text)) {
            out->type = RT_TYPE_STRING;
            out->s.ptr = text->data ? text->data + mark : "";
            out->s.len = (uint32_t)(text->len - mark);
        }
    } else if ((c->type == OP_MYSQL_TYPE_TIMESTAMP || c->type == OP_MYSQL_TYPE_TIMESTAMP2) &&
               tz_offset_sec != 0) {
        out->t = timestamp_civil(c->unix_seconds, c->usec, tz_offset_sec);
    }
}
