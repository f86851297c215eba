/* The job manager's JSON views (the REST API's bodies, in Flink's shapes), built with jansson
 * under the manager's mutex from each job's master and record. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "graph/plan.h"
#include "runtime/base/clock.h"
#include "runtime/daemon/job_manager_int.h"
#include "runtime/daemon/job_text.h"
#include "runtime/metrics.h"

static int dump(json_t *root, char **json, rt_err *err)
{
    char *s = root ? json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(root);
    if (!s)
        return rt_err_set(err, RT_ENOMEM, "view: out of memory");
    *json = s;
    return 0;
}

static int64_t start_time(const job_entry *e)
{
    int64_t t = e->jm ? rt_job_master_start_time(e->jm) : 0;
    if (!t)
        t = e->rec.started_ms;
    return t ? t : e->rec.submitted_ms;
}

/* -1 while the job has not ended. */
static int64_t end_time(const job_entry *e, rt_job_master_status st)
{
    if (!rt_job_master_status_is_terminal(st))
        return -1;
    int64_t t = e->jm ? rt_job_master_end_time(e->jm) : 0;
    if (!t)
        t = e->rec.ended_ms;
    return t ? t : -1;
}

static unsigned restarts(const job_entry *e)
{
    unsigned a = e->jm ? rt_job_master_attempts(e->jm) : 0;
    return a > 1 ? a - 1 : 0;
}

/* The fields the overview and the job view share. */
static json_t *summary(const job_entry *e)
{
    rt_job_master_status st = job_entry_state(e);
    int64_t start = start_time(e), end = end_time(e, st);
    int64_t duration = start ? (end >= 0 ? end : rt_clock_wall_ms()) - start : 0;
    return json_pack(
        "{s:s, s:s, s:s, s:I, s:I, s:I, s:I}", "jid", e->rec.id, "name", e->rec.name, "state",
        rt_job_master_status_name(st), "start-time", (json_int_t)start, "end-time", (json_int_t)end,
        "duration", (json_int_t)(duration > 0 ? duration : 0), "restarts", (json_int_t)restarts(e));
}

int rt_job_manager_list_json(rt_job_manager *m, char **json, rt_err *err)
{
    json_t *jobs = json_array();
    pthread_mutex_lock(&m->mu);
    for (job_entry *e = m->jobs; e; e = e->next)
        json_array_append_new(jobs, json_pack("{s:s, s:s}", "id", e->rec.id, "status",
                                              rt_job_master_status_name(job_entry_state(e))));
    pthread_mutex_unlock(&m->mu);
    return dump(json_pack("{s:o}", "jobs", jobs), json, err);
}

/* What a jobs list shows at a glance beyond Flink's overview fields: the records the sinks took,
 * the latest completed checkpoint and the last failure. `h` is scratch for the history. */
static void glance(const job_entry *e, json_t *row, rt_checkpoint_stats *h)
{
    uint64_t sunk = 0;
    for (size_t i = 0; e->jm && e->graph && i < graph_job_vertex_count(e->graph); i++) {
        rt_vertex_metrics vm = {0};
        if (graph_job_vertex(e->graph, i)->kind != GRAPH_KIND_SINK)
            continue;
        rt_job_master_vertex_metrics(e->jm, i, &vm);
        sunk += vm.records_in;
    }
    json_object_set_new(row, "sink-records", json_integer((json_int_t)sunk));
    size_t n = e->jm && h ? rt_job_master_checkpoint_history(e->jm, h, RT_JOB_MASTER_HISTORY) : 0;
    const rt_checkpoint_stats *last = NULL;
    for (size_t i = n; i-- > 0 && !last;)
        if (h[i].status == RT_CHECKPOINT_COMPLETED && !h[i].savepoint)
            last = &h[i];
    json_object_set_new(row, "latest-checkpoint",
                        last ? json_pack("{s:I, s:I, s:I}", "id", (json_int_t)last->id,
                                         "trigger_timestamp", (json_int_t)last->trigger_ms,
                                         "end_to_end_duration", (json_int_t)last->duration_ms)
                             : json_null());
    rt_err why = {0};
    const char *failure = e->rec.failure;
    if (e->jm && rt_job_master_last_error(e->jm, &why) == 0)
        failure = why.msg;
    json_object_set_new(row, "last-failure", failure ? json_string(failure) : json_null());
}

int rt_job_manager_overview_json(rt_job_manager *m, char **json, rt_err *err)
{
    json_t *jobs = json_array();
    rt_checkpoint_stats *h = calloc(RT_JOB_MASTER_HISTORY, sizeof *h);
    pthread_mutex_lock(&m->mu);
    for (job_entry *e = m->jobs; e; e = e->next) {
        json_t *row = summary(e);
        glance(e, row, h);
        json_array_append_new(jobs, row);
    }
    pthread_mutex_unlock(&m->mu);
    free(h);
    return dump(json_pack("{s:o}", "jobs", jobs), json, err);
}

