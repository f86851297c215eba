/* The StarRocks load client: request building, FE failover, the retry policy and the settling of
 * doubtful replies through get_load_state (notes 1, 2.3-2.7, 8). The policy itself is written
 * out in stream_load.h; this file says why at the places that carry it out. */
#include "operators/starrocks/stream_load.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "operators/starrocks/sr_http.h"
#include "runtime/base/buf.h"
#include "runtime/base/clock.h"
#include "runtime/base/failpoint.h"
#include "runtime/base/log.h"

#define ERROR_LOG_MAX_BYTES (16 * 1024)

struct op_stream_load {
    char **urls;  /* as configured ("host:port"), for messages */
    char **bases; /* "http://host:port", no trailing '/' */
    size_t url_count;
    size_t current; /* index tried first: the last one that answered */
    char *user;
    const char *password; /* borrowed (stream_load.h) */
    int64_t connect_timeout_ms;
    int64_t socket_timeout_ms;
    int64_t request_timeout_ms;
    int max_retries;
    int64_t backoff_ms;
    int64_t backoff_max_ms;
    char *log_ctx; /* "job=j1 op=sink#0 " (with the space) or "" */
};

/* ---- construction ------------------------------------------------------------------------ */

static char *dup_str(const char *s)
{
    return strdup(s ? s : "");
}

void op_stream_load_free(op_stream_load *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->url_count; i++) {
        free(c->urls ? c->urls[i] : NULL);
        free(c->bases ? c->bases[i] : NULL);
    }
    free(c->urls);
    free(c->bases);
    free(c->user);
    free(c->log_ctx);
    free(c);
}

int op_stream_load_new(const op_stream_load_config *cfg, op_stream_load **out, rt_err *err)
{
    if (!cfg->load_urls || cfg->load_url_count == 0)
        return rt_err_set(err, RT_EINVAL, "starrocks client: no load_url");
    if (!cfg->user || !*cfg->user)
        return rt_err_set(err, RT_EINVAL, "starrocks client: no user");
    if (cfg->connect_timeout_ms < 0 || cfg->socket_timeout_ms < 0 || cfg->request_timeout_ms < 0 ||
        cfg->retry_backoff_ms < 0 || cfg->retry_backoff_max_ms < 0 || cfg->max_retries < -1)
        return rt_err_set(err, RT_EINVAL, "starrocks client: negative timeout or retry setting");
    op_stream_load *c = calloc(1, sizeof *c);
    if (!c)
        return rt_err_set(err, RT_ENOMEM, "starrocks client: out of memory");
    c->urls = calloc(cfg->load_url_count, sizeof *c->urls);
    c->bases = calloc(cfg->load_url_count, sizeof *c->bases);
    c->url_count = cfg->load_url_count;
    c->user = dup_str(cfg->user);
    {
        rt_buf ctx;
        rt_buf_init(&ctx);
        if (cfg->log_context && *cfg->log_context)
            rt_buf_appendf(&ctx, "%s ", cfg->log_context);
        c->log_ctx = rt_buf_take(&ctx);
    }
    if (!c->urls || !c->bases || !c->user || !c->log_ctx) {
        op_stream_load_free(c);
        return rt_err_set(err, RT_ENOMEM, "starrocks client: out of memory");
    }
    for (size_t i = 0; i < cfg->load_url_count; i++) {
        int rc = op_sr_http_base_url(cfg->load_urls[i], &c->bases[i], err);
        if (rc != 0) {
            op_stream_load_free(c);
            return rc;
        }
        c->urls[i] = dup_str(cfg->load_urls[i]);
        if (!c->urls[i]) {
            op_stream_load_free(c);
            return rt_err_set(err, RT_ENOMEM, "starrocks client: out of memory");
        }
    }
    c->password = cfg->password;
    c->connect_timeout_ms = cfg->connect_timeout_ms ? cfg->connect_timeout_ms : 10000;
    c->socket_timeout_ms = cfg->socket_timeout_ms ? cfg->socket_timeout_ms : 600000;
    c->request_timeout_ms = cfg->request_timeout_ms;
    c->max_retries = cfg->max_retries == 0 ? 3 : cfg->max_retries < 0 ? 0 : cfg->max_retries;
    c->backoff_ms = cfg->retry_backoff_ms ? cfg->retry_backoff_ms : 200;
    c->backoff_max_ms = cfg->retry_backoff_max_ms ? cfg->retry_backoff_max_ms : 5000;
    *out = c;
    return 0;
}

