/* The binlog phase of the mysql_cdc source (cdc_binlog_reader.h): events -> change records of the
 * selected tables, buffered per transaction and emitted at its commit, the committed position,
 * reconnection from it, schema re-reads after DDL, and the metrics. */
#include "operators/mysql/cdc_binlog_reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "operators/basic/sql_type.h"
#include "operators/mysql/binlog_decode.h"
#include "operators/mysql/cdc_tables.h"
#include "operators/mysql/value_conform.h"
#include "runtime/base/clock.h"
#include "runtime/base/failpoint.h"
#include "runtime/base/log.h"

/* A selected table in the schema version its rows were written with (cdc_tables.h). */
typedef op_cdc_table cdc_table;

/* What a table id of the stream stands for; ids change with every DDL (and table cache flush). */
typedef struct cdc_table_id {
    uint64_t id;
    cdc_table *table; /* NULL for a table not selected */
} cdc_table_id;

struct op_cdc_binlog_reader {
    op_cdc_binlog_reader_params p;
    op_binlog_client *client;
    op_binlog_decoder *decoder;
    op_mysql_row *before, *after;
    rt_buf text;            /* scratch of op_mysql_cell_to_value */
    op_mysql_time_zone *tz; /* server_time_zone: TIMESTAMP values are rendered in it */
    op_cdc_tables *tables;  /* the selected tables and their schema history */
    cdc_table_id *ids;
    size_t id_count, id_cap;
    size_t batch_rows, max_txn_records;
    const char *tag; /* log tag, borrowed from the context */
    rt_catalog *catalog;

    /* The transaction in progress. in_txn after BEGIN or a MariaDB GTID that opens a
     * transaction; after_gtid between a GTID event and what follows it (a DDL has no BEGIN). */
    bool in_txn, after_gtid;
    rt_batch **pending; /* full batches of the transaction, not emitted yet */
    size_t pending_count, pending_cap;
    rt_batch *cur;
    size_t txn_buffered;  /* records in pending and cur */
    uint64_t txn_emitted; /* records of this transaction emitted before its commit */
    uint64_t skip;        /* records of the next transaction to drop: emitted before */

    op_binlog_pos committed;
    uint64_t records, transactions, schema_changes;
    int64_t lag_ms, next_stats_ms;
    int64_t event_ts; /* header timestamp of the event being handled */
    unsigned reconnects, failed_reconnects;

    /* Metrics of the reader that feeds downstream (not of the snapshot's LOW..HIGH reads):
     * NULL handles when not registered, which every update ignores. */
    op_ctx *ctx;
    bool metrics;
    rt_metric *m_lag, *m_position, *m_transactions, *m_schema_changes, *m_reconnects;

    bool has_stop, ended; /* set_stop: OP_POLL_END once committed reaches stop */
    op_binlog_pos stop;
    rt_batch *scratch; /* with a keep callback: where a record is built before keep decides */
};

static int reader_oom(rt_err *err)
{
    return rt_err_set(err, RT_ENOMEM, "mysql_cdc: out of memory");
}

static cdc_table_id *id_find(op_cdc_binlog_reader *r, uint64_t id)
{
    for (size_t i = 0; i < r->id_count; i++) {
        if (r->ids[i].id == id)
            return &r->ids[i];
    }
    return NULL;
}

/* The event's position for the schema history: the offset after it in the current file (a
 * version applied by a DDL is in force from the DDL's end; events look up where they end). */
static op_schema_pos event_pos(const op_cdc_binlog_reader *r)
{
    const op_binlog_pos *p = op_binlog_client_position(r->client);
    return (op_schema_pos){p->file, p->offset};
}

/* TABLE_MAP: decides whether rows of this table id are wanted, and in which schema version. */
static int on_table_map(op_cdc_binlog_reader *r, op_table_map *tm, rt_err *err)
{
    cdc_table *t = NULL;
    int rc = op_cdc_tables_resolve(r->tables, tm, event_pos(r), &t, err);
    if (rc != 0)
        return rc;
    uint64_t id = op_table_map_id(tm);
    cdc_table_id *e = id_find(r, id);
    if (!e) {
        if (r->id_count == r->id_cap) {
            size_t cap = r->id_cap ? r->id_cap * 2 : 16;
            cdc_table_id *ids = realloc(r->ids, cap * sizeof *ids);
            if (!ids)
                return reader_oom(err);
            r->ids = ids;
            r->id_cap = cap;
        }
        e = &r->ids[r->id_count++];
        e->id = id;
    }
    e->table = t;
    return 0;
}

