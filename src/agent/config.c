/* config.c — loads and validates `.boxagent/config.json`, resolves an agent to a profile with a
 * parsed capability set, and narrows profiles (never widening). */
#include "agent/config.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/util.h"

static const char *const access_names[] = {"search-only", "read-only", "workspace-write", "full"};

bool agent_access_parse(const char *s, agent_access *out)
{
    for (int i = 0; i < 4; i++)
        if (s && !strcmp(s, access_names[i])) {
            *out = (agent_access)i;
            return true;
        }
    return false;
}

const char *agent_access_name(agent_access a)
{
    return (unsigned)a < 4 ? access_names[a] : "?";
}

static void add_err(agent_config_errors *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void add_err(agent_config_errors *e, const char *fmt, ...)
{
    if (!e) return;
    va_list ap;
    va_start(ap, fmt);
    buf b = BUF_INIT;
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    e->msgs = xrealloc(e->msgs, (e->n + 1) * sizeof *e->msgs);
    e->msgs[e->n++] = buf_steal(&b);
}

void agent_config_errors_free(agent_config_errors *e)
{
    if (!e) return;
    for (size_t i = 0; i < e->n; i++) free(e->msgs[i]);
    free(e->msgs);
    e->msgs = NULL;
    e->n = 0;
}

static void def_free(agent_def *d)
{
    free(d->name);
    free(d->model);
    for (size_t i = 0; i < d->ncaps; i++) free(d->caps[i]);
    free(d->caps);
    free(d->system_prompt);
}

void agent_config_free(agent_config *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->nproviders; i++) {
        agent_provider_conf *p = &c->providers[i];
        free(p->name);
        free(p->type);
        free(p->base_url);
        free(p->api_key_env);
        if (p->api_key) {
            explicit_bzero(p->api_key, strlen(p->api_key));
            free(p->api_key);
        }
    }
    free(c->providers);
    for (size_t i = 0; i < c->nagents; i++) def_free(&c->agents[i]);
    free(c->agents);
    free(c->default_agent);
    free(c->workspace);
    free(c);
}

static const char *type_name(json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

static bool valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64) return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.') return false;
    return true;
}

static bool valid_env_name(const char *s)
{
    if (!*s || isdigit((unsigned char)*s) || strlen(s) > 128) return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_') return false;
    return true;
}

/* string field: returns malloc'd copy or NULL; reports type errors. */
static char *get_str(json_t *obj, const char *key, const char *path, agent_config_errors *e,
                     size_t maxlen)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) return NULL;
    if (!json_is_string(v)) {
        add_err(e, "%s.%s: expected a string, got %s", path, key, type_name(v));
        return NULL;
    }
    if (json_string_length(v) > maxlen || strlen(json_string_value(v)) != json_string_length(v)) {
        add_err(e, "%s.%s: string too long or contains NUL", path, key);
        return NULL;
    }
    return xstrdup(json_string_value(v));
}

static uint64_t get_uint(json_t *obj, const char *key, const char *path, agent_config_errors *e,
                         uint64_t max)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || (uint64_t)json_integer_value(v) > max) {
        add_err(e, "%s.%s: expected an integer between 0 and %llu", path, key,
                (unsigned long long)max);
        return 0;
    }
    return (uint64_t)json_integer_value(v);
}

static bool check_keys(json_t *obj, const char *path, const char *const *allowed,
                       agent_config_errors *e)
{
    bool ok = true;
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        bool found = false;
        for (size_t i = 0; allowed[i]; i++)
            if (!strcmp(k, allowed[i])) found = true;
        if (!found) {
            add_err(e, "%s: unknown key \"%s\"", path, k);
            ok = false;
        }
    }
    return ok;
}

static bool known_type(const char *t)
{
    return !strcmp(t, "openai") || !strcmp(t, "anthropic") || !strcmp(t, "script");
}

