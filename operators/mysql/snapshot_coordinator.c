/* The split coordinator of parallel snapshot readers (snapshot_coordinator.h): a queue of splits
 * under a mutex, per-subtask counts of finished and checkpointed splits, and the process-wide
 * registry through which the subtasks of one vertex find it. */
#include "operators/mysql/snapshot_coordinator.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/base/buf.h"

typedef struct reader_stat {
    uint64_t finished; /* splits finished by this subtask in this run */
    /* The first checkpoint whose state recorded all `finished` splits; 0 while none did. */
    uint64_t recorded;
} reader_stat;

typedef struct finished_split {
    op_snapshot_split *split;
    uint32_t subtask;
} finished_split;

struct op_snapshot_coordinator {
    /* Registry fields, guarded by the registry's mutex. */
    op_snapshot_coordinator *next;
    char *job, *vertex;
    uint64_t generation;
    uint32_t joined, refs;

    pthread_mutex_t mu; /* guards everything below */
    uint32_t parallelism;
    op_snapshot_phase phase;
    uint64_t over_since;
    op_snapshot_split **queue; /* FIFO: queue[head..count) are pending */
    size_t head, count, cap;
    bool enumerated;
    size_t outstanding; /* taken, not finished */
    reader_stat *readers;
    finished_split *done;
    size_t done_count, done_cap;
};

/* The only mutable global of the module: all subtasks of a vertex are threads of one process and
 * the runtime hands operators nothing shared between them, so they meet here. Entries live
 * exactly as long as a subtask holds them. */
static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static op_snapshot_coordinator *registry;

const char *op_snapshot_phase_name(op_snapshot_phase p)
{
    switch (p) {
    case OP_SNAPSHOT_PHASE_UNKNOWN:
        return "unknown";
    case OP_SNAPSHOT_PHASE_READING:
        return "reading";
    case OP_SNAPSHOT_PHASE_OVER:
        return "over";
    }
    return "?";
}

bool op_snapshot_phase_is_terminal(op_snapshot_phase p)
{
    return p == OP_SNAPSHOT_PHASE_OVER;
}

static void coord_free(op_snapshot_coordinator *c)
{
    for (size_t i = c->head; i < c->count; i++)
        op_snapshot_split_free(c->queue[i]);
    free(c->queue);
    for (size_t i = 0; i < c->done_count; i++)
        op_snapshot_split_free(c->done[i].split);
    free(c->done);
    free(c->readers);
    free(c->job);
    free(c->vertex);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

static op_snapshot_coordinator *coord_new(const char *job, const char *vertex, uint64_t generation,
                                          uint32_t parallelism)
{
    op_snapshot_coordinator *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    pthread_mutex_init(&c->mu, NULL);
    c->job = strdup(job ? job : "");
    c->vertex = strdup(vertex ? vertex : "");
    c->readers = calloc(parallelism, sizeof *c->readers);
    c->generation = generation;
    c->parallelism = parallelism;
    c->over_since = UINT64_MAX;
    if (!c->job || !c->vertex || !c->readers) {
        coord_free(c);
        return NULL;
    }
    return c;
}

int op_snapshot_coordinator_join(const char *job, const char *vertex, uint64_t generation,
                                 uint32_t parallelism, uint32_t subtask,
                                 op_snapshot_coordinator **out, rt_err *err)
{
    if (parallelism == 0 || subtask >= parallelism)
        return rt_err_set(err, RT_EINVAL, "snapshot coordinator: subtask %u of %u", subtask,
                          parallelism);
    pthread_mutex_lock(&registry_mu);
    op_snapshot_coordinator *c = registry;
    /* A full coordinator (every subtask joined) belongs to an older run with the same key: the
     * subtasks of this run must not see its splits. */
    while (c && !(c->generation == generation && c->parallelism == parallelism &&
                  c->joined < c->parallelism && strcmp(c->job, job ? job : "") == 0 &&
                  strcmp(c->vertex, vertex ? vertex : "") == 0))
        c = c->next;
    if (!c) {
        c = coord_new(job, vertex, generation, parallelism);
        if (!c) {
            pthread_mutex_unlock(&registry_mu);
            return rt_err_set(err, RT_ENOMEM, "snapshot coordinator: out of memory");
        }
        c->next = registry;
        registry = c;
    }
    c->joined++;
    c->refs++;
    pthread_mutex_unlock(&registry_mu);
    *out = c;
    return 0;
}

void op_snapshot_coordinator_leave(op_snapshot_coordinator *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&registry_mu);
    bool last = --c->refs == 0;
    if (last) {
        op_snapshot_coordinator **p = &registry;
        while (*p && *p != c)
            p = &(*p)->next;
        if (*p)
            *p = c->next;
    }
    pthread_mutex_unlock(&registry_mu);
    if (last)
        coord_free(c);
}

op_snapshot_phase op_snapshot_coordinator_phase(op_snapshot_coordinator *c)
{
    pthread_mutex_lock(&c->mu);
    op_snapshot_phase p = c->phase;
    pthread_mutex_unlock(&c->mu);
    return p;
}

void op_snapshot_coordinator_start(op_snapshot_coordinator *c)
{
    pthread_mutex_lock(&c->mu);
    c->phase = OP_SNAPSHOT_PHASE_READING;
    pthread_mutex_unlock(&c->mu);
}

void op_snapshot_coordinator_set_over(op_snapshot_coordinator *c, uint64_t since)
{
    pthread_mutex_lock(&c->mu);
    c->phase = OP_SNAPSHOT_PHASE_OVER;
    c->over_since = since;
    pthread_mutex_unlock(&c->mu);
}

uint64_t op_snapshot_coordinator_over_since(op_snapshot_coordinator *c)
{
    pthread_mutex_lock(&c->mu);
    uint64_t v = c->over_since;
    pthread_mutex_unlock(&c->mu);
    return v;
}

