#!/usr/bin/env bash
# kill -9 of a mysql_cdc -> file job against the real MariaDB, with a writer inserting, updating
# and deleting all along (keys at chunk boundaries too): killed several times mid-snapshot (at
# random splits), then mid-binlog (at random checkpoints, also just after the snapshot's end while
# the split filter drops what finished splits hold), each time run again on the same --data-dir;
# then the Binlog Dump thread KILLed from the server twice while the job streams (it must
# reconnect, not exit); then the writer stops and a bounded run ("stop": "latest-offset") catches
# up. Asserts from the logs that restarts resumed at the next split and never read a finished
# one, and that the committed part files replay (+I/-U/+U/-D per key) to exactly the final table
# with no change twice.
# Usage: test_cdc_kill9.sh SLUICE_BINARY (env from sluice_requires_mariadb: SLUICE_MARIADB_DIR,
# SLUICE_MYSQL_HOST/PORT/USER/PASSWORD). FAULT_KEEP=1 keeps the directory; SEED=N replays a run.
set -uo pipefail
SLUICE=$1
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d /tmp/sluice-fault-cdc-XXXXXX)
ROWS=${ROWS:-100000}
CHUNK=${CHUNK:-1000}
. "$HERE/fault_lib.sh"
fault_init
SEED=${SEED:-$RANDOM}
RANDOM=$SEED
DB="cdcfault$$"
WRITER=
trap 'stop_writer; fault_cleanup' EXIT
echo "info   seed $SEED (SEED=$SEED repeats the kill points and writes), $ROWS rows," \
    "chunk_size $CHUNK"

client() { bash "$HERE/../harness/mariadb.sh" client "$SLUICE_MARIADB_DIR" "$@"; }
sql() { client -N -B -e "$1"; }

start_writer() {
    python3 "$HERE/cdc_writer.py" "$DB" "$ROWS" "$STEP" 300 "$SEED" -- \
        bash "$HERE/../harness/mariadb.sh" client "$SLUICE_MARIADB_DIR" 2>>"$T/writer.log" &
    WRITER=$!
}
stop_writer() {
    [ -n "$WRITER" ] || return 0
    kill -TERM "$WRITER" 2>/dev/null
    wait "$WRITER" || fail "the writer failed: $(tail -n 3 "$T/writer.log")"
    WRITER=
}

# cdc_job STOP: the job file, mysql_cdc (parallelism 1) -> file, checkpoints every 50 ms, no
# in-process restarts (a task failure ends the process: the test sees it).
cdc_job() {
    cat >"$T/job-$1.json" <<JSON
{"name": "fault-cdc", "checkpoint": {"interval": "50ms"}, "restart": {"strategy": "none"},
 "operators": [
  {"id": "src", "type": "mysql_cdc", "parallelism": 1, "config": {
     "host": "$SLUICE_MYSQL_HOST", "port": $SLUICE_MYSQL_PORT, "user": "$SLUICE_MYSQL_USER",
     "password_env": "SLUICE_MYSQL_PASSWORD", "ssl_mode": "disabled", "server_id": 7341,
     "tables": ["$DB\\\\.t"], "chunk_size": $CHUNK, "max_transaction_records": 5,
     "startup": "initial", "stop": "$1"}},
  {"id": "out", "type": "file", "inputs": ["src"], "config": {"path": "$T/out"}}]}
JSON
}

# run NAME MODE ARGS...: one run through cdc_run.py; sets $result to its line. Failpoints pace
# the job whatever the build's speed: 15 ms more per split keeps the snapshot going past a few
# checkpoints per run; in the binlog kill runs, batches of 2 rows and a 2 ms pause per poll inside
# a transaction stretch transactions over many polls, so checkpoints and kills fall inside them
# (the runs after go at full speed and catch up).
runs=0
run() {
    local name=$1 job=$T/job-never.json fp=mysql_cdc.snapshot_split=delay\(15\) batch=()
    shift
    [ "$1" = end ] && job=$T/job-latest-offset.json
    if [ "$1" = binlog ]; then
        fp="$fp,mysql_cdc.poll_in_transaction=delay(2)"
        batch=(--batch-rows 2)
    fi
    runs=$((runs + 1))
    local t0=$EPOCHREALTIME
    result=$(SLUICE_FAILPOINTS=$fp python3 "$HERE/cdc_run.py" "$T/log" "$name" 40 "$@" -- \
        "$SLUICE" --log-level debug run "$job" --data-dir "$T/data" "${batch[@]}")
    echo "       run $name ($(python3 -c "print(f'{$EPOCHREALTIME - $t0:.1f}')") s): $result"
    case $result in FAIL*) fail "run $name: $result"; log_tail; return 1 ;; esac
}

