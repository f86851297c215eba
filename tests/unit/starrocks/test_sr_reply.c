/* Reply parsing (operators/starrocks/sr_reply.c): every reply body shape of the protocol notes
 * (sections 1.3, 1.4, 2.1, 2.2) maps to the outcome and fields the sink acts on. */
#include "operators/starrocks/sr_reply.h"

#include "tests/harness/test.h"

static op_sr_result parse_ok(long http, const char *body)
{
    op_sr_result r;
    rt_err err;
    rt_err_clear(&err);
    int rc = op_sr_reply_parse(http, body, strlen(body), &r, &err);
    if (rc != 0)
        test_fail(__FILE__, __LINE__, "parse of %s -> %d: %s", body, rc, err.msg);
    return r;
}

#define OUTCOME(http, body) (parse_ok((http), (body)).outcome)

/* ---- plain Stream Load, BE shape (notes 1.3) ---- */

TEST(be_plain_success_fields)
{
    const char *body =
        "{\n    \"TxnId\": 1003,\n    \"Label\": \"sluice-t-0-7\",\n    \"Status\": \"Success\",\n"
        "    \"Message\": \"OK\",\n    \"NumberTotalRows\": 10,\n    \"NumberLoadedRows\": 7,\n"
        "    \"NumberFilteredRows\": 2,\n    \"NumberUnselectedRows\": 1,\n    \"LoadBytes\": "
        "345,\n"
        "    \"LoadTimeMs\": 12,\n    \"BeginTxnTimeMs\": 1,\n    \"StreamLoadPlanTimeMs\": 2,\n"
        "    \"ReadDataTimeMs\": 0,\n    \"WriteDataTimeMs\": 5,\n    \"CommitAndPublishTimeMs\": "
        "4,\n"
        "    \"ErrorURL\": \"http://127.0.0.1:8040/api/_load_error_log?file=error_log_x\"\n}";
    op_sr_result r = parse_ok(200, body);
    CHECK_INT_EQ(r.outcome, OP_SR_OK);
    CHECK_INT_EQ(r.http_status, 200);
    CHECK_INT_EQ(r.txn_id, 1003);
    CHECK_STR_EQ(r.label, "sluice-t-0-7");
    CHECK_STR_EQ(r.status, "Success");
    CHECK_STR_EQ(r.message, "OK");
    CHECK_INT_EQ(r.total_rows, 10);
    CHECK_INT_EQ(r.loaded_rows, 7);
    CHECK_INT_EQ(r.filtered_rows, 2);
    CHECK_INT_EQ(r.unselected_rows, 1);
    CHECK_INT_EQ(r.load_bytes, 345);
    CHECK_STR_EQ(r.error_url, "http://127.0.0.1:8040/api/_load_error_log?file=error_log_x");
    CHECK(!r.state_checked);
    CHECK(op_sr_outcome_is_success(r.outcome));
    CHECK_INT_EQ(op_sr_outcome_code(r.outcome), 0);
}

TEST(be_plain_publish_timeout_is_success)
{
    op_sr_result r = parse_ok(200, "{\"TxnId\":5,\"Label\":\"l\",\"Status\":\"Publish Timeout\","
                                   "\"Message\":\"transaction commit successfully, BUT data will "
                                   "be visible later\",\"NumberTotalRows\":3,"
                                   "\"NumberLoadedRows\":3}");
    CHECK_INT_EQ(r.outcome, OP_SR_PUBLISH_TIMEOUT);
    CHECK(op_sr_outcome_is_success(r.outcome));
    CHECK_INT_EQ(r.loaded_rows, 3);
    CHECK_INT_EQ(r.error_url[0], '\0'); /* absent → empty */
    CHECK_INT_EQ(r.filtered_rows, -1);  /* absent → -1 */
}

