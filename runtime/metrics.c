/* The metrics registry: families sorted by name, each with its series sorted by labels, so that
 * lookups at registration are binary searches and the exposition comes out in a stable order
 * whatever order the tasks opened in. Values are relaxed atomics in the handles; only the
 * structure (and info texts) take locks. */
#include "runtime/metrics.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct rt_metric {
    const struct family *family;
    char *vertex; /* NULL: job-level */
    uint32_t subtask;
    char *key; /* NULL: no extra label */
    char *value;
    /* Counter: the count. Integer gauge: the value's two's complement bits. Double gauge: the
     * double's bits (memcpy), since C11 has no portable atomic double arithmetic. */
    atomic_uint_fast64_t bits;
    char text[]; /* RT_METRIC_TEXT_MAX bytes for info metrics (under text_mu), else none */
};

typedef struct family {
    rt_metrics *owner; /* for its text_mu */
    char *name;
    char *help;
    rt_metric_kind kind;
    rt_metric **series; /* sorted by series_cmp */
    size_t count, cap;
} family;

struct rt_metrics {
    char *job;
    pthread_mutex_t mu; /* guards the families and their series arrays */
    family **families;  /* sorted by name */
    size_t count, cap;
    /* Info texts only: a lock of their own, so that an operator setting its binlog position
     * never waits for a registration; taken inside mu by readers. */
    pthread_mutex_t text_mu;
};

const char *rt_metric_kind_name(rt_metric_kind k)
{
    switch (k) {
    case RT_METRIC_COUNTER:
        return "counter";
    case RT_METRIC_GAUGE:
        return "gauge";
    case RT_METRIC_GAUGE_DOUBLE:
        return "gauge_double";
    case RT_METRIC_INFO:
        return "info";
    }
    return "?";
}

/* The TYPE line's word: the text format 0.0.4 knows no info type (OpenMetrics does). */
static const char *prom_type(rt_metric_kind k)
{
    return k == RT_METRIC_COUNTER ? "counter" : "gauge";
}

int rt_metrics_new(const char *job, rt_metrics **out, rt_err *err)
{
    rt_metrics *m = calloc(1, sizeof *m);
    char *name = strdup(job ? job : "");
    if (!m || !name) {
        free(m);
        free(name);
        return rt_err_set(err, RT_ENOMEM, "metrics: out of memory");
    }
    m->job = name;
    pthread_mutex_init(&m->mu, NULL);
    pthread_mutex_init(&m->text_mu, NULL);
    *out = m;
    return 0;
}

static void metric_free(rt_metric *x)
{
    free(x->vertex);
    free(x->key);
    free(x->value);
    free(x);
}

void rt_metrics_free(rt_metrics *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->count; i++) {
        family *f = m->families[i];
        for (size_t k = 0; k < f->count; k++)
            metric_free(f->series[k]);
        free(f->series);
        free(f->name);
        free(f->help);
        free(f);
    }
    free(m->families);
    free(m->job);
    pthread_mutex_destroy(&m->mu);
    pthread_mutex_destroy(&m->text_mu);
    free(m);
}

const char *rt_metrics_job(const rt_metrics *m)
{
    return m->job;
}

bool rt_metrics_name_is_valid(const char *name)
{
    if (!name || !*name)
        return false;
    for (const char *p = name; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
                  (p != name && c >= '0' && c <= '9');
        if (!ok)
            return false;
    }
    return true;
}

bool rt_metrics_label_is_valid(const char *name)
{
    if (!rt_metrics_name_is_valid(name) || strchr(name, ':'))
        return false;
    return strncmp(name, "__", 2) != 0; /* reserved for Prometheus itself */
}

