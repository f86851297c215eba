/* The restart strategies (none, fixed-delay, exponential-delay, failure-rate): counters and
 * timestamps only, no clock of their own, so every timing rule is testable with a fake clock. */
#include "runtime/restart_strategy.h"

#include <math.h>
#include <stdlib.h>

struct rt_restart_strategy {
    graph_restart_cfg cfg;
    uint64_t failures;
    int64_t restarts; /* fixed-delay: restarts granted so far */
    /* exponential-delay */
    bool has_backoff;      /* a backoff was handed out since the last reset */
    int64_t backoff_ms;    /* the last one */
    int64_t running_since; /* -1: not known (on_running not called since the last failure) */
    int64_t resumed_at;    /* end of the last backoff: the fallback for running_since */
    /* failure-rate: times of the restarted failures still inside the window, oldest first. Never
     * more than max_failures of them, since the next one inside the window gives up. */
    int64_t *times;
    size_t count, cap;
};

int rt_restart_strategy_new(const graph_restart_cfg *cfg, rt_restart_strategy **out, rt_err *err)
{
    switch (cfg->strategy) {
    case GRAPH_RESTART_NONE:
    case GRAPH_RESTART_FIXED_DELAY:
    case GRAPH_RESTART_EXPONENTIAL_DELAY:
    case GRAPH_RESTART_FAILURE_RATE:
        break;
    default:
        return rt_err_set(err, RT_EINVAL, "restart strategy: unknown strategy %d", cfg->strategy);
    }
    /* The job codec checks these for job files; other callers (tests, the REST API later) may
     * build a config by hand, and a negative delay would busy-loop restarts. */
    if (cfg->delay_ms < 0 || cfg->initial_ms < 0 || cfg->max_ms < 0 || cfg->reset_ms < 0 ||
        cfg->interval_ms < 0 || cfg->attempts < 0)
        return rt_err_set(err, RT_EINVAL, "restart strategy %s: negative duration or attempts",
                          graph_restart_strategy_name(cfg->strategy));
    if (!(cfg->multiplier >= 1.0) || isinf(cfg->multiplier))
        return rt_err_set(err, RT_EINVAL, "restart strategy %s: multiplier %g is not >= 1",
                          graph_restart_strategy_name(cfg->strategy), cfg->multiplier);
    if (cfg->strategy == GRAPH_RESTART_FAILURE_RATE && cfg->max_failures < 1)
        return rt_err_set(err, RT_EINVAL, "restart strategy failure-rate: max_failures %lld < 1",
                          (long long)cfg->max_failures);
    rt_restart_strategy *s = calloc(1, sizeof *s);
    if (!s)
        return rt_err_set(err, RT_ENOMEM, "restart strategy: out of memory");
    s->cfg = *cfg;
    s->running_since = -1;
    *out = s;
    return 0;
}

void rt_restart_strategy_free(rt_restart_strategy *s)
{
    if (!s)
        return;
    free(s->times);
    free(s);
}

const char *rt_restart_strategy_name(const rt_restart_strategy *s)
{
    return graph_restart_strategy_name(s->cfg.strategy);
}

uint64_t rt_restart_strategy_failures(const rt_restart_strategy *s)
{
    return s->failures;
}

void rt_restart_strategy_on_running(rt_restart_strategy *s, int64_t now_ms)
{
    s->running_since = now_ms;
}

static int64_t next_backoff(rt_restart_strategy *s, int64_t now_ms)
{
    const graph_restart_cfg *c = &s->cfg;
    int64_t since = s->running_since >= 0 ? s->running_since : s->resumed_at;
    int64_t first = c->initial_ms < c->max_ms ? c->initial_ms : c->max_ms;
    if (!s->has_backoff || now_ms - since >= c->reset_ms) {
        s->backoff_ms = first;
    } else {
        /* In double: backoff * multiplier may overflow int64 long before it reaches a huge max. */
        double next = (double)s->backoff_ms * c->multiplier;
        s->backoff_ms = next >= (double)c->max_ms ? c->max_ms : (int64_t)next;
        /* An initial backoff of 0 stays 0 under any multiplier: no growth is what was asked. */
    }
    s->has_backoff = true;
    /* Saturating: a backoff near INT64_MAX ("never, really") must not wrap into the past. */
    s->resumed_at = now_ms > INT64_MAX - s->backoff_ms ? INT64_MAX : now_ms + s->backoff_ms;
    return s->backoff_ms;
}

/* Drops failures older than the window; returns 0, or RT_ECANCELED when this one exceeds it. */
static int failure_rate(rt_restart_strategy *s, int64_t now_ms, rt_err *err)
{
    const graph_restart_cfg *c = &s->cfg;
    size_t keep = 0;
    while (keep < s->count && now_ms - s->times[keep] >= c->interval_ms)
        keep++;
    s->count -= keep;
    for (size_t i = 0; i < s->count; i++)
        s->times[i] = s->times[i + keep];
    if ((int64_t)s->count >= c->max_failures)
        return rt_err_set(err, RT_ECANCELED, "failure-rate: more than %lld failures within %lld ms",
                          (long long)c->max_failures, (long long)c->interval_ms);
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 4;
        int64_t *t = realloc(s->times, cap * sizeof *t);
        if (!t)
            return rt_err_set(err, RT_ENOMEM, "failure-rate: out of memory");
        s->times = t;
        s->cap = cap;
    }
    s->times[s->count++] = now_ms;
    return 0;
}

int rt_restart_strategy_on_failure(rt_restart_strategy *s, int64_t now_ms, int64_t *delay_ms,
                                   rt_err *err)
{
    const graph_restart_cfg *c = &s->cfg;
    s->failures++;
    int rc = 0;
    int64_t delay = 0;
    switch ((graph_restart_strategy)c->strategy) {
    case GRAPH_RESTART_NONE:
        rc = rt_err_set(err, RT_ECANCELED, "none: restarts are disabled");
        break;
    case GRAPH_RESTART_FIXED_DELAY:
        if (s->restarts >= c->attempts) {
            rc = rt_err_set(err, RT_ECANCELED, "fixed-delay: %lld attempts exhausted",
                            (long long)c->attempts);
        } else {
            s->restarts++;
            delay = c->delay_ms;
        }
        break;
    case GRAPH_RESTART_EXPONENTIAL_DELAY:
        delay = next_backoff(s, now_ms);
        break;
    case GRAPH_RESTART_FAILURE_RATE:
        rc = failure_rate(s, now_ms, err);
        delay = c->delay_ms;
        break;
    }
    s->running_since = -1;
    if (rc == 0)
        *delay_ms = delay;
    return rc;
}
