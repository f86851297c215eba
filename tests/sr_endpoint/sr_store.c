/* sr_store: databases, tables and rows in memory, made durable by one append-only operation log
 * (sr-store.log under the data dir, one JSON record per line, fdatasync'd per record) that is
 * replayed at open. Every mutation is a record: live calls and replay run the same code
 * (exec_record), so what is replayed is exactly what was acknowledged. */
#include "tests/sr_endpoint/sr_store.h"
#include "tests/sr_endpoint/sr_store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "runtime/base/buf.h"
#include "runtime/base/clock.h"
#include "runtime/base/log.h"

#define LOG_FILE "sr-store.log"

/* ---- databases and labels ---- */

static db *find_db(sr_store *s, const char *name)
{
    for (size_t i = 0; i < s->ndbs; i++)
        if (strcmp(s->dbs[i]->name, name) == 0)
            return s->dbs[i];
    return NULL;
}

static table *find_table(db *d, const char *name)
{
    for (size_t i = 0; d && i < d->ntables; i++)
        if (strcmp(d->tables[i]->def.name, name) == 0)
            return d->tables[i];
    return NULL;
}

static label *find_label(db *d, const char *name)
{
    for (size_t i = 0; d && i < d->nlabels; i++)
        if (strcmp(d->labels[i].name, name) == 0)
            return &d->labels[i];
    return NULL;
}

static label *put_label(db *d, const char *name)
{
    label *l = find_label(d, name);
    if (l)
        return l;
    if (d->nlabels == d->caplabels) {
        d->caplabels = d->caplabels ? d->caplabels * 2 : 16;
        d->labels = xrealloc(d->labels, d->caplabels * sizeof(label));
    }
    l = &d->labels[d->nlabels++];
    memset(l, 0, sizeof(*l));
    l->name = xstrdup(name);
    return l;
}

static void label_fini(label *l)
{
    free(l->name);
    free(l->table);
    free(l->reason);
    sr_batch_free(l->batch);
}

static void db_free(db *d)
{
    sr_store_jobs_free(d);
    for (size_t i = 0; i < d->ntables; i++)
        sr_store_table_free(d->tables[i]);
    free(d->tables);
    for (size_t i = 0; i < d->nlabels; i++)
        label_fini(&d->labels[i]);
    free(d->labels);
    free(d->name);
    free(d);
}

int sr_store_lookup(sr_store *s, const char *dbn, const char *tn, db **dout, table **tout,
                    rt_err *err)
{
    db *d = find_db(s, dbn ? dbn : "");
    if (!d)
        return rt_err_set(err, RT_ENOTFOUND, "unknown database, database=%s", dbn ? dbn : "");
    table *t = find_table(d, tn ? tn : "");
    if (!t && tout)
        return rt_err_set(err, RT_ENOTFOUND, "unknown table \"%s.%s\"", dbn, tn ? tn : "");
    if (dout)
        *dout = d;
    if (tout)
        *tout = t;
    return 0;
}

/* Labels: one in use (not ABORTED) cannot be taken again. */
static bool label_in_use(db *d, const char *lbl)
{
    label *l = lbl ? find_label(d, lbl) : NULL;
    return l && l->state != SR_LABEL_ABORTED;
}

/* ---- the log ---- */

int sr_store_log_append(sr_store *s, json_t *rec, rt_err *err)
{
    char *line = json_dumps(rec, JSON_COMPACT);
    RT_ASSERT(line);
    size_t n = strlen(line);
    line[n] = '\n'; /* json_dumps' NUL becomes the record terminator */
    off_t start = lseek(s->fd, 0, SEEK_END);
    size_t done = 0;
    int rc = 0;
    while (done < n + 1) {
        ssize_t w = write(s->fd, line + done, n + 1 - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            rc = rt_err_set(err, RT_EIO, "write %s/%s: %s", s->dir, LOG_FILE, strerror(errno));
            break;
        }
        done += (size_t)w;
    }
    if (!rc && fdatasync(s->fd) != 0)
        rc = rt_err_set(err, RT_EIO, "fdatasync %s/%s: %s", s->dir, LOG_FILE, strerror(errno));
    /* A torn record must not sit in front of later ones: cut it off again. */
    if (rc && start >= 0 && ftruncate(s->fd, start) != 0)
        LOG_ERROR("sr_store: cannot truncate %s/%s after a failed write", s->dir, LOG_FILE);
    free(line);
    return rc;
}

