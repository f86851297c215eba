/* The replication connection of the mysql_cdc source: logs in to a MySQL or MariaDB server as a
 * replica, sets the session up (notes/binlog.md 5), asks for the binlog stream by file/position
 * (COM_BINLOG_DUMP), MariaDB GTID (@slave_connect_state) or MySQL GTID set (COM_BINLOG_DUMP_GTID)
 * and hands out the raw bytes of each event, tracking the position as they pass. Decoding is the
 * caller's (binlog_decode.h). Also the small server queries a source needs before it streams: the
 * current position, the list of binlog files and the file to start from for a timestamp.
 *
 * A client is used by one thread at a time (the operator's task thread); internally one reader
 * thread per client receives packets, so that next() can wait with a timeout. */
#ifndef SLUICE_OPERATORS_MYSQL_BINLOG_CLIENT_H
#define SLUICE_OPERATORS_MYSQL_BINLOG_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/mysql/binlog_event.h"
#include "operators/mysql/binlog_position.h"
#include "operators/mysql/connection.h"
#include "runtime/base/errors.h"

/* What a replication connection needs beyond the login. */
typedef struct op_binlog_client_params {
    op_mysql_conn_params conn; /* borrowed for open (the client copies what it keeps); its read
                                  and write timeouts are set from heartbeat_ms */
    uint32_t server_id;      /* required, non-zero and unique among the server's replicas: a second
                                dump with the same id makes the server end the first */
    uint32_t heartbeat_ms;   /* idle heartbeat period (@master_heartbeat_period); 0: 30000 */
    bool gtid_strict_mode;   /* MariaDB GTID starts: @slave_gtid_strict_mode */
    bool annotate_rows;      /* MariaDB: also send ANNOTATE_ROWS events (the statement text) */
    uint32_t backoff_ms;     /* first reconnect delay; 0: 200 */
    uint32_t backoff_max_ms; /* reconnect delay cap; 0: 10000 */
    size_t buffer_size;      /* bytes of events received ahead of next(); 0: 4 MiB */
} op_binlog_client_params;

typedef struct op_binlog_client op_binlog_client;

/* Connects and starts the stream at `start`: from its file/offset when it has a file, else from
 * its GTID state (MariaDB: @slave_connect_state; MySQL: COM_BINLOG_DUMP_GTID, the server sends
 * every transaction not in the set). The GTID state of `start`, if any, is carried along and
 * updated as transactions pass; a file/offset start without one learns it from the server
 * (MariaDB: BINLOG_GTID_POS(); MySQL: the file's PREVIOUS_GTIDS when starting at offset 4, else
 * the position stays without GTIDs). Waits for the server's first answer, so a position the server
 * does not have fails here: RT_ENOTFOUND with a message naming the position and what to do.
 * RT_EUNAVAIL when the server cannot be reached (transient), RT_EINVAL for bad parameters,
 * credentials or privileges. Returns a new client in *out; close with op_binlog_client_close. */
int op_binlog_client_open(const op_binlog_client_params *p, const op_binlog_pos *start,
                          op_binlog_client **out, rt_err *err);
/* Stops the stream and frees everything. NULL is a no-op. */
void op_binlog_client_close(op_binlog_client *c);

/* The next complete event (19-byte header, body and checksum, as the server sent it: packet
 * prefix removed, events over 16 MiB joined), borrowed until the next call of next, reconnect or
 * close. Waits up to timeout_ms (0: does not wait; negative: forever). Heartbeats are events too
 * (HEARTBEAT_LOG_EVENT), so an idle healthy stream yields one every heartbeat period.
 * Returns 0; RT_ETIMEDOUT when nothing came in time; RT_EUNAVAIL when the connection dropped or
 * is down (transient: reconnect); RT_ENOTFOUND when the server no longer has the position;
 * RT_EINVAL for other refusals by the server (its message quoted); RT_ECORRUPT for a malformed
 * packet or event header. After an error other than RT_ETIMEDOUT the stream is over: reconnect. */
int op_binlog_client_next(op_binlog_client *c, const uint8_t **event, size_t *len, int timeout_ms,
                          rt_err *err);

