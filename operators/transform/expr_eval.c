/* Evaluation of bound expressions on records: SQL three-valued logic, exact numeric comparison
 * and arithmetic across INT/UINT/DECIMAL/DOUBLE, LIKE, IN, BETWEEN and the metadata names.
 * Numbers live in xv values on the stack; text goes to a per-evaluation scratch area and only
 * the final result is copied into the output batch. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "operators/transform/expr_int.h"

void *expr_scratch(ectx *c, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (n <= sizeof c->area - c->used) {
        void *p = c->area + c->used;
        c->used += n;
        return p;
    }
    /* Text bigger than the stack area (long strings): a heap block freed when evaluation ends.
     * The 16-byte header keeps the payload as aligned as malloc's own result. */
    _Static_assert(sizeof(scratch_blk) <= 16, "scratch header fits 16 bytes");
    scratch_blk *b = malloc(16 + n);
    if (!b)
        return NULL;
    b->next = c->heap;
    c->heap = b;
    return (char *)b + 16;
}

void expr_ectx_init(ectx *c, const op_expr_bound *b, const rt_record *r, rt_err *err)
{
    /* Field by field: an initializer would zero the 1 KiB scratch area on every record. */
    c->b = b;
    c->r = r;
    c->err = err;
    c->used = 0;
    c->heap = NULL;
}

void expr_scratch_fini(ectx *c)
{
    while (c->heap) {
        scratch_blk *n = c->heap->next;
        free(c->heap);
        c->heap = n;
    }
    c->used = 0;
}

int expr_eval_fail(ectx *c, const bnode *n, const char *fmt, ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *text = c->b->e->text;
    int len = (int)(n->syn->end - n->syn->pos);
    if (len > 120)
        return rt_err_set(c->err, RT_EINVAL, "%.117s...: %s", text + n->syn->pos, msg);
    return rt_err_set(c->err, RT_EINVAL, "%.*s: %s", len, text + n->syn->pos, msg);
}

static bool is_num(uint8_t t)
{
    return t == RT_TYPE_INT || t == RT_TYPE_UINT || t == RT_TYPE_DOUBLE || t == RT_TYPE_DECIMAL;
}

static bool is_str(uint8_t t)
{
    return t == RT_TYPE_STRING || t == RT_TYPE_BYTES || t == RT_TYPE_JSON;
}

/* Puts a decimal result at the node's static scale; "decimal overflow" past 38 digits. */
static int dec_fit(ectx *c, const bnode *n, __int128 v, int scale, xv *out)
{
    __int128 r;
    if (expr_dec_rescale(v, scale, n->scale, &r) || r >= expr_pow10[DEC_MAX_DIGITS] ||
        r <= -expr_pow10[DEC_MAX_DIGITS])
        return expr_eval_fail(c, n, "decimal overflow (more than %d digits)", DEC_MAX_DIGITS);
    out->type = RT_TYPE_DECIMAL;
    out->dec = r;
    out->scale = n->scale;
    return 0;
}

/* A value whose type differs from its column's declared one (a source that widened a value, a
 * hand-built record): converted when that loses nothing, since evaluation relies on the types
 * binding inferred; an error otherwise. */
static int conform_column(ectx *c, const bnode *n, xv *v)
{
    uint8_t want = n->type, got = v->type;
    bool num = got == RT_TYPE_INT || got == RT_TYPE_UINT || got == RT_TYPE_DECIMAL;
    if (want == RT_TYPE_INT && got == RT_TYPE_UINT && v->u <= INT64_MAX) {
        v->i = (int64_t)v->u;
    } else if (want == RT_TYPE_UINT && got == RT_TYPE_INT && v->i >= 0) {
        v->u = (uint64_t)v->i;
    } else if (want == RT_TYPE_DECIMAL && num) {
        __int128 d;
        uint8_t s;
        expr_to_dec(v, &d, &s);
        return dec_fit(c, n, d, s, v);
    } else if (want == RT_TYPE_DOUBLE && num) {
        v->d = expr_to_double(v);
    } else if (is_str(want) && is_str(got)) {
        /* text is text: relabel */
    } else if (want == RT_TYPE_DATETIME && got == RT_TYPE_DATE) {
        /* midnight */
    } else if (want == RT_TYPE_DATE && got == RT_TYPE_DATETIME) {
        v->t.hour = v->t.minute = v->t.second = 0;
        v->t.usec = 0;
    } else {
        return expr_eval_fail(c, n, "value of type %s in a %s column", rt_type_name(got),
                              rt_type_name(want));
    }
    v->type = want;
    return 0;
}

