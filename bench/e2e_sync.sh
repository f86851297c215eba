#!/usr/bin/env bash
# MySQL -> StarRocks end to end through sluice (mysql_cdc -> starrocks) into sr-endpoint, the
# StarRocks-compatible test double, against a private MariaDB, in one run (the sink in a task of
# its own behind a hash edge; DIST=forward chains it into the source's thread):
#  1. snapshot: ROWS rows of a mixed 10-column table (bench/mysql_table.sh) loaded by a bounded
#     job (startup snapshot, one transaction committed at the end), into sr-endpoint storing the
#     rows and into sr-endpoint --discard (parses and drops the bodies: the endpoint is not the
#     limit), beside the peer `mariadb --quick --batch` reading the same table;
#  2. changes: CHANGES row changes (updates, inserts, deletes in statements of 1,000 rows)
#     replayed from the binlog by a bounded job (specific-offset -> stop latest-offset), into
#     both endpoints (events counted by mariadb-binlog -v);
#  3. latency from MySQL commit to StarRocks commit at a steady RATE changes/s for LAT_SECONDS,
#     exactly-once (checkpoint every CKPT) and at-least-once (flush every FLUSH): the writer logs
#     each transaction's commit time from the server clock, sr-endpoint's store log each commit's
#     wall time (bench/e2e_latency.py matches them by a sequence number in column u).
# Usage: bench/e2e_sync.sh [rows] [changes]   (BUILD_DIR, BENCH_MYSQL_PORT, RATE, LAT_SECONDS,
# CKPT, FLUSH, DIST override). Targets (exit 1 if one fails): snapshot into --discard >= 200k
# rows/s; at-least-once p99 < 1 s; exactly-once p99 < checkpoint interval + 1 s.
set -euo pipefail
rows=${1:-1000000}
changes=${2:-200000}
port=${BENCH_MYSQL_PORT:-23396}
RATE=${RATE:-5000}
LAT_SECONDS=${LAT_SECONDS:-20}
CKPT=${CKPT:-1s}
FLUSH=${FLUSH:-200ms}
DIST=${DIST:-hash} # hash: the sink in a task (thread) of its own; forward chains it to the source
here=$(cd "$(dirname "$0")" && pwd)
. "$here/mysql_table.sh" # root build sluice tmp maria port file; the server and bench.t
cmake --build "$build" --target sr-endpoint -j"$(nproc)" >/dev/null
endpoint="$build/tests/sr_endpoint/sr-endpoint"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; "$maria" stop "$tmp/db" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
printf 'bench-pw' >"$tmp/sr-pw"
export BENCH_PW=sluice-pw SR_PW=bench-pw

start_endpoint() { # NAME [--discard]: sets fe, query for it
    local dir=$tmp/$1; shift
    "$endpoint" --data-dir "$dir" --fe-http-port 0 --be-http-port 0 --query-port 0 --user root \
        --password-file "$tmp/sr-pw" --ports-file "$dir.ports" --log-level warn "$@" \
        >"$dir.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do [ -s "$dir.ports" ] && break; sleep 0.1; done
    fe=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["fe_http"])' "$dir.ports")
    query=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["query"])' "$dir.ports")
    mariadb --no-defaults -h127.0.0.1 -P"$query" -uroot -pbench-pw -e "CREATE DATABASE bench;
      CREATE TABLE bench.t (id BIGINT NOT NULL, k INT, u BIGINT, name VARCHAR(64),
        price DECIMAL(18,4), ratio DOUBLE, created DATETIME, payload VARCHAR(255), flag TINYINT,
        d DATE) PRIMARY KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 4
      PROPERTIES (\"replication_num\" = \"1\")"
}
sr_count() { mariadb --no-defaults -h127.0.0.1 -P"$query" -uroot -pbench-pw -N -B \
                 -e "SELECT COUNT(*) FROM bench.t"; }
