/* Tests of runtime/base/config: applying JSON to a struct through a table, the error messages
 * (each names the JSON path), defaults, formatting back to JSON. */
#include "runtime/base/config.h"

#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/harness/test.h"

/* A generator-like operator config: the table of the "unknown key" example. */
typedef struct gen_cfg {
    int64_t rows;
    int64_t rate;
    char *table;
    int64_t seed;
    rt_strlist columns;
} gen_cfg;

static const rt_config_field gen_table[] = {
    {.key = "rows",
     .type = RT_CFG_INT,
     .def = "10",
     .offset = offsetof(gen_cfg, rows),
     .flags = RT_CFG_RANGE,
     .min = 0,
     .max = INT64_MAX,
     .help = "rows to generate"},
    {.key = "rate", .type = RT_CFG_INT, .offset = offsetof(gen_cfg, rate)},
    {.key = "table", .type = RT_CFG_STRING, .def = "\"t\"", .offset = offsetof(gen_cfg, table)},
    {.key = "seed", .type = RT_CFG_INT, .def = "-7", .offset = offsetof(gen_cfg, seed)},
    {.key = "columns", .type = RT_CFG_STRLIST, .offset = offsetof(gen_cfg, columns)},
    {0},
};

/* A sink-like config with every other type. */
typedef struct sink_cfg {
    char *host;
    int64_t port;
    char *password;
    int semantic;
    int64_t interval;
    uint64_t buffer;
    bool verbose;
    double ratio;
    char *props;
    int64_t timeout;
} sink_cfg;

static const char *const semantics[] = {"exactly-once", "at-least-once", NULL};

static const rt_config_field sink_table[] = {
    {.key = "host",
     .type = RT_CFG_STRING,
     .offset = offsetof(sink_cfg, host),
     .flags = RT_CFG_REQUIRED},
    {.key = "port",
     .type = RT_CFG_INT,
     .def = "9030",
     .offset = offsetof(sink_cfg, port),
     .flags = RT_CFG_RANGE,
     .min = 1,
     .max = 65535},
    {.key = "password",
     .type = RT_CFG_STRING,
     .offset = offsetof(sink_cfg, password),
     .flags = RT_CFG_SECRET},
    {.key = "semantic",
     .type = RT_CFG_ENUM,
     .def = "\"exactly-once\"",
     .offset = offsetof(sink_cfg, semantic),
     .choices = semantics},
    {.key = "interval",
     .type = RT_CFG_DURATION,
     .def = "\"5s\"",
     .offset = offsetof(sink_cfg, interval)},
    {.key = "buffer",
     .type = RT_CFG_SIZE,
     .def = "\"64MiB\"",
     .offset = offsetof(sink_cfg, buffer),
     .flags = RT_CFG_RANGE,
     .min = 1024,
     .max = INT64_MAX},
    {.key = "verbose", .type = RT_CFG_BOOL, .offset = offsetof(sink_cfg, verbose)},
    {.key = "ratio", .type = RT_CFG_DOUBLE, .def = "0.5", .offset = offsetof(sink_cfg, ratio)},
    {.key = "props", .type = RT_CFG_JSON, .offset = offsetof(sink_cfg, props)},
    {.key = "timeout",
     .type = RT_CFG_DURATION,
     .def = "30000",
     .offset = offsetof(sink_cfg, timeout),
     .flags = RT_CFG_RANGE,
     .min = 1000,
     .max = 3600000},
    {0},
};

/* Applies json to a fresh sink_cfg expecting RT_EINVAL; returns the message. One at a time. */
static const char *sink_err(const char *json)
{
    static rt_err err_rec, *err = &err_rec;
    sink_cfg c;
    memset(&c, 0, sizeof c);
    rt_err_clear(err);
    int rc = rt_config_apply(sink_table, &c, json, "$.x", err);
    if (rc != RT_EINVAL)
        test_fail(__FILE__, __LINE__, "apply %s -> %d, want RT_EINVAL", json, rc);
    if (err->code != RT_EINVAL)
        test_fail(__FILE__, __LINE__, "err->code %d", err->code);
    rt_config_free(sink_table, &c);
    return err->msg;
}

