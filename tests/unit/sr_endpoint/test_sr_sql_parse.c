/* Unit tests of sr-endpoint's SQL parser (tests/sr_endpoint/sr_sql_parse.c): every accepted form,
 * and every rejection with StarRocks' message; the catalog-side checks through
 * sr_table_def_validate, as the store runs them on CREATE TABLE. */
#include <stdlib.h>

#include "tests/harness/test.h"
#include "tests/sr_endpoint/sr_sql_parse.h"

static sr_sql_stmt *parse_ok(const char *sql)
{
    rt_err err;
    rt_err_clear(&err);
    sr_sql_stmt *st = NULL;
    int rc = sr_sql_parse(sql, &st, &err);
    if (rc != 0 || !st)
        test_fail(__FILE__, __LINE__, "parse of [%s] failed: %d %s", sql, rc, err.msg);
    return st;
}

/* Parses sql expecting a statement of the given kind. */
static sr_sql_stmt *parse_as(const char *sql, sr_sql_kind kind)
{
    sr_sql_stmt *st = parse_ok(sql);
    if (st->kind != kind)
        test_fail(__FILE__, __LINE__, "parse of [%s]: kind %d, want %d", sql, (int)st->kind,
                  (int)kind);
    return st;
}

/* Parses sql expecting failure rc; returns the message (static buffer). */
static const char *parse_err(const char *sql, int want_rc)
{
    static rt_err err;
    rt_err_clear(&err);
    sr_sql_stmt *st = NULL;
    int rc = sr_sql_parse(sql, &st, &err);
    if (rc != want_rc)
        test_fail(__FILE__, __LINE__, "parse of [%s]: rc %d, want %d (%s)", sql, rc, want_rc,
                  err.msg);
    sr_sql_stmt_free(st);
    return err.msg;
}

/* A statement the parser refuses: the code and a piece of the message. */
typedef struct reject_case {
    const char *sql;
    int rc;
    const char *needle;
} reject_case;

static void check_rejects(const reject_case *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *msg = parse_err(c[i].sql, c[i].rc);
        if (!strstr(msg, c[i].needle))
            test_fail(__FILE__, __LINE__, "parse of [%s]: \"%s\" lacks \"%s\"", c[i].sql, msg,
                      c[i].needle);
    }
}

/* Parses a CREATE TABLE and runs the store's validation; returns its message ("" when valid). */
static const char *validate(const char *sql)
{
    static rt_err err;
    rt_err_clear(&err);
    sr_sql_stmt *st = parse_ok(sql);
    if (!st)
        return "(parse failed)";
    CHECK_INT_EQ(st->kind, SR_SQL_CREATE_TABLE);
    sr_table_def_validate(&st->def, &err);
    sr_sql_stmt_free(st);
    return err.msg;
}

TEST(database_statements)
{
    sr_sql_stmt *st = parse_as("CREATE DATABASE d1", SR_SQL_CREATE_DATABASE);
    CHECK_STR_EQ(st->db, "d1");
    CHECK(!st->if_not_exists);
    sr_sql_stmt_free(st);
    st = parse_as("create database if not exists `my db`;", SR_SQL_CREATE_DATABASE);
    CHECK_STR_EQ(st->db, "my db");
    CHECK(st->if_not_exists);
    sr_sql_stmt_free(st);
    st = parse_as("DROP DATABASE IF EXISTS d1 FORCE", SR_SQL_DROP_DATABASE);
    CHECK(st->if_exists);
    sr_sql_stmt_free(st);
    st = parse_as("USE `d1`", SR_SQL_USE);
    CHECK_STR_EQ(st->db, "d1");
    sr_sql_stmt_free(st);
}

