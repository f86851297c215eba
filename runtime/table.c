/* Table schemas and the job's append-only catalog of them. A schema never changes once interned:
 * a DDL makes a new version with a new id, so records already in flight keep the schema they
 * were decoded with. */
#include "runtime/table.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rt_table {
    uint32_t id;       /* written once by rt_catalog_intern, before the table is published */
    uint64_t interned; /* catalog stamp of its last rt_catalog_intern (under the catalog mutex) */
    char *db, *name, *qualified;
    rt_column *columns; /* names, sql types and defaults owned */
    size_t column_count;
    size_t *pk; /* column indexes of the key, in column order */
    size_t pk_count;
};

struct rt_catalog {
    pthread_mutex_t mu;
    rt_table **tables; /* tables[id - 1] */
    size_t count, cap;
    uint64_t stamp; /* counts interns, so that "latest" follows a schema that changed back */
};

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

rt_table *rt_table_new(const char *db, const char *name, const rt_column *columns, size_t count,
                       rt_err *err)
{
    if (!name || !*name) {
        rt_err_set(err, RT_EINVAL, "table: empty name");
        return NULL;
    }
    if (!db)
        db = "";
    if (count == 0) {
        rt_err_set(err, RT_EINVAL, "table '%s.%s': no columns", db, name);
        return NULL;
    }
    for (size_t i = 0; i < count; i++) {
        if (!columns[i].name || !*columns[i].name) {
            rt_err_set(err, RT_EINVAL, "table '%s.%s': column %zu has no name", db, name, i);
            return NULL;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(columns[i].name, columns[j].name) == 0) {
                rt_err_set(err, RT_EINVAL, "table '%s.%s': duplicate column '%s'", db, name,
                           columns[i].name);
                return NULL;
            }
        }
    }

    rt_table *t = calloc(1, sizeof *t);
    if (!t)
        goto oom;
    t->db = dup_str(db);
    t->name = dup_str(name);
    size_t qlen = strlen(db) + strlen(name) + 2;
    t->qualified = malloc(qlen);
    t->columns = calloc(count, sizeof *t->columns);
    t->pk = calloc(count, sizeof *t->pk);
    if (!t->db || !t->name || !t->qualified || !t->columns || !t->pk)
        goto oom;
    /* A table without a database (a test, a generated stream) is just its name. */
    if (*db)
        snprintf(t->qualified, qlen, "%s.%s", db, name);
    else
        snprintf(t->qualified, qlen, "%s", name);
    t->column_count = count;
    for (size_t i = 0; i < count; i++) {
        rt_column *c = &t->columns[i];
        *c = columns[i];
        c->name = dup_str(columns[i].name);
        c->sql_type = columns[i].sql_type ? dup_str(columns[i].sql_type) : NULL;
        c->default_value = columns[i].default_value ? dup_str(columns[i].default_value) : NULL;
        if (!c->name || (columns[i].sql_type && !c->sql_type) ||
            (columns[i].default_value && !c->default_value))
            goto oom;
        if (c->primary_key)
            t->pk[t->pk_count++] = i;
    }
    return t;

oom:
    rt_table_free(t);
    rt_err_set(err, RT_ENOMEM, "table '%s.%s': out of memory", db, name);
    return NULL;
}

void rt_table_free(rt_table *t)
{
    if (!t)
        return;
    if (t->columns) {
        for (size_t i = 0; i < t->column_count; i++) {
            free((char *)t->columns[i].name);
            free((char *)t->columns[i].sql_type);
            free((char *)t->columns[i].default_value);
        }
    }
    free(t->columns);
    free(t->pk);
    free(t->db);
    free(t->name);
    free(t->qualified);
    free(t);
}

uint32_t rt_table_id(const rt_table *t)
{
    return t->id;
}

const char *rt_table_db(const rt_table *t)
{
    return t->db;
}

const char *rt_table_name(const rt_table *t)
{
    return t->name;
}

const char *rt_table_qualified(const rt_table *t)
{
    return t->qualified;
}

size_t rt_table_column_count(const rt_table *t)
{
    return t->column_count;
}

