/* MySQL's TRANSACTION_PAYLOAD_EVENT (40, binlog_transaction_compression=ON): a header of
 * (type, length, value) fields, then one zstd frame holding the transaction's events back to
 * back, without checksums and with log_pos 0 (notes/binlog.md 4.5; MySQL control_events.h
 * Transaction_payload_event). */
#ifndef SLUICE_OPERATORS_MYSQL_TRANSACTION_PAYLOAD_H
#define SLUICE_OPERATORS_MYSQL_TRANSACTION_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/base/buf.h"
#include "runtime/base/errors.h"

#define OP_PAYLOAD_COMPRESSION_ZSTD 0
#define OP_PAYLOAD_COMPRESSION_NONE 255

/* Header fields in the order the event lists them (end mark 0 included). */
#define OP_PAYLOAD_MAX_FIELDS 8

typedef struct op_binlog_payload {
    uint8_t compression; /* OP_PAYLOAD_COMPRESSION_* */
    uint64_t payload_size;
    uint64_t uncompressed_size; /* 0 when the header does not say */
    uint8_t fields[OP_PAYLOAD_MAX_FIELDS];
    uint8_t nfields;
    const uint8_t *payload; /* borrowed from the body */
    size_t payload_len;
} op_binlog_payload;

/* Parses the body of a TRANSACTION_PAYLOAD_EVENT (after the common header, no checksum). */
int op_binlog_payload_parse(const uint8_t *body, size_t len, op_binlog_payload *out, rt_err *err);
/* Inflates the payload into out (reset first). The output grows only as zstd produces it and
 * stops at OP_BINLOG_MAX_EVENT_SIZE; a declared uncompressed size must match. */
int op_binlog_payload_inflate(const op_binlog_payload *pl, rt_buf *out, rt_err *err);

#endif
