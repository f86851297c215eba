/* Tests of the failpoint table: spec parsing (errors name the bad token), hit counting with @N and
 * @N+, the error and delay actions, and abort/exit in forked children. */
#include "runtime/base/failpoint.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/base/clock.h"
#include "runtime/base/log.h"
#include "tests/harness/test.h"

static void init_ok(const char *spec)
{
    rt_err err, *errp = &err;
    CHECK_OK(rt_failpoint_init(spec, &err), errp);
}

static void init_bad(const char *spec, const char *token)
{
    rt_err err = {0};
    CHECK_INT_EQ(rt_failpoint_init(spec, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, token);
    /* A bad spec arms nothing, not even its good entries. */
    CHECK(!rt_failpoints_armed);
    CHECK_INT_EQ(rt_failpoint_hit("a", NULL), 0);
}

TEST(empty_specs_arm_nothing)
{
    init_ok("");
    CHECK(!rt_failpoints_armed);
    init_ok(" , ,");
    CHECK(!rt_failpoints_armed);
    unsetenv("SLUICE_FAILPOINTS");
    init_ok(NULL);
    CHECK(!rt_failpoints_armed);
    CHECK_INT_EQ(rt_failpoint_hit("anything", NULL), 0);
    CHECK_UINT_EQ(rt_failpoint_hits("anything"), 0);
}

TEST(parse_errors_name_the_token)
{
    init_bad("a=erorr", "\"erorr\"");
    init_bad("ok=error,b", "\"b\"");
    init_bad("=error", "empty failpoint name");
    init_bad("a=error@0", "@0");
    init_bad("a=error@x", "@x");
    init_bad("a=error@3++", "@3+");
    init_bad("a=error@", "\"@\"");
    init_bad("a=delay(abc)", "delay(abc)");
    init_bad("a=delay()", "delay()");
    init_bad("a=delay(5", "\"delay(5\"");
    init_bad("a=error,a=exit", "a: armed twice");
    rt_failpoint_reset();
}

TEST(env_spec)
{
    setenv("SLUICE_FAILPOINTS", "env.point=error", 1);
    init_ok(NULL);
    unsetenv("SLUICE_FAILPOINTS");
    CHECK(rt_failpoints_armed);
    CHECK_INT_EQ(rt_failpoint_hit("env.point", NULL), RT_EIO);
    rt_failpoint_reset();
    CHECK(!rt_failpoints_armed);
    CHECK_INT_EQ(rt_failpoint_hit("env.point", NULL), 0);
}

TEST(error_every_hit)
{
    init_ok(" a.b = error , other=delay(0)");
    CHECK(rt_failpoints_armed);
    for (int i = 0; i < 3; i++) {
        rt_err err = {0};
        CHECK_INT_EQ(FAILPOINT("a.b", &err), RT_EIO);
        CHECK_STR_EQ(err.msg, "failpoint a.b");
        CHECK(rt_err_is_transient(err.code));
    }
    CHECK_UINT_EQ(rt_failpoint_hits("a.b"), 3);
    CHECK_INT_EQ(FAILPOINT("not.armed", NULL), 0);
    CHECK_UINT_EQ(rt_failpoint_hits("not.armed"), 0);
    CHECK_INT_EQ(FAILPOINT("other", NULL), 0);
    CHECK_UINT_EQ(rt_failpoint_hits("other"), 1);
    rt_failpoint_reset();
}

TEST(nth_hit_only)
{
    init_ok("p=error@3");
    int fired[6];
    for (int i = 0; i < 6; i++)
        fired[i] = rt_failpoint_hit("p", NULL) != 0;
    const int want[6] = {0, 0, 1, 0, 0, 0};
    for (int i = 0; i < 6; i++)
        CHECK_INT_EQ(fired[i], want[i]);
    CHECK_UINT_EQ(rt_failpoint_hits("p"), 6);
    rt_failpoint_reset();
}

TEST(nth_hit_and_later)
{
    init_ok("p=error@2+");
    const int want[5] = {0, 1, 1, 1, 1};
    for (int i = 0; i < 5; i++)
        CHECK_INT_EQ(rt_failpoint_hit("p", NULL) != 0, want[i]);
    rt_failpoint_reset();
    /* After a reset and a new init the counters start over. */
    init_ok("p=error@2+");
    CHECK_INT_EQ(rt_failpoint_hit("p", NULL), 0);
    CHECK_UINT_EQ(rt_failpoint_hits("p"), 1);
    rt_failpoint_reset();
}

TEST(delay_sleeps_then_continues)
{
    init_ok("slow=delay(120)@2");
    int64_t t0 = rt_clock_mono_ms();
    CHECK_INT_EQ(rt_failpoint_hit("slow", NULL), 0);
    CHECK(rt_clock_mono_ms() - t0 < 100);
    t0 = rt_clock_mono_ms();
    CHECK_INT_EQ(rt_failpoint_hit("slow", NULL), 0);
    CHECK(rt_clock_mono_ms() - t0 >= 120);
    rt_failpoint_reset();
}

static atomic_int fired;

static void *hammer(void *arg)
{
    for (int i = 0; i < 10000; i++) {
        if (rt_failpoint_hit("hot", NULL) != 0)
            atomic_fetch_add(&fired, 1);
    }
    return NULL;
}

TEST(concurrent_hits_count_exactly_and_fire_once)
{
    init_ok("hot=error@20000");
    atomic_store(&fired, 0);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, hammer, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    CHECK_UINT_EQ(rt_failpoint_hits("hot"), 40000);
    CHECK_INT_EQ(atomic_load(&fired), 1);
    rt_failpoint_reset();
}

/* Runs `name` in a forked child armed with spec; returns the child's wait status. */
static int in_child(const char *spec, const char *name)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        /* The abort's core dump and the log line would only clutter the test output. */
        signal(SIGABRT, SIG_DFL);
        rt_log_set_level(RT_LOG_ERROR);
        if (rt_failpoint_init(spec, NULL) != 0)
            _exit(3);
        rt_failpoint_hit("before", NULL);
        rt_failpoint_hit(name, NULL);
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
}

TEST(exit_and_abort_in_child)
{
    int st = in_child("x=exit", "x");
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 137);
    st = in_child("x=abort", "x");
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
    /* Armed for the 2nd hit only: the first evaluation lets the child go on. */
    st = in_child("x=exit@2", "x");
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    st = in_child("before=exit", "x");
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 137);
}

TEST_MAIN()
