/* sink_txn: labels per table and id, the begin/prepare/commit bookkeeping of the ledger, and the
 * checkpoint state round trip (including a changed label prefix and corrupt states); plus the
 * sink config's checks that need no server. */
#include "tests/harness/test.h"

#include <stdlib.h>

#include "operators/starrocks/sink_config.h"
#include "operators/starrocks/sink_txn.h"

static op_sr_ledger *new_ledger(const char *prefix, uint32_t subtask)
{
    op_sr_ledger *l = NULL;
    rt_err err = {0};
    CHECK_OK(op_sr_ledger_new(prefix, subtask, &l, &err), &err);
    return l;
}

/* Begins the next transaction of table i and returns its label (static buffer). */
static const char *begin(op_sr_ledger *l, size_t i)
{
    static char label[OP_SR_LABEL_MAX + 1];
    rt_err err = {0};
    CHECK_OK(op_sr_ledger_label(l, i, NULL, op_sr_ledger_next_id(l, i), label, sizeof label, &err),
             &err);
    op_sr_ledger_begun(l, i, label);
    return label;
}

TEST(labels_per_table_and_id)
{
    op_sr_ledger *l = new_ledger("job1-sink", 3);
    rt_err err = {0};
    size_t a, b, a2;
    CHECK_OK(op_sr_ledger_table(l, "shop", "orders", &a, &err), &err);
    CHECK_OK(op_sr_ledger_table(l, "shop", "order items", &b, &err), &err);
    CHECK_OK(op_sr_ledger_table(l, "shop", "orders", &a2, &err), &err);
    CHECK_UINT_EQ(a, a2);
    CHECK(a != b);
    CHECK_UINT_EQ(op_sr_ledger_table_count(l), 2);
    CHECK_STR_EQ(begin(l, a), "job1-sink-orders-3-1");
    CHECK_STR_EQ(op_sr_ledger_open_label(l, a), "job1-sink-orders-3-1");
    CHECK_UINT_EQ(op_sr_ledger_next_id(l, a), 2);
    /* A table name outside [-\w] is made valid deterministically. */
    const char *lb = begin(l, b);
    CHECK(op_sr_label_is_valid(lb));
    CHECK(strncmp(lb, "job1-sink-order_items", 21) == 0);
    char again[OP_SR_LABEL_MAX + 1];
    CHECK_OK(op_sr_ledger_label(l, b, NULL, 1, again, sizeof again, &err), &err);
    CHECK_STR_EQ(again, lb);
    /* Another prefix for probing the leftovers of an earlier configuration. */
    CHECK_OK(op_sr_ledger_label(l, a, "old", 9, again, sizeof again, &err), &err);
    CHECK_STR_EQ(again, "old-orders-3-9");
    op_sr_ledger_skip(l, a);
    CHECK_UINT_EQ(op_sr_ledger_next_id(l, a), 3);
    op_sr_ledger_free(l);
}

TEST(prepare_and_commit_bookkeeping)
{
    op_sr_ledger *l = new_ledger("p", 0);
    rt_err err = {0};
    size_t a, b;
    CHECK_OK(op_sr_ledger_table(l, "d", "a", &a, &err), &err);
    CHECK_OK(op_sr_ledger_table(l, "d", "b", &b, &err), &err);
    /* Nothing open: nothing to prepare (a bug in the caller). */
    CHECK_INT_EQ(op_sr_ledger_prepared(l, a, 1, &err), RT_EINTERNAL);
    begin(l, a);
    begin(l, b);
    CHECK_OK(op_sr_ledger_prepared(l, a, 1, &err), &err);
    CHECK_OK(op_sr_ledger_prepared(l, b, 1, &err), &err);
    CHECK(!op_sr_ledger_is_open(l, a) && !op_sr_ledger_is_open(l, b));
    begin(l, a); /* checkpoint 2 holds only a */
    CHECK_OK(op_sr_ledger_prepared(l, a, 2, &err), &err);
    begin(l, b); /* still open at the snapshot */
    CHECK_UINT_EQ(op_sr_ledger_pending_count(l), 3);
    CHECK_STR_EQ(op_sr_ledger_pending_at(l, 0)->label, "p-a-0-1");
    CHECK_STR_EQ(op_sr_ledger_pending_at(l, 1)->label, "p-b-0-1");
    CHECK_STR_EQ(op_sr_ledger_pending_at(l, 2)->label, "p-a-0-2");
    CHECK_UINT_EQ(op_sr_ledger_pending_at(l, 2)->checkpoint, 2);
    CHECK_UINT_EQ(op_sr_ledger_pending_at(l, 1)->table, b);
    op_sr_ledger_pending_remove(l, 0);
    CHECK_UINT_EQ(op_sr_ledger_pending_count(l), 2);
    CHECK_STR_EQ(op_sr_ledger_pending_at(l, 0)->label, "p-b-0-1");
    op_sr_ledger_drop_open(l, b);
    CHECK(!op_sr_ledger_is_open(l, b));
    CHECK_UINT_EQ(op_sr_ledger_next_id(l, b), 3); /* a dropped id is not reused */
    op_sr_ledger_free(l);
}

