# Shared helpers of the starrocks sink's fault tests (sourced after fault_lib.sh): the
# StarRocks-compatible endpoint (tests/sr_endpoint/, a test double) started on ephemeral ports,
# a datagen -> starrocks job with checkpoints, and the exactly-once check of the loaded table read
# back over the endpoint's MySQL port. The caller sets SLUICE, SR_ENDPOINT and T.

SR_PASSWORD=sr-fault-pw

# sr_start [FE BE QUERY]: starts sr-endpoint on $T/sr (ports 0 = ephemeral, or the given ones
# after a restart) and waits until it listens; sets SR_FE, SR_BE, SR_QUERY and SR_PID.
sr_start() {
    printf '%s' "$SR_PASSWORD" >"$T/sr-password"
    rm -f "$T/sr-ports"
    "$SR_ENDPOINT" --data-dir "$T/sr" --fe-http-port "${1:-0}" --be-http-port "${2:-0}" \
        --query-port "${3:-0}" --user root --password-file "$T/sr-password" \
        --ports-file "$T/sr-ports" >>"$T/sr-log" 2>&1 &
    SR_PID=$!
    for _ in $(seq 100); do
        [ -s "$T/sr-ports" ] && break
        sleep 0.1
    done
    [ -s "$T/sr-ports" ] || { fail "sr-endpoint did not start"; tail -5 "$T/sr-log" >&2; return 1; }
    SR_FE=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["fe_http"])' "$T/sr-ports")
    SR_BE=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["be_http"])' "$T/sr-ports")
    SR_QUERY=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["query"])' "$T/sr-ports")
}

sr_stop() {
    [ -n "${SR_PID:-}" ] && kill "$SR_PID" 2>/dev/null && wait "$SR_PID" 2>/dev/null
    SR_PID=
}

# sr_sql SQL: runs SQL on the endpoint's MySQL port, tab-separated rows without headers.
sr_sql() {
    mariadb --no-defaults -h127.0.0.1 -P"$SR_QUERY" -uroot -p"$SR_PASSWORD" -N -B -e "$1"
}

# sr_tables: the target database with a duplicate-key table (a replayed row would be a second
# row: the append check) and a primary-key table, both with datagen's default columns.
sr_tables() {
    local cols='`id` BIGINT NOT NULL, `k` INT NULL, `name` VARCHAR(64) NULL,
        `price` DECIMAL(18,4) NULL, `ratio` DOUBLE NULL, `created` DATETIME NULL,
        `payload` VARCHAR(255) NULL, `flag` TINYINT NULL'
    sr_sql "CREATE DATABASE IF NOT EXISTS fault;
        CREATE TABLE fault.dup ($cols) DUPLICATE KEY(\`id\`) DISTRIBUTED BY HASH(\`id\`) BUCKETS 2
            PROPERTIES (\"replication_num\" = \"1\");
        CREATE TABLE fault.pk ($cols) PRIMARY KEY(\`id\`) DISTRIBUTED BY HASH(\`id\`) BUCKETS 2
            PROPERTIES (\"replication_num\" = \"1\")" || fail "create tables"
}

# make_sr_job NAME ROWS RATE TABLE: datagen(2) -> starrocks(2) by hash into fault.TABLE,
# exactly-once, checkpoints every 200 ms; prints the job's path.
make_sr_job() {
    cat >"$T/$1.json" <<JSON
{"name": "sr-$1", "checkpoint": {"interval": "200ms"},
 "restart": {"strategy": "fixed-delay", "attempts": 5, "delay": "100ms"},
 "operators": [
  {"id": "gen", "type": "datagen", "parallelism": 2, "config": {"rows": $2, "rate": $3}},
  {"id": "sink", "type": "starrocks", "parallelism": 2,
   "inputs": [{"from": "gen", "distribution": "hash"}],
   "config": {"load_url": ["127.0.0.1:$SR_FE"], "query_url": "127.0.0.1:$SR_QUERY",
              "user": "root", "password_env": "SR_PW", "database": "fault", "table": "$4",
              "label_prefix": "fault-$1"}}]}
JSON
    echo "$T/$1.json"
}

# run_sr_job JOB [ENV=VALUE...]: run_job with the sink's password in the environment.
run_sr_job() {
    local job=$1; shift
    run_job "$job" SR_PW="$SR_PASSWORD" "$@"
}

# check_table TABLE WHAT: fault.TABLE holds ids 1..ROWS each exactly once, each with the k and
# name datagen generated for it (compared with the reference run), and the password was never
# logged.
check_table() {
    local t=$1 what=$2 verdict
    sr_sql "SELECT id, k, name FROM fault.$t" >"$T/table.tsv" ||
        { fail "$what: query fault.$t"; return 1; }
    verdict=$(python3 - "$T/table.tsv" "$T/reference" "$ROWS" <<'PY'
import json, sys
rows, ref_path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
want = {}
for line in open(ref_path):
    d = json.loads(line)["data"]
    want[d["id"]] = ("NULL" if d["k"] is None else str(d["k"]), "NULL" if d["name"] is None else d["name"])
seen, dups, wrong = {}, 0, 0
for line in open(rows):
    i, k, name = line.rstrip("\n").split("\t")
    i = int(i)
    dups += i in seen
    seen[i] = True
    wrong += want.get(i) != (k, name)
missing = n - len([i for i in seen if 1 <= i <= n])
print("ok" if len(seen) == n and not dups and not wrong and not missing else
      f"{sum(1 for _ in open(rows))} rows, {dups} duplicates, {missing} missing, {wrong} differ")
PY
)
    [ "$verdict" = ok ] || fail "$what: fault.$t: $verdict (want ids 1..$ROWS once each)"
    if grep -q "$SR_PASSWORD" "$T/log" "$T/stdout" 2>/dev/null; then
        fail "$what: the password appears in sluice's output"
    fi
    [ "$failures" -eq 0 ] && echo "ok     $what: fault.$t holds ids 1..$ROWS exactly once"
    return 0
}
