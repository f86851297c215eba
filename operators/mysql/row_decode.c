/* Row events and row images (notes/binlog.md 4.1-4.6; MySQL rows_event.h and rpl_record.cc
 * unpack_row for the image layout; MariaDB rows_event_v1v2 and compressed-event pages). */
#include "operators/mysql/row_decode.h"

#include <stdlib.h>
#include <string.h>

#include "operators/mysql/byte_cursor.h"
#include "operators/mysql/mysql_json.h"

/* PARTIAL_UPDATE_ROWS value options (rows_event.h enum_binlog_row_value_options). */
#define VALUE_OPTION_PARTIAL_JSON 1

/* v2 extra-data TLV types (rows_event.h enum_extra_row_info_typecode). */
#define EXTRA_NDB 0
#define EXTRA_PARTITION 1

struct op_mysql_row {
    size_t ncols, cap;
    op_mysql_cell *cells;
    bool *present;
    rt_buf text; /* DECIMAL and JSON text of the cells */
};

const char *op_rows_kind_name(op_rows_kind k)
{
    switch (k) {
    case OP_ROWS_WRITE:
        return "write";
    case OP_ROWS_UPDATE:
        return "update";
    case OP_ROWS_DELETE:
        return "delete";
    }
    return "?";
}

op_mysql_row *op_mysql_row_new(void)
{
    op_mysql_row *r = calloc(1, sizeof *r);
    if (r)
        rt_buf_init(&r->text);
    return r;
}

void op_mysql_row_free(op_mysql_row *r)
{
    if (!r)
        return;
    free(r->cells);
    free(r->present);
    rt_buf_fini(&r->text);
    free(r);
}

size_t op_mysql_row_column_count(const op_mysql_row *r)
{
    return r->ncols;
}

const op_mysql_cell *op_mysql_row_cell(const op_mysql_row *r, size_t i)
{
    return i < r->ncols && r->present[i] ? &r->cells[i] : NULL;
}

static int row_reserve(op_mysql_row *r, size_t ncols, rt_err *err)
{
    if (ncols > r->cap) {
        op_mysql_cell *cells = realloc(r->cells, ncols * sizeof *cells);
        if (!cells)
            return rt_err_set(err, RT_ENOMEM, "row image: out of memory");
        r->cells = cells;
        bool *present = realloc(r->present, ncols * sizeof *present);
        if (!present)
            return rt_err_set(err, RT_ENOMEM, "row image: out of memory");
        r->present = present;
        r->cap = ncols;
    }
    r->ncols = ncols;
    memset(r->present, 0, ncols * sizeof *r->present);
    rt_buf_reset(&r->text);
    return 0;
}

static size_t popcount(const uint8_t *map, size_t nbits)
{
    size_t n = 0;
    for (size_t i = 0; i < nbits; i++)
        n += op_bit_lsb(map, i);
    return n;
}

int op_mysql_row_decode(op_mysql_row *row, const op_table_map *tm, size_t ncols,
                        const uint8_t *present, bool partial_after, const uint8_t *p, size_t len,
                        size_t *consumed, rt_err *err)
{
    if (ncols > op_table_map_column_count(tm))
        return rt_err_set(err, RT_ECORRUPT, "row image of %zu columns for table %s.%s of %zu",
                          ncols, op_table_map_schema(tm), op_table_map_table(tm),
                          op_table_map_column_count(tm));
    int rc = row_reserve(row, ncols, err);
    if (rc)
        return rc;
    op_cursor c = op_cursor_make(p, len);
    const uint8_t *partial_bits = NULL;
    if (partial_after) {
        /* rpl_record.cc: the after image of a PARTIAL_UPDATE_ROWS_EVENT starts with the value
         * options and, with PARTIAL_JSON set, one bit per JSON column of the table: set = that
         * column holds a diff vector instead of the document. */
        uint64_t options;
        if (!op_cursor_lenenc(&c, &options))
            return op_cursor_truncated(err, "row image: value options");
        if (options & VALUE_OPTION_PARTIAL_JSON) {
            size_t njson = 0;
            for (size_t i = 0; i < op_table_map_column_count(tm); i++)
                njson += op_table_map_column(tm, i)->type == OP_MYSQL_TYPE_JSON;
            if (!op_cursor_bytes(&c, (njson + 7) / 8, &partial_bits))
                return op_cursor_truncated(err, "row image: partial JSON bitmap");
        }
    }
    size_t npresent = popcount(present, ncols);
    const uint8_t *nulls;
    if (!op_cursor_bytes(&c, (npresent + 7) / 8, &nulls))
        return op_cursor_truncated(err, "row image: null bitmap");
    for (size_t i = 0, k = 0, json_i = 0; i < ncols; i++) {
        const op_mysql_column *col = op_table_map_column(tm, i);
        bool is_json = col->type == OP_MYSQL_TYPE_JSON;
        size_t this_json = json_i;
        json_i += is_json;
        if (!op_bit_lsb(present, i))
            continue;
        op_mysql_cell *cell = &row->cells[i];
        row->present[i] = true;
        if (op_bit_lsb(nulls, k++)) {
            memset(cell, 0, sizeof *cell);
            cell->type = col->real_type;
            cell->is_null = true;
            cell->value.type = RT_TYPE_NULL;
            continue;
        }
        size_t used;
        if (is_json && partial_bits && op_bit_lsb(partial_bits, this_json)) {
            memset(cell, 0, sizeof *cell);
            size_t off = row->text.len;
            rc = op_mysql_json_diff_to_text(c.p, c.left, &row->text, &used, err);
            cell->type = col->real_type;
            cell->json_diff = true;
            cell->raw = c.p + 4;
            cell->raw_len = (uint32_t)(used >= 4 ? used - 4 : 0);
            cell->value.type = RT_TYPE_JSON;
            cell->text_off = (uint32_t)off;
            cell->value.s.len = (uint32_t)(row->text.len - off);
        } else {
            rc = op_mysql_value_decode(col, c.p, c.left, cell, &used, &row->text, err);
        }
        if (rc) {
            const char *name = col->name;
            return rt_err_prefix(err, rc, "%s.%s column %zu%s%s%s", op_table_map_schema(tm),
                                 op_table_map_table(tm), i + 1, name ? " (" : "", name ? name : "",
                                 name ? ")" : "");
        }
        op_cursor_skip(&c, used);
    }
    /* Text was appended cell by cell and the buffer may have moved: point the cells at it now. */
    for (size_t i = 0; i < ncols; i++) {
        op_mysql_cell *cell = &row->cells[i];
        if (row->present[i] && !cell->is_null &&
            (cell->value.type == RT_TYPE_DECIMAL || cell->value.type == RT_TYPE_JSON))
            cell->value.s.ptr = row->text.data + cell->text_off;
    }
    *consumed = len - c.left;
    return 0;
}

