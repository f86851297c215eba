/* `sluice generate` as a library: MySQL/MariaDB table metadata in, StarRocks DDL and a Sluice
 * job graph out, with the list of what the type mapping loses and notes on what was decided.
 * The CLI (runtime/cli/cmd_generate.c) and the daemon's web console call it. */
#ifndef SLUICE_JOBS_CODEGEN_CODEGEN_H
#define SLUICE_JOBS_CODEGEN_CODEGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/base/errors.h"

/* What to do when shards merged into one target can share a key value. */
typedef enum gen_merge_key {
    GEN_MERGE_KEY_ASK = 0,    /* check; a possible collision fails with RT_ESTATE */
    GEN_MERGE_KEY_ADD_SOURCE, /* add _source_db and _source_table to the table and its key */
    GEN_MERGE_KEY_ACCEPT,     /* keep the key: the last write of a key wins across shards */
} gen_merge_key;

/* "ask", "add-source", "accept"; "?" otherwise. */
const char *gen_merge_key_name(gen_merge_key k);
/* Parses "add-source" / "accept". RT_EINVAL otherwise. */
int gen_merge_key_parse(const char *s, gen_merge_key *out, rt_err *err);

/* Only these columns of the tables a whole-name regex matches (mysql_cdc's "columns" config); the
 * key columns are always kept. Caller-allocated; borrowed. */
typedef struct gen_column_list {
    const char *pattern;      /* POSIX extended regex over whole "db.table" names */
    const char *const *names; /* columns to keep, each must exist */
    size_t count;
} gen_column_list;

/* Caller-allocated; every pointer borrowed for the duration of the call. Zero values take the
 * defaults noted. Passwords are resolved text, used to connect and never written anywhere (unless
 * embed_passwords): the job refers to SLUICE_SOURCE_PASSWORD / SLUICE_TARGET_PASSWORD, or to the
 * password files. */
typedef struct gen_options {
    const char *source_url;           /* mysql://USER@HOST[:PORT][?ssl_mode=MODE] */
    const char *source_password;      /* NULL: none */
    const char *source_password_file; /* the job then reads this file instead of the env var */
    const char *target_url;           /* starrocks://USER@FE_HOST[:HTTP_PORT]/DB[?query_port=N] */
    const char *target_password;
    const char *target_password_file;
    const char *const *tables; /* regexes over whole "db.table" names; each must match */
    size_t table_count;
    const char *const *routes; /* "REGEX=TARGET" ({db}, {table}); first match wins */
    size_t route_count;
    gen_merge_key merge_key;
    uint64_t collision_check_rows;   /* per shard; 0: 1000000 */
    const char *name;                /* job name; "mysql-to-starrocks" */
    unsigned parallelism;            /* 1 */
    const char *semantic;            /* "exactly-once" */
    const char *checkpoint_interval; /* "10s" */
    const char *server_id;           /* "5400[-5403]"; 5400 upward */
    const char *startup;             /* "initial" */
    unsigned buckets;                /* 0: one per GiB of data, 1..64 */
    unsigned replication_num;        /* 0: 1 */
    const char *const *properties;   /* "key=value" table properties */
    size_t property_count;
    const gen_column_list *columns; /* NULL: every column of every table */
    size_t column_list_count;
    /* The job carries the passwords as literal "password" values instead of references: for the
     * daemon, whose environment holds no SLUICE_*_PASSWORD (its store keeps job texts 0600 and its
     * views mask them). Off for the CLI, whose jobs never hold a password. */
    bool embed_passwords;
} gen_options;

typedef struct gen_result gen_result;

/* Reads the source's metadata and builds the DDL and the job. Errors: RT_EINVAL for bad options
 * and for tables that cannot be synced (no key, unmapped type, shards with different keys),
 * the connection's errors (RT_EUNAVAIL ...), and RT_ESTATE when shards of a target can collide
 * on their key and merge_key is ASK: the message names the target, the shards, a colliding key
 * (or why the check could not decide) and the two --merge-key choices. *out: free with
 * gen_result_free. Any thread; blocks on the source. */
int gen_generate(const gen_options *o, gen_result **out, rt_err *err);

/* The DDL script: comment lines for the lossy list and the notes, CREATE DATABASE, one CREATE
 * TABLE per target. Borrowed; valid until gen_result_free. */
const char *gen_result_ddl(const gen_result *r);
/* The job graph, JSON text that `sluice run` accepts. Borrowed. */
const char *gen_result_job(const gen_result *r);
/* What the mapping loses or refuses, one "db.table.column: why" line each. Borrowed. */
size_t gen_result_lossy_count(const gen_result *r);
const char *gen_result_lossy(const gen_result *r, size_t i);
/* What was decided or changed without loss (and, after gen_result_create_tables, what it did).
 * Borrowed. */
size_t gen_result_note_count(const gen_result *r);
const char *gen_result_note(const gen_result *r, size_t i);
/* After gen_result_create_tables failed with RT_EEXIST: one line per difference. Borrowed. */
size_t gen_result_conflict_count(const gen_result *r);
const char *gen_result_conflict(const gen_result *r, size_t i);

/* Creates the target database and tables over StarRocks' MySQL port (o's target URL and
 * password): existing tables with the same columns are left alone (noted); when one differs,
 * nothing is created and RT_EEXIST is returned (the differences in gen_result_conflict).
 * Connection and SQL errors otherwise. */
int gen_result_create_tables(gen_result *r, const gen_options *o, rt_err *err);

/* NULL is a no-op. */
void gen_result_free(gen_result *r);

#endif
