/* `sluice generate`: StarRocks DDL and a job graph from MySQL table metadata (jobs/codegen), or
 * a Sluice job from a Flink CDC pipeline YAML (--from). Passwords come from the environment or
 * from files and are never printed. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/codegen/codegen.h"
#ifdef SLUICE_HAVE_FLINK_YAML
#include "jobs/codegen/flink_yaml.h"
#endif
#include "runtime/cli/cli.h"

/* generate's own exit codes (README "sluice generate"). */
enum {
    GEN_EXIT_OK = 0,
    GEN_EXIT_ERROR = 1,    /* usage, bad input, connection errors */
    GEN_EXIT_DECIDE = 2,   /* a merge can collide: choose --merge-key */
    GEN_EXIT_CONFLICT = 3, /* --create-tables met an existing table that differs */
};

#define MAX_ITEMS 256

static void usage(FILE *out)
{
    fprintf(out,
            "usage: sluice generate --source mysql://USER@HOST:PORT --tables REGEX[,REGEX...]\n"
            "         --target starrocks://USER@FE_HOST:HTTP_PORT/DB?query_port=9030\n"
            "         [--route REGEX=TARGET]... [--merge-key add-source|accept]\n"
            "         [--collision-check-rows N] [--create-tables] [--format sluice|flink-cdc]\n"
            "         [-o FILE] [--ddl FILE] [--name NAME] [--parallelism N]\n"
            "         [--semantic exactly-once|at-least-once] [--checkpoint-interval 10s]\n"
            "         [--server-id 5400[-5403]] [--startup initial|latest-offset|...]\n"
            "         [--buckets N] [--replication-num N] [--property k=v]...\n"
            "         [--source-password-file F] [--target-password-file F]\n"
            "       sluice generate --from pipeline.yaml [-o FILE]\n"
            "passwords: SLUICE_SOURCE_PASSWORD / SLUICE_TARGET_PASSWORD or the password files\n"
            "exit codes: 0 ok, 1 bad usage/input or connection error, 2 a merge needs\n"
            "--merge-key, 3 --create-tables found a differing existing table\n");
}

/* The first line of path (without its newline) into *out (malloc'd). */
static int read_password_file(const char *opt, const char *path, char **out)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "sluice generate: %s %s: %s\n", opt, path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, f);
    fclose(f);
    if (n < 0) {
        free(line);
        line = strdup("");
        n = 0;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    *out = line;
    return line ? 0 : -1;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = (n + 4096 + 1) * 2;
            char *b = realloc(buf, cap);
            if (!b) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = b;
        }
        size_t got = fread(buf + n, 1, 4096, f);
        n += got;
        if (got < 4096)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Writes text to path, or to stdout when path is NULL. */
static int write_out(const char *path, const char *text)
{
    FILE *f = path ? fopen(path, "w") : stdout;
    if (!f) {
        fprintf(stderr, "sluice generate: %s: %s\n", path, strerror(errno));
        return -1;
    }
    int bad = fputs(text, f) < 0;
    if (path)
        bad = fclose(f) != 0 || bad;
    else
        bad = fflush(f) != 0 || bad;
    if (bad)
        fprintf(stderr, "sluice generate: %s: write failed\n", path ? path : "stdout");
    return bad ? -1 : 0;
}

/* FILE with its extension replaced by .sql ("job.json" -> "job.sql"). Malloc'd. */
static char *ddl_path_for(const char *job_path)
{
    const char *slash = strrchr(job_path, '/');
    const char *dot = strrchr(job_path, '.');
    size_t stem = dot && (!slash || dot > slash + 1) ? (size_t)(dot - job_path) : strlen(job_path);
    char *p = NULL;
    if (asprintf(&p, "%.*s.sql", (int)stem, job_path) < 0)
        return NULL;
    if (strcmp(p, job_path) == 0) { /* -o x.sql: keep the job */
        free(p);
        if (asprintf(&p, "%s.ddl.sql", job_path) < 0)
            return NULL;
    }
    return p;
}

static int from_yaml(const char *path, const char *out)
{
#ifdef SLUICE_HAVE_FLINK_YAML
    size_t len = 0;
    char *yaml = read_file(path, &len);
    if (!yaml) {
        fprintf(stderr, "sluice generate: %s: %s\n", path, strerror(errno));
        return GEN_EXIT_ERROR;
    }
    char *json = NULL;
    rt_err err = {0};
    int rc = gen_flink_yaml_parse(yaml, len, &json, &err);
    free(yaml);
    if (rc != 0) {
        fprintf(stderr, "sluice generate: %s: %s\n", path, err.msg);
        return GEN_EXIT_ERROR;
    }
    rc = write_out(out, json);
    free(json);
    return rc == 0 ? GEN_EXIT_OK : GEN_EXIT_ERROR;
#else
    (void)out;
    (void)read_file;
    fprintf(stderr, "sluice generate: --from %s: this build has no Flink CDC YAML support\n", path);
    return GEN_EXIT_ERROR;
#endif
}

