/* sink_txn: the ledger of labels and prepared transactions, and its checkpoint-state codec.
 * The state is a small JSON document (jansson) because it is written once per checkpoint and read
 * once per restore, and a person debugging a stuck transaction can read it:
 *   {"v":1,"prefix":"p","subtask":0,
 *    "tables":[{"db":"d","table":"t","next":7}],
 *    "pending":[{"checkpoint":6,"table":0,"label":"p-t-0-6"}]} */
#include "operators/starrocks/sink_txn.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STATE_VERSION 1

typedef struct ledger_table {
    char *db, *name;
    uint64_t next_id;
    char open[OP_SR_LABEL_MAX + 1]; /* "" when no transaction is open */
} ledger_table;

struct op_sr_ledger {
    char *prefix, *state_prefix;
    uint32_t subtask;
    ledger_table *tables;
    size_t table_count, table_cap;
    op_sr_pending *pending;
    size_t pending_count, pending_cap;
};

int op_sr_ledger_new(const char *prefix, uint32_t subtask, op_sr_ledger **out, rt_err *err)
{
    op_sr_ledger *l = calloc(1, sizeof *l);
    if (!l || !(l->prefix = strdup(prefix)) || !(l->state_prefix = strdup(prefix))) {
        op_sr_ledger_free(l);
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    }
    l->subtask = subtask;
    *out = l;
    return 0;
}

void op_sr_ledger_free(op_sr_ledger *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->table_count; i++) {
        free(l->tables[i].db);
        free(l->tables[i].name);
    }
    free(l->tables);
    free(l->pending);
    free(l->prefix);
    free(l->state_prefix);
    free(l);
}

const char *op_sr_ledger_prefix(const op_sr_ledger *l)
{
    return l->prefix;
}

const char *op_sr_ledger_state_prefix(const op_sr_ledger *l)
{
    return l->state_prefix;
}

/* Returns arr with room for count + 1 elements of elem bytes (capacity *cap, doubled from first
 * when full), or NULL when out of memory (arr and *cap unchanged). */
static void *grow(void *arr, size_t count, size_t *cap, size_t elem, size_t first)
{
    if (count < *cap)
        return arr;
    size_t n = *cap ? *cap * 2 : first;
    void *p = realloc(arr, n * elem);
    if (p)
        *cap = n;
    return p;
}

static int add_table(op_sr_ledger *l, const char *db, const char *table, uint64_t next, size_t *idx,
                     rt_err *err)
{
    ledger_table *grown = grow(l->tables, l->table_count, &l->table_cap, sizeof *grown, 4);
    if (!grown)
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    l->tables = grown;
    ledger_table *t = &l->tables[l->table_count];
    memset(t, 0, sizeof *t);
    t->db = strdup(db);
    t->name = strdup(table);
    if (!t->db || !t->name) {
        free(t->db);
        free(t->name);
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    }
    t->next_id = next;
    *idx = l->table_count++;
    return 0;
}

int op_sr_ledger_table(op_sr_ledger *l, const char *db, const char *table, size_t *idx, rt_err *err)
{
    for (size_t i = 0; i < l->table_count; i++) {
        if (strcmp(l->tables[i].db, db) == 0 && strcmp(l->tables[i].name, table) == 0) {
            *idx = i;
            return 0;
        }
    }
    return add_table(l, db, table, 1, idx, err);
}

size_t op_sr_ledger_table_count(const op_sr_ledger *l)
{
    return l->table_count;
}

const char *op_sr_ledger_table_db(const op_sr_ledger *l, size_t i)
{
    return l->tables[i].db;
}

const char *op_sr_ledger_table_name(const op_sr_ledger *l, size_t i)
{
    return l->tables[i].name;
}

uint64_t op_sr_ledger_next_id(const op_sr_ledger *l, size_t i)
{
    return l->tables[i].next_id;
}

