/* graph_codec: what a valid job parses into (defaults, inputs, edges, settings) and the
 * format -> parse round trip. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/codec.h"
#include "tests/harness/test.h"
#include "tests/unit/graph/test_catalog.h"

TEST(defaults_are_filled_in)
{
    graph_job *job = PARSE_OK("{'name': 'demo', 'operators': [{'id': 'gen', 'type': 'datagen'}, "
                              "{'id': 'out', 'type': 'print', 'inputs': ['gen']}]}");
    if (!job)
        return;
    CHECK_STR_EQ(graph_job_name(job), "demo");
    const graph_checkpoint_cfg *cp = graph_job_checkpoint(job);
    CHECK_INT_EQ(cp->interval_ms, 0);
    CHECK_INT_EQ(cp->timeout_ms, 10 * 60 * 1000);
    CHECK_INT_EQ(cp->min_pause_ms, 0);
    CHECK_INT_EQ(cp->max_concurrent, 1);
    CHECK_INT_EQ(cp->retain, 3);
    const graph_restart_cfg *r = graph_job_restart(job);
    CHECK_INT_EQ(r->strategy, GRAPH_RESTART_EXPONENTIAL_DELAY);
    CHECK_INT_EQ(r->attempts, 3);
    CHECK_INT_EQ(r->delay_ms, 1000);
    CHECK_INT_EQ(r->initial_ms, 1000);
    CHECK_INT_EQ(r->max_ms, 60000);
    CHECK(r->multiplier == 2.0);
    CHECK_INT_EQ(r->reset_ms, 3600 * 1000);
    CHECK_INT_EQ(r->max_failures, 1);
    CHECK_INT_EQ(r->interval_ms, 60000);

    CHECK_UINT_EQ(graph_job_vertex_count(job), 2);
    const graph_vertex *gen = graph_job_vertex(job, 0), *out = graph_job_vertex(job, 1);
    CHECK_STR_EQ(gen->id, "gen");
    CHECK_STR_EQ(gen->type, "datagen");
    CHECK_INT_EQ(gen->kind, GRAPH_KIND_SOURCE);
    CHECK_UINT_EQ(gen->parallelism, 1);
    CHECK_STR_EQ(gen->config_json, "{}");
    CHECK_INT_EQ(out->kind, GRAPH_KIND_SINK);

    CHECK_UINT_EQ(graph_job_edge_count(job), 1);
    const graph_edge *e = graph_job_edge(job, 0);
    CHECK_UINT_EQ(e->from, 0);
    CHECK_UINT_EQ(e->to, 1);
    CHECK_UINT_EQ(e->input_index, 0);
    CHECK_INT_EQ(e->distribution, GRAPH_DIST_FORWARD);
    CHECK_INT_EQ(graph_job_find_vertex(job, "out"), 1);
    CHECK_INT_EQ(graph_job_find_vertex(job, "nope"), -1);
    graph_job_free(job);
}

TEST(settings_are_parsed)
{
    graph_job *job = PARSE_OK(
        "{'name': 'shop-sync.v2', "
        "'checkpoint': {'interval': '5s', 'timeout': '60s', 'min_pause': '500ms', "
        "'max_concurrent': 2, 'retain': 5}, "
        "'restart': {'strategy': 'fixed-delay', 'attempts': 0, 'delay': '10s', 'initial': '2s', "
        "'max': '5m', 'multiplier': 1.5, 'reset': '30m', 'max_failures': 4, 'interval': '10m'}, "
        "'operators': [{'id': 'gen', 'type': 'datagen'}, "
        "{'id': 'out', 'type': 'print', 'inputs': ['gen']}]}");
    if (!job)
        return;
    const graph_checkpoint_cfg *cp = graph_job_checkpoint(job);
    CHECK_INT_EQ(cp->interval_ms, 5000);
    CHECK_INT_EQ(cp->timeout_ms, 60000);
    CHECK_INT_EQ(cp->min_pause_ms, 500);
    CHECK_INT_EQ(cp->max_concurrent, 2);
    CHECK_INT_EQ(cp->retain, 5);
    const graph_restart_cfg *r = graph_job_restart(job);
    CHECK_INT_EQ(r->strategy, GRAPH_RESTART_FIXED_DELAY);
    CHECK_INT_EQ(r->attempts, 0);
    CHECK_INT_EQ(r->delay_ms, 10000);
    CHECK_INT_EQ(r->initial_ms, 2000);
    CHECK_INT_EQ(r->max_ms, 300000);
    CHECK(r->multiplier == 1.5);
    CHECK_INT_EQ(r->reset_ms, 1800000);
    CHECK_INT_EQ(r->max_failures, 4);
    CHECK_INT_EQ(r->interval_ms, 600000);
    graph_job_free(job);
}

TEST(config_is_kept_as_compact_text_in_order)
{
    graph_job *job = PARSE_OK("{'name': 'x', 'operators': [{'id': 'gen', 'type': 'datagen', "
                              "'config': { 'table': 't.x', 'rows': 10 }}]}");
    if (!job)
        return;
    CHECK_STR_EQ(graph_job_vertex(job, 0)->config_json, "{\"table\":\"t.x\",\"rows\":10}");
    graph_job_free(job);
}

TEST(plain_id_inputs_default_to_forward_or_rebalance)
{
    graph_job *job = PARSE_OK("{'name': 'x', 'operators': ["
                              "{'id': 'gen', 'type': 'datagen', 'parallelism': 2}, "
                              "{'id': 'm', 'type': 'map', 'parallelism': 2, 'inputs': ['gen']}, "
                              "{'id': 'out', 'type': 'print', 'inputs': ['m']}]}");
    if (!job)
        return;
    CHECK_UINT_EQ(graph_job_edge_count(job), 2);
    CHECK_INT_EQ(graph_job_edge(job, 0)->distribution, GRAPH_DIST_FORWARD);
    CHECK_INT_EQ(graph_job_edge(job, 1)->distribution, GRAPH_DIST_REBALANCE);
    graph_job_free(job);
}

TEST(object_inputs_and_edge_order)
{
    /* u reads b then a; edges are sorted by consumer, then input index (not producer). */
    graph_job *job = PARSE_OK("{'name': 'x', 'operators': ["
                              "{'id': 'a', 'type': 'datagen', 'parallelism': 3}, "
                              "{'id': 'b', 'type': 'datagen', 'parallelism': 2}, "
                              "{'id': 'u', 'type': 'map', 'parallelism': 2, "
                              " 'inputs': [{'from': 'b'}, {'from': 'a', 'distribution': 'hash'}]}, "
                              "{'id': 'out', 'type': 'print', 'parallelism': 2, "
                              " 'inputs': [{'from': 'u', 'distribution': 'broadcast'}]}]}");
    if (!job)
        return;
    CHECK_UINT_EQ(graph_job_edge_count(job), 3);
    const graph_edge *e0 = graph_job_edge(job, 0), *e1 = graph_job_edge(job, 1);
    const graph_edge *e2 = graph_job_edge(job, 2);
    CHECK_UINT_EQ(e0->from, 1);
    CHECK_UINT_EQ(e0->to, 2);
    CHECK_UINT_EQ(e0->input_index, 0);
    CHECK_INT_EQ(e0->distribution, GRAPH_DIST_FORWARD);
    CHECK_UINT_EQ(e1->from, 0);
    CHECK_UINT_EQ(e1->to, 2);
    CHECK_UINT_EQ(e1->input_index, 1);
    CHECK_INT_EQ(e1->distribution, GRAPH_DIST_HASH);
    CHECK_UINT_EQ(e2->from, 2);
    CHECK_UINT_EQ(e2->to, 3);
    CHECK_INT_EQ(e2->distribution, GRAPH_DIST_BROADCAST);
    graph_job_free(job);
}

