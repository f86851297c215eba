/* Binlog files: magic, then events framed by their headers' event_size (notes/binlog.md 1,
 * 1.1). zlib's gz* functions read plain and gzip files alike. */
#include "operators/mysql/binlog_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "operators/mysql/binlog_event.h"
#include "operators/mysql/byte_cursor.h"

struct op_binlog_file {
    char *name;
    gzFile gz;          /* NULL for a reader over memory */
    const uint8_t *mem; /* memory reader: the whole file */
    size_t mem_len;
    uint64_t offset; /* of the next event */
    uint8_t *buf;    /* file reader: the current event */
    size_t cap;
};

/* Reads up to n bytes at the current position; returns how many, or -1 on an I/O error. */
static long long read_some(op_binlog_file *f, uint8_t *dst, size_t n)
{
    if (!f->gz) {
        size_t left = f->offset < f->mem_len ? f->mem_len - (size_t)f->offset : 0;
        size_t k = n < left ? n : left;
        memcpy(dst, f->mem + f->offset, k);
        return (long long)k;
    }
    size_t got = 0;
    while (got < n) {
        unsigned chunk = n - got > (1u << 30) ? 1u << 30 : (unsigned)(n - got);
        int r = gzread(f->gz, dst + got, chunk);
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (long long)got;
}

static int check_magic(op_binlog_file *f, rt_err *err)
{
    uint8_t m[OP_BINLOG_MAGIC_SIZE];
    long long n = read_some(f, m, sizeof m);
    if (n < 0)
        return rt_err_set(err, RT_EIO, "%s: read error", f->name);
    if (n < OP_BINLOG_MAGIC_SIZE || memcmp(m, OP_BINLOG_MAGIC, OP_BINLOG_MAGIC_SIZE) != 0)
        return rt_err_set(err, RT_ECORRUPT, "%s: not a binlog file (no \\xfebin magic)", f->name);
    f->offset = OP_BINLOG_MAGIC_SIZE;
    return 0;
}

static int finish_open(op_binlog_file *f, op_binlog_file **out, rt_err *err)
{
    int rc = check_magic(f, err);
    if (rc) {
        op_binlog_file_close(f);
        return rc;
    }
    *out = f;
    return 0;
}

int op_binlog_file_open(const char *path, op_binlog_file **out, rt_err *err)
{
    op_binlog_file *f = calloc(1, sizeof *f);
    if (!f || !(f->name = strdup(path))) {
        free(f);
        return rt_err_set(err, RT_ENOMEM, "binlog file: out of memory");
    }
    f->gz = gzopen(path, "rb");
    if (!f->gz) {
        int e = errno;
        op_binlog_file_close(f);
        return rt_err_set(err, RT_EIO, "%s: %s", path, e ? strerror(e) : "cannot open");
    }
    gzbuffer(f->gz, 1u << 17);
    return finish_open(f, out, err);
}

int op_binlog_file_open_mem(const uint8_t *data, size_t len, const char *name, op_binlog_file **out,
                            rt_err *err)
{
    op_binlog_file *f = calloc(1, sizeof *f);
    if (!f || !(f->name = strdup(name))) {
        free(f);
        return rt_err_set(err, RT_ENOMEM, "binlog file: out of memory");
    }
    f->mem = data;
    f->mem_len = len;
    return finish_open(f, out, err);
}

void op_binlog_file_close(op_binlog_file *f)
{
    if (!f)
        return;
    if (f->gz)
        gzclose(f->gz);
    free(f->buf);
    free(f->name);
    free(f);
}

uint64_t op_binlog_file_offset(const op_binlog_file *f)
{
    return f->offset;
}

const char *op_binlog_file_name(const op_binlog_file *f)
{
    return f->name;
}

static int grow(op_binlog_file *f, size_t n, rt_err *err)
{
    if (n <= f->cap)
        return 0;
    size_t cap = f->cap ? f->cap : 4096;
    while (cap < n)
        cap *= 2;
    uint8_t *b = realloc(f->buf, cap);
    if (!b)
        return rt_err_set(err, RT_ENOMEM, "%s: out of memory for a %zu-byte event", f->name, n);
    f->buf = b;
    f->cap = cap;
    return 0;
}

int op_binlog_file_next(op_binlog_file *f, const uint8_t **event, size_t *len, uint64_t *offset,
                        bool *eof, rt_err *err)
{
    uint8_t hdr[OP_BINLOG_HEADER_SIZE];
    uint64_t at = f->offset;
    long long n;
    if (!f->gz) {
        n = f->mem_len > at ? (long long)(f->mem_len - at) : 0;
        if (n > (long long)sizeof hdr)
            n = sizeof hdr;
        memcpy(hdr, f->mem + at, (size_t)n);
    } else {
        n = read_some(f, hdr, sizeof hdr);
    }
    if (n < 0)
        return rt_err_set(err, RT_EIO, "%s: read error at offset %llu", f->name,
                          (unsigned long long)at);
    if (n == 0) {
        *eof = true;
        return 0;
    }
    if (n < OP_BINLOG_HEADER_SIZE)
        return rt_err_set(err, RT_ECORRUPT,
                          "%s: event header at offset %llu cut short (%lld of 19 bytes)", f->name,
                          (unsigned long long)at, n);
    uint32_t size = (uint32_t)op_get_le(hdr + 9, 4);
    if (size < OP_BINLOG_HEADER_SIZE || size > OP_BINLOG_MAX_EVENT_SIZE)
        return rt_err_set(err, RT_ECORRUPT, "%s: event at offset %llu declares %u bytes", f->name,
                          (unsigned long long)at, size);
    if (!f->gz) {
        if (f->mem_len - at < size)
            return rt_err_set(err, RT_ECORRUPT,
                              "%s: event at offset %llu cut short (%llu of %u bytes)", f->name,
                              (unsigned long long)at, (unsigned long long)(f->mem_len - at), size);
        *event = f->mem + at;
    } else {
        /* The buffer grows with the bytes really read, never to a declared size alone: a
         * corrupt size runs into the end of the file before it can make us allocate much. */
        size_t need = size - OP_BINLOG_HEADER_SIZE, got = 0;
        int rc = 0;
        while (got < need) {
            size_t chunk = need - got;
            size_t step = got > 65536 ? got : 65536;
            if (chunk > step)
                chunk = step;
            if ((rc = grow(f, OP_BINLOG_HEADER_SIZE + got + chunk, err)) != 0)
                return rc;
            n = read_some(f, f->buf + OP_BINLOG_HEADER_SIZE + got, chunk);
            if (n < 0)
                return rt_err_set(err, RT_EIO, "%s: read error at offset %llu", f->name,
                                  (unsigned long long)at);
            got += (size_t)n;
            if ((size_t)n < chunk)
                break;
        }
        if (got < need)
            return rt_err_set(err, RT_ECORRUPT,
                              "%s: event at offset %llu cut short (%zu of %u bytes)", f->name,
                              (unsigned long long)at, got + OP_BINLOG_HEADER_SIZE, size);
        if ((rc = grow(f, OP_BINLOG_HEADER_SIZE, err)) != 0)
            return rc;
        memcpy(f->buf, hdr, OP_BINLOG_HEADER_SIZE);
        *event = f->buf;
    }
    f->offset = at + size;
    *len = size;
    *offset = at;
    *eof = false;
    return 0;
}
