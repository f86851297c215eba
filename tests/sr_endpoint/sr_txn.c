/* sr_txn: load jobs and Stream Load transactions (notes §1.3, §2). A transaction in PREPARE lives
 * here only (StarRocks' BE context: forgotten at a restart); at prepare its rows go to the store,
 * durably, and the BE forgets it (so a second prepare is TXN_NOT_EXISTS, as in StarRocks). */
#include "tests/sr_endpoint/sr_txn.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runtime/base/clock.h"
#include "runtime/base/log.h"

#define DEFAULT_TIMEOUT_S 600
#define DEFAULT_PREPARED_TIMEOUT_S 86400
#define MAX_ERROR_LOGS 1000

typedef struct txn {
    char *db, *label, *table;
    int64_t id;
    int64_t begin_ms, last_ms;
    int timeout_s, idle_s;
    bool busy;
    bool loaded_any;
    char *sig; /* load parameters of the first load */
    sr_table_def def;
    sr_http_load_opts *opts;
    sr_batch *batch;
    sr_http_load_counts counts;
    int64_t load_bytes;
    rt_buf errlog;
    struct txn *next;
} txn;

/* A label that ended without a durable record (failed plain loads, aborted PREPARE txns). */
typedef struct gone {
    char *db, *label, *reason;
    int64_t id;
    bool timed_out;
    struct gone *next;
} gone;

typedef struct prepared_deadline {
    char *db, *label;
    int64_t deadline_ms;
    struct prepared_deadline *next;
} prepared_deadline;

typedef struct errfile {
    char name[64];
    char *text;
    struct errfile *next;
} errfile;

struct sr_txn_mgr {
    sr_store *store;
    bool discard;
    txn *txns;
    gone *gones;
    prepared_deadline *deadlines;
    errfile *errs;
    size_t nerrs;
    int64_t seq;
};

static char *xstrdup(const char *s)
{
    char *d = strdup(s ? s : "");
    RT_ASSERT(d);
    return d;
}

static void txn_free(txn *t)
{
    free(t->db);
    free(t->label);
    free(t->table);
    free(t->sig);
    sr_table_def_fini(&t->def);
    sr_http_load_opts_free(t->opts);
    sr_batch_free(t->batch);
    rt_buf_fini(&t->errlog);
    free(t);
}

static void gone_free(gone *g)
{
    free(g->db);
    free(g->label);
    free(g->reason);
    free(g);
}

static void deadline_free(prepared_deadline *d)
{
    free(d->db);
    free(d->label);
    free(d);
}

static void errfile_free(errfile *e)
{
    free(e->text);
    free(e);
}

/* A PREPARED transaction is aborted when it waits longer than timeout_s for its commit. */
static void add_deadline(sr_txn_mgr *m, const char *db, const char *label, int timeout_s)
{
    prepared_deadline *d = calloc(1, sizeof(*d));
    RT_ASSERT(d);
    d->db = xstrdup(db);
    d->label = xstrdup(label);
    d->deadline_ms = rt_clock_mono_ms() + (int64_t)timeout_s * 1000;
    d->next = m->deadlines;
    m->deadlines = d;
}

static void on_prepared(void *ctx, const char *db, const char *label, int64_t txn_id)
{
    (void)txn_id;
    add_deadline(ctx, db, label, DEFAULT_PREPARED_TIMEOUT_S);
}

sr_txn_mgr *sr_txn_mgr_new(sr_store *store, bool discard)
{
    sr_txn_mgr *m = calloc(1, sizeof(*m));
    RT_ASSERT(m);
    m->store = store;
    m->discard = discard;
    sr_store_prepared_foreach(store, on_prepared, m);
    return m;
}

void sr_txn_mgr_free(sr_txn_mgr *m)
{
    if (!m)
        return;
    while (m->txns) {
        txn *t = m->txns;
        m->txns = t->next;
        txn_free(t);
    }
    for (gone *g = m->gones, *next; g; g = next) {
        next = g->next;
        gone_free(g);
    }
    for (prepared_deadline *d = m->deadlines, *next; d; d = next) {
        next = d->next;
        deadline_free(d);
    }
    for (errfile *e = m->errs, *next; e; e = next) {
        next = e->next;
        errfile_free(e);
    }
    free(m);
}

/* ---- helpers ---- */

