/* The REST server and its routes over HTTP on 127.0.0.1:0, in front of the fake job manager:
 * every route's status and JSON shape, the error mapping, limits, auth and the access log. */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "runtime/base/log.h"
#include "runtime/rest/rest_routes.h"
#include "runtime/rest/rest_server.h"
#include "tests/harness/test.h"
#include "tests/unit/rest/fake_job_manager.h"
#include "tests/unit/rest/http_client.h"

#define TOKEN "s3cr3t-t0ken-0123456789"

typedef struct running {
    rt_rest_server *srv;
    pthread_t thread;
    int port;
} running;

static void *serve(void *arg)
{
    running *r = arg;
    rt_err err = {0};
    if (rt_rest_server_run(r->srv, &err))
        fprintf(stderr, "run: %s\n", err.msg);
    return NULL;
}

/* A fake manager is never dereferenced; any non-NULL pointer stands for it. */
static rt_job_manager *fake_manager(void)
{
    static char dummy;
    return (rt_job_manager *)(void *)&dummy;
}

static void start(running *r, const char *token, size_t max_body)
{
    rt_rest_server_options o = {.listen = "127.0.0.1:0", .token = token, .max_body = max_body};
    rt_err err = {0};
    CHECK_OK(rt_rest_server_open(&o, fake_manager(), &r->srv, &err), &err);
    r->port = rt_rest_server_port(r->srv);
    CHECK(r->port > 0);
    pthread_create(&r->thread, NULL, serve, r);
}

static void finish(running *r)
{
    rt_rest_server_stop(r->srv);
    pthread_join(r->thread, NULL);
    rt_rest_server_close(r->srv);
}

/* Sends a request and parses the JSON reply; the caller decrefs. NULL if not JSON. */
static json_t *call(running *r, const char *method, const char *path, const char *body,
                    const char *token, long *status)
{
    http_resp resp;
    *status = http_do(r->port, method, path, body, body ? strlen(body) : 0, token, &resp);
    json_t *j = json_loads(resp.body, 0, NULL);
    if (j)
        CHECK_STR_CONTAINS(resp.content_type, "application/json");
    http_resp_fini(&resp);
    return j;
}

static const char *first_error(json_t *j)
{
    return json_string_value(json_array_get(json_object_get(j, "errors"), 0));
}

TEST(healthz_lists_jobs)
{
    running r;
    start(&r, NULL, 0);
    long st;
    json_t *j = call(&r, "GET", "/healthz", NULL, NULL, &st);
    CHECK_INT_EQ(st, 200);
    CHECK_STR_EQ(json_string_value(json_object_get(j, "status")), "ok");
    CHECK_INT_EQ(json_integer_value(json_object_get(j, "jobs")), 1);
    json_decref(j);
    finish(&r);
}

TEST(submit_maps_manager_errors)
{
    running r;
    start(&r, NULL, 0);
    long st;
    int before = fake_last.submits;
    json_t *j = call(&r, "POST", "/jobs", "{\"name\": \"a\", \"operators\": []}", NULL, &st);
    CHECK_INT_EQ(st, 202);
    CHECK_STR_EQ(json_string_value(json_object_get(j, "jobid")), FAKE_NEW);
    json_decref(j);

    j = call(&r, "POST", "/jobs", "{\"name\": \"a\",", NULL, &st);
    CHECK_INT_EQ(st, 400);
    CHECK_STR_CONTAINS(first_error(j), "malformed JSON at line 1");
    json_decref(j);

    j = call(&r, "POST", "/jobs", "[1, 2]", NULL, &st);
    CHECK_INT_EQ(st, 400);
    CHECK_STR_CONTAINS(first_error(j), "JSON object");
    json_decref(j);

    j = call(&r, "POST", "/jobs", "", NULL, &st);
    CHECK_INT_EQ(st, 400);
    json_decref(j);
    /* Neither malformed body reached the manager. */
    CHECK_INT_EQ(fake_last.submits, before + 1);

    j = call(&r, "POST", "/jobs", "{\"operators\": [{\"type\": \"bogus_op\"}]}", NULL, &st);
    CHECK_INT_EQ(st, 400);
    CHECK_STR_EQ(first_error(j), "$.operators[0].type: unknown operator 'bogus_op'");
    json_decref(j);

    j = call(&r, "POST", "/jobs", "{\"name\": \"dup\"}", NULL, &st);
    CHECK_INT_EQ(st, 409);
    CHECK_STR_CONTAINS(first_error(j), "already running");
    json_decref(j);

    j = call(&r, "POST", "/jobs", "{\"name\": \"busy\"}", NULL, &st);
    CHECK_INT_EQ(st, 429);
    json_decref(j);
    finish(&r);
}

