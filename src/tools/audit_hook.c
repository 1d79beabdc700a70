/* audit_hook.c — the bridge from tools_call to the audit log (src/audit): one record per call,
 * allowed, denied or failed. */
#include <stdio.h>
#include <stdlib.h>

#include "audit/audit.h"
#include "tools/audit_hook.h"
#include "util/buf.h"

void tools_audit_record(const tools_ctx *ctx, const char *tool, const char *args_json,
                        tools_result *out)
{
    if (!ctx || !ctx->audit) return;
    audit_record r = {
        .session = ctx->session_id,
        .agent = ctx->agent,
        .tool = tool,
        .args = args_json,
        .decision = out->decision == TOOLS_ALLOWED  ? AUDIT_ALLOWED
                    : out->decision == TOOLS_DENIED ? AUDIT_DENIED
                                                    : AUDIT_ERROR,
        .rule = out->reason,
        .fuel = out->usage.fuel,
        .peak_memory = out->usage.peak_memory,
        .wall_ms = out->usage.wall_ms,
        .output_bytes = out->usage.output_bytes,
        .result = out->output,
        .result_len = out->output_len,
        .is_external = out->is_external,
    };
    char *err = NULL;
    if (!audit_append(ctx->audit, &r, NULL, NULL, &err)) {
        /* An unaudited call must not look like a clean success. */
        buf b = BUF_INIT;
        buf_printf(&b, "%s\n[audit record failed: %s]", out->output ? out->output : "",
                   err ? err : "unknown error");
        free(out->output);
        out->output_len = b.len;
        out->output = buf_steal(&b);
        out->is_error = true;
        free(err);
    }
}
