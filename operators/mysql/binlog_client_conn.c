/* The protocol half of the binlog client: the replication session over an op_mysql_conn
 * (connection.h: login, TLS, error mapping), its setup and dump commands (notes/binlog.md 5),
 * packet reads, and the server queries of binlog_client.h (current position, file list, file for
 * a timestamp).
 *
 * Why not mariadb_rpl_*: it cannot send COM_BINLOG_DUMP_GTID, misparses ROTATE after the first
 * FORMAT_DESCRIPTION_EVENT and drops the stream on MySQL 8 event types it does not know (notes 6).
 * Connector/C has no public call for a raw command, so the commands go out through the
 * connection's db_command method (a public member of MYSQL) and the stream is read with
 * mysql_net_read_packet, as notes 6 recommends: Connector/C keeps doing TLS, packet framing and
 * the joining of packets over 16 MiB, and every event byte reaches Sluice's own decoder. */
#include "operators/mysql/binlog_client_int.h"

#include <inttypes.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "operators/mysql/connection_int.h"
#include "runtime/base/buf.h"

/* Replication commands (MySQL's COM_BINLOG_DUMP_GTID is not in MariaDB's enum) and dump flags. */
#define CMD_BINLOG_DUMP_GTID 0x1e
#define DUMP_F_SEND_ANNOTATE_ROWS 0x02 /* MariaDB */
#define DUMP_F_THROUGH_GTID 0x04       /* MySQL */

struct op_binlog_session {
    op_mysql_conn *conn;
    MYSQL *m; /* the connection's handle */
    bool mariadb;
    uint8_t checksum_alg;
};

/* A query's first value into out (reset); *is_null for NULL. RT_ENOTFOUND for no row. */
static int scalar(op_mysql_conn *c, const char *sql, rt_buf *out, bool *is_null, rt_err *err)
{
    char *v = NULL;
    int rc = op_mysql_conn_query_value(c, sql, &v, err);
    if (rc)
        return rc;
    rt_buf_reset(out);
    *is_null = v == NULL;
    if (v)
        rt_buf_append_str(out, v);
    free(v);
    return 0;
}

/* --- the replication session (notes/binlog.md 5) --- */

static void put_le(rt_buf *b, uint64_t v, unsigned n)
{
    char *d = rt_buf_reserve(b, n);
    for (unsigned i = 0; i < n; i++)
        d[i] = (char)(uint8_t)(v >> (8 * i));
    rt_buf_advance(b, n);
}

/* Sends one command packet; with read_ok, reads its OK (or ERR) answer. */
static int command(op_binlog_session *s, unsigned cmd, const rt_buf *b, bool read_ok,
                   const char *what, rt_err *err)
{
    if (s->m->methods->db_command(s->m, (enum enum_server_command)cmd, b->data, b->len, !read_ok,
                                  NULL))
        return op_mysql_conn_fail(s->conn, what, err);
    return 0;
}

/* Step 2 of notes 5: announce checksums (MySQL 8.0.26+ reads @source_binlog_checksum, older
 * servers and MariaDB @master_binlog_checksum), the heartbeat period in nanoseconds, and MariaDB's
 * GTID capability (without it the server rewrites GTID events for old replicas, notes 2.6). */
static int session_setup(op_binlog_session *s, const op_binlog_client_params *p, rt_err *err)
{
    rt_buf v;
    rt_buf_init(&v);
    bool null = true;
    int rc = scalar(s->conn, "SELECT @@global.binlog_checksum", &v, &null, err);
    if (rc && op_mysql_conn_errno(s->conn) == ER_UNKNOWN_SYSTEM_VARIABLE) {
        /* A server older than checksums (MySQL < 5.6.2): nothing to announce. */
        rt_err_clear(err);
        rc = 0;
        s->checksum_alg = OP_BINLOG_CHECKSUM_OFF;
    } else if (rc == 0) {
        s->checksum_alg = !null && strcasecmp(v.data, "NONE") != 0 ? OP_BINLOG_CHECKSUM_CRC32
                                                                   : OP_BINLOG_CHECKSUM_OFF;
        rc = op_mysql_conn_exec(s->conn,
                                "SET @master_binlog_checksum = @@global.binlog_checksum, "
                                "@source_binlog_checksum = @@global.binlog_checksum",
                                NULL, err);
    }
    uint64_t ns = (uint64_t)(p->heartbeat_ms ? p->heartbeat_ms : 30000) * 1000000u;
    rt_buf_reset(&v);
    rt_buf_appendf(
        &v, "SET @master_heartbeat_period = %" PRIu64 ", @source_heartbeat_period = %" PRIu64, ns,
        ns);
    if (rc == 0)
        rc = op_mysql_conn_exec(s->conn, v.data, NULL, err);
    if (rc == 0 && s->mariadb)
        rc = op_mysql_conn_exec(s->conn, "SET @mariadb_slave_capability = 4", NULL, err);
    rt_buf_fini(&v);
    return rc;
}

