/* The generated job graph. The route vertex names each merged or renamed target's shards
 * exactly (an alternation of escaped names) rather than reusing a --route regex: routes apply
 * first-match in list order, and exact names keep one target's rule from catching another's
 * tables whatever order the targets come in. */
#include "jobs/codegen/job_gen.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/base/buf.h"
#include "runtime/base/json_text.h"
#include "runtime/base/units.h"

#define DEFAULT_SERVER_ID 5400u

/* "5400-5403" -> first, last; "5400" -> first == last. */
static int parse_server_id(const char *s, unsigned long *first, unsigned long *last)
{
    char *end;
    *first = strtoul(s, &end, 10);
    *last = *first;
    if (end == s)
        return -1;
    if (*end == '-') {
        const char *l = end + 1;
        *last = strtoul(l, &end, 10);
        if (end == l)
            return -1;
    }
    return *end || *first < 1 || *last < *first || *last > 4294967295ul ? -1 : 0;
}

int gen_job_options_check(const gen_job_options *o, rt_err *err)
{
    if (o->name) {
        size_t n = strlen(o->name);
        if (n < 1 || n > 128 ||
            strspn(o->name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                            "0123456789_.-") != n)
            return rt_err_set(err, RT_EINVAL,
                              "--name \"%s\": 1-128 characters of A-Z a-z 0-9 _ . -", o->name);
    }
    if (o->semantic && strcmp(o->semantic, "exactly-once") != 0 &&
        strcmp(o->semantic, "at-least-once") != 0)
        return rt_err_set(err, RT_EINVAL, "--semantic \"%s\": exactly-once or at-least-once",
                          o->semantic);
    if (o->parallelism > 256)
        return rt_err_set(err, RT_EINVAL, "--parallelism %u: 1..256", o->parallelism);
    unsigned par = o->parallelism ? o->parallelism : 1;
    if (o->server_id) {
        unsigned long first, last;
        if (parse_server_id(o->server_id, &first, &last) != 0)
            return rt_err_set(err, RT_EINVAL,
                              "--server-id \"%s\": an id 1..4294967295 or a range FIRST-LAST",
                              o->server_id);
        if (last != first && last - first + 1 < par)
            return rt_err_set(err, RT_EINVAL,
                              "--server-id \"%s\": the range holds %lu ids, --parallelism needs %u",
                              o->server_id, last - first + 1, par);
        if (last == first && par > 1 && first + par - 1 > 4294967295ul)
            return rt_err_set(err, RT_EINVAL, "--server-id %s: no room for %u ids", o->server_id,
                              par);
    }
    if (o->checkpoint_interval) {
        int64_t ms;
        rt_err why;
        if (rt_duration_parse(o->checkpoint_interval, &ms, &why) != 0 || ms <= 0)
            return rt_err_set(err, RT_EINVAL,
                              "--checkpoint-interval \"%s\": a duration like 10s or 1m30s",
                              o->checkpoint_interval);
    }
    return 0;
}

void gen_regex_escape_append(rt_buf *b, const char *s)
{
    for (const char *p = s; *p; p++) {
        if (strchr(".[]()*+?{}|^$\\", *p))
            rt_buf_append_char(b, '\\');
        rt_buf_append_char(b, *p);
    }
}

static json_t *table_regex(const gen_table *t)
{
    rt_buf b;
    rt_buf_init(&b);
    gen_regex_escape_append(&b, t->db);
    rt_buf_append_str(&b, "\\.");
    gen_regex_escape_append(&b, t->name);
    json_t *s = json_string(b.data);
    rt_buf_fini(&b);
    return s;
}

static json_t *server_id_json(const gen_job_options *o, unsigned par)
{
    unsigned long first = DEFAULT_SERVER_ID, last = DEFAULT_SERVER_ID;
    if (o->server_id)
        parse_server_id(o->server_id, &first, &last); /* checked by gen_job_options_check */
    if (last == first && par == 1)
        return json_integer((json_int_t)first);
    if (last == first)
        last = first + par - 1;
    char text[32];
    snprintf(text, sizeof text, "%lu-%lu", first, last);
    return json_string(text);
}

static json_t *source_vertex(const gen_job_options *o, const gen_table_set *tables, unsigned par)
{
    json_t *cfg = json_object();
    json_object_set_new(cfg, "host", json_string(o->source->host));
    json_object_set_new(cfg, "port", json_integer(o->source->port));
    json_object_set_new(cfg, "user", json_string(o->source->user));
    if (o->source_password)
        json_object_set_new(cfg, "password", json_string(o->source_password));
    else if (o->source_password_file)
        json_object_set_new(cfg, "password_file", json_string(o->source_password_file));
    else
        json_object_set_new(cfg, "password_env", json_string(GEN_SOURCE_PASSWORD_ENV));
    if (o->source->ssl_mode)
        json_object_set_new(cfg, "ssl_mode", json_string(o->source->ssl_mode));
    json_t *list = json_array();
    for (size_t i = 0; i < tables->count; i++)
        json_array_append_new(list, table_regex(&tables->items[i]));
    json_object_set_new(cfg, "tables", list);
    json_t *cols = json_object();
    for (size_t i = 0; o->columns_listed && i < tables->count; i++) {
        if (!o->columns_listed[i])
            continue;
        const gen_table *t = &tables->items[i];
        json_t *names = json_array();
        for (size_t k = 0; k < t->column_count; k++)
            json_array_append_new(names, json_string(t->columns[k].name));
        json_t *re = table_regex(t);
        json_object_set_new(cols, json_string_value(re), names);
        json_decref(re);
    }
    if (json_object_size(cols))
        json_object_set_new(cfg, "columns", cols);
    else
        json_decref(cols);
    json_object_set_new(cfg, "server_id", server_id_json(o, par));
    json_object_set_new(cfg, "startup", json_string(o->startup ? o->startup : "initial"));
    json_t *v = json_object();
    json_object_set_new(v, "id", json_string("source"));
    json_object_set_new(v, "type", json_string("mysql_cdc"));
    json_object_set_new(v, "parallelism", json_integer(par));
    json_object_set_new(v, "config", cfg);
    return v;
}

