/* The REST API's route table (Flink's REST shapes) and the mapping from job manager error codes
 * to HTTP status codes. Bodies are parsed here only to reject what is not JSON with a clear 400;
 * the job manager validates the job graph itself. */
#include "runtime/rest/rest_routes.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "runtime/base/errors.h"

#define JSON_TYPE "application/json; charset=utf-8"
#define METRICS_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define MAX_SEGS 6
/* User input echoed in an error message is cut here, so a 1 MiB path cannot make a 1 MiB reply. */
#define ECHO_MAX 200

void rt_rest_reply_init(rt_rest_reply *r)
{
    memset(r, 0, sizeof(*r));
    r->status = 500;
    r->content_type = JSON_TYPE;
    rt_buf_init(&r->body);
}

void rt_rest_reply_fini(rt_rest_reply *r)
{
    rt_buf_fini(&r->body);
}

void rt_rest_reply_error(rt_rest_reply *r, int status, const char *msg)
{
    r->status = status;
    r->content_type = JSON_TYPE;
    r->cache_control = NULL;
    r->raw = false;
    rt_buf_reset(&r->body);
    rt_buf_append_str(&r->body, "{\"errors\": [");
    rt_buf_append_json_str(&r->body, msg, strlen(msg));
    rt_buf_append_str(&r->body, "]}");
}

int rt_rest_status_for(int code)
{
    switch (code) {
    case RT_EINVAL:
        return 400;
    case RT_ENOTFOUND:
        return 404;
    case RT_EEXIST:
    case RT_ESTATE:
        return 409;
    case RT_EBUSY:
        return 429; /* max_jobs reached: the client may retry once a job ends */
    default:
        return rt_err_is_transient(code) ? 503 : 500;
    }
}

/* Replies with the job manager's error: its message when it gave one, else the code's text. */
static void reply_err(rt_rest_reply *r, int rc, const rt_err *err)
{
    rt_rest_reply_error(r, rt_rest_status_for(rc), err->msg[0] ? err->msg : rt_err_code_desc(rc));
}

/* Takes ownership of json (the manager's malloc'd view). */
static void reply_json(rt_rest_reply *r, int status, char *json)
{
    r->status = status;
    r->content_type = JSON_TYPE;
    rt_buf_reset(&r->body);
    rt_buf_append_str(&r->body, json);
    free(json);
}

static void reply_literal(rt_rest_reply *r, int status, const char *json)
{
    r->status = status;
    r->content_type = JSON_TYPE;
    rt_buf_reset(&r->body);
    rt_buf_append_str(&r->body, json);
}

static void reply_id(rt_rest_reply *r, int status, const char *key, const char *id)
{
    r->status = status;
    r->content_type = JSON_TYPE;
    rt_buf_reset(&r->body);
    rt_buf_appendf(&r->body, "{\"%s\": ", key);
    rt_buf_append_json_str(&r->body, id, strlen(id));
    rt_buf_append_char(&r->body, '}');
}

/* Ids are Flink JobIDs: 32 lower-case hex digits. Anything else cannot name a job, so it is a 404
 * without asking the manager (and never reaches a file name). */
static bool is_id(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return n == RT_JOB_ID_LEN;
}

static void reply_no_job(rt_rest_reply *r, const char *what, const char *id)
{
    char msg[ECHO_MAX + 64];
    snprintf(msg, sizeof msg, "%s not found: %.*s", what, ECHO_MAX, id);
    rt_rest_reply_error(r, 404, msg);
}

/* Parses an optional body that must be a JSON object when present. Returns the object (caller
 * decrefs), or NULL with *ok false after replying 400, or NULL with *ok true for no body. */
