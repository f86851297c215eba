/* sr_store_ddl: the store's DDL entry (sr_store_ddl: one durable log record per statement, the
 * statement text riding in the same record) and the DDL audit log that tests read over
 * GET /_ddl. Part of the sr_store module. */
#include "tests/sr_endpoint/sr_store.h"
#include "tests/sr_endpoint/sr_store_int.h"

#include <jansson.h>

#include "runtime/base/buf.h"
#include "runtime/base/clock.h"

const char *sr_ddl_kind_name(sr_ddl_kind kind)
{
    static const char *const names[] = {
        "CREATE_DATABASE", "DROP_DATABASE", "CREATE_TABLE", "DROP_TABLE",
        "TRUNCATE_TABLE",  "ADD_COLUMNS",   "DROP_COLUMN",  "MODIFY_COLUMN",
        "RENAME_COLUMN",   "RENAME_TABLE",  "NOOP"};
    return (unsigned)kind <= SR_DDL_NOOP ? names[kind] : "?";
}

void sr_store_set_alter_delay_ms(sr_store *s, int64_t ms)
{
    pthread_mutex_lock(&s->mu);
    s->alter_delay_ms = ms < 0 ? 0 : ms;
    pthread_mutex_unlock(&s->mu);
}

int sr_store_add_column(sr_store *s, const char *dbn, const char *tn, const sr_column_def *col,
                        const char *after, bool first, rt_err *err)
{
    sr_ddl d = {.kind = SR_DDL_ADD_COLUMNS,
                .db = dbn,
                .table = tn,
                .columns = col,
                .column_count = 1,
                .after = after,
                .first = first};
    return sr_store_ddl(s, &d, err);
}

int sr_store_drop_column(sr_store *s, const char *dbn, const char *tn, const char *column,
                         rt_err *err)
{
    sr_ddl d = {.kind = SR_DDL_DROP_COLUMN, .db = dbn, .table = tn, .column = column};
    return sr_store_ddl(s, &d, err);
}

int sr_store_modify_column(sr_store *s, const char *dbn, const char *tn, const sr_column_def *col,
                           rt_err *err)
{
    sr_ddl d = {
        .kind = SR_DDL_MODIFY_COLUMN, .db = dbn, .table = tn, .columns = col, .column_count = 1};
    return sr_store_ddl(s, &d, err);
}

/* Builds the log record of d (NULL for an unknown kind). */
static json_t *ddl_record(sr_store *s, const sr_ddl *d)
{
    const char *dbn = d->db ? d->db : "", *tn = d->table ? d->table : "";
    json_t *rec = NULL;
    switch (d->kind) {
    case SR_DDL_CREATE_DATABASE:
        rec = json_pack("{s:s,s:s,s:b}", "op", "create_db", "db", dbn, "ine", d->if_not_exists);
        break;
    case SR_DDL_DROP_DATABASE:
        rec = json_pack("{s:s,s:s,s:b}", "op", "drop_db", "db", dbn, "ie", d->if_exists);
        break;
    case SR_DDL_CREATE_TABLE:
        rec = json_pack("{s:s,s:s,s:o,s:b,s:I}", "op", "create_table", "db", dbn, "def",
                        sr_store_def_to_json(d->def), "ine", d->if_not_exists, "index_id",
                        (json_int_t)s->next_id);
        tn = d->def->name;
        break;
    case SR_DDL_DROP_TABLE:
        rec = json_pack("{s:s,s:s,s:s,s:b}", "op", "drop_table", "db", dbn, "table", tn, "ie",
                        d->if_exists);
        break;
    case SR_DDL_TRUNCATE_TABLE:
        rec = json_pack("{s:s,s:s,s:s}", "op", "truncate", "db", dbn, "table", tn);
        break;
    case SR_DDL_ADD_COLUMNS: {
        json_t *cols = json_array();
        for (size_t i = 0; i < d->column_count; i++)
            json_array_append_new(cols, sr_store_column_to_json(&d->columns[i]));
        rec = json_pack("{s:s,s:s,s:s,s:o,s:b}", "op", "add_columns", "db", dbn, "table", tn,
                        "cols", cols, "first", d->first);
        if (d->after)
            json_object_set_new(rec, "after", json_string(d->after));
        break;
    }
    case SR_DDL_DROP_COLUMN:
        rec = json_pack("{s:s,s:s,s:s,s:s}", "op", "drop_column", "db", dbn, "table", tn, "column",
                        d->column ? d->column : "");
        break;
    case SR_DDL_MODIFY_COLUMN:
        rec = json_pack("{s:s,s:s,s:s,s:o,s:b}", "op", "modify_column", "db", dbn, "table", tn,
                        "col", sr_store_column_to_json(&d->columns[0]), "first", d->first);
        if (d->after)
            json_object_set_new(rec, "after", json_string(d->after));
        break;
    case SR_DDL_RENAME_COLUMN:
        rec = json_pack("{s:s,s:s,s:s,s:s,s:s}", "op", "rename_column", "db", dbn, "table", tn,
                        "column", d->column ? d->column : "", "to", d->new_name ? d->new_name : "");
        break;
    case SR_DDL_RENAME_TABLE:
        rec = json_pack("{s:s,s:s,s:s,s:s}", "op", "rename_table", "db", dbn, "table", tn, "to",
                        d->new_name ? d->new_name : "");
        break;
    case SR_DDL_NOOP:
        rec = json_pack("{s:s,s:s,s:s}", "op", "ddl_noop", "db", dbn, "table", tn);
        break;
    }
    if (rec && d->statement)
        json_object_set_new(rec, "stmt",
                            json_pack("{s:s,s:s,s:I,s:b}", "text", d->statement, "table", tn,
                                      "ts_ms", (json_int_t)rt_clock_wall_ms(), "applied",
                                      d->kind != SR_DDL_NOOP));
    return rec;
}

