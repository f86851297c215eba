/* One HTTP exchange with a StarRocks FE or BE (libcurl stays inside sr_http.c): Basic auth that
 * follows a 307 to another host, a body from memory that is re-sent after the redirect,
 * Expect: 100-continue, timeouts, a bounded reply, and curl's errors mapped to ours. Used by
 * stream_load.c only. */
#ifndef SLUICE_OPERATORS_STARROCKS_SR_HTTP_H
#define SLUICE_OPERATORS_STARROCKS_SR_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/base/buf.h"
#include "runtime/base/errors.h"

/* Everything borrowed for the call. */
typedef struct op_sr_http_request {
    const char *method;         /* "GET", "PUT", "POST" */
    const char *url;            /* absolute http:// or https:// URL */
    const char *user;           /* NULL: no Authorization header */
    const char *password;       /* NULL: empty */
    const char *const *headers; /* "name: value" lines */
    size_t header_count;
    const void *body; /* PUT/POST body (may be NULL with body_size 0) */
    size_t body_size;
    bool expect_continue;       /* send Expect: 100-continue (else none) */
    bool follow_redirects;      /* follow 307 (Authorization re-sent, fresh connection) */
    int64_t connect_timeout_ms; /* > 0 */
    int64_t socket_timeout_ms;  /* no progress for this long fails; 0: none */
    int64_t request_timeout_ms; /* whole exchange; 0: none */
    size_t max_reply_size;      /* reply bytes kept; the rest is read and dropped. 0: 1 MiB */
} op_sr_http_request;

/* Performs the exchange; appends the reply body to *body (caller-initialised) and sets *status.
 * Returns 0 when an HTTP response arrived (whatever its status), else: RT_EUNAVAIL (refused,
 * unresolvable, connection dropped, protocol error), RT_ETIMEDOUT, RT_EINVAL (bad URL),
 * RT_ENOMEM; *connected then says whether a connection to the final hop was ever made: false
 * means nothing reached a server that acts on the request, so it is safe to send it elsewhere.
 * The message names method, host and path and never the password. Any thread. */
int op_sr_http_perform(const op_sr_http_request *rq, long *status, rt_buf *body, bool *connected,
                       rt_err *err);

/* "host:port", "http://host:port" or "https://host:port/" → "http://host:port" (scheme kept, no
 * trailing '/') in *out (free with free()). RT_EINVAL for another scheme, a path, a query,
 * user info or white space. Pure. */
int op_sr_http_base_url(const char *in, char **out, rt_err *err);
/* Checks a header to be sent: name an RFC 9110 token, value present and without CR or LF (no
 * header injection). 0 or RT_EINVAL naming the header. Pure. */
int op_sr_http_check_header(const char *name, const char *value, rt_err *err);
/* Appends s percent-encoded for a URL path segment or query value (RFC 3986: everything but
 * unreserved characters as %XX). */
void op_sr_http_append_escaped(rt_buf *b, const char *s);
/* The first max_lines lines of text[len] without the final line break, as a new NUL-terminated
 * string (free with free()). Never NULL. */
char *op_sr_http_first_lines(const char *text, size_t len, size_t max_lines);

#endif
