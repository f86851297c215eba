/* Table schemas from information_schema (TABLES, COLUMNS, STATISTICS), turned into rt_tables
 * with op_sql_type, filtered by the table filter's column lists, with the primary key in key
 * order and the chunk key the snapshot splits on. */
#include "operators/mysql/schema_reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operators/basic/sql_type.h"
#include "operators/mysql/ddl_default.h"
#include "runtime/base/buf.h"
#include "runtime/base/log.h"

/* --- Result rows copied out of the connection (information_schema results are small) --- */

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
    for (size_t i = 0; i < ncols; i++) {
        row[i] = NULL;
        if (!values[i])
            continue;
        row[i] = malloc(lengths[i] + 1);
        if (!row[i]) {
            for (size_t j = 0; j < i; j++)
                free(row[j]);
            return rt_err_set(err, RT_ENOMEM, "information_schema: out of memory");
        }
        memcpy(row[i], values[i], lengths[i]);
        row[i][lengths[i]] = '\0';
    }
    r->n++;
    return 0;
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

static uint64_t cell_u64(const rows *r, size_t row, size_t col)
{
    const char *s = cell(r, row, col);
    return s ? strtoull(s, NULL, 10) : 0;
}

/* Runs `sql ... TABLE_SCHEMA = 'db' AND TABLE_NAME = 'table' suffix` into *out. */
static int query_table(op_mysql_conn *c, const char *sql, const char *db, const char *table,
                       const char *suffix, rows *out, rt_err *err)
{
    rt_buf q;
    rt_buf_init(&q);
    rt_buf_append_str(&q, sql);
    rt_buf_append_str(&q, " WHERE TABLE_SCHEMA = ");
    op_mysql_conn_quote(c, db, &q);
    rt_buf_append_str(&q, " AND TABLE_NAME = ");
    op_mysql_conn_quote(c, table, &q);
    rt_buf_append_str(&q, suffix);
    int rc = op_mysql_conn_query(c, q.data, collect, out, err);
    rt_buf_fini(&q);
    return rc;
}

/* --- One table --- */

/* COLUMNS result columns. */
enum {
    COL_NAME,
    COL_ORDINAL,
    COL_TYPE,
    COL_NULLABLE,
    COL_CHARSET,
    COL_DATA_TYPE,
    COL_DEFAULT,
    COL_WIDTH
};

