/* The operator registry: the table of every operator type, and the catalog view of it that the
 * job-graph validator uses. Adding an operator means adding one line to `operators` below. */
#include "operators/registry.h"

#include <stdio.h>
#include <string.h>

/* Each operator's .c file defines exactly one op_type. They are declared here rather than in
 * headers of their own because nothing but this table may name a concrete operator. */
extern const op_type op_datagen_type;
extern const op_type op_print_type;
extern const op_type op_blackhole_type;
extern const op_type op_file_type;
extern const op_type op_mysql_cdc_type;
extern const op_type op_starrocks_type;
extern const op_type op_project_type;
extern const op_type op_filter_type;
extern const op_type op_rename_type;
extern const op_type op_cast_type;
extern const op_type op_route_type;

static const op_type *const operators[] = {
    &op_datagen_type,
    &op_print_type,
    &op_blackhole_type,
    &op_file_type,
    &op_mysql_cdc_type,
    &op_starrocks_type,
    &op_project_type,
    &op_filter_type,
    &op_rename_type,
    &op_cast_type,
    &op_route_type,
};

#define OPERATOR_COUNT (sizeof operators / sizeof operators[0])

const op_type *op_registry_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < OPERATOR_COUNT; i++) {
        if (strcmp(operators[i]->info.name, name) == 0)
            return operators[i];
    }
    return NULL;
}

size_t op_registry_count(void)
{
    return OPERATOR_COUNT;
}

const op_type *op_registry_at(size_t i)
{
    return i < OPERATOR_COUNT ? operators[i] : NULL;
}

static const graph_type_info *catalog_find(void *ctx, const char *type)
{
    const op_type *t = op_registry_find(type);
    return t ? &t->info : NULL;
}

static void catalog_list(void *ctx, char *buf, size_t size)
{
    size_t len = 0;
    if (size == 0)
        return;
    buf[0] = '\0';
    for (size_t i = 0; i < OPERATOR_COUNT && len < size; i++) {
        int n = snprintf(buf + len, size - len, "%s%s", i ? ", " : "", operators[i]->info.name);
        if (n < 0)
            return;
        len += (size_t)n;
    }
}

static const graph_catalog catalog = {
    .find = catalog_find,
    .ctx = NULL,
    .list = catalog_list,
};

const graph_catalog *op_registry_catalog(void)
{
    return &catalog;
}
