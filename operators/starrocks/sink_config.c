/* sink_config: the starrocks sink's config table and its checks. The password is resolved with
 * the mysql source's helper (one implementation of password / password_env / password_file). */
#include "operators/starrocks/sink_config.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "operators/mysql/source_config.h"
#include "operators/starrocks/label.h"
#include "operators/starrocks/sink_schema.h"

static const char *const semantic_choices[] = {"exactly-once", "at-least-once", NULL};
static const char *const format_choices[] = {"json", "csv", NULL};

const char *op_sr_semantic_name(op_sr_semantic s)
{
    return s == OP_SR_AT_LEAST_ONCE ? "at-least-once" : "exactly-once";
}

#define F(m) offsetof(op_sr_sink_config, m)
/* A row with a range check: type, default (JSON text), offset, [lo, hi], help. */
#define RANGED(k, t, d, off, lo, hi, h)                                                            \
    {                                                                                              \
        .key = (k), .type = (t), .def = (d), .offset = (off), .flags = RT_CFG_RANGE, .min = (lo),  \
        .max = (hi), .help = (h)                                                                   \
    }

const rt_config_field op_sr_sink_config_fields[] = {
    {.key = "load_url",
     .type = RT_CFG_STRLIST,
     .offset = F(load_url),
     .flags = RT_CFG_REQUIRED,
     .help = "FE HTTP addresses \"host:8030\", tried in order"},
    {.key = "query_url",
     .type = RT_CFG_STRING,
     .offset = F(query_url),
     .flags = RT_CFG_REQUIRED,
     .help = "FE MySQL-protocol address \"host:9030\" (or jdbc:mysql://host:9030)"},
    {.key = "user", .type = RT_CFG_STRING, .def = "\"root\"", .offset = F(user), .help = "user"},
    {.key = "password",
     .type = RT_CFG_STRING,
     .offset = F(password),
     .flags = RT_CFG_SECRET,
     .help = "the password (or password_env / password_file; none: empty)"},
    {.key = "password_env",
     .type = RT_CFG_STRING,
     .offset = F(password_env),
     .help = "name of the environment variable that holds the password"},
    {.key = "password_file",
     .type = RT_CFG_STRING,
     .offset = F(password_file),
     .help = "file whose first line is the password"},
    {.key = "database",
     .type = RT_CFG_STRING,
     .offset = F(database),
     .flags = RT_CFG_REQUIRED,
     .help = "target database"},
    {.key = "table",
     .type = RT_CFG_STRING,
     .offset = F(table),
     .help = "target table; null: each record's own table name"},
    {.key = "semantic",
     .type = RT_CFG_ENUM,
     .def = "\"exactly-once\"",
     .offset = F(semantic),
     .choices = semantic_choices,
     .help = "exactly-once (transactions committed with checkpoints) or at-least-once"},
    {.key = "label_prefix",
     .type = RT_CFG_STRING,
     .offset = F(label_prefix),
     .help = "label prefix, unique in the cluster; default {job}-{vertex}"},
    {.key = "format",
     .type = RT_CFG_ENUM,
     .def = "\"json\"",
     .offset = F(format),
     .choices = format_choices,
     .help = "body format: json (lines) or csv"},
    {.key = "flush",
     .type = RT_CFG_JSON,
     .offset = F(flush),
     .help = "{rows, bytes, interval}: when a table's buffer is sent"},
    {.key = "append_changes",
     .type = RT_CFG_BOOL,
     .def = "false",
     .offset = F(append_changes),
     .help = "non-primary-key tables: append every change with its kind in column `op`"},
    RANGED("connect_timeout", RT_CFG_DURATION, "\"10s\"", F(connect_timeout_ms), 1, 3600000,
           "HTTP and MySQL connect timeout"),
    RANGED("socket_timeout", RT_CFG_DURATION, "\"10m\"", F(socket_timeout_ms), 1000, 86400000,
           "a request without progress for this long fails"),
    RANGED("txn_timeout", RT_CFG_DURATION, "\"10m\"", F(txn_timeout_ms), 1000, 259200000,
           "transaction timeout from begin to prepare (> checkpoint interval)"),
    RANGED("prepared_timeout", RT_CFG_DURATION, "0", F(prepared_timeout_ms), 0, 2592000000,
           "how long a prepared transaction waits for commit (StarRocks 3.5.4+); 0: server's"),
    RANGED("retries", RT_CFG_INT, "3", F(max_retries), -1, 100,
           "retry rounds for retryable requests (-1: none)"),
    {.key = "max_filter_ratio",
     .type = RT_CFG_DOUBLE,
     .def = "0",
     .offset = F(max_filter_ratio),
     .help = "share of rows StarRocks may reject as bad before the load fails (0..1)"},
    {.key = "properties",
     .type = RT_CFG_JSON,
     .offset = F(properties),
     .help = "extra Stream Load headers: {\"strict_mode\": \"true\"}"},
    {.key = "schema_change",
     .type = RT_CFG_JSON,
     .offset = F(schema_change),
     .help = "{behavior: lenient|evolve|try_evolve|ignore|exception, overrides: {add_column: "
             "..., ...}, timeout: \"10m\"}: what source schema changes do to the target"},
    {.key = "create_properties",
     .type = RT_CFG_JSON,
     .offset = F(create_properties),
     .help = "PROPERTIES of tables the sink creates (default {\"replication_num\": \"1\"})"},
    RANGED("create_buckets", RT_CFG_INT, "1", F(create_buckets), 0, 1024,
           "BUCKETS of tables the sink creates (0: StarRocks chooses)"),
    {0},
};

