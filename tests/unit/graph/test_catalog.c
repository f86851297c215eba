/* The graph tests' fake operator catalog and parse helpers. */
#include "tests/unit/graph/test_catalog.h"

#include <stdlib.h>
#include <string.h>

#include "tests/harness/test.h"

typedef struct datagen_cfg {
    int64_t rows;
    int64_t rate;
    char *table;
} datagen_cfg;

static const rt_config_field datagen_fields[] = {
    {.key = "rows",
     .type = RT_CFG_INT,
     .def = "0",
     .offset = offsetof(datagen_cfg, rows),
     .flags = RT_CFG_RANGE,
     .min = 0,
     .max = INT64_MAX},
    {.key = "rate",
     .type = RT_CFG_INT,
     .def = "0",
     .offset = offsetof(datagen_cfg, rate),
     .flags = RT_CFG_RANGE,
     .min = 0,
     .max = INT64_MAX},
    {.key = "table",
     .type = RT_CFG_STRING,
     .def = "\"gen.rows\"",
     .offset = offsetof(datagen_cfg, table)},
    {.key = NULL},
};

static const rt_config_field map_fields[] = {{.key = NULL}};

typedef struct print_cfg {
    char *path;
} print_cfg;

static const rt_config_field print_fields[] = {
    {.key = "path", .type = RT_CFG_STRING, .offset = offsetof(print_cfg, path)},
    {.key = NULL},
};

typedef struct route_cfg {
    char *rules;
    double ratio;
} route_cfg;

/* Free-form JSON and a double: what the codec keeps as config_json text must survive both. */
static const rt_config_field route_fields[] = {
    {.key = "rules", .type = RT_CFG_JSON, .offset = offsetof(route_cfg, rules)},
    {.key = "ratio", .type = RT_CFG_DOUBLE, .def = "1.0", .offset = offsetof(route_cfg, ratio)},
    {.key = NULL},
};

/* Exercises the validate hook: a rule the table cannot express. */
static int print_validate(const void *config, const char *path, rt_err *err)
{
    const print_cfg *c = config;
    if (c->path && !c->path[0])
        return rt_err_set(err, RT_EINVAL, "%s.path: must not be empty", path);
    return 0;
}

static const graph_type_info types[] = {
    {.name = "datagen",
     .kind = GRAPH_KIND_SOURCE,
     .config = datagen_fields,
     .config_size = sizeof(datagen_cfg)},
    {.name = "map", .kind = GRAPH_KIND_TRANSFORM, .config = map_fields, .config_size = 0},
    {.name = "route",
     .kind = GRAPH_KIND_TRANSFORM,
     .config = route_fields,
     .config_size = sizeof(route_cfg)},
    {.name = "print",
     .kind = GRAPH_KIND_SINK,
     .config = print_fields,
     .config_size = sizeof(print_cfg),
     .validate = print_validate},
};
#define TYPE_COUNT (sizeof types / sizeof types[0])

static const graph_type_info *find(void *ctx, const char *type)
{
    for (size_t i = 0; i < TYPE_COUNT; i++) {
        if (strcmp(types[i].name, type) == 0)
            return &types[i];
    }
    return NULL;
}

static void list(void *ctx, char *buf, size_t size)
{
    snprintf(buf, size, "datagen, map, route, print");
}

const graph_catalog *test_catalog(void)
{
    static const graph_catalog catalog = {.find = find, .ctx = NULL, .list = list};
    return &catalog;
}

char *test_json(const char *s)
{
    char *out = strdup(s);
    for (char *p = out; *p; p++) {
        if (*p == '\'')
            *p = '"';
    }
    return out;
}

graph_job *test_parse(const char *file, int line, const char *job)
{
    char *text = test_json(job);
    rt_err err = {0};
    graph_job *out = NULL;
    int rc = graph_codec_parse(text, strlen(text), test_catalog(), &out, &err);
    if (rc != 0)
        test_fail(file, line, "parse failed (%d): %s\n  job: %s", rc, err.msg, text);
    free(text);
    return out;
}

void test_parse_fails(const char *file, int line, const char *job, const char *needle)
{
    char *text = test_json(job);
    rt_err err = {0};
    graph_job *out = NULL;
    int rc = graph_codec_parse(text, strlen(text), test_catalog(), &out, &err);
    if (rc == 0) {
        test_fail(file, line, "parse succeeded, expected an error containing \"%s\"\n  job: %s",
                  needle, text);
        graph_job_free(out);
    } else if (rc != RT_EINVAL || err.msg[0] != '$' || !strstr(err.msg, needle)) {
        test_fail(file, line, "error %d \"%s\" does not contain \"%s\"", rc, err.msg, needle);
    }
    free(text);
}
