#!/usr/bin/env bash
# One failpoint as a crash (SLUICE_FAILPOINTS="NAME=exit@K": the process _exits 137 on the K-th
# hit), then the same command without it runs to the end; or, with ACTION error, a transient
# failure the fixed-delay restart strategy recovers from inside one run. Either way the committed
# part files must hold every row exactly once.
# Usage: test_failpoint.sh SLUICE_BINARY NAME [K] [exit|error]
set -uo pipefail
SLUICE=$1
NAME=$2
K=${3:-5}
ACTION=${4:-exit}
T=$(mktemp -d /tmp/sluice-fault-fp-XXXXXX)
. "$(dirname "$0")/fault_lib.sh"
fault_init
reference
job=$(make_job fp "$ROWS" "$RATE")

if [ "$ACTION" = exit ]; then
    run_job "$job" SLUICE_FAILPOINTS="$NAME=exit@$K"
    rc=$?
    if [ "$rc" -ne 137 ]; then
        fail "$NAME=exit@$K: exit $rc, want 137 (the failpoint did not fire mid-run?)"; log_tail
    else
        echo "ok     $NAME=exit@$K: the first run died (137)"
        run_job "$job"
        rc=$?
        [ "$rc" -eq 0 ] || { fail "rerun after $NAME: exit $rc, want 0"; log_tail; }
    fi
    what="crash at $NAME"
else
    run_job "$job" SLUICE_FAILPOINTS="$NAME=error@$K"
    rc=$?
    [ "$rc" -eq 0 ] || { fail "$NAME=error@$K: exit $rc, want 0 (restarts in-process)"; log_tail; }
    grep -q "failpoint $NAME" "$T/log" || fail "$NAME=error@$K never fired"
    grep -q "restored from checkpoint" "$T/log" || fail "no restart restored a checkpoint"
    what="error at $NAME, restarted in-process"
fi
[ "$failures" -eq 0 ] && check_exactly_once fp "$what"
[ "$failures" -eq 0 ] || exit 1
