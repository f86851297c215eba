/* flink_yaml_read: a Flink CDC pipeline YAML (source, sink, route, transform, pipeline blocks) ->
 * a Sluice job graph mysql_cdc -> [filter] -> [project] -> [route] -> starrocks, as JSON text.
 * Every key either maps or is an error that names it with its line and column. */
#include <ctype.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/codegen/flink_yaml.h"
#include "jobs/codegen/flink_yaml_int.h"
#include "runtime/base/units.h"

typedef gen_fy_node node;

/* Everything the blocks contribute before the graph is assembled. Owned json_t references. */
typedef struct pipeline {
    json_t *src_cfg, *sink_cfg;
    char src_id[65], sink_id[65];
    char *filter_cfg[GEN_FY_MAX_RULES], *project_cfg[GEN_FY_MAX_RULES]; /* JSON text or NULL */
    size_t rules;                                                       /* transform rules */
    json_t *src_tables;   /* the source's Sluice regexes (borrowed from src_cfg) */
    gen_fy_routes routes; /* the route rules and the sink database */
    char name[129];
    long parallelism;
    json_t *checkpoint, *restart;      /* from flink-conf; NULL when absent */
    const char *src_zone, *local_zone; /* server-time-zone, local-time-zone (borrowed) */
    const node *src_zone_at, *local_zone_at;
} pipeline;

static int set_str(json_t *obj, const char *key, const char *v, rt_err *err)
{
    if (json_object_set_new(obj, key, json_string(v)) != 0)
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    return 0;
}

static int set_new(json_t *obj, const char *key, json_t *v, rt_err *err)
{
    if (!v || json_object_set_new(obj, key, v) != 0)
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    return 0;
}

/* A Flink duration value -> Sluice's duration text. */
static int duration(const node *n, const char *what, json_t *obj, const char *key, rt_err *err)
{
    const char *s = NULL;
    int64_t ms;
    int rc = gen_fy_scalar(n, what, &s, err);
    if (rc == 0 && (rc = gen_fy_flink_duration_parse(s, &ms, err)) != 0)
        return gen_fy_at_prefix(err, rc, n, what);
    if (rc != 0)
        return rc;
    char text[64];
    rt_duration_format(ms, text, sizeof text);
    return set_str(obj, key, text, err);
}

/* `${NAME}` -> password_env NAME; an empty value -> no password (or "" where one is required);
 * anything else is a secret that must not land in a job file. */
static int password(const node *n, json_t *cfg, bool required, rt_err *err)
{
    const char *s = n->kind == GEN_FY_SCALAR && !gen_fy_is_null(n) ? n->text : "";
    if (n->kind != GEN_FY_SCALAR)
        return gen_fy_at(err, RT_EINVAL, n, "password: expected a value");
    size_t len = strlen(s);
    if (len == 0)
        return required ? set_str(cfg, "password", "", err) : 0;
    if (len > 3 && strncmp(s, "${", 2) == 0 && s[len - 1] == '}') {
        char name[128];
        size_t n_len = len - 3;
        bool ok = n_len < sizeof name && (isalpha((unsigned char)s[2]) || s[2] == '_');
        for (size_t i = 2; ok && i < len - 1; i++)
            ok = isalnum((unsigned char)s[i]) || s[i] == '_';
        if (ok) {
            memcpy(name, s + 2, n_len);
            name[n_len] = '\0';
            return set_str(cfg, "password_env", name, err);
        }
    }
    return gen_fy_at(err, RT_EINVAL, n,
                     "password: a literal password may not be copied into a Sluice job file: write "
                     "${ENV_NAME} and set that environment variable");
}

/* Flink table patterns -> a JSON array of Sluice regexes. */
static int tables(const node *n, const char *what, json_t **out, rt_err *err)
{
    const char *s = NULL;
    int rc = gen_fy_scalar(n, what, &s, err);
    if (rc != 0)
        return rc;
    char **v = NULL;
    size_t count = 0;
    rc = gen_fy_tables_from_flink(s, &v, &count, err);
    if (rc != 0) {
        gen_fy_strv_free(v, count);
        return gen_fy_at_prefix(err, rc, n, what);
    }
    json_t *a = json_array();
    for (size_t i = 0; a && i < count; i++)
        json_array_append_new(a, json_string(v[i]));
    gen_fy_strv_free(v, count);
    if (!a)
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    *out = a;
    return 0;
}

static int block_name(const node *v, const char *what, char *id, size_t size, rt_err *err)
{
    const char *s = NULL;
    int rc = gen_fy_scalar(v, what, &s, err);
    if (rc != 0)
        return rc;
    gen_fy_identifier(s, id, size, false);
    if (!*id)
        return gen_fy_at(err, RT_EINVAL, v, "%s: no letter or digit to make a vertex id of", what);
    return 0;
}

static bool is_true(const char *s)
{
    return strcasecmp(s, "true") == 0;
}

