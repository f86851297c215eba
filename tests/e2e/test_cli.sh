#!/usr/bin/env bash
# End-to-end tests of the sluice command: exit codes, messages, plan output, a real datagen ->
# print run, a runtime failure, and cancellation by SIGINT/SIGTERM.
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

[ "$failures" -eq 0 ] && echo "all CLI tests passed" || { echo "$failures failures" >&2; exit 1; }
