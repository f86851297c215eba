/* Target tables from source tables: --route rules, grouping of shards, and the merged column list
 * (the widest type of each column wins; a column some shard lacks becomes nullable; the key must
 * be the same everywhere, or rows of one shard could not be told from another's). */
#include "jobs/codegen/shard_merge.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/base/buf.h"

static void target_fini(gen_target *t)
{
    for (size_t i = 0; i < t->column_count; i++) {
        free(t->columns[i].name);
        free(t->columns[i].comment);
    }
    free(t->columns);
    free(t->shards);
    free(t->name);
    free(t->comment);
    memset(t, 0, sizeof *t);
}

void gen_target_set_fini(gen_target_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->count; i++)
        target_fini(&s->items[i]);
    free(s->items);
    memset(s, 0, sizeof *s);
}

/* --- Routes and grouping --- */

typedef struct route_rule {
    regex_t re;
    const char *text;   /* the whole rule, for messages */
    const char *target; /* borrowed from text, after the '=' */
    size_t regex_len;
    size_t hits; /* selected tables the rule names */
} route_rule;

/* TARGET with {db} and {table} replaced. */
static char *expand(const char *target, const char *db, const char *table)
{
    rt_buf b;
    rt_buf_init(&b);
    for (const char *p = target; *p;) {
        if (strncmp(p, "{db}", 4) == 0) {
            rt_buf_append_str(&b, db);
            p += 4;
        } else if (strncmp(p, "{table}", 7) == 0) {
            rt_buf_append_str(&b, table);
            p += 7;
        } else {
            rt_buf_append_char(&b, *p++);
        }
    }
    return rt_buf_take(&b);
}

static int compile_rules(const char *const *routes, size_t n, route_rule *rules, size_t *compiled,
                         rt_err *err)
{
    for (size_t i = 0; i < n; i++) {
        route_rule *r = &rules[i];
        r->text = routes[i];
        /* The last '=' splits: a regex may hold '=', a table name may not. */
        const char *eq = strrchr(routes[i], '=');
        if (!eq || eq == routes[i] || !eq[1] || strchr(eq + 1, '.') || strchr(eq + 1, '`'))
            return rt_err_set(err, RT_EINVAL,
                              "--route \"%s\": expected REGEX=TARGET with a table name as TARGET "
                              "({db} and {table} allowed, no '.' or '`')",
                              routes[i]);
        r->target = eq + 1;
        r->regex_len = (size_t)(eq - routes[i]);
        char *pattern = NULL;
        if (asprintf(&pattern, "^(%.*s)$", (int)r->regex_len, routes[i]) < 0)
            return rt_err_set(err, RT_ENOMEM, "out of memory");
        int rc = regcomp(&r->re, pattern, REG_EXTENDED | REG_NOSUB);
        free(pattern);
        if (rc != 0) {
            char why[128];
            regerror(rc, &r->re, why, sizeof why);
            return rt_err_set(err, RT_EINVAL, "--route \"%s\": invalid regular expression: %s",
                              routes[i], why);
        }
        (*compiled)++;
    }
    return 0;
}

int gen_targets_group(const gen_table_set *tables, const char *const *routes, size_t route_count,
                      gen_target_set *out, rt_err *err)
{
    route_rule *rules = calloc(route_count ? route_count : 1, sizeof *rules);
    gen_target_set set = {0};
    size_t compiled = 0;
    int rc = rules ? 0 : rt_err_set(err, RT_ENOMEM, "out of memory");
    if (rc == 0)
        rc = compile_rules(routes, route_count, rules, &compiled, err);
    if (rc == 0 && tables->count && !(set.items = calloc(tables->count, sizeof *set.items)))
        rc = rt_err_set(err, RT_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < tables->count; i++) {
        const gen_table *t = &tables->items[i];
        char *full = NULL;
        if (asprintf(&full, "%s.%s", t->db, t->name) < 0) {
            rc = rt_err_set(err, RT_ENOMEM, "out of memory");
            break;
        }
        char *name = NULL;
        for (size_t r = 0; !name && r < route_count; r++)
            if (regexec(&rules[r].re, full, 0, NULL, 0) == 0) {
                name = expand(rules[r].target, t->db, t->name);
                rules[r].hits++;
            }
        free(full);
        if (!name)
            name = strdup(t->name);
        if (!name) {
            rc = rt_err_set(err, RT_ENOMEM, "out of memory");
            break;
        }
        gen_target *g = NULL;
        for (size_t k = 0; !g && k < set.count; k++)
            if (strcmp(set.items[k].name, name) == 0)
                g = &set.items[k];
        if (g) {
            free(name);
        } else {
            g = &set.items[set.count++];
            g->name = name;
        }
        const gen_table **shards = realloc(g->shards, (g->shard_count + 1) * sizeof *shards);
        if (!shards) {
            rc = rt_err_set(err, RT_ENOMEM, "out of memory");
            break;
        }
        g->shards = shards;
        g->shards[g->shard_count++] = t;
        g->renamed = g->renamed || strcmp(g->name, t->name) != 0;
    }
    /* A rule that names no selected table is a typo or a stale rule: a merge the user asked for
     * would silently not happen. */
    for (size_t r = 0; rc == 0 && r < route_count; r++)
        if (rules[r].hits == 0)
            rc = rt_err_set(err, RT_EINVAL,
                            "--route \"%s\": matches none of the tables --tables selects",
                            rules[r].text);
    for (size_t r = 0; r < compiled; r++)
        regfree(&rules[r].re);
    free(rules);
    if (rc != 0) {
        gen_target_set_fini(&set);
        return rc;
    }
    *out = set;
    return 0;
}

