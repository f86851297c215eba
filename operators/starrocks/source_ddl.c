/* source_ddl: a small MySQL tokenizer (words, `names`, 'strings' with \\ and '' escapes,
 * numbers, punctuation, comments skipped) over the source statement of a schema-change record,
 * enough to find one column definition of an ADD clause and the literal after its DEFAULT. */
#include "operators/starrocks/source_ddl.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef struct tok {
    const char *p;
    size_t len;
    char kind; /* 'w' word, 's' string, 'q' backquoted name, 'n' number, else the punctuation */
} tok;

static bool next_tok(const char **pp, const char *end, tok *t)
{
    const char *p = *pp;
    for (;;) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
            p++;
        if (p + 1 < end && p[0] == '/' && p[1] == '*') { /* MySQL comments, versioned ones too */
            const char *c = p + 2;
            while (c + 1 < end && !(c[0] == '*' && c[1] == '/'))
                c++;
            p = c + 2 <= end ? c + 2 : end;
            continue;
        }
        break;
    }
    if (p >= end)
        return false;
    t->p = p;
    char ch = *p;
    if (ch == '\'' || ch == '"' || ch == '`') {
        for (p++; p < end; p++) {
            if (*p == '\\' && ch != '`' && p + 1 < end)
                p++;
            else if (*p == ch && p + 1 < end && p[1] == ch) /* a doubled quote */
                p++;
            else if (*p == ch)
                break;
        }
        t->kind = ch == '`' ? 'q' : 's';
        t->p++;
        t->len = (size_t)(p - t->p);
        *pp = p < end ? p + 1 : end;
        return true;
    }
    if ((ch >= '0' && ch <= '9') || ch == '.') {
        while (p < end && ((*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' || *p == 'E'))
            p++;
        t->kind = 'n';
    } else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' ||
               (unsigned char)ch >= 0x80) {
        while (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ||
                           (*p >= '0' && *p <= '9') || *p == '$' || (unsigned char)*p >= 0x80))
            p++;
        t->kind = 'w';
    } else {
        p++;
        t->kind = ch;
    }
    t->len = (size_t)(p - t->p);
    *pp = p;
    return true;
}

static bool tok_is(const tok *t, const char *word)
{
    return t->kind == 'w' && strlen(word) == t->len && strncasecmp(t->p, word, t->len) == 0;
}

static bool tok_names(const tok *t, const char *name)
{
    return (t->kind == 'w' || t->kind == 'q') && strlen(name) == t->len &&
           strncasecmp(t->p, name, t->len) == 0;
}

bool op_sr_source_ddl_default(const char *ddl, size_t len, const char *column, char *out,
                              size_t size)
{
    const char *p = ddl, *end = ddl + len;
    tok t, prev = {0}, prev2 = {0};
    while (next_tok(&p, end, &t)) {
        /* ADD [COLUMN] name: then the column's definition up to a ',' outside parentheses. */
        bool at = tok_names(&t, column) &&
                  (tok_is(&prev, "ADD") || (tok_is(&prev, "COLUMN") && tok_is(&prev2, "ADD")));
        prev2 = prev;
        prev = t;
        if (!at)
            continue;
        int depth = 0;
        while (next_tok(&p, end, &t)) {
            if (t.kind == '(')
                depth++;
            else if (t.kind == ')' && depth-- == 0)
                return false;
            else if (depth == 0 && (t.kind == ',' || t.kind == ';'))
                return false;
            if (depth != 0 || !tok_is(&t, "DEFAULT"))
                continue;
            if (!next_tok(&p, end, &t))
                return false;
            bool neg = t.kind == '-';
            if ((neg || t.kind == '+') && !next_tok(&p, end, &t))
                return false;
            if (t.kind == 'w' && t.len > 1 && t.p[0] == '_') { /* a charset introducer */
                if (!next_tok(&p, end, &t))
                    return false;
            }
            if (tok_is(&t, "CURRENT_TIMESTAMP") || tok_is(&t, "NOW") ||
                tok_is(&t, "LOCALTIMESTAMP")) {
                snprintf(out, size, "CURRENT_TIMESTAMP");
                return true;
            }
            if (t.kind != 's' && t.kind != 'n')
                return false; /* NULL, an expression, b'1', ...: nothing carries over */
            /* A StarRocks default is a double-quoted string (notes §6.1). */
            size_t o = 0;
            if (o + 1 < size)
                out[o++] = '"';
            if (neg && o + 1 < size)
                out[o++] = '-';
            for (size_t i = 0; i < t.len && o + 3 < size; i++) {
                char ch = t.p[i];
                if (ch == '\\' && i + 1 < t.len) /* MySQL escapes: keep the character */
                    ch = t.p[++i];
                else if (ch == t.p[-1] && i + 1 < t.len && t.p[i + 1] == ch) /* '' -> ' */
                    i++;
                if (ch == '"' || ch == '\\')
                    out[o++] = '\\';
                out[o++] = ch;
            }
            if (o + 2 > size)
                return false;
            out[o++] = '"';
            out[o] = '\0';
            return true;
        }
        return false;
    }
    return false;
}
