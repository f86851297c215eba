/* The planner: job graph -> physical plan. Fuses forward edges into operator chains, expands
 * chains into subtasks, and lays out the channels between tasks with their gate positions. */
#include "graph/plan.h"

#include <stdlib.h>
#include <string.h>

struct graph_plan {
    graph_plan_chain *chains;
    size_t chain_count;
    size_t *chain_vertices;   /* storage behind every chain's `vertices`, chain after chain */
    size_t *chain_first_task; /* task index of subtask 0 of each chain */
    size_t *vertex_chain;     /* chain index of each vertex */
    size_t vertex_count;
    graph_plan_task *tasks;
    size_t task_count;
    graph_plan_channel *channels;
    size_t channel_count;
};

/* Per-vertex and per-edge facts the layout is derived from. */
typedef struct plan_scratch {
    size_t *in_count;
    size_t *out_count;
    size_t *only_in;   /* the in-edge of a vertex with exactly one */
    size_t *out_start; /* out-edges of vertex v: out_edges[out_start[v] .. out_start[v+1]) */
    size_t *out_edges;
    bool *fused;       /* per edge: inside a chain, no channel */
    size_t *gate_base; /* per edge: first gate position of its channels at a consumer subtask */
} plan_scratch;

static void scratch_fini(plan_scratch *s)
{
    free(s->in_count);
    free(s->out_count);
    free(s->only_in);
    free(s->out_start);
    free(s->out_edges);
    free(s->fused);
    free(s->gate_base);
}

static bool is_all_to_all(graph_distribution d)
{
    return d != GRAPH_DIST_FORWARD;
}

static int scratch_init(plan_scratch *s, const graph_job *job, rt_err *err)
{
    size_t n = graph_job_vertex_count(job), m = graph_job_edge_count(job);
    memset(s, 0, sizeof *s);
    /* n and m may be 0 for a hand-built job; calloc(0) may return NULL, so ask for one. */
    s->in_count = calloc(n ? n : 1, sizeof *s->in_count);
    s->out_count = calloc(n ? n : 1, sizeof *s->out_count);
    s->only_in = calloc(n ? n : 1, sizeof *s->only_in);
    s->out_start = calloc(n + 1, sizeof *s->out_start);
    s->out_edges = calloc(m ? m : 1, sizeof *s->out_edges);
    s->fused = calloc(m ? m : 1, sizeof *s->fused);
    s->gate_base = calloc(m ? m : 1, sizeof *s->gate_base);
    if (!s->in_count || !s->out_count || !s->only_in || !s->out_start || !s->out_edges ||
        !s->fused || !s->gate_base)
        return rt_err_set(err, RT_ENOMEM, "plan: out of memory");

    for (size_t e = 0; e < m; e++) {
        const graph_edge *edge = graph_job_edge(job, e);
        const graph_vertex *from = graph_job_vertex(job, edge->from);
        const graph_vertex *to = graph_job_vertex(job, edge->to);
        /* The codec rejects these; the planner is public, so it says so instead of building
         * channels that point past a chain's subtasks. */
        if (edge->distribution == GRAPH_DIST_FORWARD && from->parallelism != to->parallelism)
            return rt_err_set(
                err, RT_EINVAL, "plan: edge %s -> %s: forward needs equal parallelism (%u, %u)",
                from->id, to->id, (unsigned)from->parallelism, (unsigned)to->parallelism);
        s->in_count[edge->to]++;
        s->only_in[edge->to] = e;
        s->out_count[edge->from]++;
        s->out_start[edge->from + 1]++;
    }
    for (size_t v = 0; v < n; v++)
        s->out_start[v + 1] += s->out_start[v];
    size_t *fill = calloc(n ? n : 1, sizeof *fill);
    if (!fill)
        return rt_err_set(err, RT_ENOMEM, "plan: out of memory");
    for (size_t e = 0; e < m; e++) {
        size_t v = graph_job_edge(job, e)->from;
        s->out_edges[s->out_start[v] + fill[v]++] = e;
    }
    free(fill);

    /* Edges come sorted by consumer then input_index, so a running sum per consumer gives each
     * edge's first gate position: a forward edge feeds one channel to each consumer subtask, an
     * all-to-all edge one per producer subtask. */
    size_t gate = 0;
    for (size_t e = 0; e < m; e++) {
        const graph_edge *edge = graph_job_edge(job, e);
        if (e == 0 || graph_job_edge(job, e - 1)->to != edge->to)
            gate = 0;
        s->gate_base[e] = gate;
        gate +=
            is_all_to_all(edge->distribution) ? graph_job_vertex(job, edge->from)->parallelism : 1;
        s->fused[e] = edge->distribution == GRAPH_DIST_FORWARD && s->out_count[edge->from] == 1 &&
                      s->in_count[edge->to] == 1;
    }
    return 0;
}

