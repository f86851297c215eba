/* The load client (operators/starrocks/stream_load.c) against scripted HTTP servers on loopback:
 * a fake FE that answers 307 to a fake BE like StarRocks does (notes 1.1, 2.1), so the redirect,
 * the re-sent Authorization and body, failover, the retry policy and the settling of doubtful
 * commits through get_load_state are checked byte for byte, deterministically, without a server
 * process. The same client against sr-endpoint: test_stream_load_endpoint.c. */
#include "operators/starrocks/stream_load.h"
#include "operators/starrocks/sr_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "runtime/base/buf.h"
#include "runtime/base/failpoint.h"
#include "tests/harness/test.h"

/* ---- a scripted HTTP/1.1 server, one request per connection ------------------------------- */

typedef struct fake_req {
    char method[16];
    char path[512];
    char headers[4096]; /* raw header lines */
    char body[8192];
    size_t body_len;
} fake_req;

typedef struct fake_resp {
    int status; /* 0: close the connection without answering */
    char body[2048];
    int delay_ms; /* sleep before answering */
} fake_resp;

typedef struct fake_srv fake_srv;
typedef void (*fake_fn)(fake_srv *s, const fake_req *rq, fake_resp *out);

#define FAKE_LOG 32

struct fake_srv {
    int lfd;
    int port;
    pthread_t thread;
    volatile int stop;
    fake_fn fn;
    int redirect_port; /* FE: answer _stream_load, begin, load, prepare with 307 to this port */
    pthread_mutex_t mu;
    fake_req log[FAKE_LOG];
    int count; /* requests seen (log keeps the first FAKE_LOG) */
};

/* Case-insensitive header lookup in raw header text; copies the value into out. */
static bool req_header(const fake_req *rq, const char *name, char *out, size_t size)
{
    size_t n = strlen(name);
    const char *p = rq->headers;
    while (*p) {
        const char *eol = strstr(p, "\r\n");
        if (!eol)
            break;
        if ((size_t)(eol - p) > n && strncasecmp(p, name, n) == 0 && p[n] == ':') {
            const char *v = p + n + 1;
            while (*v == ' ')
                v++;
            snprintf(out, size, "%.*s", (int)(eol - v), v);
            return true;
        }
        p = eol + 2;
    }
    return false;
}

static bool write_all(int fd, const char *s, size_t n)
{
    while (n) {
        ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
        if (w <= 0)
            return false;
        s += w;
        n -= (size_t)w;
    }
    return true;
}

static void answer(int fd, int status, const char *extra_headers, const char *body)
{
    char head[1024];
    const char *reason = status == 200 ? "OK" : status == 307 ? "Temporary Redirect" : "X";
    snprintf(head, sizeof head,
             "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
             "Connection: close\r\n%s\r\n",
             status, reason, strlen(body), extra_headers);
    if (write_all(fd, head, strlen(head)))
        write_all(fd, body, strlen(body));
}

static bool redirected_path(const char *path)
{
    return strstr(path, "/_stream_load") || strstr(path, "/transaction/begin") ||
           strstr(path, "/transaction/load") || strstr(path, "/transaction/prepare");
}

static void serve_one(fake_srv *s, int fd)
{
    fake_req rq;
    memset(&rq, 0, sizeof rq);
    char buf[8192];
    size_t len = 0;
    char *end = NULL;
    while (!end && len < sizeof buf - 1) {
        ssize_t r = recv(fd, buf + len, sizeof buf - 1 - len, 0);
        if (r <= 0)
            return;
        len += (size_t)r;
        buf[len] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    if (!end)
        return;
    sscanf(buf, "%15s %511s", rq.method, rq.path);
    const char *hdr_start = strstr(buf, "\r\n") + 2;
    snprintf(rq.headers, sizeof rq.headers, "%.*s", (int)(end + 2 - hdr_start), hdr_start);
    size_t have = len - (size_t)(end + 4 - buf);
    memcpy(rq.body, end + 4, have);
    rq.body_len = have;

    pthread_mutex_lock(&s->mu);
    int idx = s->count++;
    pthread_mutex_unlock(&s->mu);

    if (s->redirect_port && redirected_path(rq.path)) {
        /* The FE: 307 before reading the body (the client waits for 100-continue). */
        if (idx < FAKE_LOG) {
            pthread_mutex_lock(&s->mu);
            s->log[idx] = rq;
            pthread_mutex_unlock(&s->mu);
        }
        char loc[700];
        snprintf(loc, sizeof loc, "Location: http://127.0.0.1:%d%s\r\n", s->redirect_port, rq.path);
        answer(fd, 307, loc, "");
        return;
    }
    char v[64];
    size_t want = req_header(&rq, "Content-Length", v, sizeof v) ? strtoul(v, NULL, 10) : 0;
    if (want > rq.body_len && req_header(&rq, "Expect", v, sizeof v))
        write_all(fd, "HTTP/1.1 100 Continue\r\n\r\n", 25);
    while (rq.body_len < want && rq.body_len < sizeof rq.body - 1) {
        ssize_t r = recv(fd, rq.body + rq.body_len, sizeof rq.body - 1 - rq.body_len, 0);
        if (r <= 0)
            break;
        rq.body_len += (size_t)r;
    }
    if (idx < FAKE_LOG) {
        pthread_mutex_lock(&s->mu);
        s->log[idx] = rq;
        pthread_mutex_unlock(&s->mu);
    }
    fake_resp resp = {.status = 200};
    s->fn(s, &rq, &resp);
    if (resp.delay_ms)
        usleep((useconds_t)resp.delay_ms * 1000);
    if (resp.status)
        answer(fd, resp.status, "", resp.body);
}

static void *serve(void *arg)
{
    fake_srv *s = arg;
    while (!s->stop) {
        struct pollfd p = {.fd = s->lfd, .events = POLLIN};
        if (poll(&p, 1, 20) <= 0)
            continue;
        int fd = accept(s->lfd, NULL, NULL);
        if (fd < 0)
            continue;
        serve_one(s, fd);
        close(fd);
    }
    return NULL;
}

static int listen_port(int *fd_out)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 16) != 0)
        return -1;
    socklen_t al = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &al);
    *fd_out = fd;
    return ntohs(a.sin_port);
}