static const char *gen_err(const char *json, const char *path)
{
    static rt_err err_rec, *err = &err_rec;
    gen_cfg c;
    memset(&c, 0, sizeof c);
    rt_err_clear(err);
    int rc = rt_config_apply(gen_table, &c, json, path, err);
    if (rc != RT_EINVAL)
        test_fail(__FILE__, __LINE__, "apply %s -> %d, want RT_EINVAL", json, rc);
    rt_config_free(gen_table, &c);
    return err->msg;
}

TEST(defaults_apply_to_absent_keys)
{
    const char *texts[] = {NULL, "", "{}", " { } "};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        gen_cfg c;
        memset(&c, 0, sizeof c);
        rt_err err_rec, *err = &err_rec;
        CHECK_OK(rt_config_apply(gen_table, &c, texts[i], "$.g", err), err);
        CHECK_INT_EQ(c.rows, 10);
        CHECK_INT_EQ(c.rate, 0);
        CHECK_STR_EQ(c.table, "t");
        CHECK_INT_EQ(c.seed, -7);
        CHECK(c.columns.items == NULL && c.columns.count == 0);
        rt_config_free(gen_table, &c);
    }
}

TEST(every_type_is_applied)
{
    sink_cfg c;
    memset(&c, 0, sizeof c);
    rt_err err_rec, *err = &err_rec;
    CHECK_OK(rt_config_apply(sink_table, &c,
                             "{\"host\":\"db\",\"port\":8030,\"password\":\"pw\","
                             "\"semantic\":\"at-least-once\",\"interval\":\"1m30s\","
                             "\"buffer\":\"1.5GiB\",\"verbose\":true,\"ratio\":2,"
                             "\"props\":{\"b\":[1, 2.5, \"x\"],\"a\":null},\"timeout\":2000}",
                             "$.x", err),
             err);
    CHECK_STR_EQ(c.host, "db");
    CHECK_INT_EQ(c.port, 8030);
    CHECK_STR_EQ(c.password, "pw");
    CHECK_INT_EQ(c.semantic, 1);
    CHECK_INT_EQ(c.interval, 90000);
    CHECK_UINT_EQ(c.buffer, 3ull << 29);
    CHECK(c.verbose);
    CHECK(c.ratio == 2.0);
    CHECK_STR_EQ(c.props, "{\"b\":[1,2.5,\"x\"],\"a\":null}"); /* compact, document order */
    CHECK_INT_EQ(c.timeout, 2000);
    rt_config_free(sink_table, &c);
    CHECK(c.host == NULL && c.password == NULL && c.props == NULL);
}

TEST(defaults_of_every_type)
{
    sink_cfg c;
    memset(&c, 0, sizeof c);
    rt_err err_rec, *err = &err_rec;
    CHECK_OK(rt_config_apply(sink_table, &c, "{\"host\":\"h\"}", "$.x", err), err);
    CHECK_INT_EQ(c.port, 9030);
    CHECK(c.password == NULL);
    CHECK_INT_EQ(c.semantic, 0);
    CHECK_INT_EQ(c.interval, 5000);
    CHECK_UINT_EQ(c.buffer, 64ull << 20);
    CHECK(!c.verbose);
    CHECK(c.ratio == 0.5);
    CHECK(c.props == NULL);
    CHECK_INT_EQ(c.timeout, 30000);
    rt_config_free(sink_table, &c);
}

TEST(int_wrong_type_names_path_and_range)
{
    CHECK_STR_EQ(gen_err("{\"rows\":\"ten\"}", "$.operators[1].config"),
                 "$.operators[1].config.rows: expected an integer ≥ 0, got \"ten\"");
    CHECK_STR_EQ(gen_err("{\"rate\":true}", "$.g"), "$.g.rate: expected an integer, got true");
}

TEST(int_real_with_integral_value_is_rejected)
{
    CHECK_STR_EQ(gen_err("{\"rows\":3.0}", "$.g"), "$.g.rows: expected an integer ≥ 0, got 3.0");
    CHECK_STR_EQ(gen_err("{\"rate\":1.5}", "$.g"), "$.g.rate: expected an integer, got 1.5");
}

