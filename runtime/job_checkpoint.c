/* The job's checkpoint thread: every TICK_MS (or as soon as something happens) it takes the
 * events the tasks posted (acks, declines, end of input, notifications handled), feeds them to
 * the coordinator, ticks it, and delivers its actions to the task mailboxes. It also drives the
 * two endings that wait for a checkpoint: end of input (the final checkpoint, then CLOSE) and
 * stop-with-savepoint (then cancel). */
#include "runtime/job_checkpoint.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/base/clock.h"
#include "runtime/base/log.h"
#include "runtime/checkpoint_coordinator.h"

/* How often the coordinator looks at the clock (periodic triggers, timeouts) when nothing
 * happens. */
#define TICK_MS 10
/* Triggers of the final checkpoint before the job fails. */
#define FINAL_ATTEMPTS 3

typedef enum event_kind {
    EV_ACK,
    EV_DECLINE,
    EV_ENDED,
    EV_NOTIFIED,
} event_kind;

/* What a task tells the checkpoint thread. */
typedef struct event {
    event_kind kind;
    size_t task;
    uint64_t id;
    int64_t alignment_ms;
    uint64_t *state_bytes; /* EV_ACK: per chain operator (owned) */
    char *reason;          /* EV_DECLINE (owned; NULL on OOM) */
} event;

typedef struct event_queue {
    event *items;
    size_t count, cap;
} event_queue;

/* A checkpoint whose notification every task must have handled before the job goes on: the
 * final checkpoint (then CLOSE) and a stop-with-savepoint (then cancel). */
typedef struct awaited {
    uint64_t id; /* 0: none */
    bool notify_sent;
    bool *seen; /* per task: handled NOTIFY_COMPLETE(id) */
    size_t notified;
} awaited;

struct rt_job_ckpt {
    pthread_mutex_t mu; /* guards coord, closed, published */
    rt_checkpoint_coordinator *coord;
    bool closed; /* the thread ended: no more triggers */
    uint64_t published;
    pthread_t thread;
    bool started;

    pthread_mutex_t ev_mu; /* guards events, kicked */
    pthread_cond_t ev_cond;
    event_queue events;
    bool kicked;

    /* The history as last published, for readers that must not wait for the coordinator (it
     * may be writing to the backend). */
    pthread_mutex_t hist_mu;
    pthread_cond_t hist_cond;
    rt_checkpoint_stats hist[RT_CHECKPOINT_HISTORY_MAX];
    size_t hist_count;

    /* The job's checkpoint series (in the job's registry), updated by publish. */
    rt_metric *completed, *failed, *duration_ms, *size_bytes;

    /* The checkpoint thread's own. */
    bool *ended; /* per task: finished at end of input */
    size_t ended_count;
    awaited final;
    int final_attempts;
    char final_failure[RT_ERR_MSG_SIZE];
    bool close_sent;
    awaited stop;
};

/* What a round decided to do once it released the coordinator's mutex. */
typedef struct after {
    bool fail;
    rt_err failure;
    bool cancel;
} after;

static void event_fini(event *e)
{
    free(e->state_bytes);
    free(e->reason);
}

static void init_cond(pthread_cond_t *c)
{
    rt_cond_init_monotonic(c);
}

/* Job-level series: the same across the attempts of a job master, so counts go on after a
 * restart. */
static int register_metrics(rt_job *job, rt_job_ckpt *k, rt_err *err)
{
    int rc =
        rt_metrics_register(job->metrics, RT_METRIC_COUNTER, "sluice_checkpoints_completed_total",
                            "Checkpoints (and savepoints) completed.", NULL, &k->completed, err);
    if (rc == 0)
        rc = rt_metrics_register(job->metrics, RT_METRIC_COUNTER, "sluice_checkpoints_failed_total",
                                 "Checkpoints (and savepoints) that failed or were aborted.", NULL,
                                 &k->failed, err);
    if (rc == 0)
        rc =
            rt_metrics_register(job->metrics, RT_METRIC_GAUGE, "sluice_last_checkpoint_duration_ms",
                                "Trigger to completion of the latest completed checkpoint.", NULL,
                                &k->duration_ms, err);
    if (rc == 0)
        rc = rt_metrics_register(job->metrics, RT_METRIC_GAUGE, "sluice_last_checkpoint_size_bytes",
                                 "State written by all subtasks for the latest completed "
                                 "checkpoint.",
                                 NULL, &k->size_bytes, err);
    return rc != 0 ? rt_err_prefix(err, rc, "%s: checkpoint metrics", job->tag) : 0;
}

