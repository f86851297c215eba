/* row_format and table_meta: every value type in JSON and CSV as StarRocks parses it, __op for
 * primary-key tables (-U dropped, -D = 1), duplicate-key tables refusing changes unless
 * append_changes, CSV enclosing/escaping, columns the target lacks left out, and SHOW CREATE
 * TABLE texts parsed into a model and key columns. */
#include "tests/harness/test.h"

#include <math.h>
#include <stdlib.h>

#include "operators/starrocks/row_format.h"
#include "operators/starrocks/table_meta.h"
#include "runtime/batch.h"

/* A table with one column of every value type: id (key), i, u, d, dec, s, b, dt, tm, dtm, j. */
static rt_table *all_types_table(void)
{
    rt_column cols[] = {
        {.name = "id", .type = RT_TYPE_INT, .primary_key = true},
        {.name = "i", .type = RT_TYPE_INT, .nullable = true},
        {.name = "u", .type = RT_TYPE_UINT, .nullable = true},
        {.name = "d", .type = RT_TYPE_DOUBLE, .nullable = true},
        {.name = "dec", .type = RT_TYPE_DECIMAL, .nullable = true},
        {.name = "s", .type = RT_TYPE_STRING, .nullable = true},
        {.name = "b", .type = RT_TYPE_BYTES, .nullable = true},
        {.name = "dt", .type = RT_TYPE_DATE, .nullable = true},
        {.name = "tm", .type = RT_TYPE_TIME, .nullable = true},
        {.name = "dtm", .type = RT_TYPE_DATETIME, .nullable = true},
        {.name = "j", .type = RT_TYPE_JSON, .nullable = true},
    };
    rt_err err = {0};
    rt_table *t = rt_table_new("src", "items", cols, sizeof cols / sizeof cols[0], &err);
    CHECK(t != NULL);
    return t;
}

/* Fills record r (of all_types_table) with a row of distinctive values. */
static void fill_row(rt_batch *b, rt_record *r, int64_t id, const char *s, size_t slen,
                     const char *bytes, size_t blen)
{
    r->values[0] = (rt_value){.type = RT_TYPE_INT, .i = id};
    r->values[1] = (rt_value){.type = RT_TYPE_INT, .i = INT64_MIN};
    r->values[2] = (rt_value){.type = RT_TYPE_UINT, .u = UINT64_MAX};
    r->values[3] = (rt_value){.type = RT_TYPE_DOUBLE, .d = 0.1};
    CHECK_INT_EQ(
        rt_batch_set_str(b, &r->values[4], RT_TYPE_DECIMAL, "-12345678901234567890.0100", 26), 0);
    CHECK_INT_EQ(rt_batch_set_str(b, &r->values[5], RT_TYPE_STRING, s, slen), 0);
    CHECK_INT_EQ(rt_batch_set_str(b, &r->values[6], RT_TYPE_BYTES, bytes, blen), 0);
    r->values[7] = (rt_value){.type = RT_TYPE_DATE, .t = {.year = 2024, .month = 2, .day = 29}};
    r->values[8] = (rt_value){.type = RT_TYPE_TIME,
                              .t = {.neg = 1, .hour = 838, .minute = 59, .second = 58, .usec = 7}};
    r->values[9] = (rt_value){.type = RT_TYPE_DATETIME,
                              .t = {.year = 1999,
                                    .month = 12,
                                    .day = 31,
                                    .hour = 23,
                                    .minute = 59,
                                    .second = 59,
                                    .usec = 123456}};
    CHECK_INT_EQ(rt_batch_set_str(b, &r->values[10], RT_TYPE_JSON, "{\"a\":[1,\"x\"]}", 13), 0);
}

static op_sr_table_meta *meta_of(const char *ddl)
{
    op_sr_table_meta *m = NULL;
    rt_err err = {0};
    CHECK_OK(op_sr_table_meta_parse(ddl, strlen(ddl), &m, &err), &err);
    return m;
}

