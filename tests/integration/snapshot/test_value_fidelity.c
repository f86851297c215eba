/* Value fidelity of the mysql_cdc source on both of its paths, against the MariaDB fixture: real
 * jobs (mysql_cdc -> print) read one table through the snapshot (startup "snapshot") and through
 * the binlog (specific-offset before the INSERTs, stop latest-offset), with server_time_zone
 * "+08:00" and "America/New_York" (its DST changes; the zone is loaded into the server's time
 * zone tables with mariadb-tzinfo-to-sql). Every value of both outputs must equal what SELECT
 * shows in a session with that time_zone: TIMESTAMP as CAST(x AS CHAR), BINARY(n) as HEX(x)
 * (padded with 0x00), spatial columns as HEX(ST_AsBinary(x)). An unknown zone fails the job
 * with a message naming server_time_zone. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/base/buf.h"
#include "runtime/value.h"
#include "tests/harness/mariadb.h"
#include "tests/harness/test.h"
#include "tests/integration/cdc/cdc_check.h"
#include "tests/integration/cdc/cdc_run.h"
#include "tests/integration/mysql/mysql_it.h"

static char db[64];
static char start_file[128];
static unsigned long start_pos;
static unsigned next_server_id = 8850;

#define ROWS 24

/* Column name, and how SELECT shows it: 'T' temporal text, 'B' HEX of bytes, 'G' HEX of WKB. */
static const struct {
    const char *name;
    char how;
} columns[] = {
    {"ts", 'T'}, {"ts0", 'T'}, {"dt", 'T'}, {"bn", 'B'},  {"bn1", 'B'}, {"vb", 'B'},  {"g", 'G'},
    {"pt", 'G'}, {"ls", 'G'},  {"pg", 'G'}, {"mpt", 'G'}, {"mls", 'G'}, {"mpg", 'G'}, {"gc", 'G'},
};
#define NCOLS (sizeof columns / sizeof columns[0])

static const char *const ts_values[] = {
    "'1970-01-01 00:00:01'",        "'2038-01-19 03:14:07.999999'", "'2024-03-10 06:59:59.5'",
    "'2024-03-10 07:00:00'",        "'2024-11-03 05:30:00.25'",     "'2024-11-03 06:30:00'",
    "'2024-02-29 20:00:00.000001'", "'0000-00-00 00:00:00'",        "NULL",
    "'1999-12-31 16:00:00'",
};
static const char *const bn_values[] = {"X''",           "X'61'", "X'6100620000'", "X'0000000000'",
                                        "X'FFFFFFFFFF'", "NULL",  "X'00000000FF'"};
static const char *const geom_values[] = {
    "ST_GeomFromText('POINT(1 2)')",
    "ST_GeomFromText('POINT(1.5 -2.25)', 4326)",
    "ST_GeomFromText('LINESTRING(0 0,1 1,2 3)', 3857)",
    "ST_GeomFromText('POLYGON((0 0,4 0,4 4,0 4,0 0),(1 1,2 1,2 2,1 2,1 1))')",
    "ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 1),LINESTRING(0 0,1 1))', 4326)",
    "NULL",
};

