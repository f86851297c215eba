/* Table schemas (rt_table) and the job-wide catalog that gives every schema version an id.
 * Records carry a pointer to their table; schemas are immutable and live as long as the catalog. */
#ifndef SLUICE_RUNTIME_TABLE_H
#define SLUICE_RUNTIME_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/base/errors.h"
#include "runtime/value.h"

/* Caller-filled description of a column, copied by rt_table_new. */
typedef struct rt_column {
    const char *name;
    rt_type type;         /* the value type records carry for this column */
    const char *sql_type; /* the source's type text, "decimal(18,4)", "varchar(64)"; may be NULL */
    bool nullable;
    bool primary_key;
    /* The column's default as a value literal in MariaDB's information_schema text
     * (COLUMNS.COLUMN_DEFAULT, 10.2+): a quoted string "'abc'" (quotes doubled inside), a number
     * "7" / "1.50" as the column stores it, an expression "current_timestamp()" /
     * "current_timestamp(3)". NULL when the column has no default or its default is NULL (the
     * two read the same: a nullable column without a DEFAULT clause defaults to NULL).
     * Optional: a zero-initialised column has none. */
    const char *default_value;
} rt_column;

typedef struct rt_table rt_table;

/* Returns a new table db.name with copies of the columns, or NULL with err set (EINVAL for an
 * empty name, no columns or a duplicate column name). Free with rt_table_free (only tables
 * never handed to a catalog). */
rt_table *rt_table_new(const char *db, const char *name, const rt_column *columns, size_t count,
                       rt_err *err);
void rt_table_free(rt_table *t);

/* The catalog id (0 until interned). */
uint32_t rt_table_id(const rt_table *t);
const char *rt_table_db(const rt_table *t);
const char *rt_table_name(const rt_table *t);
/* "db.name". */
const char *rt_table_qualified(const rt_table *t);
size_t rt_table_column_count(const rt_table *t);
/* Borrowed; valid as long as the table. */
const rt_column *rt_table_column(const rt_table *t, size_t i);
/* Column index by name, or -1. */
long rt_table_column_index(const rt_table *t, const char *name);
/* Number of primary-key columns and the column index of the i-th one (key order). */
size_t rt_table_pk_count(const rt_table *t);
size_t rt_table_pk_column(const rt_table *t, size_t i);
/* Same name, columns (name, type, sql_type, nullability, key, default) in the same order. */
bool rt_table_equal(const rt_table *a, const rt_table *b);

/* A job's catalog of table schemas; append-only and thread-safe. */
typedef struct rt_catalog rt_catalog;

rt_catalog *rt_catalog_new(void);
/* Frees the catalog and every table in it. NULL is a no-op. */
void rt_catalog_free(rt_catalog *cat);
/* Takes ownership of t. If an equal table is already in the catalog, frees t and returns the
 * existing one; otherwise assigns t the next id (1, 2, ...) and returns it. Never NULL. */
const rt_table *rt_catalog_intern(rt_catalog *cat, rt_table *t);
/* The table with this id, or NULL. */
const rt_table *rt_catalog_get(rt_catalog *cat, uint32_t id);
/* The latest version of db.name, or NULL. */
const rt_table *rt_catalog_find(rt_catalog *cat, const char *qualified);

#endif
