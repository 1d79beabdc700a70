/* wasm_run.c — the runner of the built-in WebAssembly tools: each embedded module is compiled
 * once per process (lazily, under a mutex), and every call gets a fresh instance with the
 * WASI view the agent's capabilities allow (narrowed to read-only for tools whose permission
 * is below write) and the manifest's limits. Compiled modules and pooled linkers live until the
 * process exits (reachable from static storage; never freed under a running call). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/builtin.h"
#include "util/buf.h"
#include "util/util.h"
#include "wasi/wasi.h"
#include "wasm/wasm.h"

/* The table emitted by build/gen/tools_embed.S (scripts/embed-files.sh):
 * {name, data, size} ... {0, 0, 0}. */
typedef struct embed_entry {
    const char *name;
    const uint8_t *data;
    size_t size;
} embed_entry;
extern const embed_entry tools_embedded_table[];

const uint8_t *tools_embedded_wasm(const char *name, size_t *len)
{
    for (const embed_entry *e = tools_embedded_table; e->name; e++)
        if (!strcmp(e->name, name)) {
            *len = e->size;
            return e->data;
        }
    return NULL;
}

#define MAX_MODULES 32
#define MAX_POOLED_LINKERS 16

typedef struct compiled {
    const char *name;
    wasm_module *module;
    char error[512];
} compiled;

/* Calls running now, so the guest's checkpoint import can find its call's cancel flag (the
 * instance's user pointer is its WASI context). */
typedef struct active_call {
    const wasi_ctx *w;
    const atomic_bool *cancel;
    struct active_call *next;
} active_call;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static active_call *active_head;
static compiled modules[MAX_MODULES];
static size_t nmodules;
static wasm_linker *linker_pool[MAX_POOLED_LINKERS];
static size_t nlinkers;

/* The compiled module (compiling it on first use), or NULL with the error copied to err. */
static const wasm_module *get_module(const char *name, char *err, size_t errlen)
{
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < nmodules; i++)
        if (!strcmp(modules[i].name, name)) {
            const wasm_module *m = modules[i].module;
            if (!m) snprintf(err, errlen, "%s", modules[i].error);
            pthread_mutex_unlock(&lock);
            return m;
        }
    if (nmodules == MAX_MODULES) {
        pthread_mutex_unlock(&lock);
        snprintf(err, errlen, "too many tool modules");
        return NULL;
    }
    compiled *c = &modules[nmodules++];
    c->name = name;
    size_t len = 0;
    const uint8_t *bytes = tools_embedded_wasm(name, &len);
    if (!bytes) {
        snprintf(c->error, sizeof c->error, "tool module %s is not built into this binary", name);
    } else {
        wasm_compile_options o = {.metering = true};
        wasm_error we;
        c->module = wasm_module_compile(bytes, len, &o, &we);
        if (!c->module) snprintf(c->error, sizeof c->error, "tool module %s: %.400s", name, we.message);
    }
    const wasm_module *m = c->module;
    if (!m) snprintf(err, errlen, "%s", c->error);
    pthread_mutex_unlock(&lock);
    return m;
}

/* boxagent_tools.checkpoint: stops the guest (a trap raised inside the host call, on the
 * guest's own thread) when its call has been cancelled. */
static wasm_trap checkpoint(wasm_instance *caller, void *user, wasm_slot *slots)
{
    (void)user;
    (void)slots;
    const void *w = wasm_instance_user(caller);
    bool stop = false;
    pthread_mutex_lock(&lock);
    for (active_call *a = active_head; a; a = a->next)
        if (a->w == w) {
            stop = a->cancel && atomic_load(a->cancel);
            break;
        }
    pthread_mutex_unlock(&lock);
    if (!stop) return WASM_OK;
    wasm_instance_set_trap_message(caller, "cancelled");
    return WASM_TRAP_HOST;
}

static void activate(active_call *a)
{
    pthread_mutex_lock(&lock);
    a->next = active_head;
    active_head = a;
    pthread_mutex_unlock(&lock);
}

static void deactivate(active_call *a)
{
    pthread_mutex_lock(&lock);
    for (active_call **p = &active_head; *p; p = &(*p)->next)
        if (*p == a) {
            *p = a->next;
            break;
        }
    pthread_mutex_unlock(&lock);
}

/* A linker with the WASI imports, from the pool (a linker serves one thread at a time). */
static wasm_linker *take_linker(char *err, size_t errlen)
{
    pthread_mutex_lock(&lock);
    wasm_linker *l = nlinkers ? linker_pool[--nlinkers] : NULL;
    pthread_mutex_unlock(&lock);
    if (l) return l;
    l = wasm_linker_new();
    wasm_error we;
    if (!wasi_link(l, &we) ||
        !wasm_linker_define_func(l, "boxagent_tools", "checkpoint", ":", checkpoint, NULL, &we)) {
        snprintf(err, errlen, "cannot link the tool imports: %.400s", we.message);
        wasm_linker_free(l);
        return NULL;
    }
    return l;
}

static void give_linker(wasm_linker *l)
{
    pthread_mutex_lock(&lock);
    if (nlinkers < MAX_POOLED_LINKERS) {
        linker_pool[nlinkers++] = l;
        l = NULL;
    }
    pthread_mutex_unlock(&lock);
    if (l) wasm_linker_free(l);
}

