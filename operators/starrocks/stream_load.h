/* The StarRocks load client of one sink subtask: plain Stream Load and the Stream Load transaction
 * interface (begin/load/prepare/commit/rollback), get_load_state, cancel and the ErrorURL text,
 * over HTTP to a list of FEs with failover, retries and the redirect to a BE. libcurl stays
 * inside (sr_http.c). Protocol: /work/shared/notes/starrocks-protocol.md sections 1, 2 and 8.
 *
 * Policy, split between this client and the sink:
 * - This client retries only what is safe to repeat without knowing more:
 *   - a connection that could not be established (refused, unresolvable, connect timeout):
 *     nothing was sent, so it tries the next load_url at once, and after a full round of them
 *     sleeps a backoff before the next round (at most max_retries more rounds);
 *   - TXN_IN_PROCESSING (another request on the label is in flight): backoff and resend;
 *   - a plain Stream Load answered UNAVAILABLE (FE "No backend alive.", "please try again
 *     later", 5xx): its label makes a repeat harmless (a repeat of a load that went in answers
 *     LABEL_FINISHED);
 *   - get_load_state, which only reads: any transport failure and 5xx.
 * - It settles the two doubtful replies the notes name (section 2.5, 2.6, [F1]):
 *   - commit answered with anything but OK, or whose reply was lost: it asks get_load_state;
 *     COMMITTED/VISIBLE is success;
 *   - prepare answered TXN_NOT_EXISTS (a second prepare: the BE forgot the label at the first):
 *     it asks get_load_state; PREPARED (or later) is success.
 * - Everything else is reported, not retried: a connection dropped after the request was sent
 *   or a socket timeout leaves the outcome unknown (RT_EUNAVAIL / RT_ETIMEDOUT, transient), and
 *   any failure of begin/load/prepare means the transaction is gone (notes 2.4): only the sink
 *   knows which batch to redo under which label.
 *
 * Return codes (errors.h) of the operations; the result record (sr_reply.h) holds the details:
 *   0             success (see each call for which outcomes count)
 *   RT_EEXIST     the label is in use (result outcome LABEL_RUNNING / LABEL_EXISTS /
 *                 LABEL_FINISHED where that is not success)
 *   RT_ENOTFOUND  no transaction with that label (TXN_NOT_EXISTS)
 *   RT_ESTATE     the transaction was aborted / is in a state that forbids the operation
 *   RT_EINVAL     the request cannot succeed as sent: auth, unknown db/table, bad argument or
 *                 label, too many filtered rows (message carries the first ErrorURL lines)
 *   RT_EUNAVAIL   no FE reachable, dropped connection, 5xx, service unavailable, still
 *                 TXN_IN_PROCESSING after the retries (transient)
 *   RT_ETIMEDOUT  the connect or socket timeout expired (transient)
 *   RT_EIO        any other failure reply, or a reply that could not be read (transient: redo)
 *   RT_ENOMEM     out of memory
 * Error messages read "starrocks 127.0.0.1:8030: commit 'lbl-42' (db 'd'): <Status>: <Message>"
 * and never contain the password.
 *
 * Failpoints (failpoint.h), each evaluated once per call: "starrocks.before_X" before the first
 * request and "starrocks.after_X" after a successful one, X in put, begin, load, prepare, commit,
 * rollback; "starrocks.lose_commit_reply": the commit is sent, then its reply is dropped as if the
 * connection had broken (the client then asks get_load_state, as for a real lost reply).
 *
 * Threads: an op_stream_load is used by one thread at a time (its sink subtask's task thread);
 * distinct clients may run concurrently. Calls block for the network round trips. */
#ifndef SLUICE_OPERATORS_STARROCKS_STREAM_LOAD_H
#define SLUICE_OPERATORS_STARROCKS_STREAM_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/starrocks/sr_reply.h"
#include "runtime/base/errors.h"

/* One HTTP header passed through verbatim ("max_filter_ratio": "0.1"). Borrowed. */
typedef struct op_sr_header {
    const char *name;
    const char *value;
} op_sr_header;

