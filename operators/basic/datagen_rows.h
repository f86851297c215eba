/* The row generator behind the datagen source: the schema of the generated table and the pure
 * function (seed, id, column) -> value. Apart from the operator so that tests can check values
 * without running a job. */
#ifndef SLUICE_OPERATORS_BASIC_DATAGEN_ROWS_H
#define SLUICE_OPERATORS_BASIC_DATAGEN_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/base/errors.h"
#include "runtime/table.h"
#include "runtime/value.h"

typedef struct op_datagen_schema op_datagen_schema;

/* Builds the schema of the generated rows. columns_json is NULL for the default schema (id
 * BIGINT NOT NULL primary key, k INT, name VARCHAR(64), price DECIMAL(18,4), ratio DOUBLE,
 * created DATETIME(6), payload VARCHAR(255), flag TINYINT), or a JSON object of column name ->
 * MySQL type text, optionally ending in NULL / NOT NULL; its first column must be an integer
 * type and becomes the primary key. `path` names the columns value in error messages
 * ("$.operators[0].config.columns"). *out: free with op_datagen_schema_free. */
int op_datagen_schema_new(const char *columns_json, int64_t seed, const char *path,
                          op_datagen_schema **out, rt_err *err);
void op_datagen_schema_free(op_datagen_schema *s);

size_t op_datagen_schema_column_count(const op_datagen_schema *s);
/* The largest id the key column can hold (INT64_MAX for BIGINT). */
uint64_t op_datagen_schema_max_id(const op_datagen_schema *s);
/* Returns a new table db.name with the schema's columns (free with rt_table_free, or hand it to
 * a catalog), or NULL with err set. */
rt_table *op_datagen_schema_table(const op_datagen_schema *s, const char *db, const char *name,
                                  rt_err *err);

/* Bytes of text one row needs at most. */
size_t op_datagen_row_max_size(const op_datagen_schema *s);
/* Writes the row with this id (1 <= id <= max id) into values[0 .. column count) and its text
 * into buf, which has room for op_datagen_row_max_size bytes; string values point into buf.
 * Returns the bytes of buf used. Pure: the same (schema, seed, id) always gives the same row. */
size_t op_datagen_row(const op_datagen_schema *s, uint64_t id, rt_value *values, char *buf);

#endif