static int build_chains(graph_plan *plan, const graph_job *job, const plan_scratch *s, rt_err *err)
{
    size_t n = graph_job_vertex_count(job);
    size_t alloc = n ? n : 1;
    plan->chains = calloc(alloc, sizeof *plan->chains);
    plan->chain_vertices = calloc(alloc, sizeof *plan->chain_vertices);
    plan->vertex_chain = calloc(alloc, sizeof *plan->vertex_chain);
    plan->chain_first_task = calloc(alloc, sizeof *plan->chain_first_task);
    if (!plan->chains || !plan->chain_vertices || !plan->vertex_chain || !plan->chain_first_task)
        return rt_err_set(err, RT_ENOMEM, "plan: out of memory");
    plan->vertex_count = n;

    /* A head is a vertex not reached through a fused edge; walking fused edges from each head in
     * vertex order lists every vertex once (a fused edge is its producer's only output). */
    size_t used = 0;
    for (size_t v = 0; v < n; v++) {
        if (s->in_count[v] == 1 && s->fused[s->only_in[v]])
            continue;
        graph_plan_chain *chain = &plan->chains[plan->chain_count];
        chain->vertices = &plan->chain_vertices[used];
        chain->parallelism = graph_job_vertex(job, v)->parallelism;
        size_t cur = v;
        for (;;) {
            plan->chain_vertices[used++] = cur;
            plan->vertex_chain[cur] = plan->chain_count;
            chain->vertex_count++;
            if (s->out_count[cur] != 1 || !s->fused[s->out_edges[s->out_start[cur]]])
                break;
            cur = graph_job_edge(job, s->out_edges[s->out_start[cur]])->to;
        }
        plan->chain_first_task[plan->chain_count] = plan->task_count;
        plan->task_count += chain->parallelism;
        plan->chain_count++;
    }
    RT_ASSERT(used == n);
    return 0;
}

static int build_tasks(graph_plan *plan, const graph_job *job, const plan_scratch *s, rt_err *err)
{
    plan->tasks = calloc(plan->task_count ? plan->task_count : 1, sizeof *plan->tasks);
    if (!plan->tasks)
        return rt_err_set(err, RT_ENOMEM, "plan: out of memory");
    for (size_t c = 0; c < plan->chain_count; c++) {
        const graph_plan_chain *chain = &plan->chains[c];
        /* Only a chain's head has inputs from outside the chain. */
        size_t head = chain->vertices[0], inputs = 0;
        for (size_t e = 0; e < graph_job_edge_count(job); e++) {
            const graph_edge *edge = graph_job_edge(job, e);
            if (edge->to == head && !s->fused[e])
                inputs += is_all_to_all(edge->distribution)
                              ? graph_job_vertex(job, edge->from)->parallelism
                              : 1;
        }
        for (uint32_t st = 0; st < chain->parallelism; st++) {
            graph_plan_task *t = &plan->tasks[plan->chain_first_task[c] + st];
            t->chain = c;
            t->subtask = st;
            t->input_count = inputs;
        }
    }
    return 0;
}

/* Visits the channels in plan order (producer task, edge, target_index); with `out` NULL it
 * only counts them. */