const char *sr_store_jstr(json_t *rec, const char *key)
{
    const char *v = json_string_value(json_object_get(rec, key));
    return v ? v : "";
}

static int64_t jint(json_t *rec, const char *key) { return json_integer_value(json_object_get(rec, key)); }

static void note_txn(sr_store *s, int64_t txn)
{
    if (txn >= s->next_txn)
        s->next_txn = txn + 1;
}

int64_t sr_store_new_txn(sr_store *s) { return s->next_txn++; }

int64_t sr_store_new_id(sr_store *s) { return s->next_id++; }

void sr_store_note_id(sr_store *s, int64_t id)
{
    if (id >= s->next_id)
        s->next_id = id + 1;
}

/* Records lbl as taken by transaction "txn" of rec on table t, in state st. */
static label *take_label(sr_store *s, db *d, const char *lbl, sr_label_state st, json_t *rec,
                         const table *t)
{
    label *l = put_label(d, lbl);
    l->state = st;
    l->txn_id = jint(rec, "txn");
    free(l->table);
    l->table = xstrdup(t->def.name);
    note_txn(s, l->txn_id);
    return l;
}

/* The database (dout may be NULL) and table a record names. */
static int rec_table(sr_store *s, json_t *rec, db **dout, table **tout, rt_err *err)
{
    return sr_store_lookup(s, sr_store_jstr(rec, "db"), sr_store_jstr(rec, "table"), dout, tout, err);
}

static int op_create_db(sr_store *s, json_t *rec, bool live, rt_err *err)
{
    const char *name = sr_store_jstr(rec, "db");
    if (find_db(s, name)) {
        if (json_is_true(json_object_get(rec, "ine")))
            return 0;
        return rt_err_set(err, RT_EEXIST, "Can't create database '%s'; database exists", name);
    }
    if (!*name)
        return rt_err_set(err, RT_EINVAL, "No database name");
    if (live && sr_store_log_append(s, rec, err))
        return RT_EIO;
    db *d = xcalloc(1, sizeof(*d));
    d->name = xstrdup(name);
    s->dbs = xrealloc(s->dbs, (s->ndbs + 1) * sizeof(db *));
    s->dbs[s->ndbs++] = d;
    return 0;
}

static int op_drop_db(sr_store *s, json_t *rec, bool live, rt_err *err)
{
    const char *name = sr_store_jstr(rec, "db");
    db *d = find_db(s, name);
    if (!d) {
        if (json_is_true(json_object_get(rec, "ie")))
            return 0;
        return rt_err_set(err, RT_ENOTFOUND, "Can't drop database '%s'; database doesn't exist", name);
    }
    if (live && sr_store_log_append(s, rec, err))
        return RT_EIO;
    for (size_t i = 0; i < s->ndbs; i++)
        if (s->dbs[i] == d) {
            s->dbs[i] = s->dbs[--s->ndbs];
            break;
        }
    db_free(d);
    return 0;
}

static int op_create_table(sr_store *s, json_t *rec, bool live, rt_err *err)
{
    db *d;
    int rc = sr_store_lookup(s, sr_store_jstr(rec, "db"), NULL, &d, NULL, err);
    if (rc)
        return rc;
    sr_table_def def;
    if (sr_store_def_from_json(json_object_get(rec, "def"), &def)) {
        sr_table_def_fini(&def);
        return rt_err_set(err, RT_ECORRUPT, "bad table definition record");
    }
    if (find_table(d, def.name)) {
        bool ine = json_is_true(json_object_get(rec, "ine"));
        rc = ine ? 0 : rt_err_set(err, RT_EEXIST, "Table '%s' already exists", def.name);
        sr_table_def_fini(&def);
        return rc;
    }
    if ((rc = sr_table_def_validate(&def, err)) || (live && (rc = sr_store_log_append(s, rec, err)))) {
        sr_table_def_fini(&def);
        return rc;
    }
    table *t = xcalloc(1, sizeof(*t));
    t->def = def;
    /* Older logs carry no index id: replay numbers those tables in log order. */
    json_t *iid = json_object_get(rec, "index_id");
    t->index_id = iid ? json_integer_value(iid) : sr_store_new_id(s);
    sr_store_note_id(s, t->index_id);
    d->tables = xrealloc(d->tables, (d->ntables + 1) * sizeof(table *));
    d->tables[d->ntables++] = t;
    return 0;
}

