/* sr_type_map: the MySQL -> StarRocks type mapping (protocol notes §6.3, README "Type mapping"),
 * used by `sluice generate` (jobs/codegen/type_map.c) and the sink's schema evolution. The values
 * are what mysql_cdc emits (BIT as an unsigned integer, TIME and DECIMAL as text when no number
 * fits, geometry as WKB, strings as UTF-8) and what the starrocks sink loads, so every target
 * type must accept every value of its source type; where none can, the column goes on the lossy
 * list with the reason. */
#include "operators/starrocks/sr_type_map.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operators/basic/sql_type.h"

static const char *const kind_names[] = {
    [OP_SR_TYPE_BOOLEAN] = "BOOLEAN",   [OP_SR_TYPE_TINYINT] = "TINYINT",
    [OP_SR_TYPE_SMALLINT] = "SMALLINT", [OP_SR_TYPE_INT] = "INT",
    [OP_SR_TYPE_BIGINT] = "BIGINT",     [OP_SR_TYPE_LARGEINT] = "LARGEINT",
    [OP_SR_TYPE_FLOAT] = "FLOAT",       [OP_SR_TYPE_DOUBLE] = "DOUBLE",
    [OP_SR_TYPE_DECIMAL] = "DECIMAL",   [OP_SR_TYPE_DATE] = "DATE",
    [OP_SR_TYPE_DATETIME] = "DATETIME", [OP_SR_TYPE_CHAR] = "CHAR",
    [OP_SR_TYPE_VARCHAR] = "VARCHAR",   [OP_SR_TYPE_STRING] = "STRING",
    [OP_SR_TYPE_JSON] = "JSON",         [OP_SR_TYPE_VARBINARY] = "VARBINARY",
};

const char *op_sr_kind_name(op_sr_kind k)
{
    return (unsigned)k < sizeof kind_names / sizeof *kind_names ? kind_names[k] : "?";
}

void op_sr_type_format(const op_sr_type *t, char *out, size_t size)
{
    switch (t->kind) {
    case OP_SR_TYPE_DECIMAL:
        snprintf(out, size, "DECIMAL(%u,%u)", t->precision, t->scale);
        break;
    case OP_SR_TYPE_CHAR:
    case OP_SR_TYPE_VARCHAR:
    case OP_SR_TYPE_VARBINARY:
        snprintf(out, size, "%s(%u)", op_sr_kind_name(t->kind), t->len);
        break;
    default:
        snprintf(out, size, "%s", op_sr_kind_name(t->kind));
        break;
    }
}

unsigned op_sr_type_key_size(const op_sr_type *t)
{
    switch (t->kind) {
    case OP_SR_TYPE_BOOLEAN:
    case OP_SR_TYPE_TINYINT:
        return 1;
    case OP_SR_TYPE_SMALLINT:
        return 2;
    case OP_SR_TYPE_INT:
    case OP_SR_TYPE_DATE:
    case OP_SR_TYPE_FLOAT:
        return 4;
    case OP_SR_TYPE_BIGINT:
    case OP_SR_TYPE_DATETIME:
    case OP_SR_TYPE_DOUBLE:
        return 8;
    case OP_SR_TYPE_LARGEINT:
    case OP_SR_TYPE_DECIMAL:
        return 16;
    case OP_SR_TYPE_STRING:
        return OP_SR_STRING_MAX;
    default:
        return t->len;
    }
}

/* STRING is VARCHAR(65533) in StarRocks (§6.2): the same type under two names. */
static op_sr_type canonical(const op_sr_type *t)
{
    op_sr_type c = *t;
    if (c.kind == OP_SR_TYPE_STRING) {
        c.kind = OP_SR_TYPE_VARCHAR;
        c.len = OP_SR_STRING_MAX;
    }
    return c;
}

bool op_sr_type_equal(const op_sr_type *a, const op_sr_type *b)
{
    return a->kind == b->kind && a->len == b->len && a->precision == b->precision &&
           a->scale == b->scale;
}

bool op_sr_type_equivalent(const op_sr_type *a, const op_sr_type *b)
{
    op_sr_type x = canonical(a), y = canonical(b);
    return x.kind == y.kind && x.len == y.len && x.precision == y.precision && x.scale == y.scale;
}

