/* jail.h — the native-process jail: runs a real program under a capability set.
 *
 * jail_run() forks a child that, before exec, enters new user, mount, PID, network (loopback
 * only), IPC, UTS and cgroup namespaces; builds a new root out of bind mounts holding only the
 * granted paths (read: read-only, write: read-write, at their own absolute paths) plus the
 * read-only system paths (/usr, /bin, /lib*, /sbin, /etc minus secrets), a minimal /dev, a fresh
 * /proc and a private /tmp; masks the workspace's .boxagent/ and re-binds .git/ and shell
 * start-up files inside write grants read-only; drops every capability, sets no_new_privs;
 * applies Landlock (read -> read/execute beneath, write -> all rights beneath, system paths
 * read-only; the handled mask is everything the running ABI knows, so a lower ABI still denies
 * what is not granted) and a seccomp filter (EPERM for ptrace, mount, namespaces, bpf, module
 * loading, keyrings, io_uring, non-UNIX sockets, ...); sets the limits (timeout kills the whole
 * PID namespace, RLIMIT_CPU/FSIZE/NOFILE/AS per process, RLIMIT_NPROC for the process count);
 * captures stdout and stderr through pipes, cut at the output limit with a marker.
 *
 * Identity: inside, the program has the caller's uid/gid and no capabilities. An unprivileged
 * caller's jail is that same user outside. A root caller's jail runs as the unprivileged kernel
 * uid JAIL_IDMAP_UID (so RLIMIT_NPROC binds — the kernel exempts real root — and root-only host
 * files stay closed) and its grants are idmapped mounts, so the caller's files look like its own
 * and files it creates belong to the caller outside. Where a grant's filesystem cannot be
 * idmapped, a root caller's jail keeps uid 0 (still without capabilities) and the process
 * limit comes from a per-run pids cgroup (v2 or v1); with no pids cgroup either, the jail
 * refuses to run. Grants beneath the workspace never follow symlinks. Memory: a per-run memory
 * cgroup bounds the whole tree where one can be made (v2 or v1, joined while the child builds
 * its view); otherwise RLIMIT_AS bounds each process (a tree may then use processes x memory).
 *
 * Real paths and protected names: grants are resolved to their real paths before any
 * comparison or mount (a grant through an alias of the workspace, /proc, /sys or /dev is masked or refused; host kernel filesystems
 * mounted beneath a grant are masked; the opened root is refused on a kernel filesystem). The
 * state dir <ws>/.boxagent is made (0700) before the run when a write grant shows the
 * workspace, and a symlinked or non-directory one refuses the run. Every grant is walked
 * (bounded: JAIL_WALK_* in jail_internal.h) for .boxagent/ (masked wherever found) and, in
 * write grants, the policy's protected names at any depth (re-bound read-only); protected
 * names that did not exist (no mount point possible) and that the program created are removed
 * after the run, when every jailed process is gone, with a line on stderr (jail_guard.c).
 * Seccomp also refuses setuid/setgid mode bits and connect() (host daemons' socket files).
 *
 * Fail closed: without Landlock or seccomp the jail refuses to run unless the caller sets
 * allow_unsandboxed (which the caller must audit). Only this layer forks sandboxed programs.
 */
#ifndef BOXAGENT_JAIL_H
#define BOXAGENT_JAIL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"

/* Defaults when neither the options nor the manifest set a limit. */
#define JAIL_DEFAULT_TIMEOUT_MS 30000ull
#define JAIL_DEFAULT_MEMORY (1ull << 30)       /* bytes */
#define JAIL_DEFAULT_PROCESSES 256ull
#define JAIL_DEFAULT_OUTPUT (1ull << 20)       /* bytes of stdout + stderr kept */
#define JAIL_DEFAULT_FILE_SIZE (1ull << 30)    /* bytes */
#define JAIL_DEFAULT_OPEN_FILES 256ull
#define JAIL_DEFAULT_TMP_SIZE (256ull << 20)   /* bytes of the private /tmp */

/* Which limit stopped the program (JAIL_LIMIT_NONE: it ended by itself). */
typedef enum jail_limit {
    JAIL_LIMIT_NONE = 0,
    JAIL_LIMIT_TIMEOUT,
    JAIL_LIMIT_OUTPUT,     /* far more output than the limit: the tree was killed */
    JAIL_LIMIT_CPU,
    JAIL_LIMIT_MEMORY,
    JAIL_LIMIT_FILE_SIZE,
    JAIL_LIMIT_PROCESSES,  /* the process limit refused at least one fork */
    JAIL_LIMIT_CANCELLED,  /* the caller's cancel flag became true */
} jail_limit;

