/* Binlog files -> changelog JSON lines: the offline decoder behind `sluice binlog` (issue 4,
 * item 7). Positions and GTIDs follow notes/binlog.md 2.2, 2.5, 2.6. */
#include "operators/mysql/binlog_print.h"

#include <string.h>

#include "operators/mysql/binlog_decode.h"
#include "operators/mysql/binlog_file.h"
#include "runtime/value.h"

typedef struct printer {
    FILE *out;
    const char *file; /* base name of the file being read */
    uint64_t offset;  /* of the event being decoded */
    rt_buf gtid;      /* GTID of the current transaction; empty when none */
    rt_buf line;
    rt_buf text; /* SET labels */
    op_mysql_row *before, *after;
} printer;

/* The value as SELECT shows it where the binlog stores less (value_conform.h does the same from
 * the schema for the mysql_cdc source): a CHAR column of the binary charset (BINARY(n), known
 * from the TABLE_MAP's metadata) padded back with 0x00 to its n bytes, and GEOMETRY as WKB,
 * without MySQL's 4-byte SRID prefix. Padded bytes go to p->text. */
static void conform(printer *p, const op_mysql_column *col, rt_value *v)
{
    if (v->type != RT_TYPE_BYTES)
        return;
    if (col->real_type == OP_MYSQL_TYPE_GEOMETRY && v->s.len >= 4) {
        v->s.ptr += 4;
        v->s.len -= 4;
    } else if (col->real_type == OP_MYSQL_TYPE_STRING && col->collation == 63 &&
               v->s.len < col->max_length) {
        size_t at = p->text.len;
        if (v->s.len)
            rt_buf_append(&p->text, v->s.ptr, v->s.len);
        for (uint32_t i = v->s.len; i < col->max_length; i++)
            rt_buf_append_char(&p->text, '\0');
        v->s.ptr = p->text.data + at;
        v->s.len = col->max_length;
    }
}

static void put_row(printer *p, const char *op, const op_table_map *tm, const op_mysql_row *row)
{
    rt_buf *l = &p->line;
    rt_buf_append_str(l, "{\"op\":\"");
    rt_buf_append_str(l, op);
    rt_buf_append_str(l, "\",\"table\":");
    char table[2 * 256 + 2];
    int n = snprintf(table, sizeof table, "%s.%s", op_table_map_schema(tm), op_table_map_table(tm));
    rt_buf_append_json_str(l, table, (size_t)n < sizeof table ? (size_t)n : sizeof table - 1);
    rt_buf_append_str(l, ",\"data\":{");
    bool first = true;
    rt_buf_reset(&p->text);
    for (size_t i = 0; i < op_mysql_row_column_count(row); i++) {
        const op_mysql_cell *c = op_mysql_row_cell(row, i);
        if (!c)
            continue;
        const op_mysql_column *col = op_table_map_column(tm, i);
        if (!first)
            rt_buf_append_char(l, ',');
        first = false;
        if (col->name) {
            rt_buf_append_json_str(l, col->name, strlen(col->name));
        } else {
            char at[24];
            int k = snprintf(at, sizeof at, "@%zu", i + 1);
            rt_buf_append_json_str(l, at, (size_t)k);
        }
        rt_buf_append_char(l, ':');
        rt_value v;
        op_mysql_cell_to_value(c, col, 0, &p->text, &v);
        conform(p, col, &v);
        rt_value_format_json(&v, l);
    }
    rt_buf_appendf(l, "},\"pos\":");
    char pos[600];
    n = snprintf(pos, sizeof pos, "%s:%llu", p->file, (unsigned long long)p->offset);
    rt_buf_append_json_str(l, pos, (size_t)n < sizeof pos ? (size_t)n : sizeof pos - 1);
    if (p->gtid.len) {
        rt_buf_append_str(l, ",\"gtid\":");
        rt_buf_append_json_str(l, p->gtid.data, p->gtid.len);
    }
    rt_buf_append_str(l, "}\n");
}

static int print_rows(printer *p, op_binlog_event *ev, rt_err *err)
{
    op_rows_event *re = &ev->rows.ev;
    const op_table_map *tm = ev->rows.table_map;
    for (;;) {
        bool has;
        int rc = op_rows_event_next(re, tm, p->before, p->after, &has, err);
        if (rc || !has)
            return rc;
        switch (re->kind) {
        case OP_ROWS_WRITE:
            put_row(p, "+I", tm, p->after);
            break;
        case OP_ROWS_UPDATE:
            put_row(p, "-U", tm, p->before);
            put_row(p, "+U", tm, p->after);
            break;
        case OP_ROWS_DELETE:
            put_row(p, "-D", tm, p->before);
            break;
        }
    }
}

