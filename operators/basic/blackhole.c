/* The blackhole sink: counts the records it receives and drops them (for benchmarks). */
#include <stdlib.h>

#include "operators/op.h"
#include "runtime/base/config.h"
#include "runtime/base/log.h"

/* blackhole takes no settings; the struct only gives the (empty) config table a home. */
typedef struct blackhole_config {
    int unused;
} blackhole_config;

static const rt_config_field blackhole_fields[] = {
    {0},
};

typedef struct blackhole {
    uint64_t records;
} blackhole;

static int blackhole_open(op_ctx *ctx, const void *config, void **self, rt_err *err)
{
    blackhole *b = calloc(1, sizeof *b);
    if (!b)
        return rt_err_set(err, RT_ENOMEM, "blackhole: out of memory");
    *self = b;
    return 0;
}

static int blackhole_process(void *self, op_ctx *ctx, size_t input, rt_batch *batch, rt_err *err)
{
    blackhole *b = self;
    b->records += rt_batch_count(batch);
    return 0;
}

static int blackhole_finish(void *self, op_ctx *ctx, rt_err *err)
{
    blackhole *b = self;
    LOG_INFO("%s: blackhole: %llu records", op_ctx_log_tag(ctx), (unsigned long long)b->records);
    return 0;
}

static void blackhole_close(void *self, op_ctx *ctx)
{
    free(self);
}

const op_type op_blackhole_type = {
    .info =
        {
            .name = "blackhole",
            .kind = GRAPH_KIND_SINK,
            .config = blackhole_fields,
            .config_size = sizeof(blackhole_config),
        },
    .help = "counts and discards every record",
    .open = blackhole_open,
    .process = blackhole_process,
    .finish = blackhole_finish,
    .close = blackhole_close,
};
