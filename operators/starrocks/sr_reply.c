/* StarRocks reply bodies → op_sr_result (notes 1.3, 1.4, 2.1, 2.2). Pure. */
#include "operators/starrocks/sr_reply.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const outcome_names[] = {
    [OP_SR_NO_REPLY] = "NO_REPLY",
    [OP_SR_OK] = "OK",
    [OP_SR_PUBLISH_TIMEOUT] = "PUBLISH_TIMEOUT",
    [OP_SR_ALREADY_COMMITTED] = "ALREADY_COMMITTED",
    [OP_SR_ALREADY_ABORTED] = "ALREADY_ABORTED",
    [OP_SR_LABEL_FINISHED] = "LABEL_FINISHED",
    [OP_SR_LABEL_RUNNING] = "LABEL_RUNNING",
    [OP_SR_LABEL_EXISTS] = "LABEL_EXISTS",
    [OP_SR_TXN_NOT_EXISTS] = "TXN_NOT_EXISTS",
    [OP_SR_TXN_IN_PROCESSING] = "TXN_IN_PROCESSING",
    [OP_SR_AUTH_FAILED] = "AUTH_FAILED",
    [OP_SR_INVALID] = "INVALID",
    [OP_SR_DATA_QUALITY] = "DATA_QUALITY",
    [OP_SR_ABORTED] = "ABORTED",
    [OP_SR_UNAVAILABLE] = "UNAVAILABLE",
    [OP_SR_FAILED] = "FAILED",
    [OP_SR_BAD_REPLY] = "BAD_REPLY",
};

const char *op_sr_outcome_name(op_sr_outcome o)
{
    if ((unsigned)o >= sizeof outcome_names / sizeof outcome_names[0] || !outcome_names[o])
        return "?";
    return outcome_names[o];
}

bool op_sr_outcome_is_success(op_sr_outcome o)
{
    return o == OP_SR_OK || o == OP_SR_PUBLISH_TIMEOUT || o == OP_SR_ALREADY_COMMITTED ||
           o == OP_SR_ALREADY_ABORTED;
}

int op_sr_outcome_code(op_sr_outcome o)
{
    switch (o) {
    case OP_SR_OK:
    case OP_SR_PUBLISH_TIMEOUT:
    case OP_SR_ALREADY_COMMITTED:
    case OP_SR_ALREADY_ABORTED:
        return 0;
    case OP_SR_LABEL_FINISHED:
    case OP_SR_LABEL_RUNNING:
    case OP_SR_LABEL_EXISTS:
        return RT_EEXIST;
    case OP_SR_TXN_NOT_EXISTS:
        return RT_ENOTFOUND;
    case OP_SR_AUTH_FAILED:
    case OP_SR_INVALID:
    case OP_SR_DATA_QUALITY:
        return RT_EINVAL;
    case OP_SR_ABORTED:
        return RT_ESTATE;
    case OP_SR_NO_REPLY:
    case OP_SR_TXN_IN_PROCESSING:
    case OP_SR_UNAVAILABLE:
        return RT_EUNAVAIL;
    case OP_SR_FAILED:
    case OP_SR_BAD_REPLY:
        return RT_EIO;
    }
    return RT_EIO;
}

static const char *const state_names[] = {
    [OP_SR_STATE_UNKNOWN] = "UNKNOWN",   [OP_SR_STATE_PREPARE] = "PREPARE",
    [OP_SR_STATE_PREPARED] = "PREPARED", [OP_SR_STATE_COMMITTED] = "COMMITTED",
    [OP_SR_STATE_VISIBLE] = "VISIBLE",   [OP_SR_STATE_ABORTED] = "ABORTED",
};

const char *op_sr_load_state_name(op_sr_load_state s)
{
    if ((unsigned)s >= sizeof state_names / sizeof state_names[0])
        return "?";
    return state_names[s];
}

bool op_sr_load_state_is_terminal(op_sr_load_state s)
{
    return s == OP_SR_STATE_VISIBLE || s == OP_SR_STATE_ABORTED;
}

bool op_sr_load_state_is_committed(op_sr_load_state s)
{
    return s == OP_SR_STATE_COMMITTED || s == OP_SR_STATE_VISIBLE;
}

op_sr_load_state op_sr_load_state_parse(const char *name)
{
    if (!name)
        return OP_SR_STATE_UNKNOWN;
    for (size_t i = 0; i < sizeof state_names / sizeof state_names[0]; i++)
        if (strcasecmp(name, state_names[i]) == 0)
            return (op_sr_load_state)i;
    return OP_SR_STATE_UNKNOWN;
}

void op_sr_result_init(op_sr_result *r)
{
    memset(r, 0, sizeof *r);
    r->outcome = OP_SR_NO_REPLY;
    r->txn_id = r->total_rows = r->loaded_rows = r->filtered_rows = r->unselected_rows =
        r->load_bytes = -1;
    r->state = OP_SR_STATE_UNKNOWN;
}

/* ---- field access ------------------------------------------------------------------------ */