/* --- Merging columns --- */

/* A column of the merge while it is built. */
typedef struct merged {
    const char *name; /* borrowed from the shard it first came from */
    gen_sr_type type;
    bool nullable;
    const char *comment;
    size_t present; /* shards that have it */
} merged;

static bool in_key(const gen_table *s, size_t col)
{
    for (size_t k = 0; k < s->key_count; k++)
        if (s->key[k] == col)
            return true;
    return false;
}

/* Adds "where: text" to list unless an equal line is there (shards repeat each other). */
static int add_once(gen_lines *list, const char *where, const char *text)
{
    char *line = NULL;
    if (asprintf(&line, "%s: %s", where, text) < 0)
        return RT_ENOMEM;
    int rc = gen_lines_has(list, line) ? 0 : gen_lines_addf(list, "%s", line);
    free(line);
    return rc;
}

static int check_keys(const gen_target *t, rt_err *err)
{
    const gen_table *a = t->shards[0];
    for (size_t s = 1; s < t->shard_count; s++) {
        const gen_table *b = t->shards[s];
        bool same = a->key_count == b->key_count;
        for (size_t k = 0; same && k < a->key_count; k++)
            same = strcmp(a->columns[a->key[k]].name, b->columns[b->key[k]].name) == 0;
        if (!same) {
            rt_buf ka, kb;
            rt_buf_init(&ka);
            rt_buf_init(&kb);
            for (size_t k = 0; k < a->key_count; k++)
                rt_buf_appendf(&ka, "%s%s", k ? ", " : "", a->columns[a->key[k]].name);
            for (size_t k = 0; k < b->key_count; k++)
                rt_buf_appendf(&kb, "%s%s", k ? ", " : "", b->columns[b->key[k]].name);
            rt_err_set(err, RT_EINVAL,
                       "target %s: shards %s.%s and %s.%s have different keys (%s) and (%s): "
                       "route them to different targets",
                       t->name, a->db, a->name, b->db, b->name, ka.data, kb.data);
            rt_buf_fini(&ka);
            rt_buf_fini(&kb);
            return RT_EINVAL;
        }
    }
    return 0;
}

static int merge_columns(gen_target *t, merged *m, size_t *count, gen_lines *lossy,
                         gen_lines *notes, rt_err *err)
{
    for (size_t s = 0; s < t->shard_count; s++) {
        const gen_table *sh = t->shards[s];
        for (size_t i = 0; i < sh->column_count; i++) {
            const gen_column *c = &sh->columns[i];
            char where[400];
            snprintf(where, sizeof where, "%s.%s.%s", sh->db, sh->name, c->name);
            gen_sr_type ty;
            gen_type_map_info info;
            int rc = gen_type_map(c, in_key(sh, i), &ty, &info, err);
            if (rc != 0)
                return rt_err_prefix(err, rc, "table %s.%s", sh->db, sh->name);
            if ((info.lossy[0] && add_once(lossy, where, info.lossy) != 0) ||
                (info.note[0] && add_once(notes, where, info.note) != 0))
                return rt_err_set(err, RT_ENOMEM, "out of memory");
            if (c->has_default &&
                add_once(notes, where,
                         "the DEFAULT is not carried over (StarRocks DEFAULT takes only quoted "
                         "strings; the sync always sends the value)") != 0)
                return rt_err_set(err, RT_ENOMEM, "out of memory");
            merged *x = NULL;
            for (size_t k = 0; !x && k < *count; k++)
                if (strcmp(m[k].name, c->name) == 0)
                    x = &m[k];
            if (!x) {
                x = &m[(*count)++];
                *x = (merged){
                    .name = c->name, .type = ty, .nullable = c->nullable, .comment = c->comment};
            } else {
                gen_sr_type w;
                if ((rc = gen_sr_type_widen(&x->type, &ty, &w, err)) != 0)
                    return rt_err_prefix(err, rc, "target %s column %s (shard %s.%s)", t->name,
                                         c->name, sh->db, sh->name);
                if (!gen_sr_type_equal(&w, &x->type) || !gen_sr_type_equal(&w, &ty)) {
                    char a[64], b[64], r[64];
                    gen_sr_type_format(&x->type, a, sizeof a);
                    gen_sr_type_format(&ty, b, sizeof b);
                    gen_sr_type_format(&w, r, sizeof r);
                    if (gen_lines_addf(notes,
                                       "%s.%s: shards disagree (%s, %s in %s.%s): %s holds "
                                       "both",
                                       t->name, c->name, a, b, sh->db, sh->name, r) != 0)
                        return rt_err_set(err, RT_ENOMEM, "out of memory");
                }
                x->type = w;
                x->nullable = x->nullable || c->nullable;
                if (!x->comment[0])
                    x->comment = c->comment;
            }
            x->present++;
        }
    }
    for (size_t k = 0; k < *count; k++)
        if (m[k].present < t->shard_count) {
            m[k].nullable = true;
            if (gen_lines_addf(notes, "%s.%s: missing in %zu of %zu shards: nullable", t->name,
                               m[k].name, t->shard_count - m[k].present, t->shard_count) != 0)
                return rt_err_set(err, RT_ENOMEM, "out of memory");
        }
    return 0;
}

