/* sink_sender: the sender thread of one starrocks sink subtask. It runs the subtask's sends
 * (a transaction's begin and load, or a plain Stream Load) one at a time and in the order they
 * were submitted, while the task thread formats the next body: double buffering, with at most one
 * send in flight, so the loads of one transaction stay sequential (notes §2.4).
 *
 * Threads: every call but the send functions themselves is made by the task thread. A successful
 * op_sr_sender_wait (or the wait inside submit and stop) orders everything the finished send did
 * before what the task thread does next: between a wait and the next submit the task thread has
 * the client, the ledger and whatever the sends touch to itself. */
#ifndef SLUICE_OPERATORS_STARROCKS_SINK_SENDER_H
#define SLUICE_OPERATORS_STARROCKS_SINK_SENDER_H

#include "runtime/base/errors.h"

typedef struct op_sr_sender op_sr_sender;

/* A send, run on the sender thread: 0, or a negative code with err set. */
typedef int (*op_sr_send_fn)(void *arg, rt_err *err);

/* Starts the sender thread; *out: stop (and free) with op_sr_sender_stop. RT_ENOMEM, RT_EIO when
 * the thread cannot be started. */
int op_sr_sender_start(op_sr_sender **out, rt_err *err);

/* Waits for the send in flight, then hands fn(arg) to the thread and returns without waiting for
 * it; arg is borrowed until the next wait returns. Returns the code and message of the first
 * failed send instead (fn is then not run): a failure is sticky, every later submit and wait
 * returns it. */
int op_sr_sender_submit(op_sr_sender *s, op_sr_send_fn fn, void *arg, rt_err *err);

/* Waits until no send is in flight. 0, or the code and message of the first failed send
 * (sticky, as above). */
int op_sr_sender_wait(op_sr_sender *s, rt_err *err);

/* Waits for the send in flight (a send is never cut short: it ends within the client's
 * timeouts), stops and joins the thread and frees s. NULL is a no-op. */
void op_sr_sender_stop(op_sr_sender *s);

#endif
