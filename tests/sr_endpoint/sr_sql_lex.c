/* The lexer of sr-endpoint's SQL (MySQL's lexical structure, as the MySQL manual's "Language
 * Structure" chapter gives it) and StarRocks-worded errors at a token's line and column. */
#include "tests/sr_endpoint/sr_sql_lex.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void skip_blank(sr_sql_lexer *p)
{
    for (;;) {
        while (p->pos < p->len && isspace((unsigned char)p->sql[p->pos]))
            p->pos++;
        if (p->pos >= p->len)
            return;
        const char *s = p->sql + p->pos;
        size_t left = p->len - p->pos;
        if (s[0] == '#' || (left >= 2 && s[0] == '-' && s[1] == '-' &&
                            (left == 2 || isspace((unsigned char)s[2])))) {
            while (p->pos < p->len && p->sql[p->pos] != '\n')
                p->pos++;
        } else if (left >= 2 && s[0] == '/' && s[1] == '*') {
            /* Also MySQL's executable comments (slash-star-bang): the endpoint ignores them. */
            size_t i = 2;
            while (i + 1 < left && !(s[i] == '*' && s[i + 1] == '/'))
                i++;
            p->pos += i + 1 < left ? i + 2 : left;
        } else {
            return;
        }
    }
}

static bool is_word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '$';
}

/* Reads a quoted string or name starting at the quote; returns false when it is not closed. */
static bool lex_quoted(sr_sql_lexer *p, char q)
{
    size_t i = p->pos + 1;
    while (i < p->len) {
        char c = p->sql[i];
        if (c == q) {
            if (i + 1 < p->len && p->sql[i + 1] == q) {
                rt_buf_append_char(&p->val, q);
                i += 2;
                continue;
            }
            p->pos = i + 1;
            return true;
        }
        if (c == '\\' && q != '`' && i + 1 < p->len) {
            char e = p->sql[i + 1];
            char out = e;
            switch (e) {
            case 'n':
                out = '\n';
                break;
            case 't':
                out = '\t';
                break;
            case 'r':
                out = '\r';
                break;
            case '0':
                out = '\0';
                break;
            case 'b':
                out = '\b';
                break;
            case 'Z':
                out = 26;
                break;
            default:
                break;
            }
            rt_buf_append_char(&p->val, out);
            i += 2;
            continue;
        }
        rt_buf_append_char(&p->val, c);
        i++;
    }
    return false;
}

static int syntax_error_at(sr_sql_lexer *p, size_t off, size_t tlen, bool eof,
                           const char *expected);

