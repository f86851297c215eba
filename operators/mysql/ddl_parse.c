/* The table-DDL parser: a tokenizer that knows MySQL's quoting and comment rules, and a recursive
 * descent over the CREATE / ALTER / DROP / RENAME / TRUNCATE TABLE grammar (MySQL 8.4 and
 * MariaDB 11 reference manuals). Only what changes columns, keys or names is kept; the rest is
 * recognised and stepped over a token at a time, never with a byte-level search. */
#include "operators/mysql/ddl_parse.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "operators/basic/sql_type.h"
#include "operators/mysql/ddl_lex.h"
#include "operators/mysql/ddl_parse_int.h"

/* ---- names -------------------------------------------------------------------------------- */

static bool is_ident(const parser *p)
{
    return p->t.kind == T_WORD || p->t.kind == T_QUOTED;
}

/* The current identifier as a new string (`` unescaped in backquoted ones), then advances. */
static int take_ident(parser *p, const char *expected, char **out)
{
    if (!is_ident(p))
        return fail(p, expected);
    const char *s = p->s + p->t.pos;
    size_t n = p->t.len;
    char *c;
    if (p->t.kind == T_QUOTED) {
        /* The server refuses `` and NUL bytes in names; the history's names are C strings. */
        if (n < 3 || memchr(s, '\0', n))
            return fail(p, "a non-empty name without NUL bytes");
        c = malloc(n);
        if (!c)
            return oom(p);
        size_t k = 0;
        for (size_t i = 1; i + 1 < n; i++) {
            c[k++] = s[i];
            if (s[i] == '`')
                i++;
        }
        c[k] = '\0';
    } else {
        c = dup_n(s, n);
        if (!c)
            return oom(p);
    }
    advance(p);
    *out = c;
    return 0;
}

/* [db.]table into out (owned by the caller on success). */
static int take_name(parser *p, op_ddl_name *out)
{
    char *a = NULL, *b = NULL;
    int rc = take_ident(p, "a table name", &a);
    if (rc)
        return rc;
    if (eat_punct(p, '.')) {
        rc = take_ident(p, "a table name after the database", &b);
        if (rc) {
            free(a);
            return rc;
        }
    } else {
        b = a;
        a = dup_n(p->db, p->db_len);
        if (!a) {
            free(b);
            return oom(p);
        }
    }
    out->db = a;
    out->table = b;
    return 0;
}

static int add_table(parser *p)
{
    op_ddl *d = p->d;
    int rc = grow(p, (void **)&d->tables, d->table_count, &d->table_cap, sizeof *d->tables);
    if (rc)
        return rc;
    rc = take_name(p, &d->tables[d->table_count]);
    if (rc == 0)
        d->table_count++;
    return rc;
}

/* WAIT n | NOWAIT (MariaDB lock timeouts), after a table name. */
static void skip_wait(parser *p)
{
    if (eat_kw(p, "nowait"))
        return;
    if (is_kw(p, "wait") && peek(p).kind == T_WORD) {
        advance(p);
        advance(p);
    }
}

/* ---- skipping ----------------------------------------------------------------------------- */

/* At '(': skips to after the matching ')'. */
static int skip_group(parser *p)
{
    size_t depth = 0;
    do {
        if (p->t.kind == T_END || p->t.kind == T_BAD)
            return fail(p, "')'");
        if (is_punct(p, '('))
            depth++;
        else if (is_punct(p, ')'))
            depth--;
        advance(p);
    } while (depth > 0);
    return 0;
}

/* Skips to the ',' or ')' that ends the current element (not consumed), or the end. */
static int skip_element(parser *p)
{
    while (!is_punct(p, ',') && !is_punct(p, ')') && !is_punct(p, ';') && p->t.kind != T_END) {
        if (p->t.kind == T_BAD)
            return fail(p, "','");
        if (is_punct(p, '(')) {
            int rc = skip_group(p);
            if (rc)
                return rc;
        } else {
            advance(p);
        }
    }
    return 0;
}

/* ---- types and column definitions --------------------------------------------------------- */

static void append_lower(rt_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rt_buf_append_char(b, (char)tolower((unsigned char)s[i]));
}

