/* SELECT and SHOW VARIABLES for sr-endpoint's MySQL port. Table scans copy the matching rows out
 * of the store (its scan callback runs under the store lock), then sort and answer. */
#include "tests/sr_endpoint/sr_sql_select.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "runtime/base/buf.h"
#include "tests/sr_endpoint/sr_sql_show.h"

void sr_sql_select_column(const sr_column_def *c, const char *db, const char *table, bool key,
                          sr_mysql_column *out)
{
    memset(out, 0, sizeof *out);
    out->schema = db;
    out->table = table;
    out->name = c->name;
    out->binary = true;
    switch (c->type.kind) {
    case SR_TYPE_BOOLEAN:
    case SR_TYPE_TINYINT:
        out->type = SR_MYSQL_TYPE_TINY;
        out->length = 4;
        break;
    case SR_TYPE_SMALLINT:
        out->type = SR_MYSQL_TYPE_SHORT;
        out->length = 6;
        break;
    case SR_TYPE_INT:
        out->type = SR_MYSQL_TYPE_LONG;
        out->length = 11;
        break;
    case SR_TYPE_BIGINT:
        out->type = SR_MYSQL_TYPE_LONGLONG;
        out->length = 20;
        break;
    case SR_TYPE_LARGEINT:
        /* MySQL has no 128-bit integer; StarRocks sends LARGEINT as a string column. */
        out->type = SR_MYSQL_TYPE_VAR_STRING;
        out->length = 40;
        out->binary = false;
        break;
    case SR_TYPE_FLOAT:
        out->type = SR_MYSQL_TYPE_FLOAT;
        out->length = 12;
        out->decimals = 31;
        break;
    case SR_TYPE_DOUBLE:
        out->type = SR_MYSQL_TYPE_DOUBLE;
        out->length = 22;
        out->decimals = 31;
        break;
    case SR_TYPE_DECIMAL:
        out->type = SR_MYSQL_TYPE_NEWDECIMAL;
        out->length = (uint32_t)(c->type.precision + 2);
        out->decimals = (uint8_t)c->type.scale;
        break;
    case SR_TYPE_DATE:
        out->type = SR_MYSQL_TYPE_DATE;
        out->length = 10;
        break;
    case SR_TYPE_DATETIME:
        out->type = SR_MYSQL_TYPE_DATETIME;
        out->length = 26;
        out->decimals = 6;
        break;
    case SR_TYPE_CHAR:
        out->type = SR_MYSQL_TYPE_STRING;
        out->length = (uint32_t)c->type.len;
        out->binary = false;
        break;
    case SR_TYPE_VARBINARY:
    case SR_TYPE_BINARY:
        out->type = SR_MYSQL_TYPE_BLOB;
        out->length = (uint32_t)c->type.len;
        break;
    default:
        out->type = SR_MYSQL_TYPE_VAR_STRING;
        out->length = c->type.len > 0 ? (uint32_t)c->type.len : 65533;
        out->binary = false;
        break;
    }
    if (!c->nullable)
        out->flags |= SR_MYSQL_FLAG_NOT_NULL;
    if (key)
        out->flags |= SR_MYSQL_FLAG_PRI_KEY;
}

/* ---- SELECT ... FROM ---- */

typedef struct cond_eval {
    int column;
    sr_sql_op op;
    sr_value value;
    bool never; /* the literal is NULL or does not convert: the comparison is never true */
} cond_eval;

typedef struct scan_ctx {
    const sr_table_def *def;
    const cond_eval *conds;
    size_t cond_count;
    bool count_only;
    size_t matched;
    sr_value **rows;
    size_t row_count;
    size_t row_cap;
    const int *order_cols;
    const bool *order_desc;
    size_t order_count;
} scan_ctx;

static bool cond_holds(const scan_ctx *c, const cond_eval *e, const sr_value *v)
{
    if (e->op == SR_SQL_OP_IS_NULL)
        return v->kind != SR_VALUE_TEXT;
    if (e->op == SR_SQL_OP_IS_NOT_NULL)
        return v->kind == SR_VALUE_TEXT;
    if (e->never || v->kind != SR_VALUE_TEXT)
        return false;
    int cmp = sr_value_compare(&c->def->columns[e->column].type, v, &e->value);
    switch (e->op) {
    case SR_SQL_OP_EQ:
        return cmp == 0;
    case SR_SQL_OP_NE:
        return cmp != 0;
    case SR_SQL_OP_LT:
        return cmp < 0;
    case SR_SQL_OP_LE:
        return cmp <= 0;
    case SR_SQL_OP_GT:
        return cmp > 0;
    case SR_SQL_OP_GE:
        return cmp >= 0;
    default:
        return false;
    }
}

