/* The job manager: the hosted jobs and their durable records; open (resuming the jobs that were
 * running), close, submit, cancel and forget. Calls from the REST thread only take the manager's
 * mutex and, for submit/cancel/forget, one synced store write; everything slow happens on the
 * worker (job_worker.c) or on a savepoint trigger's own thread. */
#include "runtime/daemon/job_manager.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "graph/codec.h"
#include "runtime/base/clock.h"
#include "runtime/base/log.h"
#include "runtime/daemon/job_manager_int.h"
#include "runtime/daemon/job_text.h"

/* --- ids, catalog, small helpers --- */

void job_new_id(char out[RT_JOB_ID_LEN + 1])
{
    unsigned char b[RT_JOB_ID_LEN / 2];
    size_t got = 0;
    while (got < sizeof b) {
        ssize_t n = getrandom(b + got, sizeof b - got, 0);
        if (n > 0) {
            got += (size_t)n;
        } else if (n < 0 && errno != EINTR) {
            /* No entropy source at all: ids need only be unique, not secret. */
            uint64_t x = (uint64_t)rt_clock_wall_ms() ^ ((uint64_t)rt_clock_mono_ns() << 7);
            for (size_t i = got; i < sizeof b; i++, x = x * 6364136223846793005ull + 1)
                b[i] = (unsigned char)(x >> 56);
            got = sizeof b;
        }
    }
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < sizeof b; i++) {
        out[2 * i] = hex[b[i] >> 4];
        out[2 * i + 1] = hex[b[i] & 15];
    }
    out[RT_JOB_ID_LEN] = '\0';
}

static const graph_type_info *catalog_find(void *ctx, const char *type)
{
    rt_job_manager *m = ctx;
    const op_type *t = m->lookup(type);
    return t ? &t->info : NULL;
}

static void catalog_list(void *ctx, char *buf, size_t size)
{
    (void)ctx;
    /* A lookup function cannot enumerate its types. */
    snprintf(buf, size, "%s", "see `sluice --help`");
}

rt_job_master_status job_entry_state(const job_entry *e)
{
    if (e->jm)
        return rt_job_master_status_get(e->jm);
    if (e->start_pending || e->starting)
        return RT_JOB_MASTER_CREATED;
    switch (e->rec.desired) {
    case RT_JOB_DESIRED_CANCELED:
        return RT_JOB_MASTER_CANCELED;
    case RT_JOB_DESIRED_STOPPED:
        return RT_JOB_MASTER_STOPPED;
    case RT_JOB_DESIRED_FINISHED:
        return RT_JOB_MASTER_FINISHED;
    case RT_JOB_DESIRED_FAILED:
        return RT_JOB_MASTER_FAILED;
    default:
        return RT_JOB_MASTER_CREATED;
    }
}

job_entry *job_entry_find(rt_job_manager *m, const char *id)
{
    for (job_entry *e = m->jobs; e; e = e->next)
        if (strcmp(e->rec.id, id) == 0)
            return e;
    return NULL;
}

static void entry_free(job_entry *e)
{
    if (!e)
        return;
    rt_job_master_free(e->jm);
    graph_job_free(e->graph);
    rt_job_record_fini(&e->rec);
    free(e);
}

void job_set_text(char **field, const char *v)
{
    char *d = v ? strdup(v) : NULL;
    /* Informative fields: on out-of-memory the record keeps its old value. */
    if (v && !d)
        return;
    free(*field);
    *field = d;
}

/* Writes e's record; a failure is logged (the in-memory state stays right, the store catches up
 * with the next write). Under mu. */
void job_persist_locked(rt_job_manager *m, job_entry *e)
{
    rt_err err = {0};
    if (rt_job_store_put(m->store, &e->rec, &err) != 0)
        LOG_ERROR("job %s (%s): %s", e->rec.id, e->rec.name, err.msg);
}

static size_t active_locked(rt_job_manager *m)
{
    size_t n = 0;
    for (job_entry *e = m->jobs; e; e = e->next)
        n += !rt_job_master_status_is_terminal(job_entry_state(e));
    return n;
}

/* Parses the stored or submitted text into e->graph and e->rec.savepoint. */
int job_parse_text(rt_job_manager *m, const char *body, size_t len, graph_job **graph,
                   char **savepoint, rt_err *err)
{
    char *text = NULL;
    int rc = rt_job_text_split(body, len, &text, savepoint, err);
    if (rc != 0)
        return rc;
    rc = graph_codec_parse(text, strlen(text), &m->catalog, graph, err);
    free(text);
    if (rc != 0) {
        free(*savepoint);
        *savepoint = NULL;
    }
    return rc;
}

/* --- open / close --- */

