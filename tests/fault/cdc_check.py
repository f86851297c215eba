#!/usr/bin/env python3
"""Checks of the mysql_cdc fault test. Prints "ok ..." lines, "FAIL: ..." lines; exits 1 on a FAIL.
  cdc_check.py splits LOG TABLE
      From the runs in LOG (cdc_run.py's "=== run" markers, DEBUG logs): every run that restored
      the snapshot resumed at the split after those finished before (the first split it read is
      #K when "K splits finished before", and it read #K, #K+1, ... once each), K never went
      back, a run killed after two checkpoints past its first split moved K forward, some restart
      resumed with K > 0, and the run that ended the snapshot read exactly the splits left.
  cdc_check.py dumpkill LOG NAME KILLS
      Run NAME logged KILLS "=== KILL" lines, a new binlog stream on another connection after
      each, and closed with at least KILLS reconnects.
  cdc_check.py replay TABLE OUTDIR FINAL
      Replays the committed part files of OUTDIR in checkpoint order as a changelog of TABLE
      (+I only for an absent key, -U/-D only with the key's current row, +U after its -U) and
      compares the result with FINAL (`id<TAB>v<TAB>pad` lines of a SELECT); no row version
      (id, v) is created twice nor ended twice, and no hidden (uncommitted) part is left."""
import glob
import json
import os
import re
import sys

failures = 0


def fail(msg):
    global failures
    failures += 1
    print(f"FAIL: {msg}")


def runs_of(log_path):
    """[(name, [lines])] in order."""
    runs = []
    with open(log_path, errors="replace") as f:
        for line in f:
            m = re.match(r"=== run (\S+) ", line)
            if m:
                runs.append((m.group(1), []))
            elif runs:
                runs[-1][1].append(line)
    return runs


def check_splits(log_path, table):
    # "snapshot (initial) of 1 tables[ by 1 subtasks], K splits finished before[ (...)]"
    re_before = re.compile(r"mysql_cdc: snapshot \([\w-]+\) of \d+ tables.*?, (\d+) splits finished "
                           r"before")
    re_split = re.compile(r"mysql_cdc: split " + re.escape(table) + r"#(\d+): ")
    re_done = re.compile(r"mysql_cdc: snapshot done \((\d+) splits read by")
    prev_k, prev_read, prev_killed_late = None, [], False
    total_read, resumed, last = 0, 0, None
    for name, lines in runs_of(log_path):
        ks = [int(m.group(1)) for m in map(re_before.search, lines) if m]
        read = [int(m.group(1)) for m in map(re_split.search, lines) if m]
        done = [int(m.group(1)) for m in map(re_done.search, lines) if m]
        if not ks:
            continue  # a run in the binlog phase
        k = ks[0]
        if len(ks) != 1:
            fail(f"run {name}: {len(ks)} snapshot starts")
        if read and read != list(range(k, k + len(read))):
            fail(f"run {name}: {k} splits finished before, but it read #{read[:8]}...: "
                 f"a finished split was read again, or one was skipped")
        if prev_k is not None:
            if k < prev_k:
                fail(f"run {name}: {k} splits finished before, the run before restored {prev_k}")
            if k > prev_k + len(prev_read):
                fail(f"run {name}: {k} splits finished before, more than the {prev_k} + "
                     f"{len(prev_read)} read so far")
            if prev_killed_late and k <= prev_k:
                fail(f"run {name}: {k} splits finished before, no more than before the run "
                     f"before, though that one was killed two checkpoints past its first split")
            resumed += k > 0
        ckpts = 0
        first = next((i for i, line in enumerate(lines) if re_split.search(line)), None)
        if first is not None:
            ckpts = sum(1 for line in lines[first:] if " COMPLETED " in line)
        prev_killed_late = ckpts >= 2 and not done
        prev_k, prev_read = k, read
        total_read += len(read)
        print(f"info   run {name}: {k} splits finished before, read {len(read)}"
              + (f" (#{read[0]}..#{read[-1]})" if read else "")
              + (", snapshot done" if done else ""))
        if done:
            last = (name, k, read, done[0])
    if last is None:
        fail("no run finished the snapshot")
        return
    name, k, read, done = last
    total = k + len(read)
    if done != len(read):
        fail(f"run {name}: snapshot done after {done} splits read by this run, the log shows "
             f"{len(read)}")
    if resumed == 0:
        fail("no restart resumed the snapshot after finished splits (all restored 0)")
    if failures == 0:
        print(f"ok     snapshot: {total} splits; {total_read} split reads over all runs, "
              f"{resumed} restarts resumed after finished splits, none read a finished split")