static void reply_init(sr_txn_reply *r, sr_txn_reply_kind kind, const char *label)
{
    memset(r, 0, sizeof(*r));
    r->kind = kind;
    snprintf(r->label, sizeof(r->label), "%s", label ? label : "");
}

static void set_status(sr_txn_reply *r, const char *status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_status(sr_txn_reply *r, const char *status, const char *fmt, ...)
{
    snprintf(r->status, sizeof(r->status), "%s", status);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof(r->message), fmt, ap);
    va_end(ap);
}

/* A commit that succeeded; publish_timeout: as StarRocks answers when publishing is slow. */
static void set_committed(sr_txn_reply *out, bool publish_timeout)
{
    if (publish_timeout)
        set_status(out, "PUBLISH_TIMEOUT",
                   "transaction commit successfully, BUT data will be visible later");
    else
        set_status(out, "OK", "%s", "");
}

static txn *find_txn(sr_txn_mgr *m, const char *db, const char *label)
{
    for (txn *t = m->txns; t; t = t->next)
        if (!strcmp(t->db, db) && !strcmp(t->label, label))
            return t;
    return NULL;
}

static gone *find_gone(sr_txn_mgr *m, const char *db, const char *label)
{
    for (gone *g = m->gones; g; g = g->next)
        if (!strcmp(g->db, db) && !strcmp(g->label, label))
            return g;
    return NULL;
}

static void forget_gone(sr_txn_mgr *m, const char *db, const char *label)
{
    for (gone **p = &m->gones; *p; p = &(*p)->next) {
        if (!strcmp((*p)->db, db) && !strcmp((*p)->label, label)) {
            gone *g = *p;
            *p = g->next;
            gone_free(g);
            return;
        }
    }
}

static void add_gone(sr_txn_mgr *m, const char *db, const char *label, int64_t id, const char *reason,
                     bool timed_out)
{
    forget_gone(m, db, label);
    gone *g = calloc(1, sizeof(*g));
    RT_ASSERT(g);
    g->db = xstrdup(db);
    g->label = xstrdup(label);
    g->reason = xstrdup(reason);
    g->id = id;
    g->timed_out = timed_out;
    g->next = m->gones;
    m->gones = g;
}

static void unlink_txn(sr_txn_mgr *m, txn *t)
{
    for (txn **p = &m->txns; *p; p = &(*p)->next)
        if (*p == t) {
            *p = t->next;
            return;
        }
}

/* Aborts a PREPARE transaction: remembers the label as ABORTED and frees the context. */
static void abort_txn(sr_txn_mgr *m, txn *t, const char *reason, bool timed_out)
{
    LOG_INFO("sr_txn: abort label %s (db %s, txn %lld): %s", t->label, t->db, (long long)t->id, reason);
    add_gone(m, t->db, t->label, t->id, reason, timed_out);
    unlink_txn(m, t);
    txn_free(t);
}

static void save_errlog(sr_txn_mgr *m, int64_t id, const rt_buf *log, sr_txn_reply *r)
{
    if (!log->len)
        return;
    errfile *e = calloc(1, sizeof(*e));
    RT_ASSERT(e);
    snprintf(e->name, sizeof(e->name), "error_log_%lld_%lld", (long long)id, (long long)++m->seq);
    e->text = xstrdup(log->data);
    e->next = m->errs;
    m->errs = e;
    if (++m->nerrs > MAX_ERROR_LOGS) { /* keep the newest */
        errfile *p = m->errs;
        for (size_t i = 1; i < MAX_ERROR_LOGS && p->next; i++)
            p = p->next;
        while (p->next) {
            errfile *x = p->next;
            p->next = x->next;
            errfile_free(x);
            m->nerrs--;
        }
    }
    snprintf(r->error_file, sizeof(r->error_file), "%s", e->name);
}

const char *sr_txn_error_log(sr_txn_mgr *m, const char *file)
{
    for (errfile *e = m->errs; e; e = e->next)
        if (!strcmp(e->name, file))
            return e->text;
    return NULL;
}

static bool label_valid(const char *l)
{
    size_t n = strlen(l);
    if (n < 1 || n > 128)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)l[i]) && l[i] != '_' && l[i] != '-')
            return false;
    return true;
}