/* Adds a stored record as an entry: terminal ones for listing, running ones to start. */
static void load_record(rt_job_manager *m, rt_job_record *rec)
{
    job_entry *e = calloc(1, sizeof *e);
    if (!e) {
        LOG_ERROR("job %s (%s): out of memory loading it", rec->id, rec->name);
        rt_job_record_fini(rec);
        return;
    }
    e->rec = *rec;
    memset(rec, 0, sizeof *rec);
    char *sp = NULL;
    rt_err err = {0};
    if (job_parse_text(m, e->rec.text, strlen(e->rec.text), &e->graph, &sp, &err) != 0) {
        e->graph = NULL;
        if (e->rec.desired == RT_JOB_DESIRED_RUNNING) {
            /* The operators changed under it (a newer sluiced): it cannot run as it is. */
            LOG_WARN("job %s (%s) failed: its job text no longer validates: %s", e->rec.id,
                     e->rec.name, err.msg);
            e->rec.desired = RT_JOB_DESIRED_FAILED;
            e->rec.ended_ms = rt_clock_wall_ms();
            job_set_text(&e->rec.failure, err.msg);
            job_persist_locked(m, e);
        }
    }
    free(sp);
    e->seen = job_entry_state(e);
    if (e->graph && e->rec.desired == RT_JOB_DESIRED_RUNNING) {
        e->start_pending = true;
        e->resume = true;
        e->seen = RT_JOB_MASTER_CREATED;
        LOG_INFO("job %s (%s) resuming", e->rec.id, e->rec.name);
    }
    /* Records come in id order; the list is newest first by insertion, which is good enough
     * for views (they sort by nothing else). */
    e->next = m->jobs;
    m->jobs = e;
}

int rt_job_manager_open(const rt_job_manager_options *opts, rt_job_manager **out, rt_err *err)
{
    rt_job_manager *m = calloc(1, sizeof *m);
    if (!m || !(m->dir = strdup(opts->data_dir))) {
        free(m);
        return rt_err_set(err, RT_ENOMEM, "job manager: out of memory");
    }
    m->lookup = opts->lookup;
    m->max_jobs = opts->max_jobs ? opts->max_jobs : 64;
    m->catalog = (graph_catalog){.find = catalog_find, .ctx = m, .list = catalog_list};
    pthread_mutex_init(&m->mu, NULL);
    rt_cond_init_monotonic(&m->cond);
    int rc = rt_job_store_open(m->dir, &m->store, err);
    rt_job_record *recs = NULL;
    size_t n = 0;
    if (rc == 0)
        rc = rt_job_store_load(m->store, &recs, &n, err);
    if (rc != 0) {
        rt_job_manager_close(m, false, 0);
        return rc;
    }
    pthread_mutex_lock(&m->mu);
    for (size_t i = 0; i < n; i++)
        load_record(m, &recs[i]);
    pthread_mutex_unlock(&m->mu);
    free(recs);
    rc = pthread_create(&m->worker, NULL, job_worker_main, m);
    if (rc != 0) {
        rt_job_manager_close(m, false, 0);
        return rt_err_set(err, RT_ENOMEM, "job manager: cannot start its thread: %s", strerror(rc));
    }
    m->worker_started = true;
    LOG_INFO("job manager: data directory %s, %zu job(s) stored", m->dir, n);
    *out = m;
    return 0;
}

typedef struct closer {
    job_entry *e;
    pthread_t thread;
    bool started;
    int rc;
    rt_err err;
    char path[4096];
} closer;

static void *close_stop_main(void *arg)
{
    closer *c = arg;
    c->rc = rt_job_master_stop_with_savepoint(c->e->jm, c->path, sizeof c->path, &c->err);
    return NULL;
}

/* Stops every running master: with savepoints in parallel (each stop blocks until its savepoint
 * is written), then waits for all of them to end. No lock needed: the worker and every trigger
 * have been joined. */
