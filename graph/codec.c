/* The job file codec: JSON text -> validated graph_job (structure and per-operator checks here,
 * graph-level checks in validate.c), and graph_job -> canonical JSON. */
#include "graph/codec.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/job_graph_int.h"
#include "graph/validate.h"
#include "runtime/base/buf.h"
#include "runtime/base/json_text.h"

#define NAME_MAX_LEN 128
#define ID_MAX_LEN 64
#define PARALLELISM_MAX 256
/* Job files are a few kilobytes; the cap keeps a wrong path (a log, a device) out of memory. */
#define FILE_MAX_SIZE (16u << 20)

static const rt_config_field checkpoint_table[] = {
    {.key = "interval",
     .type = RT_CFG_DURATION,
     .def = "\"0ms\"",
     .offset = offsetof(graph_checkpoint_cfg, interval_ms),
     .help = "time between checkpoint triggers; 0 disables periodic checkpoints"},
    /* A zero timeout would abort every checkpoint the moment it is triggered. */
    {.key = "timeout",
     .type = RT_CFG_DURATION,
     .def = "\"10m\"",
     .offset = offsetof(graph_checkpoint_cfg, timeout_ms),
     .flags = RT_CFG_RANGE,
     .min = 1,
     .max = INT64_MAX,
     .help = "a checkpoint not completed by then is aborted"},
    {.key = "min_pause",
     .type = RT_CFG_DURATION,
     .def = "\"0ms\"",
     .offset = offsetof(graph_checkpoint_cfg, min_pause_ms),
     .help = "least time from the end of one checkpoint to the trigger of the next"},
    {.key = "max_concurrent",
     .type = RT_CFG_INT,
     .def = "1",
     .offset = offsetof(graph_checkpoint_cfg, max_concurrent),
     .flags = RT_CFG_RANGE,
     .min = 1,
     .max = 16,
     .help = "checkpoints in flight at once"},
    {.key = "retain",
     .type = RT_CFG_INT,
     .def = "3",
     .offset = offsetof(graph_checkpoint_cfg, retain),
     .flags = RT_CFG_RANGE,
     .min = 1,
     .max = 100,
     .help = "completed checkpoints kept"},
    {.key = NULL},
};

static const rt_config_field restart_table[] = {
    {.key = "strategy",
     .type = RT_CFG_ENUM,
     .def = "\"exponential-delay\"",
     .offset = offsetof(graph_restart_cfg, strategy),
     .choices = graph_restart_strategy_names,
     .help = "what happens after a task fails"},
    {.key = "attempts",
     .type = RT_CFG_INT,
     .def = "3",
     .offset = offsetof(graph_restart_cfg, attempts),
     .flags = RT_CFG_RANGE,
     .min = 0,
     .max = INT64_MAX,
     .help = "fixed-delay: restarts before the job fails"},
    {.key = "delay",
     .type = RT_CFG_DURATION,
     .def = "\"1s\"",
     .offset = offsetof(graph_restart_cfg, delay_ms),
     .help = "fixed-delay: wait before a restart"},
    {.key = "initial",
     .type = RT_CFG_DURATION,
     .def = "\"1s\"",
     .offset = offsetof(graph_restart_cfg, initial_ms),
     .help = "exponential-delay: the first backoff"},
    {.key = "max",
     .type = RT_CFG_DURATION,
     .def = "\"1m\"",
     .offset = offsetof(graph_restart_cfg, max_ms),
     .help = "exponential-delay: the largest backoff"},
    {.key = "multiplier",
     .type = RT_CFG_DOUBLE,
     .def = "2.0",
     .offset = offsetof(graph_restart_cfg, multiplier),
     .help = "exponential-delay: backoff growth per failure (>= 1)"},
    {.key = "reset",
     .type = RT_CFG_DURATION,
     .def = "\"1h\"",
     .offset = offsetof(graph_restart_cfg, reset_ms),
     .help = "exponential-delay: time without failure that resets the backoff"},
    {.key = "max_failures",
     .type = RT_CFG_INT,
     .def = "1",
     .offset = offsetof(graph_restart_cfg, max_failures),
     .flags = RT_CFG_RANGE,
     .min = 1,
     .max = INT64_MAX,
     .help = "failure-rate: failures allowed per interval"},
    {.key = "interval",
     .type = RT_CFG_DURATION,
     .def = "\"1m\"",
     .offset = offsetof(graph_restart_cfg, interval_ms),
     .help = "failure-rate: the window failures are counted in"},
    {.key = NULL},
};

