/* Snapshot splits (Flink CDC's MySqlSnapshotSplit): a primary-key range of one table that one
 * snapshot reader reads at a time, its stable binary form for checkpoint state, the key order
 * that decides which rows and change events fall inside it, and the splitter that cuts a table
 * into splits lazily: even steps over a dense single integer key, else boundaries queried with
 * LIMIT/OFFSET over the key order. */
#ifndef SLUICE_OPERATORS_MYSQL_SNAPSHOT_SPLIT_H
#define SLUICE_OPERATORS_MYSQL_SNAPSHOT_SPLIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/mysql/connection.h"
#include "operators/mysql/schema_reader.h"
#include "runtime/base/buf.h"
#include "runtime/base/errors.h"
#include "runtime/value.h"

/* A split covers the keys k with start < k <= end, compared as op_snapshot_key_compare does;
 * an open start has no lower bound (and takes the NULL keys a nullable chunk key column may
 * hold), an open end no upper bound. Keys are tuples of key_count values in key order. */
typedef struct op_snapshot_split op_snapshot_split;

/* A new split of table `table_id` ("db.table") numbered `index` (0, 1, ... in key order) over
 * key_count key values; start/end are NULL when open, else key_count values each (copied, text
 * too). RT_EINVAL for key_count 0 or above OP_MYSQL_MAX_KEY_COLUMNS. Free with
 * op_snapshot_split_free. */
int op_snapshot_split_new(const char *table_id, uint32_t index, size_t key_count,
                          const rt_value *start, const rt_value *end, op_snapshot_split **out,
                          rt_err *err);
/* NULL is a no-op. */
void op_snapshot_split_free(op_snapshot_split *s);

/* Borrowed; valid as long as the split. */
const char *op_snapshot_split_table(const op_snapshot_split *s);
uint32_t op_snapshot_split_index(const op_snapshot_split *s);
size_t op_snapshot_split_key_count(const op_snapshot_split *s);
/* The bounds: key_count values, or NULL when open. Borrowed. */
const rt_value *op_snapshot_split_start(const op_snapshot_split *s);
const rt_value *op_snapshot_split_end(const op_snapshot_split *s);
/* "shop.orders#3", for messages. Borrowed. */
const char *op_snapshot_split_name(const op_snapshot_split *s);

/* The HIGH watermark of a finished split: an opaque binary position (binlog_position.h decides
 * its bytes), kept with the split in checkpoint state. Copied. 0 or RT_ENOMEM. */
int op_snapshot_split_set_high(op_snapshot_split *s, const void *high, size_t len, rt_err *err);
/* The HIGH mark, NULL (and *len 0) until set. Borrowed. */
const void *op_snapshot_split_high(const op_snapshot_split *s, size_t *len);

/* True when key (key_count values) lies inside the split. */
bool op_snapshot_split_contains(const op_snapshot_split *s, const rt_value *key);

/* Appends the split's binary form (version 1, little-endian; values tagged with their rt_type;
 * stable across releases: it lives in checkpoints). */
void op_snapshot_split_format(const op_snapshot_split *s, rt_buf *out);
/* Parses what op_snapshot_split_format wrote, every length bounded by the bytes left before
 * anything is allocated. RT_ECORRUPT for truncated or malformed input (and for bytes left over),
 * naming the field. *out: free with op_snapshot_split_free. */
int op_snapshot_split_parse(const uint8_t *p, size_t len, op_snapshot_split **out, rt_err *err);

/* Orders two key values as MySQL orders the key's column: NULL first; integers (INT and UINT
 * together) and DOUBLE numerically; DECIMAL by value (text compared digit by digit); DATE, TIME
 * and DATETIME chronologically; STRING, BYTES and JSON by their bytes (memcmp, shorter first).
 * Byte order equals MySQL's for binary and _bin collations; for the default case- and
 * accent-insensitive collations (utf8mb4_general_ci, _0900_ai_ci) it differs for keys that
 * differ only in case, accents or trailing spaces. Boundaries come from the server in its own
 * order, so reading a split is always right; only op_snapshot_split_contains, deciding which
 * binlog events belong to a split, can misplace such a key near a boundary.
 * TODO(#4): compare by collation weights for _ci string keys. Returns <0, 0, >0. */
int op_snapshot_value_compare(const rt_value *a, const rt_value *b);
/* Lexicographic order of two keys of n values. */
int op_snapshot_key_compare(const rt_value *a, const rt_value *b, size_t n);

/* How the splitter cuts tables. Zero values take the defaults (Flink CDC's). */
typedef struct op_snapshot_split_options {
    uint64_t chunk_size; /* rows per split; 0: 8096 */
    /* A single integer key is split by even steps when (max - min + 1) / row_estimate lies in
     * [lower, upper] (Flink's chunk-key.even-distribution.factor.*); 0: 0.05 and 1000. */
    double even_factor_lower;
    double even_factor_upper;
} op_snapshot_split_options;

/* Decides the even strategy for a single integer key spanning `span` values (max - min + 1; 0
 * for the full 2^64) over about `rows` rows: true with *step, the key values per split
 * (chunk_size scaled by the density, at least 1), or false for LIMIT-based boundaries. Pure. */
bool op_snapshot_split_even_step(uint64_t span, uint64_t rows, const op_snapshot_split_options *o,
                                 uint64_t *step);

/* The columns a table is split on, as column indexes of info->table in key order: the
 * configured chunk key column alone, else the primary key's columns. Returns their count. */
size_t op_snapshot_key_columns(const op_mysql_table_info *info,
                               size_t cols[OP_MYSQL_MAX_KEY_COLUMNS]);

/* Cuts one table into splits, one at a time. */
typedef struct op_snapshot_splitter op_snapshot_splitter;

/* A splitter for info's table (borrowed: must outlive the splitter), keyed on
 * op_snapshot_key_columns. `after` (may be NULL)
 * resumes a split-up cut short: the next split follows it (index and start). o may be NULL.
 * RT_EUNSUPPORTED for ENUM/SET/JSON/FLOAT/DOUBLE key columns, whose SQL order differs from
 * their value order or that have no exact literal. */
int op_snapshot_splitter_new(const op_mysql_table_info *info, const op_snapshot_split_options *o,
                             const op_snapshot_split *after, op_snapshot_splitter **out,
                             rt_err *err);
void op_snapshot_splitter_free(op_snapshot_splitter *s);

/* Gives the MIN and MAX of a single integer key instead of querying them (tests; a caller that
 * knows them), before the first op_snapshot_splitter_next. NULL min: an empty table. */
void op_snapshot_splitter_set_bounds(op_snapshot_splitter *s, const rt_value *min,
                                     const rt_value *max);

/* The next split, or *out NULL when the table is covered (the last split has an open end).
 * Queries c (MIN/MAX once, then one LIMIT query per split in the LIMIT strategy). Errors of
 * the connection; RT_ECORRUPT for a key value the server sent that does not parse. */
int op_snapshot_splitter_next(op_snapshot_splitter *s, op_mysql_conn *c, op_snapshot_split **out,
                              rt_err *err);
/* True once the strategy is decided and is even steps. */
bool op_snapshot_splitter_is_even(const op_snapshot_splitter *s);

#endif
