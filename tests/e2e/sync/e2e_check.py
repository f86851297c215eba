#!/usr/bin/env python3
"""The checker of the MySQL -> StarRocks end-to-end test: compares every target table of
sr-endpoint (GET /_admin/rows, column names from DESC over its MySQL port) with its source
tables in MariaDB (`mariadb -B -N`, each value as HEX of its text, so no byte is lost to the
client's escaping), row by row on canonical values:
  integers (TINYINT..BIGINT, UNSIGNED, YEAR, BIT as a number) as decimal text; DECIMAL as the
  normalized Decimal (trailing zeros dropped); FLOAT rounded to IEEE single precision on both
  sides (the source is read as CAST(c AS DOUBLE), exact) and DOUBLE as the float64 value, both
  compared exactly by their shortest round-trip repr; DATE as is; DATETIME/TIMESTAMP to the
  microsecond ('YYYY-MM-DD hh:mm:ss.ffffff', TIMESTAMP in UTC); TIME as [-]hh:mm:ss.ffffff;
  strings, ENUM and SET as text; JSON as json.dumps(json.loads(v), sort_keys=True); BINARY,
  VARBINARY and BLOB as the hex of their bytes; NULL distinct from ''.
Spec (JSON file): {"targets": [{"target": "db.t", "sources": ["db.t", ...],
                                "source_columns": {"<target column>": "db"|"table"}}]}
(source_columns: the columns a merge adds that name each row's source database/table).
Each target must hold exactly the rows of its sources (a merged target every shard's rows exactly
once), with equal row counts and an equal checksum (SHA-256 over the sorted canonical rows).
  e2e_check.py SPEC FE_HTTP_PORT QUERY_PORT SR_PASSWORD [--quiet] [--skip-source-row] -- MARIADB_CLIENT...
--quiet prints one line per table; --skip-source-row drops one source row (a self-test: the
check must then fail). Exit 0 when every table matches, 1 otherwise."""
import datetime
import decimal
import hashlib
import json
import re
import struct
import subprocess
import sys
import urllib.request

INTS = {"tinyint", "smallint", "mediumint", "int", "integer", "bigint", "year", "bit"}
BINS = {"binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"}


def canon(kind, text):
    """The canonical form of one value of MySQL type kind given as text (str; bytes for BINS)."""
    if text is None:
        return None
    if kind in BINS:
        return text.hex().upper()
    if kind in INTS:
        return str(int(text))
    if kind in ("decimal", "numeric"):
        d = decimal.Decimal(text)
        return "0" if d == 0 else format(d.normalize(), "f")
    if kind == "float":
        return repr(struct.unpack("f", struct.pack("f", float(text)))[0])
    if kind in ("double", "real"):
        return repr(float(text))
    if kind in ("datetime", "timestamp"):
        m = re.fullmatch(r"(\d{4}-\d\d-\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?", text)
        if not m:
            return "BAD-DATETIME:" + text
        return f"{m[1]} {m[2]}:{m[3]}:{m[4]}.{(m[5] or '').ljust(6, '0')}"
    if kind == "time":
        m = re.fullmatch(r"(-?)(\d+):(\d\d):(\d\d)(?:\.(\d{1,6}))?", text)
        if not m:
            return "BAD-TIME:" + text
        return f"{m[1]}{int(m[2]):02d}:{m[3]}:{m[4]}.{(m[5] or '').ljust(6, '0')}"
    if kind == "json":
        try:
            return json.dumps(json.loads(text), sort_keys=True, ensure_ascii=False)
        except ValueError:
            return "BAD-JSON:" + text
    return text


def source_columns(client, table):
    db, t = table.split(".")
    out = subprocess.run(client + ["-N", "-B", "-e",
                                   "SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS "
                                   f"WHERE TABLE_SCHEMA = '{db}' AND TABLE_NAME = '{t}' "
                                   "ORDER BY ORDINAL_POSITION"],
                         check=True, capture_output=True, text=True).stdout
    return [tuple(line.split("\t")) for line in out.splitlines()]


def source_rows(client, table, cols):
    exprs = []
    for name, kind in cols:
        c = f"`{name}`"
        if kind in BINS:
            e = f"HEX({c})"
        elif kind == "bit":
            e = f"HEX(CAST({c} + 0 AS CHAR))"
        elif kind == "float":
            e = f"HEX(CAST(CAST({c} AS DOUBLE) AS CHAR))"
        else:
            e = f"HEX(CAST({c} AS CHAR CHARACTER SET utf8mb4))"
        exprs.append(f"IFNULL(CONCAT('v', {e}), 'n')")
    sql = f"SET time_zone = '+00:00'; SELECT {', '.join(exprs)} FROM {table}"
    out = subprocess.run(client + ["-N", "-B", "-e", sql], check=True, capture_output=True,
                         text=True).stdout
    rows = []
    for line in out.splitlines():
        vals = []
        for (name, kind), f in zip(cols, line.split("\t")):
            if f == "n":
                vals.append(None)
                continue
            raw = bytes.fromhex(f[1:])
            vals.append(canon(kind, raw if kind in BINS else raw.decode("utf-8")))
        rows.append(vals)
    return rows


