/* The job master's supervisor loop and its thread-safe controls. One mutex guards the status and
 * the current attempt: cancel and stop-with-savepoint reach the running rt_job only through it,
 * and the supervisor frees an attempt only after unpublishing it and after every stop call that
 * borrowed it has let go (`users`), so no caller ever touches a freed job. */
#include "runtime/job_master.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "graph/plan.h"
#include "runtime/base/clock.h"
#include "runtime/base/log.h"
#include "runtime/metrics.h"
#include "runtime/restart_strategy.h"
#include "state/backend.h"

/* How long a stop call polls the savepoint between checks that the job still runs. */
#define STOP_POLL_MS 200
/* Beyond the checkpoint timeout (after which the coordinator aborts it anyway). */
#define STOP_GRACE_MS 10000

struct rt_job_master {
    const graph_job *graph;
    graph_plan *plan;
    rt_op_lookup lookup;
    rt_job_options job_opts;
    char *data_dir;
    char *from_savepoint;
    rt_restart_strategy *strategy; /* the supervisor's alone once started */
    st_backend *state;             /* NULL without a data directory */
    rt_job *pending;               /* built by start, handed to the supervisor */
    /* Every attempt's series, so that a restart continues them; lives until the master is
     * freed, so readers may look after the job ended. */
    rt_metrics *metrics;
    rt_metric *restarts;

    pthread_mutex_t mu;
    pthread_cond_t cond; /* CLOCK_MONOTONIC: status, cancel, users */
    rt_job_master_status status;
    rt_job *job;    /* the started attempt; NULL between attempts */
    unsigned users; /* stop calls using `job` outside the lock */
    bool cancel_requested;
    bool stopping;    /* a stop-with-savepoint is in progress */
    bool stopped;     /* ... and its savepoint is written: the end is STOPPED */
    bool stop_failed; /* the savepoint completed (the job stops) but could not be exported */
    rt_err stop_err;
    rt_err failure;
    rt_err last_error; /* the latest attempt's failure (code 0: none yet) */
    unsigned attempts;
    uint64_t restored;
    int64_t start_ms; /* wall clock */
    int64_t end_ms;
    /* Checkpoints of the attempts that ended (a ring, oldest at hist_head), so the history
     * survives a restart; the running attempt's come from its job. */
    rt_checkpoint_stats hist[RT_JOB_MASTER_HISTORY];
    size_t hist_head, hist_count;
    bool thread_started;
    pthread_t thread;
};

static const char *const status_names[] = {"CREATED", "RUNNING",  "RESTARTING", "FINISHED",
                                           "FAILED",  "CANCELED", "STOPPED"};

const char *rt_job_master_status_name(rt_job_master_status s)
{
    if ((unsigned)s >= sizeof status_names / sizeof *status_names)
        return "UNKNOWN";
    return status_names[s];
}

bool rt_job_master_status_is_terminal(rt_job_master_status s)
{
    return s == RT_JOB_MASTER_FINISHED || s == RT_JOB_MASTER_FAILED ||
           s == RT_JOB_MASTER_CANCELED || s == RT_JOB_MASTER_STOPPED;
}

static char *dup_opt(const char *s, bool *oom)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *oom = true;
    return d;
}

