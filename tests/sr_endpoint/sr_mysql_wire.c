/* The MySQL client/server protocol, server side, as the MySQL manual's "Client/Server Protocol"
 * chapter describes it: packets (§ MySQL Packets), the v10 handshake and HandshakeResponse41
 * (§ Connection Phase), AuthSwitchRequest, mysql_native_password, and the text protocol's
 * COM_QUERY / COM_INIT_DB / COM_PING / COM_QUIT / COM_FIELD_LIST with OK, ERR and EOF packets. */
#include "tests/sr_endpoint/sr_mysql_wire.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "runtime/base/buf.h"
#include "runtime/base/log.h"
#include "tests/sr_endpoint/sr_mysql_sha1.h"

/* Capability flags (§ Capability Flags). */
#define CLIENT_LONG_PASSWORD 0x00000001u
#define CLIENT_FOUND_ROWS 0x00000002u
#define CLIENT_LONG_FLAG 0x00000004u
#define CLIENT_CONNECT_WITH_DB 0x00000008u
#define CLIENT_PROTOCOL_41 0x00000200u
#define CLIENT_SSL 0x00000800u
#define CLIENT_TRANSACTIONS 0x00002000u
#define CLIENT_SECURE_CONNECTION 0x00008000u
#define CLIENT_MULTI_STATEMENTS 0x00010000u
#define CLIENT_MULTI_RESULTS 0x00020000u
#define CLIENT_PLUGIN_AUTH 0x00080000u
#define CLIENT_CONNECT_ATTRS 0x00100000u
#define CLIENT_PLUGIN_AUTH_LENENC_DATA 0x00200000u
#define CLIENT_DEPRECATE_EOF 0x01000000u

/* No SSL, no compression, no session tracking: a test double on loopback needs none of them,
 * and a client only uses what both sides announce. */
#define SERVER_CAPS                                                                                \
    (CLIENT_LONG_PASSWORD | CLIENT_FOUND_ROWS | CLIENT_LONG_FLAG | CLIENT_CONNECT_WITH_DB |        \
     CLIENT_PROTOCOL_41 | CLIENT_TRANSACTIONS | CLIENT_SECURE_CONNECTION |                         \
     CLIENT_MULTI_STATEMENTS | CLIENT_MULTI_RESULTS | CLIENT_PLUGIN_AUTH | CLIENT_CONNECT_ATTRS |  \
     CLIENT_PLUGIN_AUTH_LENENC_DATA | CLIENT_DEPRECATE_EOF)

#define SERVER_STATUS_AUTOCOMMIT 0x0002u
#define SERVER_MORE_RESULTS_EXISTS 0x0008u

#define COM_QUIT 0x01
#define COM_INIT_DB 0x02
#define COM_QUERY 0x03
#define COM_FIELD_LIST 0x04
#define COM_PING 0x0e
#define COM_RESET_CONNECTION 0x1f

#define CHARSET_UTF8 33
#define CHARSET_BINARY 63
#define MAX_PACKET_FRAGMENT 0xffffffu
/* A bound on one logical packet (a query): larger ones close the session. */
#define MAX_PACKET_SIZE (64u << 20)
#define NATIVE_PLUGIN "mysql_native_password"
#define SCRAMBLE_LEN 20

typedef enum sess_state { ST_HANDSHAKE, ST_AUTH_SWITCH, ST_COMMAND, ST_CLOSING } sess_state;

struct sr_mysql_session {
    sr_mysql_server *srv;
    struct bufferevent *bev;
    sess_state state;
    uint8_t seq;
    uint32_t caps;
    uint32_t id;
    uint8_t scramble[SCRAMBLE_LEN];
    char peer[64];
    char user[128];
    char db[256];
    char login_db[256];
    rt_buf pkt;
    void *data;
    sr_mysql_session *next, *prev;
};

struct sr_mysql_server {
    struct event_base *base;
    struct evconnlistener *listener;
    sr_mysql_handler handler;
    char *user;
    char *password;
    char *version;
    int port;
    uint32_t next_id;
    sr_mysql_session *sessions;
};

