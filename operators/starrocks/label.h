/* Stream Load labels of the starrocks sink: deterministic names `{prefix}-{table}-{subtask}-{id}`
 * that satisfy StarRocks' rule ^[-\w]{1,128}$ (notes 1.2, 8.7). Pure. */
#ifndef SLUICE_OPERATORS_STARROCKS_LABEL_H
#define SLUICE_OPERATORS_STARROCKS_LABEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/base/errors.h"

#define OP_SR_LABEL_MAX 128 /* characters; a label buffer holds OP_SR_LABEL_MAX + 1 bytes */

/* True when label matches ^[-\w]{1,128}$ (\w as Java reads it by default: [A-Za-z0-9_]). */
bool op_sr_label_is_valid(const char *label);

/* Writes `{prefix}-{table}-{subtask}-{id}` into out (at least OP_SR_LABEL_MAX + 1 bytes).
 * prefix must be 1+ characters of [-\w] (it is configuration: RT_EINVAL otherwise, naming it).
 * The table part is the table name when that is valid and fits; otherwise, deterministically,
 * the name with every character outside [-\w] replaced by '_', cut to the room left, followed by
 * '_' and 16 hex digits of a 64-bit FNV-1a hash of the original name, so two different tables
 * never share the shortened part in practice and the same table always gets the same label.
 * RT_EINVAL when prefix and numbers alone leave no room for the 17-character hashed form.
 * Pure; any thread. */
int op_sr_label_format(const char *prefix, const char *table, unsigned subtask, uint64_t id,
                       char *out, size_t out_size, rt_err *err);

#endif