static int on_row(void *arg, const sr_value *values, size_t column_count)
{
    scan_ctx *c = arg;
    for (size_t i = 0; i < c->cond_count; i++)
        if ((size_t)c->conds[i].column >= column_count ||
            !cond_holds(c, &c->conds[i], &values[c->conds[i].column]))
            return 0;
    c->matched++;
    if (c->count_only)
        return 0;
    if (c->row_count == c->row_cap) {
        size_t cap = c->row_cap ? c->row_cap * 2 : 64;
        sr_value **rows = realloc(c->rows, cap * sizeof *rows);
        if (!rows)
            return RT_ENOMEM;
        c->rows = rows;
        c->row_cap = cap;
    }
    sr_value *row = calloc(c->def->column_count, sizeof *row);
    if (!row)
        return RT_ENOMEM;
    for (size_t i = 0; i < c->def->column_count && i < column_count; i++)
        sr_value_copy(&row[i], &values[i]);
    c->rows[c->row_count++] = row;
    return 0;
}

static int compare_rows(const void *a, const void *b, void *arg)
{
    const scan_ctx *c = arg;
    const sr_value *ra = *(sr_value *const *)a, *rb = *(sr_value *const *)b;
    for (size_t i = 0; i < c->order_count; i++) {
        int col = c->order_cols[i];
        int cmp = sr_value_compare(&c->def->columns[col].type, &ra[col], &rb[col]);
        if (cmp)
            return c->order_desc[i] ? -cmp : cmp;
    }
    return 0;
}

static bool column_error(sr_mysql_session *s, const char *name)
{
    char msg[400];
    snprintf(msg, sizeof msg,
             "Getting analyzing error. Detail message: Column '%s' cannot be "
             "resolved.",
             name);
    sr_mysql_session_err(s, 1064, "HY000", msg);
    return false;
}

