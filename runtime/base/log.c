/* The leveled logger: formats one line per call, redacts secrets in it and writes it with a single
 * write(2). Owns the two pieces of logger state: the level and the output fd. */
#include "runtime/base/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "runtime/base/buf.h"
#include "runtime/base/clock.h"
#include "runtime/base/errors.h"

int rt_log_level_current = RT_LOG_INFO;
static int log_fd = 2;
static rt_log_format log_format = RT_LOG_FORMAT_TEXT;
/* The log file opened by rt_log_open_file (log_fd then is that file), and its path for reopen. */
static bool log_file_open;
static char *log_file_path;

static const char *const level_names[] = {"error", "warn", "info", "debug"};
static const char *const level_tags[] = {"ERROR", "WARN", "INFO", "DEBUG"};

const char *rt_log_level_name(rt_log_level level)
{
    if ((int)level < 0 || (int)level > RT_LOG_DEBUG)
        return "?";
    return level_names[level];
}

int rt_log_level_parse(const char *name, rt_log_level *out)
{
    if (!name)
        return RT_EINVAL;
    for (int i = 0; i <= RT_LOG_DEBUG; i++) {
        if (strcasecmp(name, level_names[i]) == 0) {
            *out = (rt_log_level)i;
            return 0;
        }
    }
    if (strcasecmp(name, "warning") == 0) {
        *out = RT_LOG_WARN;
        return 0;
    }
    return RT_EINVAL;
}

void rt_log_set_level(rt_log_level level)
{
    rt_log_level_current = (int)level;
}

void rt_log_set_fd(int fd)
{
    log_fd = fd;
}

const char *rt_log_format_name(rt_log_format format)
{
    return format == RT_LOG_FORMAT_JSON ? "json" : format == RT_LOG_FORMAT_TEXT ? "text" : "?";
}

int rt_log_format_parse(const char *name, rt_log_format *out)
{
    if (name && strcasecmp(name, "text") == 0) {
        *out = RT_LOG_FORMAT_TEXT;
        return 0;
    }
    if (name && strcasecmp(name, "json") == 0) {
        *out = RT_LOG_FORMAT_JSON;
        return 0;
    }
    return RT_EINVAL;
}

void rt_log_set_format(rt_log_format format)
{
    log_format = format;
}

static int open_log(const char *path, rt_err *err)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0)
        rt_err_set(err, RT_EIO, "log file '%s': %s", path, strerror(errno));
    return fd;
}

int rt_log_open_file(const char *path, rt_err *err)
{
    int fd = open_log(path, err);
    if (fd < 0)
        return RT_EIO;
    char *copy = strdup(path);
    if (!copy) {
        close(fd);
        return rt_err_set(err, RT_ENOMEM, "log file '%s': out of memory", path);
    }
    if (log_file_open) {
        /* Keep the fd number stable so that the swap is atomic, as in rt_log_reopen. */
        dup2(fd, log_fd);
        close(fd);
    } else {
        log_fd = fd;
        log_file_open = true;
    }
    free(log_file_path);
    log_file_path = copy;
    return 0;
}

int rt_log_reopen(rt_err *err)
{
    if (!log_file_open)
        return 0;
    int fd = open_log(log_file_path, err);
    if (fd < 0)
        return RT_EIO;
    /* dup2 replaces log_fd atomically: a concurrent write(2) goes whole to one file or the other,
     * and log_fd never names a closed descriptor. */
    int rc = 0;
    if (dup2(fd, log_fd) < 0)
        rc = rt_err_set(err, RT_EIO, "log file '%s': dup2: %s", log_file_path, strerror(errno));
    close(fd);
    return rc;
}

void rt_log_close_file(void)
{
    if (!log_file_open)
        return;
    close(log_fd);
    log_fd = 2;
    log_file_open = false;
    free(log_file_path);
    log_file_path = NULL;
}

/* ---- redaction ---------------------------------------------------------------------------- */

static const char *const secret_keys[] = {"password", "passwd", "pwd", "secret", "token"};

#define MASK "***"
#define MASK_LEN 3

