/* Binlog positions: file/offset plus GTID state, text and binary forms (binlog_position.h). */
#include "operators/mysql/binlog_position.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "operators/mysql/byte_cursor.h"

#define POS_FORMAT_VERSION 1

const char *op_binlog_gtid_kind_name(op_binlog_gtid_kind k)
{
    switch (k) {
    case OP_BINLOG_GTID_NONE:
        return "none";
    case OP_BINLOG_GTID_MARIADB:
        return "mariadb";
    case OP_BINLOG_GTID_MYSQL:
        return "mysql";
    }
    return "?";
}

void op_binlog_pos_init(op_binlog_pos *p)
{
    memset(p, 0, sizeof *p);
}

static void drop_gtid(op_binlog_pos *p)
{
    op_mariadb_gtid_list_free(p->mariadb_gtids);
    op_mysql_gtid_set_free(p->mysql_gtids);
    p->mariadb_gtids = NULL;
    p->mysql_gtids = NULL;
    p->gtid_kind = OP_BINLOG_GTID_NONE;
}

void op_binlog_pos_fini(op_binlog_pos *p)
{
    drop_gtid(p);
    op_binlog_pos_init(p);
}

/* Moves src into dst (dst's old state freed); src is left empty. */
static void pos_move(op_binlog_pos *dst, op_binlog_pos *src)
{
    op_binlog_pos_fini(dst);
    *dst = *src;
    op_binlog_pos_init(src);
}

static int oom(rt_err *err)
{
    return rt_err_set(err, RT_ENOMEM, "binlog position: out of memory");
}

static int copy_mariadb(const op_mariadb_gtid_list *src, op_mariadb_gtid_list **out, rt_err *err)
{
    op_mariadb_gtid_list *l = op_mariadb_gtid_list_new();
    if (!l)
        return oom(err);
    for (size_t i = 0; i < op_mariadb_gtid_list_count(src); i++) {
        op_mariadb_gtid g = op_mariadb_gtid_list_get(src, i);
        int rc = op_mariadb_gtid_list_add(l, &g, err);
        if (rc) {
            op_mariadb_gtid_list_free(l);
            return rc;
        }
    }
    *out = l;
    return 0;
}

int op_binlog_pos_copy(op_binlog_pos *dst, const op_binlog_pos *src, rt_err *err)
{
    if (dst == src)
        return 0;
    op_binlog_pos tmp;
    op_binlog_pos_init(&tmp);
    memcpy(tmp.file, src->file, sizeof tmp.file);
    tmp.offset = src->offset;
    tmp.gtid_kind = src->gtid_kind;
    int rc = 0;
    if (src->gtid_kind == OP_BINLOG_GTID_MARIADB) {
        rc = copy_mariadb(src->mariadb_gtids, &tmp.mariadb_gtids, err);
    } else if (src->gtid_kind == OP_BINLOG_GTID_MYSQL) {
        tmp.mysql_gtids = op_mysql_gtid_set_new();
        rc = tmp.mysql_gtids ? op_mysql_gtid_set_add_set(tmp.mysql_gtids, src->mysql_gtids, err)
                             : oom(err);
    }
    if (rc) {
        op_binlog_pos_fini(&tmp);
        return rc;
    }
    pos_move(dst, &tmp);
    return 0;
}

bool op_binlog_pos_has_file(const op_binlog_pos *p)
{
    return p->file[0] != '\0';
}

bool op_binlog_pos_has_gtid(const op_binlog_pos *p)
{
    return p->gtid_kind != OP_BINLOG_GTID_NONE;
}

