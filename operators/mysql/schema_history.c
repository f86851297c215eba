/* The schema history: versions per table, DDL applied as a new version, lookups by position.
 * A statement is applied to drafts first and committed at the end, so a failure leaves the
 * history as it was and a RENAME chain (a TO tmp, b TO a, tmp TO b) sees its own steps. */
#include "operators/mysql/schema_history.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "operators/basic/sql_type.h"
#include "operators/mysql/binlog_position.h"
#include "operators/mysql/schema_history_int.h"

int op_schema_pos_compare(op_schema_pos a, op_schema_pos b)
{
    int c = op_binlog_file_compare(a.file ? a.file : "", b.file ? b.file : "");
    if (c)
        return c;
    return a.offset < b.offset ? -1 : a.offset > b.offset;
}

static op_schema_pos pos_of(const op_schema_version *v)
{
    op_schema_pos p = {v->file, v->offset};
    return p;
}

op_schema_history *op_schema_history_new(void)
{
    return calloc(1, sizeof(op_schema_history));
}

void op_schema_version_fini(op_schema_version *v)
{
    for (size_t i = 0; i < v->count; i++) {
        free(v->cols[i].name);
        free(v->cols[i].type);
        free(v->cols[i].default_value);
    }
    free(v->cols);
    free(v->file);
    memset(v, 0, sizeof *v);
}

void op_schema_history_free(op_schema_history *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->count; i++) {
        op_schema_table *e = &h->t[i];
        for (size_t k = 0; k < e->count; k++)
            op_schema_version_fini(&e->v[k]);
        free(e->v);
        free(e->db);
        free(e->name);
    }
    free(h->t);
    free(h);
}

op_schema_table *op_schema_history_entry(op_schema_history *h, const char *db, const char *name,
                                         bool create)
{
    for (size_t i = 0; i < h->count; i++)
        if (strcmp(h->t[i].db, db) == 0 && strcmp(h->t[i].name, name) == 0)
            return &h->t[i];
    if (!create)
        return NULL;
    if (h->count == h->cap) {
        size_t ncap = h->cap ? h->cap * 2 : 8;
        op_schema_table *n = realloc(h->t, ncap * sizeof *n);
        if (!n)
            return NULL;
        h->t = n;
        h->cap = ncap;
    }
    op_schema_table *e = &h->t[h->count];
    memset(e, 0, sizeof *e);
    e->db = strdup(db);
    e->name = strdup(name);
    if (!e->db || !e->name) {
        free(e->db);
        free(e->name);
        return NULL;
    }
    h->count++;
    return e;
}

int op_schema_table_push(op_schema_table *e, op_schema_version *v)
{
    if (e->count && op_schema_pos_compare(pos_of(&e->v[e->count - 1]), pos_of(v)) == 0) {
        op_schema_version_fini(&e->v[e->count - 1]);
        e->v[e->count - 1] = *v;
        memset(v, 0, sizeof *v);
        return 0;
    }
    if (e->count == e->cap) {
        size_t ncap = e->cap ? e->cap * 2 : 4;
        op_schema_version *n = realloc(e->v, ncap * sizeof *n);
        if (!n)
            return RT_ENOMEM;
        e->v = n;
        e->cap = ncap;
    }
    e->v[e->count++] = *v;
    memset(v, 0, sizeof *v);
    return 0;
}

static const op_schema_version *latest(const op_schema_table *e)
{
    return e && e->count ? &e->v[e->count - 1] : NULL;
}

/* The version of e in force at pos, NULL when none. */
static const op_schema_version *version_at(const op_schema_table *e, op_schema_pos pos)
{
    if (!e)
        return NULL;
    for (size_t i = e->count; i > 0; i--)
        if (op_schema_pos_compare(pos_of(&e->v[i - 1]), pos) <= 0)
            return &e->v[i - 1];
    return NULL;
}

/* ---- drafts ---------------------------------------------------------------------------------- */

