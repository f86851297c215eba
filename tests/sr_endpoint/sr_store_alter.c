/* sr_store_alter: ALTER TABLE in the store, with StarRocks' rules (SchemaChangeHandler,
 * Column.checkSchemaChangeAllowed): ADD/DROP COLUMN as fast schema evolution (a job FINISHED at
 * once), RENAME COLUMN and RENAME (table) as metadata changes, MODIFY COLUMN as a schema-change
 * job that stays RUNNING for the alter delay and applies when it finishes. Part of the sr_store
 * module; every handler here runs under the store lock from exec_record. */
#include "tests/sr_endpoint/sr_store.h"
#include "tests/sr_endpoint/sr_store_int.h"

#include <stdio.h>
#include <strings.h>

#include <jansson.h>

#include "runtime/base/clock.h"
#include "runtime/base/log.h"

#define ALTER_TIMEOUT_S 86400 /* FE alter_table_timeout_second */

static const char *const state_names[] = {"PENDING", "WAITING_TXN", "RUNNING", "FINISHED",
                                          "CANCELLED"};

const char *sr_alter_state_name(sr_alter_state st)
{
    return (unsigned)st <= SR_ALTER_CANCELLED ? state_names[st] : "UNKNOWN";
}

bool sr_alter_state_is_terminal(sr_alter_state st)
{
    return st == SR_ALTER_FINISHED || st == SR_ALTER_CANCELLED;
}

/* ---- ids and times carried by the records ----
 * Live calls choose ids and times and write them into the record before it is logged; replay
 * reads them back, so a replayed job is the acknowledged one. */

static int64_t rec_id(sr_store *s, json_t *rec, const char *key, bool live)
{
    if (live) {
        int64_t id = sr_store_new_id(s);
        json_object_set_new(rec, key, json_integer(id));
        return id;
    }
    json_t *j = json_object_get(rec, key);
    if (!j) {
        /* Records from before jobs existed: replay numbers them in log order (deterministic, so
         * a later alter_finish record names the same job). */
        int64_t id = sr_store_new_id(s);
        json_object_set_new(rec, key, json_integer(id));
        return id;
    }
    int64_t id = json_integer_value(j);
    sr_store_note_id(s, id);
    return id;
}

static int64_t rec_int(json_t *rec, const char *key, bool live, int64_t value)
{
    if (live) {
        json_object_set_new(rec, key, json_integer(value));
        return value;
    }
    return json_integer_value(json_object_get(rec, key));
}

/* ---- jobs ---- */

