/* sr_http: routes of the FE port (notes §1.1, §1.4, §2.1) and the BE port (§1.2-1.3, §2.2-2.7),
 * with fault injection around each operation. Replies are built by sr_txn; this file owns HTTP:
 * auth, routing, redirects, delays and dropped connections. */
#include "tests/sr_endpoint/sr_http.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "runtime/base/buf.h"
#include "runtime/base/clock.h"
#include "runtime/base/log.h"
#include "tests/sr_endpoint/sr_fault.h"
#include "tests/sr_endpoint/sr_txn.h"

struct sr_http {
    struct event_base *base;
    sr_store *store;
    sr_txn_mgr *txns;
    sr_fault_set *faults;
    struct evhttp *fe, *be;
    int fe_port, be_port;
    char host[64];
    char user[128];
    char password[256];
    bool discard;
    struct event *ticker;
};

/* A request whose processing waits for a delay fault. */
typedef struct pending {
    sr_http *h;
    struct evhttp_request *req;
    bool be;
    char op[32];
    char db[256];
    char label[160];
    bool after; /* the work is done; only the reply waits */
    rt_buf reply;
    int code;
    struct event *timer;
} pending;

static const char *req_header(void *ctx, const char *name)
{
    return evhttp_find_header(evhttp_request_get_input_headers(ctx), name);
}

static void send_body(struct evhttp_request *req, int code, const char *reason, const char *ctype,
                      const char *body, size_t len)
{
    struct evbuffer *b = evbuffer_new();
    evbuffer_add(b, body, len);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", ctype);
    evhttp_send_reply(req, code, reason, b);
    evbuffer_free(b);
}

static void send_json(struct evhttp_request *req, int code, const char *body)
{
    send_body(req, code, code == 200 ? "OK" : "Error", "application/json; charset=utf-8", body,
              strlen(body));
}

/* Closes the connection without a reply: the socket is shut, so the reply libevent then tries
 * to write fails and the connection is torn down by libevent itself. */
static void drop_connection(struct evhttp_request *req)
{
    struct evhttp_connection *c = evhttp_request_get_connection(req);
    struct bufferevent *bev = c ? evhttp_connection_get_bufferevent(c) : NULL;
    if (bev)
        shutdown(bufferevent_getfd(bev), SHUT_RDWR);
    evhttp_send_reply(req, 200, "OK", NULL);
}

/* ---- auth ---- */

static int b64v(char c)
{
    static const char *t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = strchr(t, c);
    return c && p ? (int)(p - t) : -1;
}

static bool b64_decode(const char *s, char *out, size_t size)
{
    size_t n = strlen(s), o = 0;
    if (n % 4)
        return false;
    for (size_t i = 0; i < n; i += 4) {
        int v[4];
        for (int k = 0; k < 4; k++)
            v[k] = s[i + k] == '=' ? 0 : b64v(s[i + k]);
        if (v[0] < 0 || v[1] < 0 || v[2] < 0 || v[3] < 0 || o + 3 >= size)
            return false;
        unsigned w = (unsigned)(v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3]);
        out[o++] = (char)(w >> 16);
        if (s[i + 2] != '=')
            out[o++] = (char)(w >> 8);
        if (s[i + 3] != '=')
            out[o++] = (char)w;
    }
    out[o] = '\0';
    return true;
}

/* 0 = authorized, 1 = no Basic credentials, 2 = wrong credentials. */
static int check_auth(sr_http *h, struct evhttp_request *req)
{
    const char *a = req_header(req, "Authorization");
    if (!a || strncasecmp(a, "Basic ", 6) != 0)
        return 1;
    char dec[512];
    if (!b64_decode(a + 6, dec, sizeof(dec)))
        return 1;
    char *colon = strchr(dec, ':');
    if (!colon)
        return 1;
    *colon = '\0';
    return strcmp(dec, h->user) == 0 && strcmp(colon + 1, h->password) == 0 ? 0 : 2;
}

