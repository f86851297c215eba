#!/usr/bin/env bash
# The web console's API against real servers: mysql/test (ok, wrong password -> 422 without the
# password), mysql/tables (a shard group), starrocks/test, preview (DDL, masked job, a collision ->
# 409 merge_key), create-tables (created, then skipped), deploy -> RUNNING, the target fills from
# the snapshot and the binlog, GET /jobs/:id/metrics, GET / from --web-dir; no password in any
# reply or log line.
# Usage: test_console_api.sh SLUICED SR_ENDPOINT (env SLUICE_MYSQL_* from the fixture)
set -uo pipefail
SLUICED=$(realpath "${1:?usage: test_console_api.sh SLUICED SR_ENDPOINT}")
BIN=$(realpath "${2:?usage: test_console_api.sh SLUICED SR_ENDPOINT}")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SR_PW=con-target-secret
WRONG_PW=wrong-pw-Zq81x
. "$HERE/../../sr_endpoint/sr_test_lib.sh"
sr_test_init sluice-console "$SR_PW"
DPID=
stop_daemon() { if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then kill -TERM "$DPID"; wait "$DPID"; fi; DPID=; }
trap 'stop_daemon; sr_cleanup' EXIT

sql() { MYSQL_PWD=$SLUICE_MYSQL_PASSWORD mariadb --no-defaults -h "$SLUICE_MYSQL_HOST" \
            -P "$SLUICE_MYSQL_PORT" -u "$SLUICE_MYSQL_USER" -N -B "$@"; }
srsql() { MYSQL_PWD=$SR_PW mariadb --no-defaults -h127.0.0.1 -P"$QP" -uroot -N -B "$@" 2>&1; }

sql <<'SQL' || { echo "FAIL: schema"; exit 1; }
DROP DATABASE IF EXISTS con_shop_0; DROP DATABASE IF EXISTS con_shop_1;
DROP DATABASE IF EXISTS con_dup_0; DROP DATABASE IF EXISTS con_dup_1;
CREATE DATABASE con_shop_0; CREATE DATABASE con_shop_1;
CREATE DATABASE con_dup_0; CREATE DATABASE con_dup_1;
CREATE TABLE con_shop_0.orders (id INT NOT NULL PRIMARY KEY, amount DECIMAL(10,2) NOT NULL,
    note VARCHAR(40), secret_col VARCHAR(20));
CREATE TABLE con_shop_1.orders LIKE con_shop_0.orders;
INSERT INTO con_shop_0.orders VALUES (1, 10.50, 'a', 'x'), (2, 20.00, NULL, 'x'), (3, 3.25, 'c', 'x');
INSERT INTO con_shop_1.orders VALUES (101, 1.00, 'd', 'x'), (102, 2.00, 'e', 'x');
CREATE TABLE con_dup_0.items (id INT NOT NULL PRIMARY KEY, v INT);
CREATE TABLE con_dup_1.items LIKE con_dup_0.items;
INSERT INTO con_dup_0.items VALUES (1, 1); INSERT INTO con_dup_1.items VALUES (1, 2);
SQL

sr_start --data-dir "$WORK/data"
FE=$(sr_port fe_http)
QP=$(sr_port query)

mkdir -p "$WORK/web"
echo '<html><body>sluice console test</body></html>' >"$WORK/web/index.html"
echo 'console.log(1);' >"$WORK/web/app.js"
"$SLUICED" --data-dir "$WORK/sluiced" --listen 127.0.0.1:0 --port-file "$WORK/port" \
    --log-file "$WORK/daemon.log" --log-level debug --web-dir "$WORK/web" >>"$WORK/daemon.out" 2>&1 &
DPID=$!
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
[ -s "$WORK/port" ] || { echo "sluiced did not start"; cat "$WORK/daemon.out"; exit 1; }
S="http://127.0.0.1:$(tr -d '\n' <"$WORK/port")"

