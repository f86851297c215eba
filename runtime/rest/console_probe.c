/* The web console's probes: a MySQL source's version and binary log settings, its tables with
 * columns, keys and shard groups (information_schema over op_mysql_conn), and a StarRocks FE's
 * query port (MariaDB Connector/C, as create_tables.c) and HTTP port (libcurl); plus the
 * request-body helpers the console's routes share. */
#include <curl/curl.h>
#include <mysql.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runtime/rest/console_int.h"

#define CONNECT_TIMEOUT_MS 10000
#define HTTP_TIMEOUT_S 5L
/* The listing stops here: a page cannot show more, and the queries stay bounded. */
#define MAX_TABLES 5000
#define SYSTEM_SCHEMAS "('mysql','information_schema','performance_schema','sys')"

/* ---- replies -------------------------------------------------------------------------------- */

/* Takes ownership of j. */
void console_reply_json(rt_rest_reply *r, int status, json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    RT_ASSERT(s);
    r->status = status;
    r->content_type = CONSOLE_JSON_TYPE;
    rt_buf_reset(&r->body);
    rt_buf_append_str(&r->body, s);
    free(s);
}

/* The status of a failed call to a server: what the user can fix (credentials, names, the
 * server being down) is 422; out of memory and bugs are 500. */
int console_status_for(int rc)
{
    return rc == RT_ENOMEM || rc == RT_EINTERNAL ? 500 : 422;
}

/* Replaces every occurrence of secret (when it is long enough to be told apart from ordinary
 * text) in the body with ***. */
void console_scrub(rt_rest_reply *r, const char *secret)
{
    size_t n = secret ? strlen(secret) : 0;
    if (n < 3 || !r->body.data || !memmem(r->body.data, r->body.len, secret, n))
        return;
    rt_buf out;
    rt_buf_init(&out);
    const char *p = r->body.data, *end = p + r->body.len, *hit;
    while ((hit = memmem(p, (size_t)(end - p), secret, n))) {
        rt_buf_append(&out, p, (size_t)(hit - p));
        rt_buf_append_str(&out, "***");
        p = hit + n;
    }
    rt_buf_append(&out, p, (size_t)(end - p));
    rt_buf_reset(&r->body);
    rt_buf_append(&r->body, out.data, out.len);
    rt_buf_fini(&out);
}

/* ---- request bodies ------------------------------------------------------------------------- */

/* A host or user name that can travel inside a mysql:// or starrocks:// URL unchanged. */
static bool url_safe(const char *s)
{
    return s && *s && strlen(s) < 256 && !strpbrk(s, ":@/?#&= \t\r\n%");
}

static int get_port(json_t *o, const char *key, unsigned def, unsigned *out, const char *what,
                    rt_err *err)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        *out = def;
        return 0;
    }
    json_int_t p = json_is_integer(v) ? json_integer_value(v) : 0;
    if (json_is_string(v))
        p = strtol(json_string_value(v), NULL, 10);
    if (p < 1 || p > 65535)
        return rt_err_set(err, RT_EINVAL, "%s.%s: a port 1..65535", what, key);
    *out = (unsigned)p;
    return 0;
}

const char *console_get_str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* {"host", "port", "user", "password"}; what names the object in messages ("$", "$.source"). */
int console_parse_source(json_t *o, const char *what, endpoint *e, rt_err *err)
{
    memset(e, 0, sizeof *e);
    if (!json_is_object(o))
        return rt_err_set(err, RT_EINVAL, "%s: expected an object with host, port, user, password",
                          what);
    e->host = console_get_str(o, "host");
    e->user = console_get_str(o, "user");
    e->password = console_get_str(o, "password");
    if (!url_safe(e->host))
        return rt_err_set(err, RT_EINVAL, "%s.host: a host name or address", what);
    if (!url_safe(e->user))
        return rt_err_set(err, RT_EINVAL, "%s.user: a user name without : @ / ? # & = %%", what);
    return get_port(o, "port", 3306, &e->port, what, err);
}

