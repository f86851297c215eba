/* GTID sets (MySQL uuid[:tag]:intervals) and GTID lists (MariaDB domain-server-seq): parse,
 * format, add, contains, and the binary form of PREVIOUS_GTIDS / COM_BINLOG_DUMP_GTID
 * (notes/binlog.md 2.5, 2.6 and 5; MySQL rpl_gtid_set.cc encode/decode layout). */
#include "operators/mysql/gtid.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "operators/mysql/byte_cursor.h"

/* Longest text quoted back in a parse error. */
#define QUOTE_MAX 60

/* An interval [start, end): MySQL stores GTID intervals half-open (PREVIOUS_GTIDS, notes 2.5). */
typedef struct interval {
    int64_t start, end;
} interval;

/* The intervals of one (uuid, tag): sorted, disjoint and never adjacent. */
typedef struct sid_entry {
    uint8_t uuid[16];
    char tag[OP_GTID_TAG_MAX + 1];
    interval *iv;
    size_t n, cap;
} sid_entry;

struct op_mysql_gtid_set {
    sid_entry *e; /* sorted by (uuid, tag); the untagged "" first */
    size_t n, cap;
};

void op_uuid_format(const uint8_t uuid[16], char out[OP_UUID_TEXT_SIZE])
{
    static const char hex[] = "0123456789abcdef";
    char *p = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hex[uuid[i] >> 4];
        *p++ = hex[uuid[i] & 15];
    }
    *p = '\0';
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int op_uuid_parse(const char *text, size_t len, uint8_t out[16], rt_err *err)
{
    bool dashed = len == 36;
    if (len != 36 && len != 32)
        goto bad;
    uint8_t u[16];
    size_t j = 0;
    for (int i = 0; i < 16; i++) {
        if (dashed && (i == 4 || i == 6 || i == 8 || i == 10)) {
            if (text[j] != '-')
                goto bad;
            j++;
        }
        int hi = hexval((unsigned char)text[j]), lo = hexval((unsigned char)text[j + 1]);
        if (hi < 0 || lo < 0)
            goto bad;
        u[i] = (uint8_t)(hi << 4 | lo);
        j += 2;
    }
    memcpy(out, u, 16);
    return 0;
bad:
    return rt_err_set(err, RT_EINVAL, "bad server UUID '%.*s'",
                      (int)(len > QUOTE_MAX ? QUOTE_MAX : len), text);
}

op_mysql_gtid_set *op_mysql_gtid_set_new(void)
{
    return calloc(1, sizeof(op_mysql_gtid_set));
}

void op_mysql_gtid_set_free(op_mysql_gtid_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        free(s->e[i].iv);
    free(s->e);
    free(s);
}

bool op_mysql_gtid_set_is_empty(const op_mysql_gtid_set *s)
{
    return s->n == 0;
}

size_t op_mysql_gtid_set_sid_count(const op_mysql_gtid_set *s)
{
    return s->n;
}

void op_mysql_gtid_set_sid(const op_mysql_gtid_set *s, size_t i, uint8_t uuid[16], const char **tag,
                           size_t *n_intervals)
{
    RT_ASSERT(i < s->n);
    memcpy(uuid, s->e[i].uuid, 16);
    *tag = s->e[i].tag;
    *n_intervals = s->e[i].n;
}

void op_mysql_gtid_set_interval(const op_mysql_gtid_set *s, size_t i, size_t k, int64_t *start,
                                int64_t *end)
{
    RT_ASSERT(i < s->n && k < s->e[i].n);
    *start = s->e[i].iv[k].start;
    *end = s->e[i].iv[k].end;
}

