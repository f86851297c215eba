/* SHA-1 (FIPS 180-4), only for mysql_native_password: the endpoint must check a client's scramble
 * and the project links no crypto library. Not for anything that needs collision resistance. */
#ifndef SLUICE_TESTS_SR_ENDPOINT_SR_MYSQL_SHA1_H
#define SLUICE_TESTS_SR_ENDPOINT_SR_MYSQL_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define SR_MYSQL_SHA1_SIZE 20

/* Caller-allocated; init, update any number of times, final once. */
typedef struct sr_mysql_sha1 {
    uint32_t h[5];
    uint64_t total;
    uint8_t block[64];
    size_t used;
} sr_mysql_sha1;

void sr_mysql_sha1_init(sr_mysql_sha1 *c);
void sr_mysql_sha1_update(sr_mysql_sha1 *c, const void *data, size_t len);
void sr_mysql_sha1_final(sr_mysql_sha1 *c, uint8_t out[SR_MYSQL_SHA1_SIZE]);
/* One-shot digest of data. */
void sr_mysql_sha1_digest(const void *data, size_t len, uint8_t out[SR_MYSQL_SHA1_SIZE]);

#endif
