/* op_sql_type: every type family, its attributes and value type, the canonical text, and the
 * errors for text that is not a MySQL column type. */
#include "operators/basic/sql_type.h"
#include "tests/harness/test.h"

#include <stdlib.h>

/* Parses text that must be valid and returns the result (the caller finis it). */
static op_sql_type parse_ok(const char *text)
{
    op_sql_type t = {0};
    rt_err err = {0};
    int rc = op_sql_type_parse(text, &t, &err);
    if (rc != 0)
        test_fail(__FILE__, __LINE__, "parse '%s' -> %d: %s", text, rc, err.msg);
    return t;
}

/* Checks that text is rejected with EINVAL, a message naming it, and `needle`. */
static void check_bad(const char *text, const char *needle)
{
    op_sql_type t = {0};
    rt_err err = {0};
    int rc = op_sql_type_parse(text, &t, &err);
    if (rc != RT_EINVAL) {
        test_fail(__FILE__, __LINE__, "'%s' -> %d, expected EINVAL", text ? text : "(null)", rc);
        op_sql_type_fini(&t);
        return;
    }
    CHECK_STR_CONTAINS(err.msg, needle);
    if (text && strlen(text) < 40)
        CHECK_STR_CONTAINS(err.msg, text);
}

static char *format(const op_sql_type *t)
{
    rt_buf b;
    rt_buf_init(&b);
    op_sql_type_format(t, &b);
    return rt_buf_take(&b);
}

static void check_format(const char *text, const char *canonical)
{
    op_sql_type t = parse_ok(text);
    char *f = format(&t);
    CHECK_STR_EQ(f, canonical);
    /* The canonical text parses to the same type. */
    op_sql_type u = parse_ok(f);
    char *g = format(&u);
    CHECK_STR_EQ(g, f);
    CHECK_INT_EQ(u.kind, t.kind);
    CHECK_INT_EQ(u.type, t.type);
    free(f);
    free(g);
    op_sql_type_fini(&t);
    op_sql_type_fini(&u);
}

TEST(integers)
{
    static const struct {
        const char *text;
        op_sql_kind kind;
        bool is_unsigned;
        int64_t min;
        uint64_t max;
    } cases[] = {
        {"tinyint", OP_SQL_TINYINT, false, -128, 127},
        {"TINYINT UNSIGNED", OP_SQL_TINYINT, true, 0, 255},
        {"smallint", OP_SQL_SMALLINT, false, -32768, 32767},
        {"smallint unsigned", OP_SQL_SMALLINT, true, 0, 65535},
        {"mediumint", OP_SQL_MEDIUMINT, false, -8388608, 8388607},
        {"MediumInt Unsigned", OP_SQL_MEDIUMINT, true, 0, 16777215},
        {"int", OP_SQL_INT, false, INT32_MIN, INT32_MAX},
        {"integer unsigned", OP_SQL_INT, true, 0, UINT32_MAX},
        {"int(11)", OP_SQL_INT, false, INT32_MIN, INT32_MAX},
        {"bigint", OP_SQL_BIGINT, false, INT64_MIN, INT64_MAX},
        {"bigint(20) unsigned zerofill", OP_SQL_BIGINT, true, 0, UINT64_MAX},
        {"int zerofill", OP_SQL_INT, true, 0, UINT32_MAX},
        {"int signed", OP_SQL_INT, false, INT32_MIN, INT32_MAX},
        {"serial", OP_SQL_BIGINT, true, 0, UINT64_MAX},
        {"bool", OP_SQL_TINYINT, false, -128, 127},
        {"BOOLEAN", OP_SQL_TINYINT, false, -128, 127},
        {"int8", OP_SQL_BIGINT, false, INT64_MIN, INT64_MAX},
        {"  int  unsigned  ", OP_SQL_INT, true, 0, UINT32_MAX},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        op_sql_type t = parse_ok(cases[i].text);
        CHECK_INT_EQ(t.kind, cases[i].kind);
        CHECK(op_sql_type_is_integer(&t));
        CHECK_INT_EQ(t.is_unsigned, cases[i].is_unsigned);
        CHECK_INT_EQ(t.type, cases[i].is_unsigned ? RT_TYPE_UINT : RT_TYPE_INT);
        CHECK_INT_EQ(op_sql_type_int_min(&t), cases[i].min);
        CHECK_UINT_EQ(op_sql_type_int_max(&t), cases[i].max);
        op_sql_type_fini(&t);
    }
    op_sql_type t = parse_ok("int(11)");
    CHECK_INT_EQ(t.length, 11);
    op_sql_type_fini(&t);
    t = parse_ok("bool");
    CHECK_INT_EQ(t.length, 1);
    op_sql_type_fini(&t);
    check_bad("int(256)", "display width must be 0..255");
    check_bad("int(abc)", "expected the display width as a number");
    check_bad("int(11", "expected ')'");
    check_bad("int unsigned garbage", "unexpected 'garbage'");
    check_bad("int(99999999999999999999)", "too large");
}