int rt_job_ckpt_new(rt_job *job, rt_job_ckpt **out, rt_err *err)
{
    rt_job_ckpt *k = calloc(1, sizeof *k);
    if (!k)
        return rt_err_set(err, RT_ENOMEM, "%s: out of memory", job->tag);
    pthread_mutex_init(&k->mu, NULL);
    pthread_mutex_init(&k->ev_mu, NULL);
    pthread_mutex_init(&k->hist_mu, NULL);
    init_cond(&k->ev_cond);
    init_cond(&k->hist_cond);
    size_t n = job->task_count ? job->task_count : 1;
    k->ended = calloc(n, sizeof *k->ended);
    k->final.seen = calloc(n, sizeof *k->final.seen);
    k->stop.seen = calloc(n, sizeof *k->stop.seen);
    if (!k->ended || !k->final.seen || !k->stop.seen) {
        rt_job_ckpt_free(k);
        return rt_err_set(err, RT_ENOMEM, "%s: out of memory", job->tag);
    }
    int rc = register_metrics(job, k, err);
    if (rc != 0) {
        rt_job_ckpt_free(k);
        return rc;
    }
    rc = rt_checkpoint_coordinator_new(job->graph, job->plan, graph_job_checkpoint(job->graph),
                                       job->state, job->tag, rt_clock_mono_ms(), &k->coord, err);
    if (rc != 0) {
        rt_job_ckpt_free(k);
        return rc;
    }
    *out = k;
    return 0;
}

void rt_job_ckpt_free(rt_job_ckpt *k)
{
    if (!k)
        return;
    if (k->started)
        pthread_join(k->thread, NULL);
    rt_checkpoint_coordinator_free(k->coord);
    for (size_t i = 0; i < k->events.count; i++)
        event_fini(&k->events.items[i]);
    free(k->events.items);
    free(k->ended);
    free(k->final.seen);
    free(k->stop.seen);
    pthread_cond_destroy(&k->ev_cond);
    pthread_cond_destroy(&k->hist_cond);
    pthread_mutex_destroy(&k->mu);
    pthread_mutex_destroy(&k->ev_mu);
    pthread_mutex_destroy(&k->hist_mu);
    free(k);
}

void rt_job_ckpt_wake(rt_job *job)
{
    rt_job_ckpt *k = job->ckpt;
    pthread_mutex_lock(&k->ev_mu);
    k->kicked = true;
    pthread_mutex_unlock(&k->ev_mu);
    pthread_cond_signal(&k->ev_cond);
}

/* Takes ownership of e's payload in every case. */
static int push_event(rt_job *job, event *e, rt_err *err)
{
    rt_job_ckpt *k = job->ckpt;
    pthread_mutex_lock(&k->ev_mu);
    event_queue *q = &k->events;
    if (q->count == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 16;
        event *items = realloc(q->items, cap * sizeof *items);
        if (!items) {
            pthread_mutex_unlock(&k->ev_mu);
            event_fini(e);
            return rt_err_set(err, RT_ENOMEM, "checkpoint event: out of memory");
        }
        q->items = items;
        q->cap = cap;
    }
    q->items[q->count++] = *e;
    pthread_mutex_unlock(&k->ev_mu);
    pthread_cond_signal(&k->ev_cond);
    return 0;
}

/* Swaps the queued events into *batch (emptied before) without waiting. */
static void take_events_now(rt_job_ckpt *k, event_queue *batch)
{
    pthread_mutex_lock(&k->ev_mu);
    k->kicked = false;
    event_queue mine = *batch;
    *batch = k->events;
    k->events = mine;
    pthread_mutex_unlock(&k->ev_mu);
}

/* Swaps the queued events into *batch (emptied before), waiting up to TICK_MS for some. */
static void take_events(rt_job_ckpt *k, event_queue *batch)
{
    struct timespec deadline;
    rt_clock_deadline(&deadline, TICK_MS);
    pthread_mutex_lock(&k->ev_mu);
    while (k->events.count == 0 && !k->kicked) {
        if (pthread_cond_timedwait(&k->ev_cond, &k->ev_mu, &deadline) == ETIMEDOUT)
            break;
    }
    k->kicked = false;
    event_queue mine = *batch;
    *batch = k->events;
    k->events = mine;
    pthread_mutex_unlock(&k->ev_mu);
}

