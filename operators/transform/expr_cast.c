/* CAST: converting a value to a named type as MySQL does, but strictly: a value that does not
 * fit or does not read is an error, never a silent truncation or a warning. Also the cast
 * operator's entry points (op_expr_cast_value / op_expr_cast_type). */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "operators/transform/expr_int.h"

static const char *int_name(uint8_t kind)
{
    switch (kind) {
    case CT_TINYINT:
        return "TINYINT";
    case CT_SMALLINT:
        return "SMALLINT";
    case CT_INT:
        return "INT";
    default:
        return "BIGINT";
    }
}

/* Any numeric or numeric-text value as an exact decimal at scale, rounded half away from zero.
 * 0; -1 not a number; -2 out of 38 digits. */
static int as_decimal(const xv *in, int scale, __int128 *out)
{
    xv v = *in;
    if (v.type == RT_TYPE_STRING || v.type == RT_TYPE_BYTES || v.type == RT_TYPE_JSON) {
        if (expr_num_parse(in->s.p, in->s.len, &v))
            return -1;
    }
    if (v.type == RT_TYPE_DOUBLE) {
        if (!isfinite(v.d) || fabs(v.d) >= 1e38)
            return -2;
        /* printf rounds the exact binary value: 2.5 -> 3 needs half away, so round() first for
         * scale 0 (what CAST(x AS INT) uses), printf otherwise. */
        char buf[96];
        if (scale == 0)
            snprintf(buf, sizeof buf, "%.0f", round(v.d));
        else
            snprintf(buf, sizeof buf, "%.*f", scale, v.d);
        uint8_t s;
        if (expr_dec_parse(buf, strlen(buf), &v.dec, &s))
            return -2;
        v.type = RT_TYPE_DECIMAL;
        v.scale = s;
    }
    if (v.type != RT_TYPE_INT && v.type != RT_TYPE_UINT && v.type != RT_TYPE_DECIMAL)
        return -1;
    __int128 d;
    uint8_t s;
    expr_to_dec(&v, &d, &s);
    if (expr_dec_rescale(d, s, scale, out))
        return -2;
    return 0;
}

static int cast_text(ectx *c, const cast_type *ct, const xv *in, xv *out, char *msg, size_t msgsz)
{
    char buf[64];
    const char *p;
    size_t len;
    expr_to_text(in, buf, &p, &len);
    if (ct->kind != CT_STRING) {
        size_t chars = expr_utf8_count(p, len);
        if (chars > ct->n) {
            snprintf(msg, msgsz, "%zu characters do not fit %s(%u)", chars,
                     ct->kind == CT_CHAR ? "CHAR" : "VARCHAR", ct->n);
            return RT_EINVAL;
        }
    }
    if (p == buf) {
        char *d = expr_scratch(c, len ? len : 1);
        if (!d) {
            snprintf(msg, msgsz, "out of memory");
            return RT_ENOMEM;
        }
        memcpy(d, buf, len);
        p = d;
    }
    out->type = RT_TYPE_STRING;
    out->s.p = p;
    out->s.len = len;
    return 0;
}

static int cast_json(ectx *c, const xv *in, xv *out, char *msg, size_t msgsz)
{
    char buf[64];
    const char *p;
    size_t len;
    if (in->type == RT_TYPE_STRING || in->type == RT_TYPE_BYTES) {
        /* Text must already be a JSON document; jansson only checks it here. */
        json_error_t jerr;
        json_t *j = json_loadb(in->s.p, in->s.len, JSON_DECODE_ANY, &jerr);
        if (!j) {
            snprintf(msg, msgsz, "not a JSON document (%s at %d)", jerr.text, jerr.position);
            return RT_EINVAL;
        }
        json_decref(j);
        *out = *in;
        out->type = RT_TYPE_JSON;
        return 0;
    }
    if (in->type == RT_TYPE_JSON) {
        *out = *in;
        return 0;
    }
    if (in->type == RT_TYPE_DOUBLE && !isfinite(in->d)) {
        snprintf(msg, msgsz, "%s is not a JSON number", isnan(in->d) ? "NaN" : "an infinity");
        return RT_EINVAL;
    }
    expr_to_text(in, buf, &p, &len);
    bool quote =
        in->type == RT_TYPE_DATE || in->type == RT_TYPE_TIME || in->type == RT_TYPE_DATETIME;
    char *d = expr_scratch(c, len + 2);
    if (!d) {
        snprintf(msg, msgsz, "out of memory");
        return RT_ENOMEM;
    }
    size_t o = 0;
    if (quote)
        d[o++] = '"';
    memcpy(d + o, p, len);
    o += len;
    if (quote)
        d[o++] = '"';
    out->type = RT_TYPE_JSON;
    out->s.p = d;
    out->s.len = o;
    return 0;
}

