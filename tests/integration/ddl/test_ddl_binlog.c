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
#include "tests/harness/mariadb.h"
#include "tests/harness/test.h"

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
    "CREATE TABLE " DB ".done (x INT)",
};

/* The schema of DB.table from information_schema, in op_schema_history_describe_at's form. */
static char *server_describe(const char *table)
{
    char sql[2048];
    snprintf(
        sql, sizeof sql,
        "SELECT GROUP_CONCAT(CONCAT(c.COLUMN_NAME, '\\t', c.COLUMN_TYPE, '\\t', "
        "c.IS_NULLABLE, '\\t', IFNULL((SELECT k.ORDINAL_POSITION FROM "
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
        char *f[4] = {line, NULL, NULL, NULL};
        for (int i = 1; i < 4 && f[i - 1]; i++) {
            f[i] = strchr(f[i - 1], '\t');
            if (f[i])
                *f[i]++ = '\0';
        }
        if (!f[3])
            break;
        if (out.len)
            rt_buf_append_str(&out, ", ");
        rt_buf_appendf(&out, "%s ", f[0]);
        op_ddl_type_normalize(f[1], &out);
        if (strcmp(f[2], "NO") == 0)
            rt_buf_append_str(&out, " NOT NULL");
        if (strcmp(f[3], "0") != 0)
            rt_buf_appendf(&out, " PK%s", f[3]);
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
    CHECK_UINT_EQ(r.ddl_seen, 13);

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