TEST(decimals_and_reals)
{
    op_sql_type t = parse_ok("decimal(18,4)");
    CHECK_INT_EQ(t.kind, OP_SQL_DECIMAL);
    CHECK_INT_EQ(t.type, RT_TYPE_DECIMAL);
    CHECK_INT_EQ(t.precision, 18);
    CHECK_INT_EQ(t.scale, 4);
    CHECK(!t.is_unsigned);
    CHECK(!op_sql_type_is_integer(&t));
    op_sql_type_fini(&t);
    t = parse_ok("DECIMAL");
    CHECK_INT_EQ(t.precision, 10);
    CHECK_INT_EQ(t.scale, 0);
    op_sql_type_fini(&t);
    t = parse_ok("numeric(5)");
    CHECK_INT_EQ(t.kind, OP_SQL_DECIMAL);
    CHECK_INT_EQ(t.precision, 5);
    CHECK_INT_EQ(t.scale, 0);
    op_sql_type_fini(&t);
    t = parse_ok("DeCiMaL( 65 , 30 ) UnSiGnEd");
    CHECK_INT_EQ(t.precision, 65);
    CHECK_INT_EQ(t.scale, 30);
    CHECK(t.is_unsigned);
    op_sql_type_fini(&t);
    t = parse_ok("dec(3,3)");
    CHECK_INT_EQ(t.precision, 3);
    CHECK_INT_EQ(t.scale, 3);
    op_sql_type_fini(&t);
    check_bad("decimal(66,2)", "precision must be 1..65");
    check_bad("decimal(0)", "precision must be 1..65");
    check_bad("decimal(5,6)", "scale must be 0..30");
    check_bad("decimal(40,31)", "scale must be 0..30");
    check_bad("decimal(10,)", "expected the scale");

    static const struct {
        const char *text;
        op_sql_kind kind;
    } reals[] = {
        {"float", OP_SQL_FLOAT},
        {"FLOAT(24)", OP_SQL_FLOAT},
        {"float(25)", OP_SQL_DOUBLE},
        {"double", OP_SQL_DOUBLE},
        {"double precision", OP_SQL_DOUBLE},
        {"REAL", OP_SQL_DOUBLE},
        {"float4", OP_SQL_FLOAT},
        {"float8", OP_SQL_DOUBLE},
        {"double unsigned", OP_SQL_DOUBLE},
    };
    for (size_t i = 0; i < sizeof reals / sizeof reals[0]; i++) {
        t = parse_ok(reals[i].text);
        CHECK_INT_EQ(t.kind, reals[i].kind);
        CHECK_INT_EQ(t.type, RT_TYPE_DOUBLE);
        op_sql_type_fini(&t);
    }
    t = parse_ok("double(10,2) unsigned");
    CHECK_INT_EQ(t.precision, 10);
    CHECK_INT_EQ(t.scale, 2);
    CHECK(t.is_unsigned);
    op_sql_type_fini(&t);
    check_bad("double(10)", "DOUBLE takes (M,D)");
    check_bad("float(54)", "FLOAT precision must be 0..53");
    check_bad("float(5,6)", "(M,D)");
}

