/* A task's mailbox (internal to the runtime): the control messages other threads send a task
 * (checkpoint triggers, checkpoint notifications, close), queued in order and served by the
 * task's own thread between two elements or two polls, so operator slots never run elsewhere. */
#ifndef SLUICE_RUNTIME_MAILBOX_H
#define SLUICE_RUNTIME_MAILBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/base/errors.h"
#include "runtime/channel.h"

typedef enum rt_mail_kind {
    RT_MAIL_TRIGGER,         /* take checkpoint `checkpoint_id` (sources, tasks at end of input) */
    RT_MAIL_NOTIFY_COMPLETE, /* checkpoint `checkpoint_id` is durable */
    RT_MAIL_NOTIFY_ABORTED,  /* checkpoint `checkpoint_id` will never complete */
    RT_MAIL_CLOSE,           /* the job is done: close the chain and exit */
} rt_mail_kind;

/* "trigger", "notify_complete", "notify_aborted", "close". */
const char *rt_mail_kind_name(rt_mail_kind k);

typedef struct rt_mail {
    rt_mail_kind kind;
    uint64_t checkpoint_id;
    bool savepoint; /* TRIGGER */
    bool stop;      /* TRIGGER and NOTIFY_*: stop-with-savepoint */
} rt_mail;

typedef struct rt_mailbox rt_mailbox;

/* A new, empty mailbox. gate (borrowed, may be NULL) is woken by every post, so that a task
 * blocked in rt_gate_pop serves its mail at once; a task without inputs waits in
 * rt_mailbox_wait instead. NULL on OOM. Free with rt_mailbox_free. */
rt_mailbox *rt_mailbox_new(rt_gate *gate);
/* Frees the mailbox and the mail still queued. No thread may use it any more. NULL is a no-op. */
void rt_mailbox_free(rt_mailbox *m);

/* Queues a copy of mail and wakes the task. 0 or RT_ENOMEM. Any thread. */
int rt_mailbox_post(rt_mailbox *m, const rt_mail *mail, rt_err *err);
/* Takes the oldest mail without waiting: true with *out, false when the mailbox is empty.
 * The task's thread only. */
bool rt_mailbox_take(rt_mailbox *m, rt_mail *out);
/* Waits up to timeout_ms (-1: forever) for mail: 0 when some is queued (take it), RT_ETIMEDOUT,
 * or RT_ECANCELED once the mailbox is canceled. The task's thread only. */
int rt_mailbox_wait(rt_mailbox *m, int64_t timeout_ms);
/* Makes every wait return RT_ECANCELED, now and later (job cancel or failure). Thread-safe. */
void rt_mailbox_cancel(rt_mailbox *m);
/* Mail queued now (tests). */
size_t rt_mailbox_count(rt_mailbox *m);

#endif
