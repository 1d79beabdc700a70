/* jail_internal.h — the jail's private plan: everything the child needs, computed by the parent
 * before the fork so the child only makes system calls (no allocation after the fork: the
 * parent may be multi-threaded). Shared by the jail's own files only. */
#ifndef BOXAGENT_JAIL_INTERNAL_H
#define BOXAGENT_JAIL_INTERNAL_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "jail/jail.h"
#include "util/buf.h"

/* ---------------------------------------------------------------- Landlock constants
 * Debian 12's <linux/landlock.h> stops at ABI 2; the later ones are defined here. */
#define JAIL_LL_EXECUTE (1ULL << 0)
#define JAIL_LL_WRITE_FILE (1ULL << 1)
#define JAIL_LL_READ_FILE (1ULL << 2)
#define JAIL_LL_READ_DIR (1ULL << 3)
#define JAIL_LL_REMOVE_DIR (1ULL << 4)
#define JAIL_LL_REMOVE_FILE (1ULL << 5)
#define JAIL_LL_MAKE_CHAR (1ULL << 6)
#define JAIL_LL_MAKE_DIR (1ULL << 7)
#define JAIL_LL_MAKE_REG (1ULL << 8)
#define JAIL_LL_MAKE_SOCK (1ULL << 9)
#define JAIL_LL_MAKE_FIFO (1ULL << 10)
#define JAIL_LL_MAKE_BLOCK (1ULL << 11)
#define JAIL_LL_MAKE_SYM (1ULL << 12)
#define JAIL_LL_REFER (1ULL << 13)     /* ABI 2 */
#define JAIL_LL_TRUNCATE (1ULL << 14)  /* ABI 3 */
#define JAIL_LL_IOCTL_DEV (1ULL << 15) /* ABI 5 */
#define JAIL_LL_NET_BIND_TCP (1ULL << 0)    /* ABI 4 */
#define JAIL_LL_NET_CONNECT_TCP (1ULL << 1) /* ABI 4 */
#define JAIL_LL_SCOPE_ABSTRACT_UNIX (1ULL << 0) /* ABI 6 */
#define JAIL_LL_SCOPE_SIGNAL (1ULL << 1)        /* ABI 6 */
#define JAIL_LL_RULE_PATH_BENEATH 1
#define JAIL_LL_CREATE_RULESET_VERSION (1U << 0)

#define JAIL_LL_READ (JAIL_LL_EXECUTE | JAIL_LL_READ_FILE | JAIL_LL_READ_DIR)
#define JAIL_LL_ALL ((1ULL << 16) - 1)
/* Rights that apply to a file (not a directory) rule. */
#define JAIL_LL_FILE_RIGHTS                                                                  \
    (JAIL_LL_EXECUTE | JAIL_LL_WRITE_FILE | JAIL_LL_READ_FILE | JAIL_LL_TRUNCATE |            \
     JAIL_LL_IOCTL_DEV)

/* Every fs right the running ABI handles (0 for abi < 1). */
uint64_t jail_ll_fs_mask(int abi);
/* The running kernel's Landlock ABI (0 = unavailable). */
int jail_ll_abi(void);

/* ---------------------------------------------------------------- the plan */

typedef enum jail_mount_kind {
    JM_TMPFS = 0,  /* tmpfs at dst (opts: data) */
    JM_BIND_RO,    /* host src (resolved in the old root) -> dst, read-only, nosuid, nodev */
    JM_BIND_RW,    /* same, writable */
    JM_BIND_DEV,   /* a device node: read-write, nosuid, noexec (device access kept) */
    JM_SYMLINK,    /* symlink dst -> src (text) */
    JM_MASK_FILE,  /* an empty mode-000 read-only file over dst (if dst exists) */
    JM_MASK_DIR,   /* an empty mode-000 read-only directory over dst (if dst exists) */
    JM_PROC,       /* fresh proc for the new PID namespace, /proc/sys etc. read-only */
    JM_REBIND_RO,  /* dst (already in the new root) re-bound read-only over itself, if it exists */
    JM_SEAL_RO,    /* last: dst's own mount made read-only, mounts beneath it kept as they are
                      (skeleton directories leading to grants inside the private /tmp) */
} jail_mount_kind;