unsigned op_sr_charset_utf8_bytes(const char *charset, unsigned maxlen)
{
    if (!charset)
        return 1;
    if (strcmp(charset, "ascii") == 0 || strcmp(charset, "binary") == 0)
        return 1;
    /* Every character of a non-Unicode set (latin1 is cp1252: the euro sign is 3 UTF-8 bytes) and
     * of utf8mb3 lies in the BMP, 3 UTF-8 bytes at most; utf8mb4, utf16, utf32 and gb18030 reach
     * beyond it. */
    static const char *const four[] = {"utf8mb4", "utf16", "utf16le", "utf32", "gb18030", NULL};
    for (const char *const *s = four; *s; s++)
        if (strcmp(charset, *s) == 0)
            return 4;
    return maxlen > 3 ? 4 : 3;
}

/* The labels of "enum('a','b''c')" / "set(...)": count, longest and total bytes (after '' -> ').
 * information_schema text is UTF-8, so these are the bytes the sink sends. */
static void enum_labels(const char *column_type, size_t *count, size_t *longest, size_t *total)
{
    *count = *longest = *total = 0;
    const char *p = strchr(column_type, '(');
    while (p && *p) {
        p = strchr(p, '\'');
        if (!p)
            break;
        p++;
        size_t len = 0;
        while (*p && !(*p == '\'' && p[1] != '\'')) {
            if (*p == '\'') /* '' inside a label */
                p++;
            p++;
            len++;
        }
        (*count)++;
        *total += len;
        if (len > *longest)
            *longest = len;
        if (*p)
            p++;
    }
}

static void set_type(op_sr_type *t, op_sr_kind k, unsigned len)
{
    t->kind = k;
    t->len = len;
    t->precision = t->scale = 0;
}

static unsigned clamp_len(uint64_t n)
{
    if (n < 1)
        return 1;
    return n > OP_SR_VARCHAR_MAX ? OP_SR_VARCHAR_MAX : (unsigned)n;
}

#define LOSSY(...) snprintf(info->lossy, sizeof info->lossy, __VA_ARGS__)
#define NOTE(...) snprintf(info->note, sizeof info->note, __VA_ARGS__)

static bool is(const char *dt, const char *name)
{
    return strcmp(dt, name) == 0;
}

