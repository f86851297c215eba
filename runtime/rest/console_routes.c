/* The web console's routes: dispatch, the worker threads that keep the REST loop from blocking,
 * and preview / create-tables / deploy, which build gen_options and call gen_generate, the
 * library behind `sluice generate` (the probes are in console_probe.c). Every reply body is
 * scrubbed of the request's passwords as a last line of defence: the libraries already keep them
 * out of their messages. */
#include "runtime/rest/console_routes.h"

#include <curl/curl.h>
#include <mysql.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/codegen/codegen.h"
#include "runtime/daemon/job_text.h"
#include "runtime/rest/console_int.h"

struct rt_console {
    rt_job_manager *manager;
    size_t max_inflight;
    pthread_mutex_t mu;
    pthread_cond_t idle;
    size_t inflight;
};

/* ---- preview, create-tables, deploy --------------------------------------------------------- */

/* The gen_options a console body describes, and the strings they borrow. */
typedef struct gen_request {
    gen_options o;
    endpoint src, dst;
    char source_url[600], target_url[800], name[160];
    const char **tables, **routes, **properties;
    gen_column_list *columns;
    const char ***column_names;
    size_t ncolumns;
    bool create_tables;
} gen_request;

static void gen_request_fini(gen_request *g)
{
    for (size_t i = 0; i < g->o.route_count; i++)
        free((char *)g->routes[i]);
    for (size_t i = 0; i < g->o.property_count; i++)
        free((char *)g->properties[i]);
    for (size_t i = 0; i < g->ncolumns; i++)
        free(g->column_names[i]);
    free(g->column_names);
    free(g->columns);
    free(g->tables);
    free(g->routes);
    free(g->properties);
}

