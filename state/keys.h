/* The key layout of the state backend's RocksDB database, and its encoders and decoders.
 * Private to state/ (no other layer includes it).
 *
 *   "n"                                   highest checkpoint id handed out (16 hex digits)
 *   "l"                                   latest completed checkpoint id (16 hex digits)
 *   "m/<id>"                              metadata JSON text of completed checkpoint id
 *   "p/<id>"                              present ("1") when completed checkpoint id is a savepoint
 *   "s/<id>/<vertex>/<subtask>/<key>"     a state value
 *
 * <id> is 16 lower-case hex digits and <subtask> 8, so byte order is numeric order and the state
 * of one checkpoint is the contiguous range ["s/<id>/", "s/<id>0") ('0' follows '/'). A vertex
 * never holds '/', so the vertex and subtask fields split unambiguously; the operator's key is
 * everything after the fourth '/' and may hold '/' itself ("pending/3"). */
#ifndef SLUICE_STATE_KEYS_H
#define SLUICE_STATE_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/base/buf.h"
#include "runtime/base/errors.h"

#define ST_KEY_NEXT_ID "n"
#define ST_KEY_LATEST "l"
#define ST_KEY_TAG_METADATA 'm'
#define ST_KEY_TAG_SAVEPOINT 'p'
#define ST_KEY_TAG_STATE 's'

/* Vertex ids come from the job graph (1..64 of [A-Za-z0-9_-]); the backend only needs them
 * free of '/' and bounded, and leaves the rest of the naming rules to the graph. */
#define ST_VERTEX_MAX_LEN 256
/* Operator keys are short names; the bound keeps one entry's key far below RocksDB's limits and
 * gives the savepoint decoder something to check against. */
#define ST_STATE_KEY_MAX_LEN 4096

/* Room for "x/" + 16 hex digits (+ '/' or '0') + NUL. */
#define ST_KEY_ID_SIZE 24

/* Writes "<tag>/<16 hex id>" into out; returns its length. */
size_t st_key_id_format(char out[ST_KEY_ID_SIZE], char tag, uint64_t id);
/* The bounds of checkpoint id's state: start "s/<id>/" (inclusive), end "s/<id>0" (exclusive).
 * Both ST_KEY_ID_SIZE bytes; returns the (common) length. */
size_t st_key_state_range(char start[ST_KEY_ID_SIZE], char end[ST_KEY_ID_SIZE], uint64_t id);
/* Appends "s/<id>/<vertex>/<subtask>/" to b. */
void st_key_state_prefix(rt_buf *b, uint64_t id, const char *vertex, size_t vertex_len,
                         uint32_t subtask);

/* Writes the 16 hex digits of id (no NUL) into out. */
void st_key_id_hex(char out[16], uint64_t id);
/* Parses exactly len lower-case hex digits (len <= 16). False on anything else. */
bool st_key_hex_parse(const char *s, size_t len, uint64_t *out);
/* The checkpoint id of a "<tag>/<16 hex>..." key; false when key is not of that shape. */
bool st_key_parse_id(const char *key, size_t len, char tag, uint64_t *id);

/* The fields of a state key; pointers into the key (not NUL-terminated). */
typedef struct st_state_key {
    uint64_t checkpoint;
    const char *vertex;
    size_t vertex_len;
    uint32_t subtask;
    const char *key;
    size_t key_len;
} st_state_key;

/* Splits a "s/<id>/<vertex>/<subtask>/<key>" key. False when it is not one. */
bool st_key_parse_state(const char *key, size_t len, st_state_key *out);

/* 0 when vertex (len bytes) is usable in a state key: 1..ST_VERTEX_MAX_LEN bytes, no '/' and no
 * NUL. RT_EINVAL naming the vertex otherwise. */
int st_key_check_vertex(const char *vertex, size_t len, rt_err *err);
/* 0 when key (len bytes) is a usable operator key: at most ST_STATE_KEY_MAX_LEN bytes of valid
 * UTF-8 without NUL (savepoints carry keys as JSON strings, which must read back the same bytes).
 * RT_EINVAL otherwise. */
int st_key_check_state_key(const char *key, size_t len, rt_err *err);

#endif