TEST(create_table_full)
{
    sr_sql_stmt *st = parse_ok(
        "CREATE TABLE IF NOT EXISTS shop.`orders` (\n"
        "  id BIGINT NOT NULL COMMENT \"order id\",\n"
        "  `name` VARCHAR(300) NULL,\n"
        "  amount DECIMAL(18, 2) NOT NULL DEFAULT \"0\",\n"
        "  updated DATETIME NULL DEFAULT CURRENT_TIMESTAMP\n"
        ") ENGINE = OLAP\n"
        "PRIMARY KEY (id)\n"
        "COMMENT \"the orders\"\n"
        "DISTRIBUTED BY HASH(id) BUCKETS 8\n"
        "ORDER BY (updated)\n"
        "PROPERTIES (\"replication_num\" = \"1\", \"enable_persistent_index\" = \"true\");");
    if (!st)
        return;
    CHECK_INT_EQ(st->kind, SR_SQL_CREATE_TABLE);
    CHECK(st->if_not_exists);
    CHECK_STR_EQ(st->db, "shop");
    CHECK_STR_EQ(st->table, "orders");
    const sr_table_def *d = &st->def;
    CHECK_STR_EQ(d->name, "orders");
    CHECK_INT_EQ(d->column_count, 4);
    CHECK_STR_EQ(d->columns[0].name, "id");
    CHECK_INT_EQ(d->columns[0].type.kind, SR_TYPE_BIGINT);
    CHECK(!d->columns[0].nullable);
    CHECK_STR_EQ(d->columns[0].comment, "order id");
    CHECK_INT_EQ(d->columns[1].type.kind, SR_TYPE_VARCHAR);
    CHECK_INT_EQ(d->columns[1].type.len, 300);
    CHECK(d->columns[1].nullable);
    CHECK(d->columns[1].comment == NULL);
    CHECK_INT_EQ(d->columns[2].type.kind, SR_TYPE_DECIMAL);
    CHECK_INT_EQ(d->columns[2].type.precision, 18);
    CHECK_INT_EQ(d->columns[2].type.scale, 2);
    CHECK_STR_EQ(d->columns[2].default_text, "0");
    CHECK(d->columns[3].default_is_current_timestamp);
    CHECK(d->columns[3].default_text == NULL);
    CHECK_INT_EQ(d->model, SR_MODEL_PRIMARY_KEY);
    CHECK_INT_EQ(d->key_count, 1);
    CHECK_STR_EQ(d->key_columns[0], "id");
    CHECK_STR_EQ(d->comment, "the orders");
    CHECK_INT_EQ(d->distributed_count, 1);
    CHECK_STR_EQ(d->distributed_by[0], "id");
    CHECK_INT_EQ(d->buckets, 8);
    CHECK_INT_EQ(d->prop_count, 2);
    CHECK_STR_EQ(d->prop_keys[1], "enable_persistent_index");
    CHECK_STR_EQ(d->prop_values[1], "true");
    CHECK_STR_EQ(validate("CREATE TABLE t (id BIGINT NOT NULL) PRIMARY KEY(id) "
                          "DISTRIBUTED BY HASH(id)"),
                 "");
    sr_sql_stmt_free(st);
}

TEST(create_table_defaults_of_the_grammar)
{
    /* Unwritten nullability: key columns NOT NULL, others nullable; PK without DISTRIBUTED
     * hashes on the key; no key clause = DUPLICATE KEY on the first column. */
    sr_sql_stmt *st = parse_ok("CREATE TABLE t (k1 INT, k2 VARCHAR(10), v STRING) "
                               "PRIMARY KEY (k1, k2)");
    CHECK(!st->def.columns[0].nullable);
    CHECK(!st->def.columns[1].nullable);
    CHECK(st->def.columns[2].nullable);
    CHECK_INT_EQ(st->def.distributed_count, 2);
    CHECK_INT_EQ(st->def.buckets, 0);
    CHECK(st->db == NULL);
    sr_sql_stmt_free(st);
    st = parse_ok("CREATE TABLE t (a INT, b DOUBLE) DUPLICATE KEY(a) DISTRIBUTED BY RANDOM "
                  "BUCKETS 3");
    CHECK_INT_EQ(st->def.model, SR_MODEL_DUPLICATE_KEY);
    CHECK_INT_EQ(st->def.distributed_count, 0);
    CHECK_INT_EQ(st->def.buckets, 3);
    sr_sql_stmt_free(st);
    st = parse_ok("CREATE TABLE t (a INT, b DATE)");
    CHECK_INT_EQ(st->def.model, SR_MODEL_DUPLICATE_KEY);
    CHECK_INT_EQ(st->def.key_count, 1);
    CHECK_STR_EQ(st->def.key_columns[0], "a");
    CHECK(st->def.columns[1].nullable);
    sr_sql_stmt_free(st);
    st = parse_ok("CREATE TABLE t (a INT NOT NULL DEFAULT NULL COMMENT '', b CHAR(3) "
                  "CHARSET utf8 NULL) PRIMARY KEY(a) DISTRIBUTED BY HASH(a)");
    CHECK(st->def.columns[0].default_text == NULL);
    CHECK_INT_EQ(st->def.columns[1].type.kind, SR_TYPE_CHAR);
    sr_sql_stmt_free(st);
}

