/* A task's output writers: one per out-edge of its chain tail, routing batches over the edge's
 * channels by the edge's distribution. */
#include "runtime/output.h"

#include <stdlib.h>
#include <string.h>

#include "runtime/value.h"

/* Any fixed value works; it only has to be the same in every process and run, so that a key
 * lands on the same subtask after a restart. */
#define KEY_HASH_SEED UINT64_C(0x736c75696365) /* "sluice" */

typedef struct writer {
    size_t edge;
    graph_distribution dist;
    rt_channel **channels; /* by target_index */
    size_t count;
    size_t next;       /* rebalance: the channel of the next batch */
    uint32_t *targets; /* hash: target of each record of the batch at hand */
    size_t targets_cap;
    rt_batch **parts; /* hash: the batch being built per target */
} writer;

struct rt_output {
    writer *writers;
    size_t count;
    size_t channel_count;
    rt_batch_pool *pool;
};

static int cmp_channel(const void *a, const void *b)
{
    const graph_plan_channel *x = *(const graph_plan_channel *const *)a;
    const graph_plan_channel *y = *(const graph_plan_channel *const *)b;
    if (x->edge != y->edge)
        return x->edge < y->edge ? -1 : 1;
    if (x->target_index != y->target_index)
        return x->target_index < y->target_index ? -1 : 1;
    return 0;
}

int rt_output_new(const graph_job *graph, const graph_plan *plan, size_t task,
                  rt_gate *const *gates, rt_batch_pool *pool, rt_output **out, rt_err *err)
{
    const graph_plan_task *pt = graph_plan_task_at(plan, task);
    rt_output *o = calloc(1, sizeof *o);
    const graph_plan_channel **mine = NULL;
    if (!o)
        goto oom;
    o->pool = pool;

    /* The plan orders channels by producer task, then edge, then target; sorting our own share
     * again costs nothing and keeps the writers right whatever order the planner picks. */
    size_t total = graph_plan_channel_count(plan), n = 0;
    mine = calloc(total ? total : 1, sizeof *mine);
    if (!mine)
        goto oom;
    for (size_t i = 0; i < total; i++) {
        const graph_plan_channel *c = graph_plan_channel_at(plan, i);
        if (c->from_task == task)
            mine[n++] = c;
    }
    qsort(mine, n, sizeof *mine, cmp_channel);
    o->channel_count = n;

    for (size_t i = 0; i < n; i++) {
        if (i == 0 || mine[i]->edge != mine[i - 1]->edge)
            o->count++;
    }
    o->writers = calloc(o->count ? o->count : 1, sizeof *o->writers);
    if (!o->writers)
        goto oom;
    size_t w = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && mine[j]->edge == mine[i]->edge)
            j++;
        writer *wr = &o->writers[w++];
        wr->edge = mine[i]->edge;
        wr->dist = graph_job_edge(graph, wr->edge)->distribution;
        wr->count = j - i;
        wr->channels = calloc(wr->count, sizeof *wr->channels);
        wr->parts = calloc(wr->count, sizeof *wr->parts);
        if (!wr->channels || !wr->parts)
            goto oom;
        for (size_t k = 0; k < wr->count; k++) {
            const graph_plan_channel *c = mine[i + k];
            wr->channels[k] = rt_gate_channel(gates[c->to_task], c->gate_index);
        }
        /* Rebalance starts at the subtask's own index, so that p producers do not all send
         * their first batch to consumer 0. */
        wr->next = pt->subtask % wr->count;
        i = j;
    }
    free(mine);
    *out = o;
    return 0;

oom:
    free(mine);
    rt_output_free(o);
    return rt_err_set(err, RT_ENOMEM, "task %zu: outputs: out of memory", task);
}

void rt_output_free(rt_output *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->count; i++) {
        free(o->writers[i].channels);
        free(o->writers[i].targets);
        free(o->writers[i].parts);
    }
    free(o->writers);
    free(o);
}

size_t rt_output_edge_count(const rt_output *o)
{
    return o->count;
}

size_t rt_output_channel_count(const rt_output *o)
{
    return o->channel_count;
}

static int push_batch(rt_channel *ch, rt_batch *b, rt_err *err)
{
    rt_elem e = {.kind = RT_ELEM_BATCH, .batch = b};
    return rt_channel_push(ch, e, err);
}

/* write_hash's target of a schema-change record. */
#define ALL_TARGETS UINT32_MAX

static uint64_t key_hash(const rt_record *r)
{
    uint64_t h = KEY_HASH_SEED;
    size_t pk = r->table ? rt_table_pk_count(r->table) : 0;
    if (pk == 0) {
        /* No key: the whole row is the key, so identical rows still meet on one subtask. */
        for (uint32_t i = 0; i < r->ncols; i++)
            h = rt_value_hash(&r->values[i], h);
        return h;
    }
    for (size_t i = 0; i < pk; i++) {
        size_t col = rt_table_pk_column(r->table, i);
        if (col < r->ncols)
            h = rt_value_hash(&r->values[col], h);
    }
    return h;
}

