/* The canonical text of column defaults (ddl_parse.h's op_ddl_default_normalize), header-only so
 * that the information_schema reader (schema_reader.c, a library without the DDL parser) and the
 * parser write the same text for the same default: a difference would read as a schema change
 * at every restart. Static inline like ddl_lex.h; includers: ddl_stmt.c and schema_reader.c. */
#ifndef SLUICE_OPERATORS_MYSQL_DDL_DEFAULT_H
#define SLUICE_OPERATORS_MYSQL_DDL_DEFAULT_H

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runtime/base/buf.h"

/* What a default literal is, before the column's type shapes it. */
typedef enum dd_lit_kind {
    DD_LIT_STRING,
    DD_LIT_NUMBER,
    DD_LIT_HEX,
    DD_LIT_BITS,
    DD_LIT_EXPR
} dd_lit_kind;

/* The value classes of column types that print their defaults differently. */
typedef enum dd_type_class {
    DD_TC_STRING,
    DD_TC_INTEGER,
    DD_TC_DECIMAL,
    DD_TC_FLOAT,
    DD_TC_DOUBLE,
    DD_TC_BIT,
    DD_TC_DATETIME,
    DD_TC_TIME,
    DD_TC_DATE,
} dd_type_class;

static inline dd_type_class dd_class_of(const char *type, int *scale)
{
    static const struct {
        const char *word;
        dd_type_class c;
    } words[] = {
        {"tinyint", DD_TC_INTEGER},    {"smallint", DD_TC_INTEGER}, {"mediumint", DD_TC_INTEGER},
        {"int", DD_TC_INTEGER},        {"integer", DD_TC_INTEGER},  {"bigint", DD_TC_INTEGER},
        {"year", DD_TC_INTEGER},       {"bool", DD_TC_INTEGER},     {"boolean", DD_TC_INTEGER},
        {"decimal", DD_TC_DECIMAL},    {"numeric", DD_TC_DECIMAL},  {"dec", DD_TC_DECIMAL},
        {"fixed", DD_TC_DECIMAL},      {"float", DD_TC_FLOAT},      {"double", DD_TC_DOUBLE},
        {"real", DD_TC_DOUBLE},        {"bit", DD_TC_BIT},          {"datetime", DD_TC_DATETIME},
        {"timestamp", DD_TC_DATETIME}, {"time", DD_TC_TIME},        {"date", DD_TC_DATE},
    };
    size_t n = strcspn(type, " (");
    *scale = 0;
    const char *paren = type[n] == '(' ? type + n + 1 : NULL;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (strlen(words[i].word) != n || strncasecmp(type, words[i].word, n) != 0)
            continue;
        /* decimal(p,s): s; datetime(n), time(n): n fractional digits. */
        if (paren && words[i].c == DD_TC_DECIMAL) {
            const char *comma = strchr(paren, ',');
            *scale = comma ? atoi(comma + 1) : 0;
        } else if (paren && (words[i].c == DD_TC_DATETIME || words[i].c == DD_TC_TIME)) {
            *scale = atoi(paren);
        }
        if (*scale < 0 || *scale > 38)
            *scale = 0;
        return words[i].c;
    }
    return DD_TC_STRING;
}