# Ids 1..ROWS but one in 50 (gaps for the writer's inserts); ANALYZE settles the row estimate
# that the source's even split step is computed from (snapshot_split.c: span / rows * chunk).
sql "DROP DATABASE IF EXISTS $DB; CREATE DATABASE $DB; USE $DB;
     CREATE TABLE t (id INT PRIMARY KEY, v BIGINT NOT NULL, pad VARCHAR(40) NOT NULL);
     INSERT INTO t SELECT seq, 0, CONCAT('row-', seq) FROM seq_1_to_$ROWS
         WHERE seq % 50 <> 7;
     ANALYZE TABLE t" >/dev/null || { echo "FAIL: setup" >&2; exit 1; }
estimate=$(sql "SELECT TABLE_ROWS FROM information_schema.TABLES
                WHERE TABLE_SCHEMA = '$DB' AND TABLE_NAME = 't'")
STEP=$(python3 -c "print(max(1, int($ROWS / $estimate * $CHUNK)))")
echo "info   row estimate $estimate: split boundaries every $STEP ids, where the writer aims"
cdc_job never
cdc_job latest-offset
start_writer

# 1. Mid-snapshot: run i is killed past a random split of the i-th eighth of the table (and two
# checkpoints into its reading), 0-30 ms later (mid-split: a split takes 5-40 ms).
splits=$((ROWS / CHUNK))
snap_kills=0
for i in 1 2 3 4 5 6; do
    [ "$failures" -eq 0 ] || break
    run "s$i" snapshot $((splits * i / 8 + RANDOM % (splits / 8))) $((RANDOM % 31)) || break
    case $result in
    killed*ended*) break ;; # the snapshot ended first: killed in the binlog phase
    killed*) snap_kills=$((snap_kills + 1)) ;;
    *) fail "run s$i: $result, want a kill"; log_tail ;;
    esac
done
[ "$failures" -gt 0 ] || [ "$snap_kills" -ge 2 ] ||
    fail "only $snap_kills kills in the snapshot (it ended early)"

# 2. Mid-binlog: killed just after the stream started (the split filter still drops what the
# finished splits hold), then after 1-3 checkpoints plus up to 300 ms.
if [ "$failures" -eq 0 ]; then
    run b1 binlog 0 $((RANDOM % 40)) &&
        case $result in killed*) ;; *) fail "run b1: $result, want a kill" ;; esac
    for i in 2 3 4 5 6 7 8; do
        [ "$failures" -eq 0 ] || break
        run "b$i" binlog $((1 + RANDOM % 3)) $((RANDOM % 301)) || break
        case $result in killed*) ;; *) fail "run b$i: $result, want a kill" ;; esac
    done
fi

# 3. KILL of the Binlog Dump thread from the server, twice, while the job streams; SIGTERM after.
if [ "$failures" -eq 0 ]; then
    run k1 dumpkill 2 "$RANDOM" bash "$HERE/../harness/mariadb.sh" client "$SLUICE_MARIADB_DIR"
fi

# 4. The writer stops; a bounded run catches up with everything committed and finishes.
stop_writer
echo "info   $(tail -n 1 "$T/writer.log")"
if [ "$failures" -eq 0 ]; then
    run final end
    [ "$result" = "exit 0" ] || { fail "final run: $result, want exit 0"; log_tail; }
fi

# The snapshot's resumes are checked whatever failed after them.
python3 "$HERE/cdc_check.py" splits "$T/log" "$DB.t" || failures=$((failures + 1))
if [ "$failures" -eq 0 ]; then
    sql "SELECT id, v, pad FROM $DB.t ORDER BY id" >"$T/final" || fail "SELECT the final table"
    python3 "$HERE/cdc_check.py" dumpkill "$T/log" k1 2 || failures=$((failures + 1))
    python3 "$HERE/cdc_check.py" replay "$DB.t" "$T/out" "$T/final" || failures=$((failures + 1))
fi
grep -qF -- "$SLUICE_MYSQL_PASSWORD" "$T/log" && fail "the password is in the log"
mid=$(grep -c 'binlog from .*; [1-9][0-9]* records of its transaction already emitted' "$T/log")
echo "info   $runs runs, $snap_kills kills mid-snapshot, $mid binlog restores inside a transaction"
if [ "$failures" -eq 0 ]; then
    sql "DROP DATABASE $DB"
    echo "all passed"
    exit 0
fi
echo "$failures failures (seed $SEED; FAULT_KEEP=1 keeps $T)" >&2
exit 1