static void fake_start(fake_srv *s, fake_fn fn, int redirect_port)
{
    memset(s, 0, sizeof *s);
    s->fn = fn;
    s->redirect_port = redirect_port;
    pthread_mutex_init(&s->mu, NULL);
    s->port = listen_port(&s->lfd);
    RT_ASSERT(s->port > 0);
    pthread_create(&s->thread, NULL, serve, s);
}

static void fake_stop(fake_srv *s)
{
    s->stop = 1;
    pthread_join(s->thread, NULL);
    close(s->lfd);
    pthread_mutex_destroy(&s->mu);
}

/* A port on which nothing listens: bound, then closed. */
static int refused_port(void)
{
    int fd;
    int port = listen_port(&fd);
    close(fd);
    return port;
}

/* ---- the scripted cluster ------------------------------------------------------------------ */

/* What the fake BE and FE answer, set per test. Counters count requests per kind. */
static struct {
    const char *put_reply;
    const char *begin_reply;
    const char *load_reply;
    int load_in_processing; /* answer TXN_IN_PROCESSING this many times first */
    const char *prepare_reply;
    const char *commit_reply; /* NULL: close without answering */
    const char *rollback_reply;
    const char *state; /* get_load_state's state */
    const char *error_log;
    int loads, commits, states, error_logs;
    int be_delay_ms;
} sc;

static void be_fn(fake_srv *s, const fake_req *rq, fake_resp *out)
{
    out->delay_ms = sc.be_delay_ms;
    const char *r = "{\"Status\":\"OK\",\"Message\":\"\"}";
    if (strstr(rq->path, "/_stream_load")) {
        r = sc.put_reply;
    } else if (strstr(rq->path, "/transaction/begin")) {
        r = sc.begin_reply;
    } else if (strstr(rq->path, "/transaction/load")) {
        if (sc.loads++ < sc.load_in_processing)
            r = "{\"Status\":\"TXN_IN_PROCESSING\",\"Label\":\"l\",\"Message\":\"busy\"}";
        else
            r = sc.load_reply;
    } else if (strstr(rq->path, "/transaction/prepare")) {
        r = sc.prepare_reply;
    } else if (strstr(rq->path, "/api/_load_error_log")) {
        sc.error_logs++;
        r = sc.error_log;
    }
    if (!r) {
        out->status = 0;
        return;
    }
    snprintf(out->body, sizeof out->body, "%s", r);
}

static void fe_fn(fake_srv *s, const fake_req *rq, fake_resp *out)
{
    const char *r = "{\"Status\":\"FAILED\",\"Message\":\"unexpected\"}";
    if (strstr(rq->path, "/transaction/commit")) {
        sc.commits++;
        r = sc.commit_reply;
    } else if (strstr(rq->path, "/transaction/rollback")) {
        r = sc.rollback_reply;
    } else if (strstr(rq->path, "/get_load_state")) {
        sc.states++;
        snprintf(out->body, sizeof out->body,
                 "{\"state\":\"%s\",\"status\":\"OK\",\"msg\":\"Success\",\"message\":\"OK\"}",
                 sc.state ? sc.state : "UNKNOWN");
        return;
    } else if (strstr(rq->path, "/_cancel")) {
        r = "{\"status\":\"OK\",\"code\":\"0\",\"msg\":\"Success\",\"message\":\"OK\"}";
    }
    if (!r) {
        out->status = 0;
        return;
    }
    snprintf(out->body, sizeof out->body, "%s", r);
}

static fake_srv fe, be;
static op_stream_load *client;
static const char *const PASSWORD = "s3cret-pw";

