/* cmd_run.c — `boxagent run`: one task with an agent, streamed to the terminal (or as JSON
 * lines with --json). Exit status 0 when the model completed its answer, 1 when a guard,
 * cancellation or an error ended the run, 2 on a usage error. Ctrl-C cancels the run. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/launch.h"
#include "agent/render.h"
#include "cli/agent_opts.h"
#include "cli/commands.h"
#include "util/util.h"

static agent *volatile running_agent;
static volatile sig_atomic_t interrupts;

static void on_sigint(int sig)
{
    (void)sig;
    if (interrupts++ || !running_agent) _exit(130);
    agent_cancel(running_agent); /* an atomic store: async-signal-safe */
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: boxagent run [OPTIONS] \"task\"\n%s"
            "Runs one task. --access and --cap narrow the configured agent (never widen it);\n"
            "without .boxagent/config.json they define it (default: read-only, read:.).\n"
            "--managed gives the agent a delegate tool: subtasks run on parallel executor agents,\n"
            "each with a subset of its authority (also on when the agent is configured as a\n"
            "manager). Exit status 0 when the model completed its answer.\n",
            cli_agent_opts_help);
}

int cmd_run(int argc, char **argv)
{
    cli_agent_opts co;
    int rc = cli_agent_opts_parse(&co, "run", argc, argv, usage);
    if (rc >= 0) goto out;
    rc = 2;
    if (optind != argc - 1 || !*argv[optind]) {
        if (!(co.resume && optind == argc)) {
            usage(stderr);
            goto out;
        }
    }
    const char *task = optind < argc ? argv[optind] : NULL;
    agent_render r;
    agent_env env;
    rc = 1;
    if (!cli_agent_start(&co, "run", task, &r, &env)) goto out;
    running_agent = env.agent;
    struct sigaction sa = {.sa_handler = on_sigint};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    agent_result res;
    agent_outcome o = agent_run(env.agent, task, &res);
    running_agent = NULL;
    if (o != AGENT_DONE && !co.json)
        fprintf(stderr, "boxagent run: %s\n", res.message);
    rc = o == AGENT_DONE ? 0 : 1;
    agent_result_free(&res);
    agent_env_close(&env);
out:
    cli_agent_opts_free(&co);
    return rc;
}
