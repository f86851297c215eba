/* The structures behind op_cdc_tables, shared by its files: cdc_tables.c (the tables, their
 * versions, schema reads) and cdc_tables_ddl.c (the table DDL of QUERY events). */
#ifndef SLUICE_OPERATORS_MYSQL_CDC_TABLES_INT_H
#define SLUICE_OPERATORS_MYSQL_CDC_TABLES_INT_H

#include "operators/mysql/cdc_tables.h"

/* A table and, beside the version in use, the seed: the schema the reader started with, read
 * by the schema reader (its sql_type texts are the server's COLUMN_TYPE, as the snapshot's rows
 * carry them), used again whenever the seed's version is in force. */
typedef struct op_cdc_entry {
    op_cdc_table pub;
    const rt_table *seed_table; /* interned; NULL without a seed */
    uint32_t *seed_positions;
    size_t seed_source_count;
    char *seed_file;
    uint64_t seed_offset;
} op_cdc_entry;

struct op_cdc_tables {
    rt_catalog *catalog;
    const op_mysql_table_filter *filter;
    const op_mysql_conn_params *conn_params;
    op_mysql_conn *conn; /* schema reads; NULL until needed or after it failed */
    const char *tag;
    op_schema_history *history;
    op_cdc_entry **e; /* pointers: the reader keeps op_cdc_table pointers across additions */
    size_t count, cap;
    int32_t *origins[OP_CDC_MAX_CHANGES]; /* of the last apply's changes (borrowed by the caller) */
};

/* RT_ENOMEM with the source's message. */
int op_cdc_tables_oom(rt_err *err);
/* The entry of db.name, created (without a version) when new; NULL on OOM. */
op_cdc_entry *op_cdc_tables_entry(op_cdc_tables *ts, const char *db, const char *name);
/* Makes e's version the one in force at pos (built when it is not the one in use).
 * RT_ENOTFOUND when the table does not exist at pos. */
int op_cdc_tables_version(op_cdc_tables *ts, op_cdc_entry *e, op_schema_pos pos, rt_err *err);
/* The selected columns of full (a whole server table) as a new table (free with rt_table_free
 * or intern it) and their positions in full (*positions, malloc'd). */
int op_cdc_tables_project(op_cdc_tables *ts, rt_table *full, rt_table **out, uint32_t **positions,
                          rt_err *err);
/* Reads db.name from the server as it is now into the history, as the version from pos on.
 * RT_ENOTFOUND when the server has no such table. */
int op_cdc_tables_seed_from_server(op_cdc_tables *ts, const char *db, const char *name,
                                   op_schema_pos pos, rt_err *err);

/* Forgets e's seed: its versions are built from the history from then on. */
void op_cdc_tables_seed_forget(op_cdc_entry *e);

#endif
