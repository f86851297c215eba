#!/usr/bin/env bash
# Schema evolution end to end: MariaDB -> `sluice run` (mysql_cdc -> starrocks) -> sr-endpoint,
# with a writer changing rows continuously (small transactions, ~25/s) while the script runs each
# kind of DDL in turn; after each DDL the writer pauses, the target must converge and its columns
# and rows (count + checksum of the compared columns, se_check.py) must be what the sink's
# schema_change behaviour says, and GET /_ddl of the endpoint must list the target DDL once.
#   evolve   behaviour evolve (add column AFTER, drop, rename, modify type, nullability, a
#            multi-change ALTER ... ALGORITHM=INSTANT, an added column with a DEFAULT, rename
#            table, truncate, drop table, create table in the synced database, a primary-key
#            change that must fail the job)
#   lenient  the same sequence under the default behaviour (lenient: the job has no
#            schema_change section at all): drop/truncate/drop table not applied, rename column
#            adds the new one and keeps the old
#   main     both, one after the other
#   modes    ignore, try_evolve and exception side by side (three jobs, three databases)
#   sharded  two shard databases merged into one table (route, add-source): shard 0 adds a
#            column, later shard 1 the same one: one ADD COLUMN on the target, NULLs for shard 1
#            meanwhile
# Usage: test_schema_evolution.sh SLUICE SR_ENDPOINT MYSQL_PORT evolve|lenient|main|modes|sharded
# Env: SEED, RATE (writer transactions/s), CONVERGE (s), FLOW (s of writes before/after each DDL),
# SLUICE_KEEP_TMP=1.
set -uo pipefail
SLUICE=${1:?usage: test_schema_evolution.sh SLUICE SR_ENDPOINT MYSQL_PORT evolve|lenient|main|modes|sharded}
SR=${2:?}
PORT=${3:?}
MODE=${4:?}
NAME=se-$MODE
. "$(dirname "$0")/se_lib.sh"
FLOW=${FLOW:-0.8}
se_init
# evolve/lenient: the endpoint runs MODIFY COLUMN as an asynchronous job (RUNNING for 700 ms, as
# StarRocks does), so the sink must wait for it before loading a value only the new type holds.
if [ "$MODE" != modes ] && [ "$MODE" != sharded ] && "$SR" --help 2>&1 | grep -q -- --alter-delay-ms; then
    se_servers --alter-delay-ms 700
else
    se_servers
fi

# The source tables of one database D (utf8mb4: a VARCHAR(n) maps to VARCHAR(4n)), 200 rows each.
source_db() {
    local d=$1
    client <<SQL || die "source schema of $d"
CREATE DATABASE $d CHARACTER SET utf8mb4;
USE $d;
CREATE TABLE $d.t1 (id INT NOT NULL PRIMARY KEY, v INT NOT NULL, a VARCHAR(20), b INT,
                    d INT NOT NULL DEFAULT 0, w VARCHAR(10));
CREATE TABLE $d.t2 (id INT NOT NULL PRIMARY KEY, v INT NOT NULL, s VARCHAR(20));
CREATE TABLE $d.t3 (id INT NOT NULL PRIMARY KEY, v INT NOT NULL);
INSERT INTO $d.t1 SELECT seq, seq * 3, CONCAT('a', seq), seq, seq % 5, 'w' FROM test.seq_1_to_200;
INSERT INTO $d.t2 SELECT seq, seq * 3, CONCAT('s', seq) FROM test.seq_1_to_200;
INSERT INTO $d.t3 SELECT seq, seq * 3 FROM test.seq_1_to_200;
SQL
}

# One DDL while rows flow: FLOW s of writes, the DDL, the writer's new table list (the third
# argument, if given), FLOW s more, then the writer pauses for the checks (writer_resume after).
ddl() {
    local what=$1 sql=$2
    sleep "$FLOW"
    say "$what: $sql"
    client -e "$sql" || fail "$what: the source refused: $sql"
    [ -n "${3:-}" ] && printf '%s\n' "$3" | writer_tables
    sleep "$FLOW"
    writer_pause
}

