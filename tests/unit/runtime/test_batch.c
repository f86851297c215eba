/* Tests of runtime/batch.c: records, the arena, deep copies, reference counts and the pool. */
#include "runtime/batch.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "tests/harness/test.h"

static const rt_column cols[] = {
    {.name = "id", .type = RT_TYPE_INT, .primary_key = true},
    {.name = "s", .type = RT_TYPE_STRING},
    {.name = "b", .type = RT_TYPE_BYTES},
};

static rt_table *make_table(void)
{
    return rt_table_new("db", "t", cols, 3, NULL);
}

TEST(rowkind_names)
{
    CHECK_STR_EQ(rt_rowkind_name(RT_ROW_INSERT), "+I");
    CHECK_STR_EQ(rt_rowkind_name(RT_ROW_UPDATE_BEFORE), "-U");
    CHECK_STR_EQ(rt_rowkind_name(RT_ROW_UPDATE_AFTER), "+U");
    CHECK_STR_EQ(rt_rowkind_name(RT_ROW_DELETE), "-D");
    CHECK_STR_EQ(rt_rowkind_name(RT_ROW_SCHEMA_CHANGE), "SC");
    CHECK_STR_EQ(rt_schema_change_kind_name(RT_SCHEMA_CREATE_TABLE), "create_table");
    CHECK_STR_EQ(rt_schema_change_kind_name(RT_SCHEMA_ALTER_TABLE), "alter_table");
    CHECK_STR_EQ(rt_schema_change_kind_name(RT_SCHEMA_RENAME_TABLE), "rename_table");
    CHECK_STR_EQ(rt_schema_change_kind_name(RT_SCHEMA_TRUNCATE_TABLE), "truncate_table");
    CHECK_STR_EQ(rt_schema_change_kind_name(RT_SCHEMA_DROP_TABLE), "drop_table");
}

/* A schema change: no values, its DDL in the arena, and a deep copy that outlives the source. */
TEST(schema_change_records_copy_deep)
{
    rt_table *before = make_table();
    rt_table *after = rt_table_new("db", "t", cols, 2, NULL);
    rt_batch *a = rt_batch_new(NULL), *b = rt_batch_new(NULL);
    CHECK(rt_batch_add(a, RT_ROW_INSERT, before) != NULL);
    char ddl[] = "ALTER TABLE t DROP COLUMN b";
    rt_record *sc = rt_batch_add_schema_change(a, RT_SCHEMA_ALTER_TABLE, after, before, ddl,
                                               sizeof ddl - 1);
    CHECK(sc != NULL);
    CHECK(rt_batch_at(a, 0)->change == NULL);
    CHECK_INT_EQ(sc->kind, RT_ROW_SCHEMA_CHANGE);
    CHECK_UINT_EQ(sc->ncols, 0);
    CHECK(sc->table == after);
    CHECK(sc->change->before == before);
    CHECK(sc->change->ddl != ddl);
    CHECK_STR_EQ(sc->change->ddl, "ALTER TABLE t DROP COLUMN b");
    CHECK_INT_EQ(rt_batch_copy_record(b, sc), 0);
    rt_batch_unref(a);
    memset(ddl, 'x', sizeof ddl - 1);
    const rt_record *c = rt_batch_at_const(b, 0);
    CHECK_INT_EQ(c->kind, RT_ROW_SCHEMA_CHANGE);
    CHECK_INT_EQ(c->change->kind, RT_SCHEMA_ALTER_TABLE);
    CHECK(c->table == after && c->change->before == before);
    CHECK_UINT_EQ(c->change->ddl_len, 27);
    CHECK_STR_EQ(c->change->ddl, "ALTER TABLE t DROP COLUMN b");
    rt_batch_unref(b);
    rt_table_free(before);
    rt_table_free(after);
}

