/* flink_yaml_write: a Sluice job graph mysql_cdc -> [filter] -> [project] -> [route] -> starrocks
 * (JSON) -> a Flink CDC pipeline YAML, emitted with libyaml so that quoting is always right.
 * Keys come out in one fixed order per block; what Flink CDC cannot express is RT_EUNSUPPORTED
 * naming the vertex and key, never left out. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/codegen/flink_yaml.h"
#include "jobs/codegen/flink_yaml_int.h"
#include "runtime/base/units.h"

/* The chain, in order. Borrowed from the parsed job. */
typedef struct chain {
    json_t *src, *route, *sink; /* vertices */
    json_t *src_cfg, *route_cfg, *sink_cfg;
    json_t *tf[GEN_FY_MAX_RULES], *tf_cfg[GEN_FY_MAX_RULES]; /* filters and projects, in order */
    size_t ntf;
    const char *database;
    long parallelism;
} chain;

static const char *vid(json_t *v)
{
    const char *id = json_string_value(json_object_get(v, "id"));
    return id ? id : "?";
}

/* A scalar config value as text (integers, reals, booleans, strings); NULL for others. */
static const char *text_of(json_t *v, char *buf, size_t size)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v))
        snprintf(buf, size, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(buf, size, "%.17g", json_real_value(v));
    else if (json_is_boolean(v))
        snprintf(buf, size, "%s", json_is_true(v) ? "true" : "false");
    else
        return NULL;
    return buf;
}

/* A Sluice duration (text or integer milliseconds) -> milliseconds. */
static int duration_ms(json_t *v, const char *vertex, const char *key, int64_t *ms, rt_err *err)
{
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *ms = json_integer_value(v);
        return 0;
    }
    if (json_is_string(v) && rt_duration_parse(json_string_value(v), ms, NULL) == 0)
        return 0;
    return rt_err_set(err, RT_EINVAL, "vertex '%s': config.%s: expected a duration", vertex, key);
}

static int flink_duration(gen_fy_emitter *w, const char *flink_key, json_t *v, const char *vertex,
                          const char *key, bool millis, rt_err *err)
{
    int64_t ms;
    int rc = duration_ms(v, vertex, key, &ms, err);
    if (rc != 0)
        return rc;
    char buf[64];
    if (millis)
        snprintf(buf, sizeof buf, "%lld", (long long)ms);
    else
        gen_fy_flink_duration_format(ms, buf, sizeof buf);
    gen_fy_emit_kv(w, flink_key, buf);
    return 0;
}

static int unsupported(const char *vertex, const char *key, const char *why, rt_err *err)
{
    return rt_err_set(err, RT_EUNSUPPORTED, "vertex '%s': config.%s: %s", vertex, key, why);
}

/* password_env NAME -> `${NAME}`; a literal password or a file is never written. */
static int password(gen_fy_emitter *w, json_t *cfg, const char *vertex, rt_err *err)
{
    if (json_object_get(cfg, "password"))
        return unsupported(vertex, "password",
                           "a literal password is never written: use password_env", err);
    if (json_object_get(cfg, "password_file"))
        return unsupported(vertex, "password_file",
                           "Flink CDC cannot read a password file: use password_env", err);
    const char *env = json_string_value(json_object_get(cfg, "password_env"));
    char buf[160];
    if (env)
        snprintf(buf, sizeof buf, "${%s}", env);
    else
        buf[0] = '\0';
    gen_fy_emit_kv(w, "password", buf);
    return 0;
}

/* A JSON array of Sluice table regexes -> Flink's comma-separated pattern text in out. */
static int patterns(json_t *a, const char *vertex, const char *key, rt_buf *out, rt_err *err)
{
    if (!json_is_array(a) || json_array_size(a) == 0)
        return rt_err_set(err, RT_EINVAL, "vertex '%s': config.%s: expected a list of regexes",
                          vertex, key);
    for (size_t i = 0; i < json_array_size(a); i++) {
        const char *re = json_string_value(json_array_get(a, i));
        int rc = re ? gen_fy_table_to_flink(re, out, err)
                    : rt_err_set(err, RT_EINVAL, "expected a string");
        if (rc != 0)
            return rt_err_prefix(err, rc, "vertex '%s': config.%s[%zu]", vertex, key, i);
    }
    return 0;
}

static int checked_keys(json_t *cfg, const char *vertex, const char *const *known, rt_err *err)
{
    const char *k = NULL;
    json_t *v;
    json_object_foreach(cfg, k, v)
    {
        size_t i = 0;
        while (known[i] && strcmp(known[i], k) != 0)
            i++;
        if (!known[i])
            return unsupported(vertex, k, "no Flink CDC equivalent", err);
    }
    return 0;
}

/* clang-format off */
static const char *const source_keys[] = {
    "ssl_mode", "host", "port", "user", "password", "password_env", "password_file", "tables",
    "exclude_tables", "server_id", "server_time_zone", "chunk_size", "chunk_key_column", "startup",
    "heartbeat_interval", "connect_timeout", NULL
};
/* clang-format on */