int rt_job_master_new(const graph_job *graph, rt_op_lookup lookup,
                      const rt_job_master_options *opts, rt_job_master **out, rt_err *err)
{
    if (opts->from_savepoint && !opts->data_dir)
        return rt_err_set(err, RT_EINVAL, "starting from a savepoint needs a data directory");
    rt_job_master *jm = calloc(1, sizeof *jm);
    if (!jm)
        return rt_err_set(err, RT_ENOMEM, "job master: out of memory");
    bool oom = false;
    jm->graph = graph;
    jm->lookup = lookup;
    jm->job_opts = opts->job;
    jm->job_opts.state = NULL;
    jm->job_opts.restore_checkpoint = 0;
    jm->job_opts.metrics = NULL;
    jm->data_dir = dup_opt(opts->data_dir, &oom);
    jm->from_savepoint = dup_opt(opts->from_savepoint, &oom);
    pthread_mutex_init(&jm->mu, NULL);
    rt_cond_init_monotonic(&jm->cond);
    int rc = oom ? rt_err_set(err, RT_ENOMEM, "job master: out of memory") : 0;
    if (rc == 0)
        rc = rt_metrics_new(graph_job_name(graph), &jm->metrics, err);
    if (rc == 0)
        rc = rt_metrics_register(jm->metrics, RT_METRIC_COUNTER, "sluice_job_restarts_total",
                                 "Times the restart strategy restarted the job.", NULL,
                                 &jm->restarts, err);
    jm->job_opts.metrics = jm->metrics;
    if (rc == 0)
        rc = graph_plan_build(graph, &jm->plan, err);
    if (rc == 0)
        rc = rt_restart_strategy_new(opts->restart ? opts->restart : graph_job_restart(graph),
                                     &jm->strategy, err);
    if (rc != 0) {
        rt_job_master_free(jm);
        return rc;
    }
    *out = jm;
    return 0;
}

/* Ends the master with status s (failure copied for FAILED). Under mu. */
static void finish_locked(rt_job_master *jm, rt_job_master_status s, const rt_err *failure)
{
    jm->status = s;
    jm->end_ms = rt_clock_wall_ms();
    if (s == RT_JOB_MASTER_FAILED && failure)
        jm->failure = *failure;
    pthread_cond_broadcast(&jm->cond);
}

/* Builds the next attempt, restored from the latest completed checkpoint if there is one. */
static int build_attempt(rt_job_master *jm, rt_job **out, rt_err *err)
{
    uint64_t restore = 0;
    if (jm->state) {
        int rc = st_backend_latest(jm->state, &restore, err);
        if (rc == RT_ENOTFOUND) {
            restore = 0;
            rt_err_clear(err);
        } else if (rc != 0) {
            return rt_err_prefix(err, rc, "data directory %s", jm->data_dir);
        }
    }
    if (restore)
        LOG_INFO("restoring job %s from checkpoint %" PRIu64, graph_job_name(jm->graph), restore);
    rt_job_options opts = jm->job_opts;
    opts.state = jm->state;
    opts.restore_checkpoint = restore;
    int rc = rt_job_new(jm->graph, jm->plan, jm->lookup, &opts, out, err);
    if (rc != 0)
        return rc;
    pthread_mutex_lock(&jm->mu);
    jm->restored = restore;
    pthread_mutex_unlock(&jm->mu);
    return 0;
}

/* The monotonic instant ms from now, saturated: a backoff may be configured as large as int64. */
static int64_t deadline_ns_after(int64_t ms)
{
    int64_t now = rt_clock_mono_ns();
    if (ms <= 0)
        return now;
    if (ms > (INT64_MAX - now) / 1000000)
        return INT64_MAX;
    return now + ms * 1000000;
}

/* Waits out the backoff; false when canceled meanwhile. */
static bool backoff(rt_job_master *jm, int64_t delay_ms)
{
    int64_t deadline_ns = deadline_ns_after(delay_ms);
    struct timespec ts = {.tv_sec = deadline_ns / 1000000000, .tv_nsec = deadline_ns % 1000000000};
    pthread_mutex_lock(&jm->mu);
    while (!jm->cancel_requested && rt_clock_mono_ns() < deadline_ns)
        pthread_cond_timedwait(&jm->cond, &jm->mu, &ts);
    bool go_on = !jm->cancel_requested;
    pthread_mutex_unlock(&jm->mu);
    return go_on;
}

/* Decides what the end of an attempt means, under mu. Returns true when the master ends here,
 * false to restart after *delay_ms. */