static inline bool dd_is_word_byte(unsigned char c)
{
    return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/* The value of a quoted SQL string at s[0] (the quote), MySQL's escapes applied, into val;
 * the offset after the closing quote, or 0 when unterminated. */
static inline size_t dd_unquote(const char *s, size_t len, rt_buf *val)
{
    char q = s[0];
    for (size_t i = 1; i < len; i++) {
        char c = s[i];
        if (c == '\\' && i + 1 < len) {
            char e = s[++i];
            static const char from[] = "0bnrtZ", to[] = "\0\b\n\r\t\032";
            const char *k = e ? strchr(from, e) : NULL;
            /* \% and \_ keep their backslash (they matter to LIKE). */
            if (e == '%' || e == '_')
                rt_buf_append_char(val, '\\');
            rt_buf_append_char(val, k ? to[k - from] : e);
        } else if (c == q) {
            if (i + 1 < len && s[i + 1] == q) {
                rt_buf_append_char(val, q);
                i++;
            } else {
                return i + 1;
            }
        } else {
            rt_buf_append_char(val, c);
        }
    }
    return 0;
}

/* MariaDB's quoting of a default string (Field::val_str printed by String::print). */
static inline void dd_append_quoted(rt_buf *out, const char *s, size_t n)
{
    rt_buf_append_char(out, '\'');
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '\'':
            rt_buf_append_str(out, "''");
            break;
        case '\\':
            rt_buf_append_str(out, "\\\\");
            break;
        case '\n':
            rt_buf_append_str(out, "\\n");
            break;
        case '\r':
            rt_buf_append_str(out, "\\r");
            break;
        case '\0':
            rt_buf_append_str(out, "\\0");
            break;
        default:
            rt_buf_append_char(out, s[i]);
        }
    }
    rt_buf_append_char(out, '\'');
}

/* [+-]digits[.digits][e[+-]digits], the whole of s. */
static inline bool dd_is_number(const char *s, size_t n)
{
    size_t i = 0, digits = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    while (i < n && isdigit((unsigned char)s[i]))
        i++, digits++;
    if (i < n && s[i] == '.')
        for (i++; i < n && isdigit((unsigned char)s[i]); i++)
            digits++;
    if (digits == 0)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || !isdigit((unsigned char)s[i]))
            return false;
        while (i < n && isdigit((unsigned char)s[i]))
            i++;
    }
    return i == n;
}

/* The shortest digits that read back as the same double (or float), printed as MariaDB prints
 * the column's value: plain ("1000", "0.001") for exponents from -5 to 14, else "1e20", "1e-7". */
static inline void dd_append_real(rt_buf *out, double v, bool single)
{
    char t[64];
    if (v == 0)
        v = 0; /* -0 prints as 0 */
    int prec = 1;
    for (; prec <= 17; prec++) {
        snprintf(t, sizeof t, "%.*e", prec - 1, v);
        double back = strtod(t, NULL);
        if (single ? (float)back == (float)v : back == v)
            break;
    }
    int exp = atoi(strchr(t, 'e') + 1);
    if (exp >= -5 && exp < 15) {
        int decimals = prec - 1 - exp;
        snprintf(t, sizeof t, "%.*f", decimals > 0 ? decimals : 0, v);
        rt_buf_append_str(out, t);
        return;
    }
    char *e = strchr(t, 'e');
    *e = '\0';
    /* the mantissa without trailing zeros (there are none: prec is the shortest) */
    rt_buf_appendf(out, "%se%d", t, exp);
}

/* A number ([+-]digits[.digits][e[+-]n]) as a decimal(p,scale) column stores it: `scale`
 * fractional digits, rounded half away from zero in decimal (as MariaDB does, unlike printf). */
