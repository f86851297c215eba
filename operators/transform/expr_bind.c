/* Binding: resolves column names against one table schema (once, so evaluation indexes values
 * directly), infers each node's static type, precision, length and nullability, catches type
 * errors before any record flows, and writes the result's MySQL type text. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "operators/transform/expr_int.h"

typedef struct binder {
    const op_expr *e;
    const rt_table *t;
    rt_err *err;
} binder;

static int fail(binder *bd, size_t pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(binder *bd, size_t pos, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return rt_err_set(bd->err, RT_EINVAL, "at %zu: %s", pos, msg);
}

static void bnode_free(bnode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->nkids; i++)
        bnode_free(n->kids[i]);
    free(n->kids);
    free(n->sql_type);
    free(n);
}

static bool is_num(uint8_t t)
{
    return t == RT_TYPE_INT || t == RT_TYPE_UINT || t == RT_TYPE_DOUBLE || t == RT_TYPE_DECIMAL;
}

static bool is_str(uint8_t t)
{
    return t == RT_TYPE_STRING || t == RT_TYPE_BYTES || t == RT_TYPE_JSON;
}

static bool is_temporal(uint8_t t)
{
    return t == RT_TYPE_DATE || t == RT_TYPE_DATETIME || t == RT_TYPE_TIME;
}

/* "a string", "a date", ...: how messages name a static type. */
static const char *type_words(const bnode *n)
{
    if (n->is_bool)
        return "a boolean";
    switch ((rt_type)n->type) {
    case RT_TYPE_NULL:
        return "NULL";
    case RT_TYPE_INT:
    case RT_TYPE_UINT:
    case RT_TYPE_DOUBLE:
    case RT_TYPE_DECIMAL:
        return "a number";
    case RT_TYPE_STRING:
        return "a string";
    case RT_TYPE_BYTES:
        return "binary data";
    case RT_TYPE_DATE:
        return "a date";
    case RT_TYPE_TIME:
        return "a time";
    case RT_TYPE_DATETIME:
        return "a datetime";
    case RT_TYPE_JSON:
        return "a JSON document";
    }
    return "a value";
}

/* Precision and scale of an exact numeric node viewed as a decimal. */
static void dec_shape(const bnode *n, int *p, int *s)
{
    switch (n->type) {
    case RT_TYPE_INT:
        *p = n->syn->kind == N_LIT ? expr_dec_digits(n->lit.i) : 19;
        *s = 0;
        return;
    case RT_TYPE_UINT:
        *p = 20;
        *s = 0;
        return;
    case RT_TYPE_DECIMAL:
        *p = n->prec;
        *s = n->scale;
        return;
    default:
        *p = 1;
        *s = 0;
        return;
    }
}

static void set_dec(bnode *n, int p, int s)
{
    if (s > DEC_MAX_DIGITS)
        s = DEC_MAX_DIGITS;
    if (p > DEC_MAX_DIGITS)
        p = DEC_MAX_DIGITS;
    if (p < s)
        p = s;
    if (p < 1)
        p = 1;
    n->type = RT_TYPE_DECIMAL;
    n->prec = (uint8_t)p;
    n->scale = (uint8_t)s;
}

/* The most characters n's text form can have, -1 when unknown. */
static long text_len(const bnode *n)
{
    if (n->is_bool)
        return 1;
    switch ((rt_type)n->type) {
    case RT_TYPE_NULL:
        return 0;
    case RT_TYPE_INT:
    case RT_TYPE_UINT:
        return 20;
    case RT_TYPE_DOUBLE:
        return 24;
    case RT_TYPE_DECIMAL:
        return n->prec + 2;
    case RT_TYPE_DATE:
        return 10;
    case RT_TYPE_TIME:
        return 16;
    case RT_TYPE_DATETIME:
        return 26;
    case RT_TYPE_STRING:
        return n->len;
    default:
        return -1;
    }
}

/* Reads "name(a[,b])" type text: the numbers after the name, if it starts with name. */
static int sql_type_args(const char *sql, const char *name, long *a, long *b)
{
    size_t len = strlen(name);
    if (!sql || strncasecmp(sql, name, len) != 0 || sql[len] != '(')
        return 0;
    char *end = NULL;
    *a = strtol(sql + len + 1, &end, 10);
    if (*end == ',')
        *b = strtol(end + 1, &end, 10);
    return *end == ')' ? (*b >= 0 ? 2 : 1) : 0;
}

