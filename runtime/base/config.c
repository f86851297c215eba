/* Config tables: converts a JSON object (parsed with jansson, which stays inside this file and
 * json_text.c) into the fields of a C struct, and formats it back. */
#include "runtime/base/config.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/base/buf.h"
#include "runtime/base/json_text.h"

#define DURATION_EXAMPLES "a duration such as \"5s\", \"250ms\" or \"1m30s\""
#define SIZE_EXAMPLES "a size such as \"64MiB\", \"512KB\" or \"1GiB\""

/* ---- messages ----------------------------------------------------------------------------- */

static const char *json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "a value";
}

/* The "got ..." part of a message: the value's excerpt; a secret's value is never echoed, only its
 * kind. */
static void append_got(rt_buf *b, const json_t *v, bool secret)
{
    if (secret)
        rt_buf_append_str(b, json_kind(v));
    else
        rt_json_text_append_excerpt(b, v);
}

/* ---- conversion of one field -------------------------------------------------------------- */

typedef union cfg_value {
    bool b;
    int64_t i;
    double d;
    int e;
    uint64_t u;
    char *s;
    rt_strlist l;
} cfg_value;

/* " ≥ min and ≤ max" for a RANGE field, leaving out a bound that is the type's own limit. */
static void append_range(rt_buf *b, const rt_config_field *f)
{
    if (!(f->flags & RT_CFG_RANGE))
        return;
    char lo[32], hi[32];
    bool has_lo, has_hi;
    if (f->type == RT_CFG_SIZE) {
        has_lo = f->min != 0;
        has_hi = f->max != INT64_MAX && (uint64_t)f->max != UINT64_MAX;
        rt_size_format((uint64_t)f->min, lo, sizeof lo);
        rt_size_format((uint64_t)f->max, hi, sizeof hi);
    } else if (f->type == RT_CFG_DURATION) {
        has_lo = f->min > 0;
        has_hi = f->max != INT64_MAX;
        rt_duration_format(f->min, lo, sizeof lo);
        rt_duration_format(f->max, hi, sizeof hi);
    } else {
        has_lo = f->min != INT64_MIN;
        has_hi = f->max != INT64_MAX;
        snprintf(lo, sizeof lo, "%" PRId64, f->min);
        snprintf(hi, sizeof hi, "%" PRId64, f->max);
    }
    if (has_lo)
        rt_buf_appendf(b, " ≥ %s", lo);
    if (has_hi)
        rt_buf_appendf(b, "%s ≤ %s", has_lo ? " and" : "", hi);
}

static bool in_range(const rt_config_field *f, int64_t v)
{
    return !(f->flags & RT_CFG_RANGE) || (v >= f->min && v <= f->max);
}

static bool in_range_u64(const rt_config_field *f, uint64_t v)
{
    return !(f->flags & RT_CFG_RANGE) || (v >= (uint64_t)f->min && v <= (uint64_t)f->max);
}

/* Sets err to "<path>: expected <what>, got <value>". `what` is built by the caller in b. */
static int mismatch(rt_err *err, const char *path, rt_buf *what, const rt_config_field *f,
                    const json_t *v)
{
    rt_buf msg;
    rt_buf_init(&msg);
    rt_buf_appendf(&msg, "%s: expected %s, got ", path, what->data ? what->data : "?");
    append_got(&msg, v, f->flags & RT_CFG_SECRET);
    rt_err_set(err, RT_EINVAL, "%s", msg.data);
    rt_buf_fini(&msg);
    rt_buf_fini(what);
    return RT_EINVAL;
}

static char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p)
        RT_BUG("config: out of memory");
    return p;
}

/* A JSON string that C can hold: no NUL inside. */
static bool is_c_string(const json_t *v)
{
    return json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v);
}

