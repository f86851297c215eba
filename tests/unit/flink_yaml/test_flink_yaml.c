/* Flink CDC pipeline YAML <-> Sluice job JSON: the documented pipeline shapes read into the
 * expected job graphs, jobs round-trip through YAML unchanged, and every refusal names a line
 * and column (YAML) or a vertex and key (JSON). */
#include <jansson.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jobs/codegen/flink_yaml.h"
#include "jobs/codegen/flink_yaml_int.h"
#include "tests/harness/test.h"

static json_t *load_json_file(const char *rel)
{
    json_error_t e;
    json_t *j = json_load_file(test_source_path(rel), 0, &e);
    if (!j)
        test_fail(__FILE__, __LINE__, "%s: %s", rel, e.text);
    return j;
}

/* Parses yaml, expecting success; returns the job as json_t (NULL after recording a failure). */
static json_t *parse_ok(const char *yaml)
{
    char *out = NULL;
    rt_err err = {0};
    int rc = gen_flink_yaml_parse(yaml, strlen(yaml), &out, &err);
    if (rc != 0) {
        test_fail(__FILE__, __LINE__, "parse: %s", err.msg);
        return NULL;
    }
    json_error_t e;
    json_t *j = json_loads(out, 0, &e);
    if (!j)
        test_fail(__FILE__, __LINE__, "parse produced bad JSON: %s\n%s", e.text, out);
    free(out);
    return j;
}

