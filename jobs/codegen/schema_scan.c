/* The selected tables' metadata from information_schema (TABLES, COLUMNS joined with
 * CHARACTER_SETS, STATISTICS, and MariaDB's CHECK_CONSTRAINTS for its JSON columns), over the
 * mysql_cdc source's connection and table filter so that `generate` selects exactly the tables the
 * generated job will read. */
#include "jobs/codegen/schema_scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operators/mysql/connection.h"
#include "operators/mysql/table_filter.h"
#include "runtime/base/buf.h"

/* --- Small results copied out of the connection --- */

typedef struct rows {
    char **cells; /* n * width, row-major; NULL for SQL NULL */
    size_t n, cap, width;
} rows;

static int collect(void *arg, size_t ncols, const char *const *values, const unsigned long *lengths,
                   rt_err *err)
{
    rows *r = arg;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        char **cells = realloc(r->cells, cap * ncols * sizeof *cells);
        if (!cells)
            return rt_err_set(err, RT_ENOMEM, "information_schema: out of memory");
        r->cells = cells;
        r->cap = cap;
    }
    r->width = ncols;
    char **row = &r->cells[r->n * ncols];
    int rc = 0;
    for (size_t i = 0; i < ncols; i++) {
        row[i] = values[i] ? strndup(values[i], lengths[i]) : NULL;
        if (values[i] && !row[i])
            rc = rt_err_set(err, RT_ENOMEM, "information_schema: out of memory");
    }
    r->n++; /* the row is counted even when incomplete, so that rows_fini frees it */
    return rc;
}

static void rows_fini(rows *r)
{
    for (size_t i = 0; i < r->n * r->width; i++)
        free(r->cells[i]);
    free(r->cells);
    memset(r, 0, sizeof *r);
}

static const char *cell(const rows *r, size_t row, size_t col)
{
    return r->cells[row * r->width + col];
}

static const char *cell_s(const rows *r, size_t row, size_t col)
{
    const char *s = cell(r, row, col);
    return s ? s : "";
}

static uint64_t cell_u64(const rows *r, size_t row, size_t col)
{
    const char *s = cell(r, row, col);
    return s ? strtoull(s, NULL, 10) : 0;
}

static int query_table(op_mysql_conn *c, const char *sql, const char *schema_col, const char *db,
                       const char *table, const char *suffix, rows *out, rt_err *err)
{
    rt_buf q;
    rt_buf_init(&q);
    rt_buf_appendf(&q, "%s WHERE %s = ", sql, schema_col);
    op_mysql_conn_quote(c, db, &q);
    rt_buf_append_str(&q, " AND TABLE_NAME = ");
    op_mysql_conn_quote(c, table, &q);
    rt_buf_append_str(&q, suffix);
    int rc = op_mysql_conn_query(c, q.data, collect, out, err);
    rt_buf_fini(&q);
    return rc;
}

/* --- Model --- */

void gen_table_fini(gen_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->column_count; i++) {
        gen_column *col = &t->columns[i];
        free(col->name);
        free(col->data_type);
        free(col->column_type);
        free(col->charset);
        free(col->comment);
    }
    free(t->columns);
    free(t->db);
    free(t->name);
    free(t->comment);
    free(t->key_name);
    memset(t, 0, sizeof *t);
}

void gen_table_set_fini(gen_table_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->count; i++)
        gen_table_fini(&s->items[i]);
    free(s->items);
    memset(s, 0, sizeof *s);
}

long gen_table_find_column(const gen_table *t, const char *name)
{
    for (size_t i = 0; i < t->column_count; i++)
        if (strcmp(t->columns[i].name, name) == 0)
            return (long)i;
    return -1;
}

/* --- One table --- */

enum {
    C_NAME,
    C_DATA_TYPE,
    C_COLUMN_TYPE,
    C_CHARSET,
    C_MAXLEN,
    C_CHAR_LEN,
    C_PRECISION,
    C_SCALE,
    C_NULLABLE,
    C_DEFAULT,
    C_EXTRA,
    C_COMMENT,
    C_WIDTH
};