static int op_drop_table(sr_store *s, json_t *rec, bool live, rt_err *err)
{
    db *d;
    table *t;
    int rc = rec_table(s, rec, &d, &t, err);
    if (rc)
        return rc == RT_ENOTFOUND && json_is_true(json_object_get(rec, "ie")) ? 0 : rc;
    if (live && sr_store_log_append(s, rec, err))
        return RT_EIO;
    sr_store_cancel_jobs(d, t->def.name, "table was dropped");
    for (size_t i = 0; i < d->ntables; i++)
        if (d->tables[i] == t) {
            memmove(&d->tables[i], &d->tables[i + 1], (d->ntables - i - 1) * sizeof(table *));
            d->ntables--;
            break;
        }
    sr_store_table_free(t);
    return 0;
}

static int op_truncate(sr_store *s, json_t *rec, bool live, rt_err *err)
{
    db *d;
    table *t;
    int rc = rec_table(s, rec, &d, &t, err);
    if (rc || (rc = sr_store_check_normal(d, t, true, err)))
        return rc;
    if (live && sr_store_log_append(s, rec, err))
        return RT_EIO;
    sr_store_table_clear_rows(t);
    return 0;
}

static int op_commit(sr_store *s, json_t *rec, bool live, rt_err *err)
{
    db *d;
    table *t;
    int rc = rec_table(s, rec, &d, &t, err);
    if (rc)
        return rc;
    sr_batch *b = sr_store_batch_from_json(json_object_get(rec, "batch"));
    if (!b)
        return rt_err_set(err, RT_ECORRUPT, "bad batch record");
    const char *lbl = json_string_value(json_object_get(rec, "label"));
    if (label_in_use(d, lbl))
        rc = rt_err_set(err, RT_EEXIST, "Label [%s] has already been used.", lbl);
    if (!rc)
        rc = sr_store_batch_check(t, b, err);
    if (!rc && live)
        rc = sr_store_log_append(s, rec, err);
    if (!rc) {
        sr_store_table_apply(t, b);
        if (lbl)
            take_label(s, d, lbl, SR_LABEL_VISIBLE, rec, t);
    }
    sr_batch_free(b);
    return rc;
}

static int op_prepare(sr_store *s, json_t *rec, bool live, rt_err *err)
{
    db *d;
    table *t;
    int rc = rec_table(s, rec, &d, &t, err);
    if (rc)
        return rc;
    const char *lbl = sr_store_jstr(rec, "label");
    if (label_in_use(d, lbl))
        return rt_err_set(err, RT_EEXIST, "Label [%s] has already been used.", lbl);
    sr_batch *b = sr_store_batch_from_json(json_object_get(rec, "batch"));
    if (!b)
        return rt_err_set(err, RT_ECORRUPT, "bad batch record");
    if ((rc = sr_store_batch_check(t, b, err)) || (live && (rc = sr_store_log_append(s, rec, err)))) {
        sr_batch_free(b);
        return rc;
    }
    label *l = take_label(s, d, lbl, SR_LABEL_PREPARED, rec, t);
    sr_batch_free(l->batch);
    l->batch = b;
    return 0;
}

