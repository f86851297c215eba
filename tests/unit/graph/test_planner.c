/* graph_plan_build: chaining, task layout, channels with their gate and target positions, and
 * the text and dot renderings. */
#include <stdlib.h>
#include <string.h>

#include "graph/plan.h"
#include "tests/harness/test.h"
#include "tests/unit/graph/test_catalog.h"

typedef struct fixture {
    graph_job *job;
    graph_plan *plan;
} fixture;

static fixture plan_of(const char *file, int line, const char *job_text)
{
    fixture f = {test_parse(file, line, job_text), NULL};
    if (!f.job)
        return f;
    rt_err err = {0};
    if (graph_plan_build(f.job, &f.plan, &err) != 0)
        test_fail(file, line, "plan failed: %s", err.msg);
    return f;
}
#define PLAN_OF(text) plan_of(__FILE__, __LINE__, (text))

static void fixture_fini(fixture *f)
{
    graph_plan_free(f->plan);
    graph_job_free(f->job);
}

/* Checks one channel: edge, producer task, consumer task, gate position, target position. */
static void check_channel(const char *file, int line, const graph_plan *plan, size_t i, size_t edge,
                          size_t from, size_t to, size_t gate, size_t target)
{
    if (i >= graph_plan_channel_count(plan)) {
        test_fail(file, line, "channel %zu missing", i);
        return;
    }
    const graph_plan_channel *c = graph_plan_channel_at(plan, i);
    if (c->edge != edge || c->from_task != from || c->to_task != to || c->gate_index != gate ||
        c->target_index != target)
        test_fail(file, line,
                  "channel %zu: got edge %zu task %zu -> %zu gate %zu target %zu, want edge %zu "
                  "task %zu -> %zu gate %zu target %zu",
                  i, c->edge, c->from_task, c->to_task, c->gate_index, c->target_index, edge, from,
                  to, gate, target);
}
#define CHECK_CHANNEL(plan, i, edge, from, to, gate, target)                                       \
    check_channel(__FILE__, __LINE__, (plan), (i), (edge), (from), (to), (gate), (target))

static const char *const demo_job =
    "{'name': 'demo', 'operators': ["
    "{'id': 'gen', 'type': 'datagen', 'parallelism': 2}, "
    "{'id': 'map', 'type': 'map', 'parallelism': 2, 'inputs': ['gen']}, "
    "{'id': 'out', 'type': 'print', 'inputs': ['map']}]}";

TEST(forward_equal_parallelism_is_fused_and_rebalance_is_all_to_all)
{
    fixture f = PLAN_OF(demo_job);
    if (!f.plan)
        goto out;
    CHECK_UINT_EQ(graph_plan_chain_count(f.plan), 2);
    const graph_plan_chain *c0 = graph_plan_chain_at(f.plan, 0);
    CHECK_UINT_EQ(c0->vertex_count, 2);
    CHECK_UINT_EQ(c0->vertices[0], 0);
    CHECK_UINT_EQ(c0->vertices[1], 1);
    CHECK_UINT_EQ(c0->parallelism, 2);
    const graph_plan_chain *c1 = graph_plan_chain_at(f.plan, 1);
    CHECK_UINT_EQ(c1->vertex_count, 1);
    CHECK_UINT_EQ(c1->vertices[0], 2);
    CHECK_UINT_EQ(graph_plan_vertex_chain(f.plan, 1), 0);
    CHECK_UINT_EQ(graph_plan_vertex_chain(f.plan, 2), 1);

    CHECK_UINT_EQ(graph_plan_task_count(f.plan), 3);
    CHECK_UINT_EQ(graph_plan_task_at(f.plan, 1)->chain, 0);
    CHECK_UINT_EQ(graph_plan_task_at(f.plan, 1)->subtask, 1);
    CHECK_UINT_EQ(graph_plan_task_at(f.plan, 2)->chain, 1);
    CHECK_UINT_EQ(graph_plan_task_at(f.plan, 0)->input_count, 0);
    CHECK_UINT_EQ(graph_plan_task_at(f.plan, 2)->input_count, 2);
    CHECK_UINT_EQ(graph_plan_task_index(f.plan, 1, 0), 2);

    /* Edge 1 (map -> out): both map subtasks feed out#0, at gates 0 and 1. */
    CHECK_UINT_EQ(graph_plan_channel_count(f.plan), 2);
    CHECK_CHANNEL(f.plan, 0, 1, 0, 2, 0, 0);
    CHECK_CHANNEL(f.plan, 1, 1, 1, 2, 1, 0);
out:
    fixture_fini(&f);
}