static void setup(void)
{
    cdc_check_exec("DROP DATABASE IF EXISTS %s; CREATE DATABASE %s", db, db);
    cdc_check_exec(
        "CREATE TABLE %s.t (id INT PRIMARY KEY, ts TIMESTAMP(6) NULL DEFAULT NULL,"
        " ts0 TIMESTAMP NULL DEFAULT NULL, dt DATETIME(3), bn BINARY(5), bn1 BINARY(1),"
        " vb VARBINARY(5), g GEOMETRY, pt POINT, ls LINESTRING, pg POLYGON, mpt MULTIPOINT,"
        " mls MULTILINESTRING, mpg MULTIPOLYGON, gc GEOMETRYCOLLECTION)",
        db);
    /* where the binlog job starts: before the rows */
    char pos[256];
    CHECK_INT_EQ(test_mysql_binlog_pos(pos, sizeof pos), 0);
    char *colon = strrchr(pos, ':');
    CHECK(colon != NULL);
    if (colon) {
        *colon = '\0';
        snprintf(start_file, sizeof start_file, "%.100s", pos);
        start_pos = strtoul(colon + 1, NULL, 10);
    }
    rt_buf sql;
    rt_buf_init(&sql);
    /* UTC session: the instants above are UTC; '' sql_mode lets the zero TIMESTAMP in */
    rt_buf_appendf(&sql, "SET time_zone = '+00:00'; SET sql_mode = ''; INSERT INTO %s.t VALUES ",
                   db);
    size_t nts = sizeof ts_values / sizeof ts_values[0];
    size_t nbn = sizeof bn_values / sizeof bn_values[0];
    size_t ng = sizeof geom_values / sizeof geom_values[0];
    for (int i = 0; i < ROWS; i++) {
        const char *gv = geom_values[i % ng];
        rt_buf_appendf(&sql,
                       "%s(%d, %s, %s, '2024-03-10 06:59:59.123', %s, %s, %s, %s, %s,"
                       " %s, %s, %s, %s, %s, %s)",
                       i ? "," : "", i + 1, ts_values[i % nts], ts_values[(i + 3) % nts],
                       bn_values[i % nbn], i % 3 ? "X''" : "X'00'", bn_values[(i + 2) % nbn], gv,
                       i % 4 == 3 ? "NULL"
                       : i % 2    ? "ST_GeomFromText('POINT(-1 7.5)', 4326)"
                                  : "ST_GeomFromText('POINT(0 0)')",
                       i % 2 ? "ST_GeomFromText('LINESTRING(1 1,2 2)', 4326)"
                             : "ST_GeomFromText('LINESTRING(0 0,0 1,1 1)')",
                       i % 2 ? "ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))', 4326)" : "NULL",
                       "ST_GeomFromText('MULTIPOINT(1 1,2 2)', 4326)",
                       "ST_GeomFromText('MULTILINESTRING((0 0,1 1),(2 2,3 3))')",
                       "ST_GeomFromText('MULTIPOLYGON(((0 0,1 0,1 1,0 0)),((5 5,6 5,6 6,5 5)))',"
                       " 4326)",
                       i % 2 ? "ST_GeomFromText('GEOMETRYCOLLECTION(POINT(3 4))', 4326)"
                             : "ST_GeomFromText('GEOMETRYCOLLECTION EMPTY')");
    }
    CHECK_INT_EQ(test_mysql_exec(sql.data), 0);
    rt_buf_fini(&sql);
}

/* Loads zone into the server's time zone tables unless it is there: named zones in SELECT. */
static bool load_server_zone(const char *zone)
{
    char q[256];
    snprintf(q, sizeof q, "SELECT COUNT(*) FROM mysql.time_zone_name WHERE Name = '%s'", zone);
    char *have = test_mysql_scalar(q);
    bool there = have && atoi(have) > 0;
    free(have);
    if (there)
        return true;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "mariadb-tzinfo-to-sql /usr/share/zoneinfo/%s %s 2>/dev/null", zone,
             zone);
    FILE *f = popen(cmd, "r");
    rt_buf sql;
    rt_buf_init(&sql);
    rt_buf_append_str(&sql, "USE mysql;\n");
    char buf[8192];
    size_t n;
    while (f && (n = fread(buf, 1, sizeof buf, f)) > 0)
        rt_buf_append(&sql, buf, n);
    int st = f ? pclose(f) : -1;
    int rc = st == 0 ? test_mysql_exec(sql.data) : -1;
    rt_buf_fini(&sql);
    if (rc != 0)
        test_fail(__FILE__, __LINE__, "cannot load %s into the server (%s)", zone, cmd);
    return rc == 0;
}

/* Runs mysql_cdc -> print into out with the given startup and extra config; the job must finish
 * (expect_fail NULL) or fail with a message containing expect_fail. */