TEST(job_views_and_not_found)
{
    running r;
    start(&r, NULL, 0);
    long st;
    json_t *j = call(&r, "GET", "/jobs", NULL, NULL, &st);
    CHECK_INT_EQ(st, 200);
    CHECK_INT_EQ(json_array_size(json_object_get(j, "jobs")), 2);
    json_decref(j);

    j = call(&r, "GET", "/jobs/overview", NULL, NULL, &st);
    CHECK_INT_EQ(st, 200);
    CHECK_STR_EQ(
        json_string_value(json_object_get(json_array_get(json_object_get(j, "jobs"), 0), "state")),
        "RUNNING");
    json_decref(j);

    j = call(&r, "GET", "/jobs/" FAKE_RUNNING, NULL, NULL, &st);
    CHECK_INT_EQ(st, 200);
    CHECK_STR_EQ(json_string_value(json_object_get(j, "jid")), FAKE_RUNNING);
    json_decref(j);

    j = call(&r, "GET", "/jobs/" FAKE_RUNNING "/", NULL, NULL, &st);
    CHECK_INT_EQ(st, 200); /* a trailing slash names the same resource */
    json_decref(j);

    j = call(&r, "GET", "/jobs/ffffffffffffffffffffffffffffffff", NULL, NULL, &st);
    CHECK_INT_EQ(st, 404);
    CHECK_STR_CONTAINS(first_error(j), "not found");
    json_decref(j);

    /* Not an id at all: refused before the manager sees it. */
    j = call(&r, "GET", "/jobs/..%2F..%2Fetc", NULL, NULL, &st);
    CHECK_INT_EQ(st, 404);
    json_decref(j);

    j = call(&r, "GET", "/jobs/" FAKE_RUNNING "/checkpoints", NULL, NULL, &st);
    CHECK_INT_EQ(st, 200);
    CHECK_INT_EQ(json_integer_value(json_object_get(json_object_get(j, "counts"), "completed")), 1);
    json_decref(j);

    j = call(&r, "GET", "/jobs/" FAKE_RUNNING "/savepoints/" FAKE_TRIGGER, NULL, NULL, &st);
    CHECK_INT_EQ(st, 200);
    CHECK_STR_EQ(json_string_value(json_object_get(json_object_get(j, "status"), "id")),
                 "COMPLETED");
    json_decref(j);

    j = call(&r, "GET", "/jobs/" FAKE_RUNNING "/savepoints/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", NULL,
             NULL, &st);
    CHECK_INT_EQ(st, 404);
    json_decref(j);
    finish(&r);
}

