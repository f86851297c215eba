/* Tests of sr_txn: the label state machine of the transaction interface (notes §2.3), replies,
 * timeouts, and prepared transactions surviving a restart of the store. */
#include "tests/harness/test.h"
#include "tests/sr_endpoint/sr_txn.h"
#include "tests/unit/sr_endpoint/sr_test_util.h"

#include <stdlib.h>

#include "runtime/base/clock.h"

static char dir[512];

static sr_store *setup(const char *name)
{
    snprintf(dir, sizeof(dir), "%s/%s", test_tmpdir(), name);
    sr_store *s = NULL;
    rt_err err;
    CHECK_INT_EQ(sr_store_open(dir, &s, &err), 0);
    sr_store_create_database(s, "d", true, &err);
    sr_table_def d = {0};
    d.name = strdup("t");
    d.column_count = 2;
    d.columns = calloc(2, sizeof(sr_column_def));
    d.columns[0].name = strdup("id");
    d.columns[0].type.kind = SR_TYPE_INT;
    d.columns[1].name = strdup("v");
    sr_type_parse("VARCHAR(10)", &d.columns[1].type, NULL);
    d.columns[1].nullable = true;
    d.key_count = 1;
    d.key_columns = calloc(1, sizeof(char *));
    d.key_columns[0] = strdup("id");
    sr_store_create_table(s, "d", &d, true, &err);
    sr_table_def_fini(&d);
    return s;
}

static sr_label_state state(sr_txn_mgr *m, const char *label)
{
    char reason[256];
    return sr_txn_label_state(m, "d", label, reason, sizeof(reason));
}

