/* Shared by the mysql_cdc integration tests (and the snapshot ones): SQL against the test server,
 * the changelog a job wrote (print file or file-sink directory), its replay into mirror tables,
 * and what SELECT shows turned into changelog JSON. */
#ifndef SLUICE_TESTS_INTEGRATION_CDC_CDC_CHECK_H
#define SLUICE_TESTS_INTEGRATION_CDC_CDC_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/base/buf.h"

/* Runs the printf-formatted SQL (one or more statements) on the test server. Returns 0, or the
 * nonzero result of test_mysql_exec after recording a test failure that shows the SQL. */
int cdc_check_exec(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The printf-formatted scalar query's value as a number; -1 when it gave none. */
long cdc_check_scalar_long(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes "<prefix><pid>_<name>" into db (size bytes) and creates that database empty (dropping
 * it first). Returns db. */
const char *cdc_check_make_db(const char *prefix, const char *name, char *db, size_t size);

/* Inserts n rows into db.table, 500 per statement; `values` is a printf format of one row taking
 * the row number (1..n) up to three times. */
void cdc_check_fill(const char *db, const char *table, int n, const char *values);

/* The changelog text of `path`: the file itself, or the part files of the directory (dir). A new
 * NUL-terminated string (empty when there is none), its length in *len; the caller frees it. */
char *cdc_check_read_all(const char *path, bool dir, size_t *len);

/* The lines of the changelog of `path` (see cdc_check_read_all). */
size_t cdc_check_count_lines(const char *path, bool dir);

/* Waits up to ms for the changelog to hold at least n lines; returns whether it does. */
bool cdc_check_wait_lines(const char *path, bool dir, size_t n, int64_t ms);

/* Replays the changelog of `path` into the mirror tables <db>.m_<table>: +I (and +U) by INSERT
 * when `insert_only` (a duplicate key fails the statement: every row came once), else by
 * REPLACE; -D deletes by the key columns `keys` (comma-separated names, shared by the tables);
 * -U is implied by its +U. Returns the records replayed, -1 on a failed statement (a line that
 * is no changelog record is recorded as a test failure). */
long cdc_check_replay(const char *path, bool dir, const char *db, const char *keys,
                      bool insert_only);

/* Checks that db.table and its mirror db.m_table hold the same rows, and some. */
void cdc_check_same(const char *db, const char *table);

/* Appends the changelog JSON of a temporal value as the server prints it (CAST(x AS CHAR), with
 * the column's fsp digits): a string with six fraction digits. */
void cdc_check_time_json(const char *text, rt_buf *out);

/* Appends the changelog JSON of bytes the server printed as HEX(x): a base64 string. */
void cdc_check_hex_json(const char *hex, rt_buf *out);

#endif