TEST(strings_and_binaries)
{
    static const struct {
        const char *text;
        op_sql_kind kind;
        rt_type type;
        uint32_t length;
    } cases[] = {
        {"varchar(64)", OP_SQL_VARCHAR, RT_TYPE_STRING, 64},
        {"VARCHAR(65535)", OP_SQL_VARCHAR, RT_TYPE_STRING, 65535},
        {"char", OP_SQL_CHAR, RT_TYPE_STRING, 1},
        {"char(0)", OP_SQL_CHAR, RT_TYPE_STRING, 0},
        {"character(10)", OP_SQL_CHAR, RT_TYPE_STRING, 10},
        {"character varying(10)", OP_SQL_VARCHAR, RT_TYPE_STRING, 10},
        {"nvarchar(5)", OP_SQL_VARCHAR, RT_TYPE_STRING, 5},
        {"varchar(10) character set utf8mb4 collate utf8mb4_bin", OP_SQL_VARCHAR, RT_TYPE_STRING,
         10},
        {"char(2) charset latin1 binary", OP_SQL_CHAR, RT_TYPE_STRING, 2},
        {"tinytext", OP_SQL_TINYTEXT, RT_TYPE_STRING, 255},
        {"text", OP_SQL_TEXT, RT_TYPE_STRING, 65535},
        {"text(100)", OP_SQL_TINYTEXT, RT_TYPE_STRING, 255},
        {"text(70000)", OP_SQL_MEDIUMTEXT, RT_TYPE_STRING, 16777215},
        {"mediumtext", OP_SQL_MEDIUMTEXT, RT_TYPE_STRING, 16777215},
        {"LONGTEXT", OP_SQL_LONGTEXT, RT_TYPE_STRING, 4294967295u},
        {"binary(16)", OP_SQL_BINARY, RT_TYPE_BYTES, 16},
        {"binary", OP_SQL_BINARY, RT_TYPE_BYTES, 1},
        {"varbinary(255)", OP_SQL_VARBINARY, RT_TYPE_BYTES, 255},
        {"tinyblob", OP_SQL_TINYBLOB, RT_TYPE_BYTES, 255},
        {"blob", OP_SQL_BLOB, RT_TYPE_BYTES, 65535},
        {"blob(300)", OP_SQL_BLOB, RT_TYPE_BYTES, 65535},
        {"mediumblob", OP_SQL_MEDIUMBLOB, RT_TYPE_BYTES, 16777215},
        {"longblob", OP_SQL_LONGBLOB, RT_TYPE_BYTES, 4294967295u},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        op_sql_type t = parse_ok(cases[i].text);
        CHECK_INT_EQ(t.kind, cases[i].kind);
        CHECK_INT_EQ(t.type, cases[i].type);
        CHECK_UINT_EQ(t.length, cases[i].length);
        op_sql_type_fini(&t);
    }
    check_bad("varchar", "varchar needs a length");
    check_bad("varbinary", "varbinary needs a length");
    check_bad("varchar(65536)", "length must be 0..65535");
    check_bad("char(256)", "length must be 0..255");
    check_bad("binary(300)", "length must be 0..255");
    check_bad("varchar(10", "expected ')'");
    check_bad("varchar(10) character utf8", "expected SET after CHARACTER");
    check_bad("varchar(10) collate", "expected a character set or collation name");
    check_bad("blob character set utf8", "unexpected 'character set utf8'");
}