TEST(label_state_machine)
{
    sr_store *s = setup("sm");
    sr_txn_mgr *m = sr_txn_mgr_new(s, false);
    sr_txn_reply r;
    hdrs b = {{"db", "d", "table", "t", "label", "L1", NULL}};
    sr_txn_begin(m, get, &b, &r);
    CHECK_STR_EQ(r.status, "OK");
    int64_t id = r.txn_id;
    CHECK_INT_EQ(state(m, "L1"), SR_LABEL_PREPARE);
    sr_txn_begin(m, get, &b, &r); /* running on this BE: empty ExistingJobStatus */
    CHECK_STR_EQ(r.status, "LABEL_ALREADY_EXISTS");
    CHECK(r.has_existing);
    CHECK_STR_EQ(r.existing, "");
    /* prepare without data: INTERNAL_ERROR and rolled back */
    sr_txn_prepare(m, get, &b, &r);
    CHECK_STR_EQ(r.status, "INTERNAL_ERROR");
    CHECK_STR_CONTAINS(r.message, "hasn't send any data yet");
    CHECK_INT_EQ(state(m, "L1"), SR_LABEL_ABORTED);
    /* an aborted label is free again */
    sr_txn_begin(m, get, &b, &r);
    CHECK_STR_EQ(r.status, "OK");
    CHECK(r.txn_id != id);
    hdrs l = {{"db", "d", "table", "t", "label", "L1", "format", "json", NULL}};
    sr_txn_load(m, get, &l, "{\"id\":1,\"v\":\"a\"}", 16, &r);
    CHECK_STR_EQ(r.status, "OK");
    CHECK_INT_EQ(r.load_bytes, 16);
    hdrs l2 = {{"db", "d", "table", "t", "label", "L1", "format", "csv", NULL}};
    sr_txn_load(m, get, &l, "{\"id\":2,\"v\":\"b\"}", 16, &r);
    CHECK_STR_EQ(r.status, "OK");
    sr_txn_prepare(m, get, &b, &r);
    CHECK_STR_EQ(r.status, "OK");
    CHECK_INT_EQ(r.counts.loaded, 2);
    CHECK_INT_EQ(state(m, "L1"), SR_LABEL_PREPARED);
    CHECK_INT_EQ(sr_store_row_count(s, "d", "t"), 0);
    sr_txn_prepare(m, get, &b, &r); /* the BE forgot it at prepare */
    CHECK_STR_EQ(r.status, "TXN_NOT_EXISTS");
    sr_txn_begin(m, get, &b, &r);
    CHECK_STR_EQ(r.status, "LABEL_ALREADY_EXISTS");
    CHECK_STR_EQ(r.existing, "RUNNING");
    sr_txn_commit_be(m, get, &b, false, &r); /* BE has no context for a PREPARED txn */
    CHECK_STR_EQ(r.status, "TXN_NOT_EXISTS");
    CHECK(sr_txn_commit_fe(m, "d", "L1", false, &r));
    CHECK_STR_EQ(r.status, "OK");
    CHECK_INT_EQ(state(m, "L1"), SR_LABEL_VISIBLE);
    CHECK_INT_EQ(sr_store_row_count(s, "d", "t"), 2);
    CHECK(sr_txn_commit_fe(m, "d", "L1", false, &r));
    CHECK_STR_EQ(r.status, "OK");
    CHECK_STR_CONTAINS(r.message, "has already committed");
    CHECK(sr_txn_rollback_fe(m, "d", "L1", &r));
    CHECK_STR_EQ(r.status, "FAILED");
    sr_txn_begin(m, get, &b, &r);
    CHECK_STR_EQ(r.existing, "FINISHED");
    CHECK_STR_EQ(r.message, "Label [L1] has already been used.");
    CHECK(sr_txn_commit_fe(m, "d", "nope", false, &r));
    CHECK_STR_EQ(r.message, "No transaction found with db[d] and label[nope]");

    /* changed load parameters fail the load and roll back */
    hdrs b2 = {{"db", "d", "table", "t", "label", "L2", NULL}};
    sr_txn_begin(m, get, &b2, &r);
    hdrs l3 = {{"db", "d", "table", "t", "label", "L2", "format", "json", NULL}};
    hdrs l4 = {{"db", "d", "table", "t", "label", "L2", "format", "json", "strict_mode", "true", NULL}};
    sr_txn_load(m, get, &l3, "{\"id\":3}", 8, &r);
    CHECK_STR_EQ(r.status, "OK");
    sr_txn_load(m, get, &l4, "{\"id\":4}", 8, &r);
    CHECK_STR_EQ(r.status, "INVALID_ARGUMENT");
    CHECK_STR_EQ(r.message, "load request not equal last.");
    CHECK_INT_EQ(state(m, "L2"), SR_LABEL_ABORTED);
    (void)l2;

    /* one-phase commit of PREPARE on the BE; busy -> TXN_IN_PROCESSING */
    hdrs b3 = {{"db", "d", "table", "t", "label", "L3", NULL}};
    hdrs l5 = {{"db", "d", "table", "t", "label", "L3", "format", "json", NULL}};
    sr_txn_begin(m, get, &b3, &r);
    CHECK(sr_txn_acquire(m, "d", "L3"));
    CHECK(!sr_txn_acquire(m, "d", "L3"));
    sr_txn_load(m, get, &l5, "{\"id\":5}", 8, &r);
    CHECK_STR_EQ(r.status, "TXN_IN_PROCESSING");
    CHECK_STR_EQ(r.label, "L3");
    sr_txn_release(m, "d", "L3");
    sr_txn_load(m, get, &l5, "{\"id\":5}", 8, &r);
    CHECK_STR_EQ(r.status, "OK");
    CHECK(!sr_txn_commit_fe(m, "d", "L3", false, &r)); /* PREPARE: the FE redirects */
    sr_txn_commit_be(m, get, &b3, false, &r);
    CHECK_STR_EQ(r.status, "OK");
    CHECK_INT_EQ(state(m, "L3"), SR_LABEL_VISIBLE);
    CHECK_INT_EQ(sr_store_row_count(s, "d", "t"), 3);

    /* filtered beyond the ratio at prepare: rolled back with an error log */
    hdrs b4 = {{"db", "d", "table", "t", "label", "L4", NULL}};
    hdrs l6 = {{"db", "d", "table", "t", "label", "L4", "format", "json", NULL}};
    sr_txn_begin(m, get, &b4, &r);
    const char *body6 = "{\"id\":6,\"v\":\"waytoolongvalue\"}";
    sr_txn_load(m, get, &l6, body6, strlen(body6), &r);
    CHECK_STR_EQ(r.status, "OK");
    sr_txn_prepare(m, get, &b4, &r);
    CHECK_STR_EQ(r.status, "INTERNAL_ERROR");
    CHECK_STR_EQ(r.message, "too many filtered rows");
    CHECK(r.error_file[0] != '\0');
    CHECK_STR_CONTAINS(sr_txn_error_log(m, r.error_file), "is too long");
    CHECK_INT_EQ(state(m, "L4"), SR_LABEL_ABORTED);
    rt_buf out;
    rt_buf_init(&out);
    sr_txn_reply_format(&r, "127.0.0.1:8040", &out);
    CHECK_STR_CONTAINS(out.data, "\"ErrorURL\": \"http://127.0.0.1:8040/api/_load_error_log?file=");
    rt_buf_fini(&out);
    sr_txn_mgr_free(m);
    sr_store_close(s);
}

