/* The part files of the `file` sink in its directory: their names, the commit of a pending part,
 * the cleanup on restore, and the state record of the pending parts. Pure file-system helpers,
 * apart from the operator so tests can drive them on a prepared directory. Names, for vertex V
 * and subtask S (checkpoint ids as 20 digits so that names sort by checkpoint):
 *   .V-S-SEQ.inprogress              rows since the last barrier (hidden)
 *   .part-V-S-CKPT.pending           pre-committed at checkpoint CKPT (hidden)
 *   part-V-S-CKPT.jsonl              committed once CKPT completed (visible)
 *   part-V-S-final.jsonl             committed at end of input, without checkpoints (visible) */
#ifndef SLUICE_OPERATORS_BASIC_FILE_PART_H
#define SLUICE_OPERATORS_BASIC_FILE_PART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/base/errors.h"

typedef enum op_file_part_kind {
    OP_FILE_PART_INPROGRESS, /* n: the sequence number of the part in this attempt */
    OP_FILE_PART_PENDING,    /* n: the checkpoint that pre-committed it */
    OP_FILE_PART_COMMITTED,  /* n: the checkpoint that committed it */
    OP_FILE_PART_FINAL,      /* n: 0 */
} op_file_part_kind;

/* "inprogress", "pending", "committed", "final". */
const char *op_file_part_kind_name(op_file_part_kind k);

/* Writes the file name (no directory) of the part of `kind` with number n into out. RT_EINVAL
 * when it does not fit in size bytes (vertex ids are at most 64 characters: 128 always fits). */
int op_file_part_name(char *out, size_t size, op_file_part_kind kind, const char *vertex,
                      uint32_t subtask, uint64_t n, rt_err *err);
/* True when name is a part file of exactly this vertex and subtask (a vertex "a" never claims
 * the files of a vertex "a-1"); then *kind and *n are set. */
bool op_file_part_parse(const char *name, const char *vertex, uint32_t subtask,
                        op_file_part_kind *kind, uint64_t *n);

/* Commits the pending part of checkpoint ckpt in the directory dirfd (named dir in messages):
 * renames it to its committed name. Idempotent: 0 when it is already committed. RT_ENOTFOUND
 * when neither file exists (a consumer may have moved the committed file away: the caller
 * decides); RT_EIO otherwise. Does not sync the directory. */
int op_file_part_commit(int dirfd, const char *dir, const char *vertex, uint32_t subtask,
                        uint64_t ckpt, rt_err *err);

/* What a restore found and did, for the log. */
typedef struct op_file_part_restore_stats {
    size_t committed; /* pending parts renamed to their committed name now */
    size_t already;   /* pending parts found committed already */
    size_t missing;   /* pending parts found neither pending nor committed (moved away?) */
    size_t deleted;   /* hidden files deleted: in-progress parts and uncommitted pending ones */
} op_file_part_restore_stats;

/* Brings the directory to the state of a restored checkpoint for this vertex and subtask:
 * commits the pending parts of the checkpoints in pending[0..count) (recorded in the restored
 * checkpoint), then deletes every other hidden part of this vertex and subtask (their rows come
 * again from the sources), then syncs the directory. count 0 is the cleanup of a fresh start.
 * stats may be NULL. RT_EIO on a file-system error (nothing deleted if a commit failed). */
int op_file_part_restore(int dirfd, const char *dir, const char *vertex, uint32_t subtask,
                         const uint64_t *pending, size_t count, op_file_part_restore_stats *stats,
                         rt_err *err);

/* fsync of the directory, so that renames and new files survive a crash of the machine. */
int op_file_part_sync_dir(int dirfd, const char *dir, rt_err *err);

/* The "pending" state record: the checkpoint ids of the pending parts, little-endian:
 *   u32 version (1) | u32 count | count x u64 id
 * format: a new record in *out (malloc'd, free()) of *len bytes; RT_ENOMEM. */
int op_file_part_pending_format(const uint64_t *ids, size_t count, char **out, size_t *len,
                                rt_err *err);
/* Parses a record: *ids malloc'd (free(); NULL when count is 0). RT_ECORRUPT when damaged. */
int op_file_part_pending_parse(const char *data, size_t len, uint64_t **ids, size_t *count,
                               rt_err *err);

#endif
