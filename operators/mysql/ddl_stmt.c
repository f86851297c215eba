/* The parsed DDL statement (op_ddl): its accessors, its one-line description and the type and
 * default normalisation shared with the schema history and the information_schema readers. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "operators/basic/sql_type.h"
#include "operators/mysql/ddl_default.h"
#include "operators/mysql/ddl_parse.h"
#include "operators/mysql/ddl_parse_int.h"

const char *op_ddl_kind_name(op_ddl_kind k)
{
    switch (k) {
    case OP_DDL_CREATE_TABLE:
        return "create_table";
    case OP_DDL_ALTER_TABLE:
        return "alter_table";
    case OP_DDL_DROP_TABLE:
        return "drop_table";
    case OP_DDL_RENAME_TABLE:
        return "rename_table";
    case OP_DDL_TRUNCATE_TABLE:
        return "truncate_table";
    }
    return "?";
}

const char *op_ddl_alter_kind_name(op_ddl_alter_kind k)
{
    switch (k) {
    case OP_DDL_ADD_COLUMN:
        return "add_column";
    case OP_DDL_DROP_COLUMN:
        return "drop_column";
    case OP_DDL_MODIFY_COLUMN:
        return "modify_column";
    case OP_DDL_CHANGE_COLUMN:
        return "change_column";
    case OP_DDL_RENAME_COLUMN:
        return "rename_column";
    case OP_DDL_RENAME_TO:
        return "rename_to";
    case OP_DDL_ADD_PRIMARY_KEY:
        return "add_primary_key";
    case OP_DDL_DROP_PRIMARY_KEY:
        return "drop_primary_key";
    case OP_DDL_ALTER_DEFAULT:
        return "alter_default";
    }
    return "?";
}

void op_ddl_column_fini(op_ddl_column *c)
{
    free(c->name);
    free(c->type);
    free(c->default_value);
    c->name = c->type = c->default_value = NULL;
}

void op_ddl_name_fini(op_ddl_name *n)
{
    free(n->db);
    free(n->table);
    n->db = n->table = NULL;
}

void op_ddl_key_free(char **key, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(key[i]);
    free(key);
}

void op_ddl_alter_fini(op_ddl_alter *a)
{
    free(a->name);
    free(a->new_name);
    free(a->after);
    op_ddl_column_fini(&a->column);
    op_ddl_name_fini(&a->table);
    op_ddl_key_free(a->key, a->key_count);
    memset(a, 0, sizeof *a);
}

void op_ddl_free(op_ddl *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->table_count; i++)
        op_ddl_name_fini(&d->tables[i]);
    free(d->tables);
    op_ddl_name_fini(&d->like);
    for (size_t i = 0; i < d->column_count; i++)
        op_ddl_column_fini(&d->columns[i]);
    free(d->columns);
    op_ddl_key_free(d->key, d->key_count);
    for (size_t i = 0; i < d->alter_count; i++)
        op_ddl_alter_fini(&d->alters[i]);
    free(d->alters);
    free(d);
}

op_ddl_kind op_ddl_kind_of(const op_ddl *d)
{
    return d->kind;
}

bool op_ddl_if_not_exists(const op_ddl *d)
{
    return d->if_not_exists;
}

bool op_ddl_if_exists(const op_ddl *d)
{
    return d->if_exists;
}

size_t op_ddl_table_count(const op_ddl *d)
{
    return d->table_count;
}

const op_ddl_name *op_ddl_table_at(const op_ddl *d, size_t i)
{
    RT_ASSERT(i < d->table_count);
    return &d->tables[i];
}

const op_ddl_name *op_ddl_like(const op_ddl *d)
{
    return d->has_like ? &d->like : NULL;
}

size_t op_ddl_column_count(const op_ddl *d)
{
    return d->column_count;
}

const op_ddl_column *op_ddl_column_at(const op_ddl *d, size_t i)
{
    RT_ASSERT(i < d->column_count);
    return &d->columns[i];
}

size_t op_ddl_key_count(const op_ddl *d)
{
    return d->key_count;
}

const char *op_ddl_key_at(const op_ddl *d, size_t i)
{
    RT_ASSERT(i < d->key_count);
    return d->key[i];
}

size_t op_ddl_alter_count(const op_ddl *d)
{
    return d->alter_count;
}

const op_ddl_alter *op_ddl_alter_at(const op_ddl *d, size_t i)
{
    RT_ASSERT(i < d->alter_count);
    return &d->alters[i];
}

static void format_name(const op_ddl_name *n, rt_buf *out)
{
    rt_buf_appendf(out, "%s.%s", n->db, n->table);
}

static void format_column(const op_ddl_column *c, rt_buf *out)
{
    rt_buf_appendf(out, "%s %s", c->name, c->type);
    if (!c->nullable)
        rt_buf_append_str(out, " NOT NULL");
    if (c->default_value)
        rt_buf_appendf(out, " DEFAULT %s", c->default_value);
    if (c->auto_increment)
        rt_buf_append_str(out, " AUTO_INCREMENT");
    if (c->primary_key)
        rt_buf_append_str(out, " PRIMARY KEY");
}

static void format_key(char *const *key, size_t n, rt_buf *out)
{
    rt_buf_append_str(out, "PRIMARY KEY (");
    for (size_t i = 0; i < n; i++)
        rt_buf_appendf(out, "%s%s", i ? ", " : "", key[i]);
    rt_buf_append_char(out, ')');
}

static void format_alter(const op_ddl_alter *a, rt_buf *out)
{
    switch (a->kind) {
    case OP_DDL_ADD_COLUMN:
        rt_buf_append_str(out, a->if_exists ? "ADD IF NOT EXISTS " : "ADD ");
        format_column(&a->column, out);
        break;
    case OP_DDL_DROP_COLUMN:
        rt_buf_appendf(out, "DROP %s%s", a->if_exists ? "IF EXISTS " : "", a->name);
        break;
    case OP_DDL_MODIFY_COLUMN:
        rt_buf_append_str(out, a->if_exists ? "MODIFY IF EXISTS " : "MODIFY ");
        format_column(&a->column, out);
        break;
    case OP_DDL_CHANGE_COLUMN:
        rt_buf_appendf(out, "CHANGE %s%s -> ", a->if_exists ? "IF EXISTS " : "", a->name);
        format_column(&a->column, out);
        break;
    case OP_DDL_RENAME_COLUMN:
        rt_buf_appendf(out, "RENAME COLUMN %s%s TO %s", a->if_exists ? "IF EXISTS " : "", a->name,
                       a->new_name);
        break;
    case OP_DDL_RENAME_TO:
        rt_buf_append_str(out, "RENAME TO ");
        format_name(&a->table, out);
        break;
    case OP_DDL_ADD_PRIMARY_KEY:
        rt_buf_append_str(out, "ADD ");
        format_key(a->key, a->key_count, out);
        break;
    case OP_DDL_DROP_PRIMARY_KEY:
        rt_buf_append_str(out, "DROP PRIMARY KEY");
        break;
    case OP_DDL_ALTER_DEFAULT:
        if (a->column.default_value)
            rt_buf_appendf(out, "ALTER %s SET DEFAULT %s", a->name, a->column.default_value);
        else
            rt_buf_appendf(out, "ALTER %s DROP DEFAULT", a->name);
        break;
    }
    if (a->place == OP_DDL_PLACE_FIRST)
        rt_buf_append_str(out, " FIRST");
    else if (a->place == OP_DDL_PLACE_AFTER)
        rt_buf_appendf(out, " AFTER %s", a->after);
}

void op_ddl_format(const op_ddl *d, rt_buf *out)
{
    static const char *const verbs[] = {"CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE"};
    rt_buf_append_str(out, verbs[d->kind]);
    if (d->if_not_exists)
        rt_buf_append_str(out, " IF NOT EXISTS");
    if (d->if_exists)
        rt_buf_append_str(out, " IF EXISTS");
    for (size_t i = 0; i < d->table_count; i++) {
        const char *sep = i == 0                                           ? " "
                          : d->kind == OP_DDL_RENAME_TABLE && (i % 2) == 1 ? " TO "
                                                                           : ", ";
        rt_buf_append_str(out, sep);
        format_name(&d->tables[i], out);
    }
    if (d->has_like) {
        rt_buf_append_str(out, " LIKE ");
        format_name(&d->like, out);
    }
    if (d->column_count) {
        rt_buf_append_str(out, " (");
        for (size_t i = 0; i < d->column_count; i++) {
            if (i)
                rt_buf_append_str(out, ", ");
            format_column(&d->columns[i], out);
        }
        rt_buf_append_char(out, ')');
    }
    if (d->key_count) {
        rt_buf_append_char(out, ' ');
        format_key(d->key, d->key_count, out);
    }
    for (size_t i = 0; i < d->alter_count; i++) {
        rt_buf_append_str(out, i ? "; " : ": ");
        format_alter(&d->alters[i], out);
    }
}

void op_ddl_type_normalize(const char *text, rt_buf *out)
{
    op_sql_type t;
    if (op_sql_type_parse(text, &t, NULL) == 0) {
        /* MariaDB's information_schema prints the default width (int(11)) that DDL leaves out;
         * a width changes no value, so it goes, except tinyint(1), which connectors read as a
         * boolean. */
        if (op_sql_type_is_integer(&t) && !(t.kind == OP_SQL_TINYINT && t.length == 1))
            t.length = 0;
        op_sql_type_format(&t, out);
        op_sql_type_fini(&t);
        return;
    }
    bool space = false;
    size_t start = out->len;
    for (const char *c = text; *c; c++) {
        if (isspace((unsigned char)*c)) {
            space = true;
            continue;
        }
        if (space && out->len > start)
            rt_buf_append_char(out, ' ');
        space = false;
        rt_buf_append_char(out, (char)tolower((unsigned char)*c));
    }
    if (out->len == start)
        rt_buf_append(out, "", 0);
}

bool op_ddl_default_normalize(const char *text, size_t len, const char *type, rt_buf *out)
{
    return ddl_default_normalize(text, len, type, out);
}
