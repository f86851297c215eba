/* The file sink's part files: names and their parsing (no vertex claims another's files), the
 * pending-list record, idempotent commit, and the restore cleanup on prepared directories. */
#include "operators/basic/file_part.h"
#include "tests/harness/test.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/base/buf.h"

static void check_name(op_file_part_kind kind, const char *vertex, uint32_t subtask, uint64_t n,
                       const char *want)
{
    char name[160];
    rt_err err = {0};
    CHECK_OK(op_file_part_name(name, sizeof name, kind, vertex, subtask, n, &err), &err);
    CHECK_STR_EQ(name, want);
    op_file_part_kind k;
    uint64_t got = 99;
    CHECK(op_file_part_parse(name, vertex, subtask, &k, &got));
    CHECK_INT_EQ(k, kind);
    CHECK_UINT_EQ(got, kind == OP_FILE_PART_FINAL ? 0 : n);
}

TEST(names_round_trip)
{
    check_name(OP_FILE_PART_INPROGRESS, "sink", 0, 3, ".sink-0-3.inprogress");
    check_name(OP_FILE_PART_PENDING, "sink", 1, 42, ".part-sink-1-00000000000000000042.pending");
    check_name(OP_FILE_PART_COMMITTED, "sink", 1, 42, "part-sink-1-00000000000000000042.jsonl");
    check_name(OP_FILE_PART_COMMITTED, "s", 255, UINT64_MAX,
               "part-s-255-18446744073709551615.jsonl");
    check_name(OP_FILE_PART_FINAL, "out_2", 7, 0, "part-out_2-7-final.jsonl");
    /* A vertex whose id starts like the pending prefix. */
    check_name(OP_FILE_PART_INPROGRESS, "part-x", 0, 5, ".part-x-0-5.inprogress");
    check_name(OP_FILE_PART_PENDING, "part-x", 0, 5, ".part-part-x-0-00000000000000000005.pending");
    CHECK_STR_EQ(op_file_part_kind_name(OP_FILE_PART_PENDING), "pending");

    char small[16];
    rt_err err = {0};
    CHECK_INT_EQ(op_file_part_name(small, sizeof small, OP_FILE_PART_COMMITTED, "sink", 0, 1, &err),
                 RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "too long");
}

static bool parses(const char *name, const char *vertex, uint32_t subtask)
{
    op_file_part_kind k;
    uint64_t n;
    return op_file_part_parse(name, vertex, subtask, &k, &n);
}

TEST(parse_claims_only_its_own_files)
{
    /* Vertex "a" subtask 1 against the files of vertex "a-1" subtask 0, and the reverse. */
    CHECK(!parses(".a-1-0-3.inprogress", "a", 1));
    CHECK(!parses(".part-a-1-0-00000000000000000003.pending", "a", 1));
    CHECK(!parses("part-a-1-0-00000000000000000003.jsonl", "a", 1));
    CHECK(!parses("part-a-1-0-final.jsonl", "a", 1));
    CHECK(parses(".a-1-0-3.inprogress", "a-1", 0));
    CHECK(!parses(".a-1-3.inprogress", "a-1", 3));
    CHECK(!parses(".a-1-3.inprogress", "a", 0));
    CHECK(parses(".a-1-3.inprogress", "a", 1));
    /* Other subtasks, other vertices, other suffixes, damaged numbers. */
    CHECK(!parses(".sink-1-3.inprogress", "sink", 0));
    CHECK(!parses(".sink-0-3.inprogress", "sinks", 0));
    CHECK(!parses(".sink-0-3.inprogress.tmp", "sink", 0));
    CHECK(!parses(".sink-0-.inprogress", "sink", 0));
    CHECK(!parses(".sink-0-3x.inprogress", "sink", 0));
    CHECK(!parses(".part-sink-0-99999999999999999999.pending", "sink", 0)); /* > 2^64 */
    CHECK(!parses("part-sink-0-00000000000000000003.jsonl.bak", "sink", 0));
    CHECK(!parses("sink-0-3.inprogress", "sink", 0));
    CHECK(!parses("", "sink", 0));
    CHECK(!parses(".", "sink", 0));
    CHECK(!parses("..", "sink", 0));
    /* "part-x"'s in-progress file is not a pending file of vertex "x". */
    CHECK(!parses(".part-x-0-5.inprogress", "x", 0));
}