static void send_401(struct evhttp_request *req)
{
    evhttp_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate", "Basic realm=\"\"");
    send_json(req, 401, "{\"status\":\"FAILED\",\"code\":\"1\",\"msg\":\"Access denied for user\","
                        "\"message\":\"Access denied for user\"}");
}

/* ---- paths ---- */

/* Splits "/api/a/b/c" into at most n segments (percent-decoded). Returns the count. */
static int split_path(const char *path, char segs[][256], int n)
{
    int k = 0;
    const char *p = path;
    while (*p && k < n) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        const char *e = strchr(p, '/');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char raw[256];
        snprintf(raw, sizeof(raw), "%.*s", (int)len, p);
        char *dec = evhttp_uridecode(raw, 0, NULL);
        snprintf(segs[k++], 256, "%s", dec ? dec : raw);
        free(dec);
        p += len;
    }
    return *p ? n + 1 : k;
}

static char *query_param(struct evhttp_request *req, const char *name)
{
    const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);
    const char *q = u ? evhttp_uri_get_query(u) : NULL;
    if (!q)
        return NULL;
    struct evkeyvalq kv;
    TAILQ_INIT(&kv);
    if (evhttp_parse_query_str(q, &kv) != 0)
        return NULL;
    const char *v = evhttp_find_header(&kv, name);
    char *r = v ? strdup(v) : NULL;
    evhttp_clear_headers(&kv);
    return r;
}

static void body_of(struct evhttp_request *req, const char **data, size_t *len)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    *len = evbuffer_get_length(in);
    *data = *len ? (const char *)evbuffer_pullup(in, -1) : "";
}

static void fe_failed(struct evhttp_request *req, const char *msg)
{
    rt_buf b;
    rt_buf_init(&b);
    rt_buf_append_str(&b, "{\"Status\":\"FAILED\",\"Message\":");
    rt_buf_append_json_str(&b, msg, strlen(msg));
    rt_buf_append_str(&b, "}");
    send_json(req, 200, b.data);
    rt_buf_fini(&b);
}

static void redirect(sr_http *h, struct evhttp_request *req)
{
    const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);
    const char *path = evhttp_uri_get_path(u), *q = evhttp_uri_get_query(u);
    char loc[4096];
    snprintf(loc, sizeof(loc), "http://%s:%d%s%s%s", h->host, h->be_port, path ? path : "/",
             q ? "?" : "", q ? q : "");
    struct evkeyvalq *out = evhttp_request_get_output_headers(req);
    evhttp_add_header(out, "Location", loc);
    /* The FE closes the connection after a redirect; clients reconnect to the BE. */
    evhttp_add_header(out, "Connection", "close");
    evhttp_send_reply(req, 307, "Temporary Redirect", NULL);
}

/* ---- operations with faults ---- */

static void reply_txn(sr_http *h, struct evhttp_request *req, const sr_txn_reply *r, rt_buf *out)
{
    (void)req;
    char addr[96];
    snprintf(addr, sizeof(addr), "%s:%d", h->host, h->be_port);
    sr_txn_reply_format(r, addr, out);
}

/* The failure body of op, for the "fail" fault. */
static void fail_body(sr_http *h, const char *op, bool be, const char *label, rt_buf *out)
{
    sr_txn_reply r;
    memset(&r, 0, sizeof(r));
    snprintf(r.label, sizeof(r.label), "%s", label);
    snprintf(r.message, sizeof(r.message), "injected fault");
    if (!strcmp(op, "stream_load")) {
        r.kind = SR_REPLY_STREAM_LOAD;
        r.txn_id = -1;
        snprintf(r.status, sizeof(r.status), "Fail");
    } else if (!be || !strcmp(op, "get_load_state") || !strcmp(op, "cancel")) {
        r.kind = SR_REPLY_FE;
        snprintf(r.status, sizeof(r.status), "FAILED");
    } else {
        r.kind = SR_REPLY_LOAD;
        snprintf(r.status, sizeof(r.status), "INTERNAL_ERROR");
    }
    if (!strcmp(op, "get_load_state") || !strcmp(op, "cancel")) {
        rt_buf_append_str(out, "{\"status\":\"FAILED\",\"code\":\"1\",\"msg\":\"injected fault\","
                               "\"message\":\"injected fault\"}");
        return;
    }
    reply_txn(h, NULL, &r, out);
}

