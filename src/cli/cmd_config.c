/* cmd_config.c — `boxagent config` (placeholder until its layer lands). */
#include <stdio.h>

#include "cli/commands.h"

int cmd_config(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "boxagent config: not built yet\n");
    return 1;
}
