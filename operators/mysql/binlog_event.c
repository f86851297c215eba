/* Binlog framing and control events: the v4 common header, CRC32, FORMAT_DESCRIPTION, ROTATE,
 * QUERY, XID, HEARTBEAT, INCIDENT, statement-text events and MariaDB's zlib compression. Layouts
 * follow notes/binlog.md sections 1-2 and 4.5 (MariaDB "Replication protocol" pages, MySQL
 * libbinlogevents control_events.h and statement_events.h). */
#include "operators/mysql/binlog_event.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "operators/mysql/byte_cursor.h"

static const char *const type_names[] = {
    [OP_BINLOG_UNKNOWN_EVENT] = "UNKNOWN_EVENT",
    [OP_BINLOG_START_EVENT_V3] = "START_EVENT_V3",
    [OP_BINLOG_QUERY_EVENT] = "QUERY_EVENT",
    [OP_BINLOG_STOP_EVENT] = "STOP_EVENT",
    [OP_BINLOG_ROTATE_EVENT] = "ROTATE_EVENT",
    [OP_BINLOG_INTVAR_EVENT] = "INTVAR_EVENT",
    [OP_BINLOG_LOAD_EVENT] = "LOAD_EVENT",
    [OP_BINLOG_SLAVE_EVENT] = "SLAVE_EVENT",
    [OP_BINLOG_CREATE_FILE_EVENT] = "CREATE_FILE_EVENT",
    [OP_BINLOG_APPEND_BLOCK_EVENT] = "APPEND_BLOCK_EVENT",
    [OP_BINLOG_EXEC_LOAD_EVENT] = "EXEC_LOAD_EVENT",
    [OP_BINLOG_DELETE_FILE_EVENT] = "DELETE_FILE_EVENT",
    [OP_BINLOG_NEW_LOAD_EVENT] = "NEW_LOAD_EVENT",
    [OP_BINLOG_RAND_EVENT] = "RAND_EVENT",
    [OP_BINLOG_USER_VAR_EVENT] = "USER_VAR_EVENT",
    [OP_BINLOG_FORMAT_DESCRIPTION_EVENT] = "FORMAT_DESCRIPTION_EVENT",
    [OP_BINLOG_XID_EVENT] = "XID_EVENT",
    [OP_BINLOG_BEGIN_LOAD_QUERY_EVENT] = "BEGIN_LOAD_QUERY_EVENT",
    [OP_BINLOG_EXECUTE_LOAD_QUERY_EVENT] = "EXECUTE_LOAD_QUERY_EVENT",
    [OP_BINLOG_TABLE_MAP_EVENT] = "TABLE_MAP_EVENT",
    [OP_BINLOG_PRE_GA_WRITE_ROWS_EVENT] = "PRE_GA_WRITE_ROWS_EVENT",
    [OP_BINLOG_PRE_GA_UPDATE_ROWS_EVENT] = "PRE_GA_UPDATE_ROWS_EVENT",
    [OP_BINLOG_PRE_GA_DELETE_ROWS_EVENT] = "PRE_GA_DELETE_ROWS_EVENT",
    [OP_BINLOG_WRITE_ROWS_EVENT_V1] = "WRITE_ROWS_EVENT_V1",
    [OP_BINLOG_UPDATE_ROWS_EVENT_V1] = "UPDATE_ROWS_EVENT_V1",
    [OP_BINLOG_DELETE_ROWS_EVENT_V1] = "DELETE_ROWS_EVENT_V1",
    [OP_BINLOG_INCIDENT_EVENT] = "INCIDENT_EVENT",
    [OP_BINLOG_HEARTBEAT_LOG_EVENT] = "HEARTBEAT_LOG_EVENT",
    [OP_BINLOG_IGNORABLE_LOG_EVENT] = "IGNORABLE_LOG_EVENT",
    [OP_BINLOG_ROWS_QUERY_LOG_EVENT] = "ROWS_QUERY_LOG_EVENT",
    [OP_BINLOG_WRITE_ROWS_EVENT] = "WRITE_ROWS_EVENT",
    [OP_BINLOG_UPDATE_ROWS_EVENT] = "UPDATE_ROWS_EVENT",
    [OP_BINLOG_DELETE_ROWS_EVENT] = "DELETE_ROWS_EVENT",
    [OP_BINLOG_GTID_LOG_EVENT] = "GTID_LOG_EVENT",
    [OP_BINLOG_ANONYMOUS_GTID_LOG_EVENT] = "ANONYMOUS_GTID_LOG_EVENT",
    [OP_BINLOG_PREVIOUS_GTIDS_LOG_EVENT] = "PREVIOUS_GTIDS_LOG_EVENT",
    [OP_BINLOG_TRANSACTION_CONTEXT_EVENT] = "TRANSACTION_CONTEXT_EVENT",
    [OP_BINLOG_VIEW_CHANGE_EVENT] = "VIEW_CHANGE_EVENT",
    [OP_BINLOG_XA_PREPARE_LOG_EVENT] = "XA_PREPARE_LOG_EVENT",
    [OP_BINLOG_PARTIAL_UPDATE_ROWS_EVENT] = "PARTIAL_UPDATE_ROWS_EVENT",
    [OP_BINLOG_TRANSACTION_PAYLOAD_EVENT] = "TRANSACTION_PAYLOAD_EVENT",
    [OP_BINLOG_HEARTBEAT_LOG_EVENT_V2] = "HEARTBEAT_LOG_EVENT_V2",
    [OP_BINLOG_GTID_TAGGED_LOG_EVENT] = "GTID_TAGGED_LOG_EVENT",
    [OP_BINLOG_ANNOTATE_ROWS_EVENT] = "ANNOTATE_ROWS_EVENT",
    [OP_BINLOG_BINLOG_CHECKPOINT_EVENT] = "BINLOG_CHECKPOINT_EVENT",
    [OP_BINLOG_MARIADB_GTID_EVENT] = "GTID_EVENT",
    [OP_BINLOG_GTID_LIST_EVENT] = "GTID_LIST_EVENT",
    [OP_BINLOG_START_ENCRYPTION_EVENT] = "START_ENCRYPTION_EVENT",
    [OP_BINLOG_QUERY_COMPRESSED_EVENT] = "QUERY_COMPRESSED_EVENT",
    [OP_BINLOG_WRITE_ROWS_COMPRESSED_EVENT_V1] = "WRITE_ROWS_COMPRESSED_EVENT_V1",
    [OP_BINLOG_UPDATE_ROWS_COMPRESSED_EVENT_V1] = "UPDATE_ROWS_COMPRESSED_EVENT_V1",
    [OP_BINLOG_DELETE_ROWS_COMPRESSED_EVENT_V1] = "DELETE_ROWS_COMPRESSED_EVENT_V1",
    [OP_BINLOG_WRITE_ROWS_COMPRESSED_EVENT] = "WRITE_ROWS_COMPRESSED_EVENT",
    [OP_BINLOG_UPDATE_ROWS_COMPRESSED_EVENT] = "UPDATE_ROWS_COMPRESSED_EVENT",
    [OP_BINLOG_DELETE_ROWS_COMPRESSED_EVENT] = "DELETE_ROWS_COMPRESSED_EVENT",
};

