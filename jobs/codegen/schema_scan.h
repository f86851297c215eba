/* The source side of `sluice generate`: the MySQL/MariaDB tables a list of whole-name regexes
 * selects, read from information_schema with what the StarRocks DDL needs (types with charset
 * byte widths, nullability, defaults, comments, the key, sizes). Internal to sluice_codegen:
 * these plain structs are the codegen modules' shared model. */
#ifndef SLUICE_JOBS_CODEGEN_SCHEMA_SCAN_H
#define SLUICE_JOBS_CODEGEN_SCHEMA_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/base/errors.h"

#define GEN_MAX_KEY_COLUMNS 32

/* One source column. Strings owned by the table (freed by gen_table_fini). */
typedef struct gen_column {
    char *name;
    char *data_type;         /* information_schema DATA_TYPE, lower case: "int", "varchar" */
    char *column_type;       /* COLUMN_TYPE: "int(10) unsigned", "enum('a','b')" */
    char *charset;           /* CHARACTER_SET_NAME; NULL for numbers, dates, binary */
    unsigned charset_maxlen; /* CHARACTER_SETS.MAXLEN of charset; 0 without one */
    uint64_t char_length;    /* CHARACTER_MAXIMUM_LENGTH (characters; bytes for binary types) */
    unsigned precision;      /* NUMERIC_PRECISION (DECIMAL digits, BIT width) */
    unsigned scale;          /* NUMERIC_SCALE */
    bool is_unsigned;
    bool nullable;
    bool has_default; /* COLUMN_DEFAULT is not NULL */
    bool auto_increment;
    bool is_json;  /* MySQL JSON, or MariaDB's LONGTEXT CHECK (json_valid(col)) */
    char *comment; /* "" when none */
} gen_column;

/* One source table. */
typedef struct gen_table {
    char *db, *name;
    char *comment;        /* TABLE_COMMENT, "" when none */
    uint64_t data_length; /* bytes, approximate */
    uint64_t row_estimate;
    gen_column *columns; /* table order */
    size_t column_count;
    size_t key[GEN_MAX_KEY_COLUMNS]; /* key columns in key order, indexes into columns */
    size_t key_count;
    char *key_name; /* NULL for the primary key; else the unique key used in its place */
} gen_table;

void gen_table_fini(gen_table *t);

/* The selected tables, ordered by db then name. */
typedef struct gen_table_set {
    gen_table *items;
    size_t count;
} gen_table_set;

void gen_table_set_fini(gen_table_set *s);

struct op_mysql_conn;

/* Reads every base table whose "db.table" one of the POSIX extended regexes matches as a whole
 * (system schemas never). A pattern that matches nothing is an error naming it; a table without a
 * primary key and without a unique key of NOT NULL columns is an error naming the table (the
 * sync needs a key for updates and deletes). A unique key used in place of a primary key is
 * reported through note(note_arg, text) (text borrowed for the call; note may be NULL). On
 * success fills *out (free with gen_table_set_fini). */
int gen_schema_scan(struct op_mysql_conn *c, const char *const *patterns, size_t pattern_count,
                    void (*note)(void *arg, const char *text), void *note_arg, gen_table_set *out,
                    rt_err *err);

/* The index of the column named name in t, or -1. */
long gen_table_find_column(const gen_table *t, const char *name);

#endif
