#!/usr/bin/env bash
# REST API under load: sluiced (Release) runs one datagen -> blackhole job at full speed, and
# bench/rest_load.c sends GET /jobs/:id and GET /metrics alternately over keep-alive connections.
# The job's rows/s (from /metrics) is measured in ROUNDS rounds of three WINDOW-second windows:
# alone, under the load flat out, under a steady RATE. Interleaving the windows cancels the drift
# of a shared machine; each figure is the total over its windows. Prints requests/s, p50/p99
# latency and the job's rows/s under each load beside the unloaded figure.
#   bench/rest_api.sh
# Environment: BUILD_DIR (default build-cli-rel), ROUNDS (4), WINDOW (3 s), THREADS (connections
# of the flat-out load, 1: the REST server answers on one thread, more connections only add
# load-generator CPU), RATE (requests/s of the steady load, 1000), DIST (the job's edge: forward =
# one chained task, the default on 2 cores so that one core is left to the daemon's REST thread
# and the load; rebalance = two tasks, which then compete with the API for CPU).
# Targets (exit 1 if one fails): the job's throughput under the flat-out load drops < 5 %, p99
# latency < 10 ms, no request fails.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-"$root/build-cli-rel"}
rounds=${ROUNDS:-4}
window=${WINDOW:-3}
threads=${THREADS:-1}
rate=${RATE:-1000}
dist=${DIST:-forward}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target sluiced -j"$(nproc)" >/dev/null
# The load generator is one file on libcurl: built here, not one of the tree's targets.
load="$build/bench/rest_load"
mkdir -p "$build/bench"
read -ra curl_flags <<<"$(pkg-config --cflags --libs libcurl)"
cc -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$load" "$root/bench/rest_load.c" \
    "${curl_flags[@]}" -pthread -lm
sluiced="$build/runtime/daemon/sluiced"
tmp=$(mktemp -d /tmp/sluice-bench-rest-XXXXXX)
dpid=
trap '[ -n "$dpid" ] && kill -9 "$dpid" 2>/dev/null; rm -rf "$tmp"' EXIT

"$sluiced" --data-dir "$tmp/data" --listen 127.0.0.1:0 --port-file "$tmp/port" \
    --log-file "$tmp/daemon.log" >"$tmp/daemon.out" 2>&1 &