int op_sr_type_map(const op_sr_source_column *c, bool is_key, op_sr_type *out,
                   op_sr_type_map_info *info, rt_err *err)
{
    memset(info, 0, sizeof *info);
    op_sr_type t = {0};
    const char *dt = c->data_type;
    unsigned u8 = op_sr_charset_utf8_bytes(c->charset, c->charset_maxlen);
    bool keyable = true; /* StarRocks takes this type as a key column */

    if (is(dt, "tinyint")) {
        set_type(&t, c->is_unsigned ? OP_SR_TYPE_SMALLINT : OP_SR_TYPE_TINYINT, 0);
        if (!c->is_unsigned && strncmp(c->column_type, "tinyint(1)", 10) == 0)
            NOTE("TINYINT(1) stays TINYINT, not BOOLEAN: values other than 0 and 1 survive");
    } else if (is(dt, "smallint")) {
        set_type(&t, c->is_unsigned ? OP_SR_TYPE_INT : OP_SR_TYPE_SMALLINT, 0);
    } else if (is(dt, "mediumint")) {
        set_type(&t, OP_SR_TYPE_INT, 0);
    } else if (is(dt, "int") || is(dt, "integer")) {
        set_type(&t, c->is_unsigned ? OP_SR_TYPE_BIGINT : OP_SR_TYPE_INT, 0);
    } else if (is(dt, "bigint")) {
        set_type(&t, c->is_unsigned ? OP_SR_TYPE_LARGEINT : OP_SR_TYPE_BIGINT, 0);
    } else if (is(dt, "bit")) {
        /* mysql_cdc emits BIT(n) as an unsigned integer: 0/1 loads into BOOLEAN. */
        unsigned n = c->precision ? c->precision : 1;
        set_type(&t,
                 n == 1    ? OP_SR_TYPE_BOOLEAN
                 : n <= 63 ? OP_SR_TYPE_BIGINT
                           : OP_SR_TYPE_LARGEINT,
                 0);
        if (n > 1)
            NOTE("BIT(%u) becomes %s: the bits as an unsigned number", n, op_sr_kind_name(t.kind));
    } else if (is(dt, "float") || is(dt, "double") || is(dt, "real")) {
        set_type(&t, is(dt, "float") ? OP_SR_TYPE_FLOAT : OP_SR_TYPE_DOUBLE, 0);
        keyable = false;
    } else if (is(dt, "decimal") || is(dt, "numeric")) {
        unsigned p = c->precision ? c->precision : 10;
        if (p <= 38) {
            t.kind = OP_SR_TYPE_DECIMAL;
            t.precision = p;
            t.scale = c->scale;
            keyable = false;
        } else {
            set_type(&t, OP_SR_TYPE_VARCHAR, p + 2);
            LOSSY("DECIMAL(%u,%u) is wider than StarRocks DECIMAL (38 digits): stored as its exact "
                  "text in VARCHAR(%u), no arithmetic",
                  p, c->scale, p + 2);
        }
    } else if (is(dt, "date")) {
        set_type(&t, OP_SR_TYPE_DATE, 0);
    } else if (is(dt, "datetime")) {
        set_type(&t, OP_SR_TYPE_DATETIME, 0);
    } else if (is(dt, "timestamp")) {
        set_type(&t, OP_SR_TYPE_DATETIME, 0);
        NOTE("TIMESTAMP becomes DATETIME: the wall time in the source's server_time_zone (UTC "
             "unless the job sets it)");
    } else if (is(dt, "time")) {
        set_type(&t, OP_SR_TYPE_VARCHAR, 17); /* "-838:59:59.000000" */
        NOTE("TIME becomes VARCHAR(17) ('-838:59:59.000000'): StarRocks cannot store TIME");
    } else if (is(dt, "year")) {
        set_type(&t, OP_SR_TYPE_SMALLINT, 0);
    } else if (is(dt, "char")) {
        uint64_t bytes = c->char_length * u8;
        if (bytes <= 255 && !is_key)
            set_type(&t, OP_SR_TYPE_CHAR, clamp_len(bytes));
        else
            set_type(&t, OP_SR_TYPE_VARCHAR, clamp_len(bytes));
        if (is_key)
            NOTE("CHAR key becomes VARCHAR(%u): StarRocks keys cannot be CHAR", t.len);
    } else if (is(dt, "varchar")) {
        uint64_t bytes = c->char_length * u8;
        set_type(&t, OP_SR_TYPE_VARCHAR, clamp_len(bytes));
        if (bytes > OP_SR_VARCHAR_MAX)
            LOSSY("VARCHAR(%llu) in %s can take %llu bytes, StarRocks VARCHAR at most %u: longer "
                  "values are rejected",
                  (unsigned long long)c->char_length, c->charset ? c->charset : "?",
                  (unsigned long long)bytes, OP_SR_VARCHAR_MAX);
    } else if (is(dt, "tinytext") || is(dt, "text")) {
        set_type(&t, is_key ? OP_SR_TYPE_VARCHAR : OP_SR_TYPE_STRING,
                 is_key ? OP_SR_STRING_MAX : 0);
        if (is(dt, "text"))
            LOSSY("TEXT holds up to 65535 bytes (more once converted to UTF-8), StarRocks STRING "
                  "65533: longer values are rejected");
    } else if (is(dt, "mediumtext") || is(dt, "longtext")) {
        if (c->is_json) {
            set_type(&t, OP_SR_TYPE_JSON, 0);
            keyable = false;
        } else {
            set_type(&t, OP_SR_TYPE_VARCHAR, OP_SR_VARCHAR_MAX);
            LOSSY("%s can exceed StarRocks VARCHAR's %u bytes: longer values are rejected",
                  is(dt, "longtext") ? "LONGTEXT" : "MEDIUMTEXT", OP_SR_VARCHAR_MAX);
        }
    } else if (is(dt, "json")) {
        set_type(&t, OP_SR_TYPE_JSON, 0);
        keyable = false;
    } else if (is(dt, "enum") || is(dt, "set")) {
        size_t count, longest, total;
        enum_labels(c->column_type, &count, &longest, &total);
        set_type(&t, OP_SR_TYPE_VARCHAR,
                 clamp_len(is(dt, "enum") ? longest : total + (count ? count - 1 : 0)));
    } else if (is(dt, "binary") || is(dt, "varbinary")) {
        set_type(&t, OP_SR_TYPE_VARBINARY, clamp_len(c->char_length));
        keyable = false;
    } else if (is(dt, "tinyblob") || is(dt, "blob")) {
        set_type(&t, OP_SR_TYPE_VARBINARY, 65535);
        keyable = false;
    } else if (is(dt, "mediumblob") || is(dt, "longblob")) {
        set_type(&t, OP_SR_TYPE_VARBINARY, OP_SR_VARCHAR_MAX);
        keyable = false;
        LOSSY("%s can exceed StarRocks VARBINARY's %u bytes: longer values are rejected",
              is(dt, "longblob") ? "LONGBLOB" : "MEDIUMBLOB", OP_SR_VARCHAR_MAX);
    } else if (is(dt, "geometry") || is(dt, "point") || is(dt, "linestring") || is(dt, "polygon") ||
               is(dt, "multipoint") || is(dt, "multilinestring") || is(dt, "multipolygon") ||
               is(dt, "geometrycollection") || is(dt, "geomcollection")) {
        set_type(&t, OP_SR_TYPE_VARBINARY, OP_SR_VARCHAR_MAX);
        keyable = false;
        NOTE("%s becomes VARBINARY: standard WKB bytes (ST_AsBinary)", c->data_type);
    } else if (is(dt, "uuid") || is(dt, "inet4") || is(dt, "inet6")) {
        /* MariaDB's types that mysql_cdc reads as their text form. */
        set_type(&t, OP_SR_TYPE_VARCHAR, is(dt, "uuid") ? 36 : is(dt, "inet4") ? 15 : 39);
    } else {
        return rt_err_set(err, RT_EUNSUPPORTED,
                          "column %s: type %s has no StarRocks mapping (leave the table out)",
                          c->name, c->column_type);
    }

    if (is_key && !keyable) {
        char was[64];
        op_sr_type_format(&t, was, sizeof was);
        unsigned len = t.kind == OP_SR_TYPE_DECIMAL     ? t.precision + 2
                       : t.kind == OP_SR_TYPE_VARBINARY ? clamp_len((uint64_t)t.len * 2)
                                                        : 32;
        if (t.kind == OP_SR_TYPE_VARBINARY)
            LOSSY("binary key column becomes VARCHAR(%u): StarRocks keys cannot be %s; bytes "
                  "that are not UTF-8 are rejected",
                  len, was);
        else
            LOSSY("key column %s becomes VARCHAR(%u), its text: StarRocks keys cannot be %s", was,
                  len, op_sr_kind_name(t.kind));
        set_type(&t, OP_SR_TYPE_VARCHAR, len);
    }
    *out = t;
    return 0;
}