static int parse_gen(json_t *b, gen_request *g, rt_err *err)
{
    int rc = console_parse_source(json_object_get(b, "source"), "$.source", &g->src, err);
    if (rc == 0)
        rc = console_parse_target(json_object_get(b, "target"), "$.target", true, &g->dst, err);
    if (rc)
        return rc;
    snprintf(g->source_url, sizeof g->source_url, "mysql://%s@%s:%u", g->src.user, g->src.host,
             g->src.port);
    snprintf(g->target_url, sizeof g->target_url, "starrocks://%s@%s:%u/%s?query_port=%u",
             g->dst.user, g->dst.host, g->dst.http_port, g->dst.database, g->dst.query_port);
    gen_options *o = &g->o;
    o->source_url = g->source_url;
    o->target_url = g->target_url;
    o->source_password = g->src.password;
    o->target_password = g->dst.password;
    o->embed_passwords = true;

    json_t *tables = json_object_get(b, "tables"), *v;
    size_t i;
    if (!json_is_array(tables) || json_array_size(tables) == 0)
        return rt_err_set(err, RT_EINVAL, "$.tables: a non-empty array of db\\.table regexes");
    g->tables = calloc(json_array_size(tables), sizeof *g->tables);
    RT_ASSERT(g->tables);
    json_array_foreach(tables, i, v)
    {
        if (!json_is_string(v))
            return rt_err_set(err, RT_EINVAL, "$.tables[%zu]: expected a string", i);
        g->tables[o->table_count++] = json_string_value(v);
    }
    o->tables = g->tables;

    json_t *routes = json_object_get(b, "routes");
    g->routes = calloc(json_array_size(routes) + 1, sizeof *g->routes);
    RT_ASSERT(g->routes);
    json_array_foreach(routes, i, v)
    {
        const char *s = console_get_str(v, "source"), *t = console_get_str(v, "target");
        if (!s || !t || !*s || !*t)
            return rt_err_set(err, RT_EINVAL,
                              "$.routes[%zu]: {\"source\": REGEX, \"target\": "
                              "NAME}",
                              i);
        char *rule = NULL;
        RT_ASSERT(asprintf(&rule, "%s=%s", s, t) >= 0);
        g->routes[o->route_count++] = rule;
    }
    o->routes = g->routes;

    const char *mk = console_get_str(b, "merge_key");
    if (mk && strcmp(mk, "ask") != 0 && (rc = gen_merge_key_parse(mk, &o->merge_key, err)))
        return rt_err_prefix(err, rc, "$.merge_key");
    json_t *buckets = json_object_get(b, "buckets");
    if (buckets && !json_is_null(buckets)) {
        if (!json_is_integer(buckets) || json_integer_value(buckets) < 1 ||
            json_integer_value(buckets) > 1024)
            return rt_err_set(err, RT_EINVAL, "$.buckets: an integer 1..1024");
        o->buckets = (unsigned)json_integer_value(buckets);
    }
    json_t *props = json_object_get(b, "properties");
    g->properties = calloc(json_object_size(props) + 1, sizeof *g->properties);
    RT_ASSERT(g->properties);
    const char *k;
    json_object_foreach(props, k, v)
    {
        if (!json_is_string(v))
            return rt_err_set(err, RT_EINVAL, "$.properties.%s: expected a string", k);
        char *kv = NULL;
        RT_ASSERT(asprintf(&kv, "%s=%s", k, json_string_value(v)) >= 0);
        g->properties[o->property_count++] = kv;
    }
    o->properties = g->properties;

    json_t *cols = json_object_get(b, "columns");
    size_t nc = json_object_size(cols);
    g->columns = calloc(nc + 1, sizeof *g->columns);
    g->column_names = calloc(nc + 1, sizeof *g->column_names);
    RT_ASSERT(g->columns && g->column_names);
    json_object_foreach(cols, k, v)
    {
        if (!json_is_array(v) || json_array_size(v) == 0)
            return rt_err_set(err, RT_EINVAL, "$.columns.%s: a non-empty array of column names", k);
        const char **names = calloc(json_array_size(v), sizeof *names);
        RT_ASSERT(names);
        g->column_names[g->ncolumns] = names;
        gen_column_list *l = &g->columns[g->ncolumns++];
        l->pattern = k;
        l->names = names;
        size_t j;
        json_t *n;
        json_array_foreach(v, j, n)
        {
            if (!json_is_string(n))
                return rt_err_set(err, RT_EINVAL, "$.columns.%s[%zu]: expected a string", k, j);
            names[l->count++] = json_string_value(n);
        }
    }
    o->columns = g->columns;
    o->column_list_count = g->ncolumns;

    const char *name = console_get_str(b, "name"), *mode = console_get_str(b, "mode");
    bool snapshot = mode && strcmp(mode, "snapshot") == 0;
    if (mode && !snapshot && strcmp(mode, "sync") != 0)
        return rt_err_set(err, RT_EINVAL, "$.mode: \"sync\" or \"snapshot\"");
    snprintf(g->name, sizeof g->name, "%.128s%s", name && *name ? name : "mysql-to-starrocks",
             snapshot ? "-full-import" : "");
    o->name = g->name;
    o->startup = snapshot ? "snapshot" : "initial";
    json_t *ct = json_object_get(b, "create_tables");
    g->create_tables = ct && json_is_true(ct);
    return 0;
}

static json_t *lines(const gen_result *res, size_t (*count)(const gen_result *),
                     const char *(*at)(const gen_result *, size_t), size_t from)
{
    json_t *a = json_array();
    for (size_t i = from; i < count(res); i++)
        json_array_append_new(a, json_string(at(res, i)));
    return a;
}

typedef enum gen_action { ACTION_PREVIEW, ACTION_CREATE, ACTION_DEPLOY } gen_action;

/* The created and skipped tables of a gen_result_create_tables, from the notes it added. */
static void table_outcomes(const gen_result *res, size_t from, json_t *created, json_t *skipped)
{
    for (size_t i = from; i < gen_result_note_count(res); i++) {
        const char *n = gen_result_note(res, i);
        char name[300];
        const char *sp;
        if (strncmp(n, "table ", 6) != 0 || !(sp = strchr(n + 6, ' ')))
            continue;
        snprintf(name, sizeof name, "%.*s", (int)(sp - n - 6), n + 6);
        if (strcmp(sp, " created") == 0)
            json_array_append_new(created, json_string(name));
        else if (strncmp(sp, " exists", 7) == 0)
            json_array_append_new(skipped, json_string(name));
    }
}

