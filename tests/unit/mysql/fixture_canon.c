/* Decoded binlog data in the fixtures' vocabulary, and the comparison rules for "expected"
 * (tests/fixtures/binlog/README.md, "JSON fixture format"). */
#include "tests/unit/mysql/fixture_canon.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operators/mysql/gtid.h"

#define SAFE_INT (INT64_C(1) << 53)

const char *canon_type_name(unsigned type)
{
    switch (type) {
    case OP_BINLOG_WRITE_ROWS_EVENT:
        return "WRITE_ROWS_EVENT (v2)";
    case OP_BINLOG_UPDATE_ROWS_EVENT:
        return "UPDATE_ROWS_EVENT (v2)";
    case OP_BINLOG_DELETE_ROWS_EVENT:
        return "DELETE_ROWS_EVENT (v2)";
    case OP_BINLOG_MARIADB_GTID_EVENT:
        return "GTID_EVENT (MariaDB)";
    default:
        return op_binlog_type_name(type);
    }
}

int canon_type_code(const char *name)
{
    for (unsigned t = 0; t < 256; t++) {
        const char *n = canon_type_name(t);
        if (n && strcmp(n, name) == 0)
            return (int)t;
    }
    char *end;
    long v = strtol(name, &end, 10);
    return *name && !*end && v >= 0 && v < 256 ? (int)v : -1;
}

json_t *canon_u64(uint64_t v)
{
    if (v < (uint64_t)SAFE_INT)
        return json_integer((json_int_t)v);
    char tmp[24];
    snprintf(tmp, sizeof tmp, "%" PRIu64, v);
    return json_string(tmp);
}

json_t *canon_i64(int64_t v)
{
    if (v < SAFE_INT && v > -SAFE_INT)
        return json_integer(v);
    char tmp[24];
    snprintf(tmp, sizeof tmp, "%" PRId64, v);
    return json_string(tmp);
}

json_t *canon_hex(const uint8_t *p, size_t n)
{
    char *s = malloc(2 * n + 1);
    for (size_t i = 0; i < n; i++)
        snprintf(s + 2 * i, 3, "%02x", p[i]);
    s[2 * n] = '\0';
    json_t *j = json_string(s);
    free(s);
    return j;
}

static json_t *text_of(const op_mysql_cell *c, const op_mysql_column *col)
{
    rt_buf b;
    rt_buf_init(&b);
    op_mysql_cell_format_text(c, col, &b);
    json_t *j = json_stringn(b.data ? b.data : "", b.len);
    rt_buf_fini(&b);
    return j;
}

/* Strings as strings; bytes that are not UTF-8 as {"hex": ...}. */
static json_t *bytes_of(const uint8_t *p, size_t n)
{
    json_t *s = json_stringn((const char *)(p ? p : (const uint8_t *)""), n);
    if (s)
        return s;
    return json_pack("{s:o}", "hex", canon_hex(p, n));
}