TEST(int_out_of_range)
{
    CHECK_STR_EQ(sink_err("{\"host\":\"h\",\"port\":70000}"),
                 "$.x.port: expected an integer ≥ 1 and ≤ 65535, got 70000");
    CHECK_STR_EQ(sink_err("{\"host\":\"h\",\"port\":0}"),
                 "$.x.port: expected an integer ≥ 1 and ≤ 65535, got 0");
    CHECK_STR_EQ(gen_err("{\"rows\":-1}", "$.g"), "$.g.rows: expected an integer ≥ 0, got -1");
    /* the bounds themselves are allowed */
    sink_cfg c;
    memset(&c, 0, sizeof c);
    rt_err err_rec, *err = &err_rec;
    CHECK_OK(rt_config_apply(sink_table, &c, "{\"host\":\"h\",\"port\":65535}", "$.x", err), err);
    CHECK_INT_EQ(c.port, 65535);
    rt_config_free(sink_table, &c);
}

TEST(unknown_key_lists_known_keys)
{
    CHECK_STR_EQ(gen_err("{\"rows\":1,\"rowz\":2}", "$.x"),
                 "$.x: unknown key \"rowz\" (known: rows, rate, table, seed, columns)");
}

TEST(enum_unknown_name)
{
    CHECK_STR_EQ(sink_err("{\"host\":\"h\",\"semantic\":\"twice\"}"),
                 "$.x.semantic: expected one of \"exactly-once\", \"at-least-once\", "
                 "got \"twice\"");
    CHECK_STR_EQ(sink_err("{\"host\":\"h\",\"semantic\":1}"),
                 "$.x.semantic: expected one of \"exactly-once\", \"at-least-once\", got 1");
    /* names are case-sensitive */
    CHECK_STR_CONTAINS(sink_err("{\"host\":\"h\",\"semantic\":\"Exactly-Once\"}"),
                       "got \"Exactly-Once\"");
}

TEST(required_key_missing)
{
    CHECK_STR_EQ(sink_err("{\"port\":1}"), "$.x.host: required key is missing");
    CHECK_STR_EQ(sink_err(NULL), "$.x.host: required key is missing");
}

TEST(duration_bad_text)
{
    CHECK_STR_EQ(sink_err("{\"host\":\"h\",\"interval\":\"5 parsecs\"}"),
                 "$.x.interval: expected a duration such as \"5s\", \"250ms\" or \"1m30s\", "
                 "got \"5 parsecs\"");
    CHECK_STR_EQ(sink_err("{\"host\":\"h\",\"interval\":-5}"),
                 "$.x.interval: expected a duration such as \"5s\", \"250ms\" or \"1m30s\", "
                 "got -5");
    CHECK_STR_EQ(sink_err("{\"host\":\"h\",\"interval\":1.5}"),
                 "$.x.interval: expected a duration such as \"5s\", \"250ms\" or \"1m30s\", "
                 "got 1.5");
    CHECK_STR_CONTAINS(sink_err("{\"host\":\"h\",\"interval\":\"99999999999999999999s\"}"),
                       "got \"99999999999999999999s\"");
}

TEST(duration_integer_is_milliseconds)
{
    sink_cfg c;
    memset(&c, 0, sizeof c);
    rt_err err_rec, *err = &err_rec;
    CHECK_OK(rt_config_apply(sink_table, &c, "{\"host\":\"h\",\"interval\":250}", "$.x", err), err);
    CHECK_INT_EQ(c.interval, 250);
    rt_config_free(sink_table, &c);
}

TEST(duration_out_of_range)
{
    CHECK_STR_EQ(sink_err("{\"host\":\"h\",\"timeout\":\"500ms\"}"),
                 "$.x.timeout: expected a duration ≥ 1s and ≤ 1h, got \"500ms\"");
    CHECK_STR_EQ(sink_err("{\"host\":\"h\",\"timeout\":\"1h1ms\"}"),
                 "$.x.timeout: expected a duration ≥ 1s and ≤ 1h, got \"1h1ms\"");
}

TEST(size_bad_text_and_overflow)
{
    CHECK_STR_EQ(sink_err("{\"host\":\"h\",\"buffer\":\"lots\"}"),
                 "$.x.buffer: expected a size such as \"64MiB\", \"512KB\" or \"1GiB\", "
                 "got \"lots\"");
    CHECK_STR_CONTAINS(sink_err("{\"host\":\"h\",\"buffer\":\"20EiB\"}"),
                       "$.x.buffer: expected a size such as");
    CHECK_STR_CONTAINS(sink_err("{\"host\":\"h\",\"buffer\":-1}"), "got -1");
}

