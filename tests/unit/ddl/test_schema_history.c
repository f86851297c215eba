/* The schema history: DDL applied in sequence, lookups before / between / after versions,
 * all-or-nothing statements, re-applied statements, the binary form and its corrupt inputs. */
#include <stdlib.h>
#include <string.h>

#include "operators/mysql/ddl_parse.h"
#include "operators/mysql/schema_history.h"
#include "tests/harness/test.h"

static op_schema_pos at(uint64_t off)
{
    op_schema_pos p = {"mysql-bin.000001", off};
    return p;
}

static int apply(op_schema_history *h, const char *sql, op_schema_pos pos, bool *applied,
                 rt_err *err)
{
    op_ddl *d = NULL;
    int rc = op_ddl_parse(sql, strlen(sql), "shop", 4, &d, err);
    if (rc)
        return rc;
    if (!d)
        return rt_err_set(err, RT_EINVAL, "not DDL: %s", sql);
    rc = op_schema_history_apply(h, d, pos, applied, err);
    op_ddl_free(d);
    return rc;
}

static char described[4096];

/* The columns of shop.<table> at pos, or "ERR <code>". */
static const char *describe(const op_schema_history *h, const char *table, op_schema_pos pos)
{
    rt_buf b;
    rt_buf_init(&b);
    rt_err err;
    int rc = op_schema_history_describe_at(h, "shop", table, pos, &b, &err);
    if (rc)
        snprintf(described, sizeof described, "ERR %s", rt_err_code_name(rc));
    else
        snprintf(described, sizeof described, "%s", b.data ? b.data : "");
    rt_buf_fini(&b);
    return described;
}

#define APPLY(h, sql, off)                                                                         \
    do {                                                                                           \
        rt_err e_;                                                                                 \
        CHECK_OK(apply(h, sql, at(off), NULL, &e_), &e_);                                          \
    } while (0)

TEST(sequence_and_lookups)
{
    op_schema_history *h = op_schema_history_new();
    APPLY(h, "CREATE TABLE t (id INT NOT NULL, a VARCHAR(8), PRIMARY KEY (id))", 100);
    APPLY(h, "ALTER TABLE t ADD b INT FIRST, ADD c TEXT AFTER id", 200);
    APPLY(h, "ALTER TABLE t CHANGE a aa BIGINT NOT NULL, DROP COLUMN b", 300);
    APPLY(h, "ALTER TABLE t MODIFY c INT NOT NULL FIRST, RENAME COLUMN aa TO z", 400);
    APPLY(h, "ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (z, id)", 500);
    APPLY(h, "ALTER TABLE t ADD INDEX (z), ENGINE=InnoDB", 550);
    APPLY(h, "TRUNCATE t", 560);
    CHECK_STR_EQ(describe(h, "t", at(99)), "ERR ENOTFOUND");
    CHECK_STR_EQ(describe(h, "t", at(100)), "id int NOT NULL PK1, a varchar(8)");
    CHECK_STR_EQ(describe(h, "t", at(199)), "id int NOT NULL PK1, a varchar(8)");
    CHECK_STR_EQ(describe(h, "t", at(200)), "b int, id int NOT NULL PK1, c text, a varchar(8)");
    CHECK_STR_EQ(describe(h, "t", at(350)), "id int NOT NULL PK1, c text, aa bigint NOT NULL");
    CHECK_STR_EQ(describe(h, "t", at(400)),
                 "c int NOT NULL, id int NOT NULL PK1, z bigint NOT NULL");
    CHECK_STR_EQ(describe(h, "t", at(10000)),
                 "c int NOT NULL, id int NOT NULL PK2, z bigint NOT NULL PK1");
    op_schema_pos later = {"mysql-bin.000002", 4};
    CHECK_STR_EQ(describe(h, "t", later),
                 "c int NOT NULL, id int NOT NULL PK2, z bigint NOT NULL PK1");
    op_schema_pos earlier = {"mysql-bin.000000", 999999};
    CHECK_STR_EQ(describe(h, "t", earlier), "ERR ENOTFOUND");
    CHECK_UINT_EQ(op_schema_history_version_count(h, "shop", "t"), 5);

    rt_table *t = NULL;
    rt_err err;
    CHECK_OK(op_schema_history_table_at(h, "shop", "t", at(250), &t, &err), &err);
    if (t) {
        CHECK_UINT_EQ(rt_table_column_count(t), 4);
        CHECK_STR_EQ(rt_table_column(t, 0)->name, "b");
        CHECK_INT_EQ(rt_table_column(t, 0)->type, RT_TYPE_INT);
        CHECK_STR_EQ(rt_table_column(t, 2)->sql_type, "text");
        CHECK_INT_EQ(rt_table_column(t, 2)->type, RT_TYPE_STRING);
        CHECK(rt_table_column(t, 1)->primary_key);
        CHECK(!rt_table_column(t, 1)->nullable);
        CHECK_STR_EQ(rt_table_qualified(t), "shop.t");
        rt_table_free(t);
    }
    op_schema_history_free(h);
}