/* Keeps p->gtid on the transaction the rows belong to. */
static void track_gtid(printer *p, const op_binlog_event *ev)
{
    switch (ev->header.type) {
    case OP_BINLOG_GTID_LOG_EVENT:
    case OP_BINLOG_GTID_TAGGED_LOG_EVENT:
    case OP_BINLOG_ANONYMOUS_GTID_LOG_EVENT:
        rt_buf_reset(&p->gtid);
        op_mysql_gtid_event_format(&ev->gtid, &p->gtid);
        break;
    case OP_BINLOG_MARIADB_GTID_EVENT:
        rt_buf_reset(&p->gtid);
        op_mariadb_gtid_format(&ev->mariadb_gtid.gtid, &p->gtid);
        break;
    case OP_BINLOG_FORMAT_DESCRIPTION_EVENT:
        rt_buf_reset(&p->gtid);
        break;
    }
}

/* An event ends its transaction: XID, or a QUERY other than BEGIN (COMMIT, or a DDL). */
static bool ends_transaction(const op_binlog_event *ev)
{
    if (ev->header.type == OP_BINLOG_XID_EVENT)
        return true;
    if (ev->header.type != OP_BINLOG_QUERY_EVENT &&
        ev->header.type != OP_BINLOG_QUERY_COMPRESSED_EVENT)
        return false;
    return !(ev->query.sql_len == 5 && strncmp(ev->query.sql, "BEGIN", 5) == 0);
}

static int handle(printer *p, op_binlog_event *ev, rt_err *err)
{
    if (ev->skipped)
        return 0;
    track_gtid(p, ev);
    if (op_binlog_type_is_rows(ev->header.type))
        return print_rows(p, ev, err);
    if (ends_transaction(ev))
        rt_buf_reset(&p->gtid);
    return 0;
}

static int flush_line(printer *p, rt_err *err)
{
    if (p->line.len && fwrite(p->line.data, 1, p->line.len, p->out) != p->line.len)
        return rt_err_set(err, RT_EIO, "writing the changelog lines failed");
    rt_buf_reset(&p->line);
    return 0;
}

static int print_file(printer *p, const char *path, rt_err *err)
{
    op_binlog_file *f;
    int rc = op_binlog_file_open(path, &f, err);
    if (rc)
        return rc;
    op_binlog_decoder *d = op_binlog_decoder_new();
    if (!d) {
        op_binlog_file_close(f);
        return rt_err_set(err, RT_ENOMEM, "%s: out of memory", path);
    }
    const char *slash = strrchr(path, '/');
    p->file = slash ? slash + 1 : path;
    rt_buf_reset(&p->gtid);
    for (;;) {
        const uint8_t *event;
        size_t len;
        bool eof;
        if ((rc = op_binlog_file_next(f, &event, &len, &p->offset, &eof, err)) != 0 || eof)
            break;
        op_binlog_event ev;
        rc = op_binlog_decoder_decode(d, event, len, &ev, err);
        if (rc == 0)
            rc = handle(p, &ev, err);
        while (rc == 0 && ev.header.type == OP_BINLOG_TRANSACTION_PAYLOAD_EVENT) {
            bool has;
            op_binlog_event inner;
            rc = op_binlog_decoder_next_inner(d, &inner, &has, err);
            if (rc || !has)
                break;
            rc = handle(p, &inner, err);
        }
        if (rc) {
            rt_err_prefix(err, rc, "%s:%llu", p->file, (unsigned long long)p->offset);
            break;
        }
        if ((rc = flush_line(p, err)) != 0)
            break;
    }
    int frc = flush_line(p, err);
    op_binlog_decoder_free(d);
    op_binlog_file_close(f);
    return rc ? rc : frc;
}

int op_binlog_print_files(char **paths, size_t n, FILE *out, rt_err *err)
{
    printer p = {.out = out};
    rt_buf_init(&p.gtid);
    rt_buf_init(&p.line);
    rt_buf_init(&p.text);
    p.before = op_mysql_row_new();
    p.after = op_mysql_row_new();
    int rc = 0;
    if (!p.before || !p.after)
        rc = rt_err_set(err, RT_ENOMEM, "binlog: out of memory");
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = print_file(&p, paths[i], err);
    if (rc == 0 && fflush(out) != 0)
        rc = rt_err_set(err, RT_EIO, "writing the changelog lines failed");
    op_mysql_row_free(p.before);
    op_mysql_row_free(p.after);
    rt_buf_fini(&p.gtid);
    rt_buf_fini(&p.line);
    rt_buf_fini(&p.text);
    return rc;
}
