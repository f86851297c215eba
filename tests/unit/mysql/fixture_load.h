/* Reading the binlog fixtures of tests/fixtures/binlog/: paths, hex, and feeding bytes to a
 * decoder the way each fixture's "framing" says. Test code. */
#ifndef SLUICE_TESTS_UNIT_MYSQL_FIXTURE_LOAD_H
#define SLUICE_TESTS_UNIT_MYSQL_FIXTURE_LOAD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/mysql/binlog_decode.h"

/* Path of tests/fixtures/binlog/<rel> in the source tree; a new string (free it). */
char *fixture_path(const char *rel);
/* The sorted names of the regular files in dir ending in suffix (NULL-terminated array; free
 * with fixture_names_free). */
char **fixture_names(const char *dir, const char *suffix);
void fixture_names_free(char **names);
/* Hex text -> new bytes (free them); NULL when the text is not hex. */
uint8_t *fixture_unhex(const char *hex, size_t *len);
/* A whole event around a body: a 19-byte header (type, event_size, everything else 0), no
 * checksum. New bytes (free them). */
uint8_t *fixture_wrap_body(unsigned type, const uint8_t *body, size_t len, size_t *out_len);
/* The type code in a fixture's "event_type" text: the last "(NN)" in it; -1 when none. */
int fixture_type_code(const char *event_type);
/* Feeds the TABLE_MAP a fixture's context names (another fixture, a body or a full event) to d.
 * 0, or the decoder's error. */
int fixture_feed_context(op_binlog_decoder *d, const json_t *context, rt_err *err);
/* Decodes one event given in the fixture's framing ("full_event", "event_body"); the canonical
 * JSON of it (plus "crc32_valid" for full events), or NULL with err set. */
json_t *fixture_decode(op_binlog_decoder *d, const char *framing, unsigned type,
                       const uint8_t *bytes, size_t len, rt_err *err);

#endif
