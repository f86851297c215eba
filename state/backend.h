/* The state backend: operator state and checkpoint metadata in RocksDB, in the job's data
 * directory (DIR/state). Subtask state is written under a pending checkpoint id; completing a
 * checkpoint is one synced write batch (metadata + "latest = n"), so a crash at any instant leaves
 * either n-1 or n as the latest, never a torn one. Thread-safe: writers of different subtasks and
 * the coordinator use one backend concurrently. */
#ifndef SLUICE_STATE_BACKEND_H
#define SLUICE_STATE_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/base/errors.h"

typedef struct st_backend st_backend;

/* Opens (creating if needed) the backend in dir/state; dir is created too. Deletes the state of
 * checkpoints that never completed (a crash between snapshot and completion leaves some).
 * *out: close with st_backend_close. RT_EIO with RocksDB's message on failure (e.g. the
 * directory is locked by another process: "... lock ...: Resource temporarily unavailable"). */
int st_backend_open(const char *dir, st_backend **out, rt_err *err);
void st_backend_close(st_backend *b);
/* The data directory it was opened with. Borrowed. */
const char *st_backend_dir(const st_backend *b);

/* The next checkpoint id: 1, 2, ... never reused, across restarts and crashes (the counter is
 * written synced before the id is handed out). */
int st_backend_next_id(st_backend *b, uint64_t *id, rt_err *err);

/* --- Writing one subtask's state into a pending checkpoint --- */
typedef struct st_writer st_writer;

/* A writer for (checkpoint, vertex, subtask). NULL on OOM. Not thread-safe (one per subtask). */
st_writer *st_writer_new(st_backend *b, uint64_t checkpoint, const char *vertex, uint32_t subtask);
/* Buffers key -> value (copied). Keys are operator-chosen names ("next", "pending/3"); a key put
 * twice keeps the last value. */
int st_writer_put(st_writer *w, const char *key, const void *val, size_t len, rt_err *err);
/* Writes the buffered entries (not synced: completion syncs) and reports their size in bytes.
 * The writer stays valid (free it after). */
int st_writer_commit(st_writer *w, uint64_t *bytes, rt_err *err);
void st_writer_free(st_writer *w);

/* --- Reading the state of a completed checkpoint --- */

/* The value of key for (checkpoint, vertex, subtask): *val is a malloc'd copy (free()), with a
 * NUL after the *len bytes for convenience. RT_ENOTFOUND when absent. */
int st_backend_get(st_backend *b, uint64_t checkpoint, const char *vertex, uint32_t subtask,
                   const char *key, char **val, size_t *len, rt_err *err);

/* Called by st_backend_scan for each entry: key is NUL-terminated, key and val are borrowed for
 * the call only. A non-zero return stops the scan and becomes its result. */
typedef int (*st_scan_fn)(void *ctx, const char *key, const void *val, size_t len, rt_err *err);
/* Calls fn for each key of (checkpoint, vertex, subtask) that starts with prefix (NULL or "":
 * every key), in ascending byte order. This is how an operator restores keys it cannot name in
 * advance ("pending/<n>"). RT_ENOTFOUND when checkpoint is not a completed checkpoint. Reads one
 * consistent view. Any thread. */
int st_backend_scan(st_backend *b, uint64_t checkpoint, const char *vertex, uint32_t subtask,
                    const char *prefix, st_scan_fn fn, void *ctx, rt_err *err);
/* The number of state entries stored under checkpoint id, pending or completed, and their size
 * (keys + values) in bytes: checkpoint statistics, and tests that the state of an aborted or
 * pruned checkpoint is gone. Any thread. */
int st_backend_state_size(st_backend *b, uint64_t id, uint64_t *entries, uint64_t *bytes,
                          rt_err *err);

/* --- Completing, listing and pruning checkpoints --- */

/* Makes checkpoint id durable and the latest: one synced write batch holding its metadata (the
 * coordinator's JSON text, stored verbatim) and "latest = id". Then deletes the state and
 * metadata of completed checkpoints beyond the newest `retain` ones (savepoints are never
 * pruned). id must be greater than the current latest (else RT_EINVAL). */
int st_backend_complete(st_backend *b, uint64_t id, const char *metadata_json, bool savepoint,
                        uint32_t retain, rt_err *err);
/* The latest completed checkpoint (or savepoint); RT_ENOTFOUND when there is none. */
int st_backend_latest(st_backend *b, uint64_t *id, rt_err *err);
/* Metadata JSON text of a completed checkpoint (malloc'd; free()); RT_ENOTFOUND. */
int st_backend_metadata(st_backend *b, uint64_t id, char **json, rt_err *err);
/* Ids of the completed checkpoints and savepoints, ascending (malloc'd array; free()). */
int st_backend_list(st_backend *b, uint64_t **ids, size_t *count, rt_err *err);
/* True when completed checkpoint id is a savepoint. */
bool st_backend_is_savepoint(st_backend *b, uint64_t id);
/* Deletes the state written for a checkpoint that will never complete (aborted). */
int st_backend_discard(st_backend *b, uint64_t id, rt_err *err);

/* --- Savepoints as self-contained directories (movable to another data directory) --- */

/* Writes completed checkpoint id to the directory path (created; must not exist yet): a single
 * file path/_metadata holding the metadata and every state entry, written temp -> fsync ->
 * rename -> fsync dir. */
int st_backend_export(st_backend *b, uint64_t id, const char *path, rt_err *err);
/* Loads a savepoint directory written by st_backend_export into this backend as a completed
 * savepoint with its original id (the id counter moves past it) and makes it the latest.
 * *id: its checkpoint id. RT_ECORRUPT for a damaged file, RT_EEXIST when this backend already
 * holds a newer or equal completed checkpoint. */
int st_backend_import(st_backend *b, const char *path, uint64_t *id, rt_err *err);

#endif
