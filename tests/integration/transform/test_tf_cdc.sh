#!/usr/bin/env bash
# The transforms on a real binlog: MariaDB (fixture) -> mysql_cdc -> filter -> project -> cast ->
# rename -> route -> print, a bounded run (specific-offset before the tables were made, stop
# latest-offset) over two shard databases merged by route with a source column in the key:
# inserts, updates that cross the filter both ways, deletes, and an ALTER TABLE ADD COLUMN that
# flows through as an SC record with the derived schema. The exact changelog lines are checked.
# Usage: test_tf_cdc.sh SLUICE_BINARY (env SLUICE_MYSQL_HOST/PORT/USER/PASSWORD from the fixture)
set -uo pipefail
SLUICE=$1
TMP=$(mktemp -d /tmp/sluice-tf-cdc-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
P="tfc$$"
sql() { mariadb -h "$SLUICE_MYSQL_HOST" -P "$SLUICE_MYSQL_PORT" -u "$SLUICE_MYSQL_USER" \
            -p"$SLUICE_MYSQL_PASSWORD" -N -e "$1"; }

sql "DROP DATABASE IF EXISTS ${P}_1; DROP DATABASE IF EXISTS ${P}_2; DROP DATABASE IF EXISTS ${P}_x;
     CREATE DATABASE ${P}_1; CREATE DATABASE ${P}_2; CREATE DATABASE ${P}_x" ||
    { echo "FAIL: setup"; exit 1; }
read -r file pos < <(sql "SHOW MASTER STATUS" | awk '{print $1, $2}')
[ -n "$file" ] || { echo "FAIL: no binlog position"; exit 1; }
for s in 1 2; do
    sql "CREATE TABLE ${P}_$s.orders (id INT PRIMARY KEY, item VARCHAR(20) NOT NULL, qty INT)"
done
sql "CREATE TABLE ${P}_x.other (id INT PRIMARY KEY, v INT)"
# Shard 1. qty >= 10 passes the filter.
sql "INSERT INTO ${P}_1.orders VALUES (1,'apple',12),(2,'pear',3)"
sql "UPDATE ${P}_1.orders SET qty=20 WHERE id=1"  # stays in: -U +U
sql "UPDATE ${P}_1.orders SET qty=4 WHERE id=1"   # leaves: -D
sql "UPDATE ${P}_1.orders SET qty=30 WHERE id=2"  # enters: +I
sql "UPDATE ${P}_1.orders SET qty=5 WHERE id=2; UPDATE ${P}_1.orders SET qty=6 WHERE id=2" # out
# Shard 2 collides on id 1 with shard 1: the route key keeps both.
sql "INSERT INTO ${P}_2.orders VALUES (1,'plum',11)"
sql "INSERT INTO ${P}_x.other VALUES (1,1)"       # not selected: passes unchanged
sql "ALTER TABLE ${P}_1.orders ADD COLUMN note VARCHAR(10)"
sql "INSERT INTO ${P}_1.orders VALUES (3,'fig',13,'ripe')"
sql "DELETE FROM ${P}_2.orders WHERE id=1"
sql "DELETE FROM ${P}_1.orders WHERE id=2"        # qty 6: filtered out

cat >"$TMP/job.json" <<JSON
{"name": "tf-cdc", "operators": [
  {"id": "src", "type": "mysql_cdc", "config": {
     "host": "$SLUICE_MYSQL_HOST", "port": $SLUICE_MYSQL_PORT, "user": "$SLUICE_MYSQL_USER",
     "password_env": "SLUICE_MYSQL_PASSWORD", "ssl_mode": "disabled", "server_id": 7341,
     "tables": ["${P}_[12x]\\\\..*"],
     "startup": {"mode": "specific-offset", "file": "$file", "pos": $pos},
     "stop": "latest-offset"}},
  {"id": "f", "type": "filter", "inputs": ["src"],
   "config": {"tables": ["${P}_[0-9]+\\\\.orders"], "where": "qty >= 10"}},
  {"id": "p", "type": "project", "inputs": ["f"], "config": {"tables": ["${P}_[0-9]+\\\\.orders"],
     "columns": ["*", "UPPER(item) AS item", "qty * 2 AS qty2"]}},
  {"id": "c", "type": "cast", "inputs": ["p"], "config": {"tables": ["${P}_[0-9]+\\\\..*"],
     "columns": {"qty": "STRING"}}},
  {"id": "r", "type": "rename", "inputs": ["c"], "config": {"tables": ["${P}_[0-9]+\\\\.orders"],
     "columns": {"item": "title"}, "table": "ods_{table}"}},
  {"id": "rt", "type": "route", "inputs": ["r"], "config": {"routes": [
     {"source": "${P}_[0-9]+\\\\.ods_orders", "target": "${P}_all.orders",
      "source_columns": {"_db": "database"}, "key_with_source": true}]}},
  {"id": "out", "type": "print", "inputs": ["rt"], "config": {"path": "$TMP/out.jsonl"}}]}
JSON
if ! timeout 120 "$SLUICE" run "$TMP/job.json" 2>"$TMP/err"; then
    fail "run failed: $(tail -n 5 "$TMP/err")"
fi
# Names vary with the process id: compare with P written as "P".
sed "s/$P/P/g" "$TMP/out.jsonl" >"$TMP/got.jsonl"
T='"table":"P_all.orders"'
cols() { # cols NOTE: the derived columns of the target (with the note column when NOTE is 1)
    printf '%s' '"columns":[{"name":"id","type":"int","nullable":false,"key":true},'
    printf '%s' '{"name":"title","type":"varchar(20)","nullable":false,"key":false},'
    printf '%s' '{"name":"qty","type":"longtext","nullable":true,"key":false},'
    [ "$1" = 1 ] && printf '%s' '{"name":"note","type":"varchar(10)","nullable":true,"key":false},'
    printf '%s' '{"name":"qty2","type":"bigint","nullable":true,"key":false},'
    printf '%s' '{"name":"_db","type":"varchar(64)","nullable":false,"key":true}]'
}
# The ALTER's SC has no "before": its derived old schema has the same name (the target).
cat >"$TMP/want.jsonl" <<WANT
{"op":"SC",$T,"change":"create_table","ddl":"CREATE TABLE P_1.orders (id INT PRIMARY KEY, item VARCHAR(20) NOT NULL, qty INT)",$(cols 0)}
{"op":"SC",$T,"change":"create_table","ddl":"CREATE TABLE P_2.orders (id INT PRIMARY KEY, item VARCHAR(20) NOT NULL, qty INT)",$(cols 0)}
{"op":"SC","table":"P_x.other","change":"create_table","ddl":"CREATE TABLE P_x.other (id INT PRIMARY KEY, v INT)","columns":[{"name":"id","type":"int","nullable":false,"key":true},{"name":"v","type":"int","nullable":true,"key":false}]}
{"op":"+I",$T,"data":{"id":1,"title":"APPLE","qty":"12","qty2":24,"_db":"P_1"}}
{"op":"-U",$T,"data":{"id":1,"title":"APPLE","qty":"12","qty2":24,"_db":"P_1"}}
{"op":"+U",$T,"data":{"id":1,"title":"APPLE","qty":"20","qty2":40,"_db":"P_1"}}
{"op":"-D",$T,"data":{"id":1,"title":"APPLE","qty":"20","qty2":40,"_db":"P_1"}}
{"op":"+I",$T,"data":{"id":2,"title":"PEAR","qty":"30","qty2":60,"_db":"P_1"}}
{"op":"-D",$T,"data":{"id":2,"title":"PEAR","qty":"30","qty2":60,"_db":"P_1"}}
{"op":"+I",$T,"data":{"id":1,"title":"PLUM","qty":"11","qty2":22,"_db":"P_2"}}
{"op":"+I","table":"P_x.other","data":{"id":1,"v":1}}
{"op":"SC",$T,"change":"alter_table","ddl":"ALTER TABLE P_1.orders ADD COLUMN note VARCHAR(10)",$(cols 1),"changes":[{"type":"add_column","column":"note","sql_type":"varchar(10)","nullable":true,"after":"qty"}]}
{"op":"+I",$T,"data":{"id":3,"title":"FIG","qty":"13","note":"ripe","qty2":26,"_db":"P_1"}}
{"op":"-D",$T,"data":{"id":1,"title":"PLUM","qty":"11","qty2":22,"_db":"P_2"}}
WANT
if diff -u "$TMP/want.jsonl" "$TMP/got.jsonl" >"$TMP/diff"; then
    echo "ok     mysql_cdc through five transforms: exact lines"
else
    fail "changelog differs:
$(cat "$TMP/diff")"
fi
sql "DROP DATABASE ${P}_1; DROP DATABASE ${P}_2; DROP DATABASE ${P}_x"
[ $failures -eq 0 ] && echo "all passed" || echo "$failures failures"
exit $((failures > 0))
