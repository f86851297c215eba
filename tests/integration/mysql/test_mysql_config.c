/* Unit tests (no server) of the mysql_cdc connection config and the table filter: defaults,
 * validation messages with JSON paths, password sources and secrecy, server id ranges, regular
 * expressions, column lists and chunk keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operators/mysql/source_config.h"
#include "operators/mysql/table_filter.h"
#include "tests/harness/test.h"

#define PATH "$.operators[0].config"

/* Applies json to a fresh config; returns the code and leaves the message in err. */
static int apply(const char *json, op_mysql_source_config *c, rt_err *err)
{
    memset(c, 0, sizeof *c);
    rt_err_clear(err);
    return rt_config_apply(op_mysql_source_config_fields, c, json, PATH, err);
}

/* Applies and validates json; returns the code. */
static int check(const char *json, rt_err *err)
{
    op_mysql_source_config c;
    int rc = apply(json, &c, err);
    if (rc == 0)
        rc = op_mysql_source_config_validate(&c, PATH, err);
    rt_config_free(op_mysql_source_config_fields, &c);
    return rc;
}

#define BASE "\"user\":\"sync\",\"password\":\"pw\",\"tables\":[\"shop\\\\.orders\"]"

TEST(defaults_apply)
{
    op_mysql_source_config c;
    rt_err err;
    CHECK_OK(apply("{" BASE "}", &c, &err), &err);
    CHECK_STR_EQ(c.host, "127.0.0.1");
    CHECK_INT_EQ(c.port, 3306);
    CHECK_STR_EQ(c.user, "sync");
    CHECK_INT_EQ(c.ssl_mode, OP_MYSQL_SSL_PREFERRED);
    CHECK_INT_EQ(c.connect_timeout_ms, 30000);
    CHECK_STR_EQ(c.server_time_zone, "UTC");
    CHECK_INT_EQ(c.chunk_size, 8096);
    CHECK(c.server_id == NULL);
    CHECK(c.columns == NULL);
    CHECK_UINT_EQ(c.tables.count, 1);
    CHECK_STR_EQ(c.tables.items[0], "shop\\.orders");
    CHECK_OK(op_mysql_source_config_validate(&c, PATH, &err), &err);

    op_mysql_conn_params p;
    op_mysql_source_config_conn_params(&c, "resolved", &p);
    CHECK_STR_EQ(p.host, "127.0.0.1");
    CHECK_UINT_EQ(p.port, 3306);
    CHECK_STR_EQ(p.password, "resolved");
    CHECK_INT_EQ(p.ssl_mode, OP_MYSQL_SSL_PREFERRED);
    CHECK_INT_EQ(p.connect_timeout_ms, 30000);
    rt_config_free(op_mysql_source_config_fields, &c);
}

