#!/usr/bin/env bash
# Transforms in a real job without a server: datagen -> filter -> project -> cast -> rename ->
# route -> print through `sluice run`, with the exact changelog lines; and bad transform configs
# that `sluice plan` rejects (exit 2) naming the JSON path (and the position in an expression).
# Usage: test_tf_datagen.sh SLUICE_BINARY
set -uo pipefail
SLUICE=$1
TMP=$(mktemp -d /tmp/sluice-tf-datagen-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

chain() { # chain PARALLELISM: the job's operators after the source
    cat <<JSON
  {"id": "f", "type": "filter", "parallelism": $1, "inputs": ["gen"],
   "config": {"tables": ["shop\\\\.orders"], "where": "id % 2 = 0 AND name LIKE 'name-%'"}},
  {"id": "p", "type": "project", "parallelism": $1, "inputs": ["f"], "config": {
     "columns": ["id", "UPPER(name) AS name", "id * 100 AS cents", "__table_name__ AS src"]}},
  {"id": "c", "type": "cast", "parallelism": $1, "inputs": ["p"],
   "config": {"columns": {"cents": "STRING"}}},
  {"id": "r", "type": "rename", "parallelism": $1, "inputs": ["c"],
   "config": {"columns": {"NAME": "title"}, "table": "ods.{db}_{table}"}},
  {"id": "rt", "type": "route", "parallelism": $1, "inputs": ["r"], "config": {"routes": [
     {"source": "ods\\\\.shop_.*", "target": "dw.all_{table}",
      "source_columns": {"_t": "table"}}]}},
  {"id": "out", "type": "print", "inputs": ["rt"], "config": {"path": "$TMP/out.jsonl"}}
JSON
}

cat >"$TMP/job.json" <<JSON
{"name": "tf-datagen", "operators": [
  {"id": "gen", "type": "datagen", "config": {"rows": 8, "table": "shop.orders"}},
$(chain 1)]}
JSON
if "$SLUICE" run "$TMP/job.json" --metrics-file "$TMP/metrics.prom" 2>"$TMP/err"; then
    want=""
    for id in 2 4 8; do # 6 has a NULL name: NULL LIKE fails
        want+="{\"op\":\"+I\",\"table\":\"dw.all_shop_orders\",\"data\":{\"id\":$id,"
        want+="\"title\":\"NAME-$id\",\"cents\":\"${id}00\",\"src\":\"orders\","
        want+="\"_t\":\"shop_orders\"}}"$'\n'
    done
    got=$(cat "$TMP/out.jsonl"; echo x)
    [ "$got" = "${want}x" ] && echo "ok     datagen through five transforms" ||
        fail "lines differ: got
$(cat "$TMP/out.jsonl")
want
$want"
    metric() { grep "^$1{" "$TMP/metrics.prom" | grep -F -- "$2" | awk '{s += $2} END {print s + 0}'; }
    [ "$(metric sluice_transform_filtered_total 'vertex="f"')" = 5 ] &&
        [ "$(metric sluice_transform_routed_total 'target="dw.all_shop_orders"')" = 3 ] &&
        echo "ok     metrics: 5 filtered, 3 routed" ||
        fail "metrics: $(grep sluice_transform "$TMP/metrics.prom")"
else
    fail "run failed: $(tail -n 5 "$TMP/err")"
fi

# Parallel subtasks (forward chains of parallelism 2) give the same rows.
rm -f "$TMP/out.jsonl"
cat >"$TMP/job2.json" <<JSON
{"name": "tf-datagen-2", "operators": [
  {"id": "gen", "type": "datagen", "parallelism": 2, "config": {"rows": 8, "table": "shop.orders"}},
$(chain 2)]}
JSON
if "$SLUICE" run "$TMP/job2.json" 2>"$TMP/err"; then
    [ "$(sort "$TMP/out.jsonl")" = "$(printf '%s' "$want" | sort)" ] &&
        echo "ok     parallelism 2" || fail "parallel lines differ: $(cat "$TMP/out.jsonl")"
else
    fail "parallel run failed: $(tail -n 5 "$TMP/err")"
fi

# plan_fails 'OPERATOR JSON' EXPECTED: the job with this transform is rejected naming EXPECTED.
plan_fails() {
    cat >"$TMP/bad.json" <<JSON
{"name": "tf-bad", "operators": [
  {"id": "gen", "type": "datagen", "config": {"rows": 1}},
  $1,
  {"id": "out", "type": "print", "inputs": ["t"]}]}
JSON
    "$SLUICE" plan "$TMP/bad.json" >"$TMP/plan.out" 2>"$TMP/plan.err"
    local rc=$?
    if [ $rc -ne 2 ]; then
        fail "plan of $1: exit $rc, want 2"
    elif ! grep -qF -- "$2" "$TMP/plan.err"; then
        fail "plan of $1: no '$2' in: $(cat "$TMP/plan.err")"
    else
        echo "ok     rejected: $2"
    fi
}
plan_fails '{"id": "t", "type": "filter", "inputs": ["gen"], "config": {"tables": ["gen\\.(rows"], "where": "id > 1"}}' \
    '$.operators[1].config.tables[0]: invalid regular expression'
plan_fails '{"id": "t", "type": "filter", "inputs": ["gen"], "config": {"where": "id > 1 AND )"}}' \
    '$.operators[1].config.where: at 11: '
plan_fails '{"id": "t", "type": "project", "inputs": ["gen"], "config": {"columns": ["id", "k + 1"]}}' \
    '$.operators[1].config.columns[1]: "k + 1" is an expression: name its column with AS'
plan_fails '{"id": "t", "type": "project", "inputs": ["gen"], "config": {"columns": ["id"], "drop": ["k"]}}' \
    '$.operators[1].config: exactly one of columns and drop'
plan_fails '{"id": "t", "type": "cast", "inputs": ["gen"], "config": {"columns": {"k": "NUMBER"}}}' \
    '$.operators[1].config.columns.k: '
plan_fails '{"id": "t", "type": "rename", "inputs": ["gen"], "config": {"table": "x_{tbl}"}}' \
    '$.operators[1].config.table: unknown placeholder'
plan_fails '{"id": "t", "type": "route", "inputs": ["gen"], "config": {"routes": [{"source": "a[", "target": "b"}]}}' \
    '$.operators[1].config.routes[0].source: invalid regular expression'

# A dropped key column fails the run (at the first record), naming table and column.
cat >"$TMP/key.json" <<JSON
{"name": "tf-key", "operators": [
  {"id": "gen", "type": "datagen", "config": {"rows": 2}},
  {"id": "t", "type": "project", "inputs": ["gen"], "config": {"drop": ["id"]}},
  {"id": "out", "type": "print", "inputs": ["t"], "config": {"path": "$TMP/key.jsonl"}}]}
JSON
"$SLUICE" run "$TMP/key.json" 2>"$TMP/err"
rc=$?
[ $rc -eq 1 ] && grep -qF "project: table gen.rows: primary key column 'id' is not in the output" \
    "$TMP/err" && echo "ok     dropped key fails the job" ||
    fail "dropped key: exit $rc: $(tail -n 3 "$TMP/err")"

[ $failures -eq 0 ] && echo "all passed" || echo "$failures failures"
exit $((failures > 0))
