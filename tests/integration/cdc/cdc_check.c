/* Shared by the mysql_cdc integration tests: see cdc_check.h. */
#include "tests/integration/cdc/cdc_check.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/base/clock.h"
#include "tests/harness/mariadb.h"
#include "tests/harness/test.h"

/* fmt with ap as a new string: statements of any length. */
static char *vformat(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static char *vformat(const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    char *s = malloc((size_t)(n < 0 ? 0 : n) + 1);
    if (s)
        vsnprintf(s, (size_t)(n < 0 ? 0 : n) + 1, fmt, again);
    va_end(again);
    return s;
}

int cdc_check_exec(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *sql = vformat(fmt, ap);
    va_end(ap);
    int rc = sql ? test_mysql_exec(sql) : -1;
    if (rc)
        test_fail(__FILE__, __LINE__, "SQL failed: %.300s", sql ? sql : fmt);
    free(sql);
    return rc;
}

long cdc_check_scalar_long(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *sql = vformat(fmt, ap);
    va_end(ap);
    char *v = sql ? test_mysql_scalar(sql) : NULL;
    long n = v ? atol(v) : -1;
    free(v);
    free(sql);
    return n;
}

const char *cdc_check_make_db(const char *prefix, const char *name, char *db, size_t size)
{
    snprintf(db, size, "%s%d_%s", prefix, (int)getpid(), name);
    CHECK_INT_EQ(cdc_check_exec("DROP DATABASE IF EXISTS %s; CREATE DATABASE %s", db, db), 0);
    return db;
}

void cdc_check_fill(const char *db, const char *table, int n, const char *values)
{
    rt_buf sql;
    rt_buf_init(&sql);
    for (int i = 1; i <= n; i++) {
        if (sql.len == 0)
            rt_buf_appendf(&sql, "INSERT INTO %s.%s VALUES ", db, table);
        else
            rt_buf_append_str(&sql, ",");
        rt_buf_appendf(&sql, values, i, i, i);
        if (i % 500 == 0 || i == n) {
            CHECK_INT_EQ(test_mysql_exec(sql.data), 0);
            rt_buf_reset(&sql);
        }
    }
    rt_buf_fini(&sql);
}

char *cdc_check_read_all(const char *path, bool dir, size_t *len)
{
    rt_buf all;
    rt_buf_init(&all);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, dir ? "cat %s/part-* 2>/dev/null" : "cat %s 2>/dev/null", path);
    FILE *f = popen(cmd, "r");
    char buf[65536];
    size_t n;
    while (f && (n = fread(buf, 1, sizeof buf, f)) > 0)
        rt_buf_append(&all, buf, n);
    if (f)
        pclose(f);
    rt_buf_append(&all, "", 1);
    *len = all.len - 1;
    return all.data; /* rt_buf's bytes are malloc'd: the caller frees them */
}

size_t cdc_check_count_lines(const char *path, bool dir)
{
    size_t len = 0, n = 0;
    char *all = cdc_check_read_all(path, dir, &len);
    for (size_t i = 0; i < len; i++)
        n += all[i] == '\n';
    free(all);
    return n;
}

bool cdc_check_wait_lines(const char *path, bool dir, size_t n, int64_t ms)
{
    int64_t deadline = rt_clock_mono_ms() + ms;
    while (cdc_check_count_lines(path, dir) < n && rt_clock_mono_ms() < deadline)
        rt_sleep_ms(20);
    return cdc_check_count_lines(path, dir) >= n;
}

/* v as an SQL literal (strings quoted with ' and \ escaped; null and the rest NULL). */
static void sql_literal(rt_buf *b, json_t *v)
{
    if (json_is_integer(v)) {
        rt_buf_appendf(b, "%lld", (long long)json_integer_value(v));
    } else if (json_is_real(v)) {
        rt_buf_appendf(b, "%.17g", json_real_value(v));
    } else if (json_is_string(v)) {
        rt_buf_append_str(b, "'");
        for (const char *p = json_string_value(v); *p; p++) {
            if (*p == '\'' || *p == '\\')
                rt_buf_append(b, "\\", 1);
            rt_buf_append(b, p, 1);
        }
        rt_buf_append_str(b, "'");
    } else {
        rt_buf_append_str(b, "NULL");
    }
}

