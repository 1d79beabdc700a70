/* jail_runner.c — adapters from tools_call to the native jail (src/jail): the `bash` and `run`
 * tools (permission execute). Early decision: policy_check_exec on the program; the jail
 * enforces again (and refuses anything its exec:/read:/write: capabilities do not grant). */
#include <stdlib.h>
#include <string.h>

#include "jail/jail.h"
#include "tools/builtin.h"
#include "util/util.h"

policy_decision tools_decide_bash(const tools_run *run)
{
    return policy_check_exec(run->ctx->caps, "bash");
}

policy_decision tools_decide_argv(const tools_run *run)
{
    const json_t *argv = json_object_get(run->args, "argv");
    const char *prog = json_string_value(json_array_get(argv, 0));
    return policy_check_exec(run->ctx->caps, prog ? prog : "");
}

static uint64_t timeout_arg(const tools_run *run)
{
    const json_t *t = json_object_get(run->args, "timeout");
    uint64_t ms = json_is_integer(t) && json_integer_value(t) > 0 ? (uint64_t)json_integer_value(t) : 0;
    if (!ms || ms > run->limits.timeout_ms) ms = run->limits.timeout_ms;
    return ms;
}

/* Jail options from the call: the cancel flag reaches the jail (the run is killed when the
 * agent is cancelled) and the output limit is the tool call's. */
static void options(const tools_run *run, jail_options *o)
{
    jail_options_init(o);
    o->timeout_ms = timeout_arg(run);
    o->output = run->limits.output;
    o->cancel = run->ctx->cancel;
}

static void finish(const tools_run *run, bool started, jail_result *jr, tools_result *out)
{
    (void)run;
    out->usage.peak_memory = jr->peak_rss;
    out->usage.wall_ms = jr->wall_ms;
    out->usage.output_bytes = jr->output_bytes;
    out->output_truncated = jr->truncated;
    if (jr->denied) {
        out->decision = TOOLS_DENIED;
        snprintf(out->reason, sizeof out->reason, "%.300s", jr->error);
        tools_result_error(out, "denied: %s", jr->error);
    } else if (!started || !jr->ran) {
        tools_result_error(out, "could not run: %s", *jr->error ? jr->error : "jail setup failed");
    } else {
        char *text = jail_result_text(jr);
        out->output = text ? text : xstrdup("");
        out->output_len = strlen(out->output);
        out->exit_code = jr->exit_code;
        /* A refused fork (process limit) does not stop the program; everything else does. */
        out->is_error = jr->exit_code != 0 ||
                        (jr->limit != JAIL_LIMIT_NONE && jr->limit != JAIL_LIMIT_PROCESSES);
    }
    jail_result_free(jr);
}

void tools_jail_bash_run(const tools_run *run, tools_result *out)
{
    const char *cmd = json_string_value(json_object_get(run->args, "command"));
    jail_result jr;
    memset(&jr, 0, sizeof jr);
    jail_options o;
    options(run, &o);
    bool ok = jail_run_bash_with(run->ctx->caps, cmd, &o, &jr);
    finish(run, ok, &jr, out);
}

void tools_jail_argv_run(const tools_run *run, tools_result *out)
{
    const json_t *av = json_object_get(run->args, "argv");
    size_t n = json_array_size(av);
    const char **argv = xcalloc(n + 1, sizeof *argv);
    for (size_t i = 0; i < n; i++) argv[i] = json_string_value(json_array_get(av, i));
    const char *cwd = json_string_value(json_object_get(run->args, "cwd"));
    const char *in = json_string_value(json_object_get(run->args, "stdin"));
    jail_result jr;
    memset(&jr, 0, sizeof jr);
    jail_options o;
    options(run, &o);
    o.cwd = cwd;
    o.stdin_data = in;
    o.stdin_len = in ? strlen(in) : 0;
    bool ok = jail_run(run->ctx->caps, argv, &o, &jr);
    free(argv);
    finish(run, ok, &jr, out);
}