static void parse_provider(agent_config *c, const char *name, json_t *v, agent_config_errors *e)
{
    char path[160];
    snprintf(path, sizeof path, "providers.%s", name);
    if (!valid_name(name)) {
        add_err(e, "%s: invalid provider name (letters, digits, - _ . only)", path);
        return;
    }
    if (!json_is_object(v)) {
        add_err(e, "%s: expected an object, got %s", path, type_name(v));
        return;
    }
    static const char *const keys[] = {"type", "base_url", "api_key_env", "api_key", NULL};
    check_keys(v, path, keys, e);
    agent_provider_conf p = {0};
    p.name = xstrdup(name);
    p.type = get_str(v, "type", path, e, 32);
    if (!p.type && known_type(name)) p.type = xstrdup(name);
    if (!p.type)
        add_err(e, "%s.type: required for a provider not named openai, anthropic or script", path);
    else if (!known_type(p.type))
        add_err(e, "%s.type: unknown provider type \"%s\" (openai, anthropic, script)", path,
                p.type);
    p.base_url = get_str(v, "base_url", path, e, 2048);
    if (p.base_url && strncmp(p.base_url, "http://", 7) && strncmp(p.base_url, "https://", 8))
        add_err(e, "%s.base_url: must start with http:// or https://", path);
    p.api_key_env = get_str(v, "api_key_env", path, e, 128);
    if (p.api_key_env && !valid_env_name(p.api_key_env))
        add_err(e, "%s.api_key_env: not a valid environment variable name", path);
    p.api_key = get_str(v, "api_key", path, e, 4096);
    c->providers = xrealloc(c->providers, (c->nproviders + 1) * sizeof *c->providers);
    c->providers[c->nproviders++] = p;
}

static void check_model(const agent_config *c, const char *model, const char *path,
                        agent_config_errors *e)
{
    const char *slash = strchr(model, '/');
    if (!slash || slash == model || !slash[1]) {
        add_err(e, "%s: expected \"provider/model\", got \"%s\"", path, model);
        return;
    }
    char prov[64];
    size_t n = (size_t)(slash - model);
    if (n >= sizeof prov) {
        add_err(e, "%s: provider name too long", path);
        return;
    }
    memcpy(prov, model, n);
    prov[n] = 0;
    if (!known_type(prov) && !agent_config_provider(c, prov))
        add_err(e, "%s: unknown provider \"%s\" (not built in and not under \"providers\")", path,
                prov);
}

static void parse_agent(agent_config *c, const char *name, json_t *v, agent_config_errors *e)
{
    char path[160];
    snprintf(path, sizeof path, "agents.%s", name);
    if (!valid_name(name)) {
        add_err(e, "%s: invalid agent name (letters, digits, - _ . only, at most 64)", path);
        return;
    }
    if (!json_is_object(v)) {
        add_err(e, "%s: expected an object, got %s", path, type_name(v));
        return;
    }
    static const char *const keys[] = {"model",     "access",     "capabilities", "system_prompt",
                                       "manager",   "max_depth",  "max_turns",    "token_budget",
                                       "time_budget", "context_window", NULL};
    check_keys(v, path, keys, e);
    agent_def d = {0};
    d.name = xstrdup(name);
    d.access = AGENT_ACCESS_READ_ONLY;
    d.model = get_str(v, "model", path, e, 512);
    if (d.model) {
        char mp[200];
        snprintf(mp, sizeof mp, "%s.model", path);
        check_model(c, d.model, mp, e);
    }
    char *acc = get_str(v, "access", path, e, 64);
    if (acc && !agent_access_parse(acc, &d.access))
        add_err(e, "%s.access: unknown access level \"%s\" (search-only, read-only, "
                   "workspace-write, full)", path, acc);
    free(acc);
    json_t *caps = json_object_get(v, "capabilities");
    policy_set *ps = policy_new(c->workspace);
    if (caps && !json_is_array(caps)) {
        add_err(e, "%s.capabilities: expected an array of strings, got %s", path, type_name(caps));
    } else if (caps) {
        size_t i;
        json_t *it;
        json_array_foreach(caps, i, it)
        {
            if (!json_is_string(it)) {
                add_err(e, "%s.capabilities[%zu]: expected a string, got %s", path, i,
                        type_name(it));
                continue;
            }
            const char *line = json_string_value(it);
            if (strchr(line, '\n') || json_string_length(it) != strlen(line) ||
                strlen(line) > 4096) {
                add_err(e, "%s.capabilities[%zu]: must be a single line", path, i);
                continue;
            }
            policy_error pe = {0};
            if (ps && !policy_add_line(ps, line, (int)i + 1, &pe)) {
                add_err(e, "%s.capabilities[%zu]: %s", path, i, pe.message);
                continue;
            }
            d.caps = xrealloc(d.caps, (d.ncaps + 1) * sizeof *d.caps);
            d.caps[d.ncaps++] = xstrdup(line);
        }
    } else {
        d.caps = xmalloc(sizeof *d.caps);
        d.caps[d.ncaps++] = xstrdup("read:.");
    }
    policy_free(ps);
    d.system_prompt = get_str(v, "system_prompt", path, e, 65536);
    json_t *m = json_object_get(v, "manager");
    if (m && !json_is_boolean(m))
        add_err(e, "%s.manager: expected a boolean, got %s", path, type_name(m));
    d.manager = m && json_is_true(m);
    d.max_depth = (int)get_uint(v, "max_depth", path, e, 8);
    d.max_turns = get_uint(v, "max_turns", path, e, 10000);
    d.token_budget = get_uint(v, "token_budget", path, e, UINT64_C(1) << 40);
    d.context_window = get_uint(v, "context_window", path, e, UINT64_C(1) << 32);
    char *tb = get_str(v, "time_budget", path, e, 64);
    if (tb && !util_parse_duration_ms(tb, &d.time_budget_ms))
        add_err(e, "%s.time_budget: not a duration (e.g. \"30s\", \"10m\")", path);
    free(tb);
    c->agents = xrealloc(c->agents, (c->nagents + 1) * sizeof *c->agents);
    c->agents[c->nagents++] = d;
}

