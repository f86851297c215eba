/* sink_pending: the schema-change queue of each target and its checkpoint-state codec
 * (sink_pending.h). The JSON part is jansson, as sink_txn.c's state is; the body bytes follow it
 * raw, so a megabyte of queued rows costs a megabyte of state, not a base64 third more. */
#include "operators/starrocks/sink_pending.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define STATE_VERSION 1

struct op_sr_queue {
    op_sr_item *items;
    size_t head, count, cap; /* items[head .. head + count) */
    size_t ddl_count;
    size_t bytes;
};

int op_sr_queue_new(op_sr_queue **out, rt_err *err)
{
    op_sr_queue *q = calloc(1, sizeof *q);
    if (!q)
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    *out = q;
    return 0;
}

static void item_fini(op_sr_item *it)
{
    for (size_t i = 0; i < it->op_count; i++)
        op_sr_ddl_op_fini(&it->ops[i]);
    free(it->ops);
    free(it->source);
    free(it->ddl);
    free(it->columns);
    rt_buf_fini(&it->body);
    memset(it, 0, sizeof *it);
}

void op_sr_queue_free(op_sr_queue *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < q->count; i++)
        item_fini(&q->items[q->head + i]);
    free(q->items);
    free(q);
}

size_t op_sr_queue_count(const op_sr_queue *q)
{
    return q->count;
}

size_t op_sr_queue_ddl_count(const op_sr_queue *q)
{
    return q->ddl_count;
}

size_t op_sr_queue_size(const op_sr_queue *q)
{
    return q->bytes;
}

op_sr_item *op_sr_queue_head(op_sr_queue *q)
{
    return q->count ? &q->items[q->head] : NULL;
}

const op_sr_item *op_sr_queue_at(const op_sr_queue *q, size_t k)
{
    return &q->items[q->head + k];
}

void op_sr_queue_pop(op_sr_queue *q)
{
    if (!q->count)
        return;
    op_sr_item *it = &q->items[q->head];
    if (it->kind == OP_SR_ITEM_DDL)
        q->ddl_count--;
    q->bytes -= it->body.len;
    item_fini(it);
    q->head++;
    if (--q->count == 0)
        q->head = 0;
}

/* A new zeroed item at the tail. */
static op_sr_item *push(op_sr_queue *q, rt_err *err)
{
    if (q->head + q->count == q->cap) {
        if (q->head > 0) { /* slide down before growing */
            memmove(q->items, &q->items[q->head], q->count * sizeof *q->items);
            q->head = 0;
        }
        if (q->count == q->cap) {
            size_t cap = q->cap ? q->cap * 2 : 4;
            op_sr_item *p = realloc(q->items, cap * sizeof *p);
            if (!p) {
                rt_err_set(err, RT_ENOMEM, "out of memory");
                return NULL;
            }
            q->items = p;
            q->cap = cap;
        }
    }
    op_sr_item *it = &q->items[q->head + q->count++];
    memset(it, 0, sizeof *it);
    rt_buf_init(&it->body);
    return it;
}

/* Removes the tail item again (a push whose filling failed). */
static void unpush(op_sr_queue *q)
{
    item_fini(&q->items[q->head + --q->count]);
}

int op_sr_queue_push_ddl(op_sr_queue *q, uint64_t checkpoint, const op_sr_ddl_op *ops, size_t count,
                         const char *source, const char *ddl, size_t ddl_len, rt_err *err)
{
    op_sr_item *it = push(q, err);
    if (!it)
        return RT_ENOMEM;
    it->kind = OP_SR_ITEM_DDL;
    it->checkpoint = checkpoint;
    it->ops = calloc(count ? count : 1, sizeof *it->ops);
    it->source = strdup(source ? source : "");
    it->ddl = strndup(ddl ? ddl : "", ddl ? ddl_len : 0);
    int rc = !it->ops || !it->source || !it->ddl ? rt_err_set(err, RT_ENOMEM, "out of memory") : 0;
    for (size_t i = 0; rc == 0 && i < count; i++) {
        rc = op_sr_ddl_op_copy(&ops[i], &it->ops[i], err);
        if (rc == 0)
            it->op_count++;
    }
    if (rc != 0) {
        unpush(q);
        return rc;
    }
    q->ddl_count++;
    return 0;
}

