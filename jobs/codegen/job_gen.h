/* The Sluice job graph `sluice generate` writes: mysql_cdc -> [route] -> starrocks, as the JSON
 * text `sluice run` reads (README "Job files"). Pure. */
#ifndef SLUICE_JOBS_CODEGEN_JOB_GEN_H
#define SLUICE_JOBS_CODEGEN_JOB_GEN_H

#include <stdbool.h>

#include "jobs/codegen/schema_scan.h"
#include "jobs/codegen/shard_merge.h"
#include "jobs/codegen/source_url.h"
#include "runtime/base/buf.h"
#include "runtime/base/errors.h"

/* Environment variables the generated job reads the passwords from. */
#define GEN_SOURCE_PASSWORD_ENV "SLUICE_SOURCE_PASSWORD"
#define GEN_TARGET_PASSWORD_ENV "SLUICE_TARGET_PASSWORD"

/* Caller-allocated; everything borrowed. NULL / 0 take the defaults noted. */
typedef struct gen_job_options {
    const char *name;                 /* "mysql-to-starrocks" */
    unsigned parallelism;             /* 1: of the source and of the sink */
    const char *semantic;             /* "exactly-once" or "at-least-once" */
    const char *checkpoint_interval;  /* "10s" */
    const char *server_id;            /* "5400" or "5400-5403"; default 5400 (+ parallelism - 1) */
    const char *startup;              /* "initial" */
    const gen_url *source;            /* required */
    const char *source_password_file; /* referenced instead of SLUICE_SOURCE_PASSWORD */
    const gen_url *target;            /* required */
    const char *target_password_file;
    /* The sink sends CSV rather than JSON lines: JSON bodies cannot carry bytes that are not
     * UTF-8, so tables with VARBINARY columns need it. */
    bool sink_csv;
    /* Literal passwords written into the job as "password" (the daemon's console); NULL: the
     * reference (password_file or the environment variable). */
    const char *source_password;
    const char *target_password;
    /* Per tables->items[i]: true writes the table's (already filtered) columns into the source's
     * "columns" config. NULL: no column lists. */
    const bool *columns_listed;
} gen_job_options;

/* Checks the options that do not need a server (name, semantic, server_id range size against
 * the parallelism, the interval). RT_EINVAL naming the option. */
int gen_job_options_check(const gen_job_options *o, rt_err *err);

/* Appends regex-escaped s (".", "[", "(", ... get a backslash) to b. */
void gen_regex_escape_append(rt_buf *b, const char *s);

/* Writes the job: the source reads one anchored regex per table of `tables`; a route vertex
 * appears when a target merges shards or renames a table; the sink loads into the target
 * database with records' own table names. *json: malloc'd, pretty-printed, ends with a newline;
 * caller frees. */
int gen_job_format(const gen_job_options *o, const gen_table_set *tables,
                   const gen_target_set *targets, char **json, rt_err *err);

#endif
