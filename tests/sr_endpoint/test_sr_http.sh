#!/usr/bin/env bash
# Integration test of sr-endpoint's FE/BE HTTP ports (a StarRocks test double), driven with curl:
# plain Stream Load (JSON, CSV, __op, filtering, ErrorURL, labels), the FE redirect, every label
# state transition of the transaction interface, TXN_IN_PROCESSING, timeouts, restarts (committed
# data, label states and PREPARED transactions survive), and each fault action.
# Tables are created through the test-only admin API (POST /_admin/create_table) and read back
# with GET /_admin/rows, so this test does not depend on the MySQL-protocol port.
# Usage: test_sr_http.sh path/to/sr-endpoint
set -uo pipefail
BIN=${1:?usage: test_sr_http.sh path/to/sr-endpoint}
. "$(dirname "${BASH_SOURCE[0]}")/sr_test_lib.sh"
sr_test_init sr-http-test pw-secret
AUTH=(-u root:pw-secret)

# DATA (another data dir) and EXTRA (more options, word-split) vary one start.
start() {
    sr_start --data-dir "${DATA:-$WORK/data}" ${EXTRA:-} --txn-check-ms 100
    FE=$(sr_port fe_http)
    BE=$(sr_port be_http)
}
stop() { sr_stop "clean exit on SIGTERM"; }
j() { # field < json
    python3 -c 'import json,sys
d=json.load(sys.stdin)
v=d.get(sys.argv[1], "<absent>")
print(v)' "$1"
}
keys() { python3 -c 'import json,sys; print(",".join(json.load(sys.stdin).keys()))'; }
fe() { curl -s "${AUTH[@]}" "$@"; }
# plain Stream Load through the FE with the redirect followed (curl re-sends auth and body)
sload() { # db table body headers...
    local db=$1 t=$2 body=$3; shift 3
    printf '%s' "$body" >"$WORK/body"
    curl -s --location-trusted "${AUTH[@]}" -H "Expect: 100-continue" "$@" -T "$WORK/body" \
        "http://127.0.0.1:$FE/api/$db/$t/_stream_load"
}
txn() { # op headers... [--data-binary ...]
    local op=$1; shift
    curl -s --location-trusted "${AUTH[@]}" -X POST -H "db: d1" "$@" "http://127.0.0.1:$FE/api/transaction/$op"
}
tload() { # label body [headers...]
    local l=$1 body=$2; shift 2
    printf '%s' "$body" >"$WORK/tbody"
    curl -s --location-trusted "${AUTH[@]}" -H "Expect: 100-continue" -H "db: d1" -H "table: t" \
        -H "label: $l" -H "format: json" "$@" -T "$WORK/tbody" "http://127.0.0.1:$FE/api/transaction/load"
}
state() { fe "http://127.0.0.1:$FE/api/d1/get_load_state?label=$1" | j state; }
rows() { curl -s "http://127.0.0.1:$FE/_admin/rows?db=d1&table=${1:-t}" | python3 -c 'import json,sys; print(";".join(",".join("N" if v is None else v for v in r) for r in json.load(sys.stdin)))'; }

start
R=$(curl -s -X POST "http://127.0.0.1:$FE/_admin/create_table" -d '{"db":"d1","table":"t","model":"PRIMARY KEY","keys":["id"],"columns":[
  {"name":"id","type":"BIGINT"},{"name":"name","type":"VARCHAR(5)","nullable":true},
  {"name":"score","type":"INT","default":"0"}]}')
check "create table" "$(j Status <<<"$R")" OK
R=$(curl -s -X POST "http://127.0.0.1:$FE/_admin/create_table" -d '{"db":"d1","table":"bad","keys":["id"],"columns":[
  {"name":"id","type":"DECIMAL(10,2)"}]}')
contains "decimal key refused" "$R" "type not supported"