TEST(config_reals_and_nesting_keep_their_shortest_text)
{
    graph_job *job = PARSE_OK("{'name': 'x', 'operators': [{'id': 'g', 'type': 'datagen'}, "
                              "{'id': 'r', 'type': 'route', 'inputs': ['g'], 'config': "
                              "{'rules': [{'match': 'a\\\\.b', 'w': 0.1, 'e': {}, 'l': []}], "
                              "'ratio': 3.0}}]}");
    if (!job)
        return;
    CHECK_STR_EQ(graph_job_vertex(job, 1)->config_json,
                 "{\"rules\":[{\"match\":\"a\\\\.b\",\"w\":0.1,\"e\":{},\"l\":[]}],"
                 "\"ratio\":3.0}");
    graph_job_free(job);
}

static const char *const rich_job =
    "{'name': 'rich', 'checkpoint': {'interval': '1m30s', 'retain': 7}, "
    "'restart': {'strategy': 'failure-rate', 'multiplier': 1.1, 'max_failures': 3}, "
    "'operators': ["
    "{'id': 'a', 'type': 'datagen', 'parallelism': 3, 'config': {'rows': 5, 'table': 'q\\u00e9'}}, "
    "{'id': 'b', 'type': 'datagen', 'parallelism': 2}, "
    "{'id': 'u', 'type': 'map', 'parallelism': 2, 'inputs': ['b', {'from': 'a'}]}, "
    "{'id': 'r', 'type': 'route', 'parallelism': 2, 'inputs': ['u'], "
    " 'config': {'rules': [{'to': 'x', 'w': [0.1, 1e300, -2, {}, [], null, true]}]}}, "
    "{'id': 'out', 'type': 'print', 'inputs': [{'from': 'r', 'distribution': 'hash'}], "
    " 'config': {'path': '/tmp/x'}}]}";

