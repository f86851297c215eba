#!/usr/bin/env bash
# Checkpoint overhead: datagen -> blackhole (two tasks joined by a channel) without checkpoints and
# with a checkpoint every second into RocksDB, in the same run; checkpoint durations (p50/p99) from
# the job's log; and the restore time after kill -9 beside a fresh start of the same job.
#   bench/checkpoint_overhead.sh [rows]          (BUILD_DIR overrides the build directory)
# Targets: throughput with checkpoints >= 95 % of without, checkpoint p99 < 50 ms, restore < 1 s.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-"$root/build-release"}
rows=${1:-30000000}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target sluice -j"$(nproc)" >/dev/null
sluice="$build/runtime/cli/sluice"
tmp=$(mktemp -d /tmp/sluice-bench-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

job() { # job NAME ROWS CHECKPOINT_SECTION
    cat >"$tmp/$1.json" <<JOB
{"name": "$1", $3
 "operators": [
   {"id": "gen", "type": "datagen", "config": {"rows": $2}},
   {"id": "sink", "type": "blackhole", "inputs": [{"from": "gen", "distribution": "rebalance"}]}]}
JOB
}
now_ms() { date +%s%3N; }
# rate NAME [sluice args]: runs the job, prints rows/s; the log goes to $tmp/NAME.log
rate() {
    local name=$1; shift
    local t0 t1
    t0=$(now_ms)
    "$sluice" run "$tmp/$name.json" "$@" 2>"$tmp/$name.log" >/dev/null
    t1=$(now_ms)
    echo $(( rows * 1000 / (t1 - t0) ))
}
best() { sort -n | tail -1; }

job plain "$rows" ''
job ckpt "$rows" '"checkpoint": {"interval": "1s"},'
plain=0; ckpt=0; : >"$tmp/durations"
for i in 1 2 3; do
    p=$(rate plain); [ "$p" -gt "$plain" ] && plain=$p
    rm -rf "$tmp/data"
    c=$(rate ckpt --data-dir "$tmp/data"); [ "$c" -gt "$ckpt" ] && ckpt=$c
    grep -o 'checkpoint [0-9]* COMPLETED in [0-9]* ms' "$tmp/ckpt.log" | awk '{print $5}' >>"$tmp/durations"
done
n=$(wc -l <"$tmp/durations")
sort -n "$tmp/durations" -o "$tmp/durations"
pct() { awk -v p="$1" -v n="$n" 'NR == int((n - 1) * p / 100) + 1 {print; exit}' "$tmp/durations"; }
p50=$(pct 50); p99=$(pct 99)

# Restore: an unbounded job checkpointing every second, killed with -9 after 3 s, started again.
job forever 0 '"checkpoint": {"interval": "1s"},'
running_ms() { # launch the job, print ms from launch to its RUNNING log line, then stop it
    local t0 pid line ts
    t0=$(now_ms)
    "$sluice" run "$tmp/forever.json" --data-dir "$tmp/restore" 2>"$tmp/restore.log" >/dev/null &
    pid=$!
    for _ in $(seq 1 500); do grep -q ': RUNNING' "$tmp/restore.log" && break; sleep 0.01; done
    line=$(grep -m1 ': RUNNING' "$tmp/restore.log" | cut -d' ' -f1)
    ts=$(date -d "${line%Z}" +%s%3N 2>/dev/null || echo "$t0")
    echo $(( ts - t0 ))
    echo "$pid" >"$tmp/pid"
}
rm -rf "$tmp/restore"
fresh=$(running_ms); sleep 3; kill -9 "$(cat "$tmp/pid")"; wait "$(cat "$tmp/pid")" 2>/dev/null || true
restore=$(running_ms)
restored_from=$(grep -o 'from checkpoint [0-9]*' "$tmp/restore.log" | head -1)
sleep 1; kill -INT "$(cat "$tmp/pid")"; wait "$(cat "$tmp/pid")" 2>/dev/null || true

printf 'checkpoint overhead, datagen -> blackhole across a channel, %d rows, best of 3\n' "$rows"
printf '%-44s %12d rows/s\n' "without checkpoints" "$plain"
printf '%-44s %12d rows/s  (%d checkpoints)\n' "with a checkpoint every 1s (RocksDB)" "$ckpt" "$n"
printf 'ratio: %s\n' "$(awk -v a="$ckpt" -v b="$plain" 'BEGIN {printf "%.3f", a / b}')"
printf 'checkpoint duration: p50 %s ms, p99 %s ms\n' "${p50:-?}" "${p99:-?}"
printf 'start to RUNNING: fresh %d ms, after kill -9 (%s) %d ms\n' "$fresh" "$restored_from" "$restore"
ok=0
awk -v a="$ckpt" -v b="$plain" 'BEGIN {exit !(a >= 0.95 * b)}' && echo "target >= 95% of without: PASS" || { echo "target >= 95% of without: FAIL"; ok=1; }
[ -n "$p99" ] && [ "$p99" -lt 50 ] && echo "target p99 < 50 ms: PASS" || { echo "target p99 < 50 ms: FAIL"; ok=1; }
[ -n "$restored_from" ] && [ "$restore" -lt 1000 ] && echo "target restore < 1 s: PASS" || { echo "target restore < 1 s: FAIL"; ok=1; }
exit $ok
