/* The DDL parser of schema tracking: reads the table DDL statements MySQL and MariaDB write into
 * QUERY events (CREATE / ALTER / DROP / RENAME / TRUNCATE TABLE) into a parsed statement that the
 * schema history (schema_history.h) applies. Pure functions; a statement belongs to its caller. */
#ifndef SLUICE_OPERATORS_MYSQL_DDL_PARSE_H
#define SLUICE_OPERATORS_MYSQL_DDL_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/base/buf.h"
#include "runtime/base/errors.h"

typedef enum op_ddl_kind {
    OP_DDL_CREATE_TABLE,
    OP_DDL_ALTER_TABLE,
    OP_DDL_DROP_TABLE,
    OP_DDL_RENAME_TABLE,
    OP_DDL_TRUNCATE_TABLE,
} op_ddl_kind;

/* "create_table", "alter_table", "drop_table", "rename_table", "truncate_table". */
const char *op_ddl_kind_name(op_ddl_kind k);

/* A table name: db is the qualifier, or the QUERY event's default database ("" when it had
 * none). Both owned by the statement. */
typedef struct op_ddl_name {
    char *db;
    char *table;
} op_ddl_name;

/* A column definition. Owned by the statement. */
typedef struct op_ddl_column {
    char *name;
    /* The type as op_ddl_type_normalize writes it ("bigint unsigned", "varchar(64)"). */
    char *type;
    bool nullable;    /* false after NOT NULL (or when the column is in the primary key) */
    bool primary_key; /* inline PRIMARY KEY / KEY */
    bool auto_increment;
    /* The default as op_ddl_default_normalize writes it for this column's type ("7", "'abc'",
     * "current_timestamp()"); NULL without a DEFAULT clause or for DEFAULT NULL. */
    char *default_value;
} op_ddl_column;

typedef enum op_ddl_alter_kind {
    OP_DDL_ADD_COLUMN,      /* column, place */
    OP_DDL_DROP_COLUMN,     /* name */
    OP_DDL_MODIFY_COLUMN,   /* column (column.name names it), place */
    OP_DDL_CHANGE_COLUMN,   /* name (old) -> column (new name and definition), place */
    OP_DDL_RENAME_COLUMN,   /* name (old) -> new_name */
    OP_DDL_RENAME_TO,       /* table: the new name */
    OP_DDL_ADD_PRIMARY_KEY, /* key, key_count: column names in key order */
    OP_DDL_DROP_PRIMARY_KEY,
    /* ALTER [COLUMN] name SET DEFAULT x / DROP DEFAULT: name; column.default_value is the literal
     * as written (NULL for DROP DEFAULT), not normalised: its canonical form depends on the
     * column's type, which the statement does not name (op_ddl_default_normalize it with the
     * type the schema history holds). */
    OP_DDL_ALTER_DEFAULT,
} op_ddl_alter_kind;

const char *op_ddl_alter_kind_name(op_ddl_alter_kind k);

/* Where ADD / MODIFY / CHANGE put the column: the end (ADD) or where it was (MODIFY, CHANGE),
 * first, or after another column. */
typedef enum op_ddl_place {
    OP_DDL_PLACE_DEFAULT,
    OP_DDL_PLACE_FIRST,
    OP_DDL_PLACE_AFTER,
} op_ddl_place;

/* One alteration of an ALTER TABLE. Owned by the statement. */
typedef struct op_ddl_alter {
    op_ddl_alter_kind kind;
    bool if_exists; /* IF EXISTS (DROP, MODIFY, CHANGE, RENAME COLUMN) or IF NOT EXISTS (ADD) */
    char *name;
    char *new_name;
    op_ddl_column column;
    op_ddl_place place;
    char *after; /* PLACE_AFTER: the column */
    op_ddl_name table;
    char **key;
    size_t key_count;
} op_ddl_alter;

typedef struct op_ddl op_ddl;