/* Splits "a,b,c" in place into items; a comma inside {} or [] belongs to the regex
 * ("x{1,3}"). */
static int split_list(char *s, const char **items, size_t *count)
{
    int brace = 0, bracket = 0;
    char *start = s;
    for (char *p = s;; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            continue;
        }
        if (*p == '[')
            bracket = 1;
        else if (*p == ']')
            bracket = 0;
        else if (*p == '{' && !bracket)
            brace++;
        else if (*p == '}' && !bracket && brace)
            brace--;
        else if ((*p == ',' && !brace && !bracket) || !*p) {
            bool end = !*p;
            *p = '\0';
            if (*start) {
                if (*count == MAX_ITEMS)
                    return -1;
                items[(*count)++] = start;
            }
            if (end)
                return 0;
            start = p + 1;
        }
    }
}

static int parse_uint(const char *opt, const char *s, unsigned lo, unsigned long long hi,
                      unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi || s[0] == '-') {
        fprintf(stderr, "sluice generate: %s \"%s\": expected an integer %u..%llu\n", opt, s, lo,
                hi);
        return -1;
    }
    *out = v;
    return 0;
}

typedef struct args {
    gen_options o;
    const char *tables[MAX_ITEMS], *routes[MAX_ITEMS], *props[MAX_ITEMS];
    char *tables_hold[MAX_ITEMS];
    size_t tables_hold_count;
    const char *out, *ddl, *format, *from;
    bool create_tables;
    char *source_pw, *target_pw;           /* owned */
    char *source_pw_file, *target_pw_file; /* owned: absolute paths for the job */
} args;

static void args_fini(args *a)
{
    for (size_t i = 0; i < a->tables_hold_count; i++)
        free(a->tables_hold[i]);
    free(a->source_pw);
    free(a->target_pw);
    free(a->source_pw_file);
    free(a->target_pw_file);
}

static int parse_args(int argc, char **argv, args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *k = argv[i];
        if (strcmp(k, "--help") == 0 || strcmp(k, "-h") == 0) {
            usage(stdout);
            return 1;
        }
        if (strcmp(k, "--create-tables") == 0) {
            a->create_tables = true;
            continue;
        }
        if (i + 1 >= argc || k[0] != '-') {
            fprintf(stderr, "sluice generate: %s \"%s\"\n",
                    k[0] == '-' ? "missing value for" : "unexpected argument", k);
            return -1;
        }
        const char *v = argv[++i];
        unsigned long long n;
        if (strcmp(k, "--source") == 0)
            a->o.source_url = v;
        else if (strcmp(k, "--target") == 0)
            a->o.target_url = v;
        else if (strcmp(k, "--tables") == 0) {
            char *copy = strdup(v);
            if (!copy || a->tables_hold_count == MAX_ITEMS)
                return -1;
            a->tables_hold[a->tables_hold_count++] = copy;
            if (split_list(copy, a->tables, &a->o.table_count) != 0)
                return -1;
        } else if (strcmp(k, "--route") == 0 && a->o.route_count < MAX_ITEMS)
            a->routes[a->o.route_count++] = v;
        else if (strcmp(k, "--property") == 0 && a->o.property_count < MAX_ITEMS)
            a->props[a->o.property_count++] = v;
        else if (strcmp(k, "--merge-key") == 0) {
            rt_err err;
            if (gen_merge_key_parse(v, &a->o.merge_key, &err) != 0) {
                fprintf(stderr, "sluice generate: %s\n", err.msg);
                return -1;
            }
        } else if (strcmp(k, "--collision-check-rows") == 0) {
            if (parse_uint(k, v, 1, 1000000000ull, &n) != 0)
                return -1;
            a->o.collision_check_rows = n;
        } else if (strcmp(k, "--format") == 0) {
            if (strcmp(v, "sluice") != 0 && strcmp(v, "flink-cdc") != 0) {
                fprintf(stderr, "sluice generate: --format \"%s\": sluice or flink-cdc\n", v);
                return -1;
            }
            a->format = v;
        } else if (strcmp(k, "-o") == 0 || strcmp(k, "--output") == 0)
            a->out = v;
        else if (strcmp(k, "--ddl") == 0)
            a->ddl = v;
        else if (strcmp(k, "--from") == 0)
            a->from = v;
        else if (strcmp(k, "--name") == 0)
            a->o.name = v;
        else if (strcmp(k, "--parallelism") == 0) {
            if (parse_uint(k, v, 1, 256, &n) != 0)
                return -1;
            a->o.parallelism = (unsigned)n;
        } else if (strcmp(k, "--semantic") == 0)
            a->o.semantic = v;
        else if (strcmp(k, "--checkpoint-interval") == 0)
            a->o.checkpoint_interval = v;
        else if (strcmp(k, "--server-id") == 0)
            a->o.server_id = v;
        else if (strcmp(k, "--startup") == 0)
            a->o.startup = v;
        else if (strcmp(k, "--buckets") == 0) {
            if (parse_uint(k, v, 1, 1024, &n) != 0)
                return -1;
            a->o.buckets = (unsigned)n;
        } else if (strcmp(k, "--replication-num") == 0) {
            if (parse_uint(k, v, 1, 32, &n) != 0)
                return -1;
            a->o.replication_num = (unsigned)n;
        } else if (strcmp(k, "--source-password-file") == 0 ||
                   strcmp(k, "--target-password-file") == 0) {
            bool src = k[2] == 's';
            char **pw = src ? &a->source_pw : &a->target_pw;
            char **file = src ? &a->source_pw_file : &a->target_pw_file;
            free(*pw);
            free(*file);
            *pw = NULL;
            /* The job runs elsewhere (another directory, a daemon): an absolute path. */
            *file = realpath(v, NULL);
            if (!*file || read_password_file(k, v, pw) != 0) {
                if (!*file)
                    fprintf(stderr, "sluice generate: %s %s: %s\n", k, v, strerror(errno));
                return -1;
            }
        } else {
            fprintf(stderr, "sluice generate: unknown option \"%s\"\n", k);
            return -1;
        }
    }
    a->o.tables = a->tables;
    a->o.routes = a->routes;
    a->o.properties = a->props;
    return 0;
}