static int bind_column(binder *bd, const enode *s, bnode *n)
{
    size_t count = rt_table_column_count(bd->t);
    for (size_t i = 0; i < count; i++) {
        const rt_column *c = rt_table_column(bd->t, i);
        if (strcasecmp(c->name, s->name) != 0)
            continue;
        n->col = (long)i;
        n->type = (uint8_t)c->type;
        n->nullable = c->nullable;
        long a = -1, b = -1;
        if (c->type == RT_TYPE_DECIMAL) {
            /* Without a declared type the scale is unknown; 10 digits keep common values exact. */
            int k = sql_type_args(c->sql_type, "decimal", &a, &b);
            if (!k)
                k = sql_type_args(c->sql_type, "numeric", &a, &b);
            if (k == 0)
                set_dec(n, DEC_MAX_DIGITS, 10);
            else
                set_dec(n, (int)a, k == 2 ? (int)b : 0);
        } else if (c->type == RT_TYPE_STRING) {
            n->len = -1;
            if (sql_type_args(c->sql_type, "varchar", &a, &b) == 1 ||
                sql_type_args(c->sql_type, "char", &a, &b) == 1)
                n->len = a;
        }
        if (c->sql_type && !(n->sql_type = strdup(c->sql_type)))
            return rt_err_set(bd->err, RT_ENOMEM, "expression: out of memory");
        if (c->sql_type && strncasecmp(c->sql_type, "tinyint(1)", 10) == 0)
            n->is_bool = c->type == RT_TYPE_INT;
        return 0;
    }
    return fail(bd, s->pos, "unknown column '%s' in %s", s->name, rt_table_qualified(bd->t));
}

/* A string literal compared with a number or a date becomes that number or date now, so the
 * comparison is typed and a literal that cannot convert fails before any record flows. */
static int coerce_literal(binder *bd, bnode *lit, const bnode *other)
{
    if (lit->syn->kind != N_LIT || lit->type != RT_TYPE_STRING)
        return 0;
    const char *s = lit->lit.s.p;
    size_t len = lit->lit.s.len;
    if (is_num(other->type)) {
        xv v;
        if (expr_num_parse(s, len, &v))
            return fail(bd, lit->syn->pos, "cannot compare %s with '%.*s' (not a number)",
                        type_words(other), (int)len, s);
        lit->lit = v;
        lit->type = v.type;
        if (v.type == RT_TYPE_DECIMAL)
            set_dec(lit, expr_dec_digits(v.dec), v.scale);
        return 0;
    }
    if (is_temporal(other->type)) {
        rt_type want = other->type == RT_TYPE_TIME ? RT_TYPE_TIME : RT_TYPE_DATETIME;
        rt_temporal t;
        if (expr_temporal_parse(s, len, want, &t))
            return fail(bd, lit->syn->pos, "cannot read '%.*s' as %s", (int)len, s,
                        type_words(other));
        lit->lit.type = (uint8_t)want;
        lit->lit.t = t;
        lit->type = (uint8_t)want;
    }
    return 0;
}

/* Checks that a and b can be compared (after coercing literals); op names the operator. */
static int comparable(binder *bd, bnode *a, bnode *b, size_t pos)
{
    int rc;
    if ((rc = coerce_literal(bd, a, b)) || (rc = coerce_literal(bd, b, a)))
        return rc;
    uint8_t x = a->type, y = b->type;
    if (x == RT_TYPE_NULL || y == RT_TYPE_NULL)
        return 0;
    if (is_num(x) && is_num(y))
        return 0;
    if (is_str(x) && is_str(y))
        return 0;
    if (is_temporal(x) && is_temporal(y) && (x == RT_TYPE_TIME) == (y == RT_TYPE_TIME))
        return 0;
    /* A string column against a date converts per record (and fails on a non-date). */
    if ((is_temporal(x) && y == RT_TYPE_STRING) || (x == RT_TYPE_STRING && is_temporal(y)))
        return 0;
    return fail(bd, pos, "cannot compare %s with %s", type_words(a), type_words(b));
}