#undef F

static const rt_config_field flush_fields[] = {
    RANGED("rows", RT_CFG_INT, "500000", offsetof(op_sr_flush, rows), 1, INT64_MAX,
           "buffered rows of a table that trigger a send"),
    RANGED("bytes", RT_CFG_SIZE, "\"90MiB\"", offsetof(op_sr_flush, bytes), 1, INT64_MAX,
           "buffered bytes of a table that trigger a send"),
    RANGED("interval", RT_CFG_DURATION, "\"5s\"", offsetof(op_sr_flush, interval_ms), 1, 86400000,
           "at-least-once: the longest a row is buffered"),
    {0},
};

#undef RANGED

int op_sr_sink_config_flush(const op_sr_sink_config *c, const char *path, op_sr_flush *out,
                            rt_err *err)
{
    char sub[512];
    snprintf(sub, sizeof sub, "%s.flush", path);
    op_sr_flush f;
    memset(&f, 0, sizeof f);
    int rc = rt_config_apply(flush_fields, &f, c->flush, sub, err);
    rt_config_free(flush_fields, &f);
    if (rc == 0)
        *out = f;
    return rc;
}

/* Headers the sink or the client sets; a property may not override them (the BE would see two
 * values, or the sink's promises would not hold). */
static const char *const reserved_headers[] = {"label",
                                               "db",
                                               "table",
                                               "format",
                                               "columns",
                                               "column_separator",
                                               "row_delimiter",
                                               "strip_outer_array",
                                               "enclose",
                                               "escape",
                                               "max_filter_ratio",
                                               "expect",
                                               "authorization",
                                               "content-length",
                                               "transfer-encoding",
                                               "host",
                                               "timeout",
                                               "idle_transaction_timeout",
                                               "prepared_timeout",
                                               "txn_id",
                                               "two_phase_commit",
                                               NULL};

static bool header_name_ok(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++) {
        if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '-' || *s == '.'))
            return false;
    }
    return true;
}

static bool header_value_ok(const char *s)
{
    return !strpbrk(s, "\r\n");
}

/* A property's header value: the string itself, or a number or boolean as text in num. */
static const char *property_text(json_t *v, char *num, size_t size)
{
    if (json_is_string(v))
        return json_string_value(v);
    num[0] = '\0';
    if (json_is_integer(v))
        snprintf(num, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_real(v))
        snprintf(num, size, "%.17g", json_real_value(v));
    else if (json_is_boolean(v))
        snprintf(num, size, "%s", json_is_true(v) ? "true" : "false");
    return num;
}