static bool select_table(sr_store *store, sr_mysql_session *s, const sr_sql_stmt *st,
                         const char *db, bool more)
{
    sr_table_def def = {0};
    rt_err err;
    rt_err_clear(&err);
    if (sr_store_get_schema(store, db, st->table, &def, &err) != 0) {
        char msg[700];
        snprintf(msg, sizeof msg, "Table '%s.%s' doesn't exist", db, st->table);
        sr_mysql_session_err(s, 1146, "42S02", msg);
        return false;
    }
    bool ok = false;
    size_t ncols = st->column_count ? st->column_count : def.column_count;
    int *cols = calloc(ncols + 1, sizeof *cols);
    cond_eval *conds = calloc(st->cond_count + 1, sizeof *conds);
    int *order_cols = calloc(st->order_count + 1, sizeof *order_cols);
    bool *order_desc = calloc(st->order_count + 1, sizeof *order_desc);
    sr_mysql_column *mcols = calloc(ncols + 1, sizeof *mcols);
    const char **vals = calloc(ncols + 1, sizeof *vals);
    size_t *lens = calloc(ncols + 1, sizeof *lens);
    scan_ctx c = {.def = &def,
                  .conds = conds,
                  .cond_count = st->cond_count,
                  .count_only = st->count_star,
                  .order_cols = order_cols,
                  .order_desc = order_desc,
                  .order_count = st->order_count};
    if (!cols || !conds || !order_cols || !order_desc || !mcols || !vals || !lens) {
        sr_mysql_session_err(s, 1105, "HY000", "out of memory");
        goto out;
    }
    for (size_t i = 0; i < ncols; i++) {
        cols[i] = st->column_count ? sr_table_def_find(&def, st->columns[i]) : (int)i;
        if (cols[i] < 0) {
            column_error(s, st->columns[i]);
            goto out;
        }
    }
    for (size_t i = 0; i < st->cond_count; i++) {
        const sr_sql_cond *sc = &st->conds[i];
        conds[i].column = sr_table_def_find(&def, sc->column);
        conds[i].op = sc->op;
        if (conds[i].column < 0) {
            column_error(s, sc->column);
            goto out;
        }
        if (sc->op == SR_SQL_OP_IS_NULL || sc->op == SR_SQL_OP_IS_NOT_NULL)
            continue;
        const sr_column_def *cd = &def.columns[conds[i].column];
        /* Comparisons happen in the column's type, as StarRocks casts the literal. A literal that
         * does not cast is NULL there, and a comparison with NULL is never true. */
        conds[i].never = sc->value.kind == SR_SQL_LIT_NULL ||
                         sr_value_convert(&cd->type, cd->name, sc->value.text, sc->value.len,
                                          &conds[i].value, NULL) != 0;
    }
    for (size_t i = 0; i < st->order_count; i++) {
        order_cols[i] = sr_table_def_find(&def, st->order[i].column);
        order_desc[i] = st->order[i].desc;
        if (order_cols[i] < 0) {
            column_error(s, st->order[i].column);
            goto out;
        }
    }
    int rc = sr_store_scan(store, db, st->table, on_row, &c, &err);
    if (rc) {
        char msg[600];
        snprintf(msg, sizeof msg, "scan failed: %s", err.msg);
        sr_mysql_session_err(s, 1105, "HY000", msg);
        goto out;
    }
    if (st->count_star) {
        sr_mysql_column mc = {.name = st->expr_count ? st->exprs[0].label : "count(*)",
                              .type = SR_MYSQL_TYPE_LONGLONG,
                              .length = 20,
                              .binary = true,
                              .flags = SR_MYSQL_FLAG_NOT_NULL};
        char num[32];
        int n = snprintf(num, sizeof num, "%zu", c.matched);
        const char *v = num;
        size_t len = (size_t)n;
        sr_mysql_session_columns(s, 1, &mc);
        if (st->limit != 0)
            sr_mysql_session_row(s, 1, &v, &len);
        sr_mysql_session_end(s, more);
        ok = true;
        goto out;
    }
    if (st->order_count && c.row_count > 1) /* qsort_r on NULL: UB even for 0 */
        qsort_r(c.rows, c.row_count, sizeof *c.rows, compare_rows, &c);
    for (size_t i = 0; i < ncols; i++) {
        bool key = false;
        for (size_t k = 0; k < def.key_count; k++)
            key |= strcasecmp(def.key_columns[k], def.columns[cols[i]].name) == 0;
        sr_sql_select_column(&def.columns[cols[i]], db, st->table, key, &mcols[i]);
    }
    sr_mysql_session_columns(s, ncols, mcols);
    size_t limit = st->limit < 0 ? c.row_count : (size_t)st->limit;
    for (size_t r = 0; r < c.row_count && r < limit; r++) {
        for (size_t i = 0; i < ncols; i++) {
            const sr_value *v = &c.rows[r][cols[i]];
            vals[i] = v->kind == SR_VALUE_TEXT ? v->data : NULL;
            lens[i] = v->kind == SR_VALUE_TEXT ? v->len : 0;
        }
        sr_mysql_session_row(s, ncols, vals, lens);
    }
    sr_mysql_session_end(s, more);
    ok = true;
out:
    for (size_t r = 0; r < c.row_count; r++) {
        for (size_t i = 0; i < def.column_count; i++)
            sr_value_fini(&c.rows[r][i]);
        free(c.rows[r]);
    }
    free(c.rows);
    for (size_t i = 0; conds && i < st->cond_count; i++)
        sr_value_fini(&conds[i].value);
    free(cols);
    free(conds);
    free(order_cols);
    free(order_desc);
    free(mcols);
    free(vals);
    free(lens);
    sr_table_def_fini(&def);
    return ok;
}

/* ---- SELECT without FROM ---- */

