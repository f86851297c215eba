/* A client connection to a MySQL or MariaDB server (MariaDB Connector/C underneath, never named
 * here): open with TLS and timeouts, a UTC utf8mb4 session, the server's flavor and version, a
 * small query API, and errors that carry the server's errno/SQLSTATE and say whether retrying
 * can help (RT_EUNAVAIL) or not (RT_EINVAL). */
#ifndef SLUICE_OPERATORS_MYSQL_CONNECTION_H
#define SLUICE_OPERATORS_MYSQL_CONNECTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/mysql/time_zone.h"
#include "runtime/base/buf.h"
#include "runtime/base/errors.h"

/* TLS policy, as MySQL's --ssl-mode names it. The order is the config's choice order. */
typedef enum op_mysql_ssl_mode {
    OP_MYSQL_SSL_DISABLED = 0,    /* plain TCP */
    OP_MYSQL_SSL_PREFERRED,       /* TLS when the server offers it, else plain */
    OP_MYSQL_SSL_REQUIRED,        /* TLS or fail; the certificate is not checked */
    OP_MYSQL_SSL_VERIFY_CA,       /* TLS, certificate signed by ssl_ca */
    OP_MYSQL_SSL_VERIFY_IDENTITY, /* VERIFY_CA and the certificate names the host */
} op_mysql_ssl_mode;

/* "disabled", "preferred", "required", "verify_ca", "verify_identity"; "?" otherwise. */
const char *op_mysql_ssl_mode_name(op_mysql_ssl_mode m);
/* The names above in enum order, NULL-terminated: the `choices` of an RT_CFG_ENUM row. */
extern const char *const op_mysql_ssl_mode_choices[];

typedef enum op_mysql_flavor {
    OP_MYSQL_FLAVOR_MYSQL = 0,
    OP_MYSQL_FLAVOR_MARIADB,
} op_mysql_flavor;

/* "mysql", "mariadb"; "?" otherwise. */
const char *op_mysql_flavor_name(op_mysql_flavor f);

/* What to connect to. Caller-allocated; every pointer is borrowed for the duration of the open
 * call only. Zero values take the defaults noted. */
typedef struct op_mysql_conn_params {
    const char *host;     /* NULL: "127.0.0.1"; "localhost" means the default unix socket */
    unsigned port;        /* 0: 3306 */
    const char *user;     /* required */
    const char *password; /* resolved text (see op_mysql_source_config_password); NULL: none */
    const char *database; /* default database; NULL: none */
    op_mysql_ssl_mode ssl_mode;
    const char *ssl_ca;   /* PEM file of the CA; required by VERIFY_CA and VERIFY_IDENTITY */
    const char *ssl_cert; /* client certificate and key (PEM), both or neither */
    const char *ssl_key;
    /* Connector/C counts whole seconds: a part of a second rounds up. 0: 30 s for connect,
     * no limit for read and write. A read timeout shorter than the longest silence a caller
     * expects (a long query, an idle binlog stream without heartbeats) breaks the connection. */
    int64_t connect_timeout_ms;
    int64_t read_timeout_ms;
    int64_t write_timeout_ms;
    /* The zone the server's users think in ("UTC", "+08:00", "Asia/Shanghai", "SYSTEM": the
     * server's @@system_time_zone), loaded at open (op_mysql_conn_time_zone) for the code that
     * renders TIMESTAMP values; the session itself always runs in UTC (see op_mysql_conn_open).
     * NULL: "UTC". */
    const char *server_time_zone;
} op_mysql_conn_params;

typedef struct op_mysql_conn op_mysql_conn;

/* Connects, authenticates (TLS per ssl_mode) and prepares the session: utf8mb4 for everything
 * sent and received, and time_zone '+00:00', so that TIMESTAMP columns read as UTC wall time,
 * the same instant the binary log stores as seconds since the epoch: snapshot rows and binlog
 * rows then agree whatever the server's own zone is. Auto-reconnect stays off: a silent
 * reconnect would lose that session state; callers reopen (op_mysql_conn_open_retry) instead.
 * server_time_zone is loaded first (time_zone.h): an unknown zone fails with RT_EINVAL
 * "connect ...: server_time_zone 'Mars/Base': unknown zone (...)" before connecting.
 *
 * Returns 0 with *out (close with op_mysql_conn_close), or: RT_EINVAL for what retrying cannot
 * fix (access denied, unknown database, TLS required but not offered or not trusted, unknown
 * host), RT_EUNAVAIL when the server is not there or went away (errors 2002, 2003, 2006, 2013,
 * too many connections, shutting down). The message reads
 * "connect 127.0.0.1:3306 as 'sync': Access denied for user ... (error 1045, SQLSTATE 28000)"
 * and never contains the password. Any thread; the connection is then used by one thread at a
 * time. */
int op_mysql_conn_open(const op_mysql_conn_params *p, op_mysql_conn **out, rt_err *err);

/* Backoff for op_mysql_conn_open_retry. Caller-allocated; zero values take the defaults. */
typedef struct op_mysql_retry {
    unsigned max_attempts;      /* attempts in all, the first included; 0: 5 */
    int64_t initial_backoff_ms; /* the wait after the first failure; 0: 500 ms */
    int64_t max_backoff_ms;     /* each wait doubles up to this; 0: 30 s */
    /* Polled before each attempt and every 50 ms while waiting; returning true stops with
     * RT_ECANCELED. NULL: never canceled. */
    bool (*canceled)(void *arg);
    void *arg;
} op_mysql_retry;