/* v2 extra data (rows_event.h Rows_event::Extra_row_info): TLVs, NDB info (length byte counting
 * itself and the format byte, then data) and partition info (u16, plus the source partition for
 * updates). An unknown TLV cannot be skipped: the rest is left unparsed, as the server does. */
static int extra_data(op_rows_event *ev, rt_err *err)
{
    op_cursor c = op_cursor_make(ev->extra, ev->extra_len);
    while (c.left > 0) {
        uint8_t tag, n;
        uint64_t v;
        if (!op_cursor_u8(&c, &tag))
            break;
        if (tag == EXTRA_NDB) {
            if (!op_cursor_u8(&c, &n) || n < 2 || !op_cursor_u8(&c, &ev->ndb_format) ||
                !op_cursor_bytes(&c, (size_t)n - 2, &ev->ndb_data))
                return op_cursor_truncated(err, "rows event: NDB extra data");
            ev->has_ndb_info = true;
            ev->ndb_data_len = (size_t)n - 2;
        } else if (tag == EXTRA_PARTITION) {
            if (!op_cursor_le(&c, 2, &v))
                return op_cursor_truncated(err, "rows event: partition info");
            ev->partition_id = (int32_t)v;
            if (ev->kind == OP_ROWS_UPDATE) {
                if (!op_cursor_le(&c, 2, &v))
                    return op_cursor_truncated(err, "rows event: source partition");
                ev->source_partition_id = (int32_t)v;
            }
        } else {
            break;
        }
    }
    return 0;
}

static bool classify(unsigned type, op_rows_event *ev)
{
    switch (type) {
    case OP_BINLOG_WRITE_ROWS_EVENT_V1:
    case OP_BINLOG_WRITE_ROWS_COMPRESSED_EVENT_V1:
        ev->kind = OP_ROWS_WRITE, ev->version = 1;
        return true;
    case OP_BINLOG_UPDATE_ROWS_EVENT_V1:
    case OP_BINLOG_UPDATE_ROWS_COMPRESSED_EVENT_V1:
        ev->kind = OP_ROWS_UPDATE, ev->version = 1;
        return true;
    case OP_BINLOG_DELETE_ROWS_EVENT_V1:
    case OP_BINLOG_DELETE_ROWS_COMPRESSED_EVENT_V1:
        ev->kind = OP_ROWS_DELETE, ev->version = 1;
        return true;
    case OP_BINLOG_WRITE_ROWS_EVENT:
    case OP_BINLOG_WRITE_ROWS_COMPRESSED_EVENT:
        ev->kind = OP_ROWS_WRITE, ev->version = 2;
        return true;
    case OP_BINLOG_UPDATE_ROWS_EVENT:
    case OP_BINLOG_UPDATE_ROWS_COMPRESSED_EVENT:
        ev->kind = OP_ROWS_UPDATE, ev->version = 2;
        return true;
    case OP_BINLOG_PARTIAL_UPDATE_ROWS_EVENT:
        ev->kind = OP_ROWS_UPDATE, ev->version = 2, ev->partial_json = true;
        return true;
    case OP_BINLOG_DELETE_ROWS_EVENT:
    case OP_BINLOG_DELETE_ROWS_COMPRESSED_EVENT:
        ev->kind = OP_ROWS_DELETE, ev->version = 2;
        return true;
    }
    return false;
}

