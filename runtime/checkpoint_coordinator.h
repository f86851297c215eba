/* The checkpoint coordinator (internal to the runtime): the state machine of a job's pending and
 * completed checkpoints. It decides when to trigger (interval, min pause, max concurrent),
 * collects the tasks' acks, aborts on timeout or decline, makes a checkpoint durable in the state
 * backend once every task acked, and keeps the recent history. It never touches a thread or a
 * task: time comes in as now_ms (monotonic) and what the tasks must be told goes out as actions
 * the caller delivers (rt_checkpoint_coordinator_next_action). Not thread-safe: the job guards
 * it with one mutex. */
#ifndef SLUICE_RUNTIME_CHECKPOINT_COORDINATOR_H
#define SLUICE_RUNTIME_CHECKPOINT_COORDINATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graph/job_graph.h"
#include "graph/plan.h"
#include "runtime/base/errors.h"
#include "runtime/job.h"
#include "state/backend.h"

/* Checkpoints the history keeps (the newest ones). */
#define RT_CHECKPOINT_HISTORY_MAX 50

typedef enum rt_checkpoint_action_kind {
    RT_CHECKPOINT_ACTION_TRIGGER,         /* send TRIGGER(id) to the tasks that take it directly */
    RT_CHECKPOINT_ACTION_NOTIFY_COMPLETE, /* tell every task that id is durable */
    RT_CHECKPOINT_ACTION_NOTIFY_ABORTED,  /* tell every task that id will never complete */
} rt_checkpoint_action_kind;

/* "trigger", "notify_complete", "notify_aborted". */
const char *rt_checkpoint_action_kind_name(rt_checkpoint_action_kind k);

typedef struct rt_checkpoint_action {
    rt_checkpoint_action_kind kind;
    uint64_t id;
    bool savepoint;
    bool stop; /* stop-with-savepoint */
} rt_checkpoint_action;

typedef struct rt_checkpoint_coordinator rt_checkpoint_coordinator;

/* A coordinator for the tasks of plan (every task must ack a checkpoint). graph, plan and state
 * are borrowed and must outlive it; cfg is copied; tag ("job=<name>") prefixes its log lines and
 * is copied. *out: free with rt_checkpoint_coordinator_free. */
int rt_checkpoint_coordinator_new(const graph_job *graph, const graph_plan *plan,
                                  const graph_checkpoint_cfg *cfg, st_backend *state,
                                  const char *tag, int64_t now_ms, rt_checkpoint_coordinator **out,
                                  rt_err *err);
/* Frees it. Pending checkpoints are dropped as they are (abort them first). NULL is a no-op. */
void rt_checkpoint_coordinator_free(rt_checkpoint_coordinator *c);

/* Turns periodic triggers on (the default when the interval is not 0) or off (the job is winding
 * down, or a stop-with-savepoint is in flight). Requested triggers work either way. */
void rt_checkpoint_coordinator_set_periodic(rt_checkpoint_coordinator *c, bool on);
/* Advances time: aborts checkpoints pending longer than the timeout, then triggers a periodic
 * checkpoint when the interval elapsed since the last trigger, the min pause since the last
 * completion, and fewer than max_concurrent are pending. Returns 0, or the error of a trigger
 * that could not get an id from the backend (logged; the next tick tries again). */
int rt_checkpoint_coordinator_tick(rt_checkpoint_coordinator *c, int64_t now_ms, rt_err *err);
/* Triggers a checkpoint now, whatever the interval, pause and concurrency limits say (savepoints,
 * the final checkpoint at end of input). Returns 0 with *id, or the backend's error. */
int rt_checkpoint_coordinator_trigger(rt_checkpoint_coordinator *c, bool savepoint, bool stop,
                                      int64_t now_ms, uint64_t *id, rt_err *err);

/* Task `task` (plan index) took checkpoint id: state_bytes[k] is what the k-th operator of its
 * chain wrote (borrowed; one entry per chain vertex), alignment_ms how long it aligned. The last
 * ack completes the checkpoint (durable in the backend, then NOTIFY_COMPLETE). Acks of unknown or
 * aborted checkpoints and repeated acks are ignored (the state a late ack wrote is discarded). */
void rt_checkpoint_coordinator_ack(rt_checkpoint_coordinator *c, uint64_t id, size_t task,
                                   const uint64_t *state_bytes, int64_t alignment_ms,
                                   int64_t now_ms);
/* Task `task` could not take checkpoint id (reason: why, copied): aborts it. */
void rt_checkpoint_coordinator_decline(rt_checkpoint_coordinator *c, uint64_t id, size_t task,
                                       const char *reason, int64_t now_ms);
/* Aborts every pending checkpoint with reason (the job is stopping). */
void rt_checkpoint_coordinator_abort_all(rt_checkpoint_coordinator *c, const char *reason,
                                         int64_t now_ms);

/* Takes the oldest action not yet delivered: true with *out, false when there is none. */
bool rt_checkpoint_coordinator_next_action(rt_checkpoint_coordinator *c, rt_checkpoint_action *out);
size_t rt_checkpoint_coordinator_pending_count(const rt_checkpoint_coordinator *c);
/* Writes into ids (up to max, ascending) the pending checkpoints that task has not acked yet;
 * returns how many there are. */
size_t rt_checkpoint_coordinator_unacked(const rt_checkpoint_coordinator *c, size_t task,
                                         uint64_t *ids, size_t max);
/* Stats of checkpoint id while the history holds it: 0 or RT_ENOTFOUND. */
int rt_checkpoint_coordinator_stats(const rt_checkpoint_coordinator *c, uint64_t id,
                                    rt_checkpoint_stats *out);
/* Copies up to max of the newest checkpoints (newest last) into out; returns how many. */
size_t rt_checkpoint_coordinator_history(const rt_checkpoint_coordinator *c,
                                         rt_checkpoint_stats *out, size_t max);
/* A counter that moves whenever the history changes (so the job copies it only then). */
uint64_t rt_checkpoint_coordinator_version(const rt_checkpoint_coordinator *c);

/* Checks the metadata JSON of checkpoint id (as the coordinator wrote it) against graph: every
 * operator with state (state_bytes > 0) must exist with the same type and parallelism, except
 * that an operator type lookup (may be NULL) marks rescalable_state restores at any parallelism.
 * 0, RT_ESTATE naming the operator, or RT_ECORRUPT for metadata that does not parse. */
int rt_checkpoint_metadata_check(const graph_job *graph, rt_op_lookup lookup, uint64_t id,
                                 const char *json, rt_err *err);

#endif
