/* Reads the schemas of the selected tables from the server's information_schema into rt_tables,
 * with what the snapshot needs beside them: the primary key in key order, the chunk key, a row
 * estimate and a size. */
#ifndef SLUICE_OPERATORS_MYSQL_SCHEMA_READER_H
#define SLUICE_OPERATORS_MYSQL_SCHEMA_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/mysql/connection.h"
#include "operators/mysql/table_filter.h"
#include "runtime/base/errors.h"
#include "runtime/table.h"

/* MariaDB allows 32 key parts (MySQL 16). */
#define OP_MYSQL_MAX_KEY_COLUMNS 32

/* One selected table. Caller-allocated or an element of an op_mysql_table_list; owned members
 * are freed by op_mysql_table_info_fini. */
typedef struct op_mysql_table_info {
    /* Owned. The selected columns in table order: rt_column.sql_type is the server's COLUMN_TYPE
     * ("bigint(20) unsigned"), primary_key marks the key's columns. A caller that hands it to a
     * catalog (rt_catalog_intern takes ownership) sets this to NULL. */
    rt_table *table;
    /* Per column of `table`: its position among all the server table's columns (0-based), to
     * pick the selected columns out of a binlog row image, which always has them all. Owned. */
    uint32_t *source_positions;
    size_t source_column_count; /* columns of the server table */
    /* Per column of `table`: CHARACTER_SET_NAME ("utf8mb4", "latin1"), NULL for columns
     * without one (numbers, dates, binary). Owned. */
    char **charsets;
    /* The primary key in key order (PRIMARY KEY (b, a) gives b then a: rt_table keeps key
     * columns in column order only), as column indexes of `table`. 0 without a primary key. */
    size_t key_count;
    size_t key_columns[OP_MYSQL_MAX_KEY_COLUMNS];
    /* The column snapshot chunks split on: chunk_key_column when configured for this table, else
     * the key's first column. A table without a key and without chunk_key_column is refused. */
    size_t chunk_column;
    bool chunk_column_configured;
    uint64_t row_estimate; /* information_schema.TABLES.TABLE_ROWS: InnoDB's estimate */
    uint64_t data_size;    /* DATA_LENGTH in bytes, approximate */
} op_mysql_table_info;

/* Frees what info owns and zeroes it. NULL is a no-op. */
void op_mysql_table_info_fini(op_mysql_table_info *info);

/* Reads the schema of db.table (which must exist and be a BASE TABLE) into *out, applying the
 * filter's column list and chunk key for it. Errors (RT_EINVAL): unknown table, a listed column
 * the table does not have (naming the config path), a column list that leaves out a key column
 * or the chunk key, a column type Sluice cannot carry, and "table shop.log has no primary key:
 * set chunk_key_column ..."; the connection's errors otherwise. */
int op_mysql_schema_read_table(op_mysql_conn *c, const op_mysql_table_filter *f, const char *db,
                               const char *table, op_mysql_table_info *out, rt_err *err);

/* The selected tables of a server, ordered by db then table name. */
typedef struct op_mysql_table_list op_mysql_table_list;

/* Lists the base tables of the server the filter selects (the system schemas mysql,
 * information_schema, performance_schema and sys are never read; views, sequences and
 * system-versioned tables are not base tables) and reads each one's schema. An include pattern
 * that matches no table is an error naming it ("$...config.tables[1]: \"shop\\.nope\" matches
 * no table on 127.0.0.1:3306 ..."): a typo must not pass as an empty job. *out: free with
 * op_mysql_table_list_free. */
int op_mysql_schema_read_tables(op_mysql_conn *c, const op_mysql_table_filter *f,
                                op_mysql_table_list **out, rt_err *err);
size_t op_mysql_table_list_count(const op_mysql_table_list *l);
/* The i-th table. Borrowed from the list (the caller may take `table`, see above). */
op_mysql_table_info *op_mysql_table_list_get(op_mysql_table_list *l, size_t i);
/* Frees the list and every info in it. NULL is a no-op. */
void op_mysql_table_list_free(op_mysql_table_list *l);

#endif
