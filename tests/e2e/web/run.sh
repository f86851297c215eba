#!/usr/bin/env bash
# run.sh [BUILD_DIR]: the web console's browser test. Starts MariaDB (private port 23385),
# sr-endpoint and sluiced --web-dir web, then walks the console in Debian's chromium with
# playwright-core (console.test.mjs). Exit 77 (ctest SKIP) when chromium, node or
# node_modules/playwright-core is missing:
#   apt-get install -y chromium && (cd tests/e2e/web && npm install)
# Screenshots: $SLUICE_BUILD_DIR/web-screenshots/ (BUILD_DIR/web-screenshots by default).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=$(cd "${1:-${SLUICE_BUILD_DIR:-$root/build}}" && pwd)
skip() { echo "SKIP: $*"; exit 77; }
[ -x /usr/bin/chromium ] || skip "/usr/bin/chromium is missing (apt-get install -y chromium)"
command -v node >/dev/null || skip "node is missing"
[ -d "$here/node_modules/playwright-core" ] || skip "playwright-core is missing (cd tests/e2e/web && npm install)"
SLUICED=$build/runtime/daemon/sluiced
SR=$build/tests/sr_endpoint/sr-endpoint
for b in "$SLUICED" "$SR"; do [ -x "$b" ] || { echo "FAIL: $b is not built"; exit 1; }; done
"$SLUICED" --help 2>&1 | grep -q -- --web-dir || skip "this sluiced has no --web-dir"
command -v mariadbd >/dev/null || skip "mariadb-server is missing"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sluice-web.XXXXXX")
MY=$WORK/mysql
SR_PID= D_PID=
cleanup() {
    [ -n "$D_PID" ] && kill -TERM "$D_PID" 2>/dev/null && wait "$D_PID"
    [ -n "$SR_PID" ] && kill -TERM "$SR_PID" 2>/dev/null && wait "$SR_PID"
    "$root/tests/harness/mariadb.sh" stop "$MY" >/dev/null 2>&1
    "$root/tests/harness/mariadb.sh" stop "$WORK/mysql-nobinlog" >/dev/null 2>&1
    if [ "${rc:-1}" -eq 0 ] && [ -z "${SLUICE_KEEP_TMP:-}" ]; then rm -rf "$WORK"; else echo "kept $WORK"; fi
}
trap cleanup EXIT
rc=1

"$root/tests/harness/mariadb.sh" start "$MY" "${SLUICE_WEB_MYSQL_PORT:-23385}" || exit 1
. "$MY/env"
# a second server with the binary log off: the source step must say why CDC cannot run there
NOBIN_PORT=${SLUICE_WEB_MYSQL_NOBINLOG_PORT:-23386}
SLUICE_MARIADB_NO_BINLOG=1 "$root/tests/harness/mariadb.sh" start "$WORK/mysql-nobinlog" "$NOBIN_PORT" || exit 1
sql() { "$root/tests/harness/mariadb.sh" client "$MY" "$@"; }
sql <<'SQL' || exit 1
DROP DATABASE IF EXISTS webshop; DROP DATABASE IF EXISTS webshard_1; DROP DATABASE IF EXISTS webshard_2;
CREATE DATABASE webshop;
CREATE TABLE webshop.customers (id INT PRIMARY KEY, name VARCHAR(64) NOT NULL, email VARCHAR(128));
CREATE TABLE webshop.orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL,
  amount DECIMAL(10,2) NOT NULL, note TEXT, created_at DATETIME DEFAULT CURRENT_TIMESTAMP);
CREATE DATABASE webshard_1; CREATE DATABASE webshard_2;
CREATE TABLE webshard_1.events (id INT PRIMARY KEY, kind VARCHAR(16));
CREATE TABLE webshard_2.events (id INT PRIMARY KEY, kind VARCHAR(16));
INSERT INTO webshard_1.events VALUES (1,'a'),(2,'b'),(3,'c');
INSERT INTO webshard_2.events VALUES (1,'x'),(2,'y'),(4,'z');
SQL
python3 - <<'PY' | sql || exit 1
print("INSERT INTO webshop.customers VALUES " + ",".join(f"({i},'c{i}','c{i}@example.com')" for i in range(1, 201)) + ";")
for b in range(5):
    print("INSERT INTO webshop.orders (customer_id, amount, note) VALUES " +
          ",".join(f"({1 + i % 200},{i}.25,'n{i}')" for i in range(b * 1000, b * 1000 + 1000)) + ";")
PY

printf '%s' 'sr-web-pw' >"$WORK/sr-pw"
"$SR" --data-dir "$WORK/sr" --fe-http-port 0 --be-http-port 0 --query-port 0 --user root \
    --password-file "$WORK/sr-pw" --ports-file "$WORK/sr-ports" >"$WORK/sr.log" 2>&1 &
SR_PID=$!
for _ in $(seq 100); do [ -s "$WORK/sr-ports" ] && break; sleep 0.05; done
[ -s "$WORK/sr-ports" ] || { cat "$WORK/sr.log"; exit 1; }
srport() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$WORK/sr-ports" "$1"; }
SR_HTTP=$(srport fe_http) SR_QUERY=$(srport query)
mariadb --no-defaults -h127.0.0.1 -P"$SR_QUERY" -uroot -psr-web-pw -e 'CREATE DATABASE dw' || exit 1

TOKEN=web-console-test-token-0123456789
printf '%s\n' "$TOKEN" >"$WORK/token"
chmod 600 "$WORK/token"
"$SLUICED" --listen 127.0.0.1:0 --port-file "$WORK/port" --data-dir "$WORK/data" \
    --web-dir "$root/web" --token-file "$WORK/token" --log-file "$WORK/sluiced.log" &
D_PID=$!
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.05; done
[ -s "$WORK/port" ] || { cat "$WORK/sluiced.log"; exit 1; }

SHOTS=${SLUICE_BUILD_DIR:-$build}/web-screenshots
rm -rf "$SHOTS"
BASE="http://127.0.0.1:$(cat "$WORK/port")/" \
SRC_HOST=127.0.0.1 SRC_PORT=$SLUICE_MYSQL_PORT NOBINLOG_PORT=$NOBIN_PORT SRC_USER=$SLUICE_MYSQL_USER SRC_PASSWORD=$SLUICE_MYSQL_PASSWORD \
SR_HOST=127.0.0.1 SR_HTTP_PORT=$SR_HTTP SR_QUERY_PORT=$SR_QUERY SR_USER=root SR_PASSWORD=sr-web-pw SR_DATABASE=dw \
SQL_CMD="'$root/tests/harness/mariadb.sh' client '$MY'" SHOTS=$SHOTS TOKEN=$TOKEN \
    timeout 600 node "$here/console.test.mjs"
rc=$?
if [ $rc -eq 0 ]; then
    # the target holds what the source holds (the resumed job keeps syncing)
    src=$(sql -N -e 'SELECT COUNT(*) FROM webshop.orders')
    for _ in $(seq 60); do
        dst=$(mariadb --no-defaults -N -h127.0.0.1 -P"$SR_QUERY" -uroot -psr-web-pw -e 'SELECT COUNT(*) FROM dw.orders' 2>/dev/null)
        [ "$dst" = "$src" ] && break
        sleep 1
    done
    if [ "$dst" = "$src" ]; then echo "ok     dw.orders has the source's $src rows"; else echo "FAIL   dw.orders: $dst rows, source $src"; rc=1; fi
fi
[ $rc -eq 0 ] || { echo "--- sluiced.log"; tail -50 "$WORK/sluiced.log"; }
exit $rc