static int startup(gen_fy_emitter *w, json_t *s, const char *vertex, rt_err *err)
{
    const char *mode =
        json_is_string(s) ? json_string_value(s) : json_string_value(json_object_get(s, "mode"));
    if (!mode)
        return rt_err_set(err, RT_EINVAL, "vertex '%s': config.startup: expected a mode", vertex);
    gen_fy_emit_kv(w, "scan.startup.mode", mode);
    if (!json_is_object(s))
        return 0;
    char buf[64];
    const char *k = NULL;
    json_t *v;
    json_object_foreach(s, k, v)
    {
        const char *t = text_of(v, buf, sizeof buf);
        if (strcmp(k, "mode") == 0)
            continue;
        if (!t)
            return rt_err_set(err, RT_EINVAL, "vertex '%s': config.startup.%s: expected a value",
                              vertex, k);
        if (strcmp(k, "file") == 0)
            gen_fy_emit_kv(w, "scan.startup.specific-offset.file", t);
        else if (strcmp(k, "pos") == 0)
            gen_fy_emit_kv(w, "scan.startup.specific-offset.pos", t);
        else if (strcmp(k, "gtid") == 0)
            gen_fy_emit_kv(w, "scan.startup.specific-offset.gtid-set", t);
        else if (strcmp(k, "timestamp_ms") == 0)
            gen_fy_emit_kv(w, "scan.startup.timestamp-millis", t);
        else
            return unsupported(vertex, "startup", "unknown startup key", err);
    }
    return 0;
}

static int write_source(gen_fy_emitter *w, chain *c, rt_err *err)
{
    json_t *cfg = c->src_cfg;
    const char *id = vid(c->src);
    int rc = checked_keys(cfg, id, source_keys, err);
    char buf[64];
    const char *t = NULL;
    rt_buf b;
    rt_buf_init(&b);
    gen_fy_emit_scalar(w, "source");
    gen_fy_emit_map_start(w);
    gen_fy_emit_kv(w, "type", "mysql");
    gen_fy_emit_kv(w, "name", id);
    if ((t = text_of(json_object_get(cfg, "host"), buf, sizeof buf)))
        gen_fy_emit_kv(w, "hostname", t);
    if ((t = text_of(json_object_get(cfg, "port"), buf, sizeof buf)))
        gen_fy_emit_kv(w, "port", t);
    if ((t = text_of(json_object_get(cfg, "user"), buf, sizeof buf)))
        gen_fy_emit_kv(w, "username", t);
    if (rc == 0)
        rc = password(w, cfg, id, err);
    if (rc == 0 && (rc = patterns(json_object_get(cfg, "tables"), id, "tables", &b, err)) == 0)
        gen_fy_emit_kv(w, "tables", b.data);
    if (rc == 0 && json_object_get(cfg, "exclude_tables")) {
        rt_buf_reset(&b);
        if ((rc = patterns(json_object_get(cfg, "exclude_tables"), id, "exclude_tables", &b,
                           err)) == 0)
            gen_fy_emit_kv(w, "tables.exclude", b.data);
    }
    /* Debezium's ssl mode names are Sluice's; it also sets the snapshot's JDBC connections */
    if ((t = text_of(json_object_get(cfg, "ssl_mode"), buf, sizeof buf)))
        gen_fy_emit_kv(w, "debezium.database.ssl.mode", t);
    if ((t = text_of(json_object_get(cfg, "server_id"), buf, sizeof buf)))
        gen_fy_emit_kv(w, "server-id", t);
    if ((t = text_of(json_object_get(cfg, "server_time_zone"), buf, sizeof buf)))
        gen_fy_emit_kv(w, "server-time-zone", t);
    if ((t = text_of(json_object_get(cfg, "chunk_size"), buf, sizeof buf)))
        gen_fy_emit_kv(w, "scan.incremental.snapshot.chunk.size", t);
    json_t *ck = json_object_get(cfg, "chunk_key_column");
    if (rc == 0 && ck) {
        rt_buf keys;
        rt_buf_init(&keys);
        const char *re = NULL;
        json_t *col;
        json_object_foreach(ck, re, col)
        {
            rt_buf_reset(&b);
            if (rc == 0 && (rc = gen_fy_table_to_flink(re, &b, err)) == 0 && strchr(b.data, ','))
                rc = unsupported(id, "chunk_key_column", "one table pattern per column", err);
            if (rc == 0 && !json_is_string(col))
                rc = rt_err_set(err, RT_EINVAL,
                                "vertex '%s': config.chunk_key_column: expected column names", id);
            if (rc == 0)
                rt_buf_appendf(&keys, "%s%s:%s", keys.len ? ";" : "", b.data,
                               json_string_value(col));
        }
        if (rc == 0 && keys.data)
            gen_fy_emit_kv(w, "scan.incremental.snapshot.chunk.key-column", keys.data);
        rt_buf_fini(&keys);
    }
    if (rc == 0 && json_object_get(cfg, "startup"))
        rc = startup(w, json_object_get(cfg, "startup"), id, err);
    if (rc == 0 && json_object_get(cfg, "heartbeat_interval"))
        rc = flink_duration(w, "heartbeat.interval", json_object_get(cfg, "heartbeat_interval"), id,
                            "heartbeat_interval", false, err);
    if (rc == 0 && json_object_get(cfg, "connect_timeout"))
        rc = flink_duration(w, "connect.timeout", json_object_get(cfg, "connect_timeout"), id,
                            "connect_timeout", false, err);
    gen_fy_emit_map_end(w);
    rt_buf_fini(&b);
    return rc;
}

