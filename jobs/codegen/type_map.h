/* MySQL/MariaDB column types -> StarRocks column types (protocol notes §6.1-§6.3), as values the
 * mysql_cdc source emits and the starrocks sink loads; with the reason for anything lossy or
 * changed, and the widening rule a sharded merge uses. Pure. */
#ifndef SLUICE_JOBS_CODEGEN_TYPE_MAP_H
#define SLUICE_JOBS_CODEGEN_TYPE_MAP_H

#include <stdbool.h>
#include <stddef.h>

#include "jobs/codegen/schema_scan.h"
#include "runtime/base/errors.h"

/* StarRocks VARCHAR's largest length (bytes, 2.1+) and STRING's (§6.2). */
#define GEN_SR_VARCHAR_MAX 1048576
#define GEN_SR_STRING_MAX 65533

typedef enum gen_sr_kind {
    GEN_SR_BOOLEAN = 0,
    GEN_SR_TINYINT,
    GEN_SR_SMALLINT,
    GEN_SR_INT,
    GEN_SR_BIGINT,
    GEN_SR_LARGEINT,
    GEN_SR_FLOAT,
    GEN_SR_DOUBLE,
    GEN_SR_DECIMAL,
    GEN_SR_DATE,
    GEN_SR_DATETIME,
    GEN_SR_CHAR,
    GEN_SR_VARCHAR,
    GEN_SR_STRING,
    GEN_SR_JSON,
    GEN_SR_VARBINARY,
} gen_sr_kind;

/* "DECIMAL", "VARCHAR", ...; "?" otherwise. */
const char *gen_sr_kind_name(gen_sr_kind k);

/* A StarRocks column type. By value. */
typedef struct gen_sr_type {
    gen_sr_kind kind;
    unsigned len;       /* CHAR, VARCHAR, VARBINARY: bytes */
    unsigned precision; /* DECIMAL */
    unsigned scale;
} gen_sr_type;

/* The type as DDL spells it: "BIGINT", "DECIMAL(12,2)", "VARCHAR(400)". out holds >= 32 bytes. */
void gen_sr_type_format(const gen_sr_type *t, char *out, size_t size);

/* Bytes the type takes in an encoded key (for the 128-byte key limit note): fixed sizes, the
 * length of strings. */
unsigned gen_sr_type_key_size(const gen_sr_type *t);

/* What the mapping did beyond a plain rename. Caller-allocated; empty strings when nothing. */
typedef struct gen_type_map_info {
    char lossy[256]; /* values that cannot arrive intact (or are refused): why */
    char note[256];  /* a change that keeps every value: what */
} gen_type_map_info;

/* Maps column c; is_key when it is one of the table's key columns (StarRocks keys take only
 * BOOLEAN, integers, LARGEINT, VARCHAR, DATE, DATETIME: others become VARCHAR). RT_EUNSUPPORTED
 * naming the type for a type Sluice does not know. *info is always cleared first. */
int gen_type_map(const gen_column *c, bool is_key, gen_sr_type *out, gen_type_map_info *info,
                 rt_err *err);

/* The type that holds the values of both a and b (a sharded merge: the widest wins), into *out.
 * RT_EINVAL when no StarRocks type holds both (a number and a string, a date and JSON). */
int gen_sr_type_widen(const gen_sr_type *a, const gen_sr_type *b, gen_sr_type *out, rt_err *err);

/* True when a and b are the same type. */
bool gen_sr_type_equal(const gen_sr_type *a, const gen_sr_type *b);

/* UTF-8 bytes one character of charset takes at most in what the sink sends (the source reads
 * every column as utf8mb4); maxlen is CHARACTER_SETS.MAXLEN of the charset. */
unsigned gen_charset_utf8_bytes(const char *charset, unsigned maxlen);

#endif