const char *op_stream_load_current_url(const op_stream_load *c)
{
    return c->urls[c->current];
}

/* ---- request pieces ---------------------------------------------------------------------- */

/* A header list whose strings it owns. */
typedef struct hdr_list {
    char *items[64];
    size_t count;
    bool overflow;
} hdr_list;

static void hdrs_fini(hdr_list *h)
{
    for (size_t i = 0; i < h->count; i++)
        free(h->items[i]);
    h->count = 0;
}

static void hdrs_add(hdr_list *h, const char *name, const char *value)
{
    if (h->count == sizeof h->items / sizeof h->items[0]) {
        h->overflow = true;
        return;
    }
    rt_buf b;
    rt_buf_init(&b);
    rt_buf_appendf(&b, "%s: %s", name, value);
    h->items[h->count++] = rt_buf_take(&b);
}

/* Headers this client writes itself: an extra header with one of these names would send two
 * differing values (or smuggle credentials); format etc. belong in the props fields. */
static const char *const reserved_headers[] = {
    "label",
    "db",
    "table",
    "expect",
    "authorization",
    "content-length",
    "transfer-encoding",
    "host",
    "connection",
    "format",
    "columns",
    "column_separator",
    "row_delimiter",
    "strip_outer_array",
    NULL,
};

static int check_header(const char *name, const char *value, rt_err *err)
{
    int rc = op_sr_http_check_header(name, value, err);
    if (rc != 0)
        return rc;
    for (size_t i = 0; reserved_headers[i]; i++)
        if (strcasecmp(name, reserved_headers[i]) == 0)
            return rt_err_set(err, RT_EINVAL, "header '%s': set by the client itself", name);
    return 0;
}

/* A label or name value of our own headers must not carry a line break either. */
static int check_value(const char *what, const char *v, rt_err *err)
{
    if (!v || !*v)
        return rt_err_set(err, RT_EINVAL, "empty %s", what);
    if (strpbrk(v, "\r\n"))
        return rt_err_set(err, RT_EINVAL, "%s: line break in value", what);
    return 0;
}

static int add_props(hdr_list *h, const op_stream_load_props *p, rt_err *err)
{
    if (!p)
        return 0;
    const char *named[][2] = {
        {"format", p->format},
        {"columns", p->columns},
        {"column_separator", p->column_separator},
        {"row_delimiter", p->row_delimiter},
    };
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
        if (!named[i][1])
            continue;
        if (strpbrk(named[i][1], "\r\n"))
            return rt_err_set(err, RT_EINVAL, "header '%s': line break in value", named[i][0]);
        hdrs_add(h, named[i][0], named[i][1]);
    }
    if (p->strip_outer_array)
        hdrs_add(h, "strip_outer_array", "true");
    for (size_t i = 0; i < p->extra_count; i++) {
        int rc = check_header(p->extra[i].name, p->extra[i].value, err);
        if (rc != 0)
            return rc;
        hdrs_add(h, p->extra[i].name, p->extra[i].value);
    }
    return 0;
}

/* One logical request: what stream_load.h calls an operation, before failover and retries. */
typedef struct call {
    const char *op; /* "begin", "put", ... for messages and logs */
    const char *method;
    const char *path; /* "/api/transaction/begin" (escaped) */
    const char *db;
    const char *label;
    hdr_list *headers;
    const void *body;
    size_t body_size;
    bool expect;
} call;