static void stop_all(rt_job_manager *m, bool with_savepoints, int64_t timeout_ms)
{
    size_t n = 0;
    for (job_entry *e = m->jobs; e; e = e->next)
        n++;
    closer *cs = calloc(n ? n : 1, sizeof *cs);
    size_t i = 0;
    for (job_entry *e = m->jobs; e; e = e->next, i++) {
        if (!cs || !e->jm || rt_job_master_status_is_terminal(rt_job_master_status_get(e->jm))) {
            if (e->jm)
                rt_job_master_cancel(e->jm);
            continue;
        }
        cs[i].e = e;
        if (with_savepoints && rt_job_master_status_get(e->jm) == RT_JOB_MASTER_RUNNING)
            cs[i].started = pthread_create(&cs[i].thread, NULL, close_stop_main, &cs[i]) == 0;
        if (!cs[i].started)
            rt_job_master_cancel(e->jm);
    }
    int64_t deadline = rt_clock_mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    for (i = 0; cs && i < n; i++) {
        closer *c = &cs[i];
        if (!c->e)
            continue;
        if (c->started) {
            int64_t left = deadline - rt_clock_mono_ms();
            if (!rt_job_master_status_is_terminal(
                    rt_job_master_wait(c->e->jm, left > 0 ? left : 0)))
                rt_job_master_cancel(c->e->jm); /* also ends the stop's wait for its savepoint */
            pthread_join(c->thread, NULL);
            if (c->rc == 0) {
                pthread_mutex_lock(&m->mu);
                job_set_text(&c->e->rec.stop_savepoint, c->path);
                LOG_INFO("job %s (%s) stopped for the shutdown; savepoint: %s", c->e->rec.id,
                         c->e->rec.name, c->path);
                job_persist_locked(m, c->e);
                pthread_mutex_unlock(&m->mu);
            } else {
                LOG_WARN("job %s (%s): stop-with-savepoint at shutdown failed: %s; canceled",
                         c->e->rec.id, c->e->rec.name, c->err.msg);
                rt_job_master_cancel(c->e->jm);
            }
        }
        rt_job_master_wait(c->e->jm, -1);
    }
    free(cs);
}

void rt_job_manager_close(rt_job_manager *m, bool with_savepoints, int64_t timeout_ms)
{
    if (!m)
        return;
    pthread_mutex_lock(&m->mu);
    m->closing = true;
    pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->mu);
    if (m->worker_started)
        pthread_join(m->worker, NULL);
    /* Triggers first: they borrow masters. A savepoint in progress completes or fails within the
     * checkpoint timeout; a stop trigger ends its job, which is what close wants anyway. */
    while (m->triggers) {
        rt_trigger *t = m->triggers;
        m->triggers = t->next;
        if (!t->joined)
            pthread_join(t->thread, NULL);
        free(t);
    }
    /* Jobs that ended meanwhile are recorded as they ended, the others stay "running". The
     * lock only keeps views that still come in consistent: nothing else changes the list now
     * (submit, savepoint and forget refuse while closing). */
    pthread_mutex_lock(&m->mu);
    for (job_entry *e = m->jobs; e; e = e->next) {
        if (e->jm && rt_job_master_status_is_terminal(rt_job_master_status_get(e->jm)))
            job_observe_locked(m, e);
    }
    pthread_mutex_unlock(&m->mu);
    stop_all(m, with_savepoints, timeout_ms);
    while (m->jobs) {
        job_entry *e = m->jobs;
        m->jobs = e->next;
        entry_free(e);
    }
    rt_job_store_close(m->store);
    pthread_cond_destroy(&m->cond);
    pthread_mutex_destroy(&m->mu);
    free(m->dir);
    free(m);
}

/* --- the REST thread's calls --- */

int rt_job_manager_submit(rt_job_manager *m, const char *body, size_t len,
                          char id_out[RT_JOB_ID_LEN + 1], rt_err *err)
{
    job_entry *e = calloc(1, sizeof *e);
    if (!e)
        return rt_err_set(err, RT_ENOMEM, "submit: out of memory");
    int rc = job_parse_text(m, body, len, &e->graph, &e->rec.savepoint, err);
    if (rc != 0) {
        free(e);
        return rc;
    }
    /* Caught here rather than as a FAILED job: the request names the wrong path at once. */
    char meta[4200];
    struct stat st;
    if (e->rec.savepoint &&
        (snprintf(meta, sizeof meta, "%s/_metadata", e->rec.savepoint), stat(meta, &st) != 0)) {
        rc = rt_err_set(err, RT_EINVAL, "$.savepoint: no savepoint at %s (%s)", e->rec.savepoint,
                        strerror(errno));
        entry_free(e);
        return rc;
    }
    char id[RT_JOB_ID_LEN + 1];
    job_new_id(id);
    e->rec.id = strdup(id);
    e->rec.name = strdup(graph_job_name(e->graph));
    e->rec.text = strndup(body, len);
    e->rec.desired = RT_JOB_DESIRED_RUNNING;
    e->rec.submitted_ms = rt_clock_wall_ms();
    e->start_pending = true;
    e->seen = RT_JOB_MASTER_CREATED;
    if (!e->rec.id || !e->rec.name || !e->rec.text) {
        entry_free(e);
        return rt_err_set(err, RT_ENOMEM, "submit: out of memory");
    }

    pthread_mutex_lock(&m->mu);
    if (m->closing)
        rc = rt_err_set(err, RT_ESTATE, "submit: the daemon is shutting down");
    for (job_entry *o = m->jobs; rc == 0 && o; o = o->next) {
        if (strcmp(o->rec.name, e->rec.name) == 0 &&
            !rt_job_master_status_is_terminal(job_entry_state(o)))
            rc = rt_err_set(err, RT_EEXIST, "submit: job %s (%s) has the same name and is %s",
                            o->rec.id, o->rec.name, rt_job_master_status_name(job_entry_state(o)));
    }
    if (rc == 0 && active_locked(m) >= m->max_jobs)
        rc = rt_err_set(err, RT_EBUSY, "submit: %zu jobs are running, the most this daemon takes",
                        m->max_jobs);
    if (rc == 0)
        rc = rt_job_store_put(m->store, &e->rec, err);
    if (rc == 0) {
        e->next = m->jobs;
        m->jobs = e;
        m->submissions++;
        LOG_INFO("job %s (%s) submitted%s%s", id, e->rec.name,
                 e->rec.savepoint ? " from savepoint " : "",
                 e->rec.savepoint ? e->rec.savepoint : "");
        pthread_cond_broadcast(&m->cond);
    }
    pthread_mutex_unlock(&m->mu);
    if (rc != 0) {
        entry_free(e);
        return rc;
    }
    memcpy(id_out, id, RT_JOB_ID_LEN + 1);
    return 0;
}

