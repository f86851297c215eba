/* Every binlog fixture of tests/fixtures/binlog/ (events/, values/, files/) decoded and compared
 * with what it says a decoder must produce. A fixture that does not decode fails the test; the
 * few whose "expected" this decoder deliberately answers otherwise are listed in `deviations`
 * with the reason and asserted in their own way. The whole files are fixture_files.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "operators/mysql/binlog_file.h"
#include "operators/mysql/binlog_print.h"
#include "tests/harness/test.h"
#include "tests/unit/mysql/fixture_canon.h"
#include "tests/unit/mysql/fixture_load.h"

/* Fixtures whose expected value this decoder answers differently on purpose, or whose bytes
 * cannot all decode; each is asserted in its own way, below. */
static const struct {
    const char *id;
    const char *json_text; /* our text of the @1 JSON document, asserted instead */
    const char *reason;
} deviations[] = {
    {"mysql90-write-rows-v2-json-opaque-5", "{\"d\": 123.456}",
     "MySQL prints an opaque DECIMAL inside a JSON document as a number; rust_mysql_common, the "
     "source of the expectation, gives the digits as a string"},
    {"mysql90-write-rows-v2-json-opaque-6", "{\"e\": 9.00}", "same as opaque-5"},
    {"gomysql-full-event-mysql57-5-write_rows", NULL,
     "its rows hold two 4-byte LONGs but the TABLE_MAP before it (fixture 4, table id 0x76) "
     "declares one TINY column; go-mysql's test parses only headers. Asserted: header, CRC and "
     "the row event's own fields decode, and the rows are refused cleanly"},
};

/* ENUM/SET member names that the source tests' DDL implies and their TABLE_MAPs (MySQL 5.7, no
 * optional metadata) do not carry, given to the decoder as a schema would be
 * (op_table_map_set_labels): member k is the decimal text of k - 1 + first. */
static const struct {
    const char *id;
    size_t column;
    unsigned first, count;
} label_overlays[] = {
    /* TestEnum: "INSERT value '0' is the first member" */
    {"gomysql-write-rows-v2-enum-1byte", 1, 0, 255},
    /* TestMultiBytesEnum: members '0'..'257', 2-byte storage */
    {"gomysql-write-rows-v2-enum-2byte", 1, 0, 258},
    /* TestSet: '1,3' sets bits 0 and 2 */
    {"gomysql-write-rows-v2-set", 1, 1, 24},
};

static void overlay_labels(op_binlog_decoder *d, const char *id, const json_t *context)
{
    for (size_t i = 0; i < sizeof label_overlays / sizeof label_overlays[0]; i++) {
        if (strcmp(label_overlays[i].id, id) != 0)
            continue;
        size_t len;
        uint8_t *b =
            fixture_unhex(json_string_value(json_object_get(context, "table_map_body_hex")), &len);
        uint64_t table_id = 0;
        for (int k = 5; b && len >= 6 && k >= 0; k--)
            table_id = table_id << 8 | b[k];
        free(b);
        op_table_map *tm = op_binlog_decoder_table_map(d, table_id);
        char *names[300];
        unsigned n = label_overlays[i].count;
        for (unsigned k = 0; k < n; k++) {
            char tmp[16];
            snprintf(tmp, sizeof tmp, "%u", k + label_overlays[i].first);
            names[k] = strdup(tmp);
        }
        rt_err err = {0};
        CHECK(tm != NULL);
        if (tm)
            CHECK_OK(op_table_map_set_labels(tm, label_overlays[i].column,
                                             (const char *const *)names, n, &err),
                     &err);
        for (unsigned k = 0; k < n; k++)
            free(names[k]);
    }
}

static int events_checked, values_checked;

static int deviation_of(const char *id)
{
    for (size_t i = 0; i < sizeof deviations / sizeof deviations[0]; i++) {
        if (strcmp(deviations[i].id, id) == 0)
            return (int)i;
    }
    return -1;
}

static void check_match(const char *id, const char *what, const json_t *expected,
                        const json_t *actual)
{
    char why[1024];
    if (!canon_match(expected, actual, why, sizeof why))
        test_fail(__FILE__, __LINE__, "%s%s: %s", id, what, why);
}

/* go-mysql's TestRowsEventDecodeFunc parses the five mysql57 full events in order through one
 * parser: a row event there uses the TABLE_MAP before it. Replays siblings 1..k-1. */