static inline void dd_append_decimal(rt_buf *out, const char *num, int scale)
{
    bool neg = *num == '-';
    if (*num == '-' || *num == '+')
        num++;
    /* d: the digits; the value is d with the decimal point after `point` of them. */
    rt_buf d;
    rt_buf_init(&d);
    long point = 0;
    bool frac = false;
    const char *c = num;
    for (; *c && *c != 'e' && *c != 'E'; c++) {
        if (*c == '.') {
            frac = true;
            continue;
        }
        rt_buf_append_char(&d, *c);
        if (!frac)
            point++;
    }
    if (*c) {
        long e = strtol(c + 1, NULL, 10);
        point += e > 100 ? 100 : e < -100 ? -100 : e;
    }
    rt_buf r; /* "0" + the digits with the point at 1 + point, padded */
    rt_buf_init(&r);
    rt_buf_append_char(&r, '0');
    for (long i = point; i < 0; i++)
        rt_buf_append_char(&r, '0');
    rt_buf_append(&r, d.data ? d.data : "", d.len);
    size_t ip = 1 + (size_t)(point > 0 ? point : 0); /* digits before the point */
    while (r.len < ip + (size_t)scale + 1)
        rt_buf_append_char(&r, '0');
    bool up = r.data[ip + (size_t)scale] >= '5';
    r.len = ip + (size_t)scale;
    for (size_t i = r.len; up && i > 0; i--) {
        if (r.data[i - 1] == '9') {
            r.data[i - 1] = '0';
        } else {
            r.data[i - 1]++;
            up = false;
        }
    }
    size_t skip = 0;
    while (skip + 1 < ip && r.data[skip] == '0')
        skip++;
    bool zero = true;
    for (size_t i = 0; i < r.len; i++)
        zero = zero && r.data[i] == '0';
    if (neg && !zero)
        rt_buf_append_char(out, '-');
    rt_buf_append(out, r.data + skip, ip - skip);
    if (scale > 0) {
        rt_buf_append_char(out, '.');
        rt_buf_append(out, r.data + ip, (size_t)scale);
    }
    rt_buf_fini(&r);
    rt_buf_fini(&d);
}

/* 'YYYY-MM-DD[ hh:mm[:ss[.f]]]' or 'hh:mm[:ss[.f]]' as a datetime / time column of `scale`
 * fractional digits stores it; other text stays as written. */
static inline void dd_append_temporal(rt_buf *out, const char *s, size_t n, dd_type_class tc,
                                      int scale)
{
    rt_buf t;
    rt_buf_init(&t);
    rt_buf_append(&t, s, n);
    if (tc == DD_TC_DATETIME && n == 10 && s[4] == '-' && s[7] == '-')
        rt_buf_append_str(&t, " 00:00:00");
    size_t at = tc == DD_TC_DATETIME ? 11 : 0;
    if (tc != DD_TC_DATE && t.len >= at + 4) {
        const char *tm = t.data + at;
        const char *c1 = strchr(tm, ':');
        if (c1 && !strchr(c1 + 1, ':') && !strchr(tm, '.'))
            rt_buf_append_str(&t, ":00");
        const char *dot = strchr(t.data + at, '.');
        size_t frac = dot ? t.len - (size_t)(dot + 1 - t.data) : 0;
        if (dot && scale == 0) {
            t.len = (size_t)(dot - t.data);
        } else if (dot && frac > (size_t)scale) {
            t.len = (size_t)(dot + 1 - t.data) + (size_t)scale;
        } else if (scale > 0 && c1) {
            if (!dot)
                rt_buf_append_char(&t, '.');
            for (size_t i = frac; i < (size_t)scale; i++)
                rt_buf_append_char(&t, '0');
        }
    }
    dd_append_quoted(out, t.data, t.len);
    rt_buf_fini(&t);
}

/* CURRENT_TIMESTAMP [(n)], NOW(n), LOCALTIME..., lower case, or -1 for another expression. */
static inline int dd_now_precision(const char *s, size_t n)
{
    static const char *const names[] = {"current_timestamp", "now", "localtime", "localtimestamp"};
    size_t w = 0;
    while (w < n && dd_is_word_byte((unsigned char)s[w]))
        w++;
    bool known = false;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !known; i++)
        known = strlen(names[i]) == w && strncasecmp(s, names[i], w) == 0;
    if (!known)
        return -1;
    size_t i = w;
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    if (i == n)
        return strncasecmp(s, "now", w) == 0 ? -1 : 0;
    if (s[i++] != '(')
        return -1;
    int prec = 0;
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    while (i < n && isdigit((unsigned char)s[i]) && prec < 100)
        prec = prec * 10 + (s[i++] - '0');
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    return i + 1 == n && s[i] == ')' ? prec : -1;
}

