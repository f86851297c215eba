/* Unit tests of snapshot splits: the even-step decision, even boundaries over signed, unsigned
 * and extreme integer keys, resuming, key order, the checkpoint codec (round trip, every
 * truncation, garbage) and the WHERE text of a split. */
#include <stdlib.h>
#include <string.h>

#include "operators/mysql/snapshot_chunk.h"
#include "operators/mysql/snapshot_split.h"
#include "tests/harness/test.h"

static rt_value vint(int64_t i)
{
    rt_value v = {.type = RT_TYPE_INT, .i = i};
    return v;
}
static rt_value vuint(uint64_t u)
{
    rt_value v = {.type = RT_TYPE_UINT, .u = u};
    return v;
}
static rt_value vtext(rt_type t, const char *s)
{
    rt_value v = {.type = (uint8_t)t};
    v.s.ptr = s;
    v.s.len = (uint32_t)strlen(s);
    return v;
}

TEST(even_step_decision)
{
    op_snapshot_split_options o = {.chunk_size = 1000};
    uint64_t step = 0;
    CHECK(op_snapshot_split_even_step(10000, 10000, &o, &step));
    CHECK_UINT_EQ(step, 1000);
    CHECK(op_snapshot_split_even_step(20000, 10000, &o, &step)); /* half the keys used */
    CHECK_UINT_EQ(step, 2000);
    CHECK(!op_snapshot_split_even_step(100000000, 10000, &o, &step)); /* factor 10000 > 1000 */
    CHECK(!op_snapshot_split_even_step(100, 10000, &o, &step));       /* factor 0.01 < 0.05 */
    CHECK(!op_snapshot_split_even_step(100, 0, &o, &step));           /* no estimate */
    CHECK(op_snapshot_split_even_step(1, 1, NULL, &step));
    CHECK_UINT_EQ(step, 8096);
    op_snapshot_split_options tight = {.chunk_size = 1, .even_factor_lower = 0.01};
    CHECK(op_snapshot_split_even_step(100, 10000, &tight, &step));
    CHECK_UINT_EQ(step, 1); /* at least one key value per split */
}

typedef struct fixture {
    rt_table *t;
    op_mysql_table_info info;
} fixture;

static void fixture_init(fixture *f, const char *sql_type, rt_type type, uint64_t rows)
{
    rt_column cols[] = {{.name = "id", .type = type, .sql_type = sql_type, .primary_key = true},
                        {.name = "v", .type = RT_TYPE_STRING, .sql_type = "text"}};
    rt_err err;
    memset(f, 0, sizeof *f);
    f->t = rt_table_new("db", "t", cols, 2, &err);
    f->info.table = f->t;
    f->info.key_count = 1;
    f->info.key_columns[0] = 0;
    f->info.row_estimate = rows;
}

/* Runs the splitter over [min, max] and checks the splits tile the key space: returns the
 * number of splits; ends[] gets each split's end (the last is open). */
static size_t run_even(fixture *f, const rt_value *min, const rt_value *max, uint64_t chunk,
                       const op_snapshot_split *after, rt_value *ends, size_t max_splits)
{
    op_snapshot_split_options o = {.chunk_size = chunk};
    op_snapshot_splitter *s = NULL;
    rt_err err;
    CHECK_OK(op_snapshot_splitter_new(&f->info, &o, after, &s, &err), &err);
    if (!s)
        return 0;
    op_snapshot_splitter_set_bounds(s, min, max);
    size_t n = 0;
    rt_value prev_end = {0};
    bool has_prev = after && op_snapshot_split_end(after);
    if (has_prev)
        prev_end = op_snapshot_split_end(after)[0];
    for (;;) {
        op_snapshot_split *sp = NULL;
        CHECK_OK(op_snapshot_splitter_next(s, NULL, &sp, &err), &err);
        if (!sp)
            break;
        CHECK(op_snapshot_splitter_is_even(s));
        const rt_value *st = op_snapshot_split_start(sp), *en = op_snapshot_split_end(sp);
        if (has_prev)
            CHECK(st && rt_value_equal(st, &prev_end));
        else
            CHECK(st == NULL);
        CHECK_UINT_EQ(op_snapshot_split_index(sp),
                      (after ? op_snapshot_split_index(after) + 1 : 0) + n);
        if (n < max_splits)
            ends[n] = en ? en[0] : (rt_value){.type = RT_TYPE_NULL};
        n++;
        has_prev = en != NULL;
        if (en)
            prev_end = en[0];
        op_snapshot_split_free(sp);
        if (n > 100000)
            break;
    }
    op_snapshot_split *none = (op_snapshot_split *)1;
    CHECK_OK(op_snapshot_splitter_next(s, NULL, &none, &err), &err);
    CHECK(none == NULL);
    op_snapshot_splitter_free(s);
    return n;
}

