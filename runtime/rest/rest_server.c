/* The REST server on libevent 2.1's evhttp: one event loop thread, bearer-token auth, body and
 * header limits, the access log and the server's own request metrics. Routing and status codes
 * live in rest_routes.c. Handlers never block: the job manager's calls return at once, and the
 * console's calls (which wait on MySQL and StarRocks) run on worker threads that hand their reply
 * back to the loop with event_base_once. The console's static files need no token. */
#include "runtime/rest/rest_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/thread.h>

#include "runtime/base/buf.h"
#include "runtime/base/clock.h"
#include "runtime/base/log.h"
#include "runtime/rest/console_routes.h"
#include "runtime/rest/rest_routes.h"
#include "runtime/rest/static_files.h"

/* Request line plus headers. Our clients send a handful of short headers; 16 KiB leaves room for
 * long tokens and proxies while keeping one connection's buffering small. */
#define MAX_HEADERS_SIZE (16 * 1024)
/* A connection idle (or trickling a request) this long is closed. libevent 2.1 has no cap on
 * concurrent connections (evhttp_set_max_connections came in 2.2): the process's RLIMIT_NOFILE
 * bounds them, and this timeout keeps idle ones from piling up. */
#define IO_TIMEOUT_S 30
#define MAX_CODES 32

typedef struct code_count {
    int code;
    unsigned long n;
} code_count;

struct rt_rest_server {
    struct event_base *base;
    struct evhttp *http;
    struct event *sig_term, *sig_int, *sig_hup;
    struct event *stop_ev; /* activated by rt_rest_server_stop; breaks the loop */
    rt_job_manager *manager;
    rt_rest_api api;
    rt_console *console;
    char *web_dir; /* NULL: none */
    char host[256];
    int port;
    char *token; /* NULL: no auth */
    size_t token_len;
    size_t max_body;

    /* Request metrics: written on the loop thread, read by rt_rest_server_requests anywhere. */
    pthread_mutex_t mu;
    code_count codes[MAX_CODES];
    size_t ncodes;
    unsigned long requests;
    int64_t duration_ns;
};

/* ---- listen address ----------------------------------------------------------------------- */

int rt_rest_listen_parse(const char *listen, char *host, size_t host_size, int *port, rt_err *err)
{
    if (!listen || !*listen)
        return rt_err_set(err, RT_EINVAL, "listen address is empty");
    const char *h = listen, *colon;
    size_t hlen;
    if (*listen == '[') {
        const char *close = strchr(listen, ']');
        if (!close || close[1] != ':')
            return rt_err_set(err, RT_EINVAL, "listen address '%s': expected [V6]:PORT", listen);
        h = listen + 1;
        hlen = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = strrchr(listen, ':');
        if (!colon)
            return rt_err_set(err, RT_EINVAL, "listen address '%s': expected HOST:PORT", listen);
        hlen = (size_t)(colon - listen);
        if (memchr(listen, ':', hlen))
            return rt_err_set(err, RT_EINVAL, "listen address '%s': write IPv6 as [V6]:PORT",
                              listen);
    }
    if (hlen == 0 || hlen >= host_size)
        return rt_err_set(err, RT_EINVAL, "listen address '%s': bad host", listen);
    char *end;
    const char *ps = colon + 1;
    long p = strtol(ps, &end, 10);
    if (!*ps || *end || p < 0 || p > 65535)
        return rt_err_set(err, RT_EINVAL, "listen address '%s': port must be 0..65535", listen);
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    *port = (int)p;
    return 0;
}

