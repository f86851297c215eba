/* GET /metrics: every running job's registry merged into one exposition. Each registry formats
 * itself (so escaping and number formats stay the registry's); the lines are then regrouped by
 * family, because Prometheus rejects a family whose HELP/TYPE appears twice or whose series are
 * split by another family. */
#include <stdlib.h>
#include <string.h>

#include "runtime/daemon/job_manager_int.h"
#include "runtime/metrics.h"

typedef struct family {
    char *name;
    char *header; /* its "# HELP" and "# TYPE" lines, from the first job that has it */
    rt_buf series;
} family;

typedef struct families {
    family *v;
    size_t n, cap;
    bool oom;
} families;

static family *family_get(families *fs, const char *name, size_t len)
{
    for (size_t i = 0; i < fs->n; i++)
        if (strlen(fs->v[i].name) == len && memcmp(fs->v[i].name, name, len) == 0)
            return &fs->v[i];
    if (fs->n == fs->cap) {
        size_t cap = fs->cap ? fs->cap * 2 : 32;
        family *g = realloc(fs->v, cap * sizeof *g);
        if (!g) {
            fs->oom = true;
            return NULL;
        }
        fs->v = g;
        fs->cap = cap;
    }
    family *f = &fs->v[fs->n];
    memset(f, 0, sizeof *f);
    f->name = strndup(name, len);
    if (!f->name) {
        fs->oom = true;
        return NULL;
    }
    rt_buf_init(&f->series);
    fs->n++;
    return f;
}

/* The family a "# HELP name ..." / "# TYPE name ..." line names. */
static const char *comment_name(const char *line, size_t len, size_t *nlen)
{
    if (len < 7 || (memcmp(line, "# HELP ", 7) != 0 && memcmp(line, "# TYPE ", 7) != 0))
        return NULL;
    const char *n = line + 7, *end = line + len;
    const char *sp = memchr(n, ' ', (size_t)(end - n));
    *nlen = (size_t)((sp ? sp : end) - n);
    return n;
}

/* Regroups one registry's exposition into fs. */
static void absorb(families *fs, const char *text, size_t len)
{
    family *cur = NULL;
    bool take_header = false;
    const char *p = text, *end = text + len;
    while (p < end && !fs->oom) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t llen = (size_t)((nl ? nl : end) - p);
        size_t nlen;
        const char *name = comment_name(p, llen, &nlen);
        if (name) {
            if (!cur || strlen(cur->name) != nlen || memcmp(cur->name, name, nlen) != 0) {
                cur = family_get(fs, name, nlen);
                take_header = cur && !cur->header;
                if (take_header && cur)
                    cur->header = strdup("");
            }
            if (cur && take_header && cur->header) {
                size_t hl = strlen(cur->header);
                char *h = realloc(cur->header, hl + llen + 2);
                if (h) {
                    memcpy(h + hl, p, llen);
                    h[hl + llen] = '\n';
                    h[hl + llen + 1] = '\0';
                    cur->header = h;
                } else {
                    fs->oom = true;
                }
            }
        } else if (llen > 0 && p[0] != '#' && cur) {
            rt_buf_append(&cur->series, p, llen);
            rt_buf_append_char(&cur->series, '\n');
        }
        p = nl ? nl + 1 : end;
    }
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const family *)a)->name, ((const family *)b)->name);
}

int rt_job_manager_metrics_text(rt_job_manager *m, rt_buf *out, rt_err *err)
{
    families fs = {0};
    rt_buf one;
    rt_buf_init(&one);
    size_t counts[RT_JOB_MASTER_STOPPED + 1] = {0};
    pthread_mutex_lock(&m->mu);
    uint64_t submissions = m->submissions;
    for (job_entry *e = m->jobs; e; e = e->next) {
        rt_job_master_status st = job_entry_state(e);
        if ((unsigned)st <= RT_JOB_MASTER_STOPPED)
            counts[st]++;
        /* Terminal jobs are left out: a new job may carry the same name (the job label). */
        if (!e->jm || rt_job_master_status_is_terminal(st))
            continue;
        rt_buf_reset(&one);
        rt_metrics_format_prometheus(rt_job_master_metrics(e->jm), &one);
        absorb(&fs, one.data ? one.data : "", one.len);
    }
    pthread_mutex_unlock(&m->mu);
    rt_buf_fini(&one);

    int rc = 0;
    if (fs.oom) {
        rc = rt_err_set(err, RT_ENOMEM, "metrics: out of memory");
    } else {
        if (fs.n) /* qsort(NULL, 0) is undefined: no job has metrics yet */
            qsort(fs.v, fs.n, sizeof *fs.v, by_name);
        for (size_t i = 0; i < fs.n; i++) {
            if (fs.v[i].header)
                rt_buf_append_str(out, fs.v[i].header);
            if (fs.v[i].series.len)
                rt_buf_append(out, fs.v[i].series.data, fs.v[i].series.len);
        }
        rt_buf_append_str(out, "# HELP sluiced_jobs Jobs hosted by this sluiced, by state.\n"
                               "# TYPE sluiced_jobs gauge\n");
        for (int s = RT_JOB_MASTER_CREATED; s <= RT_JOB_MASTER_STOPPED; s++)
            rt_buf_appendf(out, "sluiced_jobs{state=\"%s\"} %zu\n",
                           rt_job_master_status_name((rt_job_master_status)s), counts[s]);
        rt_buf_appendf(out,
                       "# HELP sluiced_submissions_total Jobs submitted since sluiced started.\n"
                       "# TYPE sluiced_submissions_total counter\n"
                       "sluiced_submissions_total %llu\n",
                       (unsigned long long)submissions);
    }
    for (size_t i = 0; i < fs.n; i++) {
        free(fs.v[i].name);
        free(fs.v[i].header);
        rt_buf_fini(&fs.v[i].series);
    }
    free(fs.v);
    return rc;
}
