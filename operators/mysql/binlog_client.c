/* The binlog stream: a reader thread that receives event packets into a bounded buffer, next()
 * that hands them out with a timeout, position tracking, and reconnection (binlog_client.h).
 *
 * Why a thread: Connector/C reads whole packets from its own read-ahead cache and TLS buffers, so
 * polling the socket cannot tell whether an event is already waiting, and a read timeout closes
 * the connection. The reader blocks in mysql_net_read_packet instead; the task thread waits on a
 * condition variable with its deadline. Events cross in two swapped buffers of [u32 length][event]
 * records: the reader appends to `fill` under the lock, next() takes the whole of it at once and
 * serves from `drain` without locking. */
#include "operators/mysql/binlog_client.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "operators/mysql/binlog_client_int.h"
#include "operators/mysql/gtid_event.h"
#include "runtime/base/clock.h"
#include "runtime/base/log.h"

#define DEFAULT_BUFFER_SIZE (4u << 20)
#define DEFAULT_BACKOFF_MS 200
#define DEFAULT_BACKOFF_MAX_MS 10000
#define WHERE_SIZE 600

struct op_binlog_client {
    /* Configuration; the strings point at the owned copies below. */
    op_binlog_client_params p;
    char *host, *user, *password, *database, *ssl_ca, *ssl_cert, *ssl_key, *time_zone;

    /* The stream, while up. The reader thread owns the session until it is joined. */
    bool up;
    op_binlog_session *session;
    bool mariadb;
    uint64_t conn_id;
    int wake_fd; /* a dup of the session's socket: shutdown() stays safe after the session closed
                    its own descriptor */
    pthread_t reader;
    char where[WHERE_SIZE]; /* the start position, for messages */

    /* Shared with the reader, under mu. */
    pthread_mutex_t mu;
    pthread_cond_t cv_data;  /* fill became non-empty, or the reader ended */
    pthread_cond_t cv_space; /* fill was taken, or stop was set */
    uint8_t *fill;
    size_t fill_len, fill_cap;
    bool stop, done;
    int reader_rc;
    rt_err reader_err;

    /* The task thread's side. */
    uint8_t *drain;
    size_t drain_len, drain_cap, drain_pos;
    op_binlog_pos pos;
    char file[OP_BINLOG_FILE_NAME_SIZE]; /* tracked even while `pos` shows no file */
    uint64_t offset;
    bool file_known;
    op_binlog_format fmt;
    unsigned failures;
};

/* The server's host and port for messages, with connection.h's defaults. */
static const char *host_of(const op_binlog_client *c)
{
    return c->p.conn.host && *c->p.conn.host ? c->p.conn.host : "127.0.0.1";
}

static unsigned port_of(const op_binlog_client *c)
{
    return c->p.conn.port ? c->p.conn.port : 3306u;
}

/* --- reader thread --- */

/* Appends one record to fill; waits while fill is over the limit (it always takes one event).
 * Called with mu held. */
static int fill_put(op_binlog_client *c, const uint8_t *ev, size_t len, rt_err *err)
{
    size_t limit = c->p.buffer_size ? c->p.buffer_size : DEFAULT_BUFFER_SIZE;
    while (!c->stop && c->fill_len > 0 && c->fill_len + 4 + len > limit)
        pthread_cond_wait(&c->cv_space, &c->mu);
    if (c->stop)
        return RT_ECANCELED;
    if (c->fill_len + 4 + len > c->fill_cap) {
        size_t cap = c->fill_cap ? c->fill_cap : 64 * 1024;
        while (cap < c->fill_len + 4 + len)
            cap *= 2;
        uint8_t *b = realloc(c->fill, cap);
        if (!b)
            return rt_err_set(err, RT_ENOMEM, "binlog stream: out of memory for a %zu-byte event",
                              len);
        c->fill = b;
        c->fill_cap = cap;
    }
    uint32_t n = (uint32_t)len;
    memcpy(c->fill + c->fill_len, &n, 4);
    memcpy(c->fill + c->fill_len + 4, ev, len);
    if (c->fill_len == 0)
        pthread_cond_signal(&c->cv_data);
    c->fill_len += 4 + len;
    return 0;
}