static int32_t schema_hash(const table *t)
{
    uint32_t h = 2166136261u;
    for (const char *p = t->def.name; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    h ^= (uint32_t)t->schema_version * 2654435761u;
    return (int32_t)(h & 0x7fffffff);
}

static alter_job *push_job(db *d)
{
    d->jobs = xrealloc(d->jobs, (d->njobs + 1) * sizeof(alter_job));
    alter_job *j = &d->jobs[d->njobs++];
    memset(j, 0, sizeof(*j));
    return j;
}

static void job_fini(alter_job *j)
{
    sr_column_def_fini(&j->col);
    free(j->after);
    j->after = NULL;
}

void sr_store_jobs_free(db *d)
{
    for (size_t i = 0; i < d->njobs; i++)
        job_fini(&d->jobs[i]);
    free(d->jobs);
    d->jobs = NULL;
    d->njobs = 0;
}

/* A job of table t (after its change) in state st; ids and times from rec. */
static alter_job *new_job(db *d, table *t, json_t *rec, int64_t index_id, sr_alter_state st)
{
    alter_job *j = push_job(d);
    j->info.job_id = json_integer_value(json_object_get(rec, "job"));
    snprintf(j->info.table, sizeof(j->info.table), "%s", t->def.name);
    j->info.create_ms = json_integer_value(json_object_get(rec, "ts_ms"));
    j->info.finish_ms = st == SR_ALTER_FINISHED ? j->info.create_ms : 0;
    j->info.index_id = index_id;
    j->info.origin_index_id = t->index_id;
    j->info.schema_version = t->schema_version + 1;
    j->info.txn_id = json_integer_value(json_object_get(rec, "txn"));
    j->info.state = st;
    j->info.timeout_s = ALTER_TIMEOUT_S;
    j->info.schema_hash = schema_hash(t);
    return j;
}

/* Chooses (live) or reads (replay) the job's ids and times. */
static void job_ids(sr_store *s, json_t *rec, bool live)
{
    rec_id(s, rec, "job", live);
    rec_int(rec, "ts_ms", live, rt_clock_wall_ms());
    int64_t txn = live ? sr_store_new_txn(s) : 0;
    rec_int(rec, "txn", live, txn);
}

int sr_store_check_normal(const db *d, const table *t, bool truncate, rt_err *err)
{
    for (size_t i = 0; i < d->njobs; i++) {
        const alter_job *j = &d->jobs[i];
        if (sr_alter_state_is_terminal(j->info.state) || strcmp(j->info.table, t->def.name) != 0)
            continue;
        if (truncate)
            return rt_err_set(err, RT_ESTATE, "Table' state is not NORMAL: SCHEMA_CHANGE");
        return rt_err_set(err, RT_ESTATE,
                          "Table[%s]'s state is not NORMAL. Do not allow doing ALTER ops",
                          t->def.name);
    }
    return 0;
}

void sr_store_cancel_jobs(db *d, const char *tn, const char *msg)
{
    for (size_t i = 0; i < d->njobs; i++) {
        alter_job *j = &d->jobs[i];
        if (sr_alter_state_is_terminal(j->info.state) || strcmp(j->info.table, tn) != 0)
            continue;
        j->info.state = SR_ALTER_CANCELLED;
        snprintf(j->info.msg, sizeof(j->info.msg), "%s", msg);
        job_fini(j);
    }
}

/* ---- StarRocks' type-change rules ---- */

/* A type as StarRocks' Type#toString prints it in these messages: INT, VARCHAR(10), DECIMAL(10,2).
 */
static void type_name(const sr_type *t, char *out, size_t size)
{
    const char *k = sr_type_kind_name(t->kind);
    switch (t->kind) {
    case SR_TYPE_CHAR:
    case SR_TYPE_VARCHAR:
    case SR_TYPE_VARBINARY:
    case SR_TYPE_BINARY:
        snprintf(out, size, "%s(%d)", k, t->len);
        break;
    case SR_TYPE_DECIMAL:
        snprintf(out, size, "%s(%d,%d)", k, t->precision, t->scale);
        break;
    default:
        snprintf(out, size, "%s", k);
        break;
    }
}

static int int_rank(sr_type_kind k)
{
    switch (k) {
    case SR_TYPE_BOOLEAN:
        return 1;
    case SR_TYPE_TINYINT:
        return 2;
    case SR_TYPE_SMALLINT:
        return 3;
    case SR_TYPE_INT:
        return 4;
    case SR_TYPE_BIGINT:
        return 5;
    case SR_TYPE_LARGEINT:
        return 6;
    default:
        return 0;
    }
}

static bool is_text(sr_type_kind k)
{
    return k == SR_TYPE_CHAR || k == SR_TYPE_VARCHAR || k == SR_TYPE_STRING;
}

/* The byte length of a character type (STRING is VARCHAR(65533) in StarRocks). */
static int text_len(const sr_type *t)
{
    return t->kind == SR_TYPE_STRING ? 65533 : t->len;
}

/* Whether StarRocks lets a column of type a become type b (ColumnType's schema-change matrix,
 * widening only, plus the string conversions it allows). */
static int check_type_change(const sr_type *a, const sr_type *b, rt_err *err)
{
    char an[64], bn[64];
    type_name(a, an, sizeof an);
    type_name(b, bn, sizeof bn);
    if (a->kind == b->kind && a->len == b->len && a->precision == b->precision &&
        a->scale == b->scale)
        return 0;
    bool ok = false;
    int ra = int_rank(a->kind), rb = int_rank(b->kind);
    if (is_text(a->kind) && is_text(b->kind)) {
        if (b->kind == SR_TYPE_CHAR && a->kind != SR_TYPE_CHAR)
            ok = false;
        else if (text_len(b) < text_len(a))
            return rt_err_set(err, RT_EINVAL, "Cannot shorten string length");
        else
            ok = true;
    } else if (ra && rb) {
        ok = rb > ra;
    } else if (ra && (b->kind == SR_TYPE_FLOAT || b->kind == SR_TYPE_DOUBLE)) {
        ok = true;
    } else if (a->kind == SR_TYPE_FLOAT && b->kind == SR_TYPE_DOUBLE) {
        ok = true;
    } else if (a->kind == SR_TYPE_DECIMAL && b->kind == SR_TYPE_DECIMAL) {
        ok = a->scale == b->scale && b->precision >= a->precision;
    } else if (a->kind == SR_TYPE_DATE && b->kind == SR_TYPE_DATETIME) {
        ok = true;
    } else if (a->kind == SR_TYPE_VARBINARY && b->kind == SR_TYPE_VARBINARY) {
        ok = b->len >= a->len;
    } else if (b->kind == SR_TYPE_VARCHAR || b->kind == SR_TYPE_STRING) {
        /* numbers, decimals, dates -> strings */
        ok = ra || a->kind == SR_TYPE_FLOAT || a->kind == SR_TYPE_DOUBLE ||
             a->kind == SR_TYPE_DECIMAL || a->kind == SR_TYPE_DATE || a->kind == SR_TYPE_DATETIME;
    } else if (is_text(a->kind)) {
        /* strings -> numbers and dates: StarRocks converts the values (a job fails on one that
         * does not convert) */
        ok = rb || b->kind == SR_TYPE_FLOAT || b->kind == SR_TYPE_DOUBLE ||
             b->kind == SR_TYPE_DATE || b->kind == SR_TYPE_DATETIME;
    }
    if (!ok)
        return rt_err_set(err, RT_EINVAL, "Can not change %s to %s", an, bn);
    return 0;
}

static bool same_default(const sr_column_def *a, const sr_column_def *b)
{
    if (a->default_is_current_timestamp != b->default_is_current_timestamp)
        return false;
    if (!a->default_text || !b->default_text)
        return a->default_text == b->default_text;
    return strcmp(a->default_text, b->default_text) == 0;
}

/* ---- columns of a table ---- */

static void insert_column(table *t, size_t pos, sr_column_def col)
{
    size_t n = t->def.column_count;
    t->def.columns = xrealloc(t->def.columns, (n + 1) * sizeof(sr_column_def));
    memmove(&t->def.columns[pos + 1], &t->def.columns[pos], (n - pos) * sizeof(sr_column_def));
    t->def.columns[pos] = col;
    t->def.column_count = n + 1;
    for (size_t r = 0; r < t->count; r++) {
        sr_value *v = xrealloc(t->rows[r].v, (n + 1) * sizeof(sr_value));
        memmove(&v[pos + 1], &v[pos], (n - pos) * sizeof(sr_value));
        v[pos] = sr_store_column_fill(&t->def.columns[pos]);
        t->rows[r].v = v;
    }
}

/* Moves column from to position to (indices of the schema before the move). */
static void move_column(table *t, size_t from, size_t to)
{
    if (from == to)
        return;
    sr_column_def c = t->def.columns[from];
    if (from < to)
        memmove(&t->def.columns[from], &t->def.columns[from + 1], (to - from) * sizeof(c));
    else
        memmove(&t->def.columns[to + 1], &t->def.columns[to], (from - to) * sizeof(c));
    t->def.columns[to] = c;
    for (size_t r = 0; r < t->count; r++) {
        sr_value *v = t->rows[r].v, x = v[from];
        if (from < to)
            memmove(&v[from], &v[from + 1], (to - from) * sizeof(x));
        else
            memmove(&v[to + 1], &v[to], (from - to) * sizeof(x));
        v[to] = x;
    }
}

static void rename_in(char **names, size_t n, const char *from, const char *to)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(names[i], from) == 0) {
            free(names[i]);
            names[i] = xstrdup(to);
        }
}

