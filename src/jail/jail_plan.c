/* jail_plan.c — turns a capability set into the jail's plan: which host paths are bound where
 * (read-only / read-write), which are masked, the Landlock rules, the environment and the
 * program's argv. Runs in the parent, before the fork, so the child never allocates. */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
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

/* Lexical normalisation of an absolute path: the policy layer's, so that the jail and the
 * capability checks can never disagree on what a path names. */
static char *normalize_abs(const char *path) { return policy_path_normalize(NULL, path); }

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

/* Filesystems that are the host kernel's interfaces: never shown through a grant. */
static const char *const kernel_fs[] = {
    "proc",     "sysfs",     "devtmpfs",  "devpts",    "cgroup",     "cgroup2",
    "debugfs",  "tracefs",   "securityfs", "bpf",      "mqueue",     "pstore",
    "efivarfs", "configfs",  "fusectl",   "binfmt_misc", "hugetlbfs", "nsfs",
    "autofs",   "rpc_pipefs", "selinuxfs",
};

/* Mount points of the host that a grant must not show: every kernel filesystem and anything
 * mounted beneath /proc, /sys or /dev. NULL-terminated list of host paths. */
static char **kernel_mounts(void)
{
    size_t n = 0;
    char **v = xcalloc(1, sizeof *v);
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (!f) return v;
    char line[8192];
    while (fgets(line, sizeof line, f)) {
        char *save = NULL, *fld[5] = {0};
        char *tok = strtok_r(line, " ", &save);
        for (int i = 0; i < 5 && tok; i++, tok = i < 5 ? strtok_r(NULL, " ", &save) : tok)
            fld[i] = tok;
        char *sep = save ? strstr(save, " - ") : NULL;
        if (!fld[4] || !sep) continue;
        char *type = sep + 3, *sp = strchr(type, ' ');
        if (sp) *sp = '\0';
        /* Unescape \ooo in the mount point. */
        char mp[4096];
        size_t o = 0;
        for (const char *s = fld[4]; *s && o + 1 < sizeof mp; s++) {
            if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
                s[3] >= '0' && s[3] <= '7') {
                mp[o++] = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
                s += 3;
            } else {
                mp[o++] = *s;
            }
        }
        mp[o] = '\0';
        bool kern = host_kernel_path(mp) && strcmp(mp, "/");
        for (size_t i = 0; !kern && i < sizeof kernel_fs / sizeof kernel_fs[0]; i++)
            if (!strcmp(type, kernel_fs[i])) kern = true;
        if (!kern) continue;
        v = xrealloc(v, (n + 2) * sizeof *v);
        v[n++] = xstrdup(mp);
        v[n] = NULL;
    }
    fclose(f);
    return v;
}

static char *join_path(const char *dir, const char *rel)
{
    if (!strcmp(rel, ".")) return xstrdup(dir);
    return !strcmp(dir, "/") ? xasprintf("/%s", rel) : xasprintf("%s/%s", dir, rel);
}

/* Where host path `host` (beneath the grant's real path) appears in the view. */
static char *view_path(const char *text, const char *real, const char *host)
{
    const char *suffix = !strcmp(real, "/") ? host : host + strlen(real);
    if (!*suffix || !strcmp(suffix, "/")) return xstrdup(text);
    return !strcmp(text, "/") ? xstrdup(suffix) : xasprintf("%s%s", text, suffix);
}

/* If `text` passes through the workspace (a prefix of it resolves to the workspace's real
 * path), the rest of it ("." for the workspace itself); else NULL. */
static char *ws_rest(const char *text, const char *ws_real)
{
    size_t n = strlen(text);
    for (size_t i = 1; i <= n; i++) {
        if (i < n && text[i] != '/') continue;
        char *prefix = xstrndup(text, i);
        char *r = realpath(prefix, NULL);
        free(prefix);
        bool hit = r && !strcmp(r, ws_real);
        free(r);
        if (hit) return xstrdup(i >= n ? "." : text + i + 1);
    }
    return NULL;
}

typedef struct grant {
    const policy_cap *c;
    char *text;   /* the path the capability names (normalised): where it appears in the view */
    char *real;   /* its real path on the host (NULL: it does not exist; skipped) */
    char *ws_rel; /* beneath the workspace: the path under it, else NULL */
    bool write;
} grant;

typedef struct scan_ctx {
    jail_plan *pl;
    const grant *g;
    const char *root_real, *root_view;
    jail_watch *w; /* write grants: what existed before */
} scan_ctx;

