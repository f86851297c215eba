/* The sluice command line: one function per subcommand, dispatched by main.c. */
#ifndef SLUICE_RUNTIME_CLI_CLI_H
#define SLUICE_RUNTIME_CLI_CLI_H

/* Exit codes of the sluice command (documented in README.md). */
enum cli_exit {
    CLI_EXIT_FINISHED = 0, /* the job finished (or the command succeeded) */
    CLI_EXIT_FAILED = 1,   /* the job failed */
    CLI_EXIT_USAGE = 2,    /* bad usage or a bad job file */
    CLI_EXIT_CANCELED = 130, /* canceled by SIGINT/SIGTERM (128 + SIGINT, as shells report it) */
};

/* `sluice run JOB.json [options]`; argv[0] is "run". Returns an exit code. */
int cli_cmd_run(int argc, char **argv);
/* `sluice plan JOB.json [--dot]`; argv[0] is "plan". Returns an exit code. */
int cli_cmd_plan(int argc, char **argv);
/* Loads and validates a job file against the operator registry; prints the error and returns
 * CLI_EXIT_USAGE on failure, 0 on success. *out: free with graph_job_free. */
struct graph_job;
int cli_load_job(const char *path, struct graph_job **out);

#endif
