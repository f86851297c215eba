/* TABLE_MAP_EVENT decoding: post-header, names, column types, per-column metadata, null bitmap
 * and the optional metadata TLVs (notes/binlog.md 3.1-3.3; MySQL rows_event.h Table_map_event and
 * its optional-metadata reference; MariaDB table_map_event page). */
#include "operators/mysql/table_map.h"

#include <stdlib.h>
#include <string.h>

#include "operators/mysql/byte_cursor.h"

/* One column plus what the map owns for it. */
typedef struct map_column {
    op_mysql_column pub;
    char *own_name;    /* overlay name (malloc), else NULL */
    char **own_labels; /* labels pointer array followed by the strings, one malloc */
} map_column;

struct op_table_map {
    uint64_t id;
    uint16_t flags;
    char *schema, *table; /* into strings */
    size_t ncols;
    map_column *cols;
    uint8_t *body; /* copy of the event body, for op_table_map_same_body */
    size_t body_len;
    const uint8_t *metadata; /* into body */
    size_t metadata_len;
    uint32_t fields_seen;          /* bit f: optional field f was present */
    uint32_t default_collation[2]; /* DEFAULT_CHARSET, ENUM_AND_SET_DEFAULT_CHARSET */
    uint32_t *pk_cols, *pk_prefix;
    size_t pk_count;
    char *strings; /* names from the event, NUL-terminated, sized from the body */
    size_t strings_len, strings_cap;
};

static const char *const field_names[] = {
    [OP_TM_SIGNEDNESS] = "SIGNEDNESS",
    [OP_TM_DEFAULT_CHARSET] = "DEFAULT_CHARSET",
    [OP_TM_COLUMN_CHARSET] = "COLUMN_CHARSET",
    [OP_TM_COLUMN_NAME] = "COLUMN_NAME",
    [OP_TM_SET_STR_VALUE] = "SET_STR_VALUE",
    [OP_TM_ENUM_STR_VALUE] = "ENUM_STR_VALUE",
    [OP_TM_GEOMETRY_TYPE] = "GEOMETRY_TYPE",
    [OP_TM_SIMPLE_PRIMARY_KEY] = "SIMPLE_PRIMARY_KEY",
    [OP_TM_PRIMARY_KEY_WITH_PREFIX] = "PRIMARY_KEY_WITH_PREFIX",
    [OP_TM_ENUM_AND_SET_DEFAULT_CHARSET] = "ENUM_AND_SET_DEFAULT_CHARSET",
    [OP_TM_ENUM_AND_SET_COLUMN_CHARSET] = "ENUM_AND_SET_COLUMN_CHARSET",
    [OP_TM_COLUMN_VISIBILITY] = "COLUMN_VISIBILITY",
    [OP_TM_VECTOR_DIMENSIONALITY] = "VECTOR_DIMENSIONALITY",
};

const char *op_table_map_field_name(unsigned field)
{
    return field < sizeof field_names / sizeof field_names[0] ? field_names[field] : NULL;
}

void op_table_map_free(op_table_map *tm)
{
    if (!tm)
        return;
    for (size_t i = 0; tm->cols && i < tm->ncols; i++) {
        free(tm->cols[i].own_name);
        free(tm->cols[i].own_labels);
    }
    free(tm->cols);
    free(tm->body);
    free(tm->pk_cols);
    free(tm->pk_prefix);
    free(tm->strings);
    free(tm);
}

/* Copies len bytes into the string store; the store was sized from the body, so it never
 * overflows (every stored string is a distinct run of body bytes plus its NUL). */
static char *store(op_table_map *tm, const uint8_t *p, size_t len)
{
    RT_ASSERT(tm->strings_len + len + 1 <= tm->strings_cap);
    char *s = tm->strings + tm->strings_len;
    memcpy(s, p, len);
    s[len] = '\0';
    tm->strings_len += len + 1;
    return s;
}