TEST(create_like_drop_rename)
{
    op_schema_history *h = op_schema_history_new();
    APPLY(h, "CREATE TABLE a (id INT PRIMARY KEY, v INT)", 10);
    APPLY(h, "CREATE TABLE b LIKE a", 20);
    APPLY(h, "ALTER TABLE b ADD w INT", 30);
    APPLY(h, "RENAME TABLE a TO tmp, b TO a, tmp TO b", 40);
    CHECK_STR_EQ(describe(h, "a", at(39)), "id int NOT NULL PK1, v int");
    CHECK_STR_EQ(describe(h, "a", at(40)), "id int NOT NULL PK1, v int, w int");
    CHECK_STR_EQ(describe(h, "b", at(40)), "id int NOT NULL PK1, v int");
    CHECK_STR_EQ(describe(h, "tmp", at(40)), "ERR ENOTFOUND");
    APPLY(h, "ALTER TABLE a RENAME TO c", 50);
    CHECK_STR_EQ(describe(h, "a", at(50)), "ERR ENOTFOUND");
    CHECK_STR_EQ(describe(h, "c", at(50)), "id int NOT NULL PK1, v int, w int");
    APPLY(h, "DROP TABLE IF EXISTS b, c, nope", 60);
    CHECK_STR_EQ(describe(h, "b", at(60)), "ERR ENOTFOUND");
    CHECK_STR_EQ(describe(h, "c", at(59)), "id int NOT NULL PK1, v int, w int");
    CHECK_STR_EQ(describe(h, "c", at(60)), "ERR ENOTFOUND");
    APPLY(h, "CREATE TABLE c (x DATE)", 70);
    CHECK_STR_EQ(describe(h, "c", at(70)), "x date");
    APPLY(h, "CREATE TABLE IF NOT EXISTS c (y INT)", 80);
    CHECK_STR_EQ(describe(h, "c", at(80)), "x date");
    op_schema_history_free(h);
}

TEST(errors_leave_the_history_unchanged)
{
    op_schema_history *h = op_schema_history_new();
    APPLY(h, "CREATE TABLE t (a INT, b INT)", 10);
    rt_err err;
    CHECK_INT_EQ(apply(h, "ALTER TABLE t ADD c INT, DROP nope", at(20), NULL, &err), RT_ENOTFOUND);
    CHECK_STR_CONTAINS(err.msg, "column nope not found");
    CHECK_INT_EQ(apply(h, "ALTER TABLE t ADD a INT", at(20), NULL, &err), RT_EEXIST);
    CHECK_INT_EQ(apply(h, "ALTER TABLE t CHANGE a b INT", at(20), NULL, &err), RT_EEXIST);
    CHECK_INT_EQ(apply(h, "ALTER TABLE t ADD c INT AFTER nope", at(20), NULL, &err), RT_ENOTFOUND);
    CHECK_INT_EQ(apply(h, "ALTER TABLE t ADD PRIMARY KEY (nope)", at(20), NULL, &err),
                 RT_ENOTFOUND);
    CHECK_INT_EQ(apply(h, "ALTER TABLE u ADD c INT", at(20), NULL, &err), RT_ENOTFOUND);
    CHECK_STR_CONTAINS(err.msg, "shop.u");
    CHECK_INT_EQ(apply(h, "RENAME TABLE t TO t2, nope TO x", at(20), NULL, &err), RT_ENOTFOUND);
    CHECK_INT_EQ(apply(h, "CREATE TABLE x LIKE nope", at(20), NULL, &err), RT_ENOTFOUND);
    CHECK_INT_EQ(apply(h, "ALTER TABLE t DROP a, DROP b", at(20), NULL, &err), RT_EINVAL);
    CHECK_STR_EQ(describe(h, "t", at(30)), "a int, b int");
    CHECK_STR_EQ(describe(h, "t2", at(30)), "ERR ENOTFOUND");
    CHECK_UINT_EQ(op_schema_history_version_count(h, "shop", "t"), 1);
    APPLY(h, "ALTER TABLE t DROP IF EXISTS nope, ADD IF NOT EXISTS a INT, MODIFY IF EXISTS z INT",
          20);
    CHECK_STR_EQ(describe(h, "t", at(30)), "a int, b int");
    op_schema_history_free(h);
}

