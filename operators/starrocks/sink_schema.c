/* sink_schema: the starrocks sink's schema-change decisions (sink_schema.h). The rules, per
 * change type and behaviour, are the table in README "Schema evolution" (the starrocks sink);
 * each plan_* function below is one row of it. Every decision works on `proj`, the target as
 * the operations before it leave it, so the operations of one SC record compose (a rename
 * followed by a retype of the new name) and so do those of several queued records. */
#include "operators/starrocks/sink_schema.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "operators/starrocks/sink_ddl.h"
#include "operators/starrocks/source_ddl.h"
#include "operators/starrocks/sr_type_map.h"
#include "runtime/base/units.h"
#include "runtime/schema_diff.h"

/* --- Names and the config --- */

static const char *const behavior_names[] = {"lenient", "evolve", "try_evolve", "ignore",
                                             "exception"};
static const char *const change_names[] = {"create_table",   "add_column",    "drop_column",
                                           "rename_column",  "modify_column", "rename_table",
                                           "truncate_table", "drop_table"};

const char *op_sr_sc_behavior_name(op_sr_sc_behavior b)
{
    return (unsigned)b < 5 ? behavior_names[b] : "?";
}

const char *op_sr_sc_change_name(op_sr_sc_change c)
{
    return (unsigned)c < OP_SR_SC_CHANGE_COUNT ? change_names[c] : "?";
}

const char *op_sr_ddl_kind_name(op_sr_ddl_kind k)
{
    /* The DDL kinds and the change types share their first names. */
    static const char *const names[] = {"add_column",     "drop_column",  "rename_column",
                                        "modify_column",  "create_table", "rename_table",
                                        "truncate_table", "drop_table"};
    return (unsigned)k < sizeof names / sizeof *names ? names[k] : "?";
}

bool op_sr_ddl_kind_parse(const char *name, op_sr_ddl_kind *out)
{
    for (int k = OP_SR_DDL_ADD_COLUMN; k <= OP_SR_DDL_DROP_TABLE; k++) {
        if (strcmp(name, op_sr_ddl_kind_name((op_sr_ddl_kind)k)) == 0) {
            *out = (op_sr_ddl_kind)k;
            return true;
        }
    }
    return false;
}

static bool behavior_parse(const char *s, op_sr_sc_behavior *out)
{
    for (int b = 0; b < 5; b++) {
        if (strcmp(s, behavior_names[b]) == 0) {
            *out = (op_sr_sc_behavior)b;
            return true;
        }
    }
    return false;
}

#define BEHAVIOR_LIST "lenient, evolve, try_evolve, ignore or exception"
#define CHANGE_LIST                                                                                \
    "create_table, add_column, drop_column, rename_column, modify_column, rename_table, "          \
    "truncate_table or drop_table"

int op_sr_sc_policy_parse(const char *json, const char *path, op_sr_sc_policy *out, rt_err *err)
{
    op_sr_sc_policy p = {.behavior = OP_SR_SC_LENIENT, .timeout_ms = 600000};
    json_t *root = NULL;
    int rc = 0;
    if (json) {
        json_error_t jerr;
        root = json_loads(json, 0, &jerr);
        if (!json_is_object(root))
            rc = rt_err_set(err, RT_EINVAL,
                            "%s: expected an object {\"behavior\": ..., "
                            "\"overrides\": {...}, \"timeout\": ...}",
                            path);
    }
    json_t *overrides = NULL;
    const char *key;
    json_t *v;
    if (rc == 0 && root) {
        json_object_foreach(root, key, v)
        {
            if (strcmp(key, "behavior") == 0) {
                if (!json_is_string(v) || !behavior_parse(json_string_value(v), &p.behavior)) {
                    rc = rt_err_set(err, RT_EINVAL, "%s.behavior: expected " BEHAVIOR_LIST, path);
                    break;
                }
            } else if (strcmp(key, "overrides") == 0) {
                if (!json_is_object(v)) {
                    rc = rt_err_set(err, RT_EINVAL,
                                    "%s.overrides: expected an object of change type -> "
                                    "behaviour",
                                    path);
                    break;
                }
                overrides = v;
            } else if (strcmp(key, "timeout") == 0) {
                char num[32];
                const char *text = json_string_value(v);
                if (json_is_integer(v)) {
                    snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT "ms", json_integer_value(v));
                    text = num;
                }
                rt_err e = {0};
                if (!text || rt_duration_parse(text, &p.timeout_ms, &e) != 0 ||
                    p.timeout_ms < 1000) {
                    rc = rt_err_set(err, RT_EINVAL,
                                    "%s.timeout: expected a duration of at least 1s (\"10m\")",
                                    path);
                    break;
                }
            } else {
                rc = rt_err_set(err, RT_EINVAL,
                                "%s.%s: unknown key (behavior, overrides and timeout are)", path,
                                key);
                break;
            }
        }
    }
    for (int c = 0; c < OP_SR_SC_CHANGE_COUNT; c++)
        p.per_change[c] = p.behavior;
    if (rc == 0 && overrides) {
        json_object_foreach(overrides, key, v)
        {
            int c = 0;
            while (c < OP_SR_SC_CHANGE_COUNT && strcmp(key, change_names[c]) != 0)
                c++;
            if (c == OP_SR_SC_CHANGE_COUNT) {
                rc =
                    rt_err_set(err, RT_EINVAL,
                               "%s.overrides.%s: unknown change type (" CHANGE_LIST ")", path, key);
                break;
            }
            if (!json_is_string(v) || !behavior_parse(json_string_value(v), &p.per_change[c])) {
                rc = rt_err_set(err, RT_EINVAL, "%s.overrides.%s: expected " BEHAVIOR_LIST, path,
                                key);
                break;
            }
        }
    }
    json_decref(root);
    if (rc == 0)
        *out = p;
    return rc;
}

