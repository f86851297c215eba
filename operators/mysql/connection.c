/* MySQL/MariaDB client connections over MariaDB Connector/C: session set-up, flavor detection,
 * the row-callback query API, and the mapping of client/server errors onto Sluice's codes (which
 * decides whether the restart strategy retries). */
#include "operators/mysql/connection.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "operators/mysql/connection_int.h"
#include "runtime/base/clock.h"
#include "runtime/base/log.h"

#define DEFAULT_HOST "127.0.0.1"
#define DEFAULT_PORT 3306u
#define DEFAULT_CONNECT_TIMEOUT_MS 30000
/* How much of a statement a message quotes: enough to recognise it, short enough that the
 * server's message after it still fits in an rt_err. */
#define SQL_QUOTE_MAX 120

struct op_mysql_conn {
    MYSQL *mysql;
    char *name; /* "host:port" */
    char *user;
    char *server_time_zone;
    op_mysql_time_zone *time_zone; /* server_time_zone, loaded */
    char *version_text;
    op_mysql_flavor flavor;
    uint32_t version;
};

const char *const op_mysql_ssl_mode_choices[] = {
    "disabled", "preferred", "required", "verify_ca", "verify_identity", NULL,
};

const char *op_mysql_ssl_mode_name(op_mysql_ssl_mode m)
{
    if ((unsigned)m <= OP_MYSQL_SSL_VERIFY_IDENTITY)
        return op_mysql_ssl_mode_choices[m];
    return "?";
}

const char *op_mysql_flavor_name(op_mysql_flavor f)
{
    switch (f) {
    case OP_MYSQL_FLAVOR_MYSQL:
        return "mysql";
    case OP_MYSQL_FLAVOR_MARIADB:
        return "mariadb";
    }
    return "?";
}

/* mysql_library_init is not thread-safe, and mysql_init calls it implicitly on first use: two
 * subtasks opening their first connections at once would race inside Connector/C. */
static pthread_once_t library_once = PTHREAD_ONCE_INIT;
static int library_rc;

static void library_init(void)
{
    library_rc = mysql_library_init(0, NULL, NULL);
}

int op_mysql_errno_code(unsigned errnum)
{
    switch (errnum) {
    /* The server is not there, went away, or is too busy to take us now. */
    case 1040: /* ER_CON_COUNT_ERROR: too many connections */
    case 1053: /* ER_SERVER_SHUTDOWN */
    case 1152: /* ER_ABORTING_CONNECTION */
    case 1158: /* ER_NET_READ_ERROR */
    case 1159: /* ER_NET_READ_INTERRUPTED */
    case 1160: /* ER_NET_ERROR_ON_WRITE */
    case 1161: /* ER_NET_WRITE_INTERRUPTED */
    case 1203: /* ER_TOO_MANY_USER_CONNECTIONS */
    case 1226: /* ER_USER_LIMIT_REACHED */
    case 1317: /* ER_QUERY_INTERRUPTED (KILL QUERY) */
    case 1927: /* ER_CONNECTION_KILLED (MariaDB) */
    case 4031: /* ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8) */
    case 2002: /* CR_CONNECTION_ERROR (unix socket) */
    case 2003: /* CR_CONN_HOST_ERROR (TCP refused or unreachable) */
    case 2006: /* CR_SERVER_GONE_ERROR */
    case 2012: /* CR_SERVER_HANDSHAKE_ERR */
    case 2013: /* CR_SERVER_LOST */
    case 2055: /* CR_SERVER_LOST_EXTENDED */
    case 5013: /* CR_ERR_NET_READ */
    case 5014: /* CR_ERR_NET_WRITE */
        return RT_EUNAVAIL;
    case 1205: /* ER_LOCK_WAIT_TIMEOUT */
    case 1969: /* ER_STATEMENT_TIMEOUT (MariaDB max_statement_time) */
    case 3024: /* ER_QUERY_TIMEOUT (MySQL max_execution_time) */
        return RT_ETIMEDOUT;
    case 1213: /* ER_LOCK_DEADLOCK: the statement may simply be run again */
        return RT_EIO;
    case 2008: /* CR_OUT_OF_MEMORY */
        return RT_ENOMEM;
    /* Configuration the user has to change: retrying gives the same answer. */
    case 2005: /* CR_UNKNOWN_HOST: far more often a typo than a DNS outage */
    case 2026: /* CR_SSL_CONNECTION_ERROR: TLS required but not offered, or not trusted */
    case 2059: /* CR_AUTH_PLUGIN_CANNOT_LOAD */
    case 2061: /* CR_AUTH_PLUGIN_ERR */
        return RT_EINVAL;
    default:
        break;
    }
    /* Other client-side failures are about the transport; other server errors (access denied
     * 1044/1045/1698, unknown database 1049, syntax, missing table, privileges) are about what
     * we asked. */
    if ((errnum >= 2000 && errnum <= 2999) || (errnum >= 5000 && errnum <= 5999))
        return RT_EIO;
    return RT_EINVAL;
}

