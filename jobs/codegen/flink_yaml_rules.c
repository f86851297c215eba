/* flink_yaml_rules: the route and transform blocks of a pipeline YAML -> the configs of Sluice's
 * route, filter and project vertices (as JSON text, which flink_yaml_read loads). Route rules also
 * settle the sink's one database and which source patterns a rule names. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jobs/codegen/flink_yaml_int.h"

typedef gen_fy_node node;

void gen_fy_routes_fini(gen_fy_routes *r)
{
    free(r->database);
    gen_fy_strv_free(r->covered, r->covered_count);
    rt_buf_fini(&r->rules);
    memset(r, 0, sizeof *r);
}

/* Appends a JSON array of strings to b. */
static void json_strv(rt_buf *b, char **v, size_t n)
{
    rt_buf_append_char(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            rt_buf_append_str(b, ", ");
        rt_buf_append_json_str(b, v[i], strlen(v[i]));
    }
    rt_buf_append_char(b, ']');
}

static int only_keys(const node *m, const char *block, const char *const *known, rt_err *err)
{
    for (size_t i = 0; i < m->count; i++) {
        size_t j = 0;
        while (known[j] && strcmp(known[j], m->keys[i]->text) != 0)
            j++;
        if (!known[j])
            return gen_fy_at(err, RT_EINVAL, m->keys[i], "%s.%s: no Sluice equivalent", block,
                             m->keys[i]->text);
    }
    return 0;
}

/* The Sluice regexes of a Flink pattern list held by n. */
static int patterns(const node *n, const char *what, char ***v, size_t *count, rt_err *err)
{
    const char *s = NULL;
    int rc = gen_fy_scalar(n, what, &s, err);
    if (rc == 0 && (rc = gen_fy_tables_from_flink(s, v, count, err)) != 0)
        rc = gen_fy_at_prefix(err, rc, n, what);
    return rc;
}

static int routed_check(gen_fy_routes *r, const node *src, const char *re, rt_err *err)
{
    for (size_t j = 0; j < r->covered_count; j++) {
        if (strcmp(r->covered[j], re) == 0)
            return gen_fy_at(err, RT_EINVAL, src,
                             "route.source-table: a second rule for '%s': Flink CDC sends the "
                             "table to every matching rule, Sluice's route to the first",
                             re);
    }
    char **v = realloc(r->covered, (r->covered_count + 2) * sizeof *v);
    if (!v)
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    r->covered = v;
    if (!(v[r->covered_count] = strdup(re)))
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    v[++r->covered_count] = NULL;
    return 0;
}

int gen_fy_read_route(const gen_fy_node *rule, gen_fy_routes *r, rt_err *err)
{
    static const char *const keys[] = {"source-table", "sink-table", "replace-symbol",
                                       "description", NULL};
    if (rule->kind != GEN_FY_MAP)
        return gen_fy_at(err, RT_EINVAL, rule, "route: expected a list of mappings");
    int rc = only_keys(rule, "route", keys, err);
    const node *src = gen_fy_map_get(rule, "source-table"),
               *snk = gen_fy_map_get(rule, "sink-table");
    const node *sym = gen_fy_map_get(rule, "replace-symbol");
    if (rc == 0 && (!src || !snk))
        rc = gen_fy_at(err, RT_EINVAL, rule, "route: needs source-table and sink-table");
    const char *target = "", *symbol = NULL;
    char **res = NULL;
    size_t nres = 0;
    if (rc == 0)
        rc = gen_fy_scalar(snk, "route.sink-table", &target, err);
    if (rc == 0 && sym)
        rc = gen_fy_scalar(sym, "route.replace-symbol", &symbol, err);
    if (rc == 0)
        rc = patterns(src, "route.source-table", &res, &nres, err);
    const char *dot = strchr(target, '.');
    if (rc == 0 && (!dot || dot == target || !dot[1]))
        rc = gen_fy_at(err, RT_EINVAL, snk, "route.sink-table '%s': expected database.table",
                       target);
    else if (rc == 0 && strpbrk(target, "{}"))
        rc = gen_fy_at(err, RT_EINVAL, snk,
                       "route.sink-table '%s': '{' and '}' are Sluice placeholders", target);
    else if (rc == 0 && symbol && *symbol && strstr(target, symbol) && strstr(target, symbol) < dot)
        rc = gen_fy_at(err, RT_EINVAL, snk,
                       "route.sink-table '%s': Sluice's starrocks sink writes one database: the "
                       "replace-symbol may stand in the table part only",
                       target);
    size_t dblen = dot ? (size_t)(dot - target) : 0;
    if (rc == 0 && !r->database) {
        if (!(r->database = strndup(target, dblen)))
            rc = rt_err_set(err, RT_ENOMEM, "out of memory");
        r->database_line = snk->line;
    }
    if (rc == 0 && (strlen(r->database) != dblen || strncmp(r->database, target, dblen) != 0))
        rc = gen_fy_at(err, RT_EINVAL, snk,
                       "route.sink-table '%s': database differs from '%s' (line %d): Sluice's "
                       "starrocks sink writes one database",
                       target, r->database, r->database_line);
    char *tbl = rc == 0 ? gen_fy_replace_symbol(dot + 1, symbol) : NULL;
    if (rc == 0 && !tbl)
        rc = rt_err_set(err, RT_ENOMEM, "out of memory");
    /* "same name in the sink database" is what the sink does with no route at all */
    bool identity = tbl && strcmp(tbl, "{table}") == 0;
    for (size_t i = 0; rc == 0 && i < nres; i++)
        rc = routed_check(r, src, res[i], err);
    if (rc == 0) {
        /* one Sluice rule: the patterns of the list as one alternation (each part is grouped
         * where it holds a '|' of its own) */
        r->real = r->real || !identity;
        rt_buf re;
        rt_buf_init(&re);
        for (size_t i = 0; i < nres; i++)
            rt_buf_appendf(&re, "%s%s", i ? "|" : "", res[i]);
        rt_buf_append_str(&r->rules, r->rules.len ? ", {\"source\": " : "{\"source\": ");
        rt_buf_append_json_str(&r->rules, re.data, re.len);
        rt_buf_append_str(&r->rules, ", \"target\": ");
        rt_buf_append_json_str(&r->rules, tbl, strlen(tbl));
        rt_buf_append_char(&r->rules, '}');
        rt_buf_fini(&re);
    }
    free(tbl);
    gen_fy_strv_free(res, nres);
    return rc;
}

