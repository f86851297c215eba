/* The state backend: the checkpoint id counter, reads, completion and pruning, and the batch
 * writes and snapshots that writer.c and savepoint.c build on. The key layout is in keys.h, the
 * RocksDB calls are behind state/db.h. */
#include "state/backend.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "runtime/base/buf.h"
#include "runtime/base/log.h"
#include "state/backend_int.h"
#include "state/db.h"
#include "state/keys.h"

struct st_backend {
    st_db *db;
    char *dir;
    /* Serializes the id counter and every read-check-write of "latest" (complete, import,
     * discard, pruning), so that two completions cannot both pass the "id > latest" check. */
    pthread_mutex_t lock;
    uint64_t last_id;        /* "n"; under lock */
    _Atomic uint64_t latest; /* "l", 0 when none; written under lock, read anywhere */
};

/* Reads "<tag>/<id>" in view: see st_db_get. */
static int get_tagged(st_backend *b, const st_db_view *view, char tag, uint64_t id, char **val,
                      const char *what, rt_err *err)
{
    char k[ST_KEY_ID_SIZE];
    size_t n = st_key_id_format(k, tag, id);
    return st_db_get(b->db, view, k, n, val, NULL, what, err);
}

/* 0 when id is a completed checkpoint in view, RT_ENOTFOUND with a message otherwise. */
static int require_completed(st_backend *b, const st_db_view *view, uint64_t id, const char *what,
                             rt_err *err)
{
    int rc = get_tagged(b, view, ST_KEY_TAG_METADATA, id, NULL, what, err);
    if (rc == RT_ENOTFOUND)
        return rt_err_set(err, RT_ENOTFOUND,
                          "state: %s: checkpoint %" PRIu64 " is not a completed checkpoint "
                          "(never completed, or pruned)",
                          what, id);
    return rc;
}

/* --- Open and close --- */

int st_mkdir_p(const char *path, rt_err *err)
{
    char buf[PATH_MAX];
    size_t len = strlen(path);
    if (len == 0 || len >= sizeof buf)
        return rt_err_set(err, RT_EINVAL, "state: bad directory path '%s'", path);
    memcpy(buf, path, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char saved = buf[i];
        buf[i] = '\0';
        struct stat st;
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return rt_err_set(err, RT_EIO, "state: create directory '%s': %s", buf,
                              strerror(errno));
        if (saved == '\0' && (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)))
            return rt_err_set(err, RT_EIO, "state: '%s' is not a directory", buf);
        buf[i] = saved;
    }
    return 0;
}

/* Reads a 16-hex-digit id value ("n", "l"); 0 when the key is absent (a new database). */
static int load_id(st_backend *b, const char *key, uint64_t *out, rt_err *err)
{
    char *v = NULL;
    size_t n = 0;
    int rc = st_db_get(b->db, NULL, key, strlen(key), &v, &n, "open: read counters", err);
    if (rc == RT_ENOTFOUND) {
        *out = 0;
        return 0;
    }
    if (rc)
        return rc;
    bool ok = n == 16 && st_key_hex_parse(v, 16, out);
    free(v);
    if (!ok)
        return rt_err_set(err, RT_ECORRUPT, "state: open '%s': key '%s' holds no checkpoint id",
                          b->dir, key);
    return 0;
}

/* Deletes the state of checkpoints without metadata: snapshots that never completed because the
 * process died (or the checkpoint was aborted) before completion. Nobody writes yet, so no
 * pending checkpoint of this process can be mistaken for one. Visits one key per checkpoint,
 * not every key. A lost deletion is redone at the next open, so the batch is not synced. */
