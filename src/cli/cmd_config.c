/* cmd_config.c — `boxagent config check [--workspace DIR]`: validate the workspace
 * configuration and name every error by its JSON path; `config show` prints the resolved agents
 * (never API keys). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/config.h"
#include "cli/commands.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: boxagent config check [--workspace DIR]\n"
               "       boxagent config show  [--workspace DIR]\n"
               "Validates <workspace>/.boxagent/config.json; every error names its JSON path.\n");
}

int cmd_config(int argc, char **argv)
{
    const char *ws = ".";
    static const struct option opts[] = {{"workspace", required_argument, 0, 'w'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "w:h", opts, NULL)) != -1) {
        if (c == 'w') ws = optarg;
        else if (c == 'h') {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (optind >= argc || (strcmp(argv[optind], "check") && strcmp(argv[optind], "show"))) {
        usage(stderr);
        return 2;
    }
    bool show = !strcmp(argv[optind], "show");
    if (optind + 1 != argc) {
        usage(stderr);
        return 2;
    }
    agent_config_errors errs = {0};
    agent_config *cfg = agent_config_load(ws, &errs);
    if (!cfg) {
        for (size_t i = 0; i < errs.n; i++) fprintf(stderr, "config: %s\n", errs.msgs[i]);
        fprintf(stderr, "config: %zu error%s\n", errs.n, errs.n == 1 ? "" : "s");
        agent_config_errors_free(&errs);
        return 1;
    }
    int rc = 0;
    for (size_t i = 0; show && i < cfg->nproviders; i++) { /* never the key itself */
        const agent_provider_conf *p = &cfg->providers[i];
        printf("provider %s\n  type: %s\n  base_url: %s\n  key: %s%s\n", p->name, p->type,
               p->base_url ? p->base_url : "(default / environment)",
               p->api_key ? "set in config.json (prefer api_key_env)"
                          : p->api_key_env ? "from $" : "from the conventional variable",
               p->api_key ? "" : p->api_key_env ? p->api_key_env : "");
    }
    for (size_t i = 0; i < cfg->nagents; i++) {
        agent_profile p;
        char err[512];
        if (!agent_config_profile(cfg, cfg->agents[i].name, &p, err, sizeof err)) {
            fprintf(stderr, "config: %s\n", err);
            rc = 1;
            continue;
        }
        if (show) {
            char *caps = policy_format(p.policy);
            printf("agent %s%s\n  model: %s\n  access: %s\n  manager: %s (max_depth %d)\n"
                   "  capabilities:\n",
                   p.name, !strcmp(p.name, cfg->default_agent) ? " (default)" : "",
                   p.model ? p.model : "(from --model or the environment)",
                   agent_access_name(p.access), p.manager ? "yes" : "no", p.max_depth);
            for (char *s = caps, *nl; s && *s; s = nl + 1) {
                nl = strchr(s, '\n');
                if (!nl) {
                    printf("    %s\n", s);
                    break;
                }
                printf("    %.*s\n", (int)(nl - s), s);
            }
            free(caps);
        }
        agent_profile_free(&p);
    }
    if (!rc && !show)
        printf("%s: ok (%zu agent%s, default \"%s\")\n",
               cfg->from_file ? ".boxagent/config.json" : "no config.json, built-in defaults",
               cfg->nagents, cfg->nagents == 1 ? "" : "s", cfg->default_agent);
    agent_config_free(cfg);
    return rc;
}