TEST(cancel_forget_savepoint_stop)
{
    running r;
    start(&r, NULL, 0);
    long st;
    json_t *j = call(&r, "PATCH", "/jobs/" FAKE_RUNNING "?mode=cancel", NULL, NULL, &st);
    CHECK_INT_EQ(st, 202);
    CHECK(json_is_object(j) && json_object_size(j) == 0);
    CHECK_STR_EQ(fake_last.canceled, FAKE_RUNNING);
    json_decref(j);

    fake_last.canceled[0] = '\0';
    j = call(&r, "PATCH", "/jobs/" FAKE_RUNNING "?mode=stop", NULL, NULL, &st);
    CHECK_INT_EQ(st, 400);
    CHECK_STR_EQ(fake_last.canceled, ""); /* a mode we do not know cancels nothing */
    json_decref(j);

    j = call(&r, "PATCH", "/jobs/ffffffffffffffffffffffffffffffff", NULL, NULL, &st);
    CHECK_INT_EQ(st, 404);
    json_decref(j);

    j = call(&r, "DELETE", "/jobs/" FAKE_RUNNING, NULL, NULL, &st);
    CHECK_INT_EQ(st, 409);
    json_decref(j);
    j = call(&r, "DELETE", "/jobs/" FAKE_FINISHED, NULL, NULL, &st);
    CHECK_INT_EQ(st, 200);
    json_decref(j);
    j = call(&r, "DELETE", "/jobs/ffffffffffffffffffffffffffffffff", NULL, NULL, &st);
    CHECK_INT_EQ(st, 404);
    json_decref(j);

    j = call(&r, "POST", "/jobs/" FAKE_RUNNING "/savepoints", NULL, NULL, &st);
    CHECK_INT_EQ(st, 202);
    CHECK_STR_EQ(json_string_value(json_object_get(j, "request-id")), FAKE_TRIGGER);
    CHECK(!fake_last.stop);
    json_decref(j);

    j = call(&r, "POST", "/jobs/" FAKE_RUNNING "/savepoints", "{\"cancel-job\": true}", NULL, &st);
    CHECK_INT_EQ(st, 202);
    CHECK(fake_last.stop);
    json_decref(j);

    j = call(&r, "POST", "/jobs/" FAKE_RUNNING "/savepoints", "{\"cancel-job\": \"yes\"}", NULL,
             &st);
    CHECK_INT_EQ(st, 400);
    CHECK_STR_CONTAINS(first_error(j), "cancel-job");
    json_decref(j);

    j = call(&r, "POST", "/jobs/" FAKE_FINISHED "/savepoints", NULL, NULL, &st);
    CHECK_INT_EQ(st, 409);
    json_decref(j);

    fake_last.stop = false;
    j = call(&r, "POST", "/jobs/" FAKE_RUNNING "/stop", "{}", NULL, &st);
    CHECK_INT_EQ(st, 202);
    CHECK(fake_last.stop);
    CHECK_STR_EQ(json_string_value(json_object_get(j, "request-id")), FAKE_TRIGGER);
    json_decref(j);
    finish(&r);
}

TEST(unknown_route_and_wrong_method)
{
    running r;
    start(&r, NULL, 0);
    http_resp resp;
    CHECK_INT_EQ(http_do(r.port, "GET", "/x", NULL, 0, NULL, &resp), 404);
    json_t *j = json_loads(resp.body, 0, NULL);
    CHECK_STR_EQ(first_error(j), "not found: GET /x");
    json_decref(j);
    http_resp_fini(&resp);

    CHECK_INT_EQ(http_do(r.port, "PUT", "/jobs", NULL, 0, NULL, &resp), 405);
    CHECK_STR_EQ(resp.allow, "GET, POST");
    http_resp_fini(&resp);

    /* The literal path wins over /jobs/:id, so PATCH on it is a 405, not a 404 for job
     * "overview". */
    CHECK_INT_EQ(http_do(r.port, "PATCH", "/jobs/overview", NULL, 0, NULL, &resp), 405);
    CHECK_STR_EQ(resp.allow, "GET");
    http_resp_fini(&resp);

    CHECK_INT_EQ(http_do(r.port, "GET", "/jobs/" FAKE_RUNNING "/stop", NULL, 0, NULL, &resp), 405);
    CHECK_STR_EQ(resp.allow, "POST");
    http_resp_fini(&resp);
    finish(&r);
}

