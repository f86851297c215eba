/* Tests of the task mailbox: order, growth, waiting, waking a gate, cancel. */
#include "runtime/mailbox.h"

#include <pthread.h>

#include "runtime/base/clock.h"
#include "tests/harness/test.h"

static rt_mail trigger(uint64_t id)
{
    return (rt_mail){.kind = RT_MAIL_TRIGGER, .checkpoint_id = id};
}

TEST(kind_names)
{
    CHECK_STR_EQ(rt_mail_kind_name(RT_MAIL_TRIGGER), "trigger");
    CHECK_STR_EQ(rt_mail_kind_name(RT_MAIL_NOTIFY_COMPLETE), "notify_complete");
    CHECK_STR_EQ(rt_mail_kind_name(RT_MAIL_NOTIFY_ABORTED), "notify_aborted");
    CHECK_STR_EQ(rt_mail_kind_name(RT_MAIL_CLOSE), "close");
}

TEST(mail_comes_out_in_order_and_the_ring_grows)
{
    rt_mailbox *m = rt_mailbox_new(NULL);
    rt_err err, *errp = &err;
    rt_mail out;
    CHECK(!rt_mailbox_take(m, &out));
    /* Interleave takes and posts so that the ring wraps before it grows. */
    for (uint64_t id = 1; id <= 5; id++) {
        rt_mail mail = trigger(id);
        CHECK_OK(rt_mailbox_post(m, &mail, &err), errp);
    }
    CHECK(rt_mailbox_take(m, &out));
    CHECK_UINT_EQ(out.checkpoint_id, 1);
    CHECK(rt_mailbox_take(m, &out));
    CHECK_UINT_EQ(out.checkpoint_id, 2);
    for (uint64_t id = 6; id <= 40; id++) {
        rt_mail mail = trigger(id);
        mail.stop = id == 40;
        CHECK_OK(rt_mailbox_post(m, &mail, &err), errp);
    }
    CHECK_UINT_EQ(rt_mailbox_count(m), 38);
    for (uint64_t id = 3; id <= 40; id++) {
        CHECK(rt_mailbox_take(m, &out));
        CHECK_UINT_EQ(out.checkpoint_id, id);
        CHECK_INT_EQ(out.kind, RT_MAIL_TRIGGER);
        CHECK(out.stop == (id == 40));
    }
    CHECK(!rt_mailbox_take(m, &out));
    CHECK_UINT_EQ(rt_mailbox_count(m), 0);
    rt_mailbox_free(m);
    rt_mailbox_free(NULL);
}

TEST(wait_returns_at_once_when_mail_is_queued)
{
    rt_mailbox *m = rt_mailbox_new(NULL);
    CHECK_INT_EQ(rt_mailbox_wait(m, 0), RT_ETIMEDOUT);
    int64_t t0 = rt_clock_mono_ms();
    CHECK_INT_EQ(rt_mailbox_wait(m, 30), RT_ETIMEDOUT);
    CHECK(rt_clock_mono_ms() - t0 >= 25);
    rt_mail mail = {.kind = RT_MAIL_CLOSE};
    CHECK_INT_EQ(rt_mailbox_post(m, &mail, NULL), 0);
    t0 = rt_clock_mono_ms();
    CHECK_INT_EQ(rt_mailbox_wait(m, 5000), 0);
    CHECK_INT_EQ(rt_mailbox_wait(m, -1), 0);
    CHECK(rt_clock_mono_ms() - t0 < 1000);
    rt_mailbox_free(m); /* frees the mail still queued */
}

typedef struct poster {
    rt_mailbox *m;
    int64_t delay_ms;
    bool cancel;
} poster;

static void *post_later(void *arg)
{
    poster *p = arg;
    rt_sleep_ms(p->delay_ms);
    if (p->cancel) {
        rt_mailbox_cancel(p->m);
    } else {
        rt_mail mail = {.kind = RT_MAIL_NOTIFY_COMPLETE, .checkpoint_id = 7};
        rt_mailbox_post(p->m, &mail, NULL);
    }
    return NULL;
}

TEST(a_post_wakes_a_waiting_task)
{
    rt_mailbox *m = rt_mailbox_new(NULL);
    poster p = {.m = m, .delay_ms = 50};
    pthread_t th;
    pthread_create(&th, NULL, post_later, &p);
    int64_t t0 = rt_clock_mono_ms();
    CHECK_INT_EQ(rt_mailbox_wait(m, -1), 0);
    CHECK(rt_clock_mono_ms() - t0 < 5000);
    rt_mail out;
    CHECK(rt_mailbox_take(m, &out));
    CHECK_INT_EQ(out.kind, RT_MAIL_NOTIFY_COMPLETE);
    CHECK_UINT_EQ(out.checkpoint_id, 7);
    pthread_join(th, NULL);
    rt_mailbox_free(m);
}

TEST(cancel_ends_every_wait)
{
    rt_mailbox *m = rt_mailbox_new(NULL);
    poster p = {.m = m, .delay_ms = 50, .cancel = true};
    pthread_t th;
    pthread_create(&th, NULL, post_later, &p);
    CHECK_INT_EQ(rt_mailbox_wait(m, -1), RT_ECANCELED);
    pthread_join(th, NULL);
    /* Canceled for good, even with mail queued; the mail can still be taken. */
    rt_mail mail = trigger(3), out;
    CHECK_INT_EQ(rt_mailbox_post(m, &mail, NULL), 0);
    CHECK_INT_EQ(rt_mailbox_wait(m, 100), RT_ECANCELED);
    CHECK(rt_mailbox_take(m, &out));
    rt_mailbox_free(m);
}

TEST(a_post_wakes_the_gate_of_a_task_with_inputs)
{
    rt_gate *g = rt_gate_new(1, 4);
    rt_mailbox *m = rt_mailbox_new(g);
    poster p = {.m = m, .delay_ms = 50};
    pthread_t th;
    pthread_create(&th, NULL, post_later, &p);
    rt_elem e;
    size_t in;
    int64_t t0 = rt_clock_mono_ms();
    /* Nothing comes on the input: the post ends the pop long before its timeout. */
    CHECK_INT_EQ(rt_gate_pop(g, &e, &in, 10000, NULL), RT_ETIMEDOUT);
    CHECK(rt_clock_mono_ms() - t0 < 5000);
    CHECK_UINT_EQ(rt_mailbox_count(m), 1);
    pthread_join(th, NULL);
    /* A wake that came before the pop is not lost either. */
    rt_mail mail = trigger(9);
    rt_mailbox_post(m, &mail, NULL);
    CHECK_INT_EQ(rt_gate_pop(g, &e, &in, 10000, NULL), RT_ETIMEDOUT);
    rt_mailbox_free(m);
    rt_gate_free(g);
}

TEST_MAIN()
