/* The GTID events of both servers, as pure functions over event bodies (body = after the
 * common header, without the checksum): MySQL GTID_LOG_EVENT / ANONYMOUS_GTID_LOG_EVENT (33/34),
 * GTID_TAGGED_LOG_EVENT (42), PREVIOUS_GTIDS_LOG_EVENT (35); MariaDB GTID_EVENT (162) and
 * GTID_LIST_EVENT (163) (notes/binlog.md 2.5 and 2.6; MySQL control_events.h Gtid_event, MariaDB
 * "GTID_EVENT" and "GTID_LIST_EVENT" protocol pages). */
#ifndef SLUICE_OPERATORS_MYSQL_GTID_EVENT_H
#define SLUICE_OPERATORS_MYSQL_GTID_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/mysql/gtid.h"
#include "runtime/base/buf.h"
#include "runtime/base/errors.h"

/* A MySQL transaction's GTID and commit metadata. Fields a server version does not write are 0
 * (5.6 stops after gno; 5.7 after the logical timestamps), except that an original commit
 * timestamp / server version equal to the immediate one is written once and copied here. */
typedef struct op_mysql_gtid_event {
    bool anonymous; /* ANONYMOUS_GTID_LOG_EVENT (gtid_mode=OFF): no uuid:gno */
    uint8_t flags;  /* bit 0: the transaction may contain statement-based events */
    uint8_t uuid[16];
    char tag[OP_GTID_TAG_MAX + 1]; /* "" when untagged */
    int64_t gno;
    uint8_t lt_type; /* logical timestamp type code: 2 when present */
    int64_t last_committed;
    int64_t sequence_number;
    uint64_t immediate_commit_ts; /* microseconds since the epoch */
    uint64_t original_commit_ts;
    uint64_t transaction_length;
    uint32_t immediate_server_version; /* e.g. 80019 */
    uint32_t original_server_version;
} op_mysql_gtid_event;

/* GTID_LOG_EVENT, ANONYMOUS_GTID_LOG_EVENT (fixed layout) or GTID_TAGGED_LOG_EVENT (MySQL
 * 8.4's serialization: fields by id, each a variable-length integer). */
int op_mysql_gtid_event_parse(const uint8_t *body, size_t len, unsigned type,
                              op_mysql_gtid_event *out, rt_err *err);
/* Appends "uuid:gno" or "uuid:tag:gno"; nothing for an anonymous GTID. */
void op_mysql_gtid_event_format(const op_mysql_gtid_event *g, rt_buf *out);

/* PREVIOUS_GTIDS_LOG_EVENT: the set of GTIDs before this file (untagged or tagged encoding,
 * op_mysql_gtid_set_decode). Returns a new set in *out. */
int op_mysql_previous_gtids_parse(const uint8_t *body, size_t len, op_mysql_gtid_set **out,
                                  rt_err *err);

/* MariaDB GTID_EVENT flags2 (notes 2.6). */
#define OP_MARIADB_GTID_FL_STANDALONE 0x01
#define OP_MARIADB_GTID_FL_GROUP_COMMIT_ID 0x02
#define OP_MARIADB_GTID_FL_TRANSACTIONAL 0x04
#define OP_MARIADB_GTID_FL_DDL 0x20
#define OP_MARIADB_GTID_FL_PREPARED_XA 0x40
#define OP_MARIADB_GTID_FL_COMPLETED_XA 0x80

/* A MariaDB GTID_EVENT: it opens a transaction (it replaces MySQL's "BEGIN"), or stands alone
 * before a DDL statement (FL_STANDALONE). */
typedef struct op_mariadb_gtid_event {
    op_mariadb_gtid gtid; /* server_id is the event header's */
    uint8_t flags2;
    uint64_t commit_id; /* group commit id when FL_GROUP_COMMIT_ID, else 0 */
    bool has_xid;       /* XA: the XID follows */
    uint32_t xid_format_id;
    uint8_t xid_gtrid_len, xid_bqual_len;
    const uint8_t *xid_data; /* borrowed, gtrid_len + bqual_len bytes */
} op_mariadb_gtid_event;

int op_mariadb_gtid_event_parse(const uint8_t *body, size_t len, uint32_t server_id,
                                op_mariadb_gtid_event *out, rt_err *err);

/* A MariaDB GTID_LIST_EVENT: the binlog state at the start of a file, one GTID per
 * (domain, server). Entries stay in the event bytes (borrowed). */
typedef struct op_mariadb_gtid_list_event {
    uint32_t count;
    uint8_t flags; /* the high 4 bits of the count word */
    const uint8_t *entries;
} op_mariadb_gtid_list_event;

int op_mariadb_gtid_list_event_parse(const uint8_t *body, size_t len,
                                     op_mariadb_gtid_list_event *out, rt_err *err);
/* The i-th GTID of the event (i < count). */
op_mariadb_gtid op_mariadb_gtid_list_event_get(const op_mariadb_gtid_list_event *ev, size_t i);

#endif
