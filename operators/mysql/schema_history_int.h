/* The structures behind op_schema_history, shared by the history (schema_history.c) and its
 * binary form (schema_history_codec.c). */
#ifndef SLUICE_OPERATORS_MYSQL_SCHEMA_HISTORY_INT_H
#define SLUICE_OPERATORS_MYSQL_SCHEMA_HISTORY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/mysql/schema_history.h"

typedef struct op_schema_column {
    char *name;
    char *type;          /* op_ddl_type_normalize's text */
    char *default_value; /* op_ddl_default_normalize's text for type, NULL without a default */
    bool nullable;
    uint16_t key_seq; /* 1-based position in the primary key, 0 when not in it */
} op_schema_column;

/* One schema version; owns its strings. */
typedef struct op_schema_version {
    char *file;
    uint64_t offset;
    bool dropped; /* the table does not exist from here on */
    op_schema_column *cols;
    size_t count, cap;
} op_schema_version;

typedef struct op_schema_table {
    char *db;
    char *name;
    op_schema_version *v; /* in position order */
    size_t count, cap;
} op_schema_table;

struct op_schema_history {
    op_schema_table *t;
    size_t count, cap;
};

/* Frees what a version owns and zeroes it. */
void op_schema_version_fini(op_schema_version *v);
/* The entry of db.name, created empty when `create` (NULL on OOM or when absent). */
op_schema_table *op_schema_history_entry(op_schema_history *h, const char *db, const char *name,
                                         bool create);
/* Appends v to e (taking what it owns); replaces the last version when it has the same
 * position. RT_ENOMEM leaves v with the caller. */
int op_schema_table_push(op_schema_table *e, op_schema_version *v);

#endif