TEST(size_integer_is_bytes_and_range_is_checked)
{
    sink_cfg c;
    memset(&c, 0, sizeof c);
    rt_err err_rec, *err = &err_rec;
    CHECK_OK(rt_config_apply(sink_table, &c, "{\"host\":\"h\",\"buffer\":4096}", "$.x", err), err);
    CHECK_UINT_EQ(c.buffer, 4096);
    rt_config_free(sink_table, &c);
    CHECK_STR_EQ(sink_err("{\"host\":\"h\",\"buffer\":\"512B\"}"),
                 "$.x.buffer: expected a size ≥ 1KiB, got \"512B\"");
}

TEST(config_that_is_not_an_object)
{
    CHECK_STR_EQ(sink_err("[1]"), "$.x: expected an object, got [1]");
    CHECK_STR_EQ(sink_err("\"s\""), "$.x: expected an object, got \"s\"");
    CHECK_STR_EQ(sink_err("null"), "$.x: expected an object, got null");
    CHECK_STR_EQ(sink_err("0.1"), "$.x: expected an object, got 0.1");
}

TEST(malformed_json_gives_line_and_column)
{
    const char *msg = sink_err("{\"host\":\"h\",\n \"port\": }");
    CHECK_STR_CONTAINS(msg, "$.x: invalid JSON at line 2 column 10: ");
    CHECK_STR_CONTAINS(msg, "unexpected token");
    CHECK_STR_CONTAINS(sink_err("{\"host\":"), "$.x: invalid JSON at line 1 column");
}

TEST(duplicate_keys_are_rejected)
{
    CHECK_STR_CONTAINS(sink_err("{\"host\":\"a\",\"host\":\"b\"}"), "$.x: invalid JSON");
    CHECK_STR_CONTAINS(sink_err("{\"host\":\"a\",\"host\":\"b\"}"), "duplicate");
}

TEST(bool_wrong_type)
{
    CHECK_STR_EQ(sink_err("{\"host\":\"h\",\"verbose\":1}"),
                 "$.x.verbose: expected true or false, got 1");
    CHECK_STR_EQ(sink_err("{\"host\":\"h\",\"verbose\":\"true\"}"),
                 "$.x.verbose: expected true or false, got \"true\"");
}

TEST(string_wrong_type)
{
    CHECK_STR_EQ(sink_err("{\"host\":5}"), "$.x.host: expected a string, got 5");
    CHECK_STR_EQ(sink_err("{\"host\":null}"), "$.x.host: expected a string, got null");
    CHECK_STR_EQ(sink_err("{\"host\":{\"a\":[1,{}]}}"),
                 "$.x.host: expected a string, got {\"a\":[1,{}]}");
    /* a NUL inside would silently cut the C string */
    CHECK_STR_EQ(sink_err("{\"host\":\"a\\u0000b\"}"),
                 "$.x.host: expected a string, got \"a\\u0000b\"");
}

TEST(null_on_optional_key_takes_the_default)
{
    sink_cfg c;
    memset(&c, 0, sizeof c);
    rt_err err_rec, *err = &err_rec;
    CHECK_OK(rt_config_apply(sink_table, &c,
                             "{\"host\":\"h\",\"port\":null,\"password\":null,\"props\":null}",
                             "$.x", err),
             err);
    CHECK_INT_EQ(c.port, 9030);
    CHECK(c.password == NULL);
    CHECK(c.props == NULL);
    rt_config_free(sink_table, &c);
}

TEST(json_field_keeps_nul_escapes)
{
    sink_cfg c;
    memset(&c, 0, sizeof c);
    rt_err err_rec, *err = &err_rec;
    CHECK_OK(
        rt_config_apply(sink_table, &c, "{\"host\":\"h\",\"props\":\"a\\u0000b\"}", "$.x", err),
        err);
    CHECK_STR_EQ(c.props, "\"a\\u0000b\"");
    rt_config_free(sink_table, &c);
}