TEST(metrics_are_prometheus_text)
{
    running r;
    start(&r, NULL, 0);
    http_resp resp;
    http_do(r.port, "GET", "/healthz", NULL, 0, NULL, &resp);
    http_resp_fini(&resp);
    http_do(r.port, "GET", "/nope", NULL, 0, NULL, &resp);
    http_resp_fini(&resp);
    CHECK_INT_EQ(http_do(r.port, "GET", "/metrics", NULL, 0, NULL, &resp), 200);
    CHECK_STR_CONTAINS(resp.content_type, "text/plain; version=0.0.4");
    CHECK_STR_CONTAINS(resp.body, "sluiced_jobs{state=\"RUNNING\"} 1\n");
    CHECK_STR_CONTAINS(resp.body, "sluiced_http_requests_total{code=\"200\"} 1\n");
    CHECK_STR_CONTAINS(resp.body, "sluiced_http_requests_total{code=\"404\"} 1\n");
    CHECK_STR_CONTAINS(resp.body, "sluiced_http_request_duration_seconds_count 2\n");
    http_resp_fini(&resp);
    CHECK_UINT_EQ(rt_rest_server_requests(r.srv), 3);
    finish(&r);
}

TEST(body_over_limit_is_413_and_server_keeps_serving)
{
    running r;
    start(&r, NULL, 0);
    size_t n = 10 * 1024 * 1024;
    char *big = malloc(n);
    memset(big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    int before = fake_last.submits;
    http_resp resp;
    CHECK_INT_EQ(http_do(r.port, "POST", "/jobs", big, n, NULL, &resp), 413);
    http_resp_fini(&resp);
    CHECK_INT_EQ(fake_last.submits, before);
    free(big);
    CHECK_INT_EQ(http_do(r.port, "GET", "/healthz", NULL, 0, NULL, &resp), 200);
    http_resp_fini(&resp);
    finish(&r);

    /* A body at the limit passes (then fails as a job, which is the manager's business). */
    start(&r, NULL, 64);
    char body[65];
    memset(body, ' ', 64);
    body[0] = '{';
    body[63] = '}';
    body[64] = '\0';
    CHECK_INT_EQ(http_do(r.port, "POST", "/jobs", body, 64, NULL, &resp), 202);
    http_resp_fini(&resp);
    char over[66];
    memset(over, ' ', 65);
    over[0] = '{';
    over[64] = '}';
    over[65] = '\0';
    CHECK_INT_EQ(http_do(r.port, "POST", "/jobs", over, 65, NULL, &resp), 413);
    http_resp_fini(&resp);
    finish(&r);
}

TEST(oversized_headers_are_refused_and_server_keeps_serving)
{
    running r;
    start(&r, TOKEN, 0);
    size_t n = 20 * 1024; /* over the 16 KiB header limit */
    char *huge = malloc(n + 1);
    memset(huge, 'a', n);
    huge[n] = '\0';
    http_resp resp;
    long st = http_do(r.port, "GET", "/jobs", NULL, 0, huge, &resp);
    CHECK(st != 200 && st != 401); /* libevent refuses it before auth looks at it */
    http_resp_fini(&resp);
    free(huge);
    CHECK_INT_EQ(http_do(r.port, "GET", "/healthz", NULL, 0, NULL, &resp), 200);
    http_resp_fini(&resp);
    finish(&r);
}

static int burst_port;

static void *burst(void *arg)
{
    for (int i = 0; i < 50; i++) {
        http_resp resp;
        if (http_do(burst_port, "GET", "/jobs/overview", NULL, 0, NULL, &resp) != 200)
            __atomic_add_fetch((int *)arg, 1, __ATOMIC_RELAXED);
        http_resp_fini(&resp);
    }
    return NULL;
}

TEST(concurrent_clients_are_all_answered)
{
    running r;
    start(&r, NULL, 0);
    burst_port = r.port;
    int failures = 0;
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, burst, &failures);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    CHECK_INT_EQ(failures, 0);
    CHECK_UINT_EQ(rt_rest_server_requests(r.srv), 200);
    finish(&r);
}

