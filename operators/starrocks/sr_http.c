/* One HTTP exchange with StarRocks over libcurl (notes 1.1 and 8.2: Expect, the 307 to a BE with
 * the Authorization header and the body re-sent on a fresh connection). */
#include "operators/starrocks/sr_http.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_MAX_REPLY ((size_t)1 << 20)

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

/* curl_global_init is not thread-safe in every libcurl: once, from whichever thread comes first. */
static void global_init(void)
{
    global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

typedef struct body_reader {
    const char *data;
    size_t size;
    size_t pos;
} body_reader;

static size_t read_cb(char *dst, size_t size, size_t nmemb, void *ud)
{
    body_reader *r = ud;
    size_t want = size * nmemb, left = r->size - r->pos;
    size_t n = want < left ? want : left;
    if (n)
        memcpy(dst, r->data + r->pos, n);
    r->pos += n;
    return n;
}

/* curl rewinds the body through this when it must send it again: after the FE's 307, the same
 * bytes go to the BE. */
static int seek_cb(void *ud, curl_off_t offset, int origin)
{
    body_reader *r = ud;
    if (origin != SEEK_SET || offset < 0 || (size_t)offset > r->size)
        return CURL_SEEKFUNC_CANTSEEK;
    r->pos = (size_t)offset;
    return CURL_SEEKFUNC_OK;
}

typedef struct reply_sink {
    rt_buf *body;
    size_t kept;
    size_t max;
} reply_sink;

/* Keeps the first max bytes and reads the rest to the end (so the connection ends cleanly and
 * the status is still known). */
static size_t write_cb(char *src, size_t size, size_t nmemb, void *ud)
{
    reply_sink *w = ud;
    size_t n = size * nmemb;
    if (w->kept < w->max) {
        size_t take = n < w->max - w->kept ? n : w->max - w->kept;
        rt_buf_append(w->body, src, take);
        w->kept += take;
    }
    return n;
}

/* "http://h:p/path?query" → "h:p/path" for messages (the query may hold a label; the path is
 * enough to say which call failed). */
static void describe_url(const char *url, char *out, size_t size)
{
    const char *s = strstr(url, "://");
    s = s ? s + 3 : url;
    size_t n = strcspn(s, "?");
    snprintf(out, size, "%.*s", (int)n, s);
}

static int map_curl_error(CURLcode cc, const char *errbuf, const op_sr_http_request *rq,
                          bool *connected, rt_err *err)
{
    char where[256];
    describe_url(rq->url, where, sizeof where);
    const char *why = errbuf[0] ? errbuf : curl_easy_strerror(cc);
    switch (cc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
        *connected = false;
        return rt_err_set(err, RT_EUNAVAIL, "%s %s: %s", rq->method, where, why);
    case CURLE_OPERATION_TIMEDOUT:
        return rt_err_set(err, RT_ETIMEDOUT, "%s %s: %s", rq->method, where, why);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        *connected = false;
        return rt_err_set(err, RT_EINVAL, "%s %s: %s", rq->method, where, why);
    case CURLE_OUT_OF_MEMORY:
        return rt_err_set(err, RT_ENOMEM, "%s %s: %s", rq->method, where, why);
    default:
        return rt_err_set(err, RT_EUNAVAIL, "%s %s: %s", rq->method, where, why);
    }
}

#define SET(opt, val)                                                                              \
    do {                                                                                           \
        if (cc == CURLE_OK)                                                                        \
            cc = curl_easy_setopt(h, (opt), (val));                                                \
    } while (0)

int op_sr_http_perform(const op_sr_http_request *rq, long *status, rt_buf *body, bool *connected,
                       rt_err *err)
{
    pthread_once(&global_once, global_init);
    *connected = true;
    if (global_rc != CURLE_OK)
        return rt_err_set(err, RT_EINTERNAL, "curl_global_init: %s", curl_easy_strerror(global_rc));
    CURL *h = curl_easy_init();
    if (!h)
        return rt_err_set(err, RT_ENOMEM, "curl_easy_init failed");

    struct curl_slist *hdrs = NULL;
    bool oom = false;
    for (size_t i = 0; i < rq->header_count && !oom; i++) {
        struct curl_slist *n = curl_slist_append(hdrs, rq->headers[i]);
        if (!n)
            oom = true;
        else
            hdrs = n;
    }
    /* Expect is explicit either way: the FE refuses a Stream Load without it (notes 1.1), and
     * curl would otherwise decide by body size on its own. */
    if (!oom) {
        struct curl_slist *n =
            curl_slist_append(hdrs, rq->expect_continue ? "Expect: 100-continue" : "Expect:");
        if (!n)
            oom = true;
        else
            hdrs = n;
    }
    if (oom) {
        curl_slist_free_all(hdrs);
        curl_easy_cleanup(h);
        return rt_err_set(err, RT_ENOMEM, "curl_slist_append failed");
    }

    char errbuf[CURL_ERROR_SIZE];
    errbuf[0] = '\0';
    body_reader reader = {.data = rq->body, .size = rq->body ? rq->body_size : 0, .pos = 0};
    reply_sink sink = {.body = body,
                       .kept = 0,
                       .max = rq->max_reply_size ? rq->max_reply_size : DEFAULT_MAX_REPLY};
    bool has_body = strcmp(rq->method, "GET") != 0;

    CURLcode cc = CURLE_OK;
    SET(CURLOPT_URL, rq->url);
    SET(CURLOPT_ERRORBUFFER, errbuf);
    SET(CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for timeouts */
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_HTTPHEADER, hdrs);
    SET(CURLOPT_WRITEFUNCTION, write_cb);
    SET(CURLOPT_WRITEDATA, &sink);
    SET(CURLOPT_CONNECTTIMEOUT_MS, (long)rq->connect_timeout_ms);
    if (rq->request_timeout_ms > 0)
        SET(CURLOPT_TIMEOUT_MS, (long)rq->request_timeout_ms);
    if (rq->socket_timeout_ms > 0) {
        /* curl has no idle timeout; "under 1 byte/s for N seconds" is the same thing. */
        SET(CURLOPT_LOW_SPEED_LIMIT, 1L);
        SET(CURLOPT_LOW_SPEED_TIME, (long)((rq->socket_timeout_ms + 999) / 1000));
    }
    /* The FE closes its connection after a 307 (notes 1.1): never reuse one, and open a fresh
     * one for each request, so a half-closed connection cannot eat a request. */
    SET(CURLOPT_FRESH_CONNECT, 1L);
    SET(CURLOPT_FORBID_REUSE, 1L);
    if (rq->follow_redirects) {
        SET(CURLOPT_FOLLOWLOCATION, 1L);
        SET(CURLOPT_MAXREDIRS, 3L);
        /* The BE checks Basic auth itself: send it to the redirected host too (notes 8.2). */
        SET(CURLOPT_UNRESTRICTED_AUTH, 1L);
    }
    if (rq->user) {
        SET(CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        SET(CURLOPT_USERNAME, rq->user);
        SET(CURLOPT_PASSWORD, rq->password ? rq->password : "");
    }
    if (has_body) {
        /* Upload + custom method keeps PUT/POST over a 307, and the read/seek callbacks let curl
         * send the same bytes to the BE. */
        SET(CURLOPT_UPLOAD, 1L);
        SET(CURLOPT_CUSTOMREQUEST, rq->method);
        SET(CURLOPT_READFUNCTION, read_cb);
        SET(CURLOPT_READDATA, &reader);
        SET(CURLOPT_SEEKFUNCTION, seek_cb);
        SET(CURLOPT_SEEKDATA, &reader);
        SET(CURLOPT_INFILESIZE_LARGE, (curl_off_t)reader.size);
    } else {
        SET(CURLOPT_HTTPGET, 1L);
    }
    int rc = 0;
    if (cc != CURLE_OK) {
        rc = rt_err_set(err, cc == CURLE_OUT_OF_MEMORY ? RT_ENOMEM : RT_EINTERNAL,
                        "curl_easy_setopt: %s", curl_easy_strerror(cc));
        *connected = false;
    } else {
        cc = curl_easy_perform(h);
        if (cc == CURLE_OK) {
            long code = 0;
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
            *status = code;
        } else {
            /* A timeout before any byte of a request went out (connect phase of the first hop)
             * reached nobody: as safe to send elsewhere as a refused connection. */
            if (cc == CURLE_OPERATION_TIMEDOUT) {
                curl_off_t sent = 0;
                long req_size = 0;
                curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &req_size);
                curl_easy_getinfo(h, CURLINFO_SIZE_UPLOAD_T, &sent);
                if (req_size == 0 && sent == 0)
                    *connected = false;
            }
            rc = map_curl_error(cc, errbuf, rq, connected, err);
        }
    }
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    return rc;
}

/* ---- URL and header syntax ------------------------------------------------------------- */

int op_sr_http_base_url(const char *in, char **out, rt_err *err)
{
    if (!in || !*in)
        return rt_err_set(err, RT_EINVAL, "load_url: empty");
    const char *scheme = "http://";
    const char *rest = in;
    if (strncasecmp(in, "http://", 7) == 0) {
        rest = in + 7;
    } else if (strncasecmp(in, "https://", 8) == 0) {
        scheme = "https://";
        rest = in + 8;
    } else if (strstr(in, "://")) {
        return rt_err_set(err, RT_EINVAL, "load_url '%s': only http and https", in);
    }
    size_t n = strlen(rest);
    while (n && rest[n - 1] == '/')
        n--;
    /* '@' would be user info: credentials belong in the config's user/password, never a URL. */
    if (n == 0 || memchr(rest, '/', n) || strpbrk(in, " \t\r\n?#@"))
        return rt_err_set(err, RT_EINVAL, "load_url: expected host:port");
    rt_buf b;
    rt_buf_init(&b);
    rt_buf_appendf(&b, "%s%.*s", scheme, (int)n, rest);
    *out = rt_buf_take(&b);
    return 0;
}

static bool is_token_char(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           (ch && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

int op_sr_http_check_header(const char *name, const char *value, rt_err *err)
{
    if (!name || !*name)
        return rt_err_set(err, RT_EINVAL, "header: empty name");
    for (const char *p = name; *p; p++)
        if (!is_token_char((unsigned char)*p))
            return rt_err_set(err, RT_EINVAL, "header '%.64s': invalid character in name", name);
    if (!value)
        return rt_err_set(err, RT_EINVAL, "header '%s': no value", name);
    if (strpbrk(value, "\r\n"))
        return rt_err_set(err, RT_EINVAL, "header '%s': line break in value", name);
    return 0;
}

void op_sr_http_append_escaped(rt_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            ch == '-' || ch == '_' || ch == '.' || ch == '~') {
            rt_buf_append_char(b, (char)ch);
        } else {
            rt_buf_append_char(b, '%');
            rt_buf_append_char(b, hex[ch >> 4]);
            rt_buf_append_char(b, hex[ch & 15]);
        }
    }
}

char *op_sr_http_first_lines(const char *text, size_t len, size_t max_lines)
{
    size_t lines = 0, end = 0;
    while (end < len && lines < max_lines) {
        const char *nl = memchr(text + end, '\n', len - end);
        end = nl ? (size_t)(nl - text) + 1 : len;
        lines++;
    }
    while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == '\r'))
        end--;
    rt_buf out;
    rt_buf_init(&out);
    if (end)
        rt_buf_append(&out, text, end);
    return rt_buf_take(&out);
}
