/* gen_generate: source URL -> connection -> table scan -> targets (routes, merges, collision
 * decisions) -> job JSON and DDL script. The passwords only reach op_mysql_conn_open and
 * gen_create_tables; nothing built here holds them. */
#include "jobs/codegen/codegen.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/codegen/collision.h"
#include "jobs/codegen/create_tables.h"
#include "jobs/codegen/ddl.h"
#include "jobs/codegen/job_gen.h"
#include "jobs/codegen/lines.h"
#include "jobs/codegen/schema_scan.h"
#include "jobs/codegen/shard_merge.h"
#include "jobs/codegen/source_url.h"
#include "operators/mysql/connection.h"
#include "runtime/base/buf.h"

#define DEFAULT_COLLISION_CHECK_ROWS 1000000u

struct gen_result {
    gen_url source, target;
    gen_table_set tables;
    gen_target_set targets;      /* borrow from tables */
    gen_ddl_options ddl_options; /* borrows from the caller's gen_options: only used inside calls */
    gen_lines lossy, notes, conflicts;
    char *ddl;
    char *job;
    bool *columns_listed; /* per tables.items[i]: its columns were cut to a gen_column_list */
};

const char *gen_merge_key_name(gen_merge_key k)
{
    switch (k) {
    case GEN_MERGE_KEY_ASK:
        return "ask";
    case GEN_MERGE_KEY_ADD_SOURCE:
        return "add-source";
    case GEN_MERGE_KEY_ACCEPT:
        return "accept";
    }
    return "?";
}

int gen_merge_key_parse(const char *s, gen_merge_key *out, rt_err *err)
{
    if (strcmp(s, "add-source") == 0)
        *out = GEN_MERGE_KEY_ADD_SOURCE;
    else if (strcmp(s, "accept") == 0)
        *out = GEN_MERGE_KEY_ACCEPT;
    else
        return rt_err_set(err, RT_EINVAL, "--merge-key \"%s\": add-source or accept", s);
    return 0;
}

void gen_result_free(gen_result *r)
{
    if (!r)
        return;
    gen_target_set_fini(&r->targets);
    gen_table_set_fini(&r->tables);
    gen_url_fini(&r->source);
    gen_url_fini(&r->target);
    gen_lines_fini(&r->lossy);
    gen_lines_fini(&r->notes);
    gen_lines_fini(&r->conflicts);
    free(r->ddl);
    free(r->job);
    free(r->columns_listed);
    free(r);
}

const char *gen_result_ddl(const gen_result *r)
{
    return r->ddl;
}
const char *gen_result_job(const gen_result *r)
{
    return r->job;
}
size_t gen_result_lossy_count(const gen_result *r)
{
    return r->lossy.count;
}
const char *gen_result_lossy(const gen_result *r, size_t i)
{
    return i < r->lossy.count ? r->lossy.items[i] : NULL;
}
size_t gen_result_note_count(const gen_result *r)
{
    return r->notes.count;
}
const char *gen_result_note(const gen_result *r, size_t i)
{
    return i < r->notes.count ? r->notes.items[i] : NULL;
}
size_t gen_result_conflict_count(const gen_result *r)
{
    return r->conflicts.count;
}
const char *gen_result_conflict(const gen_result *r, size_t i)
{
    return i < r->conflicts.count ? r->conflicts.items[i] : NULL;
}

static int open_source(const gen_url *u, const char *password, op_mysql_conn **out, rt_err *err)
{
    op_mysql_conn_params p = {
        .host = u->host,
        .port = u->port,
        .user = u->user,
        .password = password,
        .ssl_mode = OP_MYSQL_SSL_PREFERRED,
    };
    if (u->ssl_mode) {
        size_t i = 0;
        while (op_mysql_ssl_mode_choices[i] && strcmp(op_mysql_ssl_mode_choices[i], u->ssl_mode))
            i++;
        if (!op_mysql_ssl_mode_choices[i])
            return rt_err_set(err, RT_EINVAL,
                              "--source: ssl_mode \"%s\": disabled, preferred, required, "
                              "verify_ca or verify_identity",
                              u->ssl_mode);
        p.ssl_mode = (op_mysql_ssl_mode)i;
    }
    return op_mysql_conn_open(&p, out, err);
}