/* Lower-cases tag into out, checking MySQL's tag syntax. NULL and "" are "no tag". */
static int norm_tag(const char *tag, size_t len, char out[OP_GTID_TAG_MAX + 1], rt_err *err)
{
    if (len > OP_GTID_TAG_MAX)
        return rt_err_set(err, RT_EINVAL, "GTID tag '%.*s' is longer than %d characters",
                          (int)(len > QUOTE_MAX ? QUOTE_MAX : len), tag, OP_GTID_TAG_MAX);
    for (size_t i = 0; i < len; i++) {
        int c = tolower((unsigned char)tag[i]);
        bool ok = c == '_' || (c >= 'a' && c <= 'z') || (i > 0 && c >= '0' && c <= '9');
        if (!ok)
            return rt_err_set(err, RT_EINVAL, "bad GTID tag '%.*s'", (int)len, tag);
        out[i] = (char)c;
    }
    out[len] = '\0';
    return 0;
}

static int entry_cmp(const uint8_t uuid[16], const char *tag, const sid_entry *e)
{
    int c = memcmp(uuid, e->uuid, 16);
    return c ? c : strcmp(tag, e->tag);
}

/* The entry of (uuid, tag), created (empty) when create is set; NULL on OOM or when absent. */
static sid_entry *find_entry(op_mysql_gtid_set *s, const uint8_t uuid[16], const char *tag,
                             bool create)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = entry_cmp(uuid, tag, &s->e[mid]);
        if (c == 0)
            return &s->e[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    if (!create)
        return NULL;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 4;
        sid_entry *e = realloc(s->e, cap * sizeof *e);
        if (!e)
            return NULL;
        s->e = e;
        s->cap = cap;
    }
    memmove(&s->e[lo + 1], &s->e[lo], (s->n - lo) * sizeof *s->e);
    memset(&s->e[lo], 0, sizeof *s->e);
    memcpy(s->e[lo].uuid, uuid, 16);
    strcpy(s->e[lo].tag, tag);
    s->n++;
    return &s->e[lo];
}

/* Adds [a, b) to e, merging every interval it overlaps or touches. */
static int entry_add(sid_entry *e, int64_t a, int64_t b)
{
    size_t i = 0;
    while (i < e->n && e->iv[i].end < a)
        i++;
    size_t j = i;
    while (j < e->n && e->iv[j].start <= b)
        j++;
    if (i < j) { /* iv[i..j) touch [a, b): replace them by their union */
        if (e->iv[i].start < a)
            a = e->iv[i].start;
        if (e->iv[j - 1].end > b)
            b = e->iv[j - 1].end;
        e->iv[i].start = a;
        e->iv[i].end = b;
        memmove(&e->iv[i + 1], &e->iv[j], (e->n - j) * sizeof *e->iv);
        e->n -= j - i - 1;
        return 0;
    }
    if (e->n == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 2;
        interval *iv = realloc(e->iv, cap * sizeof *iv);
        if (!iv)
            return RT_ENOMEM;
        e->iv = iv;
        e->cap = cap;
    }
    memmove(&e->iv[i + 1], &e->iv[i], (e->n - i) * sizeof *e->iv);
    e->iv[i].start = a;
    e->iv[i].end = b;
    e->n++;
    return 0;
}

int op_mysql_gtid_set_add_interval(op_mysql_gtid_set *s, const uint8_t uuid[16], const char *tag,
                                   int64_t start, int64_t end, rt_err *err)
{
    char t[OP_GTID_TAG_MAX + 1];
    int rc = norm_tag(tag ? tag : "", tag ? strlen(tag) : 0, t, err);
    if (rc)
        return rc;
    if (start < 1 || end <= start)
        return rt_err_set(err, RT_EINVAL, "bad GTID interval [%lld, %lld)", (long long)start,
                          (long long)end);
    sid_entry *e = find_entry(s, uuid, t, true);
    if (!e || entry_add(e, start, end))
        return rt_err_set(err, RT_ENOMEM, "GTID set: out of memory");
    return 0;
}

