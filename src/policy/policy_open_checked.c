/* policy_open_checked.c — policy_open: decide, open beneath the deciding grant's root, then
 * check the real path of what was opened, so symlinks inside a grant cannot lead into the
 * workspace's .boxagent/ or (for writes) onto .git/ or shell start-up files. Truncation is done
 * only after the check, and new files are created only with a non-symlink last component. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "policy/policy_internal.h"
#include "util/util.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

static char *fd_real(int fd)
{
    char link[64], buf[PATH_MAX + 1];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, buf, PATH_MAX);
    if (n <= 0 || buf[0] != '/') return NULL;
    buf[n] = '\0';
    return xstrdup(buf);
}

static char *state_real(const policy_set *p)
{
    char *lex = xasprintf("%s/.boxagent", strcmp(p->workspace, "/") ? p->workspace : "");
    char *r = realpath(lex, NULL);
    if (r) {
        free(lex);
        return r;
    }
    char *w = realpath(p->workspace, NULL);
    if (!w) return lex;
    free(lex);
    char *s = xasprintf("%s/.boxagent", strcmp(w, "/") ? w : "");
    free(w);
    return s;
}

static int set_deny(policy_decision *d, int err, const char *fmt, const char *what)
{
    d->allowed = false;
    d->cap = NULL;
    snprintf(d->reason, sizeof d->reason, fmt, what);
    return err;
}

/* 0 if the object behind fd is acceptable, else -EACCES with d filled. */
static int check_opened(const policy_set *p, int fd, const char *rootreal, const char *state,
                        policy_access access, const char *shown, policy_decision *d)
{
    char *real = fd_real(fd);
    if (!real) return set_deny(d, -EACCES, "cannot verify where %.250s leads", shown);
    int rc = 0;
    char why[200];
    if (policy_fd_refused(fd, why, sizeof why)) {
        snprintf(d->reason, sizeof d->reason, "%.100s: %s", shown, why);
        rc = -EACCES;
    } else if (policy_path_has_state_name(real) || policy_path_pseudo(real)) {
        rc = set_deny(d, -EACCES, "%.250s leads into a .boxagent/ directory or a kernel pseudo "
                      "file system", shown);
    } else if (!pol_path_within(rootreal, real)) {
        rc = set_deny(d, -EACCES, "%.250s resolves outside its grant", shown);
    } else if (pol_path_within(state, real)) {
        rc = set_deny(d, -EACCES, "%.250s leads into the workspace state directory .boxagent/",
                      shown);
    } else if (access == POLICY_ACCESS_WRITE) {
        const char *which = NULL;
        if (pol_rel_protected(pol_path_rel(rootreal, real), &which)) {
            rc = set_deny(d, -EACCES, "%.250s leads to a protected path (read-only)", shown);
        }
    }
    (void)p;
    free(real);
    return rc;
}

static int openat2_resolve(int dirfd, const char *name, int flags, int mode, uint64_t resolve)
{
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (uint64_t)(unsigned)(flags | O_CLOEXEC);
    if (flags & O_CREAT) how.mode = (uint64_t)(mode & 07777);
    how.resolve = resolve;
    for (int i = 0; i < 32; i++) {
        long fd = syscall(SYS_openat2, dirfd, name, &how, sizeof how);
        if (fd >= 0) return (int)fd;
        if (errno == EAGAIN || errno == EINTR) continue;
        if (errno == ENOSYS) {
            /* no openat2: O_NOFOLLOW on the last component gives the same refusal */
            int f = openat(dirfd, name, flags | O_CLOEXEC | O_NOFOLLOW, mode);
            return f < 0 ? -errno : f;
        }
        return -errno;
    }
    return -EAGAIN;
}

