/* Tests of runtime/base/log: levels, the line format written to an fd, and secret redaction. */
#include "runtime/base/log.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "runtime/base/errors.h"
#include "tests/harness/test.h"

/* rt_log_redact on a copy of s. Static; one at a time. */
static const char *redacted(const char *s)
{
    static char out[512];
    snprintf(out, sizeof out, "%s", s);
    size_t len = rt_log_redact(out);
    if (len != strlen(out))
        test_fail(__FILE__, __LINE__, "returned length %zu != %zu", len, strlen(out));
    return out;
}

TEST(level_names_and_parse)
{
    CHECK_STR_EQ(rt_log_level_name(RT_LOG_ERROR), "error");
    CHECK_STR_EQ(rt_log_level_name(RT_LOG_WARN), "warn");
    CHECK_STR_EQ(rt_log_level_name(RT_LOG_INFO), "info");
    CHECK_STR_EQ(rt_log_level_name(RT_LOG_DEBUG), "debug");
    CHECK(rt_log_level_name((rt_log_level)9) != NULL);
    rt_log_level lv = RT_LOG_ERROR;
    CHECK_OK(rt_log_level_parse("DEBUG", &lv), (rt_err *)NULL);
    CHECK_INT_EQ(lv, RT_LOG_DEBUG);
    CHECK_OK(rt_log_level_parse("Warn", &lv), (rt_err *)NULL);
    CHECK_INT_EQ(lv, RT_LOG_WARN);
    lv = RT_LOG_INFO;
    CHECK_INT_EQ(rt_log_level_parse("verbose", &lv), RT_EINVAL);
    CHECK_INT_EQ(rt_log_level_parse("", &lv), RT_EINVAL);
    CHECK_INT_EQ(lv, RT_LOG_INFO); /* untouched on failure */
}

TEST(default_level_is_info)
{
    CHECK_INT_EQ(rt_log_level_current, RT_LOG_INFO);
}

TEST(redact_json_forms)
{
    CHECK_STR_EQ(redacted("{\"user\":\"root\",\"password\":\"s3cret\",\"port\":3306}"),
                 "{\"user\":\"root\",\"password\":\"***\",\"port\":3306}");
    CHECK_STR_EQ(redacted("{\"sr_password\": \"hunter2\"}"), "{\"sr_password\": \"***\"}");
    CHECK_STR_EQ(redacted("{\"Token\" : \"abc\\\"def\", \"n\":1}"),
                 "{\"Token\" : \"***\", \"n\":1}");
    CHECK_STR_EQ(redacted("{\"secret\":123456,\"a\":2}"), "{\"secret\":***,\"a\":2}");
    CHECK_STR_EQ(redacted("{\"api_token\":\"\"}"), "{\"api_token\":\"\"}");
}

TEST(redact_url_userinfo)
{
    CHECK_STR_EQ(redacted("connect mysql://u:s3cret@host:3306/db failed"),
                 "connect mysql://u:***@host:3306/db failed");
    CHECK_STR_EQ(redacted("http://root:p%40ss@10.0.0.1/"), "http://root:***@10.0.0.1/");
    /* no password, no '@', or a port only: nothing to hide */
    CHECK_STR_EQ(redacted("mysql://u@host/db"), "mysql://u@host/db");
    CHECK_STR_EQ(redacted("http://host:8030/api"), "http://host:8030/api");
    /* the '@' of a later path is not userinfo */
    CHECK_STR_EQ(redacted("http://host:80/a@b"), "http://host:80/a@b");
}

TEST(redact_key_equals_value)
{
    CHECK_STR_EQ(redacted("password=abc&x=1"), "password=***&x=1");
    CHECK_STR_EQ(redacted("dsn host=db PWD=longpw;user=u"), "dsn host=db PWD=***;user=u");
    CHECK_STR_EQ(redacted("a?access_token=xyz123 rest"), "a?access_token=*** rest");
    CHECK_STR_EQ(redacted("passwd='q w e' next"), "passwd='***' next");
}

TEST(redact_key_colon_value)
{
    CHECK_STR_EQ(redacted("token: abc def"), "token: *** def");
    CHECK_STR_EQ(redacted("client_secret:abcdef, ok"), "client_secret:*** ok");
    CHECK_STR_EQ(redacted("secret: \"a b c\" tail"), "secret: \"***\" tail");
}

TEST(redact_several_in_one_line)
{
    CHECK_STR_EQ(redacted("password=aaa token=bbb mysql://x:ccc@h"),
                 "password=*** token=*** mysql://x:***@h");
}

