/* The shared part of the transform operators (tf_tables.h): table selection, name templates and
 * the engine that caches derived schemas per input schema and runs a transform over batches. */
#include "operators/transform/tf_tables.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runtime/base/buf.h"

/* --- Regexes --- */

struct op_tf_regex {
    regex_t re;
};

/* ^(a)|(b)$ would match any name that merely starts with a: a pattern whose parentheses do not
 * balance by themselves changes meaning once wrapped, so it is refused. */
static bool parens_balance(const char *text)
{
    int depth = 0;
    bool in_bracket = false;
    for (const char *s = text; *s; s++) {
        if (*s == '\\' && s[1]) {
            s++;
        } else if (in_bracket) {
            if (*s == ']')
                in_bracket = false;
        } else if (*s == '[') {
            in_bracket = true;
            if (s[1] == '^')
                s++;
            if (s[1] == ']')
                s++;
        } else if (*s == '(') {
            depth++;
        } else if (*s == ')' && --depth < 0) {
            return false;
        }
    }
    return depth == 0;
}

int op_tf_regex_new(const char *text, const char *path, op_tf_regex **out, rt_err *err)
{
    if (!text || !*text)
        return rt_err_set(err, RT_EINVAL, "%s: empty regular expression", path);
    op_tf_regex *re = calloc(1, sizeof *re);
    if (!re)
        return rt_err_set(err, RT_ENOMEM, "%s: out of memory", path);
    rt_buf anchored;
    rt_buf_init(&anchored);
    rt_buf_appendf(&anchored, "^(%s)$", text);
    int rc = regcomp(&re->re, anchored.data, REG_EXTENDED | REG_NOSUB);
    rt_buf_fini(&anchored);
    if (rc != 0) {
        char why[160];
        regerror(rc, &re->re, why, sizeof why);
        free(re);
        return rt_err_set(err, RT_EINVAL, "%s: invalid regular expression \"%s\": %s", path, text,
                          why);
    }
    if (!parens_balance(text)) {
        regfree(&re->re);
        free(re);
        return rt_err_set(err, RT_EINVAL,
                          "%s: invalid regular expression \"%s\": parentheses not balanced", path,
                          text);
    }
    *out = re;
    return 0;
}

void op_tf_regex_free(op_tf_regex *re)
{
    if (!re)
        return;
    regfree(&re->re);
    free(re);
}

bool op_tf_regex_match(const op_tf_regex *re, const char *qualified)
{
    return regexec(&re->re, qualified, 0, NULL, 0) == 0;
}

struct op_tf_select {
    op_tf_regex **res;
    size_t count;
};

int op_tf_select_new(const rt_strlist *patterns, const char *path, op_tf_select **out, rt_err *err)
{
    if (!patterns || patterns->count == 0) {
        *out = NULL;
        return 0;
    }
    op_tf_select *s = calloc(1, sizeof *s);
    if (s)
        s->res = calloc(patterns->count, sizeof *s->res);
    if (!s || !s->res) {
        free(s);
        return rt_err_set(err, RT_ENOMEM, "%s: out of memory", path);
    }
    for (size_t i = 0; i < patterns->count; i++) {
        char item[512];
        snprintf(item, sizeof item, "%s[%zu]", path, i);
        int rc = op_tf_regex_new(patterns->items[i], item, &s->res[i], err);
        if (rc != 0) {
            op_tf_select_free(s);
            return rc;
        }
        s->count++;
    }
    *out = s;
    return 0;
}

void op_tf_select_free(op_tf_select *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->count; i++)
        op_tf_regex_free(s->res[i]);
    free(s->res);
    free(s);
}

bool op_tf_select_match(const op_tf_select *s, const rt_table *t)
{
    if (!s)
        return true;
    const char *q = rt_table_qualified(t);
    for (size_t i = 0; i < s->count; i++) {
        if (op_tf_regex_match(s->res[i], q))
            return true;
    }
    return false;
}

/* --- Templates --- */

