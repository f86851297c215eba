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
