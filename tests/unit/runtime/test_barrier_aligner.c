/* Tests of barrier alignment over a real gate: a barrier blocks its input until every open input
 * delivered it, ended inputs count as aligned, stale and aborted barriers are dropped. */
#include "runtime/barrier_aligner.h"

#include "tests/harness/test.h"

static void push(rt_gate *g, size_t input, rt_elem_kind kind, uint64_t id, rt_batch *b)
{
    rt_elem e = {.kind = kind, .checkpoint_id = id, .batch = b};
    CHECK_INT_EQ(rt_channel_push(rt_gate_channel(g, input), e, NULL), 0);
}

/* Pops without waiting: 0 with *e and *in, or RT_ETIMEDOUT when every unblocked input is
 * empty. */
static int pop(rt_gate *g, rt_elem *e, size_t *in)
{
    return rt_gate_pop(g, e, in, 0, NULL);
}

TEST(result_names)
{
    CHECK_STR_EQ(rt_align_result_name(RT_ALIGN_NONE), "none");
    CHECK_STR_EQ(rt_align_result_name(RT_ALIGN_BLOCKED), "blocked");
    CHECK_STR_EQ(rt_align_result_name(RT_ALIGN_ALIGNED), "aligned");
}

TEST(barrier_blocks_its_input_until_the_other_delivers)
{
    rt_gate *g = rt_gate_new(2, 8);
    rt_barrier_aligner *a = rt_barrier_aligner_new(g);
    rt_batch *after0 = rt_batch_new(NULL), *before1 = rt_batch_new(NULL);
    rt_batch *after1 = rt_batch_new(NULL);
    push(g, 0, RT_ELEM_BARRIER, 1, NULL);
    push(g, 0, RT_ELEM_BATCH, 0, after0);
    push(g, 1, RT_ELEM_BATCH, 0, before1);
    push(g, 1, RT_ELEM_BARRIER, 1, NULL);
    push(g, 1, RT_ELEM_BATCH, 0, after1);

    rt_elem e;
    size_t in;
    CHECK_INT_EQ(pop(g, &e, &in), 0); /* round robin starts at input 0 */
    CHECK_UINT_EQ(in, 0);
    CHECK_INT_EQ(e.kind, RT_ELEM_BARRIER);
    CHECK_INT_EQ(rt_barrier_aligner_on_barrier(a, 0, 1, 100), RT_ALIGN_BLOCKED);
    CHECK_UINT_EQ(rt_barrier_aligner_current(a), 1);
    /* Input 0 holds a batch after its barrier: only input 1 delivers now. */
    CHECK_INT_EQ(pop(g, &e, &in), 0);
    CHECK_UINT_EQ(in, 1);
    CHECK(e.batch == before1);
    CHECK_INT_EQ(pop(g, &e, &in), 0);
    CHECK_UINT_EQ(in, 1);
    CHECK_INT_EQ(e.kind, RT_ELEM_BARRIER);
    CHECK_INT_EQ(rt_barrier_aligner_on_barrier(a, 1, 1, 130), RT_ALIGN_ALIGNED);
    CHECK_INT_EQ(rt_barrier_aligner_alignment_ms(a), 30);
    /* Until released, both inputs are held back: input 1 past its barrier is not blocked at the
     * gate, but the task snapshots before it pops again. */
    rt_barrier_aligner_release(a);
    CHECK_UINT_EQ(rt_barrier_aligner_current(a), 0);
    int got = 0;
    while (pop(g, &e, &in) == 0) {
        CHECK(e.batch == (in == 0 ? after0 : after1));
        got++;
    }
    CHECK_INT_EQ(got, 2);
    rt_batch_unref(after0);
    rt_batch_unref(before1);
    rt_batch_unref(after1);
    rt_barrier_aligner_free(a);
    rt_gate_free(g);
}

TEST(an_ended_input_counts_as_aligned)
{
    rt_gate *g = rt_gate_new(3, 8);
    rt_barrier_aligner *a = rt_barrier_aligner_new(g);
    /* Input 2 ended long ago; barrier 5 on input 0 waits for input 1 only. */
    CHECK_INT_EQ(rt_barrier_aligner_on_end(a, 2, 10), RT_ALIGN_NONE);
    CHECK_INT_EQ(rt_barrier_aligner_on_barrier(a, 0, 5, 20), RT_ALIGN_BLOCKED);
    /* Then input 1 ends too instead of delivering the barrier: aligned. */
    CHECK_INT_EQ(rt_barrier_aligner_on_end(a, 1, 50), RT_ALIGN_ALIGNED);
    CHECK_UINT_EQ(rt_barrier_aligner_current(a), 5);
    CHECK_INT_EQ(rt_barrier_aligner_alignment_ms(a), 30);
    rt_barrier_aligner_release(a);
    /* With every other input ended, a barrier aligns at once. */
    CHECK_INT_EQ(rt_barrier_aligner_on_barrier(a, 0, 6, 60), RT_ALIGN_ALIGNED);
    CHECK_INT_EQ(rt_barrier_aligner_alignment_ms(a), 0);
    rt_barrier_aligner_release(a);
    rt_barrier_aligner_free(a);
    rt_gate_free(g);
}

