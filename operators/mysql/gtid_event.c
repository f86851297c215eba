/* GTID events of MySQL (33, 34, 35, 42) and MariaDB (162, 163). Layouts: notes/binlog.md 2.5
 * and 2.6, MySQL control_events.h (Gtid_event, Previous_gtids_event), MariaDB's GTID_EVENT and
 * GTID_LIST_EVENT pages; the tagged event follows MySQL 8.4's libs/mysql/serialization. */
#include "operators/mysql/gtid_event.h"

#include <string.h>

#include "operators/mysql/binlog_event.h"
#include "operators/mysql/byte_cursor.h"

/* Bit 55 of the 7-byte immediate commit timestamp / bit 31 of the immediate server version say
 * that an original value (from the source of a replication chain) follows (control_events.h). */
#define COMMIT_TS_HAS_ORIGINAL (UINT64_C(1) << 55)
#define SERVER_VERSION_HAS_ORIGINAL (UINT32_C(1) << 31)

/* The fixed layout of GTID_LOG_EVENT / ANONYMOUS_GTID_LOG_EVENT: flags u8, sid[16], gno i64
 * (5.6 ends here), lt_type u8 = 2, last_committed i64, sequence_number i64 (5.7), then 8.0's
 * commit timestamps (7 bytes each), transaction length (lenenc) and server versions (u32). */
static int gtid_fixed(op_cursor c, op_mysql_gtid_event *g, rt_err *err)
{
    const uint8_t *uuid;
    uint64_t v;
    if (!op_cursor_u8(&c, &g->flags) || !op_cursor_bytes(&c, 16, &uuid) || !op_cursor_le(&c, 8, &v))
        return op_cursor_truncated(err, "GTID_LOG_EVENT");
    memcpy(g->uuid, uuid, 16);
    g->gno = (int64_t)v;
    if (c.left == 0)
        return 0;
    if (!op_cursor_u8(&c, &g->lt_type) || g->lt_type != 2)
        return rt_err_set(err, RT_ECORRUPT,
                          "GTID_LOG_EVENT: logical timestamp type code %u (want 2)", g->lt_type);
    uint64_t lc, sn;
    if (!op_cursor_le(&c, 8, &lc) || !op_cursor_le(&c, 8, &sn))
        return op_cursor_truncated(err, "GTID_LOG_EVENT: logical timestamps");
    g->last_committed = (int64_t)lc;
    g->sequence_number = (int64_t)sn;
    if (c.left == 0)
        return 0;
    if (!op_cursor_le(&c, 7, &v))
        return op_cursor_truncated(err, "GTID_LOG_EVENT: commit timestamp");
    g->immediate_commit_ts = v & ~COMMIT_TS_HAS_ORIGINAL;
    g->original_commit_ts = g->immediate_commit_ts;
    if (v & COMMIT_TS_HAS_ORIGINAL) {
        if (!op_cursor_le(&c, 7, &v))
            return op_cursor_truncated(err, "GTID_LOG_EVENT: original commit timestamp");
        g->original_commit_ts = v;
    }
    if (c.left == 0)
        return 0;
    if (!op_cursor_lenenc(&c, &g->transaction_length))
        return op_cursor_truncated(err, "GTID_LOG_EVENT: transaction length");
    if (c.left == 0)
        return 0;
    if (!op_cursor_le(&c, 4, &v))
        return op_cursor_truncated(err, "GTID_LOG_EVENT: server version");
    g->immediate_server_version = (uint32_t)v & ~SERVER_VERSION_HAS_ORIGINAL;
    g->original_server_version = g->immediate_server_version;
    if (v & SERVER_VERSION_HAS_ORIGINAL) {
        if (!op_cursor_le(&c, 4, &v))
            return op_cursor_truncated(err, "GTID_LOG_EVENT: original server version");
        g->original_server_version = (uint32_t)v;
    }
    /* Later versions append fields (commit_group_ticket): ignored, as older servers do. */
    return 0;
}