TEST(even_boundaries)
{
    fixture f;
    fixture_init(&f, "bigint", RT_TYPE_INT, 10000);
    rt_value ends[64];
    rt_value lo = vint(1), hi = vint(10000);
    CHECK_UINT_EQ(run_even(&f, &lo, &hi, 1000, NULL, ends, 64), 10);
    CHECK_INT_EQ(ends[0].i, 1000);
    CHECK_INT_EQ(ends[8].i, 9000);
    CHECK_INT_EQ(ends[9].type, RT_TYPE_NULL);
    /* 10001 keys: the last split holds 10000 and 10001 after 9000 */
    hi = vint(10001);
    f.info.row_estimate = 10001;
    CHECK_UINT_EQ(run_even(&f, &lo, &hi, 1000, NULL, ends, 64), 11);
    /* negative keys */
    lo = vint(-5000);
    hi = vint(4999);
    f.info.row_estimate = 10000;
    CHECK_UINT_EQ(run_even(&f, &lo, &hi, 1000, NULL, ends, 64), 10);
    CHECK_INT_EQ(ends[0].i, -4001);
    /* one row */
    lo = hi = vint(7);
    f.info.row_estimate = 1;
    CHECK_UINT_EQ(run_even(&f, &lo, &hi, 1000, NULL, ends, 64), 1);
    /* the whole int64 range, 4 rows per... an estimate that makes it dense enough */
    lo = vint(INT64_MIN);
    hi = vint(INT64_MAX);
    f.info.row_estimate = UINT64_C(1) << 62; /* factor 4 */
    CHECK_UINT_EQ(run_even(&f, &lo, &hi, UINT64_C(1) << 60, NULL, ends, 64), 4);
    CHECK_INT_EQ(ends[0].i, INT64_MIN + (INT64_C(1) << 62) - 1);
    /* empty table: one split open at both ends */
    f.info.row_estimate = 0;
    op_snapshot_split_options o = {.chunk_size = 10};
    op_snapshot_splitter *s = NULL;
    rt_err err;
    CHECK_OK(op_snapshot_splitter_new(&f.info, &o, NULL, &s, &err), &err);
    op_snapshot_splitter_set_bounds(s, NULL, NULL);
    op_snapshot_split *sp = NULL;
    CHECK_OK(op_snapshot_splitter_next(s, NULL, &sp, &err), &err);
    CHECK(sp && !op_snapshot_split_start(sp) && !op_snapshot_split_end(sp));
    op_snapshot_split_free(sp);
    CHECK_OK(op_snapshot_splitter_next(s, NULL, &sp, &err), &err);
    CHECK(sp == NULL);
    op_snapshot_splitter_free(s);
    rt_table_free(f.t);
}

