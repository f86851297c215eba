/* The file sink in whole jobs: without checkpoints one part per subtask committed at the end;
 * with checkpoints parts committed per checkpoint; a stop-with-savepoint and a restore continue
 * the datagen position and the sink's parts exactly once; leftovers of a crash are cleaned up.
 * Every run's lines are the print sink's lines (one changelog implementation). */
#include "tests/harness/test.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "graph/codec.h"
#include "graph/plan.h"
#include "operators/registry.h"
#include "runtime/base/buf.h"
#include "runtime/job.h"
#include "state/backend.h"

typedef struct run_opts {
    st_backend *state;
    uint64_t restore;
    /* > 0: stop with a savepoint after this many ms; *savepoint gets its id. */
    int64_t stop_after_ms;
    uint64_t *savepoint;
} run_opts;

/* Parses, plans and runs a job to its end; returns the final status, the failure in *err. */
static rt_job_status run_job(const char *json, const run_opts *o, rt_err *err)
{
    graph_job *g = NULL;
    graph_plan *plan = NULL;
    rt_job *job = NULL;
    rt_job_status st = RT_JOB_FAILED;
    rt_job_options opts = {0};
    if (o) {
        opts.state = o->state;
        opts.restore_checkpoint = o->restore;
    }
    rt_err_clear(err);
    if (graph_codec_parse(json, strlen(json), op_registry_catalog(), &g, err) != 0 ||
        graph_plan_build(g, &plan, err) != 0 ||
        rt_job_new(g, plan, op_registry_find, &opts, &job, err) != 0 ||
        rt_job_start(job, err) != 0) {
        test_fail(__FILE__, __LINE__, "job: %s", err->msg);
    } else {
        if (o && o->stop_after_ms > 0) {
            usleep((useconds_t)o->stop_after_ms * 1000);
            uint64_t id = 0;
            rt_err e = {0};
            CHECK_OK(rt_job_trigger_checkpoint(job, true, true, &id, &e), &e);
            CHECK_OK(rt_job_checkpoint_wait(job, id, 60000, &e), &e);
            *o->savepoint = id;
        }
        st = rt_job_wait(job, 120000);
        if (st == RT_JOB_FAILED)
            rt_job_failure(job, err);
    }
    rt_job_free(job);
    graph_plan_free(plan);
    graph_job_free(g);
    return st;
}

/* datagen(p) -> sink(sink_p) by `dist`; sink_config is the sink's config object. */
static void job_json(char *out, size_t size, const char *gen_config, const char *checkpoint,
                     const char *sink, const char *sink_config)
{
    snprintf(out, size,
             "{\"name\": \"file-test\", %s \"operators\": ["
             "{\"id\": \"gen\", \"type\": \"datagen\", \"parallelism\": 2, \"config\": %s},"
             "{\"id\": \"out\", \"type\": \"%s\", \"parallelism\": 2, \"config\": %s,"
             " \"inputs\": [{\"from\": \"gen\", \"distribution\": \"hash\"}]}]}",
             checkpoint, gen_config, sink, sink_config);
}

static void run_ok(const char *json, const run_opts *o)
{
    rt_err err;
    rt_job_status st = run_job(json, o, &err);
    if (st != RT_JOB_FINISHED && st != RT_JOB_CANCELED)
        test_fail(__FILE__, __LINE__, "job ended %s: %s", rt_job_status_name(st), err.msg);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir, sorted, NULL-terminated; free each and the array. */
static char **list_dir(const char *dir, size_t *count)
{
    size_t n = 0, cap = 16;
    char **names = calloc(cap + 1, sizeof *names);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n == cap) {
            cap *= 2;
            names = realloc(names, (cap + 1) * sizeof *names);
        }
        names[n++] = strdup(e->d_name);
        names[n] = NULL;
    }
    if (d)
        closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    *count = n;
    return names;
}

static void free_list(char **names)
{
    for (size_t i = 0; names && names[i]; i++)
        free(names[i]);
    free(names);
}

/* Appends the file's lines to `all`. */
static void append_file(rt_buf *all, const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t len = 0;
    char *text = test_read_file(path, &len);
    CHECK(text != NULL);
    if (!text)
        return;
    CHECK(len == 0 || text[len - 1] == '\n');
    rt_buf_append(all, text, len);
    free(text);
}

/* The sorted lines of text (split in place); *count lines. Free the array. */
static char **sorted_lines(char *text, size_t *count)
{
    /* One pass with the end known: strchr would rescan the rest of a multi-megabyte text per
     * line under ASan's strict_string_checks. */
    size_t len = strlen(text), n = 0, cap = 1024;
    char **lines = malloc(cap * sizeof *lines);
    for (char *p = text, *end = text + len; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break;
        *nl = '\0';
        if (n == cap) {
            cap *= 2;
            lines = realloc(lines, cap * sizeof *lines);
        }
        lines[n++] = p;
        p = nl + 1;
    }
    qsort(lines, n, sizeof *lines, cmp_str);
    *count = n;
    return lines;
}

