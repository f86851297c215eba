/* gen_* over operators/starrocks/sr_type_map.c, which holds the mapping (README "Type
 * mapping"): gen_column is turned into sr_type_map's source column description. */
#include "jobs/codegen/type_map.h"

const char *gen_sr_kind_name(gen_sr_kind k)
{
    return op_sr_kind_name(k);
}

void gen_sr_type_format(const gen_sr_type *t, char *out, size_t size)
{
    op_sr_type_format(t, out, size);
}

unsigned gen_sr_type_key_size(const gen_sr_type *t)
{
    return op_sr_type_key_size(t);
}

int gen_type_map(const gen_column *c, bool is_key, gen_sr_type *out, gen_type_map_info *info,
                 rt_err *err)
{
    op_sr_source_column s = {
        .name = c->name,
        .data_type = c->data_type,
        .column_type = c->column_type,
        .charset = c->charset,
        .charset_maxlen = c->charset_maxlen,
        .char_length = c->char_length,
        .precision = c->precision,
        .scale = c->scale,
        .is_unsigned = c->is_unsigned,
        .is_json = c->is_json,
    };
    return op_sr_type_map(&s, is_key, out, info, err);
}

int gen_sr_type_widen(const gen_sr_type *a, const gen_sr_type *b, gen_sr_type *out, rt_err *err)
{
    return op_sr_type_widen(a, b, out, err);
}

bool gen_sr_type_equal(const gen_sr_type *a, const gen_sr_type *b)
{
    return op_sr_type_equal(a, b);
}

unsigned gen_charset_utf8_bytes(const char *charset, unsigned maxlen)
{
    return op_sr_charset_utf8_bytes(charset, maxlen);
}
