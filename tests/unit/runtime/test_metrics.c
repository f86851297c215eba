/* Tests of the metrics registry: name and label checks, one series per name and labels however
 * often it is registered, the updates of each kind (and their no-op on NULL), the exact
 * Prometheus exposition with its escaping, visiting, the metrics file, and exact sums under
 * concurrent updates. */
#include "runtime/metrics.h"

#include <dirent.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "tests/harness/test.h"

static rt_metrics *new_registry(const char *job)
{
    rt_metrics *m = NULL;
    rt_err err;
    if (rt_metrics_new(job, &m, &err) != 0)
        test_fail(__FILE__, __LINE__, "rt_metrics_new: %s", err.msg);
    return m;
}

/* Registers or fails the test; returns the handle (NULL on failure). */
static rt_metric *reg(rt_metrics *m, rt_metric_kind kind, const char *name, const char *help,
                      const char *vertex, uint32_t subtask, const char *key, const char *value)
{
    rt_metric_labels l = {.vertex = vertex, .subtask = subtask, .key = key, .value = value};
    rt_metric *x = NULL;
    rt_err err;
    if (rt_metrics_register(m, kind, name, help, &l, &x, &err) != 0)
        test_fail(__FILE__, __LINE__, "register %s: %s", name, err.msg);
    return x;
}

static char *exposition(rt_metrics *m)
{
    rt_buf b;
    rt_buf_init(&b);
    rt_metrics_format_prometheus(m, &b);
    return rt_buf_take(&b);
}

TEST(names_are_checked)
{
    CHECK(rt_metrics_name_is_valid("sluice_records_in_total"));
    CHECK(rt_metrics_name_is_valid("a:b_c9"));
    CHECK(rt_metrics_name_is_valid("_x"));
    CHECK(!rt_metrics_name_is_valid(""));
    CHECK(!rt_metrics_name_is_valid(NULL));
    CHECK(!rt_metrics_name_is_valid("9lives"));
    CHECK(!rt_metrics_name_is_valid("rows-read"));
    CHECK(!rt_metrics_name_is_valid("rows read"));
    CHECK(!rt_metrics_name_is_valid("r\xc3\xa9sum\xc3\xa9"));
    CHECK(rt_metrics_label_is_valid("table"));
    CHECK(!rt_metrics_label_is_valid("__name__"));
    CHECK(!rt_metrics_label_is_valid("a:b"));
    CHECK(!rt_metrics_label_is_valid("1table"));
    CHECK_STR_EQ(rt_metric_kind_name(RT_METRIC_COUNTER), "counter");
    CHECK_STR_EQ(rt_metric_kind_name(RT_METRIC_GAUGE_DOUBLE), "gauge_double");
    CHECK_STR_EQ(rt_metric_kind_name(RT_METRIC_INFO), "info");
}

