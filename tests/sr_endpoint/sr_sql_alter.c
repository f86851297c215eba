/* The DDL of sr-endpoint's MySQL port as store operations, and SHOW ALTER TABLE COLUMN with the
 * columns of StarRocks' SchemaChangeProcDir. */
#include "tests/sr_endpoint/sr_sql_alter.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

int sr_sql_alter_exec(sr_store *store, const sr_sql_stmt *st, const char *db, rt_err *err)
{
    sr_ddl d = {.db = db, .table = st->table, .statement = st->text};
    sr_column_def col = {0};
    int rc;
    switch (st->kind) {
    case SR_SQL_ADD_COLUMN:
        d.kind = SR_DDL_ADD_COLUMNS;
        d.columns = st->add_column_count ? st->add_columns : &st->column;
        d.column_count = st->add_column_count ? st->add_column_count : 1;
        d.after = st->after;
        d.first = st->first;
        break;
    case SR_SQL_DROP_COLUMN:
        d.kind = SR_DDL_DROP_COLUMN;
        d.column = st->column_name;
        break;
    case SR_SQL_MODIFY_COLUMN:
        d.kind = SR_DDL_MODIFY_COLUMN;
        sr_column_def_copy(&col, &st->column);
        if (!st->column_null_given) {
            /* MODIFY without NULL / NOT NULL keeps the column's nullability. */
            sr_table_def def = {0};
            if (sr_store_get_schema(store, db, st->table, &def, NULL) == 0) {
                int i = sr_table_def_find(&def, col.name);
                if (i >= 0)
                    col.nullable = def.columns[i].nullable;
            }
            sr_table_def_fini(&def);
        }
        d.columns = &col;
        d.column_count = 1;
        d.after = st->after;
        d.first = st->first;
        break;
    case SR_SQL_RENAME_COLUMN:
        d.kind = SR_DDL_RENAME_COLUMN;
        d.column = st->column_name;
        d.new_name = st->new_name;
        break;
    case SR_SQL_RENAME_TABLE:
        d.kind = SR_DDL_RENAME_TABLE;
        d.new_name = st->new_name;
        break;
    default:
        return rt_err_set(err, RT_EINVAL, "%s is not an ALTER TABLE statement",
                          sr_sql_kind_name(st->kind));
    }
    rc = sr_store_ddl(store, &d, err);
    sr_column_def_fini(&col);
    return rc;
}

int sr_sql_alter_noop(sr_store *store, const sr_sql_stmt *st, const char *db, rt_err *err)
{
    sr_ddl d = {
        .kind = SR_DDL_NOOP, .db = db ? db : st->db, .table = st->table, .statement = st->text};
    return sr_store_ddl(store, &d, err);
}

/* ---- SHOW ALTER TABLE COLUMN ---- */

enum { NCOLS = 13, C_TABLE = 1, C_CREATE = 2, C_FINISH = 3, C_STATE = 9 };

static const char *const titles[NCOLS] = {
    "JobId",   "TableName",     "CreateTime",    "FinishTime",    "IndexName",
    "IndexId", "OriginIndexId", "SchemaVersion", "TransactionId", "State",
    "Msg",     "Progress",      "Timeout"};

typedef struct arow {
    char cell[NCOLS][300];
} arow;

/* StarRocks prints times in the FE's zone (the endpoint's time_zone is UTC); "NULL" for none. */
static void fmt_time(int64_t ms, char *out, size_t size)
{
    if (ms <= 0) {
        snprintf(out, size, "NULL");
        return;
    }
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%d %H:%M:%S", &tm);
}

static void fill_row(const sr_alter_job_info *j, arow *r)
{
    snprintf(r->cell[0], sizeof r->cell[0], "%" PRId64, j->job_id);
    snprintf(r->cell[1], sizeof r->cell[1], "%s", j->table);
    fmt_time(j->create_ms, r->cell[2], sizeof r->cell[2]);
    fmt_time(j->finish_ms, r->cell[3], sizeof r->cell[3]);
    snprintf(r->cell[4], sizeof r->cell[4], "%s", j->table);
    snprintf(r->cell[5], sizeof r->cell[5], "%" PRId64, j->index_id);
    snprintf(r->cell[6], sizeof r->cell[6], "%" PRId64, j->origin_index_id);
    snprintf(r->cell[7], sizeof r->cell[7], "%d:%d", j->schema_version, (int)j->schema_hash);
    snprintf(r->cell[8], sizeof r->cell[8], "%" PRId64, j->txn_id);
    snprintf(r->cell[9], sizeof r->cell[9], "%s", sr_alter_state_name(j->state));
    snprintf(r->cell[10], sizeof r->cell[10], "%s", j->msg);
    /* Progress is M/N replicas while RUNNING (one replica here), NULL otherwise. */
    snprintf(r->cell[11], sizeof r->cell[11], "%s", j->state == SR_ALTER_RUNNING ? "0/1" : "NULL");
    snprintf(r->cell[12], sizeof r->cell[12], "%d", j->timeout_s);
}