echo "== FE: auth, Expect, redirect"
CODE=$(curl -s -o "$WORK/out" -D "$WORK/hdr" -w '%{http_code}' -X PUT "http://127.0.0.1:$FE/api/d1/t/_stream_load")
check "401 without auth" "$CODE" 401
contains "WWW-Authenticate" "$(cat "$WORK/hdr")" 'WWW-Authenticate: Basic realm=""'
CODE=$(curl -s -o /dev/null -w '%{http_code}' -u root:wrong -X PUT "http://127.0.0.1:$FE/api/d1/t/_stream_load")
check "401 wrong password" "$CODE" 401
printf '{"id":1}' >"$WORK/body"
R=$(curl -s "${AUTH[@]}" -H "Expect:" -T "$WORK/body" "http://127.0.0.1:$FE/api/d1/t/_stream_load")
check "no 100-continue: FAILED" "$(j Status <<<"$R")" FAILED
check "no 100-continue message" "$(j Message <<<"$R")" "class com.starrocks.common.DdlException: There is no 100-continue header"
curl -s -o /dev/null -D "$WORK/hdr" "${AUTH[@]}" -H "Expect: 100-continue" -H "label: x" -T "$WORK/body" \
    "http://127.0.0.1:$FE/api/d1/t/_stream_load?a=b" || true
contains "307" "$(grep '^HTTP/' "$WORK/hdr" | tail -1)" "307 Temporary Redirect"
contains "Location to the BE, same path and query" "$(cat "$WORK/hdr")" "Location: http://127.0.0.1:$BE/api/d1/t/_stream_load?a=b"
contains "Connection: close" "$(cat "$WORK/hdr")" "Connection: close"

echo "== plain Stream Load"
R=$(sload d1 t '[{"id":2,"name":"bb","score":20},{"ID":1,"name":"a"}]' -H "label: s1" -H "format: json" -H "strip_outer_array: true")
check "json load Success" "$(j Status <<<"$R")" Success
check "json load Message" "$(j Message <<<"$R")" OK
check "json loaded rows" "$(j NumberLoadedRows <<<"$R")" 2
check "reply key order" "$(keys <<<"$R")" "TxnId,Label,Status,Message,NumberTotalRows,NumberLoadedRows,NumberFilteredRows,NumberUnselectedRows,LoadBytes,LoadTimeMs,BeginTxnTimeMs,StreamLoadPlanTimeMs,ReadDataTimeMs,WriteDataTimeMs,CommitAndPublishTimeMs"
check "rows after json (key order, defaults)" "$(rows)" "1,a,0;2,bb,20"
R=$(sload d1 t $'3,c,30,0\n1,a,0,1\n' -H "label: s2" -H "column_separator: ," -H "columns: id,name,score,__op")
check "csv load with __op" "$(j NumberLoadedRows <<<"$R")" 2
check "csv upsert+delete" "$(rows)" "2,bb,20;3,c,30"
R=$(sload d1 t $'3\x01c\x0130\r\n' -H "label: s3" -H 'column_separator: \x01' -H 'row_delimiter: \x0D0A' -H "columns: id,name,score,__op='delete'")
check "__op='delete' constant with hex separators" "$(j Status <<<"$R")/$(rows)" "Success/2,bb,20"
R=$(sload d1 t '{"id":9}' -H "label: s1" -H "format: json")
check "label reuse: Label Already Exists" "$(j Status <<<"$R")" "Label Already Exists"
check "label reuse: FINISHED" "$(j ExistingJobStatus <<<"$R")" FINISHED
check "label reuse: TxnId -1" "$(j TxnId <<<"$R")" -1
R=$(sload d1 t $'4,ok,1\n5,toolongname,2\n' -H "label: s4" -H "column_separator: ,")
check "filtered beyond ratio: Fail" "$(j Status <<<"$R")/$(j Message <<<"$R")" "Fail/too many filtered rows"
check "failed load label ABORTED" "$(state s4)" ABORTED
R=$(sload d1 t $'4,ok,1\n5,toolongname,2\n' -H "label: s4" -H "column_separator: ," -H "max_filter_ratio: 0.5")
check "filtered within ratio: Success" "$(j Status <<<"$R")/$(j NumberFilteredRows <<<"$R")/$(j NumberTotalRows <<<"$R")" "Success/1/2"
URL=$(j ErrorURL <<<"$R")
contains "ErrorURL on the BE" "$URL" "http://127.0.0.1:$BE/api/_load_error_log?file="
contains "error log names the reason" "$(curl -s "$URL")" "String 'toolongname'(length=11) is too long. The max length of 'name' is 5"
R=$(sload d1 t $'6,x,notint\n' -H "label: s5" -H "column_separator: ," -H "strict_mode: true")
check "strict mode filters bad value" "$(j NumberFilteredRows <<<"$R")" 1
R=$(sload d1 t '[{"id":1}]' -H "label: s6" -H "format: json")
check "array without strip_outer_array" "$(j Message <<<"$R")" "JSON data is an array, strip_outer_array must be set true"
R=$(sload d1 t '{"id":4,"score":44}' -H "label: s7" -H "format: json" -H "partial_update: true" -H "columns: id,score")
check "partial update keeps other columns" "$(rows)" "2,bb,20;4,ok,44"
R=$(sload nodb t '{"id":1}' -H "format: json")
check "unknown database" "$(j Message <<<"$R")" "unknown database, database=nodb"