const char *op_binlog_type_name(unsigned type)
{
    if (type < sizeof type_names / sizeof type_names[0])
        return type_names[type];
    return NULL;
}

bool op_binlog_type_is_rows(unsigned type)
{
    return (type >= OP_BINLOG_WRITE_ROWS_EVENT_V1 && type <= OP_BINLOG_DELETE_ROWS_EVENT_V1) ||
           (type >= OP_BINLOG_WRITE_ROWS_EVENT && type <= OP_BINLOG_DELETE_ROWS_EVENT) ||
           type == OP_BINLOG_PARTIAL_UPDATE_ROWS_EVENT ||
           (type >= OP_BINLOG_WRITE_ROWS_COMPRESSED_EVENT_V1 &&
            type <= OP_BINLOG_DELETE_ROWS_COMPRESSED_EVENT);
}

int op_binlog_header_parse(const uint8_t *p, size_t len, op_binlog_header *out, rt_err *err)
{
    if (len < OP_BINLOG_HEADER_SIZE)
        return rt_err_set(err, RT_ECORRUPT, "event header: %zu bytes, a v4 header needs 19", len);
    op_binlog_header h = {
        .timestamp = (uint32_t)op_get_le(p, 4),
        .type = p[4],
        .server_id = (uint32_t)op_get_le(p + 5, 4),
        .event_size = (uint32_t)op_get_le(p + 9, 4),
        .log_pos = (uint32_t)op_get_le(p + 13, 4),
        .flags = (uint16_t)op_get_le(p + 17, 2),
    };
    if (h.event_size < OP_BINLOG_HEADER_SIZE)
        return rt_err_set(err, RT_ECORRUPT,
                          "event header: event size %u is below the 19-byte header", h.event_size);
    *out = h;
    return 0;
}

