/* MySQL binary JSON -> JSON text (notes/binlog.md 4.4, MySQL sql/json_binary.h for the layout,
 * json_dom.cc Json_wrapper::to_string for the printed form), and PARTIAL_UPDATE_ROWS JSON diffs
 * (notes 4.6, MySQL json_diff.cc Json_diff_vector::read_binary). */
#include "operators/mysql/mysql_json.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operators/mysql/byte_cursor.h"
#include "operators/mysql/column_type.h"
#include "operators/mysql/mysql_value.h"

/* json_binary.h type bytes. */
enum {
    JSONB_SMALL_OBJECT = 0x00,
    JSONB_LARGE_OBJECT = 0x01,
    JSONB_SMALL_ARRAY = 0x02,
    JSONB_LARGE_ARRAY = 0x03,
    JSONB_LITERAL = 0x04,
    JSONB_INT16 = 0x05,
    JSONB_UINT16 = 0x06,
    JSONB_INT32 = 0x07,
    JSONB_UINT32 = 0x08,
    JSONB_INT64 = 0x09,
    JSONB_UINT64 = 0x0a,
    JSONB_DOUBLE = 0x0b,
    JSONB_STRING = 0x0c,
    JSONB_OPAQUE = 0x0f,
};

/* MySQL refuses documents nested deeper than 100 (JSON_DOCUMENT_MAX_DEPTH); the bound also keeps
 * the recursion of a hostile document off the stack's end. */
#define MAX_DEPTH 100

typedef struct jctx {
    rt_buf *out;
    rt_err *err;
} jctx;

static int corrupt(jctx *j, const char *what)
{
    return rt_err_set(j->err, RT_ECORRUPT, "binary JSON: %s", what);
}

void op_mysql_json_double(double d, rt_buf *out)
{
    if (!isfinite(d)) { /* JSON has no NaN or infinity; MySQL never stores them */
        rt_buf_append_str(out, "null");
        return;
    }
    char tmp[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    /* MySQL (my_gcvt) writes exponents without '+' or leading zeros: 1e300, 1e-7. */
    char fixed[40];
    size_t n = 0;
    bool has_point = false;
    for (const char *p = tmp; *p; p++) {
        if (*p == '.' || *p == 'e')
            has_point = true;
        if (*p == 'e') {
            fixed[n++] = 'e';
            p++;
            if (*p == '-')
                fixed[n++] = *p++;
            else if (*p == '+')
                p++;
            while (*p == '0' && p[1])
                p++;
            while (*p)
                fixed[n++] = *p++;
            break;
        }
        fixed[n++] = *p == ',' ? '.' : *p;
    }
    fixed[n] = '\0';
    rt_buf_append_str(out, fixed);
    if (!has_point)
        rt_buf_append_str(out, ".0");
}

static int value(jctx *j, uint8_t type, const uint8_t *p, size_t len, int depth);

/* json_binary.h: the variable-length size of strings and opaque values, 7 bits a byte, low
 * groups first, high bit = more; at most 5 bytes (32 bits). */
static bool varsize(op_cursor *c, uint64_t *out)
{
    uint64_t v = 0;
    for (int i = 0; i < 5; i++) {
        uint8_t b;
        if (!op_cursor_u8(c, &b))
            return false;
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            *out = v;
            return v <= UINT32_MAX;
        }
    }
    return false;
}

/* MySQL's packed temporal longlong (my_time.cc TIME_to_longlong_*_packed): a sign, then
 * ((year*13+month)<<5|day)<<17 | hour<<12|minute<<6|second, shifted left 24, plus microseconds. */
static void packed_temporal(jctx *j, unsigned field_type, int64_t v)
{
    bool neg = v < 0;
    uint64_t u = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    unsigned usec = (unsigned)(u & 0xffffff);
    uint64_t ymdhms = u >> 24;
    unsigned hms = (unsigned)(ymdhms & 0x1ffff);
    uint64_t ymd = ymdhms >> 17;
    unsigned day = (unsigned)(ymd & 31), ym = (unsigned)(ymd >> 5 & 0x3ffff);
    unsigned second = hms & 63, minute = (hms >> 6) & 63, hour = hms >> 12;
    char tmp[64];
    switch (field_type) {
    case OP_MYSQL_TYPE_TIME:
        /* TIME packs hours beyond 31 into the bits above the day: all of ymdhms is the time. */
        hour = (unsigned)((ymdhms >> 12) & 0x3ff);
        snprintf(tmp, sizeof tmp, "\"%s%02u:%02u:%02u.%06u\"", neg ? "-" : "", hour, minute, second,
                 usec);
        break;
    case OP_MYSQL_TYPE_DATE:
    case OP_MYSQL_TYPE_NEWDATE:
        snprintf(tmp, sizeof tmp, "\"%04u-%02u-%02u\"", ym / 13, ym % 13, day);
        break;
    default:
        snprintf(tmp, sizeof tmp, "\"%04u-%02u-%02u %02u:%02u:%02u.%06u\"", ym / 13, ym % 13, day,
                 hour, minute, second, usec);
    }
    rt_buf_append_str(j->out, tmp);
}

