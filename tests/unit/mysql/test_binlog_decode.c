/* The binlog decoder on bad input: every prefix of real events and files gives a clean error
 * (run under ASan: never a read past the end), flipped bits fail the CRC32, unknown types are an
 * error naming the code unless flagged ignorable, and MariaDB's compressed events, heartbeats and
 * gzip'd files decode. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "operators/mysql/binlog_decode.h"
#include "operators/mysql/binlog_file.h"
#include "tests/harness/test.h"
#include "tests/unit/mysql/fixture_load.h"

/* A fixture's event bytes and its decoder with the fixture's context fed; NULL on failure. */
static uint8_t *load_event(const char *id, op_binlog_decoder **d, size_t *len)
{
    char rel[256];
    snprintf(rel, sizeof rel, "events/%s.json", id);
    char *path = fixture_path(rel);
    json_t *fx = json_load_file(path, 0, NULL);
    free(path);
    const char *hex = json_string_value(json_object_get(fx, "hex"));
    const char *checksum = json_string_value(json_object_get(fx, "checksum"));
    const char *server = json_string_value(json_object_get(fx, "server"));
    uint8_t *b = hex ? fixture_unhex(hex, len) : NULL;
    *d = op_binlog_decoder_new();
    op_binlog_format f;
    op_binlog_format_init_default(&f, server && strstr(server, "mariadb"),
                                  checksum && !strcmp(checksum, "CRC32") ? OP_BINLOG_CHECKSUM_CRC32
                                                                         : OP_BINLOG_CHECKSUM_OFF);
    op_binlog_decoder_set_format(*d, &f);
    rt_err err = {0};
    CHECK_OK(fixture_feed_context(*d, json_object_get(fx, "context"), &err), &err);
    CHECK(b != NULL);
    json_decref(fx);
    return b;
}

/* Decodes an event the way a reader does: then every row, every inner payload event. */
static int decode_all(op_binlog_decoder *d, const uint8_t *event, size_t len, rt_err *err)
{
    op_binlog_event ev;
    int rc = op_binlog_decoder_decode(d, event, len, &ev, err);
    op_mysql_row *before = op_mysql_row_new(), *after = op_mysql_row_new();
    bool more = rc == 0;
    while (rc == 0 && more) {
        if (!ev.skipped && op_binlog_type_is_rows(ev.header.type) && ev.rows.table_map) {
            bool has = true;
            while (rc == 0 && has)
                rc = op_rows_event_next(&ev.rows.ev, ev.rows.table_map, before, after, &has, err);
        }
        if (rc == 0 && (ev.in_payload || ev.header.type == OP_BINLOG_TRANSACTION_PAYLOAD_EVENT))
            rc = op_binlog_decoder_next_inner(d, &ev, &more, err);
        else
            more = false;
    }
    op_mysql_row_free(before);
    op_mysql_row_free(after);
    return rc;
}

static const char *const sample_events[] = {
    "gomysql-full-event-mysql57-1-format_description",
    "mysql80-table-map-char-varchar-enum-set-full-metadata",
    "mysql80-write-rows-v2-char-varchar-enum-set",
    "mysql80-update-rows-v2-char-varchar-enum-set",
    "mysql80-gtid-log-event",
    "mysql96-gtid-tagged-log-event",
    "mysql96-previous-gtids-tagged",
    "mysql80-transaction-payload-zstd",
    "mysql90-write-rows-v2-json-opaque-7",
    "mysql90-write-rows-v2-vector",
    "mysql80-write-rows-v2-time2-negative",
    "mariadb105-table-map-full-metadata",
    "mariadb105-write-rows-v1",
    "mysql51-update-rows-v1",
};

static bool clean_error(int rc, const rt_err *err)
{
    return (rc == RT_ECORRUPT || rc == RT_EUNSUPPORTED) && err->msg[0] != '\0';
}