const char *sr_mysql_type_name(int type)
{
    switch (type) {
    case SR_MYSQL_TYPE_DECIMAL:
        return "DECIMAL";
    case SR_MYSQL_TYPE_TINY:
        return "TINY";
    case SR_MYSQL_TYPE_SHORT:
        return "SHORT";
    case SR_MYSQL_TYPE_LONG:
        return "LONG";
    case SR_MYSQL_TYPE_FLOAT:
        return "FLOAT";
    case SR_MYSQL_TYPE_DOUBLE:
        return "DOUBLE";
    case SR_MYSQL_TYPE_LONGLONG:
        return "LONGLONG";
    case SR_MYSQL_TYPE_DATE:
        return "DATE";
    case SR_MYSQL_TYPE_DATETIME:
        return "DATETIME";
    case SR_MYSQL_TYPE_NEWDECIMAL:
        return "NEWDECIMAL";
    case SR_MYSQL_TYPE_BLOB:
        return "BLOB";
    case SR_MYSQL_TYPE_VAR_STRING:
        return "VAR_STRING";
    case SR_MYSQL_TYPE_STRING:
        return "STRING";
    default:
        return "?";
    }
}

/* ---- packet writing (§ MySQL Packets: 3-byte length, sequence id, payload) ---- */

static void put_u16(rt_buf *b, uint16_t v)
{
    uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    rt_buf_append(b, x, 2);
}

static void put_u32(rt_buf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    rt_buf_append(b, x, 4);
}

/* Length-encoded integer (§ Protocol::LengthEncodedInteger). */
static void put_lenenc(rt_buf *b, uint64_t v)
{
    uint8_t x[9];
    size_t n;
    if (v < 251) {
        x[0] = (uint8_t)v;
        n = 1;
    } else if (v < 0x10000) {
        x[0] = 0xfc;
        x[1] = (uint8_t)v;
        x[2] = (uint8_t)(v >> 8);
        n = 3;
    } else if (v < 0x1000000) {
        x[0] = 0xfd;
        for (int i = 0; i < 3; i++)
            x[1 + i] = (uint8_t)(v >> (8 * i));
        n = 4;
    } else {
        x[0] = 0xfe;
        for (int i = 0; i < 8; i++)
            x[1 + i] = (uint8_t)(v >> (8 * i));
        n = 9;
    }
    rt_buf_append(b, x, n);
}

static void put_lenenc_str(rt_buf *b, const char *s, size_t len)
{
    put_lenenc(b, len);
    if (len > 0)
        rt_buf_append(b, s, len);
}

/* Sends payload as one logical packet: fragments of 2^24-1 bytes, and an empty fragment after a
 * payload that is an exact multiple, so that the peer knows where it ends. */
static void send_packet(sr_mysql_session *s, const rt_buf *payload)
{
    struct evbuffer *out = bufferevent_get_output(s->bev);
    size_t off = 0;
    for (;;) {
        size_t n = payload->len - off;
        if (n > MAX_PACKET_FRAGMENT)
            n = MAX_PACKET_FRAGMENT;
        uint8_t h[4] = {(uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16), s->seq++};
        evbuffer_add(out, h, 4);
        if (n > 0)
            evbuffer_add(out, payload->data + off, n);
        off += n;
        if (n < MAX_PACKET_FRAGMENT)
            break;
    }
}

static void send_ok_status(sr_mysql_session *s, uint8_t header, uint64_t affected, const char *info,
                           uint16_t status)
{
    rt_buf b;
    rt_buf_init(&b);
    rt_buf_append_char(&b, (char)header);
    put_lenenc(&b, affected);
    put_lenenc(&b, 0);
    put_u16(&b, status);
    put_u16(&b, 0);
    if (info && *info)
        rt_buf_append_str(&b, info);
    send_packet(s, &b);
    rt_buf_fini(&b);
}

static void send_eof(sr_mysql_session *s, uint16_t status)
{
    rt_buf b;
    rt_buf_init(&b);
    rt_buf_append_char(&b, (char)0xfe);
    put_u16(&b, 0);
    put_u16(&b, status);
    send_packet(s, &b);
    rt_buf_fini(&b);
}

