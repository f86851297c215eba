/* The body of graph_job, shared by the files of the graph module (the codec builds it, the
 * validator adds its edges). Nothing outside graph/ includes this. */
#ifndef SLUICE_GRAPH_JOB_GRAPH_INT_H
#define SLUICE_GRAPH_JOB_GRAPH_INT_H

#include "graph/job_graph.h"

/* The strings behind the const pointers of each graph_vertex (id, type, config_json) are heap
 * copies owned by the job; graph_job_free casts the const away to free them. */
struct graph_job {
    char *name;
    graph_vertex *vertices;
    size_t vertex_count;
    graph_edge *edges;
    size_t edge_count;
    graph_checkpoint_cfg checkpoint;
    graph_restart_cfg restart;
};

/* "none", "fixed-delay", ... indexed by graph_restart_strategy, NULL-terminated (the choices of
 * the codec's restart table). */
extern const char *const graph_restart_strategy_names[];

#endif