static void append_tok(parser *p, rt_buf *b)
{
    if (b->len)
        rt_buf_append_char(b, ' ');
    append_lower(b, p->s + p->t.pos, p->t.len);
    advance(p);
}

/* The type of a column definition: its name (DOUBLE PRECISION, CHARACTER VARYING, NATIONAL
 * CHAR, LONG VARCHAR), the parenthesised arguments verbatim, then the modifiers that belong to
 * the type. What follows (NULL, DEFAULT, ...) is an attribute of the column. */
static int take_type(parser *p, rt_buf *b)
{
    if (p->t.kind != T_WORD)
        return fail(p, "a column type");
    bool national = is_kw(p, "national") || is_kw(p, "nchar");
    bool chr = is_kw(p, "char") || is_kw(p, "character");
    bool dbl = is_kw(p, "double");
    bool lng = is_kw(p, "long");
    append_tok(p, b);
    if (national && (is_kw(p, "char") || is_kw(p, "character") || is_kw(p, "varchar"))) {
        chr = is_kw(p, "char") || is_kw(p, "character");
        append_tok(p, b);
    }
    if ((chr || national) && is_kw(p, "varying"))
        append_tok(p, b);
    else if (dbl && is_kw(p, "precision"))
        append_tok(p, b);
    else if (lng && (is_kw(p, "varchar") || is_kw(p, "varbinary") || is_kw(p, "varcharacter")))
        append_tok(p, b);
    if (is_punct(p, '(')) {
        size_t start = p->t.pos;
        int rc = skip_group(p);
        if (rc)
            return rc;
        rt_buf_append(b, p->s + start, p->prev_end - start);
    }
    for (;;) {
        if (is_kw(p, "unsigned") || is_kw(p, "signed") || is_kw(p, "zerofill") ||
            is_kw(p, "binary") || is_kw(p, "ascii") || is_kw(p, "unicode") || is_kw(p, "byte")) {
            append_tok(p, b);
        } else if ((is_kw(p, "character") || is_kw(p, "char")) && tok_is(p, peek(p), "set")) {
            advance(p);
            advance(p);
            rt_buf_append_str(b, " character set");
            if (!is_ident(p) && p->t.kind != T_STRING)
                return fail(p, "a character set name");
            append_tok(p, b);
        } else if (is_kw(p, "charset") || is_kw(p, "collate")) {
            append_tok(p, b);
            if (!is_ident(p) && p->t.kind != T_STRING)
                return fail(p, "a character set or collation name");
            append_tok(p, b);
        } else {
            return 0;
        }
    }
}

/* One expression after DEFAULT or ON UPDATE: a literal, a signed number, a parenthesised
 * expression, a function call or an introduced string (_utf8mb4'x'). */
static int skip_expr(parser *p)
{
    if (is_punct(p, '('))
        return skip_group(p);
    if (is_punct(p, '-') || is_punct(p, '+'))
        advance(p);
    if (p->t.kind == T_END || p->t.kind == T_BAD || is_punct(p, ',') || is_punct(p, ')'))
        return fail(p, "an expression");
    bool word = p->t.kind == T_WORD;
    advance(p);
    if (word && is_punct(p, '('))
        return skip_group(p);
    if (word && p->t.kind == T_STRING)
        advance(p);
    /* 1.5, 1e-5: the tokenizer splits numbers at '.', '-' and '+'. */
    while (is_punct(p, '.') && peek(p).kind == T_WORD) {
        advance(p);
        advance(p);
    }
    /* 1e-5: a number's word ends in a digit and 'e', the sign follows without a space. */
    const char *end = p->s + p->prev_end;
    if (p->prev_end >= 2 && (end[-1] == 'e' || end[-1] == 'E') && isdigit((unsigned char)end[-2]) &&
        (is_punct(p, '-') || is_punct(p, '+')) && p->t.pos == p->prev_end &&
        peek(p).kind == T_WORD) {
        advance(p);
        advance(p);
    }
    return 0;
}

/* DEFAULT's expression into *out: op_ddl_default_normalize's text for `type`, or the text as
 * written when type is NULL (ALTER COLUMN ... SET DEFAULT); NULL for DEFAULT NULL. */
