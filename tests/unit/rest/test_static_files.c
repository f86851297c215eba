/* The web console's static files: path safety (no "..", hidden files, escapes or symlinks out of
 * the directory), content types, and serving through the REST server without a token while the
 * API keeps its token; the console API's own 400/404/405 answers, which need no server. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "runtime/rest/console_routes.h"
#include "runtime/rest/rest_server.h"
#include "runtime/rest/static_files.h"
#include "tests/harness/test.h"
#include "tests/unit/rest/http_client.h"

#define TOKEN "s3cr3t-t0ken-0123456789"

static int resolve(const char *path, char *out)
{
    return rt_static_resolve(path, out, 256, NULL);
}

TEST(test_resolve_maps_paths)
{
    char out[256];
    CHECK_INT_EQ(resolve("/", out), 0);
    CHECK_STR_EQ(out, "index.html");
    CHECK_INT_EQ(resolve("/index.html", out), 0);
    CHECK_STR_EQ(out, "index.html");
    CHECK_INT_EQ(resolve("/web/app.js", out), 0);
    CHECK_STR_EQ(out, "app.js");
    CHECK_INT_EQ(resolve("/web/img/logo-1.svg", out), 0);
    CHECK_STR_EQ(out, "img/logo-1.svg");
    CHECK_INT_EQ(resolve("/jobs", out), RT_ENOTFOUND);
    CHECK_INT_EQ(resolve("/webx/a.js", out), RT_ENOTFOUND);
}

TEST(test_resolve_refuses_unsafe_paths)
{
    static const char *const bad[] = {
        "/web/",        "/web/../secret", "/web/a/../../x",   "/web/..",
        "/web/.hidden", "/web/a//b.js",   "/web/a/",          "/web/%2e%2e/x",
        "/web/a\\b",    "/web/a b",       "/web//etc/passwd", "/web/a/.git/config",
        "/web/x?y",     "/web/a/./b.js",
    };
    char out[256];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (resolve(bad[i], out) != RT_EINVAL)
            test_fail(__FILE__, __LINE__, "'%s' was accepted", bad[i]);
    char longp[400];
    memset(longp, 'a', sizeof longp - 1);
    longp[sizeof longp - 1] = '\0';
    memcpy(longp, "/web/", 5);
    CHECK_INT_EQ(resolve(longp, out), RT_EINVAL);
}

TEST(test_content_types)
{
    CHECK_STR_EQ(rt_static_content_type("index.html"), "text/html; charset=utf-8");
    CHECK_STR_EQ(rt_static_content_type("a/app.js"), "text/javascript; charset=utf-8");
    CHECK_STR_EQ(rt_static_content_type("s.css"), "text/css; charset=utf-8");
    CHECK_STR_EQ(rt_static_content_type("i.svg"), "image/svg+xml");
    CHECK_STR_EQ(rt_static_content_type("i.png"), "image/png");
    CHECK_STR_EQ(rt_static_content_type("d.json"), "application/json; charset=utf-8");
    CHECK_STR_EQ(rt_static_content_type("x.exe"), "application/octet-stream");
    CHECK_STR_EQ(rt_static_content_type("noext"), "application/octet-stream");
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

TEST(test_serve_from_dir)
{
    char web[512], sub[600], outside[600], link[600], p[700];
    snprintf(web, sizeof web, "%s/web", test_tmpdir());
    snprintf(sub, sizeof sub, "%s/js", web);
    mkdir(web, 0700);
    mkdir(sub, 0700);
    snprintf(p, sizeof p, "%s/index.html", web);
    write_file(p, "<html>hi</html>");
    snprintf(p, sizeof p, "%s/app.js", sub);
    write_file(p, "let x = 1;");
    snprintf(outside, sizeof outside, "%s/secret.txt", test_tmpdir());
    write_file(outside, "top secret");
    snprintf(link, sizeof link, "%s/leak.txt", web);
    CHECK_INT_EQ(symlink(outside, link), 0);

    rt_rest_reply r;
    rt_rest_reply_init(&r);
    rt_static_serve(web, "/", &r);
    CHECK_INT_EQ(r.status, 200);
    CHECK_STR_EQ(r.content_type, "text/html; charset=utf-8");
    CHECK_STR_EQ(r.cache_control, "no-cache");
    CHECK(r.raw);
    CHECK(r.body.len == 15 && memcmp(r.body.data, "<html>hi</html>", 15) == 0);

    rt_static_serve(web, "/web/js/app.js", &r);
    CHECK_INT_EQ(r.status, 200);
    CHECK_STR_EQ(r.content_type, "text/javascript; charset=utf-8");

    rt_static_serve(web, "/web/leak.txt", &r);
    CHECK_INT_EQ(r.status, 404);
    CHECK(!memmem(r.body.data, r.body.len, "top secret", 10));
    rt_static_serve(web, "/web/missing.js", &r);
    CHECK_INT_EQ(r.status, 404);
    rt_static_serve(web, "/web/../secret.txt", &r);
    CHECK_INT_EQ(r.status, 400);
    rt_static_serve(web, "/web/js", &r); /* a directory */
    CHECK_INT_EQ(r.status, 404);

    char missing[600];
    snprintf(missing, sizeof missing, "%s/nope", test_tmpdir());
    rt_static_serve(missing, "/", &r);
    CHECK_INT_EQ(r.status, 404);
    CHECK(memmem(r.body.data, r.body.len, "web console not found", 21) != NULL);
    rt_rest_reply_fini(&r);
}

