#!/usr/bin/env python3
"""The source side of the MySQL -> StarRocks end-to-end test (schema.sql, e2e_data.py).
  e2e_writer.py load SEED
      prints the initial rows (keys 1..N of every table) as INSERT statements.
  e2e_writer.py write W WRITERS CHANGES SEED RATE -- CLIENT_COMMAND...
      streams CHANGES random changes in transactions of 1-8 statements into one `mariadb` client
      (the command after --): inserts, updates of some or all columns (NULLs and edge values),
      deletes, and updates of the primary key (the row moves to a free key). Writer W owns the
      keys k with k % WRITERS == W, so concurrent writers never touch one row and never fail;
      it keeps the set of keys that exist, so every statement changes exactly one row. RATE:
      changes per second (0: as fast as the server takes them).
      Prints the counts of each kind of change to stderr; exits 1 if the client failed."""
import random
import subprocess
import sys
import time

from e2e_data import EDGE_KEYS, INITIAL, KEY_MAX, Values, columns, insert

SESSION = "SET time_zone = '+00:00'; SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED;\n"


def load(seed):
    v = Values(random.Random(seed))
    out = [SESSION]
    for table, n in INITIAL.items():
        for k in range(1, n + 1, 100):
            rows = []
            for key in range(k, min(n, k + 99) + 1):
                cols = columns(table, v)
                rows.append(f"({key}, {', '.join(cols.values())})")
            names = ", ".join(["id"] + list(columns(table, v)))
            out.append(f"INSERT INTO {table} ({names}) VALUES {', '.join(rows)};\n")
    sys.stdout.write("".join(out))


def write(w, writers, changes, seed, rate, client):
    rng = random.Random(seed * 1000 + w)
    v = Values(rng)
    own = lambda k: k % writers == w
    keys = {t: {k for k in range(1, n + 1) if own(k)} for t, n in INITIAL.items()}
    pool = {t: [k for k in list(range(1, KEY_MAX[t] + 1)) + EDGE_KEYS[t] if own(k)] for t in INITIAL}
    tables = list(INITIAL)
    counts = {"insert": 0, "update": 0, "update_all": 0, "key_update": 0, "delete": 0}

    def free_key(t):
        for _ in range(100):
            k = rng.choice(pool[t])
            if k not in keys[t]:
                return k
        return None

    def change():
        t = rng.choice(tables)
        r = rng.random()
        if (r < 0.25 or not keys[t]) and (k := free_key(t)) is not None:
            keys[t].add(k)
            counts["insert"] += 1
            return insert(t, k, columns(t, v))
        k = rng.choice(sorted(keys[t]))
        if r < 0.42:
            keys[t].discard(k)
            counts["delete"] += 1
            return f"DELETE FROM {t} WHERE id = {k};"
        if r < 0.52 and (nk := free_key(t)) is not None:
            keys[t].discard(k)
            keys[t].add(nk)
            counts["key_update"] += 1
            extra = "".join(f", {c} = {x}" for c, x in columns(t, v).items() if rng.random() < 0.3)
            return f"UPDATE {t} SET id = {nk}{extra} WHERE id = {k};"
        cols = columns(t, v)
        if r < 0.62:
            counts["update_all"] += 1
        else:
            counts["update"] += 1
            picked = [c for c in cols if rng.random() < 0.3] or [rng.choice(list(cols))]
            cols = {c: cols[c] for c in picked}
        return f"UPDATE {t} SET {', '.join(f'{c} = {x}' for c, x in cols.items())} WHERE id = {k};"

    proc = subprocess.Popen(client, stdin=subprocess.PIPE, text=True, encoding="utf-8")
    try:
        proc.stdin.write(SESSION)
        done = 0
        start = time.monotonic()
        while done < changes:
            n = min(changes - done, rng.choice((1, 1, 2, 3, 5, 8)))
            stmts = [change() for _ in range(n)]
            proc.stdin.write("BEGIN;\n" + "\n".join(stmts) + "\nCOMMIT;\n")
            done += n
            if rate > 0 and (ahead := start + done / rate - time.monotonic()) > 0:
                proc.stdin.flush()
                time.sleep(ahead)
        proc.stdin.close()
    except BrokenPipeError:
        pass
    rc = proc.wait()
    print(f"writer {w}: {changes} changes ({', '.join(f'{k} {c}' for k, c in counts.items())}), "
          f"client exit {rc}", file=sys.stderr)
    return 0 if rc == 0 else 1


if __name__ == "__main__":
    if sys.argv[1] == "load":
        load(int(sys.argv[2]))
    else:
        w, writers, changes, seed, rate = map(int, sys.argv[2:7])
        sys.exit(write(w, writers, changes, seed, rate, sys.argv[sys.argv.index("--") + 1:]))