static int op_end_prepared(sr_store *s, json_t *rec, bool live, bool commit, rt_err *err)
{
    db *d;
    int rc = sr_store_lookup(s, sr_store_jstr(rec, "db"), NULL, &d, NULL, err);
    if (rc)
        return rc;
    label *l = find_label(d, sr_store_jstr(rec, "label"));
    if (!l || l->state != SR_LABEL_PREPARED)
        return rt_err_set(err, RT_ENOTFOUND, "No prepared transaction with db[%s] and label[%s]",
                          d->name, sr_store_jstr(rec, "label"));
    table *t = find_table(d, l->table);
    if (commit && !t)
        return rt_err_set(err, RT_ENOTFOUND, "unknown table \"%s.%s\"", d->name, l->table);
    if (commit && (rc = sr_store_batch_check(t, l->batch, err)))
        return rc;
    if (live && sr_store_log_append(s, rec, err))
        return RT_EIO;
    if (commit)
        sr_store_table_apply(t, l->batch);
    sr_batch_free(l->batch);
    l->batch = NULL;
    l->state = commit ? SR_LABEL_VISIBLE : SR_LABEL_ABORTED;
    if (!commit) {
        free(l->reason);
        l->reason = xstrdup(sr_store_jstr(rec, "reason"));
    }
    return 0;
}

static int exec_op(sr_store *s, json_t *rec, bool live, rt_err *err);

int sr_store_exec_record(sr_store *s, json_t *rec, bool live, rt_err *err)
{
    int rc = exec_op(s, rec, live, err);
    if (!rc && json_object_get(rec, "stmt"))
        sr_store_ddl_note(s, rec);
    return rc;
}

static int exec_op(sr_store *s, json_t *rec, bool live, rt_err *err)
{
    const char *op = sr_store_jstr(rec, "op");
    if (!strcmp(op, "create_db"))
        return op_create_db(s, rec, live, err);
    if (!strcmp(op, "drop_db"))
        return op_drop_db(s, rec, live, err);
    if (!strcmp(op, "create_table"))
        return op_create_table(s, rec, live, err);
    if (!strcmp(op, "drop_table"))
        return op_drop_table(s, rec, live, err);
    if (!strcmp(op, "truncate"))
        return op_truncate(s, rec, live, err);
    if (!strcmp(op, "add_column") || !strcmp(op, "add_columns"))
        return sr_store_op_add_columns(s, rec, live, err);
    if (!strcmp(op, "drop_column"))
        return sr_store_op_drop_column(s, rec, live, err);
    if (!strcmp(op, "modify_column"))
        return sr_store_op_modify_column(s, rec, live, err);
    if (!strcmp(op, "alter_finish"))
        return sr_store_op_alter_finish(s, rec, live, err);
    if (!strcmp(op, "rename_column"))
        return sr_store_op_rename_column(s, rec, live, err);
    if (!strcmp(op, "rename_table"))
        return sr_store_op_rename_table(s, rec, live, err);
    if (!strcmp(op, "ddl_noop"))
        return live ? sr_store_log_append(s, rec, err) : 0;
    if (!strcmp(op, "commit"))
        return op_commit(s, rec, live, err);
    if (!strcmp(op, "prepare"))
        return op_prepare(s, rec, live, err);
    if (!strcmp(op, "commit_prepared"))
        return op_end_prepared(s, rec, live, true, err);
    if (!strcmp(op, "abort_prepared"))
        return op_end_prepared(s, rec, live, false, err);
    return rt_err_set(err, RT_ECORRUPT, "unknown record op '%s'", op);
}

/* Runs rec under the lock and consumes it. */
static int run(sr_store *s, json_t *rec, rt_err *err)
{
    pthread_mutex_lock(&s->mu);
    sr_store_advance_jobs(s);
    int rc = sr_store_exec_record(s, rec, true, err);
    pthread_mutex_unlock(&s->mu);
    json_decref(rec);
    return rc;
}

/* ---- open / close ---- */

