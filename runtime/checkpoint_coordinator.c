/* The checkpoint coordinator: pending checkpoints (who acked, what they wrote), completion into
 * the state backend with the checkpoint's metadata, aborts, and the recent history. Also the
 * reader of that metadata for restores (rt_checkpoint_metadata_check), so that the format has
 * one owner. */
#include "runtime/checkpoint_coordinator.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/base/buf.h"
#include "runtime/base/clock.h"
#include "runtime/base/failpoint.h"
#include "runtime/base/log.h"
#include "runtime/base/units.h"

typedef struct pending {
    uint64_t id;
    bool savepoint, stop;
    int64_t trigger_ms;   /* monotonic */
    int64_t trigger_wall; /* wall clock, for the metadata and stats */
    bool *acked;          /* per task */
    size_t acked_count;
    uint64_t *vertex_bytes; /* per job-graph vertex */
    uint64_t state_size;
    int64_t alignment_ms;
} pending;

struct rt_checkpoint_coordinator {
    const graph_job *graph;
    const graph_plan *plan;
    graph_checkpoint_cfg cfg;
    st_backend *state;
    char *tag;
    size_t task_count;
    size_t vertex_count;
    bool periodic;
    int64_t last_trigger_ms;
    int64_t last_complete_ms;
    bool completed_any;
    pending *pending; /* ascending ids */
    size_t pending_count, pending_cap;
    rt_checkpoint_action *actions; /* actions[action_head .. action_count) not yet taken */
    size_t action_head, action_count, action_cap;
    rt_checkpoint_stats history[RT_CHECKPOINT_HISTORY_MAX]; /* a ring, oldest at history_head */
    size_t history_head, history_count;
    uint64_t version;
};

const char *rt_checkpoint_action_kind_name(rt_checkpoint_action_kind k)
{
    switch (k) {
    case RT_CHECKPOINT_ACTION_TRIGGER:
        return "trigger";
    case RT_CHECKPOINT_ACTION_NOTIFY_COMPLETE:
        return "notify_complete";
    case RT_CHECKPOINT_ACTION_NOTIFY_ABORTED:
        return "notify_aborted";
    }
    return "?";
}

int rt_checkpoint_coordinator_new(const graph_job *graph, const graph_plan *plan,
                                  const graph_checkpoint_cfg *cfg, st_backend *state,
                                  const char *tag, int64_t now_ms, rt_checkpoint_coordinator **out,
                                  rt_err *err)
{
    rt_checkpoint_coordinator *c = calloc(1, sizeof *c);
    if (!c || !(c->tag = strdup(tag))) {
        free(c);
        return rt_err_set(err, RT_ENOMEM, "checkpoint coordinator: out of memory");
    }
    c->graph = graph;
    c->plan = plan;
    c->cfg = *cfg;
    c->state = state;
    c->task_count = graph_plan_task_count(plan);
    c->vertex_count = graph_job_vertex_count(graph);
    c->periodic = cfg->interval_ms > 0;
    /* The first periodic checkpoint comes one interval after the start, not at once: the
     * sources have done nothing worth saving yet. */
    c->last_trigger_ms = now_ms;
    *out = c;
    return 0;
}

static void pending_fini(pending *p)
{
    free(p->acked);
    free(p->vertex_bytes);
}

void rt_checkpoint_coordinator_free(rt_checkpoint_coordinator *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->pending_count; i++)
        pending_fini(&c->pending[i]);
    free(c->pending);
    free(c->actions);
    free(c->tag);
    free(c);
}

void rt_checkpoint_coordinator_set_periodic(rt_checkpoint_coordinator *c, bool on)
{
    c->periodic = on && c->cfg.interval_ms > 0;
}

/* The room for every action is reserved when a checkpoint is triggered (its trigger and its one
 * final notification), so queueing an action never fails. */
static void push_action(rt_checkpoint_coordinator *c, rt_checkpoint_action_kind kind,
                        const pending *p)
{
    RT_ASSERT(c->action_count < c->action_cap);
    c->actions[c->action_count++] = (rt_checkpoint_action){
        .kind = kind, .id = p->id, .savepoint = p->savepoint, .stop = p->stop};
}