/* scan.startup.* keys -> the startup value. */
static int startup(const node *src, json_t *cfg, rt_err *err)
{
    const node *mode = gen_fy_map_get(src, "scan.startup.mode");
    const node *file = gen_fy_map_get(src, "scan.startup.specific-offset.file");
    const node *pos = gen_fy_map_get(src, "scan.startup.specific-offset.pos");
    const node *gtid = gen_fy_map_get(src, "scan.startup.specific-offset.gtid-set");
    const node *ts = gen_fy_map_get(src, "scan.startup.timestamp-millis");
    const char *m = "initial";
    int rc = mode ? gen_fy_scalar(mode, "scan.startup.mode", &m, err) : 0;
    if (rc != 0)
        return rc;
    bool specific = strcmp(m, "specific-offset") == 0, stamp = strcmp(m, "timestamp") == 0;
    const node *stray = !specific ? (file ? file : pos ? pos : gtid) : !stamp ? ts : NULL;
    if (!stray && stamp)
        stray = file ? file : pos ? pos : gtid;
    if (stray)
        return gen_fy_at(err, RT_EINVAL, stray, "%s does not go with scan.startup.mode '%s'",
                         stray == file   ? "scan.startup.specific-offset.file"
                         : stray == pos  ? "scan.startup.specific-offset.pos"
                         : stray == gtid ? "scan.startup.specific-offset.gtid-set"
                                         : "scan.startup.timestamp-millis",
                         m);
    if (!mode)
        return 0;
    if (!specific && !stamp) {
        static const char *const plain[] = {"initial", "latest-offset", "earliest-offset",
                                            "snapshot", NULL};
        for (size_t i = 0; plain[i]; i++) {
            if (strcmp(plain[i], m) == 0)
                return set_str(cfg, "startup", m, err);
        }
        return gen_fy_at(err, RT_EINVAL, mode,
                         "scan.startup.mode: expected initial, latest-offset, earliest-offset, "
                         "snapshot, specific-offset or timestamp, got '%s'",
                         m);
    }
    json_t *o = json_object();
    rc = o ? set_str(o, "mode", m, err) : rt_err_set(err, RT_ENOMEM, "out of memory");
    long long v;
    const char *s = NULL;
    if (rc == 0 && specific && !gtid && !(file && pos))
        rc = gen_fy_at(
            err, RT_EINVAL, mode,
            "specific-offset needs scan.startup.specific-offset.file and .pos, or .gtid-set");
    if (rc == 0 && specific && file &&
        (rc = gen_fy_scalar(file, "specific-offset.file", &s, err)) == 0)
        rc = set_str(o, "file", s, err);
    if (rc == 0 && specific && pos &&
        (rc = gen_fy_integer(pos, "specific-offset.pos", 4, INT64_MAX, &v, err)) == 0)
        rc = set_new(o, "pos", json_integer(v), err);
    if (rc == 0 && specific && gtid &&
        (rc = gen_fy_scalar(gtid, "specific-offset.gtid-set", &s, err)) == 0)
        rc = set_str(o, "gtid", s, err);
    if (rc == 0 && stamp && !ts)
        rc = gen_fy_at(err, RT_EINVAL, mode, "timestamp needs scan.startup.timestamp-millis");
    if (rc == 0 && stamp &&
        (rc = gen_fy_integer(ts, "timestamp-millis", 0, INT64_MAX, &v, err)) == 0)
        rc = set_new(o, "timestamp_ms", json_integer(v), err);
    if (rc == 0)
        return set_new(cfg, "startup", o, err);
    json_decref(o);
    return rc;
}

/* "db1.t[0-9]+:col;db2.x:col2" -> {"regex": "col", ...}. */
static int chunk_keys(const node *v, json_t *cfg, rt_err *err)
{
    const char *s = NULL;
    int rc = gen_fy_scalar(v, "scan.incremental.snapshot.chunk.key-column", &s, err);
    json_t *o = rc == 0 ? json_object() : NULL;
    char *copy = rc == 0 ? strdup(s) : NULL;
    if (rc == 0 && (!o || !copy))
        rc = rt_err_set(err, RT_ENOMEM, "out of memory");
    char *save = NULL;
    for (char *item = copy ? strtok_r(copy, ";", &save) : NULL; rc == 0 && item;
         item = strtok_r(NULL, ";", &save)) {
        char *colon = strrchr(item, ':');
        char **re = NULL;
        size_t n = 0;
        if (!colon || !colon[1]) {
            rc = gen_fy_at(err, RT_EINVAL, v,
                           "chunk.key-column: expected db.table:column, got '%s'", item);
            break;
        }
        *colon = '\0';
        rc = gen_fy_tables_from_flink(item, &re, &n, err);
        if (rc == 0 && n != 1)
            rc = gen_fy_at(err, RT_EINVAL, v, "chunk.key-column: one table pattern per column");
        else if (rc != 0)
            rc = gen_fy_at_prefix(err, rc, v, "chunk.key-column");
        if (rc == 0)
            rc = set_str(o, re[0], colon + 1, err);
        gen_fy_strv_free(re, n);
    }
    free(copy);
    if (rc == 0)
        return set_new(cfg, "chunk_key_column", o, err);
    json_decref(o);
    return rc;
}