static const char *PK_DDL =
    "CREATE TABLE `items` (\n"
    "  `id` bigint(20) NOT NULL COMMENT \"key, (not) a comma\",\n"
    "  `i` bigint(20) NULL COMMENT \"\",\n  `u` largeint(40) NULL,\n  `d` double NULL,\n"
    "  `dec` varchar(40) NULL,\n  `s` varchar(65533) NULL DEFAULT \"a,b\",\n"
    "  `b` varbinary(100) NULL,\n  `dt` date NULL,\n  `tm` varchar(20) NULL,\n"
    "  `dtm` datetime NULL,\n  `j` json NULL,\n"
    "  INDEX idx_s (`s`) USING BITMAP COMMENT 'x'\n"
    ") ENGINE=OLAP\nPRIMARY KEY(`id`)\nCOMMENT \"OLAP\"\nDISTRIBUTED BY HASH(`id`) BUCKETS 1\n"
    "PROPERTIES (\n\"replication_num\" = \"1\"\n);";

TEST(meta_parses_primary_key_table)
{
    op_sr_table_meta *m = meta_of(PK_DDL);
    if (!m)
        return;
    CHECK_INT_EQ(op_sr_table_meta_model(m), OP_SR_MODEL_PRIMARY_KEY);
    CHECK_UINT_EQ(op_sr_table_meta_column_count(m), 11);
    CHECK_STR_EQ(op_sr_table_meta_column_name(m, 0), "id");
    CHECK_STR_EQ(op_sr_table_meta_column_type(m, 0), "bigint(20)");
    CHECK(op_sr_table_meta_column_is_key(m, 0));
    CHECK(!op_sr_table_meta_column_is_key(m, 1));
    CHECK_STR_EQ(op_sr_table_meta_column_name(m, 10), "j");
    CHECK_INT_EQ(op_sr_table_meta_column_index(m, "DTM"), 9);
    CHECK_INT_EQ(op_sr_table_meta_column_index(m, "idx_s"), -1);
    op_sr_table_meta_free(m);
}

TEST(meta_parses_duplicate_and_default_models)
{
    op_sr_table_meta *m = meta_of("CREATE TABLE log (k INT NOT NULL, `v` VARCHAR(10)) "
                                  "DUPLICATE KEY(k, `v`) DISTRIBUTED BY RANDOM");
    if (m) {
        CHECK_INT_EQ(op_sr_table_meta_model(m), OP_SR_MODEL_DUPLICATE_KEY);
        CHECK(op_sr_table_meta_column_is_key(m, 0) && op_sr_table_meta_column_is_key(m, 1));
        CHECK_STR_EQ(op_sr_table_meta_column_type(m, 1), "varchar(10)");
        op_sr_table_meta_free(m);
    }
    m = meta_of("create table t (a decimal(10, 2), b int) ENGINE=OLAP");
    if (m) {
        CHECK_INT_EQ(op_sr_table_meta_model(m), OP_SR_MODEL_DUPLICATE_KEY);
        CHECK_STR_EQ(op_sr_table_meta_column_type(m, 0), "decimal(10,2)");
        op_sr_table_meta_free(m);
    }
    m = meta_of("CREATE TABLE u (a INT, b INT) UNIQUE KEY(a)");
    if (m) {
        CHECK_INT_EQ(op_sr_table_meta_model(m), OP_SR_MODEL_UNIQUE_KEY);
        op_sr_table_meta_free(m);
    }
}

TEST(meta_rejects_malformed)
{
    static const char *bad[] = {
        "",
        "SELECT 1",
        "CREATE TABLE t",
        "CREATE TABLE t (a INT",
        "CREATE TABLE t () ENGINE=OLAP",
        "CREATE TABLE t (a INT) PRIMARY KEY(b)",
        "CREATE TABLE t (a INT) PRIMARY KEY(a",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        op_sr_table_meta *m = NULL;
        rt_err err = {0};
        int rc = op_sr_table_meta_parse(bad[i], strlen(bad[i]), &m, &err);
        if (rc != RT_EINVAL)
            test_fail(__FILE__, __LINE__, "\"%s\" -> %d", bad[i], rc);
        CHECK(m == NULL);
        op_sr_table_meta_free(m);
    }
}