sr_label_state sr_txn_label_state(sr_txn_mgr *m, const char *db, const char *label, char *reason,
                                  size_t reason_size)
{
    if (reason_size)
        reason[0] = '\0';
    if (find_txn(m, db, label))
        return SR_LABEL_PREPARE;
    sr_label_info li;
    sr_store_label_get(m->store, db, label, &li);
    if (li.state != SR_LABEL_UNKNOWN && li.state != SR_LABEL_ABORTED)
        return li.state;
    gone *g = find_gone(m, db, label);
    if (g) {
        snprintf(reason, reason_size, "%s", g->reason);
        return SR_LABEL_ABORTED;
    }
    if (li.state == SR_LABEL_ABORTED)
        snprintf(reason, reason_size, "%s", li.reason);
    return li.state;
}

static const char *existing_of(sr_label_state st)
{
    return st == SR_LABEL_PREPARE || st == SR_LABEL_PREPARED ? "RUNNING" : "FINISHED";
}

static int get_schema(sr_txn_mgr *m, const char *db, const char *table, sr_table_def *def, rt_err *err)
{
    if (!sr_store_has_database(m->store, db))
        return rt_err_set(err, RT_ENOTFOUND, "unknown database, database=%s", db);
    return sr_store_get_schema(m->store, db, table, def, err);
}

static const char *hdr(sr_http_header_fn get, void *ctx, const char *name)
{
    const char *v = get(ctx, name);
    return v ? v : "";
}

/* The load parameters that must not change between the loads of one transaction. */
static char *load_signature(sr_http_header_fn get, void *ctx)
{
    static const char *const keys[] = {"format", "columns", "column_separator", "row_delimiter",
                                       "strip_outer_array", "max_filter_ratio", "strict_mode",
                                       "partial_update", "partial_update_mode", "jsonpaths",
                                       "json_root", "where", "timezone"};
    rt_buf b;
    rt_buf_init(&b);
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *v = get(ctx, keys[i]);
        rt_buf_appendf(&b, "%s=%s\n", keys[i], v ? v : "\x01");
    }
    return rt_buf_take(&b);
}

/* filtered / (total - unselected) > max_filter_ratio (notes §1.3). */
static bool too_many_filtered(const sr_http_load_counts *c, double ratio)
{
    int64_t denom = c->total - c->unselected;
    return c->filtered > 0 && denom > 0 && (double)c->filtered / (double)denom > ratio;
}

/* ---- plain Stream Load ---- */

void sr_txn_stream_load(sr_txn_mgr *m, const char *db, const char *table, sr_http_header_fn get,
                        void *ctx, const char *body, size_t len, bool publish_timeout,
                        sr_txn_reply *out)
{
    int64_t start = rt_clock_mono_ms();
    char genlabel[64];
    const char *label = get(ctx, "label");
    if (!label || !*label) {
        snprintf(genlabel, sizeof(genlabel), "sr_endpoint_%lld_%lld", (long long)rt_clock_wall_ms(),
                 (long long)++m->seq);
        label = genlabel;
    }
    reply_init(out, SR_REPLY_STREAM_LOAD, label);
    out->has_txn_id = true;
    out->load_bytes = (int64_t)len;
    if (!label_valid(label)) {
        out->txn_id = -1;
        set_status(out, "Fail", "Label format error. regex: ^[-\\w]{1,128}$, label: %s", label);
        return;
    }
    sr_label_state st = sr_txn_label_state(m, db, label, NULL, 0);
    if (st != SR_LABEL_UNKNOWN && st != SR_LABEL_ABORTED) {
        out->txn_id = -1;
        out->has_existing = true;
        snprintf(out->existing, sizeof(out->existing), "%s", existing_of(st));
        set_status(out, "Label Already Exists", "Label [%s] has already been used.", label);
        return;
    }
    rt_err err;
    rt_err_clear(&err);
    sr_table_def def;
    if (get_schema(m, db, table, &def, &err)) {
        out->txn_id = -1;
        set_status(out, "Fail", "%s", err.msg);
        return;
    }
    out->txn_id = sr_store_next_txn_id(m->store);
    sr_http_load_opts *o = NULL;
    sr_batch *b = NULL;
    rt_buf errlog;
    rt_buf_init(&errlog);
    if (sr_http_load_opts_parse(get, ctx, &def, &o, &err)) {
        set_status(out, "Fail", "%s", err.msg);
        goto failed;
    }
    b = sr_batch_new(&def);
    if (sr_http_load_parse(o, &def, body, len, m->discard ? NULL : b, &out->counts, &errlog, &err)) {
        set_status(out, "Fail", "%s", err.msg);
        goto failed;
    }
    save_errlog(m, out->txn_id, &errlog, out);
    if (too_many_filtered(&out->counts, sr_http_load_opts_max_filter_ratio(o))) {
        set_status(out, "Fail", "too many filtered rows");
        goto failed;
    }
    if (out->counts.loaded == 0) {
        set_status(out, "Fail", "all partitions have no load data");
        goto failed;
    }
    if (sr_store_commit(m->store, db, table, b, label, out->txn_id, &err)) {
        set_status(out, "Fail", "%s", err.msg);
        goto failed;
    }
    forget_gone(m, db, label);
    if (publish_timeout)
        set_status(out, "Publish Timeout", "transaction commit successfully, BUT data will be visible later");
    else
        set_status(out, "Success", "OK");
    LOG_DEBUG("sr_txn: stream load %s.%s label %s: %lld rows (%lld ms)", db, table, label,
              (long long)out->counts.loaded, (long long)(rt_clock_mono_ms() - start));
    goto done;
failed:
    add_gone(m, db, label, out->txn_id, out->message, false);
done:
    rt_buf_fini(&errlog);
    sr_batch_free(b);
    sr_http_load_opts_free(o);
    sr_table_def_fini(&def);
}