typedef struct running {
    rt_rest_server *srv;
    pthread_t thread;
} running;

static void *serve(void *arg)
{
    running *r = arg;
    rt_rest_server_run(r->srv, NULL);
    return NULL;
}

/* Through the server: static files need no token, the API and the console still do. */
TEST(test_server_static_and_console_auth)
{
    char web[512], p[700];
    snprintf(web, sizeof web, "%s/web2", test_tmpdir());
    mkdir(web, 0700);
    snprintf(p, sizeof p, "%s/index.html", web);
    write_file(p, "<html>console</html>");
    static char dummy;
    rt_rest_server_options o = {.listen = "127.0.0.1:0", .token = TOKEN, .web_dir = web};
    running run = {0};
    rt_err err = {0};
    CHECK_OK(rt_rest_server_open(&o, (rt_job_manager *)(void *)&dummy, &run.srv, &err), &err);
    if (!run.srv)
        return;
    pthread_create(&run.thread, NULL, serve, &run);
    int port = rt_rest_server_port(run.srv);
    http_resp h = {0};
    CHECK_INT_EQ(http_do(port, "GET", "/", NULL, 0, NULL, &h), 200);
    CHECK_STR_CONTAINS(h.body, "<html>console</html>");
    CHECK_STR_CONTAINS(h.content_type, "text/html");
    http_resp_fini(&h);
    CHECK_INT_EQ(http_do(port, "GET", "/web/.hidden", NULL, 0, NULL, &h), 400);
    http_resp_fini(&h);
    CHECK_INT_EQ(http_do(port, "GET", "/web/none.js", NULL, 0, NULL, &h), 404);
    http_resp_fini(&h);
    CHECK_INT_EQ(http_do(port, "POST", "/console/mysql/test", "{}", 2, NULL, &h), 401);
    http_resp_fini(&h);
    /* With the token the console answers from its worker: a bad body is 400, a GET 405. */
    CHECK_INT_EQ(http_do(port, "POST", "/console/mysql/test", "[]", 2, TOKEN, &h), 400);
    http_resp_fini(&h);
    CHECK_INT_EQ(http_do(port, "GET", "/console/preview", NULL, 0, TOKEN, &h), 405);
    http_resp_fini(&h);
    CHECK_INT_EQ(http_do(port, "POST", "/console/nope", "{}", 2, TOKEN, &h), 404);
    http_resp_fini(&h);
    const char *b = "{\"host\": \"127.0.0.1\", \"port\": 1, \"user\": \"u\", "
                    "\"password\": \"pw-never-echoed\"}";
    CHECK_INT_EQ(http_do(port, "POST", "/console/mysql/test", b, strlen(b), TOKEN, &h), 422);
    CHECK(h.body && !strstr(h.body, "pw-never-echoed"));
    http_resp_fini(&h);
    rt_rest_server_stop(run.srv);
    pthread_join(run.thread, NULL);
    rt_rest_server_close(run.srv);
}