int op_binlog_pos_set_file(op_binlog_pos *p, const char *file, size_t len, uint64_t offset,
                           rt_err *err)
{
    if (len == 0)
        return rt_err_set(err, RT_EINVAL, "binlog position: empty file name");
    if (len >= OP_BINLOG_FILE_NAME_SIZE)
        return rt_err_set(err, RT_EINVAL, "binlog position: file name of %zu bytes (limit %d)", len,
                          OP_BINLOG_FILE_NAME_SIZE - 1);
    if (memchr(file, '\0', len))
        return rt_err_set(err, RT_EINVAL, "binlog position: file name holds a NUL byte");
    memcpy(p->file, file, len);
    p->file[len] = '\0';
    p->offset = offset;
    return 0;
}

void op_binlog_pos_clear_file(op_binlog_pos *p)
{
    p->file[0] = '\0';
    p->offset = 0;
}

int op_binlog_pos_set_gtid_text(op_binlog_pos *p, op_binlog_gtid_kind kind, const char *text,
                                size_t len, rt_err *err)
{
    op_mariadb_gtid_list *l = NULL;
    op_mysql_gtid_set *s = NULL;
    int rc = 0;
    if (kind == OP_BINLOG_GTID_MARIADB)
        rc = op_mariadb_gtid_list_parse(text, len, &l, err);
    else if (kind == OP_BINLOG_GTID_MYSQL)
        rc = op_mysql_gtid_set_parse(text, len, &s, err);
    else if (kind != OP_BINLOG_GTID_NONE)
        return rt_err_set(err, RT_EINVAL, "binlog position: GTID kind %d", (int)kind);
    if (rc)
        return rc;
    drop_gtid(p);
    p->gtid_kind = kind;
    p->mariadb_gtids = l;
    p->mysql_gtids = s;
    return 0;
}

int op_binlog_pos_add_mariadb_gtid(op_binlog_pos *p, const op_mariadb_gtid *g, rt_err *err)
{
    if (p->gtid_kind == OP_BINLOG_GTID_MYSQL)
        return rt_err_set(err, RT_EINVAL, "binlog position: a MariaDB GTID added to a MySQL set");
    if (p->gtid_kind == OP_BINLOG_GTID_NONE) {
        p->mariadb_gtids = op_mariadb_gtid_list_new();
        if (!p->mariadb_gtids)
            return oom(err);
        p->gtid_kind = OP_BINLOG_GTID_MARIADB;
    }
    return op_mariadb_gtid_list_add(p->mariadb_gtids, g, err);
}

int op_binlog_pos_add_mysql_gtid(op_binlog_pos *p, const uint8_t uuid[16], const char *tag,
                                 int64_t gno, rt_err *err)
{
    if (p->gtid_kind == OP_BINLOG_GTID_MARIADB)
        return rt_err_set(err, RT_EINVAL, "binlog position: a MySQL GTID added to a MariaDB list");
    if (p->gtid_kind == OP_BINLOG_GTID_NONE) {
        p->mysql_gtids = op_mysql_gtid_set_new();
        if (!p->mysql_gtids)
            return oom(err);
        p->gtid_kind = OP_BINLOG_GTID_MYSQL;
    }
    return op_mysql_gtid_set_add(p->mysql_gtids, uuid, tag, gno, err);
}

/* --- text form --- */

void op_binlog_pos_format_gtid(const op_binlog_pos *p, rt_buf *out)
{
    if (p->gtid_kind == OP_BINLOG_GTID_MARIADB)
        op_mariadb_gtid_list_format(p->mariadb_gtids, out);
    else if (p->gtid_kind == OP_BINLOG_GTID_MYSQL)
        op_mysql_gtid_set_format(p->mysql_gtids, out);
}

static const char *gtid_key(op_binlog_gtid_kind k)
{
    return k == OP_BINLOG_GTID_MYSQL ? "gtid_set=" : "gtid=";
}

