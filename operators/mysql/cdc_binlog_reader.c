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
#include "runtime/base/clock.h"
#include "runtime/base/failpoint.h"
#include "runtime/base/log.h"

/* A selected table: its interned schema and where its columns sit in a binlog row image. */
typedef struct cdc_table {
    char *db, *name, *qualified;
    const rt_table *table;      /* interned in the job's catalog */
    uint32_t *source_positions; /* per column of table */
    size_t source_column_count;
    op_sql_type *types; /* per column of table: signedness and ENUM/SET members for overlays */
    bool stale;         /* a DDL passed: re-read the schema before its next rows */
    uint64_t rows;
} cdc_table;

/* What a table id of the stream stands for; ids change with every DDL (and table cache flush). */
typedef struct cdc_table_id {
    uint64_t id;
    long table; /* index into tables, -1 for a table not selected */
} cdc_table_id;

struct op_cdc_binlog_reader {
    op_cdc_binlog_reader_params p;
    op_binlog_client *client;
    op_binlog_decoder *decoder;
    op_mysql_conn *conn; /* schema re-reads; NULL after it failed, reopened when needed */
    op_mysql_row *before, *after;
    rt_buf text; /* scratch of op_mysql_cell_to_value */
    cdc_table *tables;
    size_t table_count, table_cap;
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
    uint64_t records, transactions;
    int64_t lag_ms, next_stats_ms;
    int64_t event_ts; /* header timestamp of the event being handled */
    unsigned reconnects, failed_reconnects;

    bool has_stop, ended; /* set_stop: OP_POLL_END once committed reaches stop */
    op_binlog_pos stop;
    rt_batch *scratch; /* with a keep callback: where a record is built before keep decides */
};

static int reader_oom(rt_err *err)
{
    return rt_err_set(err, RT_ENOMEM, "mysql_cdc: out of memory");
}

static void table_fini(cdc_table *t)
{
    for (size_t i = 0; t->types && t->table && i < rt_table_column_count(t->table); i++)
        op_sql_type_fini(&t->types[i]);
    free(t->types);
    free(t->source_positions);
    free(t->db);
    free(t->name);
    free(t->qualified);
    memset(t, 0, sizeof *t);
}

/* Fills t from info, taking info's table (interned) and source positions. */
static int table_set(op_cdc_binlog_reader *r, cdc_table *t, op_mysql_table_info *info, rt_err *err)
{
    size_t n = rt_table_column_count(info->table);
    op_sql_type *types = calloc(n, sizeof *types);
    if (!types)
        return reader_oom(err);
    for (size_t i = 0; i < n; i++) {
        const rt_column *c = rt_table_column(info->table, i);
        int rc = op_sql_type_parse(c->sql_type ? c->sql_type : "", &types[i], err);
        if (rc != 0) {
            for (size_t k = 0; k < i; k++)
                op_sql_type_fini(&types[k]);
            free(types);
            return rt_err_prefix(err, rc, "%s.%s", rt_table_qualified(info->table), c->name);
        }
    }
    /* The old schema's types go with the old table; free them before adopting the new one. */
    for (size_t i = 0; t->types && t->table && i < rt_table_column_count(t->table); i++)
        op_sql_type_fini(&t->types[i]);
    free(t->types);
    free(t->source_positions);
    t->types = types;
    t->source_positions = info->source_positions;
    t->source_column_count = info->source_column_count;
    info->source_positions = NULL;
    t->table = rt_catalog_intern(r->catalog, info->table);
    info->table = NULL;
    t->stale = false;
    return 0;
}

static int table_add(op_cdc_binlog_reader *r, op_mysql_table_info *info, rt_err *err)
{
    if (r->table_count == r->table_cap) {
        size_t cap = r->table_cap ? r->table_cap * 2 : 8;
        cdc_table *t = realloc(r->tables, cap * sizeof *t);
        if (!t)
            return reader_oom(err);
        r->tables = t;
        r->table_cap = cap;
    }
    cdc_table *t = &r->tables[r->table_count];
    memset(t, 0, sizeof *t);
    t->db = strdup(rt_table_db(info->table));
    t->name = strdup(rt_table_name(info->table));
    t->qualified = strdup(rt_table_qualified(info->table));
    int rc = t->db && t->name && t->qualified ? table_set(r, t, info, err) : reader_oom(err);
    if (rc != 0) {
        table_fini(t);
        return rc;
    }
    r->table_count++;
    return 0;
}

static long table_find(const op_cdc_binlog_reader *r, const char *db, const char *name)
{
    for (size_t i = 0; i < r->table_count; i++) {
        if (strcmp(r->tables[i].db, db) == 0 && strcmp(r->tables[i].name, name) == 0)
            return (long)i;
    }
    return -1;
}

/* Reads db.name's schema now (information_schema: the current one, see the DDL note in
 * on_query) into the table at index *idx (appended when *idx is -1). */
