/* st_db over RocksDB's C API (<rocksdb/c.h>): options, reads, scans, write batches, snapshots.
 * The only file of Sluice that includes RocksDB. */
#include "state/db.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rocksdb/c.h>

/* The database holds checkpoint metadata and small operator state, so a small footprint beats
 * throughput: a 4 MiB memtable (two at most), an 8 MiB block cache, a WAL that is flushed away
 * before it grows past 32 MiB, and an info LOG that cannot fill the disk. */
#define WRITE_BUFFER_SIZE ((size_t)4 << 20)
#define WRITE_BUFFER_COUNT 2
#define BLOCK_CACHE_SIZE ((size_t)8 << 20)
#define MAX_TOTAL_WAL_SIZE ((uint64_t)32 << 20)
#define MAX_OPEN_FILES 256
#define BACKGROUND_JOBS 2
#define INFO_LOG_FILE_SIZE ((size_t)1 << 20)
#define INFO_LOG_FILE_COUNT 2

struct st_db {
    rocksdb_t *db;
    rocksdb_readoptions_t *read;
    rocksdb_writeoptions_t *write;
    rocksdb_writeoptions_t *write_sync;
};

struct st_db_batch {
    rocksdb_writebatch_t *wb;
};

struct st_db_view {
    const rocksdb_snapshot_t *snap;
    rocksdb_readoptions_t *read;
};

/* Wraps RocksDB's error string (freed here) as "state: <what>: <message>", RT_EIO. */
static int rocks_fail(rt_err *err, char *rerr, const char *what)
{
    rt_err_set(err, RT_EIO, "state: %s: %s", what, rerr ? rerr : "unknown RocksDB error");
    rocksdb_free(rerr);
    return RT_EIO;
}

static const rocksdb_readoptions_t *read_options(const st_db *db, const st_db_view *view)
{
    return view ? view->read : db->read;
}

static rocksdb_options_t *options_new(void)
{
    rocksdb_options_t *o = rocksdb_options_create();
    rocksdb_options_set_create_if_missing(o, 1);
    rocksdb_options_set_write_buffer_size(o, WRITE_BUFFER_SIZE);
    rocksdb_options_set_max_write_buffer_number(o, WRITE_BUFFER_COUNT);
    rocksdb_options_set_max_total_wal_size(o, MAX_TOTAL_WAL_SIZE);
    rocksdb_options_set_max_open_files(o, MAX_OPEN_FILES);
    rocksdb_options_set_max_background_jobs(o, BACKGROUND_JOBS);
    rocksdb_options_set_max_log_file_size(o, INFO_LOG_FILE_SIZE);
    rocksdb_options_set_keep_log_file_num(o, INFO_LOG_FILE_COUNT);
    /* The table factory copies the table options, which share the cache: the C wrappers can go
     * right away, the cache lives as long as the database. */
    rocksdb_block_based_table_options_t *t = rocksdb_block_based_options_create();
    rocksdb_cache_t *cache = rocksdb_cache_create_lru(BLOCK_CACHE_SIZE);
    rocksdb_block_based_options_set_block_cache(t, cache);
    rocksdb_options_set_block_based_table_factory(o, t);
    rocksdb_cache_destroy(cache);
    rocksdb_block_based_options_destroy(t);
    return o;
}

int st_db_open(const char *path, st_db **out, rt_err *err)
{
    st_db *db = calloc(1, sizeof *db);
    if (!db)
        return rt_err_set(err, RT_ENOMEM, "state: open '%s': out of memory", path);
    rocksdb_options_t *opts = options_new();
    char *rerr = NULL;
    db->db = rocksdb_open(opts, path, &rerr);
    rocksdb_options_destroy(opts);
    if (rerr) {
        char what[RT_ERR_MSG_SIZE / 2];
        snprintf(what, sizeof what, "open '%s'", path);
        free(db);
        return rocks_fail(err, rerr, what);
    }
    db->read = rocksdb_readoptions_create();
    db->write = rocksdb_writeoptions_create();
    db->write_sync = rocksdb_writeoptions_create();
    rocksdb_writeoptions_set_sync(db->write_sync, 1);
    *out = db;
    return 0;
}

void st_db_close(st_db *db)
{
    if (!db)
        return;
    rocksdb_close(db->db);
    rocksdb_readoptions_destroy(db->read);
    rocksdb_writeoptions_destroy(db->write);
    rocksdb_writeoptions_destroy(db->write_sync);
    free(db);
}

/* A malloc'd copy of n bytes with a NUL after them; NULL on out-of-memory. */
static char *copy_bytes(const char *p, size_t n)
{
    char *c = malloc(n + 1);
    if (c) {
        memcpy(c, p, n);
        c[n] = '\0';
    }
    return c;
}

