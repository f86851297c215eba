/* A task: one subtask of an operator chain on its own thread. It opens the chain, drives it
 * (polls a source head, or feeds the head from its input gate), serves its mailbox in between
 * (checkpoint triggers and notifications), aligns barriers and snapshots the chain, finishes it at
 * end of input, sends end of input downstream, and always closes what it opened. */
#include "runtime/task.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/base/clock.h"
#include "runtime/base/config.h"
#include "runtime/base/failpoint.h"
#include "runtime/base/log.h"

/* How long a gate pop waits before the task looks around; neither mail nor cancel depends on
 * it, since a post wakes the gate and canceling it wakes the pop at once. */
#define GATE_POLL_MS 50
/* How long a source that reported IDLE waits (for mail, at most) before polling again. */
#define SOURCE_IDLE_MS 1
/* How long a source stopped by a stop-with-savepoint waits for mail before it looks at the job
 * again; posts and cancel wake it at once. */
#define STOPPED_WAIT_MS 100

static char *format_tag(const char *job, const char *vertex, uint32_t subtask)
{
    int n = snprintf(NULL, 0, "job=%s op=%s#%u", job, vertex, subtask);
    char *tag = malloc((size_t)n + 1);
    if (tag)
        snprintf(tag, (size_t)n + 1, "job=%s op=%s#%u", job, vertex, subtask);
    return tag;
}

/* The series every operator gets: registered when the task is built, before the operator opens,
 * so that they are there (at 0) for readers from the start. A restart finds the same series and
 * goes on counting from where the failed attempt left off, as a Prometheus counter must. */
static int register_counters(rt_job *job, op_ctx *ctx, rt_err *err)
{
    const rt_metric_labels l = {.vertex = ctx->gv->id, .subtask = ctx->task->subtask};
    int rc = rt_metrics_register(job->metrics, RT_METRIC_COUNTER, "sluice_records_in_total",
                                 "Records the operator received, all inputs together.", &l,
                                 &ctx->records_in, err);
    if (rc == 0)
        rc = rt_metrics_register(job->metrics, RT_METRIC_COUNTER, "sluice_records_out_total",
                                 "Records the operator emitted.", &l, &ctx->records_out, err);
    if (rc == 0)
        rc = rt_metrics_register(job->metrics, RT_METRIC_COUNTER, "sluice_batches_in_total",
                                 "Batches the operator received.", &l, &ctx->batches_in, err);
    if (rc == 0)
        rc = rt_metrics_register(job->metrics, RT_METRIC_COUNTER, "sluice_batches_out_total",
                                 "Batches the operator emitted.", &l, &ctx->batches_out, err);
    return rc;
}

static int init_op(rt_task *t, op_ctx *ctx, size_t pos, size_t vertex, rt_op_lookup lookup,
                   rt_err *err)
{
    rt_job *job = t->job;
    const graph_vertex *gv = graph_job_vertex(job->graph, vertex);
    ctx->task = t;
    ctx->pos = pos;
    ctx->vertex = vertex;
    ctx->gv = gv;
    ctx->type = lookup(gv->type);
    if (!ctx->type)
        return rt_err_set(err, RT_EINVAL, "vertex '%s': unknown operator type '%s'", gv->id,
                          gv->type);
    bool polled = pos == 0 && gv->kind == GRAPH_KIND_SOURCE;
    if (polled && !ctx->type->poll)
        return rt_err_set(err, RT_EINVAL, "vertex '%s': source type '%s' has no poll", gv->id,
                          gv->type);
    if (!polled && !ctx->type->process)
        return rt_err_set(err, RT_EINVAL, "vertex '%s': type '%s' has no process", gv->id,
                          gv->type);
    ctx->tag = format_tag(job->name, gv->id, t->subtask);
    size_t size = ctx->type->info.config_size;
    ctx->config = calloc(1, size ? size : 1);
    if (!ctx->tag || !ctx->config)
        return rt_err_set(err, RT_ENOMEM, "vertex '%s': out of memory", gv->id);
    if (ctx->type->info.config) {
        char path[64];
        snprintf(path, sizeof path, "$.operators[%zu].config", vertex);
        int rc = rt_config_apply(ctx->type->info.config, ctx->config, gv->config_json, path, err);
        if (rc != 0)
            return rt_err_prefix(err, rc, "vertex '%s'", gv->id);
    }
    int rc = register_counters(job, ctx, err);
    return rc != 0 ? rt_err_prefix(err, rc, "vertex '%s'", gv->id) : 0;
}