# The DDL sequence on database D under behaviour B (evolve or lenient), job log LOG.
sequence() {
    local d=$1 b=$2 log=$3 x=${1}_sr
    local cols1="v:nn a:str b:int d:nn w:str"
    printf '%s\n' "$d.t1 mixed $cols1" "$d.t2 mixed v:nn s:str" "$d.t3 mixed v:nn" | writer_tables
    writer_start
    sleep "$FLOW"
    writer_pause
    for t in t1 t2 t3; do converge "[$b] initial $t" "$log" "$x.$t" --source "$d.$t"; done
    writer_resume

    # add column with a position
    alive "[$b] add_column and later steps" || { writer_stop; return; }
    ddl "[$b] add_column" "ALTER TABLE $d.t1 ADD COLUMN c INT NULL AFTER a" \
        "$d.t1 mixed v:nn a:str c:int b:int d:nn w:str
$d.t2 mixed v:nn s:str
$d.t3 mixed v:nn"
    converge "[$b] add_column" "$log" "$x.t1" --source "$d.t1"
    ddl_once "[$b] add_column" "$x" t1 'ADD COLUMN `?c`?\b'
    writer_resume

    # drop column: evolve drops it; lenient keeps it and new rows get NULL there
    printf '%s\n' "$d.t1 mixed v:nn a:str c:int d:nn w:str" "$d.t2 mixed v:nn s:str" \
        "$d.t3 mixed v:nn" | writer_tables
    alive "[$b] drop_column and later steps" || { writer_stop; return; }
    ddl "[$b] drop_column" "ALTER TABLE $d.t1 DROP COLUMN b"
    src "INSERT INTO $d.t1 (id, v, a, d) VALUES (100001, 1, 'probe', 1)"
    if [ "$b" = evolve ]; then
        converge "[$b] drop_column" "$log" "$x.t1" --source "$d.t1"
        ddl_once "[$b] drop_column" "$x" t1 'DROP COLUMN `?b`?\b'
    else
        converge "[$b] drop_column (kept)" "$log" "$x.t1" --source "$d.t1" --cols superset \
            --type b=int
        got=$(sr_sql "SELECT b FROM $x.t1 WHERE id = 100001")
        [ "$got" = NULL ] && ok "[$b] drop_column: a new row has NULL in the kept column" ||
            fail "[$b] drop_column: new row 100001 has b = '$got' in the target, want NULL"
        ddl_once "[$b] drop_column not applied" "$x" t1 'DROP COLUMN' 0
    fi
    writer_resume

    # rename column: evolve renames; lenient adds the new one and keeps the old
    printf '%s\n' "$d.t1 mixed v:nn c:int d:nn w:str" "$d.t2 mixed v:nn s:str" \
        "$d.t3 mixed v:nn" | writer_tables
    alive "[$b] rename_column and later steps" || { writer_stop; return; }
    ddl "[$b] rename_column" "ALTER TABLE $d.t1 RENAME COLUMN a TO a2" \
        "$d.t1 mixed v:nn a2:str c:int d:nn w:str
$d.t2 mixed v:nn s:str
$d.t3 mixed v:nn"
    if [ "$b" = evolve ]; then
        converge "[$b] rename_column" "$log" "$x.t1" --source "$d.t1"
        ddl_once "[$b] rename_column" "$x" t1 'RENAME COLUMN `?a`? '
    else
        converge "[$b] rename_column (added, old kept)" "$log" "$x.t1" --source "$d.t1" \
            --cols superset --type a=varchar --coalesce a2=a
    fi
    writer_resume

    # modify column type (widening: INT -> BIGINT with a value only BIGINT holds, VARCHAR(20) ->
    # VARCHAR(40)), both behaviours apply it
    alive "[$b] modify_column type and later steps" || { writer_stop; return; }
    ddl "[$b] modify_column type" "ALTER TABLE $d.t1 MODIFY COLUMN c BIGINT NULL;
        ALTER TABLE $d.t1 MODIFY COLUMN a2 VARCHAR(40)"
    src "UPDATE $d.t1 SET c = 5000000000 WHERE id = 100001"
    local mode=exact
    [ "$b" = evolve ] || mode=superset
    local co=()
    [ "$b" = evolve ] || co=(--coalesce a2=a)
    converge "[$b] modify_column type" "$log" "$x.t1" --source "$d.t1" --cols $mode \
        --type c=bigint "${co[@]}"
    ddl_once "[$b] modify_column type" "$x" t1 'MODIFY COLUMN `?c`? +BIGINT'
    writer_resume

    # modify column nullability (NOT NULL -> NULL), then a NULL in it
    alive "[$b] modify_column nullability and later steps" || { writer_stop; return; }
    ddl "[$b] modify_column nullability" "ALTER TABLE $d.t1 MODIFY COLUMN d INT NULL" \
        "$d.t1 mixed v:nn a2:str c:int d:int w:str
$d.t2 mixed v:nn s:str
$d.t3 mixed v:nn"
    src "UPDATE $d.t1 SET d = NULL WHERE id = 100001"
    converge "[$b] modify_column nullability" "$log" "$x.t1" --source "$d.t1" --cols $mode \
        --nullable d=YES "${co[@]}"
    writer_resume

    # several changes in one ALTER, ALGORITHM=INSTANT
    printf '%s\n' "$d.t1 mixed v:nn a2:str c:int d:int" "$d.t2 mixed v:nn s:str" \
        "$d.t3 mixed v:nn" | writer_tables
    alive "[$b] multi-change ALTER INSTANT and later steps" || { writer_stop; return; }
    ddl "[$b] multi-change ALTER INSTANT" "ALTER TABLE $d.t1 ADD COLUMN e VARCHAR(10) NULL AFTER v,
        ADD COLUMN f INT NULL, DROP COLUMN w, ALGORITHM=INSTANT" \
        "$d.t1 mixed v:nn e:str a2:str c:int d:int f:int
$d.t2 mixed v:nn s:str
$d.t3 mixed v:nn"
    if [ "$b" = evolve ]; then
        converge "[$b] multi-change ALTER INSTANT" "$log" "$x.t1" --source "$d.t1"
        ddl_once "[$b] multi-change: add e" "$x" t1 'ADD COLUMN `?e`?\b'
        ddl_once "[$b] multi-change: add f" "$x" t1 'ADD COLUMN `?f`?\b'
        ddl_once "[$b] multi-change: drop w" "$x" t1 'DROP COLUMN `?w`?\b'
    else
        converge "[$b] multi-change ALTER INSTANT" "$log" "$x.t1" --source "$d.t1" \
            --cols superset --type w=varchar "${co[@]}"
    fi
    writer_resume

    # an added NOT NULL column with a DEFAULT: the rows already there get the default in the
    # source, so they must in the target too
    alive "[$b] add_column with DEFAULT and later steps" || { writer_stop; return; }
    ddl "[$b] add_column with DEFAULT" \
        "ALTER TABLE $d.t1 ADD COLUMN g INT NOT NULL DEFAULT 7, ALGORITHM=INSTANT"
    converge "[$b] add_column with DEFAULT (old rows hold 7)" "$log" "$x.t1" --source "$d.t1" \
        --cols superset "${co[@]}"
    say "       target: g $(sr_sql "DESC $x.t1" | awk '$1 == "g" { print $2, ($3 == "YES" ? "NULL" : "NOT NULL"), "default", $5 }'); DDL: $(ddl_dump "$x" t1 | grep -E '\bg\b' | tail -n 1)"
    writer_resume

    # rename and widen in one clause: CHANGE COLUMN e e2 VARCHAR(30)
    printf '%s\n' "$d.t1 mixed v:nn a2:str c:int d:int f:int" "$d.t2 mixed v:nn s:str" \
        "$d.t3 mixed v:nn" | writer_tables
    alive "[$b] change_column (rename + widen) and later steps" || { writer_stop; return; }
    ddl "[$b] change_column (rename + widen)" "ALTER TABLE $d.t1 CHANGE COLUMN e e2 VARCHAR(30) NULL" \
        "$d.t1 mixed v:nn e2:str a2:str c:int d:int f:int
$d.t2 mixed v:nn s:str
$d.t3 mixed v:nn"
    [ "$b" = evolve ] || co+=(--coalesce e2=e)
    converge "[$b] change_column (rename + widen)" "$log" "$x.t1" --source "$d.t1" --cols $mode \
        "${co[@]}" --any-null g
    writer_resume

    # rename table (evolve)
    if [ "$b" = evolve ]; then
        alive "[$b] rename_table and later steps" || { writer_stop; return; }
        ddl "[$b] rename_table" "RENAME TABLE $d.t2 TO $d.t2r" \
            "$d.t1 mixed v:nn e2:str a2:str c:int d:int f:int
$d.t2r mixed v:nn s:str
$d.t3 mixed v:nn"
        converge "[$b] rename_table: new name" "$log" "$x.t2r" --source "$d.t2r"
        converge "[$b] rename_table: old name gone" "$log" "$x.t2" --absent
        ddl_once "[$b] rename_table" "$x" t2 'RENAME'
        writer_resume
    fi

    # truncate table: evolve truncates; lenient keeps the old rows
    alive "[$b] truncate_table and later steps" || { writer_stop; return; }
    ddl "[$b] truncate_table" "TRUNCATE TABLE $d.t3"
    if [ "$b" = evolve ]; then
        converge "[$b] truncate_table" "$log" "$x.t3" --source "$d.t3"
        ddl_once "[$b] truncate_table" "$x" t3 'TRUNCATE'
    else
        converge "[$b] truncate_table (not applied)" "$log" "$x.t3" --source "$d.t3" --rows subset
        n_src=$(client -N -B -e "SELECT COUNT(*) FROM $d.t3")
        n_tgt=$(sr_sql "SELECT COUNT(*) FROM $x.t3")
        [ "${n_tgt:-0}" -gt "${n_src:-0}" ] &&
            ok "[$b] truncate_table: the target kept its rows ($n_tgt, source $n_src)" ||
            fail "[$b] truncate_table: target $n_tgt rows, source $n_src: was it truncated?"
        ddl_once "[$b] truncate_table not applied" "$x" t3 'TRUNCATE' 0
    fi
    writer_resume

    # drop table
    local t2name=t2
    [ "$b" = evolve ] && t2name=t2r
    printf '%s\n' "$d.t1 mixed v:nn e2:str a2:str c:int d:int f:int" \
        "$d.$t2name mixed v:nn s:str" | writer_tables
    alive "[$b] drop_table and later steps" || { writer_stop; return; }
    ddl "[$b] drop_table" "DROP TABLE $d.t3"
    if [ "$b" = evolve ]; then
        converge "[$b] drop_table" "$log" "$x.t3" --absent
        ddl_once "[$b] drop_table" "$x" t3 'DROP TABLE'
    else
        converge "[$b] drop_table (not applied)" "$log" "$x.t3" --cols list:id,v --rows none
        ddl_once "[$b] drop_table not applied" "$x" t3 'DROP TABLE' 0
    fi
    writer_resume

    # create table in the synced database, then rows into it
    alive "[$b] create_table and later steps" || { writer_stop; return; }
    ddl "[$b] create_table" \
        "CREATE TABLE $d.t4 (id INT NOT NULL PRIMARY KEY, v INT NOT NULL, s VARCHAR(20))" \
        "$d.t1 mixed v:nn e2:str a2:str c:int d:int f:int
$d.$t2name mixed v:nn s:str
$d.t4 mixed v:nn s:str"
    writer_resume
    sleep "$FLOW"
    writer_pause
    converge "[$b] create_table" "$log" "$x.t4" --source "$d.t4"
    ddl_once "[$b] create_table" "$x" t4 'CREATE TABLE'
    # the other tables are still in sync
    # (g: added nullable or not, the contract leaves it open)
    converge "[$b] t1 at the end" "$log" "$x.t1" --source "$d.t1" --cols $mode "${co[@]}" \
        --any-null g
    converge "[$b] $t2name at the end" "$log" "$x.$t2name" --source "$d.$t2name"
    writer_resume

    # a primary-key change fails the job under every behaviour
    alive "[$b] primary key change and later steps" || { writer_stop; return; }
    ddl "[$b] primary key change" "ALTER TABLE $d.t4 DROP PRIMARY KEY, ADD PRIMARY KEY (id, v)"
    wait_exit 30; rc=$RC
    if [ "$rc" = running ]; then
        fail "[$b] primary key change: the job still runs 30 s later"
        stop_job
    elif [ "$rc" -eq 0 ]; then
        fail "[$b] primary key change: the job exited 0"
    elif grep -iE 'primary key' "$log" | grep -q 't4'; then
        ok "[$b] primary key change: the job failed (exit $rc): $(grep -iE 'primary key' "$log" | grep 't4' | tail -n 1 | cut -c1-220)"
    else
        fail "[$b] primary key change: the job failed (exit $rc) without naming the primary key and t4:"
        log_tail "$log" 5
    fi
    writer_stop
}