TEST(reapplied_statement_is_skipped)
{
    op_schema_history *h = op_schema_history_new();
    bool applied = false;
    rt_err err;
    CHECK_OK(apply(h, "CREATE TABLE t (a INT)", at(10), &applied, &err), &err);
    CHECK(applied);
    CHECK_OK(apply(h, "ALTER TABLE t ADD b INT", at(20), &applied, &err), &err);
    CHECK(applied);
    CHECK_OK(apply(h, "ALTER TABLE t ADD b INT", at(20), &applied, &err), &err);
    CHECK(!applied);
    CHECK_OK(apply(h, "CREATE TABLE t (a INT)", at(10), &applied, &err), &err);
    CHECK(!applied);
    CHECK_STR_EQ(describe(h, "t", at(30)), "a int, b int");
    op_schema_history_free(h);
}

static rt_table *seed_table(void)
{
    rt_column cols[] = {
        {"id", RT_TYPE_UINT, "bigint(20) unsigned", false, true, NULL},
        {"k", RT_TYPE_INT, "int(11)", false, true, NULL},
        {"v", RT_TYPE_STRING, "varchar(32)", true, false, "_utf8mb4'x'"},
    };
    return rt_table_new("shop", "s", cols, 3, NULL);
}

TEST(seed_from_rt_table)
{
    op_schema_history *h = op_schema_history_new();
    rt_table *t = seed_table();
    size_t key[] = {1, 0};
    rt_err err;
    CHECK_OK(op_schema_history_seed(h, t, key, 2, at(4), &err), &err);
    CHECK_STR_EQ(describe(h, "s", at(4)), "id bigint unsigned NOT NULL PK2, k int NOT NULL PK1, "
                                          "v varchar(32) DEFAULT 'x'");
    CHECK_INT_EQ(op_schema_history_seed(h, t, NULL, 0, at(4), &err), RT_EEXIST);
    APPLY(h, "ALTER TABLE s DROP COLUMN k", 50);
    CHECK_STR_EQ(describe(h, "s", at(50)),
                 "id bigint unsigned NOT NULL PK1, v varchar(32) DEFAULT 'x'");
    rt_table_free(t);
    op_schema_history_free(h);
}

/* version_at names the version in force: what a reader compares with the one it built. */
TEST(version_at_names_the_version_in_force)
{
    op_schema_history *h = op_schema_history_new();
    APPLY(h, "CREATE TABLE v (id INT PRIMARY KEY)", 100);
    APPLY(h, "ALTER TABLE v ADD w INT", 200);
    APPLY(h, "DROP TABLE v", 300);
    op_schema_pos since = {0};
    rt_err err;
    CHECK_INT_EQ(op_schema_history_version_at(h, "shop", "v", at(99), &since, &err), RT_ENOTFOUND);
    CHECK_INT_EQ(op_schema_history_version_at(h, "shop", "v", at(100), &since, &err), 0);
    CHECK_UINT_EQ(since.offset, 100);
    CHECK_INT_EQ(op_schema_history_version_at(h, "shop", "v", at(299), &since, &err), 0);
    CHECK_UINT_EQ(since.offset, 200);
    CHECK_STR_EQ(since.file, at(200).file);
    CHECK_INT_EQ(op_schema_history_version_at(h, "shop", "v", at(300), &since, &err), RT_ENOTFOUND);
    CHECK_STR_CONTAINS(err.msg, "dropped");
    op_schema_history_free(h);
}

TEST(unsupported_type_on_lookup)
{
    op_schema_history *h = op_schema_history_new();
    APPLY(h, "CREATE TABLE g (id INT, p VECTOR(3))", 10);
    rt_table *t = NULL;
    rt_err err;
    CHECK_INT_EQ(op_schema_history_table_at(h, "shop", "g", at(10), &t, &err), RT_EUNSUPPORTED);
    CHECK_STR_CONTAINS(err.msg, "column p");
    op_schema_history_free(h);
}

