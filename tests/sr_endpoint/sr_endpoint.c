/* sr-endpoint: a StarRocks-compatible test double (not StarRocks) that tests and the demo load
 * into: FE and BE HTTP ports (sr_http), the MySQL-protocol port when built with sr_sql, and a
 * durable store under --data-dir. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "runtime/base/errors.h"
#include "runtime/base/log.h"
#include "tests/sr_endpoint/sr_http.h"
#include "tests/sr_endpoint/sr_store.h"

#if defined(SR_ENDPOINT_HAVE_SQL) && __has_include("tests/sr_endpoint/sr_sql.h")
#include "tests/sr_endpoint/sr_sql.h"
#define HAVE_SQL 1
#else
#define HAVE_SQL 0
#endif

static void usage(void)
{
    fprintf(stderr,
            "usage: sr-endpoint --data-dir DIR [--host 127.0.0.1] [--fe-http-port N] [--be-http-port N]\n"
            "                   [--query-port N] [--user root] [--password-file F] [--ports-file F]\n"
            "                   [--discard] [--txn-check-ms N] [--alter-delay-ms 300] [--log-level info]\n"
            "A StarRocks-compatible test double (not StarRocks). Port 0 = ephemeral.\n"
            "Faults: SR_ENDPOINT_FAULTS='[{\"op\":\"commit\",\"when\":\"before\",\"action\":\"drop\"}]'\n");
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    LOG_INFO("sr-endpoint: signal %d, stopping", (int)sig);
    event_base_loopbreak(arg);
}

static int read_password(const char *path, char *out, size_t size, rt_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return rt_err_set(err, RT_EIO, "cannot read password file %s", path);
    size_t n = fread(out, 1, size - 1, f);
    fclose(f);
    out[n] = '\0';
    while (n && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
    return 0;
}

/* temp file, then rename: a test polling for the file never reads half of it. */
static int write_ports(const char *path, int fe, int be, int query, rt_err *err)
{
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return rt_err_set(err, RT_EIO, "cannot write %s", tmp);
    fprintf(f, "{\"fe_http\":%d,\"be_http\":%d,\"query\":%d}\n", fe, be, query);
    if (fclose(f) != 0 || rename(tmp, path) != 0)
        return rt_err_set(err, RT_EIO, "cannot write %s", path);
    return 0;
}

int main(int argc, char **argv)
{
    const char *data_dir = NULL, *host = "127.0.0.1", *user = "root", *password_file = NULL;
    const char *ports_file = NULL, *level = NULL;
    int fe_port = 8030, be_port = 8040, query_port = 9030, check_ms = 1000, alter_delay_ms = 300;
    bool discard = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--discard")) {
            discard = true;
            continue;
        }
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage();
            return 0;
        }
        if (!v) {
            usage();
            return 2;
        }
        i++;
        if (!strcmp(a, "--data-dir"))
            data_dir = v;
        else if (!strcmp(a, "--host"))
            host = v;
        else if (!strcmp(a, "--fe-http-port"))
            fe_port = atoi(v);
        else if (!strcmp(a, "--be-http-port"))
            be_port = atoi(v);
        else if (!strcmp(a, "--query-port"))
            query_port = atoi(v);
        else if (!strcmp(a, "--user"))
            user = v;
        else if (!strcmp(a, "--password-file"))
            password_file = v;
        else if (!strcmp(a, "--ports-file"))
            ports_file = v;
        else if (!strcmp(a, "--txn-check-ms"))
            check_ms = atoi(v);
        else if (!strcmp(a, "--alter-delay-ms"))
            alter_delay_ms = atoi(v);
        else if (!strcmp(a, "--log-level"))
            level = v;
        else {
            fprintf(stderr, "sr-endpoint: unknown option %s\n", a);
            usage();
            return 2;
        }
    }
    if (!data_dir) {
        usage();
        return 2;
    }
    rt_log_level lvl;
    if (level && rt_log_level_parse(level, &lvl) == 0)
        rt_log_set_level(lvl);
    rt_err err;
    rt_err_clear(&err);
    char password[256] = "";
    if (password_file && read_password(password_file, password, sizeof(password), &err)) {
        LOG_ERROR("sr-endpoint: %s", err.msg);
        return 1;
    }
    sr_store *store = NULL;
    if (sr_store_open(data_dir, &store, &err)) {
        LOG_ERROR("sr-endpoint: open store: %s", err.msg);
        return 1;
    }
    /* How long a MODIFY COLUMN schema-change job stays RUNNING (StarRocks: the time to rewrite
     * the data), so that clients meet an asynchronous job as they do with StarRocks. */
    sr_store_set_alter_delay_ms(store, alter_delay_ms);
    struct event_base *base = event_base_new();
    sr_http_config cfg = {.host = host, .fe_port = fe_port, .be_port = be_port, .user = user,
                          .password = password, .discard = discard, .txn_check_ms = check_ms,
                          .faults = getenv("SR_ENDPOINT_FAULTS")};
    sr_http *http = NULL;
    int rc = 1;
    int bound_query = 0;
    struct event *sigterm = NULL, *sigint = NULL;
#if HAVE_SQL
    sr_sql_server *sql = NULL;
#endif
    if (sr_http_start(base, store, &cfg, &http, &err)) {
        LOG_ERROR("sr-endpoint: %s", err.msg);
        goto out;
    }
#if HAVE_SQL
    if (sr_sql_server_new(base, store, host, query_port, user, password, &sql, &err)) {
        LOG_ERROR("sr-endpoint: query port: %s", err.msg);
        goto out;
    }
    bound_query = sr_sql_server_port(sql);
#else
    (void)query_port;
    LOG_INFO("sr-endpoint: built without the MySQL-protocol port");
#endif
    if (ports_file &&
        write_ports(ports_file, sr_http_fe_port(http), sr_http_be_port(http), bound_query, &err)) {
        LOG_ERROR("sr-endpoint: %s", err.msg);
        goto out;
    }
    sigterm = evsignal_new(base, SIGTERM, on_signal, base);
    sigint = evsignal_new(base, SIGINT, on_signal, base);
    event_add(sigterm, NULL);
    event_add(sigint, NULL);
    LOG_INFO("sr-endpoint: ready (data dir %s)", data_dir);
    event_base_dispatch(base);
    rc = 0;
out:
    if (sigterm)
        event_free(sigterm);
    if (sigint)
        event_free(sigint);
#if HAVE_SQL
    sr_sql_server_free(sql);
#endif
    sr_http_free(http);
    event_base_free(base);
    sr_store_close(store);
    LOG_INFO("sr-endpoint: stopped");
    return rc;
}
