/* Part files of the file sink (file_part.h): naming, commit by rename, restore cleanup, and the
 * pending-list state record. */
#include "operators/basic/file_part.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PART_NAME_MAX 160
#define PENDING_VERSION 1u

const char *op_file_part_kind_name(op_file_part_kind k)
{
    switch (k) {
    case OP_FILE_PART_INPROGRESS:
        return "inprogress";
    case OP_FILE_PART_PENDING:
        return "pending";
    case OP_FILE_PART_COMMITTED:
        return "committed";
    case OP_FILE_PART_FINAL:
        return "final";
    }
    return "?";
}

int op_file_part_name(char *out, size_t size, op_file_part_kind kind, const char *vertex,
                      uint32_t subtask, uint64_t n, rt_err *err)
{
    int len = -1;
    switch (kind) {
    case OP_FILE_PART_INPROGRESS:
        len = snprintf(out, size, ".%s-%" PRIu32 "-%" PRIu64 ".inprogress", vertex, subtask, n);
        break;
    case OP_FILE_PART_PENDING:
        len =
            snprintf(out, size, ".part-%s-%" PRIu32 "-%020" PRIu64 ".pending", vertex, subtask, n);
        break;
    case OP_FILE_PART_COMMITTED:
        len = snprintf(out, size, "part-%s-%" PRIu32 "-%020" PRIu64 ".jsonl", vertex, subtask, n);
        break;
    case OP_FILE_PART_FINAL:
        len = snprintf(out, size, "part-%s-%" PRIu32 "-final.jsonl", vertex, subtask);
        break;
    }
    if (len < 0 || (size_t)len >= size)
        return rt_err_set(err, RT_EINVAL, "file: part name of vertex '%s' is too long", vertex);
    return 0;
}

/* Skips `prefix` at *p; false if absent. */
static bool eat(const char **p, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(*p, prefix, n) != 0)
        return false;
    *p += n;
    return true;
}

/* Reads 1..20 decimal digits at *p into *v without overflow; false if there are none. */
static bool eat_u64(const char **p, uint64_t *v)
{
    const char *s = *p;
    uint64_t x = 0;
    while (*s >= '0' && *s <= '9') {
        unsigned d = (unsigned)(*s - '0');
        if (x > (UINT64_MAX - d) / 10)
            return false;
        x = x * 10 + d;
        s++;
    }
    if (s == *p)
        return false;
    *p = s;
    *v = x;
    return true;
}

/* "<vertex>-<subtask>-" */
static bool eat_owner(const char **p, const char *vertex, uint32_t subtask)
{
    uint64_t s;
    return eat(p, vertex) && eat(p, "-") && eat_u64(p, &s) && s == subtask && eat(p, "-");
}

bool op_file_part_parse(const char *name, const char *vertex, uint32_t subtask,
                        op_file_part_kind *kind, uint64_t *n)
{
    /* Every field after the vertex id is digits up to a fixed suffix, so a name of vertex "a-1"
     * ("part-a-1-0-...") never parses as one of vertex "a" subtask 1: "0-..." is not digits
     * followed by the suffix. Each pattern is tried whole, because a vertex may be called
     * "part-x": its in-progress files start with ".part-" too. */
    const char *p = name;
    uint64_t v = 0;
    if (name[0] == '.') {
        p = name + 1;
        if (eat(&p, "part-") && eat_owner(&p, vertex, subtask) && eat_u64(&p, &v) &&
            strcmp(p, ".pending") == 0) {
            *kind = OP_FILE_PART_PENDING;
            *n = v;
            return true;
        }
        p = name + 1;
        if (eat_owner(&p, vertex, subtask) && eat_u64(&p, &v) && strcmp(p, ".inprogress") == 0) {
            *kind = OP_FILE_PART_INPROGRESS;
            *n = v;
            return true;
        }
        return false;
    }
    if (!eat(&p, "part-") || !eat_owner(&p, vertex, subtask))
        return false;
    if (strcmp(p, "final.jsonl") == 0) {
        *kind = OP_FILE_PART_FINAL;
        *n = 0;
        return true;
    }
    if (!eat_u64(&p, &v) || strcmp(p, ".jsonl") != 0)
        return false;
    *kind = OP_FILE_PART_COMMITTED;
    *n = v;
    return true;
}

int op_file_part_commit(int dirfd, const char *dir, const char *vertex, uint32_t subtask,
                        uint64_t ckpt, rt_err *err)
{
    char from[PART_NAME_MAX], to[PART_NAME_MAX];
    int rc = op_file_part_name(from, sizeof from, OP_FILE_PART_PENDING, vertex, subtask, ckpt, err);
    if (rc == 0)
        rc = op_file_part_name(to, sizeof to, OP_FILE_PART_COMMITTED, vertex, subtask, ckpt, err);
    if (rc != 0)
        return rc;
    if (renameat(dirfd, from, dirfd, to) == 0)
        return 0;
    int e = errno;
    if (e != ENOENT)
        return rt_err_set(err, RT_EIO, "file: commit %s/%s: %s", dir, from, strerror(e));
    /* The rename happened before a crash (or an earlier notify): committing twice is a no-op. */
    struct stat st;
    if (fstatat(dirfd, to, &st, 0) == 0)
        return 0;
    return rt_err_set(err, RT_ENOTFOUND,
                      "file: commit checkpoint %" PRIu64 ": neither %s/%s nor %s", ckpt, dir, from,
                      to);
}

