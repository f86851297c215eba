/* The ALTER TABLE and SHOW ALTER TABLE statements of sr-endpoint's SQL, after StarRocks' grammar
 * (StarRocks.g4: addColumnClause, addColumnsClause, dropColumnClause, modifyColumnClause,
 * columnRenameClause, tableRenameClause, showAlterStatement). Part of the sr_sql_parse module. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tests/sr_endpoint/sr_sql_parse_int.h"

/* [FIRST | AFTER column] */
static int position(parser *p, sr_sql_stmt *st)
{
    if (sr_sql_lex_accept_kw(p, "FIRST"))
        st->first = true;
    else if (sr_sql_lex_accept_kw(p, "AFTER"))
        return sr_sql_lex_ident(p, &st->after);
    return p->rc;
}

/* ADD COLUMN col [FIRST | AFTER x] | ADD COLUMN (col, col, ...) */
static int add_column(parser *p, sr_sql_stmt *st)
{
    if (sr_sql_lex_expect_kw(p, "COLUMN"))
        return p->rc;
    st->kind = SR_SQL_ADD_COLUMN;
    if (!sr_sql_lex_accept_sym(p, "(")) {
        if (sr_sql_parse_column_def(p, &st->column, &st->column_null_given))
            return p->rc;
        return position(p, st);
    }
    do {
        st->add_columns =
            sr_sql_parse_grow(st->add_columns, st->add_column_count, sizeof *st->add_columns);
        bool null_given;
        if (sr_sql_parse_column_def(p, &st->add_columns[st->add_column_count++], &null_given))
            return p->rc;
    } while (sr_sql_lex_accept_sym(p, ","));
    return sr_sql_lex_expect_sym(p, ")");
}

int sr_sql_parse_alter_table(parser *p, sr_sql_stmt *st)
{
    if (sr_sql_parse_qualified_name(p, &st->db, &st->table))
        return p->rc;
    if (sr_sql_lex_accept_kw(p, "ADD")) {
        if (sr_sql_lex_is_kw(p, "PARTITION") || sr_sql_lex_is_kw(p, "ROLLUP") ||
            sr_sql_lex_is_kw(p, "INDEX"))
            return sr_sql_lex_unsupported(p, "this ALTER TABLE ADD clause");
        if (add_column(p, st))
            return p->rc;
    } else if (sr_sql_lex_accept_kw(p, "DROP")) {
        if (sr_sql_lex_expect_kw(p, "COLUMN"))
            return p->rc;
        st->kind = SR_SQL_DROP_COLUMN;
        if (sr_sql_lex_ident(p, &st->column_name))
            return p->rc;
    } else if (sr_sql_lex_accept_kw(p, "MODIFY")) {
        if (sr_sql_lex_is_kw(p, "COMMENT") || sr_sql_lex_is_kw(p, "PARTITION"))
            return sr_sql_lex_unsupported(p, "this ALTER TABLE MODIFY clause");
        if (sr_sql_lex_expect_kw(p, "COLUMN"))
            return p->rc;
        st->kind = SR_SQL_MODIFY_COLUMN;
        if (sr_sql_parse_column_def(p, &st->column, &st->column_null_given) || position(p, st))
            return p->rc;
    } else if (sr_sql_lex_accept_kw(p, "RENAME")) {
        if (sr_sql_lex_accept_kw(p, "COLUMN")) {
            /* RENAME COLUMN old [TO] new (StarRocks 3.3) */
            st->kind = SR_SQL_RENAME_COLUMN;
            if (sr_sql_lex_ident(p, &st->column_name))
                return p->rc;
            sr_sql_lex_accept_kw(p, "TO");
            if (sr_sql_lex_ident(p, &st->new_name))
                return p->rc;
        } else if (sr_sql_lex_is_kw(p, "ROLLUP") || sr_sql_lex_is_kw(p, "PARTITION")) {
            return sr_sql_lex_unsupported(p, "RENAME ROLLUP / PARTITION");
        } else if (sr_sql_lex_is_kw(p, "TO")) {
            /* StarRocks' tableRenameClause is `RENAME identifier`: TO is a reserved word there. */
            return sr_sql_lex_syntax_error(p, "a table name");
        } else {
            st->kind = SR_SQL_RENAME_TABLE;
            if (sr_sql_lex_ident(p, &st->new_name))
                return p->rc;
        }
    } else if (p->kind == SR_SQL_TOK_IDENT) {
        return sr_sql_lex_unsupported(p, "this ALTER TABLE clause (ADD/DROP/MODIFY/RENAME COLUMN "
                                         "and RENAME are)");
    } else {
        return sr_sql_lex_syntax_error(p, "'ADD', 'DROP', 'MODIFY', 'RENAME'");
    }
    if (sr_sql_lex_is_kw(p, "PROPERTIES") || sr_sql_lex_is_kw(p, "FROM") ||
        sr_sql_lex_is_kw(p, "IN") || sr_sql_lex_is_kw(p, "TO"))
        return sr_sql_lex_unsupported(p, "rollup and PROPERTIES parts of ALTER TABLE clauses");
    if (sr_sql_lex_is_sym(p, ","))
        return sr_sql_lex_unsupported(p, "several ALTER TABLE clauses in one statement");
    return p->rc;
}

