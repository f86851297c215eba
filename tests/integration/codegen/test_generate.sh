#!/usr/bin/env bash
# `sluice generate` against the MariaDB fixture and sr-endpoint: the DDL and the job of every
# column type and of merged shards compared byte for byte with golden files (ports replaced by
# @MYSQL_PORT@ / @FE_HTTP_PORT@ / @QUERY_PORT@), the lossy list, `sluice plan` accepting the job,
# --create-tables (create, skip the same tables, refuse a changed one with exit 3 and a diff),
# collisions (exit 2) and --merge-key, errors with exit 1, and no password anywhere.
# Usage: test_generate.sh SLUICE SR_ENDPOINT (env SLUICE_MYSQL_* from the fixture)
# SLUICE_UPDATE_GOLDEN=1 rewrites the golden files instead of comparing.
set -uo pipefail
SLUICE=$(realpath "${1:?usage: test_generate.sh SLUICE SR_ENDPOINT}")
BIN=$(realpath "${2:?usage: test_generate.sh SLUICE SR_ENDPOINT}")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GOLDEN=$HERE/golden
SR_PW=gen-target-secret
. "$HERE/../../sr_endpoint/sr_test_lib.sh"
sr_test_init sluice-generate "$SR_PW"

export SLUICE_SOURCE_PASSWORD=$SLUICE_MYSQL_PASSWORD SLUICE_TARGET_PASSWORD=$SR_PW
SRC="mysql://$SLUICE_MYSQL_USER@$SLUICE_MYSQL_HOST:$SLUICE_MYSQL_PORT"
sql() { MYSQL_PWD=$SLUICE_MYSQL_PASSWORD mariadb --no-defaults -h "$SLUICE_MYSQL_HOST" \
            -P "$SLUICE_MYSQL_PORT" -u "$SLUICE_MYSQL_USER" -N -B "$@"; }
srsql() { MYSQL_PWD=$SR_PW mariadb --no-defaults -h127.0.0.1 -P"$QP" -uroot -N -B "$@" 2>&1; }
# gen NAME ARGS...: runs generate with stderr in $WORK/NAME.err; sets RC.
gen() {
    local name=$1
    shift
    "$SLUICE" --log-level warn generate "$@" 2>"$WORK/$name.err"
    RC=$?
}
# Replaces this run's ports with placeholders, so that golden files are stable.
stable() {
    sed -e "s/:$SLUICE_MYSQL_PORT\\b/:@MYSQL_PORT@/g; s/\"port\": $SLUICE_MYSQL_PORT\\b/\"port\": @MYSQL_PORT@/g" \
        -e "s/:$FE\\b/:@FE_HTTP_PORT@/g; s/:$QP\\b/:@QUERY_PORT@/g" "$1"
}
golden() { # name file
    if [ -n "${SLUICE_UPDATE_GOLDEN:-}" ]; then
        stable "$2" >"$GOLDEN/$1"
        echo "wrote $GOLDEN/$1"
        return
    fi
    if diff -u "$GOLDEN/$1" <(stable "$2") >"$WORK/$1.diff"; then
        echo "ok     golden $1"
    else
        echo "FAIL   golden $1:"
        cat "$WORK/$1.diff"
        FAILS=$((FAILS + 1))
    fi
}

sql <"$HERE/schema.sql" || { echo "FAIL: schema"; exit 1; }
sr_start --data-dir "$WORK/data"
FE=$(sr_port fe_http)
QP=$(sr_port query)
TGT="starrocks://root@127.0.0.1:$FE/cg_dw?query_port=$QP"

