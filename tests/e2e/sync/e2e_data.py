"""Row values for the MySQL -> StarRocks end-to-end test (schema.sql): one generator of SQL
literals per column, with edge values (type limits, NULL, '', '\\N', non-ASCII text, arbitrary
bytes, JSON null), shared by the initial load and the writers (e2e_writer.py)."""
import datetime
import random
import struct

I8, I16, I24, I32, I64 = (1 << 7), (1 << 15), (1 << 23), (1 << 31), (1 << 63)

TEXTS = ["", "NULL", "\\N", "plain", "Grüße aus Köln", "日本語のテキスト", "emoji 🙂🚀 ok",
         "tab\there", "line\nbreak", "cr\rlf", "quote ' and \" and \\ backslash",
         "trailing space ", " leading", "ÆØÅ æøå", "x" * 200]


def sql_str(s):
    """A utf8mb4 string literal."""
    esc = (s.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n")
           .replace("\r", "\\r").replace("\0", "\\0"))
    return "_utf8mb4'" + esc + "'"


def sql_bytes(b):
    return "X'" + b.hex() + "'" if b else "''"


class Values:
    def __init__(self, rng):
        self.r = rng

    def edge(self, p=0.12):
        return self.r.random() < p

    def null(self, p=0.08):
        return self.r.random() < p

    def int_(self, lo, hi):
        if self.edge():
            return str(self.r.choice([lo, hi, 0, -1 if lo < 0 else 1]))
        return str(self.r.randint(max(lo, -10**6), min(hi, 10**6)) if self.r.random() < 0.7
                   else self.r.randint(lo, hi))

    def decimal(self, p, s):
        if self.edge():
            nines = "9" * (p - s) + ("." + "9" * s if s else "")
            return self.r.choice([nines, "-" + nines, "0", "0." + "0" * (s - 1) + "1"])
        ip = str(self.r.randint(0, 10 ** self.r.randint(0, p - s) - 1))
        fp = "".join(self.r.choice("0123456789") for _ in range(s))
        return ("-" if self.r.random() < 0.3 else "") + ip + ("." + fp if s else "")

    def float_(self):
        if self.edge():
            v = self.r.choice([0.0, 3.4028234663852886e38, -3.4028234663852886e38,
                               1.1754943508222875e-38, 1.0, 0.1, 16777217.0])
        else:
            v = self.r.uniform(-1, 1) * 10 ** self.r.randint(-10, 20)
        v = struct.unpack("f", struct.pack("f", v))[0]
        return repr(v)

    def double(self):
        if self.edge():
            v = self.r.choice([0.0, 1.7976931348623157e308, -1.7976931348623157e308, 5e-324,
                               2.2250738585072014e-308, 0.1, 1 / 3])
        else:
            v = self.r.uniform(-1, 1) * 10 ** self.r.randint(-30, 30)
        return repr(v)

    def date(self):
        if self.edge():
            return "'" + self.r.choice(["1000-01-01", "9999-12-31", "1970-01-01", "2000-02-29"]) + "'"
        d = datetime.date(1970, 1, 1) + datetime.timedelta(days=self.r.randint(0, 25000))
        return "'" + d.isoformat() + "'"

    def datetime_(self, fsp=6):
        if self.edge():
            return "'" + self.r.choice(["1000-01-01 00:00:00.000000", "9999-12-31 23:59:59.999999",
                                        "2024-02-29 12:00:00.000001"]) + "'"
        t = datetime.datetime(1971, 1, 1) + datetime.timedelta(
            seconds=self.r.randint(0, 2_000_000_000), microseconds=self.r.randint(0, 999999))
        return "'" + t.strftime("%Y-%m-%d %H:%M:%S.%f") + "'"

    def timestamp(self):
        """TIMESTAMP(3), written in a session with time_zone '+00:00'."""
        if self.edge():
            return "'" + self.r.choice(["1970-01-01 00:00:01.000", "2038-01-19 03:14:07.999",
                                        "2000-01-01 00:00:00.001"]) + "'"
        t = datetime.datetime(1970, 1, 2) + datetime.timedelta(
            seconds=self.r.randint(0, 2_140_000_000), milliseconds=self.r.randint(0, 999))
        return "'" + t.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + "'"

    def time_(self):
        if self.edge():
            return "'" + self.r.choice(["-838:59:59", "838:59:59", "00:00:00", "-00:00:01"]) + "'"
        s = self.r.randint(-3_000_000, 3_000_000)
        sign, s = ("-" if s < 0 else ""), abs(s)
        return f"'{sign}{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}'"

    def year(self):
        return str(self.r.choice([1901, 2155, 0]) if self.edge() else self.r.randint(1901, 2155))

    def text(self, maxlen):
        if self.r.random() < 0.35:
            s = self.r.choice(TEXTS)
        else:
            alphabet = "abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789-_.,é日🙂"
            s = "".join(self.r.choice(alphabet) for _ in range(self.r.randint(1, 40)))
        return sql_str(s[:maxlen])

    def long_text(self):
        if self.r.random() < 0.5:
            return self.text(60)
        return sql_str("ü" * self.r.randint(100, 3000) + "end")

    def ascii_code(self, n):
        return "'" + "".join(self.r.choice("ABCDEFGHJK0123456789") for _ in range(n)) + "'"

    def bytes_(self, maxlen):
        if self.edge(0.2):
            b = self.r.choice([b"", b"\x00", b"\xff" * 4, b"\t\n\r\\\"'", b"\\N", b"\x00a\x00",
                               "é".encode()])
        else:
            b = bytes(self.r.randrange(256) for _ in range(self.r.randint(1, maxlen)))
        return sql_bytes(b[:maxlen])

    def enum(self, labels):
        return sql_str(self.r.choice(labels))

    def set_(self, labels):
        return sql_str(",".join(x for x in labels if self.r.random() < 0.4))

    def json_(self):
        docs = ['{"a": 1, "b": [true, false, null], "s": "quote\\" é 🙂"}', "[]", "{}", "null",
                '"just a string"', "12345678901234", "-0.5", '{"nested": {"deep": [1, 2, {"x": "y"}]}}']
        if self.r.random() < 0.5:
            return sql_str(self.r.choice(docs))
        return sql_str('{"k%d": %d, "v": "%s", "f": %s}' % (
            self.r.randint(0, 9), self.r.randint(-10**12, 10**12),
            self.r.choice(["x", "ÿ", "日本", ""]), self.r.choice(["1.5", "true", "null", "[1,2]"])))