metrics_line() { # JOB: the schema-change outcomes in its metrics file
    local f="$T/$1.prom" o line=
    for o in applied skipped ignored converted failed; do line="$line $o=$(metric "$f" $o)"; done
    echo "$line"
}

case "$MODE" in
main | evolve | lenient)
  # main runs both halves (or what SE_PHASES="evolve lenient" names); evolve and lenient one each.
  [ "$MODE" = main ] || SE_PHASES=$MODE
  if [[ " ${SE_PHASES:-evolve lenient} " == *" evolve "* ]]; then
    # --- evolve ---
    source_db se
    se_generate "$T/evolve.json" se_sr --tables 'se\..*'
    se_patch "$T/evolve.json" 'src["tables"] = ["se\\..*"]
sink["schema_change"] = {"behavior": "evolve"}
j["restart"] = {"strategy": "fixed-delay", "attempts": 2, "delay": "500ms"}'
    run_job "$T/evolve.json" "$T/evolve.log" || die "the evolve job did not start"
    sequence se evolve "$T/evolve.log"
    say "[evolve] schema changes:$(metrics_line evolve)"
    a=$(metric "$T/evolve.prom" applied)
    [ "$a" != absent ] && [ "${a%.*}" -ge 12 ] && ok "[evolve] metric applied = $a (>= 12)" ||
        fail "[evolve] sluice_starrocks_schema_changes_total{outcome=\"applied\"} = $a, want >= 12"
  fi
  if [[ " ${SE_PHASES:-evolve lenient} " == *" lenient "* ]]; then

    # --- lenient: the default, the job has no schema_change section ---
    source_db sl
    se_generate "$T/lenient.json" sl_sr --tables 'sl\..*'
    se_patch "$T/lenient.json" 'src["tables"] = ["sl\\..*"]