TEST(redact_leaves_innocent_lines_alone)
{
    const char *lines[] = {
        "checkpoint 42 completed in 120ms (3 vertices)",
        "passwordless login enabled",
        "tokens=5 secrets are not here",
        "the password is rotated nightly",
        "http://example.com:8080/path?q=1",
        "",
        "token",
        "password=",
        "pwd:",
        "\"token\"",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        CHECK_STR_EQ(redacted(lines[i]), lines[i]);
}

TEST(redact_never_grows_the_string)
{
    /* A value shorter than the mask cannot become "***" in place: it keeps its length. */
    CHECK_STR_EQ(redacted("mysql://u:pw@host"), "mysql://u:**@host");
    CHECK_STR_EQ(redacted("{\"sr_password\": \"x\"}"), "{\"sr_password\": \"*\"}");
    CHECK_STR_EQ(redacted("pwd=a"), "pwd=*");
}

TEST(redact_unterminated_quote_stops_at_nul)
{
    /* The buffer ends right after the string: an over-read would trip ASan. */
    const char *src = "{\"password\":\"abc\\";
    size_t n = strlen(src) + 1;
    char *s = malloc(n);
    memcpy(s, src, n);
    rt_log_redact(s);
    CHECK_STR_EQ(s, "{\"password\":\"***");
    free(s);
    const char *src2 = "x://a:b";
    char *s2 = malloc(strlen(src2) + 1);
    memcpy(s2, src2, strlen(src2) + 1);
    rt_log_redact(s2);
    CHECK_STR_EQ(s2, "x://a:b");
    free(s2);
}

/* Captures what rt_log_write writes, through a pipe. */
static char *capture_begin(int fds[2])
{
    if (pipe(fds) != 0)
        return NULL;
    rt_log_set_fd(fds[1]);
    return NULL;
}

static char *capture_end(int fds[2])
{
    rt_log_set_fd(2);
    close(fds[1]);
    static char out[65536];
    size_t n = 0;
    ssize_t r;
    while (n < sizeof out - 1 && (r = read(fds[0], out + n, sizeof out - 1 - n)) > 0)
        n += (size_t)r;
    out[n] = '\0';
    close(fds[0]);
    return out;
}

static bool digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

TEST(write_formats_one_line)
{
    int fds[2];
    capture_begin(fds);
    rt_log_write(RT_LOG_INFO, "/some/dir/job_runner.c", 77, "vertex %s started (%d subtasks)",
                 "src", 4);
    char *out = capture_end(fds);
    /* 2026-11-26T10:00:00.123Z INFO  job_runner.c:77 vertex src started (4 subtasks)\n */
    CHECK(strlen(out) > 24);
    CHECK(digits(out, 4) && out[4] == '-' && digits(out + 5, 2) && out[7] == '-');
    CHECK(digits(out + 8, 2) && out[10] == 'T' && digits(out + 11, 2) && out[13] == ':');
    CHECK(digits(out + 14, 2) && out[16] == ':' && digits(out + 17, 2) && out[19] == '.');
    CHECK(digits(out + 20, 3) && out[23] == 'Z' && out[24] == ' ');
    CHECK_STR_EQ(out + 25, "INFO  job_runner.c:77 vertex src started (4 subtasks)\n");
}

TEST(write_pads_level_names)
{
    int fds[2];
    capture_begin(fds);
    rt_log_write(RT_LOG_ERROR, "a.c", 1, "e");
    rt_log_write(RT_LOG_WARN, "b.c", 2, "w");
    rt_log_write(RT_LOG_DEBUG, "c.c", 3, "d");
    char *out = capture_end(fds);
    CHECK_STR_CONTAINS(out, "Z ERROR a.c:1 e\n");
    CHECK_STR_CONTAINS(out, "Z WARN  b.c:2 w\n");
    CHECK_STR_CONTAINS(out, "Z DEBUG c.c:3 d\n");
}

TEST(write_redacts_and_masks_short_values_fully)
{
    int fds[2];
    capture_begin(fds);
    rt_log_write(RT_LOG_WARN, "x.c", 5, "dsn %s", "mysql://u:pw@host");
    rt_log_write(RT_LOG_WARN, "x.c", 6, "body {\"sr_password\": \"x\"}");
    char *out = capture_end(fds);
    /* the line buffer has room, so even a 1-letter password does not show its length */
    CHECK_STR_CONTAINS(out, "x.c:5 dsn mysql://u:***@host\n");
    CHECK_STR_CONTAINS(out, "x.c:6 body {\"sr_password\": \"***\"}\n");
    CHECK(!strstr(out, ":pw@"));
}

TEST(write_long_message_is_whole)
{
    size_t n = 20000;
    char *big = malloc(n + 1);
    memset(big, 'z', n);
    big[n] = '\0';
    int fds[2];
    capture_begin(fds);
    rt_log_write(RT_LOG_INFO, "l.c", 9, "%s token=%s", big, "abcdef");
    char *out = capture_end(fds);
    CHECK_UINT_EQ(strlen(out), 25 + strlen("INFO  l.c:9 ") + n + strlen(" token=***\n"));
    CHECK_STR_CONTAINS(out, "zzz token=***\n");
    free(big);
}

static int evaluated;

static int side_effect(void)
{
    evaluated++;
    return 1;
}

TEST(macros_skip_disabled_levels_without_evaluating)
{
    int fds[2];
    capture_begin(fds);
    rt_log_set_level(RT_LOG_WARN);
    evaluated = 0;
    LOG_DEBUG("debug %d", side_effect());
    LOG_INFO("info %d", side_effect());
    CHECK_INT_EQ(evaluated, 0);
    LOG_WARN("warn %d", side_effect());
    LOG_ERROR("error %d", side_effect());
    CHECK_INT_EQ(evaluated, 2);
    rt_log_set_level(RT_LOG_INFO);
    char *out = capture_end(fds);
    CHECK(!strstr(out, "debug 1"));
    CHECK(!strstr(out, "info 1"));
    CHECK_STR_CONTAINS(out, "WARN  test_log.c:");
    CHECK_STR_CONTAINS(out, "warn 1\n");
    CHECK_STR_CONTAINS(out, "error 1\n");
}

TEST_MAIN()