int rt_task_init(rt_job *job, size_t index, rt_op_lookup lookup, rt_err *err)
{
    rt_task *t = &job->tasks[index];
    const graph_plan_task *pt = graph_plan_task_at(job->plan, index);
    const graph_plan_chain *chain = graph_plan_chain_at(job->plan, pt->chain);
    t->job = job;
    t->index = index;
    t->subtask = pt->subtask;
    t->parallelism = chain->parallelism;
    t->gate = job->gates[index];
    RT_ASSERT(chain->vertex_count > 0);

    t->ops = calloc(chain->vertex_count, sizeof *t->ops);
    t->gate_to_input = calloc(pt->input_count ? pt->input_count : 1, sizeof *t->gate_to_input);
    t->state_bytes = calloc(chain->vertex_count, sizeof *t->state_bytes);
    t->writers = calloc(chain->vertex_count, sizeof *t->writers);
    /* A task with inputs sleeps in its gate: a post wakes that. One without sleeps in the
     * mailbox itself. */
    t->mailbox = rt_mailbox_new(pt->input_count ? t->gate : NULL);
    if (pt->input_count)
        t->aligner = rt_barrier_aligner_new(t->gate);
    if (!t->ops || !t->gate_to_input || !t->state_bytes || !t->writers || !t->mailbox ||
        (pt->input_count && !t->aligner))
        return rt_err_set(err, RT_ENOMEM, "task %zu: out of memory", index);
    /* op_count grows as operators are built, so rt_task_fini frees exactly those. */
    for (size_t k = 0; k < chain->vertex_count; k++) {
        t->op_count = k + 1;
        int rc = init_op(t, &t->ops[k], k, chain->vertices[k], lookup, err);
        if (rc != 0)
            return rc;
    }
    t->source = t->ops[0].gv->kind == GRAPH_KIND_SOURCE;

    /* The gate numbers the task's input channels; the head operator wants the job-graph input
     * (the edge's position among its inputs), which several channels share. */
    size_t channels = graph_plan_channel_count(job->plan);
    for (size_t i = 0; i < channels; i++) {
        const graph_plan_channel *c = graph_plan_channel_at(job->plan, i);
        if (c->to_task != index)
            continue;
        RT_ASSERT(c->gate_index < pt->input_count);
        t->gate_to_input[c->gate_index] = graph_job_edge(job->graph, c->edge)->input_index;
    }
    return rt_output_new(job->graph, job->plan, index, job->gates, job->pool, &t->output, err);
}

void rt_task_fini(rt_task *t)
{
    for (size_t k = 0; k < t->op_count; k++) {
        op_ctx *ctx = &t->ops[k];
        if (ctx->config && ctx->type && ctx->type->info.config)
            rt_config_free(ctx->type->info.config, ctx->config);
        free(ctx->config);
        free(ctx->tag);
    }
    free(t->ops);
    free(t->gate_to_input);
    free(t->state_bytes);
    free(t->writers);
    rt_mailbox_free(t->mailbox);
    rt_barrier_aligner_free(t->aligner);
    rt_output_free(t->output);
}

/* Tail first, so that whatever an operator emits from open finds its downstream ready. */
static int open_chain(rt_task *t, rt_err *err)
{
    for (size_t k = t->op_count; k-- > 0;) {
        op_ctx *ctx = &t->ops[k];
        if (ctx->type->open) {
            rt_err_clear(err);
            int rc = ctx->type->open(ctx, ctx->config, &ctx->self, err);
            if (rc != 0)
                return rt_task_op_failed(ctx, rc, err);
        }
        ctx->opened = true;
        if (t->failed)
            return t->fail_code; /* what it emitted from open failed downstream */
    }
    return 0;
}

