/* The duration ("5s", "1m30s") and size ("64MiB", "512KB") syntaxes used throughout job files and
 * by the RT_CFG_DURATION and RT_CFG_SIZE config types. */
#ifndef SLUICE_RUNTIME_BASE_UNITS_H
#define SLUICE_RUNTIME_BASE_UNITS_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/base/errors.h"

/* "250ms", "5s", "2m", "1h", "1d", sums like "1m30s", a bare integer string = milliseconds.
 * Rejects negatives, unknown units, empty strings and overflow. */
int rt_duration_parse(const char *s, int64_t *ms, rt_err *err);
/* The shortest exact text: 5000 -> "5s", 90000 -> "1m30s", 250 -> "250ms", 0 -> "0ms". */
void rt_duration_format(int64_t ms, char *buf, size_t size);
/* "512", "512B", "4KiB", "64MiB", "1GiB", "2TiB" (powers of 1024) and "4KB", "64MB", "1GB",
 * "2TB" (powers of 1000), units case-insensitive, optional space before the unit; "1.5GiB"
 * allowed when the result is a whole number of bytes. Rejects negatives and overflow. */
int rt_size_parse(const char *s, uint64_t *bytes, rt_err *err);
/* The shortest exact IEC text: 67108864 -> "64MiB", 1000 -> "1000B". */
void rt_size_format(uint64_t bytes, char *buf, size_t size);

#endif
