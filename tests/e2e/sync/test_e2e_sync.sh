#!/usr/bin/env bash
# End to end, MySQL -> StarRocks: a private MariaDB (shop: customers, products, orders over 20+
# column types; shop_0..shop_3: four shards of one orders table) and a private sr-endpoint (the
# StarRocks-compatible test double); `sluice generate` writes the job from the tables' metadata
# (creating the target tables, merging the shards into one table keyed by their source), `sluice
# run` syncs: the snapshot of the initial rows, then the binlog while two concurrent writers apply
# 10,000 random inserts, updates (NULLs, edge values, primary-key moves) and deletes in
# transactions; the job is killed with kill -9 once meanwhile and started again on its data dir.
# Once the target converged the job is stopped with SIGINT, and every target table
# must hold exactly its sources' rows: equal counts and equal checksums over canonical values
# (e2e_check.py prints the first differing rows otherwise).
# Usage: test_e2e_sync.sh SLUICE SR_ENDPOINT MYSQL_PORT
# Env: SEED=N replays a run's data; CHANGES (default 10000); RATE (changes/s per writer, default
# 1000); KILL_AFTER (seconds after the writers start, default 2.5); SLUICE_KEEP_TMP=1 keeps the directory;
# E2E_HAND_JOB=1 uses a hand-written job (hand_target.sql) instead of the generator.
set -uo pipefail
SLUICE=${1:?usage: test_e2e_sync.sh SLUICE SR_ENDPOINT MYSQL_PORT}
SR=${2:?}
PORT=${3:?}
HERE=$(cd "$(dirname "$0")" && pwd)
MARIA="$HERE/../../harness/mariadb.sh"
T=$(mktemp -d /tmp/sluice-e2e-sync-XXXXXX)
SEED=${SEED:-$RANDOM}
CHANGES=${CHANGES:-10000}
RATE=${RATE:-1000} # changes/s per writer: the writes span ~5 s, across the kill -9
SR_PW=sr-e2e-pw
FAILS=0
JOB_PID= SR_PID= W0= W1=
T0=$EPOCHREALTIME

fail() { echo "FAIL   $*"; FAILS=$((FAILS + 1)); }
elapsed() { python3 -c "print(f'{$EPOCHREALTIME - $T0:5.1f}s')"; }
say() { echo "$(elapsed) $*"; }
cleanup() {
    for p in $W0 $W1 $JOB_PID; do kill -KILL "$p" 2>/dev/null; done
    [ -n "$SR_PID" ] && kill -TERM "$SR_PID" 2>/dev/null && wait "$SR_PID" 2>/dev/null
    bash "$MARIA" stop "$T/maria" >/dev/null 2>&1
    if [ "$FAILS" -eq 0 ] && [ -z "${SLUICE_KEEP_TMP:-}" ]; then rm -rf "$T"; else echo "kept $T"; fi
}
trap cleanup EXIT
client() { bash "$MARIA" client "$T/maria" --default-character-set=utf8mb4 "$@"; }
die() { fail "$*"; for f in sluice.log sr.log; do [ -f "$T/$f" ] && tail -n 20 "$T/$f"; done; exit 1; }
say "seed $SEED (SEED=$SEED replays the data), $CHANGES changes, dir $T"

# 1. The servers: MariaDB on the test's own port, sr-endpoint on ports the kernel picks.
bash "$MARIA" start "$T/maria" "$PORT" >/dev/null || die "MariaDB did not start on port $PORT"
printf '%s' "$SR_PW" >"$T/sr-pw"
"$SR" --data-dir "$T/sr" --fe-http-port 0 --be-http-port 0 --query-port 0 --user root \
    --password-file "$T/sr-pw" --ports-file "$T/sr-ports" >"$T/sr.log" 2>&1 &
SR_PID=$!
for _ in $(seq 100); do [ -s "$T/sr-ports" ] && break; sleep 0.1; done
[ -s "$T/sr-ports" ] || die "sr-endpoint did not start"
sr_port() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$T/sr-ports" "$1"; }
FE=$(sr_port fe_http) QUERY=$(sr_port query)
sr_sql() { mariadb --no-defaults -h127.0.0.1 -P"$QUERY" -uroot -p"$SR_PW" "$@"; }

# 2. The source schema and its initial rows (keys 1..N of every table).
client <"$HERE/schema.sql" || die "source schema"
python3 "$HERE/e2e_writer.py" load "$SEED" | client || die "initial rows"
say "source: $(client -N -B -e "SELECT SUM(TABLE_ROWS) FROM information_schema.TABLES
    WHERE TABLE_SCHEMA LIKE 'shop%'") rows (estimate) in 7 tables"

# 3. The job.
SPEC="$T/spec.json"
if [ -n "${E2E_HAND_JOB:-}" ]; then
    sr_sql <"$HERE/hand_target.sql" || die "hand-written target tables"
    cat >"$T/job.json" <<JSON
{"name": "e2e-sync", "checkpoint": {"interval": "1s"},
 "operators": [
  {"id": "src", "type": "mysql_cdc", "config": {"host": "127.0.0.1", "port": $PORT,
     "user": "sluice", "password_env": "SLUICE_SOURCE_PASSWORD",
     "tables": ["shop\\\\.(customers|products|orders)"], "startup": "initial"}},
  {"id": "sink", "type": "starrocks", "inputs": ["src"], "config": {
     "load_url": ["127.0.0.1:$FE"], "query_url": "127.0.0.1:$QUERY", "user": "root",
     "password_env": "SLUICE_TARGET_PASSWORD", "database": "shop_sr", "table": null,
     "format": "csv"}}]}
