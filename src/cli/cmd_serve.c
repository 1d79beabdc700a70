/* cmd_serve.c — `boxagent serve` (placeholder until its layer lands). */
#include <stdio.h>

#include "cli/commands.h"

int cmd_serve(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "boxagent serve: not built yet\n");
    return 1;
}