/* The origin map goes into the arena and comes along with a copy; without one it stays NULL. */
TEST(schema_change_origin)
{
    rt_table *before = make_table();
    rt_table *after = rt_table_new("db", "t", cols, 2, NULL);
    rt_batch *a = rt_batch_new(NULL), *b = rt_batch_new(NULL);
    rt_record *sc = rt_batch_add_schema_change(a, RT_SCHEMA_ALTER_TABLE, after, before, "x", 1);
    CHECK(sc != NULL);
    CHECK(sc->change->origin == NULL);
    int32_t origin[] = {0, -1};
    CHECK_INT_EQ(rt_batch_set_schema_origin(a, sc, origin, 2), 0);
    CHECK(sc->change->origin != origin);
    origin[1] = 7;
    CHECK_INT_EQ(sc->change->origin[0], 0);
    CHECK_INT_EQ(sc->change->origin[1], -1);
    sc->ts_ms = 1234;
    CHECK(rt_batch_add_schema_change(a, RT_SCHEMA_TRUNCATE_TABLE, before, before, "y", 1));
    CHECK_INT_EQ(rt_batch_copy_record(b, rt_batch_at_const(a, 0)), 0);
    CHECK_INT_EQ(rt_batch_copy_record(b, rt_batch_at_const(a, 1)), 0);
    rt_batch_unref(a);
    const rt_record *c = rt_batch_at_const(b, 0);
    CHECK(c->change->origin != NULL);
    CHECK_INT_EQ(c->change->origin[0], 0);
    CHECK_INT_EQ(c->change->origin[1], -1);
    CHECK_INT_EQ(c->ts_ms, 1234);
    CHECK(rt_batch_at_const(b, 1)->change->origin == NULL);
    rt_batch_unref(b);
    rt_table_free(before);
    rt_table_free(after);
}

TEST(add_records_null_values)
{
    rt_table *t = make_table();
    rt_batch *b = rt_batch_new(NULL);
    CHECK_UINT_EQ(rt_batch_count(b), 0);
    for (int i = 0; i < 5000; i++) {
        rt_record *r = rt_batch_add(b, RT_ROW_DELETE, t);
        CHECK(r != NULL);
        CHECK_UINT_EQ(r->ncols, 3);
        CHECK(r->table == t);
        for (int c = 0; c < 3; c++)
            CHECK_INT_EQ(r->values[c].type, RT_TYPE_NULL);
        r->values[0].type = RT_TYPE_INT;
        r->values[0].i = i;
    }
    CHECK_UINT_EQ(rt_batch_count(b), 5000);
    for (int i = 0; i < 5000; i++) {
        CHECK_INT_EQ(rt_batch_at(b, (size_t)i)->values[0].i, i);
        CHECK_INT_EQ(rt_batch_at_const(b, (size_t)i)->kind, RT_ROW_DELETE);
    }
    rt_batch_unref(b);
    rt_batch_unref(NULL);
    rt_table_free(t);
}

TEST(arena_grows_with_big_strings)
{
    rt_table *t = make_table();
    rt_batch *b = rt_batch_new(NULL);
    size_t before = rt_batch_size(b);
    /* Strings of 1 byte up to 3 MiB: more than the first chunk, more than a doubled chunk. */
    size_t sizes[] = {1, 100, 70000, 3 * 1024 * 1024, 5, 200000};
    char *src = malloc(3 * 1024 * 1024);
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        memset(src, 'a' + (int)i, sizes[i]);
        rt_record *r = rt_batch_add(b, RT_ROW_INSERT, t);
        CHECK_INT_EQ(rt_batch_set_str(b, &r->values[1], RT_TYPE_STRING, src, sizes[i]), 0);
    }
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        const rt_value *v = &rt_batch_at(b, i)->values[1];
        CHECK_INT_EQ(v->type, RT_TYPE_STRING);
        CHECK_UINT_EQ(v->s.len, sizes[i]);
        CHECK(v->s.ptr[0] == 'a' + (int)i && v->s.ptr[sizes[i] - 1] == 'a' + (int)i);
    }
    CHECK(rt_batch_size(b) > before + 3 * 1024 * 1024);
    /* Aligned allocations. */
    for (int i = 0; i < 10; i++) {
        void *p = rt_batch_alloc(b, (size_t)(i * 3 + 1));
        CHECK(p != NULL && ((uintptr_t)p & 7) == 0);
    }
    /* An empty string points somewhere valid. */
    rt_record *r = rt_batch_add(b, RT_ROW_INSERT, t);
    CHECK_INT_EQ(rt_batch_set_str(b, &r->values[2], RT_TYPE_BYTES, NULL, 0), 0);
    CHECK(r->values[2].s.ptr != NULL && r->values[2].s.len == 0);
    free(src);
    rt_batch_unref(b);
    rt_table_free(t);
}

