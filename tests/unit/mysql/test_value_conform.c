/* Conformance of decoded values to the schema type (operators/mysql/value_conform.h): BINARY(n)
 * padded back to n bytes, spatial values without their SRID, everything else untouched, and
 * refusal of values that cannot be of the type. */
#include <string.h>

#include "operators/mysql/value_conform.h"
#include "tests/harness/test.h"

static op_sql_type type_of(const char *text)
{
    op_sql_type t;
    memset(&t, 0, sizeof t);
    rt_err err;
    CHECK_OK(op_sql_type_parse(text, &t, &err), &err);
    return t;
}

static rt_value bytes(const char *p, size_t n)
{
    rt_value v;
    memset(&v, 0, sizeof v);
    v.type = RT_TYPE_BYTES;
    v.s.ptr = p;
    v.s.len = (uint32_t)n;
    return v;
}

TEST(binary_is_padded_to_its_length)
{
    op_sql_type t = type_of("binary(4)");
    rt_batch *b = rt_batch_new(NULL);
    rt_err err;
    const struct {
        const char *in;
        size_t len;
    } cases[] = {{"", 0}, {"a", 1}, {"a\0\0b", 4}, {"ab\0", 3}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rt_value v = bytes(cases[i].in, cases[i].len);
        CHECK_OK(op_mysql_value_conform(&t, "bn", b, &v, &err), &err);
        CHECK_INT_EQ(v.type, RT_TYPE_BYTES);
        CHECK_UINT_EQ(v.s.len, 4);
        char want[4] = {0};
        memcpy(want, cases[i].in, cases[i].len);
        CHECK(v.s.len == 4 && memcmp(v.s.ptr, want, 4) == 0);
    }
    /* a full value is kept where it is, not copied */
    const char *full = "wxyz";
    rt_value v = bytes(full, 4);
    CHECK_OK(op_mysql_value_conform(&t, "bn", b, &v, &err), &err);
    CHECK(v.s.ptr == full);
    /* longer than the column: not a value of it */
    v = bytes("vwxyz", 5);
    CHECK_INT_EQ(op_mysql_value_conform(&t, "bn", b, &v, &err), RT_ECORRUPT);
    CHECK_STR_CONTAINS(err.msg, "column 'bn' (binary(4)): 5 bytes");
    op_sql_type_fini(&t);

    /* BINARY(255), the longest */
    t = type_of("binary(255)");
    v = bytes("x", 1);
    CHECK_OK(op_mysql_value_conform(&t, "b255", b, &v, &err), &err);
    CHECK_UINT_EQ(v.s.len, 255);
    CHECK(v.s.len == 255 && v.s.ptr[0] == 'x' && v.s.ptr[254] == 0);
    op_sql_type_fini(&t);
    rt_batch_unref(b);
}

TEST(spatial_values_lose_the_srid)
{
    static const char point[] = "\x00\x00\x00\x00"
                                "\x01\x01\x00\x00\x00"
                                "\x00\x00\x00\x00\x00\x00\xf0\x3f"
                                "\x00\x00\x00\x00\x00\x00\x00\x40";
    const char *kinds[] = {"geometry",      "point",           "linestring",   "polygon",
                           "multipoint",    "multilinestring", "multipolygon", "geometrycollection",
                           "geomcollection"};
    rt_batch *b = rt_batch_new(NULL);
    rt_err err;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        op_sql_type t = type_of(kinds[i]);
        CHECK_INT_EQ(t.type, RT_TYPE_BYTES);
        CHECK(op_sql_type_is_spatial(&t));
        rt_value v = bytes(point, sizeof point - 1);
        CHECK_OK(op_mysql_value_conform(&t, "g", b, &v, &err), &err);
        CHECK(v.s.ptr == point + 4);
        CHECK_UINT_EQ(v.s.len, 21);
        /* the WKB: byte order 1 (little-endian), type 1 (point) */
        CHECK(v.s.ptr[0] == 1 && v.s.ptr[1] == 1);
        v = bytes(point, 3);
        CHECK_INT_EQ(op_mysql_value_conform(&t, "g", b, &v, &err), RT_ECORRUPT);
        CHECK_STR_CONTAINS(err.msg, "shorter than the SRID prefix");
        op_sql_type_fini(&t);
    }
    rt_batch_unref(b);
}

TEST(other_values_are_untouched)
{
    const char *types[] = {"varbinary(4)", "blob", "char(4)", "int", "timestamp(6)", "binary(4)"};
    rt_batch *b = rt_batch_new(NULL);
    rt_err err;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        op_sql_type t = type_of(types[i]);
        rt_value v = bytes("ab", 2);
        if (i == 2)
            v.type = RT_TYPE_STRING; /* CHAR(n) is not padded: SELECT strips its spaces */
        if (i == 5) {
            memset(&v, 0, sizeof v);
            v.type = RT_TYPE_NULL; /* NULL stays NULL */
        }
        rt_value before = v;
        CHECK_OK(op_mysql_value_conform(&t, "c", b, &v, &err), &err);
        CHECK(memcmp(&before, &v, sizeof v) == 0);
        op_sql_type_fini(&t);
    }
    rt_batch_unref(b);
}

TEST_MAIN()