/* --- Widening (sharded merges) --- */

static bool is_int(op_sr_kind k)
{
    return k >= OP_SR_TYPE_BOOLEAN && k <= OP_SR_TYPE_LARGEINT;
}

static bool is_text(op_sr_kind k)
{
    return k == OP_SR_TYPE_CHAR || k == OP_SR_TYPE_VARCHAR || k == OP_SR_TYPE_STRING;
}

/* An integer type's decimal digits, for int + DECIMAL. */
static unsigned int_digits(op_sr_kind k)
{
    static const unsigned d[] = {1, 3, 5, 10, 19, 39};
    return d[k - OP_SR_TYPE_BOOLEAN];
}

static unsigned text_len(const op_sr_type *t)
{
    return t->kind == OP_SR_TYPE_STRING ? OP_SR_STRING_MAX : t->len;
}

int op_sr_type_widen(const op_sr_type *a, const op_sr_type *b, op_sr_type *out, rt_err *err)
{
    op_sr_type t = *a;
    if (op_sr_type_equal(a, b)) {
        t = *a;
    } else if (is_int(a->kind) && is_int(b->kind)) {
        t.kind = a->kind > b->kind ? a->kind : b->kind;
    } else if ((a->kind == OP_SR_TYPE_FLOAT || a->kind == OP_SR_TYPE_DOUBLE) &&
               (b->kind == OP_SR_TYPE_FLOAT || b->kind == OP_SR_TYPE_DOUBLE)) {
        t.kind = OP_SR_TYPE_DOUBLE;
    } else if ((a->kind == OP_SR_TYPE_DECIMAL || is_int(a->kind)) &&
               (b->kind == OP_SR_TYPE_DECIMAL || is_int(b->kind))) {
        unsigned ai = a->kind == OP_SR_TYPE_DECIMAL ? a->precision - a->scale : int_digits(a->kind);
        unsigned bi = b->kind == OP_SR_TYPE_DECIMAL ? b->precision - b->scale : int_digits(b->kind);
        unsigned s = a->scale > b->scale ? a->scale : b->scale;
        unsigned p = (ai > bi ? ai : bi) + s;
        memset(&t, 0, sizeof t);
        if (p <= 38) {
            t.kind = OP_SR_TYPE_DECIMAL;
            t.precision = p;
            t.scale = s;
        } else {
            set_type(&t, OP_SR_TYPE_VARCHAR, p + 2);
        }
    } else if ((a->kind == OP_SR_TYPE_DATE || a->kind == OP_SR_TYPE_DATETIME) &&
               (b->kind == OP_SR_TYPE_DATE || b->kind == OP_SR_TYPE_DATETIME)) {
        t.kind = OP_SR_TYPE_DATETIME;
    } else if (is_text(a->kind) && is_text(b->kind)) {
        unsigned la = text_len(a), lb = text_len(b);
        unsigned len = la > lb ? la : lb;
        if (a->kind == OP_SR_TYPE_STRING && b->kind == OP_SR_TYPE_STRING)
            set_type(&t, OP_SR_TYPE_STRING, 0);
        else
            set_type(&t,
                     a->kind == OP_SR_TYPE_CHAR && b->kind == OP_SR_TYPE_CHAR ? OP_SR_TYPE_CHAR
                                                                              : OP_SR_TYPE_VARCHAR,
                     len);
    } else if (a->kind == OP_SR_TYPE_VARBINARY && b->kind == OP_SR_TYPE_VARBINARY) {
        t.len = a->len > b->len ? a->len : b->len;
    } else {
        char x[64], y[64];
        op_sr_type_format(a, x, sizeof x);
        op_sr_type_format(b, y, sizeof y);
        return rt_err_set(err, RT_EINVAL, "types %s and %s have no common StarRocks type", x, y);
    }
    *out = t;
    return 0;
}

