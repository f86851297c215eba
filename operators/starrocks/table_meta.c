/* table_meta: SHOW CREATE TABLE parsed into a key model and columns (notes §6.1), and the
 * libmariadb round trip that fetches it. The parser reads the shape StarRocks prints:
 *   CREATE TABLE `t` ( `c` type [NOT NULL] [DEFAULT ".."] [COMMENT ".."], ..., [INDEX ...] )
 *   ENGINE=OLAP PRIMARY KEY(`c`, ...) ... */
#include "operators/starrocks/table_meta.h"

#include <ctype.h>
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct meta_column {
    char *name;
    char *type;
    bool key;
    bool nullable;
} meta_column;

struct op_sr_table_meta {
    op_sr_table_model model;
    meta_column *cols;
    size_t count;
};

const char *op_sr_table_model_name(op_sr_table_model m)
{
    switch (m) {
    case OP_SR_MODEL_DUPLICATE_KEY:
        return "duplicate_key";
    case OP_SR_MODEL_PRIMARY_KEY:
        return "primary_key";
    case OP_SR_MODEL_UNIQUE_KEY:
        return "unique_key";
    case OP_SR_MODEL_AGGREGATE_KEY:
        return "aggregate_key";
    }
    return "unknown";
}

void op_sr_table_meta_free(op_sr_table_meta *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->count; i++) {
        free(m->cols[i].name);
        free(m->cols[i].type);
    }
    free(m->cols);
    free(m);
}

op_sr_table_model op_sr_table_meta_model(const op_sr_table_meta *m)
{
    return m->model;
}

size_t op_sr_table_meta_column_count(const op_sr_table_meta *m)
{
    return m->count;
}

const char *op_sr_table_meta_column_name(const op_sr_table_meta *m, size_t i)
{
    return m->cols[i].name;
}

const char *op_sr_table_meta_column_type(const op_sr_table_meta *m, size_t i)
{
    return m->cols[i].type;
}

bool op_sr_table_meta_column_is_key(const op_sr_table_meta *m, size_t i)
{
    return m->cols[i].key;
}

bool op_sr_table_meta_column_is_nullable(const op_sr_table_meta *m, size_t i)
{
    return m->cols[i].nullable;
}

long op_sr_table_meta_column_index(const op_sr_table_meta *m, const char *name)
{
    for (size_t i = 0; i < m->count; i++) {
        if (strcasecmp(m->cols[i].name, name) == 0)
            return (long)i;
    }
    return -1;
}

/* --- The parser: a cursor over the DDL text --- */

typedef struct cur {
    const char *p, *end;
} cur;

static void skip_space(cur *c)
{
    while (c->p < c->end && isspace((unsigned char)*c->p))
        c->p++;
}

/* Skips a quoted string ('..', "..", `..`) starting at c->p, with backslash escapes and doubled
 * quotes. Returns false when it does not end. */
static bool skip_quoted(cur *c)
{
    char q = *c->p++;
    while (c->p < c->end) {
        char ch = *c->p++;
        if (ch == '\\' && q != '`' && c->p < c->end) {
            c->p++;
        } else if (ch == q) {
            if (c->p < c->end && *c->p == q) {
                c->p++;
                continue;
            }
            return true;
        }
    }
    return false;
}

/* True when the text at c->p starts with keyword kw (case-insensitive) as a whole word. */
static bool at_word(const cur *c, const char *kw)
{
    size_t n = strlen(kw);
    if ((size_t)(c->end - c->p) < n || strncasecmp(c->p, kw, n) != 0)
        return false;
    return c->p + n == c->end || !(isalnum((unsigned char)c->p[n]) || c->p[n] == '_');
}

/* Reads an identifier (backquoted, double-quoted or bare) into a new string. NULL if none. */
static char *read_ident(cur *c)
{
    skip_space(c);
    if (c->p >= c->end)
        return NULL;
    const char *start;
    size_t len;
    if (*c->p == '`' || *c->p == '"') {
        char q = *c->p;
        start = ++c->p;
        while (c->p < c->end && *c->p != q)
            c->p++;
        if (c->p >= c->end)
            return NULL;
        len = (size_t)(c->p - start);
        c->p++;
    } else {
        start = c->p;
        while (c->p < c->end && (isalnum((unsigned char)*c->p) || *c->p == '_' || *c->p == '$'))
            c->p++;
        len = (size_t)(c->p - start);
    }
    if (len == 0)
        return NULL;
    char *s = malloc(len + 1);
    if (s) {
        memcpy(s, start, len);
        s[len] = '\0';
    }
    return s;
}