static bool attempt_ended_locked(rt_job_master *jm, rt_job_status st, const rt_err *failure,
                                 int64_t *delay_ms, rt_job_master_status *end)
{
    const char *name = graph_job_name(jm->graph);
    /* A completed and written savepoint wins over how the tasks wound down: the job can resume
     * from it, whatever else happened. */
    if (jm->stopped) {
        *end = RT_JOB_MASTER_STOPPED;
        return true;
    }
    if (jm->stop_failed) {
        *end = RT_JOB_MASTER_FAILED;
        return true;
    }
    if (jm->cancel_requested || st == RT_JOB_CANCELED) {
        *end = RT_JOB_MASTER_CANCELED;
        return true;
    }
    if (st == RT_JOB_FINISHED) {
        *end = RT_JOB_MASTER_FINISHED;
        return true;
    }
    *end = RT_JOB_MASTER_FAILED;
    jm->last_error = *failure;
    if (!rt_err_is_transient(failure->code)) {
        LOG_ERROR("job %s failed (%s, not retried): %s", name, rt_err_code_name(failure->code),
                  failure->msg);
        return true;
    }
    rt_err why = {0};
    if (rt_restart_strategy_on_failure(jm->strategy, rt_clock_mono_ms(), delay_ms, &why) != 0) {
        LOG_ERROR("job %s failed: %s; restart strategy %s", name, failure->msg, why.msg);
        return true;
    }
    LOG_WARN("job %s attempt %u failed: %s; restart strategy %s: attempt %u in %lld ms", name,
             jm->attempts, failure->msg, rt_restart_strategy_name(jm->strategy), jm->attempts + 1,
             (long long)*delay_ms);
    jm->status = RT_JOB_MASTER_RESTARTING;
    rt_metric_add(jm->restarts, 1);
    pthread_cond_broadcast(&jm->cond);
    return false;
}

static void hist_push_locked(rt_job_master *jm, const rt_checkpoint_stats *c)
{
    size_t at = (jm->hist_head + jm->hist_count) % RT_JOB_MASTER_HISTORY;
    jm->hist[at] = *c;
    if (jm->hist_count < RT_JOB_MASTER_HISTORY)
        jm->hist_count++;
    else
        jm->hist_head = (jm->hist_head + 1) % RT_JOB_MASTER_HISTORY;
}

/* Moves the history of an attempt that ended into the master's ring, under mu. Its pending
 * checkpoints can no longer complete: they are reported FAILED. */
static void keep_history_locked(rt_job_master *jm, rt_job *job)
{
    rt_checkpoint_stats *h = malloc(RT_JOB_MASTER_HISTORY * sizeof *h);
    if (!h)
        return; /* the history is informative: losing it must not fail the job */
    size_t n = rt_job_checkpoint_history(job, h, RT_JOB_MASTER_HISTORY);
    for (size_t i = 0; i < n; i++) {
        if (h[i].status == RT_CHECKPOINT_IN_PROGRESS) {
            h[i].status = RT_CHECKPOINT_FAILED;
            snprintf(h[i].failure, sizeof h[i].failure, "%s", "the attempt ended first");
        }
        hist_push_locked(jm, &h[i]);
    }
    free(h);
}

static void *supervise(void *arg)
{
    rt_job_master *jm = arg;
    rt_job *job = jm->pending;
    jm->pending = NULL;
    for (;;) {
        rt_err err = {0};
        rt_job_status st = RT_JOB_CANCELED;
        /* Start under the lock: a cancel either sees the flag checked here or a started job,
         * never a job between rt_job_new and rt_job_start. */
        pthread_mutex_lock(&jm->mu);
        bool started = false;
        if (!jm->cancel_requested) {
            jm->attempts++;
            if (rt_job_start(job, &err) == 0) {
                started = true;
                jm->job = job;
                jm->status = RT_JOB_MASTER_RUNNING;
                rt_restart_strategy_on_running(jm->strategy, rt_clock_mono_ms());
                pthread_cond_broadcast(&jm->cond);
            } else {
                st = RT_JOB_FAILED;
            }
        }
        pthread_mutex_unlock(&jm->mu);
        if (started) {
            st = rt_job_wait(job, -1);
            if (st == RT_JOB_FAILED)
                rt_job_failure(job, &err);
        }

        pthread_mutex_lock(&jm->mu);
        while (jm->users > 0)
            pthread_cond_wait(&jm->cond, &jm->mu);
        jm->job = NULL;
        if (started)
            keep_history_locked(jm, job);
        int64_t delay_ms = 0;
        rt_job_master_status end;
        bool ended = attempt_ended_locked(jm, st, &err, &delay_ms, &end);
        pthread_mutex_unlock(&jm->mu);
        /* Free (join the tasks) before announcing the end: a waiter that then frees the master
         * finds every operator closed. */
        rt_job_free(job);
        job = NULL;
        if (!ended && !backoff(jm, delay_ms)) {
            ended = true;
            end = RT_JOB_MASTER_CANCELED;
        }
        if (!ended && build_attempt(jm, &job, &err) != 0) {
            ended = true;
            end = RT_JOB_MASTER_FAILED;
            LOG_ERROR("job %s: restart failed: %s", graph_job_name(jm->graph), err.msg);
        }
        if (ended) {
            pthread_mutex_lock(&jm->mu);
            finish_locked(jm, end, jm->stop_failed ? &jm->stop_err : &err);
            pthread_mutex_unlock(&jm->mu);
            return NULL;
        }
    }
}