typedef struct jail_mount {
    jail_mount_kind kind;
    int order;         /* sort class among mounts of the same depth */
    bool optional;     /* a missing source is skipped rather than an error */
    bool grant;        /* a read:/write: grant (idmapped by the parent when plan->idmap) */
    char *src;         /* host path relative to "/" (binds) or link text (symlink) */
    char *dst;         /* "/newroot/..." */
    char *data;        /* tmpfs options */
    char *ws;          /* grants beneath the workspace: the workspace (else NULL) ... */
    char *ws_rel;      /* ... and the path beneath it ("." for the workspace itself) */
} jail_mount;

typedef struct jail_rule {
    char *path;        /* path in the final root */
    uint64_t access;   /* Landlock rights for a directory (file rules get the file subset) */
} jail_rule;

/* A write grant checked after the run for protected names the program created. */
typedef struct jail_watch {
    char *real;        /* the grant's real path on the host */
    bool view_root;    /* it is the host's / shown at the view's / */
    char **before;     /* protected entries (relative paths) that existed before the run */
    uint64_t *before_ino; /* ... and a signature (jail_guard_sig) of those that are neither
                           * directory nor file (no mount point covers them): replaced = new */
    size_t nbefore;
} jail_watch;

typedef struct jail_plan {
    jail_watch *watches;
    size_t nwatches;
    char **explicit_w; /* real (else lexical) paths of every write: grant, NULL-terminated */
    jail_mount *mounts;
    size_t nmounts, capmounts;
    jail_rule *rules;
    size_t nrules, caprules;
    char **argv;       /* NULL-terminated copy */
    char **envp;       /* NULL-terminated */
    char **path_dirs;  /* PATH search list for a bare program name, NULL-terminated */
    char *cwd;         /* in the final root */
    char *cwd_fallback;
    int ll_abi;        /* 0 = do not apply Landlock */
    const struct sock_fprog *seccomp; /* NULL = do not apply seccomp */
    uint64_t cpu_ms, file_size, open_files, processes, memory;
    bool rlimit_as;    /* memory enforced by RLIMIT_AS (no memory cgroup) */
    bool rlimit_nproc; /* processes by RLIMIT_NPROC (in addition to any pids cgroup) */
    char *join_tasks[2]; /* cgroup v1 "tasks" files the child joins itself (write "0": moving
                          * only the calling thread skips the global threadgroup lock and its
                          * RCU grace period); NULL when none */
    bool idmap;        /* grants arrive as idmapped trees from the parent (see jail_run.c) */
    uid_t uid_in, uid_out; /* the jail's uid inside its namespace / as the kernel sees it */
    gid_t gid_in, gid_out;
} jail_plan;

/* Most mounts a plan may hold (grants arrive as file descriptors, one per mount). */
#define JAIL_MAX_MOUNTS 1024
/* The kernel uid/gid a jail runs as when boxagent is root and idmapped mounts are available:
 * not 0, so RLIMIT_NPROC binds and root-only host files stay closed; grants are idmapped so
 * the caller's files look like the jail's own and files it creates belong to the caller. */
#define JAIL_IDMAP_UID 1879048192u

/* Build the plan for argv under p (paths, mounts, rules, env). false + err on bad input. */
bool jail_plan_build(jail_plan *pl, const policy_set *p, const char *const *argv,
                     const char *cwd, char *err, size_t errlen);
void jail_plan_free(jail_plan *pl);

/* ---------------------------------------------------------------- protected names
 * (jail_guard.c). Walks are breadth first, never follow symlinks, skip kernel filesystems. */
#define JAIL_WALK_MAX_DIRS 2048
#define JAIL_WALK_MAX_ENTRIES 65536
#define JAIL_WALK_MAX_DEPTH 24
/* Is `name` (in the directory `parent_rel`, "" for a walk's root) protected? */
bool jail_guard_protected(const char *parent_rel, const char *name);
/* Called for each protected entry: the directory fd holding it, its path relative to the
 * walk's root, its name and d_type. The walk does not descend into it. */
typedef void (*jail_walk_fn)(void *ctx, int dirfd, const char *rel, const char *name,
                             unsigned char dtype);
