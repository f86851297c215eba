/* sink_sender: one thread and a one-slot hand-off (mutex + condition variable) between the
 * starrocks sink's task thread and its sends. */
#include "operators/starrocks/sink_sender.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct op_sr_sender {
    pthread_mutex_t mu;
    pthread_cond_t cv; /* signalled when a send is handed over, ends, or stop is asked */
    pthread_t thread;
    op_sr_send_fn fn; /* the send handed over and not yet finished; NULL when idle */
    void *arg;
    bool stop;
    int rc; /* the first failed send's code (sticky) and its message */
    rt_err failure;
};

static void *sender_main(void *p)
{
    op_sr_sender *s = p;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->fn && !s->stop)
            pthread_cond_wait(&s->cv, &s->mu);
        if (!s->fn)
            break; /* stop, and nothing left to send */
        op_sr_send_fn fn = s->fn;
        void *arg = s->arg;
        pthread_mutex_unlock(&s->mu);
        rt_err err;
        rt_err_clear(&err);
        int rc = fn(arg, &err);
        pthread_mutex_lock(&s->mu);
        if (rc != 0 && s->rc == 0) {
            s->rc = rc;
            s->failure = err;
        }
        s->fn = NULL;
        pthread_cond_broadcast(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

int op_sr_sender_start(op_sr_sender **out, rt_err *err)
{
    op_sr_sender *s = calloc(1, sizeof *s);
    if (!s)
        return rt_err_set(err, RT_ENOMEM, "starrocks: out of memory");
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    rt_err_clear(&s->failure);
    if (pthread_create(&s->thread, NULL, sender_main, s) != 0) {
        pthread_cond_destroy(&s->cv);
        pthread_mutex_destroy(&s->mu);
        free(s);
        return rt_err_set(err, RT_EIO, "starrocks: cannot start the sender thread");
    }
    *out = s;
    return 0;
}

/* Waits for the slot to empty; s->mu held. The sticky failure, copied to err. */
static int wait_locked(op_sr_sender *s, rt_err *err)
{
    while (s->fn)
        pthread_cond_wait(&s->cv, &s->mu);
    if (s->rc != 0 && err)
        *err = s->failure;
    return s->rc;
}

int op_sr_sender_submit(op_sr_sender *s, op_sr_send_fn fn, void *arg, rt_err *err)
{
    pthread_mutex_lock(&s->mu);
    int rc = wait_locked(s, err);
    if (rc == 0) {
        s->fn = fn;
        s->arg = arg;
        pthread_cond_broadcast(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int op_sr_sender_wait(op_sr_sender *s, rt_err *err)
{
    pthread_mutex_lock(&s->mu);
    int rc = wait_locked(s, err);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

void op_sr_sender_stop(op_sr_sender *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->stop = true;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s);
}
