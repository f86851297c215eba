/* rest_load: a small HTTP load generator for bench/rest_api.sh. C threads, each with one
 * keep-alive libcurl handle, send GET requests round robin over the given paths until the total
 * is reached, and time each one; prints requests/s and latency percentiles on one line. With RATE,
 * request n is not sent before n / RATE seconds from the start (a steady load); else as fast as
 * the answers come. With SECONDS, it also stops sending after that long.
 *   rest_load BASE_URL TOTAL THREADS PATH[,PATH...] [TOKEN] [RATE] [SECONDS]
 * Exits 1 when a request fails or answers anything but 200. */
#include <curl/curl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define MAX_PATHS 16

typedef struct load {
    const char *base;
    char *paths[MAX_PATHS];
    int npaths;
    long total;
    atomic_long next; /* the next request's number */
    atomic_long errors;
    double *lat_ms; /* per request sent, in the order they ended */
    struct curl_slist *headers;
    double rate; /* requests/s in all; 0: no pacing */
    double t0_ms;
    double end_ms;    /* no request starts after this; 0: none */
    atomic_long done; /* requests sent */
} load;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static size_t discard(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    (void)ptr;
    (void)userdata;
    return size * nmemb;
}

static void *worker(void *arg)
{
    load *l = arg;
    CURL *h = curl_easy_init();
    if (!h) {
        atomic_fetch_add(&l->errors, 1);
        return NULL;
    }
    char url[1024];
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    if (l->headers)
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, l->headers);
    for (;;) {
        long n = atomic_fetch_add(&l->next, 1);
        if (n >= l->total || (l->end_ms > 0 && now_ms() >= l->end_ms))
            break;
        if (l->rate > 0) {
            double wait = l->t0_ms + n * 1e3 / l->rate - now_ms();
            if (wait > 0) {
                struct timespec ts = {(time_t)(wait / 1e3), (long)(fmod(wait, 1e3) * 1e6)};
                nanosleep(&ts, NULL);
            }
        }
        snprintf(url, sizeof url, "%s%s", l->base, l->paths[n % l->npaths]);
        curl_easy_setopt(h, CURLOPT_URL, url);
        double t0 = now_ms();
        CURLcode rc = curl_easy_perform(h);
        l->lat_ms[atomic_fetch_add(&l->done, 1)] = now_ms() - t0;
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        if (rc != CURLE_OK || status != 200) {
            if (atomic_fetch_add(&l->errors, 1) < 3)
                fprintf(stderr, "rest_load: %s: %s (HTTP %ld)\n", url, curl_easy_strerror(rc),
                        status);
        }
    }
    curl_easy_cleanup(h);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fputs("usage: rest_load BASE_URL TOTAL THREADS PATH[,PATH...] [TOKEN] [RATE] [SECONDS]\n",
              stderr);
        return 2;
    }
    static load l;
    l.base = argv[1];
    l.total = atol(argv[2]);
    int threads = atoi(argv[3]);
    if (l.total <= 0 || threads <= 0 || threads > 256) {
        fputs("rest_load: TOTAL and THREADS must be positive (THREADS <= 256)\n", stderr);
        return 2;
    }
    for (char *save = NULL, *p = strtok_r(argv[4], ",", &save); p && l.npaths < MAX_PATHS;
         p = strtok_r(NULL, ",", &save))
        l.paths[l.npaths++] = p;
    if (l.npaths == 0)
        return 2;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (argc > 5 && argv[5][0]) {
        char auth[512];
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", argv[5]);
        l.headers = curl_slist_append(NULL, auth);
    }
    if (argc > 6)
        l.rate = atof(argv[6]);
    l.lat_ms = calloc((size_t)l.total, sizeof *l.lat_ms);
    pthread_t *tids = calloc((size_t)threads, sizeof *tids);
    if (!l.lat_ms || !tids)
        return 2;
    double t0 = now_ms();
    l.t0_ms = t0;
    if (argc > 7 && atof(argv[7]) > 0)
        l.end_ms = t0 + atof(argv[7]) * 1e3;
    for (int i = 0; i < threads; i++)
        pthread_create(&tids[i], NULL, worker, &l);
    for (int i = 0; i < threads; i++)
        pthread_join(tids[i], NULL);
    double elapsed = now_ms() - t0;
    long n = atomic_load(&l.done);
    if (n == 0) {
        fputs("rest_load: no request sent\n", stderr);
        return 1;
    }
    qsort(l.lat_ms, (size_t)n, sizeof *l.lat_ms, cmp_double);
#define PCT(p) l.lat_ms[(size_t)((n - 1) * (p) / 100.0)]
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu_s =
        ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    printf("requests %ld errors %ld seconds %.3f rps %.0f p50_ms %.3f p99_ms %.3f max_ms %.3f "
           "cpu_s %.3f\n",
           n, atomic_load(&l.errors), elapsed / 1e3, n * 1e3 / elapsed, PCT(50), PCT(99),
           l.lat_ms[n - 1], cpu_s);
    free(l.lat_ms);
    free(tids);
    curl_slist_free_all(l.headers);
    curl_global_cleanup();
    return atomic_load(&l.errors) ? 1 : 0;
}