static void *reader_main(void *arg)
{
    op_binlog_client *c = arg;
    rt_err err;
    rt_err_clear(&err);
    for (;;) {
        const uint8_t *ev;
        size_t len;
        int rc = op_binlog_session_read(c->session, c->where, &ev, &len, &err);
        pthread_mutex_lock(&c->mu);
        if (rc == 0)
            rc = fill_put(c, ev, len, &err);
        if (rc) {
            c->reader_rc = c->stop ? RT_ECANCELED : rc;
            c->reader_err = err;
            c->done = true;
            pthread_cond_signal(&c->cv_data);
            pthread_mutex_unlock(&c->mu);
            return NULL;
        }
        pthread_mutex_unlock(&c->mu);
    }
}

/* --- stream start / stop --- */

static void stream_stop(op_binlog_client *c)
{
    if (!c->up)
        return;
    pthread_mutex_lock(&c->mu);
    c->stop = true;
    pthread_cond_broadcast(&c->cv_space);
    pthread_mutex_unlock(&c->mu);
    /* Wakes a read blocked in the reader. SHUT_RD only: the close below still says goodbye
     * (COM_QUIT) over the open write side instead of writing into a reset connection. */
    shutdown(c->wake_fd, SHUT_RD);
    pthread_join(c->reader, NULL);
    close(c->wake_fd);
    op_binlog_session_close(c->session);
    c->session = NULL;
    c->up = false;
    c->conn_id = 0;
    c->fill_len = 0;
    c->drain_len = c->drain_pos = 0;
}

static int stream_start(op_binlog_client *c, const op_binlog_pos *from, rt_err *err)
{
    rt_buf w;
    rt_buf_init(&w);
    op_binlog_pos_format(from, &w);
    snprintf(c->where, sizeof c->where, "%s", w.data ? w.data : "");
    rt_buf_fini(&w);

    op_binlog_pos track;
    op_binlog_pos_init(&track);
    op_binlog_session *s = NULL;
    int rc = op_binlog_pos_copy(&track, from, err);
    if (rc == 0)
        rc = op_binlog_session_open(&c->p, from, &track, &s, err);
    /* The server's first answer (the artificial ROTATE, or the ERR of a position it does not
     * have) is read here, so that open and reconnect report a bad position themselves. */
    const uint8_t *ev = NULL;
    size_t len = 0;
    if (rc == 0)
        rc = op_binlog_session_read(s, c->where, &ev, &len, err);
    int fd = -1;
    if (rc == 0 && (fd = dup(op_binlog_session_socket(s))) < 0)
        rc = rt_err_set(err, RT_EIO, "binlog stream: dup: %s", strerror(errno));
    c->stop = c->done = false;
    c->reader_rc = 0;
    c->fill_len = 0;
    if (rc == 0)
        rc = fill_put(c, ev, len, err);
    if (rc == 0) {
        c->session = s;
        c->wake_fd = fd;
        if (pthread_create(&c->reader, NULL, reader_main, c) != 0)
            rc = rt_err_set(err, RT_EIO, "binlog stream: cannot start the reader thread");
    }
    if (rc) {
        if (fd >= 0)
            close(fd);
        op_binlog_session_close(s);
        c->session = NULL;
        op_binlog_pos_fini(&track);
        return rt_err_prefix(err, rc, "binlog stream from %s:%u", host_of(c), port_of(c));
    }
    c->up = true;
    c->mariadb = op_binlog_session_is_mariadb(s);
    c->conn_id = op_binlog_session_connection_id(s);
    op_binlog_pos_fini(&c->pos);
    c->pos = track; /* moved: track is not used again */
    /* A GTID start shows no file until the server has skipped to its first transaction. */
    c->file_known = op_binlog_pos_has_file(from);
    snprintf(c->file, sizeof c->file, "%s", from->file);
    c->offset = from->offset;
    op_binlog_format_init_default(&c->fmt, c->mariadb, op_binlog_session_checksum_alg(s));
    c->drain_len = c->drain_pos = 0;
    LOG_INFO("binlog stream from %s:%u started at %s (server_id %u, connection %llu)", host_of(c),
             port_of(c), c->where, (unsigned)c->p.server_id, (unsigned long long)c->conn_id);
    return 0;
}

/* --- position tracking (notes/binlog.md 2.2, 2.5, 2.6, 2.7) --- */

static int set_file(op_binlog_client *c, const char *name, size_t len, rt_err *err)
{
    if (len == 0 || len >= sizeof c->file)
        return rt_err_set(err, RT_ECORRUPT, "binlog file name of %zu bytes", len);
    memcpy(c->file, name, len);
    c->file[len] = '\0';
    return 0;
}

