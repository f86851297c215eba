/* rt_buf: a growable byte buffer for building text (JSON lines, plans, messages). */
#ifndef SLUICE_RUNTIME_BASE_BUF_H
#define SLUICE_RUNTIME_BASE_BUF_H

#include <stddef.h>
#include <stdint.h>

/* Caller-allocated. data is always NUL-terminated after any append (when non-NULL).
 * Appends abort on out-of-memory: buffers hold text of bounded size, and a process that cannot
 * grow a line buffer cannot do anything useful either. */
typedef struct rt_buf {
    char *data;
    size_t len;
    size_t cap;
} rt_buf;

void rt_buf_init(rt_buf *b);
/* Frees the memory; the buffer may be initialised again. */
void rt_buf_fini(rt_buf *b);
/* Empties the buffer, keeping its memory. */
void rt_buf_reset(rt_buf *b);
/* Makes room for n more bytes; returns a pointer to the free space (commit with rt_buf_advance). */
char *rt_buf_reserve(rt_buf *b, size_t n);
void rt_buf_advance(rt_buf *b, size_t n);
void rt_buf_append(rt_buf *b, const void *data, size_t len);
void rt_buf_append_str(rt_buf *b, const char *s);
void rt_buf_append_char(rt_buf *b, char c);
void rt_buf_appendf(rt_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a quoted JSON string (RFC 8259 escapes; control characters as \u00XX; bytes that
 * are not valid UTF-8 are written as \u00XX of the byte, so the output is always valid JSON). */
void rt_buf_append_json_str(rt_buf *b, const char *s, size_t len);
/* Appends the standard base64 (RFC 4648, with padding) of data. */
void rt_buf_append_base64(rt_buf *b, const void *data, size_t len);
/* Appends the decimal digits of v (faster than appendf on hot paths). */
void rt_buf_append_i64(rt_buf *b, int64_t v);
void rt_buf_append_u64(rt_buf *b, uint64_t v);
/* Takes the memory out of b (caller frees with free()); b is left empty. Never NULL. */
char *rt_buf_take(rt_buf *b);

#endif