static int reserve_actions(rt_checkpoint_coordinator *c)
{
    if (c->action_head > 0 && c->action_head == c->action_count)
        c->action_head = c->action_count = 0;
    size_t need = c->action_count + 2 * (c->pending_count + 1);
    if (need <= c->action_cap)
        return 0;
    size_t cap = c->action_cap ? c->action_cap : 8;
    while (cap < need)
        cap *= 2;
    rt_checkpoint_action *a = realloc(c->actions, cap * sizeof *a);
    if (!a)
        return RT_ENOMEM;
    c->actions = a;
    c->action_cap = cap;
    return 0;
}

/* The history slot of checkpoint id, or -1. */
static long history_slot(const rt_checkpoint_coordinator *c, uint64_t id)
{
    for (size_t i = 0; i < c->history_count; i++) {
        size_t slot = (c->history_head + i) % RT_CHECKPOINT_HISTORY_MAX;
        if (c->history[slot].id == id)
            return (long)slot;
    }
    return -1;
}

static rt_checkpoint_stats *history_find(rt_checkpoint_coordinator *c, uint64_t id)
{
    long slot = history_slot(c, id);
    return slot < 0 ? NULL : &c->history[slot];
}

static void history_add(rt_checkpoint_coordinator *c, const rt_checkpoint_stats *s)
{
    size_t slot = (c->history_head + c->history_count) % RT_CHECKPOINT_HISTORY_MAX;
    if (c->history_count == RT_CHECKPOINT_HISTORY_MAX)
        c->history_head = (c->history_head + 1) % RT_CHECKPOINT_HISTORY_MAX;
    else
        c->history_count++;
    c->history[slot] = *s;
    c->version++;
}

/* Copies prefix and msg into the stats' failure, cut to fit (the log line has the whole text). */
static void set_failure(rt_checkpoint_stats *s, const char *prefix, const char *msg)
{
    size_t cap = sizeof s->failure - 1, n = strlen(prefix);
    n = n < cap ? n : cap;
    memcpy(s->failure, prefix, n);
    size_t m = strlen(msg);
    m = m < cap - n ? m : cap - n;
    memcpy(s->failure + n, msg, m);
    s->failure[n + m] = '\0';
}

static const char *kind_word(bool savepoint)
{
    return savepoint ? "savepoint" : "checkpoint";
}

static void remove_pending(rt_checkpoint_coordinator *c, size_t i)
{
    pending_fini(&c->pending[i]);
    memmove(&c->pending[i], &c->pending[i + 1], (c->pending_count - i - 1) * sizeof *c->pending);
    c->pending_count--;
}

/* Aborts pending checkpoint i: its state goes, it is FAILED in the history, every task hears. */
static void abort_at(rt_checkpoint_coordinator *c, size_t i, const char *reason, int64_t now_ms)
{
    pending *p = &c->pending[i];
    rt_err e;
    rt_err_clear(&e);
    if (st_backend_discard(c->state, p->id, &e) != 0)
        LOG_WARN("%s: checkpoint %" PRIu64 ": discard: %s", c->tag, p->id, e.msg);
    int64_t duration = now_ms - p->trigger_ms;
    rt_checkpoint_stats *s = history_find(c, p->id);
    if (s) {
        s->status = RT_CHECKPOINT_FAILED;
        s->duration_ms = duration;
        set_failure(s, "", reason);
        c->version++;
    }
    LOG_WARN("%s: %s %" PRIu64 " FAILED after %" PRId64 " ms: %s", c->tag, kind_word(p->savepoint),
             p->id, duration, reason);
    push_action(c, RT_CHECKPOINT_ACTION_NOTIFY_ABORTED, p);
    remove_pending(c, i);
}

static long find_pending(const rt_checkpoint_coordinator *c, uint64_t id)
{
    for (size_t i = 0; i < c->pending_count; i++) {
        if (c->pending[i].id == id)
            return (long)i;
    }
    return -1;
}