/* The console's request checks, without a server: they answer before connecting. */
TEST(test_console_bad_bodies)
{
    rt_console *c = NULL;
    rt_err cerr = {0};
    CHECK_OK(rt_console_new(NULL, 0, &c, &cerr), &cerr);
    static const struct {
        const char *path, *body;
        int status;
    } cases[] = {
        {"/console/mysql/test", "{\"host\": \"h\", \"user\": \"a@b\"}", 400},
        {"/console/mysql/test", "{\"host\": \"h\", \"user\": \"u\", \"port\": 70000}", 400},
        {"/console/starrocks/test", "{\"user\": \"u\"}", 400},
        {"/console/preview", "{\"source\": {\"host\": \"h\", \"user\": \"u\"}}", 400},
        {"/console/preview",
         "{\"source\": {\"host\": \"h\", \"user\": \"u\"}, \"target\": {\"fe_host\": \"f\", "
         "\"user\": \"u\", \"database\": \"d\"}, \"tables\": []}",
         400},
        {"/console/deploy",
         "{\"source\": {\"host\": \"h\", \"user\": \"u\"}, \"target\": {\"fe_host\": \"f\", "
         "\"user\": \"u\", \"database\": \"d\"}, \"tables\": [\"a\\\\.b\"], \"mode\": \"x\"}",
         400},
        {"/console/create-tables", "not json", 400},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rt_rest_request rq = {.method = "POST",
                              .path = cases[i].path,
                              .body = cases[i].body,
                              .body_len = strlen(cases[i].body)};
        rt_rest_reply r;
        rt_rest_reply_init(&r);
        rt_console_handle(c, &rq, &r);
        if (r.status != cases[i].status)
            test_fail(__FILE__, __LINE__, "case %zu: %d (%s)", i, r.status, r.body.data);
        rt_rest_reply_fini(&r);
    }
    rt_console_free(c);
}

static void count_done(void *arg, rt_rest_reply *r)
{
    int *n = arg;
    __atomic_add_fetch(n, 1, __ATOMIC_SEQ_CST);
    rt_rest_reply_fini(r);
    free(r);
}

/* Beyond max_inflight the console refuses at once (the server answers 429): a listener that
 * never accepts keeps the first request waiting for the server's greeting. */
TEST(test_console_bounded)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(fd, 4) == 0 &&
          getsockname(fd, (struct sockaddr *)&a, &al) == 0);
    char body[200];
    snprintf(body, sizeof body, "{\"host\": \"127.0.0.1\", \"port\": %d, \"user\": \"u\"}",
             ntohs(a.sin_port));
    rt_console *c = NULL;
    rt_err err = {0};
    CHECK_OK(rt_console_new(NULL, 1, &c, &err), &err);
    rt_rest_request rq = {
        .method = "POST", .path = "/console/mysql/test", .body = body, .body_len = strlen(body)};
    int done = 0;
    CHECK_OK(rt_console_start(c, &rq, count_done, &done, &err), &err);
    CHECK_INT_EQ(rt_console_start(c, &rq, count_done, &done, &err), RT_EBUSY);
    close(fd); /* resets the waiting connection: the first request ends */
    rt_console_free(c);
    CHECK_INT_EQ(done, 1);
}

int main(int argc, char **argv)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = test_run_all(argc, argv);
    curl_global_cleanup();
    return rc;
}