static void close_chain(rt_task *t)
{
    t->closing = true;
    for (size_t k = 0; k < t->op_count; k++) {
        op_ctx *ctx = &t->ops[k];
        if (ctx->opened && ctx->type->close)
            ctx->type->close(ctx->self, ctx);
        ctx->opened = false;
    }
}

/* --- Checkpoints --- */

/* The checkpoint failed in this task: it declines (so that the coordinator aborts the
 * checkpoint at once instead of waiting for its timeout), then fails with the error, which names
 * the operator, culprit. The decline goes first: the checkpoint thread then sees it no later than
 * the job's failure, so the checkpoint's failure says what went wrong. */
static int decline(rt_task *t, uint64_t id, op_ctx *culprit, int rc, rt_err *err)
{
    rt_err reason;
    if (err)
        reason = *err;
    else
        rt_err_clear(&reason);
    /* Once the task failed (further down the chain), the message names the vertex already. */
    if (!t->failed)
        rt_err_prefix(&reason, rc, "vertex '%s'#%u", culprit->gv->id, t->subtask);
    rt_job_checkpoint_decline(t->job, t, id, reason.msg);
    return rt_task_op_failed(culprit, rc, err);
}

static void free_writers(rt_task *t)
{
    for (size_t k = 0; k < t->op_count; k++) {
        st_writer_free(t->writers[k]);
        t->writers[k] = NULL;
    }
}

/* Takes checkpoint id of the whole chain. prepare_snapshot runs head to tail first, so that what
 * a flush emits reaches the operators after it before they prepare in turn; then snapshot_state
 * head to tail, each operator into its own writer; the writers are committed only once every
 * operator is done, so that a failing chain leaves nothing half written. Fills t->state_bytes. */
static int snapshot_chain(rt_task *t, uint64_t id, rt_err *err)
{
    rt_job *job = t->job;
    RT_ASSERT(job->state); /* only the coordinator, which needs a backend, makes barriers */
    rt_err_clear(err);
    int rc = t->source ? FAILPOINT("source.before_snapshot", err) : 0;
    if (rc != 0)
        return decline(t, id, &t->ops[0], rc, err);
    for (size_t k = 0; k < t->op_count; k++) {
        op_ctx *ctx = &t->ops[k];
        if (!ctx->type->prepare_snapshot)
            continue;
        rt_err_clear(err);
        rc = ctx->type->prepare_snapshot(ctx->self, ctx, id, err);
        if (rc == 0 && t->failed)
            rc = t->fail_code; /* what it flushed failed further down the chain */
        if (rc != 0)
            return decline(t, id, ctx, rc, err);
    }

    op_ctx *culprit = &t->ops[0];
    memset(t->state_bytes, 0, t->op_count * sizeof *t->state_bytes);
    for (size_t k = 0; k < t->op_count && rc == 0; k++) {
        op_ctx *ctx = culprit = &t->ops[k];
        if (!ctx->type->snapshot_state)
            continue;
        t->writers[k] = st_writer_new(job->state, id, ctx->gv->id, t->subtask);
        if (!t->writers[k]) {
            rc = rt_err_set(err, RT_ENOMEM, "state writer: out of memory");
            break;
        }
        rt_err_clear(err);
        ctx->writer = t->writers[k];
        rc = ctx->type->snapshot_state(ctx->self, ctx, id, err);
        ctx->writer = NULL;
    }
    for (size_t k = 0; k < t->op_count && rc == 0; k++) {
        if (!t->writers[k])
            continue;
        culprit = &t->ops[k];
        rt_err_clear(err);
        rc = FAILPOINT("state.before_write", err);
        if (rc == 0)
            rc = st_writer_commit(t->writers[k], &t->state_bytes[k], err);
    }
    free_writers(t);
    if (rc != 0)
        return decline(t, id, culprit, rc, err);
    t->last_snapshot = id;
    return 0;
}

static int forward_barrier(rt_task *t, uint64_t id, rt_err *err)
{
    rt_err_clear(err);
    int rc = FAILPOINT("task.before_barrier_forward", err);
    if (rc == 0)
        rc = rt_output_event(t->output, RT_ELEM_BARRIER, id, err);
    if (rc != 0)
        return decline(t, id, &t->ops[t->op_count - 1], rc, err);
    return 0;
}