TEST(bad_registrations_are_rejected)
{
    rt_metrics *m = new_registry("j");
    if (!m)
        return;
    rt_metric *sentinel = (rt_metric *)&sentinel, *x = sentinel;
    rt_err err;
    rt_metric_labels l = {.vertex = "src", .subtask = 0};
    CHECK_INT_EQ(rt_metrics_register(m, RT_METRIC_COUNTER, "bad-name", "h", &l, &x, &err),
                 RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "bad-name");
    CHECK_INT_EQ(rt_metrics_register(m, RT_METRIC_INFO, "binlog_position", "h", &l, &x, &err),
                 RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "_info");
    l.key = "vertex";
    l.value = "x";
    CHECK_INT_EQ(rt_metrics_register(m, RT_METRIC_COUNTER, "c_total", "h", &l, &x, &err),
                 RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "reserved");
    l.key = "value";
    CHECK_INT_EQ(rt_metrics_register(m, RT_METRIC_COUNTER, "c_total", "h", &l, &x, &err),
                 RT_EINVAL);
    l.key = "__x";
    CHECK_INT_EQ(rt_metrics_register(m, RT_METRIC_COUNTER, "c_total", "h", &l, &x, &err),
                 RT_EINVAL);
    l.key = NULL;
    l.vertex = "";
    CHECK_INT_EQ(rt_metrics_register(m, RT_METRIC_COUNTER, "c_total", "h", &l, &x, &err),
                 RT_EINVAL);
    /* One family, one kind: a gauge under a counter's name is refused, whatever its labels. */
    CHECK(reg(m, RT_METRIC_COUNTER, "c_total", "h", "src", 0, NULL, NULL) != NULL);
    l.vertex = "other";
    CHECK_INT_EQ(rt_metrics_register(m, RT_METRIC_GAUGE, "c_total", "h", &l, &x, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "registered as counter, not gauge");
    CHECK(x == sentinel); /* out-parameters are written on success only */
    /* Failed registrations leave no series behind. */
    char *text = exposition(m);
    CHECK_STR_EQ(text, "# HELP c_total h\n# TYPE c_total counter\n"
                       "c_total{job=\"j\",vertex=\"src\",subtask=\"0\"} 0\n");
    free(text);
    rt_metrics_free(m);
}

TEST(reregistering_returns_the_same_series)
{
    rt_metrics *m = new_registry("j");
    if (!m)
        return;
    rt_metric *a = reg(m, RT_METRIC_COUNTER, "rows_total", "Rows.", "src", 1, "table", "shop.a");
    rt_metric_add(a, 5);
    /* A restarted job registers again: the same handle, the count goes on; the first help
     * stays. */
    rt_metric *again =
        reg(m, RT_METRIC_COUNTER, "rows_total", "Other help.", "src", 1, "table", "shop.a");
    CHECK(a == again);
    rt_metric_add(again, 2);
    CHECK_UINT_EQ(rt_metric_count(a), 7);
    /* Any label that differs is another series. */
    CHECK(reg(m, RT_METRIC_COUNTER, "rows_total", "h", "src", 2, "table", "shop.a") != a);
    CHECK(reg(m, RT_METRIC_COUNTER, "rows_total", "h", "src", 1, "table", "shop.b") != a);
    CHECK(reg(m, RT_METRIC_COUNTER, "rows_total", "h", "src", 1, NULL, NULL) != a);
    CHECK(reg(m, RT_METRIC_COUNTER, "rows_total", "h", "map", 1, "table", "shop.a") != a);
    CHECK(reg(m, RT_METRIC_COUNTER, "rows_total", "h", NULL, 0, NULL, NULL) != a);
    /* Job-level series ignore the subtask (there is no such label). */
    CHECK(reg(m, RT_METRIC_COUNTER, "rows_total", "h", NULL, 0, NULL, NULL) ==
          reg(m, RT_METRIC_COUNTER, "rows_total", "h", NULL, 5, NULL, NULL));
    char *text = exposition(m);
    CHECK_STR_CONTAINS(text, "# HELP rows_total Rows.\n");
    size_t lines = 0;
    for (const char *p = text; (p = strchr(p, '\n')) != NULL; p++)
        lines++;
    CHECK_UINT_EQ(lines, 2 + 6); /* HELP, TYPE and six series */
    free(text);
    rt_metrics_free(m);
}

TEST(updates_of_each_kind)
{
    rt_metrics *m = new_registry("j");
    if (!m)
        return;
    rt_metric *c = reg(m, RT_METRIC_COUNTER, "c_total", "h", NULL, 0, NULL, NULL);
    rt_metric *g = reg(m, RT_METRIC_GAUGE, "g", "h", NULL, 0, NULL, NULL);
    rt_metric *d = reg(m, RT_METRIC_GAUGE_DOUBLE, "d", "h", NULL, 0, NULL, NULL);
    rt_metric *i = reg(m, RT_METRIC_INFO, "i_info", "h", NULL, 0, NULL, NULL);
    rt_metric_add(c, 40);
    rt_metric_add(c, 2);
    rt_metric_set(c, 0); /* counters only go up */
    rt_metric_set_double(c, 0);
    CHECK_UINT_EQ(rt_metric_count(c), 42);

    rt_metric_set(g, 10);
    rt_metric_add(g, (uint64_t)-15); /* a signed delta */
    CHECK_INT_EQ((int64_t)rt_metric_count(g), -5);
    rt_metric_set_double(g, 2.9);
    CHECK_INT_EQ((int64_t)rt_metric_count(g), 2);
    rt_metric_set_double(g, 1e300);
    CHECK_INT_EQ((int64_t)rt_metric_count(g), INT64_MAX);
    rt_metric_set_double(g, NAN);
    CHECK_INT_EQ((int64_t)rt_metric_count(g), 0);
    rt_metric_set(g, -7);

    rt_metric_set_double(d, 0.25);
    rt_metric_add(d, 2);
    rt_metric_add(d, (uint64_t)-1);
    rt_metric_set_text(d, "ignored");

    rt_metric_set_text(i, "first");
    rt_metric_set_text(i, "mysql-bin.000003:1234");
    rt_metric_add(i, 5); /* no value but the text */

    char *text = exposition(m);
    CHECK_STR_EQ(text, "# HELP c_total h\n# TYPE c_total counter\nc_total{job=\"j\"} 42\n"
                       "# HELP d h\n# TYPE d gauge\nd{job=\"j\"} 1.25\n"
                       "# HELP g h\n# TYPE g gauge\ng{job=\"j\"} -7\n"
                       "# HELP i_info h\n# TYPE i_info gauge\n"
                       "i_info{job=\"j\",value=\"mysql-bin.000003:1234\"} 1\n");
    free(text);

    /* A failed registration's NULL handle takes every update without effect. */
    rt_metric_add(NULL, 1);
    rt_metric_set(NULL, 1);
    rt_metric_set_double(NULL, 1);
    rt_metric_set_text(NULL, "x");
    CHECK_UINT_EQ(rt_metric_count(NULL), 0);
    rt_metrics_free(m);
    rt_metrics_free(NULL);
}

TEST(info_text_is_cut_at_a_character_boundary)
{
    rt_metrics *m = new_registry("j");
    if (!m)
        return;
    rt_metric *i = reg(m, RT_METRIC_INFO, "pos_info", "h", NULL, 0, NULL, NULL);
    /* 126 ASCII bytes then "é" (2 bytes) would end at byte 128: one too many for 127. */
    char text[200];
    memset(text, 'a', 126);
    strcpy(text + 126, "\xc3\xa9zzz");
    rt_metric_set_text(i, text);
    char *out = exposition(m);
    char want[300];
    snprintf(want, sizeof want, "value=\"%.*s\"} 1\n", 126, text);
    CHECK_STR_CONTAINS(out, want);
    CHECK(strstr(out, "\xc3") == NULL);
    free(out);
    rt_metric_set_text(i, NULL);
    out = exposition(m);
    CHECK_STR_CONTAINS(out, "pos_info{job=\"j\",value=\"\"} 1\n");
    free(out);
    rt_metrics_free(m);
}

TEST(exposition_is_exact_and_escaped)
{
    rt_metrics *m = new_registry("j\"1");
    if (!m)
        return;
    /* Registered out of order: the text sorts families by name, series by vertex, subtask
     * (as a number) and extra label. */
    rt_metric *late = reg(m, RT_METRIC_COUNTER, "sluice_test_total", "A \\ test\nline \"quoted\"",
                          "src", 10, NULL, NULL);
    rt_metric *tbl =
        reg(m, RT_METRIC_COUNTER, "sluice_test_total", "h", "src", 2, "table", "shop.\"o\"\\x\ny");
    rt_metric *plain = reg(m, RT_METRIC_COUNTER, "sluice_test_total", "h", "src", 2, NULL, NULL);
    rt_metric *pos = reg(m, RT_METRIC_INFO, "c_pos_info", "Position.", "src", 0, NULL, NULL);
    rt_metric *ratio = reg(m, RT_METRIC_GAUGE_DOUBLE, "b_ratio", "Ratio.", "v", 0, NULL, NULL);
    rt_metric *lag = reg(m, RT_METRIC_GAUGE, "a_lag_ms", "Lag.", NULL, 0, NULL, NULL);
    rt_metric_add(late, 3);
    rt_metric_add(tbl, 7);
    rt_metric_add(plain, 1);
    rt_metric_set_text(pos, "mysql-bin.000003:1234");
    rt_metric_set_double(ratio, 0.1);
    rt_metric_set(lag, -5);
    char *text = exposition(m);
    CHECK_STR_EQ(text, "# HELP a_lag_ms Lag.\n"
                       "# TYPE a_lag_ms gauge\n"
                       "a_lag_ms{job=\"j\\\"1\"} -5\n"
                       "# HELP b_ratio Ratio.\n"
                       "# TYPE b_ratio gauge\n"
                       "b_ratio{job=\"j\\\"1\",vertex=\"v\",subtask=\"0\"} 0.1\n"
                       "# HELP c_pos_info Position.\n"
                       "# TYPE c_pos_info gauge\n"
                       "c_pos_info{job=\"j\\\"1\",vertex=\"src\",subtask=\"0\","
                       "value=\"mysql-bin.000003:1234\"} 1\n"
                       "# HELP sluice_test_total A \\\\ test\\nline \"quoted\"\n"
                       "# TYPE sluice_test_total counter\n"
                       "sluice_test_total{job=\"j\\\"1\",vertex=\"src\",subtask=\"2\"} 1\n"
                       "sluice_test_total{job=\"j\\\"1\",vertex=\"src\",subtask=\"2\","
                       "table=\"shop.\\\"o\\\"\\\\x\\ny\"} 7\n"
                       "sluice_test_total{job=\"j\\\"1\",vertex=\"src\",subtask=\"10\"} 3\n");
    free(text);
    rt_metrics_free(m);
}

TEST(doubles_print_as_prometheus_reads_them)
{
    rt_metrics *m = new_registry("j");
    if (!m)
        return;
    static const struct {
        double v;
        const char *want;
    } cases[] = {
        {0.1, "} 0.1\n"},        {1.0 / 3, "} 0.3333333333333333\n"},
        {1e21, "} 1e+21\n"},     {-2.5, "} -2.5\n"},
        {NAN, "} NaN\n"},        {INFINITY, "} +Inf\n"},
        {-INFINITY, "} -Inf\n"},
    };
    rt_metric *d = reg(m, RT_METRIC_GAUGE_DOUBLE, "d", "h", NULL, 0, NULL, NULL);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rt_metric_set_double(d, cases[i].v);
        char *text = exposition(m);
        CHECK_STR_CONTAINS(text, cases[i].want);
        free(text);
    }
    rt_metrics_free(m);
}