/* --- the transaction buffer --- */

static void txn_drop(op_cdc_binlog_reader *r)
{
    for (size_t i = 0; i < r->pending_count; i++)
        rt_batch_unref(r->pending[i]);
    r->pending_count = 0;
    rt_batch_unref(r->cur);
    r->cur = NULL;
    r->txn_buffered = 0;
}

/* Moves the current batch to the transaction's pending ones. */
static int pending_push(op_cdc_binlog_reader *r, rt_err *err)
{
    if (r->pending_count == r->pending_cap) {
        size_t cap = r->pending_cap ? r->pending_cap * 2 : 8;
        rt_batch **p = realloc(r->pending, cap * sizeof *p);
        if (!p)
            return reader_oom(err);
        r->pending = p;
        r->pending_cap = cap;
    }
    r->pending[r->pending_count++] = r->cur;
    r->cur = NULL;
    return 0;
}

/* Emits what the transaction buffered (all of it, the current batch too). */
static int txn_flush(op_cdc_binlog_reader *r, op_ctx *ctx, rt_err *err)
{
    int rc = r->cur && rt_batch_count(r->cur) > 0 ? pending_push(r, err) : 0;
    if (rc != 0)
        return rc;
    size_t i = 0;
    for (; i < r->pending_count && rc == 0; i++) {
        size_t n = rt_batch_count(r->pending[i]);
        /* Both take the batch in every case. */
        rc = r->p.emit ? r->p.emit(r->p.emit_arg, r->pending[i], err)
                       : op_ctx_emit(ctx, r->pending[i], err);
        if (rc == 0) {
            r->records += n;
            r->txn_emitted += n;
        }
    }
    for (; i < r->pending_count; i++)
        rt_batch_unref(r->pending[i]);
    r->pending_count = 0;
    r->txn_buffered = 0;
    return rc;
}

/* A transaction boundary: emits the transaction, then moves the committed position here. */
static int txn_commit(op_cdc_binlog_reader *r, op_ctx *ctx, rt_err *err)
{
    bool had_rows = r->txn_buffered > 0 || r->txn_emitted > 0;
    int rc = txn_flush(r, ctx, err);
    if (rc != 0)
        return rc;
    if ((rc = op_binlog_pos_copy(&r->committed, op_binlog_client_position(r->client), err)) != 0)
        return rc;
    if (had_rows)
        r->transactions++;
    if (had_rows)
        rt_metric_add(r->m_transactions, 1);
    r->txn_emitted = 0;
    r->skip = 0;
    r->in_txn = r->after_gtid = false;
    return 0;
}

