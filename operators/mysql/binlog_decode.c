/* The stateful part of binlog decoding: checksum handling by the current format, dispatch by
 * event type, the table-id -> TABLE_MAP cache and TRANSACTION_PAYLOAD's inner events
 * (notes/binlog.md sections 1-4; section 8 is the checklist this file follows). */
#include "operators/mysql/binlog_decode.h"

#include <stdlib.h>
#include <string.h>

#include "operators/mysql/byte_cursor.h"

/* MySQL writes row events with this table id and no TABLE_MAP as a statement's end marker
 * (rows_event.h: a "dummy" event when a statement changed no table with a map). */
#define DUMMY_TABLE_ID UINT64_C(0x00ffffff)

/* Open addressing over table ids; maps are only replaced or all dropped, never deleted one by
 * one, so no tombstones. */
typedef struct map_slot {
    uint64_t id;
    op_table_map *map; /* NULL: empty slot */
} map_slot;

struct op_binlog_decoder {
    op_binlog_format format;
    map_slot *slots;
    size_t nslots, nmaps; /* nslots: a power of two */
    op_mysql_gtid_set *previous_gtids;
    rt_buf inflated; /* MariaDB compressed QUERY / rows */
    rt_buf payload;  /* the inner events of a TRANSACTION_PAYLOAD */
    size_t payload_pos;
    bool in_payload;
};

op_binlog_decoder *op_binlog_decoder_new(void)
{
    op_binlog_decoder *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    op_binlog_format_init_default(&d->format, false, OP_BINLOG_CHECKSUM_OFF);
    rt_buf_init(&d->inflated);
    rt_buf_init(&d->payload);
    return d;
}

static void drop_maps(op_binlog_decoder *d)
{
    for (size_t i = 0; i < d->nslots; i++) {
        op_table_map_free(d->slots[i].map);
        d->slots[i].map = NULL;
    }
    d->nmaps = 0;
}

void op_binlog_decoder_free(op_binlog_decoder *d)
{
    if (!d)
        return;
    drop_maps(d);
    free(d->slots);
    op_mysql_gtid_set_free(d->previous_gtids);
    rt_buf_fini(&d->inflated);
    rt_buf_fini(&d->payload);
    free(d);
}

void op_binlog_decoder_set_format(op_binlog_decoder *d, const op_binlog_format *f)
{
    d->format = *f;
}

const op_binlog_format *op_binlog_decoder_format(const op_binlog_decoder *d)
{
    return &d->format;
}

static size_t slot_of(const op_binlog_decoder *d, uint64_t id)
{
    uint64_t h = id * UINT64_C(0x9e3779b97f4a7c15);
    size_t i = (size_t)(h >> 32) & (d->nslots - 1);
    while (d->slots[i].map && d->slots[i].id != id)
        i = (i + 1) & (d->nslots - 1);
    return i;
}

op_table_map *op_binlog_decoder_table_map(op_binlog_decoder *d, uint64_t table_id)
{
    if (d->nslots == 0)
        return NULL;
    return d->slots[slot_of(d, table_id)].map;
}

static int put_map(op_binlog_decoder *d, op_table_map *tm, rt_err *err)
{
    if (2 * (d->nmaps + 1) > d->nslots) {
        size_t n = d->nslots ? d->nslots * 2 : 16;
        map_slot *old = d->slots;
        size_t old_n = d->nslots;
        d->slots = calloc(n, sizeof *d->slots);
        if (!d->slots) {
            d->slots = old;
            return rt_err_set(err, RT_ENOMEM, "TABLE_MAP cache: out of memory");
        }
        d->nslots = n;
        for (size_t i = 0; i < old_n; i++) {
            if (old[i].map)
                d->slots[slot_of(d, old[i].id)] = old[i];
        }
        free(old);
    }
    uint64_t id = op_table_map_id(tm);
    map_slot *s = &d->slots[slot_of(d, id)];
    if (s->map)
        op_table_map_free(s->map);
    else
        d->nmaps++;
    s->id = id;
    s->map = tm;
    return 0;
}

