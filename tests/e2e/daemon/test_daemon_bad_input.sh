#!/usr/bin/env bash
# sluiced against bad input: malformed JSON, wrong types and an unknown operator (400 naming the
# JSON path), a 10 MB body (413), unknown routes and ids (404), a missing or wrong token (401),
# a public --listen without a token and a second daemon on the same data directory (both refuse
# to start); the sluice client's exit codes for each (2 usage, 3 unreachable, 4 not found,
# 5 unauthorized). After all of it the daemon still answers and runs a job to its end.
# Usage: test_daemon_bad_input.sh SLUICE SLUICED
set -uo pipefail
SLUICE=$1
SLUICED=$2
T=$(mktemp -d /tmp/sluice-daemon-bad-XXXXXX)
. "$(dirname "$0")/daemon_lib.sh"
daemon_init

# expect_api CODE DESCRIPTION METHOD PATH [BODY] [curl args...]
expect_api() {
    local want=$1 what=$2; shift 2
    local got
    got=$(api "$@")
    [ "$got" = "$want" ] && { ok "$what: HTTP $got"; return 0; }
    fail "$what: HTTP $got, want $want: $(head -c 400 "$T/body")"
    return 1
}
# errors_mention TEXT DESCRIPTION: the last body is {"errors": [...]} and one mentions TEXT.
errors_mention() {
    python3 - "$T/body" "$1" <<'PY' || fail "$2: no error mentions \"$1\": $(head -c 400 "$T/body")"
import json, sys
errors = json.load(open(sys.argv[1]))["errors"]
sys.exit(0 if any(sys.argv[2] in str(e) for e in errors) else 1)
PY
}

token=0123456789abcdef-test-token
printf '%s\n' "$token" >"$T/token"
printf 'not-the-token\n' >"$T/wrong"
chmod 600 "$T/token"
daemon_start "$T/data" --token-file "$T/token" || exit 1
auth=(-H "Authorization: Bearer $token")

# --- Tokens ---
expect_api 401 "no token" GET /jobs
expect_api 401 "wrong token" GET /jobs "" -H "Authorization: Bearer nope"
expect_api 401 "not a bearer token" GET /jobs "" -H "Authorization: Basic $(printf 'a:%s' "$token" | base64)"
expect_api 200 "right token" GET /jobs "" "${auth[@]}"
expect_cli 5 "client without a token exits 5" list
expect_cli 5 "client with a wrong --token-file exits 5" --token-file "$T/wrong" list
expect_cli 0 "client with --token-file" --token-file "$T/token" list
SLUICE_TOKEN=$token expect_cli 0 "client with SLUICE_TOKEN" list
expect_cli 2 "client with a missing --token-file exits 2" --token-file "$T/nope" list

# --- Job bodies ---
expect_api 400 "malformed JSON" POST /jobs '{"name": "x", "operators": [' "${auth[@]}"
expect_api 400 "not an object" POST /jobs '[1, 2]' "${auth[@]}"
expect_api 400 "empty body" POST /jobs '' "${auth[@]}"
expect_api 400 "name of the wrong type" POST /jobs \
    '{"name": 5, "operators": [{"id": "g", "type": "datagen"}, {"id": "o", "type": "blackhole", "inputs": ["g"]}]}' \
    "${auth[@]}" && errors_mention '$.name' "wrong type"
expect_api 400 "config value of the wrong type" POST /jobs \
    '{"name": "x", "operators": [{"id": "g", "type": "datagen", "config": {"rows": "ten"}}, {"id": "o", "type": "blackhole", "inputs": ["g"]}]}' \
    "${auth[@]}" && errors_mention '$.operators[0].config.rows' "config type"
expect_api 400 "unknown operator" POST /jobs \
    '{"name": "x", "operators": [{"id": "g", "type": "datagan"}, {"id": "o", "type": "blackhole", "inputs": ["g"]}]}' \
    "${auth[@]}" && errors_mention '$.operators[0].type' "unknown operator"
expect_api 400 "savepoint of the wrong type" POST /jobs \
    '{"name": "x", "savepoint": 7, "operators": [{"id": "g", "type": "datagen"}, {"id": "o", "type": "blackhole", "inputs": ["g"]}]}' \
    "${auth[@]}"
