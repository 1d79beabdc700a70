/* gw_turn.c — one agent turn for the gateway (see gw_turn.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/launch.h"
#include "gateway/gw_turn.h"
#include "util/util.h"

static void forward(void *user, const agent_event *ev)
{
    const gw_turn *t = user;
    json_t *j = agent_event_to_json(ev);
    const char *type = json_string_value(json_object_get(j, "type"));
    char name[32];
    snprintf(name, sizeof name, "%s", type ? type : "event");
    t->emit(t->user, name, j);
}

static void fail(const gw_turn *t, gw_turn_outcome *out, char *err)
{
    snprintf(out->status, sizeof out->status, "error");
    snprintf(out->message, sizeof out->message, "%s", err ? err : "unknown error");
    t->emit(t->user, "error", json_pack("{s:s}", "text", out->message));
    free(err);
}

void gw_turn_run(const gw_turn *t, gw_turn_outcome *out)
{
    memset(out, 0, sizeof *out);
    store_session ss = {0};
    char *err = NULL;
    if (!store_session_get(t->st, t->session_id, &ss, &err)) {
        fail(t, out, err);
        return;
    }
    agent_launch l = {
        .workspace = t->workspace,
        .agent_name = ss.agent && *ss.agent ? ss.agent : NULL,
        .model = ss.model && *ss.model ? ss.model : NULL,
        .shared_store = t->st,
        .shared_audit = t->audit,
        .on_event = forward,
        .event_user = (void *)t,
    };
    agent_env env;
    if (!agent_env_open(&l, &env, &err)) {
        store_session_free(&ss);
        fail(t, out, err);
        return;
    }
    store_session_free(&ss);
    if (!agent_session_resume(env.agent, t->session_id, &err)) {
        agent_env_close(&env);
        fail(t, out, err);
        return;
    }
    if (t->attach(t->user, env.agent)) agent_cancel(env.agent);
    agent_result res = {0};
    agent_run(env.agent, t->text, &res);
    t->attach(t->user, NULL);
    snprintf(out->status, sizeof out->status, "%s", agent_outcome_name(res.outcome));
    snprintf(out->message, sizeof out->message, "%s", res.message);
    agent_result_free(&res);
    agent_env_close(&env);
}