static int table_map(op_binlog_decoder *d, op_binlog_event *out, rt_err *err)
{
    /* A server re-sends a table's TABLE_MAP before every statement: when the bytes are the same
     * as the cached map's, the parsed map is kept. */
    unsigned ph = op_binlog_format_post_header_len(&d->format, OP_BINLOG_TABLE_MAP_EVENT);
    if (out->body_len >= 6) {
        uint64_t id = op_get_le(out->body, ph == 6 ? 4 : 6);
        op_table_map *tm = op_binlog_decoder_table_map(d, id);
        if (tm && op_table_map_same_body(tm, out->body, out->body_len)) {
            out->table_map = tm;
            return 0;
        }
    }
    op_table_map *tm;
    int rc = op_table_map_parse(out->body, out->body_len, &d->format, &tm, err);
    if (rc)
        return rc;
    if ((rc = put_map(d, tm, err)) != 0) {
        op_table_map_free(tm);
        return rc;
    }
    out->table_map = tm;
    return 0;
}

static int rows(op_binlog_decoder *d, op_binlog_event *out, rt_err *err)
{
    unsigned type = out->header.type;
    int rc = op_rows_event_parse(out->body, out->body_len, type, &d->format, &d->inflated,
                                 &out->rows.ev, err);
    if (rc)
        return rc;
    out->rows.table_map = op_binlog_decoder_table_map(d, out->rows.ev.table_id);
    if (!out->rows.table_map) {
        if (out->rows.ev.table_id == DUMMY_TABLE_ID) {
            out->skipped = true;
            return 0;
        }
        return rt_err_set(err, RT_ECORRUPT, "%s for table id %llu without a TABLE_MAP_EVENT",
                          op_binlog_type_name(type), (unsigned long long)out->rows.ev.table_id);
    }
    return 0;
}

/* Types a row reader has no use for: statement-based replication helpers, LOAD DATA events,
 * the end-of-file STOP, and group replication's certification events. */
static bool is_skippable(unsigned type)
{
    switch (type) {
    case OP_BINLOG_STOP_EVENT:
    case OP_BINLOG_INTVAR_EVENT:
    case OP_BINLOG_LOAD_EVENT:
    case OP_BINLOG_SLAVE_EVENT:
    case OP_BINLOG_CREATE_FILE_EVENT:
    case OP_BINLOG_APPEND_BLOCK_EVENT:
    case OP_BINLOG_EXEC_LOAD_EVENT:
    case OP_BINLOG_DELETE_FILE_EVENT:
    case OP_BINLOG_NEW_LOAD_EVENT:
    case OP_BINLOG_RAND_EVENT:
    case OP_BINLOG_USER_VAR_EVENT:
    case OP_BINLOG_BEGIN_LOAD_QUERY_EVENT:
    case OP_BINLOG_EXECUTE_LOAD_QUERY_EVENT:
    case OP_BINLOG_IGNORABLE_LOG_EVENT:
    case OP_BINLOG_TRANSACTION_CONTEXT_EVENT:
    case OP_BINLOG_VIEW_CHANGE_EVENT:
    case OP_BINLOG_XA_PREPARE_LOG_EVENT:
        return true;
    default:
        return false;
    }
}