TEST(even_unsigned_and_resume)
{
    fixture f;
    fixture_init(&f, "bigint unsigned", RT_TYPE_UINT, 4);
    rt_value ends[8];
    rt_value lo = vuint(UINT64_MAX - 3), hi = vuint(UINT64_MAX);
    CHECK_UINT_EQ(run_even(&f, &lo, &hi, 1, NULL, ends, 8), 4);
    CHECK_UINT_EQ(ends[0].u, UINT64_MAX - 3);
    CHECK_UINT_EQ(ends[2].u, UINT64_MAX - 1);
    /* resume after split #4 ending at 5000 of 1..10000 */
    fixture g;
    fixture_init(&g, "int", RT_TYPE_INT, 10000);
    rt_value e = vint(5000), s = vint(4000);
    op_snapshot_split *after = NULL;
    rt_err err;
    CHECK_OK(op_snapshot_split_new("db.t", 4, 1, &s, &e, &after, &err), &err);
    lo = vint(1);
    hi = vint(10000);
    CHECK_UINT_EQ(run_even(&g, &lo, &hi, 1000, after, ends, 8), 5);
    CHECK_INT_EQ(ends[0].i, 6000);
    op_snapshot_split_free(after);
    /* resuming after the last split gives nothing */
    CHECK_OK(op_snapshot_split_new("db.t", 9, 1, &e, NULL, &after, &err), &err);
    op_snapshot_splitter *sp = NULL;
    CHECK_OK(op_snapshot_splitter_new(&g.info, NULL, after, &sp, &err), &err);
    op_snapshot_split *none = NULL;
    CHECK_OK(op_snapshot_splitter_next(sp, NULL, &none, &err), &err);
    CHECK(none == NULL);
    op_snapshot_splitter_free(sp);
    op_snapshot_split_free(after);
    rt_table_free(f.t);
    rt_table_free(g.t);
}

TEST(refused_key_types)
{
    fixture f;
    fixture_init(&f, "double", RT_TYPE_DOUBLE, 4);
    op_snapshot_splitter *s = NULL;
    rt_err err;
    CHECK_INT_EQ(op_snapshot_splitter_new(&f.info, NULL, NULL, &s, &err), RT_EUNSUPPORTED);
    CHECK_STR_CONTAINS(err.msg, "table db.t: key column 'id' (double)");
    rt_table_free(f.t);
}

TEST(key_order)
{
    rt_value a = vint(-1), b = vuint(0), c = vuint(UINT64_MAX), d = vint(INT64_MAX);
    CHECK(op_snapshot_value_compare(&a, &b) < 0);
    CHECK(op_snapshot_value_compare(&c, &d) > 0);
    CHECK(op_snapshot_value_compare(&d, &c) < 0);
    rt_value n = {.type = RT_TYPE_NULL};
    CHECK(op_snapshot_value_compare(&n, &a) < 0);
    CHECK(op_snapshot_value_compare(&n, &n) == 0);
    struct {
        const char *x, *y;
        int want;
    } dec[] = {{"1.50", "1.5", 0},     {"-0.00", "0.00", 0},       {"10.0", "9.99", 1},
               {"-10.0", "-9.99", -1}, {"0.001", "0.01", -1},      {"-1", "1", -1},
               {"007", "7.000", 0},    {"123.456", "123.4561", -1}};
    for (size_t i = 0; i < sizeof dec / sizeof dec[0]; i++) {
        rt_value x = vtext(RT_TYPE_DECIMAL, dec[i].x), y = vtext(RT_TYPE_DECIMAL, dec[i].y);
        int got = op_snapshot_value_compare(&x, &y);
        if ((got > 0) - (got < 0) != dec[i].want)
            test_fail(__FILE__, __LINE__, "%s vs %s: %d", dec[i].x, dec[i].y, got);
    }
    rt_value s1 = vtext(RT_TYPE_STRING, "ab"), s2 = vtext(RT_TYPE_STRING, "abc"),
             s3 = vtext(RT_TYPE_STRING, "b");
    CHECK(op_snapshot_value_compare(&s1, &s2) < 0);
    CHECK(op_snapshot_value_compare(&s2, &s3) < 0);
    rt_value t1 = {.type = RT_TYPE_TIME, .t = {.hour = 1, .neg = 1}};
    rt_value t2 = {.type = RT_TYPE_TIME, .t = {.hour = 2, .neg = 1}};
    rt_value t3 = {.type = RT_TYPE_TIME, .t = {.second = 1}};
    CHECK(op_snapshot_value_compare(&t2, &t1) < 0);
    CHECK(op_snapshot_value_compare(&t1, &t3) < 0);
    rt_value d1 = {.type = RT_TYPE_DATETIME, .t = {.year = 2024, .month = 1, .day = 31}};
    rt_value d2 = {.type = RT_TYPE_DATETIME, .t = {.year = 2024, .month = 2, .day = 1}};
    CHECK(op_snapshot_value_compare(&d1, &d2) < 0);
    /* composite keys and contains: (start, end] */
    rt_value k1[2] = {vint(1), vtext(RT_TYPE_STRING, "m")};
    rt_value k2[2] = {vint(2), vtext(RT_TYPE_STRING, "c")};
    op_snapshot_split *sp = NULL;
    rt_err err;
    CHECK_OK(op_snapshot_split_new("db.t", 1, 2, k1, k2, &sp, &err), &err);
    rt_value in1[2] = {vint(1), vtext(RT_TYPE_STRING, "n")};
    rt_value in2[2] = {vint(2), vtext(RT_TYPE_STRING, "c")};
    rt_value out1[2] = {vint(1), vtext(RT_TYPE_STRING, "m")};
    rt_value out2[2] = {vint(2), vtext(RT_TYPE_STRING, "ca")};
    CHECK(op_snapshot_split_contains(sp, in1));
    CHECK(op_snapshot_split_contains(sp, in2));
    CHECK(!op_snapshot_split_contains(sp, out1));
    CHECK(!op_snapshot_split_contains(sp, out2));
    op_snapshot_split_free(sp);
}