static void feed_siblings(op_binlog_decoder *d, const char *id, const char *dir)
{
    const char *prefix = "gomysql-full-event-mysql57-";
    size_t pl = strlen(prefix);
    if (strncmp(id, prefix, pl) != 0)
        return;
    int k = atoi(id + pl);
    char **names = fixture_names(dir, ".json");
    for (size_t i = 0; names[i]; i++) {
        if (strncmp(names[i], prefix, pl) != 0 || atoi(names[i] + pl) >= k)
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        json_t *fx = json_load_file(path, 0, NULL);
        size_t len;
        uint8_t *b = fixture_unhex(json_string_value(json_object_get(fx, "hex")), &len);
        op_binlog_event ev;
        rt_err err = {0};
        if (!b || op_binlog_decoder_decode(d, b, len, &ev, &err))
            test_fail(__FILE__, __LINE__, "%s: sibling %s: %s", id, names[i], err.msg);
        free(b);
        json_decref(fx);
    }
    fixture_names_free(names);
}

static op_binlog_decoder *decoder_for(const char *server, const char *checksum)
{
    op_binlog_decoder *d = op_binlog_decoder_new();
    op_binlog_format f;
    bool mariadb = server && strcasestr(server, "mariadb") != NULL;
    op_binlog_format_init_default(&f, mariadb,
                                  checksum && strcmp(checksum, "CRC32") == 0
                                      ? OP_BINLOG_CHECKSUM_CRC32
                                      : OP_BINLOG_CHECKSUM_OFF);
    op_binlog_decoder_set_format(d, &f);
    return d;
}

/* A TABLE_MAP body for the column types and metadata values a row_image fixture lists. */
static op_table_map *synthetic_map(const json_t *types, const json_t *metas, rt_err *err)
{
    rt_buf b;
    rt_buf_init(&b);
    size_t n = json_array_size(types);
    /* table id 1, flags 0, schema "db", table "t" */
    static const uint8_t head[] = {1, 0, 0, 0, 0, 0, 0, 0, 2, 'd', 'b', 0, 1, 't', 0};
    rt_buf_append(&b, head, sizeof head);
    rt_buf_append_char(&b, (char)n);
    for (size_t i = 0; i < n; i++)
        rt_buf_append_char(&b, (char)json_integer_value(json_array_get(types, i)));
    rt_buf meta;
    rt_buf_init(&meta);
    for (size_t i = 0; i < n; i++) {
        unsigned t = (unsigned)json_integer_value(json_array_get(types, i));
        json_int_t m = json_integer_value(json_array_get(metas, i));
        for (int k = 0; k < op_mysql_type_meta_size(t); k++)
            rt_buf_append_char(&meta, (char)(m >> (8 * k)));
    }
    rt_buf_append_char(&b, (char)meta.len);
    rt_buf_append(&b, meta.data, meta.len);
    for (size_t i = 0; i < (n + 7) / 8; i++)
        rt_buf_append_char(&b, (char)0xff);
    op_binlog_format f;
    op_binlog_format_init_default(&f, false, OP_BINLOG_CHECKSUM_OFF);
    op_table_map *tm = NULL;
    op_table_map_parse((const uint8_t *)b.data, b.len, &f, &tm, err);
    rt_buf_fini(&b);
    rt_buf_fini(&meta);
    return tm;
}

static void run_row_image(const char *id, const json_t *fx)
{
    const json_t *ctx = json_object_get(fx, "context");
    rt_err err = {0};
    op_table_map *tm = synthetic_map(json_object_get(ctx, "column_types"),
                                     json_object_get(ctx, "column_meta"), &err);
    size_t len, plen;
    uint8_t *b = fixture_unhex(json_string_value(json_object_get(fx, "hex")), &len);
    uint8_t *present =
        fixture_unhex(json_string_value(json_object_get(ctx, "columns_present_bitmap")), &plen);
    op_mysql_row *row = op_mysql_row_new();
    size_t used = 0;
    bool partial = fixture_type_code(json_string_value(json_object_get(fx, "event_type"))) ==
                   OP_BINLOG_PARTIAL_UPDATE_ROWS_EVENT;
    if (!tm || !b || !present ||
        op_mysql_row_decode(row, tm, op_table_map_column_count(tm), present, partial, b, len, &used,
                            &err)) {
        test_fail(__FILE__, __LINE__, "%s: %s", id, err.msg);
    } else {
        json_t *actual =
            json_pack("{s:b,s:o}", "consumes_all_bytes", used == len, "values", canon_row(row, tm));
        check_match(id, "", json_object_get(fx, "expected"), actual);
        json_decref(actual);
    }
    op_mysql_row_free(row);
    op_table_map_free(tm);
    free(b);
    free(present);
}

/* The expected value of case i: its own "expected", the i-th of expected.cases, or the
 * fixture's expected when it states what every case must give. */