static int start(rt_checkpoint_coordinator *c, bool savepoint, bool stop, int64_t now_ms,
                 uint64_t *id, rt_err *err)
{
    if (reserve_actions(c) != 0)
        return rt_err_set(err, RT_ENOMEM, "trigger checkpoint: out of memory");
    if (c->pending_count == c->pending_cap) {
        size_t cap = c->pending_cap ? c->pending_cap * 2 : 4;
        pending *p = realloc(c->pending, cap * sizeof *p);
        if (!p)
            return rt_err_set(err, RT_ENOMEM, "trigger checkpoint: out of memory");
        c->pending = p;
        c->pending_cap = cap;
    }
    pending p = {.savepoint = savepoint, .stop = stop, .trigger_ms = now_ms};
    p.acked = calloc(c->task_count ? c->task_count : 1, sizeof *p.acked);
    p.vertex_bytes = calloc(c->vertex_count ? c->vertex_count : 1, sizeof *p.vertex_bytes);
    if (!p.acked || !p.vertex_bytes) {
        pending_fini(&p);
        return rt_err_set(err, RT_ENOMEM, "trigger checkpoint: out of memory");
    }
    int rc = st_backend_next_id(c->state, &p.id, err);
    if (rc != 0) {
        pending_fini(&p);
        return rt_err_prefix(err, rc, "trigger checkpoint");
    }
    p.trigger_wall = rt_clock_wall_ms();
    c->pending[c->pending_count++] = p;
    c->last_trigger_ms = now_ms;
    rt_checkpoint_stats s = {.id = p.id,
                             .status = RT_CHECKPOINT_IN_PROGRESS,
                             .savepoint = savepoint,
                             .trigger_ms = p.trigger_wall};
    history_add(c, &s);
    push_action(c, RT_CHECKPOINT_ACTION_TRIGGER, &p);
    LOG_DEBUG("%s: %s %" PRIu64 " triggered%s", c->tag, kind_word(savepoint), p.id,
              stop ? " (stop)" : "");
    if (id)
        *id = p.id;
    return 0;
}

int rt_checkpoint_coordinator_trigger(rt_checkpoint_coordinator *c, bool savepoint, bool stop,
                                      int64_t now_ms, uint64_t *id, rt_err *err)
{
    return start(c, savepoint, stop, now_ms, id, err);
}

int rt_checkpoint_coordinator_tick(rt_checkpoint_coordinator *c, int64_t now_ms, rt_err *err)
{
    for (size_t i = 0; i < c->pending_count;) {
        if (now_ms - c->pending[i].trigger_ms >= c->cfg.timeout_ms) {
            char reason[64];
            snprintf(reason, sizeof reason, "timed out after %" PRId64 " ms", c->cfg.timeout_ms);
            abort_at(c, i, reason, now_ms);
            continue;
        }
        i++;
    }
    if (!c->periodic || c->pending_count >= (size_t)c->cfg.max_concurrent)
        return 0;
    if (now_ms - c->last_trigger_ms < c->cfg.interval_ms)
        return 0;
    if (c->completed_any && now_ms - c->last_complete_ms < c->cfg.min_pause_ms)
        return 0;
    int rc = start(c, false, false, now_ms, NULL, err);
    if (rc != 0) {
        /* Wait a whole interval before the next attempt rather than hammer a failing backend
         * every tick. */
        c->last_trigger_ms = now_ms;
        LOG_WARN("%s: %s", c->tag, err ? err->msg : rt_err_code_desc(rc));
    }
    return rc;
}

/* {"id","job","savepoint","timestamp_ms","duration_ms","operators":{"<vertex>":{"type",
 * "parallelism","state_bytes"}}}: what a restore needs to check that the state fits the job. */
static char *format_metadata(const rt_checkpoint_coordinator *c, const pending *p, int64_t now_ms)
{
    rt_buf b;
    rt_buf_init(&b);
    const char *job = graph_job_name(c->graph);
    rt_buf_appendf(&b, "{\"id\":%" PRIu64 ",\"job\":", p->id);
    rt_buf_append_json_str(&b, job, strlen(job));
    rt_buf_appendf(&b,
                   ",\"savepoint\":%s,\"timestamp_ms\":%" PRId64 ",\"duration_ms\":%" PRId64
                   ",\"operators\":{",
                   p->savepoint ? "true" : "false", p->trigger_wall, now_ms - p->trigger_ms);
    for (size_t v = 0; v < c->vertex_count; v++) {
        const graph_vertex *gv = graph_job_vertex(c->graph, v);
        if (v > 0)
            rt_buf_append_char(&b, ',');
        rt_buf_append_json_str(&b, gv->id, strlen(gv->id));
        rt_buf_append_str(&b, ":{\"type\":");
        rt_buf_append_json_str(&b, gv->type, strlen(gv->type));
        rt_buf_appendf(&b, ",\"parallelism\":%u,\"state_bytes\":%" PRIu64 "}", gv->parallelism,
                       p->vertex_bytes[v]);
    }
    rt_buf_append_str(&b, "}}");
    return rt_buf_take(&b);
}

