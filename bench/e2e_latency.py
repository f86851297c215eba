#!/usr/bin/env python3
"""Latency of the MySQL -> StarRocks sync (bench/e2e_sync.sh): MySQL commit to StarRocks commit.
  e2e_latency.py write ROWS RATE SECONDS SEQ0 OUT -- CLIENT...
      Applies RATE row changes per second for SECONDS to bench.t through one `mariadb` client:
      transactions of 10 rows, nine in ten an upsert (INSERT ... ON DUPLICATE KEY UPDATE: updates
      of keys 1..ROWS and inserts above) that sets column u to a sequence number from SEQ0 up, one
      in ten a DELETE of 10 keys. After each commit the client prints the transaction's sequence
      range with the server's clock (SELECT UNIX_TIMESTAMP(NOW(6)), the commit time to ~0.1 ms)
      into OUT. Prints the achieved rate.
  e2e_latency.py report STORE_LOG OFFSET COMMITS SEQ0
      Reads sr-endpoint's store log from byte OFFSET (its commit records carry "ts_us", the wall
      time the rows became visible; prepared batches are matched to their commit_prepared) and
      prints p50/p99/max of visible - committed over every sequence number written."""
import json
import random
import subprocess
import sys
import time


def write(rows, rate, seconds, seq0, out, client):
    rng = random.Random(1)
    proc = subprocess.Popen(client + ["-N", "-B", "--unbuffered"], stdin=subprocess.PIPE,
                            stdout=open(out, "w"), text=True)
    txn_rows = 10
    txns = int(rate * seconds / txn_rows)
    interval = txn_rows / rate
    seq = seq0
    next_key = rows + 1
    start = time.monotonic()
    next_at = start
    for i in range(txns):
        if i % 10 == 9:
            keys = [rng.randint(1, rows) for _ in range(txn_rows)]
            sql = f"DELETE FROM bench.t WHERE id IN ({','.join(map(str, keys))});\n"
        else:
            vals = []
            first = seq
            # distinct keys within a statement: a repeated key would hide a sequence number
            keys = set()
            while len(keys) < txn_rows:
                if rng.random() < 0.2:
                    keys.add(next_key)
                    next_key += 1
                else:
                    keys.add(rng.randint(1, rows))
            for key in sorted(keys):
                vals.append(f"({key},{seq},{seq % 1000})")
                seq += 1
            sql = ("INSERT INTO bench.t (id, u, k) VALUES " + ",".join(vals) +
                   " ON DUPLICATE KEY UPDATE u = VALUES(u), k = VALUES(k);\n"
                   f"SELECT {first}, {seq - 1}, UNIX_TIMESTAMP(NOW(6));\n")
        proc.stdin.write(sql)
        proc.stdin.flush()
        next_at += interval
        delay = next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    proc.stdin.close()
    rc = proc.wait()
    took = time.monotonic() - start
    print(f"{txns * txn_rows} changes in {took:.1f} s ({txns * txn_rows / took:.0f}/s), "
          f"sequence {seq0}..{seq - 1}, client exit {rc}")
    return rc


def report(store_log, offset, commits, seq0):
    committed = {}
    for line in open(commits):
        a, b, ts = line.split()
        for s in range(int(a), int(b) + 1):
            committed[s] = float(ts) * 1e6
    visible = {}
    prepared = {}

    def rows_of(batch):
        cols = batch["cols"]
        if "u" not in cols:
            return []
        at = cols.index("u") + 1
        return [int(r[at]) for r in batch["rows"] if r[0] == 0 and r[at] is not None]

    with open(store_log, "rb") as f:
        f.seek(offset)
        for raw in f:
            try:
                rec = json.loads(raw)
            except ValueError:
                continue
            op = rec.get("op")
            if op == "prepare":
                prepared[(rec["db"], rec["label"])] = rows_of(rec["batch"])
            elif op == "commit" and "ts_us" in rec:
                for s in rows_of(rec["batch"]):
                    visible.setdefault(s, rec["ts_us"])
            elif op == "commit_prepared" and "ts_us" in rec:
                for s in prepared.pop((rec["db"], rec["label"]), []):
                    visible.setdefault(s, rec["ts_us"])
    lat = sorted((visible[s] - committed[s]) / 1000.0 for s in committed if s in visible)
    missing = sum(1 for s in committed if s not in visible)
    if not lat:
        print("no change became visible")
        return 1
    pct = lambda p: lat[min(len(lat) - 1, int(p / 100.0 * len(lat)))]
    print(f"{len(lat)} changes: p50 {pct(50):.0f} ms, p99 {pct(99):.0f} ms, max {lat[-1]:.0f} ms"
          + (f", {missing} never visible" if missing else ""))
    print(f"P50_MS={pct(50):.0f} P99_MS={pct(99):.0f} MISSING={missing}")
    return 0 if missing == 0 else 1


if __name__ == "__main__":
    if sys.argv[1] == "write":
        rows, rate, seconds, seq0 = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
        sys.exit(write(rows, rate, seconds, seq0, sys.argv[6], sys.argv[sys.argv.index("--") + 1:]))
    sys.exit(report(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])))
