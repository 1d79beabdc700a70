/* launch.c — resolves configuration, profile narrowing, provider, store and audit log into a
 * ready agent (see launch.h). */
#include "agent/launch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "util/buf.h"
#include "util/util.h"

llm_provider *agent_provider_for(const agent_config *cfg, const char *spec, uint64_t ctx_window,
                                 char **err)
{
    char *prov = NULL, *model = NULL;
    if (!llm_split_model(spec, &prov, &model)) {
        *err = xasprintf("model \"%s\": expected provider/model (e.g. openai/gpt-4.1, "
                         "anthropic/claude-sonnet-4-5, script/FILE)",
                         spec ? spec : "");
        return NULL;
    }
    const agent_provider_conf *pc = agent_config_provider(cfg, prov);
    /* a relative script path: the current directory first, then the workspace */
    if (!strcmp(pc ? pc->type : prov, "script") && model[0] != '/' && cfg &&
        access(model, R_OK) != 0) {
        char *ws = xasprintf("%s/%s", cfg->workspace, model);
        free(model);
        model = ws;
    }
    llm_options o = {.type = pc ? pc->type : prov,
                     .model = model,
                     .base_url = pc ? pc->base_url : NULL,
                     .api_key = pc ? pc->api_key : NULL,
                     .api_key_env = pc ? pc->api_key_env : NULL,
                     .context_window = ctx_window};
    const char *v = getenv("BOXAGENT_LLM_RETRIES");
    uint64_t n;
    if (v && util_parse_u64(v, &n) && n < 20) o.max_retries = n ? (int)n : -1;
    llm_error e;
    llm_provider *p = llm_provider_new(&o, &e);
    if (!p) *err = xasprintf("model %s: %s", spec, e.message);
    free(prov);
    free(model);
    return p;
}

static const char *env_model(void)
{
    const char *a = getenv("ANTHROPIC_API_KEY"), *o = getenv("OPENAI_API_KEY"),
               *ob = getenv("OPENAI_BASE_URL"), *ab = getenv("ANTHROPIC_BASE_URL");
    if ((a && *a) || (ab && *ab)) return "anthropic/claude-sonnet-4-5";
    if ((o && *o) || (ob && *ob)) return "openai/gpt-4.1";
    return NULL;
}

