/* The mysql_cdc source: the config table (connection and table keys of source_config.h, startup
 * mode, stop, heartbeat), and the operator that checks the server, reads the selected tables'
 * schemas, runs the snapshot phase (cdc_snapshot.h) for startup "initial" and "snapshot", picks the
 * binlog start (restored state first, else the snapshot's smallest HIGH mark, else the startup
 * mode) and streams the binlog (cdc_binlog_reader.h). Every subtask reads snapshot splits (each
 * with its own connection and server_id); subtask 0 also splits the tables, decides when the
 * snapshot is over for the checkpoints, and alone reads the binlog phase. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operators/mysql/binlog_client.h"
#include "operators/mysql/cdc_binlog_reader.h"
#include "operators/mysql/cdc_snapshot.h"
#include "operators/mysql/cdc_state.h"
#include "operators/mysql/schema_reader.h"
#include "operators/mysql/server_check.h"
#include "operators/mysql/snapshot_coordinator.h"
#include "operators/mysql/source_config.h"
#include "operators/op.h"
#include "runtime/base/config.h"
#include "runtime/base/log.h"

typedef struct cdc_config {
    op_mysql_source_config conn;
    char *startup; /* JSON text: "mode" or {"mode": ..., ...}; NULL: initial */
    int64_t heartbeat_ms;
    int64_t max_txn_records;
    int stop; /* cdc_stop */
} cdc_config;

/* When the binlog phase ends. */
typedef enum cdc_stop {
    STOP_NEVER,
    STOP_LATEST, /* at the server position taken when the binlog phase opens */
} cdc_stop;

static const char *const stop_names[] = {"never", "latest-offset", NULL};

static const rt_config_field cdc_fields[] = {
    OP_MYSQL_SOURCE_CONFIG_FIELDS(offsetof(cdc_config, conn)),
    {.key = "startup",
     .type = RT_CFG_JSON,
     .offset = offsetof(cdc_config, startup),
     .help = "{\"mode\": \"initial|snapshot|latest-offset|earliest-offset|specific-offset|"
             "timestamp\", \"file\", \"pos\", \"gtid\", \"timestamp_ms\"}, or the mode alone"},
    {.key = "heartbeat_interval",
     .type = RT_CFG_DURATION,
     .def = "\"30s\"",
     .offset = offsetof(cdc_config, heartbeat_ms),
     .flags = RT_CFG_RANGE,
     .min = 100,
     .max = 3600000,
     .help = "how often an idle server sends a heartbeat (keeps the position fresh)"},
    {.key = "max_transaction_records",
     .type = RT_CFG_INT,
     .def = "0",
     .offset = offsetof(cdc_config, max_txn_records),
     .flags = RT_CFG_RANGE,
     .min = 0,
     .max = INT64_MAX,
     .help = "records of one transaction buffered before it is emitted in pieces; 0: 64 batches"},
    {.key = "stop",
     .type = RT_CFG_ENUM,
     .def = "\"never\"",
     .offset = offsetof(cdc_config, stop),
     .choices = stop_names,
     .help = "never, or latest-offset: the job finishes once the binlog phase emitted everything "
             "committed before the server position taken when it opened (replays, re-syncs)"},
    {0},
};

typedef enum startup_mode {
    STARTUP_INITIAL,
    STARTUP_SNAPSHOT,
    STARTUP_LATEST,
    STARTUP_EARLIEST,
    STARTUP_SPECIFIC,
    STARTUP_TIMESTAMP,
} startup_mode;

static const char *const startup_names[] = {
    "initial", "snapshot", "latest-offset", "earliest-offset", "specific-offset", "timestamp", NULL,
};

typedef struct startup {
    startup_mode mode;
    char file[OP_BINLOG_FILE_NAME_SIZE]; /* specific-offset; "" when absent */
    uint64_t pos;
    char *gtid; /* specific-offset; owned, NULL when absent */
    int64_t timestamp_ms;
} startup;