head -c $((10 * 1024 * 1024)) /dev/zero | tr '\0' ' ' >"$T/big.json"
expect_api 413 "10 MB body" POST /jobs "@$T/big.json" "${auth[@]}"
printf '{"name": "x", "operators": [' >"$T/bad.json"
expect_cli 1 "client submit of malformed JSON exits 1" --token "$token" submit "$T/bad.json" &&
    { grep -q 'HTTP 400' "$T/err" || fail "client does not show the 400: $(cat "$T/err")"; }
expect_cli 2 "client submit of a missing file exits 2" --token "$token" submit "$T/none.json"

# --- Routes and ids ---
unknown=00000000000000000000000000000000
expect_api 404 "unknown route" GET /nope "" "${auth[@]}"
expect_api 404 "unknown job" GET "/jobs/$unknown" "" "${auth[@]}"
expect_api 404 "cancel of an unknown job" PATCH "/jobs/$unknown" "" "${auth[@]}"
expect_api 404 "checkpoints of an unknown job" GET "/jobs/$unknown/checkpoints" "" "${auth[@]}"
expect_api 404 "savepoint of an unknown job" POST "/jobs/$unknown/savepoints" '{}' "${auth[@]}"
expect_api 404 "unknown trigger" GET "/jobs/$unknown/savepoints/$unknown" "" "${auth[@]}"
for cmd in status cancel stop savepoint checkpoints; do
    expect_cli 4 "client $cmd of an unknown id exits 4" --token "$token" "$cmd" "$unknown"
done
expect_cli 2 "client status without an id exits 2" --token "$token" status
expect_cli 2 "client status of a path-like id exits 2" --token "$token" status ../metrics
expect_cli 2 "unknown client option exits 2" --token "$token" list --frobnicate

# --- Starting sluiced wrongly ---
"$SLUICED" --data-dir "$T/other" --listen 0.0.0.0:0 >"$T/public.out" 2>&1 &
p=$!
for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$p" 2>/dev/null; then
    kill -9 "$p"; fail "sluiced --listen 0.0.0.0:0 without a token started"
else
    wait "$p"; rc=$?
    [ "$rc" -ne 0 ] && grep -qi token "$T/public.out" && ok "public --listen without a token refused (exit $rc)" ||
        fail "public --listen without a token: exit $rc: $(head -c 400 "$T/public.out")"
fi
timeout 10 "$SLUICED" --data-dir "$T/data" --listen 127.0.0.1:0 --token-file "$T/token" >"$T/second.out" 2>&1
rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && ok "a second sluiced on the same data directory refused (exit $rc: $(head -n 1 "$T/second.out" | cut -c 1-100))" ||
    fail "second sluiced on the same data directory: exit $rc: $(head -c 400 "$T/second.out")"

# --- Still serving: health, and a job that runs to its end ---
expect_api 200 "healthz after all of it" GET /healthz "" "${auth[@]}"
cat >"$T/ok.json" <<JSON
{"name": "after-bad-input", "operators": [
  {"id": "g", "type": "datagen", "config": {"rows": 20000}},
  {"id": "o", "type": "blackhole", "inputs": ["g"]}]}
JSON
expect_cli 0 "submit a good job" --token "$token" submit "$T/ok.json" && id=$(cat "$T/out")
for _ in $(seq 1 300); do
    [ "$(api GET "/jobs/${id:-x}" "" "${auth[@]}")" = 200 ] &&
        [ "$(json_get "$T/body" 'j["state"]')" = FINISHED ] && break
    sleep 0.1
done
[ "$(json_get "$T/body" 'j.get("state")' 2>/dev/null)" = FINISHED ] && ok "the good job FINISHED" ||
    fail "the good job: $(head -c 400 "$T/body")"
kill -0 "$DPID" 2>/dev/null && ok "sluiced still running" || fail "sluiced died"

daemon_stop || fail "sluiced exit $? after SIGTERM"
# Nothing was left by the refused second daemon on the data directory: it starts again.
daemon_start "$T/data" --token-file "$T/token" && ok "sluiced starts again on the same data directory"
daemon_stop
# Nobody listens on that port any more.
expect_cli 3 "client against a stopped daemon exits 3" --token "$token" list
SLUICE_URL=http://127.0.0.1:1 "$SLUICE" list >"$T/out" 2>"$T/err"; rc=$?
[ "$rc" -eq 3 ] && grep -q '127.0.0.1:1' "$T/err" && ok "SLUICE_URL is the default address (exit 3)" ||
    fail "SLUICE_URL: exit $rc: $(cat "$T/err")"
[ "$failures" -eq 0 ] && echo "all daemon bad-input tests passed" || { echo "$failures failures" >&2; exit 1; }
