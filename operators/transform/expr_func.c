/* The functions of the expression language: string functions over UTF-8 text (UPPER and LOWER
 * change ASCII letters only), COALESCE, IF and ABS. Results go to the evaluation's scratch. */
#include <math.h>
#include <string.h>

#include "operators/transform/expr_int.h"

/* Converts v (non-NULL) to the static type of n, for IF and COALESCE whose branches differ. */
static int conform(ectx *c, const bnode *n, xv *v)
{
    if (v->type == RT_TYPE_NULL)
        return 0;
    switch ((rt_type)n->type) {
    case RT_TYPE_DOUBLE:
        if (v->type != RT_TYPE_DOUBLE) {
            double d = expr_to_double(v);
            v->type = RT_TYPE_DOUBLE;
            v->d = d;
        }
        return 0;
    case RT_TYPE_DECIMAL: {
        __int128 d, r;
        uint8_t s;
        expr_to_dec(v, &d, &s);
        if (expr_dec_rescale(d, s, n->scale, &r) || r >= expr_pow10[DEC_MAX_DIGITS] ||
            r <= -expr_pow10[DEC_MAX_DIGITS])
            return expr_eval_fail(c, n, "decimal overflow (more than %d digits)", DEC_MAX_DIGITS);
        v->type = RT_TYPE_DECIMAL;
        v->dec = r;
        v->scale = n->scale;
        return 0;
    }
    case RT_TYPE_STRING:
        v->type = RT_TYPE_STRING; /* BYTES / JSON text as it is */
        return 0;
    case RT_TYPE_DATETIME:
        if (v->type == RT_TYPE_DATE)
            v->type = RT_TYPE_DATETIME; /* midnight: the clock fields are zero */
        return 0;
    default:
        return 0;
    }
}

/* A number argument as int64 (rounded half away from zero, clamped), for SUBSTR. */
static int64_t to_i64(const xv *v)
{
    switch (v->type) {
    case RT_TYPE_INT:
        return v->i;
    case RT_TYPE_UINT:
        return v->u > INT64_MAX ? INT64_MAX : (int64_t)v->u;
    case RT_TYPE_DOUBLE: {
        double d = round(v->d);
        return d >= 9.2e18 ? INT64_MAX : d <= -9.2e18 ? INT64_MIN : (int64_t)d;
    }
    case RT_TYPE_DECIMAL: {
        __int128 r;
        expr_dec_rescale(v->dec, v->scale, 0, &r);
        return r > INT64_MAX ? INT64_MAX : r < INT64_MIN ? INT64_MIN : (int64_t)r;
    }
    default:
        return 0;
    }
}

static int out_text(ectx *c, const char *p, size_t len, xv *out)
{
    char *d = expr_scratch(c, len ? len : 1);
    if (!d)
        return rt_err_set(c->err, RT_ENOMEM, "%s: out of memory", c->b->e->text);
    if (len)
        memcpy(d, p, len);
    out->type = RT_TYPE_STRING;
    out->s.p = d;
    out->s.len = len;
    return 0;
}

/* Byte offset of the character index ch (0-based) in s, or len past the end. */
static size_t utf8_offset(const char *s, size_t len, int64_t ch)
{
    size_t i = 0;
    for (int64_t k = 0; k < ch && i < len; k++) {
        i++;
        while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
    }
    return i;
}

static int eval_substr(ectx *c, const bnode *n, const xv *args, xv *out)
{
    char buf[64];
    const char *s;
    size_t len;
    expr_to_text(&args[0], buf, &s, &len);
    int64_t chars = (int64_t)expr_utf8_count(s, len), pos = to_i64(&args[1]);
    int64_t take = n->nkids == 3 ? to_i64(&args[2]) : INT64_MAX;
    /* MySQL: position 0 gives '', a negative one counts from the end. */
    if (pos < 0)
        pos = chars + pos + 1 < 1 ? INT64_MAX : chars + pos + 1;
    if (pos == 0 || pos > chars || take <= 0)
        return out_text(c, "", 0, out);
    size_t from = utf8_offset(s, len, pos - 1);
    size_t to = take >= chars ? len : from + utf8_offset(s + from, len - from, take);
    return out_text(c, s + from, to - from, out);
}

static int eval_abs(ectx *c, const bnode *n, xv *v, xv *out)
{
    *out = *v;
    switch (v->type) {
    case RT_TYPE_INT:
        if (v->i == INT64_MIN)
            return expr_eval_fail(c, n, "integer overflow (BIGINT)");
        out->i = v->i < 0 ? -v->i : v->i;
        return 0;
    case RT_TYPE_DOUBLE:
        out->d = fabs(v->d);
        return 0;
    case RT_TYPE_DECIMAL:
        out->dec = v->dec < 0 ? -v->dec : v->dec;
        return 0;
    default:
        return 0;
    }
}