/* ---- transactions: BE side ---- */

static int parse_secs(const char *v, int *out)
{
    if (!v)
        return 0;
    char *end;
    long x = strtol(v, &end, 10);
    if (!*v || *end || x <= 0 || x > 259200 * 10)
        return -1;
    *out = (int)x;
    return 0;
}

void sr_txn_begin(sr_txn_mgr *m, sr_http_header_fn get, void *ctx, sr_txn_reply *out)
{
    const char *db = hdr(get, ctx, "db"), *table = hdr(get, ctx, "table"), *label = hdr(get, ctx, "label");
    reply_init(out, SR_REPLY_BEGIN, label);
    if (find_txn(m, db, label)) {
        out->has_existing = true;
        set_status(out, "LABEL_ALREADY_EXISTS", "%s", "");
        return;
    }
    int timeout = DEFAULT_TIMEOUT_S, idle = 0;
    if (parse_secs(get(ctx, "timeout"), &timeout) || parse_secs(get(ctx, "idle_transaction_timeout"), &idle)) {
        set_status(out, "INVALID_ARGUMENT", "Invalid timeout format");
        return;
    }
    if (!label_valid(label)) {
        set_status(out, "ANALYSIS_ERROR", "Label format error. regex: ^[-\\w]{1,128}$, label: %s", label);
        return;
    }
    rt_err err;
    rt_err_clear(&err);
    txn *t = calloc(1, sizeof(*t));
    RT_ASSERT(t);
    if (get_schema(m, db, table, &t->def, &err)) {
        set_status(out, "ANALYSIS_ERROR", "%s", err.msg);
        txn_free(t);
        return;
    }
    sr_label_state st = sr_txn_label_state(m, db, label, NULL, 0);
    if (st != SR_LABEL_UNKNOWN && st != SR_LABEL_ABORTED) {
        out->has_existing = true;
        snprintf(out->existing, sizeof(out->existing), "%s", existing_of(st));
        set_status(out, "LABEL_ALREADY_EXISTS", "Label [%s] has already been used.", label);
        txn_free(t);
        return;
    }
    forget_gone(m, db, label);
    t->db = xstrdup(db);
    t->label = xstrdup(label);
    t->table = xstrdup(table);
    t->id = sr_store_next_txn_id(m->store);
    t->begin_ms = t->last_ms = rt_clock_mono_ms();
    t->timeout_s = timeout;
    t->idle_s = idle;
    rt_buf_init(&t->errlog);
    t->next = m->txns;
    m->txns = t;
    out->txn_id = t->id;
    out->has_txn_id = true;
    set_status(out, "OK", "%s", "");
    LOG_INFO("sr_txn: begin label %s (db %s, table %s, txn %lld, timeout %d s, idle %d s)", label, db,
             table, (long long)t->id, timeout, idle);
}

