/* `sluice binlog FILE...`: decode MySQL / MariaDB binlog files offline into changelog JSON lines
 * with the position (and GTID) of each event: the way people inspect what happened, and the way
 * tests run whole fixture files through the decoder (operators/mysql/binlog_print.c). */
#include <stdio.h>
#include <string.h>

#include "operators/mysql/binlog_print.h"
#include "runtime/cli/cli.h"

int cli_cmd_binlog(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fprintf(argc < 2 ? stderr : stdout, "usage: sluice binlog FILE...\n");
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_FINISHED;
    }
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-') {
            fprintf(stderr, "sluice binlog: unexpected option \"%s\"\n", argv[i]);
            return CLI_EXIT_USAGE;
        }
    }
    rt_err err = {0};
    int rc = op_binlog_print_files(argv + 1, (size_t)(argc - 1), stdout, &err);
    fflush(stdout);
    if (rc != 0) {
        fprintf(stderr, "sluice binlog: %s\n", err.msg);
        return rc == RT_EINVAL || rc == RT_ENOTFOUND ? CLI_EXIT_USAGE : CLI_EXIT_FAILED;
    }
    return CLI_EXIT_FINISHED;
}