/* The result columns of SHOW ALTER TABLE COLUMN (StarRocks' SchemaChangeProcDir titles). */
static const char *const alter_titles[] = {
    "JobId",   "TableName",     "CreateTime",    "FinishTime",    "IndexName",
    "IndexId", "OriginIndexId", "SchemaVersion", "TransactionId", "State",
    "Msg",     "Progress",      "Timeout"};

static bool is_title(const char *name)
{
    for (size_t i = 0; i < sizeof alter_titles / sizeof alter_titles[0]; i++)
        if (strcasecmp(name, alter_titles[i]) == 0)
            return true;
    return false;
}

/* SHOW ALTER TABLE COLUMN [FROM db] [WHERE ...] [ORDER BY ...] [LIMIT n] */
int sr_sql_parse_show_alter(parser *p, sr_sql_stmt *st)
{
    st->limit = -1;
    if (sr_sql_lex_expect_kw(p, "TABLE"))
        return p->rc;
    if (sr_sql_lex_is_kw(p, "ROLLUP") || sr_sql_lex_is_kw(p, "OPTIMIZE") ||
        sr_sql_lex_is_kw(p, "MATERIALIZED"))
        return sr_sql_lex_unsupported(p, "SHOW ALTER TABLE ROLLUP / OPTIMIZE / MATERIALIZED VIEW");
    if (sr_sql_lex_expect_kw(p, "COLUMN"))
        return p->rc;
    st->kind = SR_SQL_SHOW_ALTER_TABLE;
    if ((sr_sql_lex_accept_kw(p, "FROM") || sr_sql_lex_accept_kw(p, "IN")) &&
        sr_sql_lex_ident(p, &st->db))
        return p->rc;
    if (sr_sql_lex_accept_kw(p, "WHERE")) {
        do {
            if (sr_sql_parse_condition(p, st))
                return p->rc;
            const char *c = st->conds[st->cond_count - 1].column;
            if (strcasecmp(c, "TableName") && strcasecmp(c, "CreateTime") &&
                strcasecmp(c, "FinishTime") && strcasecmp(c, "State"))
                return sr_sql_lex_analysis_error(
                    p, "The columns of TableName/CreateTime/FinishTime/State are supported.");
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
            if (!is_title(o->column))
                return sr_sql_lex_analysis_error(p, "Title name[%s] does not exist", o->column);
            if (sr_sql_lex_accept_kw(p, "DESC"))
                o->desc = true;
            else
                sr_sql_lex_accept_kw(p, "ASC");
        } while (sr_sql_lex_accept_sym(p, ","));
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
