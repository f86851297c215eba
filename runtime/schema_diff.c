/* Typed column changes between two schemas of one table (schema_diff.h). */
#include "runtime/schema_diff.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *rt_column_change_kind_name(rt_column_change_kind k)
{
    switch (k) {
    case RT_COLUMN_ADD:
        return "add_column";
    case RT_COLUMN_DROP:
        return "drop_column";
    case RT_COLUMN_RENAME:
        return "rename_column";
    case RT_COLUMN_MODIFY:
        return "modify_column";
    }
    return "?";
}

/* The changes found so far: the first max go to out, all are counted. */
typedef struct sink {
    rt_column_change *out;
    size_t max, count;
} sink;

static void emit(sink *s, rt_column_change c)
{
    if (s->count < s->max)
        s->out[s->count] = c;
    s->count++;
}

/* Column names compare as MySQL compares them: case-insensitively. */
static long find_by_name(const rt_table *t, const char *name)
{
    for (size_t i = 0; t && i < rt_table_column_count(t); i++)
        if (strcasecmp(rt_table_column(t, i)->name, name) == 0)
            return (long)i;
    return -1;
}

/* Without the source's type text the value type decides; a text that only differs in case
 * ("INT" and "int") is the same type. */
static bool type_differs(const rt_column *a, const rt_column *b)
{
    if (a->type != b->type)
        return true;
    return a->sql_type && b->sql_type && strcasecmp(a->sql_type, b->sql_type) != 0;
}

static bool default_differs(const rt_column *a, const rt_column *b)
{
    if (!a->default_value || !b->default_value)
        return a->default_value != b->default_value;
    return strcmp(a->default_value, b->default_value) != 0;
}

static bool key_differs(const rt_table *before, const rt_table *after, const long *from)
{
    size_t n = before ? rt_table_pk_count(before) : 0;
    if (n != rt_table_pk_count(after))
        return true;
    for (size_t k = 0; k < n; k++)
        if (from[rt_table_pk_column(after, k)] != (long)rt_table_pk_column(before, k))
            return true;
    return false;
}

int rt_schema_diff(const rt_table *before, const rt_table *after, const int32_t *origin,
                   rt_column_change *out, size_t max, size_t *count, bool *key_changed, rt_err *err)
{
    size_t nb = before ? rt_table_column_count(before) : 0;
    size_t na = rt_table_column_count(after);
    /* from[j]: the before column after's j continues, or -1; taken[i]: before's i continues. */
    long *from = malloc((na ? na : 1) * sizeof *from);
    bool *taken = calloc(nb ? nb : 1, sizeof *taken);
    if (!from || !taken) {
        free(from);
        free(taken);
        return rt_err_set(err, RT_ENOMEM, "schema diff: out of memory");
    }
    int rc = 0;
    for (size_t j = 0; j < na && rc == 0; j++) {
        long o = origin ? origin[j] : find_by_name(before, rt_table_column(after, j)->name);
        if (o < -1 || o >= (long)nb || (o >= 0 && taken[o]))
            rc = rt_err_set(err, RT_EINVAL,
                            "schema diff of %s: origin of column %s is %ld (%zu columns before%s)",
                            rt_table_qualified(after), rt_table_column(after, j)->name, o, nb,
                            o >= 0 && o < (long)nb ? ", named twice" : "");
        else if (o >= 0)
            taken[o] = true;
        from[j] = o;
    }
    if (rc != 0) {
        free(from);
        free(taken);
        return rc;
    }
    sink s = {.out = out, .max = max};
    for (size_t i = 0; i < nb; i++) {
        if (!taken[i])
            emit(&s, (rt_column_change){.kind = RT_COLUMN_DROP,
                                        .before_index = (long)i,
                                        .after_index = -1,
                                        .name = rt_table_column(before, i)->name});
    }
    for (size_t j = 0; j < na; j++) {
        if (from[j] < 0)
            continue;
        const rt_column *b = rt_table_column(before, (size_t)from[j]);
        const rt_column *a = rt_table_column(after, j);
        rt_column_change c = {.before_index = from[j],
                              .after_index = (long)j,
                              .name = b->name,
                              .type_changed = type_differs(b, a),
                              .nullability_changed = b->nullable != a->nullable,
                              .default_changed = default_differs(b, a)};
        if (strcmp(b->name, a->name) != 0) {
            c.kind = RT_COLUMN_RENAME;
            c.new_name = a->name;
        } else if (c.type_changed || c.nullability_changed || c.default_changed) {
            c.kind = RT_COLUMN_MODIFY;
        } else {
            continue;
        }
        emit(&s, c);
    }
    for (size_t j = 0; j < na; j++) {
        if (from[j] >= 0)
            continue;
        emit(&s,
             (rt_column_change){.kind = RT_COLUMN_ADD,
                                .before_index = -1,
                                .after_index = (long)j,
                                .name = rt_table_column(after, j)->name,
                                .after_column = j ? rt_table_column(after, j - 1)->name : NULL});
    }
    bool kc = key_differs(before, after, from);
    free(from);
    free(taken);
    *count = s.count;
    *key_changed = kc;
    return 0;
}