echo "== transactions: label states"
R=$(txn begin -H "table: t" -H "label: L1")
check "begin OK" "$(j Status <<<"$R")" OK
check "begin body" "$(keys <<<"$R")" "Status,Message,Label,TxnId,BeginTxnTimeMs"
check "state PREPARE" "$(state L1)" PREPARE
R=$(txn begin -H "table: t" -H "label: L1")
check "begin again while loading" "$(j Status <<<"$R")/$(j ExistingJobStatus <<<"$R")" "LABEL_ALREADY_EXISTS/"
R=$(tload L1 '{"id":10,"name":"t1"}')
check "load OK" "$(j Status <<<"$R")" OK
check "load body" "$(keys <<<"$R")" "Status,Message,Label,TxnId,LoadBytes,StreamLoadPlanTimeMs,ReceivedDataTimeMs"
R=$(tload L1 '{"id":11,"name":"t2"}')
check "second load OK" "$(j Status <<<"$R")" OK
R=$(tload L1 '{"id":12}' -H "strict_mode: true")
check "changed headers" "$(j Status <<<"$R")/$(j Message <<<"$R")" "INVALID_ARGUMENT/load request not equal last."
check "changed headers aborts" "$(state L1)" ABORTED
R=$(txn begin -H "table: t" -H "label: L1")
check "aborted label is free again" "$(j Status <<<"$R")" OK
tload L1 '{"id":10,"name":"t1"}' >/dev/null
R=$(txn prepare -H "label: L1")
check "prepare OK" "$(j Status <<<"$R")/$(j NumberLoadedRows <<<"$R")" "OK/1"
check "state PREPARED" "$(state L1)" PREPARED
check "prepared rows invisible" "$(rows)" "2,bb,20;4,ok,44"
R=$(txn prepare -H "label: L1")
check "second prepare TXN_NOT_EXISTS" "$(j Status <<<"$R")" TXN_NOT_EXISTS
R=$(txn begin -H "table: t" -H "label: L1")
check "begin on PREPARED: RUNNING" "$(j Status <<<"$R")/$(j ExistingJobStatus <<<"$R")" "LABEL_ALREADY_EXISTS/RUNNING"
R=$(txn commit -H "label: L1")
check "FE commit of PREPARED" "$(j Status <<<"$R")" OK
check "state VISIBLE" "$(state L1)" VISIBLE
check "committed rows visible" "$(rows)" "2,bb,20;4,ok,44;10,t1,0"
R=$(txn commit -H "label: L1")
check "commit again" "$(j Status <<<"$R")" OK
contains "already committed" "$(j Message <<<"$R")" "has already committed"
R=$(txn rollback -H "label: L1")
check "rollback of VISIBLE" "$(j Status <<<"$R")" FAILED
R=$(txn begin -H "table: t" -H "label: L1")
check "begin on VISIBLE: FINISHED" "$(j ExistingJobStatus <<<"$R")" FINISHED
R=$(txn commit -H "label: nope")
check "unknown label" "$(j Message <<<"$R")" "No transaction found with db[d1] and label[nope]"
txn begin -H "table: t" -H "label: L2" >/dev/null
R=$(txn prepare -H "label: L2")
check "prepare without load" "$(j Status <<<"$R")" INTERNAL_ERROR
check "prepare without load aborts" "$(state L2)" ABORTED
txn begin -H "table: t" -H "label: L3" >/dev/null
tload L3 '{"id":30}' >/dev/null
txn prepare -H "label: L3" >/dev/null
R=$(txn rollback -H "label: L3")
check "FE rollback of PREPARED" "$(j Status <<<"$R")/$(state L3)" "OK/ABORTED"
R=$(txn rollback -H "label: L3")
contains "rollback again" "$(j Status <<<"$R") $(j Message <<<"$R")" "OK Transaction"
R=$(txn commit -H "label: L3")
check "commit of ABORTED" "$(j Status <<<"$R")" FAILED
txn begin -H "table: t" -H "label: L4" >/dev/null
tload L4 '{"id":40}' >/dev/null
R=$(txn commit -H "label: L4")
check "one-phase commit of PREPARE" "$(j Status <<<"$R")/$(state L4)" "OK/VISIBLE"
txn begin -H "table: t" -H "label: L5" >/dev/null
R=$(txn rollback -H "label: L5")
check "rollback of PREPARE (BE)" "$(j Status <<<"$R")/$(state L5)" "OK/ABORTED"
txn begin -H "table: t" -H "label: L6" >/dev/null
tload L6 '{"id":60,"name":"waytoolong"}' >/dev/null
R=$(txn prepare -H "label: L6")
check "filtered at prepare" "$(j Status <<<"$R")/$(j Message <<<"$R")/$(state L6)" "INTERNAL_ERROR/too many filtered rows/ABORTED"
contains "prepare ErrorURL" "$(j ErrorURL <<<"$R")" "/api/_load_error_log?file="
txn begin -H "table: t" -H "label: L7" -H "idle_transaction_timeout: 1" >/dev/null
sleep 1.5
check "idle timeout aborts" "$(state L7)" ABORTED
R=$(tload L7 '{"id":70}')
check "load after timeout" "$(j Status <<<"$R")" ABORTED
txn begin -H "table: t" -H "label: L8" >/dev/null
tload L8 '{"id":80}' >/dev/null
txn prepare -H "label: L8" >/dev/null
R=$(fe -X POST "http://127.0.0.1:$FE/api/d1/t/_cancel?label=L8")
check "_cancel PREPARED" "$(j status <<<"$R")/$(state L8)" "OK/ABORTED"