/* Starts BE and FE, a client whose load_urls are extra (may be NULL) then the FE. */
static void cluster_up(const char *first_url)
{
    memset(&sc, 0, sizeof sc);
    sc.put_reply = "{\"TxnId\":1,\"Label\":\"l\",\"Status\":\"Success\",\"Message\":\"OK\","
                   "\"NumberTotalRows\":2,\"NumberLoadedRows\":2,\"NumberFilteredRows\":0,"
                   "\"NumberUnselectedRows\":0,\"LoadBytes\":8}";
    sc.begin_reply = "{\"Status\":\"OK\",\"Message\":\"\",\"Label\":\"l\",\"TxnId\":42}";
    sc.load_reply = "{\"Status\":\"OK\",\"Message\":\"\",\"Label\":\"l\",\"TxnId\":42,"
                    "\"LoadBytes\":8}";
    sc.prepare_reply = "{\"Status\":\"OK\",\"Message\":\"\",\"Label\":\"l\",\"TxnId\":42,"
                       "\"NumberTotalRows\":2,\"NumberLoadedRows\":2}";
    sc.commit_reply = "{\"Status\":\"OK\",\"Message\":\"\",\"Label\":\"l\",\"TxnId\":42}";
    sc.rollback_reply = "{\"Status\":\"OK\",\"Message\":\"\",\"Label\":\"l\"}";
    sc.state = "UNKNOWN";
    fake_start(&be, be_fn, 0);
    fake_start(&fe, fe_fn, be.port);
    char fe_url[64];
    snprintf(fe_url, sizeof fe_url, "127.0.0.1:%d", fe.port);
    const char *urls[2];
    size_t n = 0;
    if (first_url)
        urls[n++] = first_url;
    urls[n++] = fe_url;
    op_stream_load_config cfg = {
        .load_urls = urls,
        .load_url_count = n,
        .user = "root",
        .password = PASSWORD,
        .connect_timeout_ms = 2000,
        .socket_timeout_ms = 1000,
        .max_retries = 2,
        .retry_backoff_ms = 10,
        .retry_backoff_max_ms = 40,
        .log_context = "job=t op=sink#0",
    };
    rt_err err;
    int rc = op_stream_load_new(&cfg, &client, &err);
    if (rc != 0)
        test_fail(__FILE__, __LINE__, "op_stream_load_new: %s", err.msg);
}

static void cluster_down(void)
{
    op_stream_load_free(client);
    client = NULL;
    fake_stop(&fe);
    fake_stop(&be);
    rt_failpoint_reset();
}

static const op_stream_load_props json_props = {.format = "json", .strip_outer_array = true};

/* "Basic " + base64("root:s3cret-pw") */
static const char *expected_auth(void)
{
    static char v[128];
    rt_buf b;
    rt_buf_init(&b);
    rt_buf_append_str(&b, "Basic ");
    rt_buf_append_base64(&b, "root:s3cret-pw", 14);
    snprintf(v, sizeof v, "%s", b.data);
    rt_buf_fini(&b);
    return v;
}

/* ---- tests --------------------------------------------------------------------------------- */

TEST(put_follows_the_fe_redirect_with_auth_and_body)
{
    cluster_up(NULL);
    const op_sr_header extra[] = {{"max_filter_ratio", "0.2"}, {"timeout", "90"}};
    op_stream_load_props props = {.format = "json",
                                  .columns = "id,name,__op",
                                  .strip_outer_array = true,
                                  .extra = extra,
                                  .extra_count = 2};
    const char *body =
        "[{\"id\":1,\"name\":\"a\",\"__op\":0},{\"id\":2,\"name\":\"b\",\"__op\":0}]";
    op_sr_result res;
    rt_err err;
    CHECK_OK(op_stream_load_put(client, "db1", "t1", "sluice-t1-0-1", &props, body, strlen(body),
                                &res, &err),
             &err);
    CHECK_INT_EQ(res.outcome, OP_SR_OK);
    CHECK_INT_EQ(res.loaded_rows, 2);
    CHECK_INT_EQ(res.http_status, 200);
    CHECK_INT_EQ(fe.count, 1);
    CHECK_INT_EQ(be.count, 1);
    char v[256];
    /* The FE saw Expect and the credentials, and sent us on before the body. */
    CHECK_STR_EQ(fe.log[0].method, "PUT");
    CHECK_STR_EQ(fe.log[0].path, "/api/db1/t1/_stream_load");
    CHECK(req_header(&fe.log[0], "Expect", v, sizeof v) && strcmp(v, "100-continue") == 0);
    CHECK(req_header(&fe.log[0], "Authorization", v, sizeof v));
    CHECK_STR_EQ(v, expected_auth());
    CHECK_UINT_EQ(fe.log[0].body_len, 0);
    /* The BE got the same PUT, the Authorization re-sent, every header and the whole body. */
    const fake_req *b = &be.log[0];
    CHECK_STR_EQ(b->method, "PUT");
    CHECK_STR_EQ(b->path, "/api/db1/t1/_stream_load");
    CHECK(req_header(b, "Authorization", v, sizeof v));
    CHECK_STR_EQ(v, expected_auth());
    CHECK(req_header(b, "label", v, sizeof v) && strcmp(v, "sluice-t1-0-1") == 0);
    CHECK(req_header(b, "format", v, sizeof v) && strcmp(v, "json") == 0);
    CHECK(req_header(b, "columns", v, sizeof v) && strcmp(v, "id,name,__op") == 0);
    CHECK(req_header(b, "strip_outer_array", v, sizeof v) && strcmp(v, "true") == 0);
    CHECK(req_header(b, "max_filter_ratio", v, sizeof v) && strcmp(v, "0.2") == 0);
    CHECK(req_header(b, "timeout", v, sizeof v) && strcmp(v, "90") == 0);
    CHECK(!req_header(b, "column_separator", v, sizeof v));
    CHECK_UINT_EQ(b->body_len, strlen(body));
    CHECK(memcmp(b->body, body, strlen(body)) == 0);
    cluster_down();
}