static void put_column_def(rt_buf *b, const sr_mysql_column *c)
{
    const char *schema = c->schema ? c->schema : "";
    const char *table = c->table ? c->table : "";
    const char *name = c->name ? c->name : "";
    put_lenenc_str(b, "def", 3);
    put_lenenc_str(b, schema, strlen(schema));
    put_lenenc_str(b, table, strlen(table));
    put_lenenc_str(b, table, strlen(table));
    put_lenenc_str(b, name, strlen(name));
    put_lenenc_str(b, name, strlen(name));
    put_lenenc(b, 0x0c);
    put_u16(b, c->binary ? CHARSET_BINARY : CHARSET_UTF8);
    put_u32(b, c->length);
    rt_buf_append_char(b, (char)c->type);
    put_u16(b, (uint16_t)(c->flags | (c->binary ? SR_MYSQL_FLAG_BINARY : 0)));
    rt_buf_append_char(b, (char)c->decimals);
    put_u16(b, 0);
}

/* ---- session life ---- */

static void session_free(sr_mysql_session *s)
{
    sr_mysql_server *srv = s->srv;
    if (srv->handler.closed)
        srv->handler.closed(s, srv->handler.arg);
    if (s->prev)
        s->prev->next = s->next;
    else
        srv->sessions = s->next;
    if (s->next)
        s->next->prev = s->prev;
    bufferevent_free(s->bev);
    rt_buf_fini(&s->pkt);
    free(s);
}

static void on_drained(struct bufferevent *bev, void *arg)
{
    session_free(arg);
}

static void on_drained_event(struct bufferevent *bev, short what, void *arg)
{
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
        session_free(arg);
}

/* Marks the session for closing once what is queued (an ERR) has been written. Never frees it
 * here: callers are deep inside on_read, which finishes the job (finish_closing). */
static void session_close_after_flush(sr_mysql_session *s)
{
    s->state = ST_CLOSING;
    bufferevent_disable(s->bev, EV_READ);
}

static void finish_closing(sr_mysql_session *s)
{
    if (evbuffer_get_length(bufferevent_get_output(s->bev)) == 0) {
        session_free(s);
        return;
    }
    bufferevent_setcb(s->bev, NULL, on_drained, on_drained_event, s);
}

/* ---- public answers ---- */

const char *sr_mysql_session_db(const sr_mysql_session *s)
{
    return s->db;
}

void sr_mysql_session_set_db(sr_mysql_session *s, const char *db)
{
    snprintf(s->db, sizeof s->db, "%s", db);
}

const char *sr_mysql_session_user(const sr_mysql_session *s)
{
    return s->user;
}

uint32_t sr_mysql_session_id(const sr_mysql_session *s)
{
    return s->id;
}

bool sr_mysql_session_multi_statements(const sr_mysql_session *s)
{
    return (s->caps & CLIENT_MULTI_STATEMENTS) != 0;
}

void *sr_mysql_session_data(const sr_mysql_session *s)
{
    return s->data;
}

void sr_mysql_session_set_data(sr_mysql_session *s, void *data)
{
    s->data = data;
}

static uint16_t status_flags(bool more)
{
    return (uint16_t)(SERVER_STATUS_AUTOCOMMIT | (more ? SERVER_MORE_RESULTS_EXISTS : 0));
}

void sr_mysql_session_ok(sr_mysql_session *s, uint64_t affected_rows, const char *info, bool more)
{
    send_ok_status(s, 0x00, affected_rows, info, status_flags(more));
}

void sr_mysql_session_err(sr_mysql_session *s, uint16_t code, const char *sqlstate, const char *msg)
{
    rt_buf b;
    rt_buf_init(&b);
    rt_buf_append_char(&b, (char)0xff);
    put_u16(&b, code);
    rt_buf_append_char(&b, '#');
    char state[6] = "HY000";
    if (sqlstate && strlen(sqlstate) == 5)
        memcpy(state, sqlstate, 5);
    rt_buf_append(&b, state, 5);
    rt_buf_append_str(&b, msg ? msg : "");
    send_packet(s, &b);
    rt_buf_fini(&b);
}

