/* The whole binlog files of tests/fixtures/binlog/files/: framing matches MANIFEST.json (size,
 * event count, count per type), every event decodes (rows iterated, payloads opened) except at
 * the places the source suites made them fail, and `sluice binlog` prints each as changelog
 * lines with the values the manifest's notes assert. Part of test_binlog_fixtures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "operators/mysql/binlog_file.h"
#include "operators/mysql/binlog_print.h"
#include "tests/harness/test.h"
#include "tests/unit/mysql/fixture_canon.h"
#include "tests/unit/mysql/fixture_load.h"

/* Files the source test suites expect a reader to refuse, and where. */
static const struct {
    const char *file;
    unsigned long long offset;
    bool framing; /* the file ends inside an event (else an event's bytes are bad) */
    const char *message;
} refused[] = {
    {"binlog_truncated_event.000001", 4, true, "cut short"},
    {"binlog_truncated_prev_gtid_event.000001", 120, true, "cut short"},
    {"corrupt-relay-bin.000624", 91204, false, "status variables of 16949 bytes"},
    /* MySQL 5.2.2's experimental tree numbered events differently: its TABLE_MAP is type 16,
     * which every released server reads as an 8-byte XID. */
    {"ver_5_1-wl2325_r.001", 428, false, "XID_EVENT: body of 19 bytes"},
    {"ver_5_1-wl2325_s.001", 411, false, "PRE_GA_WRITE_ROWS_EVENT (20)"},
};

/* mysql-bin.sakila.gz: gzip of a binlog; the source test expects 1462 events after gunzip. */
#define SAKILA_EVENTS 1462

static int refused_index(const char *file)
{
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        if (strcmp(refused[i].file, file) == 0)
            return (int)i;
    }
    return -1;
}

/* Counts events per type by framing alone; *error_at = offset of a framing error or -1. */
static size_t frame_file(const char *path, size_t per_type[256], long long *error_at, rt_err *err)
{
    op_binlog_file *f;
    *error_at = -1;
    if (op_binlog_file_open(path, &f, err))
        return 0;
    size_t n = 0;
    for (;;) {
        const uint8_t *ev;
        size_t len;
        uint64_t off;
        bool eof;
        if (op_binlog_file_next(f, &ev, &len, &off, &eof, err)) {
            *error_at = (long long)op_binlog_file_offset(f);
            break;
        }
        if (eof)
            break;
        per_type[ev[4]]++;
        n++;
    }
    op_binlog_file_close(f);
    return n;
}

/* Decodes every event; returns the offset of the first error or -1. */
static long long decode_file(const char *path, rt_err *err)
{
    op_binlog_file *f;
    if (op_binlog_file_open(path, &f, err))
        return 0;
    op_binlog_decoder *d = op_binlog_decoder_new();
    op_mysql_row *before = op_mysql_row_new(), *after = op_mysql_row_new();
    long long bad = -1;
    for (;;) {
        const uint8_t *event;
        size_t len;
        uint64_t off = 0;
        bool eof;
        op_binlog_event ev;
        if (op_binlog_file_next(f, &event, &len, &off, &eof, err)) {
            bad = (long long)op_binlog_file_offset(f);
            break;
        }
        if (eof)
            break;
        int rc = op_binlog_decoder_decode(d, event, len, &ev, err);
        bool more = rc == 0;
        while (rc == 0 && more) {
            if (!ev.skipped && op_binlog_type_is_rows(ev.header.type) && ev.rows.table_map) {
                bool has = true;
                while (rc == 0 && has)
                    rc = op_rows_event_next(&ev.rows.ev, ev.rows.table_map, before, after, &has,
                                            err);
            }
            if (rc == 0 && (ev.in_payload || ev.header.type == OP_BINLOG_TRANSACTION_PAYLOAD_EVENT))
                rc = op_binlog_decoder_next_inner(d, &ev, &more, err);
            else
                more = false;
        }
        if (rc) {
            bad = (long long)off;
            break;
        }
    }
    op_mysql_row_free(before);
    op_mysql_row_free(after);
    op_binlog_decoder_free(d);
    op_binlog_file_close(f);
    return bad;
}

TEST(every_binlog_file_frames_and_decodes_as_the_manifest_says)
{
    char *dir = fixture_path("files");
    char *mpath = fixture_path("files/MANIFEST.json");
    json_t *manifest = json_load_file(mpath, 0, NULL);
    CHECK(json_array_size(manifest) >= 48);
    size_t checked = 0, refusals_seen = 0;
    for (size_t i = 0; i < json_array_size(manifest); i++) {
        const json_t *m = json_array_get(manifest, i);
        const char *file = json_string_value(json_object_get(m, "file"));
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, file);
        int failures = test_failures_now();
        struct stat st;
        CHECK(stat(path, &st) == 0);
        CHECK_INT_EQ(st.st_size, json_integer_value(json_object_get(m, "bytes")));
        size_t per_type[256] = {0};
        long long frame_error;
        rt_err err = {0};
        size_t n = frame_file(path, per_type, &frame_error, &err);
        const json_t *count = json_object_get(m, "event_count");
        if (json_is_integer(count))
            CHECK_INT_EQ(n, json_integer_value(count));
        else
            CHECK_INT_EQ(n, SAKILA_EVENTS);
        const char *k;
        json_t *v;
        size_t listed = 0;
        json_object_foreach((json_t *)json_object_get(m, "event_types"), k, v)
        {
            int t = canon_type_code(k);
            CHECK(t >= 0);
            if (t >= 0 && per_type[t] != (size_t)json_integer_value(v))
                test_fail(__FILE__, __LINE__, "%s: %zu events of type %s, manifest says %lld", file,
                          per_type[t], k, (long long)json_integer_value(v));
            listed += (size_t)json_integer_value(v);
        }
        if (json_is_integer(count))
            CHECK_INT_EQ(listed, n);
        long long bad = decode_file(path, &err);
        int r = refused_index(file);
        if (r < 0) {
            if (bad >= 0 || frame_error >= 0)
                test_fail(__FILE__, __LINE__, "%s does not decode: %s", file, err.msg);
        } else {
            refusals_seen++;
            CHECK_INT_EQ(bad, refused[r].offset);
            CHECK_INT_EQ(frame_error >= 0, refused[r].framing);
            CHECK_STR_CONTAINS(err.msg, refused[r].message);
        }
        if (test_failures_now() == failures)
            checked++;
        else
            printf("  file %s failed\n", file);
    }
    CHECK_INT_EQ(refusals_seen, sizeof refused / sizeof refused[0]);
    CHECK_INT_EQ(checked, json_array_size(manifest));
    printf("  binlog files asserted: %zu of %zu (%zu of them refused where their source "
           "suites refuse them)\n",
           checked, json_array_size(manifest), refusals_seen);
    json_decref(manifest);
    free(mpath);
    free(dir);
}

