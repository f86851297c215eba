/* Row events: WRITE/UPDATE/DELETE_ROWS v1 (MySQL 5.1-5.5, MariaDB) and v2 (MySQL 5.6+, with the
 * extra-data field), MySQL's PARTIAL_UPDATE_ROWS (JSON diffs) and MariaDB's zlib-compressed row
 * events; their columns-present bitmaps, null bitmaps and row images (notes/binlog.md 4.1, 4.2,
 * 4.5, 4.6; MySQL rows_event.h, MariaDB rows_event_v1v2 page). */
#ifndef SLUICE_OPERATORS_MYSQL_ROW_DECODE_H
#define SLUICE_OPERATORS_MYSQL_ROW_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/mysql/binlog_event.h"
#include "operators/mysql/mysql_value.h"
#include "operators/mysql/table_map.h"
#include "runtime/base/buf.h"
#include "runtime/base/errors.h"

typedef enum op_rows_kind {
    OP_ROWS_WRITE,  /* rows carry an after image */
    OP_ROWS_UPDATE, /* a before and an after image */
    OP_ROWS_DELETE, /* a before image */
} op_rows_kind;

/* "write", "update", "delete". */
const char *op_rows_kind_name(op_rows_kind k);

/* Row event flags (post-header). */
#define OP_ROWS_F_STMT_END 0x0001

/* A parsed row event and the cursor over its rows. Pointers are borrowed from the event body
 * (or from the inflate buffer of a compressed event). Caller-allocated. */
typedef struct op_rows_event {
    uint8_t type;
    op_rows_kind kind;
    uint8_t version;   /* 1 or 2 */
    bool partial_json; /* PARTIAL_UPDATE_ROWS_EVENT */
    uint64_t table_id;
    uint16_t flags;
    const uint8_t *extra; /* v2 extra data (without its length field) */
    size_t extra_len;
    int32_t partition_id;        /* v2 extra data, -1 when absent */
    int32_t source_partition_id; /* UPDATE only, -1 when absent */
    bool has_ndb_info;
    uint8_t ndb_format;
    const uint8_t *ndb_data;
    size_t ndb_data_len;
    size_t column_count;
    const uint8_t *cols_before; /* columns-present bitmaps; NULL for the image a kind lacks */
    const uint8_t *cols_after;
    const uint8_t *rows; /* the row images */
    size_t rows_len;
    size_t rows_pos; /* cursor: bytes of rows consumed */
} op_rows_event;

/* Parses the header part of a row event body of `type` under format f. For MariaDB's compressed
 * types pass `inflated`: the row images are inflated into it (reset first) and out->rows points
 * there. RT_EUNSUPPORTED for the pre-GA row events of MySQL 5.1.0-5.1.15 (20..22). */
int op_rows_event_parse(const uint8_t *body, size_t len, unsigned type, const op_binlog_format *f,
                        rt_buf *inflated, op_rows_event *out, rt_err *err);

/* An image of one row: a cell per column of the event, NULL for columns the image lacks
 * (MINIMAL/NOBLOB). Reused from row to row; owns the text (DECIMAL, JSON) of its cells. */
typedef struct op_mysql_row op_mysql_row;

op_mysql_row *op_mysql_row_new(void);
void op_mysql_row_free(op_mysql_row *r);
size_t op_mysql_row_column_count(const op_mysql_row *r);
/* Cell i, or NULL when the image does not carry column i. Borrowed: valid until the row is
 * decoded into again (and, for strings, while the event bytes are). */
const op_mysql_cell *op_mysql_row_cell(const op_mysql_row *r, size_t i);

/* Decodes the next row of ev: for WRITE into after, DELETE into before, UPDATE into both (the
 * other row is left alone; it may be NULL). *has_row = false at the end of the event. The
 * event's columns must not outnumber the map's; each image's null bitmap covers its present
 * columns only. On an error the rows hold nothing usable and the event is done. */
int op_rows_event_next(op_rows_event *ev, const op_table_map *tm, op_mysql_row *before,
                       op_mysql_row *after, bool *has_row, rt_err *err);

/* Decodes one row image at p: `present` is the columns-present bitmap over ncols columns;
 * partial_after says the image is a PARTIAL_UPDATE_ROWS after image (it starts with the
 * value-options field). *consumed = bytes taken. */
int op_mysql_row_decode(op_mysql_row *row, const op_table_map *tm, size_t ncols,
                        const uint8_t *present, bool partial_after, const uint8_t *p, size_t len,
                        size_t *consumed, rt_err *err);

#endif