TEST(pending_record)
{
    const uint64_t ids[] = {3, 7, UINT64_MAX};
    char *rec = NULL;
    size_t len = 0;
    rt_err err = {0};
    CHECK_OK(op_file_part_pending_format(ids, 3, &rec, &len, &err), &err);
    CHECK_UINT_EQ(len, 32);
    /* Little-endian: version 1, count 3, then the ids. */
    static const unsigned char head[] = {1, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0};
    CHECK(rec && memcmp(rec, head, sizeof head) == 0);
    uint64_t *back = NULL;
    size_t count = 0;
    CHECK_OK(op_file_part_pending_parse(rec, len, &back, &count, &err), &err);
    CHECK_UINT_EQ(count, 3);
    if (back && count == 3)
        CHECK(back[0] == 3 && back[1] == 7 && back[2] == UINT64_MAX);
    free(back);
    /* Every truncation, and a count that claims more than is there, is corrupt. */
    for (size_t cut = 0; cut < len; cut++) {
        back = NULL;
        CHECK_INT_EQ(op_file_part_pending_parse(rec, cut, &back, &count, &err), RT_ECORRUPT);
        CHECK(back == NULL);
    }
    rec[4] = (char)200;
    CHECK_INT_EQ(op_file_part_pending_parse(rec, len, &back, &count, &err), RT_ECORRUPT);
    rec[4] = 3;
    rec[0] = 2;
    CHECK_INT_EQ(op_file_part_pending_parse(rec, len, &back, &count, &err), RT_ECORRUPT);
    CHECK_STR_CONTAINS(err.msg, "version 2");
    free(rec);
    /* The empty list. */
    CHECK_OK(op_file_part_pending_format(NULL, 0, &rec, &len, &err), &err);
    CHECK_UINT_EQ(len, 8);
    back = (uint64_t *)&len; /* must be overwritten */
    CHECK_OK(op_file_part_pending_parse(rec, len, &back, &count, &err), &err);
    CHECK(back == NULL && count == 0);
    free(rec);
}

/* A fresh directory under the test's tmpdir. */
static int make_dir(const char *name, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", test_tmpdir(), name);
    CHECK_INT_EQ(mkdir(path, 0755), 0);
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    CHECK(fd >= 0);
    return fd;
}

static void put_file(int dirfd, const char *name, const char *text)
{
    int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    CHECK_INT_EQ(write(fd, text, strlen(text)), (long long)strlen(text));
    close(fd);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The directory's entries (without . and ..), sorted, joined by spaces. Free with free(). */
static char *listing(const char *path)
{
    DIR *d = opendir(path);
    char *names[64];
    size_t n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) && n < 64) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            names[n++] = strdup(e->d_name);
    }
    if (d)
        closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    rt_buf b;
    rt_buf_init(&b);
    rt_buf_append_str(&b, "");
    for (size_t i = 0; i < n; i++) {
        rt_buf_appendf(&b, "%s%s", i ? " " : "", names[i]);
        free(names[i]);
    }
    return rt_buf_take(&b);
}

static char *read_at(const char *dir, const char *name)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return test_read_file(path, NULL);
}

TEST(commit_is_idempotent)
{
    char dir[512];
    int dfd = make_dir("commit", dir, sizeof dir);
    put_file(dfd, ".part-s-0-00000000000000000004.pending", "x\n");
    rt_err err = {0};
    CHECK_OK(op_file_part_commit(dfd, dir, "s", 0, 4, &err), &err);
    CHECK_OK(op_file_part_commit(dfd, dir, "s", 0, 4, &err), &err);
    char *l = listing(dir);
    CHECK_STR_EQ(l, "part-s-0-00000000000000000004.jsonl");
    free(l);
    char *text = read_at(dir, "part-s-0-00000000000000000004.jsonl");
    CHECK_STR_EQ(text, "x\n");
    free(text);
    CHECK_INT_EQ(op_file_part_commit(dfd, dir, "s", 0, 5, &err), RT_ENOTFOUND);
    CHECK_STR_CONTAINS(err.msg, ".part-s-0-00000000000000000005.pending");
    CHECK_OK(op_file_part_sync_dir(dfd, dir, &err), &err);
    close(dfd);
}

