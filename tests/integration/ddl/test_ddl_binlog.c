/* Runs table DDL of every form on the MariaDB test server, reads the QUERY events back from the
 * server's binlog file (the datadir of $SLUICE_MARIADB_DIR), parses each statement exactly as
 * the server wrote it and applies it to a schema history; the history's final schemas must be
 * what information_schema shows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operators/mysql/binlog_decode.h"
#include "operators/mysql/binlog_file.h"
#include "operators/mysql/ddl_parse.h"
#include "operators/mysql/schema_history.h"
#include "operators/mysql/schema_reader.h"
#include "tests/harness/mariadb.h"
#include "tests/harness/test.h"
#include "tests/integration/mysql/mysql_it.h"

#define DB "sluice_ddl_it"

static const char *const statements[] = {
    "CREATE TABLE " DB ".t1 (id INT NOT NULL AUTO_INCREMENT, a VARCHAR(10) DEFAULT 'x', "
    "b DECIMAL(10,2), PRIMARY KEY (id), KEY ka (a)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    "/*!40101 ALTER TABLE " DB ".t1 ADD COLUMN c DATETIME(3) NULL AFTER id */",
    "ALTER TABLE `" DB "`.`t1` ADD (d INT, e TEXT), DROP COLUMN b, MODIFY a VARCHAR(20) NOT NULL "
    "FIRST",
    "ALTER TABLE " DB ".t1 CHANGE d dd BIGINT UNSIGNED -- a comment\n, RENAME COLUMN e TO ee",
    "CREATE TABLE " DB ".t2 LIKE " DB ".t1",
    "ALTER TABLE " DB ".t2 DROP PRIMARY KEY, ADD PRIMARY KEY (id, a)",
    "RENAME TABLE " DB ".t1 TO " DB ".t3, " DB ".t2 TO " DB ".t1",
    "ALTER TABLE " DB ".t3 RENAME TO " DB ".t4, ADD INDEX (dd), COMMENT 'renamed'",
    "TRUNCATE TABLE " DB ".t4",
    "CREATE TABLE " DB ".t5 (x INT)",
    "DROP TABLE IF EXISTS " DB ".t5, " DB ".nope",
    "CREATE TABLE " DB
    ".`we``ird` (`se lect` INT /* why not */, # hash comment\n y ENUM('a','b,c') "
    "NOT NULL DEFAULT 'a', z TINYINT(1) KEY)",
    "CREATE TEMPORARY TABLE " DB ".tmp (x INT)",
    "INSERT INTO " DB ".t4 (a, c) VALUES ('q', NOW())",
    /* Defaults of every shape (the values information_schema shows were read from MariaDB
     * 10.11), then changed by ADD, ALTER COLUMN SET / DROP DEFAULT, MODIFY and CHANGE. */
    "CREATE TABLE " DB ".dflt (id INT PRIMARY KEY, a INT DEFAULT '7', b INT NOT NULL DEFAULT 8, "
    "c VARCHAR(10) DEFAULT 'it''s', d VARCHAR(10) DEFAULT 'a\\\\b\\n', e DECIMAL(10,2) DEFAULT "
    "1.5, "
    "f DOUBLE DEFAULT 1e3, g FLOAT DEFAULT 0.1, h DATETIME DEFAULT '2020-01-01', "
    "i DATE DEFAULT '2020-01-01', j TIMESTAMP(3) NULL DEFAULT CURRENT_TIMESTAMP(3), "
    "k DATETIME DEFAULT now(), l INT DEFAULT NULL, m INT, n INT NOT NULL, "
    "o BIT(3) DEFAULT b'101', p ENUM('x','y') DEFAULT 'y', q TINYINT(1) DEFAULT TRUE, "
    "r BIGINT DEFAULT -5, s VARCHAR(5) DEFAULT '', t DOUBLE DEFAULT 1e20, u INT DEFAULT +3, "
    "v CHAR(3) DEFAULT \"dq\", w TIME DEFAULT '10:00', x YEAR DEFAULT 2020, "
    "y INT DEFAULT (1+2), z VARCHAR(10) DEFAULT _utf8mb4'zz', aa DECIMAL(6,3) DEFAULT -1.23456, "
    "bb VARCHAR(10) DEFAULT '7', cc DATETIME(6) DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE "
    "CURRENT_TIMESTAMP(6), dd DOUBLE DEFAULT 1e-5, ee DOUBLE DEFAULT 0.001, ff INT DEFAULT 0x10, "
    "gg VARCHAR(4) DEFAULT x'4142', hh DATETIME(3) DEFAULT '2020-01-01', "
    "ii TIME(2) DEFAULT '10:00', jj INT DEFAULT '7.6', kk BIT(4) DEFAULT 5, "
    "ll INT NOT NULL DEFAULT (abs(-3)), mm JSON DEFAULT '{\"a\": 1}', nn FLOAT DEFAULT 3.14159, "
    "oo DOUBLE DEFAULT 123456789012345678, pp FLOAT DEFAULT 1e7, qq DOUBLE DEFAULT -0.5, "
    "rr DECIMAL(8,0) DEFAULT 12.5, ss VARCHAR(10) DEFAULT 12.50, tt INT DEFAULT 1.5e1)",
    "ALTER TABLE " DB ".dflt ADD COLUMN add1 INT NOT NULL DEFAULT 7, ALTER COLUMN a SET DEFAULT 9, "
    "ALTER COLUMN c DROP DEFAULT, MODIFY b BIGINT NOT NULL DEFAULT '12', "
    "CHANGE s s2 VARCHAR(6) DEFAULT 'ch'",
    "ALTER TABLE " DB ".dflt ALTER e SET DEFAULT '2.255', ALTER m SET DEFAULT 4",
    "CREATE TABLE " DB ".done (x INT)",
};

