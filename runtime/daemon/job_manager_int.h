/* Private to the job manager's files (job_manager.c, job_worker.c, job_view.c, job_metrics.c): the
 * manager, one hosted job (job_entry) and one savepoint trigger. Everything here is guarded by the
 * manager's mutex unless a comment says otherwise. */
#ifndef SLUICE_RUNTIME_DAEMON_JOB_MANAGER_INT_H
#define SLUICE_RUNTIME_DAEMON_JOB_MANAGER_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "graph/job_graph.h"
#include "runtime/daemon/job_manager.h"
#include "runtime/daemon/job_store.h"
#include "runtime/job_master.h"

typedef enum trigger_status {
    TRIGGER_IN_PROGRESS,
    TRIGGER_COMPLETED,
    TRIGGER_FAILED,
} trigger_status;

typedef struct job_entry job_entry;

/* A savepoint or stop-with-savepoint, run on its own short-lived thread so that two jobs'
 * savepoints never wait for each other. */
typedef struct rt_trigger {
    char id[RT_JOB_ID_LEN + 1];
    char job_id[RT_JOB_ID_LEN + 1];
    bool stop;
    trigger_status status;
    char location[4096];
    rt_err failure;
    job_entry *entry; /* the thread's alone while in progress: entry->busy keeps it alive */
    struct rt_job_manager *m;
    pthread_t thread;
    bool joined; /* thread joined (after status left IN_PROGRESS) */
    struct rt_trigger *next;
} rt_trigger;

struct job_entry {
    rt_job_record rec; /* what the store holds (rec.text may carry literal secrets) */
    graph_job *graph;  /* owned; NULL when the stored text no longer validates */
    /* Owned; NULL until the worker started it, and for jobs that ended in an earlier run of the
     * daemon. Borrows graph. Freed only by forget and close, never while busy > 0. */
    rt_job_master *jm;
    rt_job_master_status seen; /* the state last observed and logged */
    bool start_pending;        /* the worker should start it ... */
    int64_t start_after_ms;    /* ... not before this monotonic instant (a retry) */
    int64_t retry_ms;          /* the backoff of the last retry; 0: none yet */
    bool starting;             /* the worker is starting it (outside the lock) */
    bool cancel_requested;
    bool resume;              /* started by open(): log "resumed" rather than "running" */
    unsigned busy;            /* trigger threads using jm */
    uint64_t ckpt_logged;     /* the newest checkpoint id logged */
    unsigned failures_logged; /* failed attempts logged as "restarting" */
    unsigned running_logged;  /* attempts logged as "running" */
    job_entry *next;
};

struct rt_job_manager {
    char *dir;
    rt_op_lookup lookup;
    graph_catalog catalog; /* the lookup as the codec sees it */
    size_t max_jobs;
    rt_job_store *store;

    pthread_mutex_t mu;
    pthread_cond_t cond; /* CLOCK_MONOTONIC: work for the worker, closing */
    job_entry *jobs;     /* newest first */
    rt_trigger *triggers;
    uint64_t submissions;
    bool closing;
    bool worker_started;
    pthread_t worker;
};

/* job_manager.c */

/* 32 random lower-case hex digits. */
void job_new_id(char out[RT_JOB_ID_LEN + 1]);
/* Replaces *field with a copy of v (NULL clears it); on out-of-memory keeps the old value: the
 * fields it sets are informative. */
void job_set_text(char **field, const char *v);
/* Writes e's record; a failure is logged (the in-memory state stays right and the next write
 * catches up). Under mu. */
void job_persist_locked(rt_job_manager *m, job_entry *e);
/* Splits off the "savepoint" key (*savepoint, malloc'd or NULL) and parses the graph (*graph). */
int job_parse_text(rt_job_manager *m, const char *body, size_t len, graph_job **graph,
                   char **savepoint, rt_err *err);
/* The state a view shows: the master's, or what the record and the worker's flags imply. */
rt_job_master_status job_entry_state(const job_entry *e);
job_entry *job_entry_find(rt_job_manager *m, const char *id);

/* job_worker.c */

/* The worker thread's body (arg: the manager): runs until m->closing. */
void *job_worker_main(void *arg);
/* Logs what changed in e's master since the last look and persists a terminal state. Under mu
 * (or with the worker and every trigger joined). */
void job_observe_locked(rt_job_manager *m, job_entry *e);

#endif
