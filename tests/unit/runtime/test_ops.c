/* Test-only operator types (see test_ops.h): just enough behaviour to drive the runtime through
 * distribution, chaining, finish, failure, cancellation and checkpoints. */
#include "tests/unit/runtime/test_ops.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

test_ops_stats test_ops_stats_now;

static pthread_mutex_t rows_mu = PTHREAD_MUTEX_INITIALIZER;
static test_row *rows;
static size_t row_count, row_cap;

typedef struct ckpt_event {
    test_ckpt_kind kind;
    char vertex[32];
    uint32_t subtask;
    uint64_t id;
} ckpt_event;

static pthread_mutex_t ckpt_mu = PTHREAD_MUTEX_INITIALIZER;
static ckpt_event *ckpt_events;
static size_t ckpt_count, ckpt_cap;

void test_ops_reset(void)
{
    atomic_store(&test_ops_stats_now.opens, 0);
    atomic_store(&test_ops_stats_now.closes, 0);
    atomic_store(&test_ops_stats_now.finishes, 0);
    atomic_store(&test_ops_stats_now.restored, 0);
    for (int i = 0; i < 4; i++)
        atomic_store(&test_ops_stats_now.source_start[i], -1);
    pthread_mutex_lock(&rows_mu);
    free(rows);
    rows = NULL;
    row_count = row_cap = 0;
    pthread_mutex_unlock(&rows_mu);
    pthread_mutex_lock(&ckpt_mu);
    free(ckpt_events);
    ckpt_events = NULL;
    ckpt_count = ckpt_cap = 0;
    pthread_mutex_unlock(&ckpt_mu);
}

static void ckpt_record(test_ckpt_kind kind, op_ctx *ctx, uint64_t id)
{
    pthread_mutex_lock(&ckpt_mu);
    if (ckpt_count == ckpt_cap) {
        ckpt_cap = ckpt_cap ? ckpt_cap * 2 : 256;
        ckpt_events = realloc(ckpt_events, ckpt_cap * sizeof *ckpt_events);
    }
    ckpt_event *e = &ckpt_events[ckpt_count++];
    e->kind = kind;
    snprintf(e->vertex, sizeof e->vertex, "%s", op_ctx_vertex_id(ctx));
    e->subtask = op_ctx_subtask(ctx);
    e->id = id;
    pthread_mutex_unlock(&ckpt_mu);
}

long test_ops_ckpt_find(test_ckpt_kind kind, const char *vertex, uint32_t subtask, uint64_t id)
{
    long at = -1;
    pthread_mutex_lock(&ckpt_mu);
    for (size_t i = 0; i < ckpt_count; i++) {
        const ckpt_event *e = &ckpt_events[i];
        if (e->kind == kind && strcmp(e->vertex, vertex) == 0 && e->subtask == subtask &&
            (id == 0 || e->id == id)) {
            at = (long)i;
            break;
        }
    }
    pthread_mutex_unlock(&ckpt_mu);
    return at;
}

uint64_t test_ops_ckpt_last(test_ckpt_kind kind, const char *vertex, uint32_t subtask)
{
    uint64_t id = 0;
    pthread_mutex_lock(&ckpt_mu);
    for (size_t i = 0; i < ckpt_count; i++) {
        const ckpt_event *e = &ckpt_events[i];
        if (e->kind == kind && strcmp(e->vertex, vertex) == 0 && e->subtask == subtask)
            id = e->id;
    }
    pthread_mutex_unlock(&ckpt_mu);
    return id;
}

size_t test_ops_ckpt_count(void)
{
    pthread_mutex_lock(&ckpt_mu);
    size_t n = ckpt_count;
    pthread_mutex_unlock(&ckpt_mu);
    return n;
}

size_t test_ops_row_count_now(void)
{
    pthread_mutex_lock(&rows_mu);
    size_t n = row_count;
    pthread_mutex_unlock(&rows_mu);
    return n;
}