/* A u8-length name followed by a NUL (schema and table names). */
static int read_name(op_table_map *tm, op_cursor *c, char **out, const char *what, rt_err *err)
{
    uint8_t n;
    const uint8_t *p, *nul;
    if (!op_cursor_u8(c, &n) || !op_cursor_bytes(c, n, &p) || !op_cursor_bytes(c, 1, &nul))
        return rt_err_set(err, RT_ECORRUPT, "TABLE_MAP_EVENT: %s name: truncated", what);
    if (*nul != 0)
        return rt_err_set(err, RT_ECORRUPT, "TABLE_MAP_EVENT: %s name is not NUL-terminated", what);
    *out = store(tm, p, n);
    return 0;
}

/* Derives the typed fields of one column from its metadata bytes (notes 3.1, 3.2). */
static int column_meta(op_mysql_column *c, size_t i, rt_err *err)
{
    const uint8_t *m = c->meta;
    c->real_type = c->type;
    switch (c->type) {
    case OP_MYSQL_TYPE_VARCHAR:
    case OP_MYSQL_TYPE_VAR_STRING:
        c->max_length = (uint32_t)op_get_le(m, 2);
        break;
    case OP_MYSQL_TYPE_STRING:
        /* Field_string::do_save_field_metadata: the two high bits of a max length above 255
         * are XORed into the type byte, whose low nibble pattern 0x30 is otherwise fixed. */
        if ((m[0] & 0x30) != 0x30) {
            c->real_type = m[0] | 0x30;
            c->max_length = m[1] | ((uint32_t)((m[0] & 0x30) ^ 0x30) << 4);
        } else {
            c->real_type = m[0];
            c->max_length = m[1];
        }
        if (c->real_type == OP_MYSQL_TYPE_ENUM || c->real_type == OP_MYSQL_TYPE_SET) {
            c->length_bytes = m[1];
            c->max_length = 0;
            unsigned max = c->real_type == OP_MYSQL_TYPE_ENUM ? 2 : 8;
            if (c->length_bytes < 1 || c->length_bytes > max)
                return rt_err_set(err, RT_ECORRUPT, "TABLE_MAP_EVENT: column %zu: %s of %u bytes",
                                  i + 1, op_mysql_type_name(c->real_type), c->length_bytes);
        } else if (c->real_type != OP_MYSQL_TYPE_STRING &&
                   c->real_type != OP_MYSQL_TYPE_VAR_STRING) {
            return rt_err_set(err, RT_ECORRUPT,
                              "TABLE_MAP_EVENT: column %zu: STRING metadata names type %u", i + 1,
                              c->real_type);
        }
        break;
    case OP_MYSQL_TYPE_ENUM:
    case OP_MYSQL_TYPE_SET:
        c->length_bytes = m[1];
        if (c->length_bytes < 1 || c->length_bytes > 8)
            return rt_err_set(err, RT_ECORRUPT, "TABLE_MAP_EVENT: column %zu: %s of %u bytes",
                              i + 1, op_mysql_type_name(c->type), c->length_bytes);
        break;
    case OP_MYSQL_TYPE_BIT:
        c->bits = (uint8_t)(m[1] * 8 + m[0]);
        if (m[0] > 7 || m[1] > 8 || c->bits == 0 || m[1] * 8 + m[0] > 64)
            return rt_err_set(err, RT_ECORRUPT, "TABLE_MAP_EVENT: column %zu: BIT metadata %u/%u",
                              i + 1, m[0], m[1]);
        break;
    case OP_MYSQL_TYPE_NEWDECIMAL:
        c->precision = m[0];
        c->scale = m[1];
        if (c->precision < 1 || c->precision > 65 || c->scale > 30 || c->scale > c->precision)
            return rt_err_set(err, RT_ECORRUPT, "TABLE_MAP_EVENT: column %zu: DECIMAL(%u,%u)",
                              i + 1, c->precision, c->scale);
        break;
    case OP_MYSQL_TYPE_TIMESTAMP2:
    case OP_MYSQL_TYPE_DATETIME2:
    case OP_MYSQL_TYPE_TIME2:
        c->fsp = m[0];
        if (c->fsp > 6)
            return rt_err_set(err, RT_ECORRUPT, "TABLE_MAP_EVENT: column %zu: %s(%u)", i + 1,
                              op_mysql_type_name(c->type), c->fsp);
        break;
    case OP_MYSQL_TYPE_BLOB:
    case OP_MYSQL_TYPE_TINY_BLOB:
    case OP_MYSQL_TYPE_MEDIUM_BLOB:
    case OP_MYSQL_TYPE_LONG_BLOB:
    case OP_MYSQL_TYPE_JSON:
    case OP_MYSQL_TYPE_GEOMETRY:
    case OP_MYSQL_TYPE_VECTOR:
        c->length_bytes = m[0];
        if (c->length_bytes < 1 || c->length_bytes > 4)
            return rt_err_set(err, RT_ECORRUPT,
                              "TABLE_MAP_EVENT: column %zu: %s with a %u-byte length", i + 1,
                              op_mysql_type_name(c->type), c->length_bytes);
        break;
    default:
        break;
    }
    return 0;
}

