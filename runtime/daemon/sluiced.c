/* sluiced: the Sluice daemon. Opens the job manager over a data directory (resuming the jobs that
 * were running), serves the REST API until SIGTERM/SIGINT, then stops every job (optionally with
 * a savepoint) and exits 0. SIGHUP reopens the log file. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "operators/registry.h"
#include "runtime/base/errors.h"
#include "runtime/base/log.h"
#include "runtime/base/units.h"
#include "runtime/daemon/job_manager.h"
#include "runtime/rest/rest_server.h"

#ifndef SLUICE_WEB_DIR
#define SLUICE_WEB_DIR "web"
#endif

#define STOP_TIMEOUT_MS 60000
/* A token shorter than this is guessable; a file longer than this is not a token file. */
#define MIN_TOKEN_LEN 16
#define MAX_TOKEN_FILE 4096

typedef struct options {
    const char *data_dir;
    const char *listen;
    const char *token_file;
    const char *log_file;
    const char *port_file;
    const char *web_dir;
    rt_log_format log_format;
    rt_log_level log_level;
    bool savepoint_on_stop;
    size_t max_body;
} options;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: sluiced --data-dir DIR [options]\n"
            "  --data-dir DIR         jobs, their checkpoints and the job store (required)\n"
            "  --listen HOST:PORT     REST address (default " RT_REST_DEFAULT_LISTEN
            "); port 0 picks "
            "one\n"
            "  --token-file F         bearer token for every route but GET /healthz; required\n"
            "                         for a listen address other than loopback\n"
            "  --port-file F          write the bound port to F once listening\n"
            "  --log-file F           append the log to F (SIGHUP reopens it)\n"
            "  --log-format text|json one line of text or one JSON object per line (default text)\n"
            "  --log-level L          error, warn, info (default) or debug (adds the access log)\n"
            "  --savepoint-on-stop    on SIGTERM, stop each running job with a savepoint\n"
            "  --max-body SIZE        largest request body (default 1MiB)\n"
            "  --web-dir DIR          the web console's files (default " SLUICE_WEB_DIR ")\n"
            "  --version, --help\n");
}

/* Parses argv into o. Returns 0, 1 to exit 0 (help/version), or RT_EINVAL with the message. */
static int parse_args(int argc, char **argv, options *o, rt_err *err)
{
    enum {
        O_LISTEN = 256,
        O_TOKEN,
        O_LOGFILE,
        O_LOGFMT,
        O_LOGLEVEL,
        O_SPSTOP,
        O_MAXBODY,
        O_PORTF,
        O_WEBDIR
    };
    static const struct option longopts[] = {
        {"data-dir", required_argument, NULL, 'd'},
        {"listen", required_argument, NULL, O_LISTEN},
        {"token-file", required_argument, NULL, O_TOKEN},
        {"log-file", required_argument, NULL, O_LOGFILE},
        {"log-format", required_argument, NULL, O_LOGFMT},
        {"log-level", required_argument, NULL, O_LOGLEVEL},
        {"savepoint-on-stop", no_argument, NULL, O_SPSTOP},
        {"max-body", required_argument, NULL, O_MAXBODY},
        {"port-file", required_argument, NULL, O_PORTF},
        {"web-dir", required_argument, NULL, O_WEBDIR},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    *o = (options){.listen = RT_REST_DEFAULT_LISTEN,
                   .log_level = RT_LOG_INFO,
                   .web_dir = SLUICE_WEB_DIR,
                   .max_body = RT_REST_DEFAULT_MAX_BODY};
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        uint64_t bytes;
        switch (c) {
        case 'd':
            o->data_dir = optarg;
            break;
        case O_LISTEN:
            o->listen = optarg;
            break;
        case O_TOKEN:
            o->token_file = optarg;
            break;
        case O_LOGFILE:
            o->log_file = optarg;
            break;
        case O_PORTF:
            o->port_file = optarg;
            break;
        case O_WEBDIR:
            o->web_dir = optarg;
            break;
        case O_LOGFMT:
            if (rt_log_format_parse(optarg, &o->log_format))
                return rt_err_set(err, RT_EINVAL, "--log-format: '%s' is not text or json", optarg);
            break;
        case O_LOGLEVEL:
            if (rt_log_level_parse(optarg, &o->log_level))
                return rt_err_set(err, RT_EINVAL, "--log-level: unknown level '%s'", optarg);
            break;
        case O_SPSTOP:
            o->savepoint_on_stop = true;
            break;
        case O_MAXBODY:
            if (rt_size_parse(optarg, &bytes, err))
                return rt_err_prefix(err, RT_EINVAL, "--max-body");
            if (bytes == 0 || bytes > ((uint64_t)1 << 30))
                return rt_err_set(err, RT_EINVAL, "--max-body: must be 1 byte .. 1GiB");
            o->max_body = (size_t)bytes;
            break;
        case 'h':
            usage(stdout);
            return 1;
        case 'V':
            printf("sluiced %s\n", SLUICE_VERSION);
            return 1;
        default:
            return rt_err_set(err, RT_EINVAL, "unknown or incomplete option '%s'",
                              argv[optind - 1]);
        }
    }
    if (optind < argc)
        return rt_err_set(err, RT_EINVAL, "unexpected argument '%s'", argv[optind]);
    if (!o->data_dir)
        return rt_err_set(err, RT_EINVAL, "--data-dir is required");
    /* Checked before anything is opened, so a refused start changes nothing on disk. */
    return rt_rest_listen_check(o->listen, o->token_file != NULL, err);
}

