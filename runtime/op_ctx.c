/* The operator context: how an operator reaches the runtime (emit downstream, batches, catalog,
 * identity, its metrics, its state in checkpoints), and the one place that turns an operator's
 * error into the task's failure. */
#include "runtime/task.h"

#include "runtime/base/log.h"

int rt_task_op_failed(op_ctx *ctx, int rc, rt_err *err)
{
    rt_task *t = ctx->task;
    rt_job *job = t->job;
    /* Once the job stops, channels return ECANCELED and operators pass it up: that is the
     * consequence of the stop, not a failure of this vertex. */
    if (rc == RT_ECANCELED && atomic_load(&job->stopping))
        return rc;
    if (t->failed)
        return rc; /* already recorded by an operator further down the chain */
    t->failed = true;
    t->fail_code = rc;
    rt_err local;
    if (!err) {
        rt_err_clear(&local);
        err = &local;
    }
    /* The tag names the vertex already; the job's failure needs it in the message. */
    if (atomic_load(&job->stopping))
        LOG_DEBUG("%s: failed while stopping: %s", ctx->tag, err->msg);
    else
        LOG_ERROR("%s: %s", ctx->tag, err->msg[0] ? err->msg : rt_err_code_desc(rc));
    rt_err_prefix(err, rc, "vertex '%s'#%u", ctx->gv->id, t->subtask);
    rt_job_fail(job, err);
    return rc;
}

int rt_task_op_process(op_ctx *ctx, size_t input, rt_batch *batch, rt_err *err)
{
    rt_metric_add(ctx->records_in, rt_batch_count(batch));
    rt_metric_add(ctx->batches_in, 1);
    rt_err_clear(err);
    int rc = ctx->type->process(ctx->self, ctx, input, batch, err);
    rt_batch_unref(batch);
    if (rc != 0)
        return rt_task_op_failed(ctx, rc, err);
    return ctx->task->failed ? ctx->task->fail_code : 0;
}

int op_ctx_emit(op_ctx *ctx, rt_batch *batch, rt_err *err)
{
    rt_task *t = ctx->task;
    if (t->outputs_ended || t->closing) {
        rt_batch_unref(batch);
        return rt_err_set(err, RT_EINTERNAL, "emit after end of input");
    }
    rt_metric_add(ctx->records_out, rt_batch_count(batch));
    rt_metric_add(ctx->batches_out, 1);
    if (ctx->pos + 1 < t->op_count) {
        /* The next operator of the chain runs right here, on this thread: chaining is a call. */
        rt_err local;
        return rt_task_op_process(&t->ops[ctx->pos + 1], 0, batch, err ? err : &local);
    }
    if (rt_output_channel_count(t->output) == 0) {
        rt_batch_unref(batch);
        return rt_err_set(err, RT_EINTERNAL, "emit: no downstream (a sink cannot emit)");
    }
    return rt_output_emit(t->output, batch, err);
}

rt_batch *op_ctx_batch_new(op_ctx *ctx)
{
    return rt_batch_new(ctx->task->job->pool);
}

size_t op_ctx_batch_rows(const op_ctx *ctx)
{
    return ctx->task->job->batch_rows;
}

rt_catalog *op_ctx_catalog(op_ctx *ctx)
{
    return ctx->task->job->catalog;
}

const char *op_ctx_job_name(const op_ctx *ctx)
{
    return ctx->task->job->name;
}

const char *op_ctx_vertex_id(const op_ctx *ctx)
{
    return ctx->gv->id;
}

uint32_t op_ctx_subtask(const op_ctx *ctx)
{
    return ctx->task->subtask;
}

uint32_t op_ctx_parallelism(const op_ctx *ctx)
{
    return ctx->task->parallelism;
}

bool op_ctx_is_canceled(const op_ctx *ctx)
{
    return atomic_load_explicit(&ctx->task->job->stopping, memory_order_relaxed);
}

const char *op_ctx_log_tag(const op_ctx *ctx)
{
    return ctx->tag;
}

/* --- Metrics --- */

static rt_metric *register_metric(op_ctx *ctx, rt_metric_kind kind, const char *name,
                                  const char *help, const char *label_key, const char *label_value)
{
    const rt_metric_labels l = {.vertex = ctx->gv->id,
                                .subtask = ctx->task->subtask,
                                .key = label_key,
                                .value = label_value};
    rt_metric *m = NULL;
    rt_err err;
    rt_err_clear(&err);
    /* Metrics are for watching the job, not part of its work: a failure here costs the series,
     * never the job. Registration happens at open, so this logs once, not per record. */
    if (rt_metrics_register(ctx->task->job->metrics, kind, name, help, &l, &m, &err) != 0) {
        LOG_WARN("%s: %s (the operator goes on without it)", ctx->tag, err.msg);
        return NULL;
    }
    return m;
}

rt_metric *op_ctx_counter(op_ctx *ctx, const char *name, const char *help, const char *label_key,
                          const char *label_value)
{
    return register_metric(ctx, RT_METRIC_COUNTER, name, help, label_key, label_value);
}

rt_metric *op_ctx_gauge(op_ctx *ctx, const char *name, const char *help, const char *label_key,
                        const char *label_value)
{
    return register_metric(ctx, RT_METRIC_GAUGE, name, help, label_key, label_value);
}

rt_metric *op_ctx_gauge_double(op_ctx *ctx, const char *name, const char *help,
                               const char *label_key, const char *label_value)
{
    return register_metric(ctx, RT_METRIC_GAUGE_DOUBLE, name, help, label_key, label_value);
}

rt_metric *op_ctx_info(op_ctx *ctx, const char *name, const char *help, const char *label_key,
                       const char *label_value)
{
    return register_metric(ctx, RT_METRIC_INFO, name, help, label_key, label_value);
}

/* --- State --- */

bool op_ctx_checkpointing(const op_ctx *ctx)
{
    return ctx->task->job->state != NULL;
}

int op_ctx_state_put(op_ctx *ctx, const char *key, const void *val, size_t len, rt_err *err)
{
    if (!ctx->writer)
        return rt_err_set(err, RT_EINTERNAL, "state put outside snapshot_state");
    return st_writer_put(ctx->writer, key, val, len, err);
}

uint64_t op_ctx_restored_checkpoint(const op_ctx *ctx)
{
    return ctx->task->job->restore_id;
}

int op_ctx_state_get(op_ctx *ctx, const char *key, char **val, size_t *len, rt_err *err)
{
    rt_job *job = ctx->task->job;
    if (!job->restore_id)
        return rt_err_set(err, RT_ENOTFOUND, "state '%s': not restored from a checkpoint", key);
    return st_backend_get(job->state, job->restore_id, ctx->gv->id, ctx->task->subtask, key, val,
                          len, err);
}

int op_ctx_state_get_subtask(op_ctx *ctx, uint32_t subtask, const char *key, char **val,
                             size_t *len, rt_err *err)
{
    rt_job *job = ctx->task->job;
    if (!job->restore_id)
        return rt_err_set(err, RT_ENOTFOUND, "state '%s': not restored from a checkpoint", key);
    return st_backend_get(job->state, job->restore_id, ctx->gv->id, subtask, key, val, len, err);
}