static int schema_read(op_cdc_binlog_reader *r, const char *db, const char *name, long *idx,
                       rt_err *err)
{
    if (!r->conn) {
        int rc = op_mysql_conn_open(&r->p.client.conn, &r->conn, err);
        if (rc != 0)
            return rc;
    }
    op_mysql_table_info info;
    memset(&info, 0, sizeof info);
    int rc = op_mysql_schema_read_table(r->conn, r->p.filter, db, name, &info, err);
    if (rc == RT_EUNAVAIL) {
        op_mysql_conn_close(r->conn);
        r->conn = NULL;
    }
    if (rc == 0 && *idx < 0) {
        rc = table_add(r, &info, err);
        if (rc == 0)
            *idx = (long)r->table_count - 1;
    } else if (rc == 0) {
        rc = table_set(r, &r->tables[*idx], &info, err);
    }
    op_mysql_table_info_fini(&info);
    return rc;
}

static cdc_table_id *id_find(op_cdc_binlog_reader *r, uint64_t id)
{
    for (size_t i = 0; i < r->id_count; i++) {
        if (r->ids[i].id == id)
            return &r->ids[i];
    }
    return NULL;
}

/* Fills what the map lacks without optional metadata (MariaDB's default binlog_row_metadata):
 * signedness, so that an unsigned column decodes as such, and ENUM/SET members, so that values
 * come out as their labels as a SELECT shows them. */
static int overlay(cdc_table *t, op_table_map *tm, rt_err *err)
{
    for (size_t i = 0; i < rt_table_column_count(t->table); i++) {
        const op_sql_type *st = &t->types[i];
        size_t col = t->source_positions[i];
        int rc = 0;
        if (op_sql_type_is_integer(st) || st->kind == OP_SQL_DECIMAL || st->kind == OP_SQL_FLOAT ||
            st->kind == OP_SQL_DOUBLE)
            rc = op_table_map_set_unsigned(tm, col, st->is_unsigned, err);
        else if ((st->kind == OP_SQL_ENUM || st->kind == OP_SQL_SET) &&
                 !op_table_map_column(tm, col)->labels)
            rc = op_table_map_set_labels(tm, col, (const char *const *)st->members,
                                         st->member_count, err);
        if (rc != 0)
            return rt_err_prefix(err, rc, "%s column %s", t->qualified,
                                 rt_table_column(t->table, i)->name);
    }
    return 0;
}

