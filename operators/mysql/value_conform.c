/* Value conformance to the schema type. MySQL stores a spatial value as a 4-byte little-endian
 * SRID followed by the WKB (the internal form SELECT col and the binlog both carry; ST_AsBinary
 * gives the WKB alone), and BINARY(n) as n bytes padded with 0x00 of which the binlog writes
 * the value without the trailing zeros (Field_string::pack strips them for binary charsets). */
#include "operators/mysql/value_conform.h"

#include <string.h>

int op_mysql_value_conform(const op_sql_type *t, const char *column, rt_batch *b, rt_value *v,
                           rt_err *err)
{
    if (v->type != RT_TYPE_BYTES)
        return 0;
    const char *name = column ? column : "?";
    if (op_sql_type_is_spatial(t)) {
        if (v->s.len < 4)
            return rt_err_set(err, RT_ECORRUPT,
                              "column '%s' (%s): %u bytes, shorter than the SRID prefix", name,
                              op_sql_kind_name(t->kind), (unsigned)v->s.len);
        v->s.ptr += 4;
        v->s.len -= 4;
        return 0;
    }
    if (t->kind != OP_SQL_BINARY || v->s.len == t->length)
        return 0;
    if (v->s.len > t->length)
        return rt_err_set(err, RT_ECORRUPT, "column '%s' (binary(%u)): %u bytes", name, t->length,
                          (unsigned)v->s.len);
    char pad[255]; /* BINARY(n) has n <= 255 */
    if (v->s.len)
        memcpy(pad, v->s.ptr, v->s.len);
    memset(pad + v->s.len, 0, t->length - v->s.len);
    if (rt_batch_set_str(b, v, RT_TYPE_BYTES, pad, t->length) != 0)
        return rt_err_set(err, RT_ENOMEM, "column '%s': out of memory", name);
    return 0;
}