/* The schema of DB.table from information_schema, in op_schema_history_describe_at's form. */
static char *server_describe(const char *table)
{
    char sql[2048];
    snprintf(
        sql, sizeof sql,
        "SELECT GROUP_CONCAT(CONCAT(c.COLUMN_NAME, '\\t', c.COLUMN_TYPE, '\\t', "
        "c.IS_NULLABLE, '\\t', IFNULL(c.COLUMN_DEFAULT, ''), '\\t', "
        "IFNULL((SELECT k.ORDINAL_POSITION FROM "
        "information_schema.KEY_COLUMN_USAGE k WHERE k.TABLE_SCHEMA = c.TABLE_SCHEMA AND "
        "k.TABLE_NAME = c.TABLE_NAME AND k.COLUMN_NAME = c.COLUMN_NAME AND "
        "k.CONSTRAINT_NAME = 'PRIMARY'), 0)) ORDER BY c.ORDINAL_POSITION SEPARATOR '\\n') "
        "FROM information_schema.COLUMNS c WHERE c.TABLE_SCHEMA = '%s' AND c.TABLE_NAME = '%s'",
        DB, table);
    char *rows = test_mysql_scalar(sql);
    if (!rows)
        return NULL;
    rt_buf out;
    rt_buf_init(&out);
    rt_buf_append(&out, "", 0);
    for (char *line = rows, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *f[5] = {line, NULL, NULL, NULL, NULL};
        for (int i = 1; i < 5 && f[i - 1]; i++) {
            f[i] = strchr(f[i - 1], '\t');
            if (f[i])
                *f[i]++ = '\0';
        }
        if (!f[4])
            break;
        if (out.len)
            rt_buf_append_str(&out, ", ");
        rt_buf_appendf(&out, "%s ", f[0]);
        rt_buf type;
        rt_buf_init(&type);
        op_ddl_type_normalize(f[1], &type);
        rt_buf_append_str(&out, type.data);
        if (strcmp(f[2], "NO") == 0)
            rt_buf_append_str(&out, " NOT NULL");
        rt_buf dflt;
        rt_buf_init(&dflt);
        if (op_ddl_default_normalize(f[3], strlen(f[3]), type.data, &dflt))
            rt_buf_appendf(&out, " DEFAULT %s", dflt.data);
        rt_buf_fini(&dflt);
        rt_buf_fini(&type);
        if (strcmp(f[4], "0") != 0)
            rt_buf_appendf(&out, " PK%s", f[4]);
    }
    free(rows);
    return rt_buf_take(&out);
}

typedef struct replay {
    op_schema_history *h;
    size_t ddl_seen;  /* table DDL statements of DB applied */
    size_t none_seen; /* QUERY events of DB that are not table DDL */
    bool done;
} replay;

static bool names_db(const op_ddl *d)
{
    for (size_t i = 0; i < op_ddl_table_count(d); i++)
        if (strcmp(op_ddl_table_at(d, i)->db, DB) == 0)
            return true;
    return false;
}