int expr_eval_func(ectx *c, const bnode *n, xv *out)
{
    int rc;
    xv args[3];
    switch ((func_id)n->syn->func) {
    case F_COALESCE:
        for (size_t i = 0; i < n->nkids; i++) {
            if ((rc = expr_eval_node(c, n->kids[i], out)))
                return rc;
            if (out->type != RT_TYPE_NULL)
                return conform(c, n, out);
        }
        return 0;
    case F_IF: {
        xv cond;
        if ((rc = expr_eval_node(c, n->kids[0], &cond)))
            return rc;
        bool yes = cond.type != RT_TYPE_NULL && !(cond.type == RT_TYPE_INT && cond.i == 0) &&
                   !(cond.type == RT_TYPE_UINT && cond.u == 0) &&
                   !(cond.type == RT_TYPE_DOUBLE && cond.d == 0) &&
                   !(cond.type == RT_TYPE_DECIMAL && cond.dec == 0);
        if ((rc = expr_eval_node(c, n->kids[yes ? 1 : 2], out)))
            return rc;
        return conform(c, n, out);
    }
    case F_CONCAT: {
        /* Two passes: the lengths, then one copy into scratch. NULL anywhere gives NULL. */
        size_t total = 0;
        xv *vals = expr_scratch(c, n->nkids * sizeof *vals);
        if (!vals)
            return rt_err_set(c->err, RT_ENOMEM, "%s: out of memory", c->b->e->text);
        for (size_t i = 0; i < n->nkids; i++) {
            if ((rc = expr_eval_node(c, n->kids[i], &vals[i])))
                return rc;
            if (vals[i].type == RT_TYPE_NULL) {
                out->type = RT_TYPE_NULL;
                return 0;
            }
            char buf[64];
            const char *p;
            size_t len;
            expr_to_text(&vals[i], buf, &p, &len);
            total += len;
        }
        char *d = expr_scratch(c, total ? total : 1);
        if (!d)
            return rt_err_set(c->err, RT_ENOMEM, "%s: out of memory", c->b->e->text);
        size_t o = 0;
        for (size_t i = 0; i < n->nkids; i++) {
            char buf[64];
            const char *p;
            size_t len;
            expr_to_text(&vals[i], buf, &p, &len);
            if (len)
                memcpy(d + o, p, len);
            o += len;
        }
        out->type = RT_TYPE_STRING;
        out->s.p = d;
        out->s.len = o;
        return 0;
    }
    default:
        break;
    }
    for (size_t i = 0; i < n->nkids; i++) {
        if ((rc = expr_eval_node(c, n->kids[i], &args[i])))
            return rc;
        if (args[i].type == RT_TYPE_NULL) {
            out->type = RT_TYPE_NULL;
            return 0;
        }
    }
    char buf[64];
    const char *s;
    size_t len;
    switch ((func_id)n->syn->func) {
    case F_UPPER:
    case F_LOWER: {
        expr_to_text(&args[0], buf, &s, &len);
        if ((rc = out_text(c, s, len, out)))
            return rc;
        char *d = (char *)out->s.p;
        bool up = n->syn->func == F_UPPER;
        for (size_t i = 0; i < len; i++) {
            if (up && d[i] >= 'a' && d[i] <= 'z')
                d[i] = (char)(d[i] - 32);
            else if (!up && d[i] >= 'A' && d[i] <= 'Z')
                d[i] = (char)(d[i] + 32);
        }
        return 0;
    }
    case F_TRIM:
        expr_to_text(&args[0], buf, &s, &len);
        while (len && *s == ' ') {
            s++;
            len--;
        }
        while (len && s[len - 1] == ' ')
            len--;
        return out_text(c, s, len, out);
    case F_SUBSTR:
        return eval_substr(c, n, args, out);
    case F_CHAR_LENGTH:
        expr_to_text(&args[0], buf, &s, &len);
        out->type = RT_TYPE_INT;
        /* Binary strings have no characters, only bytes (MySQL agrees). */
        out->i = (int64_t)(args[0].type == RT_TYPE_BYTES ? len : expr_utf8_count(s, len));
        return 0;
    case F_ABS:
        return eval_abs(c, n, &args[0], out);
    default:
        break;
    }
    RT_BUG("eval: function %u", n->syn->func);
}
