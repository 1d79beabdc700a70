/* agent_opts.c — see agent_opts.h. */
#include "cli/agent_opts.h"

#include <stdlib.h>
#include <string.h>

#include "util/util.h"

const char cli_agent_opts_help[] =
    "  --workspace DIR        the workspace (default: the current directory)\n"
    "  --agent NAME           a configured agent (default: the configuration's default)\n"
    "  --model PROVIDER/MODEL openai/MODEL, anthropic/MODEL, script/FILE or a configured provider\n"
    "  --access LEVEL         search-only, read-only, workspace-write, full (narrows only)\n"
    "  --cap CAP              a capability or limit line (narrows a configured agent)\n"
    "  --json                 the event stream as JSON lines\n"
    "  --resume ID            continue a stored session\n"
    "  --max-turns N, --token-budget N, --time-budget DURATION   guards (narrow only)\n"
    "  --managed              offer the delegate tool (parallel executors, attenuated)\n";

int cli_agent_opts_parse(cli_agent_opts *o, const char *cmd, int argc, char **argv,
                         void (*usage)(FILE *))
{
    static const struct option opts[] = {
        {"workspace", required_argument, 0, 'w'},    {"agent", required_argument, 0, 'a'},
        {"model", required_argument, 0, 'm'},        {"access", required_argument, 0, 'A'},
        {"cap", required_argument, 0, 'c'},          {"json", no_argument, 0, 'j'},
        {"resume", required_argument, 0, 'r'},       {"max-turns", required_argument, 0, 'T'},
        {"token-budget", required_argument, 0, 'B'}, {"time-budget", required_argument, 0, 'D'},
        {"managed", no_argument, 0, 'M'},            {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    memset(o, 0, sizeof *o);
    o->launch.workspace = ".";
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "w:a:m:A:c:jr:h", opts, NULL)) != -1) {
        switch (c) {
        case 'w': o->launch.workspace = optarg; break;
        case 'a': o->launch.agent_name = optarg; break;
        case 'm': o->launch.model = optarg; break;
        case 'A': o->launch.access = optarg; break;
        case 'c':
            o->caps = xrealloc(o->caps, (o->ncaps + 1) * sizeof *o->caps);
            o->caps[o->ncaps++] = optarg;
            break;
        case 'j': o->json = true; break;
        case 'r': o->resume = optarg; break;
        case 'M': o->launch.managed = true; break;
        case 'T':
            if (!util_parse_u64(optarg, &o->launch.max_turns) || !o->launch.max_turns) {
                fprintf(stderr, "boxagent %s: --max-turns: expected a positive integer\n", cmd);
                return 2;
            }
            break;
        case 'B':
            if (!util_parse_u64(optarg, &o->launch.token_budget) || !o->launch.token_budget) {
                fprintf(stderr, "boxagent %s: --token-budget: expected a positive integer\n", cmd);
                return 2;
            }
            break;
        case 'D':
            if (!util_parse_duration_ms(optarg, &o->launch.time_budget_ms) ||
                !o->launch.time_budget_ms) {
                fprintf(stderr, "boxagent %s: --time-budget: expected a duration (30s, 5m)\n", cmd);
                return 2;
            }
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    o->launch.caps = o->caps;
    o->launch.ncaps = o->ncaps;
    return -1;
}

bool cli_agent_start(cli_agent_opts *o, const char *cmd, const char *title, agent_render *r,
                     agent_env *env)
{
    agent_render_init(r, stdout, o->json);
    agent_launch l = o->launch;
    l.on_event = agent_render_event;
    l.event_user = r;
    char *err = NULL;
    if (!agent_env_open(&l, env, &err)) {
        fprintf(stderr, "boxagent %s: %s\n", cmd, err);
        free(err);
        return false;
    }
    if (env->dropped && *env->dropped)
        fprintf(stderr, "boxagent %s: not granted (beyond the agent's capabilities):\n%s\n", cmd,
                env->dropped);
    bool ok = o->resume ? agent_session_resume(env->agent, o->resume, &err)
                        : agent_session_new(env->agent, title, &err);
    if (!ok) {
        fprintf(stderr, "boxagent %s: %s\n", cmd, err);
        free(err);
        agent_env_close(env);
    }
    return ok;
}

void cli_agent_opts_free(cli_agent_opts *o)
{
    free(o->caps);
    o->caps = NULL;
    o->ncaps = 0;
}