/* Reads one binlog file from offset `from` on, applying the table DDL of DB. */
static void replay_file(replay *r, const char *path, const char *name, uint64_t from)
{
    op_binlog_file *f = NULL;
    rt_err err;
    CHECK_OK(op_binlog_file_open(path, &f, &err), &err);
    if (!f)
        return;
    op_binlog_decoder *dec = op_binlog_decoder_new();
    while (!r->done) {
        const uint8_t *ev;
        size_t len;
        uint64_t off;
        bool eof;
        if (op_binlog_file_next(f, &ev, &len, &off, &eof, &err) != 0 || eof)
            break; /* the open file may end in an event still being written */
        op_binlog_event e;
        int rc = op_binlog_decoder_decode(dec, ev, len, &e, &err);
        CHECK_OK(rc, &err);
        if (rc || off < from || e.skipped)
            continue;
        if (e.header.type != OP_BINLOG_QUERY_EVENT &&
            e.header.type != OP_BINLOG_QUERY_COMPRESSED_EVENT)
            continue;
        op_ddl *d = NULL;
        rc = op_ddl_parse(e.query.sql, e.query.sql_len, e.query.db, e.query.db_len, &d, &err);
        if (rc) {
            test_fail(__FILE__, __LINE__, "%.*s: %s", (int)e.query.sql_len, e.query.sql, err.msg);
            continue;
        }
        if (!d) {
            if (e.query.sql_len > 0 && memmem(e.query.sql, e.query.sql_len, DB, strlen(DB)))
                r->none_seen++;
            continue;
        }
        if (names_db(d)) {
            op_schema_pos pos = {name, off + len};
            bool applied = false;
            CHECK_OK(op_schema_history_apply(r->h, d, pos, &applied, &err), &err);
            CHECK(applied);
            r->ddl_seen++;
            if (strcmp(op_ddl_table_at(d, 0)->table, "done") == 0)
                r->done = true;
        }
        op_ddl_free(d);
    }
    op_binlog_decoder_free(dec);
    op_binlog_file_close(f);
}

/* Column by column (a table too wide for server_describe's GROUP_CONCAT): the defaults the
 * history holds from the binlog's DDL are information_schema's COLUMN_DEFAULT, normalised as the
 * schema reader normalises it; and that text is MariaDB's own but for expressions' spacing. */
static void check_defaults(const op_schema_history *h, const char *table, op_schema_pos end)
{
    rt_table *t = NULL;
    rt_err err;
    CHECK_OK(op_schema_history_table_at(h, DB, table, end, &t, &err), &err);
    if (!t)
        return;
    for (size_t i = 0; i < rt_table_column_count(t); i++) {
        const rt_column *c = rt_table_column(t, i);
        char sql[1024];
        snprintf(sql, sizeof sql,
                 "SELECT CONCAT(COLUMN_TYPE, '\\t', IFNULL(COLUMN_DEFAULT, '')) FROM "
                 "information_schema.COLUMNS WHERE TABLE_SCHEMA = '%s' AND TABLE_NAME = '%s' "
                 "AND COLUMN_NAME = '%s'",
                 DB, table, c->name);
        char *row = test_mysql_scalar(sql);
        CHECK(row != NULL);
        char *tab = row ? strchr(row, '\t') : NULL;
        CHECK(tab != NULL);
        if (!tab) {
            free(row);
            continue;
        }
        *tab++ = '\0';
        rt_buf type, want;
        rt_buf_init(&type);
        rt_buf_init(&want);
        op_ddl_type_normalize(row, &type);
        bool has = op_ddl_default_normalize(tab, strlen(tab), type.data, &want);
        fprintf(stderr, "%s.%s %s: server %s, binlog DDL %s\n", table, c->name, type.data,
                *tab ? tab : "(none)", c->default_value ? c->default_value : "(none)");
        CHECK_STR_EQ(c->default_value ? c->default_value : "(none)", has ? want.data : "(none)");
        /* Literals are printed as the server prints them. */
        if (has && strchr(tab, '(') == NULL)
            CHECK_STR_EQ(want.data, tab);
        rt_buf_fini(&type);
        rt_buf_fini(&want);
        free(row);
    }
    /* The schema reader (what a start or restart reads) gives every column the same default:
     * a restart does not see a change of defaults. */
    op_mysql_conn *conn = it_open();
    char pattern[256];
    snprintf(pattern, sizeof pattern, DB "\\.%s", table);
    char *items[] = {pattern};
    rt_strlist in = {items, 1}, ex = {NULL, 0};
    op_mysql_table_filter *f = NULL;
    CHECK_OK(op_mysql_table_filter_new(&in, &ex, NULL, NULL, "$", &f, &err), &err);
    op_mysql_table_info info = {0};
    if (conn && f)
        CHECK_OK(op_mysql_schema_read_table(conn, f, DB, table, &info, &err), &err);
    if (info.table) {
        CHECK_UINT_EQ(rt_table_column_count(info.table), rt_table_column_count(t));
        for (size_t i = 0; i < rt_table_column_count(t) && i < rt_table_column_count(info.table);
             i++) {
            const char *h_def = rt_table_column(t, i)->default_value;
            const char *r_def = rt_table_column(info.table, i)->default_value;
            CHECK_STR_EQ(r_def ? r_def : "(none)", h_def ? h_def : "(none)");
        }
    }
    op_mysql_table_info_fini(&info);
    op_mysql_table_filter_free(f);
    op_mysql_conn_close(conn);
    rt_table_free(t);
}

