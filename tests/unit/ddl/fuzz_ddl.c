/* libFuzzer target of schema tracking. The first byte selects the input: even = statement text
 * for op_ddl_parse (rest of the input), applied to a small history and round-tripped through
 * the binary form; odd = a history's binary form for op_schema_history_decode, which must encode
 * back to the same bytes (format version 1 input: to bytes that round-trip). Run by ctest through
 * fuzz_ddl_replay over corpus/ (label fuzz). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "operators/mysql/ddl_parse.h"
#include "operators/mysql/schema_history.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void apply_text(op_schema_history *h, const char *sql, uint64_t off)
{
    op_ddl *d = NULL;
    if (op_ddl_parse(sql, strlen(sql), "d", 1, &d, NULL) == 0 && d) {
        op_schema_pos pos = {"bin.000001", off};
        op_schema_history_apply(h, d, pos, NULL, NULL);
    }
    op_ddl_free(d);
}

static void round_trip(const op_schema_history *h)
{
    rt_buf a, b;
    rt_buf_init(&a);
    rt_buf_init(&b);
    op_schema_history_encode(h, &a);
    op_schema_history *d = NULL;
    if (op_schema_history_decode((const uint8_t *)a.data, a.len, &d, NULL) != 0)
        abort();
    op_schema_history_encode(d, &b);
    if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
        abort();
    op_schema_history_free(d);
    rt_buf_fini(&a);
    rt_buf_fini(&b);
}

static void fuzz_sql(const uint8_t *data, size_t size)
{
    op_ddl *d = NULL;
    if (op_ddl_parse((const char *)data, size, "d", 1, &d, NULL) != 0 || !d)
        return;
    rt_buf text;
    rt_buf_init(&text);
    op_ddl_format(d, &text);
    rt_buf_fini(&text);
    op_schema_history *h = op_schema_history_new();
    apply_text(h, "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(8), b TEXT)", 10);
    apply_text(h, "CREATE TABLE u (x INT, y INT, PRIMARY KEY (y, x))", 20);
    op_schema_pos pos = {"bin.000001", 30};
    op_schema_history_apply(h, d, pos, NULL, NULL);
    for (size_t i = 0; i < op_ddl_table_count(d); i++) {
        const op_ddl_name *n = op_ddl_table_at(d, i);
        rt_table *t = NULL;
        if (op_schema_history_table_at(h, n->db, n->table, pos, &t, NULL) == 0)
            rt_table_free(t);
    }
    round_trip(h);
    op_schema_history_free(h);
    op_ddl_free(d);
}

static void fuzz_state(const uint8_t *data, size_t size)
{
    op_schema_history *h = NULL;
    if (op_schema_history_decode(data, size, &h, NULL) != 0)
        return;
    rt_buf b;
    rt_buf_init(&b);
    op_schema_history_encode(h, &b);
    /* The current format (2) encodes back to the same bytes; an older one (1) is rewritten in
     * the current one, which must then round-trip. */
    if (data[0] == 2 && (b.len != size || memcmp(b.data, data, size) != 0))
        abort();
    rt_buf_fini(&b);
    round_trip(h);
    op_schema_history_free(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    /* The rest in its own allocation, so that a read past its end is caught. */
    uint8_t *rest = malloc(size - 1 ? size - 1 : 1);
    if (!rest)
        return 0;
    memcpy(rest, data + 1, size - 1);
    if (data[0] % 2 == 0)
        fuzz_sql(rest, size - 1);
    else
        fuzz_state(rest, size - 1);
    free(rest);
    return 0;
}
