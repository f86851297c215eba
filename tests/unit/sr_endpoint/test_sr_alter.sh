#!/usr/bin/env bash
# Test of sr-endpoint's schema evolution (a StarRocks test double) through the program, driven
# with the `mariadb` client and curl: CREATE TABLE as jobs/codegen writes it, ALTER TABLE
# ADD/DROP/MODIFY/RENAME COLUMN and RENAME, MODIFY as an asynchronous job (SHOW ALTER TABLE
# COLUMN RUNNING then FINISHED, DESC showing the old type until then, a second ALTER refused,
# Stream Load still working), TRUNCATE, DROP TABLE, the GET /_ddl audit log, and a restart.
# Usage: test_sr_alter.sh path/to/sr-endpoint
set -uo pipefail
BIN=${1:?usage: test_sr_alter.sh path/to/sr-endpoint}
. "$(dirname "${BASH_SOURCE[0]}")/../../sr_endpoint/sr_test_lib.sh"
sr_test_init sr-alter alter-secret

start() {
    sr_start --data-dir "$WORK/data" --alter-delay-ms "${DELAY:-1500}"
    QP=$(sr_port query)
    FE=$(sr_port fe_http)
    BE=$(sr_port be_http)
}
stop() { sr_stop "clean exit on SIGTERM (a LeakSanitizer report exits 23: see $WORK/log)"; }
sql() { MYSQL_PWD=alter-secret mariadb --no-defaults -h127.0.0.1 -P"$QP" -uroot -N -B "$@" 2>&1; }
# Stream Load straight to the BE (the BE needs no Expect header); prints Status and Message.
sload() { # table body headers...
    local t=$1 body=$2
    shift 2
    printf '%s' "$body" >"$WORK/body"
    curl -s -u root:alter-secret "$@" -T "$WORK/body" "http://127.0.0.1:$BE/api/evo/$t/_stream_load" |
        python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["Status"], d["Message"])'
}
state() { sql evo -e "SHOW ALTER TABLE COLUMN WHERE TableName = \"$1\" ORDER BY CreateTime DESC LIMIT 1" | cut -f10; }
desc_type() { sql evo -e "DESC $1" | awk -F'\t' -v c="$2" '$1 == c { print $2 }'; }

start
check "create database" "$(sql -e 'CREATE DATABASE evo')" ""
# The DDL jobs/codegen/ddl.c generates (gen_ddl): IF NOT EXISTS, COMMENTs, PRIMARY KEY with a
# space, DISTRIBUTED BY HASH, PROPERTIES.
CREATE='CREATE TABLE IF NOT EXISTS `evo`.`t` (
    `id` BIGINT NOT NULL COMMENT "the \"key\"",
    `name` VARCHAR(30) NULL,
    `n` INT NULL COMMENT ""
)
ENGINE=OLAP
PRIMARY KEY (`id`)
COMMENT "orders"
DISTRIBUTED BY HASH(`id`) BUCKETS 2
PROPERTIES (
    "replication_num" = "1",
    "enable_persistent_index" = "true"
);'
check "create table (codegen form)" "$(sql -e "$CREATE")" ""
check "create table again (IF NOT EXISTS)" "$(sql -e "$CREATE")" ""
check "insert" "$(sql evo -e "INSERT INTO t VALUES (1, 'a', 5), (2, 'b', NULL)")" ""

# ADD COLUMN: positions, defaults, the multi-column form; fast schema evolution.
check "add after" "$(sql evo -e 'ALTER TABLE evo.t ADD COLUMN c1 INT NULL DEFAULT "7" COMMENT "x" AFTER id')" ""
check "add job finished at once" "$(state t)" "FINISHED"
check "add (multi)" "$(sql evo -e 'ALTER TABLE t ADD COLUMN (c2 VARCHAR(5) NOT NULL DEFAULT "z", c3 DATE)')" ""
check "columns after add" "$(sql evo -e 'DESC t' | cut -f1 | tr '\n' ,)" "id,c1,name,n,c2,c3,"
check "rows after add" "$(sql evo -e 'SELECT * FROM t ORDER BY id')" "$(printf '1\t7\ta\t5\tz\tNULL\n2\t7\tb\tNULL\tz\tNULL')"
contains "add first refused" "$(sql evo -e 'ALTER TABLE t ADD COLUMN f INT FIRST')" \
    "ERROR 1064 (HY000) at line 1: Getting analyzing error. Detail message: Invalid column order. value should be after key. index[t]"