static const char *rec_opt(json_t *rec, const char *key)
{
    return json_string_value(json_object_get(rec, key));
}

/* ---- ADD COLUMN ---- */

/* The target position of a value column added at FIRST / AFTER x / the end. */
static int add_position(const table *t, bool first, const char *after, size_t *pos, rt_err *err)
{
    *pos = t->def.column_count;
    if (first)
        *pos = 0;
    else if (after) {
        int a = sr_table_def_find(&t->def, after);
        if (a < 0)
            return rt_err_set(err, RT_EINVAL, "Column[%s] does not exists", after);
        *pos = (size_t)a + 1;
    }
    if (*pos < t->def.key_count)
        return rt_err_set(err, RT_EINVAL,
                          "Invalid column order. value should be after key. index[%s]",
                          t->def.name);
    return 0;
}

int sr_store_op_add_columns(sr_store *s, json_t *rec, bool live, rt_err *err)
{
    db *d;
    table *t;
    int rc = sr_store_lookup(s, sr_store_jstr(rec, "db"), sr_store_jstr(rec, "table"), &d, &t, err);
    if (rc || (rc = sr_store_check_normal(d, t, false, err)))
        return rc;
    /* "add_column" records (older logs) hold one column as "col". */
    json_t *arr = json_object_get(rec, "cols");
    json_t *one = json_object_get(rec, "col");
    size_t n = arr ? json_array_size(arr) : (one ? 1 : 0);
    if (n == 0)
        return rt_err_set(err, RT_ECORRUPT, "bad add_columns record");
    sr_column_def *cols = xcalloc(n, sizeof(sr_column_def));
    for (size_t i = 0; i < n && !rc; i++)
        if (sr_store_column_from_json(arr ? json_array_get(arr, i) : one, &cols[i]))
            rc = rt_err_set(err, RT_ECORRUPT, "bad column record");
    const char *after = rec_opt(rec, "after");
    bool first = json_is_true(json_object_get(rec, "first"));
    size_t pos = t->def.column_count;
    for (size_t i = 0; i < n && !rc; i++) {
        const sr_column_def *c = &cols[i];
        bool dup = sr_table_def_find(&t->def, c->name) >= 0;
        for (size_t k = 0; k < i; k++)
            dup |= strcasecmp(cols[k].name, c->name) == 0;
        if (dup)
            rc = rt_err_set(err, RT_EINVAL,
                            "Can not add column which already exists in base table: %s", c->name);
        else if (!c->nullable && !c->default_text && !c->default_is_current_timestamp)
            rc = rt_err_set(err, RT_EINVAL,
                            "Can not add column which is NOT NULL and has no default value: %s",
                            c->name);
        else
            rc = sr_store_check_default(c, err);
    }
    if (!rc && n == 1)
        rc = add_position(t, first, after, &pos, err);
    if (!rc) {
        job_ids(s, rec, live);
        if (live)
            rc = sr_store_log_append(s, rec, err);
    }
    if (rc) {
        for (size_t i = 0; i < n; i++)
            sr_column_def_fini(&cols[i]);
        free(cols);
        return rc;
    }
    for (size_t i = 0; i < n; i++)
        insert_column(t, pos + i, cols[i]);
    free(cols);
    new_job(d, t, rec, t->index_id, SR_ALTER_FINISHED);
    t->schema_version++;
    return 0;
}

