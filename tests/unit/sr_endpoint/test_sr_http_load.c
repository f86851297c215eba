/* Tests of sr_http_load: load headers and how JSON/CSV bodies become rows or filtered rows. */
#include "tests/harness/test.h"
#include "tests/sr_endpoint/sr_http_load.h"
#include "tests/sr_endpoint/sr_store_int.h" /* the rows of a batch */
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

/* b(id INT NOT NULL, v VARCHAR(20) NULL, bin VARBINARY(8) NULL) */
static void make_binary_def(sr_table_def *d)
{
    memset(d, 0, sizeof(*d));
    d->name = strdup("b");
    d->column_count = 3;
    d->columns = calloc(3, sizeof(sr_column_def));
    d->columns[0] = col("id", "INT", false, NULL);
    d->columns[1] = col("v", "VARCHAR(20)", true, NULL);
    d->columns[2] = col("bin", "VARBINARY(8)", true, NULL);
    d->key_count = 1;
    d->key_columns = calloc(1, sizeof(char *));
    d->key_columns[0] = strdup("id");
}

/* Loads body[len] into a table made by mk; *batch (if not NULL) takes the rows. */
static result load_n(void (*mk)(sr_table_def *), hdrs *h, const char *body, size_t len,
                     sr_batch **batch)
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
        r.rc = sr_http_load_parse(o, &d, body, len, b, &r.counts, &log, &err);
        snprintf(r.errlog, sizeof(r.errlog), "%s", log.data ? log.data : "");
        r.rows = sr_batch_row_count(b);
        rt_buf_fini(&log);
        if (batch)
            *batch = b;
        else
            sr_batch_free(b);
    }
    snprintf(r.err, sizeof(r.err), "%s", err.msg);
    sr_http_load_opts_free(o);
    sr_table_def_fini(&d);
    return r;
}

static result load_def(void (*mk)(sr_table_def *), hdrs *h, const char *body)
{
    return load_n(mk, h, body, strlen(body), NULL);
}

static result load(hdrs *h, const char *body) { return load_def(make_def, h, body); }

/* Checks that value c of row i of b is NULL (want NULL) or exactly want[0..n). */
static void check_cell(const sr_batch *b, size_t i, size_t c, const char *want, size_t n)
{
    if (i >= b->count) {
        test_fail(__FILE__, __LINE__, "no row %zu", i);
        return;
    }
    const sr_value *v = &b->rows[i].v[c];
    if (!want) {
        CHECK_INT_EQ(v->kind, SR_VALUE_NULL);
        return;
    }
    CHECK(v->kind != SR_VALUE_NULL);
    CHECK_UINT_EQ(v->len, n);
    if (v->len == n && n && memcmp(v->data, want, n) != 0)
        test_fail(__FILE__, __LINE__, "row %zu column %zu differs", i, c);
}

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

/* The dialect the starrocks sink writes (row_format.h) and StarRocks 3.0+ reads (notes §7.1):
 * enclosed fields run over separators and line ends, \ escapes the next byte, a doubled enclose
 * is one, an enclosed \N is text, and VARBINARY takes any bytes. */
TEST(csv_enclose_and_escape)
{
    hdrs h = {{"enclose", "\"", "escape", "\\", NULL}};
    static const char body[] =
        "1\t\"a\tb\nc\r\"\t\"\\\"x\\\\\"\n"          /* v: a<TAB>b<LF>c<CR>; bin: "x\ */
        "2\t\"say \"\"hi\"\"\"\t\\N\n"               /* v: say "hi"; bin: NULL */
        "3\t\"\"\t\"\\\\N\"\n"                       /* v: ""; bin: the text \N */
        "4\tx\t\"\xff\x00\t\n\\\"\x80\"\n"           /* bin: ff 00 09 0a 22 80 */
        "5\t\xff\t\\N\n"                             /* v not UTF-8: filtered */
        "6\t\"ab\"cd\tq";                            /* bytes after the close are kept */
    sr_batch *b = NULL;
    result r = load_n(make_binary_def, &h, body, sizeof body - 1, &b);
    CHECK_INT_EQ(r.rc, 0);
    CHECK_INT_EQ(r.counts.total, 6);
    CHECK_INT_EQ(r.counts.loaded, 5);
    CHECK_INT_EQ(r.counts.filtered, 1);
    CHECK_STR_CONTAINS(r.errlog, "Invalid UTF-8 row");
    if (b && b->count == 5) {
        check_cell(b, 0, 1, "a\tb\nc\r", 6);
        check_cell(b, 0, 2, "\"x\\", 3);
        check_cell(b, 1, 1, "say \"hi\"", 8);
        check_cell(b, 1, 2, NULL, 0);
        check_cell(b, 2, 1, "", 0);
        check_cell(b, 2, 2, "\\N", 2);
        check_cell(b, 3, 1, "x", 1);
        check_cell(b, 3, 2, "\xff\x00\t\n\"\x80", 6);
        check_cell(b, 4, 1, "abcd", 4);
        check_cell(b, 4, 2, "q", 1);
    } else {
        test_fail(__FILE__, __LINE__, "expected 5 rows");
    }
    sr_batch_free(b);
    /* An enclose never closed runs to the end of the body: two fields only. */
    r = load_def(make_binary_def, &h, "7\t\"open\tx\n8\ty\tz\n");
    CHECK_INT_EQ(r.counts.filtered, 1);
    CHECK_STR_CONTAINS(r.errlog, "Expect 3, but got 2");
}

TEST(csv_without_enclose_quotes_are_bytes)
{
    hdrs h = {{NULL}};
    result r = load(&h, "1\t\"a\tb\"\t2\n");
    CHECK_INT_EQ(r.counts.filtered, 1);
    CHECK_STR_CONTAINS(r.errlog, "Expect 3, but got 4");
    /* escape without enclose does nothing outside enclosed fields */
    hdrs e = {{"escape", "\\", NULL}};
    sr_batch *b = NULL;
    const char *body = "1\ta\\b\t\\N\n";
    r = load_n(make_binary_def, &e, body, strlen(body), &b);
    CHECK_INT_EQ(r.counts.loaded, 1);
    if (b && b->count == 1) {
        check_cell(b, 0, 1, "a\\b", 3);
        check_cell(b, 0, 2, NULL, 0);
    }
    sr_batch_free(b);
    /* a multi-byte enclose is refused */
    hdrs bad = {{"enclose", "ab", NULL}};
    r = load(&bad, "");
    CHECK_INT_EQ(r.rc, RT_EINVAL);
    CHECK_STR_CONTAINS(r.err, "Invalid enclose: 'ab'");
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