/* Moves to the next token. */
void sr_sql_lex_next(sr_sql_lexer *p)
{
    skip_blank(p);
    rt_buf_reset(&p->val);
    rt_buf_append_str(&p->val, "");
    p->off = p->pos;
    if (p->pos >= p->len) {
        p->kind = SR_SQL_TOK_EOF;
        p->tlen = 0;
        return;
    }
    const char *s = p->sql + p->pos;
    size_t left = p->len - p->pos;
    if (s[0] == '\'' || s[0] == '"' || s[0] == '`') {
        p->kind = s[0] == '`' ? SR_SQL_TOK_QIDENT : SR_SQL_TOK_STRING;
        if (!lex_quoted(p, s[0])) {
            syntax_error_at(p, p->off, 1, false, "a closing quote");
            p->pos = p->len;
            p->kind = SR_SQL_TOK_EOF;
        }
    } else if (isdigit((unsigned char)s[0]) ||
               (s[0] == '.' && left > 1 && isdigit((unsigned char)s[1]))) {
        size_t i = 0;
        while (i < left && isdigit((unsigned char)s[i]))
            i++;
        if (i < left && s[i] == '.') {
            i++;
            while (i < left && isdigit((unsigned char)s[i]))
                i++;
        }
        if (i < left && (s[i] == 'e' || s[i] == 'E')) {
            size_t j = i + 1;
            if (j < left && (s[j] == '+' || s[j] == '-'))
                j++;
            if (j < left && isdigit((unsigned char)s[j])) {
                while (j < left && isdigit((unsigned char)s[j]))
                    j++;
                i = j;
            }
        }
        if (i < left && is_word_char(s[i])) {
            /* "1abc" is a name in MySQL. */
            while (i < left && is_word_char(s[i]))
                i++;
            p->kind = SR_SQL_TOK_IDENT;
        } else {
            p->kind = SR_SQL_TOK_NUMBER;
        }
        rt_buf_append(&p->val, s, i);
        p->pos += i;
    } else if (is_word_char(s[0])) {
        size_t i = 0;
        while (i < left && is_word_char(s[i]))
            i++;
        p->kind = SR_SQL_TOK_IDENT;
        rt_buf_append(&p->val, s, i);
        p->pos += i;
    } else if (left >= 2 && s[0] == '@' && s[1] == '@') {
        size_t i = 2;
        while (i < left && (is_word_char(s[i]) || s[i] == '.'))
            i++;
        const char *name = s + 2;
        size_t n = i - 2;
        static const char *const scopes[] = {"session.", "global.", "local."};
        for (size_t k = 0; k < 3; k++) {
            size_t sl = strlen(scopes[k]);
            if (n > sl && strncasecmp(name, scopes[k], sl) == 0) {
                name += sl;
                n -= sl;
                break;
            }
        }
        for (size_t k = 0; k < n; k++)
            rt_buf_append_char(&p->val, (char)tolower((unsigned char)name[k]));
        p->kind = SR_SQL_TOK_VAR;
        p->pos += i;
    } else {
        static const char *const two[] = {"<=", ">=", "<>", "!=", "<=>"};
        size_t n = 1;
        for (size_t k = 0; k < 4; k++)
            if (left >= 2 && s[0] == two[k][0] && s[1] == two[k][1])
                n = 2;
        p->kind = SR_SQL_TOK_SYM;
        rt_buf_append(&p->val, s, n);
        p->pos += n;
    }
    p->tlen = p->pos - p->off;
}

/* ---- errors ---- */

static void line_col(const sr_sql_lexer *p, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 0;
    for (size_t i = 0; i < off && i < p->len; i++) {
        if (p->sql[i] == '\n') {
            (*line)++;
            *col = 0;
        } else {
            (*col)++;
        }
    }
}

/* StarRocks' wording for a parse failure (its ANTLR error listener). */
static int syntax_error_at(sr_sql_lexer *p, size_t off, size_t tlen, bool eof, const char *expected)
{
    if (p->rc)
        return p->rc;
    int line, col;
    line_col(p, off, &line, &col);
    if (tlen > 64)
        tlen = 64;
    if (eof)
        rt_err_set(p->err, RT_EINVAL,
                   "Getting syntax error at line %d, column %d. Detail message: Unexpected input "
                   "'<EOF>', the most similar input is {%s}.",
                   line, col, expected);
    else
        rt_err_set(p->err, RT_EINVAL,
                   "Getting syntax error at line %d, column %d. Detail message: Unexpected input "
                   "'%.*s', the most similar input is {%s}.",
                   line, col, (int)tlen, p->sql + off, expected);
    p->rc = RT_EINVAL;
    return p->rc;
}

int sr_sql_lex_syntax_error(sr_sql_lexer *p, const char *expected)
{
    return syntax_error_at(p, p->off, p->tlen, p->kind == SR_SQL_TOK_EOF, expected);
}