/* TABLE_MAP: decides whether rows of this table id are wanted, and prepares their schema. */
static int on_table_map(op_cdc_binlog_reader *r, op_table_map *tm, rt_err *err)
{
    const char *db = op_table_map_schema(tm), *name = op_table_map_table(tm);
    uint64_t id = op_table_map_id(tm);
    long idx = table_find(r, db, name);
    int rc;
    if (idx < 0 && op_mysql_table_filter_match(r->p.filter, db, name)) {
        /* A table created (or renamed into the selection) after the start. */
        if ((rc = schema_read(r, db, name, &idx, err)) != 0)
            return rt_err_prefix(err, rc, "mysql_cdc: new table %s.%s", db, name);
        LOG_INFO("%s: mysql_cdc: reading new table %s.%s", r->tag, db, name);
    }
    if (idx >= 0) {
        cdc_table *t = &r->tables[idx];
        size_t ncols = op_table_map_column_count(tm);
        if (t->stale || ncols != t->source_column_count) {
            if ((rc = schema_read(r, db, name, &idx, err)) != 0)
                return rt_err_prefix(err, rc, "mysql_cdc: re-read schema of %s", t->qualified);
            t = &r->tables[idx];
        }
        if (ncols != t->source_column_count)
            return rt_err_set(err, RT_EUNSUPPORTED,
                              "mysql_cdc: %s: the binlog has rows of %zu columns, the table "
                              "has %zu now: events written before a DDL cannot be decoded "
                              "until schema history is tracked (issue 4, item 6)",
                              t->qualified, ncols, t->source_column_count);
        if ((rc = overlay(t, tm, err)) != 0)
            return rc;
    }
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
    e->table = idx;
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
        /* TIMESTAMP in UTC, as the snapshot's UTC session reads it (connection.h). */
        op_mysql_cell_to_value(cell, op_table_map_column(tm, src), 0, &r->text, &v);
        /* The schema's value type decides where the binlog cannot tell: a TEXT column is a BLOB
         * in the binlog, and without metadata a BINARY column looks like a CHAR one. */
        rt_type want = rt_table_column(t->table, i)->type;
        if ((v.type == RT_TYPE_STRING || v.type == RT_TYPE_BYTES || v.type == RT_TYPE_JSON ||
             v.type == RT_TYPE_DECIMAL) &&
            (want == RT_TYPE_STRING || want == RT_TYPE_BYTES || want == RT_TYPE_JSON ||
             want == RT_TYPE_DECIMAL)) {
            if (rt_batch_set_str(b, &rec->values[i], want, v.s.ptr, v.s.len) != 0)
                return reader_oom(err);
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
    if (!e || e->table < 0 || !ev->rows.table_map)
        return 0; /* not selected: its rows are not even decoded */
    cdc_table *t = &r->tables[e->table];
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

static bool contains(const char *sql, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; n && i + n <= len; i++) {
        if (memcmp(sql + i, needle, n) == 0)
            return true;
    }
    return false;
}

/* True when the statement seems to name table t: "db.name" (quoted or not), or the name alone
 * under t's default database. A cheap test, only to choose the log level. */
static bool sql_mentions(const op_binlog_query *q, const cdc_table *t)
{
    char quoted[300];
    snprintf(quoted, sizeof quoted, "`%s`.`%s`", t->db, t->name);
    if (contains(q->sql, q->sql_len, t->qualified) || contains(q->sql, q->sql_len, quoted))
        return true;
    return q->db_len == strlen(t->db) && memcmp(q->db, t->db, q->db_len) == 0 &&
           contains(q->sql, q->sql_len, t->name);
}

/* A statement: BEGIN opens a transaction, COMMIT / ROLLBACK end one; anything else outside a
 * transaction is a DDL (or a standalone statement) and a boundary of its own. A DDL marks every
 * selected table stale: its schema is read again from information_schema before its next rows.
 * That is the schema of now, right for a stream that keeps up, wrong for older events replayed
 * across the DDL (restore, specific-offset): history-based schema tracking is issue 4 item 6. */
static int on_query(op_cdc_binlog_reader *r, op_ctx *ctx, const op_binlog_query *q, rt_err *err)
{
    if (sql_is(q->sql, q->sql_len, "BEGIN")) {
        r->in_txn = true;
        return 0;
    }
    if (sql_is(q->sql, q->sql_len, "COMMIT") || sql_is(q->sql, q->sql_len, "ROLLBACK"))
        return txn_commit(r, ctx, err);
    bool mentioned = false;
    for (size_t i = 0; i < r->table_count; i++) {
        r->tables[i].stale = true;
        mentioned = mentioned || sql_mentions(q, &r->tables[i]);
    }
    int len = q->sql_len > 200 ? 200 : (int)q->sql_len;
    if (mentioned)
        LOG_WARN("%s: mysql_cdc: DDL on a selected table: %.*s%s; schemas are re-read from "
                 "information_schema before the next rows (no schema history yet)",
                 r->tag, len, q->sql, q->sql_len > 200 ? "..." : "");
    else
        LOG_DEBUG("%s: mysql_cdc: statement: %.*s", r->tag, len, q->sql);
    if (!r->in_txn)
        return txn_commit(r, ctx, err);
    return 0;
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
    for (size_t i = 0; i < r->table_count; i++)
        rt_buf_appendf(&b, " %s=%llu", r->tables[i].qualified,
                       (unsigned long long)r->tables[i].rows);
    LOG_INFO("%s: mysql_cdc: binlog at %s", r->tag, b.data);
    rt_buf_fini(&b);
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
    r->conn = conn;
    r->tag = op_ctx_log_tag(ctx);
    r->catalog = op_ctx_catalog(ctx);
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
    r->decoder = op_binlog_decoder_new();
    r->before = op_mysql_row_new();
    r->after = op_mysql_row_new();
    int rc = r->decoder && r->before && r->after ? 0 : reader_oom(err);
    for (size_t i = 0; rc == 0 && tables && i < op_mysql_table_list_count(tables); i++)
        rc = table_add(r, op_mysql_table_list_get(tables, i), err);
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
    op_mysql_conn_close(r->conn);
    op_mysql_row_free(r->before);
    op_mysql_row_free(r->after);
    rt_buf_fini(&r->text);
    for (size_t i = 0; i < r->table_count; i++)
        table_fini(&r->tables[i]);
    free(r->tables);
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
    if (rc == 0)
        out->txn_rows = r->txn_emitted;
    return rc;
}

void op_cdc_binlog_reader_metrics(const op_cdc_binlog_reader *r, op_cdc_binlog_metrics *out)
{
    out->records = r->records;
    out->transactions = r->transactions;
    out->lag_ms = r->lag_ms;
    out->reconnects = r->reconnects;
}

uint64_t op_cdc_binlog_reader_table_rows(const op_cdc_binlog_reader *r, const char *qualified)
{
    for (size_t i = 0; i < r->table_count; i++) {
        if (strcmp(r->tables[i].qualified, qualified) == 0)
            return r->tables[i].rows;
    }
    return 0;
}

const op_binlog_pos *op_cdc_binlog_reader_position(const op_cdc_binlog_reader *r)
{
    return &r->committed;
}