static int take_default(parser *p, const char *type, char **out)
{
    size_t start = p->t.pos;
    int rc = skip_expr(p);
    if (rc)
        return rc;
    free(*out);
    *out = NULL;
    rt_buf b;
    rt_buf_init(&b);
    bool has;
    if (type) {
        has = op_ddl_default_normalize(p->s + start, p->prev_end - start, type, &b);
    } else {
        rt_buf_append(&b, p->s + start, p->prev_end - start);
        has = !(b.len == 4 && strncasecmp(b.data, "null", 4) == 0);
    }
    if (has)
        *out = rt_buf_take(&b);
    rt_buf_fini(&b);
    return 0;
}

/* The attributes after the type, up to ',' ')' FIRST AFTER or the end. */
static int take_attributes(parser *p, op_ddl_column *c)
{
    for (;;) {
        if (is_punct(p, ',') || is_punct(p, ')') || is_punct(p, ';') || p->t.kind == T_END ||
            is_kw(p, "first") || is_kw(p, "after"))
            return 0;
        int rc = 0;
        if (p->t.kind == T_BAD) {
            rc = fail(p, "a column attribute");
        } else if (eat_kw(p, "not")) {
            if (!eat_kw(p, "null"))
                rc = fail(p, "NULL after NOT");
            c->nullable = false;
        } else if (eat_kw(p, "null")) {
            c->nullable = true;
        } else if (eat_kw(p, "primary")) {
            if (!eat_kw(p, "key"))
                rc = fail(p, "KEY after PRIMARY");
            c->primary_key = true;
        } else if (eat_kw(p, "key")) {
            c->primary_key = true; /* a bare KEY in a column definition is PRIMARY KEY */
        } else if (eat_kw(p, "unique")) {
            eat_kw(p, "key");
        } else if (eat_kw(p, "auto_increment")) {
            c->auto_increment = true;
        } else if (eat_kw(p, "default")) {
            rc = take_default(p, c->type, &c->default_value);
        } else if (eat_kw(p, "on")) {
            if (!eat_kw(p, "update"))
                rc = fail(p, "UPDATE after ON");
            else
                rc = skip_expr(p);
        } else if (eat_kw(p, "comment")) {
            if (p->t.kind != T_STRING)
                rc = fail(p, "a comment string");
            advance(p);
        } else if (is_kw(p, "references")) {
            rc = skip_element(p); /* the last clause of a definition; ON DELETE SET NULL inside */
        } else if (is_punct(p, '(')) {
            rc = skip_group(p);
        } else {
            advance(p); /* COLLATE x, GENERATED ALWAYS AS, VIRTUAL, INVISIBLE, CHECK, ... */
        }
        if (rc)
            return rc;
    }
}

/* name type attributes, into *c (owned by the caller on success). */
static int take_column(parser *p, op_ddl_column *c)
{
    memset(c, 0, sizeof *c);
    c->nullable = true;
    int rc = take_ident(p, "a column name", &c->name);
    if (rc)
        return rc;
    rt_buf raw, norm;
    rt_buf_init(&raw);
    rt_buf_init(&norm);
    rc = take_type(p, &raw);
    if (rc == 0) {
        op_ddl_type_normalize(raw.data, &norm);
        c->type = rt_buf_take(&norm);
        rc = take_attributes(p, c);
    }
    rt_buf_fini(&raw);
    rt_buf_fini(&norm);
    if (c->primary_key)
        c->nullable = false;
    if (rc)
        op_ddl_column_fini(c);
    return rc;
}

