/* The job graph: its enums' names, the accessors of the immutable graph_job, and equality
 * (which the codec's round-trip guarantee is stated in). */
#include "graph/job_graph.h"

#include <stdlib.h>
#include <string.h>

#include "graph/job_graph_int.h"

static const char *const distribution_names[] = {"forward", "rebalance", "hash", "broadcast"};
#define DISTRIBUTION_COUNT (sizeof distribution_names / sizeof distribution_names[0])

const char *graph_distribution_name(graph_distribution d)
{
    if ((size_t)d >= DISTRIBUTION_COUNT)
        return "?";
    return distribution_names[d];
}

int graph_distribution_parse(const char *name, graph_distribution *out)
{
    for (size_t i = 0; i < DISTRIBUTION_COUNT; i++) {
        if (strcmp(name, distribution_names[i]) == 0) {
            *out = (graph_distribution)i;
            return 0;
        }
    }
    return RT_EINVAL;
}

const char *graph_vertex_kind_name(graph_vertex_kind k)
{
    switch (k) {
    case GRAPH_KIND_SOURCE:
        return "source";
    case GRAPH_KIND_TRANSFORM:
        return "transform";
    case GRAPH_KIND_SINK:
        return "sink";
    }
    return "?";
}

/* NULL-terminated so that the codec's config table can use it as the enum's choices. */
const char *const graph_restart_strategy_names[] = {"none", "fixed-delay", "exponential-delay",
                                                    "failure-rate", NULL};

const char *graph_restart_strategy_name(graph_restart_strategy s)
{
    if ((unsigned)s > GRAPH_RESTART_FAILURE_RATE)
        return "?";
    return graph_restart_strategy_names[s];
}

void graph_job_free(graph_job *job)
{
    if (!job)
        return;
    for (size_t i = 0; i < job->vertex_count; i++) {
        graph_vertex *v = &job->vertices[i];
        free((char *)v->id);
        free((char *)v->type);
        free((char *)v->config_json);
    }
    free(job->vertices);
    free(job->edges);
    free(job->name);
    free(job);
}

const char *graph_job_name(const graph_job *job)
{
    return job->name;
}

size_t graph_job_vertex_count(const graph_job *job)
{
    return job->vertex_count;
}

const graph_vertex *graph_job_vertex(const graph_job *job, size_t i)
{
    RT_ASSERT(i < job->vertex_count);
    return &job->vertices[i];
}

long graph_job_find_vertex(const graph_job *job, const char *id)
{
    for (size_t i = 0; i < job->vertex_count; i++) {
        if (job->vertices[i].id && strcmp(job->vertices[i].id, id) == 0)
            return (long)i;
    }
    return -1;
}

size_t graph_job_edge_count(const graph_job *job)
{
    return job->edge_count;
}

const graph_edge *graph_job_edge(const graph_job *job, size_t i)
{
    RT_ASSERT(i < job->edge_count);
    return &job->edges[i];
}

const graph_checkpoint_cfg *graph_job_checkpoint(const graph_job *job)
{
    return &job->checkpoint;
}

const graph_restart_cfg *graph_job_restart(const graph_job *job)
{
    return &job->restart;
}

static bool checkpoint_equal(const graph_checkpoint_cfg *a, const graph_checkpoint_cfg *b)
{
    return a->interval_ms == b->interval_ms && a->timeout_ms == b->timeout_ms &&
           a->min_pause_ms == b->min_pause_ms && a->max_concurrent == b->max_concurrent &&
           a->retain == b->retain;
}

static bool restart_equal(const graph_restart_cfg *a, const graph_restart_cfg *b)
{
    return a->strategy == b->strategy && a->attempts == b->attempts && a->delay_ms == b->delay_ms &&
           a->initial_ms == b->initial_ms && a->max_ms == b->max_ms &&
           a->multiplier == b->multiplier && a->reset_ms == b->reset_ms &&
           a->max_failures == b->max_failures && a->interval_ms == b->interval_ms;
}

bool graph_job_equal(const graph_job *a, const graph_job *b)
{
    if (strcmp(a->name, b->name) != 0 || a->vertex_count != b->vertex_count ||
        a->edge_count != b->edge_count || !checkpoint_equal(&a->checkpoint, &b->checkpoint) ||
        !restart_equal(&a->restart, &b->restart))
        return false;
    for (size_t i = 0; i < a->vertex_count; i++) {
        const graph_vertex *va = &a->vertices[i], *vb = &b->vertices[i];
        if (strcmp(va->id, vb->id) != 0 || strcmp(va->type, vb->type) != 0 ||
            va->kind != vb->kind || va->parallelism != vb->parallelism ||
            strcmp(va->config_json, vb->config_json) != 0)
            return false;
    }
    for (size_t i = 0; i < a->edge_count; i++) {
        const graph_edge *ea = &a->edges[i], *eb = &b->edges[i];
        if (ea->from != eb->from || ea->to != eb->to || ea->input_index != eb->input_index ||
            ea->distribution != eb->distribution)
            return false;
    }
    return true;
}