static void check_json_eq(json_t *got, json_t *want, const char *what)
{
    if (got && want && json_equal(got, want))
        return;
    char *g = got ? json_dumps(got, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
    char *w = want ? json_dumps(want, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
    test_fail(__FILE__, __LINE__, "%s: got\n%s\nwant\n%s", what, g ? g : "(null)",
              w ? w : "(null)");
    free(g);
    free(w);
}

static void check_file_parse(const char *yaml_rel, const char *json_rel)
{
    size_t len;
    char *yaml = test_read_file(test_source_path(yaml_rel), &len);
    CHECK(yaml != NULL);
    json_t *want = load_json_file(json_rel);
    json_t *got = yaml ? parse_ok(yaml) : NULL;
    check_json_eq(got, want, yaml_rel);
    json_decref(got);
    json_decref(want);
    free(yaml);
}

TEST(quickstart_with_transform_and_route_reads_as_expected)
{
    check_file_parse("tests/unit/flink_yaml/quickstart.yaml",
                     "tests/unit/flink_yaml/quickstart.json");
}

TEST(connector_doc_example_reads_as_expected)
{
    check_file_parse("tests/unit/flink_yaml/connector-doc.yaml",
                     "tests/unit/flink_yaml/connector-doc.json");
}

/* JSON -> YAML -> JSON is the identity for a job of the generator's shape. */
static void check_round_trip(json_t *job)
{
    char *text = json_dumps(job, 0), *yaml = NULL;
    rt_err err = {0};
    int rc = gen_flink_yaml_format(text, &yaml, &err);
    CHECK_INT_EQ(rc, 0);
    if (rc != 0)
        test_fail(__FILE__, __LINE__, "format: %s", err.msg);
    json_t *back = yaml ? parse_ok(yaml) : NULL;
    if (back && !json_equal(back, job))
        test_fail(__FILE__, __LINE__, "YAML was:\n%s", yaml);
    check_json_eq(back, job, "round trip");
    json_decref(back);
    free(yaml);
    free(text);
}

TEST(json_yaml_json_round_trip_is_identity)
{
    json_t *a = load_json_file("tests/unit/flink_yaml/quickstart.json");
    json_t *b = load_json_file("tests/unit/flink_yaml/connector-doc.json");
    /* `sluice generate`'s shape: sharded tables merged by exact-name routes, the rest kept */
    json_t *c = load_json_file("tests/unit/flink_yaml/generated.json");
    /* and every mapped option */
    json_t *d = load_json_file("tests/unit/flink_yaml/options.json");
    check_round_trip(a);
    check_round_trip(b);
    check_round_trip(c);
    check_round_trip(d);
    json_decref(a);
    json_decref(b);
    json_decref(c);
    json_decref(d);
}

/* Collects every mapping key path of a YAML tree ("source.hostname", "route[].sink-table"). */
static void key_paths(const gen_fy_node *n, const char *prefix, json_t *set)
{
    char path[256];
    for (size_t i = 0; i < n->count; i++) {
        if (n->kind == GEN_FY_MAP) {
            snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", n->keys[i]->text);
            json_object_set_new(set, path, json_true());
            key_paths(n->items[i], path, set);
        } else if (n->kind == GEN_FY_SEQ) {
            snprintf(path, sizeof path, "%s[]", prefix);
            key_paths(n->items[i], path, set);
        }
    }
}

TEST(yaml_json_yaml_keeps_every_key)
{
    const char *files[] = {"tests/unit/flink_yaml/quickstart.yaml",
                           "tests/unit/flink_yaml/connector-doc.yaml"};
    for (size_t f = 0; f < 2; f++) {
        size_t len;
        char *yaml = test_read_file(test_source_path(files[f]), &len);
        char *json = NULL, *yaml2 = NULL;
        rt_err err = {0};
        CHECK_INT_EQ(gen_flink_yaml_parse(yaml, len, &json, &err), 0);
        CHECK_INT_EQ(gen_flink_yaml_format(json, &yaml2, &err), 0);
        if (!yaml2) {
            test_fail(__FILE__, __LINE__, "%s: %s", files[f], err.msg);
            free(yaml);
            free(json);
            continue;
        }
        gen_fy_node *t1 = NULL, *t2 = NULL;
        CHECK_INT_EQ(gen_fy_tree_parse(yaml, len, &t1, &err), 0);
        CHECK_INT_EQ(gen_fy_tree_parse(yaml2, strlen(yaml2), &t2, &err), 0);
        json_t *k1 = json_object(), *k2 = json_object();
        key_paths(t1, "", k1);
        key_paths(t2, "", k2);
        const char *k;
        json_t *v;
        json_object_foreach(k1, k, v)
        {
            /* descriptions are free text Sluice does not keep */
            if (!strstr(k, "description") && !json_object_get(k2, k))
                test_fail(__FILE__, __LINE__, "%s: key %s lost; YAML:\n%s", files[f], k, yaml2);
        }
        /* and the values that carry meaning come back the same */
        json_t *j1 = parse_ok(yaml), *j2 = parse_ok(yaml2);
        check_json_eq(j2, j1, files[f]);
        json_decref(j1);
        json_decref(j2);
        json_decref(k1);
        json_decref(k2);
        gen_fy_node_free(t1);
        gen_fy_node_free(t2);
        free(yaml);
        free(json);
        free(yaml2);
    }
}

/* Expects gen_flink_yaml_parse to fail with code and a message holding each of the needles. */
static void check_parse_error(const char *yaml, int code, const char *n1, const char *n2)
{
    char *out = NULL;
    rt_err err = {0};
    int rc = gen_flink_yaml_parse(yaml, strlen(yaml), &out, &err);
    CHECK_INT_EQ(rc, code);
    if (rc == 0)
        free(out);
    if (!strstr(err.msg, n1) || (n2 && !strstr(err.msg, n2)))
        test_fail(__FILE__, __LINE__, "message '%s' lacks '%s' / '%s'", err.msg, n1, n2 ? n2 : "");
}

#define BASE_SRC                                                                                   \
    "source:\n  type: mysql\n  hostname: h\n  username: u\n  password: ${PW}\n"                    \
    "  tables: shop.orders\n"
#define BASE_SINK                                                                                  \
    "sink:\n  type: starrocks\n  jdbc-url: jdbc:mysql://fe:9030\n  load-url: fe:8030\n"            \
    "  username: root\n  password: ${SR}\n"

TEST(yaml_errors_name_line_and_column)
{
    check_parse_error("source:\n  type: mysql\n  tables: [a, b\n", RT_EINVAL, "line 4 column 1",
                      NULL);
    check_parse_error("source:\n  type: mysql\n   bad: indent\n", RT_EINVAL, "line 3", NULL);
    check_parse_error(BASE_SINK "source:\n  type: mysql\n  hostname: h\n  username: u\n"
                                "  password: hunter2\n  tables: shop.orders\n",
                      RT_EINVAL, "line 11 column 13", "${ENV_NAME}");
    check_parse_error(BASE_SINK "source:\n  type: postgres\n", RT_EUNSUPPORTED, "line 8 column 9",
                      "postgres");
    check_parse_error(BASE_SRC "sink:\n  type: doris\n", RT_EUNSUPPORTED, "line 8 column 9",
                      "doris");
    check_parse_error(BASE_SRC BASE_SINK "  table.create.num-buckets: 8\n", RT_EINVAL,
                      "line 13 column 3", "table.create.num-buckets");
    check_parse_error(BASE_SRC "  scan.snapshot.fetch.size: 10\n" BASE_SINK, RT_EINVAL,
                      "line 7 column 3", "scan.snapshot.fetch.size");
    check_parse_error(BASE_SRC BASE_SINK "transform:\n  - source-table: shop.orders\n"
                                         "    partition-keys: id\n",
                      RT_EINVAL, "line 15 column 5", "partition-keys");
    check_parse_error(BASE_SRC BASE_SINK "pipeline:\n  schema.change.behavior: evolve\n", RT_EINVAL,
                      "line 14 column 27", "ignore");
    check_parse_error(BASE_SRC BASE_SINK "src: x\n", RT_EINVAL, "line 13 column 1", "src");
    check_parse_error(BASE_SRC BASE_SINK "sink:\n  type: starrocks\n", RT_EINVAL, "duplicate",
                      NULL);
    check_parse_error("a: *x\n", RT_EINVAL, "line 1 column 4", "alias");
    check_parse_error(BASE_SRC BASE_SINK "pipeline:\n  flink-conf:\n"
                                         "    restart-strategy.type: fixed-delay\n"
                                         "    restart-strategy.exponential-delay.max-backoff: 1m\n",
                      RT_EINVAL, "line 16 column 5", "exponential-delay");
    check_parse_error(BASE_SRC BASE_SINK "pipeline:\n  flink-conf:\n    state.backend: rocksdb\n",
                      RT_EINVAL, "line 15 column 5", "state.backend");
}

TEST(yaml_mapping_refusals)
{
    /* tables in two databases and no route: Flink keeps each database, Sluice writes one */
    check_parse_error("source:\n  type: mysql\n  hostname: h\n  username: u\n  password: ${PW}\n"
                      "  tables: a.t, b.t\n" BASE_SINK,
                      RT_EINVAL, "line 6 column 11", "add a route");
    /* a filter that reads a computed column */
    check_parse_error(BASE_SRC BASE_SINK "transform:\n  - source-table: shop.orders\n"
                                         "    projection: id, UPPER(name) AS uname\n"
                                         "    filter: uname = 'X'\n",
                      RT_EINVAL, "line 16 column 13", "uname");
    /* two transform rules that may match the same table */
    check_parse_error(BASE_SRC BASE_SINK "transform:\n  - source-table: shop.\\.*\n"
                                         "    filter: id > 1\n  - source-table: shop.orders\n"
                                         "    filter: id > 2\n",
                      RT_EINVAL, "line 14 column 5", "distinct exact tables");
    /* different time zones for the source and the pipeline */
    check_parse_error(BASE_SRC "  server-time-zone: UTC\n" BASE_SINK
                               "pipeline:\n  local-time-zone: Asia/Shanghai\n",
                      RT_EINVAL, "line 15 column 20", "one zone");
    /* a route to two databases */
    check_parse_error(BASE_SRC BASE_SINK "route:\n  - source-table: shop.orders\n"
                                         "    sink-table: a.x\n  - source-table: shop.y\n"
                                         "    sink-table: b.y\n",
                      RT_EINVAL, "line 17 column 17", "one database");
    /* one table to two sinks (Flink's one-to-many route) */
    check_parse_error(BASE_SRC BASE_SINK "route:\n  - source-table: shop.orders\n"
                                         "    sink-table: shop.x\n  - source-table: shop.orders\n"
                                         "    sink-table: shop.y\n",
                      RT_EINVAL, "line 16 column 19", "every matching rule");
    /* a table pattern without a database part */
    check_parse_error("source:\n  type: mysql\n  hostname: h\n  username: u\n  password: ${PW}\n"
                      "  tables: orders\n" BASE_SINK,
                      RT_EINVAL, "line 6 column 11", "database.table");
}

/* Formats job (JSON text) expecting an error naming the needles. */
static void check_format_error(const char *job, int code, const char *n1, const char *n2)
{
    char *yaml = NULL;
    rt_err err = {0};
    int rc = gen_flink_yaml_format(job, &yaml, &err);
    CHECK_INT_EQ(rc, code);
    if (rc == 0)
        free(yaml);
    if (!strstr(err.msg, n1) || (n2 && !strstr(err.msg, n2)))
        test_fail(__FILE__, __LINE__, "message '%s' lacks '%s' / '%s'", err.msg, n1, n2 ? n2 : "");
}

#define JOB_HEAD "{\"name\": \"j\", \"operators\": ["
#define JSRC(extra)                                                                                \
    "{\"id\": \"src\", \"type\": \"mysql_cdc\", \"config\": {\"host\": \"h\", \"user\": \"u\", "   \
    "\"password_env\": \"PW\", \"tables\": [\"shop\\\\.orders\"]" extra "}}"
#define JSINK(from, extra)                                                                         \
    "{\"id\": \"sink\", \"type\": \"starrocks\", \"inputs\": [\"" from "\"], \"config\": "         \
    "{\"load_url\": [\"fe:8030\"], \"query_url\": \"fe:9030\", \"database\": \"shop\"" extra "}}"

TEST(json_refusals_name_vertex_and_key)
{
    check_format_error(JOB_HEAD JSRC(", \"password\": \"x\"") "," JSINK("src", "") "]}",
                       RT_EUNSUPPORTED, "vertex 'src'", "password");
    check_format_error(JOB_HEAD JSRC(", \"ssl_ca\": \"/ca.pem\"") "," JSINK("src", "") "]}",
                       RT_EUNSUPPORTED, "vertex 'src'", "ssl_ca");
    check_format_error(JOB_HEAD JSRC("") "," JSINK("src", ", \"append_changes\": true") "]}",
                       RT_EUNSUPPORTED, "vertex 'sink'", "append_changes");
    check_format_error(
        JOB_HEAD JSRC("") ","
                          "{\"id\": \"p\", \"type\": \"print\", \"inputs\": [\"src\"]}," JSINK(
                              "src", "") "]}",
        RT_EUNSUPPORTED, "fans out", NULL);
    check_format_error(
        JOB_HEAD JSRC(
            "") ","
                "{\"id\": \"r\", \"type\": \"route\", \"inputs\": [\"src\"], \"config\": "
                "{\"routes\": [{\"source\": \"shop\\\\.o.*\", \"target\": \"all\", "
                "\"source_columns\": {\"_db\": \"database\"}, \"key_with_source\": true}]}}," JSINK(
                    "r", "") "]}",
        RT_EUNSUPPORTED, "vertex 'r'", "key_with_source");
    check_format_error(
        JOB_HEAD JSRC("") ","
                          "{\"id\": \"r\", \"type\": \"route\", \"inputs\": [\"src\"], \"config\": "
                          "{\"routes\": [{\"source\": \"shop\\\\.o.*\", \"target\": "
                          "\"{db}_{table}\"}]}}," JSINK("r", "") "]}",
        RT_EUNSUPPORTED, "vertex 'r'", "{db}");
    check_format_error("{\"name\": \"j\", \"operators\": [{\"id\": \"g\", \"type\": \"datagen\"}]}",
                       RT_EUNSUPPORTED, "vertex 'g'", "mysql_cdc");
    check_format_error("{\"name\": ", RT_EINVAL, "job JSON line 1", NULL);
    /* a restart key of another strategy has no Flink key that would take effect */
    check_format_error("{\"name\": \"j\", \"restart\": {\"strategy\": \"fixed-delay\", "
                       "\"initial\": \"1s\"}, \"operators\": [" JSRC("") "," JSINK("src", "") "]}",
                       RT_EUNSUPPORTED, "restart.initial", "exponential-delay");
}

/* The pattern convention both ways, and what only one side can say. */
TEST(table_patterns_convert_both_ways)
{
    static const struct {
        const char *flink, *sluice, *back;
    } cases[] = {
        {"app_db.orders", "app_db\\.orders", "app_db.orders"},
        {"app_db.\\.*", "app_db\\..*", "app_db.\\.*"},
        {"db[1-2].[app|web]_order_\\.*", "db[1-2]\\.[app|web]_order_.*",
         "db[1-2].[app|web]_order_\\.*"},
        {"a|b.t", "(a|b)\\.t", "a|b.t"},
        {" shop . x\\d+ ", "shop\\.x\\d+", "shop.x\\d+"},
        {"s.a[\\.]b", "s\\.a[.]b", "s.a[\\.]b"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char **v = NULL;
        size_t n = 0;
        rt_err err = {0};
        CHECK_INT_EQ(gen_fy_tables_from_flink(cases[i].flink, &v, &n, &err), 0);
        CHECK_INT_EQ(n, 1);
        if (n == 1 && strcmp(v[0], cases[i].sluice) != 0)
            test_fail(__FILE__, __LINE__, "%s -> %s, want %s", cases[i].flink, v[0],
                      cases[i].sluice);
        rt_buf b;
        rt_buf_init(&b);
        CHECK_INT_EQ(gen_fy_table_to_flink(cases[i].sluice, &b, &err), 0);
        if (!b.data || strcmp(b.data, cases[i].back) != 0)
            test_fail(__FILE__, __LINE__, "%s -> %s, want %s", cases[i].sluice,
                      b.data ? b.data : "", cases[i].back);
        rt_buf_fini(&b);
        gen_fy_strv_free(v, n);
    }
    /* a comma list, escaped commas kept inside a part */
    char **v = NULL;
    size_t n = 0;
    rt_err err = {0};
    CHECK_INT_EQ(gen_fy_tables_from_flink("a.x, b.y,,c.z", &v, &n, &err), 0);
    CHECK_INT_EQ(n, 3);
    gen_fy_strv_free(v, n);
    /* a top-level alternation becomes two Flink patterns */
    rt_buf b;
    rt_buf_init(&b);
    CHECK_INT_EQ(gen_fy_table_to_flink("a\\.x|b\\.y", &b, &err), 0);
    CHECK(b.data && strcmp(b.data, "a.x, b.y") == 0);
    rt_buf_reset(&b);
    /* no separator, two separators, a comma: Flink cannot say these */
    CHECK_INT_EQ(gen_fy_table_to_flink("orders", &b, &err), RT_EUNSUPPORTED);
    CHECK_INT_EQ(gen_fy_table_to_flink("a\\.b\\.c", &b, &err), RT_EUNSUPPORTED);
    CHECK_INT_EQ(gen_fy_table_to_flink("a\\.x{1,2}", &b, &err), RT_EUNSUPPORTED);
    rt_buf_fini(&b);
    CHECK_INT_EQ(gen_fy_tables_from_flink("a.b.c", &v, &n, &err), RT_EINVAL);
    CHECK_INT_EQ(gen_fy_tables_from_flink("a.b\\", &v, &n, &err), RT_EINVAL);
}

TEST(durations_convert)
{
    int64_t ms = 0;
    CHECK_INT_EQ(gen_fy_flink_duration_parse("1 min", &ms, NULL), 0);
    CHECK_INT_EQ(ms, 60000);
    CHECK_INT_EQ(gen_fy_flink_duration_parse("500", &ms, NULL), 0);
    CHECK_INT_EQ(ms, 500);
    CHECK_INT_EQ(gen_fy_flink_duration_parse("2 hours", &ms, NULL), 0);
    CHECK_INT_EQ(ms, 7200000);
    CHECK_INT_EQ(gen_fy_flink_duration_parse("5 fortnights", &ms, NULL), RT_EINVAL);
    char buf[32];
    gen_fy_flink_duration_format(90000, buf, sizeof buf);
    CHECK(strcmp(buf, "90s") == 0);
    gen_fy_flink_duration_format(120000, buf, sizeof buf);
    CHECK(strcmp(buf, "2min") == 0);
    gen_fy_flink_duration_format(250, buf, sizeof buf);
    CHECK(strcmp(buf, "250ms") == 0);
}

TEST(written_yaml_is_stable_and_hides_passwords)
{
    json_t *job = load_json_file("tests/unit/flink_yaml/quickstart.json");
    char *text = json_dumps(job, 0), *y1 = NULL, *y2 = NULL;
    rt_err err = {0};
    CHECK_INT_EQ(gen_flink_yaml_format(text, &y1, &err), 0);
    CHECK_INT_EQ(gen_flink_yaml_format(text, &y2, &err), 0);
    CHECK(y1 && y2 && strcmp(y1, y2) == 0);
    CHECK(y1 && strstr(y1, "password: ${MYSQL_PW}\n"));
    CHECK(y1 && strstr(y1, "\nsource:\n") == NULL &&
          strncmp(y1, "source:\n  type: mysql\n", 22) == 0);
    /* a leading '*' must be quoted, or YAML reads an alias */
    CHECK(y1 && strstr(y1, "projection: '*, UPPER(product_name)"));
    CHECK(y1 && strstr(y1, "execution.checkpointing.interval: 10s"));
    free(y1);
    free(y2);
    free(text);
    json_decref(job);
    /* no password at all: Flink CDC requires the key, so an empty string, quoted (not null) */
    job = load_json_file("tests/unit/flink_yaml/connector-doc.json");
    text = json_dumps(job, 0);
    CHECK_INT_EQ(gen_flink_yaml_format(text, &y1, &err), 0);
    CHECK(y1 && strstr(y1, "  password: \"\"\n"));
    free(y1);
    free(text);
    json_decref(job);
}

/* Transform rules over distinct exact tables become a filter/project pair each, in rule order,
 * and come back as the same rules. */
TEST(several_transform_rules_chain)
{
    const char *yaml = BASE_SRC BASE_SINK "transform:\n"
                                          "  - source-table: shop.orders\n"
                                          "    projection: \\*, UPPER(name) AS uname\n"
                                          "    filter: id > 10\n"
                                          "  - source-table: shop.items, shop.parts\n"
                                          "    filter: qty > 0\n";
    json_t *job = parse_ok(yaml);
    json_t *ops = json_object_get(job, "operators");
    static const char *const ids[] = {"src", "filter", "project", "filter-2", "sink"};
    CHECK_INT_EQ(json_array_size(ops), 5);
    for (size_t i = 0; i < 5 && i < json_array_size(ops); i++) {
        const char *id = json_string_value(json_object_get(json_array_get(ops, i), "id"));
        if (!id || strcmp(id, ids[i]) != 0)
            test_fail(__FILE__, __LINE__, "operators[%zu] is '%s', want '%s'", i, id ? id : "",
                      ids[i]);
    }
    json_t *want =
        json_pack("{s:[s, s], s:s}", "tables", "shop\\.items", "shop\\.parts", "where", "qty > 0");
    check_json_eq(json_object_get(json_array_get(ops, 3), "config"), want, "filter-2");
    json_decref(want);
    check_round_trip(job);
    json_decref(job);
}

/* A sink with a fixed table becomes routes of every source pattern into it. */
TEST(fixed_sink_table_becomes_routes)
{
    const char *job = JOB_HEAD JSRC("") "," JSINK("src", ", \"table\": \"orders_all\"") "]}";
    char *yaml = NULL;
    rt_err err = {0};
    CHECK_INT_EQ(gen_flink_yaml_format(job, &yaml, &err), 0);
    CHECK(yaml &&
          strstr(yaml, "route:\n- source-table: shop.orders\n  sink-table: shop.orders_all\n"));
    json_t *back = yaml ? parse_ok(yaml) : NULL;
    json_t *rules = json_object_get(
        json_object_get(json_array_get(json_object_get(back, "operators"), 1), "config"), "routes");
    json_t *want = json_pack("[{s:s, s:s}]", "source", "shop\\.orders", "target", "orders_all");
    check_json_eq(rules, want, "routes");
    json_decref(want);
    json_decref(back);
    free(yaml);
}

/* source_columns without key_with_source: a transform adds them before the route; read back,
 * that transform is a project operator adding the same metadata columns. */
TEST(route_source_columns_become_a_transform)
{
    const char *job = JOB_HEAD JSRC(
        "") ","
            "{\"id\": \"r\", \"type\": \"route\", \"inputs\": [\"src\"], \"config\": "
            "{\"routes\": [{\"source\": \"shop\\\\.orders\", \"target\": \"all\", "
            "\"source_columns\": {\"_db\": \"database\", \"_tbl\": \"table\"}}]}}," JSINK("r",
                                                                                          "") "]}";
    char *yaml = NULL;
    rt_err err = {0};
    CHECK_INT_EQ(gen_flink_yaml_format(job, &yaml, &err), 0);
    CHECK(yaml && strstr(yaml, "projection: '*, __schema_name__ AS _db, __table_name__ AS _tbl'"));
    json_t *back = yaml ? parse_ok(yaml) : NULL;
    json_t *ops = json_object_get(back, "operators");
    json_t *want = json_pack("{s:[s], s:[s, s, s]}", "tables", "shop\\.orders", "columns", "*",
                             "__schema_name__ AS _db", "__table_name__ AS _tbl");
    check_json_eq(json_object_get(json_array_get(ops, 1), "config"), want, "project");
    CHECK(strcmp(json_string_value(json_object_get(json_array_get(ops, 2), "type")), "route") == 0);
    json_decref(want);
    json_decref(back);
    free(yaml);
}

/* The jobs read from the examples pass the real job validator (`sluice plan`): operator types,
 * every config key, edges and parallelism. Skipped when the CLI is not built. */
TEST(jobs_read_from_yaml_pass_sluice_plan)
{
    const char *bin = getenv("SLUICE_BIN");
    if (!bin || access(bin, X_OK) != 0) {
        printf("  (skipped: SLUICE_BIN not built)\n");
        return;
    }
    static const char *const files[] = {"quickstart.yaml", "connector-doc.yaml"};
    for (size_t f = 0; f < 2; f++) {
        char rel[128], path[512], cmd[1200];
        snprintf(rel, sizeof rel, "tests/unit/flink_yaml/%s", files[f]);
        size_t len;
        char *yaml = test_read_file(test_source_path(rel), &len), *json = NULL;
        rt_err err = {0};
        CHECK_INT_EQ(gen_flink_yaml_parse(yaml, len, &json, &err), 0);
        snprintf(path, sizeof path, "%s/%s.json", test_tmpdir(), files[f]);
        FILE *out = json ? fopen(path, "w") : NULL;
        CHECK(out != NULL);
        if (out) {
            fputs(json, out);
            fclose(out);
            snprintf(cmd, sizeof cmd, "'%s' plan '%s' >/dev/null", bin, path);
            CHECK_INT_EQ(system(cmd), 0);
        }
        free(json);
        free(yaml);
    }
}

/* Mutated copies of the examples (bytes replaced, inserted, cut): the reader must never crash
 * or leak, and a refusal of malformed YAML always names a position. Whatever it accepts must
 * format back (or be refused with a reason). A fixed seed keeps the run reproducible. */
TEST(mutated_yaml_never_crashes)
{
    static const char *const files[] = {"tests/unit/flink_yaml/quickstart.yaml",
                                        "tests/unit/flink_yaml/connector-doc.yaml"};
    static const char alphabet[] = ":-.,\\\"'[]{}*&!|>#%@` \n\tab01${}<>";
    uint32_t seed = 12345;
    for (size_t f = 0; f < 2; f++) {
        size_t len;
        char *orig = test_read_file(test_source_path(files[f]), &len);
        CHECK(orig != NULL);
        char *buf = orig ? malloc(len + 16) : NULL;
        for (int round = 0; buf && round < 3000; round++) {
            memcpy(buf, orig, len);
            size_t n = len;
            for (int m = 0; m < 1 + round % 4; m++) {
                seed = seed * 1103515245u + 12345u;
                size_t at = (seed >> 8) % n;
                char c = alphabet[(seed >> 20) % (sizeof alphabet - 1)];
                switch ((seed >> 4) % 3) {
                case 0:
                    buf[at] = c;
                    break;
                case 1:
                    if (n < len + 15) {
                        memmove(buf + at + 1, buf + at, n - at);
                        buf[at] = c;
                        n++;
                    }
                    break;
                default:
                    n = at + 1;
                    break;
                }
            }
            char *json = NULL, *yaml = NULL;
            rt_err err = {0};
            int rc = gen_flink_yaml_parse(buf, n, &json, &err);
            if (rc != 0) {
                CHECK(rc == RT_EINVAL || rc == RT_EUNSUPPORTED);
                if (!strstr(err.msg, "line ") && !strstr(err.msg, "source or sink"))
                    test_fail(__FILE__, __LINE__, "no position in '%s'", err.msg);
                continue;
            }
            rt_err err2 = {0};
            rc = gen_flink_yaml_format(json, &yaml, &err2);
            CHECK(rc == 0 || rc == RT_EUNSUPPORTED || rc == RT_EINVAL);
            free(json);
            free(yaml);
        }
        free(buf);
        free(orig);
    }
}

TEST_MAIN()
