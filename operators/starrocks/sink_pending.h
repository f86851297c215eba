/* sink_pending: the starrocks sink's queue of schema changes waiting for a checkpoint, one FIFO
 * per target table, and its checkpoint-state codec. A DDL item holds the operations of one SC
 * record, tagged with the checkpoint whose completion may apply them (rows before the SC record
 * are committed by then); the BODY items behind it hold the target's rows that came after it,
 * already formatted for the schema the DDL makes (body bytes and their `columns` header), loaded
 * once the DDL ran. Pure: no I/O.
 *
 * State text: a JSON document, a NUL, then the BODY bytes back to back (the JSON gives each
 * item's offset and size; CSV bodies may hold any byte, so they stay raw):
 *   {"v":1,"targets":[{"table":"t","items":[
 *     {"kind":"ddl","checkpoint":7,"source":"src.t","ddl":"ALTER ...","ops":[{"kind":
 *      "add_column","change":"add_column","behavior":"evolve","table":"t","column":"c",
 *      "type":"INT","nullable":true,"after":"b"}]},
 *     {"kind":"body","columns":"id,c,__op","rows":12,"offset":0,"size":345}]}]} NUL bytes */
#ifndef SLUICE_OPERATORS_STARROCKS_SINK_PENDING_H
#define SLUICE_OPERATORS_STARROCKS_SINK_PENDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/starrocks/sink_schema.h"
#include "runtime/base/buf.h"
#include "runtime/base/errors.h"

typedef enum op_sr_item_kind {
    OP_SR_ITEM_DDL = 0,
    OP_SR_ITEM_BODY = 1,
} op_sr_item_kind;

/* One queued item. Owned by its queue; borrowed by callers until popped. */
typedef struct op_sr_item {
    op_sr_item_kind kind;
    /* DDL */
    uint64_t checkpoint; /* apply once checkpoint >= this completed */
    op_sr_ddl_op *ops;
    size_t op_count;
    char *source; /* the source table, "db.t" (logs) */
    char *ddl;    /* the source's statement (logs) */
    /* BODY */
    char *columns; /* the Stream Load `columns` header of these rows */
    rt_buf body;
    uint64_t rows;
} op_sr_item;

typedef struct op_sr_queue op_sr_queue;

/* A new empty queue. *out: free with op_sr_queue_free. */
int op_sr_queue_new(op_sr_queue **out, rt_err *err);
/* NULL is a no-op. */
void op_sr_queue_free(op_sr_queue *q);

size_t op_sr_queue_count(const op_sr_queue *q);
/* DDL items queued. */
size_t op_sr_queue_ddl_count(const op_sr_queue *q);
/* Bytes of queued rows. */
size_t op_sr_queue_size(const op_sr_queue *q);
/* The oldest item, NULL when empty. */
op_sr_item *op_sr_queue_head(op_sr_queue *q);
/* Item k (0 = the oldest), k < count. */
const op_sr_item *op_sr_queue_at(const op_sr_queue *q, size_t k);
/* Drops the oldest item. */
void op_sr_queue_pop(op_sr_queue *q);

/* Appends a DDL item: copies of ops[0..count), source and ddl (ddl_len bytes). RT_ENOMEM. */
int op_sr_queue_push_ddl(op_sr_queue *q, uint64_t checkpoint, const op_sr_ddl_op *ops, size_t count,
                         const char *source, const char *ddl, size_t ddl_len, rt_err *err);
/* The body rows with `columns` go to: the last item when it is a BODY item with these columns,
 * else a new BODY item. Borrowed buffer; count its rows with op_sr_queue_rows_added. */
int op_sr_queue_body(op_sr_queue *q, const char *columns, rt_buf **out, rt_err *err);
/* Adds n to the row count of the last item (a BODY item). */
void op_sr_queue_rows_added(op_sr_queue *q, uint64_t n);

/* Fits the head item (a BODY item) to the target's columns meta, for rows that carry columns
 * meta lacks (a try_evolve change the target refused): JSON lines lose those keys; in CSV the
 * `columns` header names them __sluice_skip_<i>, a name no table has, so StarRocks reads and
 * drops the field. *changed: whether anything was. RT_ECORRUPT for a JSON line that does not
 * parse, RT_ENOMEM. */
int op_sr_queue_fit_head(op_sr_queue *q, const op_sr_table_meta *meta, bool json, bool *changed,
                         rt_err *err);

/* The state of several queues: tables[i] names queues[i]. A new text in *out (free()), *len
 * bytes. RT_ENOMEM. */
int op_sr_queue_encode(const char *const *tables, op_sr_queue *const *queues, size_t count,
                       char **out, size_t *len, rt_err *err);

/* A decoded state: count queues with their target table names. Free with
 * op_sr_queue_set_free. */
typedef struct op_sr_queue_set {
    char **tables;
    op_sr_queue **queues;
    size_t count;
} op_sr_queue_set;

/* Rebuilds the queues from state text (len bytes). RT_ECORRUPT naming what is wrong (every
 * offset and size is checked against the bytes there are). */
int op_sr_queue_decode(const char *data, size_t len, op_sr_queue_set *out, rt_err *err);
void op_sr_queue_set_free(op_sr_queue_set *s);

#endif
