/* Binlog positions, the offsets the mysql_cdc source streams from and keeps as checkpoint state: a
 * file/offset pair and the GTID state of the same point (MariaDB `domain-server-seq` lists, MySQL
 * `uuid:interval` sets; notes/binlog.md 2.2, 2.5, 2.6 and 5), their text form, their order and a
 * versioned binary form. A position belongs to its owner; not thread-safe. */
#ifndef SLUICE_OPERATORS_MYSQL_BINLOG_POSITION_H
#define SLUICE_OPERATORS_MYSQL_BINLOG_POSITION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/mysql/gtid.h"
#include "runtime/base/buf.h"
#include "runtime/base/errors.h"

/* Longest binlog file name + NUL (the server's FN_REFLEN). */
#define OP_BINLOG_FILE_NAME_SIZE 512

/* Which GTID form a position carries. */
typedef enum op_binlog_gtid_kind {
    OP_BINLOG_GTID_NONE = 0,    /* no GTID state known */
    OP_BINLOG_GTID_MARIADB = 1, /* a list, one `domain-server-seq` per domain */
    OP_BINLOG_GTID_MYSQL = 2,   /* a `uuid[:tag]:interval` set */
} op_binlog_gtid_kind;

/* "none", "mariadb", "mysql". */
const char *op_binlog_gtid_kind_name(op_binlog_gtid_kind k);

/* A position: the next event to read. Caller-allocated; initialise with op_binlog_pos_init and
 * release with op_binlog_pos_fini (it owns its GTID state). Copy with op_binlog_pos_copy, never by
 * assignment. Either part may be absent: `file` is "" for a GTID-only position, gtid_kind NONE for
 * a file/offset-only one. */
typedef struct op_binlog_pos {
    char file[OP_BINLOG_FILE_NAME_SIZE]; /* NUL-terminated; "" when absent */
    uint64_t offset;                     /* offset of the next event in file; 0 when absent */
    op_binlog_gtid_kind gtid_kind;
    op_mariadb_gtid_list *mariadb_gtids; /* owned; non-NULL exactly when gtid_kind is MARIADB */
    op_mysql_gtid_set *mysql_gtids;      /* owned; non-NULL exactly when gtid_kind is MYSQL */
} op_binlog_pos;

/* Makes p the empty position (no file, no GTID). */
void op_binlog_pos_init(op_binlog_pos *p);
/* Frees the GTID state and leaves p empty (it may be reused). */
void op_binlog_pos_fini(op_binlog_pos *p);
/* Replaces dst (an initialised position) with a deep copy of src. On failure dst is unchanged. */
int op_binlog_pos_copy(op_binlog_pos *dst, const op_binlog_pos *src, rt_err *err);

bool op_binlog_pos_has_file(const op_binlog_pos *p);
bool op_binlog_pos_has_gtid(const op_binlog_pos *p);

/* Sets the file/offset part. RT_EINVAL for an empty name, a name of OP_BINLOG_FILE_NAME_SIZE
 * bytes or more, or one holding a NUL byte. */
int op_binlog_pos_set_file(op_binlog_pos *p, const char *file, size_t len, uint64_t offset,
                           rt_err *err);
/* Drops the file/offset part (to resume by GTID alone). */
void op_binlog_pos_clear_file(op_binlog_pos *p);
/* Replaces the GTID part with the parsed text of `kind` ("" is the empty list / set; kind NONE
 * drops the part). RT_EINVAL with the offending part quoted. */
int op_binlog_pos_set_gtid_text(op_binlog_pos *p, op_binlog_gtid_kind kind, const char *text,
                                size_t len, rt_err *err);
/* Adds a MariaDB GTID (it becomes its domain's position). RT_EINVAL when p carries a MySQL set;
 * an empty list is created when p carries none. */
int op_binlog_pos_add_mariadb_gtid(op_binlog_pos *p, const op_mariadb_gtid *g, rt_err *err);
/* Adds uuid[:tag]:gno to the MySQL set. RT_EINVAL when p carries a MariaDB list; an empty set is
 * created when p carries none. */
int op_binlog_pos_add_mysql_gtid(op_binlog_pos *p, const uint8_t uuid[16], const char *tag,
                                 int64_t gno, rt_err *err);

/* Appends the text form, which op_binlog_pos_parse reads back:
 *   "mysql-bin.000003:1234"                      file/offset only;
 *   "0-1-100,1-2-7" or "3e11fa47-…:1-5"          GTID only (non-empty);
 *   "gtid=" / "gtid_set="                        the empty MariaDB list / MySQL set alone;
 *   "mysql-bin.000003:1234 gtid=0-1-100"         both (MySQL: " gtid_set=uuid:1-5");
 *   ""                                           the empty position. */
void op_binlog_pos_format(const op_binlog_pos *p, rt_buf *out);
/* Appends the canonical GTID text alone ("" when none): the value of @slave_connect_state. */
void op_binlog_pos_format_gtid(const op_binlog_pos *p, rt_buf *out);
/* Parses the text form into out (an initialised position, replaced on success). A bare GTID is
 * MySQL's when what precedes its first ':' is a server UUID, MariaDB's when it has no ':' at all;
 * anything else must be `file:offset` with a decimal offset. RT_EINVAL naming the problem. */
int op_binlog_pos_parse(const char *text, size_t len, op_binlog_pos *out, rt_err *err);

/* Orders binlog file names of one server: equal base names compare by their numeric extension
 * ("mysql-bin.999999" < "mysql-bin.1000000"); anything else by bytes. <0, 0 or >0. */
int op_binlog_file_compare(const char *a, const char *b);
/* Orders two positions of one server into *order (<0, 0, >0): by file and offset when both have
 * a file; otherwise by GTID state when both carry the same kind (a state contained in the other
 * comes first). RT_EINVAL when they cannot be ordered (no common part, or GTID states that
 * overlap without one containing the other). */
int op_binlog_pos_compare(const op_binlog_pos *a, const op_binlog_pos *b, int *order, rt_err *err);

/* Appends the binary form kept in checkpoint state (version 1, little-endian):
 *   u8 version · u8 gtid_kind · u16 file_len · file · u64 offset · u32 gtid_len · gtid
 * where gtid is, for MariaDB, u32 count then count × (u32 domain, u32 server_id, u64 seq_no), and
 * for MySQL the COM_BINLOG_DUMP_GTID encoding of the set (op_mysql_gtid_set_encode). */
void op_binlog_pos_encode(const op_binlog_pos *p, rt_buf *out);
/* Decodes the binary form into out (an initialised position, replaced on success). Every length is
 * bounded by the bytes left and the whole input must be consumed: RT_ECORRUPT otherwise;
 * RT_ESTATE for a version this build does not know (state written by a newer Sluice). */
int op_binlog_pos_decode(const uint8_t *p, size_t len, op_binlog_pos *out, rt_err *err);

#endif
