/* Private to the sr_sql_parse module (sr_sql_parse.c, sr_sql_parse_query.c): the helpers the
 * grammar files share. Not for other modules. */
#ifndef SLUICE_TESTS_SR_ENDPOINT_SR_SQL_PARSE_INT_H
#define SLUICE_TESTS_SR_ENDPOINT_SR_SQL_PARSE_INT_H

#include "tests/sr_endpoint/sr_sql_lex.h"
#include "tests/sr_endpoint/sr_sql_parse.h"

/* The lexer's state is the parser's: the grammar functions take it as `p`. */
typedef sr_sql_lexer parser;

/* strdup that aborts on out-of-memory (statements are small; a test double that cannot
 * allocate them cannot go on). */
char *sr_sql_parse_strdup(const char *s);
/* Grows arr (count elements of size elem) by one zeroed element; aborts on out-of-memory. */
void *sr_sql_parse_grow(void *arr, size_t count, size_t elem);
/* Appends name (taking ownership) to a names array. */
void sr_sql_parse_push_name(char ***arr, size_t *count, char *name);
void sr_sql_parse_names_free(char **names, size_t count);
/* [db.]name; *db stays NULL without a database part. */
int sr_sql_parse_qualified_name(parser *p, char **db, char **name);
/* '(' name {',' name} ')' */
int sr_sql_parse_name_list(parser *p, char ***names, size_t *count);
/* NULL, TRUE/FALSE, a signed number or a string. */
int sr_sql_parse_literal(parser *p, sr_sql_literal *out);
void sr_sql_parse_literal_fini(sr_sql_literal *l);

/* name type [CHARSET x] [KEY] [NULL | NOT NULL] [DEFAULT ...] [COMMENT "x"]; *null_given says
 * whether NULL / NOT NULL was written. */
int sr_sql_parse_column_def(parser *p, sr_column_def *col, bool *null_given);
/* One WHERE condition `column op literal`, appended to st->conds. */
int sr_sql_parse_condition(parser *p, sr_sql_stmt *st);

/* ALTER TABLE after ALTER TABLE, and SHOW ALTER after SHOW ALTER (sr_sql_parse_alter.c). */
int sr_sql_parse_alter_table(parser *p, sr_sql_stmt *st);
int sr_sql_parse_show_alter(parser *p, sr_sql_stmt *st);

/* The statements after their first keyword (SELECT / INSERT), into st. */
int sr_sql_parse_select(parser *p, sr_sql_stmt *st);
int sr_sql_parse_insert(parser *p, sr_sql_stmt *st);

#endif