TEST(temporal_json_bit)
{
    static const struct {
        const char *text;
        op_sql_kind kind;
        rt_type type;
        uint8_t fsp;
    } cases[] = {
        {"date", OP_SQL_DATE, RT_TYPE_DATE, 0},
        {"time", OP_SQL_TIME, RT_TYPE_TIME, 0},
        {"TIME(3)", OP_SQL_TIME, RT_TYPE_TIME, 3},
        {"datetime", OP_SQL_DATETIME, RT_TYPE_DATETIME, 0},
        {"datetime(6)", OP_SQL_DATETIME, RT_TYPE_DATETIME, 6},
        {"timestamp", OP_SQL_TIMESTAMP, RT_TYPE_DATETIME, 0},
        {"Timestamp(2)", OP_SQL_TIMESTAMP, RT_TYPE_DATETIME, 2},
        {"year", OP_SQL_YEAR, RT_TYPE_INT, 0},
        {"year(4)", OP_SQL_YEAR, RT_TYPE_INT, 0},
        {"json", OP_SQL_JSON, RT_TYPE_JSON, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        op_sql_type t = parse_ok(cases[i].text);
        CHECK_INT_EQ(t.kind, cases[i].kind);
        CHECK_INT_EQ(t.type, cases[i].type);
        CHECK_INT_EQ(t.fsp, cases[i].fsp);
        op_sql_type_fini(&t);
    }
    op_sql_type t = parse_ok("bit");
    CHECK_INT_EQ(t.kind, OP_SQL_BIT);
    CHECK_INT_EQ(t.type, RT_TYPE_UINT);
    CHECK_INT_EQ(t.length, 1);
    op_sql_type_fini(&t);
    t = parse_ok("BIT(64)");
    CHECK_INT_EQ(t.length, 64);
    op_sql_type_fini(&t);
    check_bad("datetime(7)", "fractional seconds precision must be 0..6");
    check_bad("time(x)", "expected the fractional seconds precision");
    check_bad("year(2)", "display width must be 4..4");
    check_bad("json(1)", "unexpected '(1)'");
    check_bad("date unsigned", "unexpected 'unsigned'");
    check_bad("bit(0)", "length must be 1..64");
    check_bad("bit(65)", "length must be 1..64");
}

TEST(enum_and_set)
{
    op_sql_type t = parse_ok("enum('a','b''c','d\\\\e', \"f\")");
    CHECK_INT_EQ(t.kind, OP_SQL_ENUM);
    CHECK_INT_EQ(t.type, RT_TYPE_STRING);
    CHECK_UINT_EQ(t.member_count, 4);
    if (t.member_count == 4) {
        CHECK_STR_EQ(t.members[0], "a");
        CHECK_STR_EQ(t.members[1], "b'c");
        CHECK_STR_EQ(t.members[2], "d\\e");
        CHECK_STR_EQ(t.members[3], "f");
    }
    op_sql_type_fini(&t);
    CHECK(t.members == NULL && t.member_count == 0);
    op_sql_type_fini(NULL);

    t = parse_ok("SET('r','w','x') CHARACTER SET utf8mb4");
    CHECK_INT_EQ(t.kind, OP_SQL_SET);
    CHECK_INT_EQ(t.type, RT_TYPE_STRING);
    CHECK_UINT_EQ(t.member_count, 3);
    op_sql_type_fini(&t);

    t = parse_ok("enum('')");
    CHECK_UINT_EQ(t.member_count, 1);
    CHECK_STR_EQ(t.members[0], "");
    op_sql_type_fini(&t);

    /* SET allows 64 members, not 65. */
    rt_buf b;
    rt_buf_init(&b);
    rt_buf_append_str(&b, "set(");
    for (int i = 0; i < 64; i++)
        rt_buf_appendf(&b, "%s'm%d'", i ? "," : "", i);
    rt_buf_append_str(&b, ")");
    t = parse_ok(b.data);
    CHECK_UINT_EQ(t.member_count, 64);
    op_sql_type_fini(&t);
    b.len -= 1;
    rt_buf_append_str(&b, ",'m64')");
    check_bad(b.data, "too many members (at most 64)");
    rt_buf_fini(&b);

    check_bad("enum", "enum needs its members");
    check_bad("enum()", "expected a quoted enum member");
    check_bad("enum(a)", "expected a quoted enum member");
    check_bad("enum('a'", "expected ',' or ')'");
    check_bad("enum('a", "unterminated quoted member");
    check_bad("set('a,b')", "SET members cannot contain ','");
    check_bad("enum('a\\0')", "NUL");
}

TEST(unknown_and_empty)
{
    check_bad("vector(3)", "unknown type 'vector'");
    check_bad("POINTS", "unknown type 'POINTS'");
    check_bad("foo(3)", "unknown type 'foo'");
    check_bad("varchar2(10)", "unknown type 'varchar2'");
    check_bad("", "expected a type name");
    check_bad("   ", "expected a type name");
    check_bad("(10)", "expected a type name");
    check_bad(NULL, "missing");
    /* The known types are listed, so a typo is easy to fix. */
    check_bad("strng", "known: tinyint");
    /* Long text is cut in the message, not overflowed. */
    char long_text[2000];
    memset(long_text, 'x', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    check_bad(long_text, "unknown type");
    /* *out is untouched on failure. */
    op_sql_type t = {.kind = OP_SQL_JSON, .length = 77};
    CHECK(op_sql_type_parse("nope", &t, NULL) == RT_EINVAL);
    CHECK_INT_EQ(t.kind, OP_SQL_JSON);
    CHECK_INT_EQ(t.length, 77);
    CHECK_STR_EQ(op_sql_kind_name(OP_SQL_MEDIUMBLOB), "mediumblob");
    CHECK_STR_EQ(op_sql_kind_name((op_sql_kind)999), "?");
}

TEST(canonical_format)
{
    check_format("TINYINT", "tinyint");
    check_format("bool", "tinyint(1)");
    check_format("INT(11) UNSIGNED ZEROFILL", "int(11) unsigned");
    check_format("bigint unsigned", "bigint unsigned");
    check_format("serial", "bigint unsigned");
    check_format("Numeric", "decimal(10,0)");
    check_format("decimal(18,4)", "decimal(18,4)");
    check_format("DECIMAL(5,2) UNSIGNED", "decimal(5,2) unsigned");
    check_format("real", "double");
    check_format("float(30)", "double");
    check_format("double(10,2)", "double(10,2)");
    check_format("char", "char(1)");
    check_format("Character Varying(12) COLLATE utf8mb4_bin", "varchar(12)");
    check_format("text(10)", "tinytext");
    check_format("longblob", "longblob");
    check_format("varbinary(3)", "varbinary(3)");
    check_format("time(3)", "time(3)");
    check_format("DATETIME(6)", "datetime(6)");
    check_format("timestamp(0)", "timestamp");
    check_format("year(4)", "year");
    check_format("JSON", "json");
    check_format("bit", "bit(1)");
    check_format("enum('a', 'it''s', 'back\\\\slash', \"dq\")",
                 "enum('a','it''s','back\\\\slash','dq')");
    check_format("set('x','y')", "set('x','y')");
}

TEST_MAIN()
