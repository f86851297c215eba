# Shared helpers of the schema-evolution end-to-end and fault tests (sourced). The caller sets
# SLUICE, SR (the sr-endpoint binary), PORT (its own MariaDB's port) and NAME, then calls
# se_init. Each test has its own MariaDB (tests/harness/mariadb.sh) and its own sr-endpoint, so
# the tests run beside each other and beside the integration tests.
# SLUICE_KEEP_TMP=1 keeps the directory (logs, job files, the servers' data).

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MARIA="$HERE/../../harness/mariadb.sh"
SR_PW=sr-se-pw
FAILS=0
JOB_PID= SR_PID= WRITER_PID= ALL_JOBS=
CONVERGE=${CONVERGE:-30}

se_init() {
    T=$(mktemp -d "/tmp/sluice-$NAME-XXXXXX")
    T0=$EPOCHREALTIME
    mkdir -p "$T/w"
    trap se_cleanup EXIT
    ulimit -c 0
    say "dir $T"
}
elapsed() { python3 -c "print(f'{$EPOCHREALTIME - $T0:5.1f}s')"; }
say() { echo "$(elapsed) $*"; }
ok() { echo "$(elapsed) ok     $*"; }
fail() { echo "$(elapsed) FAIL   $*"; FAILS=$((FAILS + 1)); }
log_tail() { tail -n "${2:-12}" "$1" 2>/dev/null | cut -c1-400 | sed 's/^/       | /'; }
die() { fail "$*"; log_tail "$T/sluice.log"; exit 1; }
se_cleanup() {
    [ -n "$WRITER_PID" ] && touch "$T/w/stop" && kill "$WRITER_PID" 2>/dev/null
    local p
    for p in $ALL_JOBS; do kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null; done
    [ -n "$SR_PID" ] && kill -TERM "$SR_PID" 2>/dev/null && wait "$SR_PID" 2>/dev/null
    bash "$MARIA" stop "$T/maria" >/dev/null 2>&1
    if [ "$FAILS" -eq 0 ] && [ -z "${SLUICE_KEEP_TMP:-}" ]; then rm -rf "$T"; else echo "kept $T"; fi
}
# The summary line and the exit code.
se_finish() {
    say "$([ "$FAILS" -eq 0 ] && echo "all passed" || echo "$FAILS failures")"
    [ "$FAILS" -eq 0 ]
}

client() { bash "$MARIA" client "$T/maria" --default-character-set=utf8mb4 "$@"; }
src() { client -e "$1" || fail "source SQL failed: $1"; }
sr_sql() { mariadb --no-defaults -h127.0.0.1 -P"$QUERY" -uroot -p"$SR_PW" -N -B -e "$1"; }

# se_servers [sr-endpoint options...]: MariaDB on PORT and sr-endpoint on ephemeral ports.
se_servers() {
    # A port some other server holds (parallel builds on one machine): try 100 and 200 above it.
    local try
    for try in 0 1 2; do
        bash "$MARIA" start "$T/maria" "$PORT" >"$T/maria.log" 2>&1 && break
        grep -q 'Address already in use' "$T/maria.log" "$T/maria/error.log" 2>/dev/null ||
            { tail -n 5 "$T/maria.log"; die "MariaDB did not start on port $PORT"; }
        [ "$try" -eq 2 ] && die "MariaDB did not start: ports up to $PORT are in use"
        say "port $PORT in use; MariaDB on $((PORT + 100))"
        PORT=$((PORT + 100))
    done
    printf '%s' "$SR_PW" >"$T/sr-pw"
    "$SR" --data-dir "$T/sr" --fe-http-port 0 --be-http-port 0 --query-port 0 --user root \
        --password-file "$T/sr-pw" --ports-file "$T/sr-ports" "$@" >>"$T/sr.log" 2>&1 &
    SR_PID=$!
    for _ in $(seq 100); do [ -s "$T/sr-ports" ] && break; sleep 0.1; done
    [ -s "$T/sr-ports" ] || { log_tail "$T/sr.log"; die "sr-endpoint did not start ($*)"; }
    FE=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["fe_http"])' "$T/sr-ports")
    QUERY=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["query"])' "$T/sr-ports")
}

