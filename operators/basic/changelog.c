/* The changelog JSON-line formatter (changelog.h). */
#include "operators/basic/changelog.h"

#include <stdlib.h>
#include <string.h>

struct op_changelog {
    const rt_table *table; /* the table head and keys below belong to; NULL before the first */
    rt_buf head;           /* ,"table":"db.t","data":{ */
    rt_buf keys;           /* "c1":"c2":... back to back */
    size_t *key_end;       /* end of each column's key in `keys` */
};

op_changelog *op_changelog_new(void)
{
    op_changelog *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    rt_buf_init(&c->head);
    rt_buf_init(&c->keys);
    return c;
}

void op_changelog_free(op_changelog *c)
{
    if (!c)
        return;
    rt_buf_fini(&c->head);
    rt_buf_fini(&c->keys);
    free(c->key_end);
    free(c);
}

static int cache_table(op_changelog *c, const rt_table *t)
{
    size_t n = rt_table_column_count(t);
    size_t *ends = realloc(c->key_end, (n ? n : 1) * sizeof *ends);
    if (!ends)
        return RT_ENOMEM;
    c->key_end = ends;
    rt_buf_reset(&c->head);
    rt_buf_append_str(&c->head, ",\"table\":");
    const char *q = rt_table_qualified(t);
    rt_buf_append_json_str(&c->head, q, strlen(q));
    rt_buf_append_str(&c->head, ",\"data\":{");
    rt_buf_reset(&c->keys);
    for (size_t i = 0; i < n; i++) {
        const char *name = rt_table_column(t, i)->name;
        rt_buf_append_json_str(&c->keys, name, strlen(name));
        rt_buf_append_char(&c->keys, ':');
        ends[i] = c->keys.len;
    }
    c->table = t;
    return 0;
}

/* {"op":"SC","table":"db.t","change":"alter_table","before":"db.old","ddl":"...",
 *  "columns":[{"name":"id","type":"bigint","nullable":false,"key":true},...]} */
static void format_schema_change(const rt_record *rec, rt_buf *out)
{
    const rt_schema_change *sc = rec->change;
    rt_buf_append_str(out, "{\"op\":\"SC\",\"table\":");
    const char *q = rt_table_qualified(rec->table);
    rt_buf_append_json_str(out, q, strlen(q));
    rt_buf_append_str(out, ",\"change\":\"");
    rt_buf_append_str(out, rt_schema_change_kind_name((rt_schema_change_kind)sc->kind));
    rt_buf_append_char(out, '"');
    if (sc->before && strcmp(rt_table_qualified(sc->before), q) != 0) {
        const char *bq = rt_table_qualified(sc->before);
        rt_buf_append_str(out, ",\"before\":");
        rt_buf_append_json_str(out, bq, strlen(bq));
    }
    rt_buf_append_str(out, ",\"ddl\":");
    rt_buf_append_json_str(out, sc->ddl, sc->ddl_len);
    rt_buf_append_str(out, ",\"columns\":[");
    for (size_t i = 0; i < rt_table_column_count(rec->table); i++) {
        const rt_column *c = rt_table_column(rec->table, i);
        rt_buf_append_str(out, i ? ",{\"name\":" : "{\"name\":");
        rt_buf_append_json_str(out, c->name, strlen(c->name));
        rt_buf_append_str(out, ",\"type\":");
        const char *type = c->sql_type ? c->sql_type : rt_type_name(c->type);
        rt_buf_append_json_str(out, type, strlen(type));
        rt_buf_append_str(out, c->nullable ? ",\"nullable\":true" : ",\"nullable\":false");
        rt_buf_append_str(out, c->primary_key ? ",\"key\":true}" : ",\"key\":false}");
    }
    rt_buf_append_str(out, "]}\n");
}

int op_changelog_format(op_changelog *c, const rt_batch *batch, rt_buf *out, rt_err *err)
{
    size_t count = rt_batch_count(batch);
    for (size_t r = 0; r < count; r++) {
        const rt_record *rec = rt_batch_at_const(batch, r);
        if (rec->change) {
            format_schema_change(rec, out);
            continue;
        }
        if (rec->table != c->table && cache_table(c, rec->table) != 0)
            return rt_err_set(err, RT_ENOMEM, "changelog: out of memory");
        rt_buf_append_str(out, "{\"op\":\"");
        rt_buf_append_str(out, rt_rowkind_name((rt_rowkind)rec->kind));
        rt_buf_append_char(out, '"');
        rt_buf_append(out, c->head.data, c->head.len);
        size_t start = 0;
        for (uint32_t i = 0; i < rec->ncols; i++) {
            if (i)
                rt_buf_append_char(out, ',');
            rt_buf_append(out, c->keys.data + start, c->key_end[i] - start);
            start = c->key_end[i];
            rt_value_format_json(&rec->values[i], out);
        }
        rt_buf_append(out, "}}\n", 3);
    }
    return 0;
}
