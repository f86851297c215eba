/* Test-only operator types for the runtime's job tests, and what they observed. Types:
 *   test_source  source: rows (per subtask), batch (rows per batch), keys (key = i % keys; 0: key
 *                = id), unbounded, idle_every (return IDLE every n-th poll), sleep_us (per poll).
 *                Table test.rows with columns id (unique: subtask * 1e9 + i), key (the primary
 *                key), src (subtask), name (a string). State: "next" (decimal), the next row
 *                number; restored in open.
 *   test_map     transform: passes batches through; hold: keep every batch and emit them all
 *                from finish; copy: emit deep copies in new batches.
 *   test_fail    transform: passes through, but fails with RT_EIO "boom" in `at` ("open",
 *                "process", "finish", "snapshot") after `after` batches.
 *   test_sink    sink: records every row (slot, subtask, input, id, key); sleep_us per batch;
 *                emit: wrongly emits what it receives; snapshot_sleep_ms: sleeps in
 *                snapshot_state from its slow_after-th snapshot on (1-based; 0: never).
 * Sources and sinks record their checkpoint calls (test_ops_ckpt_find).
 *   test_ghost   known to the graph catalog but not to the runtime lookup. */
#ifndef SLUICE_TESTS_UNIT_RUNTIME_TEST_OPS_H
#define SLUICE_TESTS_UNIT_RUNTIME_TEST_OPS_H

#include <stdatomic.h>

#include "graph/job_graph.h"
#include "operators/op.h"

typedef struct test_row {
    int64_t id, key;
    uint32_t slot, subtask, input;
} test_row;

typedef struct test_ops_stats {
    atomic_int opens, closes, finishes;
    atomic_uint_fast64_t restored; /* op_ctx_restored_checkpoint a source saw in open */
    atomic_llong source_start[4];  /* per source subtask: the row number it started at */
} test_ops_stats;

typedef enum test_ckpt_kind {
    TEST_CKPT_PREPARE,
    TEST_CKPT_SNAPSHOT,
    TEST_CKPT_COMPLETE,
    TEST_CKPT_ABORTED,
    TEST_CKPT_FINISH,
} test_ckpt_kind;

extern test_ops_stats test_ops_stats_now;
extern const graph_catalog test_ops_catalog;

/* Clears the stats and the rows seen (call before a job starts). */
void test_ops_reset(void);
/* The runtime's registry of the test types. */
const op_type *test_ops_lookup(const char *type);
/* Rows the sinks saw; read after the job ended. Borrowed. */
size_t test_ops_row_count(void);
const test_row *test_ops_rows(void);
/* Rows the sinks saw so far (thread-safe, while the job runs). */
size_t test_ops_row_count_now(void);
/* The position (0, 1, ...) of the first checkpoint call of kind on vertex's subtask for
 * checkpoint id (id 0: any id) in the order they happened, or -1. Thread-safe. */
long test_ops_ckpt_find(test_ckpt_kind kind, const char *vertex, uint32_t subtask, uint64_t id);
/* Of the checkpoint calls so far, the id of the last of kind on vertex's subtask; 0 if none. */
uint64_t test_ops_ckpt_last(test_ckpt_kind kind, const char *vertex, uint32_t subtask);
/* How many checkpoint calls were recorded so far. */
size_t test_ops_ckpt_count(void);

#endif