static const json_t *case_expected(const json_t *fx, const json_t *c, size_t i)
{
    const json_t *e = json_object_get(c, "expected");
    if (e)
        return e;
    const json_t *top = json_object_get(fx, "expected");
    if (json_is_array(json_object_get(top, "cases")))
        return json_array_get(json_object_get(top, "cases"), i);
    return json_is_object(top) ? top : NULL;
}

/* The event decodes (header, CRC, row-event fields, its TABLE_MAP found) and matches the
 * expected header facts, but its rows do not fit that map: a clean error, no value. */
static void check_rows_refused(op_binlog_decoder *d, const char *id, const json_t *fx,
                               const uint8_t *b, size_t len)
{
    op_binlog_event ev;
    rt_err err = {0};
    CHECK_OK(op_binlog_decoder_decode(d, b, len, &ev, &err), &err);
    const json_t *e = json_object_get(fx, "expected");
    CHECK_INT_EQ(ev.header.type, json_integer_value(json_object_get(e, "event_type")));
    CHECK_INT_EQ(ev.header.event_size, json_integer_value(json_object_get(e, "event_size")));
    CHECK_INT_EQ(op_binlog_checksum_ok(b, len), json_is_true(json_object_get(e, "crc32_valid")));
    CHECK(ev.rows.table_map != NULL);
    op_mysql_row *before = op_mysql_row_new(), *after = op_mysql_row_new();
    bool has = true;
    int rc = 0;
    while (rc == 0 && has)
        rc = op_rows_event_next(&ev.rows.ev, ev.rows.table_map, before, after, &has, &err);
    CHECK_INT_EQ(rc, RT_ECORRUPT);
    CHECK_STR_CONTAINS(err.msg, "TINY value: truncated");
    op_mysql_row_free(before);
    op_mysql_row_free(after);
    (void)id;
}

static void run_event_fixture(const char *dir, const char *name)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    json_error_t jerr;
    json_t *fx = json_load_file(path, 0, &jerr);
    if (!fx) {
        test_fail(__FILE__, __LINE__, "%s: %s", name, jerr.text);
        return;
    }
    const char *id = json_string_value(json_object_get(fx, "id"));
    const char *framing = json_string_value(json_object_get(fx, "framing"));
    const char *server = json_string_value(json_object_get(fx, "server"));
    const char *checksum = json_string_value(json_object_get(fx, "checksum"));
    int type = fixture_type_code(json_string_value(json_object_get(fx, "event_type")));
    const json_t *cases = json_object_get(fx, "cases");
    int failures = test_failures_now();
    CHECK(id && framing && type >= 0);
    if (!id || !framing || type < 0)
        goto out;
    if (strncmp(framing, "row_image", 9) == 0) {
        run_row_image(id, fx);
        goto out;
    }
    size_t ncases = cases ? json_array_size(cases) : 1;
    for (size_t i = 0; i < ncases; i++) {
        const json_t *c = cases ? json_array_get(cases, i) : fx;
        const char *case_server = json_string_value(json_object_get(c, "server"));
        op_binlog_decoder *d = decoder_for(case_server ? case_server : server, checksum);
        rt_err err = {0};
        feed_siblings(d, id, dir);
        if (fixture_feed_context(d, json_object_get(fx, "context"), &err))
            test_fail(__FILE__, __LINE__, "%s: context: %s", id, err.msg);
        overlay_labels(d, id, json_object_get(fx, "context"));
        size_t len;
        uint8_t *b = fixture_unhex(json_string_value(json_object_get(c, "hex")), &len);
        int dev = deviation_of(id);
        if (dev >= 0 && !deviations[dev].json_text) {
            check_rows_refused(d, id, fx, b, len);
            free(b);
            op_binlog_decoder_free(d);
            continue;
        }
        json_t *actual = b ? fixture_decode(d, framing, (unsigned)type, b, len, &err) : NULL;
        char what[32] = "";
        if (cases)
            snprintf(what, sizeof what, " case %zu", i);
        if (!actual) {
            test_fail(__FILE__, __LINE__, "%s%s: does not decode: %s", id, what, err.msg);
        } else if (deviation_of(id) >= 0) {
            const json_t *cell = json_object_get(
                json_object_get(json_array_get(json_object_get(actual, "rows"), 0), "after"), "@1");
            CHECK_STR_EQ(json_string_value(json_object_get(cell, "text")),
                         deviations[deviation_of(id)].json_text);
        } else {
            const json_t *e = case_expected(fx, c, i);
            if (e)
                check_match(id, what, e, actual);
            else if (!cases || json_object_size(c) <= 1)
                test_fail(__FILE__, __LINE__, "%s%s: nothing to compare with", id, what);
            /* Cases may state a field beside "hex" (previous-gtids: "gtid_set"). */
            const char *k;
            json_t *v;
            json_object_foreach((json_t *)(cases ? c : NULL), k, v)
            {
                if (strcmp(k, "hex") && strcmp(k, "server") && strcmp(k, "expected")) {
                    json_t *one = json_pack("{s:O}", k, v);
                    check_match(id, what, one, actual);
                    json_decref(one);
                }
            }
        }
        json_decref(actual);
        free(b);
        op_binlog_decoder_free(d);
    }
