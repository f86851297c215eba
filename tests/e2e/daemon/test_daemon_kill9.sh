#!/usr/bin/env bash
# kill -9 of sluiced with two jobs running (one of them resubmitted from a savepoint, so that a
# restart must take the job's own checkpoints, not the savepoint again): started again on the
# same --data-dir, both jobs are RUNNING again, restored from their latest checkpoints, under
# their old ids. Then a SIGTERM with --savepoint-on-stop: both resume from those savepoints.
# Canceled after a while, each file sink's committed parts hold every row its checkpoints
# covered exactly once.
# Usage: test_daemon_kill9.sh SLUICE SLUICED [KILLS]
set -uo pipefail
SLUICE=$1
SLUICED=$2
KILLS=${3:-2}
T=$(mktemp -d /tmp/sluice-daemon-kill9-XXXXXX)
. "$(dirname "$0")/daemon_lib.sh"
daemon_init

daemon_start "$T/data" --savepoint-on-stop || exit 1
ja=$(file_job alpha 3000)
jb=$(file_job beta 2000)
cli submit "$ja" && a=$(cat "$T/out") || { fail "submit alpha: $(cat "$T/err")"; exit 1; }
cli submit "$jb" && b=$(cat "$T/out") || { fail "submit beta: $(cat "$T/err")"; exit 1; }
await_state "$a" RUNNING && await_state "$b" RUNNING && ok "alpha $a and beta $b RUNNING"
# beta goes on from a savepoint under a new id.
await_more_checkpoints "$b" 2
cli stop "$b" --timeout 60 && sp=$(cat "$T/out") || fail "stop beta: $(cat "$T/err")"
cli submit "$jb" --savepoint "${sp:-}" && b=$(cat "$T/out") || fail "resubmit beta: $(cat "$T/err")"
await_state "$b" RUNNING && ok "beta resubmitted from its savepoint as $b"

for ((k = 1; k <= KILLS + 1; k++)); do
    await_more_checkpoints "$a" 3 && await_more_checkpoints "$b" 3 || break
    # A random moment between checkpoints (they come every 200 ms).
    sleep "0.$((RANDOM % 10))"
    if [ "$k" -le "$KILLS" ]; then
        kill -9 "$DPID"; wait "$DPID" 2>/dev/null; DPID=
        ok "kill -9 #$k"
    else
        daemon_stop && ok "SIGTERM with --savepoint-on-stop: exit 0" || fail "sluiced exit $? on SIGTERM"
    fi
    daemon_start "$T/data" --savepoint-on-stop || exit 1
    for id in "$a" "$b"; do
        await_state "$id" RUNNING || continue
        # The job restores on a worker thread: the restored checkpoint shows once it is running.
        restored=
        for _ in $(seq 1 50); do
            cli status "$id" --json &&
                restored=$(json_get "$T/out" 'j.get("restored-checkpoint") or ""')
            [ -n "$restored" ] && [ "$restored" != None ] && break
            sleep 0.1
        done
        [ -n "$restored" ] && [ "$restored" != None ] && ok "job $id RUNNING again, restored from checkpoint $restored" ||
            fail "job $id: no restored checkpoint after the restart: $(head -c 400 "$T/out")"
    done
    cli list && [ "$(grep -c ' RUNNING ' "$T/out")" -eq 2 ] || fail "list after restart: $(cat "$T/out")"
done

# Run on from the restored checkpoints, then cancel both.
await_more_checkpoints "$a" 3
await_more_checkpoints "$b" 3
for id in "$a" "$b"; do
    expect_cli 0 "cancel $id --json" cancel "$id" --timeout 60 --json &&
        { [ "$(json_get "$T/out" 'j["state"]')" = CANCELED ] || fail "cancel --json: $(head -c 300 "$T/out")"; }
done
check_exactly_once alpha "alpha across $KILLS kill -9 of sluiced and a SIGTERM"
check_exactly_once beta "beta across a resubmission, $KILLS kill -9 of sluiced and a SIGTERM"
grep -q 'stopped for the shutdown' "$T/daemon.log" || fail "no stop-with-savepoint at the SIGTERM in the log"

daemon_stop || fail "sluiced exit $? after SIGTERM"
[ "$failures" -eq 0 ] && echo "all daemon kill -9 tests passed" || { echo "$failures failures" >&2; exit 1; }
