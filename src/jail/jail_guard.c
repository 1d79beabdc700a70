/* jail_guard.c — protected names inside grants, for names a bind mount cannot cover. Before a
 * run the plan walks each grant (bounded, breadth first, never following symlinks; into
 * filesystems mounted inside the grant, which the jail shows too, but not kernel ones) and
 * masks every .boxagent/ found, and inside write grants re-binds every existing protected
 * entry (.git, shell start-up files ...) read-only. A name that does not exist yet has no
 * mount point, so after the run (when every jailed process is gone) the write grants are
 * walked again and any protected entry the program created is removed, with one line per
 * removal in the program's stderr. Both walks share the same bounds, reported when hit. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "jail/jail_internal.h"
#include "policy/policy.h"
#include "util/util.h"

/* The policy layer's protected names (policy_protected_name; ".config/fish" is the one entry
 * of two components), plus the state directory's name. */
bool jail_guard_protected(const char *parent_rel, const char *name)
{
    if (!strcmp(name, ".boxagent") || policy_protected_name(name)) return true;
    if (!strcmp(name, "fish")) { /* .config/fish */
        size_t n = strlen(parent_rel);
        if (!strcmp(parent_rel, ".config") ||
            (n > 8 && !strcmp(parent_rel + n - 8, "/.config")))
            return true;
    }
    return false;
}

static int path_components(const char *rel)
{
    int d = 1;
    for (const char *s = rel; *s; s++)
        if (*s == '/') d++;
    return d;
}

/* Top-level names the view covers with its own mounts when the host's / is granted at /. */
static const char *const view_covered[] = {"usr", "bin", "sbin", "lib", "lib32", "lib64",
                                           "libx32", "etc", "proc", "sys", "dev", "tmp"};

static bool covered(const char *name)
{
    for (size_t i = 0; i < sizeof view_covered / sizeof view_covered[0]; i++)
        if (!strcmp(name, view_covered[i])) return true;
    return false;
}

bool jail_walk(const char *root, bool view_root, size_t max_dirs, jail_walk_fn fn, void *ctx)
{
    int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (rootfd < 0) return true;
    char **queue = xcalloc(1, sizeof *queue);
    size_t qn = 0, qh = 0, qcap = 1, dirs = 0, entries = 0;
    queue[qn++] = xstrdup(".");
    bool complete = true;
    while (qh < qn && complete) {
        char *rel = queue[qh++];
        if (++dirs > max_dirs) {
            complete = false;
            free(rel);
            break;
        }
        struct open_how how;
        memset(&how, 0, sizeof how);
        how.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
        how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
        int fd = (int)syscall(SYS_openat2, rootfd, rel, &how, sizeof how);
        if (fd >= 0 && jail_kernel_fs(fd)) { /* masked in the view; not worth a walk */
            close(fd);
            fd = -1;
        }
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        if (!d) {
            if (fd >= 0) close(fd);
            free(rel);
            continue;
        }
        bool top = !strcmp(rel, ".");
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            if (top && view_root && covered(e->d_name)) continue;
            if (++entries > JAIL_WALK_MAX_ENTRIES) {
                complete = false;
                break;
            }
            char *child = top ? xstrdup(e->d_name) : xasprintf("%s/%s", rel, e->d_name);
            unsigned char t = e->d_type;
            if (t == DT_UNKNOWN) {
                struct stat st;
                if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
                    t = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
            }
            if (jail_guard_protected(top ? "" : rel, e->d_name)) {
                fn(ctx, dirfd(d), child, e->d_name, t);
                free(child);
                continue;
            }
            if (t == DT_DIR && path_components(child) < JAIL_WALK_MAX_DEPTH) {
                if (qn == qcap) {
                    qcap *= 2;
                    queue = xrealloc(queue, qcap * sizeof *queue);
                }
                queue[qn++] = child;
            } else {
                free(child);
            }
        }
        closedir(d);
        free(rel);
    }
    for (; qh < qn; qh++) free(queue[qh]);
    free(queue);
    close(rootfd);
    return complete;
}

/* Remove `name` in dirfd: a file or symlink, or a directory tree (never following links). */
static int remove_at(int dfd, const char *name, int depth)
{
    if (unlinkat(dfd, name, 0) == 0) return 0;
    if (errno != EISDIR && errno != EPERM) return -1;
    if (depth > 64) return -1;
    int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return -1;
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return -1;
    }
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
            remove_at(dirfd(d), e->d_name, depth + 1) != 0)
            rc = -1;
    closedir(d);
    if (unlinkat(dfd, name, AT_REMOVEDIR) != 0) rc = -1;
    return rc;
}

uint64_t jail_guard_sig(int dirfd, const char *name)
{
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return 1;
    if (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) return 0;
    uint64_t h = (uint64_t)st.st_ino * 0x9e3779b97f4a7c15ull;
    h ^= (uint64_t)st.st_ctim.tv_sec * 1000000007ull + (uint64_t)st.st_ctim.tv_nsec;
    h ^= (uint64_t)(st.st_mode & S_IFMT) << 40;
    return h | 2; /* never 0 */
}

static bool beneath_or_eq(const char *path, const char *dir)
{
    if (!strcmp(dir, "/")) return true;
    size_t n = strlen(dir);
    return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

typedef struct after_ctx {
    const jail_plan *pl;
    const jail_watch *w;
    buf *report;
} after_ctx;

static void after_found(void *vctx, int dfd, const char *rel, const char *name,
                        unsigned char dtype)
{
    (void)dtype;
    after_ctx *c = vctx;
    /* Existing entries are mount points (directories, files) the program cannot replace;
     * a symlink or other kind it replaced has a new inode and counts as created. */
    uint64_t sig = jail_guard_sig(dfd, name);
    bool replaced = false;
    for (size_t i = 0; i < c->w->nbefore; i++)
        if (!strcmp(c->w->before[i], rel)) {
            if (c->w->before_ino[i] == 0 || c->w->before_ino[i] == sig) return;
            replaced = true;
        }
    char *host = !strcmp(c->w->real, "/") ? xasprintf("/%s", rel)
                                           : xasprintf("%s/%s", c->w->real, rel);
    /* A write: capability naming it (or something beneath it) allows it. */
    for (size_t i = 0; c->pl->explicit_w && c->pl->explicit_w[i]; i++)
        if (beneath_or_eq(c->pl->explicit_w[i], host) && strcmp(name, ".boxagent")) {
            free(host);
            return;
        }
    if (remove_at(dfd, name, 0) == 0)
        buf_printf(c->report, "boxagent jail: removed %s: the program %s a protected "
                              "name (state dir, VCS metadata or shell start-up file)\n", host,
                   replaced ? "replaced" : "created");
    else
        buf_printf(c->report, "boxagent jail: WARNING: the program created the protected "
                              "name %s and it could not be removed: %s\n", host,
                   strerror(errno));
    free(host);
}

void jail_guard_after(const jail_plan *pl, buf *report)
{
    for (size_t i = 0; i < pl->nwatches; i++) {
        after_ctx c = {pl, &pl->watches[i], report};
        if (!jail_walk(pl->watches[i].real, pl->watches[i].view_root, JAIL_WALK_MAX_DIRS,
                       after_found, &c))
            buf_printf(report, "boxagent jail: note: %s is too large to check completely for "
                               "protected names the program may have created\n",
                       pl->watches[i].real);
    }
}