TEST(every_prefix_of_an_event_is_a_clean_error)
{
    for (size_t i = 0; i < sizeof sample_events / sizeof sample_events[0]; i++) {
        op_binlog_decoder *d;
        size_t len;
        uint8_t *b = load_event(sample_events[i], &d, &len);
        for (size_t n = 0; b && n < len; n++) {
            /* exactly n bytes, so ASan sees any read past them */
            uint8_t *cut = malloc(n ? n : 1);
            memcpy(cut, b, n);
            rt_err err = {0};
            int rc = decode_all(d, cut, n, &err);
            if (!clean_error(rc, &err))
                test_fail(__FILE__, __LINE__, "%s cut at %zu: rc %d '%s'", sample_events[i], n, rc,
                          err.msg);
            free(cut);
        }
        rt_err err = {0};
        CHECK_OK(decode_all(d, b, len, &err), &err);
        op_binlog_decoder_free(d);
        free(b);
    }
}

/* The header says the event is shorter and the CRC fits: each body decoder meets a body cut at
 * every length. Some cuts are events in their own right (a shorter statement); the rest must
 * be refused cleanly, and none may read past the bytes. */
TEST(every_prefix_of_an_event_body_is_refused_or_decoded_within_bounds)
{
    for (size_t i = 0; i < sizeof sample_events / sizeof sample_events[0]; i++) {
        op_binlog_decoder *d;
        size_t len;
        uint8_t *b = load_event(sample_events[i], &d, &len);
        bool crc = op_binlog_decoder_format(d)->checksum_alg == OP_BINLOG_CHECKSUM_CRC32 ||
                   b[4] == OP_BINLOG_FORMAT_DESCRIPTION_EVENT;
        size_t tail = crc ? 4 : 0, refused = 0, body = len - OP_BINLOG_HEADER_SIZE - tail;
        for (size_t k = 0; b && k < body; k++) {
            size_t n = OP_BINLOG_HEADER_SIZE + k + tail;
            uint8_t *e = malloc(n);
            memcpy(e, b, OP_BINLOG_HEADER_SIZE + k);
            for (int j = 0; j < 4; j++)
                e[9 + j] = (uint8_t)(n >> (8 * j));
            if (crc) {
                uint32_t c = (uint32_t)crc32(0, e, (uInt)(n - 4));
                for (int j = 0; j < 4; j++)
                    e[n - 4 + j] = (uint8_t)(c >> (8 * j));
            }
            rt_err err = {0};
            int rc = decode_all(d, e, n, &err);
            if (rc != 0 && !clean_error(rc, &err))
                test_fail(__FILE__, __LINE__, "%s body cut at %zu: rc %d '%s'", sample_events[i], k,
                          rc, err.msg);
            refused += rc != 0;
            free(e);
            /* a cut FDE replaced the decoder's format: restore the fixture's state */
            if (b[4] == OP_BINLOG_FORMAT_DESCRIPTION_EVENT) {
                op_binlog_decoder_free(d);
                free(load_event(sample_events[i], &d, &len));
            }
        }
        CHECK(refused > body / 2);
        op_binlog_decoder_free(d);
        free(b);
    }
}

/* Cutting a whole file anywhere: a clean error unless the cut falls between two events. */
TEST(every_prefix_of_a_binlog_file_is_read_to_a_clean_end)
{
    char *path = fixture_path("files/mysql-enum-string-set.000001");
    size_t flen;
    uint8_t *file = (uint8_t *)test_read_file(path, &flen);
    CHECK(file != NULL);
    size_t boundaries = 0;
    for (size_t n = 0; file && n <= flen; n++) {
        uint8_t *cut = malloc(n ? n : 1);
        memcpy(cut, file, n);
        op_binlog_file *f = NULL;
        rt_err err = {0};
        int rc = op_binlog_file_open_mem(cut, n, "cut", &f, &err);
        op_binlog_decoder *d = op_binlog_decoder_new();
        while (rc == 0) {
            const uint8_t *ev;
            size_t len;
            uint64_t off;
            bool eof;
            rc = op_binlog_file_next(f, &ev, &len, &off, &eof, &err);
            if (rc || eof)
                break;
            rc = decode_all(d, ev, len, &err);
        }
        if (rc == 0)
            boundaries++;
        else if (!clean_error(rc, &err))
            test_fail(__FILE__, __LINE__, "cut at %zu: rc %d '%s'", n, rc, err.msg);
        op_binlog_decoder_free(d);
        op_binlog_file_close(f);
        free(cut);
    }
    CHECK_INT_EQ(boundaries, 21 + 1); /* after the magic, and after each of the 21 events */
    free(file);
    free(path);
}

