/* MySQL column type text -> op_sql_type: a small hand-written scanner over the grammar of the
 * data types chapter of the MySQL reference manual (13.1 numeric, 13.2 temporal, 13.3 string). */
#include "operators/basic/sql_type.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Longest type text quoted back in an error message: enough to recognise it, short enough to
 * leave room for the problem. */
#define QUOTE_MAX 60

static const char *const kind_names[] = {
    [OP_SQL_TINYINT] = "tinyint",
    [OP_SQL_SMALLINT] = "smallint",
    [OP_SQL_MEDIUMINT] = "mediumint",
    [OP_SQL_INT] = "int",
    [OP_SQL_BIGINT] = "bigint",
    [OP_SQL_DECIMAL] = "decimal",
    [OP_SQL_FLOAT] = "float",
    [OP_SQL_DOUBLE] = "double",
    [OP_SQL_CHAR] = "char",
    [OP_SQL_VARCHAR] = "varchar",
    [OP_SQL_TINYTEXT] = "tinytext",
    [OP_SQL_TEXT] = "text",
    [OP_SQL_MEDIUMTEXT] = "mediumtext",
    [OP_SQL_LONGTEXT] = "longtext",
    [OP_SQL_BINARY] = "binary",
    [OP_SQL_VARBINARY] = "varbinary",
    [OP_SQL_TINYBLOB] = "tinyblob",
    [OP_SQL_BLOB] = "blob",
    [OP_SQL_MEDIUMBLOB] = "mediumblob",
    [OP_SQL_LONGBLOB] = "longblob",
    [OP_SQL_DATE] = "date",
    [OP_SQL_TIME] = "time",
    [OP_SQL_DATETIME] = "datetime",
    [OP_SQL_TIMESTAMP] = "timestamp",
    [OP_SQL_YEAR] = "year",
    [OP_SQL_JSON] = "json",
    [OP_SQL_ENUM] = "enum",
    [OP_SQL_SET] = "set",
    [OP_SQL_BIT] = "bit",
    [OP_SQL_GEOMETRY] = "geometry",
    [OP_SQL_POINT] = "point",
    [OP_SQL_LINESTRING] = "linestring",
    [OP_SQL_POLYGON] = "polygon",
    [OP_SQL_MULTIPOINT] = "multipoint",
    [OP_SQL_MULTILINESTRING] = "multilinestring",
    [OP_SQL_MULTIPOLYGON] = "multipolygon",
    [OP_SQL_GEOMETRYCOLLECTION] = "geometrycollection",
};

const char *op_sql_kind_name(op_sql_kind k)
{
    if ((size_t)k < sizeof kind_names / sizeof kind_names[0] && kind_names[k])
        return kind_names[k];
    return "?";
}

/* Every spelling MySQL accepts for a type, with the kind it stands for. Two-word names
 * (DOUBLE PRECISION, CHARACTER VARYING) are completed in parse_name. */