void sr_mysql_session_columns(sr_mysql_session *s, size_t ncols, const sr_mysql_column *cols)
{
    rt_buf b;
    rt_buf_init(&b);
    put_lenenc(&b, ncols);
    send_packet(s, &b);
    for (size_t i = 0; i < ncols; i++) {
        rt_buf_reset(&b);
        put_column_def(&b, &cols[i]);
        send_packet(s, &b);
    }
    rt_buf_fini(&b);
    if (!(s->caps & CLIENT_DEPRECATE_EOF))
        send_eof(s, status_flags(false));
}

void sr_mysql_session_row(sr_mysql_session *s, size_t ncols, const char *const *values,
                          const size_t *lens)
{
    rt_buf b;
    rt_buf_init(&b);
    for (size_t i = 0; i < ncols; i++) {
        if (!values[i])
            rt_buf_append_char(&b, (char)0xfb);
        else
            put_lenenc_str(&b, values[i], lens[i]);
    }
    send_packet(s, &b);
    rt_buf_fini(&b);
}

void sr_mysql_session_end(sr_mysql_session *s, bool more)
{
    if (s->caps & CLIENT_DEPRECATE_EOF)
        send_ok_status(s, 0xfe, 0, NULL, status_flags(more));
    else
        send_eof(s, status_flags(more));
}

void sr_mysql_session_fields(sr_mysql_session *s, size_t ncols, const sr_mysql_column *cols)
{
    rt_buf b;
    rt_buf_init(&b);
    for (size_t i = 0; i < ncols; i++) {
        rt_buf_reset(&b);
        put_column_def(&b, &cols[i]);
        /* COM_FIELD_LIST's definitions carry the default value; NULL here. */
        rt_buf_append_char(&b, (char)0xfb);
        send_packet(s, &b);
    }
    rt_buf_fini(&b);
    send_eof(s, status_flags(false));
}

/* ---- connection phase ---- */

static void send_handshake(sr_mysql_session *s)
{
    rt_buf b;
    rt_buf_init(&b);
    rt_buf_append_char(&b, 10);
    rt_buf_append(&b, s->srv->version, strlen(s->srv->version) + 1);
    put_u32(&b, s->id);
    rt_buf_append(&b, s->scramble, 8);
    rt_buf_append_char(&b, 0);
    put_u16(&b, (uint16_t)(SERVER_CAPS & 0xffff));
    rt_buf_append_char(&b, CHARSET_UTF8);
    put_u16(&b, SERVER_STATUS_AUTOCOMMIT);
    put_u16(&b, (uint16_t)(SERVER_CAPS >> 16));
    rt_buf_append_char(&b, SCRAMBLE_LEN + 1);
    static const char zeros[10] = {0};
    rt_buf_append(&b, zeros, 10);
    rt_buf_append(&b, s->scramble + 8, SCRAMBLE_LEN - 8);
    rt_buf_append_char(&b, 0);
    rt_buf_append(&b, NATIVE_PLUGIN, sizeof NATIVE_PLUGIN);
    send_packet(s, &b);
    rt_buf_fini(&b);
}

/* Bounds-checked reader over one packet's payload. */
typedef struct reader {
    const uint8_t *p;
    size_t left;
    bool bad;
} reader;

static bool rd_bytes(reader *r, size_t n, const uint8_t **out)
{
    if (r->bad || r->left < n) {
        r->bad = true;
        return false;
    }
    *out = r->p;
    r->p += n;
    r->left -= n;
    return true;
}