static int cast_temporal(const cast_type *ct, const xv *in, xv *out, char *msg, size_t msgsz)
{
    rt_type want = ct->kind == CT_DATE ? RT_TYPE_DATE : RT_TYPE_DATETIME;
    xv r = {.type = (uint8_t)want};
    if (in->type == RT_TYPE_STRING || in->type == RT_TYPE_BYTES) {
        if (expr_temporal_parse(in->s.p, in->s.len, want, &r.t)) {
            int shown = in->s.len > 64 ? 64 : (int)in->s.len;
            snprintf(msg, msgsz, "'%.*s' is not a %s", shown, in->s.p,
                     want == RT_TYPE_DATE ? "date" : "datetime");
            return RT_EINVAL;
        }
    } else if (in->type == RT_TYPE_DATE || in->type == RT_TYPE_DATETIME) {
        r.t = in->t;
        if (want == RT_TYPE_DATE) {
            r.t.hour = r.t.minute = r.t.second = 0;
            r.t.usec = 0;
        }
    } else {
        snprintf(msg, msgsz, "cannot cast %s to %s", rt_type_name(in->type),
                 want == RT_TYPE_DATE ? "DATE" : "DATETIME");
        return RT_EINVAL;
    }
    *out = r;
    return 0;
}

int expr_cast_xv(ectx *c, const cast_type *ct, const xv *in, xv *out, char *msg, size_t msgsz)
{
    if (in->type == RT_TYPE_NULL) {
        out->type = RT_TYPE_NULL;
        return 0;
    }
    __int128 d;
    int rc;
    switch ((cast_kind)ct->kind) {
    case CT_BOOLEAN:
        if ((in->type == RT_TYPE_STRING || in->type == RT_TYPE_BYTES) &&
            (in->s.len == 4 || in->s.len == 5) &&
            (strncasecmp(in->s.p, "true", in->s.len) == 0 ||
             strncasecmp(in->s.p, "false", in->s.len) == 0)) {
            out->type = RT_TYPE_INT;
            out->i = in->s.len == 4;
            return 0;
        }
        if (in->type == RT_TYPE_DOUBLE) {
            out->type = RT_TYPE_INT;
            out->i = in->d != 0;
            return 0;
        }
        /* A scale of 9 keeps 0.000000001 true. */
        if ((rc = as_decimal(in, 9, &d)) == -1)
            break;
        out->type = RT_TYPE_INT;
        out->i = rc == -2 || d != 0;
        return 0;
    case CT_TINYINT:
    case CT_SMALLINT:
    case CT_INT:
    case CT_BIGINT: {
        static const int64_t lim[] = {[CT_TINYINT] = 127,
                                      [CT_SMALLINT] = 32767,
                                      [CT_INT] = 2147483647,
                                      [CT_BIGINT] = INT64_MAX};
        if ((rc = as_decimal(in, 0, &d)) == -1)
            break;
        int64_t hi = lim[ct->kind], lo = -hi - 1;
        if (rc == -2 || d > hi || d < lo) {
            char buf[64];
            const char *p;
            size_t len;
            expr_to_text(in, buf, &p, &len);
            snprintf(msg, msgsz, "%.*s is out of range for %s", (int)(len > 64 ? 64 : len), p,
                     int_name(ct->kind));
            return RT_EINVAL;
        }
        out->type = RT_TYPE_INT;
        out->i = (int64_t)d;
        return 0;
    }
    case CT_LARGEINT:
    case CT_DECIMAL: {
        int p = ct->kind == CT_LARGEINT ? DEC_MAX_DIGITS : ct->p,
            s = ct->kind == CT_LARGEINT ? 0 : ct->s;
        if ((rc = as_decimal(in, s, &d)) == -1)
            break;
        if (rc == -2 || d >= expr_pow10[p] || d <= -expr_pow10[p]) {
            char buf[64];
            const char *t;
            size_t len;
            expr_to_text(in, buf, &t, &len);
            if (ct->kind == CT_LARGEINT)
                snprintf(msg, msgsz, "%.*s is out of range for LARGEINT (38 digits here)",
                         (int)(len > 64 ? 64 : len), t);
            else
                snprintf(msg, msgsz, "%.*s is out of range for DECIMAL(%d,%d)",
                         (int)(len > 64 ? 64 : len), t, p, s);
            return RT_EINVAL;
        }
        out->type = RT_TYPE_DECIMAL;
        out->dec = d;
        out->scale = (uint8_t)s;
        return 0;
    }
    case CT_FLOAT:
    case CT_DOUBLE: {
        xv v = *in;
        if ((in->type == RT_TYPE_STRING || in->type == RT_TYPE_BYTES) &&
            expr_num_parse(in->s.p, in->s.len, &v))
            break;
        if (v.type != RT_TYPE_INT && v.type != RT_TYPE_UINT && v.type != RT_TYPE_DOUBLE &&
            v.type != RT_TYPE_DECIMAL)
            break;
        double x = expr_to_double(&v);
        if (ct->kind == CT_FLOAT) {
            if (isfinite(x) && fabs(x) > 3.4028234663852886e38) {
                snprintf(msg, msgsz, "%g is out of range for FLOAT", x);
                return RT_EINVAL;
            }
            x = (double)(float)x;
        }
        out->type = RT_TYPE_DOUBLE;
        out->d = x;
        return 0;
    }
    case CT_CHAR:
    case CT_VARCHAR:
    case CT_STRING:
        return cast_text(c, ct, in, out, msg, msgsz);
    case CT_DATE:
    case CT_DATETIME:
        return cast_temporal(ct, in, out, msg, msgsz);
    case CT_JSON:
        return cast_json(c, in, out, msg, msgsz);
    }
    if (in->type == RT_TYPE_STRING || in->type == RT_TYPE_BYTES || in->type == RT_TYPE_JSON)
        snprintf(msg, msgsz, "not a number");
    else
        snprintf(msg, msgsz, "cannot cast %s to a number", rt_type_name(in->type));
    return RT_EINVAL;
}

