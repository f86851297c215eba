/* sink_restore: the starrocks sink's restore (notes §4.4): commit the prepared transactions the
 * checkpoint recorded, roll back this subtask's labels begun after it, then apply the schema
 * changes the checkpoint queued (sink_evolve.c). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "operators/starrocks/starrocks_sink_int.h"
#include "runtime/base/log.h"

/* Rolls back this subtask's labels of table i from its next id upward, until one that never
 * began (UNKNOWN) or is already aborted. */
static int abort_lingering(sr_sink *s, size_t i, rt_err *err)
{
    const char *db = op_sr_ledger_table_db(s->ledger, i);
    for (uint64_t id = op_sr_ledger_next_id(s->ledger, i);; id++) {
        char label[OP_SR_LABEL_MAX + 1];
        int rc = op_sr_ledger_label(s->ledger, i, op_sr_ledger_state_prefix(s->ledger), id, label,
                                    sizeof label, err);
        op_sr_load_state st = OP_SR_STATE_UNKNOWN;
        if (rc == 0)
            rc = op_stream_load_get_load_state(s->client, db, label, &st, err);
        if (rc == RT_ENOTFOUND) /* no such database: nothing can linger in it */
            return 0;
        if (rc != 0)
            return rt_err_prefix(err, rc, "starrocks: restore: state of '%s'", label);
        if (st == OP_SR_STATE_UNKNOWN || st == OP_SR_STATE_ABORTED)
            return 0;
        if (op_sr_load_state_is_committed(st))
            return rt_err_set(err, RT_ESTATE,
                              "starrocks: restore: label '%s' after the restored checkpoint is "
                              "already committed (%s): the job restored from an older checkpoint "
                              "than its newest, or another job uses the prefix; use a new "
                              "label_prefix",
                              label, op_sr_load_state_name(st));
        op_sr_result res;
        rc = op_stream_load_rollback(s->client, db, label, &res, err);
        if (rc != 0 && rc != RT_ENOTFOUND)
            return rt_err_prefix(err, rc, "starrocks: restore: roll back '%s'", label);
        rt_err_clear(err);
        rt_metric_add(s->m_aborted, 1);
        LOG_INFO("%s: starrocks: rolled back lingering %s (%s)", s->tag, label,
                 op_sr_load_state_name(st));
    }
}

int op_sr_sink_restore(sr_sink *s, op_ctx *ctx, uint64_t ckpt, rt_err *err)
{
    char *val = NULL;
    size_t len = 0;
    int rc = op_ctx_state_get(ctx, OP_SR_SINK_STATE_TXN, &val, &len, err);
    if (rc == RT_ENOTFOUND)
        return rt_err_set(err, RT_ECORRUPT,
                          "starrocks: checkpoint %" PRIu64 " holds no transaction state for "
                          "subtask %u",
                          ckpt, s->subtask);
    if (rc != 0)
        return rt_err_prefix(err, rc, "starrocks: restore from checkpoint %" PRIu64, ckpt);
    op_sr_ledger_free(s->ledger);
    s->ledger = NULL;
    rc = op_sr_ledger_decode(val, len, s->prefix, s->subtask, &s->ledger, err);
    free(val);
    if (rc != 0)
        return rc;
    size_t pending = op_sr_ledger_pending_count(s->ledger);
    /* Commit what the checkpoint prepared, as notifyCheckpointComplete(MAX) does. */
    if ((rc = op_sr_sink_commit_upto(s, UINT64_MAX, err)) != 0)
        return rc;
    for (size_t i = 0; i < op_sr_ledger_table_count(s->ledger); i++) {
        if ((rc = abort_lingering(s, i, err)) != 0)
            return rc;
    }
    /* Then the schema changes the checkpoint queued: their rows before are committed now. */
    s->last_prepared = ckpt;
    if ((rc = op_sr_evolve_restore(s, ctx, err)) != 0)
        return rc;
    LOG_INFO("%s: starrocks: restored checkpoint %" PRIu64 ": %zu transactions committed, %zu "
             "tables",
             s->tag, ckpt, pending, op_sr_ledger_table_count(s->ledger));
    return 0;
}