def http_get(url):
    with urllib.request.urlopen(url, timeout=60) as r:
        return r.read()


def target_rows(fe, table):
    """Rows of sr-endpoint as lists of str (None for NULL). Its JSON writes valid UTF-8 as is and
    any other byte as \\u00XX: those escapes become lone surrogates, so a binary column encodes
    back (surrogateescape) to exactly its bytes."""
    db, t = table.split(".")
    text = http_get(f"http://127.0.0.1:{fe}/_admin/rows?db={db}&table={t}").decode("utf-8")
    text = re.sub(r"\\(u00[89a-fA-F][0-9a-fA-F]|.)",
                  lambda m: "\\udc" + m[1][3:] if m[1].startswith("u00") else m[0], text)
    data = json.loads(text)
    if isinstance(data, dict):
        raise RuntimeError(f"{table}: {data}")
    return data


def target_columns(query_port, password, table):
    out = subprocess.run(["mariadb", "--no-defaults", "-h127.0.0.1", f"-P{query_port}", "-uroot",
                          f"-p{password}", "-N", "-B", "-e", f"DESC {table}"],
                         check=True, capture_output=True, text=True).stdout
    return [tuple(line.split("\t")[:2]) for line in out.splitlines()]


def show(row, names):
    return "{" + ", ".join(f"{n}={v!r}"[:120] for n, v in zip(names, row)) + "}"


def check_target(spec, fe, query_port, password, client, quiet, skip):
    table = spec["target"]
    extra = spec.get("source_columns", {})
    tcols = target_columns(query_port, password, table)
    tnames = [n for n, _ in tcols]
    # MariaDB's JSON is LONGTEXT in information_schema: the target's JSON type names it.
    tjson = {n for n, t in tcols if t.lower().startswith("json")}
    kinds, expected, names = None, {}, None
    for src in spec["sources"]:
        cols = source_columns(client, src)
        missing = [n for n, _ in cols if n not in tnames]
        unknown = [n for n in tnames if n not in extra and n not in dict(cols)]
        if missing or unknown:
            print(f"FAIL {table}: columns differ from {src}: missing {missing}, unexpected {unknown}")
            return False
        cols = [(n, "json" if n in tjson else k) for n, k in cols]
        kinds = dict(cols)
        db, t = src.split(".")
        rows = source_rows(client, src, cols)
        if skip and rows:
            rows = rows[1:]
            skip = False
        for r in rows:
            byname = dict(zip([n for n, _ in cols], r))
            for c, what in extra.items():
                byname[c] = db if what == "db" else t
            row = tuple(byname[n] for n in tnames)
            key = (byname["id"],) + tuple(byname[c] for c in extra)
            if key in expected:
                print(f"FAIL {table}: source key {key} twice")
                return False
            expected[key] = row
    names = tnames
    got = {}
    dup = 0
    for raw in target_rows(fe, table):
        byname = dict(zip(tnames, raw))
        row = []
        for n in tnames:
            v = byname[n]
            kind = kinds.get(n, "varchar")
            if v is not None and kind in BINS:
                v = v.encode("utf-8", "surrogateescape")
            row.append(canon(kind, v))
        bn = dict(zip(tnames, row))
        key = (bn["id"],) + tuple(bn[c] for c in extra)
        if key in got:
            dup += 1
        got[key] = tuple(row)

    def digest(rows):
        h = hashlib.sha256()
        for k in sorted(rows, key=repr):
            h.update(repr(rows[k]).encode())
        return h.hexdigest()[:16]

    es, gs = digest(expected), digest(got)
    ok = len(expected) == len(got) and es == gs and dup == 0
    print(f"{'ok  ' if ok else 'FAIL'} {table}: source {len(expected)} rows (checksum {es}), "
          f"target {len(got)} rows (checksum {gs})" + (f", {dup} duplicate keys" if dup else ""))
    if ok or quiet:
        return ok
    shown = 0
    for k in sorted(set(expected) | set(got), key=repr):
        e, g = expected.get(k), got.get(k)
        if e == g:
            continue
        if e is None:
            print(f"  key {k}: only in the target: {show(g, names)}")
        elif g is None:
            print(f"  key {k}: missing in the target: {show(e, names)}")
        else:
            diff = [(n, a, b) for n, a, b in zip(names, e, g) if a != b]
            print(f"  key {k}: differs: " + "; ".join(f"{n}: source {a!r} target {b!r}"[:300]
                                                      for n, a, b in diff))
        shown += 1
        if shown >= 8:
            break
    return False


def main():
    argv = sys.argv[1:]
    client = argv[argv.index("--") + 1:]
    argv = argv[:argv.index("--")]
    quiet = "--quiet" in argv
    skip = "--skip-source-row" in argv
    argv = [a for a in argv if not a.startswith("--")]
    spec_path, fe, query_port, password = argv
    spec = json.load(open(spec_path))
    ok = True
    for t in spec["targets"]:
        try:
            ok = check_target(t, fe, query_port, password, client, quiet, skip) and ok
        except (subprocess.CalledProcessError, RuntimeError, OSError) as e:
            detail = getattr(e, "stderr", "") or ""
            print(f"FAIL {t['target']}: {e} {detail.strip()[:300]}")
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