/* Reads a column type: a word with an optional parenthesised part, or a nested ARRAY<..>;
 * lower-cased, without spaces. */
static char *read_type(cur *c)
{
    skip_space(c);
    const char *start = c->p;
    int depth = 0;
    while (c->p < c->end) {
        char ch = *c->p;
        if (ch == '(' || ch == '<')
            depth++;
        else if (ch == ')' || ch == '>')
            depth--;
        else if (depth == 0 && (isspace((unsigned char)ch) || ch == ','))
            break;
        if (depth < 0)
            break;
        c->p++;
    }
    size_t len = (size_t)(c->p - start);
    if (len == 0)
        return NULL;
    char *s = malloc(len + 1);
    if (!s)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (!isspace((unsigned char)start[i]))
            s[o++] = (char)tolower((unsigned char)start[i]);
    }
    s[o] = '\0';
    return s;
}

/* Skips to the next top-level ',' or the ')' that closes the column list; c->p stays on it. */
static bool skip_to_separator(cur *c)
{
    int depth = 0;
    while (c->p < c->end) {
        char ch = *c->p;
        if (ch == '\'' || ch == '"' || ch == '`') {
            if (!skip_quoted(c))
                return false;
            continue;
        }
        if (ch == '(')
            depth++;
        else if (ch == ')' && depth-- == 0)
            return true;
        else if (ch == ',' && depth == 0)
            return true;
        c->p++;
    }
    return false;
}

static int add_column(op_sr_table_meta *m, char *name, char *type, size_t *cap)
{
    if (m->count == *cap) {
        size_t n = *cap ? *cap * 2 : 16;
        meta_column *p = realloc(m->cols, n * sizeof *p);
        if (!p)
            return RT_ENOMEM;
        m->cols = p;
        *cap = n;
    }
    m->cols[m->count++] = (meta_column){.name = name, .type = type, .nullable = true};
    return 0;
}

/* True when the column attributes in [p, end) say NOT NULL (outside quoted strings). */
static bool says_not_null(const char *p, const char *end)
{
    cur c = {p, end};
    while (c.p < c.end) {
        if (*c.p == '\'' || *c.p == '"' || *c.p == '`') {
            if (!skip_quoted(&c))
                return false;
            continue;
        }
        if (at_word(&c, "NOT") &&
            (c.p == p || !(isalnum((unsigned char)c.p[-1]) || c.p[-1] == '_'))) {
            cur k = {c.p + 3, c.end};
            skip_space(&k);
            if (at_word(&k, "NULL"))
                return true;
        }
        c.p++;
    }
    return false;
}

/* The key clause after the column list: `PRIMARY KEY(a, b)` and its kin. */
static int parse_key_clause(cur *c, op_sr_table_meta *m, rt_err *err)
{
    const char *start = c->p;
    static const struct {
        const char *word;
        op_sr_table_model model;
    } models[] = {
        {"PRIMARY", OP_SR_MODEL_PRIMARY_KEY},
        {"DUPLICATE", OP_SR_MODEL_DUPLICATE_KEY},
        {"UNIQUE", OP_SR_MODEL_UNIQUE_KEY},
        {"AGGREGATE", OP_SR_MODEL_AGGREGATE_KEY},
    };
    while (c->p < c->end) {
        if (*c->p == '\'' || *c->p == '"' || *c->p == '`') {
            if (!skip_quoted(c))
                break;
            continue;
        }
        for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
            /* A whole word: not the tail of a longer name. */
            if (!at_word(c, models[i].word) ||
                (c->p > start && (isalnum((unsigned char)c->p[-1]) || c->p[-1] == '_')))
                continue;
            cur k = {c->p + strlen(models[i].word), c->end};
            skip_space(&k);
            if (!at_word(&k, "KEY"))
                continue;
            k.p += 3;
            skip_space(&k);
            if (k.p >= k.end || *k.p != '(')
                return rt_err_set(err, RT_EINVAL, "%s KEY without a column list", models[i].word);
            k.p++;
            m->model = models[i].model;
            for (;;) {
                char *name = read_ident(&k);
                if (!name)
                    return rt_err_set(err, RT_EINVAL, "%s KEY: expected a column name",
                                      models[i].word);
                long idx = op_sr_table_meta_column_index(m, name);
                if (idx < 0) {
                    rt_err_set(err, RT_EINVAL, "%s KEY names the unknown column '%s'",
                               models[i].word, name);
                    free(name);
                    return RT_EINVAL;
                }
                free(name);
                m->cols[idx].key = true;
                skip_space(&k);
                if (k.p < k.end && *k.p == ',') {
                    k.p++;
                    continue;
                }
                if (k.p < k.end && *k.p == ')')
                    return 0;
                return rt_err_set(err, RT_EINVAL, "%s KEY: unterminated column list",
                                  models[i].word);
            }
        }
        c->p++;
    }
    m->model = OP_SR_MODEL_DUPLICATE_KEY; /* no key clause: StarRocks' default model */
    return 0;
}

