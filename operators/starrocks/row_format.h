/* row_format: change records of one source table as the rows of a Stream Load body for one
 * target table: JSON lines or CSV, with the __op column of primary-key tables (notes §3, §7).
 * Pure: no I/O, no clock.
 *
 * Values are written as StarRocks parses them: integers as numbers (UINT above INT64_MAX as a
 * string of digits, which a LARGEINT / DECIMAL(20,0) column converts exactly); DECIMAL as the
 * exact digits in a string (a JSON number could be read through a double); DOUBLE with 17
 * significant digits; DATE 'YYYY-MM-DD'; DATETIME 'YYYY-MM-DD HH:MM:SS.ffffff'; TIME as the text
 * '[-]HH:MM:SS.ffffff' (StarRocks has no TIME column: it lands in a VARCHAR); JSON as the JSON
 * value itself (not a string holding it), so a JSON column stores the document; BYTES as their
 * raw bytes, so a VARBINARY column stores exactly them: in CSV as they are (enclosed when
 * needed); in JSON only when they are valid UTF-8 (a JSON string cannot carry other bytes), and
 * otherwise the row is refused with a message that points at format csv. */
#ifndef SLUICE_OPERATORS_STARROCKS_ROW_FORMAT_H
#define SLUICE_OPERATORS_STARROCKS_ROW_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#include "operators/starrocks/table_meta.h"
#include "runtime/base/buf.h"
#include "runtime/base/errors.h"
#include "runtime/batch.h"

typedef enum op_sr_format {
    OP_SR_FORMAT_JSON = 0, /* one object per line, strip_outer_array false */
    OP_SR_FORMAT_CSV = 1,  /* see OP_SR_CSV_* below */
} op_sr_format;

/* "json", "csv". */
const char *op_sr_format_name(op_sr_format f);

/* The CSV dialect, sent as Stream Load headers (notes §1.2, §7.1): fields separated by TAB,
 * records by LF, NULL as \N; a field holding the separator, a line end, '"' or '\' (and any
 * string that would read as \N) is enclosed in '"' with '"' and '\' escaped by '\'. */
#define OP_SR_CSV_COLUMN_SEPARATOR "\\x09"
#define OP_SR_CSV_ROW_DELIMITER "\\x0A"
#define OP_SR_CSV_ENCLOSE "\""
#define OP_SR_CSV_ESCAPE "\\"

typedef struct op_sr_row_format_options {
    op_sr_format format;
    op_sr_table_model model;
    /* Tables other than primary-key ones take only +I rows; with append_changes every change is
     * appended instead, with its kind ("+I", "-U", "+U", "-D") in the column `op`. */
    bool append_changes;
} op_sr_row_format_options;

typedef struct op_sr_row_format op_sr_row_format;

/* A formatter of records of source table t (borrowed: records must carry this very table) into
 * target table meta (borrowed; NULL: the target has exactly t's columns). Columns of t the target
 * lacks are left out; a primary-key target whose key column t lacks is RT_EINVAL, as is
 * append_changes when the target has no column `op`. target names the target in messages
 * ("db.table"). *out: free with op_sr_row_format_free. */
int op_sr_row_format_new(const op_sr_row_format_options *o, const rt_table *t,
                         const op_sr_table_meta *meta, const char *target, op_sr_row_format **out,
                         rt_err *err);
/* NULL is a no-op. */
void op_sr_row_format_free(op_sr_row_format *f);

/* The source table it formats. */
const rt_table *op_sr_row_format_table(const op_sr_row_format *f);
/* The value of the Stream Load `columns` header: the written columns in order, comma
 * separated, backquote-free ("id,name,__op"). Borrowed. */
const char *op_sr_row_format_columns(const op_sr_row_format *f);
/* Columns of the source table that the target lacks and that are therefore not sent. */
size_t op_sr_row_format_dropped_count(const op_sr_row_format *f);

/* Appends the row for record r (its table must be op_sr_row_format_table) to out, ending in
 * '\n', and sets *written; a -U record on a primary-key table writes nothing (the +U after it
 * carries the row) and sets *written false. Primary-key tables: +I/+U -> __op 0, -D -> __op 1.
 * Other tables: +I only, unless append_changes. RT_EINVAL for a change a duplicate-key table
 * cannot take or for BYTES that JSON cannot carry; out is then unchanged. */
int op_sr_row_format_append(op_sr_row_format *f, const rt_record *r, rt_buf *out, bool *written,
                            rt_err *err);
/* True when records a and b (of this formatter's table) carry equal values in every column of
 * the target's primary key; false for records of different table versions. */
bool op_sr_row_format_same_key(const op_sr_row_format *f, const rt_record *a, const rt_record *b);
/* Appends record r (a -U) as a delete of its key (__op 1) on a primary-key table; writes
 * nothing on other tables. For an update that moves a row to another key: the +U upserts the
 * new key, this removes the old one (notes §3). RT_EINVAL as op_sr_row_format_append. */
int op_sr_row_format_append_delete(op_sr_row_format *f, const rt_record *r, rt_buf *out,
                                   rt_err *err);

#endif