/* Types whose catalog entry has no table get this one: an empty table still rejects every key. */
static const rt_config_field no_fields[] = {{.key = NULL}};

/* Sets err to "<path>: expected <what>, got <excerpt of the value>", the form rt_config_apply
 * uses, so that every message about a job file reads alike. */
static int expected(rt_err *err, const char *path, const char *what, const json_t *got)
{
    rt_buf msg;
    rt_buf_init(&msg);
    rt_buf_appendf(&msg, "%s: expected %s, got ", path, what);
    rt_json_text_append_excerpt(&msg, got);
    rt_err_set(err, RT_EINVAL, "%s", msg.data);
    rt_buf_fini(&msg);
    return RT_EINVAL;
}

/* Rejects any key of obj not in `known` (NULL-terminated), naming the known ones. The message
 * reads like rt_config_apply's, so that every "unknown key" of a job file looks the same. */
static int check_keys(const json_t *obj, const char *path, const char *const *known,
                      const char *known_text, rt_err *err)
{
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)obj, key, value)
    {
        size_t i = 0;
        while (known[i] && strcmp(known[i], key) != 0)
            i++;
        if (known[i])
            continue;
        rt_buf msg;
        rt_buf_init(&msg);
        rt_buf_appendf(&msg, "%s: unknown key ", path);
        rt_buf_append_json_str(&msg, key, strlen(key));
        rt_buf_appendf(&msg, " (known: %s)", known_text);
        rt_err_set(err, RT_EINVAL, "%s", msg.data);
        rt_buf_fini(&msg);
        return RT_EINVAL;
    }
    return 0;
}

/* len characters of [A-Za-z0-9_-], plus '.' when dots are allowed (job names, not ids). */
static bool is_name(const char *s, size_t max_len, bool dots)
{
    size_t len = strlen(s);
    if (len == 0 || len > max_len)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || (dots && c == '.');
        if (!ok)
            return false;
    }
    return true;
}

/* Applies an optional settings object ("checkpoint", "restart") through its table. */
static int parse_settings(const json_t *root, const char *key, const rt_config_field *table,
                          void *obj, rt_err *err)
{
    char path[32];
    snprintf(path, sizeof path, "$.%s", key);
    const json_t *v = json_object_get(root, key);
    if (v && !json_is_object(v))
        return expected(err, path, "an object", v);
    char *text = v ? rt_json_text_format(v, 0) : NULL;
    int rc = rt_config_apply(table, obj, text, path, err);
    free(text);
    return rc;
}

static int check_restart(const graph_restart_cfg *r, rt_err *err)
{
    /* A multiplier below 1 would shrink the backoff after each failure: a restart storm. The
     * table has no range for doubles, so the rule lives here. */
    if (!(r->multiplier >= 1.0))
        return rt_err_set(err, RT_EINVAL, "$.restart.multiplier: expected a number ≥ 1, got %g",
                          r->multiplier);
    return 0;
}

/* Runs the operator's config table and validate hook over its config object, on a scratch
 * struct: the graph only keeps the text, the operator applies it again when it opens. */
static int check_config(const graph_type_info *info, const char *config_json, const char *path,
                        rt_err *err)
{
    const rt_config_field *table = info->config ? info->config : no_fields;
    void *obj = calloc(1, info->config_size ? info->config_size : 1);
    if (!obj)
        return rt_err_set(err, RT_ENOMEM, "%s: out of memory", path);
    int rc = rt_config_apply(table, obj, config_json, path, err);
    if (rc == 0 && info->validate)
        rc = info->validate(obj, path, err);
    rt_config_free(table, obj);
    free(obj);
    return rc;
}