echo "== TXN_IN_PROCESSING"
txn begin -H "table: t" -H "label: L9" >/dev/null
fe -X POST "http://127.0.0.1:$FE/_fault" -d '{"op":"load","action":"delay","ms":1500}' >/dev/null
tload L9 '{"id":90}' >"$WORK/slow" &
SLOW=$!
sleep 0.4
R=$(tload L9 '{"id":91}')
check "concurrent load: TXN_IN_PROCESSING" "$(j Status <<<"$R")" TXN_IN_PROCESSING
wait $SLOW
check "delayed load then OK" "$(j Status <"$WORK/slow")" OK
R=$(txn prepare -H "label: L9")
check "prepare after delay" "$(j Status <<<"$R")" OK

echo "== restart keeps data, labels and PREPARED transactions"
BEFORE=$(rows)
stop
start
check "rows after restart" "$(rows)" "$BEFORE"
check "VISIBLE label after restart" "$(state L1)" VISIBLE
check "plain load label after restart" "$(state s1)" VISIBLE
check "PREPARED after restart" "$(state L9)" PREPARED
R=$(sload d1 t '{"id":9}' -H "label: s1" -H "format: json")
check "Label Already Exists after restart" "$(j ExistingJobStatus <<<"$R")" FINISHED
R=$(txn commit -H "label: L9")
check "commit restored PREPARED" "$(j Status <<<"$R")/$(state L9)" "OK/VISIBLE"
contains "restored txn rows visible" "$(rows)" "90,N,0"

