/* The job store: records survive a reopen field by field, deletes are durable, a second open of
 * the same directory is RT_EBUSY, and the database directory is private (0700). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runtime/daemon/job_store.h"
#include "tests/harness/test.h"

TEST(roundtrip_delete_and_lock)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/store", test_tmpdir());
    rt_job_store *s = NULL;
    rt_err err = {0};
    CHECK_OK(rt_job_store_open(dir, &s, &err), &err);
    if (!s)
        return;
    rt_job_store *s2 = NULL;
    CHECK_INT_EQ(rt_job_store_open(dir, &s2, &err), RT_EBUSY);
    CHECK_STR_CONTAINS(err.msg, "is in use by another sluiced");

    rt_job_record a = {.id = "a1",
                       .name = "alpha",
                       .text = "{\"password\": \"pw\"}",
                       .savepoint = "/sp/1",
                       .desired = RT_JOB_DESIRED_STOPPED,
                       .last_savepoint = "/sp/9",
                       .submitted_ms = 11,
                       .started_ms = 12,
                       .ended_ms = 13};
    rt_job_record b = {.id = "b2",
                       .name = "beta",
                       .text = "{}",
                       .failure = "boom",
                       .stop_savepoint = "/stop/3",
                       .desired = RT_JOB_DESIRED_RUNNING};
    rt_job_record c = {.id = "c3", .name = "gamma", .text = "{}", .desired = RT_JOB_DESIRED_FAILED};
    CHECK_OK(rt_job_store_put(s, &a, &err), &err);
    CHECK_OK(rt_job_store_put(s, &b, &err), &err);
    CHECK_OK(rt_job_store_put(s, &c, &err), &err);
    b.desired = RT_JOB_DESIRED_CANCELED; /* a rewrite replaces */
    CHECK_OK(rt_job_store_put(s, &b, &err), &err);
    CHECK_OK(rt_job_store_delete(s, "c3", &err), &err);
    CHECK_OK(rt_job_store_delete(s, "zz", &err), &err);
    rt_job_store_close(s);

    struct stat st;
    char db[1100];
    snprintf(db, sizeof db, "%s/daemon.db", dir);
    CHECK(stat(db, &st) == 0 && (st.st_mode & 0777) == 0700);

    s = NULL;
    CHECK_OK(rt_job_store_open(dir, &s, &err), &err);
    if (!s)
        return;
    rt_job_record *recs = NULL;
    size_t n = 0;
    CHECK_OK(rt_job_store_load(s, &recs, &n, &err), &err);
    CHECK_UINT_EQ(n, 2);
    if (n == 2) {
        CHECK_STR_EQ(recs[0].id, "a1");
        CHECK_STR_EQ(recs[0].name, "alpha");
        CHECK_STR_EQ(recs[0].text, "{\"password\": \"pw\"}");
        CHECK_STR_EQ(recs[0].savepoint, "/sp/1");
        CHECK_STR_EQ(recs[0].last_savepoint, "/sp/9");
        CHECK(recs[0].stop_savepoint == NULL);
        CHECK(recs[0].failure == NULL);
        CHECK_INT_EQ(recs[0].desired, RT_JOB_DESIRED_STOPPED);
        CHECK_INT_EQ((int)recs[0].submitted_ms, 11);
        CHECK_INT_EQ((int)recs[0].started_ms, 12);
        CHECK_INT_EQ((int)recs[0].ended_ms, 13);
        CHECK_STR_EQ(recs[1].id, "b2");
        CHECK_STR_EQ(recs[1].failure, "boom");
        CHECK_STR_EQ(recs[1].stop_savepoint, "/stop/3");
        CHECK_INT_EQ(recs[1].desired, RT_JOB_DESIRED_CANCELED);
        rt_job_record copy;
        CHECK_OK(rt_job_record_copy(&copy, &recs[1], &err), &err);
        CHECK_STR_EQ(copy.stop_savepoint, "/stop/3");
        rt_job_record_fini(&copy);
    }
    for (size_t i = 0; i < n; i++)
        rt_job_record_fini(&recs[i]);
    free(recs);
    rt_job_store_close(s);
}

TEST(desired_names)
{
    rt_job_desired d;
    rt_err err = {0};
    for (int i = RT_JOB_DESIRED_RUNNING; i <= RT_JOB_DESIRED_FAILED; i++) {
        CHECK_OK(rt_job_desired_parse(rt_job_desired_name((rt_job_desired)i), &d), &err);
        CHECK_INT_EQ(d, i);
    }
    CHECK_INT_EQ(rt_job_desired_parse("paused", &d), RT_EINVAL);
    CHECK(!rt_job_desired_is_terminal(RT_JOB_DESIRED_RUNNING));
    CHECK(rt_job_desired_is_terminal(RT_JOB_DESIRED_STOPPED));
}

TEST_MAIN()