static int fail_handle(MYSQL *m, const char *what, rt_err *err)
{
    unsigned num = mysql_errno(m);
    const char *state = mysql_sqlstate(m);
    int code = num ? op_mysql_errno_code(num) : RT_EIO;
    return rt_err_set(err, code, "%s: %s (error %u, SQLSTATE %s)", what,
                      num ? mysql_error(m) : "unknown error", num, state ? state : "HY000");
}

int op_mysql_conn_fail(op_mysql_conn *c, const char *what, rt_err *err)
{
    return fail_handle(c->mysql, what, err);
}

MYSQL *op_mysql_conn_handle(op_mysql_conn *c)
{
    return c->mysql;
}

static char *dup_str(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d)
        RT_BUG("mysql: out of memory");
    return d;
}

/* Connector/C takes timeouts in whole seconds; round a fraction up so that "500ms" does not
 * become 0, which means "no limit". */
static unsigned timeout_seconds(int64_t ms)
{
    if (ms <= 0)
        return 0;
    int64_t s = (ms + 999) / 1000;
    return s > 86400 * 365 ? 86400u * 365 : (unsigned)s;
}

static void parse_version(op_mysql_conn *c)
{
    const char *v = c->version_text;
    unsigned major = 0, minor = 0, patch = 0;
    sscanf(v, "%u.%u.%u", &major, &minor, &patch);
    /* Older MariaDB servers announce "5.5.5-10.x" to old clients; Connector/C strips the prefix,
     * but a proxy may not. */
    if (major == 5 && minor == 5 && patch == 5 && strncmp(v, "5.5.5-", 6) == 0)
        sscanf(v + 6, "%u.%u.%u", &major, &minor, &patch);
    c->version = major * 10000 + minor * 100 + patch;
    c->flavor = strstr(v, "MariaDB") ? OP_MYSQL_FLAVOR_MARIADB : OP_MYSQL_FLAVOR_MYSQL;
}

static int set_tls(MYSQL *m, const op_mysql_conn_params *p, const char *what, rt_err *err)
{
    if (p->ssl_mode == OP_MYSQL_SSL_DISABLED)
        return 0;
    if ((p->ssl_mode == OP_MYSQL_SSL_VERIFY_CA || p->ssl_mode == OP_MYSQL_SSL_VERIFY_IDENTITY) &&
        !(p->ssl_ca && *p->ssl_ca))
        return rt_err_set(err, RT_EINVAL, "%s: ssl_mode %s needs ssl_ca", what,
                          op_mysql_ssl_mode_name(p->ssl_mode));
    /* Connector/C verifies the chain (SSL_VERIFY_PEER) whenever a CA is given, and checks the
     * host name only with VERIFY_SERVER_CERT: so VERIFY_CA = a CA; VERIFY_IDENTITY = a CA and the
     * flag. Without a CA nothing is verified, which is what PREFERRED and REQUIRED promise. */
    mysql_ssl_set(m, p->ssl_key, p->ssl_cert, p->ssl_ca, NULL, NULL);
    my_bool on = 1;
    if (p->ssl_mode >= OP_MYSQL_SSL_REQUIRED)
        mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &on);
    if (p->ssl_mode == OP_MYSQL_SSL_VERIFY_IDENTITY)
        mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
    return 0;
}