/* ---- DROP COLUMN ---- */

int sr_store_op_drop_column(sr_store *s, json_t *rec, bool live, rt_err *err)
{
    db *d;
    table *t;
    int rc = sr_store_lookup(s, sr_store_jstr(rec, "db"), sr_store_jstr(rec, "table"), &d, &t, err);
    if (rc || (rc = sr_store_check_normal(d, t, false, err)))
        return rc;
    const char *name = sr_store_jstr(rec, "column");
    int c = sr_table_def_find(&t->def, name);
    if (c < 0)
        return rt_err_set(err, RT_EINVAL, "Column does not exists: %s", name);
    bool key = (size_t)c < t->def.key_count;
    if (key && t->def.model == SR_MODEL_PRIMARY_KEY)
        return rt_err_set(err, RT_EINVAL, "Can not drop key column in primary data model table");
    if (key && t->def.key_count == 1)
        return rt_err_set(err, RT_EINVAL, "No key column left. index[%s]", t->def.name);
    for (size_t i = 0; i < t->def.distributed_count; i++)
        if (strcasecmp(t->def.distributed_by[i], t->def.columns[c].name) == 0)
            return rt_err_set(err, RT_EINVAL, "Can not drop distribution column %s",
                              t->def.columns[c].name);
    job_ids(s, rec, live);
    if (live && (rc = sr_store_log_append(s, rec, err)))
        return rc;
    if (key) {
        /* A Duplicate Key table loses one sort-key column; the rest stay a prefix. */
        free(t->def.key_columns[c]);
        memmove(&t->def.key_columns[c], &t->def.key_columns[c + 1],
                (t->def.key_count - (size_t)c - 1) * sizeof(char *));
        t->def.key_count--;
    }
    size_t n = t->def.column_count;
    sr_column_def_fini(&t->def.columns[c]);
    memmove(&t->def.columns[c], &t->def.columns[c + 1],
            (n - (size_t)c - 1) * sizeof(sr_column_def));
    t->def.column_count = n - 1;
    for (size_t r = 0; r < t->count; r++) {
        sr_value *v = t->rows[r].v;
        sr_value_fini(&v[c]);
        memmove(&v[c], &v[c + 1], (n - (size_t)c - 1) * sizeof(sr_value));
    }
    new_job(d, t, rec, t->index_id, SR_ALTER_FINISHED);
    t->schema_version++;
    return 0;
}