/* [USING BTREE] (col [(len)] [ASC|DESC], ...) [index options]: the column names in order. */
static int take_key(parser *p, char ***out, size_t *count)
{
    char **key = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    if (eat_kw(p, "using"))
        advance(p);
    if (is_ident(p) && !is_kw(p, "using"))
        advance(p); /* an index name */
    if (!eat_punct(p, '('))
        rc = fail(p, "'(' and the key's columns");
    while (rc == 0) {
        rc = grow(p, (void **)&key, n, &cap, sizeof *key);
        if (rc == 0)
            rc = take_ident(p, "a key column", &key[n]);
        if (rc)
            break;
        n++;
        if (is_punct(p, '('))
            rc = skip_group(p);
        if (rc == 0 && !eat_kw(p, "asc"))
            eat_kw(p, "desc");
        if (rc == 0 && !eat_punct(p, ',')) {
            if (!eat_punct(p, ')'))
                rc = fail(p, "',' or ')' in the key");
            break;
        }
    }
    if (rc == 0)
        rc = skip_element(p);
    if (rc) {
        op_ddl_key_free(key, n);
        return rc;
    }
    *out = key;
    *count = n;
    return 0;
}

/* Keywords that start a key, index or constraint where a column definition could stand. */
static bool at_index_def(parser *p)
{
    static const char *const kws[] = {"index",   "key",   "unique",     "fulltext", "spatial",
                                      "foreign", "check", "constraint", "primary"};
    for (size_t i = 0; i < sizeof kws / sizeof kws[0]; i++)
        if (is_kw(p, kws[i]))
            return true;
    return is_kw(p, "period") && tok_is(p, peek(p), "for");
}

/* At a key/index/constraint definition: PRIMARY KEY sets *key (NULL otherwise); the rest is
 * skipped. */
static int take_index_def(parser *p, char ***key, size_t *key_count)
{
    *key = NULL;
    *key_count = 0;
    if (eat_kw(p, "constraint")) {
        if (is_ident(p) && !is_kw(p, "primary") && !is_kw(p, "unique") && !is_kw(p, "foreign") &&
            !is_kw(p, "check"))
            advance(p);
    }
    if (eat_kw(p, "primary")) {
        if (!eat_kw(p, "key"))
            return fail(p, "KEY after PRIMARY");
        return take_key(p, key, key_count);
    }
    return skip_element(p);
}

/* ---- statements --------------------------------------------------------------------------- */

static int set_key(parser *p, char **key, size_t n)
{
    op_ddl_key_free(p->d->key, p->d->key_count);
    p->d->key = key;
    p->d->key_count = p->d->key_cap = n;
    return 0;
}

static int parse_create(parser *p)
{
    op_ddl *d = p->d;
    if (eat_kw(p, "if")) {
        if (!eat_kw(p, "not") || !eat_kw(p, "exists"))
            return fail(p, "IF NOT EXISTS");
        d->if_not_exists = true;
    }
    int rc = add_table(p);
    if (rc)
        return rc;
    bool paren = eat_punct(p, '(');
    if (eat_kw(p, "like")) {
        rc = take_name(p, &d->like);
        if (rc)
            return rc;
        d->has_like = true;
        if (paren && !eat_punct(p, ')'))
            return fail(p, "')'");
        return at_end(p) ? 0 : fail(p, "the end of the statement");
    }
    if (!paren)
        return fail(p, "a column list or LIKE");
    for (;;) {
        if (at_index_def(p)) {
            char **key;
            size_t n;
            rc = take_index_def(p, &key, &n);
            if (rc == 0 && key)
                rc = set_key(p, key, n);
        } else {
            rc = grow(p, (void **)&d->columns, d->column_count, &d->column_cap, sizeof *d->columns);
            if (rc == 0)
                rc = take_column(p, &d->columns[d->column_count]);
            if (rc == 0)
                d->column_count++;
            if (rc == 0 && (is_kw(p, "first") || is_kw(p, "after")))
                rc = fail(p, "',' or ')'");
        }
        if (rc)
            return rc;
        if (eat_punct(p, ')'))
            break;
        if (!eat_punct(p, ','))
            return fail(p, "',' or ')' after a column definition");
    }
    if (d->column_count == 0)
        return fail(p, "a column definition");
    /* Inline PRIMARY KEY is the key when there is no table-level one. */
    for (size_t i = 0; i < d->column_count && d->key_count == 0; i++) {
        if (d->columns[i].primary_key) {
            char **key = malloc(sizeof *key);
            char *n = key ? strdup(d->columns[i].name) : NULL;
            if (!n) {
                free(key);
                return oom(p);
            }
            key[0] = n;
            set_key(p, key, 1);
        }
    }
    for (size_t i = 0; i < d->column_count; i++)
        for (size_t k = 0; k < d->key_count; k++)
            if (strcasecmp(d->columns[i].name, d->key[k]) == 0)
                d->columns[i].nullable = false;
    /* Table options, partitioning and AS SELECT follow: none changes the columns. */
    return 0;
}

