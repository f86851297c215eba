#!/usr/bin/env bash
# Schema evolution under crashes: a mysql_cdc -> starrocks job (behaviour evolve) dies just before
# and just after the sink applies a target DDL, and is run again with the same command (it
# restores its latest checkpoint from --data-dir) while a writer keeps changing rows:
#   1. SLUICE_FAILPOINTS=starrocks.schema.before_apply=exit@1 (exit 137, as if killed), ADD COLUMN
#      on fk.dup (a DUPLICATE KEY target: insert-only rows, a replayed row is a second row)
#   2. starrocks.schema.after_apply=abort@1, ADD COLUMN on fk.dup again
#   3. kill -9 while the endpoint runs an asynchronous MODIFY COLUMN (--alter-delay-ms) on fk.pk
# After each rerun the targets must converge to the source: no duplicate, no loss, the columns
# the source has, and GET /_ddl of the endpoint must list the DDL exactly once.
# Usage: test_schema_kill9.sh SLUICE SR_ENDPOINT MYSQL_PORT
set -uo pipefail
SLUICE=${1:?usage: test_schema_kill9.sh SLUICE SR_ENDPOINT MYSQL_PORT}
SR=${2:?}
PORT=${3:?}
NAME=se-kill9
. "$(dirname "$0")/se_lib.sh"
FLOW=${FLOW:-1}
se_init
ALTER_DELAY=
if "$SR" --help 2>&1 | grep -q -- --alter-delay-ms; then
    ALTER_DELAY=1500
    se_servers --alter-delay-ms "$ALTER_DELAY"
else
    se_servers
    fail "sr-endpoint has no --alter-delay-ms option: the asynchronous MODIFY runs synchronously"
fi

client <<'SQL' || die "source schema"
CREATE DATABASE fk CHARACTER SET utf8mb4;
USE fk;
CREATE TABLE fk.dup (id INT NOT NULL PRIMARY KEY, v INT NOT NULL, s VARCHAR(20));
CREATE TABLE fk.pk (id INT NOT NULL PRIMARY KEY, v INT NOT NULL, s VARCHAR(20));
INSERT INTO fk.dup SELECT seq, seq, CONCAT('d', seq) FROM test.seq_1_to_300;
INSERT INTO fk.pk SELECT seq, seq, CONCAT('p', seq) FROM test.seq_1_to_300;
SQL
# fk_sr.dup is a duplicate-key table made by hand (generate leaves a table with the same columns
# alone); fk_sr.pk is generated.
sr_sql 'CREATE DATABASE fk_sr;
    CREATE TABLE fk_sr.dup (`id` INT NOT NULL, `v` INT NOT NULL, `s` VARCHAR(80) NULL)
    DUPLICATE KEY(`id`) DISTRIBUTED BY HASH(`id`) BUCKETS 2 PROPERTIES ("replication_num" = "1")' ||
    die "target duplicate-key table"
JOB=$T/kill9.json
LOG=$T/kill9.log
se_generate "$JOB" fk_sr --tables 'fk\.(dup|pk)'
se_patch "$JOB" 'src["tables"] = ["fk\\.(dup|pk)"]
sink["schema_change"] = {"behavior": "evolve"}
j["restart"] = {"strategy": "none"}'