/* clang-format off */
static const char *const sink_keys[] = {
    "load_url", "query_url", "user", "password", "password_env", "password_file", "database",
    "table", "semantic", "label_prefix", "format", "flush", "append_changes", "connect_timeout",
    "socket_timeout", "max_filter_ratio", "properties", NULL
};
/* clang-format on */

static int write_sink(gen_fy_emitter *w, chain *c, rt_err *err)
{
    json_t *cfg = c->sink_cfg;
    const char *id = vid(c->sink), *t = NULL;
    char buf[64];
    int rc = checked_keys(cfg, id, sink_keys, err);
    json_t *v;
    if (rc == 0 && (v = json_object_get(cfg, "format")) &&
        strcmp(json_string_value(v) ? json_string_value(v) : "", "json") != 0)
        rc = unsupported(id, "format", "Flink CDC's StarRocks pipeline sink loads JSON", err);
    if (rc == 0 && json_is_true(json_object_get(cfg, "append_changes")))
        rc = unsupported(id, "append_changes",
                         "Flink CDC's StarRocks sink needs primary-key tables", err);
    json_t *flush = json_object_get(cfg, "flush");
    static const char *const flush_keys[] = {"bytes", "interval", NULL};
    if (rc == 0 && flush && json_object_get(flush, "rows"))
        rc = unsupported(id, "flush.rows", "Flink CDC's StarRocks sink flushes by bytes and time",
                         err);
    else if (rc == 0 && flush)
        rc = checked_keys(flush, id, flush_keys, err);
    if (rc != 0)
        return rc;
    gen_fy_emit_scalar(w, "sink");
    gen_fy_emit_map_start(w);
    gen_fy_emit_kv(w, "type", "starrocks");
    gen_fy_emit_kv(w, "name", id);
    const char *q = json_string_value(json_object_get(cfg, "query_url"));
    if (q) {
        rt_buf b;
        rt_buf_init(&b);
        if (strncmp(q, "jdbc:mysql://", 13) == 0)
            q += 13;
        else if (strncmp(q, "mysql://", 8) == 0)
            q += 8;
        rt_buf_appendf(&b, "jdbc:mysql://%s", q);
        gen_fy_emit_kv(w, "jdbc-url", b.data);
        rt_buf_fini(&b);
    }
    json_t *lu = json_object_get(cfg, "load_url");
    if (json_array_size(lu)) {
        rt_buf b;
        rt_buf_init(&b);
        for (size_t i = 0; i < json_array_size(lu); i++)
            rt_buf_appendf(&b, "%s%s", i ? ";" : "", json_string_value(json_array_get(lu, i)));
        gen_fy_emit_kv(w, "load-url", b.data);
        rt_buf_fini(&b);
    }
    if ((t = text_of(json_object_get(cfg, "user"), buf, sizeof buf)))
        gen_fy_emit_kv(w, "username", t);
    rc = password(w, cfg, id, err);
    if (rc == 0 && (t = text_of(json_object_get(cfg, "label_prefix"), buf, sizeof buf)))
        gen_fy_emit_kv(w, "sink.label-prefix", t);
    if (rc == 0 && flush && (v = json_object_get(flush, "bytes"))) {
        uint64_t bytes = 0;
        if (json_is_integer(v))
            bytes = (uint64_t)json_integer_value(v);
        else if (!json_is_string(v) || rt_size_parse(json_string_value(v), &bytes, NULL) != 0)
            rc = rt_err_set(err, RT_EINVAL, "vertex '%s': config.flush.bytes: expected a size", id);
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)bytes);
        if (rc == 0)
            gen_fy_emit_kv(w, "sink.buffer-flush.max-bytes", buf);
    }
    if (rc == 0 && flush && json_object_get(flush, "interval"))
        rc = flink_duration(w, "sink.buffer-flush.interval-ms", json_object_get(flush, "interval"),
                            id, "flush.interval", true, err);
    if (rc == 0 && json_object_get(cfg, "connect_timeout"))
        rc = flink_duration(w, "sink.connect.timeout-ms", json_object_get(cfg, "connect_timeout"),
                            id, "connect_timeout", true, err);
    if (rc == 0 && json_object_get(cfg, "socket_timeout"))
        rc = flink_duration(w, "sink.socket.timeout-ms", json_object_get(cfg, "socket_timeout"), id,
                            "socket_timeout", true, err);
    if (rc == 0 && (t = text_of(json_object_get(cfg, "max_filter_ratio"), buf, sizeof buf)))
        gen_fy_emit_kv(w, "sink.properties.max_filter_ratio", t);
    const char *k = NULL;
    json_object_foreach(json_object_get(cfg, "properties"), k, v)
    {
        rt_buf b;
        rt_buf_init(&b);
        rt_buf_appendf(&b, "sink.properties.%s", k);
        if (rc == 0 && !(t = text_of(v, buf, sizeof buf)))
            rc = rt_err_set(err, RT_EINVAL, "vertex '%s': config.properties.%s: expected a value",
                            id, k);
        if (rc == 0)
            gen_fy_emit_kv(w, b.data, t);
        rt_buf_fini(&b);
    }
    gen_fy_emit_map_end(w);
    return rc;
}