bool op_binlog_checksum_ok(const uint8_t *event, size_t len)
{
    if (len < OP_BINLOG_HEADER_SIZE + OP_BINLOG_CHECKSUM_SIZE)
        return false;
    size_t n = len - OP_BINLOG_CHECKSUM_SIZE;
    uint32_t want = (uint32_t)op_get_le(event + n, 4);
    if ((uint32_t)crc32(0, event, (uInt)n) == want)
        return true;
    /* notes 1.2: the server computes a file FDE's CRC with the in-use flag cleared and sets the
     * flag afterwards, so an unclosed file's FDE only verifies with bit 0x0001 cleared. */
    if (event[4] != OP_BINLOG_FORMAT_DESCRIPTION_EVENT || !(event[17] & OP_BINLOG_F_BINLOG_IN_USE))
        return false;
    uint8_t flag_lo = (uint8_t)(event[17] & ~OP_BINLOG_F_BINLOG_IN_USE);
    uLong c = crc32(0, event, 17);
    c = crc32(c, &flag_lo, 1);
    c = crc32(c, event + 18, (uInt)(n - 18));
    return (uint32_t)c == want;
}

/* Post-header lengths of a MySQL 8.0 / MariaDB 10.x server (their FORMAT_DESCRIPTION_EVENTs,
 * notes 2.1); types a server does not list stay 0. */
static const struct {
    uint8_t type, len;
} default_post_header[] = {
    {OP_BINLOG_QUERY_EVENT, 13},
    {OP_BINLOG_ROTATE_EVENT, 8},
    {OP_BINLOG_APPEND_BLOCK_EVENT, 4},
    {OP_BINLOG_DELETE_FILE_EVENT, 4},
    {OP_BINLOG_BEGIN_LOAD_QUERY_EVENT, 4},
    {OP_BINLOG_EXECUTE_LOAD_QUERY_EVENT, 26},
    {OP_BINLOG_TABLE_MAP_EVENT, 8},
    {OP_BINLOG_WRITE_ROWS_EVENT_V1, 8},
    {OP_BINLOG_UPDATE_ROWS_EVENT_V1, 8},
    {OP_BINLOG_DELETE_ROWS_EVENT_V1, 8},
    {OP_BINLOG_INCIDENT_EVENT, 2},
    {OP_BINLOG_WRITE_ROWS_EVENT, 10},
    {OP_BINLOG_UPDATE_ROWS_EVENT, 10},
    {OP_BINLOG_DELETE_ROWS_EVENT, 10},
    {OP_BINLOG_GTID_LOG_EVENT, 42},
    {OP_BINLOG_ANONYMOUS_GTID_LOG_EVENT, 42},
    {OP_BINLOG_TRANSACTION_CONTEXT_EVENT, 18},
    {OP_BINLOG_VIEW_CHANGE_EVENT, 52},
    {OP_BINLOG_PARTIAL_UPDATE_ROWS_EVENT, 10},
    {OP_BINLOG_BINLOG_CHECKPOINT_EVENT, 4},
    {OP_BINLOG_MARIADB_GTID_EVENT, 19},
    {OP_BINLOG_GTID_LIST_EVENT, 4},
    {OP_BINLOG_QUERY_COMPRESSED_EVENT, 13},
    {OP_BINLOG_WRITE_ROWS_COMPRESSED_EVENT_V1, 8},
    {OP_BINLOG_UPDATE_ROWS_COMPRESSED_EVENT_V1, 8},
    {OP_BINLOG_DELETE_ROWS_COMPRESSED_EVENT_V1, 8},
    {OP_BINLOG_WRITE_ROWS_COMPRESSED_EVENT, 10},
    {OP_BINLOG_UPDATE_ROWS_COMPRESSED_EVENT, 10},
    {OP_BINLOG_DELETE_ROWS_COMPRESSED_EVENT, 10},
};

