/* What the files of the state module share beyond state/backend.h: state entries, batch writes and
 * consistent snapshots of one checkpoint, implemented in backend.c. writer.c and savepoint.c
 * reach the database only through these, so the key layout and the completion rules stay in one
 * place. Private to state/. */
#ifndef SLUICE_STATE_BACKEND_INT_H
#define SLUICE_STATE_BACKEND_INT_H

#include "state/backend.h"

/* One state value of (vertex, subtask, key). Borrowed pointers; nothing NUL-terminated. */
typedef struct st_entry {
    const char *vertex;
    size_t vertex_len;
    uint32_t subtask;
    const char *key;
    size_t key_len;
    const void *val;
    size_t val_len;
} st_entry;

/* Called for each entry of a scan; a non-zero return stops the scan and is returned by it. */
typedef int (*st_entry_fn)(void *ctx, const st_entry *e, rt_err *err);

/* Creates path and its missing parents (mkdir -p). RT_EIO naming the directory that failed. */
int st_mkdir_p(const char *path, rt_err *err);

/* Writes count entries (vertex and keys already checked) into pending checkpoint's state, in one
 * write batch, not synced (completion syncs). RT_EINVAL when checkpoint is not above the latest
 * completed one: a completed checkpoint is immutable, and an older one can never be restored.
 * `what` names the step in messages ("write checkpoint 7 vertex 'src' subtask 0"). Any thread. */
int st_backend_write_entries(st_backend *b, uint64_t checkpoint, const st_entry *entries,
                             size_t count, const char *what, rt_err *err);

/* Installs a whole completed checkpoint at once (savepoint import): in one synced batch, drops
 * any state already written under id, writes the entries, the metadata, the savepoint flag,
 * "latest = id" and moves the id counter past id. RT_EEXIST when the latest completed checkpoint
 * is >= id; nothing is written then. Any thread. */
int st_backend_install(st_backend *b, uint64_t id, const char *metadata_json, bool savepoint,
                       const st_entry *entries, size_t count, const char *what, rt_err *err);

/* A consistent read view of one completed checkpoint: its metadata, savepoint flag and state
 * stay readable as of st_snapshot_open even if a later completion prunes it meanwhile. */
typedef struct st_snapshot st_snapshot;

/* RT_ENOTFOUND when id is not a completed checkpoint. *out: close with st_snapshot_close. */
int st_snapshot_open(st_backend *b, uint64_t id, const char *what, st_snapshot **out, rt_err *err);
/* Borrowed; valid until st_snapshot_close. */
const char *st_snapshot_metadata(const st_snapshot *s);
bool st_snapshot_is_savepoint(const st_snapshot *s);
/* Calls fn for every state entry of the checkpoint in key order (vertex, subtask, key). */
int st_snapshot_scan(st_snapshot *s, st_entry_fn fn, void *ctx, rt_err *err);
void st_snapshot_close(st_snapshot *s);

#endif
