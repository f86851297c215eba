/* Clocks and sleeping: thin wrappers over clock_gettime and nanosleep. */
#include "runtime/base/clock.h"

#include <errno.h>
#include <time.h>

static int64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t rt_clock_mono_ns(void)
{
    return clock_ns(CLOCK_MONOTONIC);
}

int64_t rt_clock_mono_ms(void)
{
    return clock_ns(CLOCK_MONOTONIC) / 1000000;
}

int64_t rt_clock_wall_ms(void)
{
    return clock_ns(CLOCK_REALTIME) / 1000000;
}

void rt_sleep_ms(int64_t ms)
{
    if (ms <= 0)
        return;
    struct timespec req = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};
    /* nanosleep writes the time left into rem on EINTR, so a signal shortens nothing. */
    while (nanosleep(&req, &req) != 0 && errno == EINTR)
        ;
}

void rt_clock_deadline(struct timespec *out, int64_t ms)
{
    clock_gettime(CLOCK_MONOTONIC, out);
    out->tv_sec += (time_t)(ms / 1000);
    out->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (out->tv_nsec >= 1000000000L) {
        out->tv_sec++;
        out->tv_nsec -= 1000000000L;
    }
}

int rt_cond_init_monotonic(pthread_cond_t *c)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    int rc = pthread_cond_init(c, &attr);
    pthread_condattr_destroy(&attr);
    return rc;
}