void op_binlog_pos_format(const op_binlog_pos *p, rt_buf *out)
{
    bool file = op_binlog_pos_has_file(p);
    if (file) {
        rt_buf_append_str(out, p->file);
        rt_buf_append_char(out, ':');
        rt_buf_append_u64(out, p->offset);
    }
    if (!op_binlog_pos_has_gtid(p))
        return;
    rt_buf g;
    rt_buf_init(&g);
    op_binlog_pos_format_gtid(p, &g);
    /* A bare GTID text names its kind by its shape; the empty one, or one after a file, needs
     * its key. */
    if (file || g.len == 0) {
        if (file)
            rt_buf_append_char(out, ' ');
        rt_buf_append_str(out, gtid_key(p->gtid_kind));
    }
    rt_buf_append(out, g.data ? g.data : "", g.len);
    rt_buf_fini(&g);
}

/* text[0..len) is a MySQL GTID set when what precedes its first ':' is a server UUID. */
static bool looks_like_mysql_set(const char *text, size_t len)
{
    const char *colon = memchr(text, ':', len);
    if (!colon)
        return false;
    size_t n = (size_t)(colon - text);
    while (n > 0 && (*text == ' ' || *text == '\t')) {
        text++;
        n--;
    }
    uint8_t uuid[16];
    return (n == 36 || n == 32) && op_uuid_parse(text, n, uuid, NULL) == 0;
}

/* "file:offset", split at the last ':'. */
static int parse_file_offset(const char *text, size_t len, op_binlog_pos *p, rt_err *err)
{
    const char *colon = NULL;
    for (size_t i = len; i > 0; i--) {
        if (text[i - 1] == ':') {
            colon = text + i - 1;
            break;
        }
    }
    if (!colon)
        return rt_err_set(err, RT_EINVAL,
                          "binlog position '%.*s': expected file:offset or a GTID list/set",
                          (int)len, text);
    const char *num = colon + 1;
    size_t num_len = len - (size_t)(num - text);
    uint64_t v = 0;
    bool ok = num_len > 0 && num_len <= 20;
    for (size_t i = 0; ok && i < num_len; i++) {
        unsigned d = (unsigned)(num[i] - '0');
        if (d > 9 || v > (UINT64_MAX - d) / 10)
            ok = false;
        else
            v = v * 10 + d;
    }
    if (!ok)
        return rt_err_set(err, RT_EINVAL, "binlog position '%.*s': offset '%.*s' is not a number",
                          (int)len, text, (int)num_len, num);
    int rc = op_binlog_pos_set_file(p, text, (size_t)(colon - text), v, err);
    return rc ? rt_err_prefix(err, rc, "binlog position '%.*s'", (int)len, text) : 0;
}

/* Finds the " gtid=" / " gtid_set=" key of the combined form (or the key at the start). */
static const char *find_key(const char *text, size_t len, op_binlog_gtid_kind *kind,
                            size_t *key_len)
{
    static const struct {
        const char *key;
        op_binlog_gtid_kind kind;
    } keys[] = {{"gtid=", OP_BINLOG_GTID_MARIADB}, {"gtid_set=", OP_BINLOG_GTID_MYSQL}};
    for (size_t i = 0; i < len; i++) {
        if (i > 0 && text[i - 1] != ' ')
            continue;
        for (size_t k = 0; k < 2; k++) {
            size_t n = strlen(keys[k].key);
            if (len - i >= n && memcmp(text + i, keys[k].key, n) == 0) {
                *kind = keys[k].kind;
                *key_len = n;
                return text + i;
            }
        }
    }
    return NULL;
}