static void add_default_agent(agent_config *c)
{
    agent_def d = {0};
    d.name = xstrdup("default");
    d.access = AGENT_ACCESS_READ_ONLY;
    d.caps = xmalloc(sizeof *d.caps);
    d.caps[d.ncaps++] = xstrdup("read:.");
    c->agents = xrealloc(c->agents, (c->nagents + 1) * sizeof *c->agents);
    c->agents[c->nagents++] = d;
}

static char *abs_workspace(const char *ws)
{
    char *r = realpath(ws ? ws : ".", NULL);
    return r;
}

agent_config *agent_config_parse(const char *workspace, const char *text,
                                 agent_config_errors *errs)
{
    agent_config_errors local = {0};
    agent_config_errors *e = errs ? errs : &local;
    size_t before = e->n;
    char *ws = abs_workspace(workspace);
    if (!ws) {
        add_err(e, "workspace: %s: %s", workspace ? workspace : ".", strerror(errno));
        agent_config_errors_free(&local);
        return NULL;
    }
    agent_config *c = xcalloc(1, sizeof *c);
    c->workspace = ws;
    c->from_file = true;
    json_error_t je;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        add_err(e, "$: invalid JSON at line %d column %d: %s", je.line, je.column, je.text);
        goto out;
    }
    if (!json_is_object(root)) {
        add_err(e, "$: expected an object, got %s", type_name(root));
        goto out;
    }
    static const char *const keys[] = {"providers", "default_agent", "agents", NULL};
    const char *key;
    json_t *val;
    json_object_foreach(root, key, val)
    {
        bool ok = false;
        for (size_t i = 0; keys[i]; i++)
            if (!strcmp(key, keys[i])) ok = true;
        if (!ok) add_err(e, "%s: unknown key", key);
    }
    json_t *prov = json_object_get(root, "providers");
    if (prov && !json_is_object(prov))
        add_err(e, "providers: expected an object, got %s", type_name(prov));
    else if (prov) {
        const char *k;
        json_t *v;
        json_object_foreach(prov, k, v) parse_provider(c, k, v, e);
    }
    json_t *agents = json_object_get(root, "agents");
    if (agents && !json_is_object(agents))
        add_err(e, "agents: expected an object, got %s", type_name(agents));
    else if (agents) {
        const char *k;
        json_t *v;
        json_object_foreach(agents, k, v) parse_agent(c, k, v, e);
    }
    c->default_agent = get_str(root, "default_agent", "$", e, 64);
    if (c->default_agent) {
        if (!agent_config_find(c, c->default_agent))
            add_err(e, "default_agent: no agent named \"%s\" under \"agents\"", c->default_agent);
    } else {
        c->default_agent = xstrdup(c->nagents ? c->agents[0].name : "default");
        if (!c->nagents) add_default_agent(c);
        else if (c->nagents > 1 && !agent_config_find(c, "default"))
            add_err(e, "default_agent: required when several agents are configured");
        else if (agent_config_find(c, "default")) {
            free(c->default_agent);
            c->default_agent = xstrdup("default");
        }
    }
out:
    json_decref(root);
    if (e->n > before) {
        agent_config_free(c);
        c = NULL;
    }
    agent_config_errors_free(&local);
    return c;
}