/* {"fe_host", "http_port", "query_port", "user", "password", "database"}. */
int console_parse_target(json_t *o, const char *what, bool need_db, endpoint *e, rt_err *err)
{
    memset(e, 0, sizeof *e);
    if (!json_is_object(o))
        return rt_err_set(err, RT_EINVAL,
                          "%s: expected an object with fe_host, http_port, query_port, user, "
                          "password",
                          what);
    e->host = console_get_str(o, "fe_host");
    e->user = console_get_str(o, "user");
    e->password = console_get_str(o, "password");
    e->database = console_get_str(o, "database");
    if (!url_safe(e->host))
        return rt_err_set(err, RT_EINVAL, "%s.fe_host: a host name or address", what);
    if (!url_safe(e->user))
        return rt_err_set(err, RT_EINVAL, "%s.user: a user name without : @ / ? # & = %%", what);
    if (need_db && !url_safe(e->database))
        return rt_err_set(err, RT_EINVAL, "%s.database: the target database name", what);
    int rc = get_port(o, "http_port", 8030, &e->http_port, what, err);
    return rc ? rc : get_port(o, "query_port", 9030, &e->query_port, what, err);
}

int console_open_source(const endpoint *e, op_mysql_conn **c, rt_err *err)
{
    op_mysql_conn_params p = {
        .host = e->host,
        .port = e->port,
        .user = e->user,
        .password = e->password,
        .ssl_mode = OP_MYSQL_SSL_PREFERRED,
        .connect_timeout_ms = CONNECT_TIMEOUT_MS,
        .read_timeout_ms = 60000,
    };
    return op_mysql_conn_open(&p, c, err);
}

/* ---- POST /console/mysql/test --------------------------------------------------------------- */

typedef struct binlog_vars {
    char log_bin[16], format[32], row_image[32];
} binlog_vars;

static int read_binlog_vars(void *arg, size_t n, const char *const *v, const unsigned long *l,
                            rt_err *err)
{
    binlog_vars *b = arg;
    if (n >= 3) {
        snprintf(b->log_bin, sizeof b->log_bin, "%s",
                 v[0] && strcmp(v[0], "1") == 0 ? "ON" : (v[0] ? v[0] : "OFF"));
        if (strcmp(b->log_bin, "0") == 0)
            snprintf(b->log_bin, sizeof b->log_bin, "OFF");
        snprintf(b->format, sizeof b->format, "%s", v[1] ? v[1] : "");
        snprintf(b->row_image, sizeof b->row_image, "%s", v[2] ? v[2] : "");
    }
    return 1;
}

void console_mysql_test(json_t *body, const endpoint *src, rt_rest_reply *r)
{
    op_mysql_conn *conn = NULL;
    rt_err err = {0};
    int rc = console_open_source(src, &conn, &err);
    binlog_vars b = {"", "", ""};
    if (rc == 0)
        rc = op_mysql_conn_query(conn, "SELECT @@log_bin, @@binlog_format, @@binlog_row_image",
                                 read_binlog_vars, &b, &err);
    if (rc) {
        op_mysql_conn_close(conn);
        rt_rest_reply_error(r, console_status_for(rc), err.msg);
        return;
    }
    json_t *problems = json_array();
    if (strcmp(b.log_bin, "ON") != 0)
        json_array_append_new(problems,
                              json_string("log_bin is OFF: CDC reads the binary log; start the "
                                          "server with log_bin (my.cnf [mysqld] log-bin) and "
                                          "restart"));
    if (strcasecmp(b.format, "ROW") != 0) {
        char m[200];
        snprintf(m, sizeof m,
                 "binlog_format is %s: set binlog_format=ROW in the server configuration and "
                 "restart, or SET GLOBAL binlog_format=ROW",
                 b.format);
        json_array_append_new(problems, json_string(m));
    }
    if (strcasecmp(b.row_image, "FULL") != 0) {
        char m[200];
        snprintf(m, sizeof m,
                 "binlog_row_image is %s: set binlog_row_image=FULL (updates need every "
                 "column's before and after value)",
                 b.row_image);
        json_array_append_new(problems, json_string(m));
    }
    json_t *binlog = json_pack("{s:s, s:s, s:s, s:b, s:o}", "log_bin", b.log_bin, "binlog_format",
                               b.format, "binlog_row_image", b.row_image, "ok",
                               json_array_size(problems) == 0, "problems", problems);
    json_t *j = json_pack("{s:b, s:s, s:s, s:o}", "ok", 1, "version",
                          op_mysql_conn_server_version_text(conn), "flavor",
                          op_mysql_flavor_name(op_mysql_conn_flavor(conn)), "binlog", binlog);
    op_mysql_conn_close(conn);
    console_reply_json(r, 200, j);
}