TEST(token_required_except_healthz_and_never_logged)
{
    char logpath[512];
    snprintf(logpath, sizeof logpath, "%s/access.log", test_tmpdir());
    int fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    rt_log_set_fd(fd);
    rt_log_set_level(RT_LOG_DEBUG);

    running r;
    start(&r, TOKEN, 0);
    long st;
    json_t *j = call(&r, "GET", "/jobs", NULL, NULL, &st);
    CHECK_INT_EQ(st, 401);
    CHECK_STR_EQ(first_error(j), "missing or wrong bearer token");
    json_decref(j);
    j = call(&r, "GET", "/jobs", NULL, "s3cr3t-t0ken-012345678", &st); /* one byte short */
    CHECK_INT_EQ(st, 401);
    json_decref(j);
    j = call(&r, "GET", "/jobs", NULL, TOKEN "x", &st);
    CHECK_INT_EQ(st, 401);
    json_decref(j);
    j = call(&r, "POST", "/jobs", "{\"name\": \"a\"}", "wrong", &st);
    CHECK_INT_EQ(st, 401);
    json_decref(j);
    j = call(&r, "GET", "/jobs", NULL, TOKEN, &st);
    CHECK_INT_EQ(st, 200);
    json_decref(j);
    j = call(&r, "GET", "/healthz", NULL, NULL, &st);
    CHECK_INT_EQ(st, 200);
    json_decref(j);
    finish(&r);

    rt_log_set_level(RT_LOG_INFO);
    rt_log_set_fd(2);
    close(fd);
    char *log = test_read_file(logpath, NULL);
    CHECK_STR_CONTAINS(log, "http: GET /jobs 401 ");
    CHECK_STR_CONTAINS(log, "http: GET /jobs 200 ");
    CHECK_STR_CONTAINS(log, "http: GET /healthz 200 ");
    CHECK(log && !strstr(log, "s3cr3t"));
    free(log);
}

TEST(listen_check_refuses_open_address_without_token)
{
    rt_err err = {0};
    CHECK_INT_EQ(rt_rest_listen_check("0.0.0.0:8081", false, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "listening on 0.0.0.0 requires --token-file");
    CHECK_INT_EQ(rt_rest_listen_check("0.0.0.0:8081", true, &err), 0);
    CHECK_INT_EQ(rt_rest_listen_check("[::]:8081", false, &err), RT_EINVAL);
    CHECK_INT_EQ(rt_rest_listen_check("10.1.2.3:80", false, &err), RT_EINVAL);
    CHECK_INT_EQ(rt_rest_listen_check("127.0.0.1:0", false, &err), 0);
    CHECK_INT_EQ(rt_rest_listen_check("[::1]:8081", false, &err), 0);
    CHECK_INT_EQ(rt_rest_listen_check("localhost:8081", false, &err), 0);
    CHECK_INT_EQ(rt_rest_listen_check("127.0.0.1", false, &err), RT_EINVAL);
    CHECK_INT_EQ(rt_rest_listen_check("127.0.0.1:70000", false, &err), RT_EINVAL);
    CHECK_INT_EQ(rt_rest_listen_check("::1:80", false, &err), RT_EINVAL);

    /* The server enforces the rule too, not only the command line. */
    rt_rest_server_options o = {.listen = "0.0.0.0:0"};
    rt_rest_server *s = NULL;
    CHECK_INT_EQ(rt_rest_server_open(&o, fake_manager(), &s, &err), RT_EINVAL);
    CHECK(s == NULL);

    char host[64];
    int port = -1;
    CHECK_OK(rt_rest_listen_parse("[::1]:9", host, sizeof host, &port, &err), &err);
    CHECK_STR_EQ(host, "::1");
    CHECK_INT_EQ(port, 9);
}

TEST(stop_before_run_returns_at_once)
{
    rt_rest_server_options o = {.listen = "127.0.0.1:0"};
    rt_rest_server *s = NULL;
    rt_err err = {0};
    CHECK_OK(rt_rest_server_open(&o, fake_manager(), &s, &err), &err);
    rt_rest_server_stop(s);
    CHECK_OK(rt_rest_server_run(s, &err), &err);
    rt_rest_server_close(s);
}

int main(int argc, char **argv)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = test_run_all(argc, argv);
    curl_global_cleanup();
    return rc;
}
