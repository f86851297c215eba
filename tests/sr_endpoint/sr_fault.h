/* sr_fault: sr-endpoint's fault injection rules: per operation ("stream_load", "begin", "load",
 * "prepare", "commit", "rollback", "get_load_state", "cancel"), before or after the work, answer
 * HTTP 500, the operation's failure body, drop the connection, delay, or report a publish
 * timeout. Set by `POST /_fault` or SR_ENDPOINT_FAULTS. Event-loop thread only. */
#ifndef SLUICE_TESTS_SR_ENDPOINT_SR_FAULT_H
#define SLUICE_TESTS_SR_ENDPOINT_SR_FAULT_H

#include <stdbool.h>

#include "runtime/base/errors.h"

typedef enum sr_fault_action {
    SR_FAULT_NONE = 0,
    SR_FAULT_HTTP500,
    SR_FAULT_FAIL,
    SR_FAULT_DROP,
    SR_FAULT_DELAY,
    SR_FAULT_PUBLISH_TIMEOUT,
} sr_fault_action;
/* "none", "http500", "fail", "drop", "delay", "publish_timeout". */
const char *sr_fault_action_name(sr_fault_action a);

typedef enum sr_fault_when { SR_FAULT_BEFORE = 0, SR_FAULT_AFTER } sr_fault_when;

typedef struct sr_fault_set sr_fault_set;

sr_fault_set *sr_fault_set_new(void);
void sr_fault_set_free(sr_fault_set *s);
/* Adds the rules of a JSON object or array of objects: {"op":..., "when":"before"|"after",
 * "action":..., "ms":N, "count":N (default 1; 0 = every time), "table":optional}. RT_EINVAL
 * (nothing added) on an unknown op/action/when or malformed JSON. */
int sr_fault_set_add_json(sr_fault_set *s, const char *json, rt_err *err);
void sr_fault_set_clear(sr_fault_set *s);
/* The first rule matching op/when/table (table NULL matches rules without a table only when the
 * rule has none), consuming one of its count. Returns the action (SR_FAULT_NONE if none) and its
 * delay in *ms. publish_timeout rules match at SR_FAULT_BEFORE. */
sr_fault_action sr_fault_set_match(sr_fault_set *s, const char *op, sr_fault_when when,
                                   const char *table, int *ms);

#endif