/* ---- POST /console/mysql/tables ------------------------------------------------------------- */

typedef struct listing {
    json_t *dbs;     /* [{"name", "tables": [...]}] in db order */
    json_t *by_name; /* "db.table" -> its table object (borrowed references) */
    regex_t *rx;
    size_t nrx;
    size_t tables;
} listing;

static bool selected(const listing *l, const char *full)
{
    if (l->nrx == 0)
        return true;
    for (size_t i = 0; i < l->nrx; i++)
        if (regexec(&l->rx[i], full, 0, NULL, 0) == 0)
            return true;
    return false;
}

static int on_table(void *arg, size_t n, const char *const *v, const unsigned long *len,
                    rt_err *err)
{
    listing *l = arg;
    if (n < 3 || !v[0] || !v[1] || l->tables >= MAX_TABLES)
        return 0;
    char full[600];
    snprintf(full, sizeof full, "%s.%s", v[0], v[1]);
    if (!selected(l, full))
        return 0;
    size_t nd = json_array_size(l->dbs);
    json_t *db = nd ? json_array_get(l->dbs, nd - 1) : NULL;
    if (!db || strcmp(console_get_str(db, "name"), v[0]) != 0) {
        db = json_pack("{s:s, s:[]}", "name", v[0], "tables");
        json_array_append_new(l->dbs, db);
    }
    json_t *t =
        json_pack("{s:s, s:I, s:[], s:[]}", "name", v[1], "rows",
                  (json_int_t)(v[2] ? strtoll(v[2], NULL, 10) : 0), "primary_key", "columns");
    json_array_append_new(json_object_get(db, "tables"), t);
    json_object_set(l->by_name, full, t);
    l->tables++;
    return 0;
}

static int on_column(void *arg, size_t n, const char *const *v, const unsigned long *len,
                     rt_err *err)
{
    listing *l = arg;
    if (n < 6 || !v[0] || !v[1] || !v[2])
        return 0;
    char full[600];
    snprintf(full, sizeof full, "%s.%s", v[0], v[1]);
    json_t *t = json_object_get(l->by_name, full);
    if (!t)
        return 0;
    json_array_append_new(json_object_get(t, "columns"),
                          json_pack("{s:s, s:s, s:b, s:s}", "name", v[2], "type", v[3] ? v[3] : "",
                                    "nullable", v[4] && !strcmp(v[4], "YES"), "key",
                                    v[5] ? v[5] : ""));
    return 0;
}

static int on_key(void *arg, size_t n, const char *const *v, const unsigned long *len, rt_err *err)
{
    listing *l = arg;
    if (n < 3 || !v[0] || !v[1] || !v[2])
        return 0;
    char full[600];
    snprintf(full, sizeof full, "%s.%s", v[0], v[1]);
    json_t *t = json_object_get(l->by_name, full);
    if (t)
        json_array_append_new(json_object_get(t, "primary_key"), json_string(v[2]));
    return 0;
}

/* s with every run of digits replaced by "#" (shape) and by "[0-9]+" in a regex (pattern; the
 * rest escaped). */
static void digit_shape(const char *s, rt_buf *shape, rt_buf *pattern)
{
    for (const char *p = s; *p;) {
        if (*p >= '0' && *p <= '9') {
            while (*p >= '0' && *p <= '9')
                p++;
            rt_buf_append_char(shape, '#');
            rt_buf_append_str(pattern, "[0-9]+");
            continue;
        }
        rt_buf_append_char(shape, *p);
        if (strchr(".[]()*+?{}|^$\\", *p))
            rt_buf_append_char(pattern, '\\');
        rt_buf_append_char(pattern, *p);
        p++;
    }
}