/* false when a bound stopped the walk before it covered the whole tree. With view_root (the
 * host's / shown at the view's /), the top-level entries the view covers with its own mounts
 * (system paths, /proc, /sys, /dev, /tmp) are skipped. */
bool jail_walk(const char *root, bool view_root, size_t max_dirs, jail_walk_fn fn, void *ctx);
/* 0 for a directory or regular file (re-bound read-only: cannot be replaced); else a mix of
 * inode, type and change time (an inode number alone may be reused at once). */
uint64_t jail_guard_sig(int dirfd, const char *name);
/* After the run: remove protected entries created inside watched grants; one line each. */
void jail_guard_after(const jail_plan *pl, buf *report);

/* ---------------------------------------------------------------- seccomp */

/* The main filter, compiled to BPF at build time (src/jail/gen/seccomp_gen.c). */
const struct sock_fprog *jail_seccomp_filter(void);
bool jail_seccomp_available(void);
/* A second filter stacked on the first (personality arguments). */
const struct sock_fprog *jail_seccomp_personality(void);

/* ---------------------------------------------------------------- cgroups */

typedef struct jail_cgroup {
    char *pids_dir;    /* NULL = no pids cgroup */
    char *mem_dir;     /* NULL = no memory cgroup */
    int pids_version, mem_version; /* 1 or 2 */
} jail_cgroup;

/* Create cgroups limiting pids (0 = no limit wanted) and memory (0 = none). Missing
 * controllers leave the dir NULL (the caller decides whether that is acceptable). */
void jail_cgroup_create(jail_cgroup *cg, uint64_t pids_max, uint64_t mem_max);
/* Join `pid` to the run's cgroups; with skip_v1, only the v2 ones (the child joins v1 itself
 * through jail_cgroup_tasks_paths). */
bool jail_cgroup_add(const jail_cgroup *cg, pid_t pid, bool skip_v1, char *err, size_t errlen);
/* The v1 "tasks" files of the run's cgroups (malloc'd, up to 2, rest NULL). */
void jail_cgroup_tasks_paths(const jail_cgroup *cg, char *out[2]);
/* After the run: did the pids limit refuse a fork, did the memory limit OOM-kill, peak. */
void jail_cgroup_stats(const jail_cgroup *cg, bool *pids_hit, bool *oom_killed,
                       uint64_t *mem_peak);
void jail_cgroup_destroy(jail_cgroup *cg);
/* One-line description of what is available ("pids cgroup v1, memory cgroup v1"). */
void jail_cgroup_describe(char *out, size_t n);

/* jail_run with the exec capability checked for `exec_name` (e.g. "bash" for /bin/bash -c). */
bool jail_run_as(const policy_set *p, const char *exec_name, const char *const *argv,
                 const jail_options *opts, jail_result *r);

/* ---------------------------------------------------------------- the child */

/* File descriptors the child receives (already in place at these numbers after setup). */
typedef struct jail_child_fds {
    int in_r, out_w, err_w;  /* program's stdio */
    int msg_w;               /* setup/exec error text (close-on-exec) */
    int status_w;            /* init writes the program's wait status here */
    int sync_fd;             /* SOCK_SEQPACKET: parent sends idmapped grant trees, then "go" */
} jail_child_fds;

/* Runs in the cloned child (PID 1 of the new namespace). Never returns. */
_Noreturn void jail_child_main(const jail_plan *pl, const jail_child_fds *fds);

/* Steps used by the child (each returns 0 or -errno and writes a message to msg). */
int jail_mount_setup(const jail_plan *pl, const int *trees, char *msg, size_t msglen);
int jail_landlock_apply(const jail_plan *pl, char *msg, size_t msglen);
/* O_PATH fd of a grant's source, `root_fd` standing for "/": beneath the workspace no symlink
 * is followed (an agent may have planted one there in an earlier run: ELOOP), elsewhere the
 * host's own resolution applies. -1 + errno on failure. System calls only. */
int jail_open_grant(int root_fd, const jail_mount *m);
/* Is fd on a host kernel filesystem (proc, sysfs, devpts, cgroup, debugfs, ...)? devtmpfs
 * reports tmpfs's magic and is caught by path instead. */
bool jail_kernel_fs(int fd);

#endif
