/* sr_value: StarRocks column types and values held as canonical text (what SELECT prints), with
 * conversion that validates like StarRocks' loaders (notes/starrocks-protocol.md §7). */
#ifndef SLUICE_TESTS_SR_ENDPOINT_SR_VALUE_H
#define SLUICE_TESTS_SR_ENDPOINT_SR_VALUE_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/base/errors.h"

typedef enum sr_type_kind {
    SR_TYPE_BOOLEAN,
    SR_TYPE_TINYINT,
    SR_TYPE_SMALLINT,
    SR_TYPE_INT,
    SR_TYPE_BIGINT,
    SR_TYPE_LARGEINT,
    SR_TYPE_FLOAT,
    SR_TYPE_DOUBLE,
    SR_TYPE_DECIMAL,
    SR_TYPE_DATE,
    SR_TYPE_DATETIME,
    SR_TYPE_CHAR,
    SR_TYPE_VARCHAR,
    SR_TYPE_STRING,
    SR_TYPE_JSON,
    SR_TYPE_VARBINARY,
    SR_TYPE_BINARY,
} sr_type_kind;

/* "BOOLEAN", "VARCHAR", ... Never NULL. */
const char *sr_type_kind_name(sr_type_kind kind);

/* A column type (by value). len: bytes for CHAR/VARCHAR/VARBINARY/BINARY (STRING: 65533, JSON:
 * 0 = unbounded); precision/scale for DECIMAL (1 <= precision <= 38, 0 <= scale <= precision). */
typedef struct sr_type {
    sr_type_kind kind;
    int len;
    int precision;
    int scale;
} sr_type;

/* Parses a StarRocks type name as written in DDL, case-insensitive, spaces allowed inside the
 * parentheses: "BIGINT", "INTEGER", "int(11)", "VARCHAR(20)", "varchar" (= VARCHAR(1)),
 * "DECIMAL(10, 2)", "DECIMAL" (= DECIMAL(10,0)), DECIMALV2/DECIMAL32/64/128/NUMERIC, "STRING",
 * "CHAR" (= CHAR(1)). Unknown names, MySQL-only spellings (TEXT, BLOB, TIMESTAMP...) and out-of-
 * range lengths/precisions -> RT_EINVAL with a StarRocks-like message. Writes *out on success. */
int sr_type_parse(const char *text, sr_type *out, rt_err *err);
/* Writes the type as SHOW CREATE TABLE / DESC print it, lower case: "bigint(20)", "int(11)",
 * "varchar(20)", "decimal(10,2)", "datetime", "varchar(65533)" for STRING. Always NUL-terminates
 * (size > 0). */
void sr_type_format(const sr_type *t, char *out, size_t size);
/* True for the types a PRIMARY KEY column may have (BOOLEAN, integers, LARGEINT, VARCHAR,
 * STRING, DATE, DATETIME). */
bool sr_type_is_key_allowed(const sr_type *t);

/* A value: NULL, canonical text (data[len], NUL-terminated, malloc'd, owned by whoever holds the
 * sr_value), or ABSENT (a column a partial-update row does not set). */
typedef enum sr_value_kind { SR_VALUE_NULL = 0, SR_VALUE_TEXT, SR_VALUE_ABSENT } sr_value_kind;
typedef struct sr_value {
    sr_value_kind kind;
    char *data;
    size_t len;
} sr_value;

/* Frees v's text and makes it NULL. */
void sr_value_fini(sr_value *v);
/* Deep copy into *out (caller fini's it). */
void sr_value_copy(sr_value *out, const sr_value *v);
/* A TEXT value holding a copy of data[len]. */
sr_value sr_value_text(const char *data, size_t len);

/* Converts the input text of one field into the canonical text of type t, as StarRocks' loaders
 * do (notes §7): integers range-checked, DECIMAL rounded/padded to exactly `scale` digits and
 * range-checked against precision, DATETIME 'YYYY-MM-DD HH:MM:SS[.ffffff]' (fraction printed only
 * when non-zero; 'YYYY-MM-DD' and 'T' separators accepted), DATE 'YYYY-MM-DD', BOOLEAN 0/1 (from
 * true/false/0/1 and other numbers), FLOAT/DOUBLE shortest round-trip, JSON validated and compacted,
 * strings/binaries as raw bytes. column names the column in messages.
 * Returns 0 and sets *out (a TEXT value) on success. Failures, with StarRocks' message in err:
 *   RT_EINVAL  the value does not convert ("Value 'v' is out of range. The type of 'c' is INT"):
 *              the caller makes it NULL in non-strict mode, filters the row in strict mode;
 *   RT_EUNSUPPORTED  the row must be filtered in any mode: a string longer than the column's
 *              bytes ("String 'v'(length=N) is too long. The max length of 'c' is M") or invalid
 *              UTF-8 in a character column ("Invalid UTF-8 row"). */
int sr_value_convert(const sr_type *t, const char *column, const char *in, size_t len,
                     sr_value *out, rt_err *err);

/* Orders two values of type t (NULL first; numbers numerically; text bytewise). */
int sr_value_compare(const sr_type *t, const sr_value *a, const sr_value *b);

#endif
