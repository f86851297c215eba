/* The datagen source: deterministic rows of a default or configured table (datagen_rows.h),
 * ids 1..rows spread over the subtasks, optionally rate limited. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operators/basic/datagen_rows.h"
#include "operators/op.h"
#include "runtime/base/clock.h"
#include "runtime/base/config.h"
#include "runtime/base/log.h"

typedef struct datagen_config {
    int64_t rows;
    int64_t rate;
    char *table;
    int64_t seed;
    char *columns;
} datagen_config;

static const rt_config_field datagen_fields[] = {
    {.key = "rows",
     .type = RT_CFG_INT,
     .def = "0",
     .offset = offsetof(datagen_config, rows),
     .flags = RT_CFG_RANGE,
     .min = 0,
     .max = INT64_MAX,
     .help = "rows to generate, ids 1..rows across all subtasks; 0 = unbounded"},
    {.key = "rate",
     .type = RT_CFG_INT,
     .def = "0",
     .offset = offsetof(datagen_config, rate),
     .flags = RT_CFG_RANGE,
     .min = 0,
     .max = INT64_MAX,
     .help = "rows per second for the whole job (split over the subtasks); 0 = unlimited"},
    {.key = "table",
     .type = RT_CFG_STRING,
     .def = "\"gen.rows\"",
     .offset = offsetof(datagen_config, table),
     .help = "the generated table, as db.table"},
    {.key = "seed",
     .type = RT_CFG_INT,
     .def = "0",
     .offset = offsetof(datagen_config, seed),
     .help = "changes every generated value except the ids"},
    {.key = "columns",
     .type = RT_CFG_JSON,
     .offset = offsetof(datagen_config, columns),
     .help = "{name: MySQL type}; the first column is an integer primary key"},
    {0},
};

/* Splits "db.table" into its two parts (into db/name, each 65 bytes at least). */
static int split_table(const char *qualified, const char *path, char *db, char *name, rt_err *err)
{
    const char *dot = qualified ? strchr(qualified, '.') : NULL;
    if (!dot || dot == qualified || !dot[1] || strchr(dot + 1, '.') || dot - qualified > 64 ||
        strlen(dot + 1) > 64)
        return rt_err_set(err, RT_EINVAL, "%s.table: expected \"db.table\", got \"%s\"", path,
                          qualified ? qualified : "");
    memcpy(db, qualified, (size_t)(dot - qualified));
    db[dot - qualified] = '\0';
    strcpy(name, dot + 1);
    return 0;
}

static int datagen_validate(const void *config, const char *path, rt_err *err)
{
    const datagen_config *c = config;
    char db[65], name[65], where[256];
    int rc = split_table(c->table, path, db, name, err);
    if (rc != 0)
        return rc;
    snprintf(where, sizeof where, "%s.columns", path);
    op_datagen_schema *s;
    if ((rc = op_datagen_schema_new(c->columns, c->seed, where, &s, err)) != 0)
        return rc;
    uint64_t max_id = op_datagen_schema_max_id(s);
    if ((uint64_t)c->rows > max_id)
        rc = rt_err_set(err, RT_EINVAL, "%s.rows: %lld ids do not fit the key column (max %llu)",
                        path, (long long)c->rows, (unsigned long long)max_id);
    op_datagen_schema_free(s);
    return rc;
}

typedef struct datagen {
    op_datagen_schema *schema;
    const rt_table *table; /* interned in the job's catalog */
    /* The position, and the whole of this subtask's state: the next id it emits. Ids of
     * subtask s of p are s+1, s+1+p, ... up to last. */
    uint64_t next;
    uint64_t last;
    uint64_t step;
    bool done;
    uint64_t emitted;
    size_t batch_rows;
    size_t row_max;
    size_t chunk; /* arena bytes taken at a time for the text of several rows */
    /* Token bucket for `rate`: tokens are rows; at most `burst` (100 ms worth) accumulate
     * while the job is backpressured, so a stall is not followed by a flood. */
    double per_ns;
    double tokens;
    double burst;
    int64_t last_ns;
} datagen;

/* The "position" state: everything that determines the rest of this subtask's output, in a fixed
 * little-endian layout so a checkpoint reads the same on any host and across builds:
 *   u32 version (1) | u32 step | u64 next | u64 last | u8 done
 * step and last are recorded to refuse a restore into a different job rather than emit a
 * different id sequence. */
