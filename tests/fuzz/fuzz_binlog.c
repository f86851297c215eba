/* libFuzzer target for the binlog decoder (operators/mysql). An input that starts with the
 * binlog magic is a whole file: every event is decoded, every row of every row event read and
 * every payload opened, as `sluice binlog` does. Any other input is one of the smaller decoders,
 * chosen by its first byte: 0 binary JSON, 1 JSON diff, 2 GTID set text, 3 GTID set binary,
 * 4 MariaDB GTID list text. The decoders must return an error for bad bytes, never crash, leak
 * or read out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "operators/mysql/binlog_decode.h"
#include "operators/mysql/binlog_file.h"
#include "operators/mysql/gtid.h"
#include "operators/mysql/mysql_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decode_file(const uint8_t *data, size_t size)
{
    op_binlog_file *f = NULL;
    if (op_binlog_file_open_mem(data, size, "fuzz", &f, NULL))
        return;
    op_binlog_decoder *d = op_binlog_decoder_new();
    op_mysql_row *before = op_mysql_row_new(), *after = op_mysql_row_new();
    rt_buf text, line;
    rt_buf_init(&text);
    rt_buf_init(&line);
    for (;;) {
        const uint8_t *event;
        size_t len;
        uint64_t off;
        bool eof, more = true;
        op_binlog_event ev;
        if (op_binlog_file_next(f, &event, &len, &off, &eof, NULL) || eof)
            break;
        if (op_binlog_decoder_decode(d, event, len, &ev, NULL))
            continue; /* a reader may skip a bad event in a fuzz run: find more bugs after it */
        while (more) {
            if (!ev.skipped && op_binlog_type_is_rows(ev.header.type) && ev.rows.table_map) {
                bool has = true;
                while (has && !op_rows_event_next(&ev.rows.ev, ev.rows.table_map, before, after,
                                                  &has, NULL)) {
                    /* only the images this kind of event decodes: the other row still holds
                     * cells of an older event */
                    op_rows_kind kind = ev.rows.ev.kind;
                    const op_mysql_row *rows[2] = {kind != OP_ROWS_WRITE ? before : NULL,
                                                   kind != OP_ROWS_DELETE ? after : NULL};
                    for (int r = 0; r < 2 && has; r++) {
                        if (!rows[r])
                            continue;
                        for (size_t i = 0; i < op_mysql_row_column_count(rows[r]); i++) {
                            const op_mysql_cell *c = op_mysql_row_cell(rows[r], i);
                            if (!c || i >= op_table_map_column_count(ev.rows.table_map))
                                continue;
                            rt_value v;
                            const op_mysql_column *col = op_table_map_column(ev.rows.table_map, i);
                            rt_buf_reset(&text);
                            rt_buf_reset(&line);
                            /* v may point into text: format it elsewhere */
                            op_mysql_cell_to_value(c, col, 3600, &text, &v);
                            rt_value_format_json(&v, &line);
                            op_mysql_cell_format_text(c, col, &line);
                        }
                    }
                }
            }
            more = (ev.in_payload || ev.header.type == OP_BINLOG_TRANSACTION_PAYLOAD_EVENT) &&
                   op_binlog_decoder_next_inner(d, &ev, &more, NULL) == 0 && more;
        }
    }
    rt_buf_fini(&text);
    rt_buf_fini(&line);
    op_mysql_row_free(before);
    op_mysql_row_free(after);
    op_binlog_decoder_free(d);
    op_binlog_file_close(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= OP_BINLOG_MAGIC_SIZE && memcmp(data, OP_BINLOG_MAGIC, OP_BINLOG_MAGIC_SIZE) == 0) {
        decode_file(data, size);
        return 0;
    }
    if (size < 1)
        return 0;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    rt_buf out;
    rt_buf_init(&out);
    switch (data[0]) {
    case 0:
        op_mysql_json_to_text(p, n, &out, NULL);
        break;
    case 1: {
        size_t used;
        op_mysql_json_diff_to_text(p, n, &out, &used, NULL);
        break;
    }
    case 2:
    case 3: {
        op_mysql_gtid_set *s = NULL;
        int rc = data[0] == 2 ? op_mysql_gtid_set_parse((const char *)p, n, &s, NULL)
                              : op_mysql_gtid_set_decode(p, n, &s, NULL);
        if (rc == 0) {
            op_mysql_gtid_set_format(s, &out);
            op_mysql_gtid_set_encode(s, &out);
        }
        op_mysql_gtid_set_free(s);
        break;
    }
    case 4: {
        op_mariadb_gtid_list *l = NULL;
        if (op_mariadb_gtid_list_parse((const char *)p, n, &l, NULL) == 0)
            op_mariadb_gtid_list_format(l, &out);
        op_mariadb_gtid_list_free(l);
        break;
    }
    }
    rt_buf_fini(&out);
    return 0;
}