/* Formats records of kinds[] (rows with ids 1..n) into out. Returns the first failure code. */
static int format_rows(const op_sr_row_format_options *o, const rt_table *t,
                       const op_sr_table_meta *meta, const rt_rowkind *kinds, size_t n, rt_buf *out,
                       size_t *written_rows, rt_err *err)
{
    op_sr_row_format *f = NULL;
    int rc = op_sr_row_format_new(o, t, meta, "dst.items", &f, err);
    if (rc != 0)
        return rc;
    rt_batch *b = rt_batch_new(NULL);
    *written_rows = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        rt_record *r = rt_batch_add(b, kinds[i], t);
        fill_row(b, r, (int64_t)i + 1, "caf\xc3\xa9", 5, "raw", 3);
        bool w = false;
        rc = op_sr_row_format_append(f, r, out, &w, err);
        *written_rows += w;
    }
    rt_batch_unref(b);
    op_sr_row_format_free(f);
    return rc;
}

static const char *JSON_ROW_1 =
    "{\"id\":1,\"i\":-9223372036854775808,\"u\":\"18446744073709551615\",\"d\":0.10000000000000001,"
    "\"dec\":\"-12345678901234567890.0100\",\"s\":\"caf\xc3\xa9\",\"b\":\"raw\","
    "\"dt\":\"2024-02-29\",\"tm\":\"-838:59:58.000007\",\"dtm\":\"1999-12-31 23:59:59.123456\","
    "\"j\":{\"a\":[1,\"x\"]}";

TEST(json_primary_key_every_type_and_op)
{
    rt_table *t = all_types_table();
    op_sr_table_meta *m = meta_of(PK_DDL);
    op_sr_row_format_options o = {.format = OP_SR_FORMAT_JSON, .model = OP_SR_MODEL_PRIMARY_KEY};
    rt_rowkind kinds[] = {RT_ROW_INSERT, RT_ROW_UPDATE_BEFORE, RT_ROW_UPDATE_AFTER, RT_ROW_DELETE};
    rt_buf out;
    rt_buf_init(&out);
    rt_err err = {0};
    size_t written = 0;
    CHECK_OK(format_rows(&o, t, m, kinds, 4, &out, &written, &err), &err);
    CHECK_UINT_EQ(written, 3); /* -U dropped */
    /* Row 2 was the -U: dropped; row 3 (+U) is an upsert, row 4 (-D) a delete. */
    const char *tail = JSON_ROW_1 + strlen("{\"id\":1");
    char want[4096];
    snprintf(want, sizeof want,
             "{\"id\":1%s,\"__op\":0}\n{\"id\":3%s,\"__op\":0}\n{\"id\":4%s,\"__op\":1}\n", tail,
             tail, tail);
    CHECK_STR_EQ(out.data, want);
    rt_buf_fini(&out);
    op_sr_table_meta_free(m);
    rt_table_free(t);
}