static bool is_one_of(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

/* The value type of a column: op_sql_type for the types it knows, else the types that only
 * travel as bytes or text. */
static int column_rt_type(const char *db, const char *table, const char *name,
                          const char *column_type, const char *data_type, rt_type *out, rt_err *err)
{
    static const char *const spatial[] = {
        "geometry",       "point",           "linestring",   "polygon",
        "multipoint",     "multilinestring", "multipolygon", "geometrycollection",
        "geomcollection", "vector",          NULL,
    };
    /* MariaDB's UUID, INET4 and INET6 read as their text form. */
    static const char *const textual[] = {"uuid", "inet4", "inet6", NULL};
    op_sql_type t;
    rt_err why;
    rt_err_clear(&why);
    if (op_sql_type_parse(column_type, &t, &why) == 0) {
        *out = t.type;
        op_sql_type_fini(&t);
        return 0;
    }
    const char *dt = data_type ? data_type : "";
    if (is_one_of(dt, spatial)) {
        *out = RT_TYPE_BYTES; /* VECTOR (the spatial types parse above, as WKB) */
        return 0;
    }
    if (is_one_of(dt, textual)) {
        *out = RT_TYPE_STRING;
        return 0;
    }
    return rt_err_set(err, RT_EINVAL,
                      "table %s.%s column \"%s\": unsupported type: %s (leave the column out "
                      "with the columns option)",
                      db, table, name, why.msg);
}

static long find_column(const rows *cols, const char *name)
{
    for (size_t i = 0; i < cols->n; i++)
        if (strcmp(cell(cols, i, COL_NAME), name) == 0)
            return (long)i;
    return -1;
}

/* Builds info from the table's COLUMNS rows and PRIMARY key rows (key order). */
static int build_info(const op_mysql_table_filter *f, const char *db, const char *table,
                      const rows *cols, const rows *key, op_mysql_table_info *info, rt_err *err)
{
    size_t n = cols->n;
    bool *selected = calloc(n ? n : 1, sizeof *selected);
    rt_column *rc_cols = calloc(n ? n : 1, sizeof *rc_cols);
    char **defaults = calloc(n ? n : 1, sizeof *defaults);
    info->source_positions = calloc(n ? n : 1, sizeof *info->source_positions);
    info->charsets = calloc(n ? n : 1, sizeof *info->charsets);
    info->source_column_count = n;
    if (!selected || !rc_cols || !defaults || !info->source_positions || !info->charsets) {
        free(selected);
        free(rc_cols);
        free(defaults);
        return rt_err_set(err, RT_ENOMEM, "table %s.%s: out of memory", db, table);
    }

    const char *const *list;
    size_t list_count;
    const char *list_path;
    int rc = op_mysql_table_filter_columns(f, db, table, &list, &list_count, &list_path, err);
    for (size_t i = 0; rc == 0 && i < list_count; i++) {
        long at = find_column(cols, list[i]);
        if (at < 0)
            rc = rt_err_set(err, RT_EINVAL, "%s[%zu]: table %s.%s has no column \"%s\"", list_path,
                            i, db, table, list[i]);
        else
            selected[at] = true;
    }
    for (size_t i = 0; rc == 0 && list_count == 0 && i < n; i++)
        selected[i] = true;

    /* Key columns as indexes into COLUMNS rows, in key order. */
    size_t key_rows[OP_MYSQL_MAX_KEY_COLUMNS];
    size_t key_count = 0;
    for (size_t i = 0; rc == 0 && i < key->n; i++) {
        long at = find_column(cols, cell(key, i, 0));
        if (at < 0 || key_count == OP_MYSQL_MAX_KEY_COLUMNS)
            rc = rt_err_set(err, RT_EINVAL, "table %s.%s: unexpected primary key column \"%s\"", db,
                            table, cell(key, i, 0));
        else if (!selected[at])
            rc = rt_err_set(err, RT_EINVAL,
                            "%s: the column list of %s.%s leaves out primary key column \"%s\": "
                            "the snapshot needs the whole key to merge changes into its chunks",
                            list_path, db, table, cell(key, i, 0));
        else
            key_rows[key_count++] = (size_t)at;
    }

    const char *chunk = NULL, *chunk_path = NULL;
    long chunk_row = -1;
    if (rc == 0)
        rc = op_mysql_table_filter_chunk_key(f, db, table, &chunk, &chunk_path, err);
    if (rc == 0 && chunk) {
        chunk_row = find_column(cols, chunk);
        if (chunk_row < 0)
            rc = rt_err_set(err, RT_EINVAL, "%s: table %s.%s has no column \"%s\"", chunk_path, db,
                            table, chunk);
        else if (!selected[chunk_row])
            rc = rt_err_set(err, RT_EINVAL,
                            "%s: the column list of %s.%s leaves out the chunk key column \"%s\"",
                            list_path, db, table, chunk);
    }
    if (rc == 0 && !chunk && key_count == 0)
        rc = rt_err_set(err, RT_EINVAL,
                        "table %s.%s has no primary key: set chunk_key_column {\"%s\\\\.%s\": "
                        "\"<column>\"} (a unique NOT NULL column keeps the snapshot exact), or "
                        "exclude the table",
                        db, table, db, table);

    /* The rt_table's columns, and the index each COLUMNS row gets in it. */
    size_t count = 0;
    long *index_of = calloc(n ? n : 1, sizeof *index_of);
    if (!index_of && rc == 0)
        rc = rt_err_set(err, RT_ENOMEM, "table %s.%s: out of memory", db, table);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        index_of[i] = -1;
        if (!selected[i])
            continue;
        rt_column *col = &rc_cols[count];
        col->name = cell(cols, i, COL_NAME);
        col->sql_type = cell(cols, i, COL_TYPE);
        col->nullable =
            cell(cols, i, COL_NULLABLE) && strcmp(cell(cols, i, COL_NULLABLE), "YES") == 0;
        for (size_t k = 0; k < key_count; k++)
            col->primary_key = col->primary_key || key_rows[k] == i;
        /* MariaDB 10.2+ writes COLUMN_DEFAULT as SQL ('abc', 7, current_timestamp()): the
         * same normalisation as a DEFAULT clause of the binlog's DDL, so both agree. */
        const char *dflt = cell(cols, i, COL_DEFAULT);
        rt_buf b;
        rt_buf_init(&b);
        if (dflt && ddl_default_normalize(dflt, strlen(dflt), col->sql_type, &b))
            defaults[count] = rt_buf_take(&b);
        rt_buf_fini(&b);
        col->default_value = defaults[count];
        rc = column_rt_type(db, table, col->name, col->sql_type, cell(cols, i, COL_DATA_TYPE),
                            &col->type, err);
        if (rc != 0)
            break;
        info->source_positions[count] = (uint32_t)i;
        const char *cs = cell(cols, i, COL_CHARSET);
        if (cs && !(info->charsets[count] = strdup(cs)))
            rc = rt_err_set(err, RT_ENOMEM, "table %s.%s: out of memory", db, table);
        index_of[i] = (long)count++;
    }
    if (rc == 0) {
        info->table = rt_table_new(db, table, rc_cols, count, err);
        if (!info->table)
            rc = err ? err->code : RT_EINVAL;
    }
    if (rc == 0) {
        info->key_count = key_count;
        for (size_t k = 0; k < key_count; k++)
            info->key_columns[k] = (size_t)index_of[key_rows[k]];
        info->chunk_column_configured = chunk != NULL;
        info->chunk_column = chunk ? (size_t)index_of[chunk_row] : info->key_columns[0];
    }
    free(index_of);
    free(selected);
    free(rc_cols);
    for (size_t i = 0; i < n; i++)
        free(defaults[i]);
    free(defaults);
    return rc;
}

