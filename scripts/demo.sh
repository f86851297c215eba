#!/usr/bin/env bash
# The demo, from a fresh Debian 12 machine: install what is missing, build, and run the bundled
# example job (datagen -> print), then a million rows through a channel into a blackhole.
set -euo pipefail
. "$(dirname "$0")/common.sh"
cd "$SLUICE_ROOT"

install_packages
build_tree build/release -DCMAKE_BUILD_TYPE=Release
sluice=build/release/runtime/cli/sluice

log "the physical plan of jobs/examples/datagen-print.json"
"$sluice" plan jobs/examples/datagen-print.json
log "running it: every change as one JSON line"
"$sluice" run jobs/examples/datagen-print.json
log "1,000,000 rows across a channel into a blackhole"
time "$sluice" run jobs/examples/datagen-blackhole.json

# A real MySQL-protocol source: MariaDB from Debian on a private port, its binlog streamed by
# mysql_cdc into changelog lines while rows are inserted, updated and deleted.
log "MariaDB -> sluice: change data capture from the binlog"
maria="$SLUICE_ROOT/tests/harness/mariadb.sh"
demo_dir="$SLUICE_ROOT/build/demo"
rm -rf "$demo_dir" && mkdir -p "$demo_dir"
"$maria" start "$demo_dir/mariadb" 23398
trap '"$maria" stop "$demo_dir/mariadb" >/dev/null 2>&1 || true' EXIT
"$maria" client "$demo_dir/mariadb" -e "CREATE DATABASE shop;
  CREATE TABLE shop.orders (id INT PRIMARY KEY, customer VARCHAR(40), amount DECIMAL(10,2),
                            created DATETIME(3));"
cat >"$demo_dir/cdc.json" <<JOB
{"name": "shop-cdc",
 "checkpoint": {"interval": "1s"},
 "operators": [
   {"id": "src", "type": "mysql_cdc", "config": {"host": "127.0.0.1", "port": 23398,
     "user": "sluice", "password_env": "DEMO_PW", "tables": ["shop\\\\.orders"],
     "startup": "latest-offset"}},
   {"id": "out", "type": "print", "inputs": ["src"], "config": {"path": "$demo_dir/changes.jsonl"}}]}
JOB
DEMO_PW=sluice-pw "$sluice" run "$demo_dir/cdc.json" --data-dir "$demo_dir/state" 2>"$demo_dir/sluice.log" &
pid=$!
for _ in $(seq 1 100); do grep -q RUNNING "$demo_dir/sluice.log" && break; sleep 0.1; done
"$maria" client "$demo_dir/mariadb" -e "
  INSERT INTO shop.orders VALUES (1, 'ada', 12.50, NOW(3)), (2, 'grace', 99.90, NOW(3));
  UPDATE shop.orders SET amount = 15.00 WHERE id = 1;
  DELETE FROM shop.orders WHERE id = 2;"
for _ in $(seq 1 100); do [ "$(wc -l <"$demo_dir/changes.jsonl" 2>/dev/null || echo 0)" -ge 5 ] && break; sleep 0.1; done
kill -INT "$pid"; wait "$pid" || true
log "the changes sluice read from the binlog:"
cat "$demo_dir/changes.jsonl"

# The whole point: MariaDB -> sluice -> a StarRocks-compatible endpoint, exactly once. sr-endpoint
# (tests/sr_endpoint/) is the project's test double of StarRocks' FE/BE HTTP ports and MySQL port:
# StarRocks itself cannot be installed here. The snapshot of shop.orders goes first, then the
# binlog; the target is a primary-key table, so updates and deletes arrive through __op.
log "MariaDB -> sluice -> sr-endpoint (a StarRocks-compatible test double): snapshot, then binlog"
endpoint=build/release/tests/sr_endpoint/sr-endpoint
printf 'sr-demo-pw' >"$demo_dir/sr-pw"
"$endpoint" --data-dir "$demo_dir/sr" --fe-http-port 0 --be-http-port 0 --query-port 0 \
    --user root --password-file "$demo_dir/sr-pw" --ports-file "$demo_dir/sr-ports" \
    >"$demo_dir/sr.log" 2>&1 &
sr_pid=$!
trap 'kill $sr_pid 2>/dev/null; "$maria" stop "$demo_dir/mariadb" >/dev/null 2>&1 || true' EXIT
for _ in $(seq 1 100); do [ -s "$demo_dir/sr-ports" ] && break; sleep 0.1; done
sr_port() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$demo_dir/sr-ports" "$1"; }
fe=$(sr_port fe_http) query=$(sr_port query)
sr_sql() { mariadb --no-defaults -h127.0.0.1 -P"$query" -uroot -psr-demo-pw -e "$1"; }
sr_sql "CREATE DATABASE shop;
  CREATE TABLE shop.orders (id INT NOT NULL, customer VARCHAR(160), amount DECIMAL(10,2),
                            created DATETIME)
  PRIMARY KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 2 PROPERTIES (\"replication_num\" = \"1\")"
"$maria" client "$demo_dir/mariadb" -e "INSERT INTO shop.orders VALUES
  (3, 'edsger', 7.25, NOW(3)), (4, 'barbara', 42.00, NOW(3)), (5, 'donald', 3.14, NOW(3));"
cat >"$demo_dir/sync.json" <<JOB
{"name": "shop-sync",
 "checkpoint": {"interval": "1s"},
 "operators": [
   {"id": "src", "type": "mysql_cdc", "config": {"host": "127.0.0.1", "port": 23398,
     "user": "sluice", "password_env": "DEMO_PW", "tables": ["shop\\\\.orders"],
     "startup": "initial"}},
   {"id": "sink", "type": "starrocks", "inputs": ["src"],
    "config": {"load_url": ["127.0.0.1:$fe"], "query_url": "127.0.0.1:$query", "user": "root",
               "password_env": "SR_PW", "database": "shop", "table": "orders"}}]}
JOB
DEMO_PW=sluice-pw SR_PW=sr-demo-pw "$sluice" run "$demo_dir/sync.json" --data-dir "$demo_dir/sync-state" \
    --metrics-file "$demo_dir/sync.prom" 2>"$demo_dir/sync.log" &
pid=$!
for _ in $(seq 1 150); do grep -q "past the snapshot's largest HIGH mark\|binlog from" "$demo_dir/sync.log" && break; sleep 0.1; done
"$maria" client "$demo_dir/mariadb" -e "
  INSERT INTO shop.orders VALUES (6, 'tony', 1.00, NOW(3));
  UPDATE shop.orders SET amount = amount * 2 WHERE id IN (1, 3);
  DELETE FROM shop.orders WHERE id = 4;"
want=$("$maria" client "$demo_dir/mariadb" -N -B -e "SELECT id, customer, amount FROM shop.orders ORDER BY id")
got=
for _ in $(seq 1 150); do
    got=$(mariadb --no-defaults -h127.0.0.1 -P"$query" -uroot -psr-demo-pw -N -B \
        -e "SELECT id, customer, amount FROM shop.orders ORDER BY id" 2>/dev/null || true)
    [ "$got" = "$want" ] && break
    sleep 0.2
done
kill -INT "$pid"; wait "$pid" || true
log "MariaDB shop.orders:"
echo "$want"
log "sr-endpoint shop.orders (loaded by sluice through Stream Load transactions):"
echo "$got"
[ "$got" = "$want" ] || { log "the target does not match the source"; exit 1; }
log "the sink's transactions: $(grep -h '^sluice_starrocks_transactions_committed_total' "$demo_dir/sync.prom" | awk '{s+=$2} END {print s}') committed"
