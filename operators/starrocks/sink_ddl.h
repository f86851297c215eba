/* sink_ddl: runs the starrocks sink's schema-change operations (sink_schema.h) on the target over
 * the FE's MySQL port (notes §5.2): renders each as StarRocks SQL, applies it only when the
 * target does not already show its effect (so a replay after a crash, or the second shard of a
 * merge, is a no-op), and waits for the alter job it starts (SHOW ALTER TABLE COLUMN) to finish
 * before rows that need the new schema are loaded. Blocking; the task thread calls it. */
#ifndef SLUICE_OPERATORS_STARROCKS_SINK_DDL_H
#define SLUICE_OPERATORS_STARROCKS_SINK_DDL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/starrocks/sink_schema.h"
#include "operators/starrocks/table_meta.h"
#include "runtime/base/buf.h"
#include "runtime/base/errors.h"

/* Appends op as a StarRocks statement on database db: "ALTER TABLE `db`.`t` ADD COLUMN `c` INT
 * NULL AFTER `b`", ... (CREATE: the statement the op carries). Pure. */
void op_sr_ddl_render(const char *db, const op_sr_ddl_op *op, rt_buf *out);
/* The CREATE TABLE statement for source table t as target db.name (protocol notes §6.1, the shape
 * jobs/codegen/ddl.c writes): key columns first and NOT NULL, PRIMARY KEY when t has a key,
 * else DUPLICATE KEY on its first column; BUCKETS and PROPERTIES from create (NULL: none, and
 * replication_num 1). Appends to out; *meta: the table it makes (free with
 * op_sr_table_meta_free). RT_EINVAL for a type without a StarRocks mapping. Pure. */
int op_sr_ddl_create_sql(const rt_table *t, const char *db, const char *name,
                         const op_sr_sc_create *create, rt_buf *out, op_sr_table_meta **meta,
                         rt_err *err);

/* The op for logs, without quotes: "ADD COLUMN c INT NULL AFTER b". Pure. */
void op_sr_ddl_describe(const op_sr_ddl_op *op, char *out, size_t size);

/* What the target looks like, for the idempotence check. Borrowed. */
typedef struct op_sr_ddl_target {
    const op_sr_table_meta *meta;     /* op->table's columns; NULL: the table is absent */
    const op_sr_table_meta *new_meta; /* RENAME TABLE: the new name's; NULL: absent */
    bool empty;                       /* TRUNCATE: the table holds no row */
} op_sr_ddl_target;

/* True when the target already shows op's effect, so applying it again must be skipped: ADD:
 * the column exists; DROP: it does not; RENAME COLUMN: the old name is gone or the new one
 * exists; MODIFY: the column has the type and nullability (or is gone); CREATE: the table
 * exists; DROP TABLE: it does not; RENAME TABLE: the old table is gone or the new exists;
 * TRUNCATE: the table is empty (after a restore the rows committed before the truncate are
 * there exactly when it did not run: rows after it are committed only by a later checkpoint).
 * Pure. */
bool op_sr_ddl_is_applied(const op_sr_ddl_op *op, const op_sr_ddl_target *t);

typedef struct op_sr_ddl_conn op_sr_ddl_conn;

/* A connection to the query port p (copied), opened on first use and again after the server
 * dropped it. *out: free with op_sr_ddl_conn_free. */
int op_sr_ddl_conn_new(const op_sr_query_params *p, op_sr_ddl_conn **out, rt_err *err);
/* NULL is a no-op. */
void op_sr_ddl_conn_free(op_sr_ddl_conn *c);

/* The table's model and columns (SHOW CREATE TABLE); RT_ENOTFOUND when it does not exist. */
int op_sr_ddl_fetch_meta(op_sr_ddl_conn *c, const char *db, const char *table,
                         op_sr_table_meta **out, rt_err *err);

typedef enum op_sr_ddl_outcome {
    OP_SR_DDL_APPLIED = 0,
    OP_SR_DDL_SKIPPED = 1, /* the target already showed its effect */
} op_sr_ddl_outcome;

/* Applies op on db: waits for an alter job still running on its table (a crash may have left
 * one), checks op_sr_ddl_is_applied against the live target, runs the statement (between the
 * failpoints starrocks.schema.before_apply and starrocks.schema.after_apply), and waits until
 * the alter job it started is FINISHED, at most timeout_ms in all. *outcome and *ms (duration)
 * on success. A refusal is RT_EINVAL with the server's message; CANCELLED is RT_EINVAL with the
 * job's Msg; a timeout RT_ETIMEDOUT; connection loss RT_EUNAVAIL. */
int op_sr_ddl_apply(op_sr_ddl_conn *c, const char *db, const op_sr_ddl_op *op, int64_t timeout_ms,
                    op_sr_ddl_outcome *outcome, int64_t *ms, rt_err *err);

#endif
