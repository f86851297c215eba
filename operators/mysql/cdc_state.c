/* The mysql_cdc source's checkpoint state (cdc_state.h): the binlog position in its own versioned
 * binary form (binlog_position.h) and the count of records emitted past it. */
#include "operators/mysql/cdc_state.h"

#include <stdlib.h>
#include <string.h>

#include "runtime/base/buf.h"

void op_cdc_state_init(op_cdc_state *s)
{
    memset(s, 0, sizeof *s);
    op_binlog_pos_init(&s->position);
}

void op_cdc_state_fini(op_cdc_state *s)
{
    op_binlog_pos_fini(&s->position);
    for (size_t i = 0; i < s->split_count; i++)
        op_snapshot_split_free(s->splits[i]);
    free(s->splits);
    free(s->history);
    memset(s, 0, sizeof *s);
    op_binlog_pos_init(&s->position);
}

int op_cdc_state_add_split(op_cdc_state *s, op_snapshot_split *split, rt_err *err)
{
    /* Grows by doubling: count is a power of two exactly when the array is full. */
    size_t n = s->split_count;
    if (n == 0 || (n & (n - 1)) == 0) {
        op_snapshot_split **p = realloc(s->splits, (n ? 2 * n : 1) * sizeof *p);
        if (!p) {
            op_snapshot_split_free(split);
            return rt_err_set(err, RT_ENOMEM, "mysql_cdc: out of memory");
        }
        s->splits = p;
    }
    s->splits[s->split_count++] = split;
    return 0;
}

