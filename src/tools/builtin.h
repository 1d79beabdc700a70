/* builtin.h — internal to src/tools: the built-in tool table, the runners behind it (embedded
 * WebAssembly modules, tool_search) and the path helpers they share. */
#ifndef BOXAGENT_TOOLS_BUILTIN_H
#define BOXAGENT_TOOLS_BUILTIN_H

#include <stddef.h>
#include <stdint.h>

#include "tools/tools.h"

/* The static table of built-in definitions. */
const tools_def *tools_builtin_defs(size_t *n);

/* Runner for TOOLS_RUNNER_WASM definitions (data = module name). */
void tools_wasm_run(const tools_run *run, tools_result *out);

/* Embedded module bytes by name (e.g. "read_file"); NULL if not embedded. */
const uint8_t *tools_embedded_wasm(const char *name, size_t *len);

/* The jail's bash and run tools (jail_runner.c). */
policy_decision tools_decide_bash(const tools_run *run);
policy_decision tools_decide_argv(const tools_run *run);
void tools_jail_bash_run(const tools_run *run, tools_result *out);
void tools_jail_argv_run(const tools_run *run, tools_result *out);

/* egress's web_fetch (egress_runner.c). */
policy_decision tools_decide_fetch(const tools_run *run);
void tools_web_fetch_run(const tools_run *run, tools_result *out);

/* tool_search host runner. */
void tools_search_run(const tools_run *run, tools_result *out);

/* Set out->output to a copy of text (printf-style) and mark the result as an error. */
void tools_result_error(tools_result *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
