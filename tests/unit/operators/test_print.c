/* The print sink end to end: datagen -> print jobs at several parallelisms write changelog JSON
 * lines that parse back to exactly the generated rows; config errors name their JSON path. */
#include "tests/harness/test.h"

#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <unistd.h>

#include "graph/codec.h"
#include "graph/plan.h"
#include "operators/registry.h"
#include "runtime/job.h"

/* Parses, plans and runs a job to its end; returns the final status, the failure in *err. */
static rt_job_status run_job(const char *json, rt_err *err)
{
    graph_job *g = NULL;
    graph_plan *plan = NULL;
    rt_job *job = NULL;
    rt_job_status st = RT_JOB_FAILED;
    rt_err_clear(err);
    if (graph_codec_parse(json, strlen(json), op_registry_catalog(), &g, err) != 0 ||
        graph_plan_build(g, &plan, err) != 0 ||
        rt_job_new(g, plan, op_registry_find, NULL, &job, err) != 0 ||
        rt_job_start(job, err) != 0) {
        test_fail(__FILE__, __LINE__, "job: %s", err->msg);
    } else {
        st = rt_job_wait(job, 120000);
        if (st == RT_JOB_FAILED)
            rt_job_failure(job, err);
    }
    rt_job_free(job);
    graph_plan_free(plan);
    graph_job_free(g);
    return st;
}

/* Runs datagen(p) -> print(sink_p) writing to path (or stdout when path is NULL). */
static void run_print(const char *gen_config, unsigned p, unsigned sink_p, const char *dist,
                      const char *path)
{
    char json[4096], print_config[600] = "{}";
    if (path)
        snprintf(print_config, sizeof print_config, "{\"path\": \"%s\"}", path);
    snprintf(json, sizeof json,
             "{\"name\": \"print-test\", \"operators\": ["
             "{\"id\": \"gen\", \"type\": \"datagen\", \"parallelism\": %u, \"config\": %s},"
             "{\"id\": \"out\", \"type\": \"print\", \"parallelism\": %u, \"config\": %s,"
             " \"inputs\": [{\"from\": \"gen\", \"distribution\": \"%s\"}]}]}",
             p, gen_config, sink_p, print_config, dist);
    rt_err err;
    rt_job_status st = run_job(json, &err);
    if (st != RT_JOB_FINISHED)
        test_fail(__FILE__, __LINE__, "job ended %s: %s", rt_job_status_name(st), err.msg);
}

/* The lines of a file, sorted; *count lines. The caller frees lines[0]'s buffer via *text. */
static char **read_lines(const char *path, size_t *count, char **text)
{
    size_t len = 0;
    *text = test_read_file(path, &len);
    *count = 0;
    if (!*text)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += (*text)[i] == '\n';
    CHECK(len == 0 || (*text)[len - 1] == '\n');
    char **lines = calloc(n + 1, sizeof *lines);
    char *p = *text;
    for (size_t i = 0; i < n; i++) {
        /* memchr: strchr would rescan the rest of the text per line under ASan's
         * strict_string_checks. */
        char *nl = memchr(p, '\n', len - (size_t)(p - *text));
        *nl = '\0';
        lines[i] = p;
        p = nl + 1;
    }
    *count = n;
    return lines;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool all_digits(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
    }
    return true;
}

/* "YYYY-MM-DD hh:mm:ss.ffffff" */
static bool is_datetime_text(const char *s)
{
    return strlen(s) == 26 && all_digits(s, 4) && s[4] == '-' && all_digits(s + 5, 2) &&
           s[7] == '-' && all_digits(s + 8, 2) && s[10] == ' ' && all_digits(s + 11, 2) &&
           s[13] == ':' && all_digits(s + 14, 2) && s[16] == ':' && all_digits(s + 17, 2) &&
           s[19] == '.' && all_digits(s + 20, 6);
}

/* -?digits.dddd */
static bool is_price_text(const char *s)
{
    if (*s == '-')
        s++;
    const char *dot = strchr(s, '.');
    return dot && dot > s && dot - s <= 14 && all_digits(s, (size_t)(dot - s)) &&
           strlen(dot + 1) == 4 && all_digits(dot + 1, 4);
}