void op_binlog_format_init_default(op_binlog_format *f, bool mariadb, uint8_t checksum_alg)
{
    memset(f, 0, sizeof *f);
    f->binlog_version = 4;
    snprintf(f->server_version, sizeof f->server_version, "%s",
             mariadb ? "10.11.0-MariaDB" : "8.0.0");
    f->header_len = OP_BINLOG_HEADER_SIZE;
    f->checksum_alg = checksum_alg;
    f->is_mariadb = mariadb;
    f->post_header_count = sizeof f->post_header_len;
    for (size_t i = 0; i < sizeof default_post_header / sizeof default_post_header[0]; i++)
        f->post_header_len[default_post_header[i].type - 1] = default_post_header[i].len;
}

unsigned op_binlog_format_post_header_len(const op_binlog_format *f, unsigned type)
{
    if (type == 0 || type > f->post_header_count)
        return 0;
    return f->post_header_len[type - 1];
}

/* "5.6.41-debug-log" -> 5, 6, 41; missing parts read as 0. */
static void split_version(const char *v, unsigned out[3])
{
    for (int i = 0; i < 3; i++) {
        out[i] = 0;
        while (*v >= '0' && *v <= '9') {
            if (out[i] < 100000)
                out[i] = out[i] * 10 + (unsigned)(*v - '0');
            v++;
        }
        if (*v != '.')
            break;
        v++;
    }
}

/* Checksums came with MySQL 5.6.1 and MariaDB 5.3.0: only their FDEs end in the algorithm byte
 * (MySQL log_event.cc checksum_version_split / MariaDB's _mariadb variant). */
static bool version_has_checksum_alg(const char *version, bool mariadb)
{
    unsigned v[3];
    split_version(version, v);
    unsigned n = v[0] * 10000 + v[1] * 100 + v[2];
    return n >= (mariadb ? 50300u : 50601u);
}

int op_binlog_format_parse(const uint8_t *event, size_t len, op_binlog_format *out, rt_err *err)
{
    op_binlog_header h;
    int rc = op_binlog_header_parse(event, len, &h, err);
    if (rc)
        return rt_err_prefix(err, rc, "FORMAT_DESCRIPTION_EVENT");
    if (h.event_size > len)
        return rt_err_set(err, RT_ECORRUPT,
                          "FORMAT_DESCRIPTION_EVENT: event size %u exceeds the %zu bytes given",
                          h.event_size, len);
    op_cursor c =
        op_cursor_make(event + OP_BINLOG_HEADER_SIZE, h.event_size - OP_BINLOG_HEADER_SIZE);
    op_binlog_format f;
    memset(&f, 0, sizeof f);
    uint64_t v;
    const uint8_t *ver;
    if (!op_cursor_le(&c, 2, &v) || !op_cursor_bytes(&c, 50, &ver))
        return op_cursor_truncated(err, "FORMAT_DESCRIPTION_EVENT");
    f.binlog_version = (uint16_t)v;
    memcpy(f.server_version, ver, 50);
    f.server_version[50] = '\0';
    if (!op_cursor_le(&c, 4, &v) || !op_cursor_u8(&c, &f.header_len))
        return op_cursor_truncated(err, "FORMAT_DESCRIPTION_EVENT");
    f.create_timestamp = (uint32_t)v;
    if (f.binlog_version != 4)
        return rt_err_set(err, RT_EUNSUPPORTED,
                          "FORMAT_DESCRIPTION_EVENT: binlog version %u (only v4, MySQL 5.0+, is "
                          "supported)",
                          f.binlog_version);
    if (f.header_len != OP_BINLOG_HEADER_SIZE)
        return rt_err_set(err, RT_EUNSUPPORTED,
                          "FORMAT_DESCRIPTION_EVENT: common header of %u bytes (v4 has 19)",
                          f.header_len);
    f.is_mariadb = strstr(f.server_version, "MariaDB") != NULL;
    size_t table = c.left;
    f.checksum_alg = OP_BINLOG_CHECKSUM_UNDEF;
    if (version_has_checksum_alg(f.server_version, f.is_mariadb)) {
        if (table < 1 + OP_BINLOG_CHECKSUM_SIZE)
            return op_cursor_truncated(err, "FORMAT_DESCRIPTION_EVENT: checksum algorithm");
        table -= 1 + OP_BINLOG_CHECKSUM_SIZE;
        f.checksum_alg = c.p[table];
        if (f.checksum_alg != OP_BINLOG_CHECKSUM_OFF && f.checksum_alg != OP_BINLOG_CHECKSUM_CRC32)
            return rt_err_set(err, RT_EUNSUPPORTED,
                              "FORMAT_DESCRIPTION_EVENT: checksum algorithm %u (known: 0 off, 1 "
                              "CRC32)",
                              f.checksum_alg);
    }
    if (table > sizeof f.post_header_len)
        return rt_err_set(err, RT_ECORRUPT,
                          "FORMAT_DESCRIPTION_EVENT: %zu post-header lengths (at most 255 types)",
                          table);
    f.post_header_count = (uint16_t)table;
    memcpy(f.post_header_len, c.p, table);
    *out = f;
    return 0;
}