static int join(json_t *a, const char *vertex, const char *key, rt_buf *out, rt_err *err)
{
    for (size_t i = 0; i < json_array_size(a); i++) {
        const char *s = json_string_value(json_array_get(a, i));
        if (!s)
            return rt_err_set(err, RT_EINVAL, "vertex '%s': config.%s[%zu]: expected a string",
                              vertex, key, i);
        rt_buf_appendf(out, "%s%s", i ? ", " : "", s);
    }
    return 0;
}

/* A filter and a project over the same tables (either may be NULL) become one transform rule. */
static int write_transform(gen_fy_emitter *w, json_t *fv, json_t *pv, rt_err *err)
{
    json_t *f = json_object_get(fv, "config"), *p = json_object_get(pv, "config");
    json_t *tabs = p ? json_object_get(p, "tables") : json_object_get(f, "tables");
    const char *id = vid(p ? pv : fv);
    static const char *const pkeys[] = {"tables", "columns", "primary_key", NULL};
    static const char *const fkeys[] = {"tables", "where", NULL};
    int rc = p ? checked_keys(p, id, pkeys, err) : 0;
    if (rc == 0 && f)
        rc = checked_keys(f, vid(fv), fkeys, err);
    rt_buf src, cols, keys;
    rt_buf_init(&src);
    rt_buf_init(&cols);
    rt_buf_init(&keys);
    if (rc == 0 && tabs)
        rc = patterns(tabs, id, "tables", &src, err);
    else if (rc == 0)
        rt_buf_append_str(&src, "\\.*.\\.*");
    if (rc == 0 && p)
        rc = join(json_object_get(p, "columns"), id, "columns", &cols, err);
    if (rc == 0 && p)
        rc = join(json_object_get(p, "primary_key"), id, "primary_key", &keys, err);
    const char *where = f ? json_string_value(json_object_get(f, "where")) : NULL;
    if (rc == 0 && f && !where)
        rc = rt_err_set(err, RT_EINVAL, "vertex '%s': config.where: expected a string", vid(fv));
    if (rc == 0 && where && p) {
        char **items = NULL;
        size_t n = 0;
        const char *hit = NULL;
        rc = gen_fy_split_top_commas(cols.data ? cols.data : "*", &items, &n, err);
        if (rc == 0 && gen_fy_filter_uses(where, items, n, &hit))
            rc = rt_err_set(err, RT_EUNSUPPORTED,
                            "vertex '%s': config.where names the computed column of '%s': "
                            "Flink CDC would filter on the computed value",
                            vid(fv), hit);
        gen_fy_strv_free(items, n);
    }
    if (rc == 0) {
        gen_fy_emit_map_start(w);
        gen_fy_emit_kv(w, "source-table", src.data);
        if (p)
            gen_fy_emit_kv(w, "projection", cols.data ? cols.data : "*");
        if (where)
            gen_fy_emit_kv(w, "filter", where);
        if (keys.data)
            gen_fy_emit_kv(w, "primary-keys", keys.data);
        gen_fy_emit_map_end(w);
    }
    rt_buf_fini(&src);
    rt_buf_fini(&cols);
    rt_buf_fini(&keys);
    return rc;
}

static const char *text_or_empty(json_t *v)
{
    return json_is_string(v) ? json_string_value(v) : "";
}

static bool same_tables(json_t *a, json_t *b)
{
    return json_equal(json_object_get(json_object_get(a, "config"), "tables"),
                      json_object_get(json_object_get(b, "config"), "tables"));
}

/* The filters and projects as rules: a filter and a project next to each other over the same
 * tables make one rule. Flink applies the first rule that matches a table and Sluice every vertex
 * in turn: the same only when the rules name distinct exact tables. */