/* Runs the work of op and writes the reply; returns the HTTP status. */
static int do_op(sr_http *h, struct evhttp_request *req, bool be, const char *op, const char *db,
                 const char *label, bool publish_timeout, rt_buf *out);

static void finish(sr_http *h, struct evhttp_request *req, bool be, const char *op, const char *db,
                   const char *label, bool publish_timeout);

/* The client went away during a delay: libevent frees the request with the connection. */
static void pending_closed(struct evhttp_connection *c, void *arg)
{
    (void)c;
    pending *p = arg;
    event_free(p->timer);
    if (!p->after)
        sr_txn_release(p->h->txns, p->db, p->label);
    rt_buf_fini(&p->reply);
    free(p);
}

static void pending_fire(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    pending *p = arg;
    event_free(p->timer);
    struct evhttp_connection *c = evhttp_request_get_connection(p->req);
    if (c)
        evhttp_connection_set_closecb(c, NULL, NULL);
    if (p->after) {
        send_json(p->req, p->code, p->reply.data ? p->reply.data : "");
    } else {
        sr_txn_release(p->h->txns, p->db, p->label);
        finish(p->h, p->req, p->be, p->op, p->db, p->label, false);
    }
    rt_buf_fini(&p->reply);
    free(p);
}

static void schedule(sr_http *h, pending *p, int ms)
{
    struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
    p->timer = evtimer_new(h->base, pending_fire, p);
    evtimer_add(p->timer, &tv);
    struct evhttp_connection *c = evhttp_request_get_connection(p->req);
    if (c)
        evhttp_connection_set_closecb(c, pending_closed, p);
}

/* After the "before" faults: do the work, then apply the "after" faults. */
static void finish(sr_http *h, struct evhttp_request *req, bool be, const char *op, const char *db,
                   const char *label, bool publish_timeout)
{
    rt_buf out;
    rt_buf_init(&out);
    int code = do_op(h, req, be, op, db, label, publish_timeout, &out);
    if (code == 0) { /* already answered (a redirect) */
        rt_buf_fini(&out);
        return;
    }
    const char *table = req_header(req, "table");
    int ms;
    sr_fault_action a = sr_fault_set_match(h->faults, op, SR_FAULT_AFTER, table, &ms);
    if (a == SR_FAULT_HTTP500) {
        send_json(req, 500, "{\"status\":\"FAILED\",\"msg\":\"injected HTTP 500\"}");
    } else if (a == SR_FAULT_DROP) {
        drop_connection(req);
    } else if (a == SR_FAULT_FAIL) {
        rt_buf_reset(&out);
        fail_body(h, op, be, label, &out);
        send_json(req, 200, out.data);
    } else if (a == SR_FAULT_DELAY) {
        pending *p = calloc(1, sizeof(*p));
        RT_ASSERT(p);
        *p = (pending){.h = h, .req = req, .be = be, .after = true, .code = code, .reply = out};
        schedule(h, p, ms);
        return;
    } else {
        send_json(req, code, out.data);
    }
    rt_buf_fini(&out);
}

