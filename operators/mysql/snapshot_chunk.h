/* Reading one snapshot split (Flink CDC's snapshot split reader, the SELECT between LOW and
 * HIGH): the split's rows in key order, streamed from the server into batches of +I records;
 * and the SQL that names a split's key range. */
#ifndef SLUICE_OPERATORS_MYSQL_SNAPSHOT_CHUNK_H
#define SLUICE_OPERATORS_MYSQL_SNAPSHOT_CHUNK_H

#include <stddef.h>
#include <stdint.h>

#include "operators/mysql/connection.h"
#include "operators/mysql/schema_reader.h"
#include "operators/mysql/snapshot_split.h"
#include "runtime/base/buf.h"
#include "runtime/base/errors.h"
#include "runtime/batch.h"

/* Receives a full batch (and the last, partly full one). Takes ownership of b whatever it
 * returns. Return 0 to go on, or a negative code with err set to stop the read with it. */
typedef int (*op_snapshot_batch_fn)(void *arg, rt_batch *b, rt_err *err);

/* Caller-allocated; zero values take the defaults. */
typedef struct op_snapshot_read_options {
    size_t batch_rows;   /* records per batch; 0: 1024 */
    rt_batch_pool *pool; /* where batches come from; NULL: plain malloc */
    /* When set, batches come from batch_new(batch_arg) instead (pool unused): the caller's
     * own source, e.g. op_ctx_batch_new, so that they can go downstream as they are. NULL is
     * out of memory. */
    rt_batch *(*batch_new)(void *batch_arg);
    void *batch_arg;
} op_snapshot_read_options;

/* Reads the rows of `split` of info's table: SELECT of the table's columns WHERE the split's
 * range ORDER BY the key (op_snapshot_key_columns), each row converted by op_text_row_decode
 * (TIMESTAMP in c's server_time_zone, op_mysql_conn_time_zone) into a +I record of info->table (borrowed by the records: it must outlive the batches), in
 * batches handed to fn in key order. *rows (may be NULL) gets the rows read. o may be NULL.
 * The connection streams the result: constant memory whatever the split's size. Errors of the
 * connection, of fn, and RT_ECORRUPT for a value that does not parse, prefixed with the split's
 * name ("read split shop.orders#3: ..."). Any thread; c is busy until it returns. */
int op_snapshot_chunk_read(op_mysql_conn *c, const op_mysql_table_info *info,
                           const op_snapshot_split *split, const op_snapshot_read_options *o,
                           op_snapshot_batch_fn fn, void *arg, uint64_t *rows, rt_err *err);

/* Appends the SELECT op_snapshot_chunk_read runs. FLOAT and DOUBLE columns are read as
 * CAST(x AS DOUBLE): the server prints a FLOAT column with 6 digits and a DOUBLE(M,D) with D
 * decimals, neither of which reads back as the stored number, while the cast prints the stored
 * value exactly (the binlog carries its bits). */
void op_snapshot_chunk_format_sql(const op_mysql_table_info *info, const op_snapshot_split *split,
                                  op_mysql_conn *c, rt_buf *out);

/* Appends the SQL condition selecting the split's rows ("`id` > 1000 AND `id` <= 2000",
 * "(`a`,`b`) > (1,'x')", "TRUE" for a split open at both ends) over the key columns `names`
 * (op_snapshot_split_key_count of them). c escapes string literals. */
void op_snapshot_split_format_where(const op_snapshot_split *s, const char *const *names,
                                    op_mysql_conn *c, rt_buf *out);
/* Appends a key as SQL: the quoted column names when key is NULL, else its literals; a
 * parenthesised row value when n > 1 ("(`a`,`b`)", "(1,'x')"). */
void op_snapshot_key_format_sql(const char *const *names, const rt_value *key, size_t n,
                                op_mysql_conn *c, rt_buf *out);
/* Appends v as an SQL literal: numbers, 'escaped text', X'hex' for BYTES, quoted temporals
 * with six fraction digits. */
void op_snapshot_value_format_sql(const rt_value *v, op_mysql_conn *c, rt_buf *out);

#endif