/* SYSTEM: the zone the server runs in, by the name it reports (@@system_time_zone). Only a
 * name the tz database knows will do: an abbreviation like "CST" names several zones. */
static int system_zone(MYSQL *m, const char *what, op_mysql_time_zone **out, rt_err *err)
{
    char step[400];
    snprintf(step, sizeof step, "%.256s: server_time_zone 'SYSTEM': SELECT @@system_time_zone",
             what);
    if (mysql_query(m, "SELECT @@system_time_zone") != 0)
        return fail_handle(m, step, err);
    MYSQL_RES *res = mysql_store_result(m);
    if (!res)
        return fail_handle(m, step, err);
    MYSQL_ROW row = mysql_fetch_row(res);
    char name[128];
    snprintf(name, sizeof name, "%s", row && row[0] ? row[0] : "");
    mysql_free_result(res);
    rt_err why;
    if (op_mysql_time_zone_open(name, NULL, out, &why) == 0)
        return 0;
    return rt_err_set(err, RT_EINVAL,
                      "%s: server_time_zone 'SYSTEM': the server's system zone '%s' is not a tz "
                      "database zone here (%s): set server_time_zone to the zone's name or "
                      "offset",
                      what, name, why.msg);
}

/* The connection and its session, without the zone. what: "connect host:port as 'user'". */
static int open_session(const op_mysql_conn_params *p, const char *what, op_mysql_conn **out,
                        rt_err *err)
{
    const char *host = p->host && *p->host ? p->host : DEFAULT_HOST;
    unsigned port = p->port ? p->port : DEFAULT_PORT;
    const char *user = p->user ? p->user : "";
    pthread_once(&library_once, library_init);
    if (library_rc != 0)
        return rt_err_set(err, RT_EINTERNAL, "%s: cannot initialise MariaDB Connector/C", what);
    MYSQL *m = mysql_init(NULL);
    if (!m)
        return rt_err_set(err, RT_ENOMEM, "%s: out of memory", what);

    unsigned connect_s =
        timeout_seconds(p->connect_timeout_ms ? p->connect_timeout_ms : DEFAULT_CONNECT_TIMEOUT_MS);
    unsigned read_s = timeout_seconds(p->read_timeout_ms);
    unsigned write_s = timeout_seconds(p->write_timeout_ms);
    my_bool off = 0;
    unsigned no_infile = 0;
    mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &connect_s);
    if (read_s)
        mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &read_s);
    if (write_s)
        mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &write_s);
    mysql_optionsv(m, MYSQL_OPT_RECONNECT, &off);
    /* A source never loads files into the server; refusing LOAD DATA LOCAL closes the door a
     * hostile server could use to read our files. */
    mysql_optionsv(m, MYSQL_OPT_LOCAL_INFILE, &no_infile);
    mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    /* Shows up in performance_schema.session_connect_attrs: lets a DBA see who is connected. */
    mysql_optionsv(m, MYSQL_OPT_CONNECT_ATTR_ADD, "program_name", "sluice");
    int rc = set_tls(m, p, what, err);
    if (rc != 0) {
        mysql_close(m);
        return rc;
    }

    if (!mysql_real_connect(m, host, user, p->password ? p->password : "", p->database, port, NULL,
                            0)) {
        rc = fail_handle(m, what, err);
        mysql_close(m);
        return rc;
    }
    /* Connector/C 3.3 falls back to plain text when the server offers no TLS even with
     * MYSQL_OPT_SSL_ENFORCE set; what ssl_mode promises is checked here, not assumed. */
    if (p->ssl_mode >= OP_MYSQL_SSL_REQUIRED && !mysql_get_ssl_cipher(m)) {
        mysql_close(m);
        return rt_err_set(err, RT_EINVAL,
                          "%s: ssl_mode %s, but the server does not offer TLS: enable TLS on the "
                          "server (ssl_cert and ssl_key in my.cnf) or lower ssl_mode",
                          what, op_mysql_ssl_mode_name(p->ssl_mode));
    }
    /* UTC session: see the header. Run explicitly (not as MYSQL_INIT_COMMAND) so that a failure
     * reports this statement rather than a puzzling connect error. */
    if (mysql_query(m, "SET time_zone = '+00:00'") != 0) {
        char step[300];
        snprintf(step, sizeof step, "%s: SET time_zone = '+00:00'", what);
        rc = fail_handle(m, step, err);
        mysql_close(m);
        return rc;
    }

    op_mysql_conn *c = calloc(1, sizeof *c);
    if (!c) {
        mysql_close(m);
        return rt_err_set(err, RT_ENOMEM, "%s: out of memory", what);
    }
    char name[200];
    snprintf(name, sizeof name, "%s:%u", host, port);
    c->mysql = m;
    c->name = dup_str(name);
    c->user = dup_str(user);
    c->server_time_zone =
        dup_str(p->server_time_zone && *p->server_time_zone ? p->server_time_zone : "UTC");
    c->version_text = dup_str(mysql_get_server_info(m));
    parse_version(c);
    const char *cipher = mysql_get_ssl_cipher(m);
    LOG_INFO("mysql: connected to %s as '%s' (%s %s, thread %lu, %s%s)", c->name, c->user,
             op_mysql_flavor_name(c->flavor), c->version_text, mysql_thread_id(m),
             cipher ? "TLS " : "no TLS", cipher ? cipher : "");
    *out = c;
    return 0;
}

