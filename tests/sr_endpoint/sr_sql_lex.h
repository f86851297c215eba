/* sr_sql_lex: the lexer of sr-endpoint's SQL (MySQL's lexical rules: `names`, 'strings' and
 * "strings" with backslash escapes, -- # and slash-star comments, @@variables) and the token and
 * error helpers the parser is written with. Errors use StarRocks' wording. */
#ifndef SLUICE_TESTS_SR_ENDPOINT_SR_SQL_LEX_H
#define SLUICE_TESTS_SR_ENDPOINT_SR_SQL_LEX_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/base/buf.h"
#include "runtime/base/errors.h"

typedef enum sr_sql_tok {
    SR_SQL_TOK_EOF,
    SR_SQL_TOK_IDENT,  /* unquoted word: a keyword or a name */
    SR_SQL_TOK_QIDENT, /* `backquoted` name */
    SR_SQL_TOK_STRING, /* 'x' or "x", unescaped in val */
    SR_SQL_TOK_NUMBER,
    SR_SQL_TOK_VAR, /* @@[scope.]name; val = name, lower case */
    SR_SQL_TOK_SYM, /* punctuation; val = the symbol */
} sr_sql_tok;

/* "EOF", "IDENT", "QIDENT", "STRING", "NUMBER", "VAR", "SYM". */
const char *sr_sql_tok_name(sr_sql_tok tok);

/* Caller-allocated; init/fini. Holds one token of look-ahead and the first error: once rc is
 * set, later errors never overwrite the message and the helpers below fail fast. */
typedef struct sr_sql_lexer {
    const char *sql;
    size_t len;
    size_t pos;      /* where the lexer continues */
    sr_sql_tok kind; /* the current token */
    size_t off;      /* its offset and raw length */
    size_t tlen;
    rt_buf val; /* its value */
    rt_err *err;
    int rc; /* the first error, which later ones never overwrite */
} sr_sql_lexer;

/* Starts lexing sql[pos..len) (not necessarily NUL-terminated) and reads the first token. err is
 * where errors go (may be NULL). */
void sr_sql_lex_init(sr_sql_lexer *lx, const char *sql, size_t len, size_t pos, rt_err *err);
void sr_sql_lex_fini(sr_sql_lexer *lx);
/* Moves to the next token (an unclosed quote is a syntax error, then EOF). */
void sr_sql_lex_next(sr_sql_lexer *lx);

/* Keywords match unquoted words, case-insensitively; symbols match exactly. accept_* consume
 * on a match; expect_* set a syntax error (and return it) otherwise. */
bool sr_sql_lex_is_kw(const sr_sql_lexer *lx, const char *kw);
bool sr_sql_lex_accept_kw(sr_sql_lexer *lx, const char *kw);
int sr_sql_lex_expect_kw(sr_sql_lexer *lx, const char *kw);
bool sr_sql_lex_is_sym(const sr_sql_lexer *lx, const char *sym);
bool sr_sql_lex_accept_sym(sr_sql_lexer *lx, const char *sym);
int sr_sql_lex_expect_sym(sr_sql_lexer *lx, const char *sym);

/* A name (word or `quoted`), a string literal, an integer: consumed and returned (names and
 * strings malloc'd, the caller's), or a syntax error. */
int sr_sql_lex_ident(sr_sql_lexer *lx, char **out);
int sr_sql_lex_string(sr_sql_lexer *lx, char **out);
int sr_sql_lex_int(sr_sql_lexer *lx, long long *out);

/* Record the first error and return its code (RT_EINVAL; RT_EUNSUPPORTED for unsupported):
 *   syntax_error   "Getting syntax error at line L, column C. Detail message: Unexpected input
 *                  'tok', the most similar input is {expected}." at the current token;
 *   analysis_error "Getting analyzing error. Detail message: ..." (StarRocks' analyzer);
 *   unsupported    "sr-endpoint does not implement <what> (line L, column C); ..." for valid
 *                  StarRocks SQL the endpoint leaves out. */
int sr_sql_lex_syntax_error(sr_sql_lexer *lx, const char *expected);
int sr_sql_lex_analysis_error(sr_sql_lexer *lx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int sr_sql_lex_unsupported(sr_sql_lexer *lx, const char *what);

#endif
