/* The physical plan: the job graph expanded into parallel subtasks, operator chains fused into
 * tasks, and the channels between tasks. Built by the planner (graph_plan_build). */
#ifndef SLUICE_GRAPH_PLAN_H
#define SLUICE_GRAPH_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "graph/job_graph.h"

/* A chain: vertices fused into one task because each edge between them is forward, of equal
 * parallelism, the only output of its producer and the only input of its consumer. */
typedef struct graph_plan_chain {
    const size_t *vertices; /* vertex indexes, head first */
    size_t vertex_count;
    uint32_t parallelism;
} graph_plan_chain;

/* A task: one subtask of a chain; one thread at run time. */
typedef struct graph_plan_task {
    size_t chain;     /* chain index */
    uint32_t subtask; /* 0 .. parallelism-1 */
    size_t input_count; /* channels feeding this task (its gate's inputs) */
} graph_plan_task;

/* A channel from a producer task to a consumer task, carrying one job-graph edge. */
typedef struct graph_plan_channel {
    size_t edge;        /* job-graph edge index */
    size_t from_task;   /* task index of the producer (a subtask of the chain ending in edge.from) */
    size_t to_task;     /* task index of the consumer (a subtask of the chain starting at edge.to) */
    size_t gate_index;  /* position among the consumer task's input channels */
    size_t target_index; /* position among the producer's channels of this edge (= consumer subtask) */
} graph_plan_channel;

typedef struct graph_plan graph_plan;

/* Builds the plan of a validated job. *out: free with graph_plan_free. */
int graph_plan_build(const graph_job *job, graph_plan **out, rt_err *err);
void graph_plan_free(graph_plan *plan);

size_t graph_plan_chain_count(const graph_plan *plan);
const graph_plan_chain *graph_plan_chain_at(const graph_plan *plan, size_t i);
/* Index of the chain that runs vertex `vertex`. */
size_t graph_plan_vertex_chain(const graph_plan *plan, size_t vertex);
/* Tasks are ordered by chain, then subtask. */
size_t graph_plan_task_count(const graph_plan *plan);
const graph_plan_task *graph_plan_task_at(const graph_plan *plan, size_t i);
/* Index of the task running subtask `subtask` of chain `chain`. */
size_t graph_plan_task_index(const graph_plan *plan, size_t chain, uint32_t subtask);
/* Channels are ordered by producer task, then edge, then target_index. */
size_t graph_plan_channel_count(const graph_plan *plan);
const graph_plan_channel *graph_plan_channel_at(const graph_plan *plan, size_t i);

/* Human-readable plan (what `sluice plan` prints). Caller frees with free(). */
char *graph_plan_format_text(const graph_job *job, const graph_plan *plan);
/* Graphviz dot: one cluster per chain, a node per task, an edge per channel labelled with its
 * distribution. Caller frees with free(). */
char *graph_plan_format_dot(const graph_job *job, const graph_plan *plan);

#endif