static void awaited_start(awaited *a, uint64_t id, size_t tasks)
{
    a->id = id;
    a->notify_sent = false;
    a->notified = 0;
    memset(a->seen, 0, tasks * sizeof *a->seen);
}

static void awaited_seen(awaited *a, uint64_t id, size_t task)
{
    if (a->id == id && !a->seen[task]) {
        a->seen[task] = true;
        a->notified++;
    }
}

/* Posts mail to task i; a failure (out of memory) fails the job, since a lost notification
 * could leave it waiting forever. */
static void post(rt_job *job, size_t i, const rt_mail *m, after *a)
{
    rt_err e;
    if (rt_mailbox_post(job->tasks[i].mailbox, m, &e) != 0 && !a->fail) {
        a->fail = true;
        rt_err_set(&a->failure, e.code, "task %zu: %s: %s", i, rt_mail_kind_name(m->kind), e.msg);
    }
}

static void post_all(rt_job *job, const rt_mail *m, after *a)
{
    for (size_t i = 0; i < job->task_count; i++)
        post(job, i, m, a);
}

static void handle_event(rt_job *job, const event *e, int64_t now, after *a)
{
    rt_job_ckpt *k = job->ckpt;
    switch (e->kind) {
    case EV_ACK:
        rt_checkpoint_coordinator_ack(k->coord, e->id, e->task, e->state_bytes, e->alignment_ms,
                                      now);
        break;
    case EV_DECLINE:
        rt_checkpoint_coordinator_decline(k->coord, e->id, e->task, e->reason, now);
        break;
    case EV_ENDED: {
        if (k->ended[e->task])
            break;
        k->ended[e->task] = true;
        k->ended_count++;
        /* Its inputs may have ended before the barriers of the checkpoints pending now came:
         * it takes them directly (it ignores those it took through their barriers). */
        size_t n = rt_checkpoint_coordinator_unacked(k->coord, e->task, NULL, 0);
        uint64_t *ids = malloc((n ? n : 1) * sizeof *ids);
        if (!ids) {
            a->fail = true;
            rt_err_set(&a->failure, RT_ENOMEM, "checkpoint thread: out of memory");
            break;
        }
        rt_checkpoint_coordinator_unacked(k->coord, e->task, ids, n);
        for (size_t i = 0; i < n; i++) {
            rt_mail m = {.kind = RT_MAIL_TRIGGER, .checkpoint_id = ids[i]};
            post(job, e->task, &m, a);
        }
        free(ids);
        break;
    }
    case EV_NOTIFIED:
        awaited_seen(&k->final, e->id, e->task);
        awaited_seen(&k->stop, e->id, e->task);
        break;
    }
}

static void final_failed(rt_job *job, const char *why)
{
    rt_job_ckpt *k = job->ckpt;
    snprintf(k->final_failure, sizeof k->final_failure, "checkpoint %" PRIu64 ": %s", k->final.id,
             why);
    k->final.id = 0;
}

/* Once every task reached end of input: the final checkpoint, whose notification lets the
 * sinks commit the last of their output. */
static void trigger_final(rt_job *job, int64_t now, after *a)
{
    rt_job_ckpt *k = job->ckpt;
    if (k->ended_count < job->task_count || k->final.id || k->close_sent)
        return;
    if (k->final_attempts == FINAL_ATTEMPTS) {
        if (!a->fail) {
            a->fail = true;
            rt_err_set(&a->failure, RT_EIO, "the final checkpoint failed %d times; last: %s",
                       FINAL_ATTEMPTS, k->final_failure);
        }
        k->close_sent = true; /* give up: the job fails */
        return;
    }
    rt_checkpoint_coordinator_set_periodic(k->coord, false);
    k->final_attempts++;
    uint64_t id;
    rt_err e;
    if (rt_checkpoint_coordinator_trigger(k->coord, false, false, now, &id, &e) != 0) {
        snprintf(k->final_failure, sizeof k->final_failure, "%s", e.msg);
        LOG_WARN("%s: final checkpoint: %s", job->tag, e.msg);
        return;
    }
    LOG_INFO("%s: every task reached end of input: final checkpoint %" PRIu64, job->tag, id);
    awaited_start(&k->final, id, job->task_count);
}