sink.pop("schema_change", None)
j["restart"] = {"strategy": "fixed-delay", "attempts": 2, "delay": "500ms"}'
    run_job "$T/lenient.json" "$T/lenient.log" || die "the lenient job did not start"
    sequence sl lenient "$T/lenient.log"
    say "[lenient] schema changes:$(metrics_line lenient)"
    n=0
    for o in skipped ignored converted; do
        v=$(metric "$T/lenient.prom" $o)
        [ "$v" = absent ] || n=$((n + ${v%.*}))
    done
    [ "$n" -ge 4 ] && ok "[lenient] metric skipped+ignored+converted = $n (>= 4)" ||
        fail "[lenient] skipped+ignored+converted outcomes = $n, want >= 4 (drop column, rename column, truncate, drop table)"
  fi
    ;;

modes)
    # Three databases, three jobs side by side, one writer.
    for d in mi mt mx; do
        client -e "CREATE DATABASE $d CHARACTER SET utf8mb4;
            CREATE TABLE $d.t1 (id INT NOT NULL PRIMARY KEY, v INT NOT NULL, a VARCHAR(20));
            INSERT INTO $d.t1 SELECT seq, seq * 3, CONCAT('a', seq) FROM test.seq_1_to_200" ||
            die "source $d"
    done
    declare -A BEH=([mi]=ignore [mt]=try_evolve [mx]=exception)
    declare -A PID
    SID=5510
    for d in mi mt mx; do
        se_generate "$T/$d.json" "${d}_sr" --tables "$d\\.t1" --server-id "$((SID += 1))"
        se_patch "$T/$d.json" "src['tables'] = ['$d\\\\..*']