static void sleep_us(int64_t us)
{
    struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (long)(us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

size_t test_ops_row_count(void)
{
    return row_count;
}

const test_row *test_ops_rows(void)
{
    return rows;
}

/* --- test_source --- */

typedef struct source_cfg {
    int64_t rows, batch, keys, idle_every, sleep_us;
    bool unbounded;
} source_cfg;

static const rt_config_field source_fields[] = {
    {.key = "rows", .type = RT_CFG_INT, .def = "1000", .offset = offsetof(source_cfg, rows)},
    {.key = "batch", .type = RT_CFG_INT, .def = "100", .offset = offsetof(source_cfg, batch)},
    {.key = "keys", .type = RT_CFG_INT, .def = "0", .offset = offsetof(source_cfg, keys)},
    {.key = "idle_every",
     .type = RT_CFG_INT,
     .def = "0",
     .offset = offsetof(source_cfg, idle_every)},
    {.key = "sleep_us", .type = RT_CFG_INT, .def = "0", .offset = offsetof(source_cfg, sleep_us)},
    {.key = "unbounded",
     .type = RT_CFG_BOOL,
     .def = "false",
     .offset = offsetof(source_cfg, unbounded)},
    {.key = NULL},
};

typedef struct source {
    const source_cfg *cfg;
    const rt_table *table;
    int64_t next, polls;
} source;

static int source_open(op_ctx *ctx, const void *config, void **self, rt_err *err)
{
    static const rt_column cols[] = {
        {.name = "id", .type = RT_TYPE_INT},
        {.name = "key", .type = RT_TYPE_INT, .primary_key = true},
        {.name = "src", .type = RT_TYPE_INT},
        {.name = "name", .type = RT_TYPE_STRING, .nullable = true},
    };
    rt_table *t = rt_table_new("test", "rows", cols, 4, err);
    if (!t)
        return err ? err->code : RT_EINVAL;
    source *s = calloc(1, sizeof *s);
    s->cfg = config;
    s->table = rt_catalog_intern(op_ctx_catalog(ctx), t);
    uint64_t restored = op_ctx_restored_checkpoint(ctx);
    if (restored) {
        atomic_store(&test_ops_stats_now.restored, restored);
        char *val;
        size_t len;
        int rc = op_ctx_state_get(ctx, "next", &val, &len, err);
        if (rc != 0) {
            free(s); /* close is not called after a failed open */
            return rc;
        }
        s->next = strtoll(val, NULL, 10);
        free(val);
    }
    *self = s;
    atomic_fetch_add(&test_ops_stats_now.opens, 1);
    if (op_ctx_subtask(ctx) < 4)
        atomic_store(&test_ops_stats_now.source_start[op_ctx_subtask(ctx)], s->next);
    return 0;
}

static int source_prepare(void *self, op_ctx *ctx, uint64_t id, rt_err *err)
{
    ckpt_record(TEST_CKPT_PREPARE, ctx, id);
    return 0;
}

static int source_snapshot(void *self, op_ctx *ctx, uint64_t id, rt_err *err)
{
    source *s = self;
    ckpt_record(TEST_CKPT_SNAPSHOT, ctx, id);
    char val[32];
    int len = snprintf(val, sizeof val, "%lld", (long long)s->next);
    return op_ctx_state_put(ctx, "next", val, (size_t)len, err);
}

static int source_complete(void *self, op_ctx *ctx, uint64_t id, rt_err *err)
{
    ckpt_record(TEST_CKPT_COMPLETE, ctx, id);
    return 0;
}

static int source_aborted(void *self, op_ctx *ctx, uint64_t id, rt_err *err)
{
    ckpt_record(TEST_CKPT_ABORTED, ctx, id);
    return 0;
}

static int source_poll(void *self, op_ctx *ctx, rt_err *err)
{
    source *s = self;
    s->polls++;
    if (s->cfg->sleep_us)
        sleep_us(s->cfg->sleep_us);
    if (s->cfg->idle_every && s->polls % s->cfg->idle_every == 0)
        return OP_POLL_IDLE;
    if (!s->cfg->unbounded && s->next >= s->cfg->rows)
        return OP_POLL_END;
    rt_batch *b = op_ctx_batch_new(ctx);
    if (!b)
        return rt_err_set(err, RT_ENOMEM, "no batch");
    int64_t base = (int64_t)op_ctx_subtask(ctx) * 1000000000;
    for (int64_t i = 0; i < s->cfg->batch && (s->cfg->unbounded || s->next < s->cfg->rows); i++) {
        rt_record *r = rt_batch_add(b, RT_ROW_INSERT, s->table);
        int64_t n = s->next++;
        r->values[0] = (rt_value){.type = RT_TYPE_INT, .i = base + n};
        r->values[1] =
            (rt_value){.type = RT_TYPE_INT, .i = s->cfg->keys ? n % s->cfg->keys : base + n};
        r->values[2] = (rt_value){.type = RT_TYPE_INT, .i = op_ctx_subtask(ctx)};
        char name[32];
        int len = snprintf(name, sizeof name, "row-%lld", (long long)n);
        rt_batch_set_str(b, &r->values[3], RT_TYPE_STRING, name, (size_t)len);
    }
    int rc = op_ctx_emit(ctx, b, err);
    return rc < 0 ? rc : OP_POLL_MORE;
}

static void source_close(void *self, op_ctx *ctx)
{
    free(self);
    atomic_fetch_add(&test_ops_stats_now.closes, 1);
}

/* --- test_map --- */

typedef struct map_cfg {
    bool hold, copy;
} map_cfg;

static const rt_config_field map_fields[] = {
    {.key = "hold", .type = RT_CFG_BOOL, .def = "false", .offset = offsetof(map_cfg, hold)},
    {.key = "copy", .type = RT_CFG_BOOL, .def = "false", .offset = offsetof(map_cfg, copy)},
    {.key = NULL},
};

typedef struct map {
    const map_cfg *cfg;
    rt_batch **held;
    size_t held_count, held_cap;
} map;

static int map_open(op_ctx *ctx, const void *config, void **self, rt_err *err)
{
    map *m = calloc(1, sizeof *m);
    m->cfg = config;
    *self = m;
    atomic_fetch_add(&test_ops_stats_now.opens, 1);
    return 0;
}

static int map_process(void *self, op_ctx *ctx, size_t input, rt_batch *batch, rt_err *err)
{
    map *m = self;
    if (m->cfg->hold) {
        if (m->held_count == m->held_cap) {
            m->held_cap = m->held_cap ? m->held_cap * 2 : 16;
            m->held = realloc(m->held, m->held_cap * sizeof *m->held);
        }
        rt_batch_ref(batch);
        m->held[m->held_count++] = batch;
        return 0;
    }
    if (m->cfg->copy) {
        rt_batch *out = op_ctx_batch_new(ctx);
        for (size_t i = 0; i < rt_batch_count(batch); i++)
            rt_batch_copy_record(out, rt_batch_at_const(batch, i));
        return op_ctx_emit(ctx, out, err);
    }
    rt_batch_ref(batch);
    return op_ctx_emit(ctx, batch, err);
}

static int map_finish(void *self, op_ctx *ctx, rt_err *err)
{
    map *m = self;
    atomic_fetch_add(&test_ops_stats_now.finishes, 1);
    int rc = 0;
    for (size_t i = 0; i < m->held_count; i++) {
        rt_batch *b = m->held[i];
        m->held[i] = NULL;
        if (rc == 0)
            rc = op_ctx_emit(ctx, b, err);
        else
            rt_batch_unref(b);
    }
    m->held_count = 0;
    return rc;
}

static void map_close(void *self, op_ctx *ctx)
{
    map *m = self;
    for (size_t i = 0; i < m->held_count; i++)
        rt_batch_unref(m->held[i]);
    free(m->held);
    free(m);
    atomic_fetch_add(&test_ops_stats_now.closes, 1);
}

/* --- test_fail --- */

typedef struct fail_cfg {
    int at; /* 0 open, 1 process, 2 finish */
    int64_t after;
} fail_cfg;

static const char *const fail_points[] = {"open", "process", "finish", "snapshot", NULL};

static const rt_config_field fail_fields[] = {
    {.key = "at",
     .type = RT_CFG_ENUM,
     .def = "\"process\"",
     .offset = offsetof(fail_cfg, at),
     .choices = fail_points},
    {.key = "after", .type = RT_CFG_INT, .def = "0", .offset = offsetof(fail_cfg, after)},
    {.key = NULL},
};

typedef struct failer {
    const fail_cfg *cfg;
    int64_t seen;
} failer;

static int fail_open(op_ctx *ctx, const void *config, void **self, rt_err *err)
{
    const fail_cfg *cfg = config;
    if (cfg->at == 0)
        return rt_err_set(err, RT_EIO, "boom at open");
    failer *f = calloc(1, sizeof *f);
    f->cfg = cfg;
    *self = f;
    atomic_fetch_add(&test_ops_stats_now.opens, 1);
    return 0;
}

static int fail_process(void *self, op_ctx *ctx, size_t input, rt_batch *batch, rt_err *err)
{
    failer *f = self;
    if (f->cfg->at == 1 && f->seen++ >= f->cfg->after)
        return rt_err_set(err, RT_EIO, "boom at process");
    rt_batch_ref(batch);
    return op_ctx_emit(ctx, batch, err);
}

static int fail_finish(void *self, op_ctx *ctx, rt_err *err)
{
    failer *f = self;
    if (f->cfg->at == 2)
        return rt_err_set(err, RT_EIO, "boom at finish");
    return 0;
}

static int fail_snapshot(void *self, op_ctx *ctx, uint64_t id, rt_err *err)
{
    failer *f = self;
    if (f->cfg->at == 3)
        return rt_err_set(err, RT_EIO, "boom at snapshot %llu", (unsigned long long)id);
    return 0;
}

static void fail_close(void *self, op_ctx *ctx)
{
    free(self);
    atomic_fetch_add(&test_ops_stats_now.closes, 1);
}

/* --- test_sink --- */

typedef struct sink_cfg {
    int64_t slot, sleep_us, snapshot_sleep_ms, slow_after;
    bool emit;
} sink_cfg;

static const rt_config_field sink_fields[] = {
    {.key = "slot", .type = RT_CFG_INT, .def = "0", .offset = offsetof(sink_cfg, slot)},
    {.key = "sleep_us", .type = RT_CFG_INT, .def = "0", .offset = offsetof(sink_cfg, sleep_us)},
    {.key = "emit", .type = RT_CFG_BOOL, .def = "false", .offset = offsetof(sink_cfg, emit)},
    {.key = "snapshot_sleep_ms",
     .type = RT_CFG_INT,
     .def = "0",
     .offset = offsetof(sink_cfg, snapshot_sleep_ms)},
    {.key = "slow_after", .type = RT_CFG_INT, .def = "0", .offset = offsetof(sink_cfg, slow_after)},
    {.key = NULL},
};

typedef struct sink {
    const sink_cfg *cfg;
    int64_t snapshots;
} sink;

static int sink_open(op_ctx *ctx, const void *config, void **self, rt_err *err)
{
    sink *k = calloc(1, sizeof *k);
    k->cfg = config;
    *self = k;
    atomic_fetch_add(&test_ops_stats_now.opens, 1);
    return 0;
}

static int sink_prepare(void *self, op_ctx *ctx, uint64_t id, rt_err *err)
{
    ckpt_record(TEST_CKPT_PREPARE, ctx, id);
    return 0;
}

static int sink_snapshot(void *self, op_ctx *ctx, uint64_t id, rt_err *err)
{
    sink *k = self;
    ckpt_record(TEST_CKPT_SNAPSHOT, ctx, id);
    k->snapshots++;
    if (k->cfg->slow_after && k->snapshots >= k->cfg->slow_after)
        sleep_us(k->cfg->snapshot_sleep_ms * 1000);
    return 0;
}

static int sink_complete(void *self, op_ctx *ctx, uint64_t id, rt_err *err)
{
    ckpt_record(TEST_CKPT_COMPLETE, ctx, id);
    return 0;
}

static int sink_aborted(void *self, op_ctx *ctx, uint64_t id, rt_err *err)
{
    ckpt_record(TEST_CKPT_ABORTED, ctx, id);
    return 0;
}

static int sink_finish(void *self, op_ctx *ctx, rt_err *err)
{
    ckpt_record(TEST_CKPT_FINISH, ctx, 0);
    return 0;
}

static int sink_process(void *self, op_ctx *ctx, size_t input, rt_batch *batch, rt_err *err)
{
    const sink_cfg *cfg = ((sink *)self)->cfg;
    if (cfg->sleep_us)
        sleep_us(cfg->sleep_us);
    if (cfg->emit) {
        rt_batch_ref(batch);
        return op_ctx_emit(ctx, batch, err);
    }
    size_t n = rt_batch_count(batch);
    pthread_mutex_lock(&rows_mu);
    if (row_count + n > row_cap) {
        while (row_count + n > row_cap)
            row_cap = row_cap ? row_cap * 2 : 1024;
        rows = realloc(rows, row_cap * sizeof *rows);
    }
    for (size_t i = 0; i < n; i++) {
        const rt_record *r = rt_batch_at_const(batch, i);
        rows[row_count++] = (test_row){.id = r->values[0].i,
                                       .key = r->values[1].i,
                                       .slot = (uint32_t)cfg->slot,
                                       .subtask = op_ctx_subtask(ctx),
                                       .input = (uint32_t)input};
    }
    pthread_mutex_unlock(&rows_mu);
    return 0;
}

static void sink_close(void *self, op_ctx *ctx)
{
    free(self);
    atomic_fetch_add(&test_ops_stats_now.closes, 1);
}

/* --- registry --- */

static const op_type types[] = {
    {.info = {.name = "test_source",
              .kind = GRAPH_KIND_SOURCE,
              .config = source_fields,
              .config_size = sizeof(source_cfg)},
     .open = source_open,
     .poll = source_poll,
     .prepare_snapshot = source_prepare,
     .snapshot_state = source_snapshot,
     .notify_checkpoint_complete = source_complete,
     .notify_checkpoint_aborted = source_aborted,
     .close = source_close},
    {.info = {.name = "test_map",
              .kind = GRAPH_KIND_TRANSFORM,
              .config = map_fields,
              .config_size = sizeof(map_cfg)},
     .open = map_open,
     .process = map_process,
     .finish = map_finish,
     .close = map_close},
    {.info = {.name = "test_fail",
              .kind = GRAPH_KIND_TRANSFORM,
              .config = fail_fields,
              .config_size = sizeof(fail_cfg)},
     .open = fail_open,
     .process = fail_process,
     .snapshot_state = fail_snapshot,
     .finish = fail_finish,
     .close = fail_close},
    {.info = {.name = "test_sink",
              .kind = GRAPH_KIND_SINK,
              .config = sink_fields,
              .config_size = sizeof(sink_cfg)},
     .open = sink_open,
     .process = sink_process,
     .prepare_snapshot = sink_prepare,
     .snapshot_state = sink_snapshot,
     .notify_checkpoint_complete = sink_complete,
     .notify_checkpoint_aborted = sink_aborted,
     .finish = sink_finish,
     .close = sink_close},
};

static const graph_type_info ghost = {.name = "test_ghost", .kind = GRAPH_KIND_TRANSFORM};

const op_type *test_ops_lookup(const char *type)
{
    for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
        if (strcmp(types[i].info.name, type) == 0)
            return &types[i];
    }
    return NULL;
}

static const graph_type_info *catalog_find(void *ctx, const char *type)
{
    if (strcmp(type, ghost.name) == 0)
        return &ghost;
    const op_type *t = test_ops_lookup(type);
    return t ? &t->info : NULL;
}

static void catalog_list(void *ctx, char *buf, size_t size)
{
    snprintf(buf, size, "test_source, test_map, test_fail, test_sink, test_ghost");
}

const graph_catalog test_ops_catalog = {.find = catalog_find, .ctx = NULL, .list = catalog_list};
