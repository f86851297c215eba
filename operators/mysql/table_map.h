/* TABLE_MAP_EVENT: the table a row event's table id stands for, its column types and per-column
 * metadata, and the optional metadata of MySQL 8 / MariaDB 10.5+ (signedness, charsets, names,
 * ENUM/SET members, geometry types, primary key, visibility, vector dimensions) (notes/binlog.md
 * section 3; MySQL Table_map_event page). A schema read elsewhere (information_schema) can fill
 * in what a MINIMAL/NO_LOG map lacks through the op_table_map_set_* overlays. */
#ifndef SLUICE_OPERATORS_MYSQL_TABLE_MAP_H
#define SLUICE_OPERATORS_MYSQL_TABLE_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/mysql/binlog_event.h"
#include "operators/mysql/column_type.h"
#include "runtime/base/errors.h"

/* Optional metadata field types (MySQL Table_map_event::Optional_metadata_field_type). */
typedef enum op_table_map_field {
    OP_TM_SIGNEDNESS = 1,
    OP_TM_DEFAULT_CHARSET = 2,
    OP_TM_COLUMN_CHARSET = 3,
    OP_TM_COLUMN_NAME = 4,
    OP_TM_SET_STR_VALUE = 5,
    OP_TM_ENUM_STR_VALUE = 6,
    OP_TM_GEOMETRY_TYPE = 7,
    OP_TM_SIMPLE_PRIMARY_KEY = 8,
    OP_TM_PRIMARY_KEY_WITH_PREFIX = 9,
    OP_TM_ENUM_AND_SET_DEFAULT_CHARSET = 10,
    OP_TM_ENUM_AND_SET_COLUMN_CHARSET = 11,
    OP_TM_COLUMN_VISIBILITY = 12,
    OP_TM_VECTOR_DIMENSIONALITY = 13,
} op_table_map_field;

/* "SIGNEDNESS", "COLUMN_NAME", ...; NULL for other codes. */
const char *op_table_map_field_name(unsigned field);

/* One column as the map describes it. Read-only view owned by its op_table_map. */
typedef struct op_mysql_column {
    uint8_t type;      /* op_mysql_type as the map writes it */
    uint8_t real_type; /* STRING columns: CHAR/BINARY 254, ENUM 247 or SET 248; else == type */
    uint8_t meta[2];   /* the metadata bytes as read (meta_size of them) */
    uint8_t meta_size;
    uint8_t length_bytes; /* BLOB/TEXT/JSON/GEOMETRY/VECTOR length prefix; ENUM/SET value bytes */
    uint8_t precision, scale; /* NEWDECIMAL */
    uint8_t fsp;              /* TIMESTAMP2/DATETIME2/TIME2: 0..6 */
    uint8_t bits;             /* BIT: 1..64 */
    uint32_t max_length;      /* VARCHAR and CHAR/BINARY: maximum bytes */
    bool nullable;
    int8_t is_unsigned;        /* numeric columns: 1/0 from SIGNEDNESS or the overlay; -1 unknown */
    int8_t visible;            /* 1/0 from COLUMN_VISIBILITY; -1 unknown */
    int8_t geometry_type;      /* GEOMETRY: 0 geometry, 1 point, ... 7 collection; -1 unknown */
    uint16_t collation;        /* character and ENUM/SET columns; 0 unknown; 63 = binary */
    uint32_t vector_dim;       /* VECTOR; 0 unknown */
    const char *name;          /* NULL when unknown */
    const char *const *labels; /* ENUM/SET member names in order; NULL when unknown */
    uint32_t n_labels;
} op_mysql_column;

typedef struct op_table_map op_table_map;

/* Parses a TABLE_MAP body (after the common header, without the checksum) under format f (it
 * says how long table ids are and which server wrote the map). Returns a new map in *out; free
 * with op_table_map_free. The body is copied from, not kept. RT_ECORRUPT for bytes that do not
 * describe a table, RT_EUNSUPPORTED for a column type this decoder does not know. */
int op_table_map_parse(const uint8_t *body, size_t len, const op_binlog_format *f,
                       op_table_map **out, rt_err *err);
void op_table_map_free(op_table_map *tm);

uint64_t op_table_map_id(const op_table_map *tm);
uint16_t op_table_map_flags(const op_table_map *tm);
/* NUL-terminated; borrowed from tm. */
const char *op_table_map_schema(const op_table_map *tm);
const char *op_table_map_table(const op_table_map *tm);
size_t op_table_map_column_count(const op_table_map *tm);
/* Column i (< column count). */
const op_mysql_column *op_table_map_column(const op_table_map *tm, size_t i);
/* The metadata block as the event carried it (for diagnostics). */
const uint8_t *op_table_map_metadata(const op_table_map *tm, size_t *len);
/* True when the map carried optional metadata field `field` (op_table_map_field). */
bool op_table_map_has_field(const op_table_map *tm, unsigned field);
/* The default collation DEFAULT_CHARSET (enum_and_set: ENUM_AND_SET_DEFAULT_CHARSET) declared;
 * 0 when the map did not carry that field. Per-column results are in op_mysql_column. */
uint32_t op_table_map_default_collation(const op_table_map *tm, bool enum_and_set);
/* True when it carried any optional metadata. */
bool op_table_map_has_optional(const op_table_map *tm);
/* Primary key columns (SIMPLE_PRIMARY_KEY or PRIMARY_KEY_WITH_PREFIX), in key order. */
size_t op_table_map_pk_count(const op_table_map *tm);
/* Key part i: the column index, and its prefix length (0 = the whole column). */
void op_table_map_pk(const op_table_map *tm, size_t i, uint32_t *column, uint32_t *prefix);
/* True when the bytes of two map bodies describe the same table the same way: a decoder can keep
 * its parsed map when the server sends the same TABLE_MAP again (it does, every transaction). */
bool op_table_map_same_body(const op_table_map *tm, const uint8_t *body, size_t len);

/* Overlays from a schema the caller read itself. Strings are copied. RT_EINVAL for a column
 * index out of range or an overlay that does not fit the column's type; RT_ENOMEM. */
int op_table_map_set_column_name(op_table_map *tm, size_t col, const char *name, rt_err *err);
int op_table_map_set_labels(op_table_map *tm, size_t col, const char *const *labels, size_t n,
                            rt_err *err);
int op_table_map_set_unsigned(op_table_map *tm, size_t col, bool is_unsigned, rt_err *err);
int op_table_map_set_collation(op_table_map *tm, size_t col, uint16_t collation, rt_err *err);

#endif
