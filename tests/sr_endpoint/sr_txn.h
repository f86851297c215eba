/* sr_txn: sr-endpoint's load jobs and Stream Load transactions: label states per database
 * (PREPARE in memory; PREPARED/VISIBLE/ABORTED of prepared or committed labels durable in
 * sr_store), timeouts, error logs, and the reply of each operation (notes §1.3, §1.4, §2).
 * Not thread-safe: every call runs on the event-loop thread. */
#ifndef SLUICE_TESTS_SR_ENDPOINT_SR_TXN_H
#define SLUICE_TESTS_SR_ENDPOINT_SR_TXN_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/base/buf.h"
#include "tests/sr_endpoint/sr_http_load.h"
#include "tests/sr_endpoint/sr_store.h"

typedef struct sr_txn_mgr sr_txn_mgr;

/* Which body shape a reply takes. */
typedef enum sr_txn_reply_kind {
    SR_REPLY_STREAM_LOAD, /* plain Stream Load (notes §1.3) */
    SR_REPLY_BEGIN,
    SR_REPLY_LOAD,
    SR_REPLY_PREPARE,     /* also one-phase commit on the BE */
    SR_REPLY_ROLLBACK,    /* BE rollback: Status, Message, Label */
    SR_REPLY_FE,          /* FE-answered: Status, Message, [TxnId, Label] */
} sr_txn_reply_kind;

typedef struct sr_txn_reply {
    sr_txn_reply_kind kind;
    char status[32];    /* "Success", "OK", "TXN_NOT_EXISTS", "FAILED", ... */
    char message[600];
    char label[160];
    bool has_existing;  /* ExistingJobStatus present */
    char existing[16];  /* "RUNNING", "FINISHED" or "" */
    int64_t txn_id;
    bool has_txn_id;
    sr_http_load_counts counts;
    int64_t load_bytes;
    char error_file[64]; /* ErrorURL's file, "" = none */
} sr_txn_reply;

/* Returns a new manager over store (borrowed; must outlive it). discard: loads are parsed and
 * counted, their rows dropped. Restores prepared-timeout deadlines of the store's PREPARED labels. */
sr_txn_mgr *sr_txn_mgr_new(sr_store *store, bool discard);
void sr_txn_mgr_free(sr_txn_mgr *m);

/* Plain Stream Load `PUT /api/{db}/{table}/_stream_load` on the BE (notes §1). get reads the
 * request headers. publish_timeout: commit, then answer "Publish Timeout". */
void sr_txn_stream_load(sr_txn_mgr *m, const char *db, const char *table, sr_http_header_fn get,
                        void *ctx, const char *body, size_t len, bool publish_timeout,
                        sr_txn_reply *out);
/* The BE side of /api/transaction/{begin,load,prepare,commit,rollback} (notes §2.2-2.7). */
void sr_txn_begin(sr_txn_mgr *m, sr_http_header_fn get, void *ctx, sr_txn_reply *out);
void sr_txn_load(sr_txn_mgr *m, sr_http_header_fn get, void *ctx, const char *body, size_t len,
                 sr_txn_reply *out);
void sr_txn_prepare(sr_txn_mgr *m, sr_http_header_fn get, void *ctx, sr_txn_reply *out);
void sr_txn_commit_be(sr_txn_mgr *m, sr_http_header_fn get, void *ctx, bool publish_timeout,
                      sr_txn_reply *out);
void sr_txn_rollback_be(sr_txn_mgr *m, sr_http_header_fn get, void *ctx, sr_txn_reply *out);
/* The FE side of commit/rollback (PREPARED and finished labels, notes §2.1). Returns true when
 * answered; false when the label is PREPARE (the caller redirects to the BE). */
bool sr_txn_commit_fe(sr_txn_mgr *m, const char *db, const char *label, bool publish_timeout,
                      sr_txn_reply *out);
bool sr_txn_rollback_fe(sr_txn_mgr *m, const char *db, const char *label, sr_txn_reply *out);
/* `_cancel`: aborts a PREPARE or PREPARED label ("user cancel"). 0, or RT_ENOTFOUND/RT_ESTATE
 * with the message in err. */
int sr_txn_cancel(sr_txn_mgr *m, const char *db, const char *label, rt_err *err);

/* The label's state as get_load_state reports it (reason filled for ABORTED). */
sr_label_state sr_txn_label_state(sr_txn_mgr *m, const char *db, const char *label, char *reason,
                                  size_t reason_size);
/* Marks the transaction of label busy for a request that will be processed later (a delay
 * fault). Returns false if it is already busy (answer TXN_IN_PROCESSING). Unknown labels: true. */
bool sr_txn_acquire(sr_txn_mgr *m, const char *db, const char *label);
void sr_txn_release(sr_txn_mgr *m, const char *db, const char *label);
/* Aborts transactions past their timeout, idle timeout or prepared timeout. now_ms: monotonic. */
void sr_txn_tick(sr_txn_mgr *m, int64_t now_ms);
/* The error log of `file` (borrowed; valid until the manager is freed) or NULL. */
const char *sr_txn_error_log(sr_txn_mgr *m, const char *file);

/* Appends the reply body as JSON (keys in the protocol's order, pretty-printed like the BE).
 * be_addr ("127.0.0.1:8040") prefixes ErrorURL. */
void sr_txn_reply_format(const sr_txn_reply *r, const char *be_addr, rt_buf *out);

#endif