TEST(double_accepts_numbers_only)
{
    CHECK_STR_EQ(sink_err("{\"host\":\"h\",\"ratio\":\"0.5\"}"),
                 "$.x.ratio: expected a number, got \"0.5\"");
}

TEST(secret_value_is_never_echoed)
{
    const char *msg = sink_err("{\"host\":\"h\",\"password\":987654}");
    CHECK_STR_EQ(msg, "$.x.password: expected a string, got an integer");
    CHECK(!strstr(msg, "987654"));
}

TEST(long_offending_value_is_elided)
{
    char json[600];
    char big[400];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    snprintf(json, sizeof json, "{\"host\":\"h\",\"port\":\"%s\"}", big);
    const char *msg = sink_err(json);
    CHECK_STR_CONTAINS(msg, "$.x.port: expected an integer ≥ 1 and ≤ 65535, got \"qqq");
    CHECK_STR_CONTAINS(msg, "qqq…");
    CHECK(strlen(msg) < 250);
}

TEST(strlist_forms_and_errors)
{
    gen_cfg c;
    memset(&c, 0, sizeof c);
    rt_err err_rec, *err = &err_rec;
    CHECK_OK(rt_config_apply(gen_table, &c, "{\"columns\":[\"a\",\"b\",\"c\"]}", "$.g", err), err);
    CHECK_UINT_EQ(c.columns.count, 3);
    if (c.columns.count == 3) {
        CHECK_STR_EQ(c.columns.items[0], "a");
        CHECK_STR_EQ(c.columns.items[2], "c");
    }
    /* a single string is a list of one; re-apply frees the old list */
    CHECK_OK(rt_config_apply(gen_table, &c, "{\"columns\":\"only\"}", "$.g", err), err);
    CHECK_UINT_EQ(c.columns.count, 1);
    if (c.columns.count == 1)
        CHECK_STR_EQ(c.columns.items[0], "only");
    CHECK_OK(rt_config_apply(gen_table, &c, "{\"columns\":[]}", "$.g", err), err);
    CHECK_UINT_EQ(c.columns.count, 0);
    rt_config_free(gen_table, &c);
    CHECK(c.columns.items == NULL && c.columns.count == 0);

    CHECK_STR_EQ(gen_err("{\"columns\":[\"a\",2]}", "$.g"),
                 "$.g.columns[1]: expected a string, got 2");
    CHECK_STR_EQ(gen_err("{\"columns\":7}", "$.g"),
                 "$.g.columns: expected a string or an array of strings, got 7");
}

TEST(null_path_means_root)
{
    CHECK_STR_EQ(gen_err("{\"rows\":\"x\"}", NULL), "$.rows: expected an integer ≥ 0, got \"x\"");
}

TEST(reapply_replaces_owned_values)
{
    gen_cfg c;
    memset(&c, 0, sizeof c);
    rt_err err_rec, *err = &err_rec;
    CHECK_OK(rt_config_apply(gen_table, &c, "{\"table\":\"one\",\"rows\":3}", "$.g", err), err);
    CHECK_OK(rt_config_apply(gen_table, &c, "{\"table\":\"two\"}", "$.g", err), err);
    CHECK_STR_EQ(c.table, "two");
    CHECK_INT_EQ(c.rows, 10); /* every field is set: absent ones take their default again */
    rt_config_free(gen_table, &c);
}

TEST(failed_apply_can_be_freed)
{
    sink_cfg c;
    memset(&c, 0, sizeof c);
    rt_err err_rec, *err = &err_rec;
    CHECK_INT_EQ(
        rt_config_apply(sink_table, &c, "{\"host\":\"h\",\"props\":[1],\"timeout\":1}", "$.x", err),
        RT_EINVAL);
    CHECK_STR_EQ(c.host, "h"); /* applied before the failure */
    rt_config_free(sink_table, &c);
    CHECK(c.host == NULL && c.props == NULL);
}