static int set_column(gen_target_column *dst, const merged *src, bool key)
{
    dst->name = strdup(src->name);
    dst->comment = strdup(src->comment ? src->comment : "");
    dst->type = src->type;
    dst->nullable = key ? false : src->nullable;
    return dst->name && dst->comment ? 0 : RT_ENOMEM;
}

int gen_target_merge(gen_target *t, gen_lines *lossy, gen_lines *notes, rt_err *err)
{
    int rc = check_keys(t, err);
    if (rc != 0)
        return rc;
    size_t cap = 0;
    for (size_t s = 0; s < t->shard_count; s++)
        cap += t->shards[s]->column_count;
    merged *m = calloc(cap ? cap : 1, sizeof *m);
    t->columns = calloc(cap ? cap : 1, sizeof *t->columns);
    if (!m || !t->columns) {
        free(m);
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    }
    size_t count = 0;
    rc = merge_columns(t, m, &count, lossy, notes, err);
    /* Key columns first, in key order (StarRocks: the key is an ordered prefix of the schema). */
    const gen_table *first = t->shards[0];
    bool *taken = calloc(count ? count : 1, sizeof *taken);
    if (rc == 0 && !taken)
        rc = rt_err_set(err, RT_ENOMEM, "out of memory");
    for (size_t k = 0; rc == 0 && k < first->key_count; k++) {
        const char *kn = first->columns[first->key[k]].name;
        for (size_t i = 0; i < count; i++)
            if (!taken[i] && strcmp(m[i].name, kn) == 0) {
                taken[i] = true;
                if (set_column(&t->columns[t->column_count++], &m[i], true) != 0)
                    rc = rt_err_set(err, RT_ENOMEM, "out of memory");
            }
    }
    t->key_count = t->column_count;
    for (size_t i = 0; rc == 0 && i < count; i++)
        if (!taken[i] && set_column(&t->columns[t->column_count++], &m[i], false) != 0)
            rc = rt_err_set(err, RT_ENOMEM, "out of memory");
    free(taken);
    free(m);
    for (size_t s = 0; rc == 0 && s < t->shard_count; s++) {
        t->data_length += t->shards[s]->data_length;
        if (!t->comment && t->shards[s]->comment[0] &&
            !(t->comment = strdup(t->shards[s]->comment)))
            rc = rt_err_set(err, RT_ENOMEM, "out of memory");
    }
    if (rc == 0 && !t->comment && !(t->comment = strdup("")))
        rc = rt_err_set(err, RT_ENOMEM, "out of memory");
    unsigned key_bytes = 0;
    for (size_t k = 0; rc == 0 && k < t->key_count; k++)
        key_bytes += gen_sr_type_key_size(&t->columns[k].type);
    if (rc == 0 && key_bytes > 128 &&
        gen_lines_addf(notes,
                       "%s: the key can take %u bytes encoded, above StarRocks' default limit of "
                       "128: rows with longer keys are rejected unless the limit is raised",
                       t->name, key_bytes) != 0)
        rc = rt_err_set(err, RT_ENOMEM, "out of memory");
    return rc;
}

int gen_target_add_source(gen_target *t, rt_err *err)
{
    gen_target_column *cols = realloc(t->columns, (t->column_count + 2) * sizeof *cols);
    if (!cols)
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    t->columns = cols;
    memmove(&cols[t->key_count + 2], &cols[t->key_count],
            (t->column_count - t->key_count) * sizeof *cols);
    const char *names[2] = {GEN_SOURCE_DB_COLUMN, GEN_SOURCE_TABLE_COLUMN};
    const char *comments[2] = {"source database of the row", "source table of the row"};
    for (size_t i = 0; i < 2; i++) {
        gen_target_column *c = &cols[t->key_count + i];
        c->name = strdup(names[i]);
        c->comment = strdup(comments[i]);
        c->type = (gen_sr_type){.kind = GEN_SR_VARCHAR, .len = 64};
        c->nullable = false;
    }
    t->column_count += 2;
    t->key_count += 2;
    t->add_source = true;
    for (size_t i = 0; i < 2; i++)
        if (!cols[t->key_count - 2 + i].name || !cols[t->key_count - 2 + i].comment)
            return rt_err_set(err, RT_ENOMEM, "out of memory");
    return 0;
}
