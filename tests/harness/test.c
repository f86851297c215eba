/* The test harness: registration, running, failure accounting and temporary directories. */
#include "tests/harness/test.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_TESTS 512

static struct {
    const char *name;
    test_fn fn;
} tests[MAX_TESTS];
static int test_count;
static int failures_now;
static const char *current;
static char tmpdir[256];

void test_register(const char *name, test_fn fn)
{
    if (test_count == MAX_TESTS) {
        fprintf(stderr, "too many tests\n");
        abort();
    }
    tests[test_count].name = name;
    tests[test_count].fn = fn;
    test_count++;
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "FAIL %s (%s:%d): ", current ? current : "?", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    failures_now++;
}

int test_failures_now(void)
{
    return failures_now;
}

static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char child[1024];
            snprintf(child, sizeof child, "%s/%s", path, e->d_name);
            struct stat st;
            if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode))
                remove_tree(child);
            else
                unlink(child);
        }
        closedir(d);
    }
    rmdir(path);
}

static void cleanup_tmpdir(void)
{
    if (tmpdir[0] && !getenv("SLUICE_KEEP_TMP"))
        remove_tree(tmpdir);
}

const char *test_tmpdir(void)
{
    if (!tmpdir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/sluice-test-XXXXXX", base && *base ? base : "/tmp");
        if (!mkdtemp(tmpdir)) {
            perror("mkdtemp");
            abort();
        }
        atexit(cleanup_tmpdir);
    }
    return tmpdir;
}

char *test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf)
        return NULL;
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static const char *tree_path(const char *env, const char *rel)
{
    static char path[1024];
    const char *base = getenv(env);
    snprintf(path, sizeof path, "%s/%s", base && *base ? base : ".", rel);
    return path;
}

const char *test_source_path(const char *rel)
{
    return tree_path("SLUICE_SOURCE_DIR", rel);
}

const char *test_build_path(const char *rel)
{
    return tree_path("SLUICE_BUILD_DIR", rel);
}

int test_run_all(int argc, char **argv)
{
    int failed_tests = 0, ran = 0;
    for (int i = 0; i < test_count; i++) {
        if (argc > 1 && !strstr(tests[i].name, argv[1]))
            continue;
        current = tests[i].name;
        failures_now = 0;
        tests[i].fn();
        ran++;
        fprintf(stderr, "%s %s\n", failures_now ? "FAILED" : "ok    ", tests[i].name);
        if (failures_now)
            failed_tests++;
    }
    fprintf(stderr, "%d/%d tests passed\n", ran - failed_tests, ran);
    return failed_tests ? 1 : (ran ? 0 : 1);
}