TEST(hash_two_to_three_is_six_channels)
{
    fixture f = PLAN_OF("{'name': 'h', 'operators': ["
                        "{'id': 'gen', 'type': 'datagen', 'parallelism': 2}, "
                        "{'id': 'out', 'type': 'print', 'parallelism': 3, "
                        " 'inputs': [{'from': 'gen', 'distribution': 'hash'}]}]}");
    if (!f.plan)
        goto out;
    CHECK_UINT_EQ(graph_plan_chain_count(f.plan), 2);
    CHECK_UINT_EQ(graph_plan_task_count(f.plan), 5);
    CHECK_UINT_EQ(graph_plan_channel_count(f.plan), 6);
    /* Ordered by producer task then target; gate = producer subtask, target = consumer subtask. */
    CHECK_CHANNEL(f.plan, 0, 0, 0, 2, 0, 0);
    CHECK_CHANNEL(f.plan, 1, 0, 0, 3, 0, 1);
    CHECK_CHANNEL(f.plan, 2, 0, 0, 4, 0, 2);
    CHECK_CHANNEL(f.plan, 3, 0, 1, 2, 1, 0);
    CHECK_CHANNEL(f.plan, 4, 0, 1, 3, 1, 1);
    CHECK_CHANNEL(f.plan, 5, 0, 1, 4, 1, 2);
    for (size_t t = 2; t < 5; t++)
        CHECK_UINT_EQ(graph_plan_task_at(f.plan, t)->input_count, 2);
out:
    fixture_fini(&f);
}

TEST(broadcast_and_hash_with_equal_parallelism_are_not_fused)
{
    fixture f = PLAN_OF("{'name': 'b', 'operators': ["
                        "{'id': 'gen', 'type': 'datagen', 'parallelism': 2}, "
                        "{'id': 'out', 'type': 'print', 'parallelism': 2, "
                        " 'inputs': [{'from': 'gen', 'distribution': 'broadcast'}]}]}");
    if (!f.plan)
        goto out;
    CHECK_UINT_EQ(graph_plan_chain_count(f.plan), 2);
    CHECK_UINT_EQ(graph_plan_channel_count(f.plan), 4);
    CHECK_CHANNEL(f.plan, 0, 0, 0, 2, 0, 0);
    CHECK_CHANNEL(f.plan, 1, 0, 0, 3, 0, 1);
    CHECK_CHANNEL(f.plan, 2, 0, 1, 2, 1, 0);
    CHECK_CHANNEL(f.plan, 3, 0, 1, 3, 1, 1);
out:
    fixture_fini(&f);
}

TEST(long_forward_pipeline_is_one_chain)
{
    fixture f = PLAN_OF("{'name': 'p', 'operators': ["
                        "{'id': 'gen', 'type': 'datagen', 'parallelism': 3}, "
                        "{'id': 'm1', 'type': 'map', 'parallelism': 3, 'inputs': ['gen']}, "
                        "{'id': 'm2', 'type': 'map', 'parallelism': 3, 'inputs': ['m1']}, "
                        "{'id': 'out', 'type': 'print', 'parallelism': 3, 'inputs': ['m2']}]}");
    if (!f.plan)
        goto out;
    CHECK_UINT_EQ(graph_plan_chain_count(f.plan), 1);
    CHECK_UINT_EQ(graph_plan_chain_at(f.plan, 0)->vertex_count, 4);
    CHECK_UINT_EQ(graph_plan_task_count(f.plan), 3);
    CHECK_UINT_EQ(graph_plan_channel_count(f.plan), 0);
out:
    fixture_fini(&f);
}