/* --- Operations --- */

void op_sr_ddl_op_fini(op_sr_ddl_op *op)
{
    if (!op)
        return;
    free(op->table);
    free(op->column);
    free(op->new_name);
    free(op->type);
    free(op->after);
    free(op->def);
    free(op->create);
    memset(op, 0, sizeof *op);
}

static bool dup_opt(const char *s, char **out)
{
    *out = s ? strdup(s) : NULL;
    return !s || *out;
}

int op_sr_ddl_op_copy(const op_sr_ddl_op *src, op_sr_ddl_op *dst, rt_err *err)
{
    op_sr_ddl_op d = *src;
    bool ok = dup_opt(src->table, &d.table);
    ok &= dup_opt(src->column, &d.column);
    ok &= dup_opt(src->new_name, &d.new_name);
    ok &= dup_opt(src->type, &d.type);
    ok &= dup_opt(src->after, &d.after);
    ok &= dup_opt(src->def, &d.def);
    ok &= dup_opt(src->create, &d.create);
    if (!ok) {
        op_sr_ddl_op_fini(&d);
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    }
    *dst = d;
    return 0;
}

void op_sr_sc_plan_fini(op_sr_sc_plan *p)
{
    for (size_t i = 0; i < p->op_count; i++)
        op_sr_ddl_op_fini(&p->ops[i]);
    free(p->ops);
    free(p->notes);
    op_sr_table_meta_free(p->after);
    memset(p, 0, sizeof *p);
}

/* --- The decision --- */

typedef struct planner {
    const op_sr_sc_policy *pol;
    const rt_record *sc;
    const char *db, *target;
    op_sr_sc_plan *plan;
    op_sr_table_meta *proj; /* == plan->after */
    rt_err *err;
} planner;

static int add_op(planner *p, const op_sr_ddl_op *op)
{
    op_sr_ddl_op *grown = realloc(p->plan->ops, (p->plan->op_count + 1) * sizeof *grown);
    if (!grown)
        return rt_err_set(p->err, RT_ENOMEM, "out of memory");
    p->plan->ops = grown;
    return op_sr_ddl_op_copy(op, &grown[p->plan->op_count++], p->err) == 0
               ? 0
               : (p->plan->op_count--, RT_ENOMEM);
}

