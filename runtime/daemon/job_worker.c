/* The job manager's worker thread, which starts submitted and resumed jobs, watches every master
 * (logging each transition and checkpoint, persisting the terminal states so that they do not
 * restart) and reaps finished savepoint triggers; and the triggers themselves, each on its own
 * short-lived thread so that two jobs' savepoints never wait for each other. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runtime/base/clock.h"
#include "runtime/base/log.h"
#include "runtime/daemon/job_manager_int.h"

/* How often the worker looks at every master: the latency of a state change reaching the store
 * and the log. */
#define POLL_MS 200
/* Backoff of a job whose start failed transiently (a data directory not yet released, a full
 * disk): doubled from the first to the last value. */
#define START_RETRY_FIRST_MS 1000
#define START_RETRY_MAX_MS 60000
/* Finished triggers kept for GET .../savepoints/:trigger; older ones are dropped. */
#define MAX_DONE_TRIGGERS 256

/* --- starting a job (worker thread) --- */

static int job_dir(rt_job_manager *m, const char *id, char *out, size_t size, rt_err *err)
{
    snprintf(out, size, "%s/jobs", m->dir);
    if (mkdir(out, 0700) != 0 && errno != EEXIST)
        return rt_err_set(err, RT_EIO, "mkdir %s: %s", out, strerror(errno));
    snprintf(out, size, "%s/jobs/%s", m->dir, id);
    return 0;
}

static int start_master(rt_job_manager *m, job_entry *e, const char *dir, const char *savepoint,
                        rt_job_master **out, rt_err *err)
{
    rt_job_master_options opts = {.data_dir = dir, .from_savepoint = savepoint};
    rt_job_master *jm = NULL;
    int rc = rt_job_master_new(e->graph, m->lookup, &opts, &jm, err);
    if (rc == 0)
        rc = rt_job_master_start(jm, err);
    /* A master whose start failed is FAILED with the reason: it is kept to show it. */
    *out = jm;
    return rc;
}

/* Starts e outside the lock (opening RocksDB, importing a savepoint and restoring take time),
 * then publishes its master. Called and returns with mu held. */
static void start_entry_locked(rt_job_manager *m, job_entry *e)
{
    e->start_pending = false;
    e->starting = true;
    char *savepoint = NULL;
    job_set_text(&savepoint, e->rec.stop_savepoint ? e->rec.stop_savepoint : e->rec.savepoint);
    char id[RT_JOB_ID_LEN + 1];
    snprintf(id, sizeof id, "%s", e->rec.id);
    pthread_mutex_unlock(&m->mu);

    rt_err err = {0};
    char dir[4096];
    rt_job_master *jm = NULL;
    int rc = job_dir(m, id, dir, sizeof dir, &err);
    if (rc == 0)
        rc = start_master(m, e, dir, savepoint, &jm, &err);
    if (rc == RT_EEXIST && savepoint) {
        /* The data directory already holds the savepoint or something newer (the job ran from it
         * before this restart of the daemon): its latest checkpoint is where to go on. */
        LOG_INFO("job %s (%s): savepoint %s is not newer than the job's latest checkpoint: "
                 "resuming from that checkpoint",
                 id, e->rec.name, savepoint);
        rt_job_master_free(jm);
        jm = NULL;
        rt_err_clear(&err);
        rc = start_master(m, e, dir, NULL, &jm, &err);
    }
    free(savepoint);

    pthread_mutex_lock(&m->mu);
    e->starting = false;
    e->jm = jm;
    e->rec.started_ms = jm ? rt_job_master_start_time(jm) : rt_clock_wall_ms();
    if (rc != 0 && rt_err_is_transient(rc) && !e->cancel_requested) {
        /* The job did not run at all: it keeps desired state running and is tried again, as its
         * own restart strategy would have done had it started. */
        e->retry_ms = e->retry_ms ? e->retry_ms * 2 : START_RETRY_FIRST_MS;
        if (e->retry_ms > START_RETRY_MAX_MS)
            e->retry_ms = START_RETRY_MAX_MS;
        e->start_pending = true;
        e->start_after_ms = rt_clock_mono_ms() + e->retry_ms;
        job_set_text(&e->rec.failure, err.msg);
        LOG_WARN("job %s (%s) cannot start: %s; trying again in %lld ms", id, e->rec.name, err.msg,
                 (long long)e->retry_ms);
        e->jm = NULL;
        rt_job_master_free(jm); /* FAILED at start: no thread to join */
        return;
    }
    e->retry_ms = 0;
    if (rc != 0 && !jm) {
        /* No master to show the failure: the record holds it. */
        e->rec.desired = RT_JOB_DESIRED_FAILED;
        e->rec.ended_ms = rt_clock_wall_ms();
        job_set_text(&e->rec.failure, err.msg);
        e->seen = RT_JOB_MASTER_FAILED;
        LOG_WARN("job %s (%s) failed: %s", id, e->rec.name, err.msg);
    }
    if (rc == 0 && e->rec.stop_savepoint) {
        /* Consumed: the job now checkpoints past it. */
        job_set_text(&e->rec.stop_savepoint, NULL);
    }
    job_persist_locked(m, e);
    if (jm && e->cancel_requested)
        rt_job_master_cancel(jm);
}

