/* The selected tables of the mysql_cdc binlog phase, their versions and the schema reads from
 * the server (cdc_tables.h); the table DDL is cdc_tables_ddl.c. */
#include "operators/mysql/cdc_tables.h"

#include <stdlib.h>
#include <string.h>

#include "operators/mysql/cdc_tables_int.h"
#include "runtime/base/log.h"

int op_cdc_tables_oom(rt_err *err)
{
    return rt_err_set(err, RT_ENOMEM, "mysql_cdc: out of memory");
}

static void types_free(op_sql_type *types, size_t n)
{
    for (size_t i = 0; types && i < n; i++)
        op_sql_type_fini(&types[i]);
    free(types);
}

static void version_clear(op_cdc_table *t)
{
    if (t->resolved)
        types_free(t->types, rt_table_column_count(t->table));
    free(t->source_positions);
    free(t->since_file);
    t->types = NULL;
    t->source_positions = NULL;
    t->since_file = NULL;
    t->table = NULL;
    t->resolved = false;
}

static void entry_free(op_cdc_entry *e)
{
    if (!e)
        return;
    version_clear(&e->pub);
    free(e->pub.db);
    free(e->pub.name);
    free(e->pub.qualified);
    free(e->seed_positions);
    free(e->seed_file);
    free(e);
}

int op_cdc_tables_new(rt_catalog *catalog, const op_mysql_table_filter *filter,
                      const op_mysql_conn_params *conn_params, op_mysql_conn *conn,
                      const char *log_tag, op_cdc_tables **out, rt_err *err)
{
    op_cdc_tables *ts = calloc(1, sizeof *ts);
    if (ts)
        ts->history = op_schema_history_new();
    if (!ts || !ts->history) {
        free(ts);
        op_mysql_conn_close(conn);
        return op_cdc_tables_oom(err);
    }
    ts->catalog = catalog;
    ts->filter = filter;
    ts->conn_params = conn_params;
    ts->conn = conn;
    ts->tag = log_tag ? log_tag : "";
    *out = ts;
    return 0;
}

void op_cdc_tables_free(op_cdc_tables *ts)
{
    if (!ts)
        return;
    for (size_t i = 0; i < ts->count; i++)
        entry_free(ts->e[i]);
    free(ts->e);
    for (size_t i = 0; i < OP_CDC_MAX_CHANGES; i++)
        free(ts->origins[i]);
    op_schema_history_free(ts->history);
    op_mysql_conn_close(ts->conn);
    free(ts);
}

size_t op_cdc_tables_count(const op_cdc_tables *ts)
{
    return ts->count;
}

const op_cdc_table *op_cdc_tables_at(const op_cdc_tables *ts, size_t i)
{
    return &ts->e[i]->pub;
}

void op_cdc_tables_encode(const op_cdc_tables *ts, rt_buf *out)
{
    op_schema_history_encode(ts->history, out);
}

int op_cdc_tables_restore(op_cdc_tables *ts, const uint8_t *p, size_t len, rt_err *err)
{
    op_schema_history *h = NULL;
    int rc = op_schema_history_decode(p, len, &h, err);
    if (rc != 0)
        return rt_err_prefix(err, rc, "mysql_cdc: restore the schema history");
    op_schema_history_free(ts->history);
    ts->history = h;
    return 0;
}

static op_cdc_entry *entry_find(const op_cdc_tables *ts, const char *db, const char *name)
{
    for (size_t i = 0; i < ts->count; i++) {
        if (strcmp(ts->e[i]->pub.db, db) == 0 && strcmp(ts->e[i]->pub.name, name) == 0)
            return ts->e[i];
    }
    return NULL;
}

op_cdc_entry *op_cdc_tables_entry(op_cdc_tables *ts, const char *db, const char *name)
{
    op_cdc_entry *e = entry_find(ts, db, name);
    if (e)
        return e;
    if (ts->count == ts->cap) {
        size_t cap = ts->cap ? ts->cap * 2 : 8;
        op_cdc_entry **p = realloc(ts->e, cap * sizeof *p);
        if (!p)
            return NULL;
        ts->e = p;
        ts->cap = cap;
    }
    e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    size_t dl = strlen(db), nl = strlen(name);
    e->pub.db = strdup(db);
    e->pub.name = strdup(name);
    e->pub.qualified = malloc(dl + nl + 2);
    if (!e->pub.db || !e->pub.name || !e->pub.qualified) {
        entry_free(e);
        return NULL;
    }
    memcpy(e->pub.qualified, db, dl);
    e->pub.qualified[dl] = '.';
    memcpy(e->pub.qualified + dl + 1, name, nl + 1);
    ts->e[ts->count++] = e;
    return e;
}

