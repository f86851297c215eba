/* The table DDL of the mysql_cdc binlog phase (cdc_tables.h's op_cdc_tables_apply): QUERY
 * statements applied to the schema history, and the schema changes that go downstream with
 * their origin maps. */
#include <stdlib.h>
#include <string.h>

#include "operators/mysql/cdc_tables_int.h"
#include "operators/mysql/ddl_origin.h"
#include "operators/mysql/ddl_parse.h"
#include "runtime/base/log.h"

typedef struct changes {
    op_cdc_schema_change *v;
    size_t count;
} changes;

/* The change added, or NULL when there is no room or nothing to say. */
static op_cdc_schema_change *change_add(changes *c, rt_schema_change_kind kind,
                                        const rt_table *before, const rt_table *after)
{
    if (c->count == OP_CDC_MAX_CHANGES || !after ||
        (kind == RT_SCHEMA_ALTER_TABLE && before == after))
        return NULL;
    c->v[c->count] = (op_cdc_schema_change){kind, before, after, NULL};
    return &c->v[c->count++];
}

/* Gives change ch (the i-th) of the ALTER TABLE d its origin map, kept in ts until the next
 * apply. */
static int origin_set(op_cdc_tables *ts, const op_ddl *d, op_cdc_schema_change *ch, size_t i,
                      rt_err *err)
{
    size_t n = rt_table_column_count(ch->after);
    int32_t *origin = malloc((n ? n : 1) * sizeof *origin);
    if (!origin)
        return op_cdc_tables_oom(err);
    int rc = op_ddl_origin(d, ch->before, ch->after, origin, err);
    if (rc != 0) {
        free(origin);
        return rc;
    }
    free(ts->origins[i]);
    ts->origins[i] = origin;
    ch->origin = origin;
    return 0;
}

/* The selected columns of db.name as the history has them at pos (before a statement at pos is
 * applied: the version it changes), interned; NULL when the history has no such table there. A
 * seed version is in use with the server's type texts ("int(11)"), but the history's versions
 * after a DDL carry normalised ones ("int"): comparing like with like keeps an ALTER's diff to
 * what the statement changed. */
static const rt_table *history_at(op_cdc_tables *ts, const op_ddl_name *n, op_schema_pos pos,
                                  rt_err *err, int *rc)
{
    rt_table *full = NULL, *sel = NULL;
    uint32_t *positions = NULL;
    rt_err e2 = {0};
    int r = op_schema_history_table_at(ts->history, n->db, n->table, pos, &full, &e2);
    if (r == RT_ENOTFOUND)
        return NULL;
    if (r == 0)
        r = op_cdc_tables_project(ts, full, &sel, &positions, &e2);
    rt_table_free(full);
    free(positions);
    if (r != 0) {
        *rc = r;
        if (err)
            *err = e2;
        return NULL;
    }
    return rt_catalog_intern(ts->catalog, sel);
}

static bool selected(const op_cdc_tables *ts, const op_ddl_name *n)
{
    return op_mysql_table_filter_match(ts->filter, n->db, n->table);
}

/* The interned schema of db.name at pos, NULL when it does not exist there. */
static const rt_table *schema_at(op_cdc_tables *ts, const op_ddl_name *n, op_schema_pos pos,
                                 rt_err *err, int *rc)
{
    op_cdc_entry *e = op_cdc_tables_entry(ts, n->db, n->table);
    if (!e) {
        *rc = op_cdc_tables_oom(err);
        return NULL;
    }
    rt_err ignore = {0};
    int r = op_cdc_tables_version(ts, e, pos, &ignore);
    if (r == RT_ENOTFOUND)
        return NULL;
    if (r != 0) {
        *rc = r;
        if (err)
            *err = ignore;
        return NULL;
    }
    return e->pub.table;
}

/* Reads n from the server as it is now, as the version from pos on, and records what changed:
 * DROP when it is gone, CREATE when the history had no schema for it, ALTER otherwise
 * (change_add drops an ALTER that changed nothing). */