/* Opens the backend, imports the savepoint and checks the checkpoint to restore. */
static int prepare_state(rt_job_master *jm, rt_err *err)
{
    int rc = st_backend_open(jm->data_dir, &jm->state, err);
    if (rc != 0)
        return rt_err_prefix(err, rc, "data directory %s", jm->data_dir);
    uint64_t latest = 0;
    rc = st_backend_latest(jm->state, &latest, err);
    if (rc != 0 && rc != RT_ENOTFOUND)
        return rt_err_prefix(err, rc, "data directory %s", jm->data_dir);
    rt_err_clear(err);
    if (jm->from_savepoint) {
        uint64_t id;
        rc = st_backend_import(jm->state, jm->from_savepoint, &id, err);
        if (rc == RT_EEXIST)
            return rt_err_set(err, RT_EEXIST,
                              "savepoint %s: data directory %s already holds checkpoint %" PRIu64
                              ", as new as the savepoint or newer: start from the savepoint in a "
                              "fresh data directory, or resume from that checkpoint",
                              jm->from_savepoint, jm->data_dir, latest);
        if (rc != 0)
            return rt_err_prefix(err, rc, "savepoint %s", jm->from_savepoint);
        LOG_INFO("job %s: imported savepoint %s as checkpoint %" PRIu64, graph_job_name(jm->graph),
                 jm->from_savepoint, id);
        latest = id;
    }
    if (latest) {
        rc = rt_job_check_restore(jm->graph, jm->lookup, jm->state, latest, err);
        if (rc != 0)
            return rt_err_prefix(err, rc, "data directory %s", jm->data_dir);
    }
    return 0;
}

int rt_job_master_start(rt_job_master *jm, rt_err *err)
{
    rt_err local = {0};
    pthread_mutex_lock(&jm->mu);
    bool fresh = jm->status == RT_JOB_MASTER_CREATED && !jm->thread_started;
    pthread_mutex_unlock(&jm->mu);
    if (!fresh)
        return rt_err_set(err, RT_ESTATE, "job master: already started");
    pthread_mutex_lock(&jm->mu);
    jm->start_ms = rt_clock_wall_ms();
    pthread_mutex_unlock(&jm->mu);

    int rc = jm->data_dir ? prepare_state(jm, &local) : 0;
    if (rc == 0)
        rc = build_attempt(jm, &jm->pending, &local);
    pthread_mutex_lock(&jm->mu);
    if (rc == 0) {
        rc = pthread_create(&jm->thread, NULL, supervise, jm);
        if (rc != 0)
            rc = rt_err_set(&local, RT_ENOMEM, "job master: cannot start a thread: %s",
                            strerror(rc));
        else
            jm->thread_started = true;
    }
    if (rc != 0)
        finish_locked(jm, RT_JOB_MASTER_FAILED, &local);
    pthread_mutex_unlock(&jm->mu);
    if (rc != 0) {
        rt_job_free(jm->pending);
        jm->pending = NULL;
        if (err)
            *err = local;
    }
    return rc;
}

