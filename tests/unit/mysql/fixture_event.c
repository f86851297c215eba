/* Decoded events in the fixtures' vocabulary: row events with their rows, payloads with their
 * inner events, and every control event (tests/fixtures/binlog/README.md). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "operators/mysql/gtid.h"
#include "tests/unit/mysql/fixture_canon.h"

/* SQL-ish names the fixtures' prose uses for a few types. */
static const char *sql_type_name(unsigned type)
{
    switch (type) {
    case OP_MYSQL_TYPE_LONG:
        return "INT";
    case OP_MYSQL_TYPE_TINY:
        return "TINYINT";
    default:
        return op_mysql_type_name(type);
    }
}

static void set_first_raw(json_t *o, const op_mysql_row *r, const op_table_map *tm)
{
    for (size_t i = 0; i < op_mysql_row_column_count(r); i++) {
        const op_mysql_cell *c = op_mysql_row_cell(r, i);
        if (!c)
            continue;
        if (c->type == OP_MYSQL_TYPE_TIME2 || c->type == OP_MYSQL_TYPE_TIME)
            json_object_set_new(o, "time_value_row_bytes_hex", canon_hex(c->raw, c->raw_len));
        if (op_table_map_column(tm, i)->type == OP_MYSQL_TYPE_JSON && !c->is_null)
            json_object_set_new(o, "json_binary_value_hex", canon_hex(c->raw, c->raw_len));
        return;
    }
}

static json_t *canon_rows(op_binlog_event *ev, rt_err *err)
{
    op_rows_event *re = &ev->rows.ev;
    const op_table_map *tm = ev->rows.table_map;
    json_t *o = json_object();
    json_object_set_new(o, "table_id", canon_u64(re->table_id));
    json_object_set_new(o, "flags", json_integer(re->flags));
    if (re->version == 2)
        json_object_set_new(o, "extra_data_length", json_integer((json_int_t)re->extra_len + 2));
    json_object_set_new(o, "extra_data",
                        re->extra_len ? canon_hex(re->extra, re->extra_len) : json_string("none"));
    /* go-mysql reports absent partition ids as 0: the fixtures that assert them do too. */
    json_object_set_new(o, "partition_id",
                        json_integer(re->partition_id < 0 ? 0 : re->partition_id));
    json_object_set_new(o, "source_partition_id",
                        json_integer(re->source_partition_id < 0 ? 0 : re->source_partition_id));
    if (re->has_ndb_info) {
        json_object_set_new(o, "ndb_format", json_integer(re->ndb_format));
        json_object_set_new(o, "ndb_data_hex", canon_hex(re->ndb_data, re->ndb_data_len));
    }
    json_object_set_new(o, "column_count", json_integer((json_int_t)re->column_count));
    const uint8_t *present = re->cols_after ? re->cols_after : re->cols_before;
    json_t *bits = json_array();
    for (size_t i = 0; i < re->column_count; i++)
        json_array_append_new(bits, json_integer((present[i / 8] >> (i % 8)) & 1));
    json_object_set_new(o, "columns_present", bits);
    json_object_set_new(o, "columns_present_bitmap_hex",
                        canon_hex(present, (re->column_count + 7) / 8));
    if (!tm) /* MySQL's dummy end-of-statement event */
        return o;
    json_t *rows = json_array();
    op_mysql_row *before = op_mysql_row_new(), *after = op_mysql_row_new();
    for (;;) {
        bool has;
        if (op_rows_event_next(re, tm, before, after, &has, err)) {
            json_decref(o);
            json_decref(rows);
            o = rows = NULL;
            break;
        }
        if (!has)
            break;
        json_t *row = json_object();
        if (re->kind != OP_ROWS_WRITE)
            json_object_set_new(row, "before", canon_row(before, tm));
        if (re->kind != OP_ROWS_DELETE)
            json_object_set_new(row, "after", canon_row(after, tm));
        if (json_array_size(rows) == 0)
            set_first_raw(o, re->kind == OP_ROWS_DELETE ? before : after, tm);
        json_array_append_new(rows, row);
    }
    op_mysql_row_free(before);
    op_mysql_row_free(after);
    if (!o)
        return NULL;
    json_object_set_new(o, "row_count", json_integer((json_int_t)json_array_size(rows)));
    json_object_set_new(o, "rows", rows);
    json_t *dims = json_array();
    for (size_t i = 0; i < op_table_map_column_count(tm); i++) {
        const op_mysql_column *c = op_table_map_column(tm, i);
        if (c->real_type == OP_MYSQL_TYPE_ENUM && !json_object_get(o, "enum_pack_length"))
            json_object_set_new(o, "enum_pack_length", json_integer(c->length_bytes));
        if (c->type == OP_MYSQL_TYPE_VECTOR)
            json_array_append_new(dims, json_integer(c->vector_dim));
    }
    json_object_set_new(o, "table_map_vector_dimensionality", dims);
    return o;
}