static inline void dd_append_expr(rt_buf *out, const char *s, size_t n)
{
    int prec = dd_now_precision(s, n);
    if (prec == 0) {
        rt_buf_append_str(out, "current_timestamp()");
        return;
    }
    if (prec > 0) {
        rt_buf_appendf(out, "current_timestamp(%d)", prec);
        return;
    }
    /* Spaces only between two words; strings as written. */
    bool space = false;
    unsigned char last = '(';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isspace(c)) {
            space = true;
            continue;
        }
        if (space && dd_is_word_byte(last) && dd_is_word_byte(c))
            rt_buf_append_char(out, ' ');
        space = false;
        if (c == '\'' || c == '"' || c == '`') {
            size_t j = i + 1;
            while (j < n && s[j] != (char)c)
                j += s[j] == '\\' && c != '`' ? 2 : 1;
            j = j < n ? j : n - 1;
            rt_buf_append(out, s + i, j - i + 1);
            i = j;
        } else {
            rt_buf_append_char(out, (char)tolower(c));
        }
        last = c;
    }
}

/* Strips white space and the parentheses that enclose all of s. */
static inline void dd_trim(const char **s, size_t *n)
{
    for (;;) {
        while (*n && isspace((unsigned char)**s))
            (*s)++, (*n)--;
        while (*n && isspace((unsigned char)(*s)[*n - 1]))
            (*n)--;
        if (*n < 2 || (*s)[0] != '(' || (*s)[*n - 1] != ')')
            return;
        size_t depth = 0, i;
        for (i = 0; i < *n; i++) {
            char c = (*s)[i];
            if (c == '\'' || c == '"') {
                for (i++; i < *n && (*s)[i] != c; i++)
                    i += (*s)[i] == '\\';
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                break;
            }
        }
        if (i != *n - 1)
            return;
        (*s)++;
        *n -= 2;
    }
}