/* What a sink directory holds: the text of its committed parts, and counts by kind. */
typedef struct dir_content {
    rt_buf text;
    size_t committed, finals, hidden;
} dir_content;

static void read_parts(const char *dir, dir_content *c)
{
    memset(c, 0, sizeof *c);
    rt_buf_init(&c->text);
    rt_buf_append_str(&c->text, "");
    size_t n = 0;
    char **names = list_dir(dir, &n);
    for (size_t i = 0; i < n; i++) {
        const char *s = names[i];
        if (s[0] == '.') {
            c->hidden++;
        } else if (strncmp(s, "part-out-", 9) == 0) {
            bool final = strstr(s, "-final.jsonl") != NULL;
            c->finals += final;
            c->committed += !final;
            append_file(&c->text, dir, s);
        }
    }
    free_list(names);
}

/* The print sink's lines of the same datagen config: the reference every file run must equal. */
static char **reference_lines(const char *gen_config, const char *name, size_t *count, char **text)
{
    char path[600], cfg[700], json[4096];
    snprintf(path, sizeof path, "%s/%s.jsonl", test_tmpdir(), name);
    snprintf(cfg, sizeof cfg, "{\"path\": \"%s\"}", path);
    job_json(json, sizeof json, gen_config, "", "print", cfg);
    run_ok(json, NULL);
    *text = test_read_file(path, NULL);
    return *text ? sorted_lines(*text, count) : NULL;
}

/* Checks that dir's committed parts hold exactly the reference lines. */
static void check_same_rows(const char *dir, char **ref, size_t ref_count, dir_content *c)
{
    read_parts(dir, c);
    size_t n = 0;
    char **lines = sorted_lines(c->text.data, &n);
    CHECK_UINT_EQ(n, ref_count);
    size_t differ = 0;
    for (size_t i = 0; i < n && i < ref_count && ref; i++)
        differ += strcmp(lines[i], ref[i]) != 0;
    CHECK_UINT_EQ(differ, 0);
    free(lines);
}

static void put_file(const char *dir, const char *name, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0);
    if (fd >= 0) {
        CHECK_INT_EQ(write(fd, text, strlen(text)), (long long)strlen(text));
        close(fd);
    }
}

TEST(without_checkpoints_commits_at_finish)
{
    const char *gen = "{\"rows\": 5003, \"seed\": 3}";
    size_t ref_count = 0;
    char *ref_text = NULL;
    char **ref = reference_lines(gen, "ref-nock", &ref_count, &ref_text);
    CHECK_UINT_EQ(ref_count, 5003);

    /* The directory is created with its parents. A crashed earlier run left hidden parts of
     * both subtasks: a fresh start deletes them. */
    char dir[600], cfg[700], json[4096];
    snprintf(dir, sizeof dir, "%s/nock/a/b", test_tmpdir());
    snprintf(cfg, sizeof cfg, "{\"path\": \"%s\"}", dir);
    job_json(json, sizeof json, gen, "", "file", cfg);
    run_ok(json, NULL);
    put_file(dir, ".out-0-0.inprogress", "{\"partial");
    put_file(dir, ".part-out-1-00000000000000000004.pending", "{\"op\":\"+I\"}\n");
    put_file(dir, "unrelated.txt", "kept\n");
    run_ok(json, NULL);

    dir_content c;
    check_same_rows(dir, ref, ref_count, &c);
    CHECK_UINT_EQ(c.finals, 2);
    CHECK_UINT_EQ(c.committed, 0);
    CHECK_UINT_EQ(c.hidden, 0);
    char path[700];
    snprintf(path, sizeof path, "%s/unrelated.txt", dir);
    CHECK(access(path, F_OK) == 0);
    rt_buf_fini(&c.text);
    free(ref);
    free(ref_text);
}

static void check_fails(const char *sink_config, int code, const char *want)
{
    char json[4096];
    job_json(json, sizeof json, "{\"rows\": 10}", "", "file", sink_config);
    rt_err err;
    rt_job_status st = run_job(json, NULL, &err);
    CHECK_INT_EQ(st, RT_JOB_FAILED);
    CHECK_INT_EQ(err.code, code);
    CHECK_STR_CONTAINS(err.msg, want);
}