json_t *canon_cell(const op_mysql_cell *c, const op_mysql_column *col)
{
    if (c->is_null)
        return json_null();
    if (c->json_diff) {
        json_t *diff = json_loadb(c->value.s.ptr, c->value.s.len, JSON_DECODE_ANY, NULL);
        return json_pack("{s:o,s:I}", "json_diff", diff ? diff : json_string("(unparsable)"),
                         "json_length_bytes", (json_int_t)c->raw_len);
    }
    switch (c->type) {
    case OP_MYSQL_TYPE_ENUM: {
        json_t *o = json_pack("{s:o}", "enum_index", canon_u64(c->value.u));
        if (c->label)
            json_object_set_new(o, "label", json_string(c->label));
        return o;
    }
    case OP_MYSQL_TYPE_SET: {
        json_t *o = json_pack("{s:o}", "set_bits", canon_u64(c->value.u));
        if (col->labels) {
            json_t *l = json_array();
            for (unsigned i = 0; i < 64; i++) {
                if ((c->value.u >> i) & 1)
                    json_array_append_new(l, i < col->n_labels ? json_string(col->labels[i])
                                                               : json_null());
            }
            json_object_set_new(o, "labels", l);
        }
        return o;
    }
    case OP_MYSQL_TYPE_BIT:
        return json_pack("{s:o,s:o}", "bit_bytes_hex", canon_hex(c->raw, c->raw_len), "value",
                         canon_u64(c->value.u));
    case OP_MYSQL_TYPE_JSON: {
        json_t *doc = json_loadb(c->value.s.ptr, c->value.s.len, JSON_DECODE_ANY, NULL);
        return json_pack("{s:o,s:I,s:s%}", "json", doc ? doc : json_string("(unparsable)"),
                         "json_length_bytes", (json_int_t)c->raw_len, "text", c->value.s.ptr,
                         (size_t)c->value.s.len);
    }
    case OP_MYSQL_TYPE_VECTOR: {
        json_t *bytes = json_array(), *floats = json_array();
        for (uint32_t i = 0; i < c->raw_len; i++)
            json_array_append_new(bytes, json_integer(c->raw[i]));
        for (uint32_t i = 0; i + 4 <= c->raw_len; i += 4) {
            float f;
            memcpy(&f, c->raw + i, 4);
            char tmp[32];
            for (int prec = 6; prec <= 9; prec++) { /* the float's shortest decimal form */
                snprintf(tmp, sizeof tmp, "%.*g", prec, (double)f);
                if (strtof(tmp, NULL) == f)
                    break;
            }
            json_array_append_new(floats, json_real(strtod(tmp, NULL)));
        }
        return json_pack("{s:o,s:o}", "vector_bytes", bytes, "as_float32_le", floats);
    }
    case OP_MYSQL_TYPE_TIMESTAMP:
    case OP_MYSQL_TYPE_TIMESTAMP2:
        return json_pack("{s:o,s:I,s:o}", "unix_seconds", canon_i64(c->unix_seconds), "fraction",
                         (json_int_t)c->usec, "utc", text_of(c, col));
    case OP_MYSQL_TYPE_GEOMETRY:
        return json_pack("{s:o}", "wkb_hex", canon_hex(c->raw, c->raw_len));
    }
    switch (c->value.type) {
    case RT_TYPE_INT:
        return c->type == OP_MYSQL_TYPE_YEAR ? json_integer(c->value.i) : canon_i64(c->value.i);
    case RT_TYPE_UINT:
        return canon_u64(c->value.u);
    case RT_TYPE_DOUBLE:
        return json_real(c->value.d);
    case RT_TYPE_STRING:
    case RT_TYPE_BYTES:
        return bytes_of(c->raw, c->raw_len);
    default:
        return text_of(c, col);
    }
}

json_t *canon_row(const op_mysql_row *r, const op_table_map *tm)
{
    json_t *o = json_object();
    for (size_t i = 0; i < op_mysql_row_column_count(r); i++) {
        const op_mysql_cell *c = op_mysql_row_cell(r, i);
        if (!c)
            continue;
        char key[24];
        snprintf(key, sizeof key, "@%zu", i + 1);
        json_object_set_new(o, key, canon_cell(c, op_table_map_column(tm, i)));
    }
    return o;
}

/* The metadata of one column in every form the fixtures use ("value" = the bytes as an integer,
 * little-endian, which is what the plain-number form means). */
static json_t *column_meta(const op_mysql_column *c)
{
    uint64_t v = 0;
    for (int i = c->meta_size - 1; i >= 0; i--)
        v = v << 8 | c->meta[i];
    json_t *o = json_pack("{s:I}", "value", (json_int_t)v);
    switch (c->type) {
    case OP_MYSQL_TYPE_STRING: {
        char tb[8];
        snprintf(tb, sizeof tb, "0x%02x", c->meta[0]);
        json_object_set_new(o, "type_byte", json_string(tb));
        json_object_set_new(o, "real_type", json_integer(c->real_type));
        if (c->real_type == OP_MYSQL_TYPE_ENUM || c->real_type == OP_MYSQL_TYPE_SET)
            json_object_set_new(o, "pack_length", json_integer(c->length_bytes));
        else
            json_object_set_new(o, "max_length", json_integer(c->max_length));
        break;
    }
    case OP_MYSQL_TYPE_VARCHAR:
    case OP_MYSQL_TYPE_VAR_STRING:
        json_object_set_new(o, "max_length", json_integer(c->max_length));
        break;
    case OP_MYSQL_TYPE_BLOB:
    case OP_MYSQL_TYPE_TINY_BLOB:
    case OP_MYSQL_TYPE_MEDIUM_BLOB:
    case OP_MYSQL_TYPE_LONG_BLOB:
        json_object_set_new(o, "blob_length_bytes", json_integer(c->length_bytes));
        break;
    case OP_MYSQL_TYPE_BIT:
        json_object_set_new(o, "bits", json_integer(c->meta[0]));
        json_object_set_new(o, "bytes", json_integer(c->meta[1]));
        break;
    case OP_MYSQL_TYPE_TIMESTAMP2:
    case OP_MYSQL_TYPE_DATETIME2:
    case OP_MYSQL_TYPE_TIME2:
        json_object_set_new(o, "fsp", json_integer(c->fsp));
        break;
    case OP_MYSQL_TYPE_NEWDECIMAL:
        json_object_set_new(o, "precision", json_integer(c->precision));
        json_object_set_new(o, "scale", json_integer(c->scale));
        break;
    default:
        break;
    }
    return o;
}

