/* The binlog decoder: turns whole events, one after the other, into decoded events. It holds
 * the state the bytes of one event do not carry: the format of the last FORMAT_DESCRIPTION_EVENT
 * (checksum algorithm, post-header lengths), the TABLE_MAP of every table id in use, the last
 * PREVIOUS_GTIDS set, and the inflated events of a TRANSACTION_PAYLOAD. Everything else is the
 * pure per-event decoders (binlog_event.h, gtid_event.h, table_map.h, row_decode.h). Checksums
 * are verified on every event that has one. Unknown event types flagged ignorable are skipped;
 * any other unknown type is an error naming its code. One decoder per binlog stream; not
 * thread-safe. */
#ifndef SLUICE_OPERATORS_MYSQL_BINLOG_DECODE_H
#define SLUICE_OPERATORS_MYSQL_BINLOG_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/mysql/binlog_event.h"
#include "operators/mysql/gtid_event.h"
#include "operators/mysql/row_decode.h"
#include "operators/mysql/table_map.h"
#include "operators/mysql/transaction_payload.h"
#include "runtime/base/errors.h"

/* A decoded event. Pointers are borrowed from the event bytes or from the decoder: valid until
 * the next op_binlog_decoder_decode (inner events of a payload: until the next call of either
 * function). Which union member is set follows header.type; none when `skipped`. */
typedef struct op_binlog_event {
    op_binlog_header header;
    const uint8_t *body; /* after the common header, without the checksum */
    size_t body_len;
    bool skipped;    /* a type a row reader does not need (statement-based helpers, STOP,
                        group-replication events, unknown but ignorable): body not decoded */
    bool in_payload; /* an event from inside a TRANSACTION_PAYLOAD_EVENT */
    union {
        const op_binlog_format *format; /* FORMAT_DESCRIPTION_EVENT (the decoder's copy) */
        op_binlog_rotate rotate;
        op_binlog_query query; /* QUERY_EVENT, QUERY_COMPRESSED_EVENT */
        uint64_t xid;
        op_mysql_gtid_event gtid; /* GTID_LOG_EVENT, ANONYMOUS_GTID, GTID_TAGGED */
        const op_mysql_gtid_set *previous_gtids;
        op_mariadb_gtid_event mariadb_gtid;
        op_mariadb_gtid_list_event gtid_list;
        op_binlog_heartbeat heartbeat; /* both versions */
        op_binlog_incident incident;
        struct {
            const char *text;
            size_t len;
        } rows_query; /* ROWS_QUERY_LOG_EVENT, ANNOTATE_ROWS_EVENT */
        struct {
            const char *name;
            size_t len;
        } checkpoint;            /* BINLOG_CHECKPOINT_EVENT */
        op_table_map *table_map; /* TABLE_MAP_EVENT: the decoder's cached map */
        struct {
            op_rows_event ev; /* iterate with op_rows_event_next(&ev, table_map, ...) */
            op_table_map *table_map;
        } rows;
        op_binlog_payload payload; /* then call op_binlog_decoder_next_inner */
    };
} op_binlog_event;

typedef struct op_binlog_decoder op_binlog_decoder;

/* A new decoder assuming a MySQL v4 format without checksums until it sees a
 * FORMAT_DESCRIPTION_EVENT (see op_binlog_decoder_set_format). NULL on OOM. Free with
 * op_binlog_decoder_free (NULL is a no-op). */
op_binlog_decoder *op_binlog_decoder_new(void);
void op_binlog_decoder_free(op_binlog_decoder *d);

/* Sets the format used until the next FORMAT_DESCRIPTION_EVENT: a dump stream's artificial
 * ROTATE arrives before any, with a checksum when the client announced checksums. */
void op_binlog_decoder_set_format(op_binlog_decoder *d, const op_binlog_format *f);
const op_binlog_format *op_binlog_decoder_format(const op_binlog_decoder *d);

/* Decodes one complete event (len must equal its event_size). The bytes are borrowed until the
 * next call. RT_ECORRUPT for bad bytes (including a checksum mismatch), RT_EUNSUPPORTED for an
 * event this decoder cannot read; the message names the event type. */
int op_binlog_decoder_decode(op_binlog_decoder *d, const uint8_t *event, size_t len,
                             op_binlog_event *out, rt_err *err);

/* After a TRANSACTION_PAYLOAD_EVENT: the next inner event (no checksum, log_pos 0). *has = false
 * when the payload is exhausted. */
int op_binlog_decoder_next_inner(op_binlog_decoder *d, op_binlog_event *out, bool *has,
                                 rt_err *err);

/* The cached map of a table id, NULL when none (for schema overlays: table_map.h). */
op_table_map *op_binlog_decoder_table_map(op_binlog_decoder *d, uint64_t table_id);

#endif
