/* jail_plan.c — turns a capability set into the jail's plan: which host paths are bound where
 * (read-only / read-write), which are masked, the Landlock rules, the environment and the
 * program's argv. Runs in the parent, before the fork, so the child never allocates. */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jail/jail_internal.h"
#include "util/util.h"

#define JAIL_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Sort classes for mounts at the same depth: later classes are mounted on top. */
enum { ORD_BASE = 0, ORD_READ = 1, ORD_WRITE = 2, ORD_PROTECT = 3, ORD_MASK = 4 };

static const char *const system_dirs[] = {"/usr", "/bin", "/sbin", "/lib", "/lib32",
                                          "/lib64", "/libx32", "/etc"};

/* Secrets under /etc that a process whose identity maps to the owner could otherwise read. */
static const char *const etc_secrets[] = {
    "/etc/shadow",         "/etc/shadow-",          "/etc/gshadow",  "/etc/gshadow-",
    "/etc/sudoers",        "/etc/sudoers.d",        "/etc/ssl/private",
    "/etc/security/opasswd", "/etc/krb5.keytab",    "/etc/.pwd.lock",
};

/* Files that make the host run code later: read-only inside a write grant unless named. */
static const char *const protected_names[] = {
    ".git",    ".bashrc", ".bash_profile", ".bash_login", ".bash_logout", ".profile",
    ".zshrc",  ".zshenv", ".zprofile",     ".zlogin",     ".inputrc",
};

static const char *const dev_nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};

static int path_depth(const char *p)
{
    int d = 0;
    for (const char *s = p; *s; s++)
        if (*s == '/' && s[1] && s[1] != '/') d++;
    return d;
}

/* Is `path` equal to or beneath `dir` (both absolute, normalised)? */
static bool beneath(const char *path, const char *dir)
{
    if (!strcmp(dir, "/")) return true;
    size_t n = strlen(dir);
    return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

/* Lexical normalisation of an absolute path ("." and "//" removed, ".." folded). */
static char *normalize_abs(const char *path)
{
    size_t n = strlen(path);
    char *out = xmalloc(n + 2);
    size_t o = 0;
    const char *s = path;
    while (*s) {
        while (*s == '/') s++;
        if (!*s) break;
        const char *e = strchr(s, '/');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len == 1 && s[0] == '.') {
        } else if (len == 2 && s[0] == '.' && s[1] == '.') {
            while (o > 0 && out[o - 1] != '/') o--;
            if (o > 0) o--;
        } else {
            out[o++] = '/';
            memcpy(out + o, s, len);
            o += len;
        }
        s += len;
    }
    if (o == 0) out[o++] = '/';
    out[o] = '\0';
    return out;
}

static void add_mount(jail_plan *pl, jail_mount_kind kind, int order, bool optional,
                      const char *src, const char *path, const char *data)
{
    if (pl->nmounts == pl->capmounts) {
        pl->capmounts = pl->capmounts ? pl->capmounts * 2 : 32;
        pl->mounts = xrealloc(pl->mounts, pl->capmounts * sizeof *pl->mounts);
    }
    jail_mount *m = &pl->mounts[pl->nmounts++];
    m->kind = kind;
    m->order = order;
    m->optional = optional;
    m->src = src ? xstrdup(src) : NULL;
    m->dst = xasprintf("/newroot%s", strcmp(path, "/") ? path : "");
    m->data = data ? xstrdup(data) : NULL;
    m->grant = false;
    m->ws = m->ws_rel = NULL;
}

static void add_rule(jail_plan *pl, const char *path, uint64_t access)
{
    for (size_t i = 0; i < pl->nrules; i++)
        if (!strcmp(pl->rules[i].path, path)) {
            pl->rules[i].access |= access;
            return;
        }
    if (pl->nrules == pl->caprules) {
        pl->caprules = pl->caprules ? pl->caprules * 2 : 16;
        pl->rules = xrealloc(pl->rules, pl->caprules * sizeof *pl->rules);
    }
    pl->rules[pl->nrules].path = xstrdup(path);
    pl->rules[pl->nrules].access = access;
    pl->nrules++;
}

static int mount_cmp(const void *a, const void *b)
{
    const jail_mount *x = a, *y = b;
    if ((x->kind == JM_SEAL_RO) != (y->kind == JM_SEAL_RO)) return x->kind == JM_SEAL_RO ? 1 : -1;
    int dx = path_depth(x->dst), dy = path_depth(y->dst);
    if (dx != dy) return dx < dy ? -1 : 1;
    if (x->order != y->order) return x->order < y->order ? -1 : 1;
    return 0;
}

