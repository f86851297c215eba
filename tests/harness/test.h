/* A minimal test harness: TEST(name) functions run in order by TEST_MAIN(); CHECK* macros record
 * a failure with file:line and keep going inside the test; the process exits 1 if anything failed. */
#ifndef SLUICE_TESTS_HARNESS_TEST_H
#define SLUICE_TESTS_HARNESS_TEST_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef void (*test_fn)(void);

/* Registers a test (called by the TEST macro's constructor). */
void test_register(const char *name, test_fn fn);
/* Runs every registered test, or those whose name contains argv[1]. Returns the exit status. */
int test_run_all(int argc, char **argv);
/* Records a failure of the current test. */
void test_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Number of failures recorded so far in the current test. */
int test_failures_now(void);

/* A fresh directory under $TMPDIR for this test process ("/tmp/sluice-test-XXXXXX"); removed at
 * exit unless SLUICE_KEEP_TMP is set. Borrowed. */
const char *test_tmpdir(void);
/* Reads a whole file into a NUL-terminated malloc'd buffer; NULL if it cannot. */
char *test_read_file(const char *path, size_t *len);
/* Path of a file in the source tree ($SLUICE_SOURCE_DIR/rel). Static buffer, one at a time. */
const char *test_source_path(const char *rel);
/* Path of a file in the build tree ($SLUICE_BUILD_DIR/rel). Static buffer, one at a time. */
const char *test_build_path(const char *rel);

#define TEST(name)                                                                                 \
    static void name(void);                                                                        \
    __attribute__((constructor)) static void name##_register_(void)                                \
    {                                                                                              \
        test_register(#name, name);                                                                \
    }                                                                                              \
    static void name(void)

#define TEST_MAIN()                                                                                \
    int main(int argc, char **argv)                                                                \
    {                                                                                              \
        return test_run_all(argc, argv);                                                           \
    }

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            test_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);                                     \
    } while (0)

#define CHECK_INT_EQ(a, b)                                                                         \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        if (a_ != b_)                                                                              \
            test_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, a_, b_);               \
    } while (0)

#define CHECK_UINT_EQ(a, b)                                                                        \
    do {                                                                                           \
        unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b);             \
        if (a_ != b_)                                                                              \
            test_fail(__FILE__, __LINE__, "%s == %s: %llu != %llu", #a, #b, a_, b_);               \
    } while (0)

#define CHECK_STR_EQ(a, b)                                                                         \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        if (!a_ || !b_ || strcmp(a_, b_) != 0)                                                     \
            test_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b,                    \
                      a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                     \
    } while (0)

#define CHECK_STR_CONTAINS(hay, needle)                                                            \
    do {                                                                                           \
        const char *h_ = (hay), *n_ = (needle);                                                    \
        if (!h_ || !n_ || !strstr(h_, n_))                                                         \
            test_fail(__FILE__, __LINE__, "\"%s\" does not contain \"%s\"", h_ ? h_ : "(null)",    \
                      n_ ? n_ : "(null)");                                                         \
    } while (0)

/* Checks that an int-returning call succeeded (0), printing the message of errp (a non-NULL
 * rt_err *, or &err) otherwise. */
#define CHECK_OK(call, errp)                                                                       \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        if (rc_ != 0)                                                                              \
            test_fail(__FILE__, __LINE__, "%s -> %d: %s", #call, rc_, (errp)->msg);                  \
    } while (0)

#endif