TEST(put_label_outcomes)
{
    cluster_up(NULL);
    op_sr_result res;
    rt_err err;
    sc.put_reply = "{\"TxnId\":-1,\"Status\":\"Label Already Exists\",\"ExistingJobStatus\":"
                   "\"FINISHED\",\"Message\":\"Label [l] has already been used.\"}";
    CHECK_OK(op_stream_load_put(client, "d", "t", "l", &json_props, "[]", 2, &res, &err), &err);
    CHECK_INT_EQ(res.outcome, OP_SR_LABEL_FINISHED);
    sc.put_reply = "{\"TxnId\":-1,\"Status\":\"Label Already Exists\",\"ExistingJobStatus\":"
                   "\"RUNNING\",\"Message\":\"Label [l] has already been used.\"}";
    CHECK_INT_EQ(op_stream_load_put(client, "d", "t", "l", &json_props, "[]", 2, &res, &err),
                 RT_EEXIST);
    CHECK_INT_EQ(res.outcome, OP_SR_LABEL_RUNNING);
    CHECK_STR_CONTAINS(err.msg, "put 'l'");
    CHECK_STR_CONTAINS(err.msg, "RUNNING");
    CHECK_INT_EQ(sc.states, 1); /* it asked; UNKNOWN is not "in" */
    /* The bare text of newer versions [I2], and the state says the earlier load went in. */
    sc.put_reply = "{\"Status\":\"Fail\",\"Message\":\"Label [l] has already been used.\"}";
    sc.state = "VISIBLE";
    CHECK_OK(op_stream_load_put(client, "d", "t", "l", &json_props, "[]", 2, &res, &err), &err);
    CHECK_INT_EQ(res.outcome, OP_SR_LABEL_EXISTS);
    CHECK(res.state_checked);
    CHECK_INT_EQ(res.state, OP_SR_STATE_VISIBLE);
    sc.state = "PREPARE";
    CHECK_INT_EQ(op_stream_load_put(client, "d", "t", "l", &json_props, "[]", 2, &res, &err),
                 RT_EEXIST);
    cluster_down();
}

TEST(put_too_many_filtered_rows_quotes_the_error_log)
{
    cluster_up(NULL);
    static char reply[512];
    snprintf(reply, sizeof reply,
             "{\"TxnId\":3,\"Status\":\"Fail\",\"Message\":\"too many filtered rows\","
             "\"NumberTotalRows\":2,\"NumberFilteredRows\":1,\"ErrorURL\":"
             "\"http://127.0.0.1:%d/api/_load_error_log?file=error_log_1\"}",
             be.port);
    sc.put_reply = reply;
    sc.error_log = "Error: Value count does not match column count. Row: 1,a,b\n"
                   "Error: second\nError: third\nError: fourth\n";
    op_sr_result res;
    rt_err err;
    CHECK_INT_EQ(op_stream_load_put(client, "d", "t", "l", &json_props, "[]", 2, &res, &err),
                 RT_EINVAL);
    CHECK_INT_EQ(res.outcome, OP_SR_DATA_QUALITY);
    CHECK_INT_EQ(res.filtered_rows, 1);
    CHECK_STR_CONTAINS(err.msg, "too many filtered rows");
    CHECK_STR_CONTAINS(err.msg, "Value count does not match column count");
    CHECK_STR_CONTAINS(err.msg, "third");
    CHECK(!strstr(err.msg, "fourth")); /* first 3 lines only */
    CHECK_INT_EQ(sc.error_logs, 1);
    /* The error log URL comes from the server: no credentials go there. */
    char v[128];
    CHECK(!req_header(&be.log[1], "Authorization", v, sizeof v));
    char *text = NULL;
    CHECK_OK(op_stream_load_fetch_error_log(client, res.error_url, 2, &text, &err), &err);
    CHECK_STR_EQ(text, "Error: Value count does not match column count. Row: 1,a,b\n"
                       "Error: second");
    free(text);
    CHECK_INT_EQ(op_stream_load_fetch_error_log(client, "file:///etc/passwd", 2, &text, &err),
                 RT_EINVAL);
    cluster_down();
}

TEST(put_fe_failed_is_not_success_and_retried_when_unavailable)
{
    cluster_up(NULL);
    sc.put_reply = "{\"Status\":\"FAILED\",\"Message\":\"No backend alive.\"}";
    op_sr_result res;
    rt_err err;
    CHECK_INT_EQ(op_stream_load_put(client, "d", "t", "l", &json_props, "[]", 2, &res, &err),
                 RT_EUNAVAIL);
    CHECK_INT_EQ(res.outcome, OP_SR_UNAVAILABLE);
    CHECK_INT_EQ(be.count, 3); /* 1 + max_retries (2): a labelled load is idempotent */
    CHECK_INT_EQ(res.attempts, 3);
    CHECK_STR_CONTAINS(err.msg, "No backend alive.");
    /* A generic failure is not retried. */
    sc.put_reply = "{\"Status\":\"Fail\",\"Message\":\"all partitions have no load data\"}";
    CHECK_INT_EQ(op_stream_load_put(client, "d", "t", "l", &json_props, "[]", 2, &res, &err),
                 RT_EIO);
    CHECK_INT_EQ(be.count, 4);
    cluster_down();
}

