/* The tokenizer of the DDL parser (ddl_parse.c), private to it: MySQL's quoting ('strings',
 * "strings", `identifiers` with `` escapes, X'..' literals), its comments (#, "-- ", slash-star)
 * and its versioned comments, whose text is code. Static inline like byte_cursor.h: one includer.
 */
#ifndef SLUICE_OPERATORS_MYSQL_DDL_LEX_H
#define SLUICE_OPERATORS_MYSQL_DDL_LEX_H

#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "operators/mysql/ddl_parse.h"
#include "runtime/base/errors.h"

typedef enum tok_kind { T_END, T_WORD, T_QUOTED, T_STRING, T_PUNCT, T_BAD } tok_kind;

typedef struct tok {
    tok_kind kind;
    size_t pos; /* offset of the first byte in the statement */
    size_t len; /* bytes, quotes included */
} tok;

typedef struct parser {
    const char *s;
    size_t len;
    size_t pos;      /* scanner position */
    bool versioned;  /* inside a versioned comment, whose text is code */
    tok t;           /* the current token */
    size_t prev_end; /* end of the token before it */
    const char *db;
    size_t db_len;
    const char *what; /* "ALTER TABLE", for messages */
    op_ddl *d;
    rt_err *err;
} parser;

/* ---- tokenizer ---------------------------------------------------------------------------- */

