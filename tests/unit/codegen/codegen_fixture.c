/* Source tables built by hand for the codegen unit tests. */
#include "codegen_fixture.h"

#include <stdlib.h>
#include <string.h>

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

void fx_column(gen_column *c, const char *name, const char *data_type, const char *column_type,
               const char *charset, unsigned long long char_length, unsigned precision,
               unsigned scale, bool nullable)
{
    memset(c, 0, sizeof *c);
    c->name = strdup(name);
    c->data_type = strdup(data_type);
    c->column_type = strdup(column_type);
    c->charset = dup_or_null(charset);
    c->charset_maxlen = !charset                          ? 0
                        : strcmp(charset, "utf8mb4") == 0 ? 4
                        : strcmp(charset, "latin1") == 0  ? 1
                                                          : 3;
    c->char_length = char_length;
    c->precision = precision;
    c->scale = scale;
    c->is_unsigned = strstr(column_type, "unsigned") != NULL;
    c->nullable = nullable;
    c->is_json = strcmp(data_type, "json") == 0;
    c->comment = strdup("");
}

void fx_table(gen_table *t, const char *db, const char *name, const char *comment)
{
    memset(t, 0, sizeof *t);
    t->db = strdup(db);
    t->name = strdup(name);
    t->comment = strdup(comment);
    t->columns = calloc(16, sizeof *t->columns);
}

gen_column *fx_add(gen_table *t)
{
    return &t->columns[t->column_count++];
}

void fx_key(gen_table *t, const char *column)
{
    t->key[t->key_count++] = (size_t)gen_table_find_column(t, column);
}