TEST(json_values_edge_cases)
{
    rt_column cols[] = {{.name = "id", .type = RT_TYPE_INT, .primary_key = true},
                        {.name = "v", .type = RT_TYPE_DOUBLE, .nullable = true}};
    rt_err err = {0};
    rt_table *t = rt_table_new("src", "e", cols, 2, &err);
    op_sr_row_format_options o = {.format = OP_SR_FORMAT_JSON, .model = OP_SR_MODEL_DUPLICATE_KEY};
    op_sr_row_format *f = NULL;
    CHECK_OK(op_sr_row_format_new(&o, t, NULL, "dst.e", &f, &err), &err);
    CHECK_STR_EQ(op_sr_row_format_columns(f), "id,v");
    rt_batch *b = rt_batch_new(NULL);
    rt_buf out;
    rt_buf_init(&out);
    bool w = false;
    rt_record *r = rt_batch_add(b, RT_ROW_INSERT, t);
    r->values[0] = (rt_value){.type = RT_TYPE_UINT, .u = (uint64_t)INT64_MAX};
    /* NULL stays null */
    CHECK_OK(op_sr_row_format_append(f, r, &out, &w, &err), &err);
    CHECK_STR_EQ(out.data, "{\"id\":9223372036854775807,\"v\":null}\n");
    rt_buf_reset(&out);
    r->values[1] = (rt_value){.type = RT_TYPE_DOUBLE, .d = -1.5e300};
    CHECK_OK(op_sr_row_format_append(f, r, &out, &w, &err), &err);
    CHECK_STR_EQ(out.data, "{\"id\":9223372036854775807,\"v\":-1.5000000000000001e+300}\n");
    rt_buf_reset(&out);
    /* Control characters and quotes in strings are JSON-escaped. */
    CHECK_OK(rt_batch_set_str(b, &r->values[1], RT_TYPE_STRING, "a\"b\\c\n\td", 8), &err);
    CHECK_OK(op_sr_row_format_append(f, r, &out, &w, &err), &err);
    CHECK_STR_EQ(out.data, "{\"id\":9223372036854775807,\"v\":\"a\\\"b\\\\c\\n\\td\"}\n");
    rt_buf_reset(&out);
    /* Binary that is not UTF-8 cannot travel in JSON: refused, nothing written. */
    CHECK_OK(rt_batch_set_str(b, &r->values[1], RT_TYPE_BYTES, "\xff\x00\x80", 3), &err);
    CHECK_INT_EQ(op_sr_row_format_append(f, r, &out, &w, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "format");
    CHECK_UINT_EQ(out.len, 0);
    /* Empty JSON document text is NULL rather than invalid JSON. */
    CHECK_OK(rt_batch_set_str(b, &r->values[1], RT_TYPE_JSON, "", 0), &err);
    CHECK_OK(op_sr_row_format_append(f, r, &out, &w, &err), &err);
    CHECK_STR_EQ(out.data, "{\"id\":9223372036854775807,\"v\":null}\n");
    rt_buf_fini(&out);
    rt_batch_unref(b);
    op_sr_row_format_free(f);
    rt_table_free(t);
}

TEST(csv_every_type_and_escaping)
{
    rt_table *t = all_types_table();
    op_sr_table_meta *m = meta_of(PK_DDL);
    op_sr_row_format_options o = {.format = OP_SR_FORMAT_CSV, .model = OP_SR_MODEL_PRIMARY_KEY};
    op_sr_row_format *f = NULL;
    rt_err err = {0};
    CHECK_OK(op_sr_row_format_new(&o, t, m, "dst.items", &f, &err), &err);
    CHECK_STR_EQ(op_sr_row_format_columns(f), "id,i,u,d,dec,s,b,dt,tm,dtm,j,__op");
    rt_batch *b = rt_batch_new(NULL);
    rt_record *r = rt_batch_add(b, RT_ROW_DELETE, t);
    fill_row(b, r, 7, "tab\there \"q\" back\\slash\nline", 28, "\xff\t\x00", 3);
    rt_buf out;
    rt_buf_init(&out);
    bool w = false;
    CHECK_OK(op_sr_row_format_append(f, r, &out, &w, &err), &err);
    CHECK(w);
    static const char want[] =
        "7\t-9223372036854775808\t18446744073709551615\t0.10000000000000001\t"
        "-12345678901234567890.0100\t\"tab\there \\\"q\\\" back\\\\slash\nline\"\t"
        "\"\xff\t\0\"\t2024-02-29\t-838:59:58.000007\t1999-12-31 23:59:59.123456\t"
        "\"{\\\"a\\\":[1,\\\"x\\\"]}\"\t1\n";
    CHECK_UINT_EQ(out.len, sizeof want - 1);
    CHECK(out.len == sizeof want - 1 && memcmp(out.data, want, out.len) == 0);
    /* NULL is \N; a string "\N" is enclosed so it is not read as NULL; empty stays empty. */
    rt_buf_reset(&out);
    for (size_t i = 1; i < 11; i++)
        r->values[i] = (rt_value){.type = RT_TYPE_NULL};
    CHECK_OK(rt_batch_set_str(b, &r->values[5], RT_TYPE_STRING, "\\N", 2), &err);
    CHECK_OK(rt_batch_set_str(b, &r->values[6], RT_TYPE_BYTES, "", 0), &err);
    r->kind = RT_ROW_INSERT;
    CHECK_OK(op_sr_row_format_append(f, r, &out, &w, &err), &err);
    CHECK_STR_EQ(out.data, "7\t\\N\t\\N\t\\N\t\\N\t\"\\\\N\"\t\t\\N\t\\N\t\\N\t\\N\t0\n");
    rt_buf_fini(&out);
    rt_batch_unref(b);
    op_sr_row_format_free(f);
    op_sr_table_meta_free(m);
    rt_table_free(t);
}

TEST(duplicate_key_refuses_changes_unless_append_changes)
{
    rt_table *t = all_types_table();
    op_sr_table_meta *m = meta_of("CREATE TABLE items (id BIGINT, s VARCHAR(10), op VARCHAR(2)) "
                                  "DUPLICATE KEY(id)");
    rt_rowkind kinds[] = {RT_ROW_INSERT, RT_ROW_UPDATE_AFTER};
    rt_buf out;
    rt_buf_init(&out);
    rt_err err = {0};
    size_t written = 0;
    op_sr_row_format_options o = {.format = OP_SR_FORMAT_JSON, .model = OP_SR_MODEL_DUPLICATE_KEY};
    CHECK_INT_EQ(format_rows(&o, t, m, kinds, 2, &out, &written, &err), RT_EINVAL);
    CHECK_UINT_EQ(written, 1);
    CHECK_STR_CONTAINS(err.msg, "duplicate_key");
    CHECK_STR_CONTAINS(err.msg, "+U");
    CHECK_STR_CONTAINS(err.msg, "append_changes");
    /* Only the target's columns go out: id and s; no __op. */
    CHECK_STR_EQ(out.data, "{\"id\":1,\"s\":\"caf\xc3\xa9\"}\n");
    rt_buf_reset(&out);
    o.append_changes = true;
    rt_rowkind all[] = {RT_ROW_INSERT, RT_ROW_UPDATE_BEFORE, RT_ROW_UPDATE_AFTER, RT_ROW_DELETE};
    CHECK_OK(format_rows(&o, t, m, all, 4, &out, &written, &err), &err);
    CHECK_UINT_EQ(written, 4);
    CHECK_STR_EQ(out.data, "{\"id\":1,\"s\":\"caf\xc3\xa9\",\"op\":\"+I\"}\n"
                           "{\"id\":2,\"s\":\"caf\xc3\xa9\",\"op\":\"-U\"}\n"
                           "{\"id\":3,\"s\":\"caf\xc3\xa9\",\"op\":\"+U\"}\n"
                           "{\"id\":4,\"s\":\"caf\xc3\xa9\",\"op\":\"-D\"}\n");
    rt_buf_reset(&out);
    o.format = OP_SR_FORMAT_CSV;
    CHECK_OK(format_rows(&o, t, m, all + 3, 1, &out, &written, &err), &err);
    CHECK_STR_EQ(out.data, "1\tcaf\xc3\xa9\t-D\n");
    rt_buf_fini(&out);
    op_sr_table_meta_free(m);
    /* append_changes without an `op` column in the target is a configuration error. */
    m = meta_of("CREATE TABLE items (id BIGINT, s VARCHAR(10)) DUPLICATE KEY(id)");
    op_sr_row_format *f = NULL;
    CHECK_INT_EQ(op_sr_row_format_new(&o, t, m, "dst.items", &f, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "`op`");
    op_sr_table_meta_free(m);
    rt_table_free(t);
}

TEST(primary_key_target_needs_its_key)
{
    rt_column cols[] = {{.name = "name", .type = RT_TYPE_STRING}};
    rt_err err = {0};
    rt_table *t = rt_table_new("src", "items", cols, 1, &err);
    op_sr_table_meta *m = meta_of(PK_DDL);
    op_sr_row_format_options o = {.format = OP_SR_FORMAT_JSON, .model = OP_SR_MODEL_PRIMARY_KEY};
    op_sr_row_format *f = NULL;
    CHECK_INT_EQ(op_sr_row_format_new(&o, t, m, "dst.items", &f, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "'id'");
    CHECK(f == NULL);
    op_sr_table_meta_free(m);
    rt_table_free(t);
}

TEST_MAIN()
