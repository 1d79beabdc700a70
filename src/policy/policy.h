/* policy.h — capability manifests: parse, validate, print, compare, attenuate, decide.
 *
 * A manifest is a list of lines. A capability is `KIND:TARGET`:
 *   read:PATH[::GUEST]   read files / list directories beneath PATH
 *   write:PATH[::GUEST]  create, modify, rename, delete beneath PATH (includes read)
 *   fetch:URL            scheme://host[:port][/path-prefix]; host may be *.example.com or *
 *   exec:PROGRAM         run PROGRAM natively inside the jail (`*` = any program)
 *   env:NAME             see the host environment variable NAME
 * A limit is `NAME=VALUE`: fuel=N, memory=SIZE (K/M/G suffixes, binary), timeout=DURATION
 * (ms, s, m suffixes; bare number = ms), output=SIZE, stack=N (call depth), parallel=N,
 * processes=N, cpu=DURATION, files=N. Blank lines and `#` comments are ignored. Unknown kinds,
 * unknown limits, malformed lines and contradictory limits are errors with line and column.
 *
 * PATH is relative to the workspace unless absolute; it is normalised lexically (no symlink
 * resolution here: enforcement resolves beneath the root at use, see policy_open_beneath).
 * This layer depends on nothing but util/.
 */
#ifndef BOXAGENT_POLICY_H
#define BOXAGENT_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum policy_kind {
    POLICY_READ = 0,
    POLICY_WRITE,
    POLICY_FETCH,
    POLICY_EXEC,
    POLICY_ENV,
} policy_kind;

typedef struct policy_url {
    char *scheme;       /* "http" or "https" */
    char *host;         /* lower-case; for wildcards, the suffix without "*." */
    bool host_any;      /* host was "*": any public host */
    bool host_wildcard; /* host was "*.suffix": strict subdomains of suffix only */
    int port;           /* explicit or the scheme's default */
    char *path_prefix;  /* normalised, starts with "/", no trailing "/" except for "/" itself */
    /* Added fields. */
    bool public_only;   /* exact host narrowed from a wildcard parent: public addresses only
                         * (text form: "fetch:URL public"); wildcards are always public-only */
    char *query;        /* request URLs: the query without "?" (NULL if none); never in caps */
} policy_url;

typedef struct policy_cap {
    policy_kind kind;
    char *text;       /* the capability as written in canonical form, e.g. "read:/abs/src" */
    char *path;       /* read/write: absolute, normalised host path */
    char *guest;      /* read/write: guest path (defaults to path) */
    policy_url url;   /* fetch */
    char *name;       /* exec: program; env: variable name */
} policy_cap;

/* Limits; a field is meaningful only when its `has_` bit is set. */
typedef struct policy_limits {
    uint64_t fuel, memory, timeout_ms, output, stack, parallel, processes, cpu_ms, files;
    bool has_fuel, has_memory, has_timeout, has_output, has_stack, has_parallel, has_processes,
        has_cpu, has_files;
} policy_limits;

typedef struct policy_set {
    char *workspace;  /* absolute, normalised */
    policy_cap *caps;
    size_t ncaps;
    policy_limits limits;
    /* Added: the real path of <workspace>/.boxagent (symlinks resolved) when the workspace
     * existed at policy_new, else NULL. The state directory is refused under this form too, so
     * a workspace named through a symlink cannot expose it to callers that pass real paths. */
    char *state_real;
} policy_set;

typedef struct policy_error {
    int line, column; /* 1-based; 0 when not from text */
    char message[256];
} policy_error;

policy_set *policy_new(const char *workspace); /* NULL if workspace is not absolute-able */
void policy_free(policy_set *p);
policy_set *policy_clone(const policy_set *p);

/* Add one line (capability, limit, blank or comment). `line` is used for error positions. */
bool policy_add_line(policy_set *p, const char *text, int line, policy_error *err);
/* Parse a whole manifest text / file. */
bool policy_parse(policy_set *p, const char *text, policy_error *err);
bool policy_load_file(policy_set *p, const char *path, policy_error *err);

/* Canonical text (one line per capability then limits); caller frees. */
char *policy_format(const policy_set *p);

/* True if every capability and limit of `a` is within `b` (a ⊆ b). */
bool policy_is_subset(const policy_set *a, const policy_set *b);