TEST(binlog_ddl_replays_to_information_schema)
{
    const char *dir = getenv("SLUICE_MARIADB_DIR");
    char start[600];
    CHECK(dir != NULL);
    CHECK_INT_EQ(test_mysql_exec("DROP DATABASE IF EXISTS " DB "; CREATE DATABASE " DB), 0);
    CHECK_INT_EQ(test_mysql_binlog_pos(start, sizeof start), 0);
    if (!dir)
        return;
    for (size_t i = 0; i < sizeof statements / sizeof statements[0]; i++)
        CHECK_INT_EQ(test_mysql_exec(statements[i]), 0);

    /* "mysql-bin.000003:1234": read that file from 1234, then the ones after it (another test
     * may have rotated the log meanwhile) until the last statement is seen. */
    char *colon = strrchr(start, ':');
    CHECK(colon != NULL);
    if (!colon)
        return;
    *colon = '\0';
    uint64_t from = strtoull(colon + 1, NULL, 10);
    char *dot = strrchr(start, '.');
    CHECK(dot != NULL);
    if (!dot)
        return;
    unsigned long seq = strtoul(dot + 1, NULL, 10);
    size_t base_len = (size_t)(dot - start);
    replay r = {op_schema_history_new(), 0, 0, false};
    for (unsigned n = 0; n < 50 && !r.done; n++) {
        char name[640], path[2048];
        snprintf(name, sizeof name, "%.*s.%06lu", (int)base_len, start, seq + n);
        snprintf(path, sizeof path, "%s/data/%s", dir, name);
        FILE *probe = fopen(path, "rb");
        if (!probe)
            break;
        fclose(probe);
        replay_file(&r, path, name, n == 0 ? from : 0);
    }
    CHECK(r.done);
    /* Every table DDL above but the temporary table's, which the server does not log in ROW
     * format (or logs in a form that is not a table DDL). */
    CHECK_UINT_EQ(r.ddl_seen, 16);

    const char *tables[] = {"t1", "t4", "we`ird", "done"};
    char endfile[700];
    snprintf(endfile, sizeof endfile, "%.*s.999999", (int)base_len, start);
    op_schema_pos end = {endfile, 0}; /* after every file of this test */
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char *want = server_describe(tables[i]);
        rt_buf got;
        rt_buf_init(&got);
        rt_err err;
        CHECK_OK(op_schema_history_describe_at(r.h, DB, tables[i], end, &got, &err), &err);
        CHECK_STR_EQ(got.data, want);
        fprintf(stderr, "%s.%s: %s\n", DB, tables[i], got.data ? got.data : "");
        rt_table *t = NULL;
        CHECK_OK(op_schema_history_table_at(r.h, DB, tables[i], end, &t, &err), &err);
        rt_table_free(t);
        rt_buf_fini(&got);
        free(want);
    }
    check_defaults(r.h, "dflt", end);
    rt_buf got;
    rt_buf_init(&got);
    rt_err err;
    CHECK_INT_EQ(op_schema_history_describe_at(r.h, DB, "t3", end, &got, &err), RT_ENOTFOUND);
    CHECK_INT_EQ(op_schema_history_describe_at(r.h, DB, "t5", end, &got, &err), RT_ENOTFOUND);
    CHECK_INT_EQ(op_schema_history_describe_at(r.h, DB, "t2", end, &got, &err), RT_ENOTFOUND);
    rt_buf_fini(&got);
    op_schema_history_free(r.h);
    test_mysql_exec("DROP DATABASE IF EXISTS " DB);
}

TEST_MAIN()
