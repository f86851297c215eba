/* Fits a value decoded from the binlog (or read by SELECT) to what SELECT shows for the column's
 * schema type, where the stored form and the shown form differ: BINARY(n) padded back to n bytes
 * (the binlog drops trailing 0x00), spatial values as standard WKB (without MySQL's SRID
 * prefix). Pure functions. */
#ifndef SLUICE_OPERATORS_MYSQL_VALUE_CONFORM_H
#define SLUICE_OPERATORS_MYSQL_VALUE_CONFORM_H

#include "operators/basic/sql_type.h"
#include "runtime/base/errors.h"
#include "runtime/batch.h"
#include "runtime/value.h"

/* Conforms *v, a value of a column of type t, in place: BINARY(n) BYTES shorter than n get
 * 0x00 up to n bytes (copied into b's arena); a spatial type's BYTES lose their 4-byte SRID
 * (v then points 4 bytes further into the same memory: call this once per value). Every other
 * value, and NULL, is left as it is. RT_ECORRUPT for a spatial value shorter than its SRID or a
 * BINARY(n) value longer than n; RT_ENOMEM. `column` names the column in messages. */
int op_mysql_value_conform(const op_sql_type *t, const char *column, rt_batch *b, rt_value *v,
                           rt_err *err);

#endif
