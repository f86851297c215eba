/* sr_sql_show: the text of SHOW CREATE TABLE in StarRocks' layout (what the Sluice sink parses to
 * learn a table's key and columns), and the session variables the MySQL port reports. */
#ifndef SLUICE_TESTS_SR_ENDPOINT_SR_SQL_SHOW_H
#define SLUICE_TESTS_SR_ENDPOINT_SR_SQL_SHOW_H

#include <stddef.h>

#include "runtime/base/buf.h"
#include "tests/sr_endpoint/sr_store.h"

/* Appends to out the CREATE TABLE statement of d as StarRocks' SHOW CREATE TABLE prints it:
 *   CREATE TABLE `t` (\n  `id` bigint(20) NOT NULL COMMENT "",\n ... \n) ENGINE=OLAP \n
 *   PRIMARY KEY(`id`)\nCOMMENT "OLAP"\nDISTRIBUTED BY HASH(`id`) BUCKETS 1 \n
 *   PROPERTIES (\n"replication_num" = "1",\n...\n);
 * Strings in "..." escape \ and ". replication_num is printed first ("1" unless given). */
void sr_sql_show_create_table(const sr_table_def *d, rt_buf *out);

/* The value of session variable name (lower case, no @@) or NULL when the endpoint has no such
 * variable. version is the server version the port announces. Borrowed, static or from version. */
const char *sr_sql_show_variable(const char *name, const char *version);
/* The i-th variable's name (for SHOW VARIABLES), NULL past the end. */
const char *sr_sql_show_variable_name(size_t i);

/* True when s matches the SQL LIKE pattern (% any run, _ one byte, \ escapes; case-insensitive
 * as MySQL's default collation is). */
bool sr_sql_show_like(const char *s, const char *pattern);

#endif