static void scan_found(void *vctx, int dirfd, const char *rel, const char *name,
                       unsigned char dtype)
{
    scan_ctx *c = vctx;
    char *view = join_path(c->root_view, rel);
    if (c->w) {
        uint64_t ino = jail_guard_sig(dirfd, name);
        c->w->before = xrealloc(c->w->before, (c->w->nbefore + 1) * sizeof *c->w->before);
        c->w->before_ino =
            xrealloc(c->w->before_ino, (c->w->nbefore + 1) * sizeof *c->w->before_ino);
        c->w->before_ino[c->w->nbefore] = ino;
        c->w->before[c->w->nbefore++] = xstrdup(rel);
    }
    if (!strcmp(name, ".boxagent")) {
        if (dtype == DT_DIR || dtype == DT_REG)
            add_mount(c->pl, dtype == DT_DIR ? JM_MASK_DIR : JM_MASK_FILE, ORD_MASK, true, NULL,
                      view, NULL);
    } else if (c->w) {
        char *host = join_path(c->root_real, rel);
        bool named = false;
        for (size_t j = 0; c->pl->explicit_w[j]; j++)
            if (!strcmp(c->pl->explicit_w[j], host)) named = true;
        if (!named) add_mount(c->pl, JM_REBIND_RO, ORD_PROTECT, true, NULL, view, NULL);
        free(host);
    }
    free(view);
}

/* Walk a grant (or the workspace inside it) for protected names; write grants are watched. */
static void scan_grant(jail_plan *pl, const grant *g, const char *root_real,
                       const char *root_view)
{
    scan_ctx c = {pl, g, root_real, root_view, NULL};
    bool view_root = !strcmp(root_real, "/") && !strcmp(root_view, "/");
    if (g->write) {
        pl->watches = xrealloc(pl->watches, (pl->nwatches + 1) * sizeof *pl->watches);
        c.w = &pl->watches[pl->nwatches++];
        memset(c.w, 0, sizeof *c.w);
        c.w->real = xstrdup(root_real);
        c.w->view_root = view_root;
    }
    jail_walk(root_real, view_root, JAIL_WALK_MAX_DIRS, scan_found, &c);
}

/* The state directory must exist as a real directory whenever a grant shows the workspace:
 * made here (0700, the caller's) if a write grant could otherwise let the program create it,
 * and refused when it is a symlink or not a directory. */
static bool check_state_dir(const char *state, bool writable, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(state, &st) != 0) {
        if (errno != ENOENT) {
            snprintf(err, errlen, "jail: cannot check %s: %s", state, strerror(errno));
            return false;
        }
        if (!writable) return true;
        if (mkdir(state, 0700) != 0 && errno != EEXIST) {
            if (errno == EACCES || errno == EROFS || errno == EPERM) return true; /* nor can the program */
            snprintf(err, errlen, "jail: cannot create %s: %s", state, strerror(errno));
            return false;
        }
        if (lstat(state, &st) != 0) {
            snprintf(err, errlen, "jail: cannot check %s: %s", state, strerror(errno));
            return false;
        }
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "jail: refusing to run: %s is %s, not a directory", state,
                 S_ISLNK(st.st_mode) ? "a symlink" : "a file");
        return false;
    }
    return true;
}

static void free_grants(grant *g, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(g[i].text);
        free(g[i].real);
        free(g[i].ws_rel);
    }
    free(g);
}

