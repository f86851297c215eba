/* `sluice plan`: validate a job file and print its physical plan, as text or Graphviz dot.
 * Also holds cli_load_job, shared by every subcommand that reads a job file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/codec.h"
#include "graph/plan.h"
#include "operators/registry.h"
#include "runtime/cli/cli.h"

int cli_load_job(const char *path, graph_job **out)
{
    rt_err err = {0};
    if (graph_codec_parse_file(path, op_registry_catalog(), out, &err) != 0) {
        fprintf(stderr, "sluice: %s\n", err.msg);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

int cli_cmd_plan(int argc, char **argv)
{
    const char *path = NULL;
    int dot = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dot") == 0)
            dot = 1;
        else if (argv[i][0] == '-' || path) {
            fprintf(stderr, "sluice plan: unexpected argument \"%s\"\n", argv[i]);
            return CLI_EXIT_USAGE;
        } else
            path = argv[i];
    }
    if (!path) {
        fprintf(stderr, "usage: sluice plan JOB.json [--dot]\n");
        return CLI_EXIT_USAGE;
    }
    graph_job *job = NULL;
    int rc = cli_load_job(path, &job);
    if (rc != 0)
        return rc;
    graph_plan *plan = NULL;
    rt_err err = {0};
    if (graph_plan_build(job, &plan, &err) != 0) {
        fprintf(stderr, "sluice: %s: %s\n", path, err.msg);
        graph_job_free(job);
        return CLI_EXIT_USAGE;
    }
    char *text = dot ? graph_plan_format_dot(job, plan) : graph_plan_format_text(job, plan);
    fputs(text, stdout);
    free(text);
    graph_plan_free(plan);
    graph_job_free(job);
    return CLI_EXIT_FINISHED;
}