/* "a.x, b.x and 2 more" into buf. */
static void shard_list(const gen_target *t, char *buf, size_t size)
{
    size_t at = 0;
    buf[0] = '\0';
    for (size_t s = 0; s < t->shard_count && s < 4 && at < size; s++)
        at += (size_t)snprintf(buf + at, size - at, "%s%s.%s", s ? ", " : "", t->shards[s]->db,
                               t->shards[s]->name);
    if (t->shard_count > 4 && at < size)
        snprintf(buf + at, size - at, " and %zu more", t->shard_count - 4);
}

/* Settles one merged target: the user's --merge-key, or the collision check. */
static int decide_merge(op_mysql_conn *c, const gen_options *o, gen_result *r, gen_target *t,
                        rt_err *err)
{
    char shards[200];
    shard_list(t, shards, sizeof shards);
    if (o->merge_key == GEN_MERGE_KEY_ADD_SOURCE) {
        int rc = gen_target_add_source(t, err);
        if (rc == 0)
            gen_lines_addf(&r->notes,
                           "%s merges %zu shards (%s): --merge-key add-source: key extended "
                           "with %s and %s",
                           t->name, t->shard_count, shards, GEN_SOURCE_DB_COLUMN,
                           GEN_SOURCE_TABLE_COLUMN);
        return rc;
    }
    if (o->merge_key == GEN_MERGE_KEY_ACCEPT) {
        gen_lines_addf(&r->notes,
                       "%s merges %zu shards (%s): --merge-key accept: a key in two shards is one "
                       "row, the last write wins",
                       t->name, t->shard_count, shards);
        return 0;
    }
    uint64_t max = o->collision_check_rows ? o->collision_check_rows : DEFAULT_COLLISION_CHECK_ROWS;
    gen_collision col;
    int rc = gen_collision_check(c, t, max, &col, err);
    if (rc != 0)
        return rc;
    const gen_table *a = t->shards[col.shard_a], *b = t->shards[col.shard_b];
    char why[1024];
    switch (col.kind) {
    case GEN_COLLISION_NONE:
        gen_lines_addf(&r->notes, "%s merges %zu shards (%s): no key value is in two shards",
                       t->name, t->shard_count, shards);
        return 0;
    case GEN_COLLISION_FOUND:
        snprintf(why, sizeof why, "key (%s) is in both %s.%s and %s.%s", col.key, a->db, a->name,
                 b->db, b->name);
        break;
    case GEN_COLLISION_TOO_BIG:
        snprintf(why, sizeof why, "%s.%s has more than %llu rows to check (--collision-check-rows)",
                 a->db, a->name, (unsigned long long)max);
        break;
    case GEN_COLLISION_AUTO_INCREMENT:
        snprintf(why, sizeof why,
                 "key column %s of %s.%s is AUTO_INCREMENT: shards collide as they grow", col.key,
                 a->db, a->name);
        break;
    }
    return rt_err_set(err, RT_ESTATE,
                      "target %s merges %s: %s; choose --merge-key add-source (adds %s and %s "
                      "to the table and its key) or --merge-key accept (the last write of a key "
                      "wins across shards)",
                      t->name, shards, why, GEN_SOURCE_DB_COLUMN, GEN_SOURCE_TABLE_COLUMN);
}

