#!/usr/bin/env bash
# Schema changes end to end: `sluice run` with mysql_cdc (latest-offset) -> print against the
# MariaDB fixture, while the job runs: ALTER TABLE of every kind (ADD AFTER / FIRST, DROP, RENAME
# COLUMN, CHANGE with a new type, MODIFY type, MODIFY nullability, ALTER COLUMN SET / DROP DEFAULT
# and MODIFY with a DEFAULT (the "default" of add / modify changes), several changes in one
# ALGORITHM=INSTANT statement with MariaDB's IF [NOT] EXISTS, a new primary key), RENAME TABLE,
# TRUNCATE, DROP TABLE and a CREATE TABLE the job's pattern selects, with rows written between
# them. Checks each SC line's typed "changes" (and "key_changed"), and that every row after a
# change decodes with the new columns.
# Usage: test_ddl_cdc.sh SLUICE_BINARY (env SLUICE_MYSQL_HOST/PORT/USER/PASSWORD from the fixture)
set -uo pipefail
SLUICE=$1
TMP=$(mktemp -d /tmp/sluice-ddl-cdc-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
DB="ddlcdc$$"
sql() { mariadb -h "$SLUICE_MYSQL_HOST" -P "$SLUICE_MYSQL_PORT" -u "$SLUICE_MYSQL_USER" \
            -p"$SLUICE_MYSQL_PASSWORD" -N -e "$1"; }
# sync: pings until the stream shows one (everything written before it has arrived).
ping=0
sync() {
    for _ in $(seq 1 200); do
        ping=$((ping + 1)); sql "INSERT INTO $DB.ping VALUES ($ping)"
        for _ in $(seq 1 10); do
            grep -qF "\"table\":\"$DB.ping\",\"data\":{\"id\":$ping}" "$TMP/out.jsonl" \
                2>/dev/null && return 0
            sleep 0.05
        done
    done
    fail "the stream never showed a ping: $(tail -n 5 "$TMP/err" 2>/dev/null)"; return 1
}

sql "DROP DATABASE IF EXISTS $DB; CREATE DATABASE $DB;
     CREATE TABLE $DB.t (id INT PRIMARY KEY, a INT, b VARCHAR(10), c INT, d VARCHAR(20), e INT);
     CREATE TABLE $DB.ping (id INT PRIMARY KEY)" || { echo "FAIL: setup"; exit 1; }
cat >"$TMP/job.json" <<JSON
{"name": "ddl-cdc", "operators": [
  {"id": "src", "type": "mysql_cdc", "config": {
     "host": "$SLUICE_MYSQL_HOST", "port": $SLUICE_MYSQL_PORT, "user": "$SLUICE_MYSQL_USER",
     "password_env": "SLUICE_MYSQL_PASSWORD", "ssl_mode": "disabled", "server_id": 7361,
     "tables": ["$DB\\\\..*"], "startup": {"mode": "latest-offset"}}},
  {"id": "out", "type": "print", "inputs": ["src"], "config": {"path": "$TMP/out.jsonl"}}]}
JSON
"$SLUICE" run "$TMP/job.json" --data-dir "$TMP/data" 2>"$TMP/err" &
pid=$!
sync

T="$DB.t"
sql "INSERT INTO $T VALUES (1,1,'b1',1,'d1',1)"
sql "ALTER TABLE $T ADD COLUMN x INT AFTER a"
sql "INSERT INTO $T (id,a,x,b,c,d,e) VALUES (2,2,20,'b2',2,'d2',2)"
sql "ALTER TABLE $T ADD COLUMN f0 INT NOT NULL DEFAULT 0 FIRST"
sql "INSERT INTO $T (f0,id,a,x,b,c,d,e) VALUES (30,3,3,30,'b3',3,'d3',3)"
sql "ALTER TABLE $T DROP COLUMN b"
sql "INSERT INTO $T (f0,id,a,x,c,d,e) VALUES (40,4,4,40,4,'d4',4)"
sql "ALTER TABLE $T RENAME COLUMN c TO c1"
sql "INSERT INTO $T (f0,id,a,x,c1,d,e) VALUES (50,5,5,50,5,'d5',5)"
sql "ALTER TABLE $T CHANGE c1 c2 BIGINT"
sql "INSERT INTO $T (f0,id,a,x,c2,d,e) VALUES (60,6,6,60,6000000000,'d6',6)"
sql "ALTER TABLE $T MODIFY d VARCHAR(200)"
sql "INSERT INTO $T (f0,id,a,x,c2,d,e) VALUES (70,7,7,70,7,REPEAT('d',150),7)"
sql "UPDATE $T SET e = 0 WHERE e IS NULL"
sql "ALTER TABLE $T MODIFY e INT NOT NULL"
sql "INSERT INTO $T (f0,id,a,x,c2,d,e) VALUES (80,8,8,80,8,'d8',8)"
sql "ALTER TABLE $T ALTER COLUMN e SET DEFAULT 5"
sql "INSERT INTO $T (f0,id,a,x,c2,d) VALUES (85,85,85,85,85,'d85')"
sql "ALTER TABLE $T ALTER COLUMN e DROP DEFAULT, MODIFY d VARCHAR(200) DEFAULT 'it''s'"
sql "ALTER TABLE $T ADD COLUMN IF NOT EXISTS g INT FIRST, ADD COLUMN IF NOT EXISTS x INT,
     DROP COLUMN IF EXISTS nope, DROP COLUMN x, CHANGE c2 c3 BIGINT, MODIFY d VARCHAR(250),
     RENAME COLUMN IF EXISTS a TO a1, ALGORITHM=INSTANT, LOCK=NONE"
sql "INSERT INTO $T (g,f0,id,a1,c3,d,e) VALUES (9,90,9,9,9,'d9',9)"
sql "UPDATE $T SET d = 'u9' WHERE id = 9"
sql "ALTER TABLE $T DROP PRIMARY KEY, ADD PRIMARY KEY (id, f0)"
sql "INSERT INTO $T (g,f0,id,a1,c3,d,e) VALUES (10,100,10,10,10,'d10',10)"
sql "RENAME TABLE $T TO $DB.t2"
sql "INSERT INTO $DB.t2 (g,f0,id,a1,c3,d,e) VALUES (11,110,11,11,11,'d11',11)"
sql "TRUNCATE TABLE $DB.t2"
sql "INSERT INTO $DB.t2 (g,f0,id,a1,c3,d,e) VALUES (12,120,12,12,12,'d12',12)"
sql "DROP TABLE $DB.t2"
sql "CREATE TABLE $DB.n (id INT PRIMARY KEY, v VARCHAR(5) NOT NULL)"
sql "INSERT INTO $DB.n VALUES (1,'v')"
sql "UPDATE $DB.n SET v = 'w' WHERE id = 1"
sql "DELETE FROM $DB.n WHERE id = 1"
sync
kill -TERM $pid; wait $pid; rc=$?
[ $rc -eq 130 ] || fail "SIGTERM: exit $rc: $(tail -n 5 "$TMP/err")"

# Names vary with the process id: compare with DB written as "P". Pings are left out.
sed "s/$DB/P/g" "$TMP/out.jsonl" | grep -vF '"table":"P.ping"' >"$TMP/got.jsonl"
jq -c 'select(.op == "SC") | [.table, .change, (.changes // "-"), (.key_changed // false)]' \
    "$TMP/got.jsonl" >"$TMP/got_sc" || fail "SC lines are not JSON"
cat >"$TMP/want_sc" <<'WANT'
["P.t","alter_table",[{"type":"add_column","column":"x","sql_type":"int","nullable":true,"after":"a"}],false]
["P.t","alter_table",[{"type":"add_column","column":"f0","sql_type":"int","nullable":false,"default":"0","first":true}],false]
["P.t","alter_table",[{"type":"drop_column","column":"b"}],false]
["P.t","alter_table",[{"type":"rename_column","column":"c","new_name":"c1"}],false]
["P.t","alter_table",[{"type":"rename_column","column":"c1","new_name":"c2","sql_type":"bigint"}],false]
["P.t","alter_table",[{"type":"modify_column","column":"d","sql_type":"varchar(200)","nullable":true}],false]
["P.t","alter_table",[{"type":"modify_column","column":"e","sql_type":"int","nullable":false}],false]
["P.t","alter_table",[{"type":"modify_column","column":"e","sql_type":"int","nullable":false,"default":"5"}],false]
["P.t","alter_table",[{"type":"modify_column","column":"d","sql_type":"varchar(200)","nullable":true,"default":"'it''s'"},{"type":"modify_column","column":"e","sql_type":"int","nullable":false}],false]
["P.t","alter_table",[{"type":"drop_column","column":"x"},{"type":"rename_column","column":"a","new_name":"a1"},{"type":"rename_column","column":"c2","new_name":"c3"},{"type":"modify_column","column":"d","sql_type":"varchar(250)","nullable":true},{"type":"add_column","column":"g","sql_type":"int","nullable":true,"first":true}],false]
["P.t","alter_table",[],true]
["P.t2","rename_table","-",false]
["P.t2","truncate_table","-",false]
["P.t2","drop_table","-",false]
["P.n","create_table","-",false]
WANT
if diff -u "$TMP/want_sc" "$TMP/got_sc" >"$TMP/diff"; then
    echo "ok     typed changes of every DDL kind"
else
    fail "SC lines differ:
$(cat "$TMP/diff")"
fi
# The create_table of a table made while the job runs carries its whole schema.
grep -qF '"change":"create_table","ddl":"CREATE TABLE P.n (id INT PRIMARY KEY, v VARCHAR(5) NOT NULL)","columns":[{"name":"id","type":"int","nullable":false,"key":true},{"name":"v","type":"varchar(5)","nullable":false,"key":false}]' \
    "$TMP/got.jsonl" && echo "ok     create_table with the full schema" ||
    fail "no create_table line with the schema of P.n"

# Every row, in order, with the columns in force where it was written.
jq -c 'select(.op != "SC") | [.op, .table, .data]' "$TMP/got.jsonl" >"$TMP/got_rows"
D150=$(printf 'd%.0s' $(seq 1 150))
cat >"$TMP/want_rows" <<WANT
["+I","P.t",{"id":1,"a":1,"b":"b1","c":1,"d":"d1","e":1}]
["+I","P.t",{"id":2,"a":2,"x":20,"b":"b2","c":2,"d":"d2","e":2}]
["+I","P.t",{"f0":30,"id":3,"a":3,"x":30,"b":"b3","c":3,"d":"d3","e":3}]
["+I","P.t",{"f0":40,"id":4,"a":4,"x":40,"c":4,"d":"d4","e":4}]
["+I","P.t",{"f0":50,"id":5,"a":5,"x":50,"c1":5,"d":"d5","e":5}]
["+I","P.t",{"f0":60,"id":6,"a":6,"x":60,"c2":6000000000,"d":"d6","e":6}]
["+I","P.t",{"f0":70,"id":7,"a":7,"x":70,"c2":7,"d":"$D150","e":7}]
["+I","P.t",{"f0":80,"id":8,"a":8,"x":80,"c2":8,"d":"d8","e":8}]
["+I","P.t",{"f0":85,"id":85,"a":85,"x":85,"c2":85,"d":"d85","e":5}]
["+I","P.t",{"g":9,"f0":90,"id":9,"a1":9,"c3":9,"d":"d9","e":9}]
["-U","P.t",{"g":9,"f0":90,"id":9,"a1":9,"c3":9,"d":"d9","e":9}]
["+U","P.t",{"g":9,"f0":90,"id":9,"a1":9,"c3":9,"d":"u9","e":9}]
["+I","P.t",{"g":10,"f0":100,"id":10,"a1":10,"c3":10,"d":"d10","e":10}]
["+I","P.t2",{"g":11,"f0":110,"id":11,"a1":11,"c3":11,"d":"d11","e":11}]
["+I","P.t2",{"g":12,"f0":120,"id":12,"a1":12,"c3":12,"d":"d12","e":12}]
["+I","P.n",{"id":1,"v":"v"}]
["-U","P.n",{"id":1,"v":"v"}]
["+U","P.n",{"id":1,"v":"w"}]
["-D","P.n",{"id":1,"v":"w"}]
WANT
if diff -u "$TMP/want_rows" "$TMP/got_rows" >"$TMP/diff"; then
    echo "ok     rows decode with the columns of their schema version"
else
    fail "rows differ:
$(cat "$TMP/diff")"
fi
grep -q "ERROR\|WARN" "$TMP/err" && fail "warnings or errors in the log: $(grep "ERROR\|WARN" "$TMP/err" | head -n 5)"
sql "DROP DATABASE $DB"
[ $failures -eq 0 ] && echo "all passed" || echo "$failures failures"
exit $((failures > 0))