/* Parses the startup key (path: its JSON path) and checks which keys go with which mode. */
static int startup_parse(const char *text, const char *path, startup *out, rt_err *err)
{
    memset(out, 0, sizeof *out);
    if (!text)
        return 0;
    json_error_t jerr;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (!j)
        return rt_err_set(err, RT_EINVAL, "%s: %s", path, jerr.text);
    int rc = 0;
    json_t *mode = json_is_string(j) ? j : json_object_get(j, "mode");
    if (!json_is_object(j) && !json_is_string(j)) {
        rc = rt_err_set(err, RT_EINVAL, "%s: expected a mode or an object", path);
        goto done;
    }
    if (!json_is_string(mode)) {
        rc = rt_err_set(err, RT_EINVAL, "%s.mode: expected one of %s", path,
                        "initial, snapshot, latest-offset, earliest-offset, specific-offset, "
                        "timestamp");
        goto done;
    }
    size_t m = 0;
    while (startup_names[m] && strcmp(startup_names[m], json_string_value(mode)) != 0)
        m++;
    if (!startup_names[m]) {
        rc = rt_err_set(err, RT_EINVAL,
                        "%s.mode: unknown mode \"%s\" (initial, snapshot, "
                        "latest-offset, earliest-offset, specific-offset, timestamp)",
                        path, json_string_value(mode));
        goto done;
    }
    out->mode = (startup_mode)m;
    if (!json_is_object(j))
        goto done;
    const char *key;
    json_t *v;
    json_object_foreach(j, key, v)
    {
        bool specific = out->mode == STARTUP_SPECIFIC, ts = out->mode == STARTUP_TIMESTAMP;
        if (strcmp(key, "mode") == 0)
            continue;
        if (strcmp(key, "file") == 0 && specific && json_is_string(v) &&
            json_string_length(v) > 0 && json_string_length(v) < sizeof out->file) {
            snprintf(out->file, sizeof out->file, "%s", json_string_value(v));
        } else if (strcmp(key, "pos") == 0 && specific && json_is_integer(v) &&
                   json_integer_value(v) >= 4) {
            out->pos = (uint64_t)json_integer_value(v);
        } else if (strcmp(key, "gtid") == 0 && specific && json_is_string(v)) {
            out->gtid = strdup(json_string_value(v));
        } else if (strcmp(key, "timestamp_ms") == 0 && ts && json_is_integer(v) &&
                   json_integer_value(v) >= 0) {
            out->timestamp_ms = json_integer_value(v);
        } else if (strcmp(key, "file") == 0 || strcmp(key, "pos") == 0 ||
                   strcmp(key, "gtid") == 0 || strcmp(key, "timestamp_ms") == 0) {
            bool ok_mode = strcmp(key, "timestamp_ms") == 0 ? ts : specific;
            rc = ok_mode ? rt_err_set(err, RT_EINVAL, "%s.%s: %s", path, key,
                                      strcmp(key, "pos") == 0 ? "expected an integer >= 4"
                                      : strcmp(key, "timestamp_ms") == 0
                                          ? "expected milliseconds since the epoch (>= 0)"
                                          : "expected a non-empty string")
                         : rt_err_set(err, RT_EINVAL, "%s.%s: only with mode \"%s\"", path, key,
                                      strcmp(key, "timestamp_ms") == 0 ? "timestamp"
                                                                       : "specific-offset");
            goto done;
        } else {
            rc = rt_err_set(err, RT_EINVAL,
                            "%s.%s: unknown key (mode, file, pos, gtid, "
                            "timestamp_ms)",
                            path, key);
            goto done;
        }
    }
    if (out->mode == STARTUP_SPECIFIC && !out->file[0] && !out->gtid)
        rc = rt_err_set(err, RT_EINVAL,
                        "%s: specific-offset needs \"file\" (and \"pos\") or "
                        "\"gtid\"",
                        path);
    else if (out->mode == STARTUP_SPECIFIC && out->pos && !out->file[0])
        rc = rt_err_set(err, RT_EINVAL, "%s.pos: needs \"file\"", path);
    else if (out->mode == STARTUP_TIMESTAMP && !json_object_get(j, "timestamp_ms"))
        rc = rt_err_set(err, RT_EINVAL, "%s: timestamp needs \"timestamp_ms\"", path);
    if (rc == 0 && out->gtid) {
        op_binlog_pos p;
        op_binlog_pos_init(&p);
        rc = op_binlog_pos_parse(out->gtid, strlen(out->gtid), &p, err);
        if (rc == 0 && (op_binlog_pos_has_file(&p) || !op_binlog_pos_has_gtid(&p)))
            rc = rt_err_set(err, RT_EINVAL, "expected a GTID set");
        op_binlog_pos_fini(&p);
        if (rc != 0)
            rt_err_prefix(err, rc, "%s.gtid", path);
    }
done:
    json_decref(j);
    if (rc != 0) {
        free(out->gtid);
        out->gtid = NULL;
    }
    return rc;
}