static int ack(rt_task *t, uint64_t id, int64_t alignment_ms, rt_err *err)
{
    int rc = rt_job_checkpoint_ack(t->job, t, id, alignment_ms, err);
    return rc != 0 ? rt_task_op_failed(&t->ops[0], rc, err) : 0;
}

/* Barrier alignment completed: snapshot, send the barrier on, let the inputs flow again. */
static int checkpoint_aligned(rt_task *t, rt_err *err)
{
    uint64_t id = rt_barrier_aligner_current(t->aligner);
    int rc = snapshot_chain(t, id, err);
    if (rc == 0)
        rc = forward_barrier(t, id, err);
    rt_barrier_aligner_release(t->aligner);
    return rc != 0 ? rc : ack(t, id, rt_barrier_aligner_alignment_ms(t->aligner), err);
}

static int on_trigger(rt_task *t, const rt_mail *m, rt_err *err)
{
    uint64_t id = m->checkpoint_id;
    /* A task past its end of input is triggered for every pending checkpoint, some of which it
     * may have taken already through their barriers; a running task other than a source takes
     * the checkpoint when its barriers come. */
    if (id <= t->last_snapshot || (!t->ended && !t->source))
        return 0;
    int rc = snapshot_chain(t, id, err);
    if (rc == 0 && !t->ended)
        rc = forward_barrier(t, id, err);
    if (rc != 0)
        return rc;
    if (!t->ended && m->stop)
        t->stopped_at = id;
    return ack(t, id, 0, err);
}

static int notify_chain(rt_task *t, const rt_mail *m, rt_err *err)
{
    uint64_t id = m->checkpoint_id;
    bool complete = m->kind == RT_MAIL_NOTIFY_COMPLETE;
    rt_err_clear(err);
    if (complete) {
        int rc = FAILPOINT("task.before_notify", err);
        if (rc != 0)
            return rt_task_op_failed(&t->ops[0], rc, err);
    } else {
        if (t->aligner)
            rt_barrier_aligner_abort(t->aligner, id);
        if (t->stopped_at == id)
            t->stopped_at = 0; /* the stop-with-savepoint failed: the source goes on */
    }
    for (size_t k = 0; k < t->op_count; k++) {
        op_ctx *ctx = &t->ops[k];
        int (*slot)(void *, op_ctx *, uint64_t, rt_err *) =
            complete ? ctx->type->notify_checkpoint_complete : ctx->type->notify_checkpoint_aborted;
        if (!slot)
            continue;
        rt_err_clear(err);
        int rc = slot(ctx->self, ctx, id, err);
        if (rc == 0 && t->failed)
            rc = t->fail_code;
        if (rc != 0)
            return rt_task_op_failed(ctx, rc, err);
    }
    if (!complete)
        return 0;
    int rc = rt_job_checkpoint_notified(t->job, t, id, err);
    return rc != 0 ? rt_task_op_failed(&t->ops[0], rc, err) : 0;
}

