/* The job store: records as small JSON objects under "job/<id>" in RocksDB. JSON rather than a
 * binary layout so that a field added later reads as absent in an older record, and so that an
 * operator can inspect a damaged store with ldb. */
#include "runtime/daemon/job_store.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <rocksdb/c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define KEY_PREFIX "job/"
/* The store holds a few hundred small records: the smallest footprint RocksDB allows. */
#define WRITE_BUFFER_SIZE (1u << 20)

struct rt_job_store {
    char *dir;
    rocksdb_t *db;
    rocksdb_options_t *opts;
    rocksdb_readoptions_t *read;
    rocksdb_writeoptions_t *write_sync;
};

static const char *const desired_names[] = {"running", "canceled", "stopped", "finished", "failed"};

const char *rt_job_desired_name(rt_job_desired d)
{
    if ((unsigned)d >= sizeof desired_names / sizeof *desired_names)
        return "unknown";
    return desired_names[d];
}

int rt_job_desired_parse(const char *name, rt_job_desired *out)
{
    for (size_t i = 0; i < sizeof desired_names / sizeof *desired_names; i++) {
        if (strcmp(name, desired_names[i]) == 0) {
            *out = (rt_job_desired)i;
            return 0;
        }
    }
    return RT_EINVAL;
}

bool rt_job_desired_is_terminal(rt_job_desired d)
{
    return d != RT_JOB_DESIRED_RUNNING;
}

void rt_job_record_fini(rt_job_record *r)
{
    if (!r)
        return;
    free(r->id);
    free(r->name);
    free(r->text);
    free(r->savepoint);
    free(r->stop_savepoint);
    free(r->last_savepoint);
    free(r->failure);
    memset(r, 0, sizeof *r);
}

static char *dup_or_null(const char *s, bool *oom)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *oom = true;
    return d;
}

int rt_job_record_copy(rt_job_record *dst, const rt_job_record *src, rt_err *err)
{
    bool oom = false;
    rt_job_record r = *src;
    r.id = dup_or_null(src->id, &oom);
    r.name = dup_or_null(src->name, &oom);
    r.text = dup_or_null(src->text, &oom);
    r.savepoint = dup_or_null(src->savepoint, &oom);
    r.stop_savepoint = dup_or_null(src->stop_savepoint, &oom);
    r.last_savepoint = dup_or_null(src->last_savepoint, &oom);
    r.failure = dup_or_null(src->failure, &oom);
    if (oom) {
        rt_job_record_fini(&r);
        return rt_err_set(err, RT_ENOMEM, "job record: out of memory");
    }
    *dst = r;
    return 0;
}

/* Creates dir with mode 0700, or tightens an existing one to it. */
static int private_dir(const char *dir, rt_err *err)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return rt_err_set(err, RT_EIO, "data directory %s: mkdir: %s", dir, strerror(errno));
    if (chmod(dir, 0700) != 0)
        return rt_err_set(err, RT_EIO, "data directory %s: chmod: %s", dir, strerror(errno));
    return 0;
}

/* RocksDB creates its files with the process umask: make the existing ones private too (the
 * directory's 0700 already keeps others out of the files created later). */
static void private_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[4096];
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        int n = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (n > 0 && (size_t)n < sizeof path)
            (void)chmod(path, 0600);
    }
    closedir(d);
}

/* mkdir -p dir: the directories it creates are 0700; existing ones are left as they are (DIR
 * may be a directory the user shares; what must stay private, daemon.db, is tightened). */
static int make_dirs(const char *dir, rt_err *err)
{
    char path[4096];
    int n = snprintf(path, sizeof path, "%s", dir);
    if (n <= 0 || (size_t)n >= sizeof path)
        return rt_err_set(err, RT_EINVAL, "data directory: path too long");
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST)
            return rt_err_set(err, RT_EIO, "data directory %s: mkdir %s: %s", dir, path,
                              strerror(errno));
        *p = '/';
    }
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return rt_err_set(err, RT_EIO, "data directory %s: mkdir: %s", dir, strerror(errno));
    return 0;
}

