#!/usr/bin/env python3
"""The checker of the schema-evolution tests: one target table of sr-endpoint against its source
table(s) in MariaDB, columns and rows.
  se_check.py FE QUERY PW TARGET [options] -- MARIADB_CLIENT...
Options:
  --source db.t        a source table (repeat for a sharded merge)
  --extra col=db|table a column the route adds (the row's source database or table name)
  --cols exact         target columns = source columns (union over shards) + extras; the order of
                       a single source's columns kept; types of the same family (int, bigint,
                       varchar wide enough...), nullability equal (key columns NOT NULL)
  --cols superset      target columns include the source's (lenient: dropped/renamed ones stay);
                       types compatible or wider, a nullable source column nullable in the target
  --cols list:a,b,c    target columns are exactly these (in any order)
  --type col=kind      the target type of col starts with kind (e.g. c=bigint); repeatable
  --nullable col=YES|NO  the target's Null of col; repeatable
  --any-null col       leave col's nullability out of the --cols exact check
  --coalesce new=old   compare the target's COALESCE(new, old) with the source's new (lenient rename)
  --skip col           leave col out of the row comparison
  --rows equal|subset|none  equal (default): same keys, same values of the compared columns, no
                       duplicate keys; subset: every source row in the target (the target may
                       hold more: truncate not applied); none: columns only
  --absent             the target table must not exist (dropped or renamed away)
  --quiet              one line; otherwise the first differing rows too
Rows compare on the target's columns that some source has (a shard without a column gives NULL
there) plus the extras; values as text (integers normalised). Exit 0 if it matches."""
import hashlib
import json
import re
import subprocess
import sys
import urllib.request

INTS = {"tinyint", "smallint", "mediumint", "int", "integer", "bigint", "largeint"}
RANK = {"tinyint": 1, "smallint": 2, "mediumint": 3, "int": 3, "integer": 3, "bigint": 4,
        "largeint": 5}


def sr(query_port, pw, sql):
    return subprocess.run(["mariadb", "--no-defaults", "-h127.0.0.1", f"-P{query_port}", "-uroot",
                           f"-p{pw}", "-N", "-B", "-e", sql], capture_output=True, text=True)


def target_desc(query_port, pw, table):
    p = sr(query_port, pw, f"DESC {table}")
    if p.returncode != 0:
        return None, p.stderr.strip()
    cols = []
    for line in p.stdout.splitlines():
        f = line.split("\t")
        cols.append({"name": f[0], "type": f[1].lower(), "null": f[2], "key": f[3]})
    return cols, ""


def source_desc(client, table):
    db, t = table.split(".")
    out = subprocess.run(client + ["-N", "-B", "-e",
                                   "SELECT COLUMN_NAME, DATA_TYPE, IS_NULLABLE, "
                                   "IFNULL(CHARACTER_OCTET_LENGTH, 0), COLUMN_KEY "
                                   "FROM information_schema.COLUMNS "
                                   f"WHERE TABLE_SCHEMA = '{db}' AND TABLE_NAME = '{t}' "
                                   "ORDER BY ORDINAL_POSITION"],
                         check=True, capture_output=True, text=True).stdout
    cols = []
    for line in out.splitlines():
        n, k, nl, octets, key = line.split("\t")
        cols.append({"name": n, "kind": k.lower(), "null": nl, "octets": int(octets),
                     "key": key})
    return cols