static int drop_pending(st_backend *b, rt_err *err)
{
    st_db_batch *batch = st_db_batch_new();
    char lo[ST_KEY_ID_SIZE] = "s/", hi[ST_KEY_ID_SIZE];
    size_t lo_len = 2;
    unsigned dropped = 0;
    int rc;
    for (;;) {
        char *k = NULL;
        size_t klen;
        uint64_t id;
        rc = st_db_first(b->db, lo, lo_len, "s0", 2, &k, &klen, "open: find pending checkpoints",
                         err);
        if (rc)
            break;
        bool ok = st_key_parse_id(k, klen, ST_KEY_TAG_STATE, &id);
        if (!ok)
            rc = rt_err_set(err, RT_ECORRUPT, "state: open '%s': malformed state key '%.*s'",
                            b->dir, (int)(klen < 64 ? klen : 64), k);
        free(k);
        if (!ok)
            break;
        size_t n = st_key_state_range(lo, hi, id);
        rc = get_tagged(b, NULL, ST_KEY_TAG_METADATA, id, NULL, "open: find pending checkpoints",
                        err);
        if (rc == RT_ENOTFOUND) {
            st_db_batch_delete_range(batch, lo, n, hi, n);
            dropped++;
        } else if (rc) {
            break;
        }
        memcpy(lo, hi, n + 1); /* on to the next checkpoint's state */
        lo_len = n;
    }
    if (rc == RT_ENOTFOUND)
        rc = 0;
    if (!rc && dropped) {
        rc = st_db_write(b->db, batch, false, "open: drop pending checkpoints", err);
        if (!rc)
            LOG_INFO("state: dropped the state of %u checkpoint(s) that never completed in '%s'",
                     dropped, b->dir);
    }
    st_db_batch_free(batch);
    return rc;
}

int st_backend_open(const char *dir, st_backend **out, rt_err *err)
{
    if (!dir || !*dir)
        return rt_err_set(err, RT_EINVAL, "state: open: empty data directory");
    int rc = st_mkdir_p(dir, err);
    if (rc)
        return rc;
    st_backend *b = calloc(1, sizeof *b);
    if (!b || !(b->dir = strdup(dir))) {
        free(b);
        return rt_err_set(err, RT_ENOMEM, "state: open '%s': out of memory", dir);
    }
    pthread_mutex_init(&b->lock, NULL);
    rt_buf path;
    rt_buf_init(&path);
    rt_buf_appendf(&path, "%s/state", dir);
    uint64_t latest = 0;
    if ((rc = st_db_open(path.data, &b->db, err)) != 0 ||
        (rc = load_id(b, ST_KEY_NEXT_ID, &b->last_id, err)) != 0 ||
        (rc = load_id(b, ST_KEY_LATEST, &latest, err)) != 0)
        goto fail;
    if (latest && (rc = require_completed(b, NULL, latest, "open", err)) != 0) {
        if (rc == RT_ENOTFOUND)
            rc = rt_err_set(err, RT_ECORRUPT,
                            "state: open '%s': latest checkpoint %" PRIu64 " has no metadata",
                            path.data, latest);
        goto fail;
    }
    atomic_store(&b->latest, latest);
    if (b->last_id < latest)
        b->last_id = latest;
    if ((rc = drop_pending(b, err)) != 0)
        goto fail;
    rt_buf_fini(&path);
    *out = b;
    return 0;

fail:
    rt_buf_fini(&path);
    st_backend_close(b);
    return rc;
}

void st_backend_close(st_backend *b)
{
    if (!b)
        return;
    st_db_close(b->db);
    pthread_mutex_destroy(&b->lock);
    free(b->dir);
    free(b);
}

const char *st_backend_dir(const st_backend *b)
{
    return b->dir;
}

/* Puts id, as 16 hex digits, under key ("n" or "l"). */
static void put_id(st_db_batch *batch, const char *key, uint64_t id)
{
    char hex[16];
    st_key_id_hex(hex, id);
    st_db_batch_put(batch, key, 1, hex, sizeof hex);
}

