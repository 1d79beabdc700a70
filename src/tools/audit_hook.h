/* audit_hook.h — internal to src/tools: appends the audit record of one tool call through
 * src/audit (when ctx->audit is set). */
#ifndef BOXAGENT_TOOLS_AUDIT_HOOK_H
#define BOXAGENT_TOOLS_AUDIT_HOOK_H

#include "tools/tools.h"

/* Records the call; a failure to record turns the result into an error (an unaudited call
 * must not look successful). */
void tools_audit_record(const tools_ctx *ctx, const char *tool, const char *args_json,
                        tools_result *out);

#endif