static op_schema_history *sample(void)
{
    op_schema_history *h = op_schema_history_new();
    APPLY(h, "CREATE TABLE t (id INT PRIMARY KEY, e ENUM('a','b'))", 10);
    APPLY(h, "ALTER TABLE t ADD c TEXT", 20);
    APPLY(h, "CREATE TABLE u (x INT, y INT DEFAULT '4', PRIMARY KEY (y, x))", 30);
    APPLY(h, "DROP TABLE t", 40);
    return h;
}

TEST(encode_decode_round_trip)
{
    op_schema_history *h = sample();
    rt_buf a, b;
    rt_buf_init(&a);
    rt_buf_init(&b);
    op_schema_history_encode(h, &a);
    op_schema_history *d = NULL;
    rt_err err;
    CHECK_OK(op_schema_history_decode((const uint8_t *)a.data, a.len, &d, &err), &err);
    if (d) {
        op_schema_history_encode(d, &b);
        CHECK_UINT_EQ(a.len, b.len);
        CHECK(memcmp(a.data, b.data, a.len) == 0);
        CHECK_UINT_EQ(op_schema_history_table_count(d), 2);
        CHECK_STR_EQ(describe(d, "t", at(25)), "id int NOT NULL PK1, e enum('a','b'), c text");
        CHECK_STR_EQ(describe(d, "t", at(40)), "ERR ENOTFOUND");
        CHECK_STR_EQ(describe(d, "u", at(40)), "x int NOT NULL PK2, y int NOT NULL DEFAULT 4 PK1");
        op_schema_history_free(d);
    }
    op_schema_history *empty = op_schema_history_new();
    rt_buf_reset(&b);
    op_schema_history_encode(empty, &b);
    CHECK_OK(op_schema_history_decode((const uint8_t *)b.data, b.len, &d, &err), &err);
    CHECK_UINT_EQ(op_schema_history_table_count(d), 0);
    op_schema_history_free(d);
    op_schema_history_free(empty);
    rt_buf_fini(&a);
    rt_buf_fini(&b);
    op_schema_history_free(h);
}

TEST(truncated_and_corrupt_state)
{
    op_schema_history *h = sample();
    rt_buf a;
    rt_buf_init(&a);
    op_schema_history_encode(h, &a);
    /* Every proper prefix is corrupt (each in its own allocation, for ASan). */
    for (size_t n = 0; n < a.len; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        memcpy(copy, a.data, n);
        op_schema_history *d = NULL;
        rt_err err;
        CHECK_INT_EQ(op_schema_history_decode(copy, n, &d, &err), RT_ECORRUPT);
        CHECK(d == NULL);
        free(copy);
    }
    /* Trailing bytes, an unknown version, and every single-byte change: never a crash. */
    rt_err err;
    op_schema_history *d = NULL;
    uint8_t *copy = malloc(a.len + 1);
    memcpy(copy, a.data, a.len);
    copy[a.len] = 0;
    CHECK_INT_EQ(op_schema_history_decode(copy, a.len + 1, &d, &err), RT_ECORRUPT);
    copy[0] = 3;
    CHECK_INT_EQ(op_schema_history_decode(copy, a.len, &d, &err), RT_ESTATE);
    for (size_t i = 1; i < a.len; i++) {
        for (int v = 0; v < 256; v += 17) {
            memcpy(copy, a.data, a.len);
            copy[i] = (uint8_t)v;
            d = NULL;
            int rc = op_schema_history_decode(copy, a.len, &d, NULL);
            CHECK(rc == 0 || rc == RT_ECORRUPT);
            op_schema_history_free(d);
        }
    }
    free(copy);
    rt_buf_fini(&a);
    op_schema_history_free(h);
}

/* DEFAULT in CREATE, ADD, MODIFY and CHANGE (which restate the whole column: no DEFAULT there
 * drops it), ALTER COLUMN SET / DROP DEFAULT (normalised for the column's type), and the
 * rt_table built from the history. */
