/* Binlog event framing and the control events, as pure functions over event bytes: the v4 common
 * header, CRC32 checksums, FORMAT_DESCRIPTION, ROTATE, QUERY (and MariaDB's compressed QUERY),
 * XID, HEARTBEAT v1/v2, INCIDENT, the statement-text events, and MariaDB's zlib event compression
 * (notes/binlog.md sections 1, 2 and 4.5; MariaDB "Replication protocol" pages; MySQL
 * libbinlogevents control_events.h / statement_events.h).
 *
 * "event" below means the whole event (19-byte header, body, CRC32 when the format has one);
 * "body" means what follows the common header, without the checksum. Decoded structs point into
 * the bytes they were parsed from (borrowed): they are valid while those bytes are. No state:
 * any thread may call them. */
#ifndef SLUICE_OPERATORS_MYSQL_BINLOG_EVENT_H
#define SLUICE_OPERATORS_MYSQL_BINLOG_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/base/buf.h"
#include "runtime/base/errors.h"

/* Event type codes: MySQL (1..42) and MariaDB (160..171). */
typedef enum op_binlog_type {
    OP_BINLOG_UNKNOWN_EVENT = 0,
    OP_BINLOG_START_EVENT_V3 = 1,
    OP_BINLOG_QUERY_EVENT = 2,
    OP_BINLOG_STOP_EVENT = 3,
    OP_BINLOG_ROTATE_EVENT = 4,
    OP_BINLOG_INTVAR_EVENT = 5,
    OP_BINLOG_LOAD_EVENT = 6,
    OP_BINLOG_SLAVE_EVENT = 7,
    OP_BINLOG_CREATE_FILE_EVENT = 8,
    OP_BINLOG_APPEND_BLOCK_EVENT = 9,
    OP_BINLOG_EXEC_LOAD_EVENT = 10,
    OP_BINLOG_DELETE_FILE_EVENT = 11,
    OP_BINLOG_NEW_LOAD_EVENT = 12,
    OP_BINLOG_RAND_EVENT = 13,
    OP_BINLOG_USER_VAR_EVENT = 14,
    OP_BINLOG_FORMAT_DESCRIPTION_EVENT = 15,
    OP_BINLOG_XID_EVENT = 16,
    OP_BINLOG_BEGIN_LOAD_QUERY_EVENT = 17,
    OP_BINLOG_EXECUTE_LOAD_QUERY_EVENT = 18,
    OP_BINLOG_TABLE_MAP_EVENT = 19,
    OP_BINLOG_PRE_GA_WRITE_ROWS_EVENT = 20,
    OP_BINLOG_PRE_GA_UPDATE_ROWS_EVENT = 21,
    OP_BINLOG_PRE_GA_DELETE_ROWS_EVENT = 22,
    OP_BINLOG_WRITE_ROWS_EVENT_V1 = 23,
    OP_BINLOG_UPDATE_ROWS_EVENT_V1 = 24,
    OP_BINLOG_DELETE_ROWS_EVENT_V1 = 25,
    OP_BINLOG_INCIDENT_EVENT = 26,
    OP_BINLOG_HEARTBEAT_LOG_EVENT = 27,
    OP_BINLOG_IGNORABLE_LOG_EVENT = 28,
    OP_BINLOG_ROWS_QUERY_LOG_EVENT = 29,
    OP_BINLOG_WRITE_ROWS_EVENT = 30,
    OP_BINLOG_UPDATE_ROWS_EVENT = 31,
    OP_BINLOG_DELETE_ROWS_EVENT = 32,
    OP_BINLOG_GTID_LOG_EVENT = 33,
    OP_BINLOG_ANONYMOUS_GTID_LOG_EVENT = 34,
    OP_BINLOG_PREVIOUS_GTIDS_LOG_EVENT = 35,
    OP_BINLOG_TRANSACTION_CONTEXT_EVENT = 36,
    OP_BINLOG_VIEW_CHANGE_EVENT = 37,
    OP_BINLOG_XA_PREPARE_LOG_EVENT = 38,
    OP_BINLOG_PARTIAL_UPDATE_ROWS_EVENT = 39,
    OP_BINLOG_TRANSACTION_PAYLOAD_EVENT = 40,
    OP_BINLOG_HEARTBEAT_LOG_EVENT_V2 = 41,
    OP_BINLOG_GTID_TAGGED_LOG_EVENT = 42,
    OP_BINLOG_ANNOTATE_ROWS_EVENT = 160,
    OP_BINLOG_BINLOG_CHECKPOINT_EVENT = 161,
    OP_BINLOG_MARIADB_GTID_EVENT = 162,
    OP_BINLOG_GTID_LIST_EVENT = 163,
    OP_BINLOG_START_ENCRYPTION_EVENT = 164,
    OP_BINLOG_QUERY_COMPRESSED_EVENT = 165,
    OP_BINLOG_WRITE_ROWS_COMPRESSED_EVENT_V1 = 166,
    OP_BINLOG_UPDATE_ROWS_COMPRESSED_EVENT_V1 = 167,
    OP_BINLOG_DELETE_ROWS_COMPRESSED_EVENT_V1 = 168,
    OP_BINLOG_WRITE_ROWS_COMPRESSED_EVENT = 169,
    OP_BINLOG_UPDATE_ROWS_COMPRESSED_EVENT = 170,
    OP_BINLOG_DELETE_ROWS_COMPRESSED_EVENT = 171,
} op_binlog_type;

