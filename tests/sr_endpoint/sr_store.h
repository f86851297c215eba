/* sr_store: sr-endpoint's databases and tables (a test double of StarRocks' storage, not
 * StarRocks): schemas, rows, atomic durable commits, and the durable part of load labels
 * (committed labels and prepared transactions with their rows) so they survive a restart.
 * Thread-safe: every function may be called from any thread (one mutex inside). */
#ifndef SLUICE_TESTS_SR_ENDPOINT_SR_STORE_H
#define SLUICE_TESTS_SR_ENDPOINT_SR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/base/errors.h"
#include "tests/sr_endpoint/sr_value.h"

typedef struct sr_store sr_store;

/* ---- Schemas (caller-allocated descriptions; every pointer malloc'd and owned by the def) ---- */

typedef struct sr_column_def {
    char *name;
    sr_type type;
    bool nullable;
    char *default_text; /* NULL = no default; else the default's text as written ("0", "abc") */
    bool default_is_current_timestamp; /* DEFAULT CURRENT_TIMESTAMP (default_text NULL) */
    char *comment;                     /* NULL or the comment */
} sr_column_def;

typedef enum sr_model { SR_MODEL_PRIMARY_KEY, SR_MODEL_DUPLICATE_KEY } sr_model;
/* "PRIMARY KEY", "DUPLICATE KEY". */
const char *sr_model_name(sr_model m);

typedef struct sr_table_def {
    char *name;
    sr_column_def *columns;
    size_t column_count;
    sr_model model;
    char **key_columns; /* names, in key order */
    size_t key_count;
    char **distributed_by; /* DISTRIBUTED BY HASH(...) columns; none = RANDOM */
    size_t distributed_count;
    int buckets;    /* 0 = not given (automatic) */
    char *comment;  /* NULL or the table comment */
    char **prop_keys; /* PROPERTIES ("k" = "v"), in order */
    char **prop_values;
    size_t prop_count;
} sr_table_def;

/* Frees every field of d (with free()) and zeroes it. d may be zeroed already. */
void sr_table_def_fini(sr_table_def *d);
/* Deep copy into *out. */
void sr_table_def_copy(sr_table_def *out, const sr_table_def *d);
/* Deep copy of one column into *out. */
void sr_column_def_copy(sr_column_def *out, const sr_column_def *c);
void sr_column_def_fini(sr_column_def *c);
/* Index of the column named `name` (case-insensitive), or -1. */
int sr_table_def_find(const sr_table_def *d, const char *name);
/* Checks d as StarRocks' CREATE TABLE would (key columns an ordered prefix of the columns; PRIMARY
 * KEY columns NOT NULL and of an allowed type; no duplicate column names; defaults convert).
 * RT_EINVAL with StarRocks' message ("Key columns should be a ordered prefix of the schema.",
 * "primary key column[x] cannot be nullable", "Type of primary key column[x] ... not supported"). */
int sr_table_def_validate(const sr_table_def *d, rt_err *err);

/* ---- Batches: rows to apply to one table in one commit ---- */

typedef enum sr_row_op { SR_ROW_UPSERT = 0, SR_ROW_DELETE = 1 } sr_row_op;

/* A batch of rows over a fixed list of column names (the table's columns when the batch was
 * built). Rows are matched to the table by name at commit, so a batch survives ALTERs. */
typedef struct sr_batch sr_batch;
/* Returns a new empty batch whose rows have the columns of d (copied). Free with sr_batch_free. */
sr_batch *sr_batch_new(const sr_table_def *d);
void sr_batch_free(sr_batch *b);
/* Appends a row of sr_batch_column_count() values in the batch's column order. Takes ownership of
 * the values' text (the array itself stays the caller's; its entries are left NULL). ABSENT
 * values (partial update) keep the stored value of an existing row, or take the column default
 * for a new row. */
