#!/usr/bin/env bash
# The MariaDB test server: a real mariadbd from Debian's mariadb-server, with its own datadir,
# port and socket on 127.0.0.1, binary log on in ROW format with FULL images and metadata.
#   mariadb.sh start DIR [PORT]   install a fresh datadir in DIR/data (if missing), start, wait,
#                                 create the test user; writes DIR/env (sourceable) and DIR/pid
#   mariadb.sh stop DIR           shut it down (and kill -9 if it does not stop)
#   mariadb.sh client DIR [args]  run the mariadb client as root over the socket
# Test user: sluice / sluice-pw, all privileges (tests create their own databases).
# SLUICE_MARIADB_NO_BINLOG=1 starts the server with the binary log off (tests of the errors a
# CDC user sees on such a server).
set -euo pipefail
cmd=${1:?usage: mariadb.sh start|stop|client DIR [PORT]}
dir=${2:?usage: mariadb.sh start|stop|client DIR [PORT]}
port=${3:-${SLUICE_TEST_MYSQL_PORT:-23306}}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
sock="$dir/mysqld.sock"

client() { mariadb --no-defaults --protocol=socket --socket="$sock" -uroot "$@"; }

case "$cmd" in
start)
    if [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
        "$0" stop "$dir"
    fi
    # A private tmpdir: servers and installs running side by side must not share /tmp's
    # temporary tables (a concurrent install was seen failing on one another's #sql files).
    mkdir -p "$dir/tmp"
    if [ ! -d "$dir/data/mysql" ]; then
        rm -rf "$dir/data"
        mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$dir/data" \
            --tmpdir="$dir/tmp" \
            --auth-root-authentication-method=socket --skip-test-db >"$dir/install.log" 2>&1 ||
            { cat "$dir/install.log" >&2; exit 1; }
    fi
    # Another server left on the port by an earlier run of this fixture would make us talk to it.
    : >"$dir/error.log"
    binlog=(--log-bin=mysql-bin --binlog-format=ROW --binlog-row-image=FULL --binlog-row-metadata=FULL)
    [ "${SLUICE_MARIADB_NO_BINLOG:-}" = 1 ] && binlog=(--skip-log-bin)
    mariadbd --no-defaults --user="$(id -un)" --datadir="$dir/data" --socket="$sock" \
        --port="$port" --bind-address=127.0.0.1 --pid-file="$dir/mariadbd.pid" --tmpdir="$dir/tmp" \
        --log-error="$dir/error.log" --skip-name-resolve \
        "${binlog[@]}" --server-id=1 --innodb-buffer-pool-size=64M \
        --innodb-log-file-size=48M --max-connections=200 >/dev/null 2>&1 &
    echo $! >"$dir/pid"
    for _ in $(seq 1 300); do
        client -e 'SELECT 1' >/dev/null 2>&1 && break
        kill -0 "$(cat "$dir/pid")" 2>/dev/null || { cat "$dir/error.log" >&2; exit 1; }
        sleep 0.1
    done
    client -e 'SELECT 1' >/dev/null || { cat "$dir/error.log" >&2; exit 1; }
    client -e "CREATE USER IF NOT EXISTS 'sluice'@'127.0.0.1' IDENTIFIED BY 'sluice-pw';
               GRANT ALL PRIVILEGES ON *.* TO 'sluice'@'127.0.0.1' WITH GRANT OPTION;
               FLUSH PRIVILEGES;"
    cat >"$dir/env" <<ENV
SLUICE_MYSQL_HOST=127.0.0.1
SLUICE_MYSQL_PORT=$port
SLUICE_MYSQL_SOCKET=$sock
SLUICE_MYSQL_USER=sluice
SLUICE_MYSQL_PASSWORD=sluice-pw
ENV
    echo "mariadb on 127.0.0.1:$port (socket $sock)"
    ;;
stop)
    [ -f "$dir/pid" ] || exit 0
    pid=$(cat "$dir/pid")
    if kill -0 "$pid" 2>/dev/null; then
        client -e 'SHUTDOWN' >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/pid"
    ;;
client)
    shift 2
    client "$@"
    ;;
*)
    echo "usage: mariadb.sh start|stop|client DIR [PORT]" >&2
    exit 2
    ;;
esac