int st_backend_next_id(st_backend *b, uint64_t *id, rt_err *err)
{
    pthread_mutex_lock(&b->lock);
    int rc = 0;
    if (b->last_id == UINT64_MAX) {
        rc = rt_err_set(err, RT_EINTERNAL, "state: checkpoint ids exhausted");
    } else {
        uint64_t next = b->last_id + 1;
        char what[64];
        snprintf(what, sizeof what, "hand out checkpoint id %" PRIu64, next);
        st_db_batch *batch = st_db_batch_new();
        put_id(batch, ST_KEY_NEXT_ID, next);
        /* Synced before the id leaves: an id handed out and then lost in a crash would be
         * handed out again, and its leftover state would mix with the new checkpoint's. */
        rc = st_db_write(b->db, batch, true, what, err);
        st_db_batch_free(batch);
        if (!rc) {
            b->last_id = next;
            *id = next;
        }
    }
    pthread_mutex_unlock(&b->lock);
    return rc;
}

/* --- Reads --- */

int st_backend_get(st_backend *b, uint64_t checkpoint, const char *vertex, uint32_t subtask,
                   const char *key, char **val, size_t *len, rt_err *err)
{
    size_t vlen = strlen(vertex);
    int rc = st_key_check_vertex(vertex, vlen, err);
    if (rc)
        return rc;
    char what[RT_ERR_MSG_SIZE / 2];
    snprintf(what, sizeof what, "get checkpoint %" PRIu64 " vertex '%s' subtask %" PRIu32,
             checkpoint, vertex, subtask);
    if ((rc = require_completed(b, NULL, checkpoint, what, err)) != 0)
        return rc;
    rt_buf k;
    rt_buf_init(&k);
    st_key_state_prefix(&k, checkpoint, vertex, vlen, subtask);
    rt_buf_append_str(&k, key);
    rc = st_db_get(b->db, NULL, k.data, k.len, val, len, what, err);
    if (rc == RT_ENOTFOUND)
        rt_err_set(err, rc, "state: %s: no key '%s'", what, key);
    rt_buf_fini(&k);
    return rc;
}

/* The first key after every key that starts with b's bytes (b ends in a byte below 0xff). */
static void prefix_successor(rt_buf *b)
{
    while (b->len && (unsigned char)b->data[b->len - 1] == 0xff)
        b->len--;
    RT_ASSERT(b->len > 0);
    b->data[b->len - 1]++;
    b->data[b->len] = '\0';
}

typedef struct scan_ctx {
    st_scan_fn fn;
    void *ctx;
    size_t skip; /* bytes of the "s/<id>/<vertex>/<subtask>/" prefix */
    rt_buf key;
} scan_ctx;

static int scan_one(void *vctx, const char *k, size_t klen, const char *v, size_t vlen, rt_err *err)
{
    scan_ctx *s = vctx;
    rt_buf_reset(&s->key);
    rt_buf_append(&s->key, k + s->skip, klen - s->skip);
    return s->fn(s->ctx, s->key.data, v, vlen, err);
}

int st_backend_scan(st_backend *b, uint64_t checkpoint, const char *vertex, uint32_t subtask,
                    const char *prefix, st_scan_fn fn, void *ctx, rt_err *err)
{
    size_t vlen = strlen(vertex);
    int rc = st_key_check_vertex(vertex, vlen, err);
    if (rc)
        return rc;
    char what[RT_ERR_MSG_SIZE / 2];
    snprintf(what, sizeof what, "scan checkpoint %" PRIu64 " vertex '%s' subtask %" PRIu32,
             checkpoint, vertex, subtask);
    scan_ctx s = {.fn = fn, .ctx = ctx};
    rt_buf_init(&s.key);
    rt_buf lo, hi;
    rt_buf_init(&lo);
    rt_buf_init(&hi);
    st_key_state_prefix(&lo, checkpoint, vertex, vlen, subtask);
    s.skip = lo.len;
    rt_buf_append_str(&lo, prefix ? prefix : "");
    rt_buf_append(&hi, lo.data, lo.len);
    prefix_successor(&hi);
    /* One view for the completion check and the scan: a checkpoint pruned in between must not
     * look completed but empty. */
    st_db_view *view = st_db_view_new(b->db);
    rc = require_completed(b, view, checkpoint, what, err);
    if (!rc)
        rc = st_db_scan(b->db, view, lo.data, lo.len, hi.data, hi.len, scan_one, &s, what, err);
    st_db_view_free(b->db, view);
    rt_buf_fini(&lo);
    rt_buf_fini(&hi);
    rt_buf_fini(&s.key);
    return rc;
}

