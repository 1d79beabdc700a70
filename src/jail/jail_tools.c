/* jail_tools.c — the `bash` and `run` tools as plain data (name, description for a model,
 * JSON Schema, permission) plus their runners over jail_run, so the tool layer can register
 * them in one line each. bash needs exec:bash (or exec:*); run needs exec:<argv[0]>. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jail/jail_internal.h"

const jail_tool_info jail_tool_bash = {
    .name = "bash",
    .description =
        "Run a shell command line with /bin/bash -c inside the sandbox, in the workspace as "
        "the working directory. Only the paths your capabilities grant are visible (read: "
        "read-only, write: writable); /tmp is private and emptied after the call; there is no "
        "network. Returns stdout, stderr and the exit status; output beyond the limit is cut. "
        "Processes left running in the background are killed when the command ends.",
    .schema = "{\"type\":\"object\",\"properties\":{"
              "\"command\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":65536,"
              "\"description\":\"the command line, run with /bin/bash -c\"},"
              "\"timeout\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":86400000,"
              "\"description\":\"milliseconds; capped by the agent's timeout limit\"},"
              "\"description\":{\"type\":\"string\",\"maxLength\":200,"
              "\"description\":\"what the command does, in a few words\"}},"
              "\"required\":[\"command\"],\"additionalProperties\":false}",
    .permission = "execute",
};

const jail_tool_info jail_tool_run = {
    .name = "run",
    .description =
        "Run one program directly (no shell) inside the sandbox with the given argument "
        "vector. The program must be allowed by an exec: capability. A bare name is looked up "
        "in /usr/local/bin, /usr/bin and /bin. Returns stdout, stderr and the exit status.",
    .schema = "{\"type\":\"object\",\"properties\":{"
              "\"argv\":{\"type\":\"array\",\"minItems\":1,\"maxItems\":4096,"
              "\"items\":{\"type\":\"string\",\"maxLength\":65536},"
              "\"description\":\"program and arguments, e.g. [\\\"make\\\", \\\"-j2\\\"]\"},"
              "\"cwd\":{\"type\":\"string\",\"maxLength\":4096,"
              "\"description\":\"working directory (default: the workspace)\"},"
              "\"stdin\":{\"type\":\"string\",\"maxLength\":1048576,"
              "\"description\":\"text fed to the program's standard input\"},"
              "\"timeout\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":86400000,"
              "\"description\":\"milliseconds; capped by the agent's timeout limit\"}},"
              "\"required\":[\"argv\"],\"additionalProperties\":false}",
    .permission = "execute",
};

bool jail_run_bash(const policy_set *p, const char *command, uint64_t timeout_ms,
                   jail_result *r)
{
    jail_options o;
    jail_options_init(&o);
    o.timeout_ms = timeout_ms;
    return jail_run_bash_with(p, command, &o, r);
}

bool jail_run_bash_with(const policy_set *p, const char *command, const jail_options *o,
                        jail_result *r)
{
    if (!command) {
        memset(r, 0, sizeof *r);
        snprintf(r->error, sizeof r->error, "bash: missing command");
        r->out = calloc(1, 1);
        r->err = calloc(1, 1);
        return false;
    }
    const char *argv[] = {"/bin/bash", "-c", command, NULL};
    return jail_run_as(p, "bash", argv, o, r);
}

bool jail_run_argv(const policy_set *p, const char *const *argv, const char *cwd,
                   const char *stdin_data, uint64_t timeout_ms, jail_result *r)
{
    jail_options o;
    jail_options_init(&o);
    o.cwd = cwd;
    o.stdin_data = stdin_data;
    o.stdin_len = stdin_data ? strlen(stdin_data) : 0;
    o.timeout_ms = timeout_ms;
    return jail_run(p, argv, &o, r);
}