static int need_condition(binder *bd, const bnode *k, const char *what)
{
    if (k->type == RT_TYPE_NULL || is_num(k->type))
        return 0;
    return fail(bd, k->syn->pos, "%s needs a condition, got %s", what, type_words(k));
}

static int need_number(binder *bd, const bnode *k, const char *what)
{
    if (k->type == RT_TYPE_NULL || is_num(k->type))
        return 0;
    return fail(bd, k->syn->pos, "%s needs a number, got %s", what, type_words(k));
}

static void arith_type(bnode *n, const bnode *a, const bnode *b, uint8_t op)
{
    uint8_t x = a->type == RT_TYPE_NULL ? b->type : a->type;
    uint8_t y = b->type == RT_TYPE_NULL ? a->type : b->type;
    if (x == RT_TYPE_NULL)
        x = y = RT_TYPE_INT;
    if (x == RT_TYPE_DOUBLE || y == RT_TYPE_DOUBLE) {
        n->type = RT_TYPE_DOUBLE;
        return;
    }
    if (x == RT_TYPE_INT && y == RT_TYPE_INT && op != TK_SLASH) {
        n->type = RT_TYPE_INT;
        return;
    }
    int pa, sa, pb, sb;
    dec_shape(a->type == RT_TYPE_NULL ? b : a, &pa, &sa);
    dec_shape(b->type == RT_TYPE_NULL ? a : b, &pb, &sb);
    int ia = pa - sa, ib = pb - sb;
    switch (op) {
    case TK_PLUS:
    case TK_MINUS: {
        int s = sa > sb ? sa : sb;
        set_dec(n, (ia > ib ? ia : ib) + s + 1, s);
        return;
    }
    case TK_STAR:
        set_dec(n, pa + pb, sa + sb);
        return;
    case TK_SLASH:
        /* MySQL's div_precision_increment: the dividend's scale plus 4. */
        set_dec(n, pa + sb + 4, sa + 4);
        return;
    default: { /* % */
        int s = sa > sb ? sa : sb;
        set_dec(n, (ia > ib ? ia : ib) + s, s);
        return;
    }
    }
}

/* The type of IF / COALESCE: the branches' common type; numbers widen, strings stay strings,
 * a date with a datetime is a datetime. */
static int merge_type(binder *bd, bnode *n, bnode *const *kids, size_t count)
{
    n->type = RT_TYPE_NULL;
    n->is_bool = true;
    n->len = 0;
    int ip = 0, sp = 0;
    for (size_t i = 0; i < count; i++) {
        const bnode *k = kids[i];
        if (k->type == RT_TYPE_NULL)
            continue;
        n->is_bool = n->is_bool && k->is_bool;
        long kl = text_len(k);
        n->len = (n->len < 0 || kl < 0) ? -1 : (kl > n->len ? kl : n->len);
        if (is_num(k->type) && k->type != RT_TYPE_DOUBLE) {
            int p, s;
            dec_shape(k, &p, &s);
            ip = p - s > ip ? p - s : ip;
            sp = s > sp ? s : sp;
        }
        uint8_t t = n->type, u = k->type;
        if (t == RT_TYPE_NULL || t == u) {
            n->type = u;
        } else if (is_num(t) && is_num(u)) {
            n->type =
                (t == RT_TYPE_DOUBLE || u == RT_TYPE_DOUBLE) ? RT_TYPE_DOUBLE : RT_TYPE_DECIMAL;
        } else if (is_str(t) && is_str(u)) {
            n->type = RT_TYPE_STRING;
        } else if ((t == RT_TYPE_DATE && u == RT_TYPE_DATETIME) ||
                   (t == RT_TYPE_DATETIME && u == RT_TYPE_DATE)) {
            n->type = RT_TYPE_DATETIME;
        } else {
            return fail(bd, k->syn->pos, "%s mixes %s with %s",
                        n->syn->func == F_IF ? "IF" : "COALESCE", type_words(n), type_words(k));
        }
    }
    if (n->type == RT_TYPE_DECIMAL)
        set_dec(n, ip + sp, sp);
    if (n->type == RT_TYPE_NULL)
        n->is_bool = false;
    return 0;
}

