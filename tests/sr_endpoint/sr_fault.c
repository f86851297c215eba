/* sr_fault: the rule list behind POST /_fault and SR_ENDPOINT_FAULTS. */
#include "tests/sr_endpoint/sr_fault.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "runtime/base/log.h"

typedef struct rule {
    char op[32];
    char table[256]; /* "" = any */
    sr_fault_when when;
    sr_fault_action action;
    int ms;
    int count; /* remaining; 0 = unlimited */
} rule;

struct sr_fault_set {
    rule *rules;
    size_t n;
};

static const char *const action_names[] = {"none", "http500", "fail", "drop", "delay", "publish_timeout"};
static const char *const ops[] = {"stream_load", "begin", "load", "prepare", "commit",
                                  "rollback", "get_load_state", "cancel"};

const char *sr_fault_action_name(sr_fault_action a)
{
    return (unsigned)a <= SR_FAULT_PUBLISH_TIMEOUT ? action_names[a] : "?";
}

sr_fault_set *sr_fault_set_new(void)
{
    sr_fault_set *s = calloc(1, sizeof(*s));
    RT_ASSERT(s);
    return s;
}

void sr_fault_set_free(sr_fault_set *s)
{
    if (!s)
        return;
    free(s->rules);
    free(s);
}

void sr_fault_set_clear(sr_fault_set *s)
{
    free(s->rules);
    s->rules = NULL;
    s->n = 0;
}

static int parse_rule(json_t *o, rule *r, rt_err *err)
{
    memset(r, 0, sizeof(*r));
    const char *op = json_string_value(json_object_get(o, "op"));
    const char *when = json_string_value(json_object_get(o, "when"));
    const char *action = json_string_value(json_object_get(o, "action"));
    const char *table = json_string_value(json_object_get(o, "table"));
    bool op_ok = false;
    for (size_t i = 0; op && i < sizeof(ops) / sizeof(ops[0]); i++)
        op_ok |= !strcmp(op, ops[i]);
    if (!op_ok)
        return rt_err_set(err, RT_EINVAL, "fault: unknown op '%s'", op ? op : "");
    snprintf(r->op, sizeof(r->op), "%s", op);
    if (!when || !strcmp(when, "before"))
        r->when = SR_FAULT_BEFORE;
    else if (!strcmp(when, "after"))
        r->when = SR_FAULT_AFTER;
    else
        return rt_err_set(err, RT_EINVAL, "fault: unknown when '%s'", when);
    for (int a = SR_FAULT_HTTP500; action && a <= SR_FAULT_PUBLISH_TIMEOUT; a++)
        if (!strcmp(action, action_names[a]))
            r->action = (sr_fault_action)a;
    if (r->action == SR_FAULT_NONE)
        return rt_err_set(err, RT_EINVAL, "fault: unknown action '%s'", action ? action : "");
    if (table && strlen(table) >= sizeof(r->table))
        return rt_err_set(err, RT_EINVAL, "fault: table name too long");
    snprintf(r->table, sizeof(r->table), "%s", table ? table : "");
    json_t *ms = json_object_get(o, "ms"), *count = json_object_get(o, "count");
    r->ms = ms ? (int)json_integer_value(ms) : 0;
    r->count = count ? (int)json_integer_value(count) : 1;
    if (r->ms < 0 || r->count < 0)
        return rt_err_set(err, RT_EINVAL, "fault: negative ms or count");
    return 0;
}

int sr_fault_set_add_json(sr_fault_set *s, const char *text, rt_err *err)
{
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);
    if (!j)
        return rt_err_set(err, RT_EINVAL, "fault: bad JSON: %s", jerr.text);
    json_t *arr = json_is_array(j) ? j : NULL;
    size_t n = arr ? json_array_size(arr) : 1;
    rule *tmp = calloc(n ? n : 1, sizeof(rule));
    RT_ASSERT(tmp);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        json_t *o = arr ? json_array_get(arr, i) : j;
        rc = json_is_object(o) ? parse_rule(o, &tmp[i], err)
                               : rt_err_set(err, RT_EINVAL, "fault: a rule must be an object");
    }
    if (!rc) {
        s->rules = realloc(s->rules, (s->n + n) * sizeof(rule) + 1);
        RT_ASSERT(s->rules);
        memcpy(s->rules + s->n, tmp, n * sizeof(rule));
        s->n += n;
        for (size_t i = 0; i < n; i++)
            LOG_INFO("sr_fault: armed %s %s %s (ms %d, count %d%s%s)", tmp[i].op,
                     tmp[i].when == SR_FAULT_BEFORE ? "before" : "after",
                     sr_fault_action_name(tmp[i].action), tmp[i].ms, tmp[i].count,
                     tmp[i].table[0] ? ", table " : "", tmp[i].table);
    }
    free(tmp);
    json_decref(j);
    return rc;
}

sr_fault_action sr_fault_set_match(sr_fault_set *s, const char *op, sr_fault_when when,
                                   const char *table, int *ms)
{
    for (size_t i = 0; i < s->n; i++) {
        rule *r = &s->rules[i];
        sr_fault_when rw = r->action == SR_FAULT_PUBLISH_TIMEOUT ? SR_FAULT_BEFORE : r->when;
        if (strcmp(r->op, op) != 0 || rw != when)
            continue;
        if (r->table[0] && (!table || strcmp(r->table, table) != 0))
            continue;
        sr_fault_action a = r->action;
        *ms = r->ms;
        if (r->count > 0 && --r->count == 0) {
            memmove(r, r + 1, (s->n - i - 1) * sizeof(rule));
            s->n--;
        }
        LOG_INFO("sr_fault: %s %s -> %s", op, when == SR_FAULT_BEFORE ? "before" : "after",
                 sr_fault_action_name(a));
        return a;
    }
    *ms = 0;
    return SR_FAULT_NONE;
}
