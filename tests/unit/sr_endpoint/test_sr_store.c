/* Tests of sr_store: DDL rules, commits on PRIMARY KEY / DUPLICATE KEY tables, ALTER, labels and
 * prepared transactions, and that all of it survives closing and reopening the data dir. */
#include "tests/harness/test.h"
#include "tests/sr_endpoint/sr_store.h"
#include "tests/unit/sr_endpoint/sr_test_util.h"

#include <stdlib.h>

/* t(id BIGINT NOT NULL, name VARCHAR(8) NULL, amount DECIMAL(10,2) NOT NULL DEFAULT "0") */
static void make_def(sr_table_def *d, const char *name, sr_model model)
{
    memset(d, 0, sizeof(*d));
    d->name = strdup(name);
    d->column_count = 3;
    d->columns = calloc(3, sizeof(sr_column_def));
    d->columns[0] = col("id", "BIGINT", false, NULL);
    d->columns[1] = col("name", "VARCHAR(8)", true, NULL);
    d->columns[2] = col("amount", "DECIMAL(10,2)", false, "0");
    d->model = model;
    d->key_count = 1;
    d->key_columns = calloc(1, sizeof(char *));
    d->key_columns[0] = strdup("id");
    d->distributed_count = 1;
    d->distributed_by = calloc(1, sizeof(char *));
    d->distributed_by[0] = strdup("id");
    d->buckets = 4;
}

static sr_value V(const char *s)
{
    return s ? sr_value_text(s, strlen(s)) : (sr_value){.kind = SR_VALUE_NULL};
}

static void add(sr_batch *b, sr_row_op op, const char *id, const char *name, const char *amount)
{
    sr_value v[3] = {V(id), V(name), V(amount)};
    sr_batch_add(b, op, v);
}

struct dump {
    char text[4096];
};

static int dump_row(void *ctx, const sr_value *v, size_t n)
{
    struct dump *d = ctx;
    size_t len = strlen(d->text);
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(d->text + len, sizeof(d->text) - len, "%s%s", i ? "," : "",
                                v[i].kind == SR_VALUE_TEXT ? v[i].data : "NULL");
    snprintf(d->text + len, sizeof(d->text) - len, ";");
    return 0;
}

static const char *scan(sr_store *s, const char *db, const char *t)
{
    static struct dump d;
    d.text[0] = '\0';
    rt_err err;
    if (sr_store_scan(s, db, t, dump_row, &d, &err))
        snprintf(d.text, sizeof(d.text), "ERR:%s", err.msg);
    return d.text;
}

static char dir[512];

static sr_store *open_store(void)
{
    sr_store *s = NULL;
    rt_err err;
    if (sr_store_open(dir, &s, &err))
        test_fail(__FILE__, __LINE__, "open: %s", err.msg);
    return s;
}

static sr_store *reopen(sr_store *s)
{
    sr_store_close(s);
    return open_store();
}

/* Commits b to d.t without a label and frees it; returns sr_store_commit's code. */
static int commit(sr_store *s, sr_batch *b)
{
    rt_err err;
    int rc = sr_store_commit(s, "d", "t", b, NULL, 0, &err);
    sr_batch_free(b);
    return rc;
}

/* Opens a store in dir/sub holding database d and table t (make_def) of the given model. */
static sr_store *open_with_table(const char *sub, sr_model model, sr_table_def *d)
{
    snprintf(dir, sizeof(dir), "%s/%s", test_tmpdir(), sub);
    sr_store *s = open_store();
    rt_err err;
    CHECK_INT_EQ(sr_store_create_database(s, "d", false, &err), 0);
    make_def(d, "t", model);
    CHECK_INT_EQ(sr_store_create_table(s, "d", d, false, &err), 0);
    return s;
}