/* The client's settings. Caller-allocated; copied by op_stream_load_new (strings included),
 * except password, which is borrowed: it must outlive the client (it is never copied into logs,
 * messages or URLs). Zero values take the defaults noted. */
typedef struct op_stream_load_config {
    /* FE HTTP addresses, "host:port" or "http://host:port", tried in order (failover on
     * connection errors). At least one. */
    const char *const *load_urls;
    size_t load_url_count;
    const char *user;             /* required; "root" style */
    const char *password;         /* borrowed; NULL or "" for none */
    int64_t connect_timeout_ms;   /* 0: 10000 */
    int64_t socket_timeout_ms;    /* no byte received or sent for this long fails the request
                                   * (curl counts whole seconds; rounded up). 0: 600000 */
    int64_t request_timeout_ms;   /* whole request, redirect included; 0: none */
    int max_retries;              /* extra rounds for what is retryable (above); 0: 3; -1: none */
    int64_t retry_backoff_ms;     /* first backoff, doubled per retry; 0: 200 */
    int64_t retry_backoff_max_ms; /* 0: 5000 */
    /* Prefix of every log line, e.g. "job=j1 op=sink#0". NULL: "". */
    const char *log_context;
} op_stream_load_config;

/* The load parameters of a plain Stream Load or of each `load` of a transaction. Borrowed for
 * the call. A transaction must send the same props in every load call (the BE compares them and
 * fails with "load request not equal last", notes 2.4). NULL strings are not sent. */
typedef struct op_stream_load_props {
    const char *format;           /* "csv" (StarRocks' default) or "json" */
    const char *columns;          /* "id,name,__op" */
    const char *column_separator; /* "\\x01" style; NULL: tab */
    const char *row_delimiter;    /* NULL: "\n" */
    bool strip_outer_array;       /* sends "strip_outer_array: true" when set */
    /* Further headers passed through (the sink's `properties.*`: max_filter_ratio, timeout,
     * partial_update, ...). Names and values must not contain CR, LF or NUL, and names must not
     * be one the client sets itself (label, db, table, Expect, Authorization, ...): RT_EINVAL. */
    const op_sr_header *extra;
    size_t extra_count;
} op_stream_load_props;

typedef struct op_stream_load op_stream_load;

/* Validates cfg and returns a new client in *out (free with op_stream_load_free). RT_EINVAL for
 * no load_urls, an empty/malformed url, no user, a negative timeout. No network I/O. Any
 * thread. */
int op_stream_load_new(const op_stream_load_config *cfg, op_stream_load **out, rt_err *err);
/* Frees the client. NULL is a no-op. */
void op_stream_load_free(op_stream_load *c);

/* The load_url ("host:port" as configured) requests go to first now: the last one that
 * answered. Borrowed; valid until the next call on c. */
const char *op_stream_load_current_url(const op_stream_load *c);

/* Plain Stream Load [notes 1]: PUT /api/{db}/{table}/_stream_load with `label`, the props and
 * Expect: 100-continue to the FE, following its 307 to a BE (Authorization re-sent, body
 * re-sent: body is borrowed memory, body_size bytes, any content). Returns 0 when the data is in:
 * outcome OK, PUBLISH_TIMEOUT, LABEL_FINISHED (a retry of a load that had succeeded), or
 * LABEL_RUNNING / LABEL_EXISTS after which get_load_state reads COMMITTED or VISIBLE
 * (res->state_checked). Otherwise those two give RT_EEXIST (still running: ask again); DATA_QUALITY
 * gives RT_EINVAL with the start of the ErrorURL text in the message; others per the table
 * above. label is required (deduplication is the point). *res is always written (sr_reply.h). */
int op_stream_load_put(op_stream_load *c, const char *db, const char *table, const char *label,
                       const op_stream_load_props *props, const void *body, size_t body_size,
                       op_sr_result *res, rt_err *err);

/* Transaction interface [notes 2]. All take the label that names the transaction and its db;
 * *res is always written. */

