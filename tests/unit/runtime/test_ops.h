/* Test-only operator types for the runtime's job tests, and what they observed. Types:
 *   test_source  source: rows (per subtask), batch (rows per batch), keys (key = i % keys; 0: key
 *                = id), unbounded, idle_every (return IDLE every n-th poll). Table test.rows with
 *                columns id (unique: subtask * 1e9 + i), key (the primary key), src (subtask),
 *                name (a string).
 *   test_map     transform: passes batches through; hold: keep every batch and emit them all
 *                from finish; copy: emit deep copies in new batches.
 *   test_fail    transform: passes through, but fails with RT_EIO "boom" in `at` ("open",
 *                "process", "finish") after `after` batches.
 *   test_sink    sink: records every row (slot, subtask, input, id, key); sleep_us per batch;
 *                emit: wrongly emits what it receives.
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
} test_ops_stats;

extern test_ops_stats test_ops_stats_now;
extern const graph_catalog test_ops_catalog;

/* Clears the stats and the rows seen (call before a job starts). */
void test_ops_reset(void);
/* The runtime's registry of the test types. */
const op_type *test_ops_lookup(const char *type);
/* Rows the sinks saw; read after the job ended. Borrowed. */
size_t test_ops_row_count(void);
const test_row *test_ops_rows(void);

#endif
