/* Shared by the mysql_cdc integration tests: see cdc_run.h. */
#include "tests/integration/cdc/cdc_run.h"

#include <string.h>

#include "graph/codec.h"
#include "operators/registry.h"
#include "tests/harness/test.h"

bool cdc_run_start_json(cdc_run *r, const char *json, const char *data_dir, size_t batch_rows)
{
    memset(r, 0, sizeof *r);
    rt_err err = {0};
    if (graph_codec_parse(json, strlen(json), op_registry_catalog(), &r->graph, &err) != 0) {
        test_fail(__FILE__, __LINE__, "parse: %s", err.msg);
        return false;
    }
    rt_job_master_options opts = {.data_dir = data_dir, .job = {.batch_rows = batch_rows}};
    if (rt_job_master_new(r->graph, op_registry_find, &opts, &r->jm, &err) != 0 ||
        rt_job_master_start(r->jm, &err) != 0) {
        test_fail(__FILE__, __LINE__, "start: %s", err.msg);
        return false;
    }
    return true;
}