contains "add existing refused" "$(sql evo -e 'ALTER TABLE t ADD COLUMN n INT')" \
    "Can not add column which already exists in base table: n"

# DROP COLUMN
check "drop column" "$(sql evo -e 'ALTER TABLE t DROP COLUMN c3')" ""
contains "drop key refused" "$(sql evo -e 'ALTER TABLE t DROP COLUMN id')" \
    "ERROR 1064 (HY000) at line 1: Getting analyzing error. Detail message: Can not drop key column in primary data model table"
check "rows after drop" "$(sql evo -e 'SELECT * FROM t ORDER BY id')" "$(printf '1\t7\ta\t5\tz\n2\t7\tb\tNULL\tz')"

# MODIFY COLUMN: refused narrowing, then an asynchronous job.
contains "narrowing refused" "$(sql evo -e 'ALTER TABLE t MODIFY COLUMN n TINYINT')" "Can not change INT to TINYINT"
contains "shorter varchar refused" "$(sql evo -e 'ALTER TABLE t MODIFY COLUMN name VARCHAR(3)')" "Cannot shorten string length"
contains "modify key refused" "$(sql evo -e 'ALTER TABLE t MODIFY COLUMN id LARGEINT NOT NULL')" \
    "Can not modify key column: id for primary key table"
contains "null -> not null refused" "$(sql evo -e 'ALTER TABLE t MODIFY COLUMN n INT NOT NULL')" \
    "Can not change from nullable to non-nullable"
check "modify (async)" "$(sql evo -e 'ALTER TABLE t MODIFY COLUMN n BIGINT NULL AFTER name')" ""
check "job running" "$(state t)" "RUNNING"
check "desc: old type while running" "$(desc_type t n)" "int(11)"
contains "show create: old type while running" "$(sql evo -e 'SHOW CREATE TABLE t')" '`n` int(11) NULL'
contains "second alter refused while running" "$(sql evo -e 'ALTER TABLE t ADD COLUMN q INT')" \
    "Table[t]'s state is not NORMAL. Do not allow doing ALTER ops"
check "stream load while running" "$(sload t '{"id":3,"name":"c","n":9,"c1":1,"c2":"y"}' -H 'format: json')" "Success OK"
for _ in $(seq 100); do [ "$(state t)" == "FINISHED" ] && break; sleep 0.05; done
check "job finished" "$(state t)" "FINISHED"
check "desc: new type when finished" "$(desc_type t n)" "bigint(20)"
check "rows after modify (converted, moved after name)" "$(sql evo -e 'SELECT * FROM t ORDER BY id')" \
    "$(printf '1\t7\ta\t5\tz\n2\t7\tb\tNULL\tz\n3\t1\tc\t9\ty')"
check "show alter: all jobs" "$(sql evo -e 'SHOW ALTER TABLE COLUMN FROM evo' | cut -f2,10 | tr '\t\n' ':,')" \
    "t:FINISHED,t:FINISHED,t:FINISHED,t:FINISHED,"
check "show alter: titles" "$(MYSQL_PWD=alter-secret mariadb --no-defaults -h127.0.0.1 -P"$QP" -uroot -B evo -e 'SHOW ALTER TABLE COLUMN LIMIT 1' | head -1 | tr '\t' ,)" \
    "JobId,TableName,CreateTime,FinishTime,IndexName,IndexId,OriginIndexId,SchemaVersion,TransactionId,State,Msg,Progress,Timeout"

# Loads name columns by what the table has now: a dropped column in the JSON is ignored (as
# StarRocks ignores keys it has no column for); a `columns` mapping onto a missing column fails.
check "load with a dropped column's key" "$(sload t '{"id":4,"c3":"2024-01-01","c2":"w"}' -H 'format: json')" "Success OK"
contains "load mapping onto a missing column" "$(sload t '4,x' -H 'column_separator: ,' -H 'columns: id, tmp, c3=tmp')" "Fail"