void rt_job_master_cancel(rt_job_master *jm)
{
    pthread_mutex_lock(&jm->mu);
    if (!jm->cancel_requested && !rt_job_master_status_is_terminal(jm->status)) {
        LOG_INFO("job %s: canceling", graph_job_name(jm->graph));
        jm->cancel_requested = true;
        if (jm->job)
            rt_job_cancel(jm->job);
        pthread_cond_broadcast(&jm->cond);
    }
    pthread_mutex_unlock(&jm->mu);
}

/* Waits for savepoint id, polling so that a job that ends without completing or aborting it (a
 * task failure) does not leave the caller waiting for the whole checkpoint timeout. */
static int wait_savepoint(rt_job_master *jm, rt_job *job, uint64_t id, rt_err *err)
{
    int64_t timeout = graph_job_checkpoint(jm->graph)->timeout_ms;
    timeout = timeout > INT64_MAX - STOP_GRACE_MS ? INT64_MAX : timeout + STOP_GRACE_MS;
    int64_t deadline_ns = deadline_ns_after(timeout);
    for (;;) {
        int rc = rt_job_checkpoint_wait(job, id, STOP_POLL_MS, err);
        if (rc != RT_ETIMEDOUT)
            return rc;
        if (rt_job_status_is_terminal(rt_job_status_get(job))) {
            rc = rt_job_checkpoint_wait(job, id, 0, err);
            if (rc != RT_ETIMEDOUT)
                return rc;
            return rt_err_set(err, RT_ECANCELED, "savepoint %" PRIu64 ": the job ended (%s) first",
                              id, rt_job_status_name(rt_job_status_get(job)));
        }
        if (rt_clock_mono_ns() >= deadline_ns)
            return rt_err_set(err, RT_ETIMEDOUT, "savepoint %" PRIu64 ": not completed in time",
                              id);
    }
}

/* Exports completed savepoint id to DATA_DIR/savepoints/savepoint-<id> (path, size 4096). */
static int export_savepoint(rt_job_master *jm, uint64_t id, char *path, size_t size, rt_err *err)
{
    int rc = 0;
    snprintf(path, size, "%s/savepoints", jm->data_dir);
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        rc = rt_err_set(err, RT_EIO, "savepoint %" PRIu64 ": mkdir %s: %s", id, path,
                        strerror(errno));
    snprintf(path, size, "%s/savepoints/savepoint-%" PRIu64, jm->data_dir, id);
    if (rc == 0)
        rc = st_backend_export(jm->state, id, path, err);
    return rc;
}

/* Borrows the running attempt for a savepoint (users++), or says why not. */
static int borrow_for_savepoint(rt_job_master *jm, bool stop, rt_job **job, rt_err *err)
{
    const char *what = stop ? "stop-with-savepoint" : "savepoint";
    pthread_mutex_lock(&jm->mu);
    int rc = 0;
    if (!jm->state)
        rc = rt_err_set(err, RT_EINVAL, "%s needs a data directory", what);
    else if (jm->stopping)
        rc = rt_err_set(err, RT_ESTATE, "%s: a stop-with-savepoint is in progress", what);
    else if (jm->status != RT_JOB_MASTER_RUNNING || !jm->job || jm->cancel_requested)
        rc = rt_err_set(err, RT_ESTATE, "%s: the job is %s, not running", what,
                        jm->cancel_requested ? "being canceled"
                                             : rt_job_master_status_name(jm->status));
    *job = jm->job;
    if (rc == 0) {
        jm->stopping = stop;
        jm->users++;
    }
    pthread_mutex_unlock(&jm->mu);
    return rc;
}

