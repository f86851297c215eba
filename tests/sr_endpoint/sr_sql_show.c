/* SHOW CREATE TABLE text and session variables for sr-endpoint's MySQL port. The layout copies
 * StarRocks' (its Table#getDdlStmt output as seen from a 3.x FE) so that parsers written against
 * StarRocks read it. */
#include "tests/sr_endpoint/sr_sql_show.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

static void append_quoted(rt_buf *out, const char *s)
{
    rt_buf_append_char(out, '"');
    for (; s && *s; s++) {
        if (*s == '"' || *s == '\\')
            rt_buf_append_char(out, '\\');
        rt_buf_append_char(out, *s);
    }
    rt_buf_append_char(out, '"');
}

static void append_name(rt_buf *out, const char *s)
{
    rt_buf_append_char(out, '`');
    for (; *s; s++) {
        if (*s == '`')
            rt_buf_append_char(out, '`');
        rt_buf_append_char(out, *s);
    }
    rt_buf_append_char(out, '`');
}

static void append_names(rt_buf *out, char **names, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (i)
            rt_buf_append_str(out, ", ");
        append_name(out, names[i]);
    }
}

void sr_sql_show_create_table(const sr_table_def *d, rt_buf *out)
{
    rt_buf_append_str(out, "CREATE TABLE ");
    append_name(out, d->name);
    rt_buf_append_str(out, " (\n");
    for (size_t i = 0; i < d->column_count; i++) {
        const sr_column_def *c = &d->columns[i];
        char type[64];
        sr_type_format(&c->type, type, sizeof type);
        rt_buf_append_str(out, "  ");
        append_name(out, c->name);
        rt_buf_appendf(out, " %s %s", type, c->nullable ? "NULL" : "NOT NULL");
        if (c->default_is_current_timestamp) {
            rt_buf_append_str(out, " DEFAULT CURRENT_TIMESTAMP");
        } else if (c->default_text) {
            rt_buf_append_str(out, " DEFAULT ");
            append_quoted(out, c->default_text);
        }
        rt_buf_append_str(out, " COMMENT ");
        append_quoted(out, c->comment ? c->comment : "");
        rt_buf_append_str(out, i + 1 < d->column_count ? ",\n" : "\n");
    }
    rt_buf_append_str(out, ") ENGINE=OLAP \n");
    rt_buf_append_str(out, sr_model_name(d->model));
    rt_buf_append_char(out, '(');
    append_names(out, d->key_columns, d->key_count);
    rt_buf_append_str(out, ")\n");
    /* StarRocks prints "OLAP" when the table has no comment. */
    rt_buf_append_str(out, "COMMENT ");
    append_quoted(out, d->comment ? d->comment : "OLAP");
    rt_buf_append_char(out, '\n');
    if (d->distributed_count > 0) {
        rt_buf_append_str(out, "DISTRIBUTED BY HASH(");
        append_names(out, d->distributed_by, d->distributed_count);
        rt_buf_append_char(out, ')');
    } else {
        rt_buf_append_str(out, "DISTRIBUTED BY RANDOM");
    }
    if (d->buckets > 0)
        rt_buf_appendf(out, " BUCKETS %d", d->buckets);
    rt_buf_append_str(out, " \nPROPERTIES (\n\"replication_num\" = ");
    const char *replication = "1";
    for (size_t i = 0; i < d->prop_count; i++)
        if (strcasecmp(d->prop_keys[i], "replication_num") == 0)
            replication = d->prop_values[i];
    append_quoted(out, replication);
    for (size_t i = 0; i < d->prop_count; i++) {
        if (strcasecmp(d->prop_keys[i], "replication_num") == 0)
            continue;
        rt_buf_append_str(out, ",\n");
        append_quoted(out, d->prop_keys[i]);
        rt_buf_append_str(out, " = ");
        append_quoted(out, d->prop_values[i]);
    }
    rt_buf_append_str(out, "\n);");
}

static const struct {
    const char *name;
    const char *value; /* NULL: the server version */
} variables[] = {
    {"auto_increment_increment", "1"},
    {"autocommit", "1"},
    {"character_set_client", "utf8"},
    {"character_set_connection", "utf8"},
    {"character_set_database", "utf8"},
    {"character_set_results", "utf8"},
    {"character_set_server", "utf8"},
    {"collation_connection", "utf8_general_ci"},
    {"collation_database", "utf8_general_ci"},
    {"collation_server", "utf8_general_ci"},
    {"init_connect", ""},
    {"interactive_timeout", "3600"},
    {"language", "/starrocks/share/english/"},
    {"license", "Apache License 2.0"},
    {"lower_case_table_names", "0"},
    {"max_allowed_packet", "33554432"},
    {"net_buffer_length", "16384"},
    {"net_read_timeout", "60"},
    {"net_write_timeout", "60"},
    {"performance_schema", "0"},
    {"query_cache_size", "1048576"},
    {"query_cache_type", "0"},
    {"query_timeout", "300"},
    {"sql_mode", "ONLY_FULL_GROUP_BY"},
    {"sql_select_limit", "9223372036854775807"},
    {"system_time_zone", "UTC"},
    {"time_zone", "UTC"},
    {"transaction_isolation", "REPEATABLE-READ"},
    {"transaction_read_only", "0"},
    {"tx_isolation", "REPEATABLE-READ"},
    {"tx_read_only", "0"},
    {"version", NULL},
    {"version_comment", "sr-endpoint (a StarRocks-compatible test double, not StarRocks)"},
    {"wait_timeout", "28800"},
};

const char *sr_sql_show_variable(const char *name, const char *version)
{
    for (size_t i = 0; i < sizeof variables / sizeof variables[0]; i++)
        if (strcasecmp(name, variables[i].name) == 0)
            return variables[i].value ? variables[i].value : version;
    return NULL;
}

const char *sr_sql_show_variable_name(size_t i)
{
    return i < sizeof variables / sizeof variables[0] ? variables[i].name : NULL;
}

bool sr_sql_show_like(const char *s, const char *pattern)
{
    for (;;) {
        char pc = *pattern;
        if (pc == '\0')
            return *s == '\0';
        if (pc == '%') {
            while (*pattern == '%')
                pattern++;
            if (*pattern == '\0')
                return true;
            for (; *s; s++)
                if (sr_sql_show_like(s, pattern))
                    return true;
            return false;
        }
        if (*s == '\0')
            return false;
        if (pc == '\\' && pattern[1]) {
            pattern++;
            pc = *pattern;
        } else if (pc == '_') {
            s++;
            pattern++;
            continue;
        }
        if (tolower((unsigned char)pc) != tolower((unsigned char)*s))
            return false;
        s++;
        pattern++;
    }
}
