/* mysql:// and starrocks:// URLs for `sluice generate`. A URL with a password is refused without
 * quoting it, so the password does not reach a message, a log or a terminal scroll-back. */
#include "jobs/codegen/source_url.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void gen_url_fini(gen_url *u)
{
    if (!u)
        return;
    free(u->user);
    free(u->host);
    free(u->database);
    free(u->ssl_mode);
    memset(u, 0, sizeof *u);
}

static int parse_port(const char *s, size_t len, unsigned *out)
{
    if (len == 0 || len > 5)
        return -1;
    unsigned v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v < 1 || v > 65535)
        return -1;
    *out = v;
    return 0;
}

/* Splits "scheme://USER@HOST[:PORT][/PATH][?QUERY]"; every output points into text. */
typedef struct parts {
    const char *user, *host, *port, *path, *query;
    size_t user_len, host_len, port_len, path_len;
} parts;

static int split(const char *opt, const char *scheme, const char *pw_env, const char *text,
                 parts *p, rt_err *err)
{
    memset(p, 0, sizeof *p);
    size_t sl = strlen(scheme);
    if (strncmp(text, scheme, sl) != 0)
        return rt_err_set(err, RT_EINVAL, "%s: expected a URL starting with %s", opt, scheme);
    const char *s = text + sl;
    const char *at = strchr(s, '@');
    const char *end = s + strcspn(s, "/?");
    if (!at || at > end)
        return rt_err_set(err, RT_EINVAL, "%s: the URL needs a user: %sUSER@HOST", opt, scheme);
    const char *colon = memchr(s, ':', (size_t)(at - s));
    if (colon)
        return rt_err_set(err, RT_EINVAL,
                          "%s: a password in the URL is refused (it would show in process lists "
                          "and shell history): set %s or use %s-password-file",
                          opt, pw_env, opt);
    p->user = s;
    p->user_len = (size_t)(at - s);
    p->host = at + 1;
    const char *pc = memchr(p->host, ':', (size_t)(end - p->host));
    p->host_len = (size_t)((pc ? pc : end) - p->host);
    if (pc) {
        p->port = pc + 1;
        p->port_len = (size_t)(end - p->port);
    }
    if (p->user_len == 0 || p->host_len == 0)
        return rt_err_set(err, RT_EINVAL, "%s: the URL needs a user and a host: %sUSER@HOST", opt,
                          scheme);
    if (*end == '/') {
        p->path = end + 1;
        p->path_len = strcspn(p->path, "?");
        end = p->path + p->path_len;
    }
    if (*end == '?')
        p->query = end + 1;
    return 0;
}

/* Fills values[i] (malloc'd) with keys[i]'s value in "a=1&b=2"; another key is an error. */
static int query_get(const char *q, const char *const *keys, char **values, size_t nkeys,
                     const char *opt, rt_err *err)
{
    while (q && *q) {
        size_t len = strcspn(q, "&");
        const char *eq = memchr(q, '=', len);
        size_t klen = eq ? (size_t)(eq - q) : len;
        size_t i = 0;
        while (i < nkeys && !(strlen(keys[i]) == klen && strncmp(q, keys[i], klen) == 0))
            i++;
        if (i == nkeys || !eq)
            return rt_err_set(err, RT_EINVAL, "%s: unknown URL parameter \"%.*s\"", opt, (int)klen,
                              q);
        free(values[i]);
        values[i] = strndup(eq + 1, len - klen - 1);
        q += len;
        if (*q == '&')
            q++;
    }
    return 0;
}

int gen_url_parse_mysql(const char *text, gen_url *out, rt_err *err)
{
    parts p;
    int rc = split("--source", "mysql://", "SLUICE_SOURCE_PASSWORD", text, &p, err);
    if (rc != 0)
        return rc;
    gen_url u = {.port = 3306};
    if (p.port && parse_port(p.port, p.port_len, &u.port) != 0)
        return rt_err_set(err, RT_EINVAL, "--source: port \"%.*s\" is not 1..65535",
                          (int)p.port_len, p.port);
    if (p.path && p.path_len)
        return rt_err_set(err, RT_EINVAL,
                          "--source: no database in the URL: --tables selects db.table names");
    static const char *const keys[] = {"ssl_mode"};
    char *values[1] = {NULL};
    rc = query_get(p.query, keys, values, 1, "--source", err);
    if (rc != 0) {
        free(values[0]);
        return rc;
    }
    u.ssl_mode = values[0];
    u.user = strndup(p.user, p.user_len);
    u.host = strndup(p.host, p.host_len);
    if (!u.user || !u.host) {
        gen_url_fini(&u);
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    }
    *out = u;
    return 0;
}

int gen_url_parse_starrocks(const char *text, gen_url *out, rt_err *err)
{
    parts p;
    int rc = split("--target", "starrocks://", "SLUICE_TARGET_PASSWORD", text, &p, err);
    if (rc != 0)
        return rc;
    gen_url u = {.port = 8030, .query_port = 9030};
    if (p.port && parse_port(p.port, p.port_len, &u.port) != 0)
        return rt_err_set(err, RT_EINVAL, "--target: port \"%.*s\" is not 1..65535",
                          (int)p.port_len, p.port);
    if (!p.path || p.path_len == 0 || memchr(p.path, '/', p.path_len))
        return rt_err_set(err, RT_EINVAL,
                          "--target: the URL needs the database: starrocks://USER@FE_HOST:8030/DB");
    static const char *const keys[] = {"query_port"};
    char *values[1] = {NULL};
    rc = query_get(p.query, keys, values, 1, "--target", err);
    if (rc != 0) {
        free(values[0]);
        return rc;
    }
    if (values[0] && parse_port(values[0], strlen(values[0]), &u.query_port) != 0) {
        rc = rt_err_set(err, RT_EINVAL, "--target: query_port \"%s\" is not 1..65535", values[0]);
        free(values[0]);
        return rc;
    }
    free(values[0]);
    /* StarRocks database names: a letter or '_', then letters, digits and '_' (§6.1). */
    bool name_ok = p.path_len <= 256 && (isalpha((unsigned char)p.path[0]) || p.path[0] == '_');
    for (size_t i = 1; name_ok && i < p.path_len; i++)
        name_ok = isalnum((unsigned char)p.path[i]) || p.path[i] == '_';
    if (!name_ok)
        return rt_err_set(err, RT_EINVAL,
                          "--target: database \"%.*s\": StarRocks takes a letter or _ followed by "
                          "letters, digits and _",
                          (int)p.path_len, p.path);
    u.user = strndup(p.user, p.user_len);
    u.host = strndup(p.host, p.host_len);
    u.database = strndup(p.path, p.path_len);
    if (!u.user || !u.host || !u.database) {
        gen_url_fini(&u);
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    }
    *out = u;
    return 0;
}
