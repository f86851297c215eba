# Shared helpers of the fault tests (sourced): a datagen -> file job with checkpoints, runs of the
# real sluice binary under a timeout, and the exactly-once check of the committed part files.
# The caller sets SLUICE (the binary) and T (a fresh directory) and calls fault_init first.
# FAULT_KEEP=1 keeps T (job files, logs, parts) for a look after the run.

fault_init() {
    failures=0
    ROWS=${ROWS:-200000}
    RATE=${RATE:-100000}
    RUN_TIMEOUT=${RUN_TIMEOUT:-60}
    BG=
    trap 'fault_cleanup' EXIT
}

fault_cleanup() {
    # A background run still alive when the script ends (a failed check, ctest's timeout).
    [ -n "$BG" ] && kill -9 "$BG" 2>/dev/null
    if [ -n "${FAULT_KEEP:-}" ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# make_job NAME ROWS RATE: writes $T/NAME.json, datagen(2) -> file(2) by hash into $T/out, and
# prints its path. Checkpoints every 200 ms; a fixed-delay restart strategy for in-process
# restarts (an error action); a crash of the process is a restart of the command.
make_job() {
    local checkpoint='"checkpoint": {"interval": "200ms"},'
    [ "${4:-}" = nockpt ] && checkpoint=
    cat >"$T/$1.json" <<JSON
{"name": "fault-$1", $checkpoint
 "restart": {"strategy": "fixed-delay", "attempts": 5, "delay": "100ms"},
 "operators": [
  {"id": "gen", "type": "datagen", "parallelism": 2, "config": {"rows": $2, "rate": $3}},
  {"id": "out", "type": "file", "parallelism": 2,
   "inputs": [{"from": "gen", "distribution": "hash"}], "config": {"path": "$T/$1-out"}}]}
JSON
    echo "$T/$1.json"
}

# run_job JOB [ENV=VALUE...]: runs the job in the foreground against $T/data, under a timeout
# (TERM, then KILL 5 s later), stderr appended to $T/log. Returns sluice's exit code; 124 on
# a timeout.
run_job() {
    local job=$1; shift
    env "$@" timeout -k 5 "$RUN_TIMEOUT" "$SLUICE" run "$job" --data-dir "$T/data" \
        >>"$T/stdout" 2>>"$T/log"
}

log_tail() { tail -n 15 "$T/log" | sed 's/^/    | /' >&2; }

# reference: the sorted lines of an uninterrupted run without checkpoints (the datagen rows
# depend on the id only), in $T/reference.
reference() {
    local job
    job=$(make_job ref "$ROWS" 0 nockpt)
    if ! env timeout -k 5 "$RUN_TIMEOUT" "$SLUICE" run "$job" >/dev/null 2>>"$T/log"; then
        fail "reference run failed"; log_tail; return 1
    fi
    cat "$T"/ref-out/part-*.jsonl | LC_ALL=C sort >"$T/reference"
    local n
    n=$(wc -l <"$T/reference")
    [ "$n" -eq "$ROWS" ] || { fail "reference run wrote $n lines, want $ROWS"; return 1; }
}

# check_exactly_once NAME WHAT: the committed parts of job NAME hold every id 1..ROWS exactly
# once, with exactly the rows of the reference, and no hidden part is left behind.
check_exactly_once() {
    local out="$T/$1-out" what=$2
    local parts
    parts=$(find "$out" -maxdepth 1 -name 'part-*.jsonl' | wc -l)
    [ "$parts" -gt 0 ] || { fail "$what: no committed part in $out"; return 1; }
    cat "$out"/part-*.jsonl >"$T/all"
    local lines dups gaps bad
    lines=$(wc -l <"$T/all")
    # Every line is a change of gen.rows; the id is its first column, taken from the fixed line
    # prefix (LC_ALL=C: byte matching is several times faster on 60 MB).
    bad=$(LC_ALL=C grep -vc '^{"op":"+I","table":"gen\.rows","data":{"id":[0-9]*,.*}}$' "$T/all")
    LC_ALL=C grep -o '^{"op":"+I","table":"gen\.rows","data":{"id":[0-9]*,' "$T/all" |
        cut -d: -f5 | tr -d , | LC_ALL=C sort -n >"$T/ids"
    dups=$(uniq -d "$T/ids" | wc -l)
    gaps=$(uniq "$T/ids" | awk -v n="$ROWS" '$1 != NR { g++ } END { print g + (NR != n) }')
    [ "$bad" -eq 0 ] || fail "$what: $bad lines are not changes of gen.rows"
    [ "$dups" -eq 0 ] ||
        fail "$what: $dups ids committed twice or more, e.g. $(uniq -d "$T/ids" | head -3 | xargs)"
    [ "$gaps" -eq 0 ] ||
        fail "$what: ids are not exactly 1..$ROWS ($(uniq "$T/ids" | wc -l) distinct)"
    [ "$lines" -eq "$ROWS" ] || fail "$what: $lines lines committed, want $ROWS"
    if [ -s "$T/reference" ] && ! LC_ALL=C sort "$T/all" | cmp -s - "$T/reference"; then
        fail "$what: committed rows differ from the reference run"
    fi
    local hidden
    hidden=$(find "$out" -maxdepth 1 -name '.*' -type f | wc -l)
    [ "$hidden" -eq 0 ] ||
        fail "$what: $hidden hidden parts left after a clean finish, e.g. $(
            find "$out" -maxdepth 1 -name '.*' -type f -printf '%f\n' | head -3 | xargs)"
    [ "$failures" -eq 0 ] &&
        echo "ok     $what: $lines rows in $parts parts, ids 1..$ROWS exactly once"
    return 0
}
