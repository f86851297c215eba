#!/usr/bin/env bash
# kill -9 at random moments: datagen -> file with checkpoints every 200 ms, the process killed
# 0.2-1.5 s into each run and the same command run again, at least KILLS times; then a run to the
# end. The committed part files must hold every row exactly once.
# Usage: test_kill9.sh SLUICE_BINARY [KILLS]
set -uo pipefail
SLUICE=$1
KILLS=${2:-10}
T=$(mktemp -d /tmp/sluice-fault-kill9-XXXXXX)
# Slow enough that KILLS runs of 0.2-1.5 s (0.85 s on average) do not finish it: 13 s of rows.
ROWS=200000 RATE=15000
. "$(dirname "$0")/fault_lib.sh"
fault_init
reference
job=$(make_job kill "$ROWS" "$RATE")

kills=0
finished=0
for ((attempt = 1; kills < KILLS; attempt++)); do
    "$SLUICE" run "$job" --data-dir "$T/data" >>"$T/stdout" 2>>"$T/log" &
    BG=$!
    ms=$((200 + RANDOM % 1301))
    sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
    kill -9 "$BG" 2>/dev/null
    wait "$BG"
    rc=$?
    BG=
    if [ "$rc" -eq 137 ]; then
        kills=$((kills + 1))
        echo "ok     run $attempt killed after ${ms} ms"
    elif [ "$rc" -eq 0 ]; then
        # The job ended before the kill (a zombie takes the signal too): it finished cleanly.
        finished=1
        echo "note   run $attempt finished before the kill (${ms} ms)"
        break
    else
        fail "run $attempt: exit $rc, want 137 (killed) or 0"; log_tail; break
    fi
done
[ "$kills" -ge "$KILLS" ] || [ "$failures" -gt 0 ] ||
    fail "only $kills kills before the job finished; want $KILLS"

if [ "$failures" -eq 0 ] && [ "$finished" -eq 0 ]; then
    run_job "$job"
    rc=$?
    [ "$rc" -eq 0 ] || { fail "final run: exit $rc, want 0"; log_tail; }
fi
restored=$(grep -c 'restored from checkpoint' "$T/log")
echo "info   $kills kills; $restored datagen subtasks restored from a checkpoint"
[ "$failures" -gt 0 ] || [ "$restored" -gt 0 ] || fail "no run restored from a checkpoint"
[ "$failures" -eq 0 ] && check_exactly_once kill "kill -9 x$kills"
[ "$failures" -eq 0 ] || { echo "$failures failures (kept nothing; log tail above)" >&2; exit 1; }