static void strlist_free(rt_strlist *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

static int convert_strlist(const rt_config_field *f, const json_t *v, const char *path,
                           cfg_value *out, rt_err *err)
{
    rt_buf what;
    rt_buf_init(&what);
    if (is_c_string(v)) {
        out->l.items = malloc(sizeof(char *));
        if (!out->l.items)
            RT_BUG("config: out of memory");
        out->l.items[0] = xstrdup(json_string_value(v));
        out->l.count = 1;
        return 0;
    }
    if (!json_is_array(v)) {
        rt_buf_append_str(&what, "a string or an array of strings");
        return mismatch(err, path, &what, f, v);
    }
    size_t n = json_array_size(v);
    rt_strlist l = {.items = calloc(n ? n : 1, sizeof(char *)), .count = 0};
    if (!l.items)
        RT_BUG("config: out of memory");
    for (size_t i = 0; i < n; i++) {
        const json_t *item = json_array_get(v, i);
        if (!is_c_string(item)) {
            strlist_free(&l);
            rt_buf item_path;
            rt_buf_init(&item_path);
            rt_buf_appendf(&item_path, "%s[%zu]", path, i);
            rt_buf_append_str(&what, "a string");
            mismatch(err, item_path.data, &what, f, item);
            rt_buf_fini(&item_path);
            return RT_EINVAL;
        }
        l.items[l.count++] = xstrdup(json_string_value(item));
    }
    out->l = l;
    return 0;
}

/* Converts v to the field's C value in *out (owned memory included); writes nothing on error. */
static int convert(const rt_config_field *f, const json_t *v, const char *path, cfg_value *out,
                   rt_err *err)
{
    rt_buf what;
    rt_buf_init(&what);
    switch (f->type) {
    case RT_CFG_BOOL:
        if (!json_is_boolean(v)) {
            rt_buf_append_str(&what, "true or false");
            return mismatch(err, path, &what, f, v);
        }
        out->b = json_is_true(v);
        return 0;
    case RT_CFG_INT:
        /* 3.0 is refused: a count written as a real is more likely a mistake than a count. */
        if (!json_is_integer(v) || !in_range(f, (int64_t)json_integer_value(v))) {
            rt_buf_append_str(&what, "an integer");
            append_range(&what, f);
            return mismatch(err, path, &what, f, v);
        }
        out->i = (int64_t)json_integer_value(v);
        return 0;
    case RT_CFG_DOUBLE:
        if (!json_is_number(v)) {
            rt_buf_append_str(&what, "a number");
            return mismatch(err, path, &what, f, v);
        }
        out->d = json_number_value(v);
        return 0;
    case RT_CFG_STRING:
        if (!is_c_string(v)) {
            rt_buf_append_str(&what, "a string");
            return mismatch(err, path, &what, f, v);
        }
        out->s = xstrdup(json_string_value(v));
        return 0;
    case RT_CFG_ENUM:
        if (!f->choices)
            RT_BUG("config key %s: ENUM without choices", f->key);
        for (int i = 0; is_c_string(v) && f->choices[i]; i++) {
            if (strcmp(json_string_value(v), f->choices[i]) == 0) {
                out->e = i;
                return 0;
            }
        }
        rt_buf_append_str(&what, "one of ");
        for (int i = 0; f->choices[i]; i++) {
            if (i)
                rt_buf_append_str(&what, ", ");
            rt_buf_append_json_str(&what, f->choices[i], strlen(f->choices[i]));
        }
        return mismatch(err, path, &what, f, v);
    case RT_CFG_DURATION: {
        int64_t ms = -1;
        if (json_is_integer(v))
            ms = (int64_t)json_integer_value(v);
        else if (is_c_string(v) && rt_duration_parse(json_string_value(v), &ms, NULL) != 0)
            ms = -1;
        if (ms < 0) {
            rt_buf_append_str(&what, DURATION_EXAMPLES);
            return mismatch(err, path, &what, f, v);
        }
        if (!in_range(f, ms)) {
            rt_buf_append_str(&what, "a duration");
            append_range(&what, f);
            return mismatch(err, path, &what, f, v);
        }
        out->i = ms;
        return 0;
    }
    case RT_CFG_SIZE: {
        uint64_t bytes = 0;
        bool ok = false;
        if (json_is_integer(v) && json_integer_value(v) >= 0) {
            bytes = (uint64_t)json_integer_value(v);
            ok = true;
        } else if (is_c_string(v)) {
            ok = rt_size_parse(json_string_value(v), &bytes, NULL) == 0;
        }
        if (!ok) {
            rt_buf_append_str(&what, SIZE_EXAMPLES);
            return mismatch(err, path, &what, f, v);
        }
        if (!in_range_u64(f, bytes)) {
            rt_buf_append_str(&what, "a size");
            append_range(&what, f);
            return mismatch(err, path, &what, f, v);
        }
        out->u = bytes;
        return 0;
    }
    case RT_CFG_JSON:
        out->s = rt_json_text_format(v, 0);
        return 0;
    case RT_CFG_STRLIST:
        return convert_strlist(f, v, path, out, err);
    }
    RT_BUG("config key %s: unknown type %d", f->key, (int)f->type);
}

/* Bytes the field's C type occupies at its offset. */
static size_t field_size(const rt_config_field *f)
{
    switch (f->type) {
    case RT_CFG_BOOL:
        return sizeof(bool);
    case RT_CFG_INT:
    case RT_CFG_DURATION:
        return sizeof(int64_t);
    case RT_CFG_DOUBLE:
        return sizeof(double);
    case RT_CFG_ENUM:
        return sizeof(int);
    case RT_CFG_SIZE:
        return sizeof(uint64_t);
    case RT_CFG_STRING:
    case RT_CFG_JSON:
        return sizeof(char *);
    case RT_CFG_STRLIST:
        return sizeof(rt_strlist);
    }
    RT_BUG("config key %s: unknown type %d", f->key, (int)f->type);
}

/* Frees what the field owns in obj and zeroes it. */
static void field_clear(const rt_config_field *f, void *obj)
{
    char *p = (char *)obj + f->offset;
    if (f->type == RT_CFG_STRING || f->type == RT_CFG_JSON)
        free(*(char **)p);
    else if (f->type == RT_CFG_STRLIST)
        strlist_free((rt_strlist *)p);
    memset(p, 0, field_size(f));
}

/* Moves v into the field, freeing what it held (apply may run more than once on one obj).
 * Every member of the union starts at its first byte, so the field's bytes are copied as is. */
static void field_store(const rt_config_field *f, void *obj, const cfg_value *v)
{
    field_clear(f, obj);
    memcpy((char *)obj + f->offset, v, field_size(f));
}

/* A default is part of the program, not of the input: one that does not convert is a bug. */
static void apply_default(const rt_config_field *f, void *obj, const char *path)
{
    if (!f->def) {
        field_clear(f, obj);
        return;
    }
    json_error_t je;
    json_t *v = json_loads(f->def, JSON_DECODE_ANY, &je);
    if (!v)
        RT_BUG("config key %s: default %s is not JSON: %s", f->key, f->def, je.text);
    cfg_value cv;
    rt_err err;
    rt_err_clear(&err);
    if (convert(f, v, path, &cv, &err) != 0)
        RT_BUG("config key %s: bad default %s: %s", f->key, f->def, err.msg);
    json_decref(v);
    field_store(f, obj, &cv);
}

static int check_unknown_keys(const rt_config_field *table, json_t *root, const char *path,
                              rt_err *err)
{
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        if (rt_config_find(table, key))
            continue;
        rt_buf msg;
        rt_buf_init(&msg);
        rt_buf_appendf(&msg, "%s: unknown key ", path);
        rt_buf_append_json_str(&msg, key, strlen(key));
        rt_buf_append_str(&msg, " (known:");
        for (const rt_config_field *f = table; f->key; f++)
            rt_buf_appendf(&msg, "%s %s", f == table ? "" : ",", f->key);
        rt_buf_append_str(&msg, table->key ? ")" : " none)");
        rt_err_set(err, RT_EINVAL, "%s", msg.data);
        rt_buf_fini(&msg);
        return RT_EINVAL;
    }
    return 0;
}

