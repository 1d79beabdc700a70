/* cmd_tool.c — `boxagent tool` (placeholder until its layer lands). */
#include <stdio.h>

#include "cli/commands.h"

int cmd_tool(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "boxagent tool: not built yet\n");
    return 1;
}