/* The state at a file's start (GTID_LIST), taken when a file/offset start learnt none: the
 * largest sequence number of each domain. */
static int seed_mariadb(op_binlog_client *c, const uint8_t *body, size_t len, rt_err *err)
{
    op_mariadb_gtid_list_event l;
    int rc = op_mariadb_gtid_list_event_parse(body, len, &l, err);
    op_binlog_pos p;
    op_binlog_pos_init(&p);
    rc = rc ? rc : op_binlog_pos_set_gtid_text(&p, OP_BINLOG_GTID_MARIADB, "", 0, err);
    for (uint32_t i = 0; rc == 0 && i < l.count; i++) {
        op_mariadb_gtid g = op_mariadb_gtid_list_event_get(&l, i);
        if (!op_mariadb_gtid_list_contains(p.mariadb_gtids, &g))
            rc = op_binlog_pos_add_mariadb_gtid(&p, &g, err);
    }
    if (rc == 0) {
        c->pos.gtid_kind = p.gtid_kind;
        c->pos.mariadb_gtids = p.mariadb_gtids; /* moved */
    } else {
        op_binlog_pos_fini(&p);
    }
    return rc;
}

static int seed_mysql(op_binlog_client *c, const uint8_t *body, size_t len, rt_err *err)
{
    op_mysql_gtid_set *s = NULL;
    int rc = op_mysql_previous_gtids_parse(body, len, &s, err);
    if (rc == 0) {
        c->pos.gtid_kind = OP_BINLOG_GTID_MYSQL;
        c->pos.mysql_gtids = s;
    }
    return rc;
}

static int track_event(op_binlog_client *c, const uint8_t *ev, size_t len, rt_err *err)
{
    op_binlog_header h;
    int rc = op_binlog_header_parse(ev, len, &h, err);
    size_t crc = c->fmt.checksum_alg == OP_BINLOG_CHECKSUM_CRC32 ? OP_BINLOG_CHECKSUM_SIZE : 0;
    if (rc == 0 && len < OP_BINLOG_HEADER_SIZE + crc)
        rc = rt_err_set(err, RT_ECORRUPT, "event of %zu bytes", len);
    if (rc)
        return rc;
    const uint8_t *body = ev + OP_BINLOG_HEADER_SIZE;
    size_t body_len = len - OP_BINLOG_HEADER_SIZE - crc;
    bool log_pos_counts = h.log_pos != 0;
    switch (h.type) {
    case OP_BINLOG_ROTATE_EVENT: {
        /* Names the next file; its log_pos (if any) belongs to the old one. */
        op_binlog_rotate r;
        rc = op_binlog_rotate_parse(body, body_len, &c->fmt, &r, err);
        rc = rc ? rc : set_file(c, r.name, r.name_len, err);
        c->offset = r.position;
        log_pos_counts = false;
        break;
    }
    case OP_BINLOG_FORMAT_DESCRIPTION_EVENT: {
        op_binlog_format f;
        rc = op_binlog_format_parse(ev, len, &f, err);
        if (rc == 0)
            c->fmt = f;
        break;
    }
    case OP_BINLOG_HEARTBEAT_LOG_EVENT:
    case OP_BINLOG_HEARTBEAT_LOG_EVENT_V2: {
        /* The dump thread is idle at this point: a valid place to resume from. */
        op_binlog_heartbeat hb;
        rc = op_binlog_heartbeat_parse(body, body_len, h.type, h.log_pos, &hb, err);
        if (rc == 0 && hb.log_name_len > 0)
            rc = set_file(c, hb.log_name, hb.log_name_len, err);
        if (rc == 0 && hb.log_pos >= 4) {
            c->offset = hb.log_pos;
            c->file_known = true;
        }
        log_pos_counts = false;
        break;
    }
    case OP_BINLOG_MARIADB_GTID_EVENT: {
        op_mariadb_gtid_event g;
        rc = op_mariadb_gtid_event_parse(body, body_len, h.server_id, &g, err);
        if (rc == 0 && c->pos.gtid_kind == OP_BINLOG_GTID_MARIADB)
            rc = op_binlog_pos_add_mariadb_gtid(&c->pos, &g.gtid, err);
        c->file_known = true;
        break;
    }
    case OP_BINLOG_GTID_LIST_EVENT:
        /* An artificial one follows the skipping of a GTID start: log_pos is where the first
         * transaction sent begins. A real one opens a file. */
        if (h.flags & OP_BINLOG_F_ARTIFICIAL)
            c->file_known = c->file_known || h.log_pos != 0;
        else if (h.log_pos != 0 && c->pos.gtid_kind == OP_BINLOG_GTID_NONE && c->mariadb)
            rc = seed_mariadb(c, body, body_len, err);
        break;
    case OP_BINLOG_GTID_LOG_EVENT:
    case OP_BINLOG_GTID_TAGGED_LOG_EVENT: {
        op_mysql_gtid_event g;
        rc = op_mysql_gtid_event_parse(body, body_len, h.type, &g, err);
        if (rc == 0 && c->pos.gtid_kind == OP_BINLOG_GTID_MYSQL)
            rc = op_binlog_pos_add_mysql_gtid(&c->pos, g.uuid, g.tag, g.gno, err);
        c->file_known = true;
        break;
    }
    case OP_BINLOG_ANONYMOUS_GTID_LOG_EVENT:
        c->file_known = true;
        break;
    case OP_BINLOG_PREVIOUS_GTIDS_LOG_EVENT:
        if (h.log_pos != 0 && c->pos.gtid_kind == OP_BINLOG_GTID_NONE && !c->mariadb)
            rc = seed_mysql(c, body, body_len, err);
        break;
    default:
        break;
    }
    if (rc)
        return rt_err_prefix(err, rc == RT_ENOMEM ? rc : RT_ECORRUPT,
                             "binlog stream: %s at %s:%llu",
                             op_binlog_type_name(h.type) ? op_binlog_type_name(h.type) : "event",
                             c->file, (unsigned long long)c->offset);
    if (log_pos_counts)
        c->offset = h.log_pos;
    if (c->file_known) {
        memcpy(c->pos.file, c->file, sizeof c->pos.file);
        c->pos.offset = c->offset;
    }
    return 0;
}

