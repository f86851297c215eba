/* The print sink: every record as one changelog JSON line (changelog.h), on stdout or appended to
 * a file. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "operators/basic/changelog.h"
#include "operators/op.h"
#include "runtime/base/buf.h"
#include "runtime/base/config.h"
#include "runtime/base/log.h"

typedef struct print_config {
    char *path;
} print_config;

static const rt_config_field print_fields[] = {
    {.key = "path",
     .type = RT_CFG_STRING,
     .offset = offsetof(print_config, path),
     .help = "file to append the lines to; default stdout"},
    {0},
};

typedef struct print_sink {
    int fd;
    const char *path; /* borrowed from the config; NULL for stdout */
    rt_buf out;       /* the lines of one batch */
    op_changelog *changelog;
    uint64_t records;
} print_sink;

static int print_open(op_ctx *ctx, const void *config, void **self, rt_err *err)
{
    const print_config *c = config;
    print_sink *p = calloc(1, sizeof *p);
    if (!p)
        return rt_err_set(err, RT_ENOMEM, "print: out of memory");
    p->changelog = op_changelog_new();
    if (!p->changelog) {
        free(p);
        return rt_err_set(err, RT_ENOMEM, "print: out of memory");
    }
    p->fd = STDOUT_FILENO;
    if (c->path) {
        /* O_APPEND: the subtasks of one print vertex share the file, and each batch lands as
         * one write at the end, so their lines never interleave. */
        p->fd = open(c->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (p->fd < 0) {
            int e = errno;
            op_changelog_free(p->changelog);
            free(p);
            return rt_err_set(err, RT_EIO, "print: open '%s': %s", c->path, strerror(e));
        }
        p->path = c->path;
    }
    rt_buf_init(&p->out);
    *self = p;
    return 0;
}

static int write_all(print_sink *p, rt_err *err)
{
    size_t off = 0;
    while (off < p->out.len) {
        ssize_t w = write(p->fd, p->out.data + off, p->out.len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return rt_err_set(err, RT_EIO, "print: write %s: %s", p->path ? p->path : "stdout",
                              strerror(errno));
        off += (size_t)w;
    }
    rt_buf_reset(&p->out);
    return 0;
}

static int print_process(void *self, op_ctx *ctx, size_t input, rt_batch *batch, rt_err *err)
{
    print_sink *p = self;
    int rc = op_changelog_format(p->changelog, batch, &p->out, err);
    if (rc != 0)
        return rc;
    p->records += rt_batch_count(batch);
    return write_all(p, err);
}

static int print_finish(void *self, op_ctx *ctx, rt_err *err)
{
    print_sink *p = self;
    int rc = write_all(p, err);
    LOG_INFO("%s: print: %llu records to %s", op_ctx_log_tag(ctx), (unsigned long long)p->records,
             p->path ? p->path : "stdout");
    return rc;
}

static void print_close(void *self, op_ctx *ctx)
{
    print_sink *p = self;
    if (!p)
        return;
    if (p->path)
        close(p->fd);
    rt_buf_fini(&p->out);
    op_changelog_free(p->changelog);
    free(p);
}

const op_type op_print_type = {
    .info =
        {
            .name = "print",
            .kind = GRAPH_KIND_SINK,
            .config = print_fields,
            .config_size = sizeof(print_config),
        },
    .help = "writes every record as a changelog JSON line to stdout or a file",
    .open = print_open,
    .process = print_process,
    .finish = print_finish,
    .close = print_close,
};