static int64_t unzigzag(uint64_t u)
{
    return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

/* GTID_TAGGED_LOG_EVENT: a serialized message: format version, message size and the id of the
 * last non-ignorable field (variable-length integers), then (field id, value) pairs in id order.
 * Ids: 0 flags, 1 uuid (16 integers), 2 gno (signed), 3 tag (length + bytes), 4 last_committed,
 * 5 sequence_number (signed), 6 immediate / 7 original commit timestamp, 8 transaction length,
 * 9 immediate / 10 original server version. Later ids are ignorable additions. */
static int gtid_tagged(op_cursor c, op_mysql_gtid_event *g, rt_err *err)
{
    const char *what = "GTID_TAGGED_LOG_EVENT";
    op_cursor start = c;
    uint64_t version, size, last_required, v;
    if (!op_cursor_varlen(&c, &version) || !op_cursor_varlen(&c, &size) ||
        !op_cursor_varlen(&c, &last_required))
        return op_cursor_truncated(err, what);
    if (version != 1)
        return rt_err_set(err, RT_EUNSUPPORTED, "%s: serialization format %llu (known: 1)", what,
                          (unsigned long long)version);
    if (size > start.left || size < (size_t)(start.left - c.left))
        return rt_err_set(err, RT_ECORRUPT, "%s: message size %llu, event body %zu", what,
                          (unsigned long long)size, start.left);
    c.left = (size_t)size - (start.left - c.left);
    bool has_orig_ts = false, has_orig_ver = false;
    int64_t last_id = -1;
    while (c.left > 0) {
        uint64_t id;
        if (!op_cursor_varlen(&c, &id))
            return op_cursor_truncated(err, what);
        if ((int64_t)id <= last_id)
            return rt_err_set(err, RT_ECORRUPT, "%s: field %llu out of order", what,
                              (unsigned long long)id);
        last_id = (int64_t)id;
        if (id > 10) {
            if (id <= last_required)
                return rt_err_set(err, RT_EUNSUPPORTED, "%s: unknown required field %llu", what,
                                  (unsigned long long)id);
            break; /* ignorable fields of a newer server, all after the known ones */
        }
        if (id == 1) {
            for (int i = 0; i < 16; i++) {
                if (!op_cursor_varlen(&c, &v) || v > 255)
                    return rt_err_set(err, RT_ECORRUPT, "%s: bad uuid", what);
                g->uuid[i] = (uint8_t)v;
            }
            continue;
        }
        if (id == 3) {
            const uint8_t *tag;
            if (!op_cursor_varlen(&c, &v) || v > OP_GTID_TAG_MAX || !op_cursor_bytes(&c, v, &tag))
                return rt_err_set(err, RT_ECORRUPT, "%s: bad tag", what);
            memcpy(g->tag, tag, (size_t)v);
            g->tag[v] = '\0';
            continue;
        }
        if (!op_cursor_varlen(&c, &v))
            return op_cursor_truncated(err, what);
        switch (id) {
        case 0:
            g->flags = (uint8_t)v;
            break;
        case 2:
            g->gno = unzigzag(v);
            break;
        case 4:
            g->last_committed = unzigzag(v);
            g->lt_type = 2;
            break;
        case 5:
            g->sequence_number = unzigzag(v);
            break;
        case 6:
            g->immediate_commit_ts = v;
            break;
        case 7:
            g->original_commit_ts = v;
            has_orig_ts = true;
            break;
        case 8:
            g->transaction_length = v;
            break;
        case 9:
            g->immediate_server_version = (uint32_t)v;
            break;
        case 10:
            g->original_server_version = (uint32_t)v;
            has_orig_ver = true;
            break;
        }
    }
    if (!has_orig_ts)
        g->original_commit_ts = g->immediate_commit_ts;
    if (!has_orig_ver)
        g->original_server_version = g->immediate_server_version;
    return 0;
}

int op_mysql_gtid_event_parse(const uint8_t *body, size_t len, unsigned type,
                              op_mysql_gtid_event *out, rt_err *err)
{
    op_mysql_gtid_event g;
    memset(&g, 0, sizeof g);
    int rc;
    if (type == OP_BINLOG_GTID_TAGGED_LOG_EVENT) {
        rc = gtid_tagged(op_cursor_make(body, len), &g, err);
    } else if (type == OP_BINLOG_GTID_LOG_EVENT || type == OP_BINLOG_ANONYMOUS_GTID_LOG_EVENT) {
        g.anonymous = type == OP_BINLOG_ANONYMOUS_GTID_LOG_EVENT;
        rc = gtid_fixed(op_cursor_make(body, len), &g, err);
    } else {
        return rt_err_set(err, RT_EINVAL, "event type %u is not a MySQL GTID event", type);
    }
    if (rc)
        return rc;
    if (!g.anonymous && g.gno < 1)
        return rt_err_set(err, RT_ECORRUPT, "%s: GTID number %lld", op_binlog_type_name(type),
                          (long long)g.gno);
    *out = g;
    return 0;
}

void op_mysql_gtid_event_format(const op_mysql_gtid_event *g, rt_buf *out)
{
    if (g->anonymous)
        return;
    char u[OP_UUID_TEXT_SIZE];
    op_uuid_format(g->uuid, u);
    rt_buf_append_str(out, u);
    if (g->tag[0]) {
        rt_buf_append_char(out, ':');
        rt_buf_append_str(out, g->tag);
    }
    rt_buf_append_char(out, ':');
    rt_buf_append_i64(out, g->gno);
}

int op_mysql_previous_gtids_parse(const uint8_t *body, size_t len, op_mysql_gtid_set **out,
                                  rt_err *err)
{
    int rc = op_mysql_gtid_set_decode(body, len, out, err);
    return rc ? rt_err_prefix(err, rc, "PREVIOUS_GTIDS_LOG_EVENT") : 0;
}

int op_mariadb_gtid_event_parse(const uint8_t *body, size_t len, uint32_t server_id,
                                op_mariadb_gtid_event *out, rt_err *err)
{
    const char *what = "GTID_EVENT";
    op_cursor c = op_cursor_make(body, len);
    op_mariadb_gtid_event g;
    memset(&g, 0, sizeof g);
    uint64_t seq, dom;
    if (!op_cursor_le(&c, 8, &seq) || !op_cursor_le(&c, 4, &dom) || !op_cursor_u8(&c, &g.flags2))
        return op_cursor_truncated(err, what);
    g.gtid.seq_no = seq;
    g.gtid.domain_id = (uint32_t)dom;
    g.gtid.server_id = server_id;
    if ((g.flags2 & OP_MARIADB_GTID_FL_GROUP_COMMIT_ID) && !op_cursor_le(&c, 8, &g.commit_id))
        return op_cursor_truncated(err, "GTID_EVENT: commit id");
    /* MariaDB's Gtid_log_event: the XID of an XA transaction follows. The 19-byte post-header
     * pads events without it; a body that ends here carries no XID (as in go-mysql's test
     * event), which only matters to XA bookkeeping, never to the GTID itself. */
    if ((g.flags2 & (OP_MARIADB_GTID_FL_PREPARED_XA | OP_MARIADB_GTID_FL_COMPLETED_XA)) &&
        c.left > 0) {
        uint64_t fmt;
        if (!op_cursor_le(&c, 4, &fmt) || !op_cursor_u8(&c, &g.xid_gtrid_len) ||
            !op_cursor_u8(&c, &g.xid_bqual_len) ||
            !op_cursor_bytes(&c, (size_t)g.xid_gtrid_len + g.xid_bqual_len, &g.xid_data))
            return op_cursor_truncated(err, "GTID_EVENT: XID");
        if (g.xid_gtrid_len > 64 || g.xid_bqual_len > 64)
            return rt_err_set(err, RT_ECORRUPT, "GTID_EVENT: XID parts of %u and %u bytes (max 64)",
                              g.xid_gtrid_len, g.xid_bqual_len);
        g.xid_format_id = (uint32_t)fmt;
        g.has_xid = true;
    }
    *out = g;
    return 0;
}

int op_mariadb_gtid_list_event_parse(const uint8_t *body, size_t len,
                                     op_mariadb_gtid_list_event *out, rt_err *err)
{
    op_cursor c = op_cursor_make(body, len);
    uint64_t word;
    if (!op_cursor_le(&c, 4, &word))
        return op_cursor_truncated(err, "GTID_LIST_EVENT");
    uint32_t count = (uint32_t)word & 0x0fffffff;
    if (count > c.left / 16)
        return rt_err_set(err, RT_ECORRUPT, "GTID_LIST_EVENT: %u GTIDs do not fit in %zu bytes",
                          count, c.left);
    out->count = count;
    out->flags = (uint8_t)(word >> 28);
    out->entries = c.p;
    return 0;
}

op_mariadb_gtid op_mariadb_gtid_list_event_get(const op_mariadb_gtid_list_event *ev, size_t i)
{
    RT_ASSERT(i < ev->count);
    const uint8_t *p = ev->entries + 16 * i;
    op_mariadb_gtid g = {
        .domain_id = (uint32_t)op_get_le(p, 4),
        .server_id = (uint32_t)op_get_le(p + 4, 4),
        .seq_no = op_get_le(p + 8, 8),
    };
    return g;
}