/* DEFAULT_CHARSET / ENUM_AND_SET_DEFAULT_CHARSET: a default collation, then (index, collation)
 * pairs for the columns of the class that differ. COLUMN_CHARSET / ENUM_AND_SET_COLUMN_CHARSET:
 * one collation per column of the class. idx maps class position -> column. */
static int charsets(op_table_map *tm, op_cursor f, bool per_column, const size_t *idx, size_t n,
                    uint32_t *default_out, rt_err *err)
{
    uint64_t v, pos;
    if (!per_column) {
        if (!op_cursor_lenenc(&f, &v))
            return op_cursor_truncated(err, "TABLE_MAP_EVENT: default charset");
        *default_out = (uint32_t)(v > UINT32_MAX ? UINT32_MAX : v);
        for (size_t k = 0; k < n; k++)
            tm->cols[idx[k]].pub.collation = (uint16_t)v;
        while (f.left > 0) {
            if (!op_cursor_lenenc(&f, &pos) || !op_cursor_lenenc(&f, &v))
                return op_cursor_truncated(err, "TABLE_MAP_EVENT: charset exception");
            if (pos >= n)
                return rt_err_set(err, RT_ECORRUPT,
                                  "TABLE_MAP_EVENT: charset for character column %llu of %zu",
                                  (unsigned long long)pos, n);
            tm->cols[idx[pos]].pub.collation = (uint16_t)v;
        }
        return 0;
    }
    for (size_t k = 0; k < n && f.left > 0; k++) {
        if (!op_cursor_lenenc(&f, &v))
            return op_cursor_truncated(err, "TABLE_MAP_EVENT: column charset");
        tm->cols[idx[k]].pub.collation = (uint16_t)v;
    }
    return 0;
}

/* SET_STR_VALUE / ENUM_STR_VALUE: per column of that real type, a count then lenenc strings. */
static int str_values(op_table_map *tm, op_cursor f, unsigned real_type, rt_err *err)
{
    for (size_t i = 0; i < tm->ncols && f.left > 0; i++) {
        op_mysql_column *c = &tm->cols[i].pub;
        if (c->real_type != real_type)
            continue;
        uint64_t n;
        if (!op_cursor_lenenc(&f, &n) || n > f.left)
            return op_cursor_truncated(err, "TABLE_MAP_EVENT: ENUM/SET values");
        char **labels = calloc(n ? (size_t)n : 1, sizeof *labels);
        if (!labels)
            return rt_err_set(err, RT_ENOMEM, "TABLE_MAP_EVENT: out of memory");
        for (uint64_t k = 0; k < n; k++) {
            const uint8_t *s;
            size_t len;
            if (!op_cursor_lenenc_bytes(&f, &s, &len)) {
                free(labels);
                return op_cursor_truncated(err, "TABLE_MAP_EVENT: ENUM/SET value");
            }
            labels[k] = store(tm, s, len);
        }
        free(tm->cols[i].own_labels);
        tm->cols[i].own_labels = labels;
        c->labels = (const char *const *)labels;
        c->n_labels = (uint32_t)n;
    }
    return 0;
}