/* The BE and the FE's TransactionResult write "Status"/"Message"; RestBaseResult (401, _cancel,
 * get_load_state) writes lower-case "status"/"msg"/"message" [S9]: look the key up both ways. */
static json_t *field(json_t *o, const char *key, const char *alt)
{
    json_t *v = json_object_get(o, key);
    if (!v && alt)
        v = json_object_get(o, alt);
    return v;
}

static const char *field_str(json_t *o, const char *key, const char *alt)
{
    json_t *v = field(o, key, alt);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static void copy_str(char *dst, size_t size, const char *src)
{
    if (src)
        snprintf(dst, size, "%s", src);
}

/* Numbers come as JSON integers; be lenient with reals and numeric strings. */
static int64_t field_i64(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (json_is_integer(v))
        return (int64_t)json_integer_value(v);
    if (json_is_real(v))
        return (int64_t)json_real_value(v);
    if (json_is_string(v)) {
        char *end;
        long long n = strtoll(json_string_value(v), &end, 10);
        if (end != json_string_value(v) && *end == '\0')
            return n;
    }
    return -1;
}

static bool has(const char *hay, const char *needle)
{
    return hay && strcasestr(hay, needle) != NULL;
}

static bool is(const char *s, const char *name)
{
    return s && strcasecmp(s, name) == 0;
}

/* ---- classification ---------------------------------------------------------------------- */

/* A failure's message says more than its generic status ("Fail", "FAILED", INTERNAL_ERROR). The
 * texts are those the notes list from the StarRocks source (1.3, 2.1-2.5). */
static op_sr_outcome classify_failure_message(const char *msg, long http_status)
{
    if (has(msg, "has already been used"))
        return OP_SR_LABEL_EXISTS; /* label conflict in plain text [S13], status unknown */
    if (has(msg, "No transaction found") || has(msg, "not exists"))
        return OP_SR_TXN_NOT_EXISTS;
    if (has(msg, "no valid Basic authorization") || has(msg, "Access denied"))
        return OP_SR_AUTH_FAILED;
    if (has(msg, "too many filtered rows"))
        return OP_SR_DATA_QUALITY;
    if (has(msg, "retry later") || has(msg, "try again later") || has(msg, "No backend alive") ||
        has(msg, "shutting down") || has(msg, "Transaction status unknown"))
        return OP_SR_UNAVAILABLE;
    if (has(msg, "unknown database") || has(msg, "unknown table") || has(msg, "does not exist") ||
        has(msg, "Label format error") || has(msg, "No database selected") ||
        has(msg, "No table selected") || has(msg, "Empty label") ||
        has(msg, "load request not equal last") || has(msg, "unknown data format") ||
        has(msg, "Invalid timeout format") || has(msg, "100-continue"))
        return OP_SR_INVALID;
    if (has(msg, "aborted") || has(msg, "is timeout"))
        return OP_SR_ABORTED;
    if (http_status >= 500)
        return OP_SR_UNAVAILABLE;
    return OP_SR_FAILED;
}

static op_sr_outcome classify(const char *status, const char *msg, const char *existing,
                              long http_status)
{
    if (http_status == 401)
        return OP_SR_AUTH_FAILED;
    /* Success shapes: plain "Success", transaction/_cancel "OK". The FE answers a repeated
     * commit/rollback with OK and a message saying so [S8]. */
    if (is(status, "Success") || is(status, "OK")) {
        if (has(msg, "already committed"))
            return OP_SR_ALREADY_COMMITTED;
        if (has(msg, "already aborted"))
            return OP_SR_ALREADY_ABORTED;
        return OP_SR_OK;
    }
    if (is(status, "Publish Timeout") || is(status, "PUBLISH_TIMEOUT"))
        return OP_SR_PUBLISH_TIMEOUT;
    if (is(status, "Label Already Exists") || is(status, "LABEL_ALREADY_EXISTS")) {
        if (is(existing, "FINISHED"))
            return OP_SR_LABEL_FINISHED;
        if (is(existing, "RUNNING"))
            return OP_SR_LABEL_RUNNING;
        return OP_SR_LABEL_EXISTS;
    }
    if (is(status, "TXN_NOT_EXISTS"))
        return OP_SR_TXN_NOT_EXISTS;
    if (is(status, "TXN_IN_PROCESSING"))
        return OP_SR_TXN_IN_PROCESSING;
    if (is(status, "INVALID_ARGUMENT") || is(status, "ANALYSIS_ERROR") ||
        is(status, "NOT_IMPLEMENTED_ERROR")) {
        /* ANALYSIS_ERROR carries "unknown table" etc.; a bad begin can still be an auth one. */
        op_sr_outcome o = classify_failure_message(msg, http_status);
        return o == OP_SR_AUTH_FAILED ? o : OP_SR_INVALID;
    }
    if (is(status, "ABORTED"))
        return OP_SR_ABORTED;
    if (is(status, "SERVICE_UNAVAILABLE") || is(status, "TIMEOUT") ||
        is(status, "MEM_LIMIT_EXCEEDED") || is(status, "RESOURCE_BUSY"))
        return OP_SR_UNAVAILABLE;
    /* "Fail" (BE plain), "FAILED" (FE), INTERNAL_ERROR and any code name not listed. */
    return classify_failure_message(msg, http_status);
}

/* A body that is no JSON object still has a meaning when the HTTP status gives one. */
static int non_json_reply(long http_status, const char *body, size_t len, const char *why,
                          op_sr_result *out, rt_err *err)
{
    char excerpt[81];
    size_t n = len < sizeof excerpt - 1 ? len : sizeof excerpt - 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)body[i];
        excerpt[i] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : ' ';
    }
    excerpt[n] = '\0';
    snprintf(out->message, sizeof out->message, "HTTP %ld: %s", http_status, excerpt);
    if (http_status == 401) {
        out->outcome = OP_SR_AUTH_FAILED;
        return 0;
    }
    if (http_status >= 500) {
        out->outcome = OP_SR_UNAVAILABLE;
        return 0;
    }
    if (http_status == 404 || http_status == 405) {
        /* No such endpoint: a StarRocks without the transaction interface (< 2.4), or a
         * wrong port. Retrying cannot help. */
        out->outcome = OP_SR_INVALID;
        return 0;
    }
    out->outcome = OP_SR_BAD_REPLY;
    if (http_status >= 300 && http_status < 400)
        return rt_err_set(err, RT_EIO, "HTTP %ld: redirect not followed", http_status);
    return rt_err_set(err, RT_EIO, "HTTP %ld: %s: '%s'", http_status, why, excerpt);
}

