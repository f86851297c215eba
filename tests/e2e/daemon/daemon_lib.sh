# Shared helpers of the daemon tests (sourced): start sluiced on a free loopback port (--listen
# 127.0.0.1:0 --port-file), raw REST calls with curl, the sluice client against it, waiting for a
# job state, datagen -> file jobs, and the exactly-once check of a file sink's committed parts.
# The caller sets SLUICE, SLUICED and T (a fresh directory) and calls daemon_init first.
# DAEMON_KEEP=1 keeps T (jobs, logs, parts) for a look after the run.

daemon_init() {
    failures=0
    DPID=
    URL=
    trap 'daemon_cleanup' EXIT
}

daemon_cleanup() {
    # A daemon still alive when the script ends (a failed check, ctest's timeout).
    if [ -n "$DPID" ]; then kill -9 "$DPID" 2>/dev/null; wait "$DPID" 2>/dev/null; fi
    if [ -n "${DAEMON_KEEP:-}" ]; then
        echo "kept $T" >&2
    else
        rm -rf "$T"
    fi
}

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok     $*"; }
log_tail() { tail -n 15 "${1:-$T/daemon.log}" 2>/dev/null | sed 's/^/    | /' >&2; }

# daemon_start DIR [sluiced args...]: starts sluiced on DIR with a free port, its stderr and log
# in $T/daemon.log; waits (15 s at most) until /healthz answers; sets DPID, PORT and URL.
daemon_start() {
    local dir=$1; shift
    rm -f "$T/port"
    "$SLUICED" --data-dir "$dir" --listen 127.0.0.1:0 --port-file "$T/port" \
        --log-file "$T/daemon.log" "$@" >>"$T/daemon.out" 2>&1 &
    DPID=$!
    local i
    for i in $(seq 1 150); do
        if [ -s "$T/port" ]; then
            PORT=$(tr -d '\n' <"$T/port"); PORT=${PORT##*:}
            URL="http://127.0.0.1:$PORT"
            # /healthz may need the token when one is configured: any answer means it is up.
            [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/healthz")" != 000 ] && return 0
        fi
        kill -0 "$DPID" 2>/dev/null || break
        sleep 0.1
    done
    fail "sluiced did not come up: $(tail -c 600 "$T/daemon.out")"; log_tail
    return 1
}

# daemon_stop [SIG]: SIGTERM (or SIG), waits 30 s at most, returns the exit code.
daemon_stop() {
    [ -n "$DPID" ] || return 0
    kill -"${1:-TERM}" "$DPID" 2>/dev/null
    local i
    for i in $(seq 1 300); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$DPID" 2>/dev/null && { fail "sluiced still running 30 s after SIG${1:-TERM}"; kill -9 "$DPID"; }
    wait "$DPID"
    local rc=$?
    DPID=
    return $rc
}

# api METHOD PATH [BODY|@FILE] [curl args...]: the status code on stdout, the body in $T/body.
api() {
    local method=$1 path=$2 body=${3:-}
    shift; shift; [ $# -gt 0 ] && shift
    local data=()
    [ -n "$body" ] && data=(--data-binary "$body" -H 'Content-Type: application/json')
    curl -s -o "$T/body" -w '%{http_code}' -X "$method" "${data[@]}" "$@" "$URL$path"
}

# cli ARGS...: the sluice client against the daemon; stdout in $T/out, stderr in $T/err.
cli() { "$SLUICE" --url "$URL" "$@" >"$T/out" 2>"$T/err"; }
# expect_cli CODE DESCRIPTION ARGS...: runs cli and checks its exit code.
expect_cli() {
    local want=$1 what=$2; shift 2
    cli "$@"
    local got=$?
    [ "$got" -eq "$want" ] && { ok "$what"; return 0; }
    fail "$what: exit $got, want $want; stderr: $(head -c 600 "$T/err")"
    return 1
}

# job_state ID: the job's state from GET /jobs/ID (empty when the request fails).
job_state() {
    [ "$(api GET "/jobs/$1")" = 200 ] || return 0
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("state", ""))' "$T/body"
}
# await_state ID STATE [SECONDS]: waits until the job is in STATE (default 30 s).
await_state() {
    local s
    for _ in $(seq 1 $((${3:-30} * 10))); do
        s=$(job_state "$1")
        [ "$s" = "$2" ] && return 0
        sleep 0.1
    done
    fail "job $1 is \"$s\" after ${3:-30} s, want $2"; log_tail
    return 1
}
# json_get FILE EXPR: evaluates a Python expression over the JSON document j in FILE.
json_get() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# completed_checkpoints ID: the count of completed checkpoints of the job (0 when unknown).
completed_checkpoints() {
    [ "$(api GET "/jobs/$1/checkpoints")" = 200 ] || { echo 0; return; }
    json_get "$T/body" 'j["counts"]["completed"]'
}
# await_checkpoints ID N [SECONDS]: waits until the job completed N checkpoints.
await_checkpoints() {
    local n=0
    for _ in $(seq 1 $((${3:-30} * 10))); do
        n=$(completed_checkpoints "$1")
        [ "$n" -ge "$2" ] && return 0
        sleep 0.1
    done
    fail "job $1: $n completed checkpoints after ${3:-30} s, want $2"; log_tail
    return 1
}

# await_more_checkpoints ID N [SECONDS]: waits until the job completed N checkpoints more than
# it has now (the count may start over when sluiced restarts).
await_more_checkpoints() {
    local base
    base=$(completed_checkpoints "$1")
    await_checkpoints "$1" $((base + $2)) "${3:-30}"
}

# file_job NAME RATE: writes $T/NAME.json, an unbounded datagen (parallelism 2, RATE rows/s in
# all) -> file (parallelism 1) into $T/NAME-out with a checkpoint every 200 ms; prints its path.
file_job() {
    cat >"$T/$1.json" <<JSON
{"name": "$1", "checkpoint": {"interval": "200ms"},
 "restart": {"strategy": "fixed-delay", "attempts": 5, "delay": "100ms"},
 "operators": [
  {"id": "gen", "type": "datagen", "parallelism": 2, "config": {"rows": 0, "rate": $2}},
  {"id": "out", "type": "file", "inputs": [{"from": "gen", "distribution": "rebalance"}],
   "config": {"path": "$T/$1-out"}}]}
JSON
    echo "$T/$1.json"
}

# check_exactly_once NAME WHAT: the committed parts in $T/NAME-out hold every row the job's
# checkpoints covered exactly once. datagen subtask s of 2 emits ids s+1, s+3, ...; a checkpoint
# covers a prefix of each, so the committed ids must be, per subtask, exactly such a prefix, with
# no id twice, and every line must equal the one an uninterrupted run writes for its id.
check_exactly_once() {
    local out="$T/$1-out" what=$2
    local parts
    parts=$(find "$out" -maxdepth 1 -name 'part-*.jsonl' 2>/dev/null | wc -l)
    [ "$parts" -gt 0 ] || { fail "$what: no committed part in $out"; return 1; }
    cat "$out"/part-*.jsonl >"$T/all"
    local lines bad dups
    lines=$(wc -l <"$T/all")
    bad=$(LC_ALL=C grep -vc '^{"op":"+I","table":"gen\.rows","data":{"id":[0-9]*,.*}}$' "$T/all")
    LC_ALL=C grep -o '^{"op":"+I","table":"gen\.rows","data":{"id":[0-9]*,' "$T/all" |
        cut -d: -f5 | tr -d , | LC_ALL=C sort -n >"$T/ids"
    dups=$(uniq -d "$T/ids" | wc -l)
    [ "$bad" -eq 0 ] || fail "$what: $bad lines are not changes of gen.rows"
    [ "$dups" -eq 0 ] ||
        fail "$what: $dups ids committed twice or more, e.g. $(uniq -d "$T/ids" | head -3 | xargs)"
    # Per subtask: the k-th id of residue r must be r + 1 + 2 (k - 1).
    local gaps
    gaps=$(uniq "$T/ids" | awk '{ r = ($1 - 1) % 2; k[r]++; if ($1 != r + 1 + 2 * (k[r] - 1)) g++ }
                                END { print g + 0 }')
    [ "$gaps" -eq 0 ] || fail "$what: committed ids are not a prefix of each datagen subtask's ids ($gaps out of place)"
    # Content: the same rows as a bounded run without checkpoints up to the highest id.
    local max
    max=$(tail -n 1 "$T/ids")
    cat >"$T/ref.json" <<JSON
{"name": "ref", "operators": [
  {"id": "gen", "type": "datagen", "parallelism": 2, "config": {"rows": $max}},
  {"id": "out", "type": "file", "inputs": [{"from": "gen", "distribution": "rebalance"}],
   "config": {"path": "$T/ref-out"}}]}
JSON
    rm -rf "$T/ref-out"
    if ! timeout -k 5 60 "$SLUICE" run "$T/ref.json" >/dev/null 2>>"$T/ref.log"; then
        fail "$what: reference run failed"; log_tail "$T/ref.log"; return 1
    fi
    # The reference lines whose ids were committed, in order, against the committed lines.
    cat "$T"/ref-out/part-*.jsonl | LC_ALL=C awk -F'[:,]' 'NR == FNR { want[$1] = 1; next }
        { if ($7 in want) print }' "$T/ids" - | LC_ALL=C sort >"$T/ref-sel"
    if ! LC_ALL=C sort "$T/all" | cmp -s - "$T/ref-sel"; then
        fail "$what: committed rows differ from the reference run's rows of the same ids"
    fi
    [ "$failures" -eq 0 ] && ok "$what: $lines rows in $parts parts, each exactly once (ids up to $max)"
    return 0
}
