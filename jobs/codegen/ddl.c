/* CREATE TABLE text (protocol notes §6.1): key columns first in key order and NOT NULL, the
 * other columns in source order with their nullability, comments kept, defaults dropped (StarRocks
 * DEFAULT takes only quoted strings, NULL, CURRENT_TIMESTAMP or (func()): translating MySQL
 * expressions risks wrong DDL, and the sync always sends every column's value anyway). */
#include "jobs/codegen/ddl.h"

#include <stdlib.h>
#include <string.h>

unsigned gen_ddl_buckets(uint64_t data_length)
{
    const uint64_t gib = 1024ull * 1024 * 1024;
    uint64_t n = (data_length + gib - 1) / gib;
    return n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
}

int gen_ddl_options_check(const gen_ddl_options *o, rt_err *err)
{
    for (size_t i = 0; i < o->property_count; i++) {
        const char *p = o->properties[i];
        const char *eq = strchr(p, '=');
        if (!eq || eq == p)
            return rt_err_set(err, RT_EINVAL, "--property \"%s\": expected key=value", p);
        if ((size_t)(eq - p) == strlen("replication_num") &&
            strncmp(p, "replication_num", (size_t)(eq - p)) == 0)
            return rt_err_set(err, RT_EINVAL,
                              "--property \"%s\": use --replication-num for replication_num", p);
    }
    return 0;
}

void gen_ddl_append_ident(rt_buf *b, const char *name)
{
    rt_buf_append_char(b, '`');
    for (const char *p = name; *p; p++) {
        if (*p == '`')
            rt_buf_append_char(b, '`');
        rt_buf_append_char(b, *p);
    }
    rt_buf_append_char(b, '`');
}

void gen_ddl_append_string(rt_buf *b, const char *s)
{
    rt_buf_append_char(b, '"');
    for (const char *p = s; *p; p++) {
        switch (*p) {
        case '"':
            rt_buf_append_str(b, "\\\"");
            break;
        case '\\':
            rt_buf_append_str(b, "\\\\");
            break;
        case '\n':
            rt_buf_append_str(b, "\\n");
            break;
        case '\r':
            rt_buf_append_str(b, "\\r");
            break;
        case '\t':
            rt_buf_append_str(b, "\\t");
            break;
        default:
            rt_buf_append_char(b, *p);
            break;
        }
    }
    rt_buf_append_char(b, '"');
}

static void append_key_list(rt_buf *b, const gen_target *t)
{
    for (size_t k = 0; k < t->key_count; k++) {
        if (k)
            rt_buf_append_str(b, ", ");
        gen_ddl_append_ident(b, t->columns[k].name);
    }
}

void gen_ddl_append_table(rt_buf *b, const char *db, const gen_target *t, const gen_ddl_options *o)
{
    rt_buf_append_str(b, "CREATE TABLE IF NOT EXISTS ");
    gen_ddl_append_ident(b, db);
    rt_buf_append_char(b, '.');
    gen_ddl_append_ident(b, t->name);
    rt_buf_append_str(b, " (\n");
    for (size_t i = 0; i < t->column_count; i++) {
        const gen_target_column *c = &t->columns[i];
        char type[64];
        gen_sr_type_format(&c->type, type, sizeof type);
        rt_buf_append_str(b, "    ");
        gen_ddl_append_ident(b, c->name);
        rt_buf_appendf(b, " %s %s", type, c->nullable ? "NULL" : "NOT NULL");
        if (c->comment && c->comment[0]) {
            rt_buf_append_str(b, " COMMENT ");
            gen_ddl_append_string(b, c->comment);
        }
        rt_buf_append_str(b, i + 1 < t->column_count ? ",\n" : "\n");
    }
    rt_buf_append_str(b, ")\nENGINE=OLAP\nPRIMARY KEY (");
    append_key_list(b, t);
    rt_buf_append_str(b, ")\n");
    if (t->comment && t->comment[0]) {
        rt_buf_append_str(b, "COMMENT ");
        gen_ddl_append_string(b, t->comment);
        rt_buf_append_char(b, '\n');
    }
    rt_buf_append_str(b, "DISTRIBUTED BY HASH(");
    append_key_list(b, t);
    rt_buf_appendf(b, ") BUCKETS %u\n", o->buckets ? o->buckets : gen_ddl_buckets(t->data_length));
    rt_buf_appendf(b, "PROPERTIES (\n    \"replication_num\" = \"%u\"",
                   o->replication_num ? o->replication_num : 1);
    for (size_t i = 0; i < o->property_count; i++) {
        const char *p = o->properties[i];
        const char *eq = strchr(p, '=');
        if (!eq)
            continue; /* refused by gen_ddl_options_check */
        char *key = strndup(p, (size_t)(eq - p));
        rt_buf_append_str(b, ",\n    ");
        gen_ddl_append_string(b, key ? key : "");
        rt_buf_append_str(b, " = ");
        gen_ddl_append_string(b, eq + 1);
        free(key);
    }
    rt_buf_append_str(b, "\n);\n");
}