static int write_transforms(gen_fy_emitter *w, chain *c, rt_err *err)
{
    json_t *fv[GEN_FY_MAX_RULES], *pv[GEN_FY_MAX_RULES];
    size_t n = 0;
    for (size_t i = 0; i < c->ntf; i++, n++) {
        bool filter = strcmp(json_string_value(json_object_get(c->tf[i], "type")), "filter") == 0;
        fv[n] = filter ? c->tf[i] : NULL;
        pv[n] = filter ? NULL : c->tf[i];
        if (i + 1 < c->ntf && same_tables(c->tf[i], c->tf[i + 1]) &&
            strcmp(json_string_value(json_object_get(c->tf[i], "type")),
                   json_string_value(json_object_get(c->tf[i + 1], "type"))) != 0) {
            i++;
            *(filter ? &pv[n] : &fv[n]) = c->tf[i];
        }
    }
    for (size_t i = 0; n > 1 && i < c->ntf; i++) {
        json_t *tabs = json_object_get(json_object_get(c->tf[i], "config"), "tables");
        for (size_t t = 0; t < json_array_size(tabs); t++) {
            const char *re = json_string_value(json_array_get(tabs, t));
            bool clash = !re || !gen_fy_regex_is_literal(re);
            for (size_t j = 0; !clash && j < c->ntf; j++) {
                json_t *other = json_object_get(json_object_get(c->tf[j], "config"), "tables");
                for (size_t u = 0; !clash && j != i && !same_tables(c->tf[i], c->tf[j]) &&
                                   u < json_array_size(other);
                     u++)
                    clash = gen_fy_regex_share_branch(re, text_or_empty(json_array_get(other, u)));
            }
            if (clash)
                return unsupported(vid(c->tf[i]), "tables",
                                   "several Flink CDC transform rules match like Sluice's "
                                   "vertices only when they name distinct exact tables",
                                   err);
        }
    }
    gen_fy_emit_scalar(w, "transform");
    gen_fy_emit_seq_start(w);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = write_transform(w, fv[i], pv[i], err);
    gen_fy_emit_seq_end(w);
    return rc;
}

/* A route rule's source_columns become a transform that adds them before the route, as Flink CDC
 * runs transforms on the source tables: `*, __schema_name__ AS col` (the database) and
 * `__table_name__ AS col` (the table). One such rule at most, and no other transform: Flink
 * applies the first transform rule that matches a table. */
static int write_source_columns(gen_fy_emitter *w, chain *c, bool *wrote, rt_err *err)
{
    json_t *rules = c->route_cfg ? json_object_get(c->route_cfg, "routes") : NULL;
    json_t *rule = NULL;
    for (size_t i = 0; i < json_array_size(rules); i++) {
        json_t *r = json_array_get(rules, i);
        if (json_object_size(json_object_get(r, "source_columns")) == 0)
            continue;
        if (rule || c->ntf)
            return unsupported(vid(c->route), "routes",
                               "source_columns become a Flink CDC transform, and Flink applies "
                               "one transform rule per table: one rule with source_columns and "
                               "no filter or project",
                               err);
        rule = r;
    }
    if (!rule)
        return 0;
    rt_buf src, proj;
    rt_buf_init(&src);
    rt_buf_init(&proj);
    const char *re = json_string_value(json_object_get(rule, "source"));
    int rc = re ? gen_fy_table_to_flink(re, &src, err)
                : rt_err_set(err, RT_EINVAL, "vertex '%s': config.routes: a rule without source",
                             vid(c->route));
    rt_buf_append_str(&proj, "*");
    const char *col = NULL;
    json_t *what;
    json_object_foreach(json_object_get(rule, "source_columns"), col, what)
    {
        const char *s = json_string_value(what);
        if (rc == 0 && (!s || (strcmp(s, "database") && strcmp(s, "table"))))
            rc = rt_err_set(err, RT_EINVAL,
                            "vertex '%s': config.routes: source_columns.%s: database or table",
                            vid(c->route), col);
        if (rc == 0)
            rt_buf_appendf(&proj, ", %s AS %s",
                           strcmp(s, "database") == 0 ? "__schema_name__" : "__table_name__", col);
    }
    if (rc == 0) {
        gen_fy_emit_scalar(w, "transform");
        gen_fy_emit_seq_start(w);
        gen_fy_emit_map_start(w);
        gen_fy_emit_kv(w, "source-table", src.data);
        gen_fy_emit_kv(w, "projection", proj.data);
        gen_fy_emit_map_end(w);
        gen_fy_emit_seq_end(w);
        *wrote = true;
    }
    rt_buf_fini(&src);
    rt_buf_fini(&proj);
    return rc;
}

static bool routed(json_t *rules, const char *re)
{
    for (size_t i = 0; i < json_array_size(rules); i++) {
        const char *s = json_string_value(json_object_get(json_array_get(rules, i), "source"));
        if (s && (strcmp(s, re) == 0 || gen_fy_regex_has_branch(s, re)))
            return true;
    }
    return false;
}