int op_tf_template_check(const char *tmpl, const char *path, rt_err *err)
{
    if (!tmpl || !*tmpl)
        return rt_err_set(err, RT_EINVAL, "%s: empty table name", path);
    for (const char *s = tmpl; *s; s++) {
        if (*s == '{') {
            if (strncmp(s, "{db}", 4) == 0)
                s += 3;
            else if (strncmp(s, "{table}", 7) == 0)
                s += 6;
            else
                return rt_err_set(
                    err, RT_EINVAL,
                    "%s: unknown placeholder at %zu in \"%s\" (only {db} and {table})", path,
                    (size_t)(s - tmpl), tmpl);
        } else if (*s == '}') {
            return rt_err_set(err, RT_EINVAL, "%s: unmatched '}' at %zu in \"%s\"", path,
                              (size_t)(s - tmpl), tmpl);
        }
    }
    return 0;
}

int op_tf_template_expand(const char *tmpl, const char *db, const char *table, char **out_db,
                          char **out_name, rt_err *err)
{
    rt_buf b;
    rt_buf_init(&b);
    for (const char *s = tmpl; *s; s++) {
        if (strncmp(s, "{db}", 4) == 0) {
            rt_buf_append_str(&b, db);
            s += 3;
        } else if (strncmp(s, "{table}", 7) == 0) {
            rt_buf_append_str(&b, table);
            s += 6;
        } else {
            rt_buf_append_char(&b, *s);
        }
    }
    rt_buf_append_char(&b, '\0');
    /* Only the template's own dot separates database and table: a dot inside an expanded name is
     * not expected (MySQL names may hold one, quoted), so the first dot of the result is used. */
    const char *full = b.data;
    const char *dot = strchr(full, '.');
    char *d = dot ? strndup(full, (size_t)(dot - full)) : strdup(db);
    char *n = strdup(dot ? dot + 1 : full);
    if (!d || !n) {
        free(d);
        free(n);
        rt_buf_fini(&b);
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    }
    if (!*d || !*n) {
        rt_err_set(err, RT_EINVAL, "table name \"%s\" from \"%s\" for %s.%s has an empty part",
                   full, tmpl, db, table);
        free(d);
        free(n);
        rt_buf_fini(&b);
        return RT_EINVAL;
    }
    rt_buf_fini(&b);
    *out_db = d;
    *out_name = n;
    return 0;
}

/* --- Helpers --- */

long op_tf_column_find(const rt_table *t, const char *name)
{
    size_t n = rt_table_column_count(t);
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(rt_table_column(t, i)->name, name) == 0)
            return (long)i;
    }
    return -1;
}

int op_tf_value_copy(rt_batch *out, rt_value *dst, const rt_value *src)
{
    switch ((rt_type)src->type) {
    case RT_TYPE_DECIMAL:
    case RT_TYPE_STRING:
    case RT_TYPE_BYTES:
    case RT_TYPE_JSON:
        return rt_batch_set_str(out, dst, (rt_type)src->type, src->s.ptr, src->s.len);
    default:
        *dst = *src;
        return 0;
    }
}

int op_tf_table_intern(rt_catalog *cat, const char *db, const char *name, const rt_column *cols,
                       size_t count, const rt_table **out, rt_err *err)
{
    if (!cat)
        return rt_err_set(err, RT_EINTERNAL, "no catalog to intern %s.%s in", db, name);
    rt_table *t = rt_table_new(db, name, cols, count, err);
    if (!t)
        return err && err->code ? err->code : RT_EINVAL;
    *out = rt_catalog_intern(cat, t);
    return 0;
}

/* --- The engine --- */

struct op_tf {
    const op_tf_impl *impl;
    void *op;
    op_tf_select *sel;
    rt_catalog *cat;
    op_ctx *ctx;
    /* Open addressing on the input table pointer: schemas live as long as the catalog, so the
     * pointer is a stable key, and a new schema version is a new pointer (a new entry). */
    op_tf_entry *slots;
    size_t cap, used;
    const op_tf_entry *last; /* batches are mostly of one table: skip the lookup */
};

op_tf *op_tf_new(const op_tf_impl *impl, void *op, op_tf_select *sel, rt_catalog *cat, op_ctx *ctx)
{
    op_tf *tf = calloc(1, sizeof *tf);
    if (!tf)
        return NULL;
    tf->impl = impl;
    tf->op = op;
    tf->sel = sel;
    tf->cat = cat;
    tf->ctx = ctx;
    return tf;
}

