/* `sluice run`: run one job in the foreground under a job master (restarts, checkpoints in
 * --data-dir, restore) until it finishes, fails or is interrupted. SIGINT/SIGTERM are blocked in
 * every thread and taken synchronously here (sigtimedwait), so no handler runs in the middle of a
 * task and cancellation is an ordinary function call. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "graph/codec.h"
#include "operators/registry.h"
#include "runtime/base/log.h"
#include "runtime/cli/cli.h"
#include "runtime/base/clock.h"
#include "runtime/job_master.h"
#include "runtime/metrics.h"

#define RUN_USAGE                                                                                  \
    "usage: sluice run JOB.json [--data-dir DIR] [--savepoint-on-stop] [--from-savepoint PATH]\n"  \
    "                           [--batch-rows N] [--channel-capacity N] [--metrics-file PATH]\n"

/* How often --metrics-file is rewritten while the job runs (and once more at the end). */
#define METRICS_FILE_INTERVAL_MS 2000

typedef struct run_args {
    const char *path;
    const char *data_dir;
    const char *from_savepoint;
    const char *metrics_file;
    bool savepoint_on_stop;
    rt_job_options job;
} run_args;

static int parse_count(const char *s, size_t *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *end || v == 0 || v > (1u << 20))
        return -1;
    *out = (size_t)v;
    return 0;
}

/* Returns 0, or CLI_EXIT_USAGE after printing why. */
static int parse_args(int argc, char **argv, run_args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(arg, "--batch-rows") == 0 && has_value) {
            if (parse_count(argv[++i], &a->job.batch_rows) != 0) {
                fprintf(stderr, "sluice run: --batch-rows takes a count from 1 to 1048576\n");
                return CLI_EXIT_USAGE;
            }
        } else if (strcmp(arg, "--channel-capacity") == 0 && has_value) {
            if (parse_count(argv[++i], &a->job.channel_capacity) != 0) {
                fprintf(stderr, "sluice run: --channel-capacity takes a count from 1 to 1048576\n");
                return CLI_EXIT_USAGE;
            }
        } else if (strcmp(arg, "--data-dir") == 0 && has_value) {
            a->data_dir = argv[++i];
        } else if (strcmp(arg, "--from-savepoint") == 0 && has_value) {
            a->from_savepoint = argv[++i];
        } else if (strcmp(arg, "--metrics-file") == 0 && has_value) {
            a->metrics_file = argv[++i];
        } else if (strcmp(arg, "--savepoint-on-stop") == 0) {
            a->savepoint_on_stop = true;
        } else if (arg[0] == '-' || a->path) {
            fprintf(stderr, "sluice run: unexpected argument \"%s\"\n", arg);
            return CLI_EXIT_USAGE;
        } else {
            a->path = arg;
        }
    }
    if (!a->path) {
        fputs(RUN_USAGE, stderr);
        return CLI_EXIT_USAGE;
    }
    /* Savepoints live in the data directory's state backend: without one there is nowhere to
     * write a savepoint to, or import one into. */
    if (!a->data_dir && (a->savepoint_on_stop || a->from_savepoint)) {
        fprintf(stderr, "sluice run: %s needs --data-dir\n",
                a->from_savepoint ? "--from-savepoint" : "--savepoint-on-stop");
        return CLI_EXIT_USAGE;
    }
    return 0;
}

/* Stop-with-savepoint blocks until the savepoint is written; it runs on its own thread so that
 * the main thread keeps serving signals (a SIGINT meanwhile still cancels at once). */
typedef struct stopper {
    rt_job_master *jm;
    pthread_t thread;
    bool started;
    char path[4096];
} stopper;

static void *stop_main(void *arg)
{
    stopper *s = arg;
    rt_err err = {0};
    if (rt_job_master_stop_with_savepoint(s->jm, s->path, sizeof s->path, &err) != 0) {
        /* SIGTERM means "go away": without a savepoint, end the way SIGTERM always did. */
        LOG_ERROR("stop-with-savepoint failed: %s; canceling the job", err.msg);
        s->path[0] = '\0';
        rt_job_master_cancel(s->jm);
    }
    return NULL;
}

/* --metrics-file: the Prometheus text of the job's registry, for people and scripts until the
 * REST API serves it. A failure is logged once per streak, not every interval. */
typedef struct metrics_file {
    const char *path; /* NULL: none */
    int64_t next_ms;
    bool failing;
} metrics_file;

static void metrics_file_write(metrics_file *f, rt_job_master *jm)
{
    if (!f->path)
        return;
    f->next_ms = rt_clock_mono_ms() + METRICS_FILE_INTERVAL_MS;
    rt_err err = {0};
    if (rt_metrics_write_file(rt_job_master_metrics(jm), f->path, &err) != 0) {
        if (!f->failing)
            LOG_WARN("%s", err.msg);
        f->failing = true;
    } else {
        f->failing = false;
    }
}

