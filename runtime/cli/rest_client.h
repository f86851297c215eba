/* cli_rest_client: the sluice command's HTTP client for sluiced's REST API (one keep-alive
 * connection, JSON bodies, an optional bearer token). Single-threaded: one client per thread. */
#ifndef SLUICE_RUNTIME_CLI_REST_CLIENT_H
#define SLUICE_RUNTIME_CLI_REST_CLIENT_H

#include <stddef.h>

#include "runtime/base/buf.h"
#include "runtime/base/errors.h"

typedef struct cli_rest_client cli_rest_client;

typedef struct cli_rest_options {
    const char *url;         /* base URL, "http://127.0.0.1:8081" (a trailing '/' is ignored) */
    const char *token;       /* bearer token or NULL */
    long connect_timeout_ms; /* 0: 5000 */
    long timeout_ms;         /* whole request; 0: 30000 */
} cli_rest_options;

/* A response: the HTTP status and the body (NUL-terminated; empty when there was none).
 * Caller-allocated; release the body with cli_rest_response_fini. */
typedef struct cli_rest_response {
    long status;
    rt_buf body;
} cli_rest_response;

/* Returns a new client; the options' strings are copied. Free with cli_rest_client_free. */
int cli_rest_client_new(const cli_rest_options *opts, cli_rest_client **out, rt_err *err);
/* NULL is a no-op. */
void cli_rest_client_free(cli_rest_client *c);

/* Sends METHOD (GET, POST, PATCH, DELETE) to base URL + path ("/jobs/ID") with body (JSON, may
 * be NULL for none) and fills resp (initialised here; fini it whatever the result). Any HTTP
 * status is a success (0): the caller reads resp->status. RT_EUNAVAIL when the daemon cannot be
 * reached (refused, unknown host, connection lost), RT_ETIMEDOUT when it did not answer in time,
 * RT_EIO for any other failure (an answer over 64 MiB). */
int cli_rest_request(cli_rest_client *c, const char *method, const char *path, const char *body,
                     size_t body_len, cli_rest_response *resp, rt_err *err);

void cli_rest_response_fini(cli_rest_response *resp);

#endif