static void build_ddl(gen_result *r, const char *job_name)
{
    rt_buf b;
    rt_buf_init(&b);
    rt_buf_appendf(&b, "-- StarRocks tables of job \"%s\", written by `sluice generate`.\n",
                   job_name ? job_name : "mysql-to-starrocks");
    for (size_t i = 0; i < r->lossy.count; i++)
        rt_buf_appendf(&b, "-- warning: %s\n", r->lossy.items[i]);
    for (size_t i = 0; i < r->notes.count; i++)
        rt_buf_appendf(&b, "-- note: %s\n", r->notes.items[i]);
    rt_buf_append_str(&b, "\nCREATE DATABASE IF NOT EXISTS ");
    gen_ddl_append_ident(&b, r->target.database);
    rt_buf_append_str(&b, ";\n");
    for (size_t i = 0; i < r->targets.count; i++) {
        rt_buf_append_char(&b, '\n');
        gen_ddl_append_table(&b, r->target.database, &r->targets.items[i], &r->ddl_options);
    }
    r->ddl = rt_buf_take(&b);
}

static bool key_has(const gen_table *t, size_t col)
{
    for (size_t k = 0; k < t->key_count; k++)
        if (t->key[k] == col)
            return true;
    return false;
}

/* Cuts t's columns to names plus its key columns (table order kept, key indexes remapped). */
static int cut_columns(gen_table *t, const gen_column_list *l, rt_err *err)
{
    bool *keep = calloc(t->column_count ? t->column_count : 1, sizeof *keep);
    if (!keep)
        return rt_err_set(err, RT_ENOMEM, "columns: out of memory");
    for (size_t i = 0; i < l->count; i++) {
        long at = gen_table_find_column(t, l->names[i]);
        if (at < 0) {
            free(keep);
            return rt_err_set(err, RT_EINVAL, "columns \"%s\": table %s.%s has no column \"%s\"",
                              l->pattern, t->db, t->name, l->names[i]);
        }
        keep[at] = true;
    }
    size_t n = 0;
    for (size_t i = 0; i < t->column_count; i++) {
        gen_column *c = &t->columns[i];
        if (!keep[i] && !key_has(t, i)) {
            free(c->name);
            free(c->data_type);
            free(c->column_type);
            free(c->charset);
            free(c->comment);
            continue;
        }
        for (size_t k = 0; k < t->key_count; k++)
            if (t->key[k] == i)
                t->key[k] = n;
        t->columns[n++] = *c;
    }
    t->column_count = n;
    free(keep);
    return 0;
}

/* Applies o->columns: the first list whose pattern matches a table's whole name cuts it. */
static int apply_column_lists(const gen_options *o, gen_result *r, rt_err *err)
{
    if (!o->column_list_count)
        return 0;
    r->columns_listed = calloc(r->tables.count ? r->tables.count : 1, sizeof(bool));
    if (!r->columns_listed)
        return rt_err_set(err, RT_ENOMEM, "columns: out of memory");
    int rc = 0;
    for (size_t p = 0; rc == 0 && p < o->column_list_count; p++) {
        const gen_column_list *l = &o->columns[p];
        rt_buf re;
        rt_buf_init(&re);
        rt_buf_appendf(&re, "^(%s)$", l->pattern ? l->pattern : "");
        regex_t rx;
        if (!l->pattern || !l->count || regcomp(&rx, re.data, REG_EXTENDED | REG_NOSUB) != 0) {
            rt_buf_fini(&re);
            return rt_err_set(err, RT_EINVAL,
                              "columns \"%s\": need a valid regex and at least one column",
                              l->pattern ? l->pattern : "");
        }
        rt_buf_fini(&re);
        for (size_t i = 0; rc == 0 && i < r->tables.count; i++) {
            gen_table *t = &r->tables.items[i];
            char full[600];
            snprintf(full, sizeof full, "%s.%s", t->db, t->name);
            if (r->columns_listed[i] || regexec(&rx, full, 0, NULL, 0) != 0)
                continue;
            rc = cut_columns(t, l, err);
            r->columns_listed[i] = rc == 0;
        }
        regfree(&rx);
    }
    return rc;
}