TEST(create_table_rejects_like_starrocks)
{
    const char *m =
        parse_err("CREATE TABLE t (id INT NOT NULL DEFAULT 0) PRIMARY KEY(id)", RT_EINVAL);
    CHECK_STR_CONTAINS(m, "Getting syntax error at line 1, column 40");
    CHECK_STR_CONTAINS(m, "Unexpected input '0'");
    static const char *const mysql_types[] = {"TEXT",      "BLOB",      "BOOL",
                                              "TIMESTAMP", "ENUM('a')", "SET('a')",
                                              "YEAR",      "MEDIUMINT", "LONGTEXT"};
    for (size_t i = 0; i < sizeof mysql_types / sizeof mysql_types[0]; i++) {
        char sql[200], want[64];
        snprintf(sql, sizeof sql, "CREATE TABLE t (id INT, c %s) DUPLICATE KEY(id)",
                 mysql_types[i]);
        snprintf(want, sizeof want, "Unexpected input '%.*s'", (int)strcspn(mysql_types[i], "("),
                 mysql_types[i]);
        m = parse_err(sql, RT_EINVAL);
        CHECK_STR_CONTAINS(m, "Getting syntax error");
        CHECK_STR_CONTAINS(m, want);
    }
    m = parse_err("CREATE TABLE t (id INT) PRIMARY KEY(id) DISTRIBUTED BY HASH(id) "
                  "PROPERTIES (\"replication_num\" = \"3\")",
                  RT_EINVAL);
    CHECK_STR_CONTAINS(m, "Table replication num should be less than or equal to the number of "
                          "available BE nodes");
    CHECK_STR_CONTAINS(m, "table=t");
    static const reject_case rejects[] = {
        {"CREATE TABLE t (id INT, v INT) PRIMARY KEY(id) DISTRIBUTED BY HASH(v)", RT_EINVAL,
         "Distribution column[v] is not key column"},
        {"CREATE TABLE t (id INT) PRIMARY KEY(id) DISTRIBUTED BY RANDOM", RT_EINVAL,
         "PRIMARY KEY must use hash distribution"},
        {"CREATE TABLE t (id INT) PRIMARY KEY(nope)", RT_EINVAL, "Key column[nope] doesn't exist"},
        {"CREATE TABLE t (c VARCHAR(0)) DUPLICATE KEY(c)", RT_EINVAL, "Getting analyzing error"},
        {"CREATE TABLE t (id INT) UNIQUE KEY(id)", RT_EUNSUPPORTED,
         "sr-endpoint does not implement UNIQUE KEY"},
        {"CREATE TABLE t (id INT) PRIMARY KEY(id) PARTITION BY RANGE(id) ()", RT_EUNSUPPORTED,
         "PARTITION BY"},
        {"CREATE TABLE t (id INT", RT_EINVAL, "Unexpected input '<EOF>'"},
    };
    check_rejects(rejects, sizeof rejects / sizeof rejects[0]);
}