int rt_config_apply(const rt_config_field *table, void *obj, const char *json_text,
                    const char *path, rt_err *err)
{
    if (!path)
        path = "$";
    json_t *root;
    if (json_text && *json_text) {
        json_error_t je;
        /* DECODE_ANY so that `[1]` gets "expected an object" rather than a parse error;
         * duplicate keys are refused because one of the two values would be ignored silently;
         * ALLOW_NUL so that "a\u0000b" is reported against its key (and kept by RT_CFG_JSON). */
        root =
            json_loads(json_text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
        if (!root)
            return rt_err_set(err, RT_EINVAL, "%s: invalid JSON at line %d column %d: %s", path,
                              je.line, je.column, je.text);
    } else {
        root = json_object();
        if (!root)
            RT_BUG("config: out of memory");
    }

    int rc = 0;
    rt_buf fpath;
    rt_buf_init(&fpath);
    if (!json_is_object(root)) {
        rt_buf what;
        rt_buf_init(&what);
        rt_buf_append_str(&what, "an object");
        static const rt_config_field whole = {.key = "", .type = RT_CFG_JSON};
        rc = mismatch(err, path, &what, &whole, root);
        goto out;
    }
    rc = check_unknown_keys(table, root, path, err);
    if (rc != 0)
        goto out;
    for (const rt_config_field *f = table; f->key; f++) {
        rt_buf_reset(&fpath);
        rt_buf_appendf(&fpath, "%s.%s", path, f->key);
        json_t *v = json_object_get(root, f->key);
        /* An explicit null on an optional key means "not set", as rt_config_format writes an
         * absent STRING or JSON value: its output applies back to the same config. */
        if (v && json_is_null(v) && !(f->flags & RT_CFG_REQUIRED))
            v = NULL;
        if (!v) {
            if (f->flags & RT_CFG_REQUIRED) {
                rc = rt_err_set(err, RT_EINVAL, "%s: required key is missing", fpath.data);
                goto out;
            }
            apply_default(f, obj, fpath.data);
            continue;
        }
        cfg_value cv;
        rc = convert(f, v, fpath.data, &cv, err);
        if (rc != 0)
            goto out;
        field_store(f, obj, &cv);
    }
out:
    rt_buf_fini(&fpath);
    json_decref(root);
    return rc;
}

void rt_config_free(const rt_config_field *table, void *obj)
{
    for (const rt_config_field *f = table; f->key; f++)
        if (f->type == RT_CFG_STRING || f->type == RT_CFG_JSON || f->type == RT_CFG_STRLIST)
            field_clear(f, obj);
}

static void append_value(rt_buf *b, const rt_config_field *f, const void *obj)
{
    const char *p = (const char *)obj + f->offset;
    char text[64];
    switch (f->type) {
    case RT_CFG_BOOL:
        rt_buf_append_str(b, *(const bool *)p ? "true" : "false");
        break;
    case RT_CFG_INT:
        rt_buf_append_i64(b, *(const int64_t *)p);
        break;
    case RT_CFG_DOUBLE:
        rt_json_text_append_double(b, *(const double *)p);
        break;
    case RT_CFG_ENUM: {
        int e = *(const int *)p;
        int n = 0;
        while (f->choices && f->choices[n])
            n++;
        if (e >= 0 && e < n)
            rt_buf_append_json_str(b, f->choices[e], strlen(f->choices[e]));
        else
            rt_buf_append_str(b, "null");
        break;
    }
    case RT_CFG_DURATION:
        rt_duration_format(*(const int64_t *)p, text, sizeof text);
        rt_buf_append_json_str(b, text, strlen(text));
        break;
    case RT_CFG_SIZE:
        rt_size_format(*(const uint64_t *)p, text, sizeof text);
        rt_buf_append_json_str(b, text, strlen(text));
        break;
    case RT_CFG_STRING: {
        const char *s = *(char *const *)p;
        if (s)
            rt_buf_append_json_str(b, s, strlen(s));
        else
            rt_buf_append_str(b, "null");
        break;
    }
    case RT_CFG_JSON: {
        const char *s = *(char *const *)p;
        rt_buf_append_str(b, s ? s : "null");
        break;
    }
    case RT_CFG_STRLIST: {
        const rt_strlist *l = (const rt_strlist *)p;
        rt_buf_append_char(b, '[');
        for (size_t i = 0; i < l->count; i++) {
            if (i)
                rt_buf_append_char(b, ',');
            rt_buf_append_json_str(b, l->items[i], strlen(l->items[i]));
        }
        rt_buf_append_char(b, ']');
        break;
    }
    }
}

static bool is_absent(const rt_config_field *f, const void *obj)
{
    const char *p = (const char *)obj + f->offset;
    return (f->type == RT_CFG_STRING || f->type == RT_CFG_JSON) && !*(char *const *)p;
}

char *rt_config_format(const rt_config_field *table, const void *obj)
{
    rt_buf b;
    rt_buf_init(&b);
    rt_buf_append_char(&b, '{');
    for (const rt_config_field *f = table; f->key; f++) {
        if (f != table)
            rt_buf_append_char(&b, ',');
        rt_buf_append_json_str(&b, f->key, strlen(f->key));
        rt_buf_append_char(&b, ':');
        /* An unset secret prints as null: that it is missing is not itself a secret. */
        if ((f->flags & RT_CFG_SECRET) && !is_absent(f, obj))
            rt_buf_append_str(&b, "\"***\"");
        else
            append_value(&b, f, obj);
    }
    rt_buf_append_char(&b, '}');
    return rt_buf_take(&b);
}

const rt_config_field *rt_config_find(const rt_config_field *table, const char *key)
{
    for (const rt_config_field *f = table; f->key; f++)
        if (strcmp(f->key, key) == 0)
            return f;
    return NULL;
}