static inline bool ddl_default_normalize(const char *text, size_t len, const char *type,
                                         rt_buf *out)
{
    const char *s = text ? text : "";
    size_t n = text ? len : 0;
    dd_trim(&s, &n);
    if (n == 0 || (n == 4 && strncasecmp(s, "null", 4) == 0))
        return false;
    int scale;
    dd_type_class tc = dd_class_of(type ? type : "", &scale);

    rt_buf val;
    rt_buf_init(&val);
    dd_lit_kind kind = DD_LIT_EXPR;
    if (n == 4 && strncasecmp(s, "true", 4) == 0) {
        rt_buf_append_char(&val, '1');
        kind = DD_LIT_NUMBER;
    } else if (n == 5 && strncasecmp(s, "false", 5) == 0) {
        rt_buf_append_char(&val, '0');
        kind = DD_LIT_NUMBER;
    } else if (dd_is_number(s, n)) {
        rt_buf_append(&val, *s == '+' ? s + 1 : s, *s == '+' ? n - 1 : n);
        kind = DD_LIT_NUMBER;
    } else if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'b')) {
        rt_buf_append(&val, s + 2, n - 2);
        kind = s[1] == 'x' ? DD_LIT_HEX : DD_LIT_BITS;
    } else if (n >= 3 && strchr("xXbB", s[0]) && s[1] == '\'' && s[n - 1] == '\'') {
        rt_buf_append(&val, s + 2, n - 3);
        kind = (s[0] == 'x' || s[0] == 'X') ? DD_LIT_HEX : DD_LIT_BITS;
    } else {
        /* 'x', "x", N'x', _utf8mb4'x' */
        size_t q = 0;
        if (s[0] == '_' || s[0] == 'n' || s[0] == 'N') {
            while (q < n && dd_is_word_byte((unsigned char)s[q]))
                q++;
            while (q < n && isspace((unsigned char)s[q]))
                q++;
            if (q > 1 && s[0] != '_')
                q = n; /* a word: an expression */
        }
        if (q < n && (s[q] == '\'' || s[q] == '"') && dd_unquote(s + q, n - q, &val) == n - q)
            kind = DD_LIT_STRING;
        else
            rt_buf_reset(&val);
    }
    rt_buf_append(&val, "", 0);

    /* Hex and bit literals are bytes and numbers: the column decides which. */
    uint64_t bits = 0;
    bool bits_ok = false;
    if (kind == DD_LIT_HEX || kind == DD_LIT_BITS) {
        bits_ok = val.len > 0 && val.len <= (kind == DD_LIT_HEX ? 16 : 64);
        for (size_t i = 0; bits_ok && i < val.len; i++) {
            char c = (char)tolower((unsigned char)val.data[i]);
            int d = isdigit((unsigned char)c) ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : 99;
            bits_ok = d < (kind == DD_LIT_HEX ? 16 : 2);
            bits = kind == DD_LIT_HEX ? bits << 4 | (uint64_t)d : bits << 1 | (uint64_t)d;
        }
        if (!bits_ok) {
            kind = DD_LIT_EXPR;
        } else if (kind == DD_LIT_HEX && tc != DD_TC_INTEGER && tc != DD_TC_BIT) {
            /* x'4142' in a string column is 'AB'. */
            rt_buf bytes;
            rt_buf_init(&bytes);
            for (size_t i = 0; i < val.len; i += 2) {
                char pair[3] = {val.data[i], i + 1 < val.len ? val.data[i + 1] : '0', 0};
                rt_buf_append_char(&bytes, (char)strtoul(pair, NULL, 16));
            }
            rt_buf_fini(&val);
            val = bytes;
            rt_buf_append(&val, "", 0);
            kind = DD_LIT_STRING;
        }
    }

    bool numeric =
        tc == DD_TC_INTEGER || tc == DD_TC_DECIMAL || tc == DD_TC_FLOAT || tc == DD_TC_DOUBLE;
    if (kind == DD_LIT_EXPR) {
        dd_append_expr(out, s, n);
    } else if (tc == DD_TC_BIT &&
               (kind == DD_LIT_BITS || kind == DD_LIT_HEX || kind == DD_LIT_NUMBER)) {
        uint64_t v = kind == DD_LIT_NUMBER ? strtoull(val.data, NULL, 10) : bits;
        char b[65];
        size_t k = 64;
        b[k] = '\0';
        do {
            b[--k] = (char)('0' + (v & 1));
            v >>= 1;
        } while (v);
        rt_buf_appendf(out, "b'%s'", b + k);
    } else if (numeric && (kind == DD_LIT_BITS || kind == DD_LIT_HEX)) {
        rt_buf_appendf(out, "%llu", (unsigned long long)bits);
    } else if (numeric && (kind == DD_LIT_NUMBER ||
                           (kind == DD_LIT_STRING && dd_is_number(val.data, strlen(val.data))))) {
        const char *num = val.data;
        if (tc == DD_TC_INTEGER) {
            /* '7.6' and 1e3 as the column stores them (8, 1000), in decimal: exact for any
             * bigint unsigned. */
            dd_append_decimal(out, num, 0);
        } else if (tc == DD_TC_DECIMAL) {
            dd_append_decimal(out, num, scale);
        } else {
            dd_append_real(out, strtod(num, NULL), tc == DD_TC_FLOAT);
        }
    } else if (kind == DD_LIT_STRING &&
               (tc == DD_TC_DATETIME || tc == DD_TC_TIME || tc == DD_TC_DATE)) {
        dd_append_temporal(out, val.data, strlen(val.data), tc, scale);
    } else if (kind == DD_LIT_STRING || (kind == DD_LIT_NUMBER && !numeric)) {
        dd_append_quoted(out, val.data, val.len);
    } else {
        rt_buf_append(out, s, n); /* bits in a string column: as written */
    }
    rt_buf_fini(&val);
    return true;
}

#endif