TEST(format_writes_effective_config)
{
    sink_cfg c;
    memset(&c, 0, sizeof c);
    rt_err err_rec, *err = &err_rec;
    CHECK_OK(rt_config_apply(sink_table, &c,
                             "{\"password\":\"s3cret\",\"host\":\"db\",\"interval\":90000,"
                             "\"buffer\":1048576,\"ratio\":0.1,\"props\":{\"k\":\"v\"}}",
                             "$.x", err),
             err);
    char *text = rt_config_format(sink_table, &c);
    CHECK_STR_EQ(text, "{\"host\":\"db\",\"port\":9030,\"password\":\"***\","
                       "\"semantic\":\"exactly-once\",\"interval\":\"1m30s\","
                       "\"buffer\":\"1MiB\",\"verbose\":false,\"ratio\":0.1,"
                       "\"props\":{\"k\":\"v\"},\"timeout\":\"30s\"}");
    CHECK(!strstr(text, "s3cret"));
    free(text);
    rt_config_free(sink_table, &c);
}

TEST(format_absent_values_are_null)
{
    sink_cfg c;
    memset(&c, 0, sizeof c);
    rt_err err_rec, *err = &err_rec;
    CHECK_OK(rt_config_apply(sink_table, &c, "{\"host\":\"h\",\"ratio\":3}", "$.x", err), err);
    char *text = rt_config_format(sink_table, &c);
    CHECK_STR_CONTAINS(text, "\"password\":null,");
    CHECK_STR_CONTAINS(text, "\"props\":null,");
    CHECK_STR_CONTAINS(text, "\"ratio\":3.0,");
    free(text);
    rt_config_free(sink_table, &c);

    gen_cfg g;
    memset(&g, 0, sizeof g);
    CHECK_OK(rt_config_apply(gen_table, &g, "{\"columns\":[\"a\",\"b\\\"\"]}", "$.g", err), err);
    text = rt_config_format(gen_table, &g);
    CHECK_STR_EQ(text, "{\"rows\":10,\"rate\":0,\"table\":\"t\",\"seed\":-7,"
                       "\"columns\":[\"a\",\"b\\\"\"]}");
    free(text);
    rt_config_free(gen_table, &g);
}

TEST(format_output_applies_back_to_the_same_config)
{
    sink_cfg a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    rt_err err_rec, *err = &err_rec;
    CHECK_OK(rt_config_apply(sink_table, &a,
                             "{\"host\":\"db\",\"semantic\":\"at-least-once\",\"interval\":1500,"
                             "\"buffer\":\"3000KB\",\"verbose\":true,\"ratio\":0.3,"
                             "\"props\":[1,{\"z\":0.25}]}",
                             "$.x", err),
             err);
    char *t1 = rt_config_format(sink_table, &a);
    CHECK_OK(rt_config_apply(sink_table, &b, t1, "$.y", err), err);
    char *t2 = rt_config_format(sink_table, &b);
    CHECK_STR_EQ(t2, t1);
    CHECK_INT_EQ(b.interval, 1500);
    CHECK_UINT_EQ(b.buffer, 3000000);
    CHECK(b.ratio == 0.3);
    free(t1);
    free(t2);
    rt_config_free(sink_table, &a);
    rt_config_free(sink_table, &b);
}

TEST(find_by_key)
{
    const rt_config_field *f = rt_config_find(sink_table, "buffer");
    CHECK(f != NULL && f->type == RT_CFG_SIZE);
    CHECK(rt_config_find(sink_table, "nope") == NULL);
    CHECK(rt_config_find(sink_table, "") == NULL);
}

typedef struct bad_cfg {
    int64_t n;
} bad_cfg;

static void apply_bad_default(void)
{
    static const rt_config_field bad_table[] = {
        {.key = "n", .type = RT_CFG_INT, .def = "\"many\"", .offset = offsetof(bad_cfg, n)},
        {0},
    };
    bad_cfg c = {0};
    rt_config_apply(bad_table, &c, "{}", "$.b", NULL);
}

TEST(broken_default_is_a_bug)
{
    int fds[2];
    CHECK(pipe(fds) == 0);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 2);
        signal(SIGABRT, SIG_DFL);
        apply_bad_default();
        _exit(0);
    }
    close(fds[1]);
    char out[1024];
    size_t n = 0;
    ssize_t r;
    while (n < sizeof out - 1 && (r = read(fds[0], out + n, sizeof out - 1 - n)) > 0)
        n += (size_t)r;
    out[n] = '\0';
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    CHECK_STR_CONTAINS(out, "BUG at ");
    CHECK_STR_CONTAINS(out, "config key n: bad default \"many\"");
}

TEST_MAIN()
