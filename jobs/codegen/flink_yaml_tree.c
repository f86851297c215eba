/* flink_yaml_tree: a pipeline YAML document -> a small tree of scalars, mappings and sequences that
 * remembers where each node starts, built on libyaml's event parser. The mapping code reads the
 * tree instead of events so that it can look keys up in any order and still name a line and
 * column in every error. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "jobs/codegen/flink_yaml_int.h"

/* Pipeline definitions are a few levels deep; the cap keeps a hostile file off the stack. */
#define MAX_DEPTH 64

typedef struct reader {
    yaml_parser_t parser;
    rt_err *err;
} reader;

void gen_fy_node_free(gen_fy_node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->count; i++) {
        if (n->keys)
            gen_fy_node_free(n->keys[i]);
        gen_fy_node_free(n->items[i]);
    }
    free(n->keys);
    free(n->items);
    free(n->text);
    free(n);
}

static gen_fy_node *node_new(gen_fy_kind kind, yaml_mark_t mark)
{
    gen_fy_node *n = calloc(1, sizeof *n);
    if (n) {
        n->kind = kind;
        n->line = (int)mark.line + 1;
        n->col = (int)mark.column + 1;
    }
    return n;
}

/* Appends (key, item) to a mapping or item to a sequence (key NULL). Takes ownership of both,
 * freeing them on failure. */
static int node_push(gen_fy_node *n, gen_fy_node *key, gen_fy_node *item, rt_err *err)
{
    if (n->count == n->cap) {
        size_t cap = n->cap ? n->cap * 2 : 8;
        gen_fy_node **items = realloc(n->items, cap * sizeof *items);
        if (items)
            n->items = items;
        gen_fy_node **keys =
            items && n->kind == GEN_FY_MAP ? realloc(n->keys, cap * sizeof *keys) : NULL;
        if (keys)
            n->keys = keys;
        if (!items || (n->kind == GEN_FY_MAP && !keys)) {
            gen_fy_node_free(key);
            gen_fy_node_free(item);
            return rt_err_set(err, RT_ENOMEM, "out of memory");
        }
        n->cap = cap;
    }
    if (n->kind == GEN_FY_MAP)
        n->keys[n->count] = key;
    n->items[n->count++] = item;
    return 0;
}

static int event_error(reader *r, const yaml_event_t *ev, const char *what)
{
    return rt_err_set(r->err, RT_EINVAL, "line %d column %d: %s", (int)ev->start_mark.line + 1,
                      (int)ev->start_mark.column + 1, what);
}

static int next_event(reader *r, yaml_event_t *ev)
{
    if (yaml_parser_parse(&r->parser, ev))
        return 0;
    const yaml_parser_t *p = &r->parser;
    /* libyaml reports the problem's own mark; the context mark is where the construct began. */
    return rt_err_set(r->err, RT_EINVAL, "line %d column %d: %s%s%s", (int)p->problem_mark.line + 1,
                      (int)p->problem_mark.column + 1, p->problem ? p->problem : "syntax error",
                      p->context ? " " : "", p->context ? p->context : "");
}

static int read_node(reader *r, yaml_event_t *ev, int depth, gen_fy_node **out);

/* Reads the children of a mapping or sequence whose start event was just consumed. */
static int read_children(reader *r, gen_fy_node *n, int depth)
{
    for (;;) {
        yaml_event_t ev;
        int rc = next_event(r, &ev);
        if (rc != 0)
            return rc;
        if (ev.type == YAML_MAPPING_END_EVENT || ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            return 0;
        }
        gen_fy_node *key = NULL;
        if (n->kind == GEN_FY_MAP) {
            if (ev.type != YAML_SCALAR_EVENT) {
                rc = event_error(r, &ev, "a mapping key must be a plain string");
                yaml_event_delete(&ev);
                return rc;
            }
            rc = read_node(r, &ev, depth + 1, &key);
            yaml_event_delete(&ev);
            if (rc != 0)
                return rc;
            if (gen_fy_map_get(n, key->text)) {
                rc = rt_err_set(r->err, RT_EINVAL, "line %d column %d: duplicate key '%s'",
                                key->line, key->col, key->text);
                gen_fy_node_free(key);
                return rc;
            }
            rc = next_event(r, &ev);
            if (rc != 0) {
                gen_fy_node_free(key);
                return rc;
            }
        }
        gen_fy_node *item = NULL;
        rc = read_node(r, &ev, depth + 1, &item);
        yaml_event_delete(&ev);
        if (rc != 0) {
            gen_fy_node_free(key);
            return rc;
        }
        rc = node_push(n, key, item, r->err);
        if (rc != 0)
            return rc;
    }
}