/* Moves c past the post-header of `type` (its length from the FDE), checking it is at least
 * `need` bytes: the fields this decoder reads from it. */
static int post_header(op_cursor *c, const op_binlog_format *f, unsigned type, unsigned need,
                       const uint8_t **ph, unsigned *ph_len, rt_err *err)
{
    unsigned n = op_binlog_format_post_header_len(f, type);
    if (n < need)
        return rt_err_set(err, RT_EUNSUPPORTED,
                          "%s: post-header of %u bytes in this format (needs %u)",
                          op_binlog_type_name(type), n, need);
    if (!op_cursor_bytes(c, n, ph))
        return op_cursor_truncated(err, op_binlog_type_name(type));
    *ph_len = n;
    return 0;
}

int op_binlog_rotate_parse(const uint8_t *body, size_t len, const op_binlog_format *f,
                           op_binlog_rotate *out, rt_err *err)
{
    op_cursor c = op_cursor_make(body, len);
    const uint8_t *ph = NULL; /* set by post_header on success; -O3 cannot see it */
    unsigned ph_len = 0;
    int rc = post_header(&c, f, OP_BINLOG_ROTATE_EVENT, 8, &ph, &ph_len, err);
    if (rc)
        return rc;
    out->position = op_get_le(ph, 8);
    out->name = (const char *)c.p;
    out->name_len = c.left;
    return 0;
}