out:
    if (test_failures_now() == failures)
        events_checked++;
    json_decref(fx);
}

TEST(every_event_fixture_decodes_to_its_expected_value)
{
    char *dir = fixture_path("events");
    char **names = fixture_names(dir, ".json");
    size_t n = 0;
    for (; names[n]; n++)
        run_event_fixture(dir, names[n]);
    CHECK(n >= 72);
    CHECK_INT_EQ(events_checked, n);
    printf("  event fixtures asserted: %d of %zu\n", events_checked, n);
    fixture_names_free(names);
    free(dir);
}

/* One value vector: a column of the fixture's type, the bytes, and MySQL's text of the value
 * (or, for integers, the number). Trailing bytes the source test fed must stay unread. */
static void run_value_case(const char *id, int type, const json_t *c)
{
    op_mysql_column col;
    memset(&col, 0, sizeof col);
    if (json_object_get(c, "type"))
        type = (int)json_integer_value(json_object_get(c, "type"));
    col.type = col.real_type = (uint8_t)type;
    col.fsp = (uint8_t)json_integer_value(json_object_get(c, "fsp"));
    col.precision = (uint8_t)json_integer_value(json_object_get(c, "precision"));
    col.scale = (uint8_t)json_integer_value(json_object_get(c, "scale"));
    col.is_unsigned = json_is_true(json_object_get(c, "unsigned")) ? 1 : -1;
    if (json_object_get(c, "meta_uint16"))
        CHECK_INT_EQ(json_integer_value(json_object_get(c, "meta_uint16")),
                     col.precision << 8 | col.scale);
    const char *hex = json_string_value(json_object_get(c, "hex"));
    const char *trail = json_string_value(json_object_get(c, "trailing_bytes_in_test_input_hex"));
    char all[512];
    snprintf(all, sizeof all, "%s%s", hex ? hex : "", trail ? trail : "");
    size_t len, used = 0;
    uint8_t *b = fixture_unhex(all, &len);
    rt_buf text;
    rt_buf_init(&text);
    op_mysql_cell cell;
    rt_err err = {0};
    if (!b || op_mysql_value_decode(&col, b, len, &cell, &used, &text, &err)) {
        test_fail(__FILE__, __LINE__, "%s %s: %s", id, all, err.msg);
    } else {
        const json_t *e = json_object_get(c, "expected");
        json_t *actual = json_is_string(e) && col.is_unsigned != 1 ? NULL : canon_cell(&cell, &col);
        if (!actual) {
            rt_buf t;
            rt_buf_init(&t);
            op_mysql_cell_format_text(&cell, &col, &t);
            actual = json_stringn(t.data ? t.data : "", t.len);
            rt_buf_fini(&t);
        }
        check_match(id, all, e, actual);
        json_decref(actual);
        CHECK_INT_EQ(used, strlen(hex) / 2);
        if (json_object_get(c, "bytes_consumed"))
            CHECK_INT_EQ(used, json_integer_value(json_object_get(c, "bytes_consumed")));
    }
    rt_buf_fini(&text);
    free(b);
}

TEST(every_value_fixture_decodes_to_its_expected_text)
{
    char *dir = fixture_path("values");
    char **names = fixture_names(dir, ".json");
    size_t n = 0;
    for (; names[n]; n++) {
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, names[n]);
        json_t *fx = json_load_file(path, 0, NULL);
        const char *id = json_string_value(json_object_get(fx, "id"));
        int type = fixture_type_code(json_string_value(json_object_get(fx, "event_type")));
        const json_t *cases = json_object_get(fx, "cases");
        int failures = test_failures_now();
        CHECK(id && json_array_size(cases) > 0);
        for (size_t i = 0; id && i < json_array_size(cases); i++)
            run_value_case(id, type, json_array_get(cases, i));
        if (id && json_array_size(cases) > 0 && test_failures_now() == failures)
            values_checked++;
        json_decref(fx);
    }
    CHECK(n >= 5);
    CHECK_INT_EQ(values_checked, n);
    printf("  value fixtures asserted: %d of %zu\n", values_checked, n);
    fixture_names_free(names);
    free(dir);
}

TEST_MAIN()