TEST(be_plain_label_already_exists_each_job_status)
{
    op_sr_result r = parse_ok(200, "{\"TxnId\":-1,\"Label\":\"l\",\"Status\":\"Label Already "
                                   "Exists\",\"ExistingJobStatus\":\"FINISHED\",\"Message\":"
                                   "\"Label [l] has already been used.\"}");
    CHECK_INT_EQ(r.outcome, OP_SR_LABEL_FINISHED);
    CHECK_STR_EQ(r.existing_job_status, "FINISHED");
    CHECK_INT_EQ(r.txn_id, -1);
    CHECK(!op_sr_outcome_is_success(r.outcome)); /* the client decides per operation */
    CHECK_INT_EQ(op_sr_outcome_code(r.outcome), RT_EEXIST);

    CHECK_INT_EQ(OUTCOME(200, "{\"TxnId\":-1,\"Status\":\"Label Already Exists\","
                              "\"ExistingJobStatus\":\"RUNNING\",\"Message\":\"x\"}"),
                 OP_SR_LABEL_RUNNING);
    CHECK_INT_EQ(OUTCOME(200, "{\"TxnId\":-1,\"Status\":\"Label Already Exists\","
                              "\"Message\":\"x\"}"),
                 OP_SR_LABEL_EXISTS);
}

TEST(be_plain_fail_messages)
{
    op_sr_result r = parse_ok(200, "{\"TxnId\":9,\"Status\":\"Fail\",\"Message\":\"too many "
                                   "filtered rows\",\"NumberTotalRows\":2,\"NumberLoadedRows\":1,"
                                   "\"NumberFilteredRows\":1,\"ErrorURL\":\"http://h:1/e\"}");
    CHECK_INT_EQ(r.outcome, OP_SR_DATA_QUALITY);
    CHECK_INT_EQ(op_sr_outcome_code(r.outcome), RT_EINVAL);
    CHECK_STR_EQ(r.error_url, "http://h:1/e");
    /* After 3.2.11 a duplicate label may come back as a plain Fail with this text [I2][S13]. */
    CHECK_INT_EQ(OUTCOME(200, "{\"Status\":\"Fail\",\"Message\":\"Label [x] has already been "
                              "used.\"}"),
                 OP_SR_LABEL_EXISTS);
    CHECK_INT_EQ(OUTCOME(200, "{\"Status\":\"Fail\",\"Message\":\"Stream Load exceed http "
                              "cuncurrent limit 10, please try again later\"}"),
                 OP_SR_UNAVAILABLE);
    CHECK_INT_EQ(OUTCOME(200, "{\"Status\":\"Fail\",\"Message\":\"Service is shutting down, "
                              "please retry later!\"}"),
                 OP_SR_UNAVAILABLE);
    CHECK_INT_EQ(OUTCOME(200, "{\"Status\":\"Fail\",\"Message\":\"Commit transaction fail cause "
                              "x, Transaction status unknown, you can retry with same label.\"}"),
                 OP_SR_UNAVAILABLE);
    CHECK_INT_EQ(OUTCOME(200, "{\"Status\":\"Fail\",\"Message\":\"unknown table \\\"d.t\\\"\"}"),
                 OP_SR_INVALID);
    CHECK_INT_EQ(OUTCOME(200, "{\"Status\":\"Fail\",\"Message\":\"unknown database, "
                              "database=d\"}"),
                 OP_SR_INVALID);
    CHECK_INT_EQ(OUTCOME(200, "{\"Status\":\"Fail\",\"Message\":\"no valid Basic "
                              "authorization\"}"),
                 OP_SR_AUTH_FAILED);
    CHECK_INT_EQ(OUTCOME(200, "{\"Status\":\"Fail\",\"Message\":\"all partitions have no load "
                              "data\"}"),
                 OP_SR_FAILED);
    CHECK_INT_EQ(op_sr_outcome_code(OP_SR_FAILED), RT_EIO);
}

/* ---- FE-shaped replies (notes 1.1, 1.3 [I5], 2.1) ---- */

TEST(fe_failed_is_never_success)
{
    /* The connector bug [I5]: HTTP 200 and FAILED must not read as loaded. */
    op_sr_result r = parse_ok(200, "{\"Status\":\"FAILED\",\"Message\":\"No backend alive.\"}");
    CHECK_INT_EQ(r.outcome, OP_SR_UNAVAILABLE);
    CHECK(!op_sr_outcome_is_success(r.outcome));
    CHECK_STR_EQ(r.message, "No backend alive.");
    CHECK_INT_EQ(OUTCOME(200, "{\"Status\":\"FAILED\",\"Message\":\"class com.starrocks.common."
                              "DdlException: There is no 100-continue header\"}"),
                 OP_SR_INVALID);
    CHECK_INT_EQ(OUTCOME(200, "{\"Status\":\"FAILED\",\"Message\":\"No database selected.\"}"),
                 OP_SR_INVALID);
    CHECK_INT_EQ(OUTCOME(200, "{\"Status\":\"FAILED\",\"Message\":\"Database[d] does not "
                              "exist.\"}"),
                 OP_SR_INVALID);
    CHECK_INT_EQ(OUTCOME(200, "{\"Status\":\"FAILED\",\"Message\":\"No transaction found with "
                              "db[d] and label[l]\"}"),
                 OP_SR_TXN_NOT_EXISTS);
    CHECK_INT_EQ(OUTCOME(200, "{\"Status\":\"FAILED\",\"Message\":\"class x: something odd\"}"),
                 OP_SR_FAILED);
}

