/* Unit tests of the watermark merge: events inside and outside the split, updates that move a
 * key in, out and within, deletes, insert-then-delete, updates of rows the SELECT did not see,
 * composite keys, and duplicate keys refused. */
#include <stdlib.h>
#include <string.h>

#include "operators/mysql/snapshot_merge.h"
#include "tests/harness/test.h"

static rt_table *table(void)
{
    rt_column cols[] = {{.name = "id", .type = RT_TYPE_INT, .sql_type = "int", .primary_key = true},
                        {.name = "v", .type = RT_TYPE_STRING, .sql_type = "text"}};
    rt_err err;
    return rt_table_new("db", "t", cols, 2, &err);
}

static rt_record *add(rt_batch *b, const rt_table *t, rt_rowkind kind, int64_t id, const char *v)
{
    rt_record *r = rt_batch_add(b, kind, t);
    r->values[0].type = RT_TYPE_INT;
    r->values[0].i = id;
    rt_batch_set_str(b, &r->values[1], RT_TYPE_STRING, v, strlen(v));
    return r;
}

/* The merged rows as "id=v id=v ...". Static buffer. */
static const char *merge(const op_snapshot_split *s, rt_batch *rows, rt_batch *events)
{
    static char res[512];
    const rt_record *rv[64], *ev[64];
    size_t nr = rows ? rt_batch_count(rows) : 0, ne = events ? rt_batch_count(events) : 0;
    for (size_t i = 0; i < nr; i++)
        rv[i] = rt_batch_at_const(rows, i);
    for (size_t i = 0; i < ne; i++)
        ev[i] = rt_batch_at_const(events, i);
    rt_batch *out = rt_batch_new(NULL);
    rt_err err;
    size_t key = 0;
    int rc = op_snapshot_merge(s, &key, 1, rv, nr, ev, ne, out, &err);
    if (rc) {
        snprintf(res, sizeof res, "ERR %.400s", err.msg);
    } else {
        size_t at = 0;
        res[0] = '\0';
        for (size_t i = 0; i < rt_batch_count(out); i++) {
            const rt_record *r = rt_batch_at_const(out, i);
            at += (size_t)snprintf(res + at, sizeof res - at, "%s%s%lld=%.*s", i ? " " : "",
                                   r->kind == RT_ROW_INSERT ? "" : "!", (long long)r->values[0].i,
                                   (int)r->values[1].s.len, r->values[1].s.ptr);
        }
    }
    rt_batch_unref(out);
    return res;
}

static op_snapshot_split *split(int64_t lo, int64_t hi)
{
    rt_value s = {.type = RT_TYPE_INT, .i = lo}, e = {.type = RT_TYPE_INT, .i = hi};
    op_snapshot_split *sp = NULL;
    rt_err err;
    CHECK_OK(op_snapshot_split_new("db.t", 1, 1, &s, &e, &sp, &err), &err);
    return sp;
}

TEST(merge_cases)
{
    rt_table *t = table();
    op_snapshot_split *s = split(10, 20); /* keys 11..20 */
    rt_batch *rows = rt_batch_new(NULL);
    add(rows, t, RT_ROW_INSERT, 15, "a");
    add(rows, t, RT_ROW_INSERT, 12, "b");
    add(rows, t, RT_ROW_INSERT, 20, "c");
    CHECK_STR_EQ(merge(s, rows, NULL), "12=b 15=a 20=c");

    rt_batch *ev = rt_batch_new(NULL);
    add(ev, t, RT_ROW_INSERT, 11, "in");  /* inside */
    add(ev, t, RT_ROW_INSERT, 10, "out"); /* the start is exclusive */
    add(ev, t, RT_ROW_INSERT, 21, "out"); /* past the end */
    CHECK_STR_EQ(merge(s, rows, ev), "11=in 12=b 15=a 20=c");
    rt_batch_unref(ev);

    /* an update inside, a delete, an insert then a delete of the same key */
    ev = rt_batch_new(NULL);
    add(ev, t, RT_ROW_UPDATE_BEFORE, 15, "a");
    add(ev, t, RT_ROW_UPDATE_AFTER, 15, "a2");
    add(ev, t, RT_ROW_DELETE, 12, "b");
    add(ev, t, RT_ROW_INSERT, 13, "x");
    add(ev, t, RT_ROW_DELETE, 13, "x");
    CHECK_STR_EQ(merge(s, rows, ev), "15=a2 20=c");
    rt_batch_unref(ev);

    /* an update moving a key within, out of, and into the split */
    ev = rt_batch_new(NULL);
    add(ev, t, RT_ROW_UPDATE_BEFORE, 15, "a");
    add(ev, t, RT_ROW_UPDATE_AFTER, 16, "a");
    add(ev, t, RT_ROW_UPDATE_BEFORE, 20, "c");
    add(ev, t, RT_ROW_UPDATE_AFTER, 99, "c");
    add(ev, t, RT_ROW_UPDATE_BEFORE, 5, "z");
    add(ev, t, RT_ROW_UPDATE_AFTER, 19, "z");
    CHECK_STR_EQ(merge(s, rows, ev), "12=b 16=a 19=z");
    rt_batch_unref(ev);

    /* an update of a row the SELECT did not see (inserted before LOW, read after its update):
     * the after image is the row; a delete of a key not held is no-op */
    ev = rt_batch_new(NULL);
    add(ev, t, RT_ROW_UPDATE_BEFORE, 17, "old");
    add(ev, t, RT_ROW_UPDATE_AFTER, 17, "new");
    add(ev, t, RT_ROW_DELETE, 18, "gone");
    add(ev, t, RT_ROW_INSERT, 12, "dup"); /* +I of a key the SELECT saw: upsert */
    CHECK_STR_EQ(merge(s, rows, ev), "12=dup 15=a 17=new 20=c");
    rt_batch_unref(ev);

    /* empty chunk, events only */
    ev = rt_batch_new(NULL);
    add(ev, t, RT_ROW_INSERT, 14, "e");
    CHECK_STR_EQ(merge(s, NULL, ev), "14=e");
    CHECK_STR_EQ(merge(s, NULL, NULL), "");
    rt_batch_unref(ev);

    /* two rows with one key */
    add(rows, t, RT_ROW_INSERT, 15, "again");
    CHECK_STR_CONTAINS(merge(s, rows, NULL), "ERR merge split db.t#1: two rows share a key");
    rt_batch_unref(rows);
    op_snapshot_split_free(s);
    rt_table_free(t);
}

