/* gw_api_agents.c — /api/v1/agents: list agents with their access level and capabilities,
 * the tools each is offered, and edits validated by the configuration loader and written
 * atomically to <workspace>/.boxagent/config.json. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent/config.h"
#include "gateway/gw_internal.h"
#include "tools/tools.h"
#include "util/util.h"

static json_t *agent_json(const agent_def *d)
{
    json_t *caps = json_array();
    for (size_t i = 0; i < d->ncaps; i++) json_array_append_new(caps, json_string(d->caps[i]));
    return json_pack("{s:s,s:s?,s:s,s:o,s:s?,s:b,s:i}", "name", d->name, "model", d->model,
                     "access", agent_access_name(d->access), "capabilities", caps,
                     "system_prompt", d->system_prompt, "manager", d->manager, "max_depth",
                     d->max_depth);
}

static gw_reply config_errors(unsigned status, agent_config_errors *e)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < e->n; i++) json_array_append_new(arr, json_string(e->msgs[i]));
    gw_reply rep = gw_json(status, json_pack("{s:{s:s,s:s,s:o}}", "error", "code", "invalid_config",
                                             "message", e->n ? e->msgs[0] : "invalid configuration",
                                             "details", arr));
    agent_config_errors_free(e);
    return rep;
}

static gw_reply list_agents(gw_request *r)
{
    agent_config_errors errs = {0};
    agent_config *c = agent_config_load(r->gw->workspace, &errs);
    if (!c) return config_errors(500, &errs);
    json_t *arr = json_array();
    for (size_t i = 0; i < c->nagents; i++) json_array_append_new(arr, agent_json(&c->agents[i]));
    json_t *j = json_pack("{s:o,s:s?,s:b}", "agents", arr, "default_agent", c->default_agent,
                          "from_file", c->from_file);
    agent_config_free(c);
    return gw_json(200, j);
}

static gw_reply agent_tools(gw_request *r, const char *name)
{
    agent_config_errors errs = {0};
    agent_config *c = agent_config_load(r->gw->workspace, &errs);
    if (!c) return config_errors(500, &errs);
    const agent_def *d = agent_config_find(c, name);
    gw_reply rep;
    tools_access a;
    if (!d) {
        rep = gw_error(404, "not_found", "no agent named %s", name);
    } else if (!tools_access_parse(agent_access_name(d->access), &a)) {
        rep = gw_error(500, "internal", "access level %s unknown to the tool layer",
                       agent_access_name(d->access));
    } else {
        json_t *tools = tools_list_json(tools_registry_builtin(), a);
        json_t *slim = json_array();
        size_t i;
        json_t *t;
        json_array_foreach(tools, i, t) json_array_append_new(
            slim, json_pack("{s:O,s:O,s:O}", "name", json_object_get(t, "name"), "permission",
                            json_object_get(t, "permission"), "description",
                            json_object_get(t, "description")));
        json_decref(tools);
        rep = gw_json(200, json_pack("{s:s,s:o}", "agent", name, "tools", slim));
    }
    agent_config_free(c);
    return rep;
}

/* PUT /agents/NAME {model, access, capabilities, system_prompt, manager, max_depth} */
static gw_reply edit_agent(gw_request *r, const char *name)
{
    gw_reply err;
    json_t *body = gw_body_object(r, &err);
    if (!body) return err;
    static const char *allowed[] = {"model", "access", "capabilities", "system_prompt",
                                    "manager", "max_depth", "max_turns", "token_budget",
                                    "time_budget", "context_window", NULL};
    const char *key;
    json_t *val;
    json_object_foreach(body, key, val) {
        bool ok = false;
        for (size_t i = 0; allowed[i]; i++) ok |= !strcmp(key, allowed[i]);
        if (!ok) {
            gw_reply bad = gw_error(400, "bad_request", "unknown field \"%s\" for an agent", key);
            json_decref(body);
            return bad;
        }
    }
    char *path = xasprintf("%s/config.json", r->gw->state_dir);
    pthread_mutex_lock(&r->gw->lock);
    size_t len;
    char *text = util_read_file(path, 4 << 20, &len);
    json_t *cfg = NULL;
    gw_reply rep = {0};
    if (!text && errno != ENOENT) {
        rep = gw_error(500, "config_unreadable", "cannot read %s", path);
        goto done;
    }
    if (text) {
        json_error_t je;
        cfg = json_loads(text, JSON_REJECT_DUPLICATES, &je);
        if (!cfg || !json_is_object(cfg)) {
            rep = gw_error(500, "config_invalid", "config.json is not a JSON object (line %d: %s)",
                           je.line, je.text);
            goto done;
        }
    } else {
        cfg = json_object();
    }
    json_t *agents = json_object_get(cfg, "agents");
    if (!agents) {
        agents = json_object();
        json_object_set_new(cfg, "agents", agents);
    }
    if (!json_is_object(agents)) {
        rep = gw_error(500, "config_invalid", "config.json: agents is not an object");
        goto done;
    }
    json_t *agent = json_object_get(agents, name);
    if (!agent) {
        agent = json_object();
        json_object_set_new(agents, name, agent);
    }
    json_object_foreach(body, key, val) {
        if (json_is_null(val))
            json_object_del(agent, key);
        else
            json_object_set(agent, key, val);
    }
    char *out = json_dumps(cfg, JSON_INDENT(2) | JSON_SORT_KEYS);
    agent_config_errors errs = {0};
    agent_config *c = out ? agent_config_parse(r->gw->workspace, out, &errs) : NULL;
    if (!c) {
        free(out);
        rep = config_errors(400, &errs);
        goto done;
    }
    const agent_def *d = agent_config_find(c, name);
    json_t *result = d ? agent_json(d) : json_object();
    agent_config_free(c);
    size_t olen = strlen(out);
    char *withnl = xasprintf("%s\n", out);
    free(out);
    int rc = util_write_file_atomic(path, withnl, olen + 1, 0600);
    free(withnl);
    if (rc < 0) {
        json_decref(result);
        rep = gw_error(500, "config_write", "cannot write %s: %s", path, strerror(-rc));
        goto done;
    }
    rep = gw_json(200, json_pack("{s:o}", "agent", result));
done:
    pthread_mutex_unlock(&r->gw->lock);
    json_decref(cfg);
    json_decref(body);
    free(text);
    free(path);
    return rep;
}

