/* `sluice binlog FILE…`: binlog files (MySQL or MariaDB) decoded into the changelog's JSON
 * lines (DESIGN.md section 1), one per row change, with where it came from:
 *   {"op":"+I","table":"db.t","data":{"id":1,…},"pos":"binlog.000001:1234","gtid":"…"}
 * Updates give a -U line (before image) and a +U line (after image). Columns are named from the
 * TABLE_MAP's metadata when it has names, else "@1", "@2", … as mariadb-binlog -v numbers them;
 * only the columns an image carries appear. "pos" is the file's name and the offset of the event
 * that holds the row (of the TRANSACTION_PAYLOAD_EVENT for compressed transactions); "gtid" is
 * the transaction's GTID (MySQL uuid:gno, MariaDB domain-server-seq), left out when it has none. */
#ifndef SLUICE_OPERATORS_MYSQL_BINLOG_PRINT_H
#define SLUICE_OPERATORS_MYSQL_BINLOG_PRINT_H

#include <stddef.h>
#include <stdio.h>

#include "runtime/base/errors.h"

/* Decodes the n files in order and writes their lines to out. Stops at the first error:
 * RT_EIO when a file cannot be read or out cannot be written, RT_ECORRUPT / RT_EUNSUPPORTED
 * for bytes the decoder refuses; the message starts with "file:offset". The lines before the
 * error are written. Runs on the caller's thread. */
int op_binlog_print_files(char **paths, size_t n, FILE *out, rt_err *err);

#endif