TEST(single_input_aligns_at_once)
{
    rt_gate *g = rt_gate_new(1, 2);
    rt_barrier_aligner *a = rt_barrier_aligner_new(g);
    CHECK_INT_EQ(rt_barrier_aligner_on_barrier(a, 0, 1, 5), RT_ALIGN_ALIGNED);
    rt_barrier_aligner_release(a);
    CHECK_INT_EQ(rt_barrier_aligner_on_barrier(a, 0, 1, 6), RT_ALIGN_NONE); /* taken already */
    CHECK_INT_EQ(rt_barrier_aligner_on_barrier(a, 0, 2, 7), RT_ALIGN_ALIGNED);
    rt_barrier_aligner_release(a);
    CHECK_INT_EQ(rt_barrier_aligner_on_end(a, 0, 8), RT_ALIGN_NONE);
    rt_barrier_aligner_free(a);
    rt_gate_free(g);
}

TEST(abort_unblocks_and_drops_the_rest_of_its_barriers)
{
    rt_gate *g = rt_gate_new(2, 8);
    rt_barrier_aligner *a = rt_barrier_aligner_new(g);
    rt_batch *b = rt_batch_new(NULL);
    push(g, 0, RT_ELEM_BATCH, 0, b);
    CHECK_INT_EQ(rt_barrier_aligner_on_barrier(a, 0, 2, 0), RT_ALIGN_BLOCKED);
    rt_elem e;
    size_t in;
    CHECK_INT_EQ(pop(g, &e, &in), RT_ETIMEDOUT); /* input 0 is blocked */
    rt_barrier_aligner_abort(a, 2);
    CHECK_UINT_EQ(rt_barrier_aligner_current(a), 0);
    CHECK_INT_EQ(pop(g, &e, &in), 0);
    CHECK(e.batch == b);
    CHECK_INT_EQ(rt_barrier_aligner_on_barrier(a, 1, 2, 1), RT_ALIGN_NONE);
    /* An abort of a checkpoint whose barriers have not come yet drops them too. */
    rt_barrier_aligner_abort(a, 4);
    CHECK_INT_EQ(rt_barrier_aligner_on_barrier(a, 0, 3, 2), RT_ALIGN_NONE);
    CHECK_INT_EQ(rt_barrier_aligner_on_barrier(a, 0, 4, 2), RT_ALIGN_NONE);
    CHECK_INT_EQ(rt_barrier_aligner_on_barrier(a, 0, 5, 3), RT_ALIGN_BLOCKED);
    CHECK_INT_EQ(rt_barrier_aligner_on_barrier(a, 1, 5, 4), RT_ALIGN_ALIGNED);
    rt_barrier_aligner_release(a);
    rt_batch_unref(b);
    rt_barrier_aligner_free(a);
    rt_gate_free(g);
}

TEST(a_newer_barrier_abandons_the_older_alignment)
{
    rt_gate *g = rt_gate_new(2, 8);
    rt_barrier_aligner *a = rt_barrier_aligner_new(g);
    rt_batch *b = rt_batch_new(NULL);
    push(g, 0, RT_ELEM_BATCH, 0, b);
    CHECK_INT_EQ(rt_barrier_aligner_on_barrier(a, 0, 3, 0), RT_ALIGN_BLOCKED);
    /* Input 1 skipped 3 (its producer saw it aborted): 3 cannot align any more. */
    CHECK_INT_EQ(rt_barrier_aligner_on_barrier(a, 1, 4, 10), RT_ALIGN_BLOCKED);
    CHECK_UINT_EQ(rt_barrier_aligner_current(a), 4);
    rt_elem e;
    size_t in;
    CHECK_INT_EQ(pop(g, &e, &in), 0); /* input 0 flows again */
    CHECK_UINT_EQ(in, 0);
    CHECK_INT_EQ(rt_barrier_aligner_on_barrier(a, 0, 3, 11), RT_ALIGN_NONE);
    CHECK_INT_EQ(rt_barrier_aligner_on_barrier(a, 0, 4, 12), RT_ALIGN_ALIGNED);
    CHECK_INT_EQ(rt_barrier_aligner_alignment_ms(a), 2);
    rt_barrier_aligner_release(a);
    rt_batch_unref(b);
    rt_barrier_aligner_free(a);
    rt_gate_free(g);
}

TEST_MAIN()