static uint64_t rd_uint(reader *r, size_t n)
{
    const uint8_t *p;
    if (!rd_bytes(r, n, &p))
        return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static uint64_t rd_lenenc(reader *r)
{
    uint64_t first = rd_uint(r, 1);
    if (first < 0xfb)
        return first;
    if (first == 0xfc)
        return rd_uint(r, 2);
    if (first == 0xfd)
        return rd_uint(r, 3);
    if (first == 0xfe)
        return rd_uint(r, 8);
    r->bad = true;
    return 0;
}

/* A NUL-terminated string, copied into out (truncated to size-1). Missing NUL = bad. */
static void rd_cstr(reader *r, char *out, size_t size)
{
    const uint8_t *nul = r->bad ? NULL : memchr(r->p, 0, r->left);
    if (!nul) {
        r->bad = true;
        out[0] = '\0';
        return;
    }
    size_t n = (size_t)(nul - r->p);
    snprintf(out, size, "%.*s", (int)n, (const char *)r->p);
    r->p += n + 1;
    r->left -= n + 1;
}

/* mysql_native_password: the client sends SHA1(pw) XOR SHA1(scramble + SHA1(SHA1(pw))). */
static bool native_password_ok(const sr_mysql_session *s, const uint8_t *token, size_t len)
{
    const char *pw = s->srv->password;
    if (pw[0] == '\0')
        return len == 0;
    if (len != SR_MYSQL_SHA1_SIZE)
        return false;
    uint8_t stage1[SR_MYSQL_SHA1_SIZE], stage2[SR_MYSQL_SHA1_SIZE], mix[SR_MYSQL_SHA1_SIZE];
    sr_mysql_sha1_digest(pw, strlen(pw), stage1);
    sr_mysql_sha1_digest(stage1, sizeof stage1, stage2);
    sr_mysql_sha1 c;
    sr_mysql_sha1_init(&c);
    sr_mysql_sha1_update(&c, s->scramble, SCRAMBLE_LEN);
    sr_mysql_sha1_update(&c, stage2, sizeof stage2);
    sr_mysql_sha1_final(&c, mix);
    uint8_t diff = 0;
    for (size_t i = 0; i < SR_MYSQL_SHA1_SIZE; i++)
        diff |= (uint8_t)(token[i] ^ stage1[i] ^ mix[i]);
    return diff == 0;
}

static void finish_login(sr_mysql_session *s, const uint8_t *token, size_t len)
{
    if (strcmp(s->user, s->srv->user) != 0 || !native_password_ok(s, token, len)) {
        char msg[320];
        snprintf(msg, sizeof msg, "Access denied for user '%s'@'%s' (using password: %s)", s->user,
                 s->peer, len > 0 ? "YES" : "NO");
        LOG_INFO("sr-endpoint mysql: session %u: login refused for user '%s'", s->id, s->user);
        sr_mysql_session_err(s, 1045, "28000", msg);
        session_close_after_flush(s);
        return;
    }
    s->state = ST_COMMAND;
    if (s->login_db[0] && s->srv->handler.init_db) {
        s->srv->handler.init_db(s, s->login_db, s->srv->handler.arg);
        return;
    }
    sr_mysql_session_ok(s, 0, NULL, false);
}

static void on_handshake_response(sr_mysql_session *s, const uint8_t *p, size_t len)
{
    reader r = {p, len, false};
    s->caps = (uint32_t)rd_uint(&r, 4);
    rd_uint(&r, 4); /* max packet size */
    rd_uint(&r, 1); /* charset: the endpoint speaks utf8 whatever the client asks */
    const uint8_t *skip;
    rd_bytes(&r, 23, &skip);
    if (r.bad || !(s->caps & CLIENT_PROTOCOL_41) || (s->caps & CLIENT_SSL)) {
        sr_mysql_session_err(s, 1043, "08S01", "Bad handshake");
        session_close_after_flush(s);
        return;
    }
    s->caps &= SERVER_CAPS;
    rd_cstr(&r, s->user, sizeof s->user);
    size_t tlen;
    if (s->caps & CLIENT_PLUGIN_AUTH_LENENC_DATA)
        tlen = (size_t)rd_lenenc(&r);
    else if (s->caps & CLIENT_SECURE_CONNECTION)
        tlen = (size_t)rd_uint(&r, 1);
    else
        tlen = r.bad || !memchr(r.p, 0, r.left) ? 0 : strlen((const char *)r.p);
    const uint8_t *token = NULL;
    rd_bytes(&r, tlen, &token);
    if (!(s->caps & (CLIENT_PLUGIN_AUTH_LENENC_DATA | CLIENT_SECURE_CONNECTION)) && !r.bad)
        rd_uint(&r, 1);
    if ((s->caps & CLIENT_CONNECT_WITH_DB) && !r.bad && r.left > 0)
        rd_cstr(&r, s->login_db, sizeof s->login_db);
    char plugin[64] = NATIVE_PLUGIN;
    if ((s->caps & CLIENT_PLUGIN_AUTH) && !r.bad && r.left > 0)
        rd_cstr(&r, plugin, sizeof plugin);
    if (r.bad) {
        sr_mysql_session_err(s, 1043, "08S01", "Bad handshake");
        session_close_after_flush(s);
        return;
    }
    /* Connection attributes, if any, follow; the endpoint has no use for them. */
    if (strcmp(plugin, NATIVE_PLUGIN) != 0) {
        /* AuthSwitchRequest: ask for mysql_native_password over the same scramble. */
        rt_buf b;
        rt_buf_init(&b);
        rt_buf_append_char(&b, (char)0xfe);
        rt_buf_append(&b, NATIVE_PLUGIN, sizeof NATIVE_PLUGIN);
        rt_buf_append(&b, s->scramble, SCRAMBLE_LEN);
        rt_buf_append_char(&b, 0);
        send_packet(s, &b);
        rt_buf_fini(&b);
        s->state = ST_AUTH_SWITCH;
        return;
    }
    finish_login(s, token, tlen);
}

/* ---- command phase ---- */

static void on_command(sr_mysql_session *s, const uint8_t *p, size_t len)
{
    const sr_mysql_handler *h = &s->srv->handler;
    if (len == 0) {
        sr_mysql_session_err(s, 1047, "08S01", "Unknown command");
        return;
    }
    switch (p[0]) {
    case COM_QUIT:
        session_close_after_flush(s);
        return;
    case COM_PING:
    case COM_RESET_CONNECTION:
        sr_mysql_session_ok(s, 0, NULL, false);
        return;
    case COM_QUERY:
        if (h->query)
            h->query(s, (const char *)p + 1, len - 1, h->arg);
        else
            sr_mysql_session_err(s, 1047, "08S01", "Unknown command");
        return;
    case COM_INIT_DB: {
        char db[256];
        snprintf(db, sizeof db, "%.*s", (int)(len - 1), (const char *)p + 1);
        if (h->init_db) {
            h->init_db(s, db, h->arg);
        } else {
            sr_mysql_session_set_db(s, db);
            sr_mysql_session_ok(s, 0, NULL, false);
        }
        return;
    }
    case COM_FIELD_LIST: {
        /* table NUL [wildcard]: the wildcard is ignored. */
        char table[256];
        const uint8_t *nul = memchr(p + 1, 0, len - 1);
        size_t n = nul ? (size_t)(nul - (p + 1)) : len - 1;
        snprintf(table, sizeof table, "%.*s", (int)n, (const char *)p + 1);
        if (h->field_list)
            h->field_list(s, table, h->arg);
        else
            sr_mysql_session_fields(s, 0, NULL);
        return;
    }
    default:
        sr_mysql_session_err(s, 1047, "08S01", "Unknown command");
        return;
    }
}

/* Handles one complete logical packet. */
static void on_packet(sr_mysql_session *s)
{
    const uint8_t *p = (const uint8_t *)s->pkt.data;
    size_t len = s->pkt.len;
    switch (s->state) {
    case ST_HANDSHAKE:
        on_handshake_response(s, p, len);
        break;
    case ST_AUTH_SWITCH:
        finish_login(s, p, len);
        break;
    case ST_COMMAND:
        /* A command starts a new sequence; the answer continues from 1. */
        s->seq = 1;
        on_command(s, p, len);
        break;
    case ST_CLOSING:
        break;
    }
}

static void on_read(struct bufferevent *bev, void *arg)
{
    sr_mysql_session *s = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    for (;;) {
        uint8_t h[4];
        if (evbuffer_copyout(in, h, 4) < 4)
            return;
        size_t n = (size_t)h[0] | (size_t)h[1] << 8 | (size_t)h[2] << 16;
        if (evbuffer_get_length(in) < 4 + n)
            return;
        if (s->pkt.len + n > MAX_PACKET_SIZE) {
            LOG_WARN("sr-endpoint mysql: session %u: packet over %u bytes, closing", s->id,
                     MAX_PACKET_SIZE);
            session_close_after_flush(s);
            finish_closing(s);
            return;
        }
        evbuffer_drain(in, 4);
        char *dst = rt_buf_reserve(&s->pkt, n);
        if (n > 0)
            evbuffer_remove(in, dst, n);
        rt_buf_advance(&s->pkt, n);
        s->seq = (uint8_t)(h[3] + 1);
        if (n == MAX_PACKET_FRAGMENT)
            continue;
        on_packet(s);
        rt_buf_reset(&s->pkt);
        if (s->state == ST_CLOSING) {
            finish_closing(s);
            return;
        }
    }
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
        session_free(arg);
}

static void fill_scramble(uint8_t *out, size_t n)
{
    /* The scramble must be printable-ish and never NUL (clients treat it as a C string). */
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    ssize_t got = fd >= 0 ? read(fd, out, n) : -1;
    if (fd >= 0)
        close(fd);
    for (size_t i = 0; i < n; i++) {
        uint8_t v = got == (ssize_t)n ? out[i] : (uint8_t)rand();
        out[i] = (uint8_t)(0x21 + v % 0x5e);
    }
}

static void on_accept(struct evconnlistener *lis, evutil_socket_t fd, struct sockaddr *addr,
                      int socklen, void *arg)
{
    sr_mysql_server *srv = arg;
    sr_mysql_session *s = calloc(1, sizeof *s);
    if (!s) {
        evutil_closesocket(fd);
        return;
    }
    s->bev = bufferevent_socket_new(srv->base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (!s->bev) {
        evutil_closesocket(fd);
        free(s);
        return;
    }
    s->srv = srv;
    s->id = ++srv->next_id;
    rt_buf_init(&s->pkt);
    snprintf(s->peer, sizeof s->peer, "unknown");
    if (addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)addr)->sin_addr, s->peer, sizeof s->peer);
    else if (addr->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)addr)->sin6_addr, s->peer, sizeof s->peer);
    fill_scramble(s->scramble, SCRAMBLE_LEN);
    s->next = srv->sessions;
    if (srv->sessions)
        srv->sessions->prev = s;
    srv->sessions = s;
    bufferevent_setcb(s->bev, on_read, NULL, on_event, s);
    bufferevent_enable(s->bev, EV_READ | EV_WRITE);
    s->seq = 0;
    send_handshake(s);
}