typedef struct size_ctx {
    uint64_t entries, bytes;
    size_t skip;
} size_ctx;

static int size_one(void *vctx, const char *k, size_t klen, const char *v, size_t vlen, rt_err *err)
{
    size_ctx *s = vctx;
    s->entries++;
    s->bytes += klen - s->skip + vlen;
    return 0;
}

int st_backend_state_size(st_backend *b, uint64_t id, uint64_t *entries, uint64_t *bytes,
                          rt_err *err)
{
    char lo[ST_KEY_ID_SIZE], hi[ST_KEY_ID_SIZE];
    size_t n = st_key_state_range(lo, hi, id);
    char what[64];
    snprintf(what, sizeof what, "size of checkpoint %" PRIu64, id);
    /* Counted as the operator sees it: its keys and values, without the "s/<id>/" framing (the
     * vertex and subtask fields stay: they tell entries apart). */
    size_ctx s = {.skip = n};
    int rc = st_db_scan(b->db, NULL, lo, n, hi, n, size_one, &s, what, err);
    if (rc)
        return rc;
    *entries = s.entries;
    *bytes = s.bytes;
    return 0;
}

/* --- Completion, listing, pruning --- */

typedef struct id_list {
    uint64_t *ids;
    size_t count, cap;
    char tag;
} id_list;

static int collect_id(void *vctx, const char *k, size_t klen, const char *v, size_t vlen,
                      rt_err *err)
{
    id_list *l = vctx;
    uint64_t id;
    if (klen != 18 || !st_key_parse_id(k, klen, l->tag, &id))
        return rt_err_set(err, RT_ECORRUPT, "state: malformed key '%.*s'",
                          (int)(klen < 64 ? klen : 64), k);
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        uint64_t *ids = realloc(l->ids, cap * sizeof *ids);
        if (!ids)
            return rt_err_set(err, RT_ENOMEM, "state: list checkpoints: out of memory");
        l->ids = ids;
        l->cap = cap;
    }
    l->ids[l->count++] = id;
    return 0;
}

/* The ids under "<tag>/", ascending (the hex encoding sorts numerically). */
static int list_ids(st_backend *b, char tag, id_list *out, rt_err *err)
{
    char lo[3] = {tag, '/', '\0'}, hi[3] = {tag, '0', '\0'};
    *out = (id_list){.tag = tag};
    int rc = st_db_scan(b->db, NULL, lo, 2, hi, 2, collect_id, out, "list checkpoints", err);
    if (rc) {
        free(out->ids);
        out->ids = NULL;
    }
    return rc;
}

int st_backend_list(st_backend *b, uint64_t **ids, size_t *count, rt_err *err)
{
    id_list l;
    int rc = list_ids(b, ST_KEY_TAG_METADATA, &l, err);
    if (rc)
        return rc;
    *ids = l.ids;
    *count = l.count;
    return 0;
}

bool st_backend_is_savepoint(st_backend *b, uint64_t id)
{
    return get_tagged(b, NULL, ST_KEY_TAG_SAVEPOINT, id, NULL, "read savepoint flag", NULL) == 0;
}

int st_backend_latest(st_backend *b, uint64_t *id, rt_err *err)
{
    uint64_t latest = atomic_load(&b->latest);
    if (!latest)
        return rt_err_set(err, RT_ENOTFOUND, "state: no completed checkpoint in '%s'", b->dir);
    *id = latest;
    return 0;
}