job() { # NAME STARTUP_JSON SOURCE_EXTRA SINK_EXTRA CHECKPOINT_JSON
    cat >"$tmp/$1.json" <<JOB
{"name": "$1", "checkpoint": $5,
 "operators": [
   {"id": "src", "type": "mysql_cdc", "config": {"host": "127.0.0.1", "port": $port,
     "user": "sluice", "password_env": "BENCH_PW", "tables": ["bench\\\\.t"],
     "startup": $2 $3}},
   {"id": "sink", "type": "starrocks", "inputs": [{"from": "src", "distribution": "$DIST"}],
    "config": {"load_url": ["127.0.0.1:$fe"], "query_url": "127.0.0.1:$query", "user": "root",
               "password_env": "SR_PW", "database": "bench", "table": "t" $4}}]}
JOB
}
timed() { # seconds of the command (stdout and stderr to $tmp/last.log)
    local t0=$EPOCHREALTIME
    "$@" >"$tmp/last.log" 2>&1 || { tail -5 "$tmp/last.log" >&2; return 1; }
    python3 -c "print(f'{$EPOCHREALTIME - $t0:.2f}')"
}
per_s() { awk -v n="$1" -v t="$2" 'BEGIN {printf "%d", n / t}'; }

# 1. Snapshot.
start_endpoint sr-discard --discard
job snap-discard '"snapshot"' '' '' '{"interval": "0"}'
snap_discard_s=$(timed "$sluice" run "$tmp/snap-discard.json")
discard_fe=$fe discard_query=$query
start_endpoint sr
job snap '"snapshot"' '' '' '{"interval": "0"}'
snap_s=$(timed "$sluice" run "$tmp/snap.json")
[ "$(sr_count)" = "$rows" ] || { echo "the target holds $(sr_count) rows, want $rows" >&2; exit 1; }
peer_s=$(timed mariadb --no-defaults -h127.0.0.1 -P"$port" -usluice -psluice-pw --quick --batch \
    -e 'SELECT * FROM bench.t')

# 2. Changes, written first, then replayed from the binlog.
read -r cfile cpos < <(sql "SHOW MASTER STATUS" | cut -f1,2)
step=1000
for ((i = 0; i < changes / step; i++)); do
    lo=$(( (i * 7919) % (rows - step) + 1 ))
    case $((i % 5)) in
    0 | 1 | 2) echo "UPDATE bench.t SET k = k + 1, name = CONCAT('c', $i) WHERE id BETWEEN $lo AND $((lo + step - 1));" ;;
    3) echo "INSERT INTO bench.t (id, k, u, name) SELECT seq, 1, 2, 'new' FROM seq_$((rows + 1 + i * step))_to_$((rows + (i + 1) * step));" ;;
    4) echo "DELETE FROM bench.t WHERE id BETWEEN $((lo + 500)) AND $((lo + 500 + step - 1));" ;;
    esac
done | "$maria" client "$tmp/db" bench
events=$(mariadb-binlog -v --base64-output=decode-rows --start-position="$cpos" "$tmp/db/data/$cfile" 2>/dev/null | grep -c '^### \(UPDATE\|INSERT\|DELETE\)' || true)
[ "$events" -gt 0 ] || events=$changes
job changes "{\"mode\": \"specific-offset\", \"file\": \"$cfile\", \"pos\": $cpos}" \
    ', "stop": "latest-offset"' '' '{"interval": "0"}'
changes_s=$(timed "$sluice" run "$tmp/changes.json")
store_fe=$fe store_query=$query
fe=$discard_fe query=$discard_query
job changes-discard "{\"mode\": \"specific-offset\", \"file\": \"$cfile\", \"pos\": $cpos}" \
    ', "stop": "latest-offset"' '' '{"interval": "0"}'
changes_discard_s=$(timed "$sluice" run "$tmp/changes-discard.json")
fe=$store_fe query=$store_query
want=$(sql "SELECT COUNT(*) FROM bench.t")
[ "$(sr_count)" = "$want" ] || { echo "after the changes the target holds $(sr_count) rows, want $want" >&2; exit 1; }