sink['schema_change'] = {'behavior': '${BEH[$d]}'}
j['restart'] = {'strategy': 'none'}"
        run_job "$T/$d.json" "$T/$d.log" || die "the ${BEH[$d]} job did not start"
        PID[$d]=$JOB_PID
    done
    # and a mysql_cdc -> print job on mt.t1: its SC records must carry the "changes" array
    cat >"$T/mp.json" <<JSON
{"name": "mp", "checkpoint": {"interval": "1s"}, "operators": [
  {"id": "source", "type": "mysql_cdc", "config": {"host": "127.0.0.1", "port": $PORT,
     "user": "sluice", "password_env": "SLUICE_SOURCE_PASSWORD", "tables": ["mt\\\\.t1"],
     "server_id": 5520, "startup": "latest-offset"}},
  {"id": "out", "type": "print", "inputs": ["source"], "config": {"path": "$T/mp.jsonl"}}]}
JSON
    run_job "$T/mp.json" "$T/mp.log" || die "the print job did not start"
    PID[mp]=$JOB_PID
    printf '%s\n' "mi.t1 mixed v:nn a:str" "mt.t1 mixed v:nn a:str" "mx.t1 mixed v:nn a:str" |
        writer_tables
    writer_start
    sleep "$FLOW"
    writer_pause
    for d in mi mt mx; do
        JOB_PID=${PID[$d]} converge "[${BEH[$d]}] initial" "$T/$d.log" "${d}_sr.t1" --source "$d.t1"
    done
    writer_resume
    sleep "$FLOW"
    for d in mi mt mx; do say "ALTER TABLE $d.t1 ADD COLUMN c INT NULL"; src "ALTER TABLE $d.t1 ADD COLUMN c INT NULL"; done
    printf '%s\n' "mi.t1 mixed v:nn a:str c:int" "mt.t1 mixed v:nn a:str c:int" \
        "mx.t1 mixed v:nn a:str c:int" | writer_tables
    sleep "$FLOW"
    writer_pause

    # exception: the job fails naming the table and the DDL; the target is untouched
    JOB_PID=${PID[mx]}
    wait_exit 20; rc=$RC
    if [ "$rc" = running ]; then
        fail "[exception] the job still runs 20 s after ALTER TABLE mx.t1 ADD COLUMN c"
        stop_job
    elif [ "$rc" -eq 0 ]; then
        fail "[exception] the job exited 0 after a schema change"
    elif grep -i 'ADD COLUMN' "$T/mx.log" | grep -q 't1'; then
        ok "[exception] the job failed (exit $rc): $(grep -i 'ADD COLUMN' "$T/mx.log" | grep 't1' | tail -n 1 | cut -c1-220)"
    else
        fail "[exception] the job failed (exit $rc) but no message names t1 and the DDL:"
        log_tail "$T/mx.log" 5
    fi
    JOB_PID=
    se_check mx_sr.t1 --cols list:id,v,a --rows none --quiet >/dev/null &&
        ok "[exception] target columns unchanged" ||
        fail "[exception] target columns changed: $(se_check mx_sr.t1 --cols list:id,v,a --rows none)"
    ddl_once "[exception] no DDL on the target" mx_sr t1 '^\s*(ALTER|TRUNCATE|DROP)' 0

    # ignore: the target keeps its columns, the common columns stay in sync
    JOB_PID=${PID[mi]} converge "[ignore] add_column ignored" "$T/mi.log" mi_sr.t1 --source mi.t1 \
        --cols list:id,v,a
    ddl_once "[ignore] no DDL on the target" mi_sr t1 '^\s*(ALTER|TRUNCATE|DROP)' 0
    # try_evolve: applies what it can
    JOB_PID=${PID[mt]} converge "[try_evolve] add_column" "$T/mt.log" mt_sr.t1 --source mt.t1
    ddl_once "[try_evolve] add_column" mt_sr t1 'ADD COLUMN `?c`?\b'
    writer_resume

    # try_evolve: a change the target refuses (VARCHAR narrowed: StarRocks only widens) is
    # tolerated, the job goes on; then a drop column it can apply
    # (ignore: a drop of a column the target has leaves it there)
    printf '%s\n' "mi.t1 mixed v:nn c:int" "mt.t1 mixed v:nn c:int" | writer_tables
    sleep "$FLOW"
    src "ALTER TABLE mt.t1 MODIFY COLUMN a VARCHAR(10)"
    src "ALTER TABLE mt.t1 DROP COLUMN a"
    src "ALTER TABLE mi.t1 DROP COLUMN a"
    sleep "$FLOW"
    writer_pause
    JOB_PID=${PID[mt]} converge "[try_evolve] narrowing tolerated, drop_column applied" \
        "$T/mt.log" mt_sr.t1 --source mt.t1
    ddl_once "[try_evolve] drop_column" mt_sr t1 'DROP COLUMN `?a`?\b'
    JOB_PID=${PID[mi]} converge "[ignore] drop_column ignored" "$T/mi.log" mi_sr.t1 \
        --source mi.t1 --cols list:id,v,a
    writer_resume

    # a primary-key change fails ignore and try_evolve alike
    sleep "$FLOW"
    for d in mi mt; do
        src "ALTER TABLE $d.t1 DROP PRIMARY KEY, ADD PRIMARY KEY (id, v)"
    done
    for d in mi mt; do
        JOB_PID=${PID[$d]}
        wait_exit 30; rc=$RC
        b=${BEH[$d]}
        if [ "$rc" = running ]; then
            fail "[$b] primary key change: the job still runs 30 s later"; stop_job
        elif [ "$rc" -eq 0 ]; then
            fail "[$b] primary key change: the job exited 0"
        elif grep -iE 'primary key' "$T/$d.log" | grep -q 't1'; then
            ok "[$b] primary key change: the job failed (exit $rc): $(grep -iE 'primary key' "$T/$d.log" | grep t1 | tail -n 1 | cut -c1-200)"
        else
            fail "[$b] primary key change: the job failed (exit $rc) without naming the primary key and t1:"
            log_tail "$T/$d.log" 5
        fi
        say "[$b] schema changes:$(metrics_line "$d")"
    done
    JOB_PID=
    writer_stop
    # the print job's SC records: add_column c, modify_column a, drop_column a, the key change
    JOB_PID=${PID[mp]}
    stop_job
    python3 - "$T/mp.jsonl" >"$T/mp.check" 2>&1 <<'PY' 