int op_sr_queue_body(op_sr_queue *q, const char *columns, rt_buf **out, rt_err *err)
{
    op_sr_item *last = q->count ? &q->items[q->head + q->count - 1] : NULL;
    if (!last || last->kind != OP_SR_ITEM_BODY || strcmp(last->columns, columns) != 0) {
        if (!(last = push(q, err)))
            return RT_ENOMEM;
        last->kind = OP_SR_ITEM_BODY;
        if (!(last->columns = strdup(columns))) {
            unpush(q);
            return rt_err_set(err, RT_ENOMEM, "out of memory");
        }
    }
    /* The caller appends to it: the size is settled in op_sr_queue_rows_added. */
    q->bytes -= last->body.len;
    *out = &last->body;
    return 0;
}

void op_sr_queue_rows_added(op_sr_queue *q, uint64_t n)
{
    op_sr_item *last = &q->items[q->head + q->count - 1];
    last->rows += n;
    q->bytes += last->body.len;
}

/* --- Fitting rows to the target --- */

static bool keeps(const op_sr_table_meta *meta, const char *name)
{
    return strcmp(name, "__op") == 0 || op_sr_table_meta_column_index(meta, name) >= 0;
}

int op_sr_queue_fit_head(op_sr_queue *q, const op_sr_table_meta *meta, bool json, bool *changed,
                         rt_err *err)
{
    *changed = false;
    op_sr_item *it = op_sr_queue_head(q);
    if (!it || it->kind != OP_SR_ITEM_BODY)
        return 0;
    /* The header first: it lists every column the rows carry. */
    rt_buf cols;
    rt_buf_init(&cols);
    size_t i = 0;
    for (const char *p = it->columns; *p; i++) {
        size_t n = strcspn(p, ",");
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(n < 255 ? n : 255), p);
        if (i)
            rt_buf_append_char(&cols, ',');
        if (keeps(meta, name)) {
            rt_buf_append_str(&cols, name);
        } else {
            rt_buf_appendf(&cols, "__sluice_skip_%zu", i);
            *changed = true;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    if (!*changed || !cols.data) {
        rt_buf_fini(&cols);
        return 0;
    }
    if (!json) {
        free(it->columns);
        it->columns = rt_buf_take(&cols);
        return it->columns ? 0 : rt_err_set(err, RT_ENOMEM, "out of memory");
    }
    rt_buf_fini(&cols);
    rt_buf out;
    rt_buf_init(&out);
    int rc = 0;
    const char *p = it->body.data, *end = it->body.data + it->body.len;
    while (rc == 0 && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        json_error_t jerr;
        json_t *o = json_loadb(p, n, 0, &jerr);
        if (!json_is_object(o)) {
            rc = rt_err_set(err, RT_ECORRUPT, "starrocks: queued row is not a JSON object: %s",
                            jerr.text);
        } else {
            const char *key;
            json_t *v, *tmp;
            json_object_foreach_safe(o, tmp, key, v)
            {
                if (!keeps(meta, key))
                    json_object_del(o, key);
            }
            char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
            if (!line) {
                rc = rt_err_set(err, RT_ENOMEM, "out of memory");
            } else {
                rt_buf_append_str(&out, line);
                rt_buf_append_char(&out, '\n');
                free(line);
            }
        }
        json_decref(o);
        p += n + (nl ? 1 : 0);
    }
    if (rc != 0) {
        rt_buf_fini(&out);
        return rc;
    }
    q->bytes = q->bytes - it->body.len + out.len;
    rt_buf_fini(&it->body);
    it->body = out;
    return 0;
}

/* --- State codec --- */

static json_t *op_json(const op_sr_ddl_op *op)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:b}", "kind", op_sr_ddl_kind_name(op->kind),
                          "change", op_sr_sc_change_name(op->change), "behavior",
                          op_sr_sc_behavior_name(op->behavior), "table", op->table, "nullable",
                          op->nullable);
    const char *keys[] = {"column", "new_name", "type", "after", "default", "create"};
    const char *vals[] = {op->column, op->new_name, op->type, op->after, op->def, op->create};
    for (size_t i = 0; o && i < 6; i++)
        if (vals[i] && json_object_set_new(o, keys[i], json_string(vals[i])) != 0) {
            json_decref(o);
            o = NULL;
        }
    return o;
}