# RENAME COLUMN and RENAME (table)
check "rename column" "$(sql evo -e 'ALTER TABLE t RENAME COLUMN name TO nm')" ""
check "rename table" "$(sql evo -e 'ALTER TABLE t RENAME t2')" ""
check "rows after renames" "$(sql evo -e 'SELECT id, nm FROM t2 ORDER BY id')" "$(printf '1\ta\n2\tb\n3\tc\n4\tNULL')"
contains "old name gone" "$(sql evo -e 'SELECT * FROM t')" "ERROR 1146 (42S02)"
contains "rename onto a used name" "$(sql evo -e 'CREATE TABLE u (k INT NOT NULL) PRIMARY KEY(k); ALTER TABLE t2 RENAME u')" \
    "Table name[u] is already used"

# TRUNCATE and DROP TABLE
check "truncate" "$(sql evo -e 'TRUNCATE TABLE t2; SELECT COUNT(*) FROM t2')" "0"
check "drop table" "$(sql evo -e 'DROP TABLE u; DROP TABLE IF EXISTS u; SHOW TABLES')" "t2"

# A job running at a restart finishes after it; everything is still there.
check "modify before restart" "$(sql evo -e 'INSERT INTO t2 (id, nm, c2) VALUES (5, "e", "v"); ALTER TABLE t2 MODIFY COLUMN c1 BIGINT NULL DEFAULT "7"')" ""
stop
start
check "after restart: job resumed" "$(state t2)" "RUNNING"
for _ in $(seq 100); do [ "$(state t2)" == "FINISHED" ] && break; sleep 0.05; done
check "after restart: job finished" "$(state t2)" "FINISHED"
check "after restart: schema" "$(sql evo -e 'DESC t2' | cut -f1,2 | tr '\t\n' ' ,')" \
    "id bigint(20),c1 bigint(20),nm varchar(30),n bigint(20),c2 varchar(5),"
check "after restart: rows" "$(sql evo -e 'SELECT * FROM t2')" "$(printf '5\t7\te\tNULL\tv')"

# The audit log lists each statement once, in order, with its database and table.
DDL=$(curl -s "http://127.0.0.1:$FE/_ddl")
check "/_ddl statements" "$(printf '%s' "$DDL" | python3 -c '
import json, sys
for e in json.load(sys.stdin)["ddl"]:
    print("%s|%s|%s|%s" % (e["db"], e["table"], e["applied"], " ".join(e["statement"].split())[:40].rstrip()))')" \
"$(cat <<'EOF'
evo||True|CREATE DATABASE evo
evo|t|True|CREATE TABLE IF NOT EXISTS `evo`.`t` ( `
evo|t|False|CREATE TABLE IF NOT EXISTS `evo`.`t` ( `
evo|t|True|ALTER TABLE evo.t ADD COLUMN c1 INT NULL
evo|t|True|ALTER TABLE t ADD COLUMN (c2 VARCHAR(5)
evo|t|True|ALTER TABLE t DROP COLUMN c3
evo|t|True|ALTER TABLE t MODIFY COLUMN n BIGINT NUL
evo|t|True|ALTER TABLE t RENAME COLUMN name TO nm
evo|t|True|ALTER TABLE t RENAME t2
evo|u|True|CREATE TABLE u (k INT NOT NULL) PRIMARY
evo|t2|True|TRUNCATE TABLE t2
evo|u|True|DROP TABLE u
evo|u|False|DROP TABLE IF EXISTS u
evo|t2|True|ALTER TABLE t2 MODIFY COLUMN c1 BIGINT N
EOF
)"
contains "/_ddl ts_ms" "$DDL" '"ts_ms":'
stop
if grep -q "alter-secret" "$WORK/log"; then echo "FAIL   the password is in the log"; FAILS=$((FAILS + 1)); fi
[ "$FAILS" -eq 0 ] && echo "all passed" || echo "$FAILS failed"
exit $((FAILS > 0))