int rt_job_manager_cancel(rt_job_manager *m, const char *id, rt_err *err)
{
    pthread_mutex_lock(&m->mu);
    job_entry *e = job_entry_find(m, id);
    int rc = 0;
    if (!e) {
        rc = rt_err_set(err, RT_ENOTFOUND, "job %s: no such job", id);
    } else if (!rt_job_master_status_is_terminal(job_entry_state(e)) && !e->cancel_requested) {
        e->cancel_requested = true;
        e->rec.desired = RT_JOB_DESIRED_CANCELED;
        rc = rt_job_store_put(m->store, &e->rec, err);
        LOG_INFO("job %s (%s) canceling", e->rec.id, e->rec.name);
        if (e->start_pending) {
            /* Never started: it ends here. */
            e->start_pending = false;
            e->rec.ended_ms = rt_clock_wall_ms();
            e->seen = RT_JOB_MASTER_CANCELED;
            LOG_INFO("job %s (%s) canceled", e->rec.id, e->rec.name);
            if (rc == 0)
                rc = rt_job_store_put(m->store, &e->rec, err);
        } else if (e->jm) {
            rt_job_master_cancel(e->jm);
        } /* else starting: the worker cancels it once it is published */
    }
    pthread_mutex_unlock(&m->mu);
    return rc;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int rt_job_manager_forget(rt_job_manager *m, const char *id, rt_err *err)
{
    pthread_mutex_lock(&m->mu);
    job_entry *e = job_entry_find(m, id);
    int rc = 0;
    if (!e)
        rc = rt_err_set(err, RT_ENOTFOUND, "job %s: no such job", id);
    else if (m->closing)
        rc = rt_err_set(err, RT_ESTATE, "job %s: the daemon is shutting down", id);
    else if (!rt_job_master_status_is_terminal(job_entry_state(e)))
        rc = rt_err_set(err, RT_ESTATE, "job %s (%s) is %s: cancel or stop it first", id,
                        e->rec.name, rt_job_master_status_name(job_entry_state(e)));
    else if (e->busy > 0)
        rc = rt_err_set(err, RT_ESTATE, "job %s (%s): a savepoint is still being written", id,
                        e->rec.name);
    if (rc == 0)
        rc = rt_job_store_delete(m->store, id, err);
    if (rc == 0) {
        for (job_entry **p = &m->jobs; *p; p = &(*p)->next) {
            if (*p == e) {
                *p = e->next;
                break;
            }
        }
        for (rt_trigger **p = &m->triggers; *p;) {
            rt_trigger *t = *p;
            if (t->entry == e) {
                if (!t->joined)
                    pthread_join(t->thread, NULL); /* done: busy is 0 */
                *p = t->next;
                free(t);
            } else {
                p = &t->next;
            }
        }
        LOG_INFO("job %s (%s) forgotten", id, e->rec.name);
    }
    pthread_mutex_unlock(&m->mu);
    if (rc != 0)
        return rc;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/jobs/%s", m->dir, e->rec.id);
    entry_free(e); /* closes the job's state backend before its files go */
    if (nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT)
        LOG_WARN("job %s: cannot remove %s: %s", id, dir, strerror(errno));
    return 0;
}

size_t rt_job_manager_active_count(rt_job_manager *m)
{
    pthread_mutex_lock(&m->mu);
    size_t n = active_locked(m);
    pthread_mutex_unlock(&m->mu);
    return n;
}