TEST(required_and_ranges)
{
    rt_err err;
    CHECK_INT_EQ(check("{\"password\":\"pw\",\"tables\":[\"a\\\\.b\"]}", &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, PATH ".user: required key is missing");
    CHECK_INT_EQ(check("{\"user\":\"u\",\"password\":\"pw\"}", &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, PATH ".tables: required key is missing");
    CHECK_INT_EQ(check("{" BASE ",\"port\":70000}", &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, PATH ".port");
    CHECK_INT_EQ(check("{" BASE ",\"chunk_size\":0}", &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, PATH ".chunk_size");
    CHECK_INT_EQ(check("{" BASE ",\"ssl_mode\":\"sometimes\"}", &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, PATH ".ssl_mode");
    CHECK_INT_EQ(check("{" BASE ",\"hots\":\"x\"}", &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "hots");
    CHECK_INT_EQ(check("{" BASE ",\"host\":\"\"}", &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, PATH ".host");
    CHECK_INT_EQ(check("{\"user\":\"u\",\"password\":\"p\",\"tables\":[]}", &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, PATH ".tables: list at least one");
    CHECK_OK(check("{" BASE ",\"connect_timeout\":\"2s\",\"port\":3307}", &err), &err);
}

TEST(password_exactly_one_source)
{
    rt_err err;
    CHECK_INT_EQ(check("{\"user\":\"u\",\"tables\":\"a\\\\.b\"}", &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, PATH ": set one of password, password_env");
    CHECK_INT_EQ(check("{\"user\":\"u\",\"tables\":\"a\\\\.b\",\"password\":\"Hunter2-secret\","
                       "\"password_file\":\"/x\"}",
                       &err),
                 RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, PATH ": set only one of password, password_env and password_file");
    CHECK_STR_CONTAINS(err.msg, "password_file");
    CHECK(strstr(err.msg, "Hunter2-secret") == NULL);
    CHECK_INT_EQ(check("{\"user\":\"u\",\"tables\":\"a\\\\.b\",\"password_env\":\"1BAD\"}", &err),
                 RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, PATH ".password_env");
    CHECK_OK(check("{\"user\":\"u\",\"tables\":\"a\\\\.b\",\"password_env\":\"SLUICE_PW\"}", &err),
             &err);
    CHECK_OK(check("{\"user\":\"u\",\"tables\":\"a\\\\.b\",\"password\":\"\"}", &err), &err);
}

TEST(password_is_secret_in_format)
{
    op_mysql_source_config c;
    rt_err err;
    CHECK_OK(apply("{\"user\":\"u\",\"password\":\"Hunter2-secret\",\"tables\":[\"a\\\\.b\"]}", &c,
                   &err),
             &err);
    char *text = rt_config_format(op_mysql_source_config_fields, &c);
    CHECK(strstr(text, "Hunter2-secret") == NULL);
    CHECK_STR_CONTAINS(text, "\"password\":\"***\"");
    CHECK_STR_CONTAINS(text, "\"user\":\"u\"");
    free(text);
    rt_config_free(op_mysql_source_config_fields, &c);
}

TEST(password_resolution)
{
    op_mysql_source_config c;
    rt_err err;
    char *pw = NULL;

    CHECK_OK(apply("{\"user\":\"u\",\"password\":\"direct\",\"tables\":\"a\\\\.b\"}", &c, &err),
             &err);
    CHECK_OK(op_mysql_source_config_password(&c, PATH, &pw, &err), &err);
    CHECK_STR_EQ(pw, "direct");
    op_mysql_source_config_password_free(pw);
    rt_config_free(op_mysql_source_config_fields, &c);

    CHECK_OK(apply("{\"user\":\"u\",\"password_env\":\"SLUICE_TEST_PW\",\"tables\":\"a\\\\.b\"}",
                   &c, &err),
             &err);
    unsetenv("SLUICE_TEST_PW");
    CHECK_INT_EQ(op_mysql_source_config_password(&c, PATH, &pw, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, PATH ".password_env: environment variable SLUICE_TEST_PW is not "
                                     "set");
    setenv("SLUICE_TEST_PW", "from-env", 1);
    CHECK_OK(op_mysql_source_config_password(&c, PATH, &pw, &err), &err);
    CHECK_STR_EQ(pw, "from-env");
    op_mysql_source_config_password_free(pw);
    unsetenv("SLUICE_TEST_PW");
    rt_config_free(op_mysql_source_config_fields, &c);

    char file[512], json[1024];
    snprintf(file, sizeof file, "%s/pw.txt", test_tmpdir());
    FILE *fp = fopen(file, "w");
    fputs("from-file\r\nsecond line\n", fp);
    fclose(fp);
    snprintf(json, sizeof json, "{\"user\":\"u\",\"password_file\":\"%s\",\"tables\":\"a\\\\.b\"}",
             file);
    CHECK_OK(apply(json, &c, &err), &err);
    CHECK_OK(op_mysql_source_config_password(&c, PATH, &pw, &err), &err);
    CHECK_STR_EQ(pw, "from-file");
    op_mysql_source_config_password_free(pw);
    rt_config_free(op_mysql_source_config_fields, &c);

    fp = fopen(file, "w");
    fclose(fp);
    CHECK_OK(apply(json, &c, &err), &err);
    CHECK_INT_EQ(op_mysql_source_config_password(&c, PATH, &pw, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, PATH ".password_file");
    CHECK_STR_CONTAINS(err.msg, "is empty");
    rt_config_free(op_mysql_source_config_fields, &c);

    snprintf(json, sizeof json, "{\"user\":\"u\",\"password_file\":\"%s/none\",\"tables\":\"a\"}",
             test_tmpdir());
    CHECK_OK(apply(json, &c, &err), &err);
    CHECK_INT_EQ(op_mysql_source_config_password(&c, PATH, &pw, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, PATH ".password_file: cannot open");
    rt_config_free(op_mysql_source_config_fields, &c);
}

TEST(server_id_values_and_ranges)
{
    static const struct {
        const char *json;
        int rc;
        uint32_t first, last;
    } cases[] = {
        {"", 0, 0, 0},
        {",\"server_id\":5400", 0, 5400, 5400},
        {",\"server_id\":\"5400\"", 0, 5400, 5400},
        {",\"server_id\":\"5400-5408\"", 0, 5400, 5408},
        {",\"server_id\":4294967295", 0, 4294967295u, 4294967295u},
        {",\"server_id\":\"5408-5400\"", RT_EINVAL, 0, 0},
        {",\"server_id\":0", RT_EINVAL, 0, 0},
        {",\"server_id\":4294967296", RT_EINVAL, 0, 0},
        {",\"server_id\":\"54a0\"", RT_EINVAL, 0, 0},
        {",\"server_id\":\"5400-\"", RT_EINVAL, 0, 0},
        {",\"server_id\":\"-5\"", RT_EINVAL, 0, 0},
        {",\"server_id\":[5400]", RT_EINVAL, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char json[256];
        snprintf(json, sizeof json, "{" BASE "%s}", cases[i].json);
        op_mysql_source_config c;
        rt_err err;
        CHECK_OK(apply(json, &c, &err), &err);
        uint32_t first = 7, last = 7;
        int rc = op_mysql_source_config_server_ids(&c, PATH, &first, &last, &err);
        CHECK_INT_EQ(rc, cases[i].rc);
        if (rc == 0) {
            CHECK_UINT_EQ(first, cases[i].first);
            CHECK_UINT_EQ(last, cases[i].last);
        } else {
            CHECK_STR_CONTAINS(err.msg, PATH ".server_id: expected");
            CHECK_INT_EQ(op_mysql_source_config_validate(&c, PATH, &err), RT_EINVAL);
        }
        rt_config_free(op_mysql_source_config_fields, &c);
    }
}

TEST(tls_and_time_zone_rules)
{
    rt_err err;
    CHECK_INT_EQ(check("{" BASE ",\"ssl_mode\":\"verify_ca\"}", &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, PATH ".ssl_ca: ssl_mode verify_ca");
    CHECK_OK(check("{" BASE ",\"ssl_mode\":\"verify_identity\",\"ssl_ca\":\"/ca.pem\"}", &err),
             &err);
    CHECK_INT_EQ(check("{" BASE ",\"ssl_cert\":\"/c.pem\"}", &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, PATH ".ssl_key: ssl_cert and ssl_key go together");
    CHECK_INT_EQ(check("{" BASE ",\"ssl_mode\":\"disabled\",\"ssl_ca\":\"/ca.pem\"}", &err),
                 RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, PATH ".ssl_mode");
    CHECK_OK(check("{" BASE ",\"server_time_zone\":\"+08:00\"}", &err), &err);
    CHECK_OK(check("{" BASE ",\"server_time_zone\":\"Asia/Shanghai\"}", &err), &err);
    CHECK_INT_EQ(check("{" BASE ",\"server_time_zone\":\"+25:00\"}", &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, PATH ".server_time_zone");
    CHECK_INT_EQ(check("{" BASE ",\"server_time_zone\":\"8\"}", &err), RT_EINVAL);
}

TEST(bad_regex_names_its_path)
{
    rt_err err;
    CHECK_INT_EQ(check("{\"user\":\"u\",\"password\":\"p\",\"tables\":[\"shop\\\\.orders\","
                       "\"shop[\"]}",
                       &err),
                 RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, PATH ".tables[1]: invalid regular expression \"shop[\": ");
    CHECK_INT_EQ(check("{" BASE ",\"exclude_tables\":[\"(x\"]}", &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, PATH ".exclude_tables[0]: invalid regular expression \"(x\"");
    /* Compiles once wrapped in ^(...)$ but would match any name starting with "a". */
    CHECK_INT_EQ(check("{\"user\":\"u\",\"password\":\"p\",\"tables\":[\"a)|(b\"]}", &err),
                 RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, PATH ".tables[0]: invalid regular expression \"a)|(b\": "
                                     "parentheses not balanced");
    CHECK_INT_EQ(check("{\"user\":\"u\",\"password\":\"p\",\"tables\":[\"\"]}", &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, PATH ".tables[0]: empty regular expression");
}

static op_mysql_table_filter *filter(const char *const *inc, size_t ni, const char *const *exc,
                                     size_t ne, const char *columns, const char *chunks)
{
    rt_strlist in = {(char **)inc, ni}, ex = {(char **)exc, ne};
    op_mysql_table_filter *f = NULL;
    rt_err err;
    int rc = op_mysql_table_filter_new(&in, &ex, columns, chunks, PATH, &f, &err);
    if (rc != 0)
        test_fail(__FILE__, __LINE__, "filter: %s", err.msg);
    return f;
}

TEST(filter_anchors_whole_names)
{
    const char *inc[] = {"shop\\.orders", "shop_[0-9]+\\.order_[0-9]+", "logs\\..*"};
    const char *exc[] = {"logs\\.tmp_.*", "shop_9\\.order_9"};
    op_mysql_table_filter *f = filter(inc, 3, exc, 2, NULL, NULL);
    if (!f)
        return;
    CHECK(op_mysql_table_filter_match(f, "shop", "orders"));
    CHECK(!op_mysql_table_filter_match(f, "shop", "orders_old"));
    CHECK(!op_mysql_table_filter_match(f, "myshop", "orders"));
    CHECK(!op_mysql_table_filter_match(f, "shopXorders", ""));
    CHECK(op_mysql_table_filter_match(f, "shop_1", "order_17"));
    CHECK(op_mysql_table_filter_match(f, "shop_22", "order_3"));
    CHECK(!op_mysql_table_filter_match(f, "shop_x", "order_1"));
    CHECK(!op_mysql_table_filter_match(f, "shop_1", "order_"));
    CHECK(!op_mysql_table_filter_match(f, "shop_9", "order_9"));
    CHECK(op_mysql_table_filter_match(f, "logs", "app"));
    CHECK(!op_mysql_table_filter_match(f, "logs", "tmp_1"));
    CHECK(!op_mysql_table_filter_match(f, "Shop", "orders")); /* names are case-sensitive */

    CHECK_UINT_EQ(op_mysql_table_filter_include_count(f), 3);
    CHECK_STR_EQ(op_mysql_table_filter_include(f, 1), "shop_[0-9]+\\.order_[0-9]+");
    CHECK_STR_EQ(op_mysql_table_filter_include_path(f, 1), PATH ".tables[1]");
    CHECK(op_mysql_table_filter_include_matches(f, 1, "shop_9", "order_9"));
    CHECK(!op_mysql_table_filter_include_matches(f, 0, "shop_9", "order_9"));

    /* Long names take the allocating path. */
    char db[400];
    memset(db, 'x', sizeof db - 1);
    db[sizeof db - 1] = '\0';
    CHECK(!op_mysql_table_filter_match(f, db, db));
    op_mysql_table_filter_free(f);
    op_mysql_table_filter_free(NULL);
}

TEST(filter_column_lists_and_chunk_keys)
{
    const char *inc[] = {"shop\\..*"};
    op_mysql_table_filter *f = filter(
        inc, 1, NULL, 0, "{\"shop\\\\.orders\":[\"id\",\"total\"],\"shop\\\\.o.*\":[\"id\"]}",
        "{\"shop\\\\.log\":\"seq\"}");
    if (!f)
        return;
    const char *const *names;
    size_t count;
    const char *path;
    rt_err err;
    CHECK_OK(op_mysql_table_filter_columns(f, "shop", "items", &names, &count, &path, &err), &err);
    CHECK(names == NULL);
    CHECK_UINT_EQ(count, 0);
    CHECK_OK(op_mysql_table_filter_columns(f, "shop", "other", &names, &count, &path, &err), &err);
    CHECK_UINT_EQ(count, 1);
    CHECK_STR_EQ(names[0], "id");
    CHECK_STR_EQ(path, PATH ".columns[\"shop\\\\.o.*\"]");
    CHECK_INT_EQ(op_mysql_table_filter_columns(f, "shop", "orders", &names, &count, &path, &err),
                 RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "both match table shop.orders");

    const char *col;
    CHECK_OK(op_mysql_table_filter_chunk_key(f, "shop", "log", &col, &path, &err), &err);
    CHECK_STR_EQ(col, "seq");
    CHECK_STR_EQ(path, PATH ".chunk_key_column[\"shop\\\\.log\"]");
    CHECK_OK(op_mysql_table_filter_chunk_key(f, "shop", "logs", &col, NULL, &err), &err);
    CHECK(col == NULL);
    op_mysql_table_filter_free(f);
}

TEST(filter_json_shapes)
{
    rt_err err;
    CHECK_INT_EQ(check("{" BASE ",\"columns\":[\"id\"]}", &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, PATH ".columns: expected an object");
    CHECK_INT_EQ(check("{" BASE ",\"columns\":{\"shop\\\\.orders\":\"id\"}}", &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, PATH ".columns[\"shop\\\\.orders\"]: expected a non-empty array");
    CHECK_INT_EQ(check("{" BASE ",\"columns\":{\"shop\\\\.orders\":[]}}", &err), RT_EINVAL);
    CHECK_INT_EQ(check("{" BASE ",\"columns\":{\"shop\\\\.orders\":[\"id\",3]}}", &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, PATH ".columns[\"shop\\\\.orders\"][1]: expected a column name");
    CHECK_INT_EQ(check("{" BASE ",\"columns\":{\"shop\\\\.orders\":[\"id\",\"id\"]}}", &err),
                 RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "column \"id\" is listed twice");
    CHECK_INT_EQ(check("{" BASE ",\"columns\":{\"shop[\":[\"id\"]}}", &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, PATH ".columns[\"shop[\"]: invalid regular expression");
    CHECK_INT_EQ(check("{" BASE ",\"chunk_key_column\":{\"shop\\\\.log\":[\"a\"]}}", &err),
                 RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, PATH ".chunk_key_column[\"shop\\\\.log\"]: expected a column name");
    CHECK_INT_EQ(check("{" BASE ",\"chunk_key_column\":\"id\"}", &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, PATH ".chunk_key_column: expected an object");
    CHECK_OK(check("{" BASE ",\"columns\":{\"shop\\\\.orders\":[\"id\"]},"
                   "\"chunk_key_column\":{\"shop\\\\.log\":\"seq\"}}",
                   &err),
             &err);
}

/* An operator embeds the rows in its own table, after its own members. */
typedef struct cdc_config {
    int64_t parallel;
    op_mysql_source_config conn;
    char *startup;
} cdc_config;

static const rt_config_field cdc_fields[] = {
    {.key = "parallel", .type = RT_CFG_INT, .def = "1", .offset = offsetof(cdc_config, parallel)},
    OP_MYSQL_SOURCE_CONFIG_FIELDS(offsetof(cdc_config, conn)),
    {.key = "startup",
     .type = RT_CFG_STRING,
     .def = "\"initial\"",
     .offset = offsetof(cdc_config, startup)},
    {0},
};

TEST(fields_embed_in_an_operator_table)
{
    cdc_config c;
    memset(&c, 0, sizeof c);
    rt_err err;
    CHECK_OK(rt_config_apply(cdc_fields, &c,
                             "{\"parallel\":4,\"host\":\"db1\",\"user\":\"u\",\"password\":\"p\","
                             "\"tables\":[\"a\\\\.b\"],\"startup\":\"latest-offset\"}",
                             PATH, &err),
             &err);
    CHECK_INT_EQ(c.parallel, 4);
    CHECK_STR_EQ(c.conn.host, "db1");
    CHECK_INT_EQ(c.conn.port, 3306);
    CHECK_STR_EQ(c.startup, "latest-offset");
    CHECK_OK(op_mysql_source_config_validate(&c.conn, PATH, &err), &err);
    rt_config_free(cdc_fields, &c);
}

TEST(enum_names)
{
    CHECK_STR_EQ(op_mysql_ssl_mode_name(OP_MYSQL_SSL_VERIFY_IDENTITY), "verify_identity");
    CHECK_STR_EQ(op_mysql_ssl_mode_name((op_mysql_ssl_mode)42), "?");
    CHECK_STR_EQ(op_mysql_flavor_name(OP_MYSQL_FLAVOR_MARIADB), "mariadb");
    CHECK_STR_EQ(op_mysql_flavor_name(OP_MYSQL_FLAVOR_MYSQL), "mysql");
}

TEST_MAIN()