static void run_job(const char *zone, const char *startup, const char *extra, const char *out,
                    const char *expect_fail)
{
    test_mysql_params tp;
    if (!test_mysql_params_get(&tp))
        return;
    unlink(out);
    char json[4096];
    snprintf(json, sizeof json,
             "{\"name\":\"fid\",\"restart\":{\"strategy\":\"none\"},\"operators\":["
             "{\"id\":\"src\",\"type\":\"mysql_cdc\",\"config\":{\"host\":\"%s\",\"port\":%u,"
             "\"user\":\"%s\",\"password_env\":\"SLUICE_MYSQL_PASSWORD\",\"ssl_mode\":"
             "\"disabled\",\"server_id\":%u,\"tables\":[\"%s\\\\.t\"],"
             "\"server_time_zone\":\"%s\",\"startup\":%s%s}},"
             "{\"id\":\"out\",\"type\":\"print\",\"inputs\":[\"src\"],\"config\":{\"path\":\"%s\"}}"
             "]}",
             tp.host, tp.port, tp.user, next_server_id++, db, zone, startup, extra, out);
    cdc_run r;
    if (cdc_run_start_json(&r, json, NULL, 0)) {
        rt_job_master_status s = rt_job_master_wait(r.jm, 120000);
        rt_err err = {0};
        if (s == RT_JOB_MASTER_FAILED)
            rt_job_master_failure(r.jm, &err);
        if (expect_fail) {
            CHECK_INT_EQ(s, RT_JOB_MASTER_FAILED);
            CHECK_STR_CONTAINS(err.msg, expect_fail);
        } else {
            if (s == RT_JOB_MASTER_FAILED)
                test_fail(__FILE__, __LINE__, "job failed: %s", err.msg);
            CHECK_INT_EQ(s, RT_JOB_MASTER_FINISHED);
        }
        if (s != RT_JOB_MASTER_FINISHED && s != RT_JOB_MASTER_FAILED) {
            rt_job_master_cancel(r.jm);
            rt_job_master_wait(r.jm, 30000);
        }
    }
    cdc_run_free(&r);
}

/* expected[row][col]: the changelog JSON of what SELECT shows in a session with time_zone. */
typedef struct expected {
    char *json[ROWS][NCOLS];
} expected;

typedef struct fetch {
    expected *e;
    size_t col;
    char how;
} fetch;

static int on_row(void *arg, size_t ncols, const char *const *values, const unsigned long *lengths,
                  rt_err *err)
{
    (void)ncols, (void)lengths, (void)err;
    fetch *f = arg;
    int id = atoi(values[0]);
    if (id < 1 || id > ROWS)
        return 0;
    rt_buf b;
    rt_buf_init(&b);
    const char *text = values[1];
    if (!text) {
        rt_buf_append_str(&b, "null");
    } else if (f->how == 'T') { /* the server prints fsp digits, the changelog six */
        cdc_check_time_json(text, &b);
    } else {
        cdc_check_hex_json(text, &b);
    }
    f->e->json[id - 1][f->col] = rt_buf_take(&b);
    return 0;
}

static bool load_expected(const char *zone, expected *e)
{
    memset(e, 0, sizeof *e);
    op_mysql_conn *c = it_open();
    if (!c)
        return false;
    rt_err err;
    char sql[512];
    snprintf(sql, sizeof sql, "SET time_zone = '%s'", zone);
    CHECK_OK(op_mysql_conn_exec(c, sql, NULL, &err), &err);
    for (size_t i = 0; i < NCOLS; i++) {
        const char *n = columns[i].name;
        char how = columns[i].how;
        if (how == 'T')
            snprintf(sql, sizeof sql, "SELECT id, CAST(`%s` AS CHAR) FROM %s.t", n, db);
        else if (how == 'B')
            snprintf(sql, sizeof sql, "SELECT id, HEX(`%s`) FROM %s.t", n, db);
        else
            snprintf(sql, sizeof sql, "SELECT id, HEX(ST_AsBinary(`%s`)) FROM %s.t", n, db);
        fetch f = {e, i, how};
        CHECK_OK(op_mysql_conn_query(c, sql, on_row, &f, &err), &err);
    }
    op_mysql_conn_close(c);
    return true;
}