/* True when every rule's source names exact tables (see gen_fy_regex_is_literal). */
static bool literal_rules(json_t *rules)
{
    for (size_t i = 0; i < json_array_size(rules); i++) {
        const char *s = json_string_value(json_object_get(json_array_get(rules, i), "source"));
        if (!s || !gen_fy_regex_is_literal(s))
            return false;
    }
    return true;
}

/* Flink CDC writes a table no rule names into its own database; Sluice into the sink's. Rules
 * that keep the name in the sink database make the two agree. */
static int write_routes(gen_fy_emitter *w, chain *c, rt_err *err)
{
    json_t *rules = c->route_cfg ? json_object_get(c->route_cfg, "routes") : NULL;
    json_t *tabs = json_object_get(c->src_cfg, "tables");
    const char *fixed = json_string_value(json_object_get(c->sink_cfg, "table"));
    const char *id = c->route ? vid(c->route) : vid(c->sink);
    int rc = 0;
    bool open = false;
    rt_buf b;
    rt_buf_init(&b);
    if (fixed && c->route)
        rc = unsupported(vid(c->sink), "table", "a fixed table after a route", err);
    for (size_t i = 0; rc == 0 && i < json_array_size(rules); i++) {
        json_t *r = json_array_get(rules, i);
        const char *src = json_string_value(json_object_get(r, "source"));
        const char *dst = json_string_value(json_object_get(r, "target"));
        const char *k = NULL;
        json_t *v;
        json_object_foreach(r, k, v)
        {
            if (rc == 0 && strcmp(k, "key_with_source") == 0 && json_is_true(v))
                rc = unsupported(id, "routes",
                                 "key_with_source: Flink CDC's primary-keys must list the table's "
                                 "own key columns too, which a job does not know",
                                 err);
            else if (rc == 0 && strcmp(k, "source") && strcmp(k, "target") &&
                     strcmp(k, "key_with_source") && strcmp(k, "source_columns"))
                rc = unsupported(id, "routes", "unknown rule key", err);
        }
        if (rc == 0 && (!src || !dst))
            rc = rt_err_set(err, RT_EINVAL,
                            "vertex '%s': config.routes[%zu]: needs source and "
                            "target",
                            id, i);
        rt_buf_reset(&b);
        if (rc == 0 && (rc = gen_fy_table_to_flink(src, &b, err)) != 0)
            rc = rt_err_prefix(err, rc, "vertex '%s': config.routes[%zu].source", id, i);
        if (rc == 0 && !open) {
            gen_fy_emit_scalar(w, "route");
            gen_fy_emit_seq_start(w);
            open = true;
        }
        if (rc == 0)
            rc = gen_fy_emit_route(w, b.data, dst, c->database, id, err);
    }
    char buf[256];
    for (size_t i = 0; rc == 0 && i < json_array_size(tabs); i++) {
        const char *re = json_string_value(json_array_get(tabs, i));
        const char *db = re ? gen_fy_literal_db(re, buf, sizeof buf) : NULL;
        if (!re || routed(rules, re) || (!fixed && db && strcmp(db, c->database) == 0))
            continue;
        /* Flink sends a table to every rule that matches: a same-name rule is safe only where
         * no other rule can match the same table */
        if (c->route && !(gen_fy_regex_is_literal(re) && literal_rules(rules))) {
            rc = unsupported(vid(c->src), "tables",
                             "a table no route names goes to the sink database in Sluice and to "
                             "its own database in Flink CDC: route every source pattern",
                             err);
            break;
        }
        rt_buf_reset(&b);
        if ((rc = gen_fy_table_to_flink(re, &b, err)) != 0)
            break;
        if (!open) {
            gen_fy_emit_scalar(w, "route");
            gen_fy_emit_seq_start(w);
            open = true;
        }
        rc = gen_fy_emit_route(w, b.data, fixed ? fixed : "{table}", c->database, id, err);
    }
    if (open)
        gen_fy_emit_seq_end(w);
    rt_buf_fini(&b);
    return rc;
}

