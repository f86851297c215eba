/* The connection and table-selection keys of the mysql_cdc source's config table: the struct
 * they fill, the rows (to embed in the operator's own table), the cross-field validation, and
 * the helpers that turn them into connection parameters, a resolved password, server ids and a
 * table filter. */
#ifndef SLUICE_OPERATORS_MYSQL_SOURCE_CONFIG_H
#define SLUICE_OPERATORS_MYSQL_SOURCE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "operators/mysql/connection.h"
#include "operators/mysql/table_filter.h"
#include "runtime/base/config.h"

/* Filled by rt_config_apply with the rows below. Owned members are freed by rt_config_free. */
typedef struct op_mysql_source_config {
    char *host;
    int64_t port;
    char *user;
    char *password; /* secret: "***" in rt_config_format */
    char *password_env;
    char *password_file;
    int ssl_mode; /* op_mysql_ssl_mode */
    char *ssl_ca;
    char *ssl_cert;
    char *ssl_key;
    int64_t connect_timeout_ms;
    char *server_time_zone;
    char *server_id; /* JSON text: 5400 or "5400-5408"; NULL when absent */
    rt_strlist tables;
    rt_strlist exclude_tables;
    char *columns;          /* JSON text: {"db\\.table regex": ["col", ...]}; NULL when absent */
    int64_t chunk_size;     /* rows per snapshot chunk */
    char *chunk_key_column; /* JSON text: {"db\\.table regex": "col"}; NULL when absent */
} op_mysql_source_config;

/* The rows, with offsets `base` + the member's offset in op_mysql_source_config. An operator
 * whose config struct holds an op_mysql_source_config at member `conn` lists them first in its
 * own static table:
 *
 *     static const rt_config_field cdc_fields[] = {
 *         OP_MYSQL_SOURCE_CONFIG_FIELDS(offsetof(cdc_config, conn)),
 *         {.key = "startup", ...},
 *         {0},
 *     };
 *
 * A macro rather than a function because config tables are static arrays (no start-up code, no
 * global state) and C has no other way to splice rows into one. */
/* clang-format off */
#define OP_MYSQL_SOURCE_CONFIG_FIELDS(base)                                                        \
    {.key = "host", .type = RT_CFG_STRING, .def = "\"127.0.0.1\"",                                 \
     .offset = (base) + offsetof(op_mysql_source_config, host),                                    \
     .help = "MySQL/MariaDB server host name or address"},                                         \
    {.key = "port", .type = RT_CFG_INT, .def = "3306",                                             \
     .offset = (base) + offsetof(op_mysql_source_config, port),                                    \
     .flags = RT_CFG_RANGE, .min = 1, .max = 65535,                                                \
     .help = "server TCP port"},                                                                   \
    {.key = "user", .type = RT_CFG_STRING,                                                         \
     .offset = (base) + offsetof(op_mysql_source_config, user),                                    \
     .flags = RT_CFG_REQUIRED,                                                                     \
     .help = "user with SELECT, REPLICATION SLAVE and BINLOG MONITOR/REPLICATION CLIENT"},         \
    {.key = "password", .type = RT_CFG_STRING,                                                     \
     .offset = (base) + offsetof(op_mysql_source_config, password),                                \
     .flags = RT_CFG_SECRET,                                                                       \
     .help = "the password (or password_env / password_file: exactly one of the three)"},          \
    {.key = "password_env", .type = RT_CFG_STRING,                                                 \
     .offset = (base) + offsetof(op_mysql_source_config, password_env),                            \
     .help = "name of the environment variable that holds the password"},                          \
    {.key = "password_file", .type = RT_CFG_STRING,                                                \
     .offset = (base) + offsetof(op_mysql_source_config, password_file),                           \
     .help = "file whose first line is the password"},                                             \
    {.key = "ssl_mode", .type = RT_CFG_ENUM, .def = "\"preferred\"",                               \
     .offset = (base) + offsetof(op_mysql_source_config, ssl_mode),                                \
     .choices = op_mysql_ssl_mode_choices,                                                         \
     .help = "disabled, preferred, required, verify_ca or verify_identity"},                       \
    {.key = "ssl_ca", .type = RT_CFG_STRING,                                                       \
     .offset = (base) + offsetof(op_mysql_source_config, ssl_ca),                                  \
     .help = "PEM file of the CA that signed the server certificate"},                             \
    {.key = "ssl_cert", .type = RT_CFG_STRING,                                                     \
     .offset = (base) + offsetof(op_mysql_source_config, ssl_cert),                                \
     .help = "client certificate (PEM), with ssl_key"},                                            \
    {.key = "ssl_key", .type = RT_CFG_STRING,                                                      \
     .offset = (base) + offsetof(op_mysql_source_config, ssl_key),                                 \
     .help = "client private key (PEM), with ssl_cert"},                                           \
    {.key = "connect_timeout", .type = RT_CFG_DURATION, .def = "\"30s\"",                          \
     .offset = (base) + offsetof(op_mysql_source_config, connect_timeout_ms),                      \
     .flags = RT_CFG_RANGE, .min = 1, .max = 3600000,                                              \
     .help = "how long to wait for the server to accept a connection"},                            \
    {.key = "server_time_zone", .type = RT_CFG_STRING, .def = "\"UTC\"",                           \
     .offset = (base) + offsetof(op_mysql_source_config, server_time_zone),                        \
     .help = "time zone of the server's TIMESTAMP values: UTC, +08:00, Asia/Shanghai"},            \
    {.key = "server_id", .type = RT_CFG_JSON,                                                      \
     .offset = (base) + offsetof(op_mysql_source_config, server_id),                               \
     .help = "replica server id, unique on the server: 5400, or \"5400-5408\" for readers"},       \
    {.key = "tables", .type = RT_CFG_STRLIST,                                                      \
     .offset = (base) + offsetof(op_mysql_source_config, tables),                                  \
     .flags = RT_CFG_REQUIRED,                                                                     \
     .help = "regular expressions matching whole \"db.table\" names: shop\\\\.orders"},            \
    {.key = "exclude_tables", .type = RT_CFG_STRLIST,                                              \
     .offset = (base) + offsetof(op_mysql_source_config, exclude_tables),                          \
     .help = "regular expressions of \"db.table\" names to leave out"},                            \
    {.key = "columns", .type = RT_CFG_JSON,                                                        \
     .offset = (base) + offsetof(op_mysql_source_config, columns),                                 \
     .help = "{\"db\\\\.table regex\": [\"col\", ...]}: read only these columns"},                 \
    {.key = "chunk_size", .type = RT_CFG_INT, .def = "8096",                                       \
     .offset = (base) + offsetof(op_mysql_source_config, chunk_size),                              \
     .flags = RT_CFG_RANGE, .min = 1, .max = 100000000,                                            \
     .help = "rows per snapshot chunk"},                                                           \
    {.key = "chunk_key_column", .type = RT_CFG_JSON,                                               \
     .offset = (base) + offsetof(op_mysql_source_config, chunk_key_column),                        \
     .help = "{\"db\\\\.table regex\": \"col\"}: the column snapshot chunks split on"}