/* Parses the statement text of a QUERY event; default_db (db_len bytes, not NUL-terminated, may
 * be empty) qualifies unqualified names. Returns 0 with *out a new statement (free with
 * op_ddl_free), or 0 with *out = NULL when the text is not a table DDL (DML, BEGIN, GRANT,
 * CREATE VIEW / INDEX / DATABASE, temporary tables, ...). RT_EUNSUPPORTED, with the position and
 * an excerpt, for a table DDL this parser cannot read; RT_ENOMEM. Never reads past len. */
int op_ddl_parse(const char *sql, size_t len, const char *default_db, size_t db_len, op_ddl **out,
                 rt_err *err);
/* NULL is a no-op. */
void op_ddl_free(op_ddl *d);

op_ddl_kind op_ddl_kind_of(const op_ddl *d);
/* CREATE ... IF NOT EXISTS, DROP ... IF EXISTS. */
bool op_ddl_if_not_exists(const op_ddl *d);
bool op_ddl_if_exists(const op_ddl *d);
/* The tables named: CREATE, ALTER, TRUNCATE: 1; DROP: each one; RENAME: 2 per pair (the i-th
 * pair is from = 2i, to = 2i + 1). Borrowed. */
size_t op_ddl_table_count(const op_ddl *d);
const op_ddl_name *op_ddl_table_at(const op_ddl *d, size_t i);
/* CREATE TABLE ... LIKE: the source table, else NULL. Borrowed. */
const op_ddl_name *op_ddl_like(const op_ddl *d);
/* CREATE TABLE: the columns in order and the primary key (inline or table-level) in key order. */
size_t op_ddl_column_count(const op_ddl *d);
const op_ddl_column *op_ddl_column_at(const op_ddl *d, size_t i);
size_t op_ddl_key_count(const op_ddl *d);
const char *op_ddl_key_at(const op_ddl *d, size_t i);
/* ALTER TABLE: the alterations that change columns, keys or the name, in statement order
 * (others, such as indexes and table options, are recognised and left out). */
size_t op_ddl_alter_count(const op_ddl *d);
const op_ddl_alter *op_ddl_alter_at(const op_ddl *d, size_t i);

/* Appends a one-line description for logs and tests:
 * "CREATE a.t (id int NOT NULL, v varchar(8)) PRIMARY KEY (id)",
 * "ALTER a.t: ADD c int FIRST; DROP d", "DROP a.t, a.u", "RENAME a.t TO a.u", "TRUNCATE a.t". */
void op_ddl_format(const op_ddl *d, rt_buf *out);

/* Appends the canonical form of a MySQL column type: op_sql_type's format when it parses
 * (operators/basic/sql_type.h) with integer display widths dropped except tinyint(1); otherwise
 * the text in lower case with single spaces. */
void op_ddl_type_normalize(const char *text, rt_buf *out);

/* Appends the canonical text of a column default: the SQL literal or expression `text` (len
 * bytes; what follows DEFAULT in DDL, or information_schema.COLUMNS.COLUMN_DEFAULT of MariaDB
 * 10.2+, which is itself SQL) for a column of type `type` (op_ddl_type_normalize's text). The
 * form is MariaDB's COLUMN_DEFAULT text, so that DDL and information_schema agree:
 *   strings, dates, times: single-quoted, ' doubled, backslash, newline, CR and NUL escaped as
 *     \\ \n \r \0 ("'it''s'"); dates and times as the column stores them ('2020-01-01 00:00:00',
 *     '10:00:00.00' for time(2));
 *   integer, decimal, float types: the number the column stores ("8" for '7.6' in an int,
 *     "1.50" in a decimal(10,2), "1000" for 1e3 in a double, "1e20"); TRUE / FALSE as 1 / 0;
 *   bit: b'101';
 *   CURRENT_TIMESTAMP, NOW(), LOCALTIME[STAMP] [(n)]: "current_timestamp()" or
 *     "current_timestamp(n)";
 *   other expressions: lower case outside strings, spaces kept only between two words, the
 *     outer parentheses dropped ("1+2", "abs(-3)").
 * Returns false and appends nothing for NULL (DEFAULT NULL, or COLUMN_DEFAULT "NULL") and empty
 * text. Pure. */
bool op_ddl_default_normalize(const char *text, size_t len, const char *type, rt_buf *out);

#endif