static int write_pipeline(gen_fy_emitter *w, json_t *job, chain *c, rt_err *err)
{
    char buf[64];
    gen_fy_emit_scalar(w, "pipeline");
    gen_fy_emit_map_start(w);
    gen_fy_emit_kv(w, "name", json_string_value(json_object_get(job, "name")));
    snprintf(buf, sizeof buf, "%ld", c->parallelism);
    gen_fy_emit_kv(w, "parallelism", buf);
    const char *zone = json_string_value(json_object_get(c->src_cfg, "server_time_zone"));
    if (zone)
        gen_fy_emit_kv(w, "local-time-zone", zone);
    gen_fy_emit_kv(w, "schema.change.behavior", "ignore");
    /* checkpoint and restart are Flink configuration: the pipeline's flink-conf map */
    json_t *sec[2] = {json_object_get(job, "checkpoint"), json_object_get(job, "restart")};
    const char *names[2] = {"checkpoint", "restart"};
    const char *strategy = json_string_value(json_object_get(sec[1], "strategy"));
    if (!strategy)
        strategy = "exponential-delay"; /* Sluice's default, and Flink's with checkpoints */
    int rc = 0;
    for (size_t s = 0; rc == 0 && s < 2; s++) {
        const char *k = NULL;
        json_t *v;
        json_object_foreach(sec[s], k, v)
        {
            const gen_fy_conf_key *row = gen_fy_conf_keys, *any = NULL;
            for (; row->flink; row++) {
                if (strcmp(row->section, names[s]) || strcmp(row->key, k))
                    continue;
                any = row;
                if (!row->strategy || strcmp(row->strategy, strategy) == 0)
                    break;
            }
            if (rc == 0 && !any)
                rc = rt_err_set(err, RT_EINVAL, "%s.%s: not a %s key", names[s], k, names[s]);
            else if (rc == 0 && !row->flink)
                rc = rt_err_set(err, RT_EUNSUPPORTED,
                                "%s.%s: not used by the %s strategy, and Flink's key for it "
                                "belongs to %s",
                                names[s], k, strategy, any->strategy);
        }
    }
    if (rc == 0 && (json_object_size(sec[0]) || json_object_size(sec[1]))) {
        gen_fy_emit_scalar(w, "flink-conf");
        gen_fy_emit_map_start(w);
        for (const gen_fy_conf_key *row = gen_fy_conf_keys; rc == 0 && row->flink; row++) {
            json_t *v = json_object_get(sec[strcmp(row->section, "restart") == 0], row->key);
            if (!v || (row->strategy && strcmp(row->strategy, strategy) != 0))
                continue;
            if (row->kind == GEN_FY_DURATION)
                rc = flink_duration(w, row->flink, v, row->section, row->key, false, err);
            else if (!text_of(v, buf, sizeof buf) ||
                     (row->kind == GEN_FY_INT && !json_is_integer(v)) ||
                     (row->kind == GEN_FY_REAL && !json_is_number(v)))
                rc = rt_err_set(err, RT_EINVAL, "%s.%s: expected a %s", row->section, row->key,
                                row->kind == GEN_FY_TEXT ? "string" : "number");
            else
                gen_fy_emit_kv(w, row->flink, text_of(v, buf, sizeof buf));
        }
        gen_fy_emit_map_end(w);
    }
    gen_fy_emit_map_end(w);
    return rc;
}

/* The one input of v (an id or {"from": id, ...}), NULL when it has none; -1 in *bad when the
 * inputs are not one plain edge. */
static const char *input_of(json_t *v, bool *bad)
{
    json_t *in = json_object_get(v, "inputs");
    if (!in)
        return NULL;
    if (json_array_size(in) != 1) {
        *bad = true;
        return NULL;
    }
    json_t *e = json_array_get(in, 0);
    if (json_is_string(e))
        return json_string_value(e);
    const char *d = json_string_value(json_object_get(e, "distribution"));
    if (d && strcmp(d, "broadcast") == 0)
        *bad = true;
    return json_string_value(json_object_get(e, "from"));
}