TEST(state_round_trip)
{
    op_sr_ledger *l = new_ledger("p", 2);
    rt_err err = {0};
    size_t a, b;
    CHECK_OK(op_sr_ledger_table(l, "d1", "a", &a, &err), &err);
    CHECK_OK(op_sr_ledger_table(l, "d2", "b\"x", &b, &err), &err);
    begin(l, a);
    CHECK_OK(op_sr_ledger_prepared(l, a, 5, &err), &err);
    begin(l, a);
    CHECK_OK(op_sr_ledger_prepared(l, a, 6, &err), &err);
    begin(l, b);
    CHECK_OK(op_sr_ledger_prepared(l, b, 6, &err), &err);
    begin(l, a); /* open: not in the state */
    char *text = NULL;
    size_t len = 0;
    CHECK_OK(op_sr_ledger_encode(l, &text, &len, &err), &err);
    op_sr_ledger *r = NULL;
    CHECK_OK(op_sr_ledger_decode(text, len, "newp", 2, &r, &err), &err);
    if (r) {
        CHECK_STR_EQ(op_sr_ledger_prefix(r), "newp");
        CHECK_STR_EQ(op_sr_ledger_state_prefix(r), "p");
        CHECK_UINT_EQ(op_sr_ledger_table_count(r), 2);
        CHECK_STR_EQ(op_sr_ledger_table_db(r, 1), "d2");
        CHECK_STR_EQ(op_sr_ledger_table_name(r, 1), "b\"x");
        CHECK_UINT_EQ(op_sr_ledger_next_id(r, 0), 4); /* the open one's id was taken */
        CHECK_UINT_EQ(op_sr_ledger_next_id(r, 1), 2);
        CHECK(!op_sr_ledger_is_open(r, 0));
        CHECK_UINT_EQ(op_sr_ledger_pending_count(r), 3);
        for (size_t k = 0; k < 3 && op_sr_ledger_pending_count(r) == 3; k++) {
            const op_sr_pending *x = op_sr_ledger_pending_at(l, k),
                                *y = op_sr_ledger_pending_at(r, k);
            CHECK_STR_EQ(x->label, y->label);
            CHECK_UINT_EQ(x->checkpoint, y->checkpoint);
            CHECK_UINT_EQ(x->table, y->table);
        }
        /* New labels use the new prefix and continue the counter. */
        CHECK_STR_EQ(begin(r, 0), "newp-a-2-4");
        /* Encoding the restored ledger again gives the same text (minus the prefix). */
        char *text2 = NULL;
        size_t len2 = 0;
        op_sr_ledger_drop_open(r, 0);
        CHECK_OK(op_sr_ledger_encode(r, &text2, &len2, &err), &err);
        CHECK_STR_CONTAINS(text2, "\"p-a-2-1\"");
        CHECK_STR_CONTAINS(text2, "\"next\":5");
        free(text2);
    }
    /* Another subtask's state is not ours. */
    op_sr_ledger *o = NULL;
    CHECK_INT_EQ(op_sr_ledger_decode(text, len, "p", 1, &o, &err), RT_ECORRUPT);
    CHECK(o == NULL);
    /* Every truncation is refused, none crashes. */
    for (size_t cut = 0; cut < len; cut++) {
        rt_err e = {0};
        if (op_sr_ledger_decode(text, cut, "p", 2, &o, &e) == 0) {
            test_fail(__FILE__, __LINE__, "truncated state (%zu of %zu bytes) accepted", cut, len);
            op_sr_ledger_free(o);
        }
    }
    free(text);
    op_sr_ledger_free(r);
    op_sr_ledger_free(l);
}