import json, sys
scs = []
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("op") == "SC":
        scs.append(r)
changes = [c for r in scs for c in r.get("changes", [])]
def find(**kw):
    return [c for c in changes if all(str(c.get(k, "")).lower().startswith(v) for k, v in kw.items())]
want = [("add_column c int nullable", dict(type="add_column", column="c", sql_type="int", nullable="true")),
        ("modify_column a varchar(10)", dict(type="modify_column", column="a", sql_type="varchar(10)")),
        ("drop_column a", dict(type="drop_column", column="a"))]
for what, kw in want:
    got = find(**kw)
    print(f"ok SC record changes hold {what}: {json.dumps(got[0])}" if got else
          f"FAIL no SC record change {what} among {len(scs)} SC records: {json.dumps(changes)[:300]}")
k = [r for r in scs if r.get("key_changed")]
print(f"ok SC record of the primary-key change has key_changed: {r.get('ddl', '')[:80] if (r := k[0] if k else None) else ''}"
      if k else f"FAIL no SC record with key_changed among {[r.get('ddl', '')[:60] for r in scs]}")
PY
    while read -r line; do
        case "$line" in ok*) ok "[print] ${line#ok }" ;; *) fail "[print] ${line#FAIL }" ;; esac
    done <"$T/mp.check"
    # ignore: nothing applied; the add and the drop counted as not applied (which of ignored,
    # converted or skipped the contract leaves open)
    n=0
    for o in skipped ignored converted; do
        v=$(metric "$T/mi.prom" $o)
        [ "$v" = absent ] || n=$((n + ${v%.*}))
    done
    a=$(metric "$T/mi.prom" applied)
    [ "$n" -ge 2 ] && [ "${a%.*}" = 0 ] &&
        ok "[ignore] metric: applied 0, skipped+ignored+converted $n" ||
        fail "[ignore] sluice_starrocks_schema_changes_total: applied $a (want 0), skipped+ignored+converted $n (want >= 2)"
    ;;