/* A bitmap MSB first over the columns that satisfy pick, bit = flag(column). */
static json_t *msb_bitmap(const op_table_map *tm, bool (*pick)(const op_mysql_column *),
                          bool (*flag)(const op_mysql_column *))
{
    uint8_t map[64] = {0};
    size_t k = 0;
    for (size_t i = 0; i < op_table_map_column_count(tm) && k < 8 * sizeof map; i++) {
        const op_mysql_column *c = op_table_map_column(tm, i);
        if (!pick(c))
            continue;
        if (flag(c))
            map[k / 8] |= (uint8_t)(0x80 >> (k % 8));
        k++;
    }
    return canon_hex(map, (k + 7) / 8);
}

static bool is_numeric(const op_mysql_column *c)
{
    return op_mysql_type_is_numeric(c->type);
}

static bool is_unsigned(const op_mysql_column *c)
{
    return c->is_unsigned == 1;
}

static bool any_column(const op_mysql_column *c)
{
    (void)c;
    return true;
}

static bool is_visible(const op_mysql_column *c)
{
    return c->visible == 1;
}

static bool is_enum_set(const op_mysql_column *c)
{
    return c->real_type == OP_MYSQL_TYPE_ENUM || c->real_type == OP_MYSQL_TYPE_SET;
}

static json_t *names_where(const op_table_map *tm, bool (*pick)(const op_mysql_column *),
                           bool (*flag)(const op_mysql_column *))
{
    json_t *a = json_array();
    for (size_t i = 0; i < op_table_map_column_count(tm); i++) {
        const op_mysql_column *c = op_table_map_column(tm, i);
        if (pick(c) && flag(c))
            json_array_append_new(a, c->name ? json_string(c->name) : json_integer((json_int_t)i));
    }
    return a;
}

static json_t *labels_of(const op_mysql_column *c)
{
    json_t *a = json_array();
    for (uint32_t k = 0; k < c->n_labels; k++)
        json_array_append_new(a, json_string(c->labels[k]));
    return a;
}

static void field_key(char *key, size_t n, unsigned field)
{
    snprintf(key, n, "%s(%u)", op_table_map_field_name(field), field);
}

/* DEFAULT_CHARSET-style fields: the declared default and the columns that differ from it. */
static json_t *charset_field(const op_table_map *tm, bool enum_set, bool mariadb)
{
    uint32_t def = op_table_map_default_collation(tm, enum_set);
    json_t *exc = json_array(), *all = json_array();
    for (size_t i = 0, k = 0; i < op_table_map_column_count(tm); i++) {
        const op_mysql_column *c = op_table_map_column(tm, i);
        bool in =
            enum_set ? is_enum_set(c) : op_mysql_type_is_character(c->type, c->real_type, mariadb);
        if (!in)
            continue;
        json_array_append_new(all, json_integer(c->collation));
        if (c->collation != def)
            json_array_append_new(exc, json_pack("[I,I]", (json_int_t)k, (json_int_t)c->collation));
        k++;
    }
    return json_pack("{s:I,s:I,s:o,s:o}", "value", (json_int_t)def, "default_collation",
                     (json_int_t)def, "per_column_exceptions", exc, "collations", all);
}