/* A MariaDB file/offset start learns the GTID state of that point, so that its position can later
 * resume by GTID too. Best effort: without it the state is seeded from the file's GTID_LIST. */
static int seed_gtid(op_binlog_session *s, const op_binlog_pos *from, op_binlog_pos *track,
                     rt_err *err)
{
    rt_buf sql, v;
    rt_buf_init(&sql);
    rt_buf_init(&v);
    rt_buf_append_str(&sql, "SELECT BINLOG_GTID_POS(");
    op_mysql_conn_quote(s->conn, from->file, &sql);
    rt_buf_appendf(&sql, ", %" PRIu64 ")", from->offset);
    bool null = true;
    int rc = 0;
    if (scalar(s->conn, sql.data, &v, &null, NULL) == 0 && !null)
        rc = op_binlog_pos_set_gtid_text(track, OP_BINLOG_GTID_MARIADB, v.data ? v.data : "", v.len,
                                         err);
    rt_buf_fini(&sql);
    rt_buf_fini(&v);
    return rc;
}

/* What `from` asks of this server, checked before anything is sent; for a MariaDB GTID start the
 * connect state to stream from (notes 2.6, 5). */
static int start_point(op_binlog_session *s, const op_binlog_client_params *p,
                       const op_binlog_pos *from, op_binlog_pos *track, rt_err *err)
{
    if (op_binlog_pos_has_file(from)) {
        if (from->offset < 4 || from->offset > UINT32_MAX)
            return rt_err_set(err, RT_EINVAL,
                              "binlog offset %" PRIu64 " is outside 4..%" PRIu32
                              " of COM_BINLOG_DUMP (start by GTID instead)",
                              from->offset, UINT32_MAX);
        return s->mariadb && !op_binlog_pos_has_gtid(from) ? seed_gtid(s, from, track, err) : 0;
    }
    if (from->gtid_kind == OP_BINLOG_GTID_NONE)
        return rt_err_set(err, RT_EINVAL, "binlog start position has neither file nor GTID");
    if ((from->gtid_kind == OP_BINLOG_GTID_MARIADB) != s->mariadb)
        return rt_err_set(err, RT_EINVAL, "a %s GTID start position given to a %s server",
                          op_binlog_gtid_kind_name(from->gtid_kind),
                          s->mariadb ? "MariaDB" : "MySQL");
    if (!s->mariadb)
        return 0;
    rt_buf sql, g;
    rt_buf_init(&sql);
    rt_buf_init(&g);
    op_binlog_pos_format_gtid(from, &g);
    rt_buf_append_str(&sql, "SET @slave_connect_state = ");
    op_mysql_conn_quote(s->conn, g.data ? g.data : "", &sql);
    rt_buf_appendf(&sql, ", @slave_gtid_strict_mode = %d, @slave_gtid_ignore_duplicates = 0",
                   p->gtid_strict_mode ? 1 : 0);
    int rc = op_mysql_conn_exec(s->conn, sql.data, NULL, err);
    rt_buf_fini(&sql);
    rt_buf_fini(&g);
    return rc;
}

/* COM_REGISTER_SLAVE (0x15): server_id u32, host, user, password (u8 length + bytes each),
 * port u16, replication rank u32, master id u32. Shows the client in SHOW SLAVE HOSTS. */
