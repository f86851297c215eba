/* StarRocks DDL text for the target tables: CREATE DATABASE and one CREATE TABLE per target, a
 * primary-key table as protocol notes §6.1 lays it out. Pure. */
#ifndef SLUICE_JOBS_CODEGEN_DDL_H
#define SLUICE_JOBS_CODEGEN_DDL_H

#include <stddef.h>
#include <stdint.h>

#include "jobs/codegen/shard_merge.h"
#include "runtime/base/buf.h"
#include "runtime/base/errors.h"

/* Table settings beyond the columns. Caller-allocated; borrowed. */
typedef struct gen_ddl_options {
    unsigned buckets;              /* 0: from the data size (gen_ddl_buckets) */
    unsigned replication_num;      /* 0: 1 */
    const char *const *properties; /* "key=value" each, appended to PROPERTIES */
    size_t property_count;
} gen_ddl_options;

/* The bucket count for data_length bytes: one per GiB, at least 1 and at most 64 (StarRocks
 * suggests buckets of a few GB; 64 keeps small clusters from drowning in tablets). */
unsigned gen_ddl_buckets(uint64_t data_length);

/* Checks the --property items: "key=value" with a non-empty key, not replication_num (that has
 * its own option). RT_EINVAL naming the item. */
int gen_ddl_options_check(const gen_ddl_options *o, rt_err *err);

/* Appends `name` back-quoted (a backquote inside doubled). */
void gen_ddl_append_ident(rt_buf *b, const char *name);
/* Appends s as a double-quoted StarRocks string literal (\\, \", \n, \r, \t escaped). */
void gen_ddl_append_string(rt_buf *b, const char *s);

/* Appends "CREATE TABLE IF NOT EXISTS `db`.`t` (...) ... ;\n" for t. */
void gen_ddl_append_table(rt_buf *b, const char *db, const gen_target *t, const gen_ddl_options *o);

#endif