def nullable(v, gen, p=0.08):
    return "NULL" if v.null(p) else gen()


def columns(table, v):
    """Column name -> SQL literal for a new version of a row of table (without the key)."""
    if table == "shop.customers":
        return {
            "name": nullable(v, lambda: v.text(100)),
            "email": v.text(255),
            "tier": nullable(v, lambda: v.enum(["bronze", "silver", "gold", "platinum"])),
            "tags": nullable(v, lambda: v.set_(["new", "vip", "b2b", "churn-risk"])),
            "born": nullable(v, v.date),
            "created": nullable(v, v.datetime_),
            "last_seen": nullable(v, v.timestamp),
            "pref_time": nullable(v, v.time_),
            "signup_year": nullable(v, v.year),
            "flags": nullable(v, lambda: str(v.r.choice([0, 1023, 512]) if v.edge() else v.r.randint(0, 1023))),
            "profile": nullable(v, v.json_),
            "avatar": nullable(v, lambda: v.bytes_(300)),
            "note": nullable(v, v.long_text),
        }
    if table == "shop.products":
        return {
            "sku": nullable(v, lambda: v.ascii_code(12)),
            "title": nullable(v, lambda: v.text(200)),
            "price": nullable(v, lambda: v.decimal(12, 2)),
            "big_amount": nullable(v, lambda: v.decimal(38, 10)),
            "weight": nullable(v, v.float_),
            "ratio": nullable(v, v.double),
            "stock": nullable(v, lambda: v.int_(-I24, I24 - 1)),
            "stock_u": nullable(v, lambda: v.int_(0, 2 * I24 - 1)),
            "small": nullable(v, lambda: v.int_(-I16, I16 - 1)),
            "small_u": nullable(v, lambda: v.int_(0, 2 * I16 - 1)),
            "tiny": nullable(v, lambda: v.int_(-I8, I8 - 1)),
            "tiny_u": nullable(v, lambda: v.int_(0, 2 * I8 - 1)),
            "digest": nullable(v, lambda: v.bytes_(16)),
            "code": nullable(v, lambda: v.bytes_(32)),
            "attrs": nullable(v, v.json_),
        }
    if table == "shop.orders":
        return {
            "customer_id": nullable(v, lambda: v.int_(-I64, I64 - 1)),
            "product_id": nullable(v, lambda: v.int_(0, 2 * I32 - 1)),
            "qty": nullable(v, lambda: v.int_(-I32, I32 - 1)),
            "qty_u": nullable(v, lambda: v.int_(0, 2 * I32 - 1)),
            "total": nullable(v, lambda: v.decimal(12, 2)),
            "big": nullable(v, lambda: v.int_(-I64, I64 - 1)),
            "u64": nullable(v, lambda: v.int_(0, 2 * I64 - 1)),
            "status": nullable(v, lambda: v.enum(["new", "paid", "shipped", "cancelled"])),
            "placed": nullable(v, v.datetime_),
            "shipped": nullable(v, v.timestamp),
            "day": nullable(v, v.date),
            "memo": nullable(v, lambda: v.text(255)),
            "payload": nullable(v, lambda: v.bytes_(200)),
        }
    # shop_N.orders
    return {
        "customer_id": nullable(v, lambda: v.int_(-I64, I64 - 1)),
        "amount": nullable(v, lambda: v.decimal(12, 2)),
        "note": nullable(v, lambda: v.text(64)),
        "created": nullable(v, v.datetime_),
    }


# Initial keys 1..N of each table; new keys come from 1..MAX plus the edge keys.
INITIAL = {"shop.customers": 1200, "shop.products": 600, "shop.orders": 2000,
           "shop_0.orders": 500, "shop_1.orders": 500, "shop_2.orders": 500, "shop_3.orders": 500}
KEY_MAX = {"shop.customers": 4000, "shop.products": 2000, "shop.orders": 6000,
           "shop_0.orders": 1500, "shop_1.orders": 1500, "shop_2.orders": 1500, "shop_3.orders": 1500}
EDGE_KEYS = {"shop.customers": [-I64, I64 - 1, 0], "shop.products": [2 * I32 - 1, 0],
             "shop.orders": [-I64, I64 - 1, -1], "shop_0.orders": [-I32, I32 - 1],
             "shop_1.orders": [0], "shop_2.orders": [], "shop_3.orders": [I32 - 1]}


def insert(table, key, cols):
    names = ", ".join(["id"] + list(cols))
    return f"INSERT INTO {table} ({names}) VALUES ({key}, {', '.join(cols.values())});"