static int col_add(op_schema_version *v, size_t at, const char *name, const char *type,
                   const char *default_value, bool nullable, uint16_t key_seq)
{
    if (v->count == v->cap) {
        size_t ncap = v->cap ? v->cap * 2 : 8;
        op_schema_column *n = realloc(v->cols, ncap * sizeof *n);
        if (!n)
            return RT_ENOMEM;
        v->cols = n;
        v->cap = ncap;
    }
    op_schema_column c = {strdup(name), strdup(type), default_value ? strdup(default_value) : NULL,
                          nullable, key_seq};
    if (!c.name || !c.type || (default_value && !c.default_value)) {
        free(c.name);
        free(c.type);
        free(c.default_value);
        return RT_ENOMEM;
    }
    memmove(&v->cols[at + 1], &v->cols[at], (v->count - at) * sizeof *v->cols);
    v->cols[at] = c;
    v->count++;
    return 0;
}

static int version_copy(op_schema_version *dst, const op_schema_version *src, op_schema_pos pos)
{
    memset(dst, 0, sizeof *dst);
    dst->file = strdup(pos.file ? pos.file : "");
    dst->offset = pos.offset;
    if (!dst->file)
        return RT_ENOMEM;
    for (size_t i = 0; src && i < src->count; i++) {
        const op_schema_column *c = &src->cols[i];
        int rc =
            col_add(dst, dst->count, c->name, c->type, c->default_value, c->nullable, c->key_seq);
        if (rc) {
            op_schema_version_fini(dst);
            return rc;
        }
    }
    return 0;
}

static long col_find(const op_schema_version *v, const char *name)
{
    for (size_t i = 0; i < v->count; i++)
        if (strcasecmp(v->cols[i].name, name) == 0)
            return (long)i;
    return -1;
}

/* A statement in progress: the versions it makes, in order, per table name. */
typedef struct pending {
    const char *db, *name; /* borrowed from the statement */
    op_schema_version v;
} pending;

typedef struct stmt {
    op_schema_history *h;
    op_schema_pos pos;
    pending *p;
    size_t count, cap;
    rt_err *err;
} stmt;

/* The current version of db.name during the statement: its last draft, else the history's
 * latest; NULL when it does not exist (never created, or dropped). */
static const op_schema_version *current(const stmt *s, const char *db, const char *name)
{
    for (size_t i = s->count; i > 0; i--)
        if (strcmp(s->p[i - 1].db, db) == 0 && strcmp(s->p[i - 1].name, name) == 0)
            return s->p[i - 1].v.dropped ? NULL : &s->p[i - 1].v;
    const op_schema_version *v = latest(op_schema_history_entry(s->h, db, name, false));
    return v && !v->dropped ? v : NULL;
}

/* Takes v into the statement. */
static int stage(stmt *s, const op_ddl_name *n, op_schema_version *v)
{
    if (s->count == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 4;
        pending *np = realloc(s->p, ncap * sizeof *np);
        if (!np) {
            op_schema_version_fini(v);
            return rt_err_set(s->err, RT_ENOMEM, "schema history: out of memory");
        }
        s->p = np;
        s->cap = ncap;
    }
    s->p[s->count].db = n->db;
    s->p[s->count].name = n->table;
    s->p[s->count].v = *v;
    s->count++;
    memset(v, 0, sizeof *v);
    return 0;
}

static int stage_drop(stmt *s, const op_ddl_name *n)
{
    op_schema_version v;
    if (version_copy(&v, NULL, s->pos))
        return rt_err_set(s->err, RT_ENOMEM, "schema history: out of memory");
    v.dropped = true;
    return stage(s, n, &v);
}

static int not_found(stmt *s, const char *what, const op_ddl_name *n)
{
    return rt_err_set(s->err, RT_ENOTFOUND, "%s %s.%s: table not in the schema history", what,
                      n->db, n->table);
}

/* ---- alterations ------------------------------------------------------------------------------
 */

static void key_remove(op_schema_version *v, uint16_t seq)
{
    if (seq == 0)
        return;
    for (size_t i = 0; i < v->count; i++)
        if (v->cols[i].key_seq > seq)
            v->cols[i].key_seq--;
}

