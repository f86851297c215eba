/* MySQL column type codes as binlog TABLE_MAP events write them (MySQL field_types.h
 * enum_field_types; notes/binlog.md 3.1), their names, and the per-type facts the TABLE_MAP
 * decoder needs: how many metadata bytes each carries and which columns the optional metadata's
 * per-"numeric" and per-"character" lists count. */
#ifndef SLUICE_OPERATORS_MYSQL_COLUMN_TYPE_H
#define SLUICE_OPERATORS_MYSQL_COLUMN_TYPE_H

#include <stdbool.h>

typedef enum op_mysql_type {
    OP_MYSQL_TYPE_DECIMAL = 0, /* pre-5.0 DECIMAL */
    OP_MYSQL_TYPE_TINY = 1,
    OP_MYSQL_TYPE_SHORT = 2,
    OP_MYSQL_TYPE_LONG = 3,
    OP_MYSQL_TYPE_FLOAT = 4,
    OP_MYSQL_TYPE_DOUBLE = 5,
    OP_MYSQL_TYPE_NULL = 6,
    OP_MYSQL_TYPE_TIMESTAMP = 7, /* pre-5.6.4 formats: 7, 10..12 */
    OP_MYSQL_TYPE_LONGLONG = 8,
    OP_MYSQL_TYPE_INT24 = 9,
    OP_MYSQL_TYPE_DATE = 10,
    OP_MYSQL_TYPE_TIME = 11,
    OP_MYSQL_TYPE_DATETIME = 12,
    OP_MYSQL_TYPE_YEAR = 13,
    OP_MYSQL_TYPE_NEWDATE = 14,
    OP_MYSQL_TYPE_VARCHAR = 15,
    OP_MYSQL_TYPE_BIT = 16,
    OP_MYSQL_TYPE_TIMESTAMP2 = 17,
    OP_MYSQL_TYPE_DATETIME2 = 18,
    OP_MYSQL_TYPE_TIME2 = 19,
    OP_MYSQL_TYPE_VECTOR = 242, /* MySQL 9 */
    OP_MYSQL_TYPE_JSON = 245,   /* MySQL binary JSON; MariaDB writes JSON as BLOB (LONGTEXT) */
    OP_MYSQL_TYPE_NEWDECIMAL = 246,
    OP_MYSQL_TYPE_ENUM = 247, /* only as the real type inside STRING metadata */
    OP_MYSQL_TYPE_SET = 248,  /* idem */
    OP_MYSQL_TYPE_TINY_BLOB = 249,
    OP_MYSQL_TYPE_MEDIUM_BLOB = 250,
    OP_MYSQL_TYPE_LONG_BLOB = 251,
    OP_MYSQL_TYPE_BLOB = 252, /* every BLOB and TEXT size */
    OP_MYSQL_TYPE_VAR_STRING = 253,
    OP_MYSQL_TYPE_STRING = 254, /* CHAR, BINARY, and ENUM/SET through the metadata */
    OP_MYSQL_TYPE_GEOMETRY = 255,
} op_mysql_type;

/* "LONG", "VARCHAR", "TIME2", "NEWDECIMAL", ...; NULL for a code MySQL does not define. */
const char *op_mysql_type_name(unsigned type);
/* Metadata bytes a TABLE_MAP carries for a column of this type (0, 1 or 2); -1 for a code this
 * decoder does not know, whose metadata cannot be skipped. */
int op_mysql_type_meta_size(unsigned type);
/* Counted by the SIGNEDNESS optional metadata: integers, FLOAT, DOUBLE, DECIMAL and YEAR. */
bool op_mysql_type_is_numeric(unsigned type);
/* Counted by the charset optional metadata: CHAR/BINARY (not ENUM/SET), VARCHAR, BLOB/TEXT,
 * VECTOR, and, on MariaDB, GEOMETRY. real_type is the STRING column's type from its metadata. */
bool op_mysql_type_is_character(unsigned type, unsigned real_type, bool mariadb);

#endif