TEST(a_flipped_bit_fails_the_crc32)
{
    op_binlog_decoder *d;
    size_t len;
    uint8_t *b = load_event("mysql80-write-rows-v2-char-varchar-enum-set", &d, &len);
    size_t flips = 0;
    for (size_t i = 0; b && i < len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            b[i] ^= (uint8_t)(1 << bit);
            rt_err err = {0};
            int rc = decode_all(d, b, len, &err);
            CHECK_INT_EQ(rc, RT_ECORRUPT);
            flips += strstr(err.msg, "CRC32 mismatch") != NULL;
            b[i] ^= (uint8_t)(1 << bit);
        }
    }
    /* all but the flips of the size field, which fail the framing first */
    CHECK_INT_EQ(flips, (len - 4) * 8);
    rt_err err = {0};
    CHECK_OK(decode_all(d, b, len, &err), &err);
    op_binlog_decoder_free(d);
    free(b);
}

TEST(a_file_fde_verifies_with_the_in_use_flag_either_way)
{
    char *path = fixture_path("files/json.binlog.000001");
    size_t flen;
    uint8_t *file = (uint8_t *)test_read_file(path, &flen);
    const uint8_t *fde = file + 4;
    size_t len = fde[9] | fde[10] << 8;
    CHECK(fde[17] & OP_BINLOG_F_BINLOG_IN_USE); /* the file was not closed: CRC without it */
    CHECK(op_binlog_checksum_ok(fde, len));
    uint8_t *copy = malloc(len);
    memcpy(copy, fde, len);
    copy[17] &= (uint8_t)~OP_BINLOG_F_BINLOG_IN_USE; /* as a server re-sends it on the wire */
    CHECK(op_binlog_checksum_ok(copy, len));
    copy[30] ^= 1;
    CHECK(!op_binlog_checksum_ok(copy, len));
    op_binlog_decoder *d = op_binlog_decoder_new();
    rt_err err = {0};
    CHECK_INT_EQ(decode_all(d, copy, len, &err), RT_ECORRUPT);
    CHECK_STR_CONTAINS(err.msg, "FORMAT_DESCRIPTION_EVENT: CRC32 mismatch");
    CHECK_OK(decode_all(d, fde, len, &err), &err);
    CHECK_INT_EQ(op_binlog_decoder_format(d)->checksum_alg, OP_BINLOG_CHECKSUM_CRC32);
    CHECK_STR_EQ(op_binlog_decoder_format(d)->server_version, "8.0.22");
    op_binlog_decoder_free(d);
    free(copy);
    free(file);
    free(path);
}

TEST(an_unknown_event_type_is_an_error_unless_ignorable)
{
    static const uint8_t body[] = {1, 2, 3};
    op_binlog_decoder *d = op_binlog_decoder_new();
    for (unsigned type = 43; type < 256; type++) {
        if (op_binlog_type_name(type))
            continue;
        size_t n;
        uint8_t *e = fixture_wrap_body(type, body, sizeof body, &n);
        op_binlog_event ev;
        rt_err err = {0};
        CHECK_INT_EQ(op_binlog_decoder_decode(d, e, n, &ev, &err), RT_EUNSUPPORTED);
        char want[64];
        snprintf(want, sizeof want, "unknown binlog event type %u", type);
        CHECK_STR_CONTAINS(err.msg, want);
        e[17] = OP_BINLOG_F_IGNORABLE;
        CHECK_OK(op_binlog_decoder_decode(d, e, n, &ev, &err), &err);
        CHECK(ev.skipped);
        free(e);
    }
    size_t n;
    uint8_t *e = fixture_wrap_body(OP_BINLOG_START_ENCRYPTION_EVENT, body, sizeof body, &n);
    op_binlog_event ev;
    rt_err err = {0};
    CHECK_INT_EQ(op_binlog_decoder_decode(d, e, n, &ev, &err), RT_EUNSUPPORTED);
    CHECK_STR_CONTAINS(err.msg, "encrypted");
    free(e);
    op_binlog_decoder_free(d);
}