int op_mysql_conn_open(const op_mysql_conn_params *p, op_mysql_conn **out, rt_err *err)
{
    char what[256];
    snprintf(what, sizeof what, "connect %s:%u as '%s'",
             p->host && *p->host ? p->host : DEFAULT_HOST, p->port ? p->port : DEFAULT_PORT,
             p->user ? p->user : "");
    /* An unknown zone is a configuration error: found before any network round trip. */
    const char *spec = p->server_time_zone && *p->server_time_zone ? p->server_time_zone : "UTC";
    bool system = strcasecmp(spec, "SYSTEM") == 0;
    op_mysql_time_zone *tz = NULL;
    if (!system && op_mysql_time_zone_open(spec, NULL, &tz, err) != 0)
        return rt_err_prefix(err, RT_EINVAL, "%s", what);
    op_mysql_conn *c = NULL;
    int rc = open_session(p, what, &c, err);
    if (rc == 0 && system)
        rc = system_zone(c->mysql, what, &tz, err);
    if (rc != 0) {
        op_mysql_conn_close(c);
        op_mysql_time_zone_free(tz);
        return rc;
    }
    c->time_zone = tz;
    *out = c;
    return 0;
}

int op_mysql_conn_params_time_zone(const op_mysql_conn_params *p, op_mysql_conn *c,
                                   op_mysql_time_zone **out, rt_err *err)
{
    const char *spec = p->server_time_zone && *p->server_time_zone ? p->server_time_zone : "UTC";
    if (strcasecmp(spec, "SYSTEM") != 0)
        return op_mysql_time_zone_open(spec, NULL, out, err);
    op_mysql_conn *own = NULL;
    if (!c) {
        int rc = op_mysql_conn_open(p, &own, err);
        if (rc != 0)
            return rc;
        c = own;
    }
    op_mysql_time_zone *z = op_mysql_time_zone_dup(c->time_zone);
    op_mysql_conn_close(own);
    if (!z)
        return rt_err_set(err, RT_ENOMEM, "server_time_zone: out of memory");
    *out = z;
    return 0;
}

/* Sleeps ms in slices, polling the cancel callback; returns true when canceled. */
static bool backoff_sleep(const op_mysql_retry *r, int64_t ms)
{
    int64_t deadline = rt_clock_mono_ms() + ms;
    for (;;) {
        if (r->canceled && r->canceled(r->arg))
            return true;
        int64_t left = deadline - rt_clock_mono_ms();
        if (left <= 0)
            return false;
        rt_sleep_ms(left < 50 ? left : 50);
    }
}

