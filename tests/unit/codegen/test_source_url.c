/* Unit tests of jobs/codegen/source_url.c: mysql:// and starrocks:// URLs, and the refusal of
 * passwords in them (without quoting the password). */
#include "jobs/codegen/source_url.h"
#include "tests/harness/test.h"

TEST(mysql_urls)
{
    gen_url u;
    rt_err err;
    CHECK_OK(gen_url_parse_mysql("mysql://sync@db1.example:3307", &u, &err), &err);
    CHECK_STR_EQ(u.user, "sync");
    CHECK_STR_EQ(u.host, "db1.example");
    CHECK_UINT_EQ(u.port, 3307);
    CHECK(u.ssl_mode == NULL);
    gen_url_fini(&u);
    CHECK_OK(gen_url_parse_mysql("mysql://root@127.0.0.1?ssl_mode=disabled", &u, &err), &err);
    CHECK_UINT_EQ(u.port, 3306);
    CHECK_STR_EQ(u.ssl_mode, "disabled");
    gen_url_fini(&u);
}

TEST(starrocks_urls)
{
    gen_url u;
    rt_err err;
    CHECK_OK(gen_url_parse_starrocks("starrocks://loader@fe1:8030/dw?query_port=9031", &u, &err),
             &err);
    CHECK_STR_EQ(u.user, "loader");
    CHECK_STR_EQ(u.host, "fe1");
    CHECK_UINT_EQ(u.port, 8030);
    CHECK_STR_EQ(u.database, "dw");
    CHECK_UINT_EQ(u.query_port, 9031);
    gen_url_fini(&u);
    CHECK_OK(gen_url_parse_starrocks("starrocks://root@fe/dw", &u, &err), &err);
    CHECK_UINT_EQ(u.port, 8030);
    CHECK_UINT_EQ(u.query_port, 9030);
    gen_url_fini(&u);
}

static void bad_mysql(const char *url, const char *want)
{
    gen_url u = {0};
    rt_err err = {0};
    CHECK_INT_EQ(gen_url_parse_mysql(url, &u, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, want);
    CHECK(u.user == NULL);
}

static void bad_sr(const char *url, const char *want)
{
    gen_url u = {0};
    rt_err err = {0};
    CHECK_INT_EQ(gen_url_parse_starrocks(url, &u, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, want);
}

TEST(errors)
{
    bad_mysql("postgres://u@h", "--source: expected a URL starting with mysql://");
    bad_mysql("mysql://h:3306", "needs a user");
    bad_mysql("mysql://u@", "needs a user and a host");
    bad_mysql("mysql://u@h:0", "port \"0\" is not 1..65535");
    bad_mysql("mysql://u@h:99999", "is not 1..65535");
    bad_mysql("mysql://u@h:33x", "is not 1..65535");
    bad_mysql("mysql://u@h/shop", "no database in the URL");
    bad_mysql("mysql://u@h?tls=1", "unknown URL parameter \"tls\"");
    bad_sr("starrocks://u@fe:8030", "needs the database");
    bad_sr("starrocks://u@fe:8030/a/b", "needs the database");
    bad_sr("starrocks://u@fe/dw?query_port=x", "query_port \"x\"");
    bad_sr("starrocks://u@fe/dw?foo=1", "unknown URL parameter \"foo\"");
    bad_sr("starrocks://u@fe/9lives", "database \"9lives\": StarRocks takes a letter");
    bad_sr("starrocks://u@fe/my-db", "database \"my-db\"");
}

TEST(password_in_url_is_refused_unquoted)
{
    gen_url u = {0};
    rt_err err = {0};
    CHECK_INT_EQ(gen_url_parse_mysql("mysql://sync:hunter2@db:3306", &u, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "SLUICE_SOURCE_PASSWORD");
    CHECK(strstr(err.msg, "hunter2") == NULL);
    CHECK_INT_EQ(gen_url_parse_starrocks("starrocks://root:hunter2@fe:8030/dw", &u, &err),
                 RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "SLUICE_TARGET_PASSWORD");
    CHECK(strstr(err.msg, "hunter2") == NULL);
}

TEST_MAIN()