/* Reads the columns and key of db.table into info; stats are the caller's. */
static int read_table(op_mysql_conn *c, const op_mysql_table_filter *f, const char *db,
                      const char *table, op_mysql_table_info *info, rt_err *err)
{
    rows cols = {0}, key = {0};
    int rc = query_table(c,
                         "SELECT COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, IS_NULLABLE, "
                         "CHARACTER_SET_NAME, DATA_TYPE, COLUMN_DEFAULT FROM "
                         "information_schema.COLUMNS",
                         db, table, " ORDER BY ORDINAL_POSITION", &cols, err);
    /* STATISTICS rather than COLUMNS.COLUMN_KEY: COLUMN_KEY shows PRI for a unique NOT NULL key
     * of a table without a primary key, and does not give the key's order. */
    if (rc == 0)
        rc = query_table(c, "SELECT COLUMN_NAME FROM information_schema.STATISTICS", db, table,
                         " AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX", &key, err);
    if (rc == 0 && cols.n == 0)
        rc = rt_err_set(err, RT_EINVAL, "table %s.%s: no columns visible to user '%s' on %s", db,
                        table, op_mysql_conn_user(c), op_mysql_conn_name(c));
    if (rc == 0 && cols.width != COL_WIDTH)
        rc = rt_err_set(err, RT_EINTERNAL, "table %s.%s: unexpected COLUMNS result", db, table);
    if (rc == 0)
        rc = build_info(f, db, table, &cols, &key, info, err);
    rows_fini(&cols);
    rows_fini(&key);
    return rc;
}

void op_mysql_table_info_fini(op_mysql_table_info *info)
{
    if (!info)
        return;
    /* Sized for every server column, so this also frees a half-built info. */
    for (size_t i = 0; info->charsets && i < info->source_column_count; i++)
        free(info->charsets[i]);
    free(info->charsets);
    free(info->source_positions);
    rt_table_free(info->table);
    memset(info, 0, sizeof *info);
}

int op_mysql_schema_read_table(op_mysql_conn *c, const op_mysql_table_filter *f, const char *db,
                               const char *table, op_mysql_table_info *out, rt_err *err)
{
    rows t = {0};
    int rc =
        query_table(c, "SELECT TABLE_TYPE, TABLE_ROWS, DATA_LENGTH FROM information_schema.TABLES",
                    db, table, "", &t, err);
    if (rc == 0 && t.n == 0)
        rc = rt_err_set(err, RT_EINVAL,
                        "table %s.%s does not exist on %s (or user '%s' cannot "
                        "see it)",
                        db, table, op_mysql_conn_name(c), op_mysql_conn_user(c));
    if (rc == 0 && strcmp(cell(&t, 0, 0) ? cell(&t, 0, 0) : "", "BASE TABLE") != 0)
        rc = rt_err_set(err, RT_EINVAL, "table %s.%s is a %s, not a base table", db, table,
                        cell(&t, 0, 0) ? cell(&t, 0, 0) : "?");
    op_mysql_table_info info = {0};
    if (rc == 0) {
        info.row_estimate = cell_u64(&t, 0, 1);
        info.data_size = cell_u64(&t, 0, 2);
        rc = read_table(c, f, db, table, &info, err);
    }
    rows_fini(&t);
    if (rc != 0) {
        op_mysql_table_info_fini(&info);
        return rc;
    }
    *out = info;
    return 0;
}