TEST(state_rejects_corrupt)
{
    static const char *bad[] = {
        "[]",
        "{\"v\":2,\"prefix\":\"p\",\"subtask\":0,\"tables\":[],\"pending\":[]}",
        "{\"v\":1,\"subtask\":0,\"tables\":[],\"pending\":[]}",
        "{\"v\":1,\"prefix\":\"p\",\"subtask\":0,\"tables\":[{\"db\":\"d\",\"table\":\"t\","
        "\"next\":0}],\"pending\":[]}",
        "{\"v\":1,\"prefix\":\"p\",\"subtask\":0,\"tables\":[{\"db\":\"d\",\"table\":\"t\","
        "\"next\":2}],\"pending\":[{\"checkpoint\":1,\"table\":1,\"label\":\"p-t-0-1\"}]}",
        "{\"v\":1,\"prefix\":\"p\",\"subtask\":0,\"tables\":[{\"db\":\"d\",\"table\":\"t\","
        "\"next\":2}],\"pending\":[{\"checkpoint\":1,\"table\":0,\"label\":\"bad label\"}]}",
        "{\"v\":1,\"prefix\":\"p\",\"subtask\":0,\"tables\":[],\"pending\":[{\"checkpoint\":1,"
        "\"table\":0,\"label\":\"p-t-0-1\"}]}",
        "{\"v\":1,\"prefix\":\"p\",\"subtask\":0,\"tables\":[{\"db\":\"d\",\"table\":\"t\","
        "\"next\":3}],\"pending\":[{\"checkpoint\":2,\"table\":0,\"label\":\"p-t-0-2\"},"
        "{\"checkpoint\":1,\"table\":0,\"label\":\"p-t-0-1\"}]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        op_sr_ledger *l = NULL;
        rt_err err = {0};
        int rc = op_sr_ledger_decode(bad[i], strlen(bad[i]), "p", 0, &l, &err);
        if (rc != RT_ECORRUPT)
            test_fail(__FILE__, __LINE__, "state %zu -> %d", i, rc);
        CHECK(l == NULL);
        op_sr_ledger_free(l);
    }
}

/* Applies json to a sink config and validates it; returns the first failure. */
static int config_check(const char *json, rt_err *err)
{
    op_sr_sink_config c;
    memset(&c, 0, sizeof c);
    int rc = rt_config_apply(op_sr_sink_config_fields, &c, json, "$.c", err);
    if (rc == 0)
        rc = op_sr_sink_config_validate(&c, "$.c", err);
    rt_config_free(op_sr_sink_config_fields, &c);
    return rc;
}

TEST(config_checks)
{
    rt_err err = {0};
    CHECK_OK(config_check("{\"load_url\":\"127.0.0.1:8030\",\"query_url\":\"127.0.0.1:9030\","
                          "\"database\":\"d\",\"table\":null,\"flush\":{\"rows\":10},"
                          "\"properties\":{\"strict_mode\":true,\"timezone\":\"UTC\"}}",
                          &err),
             &err);
    CHECK_INT_EQ(config_check("{\"load_url\":[],\"query_url\":\"h:1\",\"database\":\"d\"}", &err),
                 RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "$.c.load_url");
    CHECK_INT_EQ(
        config_check("{\"load_url\":\"h:1\",\"query_url\":\"h:x\",\"database\":\"d\"}", &err),
        RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "$.c.query_url");
    CHECK_INT_EQ(config_check("{\"load_url\":\"h:1\",\"query_url\":\"h:1\",\"database\":\"d\","
                              "\"flush\":{\"rows\":0}}",
                              &err),
                 RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "$.c.flush.rows");
    CHECK_INT_EQ(config_check("{\"load_url\":\"h:1\",\"query_url\":\"h:1\",\"database\":\"d\","
                              "\"properties\":{\"label\":\"x\"}}",
                              &err),
                 RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "$.c.properties.label");
    CHECK_INT_EQ(config_check("{\"load_url\":\"h:1\",\"query_url\":\"h:1\",\"database\":\"d\","
                              "\"label_prefix\":\"a b\"}",
                              &err),
                 RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "$.c.label_prefix");
    CHECK_INT_EQ(config_check("{\"load_url\":\"h:1\",\"query_url\":\"h:1\",\"database\":\"d\","
                              "\"password\":\"s3cret\",\"password_env\":\"X\"}",
                              &err),
                 RT_EINVAL);
    CHECK(strstr(err.msg, "s3cret") == NULL);
    CHECK_INT_EQ(config_check("{\"load_url\":\"h:1\",\"query_url\":\"h:1\",\"database\":\"d\","
                              "\"semantic\":\"twice\"}",
                              &err),
                 RT_EINVAL);
    /* The query address: schemes stripped, default port 9030. */
    op_sr_sink_config c;
    memset(&c, 0, sizeof c);
    CHECK_OK(rt_config_apply(op_sr_sink_config_fields, &c,
                             "{\"load_url\":\"h:1\",\"query_url\":\"jdbc:mysql://fe1:19030/db\","
                             "\"database\":\"d\",\"password\":\"pw\"}",
                             "$.c", &err),
             &err);
    char *host = NULL;
    int port = 0;
    CHECK_OK(op_sr_sink_config_query_addr(&c, "$.c", &host, &port, &err), &err);
    CHECK_STR_EQ(host, "fe1");
    CHECK_INT_EQ(port, 19030);
    free(host);
    char *formatted = rt_config_format(op_sr_sink_config_fields, &c);
    CHECK(formatted && strstr(formatted, "pw\"") == NULL);
    free(formatted);
    char *pw = NULL;
    CHECK_OK(op_sr_sink_config_password(&c, "$.c", &pw, &err), &err);
    CHECK_STR_EQ(pw, "pw");
    op_sr_sink_config_password_free(pw);
    rt_config_free(op_sr_sink_config_fields, &c);
}

TEST_MAIN()
