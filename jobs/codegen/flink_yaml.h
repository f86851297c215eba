/* Flink CDC 3 pipeline YAML <-> Sluice job JSON: a mysql -> starrocks pipeline with its route and
 * transform blocks becomes a mysql_cdc -> [filter] -> [project] -> [route] -> starrocks job graph
 * and back, so a job moves between Sluice and a Flink cluster. Parsed and written with libyaml.
 * Passwords are never written: a job's password_env NAME becomes `password: ${NAME}` and reads
 * back as password_env NAME (password_file likewise as a comment-marked reference). */
#ifndef SLUICE_JOBS_CODEGEN_FLINK_YAML_H
#define SLUICE_JOBS_CODEGEN_FLINK_YAML_H

#include <stddef.h>

#include "runtime/base/errors.h"

/* Writes the pipeline YAML of job_json (a Sluice job graph as JSON text, the shape `sluice
 * generate` emits). RT_EUNSUPPORTED naming the vertex for what has no Flink CDC equivalent
 * (another source or sink type, a fan-out); RT_EINVAL for JSON that is not a job. *yaml: malloc'd
 * NUL-terminated text, caller frees. */
int gen_flink_yaml_format(const char *job_json, char **yaml, rt_err *err);

/* Reads a pipeline YAML (len bytes) into a Sluice job graph, JSON text that `sluice run` accepts
 * unchanged. RT_EINVAL with "line L column C: ..." for YAML syntax errors and for keys or values
 * Sluice cannot honour; RT_EUNSUPPORTED for a source other than mysql or a sink other than
 * starrocks. *job_json: malloc'd NUL-terminated text (pretty-printed), caller frees. */
int gen_flink_yaml_parse(const char *yaml, size_t len, char **job_json, rt_err *err);

#endif