static int bind_node(binder *bd, const enode *s, bnode **out);

static int bind_func(binder *bd, bnode *n)
{
    bnode **k = n->kids;
    int rc = 0;
    bool any_null = false;
    for (size_t i = 0; i < n->nkids; i++)
        any_null = any_null || k[i]->nullable;
    n->nullable = any_null;
    switch ((func_id)n->syn->func) {
    case F_UPPER:
    case F_LOWER:
    case F_TRIM:
        n->type = RT_TYPE_STRING;
        n->len = text_len(k[0]);
        break;
    case F_CONCAT:
        n->type = RT_TYPE_STRING;
        n->len = 0;
        for (size_t i = 0; i < n->nkids; i++) {
            long l = text_len(k[i]);
            n->len = (l < 0 || n->len < 0) ? -1 : n->len + l;
        }
        break;
    case F_SUBSTR:
        n->type = RT_TYPE_STRING;
        n->len = text_len(k[0]);
        if ((rc = need_number(bd, k[1], "SUBSTR position")) ||
            (n->nkids == 3 && (rc = need_number(bd, k[2], "SUBSTR length"))))
            return rc;
        break;
    case F_CHAR_LENGTH:
        n->type = RT_TYPE_INT;
        break;
    case F_COALESCE:
        n->nullable = true;
        for (size_t i = 0; i < n->nkids; i++)
            n->nullable = n->nullable && k[i]->nullable;
        return merge_type(bd, n, k, n->nkids);
    case F_IF:
        if ((rc = need_condition(bd, k[0], "IF")))
            return rc;
        n->nullable = k[1]->nullable || k[2]->nullable;
        return merge_type(bd, n, k + 1, 2);
    case F_ABS:
        if ((rc = need_number(bd, k[0], "ABS")))
            return rc;
        n->type = k[0]->type == RT_TYPE_NULL ? RT_TYPE_INT : k[0]->type;
        n->prec = k[0]->prec;
        n->scale = k[0]->scale;
        break;
    }
    return 0;
}

/* Which source types a CAST accepts: numbers and text convert among themselves and to text;
 * dates only to dates and text (a date as a number is a MySQL quirk not worth copying). */
static int bind_cast(binder *bd, bnode *n)
{
    const cast_type *ct = &n->syn->ct;
    const bnode *k = n->kids[0];
    n->nullable = k->nullable;
    n->type = (uint8_t)expr_cast_value_type(ct);
    n->is_bool = ct->kind == CT_BOOLEAN;
    if (n->type == RT_TYPE_DECIMAL)
        set_dec(n, ct->kind == CT_LARGEINT ? DEC_MAX_DIGITS : ct->p, ct->s);
    if (ct->kind == CT_CHAR || ct->kind == CT_VARCHAR)
        n->len = ct->n;
    else if (ct->kind == CT_STRING)
        n->len = -1;
    uint8_t from = k->type;
    bool ok = true;
    if (is_num(n->type) && !(is_num(from) || is_str(from) || from == RT_TYPE_NULL))
        ok = false;
    if (is_temporal(n->type) && is_num(from))
        ok = false;
    if (n->type == RT_TYPE_DATE && from == RT_TYPE_TIME)
        ok = false;
    if (n->type == RT_TYPE_DATETIME && from == RT_TYPE_TIME)
        ok = false;
    if (!ok) {
        char tname[40];
        expr_cast_type_name(ct, tname, sizeof tname);
        return fail(bd, n->syn->pos, "cannot cast %s to %s", type_words(k), tname);
    }
    return 0;
}

static int bind_kids(binder *bd, const enode *s, bnode *n)
{
    if (!s->nkids)
        return 0;
    n->kids = calloc(s->nkids, sizeof *n->kids);
    if (!n->kids)
        return rt_err_set(bd->err, RT_ENOMEM, "expression: out of memory");
    for (size_t i = 0; i < s->nkids; i++) {
        int rc = bind_node(bd, s->kids[i], &n->kids[i]);
        if (rc)
            return rc;
        n->nkids++;
    }
    return 0;
}

