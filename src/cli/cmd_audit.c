/* cmd_audit.c — `boxagent audit` (placeholder until its layer lands). */
#include <stdio.h>

#include "cli/commands.h"

int cmd_audit(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "boxagent audit: not built yet\n");
    return 1;
}