TEST(config_and_directory_errors)
{
    char json[4096];
    job_json(json, sizeof json, "{}", "", "file", "{}");
    graph_job *g = NULL;
    rt_err err = {0};
    CHECK_INT_EQ(graph_codec_parse(json, strlen(json), op_registry_catalog(), &g, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "$.operators[1].config.path");
    job_json(json, sizeof json, "{}", "", "file", "{\"path\": \"/tmp\", \"format\": \"csv\"}");
    CHECK_INT_EQ(graph_codec_parse(json, strlen(json), op_registry_catalog(), &g, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "format");
    graph_job_free(g);

    /* A path that is a file, and one below a file. */
    char file[600], cfg[700];
    snprintf(file, sizeof file, "%s/plain", test_tmpdir());
    put_file(test_tmpdir(), "plain", "x");
    snprintf(cfg, sizeof cfg, "{\"path\": \"%s\"}", file);
    check_fails(cfg, RT_EIO, "file: open directory");
    snprintf(cfg, sizeof cfg, "{\"path\": \"%s/sub\"}", file);
    check_fails(cfg, RT_EIO, "file: create directory");
}

static st_backend *backend_open(const char *name)
{
    char dir[600];
    snprintf(dir, sizeof dir, "%s/%s", test_tmpdir(), name);
    st_backend *b = NULL;
    rt_err err = {0};
    CHECK_OK(st_backend_open(dir, &b, &err), &err);
    return b;
}

TEST(checkpoints_commit_one_part_per_checkpoint)
{
    /* ~0.6 s of rows with a checkpoint every 100 ms: several parts per subtask. */
    const char *gen = "{\"rows\": 12000, \"rate\": 20000, \"seed\": 5}";
    size_t ref_count = 0;
    char *ref_text = NULL;
    char **ref = reference_lines(gen, "ref-ckpt", &ref_count, &ref_text);
    char dir[600], cfg[700], json[4096];
    snprintf(dir, sizeof dir, "%s/ckpt-out", test_tmpdir());
    snprintf(cfg, sizeof cfg, "{\"path\": \"%s\"}", dir);
    job_json(json, sizeof json, gen, "\"checkpoint\": {\"interval\": \"100ms\"},", "file", cfg);
    run_opts o = {.state = backend_open("ckpt-data")};
    if (!o.state)
        return;
    run_ok(json, &o);
    dir_content c;
    check_same_rows(dir, ref, ref_count, &c);
    CHECK_UINT_EQ(c.finals, 0);
    CHECK_UINT_EQ(c.hidden, 0);
    CHECK(c.committed >= 6); /* at least 3 checkpoints with rows for each subtask */
    rt_buf_fini(&c.text);
    st_backend_close(o.state);
    free(ref);
    free(ref_text);
}

TEST(savepoint_and_restore_continue_exactly_once)
{
    /* Stop with a savepoint about halfway through ~1 s of rows, then restore: the datagen
     * continues from its position and the sink's parts join without a gap or a duplicate. */
    const char *gen = "{\"rows\": 20000, \"rate\": 20000, \"seed\": 8}";
    size_t ref_count = 0;
    char *ref_text = NULL;
    char **ref = reference_lines(gen, "ref-sp", &ref_count, &ref_text);
    char dir[600], cfg[700], json[4096];
    snprintf(dir, sizeof dir, "%s/sp-out", test_tmpdir());
    snprintf(cfg, sizeof cfg, "{\"path\": \"%s\"}", dir);
    job_json(json, sizeof json, gen, "", "file", cfg);
    uint64_t sp = 0;
    run_opts o = {.state = backend_open("sp-data"), .stop_after_ms = 400, .savepoint = &sp};
    if (!o.state)
        return;
    run_ok(json, &o);
    CHECK(sp != 0);
    /* Only part of the rows so far: the run really stopped in the middle. */
    dir_content first;
    read_parts(dir, &first);
    size_t n = 0;
    char **lines = sorted_lines(first.text.data, &n);
    CHECK(n < ref_count);
    free(lines);
    rt_buf_fini(&first.text);

    o = (run_opts){.state = o.state, .restore = sp};
    run_ok(json, &o);
    dir_content c;
    check_same_rows(dir, ref, ref_count, &c);
    CHECK_UINT_EQ(c.hidden, 0);
    rt_buf_fini(&c.text);

    /* A job whose datagen would emit other ids refuses the savepoint. */
    job_json(json, sizeof json, "{\"rows\": 30000, \"rate\": 20000, \"seed\": 8}", "", "file", cfg);
    rt_err err;
    CHECK_INT_EQ(run_job(json, &o, &err), RT_JOB_FAILED);
    CHECK_INT_EQ(err.code, RT_ESTATE);
    CHECK_STR_CONTAINS(err.msg, "datagen: checkpoint");
    CHECK_STR_CONTAINS(err.msg, "ids up to 20000");
    st_backend_close(o.state);
    free(ref);
    free(ref_text);
}

TEST_MAIN()
