/* The origin map of an ALTER TABLE (ddl_origin.h). */
#include "operators/mysql/ddl_origin.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A column while the statement is followed: its current name and the before column it is. */
typedef struct tracked {
    const char *name; /* borrowed from before or the statement */
    int32_t origin;
} tracked;

static long find(const tracked *t, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(t[i].name, name) == 0)
            return (long)i;
    return -1;
}

int op_ddl_origin(const op_ddl *d, const rt_table *before, const rt_table *after, int32_t *origin,
                  rt_err *err)
{
    size_t nb = rt_table_column_count(before), na = op_ddl_alter_count(d);
    tracked *t = malloc((nb + na ? nb + na : 1) * sizeof *t);
    if (!t)
        return rt_err_set(err, RT_ENOMEM, "mysql_cdc: out of memory");
    size_t n = 0;
    for (size_t i = 0; i < nb; i++)
        t[n++] = (tracked){rt_table_column(before, i)->name, (int32_t)i};
    /* The history refuses a statement that does not fit the table (a column it lacks, a
     * duplicate), so whatever this loop skips is what the history skipped (IF [NOT] EXISTS) or
     * a column the selection leaves out. */
    for (size_t k = 0; k < na; k++) {
        const op_ddl_alter *a = op_ddl_alter_at(d, k);
        long i;
        switch (a->kind) {
        case OP_DDL_ADD_COLUMN:
            if (find(t, n, a->column.name) < 0)
                t[n++] = (tracked){a->column.name, -1};
            break;
        case OP_DDL_DROP_COLUMN:
            if ((i = find(t, n, a->name)) >= 0) {
                memmove(&t[i], &t[i + 1], (n - (size_t)i - 1) * sizeof *t);
                n--;
            }
            break;
        case OP_DDL_CHANGE_COLUMN:
            if ((i = find(t, n, a->name)) >= 0)
                t[i].name = a->column.name;
            break;
        case OP_DDL_RENAME_COLUMN:
            if ((i = find(t, n, a->name)) >= 0)
                t[i].name = a->new_name;
            break;
        case OP_DDL_MODIFY_COLUMN:
        case OP_DDL_RENAME_TO:
        case OP_DDL_ADD_PRIMARY_KEY:
        case OP_DDL_DROP_PRIMARY_KEY:
        case OP_DDL_ALTER_DEFAULT:
            break; /* the columns stay who they are; where they stand does not matter here */
        }
    }
    for (size_t j = 0; j < rt_table_column_count(after); j++) {
        long i = find(t, n, rt_table_column(after, j)->name);
        origin[j] = i >= 0 ? t[i].origin : -1;
    }
    free(t);
    return 0;
}
