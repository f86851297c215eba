/* Barrier alignment (internal to the runtime): a task with several inputs takes checkpoint n only
 * once barrier n arrived on every input that has not ended. Until then, each input that delivered
 * the barrier is blocked at the gate, so that no element after the barrier (which belongs to the
 * next checkpoint) reaches the operators before the snapshot. Used by the task's thread only. */
#ifndef SLUICE_RUNTIME_BARRIER_ALIGNER_H
#define SLUICE_RUNTIME_BARRIER_ALIGNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/channel.h"

typedef enum rt_align_result {
    RT_ALIGN_NONE,    /* nothing to do: a stale barrier (dropped), or no alignment completed */
    RT_ALIGN_BLOCKED, /* the input is blocked until the other inputs deliver the barrier */
    RT_ALIGN_ALIGNED, /* every open input delivered the barrier: snapshot, forward, release */
} rt_align_result;

/* "none", "blocked", "aligned". */
const char *rt_align_result_name(rt_align_result r);

typedef struct rt_barrier_aligner rt_barrier_aligner;

/* An aligner over the inputs of gate (borrowed; must outlive the aligner). NULL on OOM. */
rt_barrier_aligner *rt_barrier_aligner_new(rt_gate *gate);
void rt_barrier_aligner_free(rt_barrier_aligner *a);

/* Barrier `id` came out of the gate from input `input` at now_ms (monotonic). A barrier newer than
 * the one being aligned abandons that alignment (its checkpoint cannot complete here any more)
 * and starts a new one; one of a checkpoint already taken or abandoned is dropped (NONE). */
rt_align_result rt_barrier_aligner_on_barrier(rt_barrier_aligner *a, size_t input, uint64_t id,
                                              int64_t now_ms);
/* Input `input` reached its end of input: it counts as aligned from now on, which may complete
 * the alignment in progress (ALIGNED), else NONE. */
rt_align_result rt_barrier_aligner_on_end(rt_barrier_aligner *a, size_t input, int64_t now_ms);
/* The checkpoint being aligned (or aligned and not yet released); 0 when none. */
uint64_t rt_barrier_aligner_current(const rt_barrier_aligner *a);
/* Of the last alignment that completed: its first barrier to its last, in ms. */
int64_t rt_barrier_aligner_alignment_ms(const rt_barrier_aligner *a);
/* Ends the alignment after ALIGNED (once the barrier went downstream): unblocks every input. */
void rt_barrier_aligner_release(rt_barrier_aligner *a);
/* Checkpoint id was aborted: when it (or an older one) is being aligned, unblocks every input;
 * barriers of id and older are dropped from now on. */
void rt_barrier_aligner_abort(rt_barrier_aligner *a, uint64_t id);

#endif
