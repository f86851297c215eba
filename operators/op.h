/* The operator contract: the one interface every source, transform and sink implements, and the
 * context (op_ctx) through which the runtime serves an operator. The runtime calls an operator's
 * slots only from the thread of the task that runs it, never concurrently:
 *
 *   open -> (poll | process)* -> [prepare_snapshot(n) -> snapshot_state(n)
 *        -> notify_checkpoint_complete(n) | notify_checkpoint_aborted(n)]* -> finish -> close
 *
 * finish is called at end of input only (not on cancel or failure); close is always called when
 * open succeeded and frees everything. A NULL slot takes the runtime default (do nothing). */
#ifndef SLUICE_OPERATORS_OP_H
#define SLUICE_OPERATORS_OP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graph/job_graph.h"
#include "runtime/base/errors.h"
#include "runtime/batch.h"
#include "runtime/table.h"

typedef struct op_ctx op_ctx;

/* What poll() returns when it did not fail. */
enum op_poll_result {
    OP_POLL_MORE = 0, /* emitted (or may emit) more: poll again soon */
    OP_POLL_IDLE = 1, /* nothing to emit now: the runtime waits a little (and serves its mailbox) */
    OP_POLL_END = 2,  /* bounded input exhausted: the runtime finishes the chain */
};

typedef struct op_type {
    /* name, kind, config table and size, validate hook: what the job-graph validator needs. */
    graph_type_info info;
    const char *help; /* one line for `sluice --help` and the README */

    /* Creates the operator's instance in *self. config is the applied config struct (borrowed,
     * valid until close returns). */
    int (*open)(op_ctx *ctx, const void *config, void **self, rt_err *err);
    /* Sources: emit what is available now without blocking for long (the task also serves
     * barriers and cancellation between polls). Returns an op_poll_result or a negative code. */
    int (*poll)(void *self, op_ctx *ctx, rt_err *err);
    /* Transforms and sinks: handle one batch from job-graph input `input` (0-based, the order of
     * the vertex's `inputs`). The batch is borrowed for the call; to keep or forward it as is,
     * take a reference with rt_batch_ref. */
    int (*process)(void *self, op_ctx *ctx, size_t input, rt_batch *batch, rt_err *err);
    /* Checkpoint `id` reached this operator: flush buffered output, pre-commit (sinks). */
    int (*prepare_snapshot)(void *self, op_ctx *ctx, uint64_t id, rt_err *err);
    /* Write this subtask's state for checkpoint `id`. */
    int (*snapshot_state)(void *self, op_ctx *ctx, uint64_t id, rt_err *err);
    /* Checkpoint `id` is durable: commit what was pre-committed up to it. */
    int (*notify_checkpoint_complete)(void *self, op_ctx *ctx, uint64_t id, rt_err *err);
    /* Checkpoint `id` was abandoned: it will never complete. */
    int (*notify_checkpoint_aborted)(void *self, op_ctx *ctx, uint64_t id, rt_err *err);
    /* End of input: flush everything; may still emit. */
    int (*finish)(void *self, op_ctx *ctx, rt_err *err);
    /* Frees the instance. Always called after a successful open, whatever happened since. */
    void (*close)(void *self, op_ctx *ctx);
    /* Its state restores at any parallelism: the operator gathers what every subtask of the
     * checkpoint wrote itself (op_ctx_state_get_subtask). Otherwise a restore needs the same
     * parallelism as the checkpoint. */
    bool rescalable_state;
} op_type;

/* --- The context, implemented by the runtime. Call only from the operator's own task thread. --- */

/* Sends batch downstream (to the next operator of the chain, or to the task's output channels).
 * Takes ownership of the batch reference in every case. May block (backpressure). Returns 0,
 * RT_ECANCELED when the job is being canceled, or the downstream operator's error. Sinks have no
 * downstream: emitting from a sink is RT_EINTERNAL. */