/* ---- ALTER TABLE ------------------------------------------------------------------------------
 */

static int new_alter(parser *p, op_ddl_alter_kind kind, op_ddl_alter **out)
{
    op_ddl *d = p->d;
    int rc = grow(p, (void **)&d->alters, d->alter_count, &d->alter_cap, sizeof *d->alters);
    if (rc)
        return rc;
    op_ddl_alter *a = &d->alters[d->alter_count++];
    memset(a, 0, sizeof *a);
    a->kind = kind;
    *out = a;
    return 0;
}

static int take_place(parser *p, op_ddl_alter *a)
{
    if (eat_kw(p, "first")) {
        a->place = OP_DDL_PLACE_FIRST;
    } else if (eat_kw(p, "after")) {
        a->place = OP_DDL_PLACE_AFTER;
        return take_ident(p, "a column name after AFTER", &a->after);
    }
    return 0;
}

static bool eat_if_exists(parser *p, bool not )
{
    if (!is_kw(p, "if"))
        return false;
    tok n = peek(p);
    if (!tok_is(p, n, not ? "not" : "exists"))
        return false;
    advance(p);
    advance(p);
    if (not )
        eat_kw(p, "exists");
    return true;
}

static int parse_add(parser *p)
{
    bool column = eat_kw(p, "column");
    bool ine = eat_if_exists(p, true);
    op_ddl_alter *a;
    int rc;
    if (!column && at_index_def(p)) {
        char **key;
        size_t n;
        rc = take_index_def(p, &key, &n);
        if (rc || !key)
            return rc;
        rc = new_alter(p, OP_DDL_ADD_PRIMARY_KEY, &a);
        if (rc) {
            op_ddl_key_free(key, n);
            return rc;
        }
        a->key = key;
        a->key_count = n;
        return 0;
    }
    if (!column &&
        (is_kw(p, "partition") || (is_kw(p, "system") && tok_is(p, peek(p), "versioning"))))
        return skip_element(p);
    bool list = eat_punct(p, '(');
    do {
        if (list && at_index_def(p)) {
            char **key;
            size_t n;
            rc = take_index_def(p, &key, &n);
            if (rc == 0 && key) {
                rc = new_alter(p, OP_DDL_ADD_PRIMARY_KEY, &a);
                if (rc == 0) {
                    a->key = key;
                    a->key_count = n;
                } else {
                    op_ddl_key_free(key, n);
                }
            }
            if (rc)
                return rc;
            continue;
        }
        rc = new_alter(p, OP_DDL_ADD_COLUMN, &a);
        if (rc == 0)
            rc = take_column(p, &a->column);
        if (rc) {
            p->d->alter_count--;
            return rc;
        }
        a->if_exists = ine;
        if (!list && (rc = take_place(p, a)) != 0)
            return rc;
    } while (list && eat_punct(p, ','));
    if (list && !eat_punct(p, ')'))
        return fail(p, "',' or ')' in the column list");
    return 0;
}

static int parse_drop(parser *p)
{
    op_ddl_alter *a;
    bool column = eat_kw(p, "column");
    if (!column && is_kw(p, "primary")) {
        advance(p);
        if (!eat_kw(p, "key"))
            return fail(p, "KEY after PRIMARY");
        return new_alter(p, OP_DDL_DROP_PRIMARY_KEY, &a);
    }
    if (!column && (is_kw(p, "index") || is_kw(p, "key") || is_kw(p, "foreign") ||
                    is_kw(p, "check") || is_kw(p, "constraint") || is_kw(p, "partition") ||
                    is_kw(p, "period") || is_kw(p, "system") || is_kw(p, "default")))
        return skip_element(p);
    bool ie = eat_if_exists(p, false);
    int rc = new_alter(p, OP_DDL_DROP_COLUMN, &a);
    if (rc)
        return rc;
    a->if_exists = ie;
    rc = take_ident(p, "a column name", &a->name);
    if (rc == 0 && !eat_kw(p, "restrict"))
        eat_kw(p, "cascade");
    return rc;
}