/* op_mysql_conn_open, tried again after a transient failure (RT_EUNAVAIL, RT_ETIMEDOUT, RT_EIO)
 * with exponential backoff (each failure logged as a warning). Any other failure returns at
 * once. After the last attempt the error reads "gave up after 5 attempts: connect ...". r may be
 * NULL (defaults). */
int op_mysql_conn_open_retry(const op_mysql_conn_params *p, const op_mysql_retry *r,
                             op_mysql_conn **out, rt_err *err);

/* Closes the connection and frees it. NULL is a no-op. */
void op_mysql_conn_close(op_mysql_conn *c);

/* "127.0.0.1:3306", for messages. Borrowed; valid until close. */
const char *op_mysql_conn_name(const op_mysql_conn *c);
/* The user the connection authenticated as (the configured name). Borrowed. */
const char *op_mysql_conn_user(const op_mysql_conn *c);
op_mysql_flavor op_mysql_conn_flavor(const op_mysql_conn *c);
/* major * 10000 + minor * 100 + patch: 101106 for MariaDB 10.11.6, 80036 for MySQL 8.0.36. */
uint32_t op_mysql_conn_server_version(const op_mysql_conn *c);
/* The server's version string ("10.11.6-MariaDB-log"). Borrowed. */
const char *op_mysql_conn_server_version_text(const op_mysql_conn *c);
/* The configured server_time_zone ("UTC" by default). Borrowed. */
const char *op_mysql_conn_server_time_zone(const op_mysql_conn *c);
/* The loaded server_time_zone. Borrowed; valid until close. */
const op_mysql_time_zone *op_mysql_conn_time_zone(const op_mysql_conn *c);
/* The zone p->server_time_zone names, for code that renders TIMESTAMP values apart from any
 * one connection: read from the tz database (op_mysql_time_zone_open), or for "SYSTEM" the
 * zone c's server runs in (c NULL: asked over a short connection of p). Errors of
 * op_mysql_time_zone_open and op_mysql_conn_open. *out: free with op_mysql_time_zone_free. */
int op_mysql_conn_params_time_zone(const op_mysql_conn_params *p, op_mysql_conn *c,
                                   op_mysql_time_zone **out, rt_err *err);
/* The server's id of this session (what KILL takes, CONNECTION_ID()). */
unsigned long op_mysql_conn_thread_id(const op_mysql_conn *c);
/* True when the connection runs over TLS. */
bool op_mysql_conn_is_tls(const op_mysql_conn *c);
/* The error number (1142, 2013) and SQLSTATE ("42000") of the last call on c that failed at the
 * server or in the client library; 0 and "00000" after a call that succeeded. For callers that
 * treat one error as an answer (ER_TABLEACCESS_DENIED_ERROR: no SELECT privilege). */
unsigned op_mysql_conn_errno(const op_mysql_conn *c);
const char *op_mysql_conn_sqlstate(const op_mysql_conn *c);

/* Called for each row of a result. values[i] is NULL for SQL NULL, else lengths[i] bytes (binary
 * safe; a NUL follows them). Both arrays are borrowed until the callback returns. Return 0 to go
 * on, a positive value to stop reading (the query then returns 0), or a negative code with err
 * set, which the query returns. */
typedef int (*op_mysql_row_fn)(void *arg, size_t column_count, const char *const *values,
                               const unsigned long *lengths, rt_err *err);

/* Runs one statement and streams its rows to fn (rows are not buffered: a result of any size
 * takes constant memory). While the callback runs, the connection belongs to the result: do not
 * query it from inside the callback. The server gives up sending a result the client stops
 * reading for net_write_timeout (60 s by default). Stopping early still reads and discards the
 * rest of the result: bound big reads with LIMIT. fn may be NULL (rows discarded).
 * Errors: "query "SELECT ...": Table 'shop.x' doesn't exist (error 1146, SQLSTATE 42S02)",
 * with RT_EUNAVAIL when the connection was lost (the connection is then useless: close it). */
int op_mysql_conn_query(op_mysql_conn *c, const char *sql, op_mysql_row_fn fn, void *arg,
                        rt_err *err);
/* Runs a statement that returns no rows (any rows are discarded). *affected (may be NULL) gets
 * the rows changed. Errors as op_mysql_conn_query. */
int op_mysql_conn_exec(op_mysql_conn *c, const char *sql, uint64_t *affected, rt_err *err);
/* The first column of the first row: *out is a new string (free()), NULL for SQL NULL. RT_ENOTFOUND
 * when there is no row. Errors as op_mysql_conn_query. */
int op_mysql_conn_query_value(op_mysql_conn *c, const char *sql, char **out, rt_err *err);
/* Checks that the connection is alive: 0 or RT_EUNAVAIL. */
int op_mysql_conn_ping(op_mysql_conn *c, rt_err *err);

/* Appends s (len bytes, may hold NULs) escaped for a string literal of this connection's
 * character set and sql_mode (NO_BACKSLASH_ESCAPES included), without quotes. */
void op_mysql_conn_escape(op_mysql_conn *c, const char *s, size_t len, rt_buf *out);
/* Appends s as a quoted string literal: 'it''s' or 'it\'s'. */
void op_mysql_conn_quote(op_mysql_conn *c, const char *s, rt_buf *out);
/* Appends name as a quoted identifier: `my``table`. Needs no connection: backticks quote the
 * same under every sql_mode (ANSI_QUOTES only adds double quotes). */
void op_mysql_conn_quote_ident(const char *name, rt_buf *out);

#endif