static int64_t backoff_for(const op_stream_load *c, int attempt)
{
    int64_t ms = c->backoff_ms;
    for (int i = 0; i < attempt && ms < c->backoff_max_ms; i++)
        ms *= 2;
    return ms < c->backoff_max_ms ? ms : c->backoff_max_ms;
}

/* Sends k to the FEs in turn until one answers. Only a connection that was never established is
 * sent elsewhere (nothing reached a server that acts on it); a round of refusals sleeps a backoff
 * before the next (max_retries rounds). Anything else is returned: once a request went out, its
 * outcome is the caller's to judge. Returns 0 with *status and the reply in *reply. */
static int exchange(op_stream_load *c, const call *k, bool follow, long *status, rt_buf *reply,
                    int *attempts, bool *unreachable, rt_err *err)
{
    *unreachable = false;
    rt_buf url;
    rt_buf_init(&url);
    int rc = RT_EUNAVAIL;
    for (int round = 0;; round++) {
        for (size_t i = 0; i < c->url_count; i++) {
            size_t idx = (c->current + i) % c->url_count;
            rt_buf_reset(&url);
            rt_buf_append_str(&url, c->bases[idx]);
            rt_buf_append_str(&url, k->path);
            op_sr_http_request rq = {
                .method = k->method,
                .url = url.data,
                .user = c->user,
                .password = c->password,
                .headers = (const char *const *)k->headers->items,
                .header_count = k->headers->count,
                .body = k->body,
                .body_size = k->body_size,
                .expect_continue = k->expect,
                .follow_redirects = follow,
                .connect_timeout_ms = c->connect_timeout_ms,
                .socket_timeout_ms = c->socket_timeout_ms,
                .request_timeout_ms = c->request_timeout_ms,
            };
            bool connected = true;
            rt_buf_reset(reply);
            (*attempts)++;
            rc = op_sr_http_perform(&rq, status, reply, &connected, err);
            if (rc == 0 || connected) {
                if (idx != c->current)
                    LOG_INFO("%sstarrocks: now using load_url %s", c->log_ctx, c->urls[idx]);
                c->current = idx;
                if (rc == 0)
                    rt_err_clear(err); /* the refusals of earlier load_urls are history */
                rt_buf_fini(&url);
                return rc;
            }
            LOG_WARN("%sstarrocks: %s '%s': load_url %s unreachable (%s)", c->log_ctx, k->op,
                     k->label ? k->label : "", c->urls[idx], err ? err->msg : rt_err_code_name(rc));
        }
        if (round >= c->max_retries)
            break;
        rt_sleep_ms(backoff_for(c, round));
    }
    rt_buf_fini(&url);
    *unreachable = true;
    return rt_err_prefix(err, rc, "no load_url reachable after %d attempts", *attempts);
}

/* "starrocks 127.0.0.1:8030: commit 'lbl' (db 'd')" in front of the cause. */
static int fail(op_stream_load *c, const call *k, int code, rt_err *err)
{
    return rt_err_prefix(err, code, "starrocks %s: %s '%s' (db '%s')", c->urls[c->current], k->op,
                         k->label ? k->label : "", k->db ? k->db : "");
}

/* The reply's failure as a message: "<Status>: <Message>" plus what the client knows more. */
static int fail_reply(op_stream_load *c, const call *k, const op_sr_result *res, rt_err *err)
{
    int code = op_sr_outcome_code(res->outcome);
    if (code == 0)
        code = RT_EIO;
    rt_err_set(err, code, "%s: %s%s%s",
               res->status[0] ? res->status : op_sr_outcome_name(res->outcome),
               res->message[0] ? res->message : "(no message)",
               res->existing_job_status[0] ? ", ExistingJobStatus " : "", res->existing_job_status);
    return fail(c, k, code, err);
}

/* Sends k and parses the reply into *res. Retries with backoff (max_retries) what another try can
 * fix without knowing more: TXN_IN_PROCESSING always (the other request on the label finishes,
 * notes 2.4 [F3]); UNAVAILABLE replies only when retry_unavailable (idempotent requests: a
 * labelled plain load, reads). Returns the outcome's code (0 for the success outcomes; callers
 * widen it), with err set for failures. */