/* Flink CDC reads `\*` as `*` (YAML would take a leading '*' for an alias). */
static char *unescape_star(const char *s)
{
    char *text = strdup(s), *w = text;
    for (const char *p = s; text && *p; p++) {
        if (p[0] == '\\' && p[1] == '*')
            p++;
        *w++ = *p;
    }
    if (w)
        *w = '\0';
    return text;
}

int gen_fy_read_transform(const gen_fy_node *t, char **filter_json, char **project_json,
                          rt_err *err)
{
    static const char *const keys[] = {"source-table", "projection",  "filter",
                                       "primary-keys", "description", NULL};
    if (t->kind != GEN_FY_MAP)
        return gen_fy_at(err, RT_EINVAL, t, "transform: expected a list of mappings");
    for (size_t i = 0; i < t->count; i++) {
        const char *k = t->keys[i]->text;
        if (strcmp(k, "partition-keys") == 0 || strcmp(k, "table-options") == 0)
            return gen_fy_at(err, RT_EINVAL, t->keys[i],
                             "transform.%s: applies when Flink creates tables; Sluice does not "
                             "create tables while it runs (the DDL comes from `sluice generate`)",
                             k);
    }
    int rc = only_keys(t, "transform", keys, err);
    const node *src = gen_fy_map_get(t, "source-table"), *proj = gen_fy_map_get(t, "projection");
    const node *filt = gen_fy_map_get(t, "filter"), *keyn = gen_fy_map_get(t, "primary-keys");
    if (rc == 0 && !src)
        rc = gen_fy_at(err, RT_EINVAL, t, "transform: missing source-table");
    if (rc == 0 && !filt && !proj && !keyn)
        rc = gen_fy_at(err, RT_EINVAL, t,
                       "transform: nothing to do (no projection, filter or keys)");
    char **tabs = NULL, **cols = NULL, **pk = NULL;
    size_t ntabs = 0, ncols = 0, npk = 0;
    const char *s = NULL, *hit = NULL, *where = NULL;
    if (rc == 0)
        rc = patterns(src, "transform.source-table", &tabs, &ntabs, err);
    if (rc == 0 && proj && (rc = gen_fy_scalar(proj, "transform.projection", &s, err)) == 0) {
        char *text = unescape_star(s);
        rc = text ? gen_fy_split_top_commas(text, &cols, &ncols, err)
                  : rt_err_set(err, RT_ENOMEM, "out of memory");
        free(text);
        if (rc != 0 && rc != RT_ENOMEM)
            rc = gen_fy_at_prefix(err, rc, proj, "transform.projection");
    }
    if (rc == 0 && keyn && (rc = gen_fy_scalar(keyn, "transform.primary-keys", &s, err)) == 0 &&
        (rc = gen_fy_split_top_commas(s, &pk, &npk, err)) != 0)
        rc = gen_fy_at_prefix(err, rc, keyn, "transform.primary-keys");
    if (rc == 0 && filt && (rc = gen_fy_scalar(filt, "transform.filter", &where, err)) == 0 &&
        gen_fy_filter_uses(where, cols, ncols, &hit))
        rc = gen_fy_at(err, RT_EINVAL, filt,
                       "transform.filter names the computed column of '%s': Sluice filters "
                       "before it projects: write the expression in the filter",
                       hit);
    rt_buf f, p;
    rt_buf_init(&f);
    rt_buf_init(&p);
    if (rc == 0 && where) {
        rt_buf_append_str(&f, "{\"tables\": ");
        json_strv(&f, tabs, ntabs);
        rt_buf_append_str(&f, ", \"where\": ");
        rt_buf_append_json_str(&f, where, strlen(where));
        rt_buf_append_char(&f, '}');
    }
    if (rc == 0 && (proj || keyn)) {
        static char *star[] = {"*"};
        rt_buf_append_str(&p, "{\"tables\": ");
        json_strv(&p, tabs, ntabs);
        rt_buf_append_str(&p, ", \"columns\": ");
        json_strv(&p, cols ? cols : star, cols ? ncols : 1);
        if (pk) {
            rt_buf_append_str(&p, ", \"primary_key\": ");
            json_strv(&p, pk, npk);
        }
        rt_buf_append_char(&p, '}');
    }
    gen_fy_strv_free(tabs, ntabs);
    gen_fy_strv_free(cols, ncols);
    gen_fy_strv_free(pk, npk);
    if (rc != 0) {
        rt_buf_fini(&f);
        rt_buf_fini(&p);
        return rc;
    }
    *filter_json = f.data ? rt_buf_take(&f) : NULL;
    *project_json = p.data ? rt_buf_take(&p) : NULL;
    return 0;
}
