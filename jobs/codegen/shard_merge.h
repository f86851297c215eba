/* Source tables -> StarRocks target tables: the target name of each table (--route rules, else
 * its own name), the grouping of shards that share a target, their merged columns (widest type,
 * nullable where a shard lacks the column, one key), and the primary-key collision decision of a
 * merge. Pure but for gen_collision_check, which reads key values from the source. */
#ifndef SLUICE_JOBS_CODEGEN_SHARD_MERGE_H
#define SLUICE_JOBS_CODEGEN_SHARD_MERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jobs/codegen/lines.h"
#include "jobs/codegen/schema_scan.h"
#include "jobs/codegen/type_map.h"
#include "runtime/base/errors.h"

/* The columns --merge-key add-source adds to a merged table and to its key. */
#define GEN_SOURCE_DB_COLUMN "_source_db"
#define GEN_SOURCE_TABLE_COLUMN "_source_table"

typedef struct gen_target_column {
    char *name;
    gen_sr_type type;
    bool nullable;
    char *comment;
} gen_target_column;

/* One StarRocks table and the source tables (shards) that feed it. */
typedef struct gen_target {
    char *name;
    char *comment;
    gen_target_column *columns; /* key columns first, in key order; then source order */
    size_t column_count;
    size_t key_count;
    uint64_t data_length;     /* sum over the shards */
    const gen_table **shards; /* borrowed from the gen_table_set */
    size_t shard_count;
    bool renamed;    /* a table whose target name is not its own name */
    bool add_source; /* --merge-key add-source applied: _source_db/_source_table */
} gen_target;

typedef struct gen_target_set {
    gen_target *items;
    size_t count;
} gen_target_set;

void gen_target_set_fini(gen_target_set *s);

/* Groups tables by target name. routes: "REGEX=TARGET" rules (first match wins; REGEX matches
 * the whole "db.table"; TARGET is a table name with {db} and {table} placeholders). Targets are
 * ordered by their first shard. RT_EINVAL naming the rule for a malformed rule, a bad regex or a
 * rule that matches none of the tables.
 * The tables must outlive *out. */
int gen_targets_group(const gen_table_set *tables, const char *const *routes, size_t route_count,
                      gen_target_set *out, rt_err *err);

/* Maps every shard's columns (type_map.h) and merges them into t->columns: lossy lines
 * ("db.t.col: why") and notes are appended. RT_EINVAL when the shards' keys differ or a column's
 * types have no common StarRocks type; RT_EUNSUPPORTED for an unmapped type. */
int gen_target_merge(gen_target *t, gen_lines *lossy, gen_lines *notes, rt_err *err);

/* Adds _source_db and _source_table (VARCHAR(64) NOT NULL) to t's key after the source key. */
int gen_target_add_source(gen_target *t, rt_err *err);

#endif