/* Fills a record of kind for table t in b from the row image, with t's columns picked out. */
static int fill_record(op_cdc_binlog_reader *r, rt_batch *b, cdc_table *t, const op_table_map *tm,
                       rt_rowkind kind, const op_mysql_row *row, rt_record **out, rt_err *err)
{
    rt_record *rec = rt_batch_add(b, kind, t->table);
    if (!rec)
        return reader_oom(err);
    rec->ts_ms = r->event_ts * 1000;
    for (size_t i = 0; i < rec->ncols; i++) {
        uint32_t src = t->source_positions[i];
        const op_mysql_cell *cell = op_mysql_row_cell(row, src);
        if (!cell)
            return rt_err_set(err, RT_EUNSUPPORTED,
                              "mysql_cdc: %s: the row image lacks column %s: set "
                              "binlog_row_image=FULL on the server",
                              t->qualified, rt_table_column(t->table, i)->name);
        if (cell->is_null)
            continue;
        rt_buf_reset(&r->text);
        rt_value v;
        /* TIMESTAMP as its wall time in server_time_zone, as the snapshot renders it (only a
         * TIMESTAMP has unix_seconds). */
        int32_t tz_off =
            cell->unix_seconds ? op_mysql_time_zone_offset(r->tz, cell->unix_seconds) : 0;
        op_mysql_cell_to_value(cell, op_table_map_column(tm, src), tz_off, &r->text, &v);
        /* The schema's value type decides where the binlog cannot tell: a TEXT column is a BLOB
         * in the binlog, and without metadata a BINARY column looks like a CHAR one. */
        rt_type want = rt_table_column(t->table, i)->type;
        if ((v.type == RT_TYPE_STRING || v.type == RT_TYPE_BYTES || v.type == RT_TYPE_JSON ||
             v.type == RT_TYPE_DECIMAL) &&
            (want == RT_TYPE_STRING || want == RT_TYPE_BYTES || want == RT_TYPE_JSON ||
             want == RT_TYPE_DECIMAL)) {
            if (rt_batch_set_str(b, &rec->values[i], want, v.s.ptr, v.s.len) != 0)
                return reader_oom(err);
            /* BINARY(n) padded back, spatial values as WKB: what SELECT shows. */
            int crc = op_mysql_value_conform(&t->types[i], rt_table_column(t->table, i)->name, b,
                                             &rec->values[i], err);
            if (crc != 0)
                return rt_err_prefix(err, crc, "mysql_cdc: %s", t->qualified);
            continue;
        }
        if (v.type == RT_TYPE_INT && want == RT_TYPE_UINT)
            v = (rt_value){.type = RT_TYPE_UINT, .u = (uint64_t)v.i};
        else if (v.type == RT_TYPE_UINT && want == RT_TYPE_INT)
            v = (rt_value){.type = RT_TYPE_INT, .i = (int64_t)v.u};
        rec->values[i] = v;
    }
    *out = rec;
    return 0;
}

/* A record of kind for table t from the row image, unless keep drops it or it was emitted
 * before a reconnect or restore (skip). */
static int add_record(op_cdc_binlog_reader *r, op_ctx *ctx, cdc_table *t, const op_table_map *tm,
                      rt_rowkind kind, const op_mysql_row *row, rt_err *err)
{
    /* startup "timestamp": the first file also holds what was written before the instant. */
    if (r->event_ts < r->p.skip_before_unix_s)
        return 0;
    rt_record *rec;
    int rc;
    if (r->p.keep) {
        /* keep needs the values, so the record is built aside first; skip counts only records
         * that keep lets through, as they were counted when they went out. */
        if (r->scratch && rt_batch_count(r->scratch) >= r->batch_rows) {
            rt_batch_unref(r->scratch);
            r->scratch = NULL;
        }
        if (!r->scratch && !(r->scratch = op_ctx_batch_new(ctx)))
            return reader_oom(err);
        if ((rc = fill_record(r, r->scratch, t, tm, kind, row, &rec, err)) != 0)
            return rc;
        if (!r->p.keep(r->p.keep_arg, rec, &r->committed))
            return 0;
        if (r->skip > 0) {
            r->skip--;
            return 0;
        }
        if (!r->cur && !(r->cur = op_ctx_batch_new(ctx)))
            return reader_oom(err);
        if (rt_batch_copy_record(r->cur, rec) != 0)
            return reader_oom(err);
    } else {
        if (r->skip > 0) {
            r->skip--;
            return 0;
        }
        if (!r->cur && !(r->cur = op_ctx_batch_new(ctx)))
            return reader_oom(err);
        if ((rc = fill_record(r, r->cur, t, tm, kind, row, &rec, err)) != 0)
            return rc;
    }
    t->rows++;
    if (r->metrics && !t->rows_metric)
        t->rows_metric = op_ctx_counter(r->ctx, "sluice_mysql_cdc_rows_read_total",
                                        "Change records read from the binlog per table.", "table",
                                        t->qualified);
    rt_metric_add(t->rows_metric, 1);
    r->txn_buffered++;
    if (rt_batch_count(r->cur) >= r->batch_rows && pending_push(r, err) != 0)
        return RT_ENOMEM;
    /* A huge transaction goes out in pieces: memory stays bounded, and txn_emitted (kept in the
     * checkpoint) says how much of it to drop when it is read again. */
    if (r->txn_buffered >= r->max_txn_records)
        return txn_flush(r, ctx, err);
    return 0;
}