/* MariaDB's compressed form (notes 4.5): 0x80|n, n bytes big-endian length, zlib stream. */
static void append_compressed(rt_buf *b, const void *data, size_t len)
{
    uLongf clen = compressBound((uLong)len);
    uint8_t *z = malloc(clen);
    compress(z, &clen, data, (uLong)len);
    rt_buf_append_char(b, (char)0x82);
    rt_buf_append_char(b, (char)(len >> 8));
    rt_buf_append_char(b, (char)len);
    rt_buf_append(b, z, clen);
    free(z);
}

TEST(mariadb_compressed_query_and_rows_decode)
{
    op_binlog_decoder *d = op_binlog_decoder_new();
    op_binlog_format f;
    op_binlog_format_init_default(&f, true, OP_BINLOG_CHECKSUM_OFF);
    op_binlog_decoder_set_format(d, &f);
    static const char sql[] = "INSERT INTO t VALUES (1, 'compressed statement text')";
    rt_buf b;
    rt_buf_init(&b);
    static const uint8_t qph[13] = {7, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0};
    rt_buf_append(&b, qph, sizeof qph);
    rt_buf_append(&b, "db", 3);
    append_compressed(&b, sql, strlen(sql));
    size_t n;
    uint8_t *e = fixture_wrap_body(OP_BINLOG_QUERY_COMPRESSED_EVENT, (uint8_t *)b.data, b.len, &n);
    op_binlog_event ev;
    rt_err err = {0};
    CHECK_OK(op_binlog_decoder_decode(d, e, n, &ev, &err), &err);
    CHECK_INT_EQ(ev.query.sql_len, strlen(sql));
    CHECK(memcmp(ev.query.sql, sql, strlen(sql)) == 0);
    CHECK_INT_EQ(ev.query.db_len, 2);
    e[n - 1] ^= 0xff; /* the adler32 of the stream */
    CHECK_INT_EQ(op_binlog_decoder_decode(d, e, n, &ev, &err), RT_ECORRUPT);
    free(e);
    /* TABLE_MAP id 5, (INT, VARCHAR(10)), then a compressed WRITE_ROWS_V1 of two rows */
    static const uint8_t tm[] = {5, 0, 0,   0, 0, 0, 1,  0, 2,  'd', 'b',
                                 0, 1, 't', 0, 2, 3, 15, 2, 10, 0,   3};
    e = fixture_wrap_body(OP_BINLOG_TABLE_MAP_EVENT, tm, sizeof tm, &n);
    CHECK_OK(op_binlog_decoder_decode(d, e, n, &ev, &err), &err);
    free(e);
    static const uint8_t rows[] = {0xfc, 42, 0, 0, 0, 2, 'h', 'i', 0xfe, 0xff, 0xff, 0xff, 0xff};
    rt_buf_reset(&b);
    static const uint8_t rph[] = {5, 0, 0, 0, 0, 0, 1, 0, 2, 0x03};
    rt_buf_append(&b, rph, sizeof rph);
    append_compressed(&b, rows, sizeof rows);
    e = fixture_wrap_body(OP_BINLOG_WRITE_ROWS_COMPRESSED_EVENT_V1, (uint8_t *)b.data, b.len, &n);
    CHECK_OK(op_binlog_decoder_decode(d, e, n, &ev, &err), &err);
    op_mysql_row *r = op_mysql_row_new();
    bool has;
    CHECK_OK(op_rows_event_next(&ev.rows.ev, ev.rows.table_map, NULL, r, &has, &err), &err);
    CHECK(has);
    CHECK_INT_EQ(op_mysql_row_cell(r, 0)->value.i, 42);
    CHECK_INT_EQ(op_mysql_row_cell(r, 1)->value.s.len, 2);
    CHECK_OK(op_rows_event_next(&ev.rows.ev, ev.rows.table_map, NULL, r, &has, &err), &err);
    CHECK(has);
    CHECK_INT_EQ(op_mysql_row_cell(r, 0)->value.i, -1);
    CHECK(op_mysql_row_cell(r, 1)->is_null);
    CHECK_OK(op_rows_event_next(&ev.rows.ev, ev.rows.table_map, NULL, r, &has, &err), &err);
    CHECK(!has);
    /* a declared length that the stream does not reach */
    b.data[sizeof rph + 2] = 0x7f;
    free(e);
    e = fixture_wrap_body(OP_BINLOG_WRITE_ROWS_COMPRESSED_EVENT_V1, (uint8_t *)b.data, b.len, &n);
    CHECK_INT_EQ(op_binlog_decoder_decode(d, e, n, &ev, &err), RT_ECORRUPT);
    free(e);
    op_mysql_row_free(r);
    rt_buf_fini(&b);
    op_binlog_decoder_free(d);
}