#define POSITION_VERSION 1u
#define POSITION_SIZE 25

static void put_le(unsigned char *p, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static int datagen_snapshot_state(void *self, op_ctx *ctx, uint64_t id, rt_err *err)
{
    const datagen *g = self;
    unsigned char pos[POSITION_SIZE];
    put_le(pos, POSITION_VERSION, 4);
    put_le(pos + 4, g->step, 4);
    put_le(pos + 8, g->next, 8);
    put_le(pos + 16, g->last, 8);
    pos[24] = g->done;
    return op_ctx_state_put(ctx, "position", pos, sizeof pos, err);
}

/* Continues from the position of the checkpoint this subtask was restored from. */
static int restore_position(datagen *g, op_ctx *ctx, rt_err *err)
{
    uint64_t ckpt = op_ctx_restored_checkpoint(ctx);
    char *val = NULL;
    size_t len = 0;
    int rc = op_ctx_state_get(ctx, "position", &val, &len, err);
    if (rc == RT_ENOTFOUND)
        return rt_err_set(err, RT_ECORRUPT,
                          "datagen: checkpoint %llu holds no position for subtask %u",
                          (unsigned long long)ckpt, op_ctx_subtask(ctx));
    if (rc != 0)
        return rt_err_prefix(err, rc, "datagen: restore from checkpoint %llu",
                             (unsigned long long)ckpt);
    const unsigned char *p = (const unsigned char *)val;
    if (len != POSITION_SIZE || get_le(p, 4) != POSITION_VERSION || p[24] > 1) {
        free(val);
        return rt_err_set(err, RT_ECORRUPT,
                          "datagen: checkpoint %llu: position of subtask %u is damaged "
                          "(%zu bytes)",
                          (unsigned long long)ckpt, op_ctx_subtask(ctx), len);
    }
    uint64_t step = get_le(p + 4, 4), next = get_le(p + 8, 8), last = get_le(p + 16, 8);
    bool done = p[24];
    free(val);
    if (step != g->step || last != g->last)
        return rt_err_set(err, RT_ESTATE,
                          "datagen: checkpoint %llu was taken with ids up to %llu over %llu "
                          "subtasks; the job has %llu over %llu",
                          (unsigned long long)ckpt, (unsigned long long)last,
                          (unsigned long long)step, (unsigned long long)g->last,
                          (unsigned long long)g->step);
    /* A position this subtask could never have reached is damage, not a job change. */
    if (!done && (next < g->next || next > g->last || (next - g->next) % step != 0))
        return rt_err_set(err, RT_ECORRUPT,
                          "datagen: checkpoint %llu: position %llu is not an id of subtask %u",
                          (unsigned long long)ckpt, (unsigned long long)next, op_ctx_subtask(ctx));
    g->next = next;
    g->done = done;
    return 0;
}

static int datagen_open(op_ctx *ctx, const void *config, void **self, rt_err *err)
{
    const datagen_config *c = config;
    char db[65], name[65];
    int rc = split_table(c->table, "config", db, name, err);
    if (rc != 0)
        return rc;
    datagen *g = calloc(1, sizeof *g);
    if (!g)
        return rt_err_set(err, RT_ENOMEM, "datagen: out of memory");
    if ((rc = op_datagen_schema_new(c->columns, c->seed, "config.columns", &g->schema, err)) != 0)
        goto fail;
    uint64_t max_id = op_datagen_schema_max_id(g->schema);
    if ((uint64_t)c->rows > max_id) {
        rc = rt_err_set(err, RT_EINVAL, "config.rows: %lld ids do not fit the key column",
                        (long long)c->rows);
        goto fail;
    }
    rt_table *t = op_datagen_schema_table(g->schema, db, name, err);
    if (!t) {
        rc = err ? err->code : RT_EINVAL;
        goto fail;
    }
    g->table = rt_catalog_intern(op_ctx_catalog(ctx), t);
    uint32_t p = op_ctx_parallelism(ctx);
    g->step = p;
    g->next = (uint64_t)op_ctx_subtask(ctx) + 1;
    g->last = c->rows ? (uint64_t)c->rows : max_id;
    g->done = g->next > g->last;
    if (op_ctx_restored_checkpoint(ctx) != 0 && (rc = restore_position(g, ctx, err)) != 0)
        goto fail;
    g->batch_rows = op_ctx_batch_rows(ctx);
    g->row_max = op_datagen_row_max_size(g->schema);
    g->chunk = g->row_max * 16 > 8192 ? g->row_max * 16 : 8192;
    if (c->rate > 0) {
        double rate = (double)c->rate / p;
        g->per_ns = rate / 1e9;
        g->burst = rate / 10 > 1 ? rate / 10 : 1;
        g->last_ns = rt_clock_mono_ns();
    }
    if (g->done)
        LOG_INFO("%s: datagen: %s, no ids left for this subtask", op_ctx_log_tag(ctx),
                 rt_table_qualified(g->table));
    else if (op_ctx_restored_checkpoint(ctx) != 0)
        LOG_INFO("%s: datagen: %s, restored from checkpoint %llu: ids %llu..%llu step %u",
                 op_ctx_log_tag(ctx), rt_table_qualified(g->table),
                 (unsigned long long)op_ctx_restored_checkpoint(ctx), (unsigned long long)g->next,
                 (unsigned long long)g->last, p);
    else
        LOG_INFO("%s: datagen: %s, ids %llu..%llu step %u, %lld rows/s for the job (0: no limit)",
                 op_ctx_log_tag(ctx), rt_table_qualified(g->table), (unsigned long long)g->next,
                 (unsigned long long)g->last, p, (long long)c->rate);
    *self = g;
    return 0;
fail:
    op_datagen_schema_free(g->schema);
    free(g);
    return rc;
}

/* Rows the rate allows now (all of `want` when unlimited). */
static size_t rate_allow(datagen *g, size_t want)
{
    if (g->per_ns == 0)
        return want;
    int64_t now = rt_clock_mono_ns();
    g->tokens += (double)(now - g->last_ns) * g->per_ns;
    g->last_ns = now;
    if (g->tokens > g->burst)
        g->tokens = g->burst;
    if (g->tokens < 1)
        return 0;
    if ((double)want > g->tokens)
        want = (size_t)g->tokens;
    g->tokens -= (double)want;
    return want;
}

static int datagen_poll(void *self, op_ctx *ctx, rt_err *err)
{
    datagen *g = self;
    if (g->done)
        return OP_POLL_END;
    uint64_t left = (g->last - g->next) / g->step + 1; /* ids this subtask still owes */
    size_t n = left < g->batch_rows ? (size_t)left : g->batch_rows;
    n = rate_allow(g, n);
    if (n == 0)
        return OP_POLL_IDLE;
    rt_batch *b = op_ctx_batch_new(ctx);
    if (!b)
        return rt_err_set(err, RT_ENOMEM, "datagen: out of memory for a batch");
    char *space = NULL;
    size_t room = 0;
    uint64_t id = g->next;
    for (size_t i = 0; i < n; i++, id += g->step) {
        rt_record *r = rt_batch_add(b, RT_ROW_INSERT, g->table);
        if (r && room < g->row_max) {
            space = rt_batch_alloc(b, g->chunk);
            room = space ? g->chunk : 0;
        }
        if (!r || room < g->row_max) {
            rt_batch_unref(b);
            return rt_err_set(err, RT_ENOMEM, "datagen: out of memory for a batch");
        }
        size_t used = op_datagen_row(g->schema, id, r->values, space);
        space += used;
        room -= used;
    }
    /* Advance without computing an id past `last`, which may be UINT64_MAX. */
    if ((uint64_t)n == left)
        g->done = true;
    else
        g->next += (uint64_t)n * g->step;
    g->emitted += n;
    int rc = op_ctx_emit(ctx, b, err);
    if (rc != 0)
        return rc;
    if (g->done) {
        LOG_INFO("%s: datagen: end of input after %llu rows", op_ctx_log_tag(ctx),
                 (unsigned long long)g->emitted);
        return OP_POLL_END;
    }
    return OP_POLL_MORE;
}

static void datagen_close(void *self, op_ctx *ctx)
{
    datagen *g = self;
    if (!g)
        return;
    op_datagen_schema_free(g->schema);
    free(g);
}

const op_type op_datagen_type = {
    .info =
        {
            .name = "datagen",
            .kind = GRAPH_KIND_SOURCE,
            .config = datagen_fields,
            .config_size = sizeof(datagen_config),
            .validate = datagen_validate,
        },
    .help = "generates deterministic rows of a MySQL-typed table, for tests and benchmarks",
    .open = datagen_open,
    .poll = datagen_poll,
    .snapshot_state = datagen_snapshot_state,
    .close = datagen_close,
};