static int read_columns(op_mysql_conn *c, gen_table *t, rt_err *err)
{
    rows r = {0};
    int rc = query_table(
        c,
        "SELECT c.COLUMN_NAME, LOWER(c.DATA_TYPE), c.COLUMN_TYPE, c.CHARACTER_SET_NAME, "
        "cs.MAXLEN, c.CHARACTER_MAXIMUM_LENGTH, c.NUMERIC_PRECISION, c.NUMERIC_SCALE, "
        "c.IS_NULLABLE, c.COLUMN_DEFAULT, c.EXTRA, c.COLUMN_COMMENT "
        "FROM information_schema.COLUMNS c LEFT JOIN information_schema.CHARACTER_SETS cs "
        "ON cs.CHARACTER_SET_NAME = c.CHARACTER_SET_NAME",
        "c.TABLE_SCHEMA", t->db, t->name, " ORDER BY c.ORDINAL_POSITION", &r, err);
    if (rc == 0 && (r.n == 0 || r.width != C_WIDTH))
        rc = rt_err_set(err, RT_EINVAL, "table %s.%s: no columns visible to user '%s'", t->db,
                        t->name, op_mysql_conn_user(c));
    if (rc == 0 && !(t->columns = calloc(r.n, sizeof *t->columns)))
        rc = rt_err_set(err, RT_ENOMEM, "table %s.%s: out of memory", t->db, t->name);
    for (size_t i = 0; rc == 0 && i < r.n; i++) {
        gen_column *col = &t->columns[t->column_count++];
        col->name = strdup(cell_s(&r, i, C_NAME));
        col->data_type = strdup(cell_s(&r, i, C_DATA_TYPE));
        col->column_type = strdup(cell_s(&r, i, C_COLUMN_TYPE));
        col->charset = cell(&r, i, C_CHARSET) ? strdup(cell(&r, i, C_CHARSET)) : NULL;
        col->charset_maxlen = (unsigned)cell_u64(&r, i, C_MAXLEN);
        col->char_length = cell_u64(&r, i, C_CHAR_LEN);
        col->precision = (unsigned)cell_u64(&r, i, C_PRECISION);
        col->scale = (unsigned)cell_u64(&r, i, C_SCALE);
        col->is_unsigned = strstr(col->column_type, "unsigned") != NULL;
        col->nullable = strcmp(cell_s(&r, i, C_NULLABLE), "YES") == 0;
        /* MariaDB shows an explicit DEFAULT NULL as the text NULL: no default worth a note. */
        const char *def = cell(&r, i, C_DEFAULT);
        col->has_default = def && strcmp(def, "NULL") != 0;
        col->auto_increment = strstr(cell_s(&r, i, C_EXTRA), "auto_increment") != NULL;
        col->is_json = strcmp(col->data_type, "json") == 0;
        col->comment = strdup(cell_s(&r, i, C_COMMENT));
        if (!col->name || !col->data_type || !col->column_type || !col->comment ||
            (cell(&r, i, C_CHARSET) && !col->charset))
            rc = rt_err_set(err, RT_ENOMEM, "table %s.%s: out of memory", t->db, t->name);
    }
    rows_fini(&r);
    return rc;
}

/* MariaDB's JSON is LONGTEXT with CHECK (json_valid(`col`)); the check is what tells it apart. */
static int read_mariadb_json(op_mysql_conn *c, gen_table *t, rt_err *err)
{
    bool any = false;
    for (size_t i = 0; i < t->column_count; i++)
        any = any || strcmp(t->columns[i].data_type, "longtext") == 0;
    if (!any || op_mysql_conn_flavor(c) != OP_MYSQL_FLAVOR_MARIADB)
        return 0;
    rows r = {0};
    int rc = query_table(c, "SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS",
                         "CONSTRAINT_SCHEMA", t->db, t->name, "", &r, err);
    for (size_t i = 0; rc == 0 && i < r.n; i++) {
        for (size_t k = 0; k < t->column_count; k++) {
            gen_column *col = &t->columns[k];
            char want[300];
            snprintf(want, sizeof want, "json_valid(`%s`)", col->name);
            if (strcmp(col->data_type, "longtext") == 0 && strcmp(cell_s(&r, i, 0), want) == 0)
                col->is_json = true;
        }
    }
    rows_fini(&r);
    return rc;
}

enum { K_INDEX, K_COLUMN, K_NON_UNIQUE, K_SUB_PART, K_WIDTH };

/* The primary key, else the first unique key (by name) whose columns are all NOT NULL and whole
 * (a prefix index does not identify rows by the column's value). */