TEST(vertex_with_two_outputs_is_not_fused)
{
    fixture f = PLAN_OF("{'name': 'fan', 'operators': ["
                        "{'id': 'gen', 'type': 'datagen', 'parallelism': 2}, "
                        "{'id': 'a', 'type': 'print', 'parallelism': 2, 'inputs': ['gen']}, "
                        "{'id': 'b', 'type': 'print', 'parallelism': 2, 'inputs': ['gen']}]}");
    if (!f.plan)
        goto out;
    CHECK_UINT_EQ(graph_plan_chain_count(f.plan), 3);
    CHECK_UINT_EQ(graph_plan_task_count(f.plan), 6);
    /* Forward channels: subtask i to subtask i, one per edge per producer subtask. */
    CHECK_UINT_EQ(graph_plan_channel_count(f.plan), 4);
    CHECK_CHANNEL(f.plan, 0, 0, 0, 2, 0, 0);
    CHECK_CHANNEL(f.plan, 1, 1, 0, 4, 0, 0);
    CHECK_CHANNEL(f.plan, 2, 0, 1, 3, 0, 0);
    CHECK_CHANNEL(f.plan, 3, 1, 1, 5, 0, 0);
    CHECK_UINT_EQ(graph_plan_task_at(f.plan, 3)->input_count, 1);
out:
    fixture_fini(&f);
}

TEST(union_is_not_fused_and_gates_follow_input_order)
{
    /* u reads y (hash, p2) then x (rebalance from p1) then z (forward, p2, not fused: two inputs).
     * The gates of each u subtask: y#0, y#1, x#0, z#<same subtask>. */
    fixture f = PLAN_OF("{'name': 'u', 'operators': ["
                        "{'id': 'x', 'type': 'datagen'}, "
                        "{'id': 'y', 'type': 'datagen', 'parallelism': 2}, "
                        "{'id': 'z', 'type': 'datagen', 'parallelism': 2}, "
                        "{'id': 'u', 'type': 'print', 'parallelism': 2, 'inputs': ["
                        " {'from': 'y', 'distribution': 'hash'}, 'x', 'z']}]}");
    if (!f.plan)
        goto out;
    CHECK_UINT_EQ(graph_plan_chain_count(f.plan), 4);
    /* Tasks: x#0 = 0, y#0..1 = 1..2, z#0..1 = 3..4, u#0..1 = 5..6. Edges: 0 y->u, 1 x->u, 2 z->u.
     */
    CHECK_UINT_EQ(graph_plan_task_count(f.plan), 7);
    CHECK_UINT_EQ(graph_plan_task_at(f.plan, 5)->input_count, 4);
    CHECK_UINT_EQ(graph_plan_task_at(f.plan, 6)->input_count, 4);
    CHECK_UINT_EQ(graph_plan_channel_count(f.plan), 2 + 4 + 2);
    CHECK_CHANNEL(f.plan, 0, 1, 0, 5, 2, 0); /* x#0 -> u#0, gate 2 */
    CHECK_CHANNEL(f.plan, 1, 1, 0, 6, 2, 1); /* x#0 -> u#1 */
    CHECK_CHANNEL(f.plan, 2, 0, 1, 5, 0, 0); /* y#0 -> u#0, gate 0 */
    CHECK_CHANNEL(f.plan, 3, 0, 1, 6, 0, 1);
    CHECK_CHANNEL(f.plan, 4, 0, 2, 5, 1, 0); /* y#1 -> u#0, gate 1 */
    CHECK_CHANNEL(f.plan, 5, 0, 2, 6, 1, 1);
    CHECK_CHANNEL(f.plan, 6, 2, 3, 5, 3, 0); /* z#0 -> u#0 forward, gate 3 */
    CHECK_CHANNEL(f.plan, 7, 2, 4, 6, 3, 0); /* z#1 -> u#1 */
out:
    fixture_fini(&f);
}

