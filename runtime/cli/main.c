/* sluice: the command-line entry point. Parses global options and dispatches to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "operators/registry.h"
#include "runtime/base/errors.h"
#include "runtime/base/failpoint.h"
#include "runtime/base/log.h"
#include "runtime/cli/cli.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: sluice [--log-level error|warn|info|debug] [--url URL] [--token T |\n"
            "              --token-file F] [--json] <command> [args]\n"
            "\n"
            "commands:\n"
            "  run JOB.json        run a job in the foreground until it finishes or is interrupted\n"
            "      [--data-dir DIR]          take checkpoints (the job's \"checkpoint\" section)\n"
            "                                into DIR, resume from the latest one there, and\n"
            "                                restart after failures (the \"restart\" section)\n"
            "      [--savepoint-on-stop]     SIGTERM stops the job with a savepoint in\n"
            "                                DIR/savepoints (needs --data-dir); SIGINT cancels\n"
            "      [--from-savepoint PATH]   start from a savepoint (needs --data-dir)\n"
            "      [--batch-rows N] [--channel-capacity N]\n"
            "      [--metrics-file PATH]     write the job's metrics (Prometheus text) to PATH\n"
            "                                every 2 s and at exit\n"
            "  plan JOB.json       print the physical plan (tasks, chains, channels)\n"
            "       [--dot]        ... as Graphviz dot instead\n"
            "  binlog FILE...      decode MySQL/MariaDB binlog files into changelog JSON lines\n"
            "  generate --source mysql://USER@HOST:PORT --tables REGEX[,...]\n"
            "           --target starrocks://USER@FE:8030/DB [options]\n"
            "                      StarRocks DDL and a job from MySQL table metadata\n"
            "                      (sluice generate --help for its options and exit codes)\n"
            "\n"
            "commands that talk to sluiced (--url, default $SLUICE_URL or http://127.0.0.1:8081):\n"
            "  submit JOB.json [--savepoint PATH]   submit a job; prints its id\n"
            "  list                                 the jobs (id, name, state, start, restarts)\n"
            "  status ID                            state, failure, vertices, latest checkpoint\n"
            "  cancel ID [--no-wait]                cancel; waits until the job has ended\n"
            "  stop ID                              stop with a savepoint; prints its location\n"
            "  savepoint ID                         take a savepoint; prints its location\n"
            "  checkpoints ID                       the checkpoint history\n"
            "      [--timeout SECONDS]              how long cancel/stop/savepoint wait (300)\n"
            "      [--json]                         print the daemon's JSON unchanged\n"
            "\n"
            "options:\n"
            "  --help              this text\n"
            "  --version           the version\n"
            "  --log-level LEVEL   log verbosity on stderr (default info)\n"
            "  --url URL           sluiced's REST address (default $SLUICE_URL)\n"
            "  --token T           bearer token for sluiced (default $SLUICE_TOKEN)\n"
            "  --token-file F      ... read from the first line of F\n"
            "  --json              client commands print the daemon's JSON\n"
            "\n"
            "environment:\n"
            "  SLUICE_FAILPOINTS   failpoints to arm, for tests: name=action[@N[+]],...\n"
            "                      (actions: error, abort, exit, delay(MS))\n"
            "\n"
            "operators:\n");
    for (size_t i = 0; i < op_registry_count(); i++) {
        const op_type *t = op_registry_at(i);
        fprintf(out, "  %-12s %-9s %s\n", t->info.name, graph_vertex_kind_name(t->info.kind),
                t->help ? t->help : "");
    }
    fprintf(out, "\nexit codes: 0 finished (or stopped with a savepoint), 1 failed, 2 bad usage,\n"
                 "bad job or incompatible state, 130 canceled; client commands: 0 ok, 1 the\n"
                 "request failed, 2 bad usage, 3 sluiced unreachable, 4 not found, 5 unauthorized\n");
}

int main(int argc, char **argv)
{
    cli_remote remote = {0};
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        int r = cli_remote_parse_option(&remote, argc, argv, &i);
        if (r < 0)
            return CLI_EXIT_USAGE;
        if (r > 0)
            continue;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return CLI_EXIT_FINISHED;
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("sluice %s\n", SLUICE_VERSION);
            return CLI_EXIT_FINISHED;
        } else if (strcmp(argv[i], "--log-level") == 0 && i + 1 < argc) {
            rt_log_level level;
            if (rt_log_level_parse(argv[++i], &level) != 0) {
                fprintf(stderr, "sluice: unknown log level \"%s\"\n", argv[i]);
                return CLI_EXIT_USAGE;
            }
            rt_log_set_level(level);
        } else {
            fprintf(stderr, "sluice: unknown option \"%s\"\n", argv[i]);
            usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (i == argc) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    /* After --log-level, so that the "armed" warnings follow it; before any thread starts. */
    rt_err err;
    if (rt_failpoint_init(NULL, &err) != 0) {
        fprintf(stderr, "sluice: %s\n", err.msg);
        return CLI_EXIT_USAGE;
    }
    int code;
    if (strcmp(argv[i], "run") == 0)
        code = cli_cmd_run(argc - i, argv + i);
    else if (strcmp(argv[i], "plan") == 0)
        code = cli_cmd_plan(argc - i, argv + i);
    else if (strcmp(argv[i], "binlog") == 0)
        code = cli_cmd_binlog(argc - i, argv + i);
    else if (strcmp(argv[i], "generate") == 0)
        code = cli_cmd_generate(argc - i, argv + i);
    else
        code = cli_cmd_jobs(&remote, argc - i, argv + i);
    rt_failpoint_reset();
    if (code >= 0)
        return code;
    fprintf(stderr, "sluice: unknown command \"%s\"\n", argv[i]);
    usage(stderr);
    return CLI_EXIT_USAGE;
}
