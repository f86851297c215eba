/* sr_http: sr-endpoint's FE and BE HTTP ports (a StarRocks test double): Basic auth, Stream Load
 * with the FE's 307 redirect, the transaction interface, get_load_state, _cancel, error logs,
 * fault injection (POST/DELETE /_fault), the DDL audit log (GET /_ddl) and a test-only admin API
 * on the FE port (POST /_admin/create_table, GET /_admin/rows). Runs on one event loop thread. */
#ifndef SLUICE_TESTS_SR_ENDPOINT_SR_HTTP_H
#define SLUICE_TESTS_SR_ENDPOINT_SR_HTTP_H

#include <stdbool.h>

#include "runtime/base/errors.h"
#include "tests/sr_endpoint/sr_store.h"

struct event_base;

typedef struct sr_http_config {
    const char *host;     /* "127.0.0.1" */
    int fe_port;          /* 0 = ephemeral */
    int be_port;          /* 0 = ephemeral */
    const char *user;     /* Basic auth user */
    const char *password; /* may be "" */
    bool discard;         /* parse and count loads, drop the rows */
    int txn_check_ms;     /* period of the timeout checker (StarRocks: 30 s) */
    const char *faults;   /* NULL or a JSON array of fault rules (SR_ENDPOINT_FAULTS) */
} sr_http_config;

typedef struct sr_http sr_http;

/* Binds both ports on base and serves them. store is borrowed (must outlive the server); the
 * config's strings are copied. Returns 0 and *out (free with sr_http_free), or RT_EIO/RT_EINVAL. */
int sr_http_start(struct event_base *base, sr_store *store, const sr_http_config *cfg,
                  sr_http **out, rt_err *err);
int sr_http_fe_port(const sr_http *h);
int sr_http_be_port(const sr_http *h);
void sr_http_free(sr_http *h);

#endif