void sr_batch_add(sr_batch *b, sr_row_op op, sr_value *values);
size_t sr_batch_row_count(const sr_batch *b);
size_t sr_batch_column_count(const sr_batch *b);
/* Moves every row of src to the end of dst (same columns required, else RT_EINVAL); src ends empty. */
int sr_batch_append(sr_batch *dst, sr_batch *src, rt_err *err);

/* ---- The store ---- */

/* Opens (creating) the store under data_dir and replays it. Returns 0 and *out, or RT_EIO /
 * RT_ECORRUPT. Free with sr_store_close(). */
int sr_store_open(const char *data_dir, sr_store **out, rt_err *err);
void sr_store_close(sr_store *s);

/* Databases. Names are case-sensitive. create: RT_EEXIST if present (unless if_not_exists);
 * drop: RT_ENOTFOUND if absent (unless if_exists); dropping removes its tables and labels. */
int sr_store_create_database(sr_store *s, const char *db, bool if_not_exists, rt_err *err);
int sr_store_drop_database(sr_store *s, const char *db, bool if_exists, rt_err *err);
bool sr_store_has_database(sr_store *s, const char *db);
/* Returns a NULL-terminated malloc'd array of malloc'd names, sorted; free with sr_names_free. */
char **sr_store_list_databases(sr_store *s);
/* Tables of db, sorted; NULL (and err RT_ENOTFOUND "unknown database, database=x") if no db. */
char **sr_store_list_tables(sr_store *s, const char *db, rt_err *err);
void sr_names_free(char **names);

/* Tables. Table names are case-sensitive, column names case-insensitive.
 * create: validates (sr_table_def_validate); RT_EEXIST "Table 'x' already exists" unless
 * if_not_exists; RT_ENOTFOUND for an unknown database. The def is copied. */
int sr_store_create_table(sr_store *s, const char *db, const sr_table_def *def, bool if_not_exists,
                          rt_err *err);
int sr_store_drop_table(sr_store *s, const char *db, const char *table, bool if_exists, rt_err *err);
int sr_store_truncate_table(sr_store *s, const char *db, const char *table, rt_err *err);
bool sr_store_has_table(sr_store *s, const char *db, const char *table);
/* Copies the current schema into *out (caller sr_table_def_fini's it). RT_ENOTFOUND with
 * "unknown database, database=x" / "unknown table \"db.t\"". */
int sr_store_get_schema(sr_store *s, const char *db, const char *table, sr_table_def *out,
                        rt_err *err);
/* ALTER TABLE ADD COLUMN: after = NULL and !first appends; existing rows get the default (or
 * NULL). Refuses a duplicate name, NOT NULL without default, or a key column. */
int sr_store_add_column(sr_store *s, const char *db, const char *table, const sr_column_def *col,
                        const char *after, bool first, rt_err *err);
/* ALTER TABLE DROP COLUMN: refuses key columns and the last column. */
int sr_store_drop_column(sr_store *s, const char *db, const char *table, const char *column,
                         rt_err *err);
/* ALTER TABLE MODIFY COLUMN col (matched by name): new type/nullability/default/comment; stored
 * values are re-converted (a value that does not convert, or NULL into NOT NULL -> RT_EINVAL and
 * nothing changes). Key columns may not change type or become nullable. */
int sr_store_modify_column(sr_store *s, const char *db, const char *table,
                           const sr_column_def *col, rt_err *err);

/* ---- DDL with schema-change jobs and an audit log (sr_store_alter.c) ----
 * StarRocks runs a schema change as an asynchronous job (SHOW ALTER TABLE COLUMN). Here ADD and
 * DROP COLUMN are "fast schema evolution": their job is FINISHED at once. MODIFY COLUMN is a
 * slow job: RUNNING for the store's alter delay, and the new type (and position) takes effect
 * only when it finishes; until then the table keeps its schema, loads keep working, and any
 * other ALTER (or TRUNCATE) of the table is refused. Jobs finish lazily: every store call that
 * reads or changes a schema first finishes the jobs whose time has come (one durable record
 * each), so what a client sees is the same as with a background thread. */