# --- Every column type: golden DDL and job, the lossy list, the plan ---
gen types --source "$SRC" --tables 'cg_types\..*' --target "$TGT" -o "$WORK/types.json"
check "types: exit 0 ($(head -c 300 "$WORK/types.err"))" "$RC" 0
golden types.sql "$WORK/types.sql"
golden types.json "$WORK/types.json"
for w in "warning: cg_types.all_types.dec2: DECIMAL(40,5) is wider than StarRocks DECIMAL" \
    "warning: cg_types.all_types.tx: TEXT holds up to 65535 bytes" \
    "warning: cg_types.all_types.mtx: MEDIUMTEXT can exceed" \
    "warning: cg_types.all_types.lb: LONGBLOB can exceed" \
    "warning: cg_types.composite.b: key column DECIMAL(8,3) becomes VARCHAR(10)" \
    "note: cg_types.by_unique has no primary key: unique key u_code_region" \
    "note: cg_types.all_types.ts: TIMESTAMP becomes DATETIME" \
    "note: cg_types.all_types.tm: TIME becomes VARCHAR(17)" \
    "note: cg_types.all_types.b1: TINYINT(1) stays TINYINT"; do
    contains "stderr lists: $w" "$(cat "$WORK/types.err")" "$w"
    contains "DDL comments: $w" "$(cat "$WORK/types.sql")" "-- $w"
done
check "lossy list size" "$(grep -c '^warning: ' "$WORK/types.err")" 5
"$SLUICE" plan "$WORK/types.json" >"$WORK/plan.out" 2>&1
RC=$?
check "sluice plan accepts the job ($(head -c 300 "$WORK/plan.out"))" "$RC" 0
# The job to stdout writes no DDL unless asked.
(cd "$WORK" && "$SLUICE" --log-level warn generate --source "$SRC" --tables 'cg_types\.composite' \
    --target "$TGT" >"$WORK/stdout.json" 2>/dev/null)
check "stdout job: plan" "$("$SLUICE" plan "$WORK/stdout.json" >/dev/null 2>&1; echo $?)" 0
check "stdout job: no DDL file" "$(ls "$WORK" | grep -c '\.sql$')" 1

# --- --create-tables against sr-endpoint ---
gen create --source "$SRC" --tables 'cg_types\..*' --target "$TGT" -o "$WORK/c.json" --create-tables
check "create: exit 0 ($(grep -v '^warning\|^note' "$WORK/create.err" | head -c 300))" "$RC" 0
contains "create: note" "$(cat "$WORK/create.err")" "note: table cg_dw.all_types created"
check "create: tables" "$(srsql cg_dw -e 'SHOW TABLES' | sort | tr '\n' ' ')" \
    "all_types by_unique composite "
contains "create: DESC" "$(srsql -e 'DESC cg_dw.all_types' | grep -w dec1)" "decimal(10,2)"
check "create: key order" "$(srsql -e 'DESC cg_dw.composite' | cut -f1,4 | tr '\t\n' ': ')" \
    "b:true a:true v:false "
gen again --source "$SRC" --tables 'cg_types\..*' --target "$TGT" -o "$WORK/c.json" --create-tables
check "second run: exit 0" "$RC" 0
contains "second run: skipped" "$(cat "$WORK/again.err")" \
    "note: table cg_dw.all_types exists with the same columns: left as it is"
sql -e "ALTER TABLE cg_types.all_types MODIFY dec1 DECIMAL(12,2) NOT NULL, ADD COLUMN x INT"
gen changed --source "$SRC" --tables 'cg_types\..*' --target "$TGT" -o "$WORK/c.json" --create-tables
check "changed table: exit 3" "$RC" 3
contains "diff: type" "$(cat "$WORK/changed.err")" \
    "conflict: all_types: column dec1: exists as DECIMAL(10,2), would be DECIMAL(12,2)"
contains "diff: missing" "$(cat "$WORK/changed.err")" "conflict: all_types: missing column x"
sql -e "ALTER TABLE cg_types.all_types MODIFY dec1 DECIMAL(10,2) NOT NULL DEFAULT 0, DROP COLUMN x"

# --- Shards ---
gen collide --source "$SRC" --tables 'cg_s[0-9]+\.orders' --target "$TGT" -o "$WORK/m.json"
check "collision: exit 2" "$RC" 2
for w in "target orders merges cg_s0.orders, cg_s1.orders" "key (2) is in both" \
    "--merge-key add-source" "--merge-key accept"; do
    contains "collision message: $w" "$(cat "$WORK/collide.err")" "$w"
done
check "collision: no job written" "$([ -e "$WORK/m.json" ] && echo yes || echo no)" no
gen merged --source "$SRC" --tables 'cg_s[0-9]+\.orders' --target "$TGT" -o "$WORK/merged.json" \
    --merge-key add-source --parallelism 2 --create-tables
