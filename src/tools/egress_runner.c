/* egress_runner.c — the adapter from tools_call to egress's web_fetch (src/egress): early
 * decision with policy_check_fetch, the fetch itself (egress re-checks every hop after DNS),
 * and one audit record ("fetch") per URL decision egress reports, redirects included. */
#include <stdlib.h>
#include <string.h>

#include "egress/egress.h"
#include "tools/audit_hook.h"
#include "tools/builtin.h"
#include "util/util.h"

policy_decision tools_decide_fetch(const tools_run *run)
{
    const char *url = json_string_value(json_object_get(run->args, "url"));
    return policy_check_fetch(run->ctx->caps, url ? url : "");
}

static void on_decision(void *ud, const char *url, const policy_decision *d)
{
    const tools_ctx *ctx = ud;
    if (!ctx->audit) return;
    json_t *a = json_pack("{s:s}", "url", url ? url : "");
    char *args = a ? json_dumps(a, JSON_COMPACT) : NULL;
    json_decref(a);
    tools_result r;
    memset(&r, 0, sizeof r);
    r.decision = d->allowed ? TOOLS_ALLOWED : TOOLS_DENIED;
    snprintf(r.reason, sizeof r.reason, "%s", d->reason);
    r.output = xstrdup("");
    tools_audit_record(ctx, "fetch", args ? args : "{}", &r);
    tools_result_free(&r);
    free(args);
}

void tools_web_fetch_run(const tools_run *run, tools_result *out)
{
    egress_tool_result er;
    memset(&er, 0, sizeof er);
    egress_web_fetch_run(run->ctx->caps, run->args_json, run->limits.timeout_ms,
                         (size_t)run->limits.output, run->ctx->cancel, on_decision,
                         (void *)run->ctx, &er);
    out->is_external = er.is_external || out->is_external;
    out->output_truncated = er.truncated;
    if (er.denied) {
        out->decision = TOOLS_DENIED;
        snprintf(out->reason, sizeof out->reason, "%s", er.reason);
        tools_result_error(out, "denied: %s", er.output && *er.output ? er.output : er.reason);
        free(er.output);
        return;
    }
    if (*er.reason) snprintf(out->reason, sizeof out->reason, "%s", er.reason);
    out->output = er.output ? er.output : xstrdup("");
    out->output_len = strlen(out->output);
    out->is_error = er.is_error;
}
