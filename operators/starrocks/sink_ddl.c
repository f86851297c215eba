/* sink_ddl: schema-change operations on StarRocks over the MySQL port (sink_ddl.h). An ALTER
 * that changes data (MODIFY COLUMN) runs as an asynchronous alter job: its new schema applies
 * only once SHOW ALTER TABLE COLUMN says FINISHED, and meanwhile another ALTER on the table is
 * refused ("state is not NORMAL"), so every operation first waits for the table to be idle and
 * then for its own job. ADD and DROP of non-key columns finish at once (fast schema evolution,
 * StarRocks 3.x) and may leave no job: the newest job id before and after the statement tells. */
#include "operators/starrocks/sink_ddl.h"

#include <ctype.h>
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "operators/starrocks/sr_type_map.h"
#include "runtime/base/clock.h"
#include "runtime/base/failpoint.h"

/* --- Rendering --- */

static void append_ident(rt_buf *b, const char *name)
{
    rt_buf_append_char(b, '`');
    for (const char *s = name; *s; s++) {
        if (*s == '`')
            rt_buf_append_char(b, '`');
        rt_buf_append_char(b, *s);
    }
    rt_buf_append_char(b, '`');
}

static void append_table(rt_buf *b, const char *db, const char *table)
{
    append_ident(b, db);
    rt_buf_append_char(b, '.');
    append_ident(b, table);
}

void op_sr_ddl_render(const char *db, const op_sr_ddl_op *op, rt_buf *out)
{
    switch (op->kind) {
    case OP_SR_DDL_CREATE_TABLE:
        rt_buf_append_str(out, op->create ? op->create : "");
        return;
    case OP_SR_DDL_TRUNCATE_TABLE:
        rt_buf_append_str(out, "TRUNCATE TABLE ");
        append_table(out, db, op->table);
        return;
    case OP_SR_DDL_DROP_TABLE:
        rt_buf_append_str(out, "DROP TABLE IF EXISTS ");
        append_table(out, db, op->table);
        return;
    default:
        break;
    }
    rt_buf_append_str(out, "ALTER TABLE ");
    append_table(out, db, op->table);
    switch (op->kind) {
    case OP_SR_DDL_ADD_COLUMN:
        rt_buf_append_str(out, " ADD COLUMN ");
        append_ident(out, op->column);
        rt_buf_appendf(out, " %s NULL", op->type);
        if (op->def)
            rt_buf_appendf(out, " DEFAULT %s", op->def);
        if (op->after) {
            rt_buf_append_str(out, " AFTER ");
            append_ident(out, op->after);
        }
        break;
    case OP_SR_DDL_DROP_COLUMN:
        rt_buf_append_str(out, " DROP COLUMN ");
        append_ident(out, op->column);
        break;
    case OP_SR_DDL_MODIFY_COLUMN:
        rt_buf_append_str(out, " MODIFY COLUMN ");
        append_ident(out, op->column);
        rt_buf_appendf(out, " %s %s", op->type, op->nullable ? "NULL" : "NOT NULL");
        break;
    case OP_SR_DDL_RENAME_COLUMN:
        /* StarRocks 3.3+. */
        rt_buf_append_str(out, " RENAME COLUMN ");
        append_ident(out, op->column);
        rt_buf_append_str(out, " TO ");
        append_ident(out, op->new_name);
        break;
    case OP_SR_DDL_RENAME_TABLE:
        rt_buf_append_str(out, " RENAME ");
        append_ident(out, op->new_name);
        break;
    default:
        break;
    }
}

void op_sr_ddl_describe(const op_sr_ddl_op *op, char *out, size_t size)
{
    switch (op->kind) {
    case OP_SR_DDL_ADD_COLUMN:
        snprintf(out, size, "ADD COLUMN %s %s NULL%s%s%s%s", op->column, op->type,
                 op->def ? " DEFAULT " : "", op->def ? op->def : "", op->after ? " AFTER " : "",
                 op->after ? op->after : "");
        break;
    case OP_SR_DDL_DROP_COLUMN:
        snprintf(out, size, "DROP COLUMN %s", op->column);
        break;
    case OP_SR_DDL_MODIFY_COLUMN:
        snprintf(out, size, "MODIFY COLUMN %s %s %s", op->column, op->type,
                 op->nullable ? "NULL" : "NOT NULL");
        break;
    case OP_SR_DDL_RENAME_COLUMN:
        snprintf(out, size, "RENAME COLUMN %s TO %s", op->column, op->new_name);
        break;
    case OP_SR_DDL_CREATE_TABLE:
        snprintf(out, size, "CREATE TABLE %s", op->table);
        break;
    case OP_SR_DDL_RENAME_TABLE:
        snprintf(out, size, "RENAME TABLE %s TO %s", op->table, op->new_name);
        break;
    case OP_SR_DDL_TRUNCATE_TABLE:
        snprintf(out, size, "TRUNCATE TABLE %s", op->table);
        break;
    case OP_SR_DDL_DROP_TABLE:
        snprintf(out, size, "DROP TABLE %s", op->table);
        break;
    }
}