static int key_set(stmt *s, op_schema_version *v, const op_ddl_name *n, char *const *key,
                   size_t count)
{
    if (count > UINT16_MAX)
        return rt_err_set(s->err, RT_EINVAL, "%s.%s: primary key of %zu columns", n->db, n->table,
                          count);
    for (size_t i = 0; i < v->count; i++)
        v->cols[i].key_seq = 0;
    for (size_t k = 0; k < count; k++) {
        long i = col_find(v, key[k]);
        if (i < 0)
            return rt_err_set(s->err, RT_ENOTFOUND, "%s.%s: primary key column %s not found", n->db,
                              n->table, key[k]);
        v->cols[i].key_seq = (uint16_t)(k + 1);
        v->cols[i].nullable = false;
    }
    return 0;
}

/* Moves column i to the place the alteration names (DEFAULT: stays). */
static int place(stmt *s, op_schema_version *v, const op_ddl_name *n, size_t i,
                 const op_ddl_alter *a)
{
    if (a->place == OP_DDL_PLACE_DEFAULT)
        return 0;
    op_schema_column c = v->cols[i];
    memmove(&v->cols[i], &v->cols[i + 1], (v->count - i - 1) * sizeof *v->cols);
    v->count--;
    size_t at = 0;
    if (a->place == OP_DDL_PLACE_AFTER) {
        long j = col_find(v, a->after);
        if (j < 0) {
            v->count++;
            memmove(&v->cols[i + 1], &v->cols[i], (v->count - i - 1) * sizeof *v->cols);
            v->cols[i] = c;
            return rt_err_set(s->err, RT_ENOTFOUND, "%s.%s: AFTER column %s not found", n->db,
                              n->table, a->after);
        }
        at = (size_t)j + 1;
    }
    memmove(&v->cols[at + 1], &v->cols[at], (v->count - at) * sizeof *v->cols);
    v->cols[at] = c;
    v->count++;
    return 0;
}

/* Replaces column i's name, type and nullability with def (MODIFY, CHANGE). */
static int redefine(stmt *s, op_schema_version *v, const op_ddl_name *n, size_t i,
                    const op_ddl_column *def)
{
    long other = col_find(v, def->name);
    if (other >= 0 && (size_t)other != i)
        return rt_err_set(s->err, RT_EEXIST, "%s.%s: duplicate column %s", n->db, n->table,
                          def->name);
    /* MODIFY and CHANGE restate the whole definition: a default they leave out is gone. */
    char *name = strdup(def->name), *type = strdup(def->type);
    char *dflt = def->default_value ? strdup(def->default_value) : NULL;
    if (!name || !type || (def->default_value && !dflt)) {
        free(name);
        free(type);
        free(dflt);
        return rt_err_set(s->err, RT_ENOMEM, "schema history: out of memory");
    }
    op_schema_column *c = &v->cols[i];
    free(c->name);
    free(c->type);
    free(c->default_value);
    c->name = name;
    c->type = type;
    c->default_value = dflt;
    c->nullable = def->nullable && c->key_seq == 0;
    if (def->primary_key) {
        char *key[1] = {def->name};
        return key_set(s, v, n, key, 1);
    }
    return 0;
}

