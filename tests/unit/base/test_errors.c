/* Tests of runtime/base/errors: the code table, rt_err_set/prefix and the bug handler. */
#include "runtime/base/errors.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/harness/test.h"

TEST(code_table_names_descs_and_policy)
{
    CHECK_STR_EQ(rt_err_code_name(RT_OK), "OK");
    CHECK_STR_EQ(rt_err_code_name(RT_EINVAL), "EINVAL");
    CHECK_STR_EQ(rt_err_code_name(RT_EINTERNAL), "EINTERNAL");
    CHECK_STR_EQ(rt_err_code_name(-999), "E?");
    CHECK_STR_EQ(rt_err_code_name(5), "E?");
    CHECK_STR_EQ(rt_err_code_desc(RT_EINVAL), "invalid input");
    CHECK_STR_EQ(rt_err_code_desc(RT_EUNAVAIL), "peer unavailable");
    CHECK(rt_err_code_desc(-999) != NULL);
    CHECK(rt_err_is_transient(RT_EIO));
    CHECK(rt_err_is_transient(RT_ETIMEDOUT));
    CHECK(rt_err_is_transient(RT_EUNAVAIL));
    CHECK(!rt_err_is_transient(RT_EINVAL));
    CHECK(!rt_err_is_transient(RT_ECORRUPT));
    CHECK(!rt_err_is_transient(RT_OK));
    CHECK(!rt_err_is_transient(-999));
}

TEST(set_formats_and_returns_code)
{
    rt_err err;
    rt_err_clear(&err);
    CHECK_INT_EQ(err.code, 0);
    CHECK_STR_EQ(err.msg, "");
    CHECK_INT_EQ(rt_err_set(&err, RT_EIO, "read '%s': %d bytes short", "f.bin", 7), RT_EIO);
    CHECK_INT_EQ(err.code, RT_EIO);
    CHECK_STR_EQ(err.msg, "read 'f.bin': 7 bytes short");
    /* set replaces, it does not append */
    rt_err_set(&err, RT_EINVAL, "second");
    CHECK_STR_EQ(err.msg, "second");
    CHECK_INT_EQ(err.code, RT_EINVAL);
}

TEST(null_err_is_accepted)
{
    rt_err_clear(NULL);
    CHECK_INT_EQ(rt_err_set(NULL, RT_ECORRUPT, "x %d", 1), RT_ECORRUPT);
    CHECK_INT_EQ(rt_err_prefix(NULL, RT_EIO, "ctx"), RT_EIO);
}

TEST(set_truncates_long_message_safely)
{
    rt_err err;
    char big[2000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    rt_err_set(&err, RT_EINVAL, "%s", big);
    CHECK_INT_EQ(strlen(err.msg), RT_ERR_MSG_SIZE - 1);
    CHECK_INT_EQ(err.code, RT_EINVAL);
}

TEST(prefix_puts_context_in_front)
{
    rt_err err;
    rt_err_clear(&err);
    rt_err_set(&err, RT_EUNAVAIL, "HTTP 503");
    CHECK_INT_EQ(rt_err_prefix(&err, RT_EUNAVAIL, "begin transaction '%s'", "lbl-42"), RT_EUNAVAIL);
    rt_err_prefix(&err, RT_EUNAVAIL, "vertex '%s'", "sink");
    CHECK_STR_EQ(err.msg, "vertex 'sink': begin transaction 'lbl-42': HTTP 503");
    /* prefix sets the code too */
    rt_err_prefix(&err, RT_EIO, "job 7");
    CHECK_INT_EQ(err.code, RT_EIO);
    CHECK_STR_EQ(err.msg, "job 7: vertex 'sink': begin transaction 'lbl-42': HTTP 503");
}

TEST(prefix_of_empty_message_uses_code_description)
{
    rt_err err;
    rt_err_clear(&err);
    rt_err_prefix(&err, RT_ETIMEDOUT, "connect %s:%d", "db", 3306);
    CHECK_STR_EQ(err.msg, "connect db:3306: timed out");
    CHECK_INT_EQ(err.code, RT_ETIMEDOUT);
}

TEST(prefix_truncates_and_keeps_context)
{
    rt_err err;
    char big[600];
    memset(big, 'c', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    rt_err_set(&err, RT_EIO, "%s", big);
    rt_err_prefix(&err, RT_EIO, "outer");
    CHECK_INT_EQ(strlen(err.msg), RT_ERR_MSG_SIZE - 1);
    CHECK(strncmp(err.msg, "outer: ccc", 10) == 0);
    /* a context longer than the record still leaves a terminated message */
    rt_err_prefix(&err, RT_EIO, "%s", big);
    CHECK_INT_EQ(strlen(err.msg), RT_ERR_MSG_SIZE - 1);
}

/* Runs fn in a child with stderr on a pipe; returns what it wrote and its wait status. */
static char *run_child(void (*fn)(void), int *status)
{
    int fds[2];
    if (pipe(fds) != 0)
        return NULL;
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        signal(SIGABRT, SIG_DFL);
        fn();
        _exit(0);
    }
    close(fds[1]);
    static char out[1024];
    size_t n = 0;
    ssize_t r;
    while (n < sizeof out - 1 && (r = read(fds[0], out + n, sizeof out - 1 - n)) > 0)
        n += (size_t)r;
    out[n] = '\0';
    close(fds[0]);
    waitpid(pid, status, 0);
    return out;
}

static void do_panic(void)
{
    rt_panic("runtime/x.c", 42, "queue length %d < 0", -3);
}

static void do_assert(void)
{
    int slots = 2;
    RT_ASSERT(slots == 3);
}

TEST(panic_prints_file_line_and_aborts)
{
    int status = 0;
    char *out = run_child(do_panic, &status);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    CHECK_STR_CONTAINS(out, "BUG at runtime/x.c:42: queue length -3 < 0\n");
}

TEST(assert_names_the_condition)
{
    int status = 0;
    char *out = run_child(do_assert, &status);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    CHECK_STR_CONTAINS(out, "test_errors.c:");
    CHECK_STR_CONTAINS(out, "assertion failed: slots == 3");
}

TEST_MAIN()
