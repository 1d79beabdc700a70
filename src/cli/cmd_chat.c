/* cmd_chat.c — `boxagent chat` (placeholder until its layer lands). */
#include <stdio.h>

#include "cli/commands.h"

int cmd_chat(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "boxagent chat: not built yet\n");
    return 1;
}
