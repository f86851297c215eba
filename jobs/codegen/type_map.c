/* The MySQL -> StarRocks type mapping (protocol notes §6.3, README "Type mapping"). The values
 * are what mysql_cdc emits (BIT as an unsigned integer, TIME and DECIMAL as text when no number
 * fits, geometry as WKB, strings as UTF-8) and what the starrocks sink loads, so every target
 * type must accept every value of its source type; where none can, the column goes on the lossy
 * list with the reason. */
#include "jobs/codegen/type_map.h"

#include <stdio.h>
#include <string.h>

static const char *const kind_names[] = {
    [GEN_SR_BOOLEAN] = "BOOLEAN",   [GEN_SR_TINYINT] = "TINYINT",
    [GEN_SR_SMALLINT] = "SMALLINT", [GEN_SR_INT] = "INT",
    [GEN_SR_BIGINT] = "BIGINT",     [GEN_SR_LARGEINT] = "LARGEINT",
    [GEN_SR_FLOAT] = "FLOAT",       [GEN_SR_DOUBLE] = "DOUBLE",
    [GEN_SR_DECIMAL] = "DECIMAL",   [GEN_SR_DATE] = "DATE",
    [GEN_SR_DATETIME] = "DATETIME", [GEN_SR_CHAR] = "CHAR",
    [GEN_SR_VARCHAR] = "VARCHAR",   [GEN_SR_STRING] = "STRING",
    [GEN_SR_JSON] = "JSON",         [GEN_SR_VARBINARY] = "VARBINARY",
};

const char *gen_sr_kind_name(gen_sr_kind k)
{
    return (unsigned)k < sizeof kind_names / sizeof *kind_names ? kind_names[k] : "?";
}

void gen_sr_type_format(const gen_sr_type *t, char *out, size_t size)
{
    switch (t->kind) {
    case GEN_SR_DECIMAL:
        snprintf(out, size, "DECIMAL(%u,%u)", t->precision, t->scale);
        break;
    case GEN_SR_CHAR:
    case GEN_SR_VARCHAR:
    case GEN_SR_VARBINARY:
        snprintf(out, size, "%s(%u)", gen_sr_kind_name(t->kind), t->len);
        break;
    default:
        snprintf(out, size, "%s", gen_sr_kind_name(t->kind));
        break;
    }
}

unsigned gen_sr_type_key_size(const gen_sr_type *t)
{
    switch (t->kind) {
    case GEN_SR_BOOLEAN:
    case GEN_SR_TINYINT:
        return 1;
    case GEN_SR_SMALLINT:
        return 2;
    case GEN_SR_INT:
    case GEN_SR_DATE:
    case GEN_SR_FLOAT:
        return 4;
    case GEN_SR_BIGINT:
    case GEN_SR_DATETIME:
    case GEN_SR_DOUBLE:
        return 8;
    case GEN_SR_LARGEINT:
    case GEN_SR_DECIMAL:
        return 16;
    case GEN_SR_STRING:
        return GEN_SR_STRING_MAX;
    default:
        return t->len;
    }
}

bool gen_sr_type_equal(const gen_sr_type *a, const gen_sr_type *b)
{
    return a->kind == b->kind && a->len == b->len && a->precision == b->precision &&
           a->scale == b->scale;
}

unsigned gen_charset_utf8_bytes(const char *charset, unsigned maxlen)
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

static void set_type(gen_sr_type *t, gen_sr_kind k, unsigned len)
{
    t->kind = k;
    t->len = len;
    t->precision = t->scale = 0;
}

static unsigned clamp_len(uint64_t n)
{
    if (n < 1)
        return 1;
    return n > GEN_SR_VARCHAR_MAX ? GEN_SR_VARCHAR_MAX : (unsigned)n;
}

#define LOSSY(...) snprintf(info->lossy, sizeof info->lossy, __VA_ARGS__)
#define NOTE(...) snprintf(info->note, sizeof info->note, __VA_ARGS__)

static bool is(const char *dt, const char *name)
{
    return strcmp(dt, name) == 0;
}