static int generate(const gen_options *o, gen_result *r, rt_err *err)
{
    int rc = gen_url_parse_mysql(o->source_url ? o->source_url : "", &r->source, err);
    if (rc == 0)
        rc = gen_url_parse_starrocks(o->target_url ? o->target_url : "", &r->target, err);
    gen_job_options jo = {
        .name = o->name,
        .parallelism = o->parallelism,
        .semantic = o->semantic,
        .checkpoint_interval = o->checkpoint_interval,
        .server_id = o->server_id,
        .startup = o->startup,
        .source = &r->source,
        .source_password_file = o->source_password_file,
        .target = &r->target,
        .target_password_file = o->target_password_file,
        .source_password =
            o->embed_passwords ? (o->source_password ? o->source_password : "") : NULL,
        .target_password =
            o->embed_passwords ? (o->target_password ? o->target_password : "") : NULL,
    };
    r->ddl_options = (gen_ddl_options){
        .buckets = o->buckets,
        .replication_num = o->replication_num,
        .properties = o->properties,
        .property_count = o->property_count,
    };
    if (rc == 0)
        rc = gen_job_options_check(&jo, err);
    if (rc == 0)
        rc = gen_ddl_options_check(&r->ddl_options, err);
    if (rc != 0)
        return rc;

    op_mysql_conn *c = NULL;
    rc = open_source(&r->source, o->source_password, &c, err);
    if (rc == 0)
        rc = gen_schema_scan(c, o->tables, o->table_count, gen_lines_add_cb, &r->notes, &r->tables,
                             err);
    if (rc == 0)
        rc = apply_column_lists(o, r, err);
    jo.columns_listed = r->columns_listed;
    if (rc == 0)
        rc = gen_targets_group(&r->tables, o->routes, o->route_count, &r->targets, err);
    for (size_t i = 0; rc == 0 && i < r->targets.count; i++)
        rc = gen_target_merge(&r->targets.items[i], &r->lossy, &r->notes, err);
    for (size_t i = 0; rc == 0 && i < r->targets.count; i++)
        if (r->targets.items[i].shard_count > 1)
            rc = decide_merge(c, o, r, &r->targets.items[i], err);
    op_mysql_conn_close(c);
    if (rc == 0 && !o->buckets)
        gen_lines_addf(&r->notes, "BUCKETS: one per GiB of source data (1..64); --buckets N "
                                  "sets it");
    const gen_target *binary_table = NULL;
    const char *binary_column = NULL;
    for (size_t i = 0; rc == 0 && !binary_table && i < r->targets.count; i++)
        for (size_t k = 0; !binary_column && k < r->targets.items[i].column_count; k++)
            if (r->targets.items[i].columns[k].type.kind == GEN_SR_VARBINARY) {
                binary_table = &r->targets.items[i];
                binary_column = binary_table->columns[k].name;
            }
    if (binary_table) {
        jo.sink_csv = true;
        gen_lines_addf(&r->notes,
                       "the sink loads CSV (\"format\": \"csv\"): binary columns such as %s.%s "
                       "cannot travel in JSON bodies",
                       binary_table->name, binary_column);
    }
    if (rc == 0)
        rc = gen_job_format(&jo, &r->tables, &r->targets, &r->job, err);
    if (rc == 0)
        build_ddl(r, o->name);
    return rc;
}

int gen_generate(const gen_options *o, gen_result **out, rt_err *err)
{
    gen_result *r = calloc(1, sizeof *r);
    if (!r)
        return rt_err_set(err, RT_ENOMEM, "generate: out of memory");
    int rc = generate(o, r, err);
    if (rc != 0) {
        gen_result_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int gen_result_create_tables(gen_result *r, const gen_options *o, rt_err *err)
{
    gen_sr_params p = {
        .host = r->target.host,
        .port = r->target.query_port,
        .user = r->target.user,
        .password = o->target_password,
    };
    gen_ddl_options d = {
        .buckets = o->buckets,
        .replication_num = o->replication_num,
        .properties = o->properties,
        .property_count = o->property_count,
    };
    gen_lines_fini(&r->conflicts);
    return gen_create_tables(&p, r->target.database, &r->targets, &d, &r->notes, &r->conflicts,
                             err);
}