TEST(create_table_rejects_through_validation)
{
    CHECK_STR_EQ(validate("CREATE TABLE t (v INT, id BIGINT) PRIMARY KEY(id)"),
                 "Key columns should be a ordered prefix of the schema.");
    CHECK_STR_EQ(validate("CREATE TABLE t (a INT, b INT, c INT) PRIMARY KEY(b, a)"),
                 "Key columns should be a ordered prefix of the schema.");
    CHECK_STR_CONTAINS(validate("CREATE TABLE t (id BIGINT NULL) PRIMARY KEY(id)"),
                       "primary key column[id] cannot be nullable");
    static const char *const bad_key_types[] = {"DECIMAL(10,2)", "FLOAT", "DOUBLE", "CHAR(4)"};
    for (size_t i = 0; i < 4; i++) {
        char sql[200];
        snprintf(sql, sizeof sql, "CREATE TABLE t (id %s NOT NULL) PRIMARY KEY(id)",
                 bad_key_types[i]);
        CHECK_STR_CONTAINS(validate(sql), "type not supported");
    }
}

TEST(alter_table)
{
    sr_sql_stmt *st = parse_as("ALTER TABLE d.t ADD COLUMN c2 VARCHAR(20) NULL DEFAULT \"x\" "
                               "AFTER c1",
                               SR_SQL_ADD_COLUMN);
    CHECK_STR_EQ(st->db, "d");
    CHECK_STR_EQ(st->column.name, "c2");
    CHECK_STR_EQ(st->column.default_text, "x");
    CHECK_STR_EQ(st->after, "c1");
    CHECK(!st->first);
    CHECK(st->column_null_given);
    sr_sql_stmt_free(st);
    st = parse_ok("alter table t add column c0 int first");
    CHECK(st->first);
    CHECK(st->after == NULL);
    CHECK(!st->column_null_given);
    CHECK(st->column.nullable);
    sr_sql_stmt_free(st);
    st = parse_as("ALTER TABLE t DROP COLUMN `c 3`", SR_SQL_DROP_COLUMN);
    CHECK_STR_EQ(st->column_name, "c 3");
    sr_sql_stmt_free(st);
    st = parse_as("ALTER TABLE t MODIFY COLUMN v BIGINT NOT NULL", SR_SQL_MODIFY_COLUMN);
    CHECK_INT_EQ(st->column.type.kind, SR_TYPE_BIGINT);
    CHECK(!st->column.nullable);
    CHECK(st->column_null_given);
    sr_sql_stmt_free(st);
    CHECK_STR_CONTAINS(parse_err("ALTER TABLE t ADD COLUMN c INT DEFAULT 1", RT_EINVAL),
                       "Unexpected input '1'");
    st = parse_as("ALTER TABLE d.t RENAME u", SR_SQL_RENAME_TABLE);
    CHECK_STR_EQ(st->db, "d");
    CHECK_STR_EQ(st->new_name, "u");
    CHECK_STR_EQ(st->text, "ALTER TABLE d.t RENAME u");
    sr_sql_stmt_free(st);
    CHECK_STR_CONTAINS(parse_err("ALTER TABLE t RENAME TO u", RT_EINVAL), "Unexpected input 'TO'");
    st = parse_as("ALTER TABLE t RENAME COLUMN a TO `b c`", SR_SQL_RENAME_COLUMN);
    CHECK_STR_EQ(st->column_name, "a");
    CHECK_STR_EQ(st->new_name, "b c");
    sr_sql_stmt_free(st);
    st = parse_as("ALTER TABLE t ADD COLUMN (c1 INT, c2 VARCHAR(4) NOT NULL DEFAULT \"x\" "
                  "COMMENT \"two\") ;",
                  SR_SQL_ADD_COLUMN);
    CHECK_INT_EQ(st->add_column_count, 2);
    CHECK_STR_EQ(st->add_columns[1].name, "c2");
    CHECK_STR_EQ(st->add_columns[1].comment, "two");
    CHECK(!st->add_columns[1].nullable);
    CHECK_STR_EQ(st->text, "ALTER TABLE t ADD COLUMN (c1 INT, c2 VARCHAR(4) NOT NULL DEFAULT "
                           "\"x\" COMMENT \"two\")");
    sr_sql_stmt_free(st);
    st = parse_as("ALTER TABLE t MODIFY COLUMN v BIGINT NULL DEFAULT \"1\" AFTER k",
                  SR_SQL_MODIFY_COLUMN);
    CHECK_STR_EQ(st->after, "k");
    CHECK_STR_EQ(st->column.default_text, "1");
    sr_sql_stmt_free(st);
    st = parse_as("alter table t modify column v bigint first", SR_SQL_MODIFY_COLUMN);
    CHECK(st->first);
    sr_sql_stmt_free(st);
    CHECK_STR_CONTAINS(parse_err("ALTER TABLE t ADD COLUMN a INT, DROP COLUMN b", RT_EUNSUPPORTED),
                       "several ALTER TABLE clauses");
    CHECK_STR_CONTAINS(parse_err("ALTER TABLE t ADD PARTITION p1", RT_EUNSUPPORTED),
                       "sr-endpoint does not implement");
}