/* The intersection: every capability of `request` that `parent` covers (narrowed to what
 * the parent holds), limits = min of both (a limit unset in the parent stays as the
 * request's; unset in the request takes the parent's). Capabilities of `request` that were
 * dropped or narrowed are described, one per line, in *dropped (caller frees; may be NULL).
 * The result never holds anything the parent lacks.
 * Paths: a request root the parent covers is kept at the strongest access both allow (write
 * under a read-only parent becomes read); where the parent holds only narrower roots beneath
 * the requested one, those roots are kept instead (request write:. under parent read:src gives
 * read:src). A write the parent cannot make because of a protected name (.git, shell start-up
 * files) becomes read. fetch: the intersection of the two patterns (a request for any host
 * under parent https://api.x.com/v1 gives https://api.x.com/v1 public — an exact host reached
 * through a wildcard stays public-only, see policy_url_names_host). exec/env: a request `*`
 * becomes the parent's names. The result uses the parent's workspace. */
policy_set *policy_attenuate(const policy_set *parent, const policy_set *request, char **dropped);

/* ---------------------------------------------------------------- decisions */

typedef enum policy_access {
    POLICY_ACCESS_READ = 1,
    POLICY_ACCESS_WRITE = 2,
} policy_access;

typedef struct policy_decision {
    bool allowed;
    const policy_cap *cap; /* the capability that allowed it, or NULL */
    char reason[320];      /* "allowed by read:/w/src" or why it was denied */
} policy_decision;

/* Lexical decision for an absolute or workspace-relative path (for audit and early refusal;
 * enforcement is policy_open_beneath at the point of use). Protected paths (.boxagent/ of the
 * workspace always; .git/ and shell start-up files for write unless named explicitly) are
 * applied here. */
policy_decision policy_check_path(const policy_set *p, const char *path, policy_access access);
/* fetch: the URL is parsed strictly (policy_url_parse) and matched on scheme, host (exact;
 * "*.d" strict subdomains only; "*" any), port (default when absent) and path prefix on a
 * segment boundary after normalisation. The most specific capability decides (explicit host
 * before public-only before "*.d" before "*", then the longest prefix). */
policy_decision policy_check_fetch(const policy_set *p, const char *url);
/* exec: "exec:NAME" (no "/") matches the bare program name NAME only; "exec:PATH" (with "/",
 * workspace-relative unless absolute) matches that exact normalised path only; "exec:*" any.
 * env: exact variable name, or "env:*". */
policy_decision policy_check_exec(const policy_set *p, const char *program);
policy_decision policy_check_env(const policy_set *p, const char *name);

/* Parse a URL or a fetch: target (used by egress too). false + message on malformed input. */
bool policy_url_parse(const char *text, bool allow_wildcards, policy_url *out, char *err,
                      size_t errlen);
void policy_url_free(policy_url *u);

/* ---------------------------------------------------------------- added API */

/* The canonical URL of a parsed request URL: scheme://host[:port]path[?query] (port only
 * when not the default; path as normalised). This is the exact URL egress should connect to,
 * so the check and the connection see the same thing. Caller frees. */
char *policy_url_format(const policy_url *u);
/* Does pattern `cap` (a fetch: target) match the parsed request URL `req`? */
bool policy_url_matches(const policy_url *cap, const policy_url *req);
/* True when `cap` names its host explicitly (not "*", not "*.d", not public_only): only such a
 * capability may reach loopback/private/link-local addresses (egress's address rule). */
bool policy_url_names_host(const policy_url *cap);
/* Lexically normalise `path` (relative to `base` unless absolute): "." and duplicate "/"
 * removed, ".." folded (never above "/"). Caller frees. */
char *policy_path_normalize(const char *base, const char *path);
/* Host path for a guest path of a read:/write: grant (e.g. "/out/x" under
 * write:/ws/build::/out gives "/ws/build/x"); NULL if no grant maps it. Caller frees.
 * *cap_out (if non-NULL) receives the grant used (longest guest prefix). */
char *policy_guest_to_host(const policy_set *p, const char *guest, const policy_cap **cap_out);