def source_rows(client, table, names):
    exprs = [f"IFNULL(CONCAT('v', HEX(CAST(`{n}` AS CHAR CHARACTER SET utf8mb4))), 'n')"
             for n in names]
    out = subprocess.run(client + ["-N", "-B", "-e", f"SELECT {', '.join(exprs)} FROM {table}"],
                         check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        rows.append([None if f == "n" else bytes.fromhex(f[1:]).decode("utf-8")
                     for f in line.split("\t")])
    return rows


def target_rows(fe, table):
    db, t = table.split(".")
    with urllib.request.urlopen(f"http://127.0.0.1:{fe}/_admin/rows?db={db}&table={t}",
                                timeout=60) as r:
        data = json.loads(r.read().decode("utf-8", "surrogateescape"))
    if isinstance(data, dict):
        raise RuntimeError(f"{table}: {data}")
    return data


def family(t):
    m = re.match(r"([a-z]+)(?:\((\d+)(?:,\s*\d+)?\))?", t)
    return m[1], int(m[2]) if m[2] else 0


def type_problem(src, tgt, wider_ok):
    """None when the target type fits the source column, else why not."""
    tf, tlen = family(tgt["type"])
    sk = src["kind"]
    if sk in INTS:
        if tf not in INTS:
            return f"{src['name']}: target {tgt['type']} for source {sk}"
        if RANK[tf] < RANK[sk] or (not wider_ok and RANK[tf] != RANK[sk]):
            return f"{src['name']}: target {tgt['type']} for source {sk}"
        return None
    if sk in ("varchar", "char"):
        if tf not in ("varchar", "char", "string"):
            return f"{src['name']}: target {tgt['type']} for source {sk}"
        if tf != "string" and tlen < src["octets"]:
            return (f"{src['name']}: target {tgt['type']} narrower than the source's "
                    f"{src['octets']} bytes")
        return None
    return None


def canon(kind, v):
    if v is None:
        return None
    if kind in INTS:
        try:
            return str(int(v))
        except ValueError:
            return "BAD-INT:" + str(v)
    return str(v)


def main():
    argv = sys.argv[1:]
    client = argv[argv.index("--") + 1:]
    argv = argv[:argv.index("--")]
    fe, query_port, pw, target = argv[:4]
    opts = argv[4:]
    sources, extras, types, nulls, coalesce, skip, anynull = [], {}, {}, {}, {}, set(), set()
    cols_mode, rows_mode, absent, quiet = "exact", "equal", False, False
    i = 0
    while i < len(opts):
        o = opts[i]
        if o in ("--absent", "--quiet"):
            absent = absent or o == "--absent"
            quiet = quiet or o == "--quiet"
            i += 1
            continue
        a = opts[i + 1]
        i += 2
        if o == "--source":
            sources.append(a)
        elif o == "--extra":
            k, v = a.split("=")
            extras[k] = v
        elif o == "--cols":
            cols_mode = a
        elif o == "--type":
            k, v = a.split("=")
            types[k] = v.lower()
        elif o == "--nullable":
            k, v = a.split("=")
            nulls[k] = v
        elif o == "--coalesce":
            k, v = a.split("=")
            coalesce[k] = v
        elif o == "--skip":
            skip.add(a)
        elif o == "--any-null":
            anynull.add(a)
        elif o == "--rows":
            rows_mode = a
        else:
            print(f"FAIL {target}: bad option {o}")
            return 2

    tcols, err = target_desc(query_port, pw, target)
    if absent:
        if tcols is None:
            print(f"ok   {target}: absent")
            return 0
        print(f"FAIL {target}: still exists, columns {[c['name'] for c in tcols]}")
        return 1
    if tcols is None:
        print(f"FAIL {target}: DESC failed: {err[:200]}")
        return 1
    tnames = [c["name"] for c in tcols]
    tby = {c["name"]: c for c in tcols}
    problems = []
    srcs = {s: source_desc(client, s) for s in sources}
    for s, cols in srcs.items():
        if not cols:
            problems.append(f"source {s} does not exist")
    union = []
    for cols in srcs.values():
        for c in cols:
            if c["name"] not in [u["name"] for u in union]:
                union.append(c)
    uby = {c["name"]: c for c in union}
    want = [c["name"] for c in union] + list(extras)
    if cols_mode == "exact" or cols_mode == "superset":
        missing = [n for n in want if n not in tby]
        if missing:
            problems.append(f"columns missing in the target: {missing}")
        if cols_mode == "exact":
            unexpected = [n for n in tnames if n not in want]
            if unexpected:
                problems.append(f"unexpected target columns: {unexpected}")
            if len(srcs) == 1:
                order = [n for n in tnames if n in uby]
                sorder = [c["name"] for c in union if c["name"] in tby]
                if order != sorder:
                    problems.append(f"column order {order}, source's {sorder}")
        for c in union:
            t = tby.get(c["name"])
            if not t:
                continue
            why = type_problem(c, t, cols_mode == "superset" or len(srcs) > 1)
            if why:
                problems.append(why)
            # A column missing from some shard is nullable in the merged target.
            in_all = all(c["name"] in [x["name"] for x in cols] for cols in srcs.values())
            want_null = c["null"] if in_all else "YES"
            if cols_mode == "exact" and t["null"] != want_null and c["name"] not in anynull:
                problems.append(f"{c['name']}: target Null {t['null']}, source {want_null}")
            if cols_mode == "superset" and want_null == "YES" and t["null"] != "YES":
                problems.append(f"{c['name']}: NOT NULL in the target, nullable in the source")
    elif cols_mode.startswith("list:"):
        exp = [n for n in cols_mode[5:].split(",") if n]
        if sorted(exp) != sorted(tnames):
            problems.append(f"target columns {tnames}, want {exp}")
    for n, k in types.items():
        if n not in tby or not tby[n]["type"].startswith(k):
            problems.append(f"{n}: target type {tby.get(n, {}).get('type')}, want {k}")
    for n, v in nulls.items():
        if n not in tby or tby[n]["null"] != v:
            problems.append(f"{n}: target Null {tby.get(n, {}).get('null')}, want {v}")
    coldesc = f"columns {tnames}"
    if problems:
        print(f"FAIL {target}: {coldesc}: " + "; ".join(problems))
        return 1
    if rows_mode == "none":
        print(f"ok   {target}: {coldesc}")
        return 0

    # Rows: the target columns some source has (or coalesced, or extras), minus skipped ones.
    cmp_cols = [n for n in tnames if (n in uby or n in extras) and n not in skip]
    kinds = {n: uby[n]["kind"] if n in uby else "varchar" for n in cmp_cols}
    keyn = ["id"] + list(extras)
    expected = {}
    for s, cols in srcs.items():
        names = [c["name"] for c in cols]
        db, t = s.split(".")
        for r in source_rows(client, s, names):
            by = dict(zip(names, r))
            for c, what in extras.items():
                by[c] = db if what == "db" else t
            row = tuple(canon(kinds[n], by.get(n)) for n in cmp_cols)
            key = tuple(canon("int" if k == "id" else "varchar", by[k]) for k in keyn)
            if key in expected:
                print(f"FAIL {target}: source key {key} twice")
                return 1
            expected[key] = row
    got, dup = {}, 0
    for raw in target_rows(fe, target):
        by = dict(zip(tnames, raw))
        for new, old in coalesce.items():
            if by.get(new) is None:
                by[new] = by.get(old)
        row = tuple(canon(kinds[n], by.get(n)) for n in cmp_cols)
        key = tuple(canon("int" if k == "id" else "varchar", by.get(k)) for k in keyn)
        if key in got:
            dup += 1
        got[key] = row

    def digest(rows):
        h = hashlib.sha256()
        for k in sorted(rows, key=repr):
            h.update(repr((k, rows[k])).encode())
        return h.hexdigest()[:12]

    if rows_mode == "subset":
        lost = [k for k in expected if got.get(k) != expected[k]]
        ok = not lost and dup == 0
        print(f"{'ok  ' if ok else 'FAIL'} {target}: {coldesc}; every one of {len(expected)} "
              f"source rows in the target ({len(got)} rows)" +
              (f"; {len(lost)} source rows missing or different" if lost else "") +
              (f", {dup} duplicate keys" if dup else ""))
        diff_keys = lost
    else:
        es, gs = digest(expected), digest(got)
        ok = len(expected) == len(got) and es == gs and dup == 0
        print(f"{'ok  ' if ok else 'FAIL'} {target}: {coldesc}; compared {cmp_cols}: source "
              f"{len(expected)} rows ({es}), target {len(got)} rows ({gs})" +
              (f", {dup} duplicate keys" if dup else ""))
        diff_keys = [k for k in set(expected) | set(got) if expected.get(k) != got.get(k)]
    if not ok and not quiet:
        for k in sorted(diff_keys, key=repr)[:6]:
            e, g = expected.get(k), got.get(k)
            print(f"    key {k}: source {e}, target {g}")
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (subprocess.CalledProcessError, OSError, RuntimeError, ValueError) as e:
        detail = getattr(e, "stderr", "") or ""
        print(f"FAIL {sys.argv[4] if len(sys.argv) > 4 else '?'}: {e} {str(detail).strip()[:200]}")
        sys.exit(1)
