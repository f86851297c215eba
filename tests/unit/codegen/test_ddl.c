/* Unit tests of jobs/codegen/ddl.c: the CREATE TABLE text of a small schema, byte for byte. */
#include <stdlib.h>

#include "codegen_fixture.h"
#include "jobs/codegen/ddl.h"
#include "jobs/codegen/shard_merge.h"
#include "tests/harness/test.h"

static const char want_orders[] = "CREATE TABLE IF NOT EXISTS `dw`.`orders` (\n"
                                  "    `region` VARCHAR(40) NOT NULL,\n"
                                  "    `id` BIGINT NOT NULL COMMENT \"order \\\"id\\\"\",\n"
                                  "    `amount` DECIMAL(12,2) NOT NULL,\n"
                                  "    `note` VARCHAR(80) NULL COMMENT \"free text\\nline 2\",\n"
                                  "    `odd``name` INT NULL\n"
                                  ")\n"
                                  "ENGINE=OLAP\n"
                                  "PRIMARY KEY (`region`, `id`)\n"
                                  "COMMENT \"all orders\"\n"
                                  "DISTRIBUTED BY HASH(`region`, `id`) BUCKETS 3\n"
                                  "PROPERTIES (\n"
                                  "    \"replication_num\" = \"1\",\n"
                                  "    \"storage_medium\" = \"SSD\"\n"
                                  ");\n";

TEST(create_table_text)
{
    gen_table t;
    fx_table(&t, "shop", "orders", "all orders");
    gen_column *c = fx_add(&t);
    fx_column(c, "id", "bigint", "bigint(20)", NULL, 0, 19, 0, false);
    free(c->comment);
    c->comment = strdup("order \"id\"");
    fx_column(fx_add(&t), "amount", "decimal", "decimal(12,2)", NULL, 0, 12, 2, false);
    c = fx_add(&t);
    fx_column(c, "note", "varchar", "varchar(20)", "utf8mb4", 20, 0, 0, true);
    free(c->comment);
    c->comment = strdup("free text\nline 2");
    c->has_default = true;
    fx_column(fx_add(&t), "region", "char", "char(10)", "utf8mb4", 10, 0, 0, false);
    fx_column(fx_add(&t), "odd`name", "int", "int(11)", NULL, 0, 10, 0, true);
    /* PRIMARY KEY (region, id): key order, not column order. */
    fx_key(&t, "region");
    fx_key(&t, "id");
    t.data_length = 2ull * 1024 * 1024 * 1024 + 1; /* just over 2 GiB: 3 buckets */
    gen_table_set set = {.items = &t, .count = 1};
    gen_target_set targets;
    rt_err err = {0};
    gen_lines lossy = {0}, notes = {0};
    CHECK_OK(gen_targets_group(&set, NULL, 0, &targets, &err), &err);
    CHECK_OK(gen_target_merge(&targets.items[0], &lossy, &notes, &err), &err);
    CHECK(gen_lines_has(&notes, "shop.orders.region: CHAR key becomes VARCHAR(40): StarRocks "
                                "keys cannot be CHAR"));
    CHECK(gen_lines_has(&notes, "shop.orders.note: the DEFAULT is not carried over (StarRocks "
                                "DEFAULT takes only quoted strings; the sync always sends the "
                                "value)"));
    CHECK_UINT_EQ(lossy.count, 0);
    const char *props[] = {"storage_medium=SSD"};
    gen_ddl_options o = {.properties = props, .property_count = 1};
    CHECK_OK(gen_ddl_options_check(&o, &err), &err);
    rt_buf b;
    rt_buf_init(&b);
    gen_ddl_append_table(&b, "dw", &targets.items[0], &o);
    CHECK_STR_EQ(b.data, want_orders);
    rt_buf_fini(&b);
    gen_lines_fini(&lossy);
    gen_lines_fini(&notes);
    gen_target_set_fini(&targets);
    gen_table_fini(&t);
}

TEST(buckets_from_size)
{
    const unsigned long long gib = 1024ull * 1024 * 1024;
    CHECK_UINT_EQ(gen_ddl_buckets(0), 1);
    CHECK_UINT_EQ(gen_ddl_buckets(5), 1);
    CHECK_UINT_EQ(gen_ddl_buckets(gib), 1);
    CHECK_UINT_EQ(gen_ddl_buckets(gib + 1), 2);
    CHECK_UINT_EQ(gen_ddl_buckets(10 * gib), 10);
    CHECK_UINT_EQ(gen_ddl_buckets(1000 * gib), 64);
}

TEST(property_checks)
{
    rt_err err;
    const char *bad1[] = {"novalue"};
    gen_ddl_options o = {.properties = bad1, .property_count = 1};
    CHECK_INT_EQ(gen_ddl_options_check(&o, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "--property \"novalue\": expected key=value");
    const char *bad2[] = {"replication_num=3"};
    o.properties = bad2;
    CHECK_INT_EQ(gen_ddl_options_check(&o, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "--replication-num");
}

TEST_MAIN()