int op_rows_event_parse(const uint8_t *body, size_t len, unsigned type, const op_binlog_format *f,
                        rt_buf *inflated, op_rows_event *out, rt_err *err)
{
    const char *what = op_binlog_type_name(type);
    op_rows_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = (uint8_t)type;
    ev.partition_id = ev.source_partition_id = -1;
    if (type >= OP_BINLOG_PRE_GA_WRITE_ROWS_EVENT && type <= OP_BINLOG_PRE_GA_DELETE_ROWS_EVENT)
        return rt_err_set(err, RT_EUNSUPPORTED,
                          "%s (%u): the row format of MySQL 5.1.0-5.1.15 betas is not supported",
                          what, type);
    if (!classify(type, &ev))
        return rt_err_set(err, RT_EINVAL, "event type %u is not a row event", type);
    bool compressed = type >= OP_BINLOG_WRITE_ROWS_COMPRESSED_EVENT_V1;
    /* Post-header: table id (6 bytes, 4 before 5.1.4 when the post-header is 6), flags u16, and
     * for v2 the extra-data length that counts its own two bytes. */
    unsigned ph = op_binlog_format_post_header_len(f, type);
    unsigned want = ev.version == 2 ? 10 : 8;
    if (ph != want && !(ev.version == 1 && ph == 6))
        return rt_err_set(err, RT_EUNSUPPORTED, "%s: post-header of %u bytes (expected %u)", what,
                          ph, want);
    op_cursor c = op_cursor_make(body, len);
    uint64_t v;
    if (!op_cursor_le(&c, ph == 6 ? 4 : 6, &ev.table_id) || !op_cursor_le(&c, 2, &v))
        return op_cursor_truncated(err, what);
    ev.flags = (uint16_t)v;
    if (ev.version == 2) {
        if (!op_cursor_le(&c, 2, &v) || v < 2 || !op_cursor_bytes(&c, (size_t)v - 2, &ev.extra))
            return rt_err_set(err, RT_ECORRUPT, "%s: bad extra-data length", what);
        ev.extra_len = (size_t)v - 2;
        int rc = extra_data(&ev, err);
        if (rc)
            return rt_err_prefix(err, rc, "%s", what);
    }
    uint64_t ncols;
    if (!op_cursor_lenenc(&c, &ncols) || ncols == 0 || ncols > (uint64_t)c.left * 8)
        return rt_err_set(err, RT_ECORRUPT, "%s: bad column count", what);
    ev.column_count = (size_t)ncols;
    size_t map_len = (ev.column_count + 7) / 8;
    const uint8_t *first, *second = NULL;
    if (!op_cursor_bytes(&c, map_len, &first) ||
        (ev.kind == OP_ROWS_UPDATE && !op_cursor_bytes(&c, map_len, &second)))
        return op_cursor_truncated(err, "rows event: columns-present bitmaps");
    ev.cols_before = ev.kind == OP_ROWS_WRITE ? NULL : first;
    ev.cols_after = ev.kind == OP_ROWS_WRITE ? first : second;
    if (compressed) {
        if (!inflated)
            return rt_err_set(err, RT_EINVAL, "%s: no buffer to inflate the rows into", what);
        int rc = op_binlog_mariadb_uncompress(c.p, c.left, inflated, err);
        if (rc)
            return rt_err_prefix(err, rc, "%s", what);
        ev.rows = (const uint8_t *)inflated->data;
        ev.rows_len = inflated->len;
    } else {
        ev.rows = c.p;
        ev.rows_len = c.left;
    }
    *out = ev;
    return 0;
}

int op_rows_event_next(op_rows_event *ev, const op_table_map *tm, op_mysql_row *before,
                       op_mysql_row *after, bool *has_row, rt_err *err)
{
    if (ev->rows_pos >= ev->rows_len) {
        *has_row = false;
        return 0;
    }
    const uint8_t *p = ev->rows + ev->rows_pos;
    size_t left = ev->rows_len - ev->rows_pos, used = 0, total = 0;
    int rc = 0;
    if (ev->kind != OP_ROWS_WRITE) {
        rc = op_mysql_row_decode(before, tm, ev->column_count, ev->cols_before, false, p, left,
                                 &used, err);
        total = used;
    }
    if (rc == 0 && ev->kind != OP_ROWS_DELETE) {
        rc = op_mysql_row_decode(after, tm, ev->column_count, ev->cols_after, ev->partial_json,
                                 p + total, left - total, &used, err);
        total += used;
    }
    if (rc)
        return rt_err_prefix(err, rc, "%s at row byte %zu", op_binlog_type_name(ev->type),
                             ev->rows_pos);
    if (total == 0) /* an image of no columns cannot advance: the rows would never end */
        return rt_err_set(err, RT_ECORRUPT, "%s: empty row image", op_binlog_type_name(ev->type));
    ev->rows_pos += total;
    *has_row = true;
    return 0;
}