# se_generate JOB TARGET_DB [generate options...]: `sluice generate --create-tables` for the
# selected tables into TARGET_DB, 1 s checkpoints.
se_generate() {
    local job=$1 db=$2
    shift 2
    SLUICE_SOURCE_PASSWORD=sluice-pw SLUICE_TARGET_PASSWORD=$SR_PW "$SLUICE" generate \
        --source "mysql://sluice@127.0.0.1:$PORT" \
        --target "starrocks://root@127.0.0.1:$FE/$db?query_port=$QUERY" --create-tables \
        --checkpoint-interval 1s --name "$(basename "$job" .json)" -o "$job" "$@" \
        >"$job.generate.log" 2>&1 || { cat "$job.generate.log"; die "sluice generate $*"; }
}

# se_patch JOB PYTHON: edits the job (variable j) with a Python statement, e.g. to set the sink's
# schema_change section or the source's table patterns.
se_patch() {
    python3 - "$1" "$2" <<'PY' || die "patching $1"
import json, sys
path, code = sys.argv[1], sys.argv[2]
j = json.load(open(path))
ops = {o["id"]: o for o in j["operators"]}
src, sink = ops["source"]["config"], ops["sink"]["config"]
exec(code)
json.dump(j, open(path, "w"), indent=1)
PY
}

# run_job JOB LOG [ENV=VALUE...]: starts `sluice run` in the background (JOB_PID) with its data
# dir in $T/state-JOBNAME and its metrics in $T/JOBNAME.prom; waits for RUNNING in LOG.
run_job() {
    local job=$1 log=$2 n
    shift 2
    touch "$log"
    n=$(grep -c RUNNING "$log")
    env SLUICE_SOURCE_PASSWORD=sluice-pw SLUICE_TARGET_PASSWORD="$SR_PW" "$@" "$SLUICE" run "$job" \
        --data-dir "$T/state-$(basename "$job" .json)" \
        --metrics-file "$T/$(basename "$job" .json).prom" >>"$log" 2>&1 &
    JOB_PID=$!
    ALL_JOBS="$ALL_JOBS $JOB_PID"
    for _ in $(seq 200); do
        [ "$(grep -c RUNNING "$log")" -gt "${n:-0}" ] && return 0
        kill -0 "$JOB_PID" 2>/dev/null || break
        sleep 0.1
    done
    fail "the job $(basename "$job") did not start"
    log_tail "$log"
    return 1
}
# stop_job: SIGINT, then its exit code must be 130.
stop_job() {
    [ -n "$JOB_PID" ] || return 0
    kill -INT "$JOB_PID" 2>/dev/null
    wait "$JOB_PID"
    local rc=$?
    JOB_PID=
    [ "$rc" -eq 130 ] || fail "sluice exit $rc after SIGINT, want 130"
}
# wait_exit SECS: waits for the job to exit; sets RC to its exit code ("running" after SECS).
wait_exit() {
    local i
    for ((i = 0; i < $1 * 10; i++)); do
        kill -0 "$JOB_PID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$JOB_PID" 2>/dev/null; then RC=running; return; fi
    wait "$JOB_PID"
    RC=$?
    JOB_PID=
}

# The writer (se_writer.py): tables in $T/w/tables; pause/resume/stop through files.
writer_tables() { cat >"$T/w/tables.new" && mv "$T/w/tables.new" "$T/w/tables"; }
writer_start() {
    rm -f "$T/w/stop" "$T/w/pause" "$T/w/paused"
    python3 "$HERE/se_writer.py" "$T/w" "${SEED:-$RANDOM}" "${RATE:-25}" -- \
        bash "$MARIA" client "$T/maria" 2>>"$T/writer.log" &
    WRITER_PID=$!
}
writer_pause() {
    touch "$T/w/pause"
    for _ in $(seq 200); do [ -e "$T/w/paused" ] && return 0; sleep 0.05; done
    fail "the writer did not pause"
}
writer_resume() { rm -f "$T/w/pause"; }
writer_stop() {
    [ -n "$WRITER_PID" ] || return 0
    touch "$T/w/stop"
    wait "$WRITER_PID"
    WRITER_PID=
}