/* Protected names (one list for the WASI host, the tools and the jail): VCS metadata (.git,
 * .gitconfig, .gitmodules, .hg, .hgrc), shell start-up files (.bashrc .bash_profile .bash_login
 * .bash_logout .bash_aliases .profile .zshrc .zshenv .zprofile .zlogin .zlogout .inputrc .kshrc
 * .cshrc .tcshrc .login .logout), .envrc, .ssh and .config/fish. They are read-only inside a
 * write: grant unless a write: capability names them (or something beneath them) explicitly.
 * policy_protected_name: is this single path component (no "/") a protected name?
 * policy_rel_protected: does the relative path `rel` contain one (including the two-component
 * ".config/fish")? *which (if non-NULL) gets the list entry.
 * policy_protected_list: the NULL-terminated list, as paths relative to a grant root
 * (e.g. for the jail to re-bind each read-only). */
bool policy_protected_name(const char *component);
bool policy_rel_protected(const char *rel, const char **which);
const char *const *policy_protected_list(void);

/* Is the absolute normalised `path` /proc, /sys or /dev or beneath one of them? Nothing there
 * is ever granted (policy_check_path denies it, whatever the capabilities say). */
bool policy_path_pseudo(const char *path);
/* Does the path contain a component named ".boxagent" (any workspace's state directory)? */
bool policy_path_has_state_name(const char *path);
/* Is the object behind `fd` (any fd, O_PATH too) on a kernel pseudo file system (proc, sysfs,
 * debugfs, securityfs, cgroup, devpts, tracefs, bpf, ...), on /dev (devtmpfs), or a device
 * node? Then it must never be handed to a sandbox: true, with *why filled. Also true when the
 * object cannot be examined. */
bool policy_fd_refused(int fd, char *why, size_t whylen);
/* Open a grant root (absolute; a directory or, for single-file grants, a file) with `flags`
 * (e.g. O_PATH|O_DIRECTORY or O_RDONLY|O_DIRECTORY; never O_CREAT/O_TRUNC) without following a
 * symbolic link in any component: beneath the workspace (openat2 RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS) when the root is inside it — the workspace's own
 * path may pass through links, it was chosen by the operator — else from "/" with
 * RESOLVE_NO_SYMLINKS. A root that passes through a symlink, lies on /proc, /sys, /dev or a
 * pseudo file system (policy_fd_refused) is refused with -EACCES and *why says so; other
 * failures give -errno. Returns an fd (O_CLOEXEC). */
int policy_open_root(const policy_set *p, const char *root, int flags, char *why, size_t whylen);

/* policy_check_path, then (when allowed) the deciding grant's root is checked on the file
 * system with policy_open_root: a root that passes through a symlink or lies on a pseudo file
 * system turns the decision into a denial with that reason. A root that does not exist (yet)
 * keeps the lexical answer. For early decisions (tools, audit) that should say "refused"
 * where enforcement would refuse anyway. */
policy_decision policy_check_path_fs(const policy_set *p, const char *path, policy_access access);

/* The largest value accepted for limit `name` ("fuel", "memory", "timeout" (ms), "output",
 * "stack", "parallel", "processes", "cpu" (ms), "files"); 0 for an unknown name. Parsing
 * refuses larger values (fuel 2^62, timeout/cpu 7 days, memory 1 TiB, output 1 GiB,
 * stack/processes/files 2^20, parallel 1024); callers taking limits from elsewhere (CLI
 * flags) should refuse the same. */
uint64_t policy_limit_max(const char *name);

/* Open `rel` beneath the directory fd `dirfd` as openat2(RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS)
 * does (falling back to a component-by-component walk where openat2 is missing). Never escapes
 * `dirfd` through "..", absolute paths or symlinks. Returns an fd or -errno. */
int policy_open_beneath(int dirfd, const char *rel, int flags, int mode);

/* The whole decision and enforcement for one path, for runners that open files on the host:
 * policy_check_path, then open beneath the deciding grant's root with policy_open_beneath
 * (parent directory first, then the last component), then check what was actually opened
 * (its real path via /proc/self/fd): never inside the workspace's .boxagent/, and for write
 * access never a protected name (.git, shell start-up files) beneath the grant — so a symlink
 * inside the grant cannot lead to either. With O_CREAT a new file is created only with the
 * last component not a symlink (O_EXCL + RESOLVE_NO_SYMLINKS), after its directory passed the
 * check. `access` must match `flags` (WRITE for O_WRONLY/O_RDWR/O_CREAT/O_TRUNC). Returns an
 * fd (O_CLOEXEC) or -errno (-EACCES when refused); *d (if non-NULL) says why. */
int policy_open(const policy_set *p, const char *path, policy_access access, int flags, int mode,
                policy_decision *d);

#endif