static const char *const startup_keys[] = {"scan.startup.mode",
                                           "scan.startup.specific-offset.file",
                                           "scan.startup.specific-offset.pos",
                                           "scan.startup.specific-offset.gtid-set",
                                           "scan.startup.timestamp-millis",
                                           NULL};

static bool in(const char *const *list, const char *s)
{
    for (size_t i = 0; list[i]; i++) {
        if (strcmp(list[i], s) == 0)
            return true;
    }
    return false;
}

static int read_source(const node *src, pipeline *p, rt_err *err)
{
    if (src->kind != GEN_FY_MAP)
        return gen_fy_at(err, RT_EINVAL, src, "source: expected a mapping");
    const node *type = gen_fy_map_get(src, "type");
    const char *t = NULL;
    if (!type)
        return gen_fy_at(err, RT_EINVAL, src, "source: missing type (mysql)");
    int rc = gen_fy_scalar(type, "source.type", &t, err);
    if (rc != 0)
        return rc;
    if (strcmp(t, "mysql") != 0)
        return gen_fy_at(err, RT_EUNSUPPORTED, type,
                         "source.type '%s': Sluice reads MySQL/MariaDB only (type: mysql)", t);
    json_t *c = p->src_cfg;
    for (size_t i = 0; rc == 0 && i < src->count; i++) {
        const char *k = src->keys[i]->text;
        const node *v = src->items[i];
        const char *s = NULL;
        long long n;
        json_t *a = NULL;
        if (strcmp(k, "type") == 0 || in(startup_keys, k)) {
            continue;
        } else if (strcmp(k, "name") == 0) {
            rc = block_name(v, "source.name", p->src_id, sizeof p->src_id, err);
        } else if (strcmp(k, "hostname") == 0) {
            if ((rc = gen_fy_scalar(v, "source.hostname", &s, err)) == 0)
                rc = set_str(c, "host", s, err);
        } else if (strcmp(k, "port") == 0) {
            if ((rc = gen_fy_integer(v, "source.port", 1, 65535, &n, err)) == 0)
                rc = set_new(c, "port", json_integer(n), err);
        } else if (strcmp(k, "username") == 0) {
            if ((rc = gen_fy_scalar(v, "source.username", &s, err)) == 0)
                rc = set_str(c, "user", s, err);
        } else if (strcmp(k, "password") == 0) {
            rc = password(v, c, true, err);
        } else if (strcmp(k, "tables") == 0) {
            if ((rc = tables(v, "source.tables", &a, err)) == 0) {
                p->src_tables = a;
                rc = set_new(c, "tables", a, err);
            }
        } else if (strcmp(k, "tables.exclude") == 0) {
            if ((rc = tables(v, "source.tables.exclude", &a, err)) == 0)
                rc = set_new(c, "exclude_tables", a, err);
        } else if (strcmp(k, "server-id") == 0) {
            if ((rc = gen_fy_scalar(v, "source.server-id", &s, err)) == 0) {
                char *end;
                long long id = strtoll(s, &end, 10);
                rc = *s && !*end ? set_new(c, "server_id", json_integer(id), err)
                                 : set_str(c, "server_id", s, err);
            }
        } else if (strcmp(k, "server-time-zone") == 0) {
            rc = gen_fy_scalar(v, "source.server-time-zone", &p->src_zone, err);
            p->src_zone_at = v;
        } else if (strcmp(k, "scan.incremental.snapshot.chunk.size") == 0) {
            if ((rc = gen_fy_integer(v, k, 1, 100000000, &n, err)) == 0)
                rc = set_new(c, "chunk_size", json_integer(n), err);
        } else if (strcmp(k, "scan.incremental.snapshot.chunk.key-column") == 0) {
            rc = chunk_keys(v, c, err);
        } else if (strcmp(k, "heartbeat.interval") == 0) {
            rc = duration(v, k, c, "heartbeat_interval", err);
        } else if (strcmp(k, "connect.timeout") == 0) {
            rc = duration(v, k, c, "connect_timeout", err);
        } else if (strcmp(k, "debezium.database.ssl.mode") == 0) {
            /* Debezium's names are Sluice's: disabled, preferred, required, verify_ca, ... */
            if ((rc = gen_fy_scalar(v, k, &s, err)) == 0)
                rc = set_str(c, "ssl_mode", s, err);
        } else if (strcmp(k, "schema-change.enabled") == 0) {
            if ((rc = gen_fy_scalar(v, k, &s, err)) == 0 && !is_true(s))
                rc = gen_fy_at(
                    err, RT_EINVAL, v,
                    "source.schema-change.enabled: Sluice always follows the tables' DDL");
        } else {
            rc = gen_fy_at(err, RT_EINVAL, src->keys[i], "source.%s: no Sluice equivalent", k);
        }
    }
    if (rc == 0)
        rc = startup(src, c, err);
    if (rc == 0 && !p->src_tables)
        rc = gen_fy_at(err, RT_EINVAL, src, "source: missing tables");
    if (rc == 0 && !json_object_get(c, "password") && !json_object_get(c, "password_env"))
        rc = gen_fy_at(err, RT_EINVAL, src, "source: missing password (write ${ENV_NAME})");
    return rc;
}

