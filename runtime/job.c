/* A running job: builds the execution graph (gates, tasks, outputs) from the physical plan, runs
 * one thread per task, and turns the first cancel or failure into the job's outcome, which
 * becomes its status once every thread is done. With a state backend it also runs the
 * checkpoint thread (job_checkpoint.c). */
#include "runtime/job.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/base/clock.h"
#include "runtime/base/log.h"
#include "runtime/checkpoint_coordinator.h"
#include "runtime/job_checkpoint.h"
#include "runtime/task.h"

#define DEFAULT_CHANNEL_CAPACITY 8
#define DEFAULT_BATCH_ROWS 1024
/* Upper bound of recycled batches the pool keeps (each keeps at most a 1 MiB arena chunk). */
#define POOL_KEEP_MAX 4096

const char *rt_job_status_name(rt_job_status s)
{
    switch (s) {
    case RT_JOB_CREATED:
        return "CREATED";
    case RT_JOB_RUNNING:
        return "RUNNING";
    case RT_JOB_FINISHED:
        return "FINISHED";
    case RT_JOB_FAILED:
        return "FAILED";
    case RT_JOB_CANCELED:
        return "CANCELED";
    }
    return "?";
}

bool rt_job_status_is_terminal(rt_job_status s)
{
    return s == RT_JOB_FINISHED || s == RT_JOB_FAILED || s == RT_JOB_CANCELED;
}

const char *rt_checkpoint_status_name(rt_checkpoint_status s)
{
    switch (s) {
    case RT_CHECKPOINT_IN_PROGRESS:
        return "IN_PROGRESS";
    case RT_CHECKPOINT_COMPLETED:
        return "COMPLETED";
    case RT_CHECKPOINT_FAILED:
        return "FAILED";
    }
    return "?";
}

int rt_job_new(const graph_job *graph, const graph_plan *plan, rt_op_lookup lookup,
               const rt_job_options *opts, rt_job **out, rt_err *err)
{
    if (opts && opts->restore_checkpoint && !opts->state)
        return rt_err_set(err, RT_EINVAL,
                          "job '%s': restoring checkpoint %llu needs a state "
                          "backend",
                          graph_job_name(graph), (unsigned long long)opts->restore_checkpoint);
    rt_job *job = calloc(1, sizeof *job);
    if (!job)
        return rt_err_set(err, RT_ENOMEM, "job: out of memory");
    pthread_mutex_init(&job->mu, NULL);
    rt_cond_init_monotonic(&job->ended);
    atomic_init(&job->stopping, false);
    job->graph = graph;
    job->plan = plan;
    job->name = graph_job_name(graph);
    job->status = RT_JOB_CREATED;
    job->outcome = RT_JOB_RUNNING;
    job->channel_capacity =
        opts && opts->channel_capacity ? opts->channel_capacity : DEFAULT_CHANNEL_CAPACITY;
    job->batch_rows = opts && opts->batch_rows ? opts->batch_rows : DEFAULT_BATCH_ROWS;
    job->task_count = graph_plan_task_count(plan);
    job->state = opts ? opts->state : NULL;
    job->restore_id = opts ? opts->restore_checkpoint : 0;
    job->metrics = opts ? opts->metrics : NULL;
    if (!job->metrics) {
        int rc = rt_metrics_new(job->name, &job->metrics, err);
        if (rc != 0) {
            rt_job_free(job);
            return rc;
        }
        job->owns_metrics = true;
    }

    /* Enough free batches for every channel slot plus a few in flight per task: the steady
     * state then never allocates. */
    size_t keep = graph_plan_channel_count(plan) * job->channel_capacity + 4 * job->task_count;
    int n = snprintf(NULL, 0, "job=%s", job->name);
    job->tag = malloc((size_t)n + 1);
    job->catalog = rt_catalog_new();
    job->pool = rt_batch_pool_new(keep < POOL_KEEP_MAX ? keep : POOL_KEEP_MAX);
    job->gates = calloc(job->task_count ? job->task_count : 1, sizeof *job->gates);
    job->tasks = calloc(job->task_count ? job->task_count : 1, sizeof *job->tasks);
    if (!job->tag || !job->catalog || !job->pool || !job->gates || !job->tasks) {
        rt_job_free(job);
        return rt_err_set(err, RT_ENOMEM, "job: out of memory");
    }
    snprintf(job->tag, (size_t)n + 1, "job=%s", job->name);
    for (size_t i = 0; i < job->task_count; i++) {
        const graph_plan_task *pt = graph_plan_task_at(plan, i);
        job->gates[i] = rt_gate_new(pt->input_count, job->channel_capacity);
        if (!job->gates[i]) {
            rt_job_free(job);
            return rt_err_set(err, RT_ENOMEM, "job: out of memory");
        }
    }
    for (size_t i = 0; i < job->task_count; i++) {
        int rc = rt_task_init(job, i, lookup, err);
        if (rc != 0) {
            rt_job_free(job);
            return rc;
        }
    }
    if (job->state) {
        int rc = rt_job_ckpt_new(job, &job->ckpt, err);
        if (rc != 0) {
            rt_job_free(job);
            return rc;
        }
    }
    *out = job;
    return 0;
}