/* Runs `sluice binlog` on one file; returns its output (free it) or NULL. */
static char *print_file(const char *file, rt_err *err)
{
    char rel[512];
    snprintf(rel, sizeof rel, "files/%s", file);
    char *path = fixture_path(rel);
    char out_path[2048];
    snprintf(out_path, sizeof out_path, "%s/%s.jsonl", test_tmpdir(), file);
    FILE *out = fopen(out_path, "w");
    int rc = op_binlog_print_files(&path, 1, out, err);
    fclose(out);
    free(path);
    return rc ? NULL : test_read_file(out_path, NULL);
}

TEST(binlog_print_writes_changelog_lines_for_every_readable_file)
{
    char *dir = fixture_path("files");
    char **names = fixture_names(dir, "");
    size_t lines = 0;
    for (size_t i = 0; names[i]; i++) {
        if (strcmp(names[i], "MANIFEST.json") == 0 || refused_index(names[i]) >= 0)
            continue;
        rt_err err = {0};
        char *text = print_file(names[i], &err);
        if (!text) {
            test_fail(__FILE__, __LINE__, "%s: %s", names[i], err.msg);
            continue;
        }
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
            json_t *j = json_loads(line, JSON_ALLOW_NUL, NULL);
            const char *op = json_string_value(json_object_get(j, "op"));
            CHECK(op && (!strcmp(op, "+I") || !strcmp(op, "-U") || !strcmp(op, "+U") ||
                         !strcmp(op, "-D")));
            CHECK(json_is_string(json_object_get(j, "table")));
            CHECK(json_is_object(json_object_get(j, "data")));
            CHECK(strncmp(json_string_value(json_object_get(j, "pos")) ?: "", names[i],
                          strlen(names[i])) == 0);
            json_decref(j);
            lines++;
        }
        free(text);
    }
    CHECK(lines > 1000);
    fixture_names_free(names);
    free(dir);
}

/* The values the manifest's notes say each file asserts, as `sluice binlog` prints them. */
TEST(binlog_print_shows_the_values_the_manifest_notes_assert)
{
    static const struct {
        const char *file, *needle;
    } want[] = {
        {"minimal_row_metadata.000001",
         "{\"op\":\"+I\",\"table\":\"noria.t1\",\"data\":{\"@1\":1,\"@3\":\"a\",\"@5\":3230202323},"
         "\"pos\":\"minimal_row_metadata.000001:374\"}"},
        {"time_issue.000001", "\"data\":{\"@1\":\"-507:48:27.000000\"}"},
        {"mysql_type_bit.000001",
         "\"data\":{\"a\":4,\"b\":\"foo\",\"c\":32},\"pos\":\"mysql_type_bit.000001:927\","
         "\"gtid\":\"fbda2ad0-7c46-11ec-ae30-4ef7efc81a2a:3\"}"},
        {"mysql-enum-string-set.000001", "\"f3\":\"variant2\",\"f4\":\"two,four\""},
        {"mariadb-bin.000001",
         "\"table\":\"toddy_test.outbox\",\"data\":{\"id\":62,\"topic\":\"foo\",\"event_type\":"
         "\"JSON\""},
        {"mariadb-bin.000001", "\"gtid\":\"0-1-2\""},
        {"transaction_compression.000001",
         "{\"op\":\"+I\",\"table\":\"test.tb1\",\"data\":{\"@1\":1},\"pos\":"
         "\"transaction_compression.000001:274\"}"},
        {"binlog_transaction_with_GTID_TAG.000001", ":mytag:"},
        {"binlog-invisible-columns.000001", "\"f1\":"},
        {"json-opaque.binlog", "{\\\"c\\\": \\\"87:31:46.654321\\\"}"},
        {"json.binlog.000001", "[{\\\"op\\\": \\\"replace\\\", \\\"path\\\": \\\"$.age\\\", "
                               "\\\"value\\\": 26}]"},
        {"vector.binlog", "\"vector_column\":\"zcyMP83MDEAzM1NA\""},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        rt_err err = {0};
        char *text = print_file(want[i].file, &err);
        if (!text)
            test_fail(__FILE__, __LINE__, "%s: %s", want[i].file, err.msg);
        else
            CHECK_STR_CONTAINS(text, want[i].needle);
        free(text);
    }
}