TEST(fe_commit_and_rollback_repeats)
{
    op_sr_result r = parse_ok(200, "{\"Status\":\"OK\",\"Message\":\"Transaction 12 has already "
                                   "committed, label is l\",\"TxnId\":12,\"Label\":\"l\"}");
    CHECK_INT_EQ(r.outcome, OP_SR_ALREADY_COMMITTED);
    CHECK(op_sr_outcome_is_success(r.outcome));
    CHECK_INT_EQ(r.txn_id, 12);
    CHECK_INT_EQ(OUTCOME(200, "{\"Status\":\"OK\",\"Message\":\"Transaction 12 has already "
                              "aborted, label is l\",\"TxnId\":12,\"Label\":\"l\"}"),
                 OP_SR_ALREADY_ABORTED);
    CHECK_INT_EQ(OUTCOME(200, "{\"Status\":\"OK\",\"Message\":\"\",\"TxnId\":12,\"Label\":"
                              "\"l\"}"),
                 OP_SR_OK);
    CHECK_INT_EQ(OUTCOME(200, "{\"Status\":\"LABEL_ALREADY_EXISTS\",\"Message\":\"m\","
                              "\"ExistingJobStatus\":\"FINISHED\"}"),
                 OP_SR_LABEL_FINISHED);
}

/* ---- BE transaction replies per op (notes 2.2-2.7) ---- */

TEST(be_txn_begin)
{
    op_sr_result r = parse_ok(200, "{\"Status\":\"OK\",\"Message\":\"\",\"Label\":\"l\","
                                   "\"TxnId\":77,\"BeginTxnTimeMs\":3}");
    CHECK_INT_EQ(r.outcome, OP_SR_OK);
    CHECK_INT_EQ(r.txn_id, 77);
    /* Same BE holds a running context: empty ExistingJobStatus and message (2.3 step 1). */
    r = parse_ok(200, "{\"Status\":\"LABEL_ALREADY_EXISTS\",\"ExistingJobStatus\":\"\","
                      "\"Message\":\"\"}");
    CHECK_INT_EQ(r.outcome, OP_SR_LABEL_EXISTS);
    CHECK_INT_EQ(OUTCOME(200, "{\"Status\":\"LABEL_ALREADY_EXISTS\",\"ExistingJobStatus\":"
                              "\"RUNNING\",\"Message\":\"Label [l] has already been used.\"}"),
                 OP_SR_LABEL_RUNNING);
    CHECK_INT_EQ(OUTCOME(200, "{\"Status\":\"LABEL_ALREADY_EXISTS\",\"ExistingJobStatus\":"
                              "\"FINISHED\",\"Message\":\"Label [l] has already been used.\"}"),
                 OP_SR_LABEL_FINISHED);
    CHECK_INT_EQ(OUTCOME(200, "{\"Status\":\"INVALID_ARGUMENT\",\"Message\":\"Invalid timeout "
                              "format\"}"),
                 OP_SR_INVALID);
    CHECK_INT_EQ(OUTCOME(200, "{\"Status\":\"ANALYSIS_ERROR\",\"Message\":\"unknown table "
                              "\\\"d.t\\\"\"}"),
                 OP_SR_INVALID);
    CHECK_INT_EQ(OUTCOME(200, "{\"Status\":\"INTERNAL_ERROR\",\"Message\":\"no valid Basic "
                              "authorization\"}"),
                 OP_SR_AUTH_FAILED);
    CHECK_INT_EQ(OUTCOME(200, "{\"Status\":\"INVALID_ARGUMENT\",\"Message\":\"Label format "
                              "error. regex: ^[-\\\\w]{1,128}$, label: a b\"}"),
                 OP_SR_INVALID);
}

