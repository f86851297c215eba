#!/usr/bin/env bash
# The starrocks sink's throughput: datagen (10 mixed columns) -> starrocks into sr-endpoint
# --discard (the StarRocks-compatible test double, parsing and dropping load bodies), beside curl
# streaming a body of the same shape to the same endpoint: the HTTP limit on this machine.
# Prints rows/s, MB/s and the sink process's CPU for both, and checks the targets (>= 500k rows/s,
# >= 0.7x curl's byte rate).      bench/starrocks_sink.sh [rows]   (BUILD_DIR overrides)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-"$root/build-release"}
rows=${1:-1000000}
par=${2:-2} # subtasks of the source and the sink (one chain each)
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target sluice sr-endpoint -j"$(nproc)" >/dev/null
sluice=$build/runtime/cli/sluice
endpoint=$build/tests/sr_endpoint/sr-endpoint
T=$(mktemp -d /tmp/sluice-bench-sr-XXXXXX)
trap 'kill $(cat "$T/pid" 2>/dev/null) 2>/dev/null; rm -rf "$T"' EXIT
printf 'bench-pw' >"$T/pw"
"$endpoint" --data-dir "$T/sr" --fe-http-port 0 --be-http-port 0 --query-port 0 --user root \
    --password-file "$T/pw" --ports-file "$T/ports" --discard --log-level warn >"$T/sr.log" 2>&1 &
echo $! >"$T/pid"
for _ in $(seq 100); do [ -s "$T/ports" ] && break; sleep 0.1; done
port() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$T/ports" "$1"; }
fe=$(port fe_http) be=$(port be_http) query=$(port query)
mariadb --no-defaults -h127.0.0.1 -P"$query" -uroot -pbench-pw -e "CREATE DATABASE b;
  CREATE TABLE b.t (id BIGINT NOT NULL, k INT, name VARCHAR(64), price DECIMAL(18,4),
    ratio DOUBLE, created DATETIME, payload VARCHAR(255), flag TINYINT, day DATE, qty BIGINT)
  PRIMARY KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 4 PROPERTIES (\"replication_num\" = \"1\")"
cat >"$T/job.json" <<JSON
{"name": "bench-sr", "operators": [
  {"id": "gen", "type": "datagen", "parallelism": $par, "config": {"rows": $rows, "columns": {
     "id": "BIGINT NOT NULL", "k": "INT", "name": "VARCHAR(64)", "price": "DECIMAL(18,4)",
     "ratio": "DOUBLE", "created": "DATETIME(6)", "payload": "VARCHAR(255)", "flag": "TINYINT",
     "day": "DATE", "qty": "INT UNSIGNED"}}},
  {"id": "sink", "type": "starrocks", "parallelism": $par, "inputs": ["gen"],
   "config": {"load_url": ["127.0.0.1:$fe"], "query_url": "127.0.0.1:$query", "user": "root",
              "password_env": "SR_PW", "database": "b", "table": "t",
              "flush": {"bytes": "8MiB"}}}]}
JSON
PAR=$par python3 - "$sluice" "$T" "$rows" "$be" <<'PY'
import json, os, resource, subprocess, sys, time, random
sluice, T, rows, be = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

def run(cmd, env=None):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024

def metric(path, name):
    total = 0
    for line in open(path):
        if line.startswith(name + "{"):
            total += float(line.rsplit(" ", 1)[1])
    return total

env = dict(os.environ, SR_PW="bench-pw")
best = None
for _ in range(3):
    prom = os.path.join(T, "m.prom")
    wall, cpu, rss = run([sluice, "run", os.path.join(T, "job.json"), "--metrics-file", prom], env)
    nbytes = metric(prom, "sluice_starrocks_bytes_total")
    nrows = metric(prom, "sluice_starrocks_rows_total")
    if nrows != rows:
        sys.exit(f"the sink sent {nrows} rows, want {rows}")
    if best is None or wall < best[0]:
        best = (wall, cpu, rss, nbytes)
wall, cpu, rss, nbytes = best

# A body of the same shape and size: JSON lines with the sink's keys and value kinds.
random.seed(1)
body = os.path.join(T, "body.json")
per_row = nbytes / rows
with open(body, "w") as f:
    n = 0
    i = 0
    while n < nbytes:
        i += 1
        line = json.dumps({"id": i, "k": random.randint(-2**31, 2**31 - 1), "name": f"name-{i}",
                           "price": f"{random.randint(0, 10**14)}.{random.randint(0, 9999):04d}",
                           "ratio": random.random() * 1e6,
                           "created": "2021-03-04 05:06:07.123456",
                           "payload": "x" * random.randint(0, 255), "flag": 1,
                           "day": "2020-01-02", "qty": random.randint(0, 2**32 - 1), "__op": 0},
                          separators=(",", ":")) + "\n"
        f.write(line)
        n += len(line)
size = os.path.getsize(body)
cbest = None
for k in range(3):
    cw, ccpu, _ = run(["curl", "-sf", "-o", "/dev/null", "-u", "root:bench-pw", "-T", body,
                       "-H", "Expect:", "-H", "format: json", "-H", f"label: curl-{k}-{time.time_ns()}",
                       f"http://127.0.0.1:{be}/api/b/t/_stream_load"])
    if cbest is None or cw < cbest[0]:
        cbest = (cw, ccpu)
cw, ccpu = cbest
mb = 1024 * 1024
print(f"starrocks sink into sr-endpoint --discard, {rows} rows of 10 columns, parallelism "
      f"{os.environ.get('PAR', '?')}, best of 3")
print(f"sluice: datagen -> starrocks   {rows / wall:10.0f} rows/s  {nbytes / mb / wall:7.1f} MB/s"
      f"  {wall:6.2f} s  CPU {cpu:5.2f} s  peak RSS {rss:6.1f} MiB")
print(f"curl -T (same shape, {size / mb:.0f} MB)  {size / per_row / cw:10.0f} rows/s  "
      f"{size / mb / cw:7.1f} MB/s  {cw:6.2f} s  CPU {ccpu:5.2f} s")
ratio = (nbytes / wall) / (size / cw)
print(f"sink >= 500k rows/s: {'PASS' if rows / wall >= 500000 else 'FAIL'}")
print(f"sink >= 0.7x curl's byte rate: {'PASS' if ratio >= 0.7 else 'FAIL'} ({ratio:.2f}x)")
PY