TEST(show_alter_table)
{
    sr_sql_stmt *st = parse_as("SHOW ALTER TABLE COLUMN FROM d WHERE TableName = \"t\" AND "
                               "State != 'FINISHED' ORDER BY CreateTime DESC LIMIT 1",
                               SR_SQL_SHOW_ALTER_TABLE);
    CHECK_STR_EQ(st->db, "d");
    CHECK_INT_EQ(st->cond_count, 2);
    CHECK_STR_EQ(st->conds[0].column, "TableName");
    CHECK_STR_EQ(st->conds[0].value.text, "t");
    CHECK_INT_EQ(st->conds[1].op, SR_SQL_OP_NE);
    CHECK_INT_EQ(st->order_count, 1);
    CHECK(st->order[0].desc);
    CHECK_INT_EQ(st->limit, 1);
    sr_sql_stmt_free(st);
    st = parse_as("show alter table column", SR_SQL_SHOW_ALTER_TABLE);
    CHECK(st->db == NULL);
    CHECK_INT_EQ(st->limit, -1);
    sr_sql_stmt_free(st);
    CHECK_STR_CONTAINS(parse_err("SHOW ALTER TABLE COLUMN WHERE JobId = 1", RT_EINVAL),
                       "The columns of TableName/CreateTime/FinishTime/State are supported.");
    CHECK_STR_CONTAINS(parse_err("SHOW ALTER TABLE COLUMN ORDER BY Nope", RT_EINVAL),
                       "Title name[Nope] does not exist");
    CHECK_STR_CONTAINS(parse_err("SHOW ALTER TABLE ROLLUP", RT_EUNSUPPORTED),
                       "sr-endpoint does not implement");
}

TEST(table_statements_and_show)
{
    sr_sql_stmt *st = parse_as("DROP TABLE IF EXISTS d.t", SR_SQL_DROP_TABLE);
    CHECK(st->if_exists);
    CHECK_STR_EQ(st->table, "t");
    sr_sql_stmt_free(st);
    sr_sql_stmt_free(parse_as("TRUNCATE TABLE t", SR_SQL_TRUNCATE_TABLE));
    sr_sql_stmt_free(parse_as("SHOW DATABASES", SR_SQL_SHOW_DATABASES));
    st = parse_as("show tables from d", SR_SQL_SHOW_TABLES);
    CHECK_STR_EQ(st->db, "d");
    sr_sql_stmt_free(st);
    st = parse_as("SHOW CREATE TABLE `d`.`t`", SR_SQL_SHOW_CREATE_TABLE);
    CHECK_STR_EQ(st->db, "d");
    CHECK_STR_EQ(st->table, "t");
    sr_sql_stmt_free(st);
    sr_sql_stmt_free(parse_as("DESC d.t", SR_SQL_DESC));
    st = parse_as("DESCRIBE t", SR_SQL_DESC);
    CHECK(st->db == NULL);
    sr_sql_stmt_free(st);
    st = parse_as("SHOW VARIABLES LIKE 'version%'", SR_SQL_SHOW_VARIABLES);
    CHECK_STR_EQ(st->like, "version%");
    sr_sql_stmt_free(st);
}