static int mkdir_p(const char *dir)
{
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s", dir);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    }
    return mkdir(tmp, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static int replay(sr_store *s, rt_err *err)
{
    struct stat st;
    if (fstat(s->fd, &st) != 0)
        return rt_err_set(err, RT_EIO, "stat %s/%s: %s", s->dir, LOG_FILE, strerror(errno));
    size_t size = (size_t)st.st_size;
    char *data = malloc(size + 1);
    RT_ASSERT(data);
    size_t got = 0;
    while (got < size) {
        ssize_t r = pread(s->fd, data + got, size - got, (off_t)got);
        if (r <= 0) {
            free(data);
            return rt_err_set(err, RT_EIO, "read %s/%s: %s", s->dir, LOG_FILE, strerror(errno));
        }
        got += (size_t)r;
    }
    size_t pos = 0, nrec = 0;
    int rc = 0;
    while (pos < size && !rc) {
        char *nl = memchr(data + pos, '\n', size - pos);
        json_error_t jerr;
        json_t *rec = nl ? json_loadb(data + pos, (size_t)(nl - data - (ptrdiff_t)pos), 0, &jerr) : NULL;
        if (!rec) {
            if (!nl || nl + 1 == data + size) {
                /* A torn last record was never acknowledged: drop it. */
                LOG_WARN("sr_store: dropping a torn record at the end of %s/%s", s->dir, LOG_FILE);
                if (ftruncate(s->fd, (off_t)pos) != 0)
                    rc = rt_err_set(err, RT_EIO, "truncate %s/%s", s->dir, LOG_FILE);
                break;
            }
            rc = rt_err_set(err, RT_ECORRUPT, "%s/%s: bad record at offset %zu", s->dir, LOG_FILE, pos);
            break;
        }
        rt_err e;
        rt_err_clear(&e);
        int r = sr_store_exec_record(s, rec, false, &e);
        if (r == RT_ECORRUPT)
            rc = rt_err_set(err, RT_ECORRUPT, "%s/%s at offset %zu: %s", s->dir, LOG_FILE, pos, e.msg);
        else if (r)
            LOG_WARN("sr_store: replayed record at offset %zu did not apply: %s", pos, e.msg);
        json_decref(rec);
        nrec++;
        pos = (size_t)(nl - data) + 1;
    }
    free(data);
    if (!rc)
        LOG_INFO("sr_store: replayed %zu records from %s/%s", nrec, s->dir, LOG_FILE);
    return rc;
}

int sr_store_open(const char *data_dir, sr_store **out, rt_err *err)
{
    if (mkdir_p(data_dir) != 0)
        return rt_err_set(err, RT_EIO, "create data dir %s: %s", data_dir, strerror(errno));
    sr_store *s = xcalloc(1, sizeof(*s));
    pthread_mutex_init(&s->mu, NULL);
    s->dir = xstrdup(data_dir);
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", data_dir, LOG_FILE);
    bool fresh = access(path, F_OK) != 0;
    s->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (s->fd < 0) {
        int e = errno;
        sr_store_close(s);
        return rt_err_set(err, RT_EIO, "open %s: %s", path, strerror(e));
    }
    if (fresh) {
        /* Make the new file's directory entry durable before any commit depends on it. */
        int dfd = open(data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
    }
    s->next_txn = 1;
    s->next_id = 10001;
    s->alter_delay_ms = 300;
    s->replaying = true;
    int rc = replay(s, err);
    s->replaying = false;
    if (rc) {
        sr_store_close(s);
        return rc;
    }
    /* Ids also grow across restarts that lost un-persisted transactions. */
    int64_t wall = rt_clock_wall_ms();
    if (s->next_txn < wall)
        s->next_txn = wall;
    *out = s;
    return 0;
}

void sr_store_close(sr_store *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->ndbs; i++)
        db_free(s->dbs[i]);
    free(s->dbs);
    sr_store_ddl_free(s);
    if (s->fd >= 0)
        close(s->fd);
    free(s->dir);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

/* ---- public operations ---- */

int sr_store_create_database(sr_store *s, const char *dbn, bool if_not_exists, rt_err *err)
{
    return run(s, json_pack("{s:s,s:s,s:b}", "op", "create_db", "db", dbn, "ine", if_not_exists), err);
}

int sr_store_drop_database(sr_store *s, const char *dbn, bool if_exists, rt_err *err)
{
    return run(s, json_pack("{s:s,s:s,s:b}", "op", "drop_db", "db", dbn, "ie", if_exists), err);
}

bool sr_store_has_database(sr_store *s, const char *dbn)
{
    pthread_mutex_lock(&s->mu);
    bool r = find_db(s, dbn) != NULL;
    pthread_mutex_unlock(&s->mu);
    return r;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **sr_store_list_databases(sr_store *s)
{
    pthread_mutex_lock(&s->mu);
    char **o = xcalloc(s->ndbs + 1, sizeof(char *));
    for (size_t i = 0; i < s->ndbs; i++)
        o[i] = xstrdup(s->dbs[i]->name);
    qsort(o, s->ndbs, sizeof(char *), cmp_names);
    pthread_mutex_unlock(&s->mu);
    return o;
}

char **sr_store_list_tables(sr_store *s, const char *dbn, rt_err *err)
{
    pthread_mutex_lock(&s->mu);
    db *d;
    char **o = NULL;
    if (sr_store_lookup(s, dbn, NULL, &d, NULL, err) == 0) {
        o = xcalloc(d->ntables + 1, sizeof(char *));
        for (size_t i = 0; i < d->ntables; i++)
            o[i] = xstrdup(d->tables[i]->def.name);
        qsort(o, d->ntables, sizeof(char *), cmp_names);
    }
    pthread_mutex_unlock(&s->mu);
    return o;
}

void sr_names_free(char **names)
{
    for (size_t i = 0; names && names[i]; i++)
        free(names[i]);
    free(names);
}

int sr_store_create_table(sr_store *s, const char *dbn, const sr_table_def *def, bool if_not_exists,
                          rt_err *err)
{
    int rc = sr_table_def_validate(def, err);
    if (rc)
        return rc;
    sr_ddl d = {.kind = SR_DDL_CREATE_TABLE, .db = dbn, .def = def, .if_not_exists = if_not_exists};
    return sr_store_ddl(s, &d, err);
}

int sr_store_drop_table(sr_store *s, const char *dbn, const char *tn, bool if_exists, rt_err *err)
{
    return run(s, json_pack("{s:s,s:s,s:s,s:b}", "op", "drop_table", "db", dbn, "table", tn, "ie",
                            if_exists), err);
}

int sr_store_truncate_table(sr_store *s, const char *dbn, const char *tn, rt_err *err)
{
    return run(s, json_pack("{s:s,s:s,s:s}", "op", "truncate", "db", dbn, "table", tn), err);
}

bool sr_store_has_table(sr_store *s, const char *dbn, const char *tn)
{
    pthread_mutex_lock(&s->mu);
    bool r = find_table(find_db(s, dbn), tn) != NULL;
    pthread_mutex_unlock(&s->mu);
    return r;
}

int sr_store_get_schema(sr_store *s, const char *dbn, const char *tn, sr_table_def *out, rt_err *err)
{
    pthread_mutex_lock(&s->mu);
    sr_store_advance_jobs(s);
    table *t;
    int rc = sr_store_lookup(s, dbn, tn, NULL, &t, err);
    if (!rc)
        sr_table_def_copy(out, &t->def);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

static _Thread_local const table *sort_table;

static int cmp_rows(const void *a, const void *b)
{
    const row *x = *(const row *const *)a, *y = *(const row *const *)b;
    for (size_t k = 0; k < sort_table->def.key_count; k++) {
        int c = sr_value_compare(&sort_table->def.columns[k].type, &x->v[k], &y->v[k]);
        if (c)
            return c;
    }
    return 0;
}

int sr_store_scan(sr_store *s, const char *dbn, const char *tn, sr_scan_fn fn, void *ctx, rt_err *err)
{
    pthread_mutex_lock(&s->mu);
    sr_store_advance_jobs(s);
    table *t;
    int rc = sr_store_lookup(s, dbn, tn, NULL, &t, err);
    if (!rc) {
        const row **order = xcalloc(t->count, sizeof(row *));
        for (size_t i = 0; i < t->count; i++)
            order[i] = &t->rows[i];
        if (t->def.model == SR_MODEL_PRIMARY_KEY) {
            sort_table = t;
            qsort(order, t->count, sizeof(row *), cmp_rows);
            sort_table = NULL;
        }
        for (size_t i = 0; i < t->count && !rc; i++)
            rc = fn(ctx, order[i]->v, t->def.column_count);
        free(order);
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

size_t sr_store_row_count(sr_store *s, const char *dbn, const char *tn)
{
    pthread_mutex_lock(&s->mu);
    table *t = find_table(find_db(s, dbn), tn);
    size_t n = t ? t->count : 0;
    pthread_mutex_unlock(&s->mu);
    return n;
}

/* Wall-clock microseconds: commit records carry when the rows became visible ("ts_us"), which
 * replay ignores and benchmarks read (bench/e2e_sync.sh: MySQL commit -> visible latency). */
static json_t *wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return json_integer((json_int_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

int sr_store_commit(sr_store *s, const char *dbn, const char *tn, const sr_batch *b,
                    const char *lbl, int64_t txn_id, rt_err *err)
{
    json_t *rec = json_pack("{s:s,s:s,s:s,s:I,s:o}", "op", "commit", "db", dbn, "table", tn, "txn",
                            (json_int_t)txn_id, "batch", sr_store_batch_to_json(b));
    if (lbl)
        json_object_set_new(rec, "label", json_string(lbl));
    json_object_set_new(rec, "ts_us", wall_us());
    return run(s, rec, err);
}

/* ---- labels ---- */

static const char *const label_names[] = {"UNKNOWN", "PREPARE", "PREPARED", "COMMITTED", "VISIBLE", "ABORTED"};

const char *sr_label_state_name(sr_label_state st)
{
    return (unsigned)st <= SR_LABEL_ABORTED ? label_names[st] : "UNKNOWN";
}

bool sr_label_state_is_terminal(sr_label_state st)
{
    return st == SR_LABEL_VISIBLE || st == SR_LABEL_ABORTED;
}

int64_t sr_store_next_txn_id(sr_store *s)
{
    pthread_mutex_lock(&s->mu);
    int64_t id = s->next_txn++;
    pthread_mutex_unlock(&s->mu);
    return id;
}

void sr_store_label_get(sr_store *s, const char *dbn, const char *lbl, sr_label_info *out)
{
    memset(out, 0, sizeof(*out));
    pthread_mutex_lock(&s->mu);
    label *l = find_label(find_db(s, dbn), lbl);
    if (l) {
        out->state = l->state;
        out->txn_id = l->txn_id;
        snprintf(out->table, sizeof(out->table), "%s", l->table ? l->table : "");
        snprintf(out->reason, sizeof(out->reason), "%s", l->reason ? l->reason : "");
    }
    pthread_mutex_unlock(&s->mu);
}

int sr_store_prepare(sr_store *s, const char *dbn, const char *tn, const char *lbl, int64_t txn_id,
                     sr_batch *b, rt_err *err)
{
    int rc = run(s, json_pack("{s:s,s:s,s:s,s:s,s:I,s:o}", "op", "prepare", "db", dbn, "table", tn,
                              "label", lbl, "txn", (json_int_t)txn_id, "batch", sr_store_batch_to_json(b)),
                 err);
    if (!rc)
        sr_batch_free(b); /* the store keeps its own decoded copy */
    return rc;
}

int sr_store_commit_prepared(sr_store *s, const char *dbn, const char *lbl, rt_err *err)
{
    return run(s, json_pack("{s:s,s:s,s:s,s:o}", "op", "commit_prepared", "db", dbn, "label", lbl,
                            "ts_us", wall_us()),
               err);
}

int sr_store_abort_prepared(sr_store *s, const char *dbn, const char *lbl, const char *reason,
                            rt_err *err)
{
    return run(s, json_pack("{s:s,s:s,s:s,s:s}", "op", "abort_prepared", "db", dbn, "label", lbl,
                            "reason", reason ? reason : ""), err);
}

void sr_store_prepared_foreach(sr_store *s, sr_label_fn fn, void *ctx)
{
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < s->ndbs; i++)
        for (size_t j = 0; j < s->dbs[i]->nlabels; j++)
            if (s->dbs[i]->labels[j].state == SR_LABEL_PREPARED)
                fn(ctx, s->dbs[i]->name, s->dbs[i]->labels[j].name, s->dbs[i]->labels[j].txn_id);
    pthread_mutex_unlock(&s->mu);
}