static op_snapshot_split *sample_split(void)
{
    rt_value start[4] = {vint(-7),
                         vtext(RT_TYPE_STRING, "a\0b"),
                         vtext(RT_TYPE_DECIMAL, "-1.50"),
                         {.type = RT_TYPE_DATETIME,
                          .t = {.year = 2024, .month = 2, .day = 29, .hour = 23, .usec = 999999}}};
    start[1].s.len = 3;
    rt_value end[4] = {vuint(UINT64_MAX),
                       vtext(RT_TYPE_BYTES, "\xff"),
                       {.type = RT_TYPE_DOUBLE, .d = -0.5},
                       {.type = RT_TYPE_TIME, .t = {.hour = 838, .neg = 1}}};
    op_snapshot_split *s = NULL;
    rt_err err;
    CHECK_OK(op_snapshot_split_new("shop.orders", 3, 4, start, end, &s, &err), &err);
    CHECK_OK(op_snapshot_split_set_high(s, "mysql-bin.000001:816", 20, &err), &err);
    return s;
}

TEST(codec_round_trip)
{
    op_snapshot_split *s = sample_split();
    CHECK_STR_EQ(op_snapshot_split_name(s), "shop.orders#3");
    rt_buf b;
    rt_buf_init(&b);
    op_snapshot_split_format(s, &b);
    op_snapshot_split *r = NULL;
    rt_err err;
    CHECK_OK(op_snapshot_split_parse((const uint8_t *)b.data, b.len, &r, &err), &err);
    if (r) {
        CHECK_STR_EQ(op_snapshot_split_table(r), "shop.orders");
        CHECK_UINT_EQ(op_snapshot_split_index(r), 3);
        CHECK_UINT_EQ(op_snapshot_split_key_count(r), 4);
        for (size_t i = 0; i < 4; i++) {
            CHECK(rt_value_equal(&op_snapshot_split_start(r)[i], &op_snapshot_split_start(s)[i]));
            CHECK(rt_value_equal(&op_snapshot_split_end(r)[i], &op_snapshot_split_end(s)[i]));
        }
        size_t hl;
        const char *h = op_snapshot_split_high(r, &hl);
        CHECK(hl == 20 && memcmp(h, "mysql-bin.000001:816", 20) == 0);
        rt_buf again;
        rt_buf_init(&again);
        op_snapshot_split_format(r, &again);
        CHECK(again.len == b.len && memcmp(again.data, b.data, b.len) == 0);
        rt_buf_fini(&again);
        op_snapshot_split_free(r);
    }
    /* open bounds, no HIGH mark */
    rt_value k = vint(5);
    op_snapshot_split *o = NULL;
    CHECK_OK(op_snapshot_split_new("d.t", 0, 1, NULL, &k, &o, &err), &err);
    rt_buf_reset(&b);
    op_snapshot_split_format(o, &b);
    CHECK_OK(op_snapshot_split_parse((const uint8_t *)b.data, b.len, &r, &err), &err);
    if (r) {
        CHECK(op_snapshot_split_start(r) == NULL);
        CHECK_INT_EQ(op_snapshot_split_end(r)[0].i, 5);
        size_t hl = 1;
        CHECK(op_snapshot_split_high(r, &hl) == NULL && hl == 0);
        op_snapshot_split_free(r);
    }
    op_snapshot_split_free(o);
    rt_buf_fini(&b);
    op_snapshot_split_free(s);
}