/* clang-format on */

/* The rows above at base 0, ended by {0}: the table for an op_mysql_source_config alone. */
extern const rt_config_field op_mysql_source_config_fields[];

/* Cross-field checks rt_config_apply cannot make (the graph validator's hook; no I/O): exactly
 * one of password / password_env / password_file; a valid environment variable name; ssl_ca for
 * verify_ca / verify_identity; ssl_cert and ssl_key together; no TLS files with ssl_mode
 * disabled; server_id an integer 1..4294967295 or a "first-last" range of them; a plausible
 * server_time_zone; tables non-empty, every regular expression valid, columns and
 * chunk_key_column well formed. cfg is an op_mysql_source_config; path names it
 * ("$.operators[0].config"). Errors are RT_EINVAL naming the key's JSON path and never quote a
 * password. */
int op_mysql_source_config_validate(const void *cfg, const char *path, rt_err *err);

/* Resolves the password: the `password` key, the variable `password_env` names, or the first
 * line of `password_file` (without its line end). Reads the environment and the file now, so a
 * rotated secret is picked up by the next open. *out is a new string: free it with
 * op_mysql_source_config_password_free. RT_EINVAL (unset variable) or RT_EIO (unreadable file)
 * naming the key's path. */
int op_mysql_source_config_password(const op_mysql_source_config *c, const char *path, char **out,
                                    rt_err *err);
/* Overwrites the password's bytes, then frees it. NULL is a no-op. */
void op_mysql_source_config_password_free(char *password);

/* The server ids: [first, last] (first == last for a single id). Both 0 when server_id is absent:
 * the caller then picks its own. RT_EINVAL naming path.server_id for a bad value. */
int op_mysql_source_config_server_ids(const op_mysql_source_config *c, const char *path,
                                      uint32_t *first, uint32_t *last, rt_err *err);

/* Connection parameters pointing into c and password (both borrowed: keep them alive while
 * using *out). Read and write timeouts are left 0 for the caller to choose. */
void op_mysql_source_config_conn_params(const op_mysql_source_config *c, const char *password,
                                        op_mysql_conn_params *out);

/* The table filter of tables / exclude_tables / columns / chunk_key_column (see
 * op_mysql_table_filter_new). */
int op_mysql_source_config_table_filter(const op_mysql_source_config *c, const char *path,
                                        op_mysql_table_filter **out, rt_err *err);

#endif