static int seed_info(op_cdc_tables *ts, op_mysql_table_info *info, op_schema_pos pos,
                     rt_err *err);

/* --- reading schemas from the server ------------------------------------------------------- */

static int conn_get(op_cdc_tables *ts, rt_err *err)
{
    if (ts->conn)
        return 0;
    return op_mysql_conn_open(ts->conn_params, &ts->conn, err);
}

static void conn_check(op_cdc_tables *ts, int rc)
{
    if (rc == RT_EUNAVAIL) {
        op_mysql_conn_close(ts->conn);
        ts->conn = NULL;
    }
}

/* All columns of a server table (the history tracks them all, whatever the column list). */
typedef struct full_cols {
    rt_column *cols;
    char **names, **types, **defaults; /* defaults as COLUMN_DEFAULT (the seed normalises) */
    size_t count, cap;
    size_t key[OP_MYSQL_MAX_KEY_COLUMNS];
    size_t key_count;
} full_cols;

static void full_cols_fini(full_cols *f)
{
    for (size_t i = 0; i < f->count; i++) {
        free(f->names[i]);
        free(f->types[i]);
        free(f->defaults[i]);
    }
    free(f->cols);
    free(f->names);
    free(f->types);
    free(f->defaults);
    memset(f, 0, sizeof *f);
}

static int full_col_row(void *arg, size_t n, const char *const *v, const unsigned long *len,
                        rt_err *err)
{
    (void)len;
    full_cols *f = arg;
    if (n != 4 || !v[0] || !v[1])
        return rt_err_set(err, RT_EINTERNAL, "unexpected COLUMNS row");
    if (f->count == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 16;
        rt_column *c = realloc(f->cols, cap * sizeof *c);
        if (c)
            f->cols = c;
        char **a = c ? realloc(f->names, cap * sizeof *a) : NULL;
        if (a)
            f->names = a;
        char **b = a ? realloc(f->types, cap * sizeof *b) : NULL;
        if (b)
            f->types = b;
        char **d = b ? realloc(f->defaults, cap * sizeof *d) : NULL;
        if (!d)
            return op_cdc_tables_oom(err);
        f->defaults = d;
        f->cap = cap;
    }
    f->names[f->count] = strdup(v[0]);
    f->types[f->count] = strdup(v[1]);
    f->defaults[f->count] = v[3] ? strdup(v[3]) : NULL;
    if (!f->names[f->count] || !f->types[f->count] || (v[3] && !f->defaults[f->count])) {
        free(f->names[f->count]);
        free(f->types[f->count]);
        free(f->defaults[f->count]);
        return op_cdc_tables_oom(err);
    }
    f->cols[f->count] = (rt_column){.name = f->names[f->count],
                                    .type = RT_TYPE_STRING,
                                    .sql_type = f->types[f->count],
                                    .default_value = f->defaults[f->count],
                                    .nullable = v[2] && strcmp(v[2], "YES") == 0};
    f->count++;
    return 0;
}

static int full_key_row(void *arg, size_t n, const char *const *v, const unsigned long *len,
                        rt_err *err)
{
    (void)len;
    full_cols *f = arg;
    if (n != 1 || !v[0] || f->key_count == OP_MYSQL_MAX_KEY_COLUMNS)
        return rt_err_set(err, RT_EINTERNAL, "unexpected STATISTICS row");
    for (size_t i = 0; i < f->count; i++) {
        if (strcmp(f->names[i], v[0]) == 0) {
            f->key[f->key_count++] = i;
            f->cols[i].primary_key = true;
        }
    }
    return 0;
}

static int exists_row(void *arg, size_t n, const char *const *v, const unsigned long *len,
                      rt_err *err)
{
    (void)n, (void)v, (void)len, (void)err;
    *(bool *)arg = true;
    return 0;
}

static int query_where(op_cdc_tables *ts, const char *sql, const char *db, const char *name,
                       const char *suffix, op_mysql_row_fn fn, void *arg, rt_err *err)
{
    rt_buf q;
    rt_buf_init(&q);
    rt_buf_append_str(&q, sql);
    rt_buf_append_str(&q, " WHERE TABLE_SCHEMA = ");
    op_mysql_conn_quote(ts->conn, db, &q);
    rt_buf_append_str(&q, " AND TABLE_NAME = ");
    op_mysql_conn_quote(ts->conn, name, &q);
    rt_buf_append_str(&q, suffix);
    int rc = q.data ? op_mysql_conn_query(ts->conn, q.data, fn, arg, err) : op_cdc_tables_oom(err);
    rt_buf_fini(&q);
    conn_check(ts, rc);
    return rc;
}