static json_t *canon_gtid_set(const op_mysql_gtid_set *s)
{
    rt_buf b;
    rt_buf_init(&b);
    op_mysql_gtid_set_format(s, &b);
    json_t *entries = json_array();
    size_t n = op_mysql_gtid_set_sid_count(s);
    for (size_t i = 0; i < n; i++) {
        uint8_t uuid[16];
        const char *tag;
        size_t niv;
        op_mysql_gtid_set_sid(s, i, uuid, &tag, &niv);
        char u[OP_UUID_TEXT_SIZE];
        op_uuid_format(uuid, u);
        json_t *iv = json_array();
        for (size_t k = 0; k < niv; k++) {
            int64_t a, e;
            op_mysql_gtid_set_interval(s, i, k, &a, &e);
            json_array_append_new(iv, json_pack("[o,o]", canon_i64(a), canon_i64(e)));
        }
        json_array_append_new(entries,
                              json_pack("{s:s,s:o,s:o}", "uuid", u, "tag",
                                        tag[0] ? json_string(tag) : json_null(), "intervals", iv));
    }
    json_t *o = json_pack("{s:s%,s:I,s:o}", "gtid_set", b.data ? b.data : "", b.len, "n_sids",
                          (json_int_t)n, "entries", entries);
    rt_buf_fini(&b);
    return o;
}

static json_t *canon_payload(op_binlog_event *ev, op_binlog_decoder *d, rt_err *err)
{
    static const char *const field_names[] = {"end mark", "PAYLOAD_SIZE", "COMPRESSION_TYPE",
                                              "UNCOMPRESSED_SIZE"};
    const op_binlog_payload *pl = &ev->payload;
    json_t *fields = json_array();
    for (unsigned i = 0; i < pl->nfields; i++) {
        unsigned t = pl->fields[i];
        json_t *f =
            json_pack("{s:I,s:s}", "type", (json_int_t)t, "name", t < 4 ? field_names[t] : "?");
        uint64_t v = t == 1 ? pl->payload_size : t == 2 ? pl->compression : pl->uncompressed_size;
        if (t >= 1 && t <= 3)
            json_object_set_new(f, "value", canon_u64(v));
        json_array_append_new(fields, f);
    }
    json_t *types = json_array(), *detail = json_object();
    bool any_crc = false;
    json_t *log_pos = NULL;
    for (;;) {
        bool has;
        op_binlog_event in;
        if (op_binlog_decoder_next_inner(d, &in, &has, err)) {
            json_decref(fields);
            json_decref(types);
            json_decref(detail);
            json_decref(log_pos);
            return NULL;
        }
        if (!has)
            break;
        json_array_append_new(types, json_string(canon_type_name(in.header.type)));
        any_crc |= op_binlog_checksum_ok(in.body - OP_BINLOG_HEADER_SIZE, in.header.event_size);
        if (!log_pos)
            log_pos = json_integer(in.header.log_pos);
        else if (json_integer_value(log_pos) != in.header.log_pos)
            json_integer_set(log_pos, -1); /* not one common value */
        char tmp[512];
        unsigned t = in.header.type;
        if (t == OP_BINLOG_QUERY_EVENT) {
            snprintf(tmp, sizeof tmp, "%.*s (db %.*s)", (int)in.query.sql_len, in.query.sql,
                     (int)in.query.db_len, in.query.db);
            json_object_set_new(detail, "query", json_string(tmp));
        } else if (t == OP_BINLOG_TABLE_MAP_EVENT) {
            const op_table_map *tm = in.table_map;
            size_t n = op_table_map_column_count(tm);
            int k = snprintf(tmp, sizeof tmp, "%s.%s, %zu column%s", op_table_map_schema(tm),
                             op_table_map_table(tm), n, n == 1 ? "" : "s");
            for (size_t i = 0; i < n && k < (int)sizeof tmp; i++)
                k += snprintf(tmp + k, sizeof tmp - (size_t)k, " %s",
                              sql_type_name(op_table_map_column(tm, i)->type));
            json_object_set_new(detail, "table_map", json_string(tmp));
        } else if (t == OP_BINLOG_XID_EVENT) {
            json_object_set_new(detail, "xid", canon_u64(in.xid));
        } else if (op_binlog_type_is_rows(t)) {
            json_t *r = canon_rows(&in, err);
            if (!r) {
                json_decref(fields);
                json_decref(types);
                json_decref(detail);
                json_decref(log_pos);
                return NULL;
            }
            size_t nrows = json_array_size(json_object_get(r, "rows"));
            int k = snprintf(tmp, sizeof tmp, "%s", nrows == 1 ? "one row" : "rows");
            json_t *first = json_object_get(json_array_get(json_object_get(r, "rows"), 0), "after");
            const op_table_map *tm = in.rows.table_map;
            for (size_t i = 0; first && i < op_table_map_column_count(tm); i++) {
                char key[24];
                snprintf(key, sizeof key, "@%zu", i + 1);
                json_t *v = json_object_get(first, key);
                if (json_is_integer(v))
                    k += snprintf(tmp + k, sizeof tmp - (size_t)k, ", %s %lld",
                                  sql_type_name(op_table_map_column(tm, i)->type),
                                  (long long)json_integer_value(v));
            }
            json_object_set_new(detail, "write_rows", json_string(tmp));
            json_decref(r);
        }
    }
    return json_pack("{s:o,s:o,s:b,s:o,s:o}", "payload_header_fields", fields, "inner_event_types",
                     types, "inner_events_have_checksum", any_crc, "inner_events_log_pos",
                     log_pos ? log_pos : json_null(), "inner_detail", detail);
}