int gen_type_map(const gen_column *c, bool is_key, gen_sr_type *out, gen_type_map_info *info,
                 rt_err *err)
{
    memset(info, 0, sizeof *info);
    gen_sr_type t = {0};
    const char *dt = c->data_type;
    unsigned u8 = gen_charset_utf8_bytes(c->charset, c->charset_maxlen);
    bool keyable = true; /* StarRocks takes this type as a key column */

    if (is(dt, "tinyint")) {
        set_type(&t, c->is_unsigned ? GEN_SR_SMALLINT : GEN_SR_TINYINT, 0);
        if (!c->is_unsigned && strncmp(c->column_type, "tinyint(1)", 10) == 0)
            NOTE("TINYINT(1) stays TINYINT, not BOOLEAN: values other than 0 and 1 survive");
    } else if (is(dt, "smallint")) {
        set_type(&t, c->is_unsigned ? GEN_SR_INT : GEN_SR_SMALLINT, 0);
    } else if (is(dt, "mediumint")) {
        set_type(&t, GEN_SR_INT, 0);
    } else if (is(dt, "int") || is(dt, "integer")) {
        set_type(&t, c->is_unsigned ? GEN_SR_BIGINT : GEN_SR_INT, 0);
    } else if (is(dt, "bigint")) {
        set_type(&t, c->is_unsigned ? GEN_SR_LARGEINT : GEN_SR_BIGINT, 0);
    } else if (is(dt, "bit")) {
        /* mysql_cdc emits BIT(n) as an unsigned integer: 0/1 loads into BOOLEAN. */
        unsigned n = c->precision ? c->precision : 1;
        set_type(&t, n == 1 ? GEN_SR_BOOLEAN : n <= 63 ? GEN_SR_BIGINT : GEN_SR_LARGEINT, 0);
        if (n > 1)
            NOTE("BIT(%u) becomes %s: the bits as an unsigned number", n, gen_sr_kind_name(t.kind));
    } else if (is(dt, "float") || is(dt, "double") || is(dt, "real")) {
        set_type(&t, is(dt, "float") ? GEN_SR_FLOAT : GEN_SR_DOUBLE, 0);
        keyable = false;
    } else if (is(dt, "decimal") || is(dt, "numeric")) {
        unsigned p = c->precision ? c->precision : 10;
        if (p <= 38) {
            t.kind = GEN_SR_DECIMAL;
            t.precision = p;
            t.scale = c->scale;
            keyable = false;
        } else {
            set_type(&t, GEN_SR_VARCHAR, p + 2);
            LOSSY("DECIMAL(%u,%u) is wider than StarRocks DECIMAL (38 digits): stored as its exact "
                  "text in VARCHAR(%u), no arithmetic",
                  p, c->scale, p + 2);
        }
    } else if (is(dt, "date")) {
        set_type(&t, GEN_SR_DATE, 0);
    } else if (is(dt, "datetime")) {
        set_type(&t, GEN_SR_DATETIME, 0);
    } else if (is(dt, "timestamp")) {
        set_type(&t, GEN_SR_DATETIME, 0);
        NOTE("TIMESTAMP becomes DATETIME: the wall time in the source's server_time_zone (UTC "
             "unless the job sets it)");
    } else if (is(dt, "time")) {
        set_type(&t, GEN_SR_VARCHAR, 17); /* "-838:59:59.000000" */
        NOTE("TIME becomes VARCHAR(17) ('-838:59:59.000000'): StarRocks cannot store TIME");
    } else if (is(dt, "year")) {
        set_type(&t, GEN_SR_SMALLINT, 0);
    } else if (is(dt, "char")) {
        uint64_t bytes = c->char_length * u8;
        if (bytes <= 255 && !is_key)
            set_type(&t, GEN_SR_CHAR, clamp_len(bytes));
        else
            set_type(&t, GEN_SR_VARCHAR, clamp_len(bytes));
        if (is_key)
            NOTE("CHAR key becomes VARCHAR(%u): StarRocks keys cannot be CHAR", t.len);
    } else if (is(dt, "varchar")) {
        uint64_t bytes = c->char_length * u8;
        set_type(&t, GEN_SR_VARCHAR, clamp_len(bytes));
        if (bytes > GEN_SR_VARCHAR_MAX)
            LOSSY("VARCHAR(%llu) in %s can take %llu bytes, StarRocks VARCHAR at most %u: longer "
                  "values are rejected",
                  (unsigned long long)c->char_length, c->charset ? c->charset : "?",
                  (unsigned long long)bytes, GEN_SR_VARCHAR_MAX);
    } else if (is(dt, "tinytext") || is(dt, "text")) {
        set_type(&t, is_key ? GEN_SR_VARCHAR : GEN_SR_STRING, is_key ? GEN_SR_STRING_MAX : 0);
        if (is(dt, "text"))
            LOSSY("TEXT holds up to 65535 bytes (more once converted to UTF-8), StarRocks STRING "
                  "65533: longer values are rejected");
    } else if (is(dt, "mediumtext") || is(dt, "longtext")) {
        if (c->is_json) {
            set_type(&t, GEN_SR_JSON, 0);
            keyable = false;
        } else {
            set_type(&t, GEN_SR_VARCHAR, GEN_SR_VARCHAR_MAX);
            LOSSY("%s can exceed StarRocks VARCHAR's %u bytes: longer values are rejected",
                  is(dt, "longtext") ? "LONGTEXT" : "MEDIUMTEXT", GEN_SR_VARCHAR_MAX);
        }
    } else if (is(dt, "json")) {
        set_type(&t, GEN_SR_JSON, 0);
        keyable = false;
    } else if (is(dt, "enum") || is(dt, "set")) {
        size_t count, longest, total;
        enum_labels(c->column_type, &count, &longest, &total);
        set_type(&t, GEN_SR_VARCHAR,
                 clamp_len(is(dt, "enum") ? longest : total + (count ? count - 1 : 0)));
    } else if (is(dt, "binary") || is(dt, "varbinary")) {
        set_type(&t, GEN_SR_VARBINARY, clamp_len(c->char_length));
        keyable = false;
    } else if (is(dt, "tinyblob") || is(dt, "blob")) {
        set_type(&t, GEN_SR_VARBINARY, 65535);
        keyable = false;
    } else if (is(dt, "mediumblob") || is(dt, "longblob")) {
        set_type(&t, GEN_SR_VARBINARY, GEN_SR_VARCHAR_MAX);
        keyable = false;
        LOSSY("%s can exceed StarRocks VARBINARY's %u bytes: longer values are rejected",
              is(dt, "longblob") ? "LONGBLOB" : "MEDIUMBLOB", GEN_SR_VARCHAR_MAX);
    } else if (is(dt, "geometry") || is(dt, "point") || is(dt, "linestring") || is(dt, "polygon") ||
               is(dt, "multipoint") || is(dt, "multilinestring") || is(dt, "multipolygon") ||
               is(dt, "geometrycollection") || is(dt, "geomcollection")) {
        set_type(&t, GEN_SR_VARBINARY, GEN_SR_VARCHAR_MAX);
        keyable = false;
        NOTE("%s becomes VARBINARY: standard WKB bytes (ST_AsBinary)", c->data_type);
    } else if (is(dt, "uuid") || is(dt, "inet4") || is(dt, "inet6")) {
        /* MariaDB's types that mysql_cdc reads as their text form. */
        set_type(&t, GEN_SR_VARCHAR, is(dt, "uuid") ? 36 : is(dt, "inet4") ? 15 : 39);
    } else {
        return rt_err_set(err, RT_EUNSUPPORTED,
                          "column %s: type %s has no StarRocks mapping (leave the table out)",
                          c->name, c->column_type);
    }

    if (is_key && !keyable) {
        char was[64];
        gen_sr_type_format(&t, was, sizeof was);
        unsigned len = t.kind == GEN_SR_DECIMAL     ? t.precision + 2
                       : t.kind == GEN_SR_VARBINARY ? clamp_len((uint64_t)t.len * 2)
                                                    : 32;
        if (t.kind == GEN_SR_VARBINARY)
            LOSSY("binary key column becomes VARCHAR(%u): StarRocks keys cannot be %s; bytes "
                  "that are not UTF-8 are rejected",
                  len, was);
        else
            LOSSY("key column %s becomes VARCHAR(%u), its text: StarRocks keys cannot be %s", was,
                  len, gen_sr_kind_name(t.kind));
        set_type(&t, GEN_SR_VARCHAR, len);
    }
    *out = t;
    return 0;
}

