/* MySQL column types: parses the type text of a column ("bigint unsigned", "decimal(18,4)",
 * "enum('a','b')", as information_schema.COLUMNS.COLUMN_TYPE or a job file writes it) into the
 * value type records carry plus the attributes that bound its values. Pure functions. */
#ifndef SLUICE_OPERATORS_BASIC_SQL_TYPE_H
#define SLUICE_OPERATORS_BASIC_SQL_TYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/base/buf.h"
#include "runtime/base/errors.h"
#include "runtime/value.h"

typedef enum op_sql_kind {
    OP_SQL_TINYINT,
    OP_SQL_SMALLINT,
    OP_SQL_MEDIUMINT,
    OP_SQL_INT,
    OP_SQL_BIGINT,
    OP_SQL_DECIMAL,
    OP_SQL_FLOAT,
    OP_SQL_DOUBLE,
    OP_SQL_CHAR,
    OP_SQL_VARCHAR,
    OP_SQL_TINYTEXT,
    OP_SQL_TEXT,
    OP_SQL_MEDIUMTEXT,
    OP_SQL_LONGTEXT,
    OP_SQL_BINARY,
    OP_SQL_VARBINARY,
    OP_SQL_TINYBLOB,
    OP_SQL_BLOB,
    OP_SQL_MEDIUMBLOB,
    OP_SQL_LONGBLOB,
    OP_SQL_DATE,
    OP_SQL_TIME,
    OP_SQL_DATETIME,
    OP_SQL_TIMESTAMP,
    OP_SQL_YEAR,
    OP_SQL_JSON,
    OP_SQL_ENUM,
    OP_SQL_SET,
    OP_SQL_BIT,
    /* Spatial types (OP_SQL_GEOMETRY..OP_SQL_GEOMETRYCOLLECTION): values are WKB bytes. */
    OP_SQL_GEOMETRY,
    OP_SQL_POINT,
    OP_SQL_LINESTRING,
    OP_SQL_POLYGON,
    OP_SQL_MULTIPOINT,
    OP_SQL_MULTILINESTRING,
    OP_SQL_MULTIPOLYGON,
    OP_SQL_GEOMETRYCOLLECTION,
} op_sql_kind;

/* "tinyint", "smallint", ..., "bit": the MySQL keyword in lower case. */
const char *op_sql_kind_name(op_sql_kind k);

/* A parsed column type. Caller-allocated; release with op_sql_type_fini. */
typedef struct op_sql_type {
    op_sql_kind kind;
    rt_type type;     /* the value type records carry (see op_sql_type_parse) */
    bool is_unsigned; /* integers, DECIMAL, FLOAT, DOUBLE: UNSIGNED (ZEROFILL implies it) */
    /* CHAR/VARCHAR: characters; BINARY/VARBINARY: bytes; TEXT and BLOB kinds: their maximum
     * length in bytes (255, 65535, 16777215, 4294967295); BIT: bits (1..64); integers: the
     * display width, 0 when none was given. */
    uint32_t length;
    /* DECIMAL: precision 1..65 and scale 0..30 (DECIMAL = (10,0), DECIMAL(p) = (p,0)).
     * FLOAT/DOUBLE: the deprecated (M,D) when given, else both 0. */
    uint8_t precision;
    uint8_t scale;
    uint8_t fsp;         /* TIME, DATETIME, TIMESTAMP: fractional second digits 0..6 */
    char **members;      /* ENUM, SET: the members, unquoted, in declaration order (owned) */
    size_t member_count; /* ENUM 1..65535, SET 1..64 */
} op_sql_type;

/* Parses MySQL column type text, case-insensitively: TINYINT SMALLINT MEDIUMINT INT BIGINT
 * (and INTEGER, INT1..INT8, BOOL, BOOLEAN, SERIAL), with display width and UNSIGNED / SIGNED /
 * ZEROFILL; DECIMAL(p,s) (DEC, NUMERIC, FIXED); FLOAT, FLOAT(p), DOUBLE [PRECISION], REAL;
 * CHAR(n) VARCHAR(n) TINYTEXT TEXT[(n)] MEDIUMTEXT LONGTEXT (with CHARACTER SET / COLLATE, which
 * are ignored); BINARY(n) VARBINARY(n) TINYBLOB BLOB[(n)] MEDIUMBLOB LONGBLOB; DATE TIME(fsp)
 * DATETIME(fsp) TIMESTAMP(fsp) YEAR; JSON; ENUM('a',...) and SET('a',...) with '' and backslash
 * escapes; BIT(n); GEOMETRY POINT LINESTRING POLYGON MULTIPOINT MULTILINESTRING MULTIPOLYGON
 * GEOMETRYCOLLECTION (and GEOMCOLLECTION), with an optional SRID n, which is dropped.
 *
 * Value types: signed integers and YEAR -> INT; unsigned integers and BIT -> UINT; DECIMAL ->
 * DECIMAL; FLOAT, DOUBLE -> DOUBLE; character, text, ENUM and SET -> STRING; binary and blob
 * kinds and the spatial types -> BYTES; DATE -> DATE; TIME -> TIME; DATETIME, TIMESTAMP ->
 * DATETIME; JSON -> JSON.
 *
 * Returns 0 with *out set, or RT_EINVAL naming the text and the problem (unknown type, missing
 * or out-of-range length, trailing words). */
int op_sql_type_parse(const char *text, op_sql_type *out, rt_err *err);
/* Frees the members. The struct may be parsed into again. NULL is a no-op. */
void op_sql_type_fini(op_sql_type *t);

/* Appends the canonical text: lower case, "int unsigned", "decimal(18,4)", "varchar(64)",
 * "datetime(6)", "enum('a','b')". Parsing it gives the same type. */
void op_sql_type_format(const op_sql_type *t, rt_buf *out);

/* TINYINT, SMALLINT, MEDIUMINT, INT or BIGINT (signed or not). */
bool op_sql_type_is_integer(const op_sql_type *t);
/* GEOMETRY, POINT, ..., GEOMETRYCOLLECTION. */
bool op_sql_type_is_spatial(const op_sql_type *t);
/* The value range of an integer type: [min, max] (min is 0 when unsigned). */
int64_t op_sql_type_int_min(const op_sql_type *t);
uint64_t op_sql_type_int_max(const op_sql_type *t);

#endif