/* Entry of every operation: the "before" faults, then finish(). */
static void run_op(sr_http *h, struct evhttp_request *req, bool be, const char *op, const char *db,
                   const char *label, const char *table)
{
    int ms;
    sr_fault_action a = sr_fault_set_match(h->faults, op, SR_FAULT_BEFORE, table, &ms);
    rt_buf out;
    switch (a) {
    case SR_FAULT_HTTP500:
        send_json(req, 500, "{\"status\":\"FAILED\",\"msg\":\"injected HTTP 500\"}");
        return;
    case SR_FAULT_DROP:
        drop_connection(req);
        return;
    case SR_FAULT_FAIL:
        /* an error in load or prepare rolls the transaction back (notes §2.4) */
        if (be && (!strcmp(op, "load") || !strcmp(op, "prepare"))) {
            sr_txn_reply r;
            sr_txn_rollback_be(h->txns, req_header, req, &r);
        }
        rt_buf_init(&out);
        fail_body(h, op, be, label, &out);
        send_json(req, 200, out.data);
        rt_buf_fini(&out);
        return;
    case SR_FAULT_DELAY: {
        /* the label is busy meanwhile: concurrent requests get TXN_IN_PROCESSING */
        if (be && !sr_txn_acquire(h->txns, db, label)) {
            finish(h, req, be, op, db, label, false);
            return;
        }
        pending *p = calloc(1, sizeof(*p));
        RT_ASSERT(p);
        *p = (pending){.h = h, .req = req, .be = be};
        snprintf(p->op, sizeof(p->op), "%s", op);
        snprintf(p->db, sizeof(p->db), "%s", db);
        snprintf(p->label, sizeof(p->label), "%s", label);
        rt_buf_init(&p->reply);
        schedule(h, p, ms);
        return;
    }
    default:
        finish(h, req, be, op, db, label, a == SR_FAULT_PUBLISH_TIMEOUT);
        return;
    }
}

static int do_op(sr_http *h, struct evhttp_request *req, bool be, const char *op, const char *db,
                 const char *label, bool publish_timeout, rt_buf *out)
{
    sr_txn_reply r;
    if (!strcmp(op, "stream_load")) {
        char segs[4][256];
        split_path(evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req)), segs, 4);
        const char *body;
        size_t len;
        body_of(req, &body, &len);
        sr_txn_stream_load(h->txns, segs[1], segs[2], req_header, req, body, len, publish_timeout, &r);
    } else if (!strcmp(op, "get_load_state")) {
        char reason[256];
        sr_label_state st = sr_txn_label_state(h->txns, db, label, reason, sizeof(reason));
        json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "state", sr_label_state_name(st),
                              "reason", reason, "status", "OK", "code", "0", "msg", "Success",
                              "message", "OK");
        char *s = json_dumps(j, JSON_COMPACT);
        rt_buf_append_str(out, s);
        free(s);
        json_decref(j);
        return 200;
    } else if (!strcmp(op, "cancel")) {
        rt_err err;
        rt_err_clear(&err);
        if (sr_txn_cancel(h->txns, db, label, &err)) {
            json_t *j = json_pack("{s:s,s:s,s:s,s:s}", "status", "FAILED", "code", "1", "msg",
                                  err.msg, "message", err.msg);
            char *s = json_dumps(j, JSON_COMPACT);
            rt_buf_append_str(out, s);
            free(s);
            json_decref(j);
        } else {
            rt_buf_append_str(out, "{\"status\":\"OK\",\"code\":\"0\",\"msg\":\"Success\",\"message\":\"OK\"}");
        }
        return 200;
    } else if (!be && !strcmp(op, "commit")) {
        if (!sr_txn_commit_fe(h->txns, db, label, publish_timeout, &r)) {
            redirect(h, req);
            return 0;
        }
    } else if (!be && !strcmp(op, "rollback")) {
        if (!sr_txn_rollback_fe(h->txns, db, label, &r)) {
            redirect(h, req);
            return 0;
        }
    } else if (!strcmp(op, "begin")) {
        sr_txn_begin(h->txns, req_header, req, &r);
    } else if (!strcmp(op, "load")) {
        const char *body;
        size_t len;
        body_of(req, &body, &len);
        sr_txn_load(h->txns, req_header, req, body, len, &r);
    } else if (!strcmp(op, "prepare")) {
        sr_txn_prepare(h->txns, req_header, req, &r);
    } else if (!strcmp(op, "commit")) {
        sr_txn_commit_be(h->txns, req_header, req, publish_timeout, &r);
    } else {
        sr_txn_rollback_be(h->txns, req_header, req, &r);
    }
    reply_txn(h, req, &r, out);
    return 200;
}

