/* The job manager's durable store: one record per submitted job in DIR/daemon.db (RocksDB), each
 * write synced, so that what a successful call reported survives a crash. The database's LOCK
 * file keeps a second process off the same directory. */
#ifndef SLUICE_RUNTIME_DAEMON_JOB_STORE_H
#define SLUICE_RUNTIME_DAEMON_JOB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/base/errors.h"

/* What the daemon should do with a job when it (re)starts. */
typedef enum rt_job_desired {
    RT_JOB_DESIRED_RUNNING,
    RT_JOB_DESIRED_CANCELED,
    RT_JOB_DESIRED_STOPPED,
    RT_JOB_DESIRED_FINISHED,
    RT_JOB_DESIRED_FAILED,
} rt_job_desired;

/* "running", "canceled", "stopped", "finished", "failed". */
const char *rt_job_desired_name(rt_job_desired d);
/* RT_EINVAL for an unknown name. */
int rt_job_desired_parse(const char *name, rt_job_desired *out);
bool rt_job_desired_is_terminal(rt_job_desired d);

/* One job. Strings are malloc'd and owned by the record (rt_job_record_fini frees them); NULL
 * where absent. */
typedef struct rt_job_record {
    char *id;
    char *name;
    char *text;           /* the submitted body, as given (it may hold literal secrets) */
    char *savepoint;      /* the savepoint the job was submitted to start from */
    char *stop_savepoint; /* written by a clean daemon shutdown: resume from it */
    char *last_savepoint; /* the savepoint that stopped the job (desired stopped) */
    char *failure;        /* why it failed, or why it could not be started */
    rt_job_desired desired;
    int64_t submitted_ms, started_ms, ended_ms; /* wall clock; 0 for not yet */
} rt_job_record;

void rt_job_record_fini(rt_job_record *r);
/* Deep copy into *dst (overwritten). RT_ENOMEM. */
int rt_job_record_copy(rt_job_record *dst, const rt_job_record *src, rt_err *err);

typedef struct rt_job_store rt_job_store;

/* Opens (creating dir and) the database dir/daemon.db, files 0600 in a 0700 directory: the records
 * hold submitted job texts with whatever secrets they carry. RT_EBUSY "data directory DIR is in
 * use by another sluiced" when another process holds it; RT_EIO otherwise. *out: close with
 * rt_job_store_close. */
int rt_job_store_open(const char *dir, rt_job_store **out, rt_err *err);
void rt_job_store_close(rt_job_store *s);

/* Writes (replaces) the record, synced. Thread-safe. */
int rt_job_store_put(rt_job_store *s, const rt_job_record *r, rt_err *err);
/* Removes the record of id, synced (absent: 0). Thread-safe. */
int rt_job_store_delete(rt_job_store *s, const char *id, rt_err *err);

/* Every record, in id order: *out a malloc'd array of *count records (free each with
 * rt_job_record_fini, then the array). A record that cannot be decoded is RT_ECORRUPT naming its
 * key. */
int rt_job_store_load(rt_job_store *s, rt_job_record **out, size_t *count, rt_err *err);

#endif