TEST(copy_record_is_deep)
{
    rt_table *t = make_table();
    rt_batch *a = rt_batch_new(NULL), *b = rt_batch_new(NULL);
    rt_record *r = rt_batch_add(a, RT_ROW_UPDATE_AFTER, t);
    r->values[0] = (rt_value){.type = RT_TYPE_INT, .i = 7};
    rt_batch_set_str(a, &r->values[1], RT_TYPE_STRING, "hello", 5);
    rt_batch_set_str(a, &r->values[2], RT_TYPE_BYTES, "\x00\x01", 2);
    CHECK_INT_EQ(rt_batch_copy_record(b, r), 0);
    /* The source batch goes away: the copy must not point into it. */
    rt_batch_unref(a);
    const rt_record *c = rt_batch_at_const(b, 0);
    CHECK_INT_EQ(c->kind, RT_ROW_UPDATE_AFTER);
    CHECK(c->table == t);
    CHECK_UINT_EQ(c->ncols, 3);
    CHECK_INT_EQ(c->values[0].i, 7);
    CHECK(c->values[1].s.len == 5 && memcmp(c->values[1].s.ptr, "hello", 5) == 0);
    CHECK(c->values[2].s.len == 2 && memcmp(c->values[2].s.ptr, "\x00\x01", 2) == 0);
    /* Copying a record of the same batch, many times, survives the record array growing. */
    for (int i = 0; i < 1000; i++)
        CHECK_INT_EQ(rt_batch_copy_record(b, rt_batch_at(b, 0)), 0);
    CHECK_UINT_EQ(rt_batch_count(b), 1001);
    CHECK(memcmp(rt_batch_at(b, 1000)->values[1].s.ptr, "hello", 5) == 0);
    rt_batch_unref(b);
    rt_table_free(t);
}

TEST(refcounts)
{
    rt_batch_pool *pool = rt_batch_pool_new(4);
    rt_batch *b = rt_batch_new(pool);
    rt_batch_ref(b);
    rt_batch_ref(b);
    rt_batch_unref(b);
    rt_batch_unref(b);
    /* Still alive with one reference: adding works (ASan would catch a use after free). */
    rt_table *t = make_table();
    CHECK(rt_batch_add(b, RT_ROW_INSERT, t) != NULL);
    rt_batch_unref(b);
    rt_batch_pool_free(pool);
    rt_table_free(t);
}

TEST(pool_reuses_and_resets)
{
    rt_table *t = make_table();
    rt_batch_pool *pool = rt_batch_pool_new(2);
    rt_batch *a = rt_batch_new(pool);
    for (int i = 0; i < 3000; i++) {
        rt_record *r = rt_batch_add(a, RT_ROW_INSERT, t);
        rt_batch_set_str(a, &r->values[1], RT_TYPE_STRING, "0123456789abcdef", 16);
    }
    size_t grown = rt_batch_size(a);
    rt_batch_unref(a);
    rt_batch *again = rt_batch_new(pool);
    CHECK(again == a); /* recycled */
    CHECK_UINT_EQ(rt_batch_count(again), 0);
    /* It kept its record array and one arena chunk, not the whole arena. */
    CHECK(rt_batch_size(again) > 64 * 1024);
    CHECK(rt_batch_size(again) < grown);
    rt_record *r = rt_batch_add(again, RT_ROW_INSERT, t);
    CHECK_INT_EQ(r->values[1].type, RT_TYPE_NULL);

    /* The pool keeps at most `keep` free batches. */
    rt_batch *x = rt_batch_new(pool), *y = rt_batch_new(pool), *z = rt_batch_new(pool);
    rt_batch_unref(x);
    rt_batch_unref(y);
    rt_batch_unref(z); /* freed: the pool is full */
    rt_batch_unref(again);
    rt_batch_pool_free(pool);
    rt_table_free(t);
}

static rt_batch_pool *race_pool;

static void *ref_unref_many(void *arg)
{
    rt_batch *b = arg;
    for (int i = 0; i < 100000; i++) {
        rt_batch_ref(b);
        rt_batch_unref(b);
    }
    rt_batch_unref(b);
    return NULL;
}

TEST(refcount_threads)
{
    race_pool = rt_batch_pool_new(8);
    for (int round = 0; round < 20; round++) {
        rt_batch *b = rt_batch_new(race_pool);
        pthread_t th[3];
        for (int i = 1; i < 3; i++)
            rt_batch_ref(b);
        for (int i = 0; i < 3; i++)
            pthread_create(&th[i], NULL, ref_unref_many, b);
        for (int i = 0; i < 3; i++)
            pthread_join(th[i], NULL);
    }
    rt_batch_pool_free(race_pool); /* aborts if a batch were still counted live */
}

TEST_MAIN()
