/* The query statements of sr-endpoint's SQL: SELECT (from one table, or of variables, functions
 * and literals without FROM) and INSERT ... VALUES. Part of the sr_sql_parse module. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "tests/sr_endpoint/sr_sql_parse_int.h"

int sr_sql_parse_condition(parser *p, sr_sql_stmt *st)
{
    st->conds = sr_sql_parse_grow(st->conds, st->cond_count, sizeof *st->conds);
    sr_sql_cond *c = &st->conds[st->cond_count++];
    if (sr_sql_lex_ident(p, &c->column))
        return p->rc;
    if (sr_sql_lex_accept_sym(p, ".")) {
        /* t.col: the table prefix is redundant with one table. */
        free(c->column);
        c->column = NULL;
        if (sr_sql_lex_ident(p, &c->column))
            return p->rc;
    }
    if (sr_sql_lex_accept_kw(p, "IS")) {
        c->op = sr_sql_lex_accept_kw(p, "NOT") ? SR_SQL_OP_IS_NOT_NULL : SR_SQL_OP_IS_NULL;
        return sr_sql_lex_expect_kw(p, "NULL");
    }
    static const struct {
        const char *sym;
        sr_sql_op op;
    } ops[] = {{"=", SR_SQL_OP_EQ}, {"!=", SR_SQL_OP_NE}, {"<>", SR_SQL_OP_NE},
               {"<", SR_SQL_OP_LT}, {"<=", SR_SQL_OP_LE}, {">", SR_SQL_OP_GT},
               {">=", SR_SQL_OP_GE}};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        if (sr_sql_lex_accept_sym(p, ops[i].sym)) {
            c->op = ops[i].op;
            return sr_sql_parse_literal(p, &c->value);
        }
    }
    if (p->kind == SR_SQL_TOK_IDENT && (sr_sql_lex_is_kw(p, "IN") || sr_sql_lex_is_kw(p, "LIKE") ||
                                        sr_sql_lex_is_kw(p, "BETWEEN")))
        return sr_sql_lex_unsupported(
            p, "this WHERE operator (=, !=, <, <=, >, >=, IS [NOT] NULL are)");
    return sr_sql_lex_syntax_error(p, "'=', '!=', '<>', '<', '<=', '>', '>=', 'IS'");
}

