/* Tasks and the execution graph (internal to the runtime): the structs shared by job.c (the job's
 * lifecycle and its checkpoint thread), task.c (a task's thread: its operator chain, input gate,
 * mailbox and outputs) and op_ctx.c (the context operators reach the runtime through). */
#ifndef SLUICE_RUNTIME_TASK_H
#define SLUICE_RUNTIME_TASK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graph/job_graph.h"
#include "graph/plan.h"
#include "operators/op.h"
#include "runtime/barrier_aligner.h"
#include "runtime/batch.h"
#include "runtime/channel.h"
#include "runtime/job.h"
#include "runtime/mailbox.h"
#include "runtime/metrics.h"
#include "runtime/output.h"
#include "runtime/table.h"
#include "state/backend.h"

typedef struct rt_task rt_task;

/* One operator instance: vertex `vertex` of the task's chain at position `pos`. The counters are
 * series of the job's metrics registry (owned by it), written by the task's thread only and read
 * by anyone (rt_job_vertex_metrics, the registry's readers). */
struct op_ctx {
    rt_task *task;
    size_t pos;
    size_t vertex;
    const graph_vertex *gv;
    const op_type *type;
    void *config; /* the applied config struct (owned; rt_config_free + free) */
    void *self;   /* what open returned */
    bool opened;
    char *tag;         /* "job=<name> op=<vertex>#<subtask>" */
    st_writer *writer; /* set only during snapshot_state: where op_ctx_state_put goes */
    rt_metric *records_in, *records_out, *batches_in, *batches_out;
};

struct rt_task {
    rt_job *job;
    size_t index;     /* plan task index */
    uint32_t subtask; /* of its chain */
    uint32_t parallelism;
    op_ctx *ops; /* the chain, head first */
    size_t op_count;
    rt_gate *gate;         /* owned by the job (job->gates[index]) */
    size_t *gate_to_input; /* head operator's job-graph input for each gate input */
    rt_output *output;
    rt_mailbox *mailbox;         /* owned */
    rt_barrier_aligner *aligner; /* owned; NULL for a task without inputs */
    bool source;                 /* the head is a polled source */
    pthread_t thread;
    bool started;
    /* Task-thread state. */
    bool failed; /* this task recorded an operator failure */
    int fail_code;
    bool outputs_ended; /* END went out: nothing may be emitted any more */
    bool closing;
    bool ended;             /* finished at end of input; serves its mailbox until CLOSE */
    bool close_requested;   /* CLOSE came */
    uint64_t last_snapshot; /* the newest checkpoint the chain took */
    uint64_t stopped_at;    /* a source stopped by this stop-with-savepoint emits nothing more */
    uint64_t *state_bytes;  /* per chain operator: what the last snapshot wrote (for the ack) */
    st_writer **writers;    /* per chain operator, during a snapshot */
};

/* The job's checkpoint thread and what it shares with the rest of the job (job_checkpoint.c). */
typedef struct rt_job_ckpt rt_job_ckpt;

struct rt_job {
    const graph_job *graph;
    const graph_plan *plan;
    const char *name;
    char *tag; /* "job=<name>" */
    size_t channel_capacity;
    size_t batch_rows;
    rt_catalog *catalog;
    rt_batch_pool *pool;
    rt_gate **gates; /* per task */
    rt_task *tasks;
    size_t task_count;
    st_backend *state;   /* borrowed; NULL: no checkpoints */
    uint64_t restore_id; /* checkpoint the operators restore from; 0: fresh start */
    rt_job_ckpt *ckpt;   /* the checkpoint thread's; NULL without a state backend */
    rt_metrics *metrics; /* options' (borrowed) or, without one, the job's own */
    bool owns_metrics;
    /* Set (before any gate is canceled) once the job is being canceled or has failed: an
     * RT_ECANCELED seen after it is a consequence, not a cause. */
    atomic_bool stopping;

    pthread_mutex_t mu; /* guards what follows */
    pthread_cond_t ended;
    rt_job_status status;  /* RUNNING until the last thread is done, then the outcome */
    rt_job_status outcome; /* RUNNING until the first cancel or failure decides it */
    size_t running;        /* threads (tasks, checkpoint thread) not yet done */
    size_t tasks_running;  /* task threads not yet done */
    size_t interrupted;    /* task threads that ended before their end of input (or never ran) */
    rt_err failure;
};

/* task.c */

/* Builds task `index` of the job: its chain's operators (configs applied), its gate-input to
 * operator-input map and its outputs. The job's gates must exist. Undo with rt_task_fini. */
int rt_task_init(rt_job *job, size_t index, rt_op_lookup lookup, rt_err *err);
/* Frees what rt_task_init built (operators must be closed, the thread joined). */
void rt_task_fini(rt_task *t);
/* The task thread's body (arg: the rt_task). */
void *rt_task_main(void *arg);

/* op_ctx.c */

/* Calls an operator slot's result through this: records the first real failure of the task as
 * "vertex '<id>'#<subtask>: ..." and fails the job with it. Returns rc. */
int rt_task_op_failed(op_ctx *ctx, int rc, rt_err *err);
/* Hands batch (one reference, consumed) to the operator at ctx's position (input `input`),
 * counting it in. */
int rt_task_op_process(op_ctx *ctx, size_t input, rt_batch *batch, rt_err *err);

/* job.c, called from task threads. */

/* Decides the job's outcome as FAILED with err (unless already decided) and stops every task. */
void rt_job_fail(rt_job *job, const rt_err *err);
/* The task's thread is done; the last one makes the job's outcome its status. */
void rt_job_task_done(rt_job *job, rt_task *t, int rc);
/* Another thread of the job (the checkpoint thread) is done. */
void rt_job_thread_done(rt_job *job);

/* job_checkpoint.c, called from task threads: these hand a task's checkpoint events to the job's
 * checkpoint thread (which feeds its coordinator); they return 0 or RT_ENOMEM and never block
 * for long. Only with a state backend. */

/* Task t took checkpoint id; t->state_bytes holds what each chain operator wrote. */
int rt_job_checkpoint_ack(rt_job *job, rt_task *t, uint64_t id, int64_t alignment_ms, rt_err *err);
/* Task t could not take checkpoint id: reason (copied) says why. */
void rt_job_checkpoint_decline(rt_job *job, rt_task *t, uint64_t id, const char *reason);
/* Task t called notify_checkpoint_complete(id) on its whole chain. */
int rt_job_checkpoint_notified(rt_job *job, rt_task *t, uint64_t id, rt_err *err);
/* Task t finished at end of input and now serves its mailbox until CLOSE. */
int rt_job_task_ended(rt_job *job, rt_task *t, rt_err *err);

#endif