/* Seeds db.name in the history at pos with all the server's columns of now. RT_ENOTFOUND when
 * the server has no such table, RT_EEXIST when the history has a version at or after pos. */
static int seed_full(op_cdc_tables *ts, const char *db, const char *name, op_schema_pos pos,
                            rt_err *err)
{
    int rc = conn_get(ts, err);
    full_cols f = {0};
    if (rc == 0)
        rc = query_where(ts,
                         "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT FROM "
                         "information_schema.COLUMNS",
                         db, name, " ORDER BY ORDINAL_POSITION", full_col_row, &f, err);
    if (rc == 0)
        rc = query_where(ts, "SELECT COLUMN_NAME FROM information_schema.STATISTICS", db, name,
                         " AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX", full_key_row, &f,
                         err);
    if (rc == 0 && f.count == 0)
        rc = rt_err_set(err, RT_ENOTFOUND, "table %s.%s: not on the server (or no columns "
                        "visible)", db, name);
    rt_table *t = NULL;
    if (rc == 0 && !(t = rt_table_new(db, name, f.cols, f.count, err)))
        rc = err ? err->code : RT_EINVAL;
    if (rc == 0)
        rc = op_schema_history_seed(ts->history, t, f.key, f.key_count, pos, err);
    rt_table_free(t);
    full_cols_fini(&f);
    return rc;
}

/* Reads db.name from the server as it is now into the history, as the version from pos on, the
 * way the start-up seeds are read (schema_reader.h: the snapshot's own rt_table, so rows of both
 * phases share one). RT_ENOTFOUND when the server has no such table. */
int op_cdc_tables_seed_from_server(op_cdc_tables *ts, const char *db, const char *name,
                                   op_schema_pos pos, rt_err *err)
{
    int rc = conn_get(ts, err);
    if (rc != 0)
        return rc;
    bool exists = false;
    rc = query_where(ts, "SELECT 1 FROM information_schema.TABLES", db, name, "", exists_row,
                     &exists, err);
    if (rc == 0 && !exists)
        return rt_err_set(err, RT_ENOTFOUND, "table %s.%s: not on the server", db, name);
    op_mysql_table_info info;
    memset(&info, 0, sizeof info);
    if (rc == 0) {
        rc = op_mysql_schema_read_table(ts->conn, ts->filter, db, name, &info, err);
        conn_check(ts, rc);
    }
    if (rc == 0)
        rc = seed_info(ts, &info, pos, err);
    op_mysql_table_info_fini(&info);
    return rc;
}

/* Makes info's table (taken with its positions) the seed of db.name: the table used while the
 * version that took effect at `since` is in force. */
static int seed_set(op_cdc_tables *ts, op_mysql_table_info *info, op_schema_pos since, rt_err *err)
{
    op_cdc_entry *e = op_cdc_tables_entry(ts, rt_table_db(info->table), rt_table_name(info->table));
    char *file = e ? strdup(since.file ? since.file : "") : NULL;
    if (!file)
        return op_cdc_tables_oom(err);
    free(e->seed_positions);
    free(e->seed_file);
    e->seed_file = file;
    e->seed_offset = since.offset;
    e->seed_positions = info->source_positions;
    e->seed_source_count = info->source_column_count;
    info->source_positions = NULL;
    e->seed_table = rt_catalog_intern(ts->catalog, info->table);
    info->table = NULL;
    return 0;
}

void op_cdc_tables_seed_forget(op_cdc_entry *e)
{
    free(e->seed_positions);
    free(e->seed_file);
    e->seed_positions = NULL;
    e->seed_file = NULL;
    e->seed_table = NULL;
    e->seed_source_count = 0;
    e->seed_offset = 0;
}

/* Adds info's table to the history as the version from pos on (unless the history has one at
 * or after pos already) and makes it the seed. */
static int seed_info(op_cdc_tables *ts, op_mysql_table_info *info, op_schema_pos pos, rt_err *err)
{
    const char *db = rt_table_db(info->table), *name = rt_table_name(info->table);
    rt_err e2 = {0};
    int rc;
    if (rt_table_column_count(info->table) == info->source_column_count)
        rc = op_schema_history_seed(ts->history, info->table, info->key_columns, info->key_count,
                                    pos, &e2);
    else
        rc = seed_full(ts, db, name, pos, &e2); /* a column list: the history needs them all */
    if (rc == RT_EEXIST)
        return 0; /* a later version is known: keep the history's */
    if (rc != 0) {
        if (err)
            *err = e2;
        return rt_err_prefix(err, rc, "mysql_cdc: schema history of %s.%s", db, name);
    }
    op_schema_pos since;
    if ((rc = op_schema_history_version_at(ts->history, db, name, pos, &since, err)) != 0)
        return rc;
    return seed_set(ts, info, since, err);
}

