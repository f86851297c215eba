/* Tests of runtime/base/json_text: compact and indented JSON text, shortest round-trip reals and
 * the cut excerpt that messages quote. */
#include "runtime/base/json_text.h"

#include <math.h>
#include <stdlib.h>

#include "tests/harness/test.h"

/* Parses text (which must be JSON) and returns its JSON text at indent. Static; one at a time. */
static const char *text_of(const char *json, int indent)
{
    static char out[1024];
    json_t *v = json_loads(json, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    if (!v) {
        test_fail(__FILE__, __LINE__, "not JSON: %s", json);
        return "";
    }
    char *s = rt_json_text_format(v, indent);
    snprintf(out, sizeof out, "%s", s);
    free(s);
    json_decref(v);
    return out;
}

static const char *double_of(double d)
{
    static char out[64];
    rt_buf b;
    rt_buf_init(&b);
    rt_json_text_append_double(&b, d);
    snprintf(out, sizeof out, "%s", b.data);
    rt_buf_fini(&b);
    return out;
}

/* The excerpt of a JSON value, appended after existing text. Static; one at a time. */
static const char *excerpt_of(const json_t *v)
{
    static char out[256];
    rt_buf b;
    rt_buf_init(&b);
    rt_buf_append_str(&b, "got ");
    rt_json_text_append_excerpt(&b, v);
    snprintf(out, sizeof out, "%s", b.data);
    rt_buf_fini(&b);
    return out;
}

TEST(compact_keeps_document_order)
{
    CHECK_STR_EQ(text_of("{ \"b\" : 1, \"a\" : [true, false, null, \"x\\ny\"], \"c\": {}}", 0),
                 "{\"b\":1,\"a\":[true,false,null,\"x\\ny\"],\"c\":{}}");
    CHECK_STR_EQ(text_of("[]", 0), "[]");
    CHECK_STR_EQ(text_of("\"\\u0000\"", 0), "\"\\u0000\"");
    CHECK_STR_EQ(text_of("-9223372036854775808", 0), "-9223372036854775808");
}

TEST(indented_one_item_a_line)
{
    CHECK_STR_EQ(text_of("{\"a\": [1, {}], \"b\": {\"c\": []}}", 2),
                 "{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b\": {\n    \"c\": []\n  }\n}");
    CHECK_STR_EQ(text_of("{}", 4), "{}");
}

TEST(reals_are_shortest_and_stay_reals)
{
    CHECK_STR_EQ(text_of("[0.1, 3.0, 1e300, -2.5, 0.30000000000000004]", 0),
                 "[0.1,3.0,1e+300,-2.5,0.30000000000000004]");
    CHECK_STR_EQ(double_of(2.0), "2.0");
    CHECK_STR_EQ(double_of(1.0 / 3.0), "0.3333333333333333");
    CHECK_STR_EQ(double_of(INFINITY), "null");
    CHECK_STR_EQ(double_of(NAN), "null");
}

TEST(excerpt_short_value_whole)
{
    json_t *v = json_pack("{s:[i,f]}", "k", 1, 0.5);
    CHECK_STR_EQ(excerpt_of(v), "got {\"k\":[1,0.5]}");
    json_decref(v);
}

TEST(excerpt_cuts_on_a_character_boundary)
{
    /* '"' then 99 ASCII bytes puts byte 100 inside the 2-byte "é": the cut moves back to 100. */
    char s[128];
    memset(s, 'a', 99);
    snprintf(s + 99, sizeof s - 99, "ébc");
    json_t *v = json_string(s);
    const char *got = excerpt_of(v);
    char want[160];
    snprintf(want, sizeof want, "got \"%.99s…", s);
    CHECK_STR_EQ(got, want);
    json_decref(v);

    /* Exactly the limit is not cut. */
    memset(s, 'a', 98);
    s[98] = '\0';
    v = json_string(s);
    snprintf(want, sizeof want, "got \"%s\"", s);
    CHECK_STR_EQ(excerpt_of(v), want);
    json_decref(v);
}

TEST_MAIN()
