/* Failpoints: named places in the code where a test can inject an error, a crash or a delay.
 * Configured once at start-up from SLUICE_FAILPOINTS (the failpoint table is one of the two pieces
 * of global mutable state allowed):
 *
 *   SLUICE_FAILPOINTS="ckpt.after_snapshot=exit@3,sink.before_commit=error,state.write=delay(200)"
 *
 * Actions: error (the failpoint returns RT_EIO, a transient failure), abort (abort()), exit
 * (_exit(137), as if killed), delay(MS) (sleep, then continue). "@N" fires on the N-th hit only
 * (1-based), "@N+" on the N-th and every later hit; without it, every hit fires. Built only when
 * the CMake option SLUICE_FAILPOINTS is ON (the default); otherwise FAILPOINT is 0. */
#ifndef SLUICE_RUNTIME_BASE_FAILPOINT_H
#define SLUICE_RUNTIME_BASE_FAILPOINT_H

#include <stdbool.h>

#include "runtime/base/errors.h"

/* Parses spec (NULL: getenv("SLUICE_FAILPOINTS")) and arms the failpoints. Call once at
 * start-up, before threads start. RT_EINVAL with a message for a malformed spec. */
int rt_failpoint_init(const char *spec, rt_err *err);
/* Disarms every failpoint (tests). */
void rt_failpoint_reset(void);
/* Evaluates the failpoint `name`: 0 when it is not armed or its action lets the code continue,
 * RT_EIO with err set ("failpoint ckpt.after_snapshot") for the error action; never returns for
 * abort and exit. Thread-safe. */
int rt_failpoint_hit(const char *name, rt_err *err);
/* How many times name was evaluated while armed (tests). */
unsigned rt_failpoint_hits(const char *name);

extern bool rt_failpoints_armed;

#ifdef SLUICE_FAILPOINTS
#define FAILPOINT(name, err) (rt_failpoints_armed ? rt_failpoint_hit((name), (err)) : 0)
#else
#define FAILPOINT(name, err) 0
#endif

#endif