/* The table name without its digits and the '_' they leave at the ends: "order_3" -> "order". */
static void group_target(const char *table, char *out, size_t size)
{
    size_t n = 0;
    for (const char *p = table; *p && n + 1 < size; p++)
        if (!(*p >= '0' && *p <= '9') && !(*p == '_' && n > 0 && out[n - 1] == '_'))
            out[n++] = *p;
    out[n] = '\0';
    while (n && (out[n - 1] == '_' || out[n - 1] == '-'))
        out[--n] = '\0';
    size_t skip = strspn(out, "_-");
    memmove(out, out + skip, strlen(out + skip) + 1);
    if (!*out)
        snprintf(out, size, "%s", table);
}

/* Shards look alike but for digits: tables whose "db.table" names have the same shape once each
 * run of digits is a wildcard, and that differ in at least one digit. */
static json_t *shard_groups(json_t *dbs)
{
    json_t *by_shape = json_object(), *order = json_array();
    size_t i, k;
    json_t *db, *t;
    json_array_foreach(dbs, i, db)
    {
        json_array_foreach(json_object_get(db, "tables"), k, t)
        {
            rt_buf shape, pattern;
            rt_buf_init(&shape);
            rt_buf_init(&pattern);
            digit_shape(console_get_str(db, "name"), &shape, &pattern);
            rt_buf_append_char(&shape, '.');
            rt_buf_append_str(&pattern, "\\.");
            digit_shape(console_get_str(t, "name"), &shape, &pattern);
            json_t *g = json_object_get(by_shape, shape.data);
            if (!g) {
                char target[256];
                group_target(console_get_str(t, "name"), target, sizeof target);
                g = json_pack("{s:s, s:s, s:[]}", "pattern", pattern.data, "target", target,
                              "members");
                json_object_set_new(by_shape, shape.data, g);
                json_array_append(order, g);
            }
            char full[600];
            snprintf(full, sizeof full, "%s.%s", console_get_str(db, "name"),
                     console_get_str(t, "name"));
            json_array_append_new(json_object_get(g, "members"), json_string(full));
            rt_buf_fini(&shape);
            rt_buf_fini(&pattern);
        }
    }
    json_t *groups = json_array(), *g;
    json_array_foreach(order, i, g) if (json_array_size(json_object_get(g, "members")) > 1)
        json_array_append(groups, g);
    json_decref(order);
    json_decref(by_shape);
    return groups;
}

void console_mysql_tables(json_t *body, const endpoint *src, rt_rest_reply *r)
{
    json_t *pats = json_object_get(body, "patterns");
    if (pats && !json_is_array(pats)) {
        rt_rest_reply_error(r, 400, "$.patterns: expected an array of regexes");
        return;
    }
    size_t np = json_array_size(pats);
    listing l = {.dbs = json_array(), .by_name = json_object(), .nrx = 0};
    l.rx = calloc(np ? np : 1, sizeof *l.rx);
    RT_ASSERT(l.rx);
    char msg[sizeof(((rt_err *)0)->msg) + 16];
    int rc = 0;
    for (size_t i = 0; i < np && rc == 0; i++) {
        const char *p = json_string_value(json_array_get(pats, i));
        rt_buf re;
        rt_buf_init(&re);
        rt_buf_appendf(&re, "^(%s)$", p ? p : "");
        if (!p || regcomp(&l.rx[i], re.data, REG_EXTENDED | REG_NOSUB) != 0) {
            snprintf(msg, sizeof msg, "$.patterns[%zu]: not a valid regular expression", i);
            rc = RT_EINVAL;
        } else {
            l.nrx++;
        }
        rt_buf_fini(&re);
    }
    op_mysql_conn *conn = NULL;
    rt_err err = {0};
    if (rc == 0) {
        rc = console_open_source(src, &conn, &err);
        if (rc == 0)
            rc = op_mysql_conn_query(conn,
                                     "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_ROWS FROM "
                                     "information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' "
                                     "AND TABLE_SCHEMA NOT IN " SYSTEM_SCHEMAS
                                     " ORDER BY TABLE_SCHEMA, TABLE_NAME",
                                     on_table, &l, &err);
        if (rc == 0)
            rc = op_mysql_conn_query(conn,
                                     "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, "
                                     "IS_NULLABLE, COLUMN_KEY FROM information_schema.COLUMNS "
                                     "WHERE TABLE_SCHEMA NOT IN " SYSTEM_SCHEMAS
                                     " ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION",
                                     on_column, &l, &err);
        if (rc == 0)
            rc = op_mysql_conn_query(conn,
                                     "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME FROM "
                                     "information_schema.KEY_COLUMN_USAGE WHERE CONSTRAINT_NAME "
                                     "= 'PRIMARY' AND TABLE_SCHEMA NOT IN " SYSTEM_SCHEMAS
                                     " ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION",
                                     on_key, &l, &err);
        snprintf(msg, sizeof msg, "%s", err.msg);
    }
    op_mysql_conn_close(conn);
    for (size_t i = 0; i < l.nrx; i++)
        regfree(&l.rx[i]);
    free(l.rx);
    json_decref(l.by_name);
    if (rc) {
        json_decref(l.dbs);
        rt_rest_reply_error(r, rc == RT_EINVAL && !conn ? 400 : console_status_for(rc), msg);
        return;
    }
    json_t *groups = shard_groups(l.dbs);
    console_reply_json(r, 200,
                       json_pack("{s:o, s:o, s:b}", "databases", l.dbs, "groups", groups,
                                 "truncated", l.tables >= MAX_TABLES));
}