static int register_replica(op_binlog_session *s, const op_binlog_client_params *p, rt_err *err)
{
    char host[61] = "";
    if (gethostname(host, sizeof host - 1) != 0)
        host[0] = '\0';
    host[sizeof host - 1] = '\0';
    rt_buf b;
    rt_buf_init(&b);
    put_le(&b, p->server_id, 4);
    put_le(&b, strlen(host), 1);
    rt_buf_append_str(&b, host);
    put_le(&b, 0, 1); /* user and password: not reported */
    put_le(&b, 0, 1);
    put_le(&b, 0, 2); /* port, rank, master id */
    put_le(&b, 0, 4);
    put_le(&b, 0, 4);
    int rc = command(s, COM_REGISTER_SLAVE, &b, true, "COM_REGISTER_SLAVE", err);
    rt_buf_fini(&b);
    return rc;
}

/* COM_BINLOG_DUMP (0x12): pos u32, flags u16, server_id u32, file name (rest of the packet); for a
 * MySQL GTID start COM_BINLOG_DUMP_GTID (0x1e): flags u16, server_id u32, name_len u32, name,
 * pos u64, data_len u32, the set in the PREVIOUS_GTIDS encoding (notes 5 step 4). A MariaDB GTID
 * start is a COM_BINLOG_DUMP the server reads @slave_connect_state for. */
static int request_dump(op_binlog_session *s, const op_binlog_client_params *p,
                        const op_binlog_pos *from, rt_err *err)
{
    rt_buf b;
    rt_buf_init(&b);
    int rc;
    bool file = op_binlog_pos_has_file(from);
    if (!file && from->gtid_kind == OP_BINLOG_GTID_MYSQL) {
        rt_buf set;
        rt_buf_init(&set);
        op_mysql_gtid_set_encode(from->mysql_gtids, &set);
        put_le(&b, DUMP_F_THROUGH_GTID, 2);
        put_le(&b, p->server_id, 4);
        put_le(&b, 0, 4); /* no file name: the server finds the file from the set */
        put_le(&b, 4, 8);
        put_le(&b, set.len, 4);
        rt_buf_append(&b, set.data ? set.data : "", set.len);
        rt_buf_fini(&set);
        rc = command(s, CMD_BINLOG_DUMP_GTID, &b, false, "COM_BINLOG_DUMP_GTID", err);
    } else {
        put_le(&b, file ? from->offset : 4, 4);
        put_le(&b, s->mariadb && p->annotate_rows ? DUMP_F_SEND_ANNOTATE_ROWS : 0, 2);
        put_le(&b, p->server_id, 4);
        if (file)
            rt_buf_append_str(&b, from->file);
        rc = command(s, COM_BINLOG_DUMP, &b, false, "COM_BINLOG_DUMP", err);
    }
    rt_buf_fini(&b);
    return rc;
}