int st_db_get(st_db *db, const st_db_view *view, const char *key, size_t klen, char **val,
              size_t *len, const char *what, rt_err *err)
{
    char *rerr = NULL;
    /* The pinned form tells "absent" from "empty value" without relying on malloc(0). */
    rocksdb_pinnableslice_t *ps =
        rocksdb_get_pinned(db->db, read_options(db, view), key, klen, &rerr);
    if (rerr)
        return rocks_fail(err, rerr, what);
    if (!ps)
        return RT_ENOTFOUND;
    int rc = 0;
    if (val) {
        size_t n;
        const char *v = rocksdb_pinnableslice_value(ps, &n);
        char *copy = copy_bytes(v, n);
        if (!copy) {
            rc = rt_err_set(err, RT_ENOMEM, "state: %s: out of memory", what);
        } else {
            *val = copy;
            if (len)
                *len = n;
        }
    }
    rocksdb_pinnableslice_destroy(ps);
    return rc;
}

static int bytes_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    if (c)
        return c;
    return alen < blen ? -1 : alen > blen;
}

/* The upper bound is checked here rather than set as iterate_upper_bound, which would mutate
 * read options that threads share. */
int st_db_scan(st_db *db, const st_db_view *view, const char *lo, size_t lo_len, const char *hi,
               size_t hi_len, st_db_fn fn, void *ctx, const char *what, rt_err *err)
{
    rocksdb_iterator_t *it = rocksdb_create_iterator(db->db, read_options(db, view));
    int rc = 0;
    for (rocksdb_iter_seek(it, lo, lo_len); rocksdb_iter_valid(it); rocksdb_iter_next(it)) {
        size_t klen, vlen;
        const char *k = rocksdb_iter_key(it, &klen);
        if (bytes_cmp(k, klen, hi, hi_len) >= 0)
            break;
        const char *v = rocksdb_iter_value(it, &vlen);
        if ((rc = fn(ctx, k, klen, v, vlen, err)) != 0)
            break;
    }
    if (!rc) {
        char *rerr = NULL;
        rocksdb_iter_get_error(it, &rerr);
        if (rerr)
            rc = rocks_fail(err, rerr, what);
    }
    rocksdb_iter_destroy(it);
    return rc;
}

int st_db_first(st_db *db, const char *lo, size_t lo_len, const char *hi, size_t hi_len, char **key,
                size_t *klen, const char *what, rt_err *err)
{
    rocksdb_iterator_t *it = rocksdb_create_iterator(db->db, db->read);
    rocksdb_iter_seek(it, lo, lo_len);
    int rc = RT_ENOTFOUND;
    if (rocksdb_iter_valid(it)) {
        size_t n;
        const char *k = rocksdb_iter_key(it, &n);
        if (bytes_cmp(k, n, hi, hi_len) < 0) {
            *key = copy_bytes(k, n);
            *klen = n;
            rc = *key ? 0 : rt_err_set(err, RT_ENOMEM, "state: %s: out of memory", what);
        }
    } else {
        char *rerr = NULL;
        rocksdb_iter_get_error(it, &rerr);
        if (rerr)
            rc = rocks_fail(err, rerr, what);
    }
    rocksdb_iter_destroy(it);
    return rc;
}

st_db_batch *st_db_batch_new(void)
{
    st_db_batch *b = malloc(sizeof *b);
    if (!b)
        RT_BUG("state: out of memory allocating a write batch");
    b->wb = rocksdb_writebatch_create();
    return b;
}

void st_db_batch_put(st_db_batch *b, const char *key, size_t klen, const void *val, size_t len)
{
    rocksdb_writebatch_put(b->wb, key, klen, val, len);
}

void st_db_batch_delete(st_db_batch *b, const char *key, size_t klen)
{
    rocksdb_writebatch_delete(b->wb, key, klen);
}

void st_db_batch_delete_range(st_db_batch *b, const char *lo, size_t lo_len, const char *hi,
                              size_t hi_len)
{
    rocksdb_writebatch_delete_range(b->wb, lo, lo_len, hi, hi_len);
}

void st_db_batch_free(st_db_batch *b)
{
    if (!b)
        return;
    rocksdb_writebatch_destroy(b->wb);
    free(b);
}

int st_db_write(st_db *db, st_db_batch *b, bool sync, const char *what, rt_err *err)
{
    char *rerr = NULL;
    rocksdb_write(db->db, sync ? db->write_sync : db->write, b->wb, &rerr);
    return rerr ? rocks_fail(err, rerr, what) : 0;
}

st_db_view *st_db_view_new(st_db *db)
{
    st_db_view *v = malloc(sizeof *v);
    if (!v)
        RT_BUG("state: out of memory allocating a read view");
    v->snap = rocksdb_create_snapshot(db->db);
    v->read = rocksdb_readoptions_create();
    rocksdb_readoptions_set_snapshot(v->read, v->snap);
    return v;
}

void st_db_view_free(st_db *db, st_db_view *view)
{
    if (!view)
        return;
    rocksdb_readoptions_destroy(view->read);
    rocksdb_release_snapshot(db->db, view->snap);
    free(view);
}
