/* Snapshot split reads: the SELECT of a split's key range in key order, its rows converted by
 * text_value into +I records and batched; and the SQL literals of split bounds. */
#include "operators/mysql/snapshot_chunk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operators/mysql/text_value.h"

void op_snapshot_value_format_sql(const rt_value *v, op_mysql_conn *c, rt_buf *out)
{
    char tmp[64];
    switch (v->type) {
    case RT_TYPE_NULL:
        rt_buf_append_str(out, "NULL");
        return;
    case RT_TYPE_INT:
        rt_buf_append_i64(out, v->i);
        return;
    case RT_TYPE_UINT:
        rt_buf_append_u64(out, v->u);
        return;
    case RT_TYPE_DOUBLE:
        snprintf(tmp, sizeof tmp, "%.17g", v->d);
        rt_buf_append_str(out, tmp);
        return;
    case RT_TYPE_DECIMAL:
        rt_buf_append(out, v->s.ptr, v->s.len);
        return;
    case RT_TYPE_DATE:
        snprintf(tmp, sizeof tmp, "'%04d-%02u-%02u'", v->t.year, v->t.month, v->t.day);
        rt_buf_append_str(out, tmp);
        return;
    case RT_TYPE_TIME:
        snprintf(tmp, sizeof tmp, "'%s%02u:%02u:%02u.%06u'", v->t.neg ? "-" : "", v->t.hour,
                 v->t.minute, v->t.second, (unsigned)v->t.usec);
        rt_buf_append_str(out, tmp);
        return;
    case RT_TYPE_DATETIME:
        snprintf(tmp, sizeof tmp, "'%04d-%02u-%02u %02u:%02u:%02u.%06u'", v->t.year, v->t.month,
                 v->t.day, v->t.hour, v->t.minute, v->t.second, (unsigned)v->t.usec);
        rt_buf_append_str(out, tmp);
        return;
    case RT_TYPE_BYTES: {
        /* X'..' is exact whatever the bytes and the connection's character set. */
        static const char hex[] = "0123456789ABCDEF";
        rt_buf_append_str(out, "X'");
        char *w = rt_buf_reserve(out, (size_t)v->s.len * 2);
        for (uint32_t i = 0; i < v->s.len; i++) {
            w[2 * i] = hex[(uint8_t)v->s.ptr[i] >> 4];
            w[2 * i + 1] = hex[(uint8_t)v->s.ptr[i] & 15];
        }
        rt_buf_advance(out, (size_t)v->s.len * 2);
        rt_buf_append_char(out, '\'');
        return;
    }
    default:
        rt_buf_append_char(out, '\'');
        op_mysql_conn_escape(c, v->s.ptr, v->s.len, out);
        rt_buf_append_char(out, '\'');
        return;
    }
}

/* "`a`" or "(`a`,`b`)"; the same shape for a key's literals. */
void op_snapshot_key_format_sql(const char *const *names, const rt_value *key, size_t n,
                                op_mysql_conn *c, rt_buf *out)
{
    if (n > 1)
        rt_buf_append_char(out, '(');
    for (size_t i = 0; i < n; i++) {
        if (i)
            rt_buf_append_char(out, ',');
        if (key)
            op_snapshot_value_format_sql(&key[i], c, out);
        else
            op_mysql_conn_quote_ident(names[i], out);
    }
    if (n > 1)
        rt_buf_append_char(out, ')');
}

void op_snapshot_split_format_where(const op_snapshot_split *s, const char *const *names,
                                    op_mysql_conn *c, rt_buf *out)
{
    size_t n = op_snapshot_split_key_count(s);
    const rt_value *start = op_snapshot_split_start(s), *end = op_snapshot_split_end(s);
    if (!start && !end) {
        rt_buf_append_str(out, "TRUE");
        return;
    }
    if (start) {
        op_snapshot_key_format_sql(names, NULL, n, c, out);
        rt_buf_append_str(out, " > ");
        op_snapshot_key_format_sql(names, start, n, c, out);
    }
    if (end) {
        if (start)
            rt_buf_append_str(out, " AND ");
        /* The first split also holds the NULLs of a nullable chunk key column: NULL sorts
         * first, and no split bound can select it. */
        bool nulls = !start && n == 1;
        if (nulls) {
            rt_buf_append_char(out, '(');
            op_snapshot_key_format_sql(names, NULL, n, c, out);
            rt_buf_append_str(out, " IS NULL OR ");
        }
        op_snapshot_key_format_sql(names, NULL, n, c, out);
        rt_buf_append_str(out, " <= ");
        op_snapshot_key_format_sql(names, end, n, c, out);
        if (nulls)
            rt_buf_append_char(out, ')');
    }
}