int expr_eval_cast(ectx *c, const bnode *n, xv *out)
{
    xv in;
    int rc = expr_eval_node(c, n->kids[0], &in);
    if (rc)
        return rc;
    char msg[200];
    if ((rc = expr_cast_xv(c, &n->syn->ct, &in, out, msg, sizeof msg)))
        return rc == RT_ENOMEM ? rt_err_set(c->err, rc, "%s: out of memory", c->b->e->text)
                               : expr_eval_fail(c, n, "%s", msg);
    return 0;
}

int op_expr_cast_value(const rt_value *v, const char *type_text, rt_batch *out_batch, rt_value *out,
                       rt_err *err)
{
    cast_type ct;
    int rc = expr_cast_type_from_text(type_text, &ct, err);
    if (rc)
        return rc;
    xv in, res;
    if (expr_xv_from_value(v, &in))
        return rt_err_set(err, RT_EINVAL, "CAST(... AS %s): malformed decimal '%.*s'", type_text,
                          (int)v->s.len, v->s.ptr);
    ectx c;
    expr_ectx_init(&c, NULL, NULL, err);
    char msg[200];
    rc = expr_cast_xv(&c, &ct, &in, &res, msg, sizeof msg);
    if (rc) {
        rt_err_set(err, rc, "CAST(... AS %s): %s", type_text, msg);
    } else if ((rc = expr_xv_to_value(&res, out_batch, out))) {
        rt_err_set(err, rc, "CAST(... AS %s): out of memory", type_text);
    }
    expr_scratch_fini(&c);
    return rc;
}
