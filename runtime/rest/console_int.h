/* Private to the web console's files (console_routes.c: dispatch, workers, preview / create-tables
 * / deploy; console_probe.c: the connection tests and the table listing): the request-body
 * helpers they share. jansson's json_t appears here only, inside the module. */
#ifndef SLUICE_RUNTIME_REST_CONSOLE_INT_H
#define SLUICE_RUNTIME_REST_CONSOLE_INT_H

#include <stdbool.h>

#include <jansson.h>

#include "operators/mysql/connection.h"
#include "runtime/rest/console_routes.h"

#define CONSOLE_JSON_TYPE "application/json; charset=utf-8"

/* A MySQL source or a StarRocks FE as a request body names it; strings borrowed from the body. */
typedef struct endpoint {
    const char *host, *user, *password, *database;
    unsigned port, http_port, query_port;
} endpoint;

/* Sets r to status with j as its body. Takes ownership of j. */
void console_reply_json(rt_rest_reply *r, int status, json_t *j);
/* 422 for what the user can fix (credentials, names, a server that is down); 500 otherwise. */
int console_status_for(int rc);
/* Replaces every occurrence of secret (3+ characters) in r's body with ***. */
void console_scrub(rt_rest_reply *r, const char *secret);
/* The string at key, or NULL. Borrowed from o. */
const char *console_get_str(json_t *o, const char *key);
/* {"host", "port", "user", "password"}; what names o in messages ("$.source"). RT_EINVAL. */
int console_parse_source(json_t *o, const char *what, endpoint *e, rt_err *err);
/* {"fe_host", "http_port", "query_port", "user", "password"[, "database" when need_db]}. */
int console_parse_target(json_t *o, const char *what, bool need_db, endpoint *e, rt_err *err);
/* Connects to the source (10 s connect timeout). Errors of op_mysql_conn_open. */
int console_open_source(const endpoint *e, op_mysql_conn **c, rt_err *err);

/* POST /console/mysql/test, /console/mysql/tables (body: the source, "patterns"), and
 * /console/starrocks/test (body: the target). Block on the servers. */
void console_mysql_test(json_t *body, const endpoint *src, rt_rest_reply *r);
void console_mysql_tables(json_t *body, const endpoint *src, rt_rest_reply *r);
void console_starrocks_test(json_t *body, rt_rest_reply *r);

#endif
