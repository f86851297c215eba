/* --create-tables: the target tables made over StarRocks' MySQL port (protocol notes §5.2: DDL
 * goes only there), existing tables compared with what would be created. */
#ifndef SLUICE_JOBS_CODEGEN_CREATE_TABLES_H
#define SLUICE_JOBS_CODEGEN_CREATE_TABLES_H

#include "jobs/codegen/ddl.h"
#include "jobs/codegen/lines.h"
#include "jobs/codegen/shard_merge.h"
#include "runtime/base/errors.h"

/* The FE's MySQL port. Caller-allocated; borrowed. */
typedef struct gen_sr_params {
    const char *host;
    unsigned port; /* query_port */
    const char *user;
    const char *password; /* NULL: empty */
    unsigned timeout_s;   /* 0: 30 */
} gen_sr_params;

/* Connects, creates the database if needed, and then for each target: an existing table with the
 * same column names and types is left alone (a note says so); otherwise CREATE TABLE runs. When
 * an existing table differs, nothing is created: RT_EEXIST, and diff gets one line per
 * difference ("orders: column amount: exists as DECIMAL(10,2), would be DECIMAL(12,2)",
 * "orders: missing column note"). Connection and SQL errors: RT_EUNAVAIL / RT_EINVAL with the
 * server's message (never the password). */
int gen_create_tables(const gen_sr_params *p, const char *db, const gen_target_set *targets,
                      const gen_ddl_options *o, gen_lines *notes, gen_lines *diff, rt_err *err);

/* Normalizes a StarRocks type text for comparison: lower case, no display widths on integers
 * ("bigint(20)" -> "bigint"), STRING as varchar(65533), DECIMAL32/64/128 as decimal, no spaces.
 * out holds size bytes. */
void gen_sr_type_normalize(const char *type, char *out, size_t size);

#endif