bool rt_rest_host_is_loopback(const char *host)
{
    if (strcasecmp(host, "localhost") == 0)
        return true;
    struct in_addr a4;
    if (inet_pton(AF_INET, host, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    struct in6_addr a6;
    if (inet_pton(AF_INET6, host, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&a6);
    return false;
}

int rt_rest_listen_check(const char *listen, bool has_token, rt_err *err)
{
    char host[256];
    int port;
    int rc = rt_rest_listen_parse(listen, host, sizeof host, &port, err);
    if (rc)
        return rc;
    if (!has_token && !rt_rest_host_is_loopback(host))
        return rt_err_set(err, RT_EINVAL,
                          "listening on %s requires --token-file (anyone who can reach the port "
                          "could submit and cancel jobs)",
                          host);
    return 0;
}

/* ---- request metrics ---------------------------------------------------------------------- */

static void count_request(rt_rest_server *s, int code, int64_t ns)
{
    pthread_mutex_lock(&s->mu);
    s->requests++;
    s->duration_ns += ns;
    size_t i = 0;
    while (i < s->ncodes && s->codes[i].code != code)
        i++;
    if (i == s->ncodes && s->ncodes < MAX_CODES)
        s->codes[s->ncodes++].code = code;
    if (i < s->ncodes)
        s->codes[i].n++;
    pthread_mutex_unlock(&s->mu);
}

static void append_metrics(void *arg, rt_buf *out)
{
    rt_rest_server *s = arg;
    pthread_mutex_lock(&s->mu);
    rt_buf_append_str(out, "# HELP sluiced_http_requests_total HTTP requests answered by the REST "
                           "API, by status code.\n"
                           "# TYPE sluiced_http_requests_total counter\n");
    for (size_t i = 0; i < s->ncodes; i++)
        rt_buf_appendf(out, "sluiced_http_requests_total{code=\"%d\"} %lu\n", s->codes[i].code,
                       s->codes[i].n);
    rt_buf_appendf(out,
                   "# HELP sluiced_http_request_duration_seconds Time spent handling REST "
                   "requests.\n"
                   "# TYPE sluiced_http_request_duration_seconds summary\n"
                   "sluiced_http_request_duration_seconds_sum %.6f\n"
                   "sluiced_http_request_duration_seconds_count %lu\n",
                   (double)s->duration_ns / 1e9, s->requests);
    pthread_mutex_unlock(&s->mu);
}

unsigned long rt_rest_server_requests(rt_rest_server *s)
{
    pthread_mutex_lock(&s->mu);
    unsigned long n = s->requests;
    pthread_mutex_unlock(&s->mu);
    return n;
}

/* ---- requests ----------------------------------------------------------------------------- */

static const char *method_name(enum evhttp_cmd_type cmd)
{
    switch (cmd) {
    case EVHTTP_REQ_GET:
        return "GET";
    case EVHTTP_REQ_POST:
        return "POST";
    case EVHTTP_REQ_PUT:
        return "PUT";
    case EVHTTP_REQ_DELETE:
        return "DELETE";
    case EVHTTP_REQ_PATCH:
        return "PATCH";
    default:
        return "?";
    }
}

static const char *reason_phrase(int code)
{
    switch (code) {
    case 200:
        return "OK";
    case 202:
        return "Accepted";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 413:
        return "Payload Too Large";
    case 429:
        return "Too Many Requests";
    case 503:
        return "Service Unavailable";
    default:
        return code < 400 ? "OK" : "Error";
    }
}

/* Compares the presented token with ours in time that depends only on the presented length, so
 * the reply time does not reveal how many leading bytes were right. */
static bool token_matches(const rt_rest_server *s, const char *given)
{
    size_t n = strlen(given);
    unsigned char diff = (unsigned char)(n != s->token_len);
    for (size_t i = 0; i < n; i++)
        diff |= (unsigned char)given[i] ^ (unsigned char)s->token[i % s->token_len];
    return diff == 0;
}

static bool authorized(const rt_rest_server *s, struct evhttp_request *req)
{
    const char *a = evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
    if (!a || strncasecmp(a, "Bearer ", 7) != 0)
        return false;
    a += 7;
    while (*a == ' ')
        a++;
    return token_matches(s, a);
}

static bool is_healthz(const char *method, const char *path)
{
    return strcmp(method, "GET") == 0 &&
           (strcmp(path, "/healthz") == 0 || strcmp(path, "/healthz/") == 0);
}

static void send_reply(struct evhttp_request *req, const rt_rest_reply *r)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Content-Type", r->content_type);
    evhttp_add_header(h, "Cache-Control", r->cache_control ? r->cache_control : "no-store");
    if (r->status == 405 && r->allow[0])
        evhttp_add_header(h, "Allow", r->allow);
    if (r->status == 401)
        evhttp_add_header(h, "WWW-Authenticate", "Bearer");
    /* Every answer is data for the console's scripts, never a page of its own to sniff or frame;
     * the console's pages may run only their own scripts and talk only to this origin. */
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    if (r->raw)
        evhttp_add_header(h, "Content-Security-Policy",
                          "default-src 'self'; script-src 'self'; connect-src 'self'; "
                          "img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                          "frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    struct evbuffer *b = evbuffer_new();
    RT_ASSERT(b);
    evbuffer_add(b, r->body.data ? r->body.data : "", r->body.len);
    if (!r->raw)
        evbuffer_add(b, "\n", 1);
    evhttp_send_reply(req, r->status, reason_phrase(r->status), b);
    evbuffer_free(b);
}

/* One console request between its worker thread and the loop thread. */
typedef struct console_call {
    rt_rest_server *s;
    struct evhttp_request *req;
    int64_t t0;
    const char *method;
    char path[256];
    rt_rest_reply *reply;
} console_call;

static void finish(rt_rest_server *s, struct evhttp_request *req, const char *method,
                   const char *path, rt_rest_reply *r, int64_t t0)
{
    send_reply(req, r);
    int64_t ns = rt_clock_mono_ns() - t0;
    count_request(s, r->status, ns);
    /* The path only: never the body, the query or the Authorization header. */
    LOG_DEBUG("http: %s %.200s %d %lldus", method, path, r->status, (long long)(ns / 1000));
}

/* On the loop thread: evhttp is not thread-safe, so only this thread replies. A client that hung
 * up meanwhile is handled by libevent (the reply to a closed connection frees the request). */
static void console_reply(evutil_socket_t fd, short what, void *arg)
{
    console_call *cc = arg;
    finish(cc->s, cc->req, cc->method, cc->path, cc->reply, cc->t0);
    rt_rest_reply_fini(cc->reply);
    free(cc->reply);
    free(cc);
}

/* On the worker thread: hands the reply to the loop. */
static void console_done(void *arg, rt_rest_reply *r)
{
    console_call *cc = arg;
    cc->reply = r;
    const struct timeval now = {0, 0};
    if (event_base_once(cc->s->base, -1, EV_TIMEOUT, console_reply, cc, &now) != 0)
        RT_ASSERT(!"event_base_once failed");
}

/* Starts a console request; false after replying to it at once (429, 500). */
static bool console_start(rt_rest_server *s, struct evhttp_request *req, const rt_rest_request *rq,
                          int64_t t0, rt_rest_reply *r)
{
    console_call *cc = calloc(1, sizeof *cc);
    RT_ASSERT(cc);
    *cc = (console_call){.s = s, .req = req, .t0 = t0, .method = rq->method};
    snprintf(cc->path, sizeof cc->path, "%s", rq->path);
    rt_err err = {0};
    int rc = rt_console_start(s->console, rq, console_done, cc, &err);
    if (rc == 0)
        return true;
    free(cc);
    rt_rest_reply_error(r, rt_rest_status_for(rc), err.msg);
    return false;
}

static void on_request(struct evhttp_request *req, void *arg)
{
    rt_rest_server *s = arg;
    int64_t t0 = rt_clock_mono_ns();
    const char *method = method_name(evhttp_request_get_command(req));
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    if (!path || !*path)
        path = "/";
    const char *query = uri ? evhttp_uri_get_query(uri) : NULL;
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t len = evbuffer_get_length(in);

    rt_rest_reply r;
    rt_rest_reply_init(&r);
    char *body = NULL;
    bool pending = false;
    if (rt_static_is_path(method, path)) {
        /* The console's files hold no secrets; the page asks for the token itself. */
        rt_static_serve(s->web_dir, path, &r);
    } else if (s->token && !is_healthz(method, path) && !authorized(s, req)) {
        rt_rest_reply_error(&r, 401, "missing or wrong bearer token");
    } else if (len > s->max_body) {
        /* A body without Content-Length (chunked) is only measured once read; libevent's own
         * limit stops the bytes beyond max_body from being buffered. */
        char msg[80];
        snprintf(msg, sizeof msg, "request body over %zu bytes", s->max_body);
        rt_rest_reply_error(&r, 413, msg);
    } else {
        body = malloc(len + 1);
        RT_ASSERT(body);
        size_t got = len ? (size_t)evbuffer_remove(in, body, len) : 0;
        body[got] = '\0';
        rt_rest_request rq = {
            .method = method, .path = path, .query = query, .body = body, .body_len = got};
        if (rt_console_is_path(path))
            pending = console_start(s, req, &rq, t0, &r);
        else
            rt_rest_routes_handle(&s->api, &rq, &r);
    }
    if (!pending)
        finish(s, req, method, path, &r, t0);
    rt_rest_reply_fini(&r);
    if (body) /* a console body may hold passwords */
        memset(body, 0, len);
    free(body);
}

/* ---- lifecycle ---------------------------------------------------------------------------- */

static void on_stop_signal(evutil_socket_t sig, short what, void *arg)
{
    rt_rest_server *s = arg;
    LOG_INFO("sluiced: %s received, stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
    event_base_loopbreak(s->base);
}

static void on_stop_event(evutil_socket_t fd, short what, void *arg)
{
    rt_rest_server *s = arg;
    event_base_loopbreak(s->base);
}

static void on_hup(evutil_socket_t sig, short what, void *arg)
{
    rt_err err = {0};
    if (rt_log_reopen(&err))
        LOG_ERROR("sluiced: SIGHUP: %s (logging to the old file)", err.msg);
    else
        LOG_INFO("sluiced: SIGHUP: log file reopened");
}

static pthread_once_t threads_once = PTHREAD_ONCE_INIT;

/* rt_rest_server_stop may come from another thread: libevent must lock its base and be able to
 * wake the loop, which it does only once its pthread support is switched on. */
static void use_threads(void)
{
    evthread_use_pthreads();
}

static int add_signal(rt_rest_server *s, struct event **ev, int sig, event_callback_fn fn,
                      rt_err *err)
{
    *ev = evsignal_new(s->base, sig, fn, s);
    if (!*ev || event_add(*ev, NULL) != 0)
        return rt_err_set(err, RT_EINTERNAL, "cannot watch signal %d", sig);
    return 0;
}

static int bind_listen(rt_rest_server *s, rt_err *err)
{
    struct evhttp_bound_socket *sock =
        evhttp_bind_socket_with_handle(s->http, s->host, (ev_uint16_t)s->port);
    if (!sock)
        return rt_err_set(err, RT_EIO, "cannot listen on %s:%d (in use, or not a local address)",
                          s->host, s->port);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(evhttp_bound_socket_get_fd(sock), (struct sockaddr *)&ss, &sl) != 0)
        return rt_err_set(err, RT_EIO, "getsockname on %s:%d failed", s->host, s->port);
    if (ss.ss_family == AF_INET6)
        s->port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    else
        s->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    return 0;
}

int rt_rest_server_open(const rt_rest_server_options *opts, rt_job_manager *m, rt_rest_server **out,
                        rt_err *err)
{
    const char *listen = opts->listen ? opts->listen : RT_REST_DEFAULT_LISTEN;
    bool has_token = opts->token && *opts->token;
    int rc = rt_rest_listen_check(listen, has_token, err);
    if (rc)
        return rc;
    pthread_once(&threads_once, use_threads);
    /* A client that hangs up mid-reply must not kill the daemon. */
    signal(SIGPIPE, SIG_IGN);

    rt_rest_server *s = calloc(1, sizeof *s);
    RT_ASSERT(s);
    pthread_mutex_init(&s->mu, NULL);
    rt_rest_listen_parse(listen, s->host, sizeof s->host, &s->port, NULL);
    s->manager = m;
    s->max_body = opts->max_body ? opts->max_body : RT_REST_DEFAULT_MAX_BODY;
    if (has_token) {
        s->token = strdup(opts->token);
        RT_ASSERT(s->token);
        s->token_len = strlen(s->token);
    }
    s->api = (rt_rest_api){.manager = m, .metrics_fn = append_metrics, .metrics_arg = s};
    if (opts->web_dir) {
        s->web_dir = strdup(opts->web_dir);
        RT_ASSERT(s->web_dir);
    }
    if ((rc = rt_console_new(m, opts->max_console, &s->console, err))) {
        rt_rest_server_close(s);
        return rc;
    }
    s->base = event_base_new();
    s->http = s->base ? evhttp_new(s->base) : NULL;
    s->stop_ev = s->base ? event_new(s->base, -1, 0, on_stop_event, s) : NULL;
    if (!s->http || !s->stop_ev) {
        rt_rest_server_close(s);
        return rt_err_set(err, RT_EINTERNAL, "cannot create the HTTP server");
    }
    /* Every method our routes use reaches on_request, so a wrong method on a known path gets our
     * JSON 405 with Allow; libevent answers the others (HEAD, OPTIONS, ...) with its own 405. */
    evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
                                            EVHTTP_REQ_DELETE | EVHTTP_REQ_PATCH);
    /* libevent stops reading a body at max_body and answers 413 itself (libevent 2.1 has no hook
     * between the headers and the body, so that reply has its HTML body, not our JSON); lingering
     * close reads the rest first, so the client sees the 413 instead of a reset connection. */
    evhttp_set_max_body_size(s->http, (ev_ssize_t)s->max_body);
    evhttp_set_max_headers_size(s->http, MAX_HEADERS_SIZE);
    evhttp_set_flags(s->http, EVHTTP_SERVER_LINGERING_CLOSE);
    evhttp_set_timeout(s->http, IO_TIMEOUT_S);
    evhttp_set_gencb(s->http, on_request, s);
    if ((rc = bind_listen(s, err)) ||
        (opts->handle_signals &&
         ((rc = add_signal(s, &s->sig_term, SIGTERM, on_stop_signal, err)) ||
          (rc = add_signal(s, &s->sig_int, SIGINT, on_stop_signal, err)) ||
          (rc = add_signal(s, &s->sig_hup, SIGHUP, on_hup, err))))) {
        rt_rest_server_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

int rt_rest_server_port(const rt_rest_server *s)
{
    return s->port;
}

const char *rt_rest_server_host(const rt_rest_server *s)
{
    return s->host;
}

int rt_rest_server_run(rt_rest_server *s, rt_err *err)
{
    if (event_base_dispatch(s->base) < 0)
        return rt_err_set(err, RT_EINTERNAL, "the REST event loop failed");
    return 0;
}

void rt_rest_server_stop(rt_rest_server *s)
{
    /* An active event, unlike event_base_loopbreak, is not forgotten when the loop has not
     * started yet: run then returns at once. */
    event_active(s->stop_ev, EV_READ, 0);
}

void rt_rest_server_close(rt_rest_server *s)
{
    if (!s)
        return;
    /* Wait for the console's workers, then deliver the replies they queued, so no call is left
     * holding memory when the loop goes. */
    rt_console_free(s->console);
    if (s->base)
        event_base_loop(s->base, EVLOOP_NONBLOCK);
    if (s->sig_term)
        event_free(s->sig_term);
    if (s->sig_int)
        event_free(s->sig_int);
    if (s->sig_hup)
        event_free(s->sig_hup);
    if (s->stop_ev)
        event_free(s->stop_ev);
    if (s->http)
        evhttp_free(s->http);
    if (s->base)
        event_base_free(s->base);
    pthread_mutex_destroy(&s->mu);
    free(s->token);
    free(s->web_dir);
    free(s);
}
