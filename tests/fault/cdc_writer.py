#!/usr/bin/env python3
"""The concurrent writer of the mysql_cdc fault test: inserts, updates and deletes on DB.t
(id INT PRIMARY KEY, v BIGINT, pad VARCHAR), streamed as SQL into one `mariadb` client (the
command line after --), until SIGTERM. Every write sets v to a fresh value of one counter, so each
row version (id, v) is unique and a change that reaches the stream twice is visible. Keys stay in
2..ROWS-1 (MIN and MAX of the key, hence the snapshot's even split step, do not move); a third of
them are at split boundaries (ids within 2 of a multiple of STEP); inserts fill the table's gaps
and deleted keys. A fifth of the writes are multi-statement transactions, and one in a hundred
an UPDATE of a range of 200 keys (both larger than the source's max_transaction_records).
Usage: cdc_writer.py DB ROWS STEP RATE SEED -- CLIENT_COMMAND...
Prints the number of statements written to stderr when it stops."""
import random
import signal
import subprocess
import sys
import time

db, rows, step, rate, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    int(sys.argv[4]), int(sys.argv[5])
client = sys.argv[sys.argv.index("--") + 1:]
rng = random.Random(seed)
stop = False


def on_term(_sig, _frame):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_term)
signal.signal(signal.SIGINT, on_term)
version = 0


def key():
    """A key of 2..rows-1: a third at split boundaries, else anywhere."""
    if rng.random() < 0.33:
        k = rng.randint(1, rows // step) * step + rng.choice((-1, 0, 1, 2))
        return min(max(k, 2), rows - 1)
    return rng.randint(2, rows - 1)


def write():
    global version
    version += 1
    k, r = key(), rng.random()
    if r < 0.01:
        # One statement of ~200 rows: emitted in many pieces, so checkpoints, kills and
        # reconnects land inside the transaction. v = version * 10^6 + id stays unique.
        return (f"UPDATE {db}.t SET v={version}*1000000+id, pad='r{version}' "
                f"WHERE id BETWEEN {k} AND {k + 199};")
    if r < 0.45:
        return f"UPDATE {db}.t SET v={version}, pad='u{version}' WHERE id={k};"
    if r < 0.75:
        return (f"INSERT INTO {db}.t VALUES ({k},{version},'i{version}') "
                f"ON DUPLICATE KEY UPDATE v=VALUES(v), pad=VALUES(pad);")
    return f"DELETE FROM {db}.t WHERE id={k};"


proc = subprocess.Popen(client, stdin=subprocess.PIPE, text=True)
statements = 0
interval = 1.0 / rate
next_at = time.monotonic()
try:
    while not stop and proc.poll() is None:
        if rng.random() < 0.2:
            n = rng.choice((2, 3, 5, 12, 20, 40))
            sql = "BEGIN; " + " ".join(write() for _ in range(n)) + " COMMIT;\n"
        else:
            n, sql = 1, write() + "\n"
        proc.stdin.write(sql)
        proc.stdin.flush()
        statements += n
        next_at += interval
        delay = next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        else:
            next_at = time.monotonic()
except BrokenPipeError:
    pass
try:
    proc.stdin.close()
except BrokenPipeError:
    pass
rc = proc.wait()
print(f"writer: {statements} statements, last version {version}, client exit {rc}",
      file=sys.stderr)
sys.exit(0 if rc == 0 else 1)
