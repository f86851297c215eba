/* sr_mysql_wire: the server side of the MySQL client/server protocol (protocol 10 handshake,
 * mysql_native_password, text-protocol commands) on a libevent loop. It knows packets, not SQL:
 * each COM_QUERY goes to a handler that answers through the sr_mysql_session_* calls below. */
#ifndef SLUICE_TESTS_SR_ENDPOINT_SR_MYSQL_WIRE_H
#define SLUICE_TESTS_SR_ENDPOINT_SR_MYSQL_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/base/errors.h"

struct event_base;

typedef struct sr_mysql_server sr_mysql_server;
typedef struct sr_mysql_session sr_mysql_session;

/* Column types of a result set column definition (MySQL's enum_field_types values). */
enum sr_mysql_type {
    SR_MYSQL_TYPE_DECIMAL = 0,
    SR_MYSQL_TYPE_TINY = 1,
    SR_MYSQL_TYPE_SHORT = 2,
    SR_MYSQL_TYPE_LONG = 3,
    SR_MYSQL_TYPE_FLOAT = 4,
    SR_MYSQL_TYPE_DOUBLE = 5,
    SR_MYSQL_TYPE_LONGLONG = 8,
    SR_MYSQL_TYPE_DATE = 10,
    SR_MYSQL_TYPE_DATETIME = 12,
    SR_MYSQL_TYPE_NEWDECIMAL = 246,
    SR_MYSQL_TYPE_BLOB = 252,
    SR_MYSQL_TYPE_VAR_STRING = 253,
    SR_MYSQL_TYPE_STRING = 254,
};

/* "LONGLONG", "VAR_STRING", ...; "?" for a value outside the enum. */
const char *sr_mysql_type_name(int type);

/* Column definition flags. */
#define SR_MYSQL_FLAG_NOT_NULL 0x0001u
#define SR_MYSQL_FLAG_PRI_KEY 0x0002u
#define SR_MYSQL_FLAG_BINARY 0x0080u

/* One result set column (caller-allocated; strings borrowed for the call). schema/table may be
 * NULL (sent empty). length is the display width; binary selects the binary charset (63) instead
 * of utf8 (33), as the server does for numbers. */
typedef struct sr_mysql_column {
    const char *schema;
    const char *table;
    const char *name;
    uint8_t type;
    uint32_t length;
    uint16_t flags;
    uint8_t decimals;
    bool binary;
} sr_mysql_column;

/* What the server calls, on the loop thread. Every callback must answer exactly once before it
 * returns: query with one or more results (sr_mysql_session_ok / _err / a result set, each but
 * the last with more=true; an error ends the chain), init_db and field_list with _ok or _err
 * (field_list may instead call sr_mysql_session_fields). init_db is also called after login
 * when the client named a database; its answer is then the answer to the login. */
typedef struct sr_mysql_handler {
    void (*query)(sr_mysql_session *s, const char *sql, size_t len, void *arg);
    void (*init_db)(sr_mysql_session *s, const char *db, void *arg);
    void (*field_list)(sr_mysql_session *s, const char *table, void *arg);
    /* Called when a session ends (may be NULL): the place to free per-session state. */
    void (*closed)(sr_mysql_session *s, void *arg);
    void *arg;
} sr_mysql_handler;

/* Listens on host:port (port 0: ephemeral) on base. Only `user` with `password` may log in
 * (password "" = none). server_version is announced in the handshake ("8.0.33-sr-endpoint").
 * Returns 0 and *out (free with sr_mysql_server_free), or RT_EIO naming the address. Strings are
 * copied. Call on the loop thread (or before the loop runs). */
int sr_mysql_server_new(struct event_base *base, const char *host, int port, const char *user,
                        const char *password, const char *server_version,
                        const sr_mysql_handler *handler, sr_mysql_server **out, rt_err *err);
/* The bound TCP port. */
int sr_mysql_server_port(const sr_mysql_server *srv);
/* Closes the listener and every session (calling handler.closed for each). NULL is a no-op.
 * Loop thread only, never from inside a handler callback. */
void sr_mysql_server_free(sr_mysql_server *srv);

/* The session's current database ("" when none); borrowed until the next set_db. */
const char *sr_mysql_session_db(const sr_mysql_session *s);
/* Sets the current database (after the handler checked that it exists). */
void sr_mysql_session_set_db(sr_mysql_session *s, const char *db);
/* The logged-in user name. Borrowed. */
const char *sr_mysql_session_user(const sr_mysql_session *s);
/* The connection id announced in the handshake. */
uint32_t sr_mysql_session_id(const sr_mysql_session *s);
/* True when the client allows several statements in one COM_QUERY (CLIENT_MULTI_STATEMENTS). */
bool sr_mysql_session_multi_statements(const sr_mysql_session *s);
/* Per-session handler data (NULL until set). */
void *sr_mysql_session_data(const sr_mysql_session *s);
void sr_mysql_session_set_data(sr_mysql_session *s, void *data);

/* Answers OK (affected rows, optional info text). more: another result follows. */
void sr_mysql_session_ok(sr_mysql_session *s, uint64_t affected_rows, const char *info, bool more);
/* Answers ERR with MySQL error code, 5-character SQLSTATE ("HY000") and message. */
void sr_mysql_session_err(sr_mysql_session *s, uint16_t code, const char *sqlstate,
                          const char *msg);
/* Starts a text result set of ncols columns; follow with _row calls and one _end. */
void sr_mysql_session_columns(sr_mysql_session *s, size_t ncols, const sr_mysql_column *cols);
/* One row: values[i] (NULL = SQL NULL) of lens[i] bytes. */
void sr_mysql_session_row(sr_mysql_session *s, size_t ncols, const char *const *values,
                          const size_t *lens);
/* Ends the result set (EOF, or OK when the client set CLIENT_DEPRECATE_EOF). */
void sr_mysql_session_end(sr_mysql_session *s, bool more);
/* The answer to COM_FIELD_LIST: the column definitions, then EOF. */
void sr_mysql_session_fields(sr_mysql_session *s, size_t ncols, const sr_mysql_column *cols);

#endif