/* Appends the statement that applies one record (op, not -U) of table (no db) to its mirror. */
static void replay_record(rt_buf *sql, const char *db, const char *table, const char *op,
                          json_t *data, const char *all_keys, bool insert_only)
{
    const char *key;
    json_t *v;
    if (strcmp(op, "-D") == 0) {
        rt_buf_appendf(sql, "DELETE FROM %s.m_%s WHERE TRUE", db, table);
        json_object_foreach(data, key, v)
        {
            char k[128];
            snprintf(k, sizeof k, ",%s,", key);
            if (!strstr(all_keys, k))
                continue;
            rt_buf_appendf(sql, " AND `%s` = ", key);
            sql_literal(sql, v);
        }
    } else {
        rt_buf_appendf(sql, "%s INTO %s.m_%s SET ", insert_only ? "INSERT" : "REPLACE", db, table);
        bool first = true;
        json_object_foreach(data, key, v)
        {
            rt_buf_appendf(sql, "%s`%s` = ", first ? "" : ", ", key);
            sql_literal(sql, v);
            first = false;
        }
    }
    rt_buf_append_str(sql, ";");
}

long cdc_check_replay(const char *path, bool dir, const char *db, const char *keys,
                      bool insert_only)
{
    size_t len = 0;
    char *all = cdc_check_read_all(path, dir, &len);
    rt_buf sql;
    rt_buf_init(&sql);
    long n = 0;
    int failed = 0;
    char *save = NULL;
    char all_keys[256];
    snprintf(all_keys, sizeof all_keys, ",%s,", keys);
    for (char *line = strtok_r(all, "\n", &save); line && !failed;
         line = strtok_r(NULL, "\n", &save)) {
        json_t *j = json_loads(line, 0, NULL);
        const char *op = json_string_value(json_object_get(j, "op"));
        const char *table = json_string_value(json_object_get(j, "table"));
        json_t *data = json_object_get(j, "data");
        const char *dot = table ? strchr(table, '.') : NULL;
        if (!op || !dot || !json_is_object(data)) {
            test_fail(__FILE__, __LINE__, "bad line: %s", line);
            failed = 1;
        } else if (strcmp(op, "-U") != 0) {
            n++;
            replay_record(&sql, db, dot + 1, op, data, all_keys, insert_only);
        }
        json_decref(j);
        if (sql.len > 200000) {
            failed = test_mysql_exec(sql.data) != 0;
            rt_buf_reset(&sql);
        }
    }
    if (!failed && sql.len > 0)
        failed = test_mysql_exec(sql.data) != 0;
    rt_buf_fini(&sql);
    free(all);
    return failed ? -1 : n;
}

void cdc_check_same(const char *db, const char *table)
{
    long a = cdc_check_scalar_long("SELECT COUNT(*) FROM %s.%s", db, table);
    long b = cdc_check_scalar_long("SELECT COUNT(*) FROM %s.m_%s", db, table);
    CHECK(a > 0);
    CHECK_INT_EQ(a, b);
    CHECK_INT_EQ(cdc_check_scalar_long("SELECT COUNT(*) FROM (SELECT * FROM %s.%s EXCEPT SELECT "
                                       "* FROM %s.m_%s) x",
                                       db, table, db, table),
                 0);
    CHECK_INT_EQ(cdc_check_scalar_long("SELECT COUNT(*) FROM (SELECT * FROM %s.m_%s EXCEPT SELECT "
                                       "* FROM %s.%s) x",
                                       db, table, db, table),
                 0);
}

void cdc_check_time_json(const char *text, rt_buf *out)
{
    rt_buf_append_char(out, '"');
    rt_buf_append_str(out, text);
    const char *dot = strchr(text, '.');
    size_t have = dot ? strlen(dot + 1) : 0;
    if (!dot)
        rt_buf_append_char(out, '.');
    for (size_t i = have; i < 6; i++)
        rt_buf_append_char(out, '0');
    rt_buf_append_char(out, '"');
}

void cdc_check_hex_json(const char *hex, rt_buf *out)
{
    size_t n = strlen(hex) / 2;
    unsigned char *raw = malloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        unsigned x;
        sscanf(hex + 2 * i, "%2x", &x);
        raw[i] = (unsigned char)x;
    }
    rt_buf_append_char(out, '"');
    rt_buf_append_base64(out, raw, n);
    rt_buf_append_char(out, '"');
    free(raw);
}