echo "== faults"
prep() { txn begin -H "table: t" -H "label: $1" >/dev/null; tload "$1" "{\"id\":$2}" >/dev/null; txn prepare -H "label: $1" >/dev/null; }
prep F1 101
fe -X POST "http://127.0.0.1:$FE/_fault" -d '{"op":"commit","when":"before","action":"http500"}' >/dev/null
CODE=$(curl -s -o /dev/null -w '%{http_code}' "${AUTH[@]}" -X POST -H "db: d1" -H "label: F1" "http://127.0.0.1:$FE/api/transaction/commit")
check "http500 before commit" "$CODE/$(state F1)" "500/PREPARED"
fe -X POST "http://127.0.0.1:$FE/_fault" -d '{"op":"commit","when":"before","action":"drop"}' >/dev/null
txn commit -H "label: F1" >/dev/null; RC=$?
check "drop before commit: no reply, not committed" "$RC/$(state F1)" "52/PREPARED"
fe -X POST "http://127.0.0.1:$FE/_fault" -d '{"op":"commit","when":"after","action":"drop"}' >/dev/null
txn commit -H "label: F1" >/dev/null; RC=$?
check "drop after commit: no reply, committed" "$RC/$(state F1)" "52/VISIBLE"
prep F2 102
fe -X POST "http://127.0.0.1:$FE/_fault" -d '{"op":"commit","when":"before","action":"fail"}' >/dev/null
R=$(txn commit -H "label: F2")
check "fail before commit" "$(j Status <<<"$R")/$(state F2)" "FAILED/PREPARED"
fe -X POST "http://127.0.0.1:$FE/_fault" -d '{"op":"commit","action":"publish_timeout"}' >/dev/null
R=$(txn commit -H "label: F2")
check "publish timeout on commit" "$(j Status <<<"$R")/$(state F2)" "PUBLISH_TIMEOUT/VISIBLE"
fe -X POST "http://127.0.0.1:$FE/_fault" -d '{"op":"stream_load","action":"publish_timeout","table":"t"}' >/dev/null
R=$(sload d1 t '{"id":103}' -H "label: F3" -H "format: json")
check "publish timeout on stream load" "$(j Status <<<"$R")/$(state F3)" "Publish Timeout/VISIBLE"
fe -X POST "http://127.0.0.1:$FE/_fault" -d '{"op":"stream_load","when":"before","action":"fail"}' >/dev/null
R=$(sload d1 t '{"id":104}' -H "label: F4" -H "format: json")
check "fail before stream load" "$(j Status <<<"$R")/$(j Message <<<"$R")/$(state F4)" "Fail/injected fault/UNKNOWN"
fe -X POST "http://127.0.0.1:$FE/_fault" -d '{"op":"get_load_state","action":"delay","ms":600}' >/dev/null
T0=$(date +%s%N); S=$(state F3); T1=$(date +%s%N)
check "delay proceeds" "$S" VISIBLE
check "delay waited >= 600 ms" "$(( (T1 - T0) / 1000000 >= 600 ))" 1
fe -X POST "http://127.0.0.1:$FE/_fault" -d '{"op":"stream_load","action":"fail","count":0}' >/dev/null
fe -X DELETE "http://127.0.0.1:$FE/_fault" >/dev/null
R=$(sload d1 t '{"id":105}' -H "label: F5" -H "format: json")
check "DELETE /_fault clears" "$(j Status <<<"$R")" Success
fe -X POST "http://127.0.0.1:$FE/_fault" -d '{"op":"stream_load","action":"delay","ms":800}' >/dev/null
sload d1 t '{"id":106}' -H "label: F6" -H "format: json" --max-time 0.3 >/dev/null; RC=$?
check "client gives up during a delay" "$RC" 28
sleep 1
R=$(sload d1 t '{"id":107}' -H "label: F7" -H "format: json")
check "endpoint serves after an abandoned delayed request" "$(j Status <<<"$R")" Success
R=$(fe -X POST "http://127.0.0.1:$FE/_fault" -d '{"op":"nope","action":"drop"}')
check "bad fault refused" "$(j Status <<<"$R")" FAILED
stop
SR_ENDPOINT_FAULTS='[{"op":"stream_load","when":"before","action":"http500"}]' start
CODE=$(printf '{"id":106}' >"$WORK/body"; curl -s -o /dev/null -w '%{http_code}' --location-trusted "${AUTH[@]}" -H "Expect: 100-continue" -H "format: json" -T "$WORK/body" "http://127.0.0.1:$FE/api/d1/t/_stream_load")
check "SR_ENDPOINT_FAULTS at start" "$CODE" 500
stop
echo "== discard mode"
DATA=$WORK/discard EXTRA=--discard start
curl -s -X POST "http://127.0.0.1:$FE/_admin/create_table" -d '{"db":"d1","table":"t","keys":["id"],"columns":[{"name":"id","type":"INT"}]}' >/dev/null
R=$(sload d1 t $'1\n2\n3\nx\n' -H "label: D1" -H "max_filter_ratio: 0.5")
check "discard: rows parsed and counted" "$(j Status <<<"$R")/$(j NumberLoadedRows <<<"$R")/$(j NumberFilteredRows <<<"$R")" "Success/3/1"
check "discard: rows dropped" "$(rows)" ""
stop
if grep -q "pw-secret" "$WORK/log"; then check "password never logged" leaked clean; else check "password never logged" clean clean; fi

echo "$FAILS failure(s)"
[ "$FAILS" -eq 0 ]
