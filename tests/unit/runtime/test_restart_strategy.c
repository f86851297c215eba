/* Tests of the restart strategies' timings, driven by a fake clock (plain numbers). */
#include "runtime/restart_strategy.h"

#include "tests/harness/test.h"

static graph_restart_cfg defaults(graph_restart_strategy strategy)
{
    /* The job codec's defaults. */
    return (graph_restart_cfg){.strategy = strategy,
                               .attempts = 3,
                               .delay_ms = 1000,
                               .initial_ms = 1000,
                               .max_ms = 60000,
                               .multiplier = 2.0,
                               .reset_ms = 3600000,
                               .max_failures = 1,
                               .interval_ms = 60000};
}

static rt_restart_strategy *make(const graph_restart_cfg *cfg)
{
    rt_err err, *errp = &err;
    rt_restart_strategy *s = NULL;
    CHECK_OK(rt_restart_strategy_new(cfg, &s, &err), errp);
    return s;
}

/* Expects a restart after `want` ms for a failure at now. */
#define EXPECT_RESTART(s, now, want)                                                               \
    do {                                                                                           \
        rt_err e_;                                                                                 \
        int64_t d_ = -1;                                                                           \
        int rc_ = rt_restart_strategy_on_failure((s), (now), &d_, &e_);                            \
        if (rc_ != 0)                                                                              \
            test_fail(__FILE__, __LINE__, "failure at %lld: no restart: %s", (long long)(now),     \
                      e_.msg);                                                                     \
        else                                                                                       \
            CHECK_INT_EQ(d_, (want));                                                              \
    } while (0)

/* Expects the strategy to give up at now, with a message containing `why`. */
#define EXPECT_GIVE_UP(s, now, why)                                                                \
    do {                                                                                           \
        rt_err e_ = {0};                                                                           \
        int64_t d_ = -7;                                                                           \
        CHECK_INT_EQ(rt_restart_strategy_on_failure((s), (now), &d_, &e_), RT_ECANCELED);          \
        CHECK_STR_CONTAINS(e_.msg, (why));                                                         \
        CHECK_INT_EQ(d_, -7);                                                                      \
    } while (0)

TEST(none_never_restarts)
{
    graph_restart_cfg cfg = defaults(GRAPH_RESTART_NONE);
    rt_restart_strategy *s = make(&cfg);
    CHECK_STR_EQ(rt_restart_strategy_name(s), "none");
    EXPECT_GIVE_UP(s, 0, "none");
    EXPECT_GIVE_UP(s, 100000, "none");
    CHECK_UINT_EQ(rt_restart_strategy_failures(s), 2);
    rt_restart_strategy_free(s);
}

TEST(fixed_delay_attempts_then_exhausted)
{
    graph_restart_cfg cfg = defaults(GRAPH_RESTART_FIXED_DELAY);
    cfg.delay_ms = 250;
    rt_restart_strategy *s = make(&cfg);
    CHECK_STR_EQ(rt_restart_strategy_name(s), "fixed-delay");
    EXPECT_RESTART(s, 0, 250);
    rt_restart_strategy_on_running(s, 250);
    EXPECT_RESTART(s, 10000, 250);
    /* However long the job ran, fixed-delay counts attempts over the job's whole life. */
    EXPECT_RESTART(s, 99999999, 250);
    EXPECT_GIVE_UP(s, 99999999 + 1, "fixed-delay: 3 attempts exhausted");
    rt_restart_strategy_free(s);
}

TEST(fixed_delay_zero_attempts)
{
    graph_restart_cfg cfg = defaults(GRAPH_RESTART_FIXED_DELAY);
    cfg.attempts = 0;
    rt_restart_strategy *s = make(&cfg);
    EXPECT_GIVE_UP(s, 5, "fixed-delay: 0 attempts exhausted");
    rt_restart_strategy_free(s);
}

TEST(exponential_grows_and_caps)
{
    graph_restart_cfg cfg = defaults(GRAPH_RESTART_EXPONENTIAL_DELAY);
    cfg.initial_ms = 100;
    cfg.max_ms = 1000;
    cfg.reset_ms = 60000;
    rt_restart_strategy *s = make(&cfg);
    CHECK_STR_EQ(rt_restart_strategy_name(s), "exponential-delay");
    int64_t now = 0;
    const int64_t want[] = {100, 200, 400, 800, 1000, 1000, 1000};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        EXPECT_RESTART(s, now, want[i]);
        /* Fails again 10 ms after each restart: never long enough to reset. */
        now += want[i];
        rt_restart_strategy_on_running(s, now);
        now += 10;
    }
    /* Unlimited attempts, as Flink's. */
    for (int i = 0; i < 1000; i++)
        EXPECT_RESTART(s, now += 1, 1000);
    rt_restart_strategy_free(s);
}