/* NULL sorts first: the job-level series before the vertices', no extra label before one. */
static int cmp_opt(const char *a, const char *b)
{
    if (!a || !b)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

static int series_cmp(const rt_metric *x, const rt_metric_labels *l)
{
    int c = cmp_opt(x->vertex, l->vertex);
    if (c == 0 && l->vertex && x->subtask != l->subtask)
        c = x->subtask < l->subtask ? -1 : 1;
    if (c == 0)
        c = cmp_opt(x->key, l->key);
    if (c == 0 && l->key)
        c = cmp_opt(x->value, l->value);
    return c;
}

/* Index of the first element not less than the probe; *found when equal. */
static size_t find_family(const rt_metrics *m, const char *name, bool *found)
{
    size_t lo = 0, hi = m->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(m->families[mid]->name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < m->count && strcmp(m->families[lo]->name, name) == 0;
    return lo;
}

static size_t find_series(const family *f, const rt_metric_labels *l, bool *found)
{
    size_t lo = 0, hi = f->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (series_cmp(f->series[mid], l) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < f->count && series_cmp(f->series[lo], l) == 0;
    return lo;
}

/* Makes room for one more pointer in *items (count, *cap); false on OOM. */
static bool grow(void ***items, size_t count, size_t *cap)
{
    if (count < *cap)
        return true;
    size_t n = *cap ? *cap * 2 : 8;
    void **p = realloc(*items, n * sizeof *p);
    if (!p)
        return false;
    *items = p;
    *cap = n;
    return true;
}

static void insert_at(void **items, size_t *count, size_t at, void *item)
{
    memmove(&items[at + 1], &items[at], (*count - at) * sizeof *items);
    items[at] = item;
    (*count)++;
}

static int check_labels(const char *name, const rt_metric_labels *l, rt_err *err)
{
    if (l->vertex && !*l->vertex)
        return rt_err_set(err, RT_EINVAL, "metric '%s': empty vertex label", name);
    if (!l->key)
        return 0;
    if (!rt_metrics_label_is_valid(l->key))
        return rt_err_set(err, RT_EINVAL, "metric '%s': illegal label name '%s'", name, l->key);
    static const char *const reserved[] = {"job", "vertex", "subtask", "value"};
    for (size_t i = 0; i < sizeof reserved / sizeof *reserved; i++) {
        if (strcmp(l->key, reserved[i]) == 0)
            return rt_err_set(err, RT_EINVAL, "metric '%s': label '%s' is reserved", name, l->key);
    }
    return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static rt_metric *metric_new(const family *f, const rt_metric_labels *l)
{
    size_t text = f->kind == RT_METRIC_INFO ? RT_METRIC_TEXT_MAX : 0;
    rt_metric *x = calloc(1, sizeof *x + text);
    if (!x)
        return NULL;
    x->family = f;
    x->subtask = l->vertex ? l->subtask : 0;
    atomic_init(&x->bits, 0);
    bool oom = false;
    if (l->vertex)
        oom |= !(x->vertex = strdup(l->vertex));
    if (l->key) {
        oom |= !(x->key = strdup(l->key));
        oom |= !(x->value = strdup(l->value ? l->value : ""));
    }
    if (oom) {
        metric_free(x);
        return NULL;
    }
    return x;
}

/* The family called name, created if new. Under mu. */
static int family_get(rt_metrics *m, rt_metric_kind kind, const char *name, const char *help,
                      family **out, rt_err *err)
{
    bool found;
    size_t at = find_family(m, name, &found);
    if (found) {
        family *f = m->families[at];
        if (f->kind != kind)
            return rt_err_set(err, RT_EINVAL, "metric '%s': registered as %s, not %s", name,
                              rt_metric_kind_name(f->kind), rt_metric_kind_name(kind));
        *out = f;
        return 0;
    }
    family *f = calloc(1, sizeof *f);
    if (f) {
        f->owner = m;
        f->kind = kind;
        f->name = strdup(name);
        f->help = strdup(help ? help : "");
    }
    if (!f || !f->name || !f->help || !grow((void ***)&m->families, m->count, &m->cap)) {
        if (f) {
            free(f->name);
            free(f->help);
        }
        free(f);
        return rt_err_set(err, RT_ENOMEM, "metric '%s': out of memory", name);
    }
    insert_at((void **)m->families, &m->count, at, f);
    *out = f;
    return 0;
}

int rt_metrics_register(rt_metrics *m, rt_metric_kind kind, const char *name, const char *help,
                        const rt_metric_labels *labels, rt_metric **out, rt_err *err)
{
    static const rt_metric_labels none = {0};
    const rt_metric_labels *l = labels ? labels : &none;
    if (!rt_metrics_name_is_valid(name))
        return rt_err_set(err, RT_EINVAL, "metric name '%s' is not a legal Prometheus name",
                          name ? name : "(null)");
    if (kind == RT_METRIC_INFO && !ends_with(name, "_info"))
        return rt_err_set(err, RT_EINVAL, "info metric '%s': the name must end in _info", name);
    int rc = check_labels(name, l, err);
    if (rc != 0)
        return rc;

    pthread_mutex_lock(&m->mu);
    family *f = NULL;
    rc = family_get(m, kind, name, help, &f, err);
    rt_metric *x = NULL;
    if (rc == 0) {
        bool found;
        size_t at = find_series(f, l, &found);
        if (found) {
            x = f->series[at];
        } else if ((x = metric_new(f, l)) != NULL &&
                   grow((void ***)&f->series, f->count, &f->cap)) {
            insert_at((void **)f->series, &f->count, at, x);
        } else {
            if (x)
                metric_free(x);
            x = NULL;
            rc = rt_err_set(err, RT_ENOMEM, "metric '%s': out of memory", name);
        }
        /* An empty family left by a failed first series is harmless: it prints nothing. */
    }
    pthread_mutex_unlock(&m->mu);
    if (rc == 0)
        *out = x;
    return rc;
}

/* --- Updates --- */

static double bits_to_double(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

static uint64_t double_to_bits(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

void rt_metric_add(rt_metric *m, uint64_t n)
{
    if (!m)
        return;
    switch (m->family->kind) {
    case RT_METRIC_COUNTER:
    case RT_METRIC_GAUGE:
        atomic_fetch_add_explicit(&m->bits, n, memory_order_relaxed);
        break;
    case RT_METRIC_GAUGE_DOUBLE: {
        uint64_t old = atomic_load_explicit(&m->bits, memory_order_relaxed);
        double delta = (double)(int64_t)n;
        while (!atomic_compare_exchange_weak_explicit(&m->bits, &old,
                                                      double_to_bits(bits_to_double(old) + delta),
                                                      memory_order_relaxed, memory_order_relaxed))
            ;
        break;
    }
    case RT_METRIC_INFO:
        break;
    }
}

void rt_metric_set(rt_metric *m, int64_t v)
{
    if (!m)
        return;
    if (m->family->kind == RT_METRIC_GAUGE)
        atomic_store_explicit(&m->bits, (uint64_t)v, memory_order_relaxed);
    else if (m->family->kind == RT_METRIC_GAUGE_DOUBLE)
        atomic_store_explicit(&m->bits, double_to_bits((double)v), memory_order_relaxed);
}

void rt_metric_set_double(rt_metric *m, double v)
{
    if (!m)
        return;
    if (m->family->kind == RT_METRIC_GAUGE_DOUBLE) {
        atomic_store_explicit(&m->bits, double_to_bits(v), memory_order_relaxed);
    } else if (m->family->kind == RT_METRIC_GAUGE) {
        /* Out of range (and NaN) is undefined behaviour for a cast: saturate first. */
        int64_t i = isnan(v)                      ? 0
                    : v >= 9.2233720368547758e18  ? INT64_MAX
                    : v <= -9.2233720368547758e18 ? INT64_MIN
                                                  : (int64_t)v;
        atomic_store_explicit(&m->bits, (uint64_t)i, memory_order_relaxed);
    }
}

void rt_metric_set_text(rt_metric *m, const char *text)
{
    if (!m || m->family->kind != RT_METRIC_INFO)
        return;
    size_t n = text ? strlen(text) : 0;
    if (n > RT_METRIC_TEXT_MAX - 1) {
        n = RT_METRIC_TEXT_MAX - 1;
        /* Never cut inside a UTF-8 sequence: back up over continuation bytes. */
        while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
            n--;
    }
    pthread_mutex_t *mu = &m->family->owner->text_mu;
    pthread_mutex_lock(mu);
    if (n)
        memcpy(m->text, text, n);
    m->text[n] = '\0';
    pthread_mutex_unlock(mu);
}

uint64_t rt_metric_count(const rt_metric *m)
{
    return m ? atomic_load_explicit(&m->bits, memory_order_relaxed) : 0;
}

/* --- Readers --- */

static void sample(rt_metrics *m, const family *f, const rt_metric *x, rt_metric_sample *s)
{
    uint64_t b = atomic_load_explicit(&x->bits, memory_order_relaxed);
    *s = (rt_metric_sample){
        .name = f->name,
        .help = f->help,
        .kind = f->kind,
        .job = m->job,
        .vertex = x->vertex,
        .subtask = x->subtask,
        .label_key = x->key,
        .label_value = x->value,
    };
    switch (f->kind) {
    case RT_METRIC_COUNTER:
        s->count = b;
        s->value = (double)b;
        break;
    case RT_METRIC_GAUGE:
        s->gauge = (int64_t)b;
        s->value = (double)s->gauge;
        break;
    case RT_METRIC_GAUGE_DOUBLE:
        s->value = bits_to_double(b);
        break;
    case RT_METRIC_INFO:
        s->value = 1;
        pthread_mutex_lock(&m->text_mu);
        memcpy(s->text, x->text, RT_METRIC_TEXT_MAX);
        pthread_mutex_unlock(&m->text_mu);
        break;
    }
}

int rt_metrics_visit(rt_metrics *m, rt_metrics_visit_fn fn, void *arg)
{
    int rc = 0;
    rt_metric_sample s;
    pthread_mutex_lock(&m->mu);
    for (size_t i = 0; i < m->count && rc == 0; i++) {
        const family *f = m->families[i];
        for (size_t k = 0; k < f->count && rc == 0; k++) {
            sample(m, f, f->series[k], &s);
            rc = fn(&s, arg);
        }
    }
    pthread_mutex_unlock(&m->mu);
    return rc;
}

/* Label values escape backslash, double quote and line feed; HELP text only backslash and line
 * feed (text format 0.0.4). */
static void append_escaped(rt_buf *b, const char *s, bool quote)
{
    for (; *s; s++) {
        if (*s == '\\')
            rt_buf_append_str(b, "\\\\");
        else if (*s == '\n')
            rt_buf_append_str(b, "\\n");
        else if (*s == '"' && quote)
            rt_buf_append_str(b, "\\\"");
        else
            rt_buf_append_char(b, *s);
    }
}

static void append_label(rt_buf *b, const char *key, const char *value)
{
    rt_buf_append_char(b, ',');
    rt_buf_append_str(b, key);
    rt_buf_append_str(b, "=\"");
    append_escaped(b, value, true);
    rt_buf_append_char(b, '"');
}

/* Go's strconv 'g' -1 style, as Prometheus clients print: the shortest of %.15g..%.17g that
 * reads back as the same double, and NaN / +Inf / -Inf spelled as the format wants. */
static void append_double(rt_buf *b, double v)
{
    if (isnan(v)) {
        rt_buf_append_str(b, "NaN");
        return;
    }
    if (isinf(v)) {
        rt_buf_append_str(b, v > 0 ? "+Inf" : "-Inf");
        return;
    }
    char tmp[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    rt_buf_append_str(b, tmp);
}

static int format_series(const rt_metric_sample *s, void *arg)
{
    rt_buf *b = arg;
    rt_buf_append_str(b, s->name);
    rt_buf_append_str(b, "{job=\"");
    append_escaped(b, s->job, true);
    rt_buf_append_char(b, '"');
    if (s->vertex) {
        append_label(b, "vertex", s->vertex);
        rt_buf_appendf(b, ",subtask=\"%u\"", s->subtask);
    }
    if (s->label_key)
        append_label(b, s->label_key, s->label_value);
    if (s->kind == RT_METRIC_INFO)
        append_label(b, "value", s->text);
    rt_buf_append_str(b, "} ");
    switch (s->kind) {
    case RT_METRIC_COUNTER:
        rt_buf_append_u64(b, s->count);
        break;
    case RT_METRIC_GAUGE:
        rt_buf_append_i64(b, s->gauge);
        break;
    case RT_METRIC_GAUGE_DOUBLE:
        append_double(b, s->value);
        break;
    case RT_METRIC_INFO:
        rt_buf_append_char(b, '1');
        break;
    }
    rt_buf_append_char(b, '\n');
    return 0;
}

void rt_metrics_format_prometheus(rt_metrics *m, rt_buf *out)
{
    rt_metric_sample s;
    pthread_mutex_lock(&m->mu);
    for (size_t i = 0; i < m->count; i++) {
        const family *f = m->families[i];
        if (f->count == 0)
            continue;
        rt_buf_appendf(out, "# HELP %s ", f->name);
        append_escaped(out, f->help, false);
        rt_buf_appendf(out, "\n# TYPE %s %s\n", f->name, prom_type(f->kind));
        for (size_t k = 0; k < f->count; k++) {
            sample(m, f, f->series[k], &s);
            format_series(&s, out);
        }
    }
    pthread_mutex_unlock(&m->mu);
}

int rt_metrics_write_file(rt_metrics *m, const char *path, rt_err *err)
{
    rt_buf b;
    rt_buf_init(&b);
    rt_metrics_format_prometheus(m, &b);
    /* Only an atomic replace, no fsync: the file is a view of live values, rewritten every few
     * seconds, and worthless after a crash. */
    char tmp[4096];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    int rc = 0;
    if (n < 0 || (size_t)n >= sizeof tmp) {
        rc = rt_err_set(err, RT_EINVAL, "metrics file %s: path too long", path);
    } else {
        FILE *f = fopen(tmp, "w");
        bool ok = f && (b.len == 0 || fwrite(b.data, 1, b.len, f) == b.len);
        if (f && fclose(f) != 0)
            ok = false;
        if (!ok || rename(tmp, path) != 0) {
            rc = rt_err_set(err, RT_EIO, "metrics file %s: %s", path, strerror(errno));
            unlink(tmp);
        }
    }
    rt_buf_fini(&b);
    return rc;
}
