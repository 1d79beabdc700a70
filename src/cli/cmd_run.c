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
            "usage: boxagent run [--workspace DIR] [--agent NAME] [--model PROVIDER/MODEL]\n"
            "                    [--access LEVEL] [--cap CAP]... [--json] [--resume ID]\n"
            "                    [--max-turns N] [--token-budget N] [--time-budget DURATION]\n"
            "                    [--managed] \"task\"\n"
            "Runs one task. --access and --cap narrow the configured agent (never widen it);\n"
            "without .boxagent/config.json they define it (default: read-only, read:.).\n"
            "Models: openai/MODEL, anthropic/MODEL, script/FILE, or a provider from the config.\n"
            "--managed gives the agent a delegate tool: subtasks run on parallel executor agents,\n"
            "each with a subset of its authority (also on when the agent is configured as a\n"
            "manager).\n");
}

int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"workspace", required_argument, 0, 'w'}, {"agent", required_argument, 0, 'a'},
        {"model", required_argument, 0, 'm'},     {"access", required_argument, 0, 'A'},
        {"cap", required_argument, 0, 'c'},       {"json", no_argument, 0, 'j'},
        {"resume", required_argument, 0, 'r'},    {"max-turns", required_argument, 0, 'T'},
        {"token-budget", required_argument, 0, 'B'}, {"time-budget", required_argument, 0, 'D'},
        {"managed", no_argument, 0, 'M'},         {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    agent_launch l = {.workspace = "."};
    char **caps = NULL;
    size_t ncaps = 0;
    bool json = false;
    const char *resume = NULL;
    int c, rc = 2;
    optind = 1;
    while ((c = getopt_long(argc, argv, "w:a:m:A:c:jr:h", opts, NULL)) != -1) {
        switch (c) {
        case 'w': l.workspace = optarg; break;
        case 'a': l.agent_name = optarg; break;
        case 'm': l.model = optarg; break;
        case 'A': l.access = optarg; break;
        case 'c':
            caps = xrealloc(caps, (ncaps + 1) * sizeof *caps);
            caps[ncaps++] = optarg;
            break;
        case 'j': json = true; break;
        case 'M': l.managed = true; break;
        case 'r': resume = optarg; break;
        case 'T':
            if (!util_parse_u64(optarg, &l.max_turns) || !l.max_turns) {
                fprintf(stderr, "boxagent run: --max-turns: expected a positive integer\n");
                goto out;
            }
            break;
        case 'B':
            if (!util_parse_u64(optarg, &l.token_budget) || !l.token_budget) {
                fprintf(stderr, "boxagent run: --token-budget: expected a positive integer\n");
                goto out;
            }
            break;
        case 'D':
            if (!util_parse_duration_ms(optarg, &l.time_budget_ms) || !l.time_budget_ms) {
                fprintf(stderr, "boxagent run: --time-budget: expected a duration (30s, 5m)\n");
                goto out;
            }
            break;
        case 'h':
            usage(stdout);
            rc = 0;
            goto out;
        default: usage(stderr); goto out;
        }
    }
    if (optind != argc - 1 || !*argv[optind]) {
        if (!(resume && optind == argc)) {
            usage(stderr);
            goto out;
        }
    }
    const char *task = optind < argc ? argv[optind] : NULL;
    l.caps = caps;
    l.ncaps = ncaps;
    agent_render r;
    agent_render_init(&r, stdout, json);
    l.on_event = agent_render_event;
    l.event_user = &r;
    agent_env env;
    char *err = NULL;
    rc = 1;
    if (!agent_env_open(&l, &env, &err)) {
        fprintf(stderr, "boxagent run: %s\n", err);
        free(err);
        goto out;
    }
    if (env.dropped && *env.dropped)
        fprintf(stderr, "boxagent run: not granted (beyond the agent's capabilities):\n%s\n",
                env.dropped);
    bool ok = resume ? agent_session_resume(env.agent, resume, &err)
                     : agent_session_new(env.agent, task, &err);
    if (!ok) {
        fprintf(stderr, "boxagent run: %s\n", err);
        free(err);
        agent_env_close(&env);
        goto out;
    }
    running_agent = env.agent;
    struct sigaction sa = {.sa_handler = on_sigint};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    agent_result res;
    agent_outcome o = agent_run(env.agent, task, &res);
    running_agent = NULL;
    if (o != AGENT_DONE && !json)
        fprintf(stderr, "boxagent run: %s\n", res.message);
    rc = o == AGENT_DONE ? 0 : 1;
    agent_result_free(&res);
    agent_env_close(&env);
out:
    free(caps);
    return rc;
}