static void add_system(jail_plan *pl)
{
    for (size_t i = 0; i < sizeof system_dirs / sizeof system_dirs[0]; i++) {
        const char *d = system_dirs[i];
        struct stat st;
        if (lstat(d, &st) != 0) continue;
        if (S_ISLNK(st.st_mode)) {
            char target[4096];
            ssize_t n = readlink(d, target, sizeof target - 1);
            if (n <= 0) continue;
            target[n] = '\0';
            add_mount(pl, JM_SYMLINK, ORD_BASE, true, target, d, NULL);
        } else if (S_ISDIR(st.st_mode)) {
            add_mount(pl, JM_BIND_RO, ORD_BASE, true, d, d, NULL);
            add_rule(pl, d, JAIL_LL_READ);
        }
    }
    for (size_t i = 0; i < sizeof etc_secrets / sizeof etc_secrets[0]; i++) {
        struct stat st;
        if (lstat(etc_secrets[i], &st) != 0) continue;
        add_mount(pl, S_ISDIR(st.st_mode) ? JM_MASK_DIR : JM_MASK_FILE, ORD_MASK, true, NULL,
                  etc_secrets[i], NULL);
    }
    /* Host private keys (e.g. /etc/ssh/ssh_host_ed25519_key). */
    glob_t g;
    if (glob("/etc/ssh/*_key", GLOB_NOSORT, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++)
            add_mount(pl, JM_MASK_FILE, ORD_MASK, true, NULL, g.gl_pathv[i], NULL);
    }
    globfree(&g);

    char opts[64];
    snprintf(opts, sizeof opts, "mode=1777,size=%llu",
             (unsigned long long)JAIL_DEFAULT_TMP_SIZE);
    add_mount(pl, JM_TMPFS, ORD_BASE, false, NULL, "/tmp", opts);
    add_rule(pl, "/tmp", JAIL_LL_ALL);

    add_mount(pl, JM_TMPFS, ORD_BASE, false, NULL, "/dev", "mode=0755,size=64k");
    for (size_t i = 0; i < sizeof dev_nodes / sizeof dev_nodes[0]; i++) {
        char host[32];
        snprintf(host, sizeof host, "/dev/%s", dev_nodes[i]);
        add_mount(pl, JM_BIND_DEV, ORD_BASE, true, host, host, NULL);
    }
    add_mount(pl, JM_SYMLINK, ORD_BASE, false, "/proc/self/fd", "/dev/fd", NULL);
    add_mount(pl, JM_SYMLINK, ORD_BASE, false, "/proc/self/fd/0", "/dev/stdin", NULL);
    add_mount(pl, JM_SYMLINK, ORD_BASE, false, "/proc/self/fd/1", "/dev/stdout", NULL);
    add_mount(pl, JM_SYMLINK, ORD_BASE, false, "/proc/self/fd/2", "/dev/stderr", NULL);
    add_mount(pl, JM_TMPFS, ORD_BASE, false, NULL, "/dev/shm", "mode=1777,size=64m");
    add_rule(pl, "/dev", JAIL_LL_READ_FILE | JAIL_LL_WRITE_FILE | JAIL_LL_READ_DIR |
                             JAIL_LL_IOCTL_DEV);
    add_rule(pl, "/dev/shm", JAIL_LL_ALL);

    add_mount(pl, JM_PROC, ORD_BASE, false, NULL, "/proc", NULL);
    /* Directory listing everywhere in the view: the view holds only grants, system paths and
     * the empty directories leading to them (masks are mode 000), so this reveals nothing
     * more, and `ls /`, find and globbing work as in the WebAssembly backend. */
    add_rule(pl, "/", JAIL_LL_READ_DIR);
    add_rule(pl, "/proc", JAIL_LL_READ_FILE | JAIL_LL_READ_DIR);
    /* PID 1 is the jail's init, a clone of boxagent: its command line (which may name the
     * task or other secrets) is not the program's business. */
    add_mount(pl, JM_MASK_FILE, ORD_MASK, true, NULL, "/proc/1/cmdline", NULL);
}

static bool host_kernel_path(const char *path)
{
    return beneath(path, "/proc") || beneath(path, "/sys") || beneath(path, "/dev");
}