static json_t *optional_metadata(const op_table_map *tm, bool mariadb)
{
    if (!op_table_map_has_optional(tm))
        return json_null();
    json_t *o = json_object();
    size_t n = op_table_map_column_count(tm);
    char key[64];
    for (unsigned f = 1; f < 32; f++) {
        if (!op_table_map_has_field(tm, f))
            continue;
        json_t *v = NULL;
        switch (f) {
        case OP_TM_SIGNEDNESS: {
            json_t *bits = msb_bitmap(tm, is_numeric, is_unsigned);
            v = json_pack("{s:O,s:o,s:o}", "value", bits, "bitmap_hex", bits, "unsigned_columns",
                          names_where(tm, is_numeric, is_unsigned));
            break;
        }
        case OP_TM_DEFAULT_CHARSET:
        case OP_TM_ENUM_AND_SET_DEFAULT_CHARSET:
            v = charset_field(tm, f == OP_TM_ENUM_AND_SET_DEFAULT_CHARSET, mariadb);
            break;
        case OP_TM_COLUMN_CHARSET:
        case OP_TM_ENUM_AND_SET_COLUMN_CHARSET: {
            json_t *cf = charset_field(tm, f == OP_TM_ENUM_AND_SET_COLUMN_CHARSET, mariadb);
            json_t *colls = json_object_get(cf, "collations");
            v = json_pack("{s:O,s:O}", "value", colls, "collations", colls);
            json_decref(cf);
            break;
        }
        case OP_TM_COLUMN_NAME:
            v = json_array();
            for (size_t i = 0; i < n; i++) {
                const char *nm = op_table_map_column(tm, i)->name;
                json_array_append_new(v, nm ? json_string(nm) : json_null());
            }
            break;
        case OP_TM_SET_STR_VALUE:
        case OP_TM_ENUM_STR_VALUE:
            v = json_array();
            for (size_t i = 0; i < n; i++) {
                const op_mysql_column *c = op_table_map_column(tm, i);
                unsigned want = f == OP_TM_SET_STR_VALUE ? OP_MYSQL_TYPE_SET : OP_MYSQL_TYPE_ENUM;
                if (c->real_type == want && c->labels)
                    json_array_append_new(v, labels_of(c));
            }
            break;
        case OP_TM_GEOMETRY_TYPE:
        case OP_TM_VECTOR_DIMENSIONALITY:
            v = json_array();
            for (size_t i = 0; i < n; i++) {
                const op_mysql_column *c = op_table_map_column(tm, i);
                if (f == OP_TM_GEOMETRY_TYPE && c->type == OP_MYSQL_TYPE_GEOMETRY)
                    json_array_append_new(v, json_integer(c->geometry_type));
                if (f == OP_TM_VECTOR_DIMENSIONALITY && c->type == OP_MYSQL_TYPE_VECTOR)
                    json_array_append_new(v, json_integer(c->vector_dim));
            }
            break;
        case OP_TM_SIMPLE_PRIMARY_KEY:
        case OP_TM_PRIMARY_KEY_WITH_PREFIX:
            v = json_array();
            for (size_t i = 0; i < op_table_map_pk_count(tm); i++) {
                uint32_t col, prefix;
                op_table_map_pk(tm, i, &col, &prefix);
                json_array_append_new(
                    v, f == OP_TM_SIMPLE_PRIMARY_KEY
                           ? json_integer(col)
                           : json_pack("[I,I]", (json_int_t)col, (json_int_t)prefix));
            }
            break;
        case OP_TM_COLUMN_VISIBILITY: {
            json_t *bits = msb_bitmap(tm, any_column, is_visible);
            v = json_pack("{s:O,s:o,s:o}", "value", bits, "bitmap_hex", bits, "visible_columns",
                          names_where(tm, any_column, is_visible));
            break;
        }
        default:
            v = json_string("(unknown field)");
        }
        field_key(key, sizeof key, f);
        json_object_set_new(o, key, v);
    }
    return o;
}

/* The go-mysql helper maps: column index (as a string) -> value, for columns that have it. */
static json_t *by_index(const op_table_map *tm, int what, bool mariadb)
{
    json_t *o = json_object();
    for (size_t i = 0; i < op_table_map_column_count(tm); i++) {
        const op_mysql_column *c = op_table_map_column(tm, i);
        json_t *v = NULL;
        switch (what) {
        case 0:
            if (is_numeric(c) && c->is_unsigned >= 0)
                v = json_boolean(c->is_unsigned == 1);
            break;
        case 1:
            if (op_mysql_type_is_character(c->type, c->real_type, mariadb) && c->collation)
                v = json_integer(c->collation);
            break;
        case 2:
            if (is_enum_set(c) && c->collation)
                v = json_integer(c->collation);
            break;
        case 3:
        case 4:
            if (c->real_type == (what == 3 ? OP_MYSQL_TYPE_ENUM : OP_MYSQL_TYPE_SET) && c->labels)
                v = labels_of(c);
            break;
        case 5:
            if (c->type == OP_MYSQL_TYPE_GEOMETRY && c->geometry_type >= 0)
                v = json_integer(c->geometry_type);
            break;
        }
        if (v) {
            char key[24];
            snprintf(key, sizeof key, "%zu", i);
            json_object_set_new(o, key, v);
        }
    }
    return o;
}