int op_binlog_query_parse(const uint8_t *body, size_t len, unsigned type, const op_binlog_format *f,
                          rt_buf *inflated, op_binlog_query *out, rt_err *err)
{
    const char *what = op_binlog_type_name(type);
    op_cursor c = op_cursor_make(body, len);
    const uint8_t *ph = NULL; /* set by post_header on success; -O3 cannot see it */
    unsigned ph_len = 0;
    /* notes 2.3: thread_id u32, exec_time u32, db_len u8, error_code u16 and, since v4,
     * status_vars_len u16. */
    int rc = post_header(&c, f, type, 13, &ph, &ph_len, err);
    if (rc)
        return rc;
    op_binlog_query q = {
        .thread_id = (uint32_t)op_get_le(ph, 4),
        .exec_time = (uint32_t)op_get_le(ph + 4, 4),
        .error_code = (uint16_t)op_get_le(ph + 9, 2),
    };
    size_t db_len = ph[8];
    size_t vars_len = (size_t)op_get_le(ph + 11, 2);
    if (vars_len > c.left)
        return rt_err_set(err, RT_ECORRUPT,
                          "%s: status variables of %zu bytes exceed the %zu bytes left", what,
                          vars_len, c.left);
    op_cursor_bytes(&c, vars_len, &q.status_vars);
    q.status_vars_len = vars_len;
    const uint8_t *db, *nul;
    if (!op_cursor_bytes(&c, db_len, &db) || !op_cursor_bytes(&c, 1, &nul))
        return rt_err_set(err, RT_ECORRUPT, "%s: database name of %zu bytes exceeds the event",
                          what, db_len);
    if (*nul != 0)
        return rt_err_set(err, RT_ECORRUPT, "%s: database name is not NUL-terminated", what);
    q.db = (const char *)db;
    q.db_len = db_len;
    if (type == OP_BINLOG_QUERY_COMPRESSED_EVENT) {
        if (!inflated)
            return rt_err_set(err, RT_EINVAL, "%s: no buffer to inflate the statement into", what);
        rc = op_binlog_mariadb_uncompress(c.p, c.left, inflated, err);
        if (rc)
            return rt_err_prefix(err, rc, "%s: statement", what);
        q.sql = inflated->data ? inflated->data : "";
        q.sql_len = inflated->len;
    } else {
        q.sql = (const char *)c.p;
        q.sql_len = c.left;
    }
    *out = q;
    return 0;
}

int op_binlog_xid_parse(const uint8_t *body, size_t len, uint64_t *xid, rt_err *err)
{
    if (len != 8)
        return rt_err_set(err, RT_ECORRUPT, "XID_EVENT: body of %zu bytes (an XID is 8)", len);
    *xid = op_get_le(body, 8);
    return 0;
}

/* HEARTBEAT_LOG_EVENT_V2 (MySQL control_events.h Heartbeat_event_v2): fields of
 * (type lenenc, length lenenc, value) until the end mark 0; 1 = file name, 2 = position as a
 * lenenc integer inside the value. Unknown fields are skipped by their length. */
static int heartbeat_v2(op_cursor c, op_binlog_heartbeat *hb, rt_err *err)
{
    while (c.left > 0) {
        uint64_t field;
        const uint8_t *val;
        size_t n;
        if (!op_cursor_lenenc(&c, &field))
            return op_cursor_truncated(err, "HEARTBEAT_LOG_EVENT_V2: field type");
        if (field == 0)
            break;
        if (!op_cursor_lenenc_bytes(&c, &val, &n))
            return op_cursor_truncated(err, "HEARTBEAT_LOG_EVENT_V2: field value");
        if (field == 1) {
            hb->log_name = (const char *)val;
            hb->log_name_len = n;
        } else if (field == 2) {
            op_cursor vc = op_cursor_make(val, n);
            if (!op_cursor_lenenc(&vc, &hb->log_pos) || vc.left != 0)
                return rt_err_set(err, RT_ECORRUPT, "HEARTBEAT_LOG_EVENT_V2: bad log position");
        }
    }
    return 0;
}

int op_binlog_heartbeat_parse(const uint8_t *body, size_t len, unsigned type,
                              uint32_t header_log_pos, op_binlog_heartbeat *out, rt_err *err)
{
    op_binlog_heartbeat hb = {
        .log_name = (const char *)body, .log_name_len = len, .log_pos = header_log_pos};
    if (type == OP_BINLOG_HEARTBEAT_LOG_EVENT_V2) {
        hb.log_name = "";
        hb.log_name_len = 0;
        hb.log_pos = 0;
        int rc = heartbeat_v2(op_cursor_make(body, len), &hb, err);
        if (rc)
            return rc;
    } else if (type != OP_BINLOG_HEARTBEAT_LOG_EVENT) {
        return rt_err_set(err, RT_EINVAL, "event type %u is not a heartbeat", type);
    }
    *out = hb;
    return 0;
}

int op_binlog_incident_parse(const uint8_t *body, size_t len, op_binlog_incident *out, rt_err *err)
{
    op_cursor c = op_cursor_make(body, len);
    uint64_t code;
    const uint8_t *msg;
    uint8_t msg_len;
    if (!op_cursor_le(&c, 2, &code) || !op_cursor_u8(&c, &msg_len) ||
        !op_cursor_bytes(&c, msg_len, &msg))
        return op_cursor_truncated(err, "INCIDENT_EVENT");
    out->code = (uint16_t)code;
    out->message = (const char *)msg;
    out->message_len = msg_len;
    return 0;
}