gw_reply gw_api_agents(gw_request *r, const char *rest)
{
    if (!*rest) {
        if (strcmp(r->method, "GET")) return gw_error(405, "method_not_allowed", "use GET");
        return list_agents(r);
    }
    /* "/NAME" or "/NAME/tools" */
    char name[80];
    const char *p = rest + 1, *slash = strchr(p, '/');
    size_t n = slash ? (size_t)(slash - p) : strlen(p);
    if (n == 0 || n >= sizeof name) return gw_error(400, "bad_id", "invalid agent name");
    memcpy(name, p, n);
    name[n] = '\0';
    if (!gw_valid_id(name)) return gw_error(400, "bad_id", "invalid agent name");
    if (slash && !strcmp(slash, "/tools")) {
        if (strcmp(r->method, "GET")) return gw_error(405, "method_not_allowed", "use GET");
        return agent_tools(r, name);
    }
    if (slash) return gw_error(404, "not_found", "no agent endpoint %s", rest);
    if (!strcmp(r->method, "GET")) {
        agent_config_errors errs = {0};
        agent_config *c = agent_config_load(r->gw->workspace, &errs);
        if (!c) return config_errors(500, &errs);
        const agent_def *d = agent_config_find(c, name);
        gw_reply rep = d ? gw_json(200, json_pack("{s:o}", "agent", agent_json(d)))
                         : gw_error(404, "not_found", "no agent named %s", name);
        agent_config_free(c);
        return rep;
    }
    if (!strcmp(r->method, "PUT")) return edit_agent(r, name);
    return gw_error(405, "method_not_allowed", "use GET or PUT");
}
