/* The SQL parser of sr-endpoint's MySQL port: a hand-written lexer and recursive-descent parser
 * for the StarRocks subset the endpoint serves. The CREATE TABLE grammar and its catalog-free
 * checks follow notes/starrocks-protocol.md §6.1 (StarRocks.g4 and its analyzer). */
#include "tests/sr_endpoint/sr_sql_parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runtime/base/buf.h"
#include "tests/sr_endpoint/sr_sql_lex.h"
#include "tests/sr_endpoint/sr_sql_parse_int.h"

char *sr_sql_parse_strdup(const char *s)
{
    char *d = strdup(s);
    if (!d)
        RT_BUG("out of memory");
    return d;
}

void *sr_sql_parse_grow(void *arr, size_t count, size_t elem)
{
    char *n = realloc(arr, (count + 1) * elem);
    if (!n)
        RT_BUG("out of memory");
    memset(n + count * elem, 0, elem);
    return n;
}

void sr_sql_parse_push_name(char ***arr, size_t *count, char *name)
{
    *arr = sr_sql_parse_grow(*arr, *count, sizeof **arr);
    (*arr)[(*count)++] = name;
}

/* A name: an unquoted word or a `backquoted` one. */
int sr_sql_parse_qualified_name(parser *p, char **db, char **name)
{
    char *first = NULL;
    if (sr_sql_lex_ident(p, &first))
        return p->rc;
    if (sr_sql_lex_accept_sym(p, ".")) {
        char *second = NULL;
        if (sr_sql_lex_ident(p, &second)) {
            free(first);
            return p->rc;
        }
        *db = first;
        *name = second;
        return 0;
    }
    *name = first;
    return 0;
}

int sr_sql_parse_literal(parser *p, sr_sql_literal *out)
{
    if (p->rc)
        return p->rc;
    if (sr_sql_lex_accept_kw(p, "NULL")) {
        out->kind = SR_SQL_LIT_NULL;
        return 0;
    }
    if (sr_sql_lex_is_kw(p, "TRUE") || sr_sql_lex_is_kw(p, "FALSE")) {
        out->kind = SR_SQL_LIT_NUMBER;
        out->text = sr_sql_parse_strdup(sr_sql_lex_is_kw(p, "TRUE") ? "1" : "0");
        out->len = 1;
        sr_sql_lex_next(p);
        return 0;
    }
    bool neg = false;
    if (sr_sql_lex_is_sym(p, "-") || sr_sql_lex_is_sym(p, "+")) {
        neg = sr_sql_lex_is_sym(p, "-");
        sr_sql_lex_next(p);
        if (p->kind != SR_SQL_TOK_NUMBER)
            return sr_sql_lex_syntax_error(p, "a number");
    }
    if (p->kind == SR_SQL_TOK_NUMBER) {
        rt_buf b;
        rt_buf_init(&b);
        if (neg)
            rt_buf_append_char(&b, '-');
        rt_buf_append_str(&b, p->val.data);
        out->kind = SR_SQL_LIT_NUMBER;
        out->len = b.len;
        out->text = rt_buf_take(&b);
        sr_sql_lex_next(p);
        return 0;
    }
    if (p->kind == SR_SQL_TOK_STRING) {
        out->kind = SR_SQL_LIT_STRING;
        out->len = p->val.len;
        out->text = malloc(p->val.len + 1);
        if (!out->text)
            RT_BUG("out of memory");
        memcpy(out->text, p->val.data, p->val.len + 1);
        sr_sql_lex_next(p);
        return 0;
    }
    return sr_sql_lex_syntax_error(p, "a literal");
}

void sr_sql_parse_literal_fini(sr_sql_literal *l)
{
    free(l->text);
    l->text = NULL;
}

/* ---- statement memory ---- */

const char *sr_sql_kind_name(sr_sql_kind kind)
{
    switch (kind) {
#define SR_SQL_KIND_NAME_(n)                                                                       \
    case SR_SQL_##n:                                                                               \
        return #n;
        SR_SQL_KIND_MAP(SR_SQL_KIND_NAME_)
#undef SR_SQL_KIND_NAME_
    }
    return "?";
}

const char *sr_sql_lit_kind_name(sr_sql_lit_kind kind)
{
    switch (kind) {
    case SR_SQL_LIT_NULL:
        return "NULL";
    case SR_SQL_LIT_NUMBER:
        return "NUMBER";
    case SR_SQL_LIT_STRING:
        return "STRING";
    }
    return "?";
}

