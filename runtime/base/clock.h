/* Clocks and sleeping. */
#ifndef SLUICE_RUNTIME_BASE_CLOCK_H
#define SLUICE_RUNTIME_BASE_CLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC in nanoseconds / milliseconds: for intervals and deadlines. */
int64_t rt_clock_mono_ns(void);
int64_t rt_clock_mono_ms(void);
/* Wall clock (CLOCK_REALTIME) in milliseconds since the Unix epoch: for logs and metadata. */
int64_t rt_clock_wall_ms(void);
/* Sleeps ms milliseconds (restarting after signals). */
void rt_sleep_ms(int64_t ms);

#endif
