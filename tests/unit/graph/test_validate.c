/* graph_codec_parse's rejections: one test per kind of mistake, each asserting the JSON path
 * (and, where the graph layer writes it, the whole message). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/codec.h"
#include "tests/harness/test.h"
#include "tests/unit/graph/test_catalog.h"

/* A valid gen -> out operator list to build the other mistakes around. */
#define OPS                                                                                        \
    "'operators': [{'id': 'gen', 'type': 'datagen'}, {'id': 'out', 'type': 'print', "              \
    "'inputs': ['gen']}]"

TEST(malformed_json_names_line_and_column)
{
    CHECK_PARSE_FAILS("{'name': 'x',\n 'operators': [}", "$: invalid JSON at line 2 column");
    CHECK_PARSE_FAILS("", "$: invalid JSON at line");
    CHECK_PARSE_FAILS("{'name': 'x', 'name': 'y', " OPS "}", "$: invalid JSON at line 1");
}

TEST(top_level_must_be_an_object)
{
    CHECK_PARSE_FAILS("[1, 2]", "$: expected an object, got [1,2]");
    CHECK_PARSE_FAILS("'job'", "$: expected an object, got \"job\"");
}

TEST(unknown_top_level_key)
{
    CHECK_PARSE_FAILS("{'name': 'x', 'nmae': 'y', " OPS "}",
                      "$: unknown key \"nmae\" (known: name, checkpoint, restart, operators)");
}

TEST(name_missing_or_malformed)
{
    CHECK_PARSE_FAILS("{" OPS "}", "$.name: required key is missing");
    CHECK_PARSE_FAILS("{'name': 'my job', " OPS "}",
                      "$.name: expected 1..128 characters of [A-Za-z0-9_.-], got \"my job\"");
    CHECK_PARSE_FAILS("{'name': '', " OPS "}", "$.name: expected 1..128 characters");
    CHECK_PARSE_FAILS("{'name': 7, " OPS "}", "$.name: expected 1..128 characters");

    char name[130];
    memset(name, 'a', 129);
    name[129] = '\0';
    char job[512];
    snprintf(job, sizeof job, "{'name': '%s', " OPS "}", name);
    CHECK_PARSE_FAILS(job, "$.name: expected 1..128 characters");
    name[128] = '\0'; /* 128 is still fine */
    snprintf(job, sizeof job, "{'name': '%s', " OPS "}", name);
    graph_job_free(PARSE_OK(job));
}

TEST(checkpoint_wrong_values)
{
    CHECK_PARSE_FAILS("{'name': 'x', 'checkpoint': 5, " OPS "}",
                      "$.checkpoint: expected an object, got 5");
    CHECK_PARSE_FAILS("{'name': 'x', 'checkpoint': {'intervall': '5s'}, " OPS "}",
                      "$.checkpoint: unknown key \"intervall\"");
    CHECK_PARSE_FAILS("{'name': 'x', 'checkpoint': {'interval': true}, " OPS "}",
                      "$.checkpoint.interval: expected");
    CHECK_PARSE_FAILS("{'name': 'x', 'checkpoint': {'interval': '5 parsecs'}, " OPS "}",
                      "$.checkpoint.interval: ");
    CHECK_PARSE_FAILS("{'name': 'x', 'checkpoint': {'max_concurrent': 17}, " OPS "}",
                      "$.checkpoint.max_concurrent: expected an integer ≥ 1 and ≤ 16, got 17");
    CHECK_PARSE_FAILS("{'name': 'x', 'checkpoint': {'retain': 0}, " OPS "}",
                      "$.checkpoint.retain: expected an integer ≥ 1 and ≤ 100, got 0");
    CHECK_PARSE_FAILS("{'name': 'x', 'checkpoint': {'timeout': 0}, " OPS "}",
                      "$.checkpoint.timeout: ");
}