/* --- Widening (sharded merges) --- */

static bool is_int(gen_sr_kind k)
{
    return k >= GEN_SR_BOOLEAN && k <= GEN_SR_LARGEINT;
}

static bool is_text(gen_sr_kind k)
{
    return k == GEN_SR_CHAR || k == GEN_SR_VARCHAR || k == GEN_SR_STRING;
}

/* An integer type's decimal digits, for int + DECIMAL. */
static unsigned int_digits(gen_sr_kind k)
{
    static const unsigned d[] = {1, 3, 5, 10, 19, 39};
    return d[k - GEN_SR_BOOLEAN];
}

static unsigned text_len(const gen_sr_type *t)
{
    return t->kind == GEN_SR_STRING ? GEN_SR_STRING_MAX : t->len;
}

int gen_sr_type_widen(const gen_sr_type *a, const gen_sr_type *b, gen_sr_type *out, rt_err *err)
{
    gen_sr_type t = *a;
    if (gen_sr_type_equal(a, b)) {
        t = *a;
    } else if (is_int(a->kind) && is_int(b->kind)) {
        t.kind = a->kind > b->kind ? a->kind : b->kind;
    } else if ((a->kind == GEN_SR_FLOAT || a->kind == GEN_SR_DOUBLE) &&
               (b->kind == GEN_SR_FLOAT || b->kind == GEN_SR_DOUBLE)) {
        t.kind = GEN_SR_DOUBLE;
    } else if ((a->kind == GEN_SR_DECIMAL || is_int(a->kind)) &&
               (b->kind == GEN_SR_DECIMAL || is_int(b->kind))) {
        unsigned ai = a->kind == GEN_SR_DECIMAL ? a->precision - a->scale : int_digits(a->kind);
        unsigned bi = b->kind == GEN_SR_DECIMAL ? b->precision - b->scale : int_digits(b->kind);
        unsigned s = a->scale > b->scale ? a->scale : b->scale;
        unsigned p = (ai > bi ? ai : bi) + s;
        memset(&t, 0, sizeof t);
        if (p <= 38) {
            t.kind = GEN_SR_DECIMAL;
            t.precision = p;
            t.scale = s;
        } else {
            set_type(&t, GEN_SR_VARCHAR, p + 2);
        }
    } else if ((a->kind == GEN_SR_DATE || a->kind == GEN_SR_DATETIME) &&
               (b->kind == GEN_SR_DATE || b->kind == GEN_SR_DATETIME)) {
        t.kind = GEN_SR_DATETIME;
    } else if (is_text(a->kind) && is_text(b->kind)) {
        unsigned la = text_len(a), lb = text_len(b);
        unsigned len = la > lb ? la : lb;
        if (a->kind == GEN_SR_STRING && b->kind == GEN_SR_STRING)
            set_type(&t, GEN_SR_STRING, 0);
        else
            set_type(
                &t, a->kind == GEN_SR_CHAR && b->kind == GEN_SR_CHAR ? GEN_SR_CHAR : GEN_SR_VARCHAR,
                len);
    } else if (a->kind == GEN_SR_VARBINARY && b->kind == GEN_SR_VARBINARY) {
        t.len = a->len > b->len ? a->len : b->len;
    } else {
        char x[64], y[64];
        gen_sr_type_format(a, x, sizeof x);
        gen_sr_type_format(b, y, sizeof y);
        return rt_err_set(err, RT_EINVAL, "types %s and %s have no common StarRocks type", x, y);
    }
    *out = t;
    return 0;
}