check "add-source: exit 0 ($(head -c 300 "$WORK/merged.err"))" "$RC" 0
golden merged.sql "$WORK/merged.sql"
golden merged.json "$WORK/merged.json"
check "add-source: key in sr-endpoint" \
    "$(srsql -e 'DESC cg_dw.orders' | awk '$4=="true"{print $1}' | tr '\n' ' ')" \
    "id _source_db _source_table "
"$SLUICE" plan "$WORK/merged.json" >"$WORK/plan2.out" 2>&1
RC=$?
check "sluice plan accepts the merged job ($(head -c 300 "$WORK/plan2.out"))" "$RC" 0
gen accept --source "$SRC" --tables 'cg_s[0-9]+\.orders' --target "$TGT" -o "$WORK/acc.json" \
    --merge-key accept
check "accept: exit 0" "$RC" 0
contains "accept: note" "$(cat "$WORK/accept.err")" "--merge-key accept: a key in two shards"
# Differently named shards without colliding keys: a plain merge through --route.
gen route --source "$SRC" --tables 'cg_s[0-9]+\.order_[ab]' --target "$TGT" -o "$WORK/r.json" \
    --route 'cg_s[0-9]+\.order_[a-z]=orders_all'
check "route merge: exit 0 ($(head -c 300 "$WORK/route.err"))" "$RC" 0
contains "route merge: note" "$(cat "$WORK/route.err")" \
    "orders_all merges 2 shards (cg_s0.order_a, cg_s1.order_b): no key value is in two shards"
contains "route merge: route" "$(cat "$WORK/r.json")" '"source": "cg_s0\\.order_a|cg_s1\\.order_b"'
gen small --source "$SRC" --tables 'cg_s[0-9]+\.order_[ab]' --target "$TGT" -o "$WORK/r.json" \
    --route 'cg_s[0-9]+\.order_[a-z]=orders_all' --collision-check-rows 1
check "too big to check: exit 2" "$RC" 2
contains "too big: message" "$(cat "$WORK/small.err")" "has more than 1 rows to check"
gen auto --source "$SRC" --tables 'cg_s[0-9]+\.events' --target "$TGT" -o "$WORK/a.json"
check "auto_increment: exit 2" "$RC" 2
contains "auto_increment: message" "$(cat "$WORK/auto.err")" "is AUTO_INCREMENT: shards collide"

# --- Errors: exit 1 ---
gen nokey --source "$SRC" --tables 'cg_nokey\.loose' --target "$TGT"
check "no key: exit 1" "$RC" 1
contains "no key: message" "$(cat "$WORK/nokey.err")" "table cg_nokey.loose has neither a primary key"
gen nomatch --source "$SRC" --tables 'cg_types\.all_types,cg_types\.nope' --target "$TGT"
check "pattern without a table: exit 1" "$RC" 1
contains "pattern without a table: message" "$(cat "$WORK/nomatch.err")" '--tables "cg_types\.nope" matches no table'
gen urlpw --source "mysql://$SLUICE_MYSQL_USER:url-secret@127.0.0.1:$SLUICE_MYSQL_PORT" \
    --tables 'cg_types\..*' --target "$TGT"
check "password in URL: exit 1" "$RC" 1
contains "password in URL: message" "$(cat "$WORK/urlpw.err")" "set SLUICE_SOURCE_PASSWORD"
gen badpw --source "$SRC" --tables 'cg_types\..*' --target "$TGT" --source-password-file /nonexistent
check "missing password file: exit 1" "$RC" 1
SLUICE_SOURCE_PASSWORD=wrong-secret gen wrongpw --source "$SRC" --tables 'cg_types\..*' --target "$TGT"
check "wrong password: exit 1" "$RC" 1
contains "wrong password: message" "$(cat "$WORK/wrongpw.err")" "Access denied"
printf 'wrong-target\n' >"$WORK/tpw"
gen wrongtpw --source "$SRC" --tables 'cg_types\.composite' --target "$TGT" --create-tables \
    --target-password-file "$WORK/tpw" -o "$WORK/w.json"
check "wrong target password: exit 1" "$RC" 1
contains "password file: referenced" "$(cat "$WORK/w.json")" "\"password_file\": \"$WORK/tpw\""