TEST(restart_wrong_values)
{
    CHECK_PARSE_FAILS("{'name': 'x', 'restart': 'none', " OPS "}",
                      "$.restart: expected an object, got \"none\"");
    CHECK_PARSE_FAILS("{'name': 'x', 'restart': {'strategy': 'sometimes'}, " OPS "}",
                      "$.restart.strategy: ");
    CHECK_PARSE_FAILS("{'name': 'x', 'restart': {'attempts': -1}, " OPS "}",
                      "$.restart.attempts: expected an integer ≥ 0, got -1");
    CHECK_PARSE_FAILS("{'name': 'x', 'restart': {'max_failures': 0}, " OPS "}",
                      "$.restart.max_failures: expected an integer ≥ 1, got 0");
    CHECK_PARSE_FAILS("{'name': 'x', 'restart': {'multiplier': 0.5}, " OPS "}",
                      "$.restart.multiplier: expected a number ≥ 1, got 0.5");
    CHECK_PARSE_FAILS("{'name': 'x', 'restart': {'multiplier': 'two'}, " OPS "}",
                      "$.restart.multiplier: expected");
    CHECK_PARSE_FAILS("{'name': 'x', 'restart': {'delay': [1]}, " OPS "}", "$.restart.delay: ");
}

TEST(operators_missing_empty_or_not_an_array)
{
    CHECK_PARSE_FAILS("{'name': 'x'}", "$.operators: required key is missing");
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': {}}", "$.operators: expected an array, got {}");
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': []}",
                      "$.operators: expected at least one operator");
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': ['gen']}",
                      "$.operators[0]: expected an object, got \"gen\"");
}

TEST(too_many_operators)
{
    char *job = malloc(64 * 1100);
    size_t len = (size_t)sprintf(job, "{'name': 'big', 'operators': [");
    for (int i = 0; i <= GRAPH_CODEC_MAX_OPERATORS; i++)
        len += (size_t)sprintf(job + len, "%s{'id': 'g%d', 'type': 'datagen'}", i ? ", " : "", i);
    sprintf(job + len, "]}");
    CHECK_PARSE_FAILS(job, "$.operators: expected at most 1024 operators, got 1025");
    free(job);
}

TEST(unknown_operator_key)
{
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'gen', 'type': 'datagen', "
                      "'paralelism': 2}]}",
                      "$.operators[0]: unknown key \"paralelism\" (known: id, type, parallelism, "
                      "config, inputs)");
}

TEST(operator_id_missing_or_malformed)
{
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'type': 'datagen'}]}",
                      "$.operators[0].id: required key is missing");
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'a.b', 'type': 'datagen'}]}",
                      "$.operators[0].id: expected 1..64 characters of [A-Za-z0-9_-], got \"a.b\"");
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 3, 'type': 'datagen'}]}",
                      "$.operators[0].id: expected 1..64 characters of [A-Za-z0-9_-], got 3");
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                      "aaaaaaaaaaaaaaaaaaaaaaaaaa', 'type': 'datagen'}]}",
                      "$.operators[0].id: expected 1..64 characters");
}

TEST(duplicate_operator_id)
{
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'gen', 'type': 'datagen'}, "
                      "{'id': 'out', 'type': 'print', 'inputs': ['gen']}, "
                      "{'id': 'gen', 'type': 'datagen'}]}",
                      "$.operators[2].id: duplicate id \"gen\" (first at $.operators[0])");
}

TEST(operator_type_missing_wrong_or_unknown)
{
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'gen'}]}",
                      "$.operators[0].type: required key is missing");
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'gen', 'type': ['datagen']}]}",
                      "$.operators[0].type: expected an operator type name, got [\"datagen\"]");
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'gen', 'type': 'datagan'}]}",
                      "$.operators[0].type: unknown operator type \"datagan\" (known: datagen, "
                      "map, route, print)");
}

TEST(parallelism_out_of_range_or_not_an_integer)
{
    CHECK_PARSE_FAILS(
        "{'name': 'x', 'operators': [{'id': 'g', 'type': 'datagen', 'parallelism': 0}]}",
        "$.operators[0].parallelism: expected an integer ≥ 1 and ≤ 256, got 0");
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'g', 'type': 'datagen', "
                      "'parallelism': 257}]}",
                      "$.operators[0].parallelism: expected an integer ≥ 1 and ≤ 256, got 257");
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'g', 'type': 'datagen', "
                      "'parallelism': '2'}]}",
                      "$.operators[0].parallelism: expected an integer ≥ 1 and ≤ 256, got \"2\"");
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'g', 'type': 'datagen', "
                      "'parallelism': 1.5}]}",
                      "$.operators[0].parallelism: expected an integer ≥ 1 and ≤ 256, got 1.5");
}

