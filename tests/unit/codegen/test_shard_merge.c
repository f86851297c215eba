/* Unit tests of jobs/codegen/shard_merge.c and collision.c: target names from --route rules,
 * shard grouping, merged columns, key mismatches, add-source keys, collision detection. */
#include <stdlib.h>

#include "codegen_fixture.h"
#include "jobs/codegen/collision.h"
#include "jobs/codegen/shard_merge.h"
#include "tests/harness/test.h"

/* shop_<i>.<name> (id INT key, amount DECIMAL(p,2), [extra INT]). */
static void shard(gen_table *t, const char *db, const char *name, unsigned precision, bool extra)
{
    fx_table(t, db, name, "");
    fx_column(fx_add(t), "id", "int", "int(11)", NULL, 0, 10, 0, false);
    fx_column(fx_add(t), "amount", "decimal", "decimal", NULL, 0, precision, 2, false);
    if (extra)
        fx_column(fx_add(t), "extra", "int", "int(11)", NULL, 0, 10, 0, false);
    fx_key(t, "id");
}

TEST(grouping_and_routes)
{
    gen_table t[4];
    shard(&t[0], "shop_0", "order_0", 10, false);
    shard(&t[1], "shop_1", "order_1", 10, false);
    shard(&t[2], "shop", "customers", 10, false);
    shard(&t[3], "shop", "items", 10, false);
    gen_table_set set = {.items = t, .count = 4};
    const char *routes[] = {"shop_[0-9]+\\.order_[0-9]+=orders", "shop\\.items={db}_{table}"};
    gen_target_set g;
    rt_err err;
    CHECK_OK(gen_targets_group(&set, routes, 2, &g, &err), &err);
    CHECK_UINT_EQ(g.count, 3);
    CHECK_STR_EQ(g.items[0].name, "orders");
    CHECK_UINT_EQ(g.items[0].shard_count, 2);
    CHECK(g.items[0].renamed);
    CHECK_STR_EQ(g.items[1].name, "customers");
    CHECK(!g.items[1].renamed);
    CHECK_STR_EQ(g.items[2].name, "shop_items");
    CHECK(g.items[2].renamed);
    gen_target_set_fini(&g);

    const char *bad[] = {"shop[=x"};
    CHECK_INT_EQ(gen_targets_group(&set, bad, 1, &g, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "--route \"shop[=x\": invalid regular expression");
    const char *unused[] = {"shop\\.customers=clients", "shop\\.nope=x"};
    CHECK_INT_EQ(gen_targets_group(&set, unused, 2, &g, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "--route \"shop\\.nope=x\": matches none of the tables");
    const char *dotted[] = {"shop\\..*=other.t"};
    CHECK_INT_EQ(gen_targets_group(&set, dotted, 1, &g, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "expected REGEX=TARGET");
    for (size_t i = 0; i < 4; i++)
        gen_table_fini(&t[i]);
}

TEST(merge_widens_and_nulls)
{
    gen_table t[2];
    shard(&t[0], "shop_0", "orders", 10, false);
    shard(&t[1], "shop_1", "orders", 12, true);
    gen_table_set set = {.items = t, .count = 2};
    gen_target_set g;
    gen_lines lossy = {0}, notes = {0};
    rt_err err;
    CHECK_OK(gen_targets_group(&set, NULL, 0, &g, &err), &err);
    CHECK_UINT_EQ(g.count, 1);
    gen_target *m = &g.items[0];
    CHECK(!m->renamed);
    CHECK_OK(gen_target_merge(m, &lossy, &notes, &err), &err);
    CHECK_UINT_EQ(m->column_count, 3);
    CHECK_UINT_EQ(m->key_count, 1);
    char ty[64];
    gen_sr_type_format(&m->columns[1].type, ty, sizeof ty);
    CHECK_STR_EQ(ty, "DECIMAL(12,2)");
    CHECK_STR_EQ(m->columns[2].name, "extra");
    CHECK(m->columns[2].nullable);
    CHECK(gen_lines_has(&notes, "orders.extra: missing in 1 of 2 shards: nullable"));
    CHECK(gen_lines_has(&notes, "orders.amount: shards disagree (DECIMAL(10,2), DECIMAL(12,2) in "
                                "shop_1.orders): DECIMAL(12,2) holds both"));
    CHECK_OK(gen_target_add_source(m, &err), &err);
    CHECK_UINT_EQ(m->key_count, 3);
    CHECK_STR_EQ(m->columns[0].name, "id");
    CHECK_STR_EQ(m->columns[1].name, GEN_SOURCE_DB_COLUMN);
    CHECK_STR_EQ(m->columns[2].name, GEN_SOURCE_TABLE_COLUMN);
    CHECK(!m->columns[2].nullable);
    gen_sr_type_format(&m->columns[2].type, ty, sizeof ty);
    CHECK_STR_EQ(ty, "VARCHAR(64)");
    CHECK_STR_EQ(m->columns[3].name, "amount");
    gen_lines_fini(&lossy);
    gen_lines_fini(&notes);
    gen_target_set_fini(&g);
    gen_table_fini(&t[0]);
    gen_table_fini(&t[1]);
}

TEST(different_keys_are_an_error)
{
    gen_table t[2];
    shard(&t[0], "shop_0", "orders", 10, false);
    fx_table(&t[1], "shop_1", "orders", "");
    fx_column(fx_add(&t[1]), "id", "int", "int(11)", NULL, 0, 10, 0, false);
    fx_column(fx_add(&t[1]), "region", "varchar", "varchar(8)", "utf8mb4", 8, 0, 0, false);
    fx_key(&t[1], "id");
    fx_key(&t[1], "region");
    gen_table_set set = {.items = t, .count = 2};
    gen_target_set g;
    gen_lines lossy = {0}, notes = {0};
    rt_err err;
    CHECK_OK(gen_targets_group(&set, NULL, 0, &g, &err), &err);
    CHECK_INT_EQ(gen_target_merge(&g.items[0], &lossy, &notes, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "shards shop_0.orders and shop_1.orders have different keys "
                                "(id) and (id, region)");
    gen_lines_fini(&lossy);
    gen_lines_fini(&notes);
    gen_target_set_fini(&g);
    gen_table_fini(&t[0]);
    gen_table_fini(&t[1]);
}

TEST(incompatible_types_are_an_error)
{
    gen_table t[2];
    shard(&t[0], "a", "t", 10, false);
    fx_table(&t[1], "b", "t", "");
    fx_column(fx_add(&t[1]), "id", "int", "int(11)", NULL, 0, 10, 0, false);
    fx_column(fx_add(&t[1]), "amount", "json", "json", NULL, 0, 0, 0, true);
    fx_key(&t[1], "id");
    gen_table_set set = {.items = t, .count = 2};
    gen_target_set g;
    gen_lines lossy = {0}, notes = {0};
    rt_err err;
    CHECK_OK(gen_targets_group(&set, NULL, 0, &g, &err), &err);
    CHECK_INT_EQ(gen_target_merge(&g.items[0], &lossy, &notes, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "target t column amount (shard b.t): types DECIMAL(10,2) and JSON");
    gen_lines_fini(&lossy);
    gen_lines_fini(&notes);
    gen_target_set_fini(&g);
    gen_table_fini(&t[0]);
    gen_table_fini(&t[1]);
}

static void add_key(gen_key_set *s, const char *a, const char *b)
{
    const char *v[2] = {a, b};
    unsigned long l[2] = {strlen(a), b ? strlen(b) : 0};
    s->keys = realloc(s->keys, (s->count + 1) * sizeof *s->keys);
    s->lens = realloc(s->lens, (s->count + 1) * sizeof *s->lens);
    gen_key_encode(b ? 2 : 1, v, l, &s->keys[s->count], &s->lens[s->count]);
    s->count++;
}

TEST(collision_find)
{
    gen_key_set sets[3] = {{0}};
    add_key(&sets[0], "1", "eu");
    add_key(&sets[0], "2", "eu");
    add_key(&sets[1], "2", "us");
    add_key(&sets[1], "12", "");
    add_key(&sets[2], "1", "e");
    add_key(&sets[2], "ue", "");
    gen_collision c;
    rt_err err;
    /* (1,"e") vs (1,"eu") and ("12","") vs ("1","2...") must not match: lengths are encoded. */
    CHECK_OK(gen_collision_find(sets, 3, &c, &err), &err);
    CHECK_INT_EQ(c.kind, GEN_COLLISION_NONE);
    add_key(&sets[2], "2", "us");
    CHECK_OK(gen_collision_find(sets, 3, &c, &err), &err);
    CHECK_INT_EQ(c.kind, GEN_COLLISION_FOUND);
    CHECK_UINT_EQ(c.shard_a, 1);
    CHECK_UINT_EQ(c.shard_b, 2);
    CHECK_STR_EQ(c.key, "2, us");
    CHECK_STR_EQ(gen_collision_kind_name(c.kind), "found");
    for (size_t i = 0; i < 3; i++)
        gen_key_set_fini(&sets[i]);
    /* Nothing to compare. */
    CHECK_OK(gen_collision_find(sets, 3, &c, &err), &err);
    CHECK_INT_EQ(c.kind, GEN_COLLISION_NONE);
}

TEST(key_render_escapes)
{
    const char *v[1] = {"a\tb"};
    unsigned long l[1] = {3};
    char *k;
    size_t len;
    CHECK_INT_EQ(gen_key_encode(1, v, l, &k, &len), 0);
    char out[32];
    gen_key_render(k, len, out, sizeof out);
    CHECK_STR_EQ(out, "a\\x09b");
    free(k);
}

TEST_MAIN()