int op_cdc_tables_seed(op_cdc_tables *ts, op_mysql_table_list *tables, op_schema_pos pos,
                       rt_err *err)
{
    for (size_t i = 0; tables && i < op_mysql_table_list_count(tables); i++) {
        op_mysql_table_info *info = op_mysql_table_list_get(tables, i);
        const char *db = rt_table_db(info->table), *name = rt_table_name(info->table);
        if (!op_cdc_tables_entry(ts, db, name))
            return op_cdc_tables_oom(err);
        /* Restored: the history decides; the info's table is not needed. */
        if (op_schema_history_version_count(ts->history, db, name) > 0)
            continue;
        int rc = seed_info(ts, info, pos, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* --- building a version ----------------------------------------------------------------------- */

/* The selected columns of full (all the server table's columns) as a new table with their
 * positions in full: the filter's column list in table order (listed columns a DDL dropped are
 * left out), else all of them. */
int op_cdc_tables_project(op_cdc_tables *ts, rt_table *full, rt_table **out, uint32_t **positions,
                          rt_err *err)
{
    const char *const *names = NULL;
    size_t listed = 0, n = rt_table_column_count(full);
    int rc = op_mysql_table_filter_columns(ts->filter, rt_table_db(full), rt_table_name(full),
                                           &names, &listed, NULL, err);
    if (rc != 0)
        return rc;
    uint32_t *pos = calloc(n ? n : 1, sizeof *pos);
    rt_column *cols = calloc(n ? n : 1, sizeof *cols);
    if (!pos || !cols) {
        free(pos);
        free(cols);
        return op_cdc_tables_oom(err);
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const rt_column *c = rt_table_column(full, i);
        bool keep = !names || c->primary_key;
        for (size_t j = 0; names && !keep && j < listed; j++)
            keep = strcmp(names[j], c->name) == 0;
        if (keep) {
            cols[k] = *c;
            pos[k++] = (uint32_t)i;
        }
    }
    rt_table *t = k ? rt_table_new(rt_table_db(full), rt_table_name(full), cols, k, err) : NULL;
    free(cols);
    if (!t) {
        free(pos);
        return k ? (err ? err->code : RT_EINVAL)
                 : rt_err_set(err, RT_EINVAL, "%s: none of the listed columns is left",
                              rt_table_qualified(full));
    }
    *out = t;
    *positions = pos;
    return 0;
}

static int types_of(const rt_table *t, op_sql_type **out, rt_err *err)
{
    size_t n = rt_table_column_count(t);
    op_sql_type *types = calloc(n ? n : 1, sizeof *types);
    if (!types)
        return op_cdc_tables_oom(err);
    for (size_t i = 0; i < n; i++) {
        const rt_column *c = rt_table_column(t, i);
        int rc = op_sql_type_parse(c->sql_type ? c->sql_type : "", &types[i], err);
        if (rc != 0) {
            types_free(types, i);
            return rt_err_prefix(err, rc, "%s.%s", rt_table_qualified(t), c->name);
        }
    }
    *out = types;
    return 0;
}

/* Makes e's version the one in force from since (a version of the history at pos). */
static int build(op_cdc_tables *ts, op_cdc_entry *e, op_schema_pos since, op_schema_pos pos,
                 rt_err *err)
{
    const rt_table *table;
    uint32_t *positions = NULL;
    size_t source_count;
    int rc;
    if (e->seed_table && strcmp(since.file ? since.file : "", e->seed_file) == 0 &&
        since.offset == e->seed_offset) {
        size_t n = rt_table_column_count(e->seed_table);
        positions = malloc((n ? n : 1) * sizeof *positions);
        if (!positions)
            return op_cdc_tables_oom(err);
        memcpy(positions, e->seed_positions, n * sizeof *positions);
        table = e->seed_table;
        source_count = e->seed_source_count;
    } else {
        rt_table *full = NULL, *sel = NULL;
        rc = op_schema_history_table_at(ts->history, e->pub.db, e->pub.name, pos, &full, err);
        if (rc == 0)
            rc = op_cdc_tables_project(ts, full, &sel, &positions, err);
        source_count = full ? rt_table_column_count(full) : 0;
        rt_table_free(full);
        if (rc != 0)
            return rt_err_prefix(err, rc, "mysql_cdc: schema of %s", e->pub.qualified);
        table = rt_catalog_intern(ts->catalog, sel);
    }
    op_sql_type *types = NULL;
    char *file = strdup(since.file ? since.file : "");
    rc = file ? types_of(table, &types, err) : op_cdc_tables_oom(err);
    if (rc != 0) {
        free(file);
        free(positions);
        return rc;
    }
    version_clear(&e->pub);
    e->pub.table = table;
    e->pub.source_positions = positions;
    e->pub.source_column_count = source_count;
    e->pub.types = types;
    e->pub.since_file = file;
    e->pub.since_offset = since.offset;
    e->pub.resolved = true;
    return 0;
}

/* e's version in force at pos, built when it is not the one in use. RT_ENOTFOUND when the
 * table does not exist at pos. */
int op_cdc_tables_version(op_cdc_tables *ts, op_cdc_entry *e, op_schema_pos pos, rt_err *err)
{
    op_schema_pos since;
    int rc = op_schema_history_version_at(ts->history, e->pub.db, e->pub.name, pos, &since, err);
    if (rc != 0)
        return rc;
    if (e->pub.resolved && e->pub.since_offset == since.offset &&
        strcmp(e->pub.since_file, since.file ? since.file : "") == 0)
        return 0;
    return build(ts, e, since, pos, err);
}

/* Fills what the map lacks without optional metadata (MariaDB's default binlog_row_metadata):
 * signedness, so that an unsigned column decodes as such, and ENUM/SET members, so that values
 * come out as their labels as a SELECT shows them. */
static int overlay(const op_cdc_table *t, op_table_map *tm, rt_err *err)
{
    for (size_t i = 0; i < rt_table_column_count(t->table); i++) {
        const op_sql_type *st = &t->types[i];
        size_t col = t->source_positions[i];
        int rc = 0;
        if (op_sql_type_is_integer(st) || st->kind == OP_SQL_DECIMAL || st->kind == OP_SQL_FLOAT ||
            st->kind == OP_SQL_DOUBLE)
            rc = op_table_map_set_unsigned(tm, col, st->is_unsigned, err);
        else if ((st->kind == OP_SQL_ENUM || st->kind == OP_SQL_SET) &&
                 !op_table_map_column(tm, col)->labels)
            rc = op_table_map_set_labels(tm, col, (const char *const *)st->members,
                                         st->member_count, err);
        if (rc != 0)
            return rt_err_prefix(err, rc, "%s column %s", t->qualified,
                                 rt_table_column(t->table, i)->name);
    }
    return 0;
}

int op_cdc_tables_resolve(op_cdc_tables *ts, op_table_map *tm, op_schema_pos pos,
                          op_cdc_table **out, rt_err *err)
{
    const char *db = op_table_map_schema(tm), *name = op_table_map_table(tm);
    *out = NULL;
    if (!op_mysql_table_filter_match(ts->filter, db, name))
        return 0;
    op_cdc_entry *e = op_cdc_tables_entry(ts, db, name);
    if (!e)
        return op_cdc_tables_oom(err);
    rt_err e1 = {0};
    int rc = op_cdc_tables_version(ts, e, pos, &e1);
    if (rc == RT_ENOTFOUND) {
        /* Created by a statement the history could not follow: the server's schema of now. */
        LOG_INFO("%s: mysql_cdc: reading the schema of %s from the server (%s)", ts->tag,
                 e->pub.qualified, e1.msg);
        if ((rc = op_cdc_tables_seed_from_server(ts, db, name, pos, err)) != 0)
            return rt_err_prefix(err, rc, "mysql_cdc: new table %s", e->pub.qualified);
        rc = op_cdc_tables_version(ts, e, pos, &e1);
    }
    if (rc != 0) {
        if (err)
            *err = e1;
        return rc;
    }
    size_t ncols = op_table_map_column_count(tm);
    if (ncols != e->pub.source_column_count)
        return rt_err_set(err, RT_EUNSUPPORTED,
                          "mysql_cdc: %s: the binlog has rows of %zu columns where the schema "
                          "history has %zu: a DDL the history missed (see the warnings above); "
                          "restart the job from a position after it or with startup \"initial\"",
                          e->pub.qualified, ncols, e->pub.source_column_count);
    if ((rc = overlay(&e->pub, tm, err)) != 0)
        return rc;
    *out = &e->pub;
    return 0;
}