TEST(timeouts)
{
    sr_store *s = setup("timeouts");
    sr_txn_mgr *m = sr_txn_mgr_new(s, false);
    sr_txn_reply r;
    hdrs bad = {{"db", "d", "table", "t", "label", "T0", "timeout", "x", NULL}};
    sr_txn_begin(m, get, &bad, &r);
    CHECK_STR_EQ(r.status, "INVALID_ARGUMENT");
    hdrs b = {{"db", "d", "table", "t", "label", "T1", "timeout", "1", NULL}};
    hdrs i = {{"db", "d", "table", "t", "label", "T2", "idle_transaction_timeout", "1", NULL}};
    sr_txn_begin(m, get, &b, &r);
    sr_txn_begin(m, get, &i, &r);
    sr_txn_tick(m, rt_clock_mono_ms());
    CHECK_INT_EQ(state(m, "T1"), SR_LABEL_PREPARE);
    sr_txn_tick(m, rt_clock_mono_ms() + 1500);
    char reason[256];
    CHECK_INT_EQ(sr_txn_label_state(m, "d", "T1", reason, sizeof(reason)), SR_LABEL_ABORTED);
    CHECK_STR_EQ(reason, "transaction is aborted by timeout 1 seconds.");
    CHECK_INT_EQ(sr_txn_label_state(m, "d", "T2", reason, sizeof(reason)), SR_LABEL_ABORTED);
    CHECK_STR_EQ(reason, "transaction is aborted by idle timeout 1 seconds.");
    hdrs l = {{"db", "d", "table", "t", "label", "T1", "format", "json", NULL}};
    sr_txn_load(m, get, &l, "{}", 2, &r);
    CHECK_STR_EQ(r.status, "ABORTED");
    /* prepared_timeout aborts a PREPARED txn */
    hdrs b3 = {{"db", "d", "table", "t", "label", "T3", NULL}};
    hdrs l3 = {{"db", "d", "table", "t", "label", "T3", "format", "json", NULL}};
    hdrs p3 = {{"db", "d", "label", "T3", "prepared_timeout", "1", NULL}};
    sr_txn_begin(m, get, &b3, &r);
    sr_txn_load(m, get, &l3, "{\"id\":1}", 8, &r);
    sr_txn_prepare(m, get, &p3, &r);
    CHECK_STR_EQ(r.status, "OK");
    sr_txn_tick(m, rt_clock_mono_ms() + 1500);
    CHECK_INT_EQ(state(m, "T3"), SR_LABEL_ABORTED);
    sr_txn_mgr_free(m);
    sr_store_close(s);
}

TEST(prepared_survives_restart_and_plain_load_labels)
{
    sr_store *s = setup("restart");
    sr_txn_mgr *m = sr_txn_mgr_new(s, false);
    sr_txn_reply r;
    hdrs b = {{"db", "d", "table", "t", "label", "P1", NULL}};
    hdrs l = {{"db", "d", "table", "t", "label", "P1", "format", "json", NULL}};
    sr_txn_begin(m, get, &b, &r);
    sr_txn_load(m, get, &l, "{\"id\":1}", 8, &r);
    sr_txn_prepare(m, get, &b, &r);
    CHECK_STR_EQ(r.status, "OK");
    hdrs sl = {{"label", "S1", "format", "json", NULL}};
    sr_txn_stream_load(m, "d", "t", get, &sl, "{\"id\":9}", 8, false, &r);
    CHECK_STR_EQ(r.status, "Success");
    CHECK_STR_EQ(r.message, "OK");
    sr_txn_stream_load(m, "d", "t", get, &sl, "{\"id\":9}", 8, false, &r);
    CHECK_STR_EQ(r.status, "Label Already Exists");
    CHECK_STR_EQ(r.existing, "FINISHED");
    CHECK_INT_EQ(r.txn_id, -1);
    sr_txn_mgr_free(m);
    sr_store_close(s);

    CHECK_INT_EQ(sr_store_open(dir, &s, NULL), 0);
    m = sr_txn_mgr_new(s, false);
    CHECK_INT_EQ(state(m, "P1"), SR_LABEL_PREPARED);
    CHECK_INT_EQ(state(m, "S1"), SR_LABEL_VISIBLE);
    CHECK(sr_txn_commit_fe(m, "d", "P1", false, &r));
    CHECK_STR_EQ(r.status, "OK");
    CHECK_INT_EQ(sr_store_row_count(s, "d", "t"), 2);
    sr_txn_mgr_free(m);
    sr_store_close(s);
}

TEST_MAIN()
