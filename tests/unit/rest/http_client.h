/* A small blocking HTTP client for the REST tests (libcurl underneath). */
#ifndef SLUICE_TESTS_UNIT_REST_HTTP_CLIENT_H
#define SLUICE_TESTS_UNIT_REST_HTTP_CLIENT_H

#include <stddef.h>

typedef struct http_resp {
    long status; /* 0 when the request failed at the transport */
    char *body;  /* malloc'd, NUL-terminated */
    size_t body_len;
    char content_type[128];
    char allow[128];
} http_resp;

/* Sends method to http://127.0.0.1:port path with body (may be NULL) and, when token is set,
 * "Authorization: Bearer token". Returns resp.status. */
long http_do(int port, const char *method, const char *path, const char *body, size_t body_len,
             const char *token, http_resp *resp);
void http_resp_fini(http_resp *r);

#endif