static size_t lay_channels(const graph_plan *plan, const graph_job *job, const plan_scratch *s,
                           graph_plan_channel *out)
{
    size_t count = 0;
    for (size_t t = 0; t < plan->task_count; t++) {
        const graph_plan_task *task = &plan->tasks[t];
        const graph_plan_chain *chain = &plan->chains[task->chain];
        size_t tail = chain->vertices[chain->vertex_count - 1];
        for (size_t k = s->out_start[tail]; k < s->out_start[tail + 1]; k++) {
            size_t e = s->out_edges[k];
            if (s->fused[e])
                continue;
            const graph_edge *edge = graph_job_edge(job, e);
            size_t to_chain = plan->vertex_chain[edge->to];
            uint32_t consumers = plan->chains[to_chain].parallelism;
            bool all = is_all_to_all(edge->distribution);
            for (uint32_t target = 0; target < (all ? consumers : 1); target++) {
                if (out) {
                    graph_plan_channel *ch = &out[count];
                    uint32_t consumer = all ? target : task->subtask;
                    ch->edge = e;
                    ch->from_task = t;
                    ch->to_task = plan->chain_first_task[to_chain] + consumer;
                    ch->gate_index = s->gate_base[e] + (all ? task->subtask : 0);
                    ch->target_index = target;
                }
                count++;
            }
        }
    }
    return count;
}

int graph_plan_build(const graph_job *job, graph_plan **out, rt_err *err)
{
    graph_plan *plan = calloc(1, sizeof *plan);
    if (!plan)
        return rt_err_set(err, RT_ENOMEM, "plan: out of memory");
    plan_scratch s;
    int rc = scratch_init(&s, job, err);
    if (rc == 0)
        rc = build_chains(plan, job, &s, err);
    if (rc == 0)
        rc = build_tasks(plan, job, &s, err);
    if (rc == 0) {
        plan->channel_count = lay_channels(plan, job, &s, NULL);
        plan->channels =
            calloc(plan->channel_count ? plan->channel_count : 1, sizeof *plan->channels);
        if (!plan->channels)
            rc = rt_err_set(err, RT_ENOMEM, "plan: out of memory");
        else
            lay_channels(plan, job, &s, plan->channels);
    }
    scratch_fini(&s);
    if (rc != 0) {
        graph_plan_free(plan);
        return rc;
    }
    *out = plan;
    return 0;
}

void graph_plan_free(graph_plan *plan)
{
    if (!plan)
        return;
    free(plan->chains);
    free(plan->chain_vertices);
    free(plan->chain_first_task);
    free(plan->vertex_chain);
    free(plan->tasks);
    free(plan->channels);
    free(plan);
}

size_t graph_plan_chain_count(const graph_plan *plan)
{
    return plan->chain_count;
}

const graph_plan_chain *graph_plan_chain_at(const graph_plan *plan, size_t i)
{
    RT_ASSERT(i < plan->chain_count);
    return &plan->chains[i];
}

size_t graph_plan_vertex_chain(const graph_plan *plan, size_t vertex)
{
    RT_ASSERT(vertex < plan->vertex_count);
    return plan->vertex_chain[vertex];
}

size_t graph_plan_task_count(const graph_plan *plan)
{
    return plan->task_count;
}

const graph_plan_task *graph_plan_task_at(const graph_plan *plan, size_t i)
{
    RT_ASSERT(i < plan->task_count);
    return &plan->tasks[i];
}

size_t graph_plan_task_index(const graph_plan *plan, size_t chain, uint32_t subtask)
{
    RT_ASSERT(chain < plan->chain_count && subtask < plan->chains[chain].parallelism);
    return plan->chain_first_task[chain] + subtask;
}

size_t graph_plan_channel_count(const graph_plan *plan)
{
    return plan->channel_count;
}

const graph_plan_channel *graph_plan_channel_at(const graph_plan *plan, size_t i)
{
    RT_ASSERT(i < plan->channel_count);
    return &plan->channels[i];
}