agent_config *agent_config_load(const char *workspace, agent_config_errors *errs)
{
    agent_config_errors local = {0};
    agent_config_errors *e = errs ? errs : &local;
    char *ws = abs_workspace(workspace);
    if (!ws) {
        add_err(e, "workspace: %s: %s", workspace ? workspace : ".", strerror(errno));
        agent_config_errors_free(&local);
        return NULL;
    }
    char *path = xasprintf("%s/.boxagent/config.json", ws);
    size_t len;
    char *text = util_read_file(path, 4 << 20, &len);
    agent_config *c = NULL;
    if (!text && errno == ENOENT) {
        c = xcalloc(1, sizeof *c);
        c->workspace = ws;
        ws = NULL;
        c->default_agent = xstrdup("default");
        add_default_agent(c);
    } else if (!text) {
        add_err(e, "$: cannot read %s: %s", path, strerror(errno));
    } else if (strlen(text) != len) {
        add_err(e, "$: %s contains a NUL byte", path);
    } else {
        c = agent_config_parse(ws, text, e);
    }
    free(text);
    free(path);
    free(ws);
    agent_config_errors_free(&local);
    return c;
}

const agent_def *agent_config_find(const agent_config *c, const char *name)
{
    for (size_t i = 0; c && name && i < c->nagents; i++)
        if (!strcmp(c->agents[i].name, name)) return &c->agents[i];
    return NULL;
}

const agent_provider_conf *agent_config_provider(const agent_config *c, const char *name)
{
    for (size_t i = 0; c && name && i < c->nproviders; i++)
        if (!strcmp(c->providers[i].name, name)) return &c->providers[i];
    return NULL;
}

bool agent_config_profile(const agent_config *c, const char *name, agent_profile *out, char *err,
                          size_t errlen)
{
    memset(out, 0, sizeof *out);
    const char *n = name ? name : c->default_agent;
    const agent_def *d = agent_config_find(c, n);
    if (!d) {
        snprintf(err, errlen, "no agent named \"%s\" in the configuration", n ? n : "");
        return false;
    }
    policy_set *ps = policy_new(c->workspace);
    if (!ps) {
        snprintf(err, errlen, "workspace path is not usable: %s", c->workspace);
        return false;
    }
    for (size_t i = 0; i < d->ncaps; i++) {
        policy_error pe = {0};
        if (!policy_add_line(ps, d->caps[i], (int)i + 1, &pe)) {
            snprintf(err, errlen, "agents.%s.capabilities[%zu]: %s", d->name, i, pe.message);
            policy_free(ps);
            return false;
        }
    }
    out->name = xstrdup(d->name);
    out->model = d->model ? xstrdup(d->model) : NULL;
    out->access = d->access;
    out->policy = ps;
    out->system_prompt = d->system_prompt ? xstrdup(d->system_prompt) : NULL;
    out->manager = d->manager;
    out->max_depth = d->max_depth;
    out->max_turns = d->max_turns;
    out->token_budget = d->token_budget;
    out->time_budget_ms = d->time_budget_ms;
    out->context_window = d->context_window;
    return true;
}

void agent_profile_free(agent_profile *p)
{
    if (!p) return;
    free(p->name);
    free(p->model);
    policy_free(p->policy);
    free(p->system_prompt);
    memset(p, 0, sizeof *p);
}

bool agent_profile_narrow(agent_profile *p, const agent_access *access, char *const *cap_lines,
                          size_t ncaps, char **dropped, char *err, size_t errlen)
{
    if (dropped) *dropped = NULL;
    if (access && *access < p->access) p->access = *access;
    if (!ncaps) return true;
    policy_set *req = policy_new(p->policy->workspace);
    if (!req) {
        snprintf(err, errlen, "workspace path is not usable");
        return false;
    }
    for (size_t i = 0; i < ncaps; i++) {
        policy_error pe = {0};
        if (!policy_add_line(req, cap_lines[i], (int)i + 1, &pe)) {
            snprintf(err, errlen, "--cap %s: %s", cap_lines[i], pe.message);
            policy_free(req);
            return false;
        }
    }
    policy_set *n = policy_attenuate(p->policy, req, dropped);
    policy_free(req);
    if (!n) {
        snprintf(err, errlen, "could not narrow the capability set");
        return false;
    }
    policy_free(p->policy);
    p->policy = n;
    return true;
}