static void print_lines(const gen_result *r)
{
    for (size_t i = 0; i < gen_result_lossy_count(r); i++)
        fprintf(stderr, "warning: %s\n", gen_result_lossy(r, i));
    for (size_t i = 0; i < gen_result_note_count(r); i++)
        fprintf(stderr, "note: %s\n", gen_result_note(r, i));
}

static int write_outputs(const args *a, const gen_result *r)
{
    const char *job = gen_result_job(r);
    char *converted = NULL;
    if (a->format && strcmp(a->format, "flink-cdc") == 0) {
#ifdef SLUICE_HAVE_FLINK_YAML
        rt_err err = {0};
        if (gen_flink_yaml_format(job, &converted, &err) != 0) {
            fprintf(stderr, "sluice generate: --format flink-cdc: %s\n", err.msg);
            return GEN_EXIT_ERROR;
        }
        job = converted;
#else
        fprintf(stderr, "sluice generate: --format flink-cdc: not in this build\n");
        return GEN_EXIT_ERROR;
#endif
    }
    int rc = write_out(a->out, job);
    free(converted);
    char *ddl_path = a->ddl ? strdup(a->ddl) : a->out ? ddl_path_for(a->out) : NULL;
    if (rc == 0 && ddl_path)
        rc = write_out(ddl_path, gen_result_ddl(r));
    free(ddl_path);
    return rc == 0 ? GEN_EXIT_OK : GEN_EXIT_ERROR;
}

int cli_cmd_generate(int argc, char **argv)
{
    args a = {0};
    int prc = parse_args(argc, argv, &a);
    if (prc != 0) {
        if (prc < 0)
            usage(stderr);
        args_fini(&a);
        return prc > 0 ? GEN_EXIT_OK : GEN_EXIT_ERROR;
    }
    if (a.from) {
        int code = from_yaml(a.from, a.out);
        args_fini(&a);
        return code;
    }
    if (!a.o.source_url || !a.o.target_url || a.o.table_count == 0) {
        fprintf(stderr, "sluice generate: --source, --tables and --target are required\n");
        usage(stderr);
        args_fini(&a);
        return GEN_EXIT_ERROR;
    }
    const char *env_src = getenv("SLUICE_SOURCE_PASSWORD");
    const char *env_tgt = getenv("SLUICE_TARGET_PASSWORD");
    a.o.source_password = a.source_pw ? a.source_pw : env_src;
    a.o.target_password = a.target_pw ? a.target_pw : env_tgt;
    a.o.source_password_file = a.source_pw_file;
    a.o.target_password_file = a.target_pw_file;

    gen_result *r = NULL;
    rt_err err = {0};
    int rc = gen_generate(&a.o, &r, &err);
    if (rc != 0) {
        fprintf(stderr, "sluice generate: %s\n", err.msg);
        args_fini(&a);
        return rc == RT_ESTATE ? GEN_EXIT_DECIDE : GEN_EXIT_ERROR;
    }
    int code = GEN_EXIT_OK;
    if (a.create_tables) {
        rc = gen_result_create_tables(r, &a.o, &err);
        if (rc == RT_EEXIST) {
            for (size_t i = 0; i < gen_result_conflict_count(r); i++)
                fprintf(stderr, "conflict: %s\n", gen_result_conflict(r, i));
            code = GEN_EXIT_CONFLICT;
        } else if (rc != 0) {
            code = GEN_EXIT_ERROR;
        }
        if (rc != 0)
            fprintf(stderr, "sluice generate: --create-tables: %s\n", err.msg);
    }
    print_lines(r);
    int wrc = write_outputs(&a, r);
    if (code == GEN_EXIT_OK)
        code = wrc;
    gen_result_free(r);
    args_fini(&a);
    return code;
}
