/* Input gates and their channels: fixed-capacity rings of elements between a producer subtask and
 * a consumer subtask. One mutex per gate guards all of its channels, so the consumer can wait on
 * a single condition variable for "any input has something" while each producer waits on its own
 * channel's "not full". */
#include "runtime/channel.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "runtime/base/clock.h"
#include "runtime/base/errors.h"

struct rt_channel {
    rt_gate *gate;
    size_t index;
    rt_elem *ring; /* capacity slots */
    size_t head;   /* next slot to pop */
    size_t count;
    bool blocked;          /* alignment: not delivered until rt_gate_unblock_all */
    bool producer_waiting; /* signal not_full only when someone sleeps on it */
    pthread_cond_t not_full;
};

struct rt_gate {
    pthread_mutex_t mu;
    pthread_cond_t not_empty; /* the consumer's: an element, a wake, or cancel */
    rt_channel *channels;
    size_t input_count;
    size_t capacity;
    size_t next; /* round robin: the input pop looks at first */
    bool consumer_waiting;
    bool woken; /* rt_gate_wake not yet seen by a pop */
    bool canceled;
};

const char *rt_elem_kind_name(rt_elem_kind k)
{
    switch (k) {
    case RT_ELEM_BATCH:
        return "batch";
    case RT_ELEM_BARRIER:
        return "barrier";
    case RT_ELEM_END:
        return "end";
    }
    return "?";
}

rt_gate *rt_gate_new(size_t input_count, size_t capacity)
{
    RT_ASSERT(capacity >= 1);
    rt_gate *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->input_count = input_count;
    g->capacity = capacity;
    if (input_count) {
        g->channels = calloc(input_count, sizeof *g->channels);
        if (!g->channels) {
            free(g);
            return NULL;
        }
    }
    for (size_t i = 0; i < input_count; i++) {
        rt_channel *ch = &g->channels[i];
        ch->ring = calloc(capacity, sizeof *ch->ring);
        if (!ch->ring) {
            for (size_t j = 0; j < i; j++) {
                pthread_cond_destroy(&g->channels[j].not_full);
                free(g->channels[j].ring);
            }
            free(g->channels);
            free(g);
            return NULL;
        }
        ch->gate = g;
        ch->index = i;
        pthread_cond_init(&ch->not_full, NULL);
    }
    pthread_mutex_init(&g->mu, NULL);
    /* Timed pops measure against the monotonic clock, so a wall-clock step cannot stall them. */
    rt_cond_init_monotonic(&g->not_empty);
    return g;
}

void rt_gate_free(rt_gate *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->input_count; i++) {
        rt_channel *ch = &g->channels[i];
        for (size_t k = 0; k < ch->count; k++) {
            rt_elem *e = &ch->ring[(ch->head + k) % g->capacity];
            if (e->kind == RT_ELEM_BATCH)
                rt_batch_unref(e->batch);
        }
        pthread_cond_destroy(&ch->not_full);
        free(ch->ring);
    }
    free(g->channels);
    pthread_cond_destroy(&g->not_empty);
    pthread_mutex_destroy(&g->mu);
    free(g);
}

size_t rt_gate_input_count(const rt_gate *g)
{
    return g->input_count;
}

rt_channel *rt_gate_channel(rt_gate *g, size_t i)
{
    RT_ASSERT(i < g->input_count);
    return &g->channels[i];
}

int rt_channel_push(rt_channel *ch, rt_elem e, rt_err *err)
{
    rt_gate *g = ch->gate;
    pthread_mutex_lock(&g->mu);
    while (ch->count == g->capacity && !g->canceled) {
        ch->producer_waiting = true;
        pthread_cond_wait(&ch->not_full, &g->mu);
    }
    ch->producer_waiting = false;
    if (g->canceled) {
        pthread_mutex_unlock(&g->mu);
        return rt_err_set(err, RT_ECANCELED, "channel %zu: canceled", ch->index);
    }
    ch->ring[(ch->head + ch->count) % g->capacity] = e;
    ch->count++;
    bool wake = g->consumer_waiting && !ch->blocked;
    pthread_mutex_unlock(&g->mu);
    /* Signalling after unlock spares the consumer waking up into a held mutex. */
    if (wake)
        pthread_cond_signal(&g->not_empty);
    return 0;
}

