/* Job texts: splitting off the submit-only "savepoint" key and masking secrets, with jansson. */
#include "runtime/daemon/job_text.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int rt_job_text_split(const char *body, size_t len, char **graph_text, char **savepoint,
                      rt_err *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(body, len, 0, &jerr);
    if (!root)
        return rt_err_set(err, RT_EINVAL, "$: line %d column %d: %s", jerr.line, jerr.column,
                          jerr.text);
    if (!json_is_object(root)) {
        json_decref(root);
        return rt_err_set(err, RT_EINVAL, "$: a job is a JSON object");
    }
    char *sp = NULL;
    json_t *v = json_object_get(root, "savepoint");
    if (v) {
        if (!json_is_string(v) || json_string_length(v) == 0) {
            json_decref(root);
            return rt_err_set(err, RT_EINVAL,
                              "$.savepoint: expected the path of a savepoint directory");
        }
        sp = strdup(json_string_value(v));
        json_object_del(root, "savepoint");
    }
    /* Re-serialized only when the key was there: otherwise the codec sees the text as given, so
     * its line and column numbers point into what the user sent. */
    char *text = v ? json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER) : strndup(body, len);
    json_decref(root);
    if (!text || (v && !sp)) {
        free(text);
        free(sp);
        return rt_err_set(err, RT_ENOMEM, "job text: out of memory");
    }
    *graph_text = text;
    *savepoint = sp;
    return 0;
}

static bool ends_with_word(const char *key, size_t klen, const char *word)
{
    size_t wlen = strlen(word);
    if (klen == wlen)
        return strcasecmp(key, word) == 0;
    if (klen < wlen + 1)
        return false;
    char sep = key[klen - wlen - 1];
    return (sep == '_' || sep == '-') && strcasecmp(key + klen - wlen, word) == 0;
}

bool rt_job_text_is_secret_key(const char *key)
{
    size_t klen = strlen(key);
    return ends_with_word(key, klen, "password") || ends_with_word(key, klen, "token") ||
           ends_with_word(key, klen, "secret");
}

static void mask(json_t *v)
{
    if (json_is_object(v)) {
        const char *key;
        json_t *child;
        json_object_foreach(v, key, child)
        {
            if (rt_job_text_is_secret_key(key))
                json_object_set_new(v, key, json_string("***"));
            else
                mask(child);
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *child;
        json_array_foreach(v, i, child) mask(child);
    }
}

int rt_job_text_mask(const char *text, size_t len, char **out, rt_err *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(text, len, 0, &jerr);
    if (!root)
        return rt_err_set(err, RT_EINVAL, "$: line %d column %d: %s", jerr.line, jerr.column,
                          jerr.text);
    mask(root);
    char *s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!s)
        return rt_err_set(err, RT_ENOMEM, "job text: out of memory");
    *out = s;
    return 0;
}