static int cdc_validate(const void *config, const char *path, rt_err *err)
{
    const cdc_config *c = config;
    int rc = op_mysql_source_config_validate(&c->conn, path, err);
    if (rc != 0)
        return rc;
    char where[256];
    snprintf(where, sizeof where, "%s.startup", path);
    startup s;
    if ((rc = startup_parse(c->startup, where, &s, err)) != 0)
        return rc;
    free(s.gtid);
    return 0;
}

typedef struct cdc {
    const cdc_config *cfg;
    char *password; /* resolved; op_mysql_source_config_password_free */
    op_mysql_table_filter *filter;
    startup su;
    /* The reader parameters (strings borrowed from cfg and password; this subtask's server_id),
     * then one phase at a time: the snapshot, or (subtask 0) the binlog reader with the split
     * filter of "initial" mode until the stream passed the largest HIGH mark. */
    op_cdc_binlog_reader_params rp;
    op_snapshot_coordinator *coord; /* the vertex's, shared by its subtasks */
    op_cdc_snapshot *snapshot;
    op_cdc_binlog_reader *reader;
    op_cdc_split_filter *splits;
    uint64_t last_ckpt; /* the last checkpoint whose state this subtask wrote */
    /* The snapshot has nothing more for this subtask to read (other subtasks; subtask 0 in
     * mode "snapshot"): s->snapshot stays only for the checkpoints' state. */
    bool read_done;
    bool ended; /* a bounded run returned OP_POLL_END */
} cdc;

static bool canceled(void *arg)
{
    return op_ctx_is_canceled(arg);
}

/* The position the startup mode names (no restored state, no snapshot). */
static int start_position(cdc *s, const op_binlog_client_params *cp, const startup *st,
                          op_binlog_pos *out, rt_err *err)
{
    switch (st->mode) {
    case STARTUP_INITIAL:
    case STARTUP_SNAPSHOT:
        break; /* the snapshot phase decides */
    case STARTUP_LATEST:
        return op_binlog_server_position(&cp->conn, out, err);
    case STARTUP_EARLIEST: {
        op_binlog_file *files = NULL;
        size_t n = 0;
        int rc = op_binlog_list_files(&cp->conn, &files, &n, err);
        if (rc == 0 && n == 0)
            rc = rt_err_set(err, RT_EINVAL, "SHOW BINARY LOGS lists no file");
        if (rc == 0)
            rc = op_binlog_pos_set_file(out, files[0].name, strlen(files[0].name), 4, err);
        free(files);
        return rc;
    }
    case STARTUP_SPECIFIC: {
        int rc = 0;
        if (st->gtid)
            rc = op_binlog_pos_parse(st->gtid, strlen(st->gtid), out, err);
        if (rc == 0 && st->file[0])
            rc =
                op_binlog_pos_set_file(out, st->file, strlen(st->file), st->pos ? st->pos : 4, err);
        return rc;
    }
    case STARTUP_TIMESTAMP:
        return op_binlog_find_by_timestamp(cp, st->timestamp_ms / 1000, out, err);
    }
    return rt_err_set(err, RT_EINTERNAL, "startup mode %d", (int)st->mode);
}