static void generate(rt_console *c, json_t *body, gen_action action, rt_rest_reply *r)
{
    gen_request g = {0};
    rt_err err = {0};
    int rc = parse_gen(body, &g, &err);
    if (rc) {
        rt_rest_reply_error(r, 400, err.msg);
        gen_request_fini(&g);
        return;
    }
    gen_result *res = NULL;
    rc = gen_generate(&g.o, &res, &err);
    if (rc == RT_ESTATE) {
        console_reply_json(r, 409,
                           json_pack("{s:[s], s:s}", "errors", err.msg, "decision", "merge_key"));
    } else if (rc) {
        rt_rest_reply_error(r, console_status_for(rc), err.msg);
    } else if (action == ACTION_PREVIEW) {
        char *masked = NULL;
        const char *job = gen_result_job(res);
        rc = rt_job_text_mask(job, strlen(job), &masked, &err);
        json_t *jj = rc == 0 ? json_loads(masked, 0, NULL) : NULL;
        free(masked);
        console_reply_json(r, 200,
                           json_pack("{s:s, s:o, s:o, s:o}", "ddl", gen_result_ddl(res), "job",
                                     jj ? jj : json_null(), "warnings",
                                     lines(res, gen_result_lossy_count, gen_result_lossy, 0),
                                     "notes",
                                     lines(res, gen_result_note_count, gen_result_note, 0)));
    } else {
        json_t *created = json_array(), *skipped = json_array();
        size_t from = gen_result_note_count(res);
        if (action == ACTION_CREATE || g.create_tables) {
            rc = gen_result_create_tables(res, &g.o, &err);
            table_outcomes(res, from, created, skipped);
        }
        if (rc == RT_EEXIST) {
            console_reply_json(
                r, 409,
                json_pack("{s:[s], s:o}", "errors", err.msg, "conflicts",
                          lines(res, gen_result_conflict_count, gen_result_conflict, 0)));
        } else if (rc) {
            rt_rest_reply_error(r, console_status_for(rc), err.msg);
        } else if (action == ACTION_CREATE) {
            console_reply_json(r, 200,
                               json_pack("{s:O, s:O}", "created", created, "skipped", skipped));
        } else {
            char id[RT_JOB_ID_LEN + 1];
            const char *job = gen_result_job(res);
            rc = rt_job_manager_submit(c->manager, job, strlen(job), id, &err);
            if (rc)
                rt_rest_reply_error(r, rc == RT_EINVAL ? 422 : rt_rest_status_for(rc), err.msg);
            else
                console_reply_json(r, 202,
                                   json_pack("{s:s, s:s, s:O, s:O}", "jobid", id, "name", g.name,
                                             "created", created, "skipped", skipped));
        }
        json_decref(created);
        json_decref(skipped);
    }
    gen_result_free(res);
    console_scrub(r, g.src.password);
    console_scrub(r, g.dst.password);
    gen_request_fini(&g);
}

/* ---- dispatch and workers ------------------------------------------------------------------- */

bool rt_console_is_path(const char *path)
{
    return strcmp(path, "/console") == 0 || strncmp(path, "/console/", 9) == 0;
}

void rt_console_handle(rt_console *c, const rt_rest_request *req, rt_rest_reply *r)
{
    static const char *const paths[] = {
        "/console/mysql/test", "/console/mysql/tables",  "/console/starrocks/test",
        "/console/preview",    "/console/create-tables", "/console/deploy",
    };
    size_t plen = strlen(req->path);
    while (plen > 1 && req->path[plen - 1] == '/')
        plen--;
    size_t route = 0, nroutes = sizeof paths / sizeof paths[0];
    while (route < nroutes &&
           !(strlen(paths[route]) == plen && strncmp(paths[route], req->path, plen) == 0))
        route++;
    char msg[300];
    if (route == nroutes) {
        snprintf(msg, sizeof msg, "not found: %s %.200s", req->method, req->path);
        rt_rest_reply_error(r, 404, msg);
        return;
    }
    if (strcmp(req->method, "POST") != 0) {
        snprintf(msg, sizeof msg, "method %s not allowed on %.200s (allowed: POST)", req->method,
                 req->path);
        rt_rest_reply_error(r, 405, msg);
        snprintf(r->allow, sizeof r->allow, "POST");
        return;
    }
    json_error_t je;
    json_t *body =
        json_loadb(req->body ? req->body : "", req->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(body)) {
        json_decref(body);
        rt_rest_reply_error(r, 400, "the request body must be a JSON object");
        return;
    }
    endpoint src;
    rt_err err = {0};
    switch (route) {
    case 0:
    case 1:
        if (console_parse_source(body, "$", &src, &err))
            rt_rest_reply_error(r, 400, err.msg);
        else if (route == 0)
            console_mysql_test(body, &src, r);
        else
            console_mysql_tables(body, &src, r);
        console_scrub(r, src.password);
        break;
    case 2:
        console_starrocks_test(body, r);
        console_scrub(r, console_get_str(body, "password"));
        break;
    default:
        generate(c, body, (gen_action)(route - 3), r);
        break;
    }
    json_decref(body);
}

