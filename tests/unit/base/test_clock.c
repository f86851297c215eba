/* Tests of runtime/base/clock. */
#include "runtime/base/clock.h"

#include "tests/harness/test.h"

TEST(mono_advances_across_sleep)
{
    int64_t ns0 = rt_clock_mono_ns(), ms0 = rt_clock_mono_ms();
    rt_sleep_ms(20);
    int64_t ns1 = rt_clock_mono_ns(), ms1 = rt_clock_mono_ms();
    CHECK(ns1 - ns0 >= 20 * 1000000LL);
    CHECK(ms1 - ms0 >= 19);
    CHECK(ms1 - ms0 < 5000);
}

TEST(wall_is_unix_epoch_ms)
{
    int64_t ms = rt_clock_wall_ms();
    CHECK(ms > 1600000000000LL); /* after 2020-09 */
    CHECK(ms < 4102444800000LL); /* before 2100 */
}

TEST(sleep_of_zero_or_negative_returns)
{
    int64_t t0 = rt_clock_mono_ms();
    rt_sleep_ms(0);
    rt_sleep_ms(-5);
    CHECK(rt_clock_mono_ms() - t0 < 50);
}

TEST_MAIN()