int op_snapshot_coordinator_push(op_snapshot_coordinator *c, op_snapshot_split *split, rt_err *err)
{
    pthread_mutex_lock(&c->mu);
    if (c->head > 0 && c->head == c->count)
        c->head = c->count = 0; /* drained: reuse the array from its start */
    if (c->count == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16;
        op_snapshot_split **p = realloc(c->queue, cap * sizeof *p);
        if (!p) {
            pthread_mutex_unlock(&c->mu);
            op_snapshot_split_free(split);
            return rt_err_set(err, RT_ENOMEM, "snapshot coordinator: out of memory");
        }
        c->queue = p;
        c->cap = cap;
    }
    c->queue[c->count++] = split;
    pthread_mutex_unlock(&c->mu);
    return 0;
}

size_t op_snapshot_coordinator_pending(op_snapshot_coordinator *c)
{
    pthread_mutex_lock(&c->mu);
    size_t n = c->count - c->head;
    pthread_mutex_unlock(&c->mu);
    return n;
}

void op_snapshot_coordinator_set_enumerated(op_snapshot_coordinator *c)
{
    pthread_mutex_lock(&c->mu);
    c->enumerated = true;
    pthread_mutex_unlock(&c->mu);
}

op_snapshot_take op_snapshot_coordinator_take(op_snapshot_coordinator *c, uint32_t subtask,
                                              op_snapshot_split **out)
{
    (void)subtask;
    pthread_mutex_lock(&c->mu);
    op_snapshot_take t;
    if (c->head < c->count) {
        *out = c->queue[c->head];
        c->queue[c->head++] = NULL;
        c->outstanding++;
        t = OP_SNAPSHOT_TAKE_SPLIT;
    } else {
        t = c->phase == OP_SNAPSHOT_PHASE_OVER ||
                    (c->phase == OP_SNAPSHOT_PHASE_READING && c->enumerated)
                ? OP_SNAPSHOT_TAKE_DONE
                : OP_SNAPSHOT_TAKE_WAIT;
    }
    pthread_mutex_unlock(&c->mu);
    return t;
}

/* A deep copy through the split's binary form, which carries every field (HIGH mark too). */
static int split_copy(const op_snapshot_split *s, op_snapshot_split **out, rt_err *err)
{
    rt_buf b;
    rt_buf_init(&b);
    op_snapshot_split_format(s, &b);
    int rc = op_snapshot_split_parse((const uint8_t *)b.data, b.len, out, err);
    rt_buf_fini(&b);
    return rc;
}

int op_snapshot_coordinator_finished(op_snapshot_coordinator *c, uint32_t subtask,
                                     const op_snapshot_split *split, rt_err *err)
{
    op_snapshot_split *copy = NULL;
    int rc = split_copy(split, &copy, err);
    if (rc != 0)
        return rt_err_prefix(err, rc, "snapshot coordinator: split %s",
                             op_snapshot_split_name(split));
    pthread_mutex_lock(&c->mu);
    if (c->done_count == c->done_cap) {
        size_t cap = c->done_cap ? 2 * c->done_cap : 16;
        finished_split *p = realloc(c->done, cap * sizeof *p);
        if (!p) {
            pthread_mutex_unlock(&c->mu);
            op_snapshot_split_free(copy);
            return rt_err_set(err, RT_ENOMEM, "snapshot coordinator: out of memory");
        }
        c->done = p;
        c->done_cap = cap;
    }
    c->done[c->done_count++] = (finished_split){.split = copy, .subtask = subtask};
    if (c->outstanding > 0)
        c->outstanding--;
    if (subtask < c->parallelism) {
        c->readers[subtask].finished++;
        c->readers[subtask].recorded = 0; /* no checkpoint holds this one yet */
    }
    pthread_mutex_unlock(&c->mu);
    return 0;
}

void op_snapshot_coordinator_checkpointed(op_snapshot_coordinator *c, uint32_t subtask, uint64_t id,
                                          uint64_t finished)
{
    pthread_mutex_lock(&c->mu);
    if (subtask < c->parallelism) {
        reader_stat *r = &c->readers[subtask];
        if (finished == r->finished && r->recorded == 0)
            r->recorded = id;
    }
    pthread_mutex_unlock(&c->mu);
}

bool op_snapshot_coordinator_is_complete(op_snapshot_coordinator *c, bool checkpointing,
                                         uint64_t passed)
{
    pthread_mutex_lock(&c->mu);
    bool ok = c->phase == OP_SNAPSHOT_PHASE_READING && c->enumerated && c->head == c->count &&
              c->outstanding == 0;
    /* Subtask 0's own splits need no such check: its rows went out on its own thread before
     * any barrier it passes next. */
    for (uint32_t i = 1; ok && checkpointing && i < c->parallelism; i++) {
        const reader_stat *r = &c->readers[i];
        if (r->finished > 0 && (r->recorded == 0 || r->recorded > passed))
            ok = false;
    }
    pthread_mutex_unlock(&c->mu);
    return ok;
}

int op_snapshot_coordinator_take_finished(op_snapshot_coordinator *c, uint32_t except,
                                          op_cdc_state *into, rt_err *err)
{
    int rc = 0;
    pthread_mutex_lock(&c->mu);
    size_t kept = 0;
    for (size_t i = 0; i < c->done_count; i++) {
        finished_split f = c->done[i];
        if (f.subtask == except || rc != 0) {
            c->done[kept++] = f;
            continue;
        }
        rc = op_cdc_state_add_split(into, f.split, err); /* takes it, also on failure */
    }
    c->done_count = kept;
    pthread_mutex_unlock(&c->mu);
    return rc;
}