void op_tf_free(op_tf *tf)
{
    if (!tf)
        return;
    for (size_t i = 0; i < tf->cap; i++) {
        if (tf->slots[i].in && tf->slots[i].data && tf->impl->data_free)
            tf->impl->data_free(tf->slots[i].data);
    }
    free(tf->slots);
    op_tf_select_free(tf->sel);
    if (tf->op && tf->impl->free)
        tf->impl->free(tf->op);
    free(tf);
}

void *op_tf_op(op_tf *tf)
{
    return tf->op;
}

rt_catalog *op_tf_catalog(op_tf *tf)
{
    return tf->cat;
}

op_ctx *op_tf_ctx(op_tf *tf)
{
    return tf->ctx;
}

void op_tf_bind(op_tf *tf, rt_catalog *cat, op_ctx *ctx)
{
    tf->cat = cat;
    tf->ctx = ctx;
}

static size_t slot_of(const op_tf *tf, const rt_table *t)
{
    uint64_t h = (uint64_t)(uintptr_t)t * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 17) & (tf->cap - 1);
}

static op_tf_entry *find_slot(op_tf *tf, const rt_table *t)
{
    size_t i = slot_of(tf, t);
    while (tf->slots[i].in && tf->slots[i].in != t)
        i = (i + 1) & (tf->cap - 1);
    return &tf->slots[i];
}

static int grow(op_tf *tf)
{
    size_t ncap = tf->cap ? tf->cap * 2 : 16;
    op_tf_entry *old = tf->slots;
    size_t ocap = tf->cap;
    tf->slots = calloc(ncap, sizeof *tf->slots);
    if (!tf->slots) {
        tf->slots = old;
        return RT_ENOMEM;
    }
    tf->cap = ncap;
    for (size_t i = 0; i < ocap; i++) {
        if (old[i].in)
            *find_slot(tf, old[i].in) = old[i];
    }
    free(old);
    tf->last = NULL;
    return 0;
}

int op_tf_entry_get(op_tf *tf, const rt_table *t, const op_tf_entry **e, rt_err *err)
{
    if (tf->last && tf->last->in == t) {
        *e = tf->last;
        return 0;
    }
    if (tf->cap) {
        op_tf_entry *s = find_slot(tf, t);
        if (s->in) {
            tf->last = s;
            *e = s;
            return 0;
        }
    }
    op_tf_entry fresh = {.in = t};
    if (op_tf_select_match(tf->sel, t)) {
        int rc = tf->impl->derive(tf->op, tf, t, &fresh.out, &fresh.data, err);
        if (rc != 0)
            return rc;
    }
    if ((tf->used + 1) * 2 > tf->cap && grow(tf) != 0) {
        if (fresh.data && tf->impl->data_free)
            tf->impl->data_free(fresh.data);
        return rt_err_set(err, RT_ENOMEM, "%s: out of memory", tf->impl->name);
    }
    op_tf_entry *s = find_slot(tf, t);
    *s = fresh;
    tf->used++;
    tf->last = s;
    *e = s;
    return 0;
}

/* The input column output column k of e passes through, or -1 (computed). A table the
 * transform leaves alone passes every column. */
static long source_of(const op_tf *tf, const op_tf_entry *e, size_t k)
{
    if (!e->out)
        return (long)k;
    return tf->impl->source_column(tf->op, e, k);
}

/* The origin map of a derived schema change (batch.h's rt_schema_change.origin), from the input
 * change's: an output column that passes input column s through continues the output column
 * (before) that passed the input column s continues; a computed column continues the one of
 * its name. Each before column is continued once at most. */
static int derived_origin(op_tf *tf, const rt_schema_change *sc, const op_tf_entry *ea,
                          const op_tf_entry *eb, int32_t *origin)
{
    const rt_table *after = ea->out ? ea->out : ea->in, *before = eb->out ? eb->out : eb->in;
    size_t na = rt_table_column_count(after), nb = rt_table_column_count(before);
    size_t in_before = rt_table_column_count(sc->before);
    bool *used = calloc(nb ? nb : 1, sizeof *used);
    if (!used)
        return RT_ENOMEM;
    for (size_t j = 0; j < na; j++) {
        long s = source_of(tf, ea, j), k = -1;
        if (s >= 0) {
            long o = sc->origin
                         ? sc->origin[s]
                         : op_tf_column_find(sc->before, rt_table_column(ea->in, (size_t)s)->name);
            for (size_t i = 0; o >= 0 && o < (long)in_before && i < nb && k < 0; i++)
                if (source_of(tf, eb, i) == o)
                    k = (long)i;
        } else {
            k = op_tf_column_find(before, rt_table_column(after, j)->name);
        }
        if (k >= 0 && used[k])
            k = -1;
        if (k >= 0)
            used[k] = true;
        origin[j] = (int32_t)k;
    }
    free(used);
    return 0;
}

