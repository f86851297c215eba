/* Tests of sr_http_load: load headers and how JSON/CSV bodies become rows or filtered rows. */
#include "tests/harness/test.h"
#include "tests/sr_endpoint/sr_http_load.h"
#include "tests/unit/sr_endpoint/sr_test_util.h"

#include <stdlib.h>

/* t(id INT NOT NULL, name VARCHAR(5) NULL, score INT NOT NULL DEFAULT "7") PRIMARY KEY(id) */
static void make_def(sr_table_def *d)
{
    memset(d, 0, sizeof(*d));
    d->name = strdup("t");
    d->column_count = 3;
    d->columns = calloc(3, sizeof(sr_column_def));
    d->columns[0] = col("id", "INT", false, NULL);
    d->columns[1] = col("name", "VARCHAR(5)", true, NULL);
    d->columns[2] = col("score", "INT", false, "7");
    d->key_count = 1;
    d->key_columns = calloc(1, sizeof(char *));
    d->key_columns[0] = strdup("id");
}

typedef struct result {
    int rc;
    char err[512];
    sr_http_load_counts counts;
    char errlog[4096];
    size_t rows;
} result;

/* u(id INT NOT NULL, n INT NULL) */
static void make_nullable_def(sr_table_def *d)
{
    memset(d, 0, sizeof(*d));
    d->name = strdup("u");
    d->column_count = 2;
    d->columns = calloc(2, sizeof(sr_column_def));
    d->columns[0] = col("id", "INT", false, NULL);
    d->columns[1] = col("n", "INT", true, NULL);
    d->key_count = 1;
    d->key_columns = calloc(1, sizeof(char *));
    d->key_columns[0] = strdup("id");
}

static result load_def(void (*mk)(sr_table_def *), hdrs *h, const char *body)
{
    result r;
    memset(&r, 0, sizeof(r));
    sr_table_def d;
    mk(&d);
    sr_http_load_opts *o = NULL;
    rt_err err;
    rt_err_clear(&err);
    r.rc = sr_http_load_opts_parse(get, h, &d, &o, &err);
    if (!r.rc) {
        sr_batch *b = sr_batch_new(&d);
        rt_buf log;
        rt_buf_init(&log);
        r.rc = sr_http_load_parse(o, &d, body, strlen(body), b, &r.counts, &log, &err);
        snprintf(r.errlog, sizeof(r.errlog), "%s", log.data ? log.data : "");
        r.rows = sr_batch_row_count(b);
        rt_buf_fini(&log);
        sr_batch_free(b);
    }
    snprintf(r.err, sizeof(r.err), "%s", err.msg);
    sr_http_load_opts_free(o);
    sr_table_def_fini(&d);
    return r;
}

static result load(hdrs *h, const char *body) { return load_def(make_def, h, body); }

TEST(csv_default_tab_and_null)
{
    hdrs h = {{NULL}};
    result r = load(&h, "1\tab\t3\n2\t\\N\t4\n\n3\tx\n");
    CHECK_INT_EQ(r.rc, 0);
    CHECK_INT_EQ(r.counts.total, 3); /* the blank record is skipped */
    CHECK_INT_EQ(r.counts.loaded, 2);
    CHECK_INT_EQ(r.counts.filtered, 1);
    CHECK_STR_CONTAINS(r.errlog, "Value count does not match column count. Expect 3, but got 2");
}

TEST(csv_hex_separators_and_columns)
{
    hdrs h = {{"column_separator", "\\x01", "row_delimiter", "\\x0D0A", "columns", "id,name,score,__op", NULL}};
    result r = load(&h, "1\x01" "a\x01" "5\x01" "0\r\n2\x01" "b\x01" "6\x01" "1\r\n");
    CHECK_INT_EQ(r.rc, 0);
    CHECK_INT_EQ(r.counts.loaded, 2);
    hdrs bad = {{"columns", "id,name,score=upper(name)", NULL}};
    r = load(&bad, "");
    CHECK_INT_EQ(r.rc, RT_EINVAL);
    CHECK_STR_CONTAINS(r.err, "upper(name)");
}