static int parse_input(const json_t *v, const char *path, graph_input_decl *decl, rt_err *err)
{
    static const char *const keys[] = {"from", "distribution", NULL};
    if (json_is_string(v)) {
        decl->from = strdup(json_string_value(v));
    } else if (json_is_object(v)) {
        int rc = check_keys(v, path, keys, "from, distribution", err);
        if (rc != 0)
            return rc;
        char sub[112];
        const json_t *from = json_object_get(v, "from");
        snprintf(sub, sizeof sub, "%s.from", path);
        if (!from)
            return rt_err_set(err, RT_EINVAL, "%s: required key is missing", sub);
        if (!json_is_string(from))
            return expected(err, sub, "an operator id string", from);
        const json_t *dist = json_object_get(v, "distribution");
        if (dist) {
            snprintf(sub, sizeof sub, "%s.distribution", path);
            if (!json_is_string(dist))
                return expected(err, sub, "a string", dist);
            if (graph_distribution_parse(json_string_value(dist), &decl->distribution) != 0)
                return rt_err_set(err, RT_EINVAL,
                                  "%s: unknown distribution \"%s\" (known: forward, rebalance, "
                                  "hash, broadcast)",
                                  sub, json_string_value(dist));
            decl->has_distribution = true;
        }
        decl->is_object = true;
        decl->from = strdup(json_string_value(from));
    } else {
        return expected(err, path, "an operator id or an object {\"from\": ...}", v);
    }
    if (!decl->from)
        return rt_err_set(err, RT_ENOMEM, "%s: out of memory", path);
    return 0;
}