int op_mysql_conn_open_retry(const op_mysql_conn_params *p, const op_mysql_retry *r,
                             op_mysql_conn **out, rt_err *err)
{
    op_mysql_retry dflt = {0};
    if (!r)
        r = &dflt;
    unsigned attempts = r->max_attempts ? r->max_attempts : 5;
    int64_t backoff = r->initial_backoff_ms > 0 ? r->initial_backoff_ms : 500;
    int64_t max_backoff = r->max_backoff_ms > 0 ? r->max_backoff_ms : 30000;
    rt_err local;
    for (unsigned i = 1;; i++) {
        if (r->canceled && r->canceled(r->arg))
            return rt_err_set(err, RT_ECANCELED, "connect %s:%u: canceled after %u attempts",
                              p->host ? p->host : DEFAULT_HOST, p->port ? p->port : DEFAULT_PORT,
                              i - 1);
        rt_err_clear(&local);
        int rc = op_mysql_conn_open(p, out, &local);
        if (rc == 0)
            return 0;
        if (!rt_err_is_transient(rc) || i >= attempts) {
            if (err)
                *err = local;
            if (rt_err_is_transient(rc))
                rt_err_prefix(err, rc, "gave up after %u attempts", i);
            return rc;
        }
        LOG_WARN("mysql: %s (attempt %u of %u); retrying in %lld ms", local.msg, i, attempts,
                 (long long)backoff);
        if (backoff_sleep(r, backoff)) {
            if (err)
                *err = local;
            return rt_err_prefix(err, RT_ECANCELED, "canceled after %u attempts", i);
        }
        backoff = backoff > max_backoff / 2 ? max_backoff : backoff * 2;
    }
}

void op_mysql_conn_close(op_mysql_conn *c)
{
    if (!c)
        return;
    mysql_close(c->mysql);
    free(c->name);
    free(c->user);
    free(c->server_time_zone);
    op_mysql_time_zone_free(c->time_zone);
    free(c->version_text);
    free(c);
}

const char *op_mysql_conn_name(const op_mysql_conn *c)
{
    return c->name;
}

const char *op_mysql_conn_user(const op_mysql_conn *c)
{
    return c->user;
}

op_mysql_flavor op_mysql_conn_flavor(const op_mysql_conn *c)
{
    return c->flavor;
}

uint32_t op_mysql_conn_server_version(const op_mysql_conn *c)
{
    return c->version;
}

const char *op_mysql_conn_server_version_text(const op_mysql_conn *c)
{
    return c->version_text;
}

const char *op_mysql_conn_server_time_zone(const op_mysql_conn *c)
{
    return c->server_time_zone;
}

const op_mysql_time_zone *op_mysql_conn_time_zone(const op_mysql_conn *c)
{
    return c->time_zone;
}

unsigned long op_mysql_conn_thread_id(const op_mysql_conn *c)
{
    return mysql_thread_id(c->mysql);
}

bool op_mysql_conn_is_tls(const op_mysql_conn *c)
{
    return mysql_get_ssl_cipher(c->mysql) != NULL;
}

unsigned op_mysql_conn_errno(const op_mysql_conn *c)
{
    return mysql_errno(c->mysql);
}

const char *op_mysql_conn_sqlstate(const op_mysql_conn *c)
{
    return mysql_sqlstate(c->mysql);
}

/* Fails with the statement quoted (cut to SQL_QUOTE_MAX bytes) as the step. */
static int fail_query(op_mysql_conn *c, const char *sql, rt_err *err)
{
    char what[SQL_QUOTE_MAX + 32];
    size_t n = strlen(sql);
    snprintf(what, sizeof what, "query \"%.*s%s\"", SQL_QUOTE_MAX, sql,
             n > SQL_QUOTE_MAX ? "..." : "");
    return fail_handle(c->mysql, what, err);
}