static int alter_one(stmt *s, op_schema_version *v, const op_ddl_name *n, const op_ddl_alter *a)
{
    const char *col = a->kind == OP_DDL_MODIFY_COLUMN ? a->column.name : a->name;
    long i = col ? col_find(v, col) : -1;
    bool needs = a->kind == OP_DDL_DROP_COLUMN || a->kind == OP_DDL_MODIFY_COLUMN ||
                 a->kind == OP_DDL_CHANGE_COLUMN || a->kind == OP_DDL_RENAME_COLUMN ||
                 a->kind == OP_DDL_ALTER_DEFAULT;
    if (needs && i < 0)
        return a->if_exists ? 0
                            : rt_err_set(s->err, RT_ENOTFOUND, "%s.%s: column %s not found", n->db,
                                         n->table, col);
    int rc = 0;
    switch (a->kind) {
    case OP_DDL_ADD_COLUMN: {
        if (col_find(v, a->column.name) >= 0)
            return a->if_exists ? 0
                                : rt_err_set(s->err, RT_EEXIST, "%s.%s: duplicate column %s", n->db,
                                             n->table, a->column.name);
        if (col_add(v, v->count, a->column.name, a->column.type, a->column.default_value,
                    a->column.nullable, 0))
            return rt_err_set(s->err, RT_ENOMEM, "schema history: out of memory");
        rc = place(s, v, n, v->count - 1, a);
        if (rc == 0 && a->column.primary_key) {
            char *key[1] = {a->column.name};
            rc = key_set(s, v, n, key, 1);
        }
        return rc;
    }
    case OP_DDL_DROP_COLUMN: {
        uint16_t seq = v->cols[i].key_seq;
        free(v->cols[i].name);
        free(v->cols[i].type);
        free(v->cols[i].default_value);
        memmove(&v->cols[i], &v->cols[i + 1], (v->count - (size_t)i - 1) * sizeof *v->cols);
        v->count--;
        key_remove(v, seq);
        return 0;
    }
    case OP_DDL_MODIFY_COLUMN:
    case OP_DDL_CHANGE_COLUMN:
        rc = redefine(s, v, n, (size_t)i, &a->column);
        return rc ? rc : place(s, v, n, (size_t)i, a);
    case OP_DDL_RENAME_COLUMN: {
        long other = col_find(v, a->new_name);
        if (other >= 0 && other != i)
            return rt_err_set(s->err, RT_EEXIST, "%s.%s: duplicate column %s", n->db, n->table,
                              a->new_name);
        char *nn = strdup(a->new_name);
        if (!nn)
            return rt_err_set(s->err, RT_ENOMEM, "schema history: out of memory");
        free(v->cols[i].name);
        v->cols[i].name = nn;
        return 0;
    }
    case OP_DDL_ADD_PRIMARY_KEY:
        return key_set(s, v, n, a->key, a->key_count);
    case OP_DDL_DROP_PRIMARY_KEY:
        for (size_t k = 0; k < v->count; k++)
            v->cols[k].key_seq = 0;
        return 0;
    case OP_DDL_RENAME_TO:
        return 0; /* handled by the caller */
    case OP_DDL_ALTER_DEFAULT: {
        /* The statement has the literal as written; the column's type shapes its text. */
        char *dflt = NULL;
        if (a->column.default_value) {
            rt_buf b;
            rt_buf_init(&b);
            if (op_ddl_default_normalize(a->column.default_value, strlen(a->column.default_value),
                                         v->cols[i].type, &b))
                dflt = rt_buf_take(&b);
            rt_buf_fini(&b);
        }
        free(v->cols[i].default_value);
        v->cols[i].default_value = dflt;
        return 0;
    }
    }
    return 0;
}

/* ---- statements --------------------------------------------------------------------------- */

static int apply_create(stmt *s, const op_ddl *d)
{
    const op_ddl_name *n = op_ddl_table_at(d, 0);
    if (op_ddl_if_not_exists(d) && current(s, n->db, n->table))
        return 0;
    op_schema_version v;
    const op_ddl_name *like = op_ddl_like(d);
    const op_schema_version *src = NULL;
    if (like && !(src = current(s, like->db, like->table)))
        return not_found(s, "create table like", like);
    if (version_copy(&v, src, s->pos))
        return rt_err_set(s->err, RT_ENOMEM, "schema history: out of memory");
    for (size_t i = 0; i < op_ddl_column_count(d); i++) {
        const op_ddl_column *c = op_ddl_column_at(d, i);
        if (col_find(&v, c->name) >= 0) {
            op_schema_version_fini(&v);
            return rt_err_set(s->err, RT_EEXIST, "%s.%s: duplicate column %s", n->db, n->table,
                              c->name);
        }
        if (col_add(&v, v.count, c->name, c->type, c->default_value, c->nullable, 0)) {
            op_schema_version_fini(&v);
            return rt_err_set(s->err, RT_ENOMEM, "schema history: out of memory");
        }
    }
    size_t kc = op_ddl_key_count(d);
    if (kc) {
        char **key = malloc(kc * sizeof *key);
        int rc = key ? 0 : rt_err_set(s->err, RT_ENOMEM, "schema history: out of memory");
        for (size_t k = 0; rc == 0 && k < kc; k++)
            key[k] = (char *)op_ddl_key_at(d, k);
        if (rc == 0)
            rc = key_set(s, &v, n, key, kc);
        free(key);
        if (rc) {
            op_schema_version_fini(&v);
            return rc;
        }
    }
    return stage(s, n, &v);
}

