/* Tests of the RocksDB state backend (state/backend.h): ids, writers, completion, pruning,
 * pending checkpoints, locking, and atomicity of completion under kill -9. */
#include "state/backend.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/harness/test.h"

extern char **environ;

/* A fresh directory name under the test's temporary directory. */
static const char *fresh_dir(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", test_tmpdir(), name);
    return out;
}

static st_backend *open_dir(const char *dir)
{
    st_backend *b = NULL;
    rt_err err;
    rt_err_clear(&err);
    CHECK_OK(st_backend_open(dir, &b, &err), &err);
    return b;
}

static uint64_t next_id(st_backend *b)
{
    uint64_t id = 0;
    rt_err err;
    rt_err_clear(&err);
    CHECK_OK(st_backend_next_id(b, &id, &err), &err);
    return id;
}

/* Writes key = val (a string) for (id, vertex, subtask) with one writer. */
static void put1(st_backend *b, uint64_t id, const char *vertex, uint32_t subtask, const char *key,
                 const char *val)
{
    rt_err err;
    rt_err_clear(&err);
    st_writer *w = st_writer_new(b, id, vertex, subtask);
    CHECK(w != NULL);
    uint64_t bytes = 0;
    CHECK_OK(st_writer_put(w, key, val, strlen(val), &err), &err);
    CHECK_OK(st_writer_commit(w, &bytes, &err), &err);
    st_writer_free(w);
}

static void complete(st_backend *b, uint64_t id, bool savepoint, uint32_t retain)
{
    char meta[64];
    snprintf(meta, sizeof meta, "{\"id\":%" PRIu64 "}", id);
    rt_err err;
    rt_err_clear(&err);
    CHECK_OK(st_backend_complete(b, id, meta, savepoint, retain, &err), &err);
}

/* The value of key as a string; NULL when absent (any failure other than RT_ENOTFOUND fails). */
static char *get_str(st_backend *b, uint64_t id, const char *vertex, uint32_t subtask,
                     const char *key)
{
    char *val = NULL;
    size_t len = 0;
    rt_err err;
    rt_err_clear(&err);
    int rc = st_backend_get(b, id, vertex, subtask, key, &val, &len, &err);
    if (rc == RT_ENOTFOUND)
        return NULL;
    CHECK_OK(rc, &err);
    if (val)
        CHECK_UINT_EQ(strlen(val), len);
    return val;
}

static uint64_t state_entries(st_backend *b, uint64_t id)
{
    uint64_t entries = 0, bytes = 0;
    rt_err err;
    rt_err_clear(&err);
    CHECK_OK(st_backend_state_size(b, id, &entries, &bytes, &err), &err);
    return entries;
}

TEST(ids_are_monotonic_across_reopen)
{
    char dir[512];
    fresh_dir(dir, sizeof dir, "ids/nested/deeper");
    st_backend *b = open_dir(dir);
    CHECK_STR_EQ(st_backend_dir(b), dir);
    CHECK_UINT_EQ(next_id(b), 1);
    CHECK_UINT_EQ(next_id(b), 2);
    CHECK_UINT_EQ(next_id(b), 3);
    st_backend_close(b);
    b = open_dir(dir);
    CHECK_UINT_EQ(next_id(b), 4);
    uint64_t latest = 99;
    rt_err err;
    CHECK_INT_EQ(st_backend_latest(b, &latest, &err), RT_ENOTFOUND);
    CHECK_UINT_EQ(latest, 99);
    st_backend_close(b);
}

static const char *vertices[] = {"src", "map_1", "sink-x"};

