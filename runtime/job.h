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

typedef struct rt_job_options {
    size_t channel_capacity; /* elements per channel; 0 = default 8 */
    size_t batch_rows;       /* rows per batch operators aim for; 0 = default 1024 */
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

typedef struct rt_vertex_metrics {
    uint64_t records_in;
    uint64_t records_out;
    uint64_t batches_in;
    uint64_t batches_out;
} rt_vertex_metrics;

/* Sums of the vertex's subtasks so far. Thread-safe. */
void rt_job_vertex_metrics(rt_job *job, size_t vertex, rt_vertex_metrics *out);

/* Cancels and joins the tasks if still running, then frees everything. NULL is a no-op. */
void rt_job_free(rt_job *job);

#endif
