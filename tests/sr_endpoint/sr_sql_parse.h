/* sr_sql_parse: the SQL dialect of sr-endpoint's MySQL port (a StarRocks subset: database and
 * table DDL, SHOW/DESC, simple SELECT and INSERT, the client's start-up queries) parsed into
 * statements. Syntax errors carry StarRocks' wording ("Getting syntax error at line 1, column
 * 5. Detail message: ..."); checks that need no catalog are made here too. */
#ifndef SLUICE_TESTS_SR_ENDPOINT_SR_SQL_PARSE_H
#define SLUICE_TESTS_SR_ENDPOINT_SR_SQL_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/base/errors.h"
#include "tests/sr_endpoint/sr_store.h"

#define SR_SQL_KIND_MAP(X)                                                                         \
    X(CREATE_DATABASE)                                                                             \
    X(DROP_DATABASE)                                                                               \
    X(USE)                                                                                         \
    X(CREATE_TABLE)                                                                                \
    X(DROP_TABLE)                                                                                  \
    X(TRUNCATE_TABLE)                                                                              \
    X(ADD_COLUMN)                                                                                  \
    X(DROP_COLUMN)                                                                                 \
    X(MODIFY_COLUMN)                                                                               \
    X(RENAME_COLUMN)                                                                               \
    X(RENAME_TABLE)                                                                                \
    X(SHOW_ALTER_TABLE)                                                                            \
    X(SHOW_DATABASES)                                                                              \
    X(SHOW_TABLES)                                                                                 \
    X(SHOW_CREATE_TABLE)                                                                           \
    X(SHOW_VARIABLES)                                                                              \
    X(SHOW_WARNINGS)                                                                               \
    X(DESC)                                                                                        \
    X(SELECT)                                                                                      \
    X(SELECT_EXPR)                                                                                 \
    X(INSERT)                                                                                      \
    X(SET)                                                                                         \
    X(TRANSACTION)

typedef enum sr_sql_kind {
#define SR_SQL_KIND_ENUM_(n) SR_SQL_##n,
    SR_SQL_KIND_MAP(SR_SQL_KIND_ENUM_)
#undef SR_SQL_KIND_ENUM_
} sr_sql_kind;

/* "CREATE_TABLE", ... Never NULL. */
const char *sr_sql_kind_name(sr_sql_kind kind);

/* A literal as written: NULL, a number (text as written, sign included) or a string (unescaped). */
typedef enum sr_sql_lit_kind {
    SR_SQL_LIT_NULL,
    SR_SQL_LIT_NUMBER,
    SR_SQL_LIT_STRING
} sr_sql_lit_kind;
typedef struct sr_sql_literal {
    sr_sql_lit_kind kind;
    char *text; /* NULL for SR_SQL_LIT_NULL */
    size_t len;
} sr_sql_literal;

typedef enum sr_sql_op {
    SR_SQL_OP_EQ,
    SR_SQL_OP_NE,
    SR_SQL_OP_LT,
    SR_SQL_OP_LE,
    SR_SQL_OP_GT,
    SR_SQL_OP_GE,
    SR_SQL_OP_IS_NULL,
    SR_SQL_OP_IS_NOT_NULL,
} sr_sql_op;

/* "NULL", "NUMBER", "STRING". */
const char *sr_sql_lit_kind_name(sr_sql_lit_kind kind);
/* The operator as SQL writes it: "=", "!=", "<", "<=", ">", ">=", "IS NULL", "IS NOT NULL". */
const char *sr_sql_op_name(sr_sql_op op);

/* One WHERE condition `column op literal` (conditions are ANDed). */
typedef struct sr_sql_cond {
    char *column;
    sr_sql_op op;
    sr_sql_literal value;
} sr_sql_cond;

typedef struct sr_sql_order {
    char *column;
    bool desc;
} sr_sql_order;

/* One item of a SELECT without FROM: a system variable (@@name, scope dropped, lower case), a
 * function call (name upper case, no arguments; "COUNT(*)") or a literal; label = what the
 * column is called (the item as written, or its alias). A SELECT ... FROM keeps only a lone
 * COUNT(*) item; its column items become `columns`. */