static int on_rows(op_cdc_binlog_reader *r, op_ctx *ctx, op_binlog_event *ev, rt_err *err)
{
    cdc_table_id *e = id_find(r, ev->rows.ev.table_id);
    if (!e || !e->table || !ev->rows.table_map)
        return 0; /* not selected: its rows are not even decoded */
    cdc_table *t = e->table;
    const op_table_map *tm = ev->rows.table_map;
    bool has = true;
    while (has) {
        int rc = op_rows_event_next(&ev->rows.ev, tm, r->before, r->after, &has, err);
        if (rc != 0)
            return rt_err_prefix(err, rc, "mysql_cdc: rows of %s", t->qualified);
        if (!has)
            break;
        switch (ev->rows.ev.kind) {
        case OP_ROWS_WRITE:
            rc = add_record(r, ctx, t, tm, RT_ROW_INSERT, r->after, err);
            break;
        case OP_ROWS_UPDATE:
            rc = add_record(r, ctx, t, tm, RT_ROW_UPDATE_BEFORE, r->before, err);
            if (rc == 0)
                rc = add_record(r, ctx, t, tm, RT_ROW_UPDATE_AFTER, r->after, err);
            break;
        case OP_ROWS_DELETE:
            rc = add_record(r, ctx, t, tm, RT_ROW_DELETE, r->before, err);
            break;
        }
        if (rc != 0)
            return rc;
    }
    return 0;
}

static bool sql_is(const char *sql, size_t len, const char *word)
{
    size_t n = strlen(word);
    return len >= n && strncasecmp(sql, word, n) == 0 && (len == n || sql[n] == ' ');
}

/* A DDL: the schema history follows it, and each change to a selected table goes downstream as
 * a schema-change record, a transaction of its own between the rows written before and after. */
static int on_ddl(op_cdc_binlog_reader *r, op_ctx *ctx, const op_binlog_query *q, rt_err *err)
{
    op_cdc_schema_change ch[OP_CDC_MAX_CHANGES];
    size_t n = 0;
    int rc = op_cdc_tables_apply(r->tables, q->sql, q->sql_len, q->db, q->db_len, event_pos(r), ch,
                                 &n, err);
    if (rc != 0)
        return rc;
    /* startup "timestamp": changes made before the instant are history, not news. */
    if (r->event_ts < r->p.skip_before_unix_s)
        n = 0;
    for (size_t i = 0; i < n; i++) {
        if (!r->cur && !(r->cur = op_ctx_batch_new(ctx)))
            return reader_oom(err);
        rt_record *sc = rt_batch_add_schema_change(r->cur, ch[i].kind, ch[i].after, ch[i].before,
                                                   q->sql, q->sql_len);
        if (!sc || (ch[i].origin && rt_batch_set_schema_origin(r->cur, sc, ch[i].origin,
                                                               rt_table_column_count(ch[i].after))))
            return reader_oom(err);
        sc->ts_ms = r->event_ts * 1000;
        r->txn_buffered++;
        r->schema_changes++;
        rt_metric_add(r->m_schema_changes, 1);
    }
    return 0;
}

/* A statement: BEGIN opens a transaction, COMMIT / ROLLBACK end one; anything else outside a
 * transaction is a DDL (or a standalone statement) and a boundary of its own. */
static int on_query(op_cdc_binlog_reader *r, op_ctx *ctx, const op_binlog_query *q, rt_err *err)
{
    if (sql_is(q->sql, q->sql_len, "BEGIN")) {
        r->in_txn = true;
        return 0;
    }
    if (sql_is(q->sql, q->sql_len, "COMMIT") || sql_is(q->sql, q->sql_len, "ROLLBACK"))
        return txn_commit(r, ctx, err);
    if (r->in_txn) {
        LOG_DEBUG("%s: mysql_cdc: statement in a transaction: %.*s", r->tag,
                  q->sql_len > 200 ? 200 : (int)q->sql_len, q->sql);
        return 0;
    }
    int rc = on_ddl(r, ctx, q, err);
    return rc != 0 ? rc : txn_commit(r, ctx, err);
}