static void cdc_free(cdc *s)
{
    op_cdc_snapshot_free(s->snapshot);
    op_snapshot_coordinator_leave(s->coord);
    op_cdc_binlog_reader_free(s->reader);
    op_cdc_split_filter_free(s->splits);
    op_mysql_table_filter_free(s->filter);
    op_mysql_source_config_password_free(s->password);
    free(s->su.gtid);
    free(s);
}

/* Flink CDC's default range, 5400-6399, picked by the job's name when no id is configured: two
 * jobs on one server must differ, or the server ends one's stream when the other's starts. */
static uint32_t default_server_id(const char *job)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const char *p = job; p && *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return 5400 + h % 1000;
}

/* True when the source ends by itself: idle subtasks end with it. */
static bool is_bounded(const cdc *s)
{
    return s->su.mode == STARTUP_SNAPSHOT || s->cfg->stop == STOP_LATEST;
}

/* The modes that start with a snapshot, whose splits every subtask reads. */
static bool has_snapshot(const cdc *s)
{
    return s->su.mode == STARTUP_INITIAL || s->su.mode == STARTUP_SNAPSHOT;
}

/* This subtask's reader parameters: subtask i replicates as server_id first + i, so that the
 * parallel snapshot readers' binlog connections do not end each other's streams. A range too
 * small for the snapshot readers is a config error. */
static int reader_params(cdc *s, op_ctx *ctx, rt_err *err)
{
    const cdc_config *c = s->cfg;
    op_cdc_binlog_reader_params *rp = &s->rp;
    op_mysql_source_config_conn_params(&c->conn, s->password, &rp->client.conn);
    uint32_t first = 0, last = 0, n = op_ctx_parallelism(ctx);
    int rc = op_mysql_source_config_server_ids(&c->conn, "config", &first, &last, err);
    if (rc != 0)
        return rc;
    if (first && has_snapshot(s) && n > 1 && (uint64_t)last - first + 1 < n)
        return rt_err_set(err, RT_EINVAL,
                          "config.server_id: %u-%u holds %llu ids, but parallelism %u reads "
                          "the snapshot with %u binlog connections, each with its own id: set a "
                          "range of at least %u ids (\"%u-%llu\")",
                          first, last, (unsigned long long)last - first + 1, n, n, n, first,
                          (unsigned long long)first + n - 1);
    rp->client.server_id =
        (first ? first : default_server_id(op_ctx_job_name(ctx))) + op_ctx_subtask(ctx);
    rp->client.heartbeat_ms = (uint32_t)c->heartbeat_ms;
    rp->client.gtid_strict_mode = false;
    rp->filter = s->filter;
    rp->max_txn_records = (size_t)c->max_txn_records;
    return 0;
}

/* Opens the binlog reader at st (taking conn and tables), with the split filter when there is
 * one and the stop of "stop": "latest-offset". */
static int open_reader(cdc *s, op_ctx *ctx, const op_cdc_state *st, op_mysql_conn *conn,
                       op_mysql_table_list *tables, const char *from, rt_err *err)
{
    rt_buf text;
    rt_buf_init(&text);
    op_binlog_pos_format(&st->position, &text);
    LOG_INFO("%s: mysql_cdc: %zu tables, server_id %u, binlog from %s (%s; %llu records of its "
             "transaction already emitted)%s",
             op_ctx_log_tag(ctx), op_mysql_table_list_count(tables), s->rp.client.server_id,
             text.data ? text.data : "", from, (unsigned long long)st->txn_rows,
             s->splits ? "; dropping what the snapshot's splits hold" : "");
    rt_buf_fini(&text);
    op_cdc_binlog_reader_params rp = s->rp;
    if (s->splits) {
        rp.keep = op_cdc_split_filter_keep;
        rp.keep_arg = s->splits;
    }
    int rc = op_cdc_binlog_reader_new(ctx, &rp, st, conn, tables, &s->reader, err);
    op_mysql_table_list_free(tables);
    if (rc != 0 || s->cfg->stop != STOP_LATEST)
        return rc;
    op_binlog_pos stop;
    op_binlog_pos_init(&stop);
    rc = op_binlog_server_position(&s->rp.client.conn, &stop, err);
    if (rc == 0)
        rc = op_cdc_binlog_reader_set_stop(s->reader, &stop, err);
    if (rc == 0) {
        op_binlog_pos_format(&stop, &text);
        LOG_INFO("%s: mysql_cdc: stops at %s", op_ctx_log_tag(ctx), text.data ? text.data : "");
        rt_buf_fini(&text);
    }
    op_binlog_pos_fini(&stop);
    return rc;
}

