/* The expression lexer: text to tokens with byte offsets, so every later error can name the
 * exact position. String literals follow MySQL: '' doubles a quote and backslash escapes
 * \0 \' \" \b \n \r \t \Z \\ work, while \% and \_ keep their backslash (for LIKE). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operators/transform/expr_int.h"

typedef struct lexer {
    const char *text;
    size_t len, i;
    tok *toks;
    size_t count, cap;
    size_t *err_pos;
    rt_err *err;
} lexer;

static int fail(lexer *lx, size_t pos, const char *fmt, const char *arg)
{
    if (lx->err_pos)
        *lx->err_pos = pos;
    char msg[256];
    snprintf(msg, sizeof msg, fmt, arg);
    return rt_err_set(lx->err, RT_EINVAL, "at %zu: %s", pos, msg);
}

static int push(lexer *lx, uint8_t kind, size_t pos, size_t end)
{
    if (lx->count == lx->cap) {
        size_t cap = lx->cap ? lx->cap * 2 : 16;
        tok *t = realloc(lx->toks, cap * sizeof *t);
        if (!t)
            return rt_err_set(lx->err, RT_ENOMEM, "expression: out of memory");
        lx->toks = t;
        lx->cap = cap;
    }
    lx->toks[lx->count++] = (tok){.kind = kind, .pos = pos, .end = end};
    return 0;
}

/* Reads a quoted string or identifier starting at the quote; the closing quote doubled stands
 * for itself. Backslash escapes only in strings ('...'), as MySQL does. */
static int lex_quoted(lexer *lx, char q, uint8_t kind)
{
    size_t start = lx->i;
    char *buf = malloc(lx->len - start + 1);
    if (!buf)
        return rt_err_set(lx->err, RT_ENOMEM, "expression: out of memory");
    size_t n = 0, i = start + 1;
    for (;;) {
        if (i >= lx->len) {
            free(buf);
            return fail(lx, start, "%s",
                        kind == TK_STRING ? "unterminated string literal"
                                          : "unterminated quoted name");
        }
        char ch = lx->text[i];
        if (ch == q) {
            if (i + 1 < lx->len && lx->text[i + 1] == q) {
                buf[n++] = q;
                i += 2;
                continue;
            }
            i++;
            break;
        }
        if (ch == '\\' && kind == TK_STRING) {
            if (i + 1 >= lx->len) {
                i = lx->len; /* reported as unterminated on the next turn */
                continue;
            }
            char e = lx->text[i + 1], o;
            switch (e) {
            case '0':
                o = '\0';
                break;
            case '\'':
                o = '\'';
                break;
            case '"':
                o = '"';
                break;
            case 'b':
                o = '\b';
                break;
            case 'n':
                o = '\n';
                break;
            case 'r':
                o = '\r';
                break;
            case 't':
                o = '\t';
                break;
            case 'Z':
                o = '\032';
                break;
            case '\\':
                o = '\\';
                break;
            case '%':
            case '_':
                /* MySQL keeps these two escapes verbatim so that LIKE sees them. */
                buf[n++] = '\\';
                o = e;
                break;
            default: {
                /* MySQL would drop the backslash silently; a typo in a filter is better caught. */
                char esc[3] = {'\\', e, 0};
                free(buf);
                return fail(lx, i, "bad escape '%s' in string literal", esc);
            }
            }
            buf[n++] = o;
            i += 2;
            continue;
        }
        buf[n++] = ch;
        i++;
    }
    buf[n] = 0;
    if (kind == TK_QIDENT && n == 0) {
        free(buf);
        return fail(lx, start, "%s", "empty quoted name");
    }
    int rc = push(lx, kind, start, i);
    if (rc) {
        free(buf);
        return rc;
    }
    lx->toks[lx->count - 1].str = buf;
    lx->toks[lx->count - 1].str_len = n;
    lx->i = i;
    return 0;
}