static int reread(op_cdc_tables *ts, const op_ddl_name *n, op_schema_pos pos, changes *out,
                  rt_err *err)
{
    int rc = 0;
    /* A DROP names the schema the rows were read with. An ALTER compares the history's versions
     * on both sides (history_at): the server's type texts ("int(11)") would otherwise read as
     * a change of every column the seed had and the history normalised. */
    const rt_table *rows_before = schema_at(ts, n, pos, err, &rc);
    const rt_table *before = rc == 0 ? history_at(ts, n, pos, err, &rc) : NULL;
    if (rc != 0)
        return rc;
    rt_err e2 = {0};
    rc = op_cdc_tables_seed_from_server(ts, n->db, n->table, pos, &e2);
    if (rc == RT_ENOTFOUND) {
        change_add(out, RT_SCHEMA_DROP_TABLE, rows_before, rows_before);
        return 0;
    }
    if (rc != 0) {
        if (err)
            *err = e2;
        return rc;
    }
    op_cdc_entry *e = op_cdc_tables_entry(ts, n->db, n->table);
    if (!e)
        return op_cdc_tables_oom(err);
    op_cdc_tables_seed_forget(e);
    const rt_table *after = schema_at(ts, n, pos, err, &rc);
    if (rc == 0)
        change_add(out, before ? RT_SCHEMA_ALTER_TABLE : RT_SCHEMA_CREATE_TABLE, before, after);
    return rc;
}

/* The history could not follow the statement: each selected table it names is read from the
 * server as it is now, a version from pos on. */