static json_t *plan_view(const graph_job *g)
{
    graph_plan *plan = NULL;
    if (!g || graph_plan_build(g, &plan, NULL) != 0)
        return json_null();
    json_t *chains = json_array();
    for (size_t c = 0; c < graph_plan_chain_count(plan); c++) {
        const graph_plan_chain *ch = graph_plan_chain_at(plan, c);
        json_t *vs = json_array();
        for (size_t i = 0; i < ch->vertex_count; i++)
            json_array_append_new(vs, json_string(graph_job_vertex(g, ch->vertices[i])->id));
        json_array_append_new(chains, json_pack("{s:o, s:I}", "vertices", vs, "parallelism",
                                                (json_int_t)ch->parallelism));
    }
    json_t *v =
        json_pack("{s:o, s:I}", "chains", chains, "tasks", (json_int_t)graph_plan_task_count(plan));
    graph_plan_free(plan);
    return v;
}

static json_t *vertices_view(const job_entry *e)
{
    json_t *vs = json_array();
    for (size_t i = 0; e->graph && i < graph_job_vertex_count(e->graph); i++) {
        const graph_vertex *v = graph_job_vertex(e->graph, i);
        rt_vertex_metrics vm = {0};
        if (e->jm)
            rt_job_master_vertex_metrics(e->jm, i, &vm);
        json_t *metrics =
            json_pack("{s:I, s:I, s:I, s:I}", "read-records", (json_int_t)vm.records_in,
                      "write-records", (json_int_t)vm.records_out, "read-batches",
                      (json_int_t)vm.batches_in, "write-batches", (json_int_t)vm.batches_out);
        json_array_append_new(vs, json_pack("{s:s, s:s, s:I, s:o}", "id", v->id, "type", v->type,
                                            "parallelism", (json_int_t)v->parallelism, "metrics",
                                            metrics));
    }
    return vs;
}

/* The submitted text with its secrets masked; null if it is not JSON (it always is: it was
 * validated before it was stored). */