typedef enum sr_ddl_kind {
    SR_DDL_CREATE_DATABASE,
    SR_DDL_DROP_DATABASE,
    SR_DDL_CREATE_TABLE,
    SR_DDL_DROP_TABLE,
    SR_DDL_TRUNCATE_TABLE,
    SR_DDL_ADD_COLUMNS,
    SR_DDL_DROP_COLUMN,
    SR_DDL_MODIFY_COLUMN,
    SR_DDL_RENAME_COLUMN,
    SR_DDL_RENAME_TABLE,
    SR_DDL_NOOP, /* a statement that succeeded without a change (IF [NOT] EXISTS): audit only */
} sr_ddl_kind;
/* "CREATE_DATABASE", ... Never NULL. */
const char *sr_ddl_kind_name(sr_ddl_kind kind);

/* One DDL operation. Everything is borrowed for the call. */
typedef struct sr_ddl {
    sr_ddl_kind kind;
    const char *db;
    const char *table;     /* table statements ("" or NULL for database ones) */
    const char *statement; /* the SQL text for the audit log (sr_store_ddl_log_json); NULL = none */
    bool if_exists;        /* DROP ... IF EXISTS */
    bool if_not_exists;    /* CREATE ... IF NOT EXISTS */
    const sr_table_def *def;      /* CREATE_TABLE */
    const sr_column_def *columns; /* ADD_COLUMNS: column_count columns; MODIFY_COLUMN: one */
    size_t column_count;
    const char *after; /* ADD_COLUMNS (one column) / MODIFY_COLUMN: AFTER this column */
    bool first;        /* ... or FIRST */
    const char *column;   /* DROP_COLUMN, RENAME_COLUMN: the column */
    const char *new_name; /* RENAME_COLUMN: the new column name; RENAME_TABLE: the new table name */
} sr_ddl;

/* Applies d atomically and durably, with the statement (when given) in the audit log in the same
 * record. Errors carry StarRocks' messages: RT_EINVAL for refused changes ("Can not drop key
 * column in primary data model table", "Can not modify key column: c for primary key table",
 * "Can not change BIGINT to INT", "Cannot shorten string length", "Can not change from nullable
 * to non-nullable", "Can not change default value", "Can not add column which already exists in
 * base table: c", "Invalid column order. value should be after key. index[t]", "Column[c] does
 * not exists", "Table name[t] is already used"), RT_ESTATE while a job runs on the table
 * ("Table[t]'s state is not NORMAL. Do not allow doing ALTER ops"; TRUNCATE: "Table' state is
 * not NORMAL: SCHEMA_CHANGE"), RT_ENOTFOUND / RT_EEXIST as the table functions above. */
int sr_store_ddl(sr_store *s, const sr_ddl *d, rt_err *err);

/* How long a MODIFY COLUMN job stays RUNNING (ms, >= 0; default 300). Applies to jobs created
 * after the call. */
void sr_store_set_alter_delay_ms(sr_store *s, int64_t ms);

typedef enum sr_alter_state {
    SR_ALTER_PENDING,
    SR_ALTER_WAITING_TXN,
    SR_ALTER_RUNNING,
    SR_ALTER_FINISHED,
    SR_ALTER_CANCELLED,
} sr_alter_state;
/* "PENDING", "WAITING_TXN", "RUNNING", "FINISHED", "CANCELLED" (StarRocks' JobState names). */
const char *sr_alter_state_name(sr_alter_state st);
bool sr_alter_state_is_terminal(sr_alter_state st);

/* One row of SHOW ALTER TABLE COLUMN. Times are wall-clock ms; finish_ms 0 = not finished. */
typedef struct sr_alter_job_info {
    int64_t job_id;
    char table[256];
    int64_t create_ms;
    int64_t finish_ms;
    int64_t index_id;
    int64_t origin_index_id;
    int schema_version;
    int32_t schema_hash;
    int64_t txn_id;
    sr_alter_state state;
    char msg[256];
    int timeout_s;
} sr_alter_job_info;

