/* cmd_sessions.c — `boxagent sessions` (placeholder until its layer lands). */
#include <stdio.h>

#include "cli/commands.h"

int cmd_sessions(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "boxagent sessions: not built yet\n");
    return 1;
}
