/* Table selection: compiled POSIX regular expressions over "db.table" names, and the column
 * lists and chunk keys keyed by such patterns (parsed from their JSON config with jansson). */
#include "operators/mysql/table_filter.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/base/buf.h"
#include "runtime/base/json_text.h"

typedef struct pattern {
    char *text; /* as configured */
    char *path; /* JSON path of the item */
    regex_t re;
    bool compiled;
} pattern;

typedef struct column_rule {
    pattern pat;
    char **columns;
    size_t count;
} column_rule;

typedef struct chunk_rule {
    pattern pat;
    char *column;
} chunk_rule;

struct op_mysql_table_filter {
    pattern *include;
    size_t include_count;
    pattern *exclude;
    size_t exclude_count;
    column_rule *columns;
    size_t column_count;
    chunk_rule *chunks;
    size_t chunk_count;
};

static char *dup_str(const char *s)
{
    char *d = strdup(s);
    if (!d)
        RT_BUG("table filter: out of memory");
    return d;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        RT_BUG("table filter: out of memory");
    return p;
}

static int pattern_compile(pattern *p, const char *text, const char *path, rt_err *err)
{
    p->text = dup_str(text);
    p->path = dup_str(path);
    if (!*text)
        return rt_err_set(err, RT_EINVAL, "%s: empty regular expression", path);
    /* Anchored so that a pattern names whole tables: "shop\.orders" must not also pick up
     * "shop.orders_archive" the way an unanchored regexec would. */
    rt_buf anchored;
    rt_buf_init(&anchored);
    rt_buf_appendf(&anchored, "^(%s)$", text);
    int rc = regcomp(&p->re, anchored.data, REG_EXTENDED | REG_NOSUB);
    rt_buf_fini(&anchored);
    if (rc != 0) {
        char why[160];
        regerror(rc, &p->re, why, sizeof why);
        return rt_err_set(err, RT_EINVAL, "%s: invalid regular expression \"%s\": %s", path, text,
                          why);
    }
    /* "a)|(b" compiles once wrapped but would not mean what it says: ^(a)|(b)$ matches any name
     * that merely starts with a. Refuse a pattern whose parentheses do not balance on its own. */
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
            break;
        }
    }
    p->compiled = true;
    if (depth != 0)
        return rt_err_set(err, RT_EINVAL,
                          "%s: invalid regular expression \"%s\": parentheses not balanced", path,
                          text);
    return 0;
}

static void pattern_fini(pattern *p)
{
    if (p->compiled)
        regfree(&p->re);
    free(p->text);
    free(p->path);
}

/* Matches "db.table" against p without allocating for names of ordinary length. */
static bool pattern_match(const pattern *p, const char *db, const char *table)
{
    char stack[544];
    size_t ld = strlen(db), lt = strlen(table);
    char *name = ld + lt + 2 <= sizeof stack ? stack : malloc(ld + lt + 2);
    if (!name)
        RT_BUG("table filter: out of memory");
    memcpy(name, db, ld);
    name[ld] = '.';
    memcpy(name + ld + 1, table, lt + 1);
    bool hit = regexec(&p->re, name, 0, NULL, 0) == 0;
    if (name != stack)
        free(name);
    return hit;
}

static int compile_list(const rt_strlist *list, const char *path, const char *key, pattern **out,
                        size_t *count, rt_err *err)
{
    size_t n = list ? list->count : 0;
    *out = xcalloc(n, sizeof **out);
    *count = n;
    rt_buf item;
    rt_buf_init(&item);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        rt_buf_reset(&item);
        rt_buf_appendf(&item, "%s.%s[%zu]", path, key, i);
        rc = pattern_compile(&(*out)[i], list->items[i], item.data, err);
    }
    rt_buf_fini(&item);
    return rc;
}

/* "got <excerpt>" for a value of the wrong shape. */
static int shape_error(rt_err *err, const char *path, const char *expected, const json_t *v)
{
    rt_buf got;
    rt_buf_init(&got);
    rt_json_text_append_excerpt(&got, v);
    int rc = rt_err_set(err, RT_EINVAL, "%s: expected %s, got %s", path, expected, got.data);
    rt_buf_fini(&got);
    return rc;
}

