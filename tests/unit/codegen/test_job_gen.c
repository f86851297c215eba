/* Unit tests of jobs/codegen/job_gen.c: the job graph's shape (source, route only when needed,
 * sink), escaping of table names into anchored regexes, server_id ranges, option checks. */
#include <jansson.h>
#include <stdlib.h>

#include "codegen_fixture.h"
#include "jobs/codegen/job_gen.h"
#include "tests/harness/test.h"

static gen_url src = {.user = "sync", .host = "db1", .port = 3306};
static gen_url dst = {
    .user = "loader", .host = "fe1", .port = 8030, .database = "dw", .query_port = 9030};

static json_t *make_job(const gen_job_options *o, gen_table *t, size_t n, const char *const *routes,
                        size_t nroutes, bool add_source)
{
    gen_table_set set = {.items = t, .count = n};
    gen_target_set g;
    rt_err err;
    gen_lines lossy = {0}, notes = {0};
    CHECK_OK(gen_targets_group(&set, routes, nroutes, &g, &err), &err);
    for (size_t i = 0; i < g.count; i++) {
        CHECK_OK(gen_target_merge(&g.items[i], &lossy, &notes, &err), &err);
        if (add_source && g.items[i].shard_count > 1)
            CHECK_OK(gen_target_add_source(&g.items[i], &err), &err);
    }
    char *text = NULL;
    CHECK_OK(gen_job_format(o, &set, &g, &text, &err), &err);
    json_error_t je;
    json_t *job = text ? json_loads(text, 0, &je) : NULL;
    CHECK(job != NULL);
    CHECK(text && text[strlen(text) - 1] == '\n');
    free(text);
    gen_lines_fini(&lossy);
    gen_lines_fini(&notes);
    gen_target_set_fini(&g);
    return job;
}

static void table(gen_table *t, const char *db, const char *name)
{
    fx_table(t, db, name, "");
    fx_column(fx_add(t), "id", "int", "int(11)", NULL, 0, 10, 0, false);
    fx_key(t, "id");
}

TEST(plain_tables_have_no_route)
{
    gen_table t[2];
    table(&t[0], "shop", "orders");
    table(&t[1], "shop.x", "a+b");
    gen_job_options o = {.source = &src, .target = &dst};
    json_t *job = make_job(&o, t, 2, NULL, 0, false);
    CHECK_STR_EQ(json_string_value(json_object_get(job, "name")), "mysql-to-starrocks");
    CHECK_STR_EQ(json_string_value(json_object_get(json_object_get(job, "checkpoint"), "interval")),
                 "10s");
    json_t *ops = json_object_get(job, "operators");
    CHECK_UINT_EQ(json_array_size(ops), 2);
    json_t *s = json_array_get(ops, 0), *k = json_array_get(ops, 1);
    CHECK_STR_EQ(json_string_value(json_object_get(s, "type")), "mysql_cdc");
    json_t *cfg = json_object_get(s, "config");
    CHECK_STR_EQ(json_string_value(json_object_get(cfg, "password_env")), "SLUICE_SOURCE_PASSWORD");
    CHECK(json_object_get(cfg, "password") == NULL);
    json_t *tables = json_object_get(cfg, "tables");
    CHECK_STR_EQ(json_string_value(json_array_get(tables, 0)), "shop\\.orders");
    CHECK_STR_EQ(json_string_value(json_array_get(tables, 1)), "shop\\.x\\.a\\+b");
    CHECK_INT_EQ(json_integer_value(json_object_get(cfg, "server_id")), 5400);
    CHECK_STR_EQ(json_string_value(json_object_get(cfg, "startup")), "initial");
    CHECK_STR_EQ(json_string_value(json_object_get(k, "type")), "starrocks");
    json_t *in = json_array_get(json_object_get(k, "inputs"), 0);
    CHECK_STR_EQ(json_string_value(json_object_get(in, "from")), "source");
    CHECK_STR_EQ(json_string_value(json_object_get(in, "distribution")), "hash");
    json_t *kc = json_object_get(k, "config");
    CHECK_STR_EQ(json_string_value(json_array_get(json_object_get(kc, "load_url"), 0)), "fe1:8030");
    CHECK_STR_EQ(json_string_value(json_object_get(kc, "query_url")), "fe1:9030");
    CHECK_STR_EQ(json_string_value(json_object_get(kc, "user")), "loader");
    CHECK_STR_EQ(json_string_value(json_object_get(kc, "password_env")), "SLUICE_TARGET_PASSWORD");
    CHECK_STR_EQ(json_string_value(json_object_get(kc, "database")), "dw");
    CHECK_STR_EQ(json_string_value(json_object_get(kc, "semantic")), "exactly-once");
    CHECK(json_object_get(kc, "table") == NULL);
    json_decref(job);
    gen_table_fini(&t[0]);
    gen_table_fini(&t[1]);
}