/* ---- MODIFY COLUMN: a job ---- */

/* Checks the move of column c to FIRST / AFTER x. */
static int check_move(const table *t, int c, bool first, const char *after, rt_err *err)
{
    bool value = (size_t)c >= t->def.key_count;
    if (first && value && t->def.key_count > 0)
        return rt_err_set(err, RT_EINVAL,
                          "Invalid column order. value should be after key. index[%s]",
                          t->def.name);
    if (!after)
        return 0;
    int a = sr_table_def_find(&t->def, after);
    if (a < 0)
        return rt_err_set(err, RT_EINVAL, "Column[%s] does not exists", after);
    if (a == c)
        return rt_err_set(err, RT_EINVAL, "Column[%s] modify position is invalid", after);
    if (value && (size_t)a + 1 < t->def.key_count)
        return rt_err_set(err, RT_EINVAL,
                          "Invalid column order. value should be after key. index[%s]",
                          t->def.name);
    return 0;
}

int sr_store_op_modify_column(sr_store *s, json_t *rec, bool live, rt_err *err)
{
    db *d;
    table *t;
    int rc = sr_store_lookup(s, sr_store_jstr(rec, "db"), sr_store_jstr(rec, "table"), &d, &t, err);
    if (rc || (rc = sr_store_check_normal(d, t, false, err)))
        return rc;
    sr_column_def col;
    if (sr_store_column_from_json(json_object_get(rec, "col"), &col)) {
        sr_column_def_fini(&col);
        return rt_err_set(err, RT_ECORRUPT, "bad column record");
    }
    const char *after = rec_opt(rec, "after");
    bool first = json_is_true(json_object_get(rec, "first"));
    int c = sr_table_def_find(&t->def, col.name);
    const sr_column_def *old = c >= 0 ? &t->def.columns[c] : NULL;
    if (!old)
        rc = rt_err_set(err, RT_EINVAL, "Column[%s] does not exists", col.name);
    else if ((size_t)c < t->def.key_count && t->def.model == SR_MODEL_PRIMARY_KEY)
        rc = rt_err_set(err, RT_EINVAL, "Can not modify key column: %s for primary key table",
                        old->name);
    else if (!(rc = check_type_change(&old->type, &col.type, err))) {
        if (old->nullable && !col.nullable)
            rc = rt_err_set(err, RT_EINVAL, "Can not change from nullable to non-nullable");
        else if (!same_default(old, &col))
            rc = rt_err_set(err, RT_EINVAL, "Can not change default value");
        else if (!(rc = sr_store_check_default(&col, err)))
            rc = check_move(t, c, first, after, err);
    }
    if (!rc) {
        rec_id(s, rec, "index_id", live);
        job_ids(s, rec, live);
        rec_int(rec, "deadline_ms", live,
                json_integer_value(json_object_get(rec, "ts_ms")) + s->alter_delay_ms);
        if (live)
            rc = sr_store_log_append(s, rec, err);
    }
    if (rc) {
        sr_column_def_fini(&col);
        return rc;
    }
    free(col.name);
    col.name = xstrdup(old->name); /* the declared spelling */
    if (!col.comment)
        col.comment = xstrdup(old->comment);
    alter_job *j =
        new_job(d, t, rec, json_integer_value(json_object_get(rec, "index_id")), SR_ALTER_RUNNING);
    j->deadline_ms = json_integer_value(json_object_get(rec, "deadline_ms"));
    j->col = col;
    j->after = xstrdup(after);
    j->first = first;
    return 0;
}

static alter_job *find_job(db *d, int64_t id)
{
    for (size_t i = 0; i < d->njobs; i++)
        if (d->jobs[i].info.job_id == id)
            return &d->jobs[i];
    return NULL;
}

