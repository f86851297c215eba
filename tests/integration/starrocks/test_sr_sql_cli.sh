#!/usr/bin/env bash
# Integration test of the sr-endpoint program's MySQL-protocol port (a StarRocks test double),
# driven with the `mariadb` command-line client: DDL, INSERT and SELECT through the program,
# errors with their MySQL codes, and tables and rows still there after a restart.
# Usage: test_sr_sql_cli.sh path/to/sr-endpoint
set -uo pipefail
BIN=${1:?usage: test_sr_sql_cli.sh path/to/sr-endpoint}
. "$(dirname "${BASH_SOURCE[0]}")/../../sr_endpoint/sr_test_lib.sh"
sr_test_init sr-sql-cli cli-secret

start() {
    sr_start --data-dir "$WORK/data"
    QP=$(sr_port query)
}
stop() { sr_stop "clean exit on SIGTERM (a LeakSanitizer report exits 23: see $WORK/log)"; }
# The password goes through MYSQL_PWD: never on a command line, never in a log.
sql() { MYSQL_PWD=${PW:-cli-secret} mariadb --no-defaults -h127.0.0.1 -P"$QP" -uroot -N -B "$@" 2>&1; }

start
check "version comment" "$(sql -e 'select @@version_comment limit 1')" \
    "sr-endpoint (a StarRocks-compatible test double, not StarRocks)"
check "create database" "$(sql -e 'CREATE DATABASE cli_db')" ""
check "create table" "$(sql cli_db -e 'CREATE TABLE `users` (`id` BIGINT NOT NULL, `name` VARCHAR(32), `joined` DATE) ENGINE=OLAP PRIMARY KEY(`id`) DISTRIBUTED BY HASH(`id`) BUCKETS 2 PROPERTIES ("replication_num" = "1")')" ""
check "insert" "$(sql cli_db -e "INSERT INTO users VALUES (2, 'bo', '2024-05-06'), (1, 'al', NULL)")" ""
check "select" "$(sql cli_db -e 'SELECT * FROM users ORDER BY id')" "$(printf '1\tal\tNULL\n2\tbo\t2024-05-06')"
check "count" "$(sql -e 'SELECT COUNT(*) FROM cli_db.users')" "2"
contains "show create: key" "$(sql -e 'SHOW CREATE TABLE cli_db.users')" 'PRIMARY KEY(`id`)'
contains "show create: column" "$(sql -e 'SHOW CREATE TABLE cli_db.users')" '`name` varchar(32) NULL COMMENT ""'
check "alter add column" "$(sql cli_db -e 'ALTER TABLE users ADD COLUMN score INT NULL DEFAULT "5"; SELECT score FROM users WHERE id = 2')" "5"
contains "DEFAULT 0 is a syntax error" "$(sql cli_db -e 'CREATE TABLE t (id INT DEFAULT 0) PRIMARY KEY(id)')" \
    "ERROR 1064 (HY000) at line 1: Getting syntax error"
contains "replication_num 3" "$(sql cli_db -e 'CREATE TABLE t (id INT) PRIMARY KEY(id) PROPERTIES ("replication_num"="3")')" \
    "Table replication num should be less than or equal to the number of available BE nodes"
contains "unknown table" "$(sql cli_db -e 'SELECT * FROM nope')" "ERROR 1146 (42S02)"
contains "unknown database" "$(sql nope -e 'SELECT 1')" "ERROR 1049 (42000)"
out=$(PW=wrong sql -e 'SELECT 1')
contains "wrong password" "$out" "ERROR 1045 (28000): Access denied for user 'root'"
stop

# Schema and rows written through the port survive a restart.
start
check "after restart: tables" "$(sql cli_db -e 'SHOW TABLES')" "users"
check "after restart: rows" "$(sql cli_db -e 'SELECT id, name, score FROM users ORDER BY id')" \
    "$(printf '1\tal\t5\n2\tbo\t5')"
stop
if grep -q "cli-secret" "$WORK/log"; then echo "FAIL   the password is in the log"; FAILS=$((FAILS + 1)); fi
[ "$FAILS" -eq 0 ] && echo "all passed" || echo "$FAILS failed"
exit $((FAILS > 0))
