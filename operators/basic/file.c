/* The file sink: changelog JSON lines (changelog.h) into part files of a directory, exactly once
 * through two-phase commit on checkpoints (DESIGN.md §3 mapped onto files, file_part.h):
 *   process       append to this subtask's hidden in-progress part
 *   prepare(n)    fsync it and rename it to the hidden pending part of checkpoint n (pre-commit)
 *   snapshot(n)   record every pending part not yet committed
 *   complete(n)   rename the pending parts of checkpoints <= n to visible names (commit)
 *   restore(n)    commit the parts recorded in n, delete every other hidden part (replayed)
 * Without checkpoints, finish() commits the one part directly. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "operators/basic/changelog.h"
#include "operators/basic/file_part.h"
#include "operators/op.h"
#include "runtime/base/buf.h"
#include "runtime/base/config.h"
#include "runtime/base/failpoint.h"
#include "runtime/base/log.h"

typedef struct file_config {
    char *path;
} file_config;

static const rt_config_field file_fields[] = {
    {.key = "path",
     .type = RT_CFG_STRING,
     .offset = offsetof(file_config, path),
     .flags = RT_CFG_REQUIRED,
     .help = "directory of the part files; created if missing"},
    {0},
};

#define NAME_SIZE 160

typedef struct file_sink {
    const char *dir; /* borrowed from the config */
    int dirfd;
    const char *vertex; /* borrowed from the context */
    uint32_t subtask;
    bool checkpointing;
    /* The open in-progress part: fd < 0 until the first row after a barrier, so a checkpoint
     * without rows leaves no empty part behind. */
    int fd;
    char part[NAME_SIZE];
    uint64_t seq;       /* in-progress parts opened by this attempt */
    uint64_t part_rows; /* rows in the open part */
    uint64_t *pending;  /* checkpoint ids of pre-committed parts, ascending */
    size_t pending_count, pending_cap;
    rt_buf out; /* the lines of one batch */
    op_changelog *changelog;
    uint64_t records, committed;
} file_sink;

/* mkdir -p: the subtasks of one vertex race to create it, so EEXIST is success. */
static int make_dirs(const char *path, rt_err *err)
{
    size_t len = strlen(path);
    char *p = malloc(len + 1);
    if (!p)
        return rt_err_set(err, RT_ENOMEM, "file: out of memory");
    memcpy(p, path, len + 1);
    int rc = 0;
    for (size_t i = 1; i <= len && rc == 0; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        char c = p[i];
        p[i] = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST)
            rc = rt_err_set(err, RT_EIO, "file: create directory '%s': %s", p, strerror(errno));
        p[i] = c;
    }
    free(p);
    return rc;
}

/* Restores the directory to checkpoint `ckpt` (0: a fresh start, which only cleans up). */
static int restore(file_sink *f, op_ctx *ctx, uint64_t ckpt, rt_err *err)
{
    uint64_t *ids = NULL;
    size_t count = 0;
    if (ckpt != 0) {
        char *val = NULL;
        size_t len = 0;
        int rc = op_ctx_state_get(ctx, "pending", &val, &len, err);
        if (rc == RT_ENOTFOUND)
            return rt_err_set(err, RT_ECORRUPT,
                              "file: checkpoint %" PRIu64 " holds no pending list for subtask %u",
                              ckpt, f->subtask);
        if (rc != 0)
            return rt_err_prefix(err, rc, "file: restore from checkpoint %" PRIu64, ckpt);
        rc = op_file_part_pending_parse(val, len, &ids, &count, err);
        free(val);
        if (rc != 0)
            return rt_err_prefix(err, rc, "file: checkpoint %" PRIu64, ckpt);
    }
    op_file_part_restore_stats s;
    int rc = op_file_part_restore(f->dirfd, f->dir, f->vertex, f->subtask, ids, count, &s, err);
    free(ids);
    if (rc != 0)
        return rc;
    if (s.missing)
        LOG_WARN("%s: file: %zu parts of checkpoint %" PRIu64 " are neither pending nor "
                 "committed in %s (moved away?)",
                 op_ctx_log_tag(ctx), s.missing, ckpt, f->dir);
    if (ckpt != 0 || s.deleted)
        LOG_INFO("%s: file: %s restored to checkpoint %" PRIu64 ": %zu parts committed now, "
                 "%zu already, %zu uncommitted deleted",
                 op_ctx_log_tag(ctx), f->dir, ckpt, s.committed, s.already, s.deleted);
    return 0;
}

