/* call.c — tools_call, the one function every tool call passes through: find the tool, check
 * the access level, validate the arguments, decide with the capability set, run, audit,
 * truncate. Every outcome, including a hostile or malformed call, becomes a tools_result. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/audit_hook.h"
#include "tools/builtin.h"
#include "tools/tools.h"
#include "util/buf.h"
#include "util/util.h"

void tools_result_free(tools_result *r)
{
    if (!r) return;
    free(r->output);
    r->output = NULL;
    r->output_len = 0;
}

void tools_result_error(tools_result *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf b = BUF_INIT;
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    free(out->output);
    out->output_len = b.len;
    out->output = buf_steal(&b);
    out->is_error = true;
}

policy_decision tools_decide_path(const tools_run *run, const char *arg, policy_access access)
{
    const json_t *v = json_object_get(run->args, arg);
    const char *path = json_is_string(v) ? json_string_value(v) : ".";
    const policy_set *caps = run->ctx->caps;
    /* A grant mapped to another guest path (read:HOST::GUEST) is named by its guest path
     * inside the sandbox: decide on the host path it stands for. */
    for (size_t i = 0; path[0] == '/' && i < caps->ncaps; i++) {
        const policy_cap *c = &caps->caps[i];
        if ((c->kind != POLICY_READ && c->kind != POLICY_WRITE) || !c->guest || !c->path ||
            !strcmp(c->guest, c->path))
            continue;
        size_t g = strlen(c->guest);
        while (g > 1 && c->guest[g - 1] == '/') g--;
        if (strncmp(path, c->guest, g) || (path[g] && path[g] != '/' && g > 1)) continue;
        char *host = xasprintf("%s%s", c->path, path + (g > 1 ? g : 0));
        policy_decision d = policy_check_path_fs(caps, host, access);
        free(host);
        if (d.allowed) return d;
    }
    /* _fs: a grant root that passes through a symlink or lies on a pseudo file system is
     * refused here already, so the audit log records why (enforcement refuses it too). */
    return policy_check_path_fs(caps, path, access);
}

/* Edit distance, bounded (names are short). */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64) return 99;
    size_t d[65][65];
    for (size_t i = 0; i <= la; i++) d[i][0] = i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < c) c = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < c) c = d[i][j - 1] + 1;
            d[i][j] = c;
        }
    return d[la][lb];
}

