/* A task's mailbox: a growable ring of mail behind one mutex, with a condition variable for tasks
 * that wait on nothing else (sources, tasks past their end of input) and a gate wake for tasks
 * blocked on their input gate. */
#include "runtime/mailbox.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "runtime/base/clock.h"

#define INITIAL_CAPACITY 8

struct rt_mailbox {
    pthread_mutex_t mu;
    pthread_cond_t posted;
    rt_gate *gate;
    rt_mail *ring;
    size_t cap;
    size_t head;
    size_t count;
    bool canceled;
};

const char *rt_mail_kind_name(rt_mail_kind k)
{
    switch (k) {
    case RT_MAIL_TRIGGER:
        return "trigger";
    case RT_MAIL_NOTIFY_COMPLETE:
        return "notify_complete";
    case RT_MAIL_NOTIFY_ABORTED:
        return "notify_aborted";
    case RT_MAIL_CLOSE:
        return "close";
    }
    return "?";
}

rt_mailbox *rt_mailbox_new(rt_gate *gate)
{
    rt_mailbox *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->ring = calloc(INITIAL_CAPACITY, sizeof *m->ring);
    if (!m->ring) {
        free(m);
        return NULL;
    }
    m->cap = INITIAL_CAPACITY;
    m->gate = gate;
    pthread_mutex_init(&m->mu, NULL);
    /* Timed waits measure against the monotonic clock, so a wall-clock step cannot stall them. */
    rt_cond_init_monotonic(&m->posted);
    return m;
}

void rt_mailbox_free(rt_mailbox *m)
{
    if (!m)
        return;
    pthread_cond_destroy(&m->posted);
    pthread_mutex_destroy(&m->mu);
    free(m->ring);
    free(m);
}

/* Doubles the ring, unrolling it so that the oldest mail lands at index 0. Mutex held. */
static int grow(rt_mailbox *m)
{
    rt_mail *ring = calloc(m->cap * 2, sizeof *ring);
    if (!ring)
        return RT_ENOMEM;
    for (size_t i = 0; i < m->count; i++)
        ring[i] = m->ring[(m->head + i) % m->cap];
    free(m->ring);
    m->ring = ring;
    m->cap *= 2;
    m->head = 0;
    return 0;
}

int rt_mailbox_post(rt_mailbox *m, const rt_mail *mail, rt_err *err)
{
    pthread_mutex_lock(&m->mu);
    if (m->count == m->cap && grow(m) != 0) {
        pthread_mutex_unlock(&m->mu);
        return rt_err_set(err, RT_ENOMEM, "mailbox: out of memory");
    }
    m->ring[(m->head + m->count) % m->cap] = *mail;
    m->count++;
    pthread_mutex_unlock(&m->mu);
    pthread_cond_signal(&m->posted);
    /* The wake is sticky (the gate remembers it until a pop sees it), so a task that looked at
     * its mailbox just before this post still leaves its next pop at once. */
    if (m->gate)
        rt_gate_wake(m->gate);
    return 0;
}

bool rt_mailbox_take(rt_mailbox *m, rt_mail *out)
{
    pthread_mutex_lock(&m->mu);
    bool some = m->count > 0;
    if (some) {
        *out = m->ring[m->head];
        m->head = (m->head + 1) % m->cap;
        m->count--;
    }
    pthread_mutex_unlock(&m->mu);
    return some;
}

int rt_mailbox_wait(rt_mailbox *m, int64_t timeout_ms)
{
    struct timespec deadline;
    if (timeout_ms > 0) {
        rt_clock_deadline(&deadline, timeout_ms);
    }
    int rc = RT_ETIMEDOUT;
    pthread_mutex_lock(&m->mu);
    for (;;) {
        if (m->canceled) {
            rc = RT_ECANCELED;
            break;
        }
        if (m->count > 0) {
            rc = 0;
            break;
        }
        if (timeout_ms == 0)
            break;
        if (timeout_ms < 0) {
            pthread_cond_wait(&m->posted, &m->mu);
        } else if (pthread_cond_timedwait(&m->posted, &m->mu, &deadline) == ETIMEDOUT) {
            /* One last look at what came with the deadline. */
            rc = m->canceled ? RT_ECANCELED : m->count > 0 ? 0 : RT_ETIMEDOUT;
            break;
        }
    }
    pthread_mutex_unlock(&m->mu);
    return rc;
}

void rt_mailbox_cancel(rt_mailbox *m)
{
    pthread_mutex_lock(&m->mu);
    m->canceled = true;
    pthread_mutex_unlock(&m->mu);
    pthread_cond_broadcast(&m->posted);
}

size_t rt_mailbox_count(rt_mailbox *m)
{
    pthread_mutex_lock(&m->mu);
    size_t n = m->count;
    pthread_mutex_unlock(&m->mu);
    return n;
}