int st_backend_metadata(st_backend *b, uint64_t id, char **json, rt_err *err)
{
    char what[64];
    snprintf(what, sizeof what, "metadata of checkpoint %" PRIu64, id);
    int rc = get_tagged(b, NULL, ST_KEY_TAG_METADATA, id, json, what, err);
    if (rc == RT_ENOTFOUND)
        rt_err_set(err, rc, "state: %s: not a completed checkpoint (never completed, or pruned)",
                   what);
    return rc;
}

static int id_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Deletes the metadata and state of completed non-savepoint checkpoints older than the newest
 * `retain` ones; never the latest. Called under the lock right after a completion. A failure
 * does not undo the completion, which is durable already: it is logged, and the next completion
 * prunes what this one left. */
static void prune_locked(st_backend *b, uint32_t retain)
{
    uint64_t latest = atomic_load(&b->latest);
    rt_err err;
    rt_err_clear(&err);
    id_list done = {0}, saved = {0};
    if (list_ids(b, ST_KEY_TAG_METADATA, &done, &err) != 0 ||
        list_ids(b, ST_KEY_TAG_SAVEPOINT, &saved, &err) != 0) {
        LOG_WARN("state: prune after checkpoint %" PRIu64 ": %s", latest, err.msg);
        free(done.ids);
        return;
    }
    st_db_batch *batch = st_db_batch_new();
    uint32_t kept = 0;
    unsigned pruned = 0;
    for (size_t i = done.count; i-- > 0;) {
        uint64_t id = done.ids[i];
        if (saved.count && bsearch(&id, saved.ids, saved.count, sizeof id, id_cmp))
            continue;
        if (id == latest || kept < retain) {
            kept++;
            continue;
        }
        char mk[ST_KEY_ID_SIZE], lo[ST_KEY_ID_SIZE], hi[ST_KEY_ID_SIZE];
        size_t mlen = st_key_id_format(mk, ST_KEY_TAG_METADATA, id);
        size_t n = st_key_state_range(lo, hi, id);
        st_db_batch_delete(batch, mk, mlen);
        st_db_batch_delete_range(batch, lo, n, hi, n);
        pruned++;
    }
    if (pruned) {
        char what[64];
        snprintf(what, sizeof what, "prune after checkpoint %" PRIu64, latest);
        /* Unsynced: a prune lost in a crash is redone by the next one, and the metadata and
         * state of one checkpoint go in one batch, so none is left half deleted. */
        if (st_db_write(b->db, batch, false, what, &err) != 0)
            LOG_WARN("%s", err.msg);
        else
            LOG_DEBUG("state: pruned %u checkpoint(s) older than the newest %" PRIu32, pruned,
                      retain);
    }
    st_db_batch_free(batch);
    free(done.ids);
    free(saved.ids);
}

/* Adds "latest = id" and "n = max(n, id)" to batch and writes it synced, under the lock; refuses
 * (stale_code) an id not above the latest. The single batch is what makes completion atomic. */
static int install_locked(st_backend *b, st_db_batch *batch, uint64_t id, int stale_code,
                          const char *what, rt_err *err)
{
    uint64_t latest = atomic_load(&b->latest);
    if (id <= latest)
        return rt_err_set(err, stale_code,
                          "state: %s: the latest completed checkpoint is already %" PRIu64, what,
                          latest);
    put_id(batch, ST_KEY_LATEST, id);
    uint64_t last_id = b->last_id > id ? b->last_id : id;
    if (last_id != b->last_id)
        put_id(batch, ST_KEY_NEXT_ID, last_id);
    int rc = st_db_write(b->db, batch, true, what, err);
    if (rc)
        return rc;
    atomic_store(&b->latest, id);
    b->last_id = last_id;
    return 0;
}

static void put_completed(st_db_batch *batch, uint64_t id, const char *metadata, bool savepoint)
{
    char k[ST_KEY_ID_SIZE];
    size_t n = st_key_id_format(k, ST_KEY_TAG_METADATA, id);
    st_db_batch_put(batch, k, n, metadata, strlen(metadata));
    if (savepoint) {
        n = st_key_id_format(k, ST_KEY_TAG_SAVEPOINT, id);
        st_db_batch_put(batch, k, n, "1", 1);
    }
}

