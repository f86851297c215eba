/* The parsed statement behind op_ddl, shared by the parser (ddl_parse.c) and the accessors
 * (ddl_stmt.c). */
#ifndef SLUICE_OPERATORS_MYSQL_DDL_PARSE_INT_H
#define SLUICE_OPERATORS_MYSQL_DDL_PARSE_INT_H

#include "operators/mysql/ddl_parse.h"

struct op_ddl {
    op_ddl_kind kind;
    bool if_exists;
    bool if_not_exists;
    op_ddl_name *tables;
    size_t table_count, table_cap;
    op_ddl_name like;
    bool has_like;
    op_ddl_column *columns;
    size_t column_count, column_cap;
    char **key;
    size_t key_count, key_cap;
    op_ddl_alter *alters;
    size_t alter_count, alter_cap;
};

/* Frees what a column, a name, a key list or an alteration owns. */
void op_ddl_column_fini(op_ddl_column *c);
void op_ddl_name_fini(op_ddl_name *n);
void op_ddl_key_free(char **key, size_t n);
void op_ddl_alter_fini(op_ddl_alter *a);

#endif