static int parse_inputs(const json_t *op, const char *base, graph_input_decls *decls, rt_err *err)
{
    char path[64];
    snprintf(path, sizeof path, "%s.inputs", base);
    const json_t *inputs = json_object_get(op, "inputs");
    if (!inputs)
        return 0;
    if (!json_is_array(inputs))
        return expected(err, path, "an array", inputs);
    size_t count = json_array_size(inputs);
    if (count == 0)
        return 0;
    decls->items = calloc(count, sizeof *decls->items);
    if (!decls->items)
        return rt_err_set(err, RT_ENOMEM, "%s: out of memory", path);
    for (size_t j = 0; j < count; j++) {
        char in_path[96];
        snprintf(in_path, sizeof in_path, "%s[%zu]", path, j);
        decls->count++; /* counted before parsing so that fini frees a half-filled entry */
        int rc = parse_input(json_array_get(inputs, j), in_path, &decls->items[j], err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int parse_operator(const json_t *op, size_t i, const graph_catalog *catalog, graph_job *job,
                          graph_input_decls *decls, rt_err *err)
{
    static const char *const keys[] = {"id", "type", "parallelism", "config", "inputs", NULL};
    char base[40], path[64];
    snprintf(base, sizeof base, "$.operators[%zu]", i);
    if (!json_is_object(op))
        return expected(err, base, "an object", op);
    int rc = check_keys(op, base, keys, "id, type, parallelism, config, inputs", err);
    if (rc != 0)
        return rc;
    graph_vertex *v = &job->vertices[i];

    const json_t *id = json_object_get(op, "id");
    snprintf(path, sizeof path, "%s.id", base);
    if (!id)
        return rt_err_set(err, RT_EINVAL, "%s: required key is missing", path);
    if (!json_is_string(id) || !is_name(json_string_value(id), ID_MAX_LEN, false))
        return expected(err, path, "1..64 characters of [A-Za-z0-9_-]", id);
    long first = graph_job_find_vertex(job, json_string_value(id));
    if (first >= 0)
        return rt_err_set(err, RT_EINVAL, "%s: duplicate id \"%s\" (first at $.operators[%ld])",
                          path, json_string_value(id), first);

    const json_t *type = json_object_get(op, "type");
    snprintf(path, sizeof path, "%s.type", base);
    if (!type)
        return rt_err_set(err, RT_EINVAL, "%s: required key is missing", path);
    if (!json_is_string(type))
        return expected(err, path, "an operator type name", type);
    const graph_type_info *info = catalog->find(catalog->ctx, json_string_value(type));
    if (!info) {
        char known[256] = "";
        if (catalog->list)
            catalog->list(catalog->ctx, known, sizeof known);
        return rt_err_set(err, RT_EINVAL, "%s: unknown operator type \"%s\" (known: %s)", path,
                          json_string_value(type), known);
    }

    const json_t *par = json_object_get(op, "parallelism");
    snprintf(path, sizeof path, "%s.parallelism", base);
    if (par && (!json_is_integer(par) || json_integer_value(par) < 1 ||
                json_integer_value(par) > PARALLELISM_MAX))
        return expected(err, path, "an integer ≥ 1 and ≤ 256", par);

    const json_t *config = json_object_get(op, "config");
    snprintf(path, sizeof path, "%s.config", base);
    if (config && !json_is_object(config))
        return expected(err, path, "an object", config);

    v->id = strdup(json_string_value(id));
    v->type = strdup(info->name);
    v->config_json = config ? rt_json_text_format(config, 0) : strdup("{}");
    if (!v->id || !v->type || !v->config_json)
        return rt_err_set(err, RT_ENOMEM, "%s: out of memory", base);
    v->kind = info->kind;
    v->parallelism = par ? (uint32_t)json_integer_value(par) : 1;

    rc = parse_inputs(op, base, decls, err);
    if (rc != 0)
        return rc;
    return check_config(info, v->config_json, path, err);
}

static int parse_operators(const json_t *root, const graph_catalog *catalog, graph_job *job,
                           rt_err *err)
{
    const json_t *ops = json_object_get(root, "operators");
    if (!ops)
        return rt_err_set(err, RT_EINVAL, "$.operators: required key is missing");
    if (!json_is_array(ops))
        return expected(err, "$.operators", "an array", ops);
    size_t count = json_array_size(ops);
    if (count == 0)
        return rt_err_set(err, RT_EINVAL, "$.operators: expected at least one operator");
    /* Validation is quadratic in places (id lookups); the cap keeps a hostile submission cheap
     * while staying far above any real pipeline. */
    if (count > GRAPH_CODEC_MAX_OPERATORS)
        return rt_err_set(err, RT_EINVAL, "$.operators: expected at most %d operators, got %zu",
                          GRAPH_CODEC_MAX_OPERATORS, count);

    job->vertices = calloc(count, sizeof *job->vertices);
    graph_input_decls *decls = calloc(count, sizeof *decls);
    if (!job->vertices || !decls) {
        free(decls);
        return rt_err_set(err, RT_ENOMEM, "$.operators: out of memory");
    }
    int rc = 0;
    for (size_t i = 0; i < count && rc == 0; i++) {
        /* Counted first: graph_job_free must see a vertex that failed half way. */
        job->vertex_count = i + 1;
        rc = parse_operator(json_array_get(ops, i), i, catalog, job, &decls[i], err);
    }
    if (rc == 0)
        rc = graph_validate_edges(job, decls, err);
    for (size_t i = 0; i < count; i++)
        graph_input_decls_fini(&decls[i]);
    free(decls);
    return rc;
}

static int parse_root(const json_t *root, const graph_catalog *catalog, graph_job *job, rt_err *err)
{
    static const char *const keys[] = {"name", "checkpoint", "restart", "operators", NULL};
    if (!json_is_object(root))
        return expected(err, "$", "an object", root);
    int rc = check_keys(root, "$", keys, "name, checkpoint, restart, operators", err);
    if (rc != 0)
        return rc;

    const json_t *name = json_object_get(root, "name");
    if (!name)
        return rt_err_set(err, RT_EINVAL, "$.name: required key is missing");
    if (!json_is_string(name) || !is_name(json_string_value(name), NAME_MAX_LEN, true))
        return expected(err, "$.name", "1..128 characters of [A-Za-z0-9_.-]", name);
    job->name = strdup(json_string_value(name));
    if (!job->name)
        return rt_err_set(err, RT_ENOMEM, "$.name: out of memory");

    rc = parse_settings(root, "checkpoint", checkpoint_table, &job->checkpoint, err);
    rt_config_free(checkpoint_table, &job->checkpoint);
    if (rc != 0)
        return rc;
    rc = parse_settings(root, "restart", restart_table, &job->restart, err);
    rt_config_free(restart_table, &job->restart);
    if (rc == 0)
        rc = check_restart(&job->restart, err);
    if (rc != 0)
        return rc;
    return parse_operators(root, catalog, job, err);
}

int graph_codec_parse(const char *text, size_t len, const graph_catalog *catalog, graph_job **out,
                      rt_err *err)
{
    RT_ASSERT(catalog && catalog->find);
    json_error_t jerr;
    /* Duplicate keys are rejected: with them the file would mean whatever the parser's
     * last-one-wins rule says, not what its author read. */
    json_t *root = json_loadb(text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return rt_err_set(err, RT_EINVAL, "$: invalid JSON at line %d column %d: %s", jerr.line,
                          jerr.column, jerr.text);
    graph_job *job = calloc(1, sizeof *job);
    if (!job) {
        json_decref(root);
        return rt_err_set(err, RT_ENOMEM, "$: out of memory");
    }
    int rc = parse_root(root, catalog, job, err);
    json_decref(root);
    if (rc != 0) {
        graph_job_free(job);
        return rc;
    }
    *out = job;
    return 0;
}

int graph_codec_parse_file(const char *path, const graph_catalog *catalog, graph_job **out,
                           rt_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return rt_err_set(err, errno == ENOENT ? RT_ENOTFOUND : RT_EIO, "%s: cannot read: %s", path,
                          strerror(errno));
    char *text = NULL;
    size_t len = 0, cap = 0;
    int rc = 0;
    for (;;) {
        if (len == cap) {
            if (cap >= FILE_MAX_SIZE) {
                rc = rt_err_set(err, RT_EINVAL, "%s: cannot read: larger than 16MiB", path);
                break;
            }
            cap = cap ? cap * 2 : 4096;
            char *grown = realloc(text, cap);
            if (!grown) {
                rc = rt_err_set(err, RT_ENOMEM, "%s: cannot read: out of memory", path);
                break;
            }
            text = grown;
        }
        size_t n = fread(text + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            if (ferror(f))
                rc = rt_err_set(err, RT_EIO, "%s: cannot read: %s", path, strerror(errno));
            break;
        }
    }
    fclose(f);
    if (rc == 0) {
        rc = graph_codec_parse(text ? text : "", len, catalog, out, err);
        if (rc != 0)
            rt_err_prefix(err, rc, "%s", path);
    }
    free(text);
    return rc;
}

static json_t *duration(int64_t ms)
{
    char buf[32];
    rt_duration_format(ms, buf, sizeof buf);
    return json_string(buf);
}

static json_t *format_checkpoint(const graph_checkpoint_cfg *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "interval", duration(c->interval_ms));
    json_object_set_new(o, "timeout", duration(c->timeout_ms));
    json_object_set_new(o, "min_pause", duration(c->min_pause_ms));
    json_object_set_new(o, "max_concurrent", json_integer(c->max_concurrent));
    json_object_set_new(o, "retain", json_integer(c->retain));
    return o;
}

static json_t *format_restart(const graph_restart_cfg *r)
{
    json_t *o = json_object();
    json_object_set_new(
        o, "strategy",
        json_string(graph_restart_strategy_name((graph_restart_strategy)r->strategy)));
    json_object_set_new(o, "attempts", json_integer(r->attempts));
    json_object_set_new(o, "delay", duration(r->delay_ms));
    json_object_set_new(o, "initial", duration(r->initial_ms));
    json_object_set_new(o, "max", duration(r->max_ms));
    json_object_set_new(o, "multiplier", json_real(r->multiplier));
    json_object_set_new(o, "reset", duration(r->reset_ms));
    json_object_set_new(o, "max_failures", json_integer(r->max_failures));
    json_object_set_new(o, "interval", duration(r->interval_ms));
    return o;
}

char *graph_codec_format(const graph_job *job)
{
    json_t *root = json_object();
    json_object_set_new(root, "name", json_string(job->name));
    json_object_set_new(root, "checkpoint", format_checkpoint(&job->checkpoint));
    json_object_set_new(root, "restart", format_restart(&job->restart));
    json_t *ops = json_array();
    size_t e = 0;
    for (size_t i = 0; i < job->vertex_count; i++) {
        const graph_vertex *v = &job->vertices[i];
        json_t *op = json_object();
        json_object_set_new(op, "id", json_string(v->id));
        json_object_set_new(op, "type", json_string(v->type));
        json_object_set_new(op, "parallelism", json_integer(v->parallelism));
        /* The config stays as written rather than with the table's defaults filled in: the
         * effective form masks secrets, and the graph layer keeps no config struct to print. */
        json_object_set_new(op, "config", json_loads(v->config_json, 0, NULL));
        json_t *inputs = json_array();
        /* Edges are sorted by consumer, so this vertex's inputs are the next run of them. */
        for (; e < job->edge_count && job->edges[e].to == i; e++) {
            const graph_edge *edge = &job->edges[e];
            json_t *in = json_object();
            json_object_set_new(in, "from", json_string(job->vertices[edge->from].id));
            json_object_set_new(in, "distribution",
                                json_string(graph_distribution_name(edge->distribution)));
            json_array_append_new(inputs, in);
        }
        json_object_set_new(op, "inputs", inputs);
        json_array_append_new(ops, op);
    }
    json_object_set_new(root, "operators", ops);
    char *text = rt_json_text_format(root, 2);
    json_decref(root);
    return text;
}