static void sink_free(file_sink *f)
{
    if (f->fd >= 0)
        close(f->fd); /* the in-progress part stays: the next open deletes it */
    if (f->dirfd >= 0)
        close(f->dirfd);
    rt_buf_fini(&f->out);
    op_changelog_free(f->changelog);
    free(f->pending);
    free(f);
}

static int file_open(op_ctx *ctx, const void *config, void **self, rt_err *err)
{
    const file_config *c = config;
    file_sink *f = calloc(1, sizeof *f);
    if (!f)
        return rt_err_set(err, RT_ENOMEM, "file: out of memory");
    f->fd = -1;
    f->dirfd = -1;
    f->dir = c->path;
    f->vertex = op_ctx_vertex_id(ctx);
    f->subtask = op_ctx_subtask(ctx);
    f->checkpointing = op_ctx_checkpointing(ctx);
    rt_buf_init(&f->out);
    int rc = 0;
    if (!(f->changelog = op_changelog_new())) {
        rc = rt_err_set(err, RT_ENOMEM, "file: out of memory");
        goto fail;
    }
    if ((rc = make_dirs(c->path, err)) != 0)
        goto fail;
    f->dirfd = open(c->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (f->dirfd < 0) {
        rc = rt_err_set(err, RT_EIO, "file: open directory '%s': %s", c->path, strerror(errno));
        goto fail;
    }
    /* Without checkpoints a restart starts over too: parts a crashed run left are deleted. */
    uint64_t ckpt = f->checkpointing ? op_ctx_restored_checkpoint(ctx) : 0;
    if ((rc = restore(f, ctx, ckpt, err)) != 0)
        goto fail;
    *self = f;
    return 0;
fail:
    sink_free(f);
    return rc;
}

static int write_all(file_sink *f, rt_err *err)
{
    size_t off = 0;
    while (off < f->out.len) {
        ssize_t w = write(f->fd, f->out.data + off, f->out.len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return rt_err_set(err, RT_EIO, "file: write %s/%s: %s", f->dir, f->part,
                              strerror(errno));
        off += (size_t)w;
    }
    rt_buf_reset(&f->out);
    return 0;
}

static int file_process(void *self, op_ctx *ctx, size_t input, rt_batch *batch, rt_err *err)
{
    file_sink *f = self;
    size_t count = rt_batch_count(batch);
    if (count == 0)
        return 0;
    if (f->fd < 0) {
        int rc = op_file_part_name(f->part, sizeof f->part, OP_FILE_PART_INPROGRESS, f->vertex,
                                   f->subtask, f->seq, err);
        if (rc != 0)
            return rc;
        /* O_TRUNC: a part of this name can only be left by a crash, and its rows come again. */
        f->fd = openat(f->dirfd, f->part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (f->fd < 0)
            return rt_err_set(err, RT_EIO, "file: create %s/%s: %s", f->dir, f->part,
                              strerror(errno));
        f->seq++;
        f->part_rows = 0;
    }
    int rc = op_changelog_format(f->changelog, batch, &f->out, err);
    if (rc != 0)
        return rc;
    f->part_rows += count;
    f->records += count;
    return write_all(f, err);
}

/* Makes the open part durable and renames it to `name`: fsync the file, rename, fsync the
 * directory, so that after a crash the name never points at a part with fewer rows. */
static int seal_part(file_sink *f, const char *name, rt_err *err)
{
    if (fsync(f->fd) != 0)
        return rt_err_set(err, RT_EIO, "file: fsync %s/%s: %s", f->dir, f->part, strerror(errno));
    close(f->fd);
    f->fd = -1;
    if (renameat(f->dirfd, f->part, f->dirfd, name) != 0)
        return rt_err_set(err, RT_EIO, "file: rename %s/%s to %s: %s", f->dir, f->part, name,
                          strerror(errno));
    return op_file_part_sync_dir(f->dirfd, f->dir, err);
}

static int file_prepare_snapshot(void *self, op_ctx *ctx, uint64_t id, rt_err *err)
{
    file_sink *f = self;
    if (f->fd < 0)
        return 0;
    if (f->pending_count == f->pending_cap) {
        size_t cap = f->pending_cap ? f->pending_cap * 2 : 8;
        uint64_t *p = realloc(f->pending, cap * sizeof *p);
        if (!p)
            return rt_err_set(err, RT_ENOMEM, "file: out of memory");
        f->pending = p;
        f->pending_cap = cap;
    }
    char name[NAME_SIZE];
    int rc =
        op_file_part_name(name, sizeof name, OP_FILE_PART_PENDING, f->vertex, f->subtask, id, err);
    if (rc == 0)
        rc = seal_part(f, name, err);
    if (rc != 0)
        return rt_err_prefix(err, rc, "file: pre-commit checkpoint %" PRIu64, id);
    f->pending[f->pending_count++] = id;
    LOG_DEBUG("%s: file: checkpoint %" PRIu64 ": %" PRIu64 " rows pre-committed",
              op_ctx_log_tag(ctx), id, f->part_rows);
    return 0;
}

static int file_snapshot_state(void *self, op_ctx *ctx, uint64_t id, rt_err *err)
{
    file_sink *f = self;
    char *rec = NULL;
    size_t len = 0;
    int rc = op_file_part_pending_format(f->pending, f->pending_count, &rec, &len, err);
    if (rc != 0)
        return rc;
    rc = op_ctx_state_put(ctx, "pending", rec, len, err);
    free(rec);
    return rc;
}

static int file_notify_checkpoint_complete(void *self, op_ctx *ctx, uint64_t id, rt_err *err)
{
    file_sink *f = self;
    size_t due = 0;
    while (due < f->pending_count && f->pending[due] <= id)
        due++;
    if (due == 0)
        return 0;
    int rc = FAILPOINT("sink.before_commit", err);
    for (size_t i = 0; i < due && rc == 0; i++) {
        rc = op_file_part_commit(f->dirfd, f->dir, f->vertex, f->subtask, f->pending[i], err);
        if (rc == RT_ENOTFOUND) {
            /* Flink's file sink does the same: a part that vanished cannot be committed twice,
             * and failing the job would not bring it back. */
            LOG_WARN("%s: %s", op_ctx_log_tag(ctx), err ? err->msg : "file: commit: not found");
            rc = 0;
        }
    }
    if (rc == 0)
        rc = op_file_part_sync_dir(f->dirfd, f->dir, err);
    if (rc != 0)
        return rt_err_prefix(err, rc, "file: commit checkpoint %" PRIu64, id);
    /* Forget them only once durable: a failed commit is retried by the restore. */
    memmove(f->pending, f->pending + due, (f->pending_count - due) * sizeof *f->pending);
    f->pending_count -= due;
    f->committed += due;
    LOG_DEBUG("%s: file: checkpoint %" PRIu64 ": %zu parts committed", op_ctx_log_tag(ctx), id,
              due);
    return FAILPOINT("sink.after_commit", err);
}

static int file_notify_checkpoint_aborted(void *self, op_ctx *ctx, uint64_t id, rt_err *err)
{
    /* The pending parts stay: their rows are before a later barrier, so the next completed
     * checkpoint commits them (Flink's two-phase commit sinks do the same). */
    LOG_DEBUG("%s: file: checkpoint %" PRIu64 " aborted; %zu parts stay pending",
              op_ctx_log_tag(ctx), id, ((file_sink *)self)->pending_count);
    return 0;
}

static int file_finish(void *self, op_ctx *ctx, rt_err *err)
{
    file_sink *f = self;
    if (f->checkpointing) {
        /* The final checkpoint pre-commits the open part and its completion commits it. */
        LOG_INFO("%s: file: end of input after %" PRIu64 " records; commit at the final "
                 "checkpoint",
                 op_ctx_log_tag(ctx), f->records);
        return 0;
    }
    if (f->fd >= 0) {
        char name[NAME_SIZE];
        int rc =
            op_file_part_name(name, sizeof name, OP_FILE_PART_FINAL, f->vertex, f->subtask, 0, err);
        if (rc == 0)
            rc = seal_part(f, name, err);
        if (rc != 0)
            return rt_err_prefix(err, rc, "file: commit at end of input");
        f->committed++;
    }
    LOG_INFO("%s: file: %" PRIu64 " records committed to %s", op_ctx_log_tag(ctx), f->records,
             f->dir);
    return 0;
}

static void file_close(void *self, op_ctx *ctx)
{
    if (self)
        sink_free(self);
}

const op_type op_file_type = {
    .info =
        {
            .name = "file",
            .kind = GRAPH_KIND_SINK,
            .config = file_fields,
            .config_size = sizeof(file_config),
        },
    .help = "writes changelog JSON lines into part files of a directory, exactly once",
    .open = file_open,
    .process = file_process,
    .prepare_snapshot = file_prepare_snapshot,
    .snapshot_state = file_snapshot_state,
    .notify_checkpoint_complete = file_notify_checkpoint_complete,
    .notify_checkpoint_aborted = file_notify_checkpoint_aborted,
    .finish = file_finish,
    .close = file_close,
};
