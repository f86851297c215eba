#!/usr/bin/env bash
# End-to-end tests of the sluice command: exit codes, messages, plan output, a real datagen ->
# print run, a runtime failure, cancellation by SIGINT/SIGTERM, and with --data-dir checkpoints,
# failpoints, resume after kill -9 and stop-with-savepoint / --from-savepoint.
# Usage: test_cli.sh SLUICE_BINARY SOURCE_DIR
set -uo pipefail
SLUICE=$1
SRC=$2
TMP=$(mktemp -d /tmp/sluice-cli-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
failures=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
# expect_exit CODE DESCRIPTION -- command...: runs it with stdout/stderr in $TMP/out, $TMP/err.
expect_exit() {
    local want=$1 what=$2; shift 3
    "$@" >"$TMP/out" 2>"$TMP/err"
    local got=$?
    [ "$got" -eq "$want" ] || { fail "$what: exit $got, want $want; stderr: $(head -c 600 "$TMP/err")"; return 1; }
    echo "ok     $what"
}
expect_in() { # expect_in FILE TEXT DESCRIPTION
    grep -qF -- "$2" "$1" || fail "$3: \"$2\" not in $(basename "$1"): $(head -c 600 "$1")"
}
job() { printf '%s' "$2" >"$TMP/$1.json"; echo "$TMP/$1.json"; }

expect_exit 0 "--version" -- "$SLUICE" --version && expect_in "$TMP/out" "sluice " "--version"
expect_exit 0 "--help" -- "$SLUICE" --help && {
    expect_in "$TMP/out" "datagen" "--help lists operators"
    expect_in "$TMP/out" "blackhole" "--help lists operators"
}
expect_exit 2 "no command" -- "$SLUICE"
expect_exit 2 "unknown command" -- "$SLUICE" frobnicate && expect_in "$TMP/err" "unknown command" "unknown command"
expect_exit 2 "run without a job" -- "$SLUICE" run
expect_exit 2 "missing job file" -- "$SLUICE" run "$TMP/nope.json" && expect_in "$TMP/err" "nope.json" "missing file named"

j=$(job malformed '{"name": "x", "operators": [')
expect_exit 2 "malformed JSON" -- "$SLUICE" run "$j" && expect_in "$TMP/err" "invalid JSON" "malformed JSON"

j=$(job badtype '{"name":"x","operators":[{"id":"g","type":"datagan"}]}')
expect_exit 2 "unknown operator type" -- "$SLUICE" run "$j" && expect_in "$TMP/err" '$.operators[0].type' "type path"

j=$(job badrows '{"name":"x","operators":[{"id":"g","type":"datagen","config":{"rows":"ten"}},{"id":"o","type":"blackhole","inputs":["g"]}]}')
expect_exit 2 "config type error" -- "$SLUICE" run "$j" && expect_in "$TMP/err" '$.operators[0].config.rows' "config path"

expect_exit 0 "plan" -- "$SLUICE" plan "$SRC/jobs/examples/datagen-print.json" && expect_in "$TMP/out" "chain" "plan text"
expect_exit 0 "plan --dot" -- "$SLUICE" plan --dot "$SRC/jobs/examples/datagen-print.json" && expect_in "$TMP/out" "digraph" "plan dot"

# A real run: every stdout line is a change; logs stay on stderr.
expect_exit 0 "run datagen -> print" -- "$SLUICE" run "$SRC/jobs/examples/datagen-print.json" && {
    lines=$(wc -l <"$TMP/out")
    [ "$lines" -eq 10 ] || fail "datagen-print wrote $lines lines, want 10"
    bad=$(grep -vc '^{"op":"+I","table":"gen.rows","data":{"id":' "$TMP/out")
    [ "$bad" -eq 0 ] || fail "$bad stdout lines are not changes"
    ids=$(grep -o '"id":[0-9]*' "$TMP/out" | cut -d: -f2 | sort -n | tr '\n' ' ')
    [ "$ids" = "1 2 3 4 5 6 7 8 9 10 " ] || fail "ids are \"$ids\""
}

# A failure at run time (print cannot open its file): exit 1, the vertex named.
j=$(job failing '{"name":"x","operators":[{"id":"g","type":"datagen","config":{"rows":10}},{"id":"o","type":"print","inputs":["g"],"config":{"path":"/nonexistent/dir/out.jsonl"}}]}')
expect_exit 1 "runtime failure" -- "$SLUICE" run "$j" && expect_in "$TMP/err" "vertex 'o'" "failure names the vertex"

# Cancellation: an unbounded job stops on SIGINT and SIGTERM with exit 130 and no leak (ASan
# builds check at exit).
j=$(job unbounded '{"name":"forever","operators":[{"id":"g","type":"datagen","parallelism":2,"config":{"rows":0}},{"id":"o","type":"blackhole","inputs":[{"from":"g","distribution":"rebalance"}]}]}')
for sig in INT TERM; do
    "$SLUICE" run "$j" >"$TMP/out" 2>"$TMP/err" &
    pid=$!
    sleep 1
    kill -"$sig" "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
        fail "SIG$sig: still running after 10 s"
        kill -9 "$pid"
    fi
    wait "$pid"
    got=$?
    [ "$got" -eq 130 ] && echo "ok     cancel by SIG$sig" || fail "SIG$sig: exit $got, want 130; $(tail -c 600 "$TMP/err")"
done

# --- Checkpoints, restarts and savepoints (--data-dir) ---

# Starts `sluice run ARGS...` in the background (stdout/stderr in $TMP/bg.out, $TMP/bg.err).
bg_start() { "$SLUICE" run "$@" >"$TMP/bg.out" 2>"$TMP/bg.err" & bg=$!; }
# bg_await TEXT: waits (at most 10 s) until TEXT is in the background run's log.
bg_await() {
    for _ in $(seq 1 100); do grep -qF -- "$1" "$TMP/bg.err" && return 0; sleep 0.1; done
    fail "no \"$1\" in the log after 10 s: $(tail -c 600 "$TMP/bg.err")"; return 1
}
# bg_end SIG WANT DESCRIPTION: sends SIG, waits (at most 10 s) and checks the exit code.
bg_end() {
    kill -"$1" "$bg"
    for _ in $(seq 1 100); do kill -0 "$bg" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$bg" 2>/dev/null && { fail "$3: still running after 10 s"; kill -9 "$bg"; }
    wait "$bg"
    local got=$?
    [ "$got" -eq "$2" ] && echo "ok     $3" || fail "$3: exit $got, want $2; $(tail -c 600 "$TMP/bg.err")"
}

# A bounded run with checkpoints every 100 ms finishes and leaves its state behind.
j=$(job bounded '{"name":"bounded","checkpoint":{"interval":"100ms"},"operators":[{"id":"g","type":"datagen","config":{"rows":100000,"rate":200000}},{"id":"o","type":"blackhole","inputs":["g"]}]}')
expect_exit 0 "--data-dir run with checkpoints" -- "$SLUICE" run "$j" --data-dir "$TMP/d1" && {
    [ -d "$TMP/d1/state" ] || fail "no state directory in $TMP/d1"
    expect_in "$TMP/err" "COMPLETED" "checkpoints completed"
}
expect_exit 0 "checkpoint interval without --data-dir" -- "$SLUICE" run "$j" &&
    expect_in "$TMP/err" "takes no checkpoints" "warns that no checkpoints are taken"

# Options that need a data directory, and bad failpoint specs: usage errors.
expect_exit 2 "--from-savepoint without --data-dir" -- "$SLUICE" run "$j" --from-savepoint "$TMP/sp" &&
    expect_in "$TMP/err" "needs --data-dir" "--from-savepoint names what it needs"
expect_exit 2 "--savepoint-on-stop without --data-dir" -- "$SLUICE" run "$j" --savepoint-on-stop
expect_exit 2 "bad SLUICE_FAILPOINTS" -- env SLUICE_FAILPOINTS="ckpt.before_complete=explode" \
    "$SLUICE" run "$j" && expect_in "$TMP/err" '"explode"' "bad failpoint token named"
expect_exit 2 "savepoint that does not exist" -- "$SLUICE" run "$j" --data-dir "$TMP/d0" \
    --from-savepoint "$TMP/no-such-savepoint"

# A checkpoint that can never complete fails the job (at its final checkpoint); with restart
# strategy none that is the end: exit 1.
j=$(job nocomplete '{"name":"nocomplete","checkpoint":{"interval":"100ms"},"restart":{"strategy":"none"},"operators":[{"id":"g","type":"datagen","config":{"rows":1000}},{"id":"o","type":"blackhole","inputs":["g"]}]}')
expect_exit 1 "ckpt.before_complete=error, restart none" -- env SLUICE_FAILPOINTS=ckpt.before_complete=error \
    "$SLUICE" run "$j" --data-dir "$TMP/d2" && expect_in "$TMP/err" "failpoint ckpt.before_complete" "failure names the failpoint"

# kill -9, then the same command again: it resumes from the latest completed checkpoint.
j=$(job slow '{"name":"slow","checkpoint":{"interval":"100ms"},"operators":[{"id":"g","type":"datagen","parallelism":2,"config":{"rows":0,"rate":20000}},{"id":"o","type":"blackhole","inputs":[{"from":"g","distribution":"rebalance"}]}]}')
bg_start "$j" --data-dir "$TMP/d3"
bg_await "COMPLETED" && { kill -9 "$bg"; wait "$bg" 2>/dev/null; echo "ok     killed (-9) after a checkpoint"; }
bg_start "$j" --data-dir "$TMP/d3"
bg_await "restoring job slow from checkpoint" && bg_end INT 130 "rerun after kill -9 resumes, SIGINT cancels"

# Stop with a savepoint on SIGTERM, then start from it in a fresh data directory.
bg_start "$j" --data-dir "$TMP/d4" --savepoint-on-stop
bg_await "RUNNING" && sleep 0.5 && bg_end TERM 0 "SIGTERM with --savepoint-on-stop" && {
    sp=$(sed -n 's/.*savepoint: \(.*\)$/\1/p' "$TMP/bg.err" | tail -n 1)
    case "$sp" in "$TMP/d4/savepoints/savepoint-"*) ;; *) fail "savepoint path \"$sp\"" ;; esac
    [ -f "$sp/_metadata" ] || fail "no $sp/_metadata"
    bg_start "$j" --data-dir "$TMP/d5" --from-savepoint "$sp"
    bg_await "restoring job slow from checkpoint" && bg_end INT 130 "--from-savepoint resumes"
    # The data directory now holds a checkpoint as new as the savepoint: importing it again there
    # would go back in time.
    expect_exit 2 "--from-savepoint into a newer data directory" -- "$SLUICE" run "$j" \
        --data-dir "$TMP/d5" --from-savepoint "$sp" && expect_in "$TMP/err" "already holds checkpoint" "says why"
}

# Offline binlog decoding of a real MySQL binlog file from the fixtures.
expect_exit 0 "binlog FILE" -- "$SLUICE" binlog "$SRC/tests/fixtures/binlog/files/shyiko-mysql-bin.checksum-crc32" && {
    [ -s "$TMP/out" ] || fail "sluice binlog printed nothing"
    bad=$(grep -vc '^{"op":"[+-][IUD]","table":"' "$TMP/out")
    [ "$bad" -eq 0 ] || fail "$bad lines of sluice binlog are not changes"
    expect_in "$TMP/out" '"pos":"shyiko-mysql-bin.checksum-crc32:' "binlog positions"
}
expect_exit 2 "binlog without files" -- "$SLUICE" binlog
printf 'not a binlog' >"$TMP/garbage.bin"
"$SLUICE" binlog "$TMP/garbage.bin" >"$TMP/out" 2>"$TMP/err"; got=$?
[ "$got" -ne 0 ] && expect_in "$TMP/err" "garbage.bin" "binlog error names the file" || fail "garbage binlog: exit $got"

[ "$failures" -eq 0 ] && echo "all CLI tests passed" || { echo "$failures failures" >&2; exit 1; }