static int perform(op_stream_load *c, const call *k, bool follow, bool retry_unavailable,
                   op_sr_result *res, rt_err *err)
{
    rt_buf reply;
    rt_buf_init(&reply);
    int attempts = 0;
    int rc;
    for (int retry = 0;; retry++) {
        long status = 0;
        bool unreachable;
        rc = exchange(c, k, follow, &status, &reply, &attempts, &unreachable, err);
        if (rc != 0) {
            op_sr_result_init(res);
            snprintf(res->message, sizeof res->message, "%s", err ? err->msg : "no reply");
            res->attempts = attempts;
            rc = fail(c, k, rc, err);
            break;
        }
        rt_err perr;
        rt_err_clear(&perr);
        op_sr_reply_parse(status, reply.data, reply.len, res, &perr);
        res->attempts = attempts;
        bool again = res->outcome == OP_SR_TXN_IN_PROCESSING ||
                     (retry_unavailable && res->outcome == OP_SR_UNAVAILABLE);
        if (again && retry < c->max_retries) {
            LOG_WARN("%sstarrocks: %s '%s': %s (%s), retrying", c->log_ctx, k->op,
                     k->label ? k->label : "", res->status, res->message);
            rt_sleep_ms(backoff_for(c, retry));
            continue;
        }
        if (res->outcome == OP_SR_BAD_REPLY) {
            rc = rt_err_set(err, RT_EIO, "%s", perr.msg);
            rc = fail(c, k, rc, err);
        } else if (op_sr_outcome_is_success(res->outcome)) {
            rc = 0;
        } else {
            rc = fail_reply(c, k, res, err);
        }
        break;
    }
    rt_buf_fini(&reply);
    LOG_DEBUG("%sstarrocks: %s '%s' -> %s (%s)", c->log_ctx, k->op, k->label ? k->label : "",
              op_sr_outcome_name(res->outcome), res->message);
    return rc;
}

/* Adds the first lines of the ErrorURL to a data-quality failure: "too many filtered rows"
 * alone does not say which rows or why (notes 7.3). Best effort. */
static void add_error_log(op_stream_load *c, const op_sr_result *res, rt_err *err)
{
    if (!err || res->outcome != OP_SR_DATA_QUALITY || !res->error_url[0])
        return;
    char *text = NULL;
    rt_err ferr;
    rt_err_clear(&ferr);
    if (op_stream_load_fetch_error_log(c, res->error_url, 3, &text, &ferr) != 0)
        return;
    for (char *p = text; *p; p++)
        if (*p == '\n')
            *p = ';';
    size_t len = strlen(err->msg);
    snprintf(err->msg + len, sizeof err->msg - len, " (rejected rows: %s)", text);
    free(text);
}

/* Asks get_load_state to settle a doubtful reply; records what it read in res. Returns 0 with
 * *state, or the failure (message in serr, not in the caller's err: the original failure is the
 * one to report when the state cannot be read). */
static int settle(op_stream_load *c, const char *db, const char *label, op_sr_result *res,
                  op_sr_load_state *state, rt_err *serr)
{
    rt_err_clear(serr);
    int rc = op_stream_load_get_load_state(c, db, label, state, serr);
    if (rc == 0) {
        res->state_checked = true;
        res->state = *state;
    }
    return rc;
}

/* ---- plain Stream Load ------------------------------------------------------------------- */

static void build_path(rt_buf *b, const char *db, const char *table, const char *tail)
{
    rt_buf_append_str(b, "/api/");
    op_sr_http_append_escaped(b, db);
    if (table) {
        rt_buf_append_char(b, '/');
        op_sr_http_append_escaped(b, table);
    }
    rt_buf_append_str(b, tail);
}