static const struct {
    const char *word;
    op_sql_kind kind;
} type_words[] = {
    {"tinyint", OP_SQL_TINYINT},
    {"int1", OP_SQL_TINYINT},
    {"bool", OP_SQL_TINYINT},
    {"boolean", OP_SQL_TINYINT},
    {"smallint", OP_SQL_SMALLINT},
    {"int2", OP_SQL_SMALLINT},
    {"mediumint", OP_SQL_MEDIUMINT},
    {"middleint", OP_SQL_MEDIUMINT},
    {"int3", OP_SQL_MEDIUMINT},
    {"int", OP_SQL_INT},
    {"integer", OP_SQL_INT},
    {"int4", OP_SQL_INT},
    {"bigint", OP_SQL_BIGINT},
    {"int8", OP_SQL_BIGINT},
    {"serial", OP_SQL_BIGINT},
    {"decimal", OP_SQL_DECIMAL},
    {"dec", OP_SQL_DECIMAL},
    {"numeric", OP_SQL_DECIMAL},
    {"fixed", OP_SQL_DECIMAL},
    {"float", OP_SQL_FLOAT},
    {"float4", OP_SQL_FLOAT},
    {"double", OP_SQL_DOUBLE},
    {"float8", OP_SQL_DOUBLE},
    {"real", OP_SQL_DOUBLE},
    {"char", OP_SQL_CHAR},
    {"character", OP_SQL_CHAR},
    {"nchar", OP_SQL_CHAR},
    {"varchar", OP_SQL_VARCHAR},
    {"nvarchar", OP_SQL_VARCHAR},
    {"tinytext", OP_SQL_TINYTEXT},
    {"text", OP_SQL_TEXT},
    {"mediumtext", OP_SQL_MEDIUMTEXT},
    {"longtext", OP_SQL_LONGTEXT},
    {"binary", OP_SQL_BINARY},
    {"varbinary", OP_SQL_VARBINARY},
    {"tinyblob", OP_SQL_TINYBLOB},
    {"blob", OP_SQL_BLOB},
    {"mediumblob", OP_SQL_MEDIUMBLOB},
    {"longblob", OP_SQL_LONGBLOB},
    {"date", OP_SQL_DATE},
    {"time", OP_SQL_TIME},
    {"datetime", OP_SQL_DATETIME},
    {"timestamp", OP_SQL_TIMESTAMP},
    {"year", OP_SQL_YEAR},
    {"json", OP_SQL_JSON},
    {"enum", OP_SQL_ENUM},
    {"set", OP_SQL_SET},
    {"bit", OP_SQL_BIT},
    {"geometry", OP_SQL_GEOMETRY},
    {"point", OP_SQL_POINT},
    {"linestring", OP_SQL_LINESTRING},
    {"polygon", OP_SQL_POLYGON},
    {"multipoint", OP_SQL_MULTIPOINT},
    {"multilinestring", OP_SQL_MULTILINESTRING},
    {"multipolygon", OP_SQL_MULTIPOLYGON},
    {"geometrycollection", OP_SQL_GEOMETRYCOLLECTION},
    {"geomcollection", OP_SQL_GEOMETRYCOLLECTION},
};

/* The parser's cursor, and the whole text for error messages. */
typedef struct scan {
    const char *text;
    const char *p;
    rt_err *err;
} scan;

