/* Snapshot progress metrics (snapshot_progress.h). */
#include "operators/mysql/snapshot_progress.h"

#include <stdlib.h>
#include <string.h>

typedef struct table_progress {
    char *name;
    uint64_t estimate; /* splits expected from the row estimate */
    uint64_t done, total;
    bool exact; /* total is final: the table is fully split */
    rt_metric *rows, *read, *done_m, *total_m;
} table_progress;

struct op_snapshot_progress {
    table_progress *t;
    size_t count;
};

op_snapshot_progress *op_snapshot_progress_new(op_ctx *ctx, op_mysql_table_list *tables,
                                               uint64_t chunk_size, bool enumerator)
{
    op_snapshot_progress *p = calloc(1, sizeof *p);
    size_t n = tables ? op_mysql_table_list_count(tables) : 0;
    if (p && n && !(p->t = calloc(n, sizeof *p->t))) {
        free(p);
        return NULL;
    }
    if (!p)
        return NULL;
    if (chunk_size == 0)
        chunk_size = 8096;
    for (size_t i = 0; i < n; i++) {
        const op_mysql_table_info *info = op_mysql_table_list_get(tables, i);
        table_progress *t = &p->t[p->count];
        if (!info->table || !(t->name = strdup(rt_table_qualified(info->table))))
            continue;
        p->count++;
        t->estimate = (info->row_estimate + chunk_size - 1) / chunk_size;
        if (t->estimate == 0)
            t->estimate = 1;
        t->rows = op_ctx_counter(ctx, "sluice_mysql_cdc_snapshot_rows_total",
                                 "Rows the snapshot emitted, per table (this subtask).", "table",
                                 t->name);
        t->read = op_ctx_counter(ctx, "sluice_mysql_cdc_snapshot_splits_read_total",
                                 "Snapshot splits read by this subtask since it started.",
                                 "table", t->name);
        t->done_m = op_ctx_gauge(ctx, "sluice_mysql_cdc_snapshot_splits_done",
                                 "Snapshot splits finished, restored ones included (sum over "
                                 "subtasks).",
                                 "table", t->name);
        if (enumerator)
            t->total_m = op_ctx_gauge(ctx, "sluice_mysql_cdc_snapshot_splits_total",
                                      "Snapshot splits of the table: an estimate until it is "
                                      "fully split.",
                                      "table", t->name);
        rt_metric_set(t->done_m, 0);
        rt_metric_set(t->total_m, (int64_t)t->estimate);
    }
    return p;
}

void op_snapshot_progress_free(op_snapshot_progress *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->count; i++)
        free(p->t[i].name);
    free(p->t);
    free(p);
}

static table_progress *find(op_snapshot_progress *p, const char *table)
{
    for (size_t i = 0; p && i < p->count; i++) {
        if (strcmp(p->t[i].name, table) == 0)
            return &p->t[i];
    }
    return NULL;
}

static void publish_total(table_progress *t)
{
    uint64_t shown = t->exact || t->total > t->estimate ? t->total : t->estimate;
    rt_metric_set(t->total_m, (int64_t)shown);
}

void op_snapshot_progress_restored(op_snapshot_progress *p, const op_cdc_state *finished)
{
    for (size_t i = 0; finished && i < finished->split_count; i++) {
        table_progress *t = find(p, op_snapshot_split_table(finished->splits[i]));
        if (!t)
            continue;
        t->done++;
        t->total++;
        rt_metric_set(t->done_m, (int64_t)t->done);
        publish_total(t);
    }
}

void op_snapshot_progress_queued(op_snapshot_progress *p, const char *table, size_t n)
{
    table_progress *t = find(p, table);
    if (!t)
        return;
    t->total += n;
    publish_total(t);
}

void op_snapshot_progress_split_all(op_snapshot_progress *p, const char *table)
{
    table_progress *t = find(p, table);
    if (!t)
        return;
    t->exact = true;
    publish_total(t);
}

void op_snapshot_progress_read(op_snapshot_progress *p, const char *table, uint64_t rows)
{
    table_progress *t = find(p, table);
    if (!t)
        return;
    t->done++;
    rt_metric_add(t->rows, rows);
    rt_metric_add(t->read, 1);
    rt_metric_set(t->done_m, (int64_t)t->done);
}