int op_stream_load_put(op_stream_load *c, const char *db, const char *table, const char *label,
                       const op_stream_load_props *props, const void *body, size_t body_size,
                       op_sr_result *res, rt_err *err)
{
    op_sr_result_init(res);
    int rc;
    if ((rc = check_value("db", db, err)) != 0 || (rc = check_value("table", table, err)) != 0 ||
        (rc = check_value("label", label, err)) != 0)
        return rt_err_prefix(err, rc, "starrocks: put");
    hdr_list h = {.count = 0};
    rt_buf path;
    rt_buf_init(&path);
    build_path(&path, db, table, "/_stream_load");
    call k = {.op = "put",
              .method = "PUT",
              .path = path.data,
              .db = db,
              .label = label,
              .headers = &h,
              .body = body,
              .body_size = body_size,
              .expect = true};
    hdrs_add(&h, "label", label);
    rc = add_props(&h, props, err);
    if (rc == 0 && h.overflow)
        rc = rt_err_set(err, RT_EINVAL, "too many headers");
    if (rc != 0) {
        rc = fail(c, &k, rc, err);
        goto out;
    }
    rc = FAILPOINT("starrocks.before_put", err);
    if (rc != 0)
        goto out;
    /* A labelled load is idempotent (a repeat answers LABEL_FINISHED), so an overloaded BE's
     * "retry later" is retried here. */
    rc = perform(c, &k, true, true, res, err);
    if (rc != 0 && res->outcome == OP_SR_LABEL_FINISHED) {
        LOG_INFO("%sstarrocks: put '%s': label already FINISHED: the data is in", c->log_ctx,
                 label);
        rt_err_clear(err);
        rc = 0;
    } else if (rc != 0 &&
               (res->outcome == OP_SR_LABEL_EXISTS || res->outcome == OP_SR_LABEL_RUNNING)) {
        /* Newer StarRocks may answer a repeated label with the bare "has already been used"
         * text [I2]: the state tells whether that load went in. */
        op_sr_load_state st;
        rt_err serr;
        if (settle(c, db, label, res, &st, &serr) == 0 && op_sr_load_state_is_committed(st)) {
            LOG_INFO("%sstarrocks: put '%s': label in use, state %s: the data is in", c->log_ctx,
                     label, op_sr_load_state_name(st));
            rt_err_clear(err);
            rc = 0;
        }
    }
    if (rc != 0) {
        add_error_log(c, res, err);
        goto out;
    }
    rc = FAILPOINT("starrocks.after_put", err);
out:
    hdrs_fini(&h);
    rt_buf_fini(&path);
    return rc;
}

/* ---- transaction interface --------------------------------------------------------------- */

/* The fixed part of every transaction call: label and db headers, checked. */
static int txn_call(call *k, hdr_list *h, const char *op, const char *method, const char *db,
                    const char *label, rt_err *err)
{
    static const char *const paths[][2] = {
        {"begin", "/api/transaction/begin"},       {"load", "/api/transaction/load"},
        {"prepare", "/api/transaction/prepare"},   {"commit", "/api/transaction/commit"},
        {"rollback", "/api/transaction/rollback"},
    };
    memset(k, 0, sizeof *k);
    k->op = op;
    k->method = method;
    k->db = db;
    k->label = label;
    k->headers = h;
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        if (strcmp(paths[i][0], op) == 0)
            k->path = paths[i][1];
    int rc;
    if ((rc = check_value("db", db, err)) != 0 || (rc = check_value("label", label, err)) != 0)
        return rt_err_prefix(err, rc, "starrocks: %s", op);
    hdrs_add(h, "label", label);
    hdrs_add(h, "db", db);
    return 0;
}

static void add_int_header(hdr_list *h, const char *name, int v)
{
    char num[16];
    snprintf(num, sizeof num, "%d", v);
    hdrs_add(h, name, num);
}