int st_backend_complete(st_backend *b, uint64_t id, const char *metadata_json, bool savepoint,
                        uint32_t retain, rt_err *err)
{
    char what[64];
    snprintf(what, sizeof what, "complete checkpoint %" PRIu64, id);
    if (id == 0 || !metadata_json)
        return rt_err_set(err, RT_EINVAL, "state: %s: %s", what,
                          id == 0 ? "checkpoint ids start at 1" : "no metadata");
    /* Savepoint export embeds the metadata as a JSON value: refuse text that could not be. */
    json_error_t jerr;
    json_t *j = json_loads(metadata_json, JSON_DECODE_ANY, &jerr);
    if (!j)
        return rt_err_set(err, RT_EINVAL, "state: %s: metadata is not JSON: %s", what, jerr.text);
    json_decref(j);

    st_db_batch *batch = st_db_batch_new();
    put_completed(batch, id, metadata_json, savepoint);
    pthread_mutex_lock(&b->lock);
    int rc = install_locked(b, batch, id, RT_EINVAL, what, err);
    if (!rc)
        prune_locked(b, retain);
    pthread_mutex_unlock(&b->lock);
    st_db_batch_free(batch);
    return rc;
}

int st_backend_discard(st_backend *b, uint64_t id, rt_err *err)
{
    char what[64];
    snprintf(what, sizeof what, "discard checkpoint %" PRIu64, id);
    pthread_mutex_lock(&b->lock);
    int rc = get_tagged(b, NULL, ST_KEY_TAG_METADATA, id, NULL, what, err);
    if (rc == 0) {
        rc = rt_err_set(err, RT_EINVAL, "state: %s: it is completed", what);
    } else if (rc == RT_ENOTFOUND) {
        char lo[ST_KEY_ID_SIZE], hi[ST_KEY_ID_SIZE];
        size_t n = st_key_state_range(lo, hi, id);
        st_db_batch *batch = st_db_batch_new();
        st_db_batch_delete_range(batch, lo, n, hi, n);
        /* Unsynced: should the deletion be lost, the next open drops the state anyway. */
        rc = st_db_write(b->db, batch, false, what, err);
        st_db_batch_free(batch);
    }
    pthread_mutex_unlock(&b->lock);
    return rc;
}

/* --- What writer.c and savepoint.c build on (backend_int.h) --- */

static void put_entry(st_db_batch *batch, rt_buf *k, uint64_t id, const st_entry *e)
{
    rt_buf_reset(k);
    st_key_state_prefix(k, id, e->vertex, e->vertex_len, e->subtask);
    rt_buf_append(k, e->key, e->key_len);
    st_db_batch_put(batch, k->data, k->len, e->val, e->val_len);
}

int st_backend_write_entries(st_backend *b, uint64_t checkpoint, const st_entry *entries,
                             size_t count, const char *what, rt_err *err)
{
    /* A completed checkpoint is immutable, and state written under an older id could never be
     * restored (completion only moves forward): both are a caller's bug worth reporting. A
     * completion racing this check would need a writer still running after its own ack. */
    uint64_t latest = atomic_load(&b->latest);
    if (checkpoint == 0 || checkpoint <= latest)
        return rt_err_set(err, RT_EINVAL,
                          "state: %s: not a pending checkpoint (latest completed: %" PRIu64 ")",
                          what, latest);
    st_db_batch *batch = st_db_batch_new();
    rt_buf k;
    rt_buf_init(&k);
    for (size_t i = 0; i < count; i++)
        put_entry(batch, &k, checkpoint, &entries[i]);
    rt_buf_fini(&k);
    int rc = st_db_write(b->db, batch, false, what, err);
    st_db_batch_free(batch);
    return rc;
}