static int apply_alter(stmt *s, const op_ddl *d)
{
    const op_ddl_name *n = op_ddl_table_at(d, 0);
    if (op_ddl_alter_count(d) == 0)
        return 0;
    const op_schema_version *cur = current(s, n->db, n->table);
    if (!cur)
        return not_found(s, "alter table", n);
    op_schema_version v;
    if (version_copy(&v, cur, s->pos))
        return rt_err_set(s->err, RT_ENOMEM, "schema history: out of memory");
    const op_ddl_name *to = n;
    for (size_t i = 0; i < op_ddl_alter_count(d); i++) {
        const op_ddl_alter *a = op_ddl_alter_at(d, i);
        int rc = alter_one(s, &v, n, a);
        if (rc) {
            op_schema_version_fini(&v);
            return rc;
        }
        if (a->kind == OP_DDL_RENAME_TO)
            to = &a->table;
    }
    if (v.count == 0) {
        op_schema_version_fini(&v);
        return rt_err_set(s->err, RT_EINVAL, "alter table %s.%s: drops every column", n->db,
                          n->table);
    }
    if (to != n && (strcmp(to->db, n->db) != 0 || strcmp(to->table, n->table) != 0)) {
        int rc = stage_drop(s, n);
        if (rc) {
            op_schema_version_fini(&v);
            return rc;
        }
    }
    return stage(s, to, &v);
}

static int apply_rename(stmt *s, const op_ddl *d)
{
    for (size_t i = 0; i + 1 < op_ddl_table_count(d); i += 2) {
        const op_ddl_name *from = op_ddl_table_at(d, i), *to = op_ddl_table_at(d, i + 1);
        const op_schema_version *cur = current(s, from->db, from->table);
        if (!cur)
            return not_found(s, "rename table", from);
        op_schema_version v;
        if (version_copy(&v, cur, s->pos))
            return rt_err_set(s->err, RT_ENOMEM, "schema history: out of memory");
        int rc = stage_drop(s, from);
        if (rc) {
            op_schema_version_fini(&v);
            return rc;
        }
        if ((rc = stage(s, to, &v)) != 0)
            return rc;
    }
    return 0;
}

/* True when a table the statement names already has a version at or after pos. */
static bool seen(stmt *s, const op_ddl *d)
{
    for (size_t i = 0; i < op_ddl_table_count(d); i++) {
        const op_ddl_name *n = op_ddl_table_at(d, i);
        const op_schema_version *v = latest(op_schema_history_entry(s->h, n->db, n->table, false));
        if (v && op_schema_pos_compare(pos_of(v), s->pos) >= 0)
            return true;
    }
    for (size_t i = 0; i < op_ddl_alter_count(d); i++) {
        const op_ddl_alter *a = op_ddl_alter_at(d, i);
        if (a->kind != OP_DDL_RENAME_TO)
            continue;
        const op_schema_version *v =
            latest(op_schema_history_entry(s->h, a->table.db, a->table.table, false));
        if (v && op_schema_pos_compare(pos_of(v), s->pos) >= 0)
            return true;
    }
    return false;
}

