/* Tests of runtime/table.c: schemas, keys, and the catalog's ids, dedup and latest version. */
#include "runtime/table.h"

#include <pthread.h>

#include "tests/harness/test.h"

static const rt_column cols[] = {
    {.name = "id", .type = RT_TYPE_INT, .sql_type = "bigint", .primary_key = true},
    {.name = "name", .type = RT_TYPE_STRING, .sql_type = "varchar(64)", .nullable = true},
    {.name = "region", .type = RT_TYPE_INT, .primary_key = true},
};

TEST(table_new_copies)
{
    rt_err err;
    char db[] = "shop", name[] = "orders";
    rt_column c[3];
    memcpy(c, cols, sizeof c);
    rt_table *t = rt_table_new(db, name, c, 3, &err);
    CHECK(t != NULL);
    db[0] = 'X';
    name[0] = 'X';
    c[0].name = "changed";
    CHECK_STR_EQ(rt_table_db(t), "shop");
    CHECK_STR_EQ(rt_table_name(t), "orders");
    CHECK_STR_EQ(rt_table_qualified(t), "shop.orders");
    CHECK_UINT_EQ(rt_table_id(t), 0);
    CHECK_UINT_EQ(rt_table_column_count(t), 3);
    CHECK_STR_EQ(rt_table_column(t, 0)->name, "id");
    CHECK_STR_EQ(rt_table_column(t, 1)->sql_type, "varchar(64)");
    CHECK(rt_table_column(t, 2)->sql_type == NULL);
    CHECK_INT_EQ(rt_table_column_index(t, "region"), 2);
    CHECK_INT_EQ(rt_table_column_index(t, "nope"), -1);
    CHECK_UINT_EQ(rt_table_pk_count(t), 2);
    CHECK_UINT_EQ(rt_table_pk_column(t, 0), 0);
    CHECK_UINT_EQ(rt_table_pk_column(t, 1), 2);
    rt_table_free(t);
    rt_table_free(NULL);
}

TEST(table_new_rejects)
{
    rt_err err;
    CHECK(rt_table_new("db", "", cols, 3, &err) == NULL);
    CHECK_INT_EQ(err.code, RT_EINVAL);
    CHECK(rt_table_new("db", "t", cols, 0, &err) == NULL);
    CHECK_INT_EQ(err.code, RT_EINVAL);
    rt_column dup[2] = {cols[0], cols[0]};
    CHECK(rt_table_new("db", "t", dup, 2, &err) == NULL);
    CHECK_INT_EQ(err.code, RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "duplicate column 'id'");
}

TEST(catalog_ids_and_dedup)
{
    rt_err err;
    rt_catalog *cat = rt_catalog_new();
    const rt_table *a = rt_catalog_intern(cat, rt_table_new("shop", "orders", cols, 3, &err));
    const rt_table *b = rt_catalog_intern(cat, rt_table_new("shop", "users", cols, 2, &err));
    const rt_table *a2 = rt_catalog_intern(cat, rt_table_new("shop", "orders", cols, 3, &err));
    CHECK_UINT_EQ(rt_table_id(a), 1);
    CHECK_UINT_EQ(rt_table_id(b), 2);
    CHECK(a2 == a);
    CHECK(rt_catalog_get(cat, 1) == a);
    CHECK(rt_catalog_get(cat, 2) == b);
    CHECK(rt_catalog_get(cat, 0) == NULL);
    CHECK(rt_catalog_get(cat, 3) == NULL);

    /* A new version of orders (one column fewer), then back to the first version. */
    const rt_table *v2 = rt_catalog_intern(cat, rt_table_new("shop", "orders", cols, 1, &err));
    CHECK_UINT_EQ(rt_table_id(v2), 3);
    CHECK(rt_catalog_find(cat, "shop.orders") == v2);
    const rt_table *v1 = rt_catalog_intern(cat, rt_table_new("shop", "orders", cols, 3, &err));
    CHECK(v1 == a);
    CHECK(rt_catalog_find(cat, "shop.orders") == a);
    CHECK(rt_catalog_find(cat, "shop.users") == b);
    CHECK(rt_catalog_find(cat, "shop.none") == NULL);

    /* Equality looks at every column attribute. */
    rt_column c[3];
    memcpy(c, cols, sizeof c);
    c[1].nullable = false;
    rt_table *x = rt_table_new("shop", "orders", c, 3, &err);
    CHECK(!rt_table_equal(x, a));
    CHECK(rt_table_equal(a, a));
    rt_table_free(x);
    rt_catalog_free(cat);
    rt_catalog_free(NULL);
}

static rt_catalog *shared_cat;

static void *intern_many(void *arg)
{
    (void)arg;
    for (int i = 0; i < 200; i++) {
        char name[16];
        snprintf(name, sizeof name, "t%d", i % 50);
        const rt_table *t = rt_catalog_intern(shared_cat, rt_table_new("db", name, cols, 3, NULL));
        if (rt_catalog_get(shared_cat, rt_table_id(t)) != t)
            return (void *)1;
    }
    return NULL;
}

TEST(catalog_threads)
{
    shared_cat = rt_catalog_new();
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, intern_many, NULL);
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(th[i], &r);
        CHECK(r == NULL);
    }
    /* 50 distinct tables, whatever the interleaving. */
    CHECK(rt_catalog_get(shared_cat, 50) != NULL);
    CHECK(rt_catalog_get(shared_cat, 51) == NULL);
    rt_catalog_free(shared_cat);
}

TEST_MAIN()