/* --- CREATE TABLE --- */

static void append_string(rt_buf *b, const char *s)
{
    rt_buf_append_char(b, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            rt_buf_append_char(b, '\\');
        rt_buf_append_char(b, *s);
    }
    rt_buf_append_char(b, '"');
}

int op_sr_ddl_create_sql(const rt_table *t, const char *db, const char *name,
                         const op_sr_sc_create *create, rt_buf *out, op_sr_table_meta **meta,
                         rt_err *err)
{
    size_t n = rt_table_column_count(t), keys = rt_table_pk_count(t);
    bool pk = keys > 0;
    /* Without a primary key: a DUPLICATE KEY table sorted by its first column. */
    size_t nkey = pk ? keys : 1;
    size_t *order = calloc(n ? n : 1, sizeof *order);
    bool *is_key = calloc(n ? n : 1, sizeof *is_key);
    op_sr_table_meta *m = NULL;
    int rc = !order || !is_key ? rt_err_set(err, RT_ENOMEM, "out of memory") : 0;
    if (rc == 0)
        rc =
            op_sr_table_meta_new(pk ? OP_SR_MODEL_PRIMARY_KEY : OP_SR_MODEL_DUPLICATE_KEY, &m, err);
    size_t o = 0;
    for (size_t k = 0; rc == 0 && k < nkey; k++) {
        order[o] = pk ? rt_table_pk_column(t, k) : 0;
        is_key[order[o++]] = true;
    }
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (!is_key[i])
            order[o++] = i;
    rt_buf_append_str(out, "CREATE TABLE IF NOT EXISTS ");
    append_ident(out, db);
    rt_buf_append_char(out, '.');
    append_ident(out, name);
    rt_buf_append_str(out, " (\n");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const rt_column *c = rt_table_column(t, order[i]);
        bool key = i < nkey;
        op_sr_type ty;
        rc = op_sr_type_from_sql(c->name, c->sql_type, key, &ty, NULL, err);
        if (rc != 0) {
            rc = rt_err_prefix(err, rc, "starrocks: CREATE TABLE %s.%s", db, name);
            break;
        }
        char type[64];
        op_sr_type_format(&ty, type, sizeof type);
        bool nullable = (!key || !pk) && c->nullable; /* PRIMARY KEY columns are NOT NULL */
        rt_buf_append_str(out, "    ");
        append_ident(out, c->name);
        rt_buf_appendf(out, " %s %s%s", type, nullable ? "NULL" : "NOT NULL",
                       i + 1 < n ? ",\n" : "\n");
        rc = op_sr_table_meta_add_column(m, c->name, type, nullable, key, NULL, err);
    }
    if (rc == 0) {
        rt_buf_appendf(out, ")\nENGINE=OLAP\n%s KEY (", pk ? "PRIMARY" : "DUPLICATE");
        for (size_t k = 0; k < nkey; k++) {
            if (k)
                rt_buf_append_str(out, ", ");
            append_ident(out, rt_table_column(t, order[k])->name);
        }
        rt_buf_append_str(out, ")\nDISTRIBUTED BY HASH(");
        for (size_t k = 0; k < nkey; k++) {
            if (k)
                rt_buf_append_str(out, ", ");
            append_ident(out, rt_table_column(t, order[k])->name);
        }
        rt_buf_append_char(out, ')');
        if (create && create->buckets)
            rt_buf_appendf(out, " BUCKETS %u", create->buckets);
        rt_buf_append_str(out, "\nPROPERTIES (");
        bool has_replication = false;
        for (size_t i = 0; create && i < create->property_count; i++) {
            if (strcmp(create->property_names[i], "replication_num") == 0)
                has_replication = true;
            rt_buf_append_str(out, i ? ", " : "");
            append_string(out, create->property_names[i]);
            rt_buf_append_str(out, " = ");
            append_string(out, create->property_values[i]);
        }
        if (!has_replication)
            rt_buf_appendf(out, "%s\"replication_num\" = \"1\"",
                           create && create->property_count ? ", " : "");
        rt_buf_append_str(out, ")");
    }
    free(order);
    free(is_key);
    if (rc != 0) {
        op_sr_table_meta_free(m);
        return rc;
    }
    *meta = m;
    return 0;
}