static int opaque(jctx *j, op_cursor c)
{
    uint8_t ft;
    uint64_t n;
    const uint8_t *data;
    if (!op_cursor_u8(&c, &ft) || !varsize(&c, &n) || !op_cursor_bytes(&c, (size_t)n, &data))
        return corrupt(j, "opaque value truncated");
    switch (ft) {
    case OP_MYSQL_TYPE_DATE:
    case OP_MYSQL_TYPE_NEWDATE:
    case OP_MYSQL_TYPE_TIME:
    case OP_MYSQL_TYPE_DATETIME:
    case OP_MYSQL_TYPE_TIMESTAMP:
        if (n < 8)
            return corrupt(j, "opaque temporal value shorter than 8 bytes");
        packed_temporal(j, ft, (int64_t)op_get_le(data, 8));
        return 0;
    case OP_MYSQL_TYPE_NEWDECIMAL: {
        if (n < 2)
            return corrupt(j, "opaque DECIMAL truncated");
        unsigned prec = data[0], scale = data[1];
        if (prec < 1 || prec > 65 || scale > 30 || scale > prec)
            return corrupt(j, "opaque DECIMAL with bad precision/scale");
        size_t used;
        return op_mysql_decimal_decode(data + 2, (size_t)n - 2, prec, scale, j->out, &used, j->err);
    }
    default:
        /* What MySQL prints for opaque values it cannot show otherwise (json_dom.cc). */
        rt_buf_appendf(j->out, "\"base64:type%u:", ft);
        rt_buf_append_base64(j->out, data, (size_t)n);
        rt_buf_append_char(j->out, '"');
        return 0;
    }
}

/* Object or array at p (after its type byte); len = bytes from p to the end of what holds it. */
static int container(jctx *j, const uint8_t *p, size_t len, bool large, bool object, int depth)
{
    unsigned osz = large ? 4 : 2;
    if (len < 2 * (size_t)osz)
        return corrupt(j, "container header truncated");
    uint64_t count = op_get_le(p, osz), size = op_get_le(p + osz, osz);
    if (size > len || size < 2 * (size_t)osz)
        return corrupt(j, "container size exceeds its bytes");
    size_t key_entry = object ? osz + 2 : 0, value_entry = 1 + osz;
    if (count > (size - 2 * osz) / (key_entry + value_entry))
        return corrupt(j, "container element count exceeds its size");
    size_t keys_at = 2 * osz, values_at = keys_at + (size_t)count * key_entry;
    rt_buf_append_char(j->out, object ? '{' : '[');
    for (size_t i = 0; i < count; i++) {
        if (i > 0)
            rt_buf_append_str(j->out, ", ");
        if (object) {
            const uint8_t *ke = p + keys_at + i * key_entry;
            uint64_t koff = op_get_le(ke, osz), klen = op_get_le(ke + osz, 2);
            if (koff > size || klen > size - koff)
                return corrupt(j, "object key outside its container");
            rt_buf_append_json_str(j->out, (const char *)p + koff, (size_t)klen);
            rt_buf_append_str(j->out, ": ");
        }
        const uint8_t *ve = p + values_at + i * value_entry;
        uint8_t t = ve[0];
        bool inlined = t == JSONB_LITERAL || t == JSONB_INT16 || t == JSONB_UINT16 ||
                       (large && (t == JSONB_INT32 || t == JSONB_UINT32));
        int rc;
        if (inlined) {
            rc = value(j, t, ve + 1, osz, depth + 1);
        } else {
            uint64_t off = op_get_le(ve + 1, osz);
            if (off >= size)
                return corrupt(j, "value offset outside its container");
            rc = value(j, t, p + off, (size_t)(size - off), depth + 1);
        }
        if (rc)
            return rc;
    }
    rt_buf_append_char(j->out, object ? '}' : ']');
    return 0;
}

