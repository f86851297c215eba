/* The sluice client commands that talk to sluiced over its REST API: submit, list, status,
 * cancel, stop, savepoint, checkpoints. Each maps the daemon's answer to an exit code a script
 * can rely on (cli.h) and prints either a readable view or, with --json, the daemon's JSON. */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/base/buf.h"
#include "runtime/base/clock.h"
#include "runtime/base/json_text.h"
#include "runtime/cli/cli.h"
#include "runtime/cli/rest_client.h"

#define DEFAULT_URL "http://127.0.0.1:8081"
/* How long stop, savepoint and cancel wait for the outcome unless --timeout says otherwise. */
#define DEFAULT_WAIT_S 300
#define POLL_MS 200
/* Job files are small; a bigger file is a mistake (the daemon would refuse it anyway). */
#define MAX_JOB_FILE_SIZE (16u << 20)

#define JOBS_USAGE                                                                                 \
    "usage: sluice [--url URL] [--token T | --token-file F] [--json] <command>\n"                  \
    "  submit JOB.json [--savepoint PATH]   submit a job; prints its id\n"                         \
    "  list                                 the jobs: id, name, state, start, duration, "          \
    "restarts\n"                                                                                   \
    "  status ID                            one job: state, failure, vertices, checkpoints\n"      \
    "  cancel ID [--no-wait]                cancel; waits until the job is terminal\n"             \
    "  stop ID                              stop with a savepoint; prints its location\n"          \
    "  savepoint ID                         take a savepoint; prints its location\n"               \
    "  checkpoints ID                       the job's checkpoint history\n"                        \
    "  [--timeout SECONDS]                  how long cancel/stop/savepoint wait (default 300)\n"

typedef struct jobs_ctx {
    const char *cmd; /* "status", for messages */
    cli_remote remote;
    cli_rest_client *client;
    const char *arg;       /* the job id or file */
    const char *savepoint; /* submit --savepoint */
    bool no_wait;
    int timeout_s;
} jobs_ctx;

int cli_remote_parse_option(cli_remote *r, int argc, char **argv, int *i)
{
    const char *o = argv[*i];
    const char **slot = NULL;
    if (strcmp(o, "--json") == 0) {
        r->json = true;
        return 1;
    }
    if (strcmp(o, "--url") == 0)
        slot = &r->url;
    else if (strcmp(o, "--token") == 0)
        slot = &r->token;
    else if (strcmp(o, "--token-file") == 0)
        slot = &r->token_file;
    else
        return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "sluice: %s needs a value\n", o);
        return -1;
    }
    *slot = argv[++*i];
    return 1;
}

/* Reads a whole file into b (NUL-terminated). Returns 0, or -1 with errno set. */
static int read_file(const char *path, size_t max, rt_buf *b)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b->len + n > max) {
            fclose(f);
            errno = EFBIG;
            return -1;
        }
        rt_buf_append(b, chunk, n);
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        errno = EIO;
        return -1;
    }
    rt_buf_append(b, "", 0);
    return 0;
}

/* The token: --token, else the first line of --token-file, else $SLUICE_TOKEN. Returns 0 or
 * CLI_EXIT_USAGE; *out is borrowed from argv/env or points into file_buf. */
static int resolve_token(const cli_remote *r, rt_buf *file_buf, const char **out)
{
    *out = r->token ? r->token : getenv("SLUICE_TOKEN");
    if (r->token || !r->token_file)
        return 0;
    if (read_file(r->token_file, 4096, file_buf) != 0) {
        fprintf(stderr, "sluice: --token-file %s: %s\n", r->token_file, strerror(errno));
        return CLI_EXIT_USAGE;
    }
    char *t = file_buf->data ? file_buf->data : "";
    t[strcspn(t, "\r\n")] = '\0';
    *out = t;
    return 0;
}

/* Prints the daemon's {"errors": [...]} (or its raw body) after "sluice CMD: HTTP N". */
static void print_http_error(const jobs_ctx *c, const cli_rest_response *resp)
{
    fprintf(stderr, "sluice %s: HTTP %ld", c->cmd, resp->status);
    json_t *root = json_loads(resp->body.data, 0, NULL);
    json_t *errors = json_object_get(root, "errors");
    if (json_is_array(errors) && json_array_size(errors) > 0) {
        size_t i;
        json_t *e;
        json_array_foreach(errors, i, e)
        {
            if (json_is_string(e)) {
                fprintf(stderr, "%s%s", i ? "; " : ": ", json_string_value(e));
            } else {
                char *s = json_dumps(e, JSON_COMPACT);
                fprintf(stderr, "%s%s", i ? "; " : ": ", s ? s : "?");
                free(s);
            }
        }
    } else if (resp->body.len > 0) {
        fprintf(stderr, ": %.*s", (int)(resp->body.len > 500 ? 500 : resp->body.len),
                resp->body.data);
    }
    fputc('\n', stderr);
    json_decref(root);
}