int op_mysql_conn_query(op_mysql_conn *c, const char *sql, op_mysql_row_fn fn, void *arg,
                        rt_err *err)
{
    if (mysql_real_query(c->mysql, sql, strlen(sql)) != 0)
        return fail_query(c, sql, err);
    MYSQL_RES *res = mysql_use_result(c->mysql);
    if (!res) {
        /* No result set: a statement without rows, or an error fetching its header. */
        if (mysql_errno(c->mysql) != 0)
            return fail_query(c, sql, err);
        return 0;
    }
    size_t ncols = mysql_num_fields(res);
    int rc = 0;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res)) != NULL) {
        if (!fn)
            continue;
        const unsigned long *lengths = mysql_fetch_lengths(res);
        rc = fn(arg, ncols, (const char *const *)row, lengths, err);
        if (rc != 0)
            break;
    }
    if (rc == 0 && mysql_errno(c->mysql) != 0)
        rc = fail_query(c, sql, err);
    /* Reads (and drops) what the server still sends when the callback stopped early. */
    mysql_free_result(res);
    return rc > 0 ? 0 : rc;
}

int op_mysql_conn_exec(op_mysql_conn *c, const char *sql, uint64_t *affected, rt_err *err)
{
    if (mysql_real_query(c->mysql, sql, strlen(sql)) != 0)
        return fail_query(c, sql, err);
    MYSQL_RES *res = mysql_store_result(c->mysql);
    if (!res && mysql_errno(c->mysql) != 0)
        return fail_query(c, sql, err);
    uint64_t n = res ? 0 : (uint64_t)mysql_affected_rows(c->mysql);
    mysql_free_result(res);
    if (affected)
        *affected = n;
    return 0;
}

typedef struct first_value {
    bool found;
    char *value;
} first_value;

static int take_first(void *arg, size_t ncols, const char *const *values,
                      const unsigned long *lengths, rt_err *err)
{
    first_value *fv = arg;
    fv->found = true;
    if (ncols > 0 && values[0]) {
        fv->value = malloc(lengths[0] + 1);
        if (!fv->value)
            return rt_err_set(err, RT_ENOMEM, "query: out of memory");
        memcpy(fv->value, values[0], lengths[0]);
        fv->value[lengths[0]] = '\0';
    }
    return 1;
}

int op_mysql_conn_query_value(op_mysql_conn *c, const char *sql, char **out, rt_err *err)
{
    first_value fv = {0};
    int rc = op_mysql_conn_query(c, sql, take_first, &fv, err);
    if (rc != 0) {
        free(fv.value);
        return rc;
    }
    if (!fv.found) {
        char what[SQL_QUOTE_MAX + 32];
        snprintf(what, sizeof what, "%.*s", SQL_QUOTE_MAX, sql);
        return rt_err_set(err, RT_ENOTFOUND, "query \"%s\": no row", what);
    }
    *out = fv.value;
    return 0;
}

int op_mysql_conn_ping(op_mysql_conn *c, rt_err *err)
{
    if (mysql_ping(c->mysql) == 0)
        return 0;
    char what[256];
    snprintf(what, sizeof what, "ping %s", c->name);
    fail_handle(c->mysql, what, err);
    /* Whatever the reason, a connection that does not answer a ping is gone for us. */
    if (err)
        err->code = RT_EUNAVAIL;
    return RT_EUNAVAIL;
}

void op_mysql_conn_escape(op_mysql_conn *c, const char *s, size_t len, rt_buf *out)
{
    /* The worst case doubles every byte, plus the NUL Connector/C writes. */
    char *dst = rt_buf_reserve(out, 2 * len + 1);
    unsigned long n = mysql_real_escape_string(c->mysql, dst, s, (unsigned long)len);
    /* (unsigned long)-1 means the buffer was too small, which the reservation rules out. */
    RT_ASSERT(n <= 2 * len);
    rt_buf_advance(out, n);
}

void op_mysql_conn_quote(op_mysql_conn *c, const char *s, rt_buf *out)
{
    rt_buf_append_char(out, '\'');
    op_mysql_conn_escape(c, s, strlen(s), out);
    rt_buf_append_char(out, '\'');
}

void op_mysql_conn_quote_ident(const char *name, rt_buf *out)
{
    rt_buf_append_char(out, '`');
    for (const char *p = name; *p; p++) {
        if (*p == '`')
            rt_buf_append_char(out, '`');
        rt_buf_append_char(out, *p);
    }
    rt_buf_append_char(out, '`');
}
