/* The logger's JSON line format and log file reopen (what sluiced's --log-format json and
 * SIGHUP use). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "runtime/base/log.h"
#include "tests/harness/test.h"

static char *path_in_tmp(const char *name)
{
    static char buf[2][512];
    static int k;
    k ^= 1;
    snprintf(buf[k], sizeof buf[k], "%s/%s", test_tmpdir(), name);
    return buf[k];
}

TEST(format_names_parse)
{
    rt_log_format f = RT_LOG_FORMAT_TEXT;
    CHECK_INT_EQ(rt_log_format_parse("JSON", &f), 0);
    CHECK_INT_EQ(f, RT_LOG_FORMAT_JSON);
    CHECK_INT_EQ(rt_log_format_parse("text", &f), 0);
    CHECK_INT_EQ(f, RT_LOG_FORMAT_TEXT);
    CHECK_INT_EQ(rt_log_format_parse("yaml", &f), RT_EINVAL);
    CHECK_STR_EQ(rt_log_format_name(RT_LOG_FORMAT_JSON), "json");
}

TEST(json_lines_parse_and_are_redacted)
{
    char *p = path_in_tmp("json.log");
    rt_err err = {0};
    CHECK_OK(rt_log_open_file(p, &err), &err);
    rt_log_set_format(RT_LOG_FORMAT_JSON);
    LOG_INFO("plain \"quoted\" line\twith tab");
    LOG_WARN("dsn mysql://app:hunter2@db:3306/x password=pw1");
    LOG_ERROR("{\"token\": \"abc\"} and a newline\nin it");
    rt_log_set_format(RT_LOG_FORMAT_TEXT);
    rt_log_close_file();

    char *text = test_read_file(p, NULL);
    CHECK(text != NULL);
    CHECK(text && !strstr(text, "hunter2") && !strstr(text, "pw1") && !strstr(text, "abc"));
    int lines = 0;
    for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        json_error_t je;
        json_t *j = json_loads(l, 0, &je);
        CHECK(j != NULL);
        if (!j) {
            fprintf(stderr, "not JSON: %s (%s)\n", l, je.text);
            continue;
        }
        CHECK(json_is_string(json_object_get(j, "ts")));
        CHECK_STR_EQ(json_string_value(json_object_get(j, "file")), "test_log_file.c");
        CHECK(json_integer_value(json_object_get(j, "line")) > 0);
        const char *msg = json_string_value(json_object_get(j, "msg"));
        const char *level = json_string_value(json_object_get(j, "level"));
        if (lines == 0) {
            CHECK_STR_EQ(level, "info");
            CHECK_STR_EQ(msg, "plain \"quoted\" line\twith tab");
        } else if (lines == 1) {
            CHECK_STR_EQ(level, "warn");
            CHECK_STR_EQ(msg, "dsn mysql://app:***@db:3306/x password=***");
        } else {
            CHECK_STR_EQ(level, "error");
            CHECK_STR_CONTAINS(msg, "\"token\": \"***\"");
            CHECK_STR_CONTAINS(msg, "newline\nin it");
        }
        json_decref(j);
        lines++;
    }
    CHECK_INT_EQ(lines, 3);
    free(text);
}

TEST(reopen_after_rename_writes_a_new_file)
{
    char *p = path_in_tmp("rot.log");
    char rotated[512];
    snprintf(rotated, sizeof rotated, "%s.1", p);
    rt_err err = {0};
    CHECK_OK(rt_log_open_file(p, &err), &err);
    LOG_INFO("before rotation");
    CHECK_INT_EQ(rename(p, rotated), 0);
    LOG_INFO("after rename, before reopen");
    CHECK_OK(rt_log_reopen(&err), &err);
    LOG_INFO("after reopen");
    rt_log_close_file();

    char *old = test_read_file(rotated, NULL);
    char *cur = test_read_file(p, NULL);
    CHECK_STR_CONTAINS(old, "before rotation");
    CHECK_STR_CONTAINS(old, "after rename, before reopen");
    CHECK(old && !strstr(old, "after reopen"));
    CHECK_STR_CONTAINS(cur, "after reopen");
    CHECK(cur && !strstr(cur, "before"));
    free(old);
    free(cur);

    /* Without a file open, reopen is a no-op. */
    CHECK_OK(rt_log_reopen(&err), &err);
    /* A path that cannot be opened is an error that names it. */
    CHECK_INT_EQ(rt_log_open_file("/nonexistent-dir/x.log", &err), RT_EIO);
    CHECK_STR_CONTAINS(err.msg, "/nonexistent-dir/x.log");
}

TEST_MAIN()