static bool add_grants(jail_plan *pl, const policy_set *p, char *err, size_t errlen)
{
    char *state = p->workspace ? xasprintf("%s/.boxagent", p->workspace) : NULL;
    bool state_visible = false;
    bool ok = true;
    for (size_t i = 0; i < p->ncaps && ok; i++) {
        const policy_cap *c = &p->caps[i];
        if (c->kind != POLICY_READ && c->kind != POLICY_WRITE) continue;
        if (!c->path || c->path[0] != '/') {
            snprintf(err, errlen, "jail: capability %s has no absolute path",
                     c->text ? c->text : "?");
            ok = false;
            break;
        }
        char *path = normalize_abs(c->path);
        bool write = c->kind == POLICY_WRITE;
        if (host_kernel_path(path)) {
            snprintf(err, errlen,
                     "jail: capability %s names a host kernel interface (/proc, /sys, /dev), "
                     "which the jail never exposes",
                     c->text ? c->text : path);
            free(path);
            ok = false;
            break;
        }
        if (state && beneath(path, state)) { /* the state dir is never visible */
            free(path);
            continue;
        }
        /* A read grant inside a write grant adds nothing (and must not make it read-only). */
        bool redundant = false;
        if (!write)
            for (size_t j = 0; j < p->ncaps; j++)
                if (p->caps[j].kind == POLICY_WRITE && p->caps[j].path &&
                    beneath(path, p->caps[j].path))
                    redundant = true;
        if (state && beneath(state, path)) state_visible = true;
        /* Directories leading to a grant inside the private /tmp must not be writable there
         * (a file "created in the workspace's parent" would silently land in /tmp). */
        if (!redundant && beneath(path, "/tmp") && strcmp(path, "/tmp")) {
            const char *slash = strchr(path + 5, '/');
            if (slash) {
                char *top = xstrndup(path, (size_t)(slash - path));
                bool dup = false;
                for (size_t k = 0; k < pl->nmounts; k++)
                    if (pl->mounts[k].kind == JM_SEAL_RO && !strcmp(pl->mounts[k].dst + 8, top))
                        dup = true;
                if (!dup) add_mount(pl, JM_SEAL_RO, ORD_MASK, true, NULL, top, NULL);
                free(top);
            }
        }
        if (!redundant) {
            add_mount(pl, write ? JM_BIND_RW : JM_BIND_RO, write ? ORD_WRITE : ORD_READ, true,
                      path, path, NULL);
            jail_mount *gm = &pl->mounts[pl->nmounts - 1];
            gm->grant = true;
            if (p->workspace && beneath(path, p->workspace)) {
                gm->ws = xstrdup(p->workspace);
                gm->ws_rel = xstrdup(strcmp(path, p->workspace)
                                         ? path + strlen(p->workspace) + (strcmp(p->workspace, "/") ? 1 : 0)
                                         : ".");
            }
            add_rule(pl, path, write ? JAIL_LL_ALL : JAIL_LL_READ);
        }
        if (write) {
            /* .git and shell start-up files of this grant (and of the workspace when it is
             * inside the grant) are re-bound read-only unless a write cap names them. */
            const char *dirs[2] = {path, NULL};
            if (p->workspace && strcmp(p->workspace, path) && beneath(p->workspace, path))
                dirs[1] = p->workspace;
            for (int d = 0; d < 2; d++) {
                if (!dirs[d]) continue;
                for (size_t k = 0; k < sizeof protected_names / sizeof protected_names[0]; k++) {
                    char *prot = !strcmp(dirs[d], "/")
                                     ? xasprintf("/%s", protected_names[k])
                                     : xasprintf("%s/%s", dirs[d], protected_names[k]);
                    bool named = false;
                    for (size_t j = 0; j < p->ncaps; j++)
                        if (p->caps[j].kind == POLICY_WRITE && p->caps[j].path &&
                            !strcmp(p->caps[j].path, prot))
                            named = true;
                    if (!named) add_mount(pl, JM_REBIND_RO, ORD_PROTECT, true, NULL, prot, NULL);
                    free(prot);
                }
            }
        }
        free(path);
    }
    if (ok && state_visible) add_mount(pl, JM_MASK_DIR, ORD_MASK, true, NULL, state, NULL);
    free(state);
    return ok;
}

static void env_set(char ***envp, size_t *n, const char *name, const char *value)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i < *n; i++)
        if (!strncmp((*envp)[i], name, nl) && (*envp)[i][nl] == '=') {
            free((*envp)[i]);
            (*envp)[i] = xasprintf("%s=%s", name, value);
            return;
        }
    *envp = xrealloc(*envp, (*n + 2) * sizeof **envp);
    (*envp)[(*n)++] = xasprintf("%s=%s", name, value);
    (*envp)[*n] = NULL;
}

static bool valid_env_name(const char *s)
{
    if (!s || !*s) return false;
    for (const char *c = s; *c; c++)
        if (*c == '=' || (unsigned char)*c < 0x21) return false;
    return true;
}

