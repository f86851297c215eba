#!/usr/bin/env bash
# End-to-end tests of `sluice run --metrics-file`: the Prometheus text holds the runtime's series
# with counts that add up to the generated rows at exit, it is there (and moving) while an
# unbounded job runs, checkpoints are counted with --data-dir, and an unwritable path costs a
# warning, not the job.
# Usage: test_cli_metrics.sh SLUICE_BINARY
set -uo pipefail
SLUICE=$1
TMP=$(mktemp -d /tmp/sluice-metrics-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
failures=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok     $*"; }
job() { printf '%s' "$2" >"$TMP/$1.json"; echo "$TMP/$1.json"; }
# sum FILE METRIC VERTEX: the sum of the series of METRIC for VERTEX (every subtask).
sum() {
    awk -v m="$2" -v v="vertex=\"$3\"" 'index($0, m "{") == 1 && index($0, v) { s += $NF } END { print s + 0 }' "$1"
}
# series FILE METRIC VERTEX: how many series of METRIC for VERTEX.
series() { grep -c "^$2{.*vertex=\"$3\"" "$1"; }

rows=5000
j=$(job bounded '{"name":"m","operators":[{"id":"g","type":"datagen","parallelism":2,"config":{"rows":5000}},{"id":"o","type":"blackhole","parallelism":2,"inputs":[{"from":"g","distribution":"rebalance"}]}]}')
mf="$TMP/out/m.prom"
mkdir -p "$TMP/out"
"$SLUICE" run "$j" --metrics-file "$mf" >"$TMP/stdout" 2>"$TMP/err"
got=$?
if [ "$got" -ne 0 ]; then
    fail "bounded run: exit $got; $(tail -c 600 "$TMP/err")"
elif [ ! -s "$mf" ]; then
    fail "no metrics file at exit"
else
    grep -qx '# TYPE sluice_records_out_total counter' "$mf" || fail "no TYPE line: $(head -c 600 "$mf")"
    grep -q '^# HELP sluice_records_in_total ' "$mf" || fail "no HELP line"
    [ "$(grep -c '^# TYPE sluice_records_out_total ' "$mf")" -eq 1 ] || fail "TYPE repeated"
    [ "$(series "$mf" sluice_records_out_total g)" -eq 2 ] || fail "want 2 series of g"
    grep -q '^sluice_records_out_total{job="m",vertex="g",subtask="1"} ' "$mf" || fail "series labels"
    [ "$(sum "$mf" sluice_records_out_total g)" -eq "$rows" ] || fail "g out: $(sum "$mf" sluice_records_out_total g)"
    [ "$(sum "$mf" sluice_records_in_total o)" -eq "$rows" ] || fail "o in: $(sum "$mf" sluice_records_in_total o)"
    [ "$(sum "$mf" sluice_records_out_total o)" -eq 0 ] || fail "a sink emitted"
    [ "$(sum "$mf" sluice_batches_out_total g)" -gt 0 ] || fail "no batches out"
    grep -qx 'sluice_job_restarts_total{job="m"} 0' "$mf" || fail "restarts series"
    ! grep -q checkpoint "$mf" || fail "checkpoint series without --data-dir"
    [ "$(ls -A "$TMP/out")" = "m.prom" ] || fail "left over: $(ls -A "$TMP/out")"
    ok "--metrics-file at exit: records add up to $rows"
fi

# With a data directory: the final checkpoint is counted.
"$SLUICE" run "$j" --data-dir "$TMP/d1" --metrics-file "$mf" >"$TMP/stdout" 2>"$TMP/err"
got=$?
if [ "$got" -ne 0 ]; then
    fail "run with --data-dir: exit $got; $(tail -c 600 "$TMP/err")"
else
    n=$(sed -n 's/^sluice_checkpoints_completed_total{job="m"} //p' "$mf")
    [ "${n:-0}" -ge 1 ] || fail "checkpoints completed \"$n\""
    grep -qx 'sluice_checkpoints_failed_total{job="m"} 0' "$mf" || fail "checkpoints failed"
    grep -q '^sluice_last_checkpoint_duration_ms{job="m"} [0-9]' "$mf" || fail "duration gauge"
    ok "--metrics-file counts checkpoints"
fi

# While an unbounded job runs, the file is rewritten with growing counts; SIGINT writes the last.
j=$(job unbounded '{"name":"forever","operators":[{"id":"g","type":"datagen","parallelism":2,"config":{"rows":0,"rate":20000}},{"id":"o","type":"blackhole","inputs":[{"from":"g","distribution":"rebalance"}]}]}')
rm -f "$mf"
"$SLUICE" run "$j" --metrics-file "$mf" >"$TMP/stdout" 2>"$TMP/err" &
pid=$!
first=0
for _ in $(seq 1 100); do
    [ -s "$mf" ] && first=$(sum "$mf" sluice_records_in_total o)
    [ "$first" -gt 0 ] && break
    sleep 0.1
done
[ "$first" -gt 0 ] || fail "no moving counts while running: $(head -c 400 "$mf" 2>/dev/null)"
second=$first
for _ in $(seq 1 60); do
    second=$(sum "$mf" sluice_records_in_total o)
    [ "$second" -gt "$first" ] && break
    sleep 0.1
done
[ "$second" -gt "$first" ] || fail "counts did not move within 6 s ($first)"
kill -INT "$pid"
wait "$pid"
got=$?
[ "$got" -eq 130 ] || fail "SIGINT: exit $got"
last=$(sum "$mf" sluice_records_in_total o)
[ "$last" -ge "$second" ] || fail "final count $last < $second"
[ "$(sum "$mf" sluice_records_out_total g)" -ge "$last" ] || fail "final file: out < in"
ok "--metrics-file while running ($first -> $second -> $last)"

# Usage and an unwritable path.
"$SLUICE" run "$j" --metrics-file >/dev/null 2>"$TMP/err"
got=$?
[ "$got" -eq 2 ] && ok "--metrics-file without a path" || fail "--metrics-file without a path: exit $got"
j=$(job small '{"name":"s","operators":[{"id":"g","type":"datagen","config":{"rows":10}},{"id":"o","type":"blackhole","inputs":["g"]}]}')
"$SLUICE" run "$j" --metrics-file "$TMP/no/such/dir/m.prom" >/dev/null 2>"$TMP/err"
got=$?
if [ "$got" -eq 0 ] && grep -q "metrics file $TMP/no/such/dir/m.prom" "$TMP/err"; then
    [ "$(grep -c "metrics file" "$TMP/err")" -eq 1 ] || fail "unwritable path warned more than once"
    ok "unwritable --metrics-file warns, the job finishes"
else
    fail "unwritable --metrics-file: exit $got; $(tail -c 600 "$TMP/err")"
fi

[ "$failures" -eq 0 ] && echo "all metrics CLI tests passed" || { echo "$failures failures" >&2; exit 1; }