/* ---- admin (tests only) ---- */

static int admin_create_table(sr_http *h, const char *body, size_t len, rt_err *err)
{
    json_error_t jerr;
    json_t *j = json_loadb(body, len, 0, &jerr);
    if (!j)
        return rt_err_set(err, RT_EINVAL, "bad JSON: %s", jerr.text);
    const char *db = json_string_value(json_object_get(j, "db"));
    const char *table = json_string_value(json_object_get(j, "table"));
    json_t *cols = json_object_get(j, "columns"), *keys = json_object_get(j, "keys");
    const char *model = json_string_value(json_object_get(j, "model"));
    int rc = 0;
    if (!db || !table || !json_is_array(cols) || !json_is_array(keys)) {
        json_decref(j);
        return rt_err_set(err, RT_EINVAL, "need db, table, columns[], keys[]");
    }
    sr_table_def d;
    memset(&d, 0, sizeof(d));
    d.name = strdup(table);
    d.model = model && !strcasecmp(model, "DUPLICATE KEY") ? SR_MODEL_DUPLICATE_KEY : SR_MODEL_PRIMARY_KEY;
    d.column_count = json_array_size(cols);
    d.columns = calloc(d.column_count + 1, sizeof(sr_column_def));
    for (size_t i = 0; i < d.column_count && !rc; i++) {
        json_t *c = json_array_get(cols, i);
        const char *name = json_string_value(json_object_get(c, "name"));
        const char *type = json_string_value(json_object_get(c, "type"));
        const char *def = json_string_value(json_object_get(c, "default"));
        if (!name || !type) {
            rc = rt_err_set(err, RT_EINVAL, "column %zu needs name and type", i);
            break;
        }
        d.columns[i].name = strdup(name);
        rc = sr_type_parse(type, &d.columns[i].type, err);
        d.columns[i].nullable = json_is_true(json_object_get(c, "nullable"));
        d.columns[i].default_text = def ? strdup(def) : NULL;
    }
    d.key_count = json_array_size(keys);
    d.key_columns = calloc(d.key_count + 1, sizeof(char *));
    for (size_t i = 0; i < d.key_count; i++)
        d.key_columns[i] = strdup(json_string_value(json_array_get(keys, i)) ? json_string_value(json_array_get(keys, i)) : "");
    d.distributed_count = d.key_count;
    d.distributed_by = calloc(d.key_count + 1, sizeof(char *));
    for (size_t i = 0; i < d.key_count; i++)
        d.distributed_by[i] = strdup(d.key_columns[i]);
    d.buckets = (int)json_integer_value(json_object_get(j, "buckets"));
    if (!rc)
        rc = sr_store_create_database(h->store, db, true, err);
    if (!rc)
        rc = sr_store_create_table(h->store, db, &d, json_is_true(json_object_get(j, "if_not_exists")), err);
    sr_table_def_fini(&d);
    json_decref(j);
    return rc;
}

static int rows_cb(void *ctx, const sr_value *v, size_t n)
{
    rt_buf *b = ctx;
    rt_buf_append_str(b, b->len > 1 ? ",[" : "[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            rt_buf_append_char(b, ',');
        if (v[i].kind == SR_VALUE_TEXT)
            rt_buf_append_json_str(b, v[i].data, v[i].len);
        else
            rt_buf_append_str(b, "null");
    }
    rt_buf_append_str(b, "]\n");
    return 0;
}

