/* sr_store_int.h: private to the sr_store module (sr_store.c, sr_store_record.c): batch
 * internals, allocation helpers and the JSON form of definitions and batches in the log. */
#ifndef SLUICE_TESTS_SR_ENDPOINT_SR_STORE_INT_H
#define SLUICE_TESTS_SR_ENDPOINT_SR_STORE_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tests/sr_endpoint/sr_store.h"

struct brow {
    sr_row_op op;
    sr_value *v;
};
struct sr_batch {
    char **cols;
    size_t ncols;
    struct brow *rows;
    size_t count, cap;
};

static inline char *xstrdup(const char *s)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    RT_ASSERT(d);
    return d;
}

static inline void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    RT_ASSERT(p);
    return p;
}

static inline void *xrealloc(void *p, size_t size)
{
    p = realloc(p, size ? size : 1);
    RT_ASSERT(p);
    return p;
}

typedef struct row {
    sr_value *v;
    char *key; /* encoded key columns (PRIMARY KEY tables), for the hash index */
    size_t keylen;
} row;

typedef struct table {
    sr_table_def def;
    row *rows;
    size_t count, cap;
    size_t *slots; /* PK index: open addressing, row index + 1, 0 = empty */
    size_t nslots;
    int64_t index_id;   /* the base index (StarRocks: a new one per schema-change job) */
    int schema_version; /* bumped by every schema change */
} table;

/* A load label (sr_store.c). */
typedef struct label {
    char *name;
    sr_label_state state;
    int64_t txn_id;
    char *table;
    char *reason;
    sr_batch *batch; /* PREPARED only */
} label;

/* A schema-change job (sr_store_alter.c). MODIFY jobs keep the change they apply when they
 * finish. */
typedef struct alter_job {
    sr_alter_job_info info;
    int64_t deadline_ms; /* RUNNING until then (wall clock) */
    sr_column_def col;   /* MODIFY: the new definition (name = the column's declared name) */
    char *after;         /* MODIFY: the new position, if any */
    bool first;
} alter_job;

typedef struct db {
    char *name;
    table **tables;
    size_t ntables;
    label *labels;
    size_t nlabels, caplabels;
    alter_job *jobs;
    size_t njobs;
} db;

/* One audit-log entry (SR_DDL_* statements that succeeded). */
typedef struct ddl_entry {
    int64_t ts_ms;
    char *db, *table, *statement;
    bool applied;
} ddl_entry;

struct sr_store {
    pthread_mutex_t mu;
    char *dir;
    int fd;
    db **dbs;
    size_t ndbs;
    int64_t next_txn;
    int64_t next_id; /* table, index and job ids (StarRocks-like, from 10001) */
    int64_t alter_delay_ms;
    bool replaying;
    ddl_entry *ddl;
    size_t nddl;
};

/* Store internals shared by sr_store.c and sr_store_alter.c (the caller holds s->mu). */
/* Finds database dbn and, with tout, table tn in it (dout may be NULL); RT_ENOTFOUND with
 * StarRocks' messages. */
int sr_store_lookup(sr_store *s, const char *dbn, const char *tn, db **dout, table **tout,
                    rt_err *err);
/* Validates, logs (live only) and applies one record (replay and live calls share this path).
 * A record with a "stmt" that applied also enters the DDL audit log. */
int sr_store_exec_record(sr_store *s, json_t *rec, bool live, rt_err *err);
/* Appends rec to the log durably (fdatasync); RT_EIO. */
int sr_store_log_append(sr_store *s, json_t *rec, rt_err *err);
/* rec's string field key, or "". */
const char *sr_store_jstr(json_t *rec, const char *key);
/* A new id (tables, indexes, jobs); ids found in replayed records move the counter past them. */
int64_t sr_store_new_id(sr_store *s);
void sr_store_note_id(sr_store *s, int64_t id);
int64_t sr_store_new_txn(sr_store *s);

/* Schema changes (sr_store_alter.c): exec_record's handlers for the alter records. Each
 * validates, logs (live only) and applies, as exec_record's contract says. */
int sr_store_op_add_columns(sr_store *s, json_t *rec, bool live, rt_err *err);
int sr_store_op_drop_column(sr_store *s, json_t *rec, bool live, rt_err *err);
int sr_store_op_modify_column(sr_store *s, json_t *rec, bool live, rt_err *err);
int sr_store_op_alter_finish(sr_store *s, json_t *rec, bool live, rt_err *err);
int sr_store_op_rename_column(sr_store *s, json_t *rec, bool live, rt_err *err);
int sr_store_op_rename_table(sr_store *s, json_t *rec, bool live, rt_err *err);
/* Refuses (RT_ESTATE) when a job of table t in d has not finished. truncate picks the message. */
int sr_store_check_normal(const db *d, const table *t, bool truncate, rt_err *err);
/* Cancels the unfinished jobs of table name in d (the table is dropped). */
void sr_store_cancel_jobs(db *d, const char *table, const char *msg);
/* Finishes every job whose time has come (live only; one durable record each). */
void sr_store_advance_jobs(sr_store *s);
/* Frees a database's jobs. */
void sr_store_jobs_free(db *d);
/* The audit log: records carrying "stmt" add an entry once they applied. */
void sr_store_ddl_note(sr_store *s, json_t *rec);
void sr_store_ddl_free(sr_store *s);

/* Tables (sr_store_table.c). */
void sr_store_table_clear_rows(table *t);
void sr_store_table_free(table *t);
/* The value a column takes when a row does not set it (default, NULL, or the type's zero). */
sr_value sr_store_column_fill(const sr_column_def *c);
/* Rejects a batch that cannot apply cleanly (NULL into NOT NULL, missing key columns), so that
 * sr_store_table_apply, run after the log write, cannot fail. */
int sr_store_batch_check(const table *t, const sr_batch *b, rt_err *err);
void sr_store_table_apply(table *t, const sr_batch *b);

/* A DEFAULT that does not convert to the column's type -> RT_EINVAL. */
int sr_store_check_default(const sr_column_def *c, rt_err *err);
/* Log record forms. The *_from_json functions return RT_ECORRUPT (or NULL) on a bad record;
 * the def/column outputs then need their _fini all the same. */
json_t *sr_store_column_to_json(const sr_column_def *c);
int sr_store_column_from_json(json_t *o, sr_column_def *c);
json_t *sr_store_def_to_json(const sr_table_def *d);
int sr_store_def_from_json(json_t *o, sr_table_def *d);
json_t *sr_store_batch_to_json(const sr_batch *b);
sr_batch *sr_store_batch_from_json(json_t *o);

#endif
