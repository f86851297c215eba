/* Clocks and sleeping. */
#ifndef SLUICE_RUNTIME_BASE_CLOCK_H
#define SLUICE_RUNTIME_BASE_CLOCK_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC in nanoseconds / milliseconds: for intervals and deadlines. */
int64_t rt_clock_mono_ns(void);
int64_t rt_clock_mono_ms(void);
/* Wall clock (CLOCK_REALTIME) in milliseconds since the Unix epoch: for logs and metadata. */
int64_t rt_clock_wall_ms(void);
/* The CLOCK_MONOTONIC instant ms milliseconds from now, for pthread_cond_timedwait on a condition
 * variable made by rt_cond_init_monotonic. */
void rt_clock_deadline(struct timespec *out, int64_t ms);
/* Initialises c so that its timed waits measure CLOCK_MONOTONIC: a wall-clock step can then
 * neither stall nor hurry them. Returns pthread_cond_init's result. */
int rt_cond_init_monotonic(pthread_cond_t *c);
/* Sleeps ms milliseconds (restarting after signals). */
void rt_sleep_ms(int64_t ms);

#endif