/* --- public --- */

static int dup_str(const char *s, char **out)
{
    *out = NULL;
    if (!s)
        return 0;
    *out = strdup(s);
    return *out ? 0 : -1;
}

int op_binlog_client_open(const op_binlog_client_params *p, const op_binlog_pos *start,
                          op_binlog_client **out, rt_err *err)
{
    op_binlog_client *c = calloc(1, sizeof *c);
    if (!c)
        return rt_err_set(err, RT_ENOMEM, "binlog client: out of memory");
    c->p = *p;
    op_binlog_pos_init(&c->pos);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv_data, &ca);
    pthread_cond_init(&c->cv_space, NULL);
    pthread_condattr_destroy(&ca);
    const op_mysql_conn_params *cp = &p->conn;
    if (dup_str(cp->host, &c->host) || dup_str(cp->user, &c->user) ||
        dup_str(cp->password, &c->password) || dup_str(cp->database, &c->database) ||
        dup_str(cp->ssl_ca, &c->ssl_ca) || dup_str(cp->ssl_cert, &c->ssl_cert) ||
        dup_str(cp->ssl_key, &c->ssl_key) || dup_str(cp->server_time_zone, &c->time_zone)) {
        op_binlog_client_close(c);
        return rt_err_set(err, RT_ENOMEM, "binlog client: out of memory");
    }
    c->p.conn.host = c->host;
    c->p.conn.user = c->user;
    c->p.conn.password = c->password;
    c->p.conn.database = c->database;
    c->p.conn.ssl_ca = c->ssl_ca;
    c->p.conn.ssl_cert = c->ssl_cert;
    c->p.conn.ssl_key = c->ssl_key;
    c->p.conn.server_time_zone = c->time_zone;
    int rc = stream_start(c, start, err);
    if (rc) {
        op_binlog_client_close(c);
        return rc;
    }
    *out = c;
    return 0;
}

void op_binlog_client_close(op_binlog_client *c)
{
    if (!c)
        return;
    stream_stop(c);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cv_data);
    pthread_cond_destroy(&c->cv_space);
    free(c->fill);
    free(c->drain);
    op_binlog_pos_fini(&c->pos);
    free(c->host);
    free(c->user);
    free(c->password);
    free(c->database);
    free(c->ssl_ca);
    free(c->ssl_cert);
    free(c->ssl_key);
    free(c->time_zone);
    free(c);
}