TEST(auth_failure_never_shows_the_password)
{
    cluster_up(NULL);
    sc.begin_reply = "{\"Status\":\"INTERNAL_ERROR\",\"Message\":\"no valid Basic "
                     "authorization\"}";
    op_sr_result res;
    rt_err err;
    CHECK_INT_EQ(op_stream_load_begin(client, "d", "t", "l", 60, 0, &res, &err), RT_EINVAL);
    CHECK_INT_EQ(res.outcome, OP_SR_AUTH_FAILED);
    CHECK(!strstr(err.msg, PASSWORD));
    CHECK(!strstr(res.message, PASSWORD));
    CHECK_STR_CONTAINS(err.msg, "begin 'l' (db 'd')");
    cluster_down();
}

TEST(transaction_round_trip)
{
    cluster_up(NULL);
    op_sr_result res;
    rt_err err;
    CHECK_OK(op_stream_load_begin(client, "d", "t", "lbl-1", 600, 120, &res, &err), &err);
    CHECK_INT_EQ(res.txn_id, 42);
    char v[64];
    CHECK_STR_EQ(be.log[0].path, "/api/transaction/begin");
    CHECK_STR_EQ(be.log[0].method, "POST");
    CHECK(req_header(&be.log[0], "label", v, sizeof v) && strcmp(v, "lbl-1") == 0);
    CHECK(req_header(&be.log[0], "db", v, sizeof v) && strcmp(v, "d") == 0);
    CHECK(req_header(&be.log[0], "table", v, sizeof v) && strcmp(v, "t") == 0);
    CHECK(req_header(&be.log[0], "timeout", v, sizeof v) && strcmp(v, "600") == 0);
    CHECK(req_header(&be.log[0], "idle_transaction_timeout", v, sizeof v) && strcmp(v, "120") == 0);
    CHECK(req_header(&be.log[0], "Authorization", v, sizeof v));

    CHECK_OK(
        op_stream_load_load(client, "d", "t", "lbl-1", &json_props, "[{\"a\":1}]", 9, &res, &err),
        &err);
    CHECK_INT_EQ(res.load_bytes, 8);
    CHECK_STR_EQ(be.log[1].method, "PUT");
    CHECK_STR_EQ(be.log[1].path, "/api/transaction/load");
    CHECK(req_header(&be.log[1], "format", v, sizeof v) && strcmp(v, "json") == 0);
    CHECK_UINT_EQ(be.log[1].body_len, 9);

    CHECK_OK(op_stream_load_prepare(client, "d", "lbl-1", 3600, &res, &err), &err);
    CHECK_INT_EQ(res.loaded_rows, 2);
    CHECK(req_header(&be.log[2], "prepared_timeout", v, sizeof v) && strcmp(v, "3600") == 0);
    CHECK(!req_header(&be.log[2], "table", v, sizeof v));

    /* Commit and rollback are answered by the FE itself. */
    CHECK_OK(op_stream_load_commit(client, "d", "lbl-1", &res, &err), &err);
    CHECK_INT_EQ(res.outcome, OP_SR_OK);
    CHECK(!res.state_checked);
    CHECK_INT_EQ(sc.commits, 1);
    CHECK_INT_EQ(sc.states, 0);
    CHECK_INT_EQ(be.count, 3);

    /* A second commit: "already committed" is success. */
    sc.commit_reply = "{\"Status\":\"OK\",\"Message\":\"Transaction 42 has already committed, "
                      "label is lbl-1\",\"TxnId\":42,\"Label\":\"lbl-1\"}";
    CHECK_OK(op_stream_load_commit(client, "d", "lbl-1", &res, &err), &err);
    CHECK_INT_EQ(res.outcome, OP_SR_ALREADY_COMMITTED);

    CHECK_OK(op_stream_load_rollback(client, "d", "lbl-2", &res, &err), &err);
    sc.rollback_reply = "{\"Status\":\"OK\",\"Message\":\"Transaction 43 has already aborted, "
                        "label is lbl-2\"}";
    CHECK_OK(op_stream_load_rollback(client, "d", "lbl-2", &res, &err), &err);
    CHECK_INT_EQ(res.outcome, OP_SR_ALREADY_ABORTED);

    op_sr_load_state st;
    sc.state = "VISIBLE";
    CHECK_OK(op_stream_load_get_load_state(client, "d", "lbl-1", &st, &err), &err);
    CHECK_INT_EQ(st, OP_SR_STATE_VISIBLE);
    CHECK_OK(op_stream_load_cancel(client, "d", "t", "lbl-3", &err), &err);
    cluster_down();
}