/* Connects and reads the selected tables' schemas (checking the server when `check`). */
static int connect_read(cdc *s, op_ctx *ctx, bool check, op_mysql_conn **conn,
                        op_mysql_table_list **tables, rt_err *err)
{
    op_mysql_retry retry = {.canceled = canceled, .arg = ctx};
    int rc = op_mysql_conn_open_retry(&s->rp.client.conn, &retry, conn, err);
    if (rc == 0)
        rc = op_mysql_schema_read_tables(*conn, s->filter, tables, err);
    if (rc == 0 && check)
        rc = op_mysql_check_server(*conn, *tables, err);
    if (rc == 0 && check)
        LOG_INFO("%s: mysql_cdc: %s %s", op_ctx_log_tag(ctx),
                 op_mysql_conn_flavor(*conn) == OP_MYSQL_FLAVOR_MARIADB ? "MariaDB" : "MySQL",
                 op_mysql_conn_server_version_text(*conn));
    if (rc != 0) {
        op_mysql_table_list_free(*tables);
        op_mysql_conn_close(*conn);
        *tables = NULL;
        *conn = NULL;
    }
    return rc;
}

/* The snapshot reader of this subtask over conn and tables (taken), with the restored progress
 * (subtask 0). */
static int open_snapshot(cdc *s, op_ctx *ctx, op_mysql_conn *conn, op_mysql_table_list *tables,
                         op_cdc_state *progress, rt_err *err)
{
    op_cdc_snapshot_params sp = {.reader = s->rp,
                                 .split = {.chunk_size = (uint64_t)s->cfg->conn.chunk_size},
                                 .coord = s->coord,
                                 .enumerate = op_ctx_subtask(ctx) == 0};
    return op_cdc_snapshot_new(ctx, &sp, conn, tables, progress, &s->snapshot, err);
}

