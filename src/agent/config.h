/* config.h — the workspace configuration `<ws>/.boxagent/config.json`: providers, named agents
 * (model, access level, capabilities, system prompt, manager, depth, budgets). Loading validates
 * everything and names each error by its JSON path; defaults are least-privilege (read-only,
 * read:. of the workspace, no network, no exec). No global state: many configs may coexist.
 *
 * Format:
 *   {"providers": {"openai": {"type": "openai", "base_url": "...", "api_key_env": "OPENAI_API_KEY"}},
 *    "default_agent": "default",
 *    "agents": {"NAME": {"model": "openai/gpt-4.1", "access": "read-only",
 *                        "capabilities": ["read:.", "fetch:https://api.example.com", "timeout=30s"],
 *                        "system_prompt": "...", "manager": false, "max_depth": 0,
 *                        "max_turns": 50, "token_budget": 200000, "time_budget": "10m",
 *                        "context_window": 128000}}}
 * A provider's "type" (openai | anthropic | script) defaults to its name when that is one of
 * those. "api_key" may hold a key literally (discouraged); "api_key_env" names the variable.
 */
#ifndef BOXAGENT_AGENT_CONFIG_H
#define BOXAGENT_AGENT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"

/* Access levels, least to most. Mirrors the tool layer's levels (mapped by name). */
typedef enum agent_access {
    AGENT_ACCESS_SEARCH_ONLY = 0,
    AGENT_ACCESS_READ_ONLY,
    AGENT_ACCESS_WORKSPACE_WRITE,
    AGENT_ACCESS_FULL,
} agent_access;

bool agent_access_parse(const char *s, agent_access *out);
const char *agent_access_name(agent_access a);

typedef struct agent_provider_conf {
    char *name;        /* key under "providers" */
    char *type;        /* "openai", "anthropic" or "script" */
    char *base_url;    /* NULL: the provider's default / environment */
    char *api_key_env; /* NULL: the conventional variable */
    char *api_key;     /* literal key from the file (never printed) */
} agent_provider_conf;

typedef struct agent_def {
    char *name;
    char *model;        /* "provider/model" or NULL (use --model / environment) */
    agent_access access;
    char **caps;        /* capability and limit lines as written */
    size_t ncaps;
    char *system_prompt; /* extra instructions, may be NULL */
    bool manager;
    int max_depth;
    uint64_t max_turns, token_budget, time_budget_ms, context_window; /* 0 = default */
} agent_def;

typedef struct agent_config {
    char *workspace;     /* absolute */
    bool from_file;      /* false when no config.json exists (built-in defaults) */
    agent_provider_conf *providers;
    size_t nproviders;
    char *default_agent;
    agent_def *agents;
    size_t nagents;
} agent_config;

/* Every error found, each "JSON.path: message". */
typedef struct agent_config_errors {
    char **msgs;
    size_t n;
} agent_config_errors;

void agent_config_errors_free(agent_config_errors *e);

/* Load `<workspace>/.boxagent/config.json` (missing file => built-in defaults: one agent
 * "default", read-only, read:.). Returns NULL when there were errors (all listed in *errs). */
agent_config *agent_config_load(const char *workspace, agent_config_errors *errs);
/* Parse configuration text (for tests and the gateway's edit endpoint). */
agent_config *agent_config_parse(const char *workspace, const char *json_text,
                                 agent_config_errors *errs);
void agent_config_free(agent_config *c);

const agent_def *agent_config_find(const agent_config *c, const char *name);
const agent_provider_conf *agent_config_provider(const agent_config *c, const char *name);

/* An agent resolved for running: the capability set is parsed and owned here. */
typedef struct agent_profile {
    char *name;
    char *model;          /* may be NULL */
    agent_access access;
    policy_set *policy;
    char *system_prompt;  /* may be NULL */
    bool manager;
    int max_depth;
    uint64_t max_turns, token_budget, time_budget_ms, context_window;
} agent_profile;

/* Resolve agent `name` (NULL = default agent). false + message in err on failure. */
bool agent_config_profile(const agent_config *c, const char *name, agent_profile *out, char *err,
                          size_t errlen);
void agent_profile_free(agent_profile *p);

/* Narrow a profile: access to min(current, *access) and capabilities to the intersection with
 * `cap_lines` (when ncaps > 0). Never widens. `dropped` (may be NULL) receives what the request
 * asked beyond the profile (caller frees). */
bool agent_profile_narrow(agent_profile *p, const agent_access *access, char *const *cap_lines,
                          size_t ncaps, char **dropped, char *err, size_t errlen);

#endif