/* Splits b by key hash into one batch per target. A batch whose records all go to one target
 * (a single-key batch, or one consumer) travels whole, without copying. */
static int write_hash(rt_output *o, writer *w, rt_batch *b, rt_err *err)
{
    size_t n = rt_batch_count(b);
    if (w->targets_cap < n) {
        uint32_t *t = realloc(w->targets, n * sizeof *t);
        if (!t) {
            rt_batch_unref(b);
            return rt_err_set(err, RT_ENOMEM, "hash partitioner: out of memory");
        }
        w->targets = t;
        w->targets_cap = n;
    }
    bool single = true;
    for (size_t i = 0; i < n; i++) {
        const rt_record *r = rt_batch_at_const(b, i);
        /* A schema change goes to every consumer: each applies it between the rows of its share
         * that come before and after it. */
        w->targets[i] = r->change ? ALL_TARGETS : (uint32_t)(key_hash(r) % w->count);
        single = single && w->targets[i] == w->targets[0] && w->targets[i] != ALL_TARGETS;
    }
    if (single) {
        if (push_batch(w->channels[w->targets[0]], b, err) != 0) {
            rt_batch_unref(b);
            return RT_ECANCELED;
        }
        return 0;
    }

    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        uint32_t first = w->targets[i], last = first;
        if (first == ALL_TARGETS) {
            first = 0;
            last = (uint32_t)w->count - 1;
        }
        for (uint32_t t = first; t <= last && rc == 0; t++) {
            if (!w->parts[t] && !(w->parts[t] = rt_batch_new(o->pool)))
                rc = rt_err_set(err, RT_ENOMEM, "hash partitioner: out of memory");
            else if (rt_batch_copy_record(w->parts[t], rt_batch_at_const(b, i)) != 0)
                rc = rt_err_set(err, RT_ENOMEM, "hash partitioner: out of memory");
        }
    }
    rt_batch_unref(b);
    for (size_t t = 0; t < w->count; t++) {
        rt_batch *part = w->parts[t];
        w->parts[t] = NULL;
        if (!part)
            continue;
        if (rc == 0 && push_batch(w->channels[t], part, err) != 0)
            rc = RT_ECANCELED;
        if (rc != 0)
            rt_batch_unref(part);
    }
    return rc;
}

/* Consumes one reference to b. */
static int write_batch(rt_output *o, writer *w, rt_batch *b, rt_err *err)
{
    rt_channel *ch;
    switch (w->dist) {
    case GRAPH_DIST_FORWARD:
        ch = w->channels[0];
        break;
    case GRAPH_DIST_REBALANCE:
        ch = w->channels[w->next];
        w->next = (w->next + 1) % w->count;
        break;
    case GRAPH_DIST_BROADCAST:
        for (size_t i = 1; i < w->count; i++)
            rt_batch_ref(b);
        for (size_t i = 0; i < w->count; i++) {
            if (push_batch(w->channels[i], b, err) != 0) {
                /* This channel's reference and those of the channels not reached yet. */
                for (size_t k = i; k < w->count; k++)
                    rt_batch_unref(b);
                return RT_ECANCELED;
            }
        }
        return 0;
    case GRAPH_DIST_HASH:
        if (w->count == 1) {
            ch = w->channels[0];
            break;
        }
        return write_hash(o, w, b, err);
    default:
        RT_BUG("output: unknown distribution %d", (int)w->dist);
    }
    if (push_batch(ch, b, err) != 0) {
        rt_batch_unref(b);
        return RT_ECANCELED;
    }
    return 0;
}

int rt_output_emit(rt_output *o, rt_batch *batch, rt_err *err)
{
    if (o->count == 0 || rt_batch_count(batch) == 0) {
        rt_batch_unref(batch);
        return 0;
    }
    for (size_t i = 1; i < o->count; i++)
        rt_batch_ref(batch);
    for (size_t i = 0; i < o->count; i++) {
        int rc = write_batch(o, &o->writers[i], batch, err);
        if (rc != 0) {
            for (size_t k = i + 1; k < o->count; k++)
                rt_batch_unref(batch);
            return rc;
        }
    }
    return 0;
}

int rt_output_event(rt_output *o, rt_elem_kind kind, uint64_t checkpoint_id, rt_err *err)
{
    RT_ASSERT(kind != RT_ELEM_BATCH);
    rt_elem e = {.kind = kind, .checkpoint_id = checkpoint_id, .batch = NULL};
    for (size_t i = 0; i < o->count; i++) {
        writer *w = &o->writers[i];
        for (size_t k = 0; k < w->count; k++) {
            int rc = rt_channel_push(w->channels[k], e, err);
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}
