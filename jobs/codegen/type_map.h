/* MySQL/MariaDB column types -> StarRocks column types for `sluice generate`: the gen_* names of
 * the one mapping in operators/starrocks/sr_type_map.h (the starrocks sink uses the same for
 * schema evolution), taking gen_column as information_schema describes it. Pure. */
#ifndef SLUICE_JOBS_CODEGEN_TYPE_MAP_H
#define SLUICE_JOBS_CODEGEN_TYPE_MAP_H

#include <stdbool.h>
#include <stddef.h>

#include "jobs/codegen/schema_scan.h"
#include "operators/starrocks/sr_type_map.h"
#include "runtime/base/errors.h"

/* StarRocks VARCHAR's largest length (bytes, 2.1+) and STRING's (§6.2). */
#define GEN_SR_VARCHAR_MAX OP_SR_VARCHAR_MAX
#define GEN_SR_STRING_MAX OP_SR_STRING_MAX

/* The kinds and the type are sr_type_map's (one definition, two spellings for codegen's callers).
 */
typedef op_sr_kind gen_sr_kind;
#define GEN_SR_BOOLEAN OP_SR_TYPE_BOOLEAN
#define GEN_SR_TINYINT OP_SR_TYPE_TINYINT
#define GEN_SR_SMALLINT OP_SR_TYPE_SMALLINT
#define GEN_SR_INT OP_SR_TYPE_INT
#define GEN_SR_BIGINT OP_SR_TYPE_BIGINT
#define GEN_SR_LARGEINT OP_SR_TYPE_LARGEINT
#define GEN_SR_FLOAT OP_SR_TYPE_FLOAT
#define GEN_SR_DOUBLE OP_SR_TYPE_DOUBLE
#define GEN_SR_DECIMAL OP_SR_TYPE_DECIMAL
#define GEN_SR_DATE OP_SR_TYPE_DATE
#define GEN_SR_DATETIME OP_SR_TYPE_DATETIME
#define GEN_SR_CHAR OP_SR_TYPE_CHAR
#define GEN_SR_VARCHAR OP_SR_TYPE_VARCHAR
#define GEN_SR_STRING OP_SR_TYPE_STRING
#define GEN_SR_JSON OP_SR_TYPE_JSON
#define GEN_SR_VARBINARY OP_SR_TYPE_VARBINARY

/* A StarRocks column type. By value. */
typedef op_sr_type gen_sr_type;

/* "DECIMAL", "VARCHAR", ...; "?" otherwise. */
const char *gen_sr_kind_name(gen_sr_kind k);

/* The type as DDL spells it: "BIGINT", "DECIMAL(12,2)", "VARCHAR(400)". out holds >= 32 bytes. */
void gen_sr_type_format(const gen_sr_type *t, char *out, size_t size);

/* Bytes the type takes in an encoded key (for the 128-byte key limit note): fixed sizes, the
 * length of strings. */
unsigned gen_sr_type_key_size(const gen_sr_type *t);

/* What the mapping did beyond a plain rename. Caller-allocated; empty strings when nothing. */
typedef op_sr_type_map_info gen_type_map_info;

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