int op_sr_reply_parse(long http_status, const char *body, size_t len, op_sr_result *out,
                      rt_err *err)
{
    op_sr_result_init(out);
    out->http_status = http_status;
    if (!body)
        body = "";
    json_error_t jerr;
    json_t *root = len ? json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr) : NULL;
    if (!json_is_object(root)) {
        json_decref(root);
        return non_json_reply(http_status, body, len,
                              len ? "reply is not a JSON object" : "empty reply", out, err);
    }
    const char *status = field_str(root, "Status", "status");
    const char *msg = field_str(root, "Message", NULL);
    if (!msg)
        msg = field_str(root, "msg", "message");
    const char *existing = field_str(root, "ExistingJobStatus", "existingJobStatus");
    copy_str(out->status, sizeof out->status, status);
    copy_str(out->message, sizeof out->message, msg);
    copy_str(out->existing_job_status, sizeof out->existing_job_status, existing);
    copy_str(out->label, sizeof out->label, field_str(root, "Label", "label"));
    copy_str(out->error_url, sizeof out->error_url, field_str(root, "ErrorURL", NULL));
    out->txn_id = field_i64(root, "TxnId");
    out->total_rows = field_i64(root, "NumberTotalRows");
    out->loaded_rows = field_i64(root, "NumberLoadedRows");
    out->filtered_rows = field_i64(root, "NumberFilteredRows");
    out->unselected_rows = field_i64(root, "NumberUnselectedRows");
    out->load_bytes = field_i64(root, "LoadBytes");

    int rc = 0;
    if (!status && http_status != 401 && http_status < 500) {
        out->outcome = OP_SR_BAD_REPLY;
        rc = rt_err_set(err, RT_EIO, "HTTP %ld: reply without a Status", http_status);
    } else {
        out->outcome = classify(status, msg, existing, http_status);
    }
    json_decref(root);
    return rc;
}

int op_sr_reply_parse_load_state(long http_status, const char *body, size_t len,
                                 op_sr_load_state *state, rt_err *err)
{
    if (http_status == 401)
        return rt_err_set(err, RT_EINVAL, "HTTP 401: authentication failed");
    if (http_status >= 500)
        return rt_err_set(err, RT_EUNAVAIL, "HTTP %ld", http_status);
    json_error_t jerr;
    json_t *root = body && len ? json_loadb(body, len, 0, &jerr) : NULL;
    if (!json_is_object(root)) {
        json_decref(root);
        return rt_err_set(err, RT_EIO, "HTTP %ld: get_load_state reply is not a JSON object",
                          http_status);
    }
    int rc = 0;
    const char *status = field_str(root, "status", "Status");
    const char *msg = field_str(root, "msg", "Message");
    const char *message = field_str(root, "message", NULL);
    const char *why = message && !is(message, "OK") ? message : msg;
    const char *name = field_str(root, "state", "State");
    if (status && !is(status, "OK") && !is(status, "Success")) {
        if (has(why, "unknown database") || has(why, "does not exist"))
            rc = rt_err_set(err, RT_ENOTFOUND, "%s", why);
        else
            rc = rt_err_set(err, RT_EIO, "%s: %s", status, why ? why : "(no message)");
    } else if (!name) {
        rc = rt_err_set(err, RT_EIO, "HTTP %ld: get_load_state reply without a state", http_status);
    } else {
        *state = op_sr_load_state_parse(name);
    }
    json_decref(root);
    return rc;
}