int sr_store_ddl(sr_store *s, const sr_ddl *d, rt_err *err)
{
    if (d->kind == SR_DDL_CREATE_TABLE) {
        int rc = sr_table_def_validate(d->def, err);
        if (rc)
            return rc;
    }
    if ((d->kind == SR_DDL_ADD_COLUMNS && d->column_count == 0) ||
        (d->kind == SR_DDL_MODIFY_COLUMN && d->column_count != 1))
        return rt_err_set(err, RT_EINVAL, "%s needs columns", sr_ddl_kind_name(d->kind));
    pthread_mutex_lock(&s->mu);
    sr_store_advance_jobs(s);
    json_t *rec = ddl_record(s, d);
    int rc = rec ? sr_store_exec_record(s, rec, true, err)
                 : rt_err_set(err, RT_EINVAL, "unknown DDL kind %d", (int)d->kind);
    pthread_mutex_unlock(&s->mu);
    json_decref(rec);
    return rc;
}

/* ---- the audit log ---- */

void sr_store_ddl_note(sr_store *s, json_t *rec)
{
    json_t *st = json_object_get(rec, "stmt");
    s->ddl = xrealloc(s->ddl, (s->nddl + 1) * sizeof(ddl_entry));
    ddl_entry *e = &s->ddl[s->nddl++];
    e->ts_ms = json_integer_value(json_object_get(st, "ts_ms"));
    e->db = xstrdup(sr_store_jstr(rec, "db"));
    e->table = xstrdup(sr_store_jstr(st, "table"));
    e->statement = xstrdup(sr_store_jstr(st, "text"));
    e->applied = json_is_true(json_object_get(st, "applied"));
}

void sr_store_ddl_free(sr_store *s)
{
    for (size_t i = 0; i < s->nddl; i++) {
        free(s->ddl[i].db);
        free(s->ddl[i].table);
        free(s->ddl[i].statement);
    }
    free(s->ddl);
    s->ddl = NULL;
    s->nddl = 0;
}

char *sr_store_ddl_log_json(sr_store *s)
{
    json_t *arr = json_array();
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < s->nddl; i++) {
        const ddl_entry *e = &s->ddl[i];
        json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:s,s:b}", "ts_ms", (json_int_t)e->ts_ms,
                                             "db", e->db, "table", e->table, "statement",
                                             e->statement, "applied", e->applied));
    }
    pthread_mutex_unlock(&s->mu);
    json_t *o = json_pack("{s:o}", "ddl", arr);
    char *text = json_dumps(o, JSON_COMPACT);
    RT_ASSERT(text);
    json_decref(o);
    return text;
}