/* Subtask 0: connect, check, read the schemas, then the snapshot phase or the binlog reader. */
static int open_source(cdc *s, op_ctx *ctx, rt_err *err)
{
    op_cdc_binlog_reader_params *rp = &s->rp;
    op_mysql_conn *conn = NULL;
    op_mysql_table_list *tables = NULL;
    op_cdc_state st;
    op_cdc_state_init(&st);
    int rc = connect_read(s, ctx, true, &conn, &tables, err);
    if (rc != 0)
        goto out;
    const char *from;
    bool restored = op_ctx_restored_checkpoint(ctx) != 0;
    if (restored && (rc = op_cdc_state_read(ctx, &st, err)) != 0)
        goto out;
    bool snapshot = restored ? st.has_snapshot && st.snapshot_running : has_snapshot(s);
    if (snapshot) {
        /* Mid-snapshot: the finished splits are spread over the subtasks of the checkpoint's
         * run, whatever its parallelism was. */
        uint32_t was = 1;
        size_t own = st.split_count;
        if (restored && (rc = op_cdc_snapshot_read_parallelism(ctx, &was, err)) == 0)
            rc = op_cdc_snapshot_gather(ctx, was, &st, err);
        if (rc != 0)
            goto out;
        LOG_INFO("%s: mysql_cdc: snapshot (%s) of %zu tables by %u subtasks, %zu splits finished "
                 "before (%zu by subtask 0 of %u)",
                 op_ctx_log_tag(ctx), startup_names[s->su.mode], op_mysql_table_list_count(tables),
                 op_ctx_parallelism(ctx), st.split_count, own, was);
        rc = open_snapshot(s, ctx, conn, tables, &st, err);
        conn = NULL; /* the snapshot's now, also on failure */
        tables = NULL;
        if (rc == 0)
            op_snapshot_coordinator_start(s->coord);
        goto out;
    }
    op_snapshot_coordinator_set_over(s->coord, 0);
    if (restored) {
        from = "restored checkpoint";
        if (st.has_snapshot && (rc = op_cdc_split_filter_new(tables, &st, &s->splits, err)) != 0)
            goto out;
    } else {
        if ((rc = start_position(s, &rp->client, &s->su, &st.position, err)) != 0)
            goto out;
        from = startup_names[s->su.mode];
        if (s->su.mode == STARTUP_TIMESTAMP)
            rp->skip_before_unix_s = s->su.timestamp_ms / 1000;
    }
    rc = open_reader(s, ctx, &st, conn, tables, from, err);
    conn = NULL; /* the reader's now, also on failure */
    tables = NULL;
out:
    op_mysql_conn_close(conn);
    op_mysql_table_list_free(tables);
    op_cdc_state_fini(&st);
    return rc;
}

static int cdc_open(op_ctx *ctx, const void *config, void **self, rt_err *err)
{
    const cdc_config *c = config;
    cdc *s = calloc(1, sizeof *s);
    if (!s)
        return rt_err_set(err, RT_ENOMEM, "mysql_cdc: out of memory");
    s->cfg = c;
    uint32_t sub = op_ctx_subtask(ctx);
    int rc = op_mysql_source_config_table_filter(&c->conn, "config", &s->filter, err);
    if (rc == 0)
        rc = startup_parse(c->startup, "config.startup", &s->su, err);
    if (rc == 0 && (sub == 0 || has_snapshot(s)))
        rc = op_mysql_source_config_password(&c->conn, "config", &s->password, err);
    if (rc == 0)
        rc = reader_params(s, ctx, err);
    /* Keyed by the restored checkpoint too: a restarted run in this process meets its own. */
    if (rc == 0)
        rc = op_snapshot_coordinator_join(op_ctx_job_name(ctx), op_ctx_vertex_id(ctx),
                                          op_ctx_restored_checkpoint(ctx), op_ctx_parallelism(ctx),
                                          sub, &s->coord, err);
    if (rc == 0 && sub == 0)
        rc = open_source(s, ctx, err);
    if (rc != 0) {
        cdc_free(s);
        return rt_err_prefix(err, rc, "mysql_cdc");
    }
    if (sub != 0)
        LOG_INFO("%s: mysql_cdc: subtask %u reads snapshot splits%s (server_id %u); subtask 0 "
                 "reads the binlog",
                 op_ctx_log_tag(ctx), sub, has_snapshot(s) ? " when there are any" : ": none",
                 s->rp.client.server_id);
    *self = s;
    return 0;
}

/* Subtasks but 0: joins the snapshot once subtask 0 started it, then reads splits until none
 * is left. */
