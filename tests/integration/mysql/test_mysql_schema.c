/* Integration tests of the schema reader against the MariaDB fixture: every column type to its
 * rt_type, composite key order, tables without a primary key, sharded patterns over several
 * databases, exclusions, column lists, and the errors for what does not match. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operators/mysql/schema_reader.h"
#include "tests/harness/mariadb.h"
#include "tests/harness/test.h"
#include "tests/integration/mysql/mysql_it.h"

#define PATH "$.operators[0].config"

/* Runs SQL with every "%P" replaced by this process's prefix. */
static int exec_p(const char *sql)
{
    rt_buf b;
    rt_buf_init(&b);
    for (const char *s = sql; *s; s++) {
        if (s[0] == '%' && s[1] == 'P') {
            rt_buf_append_str(&b, it_prefix());
            s++;
        } else {
            rt_buf_append_char(&b, *s);
        }
    }
    int rc = test_mysql_exec(b.data);
    rt_buf_fini(&b);
    return rc;
}

/* A filter from patterns with %P expanded; columns/chunks JSON likewise. */
static op_mysql_table_filter *filter_p(const char *const *inc, size_t ni, const char *const *exc,
                                       size_t ne, const char *columns, const char *chunks)
{
    char *items[8];
    rt_buf b;
    rt_buf_init(&b);
    const char *src[16];
    size_t n = 0;
    for (size_t i = 0; i < ni; i++)
        src[n++] = inc[i];
    for (size_t i = 0; i < ne; i++)
        src[n++] = exc[i];
    const char *json[2] = {columns, chunks};
    char *jout[2] = {NULL, NULL};
    for (size_t i = 0; i < n + 2; i++) {
        const char *s = i < n ? src[i] : json[i - n];
        if (!s)
            continue;
        rt_buf_reset(&b);
        for (; *s; s++) {
            if (s[0] == '%' && s[1] == 'P') {
                rt_buf_append_str(&b, it_prefix());
                s++;
            } else {
                rt_buf_append_char(&b, *s);
            }
        }
        if (i < n)
            items[i] = strdup(b.data);
        else
            jout[i - n] = strdup(b.data);
    }
    rt_buf_fini(&b);
    rt_strlist in = {items, ni}, ex = {items + ni, ne};
    op_mysql_table_filter *f = NULL;
    rt_err err;
    if (op_mysql_table_filter_new(&in, &ex, jout[0], jout[1], PATH, &f, &err) != 0)
        test_fail(__FILE__, __LINE__, "filter: %s", err.msg);
    for (size_t i = 0; i < n; i++)
        free(items[i]);
    free(jout[0]);
    free(jout[1]);
    return f;
}

static const op_mysql_table_info *find(op_mysql_table_list *l, const char *db_suffix,
                                       const char *name)
{
    char db[128];
    snprintf(db, sizeof db, "%s%s", it_prefix(), db_suffix);
    for (size_t i = 0; i < op_mysql_table_list_count(l); i++) {
        const op_mysql_table_info *t = op_mysql_table_list_get(l, i);
        if (strcmp(rt_table_db(t->table), db) == 0 && strcmp(rt_table_name(t->table), name) == 0)
            return t;
    }
    return NULL;
}

