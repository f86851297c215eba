/* The operator registry: every operator type Sluice has, by name. The CLI and daemon hand it to
 * the runtime (rt_op_lookup) and to the job-graph validator (graph_catalog). */
#ifndef SLUICE_OPERATORS_REGISTRY_H
#define SLUICE_OPERATORS_REGISTRY_H

#include <stddef.h>

#include "graph/job_graph.h"
#include "operators/op.h"

/* The operator type called name, or NULL. */
const op_type *op_registry_find(const char *name);
size_t op_registry_count(void);
/* i < count; in the order of operators/registry.c. */
const op_type *op_registry_at(size_t i);
/* A catalog over the registry for graph_codec_parse. Static; never freed. */
const graph_catalog *op_registry_catalog(void);

#endif