int rt_job_master_trigger_savepoint(rt_job_master *jm, char *path_out, size_t size, rt_err *err)
{
    rt_job *job;
    int rc = borrow_for_savepoint(jm, false, &job, err);
    if (rc != 0)
        return rc;
    uint64_t id = 0;
    rc = rt_job_trigger_checkpoint(job, true, false, &id, err);
    if (rc == 0)
        rc = wait_savepoint(jm, job, id, err);
    pthread_mutex_lock(&jm->mu);
    jm->users--;
    pthread_cond_broadcast(&jm->cond);
    pthread_mutex_unlock(&jm->mu);
    /* The attempt may end meanwhile: the savepoint, once completed, lives in the backend, which
     * stays open until the master is freed. */
    char path[4096];
    if (rc == 0)
        rc = export_savepoint(jm, id, path, sizeof path, err);
    else
        rt_err_prefix(err, rc, "savepoint");
    if (rc != 0)
        return rc;
    LOG_INFO("job %s: savepoint %" PRIu64 " written to %s", graph_job_name(jm->graph), id, path);
    if (size > 0)
        snprintf(path_out, size, "%s", path);
    return 0;
}

int rt_job_master_stop_with_savepoint(rt_job_master *jm, char *path_out, size_t size, rt_err *err)
{
    rt_job *job;
    int rc = borrow_for_savepoint(jm, true, &job, err);
    if (rc != 0)
        return rc;

    uint64_t id = 0;
    rc = rt_job_trigger_checkpoint(job, true, true, &id, err);
    if (rc == 0)
        rc = wait_savepoint(jm, job, id, err);
    bool completed = rc == 0;
    char path[4096];
    if (completed) {
        rc = export_savepoint(jm, id, path, sizeof path, err);
    } else {
        rt_err_prefix(err, rc, "stop-with-savepoint");
    }

    pthread_mutex_lock(&jm->mu);
    jm->users--;
    if (!completed) {
        /* The job goes on (or fails and restarts): a later stop may try again. */
        jm->stopping = false;
    } else if (rc == 0) {
        jm->stopped = true;
        LOG_INFO("job %s: savepoint %" PRIu64 " written to %s", graph_job_name(jm->graph), id,
                 path);
    } else {
        jm->stop_failed = true;
        if (err)
            jm->stop_err = *err;
        else
            rt_err_set(&jm->stop_err, rc, "savepoint %" PRIu64 ": export to %s failed", id, path);
    }
    pthread_cond_broadcast(&jm->cond);
    pthread_mutex_unlock(&jm->mu);
    if (rc == 0 && size > 0)
        snprintf(path_out, size, "%s", path);
    return rc;
}

rt_job_master_status rt_job_master_wait(rt_job_master *jm, int64_t timeout_ms)
{
    int64_t deadline_ns = deadline_ns_after(timeout_ms);
    struct timespec ts = {.tv_sec = deadline_ns / 1000000000, .tv_nsec = deadline_ns % 1000000000};
    pthread_mutex_lock(&jm->mu);
    while (!rt_job_master_status_is_terminal(jm->status)) {
        if (timeout_ms < 0)
            pthread_cond_wait(&jm->cond, &jm->mu);
        else if (pthread_cond_timedwait(&jm->cond, &jm->mu, &ts) == ETIMEDOUT)
            break;
    }
    rt_job_master_status s = jm->status;
    pthread_mutex_unlock(&jm->mu);
    return s;
}

rt_job_master_status rt_job_master_status_get(rt_job_master *jm)
{
    pthread_mutex_lock(&jm->mu);
    rt_job_master_status s = jm->status;
    pthread_mutex_unlock(&jm->mu);
    return s;
}

int rt_job_master_failure(rt_job_master *jm, rt_err *out)
{
    pthread_mutex_lock(&jm->mu);
    int rc = jm->status == RT_JOB_MASTER_FAILED ? 0 : RT_ENOTFOUND;
    if (rc == 0)
        *out = jm->failure;
    pthread_mutex_unlock(&jm->mu);
    return rc;
}

unsigned rt_job_master_attempts(rt_job_master *jm)
{
    pthread_mutex_lock(&jm->mu);
    unsigned n = jm->attempts;
    pthread_mutex_unlock(&jm->mu);
    return n;
}

uint64_t rt_job_master_restored_checkpoint(rt_job_master *jm)
{
    pthread_mutex_lock(&jm->mu);
    uint64_t id = jm->restored;
    pthread_mutex_unlock(&jm->mu);
    return id;
}

