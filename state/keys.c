/* Encoding and decoding of the state backend's RocksDB keys (the layout is in keys.h). */
#include "state/keys.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char hex_digits[] = "0123456789abcdef";

void st_key_id_hex(char out[16], uint64_t id)
{
    for (int i = 15; i >= 0; i--) {
        out[i] = hex_digits[id & 0xf];
        id >>= 4;
    }
}

size_t st_key_id_format(char out[ST_KEY_ID_SIZE], char tag, uint64_t id)
{
    out[0] = tag;
    out[1] = '/';
    st_key_id_hex(out + 2, id);
    out[18] = '\0';
    return 18;
}

size_t st_key_state_range(char start[ST_KEY_ID_SIZE], char end[ST_KEY_ID_SIZE], uint64_t id)
{
    size_t n = st_key_id_format(start, ST_KEY_TAG_STATE, id);
    memcpy(end, start, n);
    start[n] = '/';
    end[n] = '0';
    start[n + 1] = '\0';
    end[n + 1] = '\0';
    return n + 1;
}

void st_key_state_prefix(rt_buf *b, uint64_t id, const char *vertex, size_t vertex_len,
                         uint32_t subtask)
{
    char idk[ST_KEY_ID_SIZE];
    size_t n = st_key_id_format(idk, ST_KEY_TAG_STATE, id);
    rt_buf_append(b, idk, n);
    rt_buf_append_char(b, '/');
    rt_buf_append(b, vertex, vertex_len);
    rt_buf_appendf(b, "/%08" PRIx32 "/", subtask);
}

bool st_key_hex_parse(const char *s, size_t len, uint64_t *out)
{
    if (len == 0 || len > 16)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        unsigned d;
        /* Lower case only: the encoder never writes upper case, so anything else is damage. */
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else
            return false;
        v = v << 4 | d;
    }
    *out = v;
    return true;
}

bool st_key_parse_id(const char *key, size_t len, char tag, uint64_t *id)
{
    if (len < 18 || key[0] != tag || key[1] != '/')
        return false;
    return st_key_hex_parse(key + 2, 16, id);
}

bool st_key_parse_state(const char *key, size_t len, st_state_key *out)
{
    uint64_t id;
    if (!st_key_parse_id(key, len, ST_KEY_TAG_STATE, &id) || len < 19 || key[18] != '/')
        return false;
    const char *vertex = key + 19;
    const char *end = key + len;
    const char *slash = memchr(vertex, '/', (size_t)(end - vertex));
    if (!slash || slash == vertex)
        return false;
    const char *sub = slash + 1;
    uint64_t subtask;
    if (end - sub < 9 || sub[8] != '/' || !st_key_hex_parse(sub, 8, &subtask))
        return false;
    out->checkpoint = id;
    out->vertex = vertex;
    out->vertex_len = (size_t)(slash - vertex);
    out->subtask = (uint32_t)subtask;
    out->key = sub + 9;
    out->key_len = (size_t)(end - (sub + 9));
    return true;
}

int st_key_check_vertex(const char *vertex, size_t len, rt_err *err)
{
    if (len == 0)
        return rt_err_set(err, RT_EINVAL, "state: empty vertex id");
    if (len > ST_VERTEX_MAX_LEN)
        return rt_err_set(err, RT_EINVAL, "state: vertex id of %zu bytes (at most %d)", len,
                          ST_VERTEX_MAX_LEN);
    if (memchr(vertex, '/', len) || memchr(vertex, '\0', len))
        return rt_err_set(err, RT_EINVAL, "state: vertex id '%.*s' contains '/' or NUL", (int)len,
                          vertex);
    return 0;
}

/* Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF. */
static bool utf8_is_valid(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t n;
        unsigned min;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            n = 1, min = 0x80, cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2, min = 0x800, cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3, min = 0x10000, cp = c & 0x07;
        } else {
            return false;
        }
        if (len - i - 1 < n)
            return false;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += n + 1;
    }
    return true;
}

int st_key_check_state_key(const char *key, size_t len, rt_err *err)
{
    if (len > ST_STATE_KEY_MAX_LEN)
        return rt_err_set(err, RT_EINVAL, "state: key of %zu bytes (at most %d)", len,
                          ST_STATE_KEY_MAX_LEN);
    if (memchr(key, '\0', len) || !utf8_is_valid((const unsigned char *)key, len))
        return rt_err_set(err, RT_EINVAL, "state: key '%.40s' is not NUL-free UTF-8", key);
    return 0;
}