/* Checks one line of the default schema and marks its id in seen[1..n]. */
static void check_default_line(const char *line, uint8_t *seen, uint64_t n)
{
    json_error_t jerr;
    json_t *o = json_loads(line, 0, &jerr);
    if (!o) {
        test_fail(__FILE__, __LINE__, "line is not JSON (%s): %s", jerr.text, line);
        return;
    }
    CHECK(json_is_object(o) && json_object_size(o) == 3);
    CHECK_STR_EQ(json_string_value(json_object_get(o, "op")), "+I");
    CHECK_STR_EQ(json_string_value(json_object_get(o, "table")), "gen.rows");
    json_t *d = json_object_get(o, "data");
    static const char *const names[] = {"id",    "k",       "name",    "price",
                                        "ratio", "created", "payload", "flag"};
    CHECK(json_is_object(d) && json_object_size(d) == 8);
    size_t i = 0;
    const char *key;
    json_t *v;
    json_object_foreach(d, key, v)
    {
        if (i < 8)
            CHECK_STR_EQ(key, names[i]);
        i++;
    }
    json_t *id = json_object_get(d, "id");
    CHECK(json_is_integer(id));
    json_int_t idv = json_integer_value(id);
    if (idv >= 1 && (uint64_t)idv <= n) {
        if (seen[idv] < 255)
            seen[idv]++;
    } else {
        test_fail(__FILE__, __LINE__, "id %lld out of range", (long long)idv);
    }
    json_t *k = json_object_get(d, "k");
    CHECK(json_is_null(k) || (json_is_integer(k) && json_integer_value(k) >= INT32_MIN &&
                              json_integer_value(k) <= INT32_MAX));
    json_t *name = json_object_get(d, "name");
    if (!json_is_null(name)) {
        char want[40];
        snprintf(want, sizeof want, "name-%lld", (long long)idv);
        CHECK_STR_EQ(json_string_value(name), want);
    }
    json_t *price = json_object_get(d, "price");
    CHECK(json_is_null(price) ||
          (json_is_string(price) && is_price_text(json_string_value(price))));
    json_t *ratio = json_object_get(d, "ratio");
    CHECK(json_is_null(ratio) ||
          (json_is_number(ratio) && json_number_value(ratio) >= 0 && json_number_value(ratio) < 1));
    json_t *created = json_object_get(d, "created");
    CHECK(json_is_null(created) ||
          (json_is_string(created) && is_datetime_text(json_string_value(created))));
    json_t *payload = json_object_get(d, "payload");
    CHECK(json_is_null(payload) || (json_is_string(payload) && json_string_length(payload) <= 255));
    json_t *flag = json_object_get(d, "flag");
    CHECK(json_is_null(flag) || (json_is_integer(flag) && json_integer_value(flag) >= -128 &&
                                 json_integer_value(flag) <= 127));
    json_decref(o);
}

/* Checks a whole output file of the default schema: n lines, ids 1..n once each. Returns the
 * sorted lines (free both) for comparisons between runs. */
static char **check_default_file(const char *path, uint64_t n, char **text)
{
    size_t count = 0;
    char **lines = read_lines(path, &count, text);
    CHECK_UINT_EQ(count, n);
    uint8_t *seen = calloc(n + 1, 1);
    for (size_t i = 0; i < count; i++)
        check_default_line(lines[i], seen, n);
    uint64_t wrong = 0;
    for (uint64_t id = 1; id <= n; id++)
        wrong += seen[id] != 1;
    CHECK_UINT_EQ(wrong, 0);
    free(seen);
    if (lines)
        qsort(lines, count, sizeof *lines, cmp_str);
    return lines;
}

static void path_in_tmp(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", test_tmpdir(), name);
}

TEST(default_rows_any_parallelism)
{
    const uint64_t n = 5003;
    const char *cfg = "{\"rows\": 5003, \"seed\": 11}";
    char p1[512], p2[512], p3[512];
    path_in_tmp(p1, sizeof p1, "p1.jsonl");
    path_in_tmp(p2, sizeof p2, "p2.jsonl");
    path_in_tmp(p3, sizeof p3, "p3.jsonl");
    run_print(cfg, 1, 1, "forward", p1);
    /* Two print subtasks append to one file: whole lines, never interleaved. */
    run_print(cfg, 2, 2, "forward", p2);
    run_print(cfg, 2, 1, "rebalance", p3);
    char *t1 = NULL, *t2 = NULL, *t3 = NULL;
    char **l1 = check_default_file(p1, n, &t1);
    char **l2 = check_default_file(p2, n, &t2);
    char **l3 = check_default_file(p3, n, &t3);
    if (l1 && l2 && l3) {
        uint64_t differ = 0;
        for (uint64_t i = 0; i < n; i++)
            differ += strcmp(l1[i], l2[i]) != 0 || strcmp(l1[i], l3[i]) != 0;
        CHECK_UINT_EQ(differ, 0);
    }
    free(l1);
    free(l2);
    free(l3);
    free(t1);
    free(t2);
    free(t3);
}

