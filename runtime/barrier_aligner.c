/* Barrier alignment, as Flink's aligned checkpoints do it: block each input at its barrier, take
 * the snapshot when the last open input delivered its own, then unblock them all. */
#include "runtime/barrier_aligner.h"

#include <stdlib.h>
#include <string.h>

struct rt_barrier_aligner {
    rt_gate *gate;
    size_t inputs;
    bool *seen;  /* barrier `current` arrived on input i */
    bool *ended; /* input i reached its end of input */
    uint64_t current;
    bool aligning;
    bool aligned;       /* ALIGNED was returned; waiting for release */
    uint64_t done_upto; /* the newest checkpoint taken or abandoned: older barriers are stale */
    int64_t first_ms;
    int64_t alignment_ms;
};

const char *rt_align_result_name(rt_align_result r)
{
    switch (r) {
    case RT_ALIGN_NONE:
        return "none";
    case RT_ALIGN_BLOCKED:
        return "blocked";
    case RT_ALIGN_ALIGNED:
        return "aligned";
    }
    return "?";
}

rt_barrier_aligner *rt_barrier_aligner_new(rt_gate *gate)
{
    rt_barrier_aligner *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->gate = gate;
    a->inputs = rt_gate_input_count(gate);
    size_t n = a->inputs ? a->inputs : 1;
    a->seen = calloc(n, sizeof *a->seen);
    a->ended = calloc(n, sizeof *a->ended);
    if (!a->seen || !a->ended) {
        rt_barrier_aligner_free(a);
        return NULL;
    }
    return a;
}

void rt_barrier_aligner_free(rt_barrier_aligner *a)
{
    if (!a)
        return;
    free(a->seen);
    free(a->ended);
    free(a);
}

static void reset(rt_barrier_aligner *a)
{
    a->aligning = false;
    a->aligned = false;
    memset(a->seen, 0, a->inputs * sizeof *a->seen);
    rt_gate_unblock_all(a->gate);
}

/* Ended inputs deliver nothing more, barriers included: they count as aligned. */
static bool all_open_inputs_seen(const rt_barrier_aligner *a)
{
    for (size_t i = 0; i < a->inputs; i++) {
        if (!a->seen[i] && !a->ended[i])
            return false;
    }
    return true;
}

static rt_align_result aligned(rt_barrier_aligner *a, int64_t now_ms)
{
    a->aligned = true;
    a->alignment_ms = now_ms - a->first_ms;
    if (a->current > a->done_upto)
        a->done_upto = a->current;
    return RT_ALIGN_ALIGNED;
}

rt_align_result rt_barrier_aligner_on_barrier(rt_barrier_aligner *a, size_t input, uint64_t id,
                                              int64_t now_ms)
{
    RT_ASSERT(input < a->inputs);
    RT_ASSERT(!a->aligned); /* the caller releases before it pops again */
    if (id <= a->done_upto || (a->aligning && id < a->current))
        return RT_ALIGN_NONE;
    if (a->aligning && id > a->current) {
        /* An upstream task went on to a newer checkpoint, so it will never send this one's
         * barrier on its other channels: the older checkpoint cannot complete here. */
        a->done_upto = a->current;
        reset(a);
    }
    if (!a->aligning) {
        a->aligning = true;
        a->current = id;
        a->first_ms = now_ms;
    }
    if (a->seen[input])
        return RT_ALIGN_NONE; /* cannot happen while the input is blocked; harmless if it does */
    a->seen[input] = true;
    if (all_open_inputs_seen(a))
        return aligned(a, now_ms);
    rt_gate_block(a->gate, input);
    return RT_ALIGN_BLOCKED;
}

rt_align_result rt_barrier_aligner_on_end(rt_barrier_aligner *a, size_t input, int64_t now_ms)
{
    RT_ASSERT(input < a->inputs);
    a->ended[input] = true;
    if (a->aligning && !a->aligned && all_open_inputs_seen(a))
        return aligned(a, now_ms);
    return RT_ALIGN_NONE;
}

uint64_t rt_barrier_aligner_current(const rt_barrier_aligner *a)
{
    return a->aligning ? a->current : 0;
}

int64_t rt_barrier_aligner_alignment_ms(const rt_barrier_aligner *a)
{
    return a->alignment_ms;
}

void rt_barrier_aligner_release(rt_barrier_aligner *a)
{
    RT_ASSERT(a->aligned);
    reset(a);
}

void rt_barrier_aligner_abort(rt_barrier_aligner *a, uint64_t id)
{
    if (id > a->done_upto)
        a->done_upto = id;
    if (a->aligning && !a->aligned && a->current <= id)
        reset(a);
}