const char *jail_limit_name(jail_limit l); /* "none", "timeout", "output", ... */

typedef struct jail_options {
    const char *cwd;          /* working directory inside the jail; NULL = the workspace (or
                                 /tmp when the workspace is not granted) */
    const char *stdin_data;   /* bytes fed to stdin (NULL = empty stdin) */
    size_t stdin_len;
    /* Limits; 0 = take the manifest's limit, else the default above. A manifest limit also
     * caps an explicit option (the smaller one wins). */
    uint64_t timeout_ms, memory, processes, output, cpu_ms, file_size, open_files;
    bool allow_unsandboxed;   /* run even if Landlock/seccomp are unavailable (audit it!) */
    const atomic_bool *cancel; /* may be NULL; when true the run is killed */
    /* Optional live output: called on the calling thread with each chunk as it is kept
     * (stream 1 = stdout, 2 = stderr; never beyond the output limit), in addition to the
     * result's buffers. The cut marker is not passed here; r->truncated says it happened. */
    void (*on_output)(void *user, int stream, const char *data, size_t len);
    void *output_user;
} jail_options;

typedef struct jail_result {
    bool ran;                 /* the program was started (false: refused / setup failed) */
    bool denied;              /* refused by the capability set (error says which rule) */
    int exit_code;            /* exit status, or 128+signal when killed by a signal */
    int signal;               /* the killing signal, 0 if it exited */
    char *out, *err;          /* captured stdout / stderr (malloc'd, NUL-terminated) */
    size_t out_len, err_len;
    bool truncated;           /* output was cut at the output limit (marker appended) */
    uint64_t output_bytes;    /* bytes the program wrote to stdout+stderr in total */
    jail_limit limit;         /* which limit stopped it */
    uint64_t wall_ms, cpu_ms, peak_rss; /* resources used (peak_rss in bytes) */
    bool unsandboxed;         /* ran without Landlock and/or seccomp (allow_unsandboxed) */
    char error[512];          /* why it did not run / the setup failure; "" otherwise */
} jail_result;

/* Zero options (all limits from the manifest / defaults). */
void jail_options_init(jail_options *o);

/* Run argv[0] (a bare name is searched in the jail's PATH) with argv under `p`. The program
 * must be allowed by policy_check_exec. Returns true if the program ran (whatever its exit
 * status); false with r->error set when it was refused or the jail could not be built.
 * Always fills *r (free with jail_result_free). */
bool jail_run(const policy_set *p, const char *const *argv, const jail_options *o,
              jail_result *r);
void jail_result_free(jail_result *r);

/* Is the kernel able to host the jail? Fills `why` (when non-NULL) with a one-line summary:
 * "landlock ABI 7, seccomp, user namespaces, pids cgroup v1" or what is missing. Returns
 * false if Landlock or seccomp is missing. */
bool jail_probe(char *why, size_t whylen);

/* Tool runners (the tool layer registers these; see jail_tools.c for schemas).
 * bash: `/bin/bash -c command` in the workspace; needs exec:bash or exec:*.
 * run: argv without a shell; needs exec:<argv[0]>.
 * timeout_ms 0 = the manifest's timeout; a larger value is capped by the manifest. */
bool jail_run_bash(const policy_set *p, const char *command, uint64_t timeout_ms,
                   jail_result *r);
bool jail_run_argv(const policy_set *p, const char *const *argv, const char *cwd,
                   const char *stdin_data, uint64_t timeout_ms, jail_result *r);
/* The bash runner with full options (cancel flag, output limit, cwd, stdin ...); o may be
 * NULL. For `run`, call jail_run with options. */
bool jail_run_bash_with(const policy_set *p, const char *command, const jail_options *o,
                        jail_result *r);

/* Text for a model or a terminal: stdout, then stderr, then a status line
 * ("[exit 3]", "[killed by signal 9]", "[stopped: timeout after 5000 ms]"). Caller frees. */
char *jail_result_text(const jail_result *r);

/* Plain data describing the jail's tools, for the tool layer to register. */
typedef struct jail_tool_info {
    const char *name;        /* "bash", "run" */
    const char *description; /* written for a model */
    const char *schema;      /* JSON Schema of the arguments (object) */
    const char *permission;  /* "execute" */
} jail_tool_info;

extern const jail_tool_info jail_tool_bash;
extern const jail_tool_info jail_tool_run;

#endif
