/* The REST server of sluiced: libevent's HTTP server on one event loop, with bearer-token auth,
 * request limits, an access log and its own request metrics, dispatching to rest_routes.
 * SIGTERM/SIGINT stop it and SIGHUP reopens the log file when it owns the signals.
 * libevent 2.1 answers a few requests itself, before our handler sees them, with a short HTML
 * body: a body over max_body (413), headers over 16 KiB, a malformed request line (400) and the
 * methods no route uses (HEAD, OPTIONS...: 405). Those are not in the access log or metrics. */
#ifndef SLUICE_RUNTIME_REST_REST_SERVER_H
#define SLUICE_RUNTIME_REST_REST_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/base/errors.h"
#include "runtime/daemon/job_manager.h"

#define RT_REST_DEFAULT_LISTEN "127.0.0.1:8081"
#define RT_REST_DEFAULT_MAX_BODY ((size_t)1 << 20)

typedef struct rt_rest_server rt_rest_server;

typedef struct rt_rest_server_options {
    const char *listen;  /* "HOST:PORT" or "[V6]:PORT"; NULL: RT_REST_DEFAULT_LISTEN; port 0 picks
                          * a free port (rt_rest_server_port tells which) */
    const char *token;   /* bearer token every route but GET /healthz needs; NULL: none (then
                          * only a loopback address may be listened on); copied */
    size_t max_body;     /* request bodies above are refused with 413; 0: 1 MiB */
    bool handle_signals; /* SIGTERM/SIGINT end rt_rest_server_run, SIGHUP calls rt_log_reopen */
    const char *web_dir; /* the web console's files (GET /, GET /web/...; no token needed);
                          * NULL: none (GET / is a 404 that says so); copied */
    size_t max_console;  /* console requests running at once (0: 8); beyond them 429 */
} rt_rest_server_options;

/* Splits "HOST:PORT" / "[V6]:PORT" into host (brackets removed) and port (0..65535).
 * RT_EINVAL with the reason otherwise. */
int rt_rest_listen_parse(const char *listen, char *host, size_t host_size, int *port, rt_err *err);
/* True for localhost, ::1 and 127.0.0.0/8: addresses only this machine can reach. */
bool rt_rest_host_is_loopback(const char *host);
/* The security rule: a listen address other than loopback needs a token. RT_EINVAL ("listening
 * on 0.0.0.0 requires --token-file") or a parse error otherwise. */
int rt_rest_listen_check(const char *listen, bool has_token, rt_err *err);

/* Creates the event loop and the HTTP server and binds the listen address (checked with
 * rt_rest_listen_check first). m is borrowed and must outlive the server. RT_EINVAL for a bad
 * option, RT_EIO when the address cannot be bound. *out: free with rt_rest_server_close. */
int rt_rest_server_open(const rt_rest_server_options *opts, rt_job_manager *m, rt_rest_server **out,
                        rt_err *err);
/* The bound port (the real one when the option said 0). */
int rt_rest_server_port(const rt_rest_server *s);
/* The host as given ("127.0.0.1"). Borrowed. */
const char *rt_rest_server_host(const rt_rest_server *s);
/* Serves requests on the calling thread until rt_rest_server_stop or a stop signal. Returns 0, or
 * RT_EINTERNAL when the event loop fails. */
int rt_rest_server_run(rt_rest_server *s, rt_err *err);
/* Makes rt_rest_server_run return soon. Any thread. */
void rt_rest_server_stop(rt_rest_server *s);
/* Requests served so far (all status codes). Any thread. */
unsigned long rt_rest_server_requests(rt_rest_server *s);
/* Closes the listener and every connection and frees s; run must have returned. NULL: no-op. */
void rt_rest_server_close(rt_rest_server *s);

#endif