static int value(jctx *j, uint8_t type, const uint8_t *p, size_t len, int depth)
{
    if (depth > MAX_DEPTH)
        return corrupt(j, "nested deeper than 100");
    op_cursor c = op_cursor_make(p, len);
    uint64_t v;
    switch (type) {
    case JSONB_SMALL_OBJECT:
    case JSONB_LARGE_OBJECT:
        return container(j, p, len, type == JSONB_LARGE_OBJECT, true, depth);
    case JSONB_SMALL_ARRAY:
    case JSONB_LARGE_ARRAY:
        return container(j, p, len, type == JSONB_LARGE_ARRAY, false, depth);
    case JSONB_LITERAL:
        if (len < 1 || p[0] > 2)
            return corrupt(j, "bad literal");
        rt_buf_append_str(j->out, p[0] == 0 ? "null" : p[0] == 1 ? "true" : "false");
        return 0;
    case JSONB_INT16:
    case JSONB_UINT16:
    case JSONB_INT32:
    case JSONB_UINT32:
    case JSONB_INT64:
    case JSONB_UINT64: {
        unsigned n = type <= JSONB_UINT16 ? 2 : type <= JSONB_UINT32 ? 4 : 8;
        if (!op_cursor_le(&c, n, &v))
            return corrupt(j, "integer truncated");
        if (type == JSONB_UINT16 || type == JSONB_UINT32 || type == JSONB_UINT64) {
            rt_buf_append_u64(j->out, v);
        } else {
            unsigned shift = 64 - 8 * n; /* sign-extend from n bytes */
            rt_buf_append_i64(j->out, (int64_t)(v << shift) >> shift);
        }
        return 0;
    }
    case JSONB_DOUBLE: {
        if (!op_cursor_le(&c, 8, &v))
            return corrupt(j, "double truncated");
        double d;
        memcpy(&d, &v, sizeof d);
        op_mysql_json_double(d, j->out);
        return 0;
    }
    case JSONB_STRING: {
        const uint8_t *s;
        if (!varsize(&c, &v) || !op_cursor_bytes(&c, (size_t)v, &s))
            return corrupt(j, "string truncated");
        rt_buf_append_json_str(j->out, (const char *)s, (size_t)v);
        return 0;
    }
    case JSONB_OPAQUE:
        return opaque(j, c);
    default:
        return rt_err_set(j->err, RT_ECORRUPT, "binary JSON: unknown value type 0x%02x", type);
    }
}

int op_mysql_json_to_text(const uint8_t *p, size_t len, rt_buf *out, rt_err *err)
{
    if (len == 0) {
        rt_buf_append_str(out, "null");
        return 0;
    }
    size_t mark = out->len;
    jctx j = {out, err};
    int rc = value(&j, p[0], p + 1, len - 1, 0);
    if (rc) {
        out->len = mark;
        if (out->data)
            out->data[mark] = '\0';
    }
    return rc;
}

int op_mysql_json_diff_to_text(const uint8_t *p, size_t len, rt_buf *out, size_t *consumed,
                               rt_err *err)
{
    static const char *const ops[] = {"replace", "insert", "remove"};
    size_t mark = out->len;
    op_cursor c = op_cursor_make(p, len);
    uint64_t total;
    int rc = 0;
    if (!op_cursor_le(&c, 4, &total) || total > c.left) {
        rc = rt_err_set(err, RT_ECORRUPT, "JSON diff: length exceeds the row image");
        goto out;
    }
    op_cursor d = op_cursor_make(c.p, (size_t)total);
    rt_buf_append_char(out, '[');
    for (int n = 0; d.left > 0; n++) {
        uint8_t op;
        const uint8_t *path, *val;
        size_t path_len, val_len;
        if (!op_cursor_u8(&d, &op) || op > 2 || !op_cursor_lenenc_bytes(&d, &path, &path_len)) {
            rc = rt_err_set(err, RT_ECORRUPT, "JSON diff %d: bad operation or path", n + 1);
            goto out;
        }
        rt_buf_append_str(out, n ? ", {\"op\": " : "{\"op\": ");
        rt_buf_append_json_str(out, ops[op], strlen(ops[op]));
        rt_buf_append_str(out, ", \"path\": ");
        rt_buf_append_json_str(out, (const char *)path, path_len);
        if (op != 2) {
            if (!op_cursor_lenenc_bytes(&d, &val, &val_len)) {
                rc = rt_err_set(err, RT_ECORRUPT, "JSON diff %d: value truncated", n + 1);
                goto out;
            }
            rt_buf_append_str(out, ", \"value\": ");
            if ((rc = op_mysql_json_to_text(val, val_len, out, err)) != 0) {
                rt_err_prefix(err, rc, "JSON diff %d", n + 1);
                goto out;
            }
        }
        rt_buf_append_char(out, '}');
    }
    rt_buf_append_char(out, ']');
    *consumed = 4 + (size_t)total;
out:
    if (rc) {
        out->len = mark;
        if (out->data)
            out->data[mark] = '\0';
    }
    return rc;
}