typedef struct work {
    rt_console *c;
    rt_rest_request req;
    char *method, *path, *body;
    rt_console_done_fn done;
    void *arg;
} work;

static void work_free(work *w)
{
    free(w->method);
    free(w->path);
    free(w->body);
    free(w);
}

/* One request less in flight; rt_console_free waits for none. */
static void release_slot(rt_console *c)
{
    pthread_mutex_lock(&c->mu);
    if (--c->inflight == 0)
        pthread_cond_broadcast(&c->idle);
    pthread_mutex_unlock(&c->mu);
}

static void *worker_main(void *arg)
{
    work *w = arg;
    rt_rest_reply *r = malloc(sizeof *r);
    RT_ASSERT(r);
    rt_rest_reply_init(r);
    rt_console_handle(w->c, &w->req, r);
    /* The body held the passwords: wipe it before it goes back to the allocator. */
    memset(w->body, 0, w->req.body_len);
    rt_console *c = w->c;
    w->done(w->arg, r);
    work_free(w);
    release_slot(c);
    return NULL;
}

int rt_console_start(rt_console *c, const rt_rest_request *req, rt_console_done_fn done, void *arg,
                     rt_err *err)
{
    pthread_mutex_lock(&c->mu);
    bool full = c->inflight >= c->max_inflight;
    if (!full)
        c->inflight++;
    pthread_mutex_unlock(&c->mu);
    if (full)
        return rt_err_set(err, RT_EBUSY, "%zu console requests are running; try again shortly",
                          c->max_inflight);
    work *w = calloc(1, sizeof *w);
    RT_ASSERT(w);
    w->c = c;
    w->done = done;
    w->arg = arg;
    w->method = strdup(req->method);
    w->path = strdup(req->path);
    w->body = malloc(req->body_len + 1);
    RT_ASSERT(w->method && w->path && w->body);
    if (req->body_len)
        memcpy(w->body, req->body, req->body_len);
    w->body[req->body_len] = '\0';
    w->req = (rt_rest_request){
        .method = w->method, .path = w->path, .body = w->body, .body_len = req->body_len};
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t t;
    int prc = pthread_create(&t, &attr, worker_main, w);
    pthread_attr_destroy(&attr);
    if (prc != 0) {
        work_free(w);
        release_slot(c);
        return rt_err_set(err, RT_EINTERNAL, "cannot start a console worker thread");
    }
    return 0;
}

int rt_console_new(rt_job_manager *m, size_t max_inflight, rt_console **out, rt_err *err)
{
    rt_console *c = calloc(1, sizeof *c);
    if (!c)
        return rt_err_set(err, RT_ENOMEM, "console: out of memory");
    /* Neither library initialises itself safely from several threads at once: do it here, on the
     * thread that opens the server, before any worker exists. */
    curl_global_init(CURL_GLOBAL_DEFAULT);
    mysql_library_init(0, NULL, NULL);
    c->manager = m;
    c->max_inflight = max_inflight ? max_inflight : RT_CONSOLE_DEFAULT_INFLIGHT;
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->idle, NULL);
    *out = c;
    return 0;
}

void rt_console_free(rt_console *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    while (c->inflight > 0)
        pthread_cond_wait(&c->idle, &c->mu);
    pthread_mutex_unlock(&c->mu);
    pthread_cond_destroy(&c->idle);
    pthread_mutex_destroy(&c->mu);
    free(c);
}