/* MODIFY [COLUMN] [IF EXISTS] def, CHANGE [COLUMN] [IF EXISTS] old def. */
static int parse_modify(parser *p, bool change)
{
    eat_kw(p, "column");
    bool ie = eat_if_exists(p, false);
    op_ddl_alter *a;
    int rc = new_alter(p, change ? OP_DDL_CHANGE_COLUMN : OP_DDL_MODIFY_COLUMN, &a);
    if (rc)
        return rc;
    a->if_exists = ie;
    if (change && (rc = take_ident(p, "a column name", &a->name)) != 0)
        return rc;
    if ((rc = take_column(p, &a->column)) != 0)
        return rc;
    return take_place(p, a);
}

static int parse_rename(parser *p)
{
    op_ddl_alter *a;
    int rc;
    if (eat_kw(p, "column")) {
        bool ie = eat_if_exists(p, false); /* MariaDB 10.5.2 */
        rc = new_alter(p, OP_DDL_RENAME_COLUMN, &a);
        if (rc == 0) {
            a->if_exists = ie;
            rc = take_ident(p, "a column name", &a->name);
        }
        if (rc == 0 && !eat_kw(p, "to"))
            rc = fail(p, "TO");
        if (rc == 0)
            rc = take_ident(p, "the new column name", &a->new_name);
        return rc;
    }
    if (is_kw(p, "index") || is_kw(p, "key"))
        return skip_element(p);
    if (!eat_kw(p, "to"))
        eat_kw(p, "as");
    rc = new_alter(p, OP_DDL_RENAME_TO, &a);
    return rc ? rc : take_name(p, &a->table);
}

/* ALTER [COLUMN] name SET DEFAULT x | DROP DEFAULT; the rest (SET VISIBLE, ALTER INDEX, ALTER
 * CHECK, ...) is stepped over. */
static int parse_alter_column(parser *p)
{
    bool column = eat_kw(p, "column");
    if (!column &&
        (is_kw(p, "index") || is_kw(p, "key") || is_kw(p, "check") || is_kw(p, "constraint")))
        return skip_element(p);
    if (!is_ident(p))
        return skip_element(p);
    tok n = peek(p);
    bool set = tok_is(p, n, "set"), drop = tok_is(p, n, "drop");
    if (!set && !drop)
        return skip_element(p);
    char *name;
    int rc = take_ident(p, "a column name", &name);
    if (rc)
        return rc;
    advance(p); /* SET / DROP */
    if (!is_kw(p, "default")) {
        free(name);
        return skip_element(p);
    }
    advance(p);
    op_ddl_alter *a;
    rc = new_alter(p, OP_DDL_ALTER_DEFAULT, &a);
    if (rc) {
        free(name);
        return rc;
    }
    a->name = name;
    return set ? take_default(p, NULL, &a->column.default_value) : 0;
}

static int parse_alter(parser *p)
{
    eat_if_exists(p, false);
    int rc = add_table(p);
    if (rc)
        return rc;
    skip_wait(p);
    if (at_end(p))
        return 0;
    for (;;) {
        if (eat_kw(p, "add"))
            rc = parse_add(p);
        else if (eat_kw(p, "drop"))
            rc = parse_drop(p);
        else if (eat_kw(p, "modify"))
            rc = parse_modify(p, false);
        else if (eat_kw(p, "change"))
            rc = parse_modify(p, true);
        else if (eat_kw(p, "rename"))
            rc = parse_rename(p);
        else if (eat_kw(p, "alter"))
            rc = parse_alter_column(p);
        else if (p->t.kind == T_END)
            rc = fail(p, "an alteration");
        else
            rc = skip_element(p); /* indexes, ENGINE=, COMMENT=, ALGORITHM=, ... */
        if (rc)
            return rc;
        if (at_end(p))
            return 0;
        if (!eat_punct(p, ','))
            return fail(p, "',' or the end of the statement");
    }
}

