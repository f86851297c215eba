/* The load client (operators/starrocks/stream_load.c) against sr-endpoint (tests/sr_endpoint/),
 * the project's StarRocks-compatible endpoint, started here as a child process on loopback:
 * rows loaded by the client are read back over the endpoint's MySQL port. */
#include "operators/starrocks/stream_load.h"

#include <pthread.h>

#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "operators/starrocks/sr_http.h"
#include "runtime/base/clock.h"
#include "runtime/base/failpoint.h"
#include "tests/harness/mariadb.h"
#include "tests/harness/test.h"

/* The endpoint's password: the client must send it to the FE and, after the 307, to the BE. */
static const char *const PASSWORD = "it-secret-pw";
static pid_t endpoint_pid;
static int fe_port, be_port, query_port;
static op_stream_load *client;

/* Starts sr-endpoint (path in $SR_ENDPOINT_BIN) and waits for its ports file. */
static bool endpoint_start(void)
{
    const char *bin = getenv("SR_ENDPOINT_BIN");
    if (!bin) {
        test_fail(__FILE__, __LINE__, "SR_ENDPOINT_BIN is not set: run under ctest");
        return false;
    }
    char data_dir[512], ports[512], pw_file[512];
    snprintf(data_dir, sizeof data_dir, "%s/sr-data", test_tmpdir());
    snprintf(ports, sizeof ports, "%s/ports.json", test_tmpdir());
    snprintf(pw_file, sizeof pw_file, "%s/sr-password", test_tmpdir());
    FILE *f = fopen(pw_file, "w");
    if (!f) {
        test_fail(__FILE__, __LINE__, "cannot write %s", pw_file);
        return false;
    }
    fprintf(f, "%s\n", PASSWORD);
    fclose(f);
    endpoint_pid = fork();
    if (endpoint_pid == 0) {
        execl(bin, bin, "--data-dir", data_dir, "--fe-http-port", "0", "--be-http-port", "0",
              "--query-port", "0", "--ports-file", ports, "--user", "root", "--password-file",
              pw_file, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 200; i++) {
        char *text = test_read_file(ports, NULL);
        if (text) {
            json_error_t jerr;
            json_t *j = json_loads(text, 0, &jerr);
            free(text);
            if (j) {
                fe_port = (int)json_integer_value(json_object_get(j, "fe_http"));
                be_port = (int)json_integer_value(json_object_get(j, "be_http"));
                query_port = (int)json_integer_value(json_object_get(j, "query"));
                json_decref(j);
                if (fe_port > 0 && be_port > 0 && query_port > 0)
                    return true;
            }
        }
        int status;
        if (waitpid(endpoint_pid, &status, WNOHANG) == endpoint_pid) {
            test_fail(__FILE__, __LINE__, "sr-endpoint exited (status %d)", status);
            endpoint_pid = 0;
            return false;
        }
        rt_sleep_ms(50);
    }
    test_fail(__FILE__, __LINE__, "sr-endpoint wrote no ports file within 10 s");
    return false;
}

/* SIGTERM, then SIGKILL after 5 s: the test must not hang on a stuck child. */
static void endpoint_stop(void)
{
    if (endpoint_pid <= 0)
        return;
    kill(endpoint_pid, SIGTERM);
    for (int i = 0; i < 100; i++) {
        if (waitpid(endpoint_pid, NULL, WNOHANG) == endpoint_pid) {
            endpoint_pid = 0;
            return;
        }
        rt_sleep_ms(50);
    }
    kill(endpoint_pid, SIGKILL);
    waitpid(endpoint_pid, NULL, 0);
    endpoint_pid = 0;
}

/* SQL over the endpoint's MySQL port, through the harness helpers (their SLUICE_MYSQL_*). */
static void sql_env(void)
{
    char port[16];
    snprintf(port, sizeof port, "%d", query_port);
    setenv("SLUICE_MYSQL_HOST", "127.0.0.1", 1);
    setenv("SLUICE_MYSQL_PORT", port, 1);
    setenv("SLUICE_MYSQL_USER", "root", 1);
    setenv("SLUICE_MYSQL_PASSWORD", PASSWORD, 1);
    unsetenv("SLUICE_MYSQL_SOCKET");
}

static long long count_rows(const char *table)
{
    char q[256];
    snprintf(q, sizeof q, "SELECT COUNT(*) FROM sl_client.%s", table);
    char *v = test_mysql_scalar(q);
    long long n = v ? atoll(v) : -1;
    free(v);
    return n;
}

static void make_table(const char *table)
{
    char q[512];
    snprintf(q, sizeof q,
             "CREATE TABLE sl_client.%s (id INT NOT NULL, name VARCHAR(32)) PRIMARY KEY (id) "
             "DISTRIBUTED BY HASH (id) PROPERTIES (\"replication_num\" = \"1\")",
             table);
    if (test_mysql_exec(q) != 0)
        test_fail(__FILE__, __LINE__, "cannot create table %s", table);
}

static op_stream_load *client_for(const char *first_url)
{
    char fe_url[64];
    snprintf(fe_url, sizeof fe_url, "127.0.0.1:%d", fe_port);
    const char *urls[2];
    size_t n = 0;
    if (first_url)
        urls[n++] = first_url;
    urls[n++] = fe_url;
    op_stream_load_config cfg = {.load_urls = urls,
                                 .load_url_count = n,
                                 .user = "root",
                                 .password = PASSWORD,
                                 .connect_timeout_ms = 2000,
                                 .socket_timeout_ms = 30000,
                                 .max_retries = 3,
                                 .retry_backoff_ms = 20,
                                 .log_context = "test=endpoint"};
    op_stream_load *c = NULL;
    rt_err err;
    if (op_stream_load_new(&cfg, &c, &err) != 0)
        test_fail(__FILE__, __LINE__, "op_stream_load_new: %s", err.msg);
    return c;
}

static const op_stream_load_props json_props = {.format = "json", .strip_outer_array = true};

static bool setup_done;

static void setup(void)
{
    if (setup_done)
        return;
    setup_done = true;
    atexit(endpoint_stop); /* also when only some tests run */
    if (!endpoint_start())
        return;
    sql_env();
    if (test_mysql_exec("CREATE DATABASE sl_client") != 0)
        test_fail(__FILE__, __LINE__, "cannot create database");
    client = client_for(NULL);
}

TEST(plain_put_through_fe_redirect)
{
    setup();
    make_table("plain");
    const char *rows =
        "[{\"id\":1,\"name\":\"a\"},{\"id\":2,\"name\":\"b\"},{\"id\":3,\"name\":\"c\"}]";
    op_sr_result res;
    rt_err err;
    CHECK_OK(op_stream_load_put(client, "sl_client", "plain", "it-plain-0-1", &json_props, rows,
                                strlen(rows), &res, &err),
             &err);
    CHECK_INT_EQ(res.outcome, OP_SR_OK);
    CHECK_INT_EQ(res.loaded_rows, 3);
    CHECK_INT_EQ(count_rows("plain"), 3);
    /* The same label again: the data is in already, nothing is loaded twice. */
    CHECK_OK(op_stream_load_put(client, "sl_client", "plain", "it-plain-0-1", &json_props, rows,
                                strlen(rows), &res, &err),
             &err);
    CHECK_INT_EQ(res.outcome, OP_SR_LABEL_FINISHED);
    CHECK_INT_EQ(count_rows("plain"), 3);
    /* A bad row with max_filter_ratio 0: DATA_QUALITY, nothing loaded, the reason quoted. */
    const char *bad = "id\tname\nx\ty\n";
    op_stream_load_props csv = {.format = "csv", .columns = "id,name"};
    CHECK_INT_EQ(op_stream_load_put(client, "sl_client", "plain", "it-plain-0-2", &csv, bad,
                                    strlen(bad), &res, &err),
                 RT_EINVAL);
    CHECK_INT_EQ(res.outcome, OP_SR_DATA_QUALITY);
    CHECK_STR_CONTAINS(err.msg, "too many filtered rows");
    CHECK_INT_EQ(count_rows("plain"), 3);
}

TEST(transaction_begin_load_prepare_commit)
{
    setup();
    make_table("txn");
    const char *label = "it-txn-0-1";
    op_sr_result res;
    rt_err err;
    CHECK_OK(op_stream_load_begin(client, "sl_client", "txn", label, 600, 0, &res, &err), &err);
    CHECK(res.txn_id > 0);
    const char *a = "[{\"id\":1,\"name\":\"a\"},{\"id\":2,\"name\":\"b\"}]";
    const char *b = "[{\"id\":3,\"name\":\"c\"}]";
    CHECK_OK(op_stream_load_load(client, "sl_client", "txn", label, &json_props, a, strlen(a), &res,
                                 &err),
             &err);
    CHECK_OK(op_stream_load_load(client, "sl_client", "txn", label, &json_props, b, strlen(b), &res,
                                 &err),
             &err);
    CHECK_OK(op_stream_load_prepare(client, "sl_client", label, 0, &res, &err), &err);
    CHECK_INT_EQ(res.loaded_rows, 3);
    op_sr_load_state st;
    CHECK_OK(op_stream_load_get_load_state(client, "sl_client", label, &st, &err), &err);
    CHECK_INT_EQ(st, OP_SR_STATE_PREPARED);
    CHECK_INT_EQ(count_rows("txn"), 0); /* prepared is not visible */
    /* A second prepare: the BE forgot the label; the client settles it as prepared. */
    CHECK_OK(op_stream_load_prepare(client, "sl_client", label, 0, &res, &err), &err);
    CHECK_OK(op_stream_load_commit(client, "sl_client", label, &res, &err), &err);
    CHECK_INT_EQ(count_rows("txn"), 3);
    /* A second commit: already committed = success, nothing doubled. */
    CHECK_OK(op_stream_load_commit(client, "sl_client", label, &res, &err), &err);
    CHECK(res.outcome == OP_SR_ALREADY_COMMITTED || res.state_checked);
    CHECK_INT_EQ(count_rows("txn"), 3);
    CHECK_OK(op_stream_load_get_load_state(client, "sl_client", label, &st, &err), &err);
    CHECK(op_sr_load_state_is_committed(st));
    /* begin with a committed label: LABEL_FINISHED. */
    CHECK_INT_EQ(op_stream_load_begin(client, "sl_client", "txn", label, 600, 0, &res, &err),
                 RT_EEXIST);
    CHECK_INT_EQ(res.outcome, OP_SR_LABEL_FINISHED);
}

TEST(transaction_rollback)
{
    setup();
    make_table("rb");
    const char *label = "it-rb-0-1";
    op_sr_result res;
    rt_err err;
    CHECK_OK(op_stream_load_begin(client, "sl_client", "rb", label, 600, 0, &res, &err), &err);
    const char *a = "[{\"id\":1,\"name\":\"a\"}]";
    CHECK_OK(op_stream_load_load(client, "sl_client", "rb", label, &json_props, a, strlen(a), &res,
                                 &err),
             &err);
    CHECK_OK(op_stream_load_prepare(client, "sl_client", label, 0, &res, &err), &err);
    CHECK_OK(op_stream_load_rollback(client, "sl_client", label, &res, &err), &err);
    op_sr_load_state st;
    CHECK_OK(op_stream_load_get_load_state(client, "sl_client", label, &st, &err), &err);
    CHECK_INT_EQ(st, OP_SR_STATE_ABORTED);
    CHECK_INT_EQ(count_rows("rb"), 0);
    /* Rolling back again is fine; committing it is not. */
    CHECK_OK(op_stream_load_rollback(client, "sl_client", label, &res, &err), &err);
    CHECK_INT_EQ(op_stream_load_commit(client, "sl_client", label, &res, &err), RT_ESTATE);
    /* An aborted label is free again (notes 2.3). */
    CHECK_OK(op_stream_load_begin(client, "sl_client", "rb", label, 600, 0, &res, &err), &err);
    CHECK_OK(op_stream_load_rollback(client, "sl_client", label, &res, &err), &err);
    /* Nothing to roll back. */
    CHECK_INT_EQ(op_stream_load_rollback(client, "sl_client", "it-rb-0-99", &res, &err),
                 RT_ENOTFOUND);
}

TEST(lost_commit_reply_is_resolved_by_load_state)
{
    setup();
    make_table("lost");
    const char *label = "it-lost-0-1";
    op_sr_result res;
    rt_err err;
    CHECK_OK(op_stream_load_begin(client, "sl_client", "lost", label, 600, 0, &res, &err), &err);
    const char *a = "[{\"id\":1,\"name\":\"a\"},{\"id\":2,\"name\":\"b\"}]";
    CHECK_OK(op_stream_load_load(client, "sl_client", "lost", label, &json_props, a, strlen(a),
                                 &res, &err),
             &err);
    CHECK_OK(op_stream_load_prepare(client, "sl_client", label, 0, &res, &err), &err);
    CHECK_OK(rt_failpoint_init("starrocks.lose_commit_reply=error", &err), &err);
    CHECK_OK(op_stream_load_commit(client, "sl_client", label, &res, &err), &err);
    rt_failpoint_reset();
    CHECK(res.state_checked);
    CHECK(op_sr_load_state_is_committed(res.state));
    CHECK_INT_EQ(count_rows("lost"), 2);
}

TEST(failover_when_the_first_load_url_refuses)
{
    setup();
    make_table("fo");
    /* A port nobody listens on: bound, then closed. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bind(fd, (struct sockaddr *)&a, sizeof a);
    socklen_t al = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &al);
    close(fd);
    char dead[64];
    snprintf(dead, sizeof dead, "127.0.0.1:%d", ntohs(a.sin_port));
    op_stream_load *c = client_for(dead);
    const char *rows = "[{\"id\":7,\"name\":\"x\"}]";
    op_sr_result res;
    rt_err err;
    CHECK_OK(op_stream_load_put(c, "sl_client", "fo", "it-fo-0-1", &json_props, rows, strlen(rows),
                                &res, &err),
             &err);
    CHECK_INT_EQ(res.attempts, 2);
    CHECK(strcmp(op_stream_load_current_url(c), dead) != 0);
    CHECK_INT_EQ(count_rows("fo"), 1);
    op_stream_load_free(c);
}

/* Arms endpoint fault rules (tests/sr_endpoint/sr_fault.h) with POST /_fault on the FE port. */
static void post_fault(const char *rules)
{
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/_fault", fe_port);
    const char *hdrs[] = {"Content-Type: application/json"};
    op_sr_http_request rq = {.method = "POST",
                             .url = url,
                             .user = "root",
                             .password = PASSWORD,
                             .headers = hdrs,
                             .header_count = 1,
                             .body = rules,
                             .body_size = strlen(rules),
                             .connect_timeout_ms = 2000,
                             .request_timeout_ms = 5000};
    rt_buf body;
    rt_buf_init(&body);
    long status = 0;
    bool connected;
    rt_err err;
    int rc = op_sr_http_perform(&rq, &status, &body, &connected, &err);
    if (rc != 0 || status != 200)
        test_fail(__FILE__, __LINE__, "POST /_fault %s -> %d/HTTP %ld: %s", rules, rc, status,
                  rc ? err.msg : (body.data ? body.data : ""));
    rt_buf_fini(&body);
}

typedef struct bg_load {
    const char *label;
    const char *rows;
    int rc;
    char msg[RT_ERR_MSG_SIZE];
} bg_load;

static void *run_bg_load(void *arg)
{
    bg_load *b = arg;
    op_stream_load *c = client_for(NULL);
    op_sr_result res;
    rt_err err;
    rt_err_clear(&err);
    b->rc = op_stream_load_load(c, "sl_client", "busy", b->label, &json_props, b->rows,
                                strlen(b->rows), &res, &err);
    snprintf(b->msg, sizeof b->msg, "%s", err.msg);
    op_stream_load_free(c);
    return NULL;
}

TEST(txn_in_processing_is_retried)
{
    setup();
    make_table("busy");
    const char *label = "it-busy-0-1";
    op_sr_result res;
    rt_err err;
    CHECK_OK(op_stream_load_begin(client, "sl_client", "busy", label, 600, 0, &res, &err), &err);
    /* The first load is held 1 s by the endpoint with its transaction busy; a second load on
     * the label meanwhile gets TXN_IN_PROCESSING until the first is done. */
    post_fault("[{\"op\":\"load\",\"when\":\"before\",\"action\":\"delay\",\"ms\":1000}]");
    bg_load bg = {.label = label, .rows = "[{\"id\":1,\"name\":\"a\"}]"};
    pthread_t t;
    pthread_create(&t, NULL, run_bg_load, &bg);
    rt_sleep_ms(300);
    char fe_url[64];
    snprintf(fe_url, sizeof fe_url, "127.0.0.1:%d", fe_port);
    const char *urls[] = {fe_url};
    op_stream_load_config cfg = {.load_urls = urls,
                                 .load_url_count = 1,
                                 .user = "root",
                                 .password = PASSWORD,
                                 .max_retries = 8,
                                 .retry_backoff_ms = 100,
                                 .retry_backoff_max_ms = 400};
    op_stream_load *c = NULL;
    CHECK_OK(op_stream_load_new(&cfg, &c, &err), &err);
    const char *rows = "[{\"id\":2,\"name\":\"b\"}]";
    CHECK_OK(op_stream_load_load(c, "sl_client", "busy", label, &json_props, rows, strlen(rows),
                                 &res, &err),
             &err);
    CHECK(res.attempts > 1); /* it was busy at first */
    pthread_join(t, NULL);
    CHECK_INT_EQ(bg.rc, 0);
    if (bg.rc != 0)
        test_fail(__FILE__, __LINE__, "background load: %s", bg.msg);
    CHECK_OK(op_stream_load_prepare(c, "sl_client", label, 0, &res, &err), &err);
    CHECK_INT_EQ(res.loaded_rows, 2);
    CHECK_OK(op_stream_load_commit(c, "sl_client", label, &res, &err), &err);
    CHECK_INT_EQ(count_rows("busy"), 2);
    op_stream_load_free(c);
}

TEST(commit_with_dropped_connection_is_resolved_by_load_state)
{
    setup();
    make_table("drop");
    const char *label = "it-drop-0-1";
    op_sr_result res;
    rt_err err;
    CHECK_OK(op_stream_load_begin(client, "sl_client", "drop", label, 600, 0, &res, &err), &err);
    const char *a = "[{\"id\":1,\"name\":\"a\"}]";
    CHECK_OK(op_stream_load_load(client, "sl_client", "drop", label, &json_props, a, strlen(a),
                                 &res, &err),
             &err);
    CHECK_OK(op_stream_load_prepare(client, "sl_client", label, 0, &res, &err), &err);
    /* The endpoint commits, then drops the connection instead of answering. */
    post_fault("[{\"op\":\"commit\",\"when\":\"after\",\"action\":\"drop\"}]");
    CHECK_OK(op_stream_load_commit(client, "sl_client", label, &res, &err), &err);
    CHECK(res.state_checked);
    CHECK_INT_EQ(res.outcome, OP_SR_NO_REPLY);
    CHECK_INT_EQ(count_rows("drop"), 1);
}

TEST(wrong_password_is_refused_without_echo)
{
    setup();
    char fe_url[64];
    snprintf(fe_url, sizeof fe_url, "127.0.0.1:%d", fe_port);
    const char *urls[] = {fe_url};
    op_stream_load_config cfg = {.load_urls = urls, .load_url_count = 1, .user = "root",
                                 .password = "not-the-pw-xyz", .retry_backoff_ms = 10};
    op_stream_load *c = NULL;
    rt_err err;
    CHECK_OK(op_stream_load_new(&cfg, &c, &err), &err);
    op_sr_result res;
    CHECK_INT_EQ(op_stream_load_begin(c, "sl_client", "plain", "it-pw-0-1", 60, 0, &res, &err),
                 RT_EINVAL);
    CHECK_INT_EQ(res.outcome, OP_SR_AUTH_FAILED);
    CHECK(!strstr(err.msg, "not-the-pw-xyz"));
    CHECK(!strstr(err.msg, PASSWORD));
    op_stream_load_free(c);
}

TEST(teardown)
{
    op_stream_load_free(client);
    client = NULL;
    endpoint_stop();
}

TEST_MAIN()
