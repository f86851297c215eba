/* Shared by the transform unit tests: engines built from config JSON as a job would apply it,
 * tables interned in a catalog, rows written from short value lists, batches as changelog
 * lines. */
#ifndef SLUICE_TESTS_UNIT_TRANSFORM_TF_TEST_H
#define SLUICE_TESTS_UNIT_TRANSFORM_TF_TEST_H

#include "operators/op.h"
#include "operators/transform/tf_tables.h"

#define TF_PATH "$.operators[1].config"

/* Applies json to type's config table and builds the engine with make, bound to cat (ctx NULL).
 * NULL with err set when the config or make fails. Free with op_tf_free. */
op_tf *tf_make(const op_type *type, op_tf_make_fn make, const char *json, rt_catalog *cat,
               rt_err *err);
/* Applies json and runs the type's validate hook with path TF_PATH: its result, err set. */
int tf_validate(const op_type *type, const char *json, rt_err *err);
/* Interns db.name with cols in cat (a test failure when it cannot). */
const rt_table *tf_table(rt_catalog *cat, const char *db, const char *name, const rt_column *cols,
                         size_t n);
/* Appends a row of t to b: vals is "v1|v2|..." one per column, read by the column's type ("null"
 * for NULL; INT/UINT/DOUBLE parsed, other types kept as text). Returns the record. */
rt_record *tf_row(rt_batch *b, rt_rowkind kind, const rt_table *t, const char *vals);
/* The batch as changelog lines (malloc'd). */
char *tf_lines(const rt_batch *b);
/* Runs tf over in: the output lines (malloc'd), or NULL with err set when apply failed.
 * *forward (may be NULL) as op_tf_apply. */
char *tf_run(op_tf *tf, const rt_batch *in, bool *forward, rt_err *err);

#endif