def check_dumpkill(log_path, name, kills):
    lines = next((lines for n, lines in runs_of(log_path) if n == name), None)
    if lines is None:
        fail(f"no run {name} in the log")
        return
    re_stream = re.compile(r"binlog stream from \S+ started at .*connection (\d+)\)")
    killed, after, conns = [], 0, []
    for line in lines:
        m = re.match(r"=== KILL (\d+) ", line)
        if m:
            killed.append(int(m.group(1)))
        m = re_stream.search(line)
        if m:
            conns.append(int(m.group(1)))
            if killed and conns[-1] not in killed and len(conns) > len(killed):
                after += 1
    m = [re.search(r"closed after \d+ records of \d+ transactions, (\d+) reconnects", line)
         for line in lines]
    reconnects = [int(x.group(1)) for x in m if x]
    if len(killed) != kills:
        fail(f"run {name}: {len(killed)} KILLs, want {kills}")
    if after < kills:
        fail(f"run {name}: {after} new binlog streams after {len(killed)} KILLs: {conns}")
    if not reconnects or reconnects[0] < kills:
        fail(f"run {name}: reconnects logged at close: {reconnects}, want >= {kills}")
    if failures == 0:
        print(f"ok     {kills} KILLs of the Binlog Dump thread survived: streams on connections "
              f"{conns}, {reconnects[0]} reconnects")


def check_replay(table, outdir, final_path):
    parts = sorted(glob.glob(os.path.join(outdir, "part-*.jsonl")),
                   key=lambda p: int(re.search(r"-(\d+)\.jsonl$", p).group(1)))
    hidden = [f for f in os.listdir(outdir) if f.startswith(".")]
    if hidden:
        fail(f"{len(hidden)} hidden parts left after the final run: {hidden[:3]}")
    state, created, ended = {}, set(), set()
    pending = None  # the -U waiting for its +U
    events = 0
    for part in parts:
        with open(part) as f:
            for n, line in enumerate(f, 1):
                where = f"{os.path.basename(part)}:{n}"
                try:
                    ev = json.loads(line)
                except ValueError:
                    fail(f"{where}: not JSON: {line[:120]}")
                    continue
                events += 1
                op, d = ev.get("op"), ev.get("data", {})
                if ev.get("table") != table:
                    fail(f"{where}: change of table {ev.get('table')}, want {table}")
                    continue
                row = (d["id"], d["v"], d["pad"])
                ver = (d["id"], d["v"])
                cur = state.get(d["id"])
                if pending is not None and op != "+U":
                    fail(f"{where}: {op} after a -U of id {pending}, want its +U")
                    pending = None
                if op in ("+I", "+U"):
                    if ver in created:
                        fail(f"{where}: {op} of (id {ver[0]}, v {ver[1]}) again: a change "
                             f"committed twice")
                    created.add(ver)
                    if op == "+I" and cur is not None:
                        fail(f"{where}: +I of id {d['id']}, which holds v {cur[1]}")
                    if op == "+U" and pending != d["id"]:
                        fail(f"{where}: +U of id {d['id']} without its -U")
                    state[d["id"]], pending = row, None
                elif op in ("-U", "-D"):
                    if ver in ended:
                        fail(f"{where}: {op} of (id {ver[0]}, v {ver[1]}) again: a change "
                             f"committed twice")
                    ended.add(ver)
                    if cur != row:
                        fail(f"{where}: {op} of {row}, but id {d['id']} holds {cur}: a change "
                             f"was lost or doubled")
                    state.pop(d["id"], None)
                    pending = d["id"] if op == "-U" else None
                else:
                    fail(f"{where}: op {op}")
                if failures > 20:
                    print("(stopping after 20 failures)")
                    return
    if pending is not None:
        fail(f"the last committed change is a -U of id {pending} without its +U")
    got = [f"{r[0]}\t{r[1]}\t{r[2]}" for _, r in sorted(state.items())]
    with open(final_path) as f:
        want = [line.rstrip("\n") for line in f if line.strip()]
    if got != want:
        gs, ws = set(got), set(want)
        fail(f"the replayed changelog holds {len(got)} rows, the table {len(want)}; only in the "
             f"stream: {sorted(gs - ws)[:5]}; only in the table: {sorted(ws - gs)[:5]}")
    if failures == 0:
        print(f"ok     exact: {events} committed changes in {len(parts)} parts replay to the "
              f"table's {len(want)} rows; no row version created or ended twice")


cmd = sys.argv[1]
if cmd == "splits":
    check_splits(sys.argv[2], sys.argv[3])
elif cmd == "dumpkill":
    check_dumpkill(sys.argv[2], sys.argv[3], int(sys.argv[4]))
elif cmd == "replay":
    check_replay(sys.argv[2], sys.argv[3], sys.argv[4])
else:
    sys.exit(f"usage: see {sys.argv[0]}")
sys.exit(1 if failures else 0)