static json_t *masked_text(const char *text)
{
    char *masked = NULL;
    if (rt_job_text_mask(text, strlen(text), &masked, NULL) != 0)
        return json_null();
    json_t *v = json_loads(masked, 0, NULL);
    free(masked);
    return v ? v : json_null();
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

int rt_job_manager_job_json(rt_job_manager *m, const char *id, char **json, rt_err *err)
{
    pthread_mutex_lock(&m->mu);
    job_entry *e = job_entry_find(m, id);
    if (!e) {
        pthread_mutex_unlock(&m->mu);
        return rt_err_set(err, RT_ENOTFOUND, "job %s: no such job", id);
    }
    json_t *root = summary(e);
    uint64_t restored = e->jm ? rt_job_master_restored_checkpoint(e->jm) : 0;
    rt_err why = {0};
    const char *failure = e->rec.failure;
    if (e->jm && rt_job_master_last_error(e->jm, &why) == 0)
        failure = why.msg;
    json_object_set_new(root, "restored-checkpoint",
                        restored ? json_integer((json_int_t)restored) : json_null());
    json_object_set_new(root, "last-failure", str_or_null(failure));
    json_object_set_new(root, "savepoint", str_or_null(e->rec.last_savepoint));
    json_object_set_new(root, "plan", plan_view(e->graph));
    json_object_set_new(root, "vertices", vertices_view(e));
    json_object_set_new(root, "job", masked_text(e->rec.text));
    pthread_mutex_unlock(&m->mu);
    return dump(root, json, err);
}

static json_t *checkpoint_view(const rt_checkpoint_stats *c)
{
    return json_pack("{s:I, s:s, s:b, s:I, s:I, s:I, s:I, s:o}", "id", (json_int_t)c->id, "status",
                     rt_checkpoint_status_name(c->status), "is_savepoint", (int)c->savepoint,
                     "trigger_timestamp", (json_int_t)c->trigger_ms, "end_to_end_duration",
                     (json_int_t)c->duration_ms, "state_size", (json_int_t)c->state_size,
                     "alignment_duration", (json_int_t)c->alignment_ms, "failure_message",
                     c->failure[0] ? json_string(c->failure) : json_null());
}

int rt_job_manager_checkpoints_json(rt_job_manager *m, const char *id, char **json, rt_err *err)
{
    rt_checkpoint_stats *h = calloc(RT_JOB_MASTER_HISTORY, sizeof *h);
    if (!h)
        return rt_err_set(err, RT_ENOMEM, "view: out of memory");
    pthread_mutex_lock(&m->mu);
    job_entry *e = job_entry_find(m, id);
    if (!e) {
        pthread_mutex_unlock(&m->mu);
        free(h);
        return rt_err_set(err, RT_ENOTFOUND, "job %s: no such job", id);
    }
    size_t n = e->jm ? rt_job_master_checkpoint_history(e->jm, h, RT_JOB_MASTER_HISTORY) : 0;
    uint64_t restored = e->jm ? rt_job_master_restored_checkpoint(e->jm) : 0;
    pthread_mutex_unlock(&m->mu);

    size_t completed = 0, failed = 0, in_progress = 0;
    const rt_checkpoint_stats *last_ok = NULL, *last_sp = NULL, *last_failed = NULL;
    json_t *history = json_array();
    for (size_t i = n; i-- > 0;) {
        const rt_checkpoint_stats *c = &h[i];
        if (c->status == RT_CHECKPOINT_COMPLETED) {
            completed++;
            if (!c->savepoint && !last_ok)
                last_ok = c;
            if (c->savepoint && !last_sp)
                last_sp = c;
        } else if (c->status == RT_CHECKPOINT_FAILED) {
            failed++;
            if (!last_failed)
                last_failed = c;
        } else {
            in_progress++;
        }
        json_array_append_new(history, checkpoint_view(c));
    }
    json_t *latest = json_pack(
        "{s:o, s:o, s:o, s:o}", "completed", last_ok ? checkpoint_view(last_ok) : json_null(),
        "savepoint", last_sp ? checkpoint_view(last_sp) : json_null(), "failed",
        last_failed ? checkpoint_view(last_failed) : json_null(), "restored",
        restored ? json_pack("{s:I}", "id", (json_int_t)restored) : json_null());
    json_t *counts = json_pack("{s:I, s:I, s:I, s:I}", "completed", (json_int_t)completed, "failed",
                               (json_int_t)failed, "in_progress", (json_int_t)in_progress, "total",
                               (json_int_t)n);
    free(h);
    return dump(
        json_pack("{s:o, s:o, s:o}", "counts", counts, "latest", latest, "history", history), json,
        err);
}

int rt_job_manager_trigger_json(rt_job_manager *m, const char *id, const char *trigger, char **json,
                                rt_err *err)
{
    pthread_mutex_lock(&m->mu);
    rt_trigger *t = m->triggers;
    while (t && (strcmp(t->id, trigger) != 0 || strcmp(t->job_id, id) != 0))
        t = t->next;
    if (!t) {
        bool job = job_entry_find(m, id) != NULL;
        pthread_mutex_unlock(&m->mu);
        return job ? rt_err_set(err, RT_ENOTFOUND, "job %s: no savepoint trigger %s", id, trigger)
                   : rt_err_set(err, RT_ENOTFOUND, "job %s: no such job", id);
    }
    json_t *root;
    if (t->status == TRIGGER_IN_PROGRESS)
        root = json_pack("{s:{s:s}}", "status", "id", "IN_PROGRESS");
    else if (t->status == TRIGGER_COMPLETED)
        root = json_pack("{s:{s:s}, s:{s:s}}", "status", "id", "COMPLETED", "operation", "location",
                         t->location);
    else
        root = json_pack("{s:{s:s}, s:{s:{s:s}}}", "status", "id", "COMPLETED", "operation",
                         "failure-cause", "message", t->failure.msg);
    pthread_mutex_unlock(&m->mu);
    return dump(root, json, err);
}

static int metric_series(const rt_metric_sample *s, void *arg)
{
    json_t *labels = json_object();
    if (s->vertex) {
        json_object_set_new(labels, "vertex", json_string(s->vertex));
        json_object_set_new(labels, "subtask", json_integer(s->subtask));
    }
    if (s->label_key)
        json_object_set_new(labels, s->label_key,
                            json_string(s->label_value ? s->label_value : ""));
    json_t *value;
    if (s->kind == RT_METRIC_INFO)
        value = json_string(s->text);
    else if (s->kind == RT_METRIC_COUNTER)
        value = json_integer((json_int_t)s->count);
    else if (s->kind == RT_METRIC_GAUGE)
        value = json_integer((json_int_t)s->gauge);
    else
        value = json_real(s->value);
    json_array_append_new(arg, json_pack("{s:s, s:o, s:o}", "name", s->name, "labels", labels,
                                         "value", value ? value : json_null()));
    return 0;
}

int rt_job_manager_job_metrics_json(rt_job_manager *m, const char *id, char **json, rt_err *err)
{
    json_t *series = json_array();
    pthread_mutex_lock(&m->mu);
    job_entry *e = job_entry_find(m, id);
    if (!e) {
        pthread_mutex_unlock(&m->mu);
        json_decref(series);
        return rt_err_set(err, RT_ENOTFOUND, "job %s: no such job", id);
    }
    /* Under mu: forget and close free jm only under it too. */
    if (e->jm)
        rt_metrics_visit(rt_job_master_metrics(e->jm), metric_series, series);
    pthread_mutex_unlock(&m->mu);
    return dump(json_pack("{s:o}", "series", series), json, err);
}
