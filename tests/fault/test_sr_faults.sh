#!/usr/bin/env bash
# The starrocks sink under faults, against sr-endpoint (a StarRocks-compatible test double):
#   kill   kill -9 of `sluice run` at random moments (>= KILLS cycles), then a run to the end;
#   fp     a crash (exit) at each failpoint of the transaction protocol, then a clean rerun;
#   ep     endpoint faults (HTTP 500, Fail bodies, dropped connections, delays, publish
#          timeouts) the sink's retries and restarts must absorb, and an endpoint restart
#          (kill -9 of sr-endpoint) in the middle of the job.
# Every scenario ends with fault.dup (duplicate-key: a replayed row would be a second row) or
# fault.pk holding every generated row exactly once.
# Usage: test_sr_faults.sh SLUICE_BINARY SR_ENDPOINT_BINARY kill|fp|ep [KILLS]
set -uo pipefail
SLUICE=$1
SR_ENDPOINT=$2
MODE=$3
KILLS=${4:-10}
T=$(mktemp -d /tmp/sluice-fault-sr-XXXXXX)
# Per mode: kill needs a job long enough for KILLS cycles; each failpoint or endpoint fault only
# needs a few checkpoints.
case "$MODE" in
kill) ROWS=${ROWS:-160000} RATE=${RATE:-10000} ;;
*) ROWS=${ROWS:-30000} RATE=${RATE:-10000} ;;
esac
. "$(dirname "$0")/fault_lib.sh"
. "$(dirname "$0")/sr_lib.sh"
fault_init
trap 'sr_stop; fault_cleanup' EXIT
reference
sr_start || exit 1
sr_tables

case "$MODE" in
kill)
    job=$(make_sr_job kill "$ROWS" "$RATE" dup)
    kills=0 finished=0
    for ((attempt = 1; kills < KILLS; attempt++)); do
        SR_PW="$SR_PASSWORD" "$SLUICE" run "$job" --data-dir "$T/data" >>"$T/stdout" 2>>"$T/log" &
        BG=$!
        ms=$((300 + RANDOM % 1200))
        sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
        kill -9 "$BG" 2>/dev/null
        wait "$BG"
        rc=$?
        BG=
        if [ "$rc" -eq 137 ]; then
            kills=$((kills + 1))
        elif [ "$rc" -eq 0 ]; then
            finished=1; echo "note   run $attempt finished before the kill"; break
        else
            fail "run $attempt: exit $rc, want 137 or 0"; log_tail; break
        fi
    done
    echo "info   $kills kills"
    [ "$kills" -ge "$KILLS" ] || [ "$failures" -gt 0 ] ||
        fail "only $kills kills before the job finished; want $KILLS"
    if [ "$failures" -eq 0 ] && [ "$finished" -eq 0 ]; then
        run_sr_job "$job" || { fail "final run failed"; log_tail; }
    fi
    [ "$failures" -eq 0 ] && check_table dup "kill -9 x$kills"
    ;;
fp)
    # Each failpoint crashes the first run on its 3rd hit, a few checkpoints in.
    n=0
    for fp in starrocks.before_begin starrocks.after_begin starrocks.before_load \
        starrocks.after_load starrocks.before_prepare starrocks.after_prepare \
        starrocks.before_commit starrocks.after_commit starrocks.lose_commit_reply; do
        n=$((n + 1))
        sr_sql "TRUNCATE TABLE fault.dup" || fail "truncate"
        rm -rf "$T/data"
        job=$(make_sr_job "fp$n" "$ROWS" "$RATE" dup)
        run_sr_job "$job" SLUICE_FAILPOINTS="$fp=exit@3"
        rc=$?
        if [ "$rc" -ne 137 ]; then
            fail "$fp=exit@3: exit $rc, want 137"; log_tail; continue
        fi
        run_sr_job "$job" || { fail "rerun after $fp"; log_tail; continue; }
        check_table dup "crash at $fp"
    done
    ;;
ep)
    # Faults the endpoint injects: the job restarts in-process (fixed-delay) or retries, and the
    # table still ends exactly once.
    n=0
    for f in '{"op":"load","action":"http500","count":2}' \
        '{"op":"prepare","action":"fail","count":1}' \
        '{"op":"commit","when":"after","action":"drop","count":1}' \
        '{"op":"commit","when":"before","action":"drop","count":1}' \
        '{"op":"load","action":"delay","ms":300,"count":3}' \
        '{"op":"commit","action":"publish_timeout","count":2}'; do
        n=$((n + 1))
        sr_sql "TRUNCATE TABLE fault.pk" || fail "truncate"
        rm -rf "$T/data"
        curl -sf -u "root:$SR_PASSWORD" -X DELETE "http://127.0.0.1:$SR_FE/_fault" >/dev/null
        curl -sf -u "root:$SR_PASSWORD" -X POST -d "$f" "http://127.0.0.1:$SR_FE/_fault" \
            >/dev/null || fail "could not arm $f"
        job=$(make_sr_job "ep$n" "$ROWS" 0 pk)
        run_sr_job "$job" || { fail "job under $f failed"; log_tail; continue; }
        check_table pk "endpoint fault $f"
    done
    curl -sf -u "root:$SR_PASSWORD" -X DELETE "http://127.0.0.1:$SR_FE/_fault" >/dev/null
    # The endpoint itself dies mid-job (kill -9) and comes back on the same ports.
    sr_sql "TRUNCATE TABLE fault.dup" || fail "truncate"
    rm -rf "$T/data"
    job=$(make_sr_job restart "$ROWS" "$RATE" dup)
    SR_PW="$SR_PASSWORD" "$SLUICE" run "$job" --data-dir "$T/data" >>"$T/stdout" 2>>"$T/log" &
    BG=$!
    sleep 1.5
    kill -9 "$SR_PID"; wait "$SR_PID" 2>/dev/null
    sleep 0.5
    sr_start "$SR_FE" "$SR_BE" "$SR_QUERY"
    wait "$BG"; rc=$?; BG=
    # The sink's restarts may run out while the endpoint is down: a rerun resumes.
    [ "$rc" -eq 0 ] || run_sr_job "$job" || { fail "job across an endpoint restart"; log_tail; }
    check_table dup "endpoint restarted mid-job"
    ;;
*)
    echo "usage: $0 SLUICE SR_ENDPOINT kill|fp|ep [KILLS]" >&2; exit 2 ;;
esac
[ "$failures" -eq 0 ] || { echo "$failures failures" >&2; exit 1; }