/* --- watching masters (worker thread) --- */

static rt_job_desired desired_of(rt_job_master_status s)
{
    switch (s) {
    case RT_JOB_MASTER_CANCELED:
        return RT_JOB_DESIRED_CANCELED;
    case RT_JOB_MASTER_STOPPED:
        return RT_JOB_DESIRED_STOPPED;
    case RT_JOB_MASTER_FINISHED:
        return RT_JOB_DESIRED_FINISHED;
    case RT_JOB_MASTER_FAILED:
        return RT_JOB_DESIRED_FAILED;
    default:
        return RT_JOB_DESIRED_RUNNING;
    }
}

static void log_checkpoints_locked(job_entry *e)
{
    rt_checkpoint_stats h[RT_JOB_MASTER_HISTORY];
    size_t n = rt_job_master_checkpoint_history(e->jm, h, RT_JOB_MASTER_HISTORY);
    for (size_t i = 0; i < n; i++) {
        if (h[i].id <= e->ckpt_logged)
            continue;
        if (h[i].status == RT_CHECKPOINT_IN_PROGRESS)
            break; /* logged once it ends; the ones after it wait too, to keep the order */
        e->ckpt_logged = h[i].id;
        const char *what = h[i].savepoint ? "savepoint" : "checkpoint";
        if (h[i].status == RT_CHECKPOINT_COMPLETED)
            LOG_INFO("job %s (%s): %s %" PRIu64 " completed in %" PRId64 " ms (%" PRIu64 " bytes)",
                     e->rec.id, e->rec.name, what, h[i].id, h[i].duration_ms, h[i].state_size);
        else
            LOG_WARN("job %s (%s): %s %" PRIu64 " aborted: %s", e->rec.id, e->rec.name, what,
                     h[i].id, h[i].failure);
    }
}

void job_observe_locked(rt_job_manager *m, job_entry *e)
{
    if (!e->jm)
        return;
    log_checkpoints_locked(e);
    rt_job_master_status st = rt_job_master_status_get(e->jm);
    /* A restart may come and go between two polls (a short backoff): count failed attempts
     * rather than wait to see RESTARTING. Every attempt before the running one failed. */
    unsigned attempts = rt_job_master_attempts(e->jm);
    unsigned failed = st == RT_JOB_MASTER_RESTARTING ? attempts : attempts > 0 ? attempts - 1 : 0;
    if (failed > e->failures_logged) {
        rt_err why = {0};
        rt_job_master_last_error(e->jm, &why);
        LOG_WARN("job %s (%s) restarting after attempt %u failed: %s", e->rec.id, e->rec.name,
                 failed, why.msg);
        e->failures_logged = failed;
    }
    if (st == RT_JOB_MASTER_RUNNING && attempts > e->running_logged) {
        e->running_logged = attempts;
        uint64_t restored = rt_job_master_restored_checkpoint(e->jm);
        if (attempts > 1)
            LOG_INFO("job %s (%s) running again (attempt %u, from checkpoint %" PRIu64 ")",
                     e->rec.id, e->rec.name, attempts, restored);
        else if (restored)
            LOG_INFO("job %s (%s) running, restored from checkpoint %" PRIu64, e->rec.id,
                     e->rec.name, restored);
        else
            LOG_INFO("job %s (%s) running", e->rec.id, e->rec.name);
    }
    if (st == e->seen)
        return;
    bool terminal = rt_job_master_status_is_terminal(st);
    /* A stop trigger still running records the savepoint path first: wait for it. */
    if (terminal && e->busy > 0)
        return;
    e->seen = st;
    if (!terminal)
        return; /* running and restarting are logged above, by attempt */
    const char *id = e->rec.id, *name = e->rec.name;
    if (e->rec.desired == RT_JOB_DESIRED_RUNNING || st != RT_JOB_MASTER_CANCELED)
        e->rec.desired = desired_of(st);
    e->rec.ended_ms = rt_job_master_end_time(e->jm);
    rt_err why = {0};
    if (st == RT_JOB_MASTER_FAILED && rt_job_master_failure(e->jm, &why) == 0) {
        job_set_text(&e->rec.failure, why.msg);
        LOG_WARN("job %s (%s) failed: %s", id, name, why.msg);
    } else if (st == RT_JOB_MASTER_STOPPED) {
        LOG_INFO("job %s (%s) stopped; savepoint: %s", id, name,
                 e->rec.last_savepoint ? e->rec.last_savepoint : "(unknown)");
    } else {
        LOG_INFO("job %s (%s) %s", id, name,
                 st == RT_JOB_MASTER_FINISHED ? "finished" : "canceled");
    }
    job_persist_locked(m, e);
}