static void build_env(jail_plan *pl, const policy_set *p)
{
    size_t n = 0;
    pl->envp = xcalloc(1, sizeof *pl->envp);
    env_set(&pl->envp, &n, "PATH", JAIL_PATH);
    env_set(&pl->envp, &n, "HOME", "/tmp");
    env_set(&pl->envp, &n, "LANG", "C.UTF-8");
    for (size_t i = 0; i < p->ncaps; i++) {
        const policy_cap *c = &p->caps[i];
        if (c->kind != POLICY_ENV || !valid_env_name(c->name)) continue;
        const char *v = getenv(c->name);
        if (v) env_set(&pl->envp, &n, c->name, v);
    }
    const char *path = JAIL_PATH;
    for (size_t i = 0; i < n; i++)
        if (!strncmp(pl->envp[i], "PATH=", 5)) path = pl->envp[i] + 5;
    size_t nd = 0;
    pl->path_dirs = xcalloc(1, sizeof *pl->path_dirs);
    char *copy = xstrdup(path);
    for (char *save = NULL, *tok = strtok_r(copy, ":", &save); tok;
         tok = strtok_r(NULL, ":", &save)) {
        if (tok[0] != '/' || strlen(tok) > 1024) continue;
        pl->path_dirs = xrealloc(pl->path_dirs, (nd + 2) * sizeof *pl->path_dirs);
        pl->path_dirs[nd++] = xstrdup(tok);
        pl->path_dirs[nd] = NULL;
    }
    free(copy);
}

bool jail_plan_build(jail_plan *pl, const policy_set *p, const char *const *argv,
                     const char *cwd, char *err, size_t errlen)
{
    memset(pl, 0, sizeof *pl);
    if (!argv || !argv[0] || !argv[0][0]) {
        snprintf(err, errlen, "jail: no program to run");
        return false;
    }
    size_t argc = 0, total = 0;
    while (argv[argc]) {
        total += strlen(argv[argc]) + 1;
        argc++;
        if (argc > 65536 || total > (1u << 21)) {
            snprintf(err, errlen, "jail: argument list too long");
            return false;
        }
    }
    if (strlen(argv[0]) > 1024) {
        snprintf(err, errlen, "jail: program name too long");
        return false;
    }
    pl->argv = xcalloc(argc + 1, sizeof *pl->argv);
    for (size_t i = 0; i < argc; i++) pl->argv[i] = xstrdup(argv[i]);

    add_system(pl);
    if (!add_grants(pl, p, err, errlen)) {
        jail_plan_free(pl);
        return false;
    }
    if (pl->nmounts > JAIL_MAX_MOUNTS) {
        snprintf(err, errlen, "jail: too many grants (%zu mounts, at most %d)", pl->nmounts,
                 JAIL_MAX_MOUNTS);
        jail_plan_free(pl);
        return false;
    }
    qsort(pl->mounts, pl->nmounts, sizeof *pl->mounts, mount_cmp);
    build_env(pl, p);

    const char *ws = p->workspace ? p->workspace : "/tmp";
    if (cwd && *cwd) {
        char *joined = cwd[0] == '/' ? xstrdup(cwd) : xasprintf("%s/%s", ws, cwd);
        pl->cwd = normalize_abs(joined);
        free(joined);
    } else {
        pl->cwd = normalize_abs(ws);
        pl->cwd_fallback = xstrdup("/tmp");
    }
    if (strlen(pl->cwd) > 3000) {
        snprintf(err, errlen, "jail: working directory path too long");
        jail_plan_free(pl);
        return false;
    }
    pl->uid_in = pl->uid_out = geteuid();
    pl->gid_in = pl->gid_out = getegid();
    return true;
}

static void free_strv(char **v)
{
    if (!v) return;
    for (size_t i = 0; v[i]; i++) free(v[i]);
    free(v);
}

void jail_plan_free(jail_plan *pl)
{
    for (size_t i = 0; i < pl->nmounts; i++) {
        free(pl->mounts[i].src);
        free(pl->mounts[i].dst);
        free(pl->mounts[i].data);
        free(pl->mounts[i].ws);
        free(pl->mounts[i].ws_rel);
    }
    free(pl->mounts);
    for (size_t i = 0; i < pl->nrules; i++) free(pl->rules[i].path);
    free(pl->rules);
    free_strv(pl->argv);
    free_strv(pl->envp);
    free_strv(pl->path_dirs);
    free(pl->cwd);
    free(pl->cwd_fallback);
    free(pl->join_tasks[0]);
    free(pl->join_tasks[1]);
    memset(pl, 0, sizeof *pl);
}
