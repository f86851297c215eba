/* sr_type_map: MySQL/MariaDB column types -> StarRocks column types (protocol notes §6.1-§6.3),
 * as values the mysql_cdc source emits and the starrocks sink loads; with the reason for anything
 * lossy or changed, the widening rule (sharded merges, schema evolution) and the parser of the
 * type text StarRocks prints. One mapping for `sluice generate` (jobs/codegen/type_map.h wraps it)
 * and the sink's schema evolution. Pure. */
#ifndef SLUICE_OPERATORS_STARROCKS_SR_TYPE_MAP_H
#define SLUICE_OPERATORS_STARROCKS_SR_TYPE_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/base/errors.h"

/* StarRocks VARCHAR's largest length (bytes, 2.1+) and STRING's (§6.2). */
#define OP_SR_VARCHAR_MAX 1048576
#define OP_SR_STRING_MAX 65533

typedef enum op_sr_kind {
    OP_SR_TYPE_BOOLEAN = 0,
    OP_SR_TYPE_TINYINT,
    OP_SR_TYPE_SMALLINT,
    OP_SR_TYPE_INT,
    OP_SR_TYPE_BIGINT,
    OP_SR_TYPE_LARGEINT,
    OP_SR_TYPE_FLOAT,
    OP_SR_TYPE_DOUBLE,
    OP_SR_TYPE_DECIMAL,
    OP_SR_TYPE_DATE,
    OP_SR_TYPE_DATETIME,
    OP_SR_TYPE_CHAR,
    OP_SR_TYPE_VARCHAR,
    OP_SR_TYPE_STRING,
    OP_SR_TYPE_JSON,
    OP_SR_TYPE_VARBINARY,
} op_sr_kind;

/* "DECIMAL", "VARCHAR", ...; "?" otherwise. */
const char *op_sr_kind_name(op_sr_kind k);

/* A StarRocks column type. By value. */
typedef struct op_sr_type {
    op_sr_kind kind;
    unsigned len;       /* CHAR, VARCHAR, VARBINARY: bytes */
    unsigned precision; /* DECIMAL */
    unsigned scale;
} op_sr_type;

/* The type as DDL spells it: "BIGINT", "DECIMAL(12,2)", "VARCHAR(400)". out holds >= 32 bytes. */
void op_sr_type_format(const op_sr_type *t, char *out, size_t size);

/* Parses a type as StarRocks prints it (SHOW CREATE TABLE, DESC) or DDL writes it, any case:
 * display widths ("bigint(20)"), STRING (VARCHAR(65533)), DECIMALV2/V3/32/64/128 (DECIMAL),
 * VARBINARY without length (its largest), BINARY(n) (VARBINARY). RT_EINVAL for other text. */
int op_sr_type_parse(const char *text, op_sr_type *out, rt_err *err);

/* Bytes the type takes in an encoded key (for the 128-byte key limit note): fixed sizes, the
 * length of strings. */
unsigned op_sr_type_key_size(const op_sr_type *t);

/* True when a and b are spelled the same. */
bool op_sr_type_equal(const op_sr_type *a, const op_sr_type *b);
/* True when a and b are the same type to StarRocks (STRING is VARCHAR(65533)). */
bool op_sr_type_equivalent(const op_sr_type *a, const op_sr_type *b);

/* The type that holds the values of both a and b (the widest wins), into *out. RT_EINVAL when no
 * StarRocks type holds both (a number and a string, a date and JSON). */
int op_sr_type_widen(const op_sr_type *a, const op_sr_type *b, op_sr_type *out, rt_err *err);

/* True when every value of `from` fits `to` unchanged (to is from or wider): the type changes
 * StarRocks' ALTER TABLE MODIFY COLUMN accepts, as it refuses narrowing ones. */
bool op_sr_type_is_widening(const op_sr_type *from, const op_sr_type *to);

/* What the mapping did beyond a plain rename. Caller-allocated; empty strings when nothing. */
typedef struct op_sr_type_map_info {
    char lossy[256]; /* values that cannot arrive intact (or are refused): why */
    char note[256];  /* a change that keeps every value: what */
} op_sr_type_map_info;

/* A source column as information_schema describes it. Borrowed strings. */
typedef struct op_sr_source_column {
    const char *name;
    const char *data_type;   /* DATA_TYPE, lower case: "int", "varchar" */
    const char *column_type; /* COLUMN_TYPE: "int(10) unsigned", "enum('a','b')" */
    const char *charset;     /* NULL for numbers, dates, binary */
    unsigned charset_maxlen; /* CHARACTER_SETS.MAXLEN of charset; 0 without one */
    uint64_t char_length;    /* characters; bytes for binary types */
    unsigned precision;      /* DECIMAL digits, BIT width */
    unsigned scale;
    bool is_unsigned;
    bool is_json; /* MySQL JSON, or MariaDB's LONGTEXT CHECK (json_valid(col)) */
} op_sr_source_column;

/* Maps column c; is_key when it is one of the table's key columns (StarRocks keys take only
 * BOOLEAN, integers, LARGEINT, VARCHAR, DATE, DATETIME: others become VARCHAR). RT_EUNSUPPORTED
 * naming the type for a type Sluice does not know. *info is always cleared first. */
int op_sr_type_map(const op_sr_source_column *c, bool is_key, op_sr_type *out,
                   op_sr_type_map_info *info, rt_err *err);

/* The same from a column's type text alone (rt_column.sql_type, the server's COLUMN_TYPE:
 * "varchar(20)", "decimal(12,2)", "bigint unsigned", "datetime(6)", "enum('a','b')"), as a
 * schema-change record carries it. A "character set X" in the text picks the bytes per
 * character; without one it is utf8mb4's 4 (the widest, so no value is refused). RT_EINVAL for
 * text that is not a MySQL type, RT_EUNSUPPORTED as above. info may be NULL. */
int op_sr_type_from_sql(const char *name, const char *sql_type, bool is_key, op_sr_type *out,
                        op_sr_type_map_info *info, rt_err *err);

/* UTF-8 bytes one character of charset takes at most in what the sink sends (the source reads
 * every column as utf8mb4); maxlen is CHARACTER_SETS.MAXLEN of the charset. */
unsigned op_sr_charset_utf8_bytes(const char *charset, unsigned maxlen);

#endif