/* One lenenc value per column satisfying want (GEOMETRY_TYPE, VECTOR_DIMENSIONALITY). */
static int per_type_values(op_table_map *tm, op_cursor f, unsigned type, rt_err *err)
{
    for (size_t i = 0; i < tm->ncols && f.left > 0; i++) {
        op_mysql_column *c = &tm->cols[i].pub;
        if (c->type != type)
            continue;
        uint64_t v;
        if (!op_cursor_lenenc(&f, &v))
            return op_cursor_truncated(err, "TABLE_MAP_EVENT: per-column value");
        if (type == OP_MYSQL_TYPE_GEOMETRY)
            c->geometry_type = (int8_t)(v > 127 ? 127 : v);
        else
            c->vector_dim = (uint32_t)v;
    }
    return 0;
}

static int primary_key(op_table_map *tm, op_cursor f, bool with_prefix, rt_err *err)
{
    size_t cap = f.left; /* every entry takes at least one byte */
    free(tm->pk_cols);
    free(tm->pk_prefix);
    tm->pk_cols = calloc(cap ? cap : 1, sizeof *tm->pk_cols);
    tm->pk_prefix = calloc(cap ? cap : 1, sizeof *tm->pk_prefix);
    tm->pk_count = 0;
    if (!tm->pk_cols || !tm->pk_prefix)
        return rt_err_set(err, RT_ENOMEM, "TABLE_MAP_EVENT: out of memory");
    while (f.left > 0) {
        uint64_t col, prefix = 0;
        if (!op_cursor_lenenc(&f, &col) || (with_prefix && !op_cursor_lenenc(&f, &prefix)))
            return op_cursor_truncated(err, "TABLE_MAP_EVENT: primary key");
        if (col >= tm->ncols)
            return rt_err_set(err, RT_ECORRUPT, "TABLE_MAP_EVENT: primary key column %llu of %zu",
                              (unsigned long long)col, tm->ncols);
        tm->pk_cols[tm->pk_count] = (uint32_t)col;
        tm->pk_prefix[tm->pk_count] = (uint32_t)(prefix > UINT32_MAX ? UINT32_MAX : prefix);
        tm->pk_count++;
    }
    return 0;
}

/* Optional metadata: (type u8, length lenenc, value) until the end of the body (notes 3.3).
 * Unknown types are skipped by their length: later servers add fields. */