static bool add_grants(jail_plan *pl, const policy_set *p, char *err, size_t errlen)
{
    char *ws_real = NULL;
    if (p->workspace) {
        ws_real = realpath(p->workspace, NULL);
        if (!ws_real) ws_real = normalize_abs(p->workspace);
    }
    char *state = ws_real ? join_path(ws_real, ".boxagent") : NULL;
    grant *gs = xcalloc(p->ncaps + 1, sizeof *gs);
    size_t ng = 0;
    bool ok = true;
    /* Pass 1: every grant's real path, checked before anything is compared or mounted. */
    for (size_t i = 0; i < p->ncaps && ok; i++) {
        const policy_cap *c = &p->caps[i];
        if (c->kind != POLICY_READ && c->kind != POLICY_WRITE) continue;
        if (!c->path || c->path[0] != '/') {
            snprintf(err, errlen, "jail: capability %s has no absolute path",
                     c->text ? c->text : "?");
            ok = false;
            break;
        }
        grant *g = &gs[ng++];
        g->c = c;
        g->write = c->kind == POLICY_WRITE;
        g->text = normalize_abs(c->path);
        char *rest = ws_real ? ws_rest(g->text, ws_real) : NULL;
        g->real = realpath(g->text, NULL);
        if (!g->real && errno != ENOENT && errno != ENOTDIR && errno != ELOOP) {
            snprintf(err, errlen, "jail: cannot resolve capability %s: %s",
                     c->text ? c->text : g->text, strerror(errno));
            free(rest);
            ok = false;
            break;
        }
        if (!g->real && (errno == ELOOP || (rest && errno == ENOTDIR))) {
            snprintf(err, errlen, "jail: refusing grant %s: it passes through a symlink loop "
                     "or a non-directory", g->text);
            free(rest);
            ok = false;
            break;
        }
        if (rest && g->real) {
            char *expect = join_path(ws_real, rest);
            bool same = !strcmp(expect, g->real);
            free(expect);
            if (!same) {
                snprintf(err, errlen, "jail: refusing grant %s: it passes through a symlink "
                         "inside the workspace", g->text);
                free(rest);
                ok = false;
                break;
            }
        } else if (!rest && g->real && ws_real && beneath(g->real, ws_real)) {
            rest = strcmp(g->real, ws_real)
                       ? xstrdup(g->real + strlen(ws_real) + (strcmp(ws_real, "/") ? 1 : 0))
                       : xstrdup(".");
        }
        g->ws_rel = rest;
        if (host_kernel_path(g->text) || (g->real && host_kernel_path(g->real))) {
            snprintf(err, errlen,
                     "jail: capability %s names a host kernel interface (/proc, /sys, /dev), "
                     "which the jail never exposes",
                     c->text ? c->text : g->text);
            ok = false;
            break;
        }
    }
    char **kmounts = ok ? kernel_mounts() : NULL;
    for (size_t i = 0; ok && i < ng; i++)
        for (size_t k = 0; gs[i].real && kmounts[k]; k++)
            if (beneath(gs[i].real, kmounts[k])) {
                snprintf(err, errlen, "jail: capability %s is on a host kernel filesystem (%s), "
                         "which the jail never exposes",
                         gs[i].c->text ? gs[i].c->text : gs[i].text, kmounts[k]);
                ok = false;
                break;
            }
    /* The state directory: exists (or cannot be made by anyone) and is a real directory. */
    if (ok && state) {
        bool visible = false, writable = false;
        for (size_t i = 0; i < ng; i++)
            if (gs[i].real && beneath(ws_real, gs[i].real)) {
                visible = true;
                if (gs[i].write) writable = true;
            }
        if (visible) ok = check_state_dir(state, writable, err, errlen);
    }
    if (ok) {
        size_t ne = 0;
        pl->explicit_w = xcalloc(ng + 1, sizeof *pl->explicit_w);
        for (size_t i = 0; i < ng; i++)
            if (gs[i].write)
                pl->explicit_w[ne++] = xstrdup(gs[i].real ? gs[i].real : gs[i].text);
    }
    for (size_t i = 0; i < ng && ok; i++) {
        grant *g = &gs[i];
        if (!g->real) continue; /* missing: nothing to show */
        const char *path = g->text;
        bool write = g->write;
        if (state && beneath(g->real, state)) continue; /* the state dir is never visible */
        /* A read grant inside a write grant adds nothing (and must not make it read-only). */
        bool redundant = false;
        if (!write)
            for (size_t j = 0; j < ng; j++)
                if (gs[j].write && beneath(path, gs[j].text)) redundant = true;
        if (redundant) continue;
        /* Directories leading to a grant inside the private /tmp must not be writable there
         * (a file "created in the workspace's parent" would silently land in /tmp). */
        if (beneath(path, "/tmp") && strcmp(path, "/tmp")) {
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
        add_mount(pl, write ? JM_BIND_RW : JM_BIND_RO, write ? ORD_WRITE : ORD_READ, true,
                  g->real, path, NULL);
        jail_mount *gm = &pl->mounts[pl->nmounts - 1];
        gm->grant = true;
        if (g->ws_rel) {
            gm->ws = xstrdup(ws_real);
            gm->ws_rel = xstrdup(g->ws_rel);
        }
        add_rule(pl, path, write ? JAIL_LL_ALL : JAIL_LL_READ);
        /* The state dir, by its real path, wherever this grant shows it. */
        if (state && beneath(state, g->real)) {
            char *v = view_path(path, g->real, state);
            add_mount(pl, JM_MASK_DIR, ORD_MASK, true, NULL, v, NULL);
            free(v);
        }
        /* Host kernel filesystems mounted beneath the grant (e.g. read:/ shows /sys). */
        for (size_t k = 0; kmounts[k]; k++) {
            if (!beneath(kmounts[k], g->real) || !strcmp(kmounts[k], g->real)) continue;
            char *v = view_path(path, g->real, kmounts[k]);
            if (!beneath(v, "/proc") && !beneath(v, "/dev"))
                add_mount(pl, JM_MASK_DIR, ORD_MASK, true, NULL, v, NULL);
            free(v);
        }
        /* Protected names: the workspace's first when it lies inside a larger grant. */
        if (ws_real && beneath(ws_real, g->real) && strcmp(ws_real, g->real)) {
            char *v = view_path(path, g->real, ws_real);
            scan_grant(pl, g, ws_real, v);
            free(v);
        }
        scan_grant(pl, g, g->real, path);
    }
    if (kmounts) {
        for (size_t k = 0; kmounts[k]; k++) free(kmounts[k]);
        free(kmounts);
    }
    free_grants(gs, ng);
    free(state);
    free(ws_real);
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
    for (size_t i = 0; i < pl->nwatches; i++) {
        free(pl->watches[i].real);
        for (size_t j = 0; j < pl->watches[i].nbefore; j++) free(pl->watches[i].before[j]);
        free(pl->watches[i].before);
        free(pl->watches[i].before_ino);
    }
    free(pl->watches);
    free_strv(pl->explicit_w);
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
