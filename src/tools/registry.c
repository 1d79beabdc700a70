/* registry.c — access and permission levels, registries of tool definitions (the static
 * built-in one and caller-extended copies), and the level filter that selects what an agent is
 * offered. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/builtin.h"
#include "tools/tools.h"
#include "util/util.h"

struct tools_registry {
    const tools_def **defs;
    size_t n, cap;
};

static const char *const access_names[] = {"search-only", "read-only", "workspace-write", "full"};
static const char *const perm_names[] = {"none", "read", "write", "execute"};

bool tools_access_parse(const char *s, tools_access *out)
{
    if (!s) return false;
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, access_names[i])) {
            *out = (tools_access)i;
            return true;
        }
    return false;
}

const char *tools_access_name(tools_access a)
{
    return (unsigned)a < 4 ? access_names[a] : "invalid";
}

const char *tools_perm_name(tools_perm p)
{
    return (unsigned)p < 4 ? perm_names[p] : "invalid";
}

bool tools_offered(const tools_def *d, tools_access a)
{
    if (!d) return false;
    switch (a) {
    case TOOLS_ACCESS_SEARCH_ONLY: return d->perm == TOOLS_PERM_NONE || (d->search && d->perm <= TOOLS_PERM_READ);
    case TOOLS_ACCESS_READ_ONLY: return d->perm <= TOOLS_PERM_READ;
    case TOOLS_ACCESS_WORKSPACE_WRITE: return d->perm <= TOOLS_PERM_WRITE;
    case TOOLS_ACCESS_FULL: return d->perm <= TOOLS_PERM_EXECUTE;
    }
    return false; /* an unknown level offers nothing */
}

static bool name_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 64) return false;
    if (!((*s >= 'a' && *s <= 'z') || *s == '_')) return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) return false;
    return true;
}

static bool push(tools_registry *r, const tools_def *d)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->defs = xrealloc(r->defs, r->cap * sizeof *r->defs);
    }
    r->defs[r->n++] = d;
    return true;
}

static tools_registry builtin_reg;
static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;

static void builtin_init(void)
{
    size_t n;
    const tools_def *defs = tools_builtin_defs(&n);
    builtin_reg.defs = xmalloc(n * sizeof *builtin_reg.defs);
    builtin_reg.cap = n;
    for (size_t i = 0; i < n; i++) builtin_reg.defs[builtin_reg.n++] = &defs[i];
}

const tools_registry *tools_registry_builtin(void)
{
    pthread_once(&builtin_once, builtin_init);
    return &builtin_reg;
}

tools_registry *tools_registry_new(const tools_registry *base)
{
    tools_registry *r = xcalloc(1, sizeof *r);
    if (base)
        for (size_t i = 0; i < base->n; i++) push(r, base->defs[i]);
    return r;
}

bool tools_registry_add(tools_registry *r, const tools_def *def, char *err, size_t errlen)
{
    if (!r || !def) {
        snprintf(err, errlen, "no registry or definition");
        return false;
    }
    if (!name_ok(def->name)) {
        snprintf(err, errlen, "tool name \"%s\" is not [a-z_][a-z0-9_]* (at most 64 characters)",
                 def->name ? def->name : "(null)");
        return false;
    }
    if (tools_find(r, def->name)) {
        snprintf(err, errlen, "tool \"%s\" is already registered", def->name);
        return false;
    }
    if ((unsigned)def->perm > TOOLS_PERM_EXECUTE) {
        snprintf(err, errlen, "tool \"%s\": invalid permission level", def->name);
        return false;
    }
    json_error_t je;
    json_t *s = json_loads(def->schema ? def->schema : "", 0, &je);
    char why[200];
    bool ok = json_is_object(s) && tools_schema_check(s, why, sizeof why);
    if (json_is_object(s) && !ok) {
        json_decref(s);
        snprintf(err, errlen, "tool \"%s\": %s", def->name, why);
        return false;
    }
    json_decref(s);
    if (!ok) {
        snprintf(err, errlen, "tool \"%s\": schema is not a JSON object", def->name);
        return false;
    }
    if (def->kind != TOOLS_RUNNER_WASM && !def->run) {
        snprintf(err, errlen, "tool \"%s\": no runner", def->name);
        return false;
    }
    return push(r, def);
}

void tools_registry_free(tools_registry *r)
{
    if (!r || r == &builtin_reg) return;
    free(r->defs);
    free(r);
}

size_t tools_registry_count(const tools_registry *r)
{
    return r ? r->n : 0;
}

const tools_def *tools_registry_at(const tools_registry *r, size_t i)
{
    return r && i < r->n ? r->defs[i] : NULL;
}

const tools_def *tools_find(const tools_registry *r, const char *name)
{
    if (!r || !name) return NULL;
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->defs[i]->name, name)) return r->defs[i];
    return NULL;
}

size_t tools_list(const tools_registry *r, tools_access a, const tools_def **out, size_t max)
{
    size_t k = 0;
    for (size_t i = 0; r && i < r->n; i++)
        if (tools_offered(r->defs[i], a)) {
            if (out && k < max) out[k] = r->defs[i];
            k++;
        }
    return k;
}

json_t *tools_list_json(const tools_registry *r, tools_access a)
{
    json_t *arr = json_array();
    for (size_t i = 0; r && i < r->n; i++) {
        const tools_def *d = r->defs[i];
        if (!tools_offered(d, a)) continue;
        json_t *schema = json_loads(d->schema, 0, NULL);
        if (!schema) schema = json_pack("{s:s}", "type", "object");
        json_array_append_new(arr, json_pack("{s:s, s:s, s:o, s:s}", "name", d->name, "description",
                                             d->description, "parameters", schema, "permission",
                                             tools_perm_name(d->perm)));
    }
    return arr;
}
