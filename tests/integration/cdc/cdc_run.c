/* Shared by the mysql_cdc integration tests: see cdc_run.h. */
#include "tests/integration/cdc/cdc_run.h"

#include <stdio.h>
#include <string.h>

#include "graph/codec.h"
#include "operators/registry.h"
#include "tests/harness/mariadb.h"
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

void cdc_run_free(cdc_run *r)
{
    rt_job_master_free(r->jm);
    graph_job_free(r->graph);
    memset(r, 0, sizeof *r);
}

/* Records the failure of a job that ended FAILED, with its message. */
static void check_not_failed(cdc_run *r, rt_job_master_status s)
{
    if (s != RT_JOB_MASTER_FAILED)
        return;
    rt_err err = {0};
    rt_job_master_failure(r->jm, &err);
    test_fail(__FILE__, __LINE__, "job failed: %s", err.msg);
}

void cdc_run_finish(cdc_run *r)
{
    rt_job_master_status s = rt_job_master_wait(r->jm, 120000);
    check_not_failed(r, s);
    CHECK_INT_EQ(s, RT_JOB_MASTER_FINISHED);
    cdc_run_free(r);
}

void cdc_run_cancel(cdc_run *r)
{
    if (r->jm) {
        rt_job_master_cancel(r->jm);
        rt_job_master_wait(r->jm, 30000);
        check_not_failed(r, rt_job_master_status_get(r->jm));
    }
    cdc_run_free(r);
}

bool cdc_run_startup_here(char *startup, size_t size)
{
    char pos[256] = "";
    CHECK_INT_EQ(test_mysql_binlog_pos(pos, sizeof pos), 0);
    char *colon = strrchr(pos, ':'); /* "file:pos" */
    if (!colon)
        return false;
    *colon = '\0';
    snprintf(startup, size, "{\"mode\":\"specific-offset\",\"file\":\"%s\",\"pos\":%s}", pos,
             colon + 1);
    return true;
}

const char *cdc_run_tmp_path(const char *name)
{
    static char out[4][512];
    static int i;
    i = (i + 1) % 4;
    snprintf(out[i], sizeof out[i], "%s/%s", test_tmpdir(), name);
    return out[i];
}
