/* The restart strategy: after a job failure, decides whether to restart it and after what delay
 * (Flink's RestartBackoffTimeStrategy). Pure: time comes in as arguments, so tests drive it with
 * a fake clock. Not thread-safe: one owner (the job master's supervisor thread). */
#ifndef SLUICE_RUNTIME_RESTART_STRATEGY_H
#define SLUICE_RUNTIME_RESTART_STRATEGY_H

#include <stdint.h>

#include "graph/job_graph.h"
#include "runtime/base/errors.h"

typedef struct rt_restart_strategy rt_restart_strategy;

/* A strategy for cfg (copied), one of:
 *   none               never restart;
 *   fixed-delay        restart `attempts` times, each after `delay_ms`, then give up;
 *   exponential-delay  restart without limit; the first delay is `initial_ms`, each next one
 *                      `multiplier` times the last, capped at `max_ms`; a job that ran `reset_ms`
 *                      without failing starts again from `initial_ms`;
 *   failure-rate       restart after `delay_ms` unless this failure is the (max_failures+1)-th
 *                      within the last `interval_ms`.
 * RT_EINVAL for an unknown strategy or a negative duration. *out: free with
 * rt_restart_strategy_free. */
int rt_restart_strategy_new(const graph_restart_cfg *cfg, rt_restart_strategy **out, rt_err *err);
/* NULL is a no-op. */
void rt_restart_strategy_free(rt_restart_strategy *s);

/* "none", "fixed-delay", "exponential-delay", "failure-rate". Never NULL. */
const char *rt_restart_strategy_name(const rt_restart_strategy *s);

/* Records a failure at now_ms (a monotonic clock). Returns 0 with *delay_ms (>= 0) when the job
 * should restart after that delay, or RT_ECANCELED when the strategy gives up, with err saying
 * why ("fixed-delay: 3 attempts exhausted"). RT_ENOMEM when out of memory. */
int rt_restart_strategy_on_failure(rt_restart_strategy *s, int64_t now_ms, int64_t *delay_ms,
                                   rt_err *err);
/* Records that the job (re)started running at now_ms: the exponential-delay reset counts from
 * here. Without this call, the reset counts from the end of the last backoff. */
void rt_restart_strategy_on_running(rt_restart_strategy *s, int64_t now_ms);

/* Failures recorded so far (restarted or not). */
uint64_t rt_restart_strategy_failures(const rt_restart_strategy *s);

#endif
