/* Graph-level validation of a job being parsed: resolves each operator's declared inputs into
 * edges and checks what no single operator can see on its own (ids, kinds, self-loops, duplicate
 * inputs, forward parallelism, cycles). Private to graph/; the codec is its only caller. */
#ifndef SLUICE_GRAPH_VALIDATE_H
#define SLUICE_GRAPH_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "graph/job_graph_int.h"

/* One entry of an operator's "inputs", as written. */
typedef struct graph_input_decl {
    char *from;            /* the producer's id as written; owned */
    bool is_object;        /* written as {"from": ...}, so the id's JSON path ends in ".from" */
    bool has_distribution; /* "distribution" was given; otherwise the default applies */
    graph_distribution distribution;
} graph_input_decl;

/* The inputs of one operator, in the order written. */
typedef struct graph_input_decls {
    graph_input_decl *items;
    size_t count;
} graph_input_decls;

/* Frees the items and their strings; leaves d empty. */
void graph_input_decls_fini(graph_input_decls *d);

/* job holds its vertices (unique ids, kinds from the catalog) and no edges yet; decls[i] are the
 * inputs of vertex i. On success job->edges holds one edge per declared input, ordered by
 * consumer then input_index, with the default distribution filled in (forward between equal
 * parallelisms, rebalance otherwise, as Flink does). Returns 0, or RT_EINVAL with a message that
 * starts with the JSON path of the mistake, or RT_ENOMEM. */
int graph_validate_edges(graph_job *job, const graph_input_decls *decls, rt_err *err);

#endif