TEST(select_from_table)
{
    sr_sql_stmt *st = parse_as("SELECT * FROM d.t WHERE id = 5 AND name != 'x' AND v IS NOT NULL "
                               "ORDER BY a, b DESC LIMIT 10",
                               SR_SQL_SELECT);
    CHECK_INT_EQ(st->column_count, 0);
    CHECK(!st->count_star);
    CHECK_INT_EQ(st->cond_count, 3);
    CHECK_STR_EQ(st->conds[0].column, "id");
    CHECK_INT_EQ(st->conds[0].op, SR_SQL_OP_EQ);
    CHECK_INT_EQ(st->conds[0].value.kind, SR_SQL_LIT_NUMBER);
    CHECK_STR_EQ(st->conds[0].value.text, "5");
    CHECK_INT_EQ(st->conds[1].op, SR_SQL_OP_NE);
    CHECK_STR_EQ(st->conds[1].value.text, "x");
    CHECK_INT_EQ(st->conds[2].op, SR_SQL_OP_IS_NOT_NULL);
    CHECK_INT_EQ(st->order_count, 2);
    CHECK(!st->order[0].desc);
    CHECK(st->order[1].desc);
    CHECK_INT_EQ(st->limit, 10);
    sr_sql_stmt_free(st);
    st = parse_ok("select count(*) from t where k = -3");
    CHECK(st->count_star);
    CHECK_STR_EQ(st->exprs[0].label, "count(*)");
    CHECK_STR_EQ(st->conds[0].value.text, "-3");
    CHECK_INT_EQ(st->limit, -1);
    sr_sql_stmt_free(st);
    st = parse_ok("SELECT a, `b c` FROM t");
    CHECK_INT_EQ(st->column_count, 2);
    CHECK_STR_EQ(st->columns[1], "b c");
    CHECK_INT_EQ(st->expr_count, 0);
    sr_sql_stmt_free(st);
    CHECK_STR_CONTAINS(parse_err("SELECT a FROM t WHERE a IN (1)", RT_EUNSUPPORTED),
                       "WHERE operator");
    CHECK_STR_CONTAINS(parse_err("SELECT a + 1 FROM t", RT_EINVAL), "Unexpected input '+'");
    CHECK_STR_CONTAINS(parse_err("SELECT * FROM t WHERE a = 1 OR b = 2", RT_EUNSUPPORTED),
                       "OR in WHERE");
}

TEST(client_start_up_queries)
{
    sr_sql_stmt *st = parse_as("select @@version_comment limit 1", SR_SQL_SELECT_EXPR);
    CHECK_INT_EQ(st->expr_count, 1);
    CHECK_INT_EQ(st->exprs[0].kind, SR_SQL_EXPR_VARIABLE);
    CHECK_STR_EQ(st->exprs[0].name, "version_comment");
    CHECK_STR_EQ(st->exprs[0].label, "@@version_comment");
    CHECK_INT_EQ(st->limit, 1);
    sr_sql_stmt_free(st);
    st = parse_ok("SELECT DATABASE(), @@session.autocommit AS ac, 1, 'x'");
    CHECK_INT_EQ(st->expr_count, 4);
    CHECK_INT_EQ(st->exprs[0].kind, SR_SQL_EXPR_FUNCTION);
    CHECK_STR_EQ(st->exprs[0].name, "DATABASE");
    CHECK_STR_EQ(st->exprs[0].label, "DATABASE()");
    CHECK_STR_EQ(st->exprs[1].name, "autocommit");
    CHECK_STR_EQ(st->exprs[1].label, "ac");
    CHECK_INT_EQ(st->exprs[2].kind, SR_SQL_EXPR_LITERAL);
    CHECK_STR_EQ(st->exprs[3].literal.text, "x");
    sr_sql_stmt_free(st);
    sr_sql_stmt_free(parse_as("SET NAMES utf8mb4", SR_SQL_SET));
    sr_sql_stmt_free(parse_as(
        "/*!40101 SET character_set_client = utf8 */ SET autocommit=1 -- trailing\n", SR_SQL_SET));
    CHECK_STR_CONTAINS(parse_err("SELECT nope", RT_EINVAL), "Column 'nope' cannot be resolved");
}