void op_snapshot_chunk_format_sql(const op_mysql_table_info *info, const op_snapshot_split *split,
                                  op_mysql_conn *c, rt_buf *out)
{
    const rt_table *t = info->table;
    rt_buf_append_str(out, "SELECT ");
    for (size_t i = 0; i < rt_table_column_count(t); i++) {
        const rt_column *col = rt_table_column(t, i);
        if (i)
            rt_buf_append_char(out, ',');
        bool real = col->type == RT_TYPE_DOUBLE;
        if (real)
            rt_buf_append_str(out, "CAST(");
        op_mysql_conn_quote_ident(col->name, out);
        if (real)
            rt_buf_append_str(out, " AS DOUBLE)");
    }
    rt_buf_append_str(out, " FROM ");
    op_mysql_conn_quote_ident(rt_table_db(t), out);
    rt_buf_append_char(out, '.');
    op_mysql_conn_quote_ident(rt_table_name(t), out);
    size_t cols[OP_MYSQL_MAX_KEY_COLUMNS];
    size_t n = op_snapshot_key_columns(info, cols);
    const char *names[OP_MYSQL_MAX_KEY_COLUMNS] = {0};
    for (size_t i = 0; i < n; i++)
        names[i] = rt_table_column(t, cols[i])->name;
    rt_buf_append_str(out, " WHERE ");
    op_snapshot_split_format_where(split, names, c, out);
    rt_buf_append_str(out, " ORDER BY ");
    for (size_t i = 0; i < n; i++) {
        if (i)
            rt_buf_append_char(out, ',');
        op_mysql_conn_quote_ident(names[i], out);
    }
}

typedef struct chunk_reader {
    const op_mysql_table_info *info;
    const op_text_row *decoder;
    size_t batch_rows;
    rt_batch_pool *pool;
    rt_batch *(*batch_new)(void *batch_arg);
    void *batch_arg;
    rt_batch *batch; /* being filled; NULL between batches */
    op_snapshot_batch_fn fn;
    void *arg;
    uint64_t rows;
} chunk_reader;

static int flush(chunk_reader *r, rt_err *err)
{
    rt_batch *b = r->batch;
    r->batch = NULL;
    return b ? r->fn(r->arg, b, err) : 0;
}

static int on_row(void *arg, size_t ncols, const char *const *values, const unsigned long *lengths,
                  rt_err *err)
{
    chunk_reader *r = arg;
    if (ncols != rt_table_column_count(r->info->table))
        return rt_err_set(err, RT_EINTERNAL, "%zu columns in the result, %zu in the table", ncols,
                          rt_table_column_count(r->info->table));
    if (!r->batch)
        r->batch = r->batch_new ? r->batch_new(r->batch_arg) : rt_batch_new(r->pool);
    if (!r->batch)
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    rt_record *rec = rt_batch_add(r->batch, RT_ROW_INSERT, r->info->table);
    if (!rec)
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    int rc = op_text_row_decode(r->decoder, values, lengths, r->batch, rec, err);
    if (rc)
        return rc;
    r->rows++;
    return rt_batch_count(r->batch) >= r->batch_rows ? flush(r, err) : 0;
}

int op_snapshot_chunk_read(op_mysql_conn *c, const op_mysql_table_info *info,
                           const op_snapshot_split *split, const op_snapshot_read_options *o,
                           op_snapshot_batch_fn fn, void *arg, uint64_t *rows, rt_err *err)
{
    op_text_row *decoder = NULL;
    int rc = op_text_row_new(info->table, op_mysql_conn_time_zone(c), &decoder, err);
    if (rc)
        return rt_err_prefix(err, rc, "read split %s", op_snapshot_split_name(split));
    chunk_reader r = {
        .info = info,
        .decoder = decoder,
        .batch_rows = o && o->batch_rows ? o->batch_rows : 1024,
        .pool = o ? o->pool : NULL,
        .batch_new = o ? o->batch_new : NULL,
        .batch_arg = o ? o->batch_arg : NULL,
        .fn = fn,
        .arg = arg,
    };
    rt_buf sql;
    rt_buf_init(&sql);
    op_snapshot_chunk_format_sql(info, split, c, &sql);
    rc = op_mysql_conn_query(c, sql.data, on_row, &r, err);
    if (rc == 0)
        rc = flush(&r, err);
    rt_batch_unref(r.batch); /* what an error left unsent */
    rt_buf_fini(&sql);
    op_text_row_free(decoder);
    if (rc)
        return rt_err_prefix(err, rc, "read split %s", op_snapshot_split_name(split));
    if (rows)
        *rows = r.rows;
    return 0;
}