int op_stream_load_begin(op_stream_load *c, const char *db, const char *table, const char *label,
                         int timeout_s, int idle_timeout_s, op_sr_result *res, rt_err *err)
{
    op_sr_result_init(res);
    hdr_list h = {.count = 0};
    call k;
    int rc = txn_call(&k, &h, "begin", "POST", db, label, err);
    if (rc == 0 && (rc = check_value("table", table, err)) != 0)
        rt_err_prefix(err, rc, "starrocks: begin");
    if (rc == 0) {
        hdrs_add(&h, "table", table);
        if (timeout_s > 0)
            add_int_header(&h, "timeout", timeout_s);
        if (idle_timeout_s > 0)
            add_int_header(&h, "idle_transaction_timeout", idle_timeout_s);
        rc = FAILPOINT("starrocks.before_begin", err);
    }
    if (rc == 0)
        rc = perform(c, &k, true, false, res, err);
    if (rc == 0) {
        LOG_DEBUG("%sstarrocks: begin '%s': txn %" PRId64, c->log_ctx, label, res->txn_id);
        rc = FAILPOINT("starrocks.after_begin", err);
    }
    hdrs_fini(&h);
    return rc;
}

int op_stream_load_load(op_stream_load *c, const char *db, const char *table, const char *label,
                        const op_stream_load_props *props, const void *body, size_t body_size,
                        op_sr_result *res, rt_err *err)
{
    op_sr_result_init(res);
    hdr_list h = {.count = 0};
    call k;
    int rc = txn_call(&k, &h, "load", "PUT", db, label, err);
    if (rc == 0 && (rc = check_value("table", table, err)) != 0)
        rt_err_prefix(err, rc, "starrocks: load");
    if (rc == 0) {
        hdrs_add(&h, "table", table);
        k.body = body;
        k.body_size = body_size;
        k.expect = true;
        rc = add_props(&h, props, err);
        if (rc == 0 && h.overflow)
            rc = rt_err_set(err, RT_EINVAL, "too many headers");
        if (rc != 0)
            rc = fail(c, &k, rc, err);
    }
    if (rc == 0)
        rc = FAILPOINT("starrocks.before_load", err);
    if (rc == 0)
        rc = perform(c, &k, true, false, res, err);
    if (rc == 0)
        rc = FAILPOINT("starrocks.after_load", err);
    hdrs_fini(&h);
    return rc;
}

int op_stream_load_prepare(op_stream_load *c, const char *db, const char *label,
                           int prepared_timeout_s, op_sr_result *res, rt_err *err)
{
    op_sr_result_init(res);
    hdr_list h = {.count = 0};
    call k;
    int rc = txn_call(&k, &h, "prepare", "POST", db, label, err);
    if (rc == 0) {
        if (prepared_timeout_s > 0)
            add_int_header(&h, "prepared_timeout", prepared_timeout_s);
        rc = FAILPOINT("starrocks.before_prepare", err);
    }
    if (rc == 0) {
        rc = perform(c, &k, true, false, res, err);
        /* A second prepare reaches a BE that dropped the label at the first one (notes 2.5,
         * [F1]): only the FE's state says whether it is prepared. */
        if (rc != 0 && res->outcome == OP_SR_TXN_NOT_EXISTS) {
            op_sr_load_state st;
            rt_err serr;
            if (settle(c, db, label, res, &st, &serr) == 0) {
                if (st == OP_SR_STATE_PREPARED || op_sr_load_state_is_committed(st)) {
                    LOG_INFO("%sstarrocks: prepare '%s': TXN_NOT_EXISTS, state %s: prepared",
                             c->log_ctx, label, op_sr_load_state_name(st));
                    rt_err_clear(err);
                    rc = 0;
                } else if (st == OP_SR_STATE_ABORTED) {
                    rc = rt_err_prefix(err, RT_ESTATE, "state ABORTED");
                }
            }
        }
        if (rc != 0)
            add_error_log(c, res, err);
    }
    if (rc == 0)
        rc = FAILPOINT("starrocks.after_prepare", err);
    hdrs_fini(&h);
    return rc;
}