/* Waits for the master, turning SIGINT into a cancel and SIGTERM into a cancel or, with
 * --savepoint-on-stop, a stop-with-savepoint (a second SIGTERM cancels). Rewrites the metrics
 * file meanwhile. */
static rt_job_master_status wait_master(rt_job_master *jm, const sigset_t *signals,
                                        bool savepoint_on_stop, stopper *stop, metrics_file *mf)
{
    const struct timespec none = {0, 0};
    bool canceled = false;
    for (;;) {
        rt_job_master_status st = rt_job_master_wait(jm, 100);
        if (rt_job_master_status_is_terminal(st))
            return st;
        if (mf->path && rt_clock_mono_ms() >= mf->next_ms)
            metrics_file_write(mf, jm);
        int sig = sigtimedwait(signals, NULL, &none);
        if (sig <= 0 || canceled)
            continue;
        if (sig == SIGTERM && savepoint_on_stop && !stop->started) {
            LOG_INFO("received SIGTERM: stopping the job with a savepoint");
            stop->jm = jm;
            stop->started = pthread_create(&stop->thread, NULL, stop_main, stop) == 0;
            if (stop->started)
                continue;
            LOG_ERROR("cannot start the stop-with-savepoint thread");
        }
        LOG_INFO("received %s: canceling the job", sig == SIGINT ? "SIGINT" : "SIGTERM");
        canceled = true;
        rt_job_master_cancel(jm);
    }
}

/* Exit code for an error before the job ran: the job file or the state does not fit, unless the
 * cause is transient (I/O, a locked data directory), which is a failure to run. */
static int start_exit_code(int code)
{
    return rt_err_is_transient(code) ? CLI_EXIT_FAILED : CLI_EXIT_USAGE;
}

int cli_cmd_run(int argc, char **argv)
{
    run_args a = {0};
    int rc = parse_args(argc, argv, &a);
    if (rc != 0)
        return rc;

    graph_job *job = NULL;
    rc = cli_load_job(a.path, &job);
    if (rc != 0)
        return rc;
    const char *name = graph_job_name(job);
    /* Without a data directory: no checkpoints, and so no restarts either (a restart would
     * replay every source from its beginning into the sinks). */
    const graph_restart_cfg no_restart = {.strategy = GRAPH_RESTART_NONE, .multiplier = 1.0};
    if (!a.data_dir && graph_job_checkpoint(job)->interval_ms > 0)
        LOG_WARN("job %s sets a checkpoint interval, but without --data-dir it takes no "
                 "checkpoints",
                 name);

    rt_err err = {0};
    rt_job_master *jm = NULL;
    rt_job_master_options opts = {
        .job = a.job,
        .data_dir = a.data_dir,
        .from_savepoint = a.from_savepoint,
        .restart = a.data_dir ? NULL : &no_restart,
    };
    if (rt_job_master_new(job, op_registry_find, &opts, &jm, &err) != 0) {
        fprintf(stderr, "sluice: %s: %s\n", a.path, err.msg);
        graph_job_free(job);
        return CLI_EXIT_USAGE;
    }

    /* Block before the master's and the tasks' threads exist so they inherit the mask. */
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);

    if (rt_job_master_start(jm, &err) != 0) {
        fprintf(stderr, "sluice: %s: %s\n", a.path, err.msg);
        rt_job_master_free(jm);
        graph_job_free(job);
        return start_exit_code(err.code);
    }
    stopper stop = {0};
    metrics_file mf = {.path = a.metrics_file};
    metrics_file_write(&mf, jm); /* at once: every series is there, at 0 */
    rt_job_master_status st = wait_master(jm, &signals, a.savepoint_on_stop, &stop, &mf);
    if (stop.started)
        pthread_join(stop.thread, NULL);
    metrics_file_write(&mf, jm); /* the final counts: the master's attempts have all ended */

    int code;
    switch (st) {
    case RT_JOB_MASTER_FINISHED:
        LOG_INFO("job %s finished", name);
        code = CLI_EXIT_FINISHED;
        break;
    case RT_JOB_MASTER_STOPPED:
        LOG_INFO("job %s stopped; savepoint: %s", name, stop.path);
        code = CLI_EXIT_FINISHED;
        break;
    case RT_JOB_MASTER_CANCELED:
        LOG_INFO("job %s canceled", name);
        code = CLI_EXIT_CANCELED;
        break;
    default:
        rt_job_master_failure(jm, &err);
        fprintf(stderr, "sluice: job %s failed: %s\n", name, err.msg);
        code = CLI_EXIT_FAILED;
        break;
    }
    rt_job_master_free(jm);
    graph_job_free(job);
    return code;
}
