/* StarRocks reply parsing (pure): turns the JSON bodies of Stream Load, the transaction interface
 * (begin/load/prepare/commit/rollback), get_load_state and _cancel into one result record with an
 * outcome the sink can act on. Protocol: /work/shared/notes/starrocks-protocol.md sections 1.3,
 * 1.4, 2.2-2.7. The body decides, never the HTTP status alone: the BE answers 200 for failures. */
#ifndef SLUICE_OPERATORS_STARROCKS_SR_REPLY_H
#define SLUICE_OPERATORS_STARROCKS_SR_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/base/errors.h"

/* What a reply means. Grouped: the first four are success for the operation that got them (see
 * op_sr_outcome_is_success), the rest are not. */
typedef enum op_sr_outcome {
    OP_SR_NO_REPLY = 0,      /* nothing was read (connection refused/dropped, timeout): unknown */
    OP_SR_OK,                /* plain "Success", transaction op "OK", _cancel/state "OK" */
    OP_SR_PUBLISH_TIMEOUT,   /* "Publish Timeout"/PUBLISH_TIMEOUT: committed, not yet visible */
    OP_SR_ALREADY_COMMITTED, /* FE commit of a COMMITTED/VISIBLE txn ("already committed") */
    OP_SR_ALREADY_ABORTED,   /* FE rollback of an ABORTED txn ("already aborted") */
    OP_SR_LABEL_FINISHED,    /* label exists, ExistingJobStatus FINISHED: its data is in */
    OP_SR_LABEL_RUNNING,     /* label exists, ExistingJobStatus RUNNING (PREPARE/PREPARED) */
    OP_SR_LABEL_EXISTS,      /* label exists, job status empty or unknown ("has already been
                              * used" text, begin racing a running context on the same BE) */
    OP_SR_TXN_NOT_EXISTS,    /* TXN_NOT_EXISTS / FE "No transaction found" */
    OP_SR_TXN_IN_PROCESSING, /* another request on the label is in flight: retry later */
    OP_SR_AUTH_FAILED,       /* HTTP 401 or "no valid Basic authorization" */
    OP_SR_INVALID,           /* INVALID_ARGUMENT, ANALYSIS_ERROR, unknown db/table, bad label,
                              * bad header, "load request not equal last": never retried */
    OP_SR_DATA_QUALITY,      /* "too many filtered rows": see error_url; retrying cannot help */
    OP_SR_ABORTED,           /* the transaction is aborted (ABORTED, timeouts, commit of an
                              * aborted txn, rollback of a committed one: see message) */
    OP_SR_UNAVAILABLE,       /* SERVICE_UNAVAILABLE, TIMEOUT, MEM_LIMIT_EXCEEDED, HTTP 5xx,
                              * "retry later", "Transaction status unknown", no backend alive */
    OP_SR_FAILED,            /* any other failure ("Fail", "FAILED", INTERNAL_ERROR, ...) */
    OP_SR_BAD_REPLY,         /* a body that is not the JSON object expected */
} op_sr_outcome;

/* "OK", "PUBLISH_TIMEOUT", ... "?" outside the enum. */
const char *op_sr_outcome_name(op_sr_outcome o);
/* True for OK, PUBLISH_TIMEOUT, ALREADY_COMMITTED, ALREADY_ABORTED: the request's purpose is
 * achieved. LABEL_FINISHED is not included: it is success for a plain load (the data is in) but
 * a failure for begin (the label cannot be reused); callers decide (the client does for put). */
bool op_sr_outcome_is_success(op_sr_outcome o);
/* The rt error code that carries this outcome's policy (errors.h): 0 for the success outcomes;
 * RT_EEXIST for the LABEL_* ones; RT_ENOTFOUND for TXN_NOT_EXISTS; RT_EINVAL for AUTH_FAILED,
 * INVALID and DATA_QUALITY (never retried); RT_ESTATE for ABORTED; RT_EUNAVAIL (transient) for
 * NO_REPLY, TXN_IN_PROCESSING, UNAVAILABLE; RT_EIO (transient: redo the batch) for FAILED and
 * BAD_REPLY. */
int op_sr_outcome_code(op_sr_outcome o);

/* Transaction states as get_load_state names them (TransactionStatus) [notes 1.4]. */
typedef enum op_sr_load_state {
    OP_SR_STATE_UNKNOWN = 0, /* never seen, expired, or a name this client does not know */
    OP_SR_STATE_PREPARE,     /* begun, loading */
    OP_SR_STATE_PREPARED,    /* pre-committed: waits for commit or rollback */
    OP_SR_STATE_COMMITTED,   /* committed, publishing */
    OP_SR_STATE_VISIBLE,     /* committed and visible */
    OP_SR_STATE_ABORTED,     /* rolled back or timed out */
} op_sr_load_state;