dpid=$!
for _ in $(seq 1 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
port=$(tr -d '\n' <"$tmp/port")
url="http://127.0.0.1:${port##*:}"

cat >"$tmp/job.json" <<JOB
{"name": "bench-rest", "operators": [
   {"id": "gen", "type": "datagen", "config": {"rows": 0}},
   {"id": "sink", "type": "blackhole", "inputs": [{"from": "gen", "distribution": "$dist"}]}]}
JOB
id=$(curl -sf -X POST --data-binary @"$tmp/job.json" "$url/jobs" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["jobid"])')
for _ in $(seq 1 100); do
    curl -sf "$url/jobs/$id" | grep -q '"state": *"RUNNING"' && break
    sleep 0.1
done
sleep 1 # past the start-up

now_ms() { date +%s%3N; }
# rows: the records the sink has read so far (from /metrics).
rows() {
    curl -sf "$url/metrics" |
        awk 'index($0, "sluice_records_in_total{") == 1 && index($0, "vertex=\"sink\"") { s += $NF }
             END { printf "%d\n", s }'
}
# cpu_ticks: sluiced's user + system CPU so far, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$dpid/stat"; }
# window NAME [rest_load args]: one window, alone (sleep) or under rest_load; appends
# "rows ms sluiced_ticks" to $tmp/NAME.rows and rest_load's summary line to $tmp/NAME.load.
window() {
    local name=$1 r0 t0 c0 r1 t1 c1; shift
    r0=$(rows); t0=$(now_ms); c0=$(cpu_ticks)
    if [ $# -eq 0 ]; then sleep "$window"; else "$load" "$url" "$@" >>"$tmp/$name.load"; fi
    r1=$(rows); t1=$(now_ms); c1=$(cpu_ticks)
    echo "$((r1 - r0)) $((t1 - t0)) $((c1 - c0))" >>"$tmp/$name.rows"
}
hz=$(getconf CLK_TCK)
paths="/jobs/$id,/metrics"
for ((r = 1; r <= rounds; r++)); do
    window alone
    window flat 100000000 "$threads" "$paths" "" 0 "$window"
    window steady 100000000 1 "$paths" "" "$rate" "$window"
done
kill -TERM "$dpid"; wait "$dpid" 2>/dev/null || true; dpid=

# cores NAME: sluiced's CPU over NAME's windows, in cores (1.00 = one core busy).
cores() { awk -v hz="$hz" '{ c += $3; t += $2 } END { printf "%.2f", c / hz * 1000 / t }' "$tmp/$1.rows"; }
# rate_of NAME: rows/s over all of NAME's windows; spread NAME: the lowest and highest window.
rate_of() { awk '{ r += $1; t += $2 } END { printf "%d\n", r * 1000 / t }' "$tmp/$1.rows"; }
spread() { awk '{ x = $1 * 1000 / $2; if (NR == 1 || x < lo) lo = x; if (x > hi) hi = x }
                END { printf "%d-%d", lo, hi }' "$tmp/$1.rows"; }
# stat NAME FIELD how: over the rounds' summary lines: sum, or max (p99 and max latency).
stat() {
    awk -v k="$2" -v how="$3" '{ for (i = 1; i < NF; i += 2) if ($i == k) { v = $(i + 1);
        s += v; if (v > m) m = v } } END { if (how == "max") print m; else print s }' "$tmp/$1.load"
}
base=$(rate_of alone)
drop() { awk -v a="$(rate_of "$1")" -v b="$base" 'BEGIN { printf "%.1f", (b - a) * 100 / b }'; }

printf 'REST API under load: sluiced (Release), datagen -> blackhole (%s) at full speed;\n' "$dist"
printf 'GET /jobs/:id and GET /metrics alternating on keep-alive connections; %d rounds of\n' "$rounds"
printf '%d s windows (alone, flat out, steady), figures over all windows of a kind\n' "$window"
printf '%-46s %10d rows/s  (windows %s; sluiced %s cores)\n' "job alone" "$base" \
    "$(spread alone)" "$(cores alone)"
for p in flat steady; do
    if [ "$p" = flat ]; then what="flat out, $threads connection(s)"; else what="at $rate requests/s"; fi
    n=$(stat "$p" requests sum)
    secs=$(stat "$p" seconds sum)
    printf '%-46s %10d rows/s  (windows %s; %s%% drop; sluiced %s cores)\n' \
        "job under API load $what" "$(rate_of "$p")" "$(spread "$p")" "$(drop "$p")" "$(cores "$p")"
    printf '%-46s %10d req/s   (%d requests) p50 %s ms, p99 %s ms, max %s ms, %d errors;\n' \
        "  API" "$(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%d", n / s }')" "$n" \
        "$(stat "$p" p50_ms max)" "$(stat "$p" p99_ms max)" "$(stat "$p" max_ms max)" \
        "$(stat "$p" errors sum)"
    printf '%-46s the load generator used %s cores\n' "" \
        "$(awk -v c="$(stat "$p" cpu_s sum)" -v s="$secs" 'BEGIN { printf "%.2f", c / s }')"
done
ok=0
d=$(drop flat)
awk -v d="$d" 'BEGIN { exit !(d < 5) }' && echo "throughput drop under flat-out API load < 5% ($d%): PASS" ||
    { echo "throughput drop under flat-out API load < 5% ($d%): FAIL"; ok=1; }
p99=$(stat flat p99_ms max)
awk -v p="$p99" 'BEGIN { exit !(p < 10) }' && echo "p99 < 10 ms ($p99 ms, the worst round): PASS" ||
    { echo "p99 < 10 ms ($p99 ms, the worst round): FAIL"; ok=1; }
errors=$(($(stat flat errors sum) + $(stat steady errors sum)))
[ "$errors" -eq 0 ] || { echo "$errors requests failed: FAIL"; ok=1; }
exit $ok