int policy_open(const policy_set *p, const char *path, policy_access access, int flags, int mode,
                policy_decision *dout)
{
    policy_decision dd;
    policy_decision *d = dout ? dout : &dd;
    memset(d, 0, sizeof *d);
    if (!p || !path) return set_deny(d, -EINVAL, "%s", "no policy or path");
    int acc = flags & O_ACCMODE;
    bool tmpfile = (flags & O_TMPFILE) == O_TMPFILE;
    bool writes = acc != O_RDONLY || (flags & (O_CREAT | O_TRUNC)) || tmpfile;
    if (writes && access != POLICY_ACCESS_WRITE)
        return set_deny(d, -EACCES, "%s", "opening for writing needs write access");
    if (tmpfile) return set_deny(d, -EINVAL, "%s", "O_TMPFILE is not supported");
    *d = policy_check_path(p, path, access);
    if (!d->allowed) return -EACCES;
    const policy_cap *cap = d->cap;
    char *abs = policy_path_normalize(p->workspace, path);
    const char *rel = pol_path_rel(cap->path, abs);
    char why[300];
    /* the grant's root, never through a symlink in any component (policy_open_root) */
    int rootfd = policy_open_root(p, cap->path, O_PATH | O_DIRECTORY, why, sizeof why);
    char *rootreal = NULL, *state = NULL, *dirpart = NULL;
    int dirfd = -1, fd = -1, rc;
    if (rootfd == -ENOTDIR && !*rel) {
        /* a grant naming one file (e.g. write:~/.bashrc): open that file itself */
        int trunc = flags & O_TRUNC;
        fd = policy_open_root(p, cap->path, flags & ~(O_TRUNC | O_CREAT | O_EXCL), why,
                              sizeof why);
        if (fd < 0) {
            rc = fd;
            set_deny(d, rc, "%.300s", why);
            fd = -1;
            goto out;
        }
        state = state_real(p);
        char *real = fd_real(fd);
        if (!real || pol_path_within(state, real) || policy_path_has_state_name(real)) {
            free(real);
            rc = set_deny(d, -EACCES, "%.250s leads into the workspace state directory", abs);
            goto out;
        }
        free(real);
        if (trunc && acc != O_RDONLY && ftruncate(fd, 0) != 0) {
            rc = -errno;
            goto out;
        }
        rc = fd;
        fd = -1;
        goto out;
    }
    if (rootfd < 0) {
        rc = rootfd;
        rootfd = -1;
        set_deny(d, rc, "%.300s", why);
        goto out;
    }
    rootreal = fd_real(rootfd);
    state = state_real(p);
    if (!rootreal) {
        rc = set_deny(d, -EACCES, "cannot verify the grant's root %.250s", cap->path);
        goto out;
    }
    int base = flags & ~(O_TRUNC | O_CREAT | O_EXCL);
    bool excl = (flags & O_CREAT) && (flags & O_EXCL);
    fd = -ENOENT;
    for (int attempt = 0; attempt < 4; attempt++) {
        if (!excl) {
            /* an existing object: resolved beneath the root, then checked below */
            fd = policy_open_beneath(rootfd, *rel ? rel : ".", base, mode);
            if (fd != -ENOENT || !(flags & O_CREAT)) break;
        }
        /* create: the directory must pass the check, the new name must not be a symlink */
        if (!*rel) break;
        if (dirfd < 0) {
            const char *slash = strrchr(rel, '/');
            dirpart = slash ? xstrndup(rel, (size_t)(slash - rel)) : xstrdup(".");
            dirfd = policy_open_beneath(rootfd, dirpart, O_PATH | O_DIRECTORY, 0);
            if (dirfd < 0) {
                fd = dirfd;
                break;
            }
            rc = check_opened(p, dirfd, rootreal, state, access, abs, d);
            if (rc) goto out;
        }
        const char *slash = strrchr(rel, '/');
        const char *name = slash ? slash + 1 : rel;
        fd = openat2_resolve(dirfd, name, base | O_CREAT | O_EXCL, mode,
                             RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
        if (fd != -EEXIST || excl) break; /* created meanwhile: open what is there */
    }
    if (fd < 0) {
        rc = fd;
        snprintf(d->reason, sizeof d->reason, "cannot open %.250s: %s", abs, strerror(-fd));
        d->allowed = false;
        goto out;
    }
    rc = check_opened(p, fd, rootreal, state, access, abs, d);
    if (rc) goto out;
    if ((flags & O_TRUNC) && acc != O_RDONLY && ftruncate(fd, 0) != 0) {
        rc = -errno;
        snprintf(d->reason, sizeof d->reason, "cannot truncate %.250s", abs);
        d->allowed = false;
        goto out;
    }
    rc = fd;
    fd = -1;
out:
    if (rc < 0) {
        d->allowed = false;
        d->cap = NULL;
    }
    if (fd >= 0) close(fd);
    if (dirfd >= 0) close(dirfd);
    if (rootfd >= 0) close(rootfd);
    free(dirpart);
    free(rootreal);
    free(state);
    free(abs);
    return rc;
}
