/* main.c — the `boxagent` command: global options and dispatch to sub-commands. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/forward.h"

/* 1 when this main is linked into the static `boxagent` (mk: BOXAGENT_STATIC_BUILD). */
#ifndef BOXAGENT_STATIC_BUILD
#define BOXAGENT_STATIC_BUILD 0
#endif

typedef struct command {
    const char *name;
    int (*fn)(int, char **); /* NULL: handed to boxagent-full (the static build) */
    const char *summary;
} command;

/* The commands that load libcurl/libmicrohttpd. The static build never runs them itself (they
 * are handed to boxagent-full), so it does not link them (nor libedit, the LLM clients and the
 * gateway behind them). */
#if BOXAGENT_STATIC_BUILD
#define NETWORK_COMMAND(fn) NULL
#else
#define NETWORK_COMMAND(fn) fn
#endif

static const command commands[] = {
    {"run", NETWORK_COMMAND(cmd_run), "run one task with an agent, streamed to the terminal"},
    {"chat", NETWORK_COMMAND(cmd_chat), "interactive session with an agent"},
    {"sessions", cmd_sessions, "list, show or delete stored sessions"},
    {"serve", NETWORK_COMMAND(cmd_serve), "HTTP API and dashboard"},
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
    cli_forward_init(argv, BOXAGENT_STATIC_BUILD);
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
        if (!strcmp(c, commands[i].name)) {
            if (!commands[i].fn) return cli_forward(c);
            return commands[i].fn(argc - 1, argv + 1);
        }
    fprintf(stderr, "boxagent: unknown command '%s' (see 'boxagent --help')\n", c);
    return 2;
}