const rt_column *rt_table_column(const rt_table *t, size_t i)
{
    RT_ASSERT(i < t->column_count);
    return &t->columns[i];
}

long rt_table_column_index(const rt_table *t, const char *name)
{
    for (size_t i = 0; i < t->column_count; i++) {
        if (strcmp(t->columns[i].name, name) == 0)
            return (long)i;
    }
    return -1;
}

size_t rt_table_pk_count(const rt_table *t)
{
    return t->pk_count;
}

size_t rt_table_pk_column(const rt_table *t, size_t i)
{
    RT_ASSERT(i < t->pk_count);
    return t->pk[i];
}

static bool same_opt_str(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

bool rt_table_equal(const rt_table *a, const rt_table *b)
{
    if (a == b)
        return true;
    if (strcmp(a->db, b->db) != 0 || strcmp(a->name, b->name) != 0 ||
        a->column_count != b->column_count)
        return false;
    for (size_t i = 0; i < a->column_count; i++) {
        const rt_column *x = &a->columns[i], *y = &b->columns[i];
        if (strcmp(x->name, y->name) != 0 || x->type != y->type ||
            !same_opt_str(x->sql_type, y->sql_type) || x->nullable != y->nullable ||
            x->primary_key != y->primary_key || !same_opt_str(x->default_value, y->default_value))
            return false;
    }
    return true;
}

rt_catalog *rt_catalog_new(void)
{
    rt_catalog *cat = calloc(1, sizeof *cat);
    if (!cat)
        return NULL;
    pthread_mutex_init(&cat->mu, NULL);
    return cat;
}

void rt_catalog_free(rt_catalog *cat)
{
    if (!cat)
        return;
    for (size_t i = 0; i < cat->count; i++)
        rt_table_free(cat->tables[i]);
    free(cat->tables);
    pthread_mutex_destroy(&cat->mu);
    free(cat);
}

const rt_table *rt_catalog_intern(rt_catalog *cat, rt_table *t)
{
    pthread_mutex_lock(&cat->mu);
    /* Newest first: a re-interned schema is most likely the latest version of its table. */
    for (size_t i = cat->count; i-- > 0;) {
        if (rt_table_equal(cat->tables[i], t)) {
            rt_table *existing = cat->tables[i];
            existing->interned = ++cat->stamp;
            pthread_mutex_unlock(&cat->mu);
            if (existing != t)
                rt_table_free(t);
            return existing;
        }
    }
    if (cat->count == cat->cap) {
        size_t cap = cat->cap ? cat->cap * 2 : 16;
        rt_table **tables = realloc(cat->tables, cap * sizeof *tables);
        /* The contract promises never NULL: a catalog that cannot grow by a pointer leaves the
         * process nothing useful to do (the same policy as rt_buf). */
        if (!tables)
            RT_BUG("rt_catalog_intern: out of memory");
        cat->tables = tables;
        cat->cap = cap;
    }
    cat->tables[cat->count++] = t;
    t->id = (uint32_t)cat->count;
    t->interned = ++cat->stamp;
    pthread_mutex_unlock(&cat->mu);
    return t;
}

const rt_table *rt_catalog_get(rt_catalog *cat, uint32_t id)
{
    pthread_mutex_lock(&cat->mu);
    const rt_table *t = id >= 1 && id <= cat->count ? cat->tables[id - 1] : NULL;
    pthread_mutex_unlock(&cat->mu);
    return t;
}

const rt_table *rt_catalog_find(rt_catalog *cat, const char *qualified)
{
    const rt_table *found = NULL;
    pthread_mutex_lock(&cat->mu);
    /* The latest version is the one interned last, not the one with the highest id: a schema
     * that changed back to an earlier version interns to that version's id again. */
    for (size_t i = 0; i < cat->count; i++) {
        const rt_table *t = cat->tables[i];
        if (strcmp(t->qualified, qualified) == 0 && (!found || t->interned > found->interned))
            found = t;
    }
    pthread_mutex_unlock(&cat->mu);
    return found;
}