/* Delivers the coordinator's actions to the mailboxes. */
static void dispatch(rt_job *job, after *a)
{
    rt_job_ckpt *k = job->ckpt;
    rt_checkpoint_action act;
    while (rt_checkpoint_coordinator_next_action(k->coord, &act)) {
        rt_mail m = {.checkpoint_id = act.id, .savepoint = act.savepoint, .stop = act.stop};
        switch (act.kind) {
        case RT_CHECKPOINT_ACTION_TRIGGER:
            /* Sources start a checkpoint; every other running task takes it when its barriers
             * come. Tasks past their end of input get no barrier any more: they take it
             * directly. */
            m.kind = RT_MAIL_TRIGGER;
            for (size_t i = 0; i < job->task_count; i++) {
                if (job->tasks[i].source || k->ended[i])
                    post(job, i, &m, a);
            }
            if (act.stop && !k->stop.id) {
                awaited_start(&k->stop, act.id, job->task_count);
                rt_checkpoint_coordinator_set_periodic(k->coord, false);
            }
            break;
        case RT_CHECKPOINT_ACTION_NOTIFY_COMPLETE:
            m.kind = RT_MAIL_NOTIFY_COMPLETE;
            post_all(job, &m, a);
            if (act.id == k->final.id)
                k->final.notify_sent = true;
            if (act.id == k->stop.id)
                k->stop.notify_sent = true;
            break;
        case RT_CHECKPOINT_ACTION_NOTIFY_ABORTED:
            m.kind = RT_MAIL_NOTIFY_ABORTED;
            post_all(job, &m, a);
            if (act.id == k->final.id || act.id == k->stop.id) {
                rt_checkpoint_stats s;
                const char *why = "aborted";
                if (rt_checkpoint_coordinator_stats(k->coord, act.id, &s) == 0)
                    why = s.failure;
                if (act.id == k->final.id)
                    final_failed(job, why);
                if (act.id == k->stop.id) {
                    /* The sources resume on the abort; so do periodic checkpoints. */
                    k->stop.id = 0;
                    if (k->ended_count < job->task_count)
                        rt_checkpoint_coordinator_set_periodic(k->coord, true);
                }
            }
            break;
        }
    }
}

/* The endings that wait for every task to have handled a notification. */
static void check_awaited(rt_job *job, after *a)
{
    rt_job_ckpt *k = job->ckpt;
    rt_checkpoint_stats s;
    /* Completed without notifications (they failed to go out): the final checkpoint is taken
     * again, so that a notification commits the sinks' last output; a savepoint to stop at is
     * durable, which is what the stop needs. */
    if (k->final.id && !k->final.notify_sent &&
        rt_checkpoint_coordinator_stats(k->coord, k->final.id, &s) == 0 &&
        s.status == RT_CHECKPOINT_COMPLETED)
        final_failed(job, s.failure);
    if (k->stop.id && !k->stop.notify_sent &&
        rt_checkpoint_coordinator_stats(k->coord, k->stop.id, &s) == 0 &&
        s.status == RT_CHECKPOINT_COMPLETED) {
        k->stop.notify_sent = true;
        k->stop.notified = job->task_count;
    }

    if (k->final.id && k->final.notify_sent && k->final.notified == job->task_count &&
        !k->close_sent) {
        LOG_DEBUG("%s: final checkpoint %" PRIu64 " notified: closing", job->tag, k->final.id);
        rt_mail m = {.kind = RT_MAIL_CLOSE};
        post_all(job, &m, a);
        k->close_sent = true;
    }
    if (k->stop.id && k->stop.notify_sent && k->stop.notified == job->task_count) {
        LOG_INFO("%s: stopped with savepoint %" PRIu64, job->tag, k->stop.id);
        k->stop.id = 0;
        a->cancel = true;
    }
}

/* Counts the checkpoints that ended since the last publish: those that are COMPLETED or FAILED in
 * the new history but were in progress (or not there yet) in the published one. Both are in
 * ascending id order, so one pass over each does; the newest completion sets the gauges last. */
static void count_ended(rt_job_ckpt *k, const rt_checkpoint_stats *now, size_t n)
{
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        const rt_checkpoint_stats *s = &now[i];
        if (s->status == RT_CHECKPOINT_IN_PROGRESS)
            continue;
        while (j < k->hist_count && k->hist[j].id < s->id)
            j++;
        if (j < k->hist_count && k->hist[j].id == s->id &&
            k->hist[j].status != RT_CHECKPOINT_IN_PROGRESS)
            continue; /* counted when it ended */
        if (s->status == RT_CHECKPOINT_COMPLETED) {
            rt_metric_add(k->completed, 1);
            rt_metric_set(k->duration_ms, s->duration_ms);
            rt_metric_set(k->size_bytes, (int64_t)s->state_size);
        } else {
            rt_metric_add(k->failed, 1);
        }
    }
}