static int expr_item(parser *p, sr_sql_stmt *st, bool *is_column)
{
    size_t start = p->off;
    st->exprs = sr_sql_parse_grow(st->exprs, st->expr_count, sizeof *st->exprs);
    sr_sql_expr *e = &st->exprs[st->expr_count++];
    *is_column = false;
    if (p->kind == SR_SQL_TOK_VAR) {
        e->kind = SR_SQL_EXPR_VARIABLE;
        e->name = sr_sql_parse_strdup(p->val.data);
        sr_sql_lex_next(p);
    } else if (p->kind == SR_SQL_TOK_IDENT && !sr_sql_lex_is_kw(p, "NULL") &&
               !sr_sql_lex_is_kw(p, "TRUE") && !sr_sql_lex_is_kw(p, "FALSE")) {
        char *name = sr_sql_parse_strdup(p->val.data);
        sr_sql_lex_next(p);
        if (sr_sql_lex_accept_sym(p, "(")) {
            for (char *c = name; *c; c++)
                *c = (char)toupper((unsigned char)*c);
            e->kind = SR_SQL_EXPR_FUNCTION;
            e->name = name;
            if (strcmp(name, "COUNT") == 0 && sr_sql_lex_accept_sym(p, "*")) {
                free(e->name);
                e->name = sr_sql_parse_strdup("COUNT(*)");
            }
            if (sr_sql_lex_expect_sym(p, ")"))
                return p->rc;
        } else {
            e->kind = SR_SQL_EXPR_COLUMN;
            e->name = name;
            *is_column = true;
        }
    } else if (p->kind == SR_SQL_TOK_QIDENT) {
        e->kind = SR_SQL_EXPR_COLUMN;
        e->name = sr_sql_parse_strdup(p->val.data);
        sr_sql_lex_next(p);
        *is_column = true;
    } else {
        e->kind = SR_SQL_EXPR_LITERAL;
        if (sr_sql_parse_literal(p, &e->literal))
            return p->rc;
    }
    size_t end = p->off;
    while (end > start && isspace((unsigned char)p->sql[end - 1]))
        end--;
    if (sr_sql_lex_accept_kw(p, "AS")) {
        if (p->kind == SR_SQL_TOK_STRING)
            return sr_sql_lex_string(p, &e->label);
        return sr_sql_lex_ident(p, &e->label);
    }
    if (p->kind == SR_SQL_TOK_QIDENT || p->kind == SR_SQL_TOK_STRING ||
        (p->kind == SR_SQL_TOK_IDENT && !sr_sql_lex_is_kw(p, "FROM") &&
         !sr_sql_lex_is_kw(p, "LIMIT") && !sr_sql_lex_is_kw(p, "WHERE") &&
         !sr_sql_lex_is_kw(p, "ORDER")))
        return p->kind == SR_SQL_TOK_STRING ? sr_sql_lex_string(p, &e->label)
                                            : sr_sql_lex_ident(p, &e->label);
    if (*is_column) {
        e->label = sr_sql_parse_strdup(e->name);
    } else {
        e->label = malloc(end - start + 1);
        if (!e->label)
            RT_BUG("out of memory");
        memcpy(e->label, p->sql + start, end - start);
        e->label[end - start] = '\0';
    }
    return 0;
}

int sr_sql_parse_select(parser *p, sr_sql_stmt *st)
{
    st->limit = -1;
    bool star = false, any_column = false;
    if (sr_sql_lex_accept_sym(p, "*")) {
        star = true;
    } else {
        do {
            bool is_column;
            if (expr_item(p, st, &is_column))
                return p->rc;
            any_column |= is_column;
        } while (sr_sql_lex_accept_sym(p, ","));
    }
    if (!sr_sql_lex_is_kw(p, "FROM") && !sr_sql_lex_is_kw(p, "LIMIT") &&
        p->kind != SR_SQL_TOK_EOF && !sr_sql_lex_is_sym(p, ";"))
        return sr_sql_lex_syntax_error(p, "',', 'FROM', 'LIMIT'");
    if (sr_sql_lex_accept_kw(p, "FROM")) {
        st->kind = SR_SQL_SELECT;
        if (sr_sql_parse_qualified_name(p, &st->db, &st->table))
            return p->rc;
        /* The items become column names, or COUNT(*). */
        for (size_t i = 0; i < st->expr_count; i++) {
            sr_sql_expr *e = &st->exprs[i];
            bool is_count = e->kind == SR_SQL_EXPR_FUNCTION && strcmp(e->name, "COUNT(*)") == 0;
            if (is_count && st->expr_count == 1) {
                st->count_star = true;
            } else if (e->kind != SR_SQL_EXPR_COLUMN) {
                return sr_sql_lex_unsupported(
                    p, "expressions in a SELECT ... FROM list (columns, * and a "
                       "lone COUNT(*) are)");
            }
        }
        for (size_t i = 0; i < st->expr_count && !st->count_star; i++) {
            const sr_sql_expr *e = &st->exprs[i];
            if (strcmp(e->label, e->name) != 0)
                return sr_sql_lex_unsupported(p, "column aliases");
            sr_sql_parse_push_name(&st->columns, &st->column_count, sr_sql_parse_strdup(e->name));
        }
        if (st->count_star) {
            /* Keep the label ("COUNT(*)" or an alias) for the result column. */
        } else {
            for (size_t i = 0; i < st->expr_count; i++) {
                free(st->exprs[i].name);
                free(st->exprs[i].label);
                sr_sql_parse_literal_fini(&st->exprs[i].literal);
            }
            free(st->exprs);
            st->exprs = NULL;
            st->expr_count = 0;
        }
        if (sr_sql_lex_accept_kw(p, "WHERE")) {
            do {
                if (sr_sql_parse_condition(p, st))
                    return p->rc;
            } while (sr_sql_lex_accept_kw(p, "AND"));
            if (sr_sql_lex_is_kw(p, "OR"))
                return sr_sql_lex_unsupported(p, "OR in WHERE");
        }
        if (sr_sql_lex_accept_kw(p, "ORDER")) {
            if (sr_sql_lex_expect_kw(p, "BY"))
                return p->rc;
            do {
                st->order = sr_sql_parse_grow(st->order, st->order_count, sizeof *st->order);
                sr_sql_order *o = &st->order[st->order_count++];
                if (sr_sql_lex_ident(p, &o->column))
                    return p->rc;
                if (sr_sql_lex_accept_kw(p, "DESC"))
                    o->desc = true;
                else
                    sr_sql_lex_accept_kw(p, "ASC");
            } while (sr_sql_lex_accept_sym(p, ","));
        }
    } else {
        if (star)
            return sr_sql_lex_syntax_error(p, "'FROM'");
        st->kind = SR_SQL_SELECT_EXPR;
        if (any_column) {
            size_t i = 0;
            while (st->exprs[i].kind != SR_SQL_EXPR_COLUMN)
                i++;
            return sr_sql_lex_analysis_error(p, "Column '%s' cannot be resolved.",
                                             st->exprs[i].name);
        }
    }
    if (sr_sql_lex_accept_kw(p, "LIMIT")) {
        long long n;
        if (sr_sql_lex_int(p, &n))
            return p->rc;
        if (sr_sql_lex_accept_sym(p, ",") || sr_sql_lex_accept_kw(p, "OFFSET"))
            return sr_sql_lex_unsupported(p, "LIMIT with an offset");
        st->limit = n;
    }
    return p->rc;
}

