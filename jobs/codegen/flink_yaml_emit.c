/* flink_yaml_emit: writes one YAML document through libyaml's emitter, so that every string is
 * quoted exactly when YAML needs it, with 2-space indentation and no line folding. */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "jobs/codegen/flink_yaml_int.h"

struct gen_fy_emitter {
    yaml_emitter_t em;
    rt_buf out;
    bool failed; /* the emitter refused an event: a bug in the event order, or out of memory */
};

static int to_buf(void *data, unsigned char *buffer, size_t size)
{
    rt_buf_append(&((gen_fy_emitter *)data)->out, buffer, size);
    return 1;
}

static void emit(gen_fy_emitter *e, yaml_event_t *ev)
{
    if (!e->failed && !yaml_emitter_emit(&e->em, ev))
        e->failed = true;
}

gen_fy_emitter *gen_fy_emitter_new(void)
{
    gen_fy_emitter *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    if (!yaml_emitter_initialize(&e->em)) {
        free(e);
        return NULL;
    }
    rt_buf_init(&e->out);
    yaml_emitter_set_output(&e->em, to_buf, e);
    yaml_emitter_set_indent(&e->em, 2);
    yaml_emitter_set_width(&e->em, -1);
    yaml_emitter_set_unicode(&e->em, 1);
    yaml_event_t ev;
    yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
    emit(e, &ev);
    yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
    emit(e, &ev);
    return e;
}

void gen_fy_emitter_free(gen_fy_emitter *e)
{
    if (!e)
        return;
    yaml_emitter_delete(&e->em);
    rt_buf_fini(&e->out);
    free(e);
}

void gen_fy_emit_scalar(gen_fy_emitter *e, const char *s)
{
    /* libyaml writes "" and "null" plain, which a YAML reader takes for null: quote them. */
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    yaml_scalar_style_t style = YAML_ANY_SCALAR_STYLE;
    for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++) {
        if (strcmp(s, nulls[i]) == 0)
            style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    }
    yaml_event_t ev;
    if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1,
                                      style))
        e->failed = true;
    else
        emit(e, &ev);
}

void gen_fy_emit_kv(gen_fy_emitter *e, const char *key, const char *value)
{
    gen_fy_emit_scalar(e, key);
    gen_fy_emit_scalar(e, value);
}

void gen_fy_emit_map_start(gen_fy_emitter *e)
{
    yaml_event_t ev;
    yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
    emit(e, &ev);
}

void gen_fy_emit_map_end(gen_fy_emitter *e)
{
    yaml_event_t ev;
    yaml_mapping_end_event_initialize(&ev);
    emit(e, &ev);
}

void gen_fy_emit_seq_start(gen_fy_emitter *e)
{
    yaml_event_t ev;
    yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
    emit(e, &ev);
}

void gen_fy_emit_seq_end(gen_fy_emitter *e)
{
    yaml_event_t ev;
    yaml_sequence_end_event_initialize(&ev);
    emit(e, &ev);
}

int gen_fy_emitter_finish(gen_fy_emitter *e, char **yaml, rt_err *err)
{
    yaml_event_t ev;
    yaml_document_end_event_initialize(&ev, 1);
    emit(e, &ev);
    yaml_stream_end_event_initialize(&ev);
    emit(e, &ev);
    if (!e->failed && !yaml_emitter_flush(&e->em))
        e->failed = true;
    if (e->failed)
        return rt_err_set(err, RT_EINTERNAL, "YAML emitter: %s",
                          e->em.problem ? e->em.problem : "failed");
    if (!e->out.data)
        rt_buf_append_str(&e->out, "");
    *yaml = rt_buf_take(&e->out);
    return 0;
}

int gen_fy_emit_route(gen_fy_emitter *e, const char *pattern, const char *target, const char *db,
                      const char *vertex, rt_err *err)
{
    const char *dot = strchr(target, '.');
    if (dot &&
        (strncmp(target, db, (size_t)(dot - target)) != 0 || strlen(db) != (size_t)(dot - target)))
        return rt_err_set(err, RT_EUNSUPPORTED,
                          "vertex '%s': config.routes: target '%s' is not in the sink's database "
                          "'%s' (Sluice's starrocks sink writes one database)",
                          vertex, target, db);
    const char *tbl = dot ? dot + 1 : target;
    if (strstr(tbl, "{db}") || strstr(tbl, "<>"))
        return rt_err_set(err, RT_EUNSUPPORTED,
                          "vertex '%s': config.routes: target '%s': Flink CDC's replace-symbol "
                          "stands for the table name only ({db} has no equivalent; '<>' is the "
                          "symbol)",
                          vertex, target);
    rt_buf b;
    rt_buf_init(&b);
    rt_buf_appendf(&b, "%s.", db);
    bool sym = false;
    for (const char *s = tbl; *s;) {
        if (strncmp(s, "{table}", 7) == 0) {
            rt_buf_append_str(&b, "<>");
            s += 7;
            sym = true;
        } else {
            rt_buf_append_char(&b, *s++);
        }
    }
    gen_fy_emit_map_start(e);
    gen_fy_emit_kv(e, "source-table", pattern);
    gen_fy_emit_kv(e, "sink-table", b.data);
    if (sym)
        gen_fy_emit_kv(e, "replace-symbol", "<>");
    gen_fy_emit_map_end(e);
    rt_buf_fini(&b);
    return 0;
}