static int fail(scan *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(scan *s, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    size_t len = strlen(s->text);
    return rt_err_set(s->err, RT_EINVAL, "column type '%.*s%s': %s", QUOTE_MAX, s->text,
                      len > QUOTE_MAX ? "..." : "", what);
}

static void skip_ws(scan *s)
{
    while (isspace((unsigned char)*s->p))
        s->p++;
}

static bool is_word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* Reads the next word (letters, digits, '_') without consuming it; returns its length. */
static size_t peek_word(scan *s, const char **start)
{
    skip_ws(s);
    const char *e = s->p;
    while (is_word_char(*e))
        e++;
    *start = s->p;
    return (size_t)(e - s->p);
}

/* Consumes `word` (case-insensitive, whole word) if it comes next. */
static bool eat_word(scan *s, const char *word)
{
    const char *w;
    size_t n = peek_word(s, &w);
    if (n != strlen(word) || strncasecmp(w, word, n) != 0)
        return false;
    s->p = w + n;
    return true;
}

static bool eat_char(scan *s, char c)
{
    skip_ws(s);
    if (*s->p != c)
        return false;
    s->p++;
    return true;
}

/* An unsigned decimal number; bounded so that no text can overflow it. */
static int read_number(scan *s, const char *what, uint64_t *out)
{
    skip_ws(s);
    if (!isdigit((unsigned char)*s->p))
        return fail(s, "expected the %s as a number", what);
    uint64_t v = 0;
    while (isdigit((unsigned char)*s->p)) {
        if (v > 10000000000ull)
            return fail(s, "%s is too large", what);
        v = v * 10 + (uint64_t)(*s->p - '0');
        s->p++;
    }
    *out = v;
    return 0;
}

/* "(n)" with lo <= n <= hi. *present tells whether the parentheses were there at all. */
static int read_opt_len(scan *s, const char *what, uint64_t lo, uint64_t hi, bool *present,
                        uint64_t *out)
{
    *present = eat_char(s, '(');
    if (!*present)
        return 0;
    int rc = read_number(s, what, out);
    if (rc != 0)
        return rc;
    if (*out < lo || *out > hi)
        return fail(s, "%s must be %llu..%llu, got %llu", what, (unsigned long long)lo,
                    (unsigned long long)hi, (unsigned long long)*out);
    if (!eat_char(s, ')'))
        return fail(s, "expected ')' after the %s", what);
    return 0;
}

/* UNSIGNED / SIGNED / ZEROFILL, in any order (ZEROFILL implies UNSIGNED, as in MySQL). */
static void read_numeric_attrs(scan *s, op_sql_type *t)
{
    for (;;) {
        if (eat_word(s, "unsigned") || eat_word(s, "zerofill"))
            t->is_unsigned = true;
        else if (!eat_word(s, "signed"))
            return;
    }
}

/* CHARACTER SET x, CHARSET x, COLLATE x and the BINARY shorthand: they change how text compares,
 * not which values a column holds, so they are checked for shape and dropped. */
static int read_string_attrs(scan *s)
{
    for (;;) {
        bool named = false;
        if (eat_word(s, "character")) {
            if (!eat_word(s, "set"))
                return fail(s, "expected SET after CHARACTER");
            named = true;
        } else if (eat_word(s, "charset") || eat_word(s, "collate")) {
            named = true;
        } else if (!eat_word(s, "binary")) {
            return 0;
        }
        const char *w;
        if (named) {
            size_t n = peek_word(s, &w);
            if (n == 0)
                return fail(s, "expected a character set or collation name");
            s->p = w + n;
        }
    }
}

static int add_member(op_sql_type *t, size_t *cap, char *m)
{
    if (t->member_count == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        char **nm = realloc(t->members, ncap * sizeof *nm);
        if (!nm)
            return RT_ENOMEM;
        t->members = nm;
        *cap = ncap;
    }
    t->members[t->member_count++] = m;
    return 0;
}

/* One quoted member: 'text' or "text", with the quote doubled or backslash escapes (the forms
 * SHOW CREATE TABLE and information_schema print). */
static int read_member(scan *s, op_sql_type *t, size_t *cap)
{
    skip_ws(s);
    char q = *s->p;
    if (q != '\'' && q != '"')
        return fail(s, "expected a quoted %s member", op_sql_kind_name(t->kind));
    s->p++;
    rt_buf b;
    rt_buf_init(&b);
    rt_buf_append(&b, "", 0);
    size_t chars = 0;
    for (;;) {
        char c = *s->p;
        if (c == '\0') {
            rt_buf_fini(&b);
            return fail(s, "unterminated quoted member");
        }
        s->p++;
        if (c == q) {
            if (*s->p != q)
                break;
            s->p++;
        } else if (c == '\\' && *s->p) {
            c = *s->p++;
            switch (c) {
            case 'n':
                c = '\n';
                break;
            case 't':
                c = '\t';
                break;
            case 'r':
                c = '\r';
                break;
            case 'b':
                c = '\b';
                break;
            case 'Z':
                c = '\x1a';
                break;
            case '0':
                rt_buf_fini(&b);
                return fail(s, "NUL in a member is not supported");
            default:
                break;
            }
        }
        if (((unsigned char)c & 0xC0) != 0x80)
            chars++;
        if (c == ',' && t->kind == OP_SQL_SET) {
            rt_buf_fini(&b);
            return fail(s, "SET members cannot contain ','");
        }
        rt_buf_append_char(&b, c);
    }
    if (chars > 255 || b.len > 1020) {
        rt_buf_fini(&b);
        return fail(s, "a member is longer than 255 characters");
    }
    char *m = rt_buf_take(&b);
    if (add_member(t, cap, m) != 0) {
        free(m);
        return rt_err_set(s->err, RT_ENOMEM, "column type: out of memory");
    }
    return 0;
}

static int read_members(scan *s, op_sql_type *t)
{
    if (!eat_char(s, '('))
        return fail(s, "%s needs its members: %s('a','b')", op_sql_kind_name(t->kind),
                    op_sql_kind_name(t->kind));
    size_t cap = 0;
    do {
        int rc = read_member(s, t, &cap);
        if (rc != 0)
            return rc;
    } while (eat_char(s, ','));
    if (!eat_char(s, ')'))
        return fail(s, "expected ',' or ')' after a member");
    size_t max = t->kind == OP_SQL_SET ? 64 : 65535;
    if (t->member_count > max)
        return fail(s, "too many members (at most %zu)", max);
    return 0;
}

/* TEXT(n) and BLOB(n) become the smallest kind that holds n bytes, as MySQL creates them. */
static op_sql_kind sized_lob(op_sql_kind base, uint64_t n)
{
    int step = n <= 255 ? 0 : n <= 65535 ? 1 : n <= 16777215 ? 2 : 3;
    if (base == OP_SQL_TEXT)
        return (op_sql_kind)(OP_SQL_TINYTEXT + step);
    return (op_sql_kind)(OP_SQL_TINYBLOB + step);
}

static uint32_t lob_length(op_sql_kind k)
{
    switch (k) {
    case OP_SQL_TINYTEXT:
    case OP_SQL_TINYBLOB:
        return 255;
    case OP_SQL_TEXT:
    case OP_SQL_BLOB:
        return 65535;
    case OP_SQL_MEDIUMTEXT:
    case OP_SQL_MEDIUMBLOB:
        return 16777215;
    default:
        return 4294967295u;
    }
}

/* Finds the type keyword (and its second word, if any) and the kind it names. */
static int parse_name(scan *s, op_sql_type *t, bool *is_bool, bool *is_serial)
{
    const char *w;
    size_t n = peek_word(s, &w);
    if (n == 0)
        return fail(s, "expected a type name");
    size_t i;
    for (i = 0; i < sizeof type_words / sizeof type_words[0]; i++) {
        if (strlen(type_words[i].word) == n && strncasecmp(w, type_words[i].word, n) == 0)
            break;
    }
    if (i == sizeof type_words / sizeof type_words[0]) {
        char word[64];
        snprintf(word, sizeof word, "%.*s", (int)(n < 48 ? n : 48), w);
        return fail(s,
                    "unknown type '%s' (known: tinyint smallint mediumint int bigint decimal "
                    "float double char varchar text binary varbinary blob date time datetime "
                    "timestamp year json enum set bit geometry point polygon...)",
                    word);
    }
    s->p = w + n;
    t->kind = type_words[i].kind;
    const char *word = type_words[i].word;
    *is_bool = strcmp(word, "bool") == 0 || strcmp(word, "boolean") == 0;
    *is_serial = strcmp(word, "serial") == 0;
    if (t->kind == OP_SQL_DOUBLE)
        eat_word(s, "precision");
    if (t->kind == OP_SQL_CHAR && eat_word(s, "varying"))
        t->kind = OP_SQL_VARCHAR;
    return 0;
}

static int parse_body(scan *s, op_sql_type *t)
{
    bool is_bool = false, is_serial = false, present = false;
    uint64_t n = 0, m = 0;
    int rc = parse_name(s, t, &is_bool, &is_serial);
    if (rc != 0)
        return rc;
    switch (t->kind) {
    case OP_SQL_TINYINT:
    case OP_SQL_SMALLINT:
    case OP_SQL_MEDIUMINT:
    case OP_SQL_INT:
    case OP_SQL_BIGINT:
        if (is_bool) {
            t->length = 1;
            break;
        }
        if (is_serial) {
            t->is_unsigned = true;
            break;
        }
        if ((rc = read_opt_len(s, "display width", 0, 255, &present, &n)) != 0)
            return rc;
        t->length = (uint32_t)n;
        read_numeric_attrs(s, t);
        break;
    case OP_SQL_DECIMAL:
        t->precision = 10;
        if (eat_char(s, '(')) {
            if ((rc = read_number(s, "precision", &n)) != 0)
                return rc;
            if (n < 1 || n > 65)
                return fail(s, "DECIMAL precision must be 1..65, got %llu", (unsigned long long)n);
            if (eat_char(s, ',') && (rc = read_number(s, "scale", &m)) != 0)
                return rc;
            if (m > 30 || m > n)
                return fail(s, "DECIMAL scale must be 0..30 and at most the precision, got %llu",
                            (unsigned long long)m);
            if (!eat_char(s, ')'))
                return fail(s, "expected ')' after the scale");
            t->precision = (uint8_t)n;
            t->scale = (uint8_t)m;
        }
        read_numeric_attrs(s, t);
        break;
    case OP_SQL_FLOAT:
    case OP_SQL_DOUBLE:
        if (eat_char(s, '(')) {
            if ((rc = read_number(s, "precision", &n)) != 0)
                return rc;
            if (eat_char(s, ',')) {
                if ((rc = read_number(s, "scale", &m)) != 0)
                    return rc;
                if (n < 1 || n > 255 || m > 30 || m > n)
                    return fail(s, "(M,D) must have 1 <= M <= 255, D <= 30, D <= M");
                t->precision = (uint8_t)n;
                t->scale = (uint8_t)m;
            } else if (t->kind == OP_SQL_DOUBLE) {
                return fail(s, "DOUBLE takes (M,D), not a single precision");
            } else if (n > 53) {
                return fail(s, "FLOAT precision must be 0..53, got %llu", (unsigned long long)n);
            } else if (n > 24) {
                /* FLOAT(p) with p > 24 is stored as DOUBLE (manual 13.1.4). */
                t->kind = OP_SQL_DOUBLE;
            }
            if (!eat_char(s, ')'))
                return fail(s, "expected ')'");
        }
        read_numeric_attrs(s, t);
        break;
    case OP_SQL_CHAR:
    case OP_SQL_BINARY:
        n = 1;
        if ((rc = read_opt_len(s, "length", 0, 255, &present, &n)) != 0)
            return rc;
        t->length = (uint32_t)n;
        if (t->kind == OP_SQL_CHAR)
            rc = read_string_attrs(s);
        break;
    case OP_SQL_VARCHAR:
    case OP_SQL_VARBINARY:
        if ((rc = read_opt_len(s, "length", 0, 65535, &present, &n)) != 0)
            return rc;
        if (!present)
            return fail(s, "%s needs a length: %s(n)", op_sql_kind_name(t->kind),
                        op_sql_kind_name(t->kind));
        t->length = (uint32_t)n;
        if (t->kind == OP_SQL_VARCHAR)
            rc = read_string_attrs(s);
        break;
    case OP_SQL_TEXT:
    case OP_SQL_BLOB:
        if ((rc = read_opt_len(s, "length", 0, 4294967295ull, &present, &n)) != 0)
            return rc;
        if (present)
            t->kind = sized_lob(t->kind, n);
        t->length = lob_length(t->kind);
        if (t->kind <= OP_SQL_LONGTEXT)
            rc = read_string_attrs(s);
        break;
    case OP_SQL_TINYTEXT:
    case OP_SQL_MEDIUMTEXT:
    case OP_SQL_LONGTEXT:
        t->length = lob_length(t->kind);
        rc = read_string_attrs(s);
        break;
    case OP_SQL_TINYBLOB:
    case OP_SQL_MEDIUMBLOB:
    case OP_SQL_LONGBLOB:
        t->length = lob_length(t->kind);
        break;
    case OP_SQL_TIME:
    case OP_SQL_DATETIME:
    case OP_SQL_TIMESTAMP:
        rc = read_opt_len(s, "fractional seconds precision", 0, 6, &present, &n);
        t->fsp = (uint8_t)n;
        break;
    case OP_SQL_YEAR:
        rc = read_opt_len(s, "display width", 4, 4, &present, &n);
        break;
    case OP_SQL_DATE:
    case OP_SQL_JSON:
        break;
    case OP_SQL_ENUM:
    case OP_SQL_SET:
        if ((rc = read_members(s, t)) != 0)
            return rc;
        rc = read_string_attrs(s);
        break;
    case OP_SQL_BIT:
        n = 1;
        rc = read_opt_len(s, "length", 1, 64, &present, &n);
        t->length = (uint32_t)n;
        break;
    case OP_SQL_GEOMETRY:
    case OP_SQL_POINT:
    case OP_SQL_LINESTRING:
    case OP_SQL_POLYGON:
    case OP_SQL_MULTIPOINT:
    case OP_SQL_MULTILINESTRING:
    case OP_SQL_MULTIPOLYGON:
    case OP_SQL_GEOMETRYCOLLECTION:
        /* MySQL 8's SRID attribute restricts which values fit, not how they are carried: the
         * value's own SRID prefix is dropped on the way out (WKB has none). */
        if (eat_word(s, "srid"))
            rc = read_number(s, "SRID", &n);
        break;
    }
    return rc;
}

static rt_type value_type(const op_sql_type *t)
{
    switch (t->kind) {
    case OP_SQL_TINYINT:
    case OP_SQL_SMALLINT:
    case OP_SQL_MEDIUMINT:
    case OP_SQL_INT:
    case OP_SQL_BIGINT:
        return t->is_unsigned ? RT_TYPE_UINT : RT_TYPE_INT;
    case OP_SQL_YEAR:
        return RT_TYPE_INT;
    case OP_SQL_BIT:
        return RT_TYPE_UINT;
    case OP_SQL_DECIMAL:
        return RT_TYPE_DECIMAL;
    case OP_SQL_FLOAT:
    case OP_SQL_DOUBLE:
        return RT_TYPE_DOUBLE;
    case OP_SQL_BINARY:
    case OP_SQL_VARBINARY:
    case OP_SQL_TINYBLOB:
    case OP_SQL_BLOB:
    case OP_SQL_MEDIUMBLOB:
    case OP_SQL_LONGBLOB:
    case OP_SQL_GEOMETRY:
    case OP_SQL_POINT:
    case OP_SQL_LINESTRING:
    case OP_SQL_POLYGON:
    case OP_SQL_MULTIPOINT:
    case OP_SQL_MULTILINESTRING:
    case OP_SQL_MULTIPOLYGON:
    case OP_SQL_GEOMETRYCOLLECTION:
        return RT_TYPE_BYTES;
    case OP_SQL_DATE:
        return RT_TYPE_DATE;
    case OP_SQL_TIME:
        return RT_TYPE_TIME;
    case OP_SQL_DATETIME:
    case OP_SQL_TIMESTAMP:
        return RT_TYPE_DATETIME;
    case OP_SQL_JSON:
        return RT_TYPE_JSON;
    default:
        return RT_TYPE_STRING;
    }
}

int op_sql_type_parse(const char *text, op_sql_type *out, rt_err *err)
{
    if (!text)
        return rt_err_set(err, RT_EINVAL, "column type: missing");
    scan s = {.text = text, .p = text, .err = err};
    op_sql_type t = {0};
    int rc = parse_body(&s, &t);
    if (rc == 0) {
        skip_ws(&s);
        if (*s.p) {
            char rest[32];
            snprintf(rest, sizeof rest, "%.24s", s.p);
            rc = fail(&s, "unexpected '%s' after the type", rest);
        }
    }
    if (rc != 0) {
        op_sql_type_fini(&t);
        return rc;
    }
    t.type = value_type(&t);
    *out = t;
    return 0;
}

void op_sql_type_fini(op_sql_type *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->member_count; i++)
        free(t->members[i]);
    free(t->members);
    t->members = NULL;
    t->member_count = 0;
}