/* ---- POST /console/starrocks/test ----------------------------------------------------------- */

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
    return size * n;
}

/* Any HTTP answer means the FE's HTTP port is there (its / may be 404 or a redirect). */
static int http_reachable(const endpoint *e, long *status, rt_err *err)
{
    CURL *h = curl_easy_init();
    if (!h)
        return rt_err_set(err, RT_ENOMEM, "curl: out of memory");
    char url[400];
    snprintf(url, sizeof url, "http://%s:%u/", e->host, e->http_port);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, HTTP_TIMEOUT_S);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    CURLcode cc = curl_easy_perform(h);
    int rc = 0;
    if (cc != CURLE_OK)
        rc = rt_err_set(err, RT_EUNAVAIL, "HTTP port %s:%u: %s", e->host, e->http_port,
                        curl_easy_strerror(cc));
    else
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    curl_easy_cleanup(h);
    return rc;
}

void console_starrocks_test(json_t *body, rt_rest_reply *r)
{
    endpoint e;
    rt_err err = {0};
    if (console_parse_target(body, "$", false, &e, &err)) {
        rt_rest_reply_error(r, 400, err.msg);
        return;
    }
    MYSQL *my = mysql_init(NULL);
    RT_ASSERT(my);
    unsigned timeout = CONNECT_TIMEOUT_MS / 1000;
    mysql_options(my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_options(my, MYSQL_OPT_READ_TIMEOUT, &timeout);
    json_t *dbs = json_array();
    char msg[700];
    int rc = 0;
    if (!mysql_real_connect(my, e.host, e.user, e.password ? e.password : "", NULL, e.query_port,
                            NULL, 0)) {
        snprintf(msg, sizeof msg, "query port %s:%u as '%s': %s (error %u)", e.host, e.query_port,
                 e.user, mysql_error(my), mysql_errno(my));
        rc = RT_EUNAVAIL;
    } else if (mysql_query(my, "SHOW DATABASES") != 0) {
        snprintf(msg, sizeof msg, "SHOW DATABASES: %s (error %u)", mysql_error(my),
                 mysql_errno(my));
        rc = RT_EINVAL;
    } else {
        MYSQL_RES *res = mysql_store_result(my);
        MYSQL_ROW row;
        while (res && (row = mysql_fetch_row(res)))
            if (row[0] && strcmp(row[0], "information_schema") != 0 &&
                strcmp(row[0], "_statistics_") != 0 && strcmp(row[0], "sys") != 0)
                json_array_append_new(dbs, json_string(row[0]));
        mysql_free_result(res);
    }
    long status = 0;
    char version[128];
    snprintf(version, sizeof version, "%s", rc == 0 ? mysql_get_server_info(my) : "");
    mysql_close(my);
    if (rc == 0 && (rc = http_reachable(&e, &status, &err)) != 0)
        snprintf(msg, sizeof msg, "%s", err.msg);
    if (rc) {
        json_decref(dbs);
        rt_rest_reply_error(r, 422, msg);
        return;
    }
    console_reply_json(r, 200,
                       json_pack("{s:b, s:s, s:o, s:{s:b, s:i}}", "ok", 1, "version", version,
                                 "databases", dbs, "http", "reachable", 1, "status", (int)status));
}
