/* The watermark merge: a key-sorted array of borrowed row pointers, sorted once, then edited
 * by binary search as the events are applied. A split holds a few thousand rows and the
 * window between LOW and HIGH few events, so inserting into the array costs less than a tree. */
#include "operators/mysql/snapshot_merge.h"

#include <stdlib.h>
#include <string.h>

typedef struct merge_ctx {
    const size_t *cols;
    size_t n;
} merge_ctx;

static int record_compare(const merge_ctx *m, const rt_record *a, const rt_record *b)
{
    for (size_t i = 0; i < m->n; i++) {
        int c = op_snapshot_value_compare(&a->values[m->cols[i]], &b->values[m->cols[i]]);
        if (c)
            return c;
    }
    return 0;
}

/* A stable merge sort (qsort has no context argument in C11). */
static void sort_records(const merge_ctx *m, const rt_record **v, const rt_record **tmp, size_t n)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    sort_records(m, v, tmp, h);
    sort_records(m, v + h, tmp, n - h);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = record_compare(m, v[j], v[i]) < 0 ? v[j++] : v[i++];
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof *v);
}

/* The position of rec's key in v[0..n): true when present, else where it would go. */
static bool find(const merge_ctx *m, const rt_record *const *v, size_t n, const rt_record *rec,
                 size_t *at)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = record_compare(m, v[mid], rec);
        if (c == 0) {
            *at = mid;
            return true;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *at = lo;
    return false;
}

int op_snapshot_merge(const op_snapshot_split *split, const size_t *key_columns, size_t key_count,
                      const rt_record *const *rows, size_t row_count,
                      const rt_record *const *events, size_t event_count, rt_batch *out,
                      rt_err *err)
{
    const char *name = op_snapshot_split_name(split);
    if (key_count != op_snapshot_split_key_count(split))
        return rt_err_set(err, RT_EINVAL, "merge split %s: %zu key columns, the split has %zu",
                          name, key_count, op_snapshot_split_key_count(split));
    merge_ctx m = {key_columns, key_count};
    size_t cap = row_count + event_count;
    const rt_record **v = malloc((cap ? cap : 1) * sizeof *v);
    const rt_record **tmp = malloc((row_count ? row_count : 1) * sizeof *tmp);
    int rc = 0;
    if (!v || !tmp) {
        rc = rt_err_set(err, RT_ENOMEM, "merge split %s: out of memory", name);
        goto out;
    }
    for (size_t i = 0; i < row_count; i++) {
        for (size_t k = 0; k < key_count; k++)
            if (key_columns[k] >= rows[i]->ncols) {
                rc = rt_err_set(err, RT_EINVAL, "merge split %s: key column %zu of %u", name,
                                key_columns[k], (unsigned)rows[i]->ncols);
                goto out;
            }
        v[i] = rows[i];
    }
    sort_records(&m, v, tmp, row_count);
    for (size_t i = 1; i < row_count; i++)
        if (record_compare(&m, v[i - 1], v[i]) == 0) {
            rc = rt_err_set(err, RT_EINVAL,
                            "merge split %s: two rows share a key: the chunk key "
                            "must be unique",
                            name);
            goto out;
        }
    size_t n = row_count;
    rt_value key[OP_MYSQL_MAX_KEY_COLUMNS];
    for (size_t e = 0; e < event_count; e++) {
        const rt_record *ev = events[e];
        if (ev->change)
            continue; /* a schema change: no row to merge (it goes downstream from the binlog) */
        bool bad = false;
        for (size_t k = 0; k < key_count; k++) {
            bad |= key_columns[k] >= ev->ncols;
            if (!bad)
                key[k] = ev->values[key_columns[k]];
        }
        if (bad) {
            rc = rt_err_set(err, RT_EINVAL, "merge split %s: event %zu lacks key columns", name, e);
            goto out;
        }
        if (!op_snapshot_split_contains(split, key))
            continue; /* another split's row: that split's own merge covers it */
        size_t at;
        bool found = find(&m, v, n, ev, &at);
        if (ev->kind == RT_ROW_INSERT || ev->kind == RT_ROW_UPDATE_AFTER) {
            if (found) {
                v[at] = ev;
            } else {
                memmove(v + at + 1, v + at, (n - at) * sizeof *v);
                v[at] = ev;
                n++;
            }
        } else if (found) { /* -U, -D */
            memmove(v + at, v + at + 1, (n - at - 1) * sizeof *v);
            n--;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (rt_batch_copy_record(out, v[i]) != 0) {
            rc = rt_err_set(err, RT_ENOMEM, "merge split %s: out of memory", name);
            goto out;
        }
        rt_batch_at(out, rt_batch_count(out) - 1)->kind = RT_ROW_INSERT;
    }
out:
    free(v);
    free(tmp);
    return rc;
}