# converge WHAT LOG TARGET [se_check options...]: polls se_check.py until the target matches its
# source(s) (CONVERGE seconds at most; after a first failure only CONVERGE_AFTER_FAIL, so a broken
# step does not make every later one wait as long; one look when the job is not running), then
# prints its line; a failure prints the differences and the log's last errors.
CONVERGE_AFTER_FAIL=${CONVERGE_AFTER_FAIL:-8}
converge() {
    local what=$1 log=$2 out limit=$CONVERGE end
    shift 2
    [ "$FAILS" -gt 0 ] && limit=$CONVERGE_AFTER_FAIL
    [ -n "$JOB_PID" ] && kill -0 "$JOB_PID" 2>/dev/null || limit=0
    end=$((SECONDS + limit))
    while :; do
        if out=$(se_check "$@" --quiet); then ok "$what: ${out#ok   }"; return 0; fi
        if [ -n "$JOB_PID" ] && ! kill -0 "$JOB_PID" 2>/dev/null; then
            wait "$JOB_PID"
            fail "$what: the job exited ($?) while waiting for convergence: $out"
            JOB_PID=
            grep -E 'ERROR|FAILED' "$log" | tail -n 3 | cut -c1-400 | sed 's/^/       | /'
            return 1
        fi
        [ "$SECONDS" -ge "$end" ] && break
        sleep 0.5
    done
    fail "$what: no convergence within ${limit}s:"
    se_check "$@" | sed 's/^/       /'
    grep -E 'ERROR|WARN' "$log" | tail -n 4 | cut -c1-400 | sed 's/^/       | /'
    return 1
}
# alive WHAT: the job still runs (else a failure naming what is skipped).
alive() {
    [ -n "$JOB_PID" ] && kill -0 "$JOB_PID" 2>/dev/null && return 0
    fail "the job is not running: $1 skipped"
    return 1
}
se_check() { python3 "$HERE/se_check.py" "$FE" "$QUERY" "$SR_PW" "$@" -- \
                 bash "$MARIA" client "$T/maria"; }

# ddl_count DB TABLE REGEX: how many DDL of sr-endpoint's GET /_ddl on DB.TABLE match REGEX
# (case-insensitive; entries marked "applied": false, refused ones, left out); "ERR ..." when
# the endpoint does not serve /_ddl.
ddl_count() {
    curl -s -u "root:$SR_PW" "http://127.0.0.1:$FE/_ddl" | python3 -c '
import json, re, sys
db, table, rx = sys.argv[1:4]
try:
    d = json.load(sys.stdin)["ddl"]
except Exception as e:
    print("ERR /_ddl not served as JSON"); sys.exit()
print(sum(1 for x in d if x.get("db") == db and x.get("table") == table and
          x.get("applied", True) is not False and
          re.search(rx, x.get("statement", ""), re.I)))' "$@"
}
# ddl_once WHAT DB TABLE REGEX [N]: the endpoint ran exactly N (1) matching DDL.
ddl_once() {
    local n
    n=$(ddl_count "$2" "$3" "$4")
    if [ "$n" = "${5:-1}" ]; then ok "$1: /_ddl: $n × /$4/ on $2.$3"
    else
        fail "$1: /_ddl: $n DDL on $2.$3 matching /$4/, want ${5:-1}"
        ddl_dump "$2" "$3" | sed 's/^/       /'
    fi
}
# ddl_dump DB TABLE: the endpoint's DDL on DB.TABLE, one a line (the raw reply if not JSON).
ddl_dump() {
    curl -s -u "root:$SR_PW" "http://127.0.0.1:$FE/_ddl" | python3 -c '
import json, sys
raw = sys.stdin.read()
try:
    d = json.loads(raw)["ddl"]
except Exception:
    print(raw[:300]); sys.exit()
for x in d:
    if x.get("db") == sys.argv[1] and x.get("table") == sys.argv[2]:
        print(("" if x.get("applied", True) else "(refused) ") + " ".join(x.get("statement", "").split())[:160])' "$1" "$2"
}

# metric FILE OUTCOME: sum of sluice_starrocks_schema_changes_total{outcome=OUTCOME} in FILE.
metric() {
    awk -v o="outcome=\"$2\"" '/^sluice_starrocks_schema_changes_total\{/ && index($0, o) { s += $NF; n++ }
        END { if (n) print s; else print "absent" }' "$1" 2>/dev/null
}
