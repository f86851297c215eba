/* Primary-key collisions of a sharded merge: whether two shards of one target can hold the same
 * key value, decided from AUTO_INCREMENT keys or by reading the shards' key values (bounded). */
#ifndef SLUICE_JOBS_CODEGEN_COLLISION_H
#define SLUICE_JOBS_CODEGEN_COLLISION_H

#include <stddef.h>
#include <stdint.h>

#include "jobs/codegen/shard_merge.h"
#include "runtime/base/errors.h"

/* Why a merge needs --merge-key. */
typedef enum gen_collision_kind {
    GEN_COLLISION_NONE = 0,
    GEN_COLLISION_FOUND,          /* a key value is present in two shards */
    GEN_COLLISION_TOO_BIG,        /* a shard has more rows than the check reads */
    GEN_COLLISION_AUTO_INCREMENT, /* the key is AUTO_INCREMENT: shards collide as they grow */
} gen_collision_kind;

const char *gen_collision_kind_name(gen_collision_kind k);

typedef struct gen_collision {
    gen_collision_kind kind;
    size_t shard_a, shard_b; /* indexes into the target's shards */
    char key[256];           /* the colliding key value(s), "7" or "7, 'eu'" */
} gen_collision;

/* One shard's key values: each an encoded byte string. Caller-allocated; gen_key_set_fini. */
typedef struct gen_key_set {
    char **keys;
    size_t *lens;
    size_t count;
} gen_key_set;

void gen_key_set_fini(gen_key_set *s);

/* Finds a key value present in two of the sets (sorting them in place): fills *out (kind FOUND
 * with the shard indexes and the key rendered by gen_key_render) or kind NONE. */
int gen_collision_find(gen_key_set *sets, size_t count, gen_collision *out, rt_err *err);

/* Encodes one key value made of n column values (NULL-free: key columns are NOT NULL) into *out
 * (malloc'd) and *len: each value as a 4-byte big-endian length and its bytes. */
int gen_key_encode(size_t n, const char *const *values, const unsigned long *lengths, char **out,
                   size_t *len);
/* Renders an encoded key for a message: values joined by ", ", cut to size. */
void gen_key_render(const char *key, size_t len, char *out, size_t size);

struct op_mysql_conn;

/* Decides whether merging t's shards can make two rows share a key: AUTO_INCREMENT key columns
 * decide at once; else the key values of each shard are read (at most max_rows each) and
 * compared. Fills *out. Errors are the connection's. */
int gen_collision_check(struct op_mysql_conn *c, const gen_target *t, uint64_t max_rows,
                        gen_collision *out, rt_err *err);

#endif