int op_sr_ledger_label(const op_sr_ledger *l, size_t i, const char *prefix, uint64_t id, char *out,
                       size_t size, rt_err *err)
{
    if (size < OP_SR_LABEL_MAX + 1)
        return rt_err_set(err, RT_EINTERNAL, "label buffer too small");
    return op_sr_label_format(prefix ? prefix : l->prefix, l->tables[i].name, l->subtask, id, out,
                              size, err);
}

bool op_sr_ledger_is_open(const op_sr_ledger *l, size_t i)
{
    return l->tables[i].open[0] != '\0';
}

const char *op_sr_ledger_open_label(const op_sr_ledger *l, size_t i)
{
    return l->tables[i].open;
}

void op_sr_ledger_begun(op_sr_ledger *l, size_t i, const char *label)
{
    ledger_table *t = &l->tables[i];
    snprintf(t->open, sizeof t->open, "%s", label);
    t->next_id++;
}

void op_sr_ledger_skip(op_sr_ledger *l, size_t i)
{
    l->tables[i].next_id++;
}

void op_sr_ledger_drop_open(op_sr_ledger *l, size_t i)
{
    l->tables[i].open[0] = '\0';
}

int op_sr_ledger_prepared(op_sr_ledger *l, size_t i, uint64_t ckpt, rt_err *err)
{
    ledger_table *t = &l->tables[i];
    if (!t->open[0])
        return rt_err_set(err, RT_EINTERNAL, "%s.%s: no open transaction to prepare", t->db,
                          t->name);
    op_sr_pending *grown = grow(l->pending, l->pending_count, &l->pending_cap, sizeof *grown, 8);
    if (!grown)
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    l->pending = grown;
    /* Checkpoints only grow, so appending keeps the list ordered by checkpoint. */
    op_sr_pending *p = &l->pending[l->pending_count++];
    p->checkpoint = ckpt;
    p->table = i;
    memcpy(p->label, t->open, sizeof p->label);
    t->open[0] = '\0';
    return 0;
}

size_t op_sr_ledger_pending_count(const op_sr_ledger *l)
{
    return l->pending_count;
}

const op_sr_pending *op_sr_ledger_pending_at(const op_sr_ledger *l, size_t k)
{
    return &l->pending[k];
}

void op_sr_ledger_pending_remove(op_sr_ledger *l, size_t k)
{
    memmove(&l->pending[k], &l->pending[k + 1], (l->pending_count - k - 1) * sizeof *l->pending);
    l->pending_count--;
}

/* --- State codec --- */

int op_sr_ledger_encode(const op_sr_ledger *l, char **out, size_t *len, rt_err *err)
{
    json_t *root = json_object();
    json_t *tables = json_array();
    json_t *pending = json_array();
    int bad = !root || !tables || !pending;
    if (!bad) {
        bad |= json_object_set_new(root, "v", json_integer(STATE_VERSION));
        bad |= json_object_set_new(root, "prefix", json_string(l->prefix));
        bad |= json_object_set_new(root, "subtask", json_integer(l->subtask));
        for (size_t i = 0; i < l->table_count && !bad; i++) {
            const ledger_table *t = &l->tables[i];
            bad |=
                json_array_append_new(tables, json_pack("{s:s, s:s, s:I}", "db", t->db, "table",
                                                        t->name, "next", (json_int_t)t->next_id));
        }
        for (size_t k = 0; k < l->pending_count && !bad; k++) {
            const op_sr_pending *p = &l->pending[k];
            bad |= json_array_append_new(
                pending, json_pack("{s:I, s:I, s:s}", "checkpoint", (json_int_t)p->checkpoint,
                                   "table", (json_int_t)p->table, "label", p->label));
        }
    }
    if (!bad) {
        bad |= json_object_set(root, "tables", tables);
        bad |= json_object_set(root, "pending", pending);
    }
    char *text = bad ? NULL : json_dumps(root, JSON_COMPACT);
    json_decref(tables);
    json_decref(pending);
    json_decref(root);
    if (!text)
        return rt_err_set(err, RT_ENOMEM, "starrocks: encode state: out of memory");
    *out = text;
    *len = strlen(text);
    return 0;
}

