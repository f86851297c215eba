/* The REST API's routes: method + path -> a job manager call -> status code and JSON body.
 * Knows nothing of HTTP transport (rest_server.c owns sockets, auth and limits), so every route
 * can be exercised without a socket. Errors are always {"errors": ["..."]}. */
#ifndef SLUICE_RUNTIME_REST_REST_ROUTES_H
#define SLUICE_RUNTIME_REST_REST_ROUTES_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/base/buf.h"
#include "runtime/daemon/job_manager.h"

/* One request, borrowed for the call. */
typedef struct rt_rest_request {
    const char *method; /* "GET", "POST", "PATCH", "DELETE", "PUT" */
    const char *path;   /* "/jobs/abc", without the query */
    const char *query;  /* "mode=cancel", or NULL */
    const char *body;   /* NUL-terminated; may be NULL when body_len is 0 */
    size_t body_len;
} rt_rest_request;

/* Caller-allocated; init before the call, fini after the reply is sent. */
typedef struct rt_rest_reply {
    int status;
    const char *content_type;  /* static string */
    char allow[64];            /* the Allow header of a 405, else empty */
    const char *cache_control; /* static string; NULL: "no-store" */
    bool raw;                  /* the body as is (a file); else a newline follows it */
    rt_buf body;
} rt_rest_reply;

/* Appends the REST server's own Prometheus series to out (GET /metrics). */
typedef void (*rt_rest_metrics_fn)(void *arg, rt_buf *out);

typedef struct rt_rest_api {
    rt_job_manager *manager;       /* borrowed */
    rt_rest_metrics_fn metrics_fn; /* may be NULL */
    void *metrics_arg;
} rt_rest_api;

void rt_rest_reply_init(rt_rest_reply *r);
void rt_rest_reply_fini(rt_rest_reply *r);
/* Sets r to status with body {"errors": [msg]} (msg JSON-escaped). */
void rt_rest_reply_error(rt_rest_reply *r, int status, const char *msg);

/* Routes one request and fills r. Never blocks: the job manager's calls return at once by
 * contract. Any thread, but one request at a time per reply. */
void rt_rest_routes_handle(const rt_rest_api *api, const rt_rest_request *req, rt_rest_reply *r);

/* The HTTP status for a job manager error code (RT_EINVAL 400, RT_ENOTFOUND 404, RT_EEXIST and
 * RT_ESTATE 409, RT_EBUSY 429, transient codes 503, anything else 500). */
int rt_rest_status_for(int code);

#endif
