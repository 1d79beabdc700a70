/* cmd_run.c — `boxagent run` (placeholder until its layer lands). */
#include <stdio.h>

#include "cli/commands.h"

int cmd_run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "boxagent run: not built yet\n");
    return 1;
}