TEST(chains_follow_vertex_order_of_their_heads)
{
    /* m is declared before gen but fused behind it; out heads its own chain (rebalance). */
    fixture f = PLAN_OF("{'name': 'o', 'operators': ["
                        "{'id': 'out', 'type': 'print', 'inputs': ['m']}, "
                        "{'id': 'm', 'type': 'map', 'parallelism': 2, 'inputs': ['gen']}, "
                        "{'id': 'gen', 'type': 'datagen', 'parallelism': 2}]}");
    if (!f.plan)
        goto out;
    CHECK_UINT_EQ(graph_plan_chain_count(f.plan), 2);
    CHECK_UINT_EQ(graph_plan_chain_at(f.plan, 0)->vertices[0], 0);
    const graph_plan_chain *c1 = graph_plan_chain_at(f.plan, 1);
    CHECK_UINT_EQ(c1->vertex_count, 2);
    CHECK_UINT_EQ(c1->vertices[0], 2);
    CHECK_UINT_EQ(c1->vertices[1], 1);
    /* Producer tasks 1..2 (chain 1) feed task 0 (out). */
    CHECK_CHANNEL(f.plan, 0, 0, 1, 0, 0, 0);
    CHECK_CHANNEL(f.plan, 1, 0, 2, 0, 1, 0);
out:
    fixture_fini(&f);
}

TEST(text_format)
{
    fixture f = PLAN_OF(demo_job);
    if (!f.plan)
        goto out;
    char *text = graph_plan_format_text(f.job, f.plan);
    CHECK_STR_EQ(text, "job demo: 2 chains, 3 tasks, 2 channels\n"
                       "chain 0 [gen -> map] parallelism 2: tasks 0..1\n"
                       "chain 1 [out] parallelism 1: tasks 2..2\n"
                       "channel map#0 -> out#0 (rebalance, gate input 0)\n"
                       "channel map#1 -> out#0 (rebalance, gate input 1)\n");
    free(text);
out:
    fixture_fini(&f);
}

TEST(text_format_singular)
{
    fixture f = PLAN_OF("{'name': 'one', 'operators': [{'id': 'g', 'type': 'datagen'}]}");
    if (!f.plan)
        goto out;
    char *text = graph_plan_format_text(f.job, f.plan);
    CHECK_STR_CONTAINS(text, "job one: 1 chain, 1 task, 0 channels\n");
    free(text);
out:
    fixture_fini(&f);
}

TEST(dot_format)
{
    fixture f = PLAN_OF(demo_job);
    if (!f.plan)
        goto out;
    char *dot = graph_plan_format_dot(f.job, f.plan);
    CHECK(strncmp(dot, "digraph \"demo\" {\n", 17) == 0);
    CHECK_STR_CONTAINS(dot, "  subgraph cluster_0 {\n");
    CHECK_STR_CONTAINS(dot, "  subgraph cluster_1 {\n");
    CHECK_STR_CONTAINS(dot, "    t0 [label=\"gen -> map #0\"];\n");
    CHECK_STR_CONTAINS(dot, "    t1 [label=\"gen -> map #1\"];\n");
    CHECK_STR_CONTAINS(dot, "    t2 [label=\"out #0\"];\n");
    CHECK_STR_CONTAINS(dot, "  t0 -> t2 [label=\"rebalance\"];\n");
    CHECK_STR_CONTAINS(dot, "  t1 -> t2 [label=\"rebalance\"];\n");
    size_t len = strlen(dot);
    CHECK(len > 2 && strcmp(dot + len - 2, "}\n") == 0);
    /* Braces balance. */
    int depth = 0;
    for (const char *p = dot; *p; p++)
        depth += *p == '{' ? 1 : *p == '}' ? -1 : 0;
    CHECK_INT_EQ(depth, 0);
    free(dot);
out:
    fixture_fini(&f);
}

TEST_MAIN()