static int read_sink(const node *snk, pipeline *p, rt_err *err)
{
    if (snk->kind != GEN_FY_MAP)
        return gen_fy_at(err, RT_EINVAL, snk, "sink: expected a mapping");
    const node *type = gen_fy_map_get(snk, "type");
    const char *t = NULL;
    if (!type)
        return gen_fy_at(err, RT_EINVAL, snk, "sink: missing type (starrocks)");
    int rc = gen_fy_scalar(type, "sink.type", &t, err);
    if (rc != 0)
        return rc;
    if (strcmp(t, "starrocks") != 0)
        return gen_fy_at(err, RT_EUNSUPPORTED, type,
                         "sink.type '%s': Sluice writes StarRocks only (type: starrocks)", t);
    json_t *c = p->sink_cfg, *flush = NULL, *props = NULL;
    for (size_t i = 0; rc == 0 && i < snk->count; i++) {
        const char *k = snk->keys[i]->text;
        const node *v = snk->items[i];
        const char *s = NULL;
        long long n;
        if (strcmp(k, "type") == 0) {
            continue;
        } else if (strcmp(k, "name") == 0) {
            rc = block_name(v, "sink.name", p->sink_id, sizeof p->sink_id, err);
        } else if (strcmp(k, "jdbc-url") == 0) {
            if ((rc = gen_fy_scalar(v, "sink.jdbc-url", &s, err)) == 0) {
                if (strncmp(s, "jdbc:mysql://", 13) == 0)
                    s += 13;
                if (strchr(s, ',') || !*s)
                    rc = gen_fy_at(err, RT_EINVAL, v,
                                   "sink.jdbc-url: Sluice's query_url takes one FE address");
                else
                    rc = set_str(c, "query_url", s, err);
            }
        } else if (strcmp(k, "load-url") == 0) {
            json_t *a = json_array();
            char *copy = NULL, *save = NULL;
            if ((rc = gen_fy_scalar(v, "sink.load-url", &s, err)) == 0 &&
                (!a || !(copy = strdup(s))))
                rc = rt_err_set(err, RT_ENOMEM, "out of memory");
            for (char *u = copy ? strtok_r(copy, ";", &save) : NULL; rc == 0 && u;
                 u = strtok_r(NULL, ";", &save)) {
                while (isspace((unsigned char)*u))
                    u++;
                size_t len = strlen(u);
                while (len && isspace((unsigned char)u[len - 1]))
                    u[--len] = '\0';
                if (len)
                    json_array_append_new(a, json_string(u));
            }
            free(copy);
            if (rc == 0 && json_array_size(a) == 0)
                rc = gen_fy_at(err, RT_EINVAL, v, "sink.load-url: no address");
            if (rc == 0)
                rc = set_new(c, "load_url", a, err);
            else
                json_decref(a);
        } else if (strcmp(k, "username") == 0) {
            if ((rc = gen_fy_scalar(v, "sink.username", &s, err)) == 0)
                rc = set_str(c, "user", s, err);
        } else if (strcmp(k, "password") == 0) {
            rc = password(v, c, false, err);
        } else if (strcmp(k, "sink.label-prefix") == 0) {
            if ((rc = gen_fy_scalar(v, k, &s, err)) == 0)
                rc = set_str(c, "label_prefix", s, err);
        } else if (strcmp(k, "sink.buffer-flush.max-bytes") == 0) {
            if ((rc = gen_fy_integer(v, k, 1, INT64_MAX, &n, err)) == 0) {
                char text[64];
                rt_size_format((uint64_t)n, text, sizeof text);
                if (!flush && !(flush = json_object()))
                    rc = rt_err_set(err, RT_ENOMEM, "out of memory");
                if (rc == 0)
                    rc = set_str(flush, "bytes", text, err);
            }
        } else if (strcmp(k, "sink.buffer-flush.interval-ms") == 0 ||
                   strcmp(k, "sink.connect.timeout-ms") == 0 ||
                   strcmp(k, "sink.socket.timeout-ms") == 0) {
            if ((rc = gen_fy_integer(v, k, 1, 86400000, &n, err)) == 0) {
                char text[64];
                rt_duration_format(n, text, sizeof text);
                if (k[5] == 'b') {
                    if (!flush && !(flush = json_object()))
                        rc = rt_err_set(err, RT_ENOMEM, "out of memory");
                    if (rc == 0)
                        rc = set_str(flush, "interval", text, err);
                } else {
                    rc = set_str(c, k[5] == 'c' ? "connect_timeout" : "socket_timeout", text, err);
                }
            }
        } else if (strcmp(k, "sink.properties.max_filter_ratio") == 0) {
            char *end;
            double r = 0;
            if ((rc = gen_fy_scalar(v, k, &s, err)) == 0 && ((r = strtod(s, &end)), *end || !*s))
                rc = gen_fy_at(err, RT_EINVAL, v, "%s: expected a number 0..1", k);
            if (rc == 0)
                rc = set_new(c, "max_filter_ratio", json_real(r), err);
        } else if (strncmp(k, "sink.properties.", 16) == 0 && k[16]) {
            if (!props && !(props = json_object()))
                rc = rt_err_set(err, RT_ENOMEM, "out of memory");
            if (rc == 0 && (rc = gen_fy_scalar(v, k, &s, err)) == 0)
                rc = set_str(props, k + 16, s, err);
        } else if (strncmp(k, "table.create.", 13) == 0) {
            rc = gen_fy_at(
                err, RT_EINVAL, snk->keys[i],
                "sink.%s: Sluice does not create tables while it runs (the DDL comes from "
                "`sluice generate`)",
                k);
        } else {
            rc = gen_fy_at(err, RT_EINVAL, snk->keys[i], "sink.%s: no Sluice equivalent", k);
        }
    }
    if (rc == 0 && flush)
        rc = set_new(c, "flush", flush, err), flush = NULL;
    if (rc == 0 && props)
        rc = set_new(c, "properties", props, err), props = NULL;
    json_decref(flush);
    json_decref(props);
    return rc;
}

