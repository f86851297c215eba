/* Server readiness for CDC: binlog settings from SHOW GLOBAL VARIABLES, privileges from SHOW
 * GRANTS and from trying the statements the source will run. */
#include "operators/mysql/server_check.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/base/buf.h"
#include "runtime/base/log.h"

/* MariaDB 10.5.2 split REPLICATION CLIENT into BINLOG MONITOR (the old name is an alias). */
#define MARIADB_BINLOG_MONITOR_VERSION 100502
/* MySQL 8.2.0 renamed SHOW MASTER STATUS (removed in 8.4). */
#define MYSQL_BINARY_LOG_STATUS_VERSION 80200

#define ER_SPECIFIC_ACCESS_DENIED_ERROR 1227
#define ER_TABLEACCESS_DENIED_ERROR 1142
#define ER_COLUMNACCESS_DENIED_ERROR 1143

typedef struct check {
    op_mysql_conn *conn;
    rt_err *err;
    int rc;       /* the first failure's code */
    size_t fails; /* failures so far: the first goes to err, the others to the log */
    char grantee[200];
} check;

/* Records a failed check: the first becomes the error, the others are logged. */
static void fail(check *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(check *k, const char *fmt, ...)
{
    char msg[RT_ERR_MSG_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (k->fails++ == 0)
        k->rc =
            rt_err_set(k->err, RT_EINVAL, "check server %s: %s", op_mysql_conn_name(k->conn), msg);
    else
        LOG_ERROR("mysql: check server %s: %s", op_mysql_conn_name(k->conn), msg);
}

typedef struct vars {
    char log_bin[16], format[16], row_image[16], row_metadata[16], value_options[64];
    bool has_row_metadata;
} vars;

static void copy_upper(char *dst, size_t size, const char *s, unsigned long len)
{
    size_t n = len < size - 1 ? len : size - 1;
    for (size_t i = 0; i < n; i++)
        dst[i] = (char)toupper((unsigned char)s[i]);
    dst[n] = '\0';
}

static int read_var(void *arg, size_t ncols, const char *const *values,
                    const unsigned long *lengths, rt_err *err)
{
    vars *v = arg;
    if (ncols < 2 || !values[0] || !values[1])
        return 0;
    const char *name = values[0];
    if (strcmp(name, "log_bin") == 0)
        copy_upper(v->log_bin, sizeof v->log_bin, values[1], lengths[1]);
    else if (strcmp(name, "binlog_format") == 0)
        copy_upper(v->format, sizeof v->format, values[1], lengths[1]);
    else if (strcmp(name, "binlog_row_image") == 0)
        copy_upper(v->row_image, sizeof v->row_image, values[1], lengths[1]);
    else if (strcmp(name, "binlog_row_value_options") == 0)
        copy_upper(v->value_options, sizeof v->value_options, values[1], lengths[1]);
    else if (strcmp(name, "binlog_row_metadata") == 0) {
        copy_upper(v->row_metadata, sizeof v->row_metadata, values[1], lengths[1]);
        v->has_row_metadata = true;
    }
    return 0;
}

static void check_binlog_settings(check *k, const vars *v)
{
    if (strcmp(v->log_bin, "ON") != 0)
        fail(k,
             "log_bin is %s; MySQL CDC reads the binary log: start the server with log_bin "
             "(my.cnf [mysqld]: log_bin=mysql-bin, server_id=1, binlog_format=ROW) and "
             "restart; log_bin cannot be changed at run time",
             *v->log_bin ? v->log_bin : "OFF");
    if (strcmp(v->format, "ROW") != 0)
        fail(k,
             "binlog_format is %s; MySQL CDC needs ROW: set binlog_format=ROW in the server "
             "configuration (my.cnf [mysqld]) and restart, or SET GLOBAL binlog_format=ROW "
             "(sessions already open keep their format until they reconnect)",
             *v->format ? v->format : "unknown");
    if (strcmp(v->row_image, "FULL") != 0)
        fail(k,
             "binlog_row_image is %s; MySQL CDC needs FULL (every column before and after a "
             "change): set binlog_row_image=FULL in the server configuration (my.cnf "
             "[mysqld]) and restart, or SET GLOBAL binlog_row_image=FULL",
             *v->row_image ? v->row_image : "unknown");
    if (strstr(v->value_options, "PARTIAL_JSON"))
        fail(k, "binlog_row_value_options is PARTIAL_JSON; JSON updates would then be logged as "
                "diffs without the new document: set binlog_row_value_options='' in the server "
                "configuration, or SET GLOBAL binlog_row_value_options=''");
    if (!v->has_row_metadata)
        LOG_WARN("mysql: %s has no binlog_row_metadata (MySQL before 8.0.1, MariaDB before "
                 "10.5): binlog columns are named from information_schema, which is wrong for "
                 "events written before a schema change",
                 op_mysql_conn_name(k->conn));
    else if (strcmp(v->row_metadata, "FULL") != 0)
        LOG_WARN("mysql: binlog_row_metadata is %s on %s: binlog columns are named from "
                 "information_schema, which is wrong for events written before a schema "
                 "change; SET GLOBAL binlog_row_metadata=FULL to log names with each event",
                 *v->row_metadata ? v->row_metadata : "unknown", op_mysql_conn_name(k->conn));
}

/* --- Privileges --- */

typedef struct grants {
    bool all, repl_slave;
} grants;

/* One line of SHOW GRANTS: "GRANT A, B ON *.* TO `u`@`h` ...". Only global grants hold the
 * replication privileges; roles' grants are listed as lines of their own. */
static int read_grant(void *arg, size_t ncols, const char *const *values,
                      const unsigned long *lengths, rt_err *err)
{
    grants *g = arg;
    if (ncols < 1 || !values[0] || strncmp(values[0], "GRANT ", 6) != 0)
        return 0;
    const char *privs = values[0] + 6;
    const char *on = strstr(privs, " ON *.* TO ");
    if (!on)
        return 0;
    const char *p = privs;
    while (p < on) {
        const char *end = memchr(p, ',', (size_t)(on - p));
        if (!end)
            end = on;
        size_t n = (size_t)(end - p);
        if (n == 14 && strncmp(p, "ALL PRIVILEGES", 14) == 0)
            g->all = true;
        else if (n == 17 && strncmp(p, "REPLICATION SLAVE", 17) == 0)
            g->repl_slave = true;
        p = end + 1;
        while (p < on && *p == ' ')
            p++;
    }
    return 0;
}

/* CURRENT_USER() is "user@host"; grants name it 'user'@'host' (a user name may hold an @). */
static int read_grantee(check *k)
{
    char *cu = NULL;
    int rc = op_mysql_conn_query_value(k->conn, "SELECT CURRENT_USER()", &cu, k->err);
    if (rc != 0)
        return rc;
    const char *at = cu ? strrchr(cu, '@') : NULL;
    if (at)
        snprintf(k->grantee, sizeof k->grantee, "'%.*s'@'%s'", (int)(at - cu), cu, at + 1);
    else
        snprintf(k->grantee, sizeof k->grantee, "'%s'", cu ? cu : "?");
    free(cu);
    return 0;
}

/* SHOW GRANTS lists the active roles' grants on MariaDB; MySQL 8 lists them only when asked
 * with USING. */
static int show_grants(check *k, grants *g)
{
    bool mariadb = op_mysql_conn_flavor(k->conn) == OP_MYSQL_FLAVOR_MARIADB;
    char *roles = NULL;
    rt_buf q;
    rt_buf_init(&q);
    rt_buf_append_str(&q, "SHOW GRANTS");
    /* CURRENT_ROLE() is "NONE" or "`r1`@`%`,`r2`@`%`", the form USING takes. */
    if (!mariadb && op_mysql_conn_server_version(k->conn) >= 80000 &&
        op_mysql_conn_query_value(k->conn, "SELECT CURRENT_ROLE()", &roles, NULL) == 0 && roles &&
        strcmp(roles, "NONE") != 0)
        rt_buf_appendf(&q, " FOR CURRENT_USER() USING %s", roles);
    int rc = op_mysql_conn_query(k->conn, q.data, read_grant, g, k->err);
    free(roles);
    rt_buf_fini(&q);
    return rc;
}

static int check_privileges(check *k)
{
    grants g = {0};
    int rc = show_grants(k, &g);
    if (rc != 0)
        return rc;
    if (!g.all && !g.repl_slave)
        fail(k,
             "user %s lacks REPLICATION SLAVE, needed to read the binary log: GRANT "
             "REPLICATION SLAVE ON *.* TO %s",
             k->grantee, k->grantee);

    bool mariadb = op_mysql_conn_flavor(k->conn) == OP_MYSQL_FLAVOR_MARIADB;
    uint32_t version = op_mysql_conn_server_version(k->conn);
    const char *status = !mariadb && version >= MYSQL_BINARY_LOG_STATUS_VERSION
                             ? "SHOW BINARY LOG STATUS"
                             : "SHOW MASTER STATUS";
    const char *priv = mariadb && version >= MARIADB_BINLOG_MONITOR_VERSION ? "BINLOG MONITOR"
                                                                            : "REPLICATION CLIENT";
    rt_err e;
    rt_err_clear(&e);
    rc = op_mysql_conn_query(k->conn, status, NULL, NULL, &e);
    if (rc != 0 && op_mysql_conn_errno(k->conn) != ER_SPECIFIC_ACCESS_DENIED_ERROR) {
        if (k->err)
            *k->err = e;
        return rc;
    }
    if (rc != 0)
        fail(k,
             "user %s lacks %s, needed for %s (the binlog position of each snapshot chunk): "
             "GRANT %s ON *.* TO %s",
             k->grantee, priv, status, priv, k->grantee);
    return 0;
}

static int check_select(check *k, op_mysql_table_list *tables)
{
    rt_buf q;
    rt_buf_init(&q);
    int rc = 0;
    for (size_t i = 0; tables && i < op_mysql_table_list_count(tables); i++) {
        const op_mysql_table_info *t = op_mysql_table_list_get(tables, i);
        /* The table may already have been handed to a catalog. */
        if (!t->table)
            continue;
        const char *db = rt_table_db(t->table), *name = rt_table_name(t->table);
        rt_buf_reset(&q);
        rt_buf_append_str(&q, "SELECT 1 FROM ");
        op_mysql_conn_quote_ident(db, &q);
        rt_buf_append_char(&q, '.');
        op_mysql_conn_quote_ident(name, &q);
        rt_buf_append_str(&q, " LIMIT 0");
        rt_err e;
        rt_err_clear(&e);
        rc = op_mysql_conn_query(k->conn, q.data, NULL, NULL, &e);
        unsigned num = rc != 0 ? op_mysql_conn_errno(k->conn) : 0;
        if (rc != 0 && num != ER_TABLEACCESS_DENIED_ERROR && num != ER_COLUMNACCESS_DENIED_ERROR) {
            if (k->err)
                *k->err = e;
            break;
        }
        if (rc != 0) {
            rc = 0;
            rt_buf_reset(&q);
            op_mysql_conn_quote_ident(db, &q);
            fail(k,
                 "user %s lacks SELECT on %s.%s, needed for the snapshot: GRANT SELECT ON %s.* "
                 "TO %s",
                 k->grantee, db, name, q.data, k->grantee);
            break;
        }
    }
    rt_buf_fini(&q);
    return rc;
}

int op_mysql_check_server(op_mysql_conn *c, op_mysql_table_list *tables, rt_err *err)
{
    check k = {.conn = c, .err = err};
    vars v;
    memset(&v, 0, sizeof v);
    int rc = op_mysql_conn_query(c,
                                 "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('log_bin', "
                                 "'binlog_format', 'binlog_row_image', 'binlog_row_metadata', "
                                 "'binlog_row_value_options')",
                                 read_var, &v, err);
    if (rc != 0)
        return rc;
    check_binlog_settings(&k, &v);
    if ((rc = read_grantee(&k)) != 0)
        return rc;
    if ((rc = check_privileges(&k)) != 0)
        return rc;
    if ((rc = check_select(&k, tables)) != 0)
        return rc;
    if (k.fails == 0)
        LOG_INFO("mysql: %s is ready for CDC (binlog ROW/FULL, privileges of %s)",
                 op_mysql_conn_name(c), k.grantee);
    return k.rc;
}