/* Wakes every task so that it sees the job stopping: blocked pushes and pops return, waits for
 * mail end. */
static void stop_tasks(rt_job *job)
{
    for (size_t i = 0; i < job->task_count; i++) {
        rt_gate_cancel(job->gates[i]);
        if (job->tasks[i].mailbox)
            rt_mailbox_cancel(job->tasks[i].mailbox);
    }
    if (job->ckpt)
        rt_job_ckpt_wake(job);
}

/* Called with job->mu held when the last thread is done. */
static void end_locked(rt_job *job)
{
    /* A cancel that came while the last tasks were finishing anyway stopped nothing: every
     * row went through, so the job reports FINISHED. */
    if (job->outcome == RT_JOB_FAILED || (job->outcome == RT_JOB_CANCELED && job->interrupted > 0))
        job->status = job->outcome;
    else
        job->status = RT_JOB_FINISHED;
    if (job->status == RT_JOB_FAILED)
        LOG_INFO("%s: FAILED: %s", job->tag, job->failure.msg);
    else
        LOG_INFO("%s: %s", job->tag, rt_job_status_name(job->status));
    pthread_cond_broadcast(&job->ended);
}

void rt_job_thread_done(rt_job *job)
{
    pthread_mutex_lock(&job->mu);
    RT_ASSERT(job->running > 0);
    if (--job->running == 0)
        end_locked(job);
    pthread_mutex_unlock(&job->mu);
}

/* `threads` threads (tasks among them) will never run: count them out. */
static void never_ran(rt_job *job, size_t threads, size_t tasks)
{
    pthread_mutex_lock(&job->mu);
    job->running -= threads;
    job->tasks_running -= tasks;
    job->interrupted += tasks;
    if (job->running == 0)
        end_locked(job);
    pthread_mutex_unlock(&job->mu);
    if (job->ckpt)
        rt_job_ckpt_wake(job);
}

static int start_failed(rt_job *job, const char *what, int rc, rt_err *err)
{
    rt_err failure;
    rt_err_set(&failure, RT_EUNAVAIL, "start %s: %s", what, strerror(rc));
    rt_job_fail(job, &failure);
    if (err)
        *err = failure;
    return failure.code;
}

int rt_job_start(rt_job *job, rt_err *err)
{
    pthread_mutex_lock(&job->mu);
    if (job->status != RT_JOB_CREATED) {
        pthread_mutex_unlock(&job->mu);
        return rt_err_set(err, RT_EINVAL, "%s: cannot start a %s job", job->tag,
                          rt_job_status_name(job->status));
    }
    bool ckpt_thread = job->ckpt && job->task_count > 0;
    job->status = RT_JOB_RUNNING;
    job->tasks_running = job->task_count;
    job->running = job->task_count + (ckpt_thread ? 1 : 0);
    pthread_mutex_unlock(&job->mu);
    LOG_INFO("%s: RUNNING (%zu tasks%s)", job->tag, job->task_count,
             job->ckpt ? ", checkpoints on" : "");

    for (size_t i = 0; i < job->task_count; i++) {
        rt_task *t = &job->tasks[i];
        int rc = pthread_create(&t->thread, NULL, rt_task_main, t);
        if (rc == 0) {
            t->started = true;
            continue;
        }
        char what[32];
        snprintf(what, sizeof what, "task %zu", i);
        rc = start_failed(job, what, rc, err);
        never_ran(job, job->task_count - i + (ckpt_thread ? 1 : 0), job->task_count - i);
        return rc;
    }
    if (ckpt_thread) {
        int rc = rt_job_ckpt_start(job);
        if (rc != 0) {
            rc = start_failed(job, "checkpoint thread", rc, err);
            never_ran(job, 1, 0);
            return rc;
        }
    }
    if (job->task_count == 0) {
        pthread_mutex_lock(&job->mu);
        end_locked(job);
        pthread_mutex_unlock(&job->mu);
    }
    return 0;
}

void rt_job_fail(rt_job *job, const rt_err *err)
{
    pthread_mutex_lock(&job->mu);
    bool first = job->outcome == RT_JOB_RUNNING && !rt_job_status_is_terminal(job->status);
    if (first) {
        job->outcome = RT_JOB_FAILED;
        job->failure = *err;
        atomic_store(&job->stopping, true);
    }
    pthread_mutex_unlock(&job->mu);
    if (first) {
        LOG_INFO("%s: FAILING: %s", job->tag, err->msg);
        stop_tasks(job);
    }
}