int rt_job_store_open(const char *dir, rt_job_store **out, rt_err *err)
{
    int rc = make_dirs(dir, err);
    if (rc != 0)
        return rc;
    rt_job_store *s = calloc(1, sizeof *s);
    char path[4096];
    snprintf(path, sizeof path, "%s/daemon.db", dir);
    if (!s || !(s->dir = strdup(dir))) {
        free(s);
        return rt_err_set(err, RT_ENOMEM, "job store: out of memory");
    }
    rc = private_dir(path, err);
    if (rc != 0) {
        rt_job_store_close(s);
        return rc;
    }
    s->opts = rocksdb_options_create();
    rocksdb_options_set_create_if_missing(s->opts, 1);
    rocksdb_options_set_write_buffer_size(s->opts, WRITE_BUFFER_SIZE);
    rocksdb_options_set_max_open_files(s->opts, 16);
    rocksdb_options_set_keep_log_file_num(s->opts, 2);
    s->read = rocksdb_readoptions_create();
    s->write_sync = rocksdb_writeoptions_create();
    rocksdb_writeoptions_set_sync(s->write_sync, 1);
    char *rerr = NULL;
    s->db = rocksdb_open(s->opts, path, &rerr);
    if (!s->db) {
        /* RocksDB reports a held LOCK as "... lock ...: Resource temporarily unavailable" (another
         * process) or "lock hold by current process" (this one): either way someone runs on DIR. */
        bool locked = rerr && strcasestr(rerr, "lock") != NULL;
        if (locked)
            rc = rt_err_set(err, RT_EBUSY, "data directory %s is in use by another sluiced", dir);
        else
            rc = rt_err_set(err, RT_EIO, "job store %s: open: %s", path, rerr ? rerr : "?");
        rocksdb_free(rerr);
        rt_job_store_close(s);
        return rc;
    }
    private_files(path);
    *out = s;
    return 0;
}

void rt_job_store_close(rt_job_store *s)
{
    if (!s)
        return;
    if (s->db)
        rocksdb_close(s->db);
    if (s->opts)
        rocksdb_options_destroy(s->opts);
    if (s->read)
        rocksdb_readoptions_destroy(s->read);
    if (s->write_sync)
        rocksdb_writeoptions_destroy(s->write_sync);
    free(s->dir);
    free(s);
}

static void set_str(json_t *o, const char *key, const char *v)
{
    if (v)
        json_object_set_new(o, key, json_string(v));
}

int rt_job_store_put(rt_job_store *s, const rt_job_record *r, rt_err *err)
{
    json_t *o = json_object();
    if (!o)
        return rt_err_set(err, RT_ENOMEM, "job store: out of memory");
    set_str(o, "id", r->id);
    set_str(o, "name", r->name);
    set_str(o, "text", r->text);
    set_str(o, "savepoint", r->savepoint);
    set_str(o, "stop_savepoint", r->stop_savepoint);
    set_str(o, "last_savepoint", r->last_savepoint);
    set_str(o, "failure", r->failure);
    json_object_set_new(o, "desired", json_string(rt_job_desired_name(r->desired)));
    json_object_set_new(o, "submitted", json_integer(r->submitted_ms));
    json_object_set_new(o, "started", json_integer(r->started_ms));
    json_object_set_new(o, "ended", json_integer(r->ended_ms));
    char *val = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!val)
        return rt_err_set(err, RT_ENOMEM, "job store: out of memory");
    char key[128];
    int klen = snprintf(key, sizeof key, KEY_PREFIX "%s", r->id);
    char *rerr = NULL;
    rocksdb_put(s->db, s->write_sync, key, (size_t)klen, val, strlen(val), &rerr);
    free(val);
    if (rerr) {
        int rc = rt_err_set(err, RT_EIO, "job store: write job %s: %s", r->id, rerr);
        rocksdb_free(rerr);
        return rc;
    }
    return 0;
}