/* POST /api/transaction/begin with label, db, table, and the `timeout` (begin → PREPARED) and
 * `idle_transaction_timeout` in seconds when > 0 (notes 2.8). 0 on OK (res->txn_id). A label in
 * use gives RT_EEXIST with outcome LABEL_RUNNING, LABEL_FINISHED (its data is already in) or
 * LABEL_EXISTS. */
int op_stream_load_begin(op_stream_load *c, const char *db, const char *table, const char *label,
                         int timeout_s, int idle_timeout_s, op_sr_result *res, rt_err *err);

/* PUT /api/transaction/load with label, db, table, the props (the SAME for every load of the
 * transaction) and the body (borrowed; for CSV every record must end with the row delimiter:
 * loads of one transaction form one byte stream). 0 on OK. TXN_IN_PROCESSING is retried here;
 * any other failure means the transaction is aborted (notes 2.4). */
int op_stream_load_load(op_stream_load *c, const char *db, const char *table, const char *label,
                        const op_stream_load_props *props, const void *body, size_t body_size,
                        op_sr_result *res, rt_err *err);

/* POST /api/transaction/prepare with label, db and `prepared_timeout` (s) when > 0 (3.5.4+).
 * 0 on OK (row counts in res), or on TXN_NOT_EXISTS when get_load_state then reads PREPARED,
 * COMMITTED or VISIBLE (a repeated prepare; res->state_checked). DATA_QUALITY (too many filtered
 * rows) gives RT_EINVAL with the ErrorURL lines; "hasn't send any data yet" and "all partitions
 * have no load data" RT_EIO (never prepare an empty transaction). */
int op_stream_load_prepare(op_stream_load *c, const char *db, const char *label,
                           int prepared_timeout_s, op_sr_result *res, rt_err *err);

/* POST /api/transaction/commit with label and db. 0 when the transaction is committed: OK,
 * PUBLISH_TIMEOUT, ALREADY_COMMITTED, or any other reply (or a lost reply) after which
 * get_load_state reads COMMITTED or VISIBLE (res->state_checked). Otherwise the reply's code:
 * RT_ESTATE when the state read is ABORTED, RT_ENOTFOUND when it is UNKNOWN (the transaction
 * timed out or never existed), the transport's code when neither the commit nor the state could
 * be read (outcome unknown: call again). Idempotent: committing twice is success. */
int op_stream_load_commit(op_stream_load *c, const char *db, const char *label, op_sr_result *res,
                          rt_err *err);

/* POST /api/transaction/rollback with label and db. 0 on OK or ALREADY_ABORTED. RT_ENOTFOUND
 * when no transaction has that label (nothing to undo: callers aborting leftovers may treat it as
 * success); RT_ESTATE when it is already committed. */
int op_stream_load_rollback(op_stream_load *c, const char *db, const char *label, op_sr_result *res,
                            rt_err *err);

/* GET /api/{db}/get_load_state?label=L (FE). 0 with *state (UNKNOWN: never seen or expired).
 * Retries transport failures as above (it only reads). RT_ENOTFOUND for an unknown db. */
int op_stream_load_get_load_state(op_stream_load *c, const char *db, const char *label,
                                  op_sr_load_state *state, rt_err *err);

/* POST /api/{db}/{table}/_cancel?label=L (FE): aborts the transaction with that label. 0 on
 * "OK"; a failure reply gives its code (RT_ENOTFOUND when there is no such label). */
int op_stream_load_cancel(op_stream_load *c, const char *db, const char *table, const char *label,
                          rt_err *err);

/* GETs error_url (an ErrorURL of a reply: http/https only) and returns its first max_lines lines
 * (at most 16 KiB read; 0 lines: 10) in *out, NUL-terminated, lines joined with "\n", no final
 * newline (free with free()). Uses the client's timeouts but never its credentials: the URL
 * comes from the server. RT_EINVAL for another scheme; RT_EIO for a non-200 answer; transport
 * codes as above. The put/prepare failures with outcome DATA_QUALITY already quote the first 3
 * lines in their error message. */
int op_stream_load_fetch_error_log(op_stream_load *c, const char *error_url, size_t max_lines,
                                   char **out, rt_err *err);

#endif