static json_t *parse_object(const rt_rest_request *req, rt_rest_reply *r, bool *ok)
{
    *ok = true;
    size_t n = req->body_len;
    const char *b = req->body;
    while (n && (*b == ' ' || *b == '\t' || *b == '\r' || *b == '\n')) {
        b++;
        n--;
    }
    if (n == 0)
        return NULL;
    json_error_t je;
    json_t *j = json_loadb(b, n, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        char msg[300];
        snprintf(msg, sizeof msg, "malformed JSON at line %d column %d: %s", je.line, je.column,
                 je.text);
        rt_rest_reply_error(r, 400, msg);
        *ok = false;
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        rt_rest_reply_error(r, 400, "the request body must be a JSON object");
        *ok = false;
        return NULL;
    }
    return j;
}

/* ---- handlers ----------------------------------------------------------------------------- */

typedef void (*handler_fn)(const rt_rest_api *api, const rt_rest_request *req, char **params,
                           rt_rest_reply *r);

static void h_healthz(const rt_rest_api *api, const rt_rest_request *req, char **params,
                      rt_rest_reply *r)
{
    r->status = 200;
    rt_buf_appendf(&r->body, "{\"status\": \"ok\", \"jobs\": %zu}",
                   rt_job_manager_active_count(api->manager));
}

static void h_metrics(const rt_rest_api *api, const rt_rest_request *req, char **params,
                      rt_rest_reply *r)
{
    rt_err err = {0};
    int rc = rt_job_manager_metrics_text(api->manager, &r->body, &err);
    if (rc) {
        reply_err(r, rc, &err);
        return;
    }
    if (api->metrics_fn)
        api->metrics_fn(api->metrics_arg, &r->body);
    r->status = 200;
    r->content_type = METRICS_TYPE;
}

static void h_submit(const rt_rest_api *api, const rt_rest_request *req, char **params,
                     rt_rest_reply *r)
{
    bool ok;
    json_t *j = parse_object(req, r, &ok);
    if (!ok)
        return;
    if (!j) {
        rt_rest_reply_error(r, 400, "the request body must be a job graph (JSON object)");
        return;
    }
    json_decref(j);
    char id[RT_JOB_ID_LEN + 1];
    rt_err err = {0};
    int rc = rt_job_manager_submit(api->manager, req->body, req->body_len, id, &err);
    if (rc) {
        reply_err(r, rc, &err);
        return;
    }
    reply_id(r, 202, "jobid", id);
}

/* The list, overview, job and checkpoints views: the same shape of call. */
/* json is passed by address: it is read after the call that fills it (argument order is
 * unspecified in C). */
static void view(rt_rest_reply *r, int rc, char **json, const rt_err *err)
{
    if (rc)
        reply_err(r, rc, err);
    else
        reply_json(r, 200, *json);
}

static void h_list(const rt_rest_api *api, const rt_rest_request *req, char **params,
                   rt_rest_reply *r)
{
    char *json = NULL;
    rt_err err = {0};
    view(r, rt_job_manager_list_json(api->manager, &json, &err), &json, &err);
}

static void h_overview(const rt_rest_api *api, const rt_rest_request *req, char **params,
                       rt_rest_reply *r)
{
    char *json = NULL;
    rt_err err = {0};
    view(r, rt_job_manager_overview_json(api->manager, &json, &err), &json, &err);
}

static void h_job(const rt_rest_api *api, const rt_rest_request *req, char **params,
                  rt_rest_reply *r)
{
    char *json = NULL;
    rt_err err = {0};
    view(r, rt_job_manager_job_json(api->manager, params[0], &json, &err), &json, &err);
}

static void h_checkpoints(const rt_rest_api *api, const rt_rest_request *req, char **params,
                          rt_rest_reply *r)
{
    char *json = NULL;
    rt_err err = {0};
    view(r, rt_job_manager_checkpoints_json(api->manager, params[0], &json, &err), &json, &err);
}

static void h_job_metrics(const rt_rest_api *api, const rt_rest_request *req, char **params,
                          rt_rest_reply *r)
{
    char *json = NULL;
    rt_err err = {0};
    view(r, rt_job_manager_job_metrics_json(api->manager, params[0], &json, &err), &json, &err);
}