TEST(merge_and_rename_add_a_route)
{
    gen_table t[3];
    table(&t[0], "shop_0", "orders");
    table(&t[1], "shop_1", "orders");
    table(&t[2], "shop", "customers");
    const char *routes[] = {"shop\\.customers=clients"};
    gen_job_options o = {.source = &src,
                         .target = &dst,
                         .parallelism = 4,
                         .name = "j1",
                         .semantic = "at-least-once",
                         .checkpoint_interval = "30s",
                         .source_password_file = "/etc/sluice/src.pw",
                         .startup = "latest-offset"};
    json_t *job = make_job(&o, t, 3, routes, 1, true);
    CHECK_STR_EQ(json_string_value(json_object_get(job, "name")), "j1");
    CHECK_STR_EQ(json_string_value(json_object_get(json_object_get(job, "checkpoint"), "interval")),
                 "30s");
    json_t *ops = json_object_get(job, "operators");
    CHECK_UINT_EQ(json_array_size(ops), 3);
    json_t *cfg = json_object_get(json_array_get(ops, 0), "config");
    CHECK_STR_EQ(json_string_value(json_object_get(cfg, "password_file")), "/etc/sluice/src.pw");
    CHECK(json_object_get(cfg, "password_env") == NULL);
    CHECK_STR_EQ(json_string_value(json_object_get(cfg, "server_id")), "5400-5403");
    CHECK_STR_EQ(json_string_value(json_object_get(cfg, "startup")), "latest-offset");
    json_t *route = json_array_get(ops, 1);
    CHECK_STR_EQ(json_string_value(json_object_get(route, "type")), "route");
    CHECK_INT_EQ(json_integer_value(json_object_get(route, "parallelism")), 4);
    json_t *rs = json_object_get(json_object_get(route, "config"), "routes");
    CHECK_UINT_EQ(json_array_size(rs), 2);
    json_t *r0 = json_array_get(rs, 0), *r1 = json_array_get(rs, 1);
    CHECK_STR_EQ(json_string_value(json_object_get(r0, "source")),
                 "shop_0\\.orders|shop_1\\.orders");
    CHECK_STR_EQ(json_string_value(json_object_get(r0, "target")), "orders");
    CHECK(json_is_true(json_object_get(r0, "key_with_source")));
    json_t *sc = json_object_get(r0, "source_columns");
    CHECK_STR_EQ(json_string_value(json_object_get(sc, "_source_db")), "database");
    CHECK_STR_EQ(json_string_value(json_object_get(sc, "_source_table")), "table");
    CHECK_STR_EQ(json_string_value(json_object_get(r1, "source")), "shop\\.customers");
    CHECK_STR_EQ(json_string_value(json_object_get(r1, "target")), "clients");
    CHECK(json_object_get(r1, "source_columns") == NULL);
    json_t *sink = json_array_get(ops, 2);
    CHECK_INT_EQ(json_integer_value(json_object_get(sink, "parallelism")), 4);
    json_t *in = json_array_get(json_object_get(sink, "inputs"), 0);
    CHECK_STR_EQ(json_string_value(json_object_get(in, "from")), "route");
    CHECK_STR_EQ(json_string_value(json_object_get(json_object_get(sink, "config"), "semantic")),
                 "at-least-once");
    json_decref(job);
    for (size_t i = 0; i < 3; i++)
        gen_table_fini(&t[i]);
}

static void bad_options(gen_job_options o, const char *want)
{
    rt_err err = {0};
    CHECK_INT_EQ(gen_job_options_check(&o, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, want);
}

TEST(option_checks)
{
    gen_job_options ok = {.parallelism = 4, .server_id = "6000-6003", .name = "a.b-c_1"};
    rt_err err;
    CHECK_OK(gen_job_options_check(&ok, &err), &err);
    bad_options((gen_job_options){.parallelism = 4, .server_id = "6000-6002"},
                "the range holds 3 ids, --parallelism needs 4");
    bad_options((gen_job_options){.server_id = "x"}, "--server-id \"x\"");
    bad_options((gen_job_options){.server_id = "10-5"}, "--server-id \"10-5\"");
    bad_options((gen_job_options){.name = "has space"}, "--name \"has space\"");
    bad_options((gen_job_options){.semantic = "twice"}, "--semantic \"twice\"");
    bad_options((gen_job_options){.checkpoint_interval = "soon"}, "--checkpoint-interval");
}

TEST_MAIN()
