/* The web console's API (POST /console/...): test a MySQL source and a StarRocks target, list
 * source tables with their shard groups, preview / create tables / deploy a generated sync job.
 * These talk to MySQL and StarRocks and may block for seconds, so each request runs on a worker
 * thread of its own (at most max_inflight at once) and hands its reply back through a callback.
 * Passwords come in request bodies and appear in no reply and no log line. */
#ifndef SLUICE_RUNTIME_REST_CONSOLE_ROUTES_H
#define SLUICE_RUNTIME_REST_CONSOLE_ROUTES_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/base/errors.h"
#include "runtime/daemon/job_manager.h"
#include "runtime/rest/rest_routes.h"

#define RT_CONSOLE_DEFAULT_INFLIGHT 8

typedef struct rt_console rt_console;

/* Called once per started request, on its worker thread, with the reply (heap; the callee takes
 * ownership: rt_rest_reply_fini then free). */
typedef void (*rt_console_done_fn)(void *arg, rt_rest_reply *r);

/* A console over m (borrowed; must outlive it). max_inflight 0: RT_CONSOLE_DEFAULT_INFLIGHT.
 * *out: free with rt_console_free. */
int rt_console_new(rt_job_manager *m, size_t max_inflight, rt_console **out, rt_err *err);
/* Waits for every running request (their done callbacks have returned), then frees c. NULL:
 * no-op. */
void rt_console_free(rt_console *c);

/* True for "/console" and the paths under it. */
bool rt_console_is_path(const char *path);

/* Copies req and answers it on a new worker thread, calling done(arg, reply) there. RT_EBUSY
 * when max_inflight requests run already (the caller answers 429), RT_EINTERNAL when no thread
 * can be made. Any thread. */
int rt_console_start(rt_console *c, const rt_rest_request *req, rt_console_done_fn done, void *arg,
                     rt_err *err);

/* Answers one request on the calling thread (blocks on the servers): the routes, 404 and 405
 * included. For tests and the workers. */
void rt_console_handle(rt_console *c, const rt_rest_request *req, rt_rest_reply *r);

#endif