static int schema_change(op_tf *tf, const rt_record *rec, rt_batch *out, rt_err *err)
{
    const rt_schema_change *sc = rec->change;
    const op_tf_entry *e;
    int rc = op_tf_entry_get(tf, rec->table, &e, err);
    if (rc != 0)
        return rt_err_prefix(err, rc, "schema change of %s (%.*s)", rt_table_qualified(rec->table),
                             (int)(sc->ddl_len > 200 ? 200 : sc->ddl_len), sc->ddl);
    if (!e->out)
        return rt_batch_copy_record(out, rec) == 0 ? 0
                                                   : rt_err_set(err, RT_ENOMEM, "out of memory");
    /* Copies: the next entry_get may move the cache. */
    op_tf_entry ea = *e, eb = {0};
    const rt_table *after = ea.out;
    const rt_table *before = NULL;
    if (sc->before) {
        /* The old schema may not derive (it lacked a column the transform needs): the change
         * then reads as one from an unknown schema, which a sink handles as a CREATE would. */
        const op_tf_entry *be;
        rt_err ignored = {0};
        if (op_tf_entry_get(tf, sc->before, &be, &ignored) == 0) {
            eb = *be;
            before = be->out ? be->out : be->in;
        }
    }
    rt_record *r = rt_batch_add_schema_change(out, (rt_schema_change_kind)sc->kind, after, before,
                                              sc->ddl, sc->ddl_len);
    if (!r)
        return rt_err_set(err, RT_ENOMEM, "%s: out of memory", tf->impl->name);
    r->ts_ms = rec->ts_ms;
    /* Only an ALTER, or a change that had a map (ALTER ... RENAME TO), has one. */
    if (!before || !tf->impl->source_column || (sc->kind != RT_SCHEMA_ALTER_TABLE && !sc->origin))
        return 0;
    size_t na = rt_table_column_count(after);
    int32_t *origin = malloc((na ? na : 1) * sizeof *origin);
    rc = origin ? derived_origin(tf, sc, &ea, &eb, origin) : RT_ENOMEM;
    if (rc == 0)
        rc = rt_batch_set_schema_origin(out, r, origin, na);
    free(origin);
    return rc == 0 ? 0 : rt_err_set(err, rc, "%s: out of memory", tf->impl->name);
}

/* True when some record of in belongs to a table the transform changes. */
static int batch_touches(op_tf *tf, const rt_batch *in, bool *touches, rt_err *err)
{
    size_t n = rt_batch_count(in);
    const rt_table *seen = NULL;
    for (size_t i = 0; i < n; i++) {
        const rt_record *rec = rt_batch_at_const(in, i);
        if (rec->table == seen)
            continue;
        seen = rec->table;
        /* A schema change of a selected table is derived where it stands in apply, so that a
         * failure names its DDL. */
        if (rec->kind == RT_ROW_SCHEMA_CHANGE) {
            if (op_tf_select_match(tf->sel, rec->table)) {
                *touches = true;
                return 0;
            }
            continue;
        }
        const op_tf_entry *e;
        int rc = op_tf_entry_get(tf, rec->table, &e, err);
        if (rc != 0)
            return rc;
        if (e->out) {
            *touches = true;
            return 0;
        }
    }
    *touches = false;
    return 0;
}

/* Whether in must go through the transform: something is pending, or a record selects a table. */
static int must_apply(op_tf *tf, const rt_batch *in, bool *apply, rt_err *err)
{
    if (tf->impl->pending && tf->impl->pending(tf->op)) {
        *apply = true;
        return 0;
    }
    return batch_touches(tf, in, apply, err);
}