static txn *txn_for_request(sr_txn_mgr *m, const char *db, const char *label, sr_txn_reply *out)
{
    txn *t = find_txn(m, db, label);
    if (!t) {
        gone *g = find_gone(m, db, label);
        if (g && g->timed_out)
            set_status(out, "ABORTED", "The load is timeout, and will be aborted");
        else
            set_status(out, "TXN_NOT_EXISTS", "Transaction with label %s not exists", label);
        return NULL;
    }
    if (t->busy) {
        set_status(out, "TXN_IN_PROCESSING", "Transaction with label %s is in processing", label);
        return NULL;
    }
    return t;
}

void sr_txn_load(sr_txn_mgr *m, sr_http_header_fn get, void *ctx, const char *body, size_t len,
                 sr_txn_reply *out)
{
    const char *db = hdr(get, ctx, "db"), *table = hdr(get, ctx, "table"), *label = hdr(get, ctx, "label");
    reply_init(out, SR_REPLY_LOAD, label);
    txn *t = txn_for_request(m, db, label, out);
    if (!t)
        return;
    out->txn_id = t->id;
    out->has_txn_id = true;
    out->load_bytes = (int64_t)len;
    if (strcmp(t->table, table) != 0) {
        set_status(out, "INVALID_ARGUMENT", "Request table %s not equal transaction table %s", table, t->table);
        abort_txn(m, t, out->message, false);
        return;
    }
    char *sig = load_signature(get, ctx);
    rt_err err;
    rt_err_clear(&err);
    if (!t->sig) {
        if (sr_http_load_opts_parse(get, ctx, &t->def, &t->opts, &err)) {
            free(sig);
            set_status(out, "INVALID_ARGUMENT", "%s", err.msg);
            abort_txn(m, t, out->message, false);
            return;
        }
        t->sig = sig;
        t->batch = sr_batch_new(&t->def);
    } else {
        bool same = strcmp(sig, t->sig) == 0;
        free(sig);
        if (!same) {
            set_status(out, "INVALID_ARGUMENT", "load request not equal last.");
            abort_txn(m, t, out->message, false);
            return;
        }
    }
    if (sr_http_load_parse(t->opts, &t->def, body, len, m->discard ? NULL : t->batch, &t->counts,
                           &t->errlog, &err)) {
        set_status(out, "INTERNAL_ERROR", "%s", err.msg);
        abort_txn(m, t, out->message, false);
        return;
    }
    t->loaded_any = true;
    t->load_bytes += (int64_t)len;
    t->last_ms = rt_clock_mono_ms();
    set_status(out, "OK", "%s", "");
}

/* Checks shared by prepare and one-phase commit. Returns false (txn aborted) on failure. */
static bool check_ready(sr_txn_mgr *m, txn *t, sr_txn_reply *out)
{
    out->counts = t->counts;
    out->load_bytes = t->load_bytes;
    if (!t->loaded_any) {
        set_status(out, "INTERNAL_ERROR", "transaction %lld hasn't send any data yet", (long long)t->id);
        abort_txn(m, t, out->message, false);
        return false;
    }
    save_errlog(m, t->id, &t->errlog, out);
    if (too_many_filtered(&t->counts, sr_http_load_opts_max_filter_ratio(t->opts))) {
        set_status(out, "INTERNAL_ERROR", "too many filtered rows");
        abort_txn(m, t, out->message, false);
        return false;
    }
    if (t->counts.loaded == 0) {
        set_status(out, "INTERNAL_ERROR", "all partitions have no load data");
        abort_txn(m, t, out->message, false);
        return false;
    }
    return true;
}

/* The transaction a prepare or a one-phase commit ends (NULL: out says why); sets out's txn id. */
static txn *txn_to_end(sr_txn_mgr *m, const char *db, const char *label, sr_txn_reply *out)
{
    txn *t = find_txn(m, db, label);
    if (!t) {
        set_status(out, "TXN_NOT_EXISTS", "transaction with label %s not exists", label);
        return NULL;
    }
    if (t->busy) {
        set_status(out, "TXN_IN_PROCESSING", "Transaction with label %s is in processing", label);
        return NULL;
    }
    out->txn_id = t->id;
    out->has_txn_id = true;
    return t;
}