TEST(insert)
{
    sr_sql_stmt *st =
        parse_as("INSERT INTO d.t (a, b) VALUES (1, 'x'), (-2.5, NULL)", SR_SQL_INSERT);
    CHECK_INT_EQ(st->insert_column_count, 2);
    CHECK_INT_EQ(st->row_count, 2);
    CHECK_INT_EQ(st->values_per_row, 2);
    CHECK_STR_EQ(st->values[0].text, "1");
    CHECK_INT_EQ(st->values[1].kind, SR_SQL_LIT_STRING);
    CHECK_STR_EQ(st->values[2].text, "-2.5");
    CHECK_INT_EQ(st->values[3].kind, SR_SQL_LIT_NULL);
    sr_sql_stmt_free(st);
    CHECK_STR_CONTAINS(parse_err("INSERT INTO t VALUES (1, 2), (3)", RT_EINVAL), "doesn't match");
    CHECK_STR_CONTAINS(parse_err("INSERT INTO t VALUES (1, 2), (3, 4, 5)", RT_EINVAL),
                       "value count 3 of row 2");
    /* Failures half-way through a row leave nothing behind (ASan checks). */
    CHECK_STR_CONTAINS(parse_err("INSERT INTO t VALUES (1, 'x'", RT_EINVAL), "'<EOF>'");
    CHECK_STR_CONTAINS(parse_err("INSERT INTO t VALUES ('a', -)", RT_EINVAL), "a number");
    CHECK_STR_CONTAINS(parse_err("CREATE TABLE t (a INT, b", RT_EINVAL), "'<EOF>'");
    CHECK_STR_CONTAINS(parse_err("SELECT a FROM t WHERE a = 1 ORDER BY", RT_EINVAL), "'<EOF>'");
}

TEST(several_statements_and_errors)
{
    const char *sql = "CREATE DATABASE a; USE a ;\n -- done\n";
    size_t pos = 0, len = strlen(sql);
    rt_err err;
    rt_err_clear(&err);
    sr_sql_stmt *st = NULL;
    CHECK_OK(sr_sql_parse_next(sql, len, &pos, &st, &err), &err);
    CHECK(st && st->kind == SR_SQL_CREATE_DATABASE);
    sr_sql_stmt_free(st);
    CHECK_OK(sr_sql_parse_next(sql, len, &pos, &st, &err), &err);
    CHECK(st && st->kind == SR_SQL_USE);
    sr_sql_stmt_free(st);
    CHECK_OK(sr_sql_parse_next(sql, len, &pos, &st, &err), &err);
    CHECK(st == NULL);
    CHECK_INT_EQ(pos, len);
    CHECK_STR_CONTAINS(parse_err("SHOW DATABASES; SHOW TABLES", RT_EINVAL),
                       "more than one statement");
    CHECK_STR_CONTAINS(parse_err("FOO BAR", RT_EINVAL),
                       "Getting syntax error at line 1, column 0. Detail message: Unexpected "
                       "input 'FOO'");
    CHECK_STR_CONTAINS(parse_err("SELECT 'abc", RT_EINVAL), "Getting syntax error");
    CHECK_STR_CONTAINS(parse_err("SHOW\n  DATABASES x", RT_EINVAL), "line 2, column 12");
    CHECK_STR_CONTAINS(parse_err("UPDATE t SET a = 1", RT_EUNSUPPORTED),
                       "sr-endpoint does not implement UPDATE");
    CHECK_STR_CONTAINS(parse_err("  ", RT_EINVAL), "Unexpected input '<EOF>'");
    CHECK_STR_EQ(sr_sql_kind_name(SR_SQL_CREATE_TABLE), "CREATE_TABLE");
    CHECK_STR_EQ(sr_sql_op_name(SR_SQL_OP_IS_NOT_NULL), "IS NOT NULL");
    CHECK_STR_EQ(sr_sql_lit_kind_name(SR_SQL_LIT_STRING), "STRING");
    CHECK_STR_EQ(sr_sql_expr_kind_name(SR_SQL_EXPR_COLUMN), "COLUMN");
}

TEST_MAIN()
