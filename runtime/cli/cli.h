/* The sluice command line: one function per subcommand, dispatched by main.c. */
#ifndef SLUICE_RUNTIME_CLI_CLI_H
#define SLUICE_RUNTIME_CLI_CLI_H

#include <stdbool.h>

/* Exit codes of the sluice command (documented in README.md). */
enum cli_exit {
    CLI_EXIT_FINISHED = 0, /* finished or stopped with a savepoint (or the command succeeded) */
    CLI_EXIT_FAILED = 1,   /* the job failed (after the restarts its strategy allows) */
    CLI_EXIT_USAGE = 2,    /* bad usage, a bad job file, or state that does not fit the job */
    CLI_EXIT_CANCELED = 130, /* SIGINT, or SIGTERM without --savepoint-on-stop (128 + SIGINT) */
    /* The client commands (submit, list, ...): 1 is "the daemon refused the request". */
    CLI_EXIT_UNREACHABLE = 3,  /* sluiced cannot be reached (refused, unknown host, timeout) */
    CLI_EXIT_NOT_FOUND = 4,    /* HTTP 404: no such job (or trigger, or route) */
    CLI_EXIT_UNAUTHORIZED = 5, /* HTTP 401: the token is missing or wrong */
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

/* Where the client commands find sluiced. Strings are borrowed from argv. Unset fields fall back
 * to $SLUICE_URL (else http://127.0.0.1:8081) and $SLUICE_TOKEN. */
typedef struct cli_remote {
    const char *url;
    const char *token;
    const char *token_file; /* its first line is the token; used when token is NULL */
    bool json;              /* print the daemon's JSON unchanged */
} cli_remote;
/* Parses the client option at argv[*i] (--url U, --token T, --token-file F, --json), moving *i
 * past its value. Returns 1 when it was one, 0 when argv[*i] is something else, -1 (after
 * printing why) when its value is missing. */
int cli_remote_parse_option(cli_remote *r, int argc, char **argv, int *i);
/* `sluice submit|list|status|cancel|stop|savepoint|checkpoints ...`; argv[0] is the command.
 * Returns an exit code (0, 1, 2, 3, 4 or 5 above), or -1 when argv[0] is none of them. */
int cli_cmd_jobs(const cli_remote *remote, int argc, char **argv);

#endif
