/* sink_config: the config table of the starrocks sink, its cross-field validation, and the
 * helpers that turn it into what the sink uses (query host/port, resolved password, flush
 * limits, extra Stream Load headers). Messages name JSON paths and never quote a password. */
#ifndef SLUICE_OPERATORS_STARROCKS_SINK_CONFIG_H
#define SLUICE_OPERATORS_STARROCKS_SINK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/base/config.h"

typedef enum op_sr_semantic {
    OP_SR_EXACTLY_ONCE = 0,  /* transactions prepared at checkpoints, committed on completion */
    OP_SR_AT_LEAST_ONCE = 1, /* a plain Stream Load per flush */
} op_sr_semantic;

/* "exactly-once", "at-least-once". */
const char *op_sr_semantic_name(op_sr_semantic s);

/* Filled by rt_config_apply with op_sr_sink_config_fields. Owned members freed by
 * rt_config_free. */
typedef struct op_sr_sink_config {
    rt_strlist load_url; /* FE HTTP "host:port" */
    char *query_url;     /* FE MySQL port: "host:port", "mysql://host:port", "jdbc:mysql://.." */
    char *user;
    char *password; /* secret */
    char *password_env;
    char *password_file;
    char *database;
    char *table;  /* NULL: each record's own table name */
    int semantic; /* op_sr_semantic */
    char *label_prefix;
    int format;  /* op_sr_format */
    char *flush; /* JSON object {rows, bytes, interval}; see op_sr_flush */
    bool append_changes;
    int64_t connect_timeout_ms;
    int64_t socket_timeout_ms;
    int64_t txn_timeout_ms;      /* begin's `timeout`: begin -> PREPARED */
    int64_t prepared_timeout_ms; /* prepare's `prepared_timeout`; 0: not sent */
    int64_t max_retries;
    double max_filter_ratio;
    char *properties;        /* JSON object of extra Stream Load headers (strings) */
    char *schema_change;     /* JSON object {behavior, overrides, timeout}; see sink_schema.h */
    char *create_properties; /* JSON object: PROPERTIES of tables the sink creates */
    int64_t create_buckets;  /* BUCKETS of tables the sink creates; 0: StarRocks chooses */
} op_sr_sink_config;

extern const rt_config_field op_sr_sink_config_fields[];

/* The flush thresholds (the `flush` object). */
typedef struct op_sr_flush {
    int64_t rows;        /* buffered rows of one table that trigger a send */
    uint64_t bytes;      /* buffered bytes of one table that trigger a send */
    int64_t interval_ms; /* at-least-once: the longest a row waits */
} op_sr_flush;

/* Reads c->flush (defaults for absent keys). path names the config object. RT_EINVAL naming
 * "$...flush.key". */
int op_sr_sink_config_flush(const op_sr_sink_config *c, const char *path, op_sr_flush *out,
                            rt_err *err);

/* The graph validator's hook: every check above plus exactly one password source, a parsable
 * query_url, valid load_urls, a label_prefix of [-\w], properties an object of strings that are
 * not headers the sink sets itself. No I/O. */
int op_sr_sink_config_validate(const void *cfg, const char *path, rt_err *err);

/* create_properties as pairs, like op_sr_sink_config_headers (default: replication_num 1). */
int op_sr_sink_config_create_properties(const op_sr_sink_config *c, const char *path, char ***names,
                                        char ***values, size_t *count, rt_err *err);

/* Splits query_url into host (a new string: free()) and port (default 9030). */
int op_sr_sink_config_query_addr(const op_sr_sink_config *c, const char *path, char **host,
                                 int *port, rt_err *err);

/* Resolves the password (password, password_env or password_file; none: ""). *out: free with
 * op_sr_sink_config_password_free. */
int op_sr_sink_config_password(const op_sr_sink_config *c, const char *path, char **out,
                               rt_err *err);
void op_sr_sink_config_password_free(char *password);

/* The properties as header pairs: names[i] / values[i], *count of them, in one allocation
 * (free *names with free(); values point into it). */
int op_sr_sink_config_headers(const op_sr_sink_config *c, const char *path, char ***names,
                              char ***values, size_t *count, rt_err *err);

#endif