TEST(every_column_type_maps)
{
    CHECK_INT_EQ(exec_p("DROP DATABASE IF EXISTS %P_types; CREATE DATABASE %P_types; "
                        "CREATE TABLE %P_types.all_types ("
                        " c_tinyint TINYINT NOT NULL PRIMARY KEY, c_utinyint TINYINT UNSIGNED,"
                        " c_smallint SMALLINT, c_usmallint SMALLINT UNSIGNED,"
                        " c_mediumint MEDIUMINT, c_umediumint MEDIUMINT UNSIGNED ZEROFILL,"
                        " c_int INT(11), c_uint INT UNSIGNED, c_bigint BIGINT,"
                        " c_ubigint BIGINT UNSIGNED, c_bool BOOLEAN,"
                        " c_decimal DECIMAL(65,30), c_float FLOAT, c_double DOUBLE,"
                        " c_bit1 BIT(1), c_bit64 BIT(64), c_year YEAR,"
                        " c_date DATE, c_time TIME(6), c_datetime DATETIME(6),"
                        " c_timestamp TIMESTAMP(3) NULL,"
                        " c_char CHAR(10) CHARACTER SET utf8mb4, c_varchar VARCHAR(255),"
                        " c_latin VARCHAR(10) CHARACTER SET latin1,"
                        " c_tinytext TINYTEXT, c_text TEXT, c_mediumtext MEDIUMTEXT,"
                        " c_longtext LONGTEXT, c_binary BINARY(16), c_varbinary VARBINARY(64),"
                        " c_tinyblob TINYBLOB, c_blob BLOB, c_mediumblob MEDIUMBLOB,"
                        " c_longblob LONGBLOB, c_enum ENUM('a','b''c'), c_set SET('x','y'),"
                        " c_json JSON, c_geometry GEOMETRY, c_point POINT, c_uuid UUID,"
                        " c_inet6 INET6)"),
                 0);
    static const struct {
        const char *name;
        rt_type type;
    } want[] = {
        {"c_tinyint", RT_TYPE_INT},
        {"c_utinyint", RT_TYPE_UINT},
        {"c_smallint", RT_TYPE_INT},
        {"c_usmallint", RT_TYPE_UINT},
        {"c_mediumint", RT_TYPE_INT},
        {"c_umediumint", RT_TYPE_UINT},
        {"c_int", RT_TYPE_INT},
        {"c_uint", RT_TYPE_UINT},
        {"c_bigint", RT_TYPE_INT},
        {"c_ubigint", RT_TYPE_UINT},
        {"c_bool", RT_TYPE_INT},
        {"c_decimal", RT_TYPE_DECIMAL},
        {"c_float", RT_TYPE_DOUBLE},
        {"c_double", RT_TYPE_DOUBLE},
        {"c_bit1", RT_TYPE_UINT},
        {"c_bit64", RT_TYPE_UINT},
        {"c_year", RT_TYPE_INT},
        {"c_date", RT_TYPE_DATE},
        {"c_time", RT_TYPE_TIME},
        {"c_datetime", RT_TYPE_DATETIME},
        {"c_timestamp", RT_TYPE_DATETIME},
        {"c_char", RT_TYPE_STRING},
        {"c_varchar", RT_TYPE_STRING},
        {"c_latin", RT_TYPE_STRING},
        {"c_tinytext", RT_TYPE_STRING},
        {"c_text", RT_TYPE_STRING},
        {"c_mediumtext", RT_TYPE_STRING},
        {"c_longtext", RT_TYPE_STRING},
        {"c_binary", RT_TYPE_BYTES},
        {"c_varbinary", RT_TYPE_BYTES},
        {"c_tinyblob", RT_TYPE_BYTES},
        {"c_blob", RT_TYPE_BYTES},
        {"c_mediumblob", RT_TYPE_BYTES},
        {"c_longblob", RT_TYPE_BYTES},
        {"c_enum", RT_TYPE_STRING},
        {"c_set", RT_TYPE_STRING},
        /* MariaDB's JSON is LONGTEXT with a json_valid() check: information_schema says
         * longtext, and so does the binlog. */
        {"c_json", RT_TYPE_STRING},
        {"c_geometry", RT_TYPE_BYTES},
        {"c_point", RT_TYPE_BYTES},
        {"c_uuid", RT_TYPE_STRING},
        {"c_inet6", RT_TYPE_STRING},
    };
    op_mysql_conn *c = it_open();
    const char *inc[] = {"%P_types\\.all_types"};
    op_mysql_table_filter *f = filter_p(inc, 1, NULL, 0, NULL, NULL);
    op_mysql_table_list *l = NULL;
    rt_err err;
    if (c && f)
        CHECK_OK(op_mysql_schema_read_tables(c, f, &l, &err), &err);
    if (l) {
        CHECK_UINT_EQ(op_mysql_table_list_count(l), 1);
        const op_mysql_table_info *t = op_mysql_table_list_get(l, 0);
        CHECK_UINT_EQ(rt_table_column_count(t->table), sizeof want / sizeof want[0]);
        for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
            long at = rt_table_column_index(t->table, want[i].name);
            CHECK_INT_EQ(at, (long)i);
            if (at < 0)
                continue;
            const rt_column *col = rt_table_column(t->table, (size_t)at);
            if (col->type != want[i].type)
                test_fail(__FILE__, __LINE__, "%s (%s): %s, want %s", want[i].name, col->sql_type,
                          rt_type_name(col->type), rt_type_name(want[i].type));
            CHECK_UINT_EQ(t->source_positions[i], i);
        }
        const rt_column *col = rt_table_column(t->table, 0);
        CHECK(col->primary_key);
        CHECK(!col->nullable);
        CHECK(rt_table_column(t->table, 1)->nullable);
        CHECK_STR_EQ(rt_table_column(t->table, 5)->sql_type, "mediumint(8) unsigned zerofill");
        CHECK_STR_EQ(rt_table_column(t->table, 11)->sql_type, "decimal(65,30)");
        CHECK_STR_EQ(rt_table_column(t->table, 34)->sql_type, "enum('a','b''c')");
        CHECK(t->charsets[0] == NULL);
        CHECK_STR_EQ(t->charsets[21], "utf8mb4");
        CHECK_STR_EQ(t->charsets[23], "latin1");
        CHECK(t->charsets[28] == NULL); /* BINARY */
        CHECK_UINT_EQ(t->key_count, 1);
        CHECK_UINT_EQ(t->key_columns[0], 0);
        CHECK_UINT_EQ(t->chunk_column, 0);
        CHECK(!t->chunk_column_configured);
    }
    op_mysql_table_list_free(l);
    op_mysql_table_filter_free(f);
    op_mysql_conn_close(c);
    CHECK_INT_EQ(exec_p("DROP DATABASE %P_types"), 0);
}

