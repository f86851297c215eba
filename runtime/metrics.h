/* A job's metrics registry: counters, gauges and info texts, each a series named by a family name
 * and the labels job, vertex, subtask and one optional extra label. Operators and the runtime
 * register a handle once (under a lock) and update it with relaxed atomics; readers take the
 * Prometheus text exposition or visit every series (for the REST API's JSON). */
#ifndef SLUICE_RUNTIME_METRICS_H
#define SLUICE_RUNTIME_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/base/buf.h"
#include "runtime/base/errors.h"

typedef struct rt_metrics rt_metrics;
typedef struct rt_metric rt_metric;

typedef enum rt_metric_kind {
    RT_METRIC_COUNTER,      /* monotonic u64 */
    RT_METRIC_GAUGE,        /* i64 */
    RT_METRIC_GAUGE_DOUBLE, /* double */
    /* A short text (a binlog position): exposed as a gauge of 1 whose label "value" holds the
     * text. Its name must end in "_info" (the Prometheus convention). */
    RT_METRIC_INFO,
} rt_metric_kind;

/* "counter", "gauge", "gauge_double", "info". */
const char *rt_metric_kind_name(rt_metric_kind k);

/* Longest info text kept, NUL included; longer texts are cut at a UTF-8 character boundary. */
#define RT_METRIC_TEXT_MAX 128

/* Which series of a family: the registry adds job="<its job>". */
typedef struct rt_metric_labels {
    const char *vertex; /* NULL: a job-level series (no vertex and no subtask label) */
    uint32_t subtask;
    /* An optional extra label (table="shop.orders"); key NULL: none. The key must be a legal
     * label name other than job, vertex, subtask and value. */
    const char *key;
    const char *value;
} rt_metric_labels;

/* A new empty registry for job `job` (copied). *out: free with rt_metrics_free. */
int rt_metrics_new(const char *job, rt_metrics **out, rt_err *err);
/* Frees the registry and every handle it gave out. NULL is a no-op. */
void rt_metrics_free(rt_metrics *m);
/* The job name of every series. Borrowed; valid until rt_metrics_free. */
const char *rt_metrics_job(const rt_metrics *m);

/* True for a legal Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*). */
bool rt_metrics_name_is_valid(const char *name);
/* True for a legal Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with "__"). */
bool rt_metrics_label_is_valid(const char *name);

/* Registers the series (name, labels) of kind `kind` and returns its handle in *out, or the
 * handle registered before for the same name and labels (a restarted job keeps its series).
 * help (copied) is taken from the family's first registration. RT_EINVAL for an illegal name or
 * label, an info name without "_info", or a name registered with another kind; RT_ENOMEM. The
 * handle is owned by the registry and valid until rt_metrics_free. Thread-safe (locks). */
int rt_metrics_register(rt_metrics *m, rt_metric_kind kind, const char *name, const char *help,
                        const rt_metric_labels *labels, rt_metric **out, rt_err *err);

/* Updates, from any thread, without a lock (except rt_metric_set_text). A NULL handle is a no-op,
 * so that a failed registration never fails its caller. */

/* Counters and gauges: adds n (gauges: as a signed delta, two's complement). */
void rt_metric_add(rt_metric *m, uint64_t n);
/* Gauges (a double gauge takes v converted). Counters only go up: ignored for them. */
void rt_metric_set(rt_metric *m, int64_t v);
/* Gauges (an integer gauge takes v rounded toward zero, saturated). Ignored for counters. */
void rt_metric_set_double(rt_metric *m, double v);
/* Info metrics: copies text (cut to RT_METRIC_TEXT_MAX - 1 bytes). Takes a short lock. */
void rt_metric_set_text(rt_metric *m, const char *text);
/* A counter's value (integer gauge: its bits as u64); 0 for NULL. Lock-free. */
uint64_t rt_metric_count(const rt_metric *m);

/* One series as a reader sees it. Strings are borrowed for the callback's duration only. */
typedef struct rt_metric_sample {
    const char *name;
    const char *help;
    rt_metric_kind kind;
    const char *job;
    const char *vertex; /* NULL for a job-level series */
    uint32_t subtask;
    const char *label_key; /* NULL: no extra label */
    const char *label_value;
    uint64_t count;                /* RT_METRIC_COUNTER */
    int64_t gauge;                 /* RT_METRIC_GAUGE */
    double value;                  /* every kind as a double (an info metric: 1) */
    char text[RT_METRIC_TEXT_MAX]; /* RT_METRIC_INFO; "" until set */
} rt_metric_sample;

/* Called per series; a non-zero return stops the visit and is returned by rt_metrics_visit. */
typedef int (*rt_metrics_visit_fn)(const rt_metric_sample *s, void *arg);

/* Calls fn for every series: families by name, within one by vertex, subtask, extra label.
 * Holds the registry's lock meanwhile: fn must not register on m. Returns 0 or fn's stop code.
 * Thread-safe. */
int rt_metrics_visit(rt_metrics *m, rt_metrics_visit_fn fn, void *arg);
/* Appends the Prometheus text exposition (format 0.0.4) of every series to out: HELP and TYPE
 * once per family, label values and help escaped, no timestamps. Thread-safe. */
void rt_metrics_format_prometheus(rt_metrics *m, rt_buf *out);
/* Writes the exposition to path through a temporary file in the same directory and a rename, so
 * a reader never sees half a file. RT_EIO naming the path. Thread-safe. */
int rt_metrics_write_file(rt_metrics *m, const char *path, rt_err *err);

#endif