int op_sr_queue_encode(const char *const *tables, op_sr_queue *const *queues, size_t count,
                       char **out, size_t *len, rt_err *err)
{
    json_t *root = json_pack("{s:i}", "v", STATE_VERSION);
    json_t *targets = json_array();
    bool bad = !root || !targets || json_object_set(root, "targets", targets) != 0;
    rt_buf blobs;
    rt_buf_init(&blobs);
    for (size_t t = 0; t < count && !bad; t++) {
        const op_sr_queue *q = queues[t];
        json_t *items = json_array();
        json_t *target = json_pack("{s:s, s:o}", "table", tables[t], "items", items);
        bad |= !items || !target || json_array_append_new(targets, target) != 0;
        for (size_t i = 0; i < q->count && !bad; i++) {
            const op_sr_item *it = &q->items[q->head + i];
            json_t *j;
            if (it->kind == OP_SR_ITEM_DDL) {
                json_t *ops = json_array();
                for (size_t k = 0; ops && k < it->op_count && !bad; k++)
                    bad |= json_array_append_new(ops, op_json(&it->ops[k])) != 0;
                j = json_pack("{s:s, s:I, s:s, s:s, s:o}", "kind", "ddl", "checkpoint",
                              (json_int_t)it->checkpoint, "source", it->source, "ddl", it->ddl,
                              "ops", ops);
            } else {
                j = json_pack("{s:s, s:s, s:I, s:I, s:I}", "kind", "body", "columns", it->columns,
                              "rows", (json_int_t)it->rows, "offset", (json_int_t)blobs.len, "size",
                              (json_int_t)it->body.len);
                rt_buf_append(&blobs, it->body.data, it->body.len);
            }
            bad |= !j || json_array_append_new(items, j) != 0;
        }
    }
    char *text = bad ? NULL : json_dumps(root, JSON_COMPACT);
    json_decref(targets);
    json_decref(root);
    if (!text) {
        rt_buf_fini(&blobs);
        return rt_err_set(err, RT_ENOMEM, "starrocks: encode schema-change state: out of memory");
    }
    size_t tl = strlen(text);
    char *all = malloc(tl + 1 + blobs.len);
    if (all) {
        memcpy(all, text, tl + 1);
        if (blobs.len)
            memcpy(all + tl + 1, blobs.data, blobs.len);
    }
    free(text);
    size_t bl = blobs.len;
    rt_buf_fini(&blobs);
    if (!all)
        return rt_err_set(err, RT_ENOMEM, "starrocks: encode schema-change state: out of memory");
    *out = all;
    *len = tl + 1 + bl;
    return 0;
}

static int corrupt(rt_err *err, const char *what)
{
    return rt_err_set(err, RT_ECORRUPT, "starrocks: checkpoint state (schema changes): %s", what);
}

static bool get_u64(json_t *o, const char *key, uint64_t *out)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return false;
    *out = (uint64_t)json_integer_value(v);
    return true;
}

static const char *get_str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static bool enum_of(const char *s, const char *(*name)(int), int n, int *out)
{
    for (int i = 0; s && i < n; i++) {
        if (strcmp(s, name(i)) == 0) {
            *out = i;
            return true;
        }
    }
    return false;
}

static const char *behavior_name_i(int i)
{
    return op_sr_sc_behavior_name((op_sr_sc_behavior)i);
}

static const char *change_name_i(int i)
{
    return op_sr_sc_change_name((op_sr_sc_change)i);
}

/* Reads one op; its strings point into j (copied by the queue). */
static bool op_from_json(json_t *j, op_sr_ddl_op *op)
{
    memset(op, 0, sizeof *op);
    int b = 0, c = 0;
    if (!json_is_object(j) || !get_str(j, "kind") ||
        !op_sr_ddl_kind_parse(get_str(j, "kind"), &op->kind) ||
        !enum_of(get_str(j, "behavior"), behavior_name_i, 5, &b) ||
        !enum_of(get_str(j, "change"), change_name_i, OP_SR_SC_CHANGE_COUNT, &c) ||
        !get_str(j, "table"))
        return false;
    op->behavior = (op_sr_sc_behavior)b;
    op->change = (op_sr_sc_change)c;
    op->table = (char *)get_str(j, "table");
    op->column = (char *)get_str(j, "column");
    op->new_name = (char *)get_str(j, "new_name");
    op->type = (char *)get_str(j, "type");
    op->after = (char *)get_str(j, "after");
    op->def = (char *)get_str(j, "default");
    op->create = (char *)get_str(j, "create");
    op->nullable = json_is_true(json_object_get(j, "nullable"));
    /* What each kind needs to render. */
    switch (op->kind) {
    case OP_SR_DDL_ADD_COLUMN:
    case OP_SR_DDL_MODIFY_COLUMN:
        return op->column && op->type;
    case OP_SR_DDL_DROP_COLUMN:
        return op->column != NULL;
    case OP_SR_DDL_RENAME_COLUMN:
        return op->column && op->new_name;
    case OP_SR_DDL_RENAME_TABLE:
        return op->new_name != NULL;
    case OP_SR_DDL_CREATE_TABLE:
        return op->create != NULL;
    default:
        return true;
    }
}

