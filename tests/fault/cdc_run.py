#!/usr/bin/env python3
"""One run of `sluice run` for the mysql_cdc fault test, its stderr appended to LOG (after a
"=== run NAME" marker line) and watched line by line, so a kill lands at a chosen point of the
job's progress whatever the machine's speed:
  snapshot TARGET DELAY_MS   kill -9 DELAY_MS after this run read split #TARGET or later and two
                             checkpoints completed after its first split (so the second one holds
                             a split of this run), or DELAY_MS after the snapshot ended
  binlog CKPTS DELAY_MS      kill -9 DELAY_MS after the CKPTS-th checkpoint completed since the
                             binlog stream started (CKPTS 0: after the stream started)
  dumpkill N SEED CLIENT...  KILL the Binlog Dump thread of the stream from the server (CLIENT is
                             a mariadb client command line) N times, each 0-60 ms (random from
                             SEED) after a checkpoint once the stream (re)started; then three more
                             checkpoints, then SIGTERM
  end                        let the job end by itself
Usage: cdc_run.py LOG NAME TIMEOUT_S MODE ARGS... -- SLUICE_COMMAND...
Prints one line: "killed AT", "exit RC" or "FAIL: WHY"; exits 1 on FAIL."""
import random
import re
import signal
import subprocess
import sys
import threading
import time

argv = sys.argv[1:]
cut = argv.index("--")
(log_path, name, timeout_s, mode), args, cmd = argv[:4], argv[4:cut], argv[cut + 1:]
if mode == "dumpkill":
    args, client = args[:2], args[2:]
    pause = random.Random(int(args[1]))

RE_SPLIT = re.compile(r"mysql_cdc: split \S+#(\d+): ")
RE_CKPT = re.compile(r"checkpoint \d+ COMPLETED")
RE_SNAP_START = re.compile(r"mysql_cdc: snapshot \(")
RE_SNAP_DONE = re.compile(r"mysql_cdc: snapshot done")
RE_STREAM = re.compile(r"binlog stream from \S+ started at .*connection (\d+)\)")

log = open(log_path, "a", buffering=1)
log.write(f"=== run {name} {mode} {' '.join(args)}\n")
proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                        errors="replace")
outcome = []  # the first of: ("killed", where), ("term", where), ("fail", why)
lock = threading.Lock()


def act(kind, what, sig=signal.SIGKILL):
    with lock:
        if outcome or proc.poll() is not None:
            return
        outcome.append((kind, what))
        proc.send_signal(sig)


def later(ms, kind, what):
    t = threading.Timer(ms / 1000.0, act, (kind, what))
    t.daemon = True
    t.start()


watchdog = threading.Timer(float(timeout_s), act, ("fail", f"no end within {timeout_s} s"))
watchdog.daemon = True
watchdog.start()


def sql(text):
    r = subprocess.run(client + ["-N", "-B", "-e", text], capture_output=True, text=True,
                       timeout=20)
    if r.returncode != 0:
        raise RuntimeError(f"{text}: {r.stderr.strip()}")
    return r.stdout


# State of the triggers, fed by each log line.
first_split = None      # this run read a split
last_split = -1         # the last split this run read
ckpts_after_split = 0   # checkpoints completed after that
in_snapshot = False     # between the snapshot's start and its end
streaming = False       # the binlog stream started in this run
ckpts_streaming = 0     # checkpoints completed since then
armed = True            # the trigger has not fired yet
dump_conn = None        # connection id of the current stream
kills_done = 0          # dumpkill: KILLs so far
killed_conn = None      # dumpkill: the connection killed last, waiting for a new stream
ckpts_since = 0         # dumpkill: checkpoints since the stream (re)started

for line in proc.stderr:
    log.write(line)
    m_split, m_ckpt = RE_SPLIT.search(line), RE_CKPT.search(line)
    # The snapshot's backfill reads the binlog too: only the binlog phase's stream counts.
    if RE_SNAP_START.search(line):
        in_snapshot = True
    elif RE_SNAP_DONE.search(line):
        in_snapshot = False
    m_stream = None if in_snapshot else RE_STREAM.search(line)
    if m_split:
        last_split = int(m_split.group(1))
        first_split = last_split if first_split is None else first_split
    if m_ckpt and first_split is not None:
        ckpts_after_split += 1
    if m_stream:
        streaming, ckpts_streaming, ckpts_since = True, 0, 0
        dump_conn = int(m_stream.group(1))
    elif m_ckpt and streaming:
        ckpts_streaming += 1
        ckpts_since += 1
    if not armed:
        continue
    if mode == "snapshot":
        target, delay = int(args[0]), int(args[1])
        if (m_split or m_ckpt) and last_split >= target and ckpts_after_split >= 2:
            armed = False
            later(delay, "killed", f"{delay} ms after split #{last_split} (target #{target})")
        elif RE_SNAP_DONE.search(line):
            armed = False
            later(delay, "killed", f"{delay} ms after the snapshot ended (target #{target})")
    elif mode == "binlog":
        ckpts, delay = int(args[0]), int(args[1])
        if (m_stream or m_ckpt) and streaming and ckpts_streaming >= ckpts:
            armed = False
            later(delay, "killed", f"{delay} ms after checkpoint {ckpts} of the binlog stream")
    elif mode == "dumpkill":
        n = int(args[0])
        if killed_conn is not None and m_stream:
            if dump_conn == killed_conn:
                armed = False
                act("fail", f"the stream started again on killed connection {dump_conn}")
            killed_conn = None
        elif killed_conn is None and m_ckpt and streaming and ckpts_since >= 1 and kills_done < n:
            time.sleep(pause.randint(0, 60) / 1000.0)
            try:
                ids = sql("SELECT id FROM information_schema.processlist "
                          "WHERE command LIKE 'Binlog Dump%'").split()
                if str(dump_conn) not in ids:
                    raise RuntimeError(f"connection {dump_conn} is no Binlog Dump thread: {ids}")
                sql(f"KILL {dump_conn}")
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                armed = False
                act("fail", f"KILL: {e}")
                continue
            kills_done += 1
            killed_conn = dump_conn
            log.write(f"=== KILL {dump_conn} (Binlog Dump thread) from the server\n")
        elif killed_conn is None and kills_done == n and m_ckpt and ckpts_since >= 3:
            armed = False
            act("term", f"SIGTERM after {n} KILLs and 3 checkpoints since the last reconnect",
                signal.SIGTERM)

rc = proc.wait()
watchdog.cancel()
log.write(f"=== run {name} exit {rc}\n")
with lock:
    kind, what = outcome[0] if outcome else ("exit", "")
if kind == "fail":
    print(f"FAIL: {what}; exit {rc}")
elif kind == "killed" and rc == -signal.SIGKILL:
    print(f"killed {what}")
elif kind == "term":
    print(f"exit {rc} ({what})" if rc == 130 else f"FAIL: {what}: exit {rc}, want 130")
else:
    print(f"exit {rc}")
sys.exit(1 if kind == "fail" or (kind == "term" and rc != 130) else 0)