TEST(config_not_an_object)
{
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'g', 'type': 'datagen', 'config': []}]}",
                      "$.operators[0].config: expected an object, got []");
}

TEST(config_table_errors_name_the_field)
{
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'g', 'type': 'datagen'}, "
                      "{'id': 'h', 'type': 'datagen', 'config': {'rows': 'ten'}}]}",
                      "$.operators[1].config.rows: expected an integer ≥ 0, got \"ten\"");
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'g', 'type': 'datagen', "
                      "'config': {'rate': -5}}]}",
                      "$.operators[0].config.rate: expected an integer ≥ 0, got -5");
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'g', 'type': 'datagen', "
                      "'config': {'rowz': 5}}]}",
                      "$.operators[0].config: unknown key \"rowz\"");
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'g', 'type': 'datagen'}, "
                      "{'id': 'm', 'type': 'map', 'inputs': ['g'], 'config': {'x': 1}}]}",
                      "$.operators[1].config: unknown key \"x\"");
}

TEST(config_validate_hook_runs)
{
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'g', 'type': 'datagen'}, "
                      "{'id': 'out', 'type': 'print', 'inputs': ['g'], 'config': {'path': ''}}]}",
                      "$.operators[1].config.path: must not be empty");
}

TEST(inputs_wrong_shapes)
{
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'g', 'type': 'datagen'}, "
                      "{'id': 'out', 'type': 'print', 'inputs': 'g'}]}",
                      "$.operators[1].inputs: expected an array, got \"g\"");
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'g', 'type': 'datagen'}, "
                      "{'id': 'out', 'type': 'print', 'inputs': [5]}]}",
                      "$.operators[1].inputs[0]: expected an operator id or an object");
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'g', 'type': 'datagen'}, "
                      "{'id': 'out', 'type': 'print', 'inputs': ['g', {'form': 'g'}]}]}",
                      "$.operators[1].inputs[1]: unknown key \"form\" (known: from, distribution)");
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'g', 'type': 'datagen'}, "
                      "{'id': 'out', 'type': 'print', 'inputs': [{'distribution': 'hash'}]}]}",
                      "$.operators[1].inputs[0].from: required key is missing");
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'g', 'type': 'datagen'}, "
                      "{'id': 'out', 'type': 'print', 'inputs': [{'from': null}]}]}",
                      "$.operators[1].inputs[0].from: expected an operator id string, got null");
}

TEST(unknown_distribution)
{
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'g', 'type': 'datagen'}, "
                      "{'id': 'out', 'type': 'print', 'inputs': [{'from': 'g', "
                      "'distribution': 'shuffle'}]}]}",
                      "$.operators[1].inputs[0].distribution: unknown distribution \"shuffle\" "
                      "(known: forward, rebalance, hash, broadcast)");
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'g', 'type': 'datagen'}, "
                      "{'id': 'out', 'type': 'print', 'inputs': [{'from': 'g', "
                      "'distribution': 1}]}]}",
                      "$.operators[1].inputs[0].distribution: expected a string, got 1");
}

TEST(unknown_input_id)
{
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'gen', 'type': 'datagen'}, "
                      "{'id': 'out', 'type': 'print', 'inputs': [{'from': 'gne'}]}]}",
                      "$.operators[1].inputs[0].from: unknown operator id \"gne\"");
    /* A plain-string input is its own path. */
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'gen', 'type': 'datagen'}, "
                      "{'id': 'out', 'type': 'print', 'inputs': ['gen', 'gne']}]}",
                      "$.operators[1].inputs[1]: unknown operator id \"gne\"");
}

TEST(self_loop)
{
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'gen', 'type': 'datagen'}, "
                      "{'id': 'm', 'type': 'map', 'inputs': ['gen', 'm']}]}",
                      "$.operators[1].inputs[1]: \"m\" cannot read its own output");
}