static int on_event(op_cdc_binlog_reader *r, op_ctx *ctx, op_binlog_event *ev, rt_err *err)
{
    switch (ev->header.type) {
    case OP_BINLOG_MARIADB_GTID_EVENT:
        r->after_gtid = true;
        r->in_txn = (ev->mariadb_gtid.flags2 & OP_MARIADB_GTID_FL_STANDALONE) == 0;
        return 0;
    case OP_BINLOG_GTID_LOG_EVENT:
    case OP_BINLOG_ANONYMOUS_GTID_LOG_EVENT:
    case OP_BINLOG_GTID_TAGGED_LOG_EVENT:
        r->after_gtid = true; /* BEGIN follows for DML, nothing for DDL */
        return 0;
    case OP_BINLOG_XID_EVENT:
        return txn_commit(r, ctx, err);
    case OP_BINLOG_QUERY_EVENT:
    case OP_BINLOG_QUERY_COMPRESSED_EVENT:
        return on_query(r, ctx, &ev->query, err);
    case OP_BINLOG_TABLE_MAP_EVENT:
        return on_table_map(r, ev->table_map, err);
    case OP_BINLOG_INCIDENT_EVENT:
        return rt_err_set(err, RT_EUNSUPPORTED,
                          "mysql_cdc: INCIDENT event %u in the binlog (%.*s): the server lost "
                          "events here; re-sync the tables (startup \"initial\")",
                          ev->incident.code, (int)ev->incident.message_len, ev->incident.message);
    case OP_BINLOG_TRANSACTION_PAYLOAD_EVENT: {
        bool has = true;
        while (has) {
            op_binlog_event inner;
            int rc = op_binlog_decoder_next_inner(r->decoder, &inner, &has, err);
            if (rc == 0 && has)
                rc = on_event(r, ctx, &inner, err);
            if (rc != 0)
                return rc;
        }
        return 0;
    }
    default:
        if (!ev->skipped && op_binlog_type_is_rows(ev->header.type))
            return on_rows(r, ctx, ev, err);
        /* ROTATE, FORMAT_DESCRIPTION, GTID lists, heartbeats ...: between transactions they
         * move the position (so an idle job's checkpoints stay fresh). */
        if (!r->in_txn && !r->after_gtid)
            return op_binlog_pos_copy(&r->committed, op_binlog_client_position(r->client), err);
        return 0;
    }
}

/* The connection dropped: drop the partial transaction and stream again from the committed
 * position. What this transaction already emitted is skipped when it comes again. */
static int reconnect(op_cdc_binlog_reader *r, rt_err *cause, rt_err *err)
{
    txn_drop(r);
    r->skip = r->txn_emitted;
    r->in_txn = r->after_gtid = false;
    rt_buf pos;
    rt_buf_init(&pos);
    op_binlog_pos_format(&r->committed, &pos);
    LOG_WARN("%s: mysql_cdc: binlog stream lost (%s); reconnecting from %s", r->tag, cause->msg,
             pos.data ? pos.data : "");
    rt_buf_fini(&pos);
    int rc = op_binlog_client_reconnect(r->client, &r->committed, err);
    if (rc == 0) {
        op_binlog_decoder_set_format(r->decoder, op_binlog_client_format(r->client));
        r->reconnects++;
        rt_metric_add(r->m_reconnects, 1);
        r->failed_reconnects = 0;
        return 0;
    }
    if (rc == RT_EUNAVAIL && ++r->failed_reconnects < r->p.max_reconnects)
        return 0; /* down: the next poll tries again (next returns RT_EUNAVAIL) */
    return rt_err_prefix(err, rc, "mysql_cdc: reconnect after %u attempts", r->failed_reconnects);
}