TEST(be_txn_load)
{
    op_sr_result r = parse_ok(200, "{\"Status\":\"OK\",\"Message\":\"\",\"Label\":\"l\","
                                   "\"TxnId\":77,\"LoadBytes\":1024,\"StreamLoadPlanTimeMs\":1,"
                                   "\"ReceivedDataTimeMs\":2}");
    CHECK_INT_EQ(r.outcome, OP_SR_OK);
    CHECK_INT_EQ(r.load_bytes, 1024);
    CHECK_INT_EQ(r.loaded_rows, -1); /* load replies carry no row counts */
    r = parse_ok(200, "{\"Status\":\"TXN_NOT_EXISTS\",\"Message\":\"Transaction with label l "
                      "not exists\"}");
    CHECK_INT_EQ(r.outcome, OP_SR_TXN_NOT_EXISTS);
    CHECK_INT_EQ(op_sr_outcome_code(r.outcome), RT_ENOTFOUND);
    r = parse_ok(200, "{\"Status\":\"TXN_IN_PROCESSING\",\"Label\":\"l\",\"Message\":\"Transaction "
                      "in processing, please retry later\"}");
    CHECK_INT_EQ(r.outcome, OP_SR_TXN_IN_PROCESSING);
    CHECK_STR_EQ(r.label, "l");
    CHECK(rt_err_is_transient(op_sr_outcome_code(r.outcome)));
    r = parse_ok(200, "{\"Status\":\"ABORTED\",\"Message\":\"The load is timeout, and will be "
                      "aborted\"}");
    CHECK_INT_EQ(r.outcome, OP_SR_ABORTED);
    CHECK_INT_EQ(op_sr_outcome_code(r.outcome), RT_ESTATE);
    CHECK_INT_EQ(OUTCOME(200, "{\"Status\":\"INTERNAL_ERROR\",\"Message\":\"load request not "
                              "equal last.\"}"),
                 OP_SR_INVALID);
    CHECK_INT_EQ(OUTCOME(200, "{\"Status\":\"MEM_LIMIT_EXCEEDED\",\"Message\":\"m\"}"),
                 OP_SR_UNAVAILABLE);
    CHECK_INT_EQ(OUTCOME(200, "{\"Status\":\"SERVICE_UNAVAILABLE\",\"Message\":\"m\"}"),
                 OP_SR_UNAVAILABLE);
    CHECK_INT_EQ(OUTCOME(200, "{\"Status\":\"TIMEOUT\",\"Message\":\"m\"}"), OP_SR_UNAVAILABLE);
}

TEST(be_txn_prepare_commit_rollback)
{
    op_sr_result r = parse_ok(200, "{\"Status\":\"OK\",\"Message\":\"\",\"Label\":\"l\","
                                   "\"TxnId\":77,\"NumberTotalRows\":4,\"NumberLoadedRows\":4,"
                                   "\"NumberFilteredRows\":0,\"NumberUnselectedRows\":0,"
                                   "\"LoadBytes\":99,\"LoadTimeMs\":5}");
    CHECK_INT_EQ(r.outcome, OP_SR_OK);
    CHECK_INT_EQ(r.total_rows, 4);
    CHECK_INT_EQ(r.loaded_rows, 4);
    CHECK_INT_EQ(r.filtered_rows, 0);
    r = parse_ok(200, "{\"Status\":\"INTERNAL_ERROR\",\"Message\":\"too many filtered rows\","
                      "\"ErrorURL\":\"http://127.0.0.1:8040/api/_load_error_log?file=e\"}");
    CHECK_INT_EQ(r.outcome, OP_SR_DATA_QUALITY);
    CHECK_STR_CONTAINS(r.error_url, "_load_error_log");
    CHECK_INT_EQ(OUTCOME(200, "{\"Status\":\"INTERNAL_ERROR\",\"Message\":\"transaction 77 "
                              "hasn't send any data yet\"}"),
                 OP_SR_FAILED);
    CHECK_INT_EQ(OUTCOME(200, "{\"Status\":\"PUBLISH_TIMEOUT\",\"Message\":\"m\"}"),
                 OP_SR_PUBLISH_TIMEOUT);
    /* Rollback OK has only Status, Message and Label. */
    r = parse_ok(200, "{\"Status\":\"OK\",\"Message\":\"\",\"Label\":\"l\"}");
    CHECK_INT_EQ(r.outcome, OP_SR_OK);
    CHECK_INT_EQ(r.txn_id, -1);
    /* _cancel answers in RestBaseResult's lower-case shape. */
    r = parse_ok(200, "{\"status\":\"OK\",\"code\":\"0\",\"msg\":\"Success\",\"message\":"
                      "\"OK\"}");
    CHECK_INT_EQ(r.outcome, OP_SR_OK);
    CHECK_STR_EQ(r.status, "OK");
}