/* The server's name of the type: "QUERY_EVENT", "WRITE_ROWS_EVENT_V1", "WRITE_ROWS_EVENT" (v2),
 * "GTID_EVENT" (MariaDB's 162), ...; NULL for a code no server defines. */
const char *op_binlog_type_name(unsigned type);
/* True for the codes of row events this decoder reads: v1 (23..25), v2 (30..32),
 * PARTIAL_UPDATE_ROWS (39) and MariaDB's compressed ones (166..171). */
bool op_binlog_type_is_rows(unsigned type);

/* Common-header flags (notes 1.1). */
#define OP_BINLOG_F_BINLOG_IN_USE 0x0001
#define OP_BINLOG_F_ARTIFICIAL 0x0020
#define OP_BINLOG_F_IGNORABLE 0x0080

#define OP_BINLOG_HEADER_SIZE 19
#define OP_BINLOG_CHECKSUM_SIZE 4
/* Checksum algorithms named by the FORMAT_DESCRIPTION_EVENT. */
#define OP_BINLOG_CHECKSUM_OFF 0
#define OP_BINLOG_CHECKSUM_CRC32 1
#define OP_BINLOG_CHECKSUM_UNDEF 255 /* server older than checksums: no algorithm byte */

/* The v4 common header (notes 1.1). */
typedef struct op_binlog_header {
    uint32_t timestamp;
    uint8_t type;
    uint32_t server_id;
    uint32_t event_size; /* header + body + checksum */
    uint32_t log_pos;    /* offset of the next event; 0 for artificial and payload events */
    uint16_t flags;
} op_binlog_header;

/* Parses the first 19 bytes of p. RT_ECORRUPT when len < 19 or event_size < 19. Pure. */
int op_binlog_header_parse(const uint8_t *p, size_t len, op_binlog_header *out, rt_err *err);

/* True when the last 4 bytes of event are the CRC32 of the bytes before them. A
 * FORMAT_DESCRIPTION_EVENT also passes when its CRC was computed with LOG_EVENT_BINLOG_IN_USE_F
 * cleared, as a server writes it into a file it has not closed yet (notes 1.2). */
bool op_binlog_checksum_ok(const uint8_t *event, size_t len);

/* What a FORMAT_DESCRIPTION_EVENT says about the events after it (notes 2.1). A small
 * caller-allocated value. */
typedef struct op_binlog_format {
    uint16_t binlog_version;
    char server_version[51]; /* NUL-terminated */
    uint32_t create_timestamp;
    uint8_t header_len;   /* 19 in v4 */
    uint8_t checksum_alg; /* OP_BINLOG_CHECKSUM_* */
    bool is_mariadb;
    uint16_t post_header_count;   /* entries the event listed */
    uint8_t post_header_len[255]; /* [type - 1] */
} op_binlog_format;

/* The format a v4 server uses before any FORMAT_DESCRIPTION_EVENT was seen (the artificial
 * ROTATE of a dump, or bodies without their file): MySQL 8.0 / MariaDB 10.x post-header lengths,
 * with the given checksum algorithm. */