/* The pairs of the JSON object `text` (key `key` of the config); headers: check them as Stream
 * Load headers. */
static int string_pairs(const char *json, const char *key_name, bool headers, const char *path,
                        char ***names, char ***values, size_t *count, rt_err *err);

int op_sr_sink_config_headers(const op_sr_sink_config *c, const char *path, char ***names,
                              char ***values, size_t *count, rt_err *err)
{
    return string_pairs(c->properties, "properties", true, path, names, values, count, err);
}

int op_sr_sink_config_create_properties(const op_sr_sink_config *c, const char *path, char ***names,
                                        char ***values, size_t *count, rt_err *err)
{
    return string_pairs(c->create_properties ? c->create_properties
                                             : "{\"replication_num\": \"1\"}",
                        "create_properties", false, path, names, values, count, err);
}

static int string_pairs(const char *json, const char *key_name, bool headers, const char *path,
                        char ***names, char ***values, size_t *count, rt_err *err)
{
    *names = NULL;
    *values = NULL;
    *count = 0;
    if (!json)
        return 0;
    json_error_t jerr;
    json_t *obj = json_loads(json, 0, &jerr);
    if (!json_is_object(obj)) {
        json_decref(obj);
        return rt_err_set(err, RT_EINVAL, "%s.%s: expected an object of strings", path, key_name);
    }
    size_t n = json_object_size(obj), bytes = 0;
    const char *key;
    json_t *v;
    int rc = 0;
    json_object_foreach(obj, key, v)
    {
        if (!json_is_string(v) && !json_is_number(v) && !json_is_boolean(v)) {
            rc = rt_err_set(err, RT_EINVAL, "%s.%s.%s: expected a string", path, key_name, key);
            break;
        }
        if (!headers) {
            char num[64];
            bytes += strlen(key) + strlen(property_text(v, num, sizeof num)) + 2;
            continue;
        }
        if (!header_name_ok(key)) {
            rc =
                rt_err_set(err, RT_EINVAL, "%s.properties: \"%s\" is not a header name", path, key);
            break;
        }
        for (size_t i = 0; reserved_headers[i]; i++) {
            if (strcasecmp(key, reserved_headers[i]) == 0) {
                rc = rt_err_set(err, RT_EINVAL,
                                "%s.properties.%s: set by the sink itself (use the sink's own "
                                "key where there is one: format, max_filter_ratio, txn_timeout)",
                                path, key);
                break;
            }
        }
        if (rc != 0)
            break;
        char num[64];
        const char *text = property_text(v, num, sizeof num);
        if (!header_value_ok(text)) {
            rc = rt_err_set(err, RT_EINVAL, "%s.properties.%s: line break in the value", path, key);
            break;
        }
        bytes += strlen(key) + strlen(text) + 2;
    }
    if (rc == 0 && n > 0) {
        /* One block: the two pointer arrays, then the strings. */
        char **block = malloc(2 * n * sizeof(char *) + bytes);
        if (!block) {
            rc = rt_err_set(err, RT_ENOMEM, "out of memory");
        } else {
            char *p = (char *)(block + 2 * n);
            size_t i = 0;
            json_object_foreach(obj, key, v)
            {
                char num[64];
                const char *text = property_text(v, num, sizeof num);
                block[i] = p;
                p = stpcpy(p, key) + 1;
                block[n + i] = p;
                p = stpcpy(p, text) + 1;
                i++;
            }
            *names = block;
            *values = block + n;
            *count = n;
        }
    }
    json_decref(obj);
    return rc;
}

