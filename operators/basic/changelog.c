/* The changelog JSON-line formatter (changelog.h). */
#include "operators/basic/changelog.h"

#include <stdlib.h>
#include <string.h>

#include "runtime/schema_diff.h"

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

static void append_type(rt_buf *out, const rt_column *c)
{
    const char *type = c->sql_type ? c->sql_type : rt_type_name(c->type);
    rt_buf_append_str(out, ",\"sql_type\":");
    rt_buf_append_json_str(out, type, strlen(type));
}

/* ,"default":"<text>" (schema_diff.h / table.h's canonical text) when the column has one. */
static void append_default(rt_buf *out, const rt_column *c)
{
    if (!c->default_value)
        return;
    rt_buf_append_str(out, ",\"default\":");
    rt_buf_append_json_str(out, c->default_value, strlen(c->default_value));
}

static void format_change(const rt_record *rec, const rt_column_change *ch, rt_buf *out)
{
    rt_buf_append_str(out, "{\"type\":\"");
    rt_buf_append_str(out, rt_column_change_kind_name(ch->kind));
    rt_buf_append_str(out, "\",\"column\":");
    rt_buf_append_json_str(out, ch->name, strlen(ch->name));
    const rt_column *c =
        ch->after_index >= 0 ? rt_table_column(rec->table, (size_t)ch->after_index) : NULL;
    switch (ch->kind) {
    case RT_COLUMN_ADD:
        append_type(out, c);
        rt_buf_append_str(out, c->nullable ? ",\"nullable\":true" : ",\"nullable\":false");
        append_default(out, c);
        if (ch->after_column) {
            rt_buf_append_str(out, ",\"after\":");
            rt_buf_append_json_str(out, ch->after_column, strlen(ch->after_column));
        } else {
            rt_buf_append_str(out, ",\"first\":true");
        }
        break;
    case RT_COLUMN_DROP:
        break;
    case RT_COLUMN_RENAME:
        rt_buf_append_str(out, ",\"new_name\":");
        rt_buf_append_json_str(out, ch->new_name, strlen(ch->new_name));
        if (ch->type_changed)
            append_type(out, c);
        if (ch->nullability_changed)
            rt_buf_append_str(out, c->nullable ? ",\"nullable\":true" : ",\"nullable\":false");
        if (ch->default_changed && !c->default_value)
            rt_buf_append_str(out, ",\"default\":null");
        else if (ch->default_changed)
            append_default(out, c);
        break;
    case RT_COLUMN_MODIFY:
        /* The whole definition, as MODIFY states it: no "default" is no default. */
        append_type(out, c);
        rt_buf_append_str(out, c->nullable ? ",\"nullable\":true" : ",\"nullable\":false");
        append_default(out, c);
        break;
    }
    rt_buf_append_char(out, '}');
}

/* ,"changes":[...] and ,"key_changed":true of an ALTER with a known before, or of a rename
 * with an origin map (ALTER TABLE ... RENAME TO, which may change columns too). The list lives
 * on the stack for the usual few changes and is asked again with a bigger array otherwise. */
static int format_changes(const rt_record *rec, rt_buf *out, rt_err *err)
{
    const rt_schema_change *sc = rec->change;
    bool alter = sc->kind == RT_SCHEMA_ALTER_TABLE && sc->before;
    bool rename = sc->kind == RT_SCHEMA_RENAME_TABLE && sc->before && sc->origin;
    if (!alter && !rename)
        return 0;
    rt_column_change small[16], *ch = small;
    size_t count = 0;
    bool key_changed = false;
    int rc = rt_schema_diff(sc->before, rec->table, sc->origin, ch, 16, &count, &key_changed, err);
    if (rc == 0 && count > 16) {
        ch = malloc(count * sizeof *ch);
        rc = ch ? rt_schema_diff(sc->before, rec->table, sc->origin, ch, count, &count,
                                 &key_changed, err)
                : rt_err_set(err, RT_ENOMEM, "changelog: out of memory");
    }
    if (rc == 0) {
        rt_buf_append_str(out, ",\"changes\":[");
        for (size_t i = 0; i < count; i++) {
            if (i)
                rt_buf_append_char(out, ',');
            format_change(rec, &ch[i], out);
        }
        rt_buf_append_char(out, ']');
        if (key_changed)
            rt_buf_append_str(out, ",\"key_changed\":true");
    }
    if (ch != small)
        free(ch);
    return rc;
}

/* {"op":"SC","table":"db.t","change":"alter_table","before":"db.old","ddl":"...",
 *  "columns":[{"name":"id","type":"bigint","nullable":false,"key":true},...],
 *  "changes":[{"type":"add_column","column":"c",...},...],"key_changed":true} */
static int format_schema_change(const rt_record *rec, rt_buf *out, rt_err *err)
{
    const rt_schema_change *sc = rec->change;
    size_t line = out->len;
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
    rt_buf_append_char(out, ']');
    int rc = format_changes(rec, out, err);
    if (rc != 0) {
        out->len = line;
        return rc;
    }
    rt_buf_append_str(out, "}\n");
    return 0;
}

int op_changelog_format(op_changelog *c, const rt_batch *batch, rt_buf *out, rt_err *err)
{
    size_t count = rt_batch_count(batch);
    for (size_t r = 0; r < count; r++) {
        const rt_record *rec = rt_batch_at_const(batch, r);
        if (rec->change) {
            int rc = format_schema_change(rec, out, err);
            if (rc != 0)
                return rt_err_prefix(err, rc, "changelog: schema change of %s",
                                     rt_table_qualified(rec->table));
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