check_all() { # WHAT: both tables converge; dup has no duplicate id (se_check counts them)
    converge "$1: fk.dup (duplicate-key target)" "$LOG" fk_sr.dup --source fk.dup
    converge "$1: fk.pk" "$LOG" fk_sr.pk --source fk.pk
    local d
    d=$(sr_sql "SELECT COUNT(*) FROM fk_sr.dup")
    say "       fk_sr.dup: $d rows, source $(client -N -B -e 'SELECT COUNT(*) FROM fk.dup')"
}
# crash_at WHAT FAILPOINT_SPEC DDL WRITER_TABLES DDL_TABLE DDL_REGEX WANT_RC
crash_at() {
    local what=$1 spec=$2 sql=$3 tables=$4 tbl=$5 rx=$6 want=$7
    writer_resume
    run_job "$JOB" "$LOG" SLUICE_FAILPOINTS="$spec" || die "$what: the job did not start"
    sleep "$FLOW"
    say "$what: $sql"
    src "$sql"
    printf '%s\n' "$tables" | writer_tables
    wait_exit 30
    if [ "$RC" = running ]; then
        fail "$what: $spec did not fire within 30 s of the DDL"
        kill -KILL "$JOB_PID"; wait "$JOB_PID" 2>/dev/null; JOB_PID=
    elif [ "$RC" -eq "$want" ]; then
        ok "$what: the job died at $spec (exit $RC)"
    else
        fail "$what: exit $RC, want $want ($spec)"; log_tail "$LOG" 6
    fi
    say "       /_ddl now: $(ddl_count fk_sr "$tbl" "$rx") matching DDL"
    # the same command again, rows still flowing
    local restores
    restores=$(grep -c 'restor' "$LOG")
    run_job "$JOB" "$LOG" || die "$what: the rerun did not start"
    [ "$(grep -c 'restor' "$LOG")" -gt "$restores" ] ||
        fail "$what: the rerun did not restore a checkpoint"
    sleep "$FLOW"
    writer_pause
    check_all "$what"
    ddl_once "$what" fk_sr "$tbl" "$rx"
    stop_job
}

printf '%s\n' "fk.dup insert v:nn s:str" "fk.pk mixed v:nn s:str" | writer_tables
writer_start
writer_pause
run_job "$JOB" "$LOG" || die "the job did not start"
check_all "initial"
stop_job

crash_at "crash before apply" "starrocks.schema.before_apply=exit@1" \
    "ALTER TABLE fk.dup ADD COLUMN c INT NULL" \
    "fk.dup insert v:nn s:str c:int
fk.pk mixed v:nn s:str" dup 'ADD COLUMN `?c`?\b' 137
crash_at "crash after apply" "starrocks.schema.after_apply=abort@1" \
    "ALTER TABLE fk.dup ADD COLUMN c2 VARCHAR(10) NULL AFTER v" \
    "fk.dup insert v:nn c2:str s:str c:int
fk.pk mixed v:nn s:str" dup 'ADD COLUMN `?c2`?\b' 134

# kill -9 while the target runs the (asynchronous) MODIFY COLUMN
writer_resume
run_job "$JOB" "$LOG" || die "the job did not start"
sleep "$FLOW"
say "kill -9 mid-MODIFY: ALTER TABLE fk.pk MODIFY COLUMN v BIGINT NOT NULL"
src "ALTER TABLE fk.pk MODIFY COLUMN v BIGINT NOT NULL"
for _ in $(seq 100); do
    [ "$(ddl_count fk_sr pk 'MODIFY')" = 1 ] && break
    sleep 0.1
done
sleep 0.3
kill -KILL "$JOB_PID"; wait "$JOB_PID" 2>/dev/null; JOB_PID=
say "       killed with /_ddl at $(ddl_count fk_sr pk 'MODIFY') MODIFY"
src "UPDATE fk.pk SET v = 5000000000 ORDER BY id LIMIT 1"
run_job "$JOB" "$LOG" || die "the rerun did not start"
sleep "$FLOW"
writer_pause
check_all "kill -9 mid-MODIFY"
se_check fk_sr.pk --source fk.pk --type v=bigint --rows none --quiet | grep -q '^ok' &&
    ok "kill -9 mid-MODIFY: fk_sr.pk.v is BIGINT" ||
    fail "kill -9 mid-MODIFY: $(se_check fk_sr.pk --source fk.pk --type v=bigint --rows none)"
ddl_once "kill -9 mid-MODIFY" fk_sr pk 'MODIFY COLUMN `?v`?\b'
stop_job
writer_stop
say "schema changes (last run):$(for o in applied skipped failed; do printf ' %s=%s' $o "$(metric "$T/kill9.prom" $o)"; done)"
grep -qE 'AddressSanitizer|runtime error' "$LOG" && fail "sanitizer report in the log"
se_finish