/* ---- HTTP status without the usual body ---- */

TEST(http_401_and_5xx_and_garbage)
{
    op_sr_result r = parse_ok(401, "{\"status\":\"FAILED\",\"code\":\"401\",\"msg\":\"Access "
                                   "denied for user 'root'\"}");
    CHECK_INT_EQ(r.outcome, OP_SR_AUTH_FAILED);
    CHECK_STR_CONTAINS(r.message, "Access denied");
    CHECK_INT_EQ(op_sr_outcome_code(r.outcome), RT_EINVAL);
    CHECK_INT_EQ(OUTCOME(401, "<html>Unauthorized</html>"), OP_SR_AUTH_FAILED);
    CHECK_INT_EQ(OUTCOME(401, ""), OP_SR_AUTH_FAILED);
    r = parse_ok(503, "<html>Service Unavailable</html>");
    CHECK_INT_EQ(r.outcome, OP_SR_UNAVAILABLE);
    CHECK_STR_CONTAINS(r.message, "HTTP 503");
    CHECK_INT_EQ(OUTCOME(500, "{\"Status\":\"FAILED\",\"Message\":\"boom\"}"), OP_SR_UNAVAILABLE);
    CHECK_INT_EQ(OUTCOME(404, "not found"), OP_SR_INVALID);

    op_sr_result g;
    rt_err err;
    rt_err_clear(&err);
    const char *html = "<html><body>Bad Gateway</body></html>";
    CHECK_INT_EQ(op_sr_reply_parse(200, html, strlen(html), &g, &err), RT_EIO);
    CHECK_INT_EQ(g.outcome, OP_SR_BAD_REPLY);
    CHECK_STR_CONTAINS(err.msg, "not a JSON object");
    /* A truncated body is not read as anything. */
    const char *cut = "{\"Status\":\"Success\",\"Mess";
    CHECK_INT_EQ(op_sr_reply_parse(200, cut, strlen(cut), &g, &err), RT_EIO);
    CHECK_INT_EQ(g.outcome, OP_SR_BAD_REPLY);
    /* JSON without a Status says nothing. */
    CHECK_INT_EQ(op_sr_reply_parse(200, "{\"a\":1}", 7, &g, &err), RT_EIO);
    CHECK_INT_EQ(g.outcome, OP_SR_BAD_REPLY);
    CHECK_INT_EQ(op_sr_reply_parse(307, "", 0, &g, &err), RT_EIO);
    CHECK_STR_CONTAINS(err.msg, "redirect not followed");
    /* The body need not be NUL-terminated: only len bytes are read. */
    const char buf[] = "{\"Status\":\"OK\"}XXXX";
    CHECK_INT_EQ(op_sr_reply_parse(200, buf, sizeof buf - 5, &g, &err), 0);
    CHECK_INT_EQ(g.outcome, OP_SR_OK);
}

TEST(long_strings_are_truncated)
{
    char body[2048];
    char msg[1200];
    memset(msg, 'm', sizeof msg - 1);
    msg[sizeof msg - 1] = '\0';
    snprintf(body, sizeof body, "{\"Status\":\"Fail\",\"Message\":\"%s\"}", msg);
    op_sr_result r = parse_ok(200, body);
    CHECK_UINT_EQ(strlen(r.message), OP_SR_MESSAGE_SIZE - 1);
    CHECK_INT_EQ(r.outcome, OP_SR_FAILED);
}

/* ---- get_load_state (notes 1.4) ---- */

static int state_of(long http, const char *body, op_sr_load_state *st, rt_err *err)
{
    return op_sr_reply_parse_load_state(http, body, strlen(body), st, err);
}

