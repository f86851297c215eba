#!/usr/bin/env bash
# mysql_cdc against a real MariaDB, beside the server's own client tools in the same run:
#  1. binlog: ROWS row events of a mixed 10-column table read by mysql_cdc -> blackhole (a
#     bounded replay: startup specific-offset, stop latest-offset), beside
#     `mariadb-binlog --base64-output=decode-rows -v` decoding the same binlog to /dev/null;
#  2. snapshot: the same ROWS-row table read by mysql_cdc (startup snapshot) -> blackhole, beside
#     `mariadb --quick --batch -e 'SELECT * ...' > /dev/null`.
# Prints rows/s and peak RSS of both sides.   bench/mysql_cdc.sh [rows]   (BUILD_DIR overrides)
# Targets: binlog >= 1M row events/s and faster than mariadb-binlog; snapshot >= 0.8x the client.
set -euo pipefail
rows=${1:-1000000}
port=${BENCH_MYSQL_PORT:-23392}
. "$(dirname "$0")/mysql_table.sh"

job() { # job NAME STARTUP_JSON EXTRA_CONFIG
    cat >"$tmp/$1.json" <<JOB
{"name": "$1",
 "operators": [
   {"id": "src", "type": "mysql_cdc", "config": {"host": "127.0.0.1", "port": $port,
     "user": "sluice", "password_env": "BENCH_PW", "tables": ["bench\\\\.t"],
     "startup": $2 $3}},
   {"id": "sink", "type": "blackhole", "inputs": ["src"]}]}
JOB
}
job binlog "{\"mode\": \"specific-offset\", \"file\": \"$file\", \"pos\": 4}" ', "stop": "latest-offset"'
job snapshot '"snapshot"' ''

measure() { # measure cmd...: prints "seconds peak_kib"
    BENCH_PW=sluice-pw /usr/bin/time -f '%e %M' -o "$tmp/time" "$@" >/dev/null 2>"$tmp/stderr" ||
        { tail -5 "$tmp/stderr" >&2; return 1; }
    cat "$tmp/time"
}
best() { # best NAME cmd...: sets NAME_s and NAME_rss to the fastest of 3 runs
    local name=$1 bs=999999 brss=0 t rss; shift
    for _ in 1 2 3; do
        read -r t rss < <(measure "$@")
        awk -v a="$t" -v b="$bs" 'BEGIN {exit !(a < b)}' && { bs=$t; brss=$rss; }
    done
    printf -v "${name}_s" '%s' "$bs"; printf -v "${name}_rss" '%s' "$brss"
}
best cdc_binlog "$sluice" run "$tmp/binlog.json"
best maria_binlog mariadb-binlog --base64-output=decode-rows -v "$tmp/db/data/$file"
best cdc_snap "$sluice" run "$tmp/snapshot.json"
best maria_snap mariadb --no-defaults -h127.0.0.1 -P"$port" -usluice -psluice-pw --quick --batch \
    -e 'SELECT * FROM bench.t'

rate() { awk -v n="$rows" -v t="$1" 'BEGIN {printf "%d", (t > 0 ? n / t : n / 0.01)}'; }
line() { printf '%-52s %10s rows/s  %6.2f s  peak RSS %6.1f MiB\n' "$1" "$(rate "$2")" "$2" \
             "$(awk -v k="$3" 'BEGIN {print k / 1024}')"; }
printf 'mysql_cdc vs the MariaDB tools, %d rows of a 10-column table, best of 3\n' "$rows"
line "binlog: mysql_cdc -> blackhole" "$cdc_binlog_s" "$cdc_binlog_rss"
line "binlog: mariadb-binlog --base64-output=decode-rows -v" "$maria_binlog_s" "$maria_binlog_rss"
line "snapshot: mysql_cdc -> blackhole" "$cdc_snap_s" "$cdc_snap_rss"
line "snapshot: mariadb --quick --batch SELECT *" "$maria_snap_s" "$maria_snap_rss"
ok=0
[ "$(rate "$cdc_binlog_s")" -ge 1000000 ] && echo "binlog >= 1M row events/s: PASS" || { echo "binlog >= 1M row events/s: FAIL"; ok=1; }
awk -v a="$cdc_binlog_s" -v b="$maria_binlog_s" 'BEGIN {exit !(a < b)}' && echo "binlog faster than mariadb-binlog: PASS" || { echo "binlog faster than mariadb-binlog: FAIL"; ok=1; }
awk -v a="$cdc_snap_s" -v b="$maria_snap_s" 'BEGIN {exit !(b / a >= 0.8)}' && echo "snapshot >= 0.8x the client: PASS" || { echo "snapshot >= 0.8x the client: FAIL"; ok=1; }
exit $ok