int op_binlog_session_open(const op_binlog_client_params *p, const op_binlog_pos *from,
                           op_binlog_pos *track, op_binlog_session **out, rt_err *err)
{
    if (p->server_id == 0)
        return rt_err_set(err, RT_EINVAL, "binlog client: server_id must be non-zero");
    op_binlog_session *s = calloc(1, sizeof *s);
    if (!s)
        return rt_err_set(err, RT_ENOMEM, "binlog client: out of memory");
    /* Three silent heartbeat periods (at least 30 s) mean the server or the network is gone. */
    op_mysql_conn_params cp = p->conn;
    int64_t hb = p->heartbeat_ms ? p->heartbeat_ms : 30000;
    cp.read_timeout_ms = 3 * hb < 30000 ? 30000 : 3 * hb;
    cp.write_timeout_ms = cp.read_timeout_ms;
    int rc = op_mysql_conn_open(&cp, &s->conn, err);
    if (rc) {
        free(s);
        return rc;
    }
    s->m = op_mysql_conn_handle(s->conn);
    s->mariadb = op_mysql_conn_flavor(s->conn) == OP_MYSQL_FLAVOR_MARIADB;
    rc = session_setup(s, p, err);
    if (rc == 0)
        rc = start_point(s, p, from, track, err);
    if (rc == 0)
        rc = register_replica(s, p, err);
    if (rc == 0)
        rc = request_dump(s, p, from, err);
    if (rc) {
        op_binlog_session_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

/* ERR packets of a dump: 1236 says the server cannot stream from the requested point. Its text
 * tells a position gone from the server (purged, or never there) from other refusals. */
static int dump_error(op_binlog_session *s, const char *where, rt_err *err)
{
    unsigned e = mysql_errno(s->m);
    const char *msg = mysql_error(s->m);
    if (e != ER_MASTER_FATAL_ERROR_READING_BINLOG) {
        char what[700];
        snprintf(what, sizeof what, "binlog stream from %s", where);
        return op_mysql_conn_fail(s->conn, what, err);
    }
    if (strcasestr(msg, "could not find") || strcasestr(msg, "purged") ||
        strcasestr(msg, "not in the master's binlog"))
        return rt_err_set(err, RT_ENOTFOUND,
                          "binlog position %s is no longer on the server (purged?): %s (error "
                          "%u); restart the job from a snapshot (startup mode initial) or from an "
                          "available position",
                          where, msg, e);
    return rt_err_set(err, RT_EINVAL,
                      "the server refused to stream the binlog from %s: %s (error %u)", where, msg,
                      e);
}

int op_binlog_session_read(op_binlog_session *s, const char *where, const uint8_t **event,
                           size_t *len, rt_err *err)
{
    unsigned long n = mysql_net_read_packet(s->m);
    if (n == packet_error)
        return dump_error(s, where, err);
    const uint8_t *pkt = s->m->net.read_pos;
    /* notes 1: 0x00 + the event; 0xFE shorter than 9 bytes is EOF (non-blocking dumps only). */
    if (n >= 1 && pkt[0] == 0xfe && n < 9)
        return rt_err_set(err, RT_EUNAVAIL, "binlog stream from %s: the server ended it (EOF)",
                          where);
    if (n < 1 + OP_BINLOG_HEADER_SIZE || pkt[0] != 0x00)
        return rt_err_set(err, RT_ECORRUPT,
                          "binlog stream from %s: unexpected packet of %lu bytes starting 0x%02x",
                          where, n, n ? pkt[0] : 0u);
    uint32_t size = (uint32_t)pkt[10] | (uint32_t)pkt[11] << 8 | (uint32_t)pkt[12] << 16 |
                    (uint32_t)pkt[13] << 24;
    if (size != n - 1)
        return rt_err_set(err, RT_ECORRUPT,
                          "binlog stream from %s: event of type %u says %" PRIu32
                          " bytes but its packet holds %lu",
                          where, pkt[5], size, n - 1);
    *event = pkt + 1;
    *len = n - 1;
    return 0;
}

bool op_binlog_session_is_mariadb(const op_binlog_session *s)
{
    return s->mariadb;
}

uint8_t op_binlog_session_checksum_alg(const op_binlog_session *s)
{
    return s->checksum_alg;
}

uint64_t op_binlog_session_connection_id(const op_binlog_session *s)
{
    return op_mysql_conn_thread_id(s->conn);
}

int op_binlog_session_socket(const op_binlog_session *s)
{
    return (int)mysql_get_socket(s->m);
}

void op_binlog_session_close(op_binlog_session *s)
{
    if (!s)
        return;
    op_mysql_conn_close(s->conn);
    free(s);
}

/* --- server queries --- */

typedef struct status_row {
    bool found;
    rt_buf file, gtid_set;
    uint64_t offset;
} status_row;

static int take_status(void *arg, size_t ncols, const char *const *v, const unsigned long *lens,
                       rt_err *err)
{
    status_row *r = arg;
    if (ncols < 2 || !v[0] || !v[1])
        return 1;
    r->found = true;
    rt_buf_reset(&r->file);
    rt_buf_append(&r->file, v[0], lens[0]);
    r->offset = strtoull(v[1], NULL, 10);
    rt_buf_reset(&r->gtid_set);
    if (ncols >= 5 && v[4]) /* MySQL: Executed_Gtid_Set */
        rt_buf_append(&r->gtid_set, v[4], lens[4]);
    return 1;
}

/* SHOW MASTER STATUS (MySQL 8.4+: SHOW BINARY LOG STATUS): file, position and, on MySQL, the
 * Executed_Gtid_Set of the same row. */
static int master_status(op_mysql_conn *c, status_row *r, rt_err *err)
{
    const char *sql = "SHOW MASTER STATUS";
    r->found = false;
    int rc = op_mysql_conn_query(c, sql, take_status, r, err);
    if (rc && op_mysql_conn_errno(c) == ER_PARSE_ERROR) {
        rt_err_clear(err);
        sql = "SHOW BINARY LOG STATUS";
        rc = op_mysql_conn_query(c, sql, take_status, r, err);
    }
    if (rc == 0 && !r->found)
        rc = rt_err_set(err, RT_EINVAL,
                        "%s returned no row: binary logging is off on the server (set log_bin)",
                        sql);
    return rc;
}

/* MariaDB's status has no GTID column: @@gtid_binlog_pos read between two equal SHOW MASTER
 * STATUS is the state of that point (cheap); on a server too busy for that, BINLOG_GTID_POS() of
 * the last position seen (it reads that file up to the position). */
static int mariadb_gtid_at(op_mysql_conn *c, status_row *r, rt_buf *gtid, bool *null, rt_err *err)
{
    status_row again = {0};
    rt_buf_init(&again.file);
    rt_buf_init(&again.gtid_set);
    int rc = 0;
    bool same = false;
    for (int i = 0; rc == 0 && !same && i < 3; i++) {
        rc = scalar(c, "SELECT @@global.gtid_binlog_pos", gtid, null, err);
        if (rc == 0)
            rc = master_status(c, &again, err);
        same = rc == 0 && again.offset == r->offset && strcmp(again.file.data, r->file.data) == 0;
        if (rc == 0 && !same) {
            rt_buf_reset(&r->file);
            rt_buf_append(&r->file, again.file.data, again.file.len);
            r->offset = again.offset;
        }
    }
    if (rc == 0 && !same) {
        rt_buf sql;
        rt_buf_init(&sql);
        rt_buf_append_str(&sql, "SELECT BINLOG_GTID_POS(");
        op_mysql_conn_quote(c, r->file.data, &sql);
        rt_buf_appendf(&sql, ", %" PRIu64 ")", r->offset);
        rc = scalar(c, sql.data, gtid, null, err);
        rt_buf_fini(&sql);
    }
    rt_buf_fini(&again.file);
    rt_buf_fini(&again.gtid_set);
    return rc;
}

int op_binlog_server_position_on(op_mysql_conn *c, op_binlog_pos *out, rt_err *err)
{
    status_row r = {0};
    rt_buf_init(&r.file);
    rt_buf_init(&r.gtid_set);
    rt_buf gtid;
    rt_buf_init(&gtid);
    bool mariadb = op_mysql_conn_flavor(c) == OP_MYSQL_FLAVOR_MARIADB, null = true;
    int rc = master_status(c, &r, err);
    if (rc == 0 && mariadb)
        rc = mariadb_gtid_at(c, &r, &gtid, &null, err);
    op_binlog_pos pos;
    op_binlog_pos_init(&pos);
    if (rc == 0)
        rc = op_binlog_pos_set_file(&pos, r.file.data, r.file.len, r.offset, err);
    if (rc == 0 && mariadb && !null)
        rc = op_binlog_pos_set_gtid_text(&pos, OP_BINLOG_GTID_MARIADB, gtid.data ? gtid.data : "",
                                         gtid.len, err);
    else if (rc == 0 && !mariadb && r.gtid_set.len > 0)
        rc = op_binlog_pos_set_gtid_text(&pos, OP_BINLOG_GTID_MYSQL, r.gtid_set.data,
                                         r.gtid_set.len, err);
    if (rc == 0)
        rc = op_binlog_pos_copy(out, &pos, err);
    op_binlog_pos_fini(&pos);
    rt_buf_fini(&r.file);
    rt_buf_fini(&r.gtid_set);
    rt_buf_fini(&gtid);
    if (rc)
        rt_err_prefix(err, rc, "binlog position of %s", op_mysql_conn_name(c));
    return rc;
}

/* One value of SHOW STATUS LIKE 'name' into out. */
static int status_value(void *arg, size_t n, const char *const *v, const unsigned long *len,
                        rt_err *err)
{
    (void)err;
    if (n >= 2 && v[1])
        rt_buf_append((rt_buf *)arg, v[1], len[1]);
    return 0;
}

int op_binlog_snapshot_begin(op_mysql_conn *c, op_binlog_pos *low, rt_err *err)
{
    if (op_mysql_conn_flavor(c) != OP_MYSQL_FLAVOR_MARIADB) {
        /* MySQL names no position of a snapshot: the mark taken before it is at or before it
         * for every transaction already visible, as the watermark algorithm has it. */
        int rc = op_binlog_server_position_on(c, low, err);
        return rc ? rc : op_mysql_conn_exec(c, "START TRANSACTION WITH CONSISTENT SNAPSHOT", NULL, err);
    }
    /* A transaction is written to the binlog before InnoDB makes it visible: a position read
     * by SHOW MASTER STATUS can lie past a commit the next SELECT does not see yet, and that
     * change would be in neither the chunk nor its LOW..HIGH backfill. MariaDB names the
     * binlog position of a consistent snapshot exactly. */
    int rc = op_mysql_conn_exec(c, "START TRANSACTION WITH CONSISTENT SNAPSHOT", NULL, err);
    rt_buf file, pos, gtid;
    rt_buf_init(&file);
    rt_buf_init(&pos);
    rt_buf_init(&gtid);
    if (rc == 0)
        rc = op_mysql_conn_query(c, "SHOW STATUS LIKE 'binlog_snapshot_file'", status_value,
                                 &file, err);
    if (rc == 0)
        rc = op_mysql_conn_query(c, "SHOW STATUS LIKE 'binlog_snapshot_position'", status_value,
                                 &pos, err);
    if (rc == 0 && (!file.data || !pos.data || file.len == 0))
        rc = rt_err_set(err, RT_EINVAL, "binlog_snapshot_file/position: not reported (binary "
                        "logging off?)");
    uint64_t offset = rc == 0 ? strtoull(pos.data, NULL, 10) : 0;
    bool null = true;
    if (rc == 0) {
        rt_buf sql;
        rt_buf_init(&sql);
        rt_buf_append_str(&sql, "SELECT BINLOG_GTID_POS(");
        op_mysql_conn_quote(c, file.data, &sql);
        rt_buf_appendf(&sql, ", %" PRIu64 ")", offset);
        rc = scalar(c, sql.data, &gtid, &null, err);
        rt_buf_fini(&sql);
    }
    op_binlog_pos p;
    op_binlog_pos_init(&p);
    if (rc == 0)
        rc = op_binlog_pos_set_file(&p, file.data, file.len, offset, err);
    if (rc == 0 && !null)
        rc = op_binlog_pos_set_gtid_text(&p, OP_BINLOG_GTID_MARIADB, gtid.data ? gtid.data : "",
                                         gtid.len, err);
    if (rc == 0)
        rc = op_binlog_pos_copy(low, &p, err);
    op_binlog_pos_fini(&p);
    rt_buf_fini(&file);
    rt_buf_fini(&pos);
    rt_buf_fini(&gtid);
    if (rc != 0) {
        (void)op_mysql_conn_exec(c, "ROLLBACK", NULL, NULL);
        rt_err_prefix(err, rc, "consistent snapshot on %s", op_mysql_conn_name(c));
    }
    return rc;
}

int op_binlog_snapshot_end(op_mysql_conn *c, rt_err *err)
{
    return op_mysql_conn_exec(c, "COMMIT", NULL, err);
}

int op_binlog_server_position(const op_mysql_conn_params *p, op_binlog_pos *out, rt_err *err)
{
    op_mysql_conn *c;
    int rc = op_mysql_conn_open(p, &c, err);
    if (rc)
        return rc;
    rc = op_binlog_server_position_on(c, out, err);
    op_mysql_conn_close(c);
    return rc;
}

typedef struct file_list {
    op_binlog_file *f;
    size_t n, cap;
} file_list;

static int take_file(void *arg, size_t ncols, const char *const *v, const unsigned long *lens,
                     rt_err *err)
{
    file_list *l = arg;
    if (ncols < 2 || !v[0] || lens[0] == 0 || lens[0] >= OP_BINLOG_FILE_NAME_SIZE)
        return rt_err_set(err, RT_EINVAL, "SHOW BINARY LOGS: row %zu has no usable file name",
                          l->n + 1);
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        op_binlog_file *f = realloc(l->f, cap * sizeof *f);
        if (!f)
            return rt_err_set(err, RT_ENOMEM, "SHOW BINARY LOGS: out of memory");
        l->f = f;
        l->cap = cap;
    }
    memcpy(l->f[l->n].name, v[0], lens[0]);
    l->f[l->n].name[lens[0]] = '\0';
    l->f[l->n].size = v[1] ? strtoull(v[1], NULL, 10) : 0;
    l->n++;
    return 0;
}

int op_binlog_list_files(const op_mysql_conn_params *p, op_binlog_file **files, size_t *count,
                         rt_err *err)
{
    op_mysql_conn *c;
    int rc = op_mysql_conn_open(p, &c, err);
    if (rc)
        return rc;
    file_list l = {0};
    rc = op_mysql_conn_query(c, "SHOW BINARY LOGS", take_file, &l, err);
    op_mysql_conn_close(c);
    if (rc) {
        free(l.f);
        return rc;
    }
    if (!l.f && !(l.f = calloc(1, sizeof *l.f)))
        return rt_err_set(err, RT_ENOMEM, "SHOW BINARY LOGS: out of memory");
    *files = l.f;
    *count = l.n;
    return 0;
}

/* The timestamp of a file's FORMAT_DESCRIPTION_EVENT, the first event written to it: a dump from
 * offset 4 sends the artificial ROTATE, then that event. */
static int first_event_time(const op_binlog_client_params *p, const char *file, uint32_t *ts,
                            rt_err *err)
{
    op_binlog_pos from, track;
    op_binlog_pos_init(&from);
    op_binlog_pos_init(&track);
    op_binlog_session *s = NULL;
    int rc = op_binlog_pos_set_file(&from, file, strlen(file), 4, err);
    if (rc == 0)
        rc = op_binlog_session_open(p, &from, &track, &s, err);
    bool found = false;
    for (int i = 0; rc == 0 && !found && i < 4; i++) {
        const uint8_t *ev = NULL;
        size_t len;
        rc = op_binlog_session_read(s, file, &ev, &len, err);
        if (rc == 0 && ev[4] == OP_BINLOG_FORMAT_DESCRIPTION_EVENT) {
            *ts = (uint32_t)ev[0] | (uint32_t)ev[1] << 8 | (uint32_t)ev[2] << 16 |
                  (uint32_t)ev[3] << 24;
            found = true;
        }
    }
    if (rc == 0 && !found)
        rc = rt_err_set(err, RT_ECORRUPT, "binlog %s: no FORMAT_DESCRIPTION_EVENT at its start",
                        file);
    op_binlog_session_close(s);
    op_binlog_pos_fini(&from);
    op_binlog_pos_fini(&track);
    return rc;
}

int op_binlog_find_by_timestamp(const op_binlog_client_params *p, int64_t unix_seconds,
                                op_binlog_pos *out, rt_err *err)
{
    op_binlog_file *files = NULL;
    size_t n = 0;
    int rc = op_binlog_list_files(&p->conn, &files, &n, err);
    if (rc == 0 && n == 0)
        rc = rt_err_set(err, RT_EINVAL, "the server has no binlog files");
    /* Binary search for the last file whose first event is at or before the time. Invariant: the
     * answer is in [lo, hi]; file 0 stands when even its first event is later. */
    size_t lo = 0, hi = n ? n - 1 : 0;
    while (rc == 0 && lo < hi) {
        size_t mid = lo + (hi - lo + 1) / 2;
        uint32_t ts = 0;
        rc = first_event_time(p, files[mid].name, &ts, err);
        if (rc == 0 && (int64_t)ts <= unix_seconds)
            lo = mid;
        else if (rc == 0)
            hi = mid - 1;
    }
    op_binlog_pos pos;
    op_binlog_pos_init(&pos);
    if (rc == 0)
        rc = op_binlog_pos_set_file(&pos, files[lo].name, strlen(files[lo].name), 4, err);
    if (rc == 0)
        rc = op_binlog_pos_copy(out, &pos, err);
    op_binlog_pos_fini(&pos);
    free(files);
    return rc ? rt_err_prefix(err, rc, "binlog file for time %" PRId64, unix_seconds) : 0;
}