/* --- Idempotence --- */

bool op_sr_ddl_is_applied(const op_sr_ddl_op *op, const op_sr_ddl_target *t)
{
    const op_sr_table_meta *m = t->meta;
    long i = m && op->column ? op_sr_table_meta_column_index(m, op->column) : -1;
    switch (op->kind) {
    case OP_SR_DDL_ADD_COLUMN:
        return !m || i >= 0;
    case OP_SR_DDL_DROP_COLUMN:
        return !m || i < 0;
    case OP_SR_DDL_RENAME_COLUMN:
        return !m || i < 0 || op_sr_table_meta_column_index(m, op->new_name) >= 0;
    case OP_SR_DDL_MODIFY_COLUMN: {
        if (!m || i < 0)
            return true;
        op_sr_type have, want;
        if (op_sr_type_parse(op_sr_table_meta_column_type(m, (size_t)i), &have, NULL) != 0 ||
            op_sr_type_parse(op->type, &want, NULL) != 0)
            return false;
        return op_sr_type_equivalent(&have, &want) &&
               op_sr_table_meta_column_is_nullable(m, (size_t)i) == op->nullable;
    }
    case OP_SR_DDL_CREATE_TABLE:
        return m != NULL;
    case OP_SR_DDL_DROP_TABLE:
        return m == NULL;
    case OP_SR_DDL_RENAME_TABLE:
        return m == NULL || t->new_meta != NULL;
    case OP_SR_DDL_TRUNCATE_TABLE:
        return m == NULL || t->empty;
    }
    return false;
}

/* --- The connection --- */

struct op_sr_ddl_conn {
    char *host, *user, *password;
    int port, timeout_ms;
    MYSQL *my;
};

int op_sr_ddl_conn_new(const op_sr_query_params *p, op_sr_ddl_conn **out, rt_err *err)
{
    op_sr_ddl_conn *c = calloc(1, sizeof *c);
    if (!c || !(c->host = strdup(p->host)) || !(c->user = strdup(p->user ? p->user : "")) ||
        !(c->password = strdup(p->password ? p->password : ""))) {
        op_sr_ddl_conn_free(c);
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    }
    c->port = p->port;
    c->timeout_ms = p->timeout_ms;
    *out = c;
    return 0;
}

void op_sr_ddl_conn_free(op_sr_ddl_conn *c)
{
    if (!c)
        return;
    if (c->my)
        mysql_close(c->my);
    free(c->host);
    free(c->user);
    if (c->password) {
        memset(c->password, 0, strlen(c->password));
        free(c->password);
    }
    free(c);
}

