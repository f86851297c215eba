/* sr_txn_reply: the JSON bodies of sr-endpoint's load and transaction replies, keys in the
 * order StarRocks writes them (notes §1.3 for Stream Load, §2.2 for the transaction ops). */
#include "tests/sr_endpoint/sr_txn.h"

#include <stdio.h>
#include <string.h>

/* ---- reply bodies ---- */

static void kv_str(rt_buf *b, bool *first, const char *k, const char *v)
{
    rt_buf_appendf(b, "%s\n    \"%s\": ", *first ? "" : ",", k);
    rt_buf_append_json_str(b, v, strlen(v));
    *first = false;
}

static void kv_int(rt_buf *b, bool *first, const char *k, int64_t v)
{
    rt_buf_appendf(b, "%s\n    \"%s\": %lld", *first ? "" : ",", k, (long long)v);
    *first = false;
}

/* The row counts, bytes and load time a Stream Load and a prepare report, in StarRocks' order. */
static void kv_counts(rt_buf *b, bool *first, const sr_txn_reply *r)
{
    kv_int(b, first, "NumberTotalRows", r->counts.total);
    kv_int(b, first, "NumberLoadedRows", r->counts.loaded);
    kv_int(b, first, "NumberFilteredRows", r->counts.filtered);
    kv_int(b, first, "NumberUnselectedRows", r->counts.unselected);
    kv_int(b, first, "LoadBytes", r->load_bytes);
    kv_int(b, first, "LoadTimeMs", 1);
}

/* Step timings, in the order given: sr-endpoint reports 1 ms for writing data, 0 for the rest. */
static void kv_times(rt_buf *b, bool *first, const char *const *keys)
{
    for (; *keys; keys++)
        kv_int(b, first, *keys, strcmp(*keys, "WriteDataTimeMs") == 0 ? 1 : 0);
}

void sr_txn_reply_format(const sr_txn_reply *r, const char *be_addr, rt_buf *out)
{
    bool first = true;
    char url[256] = "";
    if (r->error_file[0])
        snprintf(url, sizeof(url), "http://%s/api/_load_error_log?file=%s", be_addr, r->error_file);
    rt_buf_append_str(out, "{");
    switch (r->kind) {
    case SR_REPLY_STREAM_LOAD:
        kv_int(out, &first, "TxnId", r->txn_id);
        kv_str(out, &first, "Label", r->label);
        kv_str(out, &first, "Status", r->status);
        if (r->has_existing)
            kv_str(out, &first, "ExistingJobStatus", r->existing);
        kv_str(out, &first, "Message", r->message);
        kv_counts(out, &first, r);
        kv_times(out, &first,
                 (const char *const[]){"BeginTxnTimeMs", "StreamLoadPlanTimeMs", "ReadDataTimeMs",
                                       "WriteDataTimeMs", "CommitAndPublishTimeMs", NULL});
        if (url[0])
            kv_str(out, &first, "ErrorURL", url);
        break;
    case SR_REPLY_FE:
        kv_str(out, &first, "Status", r->status);
        kv_str(out, &first, "Message", r->message);
        if (r->has_txn_id)
            kv_int(out, &first, "TxnId", r->txn_id);
        if (r->label[0])
            kv_str(out, &first, "Label", r->label);
        break;
    default: {
        bool ok = !strcmp(r->status, "OK") || !strcmp(r->status, "PUBLISH_TIMEOUT");
        kv_str(out, &first, "Status", r->status);
        if (r->has_existing)
            kv_str(out, &first, "ExistingJobStatus", r->existing);
        if (!strcmp(r->status, "TXN_IN_PROCESSING"))
            kv_str(out, &first, "Label", r->label);
        kv_str(out, &first, "Message", r->message);
        if (ok) {
            kv_str(out, &first, "Label", r->label);
            if (r->kind == SR_REPLY_BEGIN) {
                kv_int(out, &first, "TxnId", r->txn_id);
                kv_int(out, &first, "BeginTxnTimeMs", 0);
            } else if (r->kind == SR_REPLY_LOAD) {
                kv_int(out, &first, "TxnId", r->txn_id);
                kv_int(out, &first, "LoadBytes", r->load_bytes);
                kv_times(out, &first,
                         (const char *const[]){"StreamLoadPlanTimeMs", "ReceivedDataTimeMs", NULL});
            } else if (r->kind == SR_REPLY_PREPARE) {
                kv_int(out, &first, "TxnId", r->txn_id);
                kv_counts(out, &first, r);
                kv_times(out, &first,
                         (const char *const[]){"StreamLoadPlanTimeMs", "ReceivedDataTimeMs",
                                               "WriteDataTimeMs", "CommitAndPublishTimeMs", NULL});
            }
        }
        if (url[0])
            kv_str(out, &first, "ErrorURL", url);
        break;
    }
    }
    rt_buf_append_str(out, "\n}\n");
}