static void admin(sr_http *h, struct evhttp_request *req, const char *what)
{
    rt_err err;
    rt_err_clear(&err);
    if (!strcmp(what, "create_table") && evhttp_request_get_command(req) == EVHTTP_REQ_POST) {
        const char *body;
        size_t len;
        body_of(req, &body, &len);
        if (admin_create_table(h, body, len, &err))
            fe_failed(req, err.msg);
        else
            send_json(req, 200, "{\"Status\":\"OK\"}");
        return;
    }
    if (!strcmp(what, "rows")) {
        char *db = query_param(req, "db"), *table = query_param(req, "table");
        rt_buf b;
        rt_buf_init(&b);
        rt_buf_append_str(&b, "[");
        if (sr_store_scan(h->store, db ? db : "", table ? table : "", rows_cb, &b, &err))
            fe_failed(req, err.msg);
        else {
            rt_buf_append_str(&b, "]\n");
            send_json(req, 200, b.data);
        }
        rt_buf_fini(&b);
        free(db);
        free(table);
        return;
    }
    evhttp_send_error(req, 404, "Not Found");
}

/* ---- routing ---- */

static void error_log(sr_http *h, struct evhttp_request *req)
{
    char *file = query_param(req, "file");
    const char *text = file ? sr_txn_error_log(h->txns, file) : NULL;
    if (text)
        send_body(req, 200, "OK", "text/plain; charset=utf-8", text, strlen(text));
    else
        evhttp_send_error(req, 404, "Not Found");
    free(file);
}

static bool is_txn_op(const char *s)
{
    return !strcmp(s, "begin") || !strcmp(s, "load") || !strcmp(s, "prepare") ||
           !strcmp(s, "commit") || !strcmp(s, "rollback");
}

static void fe_cb(struct evhttp_request *req, void *arg)
{
    sr_http *h = arg;
    const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);
    const char *path = u ? evhttp_uri_get_path(u) : NULL;
    char segs[5][256];
    int n = split_path(path ? path : "/", segs, 5);
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    if (n == 1 && !strcmp(segs[0], "_fault")) {
        if (cmd == EVHTTP_REQ_DELETE) {
            sr_fault_set_clear(h->faults);
            LOG_INFO("sr_http: faults cleared");
            send_json(req, 200, "{\"Status\":\"OK\"}");
            return;
        }
        const char *body;
        size_t len;
        body_of(req, &body, &len);
        /* The pulled-up body has no NUL after it: copy it whole (strndup may look past len). */
        char *text = malloc(len + 1);
        RT_ASSERT(text);
        memcpy(text, body, len);
        text[len] = '\0';
        rt_err err;
        rt_err_clear(&err);
        if (sr_fault_set_add_json(h->faults, text, &err))
            fe_failed(req, err.msg);
        else
            send_json(req, 200, "{\"Status\":\"OK\"}");
        free(text);
        return;
    }
    if (n == 1 && !strcmp(segs[0], "_ddl") && cmd == EVHTTP_REQ_GET) {
        /* Test-only, like /_fault: the DDL statements the store applied (sr_store_ddl_log_json). */
        char *text = sr_store_ddl_log_json(h->store);
        send_json(req, 200, text);
        free(text);
        return;
    }
    if (n == 2 && !strcmp(segs[0], "_admin")) {
        admin(h, req, segs[1]);
        return;
    }
    if (n == 2 && !strcmp(segs[0], "api") && !strcmp(segs[1], "_load_error_log")) {
        error_log(h, req);
        return;
    }
    if (n < 2 || strcmp(segs[0], "api") != 0) {
        evhttp_send_error(req, 404, "Not Found");
        return;
    }
    if (check_auth(h, req) != 0) {
        send_401(req);
        return;
    }
    if (n == 3 && !strcmp(segs[1], "transaction") && is_txn_op(segs[2])) {
        const char *db = req_header(req, "db"), *label = req_header(req, "label");
        if (!db || !*db) {
            fe_failed(req, "No database selected.");
            return;
        }
        if (!label || !*label) {
            fe_failed(req, "Empty label.");
            return;
        }
        if (!sr_store_has_database(h->store, db)) {
            char msg[400];
            snprintf(msg, sizeof(msg), "Database[%s] does not exist.", db);
            fe_failed(req, msg);
            return;
        }
        const char *op = segs[2];
        if (!strcmp(op, "begin") || !strcmp(op, "load")) {
            redirect(h, req);
            return;
        }
        sr_label_state st = sr_txn_label_state(h->txns, db, label, NULL, 0);
        if (st == SR_LABEL_UNKNOWN) {
            char msg[600];
            snprintf(msg, sizeof(msg), "No transaction found with db[%s] and label[%s]", db, label);
            fe_failed(req, msg);
            return;
        }
        if (!strcmp(op, "prepare")) {
            redirect(h, req);
            return;
        }
        run_op(h, req, false, op, db, label, req_header(req, "table"));
        return;
    }
    if (n == 4 && !strcmp(segs[3], "_stream_load")) {
        if (cmd != EVHTTP_REQ_PUT) {
            evhttp_send_error(req, 405, "Method Not Allowed");
            return;
        }
        const char *expect = req_header(req, "Expect");
        bool http11 = req->major > 1 || (req->major == 1 && req->minor >= 1);
        if (http11 && (!expect || strcasecmp(expect, "100-continue") != 0)) {
            fe_failed(req, "class com.starrocks.common.DdlException: There is no 100-continue header");
            return;
        }
        if (!segs[1][0]) {
            fe_failed(req, "No database selected.");
            return;
        }
        redirect(h, req);
        return;
    }
    if (n == 3 && !strcmp(segs[2], "get_load_state")) {
        char *label = query_param(req, "label");
        if (!sr_store_has_database(h->store, segs[1])) {
            char msg[400];
            snprintf(msg, sizeof(msg), "unknown database, database=%s", segs[1]);
            json_t *j = json_pack("{s:s,s:s,s:s,s:s}", "status", "FAILED", "code", "1", "msg", msg,
                                  "message", msg);
            char *s = json_dumps(j, JSON_COMPACT);
            send_json(req, 200, s);
            free(s);
            json_decref(j);
        } else {
            run_op(h, req, false, "get_load_state", segs[1], label ? label : "", NULL);
        }
        free(label);
        return;
    }
    if (n == 4 && !strcmp(segs[3], "_cancel")) {
        char *label = query_param(req, "label");
        run_op(h, req, false, "cancel", segs[1], label ? label : "", segs[2]);
        free(label);
        return;
    }
    evhttp_send_error(req, 404, "Not Found");
}