bool op_sr_type_is_widening(const op_sr_type *from, const op_sr_type *to)
{
    op_sr_type w = {0};
    return op_sr_type_widen(from, to, &w, NULL) == 0 && op_sr_type_equivalent(&w, to);
}

/* --- StarRocks type text --- */

int op_sr_type_parse(const char *text, op_sr_type *out, rt_err *err)
{
    char buf[96];
    size_t n = 0;
    for (const char *p = text; *p && n + 1 < sizeof buf; p++)
        if (!isspace((unsigned char)*p))
            buf[n++] = (char)tolower((unsigned char)*p);
    buf[n] = '\0';
    char *paren = strchr(buf, '(');
    unsigned a = 0, b = 0;
    int args = 0;
    if (paren) {
        *paren = '\0';
        args = sscanf(paren + 1, "%u,%u", &a, &b);
        if (args < 1)
            args = 0;
    }
    static const struct {
        const char *name;
        op_sr_kind kind;
    } words[] = {
        {"boolean", OP_SR_TYPE_BOOLEAN},   {"bool", OP_SR_TYPE_BOOLEAN},
        {"tinyint", OP_SR_TYPE_TINYINT},   {"smallint", OP_SR_TYPE_SMALLINT},
        {"int", OP_SR_TYPE_INT},           {"integer", OP_SR_TYPE_INT},
        {"bigint", OP_SR_TYPE_BIGINT},     {"largeint", OP_SR_TYPE_LARGEINT},
        {"float", OP_SR_TYPE_FLOAT},       {"double", OP_SR_TYPE_DOUBLE},
        {"decimal", OP_SR_TYPE_DECIMAL},   {"decimalv2", OP_SR_TYPE_DECIMAL},
        {"decimalv3", OP_SR_TYPE_DECIMAL}, {"decimal32", OP_SR_TYPE_DECIMAL},
        {"decimal64", OP_SR_TYPE_DECIMAL}, {"decimal128", OP_SR_TYPE_DECIMAL},
        {"numeric", OP_SR_TYPE_DECIMAL},   {"date", OP_SR_TYPE_DATE},
        {"datetime", OP_SR_TYPE_DATETIME}, {"char", OP_SR_TYPE_CHAR},
        {"varchar", OP_SR_TYPE_VARCHAR},   {"string", OP_SR_TYPE_STRING},
        {"json", OP_SR_TYPE_JSON},         {"varbinary", OP_SR_TYPE_VARBINARY},
        {"binary", OP_SR_TYPE_VARBINARY},
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (strcmp(buf, words[i].name) != 0)
            continue;
        op_sr_type t = {.kind = words[i].kind};
        switch (t.kind) {
        case OP_SR_TYPE_DECIMAL:
            t.precision = args >= 1 ? a : 10;
            t.scale = args >= 2 ? b : 0;
            break;
        case OP_SR_TYPE_CHAR:
            t.len = args >= 1 ? a : 1;
            break;
        case OP_SR_TYPE_VARCHAR:
        case OP_SR_TYPE_VARBINARY:
            t.len = args >= 1 ? a : OP_SR_VARCHAR_MAX;
            break;
        default:
            break; /* display widths of integers mean nothing to the values */
        }
        *out = t;
        return 0;
    }
    return rt_err_set(err, RT_EINVAL, "unknown StarRocks type \"%s\"", text);
}