TEST(exponential_resets_after_quiet_time)
{
    graph_restart_cfg cfg = defaults(GRAPH_RESTART_EXPONENTIAL_DELAY);
    cfg.initial_ms = 100;
    cfg.max_ms = 10000;
    cfg.multiplier = 3.0;
    cfg.reset_ms = 5000;
    rt_restart_strategy *s = make(&cfg);
    EXPECT_RESTART(s, 0, 100);
    rt_restart_strategy_on_running(s, 100);
    EXPECT_RESTART(s, 200, 300);
    rt_restart_strategy_on_running(s, 500);
    /* Ran 4999 ms: just short of the reset. */
    EXPECT_RESTART(s, 5499, 900);
    rt_restart_strategy_on_running(s, 6399);
    /* Ran exactly `reset`: back to the initial backoff, then growing again. */
    EXPECT_RESTART(s, 11399, 100);
    rt_restart_strategy_on_running(s, 11499);
    EXPECT_RESTART(s, 11500, 300);
    rt_restart_strategy_free(s);
}

TEST(exponential_reset_without_on_running)
{
    /* Without on_running the quiet time counts from the end of the last backoff. */
    graph_restart_cfg cfg = defaults(GRAPH_RESTART_EXPONENTIAL_DELAY);
    cfg.initial_ms = 100;
    cfg.reset_ms = 1000;
    rt_restart_strategy *s = make(&cfg);
    EXPECT_RESTART(s, 0, 100);
    EXPECT_RESTART(s, 1099, 200); /* resumed at 100, ran 999 */
    EXPECT_RESTART(s, 2299, 100); /* resumed at 1299, ran 1000 */
    rt_restart_strategy_free(s);
}

TEST(exponential_initial_above_max_is_capped)
{
    graph_restart_cfg cfg = defaults(GRAPH_RESTART_EXPONENTIAL_DELAY);
    cfg.initial_ms = 5000;
    cfg.max_ms = 2000;
    rt_restart_strategy *s = make(&cfg);
    EXPECT_RESTART(s, 0, 2000);
    EXPECT_RESTART(s, 1, 2000);
    rt_restart_strategy_free(s);
}

TEST(exponential_huge_values_do_not_overflow)
{
    graph_restart_cfg cfg = defaults(GRAPH_RESTART_EXPONENTIAL_DELAY);
    cfg.initial_ms = INT64_MAX / 4;
    cfg.max_ms = INT64_MAX;
    cfg.multiplier = 1000.0;
    rt_restart_strategy *s = make(&cfg);
    EXPECT_RESTART(s, 0, INT64_MAX / 4);
    EXPECT_RESTART(s, 1, INT64_MAX);
    rt_restart_strategy_free(s);
}

TEST(failure_rate_window)
{
    graph_restart_cfg cfg = defaults(GRAPH_RESTART_FAILURE_RATE);
    cfg.max_failures = 2;
    cfg.interval_ms = 1000;
    cfg.delay_ms = 50;
    rt_restart_strategy *s = make(&cfg);
    CHECK_STR_EQ(rt_restart_strategy_name(s), "failure-rate");
    EXPECT_RESTART(s, 0, 50);
    EXPECT_RESTART(s, 500, 50);
    /* The failure at 0 left the window (999 < 1000 still holds it; 1000 does not). */
    EXPECT_RESTART(s, 1000, 50);
    /* Now 500 and 1000 are inside: a third failure within 1000 ms gives up. */
    EXPECT_GIVE_UP(s, 1499, "failure-rate: more than 2 failures within 1000 ms");
    rt_restart_strategy_free(s);
}

TEST(failure_rate_default_one_per_interval)
{
    graph_restart_cfg cfg = defaults(GRAPH_RESTART_FAILURE_RATE);
    rt_restart_strategy *s = make(&cfg);
    EXPECT_RESTART(s, 0, 1000);
    EXPECT_RESTART(s, 60000, 1000);
    EXPECT_RESTART(s, 120000, 1000);
    EXPECT_GIVE_UP(s, 179999, "more than 1 failures");
    rt_restart_strategy_free(s);
}

TEST(failure_rate_many)
{
    /* More failures than the initial capacity of the window. */
    graph_restart_cfg cfg = defaults(GRAPH_RESTART_FAILURE_RATE);
    cfg.max_failures = 100;
    cfg.interval_ms = 1000;
    cfg.delay_ms = 0;
    rt_restart_strategy *s = make(&cfg);
    for (int i = 0; i < 100; i++)
        EXPECT_RESTART(s, i, 0);
    EXPECT_GIVE_UP(s, 100, "more than 100 failures");
    rt_restart_strategy_free(s);
}

TEST(bad_config)
{
    rt_err err = {0};
    rt_restart_strategy *s = NULL;
    graph_restart_cfg cfg = defaults(GRAPH_RESTART_FIXED_DELAY);
    cfg.strategy = 42;
    CHECK_INT_EQ(rt_restart_strategy_new(&cfg, &s, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "unknown strategy 42");
    cfg = defaults(GRAPH_RESTART_FIXED_DELAY);
    cfg.delay_ms = -1;
    CHECK_INT_EQ(rt_restart_strategy_new(&cfg, &s, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "fixed-delay");
    cfg = defaults(GRAPH_RESTART_EXPONENTIAL_DELAY);
    cfg.multiplier = 0.5;
    CHECK_INT_EQ(rt_restart_strategy_new(&cfg, &s, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "multiplier");
    cfg = defaults(GRAPH_RESTART_FAILURE_RATE);
    cfg.max_failures = 0;
    CHECK_INT_EQ(rt_restart_strategy_new(&cfg, &s, &err), RT_EINVAL);
    CHECK(s == NULL);
    rt_restart_strategy_free(NULL);
}

TEST_MAIN()