/* StarRocks' wording for a check its analyzer makes after parsing. */
int sr_sql_lex_analysis_error(sr_sql_lexer *p, const char *fmt, ...)
{
    if (p->rc)
        return p->rc;
    char detail[RT_ERR_MSG_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    rt_err_set(p->err, RT_EINVAL, "Getting analyzing error. Detail message: %s", detail);
    p->rc = RT_EINVAL;
    return p->rc;
}

int sr_sql_lex_unsupported(sr_sql_lexer *p, const char *what)
{
    if (p->rc)
        return p->rc;
    int line, col;
    line_col(p, p->off, &line, &col);
    rt_err_set(p->err, RT_EUNSUPPORTED,
               "sr-endpoint does not implement %s (line %d, column %d); it serves the StarRocks "
               "subset Sluice uses",
               what, line, col);
    p->rc = RT_EUNSUPPORTED;
    return p->rc;
}

/* ---- token helpers ---- */

bool sr_sql_lex_is_kw(const sr_sql_lexer *p, const char *kw)
{
    return p->kind == SR_SQL_TOK_IDENT && strcasecmp(p->val.data, kw) == 0;
}

bool sr_sql_lex_accept_kw(sr_sql_lexer *p, const char *kw)
{
    if (!sr_sql_lex_is_kw(p, kw))
        return false;
    sr_sql_lex_next(p);
    return true;
}

int sr_sql_lex_expect_kw(sr_sql_lexer *p, const char *kw)
{
    if (sr_sql_lex_accept_kw(p, kw))
        return 0;
    char e[64];
    snprintf(e, sizeof e, "'%s'", kw);
    return sr_sql_lex_syntax_error(p, e);
}

bool sr_sql_lex_is_sym(const sr_sql_lexer *p, const char *sym)
{
    return p->kind == SR_SQL_TOK_SYM && strcmp(p->val.data, sym) == 0;
}

bool sr_sql_lex_accept_sym(sr_sql_lexer *p, const char *sym)
{
    if (!sr_sql_lex_is_sym(p, sym))
        return false;
    sr_sql_lex_next(p);
    return true;
}

int sr_sql_lex_expect_sym(sr_sql_lexer *p, const char *sym)
{
    if (sr_sql_lex_accept_sym(p, sym))
        return 0;
    char e[16];
    snprintf(e, sizeof e, "'%s'", sym);
    return sr_sql_lex_syntax_error(p, e);
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d)
        RT_BUG("out of memory");
    return d;
}

/* Grows arr (count elements of size elem) by one zeroed element. Aborts on out-of-memory: the
 * statements are small and a test double that cannot allocate them cannot go on anyway. */
int sr_sql_lex_ident(sr_sql_lexer *p, char **out)
{
    if (p->rc)
        return p->rc;
    if (p->kind != SR_SQL_TOK_IDENT && p->kind != SR_SQL_TOK_QIDENT)
        return sr_sql_lex_syntax_error(p, "a legal identifier");
    *out = xstrdup(p->val.data);
    sr_sql_lex_next(p);
    return 0;
}

/* [db.]name */
int sr_sql_lex_string(sr_sql_lexer *p, char **out)
{
    if (p->rc)
        return p->rc;
    if (p->kind != SR_SQL_TOK_STRING)
        return sr_sql_lex_syntax_error(p, "a string literal");
    *out = xstrdup(p->val.data);
    sr_sql_lex_next(p);
    return 0;
}

int sr_sql_lex_int(sr_sql_lexer *p, long long *out)
{
    if (p->rc)
        return p->rc;
    if (p->kind != SR_SQL_TOK_NUMBER)
        return sr_sql_lex_syntax_error(p, "an integer");
    errno = 0;
    char *end;
    long long v = strtoll(p->val.data, &end, 10);
    if (*end || errno)
        return sr_sql_lex_syntax_error(p, "an integer");
    *out = v;
    sr_sql_lex_next(p);
    return 0;
}

/* NULL, a number (with an optional sign) or a string. */
const char *sr_sql_tok_name(sr_sql_tok tok)
{
    switch (tok) {
    case SR_SQL_TOK_EOF:
        return "EOF";
    case SR_SQL_TOK_IDENT:
        return "IDENT";
    case SR_SQL_TOK_QIDENT:
        return "QIDENT";
    case SR_SQL_TOK_STRING:
        return "STRING";
    case SR_SQL_TOK_NUMBER:
        return "NUMBER";
    case SR_SQL_TOK_VAR:
        return "VAR";
    case SR_SQL_TOK_SYM:
        return "SYM";
    }
    return "?";
}

void sr_sql_lex_init(sr_sql_lexer *lx, const char *sql, size_t len, size_t pos, rt_err *err)
{
    memset(lx, 0, sizeof *lx);
    lx->sql = sql;
    lx->len = len;
    lx->pos = pos;
    lx->err = err;
    rt_buf_init(&lx->val);
    sr_sql_lex_next(lx);
}

void sr_sql_lex_fini(sr_sql_lexer *lx)
{
    rt_buf_fini(&lx->val);
}