TEST(column_defaults)
{
    op_schema_history *h = op_schema_history_new();
    APPLY(h, "CREATE TABLE d (id INT PRIMARY KEY, a INT DEFAULT 7, b VARCHAR(4) DEFAULT NULL)", 10);
    APPLY(h, "ALTER TABLE d ADD c DECIMAL(6,2) NOT NULL DEFAULT '1.5'", 20);
    CHECK_STR_EQ(describe(h, "d", at(20)), "id int NOT NULL PK1, a int DEFAULT 7, b varchar(4), "
                                           "c decimal(6,2) NOT NULL DEFAULT 1.50");
    APPLY(h,
          "ALTER TABLE d ALTER COLUMN a SET DEFAULT '8', ALTER b SET DEFAULT 5, "
          "ALTER c DROP DEFAULT",
          30);
    CHECK_STR_EQ(describe(h, "d", at(30)), "id int NOT NULL PK1, a int DEFAULT 8, "
                                           "b varchar(4) DEFAULT '5', c decimal(6,2) NOT NULL");
    APPLY(h, "ALTER TABLE d MODIFY a BIGINT, CHANGE b bb VARCHAR(4) DEFAULT 'x'", 40);
    CHECK_STR_EQ(describe(h, "d", at(40)), "id int NOT NULL PK1, a bigint, "
                                           "bb varchar(4) DEFAULT 'x', c decimal(6,2) NOT NULL");
    rt_err err;
    rt_table *t = NULL;
    CHECK_OK(op_schema_history_table_at(h, "shop", "d", at(30), &t, &err), &err);
    if (t) {
        CHECK(rt_table_column(t, 0)->default_value == NULL);
        CHECK_STR_EQ(rt_table_column(t, 1)->default_value, "8");
        CHECK_STR_EQ(rt_table_column(t, 2)->default_value, "'5'");
        CHECK(rt_table_column(t, 3)->default_value == NULL);
        rt_table_free(t);
    }
    CHECK_INT_EQ(apply(h, "ALTER TABLE d ALTER COLUMN zz SET DEFAULT 1", at(50), NULL, &err),
                 RT_ENOTFOUND);
    op_schema_history_free(h);
}

/* State written before defaults (format version 1) still decodes, its columns without one. */
TEST(decode_version_1)
{
    /* 1 table shop.v, 1 version at f:7, columns id int NOT NULL PK1 and n int (nullable). */
    static const uint8_t v1[] = {
        1, 1, 0,   0,   0,                                     /* version, table_count */
        4, 0, 's', 'h', 'o', 'p', 1, 0,   'v', 1,   0,   0, 0, /* db, name, version_count */
        1, 0, 'f', 7,   0,   0,   0, 0,   0,   0,   0,   0, 2, 0,
        0, 0,                                                     /* file, offset, flags, cols */
        2, 0, 'i', 'd', 3,   0,   0, 0,   'i', 'n', 't', 0, 1, 0, /* id int, flags 0, key 1 */
        1, 0, 'n', 3,   0,   0,   0, 'i', 'n', 't', 1,   0, 0,    /* n int, nullable */
    };
    op_schema_history *d = NULL;
    rt_err err;
    CHECK_OK(op_schema_history_decode(v1, sizeof v1, &d, &err), &err);
    if (d) {
        op_schema_pos p = {"f", 7};
        rt_buf b;
        rt_buf_init(&b);
        CHECK_OK(op_schema_history_describe_at(d, "shop", "v", p, &b, &err), &err);
        CHECK_STR_EQ(b.data, "id int NOT NULL PK1, n int");
        rt_buf_fini(&b);
        op_schema_history_free(d);
    }
    /* Flag 2 (a default follows) is not a version 1 flag. */
    uint8_t bad[sizeof v1];
    memcpy(bad, v1, sizeof v1);
    bad[sizeof v1 - 3] = 3;
    CHECK_INT_EQ(op_schema_history_decode(bad, sizeof bad, &d, &err), RT_ECORRUPT);
}

TEST(position_order)
{
    op_schema_pos a = {"mysql-bin.000009", 900}, b = {"mysql-bin.000010", 4};
    CHECK(op_schema_pos_compare(a, b) < 0);
    CHECK(op_schema_pos_compare(b, a) > 0);
    CHECK(op_schema_pos_compare(a, a) == 0);
    op_schema_pos c = {"mysql-bin.000009", 901};
    CHECK(op_schema_pos_compare(a, c) < 0);
}

TEST_MAIN()