int op_binlog_rows_query_parse(const uint8_t *body, size_t len, unsigned type, const char **text,
                               size_t *text_len, rt_err *err)
{
    if (type == OP_BINLOG_ROWS_QUERY_LOG_EVENT) {
        /* A length byte that MySQL truncates at 255 comes first: the text is the rest. */
        if (len < 1)
            return op_cursor_truncated(err, "ROWS_QUERY_LOG_EVENT");
        *text = (const char *)body + 1;
        *text_len = len - 1;
        return 0;
    }
    if (type != OP_BINLOG_ANNOTATE_ROWS_EVENT)
        return rt_err_set(err, RT_EINVAL, "event type %u carries no statement text", type);
    *text = (const char *)body;
    *text_len = len;
    return 0;
}

int op_binlog_checkpoint_parse(const uint8_t *body, size_t len, const char **name, size_t *name_len,
                               rt_err *err)
{
    op_cursor c = op_cursor_make(body, len);
    uint64_t n;
    const uint8_t *p;
    if (!op_cursor_le(&c, 4, &n) || !op_cursor_bytes(&c, (size_t)n, &p))
        return op_cursor_truncated(err, "BINLOG_CHECKPOINT_EVENT");
    *name = (const char *)p;
    *name_len = (size_t)n;
    return 0;
}

/* Output is grown as zlib produces it, never by the declared length alone: a small corrupt
 * event cannot make the decoder allocate more than the stream really inflates to. */
int op_binlog_mariadb_uncompress(const uint8_t *p, size_t len, rt_buf *out, rt_err *err)
{
    rt_buf_reset(out);
    if (len < 1)
        return op_cursor_truncated(err, "compressed data");
    unsigned lenlen = p[0] & 0x07;
    if (!(p[0] & 0x80) || lenlen < 1 || lenlen > 4)
        return rt_err_set(err, RT_ECORRUPT, "compressed data: bad header byte 0x%02x", p[0]);
    if (len < 1 + (size_t)lenlen)
        return op_cursor_truncated(err, "compressed data");
    uint64_t want = op_get_be(p + 1, lenlen);
    if (want > OP_BINLOG_MAX_EVENT_SIZE)
        return rt_err_set(err, RT_ECORRUPT, "compressed data: declared size %llu is too large",
                          (unsigned long long)want);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit(&zs) != Z_OK)
        return rt_err_set(err, RT_ENOMEM, "compressed data: zlib init failed");
    zs.next_in = (Bytef *)(p + 1 + lenlen);
    zs.avail_in = (uInt)(len - 1 - lenlen);
    int rc = 0;
    for (;;) {
        size_t room = want - out->len + 1; /* one spare byte detects a stream that overflows */
        if (room > 65536)
            room = 65536;
        char *dst = rt_buf_reserve(out, room);
        zs.next_out = (Bytef *)dst;
        zs.avail_out = (uInt)room;
        int z = inflate(&zs, Z_NO_FLUSH);
        size_t made = room - zs.avail_out;
        rt_buf_advance(out, made);
        if (out->len > want) {
            rc = rt_err_set(err, RT_ECORRUPT, "compressed data: inflates beyond %llu bytes",
                            (unsigned long long)want);
            break;
        }
        if (z == Z_STREAM_END)
            break;
        if ((z != Z_OK && z != Z_BUF_ERROR) || (made == 0 && zs.avail_in == 0) ||
            (z == Z_BUF_ERROR && made == 0)) {
            rc = rt_err_set(err, RT_ECORRUPT, "compressed data: zlib stream is corrupt or cut");
            break;
        }
    }
    inflateEnd(&zs);
    if (rc == 0 && out->len != want)
        rc = rt_err_set(err, RT_ECORRUPT, "compressed data: inflated %zu bytes, declared %llu",
                        out->len, (unsigned long long)want);
    if (rc)
        rt_buf_reset(out);
    return rc;
}
