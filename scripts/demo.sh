#!/usr/bin/env bash
# The demo, from a fresh Debian 12 machine: install what is missing, build, run the bundled example
# job, then the real thing: a MariaDB shop (customers, products, orders in 4 shard databases) kept
# in sync with a StarRocks-compatible endpoint by a generated job while changes stream in.
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

# MariaDB from Debian on a private port (binlog in ROW format), and sr-endpoint: the project's
# test double of StarRocks' FE/BE HTTP ports and MySQL port (StarRocks itself cannot be installed
# here). Both listen on 127.0.0.1 only.
maria="$SLUICE_ROOT/tests/harness/mariadb.sh"
demo_dir="$SLUICE_ROOT/build/demo"
rm -rf "$demo_dir" && mkdir -p "$demo_dir"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    "$maria" stop "$demo_dir/mariadb" >/dev/null 2>&1 || true
}
trap cleanup EXIT
log "starting MariaDB on 127.0.0.1:23398 with the shop schema (orders in 4 shard databases)"
"$maria" start "$demo_dir/mariadb" 23398 >/dev/null
python3 scripts/demo_shop.py schema | "$maria" client "$demo_dir/mariadb" --default-character-set=utf8mb4
endpoint=build/release/tests/sr_endpoint/sr-endpoint
printf 'sr-demo-pw' >"$demo_dir/sr-pw"
"$endpoint" --data-dir "$demo_dir/sr" --fe-http-port 0 --be-http-port 0 --query-port 0 \
    --user root --password-file "$demo_dir/sr-pw" --ports-file "$demo_dir/sr-ports" \
    >"$demo_dir/sr.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$demo_dir/sr-ports" ] && break; sleep 0.1; done
sr_port() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$demo_dir/sr-ports" "$1"; }
fe=$(sr_port fe_http) query=$(sr_port query)
log "sr-endpoint (StarRocks-compatible): FE HTTP 127.0.0.1:$fe, MySQL port 127.0.0.1:$query"

# Passwords travel in the environment, never on the command line or in the generated files.
export SLUICE_SOURCE_PASSWORD=sluice-pw SLUICE_TARGET_PASSWORD=sr-demo-pw MYSQL_PWD=sr-demo-pw
gen=("$sluice" generate --source mysql://sluice@127.0.0.1:23398
     --tables 'shop\.customers,shop\.products,shop_[0-9]+\.orders'
     --target "starrocks://root@127.0.0.1:$fe/shop?query_port=$query"
     --checkpoint-interval 2s -o "$demo_dir/shop-sync.json")
log "sluice generate: the four orders shards merge into one table; their ids collide"
set +e
"${gen[@]}" 2>&1 | sed 's/^/    /'
code=${PIPESTATUS[0]}
set -e
[ "$code" -eq 2 ] || { log "expected generate to ask about the colliding shards (exit 2), got $code"; exit 1; }
log "again with --merge-key add-source (the shard's database and table join the key) and --create-tables"
"${gen[@]}" --merge-key add-source --create-tables 2>&1 | sed 's/^/    /'
log "the StarRocks DDL it ran ($demo_dir/shop-sync.sql):"
grep -v '^--' "$demo_dir/shop-sync.sql" | sed 's/^/    /'
log "the job ($demo_dir/shop-sync.json):"
sed 's/^/    /' "$demo_dir/shop-sync.json"

# The job runs under sluiced, the daemon, which also serves the web console (web/): the same
# pipeline could have been built there with the wizard. The passwords reach the job through the
# daemon's environment (password_env), never through the job file or the REST API.
daemon=build/release/runtime/daemon/sluiced
"$daemon" --data-dir "$demo_dir/daemon" --listen 127.0.0.1:0 --port-file "$demo_dir/sluiced.port" \
    --web-dir "$SLUICE_ROOT/web" --log-file "$demo_dir/sluiced.log" &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$demo_dir/sluiced.port" ] && break; sleep 0.1; done
url="http://127.0.0.1:$(cat "$demo_dir/sluiced.port")"
export SLUICE_URL=$url
log "sluiced is up; the web console: $url/"
log "submitting the job: snapshot of every table, then the binlog; exactly once, a checkpoint every 2 s"
jid=$("$sluice" submit "$demo_dir/shop-sync.json")
log "job $jid (watch it at $url/#/jobs/$jid)"
log "20 s of inserts, updates and deletes in transactions, while the job runs:"
python3 scripts/demo_shop.py changes 20 | "$maria" client "$demo_dir/mariadb" &
writer=$!
for t in 5 10 15 20; do
    sleep 5
    log "after ${t}s:"
    python3 scripts/demo_shop.py compare "$demo_dir/mariadb" "$query" shop || true
done
wait "$writer"
log "writes stopped; waiting for the target to converge"
converged=0
for _ in $(seq 1 30); do
    if python3 scripts/demo_shop.py compare "$demo_dir/mariadb" "$query" shop >"$demo_dir/compare.txt"; then
        converged=1
        break
    fi
    sleep 1
done
cat "$demo_dir/compare.txt"
"$sluice" status "$jid" | sed 's/^/    /'
[ "$converged" -eq 1 ] || { log "the target did not converge; see $demo_dir/sluiced.log"; exit 1; }
log "converged: every table equal in rows and checksum"
log "the sink's transactions: $(curl -s "$url/metrics" | grep '^sluice_starrocks_transactions_committed_total' | awk '{s+=$2} END {print s}') committed"
if [ -t 0 ] || [ -n "${SLUICE_DEMO_HOLD:-}" ]; then
    log "the sync keeps running: open the web console at $url/ (job $jid); press Enter to end the demo"
    read -r _ || true
fi
"$sluice" cancel "$jid" >/dev/null || true
log "web console was at $url/ (it ends with the demo; run sluiced --data-dir DIR to keep one)"