int st_backend_install(st_backend *b, uint64_t id, const char *metadata_json, bool savepoint,
                       const st_entry *entries, size_t count, const char *what, rt_err *err)
{
    st_db_batch *batch = st_db_batch_new();
    /* State a pending checkpoint of this backend may have left under the same id goes first;
     * later entries of the batch have later sequence numbers and survive the range deletion. */
    char lo[ST_KEY_ID_SIZE], hi[ST_KEY_ID_SIZE];
    size_t n = st_key_state_range(lo, hi, id);
    st_db_batch_delete_range(batch, lo, n, hi, n);
    rt_buf k;
    rt_buf_init(&k);
    for (size_t i = 0; i < count; i++)
        put_entry(batch, &k, id, &entries[i]);
    rt_buf_fini(&k);
    put_completed(batch, id, metadata_json, savepoint);
    pthread_mutex_lock(&b->lock);
    int rc = install_locked(b, batch, id, RT_EEXIST, what, err);
    pthread_mutex_unlock(&b->lock);
    st_db_batch_free(batch);
    return rc;
}

struct st_snapshot {
    st_backend *b;
    st_db_view *view;
    uint64_t id;
    char *metadata;
    bool savepoint;
    char what[RT_ERR_MSG_SIZE / 2];
};

int st_snapshot_open(st_backend *b, uint64_t id, const char *what, st_snapshot **out, rt_err *err)
{
    st_snapshot *s = calloc(1, sizeof *s);
    if (!s)
        return rt_err_set(err, RT_ENOMEM, "state: %s: out of memory", what);
    s->b = b;
    s->id = id;
    snprintf(s->what, sizeof s->what, "%s", what);
    s->view = st_db_view_new(b->db);
    int rc = get_tagged(b, s->view, ST_KEY_TAG_METADATA, id, &s->metadata, what, err);
    if (rc == RT_ENOTFOUND)
        rc = rt_err_set(err, rc,
                        "state: %s: checkpoint %" PRIu64 " is not a completed checkpoint "
                        "(never completed, or pruned)",
                        what, id);
    if (!rc) {
        rc = get_tagged(b, s->view, ST_KEY_TAG_SAVEPOINT, id, NULL, what, err);
        s->savepoint = rc == 0;
        if (rc == RT_ENOTFOUND)
            rc = 0;
    }
    if (rc) {
        st_snapshot_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

const char *st_snapshot_metadata(const st_snapshot *s)
{
    return s->metadata;
}

bool st_snapshot_is_savepoint(const st_snapshot *s)
{
    return s->savepoint;
}

typedef struct entry_ctx {
    st_entry_fn fn;
    void *ctx;
    const char *what;
} entry_ctx;

static int entry_one(void *vctx, const char *k, size_t klen, const char *v, size_t vlen,
                     rt_err *err)
{
    entry_ctx *c = vctx;
    st_state_key sk;
    if (!st_key_parse_state(k, klen, &sk))
        return rt_err_set(err, RT_ECORRUPT, "state: %s: malformed state key '%.*s'", c->what,
                          (int)(klen < 64 ? klen : 64), k);
    st_entry e = {
        .vertex = sk.vertex,
        .vertex_len = sk.vertex_len,
        .subtask = sk.subtask,
        .key = sk.key,
        .key_len = sk.key_len,
        .val = v,
        .val_len = vlen,
    };
    return c->fn(c->ctx, &e, err);
}

int st_snapshot_scan(st_snapshot *s, st_entry_fn fn, void *ctx, rt_err *err)
{
    char lo[ST_KEY_ID_SIZE], hi[ST_KEY_ID_SIZE];
    size_t n = st_key_state_range(lo, hi, s->id);
    entry_ctx c = {.fn = fn, .ctx = ctx, .what = s->what};
    return st_db_scan(s->b->db, s->view, lo, n, hi, n, entry_one, &c, s->what, err);
}

void st_snapshot_close(st_snapshot *s)
{
    if (!s)
        return;
    st_db_view_free(s->b->db, s->view);
    free(s->metadata);
    free(s);
}