typedef struct collected {
    size_t count;
    char names[8][64];
    rt_metric_sample last;
    size_t stop_after;
} collected;

static int collect(const rt_metric_sample *s, void *arg)
{
    collected *c = arg;
    if (c->count < 8)
        snprintf(c->names[c->count], sizeof c->names[0], "%s/%s/%u/%s", s->name,
                 s->vertex ? s->vertex : "-", s->subtask, s->label_value ? s->label_value : "-");
    c->count++;
    c->last = *s;
    return c->count == c->stop_after ? 99 : 0;
}

TEST(visit_gives_every_series_with_its_value)
{
    rt_metrics *m = new_registry("job1");
    if (!m)
        return;
    rt_metric_add(reg(m, RT_METRIC_COUNTER, "z_total", "Z.", "out", 1, NULL, NULL), 11);
    rt_metric_add(reg(m, RT_METRIC_COUNTER, "z_total", "Z.", "out", 0, NULL, NULL), 10);
    rt_metric_set(reg(m, RT_METRIC_GAUGE, "a", "A.", "src", 0, "table", "t1"), -3);
    collected c = {0};
    CHECK_INT_EQ(rt_metrics_visit(m, collect, &c), 0);
    CHECK_UINT_EQ(c.count, 3);
    CHECK_STR_EQ(c.names[0], "a/src/0/t1");
    CHECK_STR_EQ(c.names[1], "z_total/out/0/-");
    CHECK_STR_EQ(c.names[2], "z_total/out/1/-");
    CHECK_STR_EQ(c.last.job, "job1");
    CHECK_STR_EQ(c.last.help, "Z.");
    CHECK_INT_EQ(c.last.kind, RT_METRIC_COUNTER);
    CHECK_UINT_EQ(c.last.count, 11);
    CHECK(c.last.value == 11.0);
    /* A non-zero return stops the visit and comes back. */
    collected first = {.stop_after = 1};
    CHECK_INT_EQ(rt_metrics_visit(m, collect, &first), 99);
    CHECK_UINT_EQ(first.count, 1);
    CHECK_STR_EQ(first.last.label_key, "table");
    CHECK_INT_EQ(first.last.gauge, -3);
    CHECK(first.last.value == -3.0);
    rt_metrics_free(m);
}