static int bind_shape(binder *bd, const enode *s, bnode *n)
{
    bnode **k = n->kids;
    int rc = 0;
    bool kn = false;
    for (size_t i = 0; i < n->nkids; i++)
        kn = kn || k[i]->nullable;
    switch ((node_kind)s->kind) {
    case N_LIT:
        n->type = s->lit.type;
        n->is_bool = s->lit.is_bool;
        n->nullable = s->lit.type == RT_TYPE_NULL;
        n->lit.type = s->lit.type;
        if (s->lit.type == RT_TYPE_INT) {
            n->lit.i = s->lit.i;
        } else if (s->lit.type == RT_TYPE_DOUBLE) {
            n->lit.d = s->lit.d;
        } else if (s->lit.type == RT_TYPE_DECIMAL) {
            n->lit.dec = s->lit.dec;
            n->lit.scale = s->lit.scale;
            set_dec(n, s->lit.prec, s->lit.scale);
        } else if (s->lit.type == RT_TYPE_STRING) {
            n->lit.s.p = s->lit.str;
            n->lit.s.len = s->lit.str_len;
            n->len = (long)expr_utf8_count(s->lit.str, s->lit.str_len);
        }
        return 0;
    case N_COL:
        return bind_column(bd, s, n);
    case N_META:
        n->type = s->meta == META_OP_TS ? RT_TYPE_DATETIME : RT_TYPE_STRING;
        n->len = s->meta == META_EVENT_TYPE ? 2 : 64;
        n->nullable = s->meta == META_OP_TS || s->meta == META_NAMESPACE;
        return 0;
    case N_NEG:
        if ((rc = need_number(bd, k[0], "'-'")))
            return rc;
        n->nullable = kn;
        n->type = k[0]->type == RT_TYPE_NULL ? RT_TYPE_INT : k[0]->type;
        if (n->type == RT_TYPE_UINT) {
            /* -UINT can go below INT64_MIN: computed exactly as a decimal. */
            set_dec(n, 20, 0);
        } else {
            n->prec = k[0]->prec;
            n->scale = k[0]->scale;
        }
        return 0;
    case N_NOT:
    case N_AND:
    case N_OR:
        for (size_t i = 0; i < n->nkids; i++) {
            if ((rc = need_condition(bd, k[i],
                                     s->kind == N_NOT   ? "NOT"
                                     : s->kind == N_AND ? "AND"
                                                        : "OR")))
                return rc;
        }
        n->type = RT_TYPE_INT;
        n->is_bool = true;
        n->nullable = kn;
        return 0;
    case N_ARITH: {
        const char *op = s->op == TK_PLUS    ? "'+'"
                         : s->op == TK_MINUS ? "'-'"
                         : s->op == TK_STAR  ? "'*'"
                         : s->op == TK_SLASH ? "'/'"
                                             : "'%'";
        if ((rc = need_number(bd, k[0], op)) || (rc = need_number(bd, k[1], op)))
            return rc;
        arith_type(n, k[0], k[1], s->op);
        n->nullable = kn;
        return 0;
    }
    case N_CMP:
        if ((rc = comparable(bd, k[0], k[1], s->op_pos)))
            return rc;
        n->type = RT_TYPE_INT;
        n->is_bool = true;
        n->nullable = kn;
        return 0;
    case N_IN:
    case N_BETWEEN:
        for (size_t i = 1; i < n->nkids; i++) {
            if ((rc = comparable(bd, k[0], k[i], k[i]->syn->pos)))
                return rc;
        }
        n->type = RT_TYPE_INT;
        n->is_bool = true;
        n->nullable = kn;
        return 0;
    case N_ISNULL:
        n->type = RT_TYPE_INT;
        n->is_bool = true;
        n->nullable = false;
        return 0;
    case N_LIKE:
        /* Any value matches as its text form, as MySQL does (id LIKE '12%'). */
        n->type = RT_TYPE_INT;
        n->is_bool = true;
        n->nullable = kn;
        return 0;
    case N_FUNC:
        return bind_func(bd, n);
    case N_CAST:
        return bind_cast(bd, n);
    }
    RT_BUG("bind: node kind %u", s->kind);
}

