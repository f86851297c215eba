/* Private to the binlog client module: the replication session (binlog_client_conn.c, the half
 * that speaks the protocol through MariaDB Connector/C), used by the stream (binlog_client.c). */
#ifndef SLUICE_OPERATORS_MYSQL_BINLOG_CLIENT_INT_H
#define SLUICE_OPERATORS_MYSQL_BINLOG_CLIENT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/mysql/binlog_client.h"

/* A logged-in connection on which a binlog dump was requested. */
typedef struct op_binlog_session op_binlog_session;

/* Logs in and requests the stream at `from` (notes/binlog.md 5): checksum, heartbeat and MariaDB
 * capability variables, the GTID connect state for MariaDB GTID starts, COM_REGISTER_SLAVE, then
 * COM_BINLOG_DUMP or COM_BINLOG_DUMP_GTID. `track` (a copy of from) receives the GTID state a
 * MariaDB file/offset start is at (BINLOG_GTID_POS), when it has none. Returns a new session in
 * *out; nothing is left open on failure. */
int op_binlog_session_open(const op_binlog_client_params *p, const op_binlog_pos *from,
                           op_binlog_pos *track, op_binlog_session **out, rt_err *err);
/* Reads the next event packet: *event points into the session's buffer, valid until the next
 * read. `where` names the start position in messages. Errors as op_binlog_client_next documents.
 * Blocking; one thread at a time. */
int op_binlog_session_read(op_binlog_session *s, const char *where, const uint8_t **event,
                           size_t *len, rt_err *err);
bool op_binlog_session_is_mariadb(const op_binlog_session *s);
/* OP_BINLOG_CHECKSUM_*: whether the events the server sends end in a CRC32 (negotiated). */
uint8_t op_binlog_session_checksum_alg(const op_binlog_session *s);
uint64_t op_binlog_session_connection_id(const op_binlog_session *s);
/* The connection's socket, for shutdown(2) to wake a read blocked in another thread. Borrowed:
 * the session closes it (and may do so when a read fails). */
int op_binlog_session_socket(const op_binlog_session *s);
/* Closes the connection and frees the session. NULL is a no-op. */
void op_binlog_session_close(op_binlog_session *s);

#endif
