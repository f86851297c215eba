/* A test-only job manager behind the REST server: fixed jobs and error codes chosen by the test,
 * so every route's status mapping is checked without RocksDB or a running job. Never shipped. */
#include "tests/unit/rest/fake_job_manager.h"

#include <stdlib.h>
#include <string.h>

#include "runtime/base/buf.h"

fake_calls fake_last;

static char *dup_str(const char *s)
{
    char *d = strdup(s);
    RT_ASSERT(d);
    return d;
}

static int lookup_id(const char *id, rt_err *err)
{
    if (strcmp(id, FAKE_RUNNING) == 0 || strcmp(id, FAKE_FINISHED) == 0)
        return 0;
    return rt_err_set(err, RT_ENOTFOUND, "job %s not found", id);
}

int rt_job_manager_submit(rt_job_manager *m, const char *body, size_t len,
                          char id_out[RT_JOB_ID_LEN + 1], rt_err *err)
{
    fake_last.submits++;
    fake_last.body_len = len;
    if (strstr(body, "bogus_op"))
        return rt_err_set(err, RT_EINVAL, "$.operators[0].type: unknown operator 'bogus_op'");
    if (strstr(body, "\"dup\""))
        return rt_err_set(err, RT_EEXIST, "a job named 'dup' is already running");
    if (strstr(body, "\"busy\""))
        return rt_err_set(err, RT_EBUSY, "64 jobs are running (max_jobs)");
    memcpy(id_out, FAKE_NEW, RT_JOB_ID_LEN + 1);
    return 0;
}

int rt_job_manager_cancel(rt_job_manager *m, const char *id, rt_err *err)
{
    snprintf(fake_last.canceled, sizeof fake_last.canceled, "%s", id);
    return lookup_id(id, err);
}

int rt_job_manager_forget(rt_job_manager *m, const char *id, rt_err *err)
{
    int rc = lookup_id(id, err);
    if (rc)
        return rc;
    if (strcmp(id, FAKE_RUNNING) == 0)
        return rt_err_set(err, RT_ESTATE, "job %s is RUNNING; cancel it first", id);
    return 0;
}

int rt_job_manager_savepoint(rt_job_manager *m, const char *id, bool stop,
                             char trigger_out[RT_JOB_ID_LEN + 1], rt_err *err)
{
    int rc = lookup_id(id, err);
    if (rc)
        return rc;
    if (strcmp(id, FAKE_RUNNING) != 0)
        return rt_err_set(err, RT_ESTATE, "job %s is not RUNNING", id);
    fake_last.savepoints++;
    fake_last.stop = stop;
    memcpy(trigger_out, FAKE_TRIGGER, RT_JOB_ID_LEN + 1);
    return 0;
}

int rt_job_manager_list_json(rt_job_manager *m, char **json, rt_err *err)
{
    *json = dup_str("{\"jobs\": [{\"id\": \"" FAKE_RUNNING "\", \"status\": \"RUNNING\"}, "
                    "{\"id\": \"" FAKE_FINISHED "\", \"status\": \"FINISHED\"}]}");
    return 0;
}

int rt_job_manager_overview_json(rt_job_manager *m, char **json, rt_err *err)
{
    *json = dup_str("{\"jobs\": [{\"jid\": \"" FAKE_RUNNING "\", \"name\": \"a\", \"state\": "
                    "\"RUNNING\", \"start-time\": 1, \"end-time\": -1, \"duration\": 5, "
                    "\"restarts\": 0}]}");
    return 0;
}

int rt_job_manager_job_json(rt_job_manager *m, const char *id, char **json, rt_err *err)
{
    int rc = lookup_id(id, err);
    if (rc)
        return rc;
    rt_buf b;
    rt_buf_init(&b);
    rt_buf_appendf(&b, "{\"jid\": \"%s\", \"name\": \"a\", \"state\": \"%s\"}", id,
                   strcmp(id, FAKE_RUNNING) == 0 ? "RUNNING" : "FINISHED");
    *json = rt_buf_take(&b);
    return 0;
}

int rt_job_manager_checkpoints_json(rt_job_manager *m, const char *id, char **json, rt_err *err)
{
    int rc = lookup_id(id, err);
    if (rc)
        return rc;
    *json = dup_str("{\"counts\": {\"completed\": 1, \"failed\": 0, \"in_progress\": 0, "
                    "\"total\": 1}, \"latest\": {}, \"history\": []}");
    return 0;
}

int rt_job_manager_job_metrics_json(rt_job_manager *m, const char *id, char **json, rt_err *err)
{
    int rc = lookup_id(id, err);
    if (rc)
        return rc;
    *json = dup_str("{\"series\": [{\"name\": \"sluice_records_out_total\", \"labels\": "
                    "{\"vertex\": \"gen\", \"subtask\": 0}, \"value\": 7}]}");
    return 0;
}

int rt_job_manager_trigger_json(rt_job_manager *m, const char *id, const char *trigger, char **json,
                                rt_err *err)
{
    int rc = lookup_id(id, err);
    if (rc)
        return rc;
    if (strcmp(trigger, FAKE_TRIGGER) != 0)
        return rt_err_set(err, RT_ENOTFOUND, "trigger %s not found", trigger);
    *json = dup_str("{\"status\": {\"id\": \"COMPLETED\"}, \"operation\": {\"location\": \"/x\"}}");
    return 0;
}

int rt_job_manager_metrics_text(rt_job_manager *m, rt_buf *out, rt_err *err)
{
    rt_buf_append_str(out, "# TYPE sluiced_jobs gauge\nsluiced_jobs{state=\"RUNNING\"} 1\n");
    return 0;
}

size_t rt_job_manager_active_count(rt_job_manager *m)
{
    return 1;
}
