/* cmd_run_wasm.c — `boxagent run-wasm` (placeholder until its layer lands). */
#include <stdio.h>

#include "cli/commands.h"

int cmd_run_wasm(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "boxagent run-wasm: not built yet\n");
    return 1;
}
