/* What the transform operators (project, filter, rename, cast, route) share: the "tables" regex
 * selection, the {db}/{table} name templates, and the engine that runs one transform over
 * batches: it caches the derived output schema of each input schema (interned in the job's
 * catalog), re-derives on schema-change records, and forwards batches that select no table as
 * they are. Each operator supplies an op_tf_impl (derive a schema, convert a row) and a
 * constructor op_<name>_make that unit tests call without a running job. */
#ifndef SLUICE_OPERATORS_TRANSFORM_TF_TABLES_H
#define SLUICE_OPERATORS_TRANSFORM_TF_TABLES_H

#include <stdbool.h>
#include <stddef.h>

#include "operators/op.h"
#include "runtime/base/config.h"
#include "runtime/base/errors.h"
#include "runtime/batch.h"
#include "runtime/table.h"

/* --- Regular expressions over whole "db.table" names --- */

typedef struct op_tf_regex op_tf_regex;

/* Compiles a POSIX extended regex anchored as ^(text)$ (so it names whole tables), refusing an
 * empty one and one whose parentheses do not balance on their own. Errors are RT_EINVAL naming
 * path: `$.operators[1].config.tables[0]: invalid regular expression "a[": ...`. *out: free with
 * op_tf_regex_free. Immutable once built. */
int op_tf_regex_new(const char *text, const char *path, op_tf_regex **out, rt_err *err);
void op_tf_regex_free(op_tf_regex *re);
bool op_tf_regex_match(const op_tf_regex *re, const char *qualified);

/* A "tables" selection: a list of regexes, any of which selects a table. */
typedef struct op_tf_select op_tf_select;

/* patterns NULL or empty: *out = NULL, which selects every table. path names the list
 * ("$.operators[1].config.tables"); items are named path[i]. Free with op_tf_select_free. */
int op_tf_select_new(const rt_strlist *patterns, const char *path, op_tf_select **out, rt_err *err);
void op_tf_select_free(op_tf_select *s);
/* True when s is NULL or a pattern matches t's "db.table". */
bool op_tf_select_match(const op_tf_select *s, const rt_table *t);

/* --- Name templates: "ods_{table}", "ods.{db}_{table}" --- */

/* Checks that tmpl uses only the placeholders {db} and {table} and is not empty. RT_EINVAL
 * naming path. */
int op_tf_template_check(const char *tmpl, const char *path, rt_err *err);
/* Expands tmpl for db.table and splits the result at its first dot: *out_db gets the part before
 * it (or db when there is none), *out_name the rest. Both malloc'd (caller frees). RT_EINVAL when
 * a part comes out empty, RT_ENOMEM. */
int op_tf_template_expand(const char *tmpl, const char *db, const char *table, char **out_db,
                          char **out_name, rt_err *err);

/* --- Small helpers --- */

/* The index of t's column called name, compared case-insensitively as MySQL does; -1 if none. */
long op_tf_column_find(const rt_table *t, const char *name);
/* Copies src into *dst, text and bytes copied into out's arena. 0 or RT_ENOMEM. */
int op_tf_value_copy(rt_batch *out, rt_value *dst, const rt_value *src);
/* Interns a new table db.name with columns in cat (or, with cat NULL, fails: derivation needs a
 * catalog). RT_EINVAL from rt_table_new (duplicate column names ...) with its message. */
int op_tf_table_intern(rt_catalog *cat, const char *db, const char *name, const rt_column *cols,
                       size_t count, const rt_table **out, rt_err *err);

/* --- The engine --- */

typedef struct op_tf op_tf;

/* What the engine knows of one input schema. */
typedef struct op_tf_entry {
    const rt_table *in;
    const rt_table *out; /* derived schema; NULL: the table passes through unchanged */
    void *data;          /* the operator's per-schema state (bound expressions, ...) */
} op_tf_entry;