static void be_cb(struct evhttp_request *req, void *arg)
{
    sr_http *h = arg;
    const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);
    const char *path = u ? evhttp_uri_get_path(u) : NULL;
    char segs[5][256];
    int n = split_path(path ? path : "/", segs, 5);
    if (n == 2 && !strcmp(segs[0], "api") && !strcmp(segs[1], "_load_error_log")) {
        error_log(h, req);
        return;
    }
    int auth = check_auth(h, req);
    if (n == 4 && !strcmp(segs[0], "api") && !strcmp(segs[3], "_stream_load")) {
        if (auth) {
            sr_txn_reply r;
            memset(&r, 0, sizeof(r));
            r.kind = SR_REPLY_STREAM_LOAD;
            r.txn_id = -1;
            snprintf(r.status, sizeof(r.status), "Fail");
            snprintf(r.message, sizeof(r.message), "%s",
                     auth == 1 ? "no valid Basic authorization" : "Access denied for user");
            rt_buf b;
            rt_buf_init(&b);
            reply_txn(h, req, &r, &b);
            send_json(req, 200, b.data);
            rt_buf_fini(&b);
            return;
        }
        const char *label = req_header(req, "label");
        run_op(h, req, true, "stream_load", segs[1], label ? label : "", segs[2]);
        return;
    }
    if (n == 3 && !strcmp(segs[0], "api") && !strcmp(segs[1], "transaction") && is_txn_op(segs[2])) {
        const char *db = req_header(req, "db"), *label = req_header(req, "label");
        if (auth) {
            rt_buf b;
            rt_buf_init(&b);
            rt_buf_appendf(&b, "{\n    \"Status\": \"INTERNAL_ERROR\",\n    \"Message\": \"%s\"\n}\n",
                           auth == 1 ? "no valid Basic authorization" : "Access denied for user");
            send_json(req, 200, b.data);
            rt_buf_fini(&b);
            return;
        }
        run_op(h, req, true, segs[2], db ? db : "", label ? label : "", req_header(req, "table"));
        return;
    }
    evhttp_send_error(req, 404, "Not Found");
}

