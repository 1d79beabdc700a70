/* cmd_exec.c — `boxagent exec` (placeholder until its layer lands). */
#include <stdio.h>

#include "cli/commands.h"

int cmd_exec(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "boxagent exec: not built yet\n");
    return 1;
}