int op_stream_load_commit(op_stream_load *c, const char *db, const char *label, op_sr_result *res,
                          rt_err *err)
{
    op_sr_result_init(res);
    hdr_list h = {.count = 0};
    call k;
    int rc = txn_call(&k, &h, "commit", "POST", db, label, err);
    if (rc == 0)
        rc = FAILPOINT("starrocks.before_commit", err);
    if (rc != 0) {
        hdrs_fini(&h);
        return rc;
    }
    rc = perform(c, &k, true, false, res, err);
    rt_err lost;
    rt_err_clear(&lost);
    if (FAILPOINT("starrocks.lose_commit_reply", &lost) != 0) {
        /* As if the connection broke after the request went out: the commit may have happened,
         * and nothing in the reply may be used. */
        op_sr_result_init(res);
        res->attempts = 1;
        snprintf(res->message, sizeof res->message, "commit reply lost (%.200s)", lost.msg);
        rc = rt_err_set(err, RT_EUNAVAIL, "%s", res->message);
        rc = fail(c, &k, rc, err);
    }
    if (rc != 0) {
        /* Any doubt about a commit is settled by the FE's state, never by retrying blind
         * (notes 2.6, [F1]): COMMITTED/VISIBLE is success whatever the reply said. */
        op_sr_load_state st;
        rt_err serr;
        if (settle(c, db, label, res, &st, &serr) == 0) {
            if (op_sr_load_state_is_committed(st)) {
                LOG_INFO("%sstarrocks: commit '%s': reply %s, state %s: committed", c->log_ctx,
                         label, op_sr_outcome_name(res->outcome), op_sr_load_state_name(st));
                rt_err_clear(err);
                rc = 0;
            } else if (st == OP_SR_STATE_ABORTED) {
                rc = rt_err_prefix(err, RT_ESTATE, "state ABORTED");
            } else if (st == OP_SR_STATE_UNKNOWN) {
                rc = rt_err_prefix(err, RT_ENOTFOUND, "state UNKNOWN");
            } else {
                rc = rt_err_prefix(err, rc, "state %s", op_sr_load_state_name(st));
            }
        } else {
            rc = rt_err_prefix(err, rc, "state unknown (%s)", serr.msg);
        }
    }
    if (rc == 0)
        rc = FAILPOINT("starrocks.after_commit", err);
    hdrs_fini(&h);
    return rc;
}

int op_stream_load_rollback(op_stream_load *c, const char *db, const char *label, op_sr_result *res,
                            rt_err *err)
{
    op_sr_result_init(res);
    hdr_list h = {.count = 0};
    call k;
    int rc = txn_call(&k, &h, "rollback", "POST", db, label, err);
    if (rc == 0)
        rc = FAILPOINT("starrocks.before_rollback", err);
    if (rc != 0) {
        hdrs_fini(&h);
        return rc;
    }
    rc = perform(c, &k, true, false, res, err);
    /* A failure reply (not a lost one) may mean "nothing to roll back" or "already committed":
     * the FE's state tells which, and an ABORTED one is what a rollback wants. */
    if (rc != 0 && res->outcome != OP_SR_NO_REPLY && res->outcome != OP_SR_AUTH_FAILED) {
        op_sr_load_state st;
        rt_err serr;
        if (settle(c, db, label, res, &st, &serr) == 0) {
            if (st == OP_SR_STATE_ABORTED) {
                rt_err_clear(err);
                rc = 0;
            } else if (op_sr_load_state_is_committed(st)) {
                rc = rt_err_prefix(err, RT_ESTATE, "state %s", op_sr_load_state_name(st));
            } else if (st == OP_SR_STATE_UNKNOWN) {
                rc = rt_err_prefix(err, RT_ENOTFOUND, "state UNKNOWN");
            }
        }
    }
    if (rc == 0)
        rc = FAILPOINT("starrocks.after_rollback", err);
    hdrs_fini(&h);
    return rc;
}

/* ---- FE reads and cancel ----------------------------------------------------------------- */