/* Serves every mail queued now. */
static int serve_mail(rt_task *t, rt_err *err)
{
    rt_mail m;
    while (!t->close_requested && rt_mailbox_take(t->mailbox, &m)) {
        int rc = 0;
        switch (m.kind) {
        case RT_MAIL_TRIGGER:
            rc = on_trigger(t, &m, err);
            break;
        case RT_MAIL_NOTIFY_COMPLETE:
        case RT_MAIL_NOTIFY_ABORTED:
            rc = notify_chain(t, &m, err);
            break;
        case RT_MAIL_CLOSE:
            t->close_requested = true;
            break;
        }
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* --- Running --- */

static int run_source(rt_task *t, rt_err *err)
{
    op_ctx *head = &t->ops[0];
    for (;;) {
        if (atomic_load_explicit(&t->job->stopping, memory_order_relaxed))
            return RT_ECANCELED;
        int rc = serve_mail(t, err);
        if (rc != 0)
            return rc;
        if (t->stopped_at) {
            /* Stop-with-savepoint: nothing after the barrier, until the job is canceled (or the
             * savepoint fails and the source goes on). */
            if (rt_mailbox_wait(t->mailbox, STOPPED_WAIT_MS) == RT_ECANCELED)
                return RT_ECANCELED;
            continue;
        }
        rt_err_clear(err);
        rc = head->type->poll(head->self, head, err);
        if (rc < 0)
            return rt_task_op_failed(head, rc, err);
        if (t->failed)
            return t->fail_code;
        switch (rc) {
        case OP_POLL_MORE:
            break;
        case OP_POLL_IDLE:
            /* An interruptible sleep that mail and cancel cut short. */
            if (rt_mailbox_wait(t->mailbox, SOURCE_IDLE_MS) == RT_ECANCELED)
                return RT_ECANCELED;
            break;
        case OP_POLL_END:
            return 0;
        default:
            rt_err_set(err, RT_EINTERNAL, "poll returned %d", rc);
            return rt_task_op_failed(head, RT_EINTERNAL, err);
        }
    }
}

static int run_gate(rt_task *t, rt_err *err)
{
    size_t inputs = rt_gate_input_count(t->gate), ended = 0;
    while (ended < inputs) {
        int rc = serve_mail(t, err);
        if (rc != 0)
            return rc;
        rt_elem e;
        size_t in;
        rc = rt_gate_pop(t->gate, &e, &in, GATE_POLL_MS, err);
        if (rc == RT_ETIMEDOUT)
            continue;
        if (rc != 0)
            return rc;
        rt_align_result r = RT_ALIGN_NONE;
        switch (e.kind) {
        case RT_ELEM_BATCH:
            rc = rt_task_op_process(&t->ops[0], t->gate_to_input[in], e.batch, err);
            break;
        case RT_ELEM_BARRIER:
            r = rt_barrier_aligner_on_barrier(t->aligner, in, e.checkpoint_id, rt_clock_mono_ms());
            break;
        case RT_ELEM_END:
            /* An ended input counts as aligned: that may be what the alignment waited for. */
            ended++;
            r = rt_barrier_aligner_on_end(t->aligner, in, rt_clock_mono_ms());
            break;
        }
        if (rc == 0 && r == RT_ALIGN_ALIGNED)
            rc = checkpoint_aligned(t, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* End of input: finish head to tail (what a finish emits still flows through the operators
 * after it, which finish later), then tell every consumer. */
static int finish_chain(rt_task *t, rt_err *err)
{
    for (size_t k = 0; k < t->op_count; k++) {
        op_ctx *ctx = &t->ops[k];
        if (!ctx->type->finish)
            continue;
        rt_err_clear(err);
        int rc = ctx->type->finish(ctx->self, ctx, err);
        if (rc != 0)
            return rt_task_op_failed(ctx, rc, err);
        if (t->failed)
            return t->fail_code;
    }
    t->outputs_ended = true;
    return rt_output_event(t->output, RT_ELEM_END, 0, err);
}

/* After end of input with checkpoints on, the chain stays open: the final checkpoint (and any
 * still pending) must snapshot it, and its sinks commit only when notified. The job sends CLOSE
 * once every task has been notified of the final checkpoint. */
static int serve_ended(rt_task *t, rt_err *err)
{
    t->ended = true;
    int rc = rt_job_task_ended(t->job, t, err);
    if (rc != 0)
        return rt_task_op_failed(&t->ops[0], rc, err);
    for (;;) {
        rc = serve_mail(t, err);
        if (rc != 0)
            return rc;
        if (t->close_requested)
            return 0;
        if (rt_mailbox_wait(t->mailbox, -1) == RT_ECANCELED)
            return RT_ECANCELED;
    }
}

void *rt_task_main(void *arg)
{
    rt_task *t = arg;
    rt_err err;
    rt_err_clear(&err);
    int rc = open_chain(t, &err);
    if (rc == 0)
        rc = t->source ? run_source(t, &err) : run_gate(t, &err);
    if (rc == 0)
        rc = finish_chain(t, &err);
    if (rc == 0 && t->job->state)
        rc = serve_ended(t, &err);
    close_chain(t);
    rt_job_task_done(t->job, t, rc);
    return NULL;
}
