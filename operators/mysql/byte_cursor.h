/* A bounded reader over event bytes, private to the .c files of operators/mysql: every read
 * checks the bytes left first and reports "truncated" instead of reading past the end, so a
 * decoder built on it never trusts a length it has not bounded. Integers in events are
 * little-endian unless a field says big-endian (notes/binlog.md, conventions). */
#ifndef SLUICE_OPERATORS_MYSQL_BYTE_CURSOR_H
#define SLUICE_OPERATORS_MYSQL_BYTE_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/base/errors.h"

typedef struct op_cursor {
    const uint8_t *p;
    size_t left;
} op_cursor;

static inline op_cursor op_cursor_make(const uint8_t *p, size_t len)
{
    op_cursor c = {p, len};
    return c;
}

/* Little-endian / big-endian unsigned integer of n bytes (n <= 8) at p; no bounds check. */
static inline uint64_t op_get_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = n; i > 0; i--)
        v = (v << 8) | p[i - 1];
    return v;
}

static inline uint64_t op_get_be(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

static inline bool op_cursor_skip(op_cursor *c, size_t n)
{
    if (n > c->left)
        return false;
    c->p += n;
    c->left -= n;
    return true;
}

/* Points *out at the next n bytes (borrowed) and moves past them. */
static inline bool op_cursor_bytes(op_cursor *c, size_t n, const uint8_t **out)
{
    if (n > c->left)
        return false;
    *out = c->p;
    c->p += n;
    c->left -= n;
    return true;
}

static inline bool op_cursor_u8(op_cursor *c, uint8_t *v)
{
    if (c->left < 1)
        return false;
    *v = c->p[0];
    c->p++;
    c->left--;
    return true;
}

static inline bool op_cursor_le(op_cursor *c, unsigned n, uint64_t *v)
{
    if (n > c->left)
        return false;
    *v = op_get_le(c->p, n);
    c->p += n;
    c->left -= n;
    return true;
}

static inline bool op_cursor_be(op_cursor *c, unsigned n, uint64_t *v)
{
    if (n > c->left)
        return false;
    *v = op_get_be(c->p, n);
    c->p += n;
    c->left -= n;
    return true;
}

/* The protocol's length-encoded integer (1 byte < 0xfb; 0xfc + 2; 0xfd + 3; 0xfe + 8 bytes).
 * 0xfb (SQL NULL in result sets) and 0xff never occur in events: they read as corrupt (false). */
static inline bool op_cursor_lenenc(op_cursor *c, uint64_t *v)
{
    if (c->left < 1)
        return false;
    uint8_t b = c->p[0];
    unsigned n = b < 0xfb ? 0 : b == 0xfc ? 2 : b == 0xfd ? 3 : b == 0xfe ? 8 : 0xff;
    if (n == 0xff || n + 1 > c->left)
        return false;
    *v = n == 0 ? b : op_get_le(c->p + 1, n);
    c->p += n + 1;
    c->left -= n + 1;
    return true;
}

/* A lenenc length followed by that many bytes (borrowed). */
static inline bool op_cursor_lenenc_bytes(op_cursor *c, const uint8_t **out, size_t *len)
{
    op_cursor save = *c;
    uint64_t n;
    if (!op_cursor_lenenc(c, &n) || n > c->left) {
        *c = save;
        return false;
    }
    *len = (size_t)n;
    return op_cursor_bytes(c, (size_t)n, out);
}

/* The variable-length unsigned integer of MySQL 8.4's serialization library (libs/mysql/
 * serialization, used by GTID_TAGGED_LOG_EVENT and tagged GTID sets): the number of trailing
 * one bits of the first byte, plus one, is the encoded size N (1..9); for N < 9 the value is the
 * N little-endian bytes shifted right by N, for N = 9 the 8 bytes after the first. */
static inline bool op_cursor_varlen(op_cursor *c, uint64_t *v)
{
    if (c->left < 1)
        return false;
    unsigned n = 1;
    while (n < 9 && (c->p[0] >> (n - 1)) & 1)
        n++;
    if (n > c->left)
        return false;
    *v = n == 9 ? op_get_le(c->p + 1, 8) : op_get_le(c->p, n) >> n;
    c->p += n;
    c->left -= n;
    return true;
}

/* Bit i of an LSB-first bitmap (null bitmaps, columns-present bitmaps: notes/binlog.md 4.1). */
static inline bool op_bit_lsb(const uint8_t *map, size_t i)
{
    return (map[i / 8] >> (i % 8)) & 1;
}

/* Bit i of an MSB-first bitmap (SIGNEDNESS and COLUMN_VISIBILITY metadata: notes 3.3). */
static inline bool op_bit_msb(const uint8_t *map, size_t i)
{
    return (map[i / 8] >> (7 - i % 8)) & 1;
}

/* The error every decoder reports when an event ends before a field: corrupt, never transient. */
static inline int op_cursor_truncated(rt_err *err, const char *what)
{
    return rt_err_set(err, RT_ECORRUPT, "%s: truncated", what);
}

#endif