/* Every task acked pending checkpoint i: make it durable and the latest, then notify. */
static void complete(rt_checkpoint_coordinator *c, size_t i, int64_t now_ms)
{
    pending *p = &c->pending[i];
    rt_err e;
    rt_err_clear(&e);
    int rc = FAILPOINT("ckpt.before_complete", &e);
    if (rc == 0) {
        char *json = format_metadata(c, p, now_ms);
        rc = st_backend_complete(c->state, p->id, json, p->savepoint, (uint32_t)c->cfg.retain, &e);
        free(json);
        if (rc != 0)
            rt_err_prefix(&e, rc, "complete");
    }
    if (rc != 0) {
        abort_at(c, i, e.msg, now_ms);
        return;
    }

    pending done = *p;
    c->pending[i].acked = NULL; /* `done` owns the arrays now */
    c->pending[i].vertex_bytes = NULL;
    remove_pending(c, i);
    c->last_complete_ms = now_ms;
    c->completed_any = true;
    int64_t duration = now_ms - done.trigger_ms;
    rt_checkpoint_stats *s = history_find(c, done.id);
    if (s) {
        s->status = RT_CHECKPOINT_COMPLETED;
        s->duration_ms = duration;
        s->alignment_ms = done.alignment_ms;
        s->state_size = done.state_size;
        c->version++;
    }
    /* Older checkpoints still pending can never become the latest any more (the backend only
     * moves forward): they are subsumed, as in Flink. */
    while (c->pending_count > 0 && c->pending[0].id < done.id) {
        char reason[64];
        snprintf(reason, sizeof reason, "subsumed by checkpoint %" PRIu64, done.id);
        abort_at(c, 0, reason, now_ms);
    }

    char size[32];
    rt_size_format(done.state_size, size, sizeof size);
    LOG_INFO("%s: %s %" PRIu64 " COMPLETED in %" PRId64 " ms (alignment %" PRId64 " ms, state %s)",
             c->tag, kind_word(done.savepoint), done.id, duration, done.alignment_ms, size);
    /* The checkpoint is durable and the latest whatever happens now; a failure here only loses
     * its notifications, which the next completed checkpoint covers (sinks commit everything up
     * to the checkpoint they are notified of). */
    rt_err_clear(&e);
    if (FAILPOINT("ckpt.after_complete", &e) != 0) {
        if (s) {
            set_failure(s, "notifications skipped: ", e.msg);
            c->version++;
        }
        LOG_WARN("%s: %s %" PRIu64 ": notifications skipped: %s", c->tag, kind_word(done.savepoint),
                 done.id, e.msg);
    } else {
        push_action(c, RT_CHECKPOINT_ACTION_NOTIFY_COMPLETE, &done);
    }
    pending_fini(&done);
}

void rt_checkpoint_coordinator_ack(rt_checkpoint_coordinator *c, uint64_t id, size_t task,
                                   const uint64_t *state_bytes, int64_t alignment_ms,
                                   int64_t now_ms)
{
    long i = find_pending(c, id);
    if (i < 0) {
        /* A task that was still snapshotting when the checkpoint was aborted wrote its state
         * after the abort discarded the rest: discard again, so nothing is left behind. */
        rt_checkpoint_stats *s = history_find(c, id);
        rt_err e;
        if (s && s->status == RT_CHECKPOINT_FAILED && st_backend_discard(c->state, id, &e) != 0)
            LOG_WARN("%s: checkpoint %" PRIu64 ": discard: %s", c->tag, id, e.msg);
        return;
    }
    pending *p = &c->pending[i];
    if (task >= c->task_count || p->acked[task])
        return;
    p->acked[task] = true;
    p->acked_count++;
    const graph_plan_chain *chain =
        graph_plan_chain_at(c->plan, graph_plan_task_at(c->plan, task)->chain);
    for (size_t k = 0; k < chain->vertex_count; k++) {
        uint64_t bytes = state_bytes ? state_bytes[k] : 0;
        p->vertex_bytes[chain->vertices[k]] += bytes;
        p->state_size += bytes;
    }
    if (alignment_ms > p->alignment_ms)
        p->alignment_ms = alignment_ms;
    if (p->acked_count == c->task_count)
        complete(c, (size_t)i, now_ms);
}

void rt_checkpoint_coordinator_decline(rt_checkpoint_coordinator *c, uint64_t id, size_t task,
                                       const char *reason, int64_t now_ms)
{
    long i = find_pending(c, id);
    if (i < 0 || task >= c->task_count)
        return;
    char why[RT_ERR_MSG_SIZE];
    snprintf(why, sizeof why, "declined: %s", reason && *reason ? reason : "no reason given");
    abort_at(c, (size_t)i, why, now_ms);
}