/* The pipeline's flink-conf map -> the job's checkpoint and restart sections. */
static int read_flink_conf(const node *fc, pipeline *p, rt_err *err)
{
    if (fc->kind != GEN_FY_MAP)
        return gen_fy_at(err, RT_EINVAL, fc, "pipeline.flink-conf: expected a mapping");
    /* Flink's default with checkpointing on, and Sluice's */
    const char *strategy = "exponential-delay", *s = NULL;
    const node *type = gen_fy_map_get(fc, "restart-strategy.type");
    int rc = type ? gen_fy_scalar(type, "restart-strategy.type", &s, err) : 0;
    if (rc == 0 && type && !(strategy = gen_fy_restart_name(s)))
        return gen_fy_at(err, RT_EINVAL, type,
                         "restart-strategy.type '%s': none, fixed-delay, exponential-delay or "
                         "failure-rate",
                         s);
    for (size_t i = 0; rc == 0 && i < fc->count; i++) {
        const char *k = fc->keys[i]->text;
        const node *v = fc->items[i];
        const gen_fy_conf_key *row = gen_fy_conf_keys;
        while (row->flink && strcmp(row->flink, k) != 0)
            row++;
        if (!row->flink)
            return gen_fy_at(err, RT_EINVAL, fc->keys[i],
                             "pipeline.flink-conf.%s: no Sluice equivalent", k);
        if (row->strategy && strcmp(row->strategy, strategy) != 0)
            return gen_fy_at(err, RT_EINVAL, fc->keys[i],
                             "pipeline.flink-conf.%s: applies to the %s restart strategy, not %s",
                             k, row->strategy, strategy);
        json_t **section = strcmp(row->section, "checkpoint") == 0 ? &p->checkpoint : &p->restart;
        if (!*section && !(*section = json_object()))
            return rt_err_set(err, RT_ENOMEM, "out of memory");
        long long n;
        char *end;
        double d;
        if (row->kind == GEN_FY_DURATION)
            rc = duration(v, k, *section, row->key, err);
        else if (row->kind == GEN_FY_TEXT)
            rc = set_str(*section, row->key, strategy, err);
        else if (row->kind == GEN_FY_INT && (rc = gen_fy_integer(v, k, 0, INT32_MAX, &n, err)) == 0)
            rc = set_new(*section, row->key, json_integer(n), err);
        else if (row->kind == GEN_FY_REAL && (rc = gen_fy_scalar(v, k, &s, err)) == 0) {
            d = strtod(s, &end);
            rc = *end || !*s ? gen_fy_at(err, RT_EINVAL, v, "%s: expected a number", k)
                             : set_new(*section, row->key, json_real(d), err);
        }
    }
    return rc;
}