static int commit(stmt *s)
{
    /* Make every entry and its room first: the pushes below then cannot fail, and nothing is
     * left half-done. */
    for (size_t i = 0; i < s->count; i++) {
        op_schema_table *e = op_schema_history_entry(s->h, s->p[i].db, s->p[i].name, true);
        if (!e)
            return rt_err_set(s->err, RT_ENOMEM, "schema history: out of memory");
        if (e->cap < e->count + s->count) {
            size_t ncap = e->count + s->count;
            op_schema_version *nv = realloc(e->v, ncap * sizeof *nv);
            if (!nv)
                return rt_err_set(s->err, RT_ENOMEM, "schema history: out of memory");
            e->v = nv;
            e->cap = ncap;
        }
    }
    for (size_t i = 0; i < s->count; i++) {
        op_schema_table *e = op_schema_history_entry(s->h, s->p[i].db, s->p[i].name, false);
        int rc = e ? op_schema_table_push(e, &s->p[i].v) : RT_EINTERNAL;
        RT_ASSERT(rc == 0);
    }
    return 0;
}

int op_schema_history_apply(op_schema_history *h, const op_ddl *d, op_schema_pos pos, bool *applied,
                            rt_err *err)
{
    stmt s = {.h = h, .pos = pos, .err = err};
    if (seen(&s, d)) {
        if (applied)
            *applied = false;
        return 0;
    }
    int rc = 0;
    switch (op_ddl_kind_of(d)) {
    case OP_DDL_CREATE_TABLE:
        rc = apply_create(&s, d);
        break;
    case OP_DDL_ALTER_TABLE:
        rc = apply_alter(&s, d);
        break;
    case OP_DDL_DROP_TABLE:
        for (size_t i = 0; rc == 0 && i < op_ddl_table_count(d); i++) {
            const op_ddl_name *n = op_ddl_table_at(d, i);
            if (current(&s, n->db, n->table))
                rc = stage_drop(&s, n);
        }
        break;
    case OP_DDL_RENAME_TABLE:
        rc = apply_rename(&s, d);
        break;
    case OP_DDL_TRUNCATE_TABLE:
        break;
    }
    if (rc == 0)
        rc = commit(&s);
    for (size_t i = 0; i < s.count; i++)
        op_schema_version_fini(&s.p[i].v);
    free(s.p);
    if (rc == 0 && applied)
        *applied = true;
    return rc;
}

int op_schema_history_seed(op_schema_history *h, const rt_table *t, const size_t *key,
                           size_t key_count, op_schema_pos pos, rt_err *err)
{
    op_ddl_name n = {(char *)rt_table_db(t), (char *)rt_table_name(t)};
    const op_schema_version *last = latest(op_schema_history_entry(h, n.db, n.table, false));
    if (last && op_schema_pos_compare(pos_of(last), pos) >= 0)
        return rt_err_set(err, RT_EEXIST, "seed %s.%s: the history has a later version", n.db,
                          n.table);
    stmt s = {.h = h, .pos = pos, .err = err};
    op_schema_version v;
    if (version_copy(&v, NULL, pos))
        return rt_err_set(err, RT_ENOMEM, "schema history: out of memory");
    int rc = 0;
    rt_buf type, dflt;
    rt_buf_init(&type);
    rt_buf_init(&dflt);
    for (size_t i = 0; rc == 0 && i < rt_table_column_count(t); i++) {
        const rt_column *c = rt_table_column(t, i);
        if (!c->sql_type) {
            rc = rt_err_set(err, RT_EINVAL, "seed %s.%s: column %s has no type text", n.db, n.table,
                            c->name);
            break;
        }
        rt_buf_reset(&type);
        op_ddl_type_normalize(c->sql_type, &type);
        rt_buf_reset(&dflt);
        bool has =
            c->default_value &&
            op_ddl_default_normalize(c->default_value, strlen(c->default_value), type.data, &dflt);
        if (col_add(&v, v.count, c->name, type.data, has ? dflt.data : NULL, c->nullable, 0))
            rc = rt_err_set(err, RT_ENOMEM, "schema history: out of memory");
    }
    rt_buf_fini(&type);
    rt_buf_fini(&dflt);
    size_t kc = key ? key_count : rt_table_pk_count(t);
    for (size_t k = 0; rc == 0 && k < kc; k++) {
        size_t i = key ? key[k] : rt_table_pk_column(t, k);
        if (i >= v.count || k >= UINT16_MAX)
            rc = rt_err_set(err, RT_EINVAL, "seed %s.%s: key column %zu out of range", n.db,
                            n.table, i);
        else
            v.cols[i].key_seq = (uint16_t)(k + 1);
    }
    if (rc == 0)
        rc = stage(&s, &n, &v);
    else
        op_schema_version_fini(&v);
    if (rc == 0)
        rc = commit(&s);
    for (size_t i = 0; i < s.count; i++)
        op_schema_version_fini(&s.p[i].v);
    free(s.p);
    return rc;
}