/* Reads the token: the file's first line without surrounding white space. Returns a malloc'd
 * string or NULL with err set. The token itself never reaches a message. */
static char *read_token(const char *path, rt_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        rt_err_set(err, RT_EIO, "--token-file '%s': %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && (st.st_mode & 0077))
        LOG_WARN("sluiced: token file '%s' is readable by other users; chmod 600 it", path);
    char buf[MAX_TOKEN_FILE + 1];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *s = buf;
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t len = strcspn(s, "\r\n");
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    s[len] = '\0';
    if (len < MIN_TOKEN_LEN) {
        rt_err_set(err, RT_EINVAL, "--token-file '%s': the token must have at least %d characters",
                   path, MIN_TOKEN_LEN);
        return NULL;
    }
    char *tok = strdup(s);
    memset(buf, 0, sizeof buf);
    RT_ASSERT(tok);
    return tok;
}

/* Writes the port then renames, so a test polling for the file never reads a partial number. */
static int write_port_file(const char *path, int port, rt_err *err)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f || fprintf(f, "%d\n", port) < 0 || fclose(f) != 0 || rename(tmp, path) != 0)
        return rt_err_set(err, RT_EIO, "--port-file '%s': %s", path, strerror(errno));
    return 0;
}

static const op_type *lookup(const char *name)
{
    return op_registry_find(name);
}

int main(int argc, char **argv)
{
    options o;
    rt_err err = {0};
    int rc = parse_args(argc, argv, &o, &err);
    if (rc == 1)
        return 0;
    if (rc) {
        fprintf(stderr, "sluiced: %s\n", err.msg);
        if (rc == RT_EINVAL && strstr(err.msg, "option"))
            usage(stderr);
        return 2;
    }
    rt_log_set_level(o.log_level);
    rt_log_set_format(o.log_format);
    if (o.log_file && rt_log_open_file(o.log_file, &err)) {
        fprintf(stderr, "sluiced: %s\n", err.msg);
        return 1;
    }
    char *token = NULL;
    if (o.token_file && !(token = read_token(o.token_file, &err))) {
        LOG_ERROR("sluiced: %s", err.msg);
        rt_log_close_file();
        return 1;
    }

    /* Absolute, so that savepoint locations in REST replies mean something to a client started
     * in another directory. */
    char data_dir[PATH_MAX];
    if (o.data_dir[0] != '/') {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof cwd) ||
            snprintf(data_dir, sizeof data_dir, "%s/%s", cwd, o.data_dir) >= (int)sizeof data_dir) {
            LOG_ERROR("sluiced: data directory '%s': path too long", o.data_dir);
            free(token);
            rt_log_close_file();
            return 1;
        }
        o.data_dir = data_dir;
    }
    rt_job_manager_options mo = {.data_dir = o.data_dir, .lookup = lookup};
    rt_job_manager *m = NULL;
    rc = rt_job_manager_open(&mo, &m, &err);
    if (rc == RT_EBUSY) {
        LOG_ERROR("sluiced: data directory '%s' is in use by another sluiced", o.data_dir);
    } else if (rc) {
        LOG_ERROR("sluiced: data directory '%s': %s", o.data_dir, err.msg);
    }
    if (rc) {
        free(token);
        rt_log_close_file();
        return 1;
    }

    rt_rest_server_options so = {.listen = o.listen,
                                 .token = token,
                                 .max_body = o.max_body,
                                 .handle_signals = true,
                                 .web_dir = o.web_dir};
    rt_rest_server *srv = NULL;
    rc = rt_rest_server_open(&so, m, &srv, &err);
    bool with_token = token != NULL;
    free(token); /* the server keeps its own copy */
    if (!rc && o.port_file)
        rc = write_port_file(o.port_file, rt_rest_server_port(srv), &err);
    if (!rc) {
        const char *host = rt_rest_server_host(srv);
        bool v6 = strchr(host, ':') != NULL;
        LOG_INFO("sluiced listening on http://%s%s%s:%d (data %s, %s)", v6 ? "[" : "", host,
                 v6 ? "]" : "", rt_rest_server_port(srv), o.data_dir,
                 with_token ? "bearer auth on" : "bearer auth off, loopback only");
        struct stat wst;
        if (stat(o.web_dir, &wst) != 0 || !S_ISDIR(wst.st_mode))
            LOG_WARN("sluiced: web console directory '%s' not found: GET / answers 404 (the "
                     "REST API works; set --web-dir)",
                     o.web_dir);
        rc = rt_rest_server_run(srv, &err);
    }
    if (rc)
        LOG_ERROR("sluiced: %s", err.msg);
    /* Stop serving first, so no request reaches a manager that is closing. */
    rt_rest_server_close(srv);
    LOG_INFO("sluiced: stopping jobs (%s)", o.savepoint_on_stop ? "with savepoints" : "cancel");
    rt_job_manager_close(m, o.savepoint_on_stop, STOP_TIMEOUT_MS);
    LOG_INFO("sluiced: stopped");
    rt_log_close_file();
    return rc ? 1 : 0;
}