int op_stream_load_get_load_state(op_stream_load *c, const char *db, const char *label,
                                  op_sr_load_state *state, rt_err *err)
{
    int rc;
    if ((rc = check_value("db", db, err)) != 0 || (rc = check_value("label", label, err)) != 0)
        return rt_err_prefix(err, rc, "starrocks: get_load_state");
    hdr_list h = {.count = 0};
    rt_buf path, reply;
    rt_buf_init(&path);
    rt_buf_init(&reply);
    build_path(&path, db, NULL, "/get_load_state?label=");
    op_sr_http_append_escaped(&path, label);
    call k = {.op = "get_load_state",
              .method = "GET",
              .path = path.data,
              .db = db,
              .label = label,
              .headers = &h};
    int attempts = 0;
    /* It only reads: a dropped connection, a timeout or a 5xx may be retried too. (Unreachable
     * load_urls were already retried by exchange's rounds.) */
    for (int retry = 0;; retry++) {
        long status = 0;
        bool unreachable;
        rc = exchange(c, &k, true, &status, &reply, &attempts, &unreachable, err);
        if (rc == 0)
            rc = op_sr_reply_parse_load_state(status, reply.data, reply.len, state, err);
        bool transient = !unreachable && (rc == RT_EUNAVAIL || rc == RT_ETIMEDOUT);
        if (!transient || retry >= c->max_retries)
            break;
        LOG_WARN("%sstarrocks: get_load_state '%s': %s, retrying", c->log_ctx, label,
                 err ? err->msg : rt_err_code_name(rc));
        rt_err_clear(err);
        rt_sleep_ms(backoff_for(c, retry));
    }
    if (rc != 0)
        rc = fail(c, &k, rc, err);
    else
        LOG_DEBUG("%sstarrocks: get_load_state '%s' -> %s", c->log_ctx, label,
                  op_sr_load_state_name(*state));
    rt_buf_fini(&path);
    rt_buf_fini(&reply);
    return rc;
}

int op_stream_load_cancel(op_stream_load *c, const char *db, const char *table, const char *label,
                          rt_err *err)
{
    int rc;
    if ((rc = check_value("db", db, err)) != 0 || (rc = check_value("table", table, err)) != 0 ||
        (rc = check_value("label", label, err)) != 0)
        return rt_err_prefix(err, rc, "starrocks: cancel");
    hdr_list h = {.count = 0};
    rt_buf path;
    rt_buf_init(&path);
    build_path(&path, db, table, "/_cancel?label=");
    op_sr_http_append_escaped(&path, label);
    call k = {.op = "cancel",
              .method = "POST",
              .path = path.data,
              .db = db,
              .label = label,
              .headers = &h};
    op_sr_result res;
    rc = perform(c, &k, true, false, &res, err);
    rt_buf_fini(&path);
    return rc;
}

int op_stream_load_fetch_error_log(op_stream_load *c, const char *error_url, size_t max_lines,
                                   char **out, rt_err *err)
{
    if (!error_url ||
        (strncasecmp(error_url, "http://", 7) != 0 && strncasecmp(error_url, "https://", 8) != 0))
        return rt_err_set(err, RT_EINVAL, "error log: not an http URL");
    if (max_lines == 0)
        max_lines = 10;
    /* No credentials: the URL comes from the server, and the BE serves the log without them. */
    op_sr_http_request rq = {
        .method = "GET",
        .url = error_url,
        .connect_timeout_ms = c->connect_timeout_ms,
        .socket_timeout_ms = c->socket_timeout_ms,
        .request_timeout_ms = c->request_timeout_ms ? c->request_timeout_ms : 30000,
        .max_reply_size = ERROR_LOG_MAX_BYTES,
    };
    rt_buf body;
    rt_buf_init(&body);
    long status = 0;
    bool connected;
    int rc = op_sr_http_perform(&rq, &status, &body, &connected, err);
    if (rc == 0 && status != 200)
        rc = rt_err_set(err, status >= 500 ? RT_EUNAVAIL : RT_EIO, "error log: HTTP %ld", status);
    if (rc != 0) {
        rt_buf_fini(&body);
        return rt_err_prefix(err, rc, "starrocks: fetch error log");
    }
    *out = op_sr_http_first_lines(body.data, body.len, max_lines);
    rt_buf_fini(&body);
    return 0;
}