int op_mysql_gtid_set_add(op_mysql_gtid_set *s, const uint8_t uuid[16], const char *tag,
                          int64_t gno, rt_err *err)
{
    if (gno < 1 || gno == INT64_MAX)
        return rt_err_set(err, RT_EINVAL, "bad GTID number %lld", (long long)gno);
    return op_mysql_gtid_set_add_interval(s, uuid, tag, gno, gno + 1, err);
}

int op_mysql_gtid_set_add_set(op_mysql_gtid_set *s, const op_mysql_gtid_set *other, rt_err *err)
{
    for (size_t i = 0; i < other->n; i++) {
        const sid_entry *o = &other->e[i];
        for (size_t k = 0; k < o->n; k++) {
            int rc = op_mysql_gtid_set_add_interval(s, o->uuid, o->tag, o->iv[k].start,
                                                    o->iv[k].end, err);
            if (rc)
                return rc;
        }
    }
    return 0;
}

bool op_mysql_gtid_set_contains(const op_mysql_gtid_set *s, const uint8_t uuid[16], const char *tag,
                                int64_t gno)
{
    char t[OP_GTID_TAG_MAX + 1];
    if (norm_tag(tag ? tag : "", tag ? strlen(tag) : 0, t, NULL))
        return false;
    const sid_entry *e = find_entry((op_mysql_gtid_set *)s, uuid, t, false);
    for (size_t i = 0; e && i < e->n; i++) {
        if (gno < e->iv[i].start)
            return false;
        if (gno < e->iv[i].end)
            return true;
    }
    return false;
}

void op_mysql_gtid_set_format(const op_mysql_gtid_set *s, rt_buf *out)
{
    const sid_entry *prev = NULL;
    for (size_t i = 0; i < s->n; i++) {
        const sid_entry *e = &s->e[i];
        if (e->n == 0)
            continue;
        if (!prev || memcmp(e->uuid, prev->uuid, 16) != 0) {
            char u[OP_UUID_TEXT_SIZE];
            op_uuid_format(e->uuid, u);
            if (prev)
                rt_buf_append_char(out, ',');
            rt_buf_append_str(out, u);
        }
        prev = e;
        if (e->tag[0]) {
            rt_buf_append_char(out, ':');
            rt_buf_append_str(out, e->tag);
        }
        for (size_t k = 0; k < e->n; k++) {
            rt_buf_append_char(out, ':');
            rt_buf_append_i64(out, e->iv[k].start);
            if (e->iv[k].end - 1 > e->iv[k].start) {
                rt_buf_append_char(out, '-');
                rt_buf_append_i64(out, e->iv[k].end - 1);
            }
        }
    }
}