static int parse_drop_table(parser *p)
{
    p->d->if_exists = eat_if_exists(p, false);
    do {
        int rc = add_table(p);
        if (rc)
            return rc;
    } while (eat_punct(p, ','));
    skip_wait(p);
    if (!eat_kw(p, "restrict"))
        eat_kw(p, "cascade");
    return at_end(p) ? 0 : fail(p, "',' or the end of the statement");
}

static int parse_rename_table(parser *p)
{
    p->d->if_exists = eat_if_exists(p, false);
    do {
        int rc = add_table(p);
        if (rc)
            return rc;
        skip_wait(p);
        if (!eat_kw(p, "to"))
            return fail(p, "TO");
        if ((rc = add_table(p)) != 0)
            return rc;
    } while (eat_punct(p, ','));
    return at_end(p) ? 0 : fail(p, "',' or the end of the statement");
}

static int parse_truncate(parser *p)
{
    int rc = add_table(p);
    if (rc)
        return rc;
    skip_wait(p);
    return at_end(p) ? 0 : fail(p, "the end of the statement");
}

/* Which table DDL the statement is, with the parser past its leading keywords; false when it
 * is not one. */
static bool classify(parser *p, op_ddl_kind *kind)
{
    if (eat_kw(p, "create")) {
        if (eat_kw(p, "or") && !eat_kw(p, "replace"))
            return false;
        if (!eat_kw(p, "table"))
            return false; /* TEMPORARY tables never reach the selected tables */
        *kind = OP_DDL_CREATE_TABLE;
        p->what = "CREATE TABLE";
    } else if (eat_kw(p, "alter")) {
        eat_kw(p, "online");
        eat_kw(p, "ignore");
        if (!eat_kw(p, "table"))
            return false;
        *kind = OP_DDL_ALTER_TABLE;
        p->what = "ALTER TABLE";
    } else if (eat_kw(p, "drop")) {
        if (!eat_kw(p, "table") && !eat_kw(p, "tables"))
            return false;
        *kind = OP_DDL_DROP_TABLE;
        p->what = "DROP TABLE";
    } else if (eat_kw(p, "rename")) {
        if (!eat_kw(p, "table") && !eat_kw(p, "tables"))
            return false;
        *kind = OP_DDL_RENAME_TABLE;
        p->what = "RENAME TABLE";
    } else if (eat_kw(p, "truncate")) {
        /* TRUNCATE t or TRUNCATE TABLE t ("table" alone would have to be quoted). */
        if (is_kw(p, "table")) {
            tok n = peek(p);
            if (n.kind == T_WORD || n.kind == T_QUOTED)
                advance(p);
        }
        *kind = OP_DDL_TRUNCATE_TABLE;
        p->what = "TRUNCATE TABLE";
    } else {
        return false;
    }
    return true;
}

int op_ddl_parse(const char *sql, size_t len, const char *default_db, size_t db_len, op_ddl **out,
                 rt_err *err)
{
    parser p = {.s = sql,
                .len = len,
                .db = default_db ? default_db : "",
                .db_len = default_db ? db_len : 0,
                .what = "DDL",
                .err = err};
    lex(&p);
    op_ddl_kind kind;
    if (!classify(&p, &kind)) {
        *out = NULL;
        return 0;
    }
    p.d = calloc(1, sizeof *p.d);
    if (!p.d)
        return oom(&p);
    p.d->kind = kind;
    int rc;
    switch (kind) {
    case OP_DDL_CREATE_TABLE:
        rc = parse_create(&p);
        break;
    case OP_DDL_ALTER_TABLE:
        rc = parse_alter(&p);
        break;
    case OP_DDL_DROP_TABLE:
        rc = parse_drop_table(&p);
        break;
    case OP_DDL_RENAME_TABLE:
        rc = parse_rename_table(&p);
        break;
    default:
        rc = parse_truncate(&p);
        break;
    }
    if (rc) {
        op_ddl_free(p.d);
        return rc;
    }
    *out = p.d;
    return 0;
}