TEST(too_long_always_filtered_bad_value_by_mode)
{
    hdrs h = {{"column_separator", ",", NULL}};
    result r = load(&h, "1,abcdef,2\n2,ok,notanint\n3,ok,\\N\n");
    /* too long: filtered; bad int into NOT NULL: NULL then filtered; explicit NULL: filtered */
    CHECK_INT_EQ(r.counts.loaded, 0);
    CHECK_INT_EQ(r.counts.filtered, 3);
    CHECK_STR_CONTAINS(r.errlog, "String 'abcdef'(length=6) is too long. The max length of 'name' is 5");
    CHECK_STR_CONTAINS(r.errlog, "Value 'notanint' is out of range");
    hdrs h3 = {{NULL}};
    r = load(&h3, "5\t\xff\t1\n");
    CHECK_INT_EQ(r.counts.filtered, 1);
    CHECK_STR_CONTAINS(r.errlog, "Invalid UTF-8 row");
}

TEST(strict_mode)
{
    /* a value that does not convert into a nullable column: NULL in non-strict mode, the row
     * filtered in strict mode (notes §7.1) */
    hdrs loose = {{"format", "json", NULL}};
    hdrs strict = {{"format", "json", "strict_mode", "true", NULL}};
    const char *body = "{\"id\":1,\"n\":\"x\"}";
    result a = load_def(make_nullable_def, &loose, body);
    CHECK_INT_EQ(a.counts.loaded, 1);
    CHECK_INT_EQ(a.counts.filtered, 0);
    result b = load_def(make_nullable_def, &strict, body);
    CHECK_INT_EQ(b.counts.loaded, 0);
    CHECK_INT_EQ(b.counts.filtered, 1);
    CHECK_STR_CONTAINS(b.errlog, "Value 'x' is out of range. The type of 'n' is INT(11)");
    /* into a NOT NULL column the NULL filters the row in either mode */
    result c = load(&loose, "{\"id\":\"x\"}");
    CHECK_INT_EQ(c.counts.filtered, 1);
}

TEST(json_modes)
{
    hdrs stream = {{"format", "json", NULL}};
    result r = load(&stream, "{\"ID\":1,\"name\":\"a\"}\n{\"id\":2,\"score\":9,\"__op\":1}");
    CHECK_INT_EQ(r.rc, 0);
    CHECK_INT_EQ(r.counts.loaded, 2);
    r = load(&stream, "[{\"id\":1}]");
    CHECK_INT_EQ(r.rc, RT_EINVAL);
    CHECK_STR_EQ(r.err, "JSON data is an array, strip_outer_array must be set true");
    hdrs arr = {{"format", "json", "strip_outer_array", "true", NULL}};
    r = load(&arr, "[{\"id\":1},{\"id\":2,\"__op\":\"delete\"},{\"name\":\"nokey\"}]");
    CHECK_INT_EQ(r.rc, 0);
    CHECK_INT_EQ(r.counts.loaded, 2);
    CHECK_INT_EQ(r.counts.filtered, 1); /* missing key: NULL into NOT NULL */
    r = load(&arr, "{\"id\":1}");
    CHECK_INT_EQ(r.rc, RT_EINVAL);
    CHECK_STR_EQ(r.err, "JSON data is not an array-object, strip_outer_array must be set false");
    hdrs bad = {{"format", "parquet", NULL}};
    r = load(&bad, "");
    CHECK_STR_EQ(r.err, "unknown data format, format=parquet");
    hdrs to = {{"timeout", "abc", NULL}};
    r = load(&to, "");
    CHECK_STR_EQ(r.err, "Invalid timeout format");
}

TEST(columns_without_not_null_column_fails_plan)
{
    hdrs h = {{"columns", "name", NULL}};
    result r = load(&h, "");
    CHECK_INT_EQ(r.rc, RT_EINVAL);
    CHECK_STR_CONTAINS(r.err, "column: id");
    hdrs p = {{"columns", "id,name", "partial_update", "true", NULL}};
    r = load(&p, "1\tz\n");
    CHECK_INT_EQ(r.rc, 0);
    CHECK_INT_EQ(r.counts.loaded, 1);
}

TEST_MAIN()