TEST(duplicate_input)
{
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'gen', 'type': 'datagen'}, "
                      "{'id': 'out', 'type': 'print', 'inputs': ['gen', {'from': 'gen', "
                      "'distribution': 'hash'}]}]}",
                      "$.operators[1].inputs[1]: duplicate input \"gen\" (first at "
                      "$.operators[1].inputs[0])");
}

TEST(source_with_inputs)
{
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'gen', 'type': 'datagen'}, "
                      "{'id': 'gen2', 'type': 'datagen', 'inputs': ['gen']}]}",
                      "$.operators[1].inputs: \"gen2\" is a source (type datagen) and takes no "
                      "inputs");
}

TEST(transform_or_sink_without_inputs)
{
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'gen', 'type': 'datagen'}, "
                      "{'id': 'out', 'type': 'print'}]}",
                      "$.operators[1].inputs: \"out\" is a sink (type print) and needs at least "
                      "one input");
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'gen', 'type': 'datagen'}, "
                      "{'id': 'm', 'type': 'map', 'inputs': []}]}",
                      "$.operators[1].inputs: \"m\" is a transform (type map) and needs at least "
                      "one input");
}

TEST(sink_as_input)
{
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'gen', 'type': 'datagen'}, "
                      "{'id': 'out', 'type': 'print', 'inputs': ['gen']}, "
                      "{'id': 'out2', 'type': 'print', 'inputs': [{'from': 'out'}]}]}",
                      "$.operators[2].inputs[0].from: \"out\" is a sink (type print) and has no "
                      "outputs");
}

TEST(forward_between_different_parallelisms)
{
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'gen', 'type': 'datagen', "
                      "'parallelism': 2}, {'id': 'out', 'type': 'print', 'parallelism': 3, "
                      "'inputs': [{'from': 'gen', 'distribution': 'forward'}]}]}",
                      "$.operators[1].inputs[0].distribution: forward needs equal parallelism "
                      "(gen has 2, out has 3)");
}

TEST(cycles)
{
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'gen', 'type': 'datagen'}, "
                      "{'id': 'a', 'type': 'map', 'inputs': ['gen', 'b']}, "
                      "{'id': 'b', 'type': 'map', 'inputs': ['a']}]}",
                      "$.operators: cycle a -> b -> a");
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'gen', 'type': 'datagen'}, "
                      "{'id': 'c', 'type': 'map', 'inputs': ['b']}, "
                      "{'id': 'a', 'type': 'map', 'inputs': ['gen', 'c']}, "
                      "{'id': 'b', 'type': 'map', 'inputs': ['a']}, "
                      "{'id': 'out', 'type': 'print', 'inputs': ['c']}]}",
                      "$.operators: cycle a -> b -> c -> a");
    /* A cycle with no source at all. */
    CHECK_PARSE_FAILS("{'name': 'x', 'operators': [{'id': 'a', 'type': 'map', 'inputs': ['b']}, "
                      "{'id': 'b', 'type': 'map', 'inputs': ['a']}]}",
                      "$.operators: cycle a -> b -> a");
}

TEST(error_record_is_optional)
{
    graph_job *job = NULL;
    const char *text = "{\"name\": \"x\"}";
    CHECK_INT_EQ(graph_codec_parse(text, strlen(text), test_catalog(), &job, NULL), RT_EINVAL);
    CHECK(job == NULL);
}

TEST(parse_file_errors_name_the_file)
{
    char path[512];
    snprintf(path, sizeof path, "%s/missing.json", test_tmpdir());
    rt_err err = {0};
    graph_job *job = NULL;
    CHECK(graph_codec_parse_file(path, test_catalog(), &job, &err) != 0);
    char want[600];
    snprintf(want, sizeof want, "%s: cannot read: No such file or directory", path);
    CHECK_STR_EQ(err.msg, want);

    snprintf(path, sizeof path, "%s/bad.json", test_tmpdir());
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs("{\"name\": \"a b\", \"operators\": []}", f);
    fclose(f);
    rt_err_clear(&err);
    CHECK_INT_EQ(graph_codec_parse_file(path, test_catalog(), &job, &err), RT_EINVAL);
    snprintf(want, sizeof want, "%s: $.name: expected", path);
    CHECK(strncmp(err.msg, want, strlen(want)) == 0);
    CHECK_STR_CONTAINS(err.msg, want);
}

TEST_MAIN()