/* Decodes the body of out (header and body already set) by its type. */
static int dispatch(op_binlog_decoder *d, op_binlog_event *out, rt_err *err)
{
    unsigned type = out->header.type;
    const uint8_t *b = out->body;
    size_t n = out->body_len;
    int rc;
    if (is_skippable(type)) {
        out->skipped = true;
        return 0;
    }
    if (op_binlog_type_is_rows(type) ||
        (type >= OP_BINLOG_PRE_GA_WRITE_ROWS_EVENT && type <= OP_BINLOG_PRE_GA_DELETE_ROWS_EVENT))
        return rows(d, out, err);
    switch (type) {
    case OP_BINLOG_FORMAT_DESCRIPTION_EVENT:
        out->format = &d->format;
        return 0; /* parsed before the checksum check */
    case OP_BINLOG_ROTATE_EVENT:
        drop_maps(d);
        return op_binlog_rotate_parse(b, n, &d->format, &out->rotate, err);
    case OP_BINLOG_QUERY_EVENT:
    case OP_BINLOG_QUERY_COMPRESSED_EVENT:
        return op_binlog_query_parse(b, n, type, &d->format, &d->inflated, &out->query, err);
    case OP_BINLOG_XID_EVENT:
        return op_binlog_xid_parse(b, n, &out->xid, err);
    case OP_BINLOG_TABLE_MAP_EVENT:
        return table_map(d, out, err);
    case OP_BINLOG_GTID_LOG_EVENT:
    case OP_BINLOG_ANONYMOUS_GTID_LOG_EVENT:
    case OP_BINLOG_GTID_TAGGED_LOG_EVENT:
        return op_mysql_gtid_event_parse(b, n, type, &out->gtid, err);
    case OP_BINLOG_PREVIOUS_GTIDS_LOG_EVENT: {
        op_mysql_gtid_set *s;
        if ((rc = op_mysql_previous_gtids_parse(b, n, &s, err)) != 0)
            return rc;
        op_mysql_gtid_set_free(d->previous_gtids);
        d->previous_gtids = s;
        out->previous_gtids = s;
        return 0;
    }
    case OP_BINLOG_MARIADB_GTID_EVENT:
        return op_mariadb_gtid_event_parse(b, n, out->header.server_id, &out->mariadb_gtid, err);
    case OP_BINLOG_GTID_LIST_EVENT:
        return op_mariadb_gtid_list_event_parse(b, n, &out->gtid_list, err);
    case OP_BINLOG_HEARTBEAT_LOG_EVENT:
    case OP_BINLOG_HEARTBEAT_LOG_EVENT_V2:
        return op_binlog_heartbeat_parse(b, n, type, out->header.log_pos, &out->heartbeat, err);
    case OP_BINLOG_INCIDENT_EVENT:
        return op_binlog_incident_parse(b, n, &out->incident, err);
    case OP_BINLOG_ROWS_QUERY_LOG_EVENT:
    case OP_BINLOG_ANNOTATE_ROWS_EVENT:
        return op_binlog_rows_query_parse(b, n, type, &out->rows_query.text, &out->rows_query.len,
                                          err);
    case OP_BINLOG_BINLOG_CHECKPOINT_EVENT:
        return op_binlog_checkpoint_parse(b, n, &out->checkpoint.name, &out->checkpoint.len, err);
    case OP_BINLOG_TRANSACTION_PAYLOAD_EVENT:
        if (out->in_payload)
            return rt_err_set(err, RT_ECORRUPT, "TRANSACTION_PAYLOAD_EVENT inside a payload");
        if ((rc = op_binlog_payload_parse(b, n, &out->payload, err)) != 0)
            return rc;
        if ((rc = op_binlog_payload_inflate(&out->payload, &d->payload, err)) != 0)
            return rc;
        d->payload_pos = 0;
        d->in_payload = true;
        return 0;
    case OP_BINLOG_START_EVENT_V3:
        return rt_err_set(
            err, RT_EUNSUPPORTED,
            "START_EVENT_V3: binlog format v1/v3 (MySQL before 5.0) is not supported");
    case OP_BINLOG_START_ENCRYPTION_EVENT:
        return rt_err_set(err, RT_EUNSUPPORTED,
                          "START_ENCRYPTION_EVENT: encrypted binlogs cannot be decoded");
    }
    if (out->header.flags & OP_BINLOG_F_IGNORABLE) {
        out->skipped = true;
        return 0;
    }
    return rt_err_set(err, RT_EUNSUPPORTED,
                      "unknown binlog event type %u (not flagged ignorable): cannot skip it safely",
                      type);
}

