/* Shared by the mysql_cdc integration tests: a job run from job JSON through a job master. */
#ifndef SLUICE_TESTS_INTEGRATION_CDC_CDC_RUN_H
#define SLUICE_TESTS_INTEGRATION_CDC_CDC_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "graph/job_graph.h"
#include "runtime/job_master.h"

typedef struct cdc_run {
    graph_job *graph;
    rt_job_master *jm;
} cdc_run;

/* Parses json against the operator registry and starts it under a job master (checkpoints into
 * data_dir when non-NULL; batch_rows 0: the default). Records a test failure and returns false
 * when either step fails; r is zeroed first and owns what was made (free it either way). */
bool cdc_run_start_json(cdc_run *r, const char *json, const char *data_dir, size_t batch_rows);

#endif
