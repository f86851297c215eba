#!/usr/bin/env bash
# `sluice run` with a mysql_cdc job against the MariaDB fixture: the password comes from
# password_env and never shows in the log; changes arrive as changelog lines; SIGTERM stops the
# job, and a restart with the same --data-dir resumes after the last checkpoint (rows written
# while it was down arrive, none twice).
# Usage: test_cdc_cli.sh SLUICE_BINARY (env SLUICE_MYSQL_HOST/PORT/USER/PASSWORD from the fixture)
set -uo pipefail
SLUICE=$1
TMP=$(mktemp -d /tmp/sluice-cdc-cli-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
DB="cdccli$$"
sql() { mariadb -h "$SLUICE_MYSQL_HOST" -P "$SLUICE_MYSQL_PORT" -u "$SLUICE_MYSQL_USER" \
            -p"$SLUICE_MYSQL_PASSWORD" -N -e "$1"; }
lines() { [ -f "$TMP/out.jsonl" ] && wc -l <"$TMP/out.jsonl" || echo 0; }
# await_line TEXT: waits up to 15 s for a line holding TEXT.
await_line() {
    for _ in $(seq 1 300); do
        grep -qF -- "$1" "$TMP/out.jsonl" 2>/dev/null && return 0
        sleep 0.05
    done
    fail "no line with $1: $(tail -n 5 "$TMP/out.jsonl" 2>/dev/null)"; return 1
}
# sync: pings until the stream shows one (the job is live from then on).
ping=0
sync() {
    for _ in $(seq 1 100); do
        ping=$((ping + 1)); sql "INSERT INTO $DB.ping VALUES ($ping)"
        for _ in $(seq 1 10); do
            grep -qF "{\"id\":$ping}" "$TMP/out.jsonl" 2>/dev/null && return 0; sleep 0.05
        done
    done
    fail "the stream never showed a ping"; return 1
}

sql "DROP DATABASE IF EXISTS $DB; CREATE DATABASE $DB;
     CREATE TABLE $DB.orders (id INT PRIMARY KEY, item VARCHAR(20), qty INT);
     CREATE TABLE $DB.ping (id INT PRIMARY KEY)" || { echo "FAIL: setup"; exit 1; }
cat >"$TMP/job.json" <<JSON
{"name": "cdc-cli", "checkpoint": {"interval": "200ms"},
 "operators": [
  {"id": "src", "type": "mysql_cdc", "config": {
     "host": "$SLUICE_MYSQL_HOST", "port": $SLUICE_MYSQL_PORT, "user": "$SLUICE_MYSQL_USER",
     "password_env": "SLUICE_MYSQL_PASSWORD", "ssl_mode": "disabled", "server_id": 7301,
     "tables": ["$DB\\\\..*"], "startup": {"mode": "latest-offset"}}},
  {"id": "out", "type": "print", "inputs": ["src"], "config": {"path": "$TMP/out.jsonl"}}]}
JSON

"$SLUICE" run "$TMP/job.json" --data-dir "$TMP/data" 2>"$TMP/err1" &
pid=$!
sync
sql "INSERT INTO $DB.orders VALUES (1,'apple',3); UPDATE $DB.orders SET qty=4 WHERE id=1"
row() { echo "{\"op\":\"$1\",\"table\":\"$DB.orders\",\"data\":$2}"; }
await_line "$(row +U '{"id":1,"item":"apple","qty":4}')" && echo "ok     changes arrive"
grep -qF -- "$(row -U '{"id":1,"item":"apple","qty":3}')" "$TMP/out.jsonl" || fail "no -U line"
sleep 0.6 # a checkpoint after the update
kill -TERM $pid; wait $pid; rc=$?
[ $rc -eq 130 ] || fail "SIGTERM: exit $rc: $(tail -n 5 "$TMP/err1")"
before=$(lines)
sql "INSERT INTO $DB.orders VALUES (2,'pear',1)"
"$SLUICE" run "$TMP/job.json" --data-dir "$TMP/data" 2>"$TMP/err2" &
pid=$!
await_line "$(row +I '{"id":2,"item":"pear","qty":1}')" &&
    echo "ok     rows written while down arrive after the restart"
sleep 0.5
grep -qF "restoring job cdc-cli from checkpoint" "$TMP/err2" ||
    fail "no restore: $(head -c 600 "$TMP/err2")"
[ "$(lines)" -eq $((before + 1)) ] ||
    fail "after the restart $(lines) lines, want $((before + 1)): $(tail -n 5 "$TMP/out.jsonl")"
kill -TERM $pid; wait $pid
if grep -qF -- "$SLUICE_MYSQL_PASSWORD" "$TMP/err1" "$TMP/err2"; then
    fail "the password is in the log"
fi
sql "DROP DATABASE $DB"
[ $failures -eq 0 ] && echo "all passed" || echo "$failures failures"
exit $((failures > 0))