int op_binlog_pos_parse(const char *text, size_t len, op_binlog_pos *out, rt_err *err)
{
    op_binlog_pos p;
    op_binlog_pos_init(&p);
    int rc = 0;
    op_binlog_gtid_kind kind = OP_BINLOG_GTID_NONE;
    size_t key_len = 0;
    const char *key = find_key(text, len, &kind, &key_len);
    if (key) {
        size_t file_len = (size_t)(key - text);
        if (file_len > 0)
            rc = parse_file_offset(text, file_len - 1, &p, err); /* minus the space */
        if (rc == 0) {
            const char *g = key + key_len;
            rc = op_binlog_pos_set_gtid_text(&p, kind, g, len - (size_t)(g - text), err);
        }
    } else if (len == 0) {
        rc = 0;
    } else if (!memchr(text, ':', len)) {
        rc = op_binlog_pos_set_gtid_text(&p, OP_BINLOG_GTID_MARIADB, text, len, err);
    } else if (looks_like_mysql_set(text, len)) {
        rc = op_binlog_pos_set_gtid_text(&p, OP_BINLOG_GTID_MYSQL, text, len, err);
    } else {
        rc = parse_file_offset(text, len, &p, err);
    }
    if (rc) {
        op_binlog_pos_fini(&p);
        return rc;
    }
    pos_move(out, &p);
    return 0;
}

/* --- order --- */

/* Splits "base.000123" into the base length and the numeric extension; false when the name does
 * not end in '.' + digits. */