static int eval_column(ectx *c, const bnode *n, xv *out)
{
    const rt_record *r = c->r;
    if ((size_t)n->col >= r->ncols)
        return expr_eval_fail(c, n, "the record has %u values, not a row of the bound table",
                              r->ncols);
    const rt_value *v = &r->values[n->col];
    if (expr_xv_from_value(v, out))
        return expr_eval_fail(c, n, "malformed decimal '%.*s'", (int)v->s.len, v->s.ptr);
    if (out->type != RT_TYPE_NULL && out->type != n->type)
        return conform_column(c, n, out);
    if (out->type == RT_TYPE_DECIMAL)
        return dec_fit(c, n, out->dec, out->scale, out);
    return 0;
}

static int eval_meta(ectx *c, const bnode *n, xv *out)
{
    const char *s = NULL;
    switch ((meta_kind)n->syn->meta) {
    case META_SCHEMA:
        s = rt_table_db(c->r->table);
        break;
    case META_TABLE:
        s = rt_table_name(c->r->table);
        break;
    case META_EVENT_TYPE:
        s = rt_rowkind_name((rt_rowkind)c->r->kind);
        break;
    case META_NAMESPACE:
        out->type = RT_TYPE_NULL;
        return 0;
    case META_OP_TS: {
        int64_t ms = c->r->ts_ms;
        if (ms == 0) {
            out->type = RT_TYPE_NULL;
            return 0;
        }
        int64_t sec = ms / 1000, rem = ms % 1000;
        if (rem < 0) {
            rem += 1000;
            sec--;
        }
        time_t tt = (time_t)sec;
        struct tm tm;
        if (!gmtime_r(&tt, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0)
            return expr_eval_fail(c, n, "timestamp %lld ms is out of range", (long long)ms);
        out->type = RT_TYPE_DATETIME;
        out->t = (rt_temporal){.year = (int16_t)(tm.tm_year + 1900),
                               .month = (uint8_t)(tm.tm_mon + 1),
                               .day = (uint8_t)tm.tm_mday,
                               .hour = (uint16_t)tm.tm_hour,
                               .minute = (uint8_t)tm.tm_min,
                               .second = (uint8_t)tm.tm_sec,
                               .usec = (uint32_t)rem * 1000};
        return 0;
    }
    }
    out->type = RT_TYPE_STRING;
    out->s.p = s ? s : "";
    out->s.len = s ? strlen(s) : 0;
    return 0;
}

/* Compares two non-NULL values of comparable types (bind checked): exact across the numeric
 * types, byte-wise for text, chronological for dates (a string side is parsed as a date). */
static int compare(ectx *c, const bnode *n, const xv *a, const xv *b, int *res)
{
    uint8_t x = a->type, y = b->type;
    if (x == RT_TYPE_INT && y == RT_TYPE_INT) {
        *res = (a->i > b->i) - (a->i < b->i);
        return 0;
    }
    if (is_num(x) && is_num(y)) {
        if (x == RT_TYPE_DOUBLE || y == RT_TYPE_DOUBLE) {
            double p = expr_to_double(a), q = expr_to_double(b);
            if (isnan(p) || isnan(q))
                return expr_eval_fail(c, n, "cannot compare NaN");
            *res = (p > q) - (p < q);
            return 0;
        }
        __int128 p, q;
        uint8_t sp, sq;
        expr_to_dec(a, &p, &sp);
        expr_to_dec(b, &q, &sq);
        /* Align scales; a value too big to scale up is beyond the other in its own direction. */
        if (sp < sq && expr_dec_rescale(p, sp, sq, &p)) {
            *res = p > 0 ? 1 : -1;
            return 0;
        }
        if (sq < sp && expr_dec_rescale(q, sq, sp, &q)) {
            *res = q > 0 ? -1 : 1;
            return 0;
        }
        *res = (p > q) - (p < q);
        return 0;
    }
    if (is_str(x) && is_str(y)) {
        size_t m = a->s.len < b->s.len ? a->s.len : b->s.len;
        int r = m ? memcmp(a->s.p, b->s.p, m) : 0;
        if (r == 0)
            r = (a->s.len > b->s.len) - (a->s.len < b->s.len);
        *res = (r > 0) - (r < 0);
        return 0;
    }
    /* Temporal, possibly against a string. */
    xv ta = *a, tb = *b;
    rt_type want = (x == RT_TYPE_TIME || y == RT_TYPE_TIME) ? RT_TYPE_TIME : RT_TYPE_DATETIME;
    xv *sides[2] = {&ta, &tb};
    for (int i = 0; i < 2; i++) {
        xv *s = sides[i];
        if (s->type != RT_TYPE_STRING)
            continue;
        rt_temporal t;
        if (expr_temporal_parse(s->s.p, s->s.len, want, &t))
            return expr_eval_fail(c, n, "cannot read '%.*s' as a %s",
                                  (int)(s->s.len > 64 ? 64 : s->s.len), s->s.p,
                                  want == RT_TYPE_TIME ? "time" : "datetime");
        s->type = (uint8_t)want;
        s->t = t;
    }
    if ((ta.type == RT_TYPE_TIME) != (tb.type == RT_TYPE_TIME))
        return expr_eval_fail(c, n, "cannot compare a time with a date");
    int64_t p = expr_temporal_key((rt_type)ta.type, &ta.t),
            q = expr_temporal_key((rt_type)tb.type, &tb.t);
    *res = (p > q) - (p < q);
    return 0;
}

static void set_bool(xv *out, bool v)
{
    out->type = RT_TYPE_INT;
    out->i = v;
}

/* SQL truth of a non-NULL numeric value. */
static bool truth(const xv *v)
{
    switch (v->type) {
    case RT_TYPE_INT:
        return v->i != 0;
    case RT_TYPE_UINT:
        return v->u != 0;
    case RT_TYPE_DOUBLE:
        return v->d != 0;
    case RT_TYPE_DECIMAL:
        return v->dec != 0;
    default:
        return false;
    }
}

static int eval_cmp(ectx *c, const bnode *n, xv *out)
{
    xv a, b;
    int rc, r;
    if ((rc = expr_eval_node(c, n->kids[0], &a)) || (rc = expr_eval_node(c, n->kids[1], &b)))
        return rc;
    if (a.type == RT_TYPE_NULL || b.type == RT_TYPE_NULL) {
        out->type = RT_TYPE_NULL;
        return 0;
    }
    if ((rc = compare(c, n, &a, &b, &r)))
        return rc;
    bool v = false;
    switch (n->syn->op) {
    case TK_EQ:
        v = r == 0;
        break;
    case TK_NE:
        v = r != 0;
        break;
    case TK_LT:
        v = r < 0;
        break;
    case TK_LE:
        v = r <= 0;
        break;
    case TK_GT:
        v = r > 0;
        break;
    case TK_GE:
        v = r >= 0;
        break;
    }
    set_bool(out, v);
    return 0;
}

/* AND / OR with short-circuit: FALSE AND x is FALSE without evaluating x (so x's errors do not
 * fire), TRUE OR x likewise; NULL only when the other side does not decide. */
static int eval_logic(ectx *c, const bnode *n, xv *out)
{
    bool is_and = n->syn->kind == N_AND;
    xv a, b;
    int rc = expr_eval_node(c, n->kids[0], &a);
    if (rc)
        return rc;
    if (a.type != RT_TYPE_NULL && truth(&a) != is_and) {
        set_bool(out, !is_and);
        return 0;
    }
    if ((rc = expr_eval_node(c, n->kids[1], &b)))
        return rc;
    if (b.type != RT_TYPE_NULL && truth(&b) != is_and) {
        set_bool(out, !is_and);
        return 0;
    }
    if (a.type == RT_TYPE_NULL || b.type == RT_TYPE_NULL)
        out->type = RT_TYPE_NULL;
    else
        set_bool(out, is_and);
    return 0;
}

static int eval_arith_int(ectx *c, const bnode *n, int64_t a, int64_t b, xv *out)
{
    int64_t r = 0;
    bool ovf = false;
    switch (n->syn->op) {
    case TK_PLUS:
        ovf = __builtin_add_overflow(a, b, &r);
        break;
    case TK_MINUS:
        ovf = __builtin_sub_overflow(a, b, &r);
        break;
    case TK_STAR:
        ovf = __builtin_mul_overflow(a, b, &r);
        break;
    case TK_PERCENT:
        if (b == 0)
            return expr_eval_fail(c, n, "division by zero");
        /* INT64_MIN % -1 traps on x86 although the answer is 0. */
        r = b == -1 ? 0 : a % b;
        break;
    }
    if (ovf)
        return expr_eval_fail(c, n, "integer overflow (BIGINT)");
    out->type = RT_TYPE_INT;
    out->i = r;
    return 0;
}

static int eval_arith_dec(ectx *c, const bnode *n, const xv *a, const xv *b, xv *out)
{
    __int128 p, q, r = 0;
    uint8_t sp, sq;
    expr_to_dec(a, &p, &sp);
    expr_to_dec(b, &q, &sq);
    uint8_t op = n->syn->op;
    if (op == TK_STAR) {
        if (__builtin_mul_overflow(p, q, &r))
            return expr_eval_fail(c, n, "decimal overflow (more than %d digits)", DEC_MAX_DIGITS);
        return dec_fit(c, n, r, sp + sq, out);
    }
    if (op == TK_SLASH) {
        if (q == 0)
            return expr_eval_fail(c, n, "division by zero");
        /* p/10^sp / (q/10^sq) at the node's scale S: p * 10^(S - sp + sq) / q, rounded. */
        int k = n->scale - sp + sq;
        __int128 num;
        if (k < 0) {
            if (expr_dec_rescale(q, 0, -k, &q))
                return expr_eval_fail(c, n, "decimal overflow (more than %d digits)",
                                      DEC_MAX_DIGITS);
            num = p;
        } else if (expr_dec_rescale(p, 0, k, &num)) {
            return expr_eval_fail(c, n, "decimal overflow (more than %d digits)", DEC_MAX_DIGITS);
        }
        r = num / q;
        __int128 rem = num % q, aq = q < 0 ? -q : q, ar = rem < 0 ? -rem : rem;
        if (ar >= aq - ar)
            r += ((num < 0) != (q < 0)) ? -1 : 1;
        return dec_fit(c, n, r, n->scale, out);
    }
    uint8_t s = sp > sq ? sp : sq;
    if (expr_dec_rescale(p, sp, s, &p) || expr_dec_rescale(q, sq, s, &q))
        return expr_eval_fail(c, n, "decimal overflow (more than %d digits)", DEC_MAX_DIGITS);
    bool ovf = false;
    switch (op) {
    case TK_PLUS:
        ovf = __builtin_add_overflow(p, q, &r);
        break;
    case TK_MINUS:
        ovf = __builtin_sub_overflow(p, q, &r);
        break;
    default:
        if (q == 0)
            return expr_eval_fail(c, n, "division by zero");
        r = p % q;
        break;
    }
    if (ovf)
        return expr_eval_fail(c, n, "decimal overflow (more than %d digits)", DEC_MAX_DIGITS);
    return dec_fit(c, n, r, s, out);
}

static int eval_arith(ectx *c, const bnode *n, xv *out)
{
    xv a, b;
    int rc;
    if ((rc = expr_eval_node(c, n->kids[0], &a)) || (rc = expr_eval_node(c, n->kids[1], &b)))
        return rc;
    if (a.type == RT_TYPE_NULL || b.type == RT_TYPE_NULL) {
        out->type = RT_TYPE_NULL;
        return 0;
    }
    if (n->type == RT_TYPE_DOUBLE) {
        double p = expr_to_double(&a), q = expr_to_double(&b), r = 0;
        switch (n->syn->op) {
        case TK_PLUS:
            r = p + q;
            break;
        case TK_MINUS:
            r = p - q;
            break;
        case TK_STAR:
            r = p * q;
            break;
        case TK_SLASH:
        case TK_PERCENT:
            if (q == 0)
                return expr_eval_fail(c, n, "division by zero");
            r = n->syn->op == TK_SLASH ? p / q : fmod(p, q);
            break;
        }
        if (!isfinite(r) && isfinite(p) && isfinite(q))
            return expr_eval_fail(c, n, "floating-point overflow");
        out->type = RT_TYPE_DOUBLE;
        out->d = r;
        return 0;
    }
    if (n->type == RT_TYPE_INT)
        return eval_arith_int(c, n, a.i, b.i, out);
    return eval_arith_dec(c, n, &a, &b, out);
}

static int eval_neg(ectx *c, const bnode *n, xv *out)
{
    xv a;
    int rc = expr_eval_node(c, n->kids[0], &a);
    if (rc || a.type == RT_TYPE_NULL) {
        out->type = RT_TYPE_NULL;
        return rc;
    }
    switch (a.type) {
    case RT_TYPE_INT:
        if (a.i == INT64_MIN)
            return expr_eval_fail(c, n, "integer overflow (BIGINT)");
        out->type = RT_TYPE_INT;
        out->i = -a.i;
        return 0;
    case RT_TYPE_DOUBLE:
        out->type = RT_TYPE_DOUBLE;
        out->d = -a.d;
        return 0;
    default: {
        __int128 d;
        uint8_t s;
        expr_to_dec(&a, &d, &s);
        return dec_fit(c, n, -d, s, out);
    }
    }
}

/* LIKE, byte-wise (binary collation): % matches any run, _ one UTF-8 character, \ makes the
 * next pattern character literal (a trailing \ is itself). Iterative, backtracking only to the
 * last %: a later % subsumes what an earlier one could still have matched, so this is exact and
 * linear in practice, with no recursion on hostile patterns. */
static bool like_match(const char *s, size_t sl, const char *p, size_t pl)
{
    size_t si = 0, pi = 0, star_p = (size_t)-1, star_s = 0;
    while (si < sl) {
        if (pi < pl && p[pi] == '%') {
            star_p = ++pi;
            star_s = si;
            continue;
        }
        if (pi < pl && p[pi] == '_') {
            /* One character: skip a UTF-8 lead byte and its continuation bytes. */
            si++;
            while (si < sl && ((unsigned char)s[si] & 0xC0) == 0x80)
                si++;
            pi++;
            continue;
        }
        if (pi < pl) {
            size_t q = pi;
            if (p[q] == '\\' && q + 1 < pl)
                q++; /* escaped: the next character is literal (a trailing \ is itself) */
            if (p[q] == s[si]) {
                pi = q + 1;
                si++;
                continue;
            }
        }
        if (star_p == (size_t)-1)
            return false;
        pi = star_p;
        si = ++star_s;
        while (si < sl && ((unsigned char)s[si] & 0xC0) == 0x80)
            si = ++star_s;
    }
    while (pi < pl && p[pi] == '%')
        pi++;
    return pi == pl;
}

static int eval_like(ectx *c, const bnode *n, xv *out)
{
    xv a, b;
    int rc;
    if ((rc = expr_eval_node(c, n->kids[0], &a)) || (rc = expr_eval_node(c, n->kids[1], &b)))
        return rc;
    if (a.type == RT_TYPE_NULL || b.type == RT_TYPE_NULL) {
        out->type = RT_TYPE_NULL;
        return 0;
    }
    char ba[64], bb[64];
    const char *sp, *pp;
    size_t sl, pl;
    expr_to_text(&a, ba, &sp, &sl);
    expr_to_text(&b, bb, &pp, &pl);
    set_bool(out, like_match(sp, sl, pp, pl) != n->syn->negated);
    return 0;
}

/* x IN (list): TRUE on a match; otherwise NULL if x or any element is NULL, else FALSE.
 * BETWEEN: lo <= x AND x <= hi with the same NULL rules. */
static int eval_in_between(ectx *c, const bnode *n, xv *out)
{
    xv x, v;
    int rc = expr_eval_node(c, n->kids[0], &x), r;
    if (rc)
        return rc;
    bool saw_null = x.type == RT_TYPE_NULL, hit = false;
    if (n->syn->kind == N_BETWEEN) {
        xv lo, hi;
        if ((rc = expr_eval_node(c, n->kids[1], &lo)) || (rc = expr_eval_node(c, n->kids[2], &hi)))
            return rc;
        int ge = -1, le = -1; /* -1 unknown (NULL) */
        if (!saw_null && lo.type != RT_TYPE_NULL) {
            if ((rc = compare(c, n, &x, &lo, &r)))
                return rc;
            ge = r >= 0;
        }
        if (!saw_null && hi.type != RT_TYPE_NULL) {
            if ((rc = compare(c, n, &x, &hi, &r)))
                return rc;
            le = r <= 0;
        }
        if (ge == 0 || le == 0)
            set_bool(out, n->syn->negated);
        else if (ge < 0 || le < 0)
            out->type = RT_TYPE_NULL;
        else
            set_bool(out, !n->syn->negated);
        return 0;
    }
    for (size_t i = 1; i < n->nkids && !hit; i++) {
        if ((rc = expr_eval_node(c, n->kids[i], &v)))
            return rc;
        if (v.type == RT_TYPE_NULL || x.type == RT_TYPE_NULL) {
            saw_null = true;
            continue;
        }
        if ((rc = compare(c, n, &x, &v, &r)))
            return rc;
        hit = r == 0;
    }
    if (hit)
        set_bool(out, !n->syn->negated);
    else if (saw_null)
        out->type = RT_TYPE_NULL;
    else
        set_bool(out, n->syn->negated);
    return 0;
}

int expr_eval_node(ectx *c, const bnode *n, xv *out)
{
    int rc;
    xv a;
    switch ((node_kind)n->syn->kind) {
    case N_LIT:
        *out = n->lit;
        return 0;
    case N_COL:
        return eval_column(c, n, out);
    case N_META:
        return eval_meta(c, n, out);
    case N_NEG:
        return eval_neg(c, n, out);
    case N_NOT:
        if ((rc = expr_eval_node(c, n->kids[0], &a)))
            return rc;
        if (a.type == RT_TYPE_NULL)
            out->type = RT_TYPE_NULL;
        else
            set_bool(out, !truth(&a));
        return 0;
    case N_ARITH:
        return eval_arith(c, n, out);
    case N_CMP:
        return eval_cmp(c, n, out);
    case N_AND:
    case N_OR:
        return eval_logic(c, n, out);
    case N_ISNULL:
        if ((rc = expr_eval_node(c, n->kids[0], &a)))
            return rc;
        set_bool(out, (a.type == RT_TYPE_NULL) != n->syn->negated);
        return 0;
    case N_IN:
    case N_BETWEEN:
        return eval_in_between(c, n, out);
    case N_LIKE:
        return eval_like(c, n, out);
    case N_FUNC:
        return expr_eval_func(c, n, out);
    case N_CAST:
        return expr_eval_cast(c, n, out);
    }
    RT_BUG("eval: node kind %u", n->syn->kind);
}

int expr_xv_to_value(const xv *v, rt_batch *out_batch, rt_value *out)
{
    rt_value res = {.type = v->type};
    int rc = 0;
    switch ((rt_type)v->type) {
    case RT_TYPE_NULL:
        break;
    case RT_TYPE_INT:
        res.i = v->i;
        break;
    case RT_TYPE_UINT:
        res.u = v->u;
        break;
    case RT_TYPE_DOUBLE:
        res.d = v->d;
        break;
    case RT_TYPE_DECIMAL: {
        char buf[48];
        size_t len = expr_dec_format(v->dec, v->scale, buf);
        rc = rt_batch_set_str(out_batch, &res, RT_TYPE_DECIMAL, buf, len);
        break;
    }
    case RT_TYPE_STRING:
    case RT_TYPE_BYTES:
    case RT_TYPE_JSON:
        rc = rt_batch_set_str(out_batch, &res, (rt_type)v->type, v->s.p, v->s.len);
        break;
    case RT_TYPE_DATE:
    case RT_TYPE_TIME:
    case RT_TYPE_DATETIME:
        res.t = v->t;
        break;
    }
    if (rc == 0)
        *out = res;
    return rc;
}

int op_expr_eval(const op_expr_bound *b, const rt_record *r, rt_batch *out_batch, rt_value *out,
                 rt_err *err)
{
    ectx c;
    expr_ectx_init(&c, b, r, err);
    xv v = {.type = RT_TYPE_NULL};
    int rc = expr_eval_node(&c, b->root, &v);
    bool text = v.type == RT_TYPE_STRING || v.type == RT_TYPE_BYTES || v.type == RT_TYPE_JSON ||
                v.type == RT_TYPE_DECIMAL;
    if (rc == 0 && text && !out_batch)
        rc = rt_err_set(err, RT_EINVAL, "%s: a text result needs an output batch", b->e->text);
    else if (rc == 0 && (rc = expr_xv_to_value(&v, out_batch, out)))
        rt_err_set(err, rc, "%s: out of memory", b->e->text);
    expr_scratch_fini(&c);
    return rc;
}

int op_expr_test(const op_expr_bound *b, const rt_record *r, bool *pass, rt_err *err)
{
    ectx c;
    expr_ectx_init(&c, b, r, err);
    xv v;
    int rc = expr_eval_node(&c, b->root, &v);
    expr_scratch_fini(&c);
    if (rc)
        return rc;
    if (v.type != RT_TYPE_NULL && !is_num(v.type))
        return rt_err_set(err, RT_EINVAL, "%s: is %s, not a condition", b->e->text,
                          rt_type_name(v.type));
    *pass = v.type != RT_TYPE_NULL && truth(&v);
    return 0;
}
