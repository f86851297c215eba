/* The split coordinator of parallel snapshot readers (Flink CDC's split enumerator side): one per
 * mysql_cdc vertex and job run, shared by the vertex's subtasks (threads of one process). Subtask
 * 0 enumerates the splits and queues them here; every subtask takes splits, reads them and
 * reports them finished; the coordinator also tracks which checkpoint recorded each subtask's
 * finished splits, so that subtask 0 leaves the snapshot phase only when no checkpoint can lose a
 * split another subtask read. Every function is thread-safe. */
#ifndef SLUICE_OPERATORS_MYSQL_SNAPSHOT_COORDINATOR_H
#define SLUICE_OPERATORS_MYSQL_SNAPSHOT_COORDINATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/mysql/cdc_state.h"
#include "operators/mysql/snapshot_split.h"
#include "runtime/base/errors.h"

typedef struct op_snapshot_coordinator op_snapshot_coordinator;

/* Finds or creates the coordinator of (job, vertex, generation) for a vertex of `parallelism`
 * subtasks and counts subtask `subtask` in: the first parallelism joins of one key share one
 * coordinator; a later join (a new run with the same key) gets a new one. generation tells
 * runs apart (the restored checkpoint id). *out: release with op_snapshot_coordinator_leave.
 * RT_EINVAL for subtask >= parallelism; RT_ENOMEM. */
int op_snapshot_coordinator_join(const char *job, const char *vertex, uint64_t generation,
                                 uint32_t parallelism, uint32_t subtask,
                                 op_snapshot_coordinator **out, rt_err *err);
/* Drops one reference; the last frees the coordinator and the splits it still holds. NULL is a
 * no-op. */
void op_snapshot_coordinator_leave(op_snapshot_coordinator *c);

/* The phase, as subtask 0 decided it in its open. */
typedef enum op_snapshot_phase {
    OP_SNAPSHOT_PHASE_UNKNOWN, /* subtask 0 has not opened yet */
    OP_SNAPSHOT_PHASE_READING, /* splits are enumerated and read */
    OP_SNAPSHOT_PHASE_OVER,    /* no snapshot to read (any more) */
} op_snapshot_phase;

const char *op_snapshot_phase_name(op_snapshot_phase p);
bool op_snapshot_phase_is_terminal(op_snapshot_phase p);

op_snapshot_phase op_snapshot_coordinator_phase(op_snapshot_coordinator *c);
/* Subtask 0: splits are being read from now on. */
void op_snapshot_coordinator_start(op_snapshot_coordinator *c);
/* Subtask 0: the snapshot is over for checkpoints after `since` (the last checkpoint whose
 * state subtask 0 wrote as a running snapshot; 0 when there was none): the readers stop
 * writing their splits into checkpoints above it. */
void op_snapshot_coordinator_set_over(op_snapshot_coordinator *c, uint64_t since);
/* The `since` of set_over; UINT64_MAX while the phase is not over. */
uint64_t op_snapshot_coordinator_over_since(op_snapshot_coordinator *c);

/* Subtask 0 (the enumerator): queues a split to read (taken; freed on failure). RT_ENOMEM. */
int op_snapshot_coordinator_push(op_snapshot_coordinator *c, op_snapshot_split *split, rt_err *err);
/* Splits queued and not taken yet. */
size_t op_snapshot_coordinator_pending(op_snapshot_coordinator *c);
/* Subtask 0: no more splits will be pushed. */
void op_snapshot_coordinator_set_enumerated(op_snapshot_coordinator *c);

/* What take found. */
typedef enum op_snapshot_take {
    OP_SNAPSHOT_TAKE_SPLIT, /* *out is a split to read */
    OP_SNAPSHOT_TAKE_WAIT,  /* nothing queued now; more may come */
    OP_SNAPSHOT_TAKE_DONE,  /* nothing queued and nothing more will come */
} op_snapshot_take;

/* The next queued split for `subtask` (*out: the caller's; report it with _finished once read,
 * or nothing when the read failed: the job fails then). */
op_snapshot_take op_snapshot_coordinator_take(op_snapshot_coordinator *c, uint32_t subtask,
                                              op_snapshot_split **out);
/* `subtask` finished `split` (borrowed: the coordinator keeps a copy, with its HIGH mark, for
 * the split filter of the binlog phase). RT_ENOMEM; RT_ECORRUPT when the split does not
 * survive its own binary form. */
int op_snapshot_coordinator_finished(op_snapshot_coordinator *c, uint32_t subtask,
                                     const op_snapshot_split *split, rt_err *err);
/* `subtask` wrote the state of checkpoint `id`, recording `finished` splits it finished in
 * this run (from its snapshot_state). */
void op_snapshot_coordinator_checkpointed(op_snapshot_coordinator *c, uint32_t subtask, uint64_t id,
                                          uint64_t finished);
/* True when every split is read (enumerated, none queued, none being read) and, when
 * `checkpointing`, every subtask but 0 recorded all its finished splits in a checkpoint at or
 * before `passed` (the last checkpoint subtask 0 wrote): a checkpoint after `passed` holds the
 * rows of every split before its barrier, so subtask 0 may record them all as done in it. */
bool op_snapshot_coordinator_is_complete(op_snapshot_coordinator *c, bool checkpointing,
                                         uint64_t passed);
/* Moves the copies of the splits finished by subtasks other than `except` into into (appended;
 * the coordinator keeps none of them). RT_ENOMEM (what was moved stays moved). */
int op_snapshot_coordinator_take_finished(op_snapshot_coordinator *c, uint32_t except,
                                          op_cdc_state *into, rt_err *err);

#endif