/* ---- lookups ------------------------------------------------------------------------------ */

static int find_at(const op_schema_history *h, const char *db, const char *table, op_schema_pos pos,
                   const op_schema_version **out, rt_err *err)
{
    const op_schema_table *e = op_schema_history_entry((op_schema_history *)h, db, table, false);
    const op_schema_version *v = version_at(e, pos);
    if (!v || v->dropped)
        return rt_err_set(err, RT_ENOTFOUND, "table %s.%s: no schema at %s:%llu%s", db, table,
                          pos.file ? pos.file : "", (unsigned long long)pos.offset,
                          v ? " (dropped)" : "");
    *out = v;
    return 0;
}

int op_schema_history_table_at(const op_schema_history *h, const char *db, const char *table,
                               op_schema_pos pos, rt_table **out, rt_err *err)
{
    const op_schema_version *v;
    int rc = find_at(h, db, table, pos, &v, err);
    if (rc)
        return rc;
    rt_column *cols = calloc(v->count ? v->count : 1, sizeof *cols);
    if (!cols)
        return rt_err_set(err, RT_ENOMEM, "schema history: out of memory");
    for (size_t i = 0; rc == 0 && i < v->count; i++) {
        op_sql_type t;
        if (op_sql_type_parse(v->cols[i].type, &t, NULL) != 0) {
            rc = rt_err_set(err, RT_EUNSUPPORTED,
                            "table %s.%s: column %s: type '%s' is not supported", db, table,
                            v->cols[i].name, v->cols[i].type);
            break;
        }
        cols[i].name = v->cols[i].name;
        cols[i].type = t.type;
        cols[i].sql_type = v->cols[i].type;
        cols[i].default_value = v->cols[i].default_value;
        cols[i].nullable = v->cols[i].nullable;
        cols[i].primary_key = v->cols[i].key_seq > 0;
        op_sql_type_fini(&t);
    }
    rt_table *t = NULL;
    if (rc == 0 && !(t = rt_table_new(db, table, cols, v->count, err)))
        rc = err ? err->code : RT_EINVAL;
    free(cols);
    if (rc == 0)
        *out = t;
    return rc;
}

int op_schema_history_version_at(const op_schema_history *h, const char *db, const char *table,
                                 op_schema_pos pos, op_schema_pos *since, rt_err *err)
{
    const op_schema_version *v;
    int rc = find_at(h, db, table, pos, &v, err);
    if (rc == 0)
        *since = pos_of(v);
    return rc;
}

int op_schema_history_describe_at(const op_schema_history *h, const char *db, const char *table,
                                  op_schema_pos pos, rt_buf *out, rt_err *err)
{
    const op_schema_version *v;
    int rc = find_at(h, db, table, pos, &v, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < v->count; i++) {
        const op_schema_column *c = &v->cols[i];
        rt_buf_appendf(out, "%s%s %s%s", i ? ", " : "", c->name, c->type,
                       c->nullable ? "" : " NOT NULL");
        if (c->default_value)
            rt_buf_appendf(out, " DEFAULT %s", c->default_value);
        if (c->key_seq)
            rt_buf_appendf(out, " PK%u", (unsigned)c->key_seq);
    }
    return 0;
}

size_t op_schema_history_table_count(const op_schema_history *h)
{
    return h->count;
}

size_t op_schema_history_version_count(const op_schema_history *h, const char *db,
                                       const char *table)
{
    const op_schema_table *e = op_schema_history_entry((op_schema_history *)h, db, table, false);
    return e ? e->count : 0;
}
