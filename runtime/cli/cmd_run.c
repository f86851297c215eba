/* `sluice run`: run one job in the foreground until it finishes, fails or is interrupted.
 * SIGINT/SIGTERM are blocked in every thread and taken synchronously here (sigtimedwait), so no
 * handler runs in the middle of a task and cancellation is an ordinary rt_job_cancel call. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "graph/codec.h"
#include "graph/plan.h"
#include "operators/registry.h"
#include "runtime/base/log.h"
#include "runtime/cli/cli.h"
#include "runtime/job.h"

static int parse_count(const char *s, size_t *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *end || v == 0 || v > (1u << 20))
        return -1;
    *out = (size_t)v;
    return 0;
}

/* Waits for the job, turning SIGINT/SIGTERM into a cancel. Returns the terminal status and
 * whether a signal arrived. */
static rt_job_status wait_job(rt_job *job, const sigset_t *signals, int *signaled)
{
    const struct timespec none = {0, 0};
    for (;;) {
        rt_job_status st = rt_job_wait(job, 100);
        if (rt_job_status_is_terminal(st))
            return st;
        int sig = sigtimedwait(signals, NULL, &none);
        if (sig > 0 && !*signaled) {
            LOG_INFO("received %s: canceling the job", sig == SIGINT ? "SIGINT" : "SIGTERM");
            *signaled = 1;
            rt_job_cancel(job);
        }
    }
}

int cli_cmd_run(int argc, char **argv)
{
    const char *path = NULL;
    rt_job_options opts = {0};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--batch-rows") == 0 && i + 1 < argc) {
            if (parse_count(argv[++i], &opts.batch_rows) != 0) {
                fprintf(stderr, "sluice run: --batch-rows takes a count from 1 to 1048576\n");
                return CLI_EXIT_USAGE;
            }
        } else if (strcmp(argv[i], "--channel-capacity") == 0 && i + 1 < argc) {
            if (parse_count(argv[++i], &opts.channel_capacity) != 0) {
                fprintf(stderr, "sluice run: --channel-capacity takes a count from 1 to 1048576\n");
                return CLI_EXIT_USAGE;
            }
        } else if (argv[i][0] == '-' || path) {
            fprintf(stderr, "sluice run: unexpected argument \"%s\"\n", argv[i]);
            return CLI_EXIT_USAGE;
        } else {
            path = argv[i];
        }
    }
    if (!path) {
        fprintf(stderr, "usage: sluice run JOB.json [--batch-rows N] [--channel-capacity N]\n");
        return CLI_EXIT_USAGE;
    }

    graph_job *job = NULL;
    int rc = cli_load_job(path, &job);
    if (rc != 0)
        return rc;
    rt_err err = {0};
    graph_plan *plan = NULL;
    rt_job *run = NULL;
    if (graph_plan_build(job, &plan, &err) != 0 ||
        rt_job_new(job, plan, op_registry_find, &opts, &run, &err) != 0) {
        fprintf(stderr, "sluice: %s: %s\n", path, err.msg);
        graph_plan_free(plan);
        graph_job_free(job);
        return CLI_EXIT_USAGE;
    }

    /* Block before the task threads exist so they inherit the mask. */
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);

    int signaled = 0;
    rt_job_status st;
    if (rt_job_start(run, &err) != 0) {
        st = RT_JOB_FAILED;
    } else {
        st = wait_job(run, &signals, &signaled);
    }
    int code;
    switch (st) {
    case RT_JOB_FINISHED:
        LOG_INFO("job %s finished", graph_job_name(job));
        code = CLI_EXIT_FINISHED;
        break;
    case RT_JOB_CANCELED:
        LOG_INFO("job %s canceled", graph_job_name(job));
        code = CLI_EXIT_CANCELED;
        break;
    default:
        if (err.code == 0)
            rt_job_failure(run, &err);
        fprintf(stderr, "sluice: job %s failed: %s\n", graph_job_name(job), err.msg);
        code = CLI_EXIT_FAILED;
        break;
    }
    rt_job_free(run);
    graph_plan_free(plan);
    graph_job_free(job);
    return code;
}
