/* sr_store_int.h: private to the sr_store module (sr_store.c, sr_store_record.c): batch
 * internals, allocation helpers and the JSON form of definitions and batches in the log. */
#ifndef SLUICE_TESTS_SR_ENDPOINT_SR_STORE_INT_H
#define SLUICE_TESTS_SR_ENDPOINT_SR_STORE_INT_H

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
} table;

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
