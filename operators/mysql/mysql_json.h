/* MySQL's binary JSON (column type 245 in row events) as JSON text, printed the way MySQL's
 * SELECT prints a JSON value: `{"k": 1, "a": [true, null]}`, opaque DATE/TIME/DATETIME as quoted
 * strings with microseconds, DECIMAL as a number, other opaque values as
 * "base64:type<N>:<data>" (notes/binlog.md 4.4; MySQL sql/json_binary.h and json_dom.cc). Also
 * the JSON diffs of PARTIAL_UPDATE_ROWS_EVENT (notes 4.6; MySQL json_diff.h). Pure functions. */
#ifndef SLUICE_OPERATORS_MYSQL_MYSQL_JSON_H
#define SLUICE_OPERATORS_MYSQL_MYSQL_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/base/buf.h"
#include "runtime/base/errors.h"

/* Appends the text of the binary JSON document p[0..len) (type byte first). An empty document
 * (len 0, what a NOT NULL JSON column added by ALTER holds) is JSON null. Every offset and size
 * is bounded by the bytes of its container, nesting by MySQL's depth limit. RT_ECORRUPT on bad
 * bytes; out is then left as it was. */
int op_mysql_json_to_text(const uint8_t *p, size_t len, rt_buf *out, rt_err *err);

/* Appends a JSON diff vector (4-byte length, then per diff: operation u8 0 replace / 1 insert /
 * 2 remove, lenenc path, and unless remove a lenenc binary JSON value) as the JSON text
 * `[{"op": "replace", "path": "$.a", "value": 1}, ...]`. *consumed = bytes taken. */
int op_mysql_json_diff_to_text(const uint8_t *p, size_t len, rt_buf *out, size_t *consumed,
                               rt_err *err);

/* Appends the shortest text that reads back as d, MySQL style: "1.0" for integral values,
 * "1e300" for exponents. */
void op_mysql_json_double(double d, rt_buf *out);

#endif