TEST(composite_key_order_and_estimates)
{
    CHECK_INT_EQ(exec_p("DROP DATABASE IF EXISTS %P_pk; CREATE DATABASE %P_pk; "
                        "CREATE TABLE %P_pk.t (a INT NOT NULL, b VARCHAR(8), c BIGINT NOT NULL,"
                        " d INT, PRIMARY KEY (c, a)); "
                        "INSERT INTO %P_pk.t SELECT seq, 'x', seq * 2, NULL FROM "
                        "mysql.seq_1_to_1000; ANALYZE TABLE %P_pk.t"),
                 0);
    op_mysql_conn *c = it_open();
    const char *inc[] = {"%P_pk\\.t"};
    op_mysql_table_filter *f = filter_p(inc, 1, NULL, 0, NULL, NULL);
    op_mysql_table_info info = {0};
    rt_err err;
    char db[64];
    snprintf(db, sizeof db, "%s_pk", it_prefix());
    if (c && f)
        CHECK_OK(op_mysql_schema_read_table(c, f, db, "t", &info, &err), &err);
    if (info.table) {
        CHECK_UINT_EQ(info.key_count, 2);
        CHECK_UINT_EQ(info.key_columns[0], 2); /* c */
        CHECK_UINT_EQ(info.key_columns[1], 0); /* a */
        CHECK_UINT_EQ(info.chunk_column, 2);
        CHECK_UINT_EQ(rt_table_pk_count(info.table), 2);
        CHECK(rt_table_column(info.table, 0)->primary_key);
        CHECK(!rt_table_column(info.table, 1)->primary_key);
        CHECK(rt_table_column(info.table, 2)->primary_key);
        CHECK(info.row_estimate > 500 && info.row_estimate < 2000);
        CHECK(info.data_size > 0);
        CHECK_UINT_EQ(info.source_column_count, 4);
    }
    op_mysql_table_info_fini(&info);
    op_mysql_table_info_fini(NULL);

    /* A view, a table that does not exist. */
    CHECK_INT_EQ(exec_p("CREATE VIEW %P_pk.v AS SELECT a FROM %P_pk.t"), 0);
    if (c && f) {
        CHECK_INT_EQ(op_mysql_schema_read_table(c, f, db, "v", &info, &err), RT_EINVAL);
        CHECK_STR_CONTAINS(err.msg, "is a VIEW, not a base table");
        CHECK_INT_EQ(op_mysql_schema_read_table(c, f, db, "nope", &info, &err), RT_EINVAL);
        CHECK_STR_CONTAINS(err.msg, ".nope does not exist on 127.0.0.1:");
    }
    op_mysql_table_filter_free(f);
    op_mysql_conn_close(c);
    CHECK_INT_EQ(exec_p("DROP DATABASE %P_pk"), 0);
}