static inline bool word_byte(unsigned char c)
{
    return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/* Skips white space and comments. MySQL's versioned comments (slash-star-!50001 ...) and
 * MariaDB's (slash-star-M!100100 ...) hold code the server runs, so their text is scanned as tokens
 * and only the opening and closing marks are skipped. False for an unterminated comment. */
static inline bool skip_space(parser *p)
{
    const char *s = p->s;
    while (p->pos < p->len) {
        size_t i = p->pos, left = p->len - i;
        unsigned char c = (unsigned char)s[i];
        if (isspace(c)) {
            p->pos++;
        } else if (c == '#' || (c == '-' && left >= 2 && s[i + 1] == '-' &&
                                (left == 2 || (unsigned char)s[i + 2] <= ' '))) {
            while (p->pos < p->len && s[p->pos] != '\n')
                p->pos++;
        } else if (c == '/' && left >= 3 && s[i + 1] == '*' &&
                   (s[i + 2] == '!' || (left >= 4 && s[i + 2] == 'M' && s[i + 3] == '!'))) {
            p->pos = i + (s[i + 2] == '!' ? 3 : 4);
            size_t digits = 0;
            while (p->pos + digits < p->len && digits < 6 &&
                   isdigit((unsigned char)s[p->pos + digits]))
                digits++;
            if (digits >= 5)
                p->pos += digits;
            p->versioned = true;
        } else if (c == '/' && left >= 2 && s[i + 1] == '*') {
            size_t j = i + 2;
            while (j + 1 < p->len && !(s[j] == '*' && s[j + 1] == '/'))
                j++;
            if (j + 1 >= p->len)
                return false;
            p->pos = j + 2;
        } else if (p->versioned && c == '*' && left >= 2 && s[i + 1] == '/') {
            p->pos += 2;
            p->versioned = false;
        } else {
            break;
        }
    }
    return true;
}

/* Scans a quoted run starting at s[i] (the quote) and returns the offset after the closing
 * quote, or 0 when unterminated. Backslash escapes apply to strings, not to `identifiers`. */
static inline size_t scan_quoted(const parser *p, size_t i)
{
    char q = p->s[i];
    for (size_t j = i + 1; j < p->len; j++) {
        if (p->s[j] == '\\' && q != '`') {
            j++;
        } else if (p->s[j] == q) {
            if (j + 1 < p->len && p->s[j + 1] == q)
                j++;
            else
                return j + 1;
        }
    }
    return 0;
}

static inline void lex(parser *p)
{
    tok t = {T_END, p->len, 0};
    if (!skip_space(p)) {
        t.kind = T_BAD;
        t.pos = p->pos;
        p->t = t;
        return;
    }
    size_t i = p->pos;
    t.pos = i;
    if (i >= p->len) {
        p->t = t;
        return;
    }
    unsigned char c = (unsigned char)p->s[i];
    size_t end;
    if (c == '`' || c == '\'' || c == '"') {
        end = scan_quoted(p, i);
        t.kind = end ? (c == '`' ? T_QUOTED : T_STRING) : T_BAD;
        if (!end)
            end = p->len;
    } else if (word_byte(c)) {
        end = i;
        while (end < p->len && word_byte((unsigned char)p->s[end]))
            end++;
        t.kind = T_WORD;
        /* X'ff', B'01', N'text': a prefixed string literal. */
        if (end == i + 1 && end < p->len && p->s[end] == '\'' && strchr("xXbBnN", c)) {
            size_t e2 = scan_quoted(p, end);
            t.kind = e2 ? T_STRING : T_BAD;
            end = e2 ? e2 : p->len;
        }
    } else {
        end = i + 1;
        t.kind = T_PUNCT;
    }
    t.len = end - i;
    p->pos = end;
    p->t = t;
}

static inline void advance(parser *p)
{
    p->prev_end = p->t.pos + p->t.len;
    lex(p);
}

/* The token after the current one, without consuming anything. */
static inline tok peek(parser *p)
{
    size_t pos = p->pos;
    bool v = p->versioned;
    tok cur = p->t;
    lex(p);
    tok next = p->t;
    p->pos = pos;
    p->versioned = v;
    p->t = cur;
    return next;
}

static inline bool tok_is(const parser *p, tok t, const char *kw)
{
    size_t n = strlen(kw);
    return t.kind == T_WORD && t.len == n && strncasecmp(p->s + t.pos, kw, n) == 0;
}

static inline bool is_kw(const parser *p, const char *kw)
{
    return tok_is(p, p->t, kw);
}

static inline bool eat_kw(parser *p, const char *kw)
{
    if (!is_kw(p, kw))
        return false;
    advance(p);
    return true;
}

static inline bool is_punct(const parser *p, char c)
{
    return p->t.kind == T_PUNCT && p->s[p->t.pos] == c;
}

static inline bool eat_punct(parser *p, char c)
{
    if (!is_punct(p, c))
        return false;
    advance(p);
    return true;
}

/* End of the statement: nothing left but an optional ';'. */
static inline bool at_end(parser *p)
{
    if (is_punct(p, ';'))
        advance(p);
    return p->t.kind == T_END;
}

/* ---- errors and allocation ------------------------------------------------------------------ */

static inline int fail(parser *p, const char *expected)
{
    size_t at = p->t.pos < p->len ? p->t.pos : p->len;
    size_t n = p->len - at < 40 ? p->len - at : 40;
    size_t head = p->len < 60 ? p->len : 60;
    if (p->t.kind == T_BAD)
        expected = "a terminated string, identifier or comment";
    return rt_err_set(
        p->err, RT_EUNSUPPORTED,
        "cannot parse %s statement at byte %zu: expected %s near \"%.*s\" in \"%.*s%s\"", p->what,
        at, expected, (int)n, p->s + at, (int)head, p->s, head < p->len ? "..." : "");
}

static inline int oom(parser *p)
{
    return rt_err_set(p->err, RT_ENOMEM, "%s statement: out of memory", p->what);
}

/* Makes room for one more element of size `size` in *arr. */
static inline int grow(parser *p, void **arr, size_t count, size_t *cap, size_t size)
{
    if (count < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 4;
    void *n = realloc(*arr, ncap * size);
    if (!n)
        return oom(p);
    *arr = n;
    *cap = ncap;
    return 0;
}

static inline char *dup_n(const char *s, size_t n)
{
    char *c = malloc(n + 1);
    if (c) {
        memcpy(c, s, n);
        c[n] = '\0';
    }
    return c;
}

#endif