static int conn_open(op_sr_ddl_conn *c, rt_err *err)
{
    if (c->my)
        return 0;
    MYSQL *my = mysql_init(NULL);
    if (!my)
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    unsigned timeout = (unsigned)((c->timeout_ms + 999) / 1000);
    if (timeout == 0)
        timeout = 1;
    mysql_optionsv(my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_optionsv(my, MYSQL_OPT_READ_TIMEOUT, &timeout);
    mysql_optionsv(my, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
    if (!mysql_real_connect(my, c->host, c->user, c->password, NULL, (unsigned)c->port, NULL, 0)) {
        int rc = rt_err_set(err, RT_EUNAVAIL, "query port %s:%d: connect: %s", c->host, c->port,
                            mysql_error(my));
        mysql_close(my);
        return rc;
    }
    c->my = my;
    return 0;
}

/* Runs sql; a lost connection is reopened and the statement tried once more (every statement
 * here is safe to repeat: reads, or DDL behind the idempotence check). *res: the result set
 * (NULL for statements without one). RT_ENOTFOUND for an unknown table or database. */
static int conn_query(op_sr_ddl_conn *c, const char *sql, MYSQL_RES **res, rt_err *err)
{
    for (int attempt = 0;; attempt++) {
        int rc = conn_open(c, err);
        if (rc != 0)
            return rc;
        if (mysql_query(c->my, sql) == 0) {
            MYSQL_RES *r = mysql_store_result(c->my);
            if (res)
                *res = r;
            else if (r)
                mysql_free_result(r);
            return 0;
        }
        unsigned code = mysql_errno(c->my);
        const char *msg = mysql_error(c->my);
        bool gone = code == 2006 || code == 2013 || code == 2002 || code == 2003;
        if (gone && attempt == 0) {
            mysql_close(c->my);
            c->my = NULL;
            continue;
        }
        bool missing = code == 1049 || code == 1146 || strstr(msg, "nknown table") ||
                       strstr(msg, "not exist") || strstr(msg, "nknown database");
        rc = rt_err_set(err,
                        gone      ? RT_EUNAVAIL
                        : missing ? RT_ENOTFOUND
                                  : RT_EINVAL,
                        "query port %s:%d: %s: %s", c->host, c->port, sql, msg);
        if (gone) {
            mysql_close(c->my);
            c->my = NULL;
        }
        return rc;
    }
}

int op_sr_ddl_fetch_meta(op_sr_ddl_conn *c, const char *db, const char *table,
                         op_sr_table_meta **out, rt_err *err)
{
    rt_buf sql;
    rt_buf_init(&sql);
    rt_buf_append_str(&sql, "SHOW CREATE TABLE ");
    append_table(&sql, db, table);
    MYSQL_RES *res = NULL;
    int rc = conn_query(c, sql.data, &res, err);
    rt_buf_fini(&sql);
    if (rc != 0)
        return rc;
    MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
    unsigned long *lens = row ? mysql_fetch_lengths(res) : NULL;
    if (!row || mysql_num_fields(res) < 2 || !row[1])
        rc = rt_err_set(err, RT_EINVAL, "%s.%s: SHOW CREATE TABLE: no table definition", db, table);
    else if ((rc = op_sr_table_meta_parse(row[1], lens[1], out, err)) != 0)
        rc = rt_err_prefix(err, rc, "%s.%s: SHOW CREATE TABLE", db, table);
    if (res)
        mysql_free_result(res);
    return rc;
}

/* --- Alter jobs --- */

typedef struct alter_job {
    char id[64];
    char state[32];
    char msg[256];
    bool found;
} alter_job;

static void cell(char *out, size_t size, const char *v)
{
    snprintf(out, size, "%s", v ? v : "");
}

/* The newest column alter job of db.table (found false: none). */
static int newest_job(op_sr_ddl_conn *c, const char *db, const char *table, alter_job *job,
                      rt_err *err)
{
    memset(job, 0, sizeof *job);
    rt_buf sql;
    rt_buf_init(&sql);
    rt_buf_append_str(&sql, "SHOW ALTER TABLE COLUMN FROM ");
    append_ident(&sql, db);
    rt_buf_append_str(&sql, " WHERE TableName = \"");
    for (const char *s = table; *s; s++) {
        if (*s == '"' || *s == '\\')
            rt_buf_append_char(&sql, '\\');
        rt_buf_append_char(&sql, *s);
    }
    rt_buf_append_str(&sql, "\" ORDER BY CreateTime DESC LIMIT 1");
    MYSQL_RES *res = NULL;
    int rc = conn_query(c, sql.data, &res, err);
    rt_buf_fini(&sql);
    if (rc != 0)
        return rc;
    MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
    if (row) {
        unsigned n = mysql_num_fields(res);
        MYSQL_FIELD *f = mysql_fetch_fields(res);
        for (unsigned i = 0; i < n; i++) {
            if (strcasecmp(f[i].name, "JobId") == 0)
                cell(job->id, sizeof job->id, row[i]);
            else if (strcasecmp(f[i].name, "State") == 0)
                cell(job->state, sizeof job->state, row[i]);
            else if (strcasecmp(f[i].name, "Msg") == 0)
                cell(job->msg, sizeof job->msg, row[i]);
        }
        job->found = true;
    }
    if (res)
        mysql_free_result(res);
    return 0;
}

static bool job_is_final(const alter_job *j)
{
    return strcasecmp(j->state, "FINISHED") == 0 || strcasecmp(j->state, "CANCELLED") == 0;
}

/* Waits until the newest alter job of db.table, if it is not `before` (NULL: any), has ended.
 * CANCELLED is an error only when mine. */
static int wait_job(op_sr_ddl_conn *c, const char *db, const char *table, const char *before,
                    bool mine, int64_t deadline_ms, const char *what, rt_err *err)
{
    for (unsigned sleep_ms = 50;; sleep_ms = sleep_ms < 1000 ? sleep_ms * 2 : 1000) {
        alter_job j;
        int rc = newest_job(c, db, table, &j, err);
        if (rc != 0)
            return rt_err_prefix(err, rc, "%s: SHOW ALTER TABLE COLUMN", what);
        if (!j.found || (before && strcmp(j.id, before) == 0))
            return 0;
        if (job_is_final(&j)) {
            if (mine && strcasecmp(j.state, "CANCELLED") == 0)
                return rt_err_set(err, RT_EINVAL, "%s: alter job %s CANCELLED: %s", what, j.id,
                                  j.msg);
            return 0;
        }
        if (rt_clock_mono_ms() >= deadline_ms)
            return rt_err_set(err, RT_ETIMEDOUT,
                              "%s: alter job %s still %s after the schema_change timeout", what,
                              j.id, j.state);
        rt_sleep_ms(sleep_ms);
    }
}

static bool is_column_op(op_sr_ddl_kind k)
{
    return k == OP_SR_DDL_ADD_COLUMN || k == OP_SR_DDL_DROP_COLUMN ||
           k == OP_SR_DDL_MODIFY_COLUMN || k == OP_SR_DDL_RENAME_COLUMN;
}

/* Reads what the idempotence check needs into *t (metas owned by the caller: free both). */
static int read_target(op_sr_ddl_conn *c, const char *db, const op_sr_ddl_op *op,
                       op_sr_ddl_target *t, op_sr_table_meta **m1, op_sr_table_meta **m2,
                       rt_err *err)
{
    memset(t, 0, sizeof *t);
    *m1 = *m2 = NULL;
    int rc = op_sr_ddl_fetch_meta(c, db, op->table, m1, err);
    if (rc == RT_ENOTFOUND) {
        rt_err_clear(err);
        rc = 0;
    }
    if (rc == 0 && op->kind == OP_SR_DDL_RENAME_TABLE) {
        rc = op_sr_ddl_fetch_meta(c, db, op->new_name, m2, err);
        if (rc == RT_ENOTFOUND) {
            rt_err_clear(err);
            rc = 0;
        }
    }
    if (rc == 0 && op->kind == OP_SR_DDL_TRUNCATE_TABLE && *m1) {
        rt_buf sql;
        rt_buf_init(&sql);
        rt_buf_append_str(&sql, "SELECT COUNT(*) FROM ");
        append_table(&sql, db, op->table);
        MYSQL_RES *res = NULL;
        rc = conn_query(c, sql.data, &res, err);
        rt_buf_fini(&sql);
        MYSQL_ROW row = rc == 0 && res ? mysql_fetch_row(res) : NULL;
        if (rc == 0)
            t->empty = row && row[0] && strtoull(row[0], NULL, 10) == 0;
        if (res)
            mysql_free_result(res);
    }
    t->meta = *m1;
    t->new_meta = *m2;
    return rc;
}

int op_sr_ddl_apply(op_sr_ddl_conn *c, const char *db, const op_sr_ddl_op *op, int64_t timeout_ms,
                    op_sr_ddl_outcome *outcome, int64_t *ms, rt_err *err)
{
    int64_t start = rt_clock_mono_ms(), deadline = start + timeout_ms;
    char what[600];
    snprintf(what, sizeof what, "%s.%s", db, op->table);
    /* An alter job a crashed attempt started must end before the target can be judged (its
     * new type shows only once FINISHED) or altered again. */
    int rc = op->kind == OP_SR_DDL_CREATE_TABLE || op->kind == OP_SR_DDL_DROP_TABLE
                 ? 0
                 : wait_job(c, db, op->table, NULL, false, deadline, what, err);
    if (rc == RT_ENOTFOUND) { /* no such table or database: nothing runs on it */
        rt_err_clear(err);
        rc = 0;
    }
    op_sr_ddl_target t;
    op_sr_table_meta *m1 = NULL, *m2 = NULL;
    if (rc == 0)
        rc = read_target(c, db, op, &t, &m1, &m2, err);
    bool done = rc == 0 && op_sr_ddl_is_applied(op, &t);
    op_sr_table_meta_free(m1);
    op_sr_table_meta_free(m2);
    if (rc != 0)
        return rc;
    if (done) {
        *outcome = OP_SR_DDL_SKIPPED;
        *ms = rt_clock_mono_ms() - start;
        return 0;
    }
    alter_job before = {0};
    if (is_column_op(op->kind) && (rc = newest_job(c, db, op->table, &before, err)) != 0)
        return rt_err_prefix(err, rc, "%s: SHOW ALTER TABLE COLUMN", what);
    rt_buf sql;
    rt_buf_init(&sql);
    op_sr_ddl_render(db, op, &sql);
    rc = FAILPOINT("starrocks.schema.before_apply", err);
    if (rc == 0)
        rc = conn_query(c, sql.data, NULL, err);
    rt_buf_fini(&sql);
    if (rc == 0)
        rc = FAILPOINT("starrocks.schema.after_apply", err);
    if (rc == 0 && is_column_op(op->kind))
        rc = wait_job(c, db, op->table, before.found ? before.id : NULL, true, deadline, what, err);
    if (rc != 0)
        return rc;
    *outcome = OP_SR_DDL_APPLIED;
    *ms = rt_clock_mono_ms() - start;
    return 0;
}
