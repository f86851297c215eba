/* The binlog fixtures' vocabulary (tests/fixtures/binlog/README.md): decoded events, table maps,
 * rows and cells written as the JSON the fixtures' "expected" fields use, and the comparison of
 * an expected value with such an actual one. Test code; jansson on purpose. */
#ifndef SLUICE_TESTS_UNIT_MYSQL_FIXTURE_CANON_H
#define SLUICE_TESTS_UNIT_MYSQL_FIXTURE_CANON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/mysql/binlog_decode.h"

/* The fixtures' (and MANIFEST.json's) name of an event type: the server's name, with " (v2)"
 * after the v2 row events and "GTID_EVENT (MariaDB)" for 162; NULL for unknown codes. */
const char *canon_type_name(unsigned type);
/* The type code of such a name, or of a decimal string ("3"); -1 when neither. */
int canon_type_code(const char *name);

/* An integer as the fixtures write it: a number below 2^53 in magnitude, else a string. */
json_t *canon_u64(uint64_t v);
json_t *canon_i64(int64_t v);
/* Lower-case hex of n bytes. */
json_t *canon_hex(const uint8_t *p, size_t n);

json_t *canon_cell(const op_mysql_cell *c, const op_mysql_column *col);
/* {"@1": cell, ...} over the columns the image carries. */
json_t *canon_row(const op_mysql_row *r, const op_table_map *tm);
json_t *canon_table_map(const op_table_map *tm, bool mariadb);
/* A decoded event (rows are iterated, a payload's inner events read from d). NULL with a
 * message in err when decoding fails. (fixture_event.c) */
json_t *canon_event(op_binlog_event *ev, op_binlog_decoder *d, rt_err *err);

/* True when actual matches expected under the fixtures' conventions (fixture_match.c);
 * otherwise false with the JSON path and both values in why. */
bool canon_match(const json_t *expected, const json_t *actual, char *why, size_t why_size);

#endif
