/* Bounded channels between tasks and the input gate of a consuming task. A channel carries
 * elements (batches, barriers, end of input) from one producer subtask to one consumer subtask;
 * a full channel blocks its producer: that is the backpressure. A gate is the set of channels a
 * task reads; it can block single inputs (barrier alignment). */
#ifndef SLUICE_RUNTIME_CHANNEL_H
#define SLUICE_RUNTIME_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/base/errors.h"
#include "runtime/batch.h"

typedef enum rt_elem_kind {
    RT_ELEM_BATCH,   /* batch: one reference owned by the element */
    RT_ELEM_BARRIER, /* checkpoint barrier `checkpoint_id` */
    RT_ELEM_END,     /* end of input from this producer */
} rt_elem_kind;

const char *rt_elem_kind_name(rt_elem_kind k);

typedef struct rt_elem {
    rt_elem_kind kind;
    uint64_t checkpoint_id;
    rt_batch *batch;
} rt_elem;

typedef struct rt_gate rt_gate;
typedef struct rt_channel rt_channel;

/* A gate with input_count channels, each holding at most capacity elements (capacity >= 1).
 * NULL on OOM. The gate owns its channels. */
rt_gate *rt_gate_new(size_t input_count, size_t capacity);
/* Frees the gate, its channels and any batches still queued. No thread may use it any more. */
void rt_gate_free(rt_gate *g);
size_t rt_gate_input_count(const rt_gate *g);
/* Borrowed; i < input_count. The producer side of input i. */
rt_channel *rt_gate_channel(rt_gate *g, size_t i);

/* Producer side: queues e, blocking while the channel is full. Returns 0 (the channel now owns
 * the element's batch) or RT_ECANCELED once the gate is canceled (the caller still owns it).
 * One producer thread per channel. */
int rt_channel_push(rt_channel *ch, rt_elem e, rt_err *err);
/* Elements queued now (for tests and metrics). */
size_t rt_channel_queued(rt_channel *ch);

/* Consumer side: takes the next element from any input that is not blocked, fairly (round robin
 * over inputs). Waits up to timeout_ms (-1: forever). Returns 0 with *out and *input set,
 * RT_ETIMEDOUT when nothing came, RT_ECANCELED once canceled. The caller owns the element. */
int rt_gate_pop(rt_gate *g, rt_elem *out, size_t *input, int64_t timeout_ms, rt_err *err);
/* Stops delivering from input i until rt_gate_unblock_all (barrier alignment). */
void rt_gate_block(rt_gate *g, size_t i);
void rt_gate_unblock_all(rt_gate *g);
/* Wakes the consumer's rt_gate_pop (returns RT_ETIMEDOUT early) so it can read its mailbox. */
void rt_gate_wake(rt_gate *g);
/* Cancels: every blocked push and pop returns RT_ECANCELED, now and later. Thread-safe. */
void rt_gate_cancel(rt_gate *g);

#endif