static int status_exit_code(long status)
{
    if (status == 401)
        return CLI_EXIT_UNAUTHORIZED;
    if (status == 404)
        return CLI_EXIT_NOT_FOUND;
    return CLI_EXIT_FAILED;
}

/* One request. On a 2xx answer returns 0 with the parsed body in *json (NULL when empty; the
 * caller decrefs) and, when raw is not NULL, the text in raw (caller frees). Otherwise prints
 * why and returns the exit code. */
static int call(jobs_ctx *c, const char *method, const char *path, const char *body,
                size_t body_len, json_t **json, char **raw)
{
    cli_rest_response resp;
    rt_err err = {0};
    if (json)
        *json = NULL;
    if (raw)
        *raw = NULL;
    if (cli_rest_request(c->client, method, path, body, body_len, &resp, &err) != 0) {
        bool unreachable = err.code == RT_EUNAVAIL || err.code == RT_ETIMEDOUT;
        fprintf(stderr, "sluice %s: %s%s\n", c->cmd, unreachable ? "cannot reach sluiced: " : "",
                err.msg);
        cli_rest_response_fini(&resp);
        return unreachable ? CLI_EXIT_UNREACHABLE : CLI_EXIT_FAILED;
    }
    if (resp.status < 200 || resp.status > 299) {
        print_http_error(c, &resp);
        cli_rest_response_fini(&resp);
        return status_exit_code(resp.status);
    }
    int code = 0;
    if (json && resp.body.len > 0) {
        json_error_t jerr;
        *json = json_loadb(resp.body.data, resp.body.len, 0, &jerr);
        if (!*json) {
            fprintf(stderr, "sluice %s: the daemon's answer is not JSON: %s\n", c->cmd, jerr.text);
            code = CLI_EXIT_FAILED;
        }
    }
    if (code == 0 && raw)
        *raw = rt_buf_take(&resp.body);
    cli_rest_response_fini(&resp);
    return code;
}

static const char *str_or(const json_t *o, const char *key, const char *dflt)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : dflt;
}

static long long int_or(const json_t *o, const char *key, long long dflt)
{
    json_t *v = json_object_get(o, key);
    return json_is_number(v) ? (long long)json_number_value(v) : dflt;
}