static int title_index(const char *name)
{
    for (int i = 0; i < NCOLS; i++)
        if (strcasecmp(name, titles[i]) == 0)
            return i;
    return -1;
}

/* Numbers numerically, everything else as text (times sort as text). */
static int cell_cmp(const char *a, const char *b)
{
    char *ea, *eb;
    long long x = strtoll(a, &ea, 10), y = strtoll(b, &eb, 10);
    if (*a && *b && !*ea && !*eb)
        return x < y ? -1 : x > y;
    return strcmp(a, b);
}

static bool matches(const arow *r, const sr_sql_stmt *st)
{
    for (size_t i = 0; i < st->cond_count; i++) {
        const sr_sql_cond *c = &st->conds[i];
        const char *v = r->cell[title_index(c->column)];
        bool is_null = strcmp(v, "NULL") == 0;
        int cmp = c->value.text ? (title_index(c->column) == C_STATE ? strcasecmp(v, c->value.text)
                                                                     : strcmp(v, c->value.text))
                                : 0;
        bool ok;
        switch (c->op) {
        case SR_SQL_OP_EQ:
            ok = c->value.text && cmp == 0;
            break;
        case SR_SQL_OP_NE:
            ok = c->value.text && cmp != 0;
            break;
        case SR_SQL_OP_LT:
            ok = c->value.text && !is_null && cmp < 0;
            break;
        case SR_SQL_OP_LE:
            ok = c->value.text && !is_null && cmp <= 0;
            break;
        case SR_SQL_OP_GT:
            ok = c->value.text && !is_null && cmp > 0;
            break;
        case SR_SQL_OP_GE:
            ok = c->value.text && !is_null && cmp >= 0;
            break;
        case SR_SQL_OP_IS_NULL:
            ok = is_null;
            break;
        case SR_SQL_OP_IS_NOT_NULL:
            ok = !is_null;
            break;
        default:
            ok = false;
        }
        if (!ok)
            return false;
    }
    return true;
}

static int row_cmp(const arow *a, const arow *b, const sr_sql_stmt *st)
{
    for (size_t i = 0; i < st->order_count; i++) {
        int k = title_index(st->order[i].column);
        int c = cell_cmp(a->cell[k], b->cell[k]);
        if (c)
            return st->order[i].desc ? -c : c;
    }
    /* Jobs created within one second tie on CreateTime: the later job (higher JobId) is the
     * newer one, so "ORDER BY CreateTime DESC LIMIT 1" finds the latest job. */
    if (st->order_count == 0)
        return 0;
    int c = cell_cmp(a->cell[0], b->cell[0]);
    return st->order[st->order_count - 1].desc ? -c : c;
}

bool sr_sql_alter_show(sr_store *store, sr_mysql_session *s, const sr_sql_stmt *st, const char *db,
                       bool more)
{
    sr_alter_job_info *jobs = NULL;
    size_t n = 0;
    rt_err err;
    rt_err_clear(&err);
    if (sr_store_alter_jobs(store, db, &jobs, &n, &err)) {
        sr_mysql_session_err(s, 1064, "HY000", err.msg);
        return false;
    }
    arow *rows = calloc(n + 1, sizeof *rows);
    if (!rows)
        RT_BUG("out of memory");
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        fill_row(&jobs[i], &rows[m]);
        if (matches(&rows[m], st))
            m++;
    }
    /* Insertion sort: stable, and job lists are short. */
    for (size_t i = 1; i < m; i++) {
        arow x = rows[i];
        size_t k = i;
        while (k > 0 && row_cmp(&rows[k - 1], &x, st) > 0) {
            rows[k] = rows[k - 1];
            k--;
        }
        rows[k] = x;
    }
    if (st->limit >= 0 && (size_t)st->limit < m)
        m = (size_t)st->limit;
    sr_mysql_column cols[NCOLS];
    for (int i = 0; i < NCOLS; i++)
        cols[i] =
            (sr_mysql_column){.name = titles[i], .type = SR_MYSQL_TYPE_VAR_STRING, .length = 256};
    sr_mysql_session_columns(s, NCOLS, cols);
    for (size_t r = 0; r < m; r++) {
        const char *v[NCOLS];
        size_t l[NCOLS];
        for (int i = 0; i < NCOLS; i++) {
            v[i] = rows[r].cell[i];
            l[i] = strlen(v[i]);
        }
        sr_mysql_session_row(s, NCOLS, v, l);
    }
    sr_mysql_session_end(s, more);
    free(rows);
    free(jobs);
    return true;
}