int op_binlog_decoder_decode(op_binlog_decoder *d, const uint8_t *event, size_t len,
                             op_binlog_event *out, rt_err *err)
{
    op_binlog_event ev;
    memset(&ev, 0, sizeof ev);
    int rc = op_binlog_header_parse(event, len, &ev.header, err);
    if (rc)
        return rc;
    unsigned type = ev.header.type;
    const char *name = op_binlog_type_name(type);
    if (ev.header.event_size != len)
        return rt_err_set(err, RT_ECORRUPT, "%s: event size %u, %zu bytes given",
                          name ? name : "event", ev.header.event_size, len);
    d->in_payload = false;
    bool crc = d->format.checksum_alg == OP_BINLOG_CHECKSUM_CRC32;
    if (type == OP_BINLOG_FORMAT_DESCRIPTION_EVENT) {
        op_binlog_format f;
        if ((rc = op_binlog_format_parse(event, len, &f, err)) != 0)
            return rc;
        /* The FDE carries its own algorithm; the maps of the previous file die with it. */
        crc = f.checksum_alg == OP_BINLOG_CHECKSUM_CRC32;
        if (crc && !op_binlog_checksum_ok(event, len))
            return rt_err_set(err, RT_ECORRUPT, "FORMAT_DESCRIPTION_EVENT: CRC32 mismatch");
        d->format = f;
        drop_maps(d);
    } else if (crc && !op_binlog_checksum_ok(event, len)) {
        if (len < OP_BINLOG_HEADER_SIZE + OP_BINLOG_CHECKSUM_SIZE)
            return rt_err_set(err, RT_ECORRUPT, "%s (%u): %zu bytes, no room for the CRC32",
                              name ? name : "event", type, len);
        return rt_err_set(err, RT_ECORRUPT, "%s (%u): CRC32 mismatch", name ? name : "event", type);
    }
    ev.body = event + OP_BINLOG_HEADER_SIZE;
    ev.body_len = len - OP_BINLOG_HEADER_SIZE - (crc ? OP_BINLOG_CHECKSUM_SIZE : 0);
    if ((rc = dispatch(d, &ev, err)) != 0) {
        if (name && strncmp(err ? err->msg : "", name, strlen(name)) != 0)
            rt_err_prefix(err, rc, "%s", name);
        return rc;
    }
    *out = ev;
    return 0;
}

int op_binlog_decoder_next_inner(op_binlog_decoder *d, op_binlog_event *out, bool *has, rt_err *err)
{
    if (!d->in_payload || d->payload_pos >= d->payload.len) {
        d->in_payload = false;
        *has = false;
        return 0;
    }
    const uint8_t *p = (const uint8_t *)d->payload.data + d->payload_pos;
    size_t left = d->payload.len - d->payload_pos;
    op_binlog_event ev;
    memset(&ev, 0, sizeof ev);
    ev.in_payload = true;
    d->in_payload = false; /* until this event decodes: an error ends the payload */
    int rc = op_binlog_header_parse(p, left, &ev.header, err);
    if (rc)
        return rt_err_prefix(err, rc, "TRANSACTION_PAYLOAD_EVENT at inner byte %zu",
                             d->payload_pos);
    if (ev.header.event_size > left)
        return rt_err_set(err, RT_ECORRUPT,
                          "TRANSACTION_PAYLOAD_EVENT: inner event of %u bytes, %zu left",
                          ev.header.event_size, left);
    if (ev.header.type == OP_BINLOG_FORMAT_DESCRIPTION_EVENT)
        return rt_err_set(err, RT_ECORRUPT, "TRANSACTION_PAYLOAD_EVENT: FDE inside a payload");
    /* Inner events carry no checksum (notes 1.2). */
    ev.body = p + OP_BINLOG_HEADER_SIZE;
    ev.body_len = ev.header.event_size - OP_BINLOG_HEADER_SIZE;
    d->payload_pos += ev.header.event_size;
    if ((rc = dispatch(d, &ev, err)) != 0)
        return rt_err_prefix(err, rc, "TRANSACTION_PAYLOAD_EVENT");
    d->in_payload = true;
    *out = ev;
    *has = true;
    return 0;
}