static void log_stats(op_cdc_binlog_reader *r)
{
    rt_buf b;
    rt_buf_init(&b);
    op_binlog_pos_format(&r->committed, &b);
    rt_buf_appendf(&b, " lag %lldms records %llu transactions %llu", (long long)r->lag_ms,
                   (unsigned long long)r->records, (unsigned long long)r->transactions);
    for (size_t i = 0; i < op_cdc_tables_count(r->tables); i++) {
        const cdc_table *t = op_cdc_tables_at(r->tables, i);
        rt_buf_appendf(&b, " %s=%llu", t->qualified, (unsigned long long)t->rows);
    }
    LOG_INFO("%s: mysql_cdc: binlog at %s", r->tag, b.data);
    rt_buf_fini(&b);
}

/* The lag and the committed position for the metrics, once per poll. */
static void publish(op_cdc_binlog_reader *r)
{
    if (!r->metrics)
        return;
    rt_metric_set(r->m_lag, r->lag_ms);
    rt_buf b;
    rt_buf_init(&b);
    op_binlog_pos_format(&r->committed, &b);
    if (b.data)
        rt_metric_set_text(r->m_position, b.data);
    rt_buf_fini(&b);
}

static void metrics_register(op_cdc_binlog_reader *r)
{
    op_ctx *ctx = r->ctx;
    r->metrics = true;
    r->m_lag = op_ctx_gauge(ctx, "sluice_mysql_cdc_lag_ms",
                            "How far the binlog reader is behind the server: now minus the "
                            "timestamp of the last event read (0 when caught up).",
                            NULL, NULL);
    r->m_position = op_ctx_info(ctx, "sluice_mysql_cdc_binlog_position_info",
                                "The committed binlog position (file:offset and GTIDs).", NULL,
                                NULL);
    r->m_transactions = op_ctx_counter(ctx, "sluice_mysql_cdc_transactions_total",
                                       "Committed transactions that carried selected rows.", NULL,
                                       NULL);
    r->m_schema_changes = op_ctx_counter(ctx, "sluice_mysql_cdc_schema_changes_total",
                                         "Schema-change records emitted.", NULL, NULL);
    r->m_reconnects = op_ctx_counter(ctx, "sluice_mysql_cdc_reconnects_total",
                                     "Replication connections reopened after a loss.", NULL, NULL);
}

/* True at a transaction boundary at or past the stop position. A position that cannot be
 * ordered against it yet (a GTID start before its first ROTATE) has not reached it. */
static bool reached_stop(op_cdc_binlog_reader *r)
{
    if (!r->has_stop || r->in_txn || r->after_gtid)
        return false;
    int order = 0;
    if (op_binlog_pos_compare(&r->committed, &r->stop, &order, NULL) != 0)
        return false;
    if (order >= 0)
        r->ended = true;
    return r->ended;
}

