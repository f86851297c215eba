#!/usr/bin/env bash
# The sluiced executable: refuses an open listen address without a token, serves with a token,
# writes JSON log lines, reopens its log on SIGHUP, refuses a second daemon on the same data
# directory and exits 0 on SIGTERM. Usage: test_sluiced.sh PATH/TO/sluiced
set -u
SLUICED=$1
T=$(mktemp -d /tmp/sluiced-test-XXXXXX)
PID=
fail() { echo "FAIL: $*"; [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; exit 1; }
cleanup() { [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT

# 1. A non-loopback address needs a token; nothing is created on disk by the refusal.
out=$("$SLUICED" --data-dir "$T/d0" --listen 0.0.0.0:0 2>&1); rc=$?
[ $rc -eq 2 ] || fail "0.0.0.0 without token: exit $rc"
echo "$out" | grep -q "listening on 0.0.0.0 requires --token-file" || fail "message: $out"
[ ! -e "$T/d0" ] || fail "refused start created the data directory"

# 2. A short token is refused.
printf 'short\n' > "$T/short"
"$SLUICED" --data-dir "$T/d0" --token-file "$T/short" >/dev/null 2>&1 && fail "short token accepted"

# 3. Start with a token, a port file and a JSON log at debug level.
TOKEN=tok-0123456789abcdef-XYZ
printf '%s\n' "$TOKEN" > "$T/token"; chmod 600 "$T/token"
"$SLUICED" --data-dir "$T/d" --listen 127.0.0.1:0 --token-file "$T/token" --port-file "$T/port" \
    --log-file "$T/log" --log-format json --log-level debug 2>"$T/stderr" &
PID=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.1; done
[ -s "$T/port" ] || fail "no port file; stderr: $(cat "$T/stderr")"
PORT=$(cat "$T/port")
U=http://127.0.0.1:$PORT
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
[ "$(code "$U/healthz")" = 200 ] || fail "healthz without token"
[ "$(code "$U/jobs")" = 401 ] || fail "jobs without token"
[ "$(code -H "Authorization: Bearer wrong" "$U/jobs")" = 401 ] || fail "jobs with a wrong token"
[ "$(code -H "Authorization: Bearer $TOKEN" "$U/jobs")" = 200 ] || fail "jobs with the token"
grep -q "sluiced listening on http://127.0.0.1:$PORT" "$T/log" || fail "no listening line"
grep -q "$TOKEN" "$T/log" && fail "the token appears in the log"
while IFS= read -r line; do
    echo "$line" | jq -e 'has("ts") and has("level") and has("file") and has("line") and has("msg")' \
        >/dev/null || fail "not a JSON log line: $line"
done < "$T/log"

# 4. A second daemon on the same data directory is refused.
out=$("$SLUICED" --data-dir "$T/d" --listen 127.0.0.1:0 2>&1); rc=$?
[ $rc -eq 1 ] || fail "second daemon: exit $rc"
echo "$out" | grep -q "is in use by another sluiced" || fail "second daemon message: $out"

# 5. SIGHUP after logrotate's rename: new lines go to a new file.
mv "$T/log" "$T/log.1"
kill -HUP $PID
for _ in $(seq 50); do [ -s "$T/log" ] && break; sleep 0.1; done
[ "$(code -H "Authorization: Bearer $TOKEN" "$U/jobs/overview")" = 200 ] || fail "overview"
sleep 0.2
grep -q 'GET /jobs/overview 200' "$T/log" || fail "access line not in the reopened log"
grep -q 'GET /jobs/overview' "$T/log.1" && fail "access line in the rotated log"

# 6. SIGTERM: a clean stop, exit 0.
kill -TERM $PID
wait $PID; rc=$?
PID=
[ $rc -eq 0 ] || fail "exit $rc after SIGTERM"
grep -q '"msg":"sluiced: stopped"' "$T/log" || fail "no stop line"
echo "test_sluiced: ok"
