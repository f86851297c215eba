/* One column value of a binlog row image: decoded from its bytes by the column's type and
 * metadata (notes/binlog.md 4.3: integers, FLOAT/DOUBLE, NEWDECIMAL, temporal types old and
 * "2", strings and binary, ENUM/SET, BIT, JSON, GEOMETRY, VECTOR), kept with the MySQL-specific
 * facts a consumer may need (the type, ENUM index, SET bits, BIT width, TIMESTAMP seconds), and
 * converted to the runtime's rt_value. Pure functions. */
#ifndef SLUICE_OPERATORS_MYSQL_MYSQL_VALUE_H
#define SLUICE_OPERATORS_MYSQL_MYSQL_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/mysql/table_map.h"
#include "runtime/base/buf.h"
#include "runtime/base/errors.h"
#include "runtime/value.h"

/* A decoded cell. A small by-value struct; what it points to is borrowed (see `raw`, `label`,
 * and value.s). */
typedef struct op_mysql_cell {
    /* The natural value: TINY..LONGLONG -> INT, or UINT when the column is known unsigned;
     * YEAR -> INT (0 or 1901..2155); FLOAT/DOUBLE -> DOUBLE; NEWDECIMAL -> DECIMAL text with
     * exactly `scale` fraction digits; DATE -> DATE; TIME -> TIME; DATETIME -> DATETIME;
     * TIMESTAMP -> DATETIME in UTC (zero stays all zeros); CHAR/VARCHAR/TEXT -> STRING, or BYTES
     * when the column's collation is binary (63); BLOB/GEOMETRY (SRID + WKB)/VECTOR -> BYTES;
     * JSON -> JSON text (MySQL's binary JSON printed as MySQL prints it); ENUM -> UINT index;
     * SET -> UINT bits; BIT -> UINT. Text and bytes point into the event (raw) or, for DECIMAL
     * and MySQL JSON, into the text buffer given to the decoder. */
    rt_value value;
    uint8_t type; /* the column's real type (op_mysql_type; ENUM 247, SET 248) */
    bool is_null;
    bool json_diff;    /* PARTIAL_UPDATE_ROWS: value is the JSON text of the diff list, not a doc */
    uint8_t fsp;       /* TIME/DATETIME/TIMESTAMP fraction digits; DECIMAL scale */
    uint8_t bits;      /* BIT width */
    const char *label; /* ENUM member name when the map knows the labels, else NULL */
    int64_t unix_seconds; /* TIMESTAMP: seconds since the epoch (UTC) */
    uint32_t usec;        /* TIMESTAMP: microseconds */
    const uint8_t *raw;   /* the value's bytes in the event, after any length prefix */
    uint32_t raw_len;
    uint32_t text_off; /* for op_mysql_row: where value.s starts in the text buffer */
} op_mysql_cell;

/* Decodes the value of column col at p (len bytes available), writing *out and the bytes it
 * took to *consumed. DECIMAL and JSON text is appended to text, and out->value.s points there
 * (valid until text grows; out->text_off says where). Every length is checked against len
 * first: RT_ECORRUPT for a value that does not fit or cannot be, RT_EUNSUPPORTED for the
 * pre-5.0 DECIMAL, whose length the binlog does not carry. */
int op_mysql_value_decode(const op_mysql_column *col, const uint8_t *p, size_t len,
                          op_mysql_cell *out, size_t *consumed, rt_buf *text, rt_err *err);

/* Appends NEWDECIMAL(precision, scale) at p as text (decimal2bin of MySQL strings/decimal.cc,
 * notes 4.3), exactly `scale` fraction digits. *consumed = its binary size. */
int op_mysql_decimal_decode(const uint8_t *p, size_t len, unsigned precision, unsigned scale,
                            rt_buf *out, size_t *consumed, rt_err *err);
/* Bytes of NEWDECIMAL(precision, scale) in binary form. */
size_t op_mysql_decimal_size(unsigned precision, unsigned scale);

/* Appends the value as MySQL's SELECT prints it: TIME/DATETIME with `fsp` fraction digits,
 * YEAR with 4 digits, ENUM/SET as labels when known (else the index / bits), BIT and integers as
 * numbers, strings and bytes as they are, DOUBLE shortest. NULL appends nothing. */
void op_mysql_cell_format_text(const op_mysql_cell *c, const op_mysql_column *col, rt_buf *out);

/* The runtime value of the cell: ENUM and SET become their label text when the column's labels
 * are known (SET labels joined by ',', written to text; out may point there, valid until text
 * changes), else the index / bits as UINT; TIMESTAMP becomes DATETIME at tz_offset_sec from UTC
 * (the server_time_zone's offset at c->unix_seconds: op_mysql_time_zone_offset); everything else
 * is c->value. */
void op_mysql_cell_to_value(const op_mysql_cell *c, const op_mysql_column *col,
                            int32_t tz_offset_sec, rt_buf *text, rt_value *out);

/* Days since 1970-01-01 -> civil date (proleptic Gregorian). */
void op_mysql_civil_from_days(int64_t days, int *year, unsigned *month, unsigned *day);
/* Civil date (proleptic Gregorian) -> days since 1970-01-01. */
int64_t op_mysql_days_from_civil(int year, unsigned month, unsigned day);
/* The wall time of a TIMESTAMP (seconds since the epoch and microseconds) at offset_sec east of
 * UTC, as DATETIME fields: the one conversion both the binlog (op_mysql_cell_to_value) and the
 * snapshot (text_value.h) use. The zero TIMESTAMP (0 s, 0 us) stays all zeros. */
void op_mysql_timestamp_civil(int64_t unix_seconds, uint32_t usec, int32_t offset_sec,
                              rt_temporal *out);

#endif