static void expected_free(expected *e)
{
    for (size_t r = 0; r < ROWS; r++)
        for (size_t c = 0; c < NCOLS; c++)
            free(e->json[r][c]);
}

/* Every line of the print output `path` (+I of db.t) matches e, and every row came once. */
static void check_output(const char *path, const expected *e, const char *what)
{
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (!f)
        return;
    char table[128];
    snprintf(table, sizeof table, "%s.t", db);
    int seen[ROWS + 1] = {0};
    char *line = NULL;
    size_t cap = 0;
    size_t mismatches = 0;
    while (getline(&line, &cap, f) > 0) {
        json_t *j = json_loads(line, 0, NULL);
        const char *op = json_string_value(json_object_get(j, "op"));
        const char *tb = json_string_value(json_object_get(j, "table"));
        json_t *data = json_object_get(j, "data");
        if (!op || !tb || strcmp(tb, table) != 0 || !json_is_object(data)) {
            json_decref(j);
            continue;
        }
        CHECK_STR_EQ(op, "+I");
        int id = (int)json_integer_value(json_object_get(data, "id"));
        CHECK(id >= 1 && id <= ROWS);
        if (id < 1 || id > ROWS) {
            json_decref(j);
            continue;
        }
        seen[id]++;
        for (size_t c = 0; c < NCOLS; c++) {
            json_t *got = json_object_get(data, columns[c].name);
            const char *want_text = e->json[id - 1][c];
            json_t *want = want_text ? json_loads(want_text, JSON_DECODE_ANY, NULL) : NULL;
            if (!got || !want || !json_equal(got, want)) {
                char *gs = got ? json_dumps(got, JSON_ENCODE_ANY) : NULL;
                if (mismatches++ < 20)
                    test_fail(__FILE__, __LINE__, "%s: row %d column %s: got %s, SELECT shows %s",
                              what, id, columns[c].name, gs ? gs : "(none)",
                              want_text ? want_text : "(none)");
                free(gs);
            }
            json_decref(want);
        }
        json_decref(j);
    }
    free(line);
    fclose(f);
    for (int id = 1; id <= ROWS; id++)
        if (seen[id] != 1)
            test_fail(__FILE__, __LINE__, "%s: row %d seen %d times", what, id, seen[id]);
}

/* Both paths, one zone. */
static void both_paths(const char *zone)
{
    expected e;
    if (!load_expected(zone, &e))
        return;
    char out[256], what[128], startup[512];
    snprintf(out, sizeof out, "/tmp/sluice_fid_%d_snap.jsonl", (int)getpid());
    snprintf(what, sizeof what, "snapshot in %s", zone);
    run_job(zone, "\"snapshot\"", "", out, NULL);
    check_output(out, &e, what);
    unlink(out);
    snprintf(out, sizeof out, "/tmp/sluice_fid_%d_binlog.jsonl", (int)getpid());
    snprintf(what, sizeof what, "binlog in %s", zone);
    snprintf(startup, sizeof startup, "{\"mode\":\"specific-offset\",\"file\":\"%s\",\"pos\":%lu}",
             start_file, start_pos);
    run_job(zone, startup, ",\"stop\":\"latest-offset\"", out, NULL);
    check_output(out, &e, what);
    unlink(out);
    expected_free(&e);
}

TEST(offset_zone_both_paths_match_select)
{
    both_paths("+08:00");
}

TEST(named_zone_with_dst_both_paths_match_select)
{
    if (load_server_zone("America/New_York"))
        both_paths("America/New_York");
}

TEST(unknown_zone_fails_at_open)
{
    char out[256];
    snprintf(out, sizeof out, "/tmp/sluice_fid_%d_bad.jsonl", (int)getpid());
    run_job("Mars/Olympus_Mons", "\"snapshot\"", "", out,
            "server_time_zone 'Mars/Olympus_Mons': unknown zone");
    unlink(out);
}

int main(int argc, char **argv)
{
    snprintf(db, sizeof db, "%s_fid", it_prefix());
    setup();
    int rc = test_run_all(argc, argv);
    cdc_check_exec("DROP DATABASE IF EXISTS %s", db);
    return rc;
}