/* Parses the JSON object text of `key` and prepares one rule path per entry. */
static int parse_object(const char *json_text, const char *path, const char *key, json_t **out,
                        rt_err *err)
{
    json_error_t je;
    json_t *root = json_loads(json_text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return rt_err_set(err, RT_EINVAL, "%s.%s: invalid JSON: %s", path, key, je.text);
    if (!json_is_object(root)) {
        char where[512];
        snprintf(where, sizeof where, "%s.%s", path, key);
        int rc = shape_error(err, where, "an object {\"db\\\\.table regex\": ...}", root);
        json_decref(root);
        return rc;
    }
    *out = root;
    return 0;
}

static void entry_path(rt_buf *b, const char *path, const char *key, const char *entry)
{
    rt_buf_reset(b);
    rt_buf_appendf(b, "%s.%s[", path, key);
    rt_buf_append_json_str(b, entry, strlen(entry));
    rt_buf_append_char(b, ']');
}

static int parse_columns(op_mysql_table_filter *f, const char *json_text, const char *path,
                         rt_err *err)
{
    json_t *root;
    int rc = parse_object(json_text, path, "columns", &root, err);
    if (rc != 0)
        return rc;
    f->columns = xcalloc(json_object_size(root), sizeof *f->columns);
    rt_buf where;
    rt_buf_init(&where);
    const char *k;
    json_t *v;
    json_object_foreach(root, k, v)
    {
        entry_path(&where, path, "columns", k);
        column_rule *r = &f->columns[f->column_count++];
        if ((rc = pattern_compile(&r->pat, k, where.data, err)) != 0)
            break;
        if (!json_is_array(v) || json_array_size(v) == 0) {
            rc = shape_error(err, where.data, "a non-empty array of column names", v);
            break;
        }
        r->columns = xcalloc(json_array_size(v), sizeof *r->columns);
        for (size_t i = 0; i < json_array_size(v) && rc == 0; i++) {
            const json_t *c = json_array_get(v, i);
            if (!json_is_string(c) || json_string_length(c) == 0 ||
                strlen(json_string_value(c)) != json_string_length(c)) {
                rt_buf_appendf(&where, "[%zu]", i);
                rc = shape_error(err, where.data, "a column name", c);
                break;
            }
            for (size_t j = 0; j < r->count; j++) {
                if (strcmp(r->columns[j], json_string_value(c)) == 0) {
                    rt_buf_appendf(&where, "[%zu]", i);
                    rc = rt_err_set(err, RT_EINVAL, "%s: column \"%s\" is listed twice", where.data,
                                    json_string_value(c));
                    break;
                }
            }
            if (rc == 0)
                r->columns[r->count++] = dup_str(json_string_value(c));
        }
        if (rc != 0)
            break;
    }
    rt_buf_fini(&where);
    json_decref(root);
    return rc;
}

static int parse_chunk_keys(op_mysql_table_filter *f, const char *json_text, const char *path,
                            rt_err *err)
{
    json_t *root;
    int rc = parse_object(json_text, path, "chunk_key_column", &root, err);
    if (rc != 0)
        return rc;
    f->chunks = xcalloc(json_object_size(root), sizeof *f->chunks);
    rt_buf where;
    rt_buf_init(&where);
    const char *k;
    json_t *v;
    json_object_foreach(root, k, v)
    {
        entry_path(&where, path, "chunk_key_column", k);
        chunk_rule *r = &f->chunks[f->chunk_count++];
        if ((rc = pattern_compile(&r->pat, k, where.data, err)) != 0)
            break;
        if (!json_is_string(v) || json_string_length(v) == 0 ||
            strlen(json_string_value(v)) != json_string_length(v)) {
            rc = shape_error(err, where.data, "a column name", v);
            break;
        }
        r->column = dup_str(json_string_value(v));
    }
    rt_buf_fini(&where);
    json_decref(root);
    return rc;
}

int op_mysql_table_filter_new(const rt_strlist *include, const rt_strlist *exclude,
                              const char *columns_json, const char *chunk_keys_json,
                              const char *path, op_mysql_table_filter **out, rt_err *err)
{
    if (!path)
        path = "config";
    if (!include || include->count == 0)
        return rt_err_set(err, RT_EINVAL,
                          "%s.tables: list at least one \"db\\\\.table\" regular expression", path);
    op_mysql_table_filter *f = xcalloc(1, sizeof *f);
    int rc = compile_list(include, path, "tables", &f->include, &f->include_count, err);
    if (rc == 0)
        rc = compile_list(exclude, path, "exclude_tables", &f->exclude, &f->exclude_count, err);
    if (rc == 0 && columns_json)
        rc = parse_columns(f, columns_json, path, err);
    if (rc == 0 && chunk_keys_json)
        rc = parse_chunk_keys(f, chunk_keys_json, path, err);
    if (rc != 0) {
        op_mysql_table_filter_free(f);
        return rc;
    }
    *out = f;
    return 0;
}

void op_mysql_table_filter_free(op_mysql_table_filter *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->include_count; i++)
        pattern_fini(&f->include[i]);
    for (size_t i = 0; i < f->exclude_count; i++)
        pattern_fini(&f->exclude[i]);
    for (size_t i = 0; i < f->column_count; i++) {
        pattern_fini(&f->columns[i].pat);
        for (size_t j = 0; j < f->columns[i].count; j++)
            free(f->columns[i].columns[j]);
        free(f->columns[i].columns);
    }
    for (size_t i = 0; i < f->chunk_count; i++) {
        pattern_fini(&f->chunks[i].pat);
        free(f->chunks[i].column);
    }
    free(f->include);
    free(f->exclude);
    free(f->columns);
    free(f->chunks);
    free(f);
}