int op_cdc_binlog_reader_poll(op_cdc_binlog_reader *r, op_ctx *ctx, rt_err *err)
{
    if (r->ended || reached_stop(r))
        return OP_POLL_END;
    if (!r->client)
        return rt_err_set(err, RT_EUNAVAIL, "mysql_cdc: no binlog stream (restart failed)");
    int64_t now = rt_clock_mono_ms();
    if (now >= r->next_stats_ms) {
        log_stats(r);
        r->next_stats_ms = now + r->p.stats_interval_ms;
    }
    uint64_t before = r->records;
    bool idle = false;
    /* Fault tests: slow polls inside a transaction let checkpoints fall in the middle of it. */
    int rc = r->in_txn ? FAILPOINT("mysql_cdc.poll_in_transaction", err) : 0;
    if (rc != 0)
        return rc;
    /* Bounded work per poll, so barriers and cancellation are served between polls. */
    for (size_t n = 0; n < 4 * r->batch_rows; n++) {
        const uint8_t *bytes;
        size_t len;
        rt_err cause = {0};
        rc = op_binlog_client_next(r->client, &bytes, &len, n == 0 ? r->p.poll_timeout_ms : 0,
                                   &cause);
        if (rc == RT_ETIMEDOUT) {
            if (!r->in_txn && !r->after_gtid)
                r->lag_ms = 0; /* caught up */
            idle = true;
            break;
        }
        if (rc == RT_EUNAVAIL) {
            if ((rc = reconnect(r, &cause, err)) != 0)
                return rc;
            return OP_POLL_MORE;
        }
        if (rc != 0) {
            if (err)
                *err = cause;
            return rt_err_prefix(err, rc, "mysql_cdc: binlog stream");
        }
        op_binlog_event ev;
        if ((rc = op_binlog_decoder_decode(r->decoder, bytes, len, &ev, err)) != 0) {
            const op_binlog_pos *at = op_binlog_client_position(r->client);
            return rt_err_prefix(err, rc, "mysql_cdc: decode the event before %s:%llu", at->file,
                                 (unsigned long long)at->offset);
        }
        r->event_ts = ev.header.timestamp;
        if (ev.header.timestamp != 0 && !(ev.header.flags & OP_BINLOG_F_ARTIFICIAL) &&
            ev.header.type != OP_BINLOG_HEARTBEAT_LOG_EVENT &&
            ev.header.type != OP_BINLOG_HEARTBEAT_LOG_EVENT_V2) {
            int64_t lag = rt_clock_wall_ms() - (int64_t)ev.header.timestamp * 1000;
            r->lag_ms = lag > 0 ? lag : 0;
        }
        if ((rc = on_event(r, ctx, &ev, err)) != 0)
            return rc;
        if (reached_stop(r))
            return OP_POLL_END;
        /* Fault tests: the stream drops after part of a transaction went out. */
        if (r->in_txn && r->txn_emitted > 0 &&
            FAILPOINT("mysql_cdc.drop_in_transaction", &cause) != 0) {
            if ((rc = reconnect(r, &cause, err)) != 0)
                return rc;
            return OP_POLL_MORE;
        }
    }
    publish(r);
    return r->records > before || !idle ? OP_POLL_MORE : OP_POLL_IDLE;
}