int op_sr_sink_config_query_addr(const op_sr_sink_config *c, const char *path, char **host,
                                 int *port, rt_err *err)
{
    const char *s = c->query_url ? c->query_url : "";
    static const char *const schemes[] = {"jdbc:mysql://", "mysql://", NULL};
    for (size_t i = 0; schemes[i]; i++) {
        size_t n = strlen(schemes[i]);
        if (strncasecmp(s, schemes[i], n) == 0) {
            s += n;
            break;
        }
    }
    size_t hl = strcspn(s, ":/?");
    if (hl == 0 || hl > 255)
        return rt_err_set(err, RT_EINVAL, "%s.query_url: expected \"host:port\", got \"%s\"", path,
                          c->query_url ? c->query_url : "");
    long p = 9030;
    if (s[hl] == ':') {
        char *end;
        p = strtol(s + hl + 1, &end, 10);
        if (end == s + hl + 1 || (*end && *end != '/' && *end != '?') || p < 1 || p > 65535)
            return rt_err_set(err, RT_EINVAL, "%s.query_url: bad port in \"%s\"", path,
                              c->query_url);
    }
    char *h = strndup(s, hl);
    if (!h)
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    *host = h;
    *port = (int)p;
    return 0;
}

static int is_set(const char *s)
{
    return s && *s;
}

int op_sr_sink_config_validate(const void *cfg, const char *path, rt_err *err)
{
    const op_sr_sink_config *c = cfg;
    if (c->load_url.count == 0)
        return rt_err_set(err, RT_EINVAL, "%s.load_url: give at least one \"host:port\"", path);
    for (size_t i = 0; i < c->load_url.count; i++) {
        const char *u = c->load_url.items[i];
        if (!*u || strpbrk(u, " \t\r\n"))
            return rt_err_set(err, RT_EINVAL, "%s.load_url[%zu]: expected \"host:port\"", path, i);
    }
    int sources = is_set(c->password) + is_set(c->password_env) + is_set(c->password_file);
    if (sources > 1)
        return rt_err_set(err, RT_EINVAL,
                          "%s: set only one of password, password_env and password_file", path);
    if (!c->user || !*c->user)
        return rt_err_set(err, RT_EINVAL, "%s.user: empty user name", path);
    if (!*c->database)
        return rt_err_set(err, RT_EINVAL, "%s.database: empty name", path);
    if (c->table && !*c->table)
        return rt_err_set(err, RT_EINVAL, "%s.table: empty name (null: each record's table)", path);
    if (c->label_prefix) {
        char probe[OP_SR_LABEL_MAX + 1];
        rt_err e = {0};
        if (!*c->label_prefix ||
            op_sr_label_format(c->label_prefix, "t", 0, 1, probe, sizeof probe, &e) != 0)
            return rt_err_set(err, RT_EINVAL,
                              "%s.label_prefix: \"%s\": use letters, digits, '_' and '-' only, "
                              "short enough to leave room for table, subtask and id",
                              path, c->label_prefix);
    }
    if (!(c->max_filter_ratio >= 0.0 && c->max_filter_ratio <= 1.0))
        return rt_err_set(err, RT_EINVAL, "%s.max_filter_ratio: expected 0..1", path);
    char *host = NULL;
    int port = 0;
    int rc = op_sr_sink_config_query_addr(c, path, &host, &port, err);
    free(host);
    if (rc != 0)
        return rc;
    op_sr_flush f;
    if ((rc = op_sr_sink_config_flush(c, path, &f, err)) != 0)
        return rc;
    char **names = NULL, **values = NULL;
    size_t count = 0;
    rc = op_sr_sink_config_headers(c, path, &names, &values, &count, err);
    free(names);
    if (rc != 0)
        return rc;
    rc = op_sr_sink_config_create_properties(c, path, &names, &values, &count, err);
    free(names);
    if (rc != 0)
        return rc;
    char sub[512];
    snprintf(sub, sizeof sub, "%s.schema_change", path);
    op_sr_sc_policy pol;
    return op_sr_sc_policy_parse(c->schema_change, sub, &pol, err);
}

int op_sr_sink_config_password(const op_sr_sink_config *c, const char *path, char **out,
                               rt_err *err)
{
    op_mysql_source_config m;
    memset(&m, 0, sizeof m);
    m.password = c->password;
    m.password_env = c->password_env;
    m.password_file = c->password_file;
    return op_mysql_source_config_password(&m, path, out, err);
}

void op_sr_sink_config_password_free(char *password)
{
    op_mysql_source_config_password_free(password);
}