/* Converts column c of every row to the job's type into *out (t->count values). */
static int convert_rows(const table *t, int c, const sr_column_def *col, sr_value **out,
                        rt_err *err)
{
    sr_value *nv = xcalloc(t->count, sizeof(sr_value));
    int rc = 0;
    for (size_t r = 0; r < t->count && !rc; r++) {
        const sr_value *ov = &t->rows[r].v[c];
        if (ov->kind != SR_VALUE_TEXT)
            continue;
        rt_err e;
        rt_err_clear(&e);
        if (sr_value_convert(&col->type, col->name, ov->data, ov->len, &nv[r], &e))
            rc = rt_err_set(err, RT_EINVAL, "%s", e.msg);
    }
    if (rc) {
        for (size_t r = 0; r < t->count; r++)
            sr_value_fini(&nv[r]);
        free(nv);
        return rc;
    }
    *out = nv;
    return 0;
}

/* Applies a finished MODIFY job to t: the new definition, converted values, the new position. */
static void apply_modify(table *t, int c, alter_job *j, sr_value *nv)
{
    sr_column_def_fini(&t->def.columns[c]);
    t->def.columns[c] = j->col;
    memset(&j->col, 0, sizeof(j->col));
    for (size_t r = 0; r < t->count; r++) {
        sr_value_fini(&t->rows[r].v[c]);
        t->rows[r].v[c] = nv[r];
    }
    if (j->first || j->after) {
        int a = j->after ? sr_table_def_find(&t->def, j->after) : -1;
        size_t to = j->first ? 0 : (size_t)(a < c ? a + 1 : a);
        move_column(t, (size_t)c, to);
    }
    t->index_id = j->info.index_id;
    t->schema_version++;
}

int sr_store_op_alter_finish(sr_store *s, json_t *rec, bool live, rt_err *err)
{
    db *d;
    int rc = sr_store_lookup(s, sr_store_jstr(rec, "db"), NULL, &d, NULL, err);
    if (rc)
        return rc;
    alter_job *j = find_job(d, json_integer_value(json_object_get(rec, "job")));
    if (!j || j->info.state != SR_ALTER_RUNNING)
        return rt_err_set(err, RT_ESTATE, "no running alter job %lld",
                          (long long)json_integer_value(json_object_get(rec, "job")));
    rt_err why;
    rt_err_clear(&why);
    table *t = NULL;
    int c = -1;
    sr_value *nv = NULL;
    bool cancel = !live && strcmp(sr_store_jstr(rec, "state"), "FINISHED") != 0;
    if (!cancel && sr_store_lookup(s, d->name, j->info.table, NULL, &t, &why) == 0) {
        c = sr_table_def_find(&t->def, j->col.name);
        if (c < 0)
            cancel = rt_err_set(&why, RT_ESTATE, "Column[%s] does not exists", j->col.name) != 0;
        else
            cancel = convert_rows(t, c, &j->col, &nv, &why) != 0;
    } else {
        cancel = true;
    }
    if (!live && cancel && strcmp(sr_store_jstr(rec, "state"), "FINISHED") == 0)
        LOG_WARN("sr_store: replayed job %lld of %s.%s did not apply: %s",
                 (long long)j->info.job_id, d->name, j->info.table, why.msg);
    if (live) {
        json_object_set_new(rec, "state", json_string(cancel ? "CANCELLED" : "FINISHED"));
        json_object_set_new(rec, "msg", json_string(cancel ? why.msg : ""));
        if ((rc = sr_store_log_append(s, rec, err))) {
            for (size_t r = 0; nv && r < t->count; r++)
                sr_value_fini(&nv[r]);
            free(nv);
            return rc;
        }
    }
    /* The job ended at its deadline, whenever the store noticed. */
    j->info.finish_ms = j->deadline_ms;
    if (cancel) {
        j->info.state = SR_ALTER_CANCELLED;
        snprintf(j->info.msg, sizeof(j->info.msg), "%.255s",
                 live ? why.msg : sr_store_jstr(rec, "msg"));
        job_fini(j);
        return 0;
    }
    apply_modify(t, c, j, nv);
    free(nv);
    j->info.state = SR_ALTER_FINISHED;
    job_fini(j);
    return 0;
}