static void put_u32(rt_buf *b, uint32_t v)
{
    unsigned char n[4];
    for (size_t i = 0; i < 4; i++)
        n[i] = (unsigned char)(v >> (8 * i));
    rt_buf_append(b, n, 4);
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int op_cdc_state_write_snapshot(op_ctx *ctx, bool running, op_snapshot_split *const *splits,
                                size_t count, rt_err *err)
{
    rt_buf b, one;
    rt_buf_init(&b);
    rt_buf_init(&one);
    unsigned char head[2] = {1, running ? 1 : 0};
    rt_buf_append(&b, head, 2);
    put_u32(&b, (uint32_t)count);
    for (size_t i = 0; i < count; i++) {
        rt_buf_reset(&one);
        op_snapshot_split_format(splits[i], &one);
        put_u32(&b, (uint32_t)one.len);
        rt_buf_append(&b, one.data, one.len);
    }
    int rc = op_ctx_state_put(ctx, OP_CDC_STATE_SNAPSHOT, b.data, b.len, err);
    rt_buf_fini(&one);
    rt_buf_fini(&b);
    return rc;
}

int op_cdc_state_parse_snapshot(const uint8_t *p, size_t len, op_cdc_state *s, bool *running,
                                rt_err *err)
{
    if (len < 6)
        return rt_err_set(err, RT_ECORRUPT, "snapshot: %zu bytes, truncated header", len);
    if (p[0] != 1)
        return rt_err_set(err, RT_ESTATE, "snapshot: version %u (this build reads 1)", p[0]);
    if (p[1] > 1)
        return rt_err_set(err, RT_ECORRUPT, "snapshot: running flag %u", p[1]);
    if (running)
        *running = p[1] == 1;
    uint32_t count = get_u32(p + 2);
    size_t at = 6;
    for (uint32_t i = 0; i < count; i++) {
        if (len - at < 4)
            return rt_err_set(err, RT_ECORRUPT, "snapshot: split %u: truncated length", i);
        uint32_t n = get_u32(p + at);
        at += 4;
        if (n > len - at)
            return rt_err_set(err, RT_ECORRUPT, "snapshot: split %u: %u bytes, %zu left", i, n,
                              len - at);
        op_snapshot_split *split = NULL;
        int rc = op_snapshot_split_parse(p + at, n, &split, err);
        if (rc == 0)
            rc = op_cdc_state_add_split(s, split, err);
        if (rc != 0)
            return rt_err_prefix(err, rc, "snapshot: split %u", i);
        at += n;
    }
    if (at != len)
        return rt_err_set(err, RT_ECORRUPT, "snapshot: %zu bytes left over", len - at);
    s->has_snapshot = true;
    return 0;
}

int op_cdc_state_write(op_ctx *ctx, const op_cdc_state *s, rt_err *err)
{
    rt_buf b;
    rt_buf_init(&b);
    op_binlog_pos_encode(&s->position, &b);
    int rc = op_ctx_state_put(ctx, OP_CDC_STATE_POSITION, b.data, b.len, err);
    rt_buf_fini(&b);
    if (rc != 0)
        return rc;
    unsigned char n[8];
    for (size_t i = 0; i < 8; i++)
        n[i] = (unsigned char)(s->txn_rows >> (8 * i));
    rc = op_ctx_state_put(ctx, OP_CDC_STATE_TXN_ROWS, n, sizeof n, err);
    if (rc == 0 && s->has_snapshot)
        rc = op_cdc_state_write_snapshot(ctx, s->snapshot_running, s->splits, s->split_count, err);
    if (rc == 0 && s->history)
        rc = op_ctx_state_put(ctx, OP_CDC_STATE_SCHEMA_HISTORY, s->history, s->history_len, err);
    return rc;
}

int op_cdc_state_read(op_ctx *ctx, op_cdc_state *s, rt_err *err)
{
    unsigned long long ckpt = (unsigned long long)op_ctx_restored_checkpoint(ctx);
    char *val = NULL;
    size_t len = 0;
    int rc = op_ctx_state_get(ctx, OP_CDC_STATE_POSITION, &val, &len, err);
    if (rc == RT_ENOTFOUND)
        return rt_err_set(err, RT_ENOTFOUND, "checkpoint %llu holds no binlog position", ckpt);
    if (rc != 0)
        return rt_err_prefix(err, rc, "restore from checkpoint %llu", ckpt);
    op_binlog_pos pos;
    op_binlog_pos_init(&pos);
    rc = op_binlog_pos_decode((const uint8_t *)val, len, &pos, err);
    free(val);
    if (rc != 0) {
        op_binlog_pos_fini(&pos);
        return rt_err_prefix(err, rc, "checkpoint %llu: binlog position", ckpt);
    }
    /* txn_rows came with the position from the start; a checkpoint without it is damaged. */
    uint64_t txn_rows = 0;
    rc = op_ctx_state_get(ctx, OP_CDC_STATE_TXN_ROWS, &val, &len, err);
    if (rc == 0 && len != 8) {
        free(val);
        rc = rt_err_set(err, RT_ECORRUPT, "checkpoint %llu: txn_rows is %zu bytes, not 8", ckpt,
                        len);
    } else if (rc == 0) {
        for (size_t i = 0; i < 8; i++)
            txn_rows |= (uint64_t)(unsigned char)val[i] << (8 * i);
        free(val);
    } else if (rc == RT_ENOTFOUND) {
        rc =
            rt_err_set(err, RT_ECORRUPT, "checkpoint %llu: binlog position without txn_rows", ckpt);
    }
    if (rc != 0) {
        op_binlog_pos_fini(&pos);
        return rc;
    }
    /* The snapshot's progress, when it has one; read into a fresh state so that s is replaced
     * on success only. */
    op_cdc_state snap;
    op_cdc_state_init(&snap);
    rc = op_ctx_state_get(ctx, OP_CDC_STATE_SNAPSHOT, &val, &len, err);
    if (rc == 0) {
        rc = op_cdc_state_parse_snapshot((const uint8_t *)val, len, &snap,
                                         &snap.snapshot_running, err);
        free(val);
        if (rc != 0)
            rt_err_prefix(err, rc, "checkpoint %llu", ckpt);
    } else if (rc == RT_ENOTFOUND) {
        rc = 0;
    }
    if (rc == 0) {
        /* Checked when the reader decodes it; here only carried. */
        rc = op_ctx_state_get(ctx, OP_CDC_STATE_SCHEMA_HISTORY, &val, &len, err);
        if (rc == 0) {
            snap.history = (uint8_t *)val;
            snap.history_len = len;
        } else if (rc == RT_ENOTFOUND) {
            rc = 0;
        }
    }
    if (rc == 0)
        rc = op_binlog_pos_copy(&snap.position, &pos, err);
    op_binlog_pos_fini(&pos);
    if (rc != 0) {
        op_cdc_state_fini(&snap);
        return rc;
    }
    snap.txn_rows = txn_rows;
    op_cdc_state_fini(s);
    *s = snap;
    return 0;
}
