/* sink_schema: what the starrocks sink does with a schema-change (SC) record (issue 9). The
 * `schema_change` config (a behaviour, per-change-type overrides, the DDL timeout) and the
 * decision: from the SC record, its typed column diff (runtime/schema_diff.h), the behaviour and
 * the target's columns (as they are, or as the DDL already queued will leave them), the list of
 * target DDL operations, the decisions that need none (ignored, converted), and the target's
 * columns once the operations ran. Pure: no I/O; sink_ddl.h runs the operations. */
#ifndef SLUICE_OPERATORS_STARROCKS_SINK_SCHEMA_H
#define SLUICE_OPERATORS_STARROCKS_SINK_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/starrocks/table_meta.h"
#include "runtime/base/buf.h"
#include "runtime/base/errors.h"
#include "runtime/batch.h"

/* Flink CDC's schema-change behaviours. */
typedef enum op_sr_sc_behavior {
    OP_SR_SC_LENIENT = 0,    /* keep every value: add (nullable), never drop, widen types */
    OP_SR_SC_EVOLVE = 1,     /* apply every change; a refusal fails the job */
    OP_SR_SC_TRY_EVOLVE = 2, /* apply what the target takes; convert rows for the rest */
    OP_SR_SC_IGNORE = 3,     /* never change the target; rows are converted to its columns */
    OP_SR_SC_EXCEPTION = 4,  /* fail the job */
} op_sr_sc_behavior;

/* "lenient", "evolve", "try_evolve", "ignore", "exception". */
const char *op_sr_sc_behavior_name(op_sr_sc_behavior b);

/* The change types an override can name. */
typedef enum op_sr_sc_change {
    OP_SR_SC_CREATE_TABLE = 0,
    OP_SR_SC_ADD_COLUMN,
    OP_SR_SC_DROP_COLUMN,
    OP_SR_SC_RENAME_COLUMN,
    OP_SR_SC_MODIFY_COLUMN,
    OP_SR_SC_RENAME_TABLE,
    OP_SR_SC_TRUNCATE_TABLE,
    OP_SR_SC_DROP_TABLE,
    OP_SR_SC_CHANGE_COUNT,
} op_sr_sc_change;

/* "create_table", "add_column", ... (the override keys). */
const char *op_sr_sc_change_name(op_sr_sc_change c);

/* The applied `schema_change` config. By value. */
typedef struct op_sr_sc_policy {
    op_sr_sc_behavior behavior;                          /* the default of every change type */
    op_sr_sc_behavior per_change[OP_SR_SC_CHANGE_COUNT]; /* behavior, or its override */
    int64_t timeout_ms; /* how long one DDL (and its alter job) may take */
} op_sr_sc_policy;

/* Reads the `schema_change` object (json: its compact text; NULL: every default: lenient, no
 * overrides, 10m). path names the object in messages ("$.operators[1].config.schema_change").
 * RT_EINVAL naming the key for an unknown behaviour, change type or key. */
int op_sr_sc_policy_parse(const char *json, const char *path, op_sr_sc_policy *out, rt_err *err);

/* --- Target DDL operations --- */

typedef enum op_sr_ddl_kind {
    OP_SR_DDL_ADD_COLUMN = 0,
    OP_SR_DDL_DROP_COLUMN,
    OP_SR_DDL_RENAME_COLUMN,
    OP_SR_DDL_MODIFY_COLUMN,
    OP_SR_DDL_CREATE_TABLE,
    OP_SR_DDL_RENAME_TABLE,
    OP_SR_DDL_TRUNCATE_TABLE,
    OP_SR_DDL_DROP_TABLE,
} op_sr_ddl_kind;

/* "add_column", ... ("create_table" ...): the names the checkpoint state uses. */
const char *op_sr_ddl_kind_name(op_sr_ddl_kind k);
/* The kind called name; false when none is. */
bool op_sr_ddl_kind_parse(const char *name, op_sr_ddl_kind *out);