TEST(codec_truncated_and_garbage)
{
    op_snapshot_split *s = sample_split();
    rt_buf b;
    rt_buf_init(&b);
    op_snapshot_split_format(s, &b);
    rt_err err;
    for (size_t n = 0; n < b.len; n++) {
        uint8_t *copy = malloc(n ? n : 1); /* exact size: ASan sees any over-read */
        memcpy(copy, b.data, n);
        op_snapshot_split *r = NULL;
        int rc = op_snapshot_split_parse(copy, n, &r, &err);
        if (rc != RT_ECORRUPT)
            test_fail(__FILE__, __LINE__, "prefix %zu: rc %d", n, rc);
        CHECK(r == NULL);
        free(copy);
    }
    rt_buf_append_char(&b, 0);
    op_snapshot_split *r = NULL;
    CHECK_INT_EQ(op_snapshot_split_parse((const uint8_t *)b.data, b.len, &r, &err), RT_ECORRUPT);
    CHECK_STR_CONTAINS(err.msg, "left over");
    b.data[0] = 'X';
    CHECK_INT_EQ(op_snapshot_split_parse((const uint8_t *)b.data, b.len, &r, &err), RT_ECORRUPT);
    /* a huge text length must not allocate */
    const uint8_t huge[] = {0x53,           1,    1,    0,    0,   0, 't', 0, 0, 0, 0, 1, 1,
                            RT_TYPE_STRING, 0xff, 0xff, 0xff, 0x7f};
    CHECK_INT_EQ(op_snapshot_split_parse(huge, sizeof huge, &r, &err), RT_ECORRUPT);
    const uint8_t badtype[] = {0x53, 1, 1, 0, 0, 0, 't', 0, 0, 0, 0, 1, 1, 99};
    CHECK_INT_EQ(op_snapshot_split_parse(badtype, sizeof badtype, &r, &err), RT_ECORRUPT);
    CHECK_STR_CONTAINS(err.msg, "unknown key value type 99");
    rt_buf_fini(&b);
    op_snapshot_split_free(s);
}

TEST(where_text)
{
    const char *names[] = {"a", "b"};
    rt_value k1[2] = {vint(1), vtext(RT_TYPE_BYTES, "\x01z")};
    rt_value k2[2] = {vint(2), {.type = RT_TYPE_DATE, .t = {.year = 2024, .month = 1, .day = 2}}};
    op_snapshot_split *s = NULL;
    rt_err err;
    rt_buf b;
    rt_buf_init(&b);
    CHECK_OK(op_snapshot_split_new("d.t", 1, 2, k1, k2, &s, &err), &err);
    op_snapshot_split_format_where(s, names, NULL, &b);
    CHECK_STR_EQ(b.data, "(`a`,`b`) > (1,X'017A') AND (`a`,`b`) <= (2,'2024-01-02')");
    op_snapshot_split_free(s);
    rt_buf_reset(&b);
    CHECK_OK(op_snapshot_split_new("d.t", 0, 1, NULL, k1, &s, &err), &err);
    op_snapshot_split_format_where(s, names, NULL, &b);
    CHECK_STR_EQ(b.data, "(`a` IS NULL OR `a` <= 1)");
    op_snapshot_split_free(s);
    rt_buf_reset(&b);
    CHECK_OK(op_snapshot_split_new("d.t", 0, 1, NULL, NULL, &s, &err), &err);
    op_snapshot_split_format_where(s, names, NULL, &b);
    CHECK_STR_EQ(b.data, "TRUE");
    op_snapshot_split_free(s);
    rt_buf_fini(&b);
}

TEST_MAIN()
