/* Cast type names: parsing "DECIMAL(10,2)" / "varchar(20)" (inside CAST and alone, for the cast
 * operator), and what a cast type yields: its value type and its MySQL column type text. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "operators/transform/expr_int.h"

/* The token cursor of a type name (a sliver of the expression parser's). */
typedef struct parser {
    const char *text;
    const tok *toks;
    size_t i;
    size_t *err_pos;
    rt_err *err;
} parser;

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

static int fail_at(parser *p, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail_at(parser *p, size_t pos, const char *fmt, ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (p->err_pos)
        *p->err_pos = pos;
    return rt_err_set(p->err, RT_EINVAL, "at %zu: %s", pos, msg);
}

static int expected(parser *p, const char *what)
{
    const tok *t = peek(p);
    if (t->kind == TK_EOF)
        return fail_at(p, t->pos, "expected %s, got end of input", what);
    return fail_at(p, t->pos, "expected %s, got '%.*s'", what, (int)(t->end - t->pos),
                   p->text + t->pos);
}

static int expect(parser *p, uint8_t kind, const char *what)
{
    if (peek(p)->kind != kind)
        return expected(p, what);
    p->i++;
    return 0;
}

static const struct {
    const char *name;
    uint8_t kind;
} cast_names[] = {
    {"BOOLEAN", CT_BOOLEAN},   {"BOOL", CT_BOOLEAN},      {"TINYINT", CT_TINYINT},
    {"SMALLINT", CT_SMALLINT}, {"INT", CT_INT},           {"INTEGER", CT_INT},
    {"BIGINT", CT_BIGINT},     {"LARGEINT", CT_LARGEINT}, {"FLOAT", CT_FLOAT},
    {"DOUBLE", CT_DOUBLE},     {"DECIMAL", CT_DECIMAL},   {"CHAR", CT_CHAR},
    {"VARCHAR", CT_VARCHAR},   {"STRING", CT_STRING},     {"DATE", CT_DATE},
    {"DATETIME", CT_DATETIME}, {"JSON", CT_JSON},
};

void expr_cast_type_name(const cast_type *ct, char *buf, size_t size)
{
    const char *name = "?";
    for (size_t k = 0; k < sizeof cast_names / sizeof cast_names[0]; k++) {
        if (cast_names[k].kind == ct->kind) {
            name = cast_names[k].name;
            break;
        }
    }
    if (ct->kind == CT_DECIMAL)
        snprintf(buf, size, "DECIMAL(%u,%u)", ct->p, ct->s);
    else if (ct->kind == CT_CHAR || ct->kind == CT_VARCHAR)
        snprintf(buf, size, "%s(%u)", name, ct->n);
    else
        snprintf(buf, size, "%s", name);
}

/* Reads "(n)" of a type; *present says whether it was there. */
static int type_arg(parser *p, uint32_t max, uint32_t *v, bool *present, const char *what)
{
    *present = false;
    if (peek(p)->kind != TK_LPAREN)
        return 0;
    p->i++;
    const tok *t = peek(p);
    if (t->kind != TK_INT)
        return expected(p, what);
    errno = 0;
    unsigned long long n = strtoull(p->text + t->pos, NULL, 10);
    if (errno || n > max)
        return fail_at(p, t->pos, "%s is above %u", what, max);
    p->i++;
    *v = (uint32_t)n;
    *present = true;
    return 0;
}

int expr_parse_cast_type(const char *text, const tok *toks, size_t *i, cast_type *ct,
                         size_t *err_pos, rt_err *err)
{
    parser pp = {.text = text, .toks = toks, .i = *i, .err_pos = err_pos, .err = err};
    parser *p = &pp;
    const tok *t = peek(p);
    int kind = -1;
    for (size_t k = 0; k < sizeof cast_names / sizeof cast_names[0] && kind < 0; k++) {
        if (is_kw(p, t, cast_names[k].name))
            kind = cast_names[k].kind;
    }
    if (kind < 0) {
        if (t->kind == TK_IDENT)
            return fail_at(p, t->pos, "unknown type '%.*s'", (int)(t->end - t->pos), text + t->pos);
        return expected(p, "a type name");
    }
    p->i++;
    cast_type c = {.kind = (uint8_t)kind};
    bool present = false;
    int rc = 0;
    uint32_t a = 0;
    switch (kind) {
    case CT_DECIMAL:
        /* DECIMAL alone is DECIMAL(10,0), as in MySQL. */
        c.p = 10;
        if ((rc = type_arg(p, DEC_MAX_DIGITS, &a, &present, "the precision of DECIMAL")))
            return rc;
        if (present) {
            if (a == 0)
                return fail_at(p, p->toks[p->i - 1].pos, "DECIMAL precision must be at least 1");
            c.p = (uint8_t)a;
            if (peek(p)->kind == TK_COMMA) {
                p->i++;
                const tok *st = peek(p);
                if (st->kind != TK_INT)
                    return expected(p, "the scale of DECIMAL");
                unsigned long long s = strtoull(text + st->pos, NULL, 10);
                if (s > c.p)
                    return fail_at(p, st->pos, "DECIMAL scale %llu is above its precision %u", s,
                                   c.p);
                c.s = (uint8_t)s;
                p->i++;
            }
            if ((rc = expect(p, TK_RPAREN, "')' after the DECIMAL precision")))
                return rc;
        }
        break;
    case CT_CHAR:
    case CT_VARCHAR:
        if ((rc = type_arg(p, kind == CT_CHAR ? 255 : 65535, &a, &present,
                           kind == CT_CHAR ? "the length of CHAR" : "the length of VARCHAR")))
            return rc;
        if (present) {
            if ((rc = expect(p, TK_RPAREN, "')' after the length")))
                return rc;
            c.n = a;
        } else if (kind == CT_VARCHAR) {
            return expected(p, "'(' and a length after VARCHAR");
        } else {
            c.n = 1;
        }
        break;
    default:
        break;
    }
    *ct = c;
    *i = p->i;
    return 0;
}

rt_type expr_cast_value_type(const cast_type *ct)
{
    switch ((cast_kind)ct->kind) {
    case CT_LARGEINT:
    case CT_DECIMAL:
        return RT_TYPE_DECIMAL;
    case CT_FLOAT:
    case CT_DOUBLE:
        return RT_TYPE_DOUBLE;
    case CT_CHAR:
    case CT_VARCHAR:
    case CT_STRING:
        return RT_TYPE_STRING;
    case CT_DATE:
        return RT_TYPE_DATE;
    case CT_DATETIME:
        return RT_TYPE_DATETIME;
    case CT_JSON:
        return RT_TYPE_JSON;
    default:
        return RT_TYPE_INT;
    }
}

void expr_cast_sql_type(const cast_type *ct, char *buf, size_t size)
{
    static const char *names[] = {
        [CT_BOOLEAN] = "boolean",
        [CT_TINYINT] = "tinyint",
        [CT_SMALLINT] = "smallint",
        [CT_INT] = "int",
        [CT_BIGINT] = "bigint",
        [CT_FLOAT] = "float",
        [CT_DOUBLE] = "double",
        [CT_STRING] = "longtext",
        [CT_DATE] = "date",
        [CT_DATETIME] = "datetime(6)",
        [CT_JSON] = "json",
        /* LARGEINT is 128-bit in StarRocks; here it is an exact 38-digit decimal, the widest
         * that both MySQL DDL and the DECIMAL128 of the sink hold. */
        [CT_LARGEINT] = "decimal(38,0)",
    };
    switch ((cast_kind)ct->kind) {
    case CT_DECIMAL:
        snprintf(buf, size, "decimal(%u,%u)", ct->p, ct->s);
        return;
    case CT_CHAR:
        snprintf(buf, size, "char(%u)", ct->n);
        return;
    case CT_VARCHAR:
        snprintf(buf, size, "varchar(%u)", ct->n);
        return;
    default:
        snprintf(buf, size, "%s", names[ct->kind]);
        return;
    }
}

/* Parses a whole text as a cast type. */
int expr_cast_type_from_text(const char *text, cast_type *ct, rt_err *err)
{
    tok *toks = NULL;
    size_t count = 0, i = 0, pos = 0;
    rt_err inner = {0};
    int rc = expr_lex(text, &toks, &count, &pos, &inner);
    if (rc == 0) {
        rc = expr_parse_cast_type(text, toks, &i, ct, &pos, &inner);
        if (rc == 0 && toks[i].kind != TK_EOF)
            rc = rt_err_set(&inner, RT_EINVAL, "at %zu: unexpected text after the type",
                            toks[i].pos);
        expr_toks_free(toks, count);
    }
    if (rc && !strstr(inner.msg, "unknown type"))
        return rt_err_set(err, rc, "unknown type '%s': %s", text, inner.msg);
    if (rc)
        return rt_err_set(err, rc, "unknown type '%s'", text);
    return 0;
}

int op_expr_cast_type(const char *type_text, rt_type *value_type, char **sql_type, rt_err *err)
{
    cast_type ct;
    int rc = expr_cast_type_from_text(type_text, &ct, err);
    if (rc)
        return rc;
    char buf[48];
    expr_cast_sql_type(&ct, buf, sizeof buf);
    char *s = NULL;
    if (sql_type && !(s = strdup(buf)))
        return rt_err_set(err, RT_ENOMEM, "cast type '%s': out of memory", type_text);
    if (value_type)
        *value_type = expr_cast_value_type(&ct);
    if (sql_type)
        *sql_type = s;
    return 0;
}