void sr_store_advance_jobs(sr_store *s)
{
    if (s->replaying)
        return;
    int64_t now = rt_clock_wall_ms();
    for (size_t i = 0; i < s->ndbs; i++) {
        db *d = s->dbs[i];
        for (size_t k = 0; k < d->njobs; k++) {
            /* d->jobs may move while a record runs: index, never keep a pointer. */
            if (d->jobs[k].info.state != SR_ALTER_RUNNING || d->jobs[k].deadline_ms > now)
                continue;
            json_t *rec = json_pack("{s:s,s:s,s:I}", "op", "alter_finish", "db", d->name, "job",
                                    (json_int_t)d->jobs[k].info.job_id);
            rt_err e;
            rt_err_clear(&e);
            if (sr_store_exec_record(s, rec, true, &e))
                LOG_WARN("sr_store: cannot finish alter job %lld: %s",
                         (long long)d->jobs[k].info.job_id, e.msg);
            else
                LOG_INFO("sr_store: alter job %lld on %s.%s %s", (long long)d->jobs[k].info.job_id,
                         d->name, d->jobs[k].info.table,
                         sr_alter_state_name(d->jobs[k].info.state));
            json_decref(rec);
        }
    }
}

/* ---- RENAME ---- */

int sr_store_op_rename_column(sr_store *s, json_t *rec, bool live, rt_err *err)
{
    db *d;
    table *t;
    int rc = sr_store_lookup(s, sr_store_jstr(rec, "db"), sr_store_jstr(rec, "table"), &d, &t, err);
    if (rc || (rc = sr_store_check_normal(d, t, false, err)))
        return rc;
    const char *from = sr_store_jstr(rec, "column"), *to = sr_store_jstr(rec, "to");
    int c = sr_table_def_find(&t->def, from);
    int other = sr_table_def_find(&t->def, to);
    if (c < 0)
        return rt_err_set(err, RT_EINVAL, "Column[%s] does not exists", from);
    if (!*to)
        return rt_err_set(err, RT_EINVAL, "New column name is empty");
    if (other >= 0 && other != c)
        return rt_err_set(err, RT_EINVAL, "Column[%s] already exists", to);
    if (live && (rc = sr_store_log_append(s, rec, err)))
        return rc;
    char *old = t->def.columns[c].name;
    rename_in(t->def.key_columns, t->def.key_count, old, to);
    rename_in(t->def.distributed_by, t->def.distributed_count, old, to);
    t->def.columns[c].name = xstrdup(to);
    free(old);
    t->schema_version++;
    return 0;
}

int sr_store_op_rename_table(sr_store *s, json_t *rec, bool live, rt_err *err)
{
    db *d;
    table *t;
    int rc = sr_store_lookup(s, sr_store_jstr(rec, "db"), sr_store_jstr(rec, "table"), &d, &t, err);
    if (rc || (rc = sr_store_check_normal(d, t, false, err)))
        return rc;
    const char *to = sr_store_jstr(rec, "to");
    if (!*to)
        return rt_err_set(err, RT_EINVAL, "New table name is empty");
    if (strcmp(to, t->def.name) == 0)
        return rt_err_set(err, RT_EINVAL, "Same table name");
    for (size_t i = 0; i < d->ntables; i++)
        if (strcmp(d->tables[i]->def.name, to) == 0)
            return rt_err_set(err, RT_EINVAL, "Table name[%s] is already used", to);
    if (live && (rc = sr_store_log_append(s, rec, err)))
        return rc;
    /* Prepared transactions follow the table (StarRocks keeps them by table id). */
    for (size_t i = 0; i < d->nlabels; i++)
        if (d->labels[i].state == SR_LABEL_PREPARED && d->labels[i].table &&
            strcmp(d->labels[i].table, t->def.name) == 0) {
            free(d->labels[i].table);
            d->labels[i].table = xstrdup(to);
        }
    free(t->def.name);
    t->def.name = xstrdup(to);
    return 0;
}

/* ---- SHOW ALTER TABLE COLUMN ---- */

int sr_store_alter_jobs(sr_store *s, const char *dbn, sr_alter_job_info **out, size_t *count,
                        rt_err *err)
{
    pthread_mutex_lock(&s->mu);
    sr_store_advance_jobs(s);
    db *d;
    int rc = sr_store_lookup(s, dbn, NULL, &d, NULL, err);
    if (!rc) {
        sr_alter_job_info *o = xcalloc(d->njobs, sizeof(*o));
        for (size_t i = 0; i < d->njobs; i++)
            o[i] = d->jobs[i].info;
        *out = o;
        *count = d->njobs;
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}
