/* The mysql_cdc source's checkpoint state (cdc_state.h): the binlog position in its own versioned
 * binary form (binlog_position.h) and the count of records emitted past it. */
#include "operators/mysql/cdc_state.h"

#include <stdlib.h>

#include "runtime/base/buf.h"

void op_cdc_state_init(op_cdc_state *s)
{
    op_binlog_pos_init(&s->position);
    s->txn_rows = 0;
}

void op_cdc_state_fini(op_cdc_state *s)
{
    op_binlog_pos_fini(&s->position);
    s->txn_rows = 0;
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
    return op_ctx_state_put(ctx, OP_CDC_STATE_TXN_ROWS, n, sizeof n, err);
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
    rc = op_binlog_pos_copy(&s->position, &pos, err);
    op_binlog_pos_fini(&pos);
    if (rc == 0)
        s->txn_rows = txn_rows;
    return rc;
}