static int read_pipeline(const node *pl, pipeline *p, rt_err *err)
{
    if (pl->kind != GEN_FY_MAP)
        return gen_fy_at(err, RT_EINVAL, pl, "pipeline: expected a mapping");
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < pl->count; i++) {
        const char *k = pl->keys[i]->text, *s = NULL;
        const node *v = pl->items[i];
        long long n;
        if (strcmp(k, "name") == 0) {
            if ((rc = gen_fy_scalar(v, "pipeline.name", &s, err)) == 0) {
                gen_fy_identifier(s, p->name, sizeof p->name, true);
                if (!*p->name)
                    rc = gen_fy_at(err, RT_EINVAL, v, "pipeline.name: no letter or digit in '%s'",
                                   s);
            }
        } else if (strcmp(k, "parallelism") == 0) {
            if ((rc = gen_fy_integer(v, "pipeline.parallelism", 1, 256, &n, err)) == 0)
                p->parallelism = (long)n;
        } else if (strcmp(k, "local-time-zone") == 0) {
            rc = gen_fy_scalar(v, "pipeline.local-time-zone", &p->local_zone, err);
            p->local_zone_at = v;
        } else if (strcmp(k, "schema.change.behavior") == 0) {
            if ((rc = gen_fy_scalar(v, k, &s, err)) == 0 && strcasecmp(s, "ignore") != 0)
                rc =
                    gen_fy_at(err, RT_EINVAL, v,
                              "pipeline.schema.change.behavior '%s': Sluice's starrocks sink skips "
                              "schema changes (ignore)",
                              s);
        } else if (strcmp(k, "execution.runtime-mode") == 0) {
            if ((rc = gen_fy_scalar(v, k, &s, err)) == 0 && strcasecmp(s, "STREAMING") != 0)
                rc = gen_fy_at(err, RT_EINVAL, v,
                               "pipeline.execution.runtime-mode '%s': for a bounded run use "
                               "scan.startup.mode: snapshot",
                               s);
        } else if (strcmp(k, "flink-conf") == 0) {
            rc = read_flink_conf(v, p, err);
        } else {
            rc = gen_fy_at(err, RT_EINVAL, pl->keys[i], "pipeline.%s: no Sluice equivalent", k);
        }
    }
    return rc;
}

/* The sink database when no route names one: the source's, when all its tables share one. */
static int sink_database(const node *root, pipeline *p, rt_err *err)
{
    char buf[256];
    const node *src = gen_fy_map_get(gen_fy_map_get(root, "source"), "tables");
    for (size_t i = 0; i < json_array_size(p->src_tables); i++) {
        const char *re = json_string_value(json_array_get(p->src_tables, i));
        bool covered = false;
        for (size_t j = 0; j < p->routes.covered_count; j++)
            covered = covered || strcmp(p->routes.covered[j], re) == 0;
        if (covered)
            continue;
        const char *db = gen_fy_literal_db(re, buf, sizeof buf);
        if (db && !p->routes.database && !(p->routes.database = strdup(db)))
            return rt_err_set(err, RT_ENOMEM, "out of memory");
        if (!db || strcmp(db, p->routes.database) != 0)
            return gen_fy_at(
                err, RT_EINVAL, src,
                "source.tables: Flink CDC writes a table no route names into its source "
                "database, Sluice's starrocks sink into one database ('%s'): add a route "
                "for '%s'",
                p->routes.database ? p->routes.database : "?", re);
    }
    if (!p->routes.database)
        return gen_fy_at(err, RT_EINVAL, src, "no sink database: add a route block");
    return 0;
}

static json_t *vertex(const char *id, const char *type, long par, const char *from, bool hash,
                      json_t *cfg)
{
    json_t *v = json_pack("{s:s, s:s}", "id", id, "type", type);
    if (v)
        json_object_set_new(v, "parallelism", json_integer(par));
    /* the sink's edge is by key, as in Flink CDC (and `sluice generate`): one key's changes
     * always reach the same sink subtask, in order */
    if (v && from)
        json_object_set_new(v, "inputs",
                            hash ? json_pack("[{s:s, s:s}]", "from", from, "distribution", "hash")
                                 : json_pack("[s]", from));
    if (v)
        json_object_set(v, "config", cfg);
    return v;
}

/* Drops "same name in the sink database" rules ({table}) that only stand for what the sink does
 * with no route: when every rule names exact tables, such a rule catches no table another rule
 * names, so removing it changes nothing (and `sluice generate`'s jobs come back as they were). */
static void prune_same_name_rules(json_t *cfg)
{
    json_t *rules = json_object_get(cfg, "routes");
    for (size_t i = 0; i < json_array_size(rules); i++) {
        const char *src = json_string_value(json_object_get(json_array_get(rules, i), "source"));
        if (!src || !gen_fy_regex_is_literal(src))
            return;
    }
    for (size_t i = json_array_size(rules); i-- > 0;) {
        const char *dst = json_string_value(json_object_get(json_array_get(rules, i), "target"));
        if (dst && strcmp(dst, "{table}") == 0)
            json_array_remove(rules, i);
    }
}

