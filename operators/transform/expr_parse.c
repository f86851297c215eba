/* The expression parser: recursive descent over the tokens, one function per precedence level
 * (loosest first: OR, AND, NOT, comparison, + -, * / %, unary -), with byte positions in every
 * error. Cast type names are read by expr_type.c, the tree is freed by expr_tree.c. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "operators/transform/expr_int.h"

typedef struct parser {
    const char *text;
    tok *toks;
    size_t n, i;
    size_t *err_pos;
    rt_err *err;
    unsigned nesting; /* parse_or / unary / NOT recursion on the C stack */
} parser;

/* Limits that keep recursion (parsing here, binding and evaluation later, which walk the tree)
 * far from the stack's end on hostile input such as 100000 '(' or a 100000-term sum. */
#define MAX_NESTING 200
#define MAX_TREE_DEPTH 1000

static const tok *peek(const parser *p)
{
    return &p->toks[p->i];
}

static bool is_kw(const parser *p, const tok *t, const char *kw)
{
    size_t len = strlen(kw);
    return t->kind == TK_IDENT && t->end - t->pos == len &&
           strncasecmp(p->text + t->pos, kw, len) == 0;
}

static bool accept_kw(parser *p, const char *kw)
{
    if (!is_kw(p, peek(p), kw))
        return false;
    p->i++;
    return true;
}

/* "')'", "end of input", "'AND'": what the offending token looks like, for messages. */
static void describe(const parser *p, const tok *t, char *buf, size_t size)
{
    if (t->kind == TK_EOF) {
        snprintf(buf, size, "end of input");
        return;
    }
    int len = (int)(t->end - t->pos);
    if (len > 40)
        snprintf(buf, size, "'%.37s...'", p->text + t->pos);
    else
        snprintf(buf, size, "'%.*s'", len, p->text + t->pos);
}