static int corrupt(rt_err *err, const char *what)
{
    return rt_err_set(err, RT_ECORRUPT, "starrocks: checkpoint state: %s", what);
}

/* A JSON integer within [0, max], into *out. */
static bool get_uint(json_t *obj, const char *key, uint64_t max, uint64_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0 || (uint64_t)json_integer_value(v) > max)
        return false;
    *out = (uint64_t)json_integer_value(v);
    return true;
}

int op_sr_ledger_decode(const char *text, size_t len, const char *prefix, uint32_t subtask,
                        op_sr_ledger **out, rt_err *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(text, len, 0, &jerr);
    if (!root)
        return rt_err_set(err, RT_ECORRUPT, "starrocks: checkpoint state: not JSON: %s", jerr.text);
    op_sr_ledger *l = NULL;
    int rc = 0;
    uint64_t v = 0, st = 0;
    json_t *sp = json_object_get(root, "prefix");
    json_t *tables = json_object_get(root, "tables");
    json_t *pending = json_object_get(root, "pending");
    if (!json_is_object(root) || !get_uint(root, "v", UINT32_MAX, &v) || v != STATE_VERSION)
        rc = corrupt(err, "unknown version");
    else if (!json_is_string(sp) || !get_uint(root, "subtask", UINT32_MAX, &st) ||
             !json_is_array(tables) || !json_is_array(pending))
        rc = corrupt(err, "missing prefix, subtask, tables or pending");
    else if (st != subtask)
        rc = rt_err_set(err, RT_ECORRUPT,
                        "starrocks: checkpoint state of subtask %" PRIu64 " given to subtask %u",
                        st, subtask);
    else
        rc = op_sr_ledger_new(prefix, subtask, &l, err);
    if (rc == 0) {
        free(l->state_prefix);
        if (!(l->state_prefix = strdup(json_string_value(sp))))
            rc = rt_err_set(err, RT_ENOMEM, "out of memory");
    }
    for (size_t i = 0; rc == 0 && i < json_array_size(tables); i++) {
        json_t *t = json_array_get(tables, i);
        json_t *db = json_object_get(t, "db"), *name = json_object_get(t, "table");
        uint64_t next = 0;
        size_t idx;
        if (!json_is_string(db) || !json_is_string(name) ||
            !get_uint(t, "next", INT64_MAX, &next) || next == 0)
            rc = corrupt(err, "bad table entry");
        else
            rc = add_table(l, json_string_value(db), json_string_value(name), next, &idx, err);
    }
    uint64_t last = 0;
    for (size_t k = 0; rc == 0 && k < json_array_size(pending); k++) {
        json_t *p = json_array_get(pending, k);
        json_t *label = json_object_get(p, "label");
        uint64_t ckpt = 0, table = 0;
        if (!get_uint(p, "checkpoint", INT64_MAX, &ckpt) ||
            !get_uint(p, "table", l->table_count ? l->table_count - 1 : 0, &table) ||
            l->table_count == 0 || !json_is_string(label) ||
            !op_sr_label_is_valid(json_string_value(label)) || ckpt < last) {
            rc = corrupt(err, "bad pending entry");
            break;
        }
        last = ckpt;
        /* Goes through the open slot so the list has one way in. */
        ledger_table *t = &l->tables[table];
        snprintf(t->open, sizeof t->open, "%s", json_string_value(label));
        rc = op_sr_ledger_prepared(l, (size_t)table, ckpt, err);
    }
    json_decref(root);
    if (rc != 0) {
        op_sr_ledger_free(l);
        return rc;
    }
    *out = l;
    return 0;
}
