/* The schema history of schema tracking: per table, the list of its schema versions, each in
 * force from a binlog position on, built from the tables read at start-up and the table DDL
 * of the binlog (ddl_parse.h), so an event decodes with the columns it was written with. Kept in
 * checkpoint state by its binary form. One history per source reader; not thread-safe. */
#ifndef SLUICE_OPERATORS_MYSQL_SCHEMA_HISTORY_H
#define SLUICE_OPERATORS_MYSQL_SCHEMA_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/mysql/ddl_parse.h"
#include "runtime/base/buf.h"
#include "runtime/base/errors.h"
#include "runtime/table.h"

/* A binlog position: file name and offset (binlog_position.h's file/offset part). By value;
 * file is borrowed for the duration of the call. A version applied at P is in force at every
 * position >= P: pass a DDL's end position (the next event's offset) and look events up at
 * their own offset. */
typedef struct op_schema_pos {
    const char *file;
    uint64_t offset;
} op_schema_pos;

/* Orders two positions of one server: by file (op_binlog_file_compare), then offset. */
int op_schema_pos_compare(op_schema_pos a, op_schema_pos b);

typedef struct op_schema_history op_schema_history;

/* A new empty history; NULL on OOM. Free with op_schema_history_free (NULL is a no-op). */
op_schema_history *op_schema_history_new(void);
void op_schema_history_free(op_schema_history *h);

/* Adds the schema of t (read from information_schema; its columns' sql_type text is required,
 * default_value is normalised again for the normalised type)
 * as the version of t in force from pos. key lists the primary key's column indexes in key
 * order (schema_reader.h's key_columns), or is NULL for t's key in column order. RT_EINVAL for
 * a column without sql_type, RT_EEXIST when t already has a version at or after pos. */
int op_schema_history_seed(op_schema_history *h, const rt_table *t, const size_t *key,
                           size_t key_count, op_schema_pos pos, rt_err *err);

/* Applies a parsed statement at pos: CREATE (also LIKE) adds a version, ALTER a changed one,
 * DROP and RENAME mark the old name dropped (RENAME and ALTER ... RENAME TO carry the columns to
 * the new name), TRUNCATE changes nothing. A statement naming a table that already has a
 * version at or after pos was applied before (a binlog re-read after a restart): it is skipped
 * with *applied = false (may be NULL). All or nothing: on error the history is unchanged.
 * Errors: RT_ENOTFOUND for ALTER / RENAME / CREATE LIKE of a table the history does not hold
 * (or a column it does not have), RT_EEXIST for a duplicate column; each names the table. DROP
 * and TRUNCATE of tables it does not hold are no-ops. */
int op_schema_history_apply(op_schema_history *h, const op_ddl *d, op_schema_pos pos, bool *applied,
                            rt_err *err);

/* The schema of db.table in force at pos as a new rt_table (free with rt_table_free, or hand it
 * to a catalog): columns in order, sql_type the normalised type text, default_value
 * op_ddl_default_normalize's text, value types from
 * op_sql_type_parse. RT_ENOTFOUND when the table has no version at pos or was dropped,
 * RT_EUNSUPPORTED for a column type records cannot carry (naming it). */
int op_schema_history_table_at(const op_schema_history *h, const char *db, const char *table,
                               op_schema_pos pos, rt_table **out, rt_err *err);

/* Where the version of db.table in force at pos took effect: *since (its file is borrowed from
 * the history, valid until the next seed or apply). Cheap: callers compare it with the version
 * they built a table for. RT_ENOTFOUND as op_schema_history_table_at. */
int op_schema_history_version_at(const op_schema_history *h, const char *db, const char *table,
                                 op_schema_pos pos, op_schema_pos *since, rt_err *err);

/* Appends the columns in force at pos, for logs and tests:
 * "id int NOT NULL PK1, v varchar(8) DEFAULT 'x'" (PKn: n-th column of the primary key).
 * RT_ENOTFOUND as op_schema_history_table_at. */
int op_schema_history_describe_at(const op_schema_history *h, const char *db, const char *table,
                                  op_schema_pos pos, rt_buf *out, rt_err *err);

/* Number of tables with at least one version (dropped ones included) and of db.table's
 * versions (0 when unknown). */
size_t op_schema_history_table_count(const op_schema_history *h);
size_t op_schema_history_version_count(const op_schema_history *h, const char *db,
                                       const char *table);

/* Appends the binary form kept in checkpoint state (version 2, little-endian):
 *   u8 version · u32 table_count · table*
 *   table   = str16 db · str16 name · u32 version_count · version*
 *   version = str16 file · u64 offset · u8 flags (1 = dropped) · u32 column_count · column*
 *   column  = str16 name · str32 type · u8 flags (1 = nullable, 2 = has a default)
 *             · u16 key_seq (0 = not in key) · [str32 default, when flag 2]
 * where strN is a uN byte length then the bytes. Version 1 (no defaults, flags 0..1) decodes. */
void op_schema_history_encode(const op_schema_history *h, rt_buf *out);
/* Decodes the binary form into a new history (*out, free with op_schema_history_free). Every
 * length and count is bounded by the bytes left and the whole input must be consumed:
 * RT_ECORRUPT otherwise (also for versions out of order or names holding NUL); RT_ESTATE for a
 * format version this build does not know. */
int op_schema_history_decode(const uint8_t *p, size_t len, op_schema_history **out, rt_err *err);

#endif