/* Builds the node that starts with ev (consumed by the caller). */
static int read_node(reader *r, yaml_event_t *ev, int depth, gen_fy_node **out)
{
    if (depth > MAX_DEPTH)
        return event_error(r, ev, "nested too deeply");
    gen_fy_node *n = NULL;
    switch (ev->type) {
    case YAML_ALIAS_EVENT:
        return event_error(r, ev,
                           "aliases (*name) are not supported: write the value out "
                           "(a leading '*' in a projection is written '\\*')");
    case YAML_SCALAR_EVENT:
        if (!(n = node_new(GEN_FY_SCALAR, ev->start_mark)) ||
            !(n->text = strndup((const char *)ev->data.scalar.value, ev->data.scalar.length))) {
            gen_fy_node_free(n);
            return rt_err_set(r->err, RT_ENOMEM, "out of memory");
        }
        if (strlen(n->text) != ev->data.scalar.length) {
            gen_fy_node_free(n);
            return event_error(r, ev, "NUL character in a string");
        }
        n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        *out = n;
        return 0;
    case YAML_MAPPING_START_EVENT:
    case YAML_SEQUENCE_START_EVENT: {
        bool map = ev->type == YAML_MAPPING_START_EVENT;
        if (!(n = node_new(map ? GEN_FY_MAP : GEN_FY_SEQ, ev->start_mark)))
            return rt_err_set(r->err, RT_ENOMEM, "out of memory");
        int rc = read_children(r, n, depth);
        if (rc != 0) {
            gen_fy_node_free(n);
            return rc;
        }
        *out = n;
        return 0;
    }
    default:
        return event_error(r, ev, "unexpected YAML event");
    }
}

/* Consumes events up to and including one of type `want`. */
static int expect(reader *r, yaml_event_type_t want, const char *what)
{
    yaml_event_t ev;
    int rc = next_event(r, &ev);
    if (rc != 0)
        return rc;
    if (ev.type != want)
        rc = event_error(r, &ev, what);
    yaml_event_delete(&ev);
    return rc;
}

int gen_fy_tree_parse(const char *yaml, size_t len, gen_fy_node **root, rt_err *err)
{
    reader r = {.err = err};
    if (!yaml_parser_initialize(&r.parser))
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    yaml_parser_set_input_string(&r.parser, (const unsigned char *)yaml, len);
    gen_fy_node *n = NULL;
    yaml_event_t ev;
    int rc = expect(&r, YAML_STREAM_START_EVENT, "expected a YAML stream");
    if (rc == 0)
        rc = next_event(&r, &ev);
    if (rc == 0) {
        if (ev.type == YAML_STREAM_END_EVENT)
            rc = event_error(&r, &ev, "empty document: expected source, sink and pipeline");
        else if (ev.type != YAML_DOCUMENT_START_EVENT)
            rc = event_error(&r, &ev, "expected a YAML document");
        yaml_event_delete(&ev);
    }
    if (rc == 0)
        rc = next_event(&r, &ev);
    if (rc == 0) {
        rc = read_node(&r, &ev, 0, &n);
        yaml_event_delete(&ev);
    }
    if (rc == 0)
        rc = expect(&r, YAML_DOCUMENT_END_EVENT, "expected the end of the document");
    if (rc == 0)
        rc = expect(&r, YAML_STREAM_END_EVENT, "only one YAML document is allowed");
    yaml_parser_delete(&r.parser);
    if (rc != 0) {
        gen_fy_node_free(n);
        return rc;
    }
    *root = n;
    return 0;
}

const gen_fy_node *gen_fy_map_get(const gen_fy_node *map, const char *key)
{
    for (size_t i = 0; i < map->count; i++) {
        if (strcmp(map->keys[i]->text, key) == 0)
            return map->items[i];
    }
    return NULL;
}

bool gen_fy_is_null(const gen_fy_node *n)
{
    if (n->kind != GEN_FY_SCALAR || !n->plain)
        return false;
    const char *t = n->text;
    return !*t || strcmp(t, "~") == 0 || strcmp(t, "null") == 0 || strcmp(t, "Null") == 0 ||
           strcmp(t, "NULL") == 0;
}

/* RT code with "line L column C: " + message. */
__attribute__((format(printf, 4, 5))) int gen_fy_at(rt_err *err, int code, const gen_fy_node *n,
                                                    const char *fmt, ...)
{
    char msg[RT_ERR_MSG_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return rt_err_set(err, code, "line %d column %d: %s", n->line, n->col, msg);
}

/* Puts the node's position in front of a message a helper already set. */
int gen_fy_at_prefix(rt_err *err, int rc, const gen_fy_node *n, const char *what)
{
    return rt_err_prefix(err, rc, "line %d column %d: %s", n->line, n->col, what);
}

int gen_fy_scalar(const gen_fy_node *n, const char *what, const char **out, rt_err *err)
{
    if (n->kind != GEN_FY_SCALAR || gen_fy_is_null(n))
        return gen_fy_at(err, RT_EINVAL, n, "%s: expected a value", what);
    *out = n->text;
    return 0;
}

int gen_fy_integer(const gen_fy_node *n, const char *what, long long lo, long long hi,
                   long long *out, rt_err *err)
{
    const char *s = NULL;
    int rc = gen_fy_scalar(n, what, &s, err);
    if (rc != 0)
        return rc;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v < lo || v > hi)
        return gen_fy_at(err, RT_EINVAL, n, "%s: expected an integer %lld..%lld, got '%s'", what,
                         lo, hi, s);
    *out = v;
    return 0;
}