static int optional_metadata(op_table_map *tm, op_cursor c, bool mariadb, rt_err *err)
{
    size_t *chars = calloc(tm->ncols ? tm->ncols : 1, sizeof *chars);
    size_t *enums = calloc(tm->ncols ? tm->ncols : 1, sizeof *enums);
    size_t nchars = 0, nenums = 0, nnum = 0;
    int rc = 0;
    if (!chars || !enums) {
        rc = rt_err_set(err, RT_ENOMEM, "TABLE_MAP_EVENT: out of memory");
        goto out;
    }
    for (size_t i = 0; i < tm->ncols; i++) {
        const op_mysql_column *col = &tm->cols[i].pub;
        if (op_mysql_type_is_character(col->type, col->real_type, mariadb))
            chars[nchars++] = i;
        if (col->real_type == OP_MYSQL_TYPE_ENUM || col->real_type == OP_MYSQL_TYPE_SET)
            enums[nenums++] = i;
        nnum += op_mysql_type_is_numeric(col->type);
    }
    while (c.left > 0 && rc == 0) {
        uint8_t type;
        const uint8_t *val;
        size_t n;
        if (!op_cursor_u8(&c, &type) || !op_cursor_lenenc_bytes(&c, &val, &n)) {
            rc = op_cursor_truncated(err, "TABLE_MAP_EVENT: optional metadata");
            break;
        }
        if (type < 32)
            tm->fields_seen |= UINT32_C(1) << type;
        op_cursor f = op_cursor_make(val, n);
        switch (type) {
        case OP_TM_SIGNEDNESS:
            if (n < (nnum + 7) / 8) {
                rc = op_cursor_truncated(err, "TABLE_MAP_EVENT: SIGNEDNESS");
                break;
            }
            for (size_t i = 0, k = 0; i < tm->ncols; i++) {
                if (op_mysql_type_is_numeric(tm->cols[i].pub.type))
                    tm->cols[i].pub.is_unsigned = op_bit_msb(val, k++);
            }
            break;
        case OP_TM_DEFAULT_CHARSET:
        case OP_TM_COLUMN_CHARSET:
            rc = charsets(tm, f, type == OP_TM_COLUMN_CHARSET, chars, nchars,
                          &tm->default_collation[0], err);
            break;
        case OP_TM_ENUM_AND_SET_DEFAULT_CHARSET:
        case OP_TM_ENUM_AND_SET_COLUMN_CHARSET:
            rc = charsets(tm, f, type == OP_TM_ENUM_AND_SET_COLUMN_CHARSET, enums, nenums,
                          &tm->default_collation[1], err);
            break;
        case OP_TM_COLUMN_NAME:
            for (size_t i = 0; i < tm->ncols && rc == 0; i++) {
                const uint8_t *s;
                size_t len;
                if (!op_cursor_lenenc_bytes(&f, &s, &len))
                    rc = op_cursor_truncated(err, "TABLE_MAP_EVENT: COLUMN_NAME");
                else
                    tm->cols[i].pub.name = store(tm, s, len);
            }
            break;
        case OP_TM_SET_STR_VALUE:
        case OP_TM_ENUM_STR_VALUE:
            rc = str_values(
                tm, f, type == OP_TM_SET_STR_VALUE ? OP_MYSQL_TYPE_SET : OP_MYSQL_TYPE_ENUM, err);
            break;
        case OP_TM_GEOMETRY_TYPE:
            rc = per_type_values(tm, f, OP_MYSQL_TYPE_GEOMETRY, err);
            break;
        case OP_TM_VECTOR_DIMENSIONALITY:
            rc = per_type_values(tm, f, OP_MYSQL_TYPE_VECTOR, err);
            break;
        case OP_TM_SIMPLE_PRIMARY_KEY:
        case OP_TM_PRIMARY_KEY_WITH_PREFIX:
            rc = primary_key(tm, f, type == OP_TM_PRIMARY_KEY_WITH_PREFIX, err);
            break;
        case OP_TM_COLUMN_VISIBILITY:
            if (n < (tm->ncols + 7) / 8) {
                rc = op_cursor_truncated(err, "TABLE_MAP_EVENT: COLUMN_VISIBILITY");
                break;
            }
            for (size_t i = 0; i < tm->ncols; i++)
                tm->cols[i].pub.visible = op_bit_msb(val, i);
            break;
        default:
            break;
        }
    }
out:
    free(chars);
    free(enums);
    return rc;
}