TEST(appends_to_an_existing_file)
{
    char p[512];
    path_in_tmp(p, sizeof p, "append.jsonl");
    run_print("{\"rows\": 10}", 1, 1, "forward", p);
    run_print("{\"rows\": 10}", 1, 1, "forward", p);
    size_t count = 0;
    char *text = NULL;
    char **lines = read_lines(p, &count, &text);
    CHECK_UINT_EQ(count, 20);
    free(lines);
    free(text);
}

TEST(stdout_by_default)
{
    char p[512];
    path_in_tmp(p, sizeof p, "stdout.jsonl");
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(saved >= 0 && fd >= 0);
    dup2(fd, STDOUT_FILENO);
    close(fd);
    run_print("{\"rows\": 100}", 1, 1, "forward", NULL);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    /* Only the 100 lines: log lines go to stderr. */
    char *text = NULL;
    char **lines = check_default_file(p, 100, &text);
    free(lines);
    free(text);
}

TEST(custom_columns)
{
    char p[512];
    path_in_tmp(p, sizeof p, "custom.jsonl");
    const char *cfg = "{\"rows\": 300, \"table\": \"shop.orders\", \"columns\": {"
                      "\"order_id\": \"INT UNSIGNED\", \"amount\": \"decimal(10,2) not null\","
                      "\"day\": \"date\", \"at\": \"time(3)\", \"raw\": \"varbinary(8)\","
                      "\"state\": \"enum('new','paid')\", \"doc\": \"json\","
                      "\"big\": \"bigint unsigned NOT NULL\"}}";
    run_print(cfg, 2, 1, "rebalance", p);
    size_t count = 0;
    char *text = NULL;
    char **lines = read_lines(p, &count, &text);
    CHECK_UINT_EQ(count, 300);
    uint8_t seen[301] = {0};
    size_t big_strings = 0;
    for (size_t i = 0; i < count; i++) {
        json_t *o = json_loads(lines[i], 0, NULL);
        CHECK(o != NULL);
        if (!o)
            continue;
        CHECK_STR_EQ(json_string_value(json_object_get(o, "table")), "shop.orders");
        json_t *d = json_object_get(o, "data");
        CHECK_UINT_EQ(json_object_size(d), 8);
        json_int_t id = json_integer_value(json_object_get(d, "order_id"));
        if (id >= 1 && id <= 300)
            seen[id]++;
        const char *amount = json_string_value(json_object_get(d, "amount"));
        CHECK(amount != NULL);
        if (amount) {
            const char *dot = strchr(amount, '.');
            CHECK(dot && strlen(dot + 1) == 2 && dot - amount <= 9);
        }
        json_t *day = json_object_get(d, "day");
        CHECK(json_is_null(day) || strlen(json_string_value(day)) == 10);
        json_t *at = json_object_get(d, "at");
        if (!json_is_null(at)) {
            const char *s = json_string_value(at);
            const char *dot = s ? strrchr(s, '.') : NULL;
            CHECK(dot && strlen(dot + 1) == 6 && strcmp(dot + 4, "000") == 0);
        }
        json_t *raw = json_object_get(d, "raw");
        CHECK(json_is_null(raw) || json_string_length(raw) <= 12); /* base64 of <= 8 bytes */
        json_t *state = json_object_get(d, "state");
        CHECK(json_is_null(state) || strcmp(json_string_value(state), "new") == 0 ||
              strcmp(json_string_value(state), "paid") == 0);
        json_t *doc = json_object_get(d, "doc");
        if (!json_is_null(doc)) {
            json_t *inner = json_loads(json_string_value(doc), 0, NULL);
            CHECK(inner && json_integer_value(json_object_get(inner, "id")) == id);
            json_decref(inner);
        }
        json_t *big = json_object_get(d, "big");
        CHECK(json_is_integer(big) || json_is_string(big));
        big_strings += json_is_string(big);
        json_decref(o);
    }
    /* Unsigned 64-bit values beyond 2^53 travel as strings. */
    CHECK(big_strings > 250);
    for (int id = 1; id <= 300; id++)
        CHECK_INT_EQ(seen[id], 1);
    free(lines);
    free(text);
}