typedef struct op_tf_impl {
    const char *name; /* "project", for messages */
    /* Derives the output schema of in: *out (interned in op_tf_catalog(tf)), or NULL to let the
     * table's records pass through unchanged, and *data (per-schema state, may stay NULL).
     * Messages name the table. */
    int (*derive)(void *op, op_tf *tf, const rt_table *in, const rt_table **out, void **data,
                  rt_err *err);
    void (*data_free)(void *data);
    /* Converts the row record rt_batch_at_const(in, *i) of a table with a derived schema into
     * out and advances *i past the records it consumed (at least one). */
    int (*row)(void *op, op_tf *tf, const op_tf_entry *e, const rt_batch *in, size_t *i,
               rt_batch *out, rt_err *err);
    /* Optional: true while the operator holds a record across batches (filter's -U waiting for
     * its +U), so that the next batch cannot be forwarded untouched. */
    bool (*pending)(const void *op);
    /* Optional: emits what the operator holds into out (end of input, checkpoints). */
    int (*flush)(void *op, op_tf *tf, rt_batch *out, rt_err *err);
    /* Optional: the column of e->in that column out_col of e->out passes through (copied,
     * renamed or cast, but the same column), or -1 for a computed one. With it a schema change
     * keeps its origin map through the transform, so a rename upstream stays a rename; without
     * it the derived change matches columns by name. */
    long (*source_column)(const void *op, const op_tf_entry *e, size_t out_col);
    void (*free)(void *op);
} op_tf_impl;

/* A new engine running impl over op (owned: impl->free frees it with the engine) for the tables
 * sel selects (owned; NULL: all). cat: where derived schemas are interned; ctx: the operator's
 * context (NULL in unit tests; then no metrics). Never fails but on OOM (NULL). */
op_tf *op_tf_new(const op_tf_impl *impl, void *op, op_tf_select *sel, rt_catalog *cat, op_ctx *ctx);
/* Frees the engine, the operator instance and the derived state. NULL is a no-op. */
void op_tf_free(op_tf *tf);
void *op_tf_op(op_tf *tf);
rt_catalog *op_tf_catalog(op_tf *tf);
/* NULL in unit tests. */
op_ctx *op_tf_ctx(op_tf *tf);
/* Sets the catalog and context (open: the instance was built by a make function first). */
void op_tf_bind(op_tf *tf, rt_catalog *cat, op_ctx *ctx);

/* The entry of input schema t, derived on first use. Borrowed; valid until the next call (the
 * cache may grow), so copy what is needed before asking for another. */
int op_tf_entry_get(op_tf *tf, const rt_table *t, const op_tf_entry **e, rt_err *err);

/* Runs the transform over in, appending its output to out. *forward (may be NULL) is set when
 * the batch selects no table and nothing is pending: then out is left empty and the caller
 * should pass in on unchanged. A schema-change record of a selected table is re-derived and
 * re-emitted with the derived schemas; a derivation failure there names the table and the DDL. */
int op_tf_apply(op_tf *tf, const rt_batch *in, rt_batch *out, bool *forward, rt_err *err);
/* Flushes what the operator holds into out (impl->flush). */
int op_tf_flush(op_tf *tf, rt_batch *out, rt_err *err);

/* The op_type slots every transform shares (self is the engine op_tf_open made). */
typedef int (*op_tf_make_fn)(const void *config, const char *path, op_tf **out, rt_err *err);
int op_tf_open(op_tf_make_fn make, op_ctx *ctx, const void *config, void **self, rt_err *err);
/* The validate hook's body: makes the engine from config (errors name `path`) and frees it. */
int op_tf_validate(op_tf_make_fn make, const void *config, const char *path, rt_err *err);
int op_tf_process(void *self, op_ctx *ctx, size_t input, rt_batch *batch, rt_err *err);
int op_tf_prepare_snapshot(void *self, op_ctx *ctx, uint64_t id, rt_err *err);
int op_tf_finish(void *self, op_ctx *ctx, rt_err *err);
void op_tf_close(void *self, op_ctx *ctx);

/* --- Constructors (each operator's .c): parse and check config (the applied struct of the
 * operator's config table) and return a new engine with cat/ctx unset (op_tf_bind). Messages
 * name path ("$.operators[1].config"). Validation calls them and frees the result. --- */
int op_project_make(const void *config, const char *path, op_tf **out, rt_err *err);
int op_filter_make(const void *config, const char *path, op_tf **out, rt_err *err);
int op_rename_make(const void *config, const char *path, op_tf **out, rt_err *err);
int op_cast_make(const void *config, const char *path, op_tf **out, rt_err *err);
int op_route_make(const void *config, const char *path, op_tf **out, rt_err *err);

#endif