/* "UNKNOWN", "PREPARE", ... as StarRocks spells them. "?" outside the enum. */
const char *op_sr_load_state_name(op_sr_load_state s);
/* VISIBLE and ABORTED: nothing will change the state any more. (COMMITTED becomes VISIBLE;
 * UNKNOWN may be a label not begun yet.) */
bool op_sr_load_state_is_terminal(op_sr_load_state s);
/* COMMITTED or VISIBLE: the data of the label is (or will be, without further calls) in. */
bool op_sr_load_state_is_committed(op_sr_load_state s);
/* Parses a state name ("VISIBLE"); UNKNOWN for anything else. Never fails. */
op_sr_load_state op_sr_load_state_parse(const char *name);

#define OP_SR_STATUS_SIZE 48
#define OP_SR_LABEL_SIZE 129 /* 128 characters and the NUL */
#define OP_SR_MESSAGE_SIZE 512
#define OP_SR_URL_SIZE 512

/* The result of one request. Caller-allocated, plain data (no free). Written by every client
 * call that takes one, on failure too: it is the reply record (like rt_err), so the sink can look
 * at the outcome and message of a failed request. Strings are truncated to their buffers; absent
 * numbers are -1. */
typedef struct op_sr_result {
    op_sr_outcome outcome;
    long http_status;                 /* of the final response; 0 when there was none */
    char status[OP_SR_STATUS_SIZE];   /* "Status" as sent ("Success", "OK", "FAILED", ...) */
    char existing_job_status[24];     /* "RUNNING", "FINISHED", "" */
    char label[OP_SR_LABEL_SIZE];     /* "Label" as sent */
    char message[OP_SR_MESSAGE_SIZE]; /* "Message" (or "msg"), as sent */
    char error_url[OP_SR_URL_SIZE];   /* "ErrorURL": rejected rows, present also on success */
    int64_t txn_id;
    int64_t total_rows;      /* NumberTotalRows = loaded + filtered + unselected */
    int64_t loaded_rows;     /* NumberLoadedRows */
    int64_t filtered_rows;   /* NumberFilteredRows (data quality) */
    int64_t unselected_rows; /* NumberUnselectedRows (`where`) */
    int64_t load_bytes;      /* LoadBytes */
    /* Set by the client when it asked get_load_state to settle a doubtful reply (commit not OK,
     * prepare TXN_NOT_EXISTS): state_checked true and the state it read. */
    bool state_checked;
    op_sr_load_state state;
    int attempts; /* requests sent for this call (retries and failover included) */
} op_sr_result;

/* Sets every field to its "absent" value (outcome NO_REPLY, numbers -1, strings empty). */
void op_sr_result_init(op_sr_result *r);

/* Parses a Stream Load / transaction / _cancel reply (body need not be NUL-terminated) received
 * with HTTP status http_status into *out (which it initialises first). Every shape of the notes
 * is understood: BE plain (1.3), BE transaction per op (2.2), FE TransactionResult
 * {"Status":"FAILED",...} and FE commit/rollback answers (2.1, "already committed/aborted"),
 * label conflicts with each ExistingJobStatus, the 401 body ({"status":..,"msg":..}, lower-case
 * keys) and RestBaseResult bodies of _cancel. Returns 0 when the body was understood (whatever
 * the outcome: look at out->outcome), RT_EIO with out->outcome BAD_REPLY when it was not JSON of
 * the expected shape (an HTML error page of a proxy, a truncated body); 401 and 5xx without a
 * JSON body still give AUTH_FAILED / UNAVAILABLE and 0. Pure; any thread. */
int op_sr_reply_parse(long http_status, const char *body, size_t len, op_sr_result *out,
                      rt_err *err);

/* Parses a get_load_state reply: {"state":"VISIBLE","status":"OK",...}. Returns 0 with *state
 * (UNKNOWN for a state name it does not know); RT_ENOTFOUND when the reply says FAILED with an
 * unknown database (message in err); RT_EINVAL for 401; RT_EUNAVAIL for 5xx; RT_EIO for a body
 * it cannot read. Pure; any thread. */
int op_sr_reply_parse_load_state(long http_status, const char *body, size_t len,
                                 op_sr_load_state *state, rt_err *err);

#endif