/* --- MySQL type text --- */

/* The charset a type text names ("varchar(10) character set latin1"), into out; false if none. */
static bool text_charset(const char *lower, char *out, size_t size)
{
    const char *p = strstr(lower, "character set ");
    size_t skip = strlen("character set ");
    if (!p) {
        p = strstr(lower, "charset ");
        skip = strlen("charset ");
    }
    if (!p)
        return false;
    p += skip;
    while (*p == ' ')
        p++;
    size_t n = strcspn(p, " ");
    if (n == 0 || n >= size)
        return false;
    memcpy(out, p, n);
    out[n] = '\0';
    return true;
}

int op_sr_type_from_sql(const char *name, const char *sql_type, bool is_key, op_sr_type *out,
                        op_sr_type_map_info *info, rt_err *err)
{
    op_sr_type_map_info scratch;
    if (!info)
        info = &scratch;
    if (!sql_type || !*sql_type)
        return rt_err_set(err, RT_EINVAL, "column %s: no source type", name);
    op_sql_type st;
    memset(&st, 0, sizeof st);
    int rc = op_sql_type_parse(sql_type, &st, err);
    if (rc != 0)
        return rt_err_prefix(err, rc, "column %s", name);
    char lower[256], charset[64];
    size_t n = 0;
    for (const char *p = sql_type; *p && n + 1 < sizeof lower; p++)
        lower[n++] = (char)tolower((unsigned char)*p);
    lower[n] = '\0';
    bool has_charset = text_charset(lower, charset, sizeof charset);
    bool text = st.kind == OP_SQL_CHAR || st.kind == OP_SQL_VARCHAR ||
                (st.kind >= OP_SQL_TINYTEXT && st.kind <= OP_SQL_LONGTEXT) ||
                st.kind == OP_SQL_ENUM || st.kind == OP_SQL_SET;
    op_sr_source_column c = {
        .name = name,
        .data_type = op_sql_kind_name(st.kind),
        .column_type = lower,
        .charset = text ? (has_charset ? charset : "utf8mb4") : NULL,
        .charset_maxlen = text ? (has_charset ? 1 : 4) : 0,
        .char_length = st.length,
        .precision = st.kind == OP_SQL_BIT ? st.length : st.precision,
        .scale = st.scale,
        .is_unsigned = st.is_unsigned,
        .is_json = st.kind == OP_SQL_JSON,
    };
    rc = op_sr_type_map(&c, is_key, out, info, err);
    op_sql_type_fini(&st);
    return rc;
}