/* ---- INSERT ---- */

int sr_sql_parse_insert(parser *p, sr_sql_stmt *st)
{
    if (sr_sql_lex_expect_kw(p, "INTO") || sr_sql_parse_qualified_name(p, &st->db, &st->table))
        return p->rc;
    if (sr_sql_lex_is_sym(p, "(") &&
        sr_sql_parse_name_list(p, &st->insert_columns, &st->insert_column_count))
        return p->rc;
    if (sr_sql_lex_is_kw(p, "SELECT"))
        return sr_sql_lex_unsupported(p, "INSERT ... SELECT");
    if (!sr_sql_lex_accept_kw(p, "VALUES") && sr_sql_lex_expect_kw(p, "VALUE"))
        return p->rc;
    do {
        if (sr_sql_lex_expect_sym(p, "("))
            return p->rc;
        size_t n = 0;
        do {
            st->values = sr_sql_parse_grow(st->values, st->value_count, sizeof *st->values);
            sr_sql_literal *l = &st->values[st->value_count++];
            n++;
            if (sr_sql_parse_literal(p, l))
                return p->rc;
        } while (sr_sql_lex_accept_sym(p, ","));
        if (sr_sql_lex_expect_sym(p, ")"))
            return p->rc;
        if (st->row_count == 0)
            st->values_per_row = n;
        if (n != st->values_per_row)
            return sr_sql_lex_analysis_error(p,
                                             "Inserted target column count %zu doesn't match the "
                                             "value count %zu of row %zu",
                                             st->values_per_row, n, st->row_count + 1);
        st->row_count++;
    } while (sr_sql_lex_accept_sym(p, ","));
    if (st->insert_column_count && st->insert_column_count != st->values_per_row)
        return sr_sql_lex_analysis_error(p, "Column count doesn't match value count");
    return p->rc;
}
