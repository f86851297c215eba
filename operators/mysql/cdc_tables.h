/* The selected tables of the mysql_cdc binlog phase and their schema history: which schema a
 * TABLE_MAP's rows were written with (the version in force at the event's position, so an old
 * event replayed after a restore or from a specific offset decodes with its own columns), the
 * table DDL of QUERY events applied to the history, and the schema changes that go downstream.
 * The history is the reader's checkpoint state (its binary form, schema_history.h). One per
 * binlog reader; task thread only. */
#ifndef SLUICE_OPERATORS_MYSQL_CDC_TABLES_H
#define SLUICE_OPERATORS_MYSQL_CDC_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/basic/sql_type.h"
#include "operators/op.h"
#include "operators/mysql/connection.h"
#include "operators/mysql/schema_history.h"
#include "operators/mysql/schema_reader.h"
#include "operators/mysql/table_filter.h"
#include "operators/mysql/table_map.h"
#include "runtime/base/buf.h"
#include "runtime/base/errors.h"
#include "runtime/batch.h"
#include "runtime/table.h"

/* A selected table in one schema version. Public and read-only for the binlog reader's inner
 * loop (fill a record from a row image); everything is owned by the op_cdc_tables. */
typedef struct op_cdc_table {
    char *db, *name, *qualified;
    const rt_table *table;      /* the selected columns, interned in the job's catalog */
    uint32_t *source_positions; /* per column of table: its index in the binlog row image */
    size_t source_column_count; /* columns of the server table (of a row image) */
    op_sql_type *types;         /* per column of table: signedness, ENUM/SET members, lengths */
    char *since_file;           /* the version in use: in force from since_file:since_offset */
    uint64_t since_offset;
    bool resolved;     /* table and the arrays above are set */
    uint64_t rows;     /* change records read (metrics) */
    rt_metric *rows_metric; /* the reader's per-table counter; NULL until it registers one */
} op_cdc_table;

typedef struct op_cdc_tables op_cdc_tables;

/* Tables of `filter` (borrowed for the object's life, like conn_params and its strings: schema
 * re-reads connect with them) interned in `catalog`. conn (may be NULL) is a query connection
 * to re-read schemas with; taken (closed by free, also on failure). *out: free with
 * op_cdc_tables_free. */
int op_cdc_tables_new(rt_catalog *catalog, const op_mysql_table_filter *filter,
                      const op_mysql_conn_params *conn_params, op_mysql_conn *conn,
                      const char *log_tag, op_cdc_tables **out, rt_err *err);
void op_cdc_tables_free(op_cdc_tables *ts);

/* Restores the history from its binary form (checkpoint state). RT_ECORRUPT / RT_ESTATE. */
int op_cdc_tables_restore(op_cdc_tables *ts, const uint8_t *p, size_t len, rt_err *err);
/* Adds each table of `tables` the history does not hold yet as the version in force from pos
 * (the reader's start), taking each info's `table` and `source_positions` (left NULL there).
 * A table the history holds already (restored) keeps its history. */
int op_cdc_tables_seed(op_cdc_tables *ts, op_mysql_table_list *tables, op_schema_pos pos,
                       rt_err *err);
/* Appends the history's binary form. */
void op_cdc_tables_encode(const op_cdc_tables *ts, rt_buf *out);

/* The table of a TABLE_MAP of db.name at pos (the position after the event), ready to decode
 * rows with: *out NULL when the table is not selected or does not exist at pos. A selected
 * table the history does not know (created by a statement the parser could not read) is read
 * from information_schema. RT_EUNSUPPORTED when the map's column count differs from the
 * schema's (naming both), errors of the schema reader and the catalog otherwise. Also sets the
 * map's signedness and ENUM/SET labels from the schema where the binlog lacks metadata. */
int op_cdc_tables_resolve(op_cdc_tables *ts, op_table_map *tm, op_schema_pos pos,
                          op_cdc_table **out, rt_err *err);

/* A change to emit for a DDL: kind, the schema before (NULL for CREATE) and after (for DROP and
 * TRUNCATE: the table's schema before). Tables are interned (borrowed from the catalog). For a
 * parsed ALTER TABLE (kind ALTER, or RENAME for ALTER ... RENAME TO), before is the history's
 * version (type texts normalised as the history writes them, like after's) and origin maps after's
 * columns to before's (batch.h's rt_schema_change.origin; rt_table_column_count(after) entries,
 * borrowed until the next op_cdc_tables_apply); NULL otherwise, and for schemas re-read from the
 * server (columns then match by name). */
typedef struct op_cdc_schema_change {
    rt_schema_change_kind kind;
    const rt_table *before, *after;
    const int32_t *origin;
} op_cdc_schema_change;
#define OP_CDC_MAX_CHANGES 16

/* A QUERY statement outside a transaction, ending at pos (the position after its event):
 * applies it to the history when it is a table DDL naming a selected table, and fills changes
 * (up to OP_CDC_MAX_CHANGES; *count of them) with what downstream must hear. A statement that
 * is no table DDL, names no selected table, or was applied before (a re-read after a restart)
 * gives none. A DDL the parser cannot read, or that does not fit the history (it was started
 * from an offset older than the tables' first version), falls back to information_schema's
 * schema of now for the selected tables it names, with a warning. Errors: the schema reader's
 * when that fallback cannot read, RT_ENOMEM. */
int op_cdc_tables_apply(op_cdc_tables *ts, const char *sql, size_t sql_len, const char *db,
                        size_t db_len, op_schema_pos pos, op_cdc_schema_change *changes,
                        size_t *count, rt_err *err);

/* The tables known so far (for metrics and logs), in the order they were first seen. */
size_t op_cdc_tables_count(const op_cdc_tables *ts);
const op_cdc_table *op_cdc_tables_at(const op_cdc_tables *ts, size_t i);

#endif
