/* The job file codec: JSON text <-> graph_job, with validation whose errors name the JSON path.
 *
 *   {"name": "demo",
 *    "checkpoint": {"interval": "5s", "timeout": "60s", "retain": 3},
 *    "restart": {"strategy": "exponential-delay", "initial": "1s", "max": "60s"},
 *    "operators": [
 *      {"id": "gen", "type": "datagen", "parallelism": 2, "config": {"rows": 1000000}},
 *      {"id": "out", "type": "print", "inputs": [{"from": "gen", "distribution": "forward"}]}]}
 */
#ifndef SLUICE_GRAPH_CODEC_H
#define SLUICE_GRAPH_CODEC_H

#include "graph/job_graph.h"

/* Jobs with more operators are rejected ($.operators); validation is quadratic in places. */
#define GRAPH_CODEC_MAX_OPERATORS 1024

/* Parses and validates a job. On success *out is a new job (free with graph_job_free).
 * Rejects, with RT_EINVAL and a message starting with the JSON path: malformed JSON (with line
 * and column), unknown top-level/operator/input keys, wrong types, out-of-range values, duplicate
 * or unknown ids, cycles, unknown operator types (listing the known ones), sources with inputs,
 * transforms/sinks without inputs, forward edges between different parallelisms, and every
 * config error of the operator's config table and validate hook. */
int graph_codec_parse(const char *text, size_t len, const graph_catalog *catalog, graph_job **out,
                      rt_err *err);
/* Reads the file at path and parses it (errors name the file too). */
int graph_codec_parse_file(const char *path, const graph_catalog *catalog, graph_job **out,
                           rt_err *err);
/* Returns the job as canonical JSON text (every default made explicit, inputs as objects).
 * Parsing the result gives an equal job. Caller frees with free(). */
char *graph_codec_format(const graph_job *job);

#endif