# --- Flink CDC YAML, when this build has it ---
gen yaml --source "$SRC" --tables 'cg_types\.composite' --target "$TGT" --format flink-cdc -o "$WORK/p.yaml"
if grep -q "not in this build" "$WORK/yaml.err"; then
    echo "skip   flink-cdc: not in this build"
else
    check "flink-cdc: exit 0 ($(head -c 300 "$WORK/yaml.err"))" "$RC" 0
    gen from --from "$WORK/p.yaml" -o "$WORK/back.json"
    check "--from: exit 0 ($(head -c 300 "$WORK/from.err"))" "$RC" 0
    check "--from: plan" "$("$SLUICE" plan "$WORK/back.json" >/dev/null 2>&1; echo $?)" 0
fi

# --- The generated job runs: every type loads into the created tables ---
sql --default-character-set=utf8mb4 -e "INSERT INTO cg_types.all_types VALUES (18446744073709551615,
    -5, 250, 7, -300, 65000, -8000000, 16000000, -2000000000, 4000000000, -9000000000000000000,
    18446744073709551615, b'1', b'1010101010', 1.5, 2.25, 12345678.91,
    1234567890123456789012345678901234.56789, '2024-02-29', '2024-02-29 12:34:56.123456',
    '2024-02-29 12:34:56.789', '-838:59:59', 2024, 'chär', 'vc 😀', 'latin é', 'text', 'medium',
    'medium', 'a,ccc', '{\"k\": [1, 2]}', 'bin', 'vbin', 'blob', 'lblob', ST_GeomFromText('POINT(1 2)'));
    INSERT INTO cg_types.all_types (id, dec1) VALUES (1, 0); INSERT INTO cg_types.composite VALUES (1, 2.5, 'x')"
RUN_TGT="starrocks://root@127.0.0.1:$FE/cg_run?query_port=$QP"
gen runjob --source "$SRC" --tables 'cg_types\.all_types,cg_types\.composite' --target "$RUN_TGT" \
    --startup snapshot --name cg-run -o "$WORK/run.json" --create-tables
check "run: generate exit 0 ($(grep -v '^warning\|^note' "$WORK/runjob.err" | head -c 300))" "$RC" 0
contains "run: csv for binary columns" "$(cat "$WORK/runjob.err")" 'the sink loads CSV ("format": "csv")'
timeout 120 "$SLUICE" --log-level warn run "$WORK/run.json" >"$WORK/run.out" 2>"$WORK/run.err"
RC=$?
check "run: the job finishes ($(grep ERROR "$WORK/run.err" | head -c 300))" "$RC" 0
check "run: rows" "$(srsql -e 'SELECT COUNT(*) FROM cg_run.all_types')" 2
row=$(srsql --default-character-set=utf8mb4 -e 'SELECT id, biu, bit1, bit10, dec2, dtm, ts, tm, c, vc, vl, e, st, j, vb FROM cg_run.all_types WHERE id > 1')
check "run: values" "$row" "$(printf '18446744073709551615\t18446744073709551615\t1\t682\t1234567890123456789012345678901234.56789\t2024-02-29 12:34:56.123456\t2024-02-29 12:34:56.789000\t-838:59:59.000000\tchär\tvc 😀\tlatin é\tmedium\ta,ccc\t{"k":[1,2]}\tvbin')"
check "run: decimal key as text" "$(srsql -e 'SELECT b, a, v FROM cg_run.composite')" "$(printf '2.500\t1\tx')"

# --- No password anywhere ---
for pw in "$SLUICE_MYSQL_PASSWORD" "$SR_PW" url-secret wrong-secret wrong-target; do
    # The password files themselves ($WORK/pw, $WORK/tpw) and sr-endpoint's store excepted.
    hits=$(grep -rlF -- "$pw" "$WORK" --exclude-dir=data 2>/dev/null | grep -v -e '/pw$' -e '/tpw$')
    check "no \"$pw\" in outputs or stderr" "$hits" ""
done
sr_stop "sr-endpoint: clean exit"
[ "$FAILS" -eq 0 ] && echo "all passed" || echo "$FAILS failed"
exit $((FAILS > 0))
