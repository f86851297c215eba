/* TRANSACTION_PAYLOAD_EVENT: header fields (MySQL control_events.h Transaction_payload_event:
 * every type, length and value is a lenenc integer; 1 PAYLOAD_SIZE, 2 COMPRESSION_TYPE,
 * 3 UNCOMPRESSED_SIZE, 0 end) and the zstd frame after them (notes/binlog.md 4.5). */
#include "operators/mysql/transaction_payload.h"

#include <string.h>
#include <zstd.h>

#include "operators/mysql/binlog_event.h"
#include "operators/mysql/byte_cursor.h"

enum { FIELD_END = 0, FIELD_PAYLOAD_SIZE = 1, FIELD_COMPRESSION = 2, FIELD_UNCOMPRESSED = 3 };

int op_binlog_payload_parse(const uint8_t *body, size_t len, op_binlog_payload *out, rt_err *err)
{
    const char *what = "TRANSACTION_PAYLOAD_EVENT";
    op_cursor c = op_cursor_make(body, len);
    op_binlog_payload pl;
    memset(&pl, 0, sizeof pl);
    bool have_size = false;
    for (;;) {
        uint64_t type, n, v = 0;
        if (!op_cursor_lenenc(&c, &type))
            return op_cursor_truncated(err, what);
        if (pl.nfields < OP_PAYLOAD_MAX_FIELDS)
            pl.fields[pl.nfields++] = (uint8_t)(type > 255 ? 255 : type);
        if (type == FIELD_END)
            break;
        const uint8_t *val;
        if (!op_cursor_lenenc(&c, &n) || !op_cursor_bytes(&c, (size_t)n, &val))
            return op_cursor_truncated(err, what);
        op_cursor vc = op_cursor_make(val, (size_t)n);
        if (type <= FIELD_UNCOMPRESSED && (!op_cursor_lenenc(&vc, &v) || vc.left != 0))
            return rt_err_set(err, RT_ECORRUPT, "%s: bad value of header field %llu", what,
                              (unsigned long long)type);
        if (type == FIELD_PAYLOAD_SIZE) {
            pl.payload_size = v;
            have_size = true;
        } else if (type == FIELD_COMPRESSION) {
            if (v != OP_PAYLOAD_COMPRESSION_ZSTD && v != OP_PAYLOAD_COMPRESSION_NONE)
                return rt_err_set(err, RT_EUNSUPPORTED,
                                  "%s: compression type %llu (known: 0 "
                                  "zstd, 255 none)",
                                  what, (unsigned long long)v);
            pl.compression = (uint8_t)v;
        } else if (type == FIELD_UNCOMPRESSED) {
            pl.uncompressed_size = v;
        }
    }
    if (!have_size)
        pl.payload_size = c.left;
    if (pl.payload_size > c.left)
        return rt_err_set(err, RT_ECORRUPT, "%s: payload of %llu bytes, %zu left", what,
                          (unsigned long long)pl.payload_size, c.left);
    pl.payload = c.p;
    pl.payload_len = (size_t)pl.payload_size;
    *out = pl;
    return 0;
}

int op_binlog_payload_inflate(const op_binlog_payload *pl, rt_buf *out, rt_err *err)
{
    const char *what = "TRANSACTION_PAYLOAD_EVENT";
    rt_buf_reset(out);
    if (pl->uncompressed_size > OP_BINLOG_MAX_EVENT_SIZE)
        return rt_err_set(err, RT_ECORRUPT, "%s: uncompressed size %llu is too large", what,
                          (unsigned long long)pl->uncompressed_size);
    if (pl->compression == OP_PAYLOAD_COMPRESSION_NONE) {
        rt_buf_append(out, pl->payload, pl->payload_len);
        return 0;
    }
    ZSTD_DStream *zs = ZSTD_createDStream();
    if (!zs)
        return rt_err_set(err, RT_ENOMEM, "%s: zstd init failed", what);
    ZSTD_initDStream(zs);
    ZSTD_inBuffer in = {pl->payload, pl->payload_len, 0};
    int rc = 0;
    size_t z = 1;
    while (z != 0) {
        size_t room = 65536;
        if (out->len + room > OP_BINLOG_MAX_EVENT_SIZE + 1)
            room = OP_BINLOG_MAX_EVENT_SIZE + 1 - out->len;
        if (room == 0) {
            rc = rt_err_set(err, RT_ECORRUPT, "%s: inflates beyond the event size limit", what);
            break;
        }
        ZSTD_outBuffer o = {rt_buf_reserve(out, room), room, 0};
        size_t before_in = in.pos;
        z = ZSTD_decompressStream(zs, &o, &in);
        rt_buf_advance(out, o.pos);
        if (ZSTD_isError(z)) {
            rc = rt_err_set(err, RT_ECORRUPT, "%s: zstd: %s", what, ZSTD_getErrorName(z));
            break;
        }
        if (z != 0 && o.pos == 0 && in.pos == before_in) {
            rc = rt_err_set(err, RT_ECORRUPT, "%s: zstd frame is cut short", what);
            break;
        }
    }
    ZSTD_freeDStream(zs);
    if (rc == 0 && in.pos != in.size)
        rc = rt_err_set(err, RT_ECORRUPT, "%s: %zu bytes after the zstd frame", what,
                        in.size - in.pos);
    if (rc == 0 && pl->uncompressed_size && out->len != pl->uncompressed_size)
        rc = rt_err_set(err, RT_ECORRUPT, "%s: inflated %zu bytes, header says %llu", what,
                        out->len, (unsigned long long)pl->uncompressed_size);
    if (rc)
        rt_buf_reset(out);
    return rc;
}