static void h_trigger(const rt_rest_api *api, const rt_rest_request *req, char **params,
                      rt_rest_reply *r)
{
    if (!is_id(params[1])) {
        reply_no_job(r, "savepoint trigger", params[1]);
        return;
    }
    char *json = NULL;
    rt_err err = {0};
    view(r, rt_job_manager_trigger_json(api->manager, params[0], params[1], &json, &err), &json,
         &err);
}

/* PATCH /jobs/:id[?mode=cancel]: Flink's cancel. Any other mode is refused rather than ignored,
 * so a client asking for something else does not cancel its job by surprise. */
static void h_cancel(const rt_rest_api *api, const rt_rest_request *req, char **params,
                     rt_rest_reply *r)
{
    const char *q = req->query;
    while (q && *q) {
        size_t n = strcspn(q, "&");
        if (n >= 5 && strncmp(q, "mode=", 5) == 0 && !(n == 11 && !strncmp(q + 5, "cancel", 6))) {
            char msg[ECHO_MAX + 64];
            snprintf(msg, sizeof msg, "unsupported mode '%.*s' (only mode=cancel)",
                     (int)(n - 5 > ECHO_MAX ? ECHO_MAX : n - 5), q + 5);
            rt_rest_reply_error(r, 400, msg);
            return;
        }
        q += n;
        if (*q == '&')
            q++;
    }
    rt_err err = {0};
    int rc = rt_job_manager_cancel(api->manager, params[0], &err);
    if (rc)
        reply_err(r, rc, &err);
    else
        reply_literal(r, 202, "{}");
}

static void h_forget(const rt_rest_api *api, const rt_rest_request *req, char **params,
                     rt_rest_reply *r)
{
    rt_err err = {0};
    int rc = rt_job_manager_forget(api->manager, params[0], &err);
    if (rc)
        reply_err(r, rc, &err);
    else
        reply_literal(r, 200, "{}");
}

static void savepoint(const rt_rest_api *api, const char *id, bool stop, rt_rest_reply *r)
{
    char trigger[RT_JOB_ID_LEN + 1];
    rt_err err = {0};
    int rc = rt_job_manager_savepoint(api->manager, id, stop, trigger, &err);
    if (rc)
        reply_err(r, rc, &err);
    else
        reply_id(r, 202, "request-id", trigger);
}

/* POST /jobs/:id/savepoints, body optional: {"cancel-job": true} is Flink's stop-with-savepoint. */
static void h_savepoint(const rt_rest_api *api, const rt_rest_request *req, char **params,
                        rt_rest_reply *r)
{
    bool ok;
    json_t *j = parse_object(req, r, &ok);
    if (!ok)
        return;
    bool stop = false;
    json_t *cancel = j ? json_object_get(j, "cancel-job") : NULL;
    if (cancel && !json_is_boolean(cancel)) {
        json_decref(j);
        rt_rest_reply_error(r, 400, "$.cancel-job: expected a boolean");
        return;
    }
    stop = cancel && json_is_true(cancel);
    json_decref(j);
    savepoint(api, params[0], stop, r);
}

/* POST /jobs/:id/stop: stop-with-savepoint. The body (Flink's drain/targetDirectory) is optional
 * and, when present, only has to be a JSON object. */
static void h_stop(const rt_rest_api *api, const rt_rest_request *req, char **params,
                   rt_rest_reply *r)
{
    bool ok;
    json_t *j = parse_object(req, r, &ok);
    if (!ok)
        return;
    json_decref(j);
    savepoint(api, params[0], true, r);
}

/* ---- the table ---------------------------------------------------------------------------- */

typedef struct route {
    const char *pattern; /* segments; ":x" is a parameter (a job or trigger id) */
    const char *method;
    handler_fn fn;
} route;