size_t rt_job_master_checkpoint_history(rt_job_master *jm, rt_checkpoint_stats *out, size_t max)
{
    rt_checkpoint_stats *cur = malloc(RT_JOB_MASTER_HISTORY * sizeof *cur);
    if (!cur)
        return 0;
    pthread_mutex_lock(&jm->mu);
    /* jm->job is freed only after it is unpublished under mu: safe to read here. */
    size_t ncur = jm->job ? rt_job_checkpoint_history(jm->job, cur, RT_JOB_MASTER_HISTORY) : 0;
    size_t total = jm->hist_count + ncur;
    size_t skip = total > max ? total - max : 0, n = 0;
    for (size_t i = 0; i < total; i++) {
        if (i < skip)
            continue;
        out[n++] = i < jm->hist_count ? jm->hist[(jm->hist_head + i) % RT_JOB_MASTER_HISTORY]
                                      : cur[i - jm->hist_count];
    }
    pthread_mutex_unlock(&jm->mu);
    free(cur);
    return n;
}

typedef struct vertex_sum {
    const char *vertex;
    rt_vertex_metrics *out;
} vertex_sum;

static int sum_vertex(const rt_metric_sample *s, void *arg)
{
    vertex_sum *v = arg;
    if (!s->vertex || strcmp(s->vertex, v->vertex) != 0 || s->kind != RT_METRIC_COUNTER)
        return 0;
    if (strcmp(s->name, "sluice_records_in_total") == 0)
        v->out->records_in += s->count;
    else if (strcmp(s->name, "sluice_records_out_total") == 0)
        v->out->records_out += s->count;
    else if (strcmp(s->name, "sluice_batches_in_total") == 0)
        v->out->batches_in += s->count;
    else if (strcmp(s->name, "sluice_batches_out_total") == 0)
        v->out->batches_out += s->count;
    return 0;
}

void rt_job_master_vertex_metrics(rt_job_master *jm, size_t vertex, rt_vertex_metrics *out)
{
    memset(out, 0, sizeof *out);
    if (vertex >= graph_job_vertex_count(jm->graph))
        return;
    /* The registry, not the attempt: it outlives every attempt and counts all of them. */
    vertex_sum v = {.vertex = graph_job_vertex(jm->graph, vertex)->id, .out = out};
    rt_metrics_visit(jm->metrics, sum_vertex, &v);
}

int rt_job_master_last_error(rt_job_master *jm, rt_err *out)
{
    pthread_mutex_lock(&jm->mu);
    int rc = jm->status == RT_JOB_MASTER_FAILED || jm->last_error.code != 0 ? 0 : RT_ENOTFOUND;
    if (rc == 0)
        *out = jm->status == RT_JOB_MASTER_FAILED ? jm->failure : jm->last_error;
    pthread_mutex_unlock(&jm->mu);
    return rc;
}

int64_t rt_job_master_start_time(rt_job_master *jm)
{
    pthread_mutex_lock(&jm->mu);
    int64_t t = jm->start_ms;
    pthread_mutex_unlock(&jm->mu);
    return t;
}

int64_t rt_job_master_end_time(rt_job_master *jm)
{
    pthread_mutex_lock(&jm->mu);
    int64_t t = jm->end_ms;
    pthread_mutex_unlock(&jm->mu);
    return t;
}

rt_metrics *rt_job_master_metrics(rt_job_master *jm)
{
    return jm->metrics;
}

void rt_job_master_free(rt_job_master *jm)
{
    if (!jm)
        return;
    rt_job_master_cancel(jm);
    if (jm->thread_started)
        pthread_join(jm->thread, NULL);
    rt_job_free(jm->pending);
    if (jm->state)
        st_backend_close(jm->state);
    rt_restart_strategy_free(jm->strategy);
    graph_plan_free(jm->plan);
    rt_metrics_free(jm->metrics); /* after the last attempt, whose handles point into it */
    free(jm->data_dir);
    free(jm->from_savepoint);
    pthread_cond_destroy(&jm->cond);
    pthread_mutex_destroy(&jm->mu);
    free(jm);
}
