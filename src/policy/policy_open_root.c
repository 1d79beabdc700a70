/* policy_open_root.c — opening a grant's root itself without following symbolic links, and
 * refusing objects on kernel pseudo file systems. A grant names a host path; if any component
 * of it were a symlink, whoever could create that link (a model with write access, a manager
 * delegating `write:out` after `ln -s /victim out`) would choose what the grant really reaches.
 * So the root is opened with openat2(RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS) — beneath the
 * workspace for grants inside it (the workspace's own path was chosen by the operator and may
 * pass through links), from "/" otherwise. /proc, /sys, /dev and the like are never reachable:
 * their objects reach the host process itself (/proc/self/mem, environ) or the hardware. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "policy/policy_internal.h"
#include "util/util.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

static int why_set(char *why, size_t whylen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int why_set(char *why, size_t whylen, int rc, const char *fmt, ...)
{
    if (why && whylen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, whylen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* File system types whose objects reach the kernel or the host process, never a workspace. */
static const struct { unsigned long magic; const char *name; } pseudo_fs[] = {
    {PROC_SUPER_MAGIC, "proc"},         {SYSFS_MAGIC, "sysfs"},
    {DEBUGFS_MAGIC, "debugfs"},         {SECURITYFS_MAGIC, "securityfs"},
    {CGROUP_SUPER_MAGIC, "cgroup"},     {CGROUP2_SUPER_MAGIC, "cgroup2"},
    {DEVPTS_SUPER_MAGIC, "devpts"},     {TRACEFS_MAGIC, "tracefs"},
    {BPF_FS_MAGIC, "bpf"},              {0x62656570UL /* configfs */, "configfs"},
    {EFIVARFS_MAGIC, "efivarfs"},       {PSTOREFS_MAGIC, "pstore"},
    {BINFMTFS_MAGIC, "binfmt_misc"},    {SELINUX_MAGIC, "selinuxfs"},
    {SMACK_MAGIC, "smackfs"},           {0x65735543UL /* fusectl */, "fusectl"},
    {NSFS_MAGIC, "nsfs"},
};

bool policy_fd_refused(int fd, char *why, size_t whylen)
{
    struct statfs sf;
    struct stat st;
    if (fstatfs(fd, &sf) != 0 || fstat(fd, &st) != 0) {
        why_set(why, whylen, 0, "cannot tell which file system the object is on");
        return true;
    }
    for (size_t i = 0; i < sizeof pseudo_fs / sizeof pseudo_fs[0]; i++)
        if ((unsigned long)sf.f_type == pseudo_fs[i].magic) {
            why_set(why, whylen, 0, "the object is on the %s pseudo file system, which is never "
                    "accessible", pseudo_fs[i].name);
            return true;
        }
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
        why_set(why, whylen, 0, "device nodes are never accessible");
        return true;
    }
    /* devtmpfs reports itself as tmpfs: compare with the device of /dev itself */
    struct stat dev;
    if (sf.f_type == TMPFS_MAGIC && stat("/dev", &dev) == 0 && dev.st_dev == st.st_dev &&
        dev.st_dev != 0) {
        struct stat root;
        if (stat("/", &root) != 0 || root.st_dev != dev.st_dev) {
            why_set(why, whylen, 0, "the object is on /dev, which is never accessible");
            return true;
        }
    }
    return false;
}

static int openat2_strict(int dirfd, const char *path, int flags, uint64_t resolve)
{
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (uint64_t)(unsigned)(flags | O_CLOEXEC);
    how.resolve = resolve;
    for (int i = 0; i < 32; i++) {
        long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
        if (fd >= 0) return (int)fd;
        if (errno == EAGAIN || errno == EINTR) continue;
        return -errno;
    }
    return -EAGAIN;
}

int policy_open_root(const policy_set *p, const char *root, int flags, char *why, size_t whylen)
{
    if (why && whylen) why[0] = '\0';
    if (!root || root[0] != '/')
        return why_set(why, whylen, -EINVAL, "grant root is not an absolute path");
    if ((flags & (O_CREAT | O_TRUNC)) || (flags & O_TMPFILE) == O_TMPFILE)
        return why_set(why, whylen, -EINVAL, "a grant root is never created or truncated");
    char *abs = policy_path_normalize(NULL, root);
    if (policy_path_pseudo(abs)) {
        int rc = why_set(why, whylen, -EACCES, "%.250s is on a kernel pseudo file system "
                         "(/proc, /sys, /dev), which is never accessible", abs);
        free(abs);
        return rc;
    }
    int base = AT_FDCWD;
    const char *rel = abs;
    if (p && p->workspace && pol_path_within(p->workspace, abs)) {
        base = open(p->workspace, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (base < 0) {
            int rc = why_set(why, whylen, -errno, "cannot open the workspace %.250s: %s",
                             p->workspace, strerror(errno));
            free(abs);
            return rc;
        }
        rel = pol_path_rel(p->workspace, abs);
        if (!*rel) rel = ".";
    }
    uint64_t resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    if (base != AT_FDCWD) resolve |= RESOLVE_BENEATH;
    int fd = openat2_strict(base, rel, flags, resolve);
    if (fd == -ENOSYS) {
        /* no openat2: one component at a time, every component O_NOFOLLOW */
        if (base == AT_FDCWD) {
            int r = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
            fd = r < 0 ? -errno : pol_walk_beneath(r, *(abs + 1) ? abs + 1 : ".", flags, 0);
            if (r >= 0) close(r);
        } else {
            fd = pol_walk_beneath(base, rel, flags, 0);
        }
    }
    if (base != AT_FDCWD) close(base);
    struct stat lst;
    if (fd >= 0 && fstat(fd, &lst) == 0 && S_ISLNK(lst.st_mode)) {
        close(fd); /* O_PATH | O_NOFOLLOW in the fallback walk opens a final link itself */
        fd = -ELOOP;
    }
    if (fd == -ELOOP || fd == -EXDEV) {
        int rc = why_set(why, whylen, -EACCES, "grant root %.250s passes through a symbolic "
                         "link: refused (a grant must name the real path)", abs);
        free(abs);
        return rc;
    }
    if (fd < 0) {
        int rc = why_set(why, whylen, fd, "cannot open grant root %.250s: %s", abs,
                         strerror(-fd));
        free(abs);
        return rc;
    }
    char reason[200];
    if (policy_fd_refused(fd, reason, sizeof reason)) {
        close(fd);
        int rc = why_set(why, whylen, -EACCES, "grant root %.200s refused: %s", abs, reason);
        free(abs);
        return rc;
    }
    free(abs);
    return fd;
}

policy_decision policy_check_path_fs(const policy_set *p, const char *path, policy_access access)
{
    policy_decision d = policy_check_path(p, path, access);
    if (!d.allowed || !d.cap || !d.cap->path) return d;
    char why[300];
    int fd = policy_open_root(p, d.cap->path, O_PATH, why, sizeof why);
    if (fd >= 0) {
        close(fd);
        return d;
    }
    if (fd == -EACCES) {
        d.allowed = false;
        d.cap = NULL;
        snprintf(d.reason, sizeof d.reason, "%s", why);
    }
    return d;
}
