/* Tests of runtime/channel.c: order, capacity (backpressure), memory bounds, cancel, alignment
 * blocking, wake, and the throughput of batches between two threads. */
#include "runtime/channel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "runtime/base/clock.h"
#include "tests/harness/test.h"

static rt_elem barrier(uint64_t id)
{
    return (rt_elem){.kind = RT_ELEM_BARRIER, .checkpoint_id = id};
}

static void sleep_us(long us)
{
    struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

TEST(elem_kind_names)
{
    CHECK_STR_EQ(rt_elem_kind_name(RT_ELEM_BATCH), "batch");
    CHECK_STR_EQ(rt_elem_kind_name(RT_ELEM_BARRIER), "barrier");
    CHECK_STR_EQ(rt_elem_kind_name(RT_ELEM_END), "end");
}

/* --- FIFO order and capacity --- */

typedef struct producer_arg {
    rt_channel *ch;
    int count;
    size_t capacity;
    size_t max_queued; /* seen from the producer side after each push */
    int rc;
} producer_arg;

static void *produce_barriers(void *arg)
{
    producer_arg *p = arg;
    for (int i = 1; i <= p->count; i++) {
        p->rc = rt_channel_push(p->ch, barrier((uint64_t)i), NULL);
        if (p->rc != 0)
            return NULL;
        size_t q = rt_channel_queued(p->ch);
        if (q > p->max_queued)
            p->max_queued = q;
    }
    p->rc = rt_channel_push(p->ch, (rt_elem){.kind = RT_ELEM_END}, NULL);
    return NULL;
}

TEST(fifo_order)
{
    rt_gate *g = rt_gate_new(1, 8);
    CHECK_UINT_EQ(rt_gate_input_count(g), 1);
    producer_arg p = {.ch = rt_gate_channel(g, 0), .count = 20000};
    pthread_t th;
    pthread_create(&th, NULL, produce_barriers, &p);
    uint64_t expect = 1;
    for (;;) {
        rt_elem e;
        size_t in = 99;
        int rc = rt_gate_pop(g, &e, &in, -1, NULL);
        CHECK_INT_EQ(rc, 0);
        CHECK_UINT_EQ(in, 0);
        if (rc != 0 || e.kind == RT_ELEM_END)
            break;
        if (e.checkpoint_id != expect) {
            CHECK_UINT_EQ(e.checkpoint_id, expect);
            break;
        }
        expect++;
    }
    pthread_join(th, NULL);
    CHECK_INT_EQ(p.rc, 0);
    CHECK_UINT_EQ(expect, 20001);
    rt_gate_free(g);
}

TEST(capacity_bounds_producer)
{
    rt_gate *g = rt_gate_new(1, 4);
    producer_arg p = {.ch = rt_gate_channel(g, 0), .count = 200};
    pthread_t th;
    pthread_create(&th, NULL, produce_barriers, &p);
    int popped = 0;
    for (;;) {
        rt_elem e;
        size_t in;
        sleep_us(500); /* a slow consumer */
        CHECK(rt_channel_queued(rt_gate_channel(g, 0)) <= 4);
        if (rt_gate_pop(g, &e, &in, -1, NULL) != 0 || e.kind == RT_ELEM_END)
            break;
        popped++;
    }
    pthread_join(th, NULL);
    CHECK_INT_EQ(popped, 200);
    CHECK(p.max_queued <= 4);
    CHECK(p.max_queued >= 3); /* it did fill up: the producer was held back */
    rt_gate_free(g);
}

/* --- Memory stays bounded: live batches <= capacity + 2 --- */

static atomic_int live_batches, max_live;

static void note_live(int delta)
{
    int now = atomic_fetch_add(&live_batches, delta) + delta;
    int max = atomic_load(&max_live);
    while (now > max && !atomic_compare_exchange_weak(&max_live, &max, now)) {
    }
}

typedef struct big_arg {
    rt_channel *ch;
    const rt_table *table;
    int count;
    int rc;
} big_arg;

static void *produce_big(void *arg)
{
    big_arg *p = arg;
    char *payload = malloc(100 * 1024);
    memset(payload, 'x', 100 * 1024);
    for (int i = 0; i < p->count; i++) {
        note_live(1);
        rt_batch *b = rt_batch_new(NULL);
        rt_record *r = rt_batch_add(b, RT_ROW_INSERT, p->table);
        r->values[0] = (rt_value){.type = RT_TYPE_INT, .i = i};
        rt_batch_set_str(b, &r->values[1], RT_TYPE_BYTES, payload, 100 * 1024);
        p->rc = rt_channel_push(p->ch, (rt_elem){.kind = RT_ELEM_BATCH, .batch = b}, NULL);
        if (p->rc != 0) {
            rt_batch_unref(b);
            note_live(-1);
            break;
        }
    }
    free(payload);
    if (p->rc == 0)
        p->rc = rt_channel_push(p->ch, (rt_elem){.kind = RT_ELEM_END}, NULL);
    return NULL;
}

TEST(memory_bounded_by_capacity)
{
    const rt_column cols[] = {{.name = "id", .type = RT_TYPE_INT},
                              {.name = "payload", .type = RT_TYPE_BYTES}};
    rt_table *t = rt_table_new("db", "big", cols, 2, NULL);
    rt_gate *g = rt_gate_new(1, 8);
    atomic_store(&live_batches, 0);
    atomic_store(&max_live, 0);
    big_arg p = {.ch = rt_gate_channel(g, 0), .table = t, .count = 2000};
    pthread_t th;
    pthread_create(&th, NULL, produce_big, &p);
    int got = 0;
    for (;;) {
        rt_elem e;
        size_t in;
        if (rt_gate_pop(g, &e, &in, -1, NULL) != 0 || e.kind == RT_ELEM_END)
            break;
        const rt_record *r = rt_batch_at_const(e.batch, 0);
        CHECK_INT_EQ(r->values[0].i, got);
        CHECK_UINT_EQ(r->values[1].s.len, 100 * 1024);
        got++;
        if (got % 100 == 0)
            sleep_us(2000); /* let the producer run into the full channel */
        rt_batch_unref(e.batch);
        note_live(-1);
    }
    pthread_join(th, NULL);
    CHECK_INT_EQ(p.rc, 0);
    CHECK_INT_EQ(got, 2000);
    CHECK_INT_EQ(atomic_load(&live_batches), 0);
    /* capacity queued + one being built by the producer + one held by the consumer */
    CHECK(atomic_load(&max_live) <= 8 + 2);
    rt_gate_free(g);
    rt_table_free(t);
}

/* --- Cancel --- */

typedef struct block_arg {
    rt_gate *g;
    int rc;
    atomic_bool entered;
} block_arg;

static void *push_blocked(void *arg)
{
    block_arg *a = arg;
    rt_batch *b = rt_batch_new(NULL);
    atomic_store(&a->entered, true);
    rt_err err;
    a->rc = rt_channel_push(rt_gate_channel(a->g, 0), (rt_elem){.kind = RT_ELEM_BATCH, .batch = b},
                            &err);
    if (a->rc != 0)
        rt_batch_unref(b); /* a failed push leaves the caller owning the batch */
    return NULL;
}

static void *pop_blocked(void *arg)
{
    block_arg *a = arg;
    rt_elem e;
    size_t in;
    atomic_store(&a->entered, true);
    a->rc = rt_gate_pop(a->g, &e, &in, -1, NULL);
    return NULL;
}

TEST(cancel_unblocks_push)
{
    rt_gate *g = rt_gate_new(1, 1);
    rt_batch *first = rt_batch_new(NULL);
    CHECK_INT_EQ(rt_channel_push(rt_gate_channel(g, 0),
                                 (rt_elem){.kind = RT_ELEM_BATCH, .batch = first}, NULL),
                 0);
    block_arg a = {.g = g, .rc = 1};
    pthread_t th;
    pthread_create(&th, NULL, push_blocked, &a);
    while (!atomic_load(&a.entered))
        sleep_us(100);
    sleep_us(20000);
    CHECK_UINT_EQ(rt_channel_queued(rt_gate_channel(g, 0)), 1); /* still blocked */
    rt_gate_cancel(g);
    pthread_join(th, NULL);
    CHECK_INT_EQ(a.rc, RT_ECANCELED);
    /* Later pushes and pops fail at once. */
    CHECK_INT_EQ(rt_channel_push(rt_gate_channel(g, 0), barrier(1), NULL), RT_ECANCELED);
    rt_elem e;
    size_t in;
    CHECK_INT_EQ(rt_gate_pop(g, &e, &in, -1, NULL), RT_ECANCELED);
    rt_gate_free(g); /* unrefs `first`, still queued */
}

TEST(cancel_unblocks_pop)
{
    rt_gate *g = rt_gate_new(2, 4);
    block_arg a = {.g = g, .rc = 1};
    pthread_t th;
    pthread_create(&th, NULL, pop_blocked, &a);
    while (!atomic_load(&a.entered))
        sleep_us(100);
    sleep_us(20000);
    rt_gate_cancel(g);
    pthread_join(th, NULL);
    CHECK_INT_EQ(a.rc, RT_ECANCELED);
    rt_gate_free(g);
}

TEST(wake_interrupts_pop)
{
    rt_gate *g = rt_gate_new(1, 4);
    block_arg a = {.g = g, .rc = 1};
    pthread_t th;
    pthread_create(&th, NULL, pop_blocked, &a);
    while (!atomic_load(&a.entered))
        sleep_us(100);
    sleep_us(20000);
    rt_gate_wake(g);
    pthread_join(th, NULL);
    CHECK_INT_EQ(a.rc, RT_ETIMEDOUT);
    /* A wake before the pop is not lost, and is seen once. */
    rt_gate_wake(g);
    rt_elem e;
    size_t in;
    CHECK_INT_EQ(rt_gate_pop(g, &e, &in, -1, NULL), RT_ETIMEDOUT);
    CHECK_INT_EQ(rt_gate_pop(g, &e, &in, 0, NULL), RT_ETIMEDOUT);
    CHECK_INT_EQ(rt_channel_push(rt_gate_channel(g, 0), barrier(3), NULL), 0);
    CHECK_INT_EQ(rt_gate_pop(g, &e, &in, 0, NULL), 0);
    CHECK_UINT_EQ(e.checkpoint_id, 3);
    rt_gate_free(g);
}

TEST(pop_timeout)
{
    rt_gate *g = rt_gate_new(1, 4);
    rt_elem e;
    size_t in;
    int64_t t0 = rt_clock_mono_ms();
    CHECK_INT_EQ(rt_gate_pop(g, &e, &in, 30, NULL), RT_ETIMEDOUT);
    int64_t waited = rt_clock_mono_ms() - t0;
    CHECK(waited >= 25 && waited < 2000);
    CHECK_INT_EQ(rt_gate_pop(g, &e, &in, 0, NULL), RT_ETIMEDOUT);
    rt_gate_free(g);
}

/* --- Round robin and alignment blocking --- */

TEST(round_robin_over_inputs)
{
    rt_gate *g = rt_gate_new(3, 4);
    for (uint64_t k = 0; k < 4; k++) {
        for (size_t i = 0; i < 3; i++)
            CHECK_INT_EQ(rt_channel_push(rt_gate_channel(g, i), barrier(i * 10 + k), NULL), 0);
    }
    size_t last = 99;
    for (int n = 0; n < 12; n++) {
        rt_elem e;
        size_t in;
        CHECK_INT_EQ(rt_gate_pop(g, &e, &in, 0, NULL), 0);
        CHECK(in != last); /* no input served twice in a row while the others have data */
        CHECK_UINT_EQ(e.checkpoint_id / 10, in);
        last = in;
    }
    rt_gate_free(g);
}

TEST(block_and_unblock)
{
    rt_gate *g = rt_gate_new(2, 4);
    CHECK_INT_EQ(rt_channel_push(rt_gate_channel(g, 0), barrier(1), NULL), 0);
    CHECK_INT_EQ(rt_channel_push(rt_gate_channel(g, 0), barrier(2), NULL), 0);
    CHECK_INT_EQ(rt_channel_push(rt_gate_channel(g, 1), barrier(1), NULL), 0);
    rt_elem e;
    size_t in;
    /* Barrier 1 arrived on input 0 first: block it until it arrives on input 1 too. */
    CHECK_INT_EQ(rt_gate_pop(g, &e, &in, 0, NULL), 0);
    CHECK_UINT_EQ(in, 0);
    rt_gate_block(g, 0);
    CHECK_INT_EQ(rt_gate_pop(g, &e, &in, 10, NULL), 0);
    CHECK_UINT_EQ(in, 1);
    CHECK_UINT_EQ(e.checkpoint_id, 1);
    rt_gate_block(g, 1);
    /* Both blocked: nothing comes although input 0 holds barrier 2. */
    CHECK_INT_EQ(rt_gate_pop(g, &e, &in, 10, NULL), RT_ETIMEDOUT);
    rt_gate_unblock_all(g);
    CHECK_INT_EQ(rt_gate_pop(g, &e, &in, 0, NULL), 0);
    CHECK_UINT_EQ(in, 0);
    CHECK_UINT_EQ(e.checkpoint_id, 2);
    rt_gate_free(g);
}

typedef struct unblock_arg {
    rt_gate *g;
} unblock_arg;

static void *unblock_later(void *arg)
{
    unblock_arg *a = arg;
    sleep_us(20000);
    rt_gate_unblock_all(a->g);
    return NULL;
}

TEST(unblock_wakes_waiting_pop)
{
    rt_gate *g = rt_gate_new(1, 4);
    rt_gate_block(g, 0);
    CHECK_INT_EQ(rt_channel_push(rt_gate_channel(g, 0), barrier(5), NULL), 0);
    unblock_arg a = {.g = g};
    pthread_t th;
    pthread_create(&th, NULL, unblock_later, &a);
    rt_elem e;
    size_t in;
    CHECK_INT_EQ(rt_gate_pop(g, &e, &in, 5000, NULL), 0);
    CHECK_UINT_EQ(e.checkpoint_id, 5);
    pthread_join(th, NULL);
    rt_gate_free(g);
}

TEST(gate_free_releases_queued_batches)
{
    rt_batch_pool *pool = rt_batch_pool_new(4);
    rt_gate *g = rt_gate_new(2, 3);
    for (size_t i = 0; i < 2; i++) {
        for (int k = 0; k < 3; k++) {
            rt_elem e = {.kind = RT_ELEM_BATCH, .batch = rt_batch_new(pool)};
            CHECK_INT_EQ(rt_channel_push(rt_gate_channel(g, i), e, NULL), 0);
        }
    }
    rt_gate_free(g);
    rt_gate_free(NULL);
    rt_batch_pool_free(pool); /* aborts if any batch were still referenced */
}

/* --- Throughput: 8 columns, 1024-row batches, producer and consumer threads --- */

#define TP_ROWS_PER_BATCH 1024
#define TP_BATCHES 4000

typedef struct tp_arg {
    rt_channel *ch;
    rt_batch_pool *pool;
    const rt_table *table;
} tp_arg;

static void *produce_rows(void *arg)
{
    tp_arg *p = arg;
    int64_t n = 0;
    for (int k = 0; k < TP_BATCHES; k++) {
        rt_batch *b = rt_batch_new(p->pool);
        for (int i = 0; i < TP_ROWS_PER_BATCH; i++) {
            rt_record *r = rt_batch_add(b, RT_ROW_INSERT, p->table);
            for (int c = 0; c < 8; c++) {
                r->values[c].type = RT_TYPE_INT;
                r->values[c].i = n + c;
            }
            n++;
        }
        if (rt_channel_push(p->ch, (rt_elem){.kind = RT_ELEM_BATCH, .batch = b}, NULL) != 0) {
            rt_batch_unref(b);
            return NULL;
        }
    }
    rt_channel_push(p->ch, (rt_elem){.kind = RT_ELEM_END}, NULL);
    return NULL;
}

TEST(throughput_two_threads)
{
    rt_column cols[8];
    char names[8][4];
    for (int c = 0; c < 8; c++) {
        snprintf(names[c], sizeof names[c], "c%d", c);
        cols[c] = (rt_column){.name = names[c], .type = RT_TYPE_INT};
    }
    rt_table *t = rt_table_new("db", "wide", cols, 8, NULL);
    rt_batch_pool *pool = rt_batch_pool_new(16);
    rt_gate *g = rt_gate_new(1, 8);
    tp_arg p = {.ch = rt_gate_channel(g, 0), .pool = pool, .table = t};
    int64_t t0 = rt_clock_mono_ns();
    pthread_t th;
    pthread_create(&th, NULL, produce_rows, &p);
    int64_t rows = 0, sum = 0;
    for (;;) {
        rt_elem e;
        size_t in;
        if (rt_gate_pop(g, &e, &in, -1, NULL) != 0 || e.kind == RT_ELEM_END)
            break;
        size_t n = rt_batch_count(e.batch);
        for (size_t i = 0; i < n; i++)
            sum += rt_batch_at_const(e.batch, i)->values[7].i;
        rows += (int64_t)n;
        rt_batch_unref(e.batch);
    }
    pthread_join(th, NULL);
    double secs = (double)(rt_clock_mono_ns() - t0) / 1e9;
    CHECK_INT_EQ(rows, (int64_t)TP_ROWS_PER_BATCH * TP_BATCHES);
    int64_t expect = 0;
    for (int64_t i = 0; i < rows; i++)
        expect += i + 7;
    CHECK_INT_EQ(sum, expect);
    printf("throughput: %.2f M rows/s (8 int columns, %d-row batches, capacity 8)\n",
           (double)rows / secs / 1e6, TP_ROWS_PER_BATCH);
    rt_gate_free(g);
    rt_batch_pool_free(pool);
    rt_table_free(t);
}

TEST_MAIN()
