/* source_ddl: what the starrocks sink reads from the source's DDL text itself, for what a
 * schema-change record does not carry (rt_column has no default): the DEFAULT of an added
 * column, so the rows the source already holds get it in the target too. Pure. */
#ifndef SLUICE_OPERATORS_STARROCKS_SOURCE_DDL_H
#define SLUICE_OPERATORS_STARROCKS_SOURCE_DDL_H

#include <stdbool.h>
#include <stddef.h>

/* The DEFAULT the MySQL statement ddl (len bytes) gives column `column` (case-insensitive) in an
 * ADD [COLUMN] clause, as StarRocks takes it (notes §6.1): a double-quoted string ("\"7\"",
 * "\"-1.5\"", "\"a'b\"") or CURRENT_TIMESTAMP, into out (size bytes). False when it gives none
 * that carries over: no DEFAULT, DEFAULT NULL, an expression, a bit literal. */
bool op_sr_source_ddl_default(const char *ddl, size_t len, const char *column, char *out,
                              size_t size);

#endif