/* --- The selected tables of a server --- */

struct op_mysql_table_list {
    op_mysql_table_info *items;
    size_t count;
};

typedef struct table_name {
    const char *db, *name;
    uint64_t rows, size;
} table_name;

/* Byte order, not the server's collation: the same list on every server. */
static int cmp_name(const void *a, const void *b)
{
    const table_name *x = a, *y = b;
    int d = strcmp(x->db, y->db);
    return d ? d : strcmp(x->name, y->name);
}

int op_mysql_schema_read_tables(op_mysql_conn *c, const op_mysql_table_filter *f,
                                op_mysql_table_list **out, rt_err *err)
{
    rows all = {0};
    int rc = op_mysql_conn_query(
        c,
        "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_ROWS, DATA_LENGTH FROM information_schema.TABLES "
        "WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA NOT IN "
        "('mysql', 'information_schema', 'performance_schema', 'sys')",
        collect, &all, err);
    size_t patterns = op_mysql_table_filter_include_count(f);
    size_t *hits = calloc(patterns, sizeof *hits);
    table_name *picked = calloc(all.n ? all.n : 1, sizeof *picked);
    size_t npicked = 0;
    if (rc == 0 && (!hits || !picked))
        rc = rt_err_set(err, RT_ENOMEM, "list tables: out of memory");
    for (size_t i = 0; rc == 0 && i < all.n; i++) {
        const char *db = cell(&all, i, 0), *name = cell(&all, i, 1);
        for (size_t p = 0; p < patterns; p++)
            hits[p] += op_mysql_table_filter_include_matches(f, p, db, name);
        if (op_mysql_table_filter_match(f, db, name))
            picked[npicked++] = (table_name){db, name, cell_u64(&all, i, 2), cell_u64(&all, i, 3)};
    }
    for (size_t p = 0; rc == 0 && p < patterns; p++) {
        if (hits[p] == 0)
            rc = rt_err_set(err, RT_EINVAL,
                            "%s: \"%s\" matches no table on %s (base tables outside the system "
                            "schemas that user '%s' can see; the pattern must match the whole "
                            "\"db.table\" name)",
                            op_mysql_table_filter_include_path(f, p),
                            op_mysql_table_filter_include(f, p), op_mysql_conn_name(c),
                            op_mysql_conn_user(c));
    }
    if (rc == 0 && npicked == 0)
        rc = rt_err_set(err, RT_EINVAL,
                        "exclude_tables leaves out every table the tables "
                        "patterns match: nothing to read");
    op_mysql_table_list *l = NULL;
    if (rc == 0) {
        qsort(picked, npicked, sizeof *picked, cmp_name);
        l = calloc(1, sizeof *l);
        if (l)
            l->items = calloc(npicked, sizeof *l->items);
        if (!l || !l->items)
            rc = rt_err_set(err, RT_ENOMEM, "list tables: out of memory");
    }
    for (size_t i = 0; rc == 0 && i < npicked; i++) {
        op_mysql_table_info *info = &l->items[l->count];
        info->row_estimate = picked[i].rows;
        info->data_size = picked[i].size;
        rc = read_table(c, f, picked[i].db, picked[i].name, info, err);
        if (rc != 0)
            op_mysql_table_info_fini(info);
        else
            l->count++;
    }
    if (rc == 0)
        LOG_INFO("mysql: %zu tables selected on %s", l->count, op_mysql_conn_name(c));
    free(hits);
    free(picked);
    rows_fini(&all);
    if (rc != 0) {
        op_mysql_table_list_free(l);
        return rc;
    }
    *out = l;
    return 0;
}

size_t op_mysql_table_list_count(const op_mysql_table_list *l)
{
    return l->count;
}

op_mysql_table_info *op_mysql_table_list_get(op_mysql_table_list *l, size_t i)
{
    RT_ASSERT(i < l->count);
    return &l->items[i];
}

void op_mysql_table_list_free(op_mysql_table_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->count; i++)
        op_mysql_table_info_fini(&l->items[i]);
    free(l->items);
    free(l);
}