/* A decimal number of text[0..len) in [1, max]. */
static bool parse_num(const char *text, size_t len, uint64_t max, uint64_t *out)
{
    if (len == 0 || len > 20)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        unsigned d = (unsigned)(text[i] - '0');
        if (v > (max - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* One "uuid:…" group of the text form, without surrounding whitespace. */
static int parse_group(op_mysql_gtid_set *s, const char *g, size_t len, rt_err *err)
{
    size_t i = 0;
    while (i < len && g[i] != ':')
        i++;
    uint8_t uuid[16];
    int rc = op_uuid_parse(g, i, uuid, err);
    if (rc)
        return rc;
    char tag[OP_GTID_TAG_MAX + 1] = "";
    bool any = false, pending_tag = false; /* a tag must be followed by its intervals */
    while (i < len) {                      /* g[i] == ':' */
        size_t start = ++i;
        while (i < len && g[i] != ':')
            i++;
        const char *el = g + start;
        size_t el_len = i - start;
        if (el_len > 0 && !(el[0] >= '0' && el[0] <= '9')) {
            if (pending_tag)
                goto bad;
            rc = norm_tag(el, el_len, tag, err);
            if (rc)
                return rc;
            pending_tag = true;
            continue;
        }
        size_t dash = 0;
        while (dash < el_len && el[dash] != '-')
            dash++;
        uint64_t a = 0, b = 0; /* -O2 cannot see that b is set whenever it is read */
        if (!parse_num(el, dash, INT64_MAX - 1, &a) ||
            (dash < el_len && !parse_num(el + dash + 1, el_len - dash - 1, INT64_MAX - 1, &b)))
            goto bad;
        if (dash == el_len)
            b = a;
        if (a < 1 || b < a)
            goto bad;
        rc = op_mysql_gtid_set_add_interval(s, uuid, tag, (int64_t)a, (int64_t)b + 1, err);
        if (rc)
            return rc;
        any = true;
        pending_tag = false;
    }
    if (!any || pending_tag)
        goto bad;
    return 0;
bad:
    return rt_err_set(err, RT_EINVAL, "bad GTID set element '%.*s'",
                      (int)(len > QUOTE_MAX ? QUOTE_MAX : len), g);
}

int op_mysql_gtid_set_parse(const char *text, size_t len, op_mysql_gtid_set **out, rt_err *err)
{
    op_mysql_gtid_set *s = op_mysql_gtid_set_new();
    if (!s)
        return rt_err_set(err, RT_ENOMEM, "GTID set: out of memory");
    size_t i = 0;
    int rc = 0;
    for (bool first = true;; first = false) {
        while (i < len && is_space(text[i]))
            i++;
        size_t start = i;
        while (i < len && text[i] != ',')
            i++;
        size_t end = i;
        while (end > start && is_space(text[end - 1]))
            end--;
        if (end == start && first && i == len)
            break; /* "" or only whitespace: the empty set */
        if (end == start) {
            rc = rt_err_set(err, RT_EINVAL, "bad GTID set '%.*s': empty element",
                            (int)(len > QUOTE_MAX ? QUOTE_MAX : len), text);
            break;
        }
        if ((rc = parse_group(s, text + start, end - start, err)) != 0 || i == len)
            break;
        i++;
    }
    if (rc) {
        op_mysql_gtid_set_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

int op_mysql_gtid_set_decode(const uint8_t *p, size_t len, op_mysql_gtid_set **out, rt_err *err)
{
    op_cursor c = op_cursor_make(p, len);
    if (c.left < 8)
        return op_cursor_truncated(err, "GTID set");
    /* MySQL 8.4 tagged format: bytes 0 and 7 of the count hold format 1 (rpl_gtid_set.cc). An
     * untagged count never has byte 7 set: it would mean 2^56 SIDs. */
    bool tagged = p[0] == 1 && p[7] == 1;
    uint64_t n_sids = tagged ? op_get_le(p + 1, 6) : op_get_le(p, 8);
    op_cursor_skip(&c, 8);
    /* Each SID takes at least its UUID and interval count: bound the count by the bytes left. */
    if (n_sids > c.left / 24)
        return rt_err_set(err, RT_ECORRUPT, "GTID set: %llu SIDs do not fit in %zu bytes",
                          (unsigned long long)n_sids, c.left);
    op_mysql_gtid_set *s = op_mysql_gtid_set_new();
    if (!s)
        return rt_err_set(err, RT_ENOMEM, "GTID set: out of memory");
    int rc = 0;
    for (uint64_t i = 0; i < n_sids && rc == 0; i++) {
        const uint8_t *uuid, *tag = NULL;
        uint64_t tag_len = 0, n_iv;
        if (!op_cursor_bytes(&c, 16, &uuid) || (tagged && !op_cursor_varlen(&c, &tag_len))) {
            rc = op_cursor_truncated(err, "GTID set");
            break;
        }
        char t[OP_GTID_TAG_MAX + 1];
        if (tag_len > OP_GTID_TAG_MAX || !op_cursor_bytes(&c, (size_t)tag_len, &tag)) {
            rc = rt_err_set(err, RT_ECORRUPT, "GTID set: bad tag length %llu",
                            (unsigned long long)tag_len);
            break;
        }
        if ((rc = norm_tag((const char *)tag, (size_t)tag_len, t, err)) != 0)
            break;
        if (!op_cursor_le(&c, 8, &n_iv) || n_iv > c.left / 16) {
            rc = op_cursor_truncated(err, "GTID set: intervals");
            break;
        }
        for (uint64_t k = 0; k < n_iv && rc == 0; k++) {
            uint64_t a = 0, b = 0;
            op_cursor_le(&c, 8, &a);
            op_cursor_le(&c, 8, &b);
            if (a < 1 || b <= a || b > INT64_MAX)
                rc = rt_err_set(err, RT_ECORRUPT, "GTID set: bad interval [%llu, %llu)",
                                (unsigned long long)a, (unsigned long long)b);
            else
                rc = op_mysql_gtid_set_add_interval(s, uuid, t, (int64_t)a, (int64_t)b, err);
        }
    }
    if (rc == 0 && c.left != 0)
        rc = rt_err_set(err, RT_ECORRUPT, "GTID set: %zu bytes after the last SID", c.left);
    if (rc) {
        op_mysql_gtid_set_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

static void put_le(rt_buf *out, uint64_t v, unsigned n)
{
    char b[8];
    for (unsigned i = 0; i < n; i++)
        b[i] = (char)(v >> (8 * i));
    rt_buf_append(out, b, n);
}

/* The inverse of op_cursor_varlen: the smallest N with v < 2^(7N), N-1 one bits then a zero. */
static void put_varlen(rt_buf *out, uint64_t v)
{
    unsigned n = 1;
    while (n < 9 && (n == 8 ? v >> 56 : v >> (7 * n)) != 0)
        n++;
    if (n == 9) {
        rt_buf_append_char(out, (char)0xff);
        put_le(out, v, 8);
        return;
    }
    put_le(out, (v << n) | ((UINT64_C(1) << (n - 1)) - 1), n);
}

void op_mysql_gtid_set_encode(const op_mysql_gtid_set *s, rt_buf *out)
{
    bool tagged = false;
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (s->e[i].n == 0)
            continue;
        n++;
        tagged |= s->e[i].tag[0] != '\0';
    }
    if (tagged) {
        rt_buf_append_char(out, 1);
        put_le(out, n, 6);
        rt_buf_append_char(out, 1);
    } else {
        put_le(out, n, 8);
    }
    for (size_t i = 0; i < s->n; i++) {
        const sid_entry *e = &s->e[i];
        if (e->n == 0)
            continue;
        rt_buf_append(out, e->uuid, 16);
        if (tagged) {
            size_t tl = strlen(e->tag);
            put_varlen(out, tl);
            rt_buf_append(out, e->tag, tl);
        }
        put_le(out, e->n, 8);
        for (size_t k = 0; k < e->n; k++) {
            put_le(out, (uint64_t)e->iv[k].start, 8);
            put_le(out, (uint64_t)e->iv[k].end, 8);
        }
    }
}

int op_mariadb_gtid_parse(const char *text, size_t len, op_mariadb_gtid *out, rt_err *err)
{
    size_t d1 = 0, d2;
    while (d1 < len && text[d1] != '-')
        d1++;
    d2 = d1 + 1;
    while (d2 < len && text[d2] != '-')
        d2++;
    uint64_t dom, srv, seq;
    if (d2 >= len || !parse_num(text, d1, UINT32_MAX, &dom) ||
        !parse_num(text + d1 + 1, d2 - d1 - 1, UINT32_MAX, &srv) ||
        !parse_num(text + d2 + 1, len - d2 - 1, UINT64_MAX, &seq))
        return rt_err_set(err, RT_EINVAL, "bad MariaDB GTID '%.*s' (want domain-server-seq)",
                          (int)(len > QUOTE_MAX ? QUOTE_MAX : len), text);
    out->domain_id = (uint32_t)dom;
    out->server_id = (uint32_t)srv;
    out->seq_no = seq;
    return 0;
}

void op_mariadb_gtid_format(const op_mariadb_gtid *g, rt_buf *out)
{
    rt_buf_append_u64(out, g->domain_id);
    rt_buf_append_char(out, '-');
    rt_buf_append_u64(out, g->server_id);
    rt_buf_append_char(out, '-');
    rt_buf_append_u64(out, g->seq_no);
}

struct op_mariadb_gtid_list {
    op_mariadb_gtid *g; /* sorted by domain, one per domain */
    size_t n, cap;
};

op_mariadb_gtid_list *op_mariadb_gtid_list_new(void)
{
    return calloc(1, sizeof(op_mariadb_gtid_list));
}

void op_mariadb_gtid_list_free(op_mariadb_gtid_list *l)
{
    if (!l)
        return;
    free(l->g);
    free(l);
}

/* Index of domain in l, or where it would go (*found says which). */
static size_t domain_index(const op_mariadb_gtid_list *l, uint32_t domain, bool *found)
{
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (l->g[mid].domain_id == domain) {
            *found = true;
            return mid;
        }
        if (l->g[mid].domain_id < domain)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

int op_mariadb_gtid_list_add(op_mariadb_gtid_list *l, const op_mariadb_gtid *g, rt_err *err)
{
    bool found;
    size_t i = domain_index(l, g->domain_id, &found);
    if (found) {
        l->g[i] = *g;
        return 0;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4;
        op_mariadb_gtid *ng = realloc(l->g, cap * sizeof *ng);
        if (!ng)
            return rt_err_set(err, RT_ENOMEM, "GTID list: out of memory");
        l->g = ng;
        l->cap = cap;
    }
    memmove(&l->g[i + 1], &l->g[i], (l->n - i) * sizeof *l->g);
    l->g[i] = *g;
    l->n++;
    return 0;
}

bool op_mariadb_gtid_list_contains(const op_mariadb_gtid_list *l, const op_mariadb_gtid *g)
{
    bool found;
    size_t i = domain_index(l, g->domain_id, &found);
    return found && g->seq_no <= l->g[i].seq_no;
}

size_t op_mariadb_gtid_list_count(const op_mariadb_gtid_list *l)
{
    return l->n;
}

op_mariadb_gtid op_mariadb_gtid_list_get(const op_mariadb_gtid_list *l, size_t i)
{
    RT_ASSERT(i < l->n);
    return l->g[i];
}

void op_mariadb_gtid_list_format(const op_mariadb_gtid_list *l, rt_buf *out)
{
    for (size_t i = 0; i < l->n; i++) {
        if (i > 0)
            rt_buf_append_char(out, ',');
        op_mariadb_gtid_format(&l->g[i], out);
    }
}

int op_mariadb_gtid_list_parse(const char *text, size_t len, op_mariadb_gtid_list **out,
                               rt_err *err)
{
    op_mariadb_gtid_list *l = op_mariadb_gtid_list_new();
    if (!l)
        return rt_err_set(err, RT_ENOMEM, "GTID list: out of memory");
    size_t i = 0;
    int rc = 0;
    for (bool first = true;; first = false) {
        while (i < len && is_space(text[i]))
            i++;
        size_t start = i;
        while (i < len && text[i] != ',')
            i++;
        size_t end = i;
        while (end > start && is_space(text[end - 1]))
            end--;
        if (end == start && first && i == len)
            break; /* "" or only whitespace: the empty list */
        op_mariadb_gtid g;
        bool dup;
        rc = op_mariadb_gtid_parse(text + start, end - start, &g, err);
        if (rc == 0 && (domain_index(l, g.domain_id, &dup), dup))
            rc = rt_err_set(err, RT_EINVAL, "GTID list names domain %u twice", g.domain_id);
        if (rc == 0)
            rc = op_mariadb_gtid_list_add(l, &g, err);
        if (rc || i == len)
            break;
        i++;
    }
    if (rc) {
        op_mariadb_gtid_list_free(l);
        return rc;
    }
    *out = l;
    return 0;
}
