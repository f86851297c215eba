/* --create-tables over the FE's MySQL port with MariaDB Connector/C (the starrocks sink reads
 * table metadata the same way). Existing tables are checked before anything is created, so a
 * conflict leaves the database as it was. */
#include "jobs/codegen/create_tables.h"

#include <ctype.h>
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ER_BAD_TABLE_ERROR / ER_NO_SUCH_TABLE: DESC of a table that does not exist. */
#define ER_UNKNOWN_TABLE 1146

void gen_sr_type_normalize(const char *type, char *out, size_t size)
{
    char buf[128];
    size_t n = 0;
    for (const char *p = type; *p && n + 1 < sizeof buf; p++)
        if (!isspace((unsigned char)*p))
            buf[n++] = (char)tolower((unsigned char)*p);
    buf[n] = '\0';
    static const char *const ints[] = {"tinyint", "smallint", "int", "integer",
                                       "bigint",  "largeint", NULL};
    for (const char *const *i = ints; *i; i++) {
        size_t l = strlen(*i);
        if (strncmp(buf, *i, l) == 0 && (buf[l] == '(' || buf[l] == '\0')) {
            snprintf(out, size, "%s", strcmp(*i, "integer") == 0 ? "int" : *i);
            return;
        }
    }
    if (strcmp(buf, "string") == 0) {
        snprintf(out, size, "varchar(65533)");
        return;
    }
    static const char *const decs[] = {"decimalv3", "decimalv2",  "decimal32",
                                       "decimal64", "decimal128", NULL};
    for (const char *const *d = decs; *d; d++) {
        size_t l = strlen(*d);
        if (strncmp(buf, *d, l) == 0) {
            snprintf(out, size, "decimal%s", buf + l);
            return;
        }
    }
    snprintf(out, size, "%s", buf);
}

static void quote_ident(char *out, size_t size, const char *name)
{
    rt_buf b;
    rt_buf_init(&b);
    gen_ddl_append_ident(&b, name);
    snprintf(out, size, "%s", b.data);
    rt_buf_fini(&b);
}

static int sql_error(MYSQL *my, const char *what, rt_err *err)
{
    unsigned code = mysql_errno(my);
    bool gone = code == 2006 || code == 2013 || code == 2002 || code == 2003;
    return rt_err_set(err, gone ? RT_EUNAVAIL : RT_EINVAL, "%s: %s (error %u)", what,
                      mysql_error(my), code);
}

/* One existing column from DESC. */
typedef struct existing {
    char *name;
    char *type;
} existing;

/* Reads DESC db.t into *cols; *found false when the table does not exist. */
static int describe(MYSQL *my, const char *db, const char *table, existing **cols, size_t *count,
                    bool *found, rt_err *err)
{
    char qdb[300], qt[300], sql[700];
    quote_ident(qdb, sizeof qdb, db);
    quote_ident(qt, sizeof qt, table);
    snprintf(sql, sizeof sql, "DESC %s.%s", qdb, qt);
    *found = false;
    *cols = NULL;
    *count = 0;
    if (mysql_query(my, sql) != 0) {
        if (mysql_errno(my) == ER_UNKNOWN_TABLE)
            return 0;
        return sql_error(my, sql, err);
    }
    MYSQL_RES *res = mysql_store_result(my);
    if (!res)
        return sql_error(my, sql, err);
    *found = true;
    size_t n = (size_t)mysql_num_rows(res);
    existing *c = calloc(n ? n : 1, sizeof *c);
    MYSQL_ROW row;
    while (c && (row = mysql_fetch_row(res)) && mysql_num_fields(res) >= 2) {
        c[*count].name = strdup(row[0] ? row[0] : "");
        c[*count].type = strdup(row[1] ? row[1] : "");
        (*count)++;
    }
    mysql_free_result(res);
    *cols = c;
    return c ? 0 : rt_err_set(err, RT_ENOMEM, "out of memory");
}

static void existing_free(existing *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(c[i].name);
        free(c[i].type);
    }
    free(c);
}

