/* table_meta: what the starrocks sink knows of a target table — its key model (PRIMARY KEY,
 * DUPLICATE KEY, ...) and its columns — parsed from SHOW CREATE TABLE (notes §6.1), which the
 * sink runs over the FE's MySQL-protocol port (notes §5.2) with libmariadb. */
#ifndef SLUICE_OPERATORS_STARROCKS_TABLE_META_H
#define SLUICE_OPERATORS_STARROCKS_TABLE_META_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/base/errors.h"

/* The table's data model (its key clause). A table without a key clause is DUPLICATE KEY, as
 * StarRocks makes it. */
typedef enum op_sr_table_model {
    OP_SR_MODEL_DUPLICATE_KEY = 0,
    OP_SR_MODEL_PRIMARY_KEY = 1,
    OP_SR_MODEL_UNIQUE_KEY = 2,
    OP_SR_MODEL_AGGREGATE_KEY = 3,
} op_sr_table_model;

/* "duplicate_key", "primary_key", "unique_key", "aggregate_key". */
const char *op_sr_table_model_name(op_sr_table_model m);

typedef struct op_sr_table_meta op_sr_table_meta;

/* Parses the text of a CREATE TABLE statement as SHOW CREATE TABLE prints it (backquoted or bare
 * names, COMMENT strings, INDEX lines, the key clause after the column list). Pure. Returns a
 * new meta in *out (free with op_sr_table_meta_free); RT_EINVAL naming what is malformed. */
int op_sr_table_meta_parse(const char *ddl, size_t len, op_sr_table_meta **out, rt_err *err);
/* NULL is a no-op. */
void op_sr_table_meta_free(op_sr_table_meta *m);

op_sr_table_model op_sr_table_meta_model(const op_sr_table_meta *m);
size_t op_sr_table_meta_column_count(const op_sr_table_meta *m);
/* i < count. Borrowed; valid as long as m. The name as the DDL spells it, without quotes. */
const char *op_sr_table_meta_column_name(const op_sr_table_meta *m, size_t i);
/* The type text as the DDL writes it, lower case: "bigint(20)", "varchar(64)". Borrowed. */
const char *op_sr_table_meta_column_type(const op_sr_table_meta *m, size_t i);
/* True for a column of the key clause. */
bool op_sr_table_meta_column_is_key(const op_sr_table_meta *m, size_t i);
/* False for a NOT NULL column (key columns of primary-key tables are). */
bool op_sr_table_meta_column_is_nullable(const op_sr_table_meta *m, size_t i);
/* The index of the column called name (case-insensitive, as StarRocks column names are), or -1. */
long op_sr_table_meta_column_index(const op_sr_table_meta *m, const char *name);

/* Edits, for what a table will look like once DDL ran (the sink's schema evolution formats rows
 * for it ahead of the DDL). Types are StarRocks type text, stored lower case. RT_ENOMEM. */
/* A new table of model `model` without columns. *out: free with op_sr_table_meta_free. */
int op_sr_table_meta_new(op_sr_table_model model, op_sr_table_meta **out, rt_err *err);
/* A deep copy of m. */
int op_sr_table_meta_copy(const op_sr_table_meta *m, op_sr_table_meta **out, rt_err *err);
/* Inserts a column after the column `after` (NULL, or a name m lacks: at the end). */
int op_sr_table_meta_add_column(op_sr_table_meta *m, const char *name, const char *type,
                                bool nullable, bool key, const char *after, rt_err *err);
/* Removes column i (< count). */
void op_sr_table_meta_drop_column(op_sr_table_meta *m, size_t i);
/* Renames column i. */
int op_sr_table_meta_rename_column(op_sr_table_meta *m, size_t i, const char *name, rt_err *err);
/* Sets column i's type and nullability. */
int op_sr_table_meta_modify_column(op_sr_table_meta *m, size_t i, const char *type, bool nullable,
                                   rt_err *err);

/* Where the FE's MySQL-protocol port is, and who asks. Borrowed strings. */
typedef struct op_sr_query_params {
    const char *host;
    int port;
    const char *user;
    const char *password; /* never printed */
    int timeout_ms;       /* connect, read and write timeout */
} op_sr_query_params;

/* Runs SHOW CREATE TABLE `db`.`table` on the query port and parses the answer. Blocking; call
 * from the task thread. RT_ENOTFOUND when the table does not exist; RT_EUNAVAIL when the port
 * cannot be reached; RT_EINVAL for an answer that does not parse. Messages name host:port and
 * the table, never the password. */
int op_sr_table_meta_fetch(const op_sr_query_params *p, const char *db, const char *table,
                           op_sr_table_meta **out, rt_err *err);

#endif