TEST(table_without_primary_key)
{
    CHECK_INT_EQ(exec_p("DROP DATABASE IF EXISTS %P_nopk; CREATE DATABASE %P_nopk; "
                        "CREATE TABLE %P_nopk.log (seq BIGINT NOT NULL, msg TEXT, UNIQUE (seq))"),
                 0);
    op_mysql_conn *c = it_open();
    const char *inc[] = {"%P_nopk\\.log"};
    op_mysql_table_filter *f = filter_p(inc, 1, NULL, 0, NULL, NULL);
    op_mysql_table_list *l = NULL;
    rt_err err;
    if (c && f) {
        CHECK_INT_EQ(op_mysql_schema_read_tables(c, f, &l, &err), RT_EINVAL);
        fprintf(stderr, "  no key: %s\n", err.msg);
        char want[128];
        snprintf(want, sizeof want, "table %s_nopk.log has no primary key: set chunk_key_column",
                 it_prefix());
        CHECK_STR_CONTAINS(err.msg, want);
    }
    op_mysql_table_filter_free(f);

    f = filter_p(inc, 1, NULL, 0, NULL, "{\"%P_nopk\\\\.log\": \"seq\"}");
    if (c && f)
        CHECK_OK(op_mysql_schema_read_tables(c, f, &l, &err), &err);
    if (l) {
        const op_mysql_table_info *t = op_mysql_table_list_get(l, 0);
        CHECK_UINT_EQ(t->key_count, 0);
        CHECK_UINT_EQ(rt_table_pk_count(t->table), 0);
        CHECK_UINT_EQ(t->chunk_column, 0);
        CHECK(t->chunk_column_configured);
    }
    op_mysql_table_list_free(l);
    l = NULL;
    op_mysql_table_filter_free(f);

    f = filter_p(inc, 1, NULL, 0, NULL, "{\"%P_nopk\\\\.log\": \"sequence\"}");
    if (c && f) {
        CHECK_INT_EQ(op_mysql_schema_read_tables(c, f, &l, &err), RT_EINVAL);
        CHECK_STR_CONTAINS(err.msg, PATH ".chunk_key_column[");
        CHECK_STR_CONTAINS(err.msg, "has no column \"sequence\"");
    }
    op_mysql_table_filter_free(f);
    op_mysql_conn_close(c);
    CHECK_INT_EQ(exec_p("DROP DATABASE %P_nopk"), 0);
}