static int decode_items(json_t *items, const char *blobs, size_t blob_len, op_sr_queue *q,
                        rt_err *err)
{
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *j = json_array_get(items, i);
        const char *kind = get_str(j, "kind");
        if (kind && strcmp(kind, "ddl") == 0) {
            uint64_t ckpt = 0;
            json_t *ops = json_object_get(j, "ops");
            const char *ddl = get_str(j, "ddl");
            if (!get_u64(j, "checkpoint", &ckpt) || !json_is_array(ops) || !ddl)
                return corrupt(err, "bad ddl item");
            size_t n = json_array_size(ops);
            op_sr_ddl_op *tmp = calloc(n ? n : 1, sizeof *tmp);
            if (!tmp)
                return rt_err_set(err, RT_ENOMEM, "out of memory");
            bool ok = true;
            for (size_t k = 0; k < n && ok; k++)
                ok = op_from_json(json_array_get(ops, k), &tmp[k]);
            int rc = ok ? op_sr_queue_push_ddl(q, ckpt, tmp, n, get_str(j, "source"), ddl,
                                               strlen(ddl), err)
                        : corrupt(err, "bad ddl operation");
            free(tmp); /* its strings belong to the JSON document */
            if (rc != 0)
                return rc;
        } else if (kind && strcmp(kind, "body") == 0) {
            uint64_t rows = 0, off = 0, size = 0;
            const char *columns = get_str(j, "columns");
            if (!columns || !get_u64(j, "rows", &rows) || !get_u64(j, "offset", &off) ||
                !get_u64(j, "size", &size) || off > blob_len || size > blob_len - off)
                return corrupt(err, "bad body item");
            /* Two BODY items in a row (same columns) merge: the rows stay in order. */
            rt_buf *b;
            int rc = op_sr_queue_body(q, columns, &b, err);
            if (rc != 0)
                return rc;
            rt_buf_append(b, blobs + off, size);
            op_sr_queue_rows_added(q, rows);
        } else {
            return corrupt(err, "unknown item kind");
        }
    }
    return 0;
}

void op_sr_queue_set_free(op_sr_queue_set *s)
{
    for (size_t i = 0; i < s->count; i++) {
        free(s->tables[i]);
        op_sr_queue_free(s->queues[i]);
    }
    free(s->tables);
    free(s->queues);
    memset(s, 0, sizeof *s);
}

int op_sr_queue_decode(const char *data, size_t len, op_sr_queue_set *out, rt_err *err)
{
    const char *nul = memchr(data, '\0', len);
    size_t jl = nul ? (size_t)(nul - data) : len;
    const char *blobs = nul ? nul + 1 : data + len;
    size_t blob_len = nul ? len - jl - 1 : 0;
    json_error_t jerr;
    json_t *root = json_loadb(data, jl, 0, &jerr);
    if (!root)
        return rt_err_set(err, RT_ECORRUPT,
                          "starrocks: checkpoint state (schema changes): not JSON: %s", jerr.text);
    op_sr_queue_set s = {0};
    uint64_t v = 0;
    json_t *targets = json_object_get(root, "targets");
    int rc = 0;
    if (!get_u64(root, "v", &v) || v != STATE_VERSION)
        rc = corrupt(err, "unknown version");
    else if (!json_is_array(targets))
        rc = corrupt(err, "no targets");
    size_t n = rc == 0 ? json_array_size(targets) : 0;
    if (rc == 0 && n > 0) {
        s.tables = calloc(n, sizeof *s.tables);
        s.queues = calloc(n, sizeof *s.queues);
        if (!s.tables || !s.queues)
            rc = rt_err_set(err, RT_ENOMEM, "out of memory");
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        json_t *t = json_array_get(targets, i);
        const char *table = get_str(t, "table");
        json_t *items = json_object_get(t, "items");
        if (!table || !json_is_array(items)) {
            rc = corrupt(err, "bad target");
            break;
        }
        if (!(s.tables[i] = strdup(table))) {
            rc = rt_err_set(err, RT_ENOMEM, "out of memory");
            break;
        }
        s.count = i + 1;
        if ((rc = op_sr_queue_new(&s.queues[i], err)) == 0)
            rc = decode_items(items, blobs, blob_len, s.queues[i], err);
    }
    json_decref(root);
    if (rc != 0) {
        op_sr_queue_set_free(&s);
        return rc;
    }
    *out = s;
    return 0;
}
