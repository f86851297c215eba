/* The job master: runs one job to its end, restarting it after transient failures as the job
 * graph's restart strategy allows, from the latest completed checkpoint in the data directory
 * (Flink's JobMaster). It owns the state backend, the plan and each attempt's rt_job; a
 * supervisor thread runs the start -> wait -> backoff -> restart loop. */
#ifndef SLUICE_RUNTIME_JOB_MASTER_H
#define SLUICE_RUNTIME_JOB_MASTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graph/job_graph.h"
#include "runtime/base/errors.h"
#include "runtime/job.h"

typedef enum rt_job_master_status {
    RT_JOB_MASTER_CREATED,
    RT_JOB_MASTER_RUNNING,
    RT_JOB_MASTER_RESTARTING, /* an attempt failed; waiting the backoff before the next one */
    RT_JOB_MASTER_FINISHED,   /* every task reached end of input */
    RT_JOB_MASTER_FAILED,     /* for good: rt_job_master_failure tells why */
    RT_JOB_MASTER_CANCELED,   /* rt_job_master_cancel */
    /* Ended by rt_job_master_stop_with_savepoint: it can resume from the savepoint. Flink
     * reports FINISHED here; a distinct status lets callers tell "done" from "paused". */
    RT_JOB_MASTER_STOPPED,
} rt_job_master_status;

/* "CREATED", "RUNNING", "RESTARTING", "FINISHED", "FAILED", "CANCELED", "STOPPED". */
const char *rt_job_master_status_name(rt_job_master_status s);
bool rt_job_master_status_is_terminal(rt_job_master_status s);

typedef struct rt_job_master_options {
    /* Per-attempt job options (channel capacity, batch rows). The master sets .state,
     * .restore_checkpoint and .metrics itself; whatever the caller put there is ignored. */
    rt_job_options job;
    /* The job's data directory (state backend in DIR/state, savepoints in DIR/savepoints).
     * NULL: no checkpoints, no restore, no savepoints. Copied. */
    const char *data_dir;
    /* A savepoint directory (st_backend_export's format) to import into the data directory and
     * start from. Needs data_dir. Copied. */
    const char *from_savepoint;
    /* Replaces the job graph's restart section (copied); NULL: the job's. The CLI passes "none"
     * without a data directory: with no checkpoint to go back to, a restart would replay the
     * sources from the beginning into the sinks (Flink, too, restarts only with checkpoints). */
    const graph_restart_cfg *restart;
} rt_job_master_options;

typedef struct rt_job_master rt_job_master;

/* Builds the plan and the restart strategy of `graph` (borrowed; must outlive the master) or
 * opts->restart.
 * RT_EINVAL for a plan error, or from_savepoint without data_dir. *out: free with
 * rt_job_master_free. */
int rt_job_master_new(const graph_job *graph, rt_op_lookup lookup,
                      const rt_job_master_options *opts, rt_job_master **out, rt_err *err);

/* Prepares the first attempt in the caller's thread, then starts the supervisor thread: opens the
 * state backend, imports from_savepoint, checks that the latest completed checkpoint fits the
 * graph (rt_job_check_restore) and builds the job restored from it. On an error the master is
 * FAILED with that error, and it is returned: RT_ESTATE for state that does not fit the graph,
 * RT_EEXIST when the data directory holds a checkpoint newer than the savepoint, RT_EINVAL for
 * an operator config error, RT_EIO for a backend that cannot be opened (e.g. locked). Call once. */
int rt_job_master_start(rt_job_master *jm, rt_err *err);

/* Cancels the running attempt or the pending restart; the master ends CANCELED (unless it
 * already ended). Thread-safe; does not block. */
void rt_job_master_cancel(rt_job_master *jm);

/* Stop-with-savepoint: triggers a savepoint that stops the sources after its barrier, waits for
 * it, and exports it to DATA_DIR/savepoints/savepoint-<id>, whose path is copied to path_out
 * (truncated to size). The job then ends and the master is STOPPED. RT_EINVAL without a data
 * directory, RT_ESTATE when the job is not running (e.g. restarting) or already stopping, or the
 * reason the savepoint failed (the job then goes on, or restarts, as if nothing was asked).
 * Blocks until the savepoint is written; thread-safe. */
int rt_job_master_stop_with_savepoint(rt_job_master *jm, char *path_out, size_t size, rt_err *err);

/* A savepoint that does not stop the job: triggers it, waits for it and exports it to
 * DATA_DIR/savepoints/savepoint-<id> as stop-with-savepoint does (path copied to path_out,
 * truncated to size); the job goes on. RT_EINVAL without a data directory, RT_ESTATE when the job
 * is not running or a stop-with-savepoint is in progress, or why the savepoint failed or could
 * not be exported. Blocks until the savepoint is written; thread-safe (several may run at once).
 * The master must not be freed meanwhile. */
int rt_job_master_trigger_savepoint(rt_job_master *jm, char *path_out, size_t size, rt_err *err);

/* Copies up to max of the most recent checkpoints across attempts (newest last; the master keeps
 * the last RT_JOB_MASTER_HISTORY) into out and returns how many. A checkpoint still in progress
 * when its attempt ended is reported FAILED. Thread-safe. */
#define RT_JOB_MASTER_HISTORY 32
size_t rt_job_master_checkpoint_history(rt_job_master *jm, rt_checkpoint_stats *out, size_t max);

/* Sums over every attempt of vertex `vertex`'s (index in the graph) subtasks' record and batch
 * counters, read from the master's registry: also after the job ended. Thread-safe. */
void rt_job_master_vertex_metrics(rt_job_master *jm, size_t vertex, rt_vertex_metrics *out);

/* The latest failure: why a FAILED master failed, else why the latest attempt that failed did
 * (the master restarted after it). 0, or RT_ENOTFOUND when no attempt failed. Thread-safe. */
int rt_job_master_last_error(rt_job_master *jm, rt_err *out);

/* Wall-clock ms when rt_job_master_start was called / when the master ended; 0 for not yet. */
int64_t rt_job_master_start_time(rt_job_master *jm);
int64_t rt_job_master_end_time(rt_job_master *jm);

/* Waits until the master ends or timeout_ms passes (-1: forever); returns the status then. */
rt_job_master_status rt_job_master_wait(rt_job_master *jm, int64_t timeout_ms);
rt_job_master_status rt_job_master_status_get(rt_job_master *jm);
/* Copies why a FAILED master failed (the task's error: "vertex 'out'#1: ...", or the start
 * error) into *out; 0, or RT_ENOTFOUND when it did not fail. Thread-safe. */
int rt_job_master_failure(rt_job_master *jm, rt_err *out);
/* Attempts started so far: 1 + restarts. Thread-safe. */
unsigned rt_job_master_attempts(rt_job_master *jm);
/* The checkpoint the current (or last) attempt was restored from, 0 for a fresh start. */
uint64_t rt_job_master_restored_checkpoint(rt_job_master *jm);

/* The job's metrics registry, shared by every attempt (a restart continues the series, it does not
 * duplicate them): readable while the job runs, between attempts and after it ended. Borrowed;
 * valid until rt_job_master_free. Thread-safe. */
struct rt_metrics *rt_job_master_metrics(rt_job_master *jm);

/* Cancels and joins the supervisor and the job if still running, closes the state backend and
 * frees everything. NULL is a no-op. Not concurrently with other calls on jm. */
void rt_job_master_free(rt_job_master *jm);

#endif
