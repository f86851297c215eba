/* The zone of the mysql_cdc source's server_time_zone: "UTC", a fixed offset ("+08:00") or a tz
 * database zone read from its TZif file (RFC 8536, versions 1-4, with the POSIX TZ footer for
 * instants after the last transition), answering one question: the offset from UTC at an
 * instant. TIMESTAMP values are rendered in it on both the snapshot and the binlog path. */
#ifndef SLUICE_OPERATORS_MYSQL_TIME_ZONE_H
#define SLUICE_OPERATORS_MYSQL_TIME_ZONE_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/base/errors.h"

/* Immutable once made; any thread may read it. */
typedef struct op_mysql_time_zone op_mysql_time_zone;

/* Parses the TZif bytes of zone `name` (kept for messages). Every count is checked against the
 * bytes there are before anything is read: RT_ECORRUPT "time zone 'X': ..." for bytes that are
 * not a TZif file. Uses the 64-bit body of version 2+ files. Pure. *out: free with
 * op_mysql_time_zone_free. */
int op_mysql_time_zone_parse_tzif(const char *name, const uint8_t *p, size_t len,
                                  op_mysql_time_zone **out, rt_err *err);

/* The zone a server_time_zone names: "UTC" (any case; also "Z"), "+hh:mm" / "-hh:mm" (up to
 * +-14:00), or a tz database name read from dir/name (dir NULL: $TZDIR, else
 * /usr/share/zoneinfo). RT_EINVAL "server_time_zone 'Mars/Base': ..." for a name that is not a
 * zone there (or that leaves dir, ".."); RT_ECORRUPT for a file that does not parse. *out: free
 * with op_mysql_time_zone_free. */
int op_mysql_time_zone_open(const char *spec, const char *dir, op_mysql_time_zone **out,
                            rt_err *err);

/* A copy of z (NULL for NULL or when out of memory: check z). */
op_mysql_time_zone *op_mysql_time_zone_dup(const op_mysql_time_zone *z);
/* NULL is a no-op. */
void op_mysql_time_zone_free(op_mysql_time_zone *z);

/* Seconds east of UTC in zone z at the instant unix_seconds (UTC): +28800 for Asia/Shanghai,
 * -18000 or -14400 for America/New_York. z NULL: UTC (0). */
int32_t op_mysql_time_zone_offset(const op_mysql_time_zone *z, int64_t unix_seconds);

/* The spec the zone was made from ("Asia/Shanghai", "+08:00", "UTC"). Borrowed. */
const char *op_mysql_time_zone_name(const op_mysql_time_zone *z);

#endif