/* The schema-change jobs of database db, oldest first: *out is a malloc'd array of *count
 * entries (free() it). RT_ENOTFOUND for an unknown database. */
int sr_store_alter_jobs(sr_store *s, const char *db, sr_alter_job_info **out, size_t *count,
                        rt_err *err);

/* The audit log as JSON text {"ddl":[{"ts_ms":..,"db":"..","table":"..","statement":"..",
 * "applied":true}, ...]} in execution order (durable: rebuilt from the store's log at open).
 * applied is false for SR_DDL_NOOP. Returns a malloc'd string; free() it. */
char *sr_store_ddl_log_json(sr_store *s);

/* Calls fn for each row: PRIMARY KEY tables in key order, DUPLICATE KEY tables in load order.
 * values has column_count entries (NULL or TEXT), borrowed for the call. fn runs under the store
 * lock: it must not call the store. A non-zero return from fn stops the scan and is returned. */
typedef int (*sr_scan_fn)(void *ctx, const sr_value *values, size_t column_count);
int sr_store_scan(sr_store *s, const char *db, const char *table, sr_scan_fn fn, void *ctx,
                  rt_err *err);
/* Number of rows in the table (0 if it does not exist). */
size_t sr_store_row_count(sr_store *s, const char *db, const char *table);

/* Applies b to the table atomically and durably (fsync'd before returning): upserts and deletes
 * on PRIMARY KEY tables, appends on DUPLICATE KEY tables (delete rows are ignored there). label
 * may be NULL (SQL INSERT); otherwise it is recorded as VISIBLE with txn_id. b is not modified. */
int sr_store_commit(sr_store *s, const char *db, const char *table, const sr_batch *b,
                    const char *label, int64_t txn_id, rt_err *err);

/* ---- Durable label records (Stream Load transactions) ---- */

typedef enum sr_label_state {
    SR_LABEL_UNKNOWN = 0,
    SR_LABEL_PREPARE,
    SR_LABEL_PREPARED,
    SR_LABEL_COMMITTED,
    SR_LABEL_VISIBLE,
    SR_LABEL_ABORTED,
} sr_label_state;
/* "UNKNOWN", "PREPARE", ... (StarRocks' TransactionStatus names). */
const char *sr_label_state_name(sr_label_state st);
bool sr_label_state_is_terminal(sr_label_state st);

typedef struct sr_label_info {
    sr_label_state state;
    int64_t txn_id;
    char table[256];
    char reason[256];
} sr_label_info;

/* A new transaction id, unique across restarts. */
int64_t sr_store_next_txn_id(sr_store *s);
/* The durable state of label in db: PREPARED, VISIBLE or ABORTED (only labels that were prepared
 * or committed are durable), else UNKNOWN. Writes *out always. */
void sr_store_label_get(sr_store *s, const char *db, const char *label, sr_label_info *out);
/* Records a PREPARED transaction with its rows, durably. Takes ownership of b on success. */
int sr_store_prepare(sr_store *s, const char *db, const char *table, const char *label,
                     int64_t txn_id, sr_batch *b, rt_err *err);
/* Applies the rows of a PREPARED label and marks it VISIBLE (one durable step). RT_ENOTFOUND if
 * the label is not PREPARED. */
int sr_store_commit_prepared(sr_store *s, const char *db, const char *label, rt_err *err);
/* Marks a PREPARED label ABORTED (reason recorded) and drops its rows. RT_ENOTFOUND if not
 * PREPARED. */
int sr_store_abort_prepared(sr_store *s, const char *db, const char *label, const char *reason,
                            rt_err *err);
/* Calls fn for each PREPARED label (to restore prepared-timeout deadlines at start). */
typedef void (*sr_label_fn)(void *ctx, const char *db, const char *label, int64_t txn_id);
void sr_store_prepared_foreach(sr_store *s, sr_label_fn fn, void *ctx);

#endif