const char *sr_sql_op_name(sr_sql_op op)
{
    switch (op) {
    case SR_SQL_OP_EQ:
        return "=";
    case SR_SQL_OP_NE:
        return "!=";
    case SR_SQL_OP_LT:
        return "<";
    case SR_SQL_OP_LE:
        return "<=";
    case SR_SQL_OP_GT:
        return ">";
    case SR_SQL_OP_GE:
        return ">=";
    case SR_SQL_OP_IS_NULL:
        return "IS NULL";
    case SR_SQL_OP_IS_NOT_NULL:
        return "IS NOT NULL";
    }
    return "?";
}

const char *sr_sql_expr_kind_name(sr_sql_expr_kind kind)
{
    switch (kind) {
    case SR_SQL_EXPR_VARIABLE:
        return "VARIABLE";
    case SR_SQL_EXPR_FUNCTION:
        return "FUNCTION";
    case SR_SQL_EXPR_LITERAL:
        return "LITERAL";
    case SR_SQL_EXPR_COLUMN:
        return "COLUMN";
    }
    return "?";
}

void sr_sql_parse_names_free(char **names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

void sr_sql_stmt_free(sr_sql_stmt *st)
{
    if (!st)
        return;
    free(st->db);
    free(st->table);
    sr_table_def_fini(&st->def);
    sr_column_def_fini(&st->column);
    free(st->after);
    free(st->column_name);
    for (size_t i = 0; i < st->add_column_count; i++)
        sr_column_def_fini(&st->add_columns[i]);
    free(st->add_columns);
    free(st->new_name);
    free(st->text);
    sr_sql_parse_names_free(st->columns, st->column_count);
    for (size_t i = 0; i < st->cond_count; i++) {
        free(st->conds[i].column);
        sr_sql_parse_literal_fini(&st->conds[i].value);
    }
    free(st->conds);
    for (size_t i = 0; i < st->order_count; i++)
        free(st->order[i].column);
    free(st->order);
    for (size_t i = 0; i < st->expr_count; i++) {
        free(st->exprs[i].name);
        free(st->exprs[i].label);
        sr_sql_parse_literal_fini(&st->exprs[i].literal);
    }
    free(st->exprs);
    sr_sql_parse_names_free(st->insert_columns, st->insert_column_count);
    for (size_t i = 0; i < st->value_count; i++)
        sr_sql_parse_literal_fini(&st->values[i]);
    free(st->values);
    free(st->like);
    free(st);
}

/* ---- column definitions ---- */

/* The type names of StarRocks' grammar (baseType and the complex types). A name outside it is a
 * syntax error there, as the MySQL-only spellings (TEXT, BLOB, TIMESTAMP, ENUM...) are. */
static const char *const grammar_types[] = {
    "BOOLEAN", "TINYINT",   "SMALLINT",  "INT",        "INTEGER",    "BIGINT",    "LARGEINT",
    "FLOAT",   "DOUBLE",    "DATE",      "DATETIME",   "TIME",       "CHAR",      "VARCHAR",
    "STRING",  "BITMAP",    "HLL",       "PERCENTILE", "JSON",       "VARBINARY", "BINARY",
    "DECIMAL", "DECIMALV2", "DECIMAL32", "DECIMAL64",  "DECIMAL128", "NUMERIC",   "NUMBER",
    "ARRAY",   "MAP",       "STRUCT",    "SIGNED",     "UNSIGNED"};

static bool is_grammar_type(const char *name)
{
    for (size_t i = 0; i < sizeof grammar_types / sizeof grammar_types[0]; i++)
        if (strcasecmp(name, grammar_types[i]) == 0)
            return true;
    return false;
}

static int column_type(parser *p, sr_type *out)
{
    if (p->rc)
        return p->rc;
    if (p->kind != SR_SQL_TOK_IDENT || !is_grammar_type(p->val.data))
        return sr_sql_lex_syntax_error(
            p, "a type name (BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, LARGEINT, "
               "FLOAT, DOUBLE, DECIMAL, DATE, DATETIME, CHAR, VARCHAR, STRING, "
               "JSON, VARBINARY, ...)");
    rt_buf text;
    rt_buf_init(&text);
    if (sr_sql_lex_is_kw(p, "SIGNED") || sr_sql_lex_is_kw(p, "UNSIGNED")) {
        /* SIGNED [INT] / UNSIGNED [INT]: StarRocks reads them as BIGINT / LARGEINT. */
        rt_buf_append_str(&text, sr_sql_lex_is_kw(p, "SIGNED") ? "BIGINT" : "LARGEINT");
        sr_sql_lex_next(p);
        (void)(sr_sql_lex_accept_kw(p, "INT") || sr_sql_lex_accept_kw(p, "INTEGER"));
    } else if (sr_sql_lex_is_kw(p, "ARRAY") || sr_sql_lex_is_kw(p, "MAP") ||
               sr_sql_lex_is_kw(p, "STRUCT") || sr_sql_lex_is_kw(p, "BITMAP") ||
               sr_sql_lex_is_kw(p, "HLL") || sr_sql_lex_is_kw(p, "PERCENTILE") ||
               sr_sql_lex_is_kw(p, "TIME")) {
        char what[64];
        snprintf(what, sizeof what, "the %s type", p->val.data);
        rt_buf_fini(&text);
        return sr_sql_lex_unsupported(p, what);
    } else {
        rt_buf_append_str(&text, p->val.data);
        sr_sql_lex_next(p);
        if (sr_sql_lex_accept_sym(p, "(")) {
            rt_buf_append_char(&text, '(');
            long long a;
            if (sr_sql_lex_int(p, &a) == 0) {
                rt_buf_appendf(&text, "%lld", a);
                if (sr_sql_lex_accept_sym(p, ",") && sr_sql_lex_int(p, &a) == 0)
                    rt_buf_appendf(&text, ",%lld", a);
            }
            sr_sql_lex_expect_sym(p, ")");
            rt_buf_append_char(&text, ')');
        }
    }
    if (p->rc) {
        rt_buf_fini(&text);
        return p->rc;
    }
    rt_err terr;
    rt_err_clear(&terr);
    if (sr_type_parse(text.data, out, &terr) != 0)
        sr_sql_lex_analysis_error(p, "%s", terr.msg);
    rt_buf_fini(&text);
    return p->rc;
}

/* name type [CHARSET x] [KEY] [NULL | NOT NULL] [DEFAULT "x" | NULL | CURRENT_TIMESTAMP]
 * [COMMENT "x"] — in that order, as StarRocks' columnDesc has it. */
int sr_sql_parse_column_def(parser *p, sr_column_def *col, bool *null_given)
{
    *null_given = false;
    col->nullable = true;
    if (sr_sql_lex_ident(p, &col->name) || column_type(p, &col->type))
        return p->rc;
    if (sr_sql_lex_accept_kw(p, "CHARSET") ||
        (sr_sql_lex_accept_kw(p, "CHARACTER") && !sr_sql_lex_expect_kw(p, "SET"))) {
        char *cs = NULL;
        if (sr_sql_lex_ident(p, &cs))
            return p->rc;
        free(cs);
    }
    sr_sql_lex_accept_kw(p, "KEY");
    if (sr_sql_lex_is_kw(p, "SUM") || sr_sql_lex_is_kw(p, "MIN") || sr_sql_lex_is_kw(p, "MAX") ||
        sr_sql_lex_is_kw(p, "REPLACE") || sr_sql_lex_is_kw(p, "REPLACE_IF_NOT_NULL") ||
        sr_sql_lex_is_kw(p, "HLL_UNION") || sr_sql_lex_is_kw(p, "BITMAP_UNION"))
        return sr_sql_lex_unsupported(p, "aggregate columns");
    if (sr_sql_lex_accept_kw(p, "NOT")) {
        if (sr_sql_lex_expect_kw(p, "NULL"))
            return p->rc;
        col->nullable = false;
        *null_given = true;
    } else if (sr_sql_lex_accept_kw(p, "NULL")) {
        col->nullable = true;
        *null_given = true;
    }
    if (sr_sql_lex_is_kw(p, "AUTO_INCREMENT"))
        return sr_sql_lex_unsupported(p, "AUTO_INCREMENT");
    if (sr_sql_lex_accept_kw(p, "DEFAULT")) {
        if (p->kind == SR_SQL_TOK_STRING) {
            if (sr_sql_lex_string(p, &col->default_text))
                return p->rc;
        } else if (sr_sql_lex_accept_kw(p, "NULL")) {
            /* DEFAULT NULL is the same as no default. */
        } else if (sr_sql_lex_accept_kw(p, "CURRENT_TIMESTAMP")) {
            col->default_is_current_timestamp = true;
            if (sr_sql_lex_accept_sym(p, "(") && sr_sql_lex_expect_sym(p, ")"))
                return p->rc;
        } else if (sr_sql_lex_is_sym(p, "(")) {
            return sr_sql_lex_unsupported(p, "DEFAULT (expression)");
        } else {
            /* StarRocks' grammar takes only a quoted string here: DEFAULT 0 is a syntax error. */
            return sr_sql_lex_syntax_error(p, "a string literal, 'NULL', 'CURRENT_TIMESTAMP', '('");
        }
    }
    if (sr_sql_lex_is_kw(p, "AS"))
        return sr_sql_lex_unsupported(p, "generated columns");
    if (sr_sql_lex_accept_kw(p, "COMMENT")) {
        if (sr_sql_lex_string(p, &col->comment))
            return p->rc;
    }
    return 0;
}

/* ---- CREATE TABLE ---- */

int sr_sql_parse_name_list(parser *p, char ***names, size_t *count)
{
    if (sr_sql_lex_expect_sym(p, "("))
        return p->rc;
    do {
        char *n = NULL;
        if (sr_sql_lex_ident(p, &n))
            return p->rc;
        sr_sql_parse_push_name(names, count, n);
    } while (sr_sql_lex_accept_sym(p, ","));
    return sr_sql_lex_expect_sym(p, ")");
}

static bool names_contain(char **names, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (strcasecmp(names[i], name) == 0)
            return true;
    return false;
}

static int properties(parser *p, sr_table_def *d)
{
    if (sr_sql_lex_expect_sym(p, "("))
        return p->rc;
    do {
        char *k = NULL, *v = NULL;
        if (sr_sql_lex_string(p, &k))
            return p->rc;
        if (sr_sql_lex_expect_sym(p, "=") || sr_sql_lex_string(p, &v)) {
            free(k);
            return p->rc;
        }
        d->prop_keys = sr_sql_parse_grow(d->prop_keys, d->prop_count, sizeof *d->prop_keys);
        d->prop_values = sr_sql_parse_grow(d->prop_values, d->prop_count, sizeof *d->prop_values);
        d->prop_keys[d->prop_count] = k;
        d->prop_values[d->prop_count] = v;
        d->prop_count++;
    } while (sr_sql_lex_accept_sym(p, ","));
    return sr_sql_lex_expect_sym(p, ")");
}

/* The catalog-free part of StarRocks' CREATE TABLE analysis; the rest (key prefix, key column
 * types and nullability, defaults) is sr_table_def_validate's, run by the store. */
static int check_table(parser *p, sr_table_def *d)
{
    for (size_t i = 0; i < d->prop_count; i++) {
        if (strcasecmp(d->prop_keys[i], "replication_num") != 0 &&
            strcasecmp(d->prop_keys[i], "default.replication_num") != 0)
            continue;
        char *end;
        errno = 0;
        long n = strtol(d->prop_values[i], &end, 10);
        if (*end || errno || end == d->prop_values[i] || n <= 0)
            return sr_sql_lex_analysis_error(
                p, "Replication num should be larger than 0. (replication_num=%s)",
                d->prop_values[i]);
        if (n > 1) {
            /* sr-endpoint has one BE; StarRocks refuses more replicas than alive BEs [I10]. */
            if (p->rc)
                return p->rc;
            rt_err_set(p->err, RT_EINVAL,
                       "Table replication num should be less than or equal to the number of "
                       "available BE nodes. You can change this default by setting the "
                       "replication_num table properties. Current alive backend is [10001]. , "
                       "table=%s, replication_num=%ld",
                       d->name, n);
            p->rc = RT_EINVAL;
            return p->rc;
        }
    }
    for (size_t i = 0; i < d->key_count; i++)
        if (sr_table_def_find(d, d->key_columns[i]) < 0)
            return sr_sql_lex_analysis_error(p, "Key column[%s] doesn't exist.", d->key_columns[i]);
    for (size_t i = 0; i < d->distributed_count; i++) {
        if (sr_table_def_find(d, d->distributed_by[i]) < 0)
            return sr_sql_lex_analysis_error(p, "Distribution column(%s) doesn't exist.",
                                             d->distributed_by[i]);
        if (d->model == SR_MODEL_PRIMARY_KEY &&
            !names_contain(d->key_columns, d->key_count, d->distributed_by[i]))
            return sr_sql_lex_analysis_error(p, "Distribution column[%s] is not key column",
                                             d->distributed_by[i]);
    }
    return 0;
}

static int create_table(parser *p, sr_sql_stmt *st)
{
    sr_table_def *d = &st->def;
    bool *null_given = NULL;
    if (sr_sql_lex_accept_kw(p, "IF")) {
        if (sr_sql_lex_expect_kw(p, "NOT") || sr_sql_lex_expect_kw(p, "EXISTS"))
            return p->rc;
        st->if_not_exists = true;
    }
    if (sr_sql_parse_qualified_name(p, &st->db, &st->table))
        return p->rc;
    d->name = sr_sql_parse_strdup(st->table);
    if (sr_sql_lex_is_kw(p, "LIKE") || sr_sql_lex_is_kw(p, "AS"))
        return sr_sql_lex_unsupported(p, "CREATE TABLE LIKE / AS SELECT");
    if (sr_sql_lex_expect_sym(p, "("))
        return p->rc;
    do {
        if (sr_sql_lex_is_kw(p, "INDEX"))
            return sr_sql_lex_unsupported(p, "indexes");
        d->columns = sr_sql_parse_grow(d->columns, d->column_count, sizeof *d->columns);
        null_given = sr_sql_parse_grow(null_given, d->column_count, sizeof *null_given);
        d->column_count++;
        if (sr_sql_parse_column_def(p, &d->columns[d->column_count - 1],
                                    &null_given[d->column_count - 1]))
            goto out;
    } while (sr_sql_lex_accept_sym(p, ","));
    if (sr_sql_lex_expect_sym(p, ")"))
        goto out;
    if (sr_sql_lex_accept_kw(p, "ENGINE")) {
        sr_sql_lex_accept_sym(p, "=");
        if (!sr_sql_lex_is_kw(p, "OLAP")) {
            if (p->kind == SR_SQL_TOK_IDENT)
                sr_sql_lex_unsupported(p, "engines other than OLAP");
            else
                sr_sql_lex_syntax_error(p, "'OLAP'");
            goto out;
        }
        sr_sql_lex_next(p);
    }
    bool keyed = false;
    if (sr_sql_lex_is_kw(p, "PRIMARY") || sr_sql_lex_is_kw(p, "DUPLICATE")) {
        d->model = sr_sql_lex_is_kw(p, "PRIMARY") ? SR_MODEL_PRIMARY_KEY : SR_MODEL_DUPLICATE_KEY;
        sr_sql_lex_next(p);
        if (sr_sql_lex_expect_kw(p, "KEY") ||
            sr_sql_parse_name_list(p, &d->key_columns, &d->key_count))
            goto out;
        keyed = true;
    } else if (sr_sql_lex_is_kw(p, "UNIQUE") || sr_sql_lex_is_kw(p, "AGGREGATE")) {
        sr_sql_lex_unsupported(p, "UNIQUE KEY and AGGREGATE KEY tables");
        goto out;
    }
    if (!keyed) {
        /* StarRocks makes a table without a key clause a Duplicate Key table on its leading
         * column(s); one column is enough for a test double. */
        d->model = SR_MODEL_DUPLICATE_KEY;
        sr_sql_parse_push_name(&d->key_columns, &d->key_count,
                               sr_sql_parse_strdup(d->columns[0].name));
    }
    if (sr_sql_lex_accept_kw(p, "COMMENT") && sr_sql_lex_string(p, &d->comment))
        goto out;
    if (sr_sql_lex_is_kw(p, "PARTITION")) {
        sr_sql_lex_unsupported(p, "PARTITION BY");
        goto out;
    }
    bool distributed = false;
    if (sr_sql_lex_accept_kw(p, "DISTRIBUTED")) {
        if (sr_sql_lex_expect_kw(p, "BY"))
            goto out;
        if (sr_sql_lex_accept_kw(p, "HASH")) {
            if (sr_sql_parse_name_list(p, &d->distributed_by, &d->distributed_count))
                goto out;
        } else if (!sr_sql_lex_accept_kw(p, "RANDOM")) {
            sr_sql_lex_syntax_error(p, "'HASH', 'RANDOM'");
            goto out;
        }
        if (sr_sql_lex_accept_kw(p, "BUCKETS")) {
            long long n;
            if (sr_sql_lex_int(p, &n))
                goto out;
            if (n <= 0 || n > 1024 * 1024) {
                sr_sql_lex_analysis_error(
                    p, "Number of hash distribution should be larger than zero.");
                goto out;
            }
            d->buckets = (int)n;
        }
        distributed = true;
    }
    if (d->model == SR_MODEL_PRIMARY_KEY) {
        if (distributed && d->distributed_count == 0) {
            sr_sql_lex_analysis_error(p, "PRIMARY KEY must use hash distribution");
            goto out;
        }
        if (!distributed)
            for (size_t i = 0; i < d->key_count; i++)
                sr_sql_parse_push_name(&d->distributed_by, &d->distributed_count,
                                       sr_sql_parse_strdup(d->key_columns[i]));
    }
    if (sr_sql_lex_accept_kw(p, "ORDER")) {
        /* The sort key changes no result the endpoint can show; accepted and not kept. */
        char **order = NULL;
        size_t n = 0;
        if (sr_sql_lex_expect_kw(p, "BY") == 0)
            sr_sql_parse_name_list(p, &order, &n);
        sr_sql_parse_names_free(order, n);
        if (p->rc)
            goto out;
    }
    if (sr_sql_lex_is_kw(p, "ROLLUP")) {
        sr_sql_lex_unsupported(p, "ROLLUP");
        goto out;
    }
    if (sr_sql_lex_accept_kw(p, "PROPERTIES") && properties(p, d))
        goto out;
    /* NULL / NOT NULL not written: key columns are NOT NULL, the others nullable. */
    for (size_t i = 0; i < d->column_count; i++)
        if (!null_given[i])
            d->columns[i].nullable =
                !names_contain(d->key_columns, d->key_count, d->columns[i].name);
    check_table(p, d);
out:
    free(null_given);
    return p->rc;
}

/* ---- statements ---- */

static void skip_to_end(parser *p)
{
    while (p->kind != SR_SQL_TOK_EOF && !sr_sql_lex_is_sym(p, ";"))
        sr_sql_lex_next(p);
}

static int show_stmt(parser *p, sr_sql_stmt *st)
{
    sr_sql_lex_accept_kw(p, "FULL");
    if (sr_sql_lex_accept_kw(p, "DATABASES") || sr_sql_lex_accept_kw(p, "SCHEMAS")) {
        st->kind = SR_SQL_SHOW_DATABASES;
    } else if (sr_sql_lex_accept_kw(p, "TABLES")) {
        st->kind = SR_SQL_SHOW_TABLES;
        if ((sr_sql_lex_accept_kw(p, "FROM") || sr_sql_lex_accept_kw(p, "IN")) &&
            sr_sql_lex_ident(p, &st->db))
            return p->rc;
    } else if (sr_sql_lex_accept_kw(p, "CREATE")) {
        if (sr_sql_lex_is_kw(p, "DATABASE"))
            return sr_sql_lex_unsupported(p, "SHOW CREATE DATABASE");
        st->kind = SR_SQL_SHOW_CREATE_TABLE;
        if (sr_sql_lex_expect_kw(p, "TABLE") || sr_sql_parse_qualified_name(p, &st->db, &st->table))
            return p->rc;
    } else if (sr_sql_lex_accept_kw(p, "COLUMNS") || sr_sql_lex_accept_kw(p, "FIELDS")) {
        st->kind = SR_SQL_DESC;
        if ((!sr_sql_lex_accept_kw(p, "FROM") && sr_sql_lex_expect_kw(p, "IN")) ||
            sr_sql_parse_qualified_name(p, &st->db, &st->table))
            return p->rc;
        if ((sr_sql_lex_accept_kw(p, "FROM") || sr_sql_lex_accept_kw(p, "IN")) && !st->db &&
            sr_sql_lex_ident(p, &st->db))
            return p->rc;
    } else if (sr_sql_lex_is_kw(p, "VARIABLES") || sr_sql_lex_is_kw(p, "SESSION") ||
               sr_sql_lex_is_kw(p, "GLOBAL")) {
        (void)(sr_sql_lex_accept_kw(p, "SESSION") || sr_sql_lex_accept_kw(p, "GLOBAL"));
        if (sr_sql_lex_expect_kw(p, "VARIABLES"))
            return p->rc;
        st->kind = SR_SQL_SHOW_VARIABLES;
        if (sr_sql_lex_accept_kw(p, "LIKE") && sr_sql_lex_string(p, &st->like))
            return p->rc;
    } else if (sr_sql_lex_accept_kw(p, "ALTER")) {
        return sr_sql_parse_show_alter(p, st);
    } else if (sr_sql_lex_accept_kw(p, "WARNINGS") || sr_sql_lex_accept_kw(p, "ERRORS")) {
        st->kind = SR_SQL_SHOW_WARNINGS;
    } else if (p->kind == SR_SQL_TOK_IDENT) {
        return sr_sql_lex_unsupported(p, "this SHOW statement");
    } else {
        return sr_sql_lex_syntax_error(p, "'DATABASES', 'TABLES', 'CREATE', 'VARIABLES'");
    }
    return p->rc;
}

static int statement(parser *p, sr_sql_stmt *st)
{
    if (sr_sql_lex_accept_kw(p, "CREATE")) {
        if (sr_sql_lex_accept_kw(p, "DATABASE") || sr_sql_lex_accept_kw(p, "SCHEMA")) {
            st->kind = SR_SQL_CREATE_DATABASE;
            if (sr_sql_lex_accept_kw(p, "IF")) {
                if (sr_sql_lex_expect_kw(p, "NOT") || sr_sql_lex_expect_kw(p, "EXISTS"))
                    return p->rc;
                st->if_not_exists = true;
            }
            return sr_sql_lex_ident(p, &st->db);
        }
        if (sr_sql_lex_accept_kw(p, "TABLE")) {
            st->kind = SR_SQL_CREATE_TABLE;
            return create_table(p, st);
        }
        if (sr_sql_lex_accept_kw(p, "EXTERNAL") || sr_sql_lex_is_kw(p, "VIEW") ||
            sr_sql_lex_is_kw(p, "MATERIALIZED") || sr_sql_lex_is_kw(p, "INDEX") ||
            sr_sql_lex_is_kw(p, "USER"))
            return sr_sql_lex_unsupported(p, "this CREATE statement");
        return sr_sql_lex_syntax_error(p, "'DATABASE', 'TABLE'");
    }
    if (sr_sql_lex_accept_kw(p, "DROP")) {
        if (sr_sql_lex_accept_kw(p, "DATABASE") || sr_sql_lex_accept_kw(p, "SCHEMA")) {
            st->kind = SR_SQL_DROP_DATABASE;
            if (sr_sql_lex_accept_kw(p, "IF")) {
                if (sr_sql_lex_expect_kw(p, "EXISTS"))
                    return p->rc;
                st->if_exists = true;
            }
            if (sr_sql_lex_ident(p, &st->db))
                return p->rc;
        } else if (sr_sql_lex_accept_kw(p, "TABLE")) {
            st->kind = SR_SQL_DROP_TABLE;
            if (sr_sql_lex_accept_kw(p, "IF")) {
                if (sr_sql_lex_expect_kw(p, "EXISTS"))
                    return p->rc;
                st->if_exists = true;
            }
            if (sr_sql_parse_qualified_name(p, &st->db, &st->table))
                return p->rc;
        } else {
            return sr_sql_lex_syntax_error(p, "'DATABASE', 'TABLE'");
        }
        sr_sql_lex_accept_kw(p, "FORCE");
        return p->rc;
    }
    if (sr_sql_lex_accept_kw(p, "USE")) {
        st->kind = SR_SQL_USE;
        return sr_sql_lex_ident(p, &st->db);
    }
    if (sr_sql_lex_accept_kw(p, "ALTER")) {
        if (sr_sql_lex_expect_kw(p, "TABLE"))
            return p->rc;
        return sr_sql_parse_alter_table(p, st);
    }
    if (sr_sql_lex_accept_kw(p, "TRUNCATE")) {
        st->kind = SR_SQL_TRUNCATE_TABLE;
        sr_sql_lex_accept_kw(p, "TABLE");
        if (sr_sql_parse_qualified_name(p, &st->db, &st->table))
            return p->rc;
        if (sr_sql_lex_is_kw(p, "PARTITION"))
            return sr_sql_lex_unsupported(p, "TRUNCATE TABLE ... PARTITION");
        return 0;
    }
    if (sr_sql_lex_accept_kw(p, "SHOW"))
        return show_stmt(p, st);
    if (sr_sql_lex_accept_kw(p, "DESC") || sr_sql_lex_accept_kw(p, "DESCRIBE")) {
        st->kind = SR_SQL_DESC;
        return sr_sql_parse_qualified_name(p, &st->db, &st->table);
    }
    if (sr_sql_lex_accept_kw(p, "SELECT"))
        return sr_sql_parse_select(p, st);
    if (sr_sql_lex_accept_kw(p, "INSERT")) {
        st->kind = SR_SQL_INSERT;
        return sr_sql_parse_insert(p, st);
    }
    if (sr_sql_lex_accept_kw(p, "SET")) {
        /* Session settings (SET NAMES utf8mb4, SET autocommit=1, ...) change nothing here. */
        st->kind = SR_SQL_SET;
        skip_to_end(p);
        return 0;
    }
    if (sr_sql_lex_accept_kw(p, "BEGIN") || sr_sql_lex_accept_kw(p, "COMMIT") ||
        sr_sql_lex_accept_kw(p, "ROLLBACK")) {
        st->kind = SR_SQL_TRANSACTION;
        sr_sql_lex_accept_kw(p, "WORK");
        return 0;
    }
    if (sr_sql_lex_accept_kw(p, "START")) {
        st->kind = SR_SQL_TRANSACTION;
        return sr_sql_lex_expect_kw(p, "TRANSACTION");
    }
    if (p->kind == SR_SQL_TOK_IDENT) {
        static const char *const known[] = {"UPDATE", "DELETE",  "EXPLAIN", "GRANT",   "KILL",
                                            "LOAD",   "REFRESH", "CANCEL",  "RECOVER", "ADMIN"};
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            if (sr_sql_lex_is_kw(p, known[i])) {
                char what[64];
                snprintf(what, sizeof what, "%s statements", known[i]);
                return sr_sql_lex_unsupported(p, what);
            }
    }
    return sr_sql_lex_syntax_error(p, "'SELECT', 'CREATE', 'DROP', 'ALTER', 'SHOW', 'DESC', 'USE', "
                                      "'INSERT', 'TRUNCATE', 'SET'");
}

int sr_sql_parse_next(const char *sql, size_t len, size_t *pos, sr_sql_stmt **out, rt_err *err)
{
    sr_sql_lexer p;
    sr_sql_lex_init(&p, sql, len, *pos, err);
    while (sr_sql_lex_is_sym(&p, ";"))
        sr_sql_lex_next(&p);
    if (p.kind == SR_SQL_TOK_EOF) {
        int rc = p.rc;
        sr_sql_lex_fini(&p);
        if (rc)
            return rc;
        *pos = len;
        *out = NULL;
        return 0;
    }
    sr_sql_stmt *st = calloc(1, sizeof *st);
    if (!st)
        RT_BUG("out of memory");
    size_t start = p.off;
    statement(&p, st);
    if (!p.rc && p.kind != SR_SQL_TOK_EOF && !sr_sql_lex_is_sym(&p, ";"))
        sr_sql_lex_syntax_error(&p, "';'");
    int rc = p.rc;
    size_t end = p.kind == SR_SQL_TOK_EOF ? len : p.pos;
    size_t text_end = p.kind == SR_SQL_TOK_EOF ? len : p.off;
    while (text_end > start && isspace((unsigned char)sql[text_end - 1]))
        text_end--;
    sr_sql_lex_fini(&p);
    if (!rc) {
        st->text = malloc(text_end - start + 1);
        if (!st->text)
            RT_BUG("out of memory");
        memcpy(st->text, sql + start, text_end - start);
        st->text[text_end - start] = '\0';
    }
    if (rc) {
        sr_sql_stmt_free(st);
        return rc;
    }
    *pos = end;
    *out = st;
    return 0;
}

int sr_sql_parse(const char *sql, sr_sql_stmt **out, rt_err *err)
{
    size_t len = strlen(sql), pos = 0;
    sr_sql_stmt *st = NULL;
    int rc = sr_sql_parse_next(sql, len, &pos, &st, err);
    if (rc)
        return rc;
    if (!st)
        return rt_err_set(err, RT_EINVAL,
                          "Getting syntax error at line 1, column 0. Detail "
                          "message: Unexpected input '<EOF>', the most similar "
                          "input is {a statement}.");
    sr_sql_stmt *extra = NULL;
    size_t before = pos;
    rc = sr_sql_parse_next(sql, len, &pos, &extra, err);
    if (rc || extra) {
        sr_sql_stmt_free(extra);
        sr_sql_stmt_free(st);
        if (!rc)
            rc = rt_err_set(err, RT_EINVAL,
                            "Getting syntax error: more than one statement (the second starts at "
                            "offset %zu)",
                            before);
        return rc;
    }
    *out = st;
    return 0;
}