TEST(format_parse_round_trip)
{
    graph_job *job = PARSE_OK(rich_job);
    if (!job)
        return;
    char *text = graph_codec_format(job);
    /* CHECK_OK wants a pointer it can test (an address of a local always tests true). */
    rt_err err_rec = {0}, *err = &err_rec;
    graph_job *again = NULL;
    CHECK_OK(graph_codec_parse(text, strlen(text), test_catalog(), &again, err), err);
    if (again) {
        CHECK(graph_job_equal(job, again));
        /* Canonical: formatting the reparsed job gives the same text. */
        char *text2 = graph_codec_format(again);
        CHECK_STR_EQ(text2, text);
        free(text2);
    }
    graph_job_free(again);
    free(text);
    graph_job_free(job);
}

TEST(format_makes_defaults_explicit)
{
    graph_job *job = PARSE_OK("{'name': 'demo', 'operators': [{'id': 'gen', 'type': 'datagen', "
                              "'parallelism': 2}, {'id': 'out', 'type': 'print', "
                              "'inputs': ['gen']}]}");
    if (!job)
        return;
    char *text = graph_codec_format(job);
    CHECK_STR_CONTAINS(text, "\"interval\": \"0ms\"");
    CHECK_STR_CONTAINS(text, "\"timeout\": \"10m\"");
    CHECK_STR_CONTAINS(text, "\"max_concurrent\": 1");
    CHECK_STR_CONTAINS(text, "\"retain\": 3");
    CHECK_STR_CONTAINS(text, "\"strategy\": \"exponential-delay\"");
    CHECK_STR_CONTAINS(text, "\"multiplier\": 2.0");
    CHECK_STR_CONTAINS(text, "\"reset\": \"1h\"");
    CHECK_STR_CONTAINS(text, "\"parallelism\": 1");
    CHECK_STR_CONTAINS(text, "\"config\": {}");
    CHECK_STR_CONTAINS(text, "\"from\": \"gen\"");
    CHECK_STR_CONTAINS(text, "\"distribution\": \"rebalance\"");
    CHECK_STR_CONTAINS(text, "\"inputs\": []");
    graph_job_free(job);
    free(text);
}

TEST(equal_sees_differences)
{
    graph_job *a = PARSE_OK("{'name': 'x', 'operators': [{'id': 'g', 'type': 'datagen'}]}");
    graph_job *b = PARSE_OK("{'name': 'x', 'operators': [{'id': 'g', 'type': 'datagen', "
                            "'config': {'rows': 1}}]}");
    graph_job *c = PARSE_OK("{'name': 'x', 'checkpoint': {'retain': 4}, "
                            "'operators': [{'id': 'g', 'type': 'datagen'}]}");
    if (a && b && c) {
        CHECK(graph_job_equal(a, a));
        CHECK(!graph_job_equal(a, b));
        CHECK(!graph_job_equal(a, c));
    }
    graph_job_free(a);
    graph_job_free(b);
    graph_job_free(c);
}

TEST(parse_file_reads_a_job)
{
    char path[512];
    snprintf(path, sizeof path, "%s/job.json", test_tmpdir());
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    char *text = test_json("{'name': 'file', 'operators': [{'id': 'g', 'type': 'datagen'}]}");
    fputs(text, f);
    fclose(f);
    free(text);
    rt_err err_rec = {0}, *err = &err_rec;
    graph_job *job = NULL;
    CHECK_OK(graph_codec_parse_file(path, test_catalog(), &job, err), err);
    if (job)
        CHECK_STR_EQ(graph_job_name(job), "file");
    graph_job_free(job);
}

TEST(enum_names)
{
    CHECK_STR_EQ(graph_distribution_name(GRAPH_DIST_FORWARD), "forward");
    CHECK_STR_EQ(graph_distribution_name(GRAPH_DIST_BROADCAST), "broadcast");
    graph_distribution d = GRAPH_DIST_FORWARD;
    CHECK_INT_EQ(graph_distribution_parse("hash", &d), 0);
    CHECK_INT_EQ(d, GRAPH_DIST_HASH);
    CHECK_INT_EQ(graph_distribution_parse("Hash", &d), RT_EINVAL);
    CHECK_INT_EQ(d, GRAPH_DIST_HASH);
    CHECK_STR_EQ(graph_vertex_kind_name(GRAPH_KIND_TRANSFORM), "transform");
    CHECK_STR_EQ(graph_restart_strategy_name(GRAPH_RESTART_FAILURE_RATE), "failure-rate");
    CHECK_STR_EQ(graph_restart_strategy_name(GRAPH_RESTART_NONE), "none");
    graph_job_free(NULL);
}

TEST_MAIN()