bool agent_env_open(const agent_launch *l, agent_env *out, char **err)
{
    memset(out, 0, sizeof *out);
    *err = NULL;
    agent_config_errors ce = {0};
    out->cfg = agent_config_load(l->workspace ? l->workspace : ".", &ce);
    if (!out->cfg) {
        buf b = BUF_INIT;
        for (size_t i = 0; i < ce.n; i++) buf_printf(&b, "%sconfig: %s", i ? "\n" : "", ce.msgs[i]);
        agent_config_errors_free(&ce);
        *err = buf_steal(&b);
        return false;
    }
    char e[512];
    if (!agent_config_profile(out->cfg, l->agent_name, &out->profile, e, sizeof e)) {
        *err = xstrdup(e);
        goto fail;
    }
    agent_access acc;
    if (l->access && !agent_access_parse(l->access, &acc)) {
        *err = xasprintf("--access: unknown access level \"%s\" (search-only, read-only, "
                         "workspace-write, full)", l->access);
        goto fail;
    }
    if (!out->cfg->from_file) {
        /* no configuration: the command line defines the agent */
        if (l->access) out->profile.access = acc;
        if (l->ncaps) {
            policy_set *ps = policy_new(out->cfg->workspace);
            for (size_t i = 0; ps && i < l->ncaps; i++) {
                policy_error pe = {0};
                if (!policy_add_line(ps, l->caps[i], (int)i + 1, &pe)) {
                    *err = xasprintf("--cap %s: %s", l->caps[i], pe.message);
                    policy_free(ps);
                    goto fail;
                }
            }
            if (!ps) {
                *err = xstrdup("workspace path is not usable");
                goto fail;
            }
            policy_free(out->profile.policy);
            out->profile.policy = ps;
        }
    } else if (!agent_profile_narrow(&out->profile, l->access ? &acc : NULL, l->caps, l->ncaps,
                                     &out->dropped, e, sizeof e)) {
        *err = xstrdup(e);
        goto fail;
    }
    const char *model = l->model ? l->model : out->profile.model ? out->profile.model : env_model();
    if (!model) {
        *err = xstrdup("no model: pass --model provider/model (e.g. script/FILE, openai/gpt-4.1, "
                       "anthropic/claude-sonnet-4-5) or set OPENAI_API_KEY / ANTHROPIC_API_KEY");
        goto fail;
    }
    out->model = xstrdup(model);
    out->llm = agent_provider_for(out->cfg, model, out->profile.context_window, err);
    if (!out->llm) goto fail;
    if (l->shared_store) out->store = l->shared_store;
    else if (!l->no_store) {
        out->store = store_open(out->cfg->workspace, err);
        if (!out->store) goto fail;
        out->own_store = true;
    }
    if (l->shared_audit) out->audit = l->shared_audit;
    else if (!l->no_audit) {
        char *ae = NULL;
        out->audit = audit_open(out->cfg->workspace, &ae);
        if (!out->audit) {
            *err = xasprintf("audit log: %s", ae ? ae : "cannot open");
            free(ae);
            goto fail;
        }
        out->own_audit = true;
    }
    agent_opts o = {
        .workspace = out->cfg->workspace,
        .name = out->profile.name,
        .access = (tools_access)out->profile.access,
        .caps = out->profile.policy,
        .llm = out->llm,
        .audit = out->audit,
        .store = out->store,
        .system_extra = out->profile.system_prompt,
        .max_turns = l->max_turns ? l->max_turns : out->profile.max_turns,
        .token_budget = l->token_budget ? l->token_budget : out->profile.token_budget,
        .time_budget_ms = l->time_budget_ms ? l->time_budget_ms : out->profile.time_budget_ms,
        .context_window = out->profile.context_window,
        .on_event = l->on_event,
        .event_user = l->event_user,
    };
    /* the profile's own budgets cannot be widened from the command line */
    if (out->profile.max_turns && o.max_turns > out->profile.max_turns)
        o.max_turns = out->profile.max_turns;
    if (out->profile.token_budget && o.token_budget > out->profile.token_budget)
        o.token_budget = out->profile.token_budget;
    if (out->profile.time_budget_ms && o.time_budget_ms > out->profile.time_budget_ms)
        o.time_budget_ms = out->profile.time_budget_ms;
    if (l->managed || out->profile.manager) {
        /* managed mode: the delegate tool runs executors with attenuated authority */
        out->managed = xcalloc(1, sizeof *out->managed);
        *out->managed = (agent_managed){
            .cfg = out->cfg,
            .manager_model = out->model,
            .max_depth = out->profile.max_depth > 0 ? out->profile.max_depth : 1,
            .max_turns = o.max_turns,
            .token_budget = o.token_budget,
            .time_budget_ms = o.time_budget_ms,
            .on_event = l->on_event,
            .event_user = l->event_user,
        };
        if (!agent_managed_init(out->managed, err)) {
            free(out->managed);
            out->managed = NULL;
            goto fail;
        }
        o.registry = agent_managed_registry(out->managed);
    }
    out->agent = agent_new(&o, err);
    if (!out->agent) goto fail;
    if (out->managed) agent_managed_bind(out->managed, out->agent);
    return true;
fail:
    agent_env_close(out);
    return false;
}

void agent_env_close(agent_env *e)
{
    agent_free(e->agent);
    if (e->managed) {
        agent_managed_free(e->managed);
        free(e->managed);
    }
    free(e->model);
    llm_provider_free(e->llm);
    if (e->own_store) store_close(e->store);
    if (e->own_audit) audit_close(e->audit);
    agent_profile_free(&e->profile);
    agent_config_free(e->cfg);
    free(e->dropped);
    memset(e, 0, sizeof *e);
}