/* The position after the last event next() returned: the file from ROTATE events and the offset
 * from each event's log_pos, and the GTID state including the transaction in progress (its GTID
 * event has passed). Meaningful for resuming only at a transaction boundary (after XID, COMMIT or
 * a DDL statement): the caller saves it there. For a GTID start the file part stays empty until
 * the server has skipped to the first transaction it sends. Borrowed; valid until the next call
 * of next, reconnect or close. */
const op_binlog_pos *op_binlog_client_position(const op_binlog_client *c);
/* The format of the events next() returns now: before the stream's first FORMAT_DESCRIPTION_EVENT
 * the server flavour's defaults with the negotiated checksum (what a decoder needs for the
 * artificial ROTATE that opens every stream: op_binlog_decoder_set_format), after it that event's.
 * Borrowed; valid until the next call of next, reconnect or close. */
const op_binlog_format *op_binlog_client_format(const op_binlog_client *c);
/* True when the server is MariaDB. */
bool op_binlog_client_is_mariadb(const op_binlog_client *c);
/* The server's id of the replication connection (SHOW PROCESSLIST, KILL); 0 while down. */
uint64_t op_binlog_client_connection_id(const op_binlog_client *c);

/* Ends the current stream (if any) and starts a new one at `from` (as op_binlog_client_open;
 * normally the position saved at the last transaction boundary). Sleeps first: backoff_ms, doubled
 * after each failed attempt up to backoff_max_ms, back to backoff_ms after a success. One attempt
 * per call; the errors are open's. On failure the client stays down (next returns RT_EUNAVAIL)
 * until a call succeeds. */
int op_binlog_client_reconnect(op_binlog_client *c, const op_binlog_pos *from, rt_err *err);

/* The server's current binlog position (SHOW MASTER STATUS, or SHOW BINARY LOG STATUS on MySQL
 * 8.4+) with its GTID state: MySQL's Executed_Gtid_Set of the same row; MariaDB's
 * @@gtid_binlog_pos read between two equal SHOW MASTER STATUS, else BINLOG_GTID_POS().
 * Replaces *out (initialised) on success. RT_EINVAL when binary logging is off. */
int op_binlog_server_position(const op_mysql_conn_params *p, op_binlog_pos *out, rt_err *err);
/* op_binlog_server_position over an open query connection `c` (borrowed; busy until it
 * returns, left open whatever happens): no login per call, for callers that take many marks
 * (the snapshot's LOW and HIGH of every split). Same results and errors. */
int op_binlog_server_position_on(op_mysql_conn *c, op_binlog_pos *out, rt_err *err);

/* Starts a consistent-snapshot transaction on c (START TRANSACTION WITH CONSISTENT SNAPSHOT) and
 * gives the binlog position no later than it: every transaction before *low is visible to the
 * reads that follow, every one after it is not (MariaDB: binlog_snapshot_file/position and their
 * GTID; MySQL: the server position taken just before). The snapshot's LOW mark. End it with
 * op_binlog_snapshot_end. Errors of the queries; the transaction is rolled back on failure. */
int op_binlog_snapshot_begin(op_mysql_conn *c, op_binlog_pos *low, rt_err *err);
/* Ends the transaction op_binlog_snapshot_begin started (COMMIT). */
int op_binlog_snapshot_end(op_mysql_conn *c, rt_err *err);

/* A binlog file the server has (SHOW BINARY LOGS). */
typedef struct op_binlog_file {
    char name[OP_BINLOG_FILE_NAME_SIZE];
    uint64_t size;
} op_binlog_file;

/* The server's binlog files, oldest first: a new array in *files (free with free()) of *count
 * entries. The first one's offset 4 is the earliest position. */
int op_binlog_list_files(const op_mysql_conn_params *p, op_binlog_file **files, size_t *count,
                         rt_err *err);

/* The position to stream from for a start at unix_seconds (startup mode `timestamp`): offset 4 of
 * the last file whose first event was written at or before unix_seconds (the first file when none
 * was), found by a binary search that reads the FORMAT_DESCRIPTION_EVENT of a few files over
 * short dump connections with p->server_id (do not use the id of a running client). Events before
 * unix_seconds in that file are the caller's to skip by their timestamp. Replaces *out. */
int op_binlog_find_by_timestamp(const op_binlog_client_params *p, int64_t unix_seconds,
                                op_binlog_pos *out, rt_err *err);

#endif
