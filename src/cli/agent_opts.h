/* agent_opts.h — the options `boxagent run` and `boxagent chat` share (workspace, agent,
 * model, access, capabilities, JSON events, resume, budgets, managed mode), parsed once. */
#ifndef BOXAGENT_CLI_AGENT_OPTS_H
#define BOXAGENT_CLI_AGENT_OPTS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "agent/launch.h"
#include "agent/render.h"

typedef struct cli_agent_opts {
    agent_launch launch; /* caps point into `caps` */
    char **caps;
    size_t ncaps;
    bool json;
    const char *resume;
} cli_agent_opts;

/* Parse argv (from argv[1]); `cmd` names the command in messages. Returns -1 when the options
 * were parsed (the first operand is argv[optind]), otherwise the exit status to return:
 * 0 after --help, 2 on a usage error (the message and `usage` already printed). */
int cli_agent_opts_parse(cli_agent_opts *o, const char *cmd, int argc, char **argv,
                         void (*usage)(FILE *));
void cli_agent_opts_free(cli_agent_opts *o);

/* Open the agent the options describe, its events rendered to stdout through `r`, and start a
 * new session titled `title` (or resume --resume). Warns on stderr about capabilities asked
 * beyond the agent. false after printing why (then *env is closed). */
bool cli_agent_start(cli_agent_opts *o, const char *cmd, const char *title, agent_render *r,
                     agent_env *env);

/* One line per shared option, for the commands' usage texts. */
extern const char cli_agent_opts_help[];

#endif