/* Copies every key of src into dst (dst wins on a clash) and drops src. */
static void merge(json_t *dst, json_t *src)
{
    const char *k;
    json_t *v;
    json_object_foreach(src, k, v)
    {
        if (!json_object_get(dst, k))
            json_object_set(dst, k, v);
    }
    json_decref(src);
}

json_t *canon_event(op_binlog_event *ev, op_binlog_decoder *d, rt_err *err)
{
    json_t *o = json_object();
    const op_binlog_header *h = &ev->header;
    json_object_set_new(o, "event_type", json_integer(h->type));
    json_object_set_new(o, "event_size", json_integer(h->event_size));
    json_object_set_new(o, "header_flags", json_integer(h->flags));
    json_object_set_new(o, "log_pos", json_integer(h->log_pos));
    json_object_set_new(o, "skipped", json_boolean(ev->skipped));
    if (ev->skipped)
        return o;
    json_t *x = NULL;
    char tmp[128];
    rt_buf b;
    switch (h->type) {
    case OP_BINLOG_FORMAT_DESCRIPTION_EVENT:
        x = json_pack("{s:I,s:s,s:I,s:I}", "binlog_version", (json_int_t)ev->format->binlog_version,
                      "server_version", ev->format->server_version, "header_len",
                      (json_int_t)ev->format->header_len, "checksum_alg",
                      (json_int_t)ev->format->checksum_alg);
        break;
    case OP_BINLOG_ROTATE_EVENT:
        x = json_pack("{s:o,s:s%}", "position", canon_u64(ev->rotate.position), "next_file",
                      ev->rotate.name, ev->rotate.name_len);
        break;
    case OP_BINLOG_QUERY_EVENT:
    case OP_BINLOG_QUERY_COMPRESSED_EVENT:
        x = json_pack("{s:s%,s:s%,s:I,s:I}", "sql", ev->query.sql, ev->query.sql_len, "db",
                      ev->query.db, ev->query.db_len, "thread_id", (json_int_t)ev->query.thread_id,
                      "error_code", (json_int_t)ev->query.error_code);
        break;
    case OP_BINLOG_XID_EVENT:
        x = json_pack("{s:o}", "xid", canon_u64(ev->xid));
        break;
    case OP_BINLOG_GTID_LOG_EVENT:
    case OP_BINLOG_ANONYMOUS_GTID_LOG_EVENT:
    case OP_BINLOG_GTID_TAGGED_LOG_EVENT: {
        const op_mysql_gtid_event *g = &ev->gtid;
        rt_buf_init(&b);
        op_mysql_gtid_event_format(g, &b);
        op_uuid_format(g->uuid, tmp);
        x = json_pack("{s:s%,s:s,s:o,s:o,s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:I,s:I}", "gtid",
                      b.data ? b.data : "", b.len, "sid", tmp, "tag",
                      g->tag[0] ? json_string(g->tag) : json_null(), "gno", canon_i64(g->gno),
                      "commit_flag", (json_int_t)(g->flags & 1), "logical_timestamp_typecode",
                      (json_int_t)g->lt_type, "last_committed", canon_i64(g->last_committed),
                      "sequence_number", canon_i64(g->sequence_number),
                      "immediate_commit_timestamp", canon_u64(g->immediate_commit_ts),
                      "original_commit_timestamp", canon_u64(g->original_commit_ts),
                      "transaction_length", canon_u64(g->transaction_length),
                      "immediate_server_version", (json_int_t)g->immediate_server_version,
                      "original_server_version", (json_int_t)g->original_server_version);
        rt_buf_fini(&b);
        break;
    }
    case OP_BINLOG_PREVIOUS_GTIDS_LOG_EVENT:
        x = canon_gtid_set(ev->previous_gtids);
        break;
    case OP_BINLOG_MARIADB_GTID_EVENT: {
        const op_mariadb_gtid_event *g = &ev->mariadb_gtid;
        rt_buf_init(&b);
        op_mariadb_gtid_format(&g->gtid, &b);
        x = json_pack("{s:o,s:I,s:I,s:o,s:s%,s:s%}", "sequence_number", canon_u64(g->gtid.seq_no),
                      "domain_id", (json_int_t)g->gtid.domain_id, "flags", (json_int_t)g->flags2,
                      "commit_id", canon_u64(g->commit_id), "gtid", b.data, b.len,
                      "gtid_as_domain-server-seq_with_server_id_0", b.data, b.len);
        rt_buf_fini(&b);
        break;
    }
    case OP_BINLOG_GTID_LIST_EVENT: {
        json_t *list = json_array();
        for (size_t i = 0; i < ev->gtid_list.count; i++) {
            op_mariadb_gtid g = op_mariadb_gtid_list_event_get(&ev->gtid_list, i);
            rt_buf_init(&b);
            op_mariadb_gtid_format(&g, &b);
            json_array_append_new(list, json_stringn(b.data, b.len));
            rt_buf_fini(&b);
        }
        x = json_pack("{s:O,s:o}", "value", list, "gtids", list);
        break;
    }
    case OP_BINLOG_HEARTBEAT_LOG_EVENT:
    case OP_BINLOG_HEARTBEAT_LOG_EVENT_V2:
        x = json_pack("{s:s%,s:o}", "log_filename", ev->heartbeat.log_name,
                      ev->heartbeat.log_name_len, "log_position", canon_u64(ev->heartbeat.log_pos));
        break;
    case OP_BINLOG_INCIDENT_EVENT:
        x = json_pack("{s:I,s:s%}", "incident_code", (json_int_t)ev->incident.code, "message",
                      ev->incident.message, ev->incident.message_len);
        break;
    case OP_BINLOG_ROWS_QUERY_LOG_EVENT:
    case OP_BINLOG_ANNOTATE_ROWS_EVENT:
        x = json_pack("{s:s%}", "statement", ev->rows_query.text, ev->rows_query.len);
        break;
    case OP_BINLOG_BINLOG_CHECKPOINT_EVENT:
        x = json_pack("{s:s%}", "file", ev->checkpoint.name, ev->checkpoint.len);
        break;
    case OP_BINLOG_TABLE_MAP_EVENT:
        x = canon_table_map(ev->table_map, op_binlog_decoder_format(d)->is_mariadb);
        break;
    case OP_BINLOG_TRANSACTION_PAYLOAD_EVENT:
        x = canon_payload(ev, d, err);
        break;
    default:
        if (op_binlog_type_is_rows(h->type))
            x = canon_rows(ev, err);
        else
            x = json_object();
    }
    if (!x) {
        json_decref(o);
        return NULL;
    }
    merge(o, x);
    return o;
}