static int fail_at(parser *p, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail_at(parser *p, size_t pos, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (p->err_pos)
        *p->err_pos = pos;
    return rt_err_set(p->err, RT_EINVAL, "at %zu: %s", pos, msg);
}

/* "at N: expected <what>, got <token>" at the current token. */
static int expected(parser *p, const char *what)
{
    char got[64];
    describe(p, peek(p), got, sizeof got);
    return fail_at(p, peek(p)->pos, "expected %s, got %s", what, got);
}

static int expect(parser *p, uint8_t kind, const char *what)
{
    if (peek(p)->kind != kind)
        return expected(p, what);
    p->i++;
    return 0;
}

static enode *node_new(parser *p, uint8_t kind, size_t pos)
{
    enode *n = calloc(1, sizeof *n);
    if (!n) {
        rt_err_set(p->err, RT_ENOMEM, "expression: out of memory");
        return NULL;
    }
    n->kind = kind;
    n->pos = pos;
    n->op_pos = pos;
    n->end = pos;
    return n;
}

/* Appends kid to n, taking it; on failure frees kid (n stays as it was). */
static int add_kid(parser *p, enode *n, enode *kid)
{
    if (kid->depth + 1u > MAX_TREE_DEPTH) {
        size_t pos = kid->pos;
        expr_node_free(kid);
        return fail_at(p, pos, "expression too deep (more than %d levels)", MAX_TREE_DEPTH);
    }
    enode **k = realloc(n->kids, (n->nkids + 1) * sizeof *k);
    if (!k) {
        expr_node_free(kid);
        return rt_err_set(p->err, RT_ENOMEM, "expression: out of memory");
    }
    n->kids = k;
    n->kids[n->nkids++] = kid;
    if (kid->depth + 1u > n->depth)
        n->depth = kid->depth + 1u;
    if (kid->end > n->end)
        n->end = kid->end;
    if (kid->pos < n->pos)
        n->pos = kid->pos;
    return 0;
}

static size_t prev_end(const parser *p)
{
    return p->i ? p->toks[p->i - 1].end : 0;
}

static int parse_or(parser *p, enode **out);
static int parse_add(parser *p, enode **out);

/* Whether t can begin an operand, so "a = = b" and "a AND OR b" are reported at the second
 * operator as a missing operand rather than as a malformed primary. */
static bool can_start(const parser *p, const tok *t)
{
    static const char *binary_kws[] = {"AND", "OR", "IN", "LIKE", "IS", "BETWEEN", "AS"};
    switch (t->kind) {
    case TK_INT:
    case TK_DEC:
    case TK_FLOAT:
    case TK_STRING:
    case TK_QIDENT:
    case TK_LPAREN:
    case TK_MINUS:
    case TK_PLUS:
        return true;
    case TK_IDENT:
        for (size_t k = 0; k < sizeof binary_kws / sizeof binary_kws[0]; k++) {
            if (is_kw(p, t, binary_kws[k]))
                return false;
        }
        return true;
    default:
        return false;
    }
}

/* A binary node op_tok between left and a right operand parsed by sub. Frees left on failure. */
static int binary(parser *p, uint8_t kind, uint8_t op, size_t op_pos, const char *op_text,
                  enode *left, int (*sub)(parser *, enode **), enode **out)
{
    enode *right = NULL;
    if (!can_start(p, peek(p))) {
        char what[80];
        snprintf(what, sizeof what, "an expression after '%s'", op_text);
        expr_node_free(left);
        return expected(p, what);
    }
    int rc = sub(p, &right);
    if (rc) {
        expr_node_free(left);
        return rc;
    }
    enode *n = node_new(p, kind, left->pos);
    if (!n) {
        expr_node_free(left);
        expr_node_free(right);
        return RT_ENOMEM;
    }
    n->op = op;
    n->op_pos = op_pos;
    if ((rc = add_kid(p, n, left)) || (rc = add_kid(p, n, right))) {
        if (n->nkids == 0)
            expr_node_free(right);
        expr_node_free(n);
        return rc;
    }
    *out = n;
    return 0;
}

static int parse_cast(parser *p, size_t pos, enode **out)
{
    int rc = expect(p, TK_LPAREN, "'(' after CAST");
    if (rc)
        return rc;
    enode *arg = NULL;
    if ((rc = parse_or(p, &arg)))
        return rc;
    enode *n = node_new(p, N_CAST, pos);
    if (!n) {
        expr_node_free(arg);
        return RT_ENOMEM;
    }
    if ((rc = add_kid(p, n, arg))) {
        free(n);
        return rc;
    }
    n->pos = pos;
    if (!accept_kw(p, "AS")) {
        expr_node_free(n);
        return expected(p, "AS in CAST");
    }
    if ((rc = expr_parse_cast_type(p->text, p->toks, &p->i, &n->ct, p->err_pos, p->err)) ||
        (rc = expect(p, TK_RPAREN, "')' to close CAST"))) {
        expr_node_free(n);
        return rc;
    }
    n->end = prev_end(p);
    *out = n;
    return 0;
}

static const struct {
    const char *name;
    uint8_t id;
    uint8_t min, max; /* argument count; max 255 = any */
} funcs[] = {
    {"UPPER", F_UPPER, 1, 1},
    {"UCASE", F_UPPER, 1, 1},
    {"LOWER", F_LOWER, 1, 1},
    {"LCASE", F_LOWER, 1, 1},
    {"CONCAT", F_CONCAT, 1, 255},
    {"SUBSTR", F_SUBSTR, 2, 3},
    {"SUBSTRING", F_SUBSTR, 2, 3},
    {"CHAR_LENGTH", F_CHAR_LENGTH, 1, 1},
    {"CHARACTER_LENGTH", F_CHAR_LENGTH, 1, 1},
    {"TRIM", F_TRIM, 1, 1},
    {"COALESCE", F_COALESCE, 1, 255},
    {"IF", F_IF, 3, 3},
    {"ABS", F_ABS, 1, 1},
};

static int parse_func(parser *p, const tok *name, enode **out)
{
    size_t len = name->end - name->pos;
    int f = -1;
    for (size_t k = 0; k < sizeof funcs / sizeof funcs[0]; k++) {
        if (strlen(funcs[k].name) == len &&
            strncasecmp(funcs[k].name, p->text + name->pos, len) == 0)
            f = (int)k;
    }
    if (f < 0)
        return fail_at(p, name->pos, "unknown function '%.*s'", (int)len, p->text + name->pos);
    p->i += 2; /* the name and '(' */
    enode *n = node_new(p, N_FUNC, name->pos);
    if (!n)
        return RT_ENOMEM;
    n->func = funcs[f].id;
    int rc = 0;
    if (peek(p)->kind != TK_RPAREN) {
        for (;;) {
            enode *arg = NULL;
            if (peek(p)->kind == TK_EOF || peek(p)->kind == TK_COMMA ||
                peek(p)->kind == TK_RPAREN) {
                rc = expected(p, "a function argument");
                break;
            }
            if ((rc = parse_or(p, &arg)) || (rc = add_kid(p, n, arg)))
                break;
            if (peek(p)->kind == TK_COMMA) {
                p->i++;
                continue;
            }
            rc = expect(p, TK_RPAREN, "',' or ')' in the argument list");
            break;
        }
    } else {
        p->i++;
    }
    if (rc) {
        expr_node_free(n);
        return rc;
    }
    n->pos = name->pos;
    n->end = prev_end(p);
    if (n->nkids < funcs[f].min || n->nkids > funcs[f].max) {
        char want[32];
        if (funcs[f].min == funcs[f].max)
            snprintf(want, sizeof want, "%u argument%s", funcs[f].min,
                     funcs[f].min == 1 ? "" : "s");
        else if (funcs[f].max == 255)
            snprintf(want, sizeof want, "at least %u argument%s", funcs[f].min,
                     funcs[f].min == 1 ? "" : "s");
        else
            snprintf(want, sizeof want, "%u to %u arguments", funcs[f].min, funcs[f].max);
        rc = fail_at(p, name->pos, "%s takes %s, got %zu", funcs[f].name, want, n->nkids);
        expr_node_free(n);
        return rc;
    }
    *out = n;
    return 0;
}

static const struct {
    const char *name;
    uint8_t meta;
} metas[] = {
    {"__schema_name__", META_SCHEMA}, {"__database_name__", META_SCHEMA},
    {"__table_name__", META_TABLE},   {"__data_event_type__", META_EVENT_TYPE},
    {"__op_ts__", META_OP_TS},        {"__namespace_name__", META_NAMESPACE},
};

static int parse_number(parser *p, const tok *t, enode *n)
{
    const char *s = p->text + t->pos;
    size_t len = t->end - t->pos;
    n->lit.type = RT_TYPE_DECIMAL;
    if (t->kind == TK_FLOAT) {
        char buf[128];
        if (len >= sizeof buf)
            return fail_at(p, t->pos, "number too long");
        memcpy(buf, s, len);
        buf[len] = 0;
        n->lit.type = RT_TYPE_DOUBLE;
        n->lit.d = strtod(buf, NULL);
        return 0;
    }
    int rc = expr_dec_parse(s, len, &n->lit.dec, &n->lit.scale);
    if (rc == -2)
        return fail_at(p, t->pos, "number has more than %d digits", DEC_MAX_DIGITS);
    if (rc)
        return fail_at(p, t->pos, "malformed number");
    n->lit.prec = (uint8_t)expr_dec_digits(n->lit.dec);
    if (n->lit.prec < n->lit.scale)
        n->lit.prec = n->lit.scale;
    if (t->kind == TK_INT && n->lit.dec <= INT64_MAX) {
        n->lit.type = RT_TYPE_INT;
        n->lit.i = (int64_t)n->lit.dec;
    }
    return 0;
}

static int parse_primary(parser *p, enode **out)
{
    const tok *t = peek(p);
    enode *n = NULL;
    int rc = 0;
    switch (t->kind) {
    case TK_LPAREN: {
        size_t pos = t->pos;
        p->i++;
        if (peek(p)->kind == TK_RPAREN || peek(p)->kind == TK_EOF)
            return expected(p, "an expression after '('");
        if ((rc = parse_or(p, &n)))
            return rc;
        if (peek(p)->kind != TK_RPAREN) {
            expr_node_free(n);
            if (peek(p)->kind == TK_EOF)
                return fail_at(p, peek(p)->pos,
                               "expected ')' to close the '(' at %zu, got end of input", pos);
            return expected(p, "')'");
        }
        p->i++;
        /* The parentheses belong to the node's text, so error messages quote them too. */
        n->pos = pos;
        n->end = prev_end(p);
        *out = n;
        return 0;
    }
    case TK_INT:
    case TK_DEC:
    case TK_FLOAT:
        if (!(n = node_new(p, N_LIT, t->pos)))
            return RT_ENOMEM;
        if ((rc = parse_number(p, t, n))) {
            expr_node_free(n);
            return rc;
        }
        break;
    case TK_STRING:
        if (!(n = node_new(p, N_LIT, t->pos)))
            return RT_ENOMEM;
        n->lit_str = malloc(t->str_len + 1);
        if (!n->lit_str) {
            expr_node_free(n);
            return rt_err_set(p->err, RT_ENOMEM, "expression: out of memory");
        }
        memcpy(n->lit_str, t->str, t->str_len + 1);
        n->lit.type = RT_TYPE_STRING;
        n->lit.str = n->lit_str;
        n->lit.str_len = t->str_len;
        break;
    case TK_QIDENT:
        if (!(n = node_new(p, N_COL, t->pos)))
            return RT_ENOMEM;
        if (!(n->name = strdup(t->str))) {
            expr_node_free(n);
            return rt_err_set(p->err, RT_ENOMEM, "expression: out of memory");
        }
        break;
    case TK_IDENT: {
        size_t len = t->end - t->pos;
        const char *s = p->text + t->pos;
        if (is_kw(p, t, "NULL") || is_kw(p, t, "TRUE") || is_kw(p, t, "FALSE")) {
            if (!(n = node_new(p, N_LIT, t->pos)))
                return RT_ENOMEM;
            if (is_kw(p, t, "NULL")) {
                n->lit.type = RT_TYPE_NULL;
            } else {
                n->lit.type = RT_TYPE_INT;
                n->lit.is_bool = true;
                n->lit.i = is_kw(p, t, "TRUE");
            }
            break;
        }
        if (is_kw(p, t, "CAST")) {
            p->i++;
            return parse_cast(p, t->pos, out);
        }
        static const char *reserved[] = {"AND", "OR", "NOT", "IN", "LIKE", "IS", "BETWEEN", "AS"};
        for (size_t k = 0; k < sizeof reserved / sizeof reserved[0]; k++) {
            if (is_kw(p, t, reserved[k]))
                return expected(p, "an expression");
        }
        if (p->toks[p->i + 1].kind == TK_LPAREN)
            return parse_func(p, t, out);
        for (size_t k = 0; k < sizeof metas / sizeof metas[0]; k++) {
            if (strlen(metas[k].name) == len && strncasecmp(metas[k].name, s, len) == 0) {
                if (!(n = node_new(p, N_META, t->pos)))
                    return RT_ENOMEM;
                n->meta = metas[k].meta;
                break;
            }
        }
        if (n)
            break;
        if (!(n = node_new(p, N_COL, t->pos)))
            return RT_ENOMEM;
        if (!(n->name = strndup(s, len))) {
            expr_node_free(n);
            return rt_err_set(p->err, RT_ENOMEM, "expression: out of memory");
        }
        break;
    }
    default:
        return expected(p, "an expression");
    }
    p->i++;
    n->end = t->end;
    *out = n;
    return 0;
}

static int parse_unary(parser *p, enode **out)
{
    const tok *t = peek(p);
    if (t->kind != TK_MINUS && t->kind != TK_PLUS)
        return parse_primary(p, out);
    p->i++;
    if (!can_start(p, peek(p)))
        return expected(p, t->kind == TK_MINUS ? "an expression after '-'"
                                               : "an expression after '+'");
    enode *kid = NULL;
    if (p->nesting >= MAX_NESTING)
        return fail_at(p, peek(p)->pos, "expression nested too deeply (more than %d levels)",
                       MAX_NESTING);
    p->nesting++;
    int rc = parse_unary(p, &kid);
    p->nesting--;
    if (rc)
        return rc;
    if (t->kind == TK_PLUS) {
        kid->pos = t->pos;
        *out = kid;
        return 0;
    }
    enode *n = node_new(p, N_NEG, t->pos);
    if (!n) {
        expr_node_free(kid);
        return RT_ENOMEM;
    }
    if ((rc = add_kid(p, n, kid))) {
        free(n);
        return rc;
    }
    *out = n;
    return 0;
}

static int parse_mul(parser *p, enode **out)
{
    enode *left = NULL;
    int rc = parse_unary(p, &left);
    while (rc == 0) {
        const tok *t = peek(p);
        if (t->kind != TK_STAR && t->kind != TK_SLASH && t->kind != TK_PERCENT)
            break;
        p->i++;
        const char *op = t->kind == TK_STAR ? "*" : t->kind == TK_SLASH ? "/" : "%";
        rc = binary(p, N_ARITH, t->kind, t->pos, op, left, parse_unary, &left);
    }
    if (rc == 0)
        *out = left;
    return rc;
}

static int parse_add(parser *p, enode **out)
{
    enode *left = NULL;
    int rc = parse_mul(p, &left);
    while (rc == 0) {
        const tok *t = peek(p);
        if (t->kind != TK_PLUS && t->kind != TK_MINUS)
            break;
        p->i++;
        rc = binary(p, N_ARITH, t->kind, t->pos, t->kind == TK_PLUS ? "+" : "-", left, parse_mul,
                    &left);
    }
    if (rc == 0)
        *out = left;
    return rc;
}

/* One postfix predicate on left: IS [NOT] NULL, [NOT] IN/LIKE/BETWEEN, or a comparison.
 * *done says there was none. Takes left (freed on failure). */
static int parse_predicate(parser *p, enode *left, enode **out, bool *done)
{
    const tok *t = peek(p);
    size_t pos = t->pos;
    int rc = 0;
    *done = false;
    if (t->kind >= TK_EQ && t->kind <= TK_GE) {
        p->i++;
        char opname[4];
        snprintf(opname, sizeof opname, "%.*s", (int)(t->end - t->pos), p->text + t->pos);
        return binary(p, N_CMP, t->kind, pos, opname, left, parse_add, out);
    }
    if (accept_kw(p, "IS")) {
        bool neg = accept_kw(p, "NOT");
        if (!accept_kw(p, "NULL")) {
            expr_node_free(left);
            return expected(p, neg ? "NULL after IS NOT" : "NULL or NOT NULL after IS");
        }
        enode *n = node_new(p, N_ISNULL, left->pos);
        if (!n) {
            expr_node_free(left);
            return RT_ENOMEM;
        }
        n->negated = neg;
        n->op_pos = pos;
        if ((rc = add_kid(p, n, left))) {
            free(n);
            return rc;
        }
        n->end = prev_end(p);
        *out = n;
        return 0;
    }
    bool neg = false;
    if (is_kw(p, t, "NOT")) {
        const tok *nx = &p->toks[p->i + 1];
        if (!is_kw(p, nx, "IN") && !is_kw(p, nx, "LIKE") && !is_kw(p, nx, "BETWEEN")) {
            *done = true;
            *out = left;
            return 0;
        }
        p->i++;
        neg = true;
    }
    const tok *kw = peek(p);
    if (accept_kw(p, "LIKE")) {
        rc = binary(p, N_LIKE, 0, kw->pos, "LIKE", left, parse_add, out);
        if (rc == 0)
            (*out)->negated = neg;
        return rc;
    }
    if (accept_kw(p, "BETWEEN")) {
        enode *hi = NULL;
        if ((rc = binary(p, N_BETWEEN, 0, kw->pos, "BETWEEN", left, parse_add, out)))
            return rc;
        enode *n = *out;
        n->negated = neg;
        if (!accept_kw(p, "AND")) {
            expr_node_free(n);
            return expected(p, "AND in BETWEEN");
        }
        if (peek(p)->kind == TK_EOF || peek(p)->kind == TK_RPAREN) {
            expr_node_free(n);
            return expected(p, "an expression after 'AND'");
        }
        if ((rc = parse_add(p, &hi)) || (rc = add_kid(p, n, hi))) {
            expr_node_free(n);
            return rc;
        }
        return 0;
    }
    if (accept_kw(p, "IN")) {
        if (peek(p)->kind != TK_LPAREN) {
            expr_node_free(left);
            return expected(p, "'(' and a list of values after IN");
        }
        p->i++;
        enode *n = node_new(p, N_IN, left->pos);
        if (!n) {
            expr_node_free(left);
            return RT_ENOMEM;
        }
        n->negated = neg;
        n->op_pos = kw->pos;
        if ((rc = add_kid(p, n, left))) {
            free(n);
            return rc;
        }
        for (;;) {
            enode *v = NULL;
            if (peek(p)->kind == TK_RPAREN || peek(p)->kind == TK_EOF ||
                peek(p)->kind == TK_COMMA) {
                rc = expected(p, "a value in the IN list");
                break;
            }
            if ((rc = parse_or(p, &v)) || (rc = add_kid(p, n, v)))
                break;
            if (peek(p)->kind == TK_COMMA) {
                p->i++;
                continue;
            }
            rc = expect(p, TK_RPAREN, "',' or ')' in the IN list");
            break;
        }
        if (rc) {
            expr_node_free(n);
            return rc;
        }
        n->end = prev_end(p);
        *out = n;
        return 0;
    }
    *done = true;
    *out = left;
    return 0;
}

static int parse_cmp(parser *p, enode **out)
{
    enode *left = NULL;
    int rc = parse_add(p, &left);
    bool done = false;
    while (rc == 0 && !done)
        rc = parse_predicate(p, left, &left, &done);
    if (rc == 0)
        *out = left;
    return rc;
}

static int parse_not(parser *p, enode **out)
{
    const tok *t = peek(p);
    if (!is_kw(p, t, "NOT"))
        return parse_cmp(p, out);
    p->i++;
    if (!can_start(p, peek(p)))
        return expected(p, "an expression after 'NOT'");
    enode *kid = NULL;
    if (p->nesting >= MAX_NESTING)
        return fail_at(p, peek(p)->pos, "expression nested too deeply (more than %d levels)",
                       MAX_NESTING);
    p->nesting++;
    int rc = parse_not(p, &kid);
    p->nesting--;
    if (rc)
        return rc;
    enode *n = node_new(p, N_NOT, t->pos);
    if (!n) {
        expr_node_free(kid);
        return RT_ENOMEM;
    }
    if ((rc = add_kid(p, n, kid))) {
        free(n);
        return rc;
    }
    *out = n;
    return 0;
}

static int parse_and(parser *p, enode **out)
{
    enode *left = NULL;
    int rc = parse_not(p, &left);
    while (rc == 0 && is_kw(p, peek(p), "AND")) {
        size_t pos = peek(p)->pos;
        p->i++;
        rc = binary(p, N_AND, 0, pos, "AND", left, parse_not, &left);
    }
    if (rc == 0)
        *out = left;
    return rc;
}

static int parse_or(parser *p, enode **out)
{
    if (p->nesting >= MAX_NESTING)
        return fail_at(p, peek(p)->pos, "expression nested too deeply (more than %d levels)",
                       MAX_NESTING);
    p->nesting++;
    enode *left = NULL;
    int rc = parse_and(p, &left);
    while (rc == 0 && is_kw(p, peek(p), "OR")) {
        size_t pos = peek(p)->pos;
        p->i++;
        rc = binary(p, N_OR, 0, pos, "OR", left, parse_and, &left);
    }
    p->nesting--;
    if (rc == 0)
        *out = left;
    return rc;
}

int op_expr_parse(const char *text, op_expr **out, size_t *err_pos, rt_err *err)
{
    parser p = {.text = text, .err_pos = err_pos, .err = err};
    int rc = expr_lex(text, &p.toks, &p.n, err_pos, err);
    if (rc)
        return rc;
    enode *root = NULL;
    if (p.toks[0].kind == TK_EOF) {
        rc = fail_at(&p, 0, "expected an expression, got end of input");
    } else if ((rc = parse_or(&p, &root)) == 0 && peek(&p)->kind != TK_EOF) {
        if (peek(&p)->kind == TK_RPAREN)
            rc = fail_at(&p, peek(&p)->pos, "unbalanced ')'");
        else
            rc = expected(&p, "an operator or end of input");
        expr_node_free(root);
        root = NULL;
    }
    expr_toks_free(p.toks, p.n);
    if (rc)
        return rc;
    op_expr *e = calloc(1, sizeof *e);
    if (!e || !(e->text = strdup(text))) {
        free(e);
        expr_node_free(root);
        return rt_err_set(err, RT_ENOMEM, "expression: out of memory");
    }
    e->root = root;
    *out = e;
    return 0;
}
