/* rt_buf: the growable byte buffer, with JSON string, base64 and integer appenders. */
#include "runtime/base/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/base/errors.h"

#define BUF_MIN_CAP 64

void rt_buf_init(rt_buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void rt_buf_fini(rt_buf *b)
{
    free(b->data);
    rt_buf_init(b);
}

void rt_buf_reset(rt_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

/* Ensures room for n more bytes plus the terminating NUL. */
char *rt_buf_reserve(rt_buf *b, size_t n)
{
    if (n > SIZE_MAX - b->len - 1)
        RT_BUG("rt_buf: size overflow (len %zu + %zu)", b->len, n);
    size_t need = b->len + n + 1;
    if (need > b->cap) {
        size_t cap = b->cap ? b->cap : BUF_MIN_CAP;
        /* Doubling keeps appends amortised O(1); stop doubling before it would overflow. */
        while (cap < need)
            cap = cap > SIZE_MAX / 2 ? need : cap * 2;
        char *data = realloc(b->data, cap);
        if (!data)
            RT_BUG("rt_buf: out of memory growing to %zu bytes", cap);
        b->data = data;
        b->cap = cap;
        b->data[b->len] = '\0';
    }
    return b->data + b->len;
}

void rt_buf_advance(rt_buf *b, size_t n)
{
    RT_ASSERT(b->len + n < b->cap);
    b->len += n;
    b->data[b->len] = '\0';
}

void rt_buf_append(rt_buf *b, const void *data, size_t len)
{
    char *p = rt_buf_reserve(b, len);
    if (len)
        memcpy(p, data, len);
    rt_buf_advance(b, len);
}

void rt_buf_append_str(rt_buf *b, const char *s)
{
    rt_buf_append(b, s, strlen(s));
}

void rt_buf_append_char(rt_buf *b, char c)
{
    char *p = rt_buf_reserve(b, 1);
    *p = c;
    rt_buf_advance(b, 1);
}

void rt_buf_appendf(rt_buf *b, const char *fmt, ...)
{
    va_list ap;
    size_t room = b->cap > b->len + 1 ? b->cap - b->len - 1 : 0;
    char *p = rt_buf_reserve(b, room < 32 ? 32 : room);
    room = b->cap - b->len;
    va_start(ap, fmt);
    int n = vsnprintf(p, room, fmt, ap);
    va_end(ap);
    if (n < 0)
        RT_BUG("rt_buf_appendf: bad format \"%s\"", fmt);
    if ((size_t)n >= room) {
        /* The first try measured the text; the second has room for all of it. */
        p = rt_buf_reserve(b, (size_t)n);
        va_start(ap, fmt);
        vsnprintf(p, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    rt_buf_advance(b, (size_t)n);
}

static const char hex_digits[] = "0123456789abcdef";

/* Length of the well-formed UTF-8 sequence at s (RFC 3629 table 3.7: no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0 if the bytes at s do not start one. */
static size_t utf8_seq_len(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0; /* overlong below U+0800 */
        else if (c == 0xED)
            hi = 0x9F; /* UTF-16 surrogates U+D800..U+DFFF */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90; /* overlong below U+10000 */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        return 0; /* continuation byte, C0/C1 overlong lead, or F5..FF */
    }
    if (avail < n)
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return n;
}

void rt_buf_append_json_str(rt_buf *b, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    /* Worst case every byte becomes \u00XX (6 bytes) plus the quotes: reserve once. */
    if (len > (SIZE_MAX - 2) / 6)
        RT_BUG("rt_buf_append_json_str: %zu bytes is too long", len);
    char *o = rt_buf_reserve(b, len * 6 + 2);
    char *start = o;
    *o++ = '"';
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            *o++ = (char)c;
            i++;
            continue;
        }
        const char *esc = NULL;
        switch (c) {
        case '"':
            esc = "\\\"";
            break;
        case '\\':
            esc = "\\\\";
            break;
        case '\b':
            esc = "\\b";
            break;
        case '\f':
            esc = "\\f";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\t':
            esc = "\\t";
            break;
        default:
            break;
        }
        if (esc) {
            *o++ = esc[0];
            *o++ = esc[1];
            i++;
            continue;
        }
        size_t n = c < 0x20 ? 0 : utf8_seq_len(p + i, len - i);
        if (n == 0) {
            /* A control character, or a byte that starts no valid sequence: write the byte
             * itself as a code point so the output stays valid JSON and loses nothing. */
            *o++ = '\\';
            *o++ = 'u';
            *o++ = '0';
            *o++ = '0';
            *o++ = hex_digits[c >> 4];
            *o++ = hex_digits[c & 0xF];
            i++;
            continue;
        }
        memcpy(o, p + i, n);
        o += n;
        i += n;
    }
    *o++ = '"';
    rt_buf_advance(b, (size_t)(o - start));
}

void rt_buf_append_base64(rt_buf *b, const void *data, size_t len)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = data;
    size_t groups = len / 3 + (len % 3 != 0);
    if (groups > SIZE_MAX / 4 - 1)
        RT_BUG("rt_buf_append_base64: %zu bytes is too long", len);
    char *o = rt_buf_reserve(b, groups * 4);
    char *start = o;
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        *o++ = alphabet[v >> 18 & 63];
        *o++ = alphabet[v >> 12 & 63];
        *o++ = alphabet[v >> 6 & 63];
        *o++ = alphabet[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        *o++ = alphabet[v >> 18 & 63];
        *o++ = alphabet[v >> 12 & 63];
        *o++ = '=';
        *o++ = '=';
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        *o++ = alphabet[v >> 18 & 63];
        *o++ = alphabet[v >> 12 & 63];
        *o++ = alphabet[v >> 6 & 63];
        *o++ = '=';
    }
    rt_buf_advance(b, (size_t)(o - start));
}

void rt_buf_append_u64(rt_buf *b, uint64_t v)
{
    char tmp[20]; /* UINT64_MAX has 20 digits */
    size_t n = 0;
    do {
        tmp[sizeof tmp - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    rt_buf_append(b, tmp + sizeof tmp - n, n);
}

void rt_buf_append_i64(rt_buf *b, int64_t v)
{
    if (v < 0) {
        rt_buf_append_char(b, '-');
        /* Negate in unsigned arithmetic: -INT64_MIN overflows int64_t. */
        rt_buf_append_u64(b, 0 - (uint64_t)v);
    } else {
        rt_buf_append_u64(b, (uint64_t)v);
    }
}

char *rt_buf_take(rt_buf *b)
{
    char *data = b->data;
    if (!data) {
        data = malloc(1);
        if (!data)
            RT_BUG("rt_buf_take: out of memory");
        data[0] = '\0';
    }
    rt_buf_init(b);
    return data;
}
