#!/usr/bin/env bash
# Shared by the MySQL benchmarks (sourced): builds sluice in Release, starts a private MariaDB,
# and fills bench.t, a mixed 10-column table of $rows rows written in transactions of 100,000
# from MariaDB's sequence engine, into a fresh binlog file ($file). Sets: root, build, sluice,
# tmp, maria, port, file; the EXIT trap stops the server and removes $tmp.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-"$root/build-release"}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target sluice -j"$(nproc)" >/dev/null
sluice="$build/runtime/cli/sluice"
tmp=$(mktemp -d /tmp/sluice-bench-XXXXXX)
maria="$root/tests/harness/mariadb.sh"
trap '"$maria" stop "$tmp/db" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
"$maria" start "$tmp/db" "$port" >/dev/null
sql() { "$maria" client "$tmp/db" -N -e "$1"; }

sql "CREATE DATABASE bench; CREATE TABLE bench.t (
       id BIGINT PRIMARY KEY, k INT, u INT UNSIGNED, name VARCHAR(64), price DECIMAL(18,4),
       ratio DOUBLE, created DATETIME(6), payload VARCHAR(255), flag TINYINT, d DATE);
     FLUSH BINARY LOGS;"
file=$(sql "SHOW MASTER STATUS" | cut -f1)
for ((start = 1; start <= rows; start += 100000)); do
    end=$(( start + 99999 < rows ? start + 99999 : rows ))
    sql "INSERT INTO bench.t SELECT seq, seq % 1000, seq * 7, CONCAT('name-', seq),
           seq / 100, seq / 3, TIMESTAMP('2024-01-01') + INTERVAL seq SECOND,
           REPEAT('x', seq % 200), seq % 100, DATE('2024-01-01') + INTERVAL (seq % 300) DAY
         FROM bench.seq_${start}_to_${end}"
done
sql "FLUSH BINARY LOGS"
