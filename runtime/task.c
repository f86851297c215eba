/* A task: one subtask of an operator chain on its own thread. It opens the chain, drives it
 * (polls a source head, or feeds the head from its input gate), finishes it at end of input,
 * sends end of input downstream, and always closes what it opened. */
#include "runtime/task.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/base/config.h"
#include "runtime/base/log.h"

/* How long a gate pop waits before the task looks around (mailbox, later); cancel does not
 * depend on it, since canceling the gate wakes the pop at once. */
#define GATE_POLL_MS 50
/* How long a source that reported IDLE waits before polling again. */
#define SOURCE_IDLE_MS 1

static char *format_tag(const char *job, const char *vertex, uint32_t subtask)
{
    int n = snprintf(NULL, 0, "job=%s op=%s#%u", job, vertex, subtask);
    char *tag = malloc((size_t)n + 1);
    if (tag)
        snprintf(tag, (size_t)n + 1, "job=%s op=%s#%u", job, vertex, subtask);
    return tag;
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
    atomic_init(&ctx->records_in, 0);
    atomic_init(&ctx->records_out, 0);
    atomic_init(&ctx->batches_in, 0);
    atomic_init(&ctx->batches_out, 0);
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
    return 0;
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
    if (!t->ops || !t->gate_to_input)
        return rt_err_set(err, RT_ENOMEM, "task %zu: out of memory", index);
    /* op_count grows as operators are built, so rt_task_fini frees exactly those. */
    for (size_t k = 0; k < chain->vertex_count; k++) {
        t->op_count = k + 1;
        int rc = init_op(t, &t->ops[k], k, chain->vertices[k], lookup, err);
        if (rc != 0)
            return rc;
    }

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

static int run_source(rt_task *t, rt_err *err)
{
    op_ctx *head = &t->ops[0];
    for (;;) {
        if (atomic_load_explicit(&t->job->stopping, memory_order_relaxed))
            return RT_ECANCELED;
        rt_err_clear(err);
        int rc = head->type->poll(head->self, head, err);
        if (rc < 0)
            return rt_task_op_failed(head, rc, err);
        if (t->failed)
            return t->fail_code;
        switch (rc) {
        case OP_POLL_MORE:
            break;
        case OP_POLL_IDLE: {
            /* The gate of a source has no inputs: popping it is an interruptible sleep that
             * cancel (and later the mailbox) cuts short. */
            rt_elem e;
            size_t in;
            if (rt_gate_pop(t->gate, &e, &in, SOURCE_IDLE_MS, NULL) == RT_ECANCELED)
                return RT_ECANCELED;
            break;
        }
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
        rt_elem e;
        size_t in;
        int rc = rt_gate_pop(t->gate, &e, &in, GATE_POLL_MS, err);
        if (rc == RT_ETIMEDOUT)
            continue;
        if (rc != 0)
            return rc;
        switch (e.kind) {
        case RT_ELEM_BATCH:
            rc = rt_task_op_process(&t->ops[0], t->gate_to_input[in], e.batch, err);
            if (rc != 0)
                return rc;
            break;
        case RT_ELEM_BARRIER:
            /* Until alignment exists, a barrier passes through once per checkpoint, however
             * many inputs deliver it. */
            if (e.checkpoint_id > t->last_barrier) {
                t->last_barrier = e.checkpoint_id;
                rc = rt_output_event(t->output, RT_ELEM_BARRIER, e.checkpoint_id, err);
                if (rc != 0)
                    return rc;
            }
            break;
        case RT_ELEM_END:
            ended++;
            break;
        }
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

void *rt_task_main(void *arg)
{
    rt_task *t = arg;
    rt_err err;
    rt_err_clear(&err);
    int rc = open_chain(t, &err);
    if (rc == 0) {
        bool source = t->ops[0].gv->kind == GRAPH_KIND_SOURCE;
        rc = source ? run_source(t, &err) : run_gate(t, &err);
    }
    if (rc == 0)
        rc = finish_chain(t, &err);
    close_chain(t);
    rt_job_task_done(t->job, t, rc);
    return NULL;
}
