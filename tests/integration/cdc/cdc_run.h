/* Shared by the mysql_cdc integration tests: a job run from job JSON through a job master, its
 * specific-offset startup and its output paths. */
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

/* Frees the job master and the graph of r (either may be NULL) and zeroes r. */
void cdc_run_free(cdc_run *r);

/* Waits (120 s) for the job to end by itself; it must finish: a failure is recorded with the
 * job's message. Frees r. */
void cdc_run_finish(cdc_run *r);

/* Cancels the job (when it was started) and waits for it (30 s); it must not have failed: a
 * failure is recorded with the job's message. Frees r. */
void cdc_run_cancel(cdc_run *r);

/* Writes into startup (size bytes) the startup JSON of mode specific-offset at the server's
 * binlog position now. Returns false (startup untouched) when the server gave no position; a
 * failed query is recorded as a test failure. */
bool cdc_run_startup_here(char *startup, size_t size);

/* test_tmpdir()/name. Borrowed: one of four static buffers, overwritten by the fifth call. */
const char *cdc_run_tmp_path(const char *name);

#endif