/* Copies the coordinator's history for the readers when it changed. Under k->mu, the only writer
 * of k->hist, so it reads the published copy without hist_mu. */
static void publish(rt_job_ckpt *k)
{
    uint64_t v = rt_checkpoint_coordinator_version(k->coord);
    if (v == k->published)
        return;
    k->published = v;
    rt_checkpoint_stats now[RT_CHECKPOINT_HISTORY_MAX];
    size_t n = rt_checkpoint_coordinator_history(k->coord, now, RT_CHECKPOINT_HISTORY_MAX);
    count_ended(k, now, n);
    pthread_mutex_lock(&k->hist_mu);
    memcpy(k->hist, now, n * sizeof *now);
    k->hist_count = n;
    pthread_mutex_unlock(&k->hist_mu);
    pthread_cond_broadcast(&k->hist_cond);
}

static void *checkpoint_main(void *arg)
{
    rt_job *job = arg;
    rt_job_ckpt *k = job->ckpt;
    event_queue batch = {0};
    for (;;) {
        /* The job's state first, the events after: whatever a task posted before it ended (or
         * before it failed the job) is then part of this round. */
        pthread_mutex_lock(&job->mu);
        bool tasks_done = job->tasks_running == 0;
        rt_job_status outcome = job->outcome;
        pthread_mutex_unlock(&job->mu);
        if (tasks_done)
            take_events_now(k, &batch); /* the last round */
        else
            take_events(k, &batch);

        after a = {0};
        pthread_mutex_lock(&k->mu);
        int64_t now = rt_clock_mono_ms();
        for (size_t i = 0; i < batch.count; i++)
            handle_event(job, &batch.items[i], now, &a);
        if (outcome != RT_JOB_RUNNING || tasks_done) {
            const char *why = outcome == RT_JOB_FAILED     ? "the job failed"
                              : outcome == RT_JOB_CANCELED ? "the job was canceled"
                                                           : "the job ended";
            rt_checkpoint_coordinator_abort_all(k->coord, why, now);
        } else {
            rt_checkpoint_coordinator_tick(k->coord, now, NULL);
            trigger_final(job, now, &a);
        }
        dispatch(job, &a);
        check_awaited(job, &a);
        publish(k);
        if (tasks_done)
            k->closed = true;
        pthread_mutex_unlock(&k->mu);

        for (size_t i = 0; i < batch.count; i++)
            event_fini(&batch.items[i]);
        batch.count = 0;
        if (a.fail)
            rt_job_fail(job, &a.failure);
        if (a.cancel)
            rt_job_cancel(job);
        if (tasks_done)
            break;
    }
    free(batch.items);
    rt_job_thread_done(job);
    return NULL;
}

int rt_job_ckpt_start(rt_job *job)
{
    rt_job_ckpt *k = job->ckpt;
    int rc = pthread_create(&k->thread, NULL, checkpoint_main, job);
    if (rc == 0)
        k->started = true;
    return rc;
}

/* --- From the tasks --- */

int rt_job_checkpoint_ack(rt_job *job, rt_task *t, uint64_t id, int64_t alignment_ms, rt_err *err)
{
    event e = {.kind = EV_ACK, .task = t->index, .id = id, .alignment_ms = alignment_ms};
    e.state_bytes = malloc(t->op_count * sizeof *e.state_bytes);
    if (!e.state_bytes)
        return rt_err_set(err, RT_ENOMEM, "checkpoint %" PRIu64 ": ack: out of memory", id);
    memcpy(e.state_bytes, t->state_bytes, t->op_count * sizeof *e.state_bytes);
    return push_event(job, &e, err);
}

void rt_job_checkpoint_decline(rt_job *job, rt_task *t, uint64_t id, const char *reason)
{
    if (!job->ckpt)
        return;
    event e = {.kind = EV_DECLINE, .task = t->index, .id = id, .reason = strdup(reason)};
    /* Out of memory loses the decline: the checkpoint then times out instead, and the task
     * fails anyway. */
    push_event(job, &e, NULL);
}

