/* st_db: the thin wrapper over RocksDB's C API that the state backend is written against. It turns
 * RocksDB's conventions (errptr strings, option objects, slices) into Sluice's (int codes, rt_err
 * naming the step, borrowed byte ranges), so that no RocksDB type appears in any header. Private
 * to state/. Everything here is thread-safe, as RocksDB is. */
#ifndef SLUICE_STATE_DB_H
#define SLUICE_STATE_DB_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/base/errors.h"

typedef struct st_db st_db;
/* Atomic group of writes, applied by st_db_write in order (later entries win). */
typedef struct st_db_batch st_db_batch;
/* A consistent read view (a RocksDB snapshot). NULL where a view is taken means "current". */
typedef struct st_db_view st_db_view;

/* Opens (creating if missing) the database in directory path, with the small-footprint options
 * that checkpoint metadata and operator state call for. RT_EIO with RocksDB's message, e.g. when
 * another process (or this one) holds the directory's lock. */
int st_db_open(const char *path, st_db **out, rt_err *err);
void st_db_close(st_db *db);

/* Reads key: 0 and, when val is not NULL, *val a malloc'd copy with a NUL after the *len bytes;
 * RT_ENOTFOUND when absent (err untouched: the caller knows what was missing); RT_EIO
 * "state: <what>: <RocksDB message>". */
int st_db_get(st_db *db, const st_db_view *view, const char *key, size_t klen, char **val,
              size_t *len, const char *what, rt_err *err);
/* Calls fn for each key in [lo, hi), ascending; a non-zero return of fn stops the scan and is
 * returned. Keys and values are borrowed for the call. */
typedef int (*st_db_fn)(void *ctx, const char *k, size_t klen, const char *v, size_t vlen,
                        rt_err *err);
int st_db_scan(st_db *db, const st_db_view *view, const char *lo, size_t lo_len, const char *hi,
               size_t hi_len, st_db_fn fn, void *ctx, const char *what, rt_err *err);
/* The first key in [lo, hi): 0 with *key malloc'd (NUL after *klen bytes), RT_ENOTFOUND when the
 * range is empty. For walking a range from group to group without visiting every key. */
int st_db_first(st_db *db, const char *lo, size_t lo_len, const char *hi, size_t hi_len, char **key,
                size_t *klen, const char *what, rt_err *err);

/* Never NULL: like RocksDB itself (which throws), it aborts when it cannot allocate a few bytes. */
st_db_batch *st_db_batch_new(void);
void st_db_batch_put(st_db_batch *b, const char *key, size_t klen, const void *val, size_t len);
void st_db_batch_delete(st_db_batch *b, const char *key, size_t klen);
/* Deletes every key in [lo, hi). */
void st_db_batch_delete_range(st_db_batch *b, const char *lo, size_t lo_len, const char *hi,
                              size_t hi_len);
void st_db_batch_free(st_db_batch *b);
/* Applies the batch atomically. sync: the WAL is fsynced before this returns, which also makes
 * every earlier unsynced write durable. RT_EIO "state: <what>: <RocksDB message>". */
int st_db_write(st_db *db, st_db_batch *b, bool sync, const char *what, rt_err *err);

/* A view of the database as of now; free with st_db_view_free (before st_db_close). Never NULL
 * (aborts on out-of-memory, as st_db_batch_new). */
st_db_view *st_db_view_new(st_db *db);
void st_db_view_free(st_db *db, st_db_view *view);

#endif
