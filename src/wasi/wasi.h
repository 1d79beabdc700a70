/* wasi.h — the WASI preview1 host: maps a capability set (policy.h) onto a WebAssembly guest.
 *
 * Typical use (one fresh context + instance per tool call; the module and linker are shared):
 *
 *   wasm_linker *l = wasm_linker_new();
 *   wasi_link(l, &werr);                       // once: every wasi_snapshot_preview1 import
 *   ...
 *   wasi_options o = {.argv = argv, .argc = 2, .output_limit = 1 << 20};
 *   wasi_ctx *c = wasi_new(caps, &o, err, sizeof err);
 *   wasi_result r;
 *   wasi_run(c, module, l, NULL, &r);          // limits default to caps->limits
 *   ... wasi_stdout(c), r.exit_code, r.limit ...
 *   wasi_free(c);
 *
 * Authority: the guest sees only what `caps` grants. Each read:/write: capability becomes a
 * preopened directory named by its guest path (default: its absolute host path); a grant
 * whose guest path equals its host path and lies inside the workspace is also preopened under
 * its workspace-relative name (the workspace itself as "."; a grant that only contains the
 * workspace adds a preopen of the workspace as "."), so relative paths work with wasi-libc.
 * Exception: when "/" itself is granted, no relative names are added (wasi-libc would let
 * "." shadow "/" for absolute paths); relative paths then resolve from "/". Every path is resolved beneath its preopen with policy_open_beneath(); the
 * workspace's .boxagent/ is never reachable, and .git/ and shell start-up files are read-only
 * inside write: grants unless named explicitly (policy_check_path decides, on the object's
 * kernel path seen through every grant that contains it). Symlinks may not be created (or
 * moved) so that they point outside their grant; hard links need write authority over their
 * source and never copy a symlink. Only environment variables granted by env:NAME are
 * visible. Denials are WASI errnos (EACCES for protected paths, ENOTCAPABLE for everything
 * outside the grants), never traps; wasi_result counts them and keeps the last reason.
 *
 * Host functions find their context through wasm_instance_user(), so one linker serves any
 * number of contexts (wasi_run sets the instance's user pointer). A context is used by one
 * thread at a time; wasi_run may be called again on the same context (state carries over:
 * open fds, output buffers).
 */
#ifndef BOXAGENT_WASI_H
#define BOXAGENT_WASI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"
#include "wasm/wasm.h"

typedef struct wasi_ctx wasi_ctx;

/* Where a standard stream goes. */
typedef enum wasi_stdio_mode {
    WASI_STDIO_BUFFER = 0, /* stdin: read from stdin_data; stdout/stderr: captured in memory */
    WASI_STDIO_FD,         /* pass through to a host fd (stdin_fd / stdout_fd / stderr_fd) */
    WASI_STDIO_NULL,       /* stdin: empty; stdout/stderr: discarded (still counted) */
} wasi_stdio_mode;

typedef struct wasi_options {
    const char *const *argv; /* guest argv (argv[0] is the program name); may be NULL */
    size_t argc;
    /* Candidate environment as "NAME=VALUE" strings; only names granted by env:NAME in the
     * capability set are passed to the guest. May be NULL. */
    const char *const *env;
    size_t nenv;

    wasi_stdio_mode stdin_mode, stdout_mode, stderr_mode;
    const void *stdin_data; /* WASI_STDIO_BUFFER: not copied; must outlive the context */
    size_t stdin_len;
    int stdin_fd, stdout_fd, stderr_fd; /* WASI_STDIO_FD (e.g. 0, 1, 2) */

    /* Bytes stdout+stderr together may write; past it the guest gets short writes, then
     * EFBIG, and wasi_result.output_cut is set. 0 = caps->limits.output if set, else
     * unlimited. */
    uint64_t output_limit;
} wasi_options;

/* Create a context for `caps` (may be NULL: no files, no environment). Returns NULL and a
 * one-line message in err on a bad option (e.g. a capability whose path is not absolute).
 * The capability set is copied; nothing is opened yet: the preopened directories are opened
 * at the guest's first file-system call (a guest that only prints opens nothing). */
wasi_ctx *wasi_new(const policy_set *caps, const wasi_options *o, char *err, size_t errlen);
void wasi_free(wasi_ctx *c);