void rt_job_cancel(rt_job *job)
{
    pthread_mutex_lock(&job->mu);
    bool first = job->outcome == RT_JOB_RUNNING && !rt_job_status_is_terminal(job->status);
    if (first) {
        job->outcome = RT_JOB_CANCELED;
        atomic_store(&job->stopping, true);
        /* A job that never started has no thread to end it. */
        if (job->status == RT_JOB_CREATED)
            job->status = RT_JOB_CANCELED;
    }
    pthread_mutex_unlock(&job->mu);
    if (first) {
        LOG_INFO("%s: CANCELING", job->tag);
        stop_tasks(job);
    }
}

void rt_job_task_done(rt_job *job, rt_task *t, int rc)
{
    /* Every failure of an operator is recorded where it happens; anything else that ends a task
     * early without the job stopping is a runtime error (out of memory in an output). */
    if (rc != 0 && !t->failed && !atomic_load(&job->stopping)) {
        rt_err failure;
        rt_err_set(&failure, rc, "task %zu (vertex '%s'#%u): %s", t->index, t->ops[0].gv->id,
                   t->subtask, rt_err_code_desc(rc));
        rt_job_fail(job, &failure);
    }
    pthread_mutex_lock(&job->mu);
    RT_ASSERT(job->running > 0 && job->tasks_running > 0);
    if (rc != 0)
        job->interrupted++;
    bool last_task = --job->tasks_running == 0;
    if (--job->running == 0)
        end_locked(job);
    pthread_mutex_unlock(&job->mu);
    /* The checkpoint thread ends after the last task, once it has settled what was pending. */
    if (last_task && job->ckpt)
        rt_job_ckpt_wake(job);
}

rt_job_status rt_job_wait(rt_job *job, int64_t timeout_ms)
{
    struct timespec deadline;
    if (timeout_ms > 0) {
        rt_clock_deadline(&deadline, timeout_ms);
    }
    pthread_mutex_lock(&job->mu);
    while (job->status == RT_JOB_RUNNING && timeout_ms != 0) {
        if (timeout_ms < 0) {
            pthread_cond_wait(&job->ended, &job->mu);
        } else if (pthread_cond_timedwait(&job->ended, &job->mu, &deadline) == ETIMEDOUT) {
            break;
        }
    }
    rt_job_status s = job->status;
    pthread_mutex_unlock(&job->mu);
    return s;
}

rt_job_status rt_job_status_get(rt_job *job)
{
    pthread_mutex_lock(&job->mu);
    rt_job_status s = job->status;
    pthread_mutex_unlock(&job->mu);
    return s;
}

int rt_job_failure(rt_job *job, rt_err *out)
{
    pthread_mutex_lock(&job->mu);
    bool failed = job->outcome == RT_JOB_FAILED;
    if (failed && out)
        *out = job->failure;
    pthread_mutex_unlock(&job->mu);
    return failed ? 0 : RT_ENOTFOUND;
}

rt_metrics *rt_job_metrics(rt_job *job)
{
    return job->metrics;
}

void rt_job_vertex_metrics(rt_job *job, size_t vertex, rt_vertex_metrics *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < job->task_count; i++) {
        rt_task *t = &job->tasks[i];
        for (size_t k = 0; k < t->op_count; k++) {
            op_ctx *ctx = &t->ops[k];
            if (ctx->vertex != vertex)
                continue;
            out->records_in += rt_metric_count(ctx->records_in);
            out->records_out += rt_metric_count(ctx->records_out);
            out->batches_in += rt_metric_count(ctx->batches_in);
            out->batches_out += rt_metric_count(ctx->batches_out);
        }
    }
}

int rt_job_check_restore(const graph_job *graph, rt_op_lookup lookup, struct st_backend *state,
                         uint64_t id, rt_err *err)
{
    char *json = NULL;
    int rc = st_backend_metadata(state, id, &json, err);
    if (rc != 0)
        return rc;
    rc = rt_checkpoint_metadata_check(graph, lookup, id, json, err);
    free(json);
    return rc;
}

void rt_job_free(rt_job *job)
{
    if (!job)
        return;
    if (job->tasks) {
        bool started = false;
        for (size_t i = 0; i < job->task_count; i++)
            started = started || job->tasks[i].started;
        if (started)
            rt_job_cancel(job);
        for (size_t i = 0; i < job->task_count; i++) {
            if (job->tasks[i].started)
                pthread_join(job->tasks[i].thread, NULL);
        }
        /* After the tasks: the checkpoint thread ends once they are all done. */
        rt_job_ckpt_free(job->ckpt);
        job->ckpt = NULL;
        for (size_t i = 0; i < job->task_count; i++)
            rt_task_fini(&job->tasks[i]);
    }
    /* Gates before the pool: queued batches go back to it. */
    if (job->gates) {
        for (size_t i = 0; i < job->task_count; i++)
            rt_gate_free(job->gates[i]);
    }
    rt_batch_pool_free(job->pool);
    rt_catalog_free(job->catalog);
    /* Last: the tasks' handles point into it. */
    if (job->owns_metrics)
        rt_metrics_free(job->metrics);
    free(job->tasks);
    free(job->gates);
    free(job->tag);
    pthread_cond_destroy(&job->ended);
    pthread_mutex_destroy(&job->mu);
    free(job);
}
