/* The sluice command's REST client on one libcurl easy handle: the handle is reused across
 * requests so that a command that polls (savepoint, stop) keeps one connection to sluiced. */
#include "runtime/cli/rest_client.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* A daemon answer larger than this is not one of ours (the biggest, a job with its graph, is
 * kilobytes): stop reading rather than grow without bound. */
#define MAX_RESPONSE_SIZE (64u << 20)

struct cli_rest_client {
    CURL *h;
    char *base;                 /* without a trailing '/' */
    struct curl_slist *headers; /* Content-Type, Authorization */
    long connect_timeout_ms;
    long timeout_ms;
};

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    rt_buf *b = userdata;
    size_t n = size * nmemb;
    if (b->len + n > MAX_RESPONSE_SIZE)
        return 0; /* curl fails the transfer with CURLE_WRITE_ERROR */
    rt_buf_append(b, ptr, n);
    return n;
}

int cli_rest_client_new(const cli_rest_options *opts, cli_rest_client **out, rt_err *err)
{
    /* The CLI is single-threaded, so the process-wide init cannot race. */
    CURLcode g = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (g != CURLE_OK)
        return rt_err_set(err, RT_EINTERNAL, "curl_global_init: %s", curl_easy_strerror(g));
    cli_rest_client *c = calloc(1, sizeof *c);
    if (!c)
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    c->h = curl_easy_init();
    c->base = strdup(opts->url ? opts->url : "");
    if (!c->h || !c->base) {
        cli_rest_client_free(c);
        return rt_err_set(err, RT_ENOMEM, "cannot create an HTTP client");
    }
    size_t n = strlen(c->base);
    while (n > 0 && c->base[n - 1] == '/')
        c->base[--n] = '\0';
    c->connect_timeout_ms = opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms : 5000;
    c->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : 30000;
    c->headers = curl_slist_append(NULL, "Content-Type: application/json");
    if (c->headers && opts->token && *opts->token) {
        rt_buf auth;
        rt_buf_init(&auth);
        rt_buf_appendf(&auth, "Authorization: Bearer %s", opts->token);
        struct curl_slist *h = curl_slist_append(c->headers, auth.data);
        /* The token must not outlive its use in freed heap memory either. */
        memset(auth.data, 0, auth.len);
        rt_buf_fini(&auth);
        c->headers = h ? h : c->headers;
        if (!h) {
            cli_rest_client_free(c);
            return rt_err_set(err, RT_ENOMEM, "out of memory");
        }
    }
    if (!c->headers) {
        cli_rest_client_free(c);
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    }
    *out = c;
    return 0;
}

void cli_rest_client_free(cli_rest_client *c)
{
    if (!c)
        return;
    if (c->h)
        curl_easy_cleanup(c->h);
    curl_slist_free_all(c->headers);
    free(c->base);
    free(c);
}

void cli_rest_response_fini(cli_rest_response *resp)
{
    rt_buf_fini(&resp->body);
}

static int transport_code(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_GOT_NOTHING: /* the daemon went away mid-request */
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
        return RT_EUNAVAIL;
    case CURLE_OPERATION_TIMEDOUT:
        return RT_ETIMEDOUT;
    default:
        return RT_EIO;
    }
}

int cli_rest_request(cli_rest_client *c, const char *method, const char *path, const char *body,
                     size_t body_len, cli_rest_response *resp, rt_err *err)
{
    resp->status = 0;
    rt_buf_init(&resp->body);
    rt_buf_append(&resp->body, "", 0); /* a NUL-terminated empty body when nothing arrives */
    rt_buf url;
    rt_buf_init(&url);
    rt_buf_appendf(&url, "%s%s", c->base, path);

    CURL *h = c->h;
    /* The handle keeps the options of the previous request: reset what varies. */
    curl_easy_setopt(h, CURLOPT_URL, url.data);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->headers);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp->body);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, NULL);
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else {
        /* POSTFIELDS makes it a request with a body; CUSTOMREQUEST renames the method. An empty
         * body is sent as such (Content-Length: 0), not as a chunked upload. */
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? body_len : 0));
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, strcmp(method, "POST") == 0 ? NULL : method);
    }
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode rc = curl_easy_perform(h);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    int code = 0;
    if (rc != CURLE_OK) {
        code = rt_err_set(err, transport_code(rc), "%s %s: %s", method, url.data,
                          errbuf[0] ? errbuf : curl_easy_strerror(rc));
    } else {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
    }
    rt_buf_fini(&url);
    return code;
}