size_t rt_channel_queued(rt_channel *ch)
{
    rt_gate *g = ch->gate;
    pthread_mutex_lock(&g->mu);
    size_t n = ch->count;
    pthread_mutex_unlock(&g->mu);
    return n;
}

/* Takes the next element of an unblocked input, starting the scan after the input served last
 * so that a busy input cannot starve the others. Called with the mutex held. */
static rt_channel *take(rt_gate *g, rt_elem *out)
{
    for (size_t k = 0; k < g->input_count; k++) {
        size_t i = (g->next + k) % g->input_count;
        rt_channel *ch = &g->channels[i];
        if (ch->count == 0 || ch->blocked)
            continue;
        *out = ch->ring[ch->head];
        ch->head = (ch->head + 1) % g->capacity;
        ch->count--;
        g->next = (i + 1) % g->input_count;
        return ch;
    }
    return NULL;
}

int rt_gate_pop(rt_gate *g, rt_elem *out, size_t *input, int64_t timeout_ms, rt_err *err)
{
    struct timespec deadline;
    bool timed = timeout_ms > 0, expired = timeout_ms == 0;
    if (timed)
        rt_clock_deadline(&deadline, timeout_ms);
    pthread_mutex_lock(&g->mu);
    for (;;) {
        if (g->canceled) {
            pthread_mutex_unlock(&g->mu);
            return rt_err_set(err, RT_ECANCELED, "input gate: canceled");
        }
        /* A wake comes before data: the mailbox it announces (a checkpoint trigger, a cancel)
         * must not wait behind a steady stream of batches. */
        if (g->woken) {
            g->woken = false;
            break;
        }
        rt_channel *ch = take(g, out);
        if (ch) {
            bool wake_producer = ch->producer_waiting;
            *input = ch->index;
            pthread_mutex_unlock(&g->mu);
            if (wake_producer)
                pthread_cond_signal(&ch->not_full);
            return 0;
        }
        /* After the deadline, one last look (above) at what came with it, then give up. */
        if (expired)
            break;
        g->consumer_waiting = true;
        int rc = timed ? pthread_cond_timedwait(&g->not_empty, &g->mu, &deadline)
                       : pthread_cond_wait(&g->not_empty, &g->mu);
        g->consumer_waiting = false;
        if (rc == ETIMEDOUT)
            expired = true;
    }
    pthread_mutex_unlock(&g->mu);
    return RT_ETIMEDOUT;
}

void rt_gate_block(rt_gate *g, size_t i)
{
    RT_ASSERT(i < g->input_count);
    pthread_mutex_lock(&g->mu);
    g->channels[i].blocked = true;
    pthread_mutex_unlock(&g->mu);
}

void rt_gate_unblock_all(rt_gate *g)
{
    pthread_mutex_lock(&g->mu);
    for (size_t i = 0; i < g->input_count; i++)
        g->channels[i].blocked = false;
    pthread_mutex_unlock(&g->mu);
    /* Blocked inputs may hold elements whose pushes did not signal the consumer. */
    pthread_cond_signal(&g->not_empty);
}

void rt_gate_wake(rt_gate *g)
{
    pthread_mutex_lock(&g->mu);
    g->woken = true;
    pthread_mutex_unlock(&g->mu);
    pthread_cond_signal(&g->not_empty);
}

void rt_gate_cancel(rt_gate *g)
{
    pthread_mutex_lock(&g->mu);
    g->canceled = true;
    pthread_mutex_unlock(&g->mu);
    pthread_cond_broadcast(&g->not_empty);
    for (size_t i = 0; i < g->input_count; i++)
        pthread_cond_broadcast(&g->channels[i].not_full);
}
