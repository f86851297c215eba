/* JSON values as text: one writer for config tables and the job file codec, so that a value
 * reads the same in a config field, a canonical job file and an error message. */
#include "runtime/base/json_text.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rt_json_text_append_double(rt_buf *b, double v)
{
    if (!isfinite(v)) {
        rt_buf_append_str(b, "null");
        return;
    }
    /* 15 digits print 0.1 as 0.1; 17 always read back exactly, so the loop ends by then. */
    char tmp[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    rt_buf_append_str(b, tmp);
    if (!strpbrk(tmp, ".eE")) /* keep it a real, so that it parses back as one */
        rt_buf_append_str(b, ".0");
}

static void append_value(rt_buf *b, const json_t *v, int indent, int depth)
{
    const char *sep = indent ? ": " : ":";
    switch (json_typeof(v)) {
    case JSON_OBJECT:
    case JSON_ARRAY: {
        bool is_obj = json_is_object(v);
        size_t n = is_obj ? json_object_size(v) : json_array_size(v);
        rt_buf_append_char(b, is_obj ? '{' : '[');
        void *it = is_obj ? json_object_iter((json_t *)v) : NULL;
        for (size_t i = 0; i < n; i++) {
            if (i > 0)
                rt_buf_append_char(b, ',');
            if (indent)
                rt_buf_appendf(b, "\n%*s", indent * (depth + 1), "");
            const json_t *item;
            if (is_obj) {
                const char *key = json_object_iter_key(it);
                item = json_object_iter_value(it);
                it = json_object_iter_next((json_t *)v, it);
                rt_buf_append_json_str(b, key, strlen(key));
                rt_buf_append_str(b, sep);
            } else {
                item = json_array_get(v, i);
            }
            append_value(b, item, indent, depth + 1);
        }
        if (indent && n > 0)
            rt_buf_appendf(b, "\n%*s", indent * depth, "");
        rt_buf_append_char(b, is_obj ? '}' : ']');
        break;
    }
    case JSON_STRING:
        rt_buf_append_json_str(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        rt_buf_append_i64(b, (int64_t)json_integer_value(v));
        break;
    case JSON_REAL:
        rt_json_text_append_double(b, json_real_value(v));
        break;
    case JSON_TRUE:
        rt_buf_append_str(b, "true");
        break;
    case JSON_FALSE:
        rt_buf_append_str(b, "false");
        break;
    case JSON_NULL:
        rt_buf_append_str(b, "null");
        break;
    }
}

void rt_json_text_append(rt_buf *b, const json_t *v, int indent)
{
    append_value(b, v, indent, 0);
}

char *rt_json_text_format(const json_t *v, int indent)
{
    rt_buf b;
    rt_buf_init(&b);
    append_value(&b, v, indent, 0);
    return rt_buf_take(&b);
}

void rt_json_text_append_excerpt(rt_buf *b, const json_t *v)
{
    rt_buf tmp;
    rt_buf_init(&tmp);
    append_value(&tmp, v, 0, 0);
    if (tmp.len > RT_JSON_TEXT_EXCERPT_MAX) {
        size_t cut = RT_JSON_TEXT_EXCERPT_MAX;
        while (cut > 0 && ((unsigned char)tmp.data[cut] & 0xC0) == 0x80)
            cut--;
        rt_buf_append(b, tmp.data, cut);
        rt_buf_append_str(b, "…");
    } else {
        rt_buf_append(b, tmp.data, tmp.len);
    }
    rt_buf_fini(&tmp);
}