TEST(metrics_file_is_replaced_whole)
{
    rt_metrics *m = new_registry("j");
    if (!m)
        return;
    rt_metric *c = reg(m, RT_METRIC_COUNTER, "c_total", "h", NULL, 0, NULL, NULL);
    char dir[512], path[600];
    snprintf(dir, sizeof dir, "%s/metrics", test_tmpdir());
    CHECK_INT_EQ(mkdir(dir, 0755), 0);
    snprintf(path, sizeof path, "%s/sluice.prom", dir);
    rt_err err;
    for (int round = 1; round <= 2; round++) {
        rt_metric_add(c, 5);
        CHECK_INT_EQ(rt_metrics_write_file(m, path, &err), 0);
        char *file = test_read_file(path, NULL);
        char *want = exposition(m);
        CHECK_STR_EQ(file, want);
        CHECK_STR_CONTAINS(file, round == 1 ? "} 5\n" : "} 10\n");
        free(file);
        free(want);
    }
    /* Only the file itself: no temporary left behind. */
    DIR *d = opendir(dir);
    size_t entries = 0;
    for (struct dirent *e; d && (e = readdir(d)) != NULL;)
        entries += e->d_name[0] != '.';
    if (d)
        closedir(d);
    CHECK_UINT_EQ(entries, 1);
    snprintf(path, sizeof path, "%s/no/such/dir/m.prom", test_tmpdir());
    CHECK_INT_EQ(rt_metrics_write_file(m, path, &err), RT_EIO);
    CHECK_STR_CONTAINS(err.msg, "no/such/dir/m.prom");
    rt_metrics_free(m);
}