static int parse_body(op_table_map *tm, const uint8_t *body, size_t len, const op_binlog_format *f,
                      rt_err *err)
{
    op_cursor c = op_cursor_make(body, len);
    /* Table ids are 6 bytes since 5.1.4 (post-header 8), 4 bytes before (post-header 6). */
    unsigned ph = op_binlog_format_post_header_len(f, OP_BINLOG_TABLE_MAP_EVENT);
    unsigned id_len = ph == 6 ? 4 : 6;
    uint64_t v;
    if (ph != 6 && ph != 8)
        return rt_err_set(err, RT_EUNSUPPORTED, "TABLE_MAP_EVENT: post-header of %u bytes", ph);
    if (!op_cursor_le(&c, id_len, &tm->id) || !op_cursor_le(&c, 2, &v))
        return op_cursor_truncated(err, "TABLE_MAP_EVENT");
    tm->flags = (uint16_t)v;
    int rc = read_name(tm, &c, &tm->schema, "schema", err);
    if (rc == 0)
        rc = read_name(tm, &c, &tm->table, "table", err);
    if (rc)
        return rc;
    uint64_t ncols, meta_len;
    const uint8_t *types, *meta, *nulls;
    if (!op_cursor_lenenc(&c, &ncols) || ncols == 0 || ncols > c.left)
        return rt_err_set(err, RT_ECORRUPT, "TABLE_MAP_EVENT: bad column count");
    tm->ncols = (size_t)ncols;
    if (!op_cursor_bytes(&c, tm->ncols, &types) || !op_cursor_lenenc(&c, &meta_len) ||
        !op_cursor_bytes(&c, (size_t)meta_len, &meta) ||
        !op_cursor_bytes(&c, (tm->ncols + 7) / 8, &nulls))
        return op_cursor_truncated(err, "TABLE_MAP_EVENT: columns");
    tm->metadata = meta;
    tm->metadata_len = (size_t)meta_len;
    tm->cols = calloc(tm->ncols, sizeof *tm->cols);
    if (!tm->cols)
        return rt_err_set(err, RT_ENOMEM, "TABLE_MAP_EVENT: out of memory");
    op_cursor mc = op_cursor_make(meta, (size_t)meta_len);
    for (size_t i = 0; i < tm->ncols; i++) {
        op_mysql_column *col = &tm->cols[i].pub;
        col->type = types[i];
        col->is_unsigned = -1;
        col->visible = -1;
        col->geometry_type = -1;
        col->nullable = op_bit_lsb(nulls, i);
        int ms = op_mysql_type_meta_size(col->type);
        if (ms < 0)
            return rt_err_set(err, RT_EUNSUPPORTED,
                              "TABLE_MAP_EVENT %s.%s: column %zu has type "
                              "code %u, unknown to this decoder",
                              tm->schema, tm->table, i + 1, col->type);
        const uint8_t *m;
        if (!op_cursor_bytes(&mc, (size_t)ms, &m))
            return op_cursor_truncated(err, "TABLE_MAP_EVENT: column metadata");
        memcpy(col->meta, m, (size_t)ms);
        col->meta_size = (uint8_t)ms;
        if ((rc = column_meta(col, i, err)) != 0)
            return rc;
    }
    if (mc.left != 0)
        return rt_err_set(err, RT_ECORRUPT, "TABLE_MAP_EVENT: %zu metadata bytes left over",
                          mc.left);
    return optional_metadata(tm, c, f->is_mariadb, err);
}

int op_table_map_parse(const uint8_t *body, size_t len, const op_binlog_format *f,
                       op_table_map **out, rt_err *err)
{
    op_table_map *tm = calloc(1, sizeof *tm);
    if (!tm)
        return rt_err_set(err, RT_ENOMEM, "TABLE_MAP_EVENT: out of memory");
    /* Every stored string is a distinct run of body bytes plus a NUL: 2 * len bounds them. */
    tm->strings_cap = 2 * len + 2;
    tm->strings = malloc(tm->strings_cap);
    tm->body = malloc(len ? len : 1);
    if (!tm->strings || !tm->body) {
        op_table_map_free(tm);
        return rt_err_set(err, RT_ENOMEM, "TABLE_MAP_EVENT: out of memory");
    }
    memcpy(tm->body, body, len);
    tm->body_len = len;
    int rc = parse_body(tm, tm->body, len, f, err);
    if (rc) {
        op_table_map_free(tm);
        return rc;
    }
    *out = tm;
    return 0;
}

uint64_t op_table_map_id(const op_table_map *tm)
{
    return tm->id;
}

uint16_t op_table_map_flags(const op_table_map *tm)
{
    return tm->flags;
}

const char *op_table_map_schema(const op_table_map *tm)
{
    return tm->schema;
}

const char *op_table_map_table(const op_table_map *tm)
{
    return tm->table;
}

size_t op_table_map_column_count(const op_table_map *tm)
{
    return tm->ncols;
}

