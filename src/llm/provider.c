/* provider.c — creating providers from options and the environment (OPENAI_API_KEY,
 * OPENAI_BASE_URL, ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL), defaults, and dispatch. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "llm/llm_internal.h"
#include "util/util.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

static const char *env_nonempty(const char *name)
{
    const char *v = name ? getenv(name) : NULL;
    return v && *v ? v : NULL;
}

llm_provider *llm_provider_new(const llm_options *o, llm_error *err)
{
    memset(err, 0, sizeof *err);
    if (!o || !o->type || !o->model || !*o->model) {
        llm_seterr(err, LLM_ERR_CONFIG, "a provider type and model are required");
        return NULL;
    }
    const char *type;
    if (!strcmp(o->type, "openai")) type = "openai";
    else if (!strcmp(o->type, "anthropic")) type = "anthropic";
    else if (!strcmp(o->type, "script")) type = "script";
    else {
        llm_seterr(err, LLM_ERR_CONFIG, "unknown provider \"%.40s\" (openai, anthropic, script)",
                   o->type);
        return NULL;
    }
    pthread_once(&curl_once, curl_init);
    llm_provider *p = xcalloc(1, sizeof *p);
    p->type = type;
    p->model = xstrdup(o->model);
    p->o.max_retries = o->max_retries ? o->max_retries : 4;
    if (p->o.max_retries < 0) p->o.max_retries = 0;
    p->o.retry_base_ms = o->retry_base_ms ? o->retry_base_ms : 500;
    p->o.retry_cap_ms = o->retry_cap_ms ? o->retry_cap_ms : 30000;
    p->o.stall_timeout_ms = o->stall_timeout_ms ? o->stall_timeout_ms : 60000;
    p->o.connect_timeout_ms = o->connect_timeout_ms ? o->connect_timeout_ms : 15000;
    p->o.no_stream = o->no_stream;
    bool ok;
    if (type[0] == 's') {
        p->context_window = o->context_window ? o->context_window : 100000;
        ok = llm_script_init(p, err);
    } else {
        bool oai = type[0] == 'o';
        const char *def_url = oai ? "https://api.openai.com/v1" : "https://api.anthropic.com";
        const char *url = o->base_url ? o->base_url
                                      : env_nonempty(oai ? "OPENAI_BASE_URL" : "ANTHROPIC_BASE_URL");
        bool custom = url != NULL;
        p->base_url = xstrdup(url ? url : def_url);
        if (strncmp(p->base_url, "http://", 7) && strncmp(p->base_url, "https://", 8)) {
            llm_seterr(err, LLM_ERR_CONFIG, "base URL must start with http:// or https://");
            llm_provider_free(p);
            return NULL;
        }
        const char *var = o->api_key_env ? o->api_key_env
                                         : oai ? "OPENAI_API_KEY" : "ANTHROPIC_API_KEY";
        const char *key = o->api_key ? o->api_key : env_nonempty(var);
        if (!key && !custom) {
            llm_seterr(err, LLM_ERR_CONFIG,
                       "no API key: set %s (or a base URL for a local server)", var);
            llm_provider_free(p);
            return NULL;
        }
        p->api_key = key ? xstrdup(key) : NULL;
        p->context_window = o->context_window ? o->context_window : oai ? 128000 : 200000;
        ok = oai ? llm_openai_init(p, err) : llm_anthropic_init(p, err);
    }
    if (!ok) {
        llm_provider_free(p);
        return NULL;
    }
    return p;
}

void llm_provider_free(llm_provider *p)
{
    if (!p) return;
    if (p->free_impl) p->free_impl(p->impl);
    if (p->api_key) {
        explicit_bzero(p->api_key, strlen(p->api_key));
        free(p->api_key);
    }
    free(p->base_url);
    free(p->model);
    free(p);
}

const char *llm_provider_type(const llm_provider *p) { return p->type; }
const char *llm_provider_model(const llm_provider *p) { return p->model; }
uint64_t llm_provider_context_window(const llm_provider *p) { return p->context_window; }

bool llm_complete(llm_provider *p, const llm_request *req, llm_response *resp, llm_error *err)
{
    memset(resp, 0, sizeof *resp);
    memset(err, 0, sizeof *err);
    if (!req || !req->conv) {
        llm_seterr(err, LLM_ERR_CONFIG, "no conversation");
        return false;
    }
    if (req->cancel && atomic_load(req->cancel)) {
        llm_seterr(err, LLM_ERR_CANCELLED, "cancelled");
        return false;
    }
    return p->complete(p, req, resp, err);
}