JSON
    cat >"$SPEC" <<JSON
{"targets": [{"target": "shop_sr.customers", "sources": ["shop.customers"]},
             {"target": "shop_sr.products", "sources": ["shop.products"]},
             {"target": "shop_sr.orders", "sources": ["shop.orders"]}]}
JSON
else
    SLUICE_SOURCE_PASSWORD=sluice-pw SLUICE_TARGET_PASSWORD=$SR_PW "$SLUICE" generate \
        --source "mysql://sluice@127.0.0.1:$PORT" \
        --tables 'shop\.(customers|products|orders)' --tables 'shop_[0-3]\.orders' \
        --target "starrocks://root@127.0.0.1:$FE/shop_sr?query_port=$QUERY" --create-tables \
        --route 'shop_[0-3]\.orders=orders_all' --merge-key add-source --checkpoint-interval 2s \
        -o "$T/job.json" >"$T/generate.log" 2>&1 || { cat "$T/generate.log"; die "sluice generate"; }
    cat >"$SPEC" <<JSON
{"targets": [{"target": "shop_sr.customers", "sources": ["shop.customers"]},
             {"target": "shop_sr.products", "sources": ["shop.products"]},
             {"target": "shop_sr.orders", "sources": ["shop.orders"]},
             {"target": "shop_sr.orders_all",
              "sources": ["shop_0.orders", "shop_1.orders", "shop_2.orders", "shop_3.orders"],
              "source_columns": {"_source_db": "db", "_source_table": "table"}}]}
JSON
fi
say "job: $(python3 -c 'import json,sys; print(" -> ".join(o["type"] for o in json.load(open(sys.argv[1]))["operators"]))' "$T/job.json")"

# 4. The sync (snapshot, then binlog), two writers, and a kill -9 while they write.
run_job() { # the n-th start waits for the n-th RUNNING in the log
    SLUICE_SOURCE_PASSWORD=sluice-pw SLUICE_TARGET_PASSWORD=$SR_PW "$SLUICE" run "$T/job.json" \
        --data-dir "$T/state" >>"$T/sluice.log" 2>&1 &
    JOB_PID=$!
    for _ in $(seq 300); do [ "$(grep -c RUNNING "$T/sluice.log")" -ge "$1" ] && break; sleep 0.1; done
    [ "$(grep -c RUNNING "$T/sluice.log")" -ge "$1" ] || die "the job did not start"
}
run_job 1
say "job running; writers start"
writer() { python3 "$HERE/e2e_writer.py" write "$1" 2 $((CHANGES / 2)) "$SEED" "$RATE" -- \
               bash "$MARIA" client "$T/maria" --default-character-set=utf8mb4 2>>"$T/writers.log"; }
writer 0 &
W0=$!
writer 1 &
W1=$!
# kill -9 mid-stream (a checkpoint or two in), then the same command again: it resumes from the
# latest checkpoint and the sink settles its transactions, so nothing is lost or applied twice.
sleep "${KILL_AFTER:-2.5}"
kill -KILL "$JOB_PID"
wait "$JOB_PID" 2>/dev/null
say "job killed (kill -9) at checkpoint $(grep -o 'checkpoint [0-9]* COMPLETED' "$T/sluice.log" | tail -n 1 | cut -d' ' -f2); restarted"
run_job 2
wait "$W0" || fail "writer 0: $(tail -n 3 "$T/writers.log")"
wait "$W1" || fail "writer 1: $(tail -n 3 "$T/writers.log")"
W0= W1=
sed 's/^/       /' "$T/writers.log"
say "writers done"

# 5. Converged: every table equal (polled), then SIGINT.
check() { python3 "$HERE/e2e_check.py" "$SPEC" "$FE" "$QUERY" "$SR_PW" "$@" -- \
              bash "$MARIA" client "$T/maria" --default-character-set=utf8mb4; }
converged=
for i in $(seq 60); do
    kill -0 "$JOB_PID" 2>/dev/null || die "the job exited early"
    if check --quiet >"$T/poll.log" 2>&1; then converged=1; break; fi
    sleep 1
done
[ -n "$converged" ] || fail "no convergence within 60 s: $(cat "$T/poll.log")"
say "converged"
kill -INT "$JOB_PID"
wait "$JOB_PID"
rc=$?
JOB_PID=
[ "$rc" -eq 130 ] || fail "sluice exit $rc after SIGINT, want 130: $(tail -n 5 "$T/sluice.log")"

# 6. The final comparison, after the job stopped: counts, checksums, the first differing rows.
check || fail "the target differs from the source"
# The checker itself: with one source row left out it must see the difference.
check --quiet --skip-source-row >"$T/selftest.log" 2>&1 &&
    fail "the checker missed a source row left out: $(cat "$T/selftest.log")"
grep -qF -- "$SR_PW" "$T/sluice.log" && fail "the target password is in the log"
grep -qF -- "sluice-pw" "$T/sluice.log" && fail "the source password is in the log"
grep -E 'ERROR|AddressSanitizer|runtime error' "$T/sluice.log" | head -n 5 | sed 's/^/       /'
grep -qE 'AddressSanitizer|runtime error' "$T/sluice.log" && fail "sanitizer report in the log"
say "$( [ "$FAILS" -eq 0 ] && echo "all passed" || echo "$FAILS failures (seed $SEED)")"
[ "$FAILS" -eq 0 ]
