/* sluice: the command-line entry point. Parses global options and dispatches to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "operators/registry.h"
#include "runtime/base/errors.h"
#include "runtime/base/log.h"
#include "runtime/cli/cli.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: sluice [--log-level error|warn|info|debug] <command> [args]\n"
            "\n"
            "commands:\n"
            "  run JOB.json        run a job in the foreground until it finishes or is interrupted\n"
            "  plan JOB.json       print the physical plan (tasks, chains, channels)\n"
            "       [--dot]        ... as Graphviz dot instead\n"
            "\n"
            "options:\n"
            "  --help              this text\n"
            "  --version           the version\n"
            "  --log-level LEVEL   log verbosity on stderr (default info)\n"
            "\n"
            "operators:\n");
    for (size_t i = 0; i < op_registry_count(); i++) {
        const op_type *t = op_registry_at(i);
        fprintf(out, "  %-12s %-9s %s\n", t->info.name, graph_vertex_kind_name(t->info.kind),
                t->help ? t->help : "");
    }
    fprintf(out, "\nexit codes: 0 finished, 1 failed, 2 bad usage or bad job, 130 canceled\n");
}

int main(int argc, char **argv)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
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
    if (strcmp(argv[i], "run") == 0)
        return cli_cmd_run(argc - i, argv + i);
    if (strcmp(argv[i], "plan") == 0)
        return cli_cmd_plan(argc - i, argv + i);
    fprintf(stderr, "sluice: unknown command \"%s\"\n", argv[i]);
    usage(stderr);
    return CLI_EXIT_USAGE;
}