void sr_txn_prepare(sr_txn_mgr *m, sr_http_header_fn get, void *ctx, sr_txn_reply *out)
{
    const char *db = hdr(get, ctx, "db"), *label = hdr(get, ctx, "label");
    reply_init(out, SR_REPLY_PREPARE, label);
    txn *t = txn_to_end(m, db, label, out);
    if (!t)
        return;
    int prepared_timeout = DEFAULT_PREPARED_TIMEOUT_S;
    if (parse_secs(get(ctx, "prepared_timeout"), &prepared_timeout)) {
        set_status(out, "INVALID_ARGUMENT", "Invalid prepared_timeout format");
        abort_txn(m, t, out->message, false);
        return;
    }
    if (!check_ready(m, t, out))
        return;
    rt_err err;
    rt_err_clear(&err);
    sr_batch *b = t->batch;
    if (sr_store_prepare(m->store, db, t->table, label, t->id, b, &err)) {
        set_status(out, "INTERNAL_ERROR", "%s", err.msg);
        abort_txn(m, t, out->message, false);
        return;
    }
    t->batch = NULL; /* the store took it */
    add_deadline(m, db, label, prepared_timeout);
    LOG_INFO("sr_txn: prepared label %s (db %s, txn %lld, %lld rows)", label, db, (long long)t->id,
             (long long)t->counts.loaded);
    unlink_txn(m, t); /* the BE forgets the context at prepare */
    txn_free(t);
    set_status(out, "OK", "%s", "");
}

void sr_txn_commit_be(sr_txn_mgr *m, sr_http_header_fn get, void *ctx, bool publish_timeout,
                      sr_txn_reply *out)
{
    const char *db = hdr(get, ctx, "db"), *label = hdr(get, ctx, "label");
    reply_init(out, SR_REPLY_PREPARE, label);
    txn *t = txn_to_end(m, db, label, out);
    if (!t)
        return;
    if (!check_ready(m, t, out))
        return;
    rt_err err;
    rt_err_clear(&err);
    if (sr_store_commit(m->store, db, t->table, t->batch, label, t->id, &err)) {
        set_status(out, "INTERNAL_ERROR", "%s", err.msg);
        abort_txn(m, t, out->message, false);
        return;
    }
    LOG_INFO("sr_txn: committed label %s in one phase (db %s, txn %lld)", label, db, (long long)t->id);
    unlink_txn(m, t);
    txn_free(t);
    set_committed(out, publish_timeout);
}

void sr_txn_rollback_be(sr_txn_mgr *m, sr_http_header_fn get, void *ctx, sr_txn_reply *out)
{
    const char *db = hdr(get, ctx, "db"), *label = hdr(get, ctx, "label");
    reply_init(out, SR_REPLY_ROLLBACK, label);
    txn *t = txn_for_request(m, db, label, out);
    if (!t)
        return;
    abort_txn(m, t, "transaction is aborted by user.", false);
    set_status(out, "OK", "%s", "");
}

/* ---- FE side ---- */

static void drop_deadline(sr_txn_mgr *m, const char *db, const char *label)
{
    for (prepared_deadline **p = &m->deadlines; *p; p = &(*p)->next)
        if (!strcmp((*p)->db, db) && !strcmp((*p)->label, label)) {
            prepared_deadline *d = *p;
            *p = d->next;
            deadline_free(d);
            return;
        }
}

/* Starts an FE reply about label and returns the label's state; but for a PREPARE label (still
 * the BE's), sets the reply's txn id. */
static sr_label_state fe_label_state(sr_txn_mgr *m, const char *db, const char *label,
                                     sr_txn_reply *out)
{
    reply_init(out, SR_REPLY_FE, label);
    sr_label_info li;
    sr_store_label_get(m->store, db, label, &li);
    sr_label_state st = sr_txn_label_state(m, db, label, NULL, 0);
    if (st != SR_LABEL_PREPARE) {
        out->txn_id = li.txn_id;
        out->has_txn_id = st != SR_LABEL_UNKNOWN;
    }
    return st;
}

/* Commits (commit) or aborts a PREPARED label on the FE. A label already in the wanted end state
 * is OK, one in the other end state FAILED, as StarRocks answers. */