int rt_job_store_delete(rt_job_store *s, const char *id, rt_err *err)
{
    char key[128];
    int klen = snprintf(key, sizeof key, KEY_PREFIX "%s", id);
    char *rerr = NULL;
    rocksdb_delete(s->db, s->write_sync, key, (size_t)klen, &rerr);
    if (rerr) {
        int rc = rt_err_set(err, RT_EIO, "job store: delete job %s: %s", id, rerr);
        rocksdb_free(rerr);
        return rc;
    }
    return 0;
}

static int get_str(json_t *o, const char *key, bool required, char **out)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        *out = NULL;
        return required ? RT_ECORRUPT : 0;
    }
    if (!json_is_string(v))
        return RT_ECORRUPT;
    *out = strdup(json_string_value(v));
    return *out ? 0 : RT_ENOMEM;
}

static int64_t get_int(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

static int decode(const char *key, const char *val, size_t len, rt_job_record *r, rt_err *err)
{
    memset(r, 0, sizeof *r);
    json_error_t jerr;
    json_t *o = json_loadb(val, len, 0, &jerr);
    if (!json_is_object(o)) {
        json_decref(o);
        return rt_err_set(err, RT_ECORRUPT, "job store: record %s is not a JSON object", key);
    }
    int rc = get_str(o, "id", true, &r->id);
    if (rc == 0)
        rc = get_str(o, "name", true, &r->name);
    if (rc == 0)
        rc = get_str(o, "text", true, &r->text);
    if (rc == 0)
        rc = get_str(o, "savepoint", false, &r->savepoint);
    if (rc == 0)
        rc = get_str(o, "stop_savepoint", false, &r->stop_savepoint);
    if (rc == 0)
        rc = get_str(o, "last_savepoint", false, &r->last_savepoint);
    if (rc == 0)
        rc = get_str(o, "failure", false, &r->failure);
    json_t *d = json_object_get(o, "desired");
    if (rc == 0 &&
        (!json_is_string(d) || rt_job_desired_parse(json_string_value(d), &r->desired) != 0))
        rc = RT_ECORRUPT;
    r->submitted_ms = get_int(o, "submitted");
    r->started_ms = get_int(o, "started");
    r->ended_ms = get_int(o, "ended");
    json_decref(o);
    if (rc != 0) {
        rt_job_record_fini(r);
        return rc == RT_ENOMEM ? rt_err_set(err, rc, "job store: out of memory")
                               : rt_err_set(err, rc,
                                            "job store: record %s: a field is missing "
                                            "or of the wrong type",
                                            key);
    }
    return 0;
}

int rt_job_store_load(rt_job_store *s, rt_job_record **out, size_t *count, rt_err *err)
{
    rt_job_record *recs = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    rocksdb_iterator_t *it = rocksdb_create_iterator(s->db, s->read);
    const size_t plen = strlen(KEY_PREFIX);
    for (rocksdb_iter_seek(it, KEY_PREFIX, plen); rc == 0 && rocksdb_iter_valid(it);
         rocksdb_iter_next(it)) {
        size_t klen, vlen;
        const char *k = rocksdb_iter_key(it, &klen);
        if (klen < plen || memcmp(k, KEY_PREFIX, plen) != 0)
            break;
        const char *v = rocksdb_iter_value(it, &vlen);
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            rt_job_record *g = realloc(recs, ncap * sizeof *g);
            if (!g) {
                rc = rt_err_set(err, RT_ENOMEM, "job store: out of memory");
                break;
            }
            recs = g;
            cap = ncap;
        }
        char key[160];
        snprintf(key, sizeof key, "%.*s", (int)(klen < 150 ? klen : 150), k);
        rc = decode(key, v, vlen, &recs[n], err);
        if (rc == 0)
            n++;
    }
    char *rerr = NULL;
    if (rc == 0)
        rocksdb_iter_get_error(it, &rerr);
    if (rerr) {
        rc = rt_err_set(err, RT_EIO, "job store: read: %s", rerr);
        rocksdb_free(rerr);
    }
    rocksdb_iter_destroy(it);
    if (rc != 0) {
        for (size_t i = 0; i < n; i++)
            rt_job_record_fini(&recs[i]);
        free(recs);
        return rc;
    }
    *out = recs;
    *count = n;
    return 0;
}
