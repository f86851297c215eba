#!/usr/bin/env bash
# sluiced end to end through the sluice client: an unbounded, rate-limited datagen -> file job
# with checkpoints is submitted, listed, inspected, savepointed and stopped with a savepoint; the
# same job submitted again from that savepoint runs on and is canceled. The file sink's committed
# parts of both runs together must hold every row the checkpoints covered exactly once.
# Usage: test_daemon_rest.sh SLUICE SLUICED
set -uo pipefail
SLUICE=$1
SLUICED=$2
T=$(mktemp -d /tmp/sluice-daemon-rest-XXXXXX)
. "$(dirname "$0")/daemon_lib.sh"
daemon_init

daemon_start "$T/data" || exit 1
job=$(file_job rest 4000)

expect_cli 0 "submit" submit "$job" && id=$(cat "$T/out")
[[ "${id:-}" =~ ^[0-9a-f]{32}$ ]] || { fail "submit printed \"${id:-}\", want a 32-hex job id"; exit 1; }
await_state "$id" RUNNING && ok "job $id is RUNNING"
# Metrics and logs are labelled by job name: a second running job of the same name is refused.
expect_cli 1 "submit of a second job named rest while it runs exits 1" submit "$job" &&
    { grep -q 'HTTP 409' "$T/err" || fail "duplicate name: $(cat "$T/err")"; }

expect_cli 0 "list" list && {
    grep -q "^$id  *rest  *RUNNING " "$T/out" || fail "list: no line for $id: $(cat "$T/out")"
    head -n 1 "$T/out" | grep -q 'ID.*NAME.*STATE.*STARTED.*DURATION.*RESTARTS' || fail "list header"
}
expect_cli 0 "list --json" list --json &&
    [ "$(json_get "$T/out" '[x["jid"] for x in j["jobs"]].count("'"$id"'")')" = 1 ] ||
    fail "list --json does not hold $id once: $(head -c 300 "$T/out")"

await_checkpoints "$id" 3 && expect_cli 0 "checkpoints" checkpoints "$id" && {
    n=$(grep -c ' COMPLETED  *checkpoint ' "$T/out")
    [ "$n" -ge 3 ] && ok "checkpoints lists $n completed" || fail "checkpoints: $(head -c 600 "$T/out")"
}
expect_cli 0 "status" status "$id" && {
    grep -q '^state  *RUNNING$' "$T/out" || fail "status state: $(cat "$T/out")"
    grep -q '^latest checkpoint  *[0-9][0-9]* COMPLETED' "$T/out" || fail "status latest checkpoint: $(cat "$T/out")"
    grep -q '^gen  *datagen  *2 ' "$T/out" || fail "status vertex gen: $(cat "$T/out")"
    out_in=$(awk '$1 == "out" && $2 == "file" { print $4 }' "$T/out")
    [ "${out_in:-0}" -gt 0 ] && ok "status: sink read $out_in records" || fail "status: records in of out \"$out_in\""
}
expect_cli 0 "status --json" status "$id" --json &&
    [ "$(json_get "$T/out" 'j["jid"]')" = "$id" ] || fail "status --json: $(head -c 300 "$T/out")"

# A savepoint while it runs: the location is a directory with its metadata.
expect_cli 0 "savepoint" savepoint "$id" --timeout 60 && {
    sp=$(cat "$T/out")
    [ -f "$sp/_metadata" ] && ok "savepoint at $sp" || fail "savepoint location \"$sp\" has no _metadata"
}
expect_cli 0 "checkpoints after a savepoint" checkpoints "$id" &&
    { grep -q ' COMPLETED  *savepoint ' "$T/out" || fail "no savepoint in the history: $(head -c 600 "$T/out")"; }

# Stop with a savepoint: the job ends STOPPED and the sinks committed every row it emitted.
sleep 1
expect_cli 0 "stop" stop "$id" --timeout 60 && sp=$(cat "$T/out")
[ -f "${sp:-/nonexistent}/_metadata" ] && ok "stop: savepoint at $sp" || fail "stop printed \"${sp:-}\""
[ "$(job_state "$id")" = STOPPED ] && ok "job $id is STOPPED" || fail "job $id is \"$(job_state "$id")\" after stop"
expect_cli 1 "stop of a STOPPED job exits 1" stop "$id" &&
    { grep -q 'HTTP 409' "$T/err" || fail "stop of a stopped job: $(cat "$T/err")"; }
check_exactly_once rest "after stop-with-savepoint"
first_rows=$(wc -l <"$T/all")

# The same job from the savepoint: a new id, datagen goes on where the first run stopped.
expect_cli 0 "submit --savepoint" submit "$job" --savepoint "$sp" && id2=$(cat "$T/out")
[ "${id2:-$id}" != "$id" ] || fail "resubmission got the same id"
await_state "$id2" RUNNING
await_checkpoints "$id2" 5
expect_cli 0 "status of the resubmitted job" status "$id2" &&
    { grep -q '^restored from  *[0-9]' "$T/out" || fail "status does not show the restored savepoint: $(cat "$T/out")"; }
expect_cli 0 "cancel" cancel "$id2" && {
    grep -q "CANCELED" "$T/out" || fail "cancel printed $(cat "$T/out")"
}
[ "$(job_state "$id2")" = CANCELED ] || fail "job $id2 is \"$(job_state "$id2")\" after cancel"
check_exactly_once rest "both runs (stop, then resume from the savepoint and cancel)"
total=$(wc -l <"$T/all")
[ "$total" -gt "$first_rows" ] && ok "the second run added $((total - first_rows)) rows" ||
    fail "the second run committed nothing ($total rows in all)"

expect_cli 0 "list after both" list &&
    { grep -q "^$id  *rest  *STOPPED " "$T/out" && grep -q "^$id2  *rest  *CANCELED " "$T/out" ||
        fail "list: $(cat "$T/out")"; }

daemon_stop || fail "sluiced exit $? after SIGTERM"
[ "$failures" -eq 0 ] && echo "all daemon REST tests passed" || { echo "$failures failures" >&2; exit 1; }