sharded)
    client -e "CREATE DATABASE sh_0 CHARACTER SET utf8mb4; CREATE DATABASE sh_1 CHARACTER SET utf8mb4;
        CREATE TABLE sh_0.orders (id INT NOT NULL PRIMARY KEY, v INT NOT NULL, s VARCHAR(20));
        CREATE TABLE sh_1.orders (id INT NOT NULL PRIMARY KEY, v INT NOT NULL, s VARCHAR(20));
        INSERT INTO sh_0.orders SELECT seq, seq, CONCAT('zero', seq) FROM test.seq_1_to_200;
        INSERT INTO sh_1.orders SELECT seq, seq, CONCAT('one', seq) FROM test.seq_1_to_200" ||
        die "source shards"
    se_generate "$T/sharded.json" se_sr --tables 'sh_[0-9]+\.orders' \
        --route 'sh_[0-9]+\.orders=orders_all' --merge-key add-source
    se_patch "$T/sharded.json" 'sink["schema_change"] = {"behavior": "evolve"}
j["restart"] = {"strategy": "fixed-delay", "attempts": 2, "delay": "500ms"}'
    LOG=$T/sharded.log
    run_job "$T/sharded.json" "$LOG" || die "the job did not start"
    M=(se_sr.orders_all --source sh_0.orders --source sh_1.orders --extra _source_db=db
       --extra _source_table=table)
    printf '%s\n' "sh_0.orders mixed v:nn s:str" "sh_1.orders mixed v:nn s:str" | writer_tables
    writer_start
    sleep "$FLOW"
    writer_pause
    converge "initial merge" "$LOG" "${M[@]}"
    writer_resume
    ddl "shard 0 adds note" "ALTER TABLE sh_0.orders ADD COLUMN note VARCHAR(20) NULL AFTER v" \
        "sh_0.orders mixed v:nn note:str s:str