int op_cdc_binlog_reader_new(op_ctx *ctx, const op_cdc_binlog_reader_params *p,
                             const op_cdc_state *start, op_mysql_conn *conn,
                             op_mysql_table_list *tables, op_cdc_binlog_reader **out, rt_err *err)
{
    op_cdc_binlog_reader *r = calloc(1, sizeof *r);
    if (!r) {
        op_mysql_conn_close(conn);
        return reader_oom(err);
    }
    r->p = *p;
    r->tag = op_ctx_log_tag(ctx);
    r->ctx = ctx;
    r->catalog = op_ctx_catalog(ctx);
    if (!p->emit)
        metrics_register(r);
    r->batch_rows = op_ctx_batch_rows(ctx);
    if (r->batch_rows == 0)
        r->batch_rows = 1024;
    r->max_txn_records = p->max_txn_records ? p->max_txn_records : 64 * r->batch_rows;
    if (r->p.poll_timeout_ms <= 0)
        r->p.poll_timeout_ms = 50;
    if (r->p.stats_interval_ms <= 0)
        r->p.stats_interval_ms = 10000;
    if (r->p.max_reconnects == 0)
        r->p.max_reconnects = 30;
    r->next_stats_ms = rt_clock_mono_ms() + r->p.stats_interval_ms;
    rt_buf_init(&r->text);
    op_binlog_pos_init(&r->committed);
    op_binlog_pos_init(&r->stop);
    int rc = op_cdc_tables_new(r->catalog, r->p.filter, &r->p.client.conn, conn, r->tag, &r->tables,
                               err);
    if (rc != 0) {
        free(r);
        return rc;
    }
    r->decoder = op_binlog_decoder_new();
    r->before = op_mysql_row_new();
    r->after = op_mysql_row_new();
    rc = r->decoder && r->before && r->after ? 0 : reader_oom(err);
    if (rc == 0)
        rc = op_mysql_conn_params_time_zone(&r->p.client.conn, NULL, &r->tz, err);
    if (rc == 0 && start->history)
        rc = op_cdc_tables_restore(r->tables, start->history, start->history_len, err);
    if (rc == 0) {
        /* The schemas read at start-up are in force from the start position on (a GTID start
         * has no file yet: from the beginning). */
        op_schema_pos from = {start->position.file, start->position.offset};
        rc = op_cdc_tables_seed(r->tables, tables, from, err);
    }
    if (rc == 0)
        rc = op_binlog_pos_copy(&r->committed, &start->position, err);
    r->skip = start->txn_rows;
    r->txn_emitted = start->txn_rows; /* still downstream if the stream drops before the commit */
    if (rc == 0 &&
        (rc = op_binlog_client_open(&r->p.client, &start->position, &r->client, err)) == 0)
        op_binlog_decoder_set_format(r->decoder, op_binlog_client_format(r->client));
    if (rc != 0) {
        op_cdc_binlog_reader_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

void op_cdc_binlog_reader_free(op_cdc_binlog_reader *r)
{
    if (!r)
        return;
    txn_drop(r);
    free(r->pending);
    rt_batch_unref(r->scratch);
    op_binlog_pos_fini(&r->stop);
    op_binlog_client_close(r->client);
    op_binlog_decoder_free(r->decoder);
    op_cdc_tables_free(r->tables);
    op_mysql_row_free(r->before);
    op_mysql_row_free(r->after);
    rt_buf_fini(&r->text);
    op_mysql_time_zone_free(r->tz);
    free(r->ids);
    op_binlog_pos_fini(&r->committed);
    free(r);
}

int op_cdc_binlog_reader_set_stop(op_cdc_binlog_reader *r, const op_binlog_pos *stop, rt_err *err)
{
    r->ended = false;
    if (!stop) {
        r->has_stop = false;
        return 0;
    }
    int rc = op_binlog_pos_copy(&r->stop, stop, err);
    r->has_stop = rc == 0;
    return rc;
}

bool op_cdc_binlog_reader_is_ended(const op_cdc_binlog_reader *r)
{
    return r->ended;
}

void op_cdc_binlog_reader_set_keep(op_cdc_binlog_reader *r,
                                   bool (*keep)(void *, const rt_record *, const op_binlog_pos *),
                                   void *arg)
{
    r->p.keep = keep;
    r->p.keep_arg = arg;
}

int op_cdc_binlog_reader_restart(op_cdc_binlog_reader *r, const op_binlog_pos *from, rt_err *err)
{
    txn_drop(r);
    r->skip = r->txn_emitted = 0;
    r->in_txn = r->after_gtid = false;
    r->has_stop = r->ended = false;
    op_binlog_client_close(r->client);
    r->client = NULL;
    int rc = op_binlog_pos_copy(&r->committed, from, err);
    if (rc == 0 && (rc = op_binlog_client_open(&r->p.client, from, &r->client, err)) == 0)
        op_binlog_decoder_set_format(r->decoder, op_binlog_client_format(r->client));
    return rc;
}

int op_cdc_binlog_reader_state(const op_cdc_binlog_reader *r, op_cdc_state *out, rt_err *err)
{
    int rc = op_binlog_pos_copy(&out->position, &r->committed, err);
    if (rc != 0)
        return rc;
    out->txn_rows = r->txn_emitted;
    /* The history as of the committed position: a DDL is applied at its own commit, so no
     * version from beyond the position is in it. */
    rt_buf h;
    rt_buf_init(&h);
    op_cdc_tables_encode(r->tables, &h);
    if (!h.data)
        return reader_oom(err);
    free(out->history);
    out->history = (uint8_t *)h.data;
    out->history_len = h.len;
    return 0;
}

void op_cdc_binlog_reader_metrics(const op_cdc_binlog_reader *r, op_cdc_binlog_metrics *out)
{
    out->records = r->records;
    out->transactions = r->transactions;
    out->lag_ms = r->lag_ms;
    out->reconnects = r->reconnects;
    out->schema_changes = r->schema_changes;
}

uint64_t op_cdc_binlog_reader_table_rows(const op_cdc_binlog_reader *r, const char *qualified)
{
    for (size_t i = 0; i < op_cdc_tables_count(r->tables); i++) {
        const cdc_table *t = op_cdc_tables_at(r->tables, i);
        if (strcmp(t->qualified, qualified) == 0)
            return t->rows;
    }
    return 0;
}

const op_binlog_pos *op_cdc_binlog_reader_position(const op_cdc_binlog_reader *r)
{
    return &r->committed;
}
