/* Cells of MySQL's text protocol (what a plain SELECT returns) converted to rt_values: the
 * snapshot's counterpart of mysql_value.h, producing the same rt_value the binlog decoder gives
 * for the same stored value, so a row read by the snapshot and the same row in the binlog agree. */
#ifndef SLUICE_OPERATORS_MYSQL_TEXT_VALUE_H
#define SLUICE_OPERATORS_MYSQL_TEXT_VALUE_H

#include <stddef.h>

#include "operators/basic/sql_type.h"
#include "operators/mysql/time_zone.h"
#include "runtime/base/errors.h"
#include "runtime/batch.h"
#include "runtime/table.h"
#include "runtime/value.h"

/* Converts one cell of a column of type t into *out. text is NULL for SQL NULL, else len bytes
 * (binary safe). `type` is the value type the column carries (rt_column.type; normally t->type,
 * BYTES for a character column with the binary charset). Mapping, as op_mysql_cell_to_value:
 * integers -> INT, or UINT when unsigned; YEAR -> INT (0000 -> 0); BIT (the server sends its
 * bytes big-endian) -> UINT; FLOAT -> DOUBLE of the shortest text that reads back as the same
 * float; DOUBLE -> DOUBLE (the server prints FLOAT with 6 digits and DOUBLE(M,D) with D
 * decimals: give the text of CAST(x AS DOUBLE), as op_snapshot_chunk_read does); DECIMAL ->
 * DECIMAL text with exactly t->scale fraction digits; DATE/TIME/DATETIME/TIMESTAMP ->
 * DATE/TIME/DATETIME as sent (the session runs in UTC, so a TIMESTAMP reads as UTC, as the
 * binlog stores it; zero dates stay zeros); character, text, ENUM and SET -> STRING (ENUM/SET
 * as their label text), binary and blob kinds -> BYTES (BINARY(n) as SELECT shows it, padded
 * with 0x00 to n bytes), spatial types -> BYTES as sent (SRID + WKB), JSON -> JSON; text is
 * copied into b's arena. Split bounds use this form as it is (a TIMESTAMP bound stays UTC, as
 * the session compares it); rows get op_text_row_decode's. `column` names the column in
 * messages. Errors: RT_ECORRUPT "column 'd' (date): malformed value \"2024-13-01\"",
 * RT_ENOMEM. *out is written on success only. */
int op_text_value_parse(const op_sql_type *t, rt_type type, const char *column, const char *text,
                        size_t len, rt_batch *b, rt_value *out, rt_err *err);

/* The parsed types of a table's columns, to convert whole rows. Immutable once built. */
typedef struct op_text_row op_text_row;

/* Parses the sql_type of every column of t (borrowed; must outlive the result). tz is the
 * server_time_zone TIMESTAMP values are rendered in (borrowed, must outlive the result; NULL:
 * UTC). RT_EINVAL when a column has no sql_type or one op_sql_type_parse refuses. Free with
 * op_text_row_free. */
int op_text_row_new(const rt_table *t, const op_mysql_time_zone *tz, op_text_row **out,
                    rt_err *err);
void op_text_row_free(op_text_row *r);

/* Converts a row of rt_table_column_count(t) cells (values[i] NULL for SQL NULL) into rec, a
 * record of b for the same table, each value as op_text_value_parse gives it, then as the
 * binlog phase gives it too: TIMESTAMP as the wall time in tz (op_mysql_timestamp_civil at the
 * zone's offset at that instant), spatial values as WKB (op_mysql_value_conform). On error the
 * record's values are partly written. */
int op_text_row_decode(const op_text_row *r, const char *const *values,
                       const unsigned long *lengths, rt_batch *b, rt_record *rec, rt_err *err);

#endif