static bool select_expr(sr_mysql_session *s, const sr_sql_stmt *st, const char *version, bool more)
{
    size_t n = st->expr_count;
    sr_mysql_column *mcols = calloc(n, sizeof *mcols);
    char **vals = calloc(n, sizeof *vals);
    size_t *lens = calloc(n, sizeof *lens);
    bool ok = false;
    if (!mcols || !vals || !lens) {
        sr_mysql_session_err(s, 1105, "HY000", "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const sr_sql_expr *e = &st->exprs[i];
        sr_mysql_column *mc = &mcols[i];
        mc->name = e->label;
        mc->type = SR_MYSQL_TYPE_VAR_STRING;
        mc->length = 255;
        const char *v = NULL;
        char tmp[320];
        if (e->kind == SR_SQL_EXPR_VARIABLE) {
            v = sr_sql_show_variable(e->name, version);
            if (!v) {
                char msg[300];
                snprintf(msg, sizeof msg, "Unknown system variable '%s'", e->name);
                sr_mysql_session_err(s, 1193, "HY000", msg);
                goto out;
            }
        } else if (e->kind == SR_SQL_EXPR_LITERAL) {
            v = e->literal.text;
            if (e->literal.kind == SR_SQL_LIT_NUMBER) {
                mc->type = strchr(v, '.') ? SR_MYSQL_TYPE_NEWDECIMAL : SR_MYSQL_TYPE_LONGLONG;
                mc->binary = true;
            }
        } else if (strcmp(e->name, "DATABASE") == 0 || strcmp(e->name, "SCHEMA") == 0) {
            v = sr_mysql_session_db(s)[0] ? sr_mysql_session_db(s) : NULL;
        } else if (strcmp(e->name, "USER") == 0 || strcmp(e->name, "CURRENT_USER") == 0 ||
                   strcmp(e->name, "SESSION_USER") == 0) {
            snprintf(tmp, sizeof tmp, "'%s'@'%%'", sr_mysql_session_user(s));
            v = tmp;
        } else if (strcmp(e->name, "VERSION") == 0) {
            v = version;
        } else if (strcmp(e->name, "CONNECTION_ID") == 0) {
            snprintf(tmp, sizeof tmp, "%u", sr_mysql_session_id(s));
            v = tmp;
            mc->type = SR_MYSQL_TYPE_LONGLONG;
            mc->binary = true;
        } else if (strcmp(e->name, "LAST_INSERT_ID") == 0) {
            v = "0";
            mc->type = SR_MYSQL_TYPE_LONGLONG;
            mc->binary = true;
        } else if (strcmp(e->name, "NOW") == 0 || strcmp(e->name, "CURRENT_TIMESTAMP") == 0) {
            time_t now = time(NULL);
            struct tm tm;
            gmtime_r(&now, &tm);
            strftime(tmp, sizeof tmp, "%Y-%m-%d %H:%M:%S", &tm);
            v = tmp;
            mc->type = SR_MYSQL_TYPE_DATETIME;
        } else {
            char msg[300];
            snprintf(msg, sizeof msg, "sr-endpoint does not implement the function %s()", e->name);
            sr_mysql_session_err(s, 1064, "HY000", msg);
            goto out;
        }
        if (v) {
            vals[i] = strdup(v);
            if (!vals[i]) {
                sr_mysql_session_err(s, 1105, "HY000", "out of memory");
                goto out;
            }
            lens[i] = strlen(v);
            if (e->kind == SR_SQL_EXPR_LITERAL)
                lens[i] = e->literal.len;
        }
    }
    sr_mysql_session_columns(s, n, mcols);
    if (st->limit != 0)
        sr_mysql_session_row(s, n, (const char *const *)vals, lens);
    sr_mysql_session_end(s, more);
    ok = true;
out:
    for (size_t i = 0; vals && i < n; i++)
        free(vals[i]);
    free(vals);
    free(lens);
    free(mcols);
    return ok;
}

static bool show_variables(sr_mysql_session *s, const sr_sql_stmt *st, const char *version,
                           bool more)
{
    sr_mysql_column cols[2] = {
        {.name = "Variable_name", .type = SR_MYSQL_TYPE_VAR_STRING, .length = 64},
        {.name = "Value", .type = SR_MYSQL_TYPE_VAR_STRING, .length = 1024},
    };
    sr_mysql_session_columns(s, 2, cols);
    const char *name;
    for (size_t i = 0; (name = sr_sql_show_variable_name(i)) != NULL; i++) {
        if (st->like && !sr_sql_show_like(name, st->like))
            continue;
        const char *v[2] = {name, sr_sql_show_variable(name, version)};
        size_t l[2] = {strlen(v[0]), strlen(v[1])};
        sr_mysql_session_row(s, 2, v, l);
    }
    sr_mysql_session_end(s, more);
    return true;
}

bool sr_sql_select_run(sr_store *store, sr_mysql_session *s, const sr_sql_stmt *st, const char *db,
                       const char *version, bool more)
{
    switch (st->kind) {
    case SR_SQL_SELECT:
        return select_table(store, s, st, db, more);
    case SR_SQL_SELECT_EXPR:
        return select_expr(s, st, version, more);
    case SR_SQL_SHOW_VARIABLES:
        return show_variables(s, st, version, more);
    default:
        sr_mysql_session_err(s, 1105, "HY000", "sr-endpoint: not a query");
        return false;
    }
}
