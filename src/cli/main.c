/* main.c — the `boxagent` command: global options and dispatch to sub-commands. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"

typedef struct command {
    const char *name;
    int (*fn)(int, char **);
    const char *summary;
} command;

static const command commands[] = {
    {"run", cmd_run, "run one task with an agent, streamed to the terminal"},
    {"chat", cmd_chat, "interactive session with an agent"},
    {"sessions", cmd_sessions, "list, show or delete stored sessions"},
    {"serve", cmd_serve, "HTTP API and dashboard"},
    {"run-wasm", cmd_run_wasm, "run a WASI command module under capabilities"},
    {"exec", cmd_exec, "run a native program inside the jail"},
    {"tool", cmd_tool, "list tools or call one exactly as an agent would"},
    {"audit", cmd_audit, "list or verify the tamper-evident audit log"},
    {"config", cmd_config, "validate the workspace configuration"},
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: boxagent [--help] [--version] COMMAND [ARGS...]\n"
            "\n"
            "An AI-agent runtime in which the model is untrusted and the runtime is\n"
            "authoritative: every tool call runs in a sandbox whose authority is a\n"
            "capability set from configuration.\n"
            "\n"
            "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'boxagent COMMAND --help' describes a command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *c = argv[1];
    if (!strcmp(c, "--help") || !strcmp(c, "-h") || !strcmp(c, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(c, "--version") || !strcmp(c, "-V")) {
        printf("boxagent %s\n", BOXAGENT_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(c, commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "boxagent: unknown command '%s' (see 'boxagent --help')\n", c);
    return 2;
}
