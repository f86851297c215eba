/* The sluice command line: one function per subcommand, dispatched by main.c. */
#ifndef SLUICE_RUNTIME_CLI_CLI_H
#define SLUICE_RUNTIME_CLI_CLI_H

/* Exit codes of the sluice command (documented in README.md). */
enum cli_exit {
    CLI_EXIT_FINISHED = 0, /* finished or stopped with a savepoint (or the command succeeded) */
    CLI_EXIT_FAILED = 1,   /* the job failed (after the restarts its strategy allows) */
    CLI_EXIT_USAGE = 2,    /* bad usage, a bad job file, or state that does not fit the job */
    CLI_EXIT_CANCELED = 130, /* SIGINT, or SIGTERM without --savepoint-on-stop (128 + SIGINT) */
};

/* `sluice run JOB.json [options]`; argv[0] is "run". Returns an exit code. */
int cli_cmd_run(int argc, char **argv);
/* `sluice plan JOB.json [--dot]`; argv[0] is "plan". Returns an exit code. */
int cli_cmd_plan(int argc, char **argv);
/* `sluice binlog FILE...`; argv[0] is "binlog". Returns an exit code. */
int cli_cmd_binlog(int argc, char **argv);
/* `sluice generate ...`; argv[0] is "generate". Returns its own exit codes: 0 ok, 1 bad usage,
 * input or connection, 2 a merge needs --merge-key, 3 --create-tables met a differing table. */
int cli_cmd_generate(int argc, char **argv);
/* Loads and validates a job file against the operator registry; prints the error and returns
 * CLI_EXIT_USAGE on failure, 0 on success. *out: free with graph_job_free. */
struct graph_job;
int cli_load_job(const char *path, struct graph_job **out);

#endif