/* The scan state of one redaction: the string, its length and how far it may grow (cap counts
 * the NUL). rt_log_redact passes cap = len + 1, so it never grows; rt_log_write has room in its
 * line buffer, so even a one-letter password prints as "***" and does not reveal its length. */
typedef struct redact_ctx {
    char *s;
    size_t len;
    size_t cap;
} redact_ctx;

/* Replaces s[vs, ve) by the mask; returns the index just past it. An empty value stays empty:
 * there is nothing to hide and "***" would suggest there was. */
static size_t mask_value(redact_ctx *r, size_t vs, size_t ve)
{
    size_t vlen = ve - vs;
    if (vlen == 0)
        return ve;
    size_t m = MASK_LEN;
    if (vlen < MASK_LEN && r->len + (MASK_LEN - vlen) + 1 > r->cap)
        m = vlen; /* no room to grow: as many stars as the value had bytes */
    memmove(r->s + vs + m, r->s + ve, r->len - ve + 1); /* moves the NUL too */
    memset(r->s + vs, '*', m);
    r->len = r->len - vlen + m;
    return vs + m;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static size_t skip_spaces(const char *s, size_t i)
{
    while (s[i] == ' ' || s[i] == '\t')
        i++;
    return i;
}

/* End of the quoted string whose opening quote is at s[q] (index of the closing quote, or of the
 * NUL when it is unterminated). Backslash escapes are skipped so `\"` does not end the value. */
static size_t quoted_end(const char *s, size_t q)
{
    char quote = s[q];
    size_t i = q + 1;
    while (s[i] && s[i] != quote) {
        if (s[i] == '\\' && s[i + 1])
            i++;
        i++;
    }
    return i;
}

/* Masks the value that starts at v; `stops` are the bytes that end an unquoted value (besides NUL
 * and white space). Returns the index to resume scanning at. */
static size_t mask_at(redact_ctx *r, size_t v, const char *stops)
{
    if (r->s[v] == '"' || r->s[v] == '\'') {
        size_t e = quoted_end(r->s, v);
        return mask_value(r, v + 1, e);
    }
    size_t e = v;
    while (r->s[e] && !is_space(r->s[e]) && !strchr(stops, r->s[e]))
        e++;
    return mask_value(r, v, e);
}

/* If a secret key ends at s[j) (just before j), masks its value and returns where to resume;
 * returns 0 when s[j] does not continue one of the three key/value forms. */
static size_t redact_key_value(redact_ctx *r, size_t j)
{
    char *s = r->s;
    if (s[j] == '"') {
        /* JSON: "key": value — the key's closing quote, then a colon. */
        size_t k = skip_spaces(s, j + 1);
        if (s[k] != ':')
            return 0;
        k = skip_spaces(s, k + 1);
        return s[k] ? mask_at(r, k, ",}]\"'") : 0;
    }
    if (s[j] == '=')
        return s[j + 1] ? mask_at(r, j + 1, "&;\"'") : 0;
    if (s[j] == ':' && s[j + 1] != '/') { /* "token://" is a URL scheme, not a key */
        size_t k = skip_spaces(s, j + 1);
        return s[k] ? mask_at(r, k, "\"'") : 0;
    }
    return 0;
}

/* scheme://user:password@host — masks the password of the authority that starts at a. */
static size_t redact_userinfo(redact_ctx *r, size_t a)
{
    char *s = r->s;
    size_t e = a, at = 0, colon = 0;
    bool has_at = false, has_colon = false;
    for (; s[e] && !is_space(s[e]) && !strchr("/?#\"'", s[e]); e++) {
        if (s[e] == '@') {
            has_at = true;
            at = e; /* the last '@' ends the userinfo (RFC 3986 3.2.1) */
        }
    }
    if (!has_at)
        return a;
    for (size_t i = a; i < at; i++) {
        if (s[i] == ':') {
            has_colon = true;
            colon = i;
            break;
        }
    }
    if (!has_colon)
        return a;
    return mask_value(r, colon + 1, at);
}

static size_t redact(char *s, size_t cap)
{
    redact_ctx r = {.s = s, .len = strlen(s), .cap = cap};
    size_t i = 0;
    while (i < r.len) {
        if (s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/') {
            size_t next = redact_userinfo(&r, i + 3);
            i = next > i + 3 ? next : i + 3;
            continue;
        }
        size_t next = 0;
        for (size_t k = 0; k < sizeof secret_keys / sizeof secret_keys[0]; k++) {
            size_t klen = strlen(secret_keys[k]);
            /* strncasecmp stops at the NUL of s, so a short tail is never read past. */
            if (strncasecmp(s + i, secret_keys[k], klen) == 0) {
                next = redact_key_value(&r, i + klen);
                if (next)
                    break;
            }
        }
        i = next ? next : i + 1;
    }
    return r.len;
}

size_t rt_log_redact(char *s)
{
    return redact(s, strlen(s) + 1);
}

/* ---- writing ------------------------------------------------------------------------------ */

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Writes all of buf with as few write(2) calls as the kernel allows (one, in practice). */
static void write_line(const char *buf, size_t len)
{
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(log_fd, buf + off, len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        off += (size_t)w;
    }
}

/* The JSON form of one line: msg is already redacted, so escaping cannot reveal a secret. */
static void write_json_line(const struct tm *tm, int64_t now, rt_log_level level, const char *file,
                            int line, const char *msg, size_t msg_len)
{
    rt_buf b;
    rt_buf_init(&b);
    rt_buf_appendf(&b, "{\"ts\":\"%04d-%02d-%02dT%02d:%02d:%02d.%03dZ\",\"level\":\"%s\",\"file\":",
                   tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday, tm->tm_hour, tm->tm_min,
                   tm->tm_sec, (int)(now % 1000), rt_log_level_name(level));
    const char *f = base_name(file ? file : "?");
    rt_buf_append_json_str(&b, f, strlen(f));
    rt_buf_appendf(&b, ",\"line\":%d,\"msg\":", line);
    rt_buf_append_json_str(&b, msg, msg_len);
    rt_buf_append_str(&b, "}\n");
    write_line(b.data, b.len);
    rt_buf_fini(&b);
}

void rt_log_write(rt_log_level level, const char *file, int line, const char *fmt, ...)
{
    char stack[4096];
    char *buf = stack;
    size_t cap = sizeof stack;

    int64_t now = rt_clock_wall_ms();
    time_t secs = (time_t)(now / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    const char *tag = (int)level >= 0 && (int)level <= RT_LOG_DEBUG ? level_tags[level] : "?";
    int head = snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ %-5s %s:%d ",
                        tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                        tm.tm_sec, (int)(now % 1000), tag, base_name(file ? file : "?"), line);
    if (head < 0 || (size_t)head >= cap / 2)
        head = 0; /* an absurd file name: drop the prefix rather than the message */

    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + head, cap - (size_t)head, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    /* A message too long for the stack goes to the heap; twice its size leaves room for every
     * short secret to grow to "***" and for the newline. */
    if ((size_t)n + 2 > cap - (size_t)head) {
        size_t need = (size_t)head + 2 * (size_t)n + 2;
        char *heap = malloc(need);
        if (heap) {
            memcpy(heap, buf, (size_t)head);
            va_start(ap, fmt);
            vsnprintf(heap + head, need - (size_t)head, fmt, ap);
            va_end(ap);
            buf = heap;
            cap = need;
        } else {
            n = (int)(cap - (size_t)head - 2); /* keep what fits */
            buf[head + n] = '\0';
        }
    }
    /* One byte stays free for the newline. */
    size_t msg_len = redact(buf + head, cap - (size_t)head - 1);
    if (log_format == RT_LOG_FORMAT_JSON) {
        write_json_line(&tm, now, level, file, line, buf + head, msg_len);
    } else {
        size_t len = (size_t)head + msg_len;
        buf[len++] = '\n';
        /* One write(2) keeps lines of concurrent threads whole; retry only what a signal cut
         * short. */
        write_line(buf, len);
    }
    if (buf != stack)
        free(buf);
}