int op_file_part_sync_dir(int dirfd, const char *dir, rt_err *err)
{
    if (fsync(dirfd) != 0)
        return rt_err_set(err, RT_EIO, "file: fsync %s: %s", dir, strerror(errno));
    return 0;
}

static bool listed(const uint64_t *ids, size_t count, uint64_t id)
{
    for (size_t i = 0; i < count; i++) {
        if (ids[i] == id)
            return true;
    }
    return false;
}

int op_file_part_restore(int dirfd, const char *dir, const char *vertex, uint32_t subtask,
                         const uint64_t *pending, size_t count, op_file_part_restore_stats *stats,
                         rt_err *err)
{
    op_file_part_restore_stats s = {0};
    /* Commit first: if a commit fails, nothing is deleted and the next attempt sees the same
     * directory. */
    for (size_t i = 0; i < count; i++) {
        char from[PART_NAME_MAX];
        int rc = op_file_part_name(from, sizeof from, OP_FILE_PART_PENDING, vertex, subtask,
                                   pending[i], err);
        if (rc != 0)
            return rc;
        struct stat st;
        bool hidden = fstatat(dirfd, from, &st, 0) == 0;
        rc = op_file_part_commit(dirfd, dir, vertex, subtask, pending[i], err);
        if (rc != 0 && rc != RT_ENOTFOUND)
            return rc;
        if (rc == RT_ENOTFOUND)
            s.missing++;
        else if (hidden)
            s.committed++;
        else
            s.already++;
    }
    /* A second descriptor: readdir consumes the position of the one it reads. */
    int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return rt_err_set(err, RT_EIO, "file: read directory %s: %s", dir, strerror(e));
    }
    int rc = 0;
    struct dirent *ent;
    errno = 0;
    while (rc == 0 && (ent = readdir(d)) != NULL) {
        op_file_part_kind kind;
        uint64_t n;
        if (!op_file_part_parse(ent->d_name, vertex, subtask, &kind, &n))
            continue;
        if (kind != OP_FILE_PART_INPROGRESS && kind != OP_FILE_PART_PENDING)
            continue;
        /* Never delete a listed pending part: its rows belong to the restored checkpoint. It was
         * renamed above, so this only guards against a stale directory entry. */
        if (kind == OP_FILE_PART_PENDING && listed(pending, count, n))
            continue;
        if (unlinkat(dirfd, ent->d_name, 0) != 0 && errno != ENOENT)
            rc = rt_err_set(err, RT_EIO, "file: delete %s/%s: %s", dir, ent->d_name,
                            strerror(errno));
        else
            s.deleted++;
        errno = 0;
    }
    if (rc == 0 && errno != 0)
        rc = rt_err_set(err, RT_EIO, "file: read directory %s: %s", dir, strerror(errno));
    closedir(d);
    if (rc == 0)
        rc = op_file_part_sync_dir(dirfd, dir, err);
    if (rc == 0 && stats)
        *stats = s;
    return rc;
}

int op_file_part_pending_format(const uint64_t *ids, size_t count, char **out, size_t *len,
                                rt_err *err)
{
    if (count > UINT32_MAX)
        return rt_err_set(err, RT_EINVAL, "file: %zu pending parts", count);
    size_t n = 8 + count * 8;
    unsigned char *b = malloc(n);
    if (!b)
        return rt_err_set(err, RT_ENOMEM, "file: out of memory");
    uint64_t head = PENDING_VERSION | (uint64_t)count << 32;
    for (size_t k = 0; k < 8; k++)
        b[k] = (unsigned char)(head >> (8 * k));
    for (size_t i = 0; i < count; i++) {
        for (size_t k = 0; k < 8; k++)
            b[8 + i * 8 + k] = (unsigned char)(ids[i] >> (8 * k));
    }
    *out = (char *)b;
    *len = n;
    return 0;
}

static uint64_t get_le64(const unsigned char *p)
{
    uint64_t v = 0;
    for (size_t k = 0; k < 8; k++)
        v |= (uint64_t)p[k] << (8 * k);
    return v;
}

int op_file_part_pending_parse(const char *data, size_t len, uint64_t **ids, size_t *count,
                               rt_err *err)
{
    const unsigned char *p = (const unsigned char *)data;
    if (len < 8)
        return rt_err_set(err, RT_ECORRUPT, "file: pending record of %zu bytes", len);
    uint64_t head = get_le64(p);
    uint32_t version = (uint32_t)head, n = (uint32_t)(head >> 32);
    /* The count is bounded by the bytes present before anything is allocated. */
    if (version != PENDING_VERSION || (len - 8) / 8 != n || (len - 8) % 8 != 0)
        return rt_err_set(err, RT_ECORRUPT,
                          "file: pending record: version %" PRIu32 ", %" PRIu32
                          " entries in %zu bytes",
                          version, n, len);
    uint64_t *v = NULL;
    if (n) {
        v = malloc(n * sizeof *v);
        if (!v)
            return rt_err_set(err, RT_ENOMEM, "file: out of memory");
        for (uint32_t i = 0; i < n; i++)
            v[i] = get_le64(p + 8 + (size_t)i * 8);
    }
    *ids = v;
    *count = n;
    return 0;
}