/* ---- lifecycle ---- */

static void tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    sr_http *h = arg;
    sr_txn_tick(h->txns, rt_clock_mono_ms());
}

static int bind_port(struct evhttp *http, const char *host, int port, int *bound, rt_err *err)
{
    struct evhttp_bound_socket *s = evhttp_bind_socket_with_handle(http, host, (ev_uint16_t)port);
    if (!s)
        return rt_err_set(err, RT_EIO, "bind %s:%d failed", host, port);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    if (getsockname(evhttp_bound_socket_get_fd(s), (struct sockaddr *)&ss, &sl) != 0)
        return rt_err_set(err, RT_EIO, "getsockname failed");
    *bound = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    return 0;
}

int sr_http_start(struct event_base *base, sr_store *store, const sr_http_config *cfg,
                  sr_http **out, rt_err *err)
{
    sr_http *h = calloc(1, sizeof(*h));
    RT_ASSERT(h);
    h->base = base;
    h->store = store;
    h->discard = cfg->discard;
    snprintf(h->host, sizeof(h->host), "%s", cfg->host ? cfg->host : "127.0.0.1");
    snprintf(h->user, sizeof(h->user), "%s", cfg->user ? cfg->user : "root");
    snprintf(h->password, sizeof(h->password), "%s", cfg->password ? cfg->password : "");
    h->txns = sr_txn_mgr_new(store, cfg->discard);
    h->faults = sr_fault_set_new();
    int rc = 0;
    if (cfg->faults && *cfg->faults && (rc = sr_fault_set_add_json(h->faults, cfg->faults, err))) {
        sr_http_free(h);
        return rc;
    }
    /* a dropped connection must not kill the process when libevent writes to it */
    signal(SIGPIPE, SIG_IGN);
    h->fe = evhttp_new(base);
    h->be = evhttp_new(base);
    unsigned methods = EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_HEAD;
    evhttp_set_allowed_methods(h->fe, (ev_uint16_t)methods);
    evhttp_set_allowed_methods(h->be, (ev_uint16_t)methods);
    evhttp_set_gencb(h->fe, fe_cb, h);
    evhttp_set_gencb(h->be, be_cb, h);
    if ((rc = bind_port(h->fe, h->host, cfg->fe_port, &h->fe_port, err)) ||
        (rc = bind_port(h->be, h->host, cfg->be_port, &h->be_port, err))) {
        sr_http_free(h);
        return rc;
    }
    int period = cfg->txn_check_ms > 0 ? cfg->txn_check_ms : 1000;
    h->ticker = event_new(base, -1, EV_PERSIST, tick, h);
    struct timeval tv = {.tv_sec = period / 1000, .tv_usec = (period % 1000) * 1000};
    event_add(h->ticker, &tv);
    LOG_INFO("sr_http: FE http on %s:%d, BE http on %s:%d%s", h->host, h->fe_port, h->host,
             h->be_port, h->discard ? " (discard mode)" : "");
    *out = h;
    return 0;
}

int sr_http_fe_port(const sr_http *h) { return h->fe_port; }
int sr_http_be_port(const sr_http *h) { return h->be_port; }

void sr_http_free(sr_http *h)
{
    if (!h)
        return;
    if (h->ticker)
        event_free(h->ticker);
    if (h->fe)
        evhttp_free(h->fe);
    if (h->be)
        evhttp_free(h->be);
    sr_txn_mgr_free(h->txns);
    sr_fault_set_free(h->faults);
    free(h);
}