TEST(put_commit_complete_get_round_trip)
{
    char dir[512];
    st_backend *b = open_dir(fresh_dir(dir, sizeof dir, "round_trip"));
    rt_err err;
    rt_err_clear(&err);
    uint64_t id = next_id(b);
    for (int v = 0; v < 3; v++) {
        for (uint32_t s = 0; s < 3; s++) {
            st_writer *w = st_writer_new(b, id, vertices[v], s);
            char val[64];
            snprintf(val, sizeof val, "%s#%u", vertices[v], s);
            CHECK_OK(st_writer_put(w, "a", "old", 3, &err), &err);
            CHECK_OK(st_writer_put(w, "next", val, strlen(val), &err), &err);
            CHECK_OK(st_writer_put(w, "a", val, strlen(val), &err), &err); /* last put wins */
            CHECK_OK(st_writer_put(w, "pending/3", "p3", 2, &err), &err);
            CHECK_OK(st_writer_put(w, "pending/10", "p10", 3, &err), &err);
            CHECK_OK(st_writer_put(w, "empty", "", 0, &err), &err);
            uint64_t bytes = 0;
            CHECK_OK(st_writer_commit(w, &bytes, &err), &err);
            CHECK_UINT_EQ(bytes, 1 + strlen(val) + 4 + strlen(val) + 9 + 2 + 10 + 3 + 5);
            st_writer_free(w);
        }
    }
    CHECK_OK(st_backend_complete(b, id, "{\"id\": 1, \"sources\": [\"x\"]}", false, 3, &err), &err);
    uint64_t latest = 0;
    CHECK_OK(st_backend_latest(b, &latest, &err), &err);
    CHECK_UINT_EQ(latest, id);

    for (int round = 0; round < 2; round++) {
        for (int v = 0; v < 3; v++) {
            for (uint32_t s = 0; s < 3; s++) {
                char want[64];
                snprintf(want, sizeof want, "%s#%u", vertices[v], s);
                char *got = get_str(b, id, vertices[v], s, "a");
                CHECK_STR_EQ(got, want);
                free(got);
                got = get_str(b, id, vertices[v], s, "pending/10");
                CHECK_STR_EQ(got, "p10");
                free(got);
                got = get_str(b, id, vertices[v], s, "empty");
                CHECK_STR_EQ(got, "");
                free(got);
                CHECK(get_str(b, id, vertices[v], s, "missing") == NULL);
            }
        }
        CHECK(get_str(b, id, "src", 3, "a") == NULL);
        CHECK(get_str(b, id, "nope", 0, "a") == NULL);
        /* The same after a restart. */
        st_backend_close(b);
        b = open_dir(dir);
    }
    char *val = NULL;
    size_t len = 0;
    CHECK_INT_EQ(st_backend_get(b, id, "src", 0, "missing", &val, &len, &err), RT_ENOTFOUND);
    CHECK_STR_CONTAINS(err.msg, "missing");

    char *meta = NULL;
    CHECK_OK(st_backend_metadata(b, id, &meta, &err), &err);
    CHECK_STR_EQ(meta, "{\"id\": 1, \"sources\": [\"x\"]}"); /* verbatim */
    free(meta);
    CHECK(!st_backend_is_savepoint(b, id));
    uint64_t *ids = NULL;
    size_t count = 0;
    CHECK_OK(st_backend_list(b, &ids, &count, &err), &err);
    CHECK_UINT_EQ(count, 1);
    if (count == 1)
        CHECK_UINT_EQ(ids[0], id);
    free(ids);
    CHECK_UINT_EQ(state_entries(b, id), 3 * 3 * 5);
    st_backend_close(b);
}

typedef struct scan_seen {
    char keys[8][32];
    char vals[8][32];
    int count;
} scan_seen;

static int record(void *ctx, const char *key, const void *val, size_t len, rt_err *err)
{
    scan_seen *s = ctx;
    if (s->count == 8)
        return rt_err_set(err, RT_EINVAL, "too many");
    snprintf(s->keys[s->count], sizeof s->keys[0], "%s", key);
    snprintf(s->vals[s->count], sizeof s->vals[0], "%.*s", (int)len, (const char *)val);
    s->count++;
    return 0;
}

static int stop_at_first(void *ctx, const char *key, const void *val, size_t len, rt_err *err)
{
    return rt_err_set(err, RT_ECANCELED, "stop at %s", key);
}