static void unknown_tool(const tools_ctx *ctx, const tools_registry *reg, const char *name,
                         tools_result *out)
{
    buf close = BUF_INIT, all = BUF_INIT;
    size_t n = tools_registry_count(reg);
    for (size_t i = 0; i < n; i++) {
        const tools_def *d = tools_registry_at(reg, i);
        if (!tools_offered(d, ctx->access)) continue;
        buf_printf(&all, "%s%s", all.len ? ", " : "", d->name);
        bool near = distance(name, d->name) <= 3 || (strlen(name) >= 3 && strstr(d->name, name)) ||
                    strstr(name, d->name);
        if (near) buf_printf(&close, "%s%s", close.len ? ", " : "", d->name);
    }
    /* The name came from the model: show it bounded and printable only. */
    char shown[80];
    size_t k = 0;
    for (const char *p = name; *p && k < 64; p++)
        shown[k++] = ((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f) ? *p : '?';
    shown[k] = 0;
    if (close.len)
        tools_result_error(out, "unknown tool \"%s\"%s; did you mean: %s?", shown, name[k] ? "..." : "",
                           close.data);
    else
        tools_result_error(out, "unknown tool \"%s\"%s; available tools: %s", shown, name[k] ? "..." : "",
                           all.len ? all.data : "(none)");
    snprintf(out->reason, sizeof out->reason, "unknown tool");
    out->decision = TOOLS_ERROR;
    buf_free(&close);
    buf_free(&all);
}

static policy_limits effective_limits(const policy_set *caps)
{
    policy_limits l = caps->limits;
    if (!l.has_fuel) l.fuel = TOOLS_DEFAULT_FUEL, l.has_fuel = true;
    if (!l.has_memory) l.memory = TOOLS_DEFAULT_MEMORY, l.has_memory = true;
    if (!l.has_timeout) l.timeout_ms = TOOLS_DEFAULT_TIMEOUT_MS, l.has_timeout = true;
    if (!l.has_output) l.output = TOOLS_DEFAULT_OUTPUT, l.has_output = true;
    return l;
}

/* Cut the output to `limit` bytes at a UTF-8 boundary and say so. */
static void truncate_output(tools_result *out, uint64_t limit)
{
    if (out->output_len <= limit) return;
    size_t keep = (size_t)limit;
    while (keep > 0 && ((unsigned char)out->output[keep] & 0xC0) == 0x80) keep--;
    buf b = BUF_INIT;
    buf_append(&b, out->output, keep);
    buf_printf(&b, "\n[output truncated: showing %zu of %zu bytes; narrow the request]", keep,
               out->output_len);
    free(out->output);
    out->output_len = b.len;
    out->output = buf_steal(&b);
    out->output_truncated = true;
}

static void finish(const tools_ctx *ctx, const char *name, const char *args_json, tools_result *out,
                   uint64_t limit)
{
    if (!out->output) out->output = xstrdup(""), out->output_len = 0;
    out->output_len = strlen(out->output) < out->output_len ? strlen(out->output) : out->output_len;
    if (!out->usage.output_bytes) out->usage.output_bytes = out->output_len;
    truncate_output(out, limit);
    tools_audit_record(ctx, name, args_json, out);
    if (ctx->on_event) ctx->on_event(ctx->event_user, TOOLS_EVENT_END, name, args_json, out);
}

bool tools_call(const tools_ctx *ctx, const char *name, const char *args_json, tools_result *out)
{
    memset(out, 0, sizeof *out);
    if (!ctx || !ctx->caps) {
        tools_result_error(out, "tool call without a capability set");
        out->decision = TOOLS_ERROR;
        snprintf(out->reason, sizeof out->reason, "no capability set");
        return false;
    }
    const char *tname = name ? name : "";
    const char *targs = args_json ? args_json : "{}";
    policy_limits limits = effective_limits(ctx->caps);
    const tools_registry *reg = ctx->registry ? ctx->registry : tools_registry_builtin();

    /* 1. find */
    const tools_def *def = tools_find(reg, tname);
    if (!def) {
        unknown_tool(ctx, reg, tname, out);
        /* the name came from the model: record it bounded and printable */
        char rec[72];
        size_t k = 0;
        for (const char *p = tname; *p && k < 64; p++)
            rec[k++] = ((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f) ? *p : '?';
        rec[k] = 0;
        finish(ctx, rec, targs, out, limits.output);
        return false;
    }

    /* 2. access level, on every call */
    if (!tools_offered(def, ctx->access)) {
        out->decision = TOOLS_DENIED;
        snprintf(out->reason, sizeof out->reason,
                 "tool %s (permission %s) is not offered at access level %s", def->name,
                 tools_perm_name(def->perm), tools_access_name(ctx->access));
        tools_result_error(out, "denied: %s", out->reason);
        finish(ctx, tname, targs, out, limits.output);
        return false;
    }

    /* 3. validate */
    char err[512];
    json_t *args = NULL;
    if (!tools_args_parse(def->schema, targs, &args, err, sizeof err)) {
        out->decision = TOOLS_ERROR;
        snprintf(out->reason, sizeof out->reason, "invalid arguments");
        tools_result_error(out, "invalid arguments for %s: %s", def->name, err);
        finish(ctx, tname, targs, out, limits.output);
        return false;
    }
    char *compact = json_dumps(args, JSON_COMPACT);
    if (!compact) {
        json_decref(args);
        out->decision = TOOLS_ERROR;
        snprintf(out->reason, sizeof out->reason, "out of memory");
        tools_result_error(out, "cannot serialise the arguments");
        finish(ctx, def->name, targs, out, limits.output);
        return false;
    }

    tools_run run = {.ctx = ctx, .def = def, .args = args, .args_json = compact, .limits = limits};

    /* 4. decide */
    if (def->decide) {
        policy_decision d = def->decide(&run);
        if (!d.allowed) {
            out->decision = TOOLS_DENIED;
            snprintf(out->reason, sizeof out->reason, "%s", d.reason);
            tools_result_error(out, "denied: %s", d.reason);
            goto done;
        }
        snprintf(out->reason, sizeof out->reason, "%s", d.reason);
    } else {
        snprintf(out->reason, sizeof out->reason, "no capability needed");
    }
    if (ctx->cancel && atomic_load(ctx->cancel)) {
        out->decision = TOOLS_ERROR;
        snprintf(out->reason, sizeof out->reason, "cancelled");
        tools_result_error(out, "cancelled before it ran");
        goto done;
    }

    /* 5. run */
    if (ctx->on_event) ctx->on_event(ctx->event_user, TOOLS_EVENT_START, def->name, compact, NULL);
    out->decision = TOOLS_ALLOWED;
    out->is_external = def->external;
    uint64_t t0 = util_now_ns();
    if (def->kind == TOOLS_RUNNER_WASM) tools_wasm_run(&run, out);
    else if (def->run) def->run(&run, out);
    else tools_result_error(out, "tool %s has no runner", def->name);
    uint64_t wall = (util_now_ns() - t0) / 1000000u;
    if (!out->usage.wall_ms) out->usage.wall_ms = wall;
    if (out->is_error && out->decision == TOOLS_ALLOWED && !out->exit_code) out->exit_code = 1;

done:
    /* 6-7. audit and truncate */
    finish(ctx, def->name, compact, out, limits.output);
    free(compact);
    json_decref(args);
    return !out->is_error;
}