void rt_checkpoint_coordinator_abort_all(rt_checkpoint_coordinator *c, const char *reason,
                                         int64_t now_ms)
{
    while (c->pending_count > 0)
        abort_at(c, 0, reason, now_ms);
}

bool rt_checkpoint_coordinator_next_action(rt_checkpoint_coordinator *c, rt_checkpoint_action *out)
{
    if (c->action_head == c->action_count)
        return false;
    *out = c->actions[c->action_head++];
    if (c->action_head == c->action_count)
        c->action_head = c->action_count = 0;
    return true;
}

size_t rt_checkpoint_coordinator_pending_count(const rt_checkpoint_coordinator *c)
{
    return c->pending_count;
}

size_t rt_checkpoint_coordinator_unacked(const rt_checkpoint_coordinator *c, size_t task,
                                         uint64_t *ids, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < c->pending_count; i++) {
        if (task < c->task_count && !c->pending[i].acked[task]) {
            if (n < max)
                ids[n] = c->pending[i].id;
            n++;
        }
    }
    return n;
}

int rt_checkpoint_coordinator_stats(const rt_checkpoint_coordinator *c, uint64_t id,
                                    rt_checkpoint_stats *out)
{
    long slot = history_slot(c, id);
    if (slot < 0)
        return RT_ENOTFOUND;
    *out = c->history[slot];
    return 0;
}

size_t rt_checkpoint_coordinator_history(const rt_checkpoint_coordinator *c,
                                         rt_checkpoint_stats *out, size_t max)
{
    size_t n = c->history_count < max ? c->history_count : max;
    size_t skip = c->history_count - n;
    for (size_t i = 0; i < n; i++)
        out[i] = c->history[(c->history_head + skip + i) % RT_CHECKPOINT_HISTORY_MAX];
    return n;
}

uint64_t rt_checkpoint_coordinator_version(const rt_checkpoint_coordinator *c)
{
    return c->version;
}

int rt_checkpoint_metadata_check(const graph_job *graph, rt_op_lookup lookup, uint64_t id,
                                 const char *json, rt_err *err)
{
    json_error_t je;
    json_t *root = json_loads(json, 0, &je);
    json_t *ops = root ? json_object_get(root, "operators") : NULL;
    if (!root || !json_is_object(ops)) {
        int rc = rt_err_set(err, RT_ECORRUPT, "checkpoint %" PRIu64 ": metadata: %s", id,
                            root ? "no \"operators\" object" : je.text);
        json_decref(root);
        return rc;
    }
    int rc = 0;
    const char *name;
    json_t *op;
    json_object_foreach(ops, name, op)
    {
        const char *type = json_string_value(json_object_get(op, "type"));
        json_t *par = json_object_get(op, "parallelism");
        json_t *bytes = json_object_get(op, "state_bytes");
        if (!type || !json_is_integer(par) || !json_is_integer(bytes)) {
            rc = rt_err_set(err, RT_ECORRUPT,
                            "checkpoint %" PRIu64 ": metadata: operator '%s' is malformed", id,
                            name);
            break;
        }
        /* Only state has to fit: a stateless operator may come, go or change freely. */
        if (json_integer_value(bytes) == 0)
            continue;
        long v = graph_job_find_vertex(graph, name);
        if (v < 0) {
            rc = rt_err_set(err, RT_ESTATE,
                            "operator '%s' has state in checkpoint %" PRIu64
                            " but is not in the job",
                            name, id);
            break;
        }
        const graph_vertex *gv = graph_job_vertex(graph, (size_t)v);
        if (strcmp(gv->type, type) != 0) {
            rc = rt_err_set(err, RT_ESTATE,
                            "operator '%s': checkpoint %" PRIu64
                            " holds state of type %s, the job says %s",
                            name, id, type, gv->type);
            break;
        }
        const op_type *ot = lookup ? lookup(gv->type) : NULL;
        if (json_integer_value(par) != (json_int_t)gv->parallelism &&
            !(ot && ot->rescalable_state)) {
            rc = rt_err_set(err, RT_ESTATE,
                            "operator '%s': checkpoint %" PRIu64
                            " holds state of %lld subtasks, the job has parallelism %u",
                            name, id, (long long)json_integer_value(par), gv->parallelism);
            break;
        }
    }
    json_decref(root);
    return rc;
}