/* "2026-11-26 10:00:00" (UTC) for ms since the epoch; "-" when unknown. */
static const char *fmt_time(long long ms, char *buf, size_t size)
{
    if (ms <= 0)
        return "-";
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

/* "1h02m03s", "4m05s", "12s", "350ms"; "-" when unknown. */
static const char *fmt_duration(long long ms, char *buf, size_t size)
{
    if (ms < 0)
        return "-";
    long long s = ms / 1000;
    if (s == 0)
        snprintf(buf, size, "%lldms", ms);
    else if (s < 60)
        snprintf(buf, size, "%llds", s);
    else if (s < 3600)
        snprintf(buf, size, "%lldm%02llds", s / 60, s % 60);
    else
        snprintf(buf, size, "%lldh%02lldm%02llds", s / 3600, s / 60 % 60, s % 60);
    return buf;
}

static const char *fmt_size(long long bytes, char *buf, size_t size)
{
    if (bytes < 0)
        return "-";
    if (bytes < 1024)
        snprintf(buf, size, "%lldB", bytes);
    else if (bytes < 1024 * 1024)
        snprintf(buf, size, "%.1fKiB", bytes / 1024.0);
    else
        snprintf(buf, size, "%.1fMiB", bytes / (1024.0 * 1024.0));
    return buf;
}

static void path_for(rt_buf *b, const char *fmt, const char *id, const char *more)
{
    rt_buf_reset(b);
    rt_buf_appendf(b, fmt, id, more ? more : "");
}

/* An id goes into a URL path as is: refuse what would change the path rather than escape it.
 * Anything else goes to the daemon, whose 404 is the answer for an id it does not know. */
static int check_id(const jobs_ctx *c, const char *id)
{
    static const char ok[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-.";
    if (!id || !*id || strlen(id) > 128 || strspn(id, ok) != strlen(id) || id[0] == '.') {
        fprintf(stderr, "sluice %s: \"%s\" is not a job id (32 hex digits)\n", c->cmd,
                id ? id : "");
        return CLI_EXIT_USAGE;
    }
    return 0;
}

static int cmd_submit(jobs_ctx *c)
{
    rt_buf body;
    rt_buf_init(&body);
    if (read_file(c->arg, MAX_JOB_FILE_SIZE, &body) != 0) {
        fprintf(stderr, "sluice submit: %s: %s\n", c->arg, strerror(errno));
        rt_buf_fini(&body);
        return CLI_EXIT_USAGE;
    }
    if (c->savepoint) {
        /* The daemon takes the savepoint as a top-level key of the body; it resolves paths
         * from its own working directory, so send an absolute one. */
        json_error_t jerr;
        json_t *root = json_loadb(body.data, body.len, 0, &jerr);
        if (!json_is_object(root)) {
            fprintf(stderr, "sluice submit: %s: invalid JSON at line %d, column %d: %s\n", c->arg,
                    jerr.line, jerr.column, root ? "not an object" : jerr.text);
            json_decref(root);
            rt_buf_fini(&body);
            return CLI_EXIT_USAGE;
        }
        char abs[PATH_MAX];
        const char *sp = realpath(c->savepoint, abs) ? abs : c->savepoint;
        json_object_set_new(root, "savepoint", json_string(sp));
        char *text = rt_json_text_format(root, 0);
        json_decref(root);
        rt_buf_reset(&body);
        rt_buf_append_str(&body, text);
        free(text);
    }
    json_t *reply;
    char *raw;
    int code = call(c, "POST", "/jobs", body.data, body.len, &reply, &raw);
    rt_buf_fini(&body);
    if (code != 0)
        return code;
    const char *id = str_or(reply, "jobid", NULL);
    if (c->remote.json)
        printf("%s\n", raw);
    else if (id)
        printf("%s\n", id);
    if (!id && !c->remote.json) {
        fprintf(stderr, "sluice submit: no \"jobid\" in the daemon's answer: %s\n", raw);
        code = CLI_EXIT_FAILED;
    }
    json_decref(reply);
    free(raw);
    return code;
}

static int cmd_list(jobs_ctx *c)
{
    json_t *reply;
    char *raw;
    int code = call(c, "GET", "/jobs/overview", NULL, 0, &reply, &raw);
    if (code != 0)
        return code;
    if (c->remote.json) {
        printf("%s\n", raw);
    } else {
        printf("%-32s  %-24s  %-10s  %-19s  %10s  %8s\n", "ID", "NAME", "STATE", "STARTED (UTC)",
               "DURATION", "RESTARTS");
        size_t i;
        json_t *j;
        json_array_foreach(json_object_get(reply, "jobs"), i, j)
        {
            char t[32], d[32];
            printf("%-32s  %-24s  %-10s  %-19s  %10s  %8lld\n", str_or(j, "jid", "?"),
                   str_or(j, "name", "?"), str_or(j, "state", "?"),
                   fmt_time(int_or(j, "start-time", -1), t, sizeof t),
                   fmt_duration(int_or(j, "duration", -1), d, sizeof d), int_or(j, "restarts", 0));
        }
    }
    json_decref(reply);
    free(raw);
    return 0;
}

/* One line about checkpoint C for status: "12 COMPLETED at ... (3 ms, 1.1KiB)". */
static void print_checkpoint_line(const char *label, const json_t *cp)
{
    if (!json_is_object(cp)) {
        printf("%-18s -\n", label);
        return;
    }
    char t[32], d[32], s[32];
    printf("%-18s %lld %s at %s (%s, %s)\n", label, int_or(cp, "id", -1), str_or(cp, "status", "?"),
           fmt_time(int_or(cp, "trigger_timestamp", -1), t, sizeof t),
           fmt_duration(int_or(cp, "end_to_end_duration", -1), d, sizeof d),
           fmt_size(int_or(cp, "state_size", -1), s, sizeof s));
}

static int cmd_status(jobs_ctx *c)
{
    int code = check_id(c, c->arg);
    if (code != 0)
        return code;
    rt_buf path;
    rt_buf_init(&path);
    path_for(&path, "/jobs/%s%s", c->arg, NULL);
    json_t *job;
    char *raw;
    code = call(c, "GET", path.data, NULL, 0, &job, &raw);
    if (code != 0 || c->remote.json) {
        if (code == 0)
            printf("%s\n", raw);
        rt_buf_fini(&path);
        json_decref(job);
        free(raw);
        return code;
    }
    char t[32], d[32];
    printf("%-18s %s\n", "job", str_or(job, "jid", c->arg));
    printf("%-18s %s\n", "name", str_or(job, "name", "?"));
    printf("%-18s %s\n", "state", str_or(job, "state", "?"));
    printf("%-18s %s UTC\n", "started", fmt_time(int_or(job, "start-time", -1), t, sizeof t));
    if (int_or(job, "end-time", -1) > 0)
        printf("%-18s %s UTC\n", "ended", fmt_time(int_or(job, "end-time", -1), t, sizeof t));
    printf("%-18s %s\n", "duration", fmt_duration(int_or(job, "duration", -1), d, sizeof d));
    printf("%-18s %lld\n", "restarts", int_or(job, "restarts", 0));
    json_t *restored = json_object_get(job, "restored-checkpoint");
    if (json_is_integer(restored))
        printf("%-18s %lld\n", "restored from", (long long)json_integer_value(restored));
    else
        printf("%-18s %s\n", "restored from",
               json_is_string(restored) ? json_string_value(restored) : "- (fresh start)");
    printf("%-18s %s\n", "last failure", str_or(job, "last-failure", "-"));

    /* Checkpoints come from their own route; a job without them still has a status. */
    path_for(&path, "/jobs/%s%s", c->arg, "/checkpoints");
    json_t *cps = NULL;
    cli_rest_response resp;
    if (cli_rest_request(c->client, "GET", path.data, NULL, 0, &resp, NULL) == 0 &&
        resp.status == 200)
        cps = json_loadb(resp.body.data, resp.body.len, 0, NULL);
    cli_rest_response_fini(&resp);
    json_t *latest = json_object_get(cps, "latest");
    json_t *counts = json_object_get(cps, "counts");
    printf("%-18s %lld completed, %lld failed, %lld in progress\n", "checkpoints",
           int_or(counts, "completed", 0), int_or(counts, "failed", 0),
           int_or(counts, "in_progress", 0));
    print_checkpoint_line("latest checkpoint", json_object_get(latest, "completed"));
    print_checkpoint_line("latest savepoint", json_object_get(latest, "savepoint"));

    printf("\n%-16s %-12s %11s %16s %16s\n", "VERTEX", "TYPE", "PARALLELISM", "RECORDS IN",
           "RECORDS OUT");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(job, "vertices"), i, v)
    {
        json_t *m = json_object_get(v, "metrics");
        printf("%-16s %-12s %11lld %16lld %16lld\n", str_or(v, "id", "?"), str_or(v, "type", "?"),
               int_or(v, "parallelism", 1), int_or(m, "read-records", 0),
               int_or(m, "write-records", 0));
    }
    json_decref(cps);
    json_decref(job);
    free(raw);
    rt_buf_fini(&path);
    return 0;
}

static int cmd_checkpoints(jobs_ctx *c)
{
    int code = check_id(c, c->arg);
    if (code != 0)
        return code;
    rt_buf path;
    rt_buf_init(&path);
    path_for(&path, "/jobs/%s%s", c->arg, "/checkpoints");
    json_t *reply;
    char *raw;
    code = call(c, "GET", path.data, NULL, 0, &reply, &raw);
    rt_buf_fini(&path);
    if (code != 0)
        return code;
    if (c->remote.json) {
        printf("%s\n", raw);
    } else {
        printf("%8s  %-11s  %-10s  %-19s  %9s  %9s  %9s  %s\n", "ID", "STATUS", "TYPE",
               "TRIGGERED (UTC)", "DURATION", "SIZE", "ALIGNMENT", "FAILURE");
        size_t i;
        json_t *cp;
        json_array_foreach(json_object_get(reply, "history"), i, cp)
        {
            char t[32], d[32], s[32], a[32];
            const char *failure = str_or(cp, "failure_message", "");
            printf("%8lld  %-11s  %-10s  %-19s  %9s  %9s  %9s%s%s\n", int_or(cp, "id", -1),
                   str_or(cp, "status", "?"),
                   json_is_true(json_object_get(cp, "is_savepoint")) ? "savepoint" : "checkpoint",
                   fmt_time(int_or(cp, "trigger_timestamp", -1), t, sizeof t),
                   fmt_duration(int_or(cp, "end_to_end_duration", -1), d, sizeof d),
                   fmt_size(int_or(cp, "state_size", -1), s, sizeof s),
                   fmt_duration(int_or(cp, "alignment_duration", -1), a, sizeof a),
                   *failure ? "  " : "", failure);
        }
    }
    json_decref(reply);
    free(raw);
    return 0;
}

static bool state_is_terminal(const char *s)
{
    return strcmp(s, "FINISHED") == 0 || strcmp(s, "FAILED") == 0 || strcmp(s, "CANCELED") == 0 ||
           strcmp(s, "STOPPED") == 0;
}

/* PATCH /jobs/ID, then (unless --no-wait) poll the job until it is terminal. Prints "ID STATE",
 * or with --json the job's JSON as it ended (nothing with --no-wait: the 202 has no body). */
static int cmd_cancel(jobs_ctx *c)
{
    int code = check_id(c, c->arg);
    if (code != 0)
        return code;
    rt_buf path;
    rt_buf_init(&path);
    path_for(&path, "/jobs/%s%s", c->arg, NULL);
    code = call(c, "PATCH", path.data, NULL, 0, NULL, NULL);
    int64_t deadline = rt_clock_mono_ms() + (int64_t)c->timeout_s * 1000;
    char state[32] = "";
    char *raw = NULL;
    while (code == 0 && !c->no_wait) {
        json_t *job;
        free(raw);
        code = call(c, "GET", path.data, NULL, 0, &job, &raw);
        if (code == 0)
            snprintf(state, sizeof state, "%s", str_or(job, "state", "?"));
        json_decref(job);
        if (code != 0 || state_is_terminal(state))
            break;
        if (rt_clock_mono_ms() >= deadline) {
            fprintf(stderr, "sluice cancel: job %s still %s after %d s\n", c->arg, state,
                    c->timeout_s);
            code = CLI_EXIT_FAILED;
            break;
        }
        rt_sleep_ms(POLL_MS);
    }
    rt_buf_fini(&path);
    if (code == 0 && c->remote.json && raw)
        printf("%s\n", raw);
    else if (code == 0 && !c->remote.json)
        printf("%s %s\n", c->arg, c->no_wait ? "cancel requested" : state);
    free(raw);
    return code;
}

/* stop and savepoint: trigger, then poll GET /jobs/ID/savepoints/TRIGGER until the operation
 * completed; prints the location (or the failure) and returns the exit code. */
static int trigger_and_wait(jobs_ctx *c, const char *route)
{
    int code = check_id(c, c->arg);
    if (code != 0)
        return code;
    rt_buf path;
    rt_buf_init(&path);
    path_for(&path, "/jobs/%s%s", c->arg, route);
    json_t *reply;
    code = call(c, "POST", path.data, "{}", 2, &reply, NULL);
    const char *trigger = str_or(reply, "request-id", NULL);
    if (code == 0 && (!trigger || check_id(c, trigger) != 0)) {
        fprintf(stderr, "sluice %s: no \"request-id\" in the daemon's answer\n", c->cmd);
        code = CLI_EXIT_FAILED;
    }
    if (code == 0)
        path_for(&path, "/jobs/%s/savepoints/%s", c->arg, trigger);
    json_decref(reply);
    int64_t deadline = rt_clock_mono_ms() + (int64_t)c->timeout_s * 1000;
    while (code == 0) {
        json_t *op;
        char *raw;
        code = call(c, "GET", path.data, NULL, 0, &op, &raw);
        if (code != 0)
            break;
        const char *st = str_or(json_object_get(op, "status"), "id", "?");
        json_t *operation = json_object_get(op, "operation");
        bool done = strcmp(st, "COMPLETED") == 0;
        if (done && c->remote.json) {
            printf("%s\n", raw);
        }
        const char *cause = str_or(json_object_get(operation, "failure-cause"), "message", NULL);
        if (done && cause) {
            fprintf(stderr, "sluice %s: job %s: %s failed: %s\n", c->cmd, c->arg,
                    strcmp(c->cmd, "stop") == 0 ? "stop-with-savepoint" : "savepoint", cause);
            code = CLI_EXIT_FAILED;
        } else if (done && !c->remote.json) {
            printf("%s\n", str_or(operation, "location", "?"));
        }
        json_decref(op);
        free(raw);
        if (done)
            break;
        if (rt_clock_mono_ms() >= deadline) {
            fprintf(stderr, "sluice %s: job %s: not completed after %d s (trigger %s)\n", c->cmd,
                    c->arg, c->timeout_s, strrchr(path.data, '/') + 1);
            code = CLI_EXIT_FAILED;
            break;
        }
        rt_sleep_ms(POLL_MS);
    }
    rt_buf_fini(&path);
    return code;
}

static int cmd_stop(jobs_ctx *c)
{
    return trigger_and_wait(c, "/stop");
}

static int cmd_savepoint(jobs_ctx *c)
{
    return trigger_and_wait(c, "/savepoints");
}

typedef struct jobs_cmd {
    const char *name;
    int (*run)(jobs_ctx *c);
    bool needs_arg;
} jobs_cmd;

static const jobs_cmd COMMANDS[] = {
    {"submit", cmd_submit, true},
    {"list", cmd_list, false},
    {"status", cmd_status, true},
    {"cancel", cmd_cancel, true},
    {"stop", cmd_stop, true},
    {"savepoint", cmd_savepoint, true},
    {"checkpoints", cmd_checkpoints, true},
};

/* Options after the command: the client options again (so `sluice list --json` works too) and
 * the command's own. Returns 0 or CLI_EXIT_USAGE. */
static int parse_args(jobs_ctx *c, const jobs_cmd *cmd, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int r = cli_remote_parse_option(&c->remote, argc, argv, &i);
        if (r < 0)
            return CLI_EXIT_USAGE;
        if (r > 0)
            continue;
        if (strcmp(a, "--savepoint") == 0 && strcmp(c->cmd, "submit") == 0 && i + 1 < argc) {
            c->savepoint = argv[++i];
        } else if (strcmp(a, "--no-wait") == 0 && strcmp(c->cmd, "cancel") == 0) {
            c->no_wait = true;
        } else if (strcmp(a, "--timeout") == 0 && i + 1 < argc) {
            char *end;
            long v = strtol(argv[++i], &end, 10);
            if (*end || v <= 0 || v > 86400) {
                fprintf(stderr, "sluice %s: --timeout takes seconds from 1 to 86400\n", c->cmd);
                return CLI_EXIT_USAGE;
            }
            c->timeout_s = (int)v;
        } else if (a[0] == '-' || c->arg || !cmd->needs_arg) {
            fprintf(stderr, "sluice %s: unexpected argument \"%s\"\n", c->cmd, a);
            fputs(JOBS_USAGE, stderr);
            return CLI_EXIT_USAGE;
        } else {
            c->arg = a;
        }
    }
    if (cmd->needs_arg && !c->arg) {
        fprintf(stderr, "sluice %s: missing %s\n", c->cmd,
                strcmp(c->cmd, "submit") == 0 ? "JOB.json" : "job ID");
        fputs(JOBS_USAGE, stderr);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

int cli_cmd_jobs(const cli_remote *remote, int argc, char **argv)
{
    const jobs_cmd *cmd = NULL;
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        if (strcmp(argv[0], COMMANDS[i].name) == 0)
            cmd = &COMMANDS[i];
    if (!cmd)
        return -1;
    jobs_ctx c = {.cmd = cmd->name, .remote = *remote, .timeout_s = DEFAULT_WAIT_S};
    int code = parse_args(&c, cmd, argc, argv);
    if (code != 0)
        return code;
    rt_buf token_buf;
    rt_buf_init(&token_buf);
    const char *token = NULL;
    code = resolve_token(&c.remote, &token_buf, &token);
    if (code == 0) {
        const char *url = c.remote.url ? c.remote.url : getenv("SLUICE_URL");
        cli_rest_options opts = {.url = url && *url ? url : DEFAULT_URL, .token = token};
        rt_err err = {0};
        if (cli_rest_client_new(&opts, &c.client, &err) != 0) {
            fprintf(stderr, "sluice %s: %s\n", c.cmd, err.msg);
            code = CLI_EXIT_FAILED;
        }
    }
    if (token_buf.data)
        memset(token_buf.data, 0, token_buf.len);
    rt_buf_fini(&token_buf);
    if (code == 0)
        code = cmd->run(&c);
    cli_rest_client_free(c.client);
    return code;
}