/* One operation on a target table. Strings owned (op_sr_ddl_op_fini); NULL when unused. */
typedef struct op_sr_ddl_op {
    op_sr_ddl_kind kind;
    op_sr_sc_change change;     /* the source change it serves (logs, metrics) */
    op_sr_sc_behavior behavior; /* the behaviour that chose it */
    char *table;                /* the target table (RENAME TABLE: the old name) */
    char *column;               /* ADD, DROP, MODIFY: the column; RENAME COLUMN: the old name */
    char *new_name;             /* RENAME COLUMN / TABLE: the new name */
    char *type;                 /* ADD, MODIFY: the StarRocks type, "VARCHAR(80)" */
    bool nullable;              /* ADD (always true), MODIFY */
    char *after;                /* ADD: the column it follows; NULL: at the end */
    /* ADD: the source's DEFAULT as a StarRocks default ("\"7\"" quoted, or CURRENT_TIMESTAMP),
     * so the rows already there get it as they did in the source; NULL: none. */
    char *def;
    char *create; /* CREATE TABLE: the statement */
} op_sr_ddl_op;

/* Frees the strings. NULL is a no-op. */
void op_sr_ddl_op_fini(op_sr_ddl_op *op);
/* A deep copy of src into *dst. RT_ENOMEM. */
int op_sr_ddl_op_copy(const op_sr_ddl_op *src, op_sr_ddl_op *dst, rt_err *err);

/* --- The decision --- */

/* A decision that needs no DDL: logged and counted as it is made. */
typedef struct op_sr_sc_note {
    op_sr_sc_change change;
    op_sr_sc_behavior behavior;
    bool converted; /* rows are converted to the target's columns (else: ignored) */
    char text[320]; /* "ADD COLUMN c INT: not applied, the column is left out of the rows" */
} op_sr_sc_note;

/* What the sink does for one SC record. Owned arrays; release with op_sr_sc_plan_fini. */
typedef struct op_sr_sc_plan {
    op_sr_ddl_op *ops;
    size_t op_count;
    op_sr_sc_note *notes;
    size_t note_count;
    /* The target once ops ran (a new meta; NULL when the table is then absent). Rows after the
     * SC record are formatted for it. */
    op_sr_table_meta *after;
} op_sr_sc_plan;

void op_sr_sc_plan_fini(op_sr_sc_plan *p);

/* Table settings of a CREATE TABLE. Borrowed. */
typedef struct op_sr_sc_create {
    unsigned buckets;                  /* 0: BUCKETS left to StarRocks */
    const char *const *property_names; /* PROPERTIES ("k" = "v", ...) */
    const char *const *property_values;
    size_t property_count;
} op_sr_sc_create;

/* Decides for SC record sc (kind RT_ROW_SCHEMA_CHANGE), whose rows go to target table `target`
 * of database db (fixed: the sink's `table` config names it, so table renames and creations of
 * the source do not move it). meta: the target's columns as the DDL queued before leaves them
 * (NULL: the table is absent). The plan is empty when nothing is to be done.
 * RT_EUNSUPPORTED with a message naming db.target and the source DDL when the behaviour is
 * exception, when the primary key changed (saying what to do), and when evolve meets a change
 * the target is known to refuse (narrowing a type); RT_EINVAL for a source type without a
 * StarRocks mapping. */
int op_sr_sc_plan_make(const op_sr_sc_policy *pol, const rt_record *sc, const char *db,
                       const char *target, bool fixed, const op_sr_table_meta *meta,
                       const op_sr_sc_create *create, op_sr_sc_plan *out, rt_err *err);

/* Applies op's effect to *meta (the table as the operations before op leave it; NULL: absent),
 * replacing it (freed) for CREATE (parsed from its statement), DROP TABLE (NULL) and RENAME
 * TABLE (*renamed: the old table's columns, taken; NULL: unknown). RT_ENOMEM, RT_EINVAL for a
 * CREATE statement that does not parse. */
int op_sr_sc_project(const op_sr_ddl_op *op, op_sr_table_meta **meta, op_sr_table_meta **renamed,
                     rt_err *err);

#endif