static void reap_triggers_locked(rt_job_manager *m)
{
    size_t done = 0;
    for (rt_trigger **p = &m->triggers; *p;) {
        rt_trigger *t = *p;
        if (t->status != TRIGGER_IN_PROGRESS && !t->joined) {
            pthread_join(t->thread, NULL); /* it only has to return */
            t->joined = true;
        }
        if (t->joined && ++done > MAX_DONE_TRIGGERS) {
            *p = t->next;
            free(t);
            continue;
        }
        p = &t->next;
    }
}

void *job_worker_main(void *arg)
{
    rt_job_manager *m = arg;
    pthread_mutex_lock(&m->mu);
    while (!m->closing) {
        /* Start one job per pass and look again: a cancel or close may have come meanwhile. */
        job_entry *todo = NULL;
        for (job_entry *e = m->jobs; e && !todo; e = e->next)
            if (e->start_pending && e->start_after_ms <= rt_clock_mono_ms())
                todo = e;
        if (todo) {
            start_entry_locked(m, todo);
            continue;
        }
        for (job_entry *e = m->jobs; e; e = e->next)
            job_observe_locked(m, e);
        reap_triggers_locked(m);
        struct timespec ts;
        rt_clock_deadline(&ts, POLL_MS);
        pthread_cond_timedwait(&m->cond, &m->mu, &ts);
    }
    pthread_mutex_unlock(&m->mu);
    return NULL;
}

static void *trigger_main(void *arg)
{
    rt_trigger *t = arg;
    rt_err err = {0};
    char path[4096] = "";
    rt_job_master *jm = t->entry->jm;
    int rc = t->stop ? rt_job_master_stop_with_savepoint(jm, path, sizeof path, &err)
                     : rt_job_master_trigger_savepoint(jm, path, sizeof path, &err);
    rt_job_manager *m = t->m;
    pthread_mutex_lock(&m->mu);
    if (rc == 0) {
        snprintf(t->location, sizeof t->location, "%s", path);
        if (t->stop)
            job_set_text(&t->entry->rec.last_savepoint, path);
        t->status = TRIGGER_COMPLETED;
    } else {
        t->failure = err;
        t->status = TRIGGER_FAILED;
        LOG_WARN("job %s (%s): %s failed: %s", t->job_id, t->entry->rec.name,
                 t->stop ? "stop-with-savepoint" : "savepoint", err.msg);
    }
    t->entry->busy--;
    pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->mu);
    return NULL;
}

int rt_job_manager_savepoint(rt_job_manager *m, const char *id, bool stop,
                             char trigger_out[RT_JOB_ID_LEN + 1], rt_err *err)
{
    rt_trigger *t = calloc(1, sizeof *t);
    if (!t)
        return rt_err_set(err, RT_ENOMEM, "savepoint: out of memory");
    pthread_mutex_lock(&m->mu);
    job_entry *e = job_entry_find(m, id);
    int rc = 0;
    if (!e)
        rc = rt_err_set(err, RT_ENOTFOUND, "job %s: no such job", id);
    else if (m->closing)
        rc = rt_err_set(err, RT_ESTATE, "job %s: the daemon is shutting down", id);
    else if (job_entry_state(e) != RT_JOB_MASTER_RUNNING || e->cancel_requested)
        rc = rt_err_set(err, RT_ESTATE, "job %s (%s) is %s, not RUNNING", id, e->rec.name,
                        e->cancel_requested ? "being canceled"
                                            : rt_job_master_status_name(job_entry_state(e)));
    if (rc == 0) {
        job_new_id(t->id);
        snprintf(t->job_id, sizeof t->job_id, "%s", id);
        t->stop = stop;
        t->entry = e;
        t->m = m;
        e->busy++;
        int prc = pthread_create(&t->thread, NULL, trigger_main, t);
        if (prc != 0) {
            e->busy--;
            rc = rt_err_set(err, RT_ENOMEM, "savepoint: cannot start a thread: %s", strerror(prc));
        } else {
            t->next = m->triggers;
            m->triggers = t;
            memcpy(trigger_out, t->id, RT_JOB_ID_LEN + 1);
            LOG_INFO("job %s (%s): %s triggered (%s)", id, e->rec.name,
                     stop ? "stop-with-savepoint" : "savepoint", t->id);
        }
    }
    pthread_mutex_unlock(&m->mu);
    if (rc != 0)
        free(t);
    return rc;
}
