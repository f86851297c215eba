/* The job graph: the logical DAG of operator vertices and the edges between them, as a job file
 * describes it. Immutable once parsed (graph/codec.h builds and validates it). */
#ifndef SLUICE_GRAPH_JOB_GRAPH_H
#define SLUICE_GRAPH_JOB_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/base/config.h"
#include "runtime/base/errors.h"

typedef enum graph_distribution {
    GRAPH_DIST_FORWARD,   /* subtask i -> subtask i (equal parallelism) */
    GRAPH_DIST_REBALANCE, /* whole batches round-robin over the consumers */
    GRAPH_DIST_HASH,      /* by the hash of each record's primary key */
    GRAPH_DIST_BROADCAST, /* every batch to every consumer */
} graph_distribution;

/* "forward", "rebalance", "hash", "broadcast". */
const char *graph_distribution_name(graph_distribution d);
/* Returns 0 or RT_EINVAL for an unknown name. */
int graph_distribution_parse(const char *name, graph_distribution *out);

typedef enum graph_vertex_kind {
    GRAPH_KIND_SOURCE,    /* no inputs; polled */
    GRAPH_KIND_TRANSFORM, /* inputs and outputs */
    GRAPH_KIND_SINK,      /* inputs, no outputs */
} graph_vertex_kind;

const char *graph_vertex_kind_name(graph_vertex_kind k);

/* What validation needs to know of an operator type; the operator registry provides these
 * (the graph layer never names a concrete operator). */
typedef struct graph_type_info {
    const char *name;
    graph_vertex_kind kind;
    const rt_config_field *config; /* the operator's config table */
    size_t config_size;            /* sizeof the struct the table fills */
    /* Optional checks beyond the table (cross-field rules, nested values). `config` is the
     * applied struct; `path` names the config object ("$.operators[0].config"). */
    int (*validate)(const void *config, const char *path, rt_err *err);
} graph_type_info;

/* Looks up operator types by name. */
typedef struct graph_catalog {
    const graph_type_info *(*find)(void *ctx, const char *type); /* NULL when unknown */
    void *ctx;
    /* Writes the known type names, comma separated, for "unknown operator type" messages. */
    void (*list)(void *ctx, char *buf, size_t size);
} graph_catalog;

/* Read-only views into a graph_job. Strings are owned by the job. */
typedef struct graph_vertex {
    const char *id;
    const char *type;
    graph_vertex_kind kind;
    uint32_t parallelism;
    const char *config_json; /* compact JSON object text; "{}" when the job gave none */
} graph_vertex;

typedef struct graph_edge {
    size_t from;        /* vertex index of the producer */
    size_t to;          /* vertex index of the consumer */
    size_t input_index; /* position of this edge among the consumer's inputs (0-based) */
    graph_distribution distribution;
} graph_edge;

typedef struct graph_checkpoint_cfg {
    int64_t interval_ms;    /* 0 disables periodic checkpoints; default 0 */
    int64_t timeout_ms;     /* default 10 min */
    int64_t min_pause_ms;   /* default 0 */
    int64_t max_concurrent; /* default 1 */
    int64_t retain;         /* completed checkpoints kept; default 3 */
} graph_checkpoint_cfg;

typedef enum graph_restart_strategy {
    GRAPH_RESTART_NONE,
    GRAPH_RESTART_FIXED_DELAY,
    GRAPH_RESTART_EXPONENTIAL_DELAY,
    GRAPH_RESTART_FAILURE_RATE,
} graph_restart_strategy;

/* "none", "fixed-delay", "exponential-delay", "failure-rate". */
const char *graph_restart_strategy_name(graph_restart_strategy s);

typedef struct graph_restart_cfg {
    int strategy;          /* graph_restart_strategy; default exponential-delay */
    int64_t attempts;      /* fixed-delay: attempts before giving up; default 3 */
    int64_t delay_ms;      /* fixed-delay: default 1s */
    int64_t initial_ms;    /* exponential-delay: first backoff; default 1s */
    int64_t max_ms;        /* exponential-delay: cap; default 1 min */
    double multiplier;     /* exponential-delay: default 2.0 */
    int64_t reset_ms;      /* exponential-delay: quiet time that resets the backoff; default 1h */
    int64_t max_failures;  /* failure-rate: failures per interval; default 1 */
    int64_t interval_ms;   /* failure-rate: measuring window; default 1 min */
} graph_restart_cfg;

/* Opaque: the parsed, validated job. */
typedef struct graph_job graph_job;

/* Frees the job and every string it owns. NULL is a no-op. */
void graph_job_free(graph_job *job);
const char *graph_job_name(const graph_job *job);
size_t graph_job_vertex_count(const graph_job *job);
/* Borrowed; valid until graph_job_free. i < vertex count. */
const graph_vertex *graph_job_vertex(const graph_job *job, size_t i);
/* Index of the vertex with this id, or -1. */
long graph_job_find_vertex(const graph_job *job, const char *id);
size_t graph_job_edge_count(const graph_job *job);
/* Edges are ordered by consumer vertex, then input_index. Borrowed. */
const graph_edge *graph_job_edge(const graph_job *job, size_t i);
const graph_checkpoint_cfg *graph_job_checkpoint(const graph_job *job);
const graph_restart_cfg *graph_job_restart(const graph_job *job);
/* True when both jobs have the same name, settings, vertices (config_json compared as text) and
 * edges. graph_codec_parse(graph_codec_format(job)) is equal to job. */
bool graph_job_equal(const graph_job *a, const graph_job *b);

#endif