# post PATH JSON: the body in $BODY, the status in $CODE; every reply also goes to replies.log.
post() {
    BODY=$(curl -s -m 120 -o - -w '\n%{http_code}' -XPOST "$S$1" -H 'Content-Type: application/json' --data-binary "$2")
    CODE=${BODY##*$'\n'}
    BODY=${BODY%$'\n'*}
    printf '%s %s %s\n' "$1" "$CODE" "$BODY" >>"$WORK/replies.log"
}
get() {
    BODY=$(curl -s -m 30 -o - -w '\n%{http_code}' "$S$1")
    CODE=${BODY##*$'\n'}
    BODY=${BODY%$'\n'*}
    printf 'GET %s %s %s\n' "$1" "$CODE" "$BODY" >>"$WORK/replies.log"
}
jqv() { jq -r "$1" <<<"$BODY" 2>/dev/null; }

SRCJ="{\"host\": \"$SLUICE_MYSQL_HOST\", \"port\": $SLUICE_MYSQL_PORT, \"user\": \"$SLUICE_MYSQL_USER\", \"password\": \"$SLUICE_MYSQL_PASSWORD\"}"
BADJ="{\"host\": \"$SLUICE_MYSQL_HOST\", \"port\": $SLUICE_MYSQL_PORT, \"user\": \"$SLUICE_MYSQL_USER\", \"password\": \"$WRONG_PW\"}"
TGTJ="{\"fe_host\": \"127.0.0.1\", \"http_port\": $FE, \"query_port\": $QP, \"user\": \"root\", \"password\": \"$SR_PW\", \"database\": \"con_dw\"}"

# --- static files ---
get /
check "GET / serves index.html" "$CODE" 200
contains "index.html body" "$BODY" "sluice console test"
get /web/app.js
check "GET /web/app.js" "$CODE" 200
check "content type of .js" "$(curl -s -o /dev/null -w '%{content_type}' "$S/web/app.js")" "text/javascript; charset=utf-8"
HDRS=$(curl -s -D - -o /dev/null "$S/")
contains "GET /: Content-Security-Policy" "$HDRS" "Content-Security-Policy: default-src 'self'; script-src 'self'"
contains "GET /: nosniff" "$HDRS" "X-Content-Type-Options: nosniff"

# --- mysql/test ---
post /console/mysql/test "$SRCJ"
check "mysql/test ok ($BODY)" "$CODE" 200
check "mysql/test: ok true" "$(jqv .ok)" true
contains "mysql/test: version" "$(jqv .version)" "MariaDB"
check "mysql/test: binlog_format" "$(jqv .binlog.binlog_format)" ROW
post /console/mysql/test "$BADJ"
check "mysql/test wrong password: 422 ($BODY)" "$CODE" 422
contains "wrong password: the server's message" "$BODY" "Access denied"
check "wrong password not in the reply" "$(grep -c -- "$WRONG_PW" <<<"$BODY")" 0

# --- mysql/tables ---
post /console/mysql/tables "{\"host\": \"$SLUICE_MYSQL_HOST\", \"port\": $SLUICE_MYSQL_PORT, \"user\": \"$SLUICE_MYSQL_USER\", \"password\": \"$SLUICE_MYSQL_PASSWORD\", \"patterns\": [\"con_.*\"]}"
check "mysql/tables: 200" "$CODE" 200
check "mysql/tables: 4 databases" "$(jqv '.databases | length')" 4
check "mysql/tables: primary key" "$(jqv '.databases[] | select(.name == "con_shop_0") | .tables[0].primary_key[0]')" id
check "mysql/tables: columns" "$(jqv '.databases[] | select(.name == "con_shop_0") | .tables[0].columns | length')" 4
check "mysql/tables: shard group" "$(jqv '.groups[] | select(.target == "orders") | .members | join(",")')" "con_shop_0.orders,con_shop_1.orders"
check "mysql/tables: group pattern" "$(jqv '.groups[] | select(.target == "orders") | .pattern')" 'con_shop_[0-9]+\.orders'
check "mysql/tables: no system schema" "$(jqv '[.databases[].name] | index("mysql")')" null

# --- starrocks/test ---
post /console/starrocks/test "$TGTJ"
check "starrocks/test: 200 ($BODY)" "$CODE" 200
check "starrocks/test: ok" "$(jqv .ok)" true
post /console/starrocks/test "{\"fe_host\": \"127.0.0.1\", \"http_port\": $FE, \"query_port\": $QP, \"user\": \"root\", \"password\": \"$WRONG_PW\"}"
check "starrocks/test wrong password: 422" "$CODE" 422

# --- preview ---
GEN="\"source\": $SRCJ, \"target\": $TGTJ, \"tables\": [\"con_shop_[0-9]+\\\\.orders\"], \"columns\": {\"con_shop_[0-9]+\\\\.orders\": [\"amount\", \"note\"]}, \"name\": \"con-orders\", \"buckets\": 2"
post /console/preview "{$GEN}"
check "preview: 200 ($(head -c 300 <<<"$BODY"))" "$CODE" 200
contains "preview: DDL" "$(jqv .ddl)" "CREATE TABLE"
check "preview: column list drops secret_col" "$(jqv .ddl | grep -c secret_col)" 0
check "preview: source password masked" "$(jqv '.job.operators[0].config.password')" '***'
check "preview: sink password masked" "$(jqv '.job.operators[-1].config.password')" '***'
check "preview: columns config" "$(jqv '.job.operators[0].config.columns | keys | length')" 2
post /console/preview "{\"source\": $SRCJ, \"target\": $TGTJ, \"tables\": [\"con_dup_[0-9]+\\\\.items\"]}"
check "preview collision: 409" "$CODE" 409
check "preview collision: decision" "$(jqv .decision)" merge_key
post /console/preview "{\"source\": $SRCJ, \"target\": $TGTJ, \"tables\": [\"con_dup_[0-9]+\\\\.items\"], \"merge_key\": \"add-source\", \"mode\": \"snapshot\"}"
check "preview add-source: 200" "$CODE" 200
contains "preview add-source: key column" "$(jqv .ddl)" "_source_db"
check "snapshot mode: startup" "$(jqv '.job.operators[0].config.startup')" snapshot
check "snapshot mode: name" "$(jqv '.job.name')" "mysql-to-starrocks-full-import"

# --- create-tables ---
post /console/create-tables "{$GEN}"
check "create-tables: 200 ($BODY)" "$CODE" 200
check "create-tables: created" "$(jqv '.created | join(",")')" "con_dw.orders"
post /console/create-tables "{$GEN}"
check "create-tables again: skipped" "$(jqv '.skipped | join(",")')" "con_dw.orders"

# --- deploy ---
post /console/deploy "{$GEN, \"create_tables\": true}"
check "deploy: 202 ($BODY)" "$CODE" 202
ID=$(jqv .jobid)
STATE=
for _ in $(seq 150); do
    get "/jobs/$ID"
    STATE=$(jqv .state)
    [ "$STATE" = RUNNING ] && break
    sleep 0.2
done
check "deployed job RUNNING" "$STATE" RUNNING
check "job view masks the password" "$(jqv '.job.operators[0].config.password')" '***'
N=
for _ in $(seq 150); do
    N=$(srsql -e 'SELECT COUNT(*) FROM con_dw.orders' | tail -1)
    [ "$N" = 5 ] && break
    sleep 0.2
done
check "snapshot rows in the target" "$N" 5
sql -e "INSERT INTO con_shop_1.orders VALUES (103, 3.00, 'f', 'x')"
for _ in $(seq 150); do
    N=$(srsql -e 'SELECT COUNT(*) FROM con_dw.orders' | tail -1)
    [ "$N" = 6 ] && break
    sleep 0.2
done
check "binlog row in the target" "$N" 6
get "/jobs/$ID/metrics"
check "metrics: 200" "$CODE" 200
check "metrics: records out" "$(jqv '[.series[] | select(.name == "sluice_records_out_total")] | length > 0')" true
check "metrics: snapshot progress per table" "$(jqv '[.series[] | select(.name == "sluice_mysql_cdc_snapshot_splits_total") | .labels.table] | length > 0')" true
get "/jobs/overview"
check "overview: rows into the sink" "$(jqv ".jobs[] | select(.jid == \"$ID\") | .[\"sink-records\"] >= 6")" true
check "overview: no failure" "$(jqv ".jobs[] | select(.jid == \"$ID\") | .[\"last-failure\"]")" null
post /console/deploy "{$GEN}"
check "deploy the same name again: 409" "$CODE" 409
curl -s -XPATCH "$S/jobs/$ID?mode=cancel" >/dev/null

stop_daemon
# No password in any reply or log line.
for pw in "$SLUICE_MYSQL_PASSWORD" "$SR_PW" "$WRONG_PW"; do
    check "no '$pw' in the replies" "$(grep -c -- "$pw" "$WORK/replies.log")" 0
    check "no '$pw' in the log" "$(cat "$WORK/daemon.log" "$WORK/daemon.out" | grep -c -- "$pw")" 0
done
echo "$FAILS failure(s)"
[ "$FAILS" -eq 0 ]
