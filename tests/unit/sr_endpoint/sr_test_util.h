/* sr_test_util.h: helpers shared by the sr-endpoint unit tests: request headers as a flat list
 * and column definitions from a type name. Header-only (static inline): each test is one file. */
#ifndef SLUICE_TESTS_UNIT_SR_ENDPOINT_SR_TEST_UTIL_H
#define SLUICE_TESTS_UNIT_SR_ENDPOINT_SR_TEST_UTIL_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tests/harness/test.h"
#include "tests/sr_endpoint/sr_store.h"

/* Request headers: name, value, name, value, ..., NULL. */
typedef struct hdrs {
    const char *kv[32];
} hdrs;

/* An sr_http_header_fn over a hdrs (ctx): the value of name (any case), or NULL. */
static inline const char *get(void *ctx, const char *name)
{
    hdrs *h = ctx;
    for (int i = 0; h->kv[i]; i += 2)
        if (!strcasecmp(h->kv[i], name))
            return h->kv[i + 1];
    return NULL;
}

/* A column `name type [NULL] [DEFAULT def]`; a type that does not parse fails the test. Free with
 * sr_column_def_fini(), or with the table definition it is moved into. */
static inline sr_column_def col(const char *name, const char *type, bool nullable, const char *def)
{
    sr_column_def c = {0};
    c.name = strdup(name);
    rt_err err;
    if (sr_type_parse(type, &c.type, &err))
        test_fail(__FILE__, __LINE__, "type %s: %s", type, err.msg);
    c.nullable = nullable;
    c.default_text = def ? strdup(def) : NULL;
    return c;
}

#endif