const op_mysql_column *op_table_map_column(const op_table_map *tm, size_t i)
{
    RT_ASSERT(i < tm->ncols);
    return &tm->cols[i].pub;
}

const uint8_t *op_table_map_metadata(const op_table_map *tm, size_t *len)
{
    *len = tm->metadata_len;
    return tm->metadata;
}

bool op_table_map_has_field(const op_table_map *tm, unsigned field)
{
    return field < 32 && (tm->fields_seen >> field) & 1;
}

uint32_t op_table_map_default_collation(const op_table_map *tm, bool enum_and_set)
{
    return tm->default_collation[enum_and_set ? 1 : 0];
}

bool op_table_map_has_optional(const op_table_map *tm)
{
    return tm->fields_seen != 0;
}

size_t op_table_map_pk_count(const op_table_map *tm)
{
    return tm->pk_count;
}

void op_table_map_pk(const op_table_map *tm, size_t i, uint32_t *column, uint32_t *prefix)
{
    RT_ASSERT(i < tm->pk_count);
    *column = tm->pk_cols[i];
    *prefix = tm->pk_prefix[i];
}

bool op_table_map_same_body(const op_table_map *tm, const uint8_t *body, size_t len)
{
    return tm->body_len == len && memcmp(tm->body, body, len) == 0;
}

static int check_col(const op_table_map *tm, size_t col, rt_err *err)
{
    if (col >= tm->ncols)
        return rt_err_set(err, RT_EINVAL, "table %s.%s has %zu columns, not %zu", tm->schema,
                          tm->table, tm->ncols, col + 1);
    return 0;
}

int op_table_map_set_column_name(op_table_map *tm, size_t col, const char *name, rt_err *err)
{
    int rc = check_col(tm, col, err);
    if (rc)
        return rc;
    char *copy = strdup(name);
    if (!copy)
        return rt_err_set(err, RT_ENOMEM, "table map: out of memory");
    free(tm->cols[col].own_name);
    tm->cols[col].own_name = copy;
    tm->cols[col].pub.name = copy;
    return 0;
}

int op_table_map_set_labels(op_table_map *tm, size_t col, const char *const *labels, size_t n,
                            rt_err *err)
{
    int rc = check_col(tm, col, err);
    if (rc)
        return rc;
    op_mysql_column *c = &tm->cols[col].pub;
    if (c->real_type != OP_MYSQL_TYPE_ENUM && c->real_type != OP_MYSQL_TYPE_SET)
        return rt_err_set(err, RT_EINVAL, "column %zu of %s.%s is not an ENUM or SET", col + 1,
                          tm->schema, tm->table);
    size_t bytes = (n ? n : 1) * sizeof(char *);
    for (size_t i = 0; i < n; i++)
        bytes += strlen(labels[i]) + 1;
    char **block = malloc(bytes);
    if (!block)
        return rt_err_set(err, RT_ENOMEM, "table map: out of memory");
    char *s = (char *)(block + (n ? n : 1));
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(labels[i]) + 1;
        memcpy(s, labels[i], l);
        block[i] = s;
        s += l;
    }
    free(tm->cols[col].own_labels);
    tm->cols[col].own_labels = block;
    c->labels = (const char *const *)block;
    c->n_labels = (uint32_t)n;
    return 0;
}

int op_table_map_set_unsigned(op_table_map *tm, size_t col, bool is_unsigned, rt_err *err)
{
    int rc = check_col(tm, col, err);
    if (rc)
        return rc;
    if (!op_mysql_type_is_numeric(tm->cols[col].pub.type))
        return rt_err_set(err, RT_EINVAL, "column %zu of %s.%s is not numeric", col + 1, tm->schema,
                          tm->table);
    tm->cols[col].pub.is_unsigned = is_unsigned;
    return 0;
}

int op_table_map_set_collation(op_table_map *tm, size_t col, uint16_t collation, rt_err *err)
{
    int rc = check_col(tm, col, err);
    if (rc)
        return rc;
    tm->cols[col].pub.collation = collation;
    return 0;
}