TEST(load_state_each_state)
{
    static const char *const names[] = {"UNKNOWN",   "PREPARE", "PREPARED",
                                        "COMMITTED", "VISIBLE", "ABORTED"};
    for (int i = 0; i < 6; i++) {
        char body[256];
        snprintf(body, sizeof body,
                 "{\"state\":\"%s\",\"reason\":\"\",\"status\":\"OK\",\"code\":\"0\","
                 "\"msg\":\"Success\",\"message\":\"OK\"}",
                 names[i]);
        op_sr_load_state st = (op_sr_load_state)99;
        rt_err err;
        CHECK_OK(state_of(200, body, &st, &err), &err);
        CHECK_INT_EQ(st, i);
        CHECK_STR_EQ(op_sr_load_state_name(st), names[i]);
    }
    CHECK(op_sr_load_state_is_terminal(OP_SR_STATE_VISIBLE));
    CHECK(op_sr_load_state_is_terminal(OP_SR_STATE_ABORTED));
    CHECK(!op_sr_load_state_is_terminal(OP_SR_STATE_COMMITTED));
    CHECK(!op_sr_load_state_is_terminal(OP_SR_STATE_UNKNOWN));
    CHECK(op_sr_load_state_is_committed(OP_SR_STATE_COMMITTED));
    CHECK(op_sr_load_state_is_committed(OP_SR_STATE_VISIBLE));
    CHECK(!op_sr_load_state_is_committed(OP_SR_STATE_PREPARED));
    CHECK_INT_EQ(op_sr_load_state_parse("visible"), OP_SR_STATE_VISIBLE);
    CHECK_INT_EQ(op_sr_load_state_parse("PRECOMMITTED"), OP_SR_STATE_UNKNOWN);
    CHECK_INT_EQ(op_sr_load_state_parse(NULL), OP_SR_STATE_UNKNOWN);
}

TEST(load_state_failures)
{
    op_sr_load_state st = OP_SR_STATE_PREPARED;
    rt_err err;
    CHECK_INT_EQ(state_of(200,
                          "{\"status\":\"FAILED\",\"code\":\"1\",\"msg\":\"unknown "
                          "database, database=nope\",\"message\":\"unknown database, "
                          "database=nope\"}",
                          &st, &err),
                 RT_ENOTFOUND);
    CHECK_STR_CONTAINS(err.msg, "unknown database");
    CHECK_INT_EQ(st, OP_SR_STATE_PREPARED); /* out-parameter untouched on failure */
    CHECK_INT_EQ(state_of(401, "{\"status\":\"FAILED\",\"msg\":\"Access denied\"}", &st, &err),
                 RT_EINVAL);
    CHECK_INT_EQ(state_of(503, "oops", &st, &err), RT_EUNAVAIL);
    CHECK_INT_EQ(state_of(200, "<html>", &st, &err), RT_EIO);
    CHECK_INT_EQ(state_of(200, "{\"status\":\"OK\"}", &st, &err), RT_EIO);
    CHECK_INT_EQ(state_of(200, "{\"status\":\"FAILED\",\"msg\":\"x\"}", &st, &err), RT_EIO);
    CHECK_INT_EQ(st, OP_SR_STATE_PREPARED);
    /* An unknown state name is UNKNOWN, not an error. */
    CHECK_OK(state_of(200, "{\"state\":\"PRECOMMITTED\",\"status\":\"OK\"}", &st, &err), &err);
    CHECK_INT_EQ(st, OP_SR_STATE_UNKNOWN);
}

TEST(outcome_names_and_codes)
{
    for (int o = OP_SR_NO_REPLY; o <= OP_SR_BAD_REPLY; o++) {
        CHECK(strcmp(op_sr_outcome_name((op_sr_outcome)o), "?") != 0);
        CHECK_INT_EQ(op_sr_outcome_is_success((op_sr_outcome)o),
                     op_sr_outcome_code((op_sr_outcome)o) == 0);
    }
    CHECK_STR_EQ(op_sr_outcome_name((op_sr_outcome)1000), "?");
    CHECK_STR_EQ(op_sr_load_state_name((op_sr_load_state)1000), "?");
    CHECK(rt_err_is_transient(op_sr_outcome_code(OP_SR_NO_REPLY)));
    CHECK(rt_err_is_transient(op_sr_outcome_code(OP_SR_UNAVAILABLE)));
    CHECK(!rt_err_is_transient(op_sr_outcome_code(OP_SR_INVALID)));
    CHECK(!rt_err_is_transient(op_sr_outcome_code(OP_SR_DATA_QUALITY)));
}

TEST_MAIN()