static bool end_prepared_fe(sr_txn_mgr *m, const char *db, const char *label, bool commit,
                            bool publish_timeout, sr_txn_reply *out)
{
    sr_label_state st = fe_label_state(m, db, label, out);
    if (st == SR_LABEL_PREPARE)
        return false;
    long long id = (long long)out->txn_id;
    bool committed = st == SR_LABEL_COMMITTED || st == SR_LABEL_VISIBLE;
    rt_err err;
    rt_err_clear(&err);
    if (st == SR_LABEL_PREPARED) {
        int rc = commit ? sr_store_commit_prepared(m->store, db, label, &err)
                        : sr_store_abort_prepared(m->store, db, label, "User Aborted", &err);
        if (rc) {
            set_status(out, "FAILED", "%s%s",
                       commit ? "class com.starrocks.common.UserException: " : "", err.msg);
            return true;
        }
        drop_deadline(m, db, label);
        if (commit) {
            LOG_INFO("sr_txn: committed prepared label %s (db %s, txn %lld)", label, db, id);
            set_committed(out, publish_timeout);
        } else {
            set_status(out, "OK", "%s", "");
        }
    } else if (commit && committed) {
        set_status(out, "OK", "Transaction %lld has already committed, label is %s", id, label);
    } else if (!commit && st == SR_LABEL_ABORTED) {
        set_status(out, "OK", "Transaction %lld has already aborted, label is %s", id, label);
    } else if (commit && st == SR_LABEL_ABORTED) {
        set_status(out, "FAILED",
                   "class com.starrocks.transaction.TransactionCommitFailedException: transaction "
                   "with label %s has been aborted", label);
    } else if (!commit && committed) {
        set_status(out, "FAILED",
                   "class com.starrocks.common.UserException: transaction with label %s has been "
                   "committed, cannot be aborted", label);
    } else {
        set_status(out, "FAILED", "No transaction found with db[%s] and label[%s]", db, label);
    }
    return true;
}

bool sr_txn_commit_fe(sr_txn_mgr *m, const char *db, const char *label, bool publish_timeout,
                      sr_txn_reply *out)
{
    return end_prepared_fe(m, db, label, true, publish_timeout, out);
}

bool sr_txn_rollback_fe(sr_txn_mgr *m, const char *db, const char *label, sr_txn_reply *out)
{
    return end_prepared_fe(m, db, label, false, false, out);
}

int sr_txn_cancel(sr_txn_mgr *m, const char *db, const char *label, rt_err *err)
{
    txn *t = find_txn(m, db, label);
    if (t) {
        abort_txn(m, t, "user cancel", false);
        return 0;
    }
    sr_label_state st = sr_txn_label_state(m, db, label, NULL, 0);
    if (st == SR_LABEL_PREPARED) {
        drop_deadline(m, db, label);
        return sr_store_abort_prepared(m->store, db, label, "user cancel", err);
    }
    if (st == SR_LABEL_UNKNOWN)
        return rt_err_set(err, RT_ENOTFOUND, "label %s does not exist", label);
    return rt_err_set(err, RT_ESTATE, "label %s is %s", label, sr_label_state_name(st));
}

bool sr_txn_acquire(sr_txn_mgr *m, const char *db, const char *label)
{
    txn *t = find_txn(m, db, label);
    if (!t)
        return true;
    if (t->busy)
        return false;
    t->busy = true;
    return true;
}

void sr_txn_release(sr_txn_mgr *m, const char *db, const char *label)
{
    txn *t = find_txn(m, db, label);
    if (t)
        t->busy = false;
}

void sr_txn_tick(sr_txn_mgr *m, int64_t now_ms)
{
    char reason[128];
    for (txn *t = m->txns, *next; t; t = next) {
        next = t->next;
        if (t->busy)
            continue;
        if (now_ms - t->begin_ms >= (int64_t)t->timeout_s * 1000) {
            snprintf(reason, sizeof(reason), "transaction is aborted by timeout %d seconds.", t->timeout_s);
            abort_txn(m, t, reason, true);
        } else if (t->idle_s > 0 && now_ms - t->last_ms >= (int64_t)t->idle_s * 1000) {
            snprintf(reason, sizeof(reason), "transaction is aborted by idle timeout %d seconds.", t->idle_s);
            abort_txn(m, t, reason, true);
        }
    }
    for (prepared_deadline **p = &m->deadlines; *p;) {
        prepared_deadline *d = *p;
        if (now_ms < d->deadline_ms) {
            p = &d->next;
            continue;
        }
        rt_err err;
        if (sr_store_abort_prepared(m->store, d->db, d->label, "prepared transaction timeout", &err))
            LOG_WARN("sr_txn: prepared timeout of %s: %s", d->label, err.msg);
        else
            LOG_INFO("sr_txn: aborted prepared label %s (db %s): prepared timeout", d->label, d->db);
        *p = d->next;
        deadline_free(d);
    }
}
