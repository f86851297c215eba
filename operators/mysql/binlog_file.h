/* Reading a binlog file: the 4-byte magic \xfe bin, then v4 events back to back, each framed by
 * the event_size of its common header (notes/binlog.md section 1). Gzip-compressed files are
 * read through transparently. Framing only: events go to the decoder (binlog_decode.h). */
#ifndef SLUICE_OPERATORS_MYSQL_BINLOG_FILE_H
#define SLUICE_OPERATORS_MYSQL_BINLOG_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/base/errors.h"

#define OP_BINLOG_MAGIC                                                                            \
    "\xfe"                                                                                         \
    "bin"
#define OP_BINLOG_MAGIC_SIZE 4

typedef struct op_binlog_file op_binlog_file;

/* Opens path (plain or gzip) and checks the magic. RT_EIO when it cannot be read, RT_ECORRUPT
 * when it is not a binlog. Returns a new reader in *out; close with op_binlog_file_close. */
int op_binlog_file_open(const char *path, op_binlog_file **out, rt_err *err);
/* A reader over len bytes of a whole file held in memory (borrowed until close); name is used
 * in messages (copied). */
int op_binlog_file_open_mem(const uint8_t *data, size_t len, const char *name, op_binlog_file **out,
                            rt_err *err);
/* NULL is a no-op. */
void op_binlog_file_close(op_binlog_file *f);

/* The next event: *event (borrowed until the next call) of *len bytes, starting at file offset
 * *offset. *eof = true at a clean end of file. A header or event cut short by the end of the
 * file, or an event_size below 19 or above OP_BINLOG_MAX_EVENT_SIZE, is RT_ECORRUPT naming the
 * offset (a file still being written ends that way too). */
int op_binlog_file_next(op_binlog_file *f, const uint8_t **event, size_t *len, uint64_t *offset,
                        bool *eof, rt_err *err);

/* Offset of the next event to read: after an error from op_binlog_file_next, the event that
 * could not be read (the reader stops there). */
uint64_t op_binlog_file_offset(const op_binlog_file *f);

/* The path or name the reader was opened with. */
const char *op_binlog_file_name(const op_binlog_file *f);

#endif