TEST(begin_label_conflicts)
{
    cluster_up(NULL);
    op_sr_result res;
    rt_err err;
    sc.begin_reply = "{\"Status\":\"LABEL_ALREADY_EXISTS\",\"ExistingJobStatus\":\"FINISHED\","
                     "\"Message\":\"Label [l] has already been used.\"}";
    CHECK_INT_EQ(op_stream_load_begin(client, "d", "t", "l", 0, 0, &res, &err), RT_EEXIST);
    CHECK_INT_EQ(res.outcome, OP_SR_LABEL_FINISHED);
    char v[32];
    CHECK(!req_header(&be.log[0], "timeout", v, sizeof v)); /* 0: not sent */
    sc.begin_reply = "{\"Status\":\"LABEL_ALREADY_EXISTS\",\"ExistingJobStatus\":\"RUNNING\","
                     "\"Message\":\"Label [l] has already been used.\"}";
    CHECK_INT_EQ(op_stream_load_begin(client, "d", "t", "l", 0, 0, &res, &err), RT_EEXIST);
    CHECK_INT_EQ(res.outcome, OP_SR_LABEL_RUNNING);
    CHECK_INT_EQ(be.count, 2); /* never retried */
    cluster_down();
}

TEST(txn_in_processing_is_retried_with_backoff)
{
    cluster_up(NULL);
    sc.load_in_processing = 2;
    op_sr_result res;
    rt_err err;
    CHECK_OK(op_stream_load_load(client, "d", "t", "l", &json_props, "[]", 2, &res, &err), &err);
    CHECK_INT_EQ(res.outcome, OP_SR_OK);
    CHECK_INT_EQ(sc.loads, 3);
    CHECK_INT_EQ(res.attempts, 3);
    /* Still busy after max_retries: transient, reported. */
    sc.loads = 0;
    sc.load_in_processing = 100;
    CHECK_INT_EQ(op_stream_load_load(client, "d", "t", "l", &json_props, "[]", 2, &res, &err),
                 RT_EUNAVAIL);
    CHECK_INT_EQ(res.outcome, OP_SR_TXN_IN_PROCESSING);
    CHECK_INT_EQ(sc.loads, 3);
    /* Other load failures are not retried: the transaction is gone (notes 2.4). */
    sc.loads = 0;
    sc.load_in_processing = 0;
    sc.load_reply = "{\"Status\":\"INTERNAL_ERROR\",\"Message\":\"load request not equal last.\"}";
    CHECK_INT_EQ(op_stream_load_load(client, "d", "t", "l", &json_props, "[]", 2, &res, &err),
                 RT_EINVAL);
    CHECK_INT_EQ(sc.loads, 1);
    cluster_down();
}

TEST(commit_doubt_is_settled_by_load_state)
{
    cluster_up(NULL);
    op_sr_result res;
    rt_err err;
    /* A failure reply, but the FE says VISIBLE: committed. */
    sc.commit_reply = "{\"Status\":\"FAILED\",\"Message\":\"class x: publish wait\"}";
    sc.state = "VISIBLE";
    CHECK_OK(op_stream_load_commit(client, "d", "l", &res, &err), &err);
    CHECK(res.state_checked);
    CHECK_INT_EQ(res.state, OP_SR_STATE_VISIBLE);
    CHECK_INT_EQ(sc.states, 1);
    /* The reply never comes (connection closed): COMMITTED is success too. */
    sc.commit_reply = NULL;
    sc.state = "COMMITTED";
    CHECK_OK(op_stream_load_commit(client, "d", "l", &res, &err), &err);
    CHECK_INT_EQ(res.state, OP_SR_STATE_COMMITTED);
    CHECK_INT_EQ(sc.commits, 2); /* a lost reply is not blindly re-sent */
    /* Aborted: RT_ESTATE; unknown: RT_ENOTFOUND; still PREPARED: the reply's own code. */
    sc.commit_reply = "{\"Status\":\"FAILED\",\"Message\":\"class x: txn aborted\"}";
    sc.state = "ABORTED";
    CHECK_INT_EQ(op_stream_load_commit(client, "d", "l", &res, &err), RT_ESTATE);
    CHECK_STR_CONTAINS(err.msg, "ABORTED");
    sc.state = "UNKNOWN";
    CHECK_INT_EQ(op_stream_load_commit(client, "d", "l", &res, &err), RT_ENOTFOUND);
    sc.commit_reply = "{\"Status\":\"FAILED\",\"Message\":\"No backend alive.\"}";
    sc.state = "PREPARED";
    CHECK_INT_EQ(op_stream_load_commit(client, "d", "l", &res, &err), RT_EUNAVAIL);
    CHECK_INT_EQ(res.state, OP_SR_STATE_PREPARED);
    cluster_down();
}

TEST(lost_commit_reply_failpoint)
{
    cluster_up(NULL);
    rt_err err;
    CHECK_OK(rt_failpoint_init("starrocks.lose_commit_reply=error", &err), &err);
    op_sr_result res;
    sc.state = "VISIBLE";
    CHECK_OK(op_stream_load_commit(client, "d", "l", &res, &err), &err);
    CHECK_INT_EQ(sc.commits, 1); /* the commit was sent */
    CHECK(res.state_checked);
    CHECK_INT_EQ(res.state, OP_SR_STATE_VISIBLE);
    CHECK_INT_EQ(res.outcome, OP_SR_NO_REPLY); /* nothing of the reply was used */
    sc.state = "PREPARED";
    CHECK_INT_EQ(op_stream_load_commit(client, "d", "l", &res, &err), RT_EUNAVAIL);
    CHECK_STR_CONTAINS(err.msg, "commit reply lost");
    CHECK_UINT_EQ(rt_failpoint_hits("starrocks.lose_commit_reply"), 2);
    cluster_down();
}

