/* The REST tests' HTTP client: one libcurl easy handle per request, headers captured for the
 * assertions (Content-Type, Allow). */
#include "tests/unit/rest/http_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "runtime/base/buf.h"

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    rt_buf_append(arg, p, size * n);
    return size * n;
}

static void copy_value(char *dst, size_t cap, const char *line, size_t len, size_t name_len)
{
    const char *v = line + name_len;
    size_t vl = len - name_len;
    while (vl && (*v == ' '))
        v++, vl--;
    while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
        vl--;
    snprintf(dst, cap, "%.*s", (int)vl, v);
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    http_resp *r = arg;
    size_t len = size * n;
    if (len > 13 && strncasecmp(p, "Content-Type:", 13) == 0)
        copy_value(r->content_type, sizeof r->content_type, p, len, 13);
    if (len > 6 && strncasecmp(p, "Allow:", 6) == 0)
        copy_value(r->allow, sizeof r->allow, p, len, 6);
    return len;
}

long http_do(int port, const char *method, const char *path, const char *body, size_t body_len,
             const char *token, http_resp *resp)
{
    memset(resp, 0, sizeof *resp);
    rt_buf b;
    rt_buf_init(&b);
    char url[2048];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:"); /* send big bodies at once: the 413 path under test */
    if (token) {
        size_t n = strlen(token) + 32;
        char *a = malloc(n);
        snprintf(a, n, "Authorization: Bearer %s", token);
        h = curl_slist_append(h, a); /* copies */
        free(a);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, resp);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    rt_buf_append_str(&b, "");
    resp->body_len = b.len;
    resp->body = rt_buf_take(&b);
    return resp->status;
}

void http_resp_fini(http_resp *r)
{
    free(r->body);
    r->body = NULL;
}