/* Appends the differences between t and the existing columns to diff; returns their number. */
static size_t compare(const gen_target *t, const existing *cols, size_t n, gen_lines *diff)
{
    size_t found = 0;
    for (size_t i = 0; i < t->column_count; i++) {
        const gen_target_column *c = &t->columns[i];
        char want[64], want_n[64], have_n[64];
        gen_sr_type_format(&c->type, want, sizeof want);
        gen_sr_type_normalize(want, want_n, sizeof want_n);
        size_t k = 0;
        /* StarRocks column names are case-insensitive (§6.1). */
        while (k < n && strcasecmp(cols[k].name, c->name) != 0)
            k++;
        if (k == n) {
            gen_lines_addf(diff, "%s: missing column %s (would be %s)", t->name, c->name, want);
            found++;
            continue;
        }
        gen_sr_type_normalize(cols[k].type, have_n, sizeof have_n);
        /* A VARBINARY shown without its length matches any length. */
        bool same = strcmp(have_n, want_n) == 0 ||
                    (strcmp(have_n, "varbinary") == 0 && strncmp(want_n, "varbinary", 9) == 0);
        if (!same) {
            char have_u[64];
            size_t j = 0;
            for (; cols[k].type[j] && j + 1 < sizeof have_u; j++)
                have_u[j] = (char)toupper((unsigned char)cols[k].type[j]);
            have_u[j] = '\0';
            gen_lines_addf(diff, "%s: column %s: exists as %s, would be %s", t->name, c->name,
                           have_u, want);
            found++;
        }
    }
    for (size_t k = 0; k < n; k++) {
        size_t i = 0;
        while (i < t->column_count && strcasecmp(cols[k].name, t->columns[i].name) != 0)
            i++;
        if (i == t->column_count) {
            gen_lines_addf(diff, "%s: extra column %s (%s) that the sync would not fill", t->name,
                           cols[k].name, cols[k].type);
            found++;
        }
    }
    return found;
}

int gen_create_tables(const gen_sr_params *p, const char *db, const gen_target_set *targets,
                      const gen_ddl_options *o, gen_lines *notes, gen_lines *diff, rt_err *err)
{
    MYSQL *my = mysql_init(NULL);
    if (!my)
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    unsigned timeout = p->timeout_s ? p->timeout_s : 30;
    unsigned proto = MYSQL_PROTOCOL_TCP;
    mysql_optionsv(my, MYSQL_OPT_PROTOCOL, &proto);
    mysql_optionsv(my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_optionsv(my, MYSQL_OPT_READ_TIMEOUT, &timeout);
    mysql_optionsv(my, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
    int rc = 0;
    if (!mysql_real_connect(my, p->host, p->user, p->password ? p->password : "", NULL, p->port,
                            NULL, 0)) {
        /* The client's message names host and user, never the password. */
        rc = rt_err_set(err, RT_EUNAVAIL, "StarRocks %s:%u as '%s': connect: %s", p->host, p->port,
                        p->user, mysql_error(my));
        mysql_close(my);
        return rc;
    }
    char qdb[300], sql[400];
    quote_ident(qdb, sizeof qdb, db);
    snprintf(sql, sizeof sql, "CREATE DATABASE IF NOT EXISTS %s", qdb);
    if (mysql_query(my, sql) != 0)
        rc = sql_error(my, sql, err);
    bool *create = calloc(targets->count ? targets->count : 1, sizeof *create);
    if (rc == 0 && !create)
        rc = rt_err_set(err, RT_ENOMEM, "out of memory");
    size_t conflicts = 0;
    for (size_t i = 0; rc == 0 && i < targets->count; i++) {
        const gen_target *t = &targets->items[i];
        existing *cols;
        size_t n;
        bool found;
        rc = describe(my, db, t->name, &cols, &n, &found, err);
        if (rc == 0 && !found)
            create[i] = true;
        else if (rc == 0) {
            size_t d = compare(t, cols, n, diff);
            conflicts += d;
            if (d == 0)
                gen_lines_addf(notes, "table %s.%s exists with the same columns: left as it is", db,
                               t->name);
        }
        existing_free(cols, n);
    }
    if (rc == 0 && conflicts)
        rc = rt_err_set(err, RT_EEXIST,
                        "%zu difference(s) between existing tables in %s and the tables to "
                        "create: nothing was created",
                        conflicts, db);
    for (size_t i = 0; rc == 0 && i < targets->count; i++) {
        if (!create[i])
            continue;
        rt_buf b;
        rt_buf_init(&b);
        gen_ddl_append_table(&b, db, &targets->items[i], o);
        /* One statement per query: the script's ";\n" stays out. */
        while (b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == ';'))
            b.data[--b.len] = '\0';
        if (mysql_query(my, b.data) != 0)
            rc = rt_err_prefix(err, sql_error(my, "CREATE TABLE", err), "table %s.%s", db,
                               targets->items[i].name);
        else
            gen_lines_addf(notes, "table %s.%s created", db, targets->items[i].name);
        rt_buf_fini(&b);
    }
    free(create);
    mysql_close(my);
    return rc;
}
