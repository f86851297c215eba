/* The failpoint table: parsed once from SLUICE_FAILPOINTS, then only read (hit counters are
 * atomics), so FAILPOINT costs one branch when nothing is armed and no lock when something is. */
#include "runtime/base/failpoint.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/base/clock.h"
#include "runtime/base/log.h"

typedef enum action { ACT_ERROR, ACT_ABORT, ACT_EXIT, ACT_DELAY } action;

typedef struct failpoint {
    char *name;
    action act;
    int64_t delay_ms;
    unsigned at;    /* fire on this hit (1-based); 0: on every hit */
    bool and_later; /* "@N+": on hit N and every later one */
    atomic_uint hits;
} failpoint;

bool rt_failpoints_armed;
static failpoint *table;
static size_t table_count;

static void table_free(failpoint *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(t[i].name);
    free(t);
}

void rt_failpoint_reset(void)
{
    rt_failpoints_armed = false;
    table_free(table, table_count);
    table = NULL;
    table_count = 0;
}

/* Copies s[0..len) without the blanks around it. */
static char *trimmed(const char *s, size_t len)
{
    while (len && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    return strndup(s, len);
}

/* Parses a decimal count of at least min; the whole string must be digits. */
static bool parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    if (!isdigit((unsigned char)*s))
        return false;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* Parses one "name=action[@N[+]]" entry (already trimmed) into fp. */
static int parse_entry(char *entry, failpoint *fp, rt_err *err)
{
    char *eq = strchr(entry, '=');
    if (!eq)
        return rt_err_set(err, RT_EINVAL, "SLUICE_FAILPOINTS: \"%s\": expected name=action", entry);
    *eq = '\0';
    char *name = entry, *act = eq + 1;
    size_t name_len = strlen(name);
    while (name_len && isspace((unsigned char)name[name_len - 1]))
        name[--name_len] = '\0';
    while (isspace((unsigned char)*act))
        act++;
    if (!*name)
        return rt_err_set(err, RT_EINVAL, "SLUICE_FAILPOINTS: \"=%s\": empty failpoint name", act);

    char *at = strchr(act, '@');
    if (at) {
        *at++ = '\0';
        size_t n = strlen(at);
        if (n && at[n - 1] == '+') {
            fp->and_later = true;
            at[n - 1] = '\0';
        }
        uint64_t v;
        if (!parse_uint(at, 1, UINT32_MAX, &v))
            return rt_err_set(err, RT_EINVAL,
                              "SLUICE_FAILPOINTS: %s: bad hit count \"@%s%s\" (expected @N or @N+, "
                              "N >= 1)",
                              name, at, fp->and_later ? "+" : "");
        fp->at = (unsigned)v;
    }
    if (strcmp(act, "error") == 0) {
        fp->act = ACT_ERROR;
    } else if (strcmp(act, "abort") == 0) {
        fp->act = ACT_ABORT;
    } else if (strcmp(act, "exit") == 0) {
        fp->act = ACT_EXIT;
    } else if (strncmp(act, "delay(", 6) == 0 && act[strlen(act) - 1] == ')') {
        act[strlen(act) - 1] = '\0';
        uint64_t ms;
        if (!parse_uint(act + 6, 0, 24 * 3600 * 1000, &ms))
            return rt_err_set(err, RT_EINVAL,
                              "SLUICE_FAILPOINTS: %s: bad delay \"%s)\" (expected delay(MS))", name,
                              act);
        fp->act = ACT_DELAY;
        fp->delay_ms = (int64_t)ms;
    } else {
        return rt_err_set(err, RT_EINVAL,
                          "SLUICE_FAILPOINTS: %s: unknown action \"%s\" (expected error, abort, "
                          "exit or delay(MS))",
                          name, act);
    }
    fp->name = strdup(name);
    if (!fp->name)
        return rt_err_set(err, RT_ENOMEM, "SLUICE_FAILPOINTS: out of memory");
    return 0;
}

int rt_failpoint_init(const char *spec, rt_err *err)
{
    rt_failpoint_reset();
    if (!spec)
        spec = getenv("SLUICE_FAILPOINTS");
    if (!spec)
        return 0;

    size_t cap = 1;
    for (const char *p = spec; *p; p++)
        cap += *p == ',';
    failpoint *t = calloc(cap, sizeof *t);
    if (!t)
        return rt_err_set(err, RT_ENOMEM, "SLUICE_FAILPOINTS: out of memory");
    size_t n = 0;
    int rc = 0;
    for (const char *p = spec; rc == 0;) {
        size_t len = strcspn(p, ",");
        char *entry = trimmed(p, len);
        if (!entry) {
            rc = rt_err_set(err, RT_ENOMEM, "SLUICE_FAILPOINTS: out of memory");
            break;
        }
        /* Empty entries ("a=error,,b=exit" or a trailing comma) are harmless: skip them. */
        if (*entry) {
            rc = parse_entry(entry, &t[n], err);
            if (rc == 0) {
                n++;
                for (size_t i = 0; i + 1 < n; i++) {
                    if (strcmp(t[i].name, t[n - 1].name) == 0) {
                        rc = rt_err_set(err, RT_EINVAL, "SLUICE_FAILPOINTS: %s: armed twice",
                                        t[n - 1].name);
                        break;
                    }
                }
            }
        }
        free(entry);
        if (!p[len])
            break;
        p += len + 1;
    }
    if (rc != 0) {
        table_free(t, n);
        return rc;
    }
    if (n == 0) {
        free(t);
        return 0;
    }
    table = t;
    table_count = n;
    rt_failpoints_armed = true;
    for (size_t i = 0; i < n; i++)
        LOG_WARN("failpoint %s armed", t[i].name);
    return 0;
}

static failpoint *find(const char *name)
{
    for (size_t i = 0; i < table_count; i++) {
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
    }
    return NULL;
}

int rt_failpoint_hit(const char *name, rt_err *err)
{
    failpoint *fp = find(name);
    if (!fp)
        return 0;
    unsigned hit = atomic_fetch_add(&fp->hits, 1) + 1;
    bool fire = fp->at == 0 || hit == fp->at || (fp->and_later && hit > fp->at);
    if (!fire)
        return 0;
    switch (fp->act) {
    case ACT_ERROR:
        return rt_err_set(err, RT_EIO, "failpoint %s", name);
    case ACT_ABORT:
        LOG_ERROR("failpoint %s: abort", name);
        abort();
    case ACT_EXIT:
        /* _exit, not exit: no atexit handlers and no stdio flush, as close to kill -9 as a
         * process can do to itself. */
        LOG_ERROR("failpoint %s: exit", name);
        _exit(137);
    case ACT_DELAY:
        LOG_DEBUG("failpoint %s: delay %lld ms", name, (long long)fp->delay_ms);
        rt_sleep_ms(fp->delay_ms);
        return 0;
    }
    return 0;
}

unsigned rt_failpoint_hits(const char *name)
{
    failpoint *fp = find(name);
    return fp ? atomic_load(&fp->hits) : 0;
}