/* Takes what the reader has buffered, waiting up to timeout_ms for something. 0 when drain has
 * events again; RT_ETIMEDOUT; or the reader's error once it ended and everything was served. */
static int take_fill(op_binlog_client *c, int timeout_ms, rt_err *err)
{
    struct timespec deadline;
    if (timeout_ms > 0) {
        int64_t ns = rt_clock_mono_ns() + (int64_t)timeout_ms * 1000000;
        deadline.tv_sec = (time_t)(ns / 1000000000);
        deadline.tv_nsec = (long)(ns % 1000000000);
    }
    pthread_mutex_lock(&c->mu);
    while (c->fill_len == 0 && !c->done && timeout_ms != 0) {
        if (timeout_ms < 0)
            pthread_cond_wait(&c->cv_data, &c->mu);
        else if (pthread_cond_timedwait(&c->cv_data, &c->mu, &deadline) == ETIMEDOUT)
            break;
    }
    int rc = 0;
    if (c->fill_len > 0) {
        uint8_t *b = c->drain;
        size_t cap = c->drain_cap;
        c->drain = c->fill;
        c->drain_cap = c->fill_cap;
        c->drain_len = c->fill_len;
        c->drain_pos = 0;
        c->fill = b;
        c->fill_cap = cap;
        c->fill_len = 0;
        /* After an event far over the limit, let its memory go rather than keep it forever. */
        size_t limit = c->p.buffer_size ? c->p.buffer_size : DEFAULT_BUFFER_SIZE;
        if (c->fill_cap > 2 * limit) {
            free(c->fill);
            c->fill = NULL;
            c->fill_cap = 0;
        }
        pthread_cond_signal(&c->cv_space);
    } else if (c->done) {
        rc = c->reader_rc;
        if (err)
            *err = c->reader_err;
    } else {
        rc = rt_err_set(err, RT_ETIMEDOUT, "no binlog event within %d ms", timeout_ms);
    }
    pthread_mutex_unlock(&c->mu);
    return rc;
}

int op_binlog_client_next(op_binlog_client *c, const uint8_t **event, size_t *len, int timeout_ms,
                          rt_err *err)
{
    if (!c->up)
        return rt_err_set(err, RT_EUNAVAIL, "binlog stream from %s:%u is down: reconnect",
                          host_of(c), port_of(c));
    if (c->drain_pos >= c->drain_len) {
        int rc = take_fill(c, timeout_ms, err);
        if (rc)
            return rc;
    }
    uint32_t n;
    memcpy(&n, c->drain + c->drain_pos, 4);
    const uint8_t *ev = c->drain + c->drain_pos + 4;
    c->drain_pos += 4 + (size_t)n;
    int rc = track_event(c, ev, n, err);
    if (rc)
        return rc;
    *event = ev;
    *len = n;
    return 0;
}

const op_binlog_pos *op_binlog_client_position(const op_binlog_client *c)
{
    return &c->pos;
}

const op_binlog_format *op_binlog_client_format(const op_binlog_client *c)
{
    return &c->fmt;
}

bool op_binlog_client_is_mariadb(const op_binlog_client *c)
{
    return c->mariadb;
}

uint64_t op_binlog_client_connection_id(const op_binlog_client *c)
{
    return c->up ? c->conn_id : 0;
}

int op_binlog_client_reconnect(op_binlog_client *c, const op_binlog_pos *from, rt_err *err)
{
    /* Copy first: `from` may be the client's own position, which the restart replaces. */
    op_binlog_pos start;
    op_binlog_pos_init(&start);
    int rc = op_binlog_pos_copy(&start, from, err);
    if (rc)
        return rc;
    stream_stop(c);
    uint32_t base = c->p.backoff_ms ? c->p.backoff_ms : DEFAULT_BACKOFF_MS;
    uint32_t cap = c->p.backoff_max_ms ? c->p.backoff_max_ms : DEFAULT_BACKOFF_MAX_MS;
    uint64_t delay = (uint64_t)base << (c->failures < 20 ? c->failures : 20);
    rt_sleep_ms((int64_t)(delay < cap ? delay : cap));
    rc = stream_start(c, &start, err);
    op_binlog_pos_fini(&start);
    if (rc) {
        c->failures++;
        LOG_WARN("binlog stream from %s:%u: reconnect attempt %u failed: %s", host_of(c),
                 port_of(c), c->failures, err ? err->msg : "");
        return rc;
    }
    c->failures = 0;
    return 0;
}