int op_ctx_emit(op_ctx *ctx, rt_batch *batch, rt_err *err);
/* A new empty batch from the job's pool; NULL on OOM. */
rt_batch *op_ctx_batch_new(op_ctx *ctx);
/* Rows per batch the job aims for (job option; default 1024). */
size_t op_ctx_batch_rows(const op_ctx *ctx);
/* The job's table catalog (thread-safe). */
rt_catalog *op_ctx_catalog(op_ctx *ctx);
const char *op_ctx_job_name(const op_ctx *ctx);
const char *op_ctx_vertex_id(const op_ctx *ctx);
uint32_t op_ctx_subtask(const op_ctx *ctx);
uint32_t op_ctx_parallelism(const op_ctx *ctx);
/* True once the job is being canceled: long-running work should return soon. */
bool op_ctx_is_canceled(const op_ctx *ctx);
/* "job=<name> op=<vertex>#<subtask>", for log lines. Borrowed. */
const char *op_ctx_log_tag(const op_ctx *ctx);

/* --- State (checkpoints) --- */

/* True when the job takes checkpoints (it has a state backend): sinks then commit only on
 * notify_checkpoint_complete; without checkpoints they commit at finish. */
bool op_ctx_checkpointing(const op_ctx *ctx);
/* Writes key -> value (copied) into this subtask's state of the checkpoint being taken. Only
 * during snapshot_state; RT_EINTERNAL otherwise. */
int op_ctx_state_put(op_ctx *ctx, const char *key, const void *val, size_t len, rt_err *err);
/* The checkpoint this subtask was restored from, 0 on a fresh start. */
uint64_t op_ctx_restored_checkpoint(const op_ctx *ctx);
/* Reads key from the restored state (during open): *val is malloc'd (free()), NUL after *len
 * bytes. RT_ENOTFOUND on a fresh start or when the key was not written. */
int op_ctx_state_get(op_ctx *ctx, const char *key, char **val, size_t *len, rt_err *err);
/* The same from the restored state of another subtask of this vertex (any index, also one
 * beyond today's parallelism): sources that share work between subtasks (parallel snapshot
 * readers) gather what every subtask finished. RT_ENOTFOUND as op_ctx_state_get. */
int op_ctx_state_get_subtask(op_ctx *ctx, uint32_t subtask, const char *key, char **val,
                             size_t *len, rt_err *err);

/* --- Metrics --- */

/* rt_metric and its updates (rt_metric_add / _set / _set_double / _set_text). */
#include "runtime/metrics.h"

/* Registers a series of this operator's subtask, labelled job, vertex and subtask plus the
 * optional extra label label_key="label_value" (label_key NULL: none), and returns its handle:
 * call at open, keep it, update it from the hot path (lock-free, relaxed atomics). Registering
 * the same name and labels again (a restarted job) returns the same series. Names follow
 * Prometheus: sluice_<operator>_<what>[_<unit>], counters end in _total, info names in _info.
 * On an illegal name or out of memory the failure is logged and the result is NULL, which every
 * update ignores: an operator never fails because of its metrics. The handle stays valid until
 * the job's registry is freed, past close; do not free it. */
rt_metric *op_ctx_counter(op_ctx *ctx, const char *name, const char *help, const char *label_key,
                          const char *label_value);
/* An integer gauge (rt_metric_set; rt_metric_add moves it by a signed delta). */
rt_metric *op_ctx_gauge(op_ctx *ctx, const char *name, const char *help, const char *label_key,
                        const char *label_value);
/* A floating-point gauge (rt_metric_set_double). */
rt_metric *op_ctx_gauge_double(op_ctx *ctx, const char *name, const char *help,
                               const char *label_key, const char *label_value);
/* A short text such as a binlog position (rt_metric_set_text, which takes a short lock); shown
 * as name{...,value="<text>"} 1. The name must end in _info. */
rt_metric *op_ctx_info(op_ctx *ctx, const char *name, const char *help, const char *label_key,
                       const char *label_value);

#endif