TEST(sharded_patterns_exclusions_and_column_lists)
{
    CHECK_INT_EQ(exec_p("DROP DATABASE IF EXISTS %P_shop_1; DROP DATABASE IF EXISTS %P_shop_2;"
                        "DROP DATABASE IF EXISTS %P_shop_x; CREATE DATABASE %P_shop_1;"
                        "CREATE DATABASE %P_shop_2; CREATE DATABASE %P_shop_x;"
                        "CREATE TABLE %P_shop_1.order_1 (id INT PRIMARY KEY, total DECIMAL(9,2),"
                        " note TEXT);"
                        "CREATE TABLE %P_shop_1.order_2 LIKE %P_shop_1.order_1;"
                        "CREATE TABLE %P_shop_1.order_tmp LIKE %P_shop_1.order_1;"
                        "CREATE TABLE %P_shop_2.order_1 LIKE %P_shop_1.order_1;"
                        "CREATE TABLE %P_shop_2.order_9 LIKE %P_shop_1.order_1;"
                        "CREATE TABLE %P_shop_x.order_1 LIKE %P_shop_1.order_1;"
                        "CREATE TABLE %P_shop_1.customer (id INT PRIMARY KEY, name TEXT);"
                        "CREATE VIEW %P_shop_1.order_3 AS SELECT * FROM %P_shop_1.order_1"),
                 0);
    op_mysql_conn *c = it_open();
    const char *inc[] = {"%P_shop_[0-9]+\\.order_[0-9]+", "%P_shop_1\\.customer"};
    const char *exc[] = {"%P_shop_2\\.order_9"};
    op_mysql_table_filter *f =
        filter_p(inc, 2, exc, 1, "{\"%P_shop_2\\\\..*\": [\"note\", \"id\"]}", NULL);
    op_mysql_table_list *l = NULL;
    rt_err err;
    if (c && f)
        CHECK_OK(op_mysql_schema_read_tables(c, f, &l, &err), &err);
    if (l) {
        CHECK_UINT_EQ(op_mysql_table_list_count(l), 4);
        /* Ordered by db then name. */
        char want[128];
        snprintf(want, sizeof want, "%s_shop_1.customer", it_prefix());
        CHECK_STR_EQ(rt_table_qualified(op_mysql_table_list_get(l, 0)->table), want);
        snprintf(want, sizeof want, "%s_shop_2.order_1", it_prefix());
        CHECK_STR_EQ(rt_table_qualified(op_mysql_table_list_get(l, 3)->table), want);
        CHECK(find(l, "_shop_1", "order_1") != NULL);
        CHECK(find(l, "_shop_1", "order_2") != NULL);
        CHECK(find(l, "_shop_1", "order_tmp") == NULL);
        CHECK(find(l, "_shop_1", "order_3") == NULL); /* a view */
        CHECK(find(l, "_shop_2", "order_9") == NULL); /* excluded */
        CHECK(find(l, "_shop_x", "order_1") == NULL);
        const op_mysql_table_info *t = find(l, "_shop_1", "order_1");
        if (t)
            CHECK_UINT_EQ(rt_table_column_count(t->table), 3);
        t = find(l, "_shop_2", "order_1");
        if (t) {
            /* The listed columns, in table order, with their server positions. */
            CHECK_UINT_EQ(rt_table_column_count(t->table), 2);
            CHECK_STR_EQ(rt_table_column(t->table, 0)->name, "id");
            CHECK_STR_EQ(rt_table_column(t->table, 1)->name, "note");
            CHECK_UINT_EQ(t->source_positions[0], 0);
            CHECK_UINT_EQ(t->source_positions[1], 2);
            CHECK_UINT_EQ(t->source_column_count, 3);
            CHECK_UINT_EQ(t->key_columns[0], 0);
        }
        /* The caller may take a table (to intern it) and still free the list. */
        op_mysql_table_info *first = op_mysql_table_list_get(l, 0);
        rt_table *taken = first->table;
        first->table = NULL;
        rt_table_free(taken);
    }
    op_mysql_table_list_free(l);
    l = NULL;
    op_mysql_table_filter_free(f);

    /* A listed column the table lacks; a list without the key. */
    f = filter_p(inc, 1, NULL, 0, "{\"%P_shop_1\\\\.order_1\": [\"id\", \"totl\"]}", NULL);
    if (c && f) {
        CHECK_INT_EQ(op_mysql_schema_read_tables(c, f, &l, &err), RT_EINVAL);
        fprintf(stderr, "  unknown column: %s\n", err.msg);
        CHECK_STR_CONTAINS(err.msg, PATH ".columns[");
        CHECK_STR_CONTAINS(err.msg, "][1]: table ");
        CHECK_STR_CONTAINS(err.msg, "has no column \"totl\"");
    }
    op_mysql_table_filter_free(f);
    f = filter_p(inc, 1, NULL, 0, "{\"%P_shop_1\\\\.order_1\": [\"total\"]}", NULL);
    if (c && f) {
        CHECK_INT_EQ(op_mysql_schema_read_tables(c, f, &l, &err), RT_EINVAL);
        CHECK_STR_CONTAINS(err.msg, "leaves out primary key column \"id\"");
    }
    op_mysql_table_filter_free(f);

    /* A pattern that matches nothing, exclusions that leave nothing. */
    const char *miss[] = {"%P_shop_1\\.order_1", "%P_shop_1\\.orders"};
    f = filter_p(miss, 2, NULL, 0, NULL, NULL);
    if (c && f) {
        CHECK_INT_EQ(op_mysql_schema_read_tables(c, f, &l, &err), RT_EINVAL);
        fprintf(stderr, "  missing table: %s\n", err.msg);
        CHECK_STR_CONTAINS(err.msg, PATH ".tables[1]: \"");
        CHECK_STR_CONTAINS(err.msg, "\\.orders\" matches no table on 127.0.0.1:");
    }
    op_mysql_table_filter_free(f);
    const char *all_out[] = {"%P_shop_1\\.order_.*"};
    f = filter_p(miss, 1, all_out, 1, NULL, NULL);
    if (c && f) {
        CHECK_INT_EQ(op_mysql_schema_read_tables(c, f, &l, &err), RT_EINVAL);
        CHECK_STR_CONTAINS(err.msg, "exclude_tables leaves out every table");
    }
    op_mysql_table_filter_free(f);
    /* The system schemas are never listed, whatever the pattern. */
    const char *sys[] = {"mysql\\..*"};
    f = filter_p(sys, 1, NULL, 0, NULL, NULL);
    if (c && f) {
        CHECK_INT_EQ(op_mysql_schema_read_tables(c, f, &l, &err), RT_EINVAL);
        CHECK_STR_CONTAINS(err.msg, "matches no table");
    }
    op_mysql_table_filter_free(f);
    op_mysql_conn_close(c);
    CHECK_INT_EQ(exec_p("DROP DATABASE %P_shop_1; DROP DATABASE %P_shop_2;"
                        "DROP DATABASE %P_shop_x"),
                 0);
}

TEST_MAIN()