static bool split_ext(const char *name, size_t *base_len, const char **digits)
{
    size_t n = strlen(name), i = n;
    while (i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9')
        i--;
    if (i == n || i == 0 || name[i - 1] != '.')
        return false;
    *base_len = i - 1;
    *digits = name + i;
    return true;
}

int op_binlog_file_compare(const char *a, const char *b)
{
    size_t ab, bb;
    const char *ad, *bd;
    if (split_ext(a, &ab, &ad) && split_ext(b, &bb, &bd) && ab == bb && memcmp(a, b, ab) == 0) {
        /* Numeric order without overflow: strip leading zeros, then longer is larger. */
        while (*ad == '0' && ad[1])
            ad++;
        while (*bd == '0' && bd[1])
            bd++;
        size_t al = strlen(ad), bl = strlen(bd);
        if (al != bl)
            return al < bl ? -1 : 1;
        int c = strcmp(ad, bd);
        return c < 0 ? -1 : c > 0;
    }
    int c = strcmp(a, b);
    return c < 0 ? -1 : c > 0;
}

static bool mariadb_subset(const op_mariadb_gtid_list *a, const op_mariadb_gtid_list *b)
{
    for (size_t i = 0; i < op_mariadb_gtid_list_count(a); i++) {
        op_mariadb_gtid g = op_mariadb_gtid_list_get(a, i);
        if (!op_mariadb_gtid_list_contains(b, &g))
            return false;
    }
    return true;
}

/* Every interval of a lies inside one interval of b's block of the same (uuid, tag); b's
 * intervals are canonical (merged), so a contiguous run cannot span two of them. */
static bool mysql_subset(const op_mysql_gtid_set *a, const op_mysql_gtid_set *b)
{
    size_t nb = op_mysql_gtid_set_sid_count(b);
    for (size_t i = 0; i < op_mysql_gtid_set_sid_count(a); i++) {
        uint8_t ua[16], ub[16];
        const char *ta, *tb;
        size_t na, nib = 0;
        op_mysql_gtid_set_sid(a, i, ua, &ta, &na);
        size_t j = 0;
        for (; j < nb; j++) {
            op_mysql_gtid_set_sid(b, j, ub, &tb, &nib);
            if (memcmp(ua, ub, 16) == 0 && strcmp(ta, tb) == 0)
                break;
        }
        if (j == nb)
            return false;
        for (size_t k = 0; k < na; k++) {
            int64_t s, e;
            op_mysql_gtid_set_interval(a, i, k, &s, &e);
            bool inside = false;
            for (size_t m = 0; m < nib && !inside; m++) {
                int64_t bs, be;
                op_mysql_gtid_set_interval(b, j, m, &bs, &be);
                inside = bs <= s && e <= be;
            }
            if (!inside)
                return false;
        }
    }
    return true;
}

static int not_ordered(const op_binlog_pos *a, const op_binlog_pos *b, const char *why, rt_err *err)
{
    rt_buf ta, tb;
    rt_buf_init(&ta);
    rt_buf_init(&tb);
    op_binlog_pos_format(a, &ta);
    op_binlog_pos_format(b, &tb);
    rt_err_set(err, RT_EINVAL, "binlog positions '%s' and '%s' cannot be ordered: %s",
               ta.data ? ta.data : "", tb.data ? tb.data : "", why);
    rt_buf_fini(&ta);
    rt_buf_fini(&tb);
    return RT_EINVAL;
}

int op_binlog_pos_compare(const op_binlog_pos *a, const op_binlog_pos *b, int *order, rt_err *err)
{
    if (op_binlog_pos_has_file(a) && op_binlog_pos_has_file(b)) {
        int c = op_binlog_file_compare(a->file, b->file);
        if (c == 0)
            c = a->offset < b->offset ? -1 : a->offset > b->offset;
        *order = c;
        return 0;
    }
    if (a->gtid_kind == OP_BINLOG_GTID_NONE || a->gtid_kind != b->gtid_kind)
        return not_ordered(a, b, "no file/offset or GTID form in common", err);
    bool ab, ba;
    if (a->gtid_kind == OP_BINLOG_GTID_MARIADB) {
        ab = mariadb_subset(a->mariadb_gtids, b->mariadb_gtids);
        ba = mariadb_subset(b->mariadb_gtids, a->mariadb_gtids);
    } else {
        ab = mysql_subset(a->mysql_gtids, b->mysql_gtids);
        ba = mysql_subset(b->mysql_gtids, a->mysql_gtids);
    }
    if (!ab && !ba)
        return not_ordered(a, b, "neither GTID state contains the other", err);
    *order = ab && ba ? 0 : ab ? -1 : 1;
    return 0;
}

/* --- binary form --- */

static void put_le(rt_buf *out, uint64_t v, unsigned n)
{
    uint8_t b[8];
    for (unsigned i = 0; i < n; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    rt_buf_append(out, b, n);
}

void op_binlog_pos_encode(const op_binlog_pos *p, rt_buf *out)
{
    size_t file_len = strlen(p->file);
    put_le(out, POS_FORMAT_VERSION, 1);
    put_le(out, (uint64_t)p->gtid_kind, 1);
    put_le(out, file_len, 2);
    rt_buf_append(out, p->file, file_len);
    put_le(out, p->offset, 8);
    size_t len_at = out->len;
    put_le(out, 0, 4); /* gtid_len, patched below */
    size_t start = out->len;
    if (p->gtid_kind == OP_BINLOG_GTID_MARIADB) {
        size_t n = op_mariadb_gtid_list_count(p->mariadb_gtids);
        put_le(out, n, 4);
        for (size_t i = 0; i < n; i++) {
            op_mariadb_gtid g = op_mariadb_gtid_list_get(p->mariadb_gtids, i);
            put_le(out, g.domain_id, 4);
            put_le(out, g.server_id, 4);
            put_le(out, g.seq_no, 8);
        }
    } else if (p->gtid_kind == OP_BINLOG_GTID_MYSQL) {
        op_mysql_gtid_set_encode(p->mysql_gtids, out);
    }
    uint64_t gtid_len = out->len - start;
    for (unsigned i = 0; i < 4; i++)
        out->data[len_at + i] = (char)(uint8_t)(gtid_len >> (8 * i));
}

static int truncated(rt_err *err, const char *what)
{
    return rt_err_set(err, RT_ECORRUPT, "binlog position state: truncated %s", what);
}

static int decode_mariadb(const uint8_t *g, size_t len, op_binlog_pos *p, rt_err *err)
{
    op_cursor c = op_cursor_make(g, len);
    uint64_t n;
    if (!op_cursor_le(&c, 4, &n))
        return truncated(err, "GTID count");
    if (n != c.left / 16 || c.left % 16 != 0)
        return rt_err_set(err, RT_ECORRUPT, "binlog position state: %" PRIu64 " GTIDs in %zu bytes",
                          n, c.left);
    p->mariadb_gtids = op_mariadb_gtid_list_new();
    if (!p->mariadb_gtids)
        return oom(err);
    p->gtid_kind = OP_BINLOG_GTID_MARIADB;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t d = 0, s = 0, q = 0;
        op_cursor_le(&c, 4, &d); /* bounded: n * 16 == bytes left */
        op_cursor_le(&c, 4, &s);
        op_cursor_le(&c, 8, &q);
        op_mariadb_gtid gt = {(uint32_t)d, (uint32_t)s, q};
        /* The encoder writes domains in strictly increasing order; anything else was not
         * written by it. */
        if (i > 0 &&
            op_mariadb_gtid_list_get(p->mariadb_gtids, (size_t)i - 1).domain_id >= gt.domain_id)
            return rt_err_set(err, RT_ECORRUPT,
                              "binlog position state: GTID domains not in increasing order");
        int rc = op_mariadb_gtid_list_add(p->mariadb_gtids, &gt, err);
        if (rc)
            return rc;
    }
    return 0;
}

int op_binlog_pos_decode(const uint8_t *bytes, size_t len, op_binlog_pos *out, rt_err *err)
{
    op_cursor c = op_cursor_make(bytes, len);
    uint64_t version, kind, file_len, offset, gtid_len;
    const uint8_t *file, *gtid;
    if (!op_cursor_le(&c, 1, &version))
        return truncated(err, "version");
    if (version != POS_FORMAT_VERSION)
        return rt_err_set(err, RT_ESTATE,
                          "binlog position state: format version %" PRIu64
                          " (this build reads version %d)",
                          version, POS_FORMAT_VERSION);
    if (!op_cursor_le(&c, 1, &kind) || !op_cursor_le(&c, 2, &file_len))
        return truncated(err, "header");
    if (kind > OP_BINLOG_GTID_MYSQL)
        return rt_err_set(err, RT_ECORRUPT, "binlog position state: GTID kind %" PRIu64, kind);
    if (!op_cursor_bytes(&c, (size_t)file_len, &file) || !op_cursor_le(&c, 8, &offset))
        return truncated(err, "file name");
    if (!op_cursor_le(&c, 4, &gtid_len) || !op_cursor_bytes(&c, (size_t)gtid_len, &gtid))
        return truncated(err, "GTID state");
    if (c.left != 0)
        return rt_err_set(err, RT_ECORRUPT, "binlog position state: %zu bytes after the end",
                          c.left);
    op_binlog_pos p;
    op_binlog_pos_init(&p);
    int rc = 0;
    if (file_len > 0)
        rc = op_binlog_pos_set_file(&p, (const char *)file, (size_t)file_len, offset, err);
    else if (offset != 0)
        rc = rt_err_set(err, RT_ECORRUPT, "binlog position state: an offset without a file");
    if (rc == 0 && kind == OP_BINLOG_GTID_MARIADB) {
        rc = decode_mariadb(gtid, (size_t)gtid_len, &p, err);
    } else if (rc == 0 && kind == OP_BINLOG_GTID_MYSQL) {
        rc = op_mysql_gtid_set_decode(gtid, (size_t)gtid_len, &p.mysql_gtids, err);
        if (rc == 0)
            p.gtid_kind = OP_BINLOG_GTID_MYSQL;
    } else if (rc == 0 && gtid_len != 0) {
        rc = rt_err_set(err, RT_ECORRUPT, "binlog position state: GTID bytes without a kind");
    }
    if (rc) {
        op_binlog_pos_fini(&p);
        /* A bad name or GTID in state is corruption, not a user's invalid input. */
        return rt_err_prefix(err, rc == RT_EINVAL ? RT_ECORRUPT : rc, "binlog position state");
    }
    pos_move(out, &p);
    return 0;
}