int rt_job_checkpoint_notified(rt_job *job, rt_task *t, uint64_t id, rt_err *err)
{
    event e = {.kind = EV_NOTIFIED, .task = t->index, .id = id};
    return push_event(job, &e, err);
}

int rt_job_task_ended(rt_job *job, rt_task *t, rt_err *err)
{
    event e = {.kind = EV_ENDED, .task = t->index};
    return push_event(job, &e, err);
}

/* --- The public side (job.h) --- */

int rt_job_trigger_checkpoint(rt_job *job, bool savepoint, bool stop, uint64_t *id, rt_err *err)
{
    rt_job_ckpt *k = job->ckpt;
    if (!k)
        return rt_err_set(err, RT_EINVAL, "%s: checkpoints need a state backend", job->tag);
    pthread_mutex_lock(&job->mu);
    rt_job_status status = job->status;
    bool running = status == RT_JOB_RUNNING && job->outcome == RT_JOB_RUNNING;
    pthread_mutex_unlock(&job->mu);
    if (!running)
        return rt_err_set(err, RT_ESTATE, "%s: cannot take a checkpoint: the job is %s", job->tag,
                          status == RT_JOB_RUNNING ? "stopping" : rt_job_status_name(status));
    pthread_mutex_lock(&k->mu);
    uint64_t nid = 0;
    int rc = k->closed ? rt_err_set(err, RT_ESTATE,
                                    "%s: cannot take a checkpoint: the job "
                                    "ended",
                                    job->tag)
                       : rt_checkpoint_coordinator_trigger(k->coord, savepoint, stop,
                                                           rt_clock_mono_ms(), &nid, err);
    if (rc == 0)
        publish(k);
    pthread_mutex_unlock(&k->mu);
    if (rc != 0)
        return rc;
    rt_job_ckpt_wake(job); /* deliver the trigger now rather than at the next tick */
    *id = nid;
    return 0;
}

static const rt_checkpoint_stats *find_published(const rt_job_ckpt *k, uint64_t id)
{
    for (size_t i = 0; i < k->hist_count; i++) {
        if (k->hist[i].id == id)
            return &k->hist[i];
    }
    return NULL;
}

int rt_job_checkpoint_wait(rt_job *job, uint64_t id, int64_t timeout_ms, rt_err *err)
{
    rt_job_ckpt *k = job->ckpt;
    if (!k)
        return rt_err_set(err, RT_EINVAL, "%s: checkpoints need a state backend", job->tag);
    struct timespec deadline;
    if (timeout_ms > 0) {
        rt_clock_deadline(&deadline, timeout_ms);
    }
    int rc;
    bool expired = timeout_ms == 0;
    pthread_mutex_lock(&k->hist_mu);
    for (;;) {
        const rt_checkpoint_stats *s = find_published(k, id);
        if (!s) {
            rc = rt_err_set(err, RT_ENOTFOUND, "%s: checkpoint %" PRIu64 ": not found", job->tag,
                            id);
            break;
        }
        if (s->status == RT_CHECKPOINT_COMPLETED) {
            rc = 0;
            break;
        }
        if (s->status == RT_CHECKPOINT_FAILED) {
            rc = rt_err_set(err, RT_EIO, "%s: %s %" PRIu64 " failed: %s", job->tag,
                            s->savepoint ? "savepoint" : "checkpoint", id, s->failure);
            break;
        }
        /* After the deadline, one last look (above) at what came with it. */
        if (expired) {
            rc = rt_err_set(err, RT_ETIMEDOUT, "%s: checkpoint %" PRIu64 ": still in progress",
                            job->tag, id);
            break;
        }
        if (timeout_ms < 0)
            pthread_cond_wait(&k->hist_cond, &k->hist_mu);
        else if (pthread_cond_timedwait(&k->hist_cond, &k->hist_mu, &deadline) == ETIMEDOUT)
            expired = true;
    }
    pthread_mutex_unlock(&k->hist_mu);
    return rc;
}

size_t rt_job_checkpoint_history(rt_job *job, rt_checkpoint_stats *out, size_t max)
{
    rt_job_ckpt *k = job->ckpt;
    if (!k)
        return 0;
    pthread_mutex_lock(&k->hist_mu);
    size_t n = k->hist_count < max ? k->hist_count : max;
    memcpy(out, k->hist + (k->hist_count - n), n * sizeof *out);
    pthread_mutex_unlock(&k->hist_mu);
    return n;
}
