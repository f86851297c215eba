/* What a schema change did to a table's columns, as typed changes: the diff of a schema-change
 * record's before and after schemas, read through its origin map (batch.h) so that a renamed
 * column is a rename, not a drop and an add. Sources, transforms, the changelog writer and sinks
 * share it, so every one of them names a change the same way. Pure. */
#ifndef SLUICE_RUNTIME_SCHEMA_DIFF_H
#define SLUICE_RUNTIME_SCHEMA_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/base/errors.h"
#include "runtime/table.h"

typedef enum rt_column_change_kind {
    RT_COLUMN_ADD = 0,    /* after_index: the new column; after_column: where it goes */
    RT_COLUMN_DROP = 1,   /* before_index: the column that is gone */
    RT_COLUMN_RENAME = 2, /* before_index -> after_index, same type (a retype too: see flags) */
    RT_COLUMN_MODIFY = 3, /* before_index -> after_index, same name: type, nullability and/or
                             default */
} rt_column_change_kind;

/* "add_column", "drop_column", "rename_column", "modify_column". */
const char *rt_column_change_kind_name(rt_column_change_kind k);

/* One typed change. Names point into the before / after tables (borrowed). */
typedef struct rt_column_change {
    rt_column_change_kind kind;
    long before_index;    /* -1 for ADD */
    long after_index;     /* -1 for DROP */
    const char *name;     /* ADD, MODIFY: the column's name; DROP, RENAME: the old name */
    const char *new_name; /* RENAME: the new name; NULL otherwise */
    /* ADD: the column it follows in the after schema, NULL when it is the first column. */
    const char *after_column;
    bool type_changed;        /* RENAME / MODIFY: sql_type (or the value type) differs */
    bool nullability_changed; /* RENAME / MODIFY: nullable differs */
    /* RENAME / MODIFY: default_value differs (the new one is the after table's column's; ADD
     * reads its default there too, at after_index). */
    bool default_changed;
} rt_column_change;

/* The column changes from before to after, in this order: drops (by before's order), renames and
 * modifies (by after's order), adds (by after's order, so each add's after_column exists once the
 * adds before it are applied). origin: as rt_schema_change.origin, or NULL to match columns by
 * name. Writes up to max changes to out and the total to *count (may exceed max: call again
 * with a bigger array). *key_changed: the primary key (its columns, by origin, in order)
 * differs. 0, or RT_EINVAL when origin names a column outside before or twice. before NULL reads
 * as a table without columns (every column an add). Names compare case-insensitively, types by
 * value type and sql_type text (ignoring case), defaults by their text (exactly); a column that
 * only moved is no change. */
int rt_schema_diff(const rt_table *before, const rt_table *after, const int32_t *origin,
                   rt_column_change *out, size_t max, size_t *count, bool *key_changed,
                   rt_err *err);

#endif
