/* Change records and the batches that carry them between operators. A batch owns an arena from
 * which its records' values and strings are allocated; batches are reference counted so one batch
 * can go to several consumers (broadcast) and are recycled through a pool. */
#ifndef SLUICE_RUNTIME_BATCH_H
#define SLUICE_RUNTIME_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/table.h"
#include "runtime/value.h"

typedef enum rt_rowkind {
    RT_ROW_INSERT = 0,        /* +I */
    RT_ROW_UPDATE_BEFORE = 1, /* -U */
    RT_ROW_UPDATE_AFTER = 2,  /* +U */
    RT_ROW_DELETE = 3,        /* -D */
    RT_ROW_SCHEMA_CHANGE = 4, /* SC: a table's schema changed here (rt_schema_change) */
} rt_rowkind;

/* "+I", "-U", "+U", "-D", "SC". */
const char *rt_rowkind_name(rt_rowkind k);

/* What a schema-change record says happened to its table. */
typedef enum rt_schema_change_kind {
    RT_SCHEMA_CREATE_TABLE = 0,
    RT_SCHEMA_ALTER_TABLE = 1,  /* columns or the key changed; the record's table is the new one */
    RT_SCHEMA_RENAME_TABLE = 2, /* before: the old name's schema; table: the new name's */
    RT_SCHEMA_TRUNCATE_TABLE = 3,
    RT_SCHEMA_DROP_TABLE = 4, /* table: the schema the table had */
} rt_schema_change_kind;

/* "create_table", "alter_table", "rename_table", "truncate_table", "drop_table". */
const char *rt_schema_change_kind_name(rt_schema_change_kind k);

/* The payload of an SC record: records after it (on the same channel) use its new schema, those
 * before it the old one, so a sink applies the change between them. In the batch's arena. */
typedef struct rt_schema_change {
    uint8_t kind;           /* rt_schema_change_kind */
    const rt_table *before; /* the schema before (NULL for CREATE and when unknown) */
    const char *ddl;        /* the statement as the source wrote it, for logs and sinks */
    uint32_t ddl_len;
    /* ALTER_TABLE with a before schema: origin[j], for each column j of the record's table (the
     * schema after), is the index in `before` of the column it continues (kept, renamed,
     * retyped) or -1 for a new column. NULL when unknown: columns then match by name. This is
     * what tells a rename from a drop and an add (runtime/schema_diff.h reads it). Arena.
     * mysql_cdc also sets it on the RENAME_TABLE of an ALTER TABLE ... RENAME TO, which may
     * change columns as well; other kinds have none. */
    const int32_t *origin;
} rt_schema_change;

/* A change record. Public because operators read and write it in their inner loops; values has
 * rt_table_column_count(table) entries, allocated in the batch's arena, except for a
 * schema-change record (kind RT_ROW_SCHEMA_CHANGE): no values (ncols 0), table is the schema from
 * this record on, and change says what happened. Code that walks values must go by ncols. */
typedef struct rt_record {
    uint8_t kind; /* rt_rowkind */
    uint32_t ncols;
    const rt_table *table;
    rt_value *values;
    const rt_schema_change *change; /* SC records only; NULL for rows */
    /* When the source says the change happened, in ms since the epoch (MySQL: the binlog event's
     * timestamp, a whole second); 0 when unknown, as for snapshot rows. Metadata for transforms
     * (__op_ts__) and latency figures; rt_batch_copy_record keeps it. */
    int64_t ts_ms;
} rt_record;

typedef struct rt_batch rt_batch;
typedef struct rt_batch_pool rt_batch_pool;

/* A pool of recycled batches shared by the tasks of a job (thread-safe). keep = how many free
 * batches it holds on to at most. */
rt_batch_pool *rt_batch_pool_new(size_t keep);
/* Frees the pooled batches. Batches still in use must have been released first. */
void rt_batch_pool_free(rt_batch_pool *pool);

/* A new empty batch with one reference, from pool (may be NULL: plain malloc). NULL on OOM. */
rt_batch *rt_batch_new(rt_batch_pool *pool);
/* Adds a reference (for sending one batch to several consumers). Thread-safe. */
void rt_batch_ref(rt_batch *b);
/* Drops a reference; at zero the batch is reset and goes back to its pool (or is freed).
 * NULL is a no-op. Thread-safe. */
void rt_batch_unref(rt_batch *b);

/* Appends a record of `kind` for table t with every value NULL; returns it (borrowed, valid until
 * the batch is released), or NULL on OOM. Only the batch's single owner may append. */
rt_record *rt_batch_add(rt_batch *b, rt_rowkind kind, const rt_table *t);
/* Appends a schema-change record for table `after` (the ddl text is copied into the arena);
 * returns it (borrowed) or NULL on OOM. */
rt_record *rt_batch_add_schema_change(rt_batch *b, rt_schema_change_kind kind,
                                      const rt_table *after, const rt_table *before,
                                      const char *ddl, size_t ddl_len);
/* Sets the origin map of the schema-change record sc (appended to b by the call above):
 * n = rt_table_column_count(sc->table) entries, copied into b's arena. 0 or RT_ENOMEM. */
int rt_batch_set_schema_origin(rt_batch *b, rt_record *sc, const int32_t *origin, size_t n);
/* Appends a deep copy of src (strings copied into this batch's arena). 0 or RT_ENOMEM. */
int rt_batch_copy_record(rt_batch *b, const rt_record *src);
/* n bytes from the batch's arena (8-byte aligned), freed with the batch. NULL on OOM. */
void *rt_batch_alloc(rt_batch *b, size_t n);
/* Copies len bytes into the arena and points v at them as a value of type `type`
 * (STRING, BYTES, DECIMAL or JSON). 0 or RT_ENOMEM. */
int rt_batch_set_str(rt_batch *b, rt_value *v, rt_type type, const char *ptr, size_t len);

size_t rt_batch_count(const rt_batch *b);
/* Borrowed; i < count. */
rt_record *rt_batch_at(rt_batch *b, size_t i);
const rt_record *rt_batch_at_const(const rt_batch *b, size_t i);
/* Bytes the batch holds (records, values, arena), for memory accounting. */
size_t rt_batch_size(const rt_batch *b);

#endif