sh_1.orders mixed v:nn s:str"
    converge "shard 0 altered: note added, NULL for shard 1's rows" "$LOG" "${M[@]}"
    ddl_once "shard 0 altered" se_sr orders_all 'ADD COLUMN `?note`?\b'
    n=$(sr_sql "SELECT COUNT(*) FROM se_sr.orders_all WHERE _source_db = 'sh_1' AND note IS NOT NULL")
    [ "$n" = 0 ] && ok "shard 1's rows have NULL in note" ||
        fail "shard 1's rows: $n with a non-NULL note, want 0"
    writer_resume
    sleep 2 # a few checkpoints with both schemas
    ddl "shard 1 adds note too" "ALTER TABLE sh_1.orders ADD COLUMN note VARCHAR(20) NULL AFTER v" \
        "sh_0.orders mixed v:nn note:str s:str
sh_1.orders mixed v:nn note:str s:str"
    converge "both shards altered" "$LOG" "${M[@]}"
    ddl_once "both shards altered: the column added once" se_sr orders_all 'ADD COLUMN `?note`?\b'
    n=$(sr_sql "SELECT COUNT(*) FROM se_sr.orders_all WHERE _source_db = 'sh_1' AND note IS NOT NULL")
    [ "${n:-0}" -gt 0 ] && ok "shard 1's new rows carry note ($n rows)" ||
        fail "shard 1's rows: none with a note after its ALTER (writer wrote some)"
    writer_stop
    stop_job
    say "schema changes:$(metrics_line sharded)"
    # the checker itself: the merged table against shard 0 alone must differ
    se_check se_sr.orders_all --source sh_0.orders --extra _source_db=db \
        --extra _source_table=table --quiet >"$T/selftest.log" 2>&1 &&
        fail "the checker missed shard 1's rows: $(cat "$T/selftest.log")"
    ;;
*)
    echo "usage: $0 SLUICE SR_ENDPOINT MYSQL_PORT evolve|lenient|main|modes|sharded" >&2; exit 2 ;;
esac
grep -hE 'AddressSanitizer|runtime error' "$T"/*.log | head -n 3 | grep -q . &&
    fail "sanitizer report in a log"
grep -qF -- "$SR_PW" "$T"/*.log && fail "the target password is in a log"
se_finish