/* The capability view of one call: file grants only, and read-only unless the tool may write. */
static policy_set *view_for(const tools_run *run)
{
    policy_set *v = policy_clone(run->ctx->caps);
    if (!v) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < v->ncaps; i++) {
        policy_cap *c = &v->caps[i];
        bool file = c->kind == POLICY_READ || c->kind == POLICY_WRITE;
        if (!file) continue; /* fetch/exec/env mean nothing to a file tool */
        if (c->kind == POLICY_WRITE && run->def->perm < TOOLS_PERM_WRITE) c->kind = POLICY_READ;
        if (k != i) {
            policy_cap t = v->caps[k];
            v->caps[k] = *c;
            *c = t;
        }
        k++;
    }
    /* Keep the dropped entries allocated past ncaps? No: free them by shrinking through a
     * temporary set so policy_free releases everything it owns. */
    policy_set *dropped = policy_new(v->workspace);
    if (dropped && k < v->ncaps) {
        dropped->caps = xmalloc((v->ncaps - k) * sizeof *dropped->caps);
        memcpy(dropped->caps, v->caps + k, (v->ncaps - k) * sizeof *dropped->caps);
        dropped->ncaps = v->ncaps - k;
        v->ncaps = k;
    }
    policy_free(dropped);
    return v;
}

static const char *limit_text(wasi_limit l)
{
    switch (l) {
    case WASI_LIMIT_FUEL: return "it ran out of fuel (instruction budget)";
    case WASI_LIMIT_MEMORY: return "it exceeded its memory limit";
    case WASI_LIMIT_TIMEOUT: return "it exceeded its time limit";
    case WASI_LIMIT_STACK: return "it exceeded its call-depth limit";
    default: return "it trapped";
    }
}

void tools_wasm_run(const tools_run *run, tools_result *out)
{
    const char *name = run->def->data;
    char err[512];
    const wasm_module *m = get_module(name, err, sizeof err);
    if (!m) {
        tools_result_error(out, "%s", err);
        return;
    }
    wasm_linker *l = take_linker(err, sizeof err);
    if (!l) {
        tools_result_error(out, "%s", err);
        return;
    }
    policy_set *view = view_for(run);
    const char *argv[3] = {name, run->args_json, NULL};
    wasi_options o = {
        .argv = argv,
        .argc = 2,
        .stdin_mode = WASI_STDIO_NULL,
        .stdout_mode = WASI_STDIO_BUFFER,
        .stderr_mode = WASI_STDIO_BUFFER,
        /* A little beyond the limit so truncation is detected and reported by tools_call. */
        .output_limit = run->limits.output + 4096,
    };
    wasi_ctx *w = view ? wasi_new(view, &o, err, sizeof err) : NULL;
    if (!w) {
        tools_result_error(out, "cannot set up the sandbox: %s", view ? err : "bad capability set");
        policy_free(view);
        give_linker(l);
        return;
    }
    wasi_run_limits lim = {
        .fuel = run->limits.fuel,
        .memory_bytes = run->limits.memory,
        .timeout_ms = run->limits.timeout_ms,
        .stack = run->limits.has_stack ? (uint32_t)(run->limits.stack > UINT32_MAX ? UINT32_MAX : run->limits.stack) : 0,
    };
    wasi_result r;
    memset(&r, 0, sizeof r);
    active_call ac = {.w = w, .cancel = run->ctx->cancel};
    activate(&ac);
    int rc = wasi_run(w, m, l, &lim, &r);
    deactivate(&ac);
    bool cancelled = run->ctx->cancel && atomic_load(run->ctx->cancel);
    out->usage.fuel = r.fuel_used;
    out->usage.peak_memory = r.peak_memory;
    out->usage.output_bytes = r.stdout_bytes;
    size_t olen = 0, elen = 0;
    const char *so = wasi_stdout(w, &olen);
    const char *se = wasi_stderr(w, &elen);
    if (rc != 0) {
        tools_result_error(out, "%s could not start: %s", name, r.message);
    } else if (r.trap != WASM_OK && cancelled && r.limit == WASI_LIMIT_NONE) {
        tools_result_error(out, "%s was cancelled while running", name);
        snprintf(out->reason, sizeof out->reason, "cancelled");
        out->exit_code = 130;
    } else if (r.trap != WASM_OK) {
        if (r.limit != WASI_LIMIT_NONE && r.limit != WASI_LIMIT_OUTPUT) {
            const char *unit = r.limit == WASI_LIMIT_FUEL      ? " instructions"
                               : r.limit == WASI_LIMIT_MEMORY  ? " bytes"
                               : r.limit == WASI_LIMIT_TIMEOUT ? " ms"
                               : r.limit == WASI_LIMIT_STACK   ? " calls deep"
                                                               : "";
            tools_result_error(out, "%s was stopped: %s (%s limit %llu%s); narrow the request", name,
                               limit_text(r.limit), wasi_limit_name(r.limit),
                               (unsigned long long)r.limit_value, unit);
        }
        else tools_result_error(out, "%s crashed: %s", name, r.message);
        out->exit_code = r.exit_code ? r.exit_code : 1;
    } else if (r.exit_code != 0) {
        buf b = BUF_INIT;
        if (elen) buf_append(&b, se, elen);
        else if (olen) buf_append(&b, so, olen);
        else buf_printf(&b, "%s failed with exit status %d", name, r.exit_code);
        while (b.len && b.data[b.len - 1] == '\n') b.data[--b.len] = 0;
        tools_result_error(out, "%s", b.data);
        buf_free(&b);
        out->exit_code = r.exit_code;
    } else {
        out->output = xmalloc(olen + 1);
        memcpy(out->output, so ? so : "", olen);
        out->output[olen] = 0;
        out->output_len = olen;
        out->exit_code = 0;
    }
    if (r.output_cut) out->output_truncated = true;
    wasi_free(w);
    policy_free(view);
    give_linker(l);
}
