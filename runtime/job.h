/* A running job: the execution graph (tasks, channels, operator instances) built from a physical
 * plan, one thread per task, and the job's status. */
#ifndef SLUICE_RUNTIME_JOB_H
#define SLUICE_RUNTIME_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graph/job_graph.h"
#include "graph/plan.h"
#include "operators/op.h"
#include "runtime/base/errors.h"

typedef enum rt_job_status {
    RT_JOB_CREATED,
    RT_JOB_RUNNING,
    RT_JOB_FINISHED, /* every task reached end of input */
    RT_JOB_FAILED,   /* a task failed; rt_job_failure tells why */
    RT_JOB_CANCELED, /* rt_job_cancel */
} rt_job_status;

/* "CREATED", "RUNNING", "FINISHED", "FAILED", "CANCELED" (Flink's names). */
const char *rt_job_status_name(rt_job_status s);
bool rt_job_status_is_terminal(rt_job_status s);

/* The operator registry handed to the runtime (the runtime never names a concrete operator). */
typedef const op_type *(*rt_op_lookup)(const char *type);

struct st_backend;

typedef struct rt_job_options {
    size_t channel_capacity; /* elements per channel; 0 = default 8 */
    size_t batch_rows;       /* rows per batch operators aim for; 0 = default 1024 */
    /* Checkpointing: with a state backend the job takes checkpoints as the job graph's
     * "checkpoint" section says (interval 0: only on request, e.g. savepoints and the final
     * checkpoint at end of input). Borrowed; must outlive the job. NULL: no checkpoints. */
    struct st_backend *state;
    /* Completed checkpoint (or savepoint) to restore every operator from; 0: fresh start. The
     * caller checked it fits the graph (rt_job_check_restore). */
    uint64_t restore_checkpoint;
    /* The registry the job's series go to (borrowed; must outlive the job): a job master hands
     * every attempt the same one, so that a restart continues the series. NULL: the job makes
     * its own (rt_job_metrics). */
    struct rt_metrics *metrics;
} rt_job_options;

typedef struct rt_job rt_job;

/* Builds the execution graph. graph and plan are borrowed and must outlive the job. Applies each
 * vertex's config to its operator's table (errors name the vertex). *out: free with rt_job_free. */
int rt_job_new(const graph_job *graph, const graph_plan *plan, rt_op_lookup lookup,
               const rt_job_options *opts, rt_job **out, rt_err *err);
/* Starts one thread per task. Returns 0 or an error (the job is then FAILED). */
int rt_job_start(rt_job *job, rt_err *err);
/* Asks every task to stop; the job ends CANCELED (unless it already ended). Thread-safe and
 * non-blocking. */
void rt_job_cancel(rt_job *job);
/* Waits until the job ends or timeout_ms passes (-1: forever) and returns the status then. */
rt_job_status rt_job_wait(rt_job *job, int64_t timeout_ms);
rt_job_status rt_job_status_get(rt_job *job);
/* Copies the failure of a FAILED job ("vertex 'out'#1: ...") into *out; 0, or RT_ENOTFOUND when
 * the job did not fail. */
int rt_job_failure(rt_job *job, rt_err *out);

/* The job's metrics registry (options' or its own). Borrowed; valid until rt_job_free (or, for
 * the options' registry, until its owner frees it). Thread-safe. */
struct rt_metrics *rt_job_metrics(rt_job *job);

typedef struct rt_vertex_metrics {
    uint64_t records_in;
    uint64_t records_out;
    uint64_t batches_in;
    uint64_t batches_out;
} rt_vertex_metrics;

/* Sums of the vertex's subtasks so far, read from the registry's series: with a registry shared
 * across attempts (a job master's) they count every attempt. Thread-safe. */
void rt_job_vertex_metrics(rt_job *job, size_t vertex, rt_vertex_metrics *out);

/* Checks that checkpoint `id` in `state` fits the graph: every operator that has state there
 * exists in the graph with the same type and parallelism (any parallelism for a type whose
 * rescalable_state lookup, which may be NULL, says so). RT_ESTATE with a message naming the
 * operator otherwise ("operator 'gen': checkpoint 12 holds state of 2 subtasks, the job has
 * parallelism 3"); RT_ENOTFOUND / RT_ECORRUPT for a missing or damaged checkpoint. */
int rt_job_check_restore(const graph_job *graph, rt_op_lookup lookup, struct st_backend *state,
                         uint64_t id, rt_err *err);

/* Triggers a checkpoint now (savepoint = kept until deleted, never pruned). With stop, sources
 * emit nothing after its barrier and the job is canceled once it completed (stop-with-savepoint).
 * Returns 0 with *id, or RT_EINVAL without a state backend / RT_ESTATE when not running.
 * Thread-safe; does not wait: see rt_job_checkpoint_wait. */
int rt_job_trigger_checkpoint(rt_job *job, bool savepoint, bool stop, uint64_t *id, rt_err *err);
/* Waits up to timeout_ms (-1 forever) for checkpoint id to complete or fail. 0 when completed;
 * RT_ETIMEDOUT; or the reason it was aborted (in err). Thread-safe. */
int rt_job_checkpoint_wait(rt_job *job, uint64_t id, int64_t timeout_ms, rt_err *err);

typedef enum rt_checkpoint_status {
    RT_CHECKPOINT_IN_PROGRESS,
    RT_CHECKPOINT_COMPLETED,
    RT_CHECKPOINT_FAILED,
} rt_checkpoint_status;
/* "IN_PROGRESS", "COMPLETED", "FAILED" (Flink's names). */
const char *rt_checkpoint_status_name(rt_checkpoint_status s);

/* One checkpoint as the job saw it, for logs and the REST API. */
typedef struct rt_checkpoint_stats {
    uint64_t id;
    rt_checkpoint_status status;
    bool savepoint;
    int64_t trigger_ms;      /* wall clock */
    int64_t duration_ms;     /* trigger to completion (or failure) */
    int64_t alignment_ms;    /* the longest alignment of any task */
    uint64_t state_size;     /* bytes written by all subtasks */
    char failure[160];       /* why it failed, "" otherwise */
} rt_checkpoint_stats;

/* Copies up to max of the most recent checkpoints (newest last) into out; returns how many. */
size_t rt_job_checkpoint_history(rt_job *job, rt_checkpoint_stats *out, size_t max);

/* Cancels and joins the tasks if still running, then frees everything. NULL is a no-op. */
void rt_job_free(rt_job *job);

#endif