TEST(scan_by_prefix)
{
    char dir[512];
    st_backend *b = open_dir(fresh_dir(dir, sizeof dir, "scan"));
    rt_err err;
    rt_err_clear(&err);
    uint64_t id = next_id(b);
    st_writer *w = st_writer_new(b, id, "sink", 1);
    const char *keys[] = {"pending/2", "pending/10", "pendingx", "next", "pending/\xc3\xa9"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        CHECK_OK(st_writer_put(w, keys[i], keys[i], strlen(keys[i]), &err), &err);
    uint64_t bytes;
    CHECK_OK(st_writer_commit(w, &bytes, &err), &err);
    st_writer_free(w);
    put1(b, id, "sink", 0, "pending/1", "other subtask");
    put1(b, id, "sink", 2, "pending/1", "other subtask");

    scan_seen seen = {0};
    CHECK_INT_EQ(st_backend_scan(b, id, "sink", 1, "pending/", record, &seen, &err), RT_ENOTFOUND);
    complete(b, id, false, 3);
    CHECK_OK(st_backend_scan(b, id, "sink", 1, "pending/", record, &seen, &err), &err);
    CHECK_INT_EQ(seen.count, 3);
    CHECK_STR_EQ(seen.keys[0], "pending/10"); /* byte order */
    CHECK_STR_EQ(seen.keys[1], "pending/2");
    CHECK_STR_EQ(seen.keys[2], "pending/\xc3\xa9");
    CHECK_STR_EQ(seen.vals[1], "pending/2");
    memset(&seen, 0, sizeof seen);
    CHECK_OK(st_backend_scan(b, id, "sink", 1, NULL, record, &seen, &err), &err);
    CHECK_INT_EQ(seen.count, 5);
    CHECK_INT_EQ(st_backend_scan(b, id, "sink", 1, "", stop_at_first, NULL, &err), RT_ECANCELED);
    CHECK_STR_EQ(err.msg, "stop at next");
    st_backend_close(b);
}

TEST(pending_checkpoint_is_invisible_and_dropped_on_reopen)
{
    char dir[512];
    st_backend *b = open_dir(fresh_dir(dir, sizeof dir, "pending"));
    rt_err err;
    /* 1 and 3 complete; 2 (declined, never discarded) and 4 (in flight at the "crash") not. */
    uint64_t one = next_id(b), two = next_id(b), three = next_id(b);
    put1(b, one, "src", 0, "k", "one");
    complete(b, one, false, 3);
    put1(b, two, "src", 0, "k", "two");
    put1(b, two, "map", 4, "k", "two");
    put1(b, three, "src", 0, "k", "three");
    complete(b, three, false, 3);
    uint64_t four = next_id(b);
    put1(b, four, "src", 0, "k", "four");

    uint64_t latest = 0;
    CHECK_OK(st_backend_latest(b, &latest, &err), &err);
    CHECK_UINT_EQ(latest, three);
    CHECK(get_str(b, two, "src", 0, "k") == NULL);
    CHECK(get_str(b, four, "src", 0, "k") == NULL);
    char *meta = NULL;
    CHECK_INT_EQ(st_backend_metadata(b, four, &meta, &err), RT_ENOTFOUND);
    CHECK_UINT_EQ(state_entries(b, two), 2);
    CHECK_UINT_EQ(state_entries(b, four), 1);

    st_backend_close(b); /* "crash" before completing four */
    b = open_dir(dir);
    CHECK_UINT_EQ(state_entries(b, two), 0);
    CHECK_UINT_EQ(state_entries(b, four), 0);
    CHECK_UINT_EQ(state_entries(b, one), 1);
    CHECK_UINT_EQ(state_entries(b, three), 1);
    CHECK_OK(st_backend_latest(b, &latest, &err), &err);
    CHECK_UINT_EQ(latest, three);
    char *v = get_str(b, three, "src", 0, "k");
    CHECK_STR_EQ(v, "three");
    free(v);
    CHECK_UINT_EQ(next_id(b), 5); /* four is never reused */
    st_backend_close(b);
}

TEST(discard_drops_pending_state_only)
{
    char dir[512];
    st_backend *b = open_dir(fresh_dir(dir, sizeof dir, "discard"));
    rt_err err;
    uint64_t one = next_id(b), two = next_id(b);
    put1(b, one, "src", 0, "k", "one");
    complete(b, one, false, 3);
    put1(b, two, "src", 0, "k", "two");
    CHECK_OK(st_backend_discard(b, two, &err), &err);
    CHECK_UINT_EQ(state_entries(b, two), 0);
    CHECK_INT_EQ(st_backend_discard(b, one, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "discard checkpoint 1");
    CHECK_UINT_EQ(state_entries(b, one), 1);
    st_backend_close(b);
}

TEST(latest_never_goes_backwards)
{
    char dir[512];
    st_backend *b = open_dir(fresh_dir(dir, sizeof dir, "backwards"));
    rt_err err;
    uint64_t one = next_id(b), two = next_id(b);
    put1(b, one, "src", 0, "k", "one");
    put1(b, two, "src", 0, "k", "two");
    complete(b, two, false, 3);
    CHECK_INT_EQ(st_backend_complete(b, one, "{}", false, 3, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "complete checkpoint 1");
    CHECK_INT_EQ(st_backend_complete(b, two, "{}", false, 3, &err), RT_EINVAL);
    CHECK_INT_EQ(st_backend_complete(b, 0, "{}", false, 3, &err), RT_EINVAL);
    uint64_t latest = 0;
    CHECK_OK(st_backend_latest(b, &latest, &err), &err);
    CHECK_UINT_EQ(latest, two);
    CHECK_INT_EQ(st_backend_metadata(b, one, &(char *){NULL}, &err), RT_ENOTFOUND);

    /* A completed (or older) checkpoint takes no more state. */
    st_writer *w = st_writer_new(b, two, "src", 0);
    uint64_t bytes = 7;
    CHECK_OK(st_writer_put(w, "late", "x", 1, &err), &err);
    CHECK_INT_EQ(st_writer_commit(w, &bytes, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "write checkpoint 2 vertex 'src' subtask 0");
    CHECK_UINT_EQ(bytes, 7);
    st_writer_free(w);
    char *v = get_str(b, two, "src", 0, "late");
    CHECK(v == NULL);
    free(v);

    /* A completion with a never-handed-out id moves the counter past it. */
    complete(b, 10, false, 3);
    CHECK_UINT_EQ(next_id(b), 11);
    st_backend_close(b);
}

TEST(bad_input_is_rejected)
{
    char dir[512];
    st_backend *b = open_dir(fresh_dir(dir, sizeof dir, "bad_input"));
    rt_err err;
    uint64_t id = next_id(b);
    st_writer *w = st_writer_new(b, id, "a/b", 0);
    CHECK(w != NULL);
    CHECK_INT_EQ(st_writer_put(w, "k", "v", 1, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "'a/b'");
    uint64_t bytes;
    CHECK_INT_EQ(st_writer_commit(w, &bytes, &err), RT_EINVAL);
    st_writer_free(w);
    w = st_writer_new(b, id, "", 0);
    CHECK_INT_EQ(st_writer_put(w, "k", "v", 1, &err), RT_EINVAL);
    st_writer_free(w);

    w = st_writer_new(b, id, "ok", 0);
    CHECK_INT_EQ(st_writer_put(w, "bad\xff", "v", 1, &err), RT_EINVAL);
    CHECK_INT_EQ(st_writer_put(w, "\xc0\x80", "v", 1, &err), RT_EINVAL);     /* overlong NUL */
    CHECK_INT_EQ(st_writer_put(w, "\xed\xa0\x80", "v", 1, &err), RT_EINVAL); /* surrogate */
    CHECK_OK(st_writer_put(w, "\xf0\x9f\x98\x80", "v", 1, &err), &err);
    char big[5000];
    memset(big, 'k', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CHECK_INT_EQ(st_writer_put(w, big, "v", 1, &err), RT_EINVAL);
    CHECK_OK(st_writer_commit(w, &bytes, &err), &err);
    CHECK_UINT_EQ(bytes, 5);
    st_writer_free(w);

    char *val = NULL;
    size_t len;
    CHECK_INT_EQ(st_backend_get(b, id, "a/b", 0, "k", &val, &len, &err), RT_EINVAL);
    CHECK_INT_EQ(st_backend_complete(b, id, "{not json", false, 3, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "metadata is not JSON");
    uint64_t latest;
    CHECK_INT_EQ(st_backend_latest(b, &latest, &err), RT_ENOTFOUND);
    st_backend_close(b);
}

TEST(retain_prunes_old_checkpoints_but_keeps_savepoints)
{
    char dir[512];
    st_backend *b = open_dir(fresh_dir(dir, sizeof dir, "retain"));
    rt_err err;
    for (int i = 1; i <= 8; i++) {
        uint64_t id = next_id(b);
        CHECK_UINT_EQ(id, (uint64_t)i);
        char val[16];
        snprintf(val, sizeof val, "v%d", i);
        put1(b, id, "src", 0, "k", val);
        put1(b, id, "src", 1, "k", val);
        complete(b, id, id == 3 || id == 5, 3);
    }
    uint64_t *ids = NULL;
    size_t count = 0;
    CHECK_OK(st_backend_list(b, &ids, &count, &err), &err);
    uint64_t want[] = {3, 5, 6, 7, 8};
    CHECK_UINT_EQ(count, 5);
    for (size_t i = 0; i < count && i < 5; i++)
        CHECK_UINT_EQ(ids[i], want[i]);
    free(ids);
    CHECK(st_backend_is_savepoint(b, 3));
    CHECK(st_backend_is_savepoint(b, 5));
    CHECK(!st_backend_is_savepoint(b, 6));
    for (uint64_t id = 1; id <= 8; id++) {
        bool kept = id == 3 || id >= 5;
        char *v = get_str(b, id, "src", 1, "k");
        CHECK(kept == (v != NULL));
        free(v);
        CHECK_UINT_EQ(state_entries(b, id), kept ? 2 : 0);
        char *meta = NULL;
        CHECK_INT_EQ(st_backend_metadata(b, id, &meta, &err), kept ? 0 : RT_ENOTFOUND);
        free(meta);
    }
    char *val;
    size_t len;
    CHECK_INT_EQ(st_backend_get(b, 1, "src", 0, "k", &val, &len, &err), RT_ENOTFOUND);
    CHECK_STR_CONTAINS(err.msg, "not a completed checkpoint");

    /* A savepoint is not counted against retain, and retain 0 keeps only the latest: with a
     * savepoint as the latest, every plain checkpoint goes. */
    uint64_t id = next_id(b);
    complete(b, id, true, 0);
    CHECK_OK(st_backend_list(b, &ids, &count, &err), &err);
    CHECK_UINT_EQ(count, 3); /* 3, 5, 9 */
    free(ids);
    id = next_id(b);
    complete(b, id, false, 0);
    CHECK_OK(st_backend_list(b, &ids, &count, &err), &err);
    CHECK_UINT_EQ(count, 4); /* 3, 5, 9, 10 */
    if (count == 4)
        CHECK_UINT_EQ(ids[3], id);
    free(ids);
    st_backend_close(b);
}

TEST(open_of_a_locked_directory_is_a_clean_error)
{
    char dir[512];
    st_backend *a = open_dir(fresh_dir(dir, sizeof dir, "locked"));
    st_backend *b = (st_backend *)&b;
    rt_err err;
    rt_err_clear(&err);
    CHECK_INT_EQ(st_backend_open(dir, &b, &err), RT_EIO);
    CHECK(b == (st_backend *)&b); /* untouched */
    CHECK_STR_CONTAINS(err.msg, "state: open '");
    CHECK_STR_CONTAINS(err.msg, "lock");
    st_backend_close(a);
    b = open_dir(dir); /* free again */
    st_backend_close(b);

    /* A data directory that is a file. */
    char file[512];
    fresh_dir(file, sizeof file, "plainfile");
    FILE *f = fopen(file, "w");
    fclose(f);
    CHECK_INT_EQ(st_backend_open(file, &b, &err), RT_EIO);
}

/* --- Several writers at once --- */

#define THREADS 4
#define THREAD_KEYS 200

typedef struct thread_arg {
    st_backend *b;
    uint64_t id;
    uint32_t subtask;
    int rc;
} thread_arg;

static void *write_subtask(void *p)
{
    thread_arg *a = p;
    rt_err err;
    st_writer *w = st_writer_new(a->b, a->id, "par", a->subtask);
    for (int i = 0; i < THREAD_KEYS && !a->rc; i++) {
        char key[32], val[32];
        snprintf(key, sizeof key, "k%d", i);
        snprintf(val, sizeof val, "%u/%d", a->subtask, i);
        a->rc = st_writer_put(w, key, val, strlen(val), &err);
        if (!a->rc && i % 50 == 49) {
            uint64_t bytes;
            a->rc = st_writer_commit(w, &bytes, &err);
        }
    }
    st_writer_free(w);
    return NULL;
}

TEST(writers_of_different_subtasks_run_concurrently)
{
    char dir[512];
    st_backend *b = open_dir(fresh_dir(dir, sizeof dir, "threads"));
    pthread_t th[THREADS];
    thread_arg args[THREADS];
    uint64_t id = next_id(b);
    for (uint32_t i = 0; i < THREADS; i++) {
        args[i] = (thread_arg){.b = b, .id = id, .subtask = i};
        CHECK_INT_EQ(pthread_create(&th[i], NULL, write_subtask, &args[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        CHECK_INT_EQ(args[i].rc, 0);
    }
    complete(b, id, false, 1);
    CHECK_UINT_EQ(state_entries(b, id), THREADS * THREAD_KEYS);
    char *v = get_str(b, id, "par", 3, "k199");
    CHECK_STR_EQ(v, "3/199");
    free(v);
    st_backend_close(b);
}

/* --- Crash atomicity: kill -9 a process that completes checkpoint after checkpoint --- */

#define CRASH_ENV "SLUICE_TEST_STATE_CRASH_DIR"
#define CRASH_VERTICES 2
#define CRASH_SUBTASKS 3
#define CRASH_KEYS 6
#define CRASH_ROUNDS 6

/* The value every checkpoint writes for a key encodes the checkpoint id, so that a torn
 * checkpoint (state of one id under the metadata of another) cannot go unnoticed. Lengths vary
 * from 20 to ~2 KB so that memtables fill and flush while the child runs. */
static size_t crash_value(char *out, size_t size, uint64_t id, int v, uint32_t s, int k)
{
    int n = snprintf(out, size, "ckpt=%" PRIu64 " v%d s%u k%d ", id, v, s, k);
    size_t len = 20 + (size_t)((id * 131 + (uint64_t)k * 977) % 2000);
    if (len >= size)
        len = size - 1;
    for (size_t i = (size_t)n; i < len; i++)
        out[i] = (char)('a' + (id + i) % 26);
    out[len] = '\0';
    return len;
}

/* The child: completes checkpoints 1.. until killed. Runs in a fresh exec of this binary (a
 * forked copy of a process whose RocksDB threads exist no more is not a fair subject). */
__attribute__((constructor)) static void crash_child(void)
{
    const char *dir = getenv(CRASH_ENV);
    if (!dir)
        return;
    rt_err err;
    st_backend *b;
    if (st_backend_open(dir, &b, &err) != 0) {
        fprintf(stderr, "crash child: %s\n", err.msg);
        _exit(2);
    }
    char val[4096], key[32];
    for (int round = 0; round < 100000; round++) {
        uint64_t id, bytes;
        if (st_backend_next_id(b, &id, &err) != 0)
            _exit(3);
        for (int v = 0; v < CRASH_VERTICES; v++) {
            for (uint32_t s = 0; s < CRASH_SUBTASKS; s++) {
                char vertex[16];
                snprintf(vertex, sizeof vertex, "v%d", v);
                st_writer *w = st_writer_new(b, id, vertex, s);
                for (int k = 0; k < CRASH_KEYS; k++) {
                    snprintf(key, sizeof key, "k%d", k);
                    size_t len = crash_value(val, sizeof val, id, v, s, k);
                    if (st_writer_put(w, key, val, len, &err) != 0)
                        _exit(4);
                }
                if (st_writer_commit(w, &bytes, &err) != 0)
                    _exit(5);
                st_writer_free(w);
            }
        }
        char meta[64];
        snprintf(meta, sizeof meta, "{\"id\":%" PRIu64 "}", id);
        if (st_backend_complete(b, id, meta, id % 7 == 0, 2, &err) != 0)
            _exit(6);
    }
    st_backend_close(b);
    _exit(0);
}

/* Checks that completed checkpoint id is whole: metadata and every entry, of this id. */
static void check_whole(st_backend *b, uint64_t id)
{
    char want[4096], meta_want[64];
    snprintf(meta_want, sizeof meta_want, "{\"id\":%" PRIu64 "}", id);
    rt_err err;
    char *meta = NULL;
    CHECK_OK(st_backend_metadata(b, id, &meta, &err), &err);
    CHECK_STR_EQ(meta, meta_want);
    free(meta);
    for (int v = 0; v < CRASH_VERTICES; v++) {
        for (uint32_t s = 0; s < CRASH_SUBTASKS; s++) {
            for (int k = 0; k < CRASH_KEYS; k++) {
                char vertex[16], key[16];
                snprintf(vertex, sizeof vertex, "v%d", v);
                snprintf(key, sizeof key, "k%d", k);
                crash_value(want, sizeof want, id, v, s, k);
                char *got = get_str(b, id, vertex, s, key);
                if (!got || strcmp(got, want) != 0)
                    test_fail(__FILE__, __LINE__, "checkpoint %" PRIu64 " %s#%u %s is torn", id,
                              vertex, s, key);
                free(got);
            }
        }
    }
    CHECK_UINT_EQ(state_entries(b, id), CRASH_VERTICES * CRASH_SUBTASKS * CRASH_KEYS);
}

TEST(completion_is_atomic_under_kill_9)
{
    char dir[512], envvar[600];
    fresh_dir(dir, sizeof dir, "crash");
    snprintf(envvar, sizeof envvar, CRASH_ENV "=%s", dir);
    /* Built before fork: between fork and exec the child may call async-signal-safe functions
     * only. */
    size_t n = 0;
    while (environ[n])
        n++;
    char **envp = calloc(n + 2, sizeof *envp);
    memcpy(envp, environ, n * sizeof *envp);
    envp[n] = envvar;
    char *argv[] = {"test_backend-crash-child", NULL};

    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    fprintf(stderr, "crash test seed %u\n", seed);
    srand(seed);
    uint64_t prev_latest = 0, max_handed = 0;
    for (int round = 0; round < CRASH_ROUNDS; round++) {
        pid_t pid = fork();
        if (pid == 0) {
            execve("/proc/self/exe", argv, envp);
            _exit(127);
        }
        CHECK(pid > 0);
        /* Long enough to get past the child's start-up most of the time, random enough to hit
         * every step of a checkpoint. */
        useconds_t delay = 100000 + (useconds_t)(rand() % 400000);
        usleep(delay);
        kill(pid, SIGKILL);
        int status = 0;
        waitpid(pid, &status, 0);
        if (!WIFSIGNALED(status))
            test_fail(__FILE__, __LINE__, "child ended by itself: status %d", status);

        st_backend *b = open_dir(dir);
        if (!b)
            break;
        rt_err err;
        uint64_t latest = 0;
        int rc = st_backend_latest(b, &latest, &err);
        CHECK(rc == 0 || rc == RT_ENOTFOUND);
        CHECK(latest >= prev_latest);
        fprintf(stderr, "round %d: killed after %u ms, latest %" PRIu64 "\n", round,
                (unsigned)(delay / 1000), latest);
        uint64_t *ids = NULL;
        size_t count = 0;
        CHECK_OK(st_backend_list(b, &ids, &count, &err), &err);
        for (size_t i = 0; i < count; i++)
            check_whole(b, ids[i]); /* the latest, the retained and the savepoints */
        if (latest)
            CHECK(count > 0 && ids[count - 1] == latest);
        free(ids);
        /* State of the checkpoint in flight at the kill was dropped at open. */
        for (uint64_t id = latest + 1; id <= latest + 3; id++)
            CHECK_UINT_EQ(state_entries(b, id), 0);
        uint64_t next = next_id(b);
        CHECK(next > latest && next > max_handed);
        max_handed = next;
        prev_latest = latest;
        st_backend_close(b);
    }
    CHECK(prev_latest > 0); /* the test did exercise completions */
    free(envp);
}

TEST_MAIN()