static int read_key(op_mysql_conn *c, gen_table *t, void (*note)(void *, const char *),
                    void *note_arg, rt_err *err)
{
    rows r = {0};
    int rc = query_table(c,
                         "SELECT INDEX_NAME, COLUMN_NAME, NON_UNIQUE, SUB_PART "
                         "FROM information_schema.STATISTICS",
                         "TABLE_SCHEMA", t->db, t->name,
                         " ORDER BY INDEX_NAME <> 'PRIMARY', INDEX_NAME, SEQ_IN_INDEX", &r, err);
    for (size_t i = 0; rc == 0 && i < r.n && t->key_count == 0;) {
        const char *index = cell_s(&r, i, K_INDEX);
        size_t end = i;
        while (end < r.n && strcmp(cell_s(&r, end, K_INDEX), index) == 0)
            end++;
        bool usable =
            strcmp(cell_s(&r, i, K_NON_UNIQUE), "0") == 0 && end - i <= GEN_MAX_KEY_COLUMNS;
        for (size_t k = i; usable && k < end; k++) {
            long at = gen_table_find_column(t, cell_s(&r, k, K_COLUMN));
            usable = at >= 0 && !t->columns[at].nullable && !cell(&r, k, K_SUB_PART);
        }
        if (usable) {
            for (size_t k = i; k < end; k++)
                t->key[t->key_count++] = (size_t)gen_table_find_column(t, cell_s(&r, k, K_COLUMN));
            if (strcmp(index, "PRIMARY") != 0) {
                if (!(t->key_name = strdup(index)))
                    rc = rt_err_set(err, RT_ENOMEM, "out of memory");
                char text[600];
                snprintf(text, sizeof text,
                         "%s.%s has no primary key: unique key %s (all NOT NULL) is the "
                         "StarRocks primary key",
                         t->db, t->name, index);
                if (note && rc == 0)
                    note(note_arg, text);
            }
        }
        i = end;
    }
    rows_fini(&r);
    if (rc == 0 && t->key_count == 0)
        rc = rt_err_set(err, RT_EINVAL,
                        "table %s.%s has neither a primary key nor a unique key of NOT NULL "
                        "columns: a StarRocks primary-key table needs one to apply updates and "
                        "deletes (add a key or leave the table out of --tables)",
                        t->db, t->name);
    return rc;
}

/* --- The selection --- */

enum { T_DB, T_NAME, T_COMMENT, T_DATA_LENGTH, T_ROWS, T_WIDTH };

int gen_schema_scan(op_mysql_conn *c, const char *const *patterns, size_t pattern_count,
                    void (*note)(void *, const char *), void *note_arg, gen_table_set *out,
                    rt_err *err)
{
    if (pattern_count == 0)
        return rt_err_set(err, RT_EINVAL, "--tables: at least one pattern is needed");
    rt_strlist include = {.items = (char **)patterns, .count = pattern_count};
    op_mysql_table_filter *f = NULL;
    int rc = op_mysql_table_filter_new(&include, NULL, NULL, NULL, "--tables", &f, err);
    if (rc != 0)
        return rc;
    rows r = {0};
    rc = op_mysql_conn_query(
        c,
        "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_COMMENT, DATA_LENGTH, TABLE_ROWS "
        "FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA NOT IN "
        "('mysql', 'information_schema', 'performance_schema', 'sys') "
        "ORDER BY TABLE_SCHEMA, TABLE_NAME",
        collect, &r, err);
    gen_table_set set = {0};
    if (rc == 0 && r.n && !(set.items = calloc(r.n, sizeof *set.items)))
        rc = rt_err_set(err, RT_ENOMEM, "out of memory");
    for (size_t p = 0; rc == 0 && p < pattern_count; p++) {
        bool hit = false;
        for (size_t i = 0; !hit && i < r.n; i++)
            hit = op_mysql_table_filter_include_matches(f, p, cell_s(&r, i, T_DB),
                                                        cell_s(&r, i, T_NAME));
        if (!hit)
            rc = rt_err_set(err, RT_EINVAL,
                            "--tables \"%s\" matches no table on %s (patterns match whole "
                            "\"db.table\" names; user '%s' must be able to see them)",
                            patterns[p], op_mysql_conn_name(c), op_mysql_conn_user(c));
    }
    for (size_t i = 0; rc == 0 && i < r.n; i++) {
        if (!op_mysql_table_filter_match(f, cell_s(&r, i, T_DB), cell_s(&r, i, T_NAME)))
            continue;
        gen_table *t = &set.items[set.count++];
        t->db = strdup(cell_s(&r, i, T_DB));
        t->name = strdup(cell_s(&r, i, T_NAME));
        t->comment = strdup(cell_s(&r, i, T_COMMENT));
        t->data_length = cell_u64(&r, i, T_DATA_LENGTH);
        t->row_estimate = cell_u64(&r, i, T_ROWS);
        if (!t->db || !t->name || !t->comment)
            rc = rt_err_set(err, RT_ENOMEM, "out of memory");
        if (rc == 0)
            rc = read_columns(c, t, err);
        if (rc == 0)
            rc = read_mariadb_json(c, t, err);
        if (rc == 0)
            rc = read_key(c, t, note, note_arg, err);
    }
    rows_fini(&r);
    op_mysql_table_filter_free(f);
    if (rc != 0) {
        gen_table_set_fini(&set);
        return rc;
    }
    *out = set;
    return 0;
}