TEST(merge_open_and_composite)
{
    rt_table *t = table();
    rt_value e = {.type = RT_TYPE_INT, .i = 0};
    op_snapshot_split *first = NULL;
    rt_err err;
    CHECK_OK(op_snapshot_split_new("db.t", 0, 1, NULL, &e, &first, &err), &err);
    rt_batch *ev = rt_batch_new(NULL);
    add(ev, t, RT_ROW_INSERT, -100, "n");
    add(ev, t, RT_ROW_INSERT, 0, "z");
    add(ev, t, RT_ROW_INSERT, 1, "o");
    CHECK_STR_EQ(merge(first, NULL, ev), "-100=n 0=z");
    op_snapshot_split_free(first);

    /* composite key (v, id): split ((a,5), (b,1)] */
    rt_value lo[2] = {{.type = RT_TYPE_STRING}, {.type = RT_TYPE_INT, .i = 5}};
    rt_value hi[2] = {{.type = RT_TYPE_STRING}, {.type = RT_TYPE_INT, .i = 1}};
    lo[0].s.ptr = "a";
    lo[0].s.len = 1;
    hi[0].s.ptr = "b";
    hi[0].s.len = 1;
    op_snapshot_split *c = NULL;
    CHECK_OK(op_snapshot_split_new("db.t", 2, 2, lo, hi, &c, &err), &err);
    rt_batch *ev2 = rt_batch_new(NULL);
    add(ev2, t, RT_ROW_INSERT, 5, "a");    /* = start: out */
    add(ev2, t, RT_ROW_INSERT, 6, "a");    /* in */
    add(ev2, t, RT_ROW_INSERT, 1, "b");    /* = end: in */
    add(ev2, t, RT_ROW_INSERT, 2, "b");    /* out */
    add(ev2, t, RT_ROW_INSERT, 100, "ab"); /* in */
    const rt_record *evs[5];
    for (size_t i = 0; i < 5; i++)
        evs[i] = rt_batch_at_const(ev2, i);
    size_t keys[2] = {1, 0};
    rt_batch *out = rt_batch_new(NULL);
    CHECK_OK(op_snapshot_merge(c, keys, 2, NULL, 0, evs, 5, out, &err), &err);
    CHECK_UINT_EQ(rt_batch_count(out), 3);
    if (rt_batch_count(out) == 3) {
        CHECK_INT_EQ(rt_batch_at(out, 0)->values[0].i, 6);
        CHECK_INT_EQ(rt_batch_at(out, 1)->values[0].i, 100);
        CHECK_INT_EQ(rt_batch_at(out, 2)->values[0].i, 1);
    }
    CHECK_INT_EQ(op_snapshot_merge(c, keys, 1, NULL, 0, evs, 5, out, &err), RT_EINVAL);
    rt_batch_unref(out);
    rt_batch_unref(ev2);
    rt_batch_unref(ev);
    op_snapshot_split_free(c);
    rt_table_free(t);
}

TEST_MAIN()