static int fallback(op_cdc_tables *ts, const op_ddl *d, const char *sql, size_t len,
                    op_schema_pos pos, rt_err *cause, changes *out, rt_err *err)
{
    int shown = len > 200 ? 200 : (int)len;
    LOG_WARN("%s: mysql_cdc: schema history: %s; the tables it names are read from the server "
             "as they are now: %.*s%s",
             ts->tag, cause->msg, shown, sql, len > 200 ? "..." : "");
    for (size_t i = 0; d && i < op_ddl_table_count(d); i++) {
        const op_ddl_name *n = op_ddl_table_at(d, i);
        int rc = selected(ts, n) ? reread(ts, n, pos, out, err) : 0;
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* The name an ALTER ... RENAME TO gave the table, or NULL. */
static const op_ddl_name *renamed_to(const op_ddl *d)
{
    const op_ddl_name *to = NULL;
    for (size_t i = 0; i < op_ddl_alter_count(d); i++) {
        const op_ddl_alter *a = op_ddl_alter_at(d, i);
        if (a->kind == OP_DDL_RENAME_TO)
            to = &a->table;
    }
    return to;
}

/* Schema changes of an applied statement: before (at the statement's position, looked up
 * before it was applied) and after. */
static int describe(op_cdc_tables *ts, const op_ddl *d, const rt_table *const *before,
                    op_schema_pos pos, changes *out, rt_err *err)
{
    int rc = 0;
    size_t n = op_ddl_table_count(d);
    for (size_t i = 0; i < n && rc == 0; i++) {
        const op_ddl_name *name = op_ddl_table_at(d, i);
        switch (op_ddl_kind_of(d)) {
        case OP_DDL_CREATE_TABLE:
            if (selected(ts, name))
                change_add(out, RT_SCHEMA_CREATE_TABLE, NULL, schema_at(ts, name, pos, err, &rc));
            break;
        case OP_DDL_DROP_TABLE:
            if (before[i])
                change_add(out, RT_SCHEMA_DROP_TABLE, before[i], before[i]);
            break;
        case OP_DDL_TRUNCATE_TABLE:
            if (before[i])
                change_add(out, RT_SCHEMA_TRUNCATE_TABLE, before[i], before[i]);
            break;
        case OP_DDL_ALTER_TABLE: {
            /* Indexes, options, ALGORITHM=...: the columns are the same. */
            if (op_ddl_alter_count(d) == 0)
                break;
            const rt_table *after = selected(ts, name) ? schema_at(ts, name, pos, err, &rc) : NULL;
            const op_ddl_name *to = renamed_to(d);
            op_cdc_schema_change *ch = NULL;
            if (rc == 0 && !after && to) {
                const rt_table *moved = selected(ts, to) ? schema_at(ts, to, pos, err, &rc) : NULL;
                if (moved)
                    ch =
                        change_add(out, before[i] ? RT_SCHEMA_RENAME_TABLE : RT_SCHEMA_CREATE_TABLE,
                                   before[i], moved);
                else if (before[i])
                    change_add(out, RT_SCHEMA_DROP_TABLE, before[i], before[i]);
            } else if (after) {
                ch = change_add(out, before[i] ? RT_SCHEMA_ALTER_TABLE : RT_SCHEMA_CREATE_TABLE,
                                before[i], after);
            }
            if (rc == 0 && ch && ch->before)
                rc = origin_set(ts, d, ch, out->count - 1, err);
            break;
        }
        case OP_DDL_RENAME_TABLE:
            if (i % 2 == 1) {
                const rt_table *after =
                    selected(ts, name) ? schema_at(ts, name, pos, err, &rc) : NULL;
                if (before[i - 1] && after)
                    change_add(out, RT_SCHEMA_RENAME_TABLE, before[i - 1], after);
                else if (before[i - 1])
                    change_add(out, RT_SCHEMA_DROP_TABLE, before[i - 1], before[i - 1]);
                else if (after)
                    change_add(out, RT_SCHEMA_CREATE_TABLE, NULL, after);
            }
            break;
        }
    }
    return rc;
}

int op_cdc_tables_apply(op_cdc_tables *ts, const char *sql, size_t sql_len, const char *db,
                        size_t db_len, op_schema_pos pos, op_cdc_schema_change *out, size_t *count,
                        rt_err *err)
{
    *count = 0;
    changes ch = {.v = out};
    op_ddl *d = NULL;
    rt_err cause = {0};
    int rc = op_ddl_parse(sql, sql_len, db, db_len, &d, &cause);
    if (rc == RT_ENOMEM)
        return op_cdc_tables_oom(err);
    if (rc != 0) {
        /* Unreadable: only a problem when it may touch a selected table; which tables it names
         * is unknown, so each known table is checked against the server when it is named in
         * the text. */
        bool mentioned = false;
        for (size_t i = 0; i < ts->count && !mentioned; i++) {
            const op_cdc_table *t = &ts->e[i]->pub;
            size_t nl = strlen(t->name);
            for (size_t k = 0; nl && k + nl <= sql_len && !mentioned; k++)
                mentioned = memcmp(sql + k, t->name, nl) == 0;
        }
        if (!mentioned)
            return 0;
        LOG_WARN("%s: mysql_cdc: %s; re-reading the schemas of the selected tables", ts->tag,
                 cause.msg);
        size_t known = ts->count;
        for (size_t i = 0; i < known; i++) {
            op_ddl_name n = {ts->e[i]->pub.db, ts->e[i]->pub.name};
            if ((rc = reread(ts, &n, pos, &ch, err)) != 0)
                return rc;
        }
        *count = ch.count;
        return 0;
    }
    if (!d)
        return 0; /* not a table DDL */
    size_t n = op_ddl_table_count(d);
    bool any = false;
    for (size_t i = 0; i < n; i++)
        any = any || selected(ts, op_ddl_table_at(d, i));
    if (op_ddl_kind_of(d) == OP_DDL_ALTER_TABLE && renamed_to(d))
        any = any || selected(ts, renamed_to(d));
    if (!any) {
        op_ddl_free(d);
        return 0;
    }
    const rt_table **before = calloc(n ? n : 1, sizeof *before);
    if (!before) {
        op_ddl_free(d);
        return op_cdc_tables_oom(err);
    }
    /* ALTER and RENAME describe the table as the history follows it; DROP and TRUNCATE name the
     * schema the rows before them were read with. */
    bool follows =
        op_ddl_kind_of(d) == OP_DDL_ALTER_TABLE || op_ddl_kind_of(d) == OP_DDL_RENAME_TABLE;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const op_ddl_name *name = op_ddl_table_at(d, i);
        if (selected(ts, name))
            before[i] =
                follows ? history_at(ts, name, pos, err, &rc) : schema_at(ts, name, pos, err, &rc);
    }
    bool applied = false;
    if (rc == 0) {
        rc = op_schema_history_apply(ts->history, d, pos, &applied, &cause);
        if (rc == RT_ENOTFOUND || rc == RT_EEXIST || rc == RT_EUNSUPPORTED)
            rc = fallback(ts, d, sql, sql_len, pos, &cause, &ch, err);
        else if (rc != 0 && err)
            *err = cause;
        else if (applied)
            rc = describe(ts, d, before, pos, &ch, err);
    }
    if (rc == 0 && applied) {
        rt_buf text;
        rt_buf_init(&text);
        op_ddl_format(d, &text);
        LOG_INFO("%s: mysql_cdc: schema change at %s:%llu: %s", ts->tag, pos.file ? pos.file : "",
                 (unsigned long long)pos.offset, text.data ? text.data : "");
        rt_buf_fini(&text);
    }
    free(before);
    op_ddl_free(d);
    *count = ch.count;
    return rc;
}
