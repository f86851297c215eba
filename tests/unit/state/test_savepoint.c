/* Tests of savepoint directories (st_backend_export / st_backend_import in state/savepoint.c):
 * round trips of binary state, and strict rejection of damaged or foreign files. */
#include "state/backend.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/harness/test.h"

static const char *path_in_tmp(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", test_tmpdir(), name);
    return out;
}

static st_backend *open_dir(const char *name)
{
    char dir[512];
    st_backend *b = NULL;
    rt_err err;
    rt_err_clear(&err);
    CHECK_OK(st_backend_open(path_in_tmp(dir, sizeof dir, name), &b, &err), &err);
    return b;
}

static uint64_t next_id(st_backend *b)
{
    uint64_t id = 0;
    rt_err err;
    CHECK_OK(st_backend_next_id(b, &id, &err), &err);
    return id;
}

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK_UINT_EQ(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* Binary values: every byte value, NULs inside, and each base64 padding case. */
#define VALUES 6
static size_t make_value(int i, char *out)
{
    static const size_t lens[VALUES] = {0, 1, 2, 3, 256, 1000};
    for (size_t k = 0; k < lens[i]; k++)
        out[k] = (char)((k * 7 + (size_t)i) & 0xff);
    if (lens[i] > 2)
        out[1] = '\0';
    return lens[i];
}

static const char *keys[VALUES] = {"empty",     "one", "two", "we\"ird\\/\xce\xba",
                                   "pending/3", "next"};
static const char *meta_text = "{\"job\":\"j1\",\"sources\":[{\"pos\":42,\"gtid\":\"a:1-9\"}],"
                               "\"ratio\":0.1,\"ok\":true,\"none\":null}";

/* A backend with checkpoint 1 (plain) and savepoint-less checkpoint 2 holding binary values. */
static st_backend *make_source(const char *name)
{
    st_backend *b = open_dir(name);
    rt_err err;
    uint64_t one = next_id(b), two = next_id(b);
    st_writer *w = st_writer_new(b, one, "src", 0);
    uint64_t bytes;
    CHECK_OK(st_writer_put(w, "next", "1", 1, &err), &err);
    CHECK_OK(st_writer_commit(w, &bytes, &err), &err);
    st_writer_free(w);
    CHECK_OK(st_backend_complete(b, one, "{\"job\":\"j1\"}", false, 3, &err), &err);
    char val[1024];
    for (uint32_t s = 0; s < 2; s++) {
        w = st_writer_new(b, two, s ? "sink" : "src", s);
        for (int i = 0; i < VALUES; i++) {
            size_t len = make_value(i, val);
            CHECK_OK(st_writer_put(w, keys[i], val, len, &err), &err);
        }
        CHECK_OK(st_writer_commit(w, &bytes, &err), &err);
        st_writer_free(w);
    }
    CHECK_OK(st_backend_complete(b, two, meta_text, false, 3, &err), &err);
    return b;
}

static void check_values(st_backend *b, uint64_t id)
{
    rt_err err;
    char want[1024];
    for (uint32_t s = 0; s < 2; s++) {
        for (int i = 0; i < VALUES; i++) {
            char *val = NULL;
            size_t len = 0;
            size_t want_len = make_value(i, want);
            CHECK_OK(st_backend_get(b, id, s ? "sink" : "src", s, keys[i], &val, &len, &err), &err);
            CHECK_UINT_EQ(len, want_len);
            CHECK(val && memcmp(val, want, want_len) == 0 && val[len] == '\0');
            free(val);
        }
    }
    uint64_t entries = 0, bytes = 0;
    CHECK_OK(st_backend_state_size(b, id, &entries, &bytes, &err), &err);
    CHECK_UINT_EQ(entries, 2 * VALUES);
}

TEST(export_import_round_trip)
{
    st_backend *a = make_source("rt_a");
    rt_err err;
    char sp[512], file[600];
    path_in_tmp(sp, sizeof sp, "savepoints/new/sp-2");
    CHECK_OK(st_backend_export(a, 2, sp, &err), &err);
    snprintf(file, sizeof file, "%s/_metadata", sp);
    struct stat st;
    CHECK(stat(file, &st) == 0 && S_ISREG(st.st_mode));
    snprintf(file, sizeof file, "%s/_metadata.tmp", sp);
    CHECK(stat(file, &st) != 0);

    st_backend *b = open_dir("rt_b");
    uint64_t id = 0;
    CHECK_OK(st_backend_import(b, sp, &id, &err), &err);
    CHECK_UINT_EQ(id, 2);
    uint64_t latest = 0;
    CHECK_OK(st_backend_latest(b, &latest, &err), &err);
    CHECK_UINT_EQ(latest, 2);
    CHECK(st_backend_is_savepoint(b, 2));
    char *meta = NULL;
    CHECK_OK(st_backend_metadata(b, 2, &meta, &err), &err);
    CHECK_STR_EQ(meta, meta_text);
    free(meta);
    check_values(b, 2);
    CHECK_UINT_EQ(next_id(b), 3); /* the counter moved past the imported id */

    /* The imported savepoint outlives checkpoints pruned after it. */
    for (int i = 0; i < 3; i++) {
        uint64_t n = i == 0 ? 3 : next_id(b);
        CHECK_OK(st_backend_complete(b, n, "{}", false, 1, &err), &err);
    }
    check_values(b, 2);
    st_backend_close(b);

    /* And survives a restart, and can be exported again (as a savepoint now). */
    b = open_dir("rt_b");
    check_values(b, 2);
    char sp2[512];
    CHECK_OK(st_backend_export(b, 2, path_in_tmp(sp2, sizeof sp2, "sp-2-again"), &err), &err);
    st_backend_close(b);
    st_backend *c = open_dir("rt_c");
    CHECK_OK(st_backend_import(c, sp2, &id, &err), &err);
    check_values(c, 2);
    st_backend_close(c);
    st_backend_close(a);
}

TEST(export_refuses_what_it_cannot_write)
{
    st_backend *a = make_source("refuse_a");
    rt_err err;
    char sp[512];
    path_in_tmp(sp, sizeof sp, "refuse-sp");
    CHECK_OK(st_backend_export(a, 1, sp, &err), &err);
    CHECK_INT_EQ(st_backend_export(a, 2, sp, &err), RT_EEXIST); /* the directory exists */
    CHECK_STR_CONTAINS(err.msg, "already exists");
    char other[512];
    path_in_tmp(other, sizeof other, "refuse-sp-3");
    CHECK_INT_EQ(st_backend_export(a, 3, other, &err), RT_ENOTFOUND); /* never completed */
    struct stat st;
    CHECK(stat(other, &st) != 0);
    uint64_t id;
    path_in_tmp(other, sizeof other, "no-such-savepoint");
    CHECK_INT_EQ(st_backend_import(a, other, &id, &err), RT_ENOTFOUND);
    st_backend_close(a);
}

/* Imports the bytes data as a savepoint into b and expects RT_ECORRUPT and nothing changed. */
static void import_expect_corrupt(st_backend *b, const char *name, const char *data, size_t len,
                                  const char *why)
{
    char dir[512], file[600];
    path_in_tmp(dir, sizeof dir, name);
    mkdir(dir, 0755);
    snprintf(file, sizeof file, "%s/_metadata", dir);
    write_file(file, data, len);
    rt_err err;
    rt_err_clear(&err);
    uint64_t id = 12345;
    int rc = st_backend_import(b, dir, &id, &err);
    if (rc != RT_ECORRUPT)
        test_fail(__FILE__, __LINE__, "%s: import -> %d (%s), want RT_ECORRUPT", why, rc, err.msg);
    else
        CHECK_STR_CONTAINS(err.msg, file);
    CHECK_UINT_EQ(id, 12345);
}

static void check_unchanged(st_backend *b)
{
    rt_err err;
    uint64_t latest = 0;
    CHECK_INT_EQ(st_backend_latest(b, &latest, &err), RT_ENOTFOUND);
    uint64_t entries = 1, bytes = 1;
    CHECK_OK(st_backend_state_size(b, 2, &entries, &bytes, &err), &err);
    CHECK_UINT_EQ(entries, 0);
    uint64_t *ids = NULL;
    size_t count = 1;
    CHECK_OK(st_backend_list(b, &ids, &count, &err), &err);
    CHECK_UINT_EQ(count, 0);
    free(ids);
}

TEST(import_rejects_damaged_files)
{
    st_backend *a = make_source("damaged_a");
    rt_err err;
    char sp[512], file[600];
    path_in_tmp(sp, sizeof sp, "damaged-sp");
    CHECK_OK(st_backend_export(a, 2, sp, &err), &err);
    st_backend_close(a);
    snprintf(file, sizeof file, "%s/_metadata", sp);
    size_t len = 0;
    char *good = test_read_file(file, &len);
    CHECK(good != NULL && len > 100);
    if (!good)
        return;
    char *bad = malloc(len + 1);
    st_backend *b = open_dir("damaged_b");

    /* Truncated anywhere, down to nothing. */
    size_t cuts[] = {0, 1, 10, len / 3, len / 2, len - 40, len - 31, len - 2, len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++)
        import_expect_corrupt(b, "trunc", good, cuts[i], "truncated");
    /* Every single byte flipped, in two ways: JSON syntax, base64 text, numbers and the checksum
     * itself all count. */
    for (size_t i = 0; i < len; i++) {
        unsigned char masks[] = {0x01, 0x80};
        for (size_t m = 0; m < sizeof masks; m++) {
            memcpy(bad, good, len);
            bad[i] = (char)(bad[i] ^ masks[m]);
            char why[64];
            snprintf(why, sizeof why, "byte %zu ^ 0x%02x", i, masks[m]);
            import_expect_corrupt(b, "flip", bad, len, why);
        }
    }
    /* Another format version. */
    memcpy(bad, good, len);
    char *tag = strstr(bad, "sluice-savepoint-1");
    CHECK(tag != NULL);
    if (tag) {
        tag[strlen("sluice-savepoint-")] = '9';
        import_expect_corrupt(b, "tag", bad, len, "wrong tag");
        import_expect_corrupt(b, "tag", bad, len, "wrong tag");
    }
    import_expect_corrupt(b, "garbage", "\x89PNG\r\n", 6, "not JSON");
    import_expect_corrupt(b, "array", "[1,2,3]\n", 8, "not an object");
    const char *no_sum = "{\"format\":\"sluice-savepoint-1\",\"id\":2,\"savepoint\":false,"
                         "\"metadata\":{},\"state\":[]}\n";
    import_expect_corrupt(b, "no_sum", no_sum, strlen(no_sum), "no checksum");
    check_unchanged(b);

    /* The good file still imports after all that. */
    write_file(file, good, len);
    uint64_t id = 0;
    CHECK_OK(st_backend_import(b, sp, &id, &err), &err);
    check_values(b, 2);
    st_backend_close(b);
    free(bad);
    free(good);
}

TEST(import_onto_a_newer_latest_is_refused)
{
    st_backend *a = make_source("newer_a");
    rt_err err;
    char sp[512];
    path_in_tmp(sp, sizeof sp, "newer-sp");
    CHECK_OK(st_backend_export(a, 2, sp, &err), &err);
    st_backend_close(a);

    /* Equal id, then a newer one. */
    st_backend *b = open_dir("newer_b");
    uint64_t one = next_id(b), two = next_id(b);
    CHECK_OK(st_backend_complete(b, two, "{\"mine\":true}", false, 3, &err), &err);
    uint64_t id = 777;
    CHECK_INT_EQ(st_backend_import(b, sp, &id, &err), RT_EEXIST);
    CHECK_STR_CONTAINS(err.msg, "import savepoint 2");
    CHECK_UINT_EQ(id, 777);
    uint64_t three = next_id(b);
    CHECK_OK(st_backend_complete(b, three, "{}", false, 3, &err), &err);
    CHECK_INT_EQ(st_backend_import(b, sp, &id, &err), RT_EEXIST);
    char *meta = NULL;
    CHECK_OK(st_backend_metadata(b, two, &meta, &err), &err);
    CHECK_STR_EQ(meta, "{\"mine\":true}");
    free(meta);
    CHECK(!st_backend_is_savepoint(b, two));
    uint64_t latest = 0;
    CHECK_OK(st_backend_latest(b, &latest, &err), &err);
    CHECK_UINT_EQ(latest, three);
    (void)one;
    st_backend_close(b);
}

TEST(import_replaces_pending_state_of_the_same_id)
{
    st_backend *a = make_source("pending_a");
    rt_err err;
    char sp[512];
    path_in_tmp(sp, sizeof sp, "pending-sp");
    CHECK_OK(st_backend_export(a, 2, sp, &err), &err);
    st_backend_close(a);

    /* This backend handed out 1..5 and holds pending state under 2. */
    st_backend *b = open_dir("pending_b");
    for (int i = 0; i < 5; i++)
        next_id(b);
    st_writer *w = st_writer_new(b, 2, "src", 0);
    uint64_t bytes;
    CHECK_OK(st_writer_put(w, "stale", "x", 1, &err), &err);
    CHECK_OK(st_writer_commit(w, &bytes, &err), &err);
    st_writer_free(w);
    uint64_t id = 0;
    CHECK_OK(st_backend_import(b, sp, &id, &err), &err);
    CHECK_UINT_EQ(id, 2);
    char *val = NULL;
    size_t len;
    CHECK_INT_EQ(st_backend_get(b, 2, "src", 0, "stale", &val, &len, &err), RT_ENOTFOUND);
    check_values(b, 2);
    CHECK_UINT_EQ(next_id(b), 6); /* max(n, id) */
    st_backend_close(b);
}

TEST_MAIN()