# 3. Latency at a steady rate, both semantics (the binlog phase: startup latest-offset).
latency() { # NAME SINK_EXTRA CHECKPOINT_JSON SEQ0
    job "$1" '"latest-offset"' '' "$2" "$3"
    local off
    off=$(stat -c %s "$tmp/sr/sr-store.log")
    "$sluice" run "$tmp/$1.json" --data-dir "$tmp/$1-state" >"$tmp/$1.log" 2>&1 &
    local pid=$!
    for _ in $(seq 100); do grep -qs 'binlog from' "$tmp/$1.log" && break; sleep 0.1; done
    sleep 0.5
    python3 "$here/e2e_latency.py" write "$rows" "$RATE" "$LAT_SECONDS" "$4" "$tmp/$1.commits" -- \
        mariadb --no-defaults -h127.0.0.1 -P"$port" -usluice -psluice-pw bench >"$tmp/$1.writer"
    sleep 3 # the last checkpoint / flush
    kill -INT "$pid"; wait "$pid" || true
    python3 "$here/e2e_latency.py" report "$tmp/sr/sr-store.log" "$off" "$tmp/$1.commits" "$4" >"$tmp/$1.report" || true
}
latency lat-eo '' "{\"interval\": \"$CKPT\"}" 100000000
# At-least-once flushes a table's buffer when a record arrives FLUSH after its first row; rows
# buffered when the input goes quiet wait for the next checkpoint (the sink has no timer), so
# the job checkpoints too, every CKPT.
latency lat-alo ", \"semantic\": \"at-least-once\", \"flush\": {\"interval\": \"$FLUSH\"}" "{\"interval\": \"$CKPT\"}" 200000000

ms() { python3 -c "
import re,sys
m = re.match(r'(\d+)(ms|s)$', sys.argv[1]); print(int(m[1]) * (1 if m[2] == 'ms' else 1000))" "$1"; }
val() { sed -n "s/.*$2=\([0-9]*\).*/\1/p" "$tmp/$1.report"; }
printf 'MySQL -> sluice -> sr-endpoint, %d rows of a 10-column table, %d change events, sink edge %s\n' "$rows" "$events" "$DIST"
printf '%-58s %9s rows/s   %6.2f s\n' "snapshot: mysql_cdc -> starrocks (sr-endpoint --discard)" "$(per_s "$rows" "$snap_discard_s")" "$snap_discard_s"
printf '%-58s %9s rows/s   %6.2f s\n' "snapshot: mysql_cdc -> starrocks (sr-endpoint storing)" "$(per_s "$rows" "$snap_s")" "$snap_s"
printf '%-58s %9s rows/s   %6.2f s\n' "peer: mariadb --quick --batch SELECT *" "$(per_s "$rows" "$peer_s")" "$peer_s"
printf '%-58s %9s events/s %6.2f s\n' "changes: binlog replay -> starrocks (sr-endpoint --discard)" "$(per_s "$events" "$changes_discard_s")" "$changes_discard_s"
printf '%-58s %9s events/s %6.2f s\n' "changes: binlog replay -> starrocks (sr-endpoint storing)" "$(per_s "$events" "$changes_s")" "$changes_s"
echo "latency, MySQL commit -> StarRocks commit, $RATE changes/s for ${LAT_SECONDS}s:"
echo "  writer: exactly-once run: $(cat "$tmp/lat-eo.writer")"
echo "  exactly-once, checkpoint interval $CKPT:              $(head -1 "$tmp/lat-eo.report")"
echo "  writer: at-least-once run: $(cat "$tmp/lat-alo.writer")"
echo "  at-least-once, flush interval $FLUSH (checkpoint $CKPT): $(head -1 "$tmp/lat-alo.report")"
ok=0
verdict() { if [ "$2" = 1 ]; then echo "$1: PASS"; else echo "$1: FAIL"; ok=1; fi; }
verdict "snapshot >= 200k rows/s (into sr-endpoint --discard)" "$(awk -v r="$(per_s "$rows" "$snap_discard_s")" 'BEGIN {print (r >= 200000)}')"
p99=$(val lat-alo P99_MS)
verdict "at-least-once p99 < 1 s (${p99:-?} ms)" "$([ -n "$p99" ] && [ "$p99" -lt 1000 ] && echo 1 || echo 0)"
p99=$(val lat-eo P99_MS)
lim=$(( $(ms "$CKPT") + 1000 ))
verdict "exactly-once p99 < checkpoint interval + 1 s = $lim ms (${p99:-?} ms)" "$([ -n "$p99" ] && [ "$p99" -lt "$lim" ] && echo 1 || echo 0)"
exit $ok