int sr_mysql_server_new(struct event_base *base, const char *host, int port, const char *user,
                        const char *password, const char *server_version,
                        const sr_mysql_handler *handler, sr_mysql_server **out, rt_err *err)
{
    /* A numeric address only: the endpoint listens on loopback, no name resolution. */
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    int sslen;
    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    char spec[300];
    snprintf(spec, sizeof spec, strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, port);
    if (port < 0 || port > 65535)
        return rt_err_set(err, RT_EINVAL, "mysql port: bad listen address '%s'", spec);
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        sslen = sizeof *v4;
    } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        sslen = sizeof *v6;
    } else {
        return rt_err_set(err, RT_EINVAL, "mysql port: bad listen address '%s' (numeric only)",
                          spec);
    }
    sr_mysql_server *srv = calloc(1, sizeof *srv);
    if (!srv)
        return rt_err_set(err, RT_ENOMEM, "mysql port: out of memory");
    srv->base = base;
    srv->handler = *handler;
    srv->user = strdup(user);
    srv->password = strdup(password ? password : "");
    srv->version = strdup(server_version);
    srv->listener =
        evconnlistener_new_bind(base, on_accept, srv, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 64,
                                (struct sockaddr *)&ss, sslen);
    if (!srv->user || !srv->password || !srv->version || !srv->listener) {
        int rc = rt_err_set(err, RT_EIO, "mysql port: listen on %s failed", spec);
        sr_mysql_server_free(srv);
        return rc;
    }
    struct sockaddr_storage bound;
    socklen_t blen = sizeof bound;
    getsockname(evconnlistener_get_fd(srv->listener), (struct sockaddr *)&bound, &blen);
    srv->port = bound.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&bound)->sin6_port)
                                            : ntohs(((struct sockaddr_in *)&bound)->sin_port);
    *out = srv;
    return 0;
}

int sr_mysql_server_port(const sr_mysql_server *srv)
{
    return srv->port;
}

void sr_mysql_server_free(sr_mysql_server *srv)
{
    if (!srv)
        return;
    while (srv->sessions)
        session_free(srv->sessions);
    if (srv->listener)
        evconnlistener_free(srv->listener);
    free(srv->user);
    free(srv->password);
    free(srv->version);
    free(srv);
}