void op_binlog_format_init_default(op_binlog_format *f, bool mariadb, uint8_t checksum_alg);
/* Parses a whole FORMAT_DESCRIPTION_EVENT (header included). Whether the event ends in an
 * algorithm byte and a CRC follows from its server version (MySQL 5.6.1+, MariaDB 5.3+); the
 * CRC itself is not checked here (op_binlog_checksum_ok). Pure. */
int op_binlog_format_parse(const uint8_t *event, size_t len, op_binlog_format *out, rt_err *err);
/* Post-header length of events of `type` under f; 0 for types f does not list. */
unsigned op_binlog_format_post_header_len(const op_binlog_format *f, unsigned type);

/* ROTATE_EVENT (notes 2.2). */
typedef struct op_binlog_rotate {
    uint64_t position; /* where the next file starts (normally 4) */
    const char *name;  /* next file name, not NUL-terminated */
    size_t name_len;
} op_binlog_rotate;
int op_binlog_rotate_parse(const uint8_t *body, size_t len, const op_binlog_format *f,
                           op_binlog_rotate *out, rt_err *err);

/* QUERY_EVENT (notes 2.3). */
typedef struct op_binlog_query {
    uint32_t thread_id;
    uint32_t exec_time;
    uint16_t error_code;
    const uint8_t *status_vars;
    size_t status_vars_len;
    const char *db; /* default database, not NUL-terminated (db_len 0: none) */
    size_t db_len;
    const char *sql; /* statement text */
    size_t sql_len;
} op_binlog_query;
/* QUERY_EVENT. For QUERY_COMPRESSED_EVENT (MariaDB 165) pass a scratch buffer: the statement is
 * inflated into it (reset first) and out->sql points there, valid until the buffer changes;
 * inflated may be NULL for plain QUERY events. */
int op_binlog_query_parse(const uint8_t *body, size_t len, unsigned type, const op_binlog_format *f,
                          rt_buf *inflated, op_binlog_query *out, rt_err *err);

/* XID_EVENT: the body is exactly the 8-byte transaction id (notes 2.4). */
int op_binlog_xid_parse(const uint8_t *body, size_t len, uint64_t *xid, rt_err *err);

/* HEARTBEAT_LOG_EVENT (27: body = file name; position from the header) and
 * HEARTBEAT_LOG_EVENT_V2 (41: TLV fields 1 = file name, 2 = position) (notes 2.7). */
typedef struct op_binlog_heartbeat {
    const char *log_name;
    size_t log_name_len;
    uint64_t log_pos;
} op_binlog_heartbeat;
int op_binlog_heartbeat_parse(const uint8_t *body, size_t len, unsigned type,
                              uint32_t header_log_pos, op_binlog_heartbeat *out, rt_err *err);

/* INCIDENT_EVENT: the source lost events (e.g. LOST_EVENTS = 1); a reader cannot be exact past it.
 */
typedef struct op_binlog_incident {
    uint16_t code;
    const char *message;
    size_t message_len;
} op_binlog_incident;
int op_binlog_incident_parse(const uint8_t *body, size_t len, op_binlog_incident *out, rt_err *err);

/* The SQL text of ANNOTATE_ROWS_EVENT (MariaDB 160) and ROWS_QUERY_LOG_EVENT (MySQL 29). */
int op_binlog_rows_query_parse(const uint8_t *body, size_t len, unsigned type, const char **text,
                               size_t *text_len, rt_err *err);

/* MariaDB BINLOG_CHECKPOINT_EVENT (161): the oldest file still needed for crash recovery. */
int op_binlog_checkpoint_parse(const uint8_t *body, size_t len, const char **name, size_t *name_len,
                               rt_err *err);

/* Inflates MariaDB's compressed event data (QUERY_COMPRESSED, *_ROWS_COMPRESSED: a header byte
 * 0x80|n, n bytes big-endian uncompressed length, then a zlib stream; notes 4.5) into out
 * (reset first). The declared length must match what the stream inflates to. */
int op_binlog_mariadb_uncompress(const uint8_t *p, size_t len, rt_buf *out, rt_err *err);

/* The largest event or inflated payload the decoder accepts: MySQL's max_allowed_packet limit.
 * A length beyond it is corrupt, whatever the bytes left say. */
#define OP_BINLOG_MAX_EVENT_SIZE (UINT32_C(1) << 30)

#endif