static int lex_number(lexer *lx)
{
    const char *s = lx->text;
    size_t start = lx->i, i = start;
    uint8_t kind = TK_INT;
    while (i < lx->len && isdigit((unsigned char)s[i]))
        i++;
    if (i < lx->len && s[i] == '.') {
        kind = TK_DEC;
        i++;
        while (i < lx->len && isdigit((unsigned char)s[i]))
            i++;
    }
    if (i < lx->len && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < lx->len && (s[j] == '+' || s[j] == '-'))
            j++;
        if (j >= lx->len || !isdigit((unsigned char)s[j]))
            return fail(lx, j, "%s", "expected digits in the exponent");
        while (j < lx->len && isdigit((unsigned char)s[j]))
            j++;
        kind = TK_FLOAT;
        i = j;
    }
    /* "12abc" is one mistake, not a number followed by a column. */
    if (i < lx->len && (isalpha((unsigned char)s[i]) || s[i] == '_'))
        return fail(lx, i, "%s", "unexpected character after a number");
    lx->i = i;
    return push(lx, kind, start, i);
}

static bool ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

int expr_lex(const char *text, tok **out, size_t *count, size_t *err_pos, rt_err *err)
{
    lexer lx = {.text = text, .len = strlen(text), .err_pos = err_pos, .err = err};
    int rc = 0;
    while (rc == 0) {
        while (lx.i < lx.len && isspace((unsigned char)text[lx.i]))
            lx.i++;
        if (lx.i >= lx.len) {
            rc = push(&lx, TK_EOF, lx.len, lx.len);
            break;
        }
        char ch = text[lx.i], nx = lx.i + 1 < lx.len ? text[lx.i + 1] : 0;
        size_t p = lx.i;
        if (isdigit((unsigned char)ch) || (ch == '.' && isdigit((unsigned char)nx))) {
            rc = lex_number(&lx);
            continue;
        }
        if (ch == '\'') {
            rc = lex_quoted(&lx, '\'', TK_STRING);
            continue;
        }
        if (ch == '`') {
            rc = lex_quoted(&lx, '`', TK_QIDENT);
            continue;
        }
        if (ident_char(ch)) {
            while (lx.i < lx.len && ident_char(text[lx.i]))
                lx.i++;
            rc = push(&lx, TK_IDENT, p, lx.i);
            continue;
        }
        uint8_t k = TK_EOF;
        size_t w = 1;
        switch (ch) {
        case '(':
            k = TK_LPAREN;
            break;
        case ')':
            k = TK_RPAREN;
            break;
        case ',':
            k = TK_COMMA;
            break;
        case '+':
            k = TK_PLUS;
            break;
        case '-':
            k = TK_MINUS;
            break;
        case '*':
            k = TK_STAR;
            break;
        case '/':
            k = TK_SLASH;
            break;
        case '%':
            k = TK_PERCENT;
            break;
        case '=':
            k = TK_EQ;
            break;
        case '!':
            if (nx == '=') {
                k = TK_NE;
                w = 2;
            }
            break;
        case '<':
            if (nx == '=') {
                k = TK_LE;
                w = 2;
            } else if (nx == '>') {
                k = TK_NE;
                w = 2;
            } else {
                k = TK_LT;
            }
            break;
        case '>':
            if (nx == '=') {
                k = TK_GE;
                w = 2;
            } else {
                k = TK_GT;
            }
            break;
        default:
            break;
        }
        if (k == TK_EOF) {
            char c[2] = {ch, 0};
            rc = fail(&lx, p, "unexpected character '%s'", c);
            break;
        }
        lx.i += w;
        rc = push(&lx, k, p, lx.i);
    }
    if (rc) {
        expr_toks_free(lx.toks, lx.count);
        return rc;
    }
    *out = lx.toks;
    *count = lx.count;
    return 0;
}

void expr_toks_free(tok *toks, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(toks[i].str);
    free(toks);
}