static int assemble(pipeline *p, json_t **job, rt_err *err)
{
    const char *zone = p->local_zone ? p->local_zone : p->src_zone;
    if (p->local_zone && p->src_zone && strcmp(p->local_zone, p->src_zone) != 0)
        return gen_fy_at(err, RT_EINVAL, p->local_zone_at,
                         "pipeline.local-time-zone '%s' differs from source.server-time-zone '%s': "
                         "Sluice renders TIMESTAMP values in one zone (server_time_zone)",
                         p->local_zone, p->src_zone);
    if (zone && set_str(p->src_cfg, "server_time_zone", zone, err) != 0)
        return RT_ENOMEM;
    /* Flink CDC's StarRocks sink is at-least-once (upserts); Sluice's default is stronger. */
    if (set_str(p->sink_cfg, "database", p->routes.database, err) != 0 ||
        set_str(p->sink_cfg, "semantic", "exactly-once", err) != 0)
        return RT_ENOMEM;
    /* the transform and route vertices are "filter", "filter-2", ..., "project", ..., "route" */
    const char *ids[] = {p->src_id, p->sink_id};
    for (size_t i = 0; i < 2; i++) {
        if (strncmp(ids[i], "filter", 6) == 0 || strncmp(ids[i], "project", 7) == 0 ||
            strcmp(ids[i], "route") == 0)
            return rt_err_set(err, RT_EINVAL, "source or sink name '%s' is a reserved vertex id",
                              ids[i]);
    }
    if (strcmp(p->src_id, p->sink_id) == 0)
        return rt_err_set(err, RT_EINVAL, "source and sink have the same name '%s'", p->src_id);
    json_t *ops = json_array();
    json_t *j = json_pack("{s:s}", "name", p->name);
    if (!ops || !j) {
        json_decref(ops);
        json_decref(j);
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    }
    if (p->checkpoint)
        json_object_set(j, "checkpoint", p->checkpoint);
    if (p->restart)
        json_object_set(j, "restart", p->restart);
    json_object_set_new(j, "operators", ops);
    const char *prev = p->src_id;
    json_array_append_new(ops,
                          vertex(p->src_id, "mysql_cdc", p->parallelism, NULL, false, p->src_cfg));
    /* the rule readers wrote these configs as JSON text */
    json_t *rt = NULL;
    if (p->routes.real) {
        rt_buf b;
        rt_buf_init(&b);
        rt_buf_appendf(&b, "{\"routes\": [%s]}", p->routes.rules.data);
        rt = json_loads(b.data, 0, NULL);
        rt_buf_fini(&b);
    }
    prune_same_name_rules(rt);
    bool oom = p->routes.real && !rt;
    for (size_t i = 0; i < p->rules; i++) {
        char fid[32], pid[32];
        snprintf(fid, sizeof fid, i ? "filter-%zu" : "filter", i + 1);
        snprintf(pid, sizeof pid, i ? "project-%zu" : "project", i + 1);
        json_t *f = p->filter_cfg[i] ? json_loads(p->filter_cfg[i], 0, NULL) : NULL;
        json_t *pr = p->project_cfg[i] ? json_loads(p->project_cfg[i], 0, NULL) : NULL;
        oom = oom || (p->filter_cfg[i] && !f) || (p->project_cfg[i] && !pr);
        if (f) {
            json_array_append_new(ops, vertex(fid, "filter", p->parallelism, prev, false, f));
            prev = json_string_value(
                json_object_get(json_array_get(ops, json_array_size(ops) - 1), "id"));
        }
        if (pr) {
            json_array_append_new(ops, vertex(pid, "project", p->parallelism, prev, false, pr));
            prev = json_string_value(
                json_object_get(json_array_get(ops, json_array_size(ops) - 1), "id"));
        }
        json_decref(f);
        json_decref(pr);
    }
    if (rt) {
        json_array_append_new(ops, vertex("route", "route", p->parallelism, prev, false, rt));
        prev = "route";
    }
    json_decref(rt);
    if (oom || !prev) {
        json_decref(j);
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    }
    json_array_append_new(ops,
                          vertex(p->sink_id, "starrocks", p->parallelism, prev, true, p->sink_cfg));
    *job = j;
    return 0;
}

/* Flink applies the first transform rule that matches a table; Sluice chains a filter and a
 * project per rule and every one whose tables match runs. The two agree when the rules name
 * distinct exact tables. */
