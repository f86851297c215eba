/* GTID positions, the binlog offsets a MySQL CDC source keeps as checkpoint state:
 * - MySQL GTID sets: `uuid[:tag]:interval[:interval…][:tag:interval…],uuid…` (MySQL 5.6+, tags
 *   8.4+), with their binary form of PREVIOUS_GTIDS_LOG_EVENT and COM_BINLOG_DUMP_GTID
 *   (notes/binlog.md 2.5, 5);
 * - MariaDB GTID lists: `domain-server-seq[,…]`, one GTID per replication domain, the form of
 *   @@gtid_slave_pos and @slave_connect_state (notes 2.6).
 * Both canonicalise: a set's text is sorted and merged, so equal sets print equally. Not
 * thread-safe; a set belongs to its owner. */
#ifndef SLUICE_OPERATORS_MYSQL_GTID_H
#define SLUICE_OPERATORS_MYSQL_GTID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/base/buf.h"
#include "runtime/base/errors.h"

/* Longest GTID tag (MySQL 8.4: [a-z_][a-z0-9_]{0,31}). */
#define OP_GTID_TAG_MAX 32
/* Text of a server UUID: 8-4-4-4-12 hex digits + NUL. */
#define OP_UUID_TEXT_SIZE 37

/* Writes the 16 bytes of a server UUID as lower-case 8-4-4-4-12 text (36 chars + NUL). */
void op_uuid_format(const uint8_t uuid[16], char out[OP_UUID_TEXT_SIZE]);
/* Parses 36-char dashed or 32-char plain hex. RT_EINVAL otherwise. */
int op_uuid_parse(const char *text, size_t len, uint8_t out[16], rt_err *err);

typedef struct op_mysql_gtid_set op_mysql_gtid_set;

/* A new empty set; NULL on OOM. Free with op_mysql_gtid_set_free (NULL is a no-op). */
op_mysql_gtid_set *op_mysql_gtid_set_new(void);
void op_mysql_gtid_set_free(op_mysql_gtid_set *s);

/* Parses the text form ("" is the empty set; whitespace after commas is allowed, tags are
 * case-insensitive). Returns a new set in *out (caller frees). RT_EINVAL with the offending
 * part quoted. */
int op_mysql_gtid_set_parse(const char *text, size_t len, op_mysql_gtid_set **out, rt_err *err);
/* Appends the canonical text: UUIDs in byte order, for each the untagged intervals first, then
 * tags in order; intervals merged, "a-b" or "a"; sets separated by ",". */
void op_mysql_gtid_set_format(const op_mysql_gtid_set *s, rt_buf *out);

/* Adds uuid[:tag]:gno (gno >= 1; tag NULL or "" for none). RT_EINVAL for a bad tag or gno,
 * RT_ENOMEM. */
int op_mysql_gtid_set_add(op_mysql_gtid_set *s, const uint8_t uuid[16], const char *tag,
                          int64_t gno, rt_err *err);
/* Adds the interval [start, end) (1 <= start < end). */
int op_mysql_gtid_set_add_interval(op_mysql_gtid_set *s, const uint8_t uuid[16], const char *tag,
                                   int64_t start, int64_t end, rt_err *err);
/* Adds every GTID of other (union). */
int op_mysql_gtid_set_add_set(op_mysql_gtid_set *s, const op_mysql_gtid_set *other, rt_err *err);
bool op_mysql_gtid_set_contains(const op_mysql_gtid_set *s, const uint8_t uuid[16], const char *tag,
                                int64_t gno);
bool op_mysql_gtid_set_is_empty(const op_mysql_gtid_set *s);
/* The (uuid, tag) blocks of the set in canonical order, and their intervals [start, end). For
 * writing the set out in another form (checkpoint state, COM_BINLOG_DUMP_GTID). */
size_t op_mysql_gtid_set_sid_count(const op_mysql_gtid_set *s);
/* Block i (< sid count): its UUID, tag ("" for none; borrowed) and interval count. */
void op_mysql_gtid_set_sid(const op_mysql_gtid_set *s, size_t i, uint8_t uuid[16], const char **tag,
                           size_t *n_intervals);
/* Interval k (< its count) of block i. */
void op_mysql_gtid_set_interval(const op_mysql_gtid_set *s, size_t i, size_t k, int64_t *start,
                                int64_t *end);

/* Decodes the binary form (PREVIOUS_GTIDS_LOG_EVENT body; COM_BINLOG_DUMP_GTID data): n_sids
 * u64 then per SID uuid[16], n_intervals u64, [start, end) i64 pairs; the tagged variant of
 * MySQL 8.4+ marks byte 0 and byte 7 of n_sids with format 1, keeps the count in bytes 1..6 and
 * gives each SID a tag (varlen length + bytes). Every count is bounded by the bytes left. The
 * whole input must be consumed. Returns a new set in *out. */
int op_mysql_gtid_set_decode(const uint8_t *p, size_t len, op_mysql_gtid_set **out, rt_err *err);
/* Appends the binary form: untagged when the set has no tags (what 8.0 servers read), tagged
 * otherwise. */
void op_mysql_gtid_set_encode(const op_mysql_gtid_set *s, rt_buf *out);

/* A MariaDB GTID. */
typedef struct op_mariadb_gtid {
    uint32_t domain_id;
    uint32_t server_id;
    uint64_t seq_no;
} op_mariadb_gtid;

/* "0-1-100". RT_EINVAL for anything else (each part a decimal number in range). */
int op_mariadb_gtid_parse(const char *text, size_t len, op_mariadb_gtid *out, rt_err *err);
void op_mariadb_gtid_format(const op_mariadb_gtid *g, rt_buf *out);

typedef struct op_mariadb_gtid_list op_mariadb_gtid_list;

op_mariadb_gtid_list *op_mariadb_gtid_list_new(void);
void op_mariadb_gtid_list_free(op_mariadb_gtid_list *l);
/* Parses "d-s-n[,d-s-n…]" ("" is empty; whitespace around commas allowed). Two GTIDs of one
 * domain are an error, as MariaDB refuses them in @slave_connect_state. */
int op_mariadb_gtid_list_parse(const char *text, size_t len, op_mariadb_gtid_list **out,
                               rt_err *err);
/* Appends "d-s-n,…" ordered by domain. */
void op_mariadb_gtid_list_format(const op_mariadb_gtid_list *l, rt_buf *out);
/* Makes g the position of its domain (a replica's gtid_slave_pos after applying g). */
int op_mariadb_gtid_list_add(op_mariadb_gtid_list *l, const op_mariadb_gtid *g, rt_err *err);
/* True when g's domain is at or past g: its seq_no <= the domain's (sequence numbers grow within
 * a domain in MariaDB's strict order, whatever the server id). */
bool op_mariadb_gtid_list_contains(const op_mariadb_gtid_list *l, const op_mariadb_gtid *g);
size_t op_mariadb_gtid_list_count(const op_mariadb_gtid_list *l);
/* The i-th GTID in domain order (i < count). */
op_mariadb_gtid op_mariadb_gtid_list_get(const op_mariadb_gtid_list *l, size_t i);

#endif