TEST(heartbeats_give_the_position)
{
    op_binlog_decoder *d = op_binlog_decoder_new();
    static const char name[] = "mysql-bin.000042";
    size_t n;
    uint8_t *e =
        fixture_wrap_body(OP_BINLOG_HEARTBEAT_LOG_EVENT, (const uint8_t *)name, strlen(name), &n);
    e[13] = 0x10, e[14] = 0x27; /* log_pos 10000 */
    op_binlog_event ev;
    rt_err err = {0};
    CHECK_OK(op_binlog_decoder_decode(d, e, n, &ev, &err), &err);
    CHECK_INT_EQ(ev.heartbeat.log_pos, 10000);
    CHECK_INT_EQ(ev.heartbeat.log_name_len, strlen(name));
    free(e);
    /* v2 with a position past 4 GiB */
    static const uint8_t v2[] = {1, 3, 'b', '.', '1', 2, 9, 0xfe, 0, 0, 0, 0, 1, 0, 0, 0, 0};
    e = fixture_wrap_body(OP_BINLOG_HEARTBEAT_LOG_EVENT_V2, v2, sizeof v2, &n);
    CHECK_OK(op_binlog_decoder_decode(d, e, n, &ev, &err), &err);
    CHECK_UINT_EQ(ev.heartbeat.log_pos, UINT64_C(1) << 32);
    CHECK_INT_EQ(ev.heartbeat.log_name_len, 3);
    free(e);
    op_binlog_decoder_free(d);
}

TEST(binlog_files_plain_gzip_and_not_a_binlog)
{
    char *path = fixture_path("files/mysql_type_bit.000001");
    size_t flen;
    char *file = test_read_file(path, &flen);
    char gz[1024];
    snprintf(gz, sizeof gz, "%s/bit.000001.gz", test_tmpdir());
    gzFile g = gzopen(gz, "wb");
    gzwrite(g, file, (unsigned)flen);
    gzclose(g);
    size_t counts[2] = {0, 0};
    const char *paths[2] = {path, gz};
    for (int i = 0; i < 2; i++) {
        op_binlog_file *f;
        rt_err err = {0};
        CHECK_OK(op_binlog_file_open(paths[i], &f, &err), &err);
        for (;;) {
            const uint8_t *ev;
            size_t len;
            uint64_t off;
            bool eof;
            CHECK_OK(op_binlog_file_next(f, &ev, &len, &off, &eof, &err), &err);
            if (eof || err.code)
                break;
            CHECK(memcmp(ev, file + off, len) == 0);
            counts[i]++;
        }
        op_binlog_file_close(f);
    }
    CHECK_INT_EQ(counts[0], 11);
    CHECK_INT_EQ(counts[1], 11);
    op_binlog_file *f;
    rt_err err = {0};
    char *manifest = fixture_path("files/MANIFEST.json");
    CHECK_INT_EQ(op_binlog_file_open(manifest, &f, &err), RT_ECORRUPT);
    CHECK_STR_CONTAINS(err.msg, "not a binlog file");
    CHECK_INT_EQ(op_binlog_file_open("/nonexistent/binlog.000001", &f, &err), RT_EIO);
    free(manifest);
    free(file);
    free(path);
}

TEST_MAIN()