static int apply_all(op_tf *tf, const rt_batch *in, rt_batch *out, rt_err *err)
{
    size_t n = rt_batch_count(in);
    for (size_t i = 0; i < n;) {
        const rt_record *rec = rt_batch_at_const(in, i);
        int rc;
        if (rec->kind == RT_ROW_SCHEMA_CHANGE) {
            rc = schema_change(tf, rec, out, err);
            i++;
        } else {
            const op_tf_entry *e;
            rc = op_tf_entry_get(tf, rec->table, &e, err);
            if (rc == 0 && e->out) {
                rc = tf->impl->row(tf->op, tf, e, in, &i, out, err);
            } else if (rc == 0) {
                rc = rt_batch_copy_record(out, rec) == 0
                         ? 0
                         : rt_err_set(err, RT_ENOMEM, "%s: out of memory", tf->impl->name);
                i++;
            }
        }
        if (rc != 0)
            return rc;
    }
    return 0;
}

int op_tf_apply(op_tf *tf, const rt_batch *in, rt_batch *out, bool *forward, rt_err *err)
{
    bool apply;
    int rc = must_apply(tf, in, &apply, err);
    if (rc != 0)
        return rc;
    if (forward)
        *forward = !apply;
    return apply ? apply_all(tf, in, out, err) : 0;
}

int op_tf_flush(op_tf *tf, rt_batch *out, rt_err *err)
{
    return tf->impl->flush ? tf->impl->flush(tf->op, tf, out, err) : 0;
}

/* --- op_type slots --- */

int op_tf_validate(op_tf_make_fn make, const void *config, const char *path, rt_err *err)
{
    op_tf *tf;
    int rc = make(config, path, &tf, err);
    if (rc == 0)
        op_tf_free(tf);
    return rc;
}

int op_tf_open(op_tf_make_fn make, op_ctx *ctx, const void *config, void **self, rt_err *err)
{
    /* The job file was validated with JSON paths already; here a message names the vertex. */
    char path[160];
    snprintf(path, sizeof path, "vertex '%s' config", op_ctx_vertex_id(ctx));
    op_tf *tf;
    int rc = make(config, path, &tf, err);
    if (rc != 0)
        return rc;
    op_tf_bind(tf, op_ctx_catalog(ctx), ctx);
    *self = tf;
    return 0;
}

static int emit_out(op_ctx *ctx, rt_batch *out, rt_err *err)
{
    if (rt_batch_count(out) == 0) {
        rt_batch_unref(out);
        return 0;
    }
    return op_ctx_emit(ctx, out, err);
}

int op_tf_process(void *self, op_ctx *ctx, size_t input, rt_batch *batch, rt_err *err)
{
    op_tf *tf = self;
    bool apply;
    int rc = must_apply(tf, batch, &apply, err);
    if (rc != 0)
        return rc;
    if (!apply) {
        rt_batch_ref(batch);
        return op_ctx_emit(ctx, batch, err);
    }
    rt_batch *out = op_ctx_batch_new(ctx);
    if (!out)
        return rt_err_set(err, RT_ENOMEM, "%s: out of memory", tf->impl->name);
    rc = apply_all(tf, batch, out, err);
    if (rc != 0) {
        rt_batch_unref(out);
        return rc;
    }
    return emit_out(ctx, out, err);
}

static int flush_emit(op_tf *tf, op_ctx *ctx, rt_err *err)
{
    if (!tf->impl->flush || !(tf->impl->pending && tf->impl->pending(tf->op)))
        return 0;
    rt_batch *out = op_ctx_batch_new(ctx);
    if (!out)
        return rt_err_set(err, RT_ENOMEM, "%s: out of memory", tf->impl->name);
    int rc = op_tf_flush(tf, out, err);
    if (rc != 0) {
        rt_batch_unref(out);
        return rc;
    }
    return emit_out(ctx, out, err);
}

int op_tf_prepare_snapshot(void *self, op_ctx *ctx, uint64_t id, rt_err *err)
{
    return flush_emit(self, ctx, err);
}

int op_tf_finish(void *self, op_ctx *ctx, rt_err *err)
{
    return flush_emit(self, ctx, err);
}

void op_tf_close(void *self, op_ctx *ctx)
{
    op_tf_free(self);
}