typedef enum sr_sql_expr_kind {
    SR_SQL_EXPR_VARIABLE,
    SR_SQL_EXPR_FUNCTION,
    SR_SQL_EXPR_LITERAL,
    SR_SQL_EXPR_COLUMN,
} sr_sql_expr_kind;
/* "VARIABLE", "FUNCTION", "LITERAL", "COLUMN". */
const char *sr_sql_expr_kind_name(sr_sql_expr_kind kind);

typedef struct sr_sql_expr {
    sr_sql_expr_kind kind;
    char *name; /* variable or function name */
    sr_sql_literal literal;
    char *label;
} sr_sql_expr;

/* A parsed statement. A plain record the executor walks: every pointer is malloc'd and owned by
 * the statement (free with sr_sql_stmt_free). Fields unused by a kind are zero. */
typedef struct sr_sql_stmt {
    sr_sql_kind kind;
    char *db;           /* [db.]table, database statements, USE, SHOW TABLES FROM; NULL = current */
    char *table;        /* table statements */
    bool if_exists;     /* DROP ... IF EXISTS */
    bool if_not_exists; /* CREATE ... IF NOT EXISTS */
    /* CREATE_TABLE: the table (name = table). */
    sr_table_def def;
    /* ADD_COLUMN / MODIFY_COLUMN: the column; ADD_COLUMN: AFTER column or FIRST. */
    sr_column_def column;
    bool column_null_given; /* NULL / NOT NULL was written (MODIFY keeps the old one otherwise) */
    char *after;
    bool first;
    /* ADD_COLUMN (the form ADD COLUMN (c1 T1, c2 T2)): the columns; `column` is then unused. */
    sr_column_def *add_columns;
    size_t add_column_count;
    /* DROP_COLUMN, RENAME_COLUMN: the column name. */
    char *column_name;
    /* RENAME_COLUMN: the new column name; RENAME_TABLE: the new table name. */
    char *new_name;
    /* The statement's text as written (no trailing ';'), for the DDL audit log. */
    char *text;
    /* SELECT: columns (none = *; count_star = COUNT(*)), conditions, order, limit (-1 = none).
     * SHOW_ALTER_TABLE (COLUMN): conditions, order and limit too; db = FROM db. */
    char **columns;
    size_t column_count;
    bool count_star;
    sr_sql_cond *conds;
    size_t cond_count;
    sr_sql_order *order;
    size_t order_count;
    long long limit;
    /* SELECT_EXPR: the items. */
    sr_sql_expr *exprs;
    size_t expr_count;
    /* INSERT: column names (none = all, in table order) and rows of values. */
    char **insert_columns;
    size_t insert_column_count;
    sr_sql_literal *values; /* row_count * values_per_row, row-major */
    size_t value_count;     /* = row_count * values_per_row */
    size_t row_count;
    size_t values_per_row;
    /* SHOW_VARIABLES: the LIKE pattern, or NULL. */
    char *like;
} sr_sql_stmt;

void sr_sql_stmt_free(sr_sql_stmt *st);

/* Parses the statement that starts at sql[*pos] (sql holds len bytes, need not be NUL-terminated)
 * and moves *pos past it and its ';'. Returns 0 with *out a new statement, or 0 with *out NULL
 * when only blanks, comments and ';' remain. Syntax and grammar-level errors: RT_EINVAL (a 1064
 * for the client) with StarRocks' message; RT_EUNSUPPORTED for valid StarRocks SQL that the
 * endpoint does not implement (also a 1064, message names sr-endpoint). */
int sr_sql_parse_next(const char *sql, size_t len, size_t *pos, sr_sql_stmt **out, rt_err *err);

/* Parses exactly one statement (an optional trailing ';'); a second statement is RT_EINVAL. */
int sr_sql_parse(const char *sql, sr_sql_stmt **out, rt_err *err);

#endif