bool op_mysql_table_filter_match(const op_mysql_table_filter *f, const char *db, const char *table)
{
    bool in = false;
    for (size_t i = 0; i < f->include_count && !in; i++)
        in = pattern_match(&f->include[i], db, table);
    for (size_t i = 0; i < f->exclude_count && in; i++)
        in = !pattern_match(&f->exclude[i], db, table);
    return in;
}

size_t op_mysql_table_filter_include_count(const op_mysql_table_filter *f)
{
    return f->include_count;
}

const char *op_mysql_table_filter_include(const op_mysql_table_filter *f, size_t i)
{
    RT_ASSERT(i < f->include_count);
    return f->include[i].text;
}

const char *op_mysql_table_filter_include_path(const op_mysql_table_filter *f, size_t i)
{
    RT_ASSERT(i < f->include_count);
    return f->include[i].path;
}

bool op_mysql_table_filter_include_matches(const op_mysql_table_filter *f, size_t i, const char *db,
                                           const char *table)
{
    RT_ASSERT(i < f->include_count);
    return pattern_match(&f->include[i], db, table);
}

/* The one rule of `rules` (stride `size`, pattern first) matching db.table: 0 with *hit (NULL
 * when none), RT_EINVAL when two match. */
static int find_rule(const void *rules, size_t count, size_t size, const char *db,
                     const char *table, const void **hit, rt_err *err)
{
    const pattern *found = NULL;
    for (size_t i = 0; i < count; i++) {
        const pattern *p = (const pattern *)((const char *)rules + i * size);
        if (!pattern_match(p, db, table))
            continue;
        if (found)
            return rt_err_set(err, RT_EINVAL,
                              "%s and %s both match table %s.%s: make one of them "
                              "exclude it",
                              found->path, p->path, db, table);
        found = p;
    }
    *hit = found;
    return 0;
}

int op_mysql_table_filter_columns(const op_mysql_table_filter *f, const char *db, const char *table,
                                  const char *const **names, size_t *count, const char **path,
                                  rt_err *err)
{
    const void *hit = NULL;
    int rc = find_rule(f->columns, f->column_count, sizeof *f->columns, db, table, &hit, err);
    if (rc != 0)
        return rc;
    const column_rule *r = hit;
    *names = r ? (const char *const *)r->columns : NULL;
    *count = r ? r->count : 0;
    if (path)
        *path = r ? r->pat.path : NULL;
    return 0;
}

int op_mysql_table_filter_chunk_key(const op_mysql_table_filter *f, const char *db,
                                    const char *table, const char **column, const char **path,
                                    rt_err *err)
{
    const void *hit = NULL;
    int rc = find_rule(f->chunks, f->chunk_count, sizeof *f->chunks, db, table, &hit, err);
    if (rc != 0)
        return rc;
    const chunk_rule *r = hit;
    *column = r ? r->column : NULL;
    if (path)
        *path = r ? r->pat.path : NULL;
    return 0;
}