TEST(failpoints_before_and_after)
{
    cluster_up(NULL);
    rt_err err;
    CHECK_OK(rt_failpoint_init("starrocks.before_begin=error,starrocks.after_prepare=error", &err),
             &err);
    op_sr_result res;
    CHECK_INT_EQ(op_stream_load_begin(client, "d", "t", "l", 0, 0, &res, &err), RT_EIO);
    CHECK_STR_CONTAINS(err.msg, "starrocks.before_begin");
    CHECK_INT_EQ(be.count, 0); /* nothing sent */
    CHECK_INT_EQ(op_stream_load_prepare(client, "d", "l", 0, &res, &err), RT_EIO);
    CHECK_INT_EQ(be.count, 1); /* sent, then failed after */
    CHECK_INT_EQ(res.outcome, OP_SR_OK);
    cluster_down();
}

TEST(second_prepare_txn_not_exists_then_prepared)
{
    cluster_up(NULL);
    op_sr_result res;
    rt_err err;
    sc.prepare_reply = "{\"Status\":\"TXN_NOT_EXISTS\",\"Message\":\"transaction with label l "
                       "not exists\"}";
    sc.state = "PREPARED";
    CHECK_OK(op_stream_load_prepare(client, "d", "l", 0, &res, &err), &err);
    CHECK(res.state_checked);
    sc.state = "UNKNOWN";
    CHECK_INT_EQ(op_stream_load_prepare(client, "d", "l", 0, &res, &err), RT_ENOTFOUND);
    sc.state = "ABORTED";
    CHECK_INT_EQ(op_stream_load_prepare(client, "d", "l", 0, &res, &err), RT_ESTATE);
    /* Other prepare failures do not ask. */
    int asked = sc.states;
    sc.prepare_reply = "{\"Status\":\"INTERNAL_ERROR\",\"Message\":\"transaction 5 hasn't send "
                       "any data yet\"}";
    CHECK_INT_EQ(op_stream_load_prepare(client, "d", "l", 0, &res, &err), RT_EIO);
    CHECK_INT_EQ(sc.states, asked);
    cluster_down();
}

TEST(rollback_failure_is_settled_by_state)
{
    cluster_up(NULL);
    op_sr_result res;
    rt_err err;
    sc.rollback_reply = "{\"Status\":\"FAILED\",\"Message\":\"class x: Transaction is "
                        "committed\"}";
    sc.state = "VISIBLE";
    CHECK_INT_EQ(op_stream_load_rollback(client, "d", "l", &res, &err), RT_ESTATE);
    sc.rollback_reply = "{\"Status\":\"FAILED\",\"Message\":\"No transaction found with db[d] "
                        "and label[l]\"}";
    sc.state = "UNKNOWN";
    CHECK_INT_EQ(op_stream_load_rollback(client, "d", "l", &res, &err), RT_ENOTFOUND);
    sc.state = "ABORTED";
    CHECK_OK(op_stream_load_rollback(client, "d", "l", &res, &err), &err);
    cluster_down();
}

TEST(failover_to_the_next_load_url)
{
    char dead[64];
    snprintf(dead, sizeof dead, "127.0.0.1:%d", refused_port());
    cluster_up(dead);
    op_sr_result res;
    rt_err err;
    CHECK_OK(op_stream_load_begin(client, "d", "t", "l", 0, 0, &res, &err), &err);
    CHECK_INT_EQ(res.attempts, 2);
    CHECK(strcmp(op_stream_load_current_url(client), dead) != 0);
    CHECK_INT_EQ(be.count, 1);
    /* The client now starts with the one that answered. */
    CHECK_OK(op_stream_load_begin(client, "d", "t", "l2", 0, 0, &res, &err), &err);
    CHECK_INT_EQ(res.attempts, 1);
    op_stream_load_free(client);

    /* Nothing listens anywhere: RT_EUNAVAIL after 1 + max_retries rounds. */
    const char *urls[] = {dead};
    op_stream_load_config cfg = {.load_urls = urls,
                                 .load_url_count = 1,
                                 .user = "root",
                                 .password = PASSWORD,
                                 .max_retries = 2,
                                 .retry_backoff_ms = 5};
    CHECK_OK(op_stream_load_new(&cfg, &client, &err), &err);
    CHECK_INT_EQ(op_stream_load_begin(client, "d", "t", "l", 0, 0, &res, &err), RT_EUNAVAIL);
    CHECK_INT_EQ(res.attempts, 3);
    CHECK_INT_EQ(res.outcome, OP_SR_NO_REPLY);
    CHECK_STR_CONTAINS(err.msg, "no load_url reachable");
    CHECK(!strstr(err.msg, PASSWORD));
    op_sr_load_state st;
    CHECK_INT_EQ(op_stream_load_get_load_state(client, "d", "l", &st, &err), RT_EUNAVAIL);
    cluster_down();
}