static int distinct_rules(const node *tfs, pipeline *p, rt_err *err)
{
    json_t *tabs[GEN_FY_MAX_RULES];
    for (size_t i = 0; i < p->rules; i++) {
        json_t *c = json_loads(p->project_cfg[i] ? p->project_cfg[i] : p->filter_cfg[i], 0, NULL);
        tabs[i] = json_incref(json_object_get(c, "tables"));
        json_decref(c);
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < p->rules; i++) {
        for (size_t t = 0; rc == 0 && t < json_array_size(tabs[i]); t++) {
            const char *re = json_string_value(json_array_get(tabs[i], t));
            bool clash = !re || !gen_fy_regex_is_literal(re);
            for (size_t j = 0; !clash && j < p->rules; j++) {
                for (size_t u = 0; j != i && !clash && u < json_array_size(tabs[j]); u++) {
                    const char *o = json_string_value(json_array_get(tabs[j], u));
                    clash = !o || gen_fy_regex_share_branch(re, o);
                }
            }
            if (clash)
                rc = gen_fy_at(err, RT_EINVAL, tfs->items[i],
                               "transform: with several rules, Flink applies the first that "
                               "matches a table and Sluice each in turn: the rules must name "
                               "distinct exact tables ('%s')",
                               re ? re : "?");
        }
    }
    for (size_t i = 0; i < p->rules; i++)
        json_decref(tabs[i]);
    return rc;
}

static int read_root(const node *root, pipeline *p, rt_err *err)
{
    if (root->kind != GEN_FY_MAP)
        return gen_fy_at(err, RT_EINVAL, root, "expected a mapping with source, sink and pipeline");
    static const char *const blocks[] = {"source", "sink", "route", "transform", "pipeline", NULL};
    for (size_t i = 0; i < root->count; i++) {
        if (!in(blocks, root->keys[i]->text))
            return gen_fy_at(err, RT_EINVAL, root->keys[i], "%s: not a Flink CDC pipeline block",
                             root->keys[i]->text);
    }
    const node *src = gen_fy_map_get(root, "source"), *snk = gen_fy_map_get(root, "sink");
    const node *routes = gen_fy_map_get(root, "route"), *tfs = gen_fy_map_get(root, "transform");
    const node *pl = gen_fy_map_get(root, "pipeline");
    if (!src || !snk)
        return gen_fy_at(err, RT_EINVAL, root, "a pipeline needs a source and a sink block");
    int rc = read_source(src, p, err);
    if (rc == 0)
        rc = read_sink(snk, p, err);
    if (rc == 0 && pl)
        rc = read_pipeline(pl, p, err);
    if (rc == 0 && tfs && tfs->kind != GEN_FY_SEQ)
        rc = gen_fy_at(err, RT_EINVAL, tfs, "transform: expected a list of rules");
    if (rc == 0 && tfs && tfs->count > GEN_FY_MAX_RULES)
        rc = gen_fy_at(err, RT_EINVAL, tfs, "transform: more than %d rules", GEN_FY_MAX_RULES);
    for (size_t i = 0; rc == 0 && tfs && i < tfs->count; i++) {
        rc = gen_fy_read_transform(tfs->items[i], &p->filter_cfg[i], &p->project_cfg[i], err);
        p->rules = i + 1;
    }
    if (rc == 0 && p->rules > 1)
        rc = distinct_rules(tfs, p, err);
    if (rc == 0 && routes && routes->kind != GEN_FY_SEQ)
        rc = gen_fy_at(err, RT_EINVAL, routes, "route: expected a list of rules");
    for (size_t i = 0; rc == 0 && routes && i < routes->count; i++)
        rc = gen_fy_read_route(routes->items[i], &p->routes, err);
    if (rc == 0)
        rc = sink_database(root, p, err);
    return rc;
}

int gen_flink_yaml_parse(const char *yaml, size_t len, char **job_json, rt_err *err)
{
    node *root = NULL;
    int rc = gen_fy_tree_parse(yaml, len, &root, err);
    if (rc != 0)
        return rc;
    pipeline p = {.parallelism = 1};
    snprintf(p.src_id, sizeof p.src_id, "src");
    snprintf(p.sink_id, sizeof p.sink_id, "sink");
    snprintf(p.name, sizeof p.name, "flink-cdc-pipeline");
    p.src_cfg = json_object();
    p.sink_cfg = json_object();
    json_t *job = NULL;
    if (!p.src_cfg || !p.sink_cfg)
        rc = rt_err_set(err, RT_ENOMEM, "out of memory");
    if (rc == 0)
        rc = read_root(root, &p, err);
    if (rc == 0)
        rc = assemble(&p, &job, err);
    char *text = job ? json_dumps(job, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    if (rc == 0 && !text)
        rc = rt_err_set(err, RT_ENOMEM, "out of memory");
    json_decref(job);
    json_decref(p.src_cfg);
    json_decref(p.sink_cfg);
    for (size_t i = 0; i < p.rules; i++) {
        free(p.filter_cfg[i]);
        free(p.project_cfg[i]);
    }
    gen_fy_routes_fini(&p.routes);
    json_decref(p.checkpoint);
    json_decref(p.restart);
    gen_fy_node_free(root);
    if (rc != 0) {
        free(text);
        return rc;
    }
    *job_json = text;
    return 0;
}