static const route routes[] = {
    {"/healthz", "GET", h_healthz},
    {"/metrics", "GET", h_metrics},
    {"/jobs", "GET", h_list},
    {"/jobs", "POST", h_submit},
    {"/jobs/overview", "GET", h_overview},
    {"/jobs/:id", "GET", h_job},
    {"/jobs/:id", "PATCH", h_cancel},
    {"/jobs/:id", "DELETE", h_forget},
    {"/jobs/:id/checkpoints", "GET", h_checkpoints},
    {"/jobs/:id/metrics", "GET", h_job_metrics},
    {"/jobs/:id/savepoints", "POST", h_savepoint},
    {"/jobs/:id/stop", "POST", h_stop},
    {"/jobs/:id/savepoints/:trigger", "GET", h_trigger},
};
#define ROUTE_COUNT (sizeof routes / sizeof routes[0])

/* Splits a path copy in place at '/', skipping empty segments (so "/jobs/" is "/jobs"). Returns
 * the count, or MAX_SEGS + 1 when there are more segments than any route has. */
static int split(char *p, char **segs)
{
    int n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(p, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
        if (n == MAX_SEGS)
            return MAX_SEGS + 1;
        segs[n++] = tok;
    }
    return n;
}

/* Matches a pattern against segments; fills params and returns the number of parameters, or -1. */
static int match(const char *pattern, char **segs, int nsegs, char **params)
{
    char pat[64];
    snprintf(pat, sizeof pat, "%s", pattern);
    char *ps[MAX_SEGS];
    int np = split(pat, ps);
    if (np != nsegs)
        return -1;
    int nparams = 0;
    for (int i = 0; i < np; i++) {
        if (ps[i][0] == ':')
            params[nparams++] = segs[i];
        else if (strcmp(ps[i], segs[i]) != 0)
            return -1;
    }
    return nparams;
}

void rt_rest_routes_handle(const rt_rest_api *api, const rt_rest_request *req, rt_rest_reply *r)
{
    const char *path = req->path && req->path[0] ? req->path : "/";
    size_t plen = strlen(path);
    char *copy = malloc(plen + 1);
    RT_ASSERT(copy);
    memcpy(copy, path, plen + 1);
    char *segs[MAX_SEGS];
    int nsegs = split(copy, segs);

    /* The most specific pattern wins ("/jobs/overview" over "/jobs/:id"): the fewest parameters
     * among the patterns that match; the method then picks the route or makes a 405. */
    int best = -1;
    char *params[MAX_SEGS];
    for (size_t i = 0; nsegs <= MAX_SEGS && i < ROUTE_COUNT; i++) {
        int np = match(routes[i].pattern, segs, nsegs, params);
        if (np >= 0 && (best < 0 || np < best))
            best = np;
    }
    const route *found = NULL;
    r->allow[0] = '\0';
    for (size_t i = 0; best >= 0 && i < ROUTE_COUNT; i++) {
        if (match(routes[i].pattern, segs, nsegs, params) != best)
            continue;
        if (strcmp(routes[i].method, req->method) == 0) {
            found = &routes[i];
            break;
        }
        size_t al = strlen(r->allow);
        snprintf(r->allow + al, sizeof r->allow - al, "%s%s", al ? ", " : "", routes[i].method);
    }

    char msg[ECHO_MAX + 160];
    if (!found && best < 0) {
        snprintf(msg, sizeof msg, "not found: %s %.*s", req->method, ECHO_MAX, path);
        rt_rest_reply_error(r, 404, msg);
    } else if (!found) {
        snprintf(msg, sizeof msg, "method %s not allowed on %.*s (allowed: %s)", req->method,
                 ECHO_MAX, path, r->allow);
        rt_rest_reply_error(r, 405, msg);
    } else if (best > 0 && !is_id(params[0])) {
        r->allow[0] = '\0';
        reply_no_job(r, "job", params[0]);
    } else {
        r->allow[0] = '\0';
        found->fn(api, req, params, r);
    }
    free(copy);
}