TEST(dropped_connection_and_timeout_are_transient_and_not_retried)
{
    cluster_up(NULL);
    op_sr_result res;
    rt_err err;
    sc.load_reply = NULL; /* the BE closes without answering */
    CHECK_INT_EQ(op_stream_load_load(client, "d", "t", "l", &json_props, "[]", 2, &res, &err),
                 RT_EUNAVAIL);
    CHECK_INT_EQ(res.outcome, OP_SR_NO_REPLY);
    CHECK_INT_EQ(be.count, 1);
    CHECK(rt_err_is_transient(RT_EUNAVAIL));
    /* The BE takes longer than the socket timeout (1 s). */
    sc.be_delay_ms = 2500;
    sc.begin_reply = "{\"Status\":\"OK\",\"Message\":\"\",\"TxnId\":1}";
    CHECK_INT_EQ(op_stream_load_begin(client, "d", "t", "l", 0, 0, &res, &err), RT_ETIMEDOUT);
    CHECK_INT_EQ(be.count, 2);
    cluster_down();
}

TEST(config_and_header_validation)
{
    op_stream_load *c = NULL;
    rt_err err;
    op_stream_load_config cfg = {.user = "root"};
    CHECK_INT_EQ(op_stream_load_new(&cfg, &c, &err), RT_EINVAL);
    const char *bad[] = {"http://h:1/path"};
    cfg.load_urls = bad;
    cfg.load_url_count = 1;
    CHECK_INT_EQ(op_stream_load_new(&cfg, &c, &err), RT_EINVAL);
    const char *ftp[] = {"ftp://h:1"};
    cfg.load_urls = ftp;
    CHECK_INT_EQ(op_stream_load_new(&cfg, &c, &err), RT_EINVAL);
    const char *good[] = {"http://127.0.0.1:1/", "127.0.0.1:2"};
    cfg.load_urls = good;
    cfg.load_url_count = 2;
    cfg.user = NULL;
    CHECK_INT_EQ(op_stream_load_new(&cfg, &c, &err), RT_EINVAL);
    cfg.user = "root";
    CHECK_OK(op_stream_load_new(&cfg, &c, &err), &err);
    CHECK_STR_EQ(op_stream_load_current_url(c), "http://127.0.0.1:1/");

    op_sr_result res;
    const op_sr_header inject[] = {{"x", "a\r\nAuthorization: Basic eA=="}};
    op_stream_load_props p = {.extra = inject, .extra_count = 1};
    CHECK_INT_EQ(op_stream_load_put(c, "d", "t", "l", &p, "", 0, &res, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "line break");
    const op_sr_header dup[] = {{"Label", "other"}};
    p.extra = dup;
    CHECK_INT_EQ(op_stream_load_put(c, "d", "t", "l", &p, "", 0, &res, &err), RT_EINVAL);
    CHECK_INT_EQ(op_stream_load_put(c, "d", "t", "", NULL, "", 0, &res, &err), RT_EINVAL);
    CHECK_INT_EQ(op_stream_load_begin(c, "d", "t", "a\nb", 0, 0, &res, &err), RT_EINVAL);
    op_stream_load_free(c);
    op_stream_load_free(NULL);
}

TEST(http_helpers)
{
    char *u = NULL;
    rt_err err;
    CHECK_OK(op_sr_http_base_url("127.0.0.1:8030", &u, &err), &err);
    CHECK_STR_EQ(u, "http://127.0.0.1:8030");
    free(u);
    CHECK_OK(op_sr_http_base_url("HTTPS://fe.example:8443//", &u, &err), &err);
    CHECK_STR_EQ(u, "https://fe.example:8443");
    free(u);
    CHECK_INT_EQ(op_sr_http_base_url("http://root:hunter2@fe:8030", &u, &err), RT_EINVAL);
    CHECK(!strstr(err.msg, "hunter2"));
    CHECK_INT_EQ(op_sr_http_base_url("fe:8030?x=1", &u, &err), RT_EINVAL);
    CHECK_INT_EQ(op_sr_http_base_url("", &u, &err), RT_EINVAL);

    CHECK_OK(op_sr_http_check_header("max_filter_ratio", "0.1", &err), &err);
    CHECK_INT_EQ(op_sr_http_check_header("bad name", "x", &err), RT_EINVAL);
    CHECK_INT_EQ(op_sr_http_check_header("a:b", "x", &err), RT_EINVAL);
    CHECK_INT_EQ(op_sr_http_check_header("x", "a\rb", &err), RT_EINVAL);
    CHECK_INT_EQ(op_sr_http_check_header("x", NULL, &err), RT_EINVAL);

    rt_buf b;
    rt_buf_init(&b);
    op_sr_http_append_escaped(&b, "my db/t?x=1&y~_.-");
    CHECK_STR_EQ(b.data, "my%20db%2Ft%3Fx%3D1%26y~_.-");
    rt_buf_fini(&b);

    char *l = op_sr_http_first_lines("a\r\nb\nc\n", 8, 2);
    CHECK_STR_EQ(l, "a\r\nb");
    free(l);
    l = op_sr_http_first_lines("a\nb", 3, 10);
    CHECK_STR_EQ(l, "a\nb");
    free(l);
    l = op_sr_http_first_lines(NULL, 0, 3);
    CHECK_STR_EQ(l, "");
    free(l);
}

TEST_MAIN()