int op_sr_table_meta_parse(const char *ddl, size_t len, op_sr_table_meta **out, rt_err *err)
{
    cur c = {ddl, ddl + len};
    skip_space(&c);
    if (!at_word(&c, "CREATE"))
        return rt_err_set(err, RT_EINVAL, "table definition does not start with CREATE");
    /* The column list opens at the first '(' outside a quoted name. */
    while (c.p < c.end && *c.p != '(') {
        if (*c.p == '`' || *c.p == '"') {
            if (!skip_quoted(&c))
                break;
            continue;
        }
        c.p++;
    }
    if (c.p >= c.end)
        return rt_err_set(err, RT_EINVAL, "table definition has no column list");
    c.p++;
    op_sr_table_meta *m = calloc(1, sizeof *m);
    if (!m)
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    size_t cap = 0;
    int rc = 0;
    for (;;) {
        skip_space(&c);
        /* Index and constraint lines share the column list; they are not columns. */
        bool skip = at_word(&c, "INDEX") || at_word(&c, "KEY") || at_word(&c, "CONSTRAINT");
        if (!skip) {
            char *name = read_ident(&c);
            char *type = name ? read_type(&c) : NULL;
            if (!name || !type) {
                free(name);
                free(type);
                rc = rt_err_set(err, RT_EINVAL, "column %zu: expected a name and a type",
                                m->count + 1);
                break;
            }
            if (add_column(m, name, type, &cap) != 0) {
                free(name);
                free(type);
                rc = rt_err_set(err, RT_ENOMEM, "out of memory");
                break;
            }
        }
        const char *attrs = c.p;
        if (!skip_to_separator(&c)) {
            rc = rt_err_set(err, RT_EINVAL, "unterminated column list");
            break;
        }
        if (!skip && says_not_null(attrs, c.p))
            m->cols[m->count - 1].nullable = false;
        if (*c.p++ == ')')
            break;
    }
    if (rc == 0 && m->count == 0)
        rc = rt_err_set(err, RT_EINVAL, "table definition has no columns");
    if (rc == 0)
        rc = parse_key_clause(&c, m, err);
    if (rc != 0) {
        op_sr_table_meta_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

/* --- Edits: what a table will look like once DDL ran (schema evolution projects it) --- */

int op_sr_table_meta_new(op_sr_table_model model, op_sr_table_meta **out, rt_err *err)
{
    op_sr_table_meta *m = calloc(1, sizeof *m);
    if (!m)
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    m->model = model;
    *out = m;
    return 0;
}

int op_sr_table_meta_copy(const op_sr_table_meta *m, op_sr_table_meta **out, rt_err *err)
{
    op_sr_table_meta *c = NULL;
    int rc = op_sr_table_meta_new(m->model, &c, err);
    for (size_t i = 0; rc == 0 && i < m->count; i++)
        rc = op_sr_table_meta_add_column(c, m->cols[i].name, m->cols[i].type, m->cols[i].nullable,
                                         m->cols[i].key, NULL, err);
    if (rc != 0) {
        op_sr_table_meta_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

static char *lower_dup(const char *s)
{
    char *d = strdup(s);
    for (char *p = d; p && *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return d;
}

int op_sr_table_meta_add_column(op_sr_table_meta *m, const char *name, const char *type,
                                bool nullable, bool key, const char *after, rt_err *err)
{
    size_t pos = m->count;
    if (after) {
        long a = op_sr_table_meta_column_index(m, after);
        if (a >= 0)
            pos = (size_t)a + 1;
    }
    meta_column *p = realloc(m->cols, (m->count + 1) * sizeof *p);
    if (!p)
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    m->cols = p;
    meta_column c = {
        .name = strdup(name), .type = lower_dup(type), .key = key, .nullable = nullable};
    if (!c.name || !c.type) {
        free(c.name);
        free(c.type);
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    }
    memmove(&m->cols[pos + 1], &m->cols[pos], (m->count - pos) * sizeof *m->cols);
    m->cols[pos] = c;
    m->count++;
    return 0;
}

void op_sr_table_meta_drop_column(op_sr_table_meta *m, size_t i)
{
    free(m->cols[i].name);
    free(m->cols[i].type);
    memmove(&m->cols[i], &m->cols[i + 1], (m->count - i - 1) * sizeof *m->cols);
    m->count--;
}

int op_sr_table_meta_rename_column(op_sr_table_meta *m, size_t i, const char *name, rt_err *err)
{
    char *n = strdup(name);
    if (!n)
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    free(m->cols[i].name);
    m->cols[i].name = n;
    return 0;
}

int op_sr_table_meta_modify_column(op_sr_table_meta *m, size_t i, const char *type, bool nullable,
                                   rt_err *err)
{
    char *t = lower_dup(type);
    if (!t)
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    free(m->cols[i].type);
    m->cols[i].type = t;
    m->cols[i].nullable = nullable;
    return 0;
}

/* --- The round trip over the MySQL port --- */

static void quote_ident(char *out, size_t size, const char *name)
{
    size_t o = 0;
    if (size < 3)
        return;
    out[o++] = '`';
    for (const char *s = name; *s && o + 3 < size; s++) {
        if (*s == '`')
            out[o++] = '`';
        out[o++] = *s;
    }
    out[o++] = '`';
    out[o] = '\0';
}

int op_sr_table_meta_fetch(const op_sr_query_params *p, const char *db, const char *table,
                           op_sr_table_meta **out, rt_err *err)
{
    MYSQL *my = mysql_init(NULL);
    if (!my)
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    unsigned timeout = (unsigned)((p->timeout_ms + 999) / 1000);
    if (timeout == 0)
        timeout = 1;
    mysql_optionsv(my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_optionsv(my, MYSQL_OPT_READ_TIMEOUT, &timeout);
    mysql_optionsv(my, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
    int rc = 0;
    if (!mysql_real_connect(my, p->host, p->user, p->password ? p->password : "", NULL,
                            (unsigned)p->port, NULL, 0)) {
        /* The client's message names host and user, never the password. */
        rc = rt_err_set(err, RT_EUNAVAIL, "query port %s:%d: connect: %s", p->host, p->port,
                        mysql_error(my));
        mysql_close(my);
        return rc;
    }
    char qdb[300], qtable[300], sql[700];
    quote_ident(qdb, sizeof qdb, db);
    quote_ident(qtable, sizeof qtable, table);
    snprintf(sql, sizeof sql, "SHOW CREATE TABLE %s.%s", qdb, qtable);
    if (mysql_query(my, sql) != 0) {
        unsigned code = mysql_errno(my);
        /* 1049 unknown database, 1146 no such table; StarRocks answers 1064 with the text. */
        const char *msg = mysql_error(my);
        bool missing = code == 1049 || code == 1146 || strstr(msg, "nknown table") ||
                       strstr(msg, "not exist") || strstr(msg, "nknown database");
        rc = rt_err_set(err, missing ? RT_ENOTFOUND : RT_EIO, "query port %s:%d: %s: %s", p->host,
                        p->port, sql, msg);
        mysql_close(my);
        return rc;
    }
    MYSQL_RES *res = mysql_store_result(my);
    MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
    unsigned long *lens = row ? mysql_fetch_lengths(res) : NULL;
    if (!row || mysql_num_fields(res) < 2 || !row[1]) {
        rc = rt_err_set(err, RT_EINVAL, "query port %s:%d: %s: no table definition in the answer",
                        p->host, p->port, sql);
    } else {
        rc = op_sr_table_meta_parse(row[1], lens[1], out, err);
        if (rc != 0)
            rc = rt_err_prefix(err, rc, "%s.%s: SHOW CREATE TABLE", db, table);
    }
    if (res)
        mysql_free_result(res);
    mysql_close(my);
    return rc;
}
