/* sr-endpoint's MySQL port: runs each statement of a COM_QUERY against the store and answers
 * with StarRocks' error codes and messages (1064 HY000 for analysis errors, 1049 unknown
 * database, 1146 unknown table, 1050 table exists). Queries with rows live in sr_sql_select. */
#include "tests/sr_endpoint/sr_sql.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "runtime/base/buf.h"
#include "runtime/base/log.h"
#include "tests/sr_endpoint/sr_mysql_wire.h"
#include "tests/sr_endpoint/sr_sql_alter.h"
#include "tests/sr_endpoint/sr_sql_parse.h"
#include "tests/sr_endpoint/sr_sql_select.h"
#include "tests/sr_endpoint/sr_sql_show.h"

struct sr_sql_server {
    sr_store *store;
    sr_mysql_server *wire;
};

/* ---- answers ---- */

static bool errf(sr_mysql_session *s, uint16_t code, const char *state, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static bool errf(sr_mysql_session *s, uint16_t code, const char *state, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sr_mysql_session_err(s, code, state, msg);
    return false;
}

/* A store failure as StarRocks would report it: refusals are analysis errors (1064); anything
 * else is the endpoint's own trouble (1105, unknown error). */
static bool store_err(sr_mysql_session *s, int rc, const rt_err *err)
{
    if (rc == RT_EEXIST)
        return errf(s, 1050, "42S01", "%s", err->msg);
    if (rc == RT_EINVAL || rc == RT_EUNSUPPORTED || rc == RT_ENOTFOUND || rc == RT_ESTATE)
        return errf(s, 1064, "HY000", "Getting analyzing error. Detail message: %s", err->msg);
    LOG_WARN("sr-endpoint mysql: store failed: %s", err->msg);
    return errf(s, 1105, "HY000", "%s", err->msg);
}

/* The database a statement names, or the session's; answers ERR when there is none or it does
 * not exist. */
static const char *resolve_db(sr_sql_server *srv, sr_mysql_session *s, const char *named)
{
    const char *db = named ? named : sr_mysql_session_db(s);
    if (!db[0]) {
        errf(s, 1046, "3D000", "No database selected");
        return NULL;
    }
    if (!sr_store_has_database(srv->store, db)) {
        errf(s, 1049, "42000", "Unknown database '%s'", db);
        return NULL;
    }
    return db;
}

/* resolve_db, then the table must exist. */
static const char *resolve_table(sr_sql_server *srv, sr_mysql_session *s, const sr_sql_stmt *st)
{
    const char *db = resolve_db(srv, s, st->db);
    if (db && !sr_store_has_table(srv->store, db, st->table)) {
        errf(s, 1146, "42S02", "Table '%s.%s' doesn't exist", db, st->table);
        return NULL;
    }
    return db;
}

static bool is_key(const sr_table_def *d, const char *column)
{
    for (size_t i = 0; i < d->key_count; i++)
        if (strcasecmp(d->key_columns[i], column) == 0)
            return true;
    return false;
}

static void send_names(sr_mysql_session *s, const char *title, char **names, bool more)
{
    sr_mysql_column col = {.name = title, .type = SR_MYSQL_TYPE_VAR_STRING, .length = 256};
    sr_mysql_session_columns(s, 1, &col);
    for (size_t i = 0; names && names[i]; i++) {
        const char *v = names[i];
        size_t len = strlen(v);
        sr_mysql_session_row(s, 1, &v, &len);
    }
    sr_mysql_session_end(s, more);
}

/* ---- statements ---- */

static bool show_create(sr_sql_server *srv, sr_mysql_session *s, const sr_sql_stmt *st,
                        const char *db, bool more)
{
    sr_table_def def = {0};
    rt_err err;
    int rc = sr_store_get_schema(srv->store, db, st->table, &def, &err);
    if (rc)
        return store_err(s, rc, &err);
    rt_buf text;
    rt_buf_init(&text);
    sr_sql_show_create_table(&def, &text);
    sr_mysql_column cols[2] = {
        {.name = "Table", .type = SR_MYSQL_TYPE_VAR_STRING, .length = 256},
        {.name = "Create Table", .type = SR_MYSQL_TYPE_VAR_STRING, .length = 65535},
    };
    const char *v[2] = {st->table, text.data};
    size_t l[2] = {strlen(st->table), text.len};
    sr_mysql_session_columns(s, 2, cols);
    sr_mysql_session_row(s, 2, v, l);
    sr_mysql_session_end(s, more);
    rt_buf_fini(&text);
    sr_table_def_fini(&def);
    return true;
}

/* DESC: StarRocks' columns Field, Type, Null, Key, Default, Extra. */
static bool describe(sr_sql_server *srv, sr_mysql_session *s, const sr_sql_stmt *st, const char *db,
                     bool more)
{
    sr_table_def def = {0};
    rt_err err;
    int rc = sr_store_get_schema(srv->store, db, st->table, &def, &err);
    if (rc)
        return store_err(s, rc, &err);
    static const char *const titles[6] = {"Field", "Type", "Null", "Key", "Default", "Extra"};
    sr_mysql_column cols[6];
    for (size_t i = 0; i < 6; i++)
        cols[i] =
            (sr_mysql_column){.name = titles[i], .type = SR_MYSQL_TYPE_VAR_STRING, .length = 256};
    sr_mysql_session_columns(s, 6, cols);
    for (size_t i = 0; i < def.column_count; i++) {
        const sr_column_def *c = &def.columns[i];
        char type[64];
        sr_type_format(&c->type, type, sizeof type);
        const char *dflt = c->default_is_current_timestamp ? "CURRENT_TIMESTAMP" : c->default_text;
        const char *v[6] = {
            c->name, type, c->nullable ? "YES" : "NO", is_key(&def, c->name) ? "true" : "false",
            dflt,    ""};
        size_t l[6];
        for (size_t k = 0; k < 6; k++)
            l[k] = v[k] ? strlen(v[k]) : 0;
        sr_mysql_session_row(s, 6, v, l);
    }
    sr_mysql_session_end(s, more);
    sr_table_def_fini(&def);
    return true;
}

/* The value an INSERT gives a column it does not list: its default, else NULL. */
static int default_value(const sr_column_def *c, sr_value *out, rt_err *err)
{
    if (c->default_text)
        return sr_value_convert(&c->type, c->name, c->default_text, strlen(c->default_text), out,
                                err);
    if (c->default_is_current_timestamp) {
        char now[32];
        time_t t = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(now, sizeof now, "%Y-%m-%d %H:%M:%S", &tm);
        return sr_value_convert(&c->type, c->name, now, strlen(now), out, err);
    }
    if (!c->nullable)
        return rt_err_set(err, RT_EINVAL, "Column '%s' has no default value and is NOT NULL",
                          c->name);
    out->kind = SR_VALUE_NULL;
    return 0;
}

/* INSERT INTO t [(cols)] VALUES (...): converted as a strict-mode load would, all rows or none. */
static bool insert(sr_sql_server *srv, sr_mysql_session *s, const sr_sql_stmt *st, const char *db,
                   bool more)
{
    sr_table_def def = {0};
    rt_err err;
    rt_err_clear(&err);
    int rc = sr_store_get_schema(srv->store, db, st->table, &def, &err);
    if (rc)
        return store_err(s, rc, &err);
    size_t ncols = def.column_count;
    int *src = malloc((ncols + 1) * sizeof *src); /* value index in the row per column, or -1 */
    sr_value *row = calloc(ncols + 1, sizeof *row);
    sr_batch *batch = sr_batch_new(&def);
    bool ok = false;
    if (!src || !row || !batch) {
        errf(s, 1105, "HY000", "out of memory");
        goto out;
    }
    for (size_t i = 0; i < ncols; i++)
        src[i] = st->insert_column_count ? -1 : (int)i;
    if (!st->insert_column_count && st->values_per_row != ncols) {
        errf(s, 1064, "HY000",
             "Getting analyzing error. Detail message: Column count doesn't match value count.");
        goto out;
    }
    for (size_t k = 0; k < st->insert_column_count; k++) {
        int i = sr_table_def_find(&def, st->insert_columns[k]);
        if (i < 0) {
            errf(s, 1064, "HY000",
                 "Getting analyzing error. Detail message: Unknown column '%s' in '%s'.",
                 st->insert_columns[k], st->table);
            goto out;
        }
        src[i] = (int)k;
    }
    for (size_t r = 0; r < st->row_count; r++) {
        for (size_t i = 0; i < ncols; i++) {
            const sr_column_def *c = &def.columns[i];
            rc = 0;
            if (src[i] < 0) {
                rc = default_value(c, &row[i], &err);
            } else {
                const sr_sql_literal *l = &st->values[r * st->values_per_row + (size_t)src[i]];
                if (l->kind == SR_SQL_LIT_NULL) {
                    if (!c->nullable)
                        rc = rt_err_set(&err, RT_EINVAL,
                                        "Insert has filtered data in strict mode. NULL value in "
                                        "non-nullable column '%s'",
                                        c->name);
                    row[i].kind = SR_VALUE_NULL;
                } else {
                    rc = sr_value_convert(&c->type, c->name, l->text, l->len, &row[i], &err);
                }
            }
            if (rc) {
                for (size_t k = 0; k < ncols; k++)
                    sr_value_fini(&row[k]);
                store_err(s, RT_EINVAL, &err);
                goto out;
            }
        }
        sr_batch_add(batch, SR_ROW_UPSERT, row);
        for (size_t k = 0; k < ncols; k++)
            sr_value_fini(&row[k]);
    }
    rc = sr_store_commit(srv->store, db, st->table, batch, NULL, 0, &err);
    if (rc) {
        store_err(s, rc, &err);
        goto out;
    }
    sr_mysql_session_ok(s, st->row_count, NULL, more);
    ok = true;
out:
    sr_batch_free(batch);
    free(row);
    free(src);
    sr_table_def_fini(&def);
    return ok;
}

/* Runs one statement and answers it. Returns false when the answer was ERR (the rest of a
 * multi-statement query is then skipped, as MySQL does). */
static bool run(sr_sql_server *srv, sr_mysql_session *s, const sr_sql_stmt *st, bool more)
{
    sr_store *store = srv->store;
    rt_err err;
    rt_err_clear(&err);
    const char *db = NULL;
    int rc = 0;
    switch (st->kind) {
    case SR_SQL_CREATE_DATABASE:
        if (sr_store_has_database(store, st->db)) {
            if (st->if_not_exists) {
                rc = sr_sql_alter_noop(store, st, st->db, &err);
                break;
            }
            return errf(s, 1007, "HY000", "Can't create database '%s'; database exists", st->db);
        }
        rc = sr_store_ddl(store,
                          &(sr_ddl){.kind = SR_DDL_CREATE_DATABASE, .db = st->db,
                                    .if_not_exists = st->if_not_exists, .statement = st->text},
                          &err);
        break;
    case SR_SQL_DROP_DATABASE:
        if (!sr_store_has_database(store, st->db)) {
            if (st->if_exists) {
                rc = sr_sql_alter_noop(store, st, st->db, &err);
                break;
            }
            return errf(s, 1008, "HY000", "Can't drop database '%s'; database doesn't exist",
                        st->db);
        }
        rc = sr_store_ddl(store,
                          &(sr_ddl){.kind = SR_DDL_DROP_DATABASE, .db = st->db,
                                    .if_exists = st->if_exists, .statement = st->text},
                          &err);
        if (rc == 0 && strcmp(sr_mysql_session_db(s), st->db) == 0)
            sr_mysql_session_set_db(s, "");
        break;
    case SR_SQL_USE:
        if (!resolve_db(srv, s, st->db))
            return false;
        sr_mysql_session_set_db(s, st->db);
        break;
    case SR_SQL_CREATE_TABLE:
        if (!(db = resolve_db(srv, s, st->db)))
            return false;
        if (sr_store_has_table(store, db, st->table)) {
            if (st->if_not_exists) {
                rc = sr_sql_alter_noop(store, st, db, &err);
                break;
            }
            return errf(s, 1050, "42S01", "Table '%s' already exists", st->table);
        }
        rc = sr_store_ddl(store,
                          &(sr_ddl){.kind = SR_DDL_CREATE_TABLE, .db = db, .table = st->table,
                                    .def = &st->def, .if_not_exists = st->if_not_exists,
                                    .statement = st->text},
                          &err);
        if (rc == 0)
            LOG_INFO("sr-endpoint mysql: created table %s.%s", db, st->table);
        break;
    case SR_SQL_DROP_TABLE:
        if (!(db = resolve_db(srv, s, st->db)))
            return false;
        if (!sr_store_has_table(store, db, st->table)) {
            if (st->if_exists) {
                rc = sr_sql_alter_noop(store, st, db, &err);
                break;
            }
            return errf(s, 1146, "42S02", "Table '%s.%s' doesn't exist", db, st->table);
        }
        rc = sr_store_ddl(store,
                          &(sr_ddl){.kind = SR_DDL_DROP_TABLE, .db = db, .table = st->table,
                                    .if_exists = st->if_exists, .statement = st->text},
                          &err);
        break;
    case SR_SQL_TRUNCATE_TABLE:
        if (!(db = resolve_table(srv, s, st)))
            return false;
        rc = sr_store_ddl(store,
                          &(sr_ddl){.kind = SR_DDL_TRUNCATE_TABLE, .db = db, .table = st->table,
                                    .statement = st->text},
                          &err);
        if (rc)
            return store_err(s, rc, &err);
        break;
    case SR_SQL_ADD_COLUMN:
    case SR_SQL_DROP_COLUMN:
    case SR_SQL_MODIFY_COLUMN:
    case SR_SQL_RENAME_COLUMN:
    case SR_SQL_RENAME_TABLE:
        if (!(db = resolve_table(srv, s, st)))
            return false;
        if ((rc = sr_sql_alter_exec(store, st, db, &err)))
            return store_err(s, rc, &err);
        LOG_INFO("sr-endpoint mysql: %s on %s.%s", sr_sql_kind_name(st->kind), db, st->table);
        break;
    case SR_SQL_SHOW_ALTER_TABLE:
        if (!(db = resolve_db(srv, s, st->db)))
            return false;
        return sr_sql_alter_show(store, s, st, db, more);
    case SR_SQL_SHOW_DATABASES: {
        char **names = sr_store_list_databases(store);
        send_names(s, "Database", names, more);
        sr_names_free(names);
        return true;
    }
    case SR_SQL_SHOW_TABLES: {
        if (!(db = resolve_db(srv, s, st->db)))
            return false;
        char **names = sr_store_list_tables(store, db, &err);
        if (!names)
            return store_err(s, RT_ENOTFOUND, &err);
        char title[300];
        snprintf(title, sizeof title, "Tables_in_%s", db);
        send_names(s, title, names, more);
        sr_names_free(names);
        return true;
    }
    case SR_SQL_SHOW_CREATE_TABLE:
        if (!(db = resolve_table(srv, s, st)))
            return false;
        return show_create(srv, s, st, db, more);
    case SR_SQL_DESC:
        if (!(db = resolve_table(srv, s, st)))
            return false;
        return describe(srv, s, st, db, more);
    case SR_SQL_SHOW_WARNINGS: {
        static const char *const titles[3] = {"Level", "Code", "Message"};
        sr_mysql_column cols[3];
        for (size_t i = 0; i < 3; i++)
            cols[i] = (sr_mysql_column){
                .name = titles[i], .type = SR_MYSQL_TYPE_VAR_STRING, .length = 256};
        sr_mysql_session_columns(s, 3, cols);
        sr_mysql_session_end(s, more);
        return true;
    }
    case SR_SQL_SELECT:
        if (!(db = resolve_table(srv, s, st)))
            return false;
        return sr_sql_select_run(store, s, st, db, SR_SQL_SERVER_VERSION, more);
    case SR_SQL_SELECT_EXPR:
    case SR_SQL_SHOW_VARIABLES:
        return sr_sql_select_run(store, s, st, NULL, SR_SQL_SERVER_VERSION, more);
    case SR_SQL_INSERT:
        if (!(db = resolve_table(srv, s, st)))
            return false;
        return insert(srv, s, st, db, more);
    case SR_SQL_SET:
    case SR_SQL_TRANSACTION:
        break;
    }
    if (rc)
        return store_err(s, rc, &err);
    sr_mysql_session_ok(s, 0, NULL, more);
    return true;
}

static void parse_err(sr_mysql_session *s, const rt_err *err)
{
    sr_mysql_session_err(s, 1064, "HY000", err->msg);
}

/* COM_QUERY: statements run one by one; each is parsed only after the one before it ran, as a
 * later statement may name a database or table an earlier one creates. */
static void on_query(sr_mysql_session *s, const char *sql, size_t len, void *arg)
{
    sr_sql_server *srv = arg;
    size_t pos = 0;
    rt_err err;
    rt_err_clear(&err);
    sr_sql_stmt *cur = NULL;
    if (sr_sql_parse_next(sql, len, &pos, &cur, &err) != 0) {
        parse_err(s, &err);
        return;
    }
    if (!cur) {
        sr_mysql_session_err(s, 1065, "42000", "Query was empty");
        return;
    }
    for (;;) {
        /* Is there another statement? Only blanks and comments may follow the last one. */
        size_t probe = pos;
        sr_sql_stmt *nxt = NULL;
        rt_err perr;
        rt_err_clear(&perr);
        int prc = sr_sql_parse_next(sql, len, &probe, &nxt, &perr);
        bool more = prc != 0 || nxt != NULL;
        sr_sql_stmt_free(nxt);
        if (more && !sr_mysql_session_multi_statements(s)) {
            sr_sql_stmt_free(cur);
            sr_mysql_session_err(s, 1064, "HY000",
                                 "Getting syntax error: several statements in one query, and the "
                                 "client did not enable CLIENT_MULTI_STATEMENTS");
            return;
        }
        bool ok = run(srv, s, cur, more);
        sr_sql_stmt_free(cur);
        cur = NULL;
        if (!ok || !more)
            return;
        rt_err_clear(&err);
        if (sr_sql_parse_next(sql, len, &pos, &cur, &err) != 0) {
            parse_err(s, &err);
            return;
        }
        if (!cur)
            return;
    }
}

static void on_init_db(sr_mysql_session *s, const char *db, void *arg)
{
    sr_sql_server *srv = arg;
    if (!sr_store_has_database(srv->store, db)) {
        errf(s, 1049, "42000", "Unknown database '%s'", db);
        return;
    }
    sr_mysql_session_set_db(s, db);
    sr_mysql_session_ok(s, 0, NULL, false);
}

static void on_field_list(sr_mysql_session *s, const char *table, void *arg)
{
    sr_sql_server *srv = arg;
    const char *db = sr_mysql_session_db(s);
    sr_table_def def = {0};
    if (!db[0]) {
        errf(s, 1046, "3D000", "No database selected");
        return;
    }
    if (sr_store_get_schema(srv->store, db, table, &def, NULL) != 0) {
        errf(s, 1146, "42S02", "Table '%s.%s' doesn't exist", db, table);
        return;
    }
    sr_mysql_column *cols = calloc(def.column_count + 1, sizeof *cols);
    if (!cols) {
        errf(s, 1105, "HY000", "out of memory");
    } else {
        for (size_t i = 0; i < def.column_count; i++)
            sr_sql_select_column(&def.columns[i], db, table, is_key(&def, def.columns[i].name),
                                 &cols[i]);
        sr_mysql_session_fields(s, def.column_count, cols);
    }
    free(cols);
    sr_table_def_fini(&def);
}

int sr_sql_server_new(struct event_base *base, sr_store *store, const char *host, int port,
                      const char *user, const char *password, sr_sql_server **out, rt_err *err)
{
    sr_sql_server *srv = calloc(1, sizeof *srv);
    if (!srv)
        return rt_err_set(err, RT_ENOMEM, "sr-endpoint mysql port: out of memory");
    srv->store = store;
    sr_mysql_handler h = {
        .query = on_query, .init_db = on_init_db, .field_list = on_field_list, .arg = srv};
    int rc = sr_mysql_server_new(base, host, port, user, password, SR_SQL_SERVER_VERSION, &h,
                                 &srv->wire, err);
    if (rc) {
        free(srv);
        return rt_err_prefix(err, rc, "sr-endpoint");
    }
    LOG_INFO("sr-endpoint mysql: listening on %s:%d", host, sr_mysql_server_port(srv->wire));
    *out = srv;
    return 0;
}

int sr_sql_server_port(const sr_sql_server *srv)
{
    return sr_mysql_server_port(srv->wire);
}

void sr_sql_server_free(sr_sql_server *srv)
{
    if (!srv)
        return;
    sr_mysql_server_free(srv->wire);
    free(srv);
}

int sr_sql_listen(struct event_base *base, sr_store *store, const char *host, int port,
                  const char *user, const char *password, int *bound_port, rt_err *err)
{
    sr_sql_server *srv = NULL;
    int rc = sr_sql_server_new(base, store, host, port, user, password, &srv, err);
    if (rc)
        return rc;
    *bound_port = sr_sql_server_port(srv);
    return 0;
}