static int add_note(planner *p, op_sr_sc_change c, bool converted, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int add_note(planner *p, op_sr_sc_change c, bool converted, const char *fmt, ...)
{
    op_sr_sc_note *grown = realloc(p->plan->notes, (p->plan->note_count + 1) * sizeof *grown);
    if (!grown)
        return rt_err_set(p->err, RT_ENOMEM, "out of memory");
    p->plan->notes = grown;
    op_sr_sc_note *n = &grown[p->plan->note_count++];
    n->change = c;
    n->behavior = p->pol->per_change[c];
    n->converted = converted;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(n->text, sizeof n->text, fmt, ap);
    va_end(ap);
    return 0;
}

/* The source DDL, for messages: at most 200 bytes of it. */
static int ddl_len(const rt_record *sc)
{
    uint32_t n = sc->change && sc->change->ddl ? sc->change->ddl_len : 0;
    return (int)(n > 200 ? 200 : n);
}

static const char *ddl_text(const rt_record *sc)
{
    return sc->change && sc->change->ddl ? sc->change->ddl : "";
}

static int refuse(planner *p, op_sr_sc_change c, const char *why)
{
    return rt_err_set(
        p->err, RT_EUNSUPPORTED, "starrocks: %s.%s: schema change %s (%s): %s; source DDL: %.*s",
        p->db, p->target, op_sr_sc_change_name(c), op_sr_sc_behavior_name(p->pol->per_change[c]),
        why, ddl_len(p->sc), ddl_text(p->sc));
}

static int exception(planner *p, op_sr_sc_change c)
{
    return refuse(p, c, "refused by \"schema_change\" behaviour exception");
}

static long proj_index(planner *p, const char *name)
{
    return p->proj ? op_sr_table_meta_column_index(p->proj, name) : -1;
}

/* The StarRocks type text of source column c (not a key: new columns never join the key). */
static int sr_type_of(planner *p, const rt_column *c, char *out, size_t size)
{
    op_sr_type t;
    int rc = op_sr_type_from_sql(c->name, c->sql_type, false, &t, NULL, p->err);
    if (rc != 0)
        return rt_err_prefix(p->err, rc, "starrocks: %s.%s: schema change", p->db, p->target);
    op_sr_type_format(&t, out, size);
    return 0;
}

/* Where an added column goes: after the column the source puts it after, when the target has
 * that column and the new one would not split the key (key columns stay a prefix, notes §6.1);
 * otherwise at the end. */
static const char *add_position(planner *p, const char *after)
{
    long a = after ? proj_index(p, after) : -1;
    if (a < 0)
        return NULL;
    size_t n = op_sr_table_meta_column_count(p->proj);
    if ((size_t)a + 1 < n && op_sr_table_meta_column_is_key(p->proj, (size_t)a + 1))
        return NULL;
    return op_sr_table_meta_column_name(p->proj, (size_t)a);
}

static int op_add(planner *p, op_sr_sc_change c, const char *name, const char *type,
                  const char *after)
{
    const char *pos = add_position(p, after);
    /* The rows the source already has hold its DEFAULT: so must the target's. */
    char def[256];
    const rt_schema_change *sc = p->sc->change;
    bool has_def = c == OP_SR_SC_ADD_COLUMN && sc && sc->ddl &&
                   op_sr_source_ddl_default(sc->ddl, sc->ddl_len, name, def, sizeof def);
    op_sr_ddl_op op = {.kind = OP_SR_DDL_ADD_COLUMN,
                       .change = c,
                       .behavior = p->pol->per_change[c],
                       .table = (char *)p->target,
                       .column = (char *)name,
                       .type = (char *)type,
                       .nullable = true,
                       .after = (char *)pos,
                       .def = has_def ? def : NULL};
    int rc = add_op(p, &op);
    return rc != 0 ? rc
                   : op_sr_table_meta_add_column(p->proj, name, type, true, false, pos, p->err);
}

static int op_modify(planner *p, op_sr_sc_change c, size_t i, const char *type, bool nullable)
{
    op_sr_ddl_op op = {.kind = OP_SR_DDL_MODIFY_COLUMN,
                       .change = c,
                       .behavior = p->pol->per_change[c],
                       .table = (char *)p->target,
                       .column = (char *)op_sr_table_meta_column_name(p->proj, i),
                       .type = (char *)type,
                       .nullable = nullable};
    int rc = add_op(p, &op);
    return rc != 0 ? rc : op_sr_table_meta_modify_column(p->proj, i, type, nullable, p->err);
}

/* A kept column the source no longer fills (lenient drop or rename): new rows carry no value
 * for it, so a NOT NULL one becomes nullable. */
static int keep_column(planner *p, op_sr_sc_change c, const char *name)
{
    long i = proj_index(p, name);
    if (i < 0)
        return 0;
    if (!op_sr_table_meta_column_is_nullable(p->proj, (size_t)i) &&
        !op_sr_table_meta_column_is_key(p->proj, (size_t)i)) {
        char type[64];
        snprintf(type, sizeof type, "%s", op_sr_table_meta_column_type(p->proj, (size_t)i));
        return op_modify(p, c, (size_t)i, type, true);
    }
    return add_note(p, c, false, "column %s kept; new rows leave it NULL", name);
}

static int plan_add(planner *p, const rt_column *col, const char *after)
{
    op_sr_sc_change c = OP_SR_SC_ADD_COLUMN;
    switch (p->pol->per_change[c]) {
    case OP_SR_SC_EXCEPTION:
        return exception(p, c);
    case OP_SR_SC_IGNORE:
        return add_note(p, c, true, "ADD COLUMN %s not applied: rows leave it out", col->name);
    default:
        break;
    }
    if (proj_index(p, col->name) >= 0) /* a sharded merge: another shard added it */
        return add_note(p, c, false, "ADD COLUMN %s: the target has it", col->name);
    char type[64];
    int rc = sr_type_of(p, col, type, sizeof type);
    return rc != 0 ? rc : op_add(p, c, col->name, type, after);
}

static int plan_drop(planner *p, const char *name)
{
    op_sr_sc_change c = OP_SR_SC_DROP_COLUMN;
    long i = proj_index(p, name);
    op_sr_sc_behavior b = p->pol->per_change[c];
    if (b == OP_SR_SC_EXCEPTION)
        return exception(p, c);
    if (i < 0)
        return add_note(p, c, false, "DROP COLUMN %s: the target lacks it", name);
    switch (b) {
    case OP_SR_SC_IGNORE:
        return add_note(p, c, true, "DROP COLUMN %s not applied: new rows leave it NULL%s", name,
                        op_sr_table_meta_column_is_nullable(p->proj, (size_t)i)
                            ? ""
                            : " (it is NOT NULL: StarRocks will reject them)");
    case OP_SR_SC_LENIENT:
        return keep_column(p, c, name);
    default:
        break;
    }
    if (op_sr_table_meta_column_is_key(p->proj, (size_t)i)) {
        if (b == OP_SR_SC_EVOLVE)
            return refuse(p, c, "StarRocks cannot drop a key column");
        return add_note(p, c, true, "DROP COLUMN %s not applied: a key column", name);
    }
    op_sr_ddl_op op = {.kind = OP_SR_DDL_DROP_COLUMN,
                       .change = c,
                       .behavior = b,
                       .table = (char *)p->target,
                       .column = (char *)name};
    int rc = add_op(p, &op);
    if (rc == 0)
        op_sr_table_meta_drop_column(p->proj, (size_t)i);
    return rc;
}

/* A type or nullability change of target column `name` to source column col's. */
static int plan_modify(planner *p, op_sr_sc_change c, const char *name, const rt_column *col)
{
    op_sr_sc_behavior b = p->pol->per_change[c];
    if (b == OP_SR_SC_EXCEPTION)
        return exception(p, c);
    long i = proj_index(p, name);
    if (i < 0)
        return add_note(p, c, true, "MODIFY COLUMN %s: the target lacks it", name);
    if (b == OP_SR_SC_IGNORE)
        return add_note(p, c, true, "MODIFY COLUMN %s not applied: values load into %s", name,
                        op_sr_table_meta_column_type(p->proj, (size_t)i));
    char want[64];
    int rc = sr_type_of(p, col, want, sizeof want);
    if (rc != 0)
        return rc;
    op_sr_type cur, next;
    bool cur_known =
        op_sr_type_parse(op_sr_table_meta_column_type(p->proj, (size_t)i), &cur, NULL) == 0;
    op_sr_type_parse(want, &next, NULL);
    bool is_null = op_sr_table_meta_column_is_nullable(p->proj, (size_t)i);
    bool key = op_sr_table_meta_column_is_key(p->proj, (size_t)i);
    bool same_type = cur_known && op_sr_type_equivalent(&cur, &next);
    bool widening = cur_known && op_sr_type_is_widening(&cur, &next);
    if (b == OP_SR_SC_LENIENT) {
        /* The column's type becomes the common type of what it holds and what comes (Flink CDC's
         * lenient type merge); it never turns NOT NULL. */
        op_sr_type merged = cur;
        if (!cur_known || op_sr_type_widen(&cur, &next, &merged, NULL) != 0)
            return add_note(p, c, true,
                            "MODIFY COLUMN %s %s: no common type with %s; values load into %s",
                            name, want, op_sr_table_meta_column_type(p->proj, (size_t)i),
                            op_sr_table_meta_column_type(p->proj, (size_t)i));
        bool nullable = is_null || col->nullable;
        if (op_sr_type_equivalent(&merged, &cur) && nullable == is_null)
            return add_note(p, c, true, "MODIFY COLUMN %s %s: %s holds the values", name, want,
                            op_sr_table_meta_column_type(p->proj, (size_t)i));
        if (key)
            return add_note(p, c, true, "MODIFY COLUMN %s not applied: a key column", name);
        char type[64];
        op_sr_type_format(&merged, type, sizeof type);
        return op_modify(p, c, (size_t)i, type, nullable);
    }
    if (same_type && col->nullable == is_null)
        return add_note(p, c, false, "MODIFY COLUMN %s: the target has type %s", name, want);
    const char *why = key                       ? "StarRocks cannot modify a key column"
                      : !same_type && !widening ? "StarRocks refuses a narrowing type change"
                                                : NULL;
    if (why) {
        if (b == OP_SR_SC_EVOLVE)
            return refuse(p, c, why);
        return add_note(p, c, true, "MODIFY COLUMN %s %s not applied (%s): values load into %s",
                        name, want, why, op_sr_table_meta_column_type(p->proj, (size_t)i));
    }
    return op_modify(p, c, (size_t)i, want, col->nullable);
}

static int plan_rename(planner *p, const rt_column_change *ch, const rt_column *col)
{
    /* The diff names a position for adds only: the new name goes where the source has it. */
    const char *prev = ch->after_index > 0
                           ? rt_table_column(p->sc->table, (size_t)ch->after_index - 1)->name
                           : NULL;
    op_sr_sc_change c = OP_SR_SC_RENAME_COLUMN;
    op_sr_sc_behavior b = p->pol->per_change[c];
    if (b == OP_SR_SC_EXCEPTION)
        return exception(p, c);
    if (b == OP_SR_SC_IGNORE)
        return add_note(p, c, true, "RENAME COLUMN %s TO %s not applied: rows leave %s out",
                        ch->name, ch->new_name, ch->new_name);
    long old = proj_index(p, ch->name), now = proj_index(p, ch->new_name);
    if (b == OP_SR_SC_LENIENT) {
        /* The old column keeps its values, the new one takes the new rows'. */
        int rc = 0;
        if (now < 0) {
            char type[64];
            rc = sr_type_of(p, col, type, sizeof type);
            if (rc == 0)
                rc = op_add(p, c, ch->new_name, type, prev);
        }
        return rc != 0 ? rc : keep_column(p, c, ch->name);
    }
    if (old < 0 || now >= 0) {
        if (now < 0) /* the target never had it: the new name is a new column to it */
            return plan_add(p, col, prev);
    } else if (op_sr_table_meta_column_is_key(p->proj, (size_t)old)) {
        if (b == OP_SR_SC_EVOLVE)
            return refuse(p, c, "StarRocks cannot rename a key column");
        return add_note(p, c, true, "RENAME COLUMN %s not applied: a key column", ch->name);
    } else {
        op_sr_ddl_op op = {.kind = OP_SR_DDL_RENAME_COLUMN,
                           .change = c,
                           .behavior = b,
                           .table = (char *)p->target,
                           .column = (char *)ch->name,
                           .new_name = (char *)ch->new_name};
        int rc = add_op(p, &op);
        if (rc == 0)
            rc = op_sr_table_meta_rename_column(p->proj, (size_t)old, ch->new_name, p->err);
        if (rc != 0)
            return rc;
    }
    if (ch->type_changed || ch->nullability_changed)
        return plan_modify(p, OP_SR_SC_MODIFY_COLUMN, ch->new_name, col);
    return 0;
}

static int plan_alter(planner *p)
{
    const rt_table *after = p->sc->table;
    const rt_table *before = p->sc->change ? p->sc->change->before : NULL;
    if (!p->proj)
        return add_note(p, OP_SR_SC_ADD_COLUMN, false, "the target table does not exist");
    if (!before) {
        /* Without the old schema only what the target lacks can be told apart: additions. */
        for (size_t j = 0; j < rt_table_column_count(after); j++) {
            const rt_column *col = rt_table_column(after, j);
            if (proj_index(p, col->name) < 0) {
                int rc = plan_add(p, col, j ? rt_table_column(after, j - 1)->name : NULL);
                if (rc != 0)
                    return rc;
            }
        }
        return 0;
    }
    size_t count = 0, max = 16;
    rt_column_change *changes = NULL;
    bool key_changed = false;
    int rc;
    for (;;) {
        rt_column_change *grown = realloc(changes, max * sizeof *grown);
        if (!grown) {
            free(changes);
            return rt_err_set(p->err, RT_ENOMEM, "out of memory");
        }
        changes = grown;
        rc = rt_schema_diff(before, after, p->sc->change->origin, changes, max, &count,
                            &key_changed, p->err);
        if (rc != 0 || count <= max)
            break;
        max = count;
    }
    if (rc == 0 && key_changed)
        rc = rt_err_set(p->err, RT_EUNSUPPORTED,
                        "starrocks: %s.%s: the source's primary key changed (%.*s); StarRocks "
                        "cannot change a table's key: recreate %s.%s with the new key and "
                        "restart the job with startup \"initial\", or route the table to a new "
                        "target",
                        p->db, p->target, ddl_len(p->sc), ddl_text(p->sc), p->db, p->target);
    for (size_t k = 0; rc == 0 && k < count; k++) {
        const rt_column_change *ch = &changes[k];
        const rt_column *col =
            ch->after_index >= 0 ? rt_table_column(after, (size_t)ch->after_index) : NULL;
        switch (ch->kind) {
        case RT_COLUMN_ADD:
            rc = plan_add(p, col, ch->after_column);
            break;
        case RT_COLUMN_DROP:
            rc = plan_drop(p, ch->name);
            break;
        case RT_COLUMN_RENAME:
            rc = plan_rename(p, ch, col);
            break;
        case RT_COLUMN_MODIFY:
            rc = plan_modify(p, OP_SR_SC_MODIFY_COLUMN, ch->name, col);
            break;
        }
    }
    free(changes);
    return rc;
}

/* Table-level changes: CREATE, RENAME, TRUNCATE, DROP. */
static int plan_table(planner *p, op_sr_sc_change c, bool fixed, const op_sr_sc_create *create)
{
    op_sr_sc_behavior b = p->pol->per_change[c];
    if (b == OP_SR_SC_EXCEPTION)
        return exception(p, c);
    op_sr_ddl_op op = {.change = c, .behavior = b, .table = (char *)p->target};
    const rt_table *before = p->sc->change ? p->sc->change->before : NULL;
    switch (c) {
    case OP_SR_SC_CREATE_TABLE: {
        if (p->proj)
            return add_note(p, c, false, "CREATE TABLE: %s.%s exists", p->db, p->target);
        if (b == OP_SR_SC_IGNORE)
            return add_note(p, c, false, "CREATE TABLE not applied: create %s.%s yourself", p->db,
                            p->target);
        rt_buf sql;
        rt_buf_init(&sql);
        op_sr_table_meta *m = NULL;
        int rc = op_sr_ddl_create_sql(p->sc->table, p->db, p->target, create, &sql, &m, p->err);
        if (rc == 0) {
            op.kind = OP_SR_DDL_CREATE_TABLE;
            op.create = sql.data;
            rc = add_op(p, &op);
        }
        rt_buf_fini(&sql);
        if (rc == 0) {
            p->plan->after = m;
            p->proj = m;
        } else {
            op_sr_table_meta_free(m);
        }
        return rc;
    }
    case OP_SR_SC_RENAME_TABLE:
        if (fixed)
            return add_note(p, c, false,
                            "RENAME TABLE: the sink loads into %s.%s whatever the "
                            "source table is called",
                            p->db, p->target);
        if (b == OP_SR_SC_IGNORE || !before)
            return add_note(p, c, false, "RENAME TABLE not applied: rows go to %s.%s", p->db,
                            p->target);
        op.kind = OP_SR_DDL_RENAME_TABLE;
        op.table = (char *)rt_table_name(before);
        op.new_name = (char *)p->target;
        return add_op(p, &op);
    case OP_SR_SC_TRUNCATE_TABLE:
    case OP_SR_SC_DROP_TABLE:
        /* Only evolve and try_evolve delete rows: lenient keeps every value. */
        if (b != OP_SR_SC_EVOLVE && b != OP_SR_SC_TRY_EVOLVE)
            return add_note(p, c, false, "%s not applied",
                            c == OP_SR_SC_TRUNCATE_TABLE ? "TRUNCATE TABLE" : "DROP TABLE");
        if (!p->proj)
            return add_note(p, c, false, "%s: %s.%s does not exist",
                            c == OP_SR_SC_TRUNCATE_TABLE ? "TRUNCATE TABLE" : "DROP TABLE", p->db,
                            p->target);
        op.kind = c == OP_SR_SC_TRUNCATE_TABLE ? OP_SR_DDL_TRUNCATE_TABLE : OP_SR_DDL_DROP_TABLE;
        int rc = add_op(p, &op);
        if (rc == 0 && c == OP_SR_SC_DROP_TABLE) {
            op_sr_table_meta_free(p->plan->after);
            p->plan->after = p->proj = NULL;
        }
        return rc;
    default:
        return 0;
    }
}

int op_sr_sc_plan_make(const op_sr_sc_policy *pol, const rt_record *sc, const char *db,
                       const char *target, bool fixed, const op_sr_table_meta *meta,
                       const op_sr_sc_create *create, op_sr_sc_plan *out, rt_err *err)
{
    op_sr_sc_plan plan = {0};
    planner p = {.pol = pol, .sc = sc, .db = db, .target = target, .plan = &plan, .err = err};
    int rc = meta ? op_sr_table_meta_copy(meta, &plan.after, err) : 0;
    p.proj = plan.after;
    if (rc == 0) {
        switch (sc->change ? sc->change->kind : RT_SCHEMA_ALTER_TABLE) {
        case RT_SCHEMA_CREATE_TABLE:
            rc = plan_table(&p, OP_SR_SC_CREATE_TABLE, fixed, create);
            break;
        case RT_SCHEMA_RENAME_TABLE:
            rc = plan_table(&p, OP_SR_SC_RENAME_TABLE, fixed, create);
            break;
        case RT_SCHEMA_TRUNCATE_TABLE:
            rc = plan_table(&p, OP_SR_SC_TRUNCATE_TABLE, fixed, create);
            break;
        case RT_SCHEMA_DROP_TABLE:
            rc = plan_table(&p, OP_SR_SC_DROP_TABLE, fixed, create);
            break;
        default:
            rc = plan_alter(&p);
            break;
        }
    }
    if (rc != 0) {
        op_sr_sc_plan_fini(&plan);
        return rc;
    }
    *out = plan;
    return 0;
}

int op_sr_sc_project(const op_sr_ddl_op *op, op_sr_table_meta **meta, op_sr_table_meta **renamed,
                     rt_err *err)
{
    op_sr_table_meta *m = *meta;
    long i = m && op->column ? op_sr_table_meta_column_index(m, op->column) : -1;
    switch (op->kind) {
    case OP_SR_DDL_ADD_COLUMN:
        if (!m || i >= 0)
            return 0;
        return op_sr_table_meta_add_column(m, op->column, op->type, true, false, op->after, err);
    case OP_SR_DDL_DROP_COLUMN:
        if (i >= 0)
            op_sr_table_meta_drop_column(m, (size_t)i);
        return 0;
    case OP_SR_DDL_RENAME_COLUMN:
        return i >= 0 ? op_sr_table_meta_rename_column(m, (size_t)i, op->new_name, err) : 0;
    case OP_SR_DDL_MODIFY_COLUMN:
        return i >= 0 ? op_sr_table_meta_modify_column(m, (size_t)i, op->type, op->nullable, err)
                      : 0;
    case OP_SR_DDL_CREATE_TABLE: {
        if (m)
            return 0;
        return op_sr_table_meta_parse(op->create, strlen(op->create), meta, err);
    }
    case OP_SR_DDL_RENAME_TABLE:
        op_sr_table_meta_free(m);
        *meta = renamed ? *renamed : NULL;
        if (renamed)
            *renamed = NULL;
        return 0;
    case OP_SR_DDL_DROP_TABLE:
        op_sr_table_meta_free(m);
        *meta = NULL;
        return 0;
    case OP_SR_DDL_TRUNCATE_TABLE:
        return 0;
    }
    return 0;
}
