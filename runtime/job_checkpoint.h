/* The job's checkpoint thread (internal to the runtime): owns the job's checkpoint coordinator,
 * ticks it, delivers its triggers and notifications to the task mailboxes, takes the tasks'
 * acks, and runs end of input with checkpoints on (the final checkpoint, then CLOSE) and
 * stop-with-savepoint (then cancel). Only jobs with a state backend have one. The public side
 * (rt_job_trigger_checkpoint, rt_job_checkpoint_wait, rt_job_checkpoint_history) is in job.h;
 * what tasks call is in task.h. */
#ifndef SLUICE_RUNTIME_JOB_CHECKPOINT_H
#define SLUICE_RUNTIME_JOB_CHECKPOINT_H

#include "runtime/task.h"

/* Builds the checkpointing side of job (its tasks built already). *out: rt_job_ckpt_free. */
int rt_job_ckpt_new(rt_job *job, rt_job_ckpt **out, rt_err *err);
/* Starts the checkpoint thread: 0 or pthread_create's error number. It counts in job->running
 * and ends (rt_job_thread_done) after the last task thread. */
int rt_job_ckpt_start(rt_job *job);
/* Wakes the checkpoint thread now (the job stops, the last task ended). Any thread. */
void rt_job_ckpt_wake(rt_job *job);
/* Joins the thread if it was started (its tasks must be done or canceled), frees the rest.
 * NULL is a no-op. */
void rt_job_ckpt_free(rt_job_ckpt *k);

#endif