json_t *canon_table_map(const op_table_map *tm, bool mariadb)
{
    size_t n = op_table_map_column_count(tm), mlen;
    const uint8_t *meta = op_table_map_metadata(tm, &mlen);
    json_t *types = json_array(), *metas = json_array(), *nullable = json_array();
    json_t *names = json_array(), *enums = json_array(), *sets = json_array();
    json_t *visible = json_array(), *dims = json_array();
    bool have_names = false, have_enum = false, have_set = false;
    for (size_t i = 0; i < n; i++) {
        const op_mysql_column *c = op_table_map_column(tm, i);
        json_array_append_new(types, json_integer(c->type));
        json_array_append_new(metas, column_meta(c));
        json_array_append_new(nullable, json_boolean(c->nullable));
        json_array_append_new(names, c->name ? json_string(c->name) : json_null());
        have_names |= c->name != NULL;
        if (c->real_type == OP_MYSQL_TYPE_ENUM && c->labels) {
            json_array_append_new(enums, labels_of(c));
            have_enum = true;
        }
        if (c->real_type == OP_MYSQL_TYPE_SET && c->labels) {
            json_array_append_new(sets, labels_of(c));
            have_set = true;
        }
        if (c->visible == 1)
            json_array_append_new(visible, json_integer((json_int_t)i));
        if (c->type == OP_MYSQL_TYPE_VECTOR)
            json_array_append_new(dims, json_integer(c->vector_dim));
    }
    json_t *o = json_object();
    json_object_set_new(o, "table_id", canon_u64(op_table_map_id(tm)));
    json_object_set_new(o, "flags", json_integer(op_table_map_flags(tm)));
    json_object_set_new(o, "schema", json_string(op_table_map_schema(tm)));
    json_object_set_new(o, "table", json_string(op_table_map_table(tm)));
    json_object_set_new(o, "column_count", json_integer((json_int_t)n));
    json_object_set_new(o, "column_types", types);
    json_object_set(o, "column_meta", metas);
    json_object_set_new(o, "column_meta_decoded", metas);
    json_object_set_new(o, "metadata_hex", canon_hex(meta, mlen));
    json_object_set_new(o, "nullable", nullable);
    json_object_set_new(o, "column_names_present", json_boolean(have_names));
    json_object_set_new(o, "column_names", have_names ? names : (json_decref(names), json_null()));
    json_object_set_new(o, "enum_str_values",
                        have_enum ? enums : (json_decref(enums), json_null()));
    json_object_set_new(o, "set_str_values", have_set ? sets : (json_decref(sets), json_null()));
    json_object_set_new(o, "optional_metadata", optional_metadata(tm, mariadb));
    static const char *const maps[] = {
        "unsigned_by_column_index",           "collation_by_column_index",
        "enum_set_collation_by_column_index", "enum_str_values_by_column_index",
        "set_str_values_by_column_index",     "geometry_type_by_column_index"};
    for (int k = 0; k < 6; k++)
        json_object_set_new(o, maps[k], by_index(tm, k, mariadb));
    json_t *pk = json_array(), *prefix = json_array();
    for (size_t i = 0; i < op_table_map_pk_count(tm); i++) {
        uint32_t col, pre;
        op_table_map_pk(tm, i, &col, &pre);
        json_array_append_new(pk, json_integer(col));
        json_array_append_new(prefix, json_integer(pre));
    }
    json_object_set_new(o, "primary_key_columns", pk);
    json_object_set_new(o, "primary_key_prefix_lengths", prefix);
    char key[64] = "";
    if (op_table_map_has_field(tm, OP_TM_SIMPLE_PRIMARY_KEY))
        field_key(key, sizeof key, OP_TM_SIMPLE_PRIMARY_KEY);
    if (op_table_map_has_field(tm, OP_TM_PRIMARY_KEY_WITH_PREFIX))
        field_key(key, sizeof key, OP_TM_PRIMARY_KEY_WITH_PREFIX);
    json_object_set_new(o, "optional_field_used", key[0] ? json_string(key) : json_null());
    json_object_set_new(o, "visibility_bitmap_hex", msb_bitmap(tm, any_column, is_visible));
    json_object_set_new(o, "visible_columns", visible);
    json_object_set_new(o, "vector_dimensionality", dims);
    return o;
}
