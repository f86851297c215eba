#!/usr/bin/env bash
# Secrets stay secret: a job whose mysql_cdc source and starrocks sink carry literal passwords
# (pointing at ports where nothing listens, so the job fails to connect and its failure is
# recorded too) is submitted; neither password appears in any REST answer (list, overview, the
# job, checkpoints, metrics), in the daemon's log file or output, or in the sluice client's output.
# Usage: test_daemon_secrets.sh SLUICE SLUICED
set -uo pipefail
SLUICE=$1
SLUICED=$2
T=$(mktemp -d /tmp/sluice-daemon-secrets-XXXXXX)
. "$(dirname "$0")/daemon_lib.sh"
daemon_init

pw_src='Src-Pa55w0rd-7f3e9c'
pw_sink='Sink-Pa55w0rd-a41d2b'
daemon_start "$T/data" --log-format json || exit 1
cat >"$T/secret.json" <<JSON
{"name": "secrets", "checkpoint": {"interval": "500ms"}, "restart": {"strategy": "none"},
 "operators": [
  {"id": "src", "type": "mysql_cdc", "config": {
     "host": "127.0.0.1", "port": 1, "user": "sync", "password": "$pw_src",
     "ssl_mode": "disabled", "server_id": 7399, "tables": ["shop\\\\..*"]}},
  {"id": "out", "type": "starrocks", "inputs": ["src"], "config": {
     "load_url": "127.0.0.1:1", "query_url": "127.0.0.1:1",
     "user": "root", "password": "$pw_sink", "database": "shop"}}]}
JSON
# A literal password in a second job that only validates (a datagen -> starrocks without
# checkpoints never connects before its first batch), so that one job is alive while we look.
cat >"$T/alive.json" <<JSON
{"name": "secrets-alive", "operators": [
  {"id": "gen", "type": "datagen", "config": {"rows": 0, "rate": 1}},
  {"id": "out", "type": "starrocks", "inputs": ["gen"], "config": {
     "load_url": "127.0.0.1:1", "query_url": "127.0.0.1:1",
     "user": "root", "password": "$pw_sink", "database": "shop"}}]}
JSON

: >"$T/seen"
# record NAME: appends the last REST body or client output to $T/seen, labelled.
record() { { echo "== $1"; cat "$2"; echo; } >>"$T/seen"; }

code=$(api POST /jobs "@$T/secret.json"); record "POST /jobs" "$T/body"
if [ "$code" = 202 ]; then
    id=$(json_get "$T/body" 'j["jobid"]')
    ok "submitted a job with passwords: $id"
else
    # Refused at validation is fine for the point of the test, as long as the refusal does not
    # echo the password.
    id=
    echo "note   the job was refused (HTTP $code): $(head -c 200 "$T/body")"
fi
cli submit "$T/alive.json"; record "sluice submit" "$T/out"; record "sluice submit (stderr)" "$T/err"
alive=$(cat "$T/out")

# Give the first job time to try to connect, fail and record its failure.
[ -n "$id" ] && for _ in $(seq 1 100); do
    s=$(job_state "$id"); [ "$s" = FAILED ] || [ "$s" = RESTARTING ] && break; sleep 0.1
done
sleep 1
for path in /jobs /jobs/overview /metrics /healthz; do
    api GET "$path" >/dev/null; record "GET $path" "$T/body"
done
for j in $id $alive; do
    for sub in "" /checkpoints; do
        api GET "/jobs/$j$sub" >/dev/null; record "GET /jobs/$j$sub" "$T/body"
    done
    api GET "/jobs/$j" >/dev/null
    grep -q '\*\*\*' "$T/body" && ok "GET /jobs/$j shows the passwords as ***" ||
        fail "GET /jobs/$j does not mask the password as ***: $(head -c 400 "$T/body")"
    for args in "status $j" "status $j --json" "checkpoints $j" "checkpoints $j --json"; do
        # shellcheck disable=SC2086
        cli $args; record "sluice $args" "$T/out"; record "sluice $args (stderr)" "$T/err"
    done
done
cli list; record "sluice list" "$T/out"
cli list --json; record "sluice list --json" "$T/out"
[ -n "$alive" ] && { cli cancel "$alive"; record "sluice cancel" "$T/out"; }
daemon_stop
record "daemon log file" "$T/daemon.log"
record "daemon stdout/stderr" "$T/daemon.out"
[ -s "$T/daemon.log" ] && ok "the daemon wrote its log file" || fail "no log in --log-file"

for pw in "$pw_src" "$pw_sink"; do
    n=$(grep -c -F -- "$pw" "$T/seen")
    if [ "$n" -eq 0 ]; then
        ok "password ${pw%%-*}... appears nowhere ($(wc -l <"$T/seen") lines looked at)"
    else
        fail "password ${pw%%-*}... appears $n times, in: $(awk -v pw="$pw" '/^== /{w=$0} index($0, pw){print w}' "$T/seen" | sort -u | xargs)"
    fi
done
[ "$failures" -eq 0 ] && echo "all daemon secrets tests passed" || { echo "$failures failures" >&2; exit 1; }