static int poll_reader(cdc *s, op_ctx *ctx, rt_err *err)
{
    if (!s->snapshot && !s->read_done) {
        switch (op_snapshot_coordinator_phase(s->coord)) {
        case OP_SNAPSHOT_PHASE_UNKNOWN:
            return OP_POLL_IDLE;
        case OP_SNAPSHOT_PHASE_OVER:
            s->read_done = true;
            break;
        case OP_SNAPSHOT_PHASE_READING: {
            op_mysql_conn *conn = NULL;
            op_mysql_table_list *tables = NULL;
            int rc = connect_read(s, ctx, false, &conn, &tables, err);
            if (rc == 0)
                rc = open_snapshot(s, ctx, conn, tables, NULL, err);
            if (rc != 0)
                return rt_err_prefix(err, rc, "mysql_cdc: snapshot reader");
            return OP_POLL_MORE;
        }
        }
    }
    if (s->snapshot && !s->read_done) {
        int rc = op_cdc_snapshot_poll(s->snapshot, ctx, err);
        if (rc != OP_POLL_END)
            return rc;
        LOG_INFO("%s: mysql_cdc: no snapshot split left for this subtask (%llu read)",
                 op_ctx_log_tag(ctx), (unsigned long long)op_cdc_snapshot_splits_read(s->snapshot));
        s->read_done = true;
    }
    if (is_bounded(s))
        s->ended = true;
    return s->ended ? OP_POLL_END : OP_POLL_IDLE;
}

/* "initial" after the last split: the binlog from the smallest HIGH mark, through the filter. */
static int start_binlog_phase(cdc *s, op_ctx *ctx, rt_err *err)
{
    uint64_t splits = op_cdc_snapshot_splits_read(s->snapshot);
    int rc = op_cdc_snapshot_finish(s->snapshot, &s->splits, err);
    s->snapshot = NULL;
    if (rc != 0)
        return rc;
    LOG_INFO("%s: mysql_cdc: snapshot done (%llu splits read by subtask 0 in this run)",
             op_ctx_log_tag(ctx), (unsigned long long)splits);
    op_mysql_conn *conn = NULL;
    op_mysql_table_list *tables = NULL;
    op_cdc_state st;
    op_cdc_state_init(&st);
    rc = connect_read(s, ctx, false, &conn, &tables, err);
    if (rc == 0)
        rc = op_binlog_pos_copy(&st.position, op_cdc_split_filter_min_high(s->splits), err);
    if (rc == 0)
        rc = open_reader(s, ctx, &st, conn, tables, "the snapshot's smallest HIGH mark", err);
    else {
        op_mysql_conn_close(conn);
        op_mysql_table_list_free(tables);
    }
    op_cdc_state_fini(&st);
    return rc;
}

static int cdc_poll(void *self, op_ctx *ctx, rt_err *err)
{
    cdc *s = self;
    if (s->ended)
        return OP_POLL_END;
    if (op_ctx_subtask(ctx) != 0)
        return poll_reader(s, ctx, err);
    if (s->snapshot && !s->read_done) {
        int rc = op_cdc_snapshot_poll(s->snapshot, ctx, err);
        if (rc != OP_POLL_END)
            return rc;
        /* Every split is read (or being read by another subtask). The snapshot is over for
         * the checkpoints only once each split another subtask read is recorded in a
         * checkpoint whose barrier subtask 0 passed: a checkpoint that records a split as done
         * must hold its rows before its barrier. */
        if (!op_snapshot_coordinator_is_complete(s->coord, op_ctx_checkpointing(ctx), s->last_ckpt))
            return OP_POLL_IDLE;
        if ((rc = op_cdc_snapshot_adopt(s->snapshot, err)) != 0)
            return rt_err_prefix(err, rc, "mysql_cdc: snapshot");
        op_snapshot_coordinator_set_over(s->coord, s->last_ckpt);
        if (s->su.mode == STARTUP_SNAPSHOT) {
            LOG_INFO("%s: mysql_cdc: snapshot done (%zu splits, %llu read by subtask 0 in this "
                     "run); the source ends",
                     op_ctx_log_tag(ctx), op_cdc_snapshot_progress(s->snapshot)->split_count,
                     (unsigned long long)op_cdc_snapshot_splits_read(s->snapshot));
            /* The phase stays for the state: a restore finds every split finished. */
            s->read_done = true;
            s->ended = true;
            return OP_POLL_END;
        }
        rc = start_binlog_phase(s, ctx, err);
        return rc != 0 ? rt_err_prefix(err, rc, "mysql_cdc: binlog phase") : OP_POLL_MORE;
    }
    if (!s->reader) {
        /* Idle subtasks, and subtask 0 after a snapshot-only restore that found nothing left. */
        if (is_bounded(s))
            s->ended = true;
        return s->ended ? OP_POLL_END : OP_POLL_IDLE;
    }
    int rc = op_cdc_binlog_reader_poll(s->reader, ctx, err);
    if (rc == OP_POLL_END)
        s->ended = true;
    if (rc >= 0 && s->splits &&
        op_cdc_split_filter_is_passed(s->splits, op_cdc_binlog_reader_position(s->reader))) {
        LOG_INFO("%s: mysql_cdc: past the snapshot's largest HIGH mark: every change goes out",
                 op_ctx_log_tag(ctx));
        op_cdc_binlog_reader_set_keep(s->reader, NULL, NULL);
        op_cdc_split_filter_free(s->splits);
        s->splits = NULL;
    }
    return rc;
}

