/* Static files of the web console. The path is checked character by character before any file
 * system call, and the file's real path must still lie inside the real web directory, so neither
 * ".." nor a symlink reaches a file outside it. */
#include "runtime/rest/static_files.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define WEB_PREFIX "/web/"

bool rt_static_is_path(const char *method, const char *path)
{
    return strcmp(method, "GET") == 0 &&
           (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0 ||
            strncmp(path, WEB_PREFIX, strlen(WEB_PREFIX)) == 0);
}

static bool safe_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
}

int rt_static_resolve(const char *path, char *out, size_t size, rt_err *err)
{
    const char *rel;
    if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0)
        rel = "index.html";
    else if (strncmp(path, WEB_PREFIX, strlen(WEB_PREFIX)) == 0)
        rel = path + strlen(WEB_PREFIX);
    else
        return rt_err_set(err, RT_ENOTFOUND, "not a web console path");
    size_t n = strlen(rel);
    if (n == 0)
        return rt_err_set(err, RT_EINVAL, "no file named");
    if (n >= size)
        return rt_err_set(err, RT_EINVAL, "path too long");
    bool seg_start = true;
    for (size_t i = 0; i < n; i++) {
        char c = rel[i];
        if (c == '/') {
            if (seg_start)
                return rt_err_set(err, RT_EINVAL, "empty path segment");
            seg_start = true;
            continue;
        }
        if (!safe_char(c) || (seg_start && c == '.'))
            return rt_err_set(err, RT_EINVAL, "unsafe path");
        seg_start = false;
    }
    if (seg_start)
        return rt_err_set(err, RT_EINVAL, "path ends with '/'");
    memcpy(out, rel, n + 1);
    return 0;
}

const char *rt_static_content_type(const char *name)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".json", "application/json; charset=utf-8"},
        {".ico", "image/x-icon"},
        {".txt", "text/plain; charset=utf-8"},
        {".map", "application/json; charset=utf-8"},
    };
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

static void not_found(rt_rest_reply *r, const char *path)
{
    char msg[300];
    snprintf(msg, sizeof msg, "not found: GET %.200s", path);
    rt_rest_reply_error(r, 404, msg);
}

void rt_static_serve(const char *web_dir, const char *path, rt_rest_reply *r)
{
    char rel[1024], msg[PATH_MAX + 200];
    rt_err err = {0};
    int rc = rt_static_resolve(path, rel, sizeof rel, &err);
    if (rc == RT_ENOTFOUND) {
        not_found(r, path);
        return;
    }
    if (rc) {
        snprintf(msg, sizeof msg, "bad web console path: %s", err.msg);
        rt_rest_reply_error(r, 400, msg);
        return;
    }
    char dir[PATH_MAX], file[PATH_MAX * 2], real[PATH_MAX];
    if (!web_dir || !realpath(web_dir, dir)) {
        snprintf(msg, sizeof msg,
                 "web console not found: directory '%s' is missing (start sluiced with "
                 "--web-dir DIR); the REST API works without it",
                 web_dir ? web_dir : "(none)");
        rt_rest_reply_error(r, 404, msg);
        return;
    }
    snprintf(file, sizeof file, "%s/%s", dir, rel);
    size_t dl = strlen(dir);
    struct stat st;
    /* realpath resolves every symlink: the result must still be inside dir. */
    if (!realpath(file, real) || strncmp(real, dir, dl) != 0 || real[dl] != '/' ||
        stat(real, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > RT_STATIC_MAX_FILE) {
        not_found(r, path);
        return;
    }
    FILE *f = fopen(real, "rb");
    if (!f) {
        not_found(r, path);
        return;
    }
    rt_buf_reset(&r->body);
    char buf[16384];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        rt_buf_append(&r->body, buf, got);
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad) {
        snprintf(msg, sizeof msg, "cannot read %.200s: %s", rel, strerror(errno));
        rt_rest_reply_error(r, 500, msg);
        return;
    }
    r->status = 200;
    r->content_type = rt_static_content_type(rel);
    r->cache_control = "no-cache";
    r->raw = true;
}