static void check_parse_error(const char *gen_config, const char *print_config, const char *want1,
                              const char *want2)
{
    char json[2048];
    snprintf(json, sizeof json,
             "{\"name\": \"bad\", \"operators\": ["
             "{\"id\": \"gen\", \"type\": \"datagen\", \"config\": %s},"
             "{\"id\": \"out\", \"type\": \"print\", \"config\": %s, \"inputs\": [\"gen\"]}]}",
             gen_config, print_config);
    graph_job *g = NULL;
    rt_err err = {0};
    CHECK_INT_EQ(graph_codec_parse(json, strlen(json), op_registry_catalog(), &g, &err), RT_EINVAL);
    CHECK(g == NULL);
    CHECK_STR_CONTAINS(err.msg, want1);
    CHECK_STR_CONTAINS(err.msg, want2);
    graph_job_free(g);
}

TEST(config_errors_name_the_path)
{
    check_parse_error("{\"rowz\": 5}", "{}", "$.operators[0].config", "rowz");
    check_parse_error("{\"rows\": -1}", "{}", "$.operators[0].config.rows", "-1");
    check_parse_error("{\"rate\": \"fast\"}", "{}", "$.operators[0].config.rate", "fast");
    check_parse_error("{\"table\": \"nodot\"}", "{}", "$.operators[0].config.table",
                      "expected \"db.table\"");
    check_parse_error("{\"table\": \"a.b.c\"}", "{}", "$.operators[0].config.table", "a.b.c");
    check_parse_error("{\"columns\": {\"id\": \"bigint\", \"v\": \"varchar\"}}", "{}",
                      "$.operators[0].config.columns.v", "column type 'varchar'");
    check_parse_error("{\"columns\": {\"id\": \"bigint\", \"v\": \"geometry\"}}", "{}",
                      "$.operators[0].config.columns.v", "cannot generate spatial values");
    check_parse_error("{\"columns\": {\"id\": \"text\"}}", "{}", "$.operators[0].config.columns.id",
                      "must be an integer");
    check_parse_error("{\"columns\": []}", "{}", "$.operators[0].config.columns",
                      "expected an object");
    check_parse_error("{\"rows\": 200, \"columns\": {\"id\": \"tinyint\"}}", "{}",
                      "$.operators[0].config.rows", "do not fit");
    check_parse_error("{}", "{\"format\": \"csv\"}", "$.operators[1].config", "format");
    check_parse_error("{}", "{\"path\": 5}", "$.operators[1].config.path", "5");
}

TEST(unwritable_path_fails_the_job)
{
    const char *json = "{\"name\": \"bad-path\", \"operators\": ["
                       "{\"id\": \"gen\", \"type\": \"datagen\", \"config\": {\"rows\": 10}},"
                       "{\"id\": \"out\", \"type\": \"print\","
                       " \"config\": {\"path\": \"/nonexistent-dir/x.jsonl\"},"
                       " \"inputs\": [\"gen\"]}]}";
    graph_job *g = NULL;
    graph_plan *plan = NULL;
    rt_job *job = NULL;
    rt_err err_s = {0}, *err = &err_s; /* a pointer: CHECK_OK tests it for NULL */
    CHECK_OK(graph_codec_parse(json, strlen(json), op_registry_catalog(), &g, err), err);
    CHECK_OK(graph_plan_build(g, &plan, err), err);
    int rc = rt_job_new(g, plan, op_registry_find, NULL, &job, err);
    if (rc == 0) {
        rc = rt_job_start(job, err);
        if (rc == 0 && rt_job_wait(job, 60000) == RT_JOB_FAILED)
            rc = rt_job_failure(job, err) == 0 ? err->code : 0;
    }
    CHECK_INT_EQ(rc, RT_EIO);
    CHECK_STR_CONTAINS(err->msg, "print: open '/nonexistent-dir/x.jsonl'");
    rt_job_free(job);
    graph_plan_free(plan);
    graph_job_free(g);
}

TEST_MAIN()