static bool needs_route(const gen_target *t)
{
    return t->shard_count > 1 || t->renamed;
}

/* The route runs at the source's parallelism so that it chains to it (forward): each snapshot
 * reader's records keep their order, and no batch crosses a thread for nothing. */
static json_t *route_vertex(const gen_target_set *targets, unsigned par)
{
    json_t *routes = json_array();
    for (size_t i = 0; i < targets->count; i++) {
        const gen_target *t = &targets->items[i];
        if (!needs_route(t))
            continue;
        rt_buf src;
        rt_buf_init(&src);
        for (size_t s = 0; s < t->shard_count; s++) {
            if (s)
                rt_buf_append_char(&src, '|');
            gen_regex_escape_append(&src, t->shards[s]->db);
            rt_buf_append_str(&src, "\\.");
            gen_regex_escape_append(&src, t->shards[s]->name);
        }
        json_t *r = json_object();
        json_object_set_new(r, "source", json_string(src.data));
        json_object_set_new(r, "target", json_string(t->name));
        rt_buf_fini(&src);
        if (t->add_source) {
            json_t *cols = json_object();
            json_object_set_new(cols, GEN_SOURCE_DB_COLUMN, json_string("database"));
            json_object_set_new(cols, GEN_SOURCE_TABLE_COLUMN, json_string("table"));
            json_object_set_new(r, "source_columns", cols);
            json_object_set_new(r, "key_with_source", json_true());
        }
        json_array_append_new(routes, r);
    }
    json_t *cfg = json_object();
    json_object_set_new(cfg, "routes", routes);
    json_t *v = json_object();
    json_object_set_new(v, "id", json_string("route"));
    json_object_set_new(v, "type", json_string("route"));
    json_object_set_new(v, "parallelism", json_integer(par));
    json_object_set_new(v, "inputs", json_pack("[s]", "source"));
    json_object_set_new(v, "config", cfg);
    return v;
}

static json_t *sink_vertex(const gen_job_options *o, const char *from, unsigned par)
{
    char addr[300];
    json_t *cfg = json_object();
    snprintf(addr, sizeof addr, "%s:%u", o->target->host, o->target->port);
    json_object_set_new(cfg, "load_url", json_pack("[s]", addr));
    snprintf(addr, sizeof addr, "%s:%u", o->target->host, o->target->query_port);
    json_object_set_new(cfg, "query_url", json_string(addr));
    json_object_set_new(cfg, "user", json_string(o->target->user));
    if (o->target_password)
        json_object_set_new(cfg, "password", json_string(o->target_password));
    else if (o->target_password_file)
        json_object_set_new(cfg, "password_file", json_string(o->target_password_file));
    else
        json_object_set_new(cfg, "password_env", json_string(GEN_TARGET_PASSWORD_ENV));
    json_object_set_new(cfg, "database", json_string(o->target->database));
    json_object_set_new(cfg, "semantic", json_string(o->semantic ? o->semantic : "exactly-once"));
    if (o->sink_csv)
        json_object_set_new(cfg, "format", json_string("csv"));
    json_t *v = json_object();
    json_object_set_new(v, "id", json_string("sink"));
    json_object_set_new(v, "type", json_string("starrocks"));
    json_object_set_new(v, "parallelism", json_integer(par));
    json_object_set_new(v, "inputs",
                        json_pack("[{s:s,s:s}]", "from", from, "distribution", "hash"));
    json_object_set_new(v, "config", cfg);
    return v;
}

int gen_job_format(const gen_job_options *o, const gen_table_set *tables,
                   const gen_target_set *targets, char **json, rt_err *err)
{
    unsigned par = o->parallelism ? o->parallelism : 1;
    bool route = false;
    for (size_t i = 0; i < targets->count; i++)
        route = route || needs_route(&targets->items[i]);
    json_t *job = json_object();
    json_object_set_new(job, "name", json_string(o->name ? o->name : "mysql-to-starrocks"));
    /* at-least-once keeps checkpoints too: they hold the source's binlog position. */
    json_object_set_new(
        job, "checkpoint",
        json_pack("{s:s}", "interval", o->checkpoint_interval ? o->checkpoint_interval : "10s"));
    json_t *ops = json_array();
    json_array_append_new(ops, source_vertex(o, tables, par));
    if (route)
        json_array_append_new(ops, route_vertex(targets, par));
    json_array_append_new(ops, sink_vertex(o, route ? "route" : "source", par));
    json_object_set_new(job, "operators", ops);
    rt_buf b;
    rt_buf_init(&b);
    rt_json_text_append(&b, job, 2);
    json_decref(job);
    rt_buf_append_char(&b, '\n');
    char *text = rt_buf_take(&b);
    if (!text)
        return rt_err_set(err, RT_ENOMEM, "job: out of memory");
    *json = text;
    return 0;
}