static int set_sql_type(binder *bd, bnode *n)
{
    if (n->sql_type)
        return 0;
    char buf[64];
    const char *t = NULL;
    const enode *s = n->syn;
    if (s->kind == N_CAST) {
        expr_cast_sql_type(&s->ct, buf, sizeof buf);
        t = buf;
    } else if (s->kind == N_META) {
        t = s->meta == META_OP_TS        ? "datetime(3)"
            : s->meta == META_EVENT_TYPE ? "varchar(2)"
                                         : "varchar(64)";
    } else if (s->kind == N_FUNC && (s->func == F_IF || s->func == F_COALESCE)) {
        /* Branches that all declare one type keep it (IF(c, price, old_price) stays
         * decimal(10,2)); NULL branches do not count. Otherwise the derived type below. */
        const char *same = NULL;
        bool all = true;
        for (size_t i = s->func == F_IF ? 1 : 0; i < n->nkids; i++) {
            const bnode *k = n->kids[i];
            if (k->type == RT_TYPE_NULL)
                continue;
            if (!same)
                same = k->sql_type;
            else if (strcmp(same, k->sql_type) != 0)
                all = false;
        }
        if (same && all)
            t = same;
    }
    if (!t) {
        if (n->is_bool) {
            t = "boolean";
        } else {
            switch ((rt_type)n->type) {
            case RT_TYPE_NULL:
            case RT_TYPE_STRING:
                if (n->len >= 0 && n->len <= 65533)
                    snprintf(buf, sizeof buf, "varchar(%ld)", n->len ? n->len : 1);
                else
                    snprintf(buf, sizeof buf, "longtext");
                t = buf;
                break;
            case RT_TYPE_INT:
                t = "bigint";
                break;
            case RT_TYPE_UINT:
                t = "bigint unsigned";
                break;
            case RT_TYPE_DOUBLE:
                t = "double";
                break;
            case RT_TYPE_DECIMAL:
                snprintf(buf, sizeof buf, "decimal(%u,%u)", n->prec, n->scale);
                t = buf;
                break;
            case RT_TYPE_BYTES:
                t = "longblob";
                break;
            case RT_TYPE_DATE:
                t = "date";
                break;
            case RT_TYPE_TIME:
                t = "time(6)";
                break;
            case RT_TYPE_DATETIME:
                t = "datetime(6)";
                break;
            case RT_TYPE_JSON:
                t = "json";
                break;
            }
        }
    }
    if (!(n->sql_type = strdup(t)))
        return rt_err_set(bd->err, RT_ENOMEM, "expression: out of memory");
    return 0;
}

static int bind_node(binder *bd, const enode *s, bnode **out)
{
    bnode *n = calloc(1, sizeof *n);
    if (!n)
        return rt_err_set(bd->err, RT_ENOMEM, "expression: out of memory");
    n->syn = s;
    n->col = -1;
    n->len = -1;
    int rc = bind_kids(bd, s, n);
    if (!rc)
        rc = bind_shape(bd, s, n);
    if (!rc)
        rc = set_sql_type(bd, n);
    if (rc) {
        bnode_free(n);
        return rc;
    }
    *out = n;
    return 0;
}

int op_expr_bind(const op_expr *e, const rt_table *t, op_expr_bound **out, rt_err *err)
{
    binder bd = {.e = e, .t = t, .err = err};
    op_expr_bound *b = calloc(1, sizeof *b);
    if (!b)
        return rt_err_set(err, RT_ENOMEM, "expression: out of memory");
    b->e = e;
    int rc = bind_node(&bd, e->root, &b->root);
    if (rc) {
        free(b);
        return rc;
    }
    *out = b;
    return 0;
}

void op_expr_bound_free(op_expr_bound *b)
{
    if (!b)
        return;
    bnode_free(b->root);
    free(b);
}

rt_type op_expr_bound_type(const op_expr_bound *b)
{
    /* A bare NULL has no type of its own; text is what a column of nothing is most like. */
    return b->root->type == RT_TYPE_NULL ? RT_TYPE_STRING : (rt_type)b->root->type;
}

const char *op_expr_bound_sql_type(const op_expr_bound *b)
{
    return b->root->sql_type;
}

bool op_expr_bound_nullable(const op_expr_bound *b)
{
    return b->root->nullable;
}