/* Define all wasi_snapshot_preview1 imports in `l` (functions find their context through
 * wasm_instance_user). False + err on failure (e.g. already defined). */
bool wasi_link(wasm_linker *l, wasm_error *err);
/* The same, for only the wasi_snapshot_preview1 functions module `m` imports (a command run
 * once links a handful, not all of them; names it imports that WASI lacks stay unresolved,
 * and instantiation says so). */
bool wasi_link_imports(wasm_linker *l, const wasm_module *m, wasm_error *err);

/* Run limits; a zero field falls back to the capability set's limit, then to no limit
 * (call depth: the engine default). */
typedef struct wasi_run_limits {
    uint64_t fuel;         /* instructions; needs a module compiled with metering */
    uint64_t memory_bytes; /* linear memory ceiling */
    uint64_t timeout_ms;   /* wall-clock deadline for _start (watchdog interrupt) */
    uint32_t stack;        /* max call depth */
} wasi_run_limits;

/* Which limit stopped (or, for OUTPUT, cut) the guest. */
typedef enum wasi_limit {
    WASI_LIMIT_NONE = 0,
    WASI_LIMIT_FUEL,
    WASI_LIMIT_MEMORY,
    WASI_LIMIT_TIMEOUT,
    WASI_LIMIT_STACK,
    WASI_LIMIT_OUTPUT,
} wasi_limit;

typedef struct wasi_result {
    int exit_code;         /* proc_exit status, 0 if _start returned; 128+ / 1 after a trap */
    bool exited;           /* the guest finished (returned or called proc_exit) */
    wasm_trap trap;        /* WASM_OK, or why it stopped (WASM_TRAP_EXIT is reported as OK) */
    wasi_limit limit;      /* the limit that stopped it (or OUTPUT if output was cut) */
    uint64_t limit_value;  /* that limit's configured value */
    uint64_t fuel_used;
    uint64_t peak_memory;  /* bytes */
    uint64_t wall_ns;      /* instantiate + run */
    uint64_t stdout_bytes, stderr_bytes; /* bytes the guest wrote (accepted) */
    bool output_cut;       /* the output limit was reached */
    char message[512];     /* one line: the trap / limit / setup error; "" when fine */
    uint32_t denials;      /* guest requests refused for lack of authority (EACCES/ENOTCAPABLE) */
    char denial[384];      /* the last such refusal, one line (the policy's reason), or "" */
} wasi_result;

/* Instantiate `m` against `l` (NULL: a linker with only the WASI imports is made and freed),
 * with the limits, then call `_start` (a watchdog interrupts it at the timeout). Returns 0 when
 * the guest ran (look at *res for traps and exit code) and -1 when it could not be started
 * (link failure, no _start, limits below the module's minimum); res->message says why. */
int wasi_run(wasi_ctx *c, const wasm_module *m, const wasm_linker *l,
             const wasi_run_limits *limits, wasi_result *res);

/* Captured output (WASI_STDIO_BUFFER); NUL-terminated, owned by the context. */
const char *wasi_stdout(const wasi_ctx *c, size_t *len);
const char *wasi_stderr(const wasi_ctx *c, size_t *len);

/* "fuel", "memory", ... for messages; "" for NONE. */
const char *wasi_limit_name(wasi_limit l);

/* WASI errno values used by this host (a subset of the preview1 list). */
enum {
    WASI_ESUCCESS = 0,
    WASI_E2BIG = 1,
    WASI_EACCES = 2,
    WASI_EBADF = 8,
    WASI_EEXIST = 20,
    WASI_EFAULT = 21,
    WASI_EFBIG = 22,
    WASI_EILSEQ = 25,
    WASI_EINVAL = 28,
    WASI_EIO = 29,
    WASI_EISDIR = 31,
    WASI_ENAMETOOLONG = 37,
    WASI_ENOENT = 44,
    WASI_ENOSYS = 52,
    WASI_ENOTDIR = 54,
    WASI_ENOTEMPTY = 55,
    WASI_ENOTSUP = 58,
    WASI_EPERM = 63,
    WASI_ESPIPE = 70,
    WASI_EXDEV = 75,
    WASI_ENOTCAPABLE = 76,
};

#endif
