/* Comparing a fixture's "expected" with the decoder's canonical output. The fixtures were
 * written by hand from several source test suites, so the same fact appears in a few forms; the
 * rules below accept exactly those forms and nothing looser:
 *  1. Annotation keys (prose that explains, never asserts) are ignored: see `annotations`.
 *  2. Objects: every other expected key must match. Objects keyed only by column indexes
 *     ("0", "18", ...) must have exactly the expected keys, so an extra column is a failure.
 *  3. Arrays: same length, element by element.
 *  4. Integers equal; reals equal exactly; an integer beyond 2^53 is a string on both sides.
 *  5. Strings equal, or the expected one is the actual one followed by " (" and a remark:
 *     "e0 (all three visible)" for a bitmap "e0".
 *  6. An expected "0x…" string against an actual integer: the hex number before any remark
 *     ("0x0001 STMT_END_F" for flags 1).
 *  7. An expected scalar or array against an actual object compares with the object's "value"
 *     (a column's metadata given as a plain number, a charset field given as its collation).
 *  8. An expected "(empty JSON…)" string: an actual JSON cell with 0 bytes (json_length_bytes).
 *  9. A JSON document (the value of a "json" key) must equal the expected one exactly. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/mysql/fixture_canon.h"

static const char *const annotations[] = {
    "how",
    "meaning",
    "note",
    "notes",
    "what_it_exercises",
    "label_in_test",
    "layout",
    "interval_convention",
    "format",
    NULL,
};

static bool is_annotation(const char *key)
{
    for (int i = 0; annotations[i]; i++) {
        if (strcmp(key, annotations[i]) == 0)
            return true;
    }
    return false;
}

static bool all_index_keys(const json_t *o)
{
    const char *k;
    json_t *v;
    if (json_object_size(o) == 0)
        return false;
    json_object_foreach((json_t *)o, k, v)
    {
        (void)v;
        for (const char *p = k; *p; p++) {
            if (!isdigit((unsigned char)*p))
                return false;
        }
    }
    return true;
}

static bool fail(char *why, size_t n, const char *path, const json_t *e, const json_t *a)
{
    char *es = json_dumps(e, JSON_ENCODE_ANY | JSON_COMPACT);
    char *as = a ? json_dumps(a, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    snprintf(why, n, "%s: expected %.300s, got %.300s", path[0] ? path : "$", es ? es : "?",
             as ? as : "(missing)");
    free(es);
    free(as);
    return false;
}

static bool match(const json_t *e, const json_t *a, const char *path, char *why, size_t n);

static bool match_object(const json_t *e, const json_t *a, const char *path, char *why, size_t n)
{
    const char *k;
    json_t *ev;
    char sub[512];
    json_object_foreach((json_t *)e, k, ev)
    {
        if (is_annotation(k))
            continue;
        snprintf(sub, sizeof sub, "%s.%s", path, k);
        if (strcmp(k, "json") == 0) {
            if (!json_equal(ev, json_object_get(a, k)))
                return fail(why, n, sub, ev, json_object_get(a, k));
            continue;
        }
        if (!match(ev, json_object_get(a, k), sub, why, n))
            return false;
    }
    if (all_index_keys(e) && json_object_size(a) != json_object_size(e))
        return fail(why, n, path, e, a);
    return true;
}

static bool hex_prefix_equals(const char *s, json_int_t v)
{
    if (strncmp(s, "0x", 2) != 0)
        return false;
    char *end;
    unsigned long long x = strtoull(s + 2, &end, 16);
    return end != s + 2 && (*end == '\0' || *end == ' ') && (json_int_t)x == v;
}

static bool match(const json_t *e, const json_t *a, const char *path, char *why, size_t n)
{
    if (!a)
        return fail(why, n, path, e, a);
    if (json_is_object(a) && !json_is_object(e)) {
        if (json_is_string(e) && strncmp(json_string_value(e), "(empty JSON", 11) == 0) {
            json_t *len = json_object_get(a, "json_length_bytes");
            return json_is_integer(len) && json_integer_value(len) == 0 ? true
                                                                        : fail(why, n, path, e, a);
        }
        json_t *v = json_object_get(a, "value");
        return v ? match(e, v, path, why, n) : fail(why, n, path, e, a);
    }
    switch (json_typeof(e)) {
    case JSON_OBJECT:
        return json_is_object(a) ? match_object(e, a, path, why, n) : fail(why, n, path, e, a);
    case JSON_ARRAY: {
        if (!json_is_array(a) || json_array_size(a) != json_array_size(e))
            return fail(why, n, path, e, a);
        char sub[512];
        for (size_t i = 0; i < json_array_size(e); i++) {
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            if (!match(json_array_get(e, i), json_array_get(a, i), sub, why, n))
                return false;
        }
        return true;
    }
    case JSON_STRING: {
        const char *es = json_string_value(e);
        if (json_is_integer(a))
            return hex_prefix_equals(es, json_integer_value(a)) ? true : fail(why, n, path, e, a);
        if (!json_is_string(a))
            return fail(why, n, path, e, a);
        const char *as = json_string_value(a);
        size_t al = json_string_length(a), el = json_string_length(e);
        if (el == al && memcmp(es, as, al) == 0)
            return true;
        if (el > al + 2 && memcmp(es, as, al) == 0 && es[al] == ' ' && es[al + 1] == '(')
            return true;
        return fail(why, n, path, e, a);
    }
    case JSON_INTEGER:
        if (json_is_integer(a) && json_integer_value(a) == json_integer_value(e))
            return true;
        if (json_is_real(a) && json_real_value(a) == (double)json_integer_value(e))
            return true;
        return fail(why, n, path, e, a);
    case JSON_REAL:
        if (json_is_number(a) && json_number_value(a) == json_real_value(e))
            return true;
        return fail(why, n, path, e, a);
    case JSON_TRUE:
    case JSON_FALSE:
        return json_is_boolean(a) && json_boolean_value(a) == json_boolean_value(e)
                   ? true
                   : fail(why, n, path, e, a);
    case JSON_NULL:
        return json_is_null(a) ? true : fail(why, n, path, e, a);
    }
    return fail(why, n, path, e, a);
}

bool canon_match(const json_t *expected, const json_t *actual, char *why, size_t why_size)
{
    return match(expected, actual, "", why, why_size);
}