/* A running snapshot's state: this subtask's finished splits (subtask 0: with the restored ones,
 * and the parallelism a restore gathers by). */
static int snapshot_state_running(cdc *s, op_ctx *ctx, uint64_t id, rt_err *err)
{
    int rc = op_cdc_state_write(ctx, op_cdc_snapshot_progress(s->snapshot), err);
    if (rc == 0 && op_ctx_subtask(ctx) == 0)
        rc = op_cdc_snapshot_write_parallelism(ctx, op_ctx_parallelism(ctx), err);
    if (rc == 0 && op_ctx_subtask(ctx) != 0)
        op_snapshot_coordinator_checkpointed(s->coord, op_ctx_subtask(ctx), id,
                                             op_cdc_snapshot_splits_read(s->snapshot));
    if (rc == 0)
        s->last_ckpt = id;
    return rc;
}

static int cdc_snapshot_state(void *self, op_ctx *ctx, uint64_t id, rt_err *err)
{
    cdc *s = self;
    /* Subtask 0 writes every split as done from the checkpoint after over_since on; the other
     * subtasks' splits are then no longer theirs to keep. */
    if (s->snapshot && op_ctx_subtask(ctx) != 0 &&
        id > op_snapshot_coordinator_over_since(s->coord)) {
        op_cdc_snapshot_free(s->snapshot);
        s->snapshot = NULL;
        s->read_done = true;
    }
    if (s->snapshot)
        return snapshot_state_running(s, ctx, id, err);
    s->last_ckpt = id;
    op_cdc_state st;
    op_cdc_state_init(&st);
    /* Idle subtasks write the empty position: every subtask has state, so the checkpoint fits
     * the job's parallelism when it is restored. */
    int rc = s->reader ? op_cdc_binlog_reader_state(s->reader, &st, err) : 0;
    if (rc == 0)
        rc = op_cdc_state_write(ctx, &st, err);
    if (rc == 0 && s->splits)
        rc = op_cdc_split_filter_write(s->splits, ctx, err);
    op_cdc_state_fini(&st);
    return rc;
}

static void cdc_close(void *self, op_ctx *ctx)
{
    cdc *s = self;
    if (!s)
        return;
    if (s->reader) {
        op_cdc_binlog_metrics m;
        op_cdc_binlog_reader_metrics(s->reader, &m);
        LOG_INFO("%s: mysql_cdc: closed after %llu records of %llu transactions, %u reconnects",
                 op_ctx_log_tag(ctx), (unsigned long long)m.records,
                 (unsigned long long)m.transactions, m.reconnects);
    }
    cdc_free(s);
}

const op_type op_mysql_cdc_type = {
    .info =
        {
            .name = "mysql_cdc",
            .kind = GRAPH_KIND_SOURCE,
            .config = cdc_fields,
            .config_size = sizeof(cdc_config),
            .validate = cdc_validate,
        },
    .help = "MySQL/MariaDB change data capture: the binlog of the selected tables as a changelog",
    .open = cdc_open,
    .poll = cdc_poll,
    .snapshot_state = cdc_snapshot_state,
    .close = cdc_close,
    .rescalable_state = true,
};