TEST(restore_commits_recorded_and_deletes_the_rest)
{
    char dir[512];
    int dfd = make_dir("restore", dir, sizeof dir);
    /* Subtask 0 of vertex "sink", restored from checkpoint 6 whose record lists 3, 5 and 6:
     * 3 was committed before the crash, 5 and 6 were not; 7 was pre-committed for a checkpoint
     * that never completed; two in-progress parts of earlier attempts. */
    put_file(dfd, "part-sink-0-00000000000000000002.jsonl", "two\n");
    put_file(dfd, "part-sink-0-00000000000000000003.jsonl", "three\n");
    put_file(dfd, ".part-sink-0-00000000000000000005.pending", "five\n");
    put_file(dfd, ".part-sink-0-00000000000000000006.pending", "six\n");
    put_file(dfd, ".part-sink-0-00000000000000000007.pending", "seven\n");
    put_file(dfd, ".sink-0-0.inprogress", "partial");
    put_file(dfd, ".sink-0-12.inprogress", "");
    /* Files of others stay untouched: subtask 1, vertex "sink-0", and unrelated files. */
    put_file(dfd, ".part-sink-1-00000000000000000007.pending", "s1\n");
    put_file(dfd, ".sink-1-0.inprogress", "s1");
    put_file(dfd, ".sink-0-0-1.inprogress", "other vertex");
    put_file(dfd, ".part-sink-0-1-00000000000000000005.pending", "other vertex\n");
    put_file(dfd, "notes.txt", "keep");
    const uint64_t pending[] = {3, 5, 6};
    op_file_part_restore_stats s = {0};
    rt_err err = {0};
    CHECK_OK(op_file_part_restore(dfd, dir, "sink", 0, pending, 3, &s, &err), &err);
    CHECK_UINT_EQ(s.committed, 2);
    CHECK_UINT_EQ(s.already, 1);
    CHECK_UINT_EQ(s.missing, 0);
    CHECK_UINT_EQ(s.deleted, 3);
    char *l = listing(dir);
    CHECK_STR_EQ(l, ".part-sink-0-1-00000000000000000005.pending "
                    ".part-sink-1-00000000000000000007.pending .sink-0-0-1.inprogress "
                    ".sink-1-0.inprogress notes.txt part-sink-0-00000000000000000002.jsonl "
                    "part-sink-0-00000000000000000003.jsonl part-sink-0-00000000000000000005.jsonl "
                    "part-sink-0-00000000000000000006.jsonl");
    free(l);
    char *text = read_at(dir, "part-sink-0-00000000000000000006.jsonl");
    CHECK_STR_EQ(text, "six\n");
    free(text);

    /* Restoring the same checkpoint again (a crash during the restore) changes nothing. */
    CHECK_OK(op_file_part_restore(dfd, dir, "sink", 0, pending, 3, &s, &err), &err);
    CHECK_UINT_EQ(s.committed, 0);
    CHECK_UINT_EQ(s.already, 3);
    CHECK_UINT_EQ(s.deleted, 0);

    /* A fresh start of subtask 1 deletes its hidden parts and keeps its committed ones. */
    put_file(dfd, "part-sink-1-final.jsonl", "final\n");
    CHECK_OK(op_file_part_restore(dfd, dir, "sink", 1, NULL, 0, &s, &err), &err);
    CHECK_UINT_EQ(s.deleted, 2);
    l = listing(dir);
    CHECK(strstr(l, "sink-1-") && !strstr(l, ".sink-1-0.inprogress") &&
          !strstr(l, ".part-sink-1-") && strstr(l, "part-sink-1-final.jsonl"));
    free(l);

    /* A recorded part that is neither pending nor committed (moved away) is reported. */
    const uint64_t gone[] = {9};
    CHECK_OK(op_file_part_restore(dfd, dir, "sink", 0, gone, 1, &s, &err), &err);
    CHECK_UINT_EQ(s.missing, 1);
    close(dfd);
}

TEST_MAIN()
