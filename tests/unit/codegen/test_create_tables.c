/* Unit tests of jobs/codegen/create_tables.c without a server: how existing column types (as
 * StarRocks and sr-endpoint print them in DESC) compare with the types the DDL would create. */
#include "jobs/codegen/create_tables.h"
#include "tests/harness/test.h"

static void norm(const char *in, const char *want)
{
    char out[64];
    gen_sr_type_normalize(in, out, sizeof out);
    CHECK_STR_EQ(out, want);
}

TEST(type_normalization)
{
    norm("BIGINT", "bigint");
    norm("bigint(20)", "bigint");
    norm("int(11)", "int");
    norm("INTEGER", "int");
    norm("largeint(40)", "largeint");
    norm("tinyint(4)", "tinyint");
    norm("STRING", "varchar(65533)");
    norm("varchar(65533)", "varchar(65533)");
    norm("DECIMAL(12,2)", "decimal(12,2)");
    norm("decimal64(12, 2)", "decimal(12,2)");
    norm("DECIMAL128(38,10)", "decimal(38,10)");
    norm("DECIMALV3(10,0)", "decimal(10,0)");
    norm("VARBINARY(16)", "varbinary(16)");
    norm("datetime", "datetime");
    /* Lookalikes stay apart. */
    norm("intx", "intx");
}

TEST_MAIN()
