/* MySQL column type codes: names, TABLE_MAP metadata sizes (notes/binlog.md 3.1, from MySQL
 * Table_map_log_event::save_field_metadata and each Field's do_save_field_metadata) and the
 * column classes the optional metadata counts (notes 3.3). */
#include "operators/mysql/column_type.h"

#include <stddef.h>

static const char *const names[256] = {
    [OP_MYSQL_TYPE_DECIMAL] = "DECIMAL",
    [OP_MYSQL_TYPE_TINY] = "TINY",
    [OP_MYSQL_TYPE_SHORT] = "SHORT",
    [OP_MYSQL_TYPE_LONG] = "LONG",
    [OP_MYSQL_TYPE_FLOAT] = "FLOAT",
    [OP_MYSQL_TYPE_DOUBLE] = "DOUBLE",
    [OP_MYSQL_TYPE_NULL] = "NULL",
    [OP_MYSQL_TYPE_TIMESTAMP] = "TIMESTAMP",
    [OP_MYSQL_TYPE_LONGLONG] = "LONGLONG",
    [OP_MYSQL_TYPE_INT24] = "INT24",
    [OP_MYSQL_TYPE_DATE] = "DATE",
    [OP_MYSQL_TYPE_TIME] = "TIME",
    [OP_MYSQL_TYPE_DATETIME] = "DATETIME",
    [OP_MYSQL_TYPE_YEAR] = "YEAR",
    [OP_MYSQL_TYPE_NEWDATE] = "NEWDATE",
    [OP_MYSQL_TYPE_VARCHAR] = "VARCHAR",
    [OP_MYSQL_TYPE_BIT] = "BIT",
    [OP_MYSQL_TYPE_TIMESTAMP2] = "TIMESTAMP2",
    [OP_MYSQL_TYPE_DATETIME2] = "DATETIME2",
    [OP_MYSQL_TYPE_TIME2] = "TIME2",
    [OP_MYSQL_TYPE_VECTOR] = "VECTOR",
    [OP_MYSQL_TYPE_JSON] = "JSON",
    [OP_MYSQL_TYPE_NEWDECIMAL] = "NEWDECIMAL",
    [OP_MYSQL_TYPE_ENUM] = "ENUM",
    [OP_MYSQL_TYPE_SET] = "SET",
    [OP_MYSQL_TYPE_TINY_BLOB] = "TINY_BLOB",
    [OP_MYSQL_TYPE_MEDIUM_BLOB] = "MEDIUM_BLOB",
    [OP_MYSQL_TYPE_LONG_BLOB] = "LONG_BLOB",
    [OP_MYSQL_TYPE_BLOB] = "BLOB",
    [OP_MYSQL_TYPE_VAR_STRING] = "VAR_STRING",
    [OP_MYSQL_TYPE_STRING] = "STRING",
    [OP_MYSQL_TYPE_GEOMETRY] = "GEOMETRY",
};

const char *op_mysql_type_name(unsigned type)
{
    return type < 256 ? names[type] : NULL;
}

int op_mysql_type_meta_size(unsigned type)
{
    switch (type) {
    case OP_MYSQL_TYPE_DECIMAL:
    case OP_MYSQL_TYPE_TINY:
    case OP_MYSQL_TYPE_SHORT:
    case OP_MYSQL_TYPE_LONG:
    case OP_MYSQL_TYPE_NULL:
    case OP_MYSQL_TYPE_TIMESTAMP:
    case OP_MYSQL_TYPE_LONGLONG:
    case OP_MYSQL_TYPE_INT24:
    case OP_MYSQL_TYPE_DATE:
    case OP_MYSQL_TYPE_TIME:
    case OP_MYSQL_TYPE_DATETIME:
    case OP_MYSQL_TYPE_YEAR:
    case OP_MYSQL_TYPE_NEWDATE:
        return 0;
    case OP_MYSQL_TYPE_FLOAT:
    case OP_MYSQL_TYPE_DOUBLE:
    case OP_MYSQL_TYPE_TIMESTAMP2:
    case OP_MYSQL_TYPE_DATETIME2:
    case OP_MYSQL_TYPE_TIME2:
    case OP_MYSQL_TYPE_VECTOR:
    case OP_MYSQL_TYPE_JSON:
    case OP_MYSQL_TYPE_TINY_BLOB:
    case OP_MYSQL_TYPE_MEDIUM_BLOB:
    case OP_MYSQL_TYPE_LONG_BLOB:
    case OP_MYSQL_TYPE_BLOB:
    case OP_MYSQL_TYPE_GEOMETRY:
        return 1;
    case OP_MYSQL_TYPE_VARCHAR:
    case OP_MYSQL_TYPE_BIT:
    case OP_MYSQL_TYPE_NEWDECIMAL:
    case OP_MYSQL_TYPE_ENUM:
    case OP_MYSQL_TYPE_SET:
    case OP_MYSQL_TYPE_VAR_STRING:
    case OP_MYSQL_TYPE_STRING:
        return 2;
    default:
        return -1;
    }
}

bool op_mysql_type_is_numeric(unsigned type)
{
    switch (type) {
    case OP_MYSQL_TYPE_DECIMAL:
    case OP_MYSQL_TYPE_TINY:
    case OP_MYSQL_TYPE_SHORT:
    case OP_MYSQL_TYPE_LONG:
    case OP_MYSQL_TYPE_FLOAT:
    case OP_MYSQL_TYPE_DOUBLE:
    case OP_MYSQL_TYPE_LONGLONG:
    case OP_MYSQL_TYPE_INT24:
    case OP_MYSQL_TYPE_YEAR:
    case OP_MYSQL_TYPE_NEWDECIMAL:
        return true;
    default:
        return false;
    }
}

bool op_mysql_type_is_character(unsigned type, unsigned real_type, bool mariadb)
{
    switch (type) {
    case OP_MYSQL_TYPE_STRING:
        return real_type != OP_MYSQL_TYPE_ENUM && real_type != OP_MYSQL_TYPE_SET;
    case OP_MYSQL_TYPE_VARCHAR:
    case OP_MYSQL_TYPE_VAR_STRING:
    case OP_MYSQL_TYPE_TINY_BLOB:
    case OP_MYSQL_TYPE_MEDIUM_BLOB:
    case OP_MYSQL_TYPE_LONG_BLOB:
    case OP_MYSQL_TYPE_BLOB:
    case OP_MYSQL_TYPE_VECTOR: /* a binary string type: MySQL 9 lists its collation (63) */
        return true;
    case OP_MYSQL_TYPE_GEOMETRY:
        /* MariaDB lists a collation (63 binary) for geometry columns, MySQL does not
         * (go-mysql TestTableMapHelperMaps; notes 3.3). */
        return mariadb;
    default:
        return false;
    }
}