/* Walks mysql_cdc -> ... -> starrocks: one source, every vertex feeding the next alone. */
static int build_chain(json_t *ops, chain *c, rt_err *err)
{
    size_t n = json_array_size(ops), used = 0;
    if (!json_is_array(ops) || n == 0)
        return rt_err_set(err, RT_EINVAL, "operators: expected a list of vertices");
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(ops, i);
        const char *type = json_string_value(json_object_get(v, "type"));
        bool bad = false;
        if (!json_is_object(v) || !type || !json_string_value(json_object_get(v, "id")))
            return rt_err_set(err, RT_EINVAL, "operators[%zu]: expected a vertex with id and type",
                              i);
        if (!input_of(v, &bad) && !bad) {
            if (c->src || strcmp(type, "mysql_cdc") != 0)
                return rt_err_set(err, RT_EUNSUPPORTED,
                                  "vertex '%s': a Flink CDC pipeline has one source, of type "
                                  "mysql_cdc (this is a %s)",
                                  vid(v), type);
            c->src = v;
        }
    }
    if (!c->src)
        return rt_err_set(err, RT_EUNSUPPORTED, "no mysql_cdc source vertex");
    json_t *cur = c->src;
    for (used = 1; cur; used++) {
        json_t *next = NULL;
        for (size_t i = 0; i < n; i++) {
            json_t *v = json_array_get(ops, i);
            bool bad = false;
            const char *from = input_of(v, &bad);
            if (bad)
                return rt_err_set(err, RT_EUNSUPPORTED,
                                  "vertex '%s': a Flink CDC pipeline is a chain: one input "
                                  "edge per vertex, no broadcast",
                                  vid(v));
            if (from && strcmp(from, vid(cur)) == 0) {
                if (next)
                    return rt_err_set(err, RT_EUNSUPPORTED,
                                      "vertex '%s': fans out to '%s' and '%s': a Flink CDC "
                                      "pipeline is a chain",
                                      vid(cur), vid(next), vid(v));
                next = v;
            }
        }
        if (!next)
            break;
        const char *type = json_string_value(json_object_get(next, "type"));
        bool tf = strcmp(type, "filter") == 0 || strcmp(type, "project") == 0;
        json_t **slot = tf && c->ntf < GEN_FY_MAX_RULES  ? &c->tf[c->ntf]
                        : strcmp(type, "route") == 0     ? &c->route
                        : strcmp(type, "starrocks") == 0 ? &c->sink
                                                         : NULL;
        if (!slot || *slot || c->sink || (c->route && slot != &c->sink))
            return rt_err_set(err, RT_EUNSUPPORTED,
                              "vertex '%s' (%s): Flink CDC pipelines are mysql_cdc -> [filter] "
                              "-> [project] -> [route] -> starrocks",
                              vid(next), type);
        *slot = next;
        c->ntf += tf;
        cur = next;
    }
    if (!c->sink)
        return rt_err_set(err, RT_EUNSUPPORTED,
                          "vertex '%s': the chain does not end in a "
                          "starrocks sink",
                          vid(cur));
    if (used != n)
        return rt_err_set(err, RT_EUNSUPPORTED,
                          "operators: %zu vertices are not on the source -> sink chain", n - used);
    json_t *all[GEN_FY_MAX_RULES + 3] = {c->src, c->route, c->sink};
    json_t **cfgs[GEN_FY_MAX_RULES + 3] = {&c->src_cfg, &c->route_cfg, &c->sink_cfg};
    for (size_t i = 0; i < c->ntf; i++) {
        all[3 + i] = c->tf[i];
        cfgs[3 + i] = &c->tf_cfg[i];
    }
    c->parallelism = 0;
    for (size_t i = 0; i < 3 + c->ntf; i++) {
        if (!all[i])
            continue;
        json_t *p = json_object_get(all[i], "parallelism");
        long par = p ? (long)json_integer_value(p) : 1;
        if (c->parallelism && par != c->parallelism)
            return rt_err_set(err, RT_EUNSUPPORTED,
                              "vertex '%s': parallelism %ld differs from %ld: Flink CDC has one "
                              "pipeline parallelism",
                              vid(all[i]), par, c->parallelism);
        c->parallelism = par;
        *cfgs[i] = json_object_get(all[i], "config");
        if (!json_is_object(*cfgs[i]))
            return rt_err_set(err, RT_EINVAL, "vertex '%s': expected a config object", vid(all[i]));
    }
    c->database = json_string_value(json_object_get(c->sink_cfg, "database"));
    if (!c->database)
        return rt_err_set(err, RT_EINVAL, "vertex '%s': config.database: required", vid(c->sink));
    return 0;
}

int gen_flink_yaml_format(const char *job_json, char **yaml, rt_err *err)
{
    json_error_t jerr;
    json_t *job = json_loads(job_json, 0, &jerr);
    if (!job)
        return rt_err_set(err, RT_EINVAL, "job JSON line %d column %d: %s", jerr.line, jerr.column,
                          jerr.text);
    chain c = {0};
    int rc = 0;
    const char *k = NULL;
    json_t *v;
    json_object_foreach(job, k, v)
    {
        if (rc == 0 && strcmp(k, "name") && strcmp(k, "checkpoint") && strcmp(k, "restart") &&
            strcmp(k, "operators"))
            rc = rt_err_set(err, RT_EINVAL, "%s: not a job key", k);
    }
    if (rc == 0 && !json_string_value(json_object_get(job, "name")))
        rc = rt_err_set(err, RT_EINVAL, "name: required");
    if (rc == 0)
        rc = build_chain(json_object_get(job, "operators"), &c, err);
    gen_fy_emitter *w = gen_fy_emitter_new();
    if (!w) {
        json_decref(job);
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    }
    gen_fy_emit_map_start(w);
    if (rc == 0)
        rc = write_source(w, &c, err);
    if (rc == 0)
        rc = write_sink(w, &c, err);
    bool wrote = false;
    if (rc == 0)
        rc = write_source_columns(w, &c, &wrote, err);
    if (rc == 0 && !wrote && c.ntf)
        rc = write_transforms(w, &c, err);
    if (rc == 0)
        rc = write_routes(w, &c, err);
    if (rc == 0)
        rc = write_pipeline(w, job, &c, err);
    gen_fy_emit_map_end(w);
    if (rc == 0)
        rc = gen_fy_emitter_finish(w, yaml, err);
    gen_fy_emitter_free(w);
    json_decref(job);
    return rc;
}