TEST(create_table_rules)
{
    snprintf(dir, sizeof(dir), "%s/rules", test_tmpdir());
    sr_store *s = open_store();
    rt_err err;
    CHECK_INT_EQ(sr_store_create_database(s, "d", false, &err), 0);
    CHECK_INT_EQ(sr_store_create_database(s, "d", false, &err), RT_EEXIST);
    CHECK_INT_EQ(sr_store_create_database(s, "d", true, &err), 0);
    sr_table_def d;
    make_def(&d, "t", SR_MODEL_PRIMARY_KEY);
    free(d.key_columns[0]);
    d.key_columns[0] = strdup("name"); /* not the first column */
    CHECK_INT_EQ(sr_store_create_table(s, "d", &d, false, &err), RT_EINVAL);
    CHECK_STR_EQ(err.msg, "Key columns should be a ordered prefix of the schema.");
    free(d.key_columns[0]);
    d.key_columns[0] = strdup("id");
    d.columns[0].nullable = true;
    CHECK_INT_EQ(sr_store_create_table(s, "d", &d, false, &err), RT_EINVAL);
    CHECK_STR_EQ(err.msg, "primary key column[id] cannot be nullable");
    d.columns[0].nullable = false;
    d.columns[0].type = (sr_type){.kind = SR_TYPE_DECIMAL, .precision = 10};
    CHECK_INT_EQ(sr_store_create_table(s, "d", &d, false, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "type not supported");
    d.columns[0].type = (sr_type){.kind = SR_TYPE_BIGINT};
    CHECK_INT_EQ(sr_store_create_table(s, "nodb", &d, false, &err), RT_ENOTFOUND);
    CHECK_STR_EQ(err.msg, "unknown database, database=nodb");
    CHECK_INT_EQ(sr_store_create_table(s, "d", &d, false, &err), 0);
    CHECK_INT_EQ(sr_store_create_table(s, "d", &d, false, &err), RT_EEXIST);
    CHECK_INT_EQ(sr_store_create_table(s, "d", &d, true, &err), 0);
    sr_table_def_fini(&d);
    sr_table_def got;
    CHECK_INT_EQ(sr_store_get_schema(s, "d", "t", &got, &err), 0);
    CHECK_INT_EQ(got.column_count, 3);
    CHECK_STR_EQ(got.columns[2].default_text, "0");
    CHECK_INT_EQ(got.buckets, 4);
    sr_table_def_fini(&got);
    CHECK_INT_EQ(sr_store_get_schema(s, "d", "nope", &got, &err), RT_ENOTFOUND);
    CHECK_STR_EQ(err.msg, "unknown table \"d.nope\"");
    sr_store_close(s);
}

TEST(primary_key_upsert_delete_order_and_restart)
{
    sr_table_def d;
    sr_store *s = open_with_table("pk", SR_MODEL_PRIMARY_KEY, &d);
    rt_err err;
    sr_batch *b = sr_batch_new(&d);
    add(b, SR_ROW_UPSERT, "10", "ten", "1.00");
    add(b, SR_ROW_UPSERT, "9", "nine", "2.00");
    add(b, SR_ROW_UPSERT, "11", NULL, "3.00");
    add(b, SR_ROW_UPSERT, "10", "TEN", "4.00"); /* later row of the same key wins */
    add(b, SR_ROW_DELETE, "11", NULL, "0.00");
    CHECK_INT_EQ(sr_store_commit(s, "d", "t", b, "l1", 7, &err), 0);
    sr_batch_free(b);
    /* numeric key order: 9 before 10 */
    CHECK_STR_EQ(scan(s, "d", "t"), "9,nine,2.00;10,TEN,4.00;");
    sr_label_info li;
    sr_store_label_get(s, "d", "l1", &li);
    CHECK_INT_EQ(li.state, SR_LABEL_VISIBLE);
    CHECK_INT_EQ(li.txn_id, 7);
    /* the label cannot be reused once committed */
    b = sr_batch_new(&d);
    add(b, SR_ROW_UPSERT, "1", "x", "1.00");
    CHECK_INT_EQ(sr_store_commit(s, "d", "t", b, "l1", 8, &err), RT_EEXIST);
    /* NULL into NOT NULL refuses the whole batch */
    add(b, SR_ROW_UPSERT, "2", "y", NULL);
    CHECK_INT_EQ(commit(s, b), RT_EINVAL);
    CHECK_INT_EQ(sr_store_row_count(s, "d", "t"), 2);
    /* partial update: ABSENT keeps the stored value; new keys take defaults */
    b = sr_batch_new(&d);
    sr_value v[3] = {V("9"), {.kind = SR_VALUE_ABSENT}, V("9.50")};
    sr_batch_add(b, SR_ROW_UPSERT, v);
    sr_value w[3] = {V("12"), V("new"), {.kind = SR_VALUE_ABSENT}};
    sr_batch_add(b, SR_ROW_UPSERT, w);
    CHECK_INT_EQ(commit(s, b), 0);
    CHECK_STR_EQ(scan(s, "d", "t"), "9,nine,9.50;10,TEN,4.00;12,new,0.00;");
    s = reopen(s);
    CHECK_STR_EQ(scan(s, "d", "t"), "9,nine,9.50;10,TEN,4.00;12,new,0.00;");
    sr_store_label_get(s, "d", "l1", &li);
    CHECK_INT_EQ(li.state, SR_LABEL_VISIBLE);
    CHECK(sr_store_next_txn_id(s) > 7);
    sr_table_def_fini(&d);
    sr_store_close(s);
}

TEST(many_keys_index)
{
    sr_table_def d;
    sr_store *s = open_with_table("many", SR_MODEL_PRIMARY_KEY, &d);
    sr_batch *b = sr_batch_new(&d);
    char id[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(id, sizeof(id), "%d", i);
        add(b, SR_ROW_UPSERT, id, "a", "1.00");
    }
    for (int i = 0; i < 5000; i += 2) {
        snprintf(id, sizeof(id), "%d", i);
        add(b, SR_ROW_DELETE, id, NULL, "0");
    }
    for (int i = 1; i < 5000; i += 4) {
        snprintf(id, sizeof(id), "%d", i);
        add(b, SR_ROW_UPSERT, id, "b", "2.00");
    }
    CHECK_INT_EQ(commit(s, b), 0);
    CHECK_INT_EQ(sr_store_row_count(s, "d", "t"), 2500);
    s = reopen(s);
    CHECK_INT_EQ(sr_store_row_count(s, "d", "t"), 2500);
    sr_table_def_fini(&d);
    sr_store_close(s);
}

TEST(duplicate_key_appends_in_load_order)
{
    sr_table_def d;
    sr_store *s = open_with_table("dup", SR_MODEL_DUPLICATE_KEY, &d);
    rt_err err;
    sr_batch *b = sr_batch_new(&d);
    add(b, SR_ROW_UPSERT, "2", "b", "1.00");
    add(b, SR_ROW_UPSERT, "1", "a", "1.00");
    add(b, SR_ROW_UPSERT, "2", "b", "1.00");
    CHECK_INT_EQ(commit(s, b), 0);
    CHECK_STR_EQ(scan(s, "d", "t"), "2,b,1.00;1,a,1.00;2,b,1.00;");
    CHECK_INT_EQ(sr_store_truncate_table(s, "d", "t", &err), 0);
    CHECK_INT_EQ(sr_store_row_count(s, "d", "t"), 0);
    sr_table_def_fini(&d);
    sr_store_close(s);
}

TEST(alter_table)
{
    sr_table_def d;
    sr_store *s = open_with_table("alter", SR_MODEL_PRIMARY_KEY, &d);
    rt_err err;
    sr_batch *b = sr_batch_new(&d);
    add(b, SR_ROW_UPSERT, "1", "12", "1.00");
    commit(s, b);
    sr_column_def c = col("note", "VARCHAR(4)", false, "n/a");
    CHECK_INT_EQ(sr_store_add_column(s, "d", "t", &c, "id", false, &err), 0);
    sr_column_def_fini(&c);
    c = col("bad", "INT", false, NULL);
    CHECK_INT_EQ(sr_store_add_column(s, "d", "t", &c, NULL, false, &err), RT_EINVAL);
    sr_column_def_fini(&c);
    CHECK_STR_EQ(scan(s, "d", "t"), "1,n/a,12,1.00;");
    CHECK_INT_EQ(sr_store_drop_column(s, "d", "t", "id", &err), RT_EINVAL);
    CHECK_INT_EQ(sr_store_drop_column(s, "d", "t", "AMOUNT", &err), 0);
    /* MODIFY is a schema-change job; with no delay it finishes at the next store call. */
    sr_store_set_alter_delay_ms(s, 0);
    c = col("name", "INT", true, NULL);
    CHECK_INT_EQ(sr_store_modify_column(s, "d", "t", &c, &err), 0);
    sr_column_def_fini(&c);
    c = col("note", "INT", true, NULL); /* drops the default "n/a": StarRocks refuses that */
    CHECK_INT_EQ(sr_store_modify_column(s, "d", "t", &c, &err), RT_EINVAL);
    sr_column_def_fini(&c);
    /* a batch built before the ALTER still applies (columns matched by name) */
    b = sr_batch_new(&d);
    add(b, SR_ROW_UPSERT, "2", "7", "5.00");
    CHECK_INT_EQ(commit(s, b), 0);
    CHECK_STR_EQ(scan(s, "d", "t"), "1,n/a,12;2,n/a,7;");
    s = reopen(s);
    CHECK_STR_EQ(scan(s, "d", "t"), "1,n/a,12;2,n/a,7;");
    sr_table_def got;
    CHECK_INT_EQ(sr_store_get_schema(s, "d", "t", &got, &err), 0);
    CHECK_INT_EQ(got.columns[2].type.kind, SR_TYPE_INT);
    sr_table_def_fini(&got);
    char **dbs = sr_store_list_databases(s);
    CHECK_STR_EQ(dbs[0], "d");
    CHECK(dbs[1] == NULL);
    sr_names_free(dbs);
    CHECK_INT_EQ(sr_store_drop_table(s, "d", "t", false, &err), 0);
    CHECK(!sr_store_has_table(s, "d", "t"));
    sr_table_def_fini(&d);
    sr_store_close(s);
}

static void on_prepared(void *ctx, const char *db, const char *label, int64_t txn)
{
    (void)db;
    (void)txn;
    char *buf = ctx;
    strcat(buf, label);
    strcat(buf, ";");
}

TEST(prepared_transactions_survive_restart)
{
    sr_table_def d;
    sr_store *s = open_with_table("prep", SR_MODEL_PRIMARY_KEY, &d);
    rt_err err;
    sr_batch *b = sr_batch_new(&d);
    add(b, SR_ROW_UPSERT, "1", "a", "1.00");
    CHECK_INT_EQ(sr_store_prepare(s, "d", "t", "p1", 100, b, &err), 0);
    b = sr_batch_new(&d);
    add(b, SR_ROW_UPSERT, "2", "b", "1.00");
    CHECK_INT_EQ(sr_store_prepare(s, "d", "t", "p2", 101, b, &err), 0);
    b = sr_batch_new(&d);
    CHECK_INT_EQ(sr_store_prepare(s, "d", "t", "p1", 102, b, &err), RT_EEXIST);
    sr_batch_free(b);
    CHECK_INT_EQ(sr_store_row_count(s, "d", "t"), 0); /* prepared rows are not visible */
    s = reopen(s);
    char seen[256] = "";
    sr_store_prepared_foreach(s, on_prepared, seen);
    CHECK_STR_EQ(seen, "p1;p2;");
    CHECK_INT_EQ(sr_store_commit_prepared(s, "d", "p1", &err), 0);
    CHECK_INT_EQ(sr_store_commit_prepared(s, "d", "p1", &err), RT_ENOTFOUND);
    CHECK_INT_EQ(sr_store_abort_prepared(s, "d", "p2", "user cancel", &err), 0);
    s = reopen(s);
    CHECK_STR_EQ(scan(s, "d", "t"), "1,a,1.00;");
    sr_label_info li;
    sr_store_label_get(s, "d", "p1", &li);
    CHECK_INT_EQ(li.state, SR_LABEL_VISIBLE);
    CHECK_INT_EQ(li.txn_id, 100);
    sr_store_label_get(s, "d", "p2", &li);
    CHECK_INT_EQ(li.state, SR_LABEL_ABORTED);
    CHECK_STR_EQ(li.reason, "user cancel");
    sr_store_label_get(s, "d", "never", &li);
    CHECK_INT_EQ(li.state, SR_LABEL_UNKNOWN);
    /* an aborted label is free again */
    b = sr_batch_new(&d);
    add(b, SR_ROW_UPSERT, "3", "c", "1.00");
    CHECK_INT_EQ(sr_store_prepare(s, "d", "t", "p2", 103, b, &err), 0);
    sr_table_def_fini(&d);
    sr_store_close(s);
}

TEST(torn_tail_is_dropped)
{
    snprintf(dir, sizeof(dir), "%s/torn", test_tmpdir());
    sr_store *s = open_store();
    rt_err err;
    sr_store_create_database(s, "d", false, &err);
    sr_store_close(s);
    char path[600];
    snprintf(path, sizeof(path), "%s/sr-store.log", dir);
    FILE *f = fopen(path, "a");
    fputs("{\"op\":\"create_db\",\"db\":\"e", f);
    fclose(f);
    s = open_store();
    CHECK(s != NULL);
    CHECK(sr_store_has_database(s, "d"));
    CHECK(!sr_store_has_database(s, "e"));
    CHECK_INT_EQ(sr_store_create_database(s, "e", false, &err), 0);
    s = reopen(s);
    CHECK(sr_store_has_database(s, "e"));
    sr_store_close(s);
}

TEST_MAIN()
