#!/usr/bin/env python3
"""The demo's shop: its schema and first rows, a stream of changes, and the source/target
comparison (row counts and a checksum over canonical values). Talks to MariaDB and to
sr-endpoint's MySQL port through the `mariadb` client, on loopback only.

  demo_shop.py schema                      SQL of the schema and first rows, on stdout
  demo_shop.py changes SECONDS             a stream of transactions on stdout (pipe to mariadb)
  demo_shop.py compare MARIADB_DIR QUERY_PORT SR_DB   one line per target table; exit 0 when equal
"""
import hashlib
import random
import subprocess
import sys
import time

SHARDS = 4
CUSTOMERS, PRODUCTS, ORDERS_PER_SHARD = 200, 50, 300


def schema():
    out = ["CREATE DATABASE shop CHARACTER SET utf8mb4;",
           """CREATE TABLE shop.customers (id INT PRIMARY KEY AUTO_INCREMENT,
                name VARCHAR(60) NOT NULL, email VARCHAR(120), city VARCHAR(40),
                created DATETIME(3) NOT NULL) COMMENT 'people who buy';""",
           """CREATE TABLE shop.products (sku VARCHAR(20) PRIMARY KEY, title VARCHAR(100) NOT NULL,
                price DECIMAL(10,2) NOT NULL, stock INT UNSIGNED NOT NULL,
                tags SET('new','sale','eco'));"""]
    for s in range(SHARDS):
        out.append(f"CREATE DATABASE shop_{s} CHARACTER SET utf8mb4;")
        out.append(f"""CREATE TABLE shop_{s}.orders (id BIGINT PRIMARY KEY AUTO_INCREMENT,
                customer_id INT NOT NULL, sku VARCHAR(20) NOT NULL, qty SMALLINT NOT NULL,
                amount DECIMAL(12,2) NOT NULL, status ENUM('new','paid','shipped') NOT NULL,
                placed DATETIME(3) NOT NULL) COMMENT 'orders of shard {s}';""")
    rnd = random.Random(7)
    rows = [f"({i}, 'customer {i}', 'c{i}@example.com', '{rnd.choice(['Oslo', 'Lyon', 'Kyōto', 'Porto'])}', NOW(3))"
            for i in range(1, CUSTOMERS + 1)]
    out.append("INSERT INTO shop.customers VALUES " + ",".join(rows) + ";")
    rows = [f"('SKU-{i:04d}', 'product {i}', {rnd.randint(100, 99999) / 100:.2f}, {rnd.randint(0, 500)}, 'new')"
            for i in range(1, PRODUCTS + 1)]
    out.append("INSERT INTO shop.products VALUES " + ",".join(rows) + ";")
    for s in range(SHARDS):
        rows = [order_values(rnd) for _ in range(ORDERS_PER_SHARD)]
        out.append(f"INSERT INTO shop_{s}.orders (customer_id, sku, qty, amount, status, placed) VALUES "
                   + ",".join(rows) + ";")
    print("\n".join(out))


def order_values(rnd):
    qty = rnd.randint(1, 9)
    return (f"({rnd.randint(1, CUSTOMERS)}, 'SKU-{rnd.randint(1, PRODUCTS):04d}', {qty}, "
            f"{qty * rnd.randint(100, 20000) / 100:.2f}, 'new', NOW(3))")


def changes(seconds):
    """Small transactions of inserts, updates and deletes, about 200 statements a second."""
    rnd = random.Random()
    end = time.time() + seconds
    while time.time() < end:
        stmts = []
        for _ in range(rnd.randint(1, 5)):
            s = rnd.randrange(SHARDS)
            r = rnd.random()
            if r < 0.45:
                stmts.append(f"INSERT INTO shop_{s}.orders (customer_id, sku, qty, amount, status, placed) "
                             f"VALUES {order_values(rnd)};")
            elif r < 0.70:
                stmts.append(f"UPDATE shop_{s}.orders SET status = '{rnd.choice(['paid', 'shipped'])}' "
                             f"ORDER BY RAND() LIMIT 1;")
            elif r < 0.80:
                stmts.append(f"DELETE FROM shop_{s}.orders ORDER BY RAND() LIMIT 1;")
            elif r < 0.90:
                stmts.append(f"UPDATE shop.products SET stock = GREATEST(stock - 1, 0), tags = 'sale' "
                             f"WHERE sku = 'SKU-{rnd.randint(1, PRODUCTS):04d}';")
            else:
                stmts.append(f"UPDATE shop.customers SET city = '{rnd.choice(['Oslo', 'Lima', 'Graz'])}' "
                             f"WHERE id = {rnd.randint(1, CUSTOMERS)};")
        print("BEGIN; " + " ".join(stmts) + " COMMIT;", flush=True)
        time.sleep(0.02)


def canon(v):
    """One text per value on both sides: NULL apart, decimals and times without trailing zeros."""
    if v is None or v == "NULL":
        return "\\N"
    if len(v) >= 19 and v[4] == "-" and v[10] == " " and "." in v:
        v = v.rstrip("0").rstrip(".")
    return v


def checksum(rows):
    h = hashlib.sha256()
    for r in sorted("\x1f".join(canon(v) for v in row) for row in rows):
        h.update(r.encode() + b"\n")
    return h.hexdigest()[:16]


def source_rows(maria_dir, sql):
    out = subprocess.run(["bash", "tests/harness/mariadb.sh", "client", maria_dir,
                          "--default-character-set=utf8mb4", "-N", "-B", "-e", sql],
                         check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines()]


def target_rows(query_port, db, table, cols):
    """Over sr-endpoint's MySQL port with the same client, so both sides print values alike;
    the password comes from MYSQL_PWD in the environment."""
    out = subprocess.run(["mariadb", "--no-defaults", "-h127.0.0.1", f"-P{query_port}", "-uroot",
                          "--default-character-set=utf8mb4", "-N", "-B", "-e", f"SELECT {', '.join(cols)} FROM {db}.{table}"],
                         check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines()]


def compare(maria_dir, query_port, db):
    tables = [("customers", "SELECT id, name, email, city, created FROM shop.customers",
               ["id", "name", "email", "city", "created"]),
              ("products", "SELECT sku, title, price, stock, tags FROM shop.products",
               ["sku", "title", "price", "stock", "tags"]),
              ("orders", " UNION ALL ".join(
                  f"SELECT id, 'shop_{s}', customer_id, sku, qty, amount, status, placed FROM shop_{s}.orders"
                  for s in range(SHARDS)),
               ["id", "_source_db", "customer_id", "sku", "qty", "amount", "status", "placed"])]
    equal = True
    for name, sql, cols in tables:
        src = source_rows(maria_dir, sql)
        try:
            dst = target_rows(query_port, db, name, cols)
        except subprocess.CalledProcessError:  # not created yet
            dst = []
        a, b = checksum(src), checksum(dst)
        same = len(src) == len(dst) and a == b
        equal &= same
        print(f"  {name:10} MariaDB {len(src):6} rows  checksum {a}   StarRocks {len(dst):6} rows  "
              f"checksum {b}   {'equal' if same else 'catching up'}")
    return equal


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "schema":
        schema()
    elif cmd == "changes":
        changes(float(sys.argv[2]))
    elif cmd == "compare":
        sys.exit(0 if compare(sys.argv[2], sys.argv[3], sys.argv[4]) else 1)
    else:
        sys.exit(__doc__)
