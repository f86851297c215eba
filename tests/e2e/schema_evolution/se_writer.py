#!/usr/bin/env python3
"""The continuous source writer of the schema-evolution tests: small transactions at a steady rate
into the tables listed in DIR/tables, re-read before every transaction so the test script can
follow its own DDL (drop a column from the list before dropping it, add one after adding it).
  se_writer.py DIR SEED RATE -- CLIENT_COMMAND...
DIR/tables, one table a line:  db.table MODE col:kind ...
  MODE  mixed (upserts, updates, deletes of keys 1..KEYS) or insert (only new, increasing keys,
        from 1000000: a duplicate-key target shows every replayed row as a second row)
  kind  int (random integer, 10% NULL), nn (random integer, never NULL), str (short text, 10% NULL)
Each transaction (1-4 statements) runs in its own client process with --force, so a statement
racing a DDL (a table just renamed or dropped) fails alone; failures are logged to stderr and
counted, never fatal. RATE: transactions per second.
Control files in DIR: `pause` makes the writer stop between transactions and create `paused`
(removed again when `pause` goes); `stop` ends it. Counts go to stderr at the end."""
import os
import random
import string
import subprocess
import sys
import time

KEYS = 400


def value(rng, kind):
    if kind != "nn" and rng.random() < 0.1:
        return "NULL"
    if kind in ("int", "nn"):
        return str(rng.randint(0, 99999))
    n = rng.randint(1, 8)
    return "'" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(n)) + "'"


def read_tables(path):
    out = []
    try:
        for line in open(path):
            f = line.split()
            if len(f) >= 2 and not line.startswith("#"):
                out.append((f[0], f[1], [tuple(c.split(":")) for c in f[2:]]))
    except OSError:
        pass
    return out


def main():
    d, seed, rate = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    client = sys.argv[sys.argv.index("--") + 1:]
    rng = random.Random(seed)
    next_id = {}
    counts = {"txn": 0, "insert": 0, "upsert": 0, "update": 0, "delete": 0, "failed": 0}
    while not os.path.exists(os.path.join(d, "stop")):
        if os.path.exists(os.path.join(d, "pause")):
            open(os.path.join(d, "paused"), "w").close()
            while os.path.exists(os.path.join(d, "pause")) and \
                    not os.path.exists(os.path.join(d, "stop")):
                time.sleep(0.02)
            try:
                os.unlink(os.path.join(d, "paused"))
            except OSError:
                pass
            continue
        tables = read_tables(os.path.join(d, "tables"))
        if not tables:
            time.sleep(0.05)
            continue
        stmts = []
        for _ in range(rng.choice((1, 1, 2, 3, 4))):
            t, mode, cols = rng.choice(tables)
            names = [c for c, _ in cols]
            if mode == "insert":
                k = next_id.get(t, 1000000)
                next_id[t] = k + 1
                vals = [value(rng, kind) for _, kind in cols]
                stmts.append(f"INSERT INTO {t} (id{''.join(', ' + n for n in names)}) "
                             f"VALUES ({k}{''.join(', ' + v for v in vals)});")
                counts["insert"] += 1
                continue
            k = rng.randint(1, KEYS)
            r = rng.random()
            if r < 0.5 or not cols:
                vals = [value(rng, kind) for _, kind in cols]
                upd = ", ".join(f"{n} = VALUES({n})" for n in names) or "id = id"
                stmts.append(f"INSERT INTO {t} (id{''.join(', ' + n for n in names)}) "
                             f"VALUES ({k}{''.join(', ' + v for v in vals)}) "
                             f"ON DUPLICATE KEY UPDATE {upd};")
                counts["upsert"] += 1
            elif r < 0.8:
                picked = [c for c in cols if rng.random() < 0.5] or [rng.choice(cols)]
                sets = ", ".join(f"{n} = {value(rng, kind)}" for n, kind in picked)
                stmts.append(f"UPDATE {t} SET {sets} WHERE id = {k};")
                counts["update"] += 1
            else:
                stmts.append(f"DELETE FROM {t} WHERE id = {k};")
                counts["delete"] += 1
        sql = "BEGIN;\n" + "\n".join(stmts) + "\nCOMMIT;\n"
        p = subprocess.run(client + ["--force"], input=sql, text=True, capture_output=True)
        counts["txn"] += 1
        if p.returncode != 0 or p.stderr.strip():
            counts["failed"] += 1
            print(f"writer: {p.stderr.strip()[:300]}", file=sys.stderr)
        time.sleep(max(0.0, 1.0 / rate - 0.005))
    print("writer: " + ", ".join(f"{k} {v}" for k, v in counts.items()), file=sys.stderr)


if __name__ == "__main__":
    main()