/* --- Concurrency --- */

#define THREADS 8
#define ADDS 200000

typedef struct worker {
    rt_metrics *m;
    rt_metric *handle;
    bool reader;
    _Atomic bool *done;
} worker;

/* Each writer registers the shared series itself (as the subtasks of a restarted job would,
 * racing) and adds to it; the reader formats the whole registry meanwhile. */
static void *work(void *arg)
{
    worker *w = arg;
    if (w->reader) {
        while (!atomic_load(w->done)) {
            rt_buf b;
            rt_buf_init(&b);
            rt_metrics_format_prometheus(w->m, &b);
            rt_buf_fini(&b);
        }
        return NULL;
    }
    rt_metric_labels l = {.vertex = "src", .subtask = 0};
    if (rt_metrics_register(w->m, RT_METRIC_COUNTER, "shared_total", "h", &l, &w->handle, NULL))
        return NULL;
    rt_metric *info = NULL;
    rt_metrics_register(w->m, RT_METRIC_INFO, "pos_info", "h", &l, &info, NULL);
    for (int i = 0; i < ADDS; i++) {
        rt_metric_add(w->handle, 1);
        if (i % 1000 == 0)
            rt_metric_set_text(info, "mysql-bin.000001:4");
    }
    return NULL;
}

TEST(concurrent_adds_sum_exactly)
{
    rt_metrics *m = new_registry("j");
    if (!m)
        return;
    _Atomic bool done = false;
    worker w[THREADS + 1];
    pthread_t th[THREADS + 1];
    for (int i = 0; i <= THREADS; i++) {
        w[i] = (worker){.m = m, .reader = i == THREADS, .done = &done};
        CHECK_INT_EQ(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    atomic_store(&done, true);
    pthread_join(th[THREADS], NULL);
    for (int i = 1; i < THREADS; i++)
        CHECK(w[i].handle == w[0].handle);
    CHECK_UINT_EQ(rt_metric_count(w[0].handle), (uint64_t)THREADS * ADDS);
    char *text = exposition(m);
    char want[128];
    snprintf(want, sizeof want, "shared_total{job=\"j\",vertex=\"src\",subtask=\"0\"} %d\n",
             THREADS * ADDS);
    CHECK_STR_CONTAINS(text, want);
    CHECK_STR_CONTAINS(text, "value=\"mysql-bin.000001:4\"} 1\n");
    free(text);
    rt_metrics_free(m);
}

TEST_MAIN()
