#!/usr/bin/env bash
# Binlog decoding: a real MariaDB binlog holding ROWS row events of a mixed 10-column table,
# decoded by `sluice binlog` (Sluice's own decoder, every value to changelog JSON) beside
# `mariadb-binlog --base64-output=decode-rows -v` decoding the same file, both to /dev/null, in
# the same run. Prints row events/s and peak RSS of both.
#   bench/binlog_decode.sh [rows]        (BUILD_DIR overrides the build directory)
# Target: >= 1M row events/s and faster than mariadb-binlog.
set -euo pipefail
rows=${1:-1000000}
port=${BENCH_MYSQL_PORT:-23391}
. "$(dirname "$0")/mysql_table.sh"
src="$tmp/db/data/$file"
size=$(stat -c %s "$src")

measure() { # measure OUTFILE cmd...: prints "seconds peak_kib"
    local out=$1; shift
    /usr/bin/time -f '%e %M' -o "$tmp/time" "$@" >"$out" 2>/dev/null
    cat "$tmp/time"
}
best_s=999999; best_m=999999; s_rss=0; m_rss=0
for i in 1 2 3; do
    read -r t rss < <(measure /dev/null "$sluice" binlog "$src")
    awk -v a="$t" -v b="$best_s" 'BEGIN {exit !(a < b)}' && { best_s=$t; s_rss=$rss; }
    read -r t rss < <(measure /dev/null mariadb-binlog --base64-output=decode-rows -v "$src")
    awk -v a="$t" -v b="$best_m" 'BEGIN {exit !(a < b)}' && { best_m=$t; m_rss=$rss; }
done
lines=$("$sluice" binlog "$src" | wc -l)
[ "$lines" -eq "$rows" ] || { echo "sluice binlog decoded $lines rows, want $rows" >&2; exit 1; }

rate() { awk -v n="$rows" -v t="$1" 'BEGIN {printf "%d", (t > 0 ? n / t : n / 0.01)}'; }
printf 'binlog decoding: %d row events of a 10-column table, %.1f MiB binlog, best of 3\n' \
    "$rows" "$(awk -v s="$size" 'BEGIN {print s / 1048576}')"
printf '%-52s %10s row events/s  %6.2f s  peak RSS %6.1f MiB\n' "sluice binlog (changelog JSON)" \
    "$(rate "$best_s")" "$best_s" "$(awk -v k="$s_rss" 'BEGIN {print k / 1024}')"
printf '%-52s %10s row events/s  %6.2f s  peak RSS %6.1f MiB\n' \
    "mariadb-binlog --base64-output=decode-rows -v" "$(rate "$best_m")" "$best_m" \
    "$(awk -v k="$m_rss" 'BEGIN {print k / 1024}')"
ok=0
[ "$(rate "$best_s")" -ge 1000000 ] && echo "target >= 1M row events/s: PASS" || { echo "target >= 1M row events/s: FAIL"; ok=1; }
awk -v a="$best_s" -v b="$best_m" 'BEGIN {exit !(a < b)}' && echo "target faster than mariadb-binlog: PASS" || { echo "target faster than mariadb-binlog: FAIL"; ok=1; }
exit $ok
