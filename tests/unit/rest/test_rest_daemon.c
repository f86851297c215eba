/* The REST server in front of the real job manager over a temp data directory: a datagen ->
 * blackhole job submitted, viewed, savepointed, canceled and forgotten over HTTP. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "operators/registry.h"
#include "runtime/base/clock.h"
#include "runtime/rest/rest_server.h"
#include "tests/harness/test.h"
#include "tests/unit/rest/http_client.h"

static rt_rest_server *srv;
static int port;

static void *serve(void *arg)
{
    rt_err err = {0};
    rt_rest_server_run(srv, &err);
    return NULL;
}

static json_t *call(const char *method, const char *path, const char *body, long *status)
{
    http_resp resp;
    *status = http_do(port, method, path, body, body ? strlen(body) : 0, NULL, &resp);
    json_t *j = json_loads(resp.body, 0, NULL);
    http_resp_fini(&resp);
    return j;
}

static const char *first_error(json_t *j)
{
    return json_string_value(json_array_get(json_object_get(j, "errors"), 0));
}

/* The job's state, polled until it is one of want (a '|'-separated list) or 20 s pass. */
static char *wait_state(const char *id, const char *want)
{
    char path[128];
    snprintf(path, sizeof path, "/jobs/%s", id);
    int64_t deadline = rt_clock_mono_ms() + 20000;
    char *state = NULL;
    while (rt_clock_mono_ms() < deadline) {
        long st;
        json_t *j = call("GET", path, NULL, &st);
        free(state);
        const char *s = json_string_value(json_object_get(j, "state"));
        state = strdup(s ? s : "?");
        json_decref(j);
        if (strstr(want, state))
            break;
        rt_sleep_ms(50);
    }
    return state;
}

static const op_type *lookup(const char *name)
{
    return op_registry_find(name);
}

#define JOB                                                                                        \
    "{\"name\": \"rest-gen\", \"operators\": ["                                                    \
    "{\"id\": \"gen\", \"type\": \"datagen\", \"config\": {\"rows\": 1000000000}},"                \
    "{\"id\": \"sink\", \"type\": \"blackhole\", \"inputs\": [{\"from\": \"gen\"}]}]}"

TEST(job_lifecycle_over_http)
{
    rt_job_manager_options mo = {.data_dir = test_tmpdir(), .lookup = lookup};
    rt_job_manager *m = NULL;
    rt_err err = {0};
    CHECK_OK(rt_job_manager_open(&mo, &m, &err), &err);
    rt_rest_server_options so = {.listen = "127.0.0.1:0"};
    CHECK_OK(rt_rest_server_open(&so, m, &srv, &err), &err);
    if (!srv) {
        rt_job_manager_close(m, false, 1000);
        return;
    }
    port = rt_rest_server_port(srv);
    pthread_t t;
    pthread_create(&t, NULL, serve, NULL);

    long st;
    json_t *j = call("GET", "/jobs", NULL, &st);
    CHECK_INT_EQ(st, 200);
    CHECK_INT_EQ(json_array_size(json_object_get(j, "jobs")), 0);
    json_decref(j);

    j = call("POST", "/jobs",
             "{\"name\": \"x\", \"operators\": [{\"id\": \"a\", \"type\": "
             "\"bogus_op\"}]}",
             &st);
    CHECK_INT_EQ(st, 400);
    CHECK_STR_CONTAINS(first_error(j), "$.operators[0].type");
    json_decref(j);

    j = call("POST", "/jobs", "{\"name\": 5}", &st);
    CHECK_INT_EQ(st, 400);
    json_decref(j);

    j = call("POST", "/jobs", JOB, &st);
    CHECK_INT_EQ(st, 202);
    const char *jid = json_string_value(json_object_get(j, "jobid"));
    char id[RT_JOB_ID_LEN + 1] = "";
    if (jid)
        snprintf(id, sizeof id, "%s", jid);
    CHECK_INT_EQ(strlen(id), RT_JOB_ID_LEN);
    json_decref(j);

    /* The same name while the first runs: metrics and logs are labelled by name. */
    j = call("POST", "/jobs", JOB, &st);
    CHECK_INT_EQ(st, 409);
    json_decref(j);

    char *state = wait_state(id, "RUNNING");
    CHECK_STR_EQ(state, "RUNNING");
    free(state);

    j = call("GET", "/healthz", NULL, &st);
    CHECK_INT_EQ(st, 200);
    CHECK_INT_EQ(json_integer_value(json_object_get(j, "jobs")), 1);
    json_decref(j);

    j = call("GET", "/jobs/overview", NULL, &st);
    CHECK_INT_EQ(st, 200);
    CHECK_STR_EQ(
        json_string_value(json_object_get(json_array_get(json_object_get(j, "jobs"), 0), "name")),
        "rest-gen");
    json_decref(j);

    http_resp resp;
    CHECK_INT_EQ(http_do(port, "GET", "/metrics", NULL, 0, NULL, &resp), 200);
    CHECK_STR_CONTAINS(resp.body, "sluiced_http_requests_total{code=\"202\"} 1");
    http_resp_fini(&resp);

    char path[160];
    snprintf(path, sizeof path, "/jobs/%s/checkpoints", id);
    j = call("GET", path, NULL, &st);
    CHECK_INT_EQ(st, 200);
    CHECK(json_is_object(json_object_get(j, "counts")));
    json_decref(j);

    snprintf(path, sizeof path, "/jobs/%s/savepoints", id);
    j = call("POST", path, NULL, &st);
    CHECK_INT_EQ(st, 202);
    const char *trig = json_string_value(json_object_get(j, "request-id"));
    char trigger[RT_JOB_ID_LEN + 1] = "";
    if (trig)
        snprintf(trigger, sizeof trigger, "%s", trig);
    json_decref(j);
    snprintf(path, sizeof path, "/jobs/%s/savepoints/%s", id, trigger);
    int64_t deadline = rt_clock_mono_ms() + 20000;
    const char *sp = NULL;
    char spbuf[32] = "";
    while (rt_clock_mono_ms() < deadline) {
        j = call("GET", path, NULL, &st);
        CHECK_INT_EQ(st, 200);
        sp = json_string_value(json_object_get(json_object_get(j, "status"), "id"));
        snprintf(spbuf, sizeof spbuf, "%s", sp ? sp : "?");
        json_decref(j);
        if (strcmp(spbuf, "IN_PROGRESS") != 0)
            break;
        rt_sleep_ms(50);
    }
    CHECK_STR_EQ(spbuf, "COMPLETED");

    snprintf(path, sizeof path, "/jobs/%s", id);
    j = call("DELETE", path, NULL, &st);
    CHECK_INT_EQ(st, 409); /* still running */
    json_decref(j);
    j = call("PATCH", path, NULL, &st);
    CHECK_INT_EQ(st, 202);
    json_decref(j);
    state = wait_state(id, "CANCELED");
    CHECK_STR_EQ(state, "CANCELED");
    free(state);
    j = call("DELETE", path, NULL, &st);
    CHECK_INT_EQ(st, 200);
    json_decref(j);
    j = call("GET", path, NULL, &st);
    CHECK_INT_EQ(st, 404);
    json_decref(j);

    rt_rest_server_stop(srv);
    pthread_join(t, NULL);
    rt_rest_server_close(srv);
    rt_job_manager_close(m, false, 10000);
}

int main(int argc, char **argv)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = test_run_all(argc, argv);
    curl_global_cleanup();
    return rc;
}