static void append_member(rt_buf *out, const char *m)
{
    rt_buf_append_char(out, '\'');
    for (const char *c = m; *c; c++) {
        switch (*c) {
        case '\'':
            rt_buf_append(out, "''", 2);
            break;
        case '\\':
            rt_buf_append(out, "\\\\", 2);
            break;
        case '\n':
            rt_buf_append(out, "\\n", 2);
            break;
        case '\t':
            rt_buf_append(out, "\\t", 2);
            break;
        case '\r':
            rt_buf_append(out, "\\r", 2);
            break;
        case '\b':
            rt_buf_append(out, "\\b", 2);
            break;
        case '\x1a':
            rt_buf_append(out, "\\Z", 2);
            break;
        default:
            rt_buf_append_char(out, *c);
            break;
        }
    }
    rt_buf_append_char(out, '\'');
}

void op_sql_type_format(const op_sql_type *t, rt_buf *out)
{
    rt_buf_append_str(out, op_sql_kind_name(t->kind));
    switch (t->kind) {
    case OP_SQL_TINYINT:
    case OP_SQL_SMALLINT:
    case OP_SQL_MEDIUMINT:
    case OP_SQL_INT:
    case OP_SQL_BIGINT:
        if (t->length)
            rt_buf_appendf(out, "(%u)", t->length);
        break;
    case OP_SQL_DECIMAL:
        rt_buf_appendf(out, "(%u,%u)", t->precision, t->scale);
        break;
    case OP_SQL_FLOAT:
    case OP_SQL_DOUBLE:
        if (t->precision)
            rt_buf_appendf(out, "(%u,%u)", t->precision, t->scale);
        break;
    case OP_SQL_CHAR:
    case OP_SQL_VARCHAR:
    case OP_SQL_BINARY:
    case OP_SQL_VARBINARY:
    case OP_SQL_BIT:
        rt_buf_appendf(out, "(%u)", t->length);
        break;
    case OP_SQL_TIME:
    case OP_SQL_DATETIME:
    case OP_SQL_TIMESTAMP:
        if (t->fsp)
            rt_buf_appendf(out, "(%u)", t->fsp);
        break;
    case OP_SQL_ENUM:
    case OP_SQL_SET:
        rt_buf_append_char(out, '(');
        for (size_t i = 0; i < t->member_count; i++) {
            if (i)
                rt_buf_append_char(out, ',');
            append_member(out, t->members[i]);
        }
        rt_buf_append_char(out, ')');
        break;
    default:
        break;
    }
    if (t->is_unsigned)
        rt_buf_append_str(out, " unsigned");
}

bool op_sql_type_is_integer(const op_sql_type *t)
{
    return t->kind >= OP_SQL_TINYINT && t->kind <= OP_SQL_BIGINT;
}

bool op_sql_type_is_spatial(const op_sql_type *t)
{
    return t->kind >= OP_SQL_GEOMETRY && t->kind <= OP_SQL_GEOMETRYCOLLECTION;
}

static unsigned int_bits(const op_sql_type *t)
{
    switch (t->kind) {
    case OP_SQL_TINYINT:
        return 8;
    case OP_SQL_SMALLINT:
        return 16;
    case OP_SQL_MEDIUMINT:
        return 24;
    case OP_SQL_INT:
        return 32;
    default:
        return 64;
    }
}

int64_t op_sql_type_int_min(const op_sql_type *t)
{
    if (t->is_unsigned)
        return 0;
    unsigned bits = int_bits(t);
    return bits == 64 ? INT64_MIN : -((int64_t)1 << (bits - 1));
}

uint64_t op_sql_type_int_max(const op_sql_type *t)
{
    unsigned bits = int_bits(t);
    if (t->is_unsigned)
        return bits == 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
    return bits == 64 ? (uint64_t)INT64_MAX : ((uint64_t)1 << (bits - 1)) - 1;
}
