/* sr_sql: sr-endpoint's MySQL-protocol port (StarRocks' FE query port, 9030): a server on a
 * libevent loop that logs clients in and runs the endpoint's SQL against an sr_store. A test
 * double of StarRocks' FE, never StarRocks. */
#ifndef SLUICE_TESTS_SR_ENDPOINT_SR_SQL_H
#define SLUICE_TESTS_SR_ENDPOINT_SR_SQL_H

#include "runtime/base/errors.h"
#include "tests/sr_endpoint/sr_store.h"

struct event_base;

/* The server version the port announces (StarRocks' FE reports a MySQL 8.0.33 / 5.1.0 one). */
#define SR_SQL_SERVER_VERSION "8.0.33-sr-endpoint"

typedef struct sr_sql_server sr_sql_server;

/* Starts the MySQL port on host:port (0 = ephemeral) on base; sessions run on base's loop and
 * never block it for long (every statement is a store call). Only `user` with `password` ("" =
 * none) may log in. store is borrowed and must outlive the server. Strings are copied.
 * Returns 0 and *out (free with sr_sql_server_free), or RT_EIO / RT_EINVAL naming the address.
 * Call on the loop thread or before the loop runs. */
int sr_sql_server_new(struct event_base *base, sr_store *store, const char *host, int port,
                      const char *user, const char *password, sr_sql_server **out, rt_err *err);
/* The bound TCP port. */
int sr_sql_server_port(const sr_sql_server *srv);
/* Closes the port and its sessions. NULL is a no-op. Loop thread (or after the loop stopped),
 * before base is freed. */
void sr_sql_server_free(sr_sql_server *srv);

/* sr_sql_server_new for a program whose port lives until exit: *bound_port gets the real port.
 * The server is never freed (the process's exit closes it); use sr_sql_server_new/_free where
 * everything must be freed (tests, LeakSanitizer-clean shutdown). */
int sr_sql_listen(struct event_base *base, sr_store *store, const char *host, int port,
                  const char *user, const char *password, int *bound_port, rt_err *err);

#endif
